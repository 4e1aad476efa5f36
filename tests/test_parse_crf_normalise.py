"""From labelled segments to BibTeX values: names, dates, volumes, pages, entry types.

SYNTHETIC DATA: the segments are made up for these tests, in the forms the labeller cuts
them (punctuation kept, as in AnyStyle's labelled strings).  No model is involved.
"""

from __future__ import annotations

import pytest

from citetrack.parse.build import build_fields
from citetrack.parse.crf.features import sequence_features, tokenize
from citetrack.parse.crf.normalise import (
    read_date,
    read_pages,
    strip_value,
    to_citation,
)
from citetrack.parse.crf.people import read_people
from citetrack.parse.crf.values import read_volume
from citetrack.parse.dates import PartialDate


@pytest.mark.parametrize(
    ("printed", "bibtex"),
    [
        ("Grisewood, H., Okonkwo, A., & Tamm, J.", "Grisewood, H. and Okonkwo, A. and Tamm, J."),
        (
            "Quist, A. L., B. E. Howard, and C. Marsh.",
            "Quist, A. L. and Howard, B. E. and Marsh, C.",
        ),
        ("Larkspur, Imogen, and Peter Vance", "Larkspur, Imogen and Vance, Peter"),
        ("Holloway JR, Pennant K.", "Holloway, J. R. and Pennant, K."),
        ("R. Quenneville and S. Abernathy-Lee.", "Quenneville, R. and Abernathy-Lee, S."),
        ("van der Zee, A., & de Wit, B.", "van der Zee, A. and de Wit, B."),
        ("Tamm, J. et al.", "Tamm, J. and others"),
        ("Keller, S. und Brandt, H.", "Keller, S. and Brandt, H."),
        ("In K. Farrow (Ed.),", "Farrow, K."),
        ("Edited and translated by Odo P. Quill.", "Quill, Odo P."),
        ("Imaginary Health Organization.", "{Imaginary Health Organization}"),
        ("Quist, Hans/Marsh, Petra", "Quist, Hans and Marsh, Petra"),
        ("Kim J-H, Park S-Y.", "Kim, J.-H. and Park, S.-Y."),
        (
            "Invented Institute for Health and Care Excellence.",
            "{Invented Institute for Health and Care Excellence}",
        ),
    ],
)
def test_name_lists_of_every_style(printed: str, bibtex: str) -> None:
    assert read_people(printed).bibtex() == bibtex


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("12(3),", ("12", "3")),
        ("93, no. 4", ("93", "4")),
        ("(Vol. 3, Part A,", ("3", None)),
        ("vol. 12, no. 3, pp. 4-5", ("12", "3")),
        ("Bd. 27", ("27", None)),
        ("45", ("45", None)),
    ],
)
def test_volume_and_issue(printed: str, expected: tuple[str | None, str | None]) -> None:
    assert read_volume(printed) == expected


@pytest.mark.parametrize(
    ("printed", "pages"),
    [
        ("pp. 1761–1800).", "1761–1800"),
        ("S. 12-20.", "12-20"),
        ("p. 5", "5"),
        ("e10023.", "e10023"),
    ],
)
def test_pages(printed: str, pages: str) -> None:
    assert read_pages(printed) == pages


def test_values_lose_their_printed_wrapping() -> None:
    assert strip_value('"Rivers That Run Uphill."') == "Rivers That Run Uphill"
    assert strip_value("«Le titre inventé»,") == "Le titre inventé"
    assert strip_value("(Fall 2011):") == "Fall 2011"
    assert strip_value("") == ""


def test_dates() -> None:
    assert read_date("(2011, May).") == PartialDate(2011, 5)
    assert read_date("May 1993.") == PartialDate(1993, 5)
    assert read_date("2001a.") == PartialDate(2001)
    assert read_date("(n.d.).") is None


def test_nlm_block_in_one_segment_is_date_volume_issue_pages() -> None:
    c = to_citation(
        [
            ("author", "Holloway JR, Pennant K."),
            ("title", "Moss clocks."),
            ("journal", "Ann Fict Bot"),
            ("volume", "2009;12(3):44-51"),
        ],
        1,
        "",
    )
    entry_type, fields = build_fields(c)
    assert entry_type == "article"
    assert (fields["year"], fields["volume"], fields["number"], fields["pages"]) == (
        "2009",
        "12",
        "3",
        "44--51",
    )


@pytest.mark.parametrize(
    ("segments", "entry_type"),
    [
        (
            [("title", "T."), ("journal", "J. Imag."), ("volume", "3,"), ("pages", "1-2.")],
            "article",
        ),
        ([("title", "T."), ("location", "Springfield:"), ("publisher", "Example Press.")], "book"),
        (
            [("title", "T."), ("editor", "In A. Bee (Ed.),"), ("container-title", "B.")],
            "incollection",
        ),
        (
            [("title", "T."), ("container-title", "In Proceedings of the X Workshop,")],
            "inproceedings",
        ),
        ([("title", "T."), ("genre", "PhD thesis,"), ("publisher", "U. of Nowhere.")], "phdthesis"),
        ([("title", "T."), ("genre", "Master's thesis,"), ("publisher", "U.")], "mastersthesis"),
        ([("title", "T."), ("genre", "Technical Report TR-1,"), ("publisher", "I.")], "techreport"),
        ([("title", "T."), ("url", "https://example.invalid/t")], "online"),
    ],
)
def test_entry_type_from_the_labels(segments: list[tuple[str, str]], entry_type: str) -> None:
    assert build_fields(to_citation([("author", "Doe, J."), *segments], 1, ""))[0] == entry_type


def test_thesis_school_and_type() -> None:
    c = to_citation(
        [("author", "Doe, J."), ("title", "T."), ("genre", "PhD thesis,"), ("publisher", "U.")],
        1,
        "",
    )
    _, fields = build_fields(c)
    assert (fields["school"], fields["type"]) == ("U", "PhD thesis")


def test_features_see_list_numbers_chunks_and_brackets() -> None:
    feats = sequence_features(tokenize("[3] Doe, J. (2001). A title. Journal, 4(2), 1-9."))
    assert "is=year" in feats[3] and "in-paren" not in feats[3]
    assert "chunk-start" in feats[4]  # "A" opens the title chunk
    assert "is=voliss" in feats[7] and "is=range" in feats[8]
    assert "pos=0" in feats[0] and "-1:none" in feats[0]


def test_features_remember_an_in_and_a_year_before_the_token() -> None:
    """A chapter's book title follows "In"; an APA title follows the year."""
    tokens = tokenize("Doe, J. (2001). A chapter. In K. Roe (Ed.), A book. Springfield.")
    feats = sequence_features(tokens)
    assert "after-year" not in feats[2] and "after-year" in feats[3]
    assert "after-in" not in feats[5] and "after-in" in feats[6]
    assert all("after-in" in f for f in feats[6:])


def test_features_place_the_token_relative_to_years_and_quoted_spans() -> None:
    """Session 10 (issue 15): a year still ahead, tokens since the first year, and a
    quoted span closed just before or earlier, so a title after an APA year and a
    container after a quoted title are told apart from their neighbours."""
    tokens = tokenize('Roe, K. "A made-up title," Gazette of Nowhere 7 (1999): 1-2.')
    feats = sequence_features(tokens)
    assert "year-ahead" in feats[8] and "year-ahead" not in feats[9]  # "(1999):"
    assert not any(f.startswith("since-year") for f in feats[9])
    assert "since-year=1" in feats[10]
    assert not any(f in feats[4] for f in ("quote-closed", "after-quote"))  # 'title,"'
    assert "quote-closed" in feats[5]  # "Gazette" opens the container
    assert "after-quote" in feats[6] and "quote-closed" not in feats[6]
    apa = sequence_features(tokenize("Doe, J. (2001). A b c d e f."))
    assert [next(f for f in t if f.startswith("since-year")) for t in apa[3:8]] == [
        "since-year=1",
        "since-year=2",
        "since-year=3",
        "since-year=4",
        "since-year=4",
    ]


@pytest.mark.parametrize("label", ["container-title", "journal"])
def test_lone_container_printed_by_a_publisher_is_a_book_title(label: str) -> None:
    """Labeller slip seen in cross-validation: a book's title labelled as a container."""
    c = to_citation(
        [
            ("author", "Quillfeather, Amabel."),
            (label, "The Lantern in the Orchard: Essays on Nothing."),
            ("location", "Springfield:"),
            ("publisher", "Example Press,"),
            ("date", "2011."),
        ],
        1,
        "",
    )
    entry_type, fields = build_fields(c)
    assert entry_type == "book"
    assert fields["title"] == "The Lantern in the Orchard: Essays on Nothing"
    assert "journal" not in fields and "booktitle" not in fields


def test_container_with_in_stays_a_container() -> None:
    c = to_citation(
        [
            ("author", "Doe, J."),
            ("container-title", "In The Book of Made-up Things,"),
            ("location", "Springfield:"),
            ("publisher", "Example Press."),
        ],
        1,
        "",
    )
    assert c.title is None and c.container == "The Book of Made-up Things"


def test_a_note_that_is_only_identifiers_is_not_kept_beside_them() -> None:
    """`… 126(5), 387–389. PMID: 23477490` gave pmid = {23477490} and note = {PMID:
    23477490}: the identifier twice.  A note with words of its own stays."""
    segments = [
        ("author", "Doe, J."),
        ("title", "A made-up study."),
        ("journal", "Journal of Examples,"),
        ("volume", "12,"),
        ("pages", "1-9."),
    ]
    only = [*segments, ("note", "PMID: 23477490; PMCID: PMC1234567")]
    c = to_citation(only, 1, " ".join(t for _, t in only))
    assert (c.pmid, c.pmcid, c.notes) == ("23477490", "PMC1234567", [])
    worded = [*segments, ("note", "Epub 2010 Jan 5. PMID: 23477490")]
    c = to_citation(worded, 1, " ".join(t for _, t in worded))
    assert c.pmid == "23477490" and c.notes == ["Epub 2010 Jan 5. PMID: 23477490"]
