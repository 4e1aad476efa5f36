"""The router never keeps a rules reading whose title is an author list.

SYNTHETIC DATA: the references are made up for these tests (invented authors, titles
and journals).  A PMID or PMC mark is one of Wikipedia's signs, so the rules are tried
first; when they cannot find the authors of an NLM-like reference they read the whole
author list as the title, and the labeller must read it instead.
"""

from __future__ import annotations

import pytest

from citetrack.parse import parse_text
from citetrack.parse.build import Citation
from citetrack.parse.items import Item
from citetrack.parse.names import NameList
from citetrack.parse.route import parse_item_routed, rules_sane

TEXTS = [
    "Quillfeather AB, Marrow CJ, Denholm-Ash E. Counting imaginary cells in made-up "
    "blood. J Fict Methods 211: 13-29, 2014 [PMID: 12345678 / PMCID: PMC7654321].",
    "Tarrow C, Pelling AJ, Onslow B, Vance K. Short Report: Invented fevers in a "
    "fictional town. Imag Res Lett 2013;19(2): 44-48 [PMCID: PMC1234567].",
]


@pytest.mark.parametrize("text", TEXTS)
def test_author_list_is_not_taken_as_the_title(text: str) -> None:
    citations, path = parse_item_routed(Item(1, text, text))
    assert path != "rules"
    fields = citations[0]
    assert fields.authors.names, "the labeller reads the authors"
    assert fields.title and not fields.title.startswith(text.split(",", maxsplit=1)[0])


def test_author_list_title_through_parse_text() -> None:
    ref = next(iter(parse_text(TEXTS[0], "text").references))
    assert ref.fields["author"].startswith("Quillfeather, A. B. and Marrow, C. J.")
    assert ref.fields["title"].startswith("Counting imaginary cells")


@pytest.mark.parametrize(
    ("title", "sane"),
    [
        ("Doe AB, Roe C. A made-up study", False),
        ("Doe, A. B., Roe, C., & Poe, D. A made-up study", False),
        ("A. B. Doe, C. Roe, A made-up study", False),
        ("Smith, Jones and the invented river", True),
        ("The made-up study of Doe AB", True),
    ],
)
def test_rules_reading_with_a_name_list_title_is_not_sane(title: str, sane: bool) -> None:
    c = Citation(line=1, raw=title, title=title, authors=NameList())
    assert rules_sane([c], wiki=True) is sane


LIST = (
    "Quarrington, M. (2004). A made-up survey of lakes. Journal of Invented Waters, "
    "12(3), 45-67.\n"
    'Wrenfield, Jonas. "Comments on the Imaginary Bridge". Fictional Engineering '
    "History, Vol. 48 (4), pp. 193-4, Autumn (1956).\n"
    "Pellow, A., & Straud, K. (2011). Counting the clouds of nowhere. Sky Letters, 3, 1-9.\n"
)


def test_quoted_title_item_whose_year_the_rules_miss_goes_to_the_labeller() -> None:
    # '"Title".' is a sign of Wikipedia's CS1, so the rules read the second item first;
    # in a list that is not Wikipedia's, a printed year they miss means they misread it.
    refs = list(parse_text(LIST, "text").references)
    assert len(refs) == 3
    fields = refs[1].fields
    assert fields["year"] == "1956"
    assert fields["journal"] == "Fictional Engineering History"
    assert (fields["volume"], fields["number"]) == ("48", "4")
    assert fields["title"] == "Comments on the Imaginary Bridge"


def test_in_a_wikipedia_list_the_rules_keep_an_item_without_a_date() -> None:
    c = Citation(line=1, raw='Doe, J. "A made-up page". Example Site, 1999 edition.')
    c.title = "A made-up page"
    c.authors = NameList()
    assert rules_sane([c], wiki=True, listed=True)
    assert not rules_sane([c], wiki=True, listed=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Quill, R. (2019). Tidal pools of the north coast. In Encyclopedia of invented "
            "shores. Retrieved March 2, 2024, from https://example.org/tidal-pools",
            {"booktitle": "Encyclopedia of invented shores", "year": "2019"},
        ),
        (
            "Ferraro, D. (2020, May 5). Lantern festivals. Retrieved June 1, 2021, from "
            "https://example.com/lanterns",
            {"year": "2020", "month": "5", "urldate": "2021-06-01"},
        ),
    ],
)
def test_apa6_retrieved_from_is_no_wikipedia_sign(text: str, expected: dict[str, str]) -> None:
    """APA 6's "Retrieved March 2, 2024, from URL" is not CS1's "Retrieved March 2, 2024."
    (it sent the item to the Wikipedia rules: the encyclopedia became the publisher, the
    date of a web page was lost, and "from" was kept as a note or an organisation)."""
    _, path = parse_item_routed(Item(1, text, text))
    assert path == "crf"
    ref = next(iter(parse_text(text, "text").references))
    assert {k: ref.fields.get(k) for k in expected} == expected
    assert "from" not in (ref.fields.get("note"), ref.fields.get("organization"))


THESES = (
    "Ellery, J. (2016). Patterns of trust in rural cooperatives (Master's thesis). "
    "University of Eastwick, Springfield.\n"
    "Quill, R. (2012). Tidal pools of the north coast (Unpublished doctoral dissertation). "
    "Northfield University, Northfield, UK.\n"
    "Ferraro, D. (2018). Lantern festivals (Doctoral dissertation). Retrieved from ProQuest "
    "Dissertations and Theses database. (UMI No. 3123456)\n"
)


def test_an_apa_list_of_theses_is_not_taken_for_wikipedia() -> None:
    """Most items of an APA list of theses print a bracketed degree mark, as CS1's
    ``(PhD thesis)``: the list was taken for Wikipedia's and every item read by the rules
    (the second a @book with the mark in its title, the third's database its school)."""
    refs = list(parse_text(THESES, "text").references)
    assert [r.entry_type for r in refs] == ["mastersthesis", "phdthesis", "phdthesis"]
    assert refs[1].fields["title"] == "Tidal pools of the north coast"
    assert refs[1].fields["school"] == "Northfield University"
    assert "ProQuest" not in refs[2].fields.get("school", "")
