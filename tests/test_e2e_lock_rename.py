"""End-to-end: a .bib key renamed after the lockfile was written keeps its history.

The real CLI against the emulator, as a pull request gate (`check --new-only --fail-on
warning`) and a nightly job (`check --update-lock`) run it.  Before: a renamed key was a
``reference-removed`` (a *changed* finding: the gate failed for an edit that changed no
citation), its accepted findings came back as new, and an upstream change made before the
rename was never reported.
"""

from __future__ import annotations

import json
from pathlib import Path

from citetrack_emulator import Emulator
from tests.e2e import run_cli
from tests.test_e2e_lock import FAST, defects, project

__all__ = ["project"]  # the fixture, shared with test_e2e_lock

GATE = ("check", "--no-cache", "--new-only", "--fail-on", "warning", "-f", "json", *FAST)


def _correct_the_title_upstream(emulator: Emulator) -> None:
    emulator.patch_world(
        {
            "crossref_works": {
                "10.3322/caac.20005": {
                    "title": ["Cutaneous manifestations of internal malignancy: an update"]
                }
            }
        }
    )


def _rules(report: dict[str, object], key: str) -> list[str]:
    return [
        f["rule"]
        for ref in report["references"]  # type: ignore[attr-defined]
        if ref["key"] == key
        for f in ref["findings"]
    ]


def test_a_pull_request_renaming_a_key_passes_the_gate_and_keeps_the_history(
    project: tuple[Path, dict[str, str]],
) -> None:
    bib, env = project
    # The entry has a defect of its own (a field given twice) when it is locked.
    text = bib.read_text(encoding="utf-8").replace(
        "pmid    = {19258446},", "pmid    = {19258446},\n  note    = {a},\n  note    = {b},"
    )
    bib.write_text(text, encoding="utf-8")
    assert run_cli("lock", str(bib), "--no-cache", *FAST, env=env).code == 0
    lock = bib.parent / "citetrack.lock"
    bib.write_text(text.replace("{thiers2009cutaneous,", "{Thiers2009,"), encoding="utf-8")

    gate = run_cli(*GATE, str(bib), env=env)
    report = gate.json()
    # Not removed, not added, its defect not new: only the note.
    assert defects(report) == [("Thiers2009", "reference-renamed")], gate.stdout
    assert _rules(report, "Thiers2009") == ["reference-renamed"]
    assert gate.code == 0, gate.stdout

    # The nightly job writes the entry under its new key, and nothing under the old one.
    update = run_cli("check", str(bib), "--no-cache", "--update-lock", *FAST, env=env)
    assert update.code == 0, update.stdout + update.stderr
    references = json.loads(lock.read_text(encoding="utf-8"))["references"]
    assert "Thiers2009" in references and "thiers2009cutaneous" not in references
    assert references["Thiers2009"]["identifiers"]["doi"] == "10.3322/caac.20005"
    after = run_cli(*GATE, str(bib), env=env)
    assert defects(after.json()) == [] and after.code == 0


def test_an_upstream_change_made_before_the_rename_is_still_reported(
    project: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    bib, env = project
    assert run_cli("lock", str(bib), "--no-cache", *FAST, env=env).code == 0
    _correct_the_title_upstream(emulator)
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text.replace("{thiers2009cutaneous,", "{Thiers2009,"), encoding="utf-8")
    run = run_cli(*GATE, str(bib), env=env)
    assert "metadata-changed" in _rules(run.json(), "Thiers2009"), run.stdout
    assert run.code == 1


def test_a_renamed_key_whose_doi_changed_too_is_judged_as_new(
    project: tuple[Path, dict[str, str]],
) -> None:
    """A fabricated DOI slipped in with a rename gets its verdict at once, as any new
    reference's: the rename is not followed when an identifier both give differs."""
    bib, env = project
    assert run_cli("lock", str(bib), "--no-cache", *FAST, env=env).code == 0
    text = bib.read_text(encoding="utf-8")
    forged = text.replace("{thiers2009cutaneous,", "{Thiers2009,").replace(
        "doi     = {10.3322/caac.20005}", "doi     = {10.3322/caac.99999}"
    )
    bib.write_text(forged, encoding="utf-8")
    run = run_cli(*GATE, str(bib), env=env)
    report = run.json()
    assert ("Thiers2009", "reference-added") in defects(report)
    assert ("thiers2009cutaneous", "reference-removed") in defects(report)
    assert "doi-not-found" in _rules(report, "Thiers2009"), run.stdout
    assert run.code == 1


def test_one_entry_copied_under_two_new_keys_is_no_rename(
    project: tuple[Path, dict[str, str]],
) -> None:
    bib, env = project
    assert run_cli("lock", str(bib), "--no-cache", *FAST, env=env).code == 0
    text = bib.read_text(encoding="utf-8")
    start = text.index("@article{thiers2009cutaneous,")
    end = text.index("\n}\n", start) + 3
    block = text[start:end]
    twice = (
        block.replace("thiers2009cutaneous", "ThiersA")
        + "\n"
        + block.replace("thiers2009cutaneous", "ThiersB")
    )
    bib.write_text(text[:start] + twice + text[end:], encoding="utf-8")
    run = run_cli("check", str(bib), "--no-cache", "-f", "json", *FAST, env=env)
    found = defects(run.json())
    assert ("ThiersA", "reference-added") in found and ("ThiersB", "reference-added") in found
    assert ("thiers2009cutaneous", "reference-removed") in found
    assert not any(rule == "reference-renamed" for _, rule in found)


def test_a_renamed_bib_file_keeps_its_history(
    project: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    """`git mv refs.bib references.bib` beside the same lockfile, a title corrected upstream
    meanwhile: the correction is reported, nothing is new, and the lockfile forgets the
    old name once the job accepts the run."""
    bib, env = project
    assert run_cli("lock", str(bib), "--no-cache", *FAST, env=env).code == 0
    _correct_the_title_upstream(emulator)
    renamed = bib.rename(bib.parent / "references.bib")
    run = run_cli(*GATE, str(renamed), env=env)
    report = run.json()
    assert defects(report) == [], run.stdout
    assert "metadata-changed" in _rules(report, "thiers2009cutaneous")
    assert any("references.bib: tracked as refs.bib in the lockfile" in n for n in report["notes"])
    update = run_cli("check", str(renamed), "--no-cache", "--update-lock", *FAST, env=env)
    assert update.code == 0, update.stdout
    entries = json.loads((bib.parent / "citetrack.lock").read_text(encoding="utf-8"))
    assert {e["file"] for e in entries["references"].values()} == {"references.bib"}


def test_another_bib_checked_alone_against_a_lockfile_elsewhere_is_no_rename(
    project: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """A nightly job keeps its lockfile in its cache folder and checks two chapters that
    cite mostly the same works, one per step: the second is not the first renamed."""
    bib, env = project
    lock = tmp_path / "state" / "nightly.lock"
    lock.parent.mkdir()
    other = bib.with_name("chapter2.bib")
    other.write_text(bib.read_text(encoding="utf-8"), encoding="utf-8")
    common = ("--no-cache", "--lockfile", str(lock), "-f", "json", *FAST)
    assert run_cli("check", str(bib), "--update-lock", *common, env=env).code == 0
    run = run_cli("check", str(other), "--update-lock", *common, env=env)
    assert not any("tracked as" in n for n in run.json()["notes"]), run.json()["notes"]
    files = {e["file"] for e in json.loads(lock.read_text(encoding="utf-8"))["references"].values()}
    assert files == {"../refs.bib", "../chapter2.bib"}
