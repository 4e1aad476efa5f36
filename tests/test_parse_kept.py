"""Nothing of a reference is dropped by the reading: what no field takes is kept in
``note`` (a cut DOI, PubMed's "Erratum in:" / "Retraction in:" notes, NLM's "Epub …", a
second journal or publisher the labeller saw), and a DOI that is no whole DOI is a
warning, not a silence.

All references below are made up for these tests.
"""

from __future__ import annotations

from citetrack.parse import parse_text
from citetrack.parse.crf.normalise import to_citation

HEAD = (
    "1. Ravel Q, Oduya T, Brandt K. Quartz fever in a cohort of glassblowers. "
    "Invented Occup Med. 2004;43(1):12-8."
)


def _one(text: str) -> tuple[dict[str, str], list[str]]:
    result = parse_text(text, "text")
    (reference,) = result.references
    return dict(reference.fields), [p.message for p in result.problems]


def test_a_doi_cut_at_the_lines_end_is_kept_and_reported() -> None:
    fields, problems = _one(f"{HEAD} doi:10.5555/\n")
    assert "doi" not in fields
    assert fields["note"] == "doi:10.5555/"
    assert any("'doi:10.5555/' is no whole DOI" in p for p in problems)


def test_pubmeds_erratum_note_is_a_note_not_the_citations_journal() -> None:
    fields, _ = _one(f"{HEAD} Erratum in: Invented Occup Med. 2005;44:1.\n")
    assert fields["journal"] == "Invented Occup Med"
    assert (fields["year"], fields["volume"], fields["number"]) == ("2004", "43", "1")
    assert fields["title"] == "Quartz fever in a cohort of glassblowers"
    assert fields["note"] == "Erratum in: Invented Occup Med. 2005;44:1"


def test_a_retraction_note_after_a_pmid_is_kept() -> None:
    fields, _ = _one(f"{HEAD} PMID 14690000. Retraction in: Invented Occup Med. 2006;45(3):1.\n")
    assert fields["pmid"] == "14690000"
    assert fields["volume"] == "43"
    assert fields["note"] == "Retraction in: Invented Occup Med. 2006;45(3):1"


def test_nlm_epub_dates_are_kept() -> None:
    fields, _ = _one(f"{HEAD} doi: 10.5555/iom.2004.12. Epub 2003 Dec 1.\n")
    assert fields["doi"] == "10.5555/iom.2004.12"
    assert fields["note"] == "Epub 2003 Dec 1"


def test_a_title_that_starts_like_a_pubmed_note_stays_the_title() -> None:
    fields, _ = _one(
        "1. Ravel Q. Comment on: the heat of glass. Invented Occup Med. 2001;1(2):1-5.\n"
    )
    assert fields["title"] == "Comment on: the heat of glass"
    assert "note" not in fields


def test_a_second_publisher_and_place_and_a_container_beside_a_journal_are_notes() -> None:
    c = to_citation(
        [
            ("author", "Ravel, Q."),
            ("title", "A made-up book."),
            ("location", "Oxford:"),
            ("publisher", "Invented Press;"),
            ("location", "New York:"),
            ("publisher", "Other Invented Press,"),
            ("date", "2001."),
        ],
        1,
        "",
    )
    assert (c.address, c.publisher) == ("Oxford", "Invented Press")
    assert "New York" in c.notes and "Other Invented Press" in c.notes
    c = to_citation(
        [
            ("author", "Ravel, Q."),
            ("title", "A made-up paper."),
            ("journal", "Invented Occup Med,"),
            ("container-title", "Special issue on glass,"),
            ("volume", "4,"),
            ("date", "2001."),
        ],
        1,
        "",
    )
    assert c.container == "Invented Occup Med"
    assert "Special issue on glass" in c.notes


def test_a_numbered_line_not_read_is_not_said_to_lack_its_number() -> None:
    text = (
        "References\n"
        "1. Ravel Q, Oduya T. An invented cohort. J Invented Res. 2011;4(2):10-19.\n"
        "2. Ibid., 47.\n"
        "3. See the website of the invented society.\n"
    )
    messages = [p.message for p in parse_text(text, "text").problems]
    assert len(messages) == 2
    assert all("it is numbered" in m and "no list number" not in m for m in messages)


def test_an_access_date_is_the_urldate_not_a_note_nor_the_year() -> None:
    """Made-up: the day the cited copy was read is what the link check dates against."""
    for line in (
        "Invented Society (2021) Safety guide. Available at: https://example.org/guide "
        "(Accessed: 1 May 2022).",
        '[4] Invented Society of Glassblowers, "Safety guide," 2021. [Online]. Available: '
        "https://example.org/guide (accessed May 1, 2022).",
    ):
        (reference,) = parse_text(line + "\n", "text").references
        assert reference.fields["urldate"] == "2022-05-01", line
        assert reference.fields["year"] == "2021"
        assert "ccessed" not in reference.fields.get("note", "")
