"""The ``duplicate-reference`` rule: a later reference that repeats an earlier one.

Two references are one work when they share a DOI, a PMID, or the folded title, first
year and first author's family name.  Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

from citetrack.model import Finding, Reference, Severity, Source
from citetrack.rules.catalog import RULE_DUPLICATE
from citetrack.rules.evidence import identifiers_of
from citetrack.rules.fields import extract_years, family_key, split_authors
from citetrack.rules.text import fold, fold_title


def duplicate_keys(ref: Reference) -> list[tuple[str, str]]:
    """What makes two references one work: DOI, PMID, or title + year + first author."""
    ids = identifiers_of(ref)
    keys: list[tuple[str, str]] = []
    if ids.doi:
        keys.append(("DOI", ids.doi.lower()))
    if ids.pmid:
        keys.append(("PMID", ids.pmid))
    title = fold_title(ref.get("title") or "")
    years = extract_years(ref.get("year") or ref.get("date"))
    if title and years:
        authors = split_authors(ref.get("author")).authors
        first = ""
        if authors:
            first = fold(authors[0].literal) or " ".join(family_key(authors[0].family))
        keys.append(("title", f"{title}|{years[0]}|{first}"))
    return keys


def find_duplicates(
    refs: Sequence[Reference], keys: Sequence[list[tuple[str, str]]] | None = None
) -> list[Finding]:
    """``duplicate-reference`` warnings: one per reference that repeats an earlier one.

    Two references are duplicates when they share a DOI, a PMID, or the same folded title,
    first year and first author's family name.  The finding sits on the later reference
    (its line) and names the earliest one and its line.  ``keys``: each reference's
    :func:`duplicate_keys`, if the caller has them (remembered from an earlier run).
    """
    seen: dict[tuple[str, str], Reference] = {}
    out: list[Finding] = []
    for position, ref in enumerate(refs):
        mine = duplicate_keys(ref) if keys is None else keys[position]
        hit = next(((key, seen[key]) for key in mine if key in seen), None)
        if hit:
            (what, value), earlier = hit
            where = f" (line {earlier.line})" if earlier.line else ""
            same = (
                f"the same {what} {value}"
                if what != "title"
                else "the same title, year and first author"
            )
            out.append(
                Finding(
                    key=ref.key,
                    rule=RULE_DUPLICATE,
                    severity=Severity.WARNING,
                    message=f"'{ref.key}' duplicates '{earlier.key}'{where}: {same}.",
                    field=what.lower(),
                    expected=earlier.key,
                    actual=ref.key,
                    source=Source.CITATION,
                    line=ref.line,
                )
            )
        for key in mine:
            seen.setdefault(key, ref)
    return out
