"""Compare one reference with what the registries say about it: the findings of ``check``.

Pure: a :class:`~citetrack.model.Reference`, the :data:`~citetrack.model.Evidence` the
resolvers gathered for its identifiers, and the identifier problems found while reading
it go in; :class:`~citetrack.model.Finding` objects come out.  No I/O, no clock.

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
    title similarity below :data:`CONFLICT_TITLE_MAX` and a different first author or a
    year more than one apart.
``metadata-mismatch`` (warning)
    one per field (title, author, year, journal, volume, issue, pages) that the citation
    has, that some registry record has, and that matches **no** registry record within
    the tolerances documented at each ``_check_*`` function.
``retracted`` (broken) / ``expression-of-concern`` (warning) / ``correction`` (warning)
    a registry record carries such a notice (Crossref ``updated-by``; PubMed
    publication type "Retracted Publication").  Withdrawal and removal count as retraction.
``missing-identifier`` (warning)
    a registry knows a DOI / PMID the citation lacks, the record that says so is
    trustworthy (see :func:`_trusted_kinds`) and all such records agree on one value.
``unverified`` (unverified)
    a source needed for a verdict was Unavailable: Crossref for a DOI (always: it holds
    the metadata and the retraction notices), doi.org when Crossref did not find the DOI,
    PubMed for a PMID.  Never broken.
    A DOI that doi.org does not know while Crossref was not asked is also only
    unverified: ``doi-not-found`` needs both registries' word.
``no-identifier`` (note)
    the reference has no DOI, PMID, PMCID or URL and no evidence, so nothing could be
    checked (a note: it leaves the reference "ok", but says why nothing was verified).
``duplicate-reference`` (warning, :func:`find_duplicates`)
    a later reference has the DOI, the PMID, or the folded title + year + first author's
    family of an earlier one.

Suggestions (``Finding.suggestion``) are set only when the record supplying the expected
value is a confident match: it was retrieved by the citation's own identifier and its
title and first author agree with the citation.  Values are plain Unicode in BibTeX
conventions (pages ``12--18``); escaping for the file is the writer's job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from citetrack.identifiers import (
    IdentifierProblem,
    extract_identifiers,
    find_dois,
    normalize_doi,
    normalize_pmcid,
    normalize_pmid,
)
from citetrack.model import (
    Author,
    Evidence,
    Finding,
    Found,
    Identifiers,
    NotFound,
    Reference,
    Severity,
    Source,
    Unavailable,
    Update,
    UpdateKind,
    WorkMetadata,
)
from citetrack.rules.journals import journal_matches
from citetrack.rules.spelling import misspellings
from citetrack.rules.text import (
    AuthorList,
    extract_years,
    family_key,
    family_matches,
    fold,
    fold_number,
    fold_title,
    format_pages,
    is_organisation,
    main_title,
    parse_pages,
    parse_registry_name,
    split_authors,
)

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

RULE_MALFORMED = "identifier-malformed"
RULE_DOI_NOT_FOUND = "doi-not-found"
RULE_DOI_OTHER_AGENCY = "doi-other-agency"
RULE_PMID_NOT_FOUND = "pmid-not-found"
RULE_PMCID_NOT_FOUND = "pmcid-not-found"
RULE_CONFLICT = "pmid-doi-conflict"
RULE_MISMATCH = "metadata-mismatch"
RULE_RETRACTED = "retracted"
RULE_CORRECTION = "correction"
RULE_CONCERN = "expression-of-concern"
RULE_MISSING_ID = "missing-identifier"
RULE_UNVERIFIED = "unverified"
RULE_NO_IDENTIFIER = "no-identifier"
RULE_DUPLICATE = "duplicate-reference"

_SOURCE_NAMES = {
    Source.CROSSREF: "Crossref",
    Source.PUBMED: "PubMed",
    Source.PMC: "the PMC id converter",
    Source.DOI_ORG: "doi.org",
}
#: Whose value is quoted as "expected" when no record matches: Crossref keeps full page
#: ranges and the journal's own capitalisation; PubMed first for the year, because its
#: publication date is the issue's, where Crossref's "issued" is the earliest (online) one.
_PREFERENCE = (Source.CROSSREF, Source.PUBMED, Source.PMC, Source.DOI_ORG)
_YEAR_PREFERENCE = (Source.PUBMED, Source.CROSSREF, Source.PMC, Source.DOI_ORG)


def _name(source: Source) -> str:
    return _SOURCE_NAMES.get(source, source.value)


# ------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class _Record:
    """A Found answer and which of the citation's identifiers it answers."""

    kind: str  # "doi" | "pmid" | "pmcid" | "other"
    source: Source
    meta: WorkMetadata


def _identifiers(ref: Reference) -> Identifiers:
    """The reference's identifiers, extracted from its fields if the loader left them empty."""
    if ref.identifiers.as_dict():
        return ref.identifiers
    return extract_identifiers(ref.fields)[0]


def _kind(identifier: str, ids: Identifiers) -> str:
    """Which of the citation's identifiers an evidence item was looked up by."""
    if ids.doi and normalize_doi(identifier) == ids.doi.lower():
        return "doi"
    if ids.pmid and normalize_pmid(identifier) == ids.pmid:
        return "pmid"
    if ids.pmcid and normalize_pmcid(identifier) == ids.pmcid:
        return "pmcid"
    return "other"


def _of(
    evidence: Sequence[Evidence], source: Source, kind: str, ids: Identifiers
) -> Evidence | None:
    """The first evidence item from ``source`` about the citation's ``kind`` identifier."""
    for item in evidence:
        if item.source is source and _kind(item.identifier, ids) == kind:
            return item
    return None


# --------------------------------------------------------------------------- matching


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


def _persons(authors: Iterable[Author]) -> list[Author]:
    """The person authors of a registry list (unparsed "Family INITIALS" literals included)."""
    return [a for a in (parse_registry_name(x) for x in authors) if not a.literal]


def _same_author(cited: Author, registry: Author) -> bool:
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
        return any(_same_author(first, r) for r in registry)
    people = _persons(registry)
    if people and _same_author(first, people[0]):
        return True
    whole = Author(literal=f"{first.given} {first.family}".strip())
    return _same_author(whole, registry[0]) or _same_author(first, registry[0])


def _confident(ref: Reference, cited: AuthorList, meta: WorkMetadata) -> bool:
    """Title and first author agree (or neither side names any author)."""
    title = ref.get("title")
    if not title or not meta.title or not titles_match(title, meta.title):
        return False
    if not cited.authors:
        return not meta.authors
    return first_author_matches(cited, meta.authors)


# ----------------------------------------------------------------------- the finding


@dataclass(frozen=True)
class _Context:
    """What every rule needs about the reference."""

    ref: Reference
    ids: Identifiers
    authors: AuthorList

    def finding(
        self,
        rule: str,
        severity: Severity,
        message: str,
        *,
        field: str | None = None,
        expected: str | None = None,
        actual: str | None = None,
        source: Source | None = None,
        suggestion: str | None = None,
    ) -> Finding:
        return Finding(
            key=self.ref.key,
            rule=rule,
            severity=severity,
            message=message,
            field=field,
            expected=expected,
            actual=actual,
            source=source,
            line=self.ref.line,
            suggestion=suggestion,
        )


# ------------------------------------------------------------------ identifier rules


def _malformed(ctx: _Context, problems: Sequence[IdentifierProblem]) -> list[Finding]:
    """One warning per malformed identifier; a DOI buried in junk is offered as the fix."""
    out = []
    for problem in problems:
        suggestion = None
        if problem.field.lower() == "doi":
            dois = find_dois(problem.value)
            suggestion = dois[0] if len(dois) == 1 else None
        out.append(
            ctx.finding(
                RULE_MALFORMED,
                Severity.WARNING,
                f"The {problem.field} field '{problem.value}' is {problem.reason}.",
                field=problem.field,
                actual=problem.value,
                source=Source.CITATION,
                suggestion=suggestion,
            )
        )
    return out


def _unverified(ctx: _Context, field: str, message: str, source: Source) -> Finding:
    return ctx.finding(
        RULE_UNVERIFIED,
        Severity.UNVERIFIED,
        message,
        field=field,
        actual=getattr(ctx.ids, field),
        source=source,
    )


def _doi_verdict(ctx: _Context, evidence: Sequence[Evidence]) -> list[Finding]:
    """Does the DOI exist?  Broken only when Crossref *and* doi.org answered "not found".

    Crossref being unavailable is always reported (it holds the metadata and the
    retraction notices); doi.org matters only when Crossref did not find the DOI.
    """
    doi = ctx.ids.doi
    if not doi:
        return []
    crossref = _of(evidence, Source.CROSSREF, "doi", ctx.ids)
    doi_org = _of(evidence, Source.DOI_ORG, "doi", ctx.ids)
    out: list[Finding] = []
    if isinstance(crossref, Unavailable):
        out.append(
            _unverified(
                ctx,
                "doi",
                f"Crossref could not be asked about DOI {doi} ({crossref.reason}); its "
                "metadata and retraction status were not checked there.",
                Source.CROSSREF,
            )
        )
    if isinstance(crossref, Found) or isinstance(doi_org, Found):
        if isinstance(crossref, NotFound) and isinstance(doi_org, Found):
            agency = doi_org.metadata.agency or "another registration agency"
            out.append(
                ctx.finding(
                    RULE_DOI_OTHER_AGENCY,
                    Severity.NOTE,
                    f"DOI {doi} is registered with {agency}, not Crossref; only its existence "
                    "was checked.",
                    field="doi",
                    actual=doi,
                    source=Source.DOI_ORG,
                )
            )
        return out
    if isinstance(crossref, NotFound) and isinstance(doi_org, NotFound):
        out.append(
            ctx.finding(
                RULE_DOI_NOT_FOUND,
                Severity.BROKEN,
                f"DOI {doi} is not registered: neither Crossref ({crossref.reason}) nor doi.org "
                f"({doi_org.reason}) knows it.",
                field="doi",
                actual=doi,
                source=Source.DOI_ORG,
            )
        )
    elif isinstance(crossref, NotFound):
        why = doi_org.reason if isinstance(doi_org, Unavailable) else "not asked"
        out.append(
            _unverified(
                ctx,
                "doi",
                f"Crossref does not know DOI {doi} and doi.org could not say whether another "
                f"agency registered it (doi.org: {why}).",
                Source.DOI_ORG,
            )
        )
    elif isinstance(doi_org, NotFound) and crossref is None:
        out.append(
            _unverified(
                ctx,
                "doi",
                f"doi.org does not know DOI {doi} ({doi_org.reason}), but Crossref was not asked "
                "to confirm it.",
                Source.DOI_ORG,
            )
        )
    return out


def _pmid_verdict(ctx: _Context, evidence: Sequence[Evidence]) -> list[Finding]:
    """Does the PMID exist?  PubMed's "not found" is a verdict; "unavailable" is not."""
    pmid = ctx.ids.pmid
    item = _of(evidence, Source.PUBMED, "pmid", ctx.ids) if pmid else None
    if isinstance(item, NotFound):
        return [
            ctx.finding(
                RULE_PMID_NOT_FOUND,
                Severity.BROKEN,
                f"PMID {pmid} does not exist in PubMed ({item.reason}).",
                field="pmid",
                actual=pmid,
                source=Source.PUBMED,
            )
        ]
    if isinstance(item, Unavailable):
        return [
            _unverified(
                ctx,
                "pmid",
                f"PubMed could not be asked about PMID {pmid} ({item.reason}); its existence "
                "and metadata were not checked.",
                Source.PUBMED,
            )
        ]
    return []


def _pmcid_verdict(ctx: _Context, evidence: Sequence[Evidence]) -> list[Finding]:
    """Does the PMCID exist?  The PMC id converter's "not found" for a PMCID is a verdict;
    "unavailable" leaves a PMCID-only reference unverified, never silently ok."""
    pmcid = ctx.ids.pmcid
    item = _of(evidence, Source.PMC, "pmcid", ctx.ids) if pmcid else None
    if isinstance(item, NotFound):
        return [
            ctx.finding(
                RULE_PMCID_NOT_FOUND,
                Severity.BROKEN,
                f"PMCID {pmcid} does not exist in PubMed Central ({item.reason}).",
                field="pmcid",
                actual=pmcid,
                source=Source.PMC,
            )
        ]
    if isinstance(item, Unavailable):
        return [
            _unverified(
                ctx,
                "pmcid",
                f"The PMC ID converter could not be asked about {pmcid} ({item.reason}); its "
                "existence was not checked.",
                Source.PMC,
            )
        ]
    return []


# ---------------------------------------------------------------------- conflict rule


def _all_years(meta: WorkMetadata) -> set[int]:
    return set(meta.years) | ({meta.year} if meta.year else set())


def _clearly_different(a: WorkMetadata, b: WorkMetadata, title_a: str, title_b: str) -> bool:
    """Low title similarity and a positively different first author or year (±1 allowed).

    Both conditions are required because one work may be titled in two languages
    (PubMed gives translated titles in brackets) or carry a changed title.
    """
    if titles_match(title_a, title_b):
        return False
    if fuzz.ratio(fold_title(title_a), fold_title(title_b)) >= CONFLICT_TITLE_MAX:
        return False
    ya, yb = _all_years(a), _all_years(b)
    years_apart = bool(ya and yb) and all(abs(x - y) > 1 for x in ya for y in yb)
    pa, pb = _persons(a.authors), _persons(b.authors)
    authors_differ = bool(pa and pb) and not family_matches(pa[0].family, pb[0].family)
    return years_apart or authors_differ


def _conflict(ctx: _Context, records: Sequence[_Record]) -> Finding | None:
    """``pmid-doi-conflict``: the cited DOI and PMID are two different works."""
    doi, pmid = ctx.ids.doi, ctx.ids.pmid
    if not doi or not pmid:
        return None
    by_doi = [r for r in records if r.kind == "doi"]
    by_pmid = [r for r in records if r.kind == "pmid"]
    doi_title = next((r.meta.title for r in by_doi if r.meta.title), "?")
    pmid_title = next((r.meta.title for r in by_pmid if r.meta.title), "?")
    for rec in by_pmid:
        other = normalize_doi(rec.meta.doi)
        if other and other != doi.lower():
            return ctx.finding(
                RULE_CONFLICT,
                Severity.BROKEN,
                f"PMID {pmid} is the work with DOI {other} ('{pmid_title}'), not DOI {doi} "
                f"('{doi_title}').",
                field="pmid",
                expected=other,
                actual=doi,
                source=rec.source,
            )
    for rec in by_doi:
        other = normalize_pmid(rec.meta.pmid)
        if other and other != pmid:
            return ctx.finding(
                RULE_CONFLICT,
                Severity.BROKEN,
                f"DOI {doi} ('{doi_title}') belongs to PMID {other}, not PMID {pmid} "
                f"('{pmid_title}').",
                field="pmid",
                expected=other,
                actual=pmid,
                source=rec.source,
            )
    titled_doi = [(r, r.meta.title) for r in by_doi if r.meta.title]
    titled_pmid = [(r, r.meta.title) for r in by_pmid if r.meta.title]
    for a, title_a in titled_doi:
        for b, title_b in titled_pmid:
            if _clearly_different(a.meta, b.meta, title_a, title_b):
                return ctx.finding(
                    RULE_CONFLICT,
                    Severity.BROKEN,
                    f"DOI {doi} and PMID {pmid} are different works: '{title_a}' "
                    f"({_name(a.source)}) and '{title_b}' ({_name(b.source)}).",
                    field="pmid",
                    expected=title_b,
                    actual=title_a,
                    source=b.source,
                )
    return None


# ----------------------------------------------------------------------- notice rules

_NOTICE_RULES = (
    (
        RULE_RETRACTED,
        Severity.BROKEN,
        frozenset({UpdateKind.RETRACTION, UpdateKind.WITHDRAWAL, UpdateKind.REMOVAL}),
        "The work was {}",
    ),
    (
        RULE_CONCERN,
        Severity.WARNING,
        frozenset({UpdateKind.EXPRESSION_OF_CONCERN}),
        "The work has an expression of concern",
    ),
    (
        RULE_CORRECTION,
        Severity.WARNING,
        frozenset({UpdateKind.CORRECTION}),
        "The work has a correction",
    ),
)
_RETRACTED_PUBTYPE = "retracted publication"
_PARTICIPLES = {
    UpdateKind.RETRACTION: "retracted",
    UpdateKind.WITHDRAWAL: "withdrawn",
    UpdateKind.REMOVAL: "removed",
}


def _notice_name(update: Update) -> str:
    """``retraction 10.1016/x``, ``retraction PMID 20137807``, ``retraction (label)``."""
    kind = update.kind.value.replace("_", " ")
    notice = (update.notice_id or "").strip()
    if notice:
        return f"{kind} PMID {notice}" if notice.isdigit() else f"{kind} {notice.lower()}"
    return f"{kind} ({update.label})" if update.label else kind


def _asserter(update: Update, source: Source) -> str:
    """``publisher via Crossref``, ``retraction-watch via Crossref``, ``PubMed``."""
    registry = _name(source)
    by = update.asserted_by
    return f"{by} via {registry}" if by and by.casefold() != registry.casefold() else registry


def _notices(ctx: _Context, records: Sequence[_Record]) -> list[Finding]:
    """One finding per notice rule, naming every notice and who asserted it.

    The same notice often arrives twice (publisher and Retraction Watch, both via
    Crossref): notices are keyed by identifier, and each lists all its asserters.  PubMed's
    "Retracted Publication" publication type counts when the record has no retraction
    update of its own.
    """
    out = []
    for rule, severity, kinds, lead in _NOTICE_RULES:
        claims: dict[str, list[str]] = {}  # notice → who says so
        sources: list[Source] = []
        seen_kinds: list[UpdateKind] = []
        for rec in records:
            updates = [u for u in rec.meta.updates if u.kind in kinds]
            if (
                rule == RULE_RETRACTED
                and not updates
                and any(t.casefold() == _RETRACTED_PUBTYPE for t in rec.meta.publication_types)
            ):
                updates = [Update(UpdateKind.RETRACTION, label="Retracted Publication")]
            for update in updates:
                if update.kind not in seen_kinds:
                    seen_kinds.append(update.kind)
                entry = claims.setdefault(_notice_name(update), [])
                who = _asserter(update, rec.source)
                if who not in entry:
                    entry.append(who)
                sources.append(rec.source)
        if not claims:
            continue
        told = "; ".join(f"{n} (asserted by {', '.join(w)})" for n, w in claims.items())
        notice_ids = {
            (u.notice_id or "").lower()
            for r in records
            for u in r.meta.updates
            if u.kind in kinds and u.notice_id
        }
        out.append(
            ctx.finding(
                rule,
                severity,
                f"{lead.format(' and '.join(_PARTICIPLES.get(k, '') for k in seen_kinds))}: "
                f"{told}.",
                expected=", ".join(sorted(notice_ids)) or None,
                source=min(sources, key=_rank),
            )
        )
    return out


# ---------------------------------------------------------------------- field checks


@dataclass(frozen=True)
class _Mismatch:
    """A field no record supports: the message, the authority's value and whose it is."""

    message: str
    expected: str
    record: _Record
    suggestion: str | None = None


def _rank(source: Source) -> int:
    return _PREFERENCE.index(source) if source in _PREFERENCE else len(_PREFERENCE)


def _pick(records: Sequence[_Record], order: Sequence[Source] = _PREFERENCE) -> _Record:
    """The record whose value is quoted as "expected": first by source preference."""
    rank = {s: i for i, s in enumerate(order)}
    return min(records, key=lambda r: rank.get(r.source, len(rank)))


def _check_title(cited: str, records: Sequence[_Record]) -> _Mismatch | None:
    """Title: :func:`titles_match` against any record; a matching title that differs from
    every record's by a misspelling (:func:`citetrack.rules.spelling.misspellings`) is
    reported with the record's title as the suggestion (issue 13)."""
    having = [(r, r.meta.title) for r in records if r.meta.title]
    matching = [(r, title) for r, title in having if titles_match(cited, title)]
    if matching:
        typos = [(r, title, misspellings(cited, title)) for r, title in matching]
        if any(not words for _, _, words in typos):
            return None
        rec, title, words = min(typos, key=lambda t: _rank(t[0].source))
        listed = ", ".join(f"'{a}' for '{b}'" for a, b in words)
        return _Mismatch(
            f"The title misspells {_name(rec.source)}'s '{title}': {listed}.", title, rec, title
        )
    if not having:
        return None
    rec = _pick([r for r, _ in having])
    title = rec.meta.title or ""
    return _Mismatch(f"The title differs from {_name(rec.source)}'s '{title}'.", title, rec)


def _list_problem(cited: AuthorList, registry: Sequence[Author], source: str) -> str | None:
    """What is wrong with the citation's list of persons against one record's, or None."""
    mine = [a for a in cited.authors if not a.literal]
    theirs = _persons(registry)
    for i, (a, b) in enumerate(zip(mine, theirs, strict=False)):
        if _same_author(a, b):
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
        hit = next((b for b in left if _same_author(a, b)), None)
        if hit is None:
            return False
        left.remove(hit)
    return not left


def _check_authors(cited: AuthorList, records: Sequence[_Record]) -> _Mismatch | None:
    """Authors: first the first author (families compared, see ``text.family_matches``),
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
        people = _persons(rec.meta.authors) or list(rec.meta.authors)
        expected = people[0].display
        return _Mismatch(
            f"The first author '{cited.authors[0].display}' is not {_name(rec.source)}'s first "
            f"author '{expected}'.",
            expected,
            rec,
        )
    problems = [(r, _list_problem(cited, r.meta.authors, _name(r.source))) for r in having]
    if any(problem is None for _, problem in problems):
        return None
    rec, problem = min(problems, key=lambda rp: _rank(rp[0].source))
    expected = "; ".join(a.display for a in _persons(rec.meta.authors))
    return _Mismatch(problem or "", expected, rec)


def _check_year(cited: str, records: Sequence[_Record]) -> _Mismatch | None:
    """Year: any year in the field equal to any year a record gives (print, online,
    issued), so online and print years one apart both pass."""
    mine = set(extract_years(cited))
    having = [r for r in records if _all_years(r.meta)]
    if not mine or not having:
        return None
    theirs = {y for r in having for y in _all_years(r.meta)}
    if mine & theirs:
        return None
    rec = _pick(having, _YEAR_PREFERENCE)
    year = str(rec.meta.year or min(rec.meta.years))
    accepted = ", ".join(str(y) for y in sorted(theirs))
    return _Mismatch(
        f"The year {cited} is not a publication year the registries give ({accepted}).",
        year,
        rec,
        year,
    )


def _check_journal(cited: str, records: Sequence[_Record]) -> _Mismatch | None:
    """Journal: :func:`citetrack.rules.journals.journal_matches` against full and short names."""
    having = [r for r in records if r.meta.container or r.meta.container_short]
    names = [n for r in having for n in (r.meta.container, r.meta.container_short) if n]
    if not names or journal_matches(cited, names):
        return None
    rec = _pick(having)
    full = rec.meta.container or rec.meta.container_short or ""
    return _Mismatch(f"The journal differs from {_name(rec.source)}'s '{full}'.", full, rec, full)


def _number_check(label: str, get: Callable[[WorkMetadata], str | None]) -> _Check:
    """Volume / issue: equal after ``fold_number`` (``Vol. 05`` = ``5``)."""

    def check(cited: str, records: Sequence[_Record]) -> _Mismatch | None:
        having = [(r, value) for r in records if (value := get(r.meta))]
        mine = fold_number(cited)
        if not mine or not having:
            return None
        if any(fold_number(value) == mine for _, value in having):
            return None
        rec = _pick([r for r, _ in having])
        value = get(rec.meta) or ""
        return _Mismatch(
            f"The {label} {cited} differs from {_name(rec.source)}'s {value}.", value, rec, value
        )

    return check


def _page_key(page: str) -> str:
    """A first page as compared: case folded; ``e33693`` and ``33693`` are one article id."""
    value = page.casefold()
    if len(value) > 4 and value[0] == "e" and value[1:].isdigit():
        return value[1:]
    return value


def pages_match(cited: str, registry: str) -> bool:
    """Same first page; the last pages must agree when both sides give one.

    Dash style is free (``12--18``, ``12–18``) and MEDLINE's abbreviated ranges are
    expanded (``12-8`` is 12–18, ``531-7`` is 531–537).
    """
    a, b = parse_pages(cited), parse_pages(registry)
    if a is None or b is None or _page_key(a.start) != _page_key(b.start):
        return False
    return a.end is None or b.end is None or a.end.casefold() == b.end.casefold()


def _check_pages(cited: str, records: Sequence[_Record]) -> _Mismatch | None:
    """Pages: :func:`pages_match` against any record; a lone first page is fine."""
    having = [(r, p) for r in records if (p := parse_pages(r.meta.pages))]
    if parse_pages(cited) is None or not having:
        return None
    if any(pages_match(cited, r.meta.pages or "") for r, _ in having):
        return None
    rec, pages = min(having, key=lambda rp: _rank(rp[0].source))
    value = format_pages(pages)
    return _Mismatch(
        f"The pages {cited} differ from {_name(rec.source)}'s {rec.meta.pages}.", value, rec, value
    )


_Check = Callable[[str, Sequence[_Record]], _Mismatch | None]
#: Cited field names (first present wins) and the check for them.
_FIELD_CHECKS: tuple[tuple[tuple[str, ...], _Check], ...] = (
    (("title",), _check_title),
    (("year", "date"), _check_year),
    (("journal", "journaltitle"), _check_journal),
    (("volume",), _number_check("volume", lambda m: m.volume)),
    (("number", "issue"), _number_check("issue", lambda m: m.issue)),
    (("pages",), _check_pages),
)


def _mismatches(ctx: _Context, records: Sequence[_Record], trusted: set[str]) -> list[Finding]:
    """One ``metadata-mismatch`` per cited field that no record supports.

    A suggestion is kept only if the record quoted is of a trusted identifier kind.
    """
    out: list[Finding] = []
    found: list[tuple[str, str, _Mismatch]] = []
    author_text = ctx.ref.get("author")
    if author_text and (problem := _check_authors(ctx.authors, records)):
        found.append(("author", author_text, problem))
    for names, check in _FIELD_CHECKS:
        name = next((n for n in names if ctx.ref.get(n)), None)
        value = ctx.ref.get(name) if name else None
        if name and value and (problem := check(value, records)):
            found.append((name, value, problem))
    for name, value, problem in found:
        out.append(
            ctx.finding(
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


# ---------------------------------------------------------------- missing identifiers


def _trusted_kinds(ctx: _Context, records: Sequence[_Record]) -> set[str]:
    """The citation's identifiers ("doi", "pmid"…) whose titled records describe the cited
    work: title and first author agree.  Records of these kinds may supply fixes."""
    return {r.kind for r in records if r.meta.title and _confident(ctx.ref, ctx.authors, r.meta)}


_WANTED: tuple[
    tuple[str, str, Callable[[str | None], str | None], Callable[[WorkMetadata], str | None]], ...
] = (
    ("doi", "DOI", normalize_doi, lambda m: m.doi),
    ("pmid", "PMID", normalize_pmid, lambda m: m.pmid),
)


def _missing_identifiers(
    ctx: _Context, records: Sequence[_Record], trusted: set[str]
) -> list[Finding]:
    """DOI / PMID that trustworthy records give and the citation lacks.

    A record is trustworthy when it was looked up by an identifier of a trusted kind
    (the PMC id converter answer for a DOI whose Crossref record matches), or when it
    carries a title and itself matches.  Records that disagree suggest nothing.
    """
    out = []
    for field, label, normalise, get in _WANTED:
        if getattr(ctx.ids, field):
            continue
        values: dict[str, Source] = {}
        for rec in sorted(records, key=lambda r: _rank(r.source)):
            value = normalise(get(rec.meta))
            if value and (
                rec.kind in trusted
                or (rec.meta.title and _confident(ctx.ref, ctx.authors, rec.meta))
            ):
                values.setdefault(value, rec.source)
        if len(values) != 1:
            continue
        ((value, source),) = values.items()
        out.append(
            ctx.finding(
                RULE_MISSING_ID,
                Severity.WARNING,
                f"The citation has no {label}; {_name(source)} gives {value} for this work.",
                field=field,
                expected=value,
                source=source,
                suggestion=value,
            )
        )
    return out


# ---------------------------------------------------------------------------- public


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
    ids = _identifiers(ref)
    ctx = _Context(ref, ids, split_authors(ref.get("author")))
    findings = _malformed(ctx, identifier_problems)
    # A url that is not http(s) is not an identifier, but the link stage reports it
    # (url-refused): "nothing could be checked" would be misleading.
    if not (
        ids.doi or ids.pmid or ids.pmcid or ids.url or ids.archive_url or evidence or ref.get("url")
    ):
        findings.append(
            ctx.finding(
                RULE_NO_IDENTIFIER,
                Severity.NOTE,
                "The reference has no DOI, PMID, PMCID or URL, so nothing could be checked "
                "against a registry.",
                source=Source.CITATION,
            )
        )
        return findings
    findings += _doi_verdict(ctx, evidence)
    findings += _pmid_verdict(ctx, evidence)
    findings += _pmcid_verdict(ctx, evidence)
    records = [
        _Record(kind, e.source, e.metadata)
        for e in evidence
        if isinstance(e, Found) and (kind := _kind(e.identifier, ids)) != "other"
    ]
    conflict = _conflict(ctx, records)
    if conflict:
        findings.append(conflict)
    findings += _notices(ctx, records)
    # Two works behind one citation: compare with both, but fix nothing.
    trusted = set() if conflict else _trusted_kinds(ctx, records)
    findings += _mismatches(ctx, records, trusted)
    if not conflict:
        findings += _missing_identifiers(ctx, records, trusted)
    return findings


def _duplicate_keys(ref: Reference) -> list[tuple[str, str]]:
    """What makes two references one work: DOI, PMID, or title + year + first author."""
    ids = _identifiers(ref)
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


def find_duplicates(refs: Sequence[Reference]) -> list[Finding]:
    """``duplicate-reference`` warnings: one per reference that repeats an earlier one.

    Two references are duplicates when they share a DOI, a PMID, or the same folded title,
    first year and first author's family name.  The finding sits on the later reference
    (its line) and names the earliest one and its line.
    """
    seen: dict[tuple[str, str], Reference] = {}
    out: list[Finding] = []
    for ref in refs:
        keys = _duplicate_keys(ref)
        hit = next(((key, seen[key]) for key in keys if key in seen), None)
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
        for key in keys:
            seen.setdefault(key, ref)
    return out


def suggested_fixes(ref: Reference, findings: Sequence[Finding]) -> dict[str, str]:
    """Field → new value from this reference's findings that carry a suggestion.

    ``metadata-mismatch``, ``missing-identifier`` and ``identifier-malformed``
    suggestions are fixes; the first per field wins.
    """
    fixes: dict[str, str] = {}
    for finding in findings:
        if finding.key != ref.key or not finding.suggestion or not finding.field:
            continue
        if finding.rule in (RULE_MISMATCH, RULE_MISSING_ID, RULE_MALFORMED):
            fixes.setdefault(finding.field, finding.suggestion)
    return fixes
