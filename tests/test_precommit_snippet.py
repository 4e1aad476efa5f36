"""The README's pre-commit configuration works as shipped (issue 12).

The snippet is a ``repo: local`` hook (the published repository and tag it used to name
do not exist).  It must define the same hook as ``.pre-commit-hooks.yaml`` (entry, files,
serial), use a language pre-commit runs from the current environment, and its entry must
run: pre-commit appends the staged file names to the entry, which this test does too.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from citetrack_emulator import Emulator
from tests.e2e import REPO, run_cli


def _snippet() -> Any:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    configs = [YAML(typ="safe").load(b) for b in blocks if "repos:" in b]
    assert len(configs) == 1, "one pre-commit configuration in the README"
    return configs[0]


def _hook_definition() -> dict[str, Any]:
    hooks = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text())
    return next(h for h in hooks if h["id"] == "citetrack")


def test_readme_snippet_is_a_local_hook_equal_to_the_hook_definition() -> None:
    (repo,) = _snippet()["repos"]
    assert repo["repo"] == "local"
    assert "rev" not in repo
    (hook,) = repo["hooks"]
    assert hook["language"] == "system"
    definition = _hook_definition()
    for key in ("id", "entry", "files", "require_serial"):
        assert hook[key] == definition[key], key
    assert re.search(hook["files"], "docs/refs.bib") and not re.search(hook["files"], "a.txt")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITETRACK_")}
    env["CITETRACK_CACHE_DIR"] = str(tmp_path / "cache")
    # No network: every service URL points at a closed port (the hook is --offline anyway).
    for name in ("CROSSREF", "EUTILS", "IDCONV", "DOI", "WAYBACK"):
        env[f"CITETRACK_{name}_URL"] = "http://127.0.0.1:9/"
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env["PATH"]
    return env


def _run_entry(tmp_path: Path, bib: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "refs.bib").write_text(bib)
    (hook,) = _snippet()["repos"][0]["hooks"]
    return subprocess.run(
        [*shlex.split(hook["entry"]), "refs.bib"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_hook_entry_runs_and_passes_a_clean_file_offline(tmp_path: Path) -> None:
    proc = _run_entry(
        tmp_path, "@article{a, title = {A title}, year = {2009}, doi = {10.3322/caac.20005}}\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert "error" not in proc.stderr


# SYNTHETIC: a malformed DOI, a malformed PMID, a duplicate key and a duplicate reference,
# plus two well-formed references nothing is cached for.
HOOK_BIB = """@article{good, title = {A title}, author = {Smith, J.}, year = {2009},
  doi = {10.3322/caac.20005}}
@article{baddoi, title = {Another paper}, author = {Doe, A.}, year = {2010}, doi = {not-a-doi}}
@article{badpmid, title = {Third paper}, author = {Roe, B.}, year = {2011}, pmid = {12ab}}
@article{good, title = {Same key again}, year = {2012}}
@article{copy, title = {A title}, author = {Smith, J.}, year = {2009},
  doi = {10.3322/caac.20005}}
@article{other, title = {Other paper}, author = {Poe, C.}, year = {2013}, pmid = {19188601}}
"""


def test_the_hook_fails_offline_with_an_empty_cache_and_says_once_what_it_skipped(
    tmp_path: Path,
) -> None:
    proc = _run_entry(tmp_path, HOOK_BIB)
    assert proc.returncode == 1, proc.stderr
    out = " ".join(proc.stdout.split())
    for rule in ("identifier-malformed [doi]", "identifier-malformed [pmid]"):
        assert rule in out
    assert "bib-duplicate-key" in out and "duplicate-reference" in out
    summary = (
        "--local: registry checks skipped for 5 references (DOI, PMID, search); run "
        "citetrack check without --local to verify"
    )
    assert out.count(summary) == 1, proc.stdout
    assert "not in cache" not in out  # never once per reference
    assert "Traceback" not in proc.stderr


# SYNTHETIC: what a paste puts in a commit: a DOI typed with spaces, a DOI with a
# zero-width space (U+200B) in it, an ISBN whose check digit is wrong, PMID 0 (no PMID is
# 0; PMIDs have no check digit); and one well-formed DOI that only a registry can judge.
PASTED_BIB = """@article{spaced, title = {A paper}, author = {Doe, J.}, year = {2020},
  doi = {10.1234/not a doi}}
@article{hidden, title = {B paper}, author = {Roe, K.}, year = {2019},
  doi = {10.1056/nejm\u200bc0805992}}
@book{isbn, title = {C book}, author = {Poe, L.}, year = {2018}, isbn = {978-0-7216-2921-7}}
@article{zero, title = {D paper}, author = {Koe, M.}, year = {2017}, pmid = {0}}
@article{fine, title = {E paper}, author = {Zoe, N.}, year = {2016}, doi = {10.5555/e.1}}
"""


def test_the_hook_catches_pasted_identifiers_offline_and_never_calls_the_rest_ok(
    tmp_path: Path,
) -> None:
    """A commit adding pasted references, empty cache, no network: every defect a file
    shows by itself fails the commit, a DOI cut by a space gets no shortened DOI as its
    "fix", and what was not checked is said once, as --local's scope (the line said "run
    without --offline", an option the hook does not use), never counted as ok."""
    proc = _run_entry(tmp_path, PASTED_BIB)
    assert proc.returncode == 1, proc.stdout
    out = " ".join(proc.stdout.split())
    for key, field in (("spaced", "doi"), ("hidden", "doi"), ("isbn", "isbn"), ("zero", "pmid")):
        assert re.search(rf"warning \S+ {key} .*?identifier-malformed \[{field}\]", out), key
    # The message shows where the invisible character is (it was quoted invisibly).
    assert "'10.1056/nejm<U+200B>c0805992'" in out, out
    assert "suggestion: 10.1056/nejmc0805992" in out
    assert "10.1234/not " not in out.replace("10.1234/not a doi", "")
    assert "--offline" not in out and "run citetrack check without --local to verify" in out
    report = subprocess.run(
        [*shlex.split(_snippet()["repos"][0]["hooks"][0]["entry"]), "-f", "json", "refs.bib"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    data = json.loads(report.stdout)
    assert data["summary"]["ok"] == 0 and data["summary"]["verified"] == 0
    statuses = {r["key"]: r["status"] for r in data["references"]}
    assert statuses["fine"] == "unverified", statuses
    spaced = next(r for r in data["references"] if r["key"] == "spaced")
    (malformed,) = [f for f in spaced["findings"] if f["rule"] == "identifier-malformed"]
    assert malformed["suggestion"] is None
    (cause,) = data["causes"]
    assert cause["service"] == "local" and "--local" in cause["line"]
    # Per reference too (JSON, -v): --local read no cache, so "not in cache" was untrue.
    messages = [f["message"] for r in data["references"] for f in r["findings"]]
    unasked = [m for m in messages if "--local: no registry asked" in m]
    assert unasked and not any("not in cache" in m for m in messages), messages


def test_the_hook_lets_a_commit_add_and_remove_references_next_to_a_committed_lockfile(
    tmp_path: Path,
) -> None:
    """The recommended setup commits citetrack.lock (the nightly job's history): a commit
    that adds a well-formed reference, or removes one, must not be blocked as a 'change'."""
    first = "@article{a, title = {A title}, author = {Smith, J.}, year = {2009}}\n"
    second = "@article{b, title = {Another title}, author = {Doe, A.}, year = {2010}}\n"
    (tmp_path / "refs.bib").write_text(first + second)
    locked = subprocess.run(
        [sys.executable, "-m", "citetrack", "lock", "--offline", "refs.bib"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert locked.returncode == 0 and (tmp_path / "citetrack.lock").exists(), locked.stderr
    added = "@article{c, title = {A third title}, author = {Roe, B.}, year = {2011}}\n"
    proc = _run_entry(tmp_path, first + second + added)
    assert proc.returncode == 0, proc.stdout
    proc = _run_entry(tmp_path, first)
    assert proc.returncode == 0, proc.stdout


def test_the_hook_gives_the_same_verdict_whatever_the_cache_holds(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A hook read the cache offline: on a fresh clone (empty cache) the seed's .bib
    passed, and after one `citetrack check` filled the cache the same unchanged file failed
    every commit on two registry warnings (missing PMIDs the check itself exits 0 on).  The
    hook runs the checks that need neither network nor cache: one verdict everywhere."""
    bib = (REPO / "references.bib").read_text(encoding="utf-8")
    empty = _run_entry(tmp_path, bib)
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    filled = run_cli("check", "refs.bib", "--no-lockfile", "-f", "json", env=env, cwd=tmp_path)
    rules = {f["rule"] for r in filled.json()["references"] for f in r["findings"]}
    assert "missing-identifier" in rules, filled.stdout  # the cache now holds warnings
    warm = _run_entry(tmp_path, bib)
    assert (empty.returncode, warm.returncode) == (0, 0), warm.stdout
    assert warm.stdout == empty.stdout
