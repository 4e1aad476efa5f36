"""An editor's round trip: a wiki article in, wikitext fixes out (SYNTHETIC articles).

What each stage decides must survive the next one: a registry value goes into the
parameter the citation already uses for it (never a second, contradicting one), a cited
archive copy is put first only when it works, and an export whose check could not ask a
registry says so instead of "no changes".  Unit tests use plain values; the end-to-end
ones run the real CLI against the local emulator.
"""

from __future__ import annotations

from pathlib import Path

import mwparserfromhell
import pytest

from citetrack.export import FIX_KINDS
from citetrack.export.cite_plans import archives_not_asked
from citetrack.export.wikitext import (
    Planned,
    apply_plans,
    archive_fixes,
    local_fixes,
    malformed_findings,
    templates_by_key,
)
from citetrack.inputs.article import read_article
from citetrack.model import (
    ArchiveStatus,
    ArticleInfo,
    CheckResult,
    Finding,
    ReferenceResult,
    Severity,
    Source,
)
from citetrack_emulator import Emulator
from tests.e2e import run_cli

ALL = frozenset(FIX_KINDS)
FAST = ("--timeout", "2", "--allow-private-urls")

# SYNTHETIC: the seed's Pujol 2004 (PMID 14693015) with a wrong year in |date=, a wrong
# journal in |work= and a page outside the article's range in |page=.
PUJOL = (
    "Text.<ref name=p>{{cite journal |vauthors=Pujol RM, Wang CY, el-Azhary RA, Su WP, "
    "Gibson LE, Schroeter AL |title=Necrolytic migratory erythema: clinicopathologic study "
    "of 13 cases |work=Journal of Dermatology Research |volume=43 |issue=1 |page=19 "
    "|date=January 2003 |pmid=14693015 |doi=10.1111/j.1365-4632.2004.01844.x }}</ref>\n"
)


def _article(text: str, name: str = "a.wiki"):  # type: ignore[no-untyped-def]
    return read_article(text, ArticleInfo(source=name, format=""), display=name)


def _apply(template: str, *plans: Planned):  # type: ignore[no-untyped-def]
    text = f"Text.<ref name=r>{template}</ref>\n"
    return text, apply_plans(text, _article(text).references, list(plans), ALL)


def _fix(param: str, new: str) -> Planned:
    return Planned("r", param, new, "metadata", f"the registry's {param}", "pubmed")


# --------------------------------------------------------------- the field's own parameter


@pytest.mark.parametrize(
    ("template", "plan", "expected"),
    [
        (  # the year is in |date=: corrected there, no |year= beside it
            "{{cite journal |title=T |date=January 2003 |pmid=1 }}",
            _fix("year", "2004"),
            "{{cite journal |title=T |date=January 2004 |pmid=1 }}",
        ),
        (
            "{{cite journal |title=T |date=2003-01-15 |year= |pmid=1}}",
            _fix("year", "2004"),
            "{{cite journal |title=T |date=2004-01-15 |year= |pmid=1}}",
        ),
        (  # the journal is in |work= (or |website=…): corrected there
            "{{cite journal |title=T | work = J Derm Res |pmid=1}}",
            _fix("journal", "International Journal of Dermatology"),
            "{{cite journal |title=T | work = International Journal of Dermatology |pmid=1}}",
        ),
        (  # an empty |journal= does not hold the name: |website= does
            "{{cite journal |title=T |journal= |website=J |pmid=1}}",
            _fix("journal", "K"),
            "{{cite journal |title=T |journal= |website=K |pmid=1}}",
        ),
        (  # |year= itself still gets the fix when it holds the year
            "{{cite journal |title=T |year=2003 |pmid=1}}",
            _fix("year", "2004"),
            "{{cite journal |title=T |year=2004 |pmid=1}}",
        ),
        (  # nothing holds it: added, as before
            "{{cite journal |title=T |pmid=1}}",
            _fix("year", "2004"),
            "{{cite journal |title=T |pmid=1 |year=2004}}",
        ),
    ],
)
def test_a_registry_value_goes_into_the_parameter_that_holds_it(
    template: str, plan: Planned, expected: str
) -> None:
    _, out = _apply(template, plan)
    assert out.text == f"Text.<ref name=r>{expected}</ref>\n"
    assert len(out.edits) == 1 and out.skipped == ()


@pytest.mark.parametrize(
    ("template", "plan", "why"),
    [
        (  # a single cited page is a pinpoint, not the work's range
            "{{cite journal |title=T |page=19 |pmid=1}}",
            _fix("pages", "12–18"),
            "cites one page",
        ),
        ("{{cite journal |title=T |date=2003–2004 |pmid=1}}", _fix("year", "2004"), "year"),
        (
            "{{cite journal |title=T |date={{date|2003}} |pmid=1}}",
            _fix("year", "2004"),
            "markup",
        ),
    ],
)
def test_what_cannot_be_edited_in_place_is_left_and_reported(
    template: str, plan: Planned, why: str
) -> None:
    text, out = _apply(template, plan)
    assert out.text == text and out.edits == ()
    assert len(out.skipped) == 1 and why in out.skipped[0].reason


def test_an_identifier_still_fills_its_own_parameter() -> None:
    plan = Planned("r", "pmid", "42", "add-ids", "PubMed knows it", "pubmed", only_if_absent=True)
    _, out = _apply("{{cite journal |title=T |date=2003 |doi=10.1/x}}", plan)
    assert "|doi=10.1/x |pmid=42}}" in out.text


# ------------------------------------------------------------- identifiers as typed


def test_a_doi_typed_as_a_bare_link_is_normalised_as_the_check_promised() -> None:
    # mwparserfromhell reads a bare URL as a free link: still plain text to edit.
    template = "{{cite journal |title=T |doi=https://doi.org/10.5555/X.1 |pmid=1}}"
    text = f"Text.<ref name=r>{template}</ref>\n"
    article = _article(text)
    code = mwparserfromhell.parse(text)
    plans = local_fixes(article.references, templates_by_key(text, article.references, code))
    assert [(p.param, p.value) for p in plans] == [("doi", "10.5555/X.1")]
    out = apply_plans(text, article.references, plans, ALL)
    assert out.text == text.replace("https://doi.org/10.5555/X.1", "10.5555/X.1")
    assert out.skipped == ()


def test_a_bracketed_link_is_still_markup_left_alone() -> None:
    _, out = _apply(
        "{{cite journal |title=T |doi=[https://doi.org/10.5555/X.1 link] }}",
        Planned("r", "doi", "10.5555/X.1", "identifiers", "malformed", "citetrack"),
    )
    assert out.edits == () and "markup" in out.skipped[0].reason


def test_a_malformed_identifier_beside_a_comment_is_reported_for_a_fix_by_hand() -> None:
    # The wiki strips the comment and CS1 flags 'doi:10.…'; the check must say so too,
    # without promising an export that leaves a commented value alone.
    text = "Text.<ref name=r>{{cite journal |title=T |doi=<!-- ok -->doi:10.5555/X.1 }}</ref>\n"
    article = _article(text)
    templates = templates_by_key(text, article.references, mwparserfromhell.parse(text))
    (finding,) = malformed_findings(article.references, templates)
    assert finding.rule == "identifier-malformed" and finding.suggestion == "10.5555/X.1"
    assert "by citetrack export" not in finding.message and "leaves" in finding.message
    out = apply_plans(text, article.references, local_fixes(article.references, templates), ALL)
    assert out.text == text and "markup" in out.skipped[0].reason


def test_a_registry_identifier_for_an_unusable_value_is_reported_not_dropped() -> None:
    plan = Planned("r", "doi", "10.1001/a.1", "add-ids", "Crossref finds it", "crossref", True)
    text, out = _apply("{{cite journal |title=T |doi=1001/a.1 }}", plan)
    assert out.text == text and out.edits == ()
    (skip,) = out.skipped
    assert skip.param == "doi" and "'1001/a.1'" in skip.reason and "10.1001/a.1" in skip.reason


# ---------------------------------------------------------------- a cited archived copy


def _dead_with_cited_archive(*rules: str) -> str:
    text = (
        "<ref name=g>{{cite web |url=http://e.org/gone |title=G |archive-url="
        "https://web.archive.org/web/20190101000000/http://e.org/gone "
        "|archive-date=1 January 2019 |url-status=live}}</ref>"
    )
    ref = _article(text).references[0]
    dead = Finding(ref.key, "url-dead", Severity.BROKEN, "URL is dead (HTTP 410).", "url")
    archive = [Finding(ref.key, r, Severity.WARNING, "not usable", "archiveurl") for r in rules]
    result = CheckResult(results=(ReferenceResult(ref, (dead, *archive)),))
    code = mwparserfromhell.parse(text)
    plans = archive_fixes(result, templates_by_key(text, (ref,), code))
    return apply_plans(text, (ref,), plans, ALL).text


@pytest.mark.parametrize("rule", ["archive-invalid", "archive-unverified"])
def test_a_cited_archive_that_does_not_work_is_not_put_first(rule: str) -> None:
    assert "|url-status=live}}" in _dead_with_cited_archive(rule)


def test_a_cited_archive_that_works_is_put_first() -> None:
    assert "|url-status=dead}}" in _dead_with_cited_archive()


def test_an_archive_capture_is_still_added_for_a_dead_url_without_one() -> None:
    text = "<ref name=j>{{cite web |url=http://e.org/d |title=J |access-date=2 June 2021}}</ref>"
    ref = _article(text).references[0]
    dead = Finding(ref.key, "url-dead", Severity.BROKEN, "dead", "url", source=Source.WEB)
    capture = ArchiveStatus(
        url="http://e.org/d",
        archive_url="http://127.0.0.1:1/wayback/web/20200601120000/http://e.org/d",
        timestamp="20200601120000",
        available=True,
    )
    result = CheckResult(results=(ReferenceResult(ref, (dead,), archives=(capture,)),))
    plans = archive_fixes(result, templates_by_key(text, (ref,), mwparserfromhell.parse(text)))
    assert "|url-status=dead" in apply_plans(text, (ref,), plans, ALL).text


# ------------------------------------------------------------------------- end to end


def _env(emulator: Emulator, tmp: Path) -> dict[str, str]:
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp / "cache")}


def test_export_corrects_date_and_work_in_place(emulator: Emulator, tmp_path: Path) -> None:
    source = tmp_path / "article.wiki"
    source.write_text(PUJOL, encoding="utf-8")
    out = tmp_path / "fixed.wiki"
    run = run_cli(
        "export", str(source), *FAST, "-o", str(out), env=_env(emulator, tmp_path), cwd=tmp_path
    )
    assert run.code == 0, run.stderr
    assert source.read_text(encoding="utf-8") == PUJOL  # the input is never modified
    fixed = out.read_text(encoding="utf-8")
    assert fixed == PUJOL.replace("|date=January 2003 ", "|date=January 2004 ").replace(
        "|work=Journal of Dermatology Research ", "|work=International journal of dermatology "
    )
    assert "|year=" not in fixed and "|journal=" not in fixed and "|pages=" not in fixed
    assert "not changed: p.page:" in run.stderr


def test_export_says_what_it_could_not_check(emulator: Emulator, tmp_path: Path) -> None:
    source = tmp_path / "article.wiki"
    source.write_text(PUJOL, encoding="utf-8")
    emulator.add_fault("crossref", "status", code=429)
    emulator.add_fault("eutils", "status", code=429)
    run = run_cli(
        "export", str(source), *FAST, "--dry-run", env=_env(emulator, tmp_path), cwd=tmp_path
    )
    assert run.code == 0, run.stderr
    assert "edit summary: citetrack: no changes" in run.stderr
    assert "not checked, so not fixed: crossref: could not check 1 reference" in run.stderr
    assert "not checked, so not fixed: pubmed: could not check 1 reference" in run.stderr


def test_bib_export_says_what_it_could_not_check(emulator: Emulator, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{pujol,\n  title = {Necrolytic migratory erythema},\n"
        "  doi = {10.1111/j.1365-4632.2004.01844.x},\n}\n",
        encoding="utf-8",
    )
    emulator.add_fault("crossref", "status", code=503)
    emulator.add_fault("eutils", "status", code=503)
    run = run_cli(
        "export", str(bib), *FAST, "-q", "--dry-run", env=_env(emulator, tmp_path), cwd=tmp_path
    )
    assert run.code == 0, run.stderr
    assert "not checked, so not fixed: crossref: could not check 1 reference" in run.stderr


def test_export_normalises_a_doi_link_and_reports_an_unusable_doi(
    emulator: Emulator, tmp_path: Path
) -> None:
    text = (
        "A.<ref name=c>{{cite journal |title=Zinc supplementation reverses necrolytic "
        "migratory erythema in glucagonoma: a randomised trial |last1=Quill |first1=Avery "
        "|last2=Pike |first2=Rowan |journal=Journal of Synthetic Dermatology |year=2019 "
        "|doi=https://doi.org/10.5555/ct.retracted.2019 }}</ref>\n"
        "B.<ref name=a>{{cite journal |title=Cutaneous manifestations of internal malignant "
        "tumors |last=Becker |journal=Archives of Dermatology and Syphilology |year=1942 "
        "|doi=1001/archderm.1942.01500120037004}}</ref>\n"
    )
    source = tmp_path / "article.wiki"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "fixed.wiki"
    env = _env(emulator, tmp_path)
    run = run_cli(
        "export", str(source), *FAST, "--fix", "identifiers,add-ids", "-o", str(out), env=env
    )
    assert run.code == 0, run.stderr
    assert out.read_text(encoding="utf-8") == text.replace(
        "|doi=https://doi.org/10.5555/ct.retracted.2019 }}",
        "|doi=10.5555/ct.retracted.2019 |pmid=99000001 }}",
    )
    assert "not changed: c.doi" not in run.stderr
    assert (
        "not changed: a.doi: it holds '1001/archderm.1942.01500120037004', not a valid "
        "identifier; crossref gives '10.1001/archderm.1942.01500120037004'" in run.stderr
    )


def test_export_keeps_url_status_live_when_the_cited_capture_is_missing(
    emulator: Emulator, tmp_path: Path
) -> None:
    gone = emulator.page_url("/gone")
    text = (
        f"Text.<ref name=g>{{{{cite web |url={gone} |title=Gone |access-date=1 May 2020 "
        f"|archive-url=https://web.archive.org/web/20190101000000/{gone} "
        "|archive-date=1 January 2019 |url-status=live}}</ref>\n"
    )
    source = tmp_path / "article.wiki"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "fixed.wiki"
    run = run_cli(
        "export", str(source), *FAST, "-o", str(out), env=_env(emulator, tmp_path), cwd=tmp_path
    )
    assert run.code == 0, run.stderr
    assert out.read_text(encoding="utf-8") == text


# ------------------------------------------------------- a name defined twice (cite error)


def _defined_again(text: str) -> list[tuple[int, str]]:
    article = read_article(text, ArticleInfo(source="x", format="wikitext"), display="x")
    return [(p.line, p.rule) for p in article.problems if "defined again" in p.message]


def test_a_name_defined_twice_with_different_content_is_reported_at_the_second() -> None:
    one = "{{cite journal |title=One |journal=J |year=2001 |pmid=1}}"
    two = "{{cite journal |title=Two |journal=J |year=2002 |pmid=2}}"
    text = f"A.<ref name=d>{one}</ref>\nB.<ref name=d/>\nC.<ref name=d>{two}</ref>\n"
    assert _defined_again(text) == [(3, "parse-doubtful")]


def test_the_same_content_twice_or_in_another_group_is_no_error() -> None:
    one = "{{cite journal |title=One |journal=J |year=2001 |pmid=1}}"
    text = (
        f"A.<ref name=d>{one}</ref> B.<ref name=d> {one}\n</ref>\n"
        f"C.<ref group=n name=d>Another note.</ref>\n"
    )
    assert _defined_again(text) == []


def test_check_reports_a_name_defined_twice(emulator: Emulator, tmp_path: Path) -> None:
    source = tmp_path / "article.wiki"
    source.write_text(
        PUJOL + "Again.<ref name=p>{{cite journal |title=Other |journal=J |year=2001}}</ref>\n",
        encoding="utf-8",
    )
    env = _env(emulator, tmp_path)
    args = (
        "check",
        str(source),
        "--no-lockfile",
        "--no-links",
        "--ignore-unverified",
        "-f",
        "json",
    )
    run = run_cli(*args, env=env, cwd=tmp_path)
    assert run.code == 0, run.stderr
    findings = [f for r in run.json()["references"] for f in r["findings"]]
    (found,) = [f for f in findings if "defined again" in f["message"]]
    assert found["rule"] == "parse-doubtful" and found["severity"] == "warning"


# -------------------------------------------- a dead URL whose capture could not be asked


def test_a_dead_url_whose_capture_could_not_be_asked_is_named() -> None:
    text = "<ref name=j>{{cite web |url=http://e.org/d |title=J |access-date=2 June 2021}}</ref>"
    ref = _article(text).references[0]
    dead = Finding(ref.key, "url-dead", Severity.BROKEN, "dead", "url", source=Source.WEB)
    unasked = ArchiveStatus(url="http://e.org/d", available=None, reason="HTTP 503")
    result = CheckResult(results=(ReferenceResult(ref, (dead,), archives=(unasked,)),))
    assert archives_not_asked(result) == [("j", 1, "HTTP 503")]
    found = ArchiveStatus(url="http://e.org/d", available=False, reason="no capture")
    answered = CheckResult(results=(ReferenceResult(ref, (dead,), archives=(found,)),))
    assert archives_not_asked(answered) == []  # the Wayback Machine answered: nothing lost


def test_export_names_a_dead_url_left_without_archive_link(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.add_fault("wayback", "status", code=400)  # not retried: one request
    dead = emulator.page_url("/missing")
    source = tmp_path / "article.wiki"
    source.write_text(
        f"A.<ref name=d>{{{{cite web |url={dead} |title=D |access-date=1 May 2020}}}}</ref>\n",
        encoding="utf-8",
    )
    env = _env(emulator, tmp_path)
    args = ("export", str(source), *FAST, "--fix", "archive", "--dry-run")
    run = run_cli(*args, env=env, cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert (
        "article.wiki:1: not changed: d: the URL is dead, but the Wayback Machine could not "
        "be asked for a capture" in run.stderr
    )
    assert "edit summary: citetrack: no changes" in run.stderr


# ------------------------------------------------- every name the wiki accepts for a cite


@pytest.mark.parametrize(
    "opening",
    ["{{Cite", "{{Template:Cite journal ", "{{ template : cite_journal\n", "{{cite_journal "],
)
def test_every_spelling_of_a_cite_template_is_read_checked_and_fixed(opening: str) -> None:
    template = f"{opening}|title=T |journal=J |year=2001 |doi=doi:10.5555/X.1 |pages=1-9}}}}"
    text = f"A.<ref name=r>{template}</ref>\n"
    article = _article(text)
    (ref,) = article.references
    assert ref.identifiers.doi == "10.5555/x.1" and ref.location is not None
    assert ref.location.template in ("cite", "cite journal")
    templates = templates_by_key(text, article.references, mwparserfromhell.parse(text))
    assert [f.rule for f in malformed_findings(article.references, templates)] == [
        "identifier-malformed"
    ]
    out = apply_plans(text, article.references, local_fixes(article.references, templates), ALL)
    assert "|doi=10.5555/X.1 |pages=1–9}}" in out.text and out.skipped == ()
    assert out.text.startswith(f"A.<ref name=r>{opening}|title=T ")


def test_export_fixes_a_cite_spelled_as_the_wiki_allows(emulator: Emulator, tmp_path: Path) -> None:
    text = PUJOL.replace("{{cite journal |", "{{Template:Cite journal |").replace(
        "|pmid=14693015 ", "|pmid=PMID:14693015 "
    )
    source = tmp_path / "article.wiki"
    source.write_text(text, encoding="utf-8")
    env = _env(emulator, tmp_path)
    run = run_cli("export", str(source), *FAST, "--fix", "identifiers", "--diff", env=env)
    assert run.code == 0, run.stderr
    assert "+Text.<ref name=p>{{Template:Cite journal |" in run.stdout
    assert "|pmid=14693015 |doi=" in run.stdout and "not read" not in run.stderr


# ----------------------------------------------------- a parameter given twice in one cite


def test_a_parameter_given_twice_is_read_as_the_wiki_shows_it_and_reported() -> None:
    text = (
        "A.<ref name=r>{{cite journal |title=T |journal=J |year=2001 |doi=10.5555/first "
        "|pmid=1 |doi=doi:10.5555/last |pmid= }}</ref>\n"
    )
    article = _article(text)
    (ref,) = article.references
    # MediaWiki shows the last value of a repeated parameter, an empty one included.
    assert ref.identifiers.doi == "10.5555/last" and ref.identifiers.pmid is None
    repeated = sorted(p.message for p in article.problems if "given 2 times" in p.message)
    assert len(repeated) == 2
    assert "|doi=" in repeated[0] and "('doi:10.5555/last')" in repeated[0]
    assert "|pmid=" in repeated[1] and "('')" in repeated[1]
    templates = templates_by_key(text, article.references, mwparserfromhell.parse(text))
    plans = [
        *local_fixes(article.references, templates),
        Planned("r", "pmid", "42", "add-ids", "PubMed knows it", "pubmed", only_if_absent=True),
    ]
    out = apply_plans(text, article.references, plans, ALL)
    assert out.text == text.replace("|doi=doi:10.5555/last |pmid= ", "|doi=10.5555/last |pmid= 42 ")


def test_spellings_of_one_name_are_not_a_repeated_parameter() -> None:
    text = "<ref name=r>{{cite web |url=http://e.org |title=T |accessdate=1 May 2020 "
    text += "|access-date=}}"
    text += "</ref>"
    article = _article(text)
    assert not [p for p in article.problems if "given" in p.message]


def test_check_asks_about_the_doi_the_page_shows(emulator: Emulator, tmp_path: Path) -> None:
    source = tmp_path / "article.wiki"
    source.write_text(
        "A.<ref name=q>{{cite journal |last1=Quill |first1=Avery |last2=Pike |first2=Rowan "
        "|title=Zinc supplementation reverses necrolytic migratory erythema in glucagonoma: "
        "a randomised trial |journal=Journal of Synthetic Dermatology |year=2019 "
        "|doi=10.3322/caac.20005 |doi=10.5555/ct.retracted.2019}}</ref>\n",
        encoding="utf-8",
    )
    env = _env(emulator, tmp_path)
    run = run_cli("check", str(source), "--no-lockfile", "--no-links", "-f", "json", env=env)
    assert run.code == 1, run.stderr
    (ref,) = run.json()["references"]
    assert ref["identifiers"]["doi"] == "10.5555/ct.retracted.2019"
    assert {"retracted", "parse-doubtful"} <= {f["rule"] for f in ref["findings"]}


# ------------------------------------------------------ a cite error located to its column


def test_an_undefined_or_redefined_ref_is_located_at_its_tag() -> None:
    one = "{{cite journal |title=One |journal=J |year=2001 |pmid=1}}"
    text = f"A.<ref name=d>{one}</ref>\nSee also <ref name=gone/>, <ref name=d>Other.</ref>\n"
    article = _article(text)
    placed = {
        p.message.split(" ", 2)[1]: (p.line, p.column)
        for p in article.problems
        if p.message.startswith("<ref name=")
    }
    assert placed == {'name="gone"': (2, 10), 'name="d">': (2, 28)}


def test_the_report_points_at_the_column_of_an_undefined_ref(
    emulator: Emulator, tmp_path: Path
) -> None:
    source = tmp_path / "article.wiki"
    source.write_text(PUJOL + "Later text.<ref name=gone />\n", encoding="utf-8")
    env = _env(emulator, tmp_path)
    args = ("check", str(source), "--no-lockfile", "--no-links", "-f", "lines")
    run = run_cli(*args, env=env, cwd=tmp_path)
    assert "article.wiki:2:12: warning parse-not-read: " in run.stdout, run.stdout
