"""The editor's workflow where something could not be verified, and fixes that must be
whole (SYNTHETIC articles and evidence).

A check that could not ask a service says so (``unverified``, a cause line, exit 3), never
"ok"; an export that changes a citation changes every parameter CS1 reads for the same
value.  Unit tests use plain values; the end-to-end ones run the real CLI against the
local emulator.
"""

from __future__ import annotations

from pathlib import Path

import mwparserfromhell
import pytest

from citetrack.export import FIX_KINDS
from citetrack.export.cite_plans import (
    archives_not_replaced,
    dead_link_fixes,
    stale_dead_link_findings,
)
from citetrack.export.wikitext import (
    Planned,
    apply_plans,
    archive_fixes,
    refs_by_key,
    templates_by_key,
)
from citetrack.inputs.article import read_article
from citetrack.model import (
    ArchiveStatus,
    ArticleInfo,
    Author,
    CheckResult,
    Finding,
    Found,
    Identifiers,
    LinkStatus,
    LinkVerdict,
    Reference,
    ReferenceResult,
    Severity,
    Source,
    Unavailable,
    WorkMetadata,
)
from citetrack.rules.compare import compare_reference
from citetrack.rules.identity import explain_conflict
from citetrack_emulator import Emulator
from tests.e2e import run_cli
from tests.test_identity import THIERS_IN_PUBMED
from tests.test_wiki_editor_flow import FAST, _env

DOI = "10.1111/j.1365-4632.2004.01844.x"

# SYNTHETIC: the seed's Pujol 2004 cited with its DOI and without its PMID (14693015).
PUJOL_NO_PMID = (
    "Text.<ref name=p>{{cite journal |vauthors=Pujol RM, Wang CY, el-Azhary RA, Su WP, "
    "Gibson LE, Schroeter AL |title=Necrolytic migratory erythema: clinicopathologic study "
    "of 13 cases |journal=International Journal of Dermatology |volume=43 |issue=1 "
    f"|pages=12–18 |date=January 2004 |doi={DOI} }}}}</ref>\n"
)


# ------------------------------------------------ the PMID of a DOI could not be looked up


def _doi_only() -> tuple[Reference, Found]:
    ref = Reference(
        key="p",
        entry_type="article",
        fields={"title": "Necrolytic migratory erythema", "author": "Pujol, R. M.", "doi": DOI},
        identifiers=Identifiers(doi=DOI),
    )
    meta = WorkMetadata(source=Source.CROSSREF, doi=DOI, title="Necrolytic migratory erythema")
    return ref, Found(Source.CROSSREF, DOI, meta)


def test_a_pmid_lookup_that_could_not_be_made_is_unverified_not_ok() -> None:
    ref, crossref = _doi_only()
    unasked = Unavailable(Source.PUBMED, DOI, "HTTP 500 after 4 attempts")
    (finding,) = compare_reference(ref, [crossref, unasked])
    assert finding.rule == "unverified" and finding.severity is Severity.UNVERIFIED
    assert (finding.field, finding.actual, finding.source) == ("doi", DOI, Source.PUBMED)
    assert "a missing PMID was not looked for" in finding.message
    assert finding.message.endswith("(HTTP 500 after 4 attempts).")
    # PubMed answered (it does not index the DOI: no evidence): nothing to say.
    assert compare_reference(ref, [crossref]) == []


def test_check_says_it_could_not_look_for_the_missing_pmid(
    emulator: Emulator, tmp_path: Path
) -> None:
    source = tmp_path / "article.wiki"
    source.write_text(PUJOL_NO_PMID, encoding="utf-8")
    emulator.add_fault("eutils", "status", code=500, path="esearch")
    env = _env(emulator, tmp_path)
    run = run_cli("check", str(source), "--no-lockfile", "--no-links", *FAST, env=env)
    assert run.code == 3, run.stdout + run.stderr  # nothing broken, something not verified
    assert "pubmed: could not check 1 reference (HTTP 500 after" in run.stdout + run.stderr
    assert "1 unverified" in run.stdout
    export = run_cli("export", str(source), *FAST, "--dry-run", env=env)
    assert export.code == 0, export.stderr
    assert "not checked, so not fixed: pubmed: could not check 1 reference" in export.stderr


# ---------------------------------------------------------- explanatory notes ({{efn}})

_CITE = (
    "{{cite journal |vauthors=Pujol RM |title=Necrolytic migratory erythema: "
    "clinicopathologic study of 13 cases |journal=International Journal of Dermatology "
    "|year=2004 |pmid=14693015}}"
)
# SYNTHETIC notes of every shape an article gives them.
NOTES = (
    'A tumour.<ref group=note>Sometimes called the "4D syndrome", after its signs.</ref>\n'
    'Rare.<ref group="note">Reported in a study of 13 cases.<ref name=p/></ref>'
    "{{efn|Seen in most cases.}}\n"
    f"Cited.{{{{efn|As found by {_CITE}}}}}\n"
    f"Grouped.<ref group=n>{_CITE}</ref>\n"
    "By hand.<ref group=n>Smith J, Jones K. Glucagonoma and the skin. J Derm. "
    "2001;12(3):45-50.</ref>\n"
    "Linked.<ref group=n>[http://e.org/page The page]</ref>\n"
    "Plain.<ref>An ungrouped explanation that is not a citation.</ref>\n"
)


def test_a_note_in_prose_is_no_reference_but_a_note_with_a_citation_is() -> None:
    article = read_article(NOTES, ArticleInfo(source="a.wiki", format=""), display="a.wiki")
    lines = [r.location.line for r in article.references if r.location]
    # The two prose notes of lines 1 and 2 are not read; {{efn}} with a {{cite}} (line 3),
    # a grouped {{cite}} (4), a citation written by hand (5) and a link (6) are; an
    # ungrouped <ref> (7) is a reference slot whatever it holds: still read and doubted.
    assert lines == [3, 4, 5, 6, 7]
    doubtful = [p.line for p in article.problems if "could not recognise" in p.message]
    assert doubtful == [7]
    keys = [r.key for r in article.references]
    assert keys[-1].startswith("ref-") and len(set(keys)) == len(keys)


def test_check_of_an_article_with_notes_reports_no_notes(
    emulator: Emulator, tmp_path: Path
) -> None:
    source = tmp_path / "article.wiki"
    source.write_text(PUJOL_NO_PMID + NOTES.split("Cited.", maxsplit=1)[0], encoding="utf-8")
    env = _env(emulator, tmp_path)
    args = ("check", str(source), "--no-lockfile", "--no-links", "-f", "json", *FAST)
    run = run_cli(*args, env=env)
    assert run.code == 0, run.stderr
    assert [r["key"] for r in run.json()["references"]] == ["p"]
    assert "could not recognise" not in run.stderr


# ------------------------------------------------------------- |date= and |year= together

YEAR_FIX = Planned("r", "year", "2004", "metadata", "the registry's year", "pubmed")


@pytest.mark.parametrize(
    ("template", "expected", "changed"),
    [
        (  # both given: both corrected, or CS1 shows "|year= / |date= mismatch"
            "{{cite journal |title=T |date=January 2003 |year=2003 |pmid=1}}",
            "{{cite journal |title=T |date=January 2004 |year=2004 |pmid=1}}",
            ["date", "year"],
        ),
        (  # in either order, with spaces kept
            "{{cite journal |title=T | year = 2003 | date = 2003-01-15 |pmid=1}}",
            "{{cite journal |title=T | year = 2004 | date = 2004-01-15 |pmid=1}}",
            ["date", "year"],
        ),
    ],
)
def test_a_year_fix_keeps_date_and_year_in_step(
    template: str, expected: str, changed: list[str]
) -> None:
    text = f"A.<ref name=r>{template}</ref>\n"
    article = read_article(text, ArticleInfo(source="a", format=""), display="a")
    out = apply_plans(text, article.references, [YEAR_FIX], frozenset(FIX_KINDS))
    assert out.text == f"A.<ref name=r>{expected}</ref>\n"
    assert sorted(e.param for e in out.edits) == changed and out.skipped == ()


def test_a_year_already_right_beside_the_fixed_date_is_not_touched_again() -> None:
    text = "A.<ref name=r>{{cite journal |title=T |date=2003 |year=2003 }}</ref>\n"
    article = read_article(text, ArticleInfo(source="a", format=""), display="a")
    out = apply_plans(text, article.references, [YEAR_FIX], frozenset(FIX_KINDS))
    assert [(e.param, e.new) for e in out.edits] == [("date", "2004"), ("year", "2004")]
    # Applied to its own output, the fix finds nothing left to change.
    again = apply_plans(out.text, article.references, [YEAR_FIX], frozenset(FIX_KINDS))
    assert again.text == out.text and again.edits == ()


def test_a_year_that_cannot_be_kept_in_step_is_reported() -> None:
    text = "A.<ref name=r>{{cite journal |title=T |date=2003 |year={{nowrap|2003}} }}</ref>\n"
    article = read_article(text, ArticleInfo(source="a", format=""), display="a")
    out = apply_plans(text, article.references, [YEAR_FIX], frozenset(FIX_KINDS))
    assert [e.param for e in out.edits] == ["date"]
    (skip,) = out.skipped
    assert skip.param == "year" and "mismatch" in skip.reason and "by hand" in skip.reason


# ------------------------------------------------ a cited archived copy that is not usable

CITED = "https://web.archive.org/web/20190101000000/http://e.org/gone"


def _invalid_archive(offer: str | None, *, dead: bool) -> tuple[str, CheckResult]:
    text = (
        "<ref name=g>{{cite web |url=http://e.org/gone |title=G |access-date=1 May 2020 "
        f"|archive-url={CITED} |archive-date=1 January 2019 |url-status=live}}}}</ref>"
    )
    ref = _article_of(text).references[0]
    findings = [
        Finding(
            ref.key,
            "archive-invalid",
            Severity.WARNING,
            "not usable",
            "archiveurl",
            actual=CITED,
            source=Source.WAYBACK,
            suggestion=offer,
        )
    ]
    if dead:
        findings.append(Finding(ref.key, "url-dead", Severity.BROKEN, "dead", "url"))
    return text, CheckResult(results=(ReferenceResult(ref, tuple(findings)),))


def _article_of(text: str):  # type: ignore[no-untyped-def]
    return read_article(text, ArticleInfo(source="a", format=""), display="a")


def _archive_export(text: str, result: CheckResult):  # type: ignore[no-untyped-def]
    refs = _article_of(text).references
    plans = archive_fixes(result, templates_by_key(text, refs, mwparserfromhell.parse(text)))
    return apply_plans(text, refs, plans, frozenset(FIX_KINDS))


def test_a_cited_capture_that_is_not_usable_is_replaced_by_the_good_one_found() -> None:
    # The offer as the check makes it: the capture on the Wayback endpoint it asked.
    offer = "http://127.0.0.1:1/wayback/web/20180601120000/http://e.org/gone"
    text, result = _invalid_archive(offer, dead=True)
    out = _archive_export(text, result)
    assert out.text == text.replace(
        CITED, CITED.replace("20190101000000", "20180601120000")
    ).replace("|archive-date=1 January 2019", "|archive-date=1 June 2018").replace(
        "|url-status=live", "|url-status=dead"
    )
    assert [(e.param, e.old is not None) for e in out.edits] == [
        ("archive-url", True),
        ("archive-date", True),
        ("url-status", True),
    ]
    assert "archive-invalid" in out.edits[0].reason
    assert out.summary == "citetrack: fixed 1 archive link, 1 dead-link status"
    assert archives_not_replaced(result) == []
    # A live URL's unusable copy is replaced too; its url-status stays.
    text, result = _invalid_archive(offer, dead=False)
    assert [e.param for e in _archive_export(text, result).edits] == ["archive-url", "archive-date"]


@pytest.mark.parametrize(
    ("offer", "why"),
    [
        (None, "no good capture"),
        ("http://127.0.0.1:1/wayback/web/20210101000000/http://e.org/gone", "after the cited"),
    ],
)
def test_an_unusable_capture_without_an_earlier_good_one_is_reported_not_changed(
    offer: str | None, why: str
) -> None:
    text, result = _invalid_archive(offer, dead=True)
    out = _archive_export(text, result)
    assert out.text == text and out.edits == ()
    ((key, line, reason),) = archives_not_replaced(result)
    assert (key, line) == ("g", 1) and why in reason


def test_a_webarchive_beside_the_cite_template_is_its_archived_copy(
    emulator: Emulator, tmp_path: Path
) -> None:
    # SYNTHETIC: a dead URL whose archived copy is given by a {{Webarchive}} after the
    # {{cite web}} in the same ref (as editors and older bots wrote it): readers have the
    # copy, so the dead URL is expected, and a second archive-url would show it twice.
    gone = emulator.page_url("/gone")
    emulator.patch_world(
        {"wayback": {gone: [{"timestamp": "20200101000000", "statuscode": "200"}]}}
    )
    text = (
        f"A.<ref name=w>{{{{cite web |url={gone} |title=Gone page |access-date=2 June 2021}}}}"
        f" {{{{Webarchive|url=https://web.archive.org/web/20200101000000/{gone} "
        "|date=1 January 2020}}</ref>\n"
    )
    (ref,) = _article_of(text).references
    assert ref.get("archiveurl") == f"https://web.archive.org/web/20200101000000/{gone}"
    source = tmp_path / "article.wiki"
    source.write_text(text, encoding="utf-8")
    env = _env(emulator, tmp_path)
    run = run_cli("check", str(source), "--no-lockfile", *FAST, "-f", "json", env=env)
    (checked,) = run.json()["references"]
    assert checked["status"] != "broken", run.stdout
    out = tmp_path / "fixed.wiki"
    run = run_cli("export", str(source), *FAST, "--fix", "archive", "-o", str(out), env=env)
    assert run.code == 0, run.stderr
    assert out.read_text(encoding="utf-8") == text
    # The control: without the {{Webarchive}}, the check says dead and export archives it.
    bare = text.replace(text[text.index(" {{Webarchive") : text.index("</ref>")], "")
    source.write_text(bare, encoding="utf-8")
    run = run_cli("export", str(source), *FAST, "--fix", "archive", "-o", str(out), env=env)
    assert "w: archive-url: (added)" in run.stderr


def test_a_dead_link_tag_goes_when_export_gives_the_url_its_archived_copy(
    emulator: Emulator, tmp_path: Path
) -> None:
    # SYNTHETIC: a dead URL tagged {{dead link}} (in the ref and after it). Export adds the
    # Wayback capture; the tag stayed, so the page showed "[dead link]" beside a citation
    # whose archived copy it now links (InternetArchiveBot removes the tag when it rescues).
    gone = emulator.page_url("/gone")
    emulator.patch_world(
        {"wayback": {gone: [{"timestamp": "20200101000000", "statuscode": "200"}]}}
    )
    text = (
        f"A.<ref name=a>{{{{cite web |url={gone} |title=Gone page |access-date=2 June 2021}}}}"
        "</ref>{{dead link|date=March 2022}} B.<ref name=b>{{cite web |url="
        f"{gone}?b |title=Gone too |access-date=2 June 2021}}}} {{{{dead link}}}}</ref>\n"
    )
    emulator.patch_world(
        {"wayback": {f"{gone}?b": [{"timestamp": "20200101000000", "statuscode": "200"}]}}
    )
    source = tmp_path / "article.wiki"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "fixed.wiki"
    env = _env(emulator, tmp_path)
    run = run_cli("export", str(source), *FAST, "--fix", "archive", "-o", str(out), env=env)
    assert run.code == 0, run.stderr
    fixed = out.read_text(encoding="utf-8")
    assert fixed.count("|archive-url=https://web.archive.org/web/20200101000000/") == 2, fixed
    assert "dead link" not in fixed, fixed
    assert "a: {{dead link}}: '{{dead link|date=March 2022}}' -> ''" in run.stderr
    assert "citetrack: added 2 archive links; removed 2 dead-link tags" in run.stderr
    # Without the archive fix, the tags stay with the dead URLs (the control).
    run = run_cli("export", str(source), *FAST, "--no-fix", "archive", "-o", str(out), env=env)
    assert out.read_text(encoding="utf-8") == text


def test_export_replaces_an_unusable_cited_capture(emulator: Emulator, tmp_path: Path) -> None:
    gone = emulator.page_url("/gone")
    emulator.patch_world(  # SYNTHETIC captures: a good one, then one of an error page
        {
            "wayback": {
                gone: [
                    {"timestamp": "20180601120000", "statuscode": "200", "mimetype": "text/html"},
                    {"timestamp": "20190101000000", "statuscode": "404", "mimetype": "text/html"},
                ]
            }
        }
    )
    cited = f"https://web.archive.org/web/20190101000000/{gone}"
    text = (
        f"A.<ref name=g>{{{{cite web |url={gone} |title=Gone |access-date=1 May 2020 "
        f"|archive-url={cited} |archive-date=1 January 2019 |url-status=live}}}}</ref>\n"
    )
    source = tmp_path / "article.wiki"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "fixed.wiki"
    env = _env(emulator, tmp_path)
    run = run_cli("export", str(source), *FAST, "--fix", "archive", "-o", str(out), env=env)
    assert run.code == 0, run.stderr
    good = f"https://web.archive.org/web/20180601120000/{gone}"
    assert out.read_text(encoding="utf-8") == text.replace(cited, good).replace(
        "1 January 2019", "1 June 2018"
    ).replace("live", "dead")
    assert f"g: archive-url: '{cited}' -> '{good}'" in run.stderr
    # Without a good capture at or before the cited one: nothing changed, and said so.
    emulator.patch_world(
        {"wayback": {gone: [{"timestamp": "20190101000000", "statuscode": "404"}]}}
    )
    run = run_cli(
        "export",
        str(source),
        *FAST,
        "--fix",
        "archive",
        "--dry-run",
        env=_env(emulator, tmp_path / "b"),
    )
    assert run.code == 0, run.stderr
    assert (
        "article.wiki:1: not changed: g: the cited archived copy is not usable, and no good "
        "capture was found to cite instead (the page answered HTTP 404 when captured at "
        "20190101000000)" in run.stderr
    )
    assert "edit summary: citetrack: no changes" in run.stderr


def test_a_good_capture_that_could_not_be_looked_for_is_not_called_missing(
    emulator: Emulator, tmp_path: Path
) -> None:
    gone = emulator.page_url("/gone")
    emulator.patch_world(  # SYNTHETIC captures: a good one, then one of an error page
        {
            "wayback": {
                gone: [
                    {"timestamp": "20180601120000", "statuscode": "200", "mimetype": "text/html"},
                    {"timestamp": "20190101000000", "statuscode": "404", "mimetype": "text/html"},
                ]
            }
        }
    )
    # The cited capture is found (an error page); the search for a good one fails.
    emulator.add_fault("wayback", "status", code=503, path="statuscode")
    cited = f"https://web.archive.org/web/20190101000000/{gone}"
    text = (
        f"A.<ref name=g>{{{{cite web |url={emulator.page_url('/ok')} |title=OK "
        f"|archive-url={cited} |archive-date=1 January 2019}}}}</ref>\n"
    )
    source = tmp_path / "article.wiki"
    source.write_text(text, encoding="utf-8")
    env = _env(emulator, tmp_path)
    run = run_cli("check", str(source), "--no-lockfile", *FAST, "-f", "json", env=env)
    (ref,) = run.json()["references"]
    (invalid,) = [f for f in ref["findings"] if f["rule"] == "archive-invalid"]
    assert "could not be asked for a good capture (" in invalid["message"], invalid
    run = run_cli("export", str(source), *FAST, "--fix", "archive", "--dry-run", env=env)
    assert "could not be asked for a good capture" in run.stderr
    assert "has no good capture" not in run.stderr


# ------------------------------------------------------------------ a stale {{dead link}}


def _tagged(verdict: LinkVerdict, code: int | None, tail: str) -> tuple[str, CheckResult]:
    text = (
        "A.<ref name=s>{{cite web |url=http://e.org/ok |title=T |access-date=1 May 2020}}"
        f"{tail}</ref>\n"
    )
    ref = _article_of(text).references[0]
    link = LinkStatus("http://e.org/ok", verdict, code)
    return text, CheckResult(results=(ReferenceResult(ref, (), links=(link,)),))


def _dead_link_export(text: str, result: CheckResult):  # type: ignore[no-untyped-def]
    refs = _article_of(text).references
    code = mwparserfromhell.parse(text)
    templates = templates_by_key(text, refs, code)
    tags = refs_by_key(text, refs, code)
    findings = stale_dead_link_findings(result, tags, templates)
    plans = dead_link_fixes(result, tags, templates)
    return findings, apply_plans(text, refs, plans, frozenset(FIX_KINDS))


@pytest.mark.parametrize(
    "tag", ["{{dead link|date=March 2021|bot=InternetArchiveBot}}", " {{Deadlink}}"]
)
def test_a_stale_dead_link_tag_is_reported_and_removed(tag: str) -> None:
    text, result = _tagged(LinkVerdict.OK, 200, tag)
    findings, out = _dead_link_export(text, result)
    assert [(f.rule, f.key, f.actual) for f in findings] == [
        ("dead-link-stale", "s", "http://e.org/ok")
    ]
    assert out.text == text.replace(tag, "")
    (edit,) = out.edits
    assert edit.old == tag.strip() and edit.kind == "archive"
    assert out.summary == "citetrack: removed 1 stale dead-link tag"


@pytest.mark.parametrize(
    ("verdict", "code"),
    [
        (LinkVerdict.DEAD, 404),
        (LinkVerdict.SOFT_404, 200),  # a "not found" page answering 200 is not alive
        (LinkVerdict.REDIRECTED, 301),
        (LinkVerdict.BLOCKED, 403),  # could not verify: the tag stays
        (LinkVerdict.UNAVAILABLE, None),
    ],
)
def test_a_dead_link_tag_stays_unless_the_url_is_verified_alive(
    verdict: LinkVerdict, code: int | None
) -> None:
    text, result = _tagged(verdict, code, "{{dead link}}")
    findings, out = _dead_link_export(text, result)
    assert findings == [] and out.text == text and out.edits == ()
    # ... which the same check with the URL alive would have changed (the control).
    text, alive = _tagged(LinkVerdict.OK, 200, "{{dead link}}")
    assert _dead_link_export(text, alive)[1].text != text


def test_check_and_export_of_a_stale_dead_link(emulator: Emulator, tmp_path: Path) -> None:
    ok = emulator.page_url("/ok")
    text = (
        f"A.<ref name=s>{{{{cite web |url={ok} |title=An ordinary article page "
        "|access-date=1 May 2020}} {{dead link|date=March 2021}}</ref>\n"
    )
    source = tmp_path / "article.wiki"
    source.write_text(text, encoding="utf-8")
    env = _env(emulator, tmp_path)
    run = run_cli("check", str(source), "--no-lockfile", *FAST, "-f", "json", env=env)
    (ref,) = run.json()["references"]
    assert "dead-link-stale" in {f["rule"] for f in ref["findings"]}, run.stdout
    out = tmp_path / "fixed.wiki"
    run = run_cli("export", str(source), *FAST, "-o", str(out), env=env)
    assert run.code == 0, run.stderr
    assert out.read_text(encoding="utf-8") == text.replace(" {{dead link|date=March 2021}}", "")
    assert "s: {{dead link}}: '{{dead link|date=March 2021}}' -> ''" in run.stderr


# SYNTHETIC: a {{dead link}} placed after the </ref>, as many editors type it (Template:Dead
# link asks for it inside the ref, but the page shows it beside the footnote either way).
@pytest.mark.parametrize(
    ("after", "left"),
    [
        ("{{dead link|date=March 2021}} Next.", " Next."),
        (" {{Dead link|date=March 2021|bot=InternetArchiveBot|fix-attempted=yes}}.", "."),
    ],
)
def test_a_stale_dead_link_tag_after_the_ref_is_read_reported_and_removed(
    after: str, left: str
) -> None:
    text = (
        "A.<ref name=s>{{cite web |url=http://e.org/ok |title=T |access-date=1 May 2020}}"
        f"</ref>{after}\n"
    )
    article = _article_of(text)
    assert [p.message for p in article.problems] == ["s: marked {{dead link}} in the source"]
    link = LinkStatus("http://e.org/ok", LinkVerdict.OK, 200)
    result = CheckResult(results=(ReferenceResult(article.references[0], (), links=(link,)),))
    findings, out = _dead_link_export(text, result)
    assert [(f.rule, f.key) for f in findings] == [("dead-link-stale", "s")]
    assert out.text == text.replace(after, left)
    (edit,) = out.edits
    assert edit.old.startswith("{{") and edit.old.lower().startswith("{{dead link")


@pytest.mark.parametrize(
    "text",
    [
        # Text between the </ref> and the tag: the tag is about something else.
        "A.<ref name=s>{{cite web |url=http://e.org/ok |title=T}}</ref> and B {{dead link}}\n",
        # On the next line: a new paragraph's tag, not this footnote's.
        "A.<ref name=s>{{cite web |url=http://e.org/ok |title=T}}</ref>\n{{dead link}}\n",
        # After the next footnote: that one's tag.
        "A.<ref name=s>{{cite web |url=http://e.org/ok |title=T}}</ref>"
        "<ref name=t>{{cite web |url=http://e.org/gone |title=U}}</ref>{{dead link}}\n",
    ],
)
def test_a_dead_link_tag_not_right_after_the_ref_is_not_its(text: str) -> None:
    article = _article_of(text)
    assert [p.message for p in article.problems if p.message.startswith("s:")] == []
    link = LinkStatus("http://e.org/ok", LinkVerdict.OK, 200)
    result = CheckResult(results=(ReferenceResult(article.references[0], (), links=(link,)),))
    findings, out = _dead_link_export(text, result)
    assert findings == [] and out.text == text


def test_dead_link_tags_after_reuses_of_a_named_ref_are_its_tags() -> None:
    # SYNTHETIC: the citation is defined once and reused; an editor tagged it after the
    # definition and after one of its reuses (the page shows both beside its footnote).
    text = (
        "A.<ref name=s>{{cite web |url=http://e.org/ok |title=T}}</ref>{{dead link}} "
        "B.<ref name=s/> C.<ref name=s />{{dead link|date=May 2022}} D.<ref name=t/>"
        "{{dead link}}\n"
    )
    article = _article_of(text)
    assert [p.message for p in article.problems] == [
        "s: marked {{dead link}} in the source",
        '<ref name="t" /> is used but never defined on the page: the wiki shows a cite '
        "error there and there is no citation to check",
    ]
    only_after_reuse = text.replace("</ref>{{dead link}} ", "</ref> ")
    assert next(p.message for p in _article_of(only_after_reuse).problems) == (
        "s: marked {{dead link}} in the source"
    )
    link = LinkStatus("http://e.org/ok", LinkVerdict.OK, 200)
    result = CheckResult(results=(ReferenceResult(article.references[0], (), links=(link,)),))
    findings, out = _dead_link_export(text, result)
    assert [(f.rule, f.key) for f in findings] == [("dead-link-stale", "s")]
    assert out.text == text.replace("</ref>{{dead link}}", "</ref>").replace(
        "<ref name=s />{{dead link|date=May 2022}}", "<ref name=s />"
    )
    assert [e.old for e in out.edits] == ["{{dead link}}", "{{dead link|date=May 2022}}"]


def test_check_and_export_of_a_stale_dead_link_after_the_ref(
    emulator: Emulator, tmp_path: Path
) -> None:
    ok = emulator.page_url("/ok")
    text = (
        f"A.<ref name=s>{{{{cite web |url={ok} |title=An ordinary article page "
        "|access-date=1 May 2020}}</ref>{{dead link|date=March 2021}} More text.\n"
    )
    source = tmp_path / "article.wiki"
    source.write_text(text, encoding="utf-8")
    env = _env(emulator, tmp_path)
    run = run_cli("check", str(source), "--no-lockfile", *FAST, "-f", "json", env=env)
    (ref,) = run.json()["references"]
    assert "dead-link-stale" in {f["rule"] for f in ref["findings"]}, run.stdout
    out = tmp_path / "fixed.wiki"
    run = run_cli("export", str(source), *FAST, "-o", str(out), env=env)
    assert run.code == 0, run.stderr
    assert out.read_text(encoding="utf-8") == text.replace("{{dead link|date=March 2021}}", "")
    assert "s: {{dead link}}: '{{dead link|date=March 2021}}' -> ''" in run.stderr


def test_a_stale_url_status_dead_is_set_live() -> None:
    archive = " |archive-url=https://web.archive.org/web/2019/http://e.org/ok |url-status=dead"
    text = "A.<ref name=s>{{cite web |url=http://e.org/ok |title=T" + archive + "}}</ref>\n"
    ref = _article_of(text).references[0]
    link = LinkStatus("http://e.org/ok", LinkVerdict.OK, 200)
    result = CheckResult(results=(ReferenceResult(ref, (), links=(link,)),))
    findings, out = _dead_link_export(text, result)
    assert [f.rule for f in findings] == ["dead-link-stale"]
    assert "url-status=live" in findings[0].message
    assert out.text == text.replace("|url-status=dead", "|url-status=live")
    # Without an archived copy CS1 ignores url-status: nothing is shown dead, nothing to say.
    bare = text.replace(" |archive-url=https://web.archive.org/web/2019/http://e.org/ok", "")
    ref = _article_of(bare).references[0]
    result = CheckResult(results=(ReferenceResult(ref, (), links=(link,)),))
    assert _dead_link_export(bare, result)[0] == []


# ------------------------------------------- a wrong PMID whose replacement could not be asked

# SYNTHETIC: the seed's Mignogna 2008 letter cited with Thiers 2009's PMID.
MIGNOGNA = (
    "A.<ref name=Mignogna2008>{{cite journal | vauthors = Mignogna MD, Fortuna G, Satriano AR "
    "| title = Small-cell lung cancer and necrolytic migratory erythema | journal = The New "
    "England Journal of Medicine | volume = 359 | issue = 25 | pages = 2731–2 | date = "
    "December 2008 | pmid = 19258446 | doi = 10.1056/NEJMc0805992 }}</ref>\n"
)


def test_a_wrong_pmid_is_not_called_pubmed_less_when_pubmed_could_not_be_asked() -> None:
    doi = "10.1056/nejmc0805992"
    ref = _article_of(MIGNOGNA).references[0]
    letter = WorkMetadata(
        source=Source.CROSSREF,
        doi=doi,
        title="Small-Cell Lung Cancer and Necrolytic Migratory Erythema",
        authors=(Author("Mignogna", "Michele D."),),
        year=2008,
    )
    evidence = [
        Found(Source.CROSSREF, doi, letter),
        Found(Source.PUBMED, "19258446", THIERS_IN_PUBMED),
    ]
    unasked = Unavailable(Source.PUBMED, doi, "HTTP 500 after 4 attempts")
    (conflict,) = [
        f for f in compare_reference(ref, [*evidence, unasked]) if f.rule == "pmid-doi-conflict"
    ]
    explained = explain_conflict(ref, [*evidence, unasked], conflict)
    assert "remove the PMID" not in explained.message
    assert "could not be asked" in explained.message and "(HTTP 500 after 4 attempts)" in (
        explained.message
    )
    assert explained.suggestion is None and explained.field == "pmid"
    # PubMed answered (it indexes no record of that DOI): then removing it is the advice.
    assert "remove the PMID" in explain_conflict(ref, evidence, conflict).message


def test_export_says_a_wrong_pmid_was_left_because_pubmed_could_not_be_asked(
    emulator: Emulator, tmp_path: Path
) -> None:
    source = tmp_path / "article.wiki"
    source.write_text(MIGNOGNA, encoding="utf-8")
    emulator.add_fault("eutils", "status", code=500, path="esearch")
    env = _env(emulator, tmp_path)
    run = run_cli("export", str(source), *FAST, "--dry-run", env=env)
    assert run.code == 0, run.stderr
    assert (
        "article.wiki:1: not changed: Mignogna2008.pmid: it is another work's, but PubMed "
        "could not be asked for the PMID of the citation's DOI (HTTP 500" in run.stderr
    )
    assert "edit summary: citetrack: no changes" in run.stderr


# ------------------------------------------- an archive link's reason says which capture


@pytest.mark.parametrize(
    ("accessed", "which"),
    [
        ("|access-date=2 June 2021", "the closest before access-date"),
        ("|access-date=1 May 2017", "the first after access-date (2017-05-01; none before it)"),
        ("", "the latest good one (no access-date)"),
    ],
)
def test_an_added_archive_link_says_truly_which_capture_it_is(accessed: str, which: str) -> None:
    text = f"<ref name=j>{{{{cite web |url=http://e.org/d |title=J {accessed}}}}}</ref>"
    ref = _article_of(text).references[0]
    dead = Finding(ref.key, "url-dead", Severity.BROKEN, "dead", "url", source=Source.WEB)
    capture = ArchiveStatus(
        url="http://e.org/d",
        archive_url="http://127.0.0.1:1/wayback/web/20200601120000/http://e.org/d",
        timestamp="20200601120000",
        available=True,
    )
    result = CheckResult(results=(ReferenceResult(ref, (dead,), archives=(capture,)),))
    out = _archive_export(text, result)
    assert [e.param for e in out.edits] == ["archive-url", "archive-date", "url-status"]
    assert f"Wayback capture of 2020-06-01, {which}" in out.edits[0].reason


# ------------------------------------------------ a page whose only footnotes are notes

# SYNTHETIC: a stub whose only footnote is an {{efn}} note: nothing looks like a citation.
ONLY_NOTES = (
    "'''Glucagonoma''' is a tumour.{{efn|name=n1}}\n== Notes ==\n"
    "{{notelist|refs=\n{{efn|name=n1|An explanatory prose note.}}\n}}\n"
)


def test_a_page_or_wiki_file_without_citations_is_read_as_wikitext(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.patch_world(
        {
            "wiki": {
                "pages": {
                    "Glucagonoma stub": {
                        "pageid": 77,
                        "revisions": [
                            {
                                "revid": 7701,
                                "parentid": 0,
                                "timestamp": "2021-01-01T00:00:00Z",
                                "content": ONLY_NOTES,
                            }
                        ],
                    }
                }
            }
        }
    )
    source = tmp_path / "stub.wiki"
    source.write_text(ONLY_NOTES, encoding="utf-8")
    env = _env(emulator, tmp_path)
    page = f"{emulator.url}/wiki/Glucagonoma_stub"
    for where in (str(source), page):
        run = run_cli("check", where, "--no-lockfile", *FAST, "-f", "json", env=env)
        # Nothing to check, said as such: not five lines of prose read as references.
        assert run.code == 2, run.stdout + run.stderr
        assert "no references found (read as wikitext)" in run.stderr
        assert "could not recognise" not in run.stderr
    # --from text still reads a file as a rendered list when told so.
    run = run_cli("check", str(source), "--from", "text", "--no-lockfile", "--offline", env=env)
    assert "could not recognise" in run.stderr


# -------------------------------------------------- notes defined in their list (list-defined)


@pytest.mark.parametrize(
    "text",
    [
        "A.<ref group=note name=n1/>\n<references group=note>\n<ref name=n1>An explanatory "
        "prose note about the rash.</ref>\n</references>\n",
        "A.<ref group=note name=n1/>\n{{reflist|group=note|refs=\n<ref name=n1>An explanatory "
        "prose note about the rash.</ref>\n}}\n",
        "A.<ref group=lower-alpha name=n1/>\n{{notelist|refs=\n<ref name=n1>An explanatory "
        "prose note about the rash.</ref>\n}}\n",
    ],
)
def test_a_note_defined_in_its_group_list_is_a_note_and_is_defined(text: str) -> None:
    # MediaWiki puts a ref defined inside a group's list into that group: the use is
    # defined (no cite error), and a prose note there is no reference.
    article = _article_of(text)
    assert article.references == () and article.problems == ()
    # A citation in such a note is still read; an ungrouped list's prose is still doubted.
    cited = text.replace("An explanatory", "{{cite journal |title=T |journal=J |year=2001}}")
    assert [r.key for r in _article_of(cited).references] == ["n1"]
    ungrouped = "A.<ref name=r1/>\n{{reflist|refs=\n<ref name=r1>A prose note here.</ref>\n}}\n"
    assert [r.key for r in _article_of(ungrouped).references] == ["r1"]


def test_a_bare_link_s_stale_tag_goes_and_a_tag_is_its_own_citation_s() -> None:
    link = LinkStatus("http://e.org/ok", LinkVerdict.OK, 200)
    bare = "A.<ref name=v>[http://e.org/ok The page] {{dead link|date=May 2020}}</ref>\n"
    ref = _article_of(bare).references[0]
    result = CheckResult(results=(ReferenceResult(ref, (), links=(link,)),))
    findings, out = _dead_link_export(bare, result)
    assert [f.rule for f in findings] == ["dead-link-stale"]
    assert out.text == bare.replace(" {{dead link|date=May 2020}}", "")
    # Two citations in one ref: the tag after the second is the second's, not the first's.
    two = (
        "A.<ref name=b>{{cite web |url=http://e.org/ok |title=One}} "
        "{{cite web |url=http://e.org/gone |title=Two}}{{dead link}}</ref>\n"
    )
    first, second = _article_of(two).references
    gone = LinkStatus("http://e.org/gone", LinkVerdict.DEAD, 404)
    result = CheckResult(
        results=(
            ReferenceResult(first, (), links=(link,)),
            ReferenceResult(second, (), links=(gone,)),
        )
    )
    findings, out = _dead_link_export(two, result)
    assert findings == [] and out.text == two
