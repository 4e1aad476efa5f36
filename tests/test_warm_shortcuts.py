"""Shortcuts of the warm path (issue 16) give exactly what the long way gives.

References and records here are SYNTHETIC.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from citetrack.inputs.bib.reuse import LineCounter
from citetrack.links.targets import parse_access_date
from citetrack.model import Found, Identifiers, Reference, Source, WorkMetadata
from citetrack.registries.books_search import extra_evidence
from citetrack.rules.search import search_key

_DATES = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.from_regex(
        r"(Retrieved |accessed )?[0-9]{1,4}[-/. ][0-9]{1,2}([-/. ][0-9]{1,4})?", fullmatch=True
    ),
    st.from_regex(r"[0-9]{1,2}(st|nd|th)? (May|jan|Sept\.|June),? [0-9]{4}", fullmatch=True),
    st.sampled_from(["2024-01-15", "{2019-05}", "May 1, 2019", "30/02/2019", "2019-02-30"]),
)


@settings(max_examples=400, deadline=None)
@given(texts=st.lists(_DATES, max_size=6))
def test_a_remembered_access_date_is_the_one_read_afresh(texts: list[str | None]) -> None:
    for text in [*texts, *texts]:  # the second time from the cache
        assert parse_access_date(text) == parse_access_date.__wrapped__(text)


def _ref(key: str, isbn: str | None) -> Reference:
    return Reference(key, "book", {"title": "T"}, Identifiers(isbn=isbn), 3, "a.bib")


def test_extra_evidence_without_searches_is_the_books_alone() -> None:
    meta = WorkMetadata(source=Source.OPENLIBRARY, title="T")
    book = Found(Source.OPENLIBRARY, "9780000000002", meta)
    books = {"9780000000002": [book]}
    for ref in (_ref("a", "9780000000002"), _ref("b", None)):
        for search in ({}, {search_key(ref): [book, book]}, {"other": [book]}):
            want = [*books.get(ref.identifiers.isbn or "", ()), *search.get(search_key(ref), ())]
            assert extra_evidence(ref, books, search) == want


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet="@x\r\n", max_size=60),
    cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=8),
)
def test_line_breaks_counted_without_a_cr_are_the_three_counts(text: str, cuts: list[int]) -> None:
    # The loader asks for increasing offsets, none inside a CRLF (a chunk starts at "@").
    offsets = sorted({c for c in cuts if c <= len(text) and text[c - 1 : c + 1] != "\r\n"})
    counter = LineCounter(text)
    for offset in offsets:
        want = text.count("\n", 0, offset) + text.count("\r", 0, offset)
        want -= text.count("\r\n", 0, offset)
        assert counter.before(offset) == want
