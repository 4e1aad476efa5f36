"""Wikitext export: minimal template edits, spacing kept, byte-identical without fixes."""

from __future__ import annotations

from pathlib import Path

import mwparserfromhell
import pytest

from citetrack.export import FIX_KINDS
from citetrack.export.wikitext import (
    Edit,
    Planned,
    apply_plans,
    archive_fixes,
    edit_summary,
    local_fixes,
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

DATA = Path(__file__).parent / "data"
ALL = frozenset(FIX_KINDS)
REAL = DATA / "articles" / "wernicke_korsakoff_syndrome.mdwiki.wiki"
SEED = (
    Path(__file__).parent.parent
    / "citetrack_emulator/data/wiki/Necrolytic_migratory_erythema.synthetic.wiki"
)

# SYNTHETIC edge cases: CRLF line ends, a table, comments, nested templates, odd spacing.
EDGES = (
    "{{Infobox|a=1<!-- c -->|b={{nowrap|x}}}}\r\n"
    '{| class="wikitable"\r\n|-\r\n| cell<ref>{{cite web |title=T |url=http://e.org/x '
    "|isbn=ISBN 978-0-7216-2921-6 }}</ref> || b\r\n|}\r\n"
    "<!-- <ref>{{cite web|title=not a ref}}</ref> -->\r\n"
    "Text<ref name=n>{{cite journal\r\n | title = N\r\n | pages = 151-8\r\n"
    " | doi = doi:10.1000/XYZ.\r\n}}</ref>\r\n"
)


def _article(text: str, name: str = "a.wiki"):  # type: ignore[no-untyped-def]
    return read_article(text, ArticleInfo(source=name, format=""), display=name)


def _local(text: str):  # type: ignore[no-untyped-def]
    article = _article(text)
    code = mwparserfromhell.parse(text)
    plans = local_fixes(article.references, templates_by_key(text, article.references, code))
    return article, plans


@pytest.mark.parametrize("path", [REAL, SEED], ids=["wks-mdwiki", "nme-synthetic"])
def test_every_fix_off_gives_the_article_back_byte_for_byte(path: Path) -> None:
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    article, plans = _local(text)
    out = apply_plans(text, article.references, plans, frozenset())
    assert out.text.encode("utf-8") == raw and out.edits == ()


def test_edge_cases_round_trip_and_edit_only_inside_templates() -> None:
    article, plans = _local(EDGES)
    assert apply_plans(EDGES, article.references, plans, frozenset()).text == EDGES
    out = apply_plans(EDGES, article.references, plans, ALL)
    assert out.text == EDGES.replace("ISBN 978-0-7216-2921-6 ", "978-0-7216-2921-6 ").replace(
        " | pages = 151-8\r\n", " | pages = 151–8\r\n"
    ).replace(" | doi = doi:10.1000/XYZ.\r\n", " | doi = 10.1000/XYZ\r\n")
    assert {(e.param, e.kind) for e in out.edits} == {
        ("isbn", "identifiers"),
        ("pages", "pages"),
        ("doi", "identifiers"),
    }
    assert "not a ref" in out.text  # the commented-out template is untouched


def test_valid_identifiers_are_never_restyled() -> None:
    text = "<ref>{{cite book |title=B |isbn=9780721629216 |doi=10.1/a |pmid=123 |pmc=456}}</ref>"
    assert _local(text)[1] == []


def test_real_article_has_nothing_to_normalise_locally_but_pages() -> None:
    text = REAL.read_text(encoding="utf-8")
    _, plans = _local(text)
    assert {p.kind for p in plans} <= {"pages"}  # its identifiers are well-formed


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            "{{cite journal |title=T |doi=10.1/x |pages=1 }}",
            "{{cite journal |title=T |doi=10.1/x |pmid=42 |pages=1 }}",
        ),
        (
            "{{cite journal | title = T | doi = 10.1/x }}",
            "{{cite journal | title = T | doi = 10.1/x | pmid = 42 }}",
        ),
        (
            "{{cite journal|title=T|doi=10.1/x}}",
            "{{cite journal|title=T|doi=10.1/x|pmid=42}}",
        ),
        (
            "{{cite journal\n| title = T\n| doi = 10.1/x\n}}",
            "{{cite journal\n| title = T\n| doi = 10.1/x\n| pmid = 42\n}}",
        ),
        (
            "{{cite journal\n |title=T\n |pages=3\n}}",
            "{{cite journal\n |title=T\n |pages=3\n |pmid=42\n}}",
        ),
    ],
)
def test_an_added_parameter_copies_the_spacing_of_its_neighbour(
    template: str, expected: str
) -> None:
    text = f"Text.<ref name=r>{template}</ref> end\n"
    article = _article(text)
    plan = Planned("r", "pmid", "42", "add-ids", "PubMed knows it", "pubmed", only_if_absent=True)
    out = apply_plans(text, article.references, [plan], ALL)
    assert out.text == f"Text.<ref name=r>{expected}</ref> end\n"
    assert out.edits[0].old is None and out.edits[0].new == "42"


def test_a_value_with_markup_is_left_alone_and_reported() -> None:
    text = "<ref name=r>{{cite journal |title=T |pmid=111 <!-- checked --> }}</ref>"
    article = _article(text)
    plan = Planned("r", "pmid", "222", "metadata", "wrong PMID", "pubmed")
    out = apply_plans(text, article.references, [plan], ALL)
    assert out.text == text and out.skipped and "markup" in out.skipped[0].reason


def test_dead_url_gets_iabot_archive_parameters_in_the_access_date_style() -> None:
    text = (
        "<ref name=j>{{cite journal |title=J |url=http://e.org/dead.pdf "
        "|access-date=2 June 2021 |issn=1590-8577}}</ref>"
    )
    article = _article(text)
    ref = article.references[0]
    dead = Finding(
        ref.key,
        "url-dead",
        Severity.BROKEN,
        "URL is dead (HTTP 404).",
        field="url",
        actual="http://e.org/dead.pdf",
        source=Source.WEB,
    )
    capture = ArchiveStatus(
        url="http://e.org/dead.pdf",
        archive_url="http://127.0.0.1:1/wayback/web/20200601120000/http://e.org/dead.pdf",
        timestamp="20200601120000",
        original_status=200,
        available=True,
    )
    result = CheckResult(results=(ReferenceResult(ref, (dead,), archives=(capture,)),))
    code = mwparserfromhell.parse(text)
    plans = archive_fixes(result, templates_by_key(text, article.references, code))
    out = apply_plans(text, article.references, plans, ALL)
    assert out.text == (
        "<ref name=j>{{cite journal |title=J |url=http://e.org/dead.pdf "
        "|access-date=2 June 2021 "
        "|archive-url=https://web.archive.org/web/20200601120000/http://e.org/dead.pdf "
        "|archive-date=1 June 2020 |url-status=dead |issn=1590-8577}}</ref>"
    )
    assert apply_plans(text, article.references, plans, ALL - {"archive"}).text == text


def test_edit_summary_in_editors_style() -> None:
    def e(param: str, kind: str, old: str | None = None) -> Edit:
        return Edit("k", 1, param, old, "v", kind, "r", "s")

    edits = [
        e("pmid", "add-ids"),
        e("pmid", "add-ids"),
        e("pmid", "add-ids"),
        e("archive-url", "archive"),
        e("archive-date", "archive"),
        e("url-status", "archive"),
        e("pages", "pages", "1-2"),
        e("pages", "pages", "3-4"),
    ]
    assert edit_summary(edits) == "citetrack: added 3 PMIDs, 1 archive link; fixed 2 page ranges"
    assert edit_summary([]) == "citetrack: no changes"


# SYNTHETIC: a footnote in a <gallery> caption. MediaWiki reads captions as wikitext and
# shows their footnotes (numbered in page order); mwparserfromhell keeps a gallery's
# contents as plain text.
GALLERY = (
    "Intro.<ref name=a>{{cite journal |title=A |journal=J |year=2001 |doi=10.1000/a}}</ref>\n"
    "<gallery>\n"
    "File:Rash1.jpg|Rash on the legs<ref>{{cite journal |title=Rash |journal=J |year=2009 "
    "|doi=doi:10.1000/XYZ. |pages=73-98}}</ref>\n"
    "File:Rash2.jpg|Rash on the face<ref name=a/>\n"
    "</gallery>\n"
    "After.<ref name=b>{{cite journal |title=B |journal=J |year=2002 |doi=10.1000/b}}</ref>\n"
)


def test_a_footnote_in_a_gallery_caption_is_read_located_and_fixed_in_place() -> None:
    article, plans = _local(GALLERY)
    assert [(r.get("title"), r.location.line, r.location.number) for r in article.references] == [
        ("A", 1, "1"),
        ("Rash", 3, "2"),
        ("B", 6, "3"),
    ]
    code = mwparserfromhell.parse(GALLERY)
    assert apply_plans(GALLERY, article.references, plans, frozenset()).text == GALLERY
    out = apply_plans(GALLERY, article.references, plans, ALL)
    assert out.text == GALLERY.replace("doi:10.1000/XYZ. ", "10.1000/XYZ ").replace(
        "73-98", "73–98"
    )
    assert str(code) == GALLERY
