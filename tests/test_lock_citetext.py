"""The digest of an article citation's text (tracking/lockfile/citetext.py), how a
revision's citation is judged edited with it (revisions.edited), and the lockfile schema
that records it (1 without texts, 2 with; a newer one refused)."""

from __future__ import annotations

import json

import pytest

from citetrack.model import Location, Reference
from citetrack.tracking.lockfile import LockError
from citetrack.tracking.lockfile.citetext import canonical, recorded_text, text_digest
from citetrack.tracking.lockfile.fileformat import dumps_lock, parse_lock
from citetrack.tracking.lockfile.revisions import edited, fingerprint
from citetrack.tracking.lockfile.state import ArticleRecord, Lock

CITE = (
    "{{cite journal |last=Mignogna |first=MD |title=Necrolytic migratory erythema "
    "|journal=Oral Oncol |volume=359 |pages=12–8 |doi=10.1/x |access-date=1 June 2021}}"
)


def ref(source: str | None, *, volume: str = "359", key: str = "k") -> Reference:
    return Reference(
        key=key,
        entry_type="article",
        fields={"title": "Necrolytic migratory erythema", "volume": volume},
        location=Location(line=3, source=source),
    )


@pytest.mark.parametrize(
    "edit",
    [
        # spacing, template name, parameter order and names' spelling
        CITE.replace(" |", "|").replace("cite journal", "Cite_Journal"),
        CITE.replace("|volume=359 |pages=12–8", "|pages=12–8 |volume=359"),
        CITE.replace("|access-date=", "|accessdate="),  # Monkbot's hyphenation, undone
        # InternetArchiveBot and friends: access date, archive, status, date format
        CITE.replace("1 June 2021", "3 March 2023"),
        CITE.replace("}}", " |archive-url=https://web.archive.org/x |archive-date=2023 }}"),
        CITE.replace("}}", "|url-status=live |df=dmy-all}}"),
        # a comment, an empty parameter, a line break
        CITE.replace("|volume", "<!-- checked -->\n|pmc= |volume"),
    ],
)
def test_what_bots_and_layout_change_is_the_same_text(edit: str) -> None:
    assert canonical(edit) == canonical(CITE)
    assert text_digest(ref(edit)) == text_digest(ref(CITE))


@pytest.mark.parametrize(
    "edit",
    [
        CITE.replace("volume=359", "volume=360"),
        CITE.replace("|doi=10.1/x ", ""),
        CITE.replace("}}", "|pmid=123}}"),
        CITE.replace("cite journal", "cite book"),
        CITE.replace("Mignogna", "Mignona"),
    ],
)
def test_an_edit_of_what_the_citation_says_is_another_text(edit: str) -> None:
    assert text_digest(ref(edit)) != text_digest(ref(CITE))


def test_a_ref_without_template_and_a_text_without_a_source() -> None:
    assert canonical("  Smith J.  <!-- x -->Zinc.\n 2001 ") == "Smith J. Zinc. 2001"
    assert text_digest(ref(None)) is None
    digest = text_digest(ref(CITE))
    assert digest is not None and digest.startswith("t1:") and len(digest) == 15
    # a digest taken under other rules is as good as none (never compared)
    assert recorded_text("t9:0123456789ab") is None


def test_the_source_is_no_part_of_a_location_s_equality() -> None:
    assert Location(line=3, source="a") == Location(line=3, source="b")


def test_edited_needs_the_text_and_the_fingerprint_to_differ() -> None:
    record = ArticleRecord(
        source="p.wiki",
        format="wikitext",
        citations={"k": "0123456789ab"},  # an older parser's fingerprint
        texts={"k": text_digest(ref(CITE)) or ""},
    )
    # the same text, read otherwise: no edit
    assert edited(record, ref(CITE)) is False
    # a bot's edit, read otherwise: no edit
    assert edited(record, ref(CITE.replace("1 June 2021", "2 May 2024"))) is False
    # a real edit
    assert edited(record, ref(CITE.replace("359", "360"), volume="360")) is True
    # a cosmetic edit (the fingerprint is the same): no edit
    same = ArticleRecord(
        source="p.wiki",
        format="wikitext",
        citations={"k": fingerprint(ref(CITE))},
        texts=record.texts,
    )
    assert edited(same, ref(CITE.replace("12–8", "12-18"))) is False
    # no text recorded (schema 1), or none now (a citation not located): unknown
    old = ArticleRecord(source="p.wiki", format="wikitext", citations=record.citations)
    assert edited(old, ref(CITE)) is None
    assert edited(record, ref(None)) is None
    # a citation the record does not know: not edited (it is added)
    assert edited(record, ref(CITE, key="other")) is False


def _lock(texts: dict[str, str]) -> Lock:
    article = ArticleRecord(
        source="p.wiki", format="wikitext", citations={"k": "0123456789ab"}, texts=texts
    )
    return Lock(articles={"P": article})


def test_schema_1_without_texts_2_with_them_and_both_read_back() -> None:
    plain = dumps_lock(_lock({}))
    assert json.loads(plain)["schema_version"] == 1  # an older citetrack reads it
    assert parse_lock(plain).articles == _lock({}).articles
    texts = {"k": "t1:00112233aabb"}
    newer = dumps_lock(_lock(texts))
    assert json.loads(newer)["schema_version"] == 2
    assert parse_lock(newer).articles["P"].texts == texts
    assert parse_lock(newer.encode()).articles["P"].texts == texts


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        # schema 1 never held texts
        (
            {
                "schema_version": 1,
                "articles": {"P": {"source": "p", "format": "wikitext", "texts": {}}},
            },
            "unknown key 'texts'",
        ),
        (
            {
                "schema_version": 2,
                "articles": {"P": {"source": "p", "format": "wikitext", "texts": {"k": "abc"}}},
            },
            "articles.P.texts.k",
        ),
        ({"schema_version": 0}, "schema_version: expected 1 or 2"),
        ({"schema_version": 3}, "newer citetrack (schema_version 3; this version reads 1 to 2)"),
    ],
)
def test_what_the_schemas_refuse(doc: dict[str, object], problem: str) -> None:
    with pytest.raises(LockError) as caught:
        parse_lock(json.dumps(doc))
    assert problem in str(caught.value)
