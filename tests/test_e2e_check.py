"""End-to-end: the real ``citetrack check`` CLI against the local emulator.

Every status, the planted faults of ``tests/data/planted.bib`` (SYNTHETIC), the exit codes,
the request counts, the warm cache and registry outages.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, by_key, rules, run_cli

PLANTED = Path(__file__).parent / "data" / "planted.bib"


@pytest.fixture
def env(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}


def test_seed_references_check_clean(env: dict[str, str], emulator: Emulator) -> None:
    run = run_cli("check", str(SEED_BIB), "--no-lockfile", "--format", "json", env=env)
    assert run.code == 0, run.stderr
    report = run.json()
    assert report["schema_version"] == 1
    assert report["summary"]["total"] == 10
    # The two references without identifiers are found by search (issue 13): each lacks
    # the PMID PubMed gives it (a warning, exit 0 at --fail-on broken); the two books are
    # confirmed by their ISBN: nothing is left unchecked (issue 12).
    assert report["summary"]["ok"] == 8
    assert report["summary"]["warning"] == 2
    assert report["summary"]["unchecked"] == 0
    refs = by_key(report)
    # Everything with a DOI or PMID was really looked up (evidence, not silence) …
    assert refs["thiers2009cutaneous"]["identifiers"]["doi"] == "10.3322/caac.20005"
    services = emulator.stats()["services"]
    assert services["crossref"]["requests"] >= 1
    assert services["eutils"]["requests"] >= 1
    # … and the references without any identifier are found by search, the books by ISBN.
    assert rules(refs["foss2021necrolytic"]) == {"missing-identifier", "url-missing"}
    assert rules(refs["odom2006andrews"]) == {"isbn-confirmed"}


def test_planted_faults_are_reported_exactly(env: dict[str, str]) -> None:
    run = run_cli("check", str(PLANTED), "--no-lockfile", "--format", "json", env=env)
    assert run.code == 1, run.stderr  # something is broken
    refs = by_key(run.json())
    assert refs["thiers2009cutaneous"]["status"] == "broken"
    # Thiers carries Pujol's PMID: the conflict names the PMID that belongs to Thiers' DOI,
    # and the duplicate it causes is reported on Thiers, not on the innocent Pujol.
    assert rules(refs["thiers2009cutaneous"]) == {"pmid-doi-conflict", "duplicate-reference"}
    conflict = next(
        f for f in refs["thiers2009cutaneous"]["findings"] if f["rule"] == "pmid-doi-conflict"
    )
    assert (conflict["field"], conflict["suggestion"]) == ("pmid", "19258446")
    assert "duplicate-reference" not in rules(refs["pujol2004necrolytic"])
    assert refs["pujol2004necrolytic"]["status"] == "warning"
    year = [f for f in refs["pujol2004necrolytic"]["findings"] if f["field"] == "year"]
    assert [(f["rule"], f["expected"], f["actual"]) for f in year] == [
        ("metadata-mismatch", "2004", "2003")
    ]
    assert refs["becker1942cutaneous"]["status"] == "broken"
    assert rules(refs["becker1942cutaneous"]) == {"doi-not-found"}
    pages = refs["compton2013rare"]["findings"]
    assert [(f["rule"], f["field"], f["suggestion"]) for f in pages] == [
        ("metadata-mismatch", "pages", "387--389")
    ]
    assert refs["quill2019zinc"]["status"] == "broken"
    assert "retracted" in rules(refs["quill2019zinc"])
    assert refs["mignogna2008small"]["status"] == "ok"
    assert rules(refs["mignogna2008small"]) == set()
    # A DataCite DOI is found through doi.org: not broken, only a note.
    assert refs["example2022skin"]["status"] == "ok"
    assert rules(refs["example2022skin"]) == {"doi-other-agency"}
    # Findings point at the entry's line in the .bib.
    assert refs["becker1942cutaneous"]["line"] == 33


def test_text_report_shows_evidence(env: dict[str, str]) -> None:
    run = run_cli("check", str(PLANTED), "--no-lockfile", "--no-color", env=env)
    assert run.code == 1
    assert "pmid-doi-conflict" in run.stdout
    assert "expected (crossref): 387--389" in run.stdout
    assert "\x1b[" not in run.stdout  # plain when piped
    assert "3 broken" in run.stdout


def test_request_count_is_logged_and_warm_cache_asks_nothing(
    env: dict[str, str], emulator: Emulator
) -> None:
    first = run_cli("check", str(SEED_BIB), "--no-lockfile", "-v", env=env)
    assert first.code == 0
    # Six DOIs in one Crossref filter request; five PMIDs in one esummary request, plus one
    # ESearch asking whether PubMed indexes the DOI that has no PMID (Becker 1942); for the
    # references without identifiers one ECitMatch, one title/author ESearch and the two
    # found PMIDs' esummaries; the two ISBNs: one Open Library request, and Google Books
    # for the one Open Library lacks.
    assert "HTTP requests: 1 crossref, 1 googlebooks, 1 openlibrary, 6 pubmed" in first.stderr
    before = emulator.stats()["requests"]
    second = run_cli("check", str(SEED_BIB), "--no-lockfile", "-v", env=env)
    assert second.code == 0
    assert "HTTP requests: none" in second.stderr
    assert emulator.stats()["requests"] == before


def test_offline_uses_only_the_cache(env: dict[str, str], emulator: Emulator) -> None:
    run = run_cli("check", str(SEED_BIB), "--no-lockfile", "--offline", "-f", "json", env=env)
    # Nothing cached yet: every registry reference is unverified, none broken; exit 3.
    assert run.code == 3
    report = run.json()
    assert report["summary"]["broken"] == 0
    # (the two books and the two references to search for included: nothing confirms them)
    assert report["summary"]["unverified"] == 10
    assert emulator.stats()["requests"] == 0


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("status", {"code": 503}),
        ("status", {"code": 429, "headers": {"Retry-After": "1"}}),
        ("invalid_json", {}),
        ("html_instead_of_json", {}),
        ("reset", {}),
    ],
)
def test_registry_failures_are_unverified_never_broken(
    env: dict[str, str], emulator: Emulator, kind: str, options: dict[str, object]
) -> None:
    for service in ("crossref", "eutils", "doi"):
        emulator.add_fault(service, kind, **options)
    run = run_cli("check", str(PLANTED), "--no-lockfile", "-f", "json", env=env)
    report = run.json()
    assert report["summary"]["broken"] == 0, json.dumps(report, indent=1)[:2000]
    assert run.code == 3
    refs = by_key(report)
    assert refs["becker1942cutaneous"]["status"] == "unverified"
    unverified = [f for f in refs["becker1942cutaneous"]["findings"] if f["rule"] == "unverified"]
    assert unverified and "Crossref" in unverified[0]["message"]


def test_transient_failures_are_retried_to_a_verdict(
    env: dict[str, str], emulator: Emulator
) -> None:
    emulator.add_fault("crossref", "status", code=503, times=2)
    emulator.add_fault("eutils", "status", code=429, times=1, headers={"Retry-After": "1"})
    run = run_cli("check", str(PLANTED), "--no-lockfile", "-f", "json", env=env)
    assert run.code == 1
    refs = by_key(run.json())
    assert rules(refs["becker1942cutaneous"]) == {"doi-not-found"}
    assert refs["quill2019zinc"]["status"] == "broken"


def test_hanging_registry_times_out_as_unverified(env: dict[str, str], emulator: Emulator) -> None:
    emulator.add_fault("crossref", "hang")
    run = run_cli(
        "check", str(SEED_BIB), "--no-lockfile", "--timeout", "0.5", "-f", "json", env=env
    )
    emulator.clear_faults()
    assert run.code == 3
    report = run.json()
    assert report["summary"]["broken"] == 0
    assert "timeout" in json.dumps(report).lower()


def test_fail_on_warning_and_exit_codes(env: dict[str, str], tmp_path: Path) -> None:
    bib = tmp_path / "one.bib"
    text = PLANTED.read_text(encoding="utf-8")
    start = text.index("@article{compton2013rare")
    bib.write_text(text[start : text.index("}\n", text.index("pmid", start)) + 2])
    assert run_cli("check", str(bib), "--no-lockfile", env=env).code == 0
    assert run_cli("check", str(bib), "--no-lockfile", "--fail-on", "warning", env=env).code == 1


def test_input_errors_exit_2_with_a_clear_message(env: dict[str, str], tmp_path: Path) -> None:
    missing = run_cli("check", str(tmp_path / "nope.bib"), env=env)
    assert missing.code == 2
    assert "nope.bib: no such file" in missing.stderr
    assert "Traceback" not in missing.stderr
    binary = tmp_path / "binary.bib"
    binary.write_bytes(b"@article{x,\n title={\x00\x01}}")
    run = run_cli("check", str(binary), env=env)
    assert run.code == 2
    assert "binary" in run.stderr and "Traceback" not in run.stderr
    gbk = tmp_path / "gbk.bib"  # a Latin-1 file is read (issue 12); GBK needs --encoding
    gbk.write_bytes("@article{x,\n  title = {\u4e2d\u6587},\n}\n".encode("gbk"))
    run = run_cli("check", str(gbk), env=env)
    assert run.code == 2
    assert "gbk.bib:2" in run.stderr and "UTF-8" in run.stderr
    bad_option = run_cli("check", "--fail-on", "sometimes", env=env)
    assert bad_option.code == 2


def test_broken_bib_entries_are_reported_with_lines_and_the_rest_checked(
    env: dict[str, str], tmp_path: Path
) -> None:
    bib = tmp_path / "broken.bib"
    shutil.copy(SEED_BIB, bib)
    with bib.open("a", encoding="utf-8") as handle:
        handle.write("\n@article{broken,\n  title = {Unclosed\n\n@article{after, title={x}}\n")
    run = run_cli("check", str(bib), "--no-lockfile", "-f", "json", env=env)
    assert "Traceback" not in run.stderr
    assert f"{bib}:" in run.stderr  # the problem names the file and line
    assert run.json()["summary"]["total"] >= 10


def test_reports_written_to_files_in_several_formats(env: dict[str, str], tmp_path: Path) -> None:
    sarif = tmp_path / "out.sarif"
    junit = tmp_path / "out.xml"
    run = run_cli(
        "check",
        str(PLANTED),
        "--no-lockfile",
        "-o",
        f"sarif={sarif}",
        "-o",
        f"junit={junit}",
        "-f",
        "github",
        env=env,
    )
    assert run.code == 1
    assert "::error file=" in run.stdout
    log = json.loads(sarif.read_text())
    assert log["version"] == "2.1.0"
    assert {r["ruleId"] for r in log["runs"][0]["results"]} >= {"doi-not-found", "retracted"}
    assert "<testsuite" in junit.read_text()


def test_pre_commit_hook_entry_runs_offline_and_passes_when_nothing_is_broken(
    env: dict[str, str], emulator: Emulator
) -> None:
    hook = (Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    entry = next(
        line.split(":", 1)[1].split()
        for line in hook.splitlines()
        if line.strip().startswith("entry:")
    )
    assert entry[:2] == ["citetrack", "check"]
    run = run_cli(*entry[1:], str(SEED_BIB), env=env)
    assert run.code == 0, run.stderr  # nothing cached: unverified, which the hook accepts
    assert emulator.stats()["requests"] == 0  # offline: no network at all
    # Offline and uncached nothing can be called broken, but the rules that need no network
    # run and fail the hook: planted.bib has a duplicate reference (issue 12).
    planted = run_cli(*entry[1:], str(PLANTED), "-f", "json", env=env)
    assert planted.code == 1
    found = {(r["key"], f["rule"]) for r in planted.json()["references"] for f in r["findings"]}
    assert ("pujol2004necrolytic", "duplicate-reference") in found
    assert emulator.stats()["requests"] == 0


def test_a_strings_only_bib_beside_the_references_is_no_error(
    env: dict[str, str], tmp_path: Path
) -> None:
    """An abbreviations file (``\\bibliography{IEEEabrv,refs}``: only ``@string`` blocks)
    or a .bib of comment lines only is BibTeX without entries, not "no reference could be
    read" (exit 2, which ended the whole run).  Text that is no BibTeX still is.  SYNTHETIC
    files."""
    abbrev = tmp_path / "abbrev.bib"
    abbrev.write_text(
        "% SYNTHETIC journal abbreviations\n"
        "@string{nejm = {The New England Journal of Medicine}}\n"
        "@STRING(ajm = {The American Journal of Medicine})\n",
        encoding="utf-8",
    )
    header = tmp_path / "new.bib"
    header.write_text("% SYNTHETIC: references for chapter 2, none yet\n", encoding="utf-8")
    refs = tmp_path / "refs.bib"
    shutil.copy(SEED_BIB, refs)
    run = run_cli(
        "check", str(abbrev), str(header), str(refs), "--no-lockfile", "-f", "json", env=env
    )
    assert run.code == 0, run.stderr
    assert run.json()["summary"]["total"] == 10

    text = tmp_path / "article.bib"
    text.write_text("Pujol RM. Necrolytic migratory erythema. 2004.\n", encoding="utf-8")
    run = run_cli("check", str(text), "--offline", env=env)
    assert run.code == 2
    assert "no reference could be read" in run.stderr


def test_macros_of_an_abbreviations_file_given_first_are_used(
    env: dict[str, str], tmp_path: Path
) -> None:
    """``\\bibliography{abbrev,refs}``: BibTeX reads refs.bib with abbrev.bib's @string
    macros.  ``citetrack check abbrev.bib refs.bib`` called such an entry broken
    (``bib-undefined-macro``) and its journal a mismatch (the macro's name compared as the
    journal).  Given in the other order, the macro is undefined, as for BibTeX.  SYNTHETIC
    files over a seed work."""
    abbrev = tmp_path / "abbrev.bib"
    abbrev.write_text("@string{nejm = {The New England Journal of Medicine}}\n", encoding="utf-8")
    refs = tmp_path / "refs.bib"
    refs.write_text(
        "@article{mignogna2008,\n"
        "  author  = {Mignogna, M. D. and Fortuna, G. and Satriano, A. R.},\n"
        "  title   = {Small-cell lung cancer and necrolytic migratory erythema},\n"
        "  journal = nejm,\n"
        "  year    = 2008,\n"
        "  volume  = {359},\n"
        "  number  = {25},\n"
        "  pages   = {2731--2732},\n"
        "  doi     = {10.1056/NEJMc0805992},\n"
        "  pmid    = {19092164},\n"
        "}\n",
        encoding="utf-8",
    )
    run = run_cli("check", str(abbrev), str(refs), "--no-lockfile", "-f", "json", env=env)
    assert run.code == 0, run.stdout + run.stderr
    ref = by_key(run.json())["mignogna2008"]
    assert ref["status"] == "ok", ref["findings"]

    run = run_cli("check", str(refs), str(abbrev), "--no-lockfile", "-f", "json", env=env)
    assert run.code == 1
    assert "bib-undefined-macro" in rules(by_key(run.json())["mignogna2008"])


def test_a_bib_on_standard_input_is_read_as_bibtex(env: dict[str, str]) -> None:
    """``cat refs.bib | citetrack check -``: standard input was never sniffed, so BibTeX
    there was parsed as an article's reference list: a warning per line ("could not
    recognise the structure of this citation"), made-up references searched for in the
    registries, the real entries never checked.  Export had the same fault."""
    seed = SEED_BIB.read_text(encoding="utf-8")
    run = run_cli("check", "-", "--no-lockfile", "-f", "json", env=env, stdin=seed)
    assert run.code == 0, run.stderr
    assert "could not recognise" not in run.stderr
    report = run.json()
    assert report["summary"]["total"] == 10
    assert by_key(report)["thiers2009cutaneous"]["status"] == "ok"

    planted = seed.replace("{2731--2732}", "{2731-2732}")
    run = run_cli("export", "-", "--diff", "--fix", "pages", env=env, stdin=planted)
    assert run.code == 0, run.stderr
    assert "+  pages   = {2731--2732}," in run.stdout
