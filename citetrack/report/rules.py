"""Descriptions of citetrack's rule ids, for formats that carry rule metadata (SARIF).

Rules are created by the stages that emit findings; this catalogue explains them to a
reader and is the list of rule ids an ignore may name (:data:`RULE_IDS`; a test keeps it
complete against the ids the code emits).  A rule missing here still reports correctly,
with a description built from its id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from citetrack.inputs.bib.layout import PROBLEM_RULES
from citetrack.model import Severity
from citetrack.rules.bibfile import BROKEN_PROBLEMS as _BROKEN_BIB


@dataclass(frozen=True)
class RuleInfo:
    """What a rule checks: a one-line summary, a fuller text, its usual severity."""

    short: str
    full: str
    severity: Severity


RULES: Mapping[str, RuleInfo] = {
    "doi-not-found": RuleInfo(
        "DOI is not registered",
        "The registries answered that the DOI does not exist (Crossref and the doi.org "
        "handle system do not know it).",
        Severity.BROKEN,
    ),
    "pmid-not-found": RuleInfo(
        "PMID does not exist",
        "PubMed answered that it has no record with this PMID.",
        Severity.BROKEN,
    ),
    "pmcid-not-found": RuleInfo(
        "PMCID does not exist",
        "The PMC ID converter answered that PubMed Central has no article with this PMCID.",
        Severity.BROKEN,
    ),
    "pmid-doi-conflict": RuleInfo(
        "DOI and PMID name different works",
        "The DOI and the PMID of one reference resolve to two different works.",
        Severity.BROKEN,
    ),
    "identifier-other-work": RuleInfo(
        "The identifier names another work",
        "The citation's DOI, PMID or PMCID leads to a record whose title, first author and "
        "year all differ from the citation's: a wrong or invented identifier.",
        Severity.BROKEN,
    ),
    "metadata-mismatch": RuleInfo(
        "Citation disagrees with the registry",
        "A field of the citation (title, authors, year, journal, volume, issue, pages) "
        "differs from the registry's record beyond tolerance.",
        Severity.WARNING,
    ),
    "retracted": RuleInfo(
        "Cited work is retracted",
        "The registry records a retraction, withdrawal or removal notice for the cited work.",
        Severity.BROKEN,
    ),
    "doi-other-agency": RuleInfo(
        "DOI registered outside Crossref",
        "Crossref does not know the DOI but doi.org does (DataCite, mEDRA…).",
        Severity.NOTE,
    ),
    "correction": RuleInfo(
        "Cited work has a correction",
        "The registry records a correction (erratum) notice for the cited work.",
        Severity.WARNING,
    ),
    "expression-of-concern": RuleInfo(
        "Cited work has an expression of concern",
        "The registry records an expression of concern for the cited work.",
        Severity.WARNING,
    ),
    "missing-identifier": RuleInfo(
        "Citation lacks an identifier the registry knows",
        "A registry knows a DOI or PMID for the work that the citation does not give.",
        Severity.WARNING,
    ),
    "identifier-malformed": RuleInfo(
        "Identifier is malformed",
        "A DOI, PMID, PMCID, ISBN, ISSN or arXiv field does not hold a valid identifier.",
        Severity.WARNING,
    ),
    "unverified": RuleInfo(
        "Could not verify",
        "A registry needed for a verdict could not be asked (timeout, rate limit, server "
        "error); this is never a verdict about the citation.",
        Severity.UNVERIFIED,
    ),
    "no-identifier": RuleInfo(
        "Nothing to check",
        "The reference has no DOI, PMID, PMCID or URL.",
        Severity.NOTE,
    ),
    "duplicate-reference": RuleInfo(
        "Duplicate reference",
        "The same work or key appears more than once in the bibliography.",
        Severity.WARNING,
    ),
    "url-dead": RuleInfo(
        "URL is dead",
        "The cited URL answers 404 / 410 or its host does not exist; with a lockfile it is "
        "reported broken only after failing on several runs over several days.",
        Severity.BROKEN,
    ),
    "url-redirected": RuleInfo(
        "URL moved permanently",
        "The cited URL answers with a permanent redirect (301 / 308) to another page; the "
        "new address is suggested.",
        Severity.WARNING,
    ),
    "url-soft-404": RuleInfo(
        "URL shows a 'not found' page",
        "The cited URL answers 200 but the page says it was not found, or a deep link is "
        "sent to the site's front page.",
        Severity.WARNING,
    ),
    "url-blocked": RuleInfo(
        "URL could not be checked (blocked)",
        "The site answered 401 / 403 / 429 or showed a bot wall; the link may well be fine, "
        "so this is never reported as broken.",
        Severity.UNVERIFIED,
    ),
    "url-unverified": RuleInfo(
        "URL could not be checked",
        "Timeouts, 5xx answers, resets or a redirect loop persisted after retries.",
        Severity.UNVERIFIED,
    ),
    "url-refused": RuleInfo(
        "URL not fetched by policy",
        "The URL uses a scheme other than http(s) or points to a loopback, private, "
        "link-local or metadata address; --allow-private-urls lifts the address check.",
        Severity.WARNING,
    ),
    "archive-invalid": RuleInfo(
        "Cited archive copy is not a good capture",
        "The cited Wayback capture does not exist or recorded an error page, not the "
        "cited page (original status other than 200).",
        Severity.WARNING,
    ),
    "archive-unverified": RuleInfo(
        "Cited archive copy could not be checked",
        "The Wayback Machine could not be asked (rate limit, error, timeout).",
        Severity.UNVERIFIED,
    ),
    "url-missing": RuleInfo(
        "URL not recorded",
        "The citation is dated as visited or archived (urldate / archivedate) but records no "
        "URL or archived URL, so nothing could be checked.",
        Severity.NOTE,
    ),
    "archive-missing": RuleInfo(
        "No archived copy of the URL",
        "The Wayback Machine has no good capture of the cited URL.",
        Severity.NOTE,
    ),
    "dead-link-stale": RuleInfo(
        "Citation marked dead but its URL works",
        "An article's citation carries a {{dead link}} tag or url-status=dead, but its URL "
        "answers HTTP 200 itself: the mark is stale (citetrack export --fix archive removes "
        "the tag and sets url-status=live).",
        Severity.WARNING,
    ),
    "doi-broken-stale": RuleInfo(
        "Citation marks its DOI inactive but the DOI resolves",
        "An article's citation carries |doi-broken-date=, but Crossref or doi.org knows its "
        "DOI now: the mark is stale (citetrack export --fix metadata removes it).",
        Severity.WARNING,
    ),
    "deadurl-obsolete": RuleInfo(
        "Citation uses CS1's old |deadurl=",
        "An article's citation carries |deadurl= or |dead-url=, which CS1 replaced by "
        "|url-status= and no longer reads (citetrack export --fix archive renames "
        "deadurl=yes to url-status=dead, no to live).",
        Severity.WARNING,
    ),
    "metadata-changed": RuleInfo(
        "Registry metadata changed since the lockfile",
        "A registry now gives a different value for a field than when the lockfile was "
        "written (was / now / source in the message).",
        Severity.CHANGED,
    ),
    "retraction-new": RuleInfo(
        "New retraction since the lockfile",
        "A retraction, withdrawal or removal notice appeared since the lockfile was written.",
        Severity.CHANGED,
    ),
    "correction-new": RuleInfo(
        "New correction since the lockfile",
        "A correction (erratum) notice appeared since the lockfile was written.",
        Severity.CHANGED,
    ),
    "expression-of-concern-new": RuleInfo(
        "New expression of concern since the lockfile",
        "An expression of concern appeared since the lockfile was written.",
        Severity.CHANGED,
    ),
    "url-changed": RuleInfo(
        "URL now leads elsewhere",
        "The cited URL now redirects to a different page than when the lockfile was written.",
        Severity.CHANGED,
    ),
    "url-died": RuleInfo(
        "URL died since the lockfile",
        "A URL that worked when the lockfile was written is now confirmed dead.",
        Severity.CHANGED,
    ),
    "archive-vanished": RuleInfo(
        "Archived copy vanished",
        "The archived copy recorded in the lockfile is no longer available.",
        Severity.CHANGED,
    ),
    "reference-added": RuleInfo(
        "Reference added since the lockfile",
        "The reference is not in the lockfile yet (a note: the bibliography's own edit; "
        "the reference's verdict is its own findings, given at once).",
        Severity.NOTE,
    ),
    "reference-renamed": RuleInfo(
        "Reference renamed since the lockfile",
        "A .bib entry recorded in the lockfile under another key (or file) names the same "
        "work: one identifier alike, none different, no other candidate. A note: its "
        "history (accepted findings, failures counted, upstream baseline) is kept.",
        Severity.NOTE,
    ),
    "reference-removed": RuleInfo(
        "Reference removed since the lockfile",
        "The lockfile records a reference that the .bib file no longer has.",
        Severity.CHANGED,
    ),
    "reference-changed": RuleInfo(
        "Citation edited between two revisions of an article",
        "A reference of the article has other facts in this revision than in the one the "
        "lockfile recorded.",
        Severity.CHANGED,
    ),
    "reference-maybe-changed": RuleInfo(
        "Citation perhaps edited between two revisions of an article",
        "A reference of the article reads otherwise in this revision, and the lockfile, "
        "written by an older citetrack, keeps no text of it to tell an edit from this "
        "version's other reading of the same text. A note: `--update-lock` records the text.",
        Severity.NOTE,
    ),
    "metadata-not-compared": RuleInfo(
        "Registry record in the lockfile read by another citetrack version",
        "The lockfile's record of the reference was read from the registry's answer by "
        "another version of citetrack, so its fields could not be compared with today's "
        "(retractions and corrections still were). A note: `--update-lock` records it anew.",
        Severity.NOTE,
    ),
    "isbn-confirmed": RuleInfo(
        "ISBN confirmed by a book catalogue",
        "Open Library or Google Books knows the ISBN, and the book agrees with the citation.",
        Severity.NOTE,
    ),
    "isbn-not-found": RuleInfo(
        "ISBN unknown to the book catalogues",
        "Neither Open Library nor Google Books knows the ISBN (catalogues are incomplete: a "
        "warning, never broken), or the book they know disagrees with the citation.",
        Severity.WARNING,
    ),
    "identifier-candidates": RuleInfo(
        "Possible identifiers for a reference without one",
        "A search found records close to the citation, but none close enough to be "
        "accepted; the candidates are listed.",
        Severity.NOTE,
    ),
    "identifier-unconfirmed": RuleInfo(
        "An identifier whose record cannot confirm the work",
        "The DOI or PMID exists, but its Crossref and PubMed records have no title and no "
        "authors (a journal issue's DOI, a bare deposit): nothing confirms it is the cited "
        "work, so the reference is unverified, not ok.",
        Severity.UNVERIFIED,
    ),
    "identifier-not-found": RuleInfo(
        "No record found for a reference without identifiers",
        "PubMed and Crossref were searched for the citation and returned nothing like it: "
        "nothing confirms the work, and nothing is left to ask (the reference is unchecked "
        "unless its URL confirms it; not 'could not verify', exit 3).",
        Severity.NOTE,
    ),
    "ignore-unknown-rule": RuleInfo(
        "An ignore names no rule",
        "A citetrack-ignore field, a '% citetrack: ignore' comment or an [[ignore]] entry "
        "names a rule id citetrack does not have, so it ignores nothing.",
        Severity.WARNING,
    ),
    "parse-doubtful": RuleInfo(
        "An article's reference read with doubt",
        "A reference of an article (rendered text or wikitext) that citetrack read but "
        "doubts: no title found, a structure not recognised (kept whole in 'note'), a "
        "maintenance tag in the source, several citations in one item.  Look at the line.",
        Severity.WARNING,
    ),
    "parse-not-read": RuleInfo(
        "A line of an article's reference list not read as a reference",
        "A line inside an article's reference list that is not a reference on its own (a "
        "web page's link labels, an 'Ibid.' note, a line without a list number), or a "
        "<ref name=… /> that is never defined: nothing there was checked.",
        Severity.WARNING,
    ),
    **{
        rule: RuleInfo(
            f"The .bib file: {meaning}",
            f"A defect of the .bib file itself: {meaning}.",
            Severity.BROKEN if rule in _BROKEN_BIB else Severity.WARNING,
        )
        for rule, meaning in PROBLEM_RULES.items()
    },
}

#: Every rule id citetrack can report (an ignore naming another id ignores nothing).
RULE_IDS: frozenset[str] = frozenset(RULES)


def describe(rule: str, seen: Severity | None = None) -> RuleInfo:
    """The rule's description; for an unknown rule one built from its id and ``seen``."""
    known = RULES.get(rule)
    if known is not None:
        return known
    text = rule.replace("-", " ").capitalize()
    return RuleInfo(text, f"citetrack rule {rule}.", seen or Severity.WARNING)
