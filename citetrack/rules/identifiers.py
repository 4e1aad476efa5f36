"""The identifier rules: malformed, not found, registered elsewhere, conflicting, missing.

``identifier-malformed``, ``doi-not-found``, ``doi-other-agency``, ``pmid-not-found``,
``pmcid-not-found``, ``unverified`` (a registry needed for the verdict could not be
asked), ``pmid-doi-conflict`` and ``missing-identifier``; when each fires is in
:mod:`citetrack.rules.catalog`.  Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rapidfuzz import fuzz

from citetrack.identifiers import (
    IdentifierProblem,
    doi_meant,
    impossible_doi,
    normalize_doi,
    normalize_pmid,
    shown,
)
from citetrack.model import (
    Evidence,
    Finding,
    Found,
    NotFound,
    Severity,
    Source,
    Unavailable,
    WorkMetadata,
)
from citetrack.rules.catalog import (
    RULE_CONFLICT,
    RULE_DOI_NOT_FOUND,
    RULE_DOI_OTHER_AGENCY,
    RULE_MALFORMED,
    RULE_MISSING_ID,
    RULE_OTHER_WORK,
    RULE_PMCID_NOT_FOUND,
    RULE_PMID_NOT_FOUND,
    RULE_UNVERIFIED,
    rank,
    source_name,
)
from citetrack.rules.evidence import Context, Record, evidence_from
from citetrack.rules.fields import extract_years, family_matches
from citetrack.rules.matching import (
    CONFLICT_TITLE_MAX,
    all_years,
    confident,
    first_author_matches,
    persons,
    titles_match,
)
from citetrack.rules.text import fold_title


def malformed_findings(ctx: Context, problems: Sequence[IdentifierProblem]) -> list[Finding]:
    """One warning per malformed identifier; a DOI buried in junk is offered as the fix
    only when it is plainly the one meant (:func:`~citetrack.identifiers.doi_meant`).

    A value written as a DOI that no agency can have issued (``10.abc/xyz``: a registrant
    code that is not digits, or no suffix; :func:`~citetrack.identifiers.impossible_doi`)
    and that means no other DOI is **broken**, as a DOI no registry knows: the citation
    names no work, for certain.  As a warning, a fabricated reference with such a DOI
    passed ``check`` and the pull-request gate with exit 0, "0 confirmed by a source".
    """
    out = []
    for problem in problems:
        suggestion = problem.suggestion
        is_doi = problem.field.lower() == "doi"
        if suggestion is None and is_doi:
            suggestion = doi_meant(problem.value)
        impossible = is_doi and suggestion is None and impossible_doi(problem.value)
        reason = problem.reason + ("; no DOI can have this form" if impossible else "")
        out.append(
            Finding.about(
                ctx.ref,
                RULE_MALFORMED,
                Severity.BROKEN if impossible else Severity.WARNING,
                f"The {problem.field} field '{shown(problem.value)}' is {reason}.",
                field=problem.field,
                actual=problem.value,
                source=Source.CITATION,
                suggestion=suggestion,
            )
        )
    return out


def _unverified(ctx: Context, field: str, message: str, source: Source) -> Finding:
    return Finding.about(
        ctx.ref,
        RULE_UNVERIFIED,
        Severity.UNVERIFIED,
        message,
        field=field,
        actual=getattr(ctx.ids, field),
        source=source,
    )


def doi_verdict(ctx: Context, evidence: Sequence[Evidence]) -> list[Finding]:
    """Does the DOI exist?  Broken only when Crossref *and* doi.org answered "not found".

    Crossref being unavailable is always reported (it holds the metadata and the
    retraction notices); doi.org matters only when Crossref did not find the DOI.
    """
    doi = ctx.ids.doi
    if not doi:
        return []
    crossref = evidence_from(evidence, Source.CROSSREF, "doi", ctx.ids)
    doi_org = evidence_from(evidence, Source.DOI_ORG, "doi", ctx.ids)
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
                Finding.about(
                    ctx.ref,
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
            Finding.about(
                ctx.ref,
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


def _existence_verdict(
    ctx: Context,
    evidence: Sequence[Evidence],
    field: str,
    source: Source,
    *,
    rule: str,
    not_found: str,
    unavailable: str,
) -> list[Finding]:
    """Does the cited ``field`` identifier exist?  ``source``'s "not found" is a verdict
    (``rule``, broken); "unavailable" leaves the identifier unverified, never silently ok.

    ``not_found`` and ``unavailable`` are the messages, with ``{id}`` and ``{reason}`` slots.
    """
    value = getattr(ctx.ids, field)
    item = evidence_from(evidence, source, field, ctx.ids) if value else None
    if isinstance(item, NotFound):
        message = not_found.format(id=value, reason=item.reason)
        return [
            Finding.about(
                ctx.ref, rule, Severity.BROKEN, message, field=field, actual=value, source=source
            )
        ]
    if isinstance(item, Unavailable):
        return [_unverified(ctx, field, unavailable.format(id=value, reason=item.reason), source)]
    return []


def pmid_verdict(ctx: Context, evidence: Sequence[Evidence]) -> list[Finding]:
    """Does the PMID exist?  PubMed's "not found" is a verdict; "unavailable" is not."""
    return _existence_verdict(
        ctx,
        evidence,
        "pmid",
        Source.PUBMED,
        rule=RULE_PMID_NOT_FOUND,
        not_found="PMID {id} does not exist in PubMed ({reason}).",
        unavailable="PubMed could not be asked about PMID {id} ({reason}); its existence "
        "and metadata were not checked.",
    )


def pmid_lookup_verdict(ctx: Context, evidence: Sequence[Evidence]) -> list[Finding]:
    """A DOI without a PMID whose PubMed lookup could not be made: the missing-PMID check
    was skipped, which is said (``unverified``), not left to read as "no PMID to add"."""
    if not ctx.ids.doi or ctx.ids.pmid:
        return []
    item = evidence_from(evidence, Source.PUBMED, "doi", ctx.ids)
    if not isinstance(item, Unavailable):
        return []
    return [  # about the DOI PubMed was asked about (as Crossref's own unverified is)
        _unverified(
            ctx,
            "doi",
            f"PubMed could not be asked whether it indexes DOI {ctx.ids.doi}, so a missing "
            f"PMID was not looked for ({item.reason}).",
            Source.PUBMED,
        )
    ]


def pmcid_verdict(ctx: Context, evidence: Sequence[Evidence]) -> list[Finding]:
    """Does the PMCID exist?  The PMC id converter's "not found" for a PMCID is a verdict;
    "unavailable" leaves a PMCID-only reference unverified, never silently ok."""
    return _existence_verdict(
        ctx,
        evidence,
        "pmcid",
        Source.PMC,
        rule=RULE_PMCID_NOT_FOUND,
        not_found="PMCID {id} does not exist in PubMed Central ({reason}).",
        unavailable="The PMC ID converter could not be asked about {id} ({reason}); its "
        "existence was not checked.",
    )


# ---------------------------------------------------------------------- conflict rule


def _clearly_different(a: WorkMetadata, b: WorkMetadata, title_a: str, title_b: str) -> bool:
    """Low title similarity and a positively different first author or year (±1 allowed).

    Both conditions are required because one work may be titled in two languages
    (PubMed gives translated titles in brackets) or carry a changed title.
    """
    if titles_match(title_a, title_b):
        return False
    if fuzz.ratio(fold_title(title_a), fold_title(title_b)) >= CONFLICT_TITLE_MAX:
        return False
    ya, yb = all_years(a), all_years(b)
    years_apart = bool(ya and yb) and all(abs(x - y) > 1 for x in ya for y in yb)
    pa, pb = persons(a.authors), persons(b.authors)
    authors_differ = bool(pa and pb) and not family_matches(pa[0].family, pb[0].family)
    return years_apart or authors_differ


def conflict(ctx: Context, records: Sequence[Record]) -> Finding | None:
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
            return Finding.about(
                ctx.ref,
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
            return Finding.about(
                ctx.ref,
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
                return Finding.about(
                    ctx.ref,
                    RULE_CONFLICT,
                    Severity.BROKEN,
                    f"DOI {doi} and PMID {pmid} are different works: '{title_a}' "
                    f"({source_name(a.source)}) and '{title_b}' ({source_name(b.source)}).",
                    field="pmid",
                    expected=title_b,
                    actual=title_a,
                    source=b.source,
                )
    return None


# ---------------------------------------------------------------- missing identifiers


# ------------------------------------------------------------------ another work's id

#: The identifier kinds a citation may carry that name one work, as messages say them.
_ID_LABELS = {"doi": "DOI", "pmid": "PMID", "pmcid": "PMCID"}
#: The cited fields a record's title may rightly be: a chapter cited with its book's DOI,
#: a journal issue's or a series' own record.
_OTHER_TITLES = ("chapter", "booktitle", "journal", "journaltitle", "series")


def _names_another_work(ctx: Context, meta: WorkMetadata) -> bool:
    """Title, first author and year of the citation all positively unlike ``meta``'s."""
    title = ctx.ref.get("title")
    if not title or not meta.title:
        return False
    cited_titles = [title, *(v for n in _OTHER_TITLES if (v := ctx.ref.get(n)))]
    if any(titles_match(t, meta.title) for t in cited_titles):
        return False
    if fuzz.ratio(fold_title(title), fold_title(meta.title)) >= CONFLICT_TITLE_MAX:
        return False
    if not persons(ctx.authors.authors) or not persons(meta.authors):
        return False
    if first_author_matches(ctx.authors, meta.authors):
        return False
    cited = set(extract_years(ctx.ref.get("year") or ctx.ref.get("date")))
    theirs = all_years(meta)
    return bool(cited and theirs) and all(abs(x - y) > 1 for x in cited for y in theirs)


def other_works(ctx: Context, records: Sequence[Record]) -> list[Finding]:
    """``identifier-other-work``: one per identifier kind of the citation whose record is
    another work (:func:`_names_another_work`), the first such record by preference."""
    out = []
    for kind, label in _ID_LABELS.items():
        mine = sorted((r for r in records if r.kind == kind), key=lambda r: rank(r.source))
        if not mine or any(confident(ctx.ref, ctx.authors, r.meta) for r in mine):
            continue
        rec = next((r for r in mine if _names_another_work(ctx, r.meta)), None)
        if rec is None:
            continue
        meta = rec.meta
        people = persons(meta.authors)
        years = sorted(all_years(meta))
        who = f"{people[0].family}, {years[0]}" if people and years else "?"
        out.append(
            Finding.about(
                ctx.ref,
                RULE_OTHER_WORK,
                Severity.BROKEN,
                f"The {label} {getattr(ctx.ids, kind)} names another work: "
                f"{source_name(rec.source)} has '{meta.title}' ({who}); title, first "
                "author and year all differ from the citation's.",
                field=kind,
                expected=meta.title,
                actual=ctx.ref.get("title"),
                source=rec.source,
            )
        )
    return out


def trusted_kinds(ctx: Context, records: Sequence[Record]) -> set[str]:
    """The citation's identifiers ("doi", "pmid"…) whose titled records describe the cited
    work: title and first author agree.  Records of these kinds may supply fixes."""
    return {r.kind for r in records if r.meta.title and confident(ctx.ref, ctx.authors, r.meta)}


_WANTED: tuple[
    tuple[str, str, Callable[[str | None], str | None], Callable[[WorkMetadata], str | None]], ...
] = (
    ("doi", "DOI", normalize_doi, lambda m: m.doi),
    ("pmid", "PMID", normalize_pmid, lambda m: m.pmid),
)


def missing_identifiers(
    ctx: Context, records: Sequence[Record], trusted: set[str]
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
        for rec in sorted(records, key=lambda r: rank(r.source)):
            value = normalise(get(rec.meta))
            if value and (
                rec.kind in trusted
                or (rec.meta.title and confident(ctx.ref, ctx.authors, rec.meta))
            ):
                values.setdefault(value, rec.source)
        if len(values) != 1:
            continue
        ((value, source),) = values.items()
        out.append(
            Finding.about(
                ctx.ref,
                RULE_MISSING_ID,
                Severity.WARNING,
                f"The citation has no {label}; {source_name(source)} gives {value} for this work.",
                field=field,
                expected=value,
                source=source,
                suggestion=value,
            )
        )
    return out
