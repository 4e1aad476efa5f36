"""Which identifier is wrong: the right partner for ``pmid-doi-conflict`` and the right
entry for a duplicate caused by a wrong identifier.

Pure.  A citation's title and first author decide which of its identifiers it *means*
(:func:`supports`: :func:`~citetrack.rules.compare.titles_match` and
:func:`~citetrack.rules.compare.first_author_matches` against the record).

:func:`explain_conflict`
    rewrites a ``pmid-doi-conflict`` finding: when the citation supports the DOI's record
    and not the PMID's, the PMID is wrong and the suggestion is the PMID PubMed gives for
    the DOI (PubMed's record looked up by DOI, or the PMC id converter's); when it supports
    the PMID's record, the DOI is wrong and the suggestion is that record's DOI.  Its
    ``field`` names the wrong identifier.  ``export --fix conflicts`` (never by default)
    may write it.  When the citation supports both or neither, nothing is suggested.
:func:`attribute_duplicates`
    a ``duplicate-reference`` found through a shared DOI/PMID is moved to the entry whose
    title and authors do *not* belong to that identifier's record, and says it is the
    consequence of a wrong identifier; when the record is the later entry's work, the
    earlier entry is the one at fault.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from citetrack.identifiers import normalize_doi, normalize_pmid
from citetrack.model import (
    Evidence,
    Finding,
    Found,
    Reference,
    Source,
    Unavailable,
    WorkMetadata,
)
from citetrack.rules.compare import (
    RULE_CONFLICT,
    first_author_matches,
    titles_match,
)
from citetrack.rules.fields import split_authors


def supports(ref: Reference, meta: WorkMetadata) -> bool:
    """The citation's title and first author are those of ``meta``'s work."""
    title = ref.get("title")
    if not title or not meta.title or not titles_match(title, meta.title):
        return False
    cited = split_authors(ref.get("author"))
    if not cited.authors or not meta.authors:
        return not cited.authors and not meta.authors
    return first_author_matches(cited, meta.authors)


def _records(ref: Reference, evidence: Sequence[Evidence]) -> tuple[list[Found], list[Found]]:
    """(records of the cited DOI, records of the cited PMID)."""
    doi, pmid = ref.identifiers.doi, ref.identifiers.pmid
    by_doi: list[Found] = []
    by_pmid: list[Found] = []
    for item in evidence:
        if not isinstance(item, Found):
            continue
        if doi and normalize_doi(item.identifier) == doi.lower():
            by_doi.append(item)
        elif pmid and item.source is Source.PUBMED and normalize_pmid(item.identifier) == pmid:
            by_pmid.append(item)
    return by_doi, by_pmid


def explain_conflict(ref: Reference, evidence: Sequence[Evidence], finding: Finding) -> Finding:
    """``finding`` (a ``pmid-doi-conflict``) with the wrong identifier and its partner."""
    if finding.rule != RULE_CONFLICT:
        return finding
    doi, pmid = ref.identifiers.doi, ref.identifiers.pmid
    by_doi, by_pmid = _records(ref, evidence)
    doi_ok = any(supports(ref, r.metadata) for r in by_doi if r.metadata.title)
    pmid_ok = any(supports(ref, r.metadata) for r in by_pmid if r.metadata.title)
    if doi_ok and not pmid_ok:
        partners = {p for r in by_doi if (p := normalize_pmid(r.metadata.pmid)) and p != pmid}
        if len(partners) == 1:
            (right,) = partners
            tail = (
                f" The citation's title and authors are DOI {doi}'s work, so PMID {pmid} is "
                f"the wrong one: PubMed gives PMID {right} for DOI {doi}."
            )
            return replace(
                finding,
                message=finding.message + tail,
                field="pmid",
                expected=right,
                actual=pmid,
                source=Source.PUBMED,
                suggestion=right,
            )
        unasked = next(
            (
                e
                for e in evidence
                if isinstance(e, Unavailable)
                and e.source is Source.PUBMED
                and doi
                and normalize_doi(e.identifier) == doi.lower()
            ),
            None,
        )
        tail = f" The citation's title and authors are DOI {doi}'s work, so PMID {pmid} is the " + (
            "wrong one; PubMed gives no PMID for that DOI (remove the PMID)."
            if unasked is None
            else "wrong one; PubMed could not be asked which PMID it gives for that DOI "
            f"({unasked.reason}), so none is suggested."
        )
        return replace(finding, message=finding.message + tail, field="pmid", actual=pmid)
    if pmid_ok and not doi_ok:
        partners = {d for r in by_pmid if (d := normalize_doi(r.metadata.doi)) and d != doi}
        if len(partners) == 1:
            (right,) = partners
            tail = (
                f" The citation's title and authors are PMID {pmid}'s work, so DOI {doi} is "
                f"the wrong one: PubMed gives DOI {right} for PMID {pmid}."
            )
            return replace(
                finding,
                message=finding.message + tail,
                field="doi",
                expected=right,
                actual=doi,
                source=Source.PUBMED,
                suggestion=right,
            )
        tail = (
            f" The citation's title and authors are PMID {pmid}'s work, so DOI {doi} is the "
            "wrong one; PubMed gives no DOI for that PMID (remove the DOI)."
        )
        return replace(finding, message=finding.message + tail, field="doi", actual=doi)
    which = "both records" if doi_ok else "neither record"
    return replace(
        finding,
        message=finding.message + f" The citation's title and authors match {which}.",
    )


def attribute_duplicates(
    refs: Sequence[Reference],
    duplicates: Sequence[Finding],
    evidence_of: Callable[[Reference], Sequence[Evidence]],
) -> list[Finding]:
    """``duplicates`` with identifier-caused ones moved to the entry at fault."""
    by_place = {(r.key, r.line): r for r in refs}
    by_key: dict[str, Reference] = {}
    for ref in refs:
        by_key.setdefault(ref.key, ref)
    out: list[Finding] = []
    for finding in duplicates:
        later = by_place.get((finding.key, finding.line))
        earlier = by_key.get(finding.expected or "")
        what = (finding.field or "").lower()
        if later is None or earlier is None or what not in ("doi", "pmid"):
            out.append(finding)
            continue
        value = getattr(later.identifiers, what)
        record = _record_of(later, what, value, evidence_of(later)) or _record_of(
            earlier, what, value, evidence_of(earlier)
        )
        if record is None:
            out.append(finding)
            continue
        later_ok, earlier_ok = supports(later, record), supports(earlier, record)
        label = what.upper()
        if later_ok and not earlier_ok:
            wrong, right = earlier, later
        elif earlier_ok and not later_ok:
            wrong, right = later, earlier
        else:
            out.append(finding)
            continue
        where = f" (line {right.line})" if right.line else ""
        out.append(
            replace(
                finding,
                key=wrong.key,
                line=wrong.line,
                actual=wrong.key,
                expected=right.key,
                message=(
                    f"'{wrong.key}' carries {label} {value}, the {label} of '{right.key}'"
                    f"{where} ('{record.title}'): the two entries look like duplicates only "
                    f"because of the wrong {label} on '{wrong.key}'."
                ),
            )
        )
    return out


def _record_of(
    ref: Reference, what: str, value: str | None, evidence: Sequence[Evidence]
) -> WorkMetadata | None:
    if not value:
        return None
    normalise = normalize_doi if what == "doi" else normalize_pmid
    for item in evidence:
        if isinstance(item, Found) and normalise(item.identifier) == normalise(value):
            if what == "pmid" and item.source is not Source.PUBMED:
                continue
            if item.metadata.title:
                return item.metadata
    return None
