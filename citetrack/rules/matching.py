"""When two values are the same: titles, authors and page ranges, with their tolerances.

The predicates every family of rules shares: :func:`titles_match`,
:func:`first_author_matches` (and :func:`same_author` for one name), :func:`pages_match`,
and :func:`confident`, which says a registry record describes the cited work.  Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz

from citetrack.model import Author, Reference, WorkMetadata
from citetrack.rules.fields import (
    AuthorList,
    PageRange,
    family_matches,
    is_organisation,
    parse_pages,
    parse_registry_name,
)
from citetrack.rules.text import fold, fold_title, main_title

#: rapidfuzz ``ratio`` (0–100) of the folded titles at or above which two titles are the
#: same title.  It tolerates British/US spelling ("Paediatric anaemia" / "Pediatric anemia"
#: scores 94), a dropped leading "The", a hyphen, a typo.  It is above 90 on purpose: the
#: seed's "Cutaneous manifestations of internal malignancy" (Thiers 2009) and "…internal
#: malignant tumors" (Becker 1942) are two works and score 90.
TITLE_THRESHOLD = 93.0
#: rapidfuzz ``ratio`` of folded titles below which two records are "clearly different
#: works" for ``pmid-doi-conflict`` (together with a different first author or year).
CONFLICT_TITLE_MAX = 60.0
#: rapidfuzz ``token_sort_ratio`` at or above which two collective author names are one
#: ("Writing Committee for the X Trial" / "X Trial Writing Committee").
COLLECTIVE_THRESHOLD = 90.0
#: A shared main title (before ``:``) counts as a subtitle difference only if it is at
#: least this long, so "Editorial: …" does not match every "Editorial".
MIN_MAIN_TITLE_CHARS = 12
#: A page as letters, digits, letters (``S12``, ``12a``, ``e1025``).
_PAGE_PARTS_RE = re.compile(r"^([a-z]*)(\d+)([a-z]*)$")


def titles_match(cited: str, registry: str) -> bool:
    """Same title, allowing markup, case, punctuation, ``RETRACTED:`` and a subtitle
    present on one side only; else rapidfuzz ``ratio`` ≥ :data:`TITLE_THRESHOLD`."""
    a, b = fold_title(cited), fold_title(registry)
    if not a or not b:
        return False
    if a == b:
        return True
    main_a, main_b = main_title(cited), main_title(registry)
    for main, other in ((main_a, b), (main_b, a), (main_a, main_b)):
        if len(main) >= MIN_MAIN_TITLE_CHARS and main == other:
            return True
    # Spaces removed too: "pseudo-glucagonoma" and "pseudoglucagonoma" are one word.
    squeezed = fuzz.ratio(a.replace(" ", ""), b.replace(" ", ""))
    return max(fuzz.ratio(a, b), squeezed) >= TITLE_THRESHOLD


def persons(authors: Iterable[Author]) -> list[Author]:
    """The person authors of a registry list (unparsed "Family INITIALS" literals included)."""
    return [a for a in (parse_registry_name(x) for x in authors) if not a.literal]


def same_author(cited: Author, registry: Author) -> bool:
    """Same family (particles, diacritics, double surnames tolerated) or same collective.

    A registry literal that is not an organisation's name may be a person's name given
    whole ("Miguel Echenique-Elizondo"); then the cited family's words must all be in it.
    """
    registry = parse_registry_name(registry)
    if registry.literal:
        literal = fold(registry.literal)
        if cited.literal:
            mine = fold(cited.literal)
            return mine == literal or fuzz.token_sort_ratio(mine, literal) >= COLLECTIVE_THRESHOLD
        if is_organisation(registry):
            return False
        family = fold(cited.family).split()
        return bool(family) and set(family) <= set(literal.split())
    if cited.literal:
        return False
    return family_matches(cited.family, registry.family)


def first_author_matches(cited: AuthorList, registry: Sequence[Author]) -> bool:
    """The citation's first author is the registry's first author.

    A collective first author may stand anywhere in the registry's list (PubMed puts
    collective names where the journal printed them).  A person is compared with the
    registry's first person, so a leading group name does not hide a match, and with a
    leading literal (an organisation cited without braces reads as a person to BibTeX).
    """
    if not cited.authors or not registry:
        return False
    first = cited.authors[0]
    if first.literal:
        return any(same_author(first, r) for r in registry)
    people = persons(registry)
    if people and same_author(first, people[0]):
        return True
    whole = Author(literal=f"{first.given} {first.family}".strip())
    return same_author(whole, registry[0]) or same_author(first, registry[0])


def confident(ref: Reference, cited: AuthorList, meta: WorkMetadata) -> bool:
    """Title and first author agree (or neither side names any author)."""
    title = ref.get("title")
    if not title or not meta.title or not titles_match(title, meta.title):
        return False
    if not cited.authors:
        return not meta.authors
    return first_author_matches(cited, meta.authors)


def all_years(meta: WorkMetadata) -> set[int]:
    """Every publication year a record gives (print, online, issued)."""
    return set(meta.years) | ({meta.year} if meta.year else set())


def _page_key(page: str) -> str:
    """A first page as compared: case folded; ``e33693`` and ``33693`` are one article id."""
    value = page.casefold()
    if len(value) > 4 and value[0] == "e" and value[1:].isdigit():
        return value[1:]
    return value


def pages_match(cited: str, registry: str) -> bool:
    """Same first page; the last pages must agree when both sides give one.

    Dash style is free (``12--18``, ``12–18``) and MEDLINE's abbreviated ranges are
    expanded (``12-8`` is 12–18, ``531-7`` is 531–537).  A single cited page inside the
    record's range is a pinpoint (Chicago's ``(2018): 1025`` of an article on 1020–1030),
    not another page: it matches.
    """
    a, b = parse_pages(cited), parse_pages(registry)
    if a is None or b is None:
        return False
    if _page_key(a.start) != _page_key(b.start):
        return a.end is None and _pinpoint(a.start, b)
    return a.end is None or b.end is None or a.end.casefold() == b.end.casefold()


def _pinpoint(page: str, pages: PageRange) -> bool:
    """Whether the one page ``page`` lies inside the range ``pages`` (``S12`` in ``S10–S18``:
    the same letters around the numbers)."""
    if pages.end is None:
        return False
    parts = [_PAGE_PARTS_RE.match(p.casefold()) for p in (page, pages.start, pages.end)]
    if not all(parts):
        return False
    (p_pre, p_num, p_suf), (s_pre, s_num, s_suf), (e_pre, e_num, e_suf) = (
        m.groups() for m in parts if m
    )
    if not p_pre == s_pre == e_pre or not p_suf == s_suf == e_suf:
        return False
    return int(s_num) <= int(p_num) <= int(e_num)
