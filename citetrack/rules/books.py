"""Books: compare a cited ISBN's book with Open Library's / Google Books' record.

Pure.  Evidence items about the reference's ISBN (sources
:attr:`~citetrack.model.Source.OPENLIBRARY` and :attr:`~citetrack.model.Source.GOOGLE_BOOKS`)
go in, findings come out.  Rules:

``isbn-confirmed`` (note)
    a record of the ISBN agrees with the citation: says which registry confirmed the book.
``isbn-not-found`` (warning)
    both Open Library and Google Books answered that they have no record of the ISBN.
    Never broken: their coverage of books is incomplete.
``unverified`` (unverified)
    no record was found and at least one of the two could not be asked (down, quota).
``metadata-mismatch`` (warning), one per field, when *no* record supports the cited value
    within a librarian's tolerances:

    * **title** — :func:`book_titles_match`: case, punctuation, markup, diacritics, a
      subtitle present on one side only, edition statements ("2nd ed.", "Tenth
      edition") and format words ("E-Book", "eBook", "Kindle edition") are ignored; a
      different book's title is reported with the record's title as expected value;
    * **author** — the cited first author's family name appears among the record's
      authors (book catalogues list an edition's authors in their own order, and
      citations often name a previous edition's lead author);
    * **year** — any year the record gives (edition, printing) equals a cited year;
    * **publisher** — the two names share a significant word once corporate words
      ("Inc", "Ltd", "Publishing", "Press"…) are dropped ("Saunders Elsevier" =
      "Elsevier Saunders" = "W.B. Saunders Co.").

ISBN-10 and ISBN-13 of one edition are one ISBN (records are keyed by ISBN-13).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from citetrack.identifiers import normalize_isbn
from citetrack.model import (
    Evidence,
    Finding,
    Found,
    NotFound,
    Reference,
    Severity,
    Source,
    Unavailable,
    WorkMetadata,
)
from citetrack.rules.compare import RULE_MISMATCH, RULE_UNVERIFIED, titles_match
from citetrack.rules.fields import extract_years, family_matches, split_authors
from citetrack.rules.text import fold, main_title

RULE_ISBN_NOT_FOUND = "isbn-not-found"
RULE_ISBN_CONFIRMED = "isbn-confirmed"
BOOK_SOURCES = (Source.OPENLIBRARY, Source.GOOGLE_BOOKS)
_NAMES = {Source.OPENLIBRARY: "Open Library", Source.GOOGLE_BOOKS: "Google Books"}

_EDITION = re.compile(
    r"\b(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|new|revised|updated|"
    r"international|student|special)\s+(?:ed|edn|edition)\b\.?|\b(?:ed|edn|edition)\s+\d+\b",
    re.IGNORECASE,
)
_FORMAT = re.compile(
    r"\b(?:e[\s-]?book|kindle\s+edition|ebook\s+edition|paperback|hardcover|print\s+edition)\b",
    re.IGNORECASE,
)
# fmt: off
_PUBLISHER_NOISE = frozenset((
    "inc", "incorporated", "ltd", "limited", "co", "company", "corp", "corporation", "llc",
    "plc", "gmbh", "ag", "sa", "publishing", "publisher", "publishers", "pub", "pubs",
    "press", "verlag", "editions", "edition", "group", "house", "books", "media", "health",
    "sciences", "science", "the", "and", "of",
))
# fmt: on


def _bare(title: str) -> str:
    """A book title without edition statements, format words and bracketed remarks."""
    text = _FORMAT.sub(" ", _EDITION.sub(" ", title))
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)
    return re.sub(r"[\s,;:.-]+$", "", text).strip()


def book_titles_match(cited: str, registry: str) -> bool:
    """Same book title, allowing edition and format words and a missing subtitle."""
    a, b = _bare(cited), _bare(registry)
    if not fold(a) or not fold(b):
        return False
    if titles_match(a, b):
        return True
    # One side's whole title is the other's main title (subtitle dropped), however short.
    return fold(a) in (main_title(b), fold(b)) or fold(b) in (main_title(a), fold(a))


def publishers_match(cited: str, registry: str) -> bool:
    """The publishers share a significant word (see the module docstring)."""
    mine = set(fold(cited).split()) - _PUBLISHER_NOISE
    theirs = set(fold(registry).split()) - _PUBLISHER_NOISE
    if not mine or not theirs:
        return fold(cited) == fold(registry)
    return bool(mine & theirs)


def _book_fields(ref: Reference) -> tuple[str, str]:
    """The names of the fields that hold the ISBN's book's title and people: for a part
    of a book (``@incollection``, ``@inproceedings``, a biblatex ``@inbook``: it has a
    ``booktitle``) the ISBN is the book's, so its ``booktitle`` and its ``bookauthor`` or
    ``editor``, not the chapter's title and authors."""
    if ref.get("booktitle"):
        return "booktitle", "bookauthor" if ref.get("bookauthor") else "editor"
    return "title", "author" if ref.get("author") else "editor"


def _author_found(ref: Reference, meta: WorkMetadata) -> bool | None:
    cited = split_authors(ref.get(_book_fields(ref)[1])).authors
    if not cited or not meta.authors:
        return None
    first = cited[0]
    if first.literal:
        return any(fold(first.literal) == fold(a.literal or a.display) for a in meta.authors)
    return any(a.family and family_matches(first.family, a.family) for a in meta.authors)


def _isbn_items(ref: Reference, evidence: Sequence[Evidence]) -> list[Evidence]:
    isbn = ref.identifiers.isbn
    return [
        e
        for e in evidence
        if e.source in BOOK_SOURCES and isbn and normalize_isbn(e.identifier) == isbn
    ]


def _mismatches(ref: Reference, records: list[Found]) -> list[Finding]:
    out: list[Finding] = []
    first = records[0]
    name = _NAMES[first.source]
    title_field, people_field = _book_fields(ref)
    title = ref.get(title_field)
    titled = [r for r in records if r.metadata.title]
    if (
        title
        and titled
        and not any(book_titles_match(title, r.metadata.title or "") for r in titled)
    ):
        theirs = titled[0].metadata.title or ""
        out.append(
            Finding.about(
                ref,
                RULE_MISMATCH,
                Severity.WARNING,
                f"ISBN {ref.identifiers.isbn} is '{theirs}' in {_NAMES[titled[0].source]}, "
                "a different title: the ISBN or the title is wrong.",
                field=title_field,
                expected=theirs,
                actual=title,
                source=titled[0].source,
            )
        )
        return out  # another book: its authors, year and publisher say nothing more
    verdicts = [v for r in records if (v := _author_found(ref, r.metadata)) is not None]
    if verdicts and not any(verdicts):
        people = "; ".join(a.display for a in first.metadata.authors) or "?"
        out.append(
            Finding.about(
                ref,
                RULE_MISMATCH,
                Severity.WARNING,
                f"The first author is not among {name}'s authors of this book ({people}).",
                field=people_field,
                expected=people,
                actual=ref.get(people_field),
                source=first.source,
            )
        )
    cited_years = set(extract_years(ref.get("year") or ref.get("date")))
    book_years = {y for r in records for y in (*r.metadata.years, r.metadata.year) if y}
    if cited_years and book_years and not cited_years & book_years:
        accepted = ", ".join(str(y) for y in sorted(book_years))
        out.append(
            Finding.about(
                ref,
                RULE_MISMATCH,
                Severity.WARNING,
                f"The year {ref.get('year') or ref.get('date')} is not a year the book "
                f"registries give for this ISBN ({accepted}).",
                field="year",
                expected=accepted,
                actual=ref.get("year") or ref.get("date"),
                source=first.source,
            )
        )
    publisher = ref.get("publisher")
    named = [r for r in records if r.metadata.publisher]
    if (
        publisher
        and named
        and not any(publishers_match(publisher, r.metadata.publisher or "") for r in named)
    ):
        theirs_p = named[0].metadata.publisher or ""
        out.append(
            Finding.about(
                ref,
                RULE_MISMATCH,
                Severity.WARNING,
                f"The publisher differs from {_NAMES[named[0].source]}'s '{theirs_p}'.",
                field="publisher",
                expected=theirs_p,
                actual=publisher,
                source=named[0].source,
            )
        )
    return out


def _confirmed(ref: Reference, record: Found) -> Finding:
    meta = record.metadata
    about = ", ".join(str(x) for x in (meta.publisher, meta.year) if x)
    return Finding.about(
        ref,
        RULE_ISBN_CONFIRMED,
        Severity.NOTE,
        f"{_NAMES[record.source]} has ISBN {ref.identifiers.isbn}: '{meta.title}'"
        + (f" ({about})" if about else "")
        + "; the cited title, first author, year and publisher agree with it.",
        field="isbn",
        expected=meta.title,
        source=record.source,
    )


def book_findings(ref: Reference, evidence: Sequence[Evidence]) -> list[Finding]:
    """Findings about the reference's ISBN from the book registries' evidence."""
    items = _isbn_items(ref, evidence)
    if not items:
        return []
    isbn = ref.identifiers.isbn
    found = [e for e in items if isinstance(e, Found)]
    if found:
        return _mismatches(ref, found) or [_confirmed(ref, found[0])]
    unavailable = [e for e in items if isinstance(e, Unavailable)]
    said = "; ".join(f"{_NAMES[e.source]}: {getattr(e, 'reason', '')}" for e in items)
    if unavailable:
        return [
            Finding.about(
                ref,
                RULE_UNVERIFIED,
                Severity.UNVERIFIED,
                f"ISBN {isbn} could not be verified ({said}).",
                field="isbn",
                actual=ref.get("isbn"),
                source=unavailable[0].source,
            )
        ]
    missing = {e.source for e in items if isinstance(e, NotFound)}
    if missing >= set(BOOK_SOURCES):
        return [
            Finding.about(
                ref,
                RULE_ISBN_NOT_FOUND,
                Severity.WARNING,
                f"Neither Open Library nor Google Books has a record of ISBN {isbn}: check "
                "it against the book (their coverage is incomplete, so it may still be right).",
                field="isbn",
                actual=ref.get("isbn"),
                source=Source.GOOGLE_BOOKS,
            )
        ]
    return []
