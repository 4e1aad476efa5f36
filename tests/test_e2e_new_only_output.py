"""End-to-end: what a pull request gate (`check --new-only`) prints besides its report.

Before: the report left out the defects the lockfile had accepted, but the loader had
already warned every one of them on stderr (a CI log full of old warnings on every pull
request), and nothing said that accepted findings were left out, so a reference with an
accepted mismatch read as plain "ok".
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e import run_cli
from tests.test_e2e_lock import BROKEN_BLOCK, FAST, project

__all__ = ["project"]  # the fixture, shared with test_e2e_lock

GATE = ("check", "--no-cache", "--new-only", "--fail-on", "warning", *FAST)


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("citetrack: warning:")]


def test_the_gate_warns_only_the_defects_it_reports(
    project: tuple[Path, dict[str, str]],
) -> None:
    bib, env = project
    base = bib.read_text(encoding="utf-8").replace(
        "pages   = {387--389},", "pages   = {387--389},\n  note    = {one},\n  note    = {two},"
    )
    bib.write_text(base + BROKEN_BLOCK, encoding="utf-8")
    locked = run_cli("lock", str(bib), "--no-cache", *FAST, env=env)
    assert len(_warnings(locked.stderr)) == 2  # lock warns what it accepts

    quiet = run_cli(*GATE, "-f", "json", str(bib), env=env)
    assert quiet.code == 0 and _warnings(quiet.stderr) == [], quiet.stderr
    notes = quiet.json()["notes"]
    assert any(n.startswith("--new-only: ") and "accepted not shown" in n for n in notes), notes

    added = base.replace("year    = {2008}", "year    = {2008},\n  year    = {2009}", 1)
    bib.write_text(added + BROKEN_BLOCK, encoding="utf-8")
    loud = run_cli(*GATE, str(bib), env=env)
    assert loud.code == 1
    (only,) = _warnings(loud.stderr)
    assert "entry mignogna2008small: field year is given 2 times" in only
    assert only.startswith(f"citetrack: warning: {bib}:")  # FILE:LINE as the loader says it
    full = run_cli("check", "--no-cache", *FAST, str(bib), env=env)
    assert len(_warnings(full.stderr)) == 3  # without --new-only: every defect, as before


def test_a_file_nothing_of_which_reads_still_says_why_under_new_only(
    project: tuple[Path, dict[str, str]],
) -> None:
    bib, env = project
    bib.write_text(BROKEN_BLOCK, encoding="utf-8")
    run = run_cli(*GATE, str(bib), env=env)
    assert run.code == 2
    assert "no reference could be read (every entry has a problem: see above)" in run.stderr
    assert any("broken2001 could not be parsed" in w for w in _warnings(run.stderr))


def test_a_reference_whose_findings_the_lockfile_accepted_is_accepted_not_unchecked(
    project: tuple[Path, dict[str, str]],
) -> None:
    """Two engineers' finding: under --new-only a reference whose every finding the lockfile
    had accepted (a missing PMID, a dead link) was counted "unchecked", which says nothing
    confirmed it — the step summary of a gate read "2 unchecked" for references it had
    checked.  It is "accepted"; without --new-only its findings and status are as before."""
    bib, env = project
    assert run_cli("lock", str(bib), "--no-cache", *FAST, env=env).code == 0
    full = run_cli("check", "--no-cache", *FAST, "-f", "json", str(bib), env=env).json()
    gate = run_cli(*GATE, "-f", "json", str(bib), env=env)
    assert gate.code == 0, gate.stdout
    report = gate.json()
    flagged = {r["key"] for r in full["references"] if r["status"] not in ("ok", "unchecked")}
    assert flagged, full["summary"]  # the seed has accepted findings to hide
    status = {r["key"]: r["status"] for r in report["references"]}
    assert {status[k] for k in flagged} == {"accepted"}, status
    summary = report["summary"]
    assert summary["accepted"] == len(flagged) and summary["unchecked"] == 0, summary
    text = run_cli(*GATE, str(bib), env=env)
    assert f"{len(flagged)} accepted" in " ".join(text.stdout.split())
