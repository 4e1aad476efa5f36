"""Fixes that need no registry: identifiers in canonical form, page ranges with ``--``,
reformatting on request.

:func:`plan_local_fixes` reads the .bib's layout and proposes :class:`~citetrack.export.model.Fix`
objects; :data:`IDENTIFIER_FIELDS` also tells the planner which identifier fields an
``identifiers`` fix may rewrite and how to compare old and new.  Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from citetrack.export.model import FORMAT_FIELD, LOCAL_SOURCE, Fix
from citetrack.identifiers import (
    clean_doi,
    format_isbn,
    invisible_in,
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_pmcid,
    normalize_pmid,
)
from citetrack.inputs.bib import Bibliography, unwrap_braces
from citetrack.inputs.bib.stored_fields import fields_named
from citetrack.rules.fields import expand_marked_end


def format_fix(key: str, reason: str = "reformat requested") -> Fix:
    """A ``format`` fix for one entry: fields in a fixed order, two-space indent."""
    return Fix(key, FORMAT_FIELD, "", reason, LOCAL_SOURCE, "format")


def plan_local_fixes(bib: Bibliography, kinds: frozenset[str]) -> list[Fix]:
    """The fixes that need no network, for the kinds asked for.

    ``identifiers``: DOI bare (``doi:``/``https://doi.org/`` prefixes dropped, case kept),
    PMID digits only, PMCID ``PMC`` + digits, ISBN hyphenated ISBN-13, ISSN ``NNNN-NNNN``.
    ``pages``: ranges written with ``-``, ``–``, ``—`` or spaced dashes get ``--``, and
    MEDLINE-abbreviated ends are expanded however the range is written (``123-9`` and
    ``123--9`` → ``123--129``).
    ``format``: one :func:`format_fix` per readable entry (opt-in; filter by key).
    A value that is not a valid identifier is left alone: reporting it is the check's job.
    """
    fixes: list[Fix] = []
    wanted = set(IDENTIFIER_FIELDS) if "identifiers" in kinds else set()
    if "pages" in kinds:
        wanted.add("pages")
    for layout in bib.layout:
        if layout.state != "ok":
            continue
        for fld in fields_named(layout.fields, wanted):
            if fld.form not in ("braced", "quoted", "number"):
                continue
            name = fld.name.lower()
            if "identifiers" in kinds and name in IDENTIFIER_FIELDS:
                fix = _identifier_fix(layout.key, name, fld.value)
                if fix is not None:
                    fixes.append(fix)
            if "pages" in kinds and name == "pages":
                new = _rewrap(fld.value, normalize_page_ranges)
                if new is not None and new != fld.value:
                    fixes.append(
                        Fix(
                            layout.key,
                            name,
                            new,
                            _pages_reason(fld.value, new),
                            LOCAL_SOURCE,
                            "pages",
                        )
                    )
        if "format" in kinds:
            fixes.append(format_fix(layout.key))
    return fixes


_PAGE = r"(?:[A-Za-z]{0,3}\d+[A-Za-z]{0,2}|[ivxlcdmIVXLCDM]+)"
_DASH = (
    r"(?:\s*(?:-|--|---|[\u2010-\u2015\u2212]|\\text(?:en|em)dash(?:\{\})?)\s*"
    r"|\s+--\s*|\s*--\s+)"
)
_RANGE = re.compile(rf"({_PAGE}){_DASH}({_PAGE})")
_SINGLE_PAGE = re.compile(_PAGE)


def _pages_reason(old: str, new: str) -> str:
    if re.sub(r"\D+", "-", old) == re.sub(r"\D+", "-", new):
        return "page range written with a single dash; BibTeX ranges use `--`"
    return "abbreviated end page written in full (MEDLINE's `531-7` is pages 531 to 537)"


def normalize_page_ranges(pages: str) -> str | None:
    """``12-18``, ``12–18``, ``12 - 18`` → ``12--18``, in each comma-separated part.

    Abbreviated ends are expanded (``12-8`` → ``12--18``, ``531–7`` → ``531--537``,
    ``S12-8`` → ``S12--S18``, as the check reads them): a range written ``387--9`` would
    read as "387 to 9".

    Parts that are not a page or a range of pages (``pp. 12-18``, ``12-18 suppl``) are
    left as written; ``None`` when nothing in ``pages`` is a page at all.
    """
    parts = re.split(r"(\s*,\s*)", pages.strip())
    out: list[str] = []
    understood = False
    for i, part in enumerate(parts):
        if i % 2 == 1:
            out.append(part)
            continue
        match = _RANGE.fullmatch(part)
        if match:
            start, end = match.group(1), match.group(2)
            out.append(f"{start}--{expand_marked_end(start, end)}")
            understood = True
        else:
            understood = understood or bool(_SINGLE_PAGE.fullmatch(part))
            out.append(part)
    return "".join(out) if understood else None


def _single_or_list(normaliser: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """Apply ``normaliser`` to each of ``A, B`` / ``A; B``, keeping the separators.

    Two values that normalise to the same one (``isbn = {1491910593, 9781491910597}``: the
    ISBN-10 and ISBN-13 of one book) are kept once, never written twice.
    """

    def apply(value: str) -> str | None:
        parts = re.split(r"(\s*[,;]\s*)", value.strip())
        out: list[str] = []
        seen: set[str] = set()
        for i, part in enumerate(parts):
            if i % 2 == 1:
                out.append(part)
                continue
            new = normaliser(part)
            if new is None:
                return None
            if new in seen:
                out.pop()  # the separator before the repeated value
                continue
            seen.add(new)
            out.append(new)
        return "".join(out)

    return apply


# field → (writes the canonical form, gives the comparison form, what the fix says)
IDENTIFIER_FIELDS: dict[
    str, tuple[Callable[[str], str | None], Callable[[str], str | None], str]
] = {
    "doi": (clean_doi, normalize_doi, "DOI stored bare, without `doi:` or resolver prefix"),
    "pmid": (normalize_pmid, normalize_pmid, "PMID stored as digits only"),
    "pubmed_id": (normalize_pmid, normalize_pmid, "PMID stored as digits only"),
    "pubmed": (normalize_pmid, normalize_pmid, "PMID stored as digits only"),
    "pmcid": (normalize_pmcid, normalize_pmcid, "PMCID stored as PMC + digits"),
    "pmc": (normalize_pmcid, normalize_pmcid, "PMCID stored as PMC + digits"),
    "isbn": (
        _single_or_list(format_isbn),
        _single_or_list(normalize_isbn),
        "ISBN written as hyphenated ISBN-13",
    ),
    "issn": (
        _single_or_list(normalize_issn),
        _single_or_list(normalize_issn),
        "ISSN written as NNNN-NNNN",
    ),
}


def _identifier_fix(key: str, name: str, value: str) -> Fix | None:
    canonical, _, reason = IDENTIFIER_FIELDS[name]
    new = _rewrap(value, canonical)
    if new is None or new == value:
        return None
    hidden = invisible_in(value)
    if hidden:
        reason = f"invisible character ({', '.join(hidden)}) removed"
    return Fix(key, name, new, reason, LOCAL_SOURCE, "identifiers")


def _rewrap(value: str, normaliser: Callable[[str], str | None]) -> str | None:
    """Normalise the core of ``{{…}}``-wrapped values and wrap the result the same way."""
    depth, core = unwrap_braces(value)
    new = normaliser(core)
    if new is None:
        return None
    return "{" * depth + new + "}" * depth
