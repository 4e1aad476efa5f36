"""End-to-end: a documentation repository's scheduled CI job and pull-request gate, as
the README's example workflow runs them (``--format github``, ``-o json=…``,
``-o markdown=…``, the exit code), through the real CLI.

What a CI user must never meet: a run that ended, or a reference that was not checked,
and said so only on standard error, which nobody reads in a green or red job; a JSON
report a script reads as "0 broken" when nothing was checked.  The .bib files and
lockfiles are SYNTHETIC.
"""

from __future__ import annotations

import json
from pathlib import Path

from citetrack_emulator import Emulator
from tests.e2e import run_cli

OFFLINE = ("--offline", "--no-cache", "--no-links")
ENTRY = "@article{{{key},\n  title = {{A synthetic study}},\n  doi = {{not-a-doi-{key}}},\n}}\n"


def docs_repository(root: Path) -> None:
    """Two folders of .bib files, one lockfile per folder (SYNTHETIC)."""
    for folder in ("a", "b"):
        (root / "docs" / folder).mkdir(parents=True)
        (root / "docs" / folder / "refs.bib").write_text(
            ENTRY.format(key=f"{folder}2020"), encoding="utf-8"
        )


def test_a_corrupt_lockfile_of_one_folder_is_an_annotation_and_an_error_in_the_reports(
    tmp_path: Path,
) -> None:
    docs_repository(tmp_path)
    corrupt = tmp_path / "docs" / "b" / "citetrack.lock"
    corrupt.write_text('{"broken', encoding="utf-8")
    run = run_cli(
        "check",
        "docs",
        *OFFLINE,
        "--update-lock",
        "-f",
        "github",
        "-o",
        "json=report.json",
        "-o",
        "markdown=summary.md",
        cwd=tmp_path,
    )
    assert run.code == 2, run.stdout + run.stderr
    assert "docs/b/citetrack.lock: not valid JSON" in run.stderr  # as before
    # The job's annotations: on the lockfile itself, which the job log alone did not say.
    errors = [line for line in run.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1, run.stdout
    assert errors[0].startswith("::error file=docs/b/citetrack.lock,"), errors
    assert "not valid JSON" in errors[0] and "citetrack lock" in errors[0]
    # The JSON a script reads says the run failed, and has no summary to read as 0 broken.
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert doc["error"]["path"] == "docs/b/citetrack.lock"
    assert doc["error"]["exit_code"] == 2
    assert "not valid JSON" in doc["error"]["message"]
    assert "summary" not in doc and "references" not in doc
    # The step summary says it too.
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "docs/b/citetrack.lock" in summary and "not valid JSON" in summary
    assert corrupt.read_text(encoding="utf-8") == '{"broken'  # never overwritten

    stdout_json = run_cli("check", "docs", *OFFLINE, "-f", "json", cwd=tmp_path)
    assert stdout_json.code == 2
    assert stdout_json.json()["error"]["path"] == "docs/b/citetrack.lock"


def test_an_unreadable_bib_is_an_annotation_on_that_file(tmp_path: Path) -> None:
    docs_repository(tmp_path)
    (tmp_path / "docs" / "b" / "refs.bib").write_bytes(b"\x00\x01binary\xff" * 10)
    run = run_cli("check", "docs", *OFFLINE, "-f", "github", cwd=tmp_path)
    assert run.code == 2, run.stdout + run.stderr
    assert run.stdout.startswith("::error file=docs/b/refs.bib,"), run.stdout


def test_a_corrupt_lockfile_stops_the_run_before_any_lockfile_is_written(tmp_path: Path) -> None:
    """The nightly job commits the lockfiles that changed: a run that failed (exit 2) and
    reported nothing must not have accepted one folder's findings into its lockfile."""
    docs_repository(tmp_path)
    (tmp_path / "docs" / "b" / "citetrack.lock").write_text('{"broken', encoding="utf-8")
    run = run_cli("check", "docs", *OFFLINE, "--update-lock", cwd=tmp_path)
    assert run.code == 2, run.stdout + run.stderr
    assert "lockfile written" not in run.stderr
    assert not (tmp_path / "docs" / "a" / "citetrack.lock").exists()
    lock = run_cli("lock", "docs", *OFFLINE, cwd=tmp_path)
    assert lock.code == 2
    assert not (tmp_path / "docs" / "a" / "citetrack.lock").exists()


SEED_DOIS = {
    "a": (
        "thiers2009cutaneous",
        "Cutaneous manifestations of internal malignancy",
        "10.3322/caac.20005",
    ),
    "b": (
        "compton2013rare",
        "A Rare but Revealing Sign: Necrolytic Migratory Erythema",
        "10.1016/j.amjmed.2013.01.012",
    ),
}


def test_an_outage_names_the_references_it_left_unverified_in_every_format(
    emulator: Emulator, tmp_path: Path
) -> None:
    """Crossref down for the night: the one "could not check" line per cause must say
    which citations of which files (without -v, which a CI job does not pass)."""
    for folder, (key, title, doi) in SEED_DOIS.items():
        (tmp_path / "docs" / folder).mkdir(parents=True)
        (tmp_path / "docs" / folder / "refs.bib").write_text(
            f"@article{{{key},\n  title = {{{title}}},\n  doi = {{{doi}}},\n}}\n",
            encoding="utf-8",
        )
    emulator.add_fault("crossref", "status", code=503)
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    run = run_cli(
        "check",
        "docs",
        "--no-lockfile",
        "-f",
        "github",
        "-o",
        "json=report.json",
        env=env,
        cwd=tmp_path,
    )
    assert run.code == 3, run.stdout + run.stderr
    said = [line for line in run.stdout.splitlines() if "could not check" in line]
    assert len(said) == 1, run.stdout
    assert "docs/a/refs.bib: thiers2009cutaneous" in said[0]
    assert "docs/b/refs.bib: compton2013rare" in said[0]
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    (cause,) = doc["causes"]
    assert cause["references"] == 2
    assert {(e["path"], e["key"], e["line"]) for e in cause["entries"]} == {
        ("docs/a/refs.bib", "thiers2009cutaneous", 1),
        ("docs/b/refs.bib", "compton2013rare", 1),
    }
    text = run_cli("check", "docs", "--no-lockfile", env=env, cwd=tmp_path)
    assert text.code == 3
    assert "docs/a/refs.bib: thiers2009cutaneous" in " ".join(text.stdout.split())


FAST = ("--per-host-interval", "0", "--timeout", "2", "--allow-private-urls")


def test_a_dead_url_with_its_cited_copy_unverifiable_says_it_is_failing_not_confirmed(
    emulator: Emulator, tmp_path: Path
) -> None:
    """The page of a locked reference dies on the night the Wayback Machine is down.  Its
    cited archived copy cannot be verified, so the dead URL is a warning (the reader may
    still have the copy) — which said only "URL is dead (HTTP 404).": neither that the
    lockfile counts it as failing 1 of 3 runs, nor why it is not broken."""
    path = "/docs/spec"
    url = emulator.page_url(path)
    capture = {"timestamp": "20240101120000", "statuscode": "200", "mimetype": "text/html"}
    emulator.patch_world({"pages": {path: {"title": "Spec"}}, "wayback": {url: [capture]}})
    bib = tmp_path / "docs" / "refs.bib"
    bib.parent.mkdir()
    bib.write_text(
        f"@online{{spec,\n  title = {{Spec}},\n  url = {{{url}}},\n"
        f"  archiveurl = {{https://web.archive.org/web/20240101120000/{url}}},\n"
        "  urldate = {2024-06-01},\n}\n",
        encoding="utf-8",
    )
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    nightly = ("check", str(bib), "--update-lock", "-f", "json", *FAST)
    assert run_cli(*nightly, env=env).code == 0
    emulator.patch_world({"pages": {path: {"status": 404, "title": "Not found"}}})
    emulator.add_fault("wayback", "status", code=503)
    night = run_cli(*nightly, env=env)
    assert night.code == 3, night.stdout + night.stderr  # the copy could not be verified
    (dead,) = [
        f for r in night.json()["references"] for f in r["findings"] if f["rule"] == "url-dead"
    ]
    assert dead["severity"] == "warning"
    assert "failing 1 of 3 runs since" in dead["message"], dead["message"]
    assert "cited archived copy could not be verified" in dead["message"], dead["message"]


def test_a_suppressed_finding_is_said_in_the_annotations_and_the_step_summary(
    tmp_path: Path,
) -> None:
    """A pull request can add an entry with ``% citetrack: ignore …`` above it: the
    finding is suppressed and never fails the gate (as documented), but the annotations
    and the step summary, what the reviewer reads, said nothing at all ("No problems
    found."), while the text report counted it."""
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "% citetrack: ignore identifier-malformed\n" + ENTRY.format(key="hidden2026"),
        encoding="utf-8",
    )
    run = run_cli(
        "check",
        str(bib),
        *OFFLINE,
        "--no-lockfile",
        "-f",
        "github",
        "-o",
        "markdown=s.md",
        "-o",
        "json=r.json",
        cwd=tmp_path,
    )
    # An ignore never changes the exit code (3: offline, the search was not made).
    assert run.code == 3, run.stdout + run.stderr
    said = [line for line in run.stdout.splitlines() if "suppressed" in line]
    assert len(said) == 1, run.stdout
    assert said[0].startswith("::notice file=refs.bib,")
    assert "hidden2026 (identifier-malformed)" in said[0]
    summary = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert "suppressed" in summary and "hidden2026" in summary
    assert (
        json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["summary"]["suppressed"] == 1
    )
    lines = run_cli("check", str(bib), *OFFLINE, "--no-lockfile", "-f", "lines", cwd=tmp_path)
    assert "suppressed" in lines.stdout and "hidden2026" in lines.stdout


def test_a_merge_that_meets_a_corrupt_lockfile_says_so_in_its_reports_too(tmp_path: Path) -> None:
    """The matrix job's merge reads the lockfile the shards ran for: its error goes to the
    reports as the check's does (written in the same change as the check's; a guard)."""
    (tmp_path / "refs.bib").write_text(ENTRY.format(key="a2020"), encoding="utf-8")
    (tmp_path / "citetrack.lock").write_text('{"broken', encoding="utf-8")
    shard = run_cli("check", "refs.bib", *OFFLINE, "--shard", "1/1", "-f", "json", cwd=tmp_path)
    assert shard.code == 0, shard.stderr
    (tmp_path / "s1.json").write_text(shard.stdout, encoding="utf-8")
    merge = run_cli("merge", "s1.json", "-f", "github", "-o", "json=m.json", cwd=tmp_path)
    assert merge.code == 2
    assert merge.stdout.startswith("::error file=citetrack.lock,"), merge.stdout
    doc = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert doc["error"]["path"] == "citetrack.lock" and "summary" not in doc
