"""Which identifier is wrong (pmid-doi-conflict partner, duplicate attribution) and
misspelled titles — pure rules, SYNTHETIC records shaped like the seed's."""

from __future__ import annotations

import pytest

from citetrack.identifiers import extract_identifiers
from citetrack.model import Author, Evidence, Finding, Found, Reference, Severity, Source
from citetrack.model import WorkMetadata as Meta
from citetrack.rules.compare import compare_reference, find_duplicates
from citetrack.rules.identity import attribute_duplicates, explain_conflict
from citetrack.rules.spelling import misspellings

THIERS = Meta(
    source=Source.CROSSREF,
    doi="10.3322/caac.20005",
    title="Cutaneous manifestations of internal malignancy",
    authors=(Author("Thiers", "Bruce H."),),
    year=2009,
)
PUJOL = Meta(
    source=Source.PUBMED,
    pmid="14693015",
    doi="10.1111/j.1365-4632.2004.01844.x",
    title="Necrolytic migratory erythema: clinicopathologic study of 13 cases",
    authors=(Author("Pujol", "RM"),),
    year=2004,
)
THIERS_IN_PUBMED = Meta(
    source=Source.PUBMED,
    pmid="19258446",
    doi="10.3322/caac.20005",
    title="Cutaneous manifestations of internal malignancy",
    authors=(Author("Thiers", "BH"),),
    year=2009,
)


def ref(key: str, line: int, **fields: str) -> Reference:
    return Reference(key, "article", fields, extract_identifiers(fields)[0], line=line)


def thiers(**ids: str) -> Reference:
    return ref(
        "thiers",
        1,
        author="Thiers, B. H. and Sahn, R. E.",
        title="Cutaneous manifestations of internal malignancy",
        year="2009",
        **ids,
    )


def conflict_of(reference: Reference, evidence: list[Evidence]) -> Finding:
    found = [f for f in compare_reference(reference, evidence) if f.rule == "pmid-doi-conflict"]
    assert found, "no conflict found"
    return explain_conflict(reference, evidence, found[0])


def test_wrong_pmid_gets_the_pmid_that_belongs_to_the_doi() -> None:
    reference = thiers(doi="10.3322/caac.20005", pmid="14693015")
    evidence: list[Evidence] = [
        Found(Source.CROSSREF, "10.3322/caac.20005", THIERS),
        Found(Source.PUBMED, "14693015", PUJOL),
        Found(Source.PUBMED, "10.3322/caac.20005", THIERS_IN_PUBMED),  # PubMed by DOI
    ]
    finding = conflict_of(reference, evidence)
    assert finding.severity is Severity.BROKEN
    assert (finding.field, finding.actual, finding.suggestion) == ("pmid", "14693015", "19258446")
    assert "PMID 14693015 is the wrong one" in finding.message


def test_wrong_doi_gets_the_doi_of_the_pmids_record() -> None:
    # The citation is Pujol's work, cited with Thiers' DOI.
    reference = ref(
        "pujol",
        1,
        author="Pujol, R. M.",
        title="Necrolytic migratory erythema: clinicopathologic study of 13 cases",
        year="2004",
        doi="10.3322/caac.20005",
        pmid="14693015",
    )
    evidence: list[Evidence] = [
        Found(Source.CROSSREF, "10.3322/caac.20005", THIERS),
        Found(Source.PUBMED, "14693015", PUJOL),
    ]
    finding = conflict_of(reference, evidence)
    assert (finding.field, finding.suggestion) == ("doi", "10.1111/j.1365-4632.2004.01844.x")


def test_a_citation_matching_neither_record_gets_no_suggestion() -> None:
    reference = ref(
        "x",
        1,
        author="Smith, J.",
        title="Something else entirely",
        year="2001",
        doi="10.3322/caac.20005",
        pmid="14693015",
    )
    evidence: list[Evidence] = [
        Found(Source.CROSSREF, "10.3322/caac.20005", THIERS),
        Found(Source.PUBMED, "14693015", PUJOL),
    ]
    finding = conflict_of(reference, evidence)
    assert finding.suggestion is None
    assert "match neither record" in finding.message


def test_duplicate_from_a_borrowed_pmid_is_reported_on_the_borrower() -> None:
    wrong = thiers(doi="10.3322/caac.20005", pmid="14693015")  # earlier entry, wrong PMID
    right = ref(
        "pujol",
        20,
        author="Pujol, R. M.",
        title="Necrolytic migratory erythema: clinicopathologic study of 13 cases",
        year="2004",
        pmid="14693015",
    )
    refs = [wrong, right]
    duplicates = find_duplicates(refs)
    assert [(d.key, d.field) for d in duplicates] == [("pujol", "pmid")]  # the innocent one

    def evidence_of(r: Reference) -> list[Evidence]:
        return [Found(Source.PUBMED, "14693015", PUJOL)]

    (moved,) = attribute_duplicates(refs, duplicates, evidence_of)
    assert (moved.key, moved.line, moved.expected) == ("thiers", 1, "pujol")
    assert "because of the wrong PMID on 'thiers'" in moved.message


def test_a_real_duplicate_stays_where_it_was() -> None:
    a = thiers(doi="10.3322/caac.20005")
    b = ref("again", 9, **dict(a.fields))
    refs = [a, b]
    duplicates = find_duplicates(refs)
    kept = attribute_duplicates(refs, duplicates, lambda r: [Found(Source.CROSSREF, "x", THIERS)])
    assert [(d.key, d.message) for d in kept] == [(d.key, d.message) for d in duplicates]


# ----------------------------------------------------------------------- misspellings


@pytest.mark.parametrize(
    ("cited", "registry", "pairs"),
    [
        (
            "Necrolytic migratroy erythema",
            "Necrolytic migratory erythema",
            [("migratroy", "migratory")],
        ),
        (
            "Glucagonoma and pseudoglucagonma syndrome",
            "Glucagonoma and pseudoglucagonoma syndrome",
            [("pseudoglucagonma", "pseudoglucagonoma")],
        ),
        (
            "Cutaneous manifestations of internal malignanxy",
            "Cutaneous manifestations of internal malignancy",
            [("malignanxy", "malignancy")],
        ),
        ("Paediatric anaemia and tumour colour", "Pediatric anemia and tumor color", []),
        ("Oesophageal cancer in the centre", "Esophageal cancer in the center", []),
        ("Randomised trial: analysed", "Randomized trial: analyzed", []),
        (
            "GLUCAGONOMA & <i>pseudo</i>-glucagonoma syndrome.",
            "Glucagonoma and pseudoglucagonoma syndrome",
            [],
        ),
        ("Orúe's syndrome", "Orue's syndrome", []),
        ("The glucagonoma syndrome", "Glucagonoma syndrome: a clinical review", []),
        ("Type 2 diabetes", "Type 3 diabetes", []),
    ],
)
def test_misspellings(cited: str, registry: str, pairs: list[tuple[str, str]]) -> None:
    assert misspellings(cited, registry) == pairs


def test_misspelled_title_is_a_warning_with_the_registry_title_as_suggestion() -> None:
    reference = thiers(doi="10.3322/caac.20005")
    reference = Reference(
        reference.key,
        reference.entry_type,
        {**reference.fields, "title": "Cutaneous manifestations of internal malignacy"},
        reference.identifiers,
        line=1,
    )
    findings = compare_reference(reference, [Found(Source.CROSSREF, "10.3322/caac.20005", THIERS)])
    (title,) = [f for f in findings if f.field == "title"]
    assert (title.rule, title.severity) == ("metadata-mismatch", Severity.WARNING)
    assert title.suggestion == THIERS.title
    assert "'malignacy' for 'malignancy'" in title.message


def test_british_spelling_of_a_title_is_not_reported() -> None:
    meta = Meta(**{**THIERS.__dict__, "title": "Pediatric anemia in the center"})
    reference = thiers(doi="10.3322/caac.20005")
    reference = Reference(
        "thiers",
        "article",
        {**reference.fields, "title": "Paediatric anaemia in the centre"},
        reference.identifiers,
        line=1,
    )
    findings = compare_reference(reference, [Found(Source.CROSSREF, "10.3322/caac.20005", meta)])
    assert [f for f in findings if f.field == "title"] == []
