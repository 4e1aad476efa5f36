"""The catalogue of comparison rules: their stable ids, and whose word counts first.

Every family of rules (``identifiers``, ``metadata``, ``updates``, ``duplicates``) takes its
rule id from here; exports, reports and tests name rules by these constants.

Rules (stable ids) and exactly when they fire:

``identifier-malformed`` (warning)
    one per problem from :func:`citetrack.identifiers.extract_identifiers`.
``doi-not-found`` (broken)
    Crossref answered NotFound **and** doi.org answered NotFound for the DOI.
``doi-other-agency`` (note)
    Crossref answered NotFound but doi.org knows the DOI (DataCite, mEDRA…).
``pmid-not-found`` (broken)
    PubMed answered NotFound for the PMID.
``pmid-doi-conflict`` (broken)
    the PMID's record carries another DOI than the cited one, or the DOI's record another
    PMID (PMC id converter), or the DOI's and the PMID's records are clearly two works:
    title similarity below :data:`~citetrack.rules.matching.CONFLICT_TITLE_MAX` and a
    different first author or a year more than one apart.
``identifier-other-work`` (broken)
    the citation's DOI, PMID or PMCID names another work: a titled record of it has a
    title clearly unlike the citation's (similarity below
    :data:`~citetrack.rules.matching.CONFLICT_TITLE_MAX`, and unlike its chapter, book or
    journal title too), **and** a first author positively different, **and** no year
    within one of the citation's.  All three, so that a translated or changed title, a
    misspelt name or a wrong year alone is a ``metadata-mismatch``, never broken.  That
    record's field mismatches are not listed beside it (they are its consequence) and it
    suggests nothing.
``metadata-mismatch`` (warning)
    one per field (title, author, year, journal, volume, issue, pages) that the citation
    has, that some registry record has, and that matches **no** registry record within
    the tolerances documented at each ``_check_*`` function of :mod:`citetrack.rules.metadata`.
``retracted`` (broken) / ``expression-of-concern`` (warning) / ``correction`` (warning)
    a registry record carries such a notice (Crossref ``updated-by``; PubMed
    publication type "Retracted Publication").  Withdrawal and removal count as retraction.
``missing-identifier`` (warning)
    a registry knows a DOI / PMID the citation lacks, the record that says so is
    trustworthy (see :func:`~citetrack.rules.identifiers.trusted_kinds`) and all such
    records agree on one value.
``unverified`` (unverified)
    a source needed for a verdict was Unavailable: Crossref for a DOI (always: it holds
    the metadata and the retraction notices), doi.org when Crossref did not find the DOI,
    PubMed for a PMID, PubMed for the PMID of a DOI cited without one (the
    ``missing-identifier`` check for the PMID could not be made).  Never broken.
    A DOI that doi.org does not know while Crossref was not asked is also only
    unverified: ``doi-not-found`` needs both registries' word.
``identifier-unconfirmed`` (unverified)
    the citation has a title or authors, and every Crossref and PubMed record of its
    identifiers has neither (a journal issue's DOI, a bare deposit): the identifier exists,
    but nothing confirms it is the cited work, so the reference is not "ok".
``no-identifier`` (note)
    the reference has no DOI, PMID, PMCID or URL and no evidence, so nothing could be
    checked (a note: it leaves the reference "ok", but says why nothing was verified).
``duplicate-reference`` (warning, :func:`~citetrack.rules.duplicates.find_duplicates`)
    a later reference has the DOI, the PMID, or the folded title + year + first author's
    family of an earlier one.

Suggestions (``Finding.suggestion``) are set only when the record supplying the expected
value is a confident match: it was retrieved by the citation's own identifier and its
title and first author agree with the citation.  Values are plain Unicode in BibTeX
conventions (pages ``12--18``); escaping for the file is the writer's job.
"""

from __future__ import annotations

from citetrack.model import Source

RULE_MALFORMED = "identifier-malformed"
RULE_DOI_NOT_FOUND = "doi-not-found"
RULE_DOI_OTHER_AGENCY = "doi-other-agency"
RULE_PMID_NOT_FOUND = "pmid-not-found"
RULE_PMCID_NOT_FOUND = "pmcid-not-found"
RULE_CONFLICT = "pmid-doi-conflict"
RULE_OTHER_WORK = "identifier-other-work"
RULE_MISMATCH = "metadata-mismatch"
RULE_RETRACTED = "retracted"
RULE_CORRECTION = "correction"
RULE_CONCERN = "expression-of-concern"
RULE_MISSING_ID = "missing-identifier"
RULE_UNVERIFIED = "unverified"
RULE_NO_IDENTIFIER = "no-identifier"
RULE_UNCONFIRMED = "identifier-unconfirmed"
RULE_DUPLICATE = "duplicate-reference"

#: Findings that say only that a source could not be asked this time (a timeout, a 5xx, a
#: rate limit that outlasted the retries): no verdict, so nothing a lockfile remembers as
#: accepted; otherwise every outage night would rewrite it, and the next night again.
#: ``url-blocked`` (a 429 after the retries, a bot wall, a 403) is one of them: a page that
#: answered 429 for one night made two lockfile commits, like a 503 did before.
COULD_NOT_ASK = frozenset({RULE_UNVERIFIED, "url-unverified", "url-blocked", "archive-unverified"})

_SOURCE_NAMES = {
    Source.CROSSREF: "Crossref",
    Source.PUBMED: "PubMed",
    Source.PMC: "the PMC id converter",
    Source.DOI_ORG: "doi.org",
}
#: Whose value is quoted as "expected" when no record matches: Crossref keeps full page
#: ranges and the journal's own capitalisation; PubMed first for the year, because its
#: publication date is the issue's, where Crossref's "issued" is the earliest (online) one.
PREFERENCE = (Source.CROSSREF, Source.PUBMED, Source.PMC, Source.DOI_ORG)
YEAR_PREFERENCE = (Source.PUBMED, Source.CROSSREF, Source.PMC, Source.DOI_ORG)


def source_name(source: Source) -> str:
    """A registry as messages name it ("Crossref", "the PMC id converter")."""
    return _SOURCE_NAMES.get(source, source.value)


def rank(source: Source) -> int:
    """A source's place in :data:`PREFERENCE` (unknown sources last)."""
    return PREFERENCE.index(source) if source in PREFERENCE else len(PREFERENCE)
