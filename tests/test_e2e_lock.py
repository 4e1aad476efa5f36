"""End-to-end: lockfile tracking with the real CLI against the emulator.

Lock, change the emulator's records (a title fix, a new retraction, a URL that starts to
404, a removed archive), check again: exactly those ``changed`` findings.  A run with no
upstream change reports nothing new and leaves the lockfile byte-identical.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, by_key, run_cli

FAST = ("--per-host-interval", "0", "--timeout", "2", "--allow-private-urls")


@pytest.fixture
def project(emulator: Emulator, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A .bib with the seed's references plus one web page with a cited Wayback copy."""
    page = emulator.page_url("/article/nme-review")
    emulator.patch_world(
        {
            "wayback": {
                page: [
                    {"timestamp": "20210829120000", "statuscode": "200", "mimetype": "text/html"}
                ]
            }
        }
    )
    web = (
        "\n@online{nme2021review,\n"
        "  title = {The glucagonoma syndrome and necrolytic migratory erythema},\n"
        f"  url = {{{page}}},\n"
        f"  archiveurl = {{https://web.archive.org/web/20210829120000/{page}}},\n"
        "  urldate = {2021-06-01},\n}\n"
    )
    bib = tmp_path / "refs.bib"
    bib.write_text(SEED_BIB.read_text(encoding="utf-8") + web, encoding="utf-8")
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    return bib, env


def changed(report: dict[str, object]) -> set[tuple[str, str, str | None]]:
    return {
        (ref["key"], f["rule"], f["field"])
        for ref in report["references"]  # type: ignore[attr-defined]
        for f in ref["findings"]
        if f["severity"] == "changed"
    }


def test_lock_then_upstream_changes_are_reported_exactly(
    project: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    bib, env = project
    lock = bib.parent / "citetrack.lock"
    # --no-cache: every run must see the emulator's current records.
    first = run_cli("lock", str(bib), "--no-cache", *FAST, env=env)
    assert first.code == 0, first.stderr
    assert lock.exists()
    data = json.loads(lock.read_text())
    assert data["schema_version"] == 1
    assert "thiers2009cutaneous" in data["references"]

    # A run with no upstream change: nothing changed, lockfile untouched byte for byte.
    before = lock.read_bytes()
    same = run_cli("check", str(bib), "--no-cache", "--update-lock", "-f", "json", *FAST, env=env)
    assert same.code == 0, same.stderr
    assert changed(same.json()) == set()
    assert lock.read_bytes() == before

    # Upstream changes.
    emulator.patch_world(
        {
            "crossref_works": {
                "10.3322/caac.20005": {
                    "title": ["Cutaneous manifestations of internal malignancy: an update"]
                },
                "10.1016/j.amjmed.2013.01.012": {
                    "updated-by": [
                        {
                            "DOI": "10.5555/ct.compton-retraction",
                            "type": "retraction",
                            "label": "Retraction",
                            "source": "publisher",
                            "updated": {"date-parts": [[2026, 11, 1]]},
                        }
                    ]
                },
            },
            "pages": {"/article/nme-review": {"status": 404, "title": "404 Not Found"}},
            "wayback": {emulator.page_url("/article/nme-review"): None},
        }
    )
    run = run_cli(
        "check",
        str(bib),
        "--no-cache",
        "-f",
        "json",
        "--confirm-failures",
        "1",
        "--confirm-days",
        "1",
        *FAST,
        env=env,
    )
    report = run.json()
    assert changed(report) == {
        ("thiers2009cutaneous", "metadata-changed", "title"),
        ("compton2013rare", "retraction-new", None),
        ("nme2021review", "url-died", "url"),
        ("nme2021review", "archive-vanished", "archiveurl"),
    }, changed(report)
    refs = by_key(report)
    title = next(
        f for f in refs["thiers2009cutaneous"]["findings"] if f["rule"] == "metadata-changed"
    )
    assert title["actual"] == "Cutaneous manifestations of internal malignancy"
    assert title["expected"] == "Cutaneous manifestations of internal malignancy: an update"
    assert run.code == 1  # the retraction is broken


def test_one_bad_night_is_not_an_alarm(
    project: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    bib, env = project
    assert run_cli("lock", str(bib), "--no-cache", *FAST, env=env).code == 0
    # The page dies and its archived copy with it (a working cited archive would make a
    # dead URL a mere note).
    emulator.patch_world(
        {
            "pages": {"/article/nme-review": {"status": 404}},
            "wayback": {emulator.page_url("/article/nme-review"): None},
        }
    )
    run = run_cli("check", str(bib), "--no-cache", "-f", "json", *FAST, env=env)
    dead = [f for f in by_key(run.json())["nme2021review"]["findings"] if f["rule"] == "url-dead"]
    assert dead and dead[0]["severity"] == "warning"
    assert "not yet confirmed" in dead[0]["message"]
    assert run.code == 0


def test_new_only_reports_only_what_the_lockfile_does_not_know(
    project: tuple[Path, dict[str, str]], emulator: Emulator, tmp_path: Path
) -> None:
    bib, env = project
    planted = bib.read_text(encoding="utf-8").replace(
        "pages   = {387--389}", "pages   = {387--399}"
    )
    bib.write_text(planted, encoding="utf-8")
    assert run_cli("lock", str(bib), "--no-cache", *FAST, env=env).code == 0
    # The known pages mismatch is accepted; a new wrong year is not.
    bib.write_text(planted.replace("year    = {2008}", "year    = {2007}"), encoding="utf-8")
    run = run_cli("check", str(bib), "--no-cache", "--new-only", "-f", "json", *FAST, env=env)
    findings = [
        (r["key"], f["rule"], f["field"])
        for r in run.json()["references"]
        for f in r["findings"]
        if f["severity"] != "note"
    ]
    assert ("mignogna2008small", "metadata-mismatch", "year") in findings
    assert ("compton2013rare", "metadata-mismatch", "pages") not in findings


def test_corrupt_lockfile_is_a_clear_error_and_is_not_overwritten(
    project: tuple[Path, dict[str, str]],
) -> None:
    bib, env = project
    lock = bib.parent / "citetrack.lock"
    lock.write_text('{"schema_version": 1, "references": {', encoding="utf-8")
    run = run_cli("check", str(bib), "--update-lock", "--no-links", env=env)
    assert run.code == 2
    assert "citetrack.lock" in run.stderr and "citetrack lock" in run.stderr
    assert "Traceback" not in run.stderr
    assert lock.read_text(encoding="utf-8") == '{"schema_version": 1, "references": {'
    lock.write_text('{"schema_version": 99, "references": {}}', encoding="utf-8")
    run = run_cli("check", str(bib), "--no-links", env=env)
    assert run.code == 2 and "newer" in run.stderr


BROKEN_BLOCK = "\n@article{broken2001,\n  title = {Never closed,\n  year = 2001\n"


def defects(report: dict[str, object]) -> list[tuple[str, str]]:
    """(key, rule) of the findings about the input file itself, and reference-added/removed."""
    return [
        (ref["key"], f["rule"])
        for ref in report["references"]  # type: ignore[attr-defined]
        for f in ref["findings"]
        if f["rule"].startswith("bib-") or f["rule"].startswith("reference-")
    ]


def test_new_only_does_not_show_the_files_old_defects_on_every_pull_request(
    project: tuple[Path, dict[str, str]],
) -> None:
    """A PR gate (`check --new-only --fail-on warning`) over a .bib that already had defects
    when it was locked: they are not shown again, even when lines are added above them, and
    the gate fails only for a defect the pull request adds."""
    bib, env = project
    base = bib.read_text(encoding="utf-8").replace(
        "pages   = {387--389},", "pages   = {387--389},\n  note    = {one},\n  note    = {two},"
    )
    bib.write_text(base + BROKEN_BLOCK, encoding="utf-8")
    locked = run_cli("lock", str(bib), "--no-cache", *FAST, env=env)
    assert locked.code == 0 and "accepted 2 defects of the input files" in locked.stderr
    gate = ("check", str(bib), "--no-cache", "--new-only", "--fail-on", "warning", "-f", "json")
    # The pull request adds lines above both defects (their line numbers move).
    shifted = "@comment{A pull request's preamble,\n  three lines long.}\n\n" + base
    bib.write_text(shifted + BROKEN_BLOCK, encoding="utf-8")
    run = run_cli(*gate, *FAST, env=env)
    assert defects(run.json()) == [] and run.code == 0, run.stdout
    # Without --new-only they are still reported, at their new lines.
    full = run_cli("check", str(bib), "--no-cache", "-f", "json", *FAST, env=env).json()
    lines = {(r["key"], f["rule"]): f["line"] for r in full["references"] for f in r["findings"]}
    assert lines[("compton2013rare", "bib-duplicate-field")] > 3
    assert ("broken2001", "bib-syntax") in lines
    # A defect the pull request adds fails the gate, and only it is shown.
    added = shifted.replace("year    = {2008}", "year    = {2008},\n  year    = {2009}", 1)
    bib.write_text(added + BROKEN_BLOCK, encoding="utf-8")
    run = run_cli(*gate, *FAST, env=env)
    assert defects(run.json()) == [("mignogna2008small", "bib-duplicate-field")]
    assert run.code == 1


def test_an_entry_that_stops_parsing_is_not_reported_removed_nor_added_back(
    project: tuple[Path, dict[str, str]],
) -> None:
    bib, env = project
    good = bib.read_text(encoding="utf-8")
    assert run_cli("lock", str(bib), "--no-cache", *FAST, env=env).code == 0
    lock = bib.parent / "citetrack.lock"
    # A stray brace breaks one entry: it is unreadable, not removed from the file.
    bib.write_text(
        good.replace("Revealing Sign: Necrolytic Migratory Erythema},", "Revealing Sign,")
    )
    run = run_cli("check", str(bib), "--no-cache", "-f", "json", "--update-lock", *FAST, env=env)
    assert defects(run.json()) == [("compton2013rare", "bib-syntax")]
    assert '"compton2013rare"' in lock.read_text(encoding="utf-8")  # its history is kept
    # Mended: it is the same reference as before, not a new one.
    bib.write_text(good, encoding="utf-8")
    run = run_cli("check", str(bib), "--no-cache", "-f", "json", *FAST, env=env)
    assert defects(run.json()) == []


def test_two_bib_files_sharing_keys_next_to_one_lockfile_stay_quiet(
    project: tuple[Path, dict[str, str]],
) -> None:
    """A thesis's chapters cite the same works under the same keys: each file's entry is
    its own, so nothing is 'new since the lockfile' on every run, in either order."""
    bib, env = project
    blocks = bib.read_text(encoding="utf-8").split("\n@")
    first, second = bib.parent / "ch1.bib", bib.parent / "ch2.bib"
    first.write_text("\n@".join(blocks[:5]), encoding="utf-8")
    second.write_text("@" + "\n@".join(blocks[3:]), encoding="utf-8")  # two keys shared
    assert run_cli("lock", str(first), str(second), "--no-cache", *FAST, env=env).code == 0
    for files in ((first, second), (second, first), (second,)):
        run = run_cli("check", *map(str, files), "--no-cache", "-f", "json", *FAST, env=env)
        assert changed(run.json()) == set() and defects(run.json()) == [], files


def test_one_lockfile_for_refs_bib_files_in_several_directories(
    project: tuple[Path, dict[str, str]],
) -> None:
    """`--lockfile` at the top of a repository whose chapters each have a refs.bib: a run
    over one chapter reports nothing of the others as removed."""
    bib, env = project
    blocks = bib.read_text(encoding="utf-8").split("\n@")
    top = bib.parent
    for name, text in (("ch1", "\n@".join(blocks[:5])), ("ch2", "@" + "\n@".join(blocks[3:]))):
        (top / name).mkdir()
        (top / name / "refs.bib").write_text(text, encoding="utf-8")
    lock = ("--lockfile", str(top / "shared.lock"), "--no-cache", *FAST)
    assert run_cli("lock", "ch1/refs.bib", "ch2/refs.bib", *lock, env=env, cwd=top).code == 0
    for files in (("ch2/refs.bib",), ("ch1/refs.bib", "ch2/refs.bib")):
        run = run_cli("check", *files, "-f", "json", *lock, env=env, cwd=top)
        assert changed(run.json()) == set() and defects(run.json()) == [], files


def test_a_removed_reference_is_not_counted_as_a_reference_of_the_file(
    project: tuple[Path, dict[str, str]],
) -> None:
    """An entry deleted since the lockfile is reported (`reference-removed`, changed), but
    the summary's number of references is the file's: a report saying "12 references" of
    a file with 11 is a small lie a maintainer would spot first."""
    bib, env = project
    assert run_cli("lock", str(bib), "--no-cache", *FAST, env=env).code == 0
    blocks = bib.read_text(encoding="utf-8").split("\n@")
    kept = [b for b in blocks if not b.startswith("article{mignogna2008small,")]
    assert len(kept) == len(blocks) - 1
    bib.write_text("\n@".join(kept), encoding="utf-8")
    args = ("check", str(bib), "--no-cache", "--no-links", *FAST)
    report = run_cli(*args, "-f", "json", env=env).json()
    present = len(report["references"]) - 1
    assert ("mignogna2008small", "reference-removed") in defects(report)
    summary = report["summary"]
    assert (summary["total"], summary["removed"], summary["changed"]) == (present, 1, 1)
    text = run_cli(*args, env=env).stdout
    assert f"{present} references: " in text and "; 1 removed since the lockfile" in text
    assert "1 changed" not in text  # the status counts add up to the total
    markdown = run_cli(*args, "-f", "markdown", env=env).stdout
    assert f"## citetrack: {present} references checked" in markdown
    assert "| changed | 0 |" in markdown and "| removed since the lockfile | 1 |" in markdown
    # No line is left to point at: `path: …`, never `path:0:` (problem matchers and
    # editors took that for a line of the file).
    lines = run_cli(*args, "-f", "lines", env=env).stdout.splitlines()
    removed = [x for x in lines if "reference-removed" in x]
    assert removed == [
        f"{bib}: changed reference-removed: reference mignogna2008small was removed from "
        f"{bib.name} since the lockfile [mignogna2008small]"
    ], removed
    relock = run_cli("lock", str(bib), "--no-cache", "--no-links", *FAST, env=env)
    assert f"accepted {present} references: " in relock.stderr
    assert "; 1 removed since the last lockfile" in relock.stderr


def test_lock_of_a_file_without_entries_says_so(tmp_path: Path) -> None:
    """``lock`` of a .bib with no entry yet (SYNTHETIC: a comment header only) said
    "accepted 0 references: ; 0 confirmed by a source"."""
    bib = tmp_path / "refs.bib"
    bib.write_text("% SYNTHETIC: references for chapter 2, none yet\n", encoding="utf-8")
    run = run_cli("lock", str(bib), "--offline", "--no-cache")
    assert run.code == 0, run.stderr
    assert "citetrack: accepted 0 references: nothing to check\n" in run.stderr
