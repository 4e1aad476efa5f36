"""Compare one reference with what the registries say about it: the findings of ``check``.

Pure: a :class:`~citetrack.model.Reference`, the :data:`~citetrack.model.Evidence` the
resolvers gathered for its identifiers, and the identifier problems found while reading
it go in; :class:`~citetrack.model.Finding` objects come out.  No I/O, no clock.

:func:`compare_reference` is the one entry: it composes the families of rules, each in
its own module: :mod:`~citetrack.rules.identifiers` (malformed, not found, other agency,
conflict, missing), :mod:`~citetrack.rules.updates` (retractions, corrections,
expressions of concern) and :mod:`~citetrack.rules.metadata` (field mismatches);
:mod:`~citetrack.rules.duplicates` looks across references.  The rule ids and when each
fires are in :mod:`~citetrack.rules.catalog`, re-exported here with the matching
predicates so that callers import the comparison from one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from citetrack.identifiers import WIKIDATA_IN_TEXT, IdentifierProblem
from citetrack.model import Evidence, Finding, Found, Reference, Severity, Source
from citetrack.rules.catalog import (
    RULE_CONCERN,
    RULE_CONFLICT,
    RULE_CORRECTION,
    RULE_DOI_NOT_FOUND,
    RULE_DOI_OTHER_AGENCY,
    RULE_DUPLICATE,
    RULE_MALFORMED,
    RULE_MISMATCH,
    RULE_MISSING_ID,
    RULE_NO_IDENTIFIER,
    RULE_PMCID_NOT_FOUND,
    RULE_PMID_NOT_FOUND,
    RULE_RETRACTED,
    RULE_UNCONFIRMED,
    RULE_UNVERIFIED,
    source_name,
)
from citetrack.rules.duplicates import find_duplicates
from citetrack.rules.evidence import Context, Record, identifiers_of, record_kind
from citetrack.rules.fields import split_authors
from citetrack.rules.identifiers import (
    conflict,
    doi_verdict,
    malformed_findings,
    missing_identifiers,
    other_works,
    pmcid_verdict,
    pmid_lookup_verdict,
    pmid_verdict,
    trusted_kinds,
)
from citetrack.rules.matching import (
    COLLECTIVE_THRESHOLD,
    CONFLICT_TITLE_MAX,
    TITLE_THRESHOLD,
    first_author_matches,
    pages_match,
    titles_match,
)
from citetrack.rules.metadata import mismatches
from citetrack.rules.updates import notices

__all__ = [
    "COLLECTIVE_THRESHOLD",
    "CONFLICT_TITLE_MAX",
    "FIXABLE_RULES",
    "RULE_CONCERN",
    "RULE_CONFLICT",
    "RULE_CORRECTION",
    "RULE_DOI_NOT_FOUND",
    "RULE_DOI_OTHER_AGENCY",
    "RULE_DUPLICATE",
    "RULE_MALFORMED",
    "RULE_MISMATCH",
    "RULE_MISSING_ID",
    "RULE_NO_IDENTIFIER",
    "RULE_PMCID_NOT_FOUND",
    "RULE_PMID_NOT_FOUND",
    "RULE_RETRACTED",
    "RULE_UNVERIFIED",
    "TITLE_THRESHOLD",
    "compare_reference",
    "find_duplicates",
    "first_author_matches",
    "fixable_suggestions",
    "pages_match",
    "suggested_fixes",
    "titles_match",
]

#: The rules whose suggestion is a fix for the .bib.
# RULE_CONFLICT (issue 13): the partner identifier of a pmid-doi-conflict, applied by the
# export only under --fix conflicts.
FIXABLE_RULES = frozenset({RULE_MISMATCH, RULE_MISSING_ID, RULE_MALFORMED, RULE_CONFLICT})


def compare_reference(
    ref: Reference,
    evidence: Sequence[Evidence],
    identifier_problems: Sequence[IdentifierProblem] = (),
) -> list[Finding]:
    """Every finding about one reference, given the evidence gathered for its identifiers.

    Evidence about identifiers the reference does not carry is ignored.  Order of the
    findings: identifier problems, existence verdicts (DOI, PMID), DOI/PMID conflict,
    notices, field mismatches, missing identifiers.
    """
    ids = identifiers_of(ref)
    ctx = Context(ref, ids, split_authors(ref.get("author")))
    findings = malformed_findings(ctx, identifier_problems)
    # A url that is not http(s) is not an identifier, but the link stage reports it
    # (url-refused): "nothing could be checked" would be misleading.
    if not (
        ids.doi or ids.pmid or ids.pmcid or ids.url or ids.archive_url or evidence or ref.get("url")
    ):
        item = WIKIDATA_IN_TEXT.search(ref.get("note") or "")
        findings.append(
            Finding.about(
                ctx.ref,
                RULE_NO_IDENTIFIER,
                Severity.NOTE,
                "The reference has no DOI, PMID, PMCID or URL, so nothing could be checked "
                "against a registry."
                if item is None
                else f"The citation is Wikidata item {item.group(1)}'s ({{{{Cite Q}}}}): "
                "citetrack does not read Wikidata, and the reference has no DOI, PMID, "
                "PMCID or URL of its own, so it could not be checked.",
                source=Source.CITATION,
            )
        )
        return findings
    findings += doi_verdict(ctx, evidence)
    findings += pmid_verdict(ctx, evidence)
    findings += pmcid_verdict(ctx, evidence)
    records = [
        Record(kind, e.source, e.metadata)
        for e in evidence
        if isinstance(e, Found) and (kind := record_kind(e.identifier, ids)) != "other"
    ]
    two_works = conflict(ctx, records)
    if two_works:
        findings.append(two_works)
    # An identifier of another work: its record's differences are that, not the
    # citation's typos (listed once, not field by field).
    elsewhere = [] if two_works else other_works(ctx, records)
    findings += elsewhere
    wrong = {f.field for f in elsewhere}
    own = [r for r in records if r.kind not in wrong] if wrong else records
    findings += notices(ctx, own)  # another work's retraction is not the cited work's
    # Two works behind one citation: compare with both, but fix nothing.
    trusted = set() if two_works else trusted_kinds(ctx, records)
    findings += mismatches(ctx, own, trusted)
    findings += unconfirmed(ctx, own)
    missing = [] if two_works else missing_identifiers(ctx, records, trusted)
    findings += missing
    if not any(f.field == "pmid" for f in missing):  # another record may have given it
        findings += pmid_lookup_verdict(ctx, evidence)
    return findings


def unconfirmed(ctx: Context, records: Sequence[Record]) -> list[Finding]:
    """``identifier-unconfirmed`` when the Crossref and PubMed records of the citation's
    identifiers have no title and no authors, though the citation has them: no field
    of the work was compared, so "ok" would be a verdict nothing supports."""
    described = [r for r in records if r.source in (Source.CROSSREF, Source.PUBMED)]
    if not described or any(r.meta.title or r.meta.authors for r in described):
        return []
    if not (ctx.ref.get("title") or ctx.authors.authors):
        return []
    first = described[0]
    identifier = first.meta.doi or first.meta.pmid or first.kind
    kind = f" (a {first.meta.work_type} record)" if first.meta.work_type else ""
    return [
        Finding.about(
            ctx.ref,
            RULE_UNCONFIRMED,
            Severity.UNVERIFIED,
            f"{source_name(first.source)}'s record of {identifier}{kind} has no title and "
            "no authors: the identifier exists, but nothing confirms it is the cited work.",
            source=first.source,
        )
    ]


def fixable_suggestions(findings: Iterable[Finding]) -> dict[str, Finding]:
    """Field → the first finding of a :data:`FIXABLE_RULES` rule that suggests a value."""
    out: dict[str, Finding] = {}
    for finding in findings:
        if finding.rule in FIXABLE_RULES and finding.suggestion and finding.field:
            out.setdefault(finding.field, finding)
    return out


def suggested_fixes(ref: Reference, findings: Sequence[Finding]) -> dict[str, str]:
    """Field → new value from this reference's findings that carry a suggestion.

    ``metadata-mismatch``, ``missing-identifier``, ``identifier-malformed`` and
    ``pmid-doi-conflict`` suggestions are fixes; the first per field wins.
    """
    mine = fixable_suggestions(f for f in findings if f.key == ref.key)
    return {field: finding.suggestion or "" for field, finding in mine.items()}
