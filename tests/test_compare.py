"""Tests of citetrack.rules.compare: each rule fires when it should, and not when tolerances apply.

All registry records here are SYNTHETIC: plain values shaped like what the Crossref and
PubMed services produce (``WorkMetadata``), modelled on the seed article's reference 3
(Pujol et al. 2004, Int J Dermatol 43(1):12-8).  No network.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citetrack.export.fixes import KIND_OF_RULE
from citetrack.identifiers import IdentifierProblem, extract_identifiers
from citetrack.model import (
    Author,
    Evidence,
    Finding,
    Found,
    NotFound,
    Reference,
    Severity,
    Source,
    Unavailable,
    Update,
    UpdateKind,
    WorkMetadata,
)
from citetrack.rules.compare import (
    CONFLICT_TITLE_MAX,
    FIXABLE_RULES,
    TITLE_THRESHOLD,
    compare_reference,
    find_duplicates,
    first_author_matches,
    pages_match,
    suggested_fixes,
    titles_match,
)
from citetrack.rules.fields import split_authors

DOI = "10.1111/j.1365-4632.2004.01844.x"
PMID = "14693015"
TITLE = "Necrolytic migratory erythema: clinicopathologic study of 13 cases"

FIELDS = {
    "author": "Pujol, R. M. and Wang, C. Y. and el-Azhary, R. A. and Su, W. P. and "
    "Gibson, L. E. and Schroeter, A. L.",
    "title": TITLE,
    "journal": "International Journal of Dermatology",
    "year": "2004",
    "volume": "43",
    "number": "1",
    "pages": "12--18",
    "doi": DOI,
    "pmid": PMID,
}

CROSSREF = WorkMetadata(
    source=Source.CROSSREF,
    doi=DOI,
    title=TITLE,
    authors=(
        Author("Pujol", "Ramon M."),
        Author("Wang", "Chen-Yu"),
        Author("el\u2010Azhary", "Rokea A."),  # Wiley writes U+2010 HYPHEN
        Author("Su", "W. P. Daniel"),
        Author("Gibson", "Lawrence E."),
        Author("Schroeter", "Arnold L."),
    ),
    year=2004,
    years=(2004,),
    container="International Journal of Dermatology",
    container_short="Int J Dermatol",
    volume="43",
    issue="1",
    pages="12-18",
    agency="Crossref",
)
PUBMED = WorkMetadata(
    source=Source.PUBMED,
    doi=DOI,
    pmid=PMID,
    title=TITLE,
    authors=(
        Author("Pujol", "RM"),
        Author("Wang", "CY"),
        Author("el-Azhary", "RA"),
        Author("Su", "WP"),
        Author("Gibson", "LE"),
        Author("Schroeter", "AL"),
    ),
    year=2004,
    years=(2004,),
    container="International journal of dermatology",
    container_short="Int J Dermatol",
    volume="43",
    issue="1",
    pages="12-8",
)


def make_ref(**changes: str | None) -> Reference:
    """The seed reference (key ``pujol2004``, line 12) with some fields changed; ``None``
    removes a field."""
    merged: dict[str, str | None] = {**FIELDS, **changes}
    fields = {k: v for k, v in merged.items() if v is not None}
    ids, _ = extract_identifiers(fields)
    return Reference("pujol2004", "article", fields, ids, line=12)


def crossref(**changes: Any) -> Found:
    meta = replace(CROSSREF, **changes)
    return Found(Source.CROSSREF, DOI, meta)


def pubmed(**changes: Any) -> Found:
    return Found(Source.PUBMED, PMID, replace(PUBMED, **changes))


def rules(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def mismatches(findings: list[Finding]) -> dict[str, Finding]:
    return {f.field or "": f for f in findings if f.rule == "metadata-mismatch"}


def check(ref: Reference | None = None, *evidence: Evidence) -> list[Finding]:
    return compare_reference(ref or make_ref(), evidence or (crossref(), pubmed()))


# ------------------------------------------------------------------------- baseline


def test_a_correct_citation_has_no_findings() -> None:
    assert check() == []


def test_findings_carry_key_line_and_source() -> None:
    (finding,) = check(make_ref(year="2003"))
    assert finding.key == "pujol2004"
    assert finding.line == 12
    assert finding.source is Source.PUBMED  # PubMed's year is the issue's year
    assert finding.severity is Severity.WARNING


def test_no_identifier_is_a_note() -> None:
    ref = make_ref(doi=None, pmid=None)
    (finding,) = compare_reference(ref, [])
    assert finding.rule == "no-identifier"
    assert finding.severity is Severity.NOTE


def test_url_only_reference_gets_nothing_from_compare() -> None:
    ref = make_ref(doi=None, pmid=None, url="https://example.org/paper")
    assert compare_reference(ref, []) == []


def test_evidence_about_other_identifiers_is_ignored() -> None:
    stranger = Found(
        Source.CROSSREF, "10.9999/other", replace(CROSSREF, doi="10.9999/other", title="X")
    )
    assert compare_reference(make_ref(), [crossref(), pubmed(), stranger]) == []


def test_identifiers_are_taken_from_fields_when_reference_has_none() -> None:
    ref = Reference("k", "article", {**FIELDS, "year": "1999"}, line=3)
    assert rules(compare_reference(ref, [crossref()])) == ["metadata-mismatch"]


# ---------------------------------------------------------------- identifier-malformed


def test_identifier_problems_become_warnings() -> None:
    problems = [
        IdentifierProblem(
            "isbn", "978-0-7216-2921-7", "not a valid ISBN (wrong length or checksum)"
        ),
        IdentifierProblem("doi", "see 10.1000/xyz123 online", "not a DOI"),
    ]
    found = compare_reference(make_ref(), [crossref(), pubmed()], problems)
    assert rules(found) == ["identifier-malformed", "identifier-malformed"]
    isbn, doi = found
    assert isbn.severity is Severity.WARNING
    assert isbn.field == "isbn"
    assert isbn.actual == "978-0-7216-2921-7"
    assert "checksum" in isbn.message
    assert isbn.suggestion is None
    assert doi.suggestion == "10.1000/xyz123"


def test_a_doi_no_agency_can_have_issued_is_broken_a_doubtful_one_a_warning() -> None:
    problems = [
        IdentifierProblem("doi", "10.abc/xyz", "not a DOI"),
        IdentifierProblem("doi", "10.1000/", "not a DOI"),
        IdentifierProblem("doi", "10.1234/not a doi", "not a DOI"),
        IdentifierProblem("doi", "not-a-doi", "not a DOI"),
        IdentifierProblem("doi", "see 10.1000/xyz123 online", "not a DOI"),
    ]
    found = compare_reference(make_ref(), [crossref(), pubmed()], problems)
    severities = [f.severity for f in found if f.rule == "identifier-malformed"]
    assert severities == [Severity.BROKEN, Severity.BROKEN] + [Severity.WARNING] * 3
    assert "no DOI can have this form" in found[0].message


# --------------------------------------------------------------------- DOI existence

_CR_FOUND = crossref()
_CR_NOT = NotFound(Source.CROSSREF, DOI, "Resource not found.")
_CR_DOWN = Unavailable(Source.CROSSREF, DOI, "HTTP 503 after 3 attempts")
_DG_FOUND = Found(Source.DOI_ORG, DOI, WorkMetadata(Source.DOI_ORG, doi=DOI, agency="DataCite"))
_DG_NOT = NotFound(Source.DOI_ORG, DOI, "handle not found (responseCode 100)")
_DG_DOWN = Unavailable(Source.DOI_ORG, DOI, "connect timeout")


@pytest.mark.parametrize(
    ("crossref_says", "doi_org_says", "expected"),
    [
        (_CR_FOUND, None, []),
        (_CR_FOUND, _DG_DOWN, []),
        (_CR_NOT, _DG_FOUND, [("doi-other-agency", Severity.NOTE)]),
        (_CR_NOT, _DG_NOT, [("doi-not-found", Severity.BROKEN)]),
        (_CR_NOT, _DG_DOWN, [("unverified", Severity.UNVERIFIED)]),
        (_CR_NOT, None, [("unverified", Severity.UNVERIFIED)]),
        (_CR_DOWN, _DG_FOUND, [("unverified", Severity.UNVERIFIED)]),
        (_CR_DOWN, _DG_NOT, [("unverified", Severity.UNVERIFIED)]),
        (_CR_DOWN, _DG_DOWN, [("unverified", Severity.UNVERIFIED)]),
        (_CR_DOWN, None, [("unverified", Severity.UNVERIFIED)]),
        (None, _DG_NOT, [("unverified", Severity.UNVERIFIED)]),
        (None, None, []),
    ],
)
def test_doi_verdict(
    crossref_says: Evidence | None,
    doi_org_says: Evidence | None,
    expected: list[tuple[str, Severity]],
) -> None:
    evidence = [e for e in (crossref_says, doi_org_says) if e is not None]
    ref = make_ref(pmid=None)
    found = compare_reference(ref, evidence)
    assert [(f.rule, f.severity) for f in found] == expected


def test_doi_not_found_message_names_both_registries() -> None:
    (finding,) = compare_reference(make_ref(pmid=None), [_CR_NOT, _DG_NOT])
    assert DOI in finding.message
    assert "Crossref" in finding.message
    assert "doi.org" in finding.message
    assert finding.field == "doi"
    assert finding.actual == DOI


def test_other_agency_note_names_the_agency() -> None:
    (finding,) = compare_reference(make_ref(pmid=None), [_CR_NOT, _DG_FOUND])
    assert "DataCite" in finding.message


@pytest.mark.parametrize("evidence", [[_CR_DOWN], [_CR_NOT, _DG_DOWN]])
def test_unverified_says_which_source_and_why(evidence: list[Evidence]) -> None:
    (finding,) = compare_reference(make_ref(pmid=None), evidence)
    reason = next(e.reason for e in evidence if isinstance(e, Unavailable))
    assert reason in finding.message
    assert finding.source in (Source.CROSSREF, Source.DOI_ORG)
    assert _name_in_message(finding)


def _name_in_message(finding: Finding) -> bool:
    return any(name in finding.message for name in ("Crossref", "doi.org", "PubMed"))


def test_crossref_unavailable_but_pubmed_found_still_compares_metadata() -> None:
    found = compare_reference(make_ref(year="2003"), [_CR_DOWN, pubmed()])
    assert rules(found) == ["unverified", "metadata-mismatch"]


# -------------------------------------------------------------------- PMID existence


def test_pmid_not_found_is_broken() -> None:
    found = check(
        make_ref(), crossref(), NotFound(Source.PUBMED, PMID, "cannot get document summary")
    )
    (finding,) = found
    assert finding.rule == "pmid-not-found"
    assert finding.severity is Severity.BROKEN
    assert PMID in finding.message
    assert finding.field == "pmid"


def test_pmid_unavailable_is_unverified_with_reason() -> None:
    found = check(make_ref(), crossref(), Unavailable(Source.PUBMED, PMID, "HTTP 429 rate limited"))
    (finding,) = found
    assert finding.rule == "unverified"
    assert "429" in finding.message
    assert "PubMed" in finding.message


def test_pubmed_not_found_for_a_doi_lookup_is_no_verdict() -> None:
    ref = make_ref(pmid=None)
    assert compare_reference(ref, [crossref(), NotFound(Source.PUBMED, DOI, "no hits")]) == []


def test_unavailable_pmc_lookup_is_not_reported() -> None:
    ref = make_ref(pmid=None)
    assert compare_reference(ref, [crossref(), Unavailable(Source.PMC, DOI, "timeout")]) == []


# ---------------------------------------------------------------- pmid-doi-conflict

OTHER_TITLE = "Small-cell lung cancer and necrolytic migratory erythema"


def test_pmid_record_with_another_doi_is_a_conflict() -> None:
    other = pubmed(doi="10.1056/nejmc0805992", title=OTHER_TITLE)
    found = check(make_ref(), crossref(), other)
    conflict = found[0]
    assert conflict.rule == "pmid-doi-conflict"
    assert conflict.severity is Severity.BROKEN
    assert TITLE in conflict.message
    assert OTHER_TITLE in conflict.message
    assert conflict.expected == "10.1056/nejmc0805992"


def test_doi_case_difference_is_no_conflict() -> None:
    assert check(make_ref(), crossref(), pubmed(doi=DOI.upper())) == []


def test_pmc_record_with_another_pmid_is_a_conflict() -> None:
    pmc = Found(Source.PMC, DOI, WorkMetadata(Source.PMC, doi=DOI, pmid="19092164"))
    found = check(make_ref(), crossref(), pubmed(), pmc)
    assert rules(found) == ["pmid-doi-conflict"]
    assert "19092164" in found[0].message


def test_clearly_different_works_without_ids_are_a_conflict() -> None:
    other = pubmed(
        doi=None,
        title=OTHER_TITLE,
        authors=(Author("Mignogna", "MD"),),
        year=2008,
        years=(2008,),
    )
    found = check(make_ref(), crossref(), other)
    assert found[0].rule == "pmid-doi-conflict"
    assert TITLE in found[0].message and OTHER_TITLE in found[0].message


def test_translated_title_same_author_and_year_is_no_conflict() -> None:
    # PubMed gives an English title, Crossref the original: titles differ, work is one.
    spanish = crossref(
        title="Eritema necrolítico migratorio: estudio clínico-patológico de 13 casos"
    )
    found = check(make_ref(), spanish, pubmed(doi=None))
    assert "pmid-doi-conflict" not in rules(found)


def test_conflict_turns_off_suggestions_and_missing_identifiers() -> None:
    other = pubmed(doi="10.1056/nejmc0805992", title=OTHER_TITLE, pages="2731-2")
    found = check(make_ref(pages="12--19"), crossref(), other)
    pages = mismatches(found)["pages"]
    assert pages.suggestion is None
    assert "missing-identifier" not in rules(found)


def test_conflict_thresholds_are_sane() -> None:
    assert CONFLICT_TITLE_MAX < TITLE_THRESHOLD


# ---------------------------------------------------------------------------- notices

RETRACTION_DOI = "10.1111/ijd.99999"


def test_retraction_from_two_asserters_is_one_broken_finding() -> None:
    notices = (
        Update(UpdateKind.RETRACTION, RETRACTION_DOI, "publisher", "2010-02-06", "Retraction"),
        Update(
            UpdateKind.RETRACTION, RETRACTION_DOI.upper(), "retraction-watch", None, "Retraction"
        ),
    )
    found = check(make_ref(), crossref(updates=notices), pubmed())
    (finding,) = found
    assert finding.rule == "retracted"
    assert finding.severity is Severity.BROKEN
    assert RETRACTION_DOI in finding.message
    assert "publisher" in finding.message and "retraction-watch" in finding.message
    assert finding.expected == RETRACTION_DOI
    assert finding.source is Source.CROSSREF


@pytest.mark.parametrize("kind", [UpdateKind.WITHDRAWAL, UpdateKind.REMOVAL])
def test_withdrawal_and_removal_count_as_retraction(kind: UpdateKind) -> None:
    found = check(make_ref(), crossref(updates=(Update(kind, RETRACTION_DOI, "publisher"),)))
    assert rules(found) == ["retracted"]


def test_pubmed_retracted_publication_type_is_a_retraction() -> None:
    found = check(
        make_ref(),
        crossref(),
        pubmed(publication_types=("Journal Article", "Retracted Publication")),
    )
    (finding,) = found
    assert finding.rule == "retracted"
    assert "PubMed" in finding.message
    assert finding.source is Source.PUBMED


def test_pubmed_notice_pmid_is_named() -> None:
    update = Update(UpdateKind.RETRACTION, "20137807", "pubmed", label="RetractionIn Lancet")
    (finding,) = check(make_ref(), crossref(), pubmed(updates=(update,)))
    assert "PMID 20137807" in finding.message


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        (UpdateKind.EXPRESSION_OF_CONCERN, "expression-of-concern"),
        (UpdateKind.CORRECTION, "correction"),
    ],
)
def test_concern_and_correction_are_warnings(kind: UpdateKind, rule: str) -> None:
    found = check(make_ref(), crossref(updates=(Update(kind, "10.1111/ijd.1", "publisher"),)))
    assert [(f.rule, f.severity) for f in found] == [(rule, Severity.WARNING)]
    assert "10.1111/ijd.1" in found[0].message


def test_other_updates_are_not_reported() -> None:
    new_version = Update(UpdateKind.OTHER, "10.1111/ijd.2", "publisher", label="New version")
    assert check(make_ref(), crossref(updates=(new_version,))) == []


# ---------------------------------------------------------- metadata: tolerances hold


@pytest.mark.parametrize(
    ("field", "cited", "registry"),
    [
        # titles
        ("title", r"Necrolytic migratory erythema: clinicopathologic study of 13 cases.", None),
        ("title", "NECROLYTIC MIGRATORY ERYTHEMA: CLINICOPATHOLOGIC STUDY OF 13 CASES", None),
        ("title", "{Necrolytic} migratory erythema -- clinicopathologic study of 13 cases", None),
        ("title", "Necrolytic migratory erythema", None),  # subtitle left out
        ("title", TITLE, "RETRACTED: " + TITLE),
        ("title", TITLE, "Necrolytic migratory erythema"),  # registry without subtitle
        (
            "title",
            TITLE,
            "Necrolytic migratory <i>erythema</i>: clinicopathologic study of 13 cases",
        ),
        ("title", "Necrolytic migratory erythema: clinicopathological study of 13 cases", None),
        ("title", r"Eritema necrol{\'\i}tico", "Eritema necrolítico"),
        ("title", r"{KRAS} \& {NRAS} testing", "KRAS and NRAS testing"),
        ("title", "Tumour markers in plasma", "Tumor markers in plasma"),
        # years
        ("year", "{2004}", None),
        ("year", "2003", "online-2003"),
        # journals
        ("journal", "Int. J. Dermatol.", None),
        ("journal", "Int J Dermatol", None),
        ("journal", "The International Journal of Dermatology", None),
        ("journal", "INTERNATIONAL JOURNAL OF DERMATOLOGY.", None),
        # volume / issue / pages
        ("volume", "Vol. 43", None),
        ("number", "No. 1", None),
        ("pages", "12--18", None),
        ("pages", "12–8", None),
        ("pages", "12-18", None),
        ("pages", "12", None),
        ("pages", "pp. 12--18", None),
    ],
)
def test_tolerated_differences_are_not_mismatches(
    field: str, cited: str, registry: str | None
) -> None:
    cr = crossref()
    if registry == "online-2003":
        cr = crossref(years=(2003, 2004), year=2003)
    elif registry is not None:
        cr = crossref(title=registry)
    found = check(make_ref(**{field: cited}), cr, pubmed(title=cr.metadata.title))
    assert mismatches(found) == {}, [f.message for f in found]


@pytest.mark.parametrize(
    "author",
    [
        # Vancouver, as a parsed reference list gives it
        "Pujol RM and Wang CY and el-Azhary RA and Su WP and Gibson LE and Schroeter AL",
        "Pujol RM, Wang CY, el-Azhary RA, Su WP, Gibson LE, Schroeter AL",
        # First Last
        "R. M. Pujol and C. Y. Wang and R. A. El-Azhary and W. P. Su and L. E. Gibson and "
        "A. L. Schroeter",
        # truncated lists
        "Pujol, R. M. and Wang, C. Y. and el-Azhary, R. A. and others",
        "Pujol RM, Wang CY, el-Azhary RA, et al.",
        "Pujol, R. M. and others",
        # LaTeX and case
        r"Pujol, R. M. and Wang, C. Y. and {El-Azhary}, R. A. and Su, W. P. and "
        r"Gibson, L. E. and Schr{\"o}ter, A. L.",
    ],
)
def test_author_forms_are_tolerated(author: str) -> None:
    schroter = crossref(
        authors=(*CROSSREF.authors[:5], Author("Schröter", "A. L."))
        if "Schr" in author and "{" in author
        else CROSSREF.authors
    )
    found = check(make_ref(author=author), schroter, pubmed())
    assert "author" not in mismatches(found), [f.message for f in found]


@pytest.mark.parametrize(
    ("cited", "registry"),
    [
        ("van Beek, A. P.", Author("van Beek", "A P")),
        ("van Beek, A. P.", Author("Beek", "A. P. van")),
        ("A. P. van Beek", Author("van Beek", "AP")),
        ("van Beek AP", Author("van Beek", "AP")),
        ("Canninga-van Dijk, M. R.", Author("Canninga-van Dijk", "MR")),
        ("Canninga-van Dijk MR", Author("Canninga-van Dijk", "M. R.")),
        ("M. R. Canninga-van Dijk", Author("Canninga-van Dijk", "MR")),
        ("Elorza Orúe, José L.", Author("Elorza Orue", "JL")),
        (r"Elorza Or{\'u}e, Jos{\'e} L.", Author("Orúe", "José L. Elorza")),
        ("Echenique-Elizondo, Miguel", Author("Echenique Elizondo", "M")),
        ("Müller, K.", Author("Mueller", "K")),
        ("{World Health Organization}", Author(literal="World Health Organization")),
        ("World Health Organization", Author(literal="World Health Organization")),
        ("Nicholas, S. E.", Author(literal="Nicholas SE")),
        ("Echenique-Elizondo, M.", Author(literal="Miguel Echenique-Elizondo")),
    ],
)
def test_first_author_tolerances(cited: str, registry: Author) -> None:
    assert first_author_matches(split_authors(cited), [registry])


def test_first_person_after_a_leading_group_name_is_the_first_author() -> None:
    registry = [Author(literal="ACME Trial Group"), Author("Pujol", "RM")]
    assert first_author_matches(split_authors("Pujol, R. M."), registry)


def test_collective_first_author_may_stand_anywhere_in_the_registry_list() -> None:
    registry = [Author("Smith", "J"), Author(literal="GBD 2019 Collaborators")]
    assert first_author_matches(split_authors("{GBD 2019 Collaborators}"), registry)


@pytest.mark.parametrize(
    ("cited", "registry"),
    [
        ("Smith, J.", Author("Smyth", "J")),
        ("van Beek, A. P.", Author("van Dijk", "AP")),
        ("{World Health Organization}", Author("Smith", "J")),
        ("Pujol RM", Author(literal="European Academy of Dermatology")),
        ("Smith, J.", Author(literal="Smith Research Group")),
    ],
)
def test_first_author_differences_are_caught(cited: str, registry: Author) -> None:
    assert not first_author_matches(split_authors(cited), [registry])


def test_citation_value_matching_either_registry_is_fine() -> None:
    # Crossref and PubMed disagree on the issue; the citation follows PubMed.
    found = check(make_ref(number="1 Pt 2"), crossref(), pubmed(issue="1 Pt 2"))
    assert mismatches(found) == {}


def test_only_fields_the_citation_has_are_compared() -> None:
    ref = make_ref(pages=None, volume=None, number=None, journal=None, year=None)
    assert (
        check(ref, crossref(pages="99-100", volume="1"), pubmed(pages="99-100", volume="1")) == []
    )


def test_fields_the_registry_lacks_are_not_compared() -> None:
    bare = crossref(pages=None, volume=None, issue=None, container=None, container_short=None)
    assert check(make_ref(), bare) == []


def test_biblatex_date_and_journaltitle_are_read() -> None:
    ref = make_ref(year=None, journal=None, date="2003-11-02", journaltitle="Int J Derm")
    found = mismatches(check(ref))
    assert found["date"].expected == "2004"
    assert "journaltitle" not in found


# ------------------------------------------------------------- metadata: errors caught


@pytest.mark.parametrize(
    ("field", "cited", "expected", "suggestion"),
    [
        ("year", "2003", "2004", "2004"),
        ("year", "2006", "2004", "2004"),
        ("pages", "12--19", "12--18", "12--18"),
        ("pages", "13--18", "12--18", "12--18"),
        ("pages", "112-8", "12--18", "12--18"),
        ("volume", "44", "43", "43"),
        ("number", "2", "1", "1"),
        (
            "journal",
            "Journal of Investigative Dermatology",
            "International Journal of Dermatology",
            "International Journal of Dermatology",
        ),
        ("journal", "Int J Dermatol Surg", "International Journal of Dermatology", None),
    ],
)
def test_real_errors_are_caught_with_a_fix(
    field: str, cited: str, expected: str, suggestion: str | None
) -> None:
    found = mismatches(check(make_ref(**{field: cited})))
    finding = found[field]
    assert finding.severity is Severity.WARNING
    assert finding.actual == cited
    assert finding.expected == expected
    if suggestion:
        assert finding.suggestion == suggestion
    assert set(found) == {field}


def test_different_title_is_caught_without_a_fix() -> None:
    found = mismatches(check(make_ref(title="Glucagonoma syndrome: a clinical review")))
    assert set(found) == {"title"}
    assert found["title"].expected == TITLE
    assert found["title"].suggestion is None


@pytest.mark.parametrize(
    ("author", "fragment"),
    [
        ("Wang, C. Y. and Pujol, R. M.", "first author"),
        (
            "Pujol, R. M. and el-Azhary, R. A. and Wang, C. Y. and Su, W. P. and "
            "Gibson, L. E. and Schroeter, A. L.",
            "different order",
        ),
        ("Pujol, R. M. and Wang, C. Y. and Smith, J.", "Author 3"),
        ("Pujol, R. M. and Wang, C. Y. and el-Azhary, R. A.", "3 of Crossref's 6 authors"),
        ("Pujol RM, Wang CY, Smith J, et al.", "Author 3"),
    ],
)
def test_author_errors_are_caught(author: str, fragment: str) -> None:
    found = mismatches(check(make_ref(author=author)))
    assert set(found) == {"author"}
    assert fragment in found["author"].message
    assert found["author"].suggestion is None


def test_more_cited_authors_than_registry_lists_is_tolerated() -> None:
    # MEDLINE capped author lists; the registry may list fewer than the article has.
    short = crossref(authors=CROSSREF.authors[:3])
    assert mismatches(check(make_ref(), short, pubmed(authors=PUBMED.authors[:3]))) == {}


def test_wrong_year_message_lists_the_accepted_years() -> None:
    cr = crossref(year=2003, years=(2003, 2004))
    found = mismatches(check(make_ref(year="2001"), cr, pubmed()))
    assert "2003, 2004" in found["year"].message


def test_one_finding_per_field() -> None:
    found = check(make_ref(year="2001", pages="1--2", volume="9", number="9"))
    assert sorted(f.field or "" for f in found) == ["number", "pages", "volume", "year"]


# ----------------------------------------------------------------- fix confidence


def test_no_fix_when_the_title_disagrees() -> None:
    found = mismatches(check(make_ref(title="Something else entirely", pages="1--2")))
    assert found["pages"].suggestion is None


def test_no_fix_when_the_first_author_disagrees() -> None:
    found = mismatches(check(make_ref(author="Smith, J.", year="2001")))
    assert found["year"].suggestion is None


def test_fix_from_pubmed_alone_is_expanded_to_full_pages() -> None:
    found = mismatches(check(make_ref(pages="12--19"), pubmed()))
    assert found["pages"].suggestion == "12--18"
    assert found["pages"].source is Source.PUBMED


def test_suggested_fixes_collects_field_values() -> None:
    ref = make_ref(year="2001", pages="1--2", doi=None)
    found = compare_reference(ref, [pubmed()])
    assert suggested_fixes(ref, found) == {"year": "2004", "pages": "12--18", "doi": DOI}


def test_every_fixable_rule_has_an_export_kind() -> None:
    # export.fixes looks up the kind of each fixable suggestion: a rule without one would fail.
    assert set(KIND_OF_RULE) == FIXABLE_RULES


# ------------------------------------------------------------ missing-identifier


def test_missing_doi_known_to_pubmed_is_suggested() -> None:
    ref = make_ref(doi=None)
    found = compare_reference(ref, [pubmed()])
    (finding,) = found
    assert finding.rule == "missing-identifier"
    assert finding.field == "doi"
    assert finding.suggestion == DOI
    assert finding.source is Source.PUBMED


def test_missing_pmid_from_the_id_converter_is_suggested_when_the_doi_record_matches() -> None:
    ref = make_ref(pmid=None)
    pmc = Found(Source.PMC, DOI, WorkMetadata(Source.PMC, doi=DOI, pmid=PMID, pmcid="PMC1"))
    (finding,) = compare_reference(ref, [crossref(), pmc])
    assert (finding.rule, finding.field, finding.suggestion) == ("missing-identifier", "pmid", PMID)


def test_no_missing_identifier_when_the_work_match_is_doubtful() -> None:
    ref = make_ref(pmid=None, title="A completely different paper about psoriasis")
    pmc = Found(Source.PMC, DOI, WorkMetadata(Source.PMC, doi=DOI, pmid=PMID))
    found = compare_reference(ref, [crossref(), pmc])
    assert "missing-identifier" not in rules(found)


def test_no_missing_identifier_when_first_author_disagrees() -> None:
    ref = make_ref(doi=None, author="Smith, J. and Jones, K.")
    assert "missing-identifier" not in rules(compare_reference(ref, [pubmed()]))


def test_no_missing_identifier_when_registries_disagree() -> None:
    ref = make_ref(pmid=None)
    a = Found(Source.PMC, DOI, WorkMetadata(Source.PMC, doi=DOI, pmid="111"))
    b = Found(Source.PUBMED, DOI, replace(PUBMED, pmid="222"))
    assert "missing-identifier" not in rules(compare_reference(ref, [crossref(), a, b]))


# ------------------------------------------------------------------ helpers as API


@pytest.mark.parametrize(
    ("cited", "registry", "same"),
    [
        ("12--18", "12-8", True),
        ("531--537", "531-7", True),
        ("2731--2732", "2731-2", True),
        ("e33693", "e33693", True),
        ("E33693", "e33693", True),
        ("33693", "e33693", True),
        ("12", "12-18", True),
        ("12--18", "12", True),
        ("12--19", "12-8", False),
        ("13", "12-18", True),  # a pinpoint: one page inside the range
        ("18", "12-8", True),
        ("19", "12-18", False),  # outside the range
        ("11", "12-18", False),
        ("S13", "S12-S18", True),
        ("13", "S12-S18", False),
        ("13--14", "12-18", False),  # a sub-range is not a pinpoint
        ("e33694", "e33693", False),
    ],
)
def test_pages_match(cited: str, registry: str, same: bool) -> None:
    assert pages_match(cited, registry) is same


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (TITLE, TITLE.upper() + ".", True),
        ("Editorial", "Editorial: a new year", False),  # too short to be a main title
        ("Cancer in children", "Cancer in adults", False),
        (
            "Cutaneous manifestations of internal malignancy",
            "Cutaneous manifestations of internal malignant tumors",
            False,
        ),
    ],
)
def test_titles_match(a: str, b: str, same: bool) -> None:
    assert titles_match(a, b) is same


# ------------------------------------------------------------------------ duplicates


def _dup_ref(key: str, line: int, **fields: str) -> Reference:
    ids, _ = extract_identifiers(fields)
    return Reference(key, "article", fields, ids, line=line)


def test_duplicates_by_doi_pmid_and_title() -> None:
    refs = [
        _dup_ref("a", 1, doi=DOI, title=TITLE, year="2004", author="Pujol, R. M."),
        _dup_ref("b", 10, doi=DOI.upper(), title="x", year="1999"),
        _dup_ref("c", 20, pmid="123", title="Other", year="2001"),
        _dup_ref("d", 30, pmid="PMID: 123"),
        _dup_ref(
            "e",
            40,
            title=r"{N}ecrolytic migratory erythema -- clinicopathologic study of 13 cases.",
            year="2004",
            author="Pujol RM",
        ),
        _dup_ref("f", 50, title=TITLE, year="2005", author="Pujol, R. M."),
        _dup_ref("g", 60, title=TITLE, year="2004", author="Wang, C. Y."),
    ]
    found = find_duplicates(refs)
    assert [(f.key, f.expected) for f in found] == [("b", "a"), ("d", "c"), ("e", "a")]
    b, d, e = found
    assert b.rule == "duplicate-reference"
    assert b.severity is Severity.WARNING
    assert b.line == 10
    assert "line 1" in b.message and "'a'" in b.message
    assert b.field == "doi"
    assert d.field == "pmid"
    assert e.field == "title"


def test_every_later_copy_points_at_the_first() -> None:
    refs = [_dup_ref(k, i, doi=DOI) for i, k in enumerate("xyz", start=1)]
    assert [(f.key, f.expected) for f in find_duplicates(refs)] == [("y", "x"), ("z", "x")]


def test_no_duplicates_in_distinct_references() -> None:
    refs = [_dup_ref("a", 1, doi=DOI), _dup_ref("b", 2, doi="10.1000/other"), _dup_ref("c", 3)]
    assert find_duplicates(refs) == []


# ------------------------------------------------------------------------ properties

_KNOWN_RULES = {
    "identifier-malformed",
    "identifier-other-work",
    "doi-not-found",
    "doi-other-agency",
    "pmid-not-found",
    "pmid-doi-conflict",
    "metadata-mismatch",
    "retracted",
    "correction",
    "expression-of-concern",
    "missing-identifier",
    "unverified",
    "no-identifier",
}
_FIELD_TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ éøß{}\\'\"`^~=.,-–&$<>/:;0123456789 and others")),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            ("author", "title", "journal", "year", "volume", "number", "pages"), _FIELD_TEXT
        ),
    )
)
def test_compare_never_raises_on_odd_fields(odd: dict[str, str]) -> None:
    ref = make_ref(**odd)
    found = compare_reference(ref, [crossref(), pubmed()])
    for finding in found:
        assert finding.rule in _KNOWN_RULES
        assert finding.key == "pujol2004" and finding.line == 12
        assert finding.message.endswith(".")
        # Metadata alone is never "broken", unless title, first author and year all
        # differ: then the identifier names another work (odd={'author': '0', 'title':
        # '0', 'year': '2000'}, found by hypothesis).
        if finding.rule != "identifier-other-work":
            assert finding.severity is not Severity.BROKEN


def test_non_http_url_is_not_called_no_identifier() -> None:
    # SYNTHETIC: the link stage refuses ftp:// (url-refused); compare must not also say
    # that the reference has nothing to check.
    fields = {"title": "A file", "url": "ftp://files.example.org/a.pdf"}
    ref = Reference("ftpref", "misc", fields, extract_identifiers(fields)[0], line=1)
    assert [f.rule for f in compare_reference(ref, [])] == []


def _pmcid_ref() -> Reference:
    fields = {"title": "A PMC-only citation", "pmcid": "PMC1234567"}  # SYNTHETIC
    return Reference("pmc1", "article", fields, extract_identifiers(fields)[0], line=4)


def test_pmcid_unknown_to_pmc_is_broken() -> None:
    findings = compare_reference(
        _pmcid_ref(), [NotFound(Source.PMC, "PMC1234567", "Identifier not found in PMC")]
    )
    assert [(f.rule, f.severity) for f in findings] == [("pmcid-not-found", Severity.BROKEN)]


def test_pmcid_with_id_converter_unavailable_is_unverified_not_ok() -> None:
    findings = compare_reference(
        _pmcid_ref(), [Unavailable(Source.PMC, "PMC1234567", "HTTP 503 after 4 attempts")]
    )
    assert [(f.rule, f.severity) for f in findings] == [("unverified", Severity.UNVERIFIED)]
    assert "HTTP 503" in findings[0].message


def test_records_without_title_or_authors_leave_the_reference_unconfirmed() -> None:
    """A journal issue's DOI (no title, no authors): the work itself was never compared."""
    ref = make_ref(pmid=None)
    bare = crossref(title=None, authors=(), work_type="journal-issue")
    found = compare_reference(ref, [bare])
    unconfirmed = [f for f in found if f.rule == "identifier-unconfirmed"]
    assert len(unconfirmed) == 1 and unconfirmed[0].severity is Severity.UNVERIFIED
    assert "journal-issue" in unconfirmed[0].message
    # One record that describes the work is enough; a PMC id record never describes one.
    assert "identifier-unconfirmed" not in rules(compare_reference(make_ref(), [bare, pubmed()]))
    assert "identifier-unconfirmed" not in rules(compare_reference(ref, [crossref(title=None)]))
    pmc = Found(Source.PMC, DOI, WorkMetadata(Source.PMC, doi=DOI, pmid="111"))
    assert "identifier-unconfirmed" not in rules(compare_reference(ref, [crossref(), pmc]))


@pytest.mark.parametrize("entry_type", ["techreport", "inproceedings", "book", "incollection"])
def test_a_report_or_series_number_is_not_compared_with_the_issue(entry_type: str) -> None:
    """BibTeX's ``number`` of a report, a proceedings or a book is its report or series
    number (``TR-2004-17``, ``12``), not a journal issue: no mismatch against a record's
    issue (a parsed ``Tech. Rep. TR-2004-17`` was a false "number differs" warning)."""
    ref = replace(make_ref(number="TR-2004-17"), entry_type=entry_type)
    assert "number" not in mismatches(check(ref))
    # Its issue, when one is cited, is still compared; an article's number is its issue.
    assert "issue" in mismatches(check(replace(make_ref(issue="2"), entry_type=entry_type)))
    assert "number" in mismatches(check(make_ref(number="TR-2004-17")))
