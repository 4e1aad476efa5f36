"""The check's evidence beyond the cited article identifiers (issue 13): book records for
cited ISBNs, the identifier search for references that need one, the DOIs whose PubMed
record names the PMID a ``pmid-doi-conflict`` should suggest, and the rules that read
that evidence.

:mod:`citetrack.pipeline` runs these stages beside its article stages and composes
:func:`registry_findings`; the services are built here from the run's client, limiters
and cache.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from citetrack.identifiers import extract_identifiers, normalize_doi
from citetrack.inputs.bib import identifier_view
from citetrack.model import Evidence, Finding, Found, Reference
from citetrack.net import Http, Limiters, NetConfig
from citetrack.registries.pubmed import PubMedService
from citetrack.registries.search import IdentifierSearch
from citetrack.registries.stage import Progress, chunked, unique
from citetrack.rules.search import SEARCH_PREFIX, search_findings, search_key
from citetrack.tracking.codec import metadata_scalar
from citetrack.tracking.store import EvidenceStore

__all__ = [
    "book_evidence",
    "cited_evidence",
    "extra_evidence",
    "registry_findings",
    "search_evidence",
    "suspect_dois",
]


async def book_evidence(
    refs: Sequence[Reference],
    *,
    http: Http,
    net: NetConfig,
    limiters: Limiters,
    cache: EvidenceStore | None,
    progress: Progress | None,
) -> dict[str, list[Evidence]]:
    """Open Library and Google Books records for the cited ISBNs, by ISBN-13."""
    isbns = unique(r.identifiers.isbn for r in refs)
    if not isbns:
        return {}
    from citetrack.registries.books import BookLookup  # noqa: PLC0415 - only for ISBNs

    books = BookLookup.from_config(http, net, limiters, cache)
    return await chunked("books", isbns, books.fetch, progress)


async def search_evidence(
    refs: Sequence[Reference],
    *,
    http: Http,
    net: NetConfig,
    limiters: Limiters,
    pubmed: PubMedService,
    cache: EvidenceStore | None,
) -> dict[str, list[Evidence]]:
    """Search candidates (ECitMatch, ESearch, Crossref) by :func:`search_key`."""
    search = IdentifierSearch.from_config(http, net, limiters, pubmed, cache)
    return await search.find(refs)


def suspect_dois(refs: Sequence[Reference], pubmed: Mapping[str, Evidence]) -> list[str]:
    """DOIs cited with a PMID whose PubMed record carries another DOI: the PMID that
    belongs to the DOI is the suggestion for ``pmid-doi-conflict``."""
    out = []
    for ref in refs:
        doi, pmid = ref.identifiers.doi, ref.identifiers.pmid
        record = pubmed.get(pmid or "")
        if doi and isinstance(record, Found):
            doi_field = metadata_scalar(record, "doi")
            if isinstance(doi_field, str) and doi_field.lower() == doi.lower():
                # The usual case, without the normalisation (a third of this loop): the
                # cited DOI is normalised already, and normalising ignores case.
                continue
            theirs = normalize_doi(doi_field if isinstance(doi_field, str) else None)
            if theirs and theirs != doi.lower():
                out.append(doi)
    return out


def extra_evidence(
    ref: Reference,
    books: Mapping[str, Sequence[Evidence]],
    search: Mapping[str, Sequence[Evidence]],
) -> list[Evidence]:
    """The book records of ``ref``'s ISBN and its search candidates."""
    # Most runs search for nothing: no search key is made then (100,000 refs, issue 16).
    found = search.get(search_key(ref), ()) if search else ()
    return [*books.get(ref.identifiers.isbn or "", ()), *found]


def cited_evidence(evidence: Sequence[Evidence]) -> tuple[Evidence, ...]:
    """``evidence`` without search candidates: those are not records of the citation's
    identifiers; the findings report them, the lockfile and the export must not take them
    for the work's record."""
    return tuple(e for e in evidence if not e.identifier.startswith(SEARCH_PREFIX))


def registry_findings(ref: Reference, evidence: Sequence[Evidence]) -> list[Finding]:
    """Every registry rule on one reference: the comparison (a conflict explained by
    which identifier is wrong), the book rules and the search rules."""
    # Imported on the first comparison: a warm run whose findings are all remembered
    # compares nothing and imports no rules (nor rapidfuzz, python-stdnum).
    from citetrack.rules.books import book_findings  # noqa: PLC0415
    from citetrack.rules.compare import compare_reference  # noqa: PLC0415
    from citetrack.rules.identity import explain_conflict  # noqa: PLC0415

    problems = extract_identifiers(identifier_view(ref.fields))[1]
    findings = [
        explain_conflict(ref, evidence, f) for f in compare_reference(ref, evidence, problems)
    ]
    return findings + book_findings(ref, evidence) + search_findings(ref, evidence)
