"""What every rule reads: the registry records about a reference, and how findings are made.

A :class:`Record` is one Found answer tagged with which of the citation's identifiers it
answers; :class:`Context` carries the reference, its identifiers and its parsed authors,
and builds the :class:`~citetrack.model.Finding` objects every family of rules returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from citetrack.identifiers import (
    extract_identifiers,
    normalize_doi,
    normalize_pmcid,
    normalize_pmid,
)
from citetrack.model import (
    Evidence,
    Identifiers,
    Reference,
    Source,
    WorkMetadata,
)
from citetrack.rules.fields import AuthorList


@dataclass(frozen=True)
class Record:
    """A Found answer and which of the citation's identifiers it answers."""

    kind: str  # "doi" | "pmid" | "pmcid" | "other"
    source: Source
    meta: WorkMetadata


def identifiers_of(ref: Reference) -> Identifiers:
    """The reference's identifiers, extracted from its fields if the loader left them empty."""
    if ref.identifiers.as_dict():
        return ref.identifiers
    return extract_identifiers(ref.fields)[0]


def record_kind(identifier: str, ids: Identifiers) -> str:
    """Which of the citation's identifiers an evidence item was looked up by."""
    if ids.doi and normalize_doi(identifier) == ids.doi.lower():
        return "doi"
    if ids.pmid and normalize_pmid(identifier) == ids.pmid:
        return "pmid"
    if ids.pmcid and normalize_pmcid(identifier) == ids.pmcid:
        return "pmcid"
    return "other"


def evidence_from(
    evidence: Sequence[Evidence], source: Source, kind: str, ids: Identifiers
) -> Evidence | None:
    """The first evidence item from ``source`` about the citation's ``kind`` identifier."""
    for item in evidence:
        if item.source is source and record_kind(item.identifier, ids) == kind:
            return item
    return None


# ----------------------------------------------------------------------- the finding


@dataclass(frozen=True)
class Context:
    """What every rule needs about the reference."""

    ref: Reference
    ids: Identifiers
    authors: AuthorList
