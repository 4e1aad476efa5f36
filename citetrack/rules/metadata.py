"""The field rule ``metadata-mismatch``: title, authors, year, journal, volume, issue, pages.

One finding per cited field that no registry record supports within the tolerances
documented at each ``_check_*`` function; the value quoted as expected comes from the
preferred source (:data:`~citetrack.rules.catalog.PREFERENCE`).  Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from citetrack.model import Author, Finding, Severity, Source, WorkMetadata
from citetrack.rules.catalog import (
    PREFERENCE,
    RULE_MISMATCH,
    YEAR_PREFERENCE,
    rank,
    source_name,
)
from citetrack.rules.evidence import Context, Record
from citetrack.rules.fields import AuthorList, extract_years, fold_number, format_pages, parse_pages
from citetrack.rules.journals import journal_matches
from citetrack.rules.matching import (
    all_years,
    first_author_matches,
    pages_match,
    persons,
    same_author,
    titles_match,
)
from citetrack.rules.spelling import misspellings


@dataclass(frozen=True)
class _Mismatch:
    """A field no record supports: the message, the authority's value and whose it is."""

    message: str
    expected: str
    record: Record
    suggestion: str | None = None


def _pick(records: Sequence[Record], order: Sequence[Source] = PREFERENCE) -> Record:
    """The record whose value is quoted as "expected": first by source preference."""
    place = {s: i for i, s in enumerate(order)}
    return min(records, key=lambda r: place.get(r.source, len(place)))


def _check_title(cited: str, records: Sequence[Record]) -> _Mismatch | None:
    """Title: :func:`titles_match` against any record; a matching title that differs from
    every record's by a misspelling (:func:`citetrack.rules.spelling.misspellings`) is
    reported with the record's title as the suggestion (issue 13)."""
    having = [(r, r.meta.title) for r in records if r.meta.title]
    matching = [(r, title) for r, title in having if titles_match(cited, title)]
    if matching:
        typos = [(r, title, misspellings(cited, title)) for r, title in matching]
        if any(not words for _, _, words in typos):
            return None
        rec, title, words = min(typos, key=lambda t: rank(t[0].source))
        listed = ", ".join(f"'{a}' for '{b}'" for a, b in words)
        return _Mismatch(
            f"The title misspells {source_name(rec.source)}'s '{title}': {listed}.",
            title,
            rec,
            title,
        )
    if not having:
        return None
    rec = _pick([r for r, _ in having])
    title = rec.meta.title or ""
    return _Mismatch(f"The title differs from {source_name(rec.source)}'s '{title}'.", title, rec)


def _list_problem(cited: AuthorList, registry: Sequence[Author], source: str) -> str | None:
    """What is wrong with the citation's list of persons against one record's, or None."""
    mine = [a for a in cited.authors if not a.literal]
    theirs = persons(registry)
    for i, (a, b) in enumerate(zip(mine, theirs, strict=False)):
        if same_author(a, b):
            continue
        if not cited.truncated and len(mine) == len(theirs) and _is_permutation(mine, theirs):
            return f"The authors are listed in a different order than in {source}."
        return f"Author {i + 1} is '{a.display}' here but '{b.display}' in {source}."
    if mine and not cited.truncated and len(mine) < len(theirs):
        return (
            f"The citation lists {len(mine)} of {source}'s {len(theirs)} authors without "
            "'and others'."
        )
    return None


def _is_permutation(mine: Sequence[Author], theirs: Sequence[Author]) -> bool:
    left = list(theirs)
    for a in mine:
        hit = next((b for b in left if same_author(a, b)), None)
        if hit is None:
            return False
        left.remove(hit)
    return not left


def _check_authors(cited: AuthorList, records: Sequence[Record]) -> _Mismatch | None:
    """Authors: first the first author (families compared, see ``fields.family_matches``),
    then the list of persons, position by position.

    A citation without ``and others`` that has fewer persons than a record leaves authors
    out.  A citation with *more* persons than a record is not flagged: MEDLINE capped
    author lists at 10 (1984–95) and 25 (1996–99).  Collective names are left out of the
    list comparison.  Any record that agrees is enough.
    """
    having = [r for r in records if r.meta.authors]
    if not cited.authors or not having:
        return None
    if not any(first_author_matches(cited, r.meta.authors) for r in having):
        rec = _pick(having)
        people = persons(rec.meta.authors) or list(rec.meta.authors)
        expected = people[0].display
        return _Mismatch(
            f"The first author '{cited.authors[0].display}' is not "
            f"{source_name(rec.source)}'s first author '{expected}'.",
            expected,
            rec,
        )
    problems = [(r, _list_problem(cited, r.meta.authors, source_name(r.source))) for r in having]
    if any(problem is None for _, problem in problems):
        return None
    rec, problem = min(problems, key=lambda rp: rank(rp[0].source))
    expected = "; ".join(a.display for a in persons(rec.meta.authors))
    return _Mismatch(problem or "", expected, rec)


def _check_year(cited: str, records: Sequence[Record]) -> _Mismatch | None:
    """Year: any year in the field equal to any year a record gives (print, online,
    issued), so online and print years one apart both pass."""
    mine = set(extract_years(cited))
    having = [r for r in records if all_years(r.meta)]
    if not mine or not having:
        return None
    theirs = {y for r in having for y in all_years(r.meta)}
    if mine & theirs:
        return None
    rec = _pick(having, YEAR_PREFERENCE)
    year = str(rec.meta.year or min(rec.meta.years))
    accepted = ", ".join(str(y) for y in sorted(theirs))
    return _Mismatch(
        f"The year {cited} is not a publication year the registries give ({accepted}).",
        year,
        rec,
        _dated(cited, year, rec.meta.month if rec.meta.year else None),
    )


_ISO_DATE = re.compile(r"\s*(\d{4})(-(\d{2})(-\d{2})?)?\s*")
#: A year with what an author-year bibliography adds around it: a disambiguation letter
#: (``2012a``), brackets (``(2007)``, ``[2007]``).
_MARKED_YEAR = re.compile(r"([\s(\[]*)\d{4}([a-z]?[\s)\]]*)")


def _dated(cited: str, year: str, month: int | None) -> str:
    """The suggested year written at the cited value's precision: a biblatex ``date`` of
    ``2003-01-15`` becomes ``2004-01-15`` (the registry's month agrees or is unknown) or
    the registry's ``2004-03``, never a bare ``2004`` that drops the month and day; a
    ``2012a`` becomes ``2013a``, keeping the letter that tells two works of one author
    and year apart."""
    marked = _MARKED_YEAR.fullmatch(cited)
    if marked is not None:
        return f"{marked.group(1)}{year}{marked.group(2)}".strip()
    match = _ISO_DATE.fullmatch(cited)
    if match is None or match.group(2) is None:
        return year
    if month is None or int(match.group(3)) == month:
        return year + match.group(2)
    return f"{year}-{month:02d}"


def _check_journal(cited: str, records: Sequence[Record]) -> _Mismatch | None:
    """Journal: :func:`citetrack.rules.journals.journal_matches` against full and short names."""
    having = [r for r in records if r.meta.container or r.meta.container_short]
    names = [n for r in having for n in (r.meta.container, r.meta.container_short) if n]
    if not names or journal_matches(cited, names):
        return None
    rec = _pick(having)
    full = rec.meta.container or rec.meta.container_short or ""
    return _Mismatch(
        f"The journal differs from {source_name(rec.source)}'s '{full}'.", full, rec, full
    )


def _in_combined(mine: str, theirs: str) -> bool:
    """Whether the one issue ``mine`` is a number of the combined issue ``theirs``
    (``2`` of ``2-3``: the citation names the double issue by its first or last number)."""
    low, _, high = theirs.partition("-")
    if not (mine.isdigit() and low.isdigit() and high.isdigit()):
        return False
    return int(low) <= int(mine) <= int(high)


def _number_check(label: str, get: Callable[[WorkMetadata], str | None]) -> _Check:
    """Volume / issue: equal after ``fold_number`` (``Vol. 05`` = ``5``); an issue cited
    by one number of a combined issue (``2`` of ``2-3``) agrees."""

    def check(cited: str, records: Sequence[Record]) -> _Mismatch | None:
        having = [(r, value) for r in records if (value := get(r.meta))]
        mine = fold_number(cited)
        if not mine or not having:
            return None
        if any(
            fold_number(value) == mine
            or (label == "issue" and _in_combined(mine, fold_number(value)))
            for _, value in having
        ):
            return None
        rec = _pick([r for r, _ in having])
        value = get(rec.meta) or ""
        return _Mismatch(
            f"The {label} {cited} differs from {source_name(rec.source)}'s {value}.",
            value,
            rec,
            value,
        )

    return check


def _check_pages(cited: str, records: Sequence[Record]) -> _Mismatch | None:
    """Pages: :func:`pages_match` against any record; a lone first page, or a lone page
    inside the record's range (a pinpoint), is fine."""
    having = [(r, p) for r in records if (p := parse_pages(r.meta.pages))]
    if parse_pages(cited) is None or not having:
        return None
    if any(pages_match(cited, r.meta.pages or "") for r, _ in having):
        return None
    rec, pages = min(having, key=lambda rp: rank(rp[0].source))
    value = format_pages(pages)
    return _Mismatch(
        f"The pages {cited} differ from {source_name(rec.source)}'s {rec.meta.pages}.",
        value,
        rec,
        value,
    )


_Check = Callable[[str, Sequence[Record]], _Mismatch | None]
#: Cited field names (first present wins) and the check for them.
_FIELD_CHECKS: tuple[tuple[tuple[str, ...], _Check], ...] = (
    (("title",), _check_title),
    (("year", "date"), _check_year),
    (("journal", "journaltitle"), _check_journal),
    (("volume",), _number_check("volume", lambda m: m.volume)),
    (("number", "issue"), _number_check("issue", lambda m: m.issue)),
    (("pages",), _check_pages),
)


#: Entry types whose ``number`` is not a journal issue: a report's number (``@techreport``,
#: ``number = {TR-2004-17}``), a book's or a proceedings' number in its series, a
#: patent's number (the BibTeX and biblatex manuals).  Compared with a record's issue it
#: would be a false mismatch; their ``issue`` field, if any, is still compared.
_NUMBER_NOT_ISSUE = frozenset(
    """techreport report book mvbook inbook bookinbook suppbook collection mvcollection
    incollection suppcollection proceedings mvproceedings inproceedings conference thesis
    phdthesis mastersthesis patent manual""".split()  # noqa: SIM905
)


def mismatches(ctx: Context, records: Sequence[Record], trusted: set[str]) -> list[Finding]:
    """One ``metadata-mismatch`` per cited field that no record supports.

    A suggestion is kept only if the record quoted is of a trusted identifier kind.
    """
    out: list[Finding] = []
    found: list[tuple[str, str, _Mismatch]] = []
    author_text = ctx.ref.get("author")
    if author_text and (problem := _check_authors(ctx.authors, records)):
        found.append(("author", author_text, problem))
    not_issue = ctx.ref.entry_type.lower() in _NUMBER_NOT_ISSUE
    for names, check in _FIELD_CHECKS:
        read = ("issue",) if not_issue and "number" in names else names
        name = next((n for n in read if ctx.ref.get(n)), None)
        value = ctx.ref.get(name) if name else None
        if name and value and (problem := check(value, records)):
            found.append((name, value, problem))
    for name, value, problem in found:
        out.append(
            Finding.about(
                ctx.ref,
                RULE_MISMATCH,
                Severity.WARNING,
                problem.message,
                field=name,
                expected=problem.expected,
                actual=value,
                source=problem.record.source,
                suggestion=problem.suggestion if problem.record.kind in trusted else None,
            )
        )
    return out
