"""The seed article: all ten references, every field pinned.

The text is the whole article as a reader copies it (prose, bullet lists, "See also",
then the numbered list ``1. 1.0 1.1 1.2 Foss, …``); a copy lives in tests/data/parse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from citetrack.inputs.bib import format_entries
from citetrack.parse import parse_text

SEED = Path(__file__).parent / "data" / "parse" / "necrolytic-migratory-erythema.txt"
TEXT = SEED.read_text(encoding="utf-8")
RESULT = parse_text(TEXT)
REFS = {i + 1: ref for i, ref in enumerate(RESULT.references)}

EXPECTED: dict[int, tuple[str, dict[str, str]]] = {
    1: (
        "incollection",
        {
            "author": "Foss, Michael G. and Ferrer-Bruker, Sarah J.",
            "title": "Necrolytic Migratory Erythema",
            "booktitle": "StatPearls",
            "publisher": "StatPearls Publishing",
            "year": "2021",
            "archivedate": "2021-08-29",
            "urldate": "2021-06-01",
        },
    ),
    2: (
        "article",
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
    ),
    3: (
        "article",
        {
            "author": "Pujol, R. M. and Wang, C. Y. and el-Azhary, R. A. and Su, W. P. and "
            "Gibson, L. E. and Schroeter, A. L.",
            "title": "Necrolytic migratory erythema: clinicopathologic study of 13 cases",
            "journal": "International Journal of Dermatology",
            "year": "2004",
            "month": "1",
            "volume": "43",
            "number": "1",
            "pages": "12--18",
            "doi": "10.1111/j.1365-4632.2004.01844.x",
            "pmid": "14693015",
        },
    ),
    4: (
        "article",
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
    ),
    5: (
        "article",
        {
            "author": "van Beek, A. P. and de Haas, E. R. and van Vloten, W. A. and "
            "Lips, C. J. and Roijers, J. F. and Canninga-van Dijk, M. R.",
            "title": "The glucagonoma syndrome and necrolytic migratory erythema: "
            "a clinical review",
            "journal": "Eur. J. Endocrinol.",
            "year": "2004",
            "month": "11",
            "volume": "151",
            "number": "5",
            "pages": "531--537",
            "doi": "10.1530/eje.0.1510531",
            "pmid": "15538929",
        },
    ),
    6: (
        "book",
        {
            "author": "Odom, Richard B. and Davidsohn, Israel and James, William D. and "
            "Henry, John Bernard and Berger, Timothy G. and Elston, Dirk M.",
            "title": "Andrews' diseases of the skin: clinical dermatology",
            "publisher": "Saunders Elsevier",
            "year": "2006",
            "pages": "143",
            "isbn": "978-0-7216-2921-6",
        },
    ),
    7: (
        "article",
        {
            "author": "Echenique-Elizondo, Miguel and Tuneu Valls, Ana and "
            "Elorza Orúe, José L. and Martinez de Lizarduy, Ignacio and "
            "Ibáñez Aguirre, Javier",
            "title": "Glucagonoma and pseudoglucagonoma syndrome",
            "journal": "JOP: Journal of the pancreas",
            "year": "2004",
            "month": "7",
            "volume": "5",
            "number": "4",
            "pages": "179--185",
            "issn": "1590-8577",
            "archivedate": "2021-08-29",
            "urldate": "2021-06-02",
        },
    ),
    8: (
        "article",
        {
            "author": "Mignogna, M. D. and Fortuna, G. and Satriano, A. R.",
            "title": "Small-cell lung cancer and necrolytic migratory erythema",
            "journal": "The New England Journal of Medicine",
            "year": "2008",
            "month": "12",
            "volume": "359",
            "number": "25",
            "pages": "2731--2732",
            "doi": "10.1056/NEJMc0805992",
            "pmid": "19092164",
        },
    ),
    9: (
        "book",
        {
            "author": "Patterson, James W.",
            "title": "Weedon's Skin Pathology E-Book",
            "publisher": "Elsevier Health Sciences",
            "year": "2019",
            "month": "11",
            "pages": "603",
            "isbn": "978-0-7020-7583-4",
            "archivedate": "2021-08-29",
            "urldate": "2021-06-02",
        },
    ),
    10: (
        "article",
        {
            "author": "Compton, Nicholas L. and Chien, Andy J.",
            "title": "A Rare but Revealing Sign: Necrolytic Migratory Erythema",
            "journal": "The American Journal of Medicine",
            "year": "2013",
            "month": "5",
            "volume": "126",
            "number": "5",
            "pages": "387--389",
            "doi": "10.1016/j.amjmed.2013.01.012",
            "pmid": "23477490",
        },
    ),
}


def test_finds_exactly_the_ten_references_of_the_article() -> None:
    assert RESULT.detected_format == "text"
    assert len(RESULT.references) == 10
    lines = TEXT.splitlines()
    for number, ref in REFS.items():
        assert ref.line is not None
        assert lines[ref.line - 1].lstrip().startswith(f"{number}. ")


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_every_field_of_each_reference(number: int) -> None:
    entry_type, fields = EXPECTED[number]
    ref = REFS[number]
    assert ref.entry_type == entry_type
    assert dict(ref.fields) == fields  # no field missing, none extra


def test_identifiers_are_normalised_for_the_checker() -> None:
    assert REFS[2].identifiers.doi == "10.3322/caac.20005"
    assert REFS[8].identifiers.doi == "10.1056/nejmc0805992"  # lower-cased for comparison
    assert REFS[8].fields["doi"] == "10.1056/NEJMc0805992"  # printed case kept in the .bib
    assert REFS[6].identifiers.isbn == "9780721629216"
    assert REFS[7].identifiers.issn == "1590-8577"
    assert REFS[7].identifiers.doi is None


def test_readable_unique_keys() -> None:
    keys = [ref.key for ref in RESULT.references]
    assert keys == [
        "foss2021necrolytic",
        "thiers2009cutaneous",
        "pujol2004necrolytic",
        "becker1942cutaneous",
        "vanbeek2004glucagonoma",
        "odom2006andrews",
        "echeniqueelizondo2004glucagonoma",
        "mignogna2008small",
        "patterson2019weedons",
        "compton2013rare",
    ]


def test_book_title_in_author_list_is_reported_not_kept() -> None:
    """Reference 6 lists "Clinical diagnosis by laboratory methods" among its authors."""
    assert "Clinical diagnosis" not in REFS[6].fields["author"]
    problems = [
        p for p in RESULT.problems if "Clinical diagnosis by laboratory methods" in p.message
    ]
    assert len(problems) == 1
    assert problems[0].line == REFS[6].line
    assert problems[0].raw.startswith("6. Odom, Richard B.")
    assert len(RESULT.problems) == 1  # nothing else in the seed is doubtful


def test_just_the_list_gives_the_same_references() -> None:
    lines = TEXT.splitlines()
    only_list = "\n".join(lines[ref.line - 1] for ref in RESULT.references if ref.line)
    again = parse_text(only_list)
    assert [(r.key, r.entry_type, dict(r.fields)) for r in again.references] == [
        (r.key, r.entry_type, dict(r.fields)) for r in RESULT.references
    ]


def test_output_is_deterministic() -> None:
    first = format_entries(parse_text(TEXT).references)
    second = format_entries(parse_text(TEXT).references)
    assert first == second
    assert first.startswith("@incollection{foss2021necrolytic,\n")


def test_shared_seed_copy_is_the_one_tested() -> None:
    """The copy under tests/data must not drift from the project's seed."""
    shared = Path(__file__).resolve().parents[2] / "shared" / "seed" / SEED.name
    if not shared.exists():
        pytest.skip("shared seed not available in this checkout")
    assert shared.read_text(encoding="utf-8") == TEXT
