"""Articles as input: format detection, locations, rendered numbers and stable keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from citetrack.inputs.article import read_article, wants_article
from citetrack.model import ArticleInfo

DATA = Path(__file__).parent / "data"
WKS = DATA / "articles" / "wernicke_korsakoff_syndrome.mdwiki.wiki"

# SYNTHETIC wikitext written for these tests.
PAGE = (
    "{{Infobox medical condition\n"
    "| name = X<ref name=a>{{cite web |title=Alpha page |url=http://example.org/a }}</ref>\n"
    "}}\n"
    "Text.<ref>{{cite journal |last1=Smith |first1=J |title=Beta study |journal=J "
    "|year=2001 }}</ref> again<ref name=a/>\n"
    "x<ref group=note>a note citing {{cite journal|title=Noted|doi=10.1/n}}</ref> "
    'y<ref name="b">{{cite journal|title=D1|doi=10.1/a}}'
    "{{cite journal|title=D2|doi=10.1/b}}</ref>\n"
    "{{reflist}}\n"
)


def _read(text: str, name: str = "t.wiki"):  # type: ignore[no-untyped-def]
    return read_article(text, ArticleInfo(source=name, format=""), display=name)


def test_every_reference_is_located_with_line_column_name_and_number() -> None:
    article = _read(PAGE)
    got = {
        r.key: (r.location.line, r.location.column, r.location.ref_name, r.location.number)
        for r in article.references
        if r.location
    }
    assert got["a"] == (2, 23, "a", "1")
    smith = next(k for k in got if k.startswith("smith-"))
    assert got[smith] == (4, 11, None, "2")
    assert got["b"] == (5, 93, "b", "3")  # the group=note ref does not take a number
    assert got["b-2"] == (5, 129, "b", "3")  # two citations in one ref: one number
    note = next(r for r in article.references if r.location and r.location.number == "note 1")
    assert note.location is not None and note.location.line == 5
    assert all(r.path == "t.wiki" for r in article.references)
    assert article.info.format == "wikitext" and article.info.name == "t.wiki"


def test_keys_survive_moves_and_edits_around_the_references() -> None:
    before = {r.key for r in _read(PAGE).references}
    moved = PAGE.replace("Text.", "Some new sentence first.\n\nText.").replace(
        "x<ref group=note>a note citing {{cite journal|title=Noted|doi=10.1/n}}</ref> "
        'y<ref name="b">',
        '<ref name="b">',
    )
    after = {r.key for r in _read(moved).references}
    assert before - after == {k for k in before if k.startswith("ref-")}  # the deleted note
    assert after <= before


# SYNTHETIC: two unnamed web citations with one title and no author (a MedlinePlus and
# an NHS page both called "Glucagonoma"): their keys are alike but for the suffix.
MEDLINE = (
    "A.<ref>{{cite web |title=Glucagonoma |url=http://e.org/medline |website=MedlinePlus}}</ref>\n"
)
NHS = "B.<ref>{{cite web |title=Glucagonoma |url=http://e.org/nhs |website=nhs.uk}}</ref>\n"


def _key_of(text: str, url: str) -> str:
    return next(r.key for r in _read(text).references if r.get("url") == url)


def test_citations_alike_but_for_their_url_keep_their_keys_whatever_their_order() -> None:
    both = MEDLINE + NHS
    keys = {url: _key_of(both, url) for url in ("http://e.org/medline", "http://e.org/nhs")}
    assert len(set(keys.values())) == 2
    # Swapped: each keeps its own key (the lockfile then has nothing to report).
    swapped = NHS + MEDLINE
    assert {url: _key_of(swapped, url) for url in keys} == keys
    # The first one deleted: the other does not take over its key (the lockfile would say
    # the NHS citation was edited into the MedlinePlus one's place).
    assert _key_of(NHS, "http://e.org/nhs") != keys["http://e.org/medline"]
    # Citations alike in everything are still told apart by their order.
    assert [r.key for r in _read(NHS + NHS).references] == [
        _key_of(NHS, "http://e.org/nhs"),
        _key_of(NHS, "http://e.org/nhs") + "-2",
    ]


def test_unnamed_key_is_a_content_hash_not_a_position() -> None:
    one = _read("A.<ref>{{cite web |last=Roe |title=Some page |url=http://e.org/x}}</ref>")
    two = _read(
        "Other text here.\n\nB.<ref>{{cite web |title=Some page |last=Roe |url=http://e.org/x}}</ref>"
    )
    assert one.references[0].key == two.references[0].key
    assert one.references[0].key.startswith("roe-")


def test_real_article_every_reference_located_and_numbered_like_the_cite_extension() -> None:
    article = _read(WKS.read_text(encoding="utf-8"), "wks.wiki")
    refs = article.references
    assert len(refs) == 42  # 41 parsed + the one in a figure caption
    assert all(r.location is not None for r in refs)
    by_key = {r.key: r.location for r in refs}
    # First used (not defined) in the infobox: number 1, as the rendered page shows it.
    assert by_key["Medline771"] is not None and by_key["Medline771"].number == "1"
    assert by_key["NIH2022"] is not None and by_key["NIH2022"].number == "3"
    # The ref inside the figure caption ([[File:…|…<ref>…</ref>]]) is found and numbered.
    caption = next(r for r in refs if r.key.startswith("eva-"))
    assert caption.location is not None and caption.location.number == "26"
    assert len({r.key for r in refs}) == len(refs)
    text = WKS.read_text(encoding="utf-8").split("\n")
    for ref in refs:
        loc = ref.location
        assert loc is not None
        snippet = text[loc.line - 1][loc.column - 1 :]
        assert snippet.startswith(("{{", "<ref")), (ref.key, snippet[:30])


def test_rendered_text_gets_numbers_from_the_list() -> None:
    text = (DATA / "parse" / "necrolytic-migratory-erythema.txt").read_text(encoding="utf-8")
    article = _read(text, "nme.txt")
    assert article.info.format == "text"
    numbers = [r.location.number for r in article.references if r.location]
    assert numbers[:3] == ["1", "2", "3"] and len(article.references) == 10


def test_references_run_together_on_one_line_get_their_own_numbers() -> None:
    # SYNTHETIC: a list that lost its line breaks; each reference keeps its place.
    text = (
        "References 1. Doe J. A made-up study. Fict J. 2001;4(2):10-19. 2. Poe K. Another "
        "invented study. Fict Med. 2003;7:1-9. 3. Loe M. Third invented paper. Fict Surg. "
        "2010;2(1):33-40.\n4. Moe Q. A fourth invented paper. Fict J. 2011;1:1-2.\n"
    )
    article = _read(text, "runon.txt")
    located = [(r.location.line, r.location.number) for r in article.references if r.location]
    assert located == [(1, "1"), (1, "2"), (1, "3"), (2, "4")]


@pytest.mark.parametrize(
    ("arg", "fmt", "head", "expected"),
    [
        ("refs.bib", "auto", "@article{x, title={y}}", False),
        ("page.wiki", "auto", None, True),
        ("https://mdwiki.org/wiki/X", "auto", None, True),
        ("notes", "auto", "<ref>{{cite web|title=x}}</ref>", True),
        ("notes", "auto", "@book{k, title = {t}}\n", False),
        ("refs.bib", "wikitext", None, True),
        ("page.wiki", "bib", None, False),
    ],
)
def test_format_detection(arg: str, fmt: str, head: str | None, expected: bool) -> None:
    assert wants_article(arg, fmt, head) is expected  # type: ignore[arg-type]
