"""Helpers for end-to-end tests: run the real ``citetrack`` CLI in a subprocess.

The subprocess gets the emulator's base URLs, a private cache directory and no mailto
from the developer's environment, so a test can never reach a real host or share state.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.gen_bib import make_bib, make_references, make_world
from citetrack_emulator import Emulator

REPO = Path(__file__).resolve().parent.parent
SEED_BIB = REPO / "references.bib"


def served_wikitext(emulator: Emulator, title: str) -> str:
    """The current wikitext of the page ``title``, asked of the emulator's MediaWiki API
    directly (what ``citetrack`` reads when given the page's URL)."""
    params = {
        "action": "query",
        "prop": "revisions",
        "rvprop": "content",
        "rvslots": "main",
        "formatversion": "2",
        "format": "json",
        "titles": title,
    }
    doc = httpx.get(f"{emulator.url}/mediawiki/w/api.php", params=params).json()
    return str(doc["query"]["pages"][0]["revisions"][0]["slots"]["main"]["content"])


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> Run:
    """``python -m citetrack ARGS`` with a clean environment plus ``env``."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CITETRACK_", "NCBI_")) and k not in ("NO_COLOR",)
    }
    # This checkout's citetrack, whatever the working directory: with ``cwd`` elsewhere,
    # ``-m citetrack`` found whichever citetrack the environment had installed.
    inherited = base.get("PYTHONPATH")
    base["PYTHONPATH"] = os.pathsep.join(filter(None, (str(REPO), inherited)))
    base.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "citetrack", *args],
        capture_output=True,
        text=True,
        env=base,
        cwd=cwd,
        input=stdin,
        timeout=timeout,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def by_key(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The JSON report's references keyed by citation key."""
    return {r["key"]: r for r in report["references"]}


def crossref_article(
    doi: str,
    title: str,
    authors: list[tuple[str, str]],
    journal: str,
    year: int,
    volume: str,
    page: str,
    issue: str | None = None,
) -> dict[str, Any]:
    """A Crossref ``message`` for one SYNTHETIC journal article (``authors`` as
    ``(given, family)`` pairs), for a test's emulator world (``crossref_works``)."""
    work: dict[str, Any] = {
        "DOI": doi,
        "type": "journal-article",
        "title": [title],
        "author": [
            {"given": g, "family": f, "sequence": "first" if i == 0 else "additional"}
            for i, (g, f) in enumerate(authors)
        ],
        "container-title": [journal],
        "issued": {"date-parts": [[year]]},
        "volume": volume,
        "page": page,
        "URL": f"https://doi.org/{doi}",
        "_synthetic": True,
    }
    if issue is not None:
        work["issue"] = issue
    return work


def pasted_list_round_trip(
    emulator: Emulator, pasted: Path, text: str, works: dict[str, Any]
) -> Run:
    """What a journal editor does with a pasted list: ``parse`` the ``text`` (written to
    ``pasted``) to a .bib beside it, ``check`` the .bib against the emulator, whose world
    is given ``works``, and ``export`` it.

    A right reading of a list of existing works raises nothing: the check finds every
    DOI of ``works`` and no finding, and the export changes nothing.  Returns the parse
    run, for the caller's assertions about what was read and what was said."""
    emulator.patch_world({"crossref_works": works})
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(pasted.with_name("cache"))}
    pasted.write_text(text, encoding="utf-8")
    bib = pasted.with_name("refs.bib")
    parsed = run_cli("parse", str(pasted), "-o", str(bib), env=env)
    assert parsed.code == 0, parsed.stderr

    checked = run_cli("check", str(bib), "--no-lockfile", "--no-links", "--format", "json", env=env)
    refs = by_key(checked.json())
    assert sorted(r["identifiers"]["doi"] for r in refs.values()) == sorted(works)
    findings = {(key, f["rule"], f.get("field")) for key, r in refs.items() for f in r["findings"]}
    assert findings == set(), findings
    assert checked.code == 0, checked.stderr

    exported = run_cli("export", str(bib), "--dry-run", env=env)
    assert exported.code == 0, exported.stderr
    assert "citetrack: 0 changes" in exported.stderr
    return parsed


def rules(reference: dict[str, Any]) -> set[str]:
    return {f["rule"] for f in reference["findings"]}


def imported(run: Run) -> set[str]:
    """The modules a run imported, read from Python's ``-X importtime`` lines on its stderr
    (``PYTHONPROFILEIMPORTTIME=1`` in its environment)."""
    names = set()
    for line in run.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                names.add(name)
    return names


#: The address the import-profiled runs give the registries' polite pools.
PROFILED_MAILTO = "bench@example.org"


@contextlib.contextmanager
def import_profiled(
    tmp_path: Path, count: int = 60
) -> Iterator[tuple[Path, Emulator, Callable[..., Run]]]:
    """A SYNTHETIC .bib of ``count`` references (``bench/gen_bib.py``), an emulator that
    holds their records, and a CLI runner against it (its own cache, in ``tmp_path``)
    whose runs report the modules they import (read them with :func:`imported`)."""
    refs = make_references(count, seed=7, url_share=0.0, page_hosts=0)
    bib = tmp_path / "refs.bib"
    bib.write_text(make_bib(refs, []), encoding="utf-8")
    with Emulator(make_world(refs)) as emu:
        env = {
            **emu.env(),
            "CITETRACK_CACHE_DIR": str(tmp_path / "cache"),
            "PYTHONPROFILEIMPORTTIME": "1",
        }

        def cli(*args: str) -> Run:
            return run_cli(*args, env=env, cwd=tmp_path)

        yield bib, emu, cli


@contextlib.contextmanager
def tmpfs(where: Path, size: int | str) -> Iterator[Path]:
    """A tmpfs of ``size`` (bytes, or ``"512k"``) mounted at a fresh ``where/disk``,
    unmounted afterwards: a small disk to fill.  Mounting needs root (as in CI here): the
    test is skipped where it cannot be done."""
    mount = where / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
