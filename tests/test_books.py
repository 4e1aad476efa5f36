"""Books: the ISBN rules (pure) and, end to end, Open Library → Google Books → verdicts.

The book records are the SYNTHETIC ones of the emulator's seed world (Andrews' Diseases
of the Skin in Open Library only, Weedon's Skin Pathology in Google Books only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from citetrack.identifiers import extract_identifiers
from citetrack.model import Author, Found, NotFound, Reference, Severity, Source, Unavailable
from citetrack.model import WorkMetadata as Meta
from citetrack.rules.books import book_findings, book_titles_match, publishers_match
from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, by_key, rules, run_cli

ANDREWS = "9780721629216"
WEEDON = "9780702075834"
UNKNOWN = "9780306406157"  # a valid ISBN-13 no emulated registry knows


def book(**fields: str) -> Reference:
    base = {
        "author": "Odom, Richard B. and James, William D.",
        "title": "Andrews' diseases of the skin: clinical dermatology",
        "year": "2006",
        "publisher": "Saunders Elsevier",
        "isbn": "978-0-7216-2921-6",
    }
    base.update(fields)
    return Reference("odom", "book", base, extract_identifiers(base)[0], line=3)


RECORD = Meta(
    source=Source.OPENLIBRARY,
    title="Andrews' diseases of the skin: clinical dermatology",
    authors=(Author("James", "William D."), Author("Odom", "Richard B.")),
    year=2006,
    years=(2006,),
    publisher="Saunders Elsevier",
    isbn=(ANDREWS,),
)


def found(meta: Meta = RECORD, isbn: str = ANDREWS) -> Found:
    return Found(meta.source, isbn, meta)


# ------------------------------------------------------------------------ tolerances


@pytest.mark.parametrize(
    ("cited", "registry"),
    [
        ("Andrews' diseases of the skin", "Andrews' diseases of the skin: clinical dermatology"),
        ("Weedon's Skin Pathology E-Book", "Weedon's skin pathology"),
        ("Weedon's Skin Pathology, 5th edition", "Weedon's Skin Pathology"),
        ("ANDREWS’ DISEASES OF THE SKIN", "Andrews' diseases of the skin"),
        ("Skin & bone", "Skin and Bone (Second edition)"),
    ],
)
def test_book_title_tolerances(cited: str, registry: str) -> None:
    assert book_titles_match(cited, registry)


def test_a_different_book_is_not_the_same_title() -> None:
    assert not book_titles_match("Weedon's Skin Pathology", "Andrews' diseases of the skin")


@pytest.mark.parametrize(
    ("cited", "registry", "same"),
    [
        ("Saunders Elsevier", "Elsevier Saunders", True),
        ("W.B. Saunders Co.", "Saunders", True),
        ("Elsevier Health Sciences", "Elsevier", True),
        ("Springer", "Oxford University Press", False),
    ],
)
def test_publisher_tolerances(cited: str, registry: str, same: bool) -> None:
    assert publishers_match(cited, registry) is same


def test_a_matching_record_confirms_the_book_with_its_source() -> None:
    (finding,) = book_findings(book(), [found()])
    assert (finding.rule, finding.severity, finding.source) == (
        "isbn-confirmed",
        Severity.NOTE,
        Source.OPENLIBRARY,
    )


def test_isbn10_of_the_same_edition_is_the_same_isbn() -> None:
    ref = book(isbn="0-7216-2921-0")
    assert ref.identifiers.isbn == ANDREWS
    assert [f.rule for f in book_findings(ref, [found()])] == ["isbn-confirmed"]


def test_any_year_the_record_gives_is_accepted() -> None:
    reprint = Meta(**{**RECORD.__dict__, "year": 2005, "years": (2005, 2006)})
    assert [f.rule for f in book_findings(book(year="2006"), [found(reprint)])] == [
        "isbn-confirmed"
    ]


def test_another_books_title_is_a_title_mismatch_with_the_records_title() -> None:
    ref = book(title="Weedon's Skin Pathology")
    (finding,) = book_findings(ref, [found()])
    assert (finding.rule, finding.field, finding.severity) == (
        "metadata-mismatch",
        "title",
        Severity.WARNING,
    )
    assert finding.expected == RECORD.title


def test_wrong_year_author_and_publisher_are_each_reported() -> None:
    ref = book(year="1990", author="Smith, John", publisher="Springer")
    fields = {f.field for f in book_findings(ref, [found()])}
    assert fields == {"year", "author", "publisher"}


def test_unknown_to_both_is_a_warning_never_broken() -> None:
    ref = book(isbn=UNKNOWN)
    evidence = [
        NotFound(Source.OPENLIBRARY, UNKNOWN, "no record"),
        NotFound(Source.GOOGLE_BOOKS, UNKNOWN, "no volume"),
    ]
    (finding,) = book_findings(ref, evidence)
    assert (finding.rule, finding.severity) == ("isbn-not-found", Severity.WARNING)


def test_one_source_down_and_none_found_is_unverified() -> None:
    evidence = [
        NotFound(Source.OPENLIBRARY, ANDREWS, "no record"),
        Unavailable(Source.GOOGLE_BOOKS, ANDREWS, "HTTP 503 after 4 attempts"),
    ]
    (finding,) = book_findings(book(), evidence)
    assert (finding.rule, finding.severity) == ("unverified", Severity.UNVERIFIED)
    assert "Google Books: HTTP 503" in finding.message


# ------------------------------------------------------------------------ end to end


@pytest.fixture
def env(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}


def check(bib: Path | str, env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    run = run_cli("check", str(bib), "--no-lockfile", "--no-links", "-f", "json", env=env)
    assert run.code in (0, 1, 3), run.stderr
    return run.code, by_key(run.json())


def test_open_library_miss_falls_back_to_google_books(
    env: dict[str, str], emulator: Emulator
) -> None:
    _, refs = check(SEED_BIB, env)
    andrews = next(f for f in refs["odom2006andrews"]["findings"] if f["rule"] == "isbn-confirmed")
    weedon = next(
        f for f in refs["patterson2019weedons"]["findings"] if f["rule"] == "isbn-confirmed"
    )
    assert andrews["source"] == "openlibrary"
    assert weedon["source"] == "googlebooks"  # Open Library has no record of it
    services = emulator.stats()["services"]
    assert services["openlibrary"]["requests"] == 1  # both ISBNs in one bibkeys request
    assert services["googlebooks"]["requests"] == 1  # only the ISBN Open Library lacks


def test_both_book_registries_down_is_unverified(env: dict[str, str], emulator: Emulator) -> None:
    emulator.add_fault("openlibrary", "status", code=503)
    emulator.add_fault("googlebooks", "status", code=503)
    code, refs = check(SEED_BIB, env)
    assert code == 3  # nothing broken, something unverified
    for key in ("odom2006andrews", "patterson2019weedons"):
        assert refs[key]["status"] == "unverified"
        assert "unverified" in rules(refs[key])


@pytest.mark.parametrize(
    ("code", "body"),
    [
        (
            429,
            '{"error": {"code": 429, "message": "Quota exceeded for quota metric \'Queries\'",'
            ' "errors": [{"reason": "rateLimitExceeded"}], "status": "RESOURCE_EXHAUSTED"}}',
        ),
        (
            403,
            '{"error": {"errors": [{"domain": "usageLimits", "reason": "dailyLimitExceeded",'
            ' "message": "Daily Limit Exceeded"}], "code": 403,'
            ' "message": "Daily Limit Exceeded"}}',
        ),
    ],
)
def test_google_books_quota_exhausted_is_unverified_and_stops_asking(
    env: dict[str, str], emulator: Emulator, tmp_path: Path, code: int, body: str
) -> None:
    # Two ISBNs Open Library does not know: Google Books is asked for the first, says its
    # quota is used up, and is not asked again in this run.
    bib = tmp_path / "books.bib"
    bib.write_text(
        "@book{a, title = {Weedon's Skin Pathology}, author = {Patterson, James W.},"
        f" year = {{2019}}, isbn = {{{WEEDON}}}}}\n"
        "@book{b, title = {Some Book}, author = {Doe, Jane}, year = {2001},"
        f" isbn = {{{UNKNOWN}}}}}\n",
        encoding="utf-8",
    )
    emulator.add_fault(
        "googlebooks", "status", code=code, body=body, content_type="application/json"
    )
    status, refs = check(bib, env)
    assert status == 3
    assert refs["a"]["status"] == refs["b"]["status"] == "unverified"
    messages = " ".join(f["message"] for r in refs.values() for f in r["findings"])
    assert "quota" in messages.lower()
    gb = emulator.stats()["services"]["googlebooks"]["requests"]
    assert gb <= 4  # one logical request (its retries if 429), then no more asking


def test_isbn_unknown_to_both_is_a_warning(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    bib = tmp_path / "b.bib"
    bib.write_text(
        f"@book{{b, title = {{Some Book}}, author = {{Doe, Jane}}, year = {{2001}},"
        f" isbn = {{{UNKNOWN}}}}}\n",
        encoding="utf-8",
    )
    code, refs = check(bib, env)
    assert code == 0  # a warning: not broken
    assert rules(refs["b"]) == {"isbn-not-found"}
    assert refs["b"]["status"] == "warning"


def test_a_different_books_isbn_is_a_title_mismatch(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    bib = tmp_path / "b.bib"
    bib.write_text(
        "@book{w, title = {Weedon's Skin Pathology}, author = {Patterson, James W.},"
        f" year = {{2019}}, isbn = {{{ANDREWS}}}}}\n",
        encoding="utf-8",
    )
    _, refs = check(bib, env)
    (finding,) = refs["w"]["findings"]
    assert (finding["rule"], finding["field"]) == ("metadata-mismatch", "title")
    assert finding["expected"] == "Andrews' diseases of the skin: clinical dermatology"
    assert finding["source"] == "openlibrary"
