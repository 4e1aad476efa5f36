"""End-to-end: nothing skipped silently, nothing "ok" that was not checked (issue 12).

Through the real CLI, offline (these rules need no network).  The .bib files are SYNTHETIC.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e import by_key, run_cli

OFFLINE = ("--offline", "--no-cache", "--no-links", "--no-lockfile")
DUPLICATE = (
    "@article{smith2020,\n  title = {First},\n  year = {2020},\n}\n\n"
    "@article{smith2020,\n  title = {Second},\n  year = {2021},\n}\n\n"
    "@misc{jones2019,\n  title = {Uses a macro},\n  publisher = acm,\n}\n"
)


def test_a_skipped_duplicate_key_is_a_finding_in_every_format(tmp_path: Path) -> None:
    bib = tmp_path / "dup.bib"
    bib.write_text(DUPLICATE, encoding="utf-8")
    sarif = tmp_path / "out.sarif"
    run = run_cli("check", str(bib), *OFFLINE, "-f", "json", "-o", f"sarif={sarif}")
    assert run.code == 1, run.stderr  # the hook fails on them
    report = run.json()
    rules = {(r["key"], r["line"], f["rule"]) for r in report["references"] for f in r["findings"]}
    assert ("smith2020", 6, "bib-duplicate-key") in rules
    assert ("jones2019", 11, "bib-undefined-macro") in rules
    assert report["summary"]["broken"] == 2
    assert report["summary"]["total"] == 3  # the two read, plus the skipped duplicate
    results = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"bib-duplicate-key", "bib-undefined-macro"}
    text = run_cli("check", str(bib), *OFFLINE)
    assert "3 references: 2 broken" in text.stdout


def test_a_file_with_no_readable_reference_is_exit_2_with_a_hint(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text("1. Smith J. A study. J Synth. 2020;1:1-2.\n", encoding="utf-8")
    run = run_cli("check", str(article), "--from", "bib", *OFFLINE)
    assert run.code == 2
    assert "no reference could be read" in run.stderr and "citetrack parse" in run.stderr
    assert "--from text" in run.stderr
    assert "Traceback" not in run.stderr
    # Without --from, a .txt is an article (issue 14): its reference list is checked.
    run = run_cli("check", str(article), *OFFLINE, "-f", "json")
    assert run.code in (0, 3), run.stderr
    assert run.json()["articles"][0]["format"] == "text"
    assert run.json()["summary"]["total"] == 1

    unreadable = tmp_path / "one.bib"
    unreadable.write_text("@article{broken\n  title = {Never closed\n", encoding="utf-8")
    run = run_cli("check", str(unreadable), *OFFLINE)
    assert run.code == 2
    assert f"{unreadable}: no reference could be read" in run.stderr

    empty = tmp_path / "empty.bib"
    empty.write_text("\n", encoding="utf-8")
    assert run_cli("check", str(empty), *OFFLINE).code == 0  # nothing to read is fine


def test_a_reference_nothing_confirmed_is_unchecked_not_ok(tmp_path: Path) -> None:
    # Nothing to look up and nothing to search for (no identifier, URL or title): no
    # source can confirm it, so it is "unchecked", never "ok".
    bib = tmp_path / "plain.bib"
    bib.write_text(
        "@misc{knuth1984,\n  howpublished = {Personal communication},\n  year = {1984},\n}\n"
    )
    run = run_cli("check", str(bib), *OFFLINE, "-f", "json")
    assert run.code == 0
    assert by_key(run.json())["knuth1984"]["status"] == "unchecked"
    summary = run.json()["summary"]
    assert (summary["ok"], summary["unchecked"], summary["verified"]) == (0, 1, 0)
    text = run_cli("check", str(bib), *OFFLINE)
    assert "1 unchecked; 0 confirmed by a source" in text.stdout
    # A book with a title is searched for (issue 13); offline that search cannot run, so
    # it is "unverified" (exit 3), still never "ok".
    bib.write_text("@book{knuth1984,\n  title = {The TeXbook},\n  year = {1984},\n}\n")
    run = run_cli("check", str(bib), *OFFLINE, "-f", "json")
    assert run.code == 3
    assert by_key(run.json())["knuth1984"]["status"] == "unverified"


HOOK_BIB = (
    "@article{a2020,\n  title = {Malformed DOI},\n  doi = {not-a-doi},\n}\n\n"
    "@article{b2020,\n  title = {Malformed PMID},\n  pmid = {12ab},\n}\n"
)


def test_the_pre_commit_hook_fails_offline_on_what_needs_no_network(tmp_path: Path) -> None:
    hook = (Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    entry = next(line.split(":", 1)[1].split() for line in hook.splitlines() if "entry:" in line)
    env = {"CITETRACK_CACHE_DIR": str(tmp_path / "empty-cache")}
    bib = tmp_path / "staged.bib"
    for text, rule in ((HOOK_BIB, "identifier-malformed"), (DUPLICATE, "bib-duplicate-key")):
        bib.write_text(text, encoding="utf-8")
        run = run_cli(*entry[1:], str(bib), "-f", "json", env=env)
        assert run.code == 1, run.stdout
        assert rule in {f["rule"] for r in run.json()["references"] for f in r["findings"]}
