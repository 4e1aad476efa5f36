"""The seed article's references against registry records: correct citations stay clean.

Provenance.  The citation fields are the seed's reference list
(``shared/seed/necrolytic-migratory-erythema.txt``, references 2, 3, 4, 5, 8, 10) written
as ``citetrack parse`` writes BibTeX (``Family, G. I.`` names, ``--`` ranges), and once
more with the rendered text's own spelling (Vancouver names, en dashes, MEDLINE ranges).
The registry records are SYNTHETIC: typed by hand in the shape the Crossref and PubMed
services produce, following each registry's conventions (Crossref full page ranges and
container titles, PubMed ISO abbreviations, MEDLINE-abbreviated pages, ``Family
INITIALS`` authors, lower-case full journal names).  They are not recorded responses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from citetrack.identifiers import extract_identifiers
from citetrack.model import Author, Found, Reference, Source, WorkMetadata
from citetrack.rules.compare import compare_reference


@dataclass(frozen=True)
class Seed:
    key: str
    bibtex: dict[str, str]  # as `citetrack parse` writes it
    rendered: dict[str, str]  # as the article prints it
    crossref: WorkMetadata
    pubmed: WorkMetadata | None


def _cr(doi: str, title: str, authors: list[tuple[str, str]], year: int, journal: str,
        short: str, volume: str, issue: str, pages: str) -> WorkMetadata:  # fmt: skip
    return WorkMetadata(
        source=Source.CROSSREF,
        doi=doi,
        title=title,
        authors=tuple(Author(f, g) for f, g in authors),
        year=year,
        years=(year,),
        container=journal,
        container_short=short,
        volume=volume,
        issue=issue,
        pages=pages,
        agency="Crossref",
    )


def _pm(pmid: str, doi: str, title: str, authors: str, year: int, full: str, iso: str,
        volume: str, issue: str, pages: str) -> WorkMetadata:  # fmt: skip
    people = []
    for name in authors.split(", "):
        family, initials = name.rsplit(" ", 1)
        people.append(Author(family, initials))
    return WorkMetadata(
        source=Source.PUBMED,
        doi=doi,
        pmid=pmid,
        title=title,
        authors=tuple(people),
        year=year,
        years=(year,),
        container=full,
        container_short=iso,
        volume=volume,
        issue=issue,
        pages=pages,
    )


SEEDS = [
    Seed(
        "thiers2009",
        {
            "author": "Thiers, B. H. and Sahn, R. E. and Callen, J. P.",
            "title": "Cutaneous manifestations of internal malignancy",
            "journal": "CA – A Cancer Journal for Clinicians",
            "year": "2009",
            "volume": "59",
            "number": "2",
            "pages": "73--98",
            "doi": "10.3322/caac.20005",
            "pmid": "19258446",
        },
        {"author": "Thiers BH, Sahn RE, Callen JP", "pages": "73–98"},
        _cr(
            "10.3322/caac.20005",
            "Cutaneous manifestations of internal malignancy",
            [("Thiers", "Bruce H."), ("Sahn", "Rebecca E."), ("Callen", "Jeffrey P.")],
            2009,
            "CA: A Cancer Journal for Clinicians",
            "CA A Cancer J Clin",
            "59",
            "2",
            "73-98",
        ),
        _pm(
            "19258446",
            "10.3322/caac.20005",
            "Cutaneous manifestations of internal malignancy",
            "Thiers BH, Sahn RE, Callen JP",
            2009,
            "CA: a cancer journal for clinicians",
            "CA Cancer J Clin",
            "59",
            "2",
            "73-98",
        ),
    ),
    Seed(
        "pujol2004",
        {
            "author": "Pujol, R. M. and Wang, C. Y. and el-Azhary, R. A. and Su, W. P. and "
            "Gibson, L. E. and Schroeter, A. L.",
            "title": "Necrolytic migratory erythema: clinicopathologic study of 13 cases",
            "journal": "International Journal of Dermatology",
            "year": "2004",
            "month": "jan",
            "volume": "43",
            "number": "1",
            "pages": "12--18",
            "doi": "10.1111/j.1365-4632.2004.01844.x",
            "pmid": "14693015",
        },
        {
            "author": "Pujol RM, Wang CY, el-Azhary RA, Su WP, Gibson LE, Schroeter AL",
            "pages": "12–8",
        },
        _cr(
            "10.1111/j.1365-4632.2004.01844.x",
            "Necrolytic migratory erythema: clinicopathologic study of 13 cases",
            [
                ("Pujol", "Ramon M."),
                ("Wang", "Chen-Yu"),
                ("el\u2010Azhary", "Rokea A."),
                ("Su", "W. P. Daniel"),
                ("Gibson", "Lawrence E."),
                ("Schroeter", "Arnold L."),
            ],
            2004,
            "International Journal of Dermatology",
            "Int J Dermatol",
            "43",
            "1",
            "12-18",
        ),
        _pm(
            "14693015",
            "10.1111/j.1365-4632.2004.01844.x",
            "Necrolytic migratory erythema: clinicopathologic study of 13 cases",
            "Pujol RM, Wang CY, el-Azhary RA, Su WP, Gibson LE, Schroeter AL",
            2004,
            "International journal of dermatology",
            "Int J Dermatol",
            "43",
            "1",
            "12-8",
        ),
    ),
    Seed(
        "becker1942",
        {
            "author": "Becker, W. S. and Kahn, D. and Rothman, S.",
            "title": "Cutaneous manifestations of internal malignant tumors",
            "journal": "Archives of Dermatology and Syphilology",
            "year": "1942",
            "volume": "45",
            "number": "6",
            "pages": "1069--1080",
            "doi": "10.1001/archderm.1942.01500120037004",
        },
        {"author": "Becker WS, Kahn D, Rothman S", "pages": "1069–1080"},
        _cr(
            "10.1001/archderm.1942.01500120037004",
            "CUTANEOUS MANIFESTATIONS OF INTERNAL MALIGNANT TUMORS",
            [("BECKER", "S. WILLIAM"), ("KAHN", "DAVID"), ("ROTHMAN", "STEPHEN")],
            1942,
            "Archives of Dermatology and Syphilology",
            "Archives of Dermatology and Syphilology",
            "45",
            "6",
            "1069",
        ),
        None,
    ),
    Seed(
        "vanbeek2004",
        {
            "author": "van Beek, A. P. and de Haas, E. R. and van Vloten, W. A. and "
            "Lips, C. J. and Roijers, J. F. and Canninga-van Dijk, M. R.",
            "title": "The glucagonoma syndrome and necrolytic migratory erythema: a clinical "
            "review",
            "journal": "Eur. J. Endocrinol.",
            "year": "2004",
            "month": "nov",
            "volume": "151",
            "number": "5",
            "pages": "531--537",
            "doi": "10.1530/eje.0.1510531",
            "pmid": "15538929",
        },
        {
            "author": "van Beek AP, de Haas ER, van Vloten WA, Lips CJ, Roijers JF, "
            "Canninga-van Dijk MR",
            "pages": "531–7",
        },
        _cr(
            "10.1530/eje.0.1510531",
            "The glucagonoma syndrome and necrolytic migratory erythema: a clinical review",
            [
                ("van Beek", "A"),
                ("de Haas", "E"),
                ("van Vloten", "W"),
                ("Lips", "C"),
                ("Roijers", "J"),
                ("Canninga-van Dijk", "M"),
            ],
            2004,
            "European Journal of Endocrinology",
            "Eur J Endocrinol",
            "151",
            "5",
            "531-537",
        ),
        _pm(
            "15538929",
            "10.1530/eje.0.1510531",
            "The glucagonoma syndrome and necrolytic migratory erythema: a clinical review.",
            "van Beek AP, de Haas ER, van Vloten WA, Lips CJ, Roijers JF, Canninga-van Dijk MR",
            2004,
            "European journal of endocrinology",
            "Eur J Endocrinol",
            "151",
            "5",
            "531-7",
        ),
    ),
    Seed(
        "mignogna2008",
        {
            "author": "Mignogna, M. D. and Fortuna, G. and Satriano, A. R.",
            "title": "Small-cell lung cancer and necrolytic migratory erythema",
            "journal": "The New England Journal of Medicine",
            "year": "2008",
            "month": "dec",
            "volume": "359",
            "number": "25",
            "pages": "2731--2732",
            "doi": "10.1056/NEJMc0805992",
            "pmid": "19092164",
        },
        {"author": "Mignogna MD, Fortuna G, Satriano AR", "pages": "2731–2"},
        _cr(
            "10.1056/nejmc0805992",
            "Small-Cell Lung Cancer and Necrolytic Migratory Erythema",
            [("Mignogna", "Michele D."), ("Fortuna", "Giulio"), ("Satriano", "Arturo R.")],
            2008,
            "New England Journal of Medicine",
            "N Engl J Med",
            "359",
            "25",
            "2731-2732",
        ),
        _pm(
            "19092164",
            "10.1056/NEJMc0805992",
            "Small-cell lung cancer and necrolytic migratory erythema.",
            "Mignogna MD, Fortuna G, Satriano AR",
            2008,
            "The New England journal of medicine",
            "N Engl J Med",
            "359",
            "25",
            "2731-2",
        ),
    ),
    Seed(
        "compton2013",
        {
            "author": "Compton, Nicholas L. and Chien, Andy J.",
            "title": "A Rare but Revealing Sign: Necrolytic Migratory Erythema",
            "journal": "The American Journal of Medicine",
            "year": "2013",
            "month": "may",
            "volume": "126",
            "number": "5",
            "pages": "387--389",
            "doi": "10.1016/j.amjmed.2013.01.012",
            "pmid": "23477490",
        },
        {"author": "Compton NL, Chien AJ", "pages": "387–389"},
        _cr(
            "10.1016/j.amjmed.2013.01.012",
            "A Rare but Revealing Sign: Necrolytic Migratory Erythema",
            [("Compton", "Nicholas L."), ("Chien", "Andy J.")],
            2013,
            "The American Journal of Medicine",
            "The American Journal of Medicine",
            "126",
            "5",
            "387-389",
        ),
        _pm(
            "23477490",
            "10.1016/j.amjmed.2013.01.012",
            "A rare but revealing sign: necrolytic migratory erythema.",
            "Compton NL, Chien AJ",
            2013,
            "The American journal of medicine",
            "Am J Med",
            "126",
            "5",
            "387-9",
        ),
    ),
]


def _ref(seed: Seed, fields: dict[str, str]) -> Reference:
    ids, _ = extract_identifiers(fields)
    return Reference(seed.key, "article", fields, ids, line=1)


def _evidence(seed: Seed) -> list[Found]:
    ids = _ref(seed, seed.bibtex).identifiers
    evidence = [Found(Source.CROSSREF, ids.doi or "", seed.crossref)]
    if seed.pubmed and ids.pmid:
        evidence.append(Found(Source.PUBMED, ids.pmid, seed.pubmed))
    return evidence


@pytest.mark.parametrize("seed", SEEDS, ids=[s.key for s in SEEDS])
def test_seed_reference_as_bibtex_is_clean(seed: Seed) -> None:
    assert compare_reference(_ref(seed, seed.bibtex), _evidence(seed)) == []


@pytest.mark.parametrize("seed", SEEDS, ids=[s.key for s in SEEDS])
def test_seed_reference_as_rendered_is_clean(seed: Seed) -> None:
    fields = {**seed.bibtex, **seed.rendered}
    assert compare_reference(_ref(seed, fields), _evidence(seed)) == []


@pytest.mark.parametrize("seed", SEEDS, ids=[s.key for s in SEEDS])
def test_seed_reference_against_one_registry_alone_is_clean(seed: Seed) -> None:
    for record in _evidence(seed):
        assert compare_reference(_ref(seed, seed.bibtex), [record]) == []


def _mismatched_fields(seed: Seed, **changes: str) -> set[str]:
    found = compare_reference(_ref(seed, {**seed.bibtex, **changes}), _evidence(seed))
    return {f.field or "" for f in found if f.rule == "metadata-mismatch"}


def test_seed_wrong_year_is_caught() -> None:
    assert _mismatched_fields(SEEDS[1], year="2003") == {"year"}


def test_seed_wrong_pages_are_caught() -> None:
    assert _mismatched_fields(SEEDS[3], pages="531--539") == {"pages"}


def test_seed_title_of_another_seed_work_is_caught() -> None:
    # Thiers 2009 and Becker 1942 have nearly the same title; they are not the same.
    assert _mismatched_fields(SEEDS[0], title=SEEDS[2].bibtex["title"]) == {"title"}


def test_seed_wrong_journal_is_caught() -> None:
    assert _mismatched_fields(SEEDS[4], journal="The Lancet") == {"journal"}


def test_seed_conflicting_pmid_is_caught() -> None:
    # Reference 8's DOI with reference 5's PMID: PubMed's record carries another DOI.
    mixed = {**SEEDS[4].bibtex, "pmid": "15538929"}
    evidence = [
        Found(Source.CROSSREF, "10.1056/nejmc0805992", SEEDS[4].crossref),
        Found(Source.PUBMED, "15538929", replace(SEEDS[3].pubmed or SEEDS[3].crossref)),
    ]
    found = compare_reference(_ref(SEEDS[4], mixed), evidence)
    assert found[0].rule == "pmid-doi-conflict"
    assert "Small-Cell Lung Cancer" in found[0].message
    assert "glucagonoma syndrome" in found[0].message
