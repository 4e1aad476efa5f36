"""Field values: dates, page ranges, identifiers and citation keys."""

from __future__ import annotations

import pytest

from citetrack.parse.build import Citation, build_fields, normalize_pages
from citetrack.parse.dates import PartialDate, find_full_date, is_no_date, parse_date
from citetrack.parse.keys import ascii_fold, base_key, unique_key
from citetrack.parse.names import parse_name_list


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2003", PartialDate(2003)),
        ("January 2004", PartialDate(2004, 1)),
        ("19 November 2019", PartialDate(2019, 11, 19)),
        ("April 5, 2016", PartialDate(2016, 4, 5)),
        ("2016-12-21", PartialDate(2016, 12, 21)),
        ("Fall 2006", PartialDate(2006)),
        ("June–July 2003", PartialDate(2003, 6)),
        ("January–March 2002", PartialDate(2002, 1)),
        ("2019 Nov-Dec", PartialDate(2019, 11)),
        ("Sept. 2001", PartialDate(2001, 9)),
        ("2003–2004", PartialDate(2003)),
        ("30 February 2019", None),  # no such day
        ("2019-13-01", None),
        ("Label 2002", None),  # a number in text is not a date
        ("Vol. 2003", None),
    ],
)
def test_parse_date(text: str, expected: PartialDate | None) -> None:
    assert parse_date(text) == expected


def test_date_helpers() -> None:
    assert PartialDate(2021, 6, 1).iso() == "2021-06-01"
    assert PartialDate(2021, 6).iso() == "2021-06"
    assert is_no_date("n.d.") and not is_no_date("2001")
    assert find_full_date("Interview; Piedmont; October 15, 2009") == PartialDate(2009, 10, 15)
    assert find_full_date("Label 2002") is None


@pytest.mark.parametrize(
    ("printed", "bibtex"),
    [
        ("12–8", "12--18"),
        ("531–7", "531--537"),
        ("2731–2", "2731--2732"),
        ("1069–1080", "1069--1080"),
        ("1189–208, x", "1189--1208, x"),
        ("67–93, discussion 94–5", "67--93, discussion 94--95"),
        ("i17–i22", "i17--i22"),
        ("S123–6", "S123--S126"),
        ("104S–109S", "104S--109S"),
        ("165 to 166", "165--166"),
        ("353–", "353--"),
        ("e1002703", "e1002703"),
        ("22, cf. p. 9 & 50", "22, cf. p. 9 & 50"),
        ("100–99", "100--199"),
        ("50–40", "50--40"),  # not an abbreviation (40 < 50): kept as printed
    ],
)
def test_normalize_pages(printed: str, bibtex: str) -> None:
    assert normalize_pages(printed) == bibtex


def test_identifiers_are_canonical_or_kept_and_reported() -> None:
    c = Citation(
        line=3,
        raw="raw",
        kind="book",
        title="T",
        doi="doi:10.1056/NEJMc0805992.",
        pmid="PMID 19092164",
        isbns=["0-14-013627-4", "978-0-7216-2921-7"],
        issns=["1590 8577"],
    )
    entry_type, fields = build_fields(c)
    assert entry_type == "book"
    assert fields["doi"] == "10.1056/NEJMc0805992"  # bare, printed case
    assert fields["pmid"] == "19092164"
    assert fields["isbn"] == "978-0-14-013627-2, 978-0-7216-2921-7"
    assert fields["issn"] == "1590-8577"
    assert c.problems == ["ISBN '978-0-7216-2921-7' fails its checksum or length; kept as printed"]


def test_doi_from_a_doi_org_url_keeps_its_case() -> None:
    c = Citation(line=1, raw="", kind="online", url="https://doi.org/10.1000/ABC%2F1")
    assert build_fields(c)[1]["doi"] == "10.1000/ABC/1"


@pytest.mark.parametrize(
    ("kind", "container_field"),
    [
        ("article", "journal"),
        ("chapter", "booktitle"),
        ("proceedings", "booktitle"),
        ("online", "organization"),
        ("misc", "howpublished"),
    ],
)
def test_container_field_per_entry_type(kind: str, container_field: str) -> None:
    c = Citation(line=1, raw="", kind=kind, title="T", container="C")  # type: ignore[arg-type]
    assert build_fields(c)[1][container_field] == "C"


def test_names_and_month_are_written_bibtex_style() -> None:
    c = Citation(
        line=1,
        raw="",
        kind="article",
        authors=parse_name_list("Thiers BH, Sahn RE, et al."),
        date=PartialDate(2009, 3, 2),
        access_date=PartialDate(2021, 6, 1),
    )
    fields = build_fields(c)[1]
    assert fields["author"] == "Thiers, B. H. and Sahn, R. E. and others"
    assert (fields["year"], fields["month"], fields["urldate"]) == ("2009", "3", "2021-06-01")


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        (
            {"author": "Thiers, B. H.", "year": "2009", "title": "Cutaneous manifestations"},
            "thiers2009cutaneous",
        ),
        (
            {"author": "van Beek, A. P.", "year": "2004", "title": "The glucagonoma syndrome"},
            "vanbeek2004glucagonoma",
        ),
        ({"author": "Åhrén, E.", "year": "2009", "title": "Death, Modernity"}, "ahren2009death"),
        ({"author": "el-Azhary, R.", "year": "2004", "title": "A study"}, "elazhary2004study"),
        ({"author": "{A.D.A.M. Editorial team}", "title": "Hydrocephalus"}, "adamhydrocephalus"),
        (
            {"editor": "Bradley, Fern", "year": "2009", "title": "The Organic Gardener's Handbook"},
            "bradley2009organic",
        ),
        (
            {"organization": "NINDS", "year": "2016", "title": "Hydrocephalus Fact Sheet"},
            "ninds2016hydrocephalus",
        ),
        ({"url": "http://www.uh.edu/engines/epi2582.htm"}, "uh"),
        ({"note": "Interview with Dr. Gropper", "year": "2009"}, "interview2009"),
        ({}, "ref"),
        ({"author": "Łukasiewicz, J.", "title": "Über die Ästhetik"}, "lukasiewiczuber"),
    ],
)
def test_base_key(fields: dict[str, str], key: str) -> None:
    assert base_key(fields) == key


def test_unique_key_letters() -> None:
    used: set[str] = set()
    assert [unique_key("k", used) for _ in range(4)] == ["k", "ka", "kb", "kc"]
    used = {"k", *(f"k{c}" for c in "abcdefghijklmnopqrstuvwxyz")}
    assert unique_key("k", used) == "kaa"
    assert ascii_fold("Orúe Þór ß") == "oruethorss"
