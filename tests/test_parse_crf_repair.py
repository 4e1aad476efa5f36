"""Repairs of the labeller's run-on segments: names in the title, a book inside the title,
a lead-in ``in`` at the title's end.

SYNTHETIC DATA: the references and their segments are made up for these tests, cut the
way the labeller cuts them when it slips (punctuation kept).  No model is involved.
"""

from __future__ import annotations

from citetrack.parse.build import build_fields
from citetrack.parse.crf.normalise import to_citation
from citetrack.parse.crf.repair import (
    book_in_title,
    container_after_quoted_title,
    group_author,
    names_in_title,
    title_lead_in,
)


def _fields(segments: list[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    text = " ".join(t for _, t in segments)
    return build_fields(to_citation(segments, 1, text))


def test_name_first_list_cut_before_the_last_family_name() -> None:
    # "F. Quorn, M." then "Ashdown Sand dunes…": the family name Ashdown was read as title.
    segments = [
        ("author", "F. Quorn, B. Liddell, M."),
        ("title", "Ashdown Sand dunes of an invented coast,"),
        ("journal", "Imaginary Coastal Letters,"),
        ("volume", "12,"),
        ("pages", "pp. 4-9"),
        ("date", "(2011)"),
    ]
    entry_type, fields = _fields(segments)
    assert fields["author"] == "Quorn, F. and Liddell, B. and Ashdown, M."
    assert fields["title"] == "Sand dunes of an invented coast"
    assert entry_type == "article"


def test_name_list_continued_by_and_or_ampersand_goes_back_to_the_authors() -> None:
    segments = [
        ("author", "Pelham, R., Strand, K. D.,"),
        ("title", "& van der Moot, C. Whistling in made-up canyons,"),
        ("note", "paper read at a fictional meeting."),
    ]
    repaired = names_in_title(segments)
    assert repaired[0] == ("author", "Pelham, R., Strand, K. D., & van der Moot, C.")
    assert repaired[1] == ("title", "Whistling in made-up canyons,")
    _, fields = _fields(segments)
    assert fields["author"] == "Pelham, R. and Strand, K. D. and van der Moot, C."
    assert fields["title"] == "Whistling in made-up canyons"

    segments = [("author", "Corvin, A. J.,"), ("title", "and Lida Marsh. Orchards of Nowhere.")]
    _, fields = _fields(segments)
    assert fields["author"] == "Corvin, A. J. and Marsh, Lida"
    assert fields["title"] == "Orchards of Nowhere"


def test_a_title_that_starts_like_a_name_stays_a_title() -> None:
    # Family-first authors ending in an initial: the title is whole.
    segments = [("author", "Quorn, F. M."), ("title", "Harbour Lights of Invented Towns.")]
    assert names_in_title(segments) == segments
    # "And" opening a title with no name list after it.
    segments = [("author", "Quorn, F."), ("title", "And then there were none of these studies.")]
    assert names_in_title(segments) == segments


def test_chapter_and_book_read_as_one_title_are_split() -> None:
    segments = [
        ("author", "Amberley, T."),
        ("date", "(2009)."),
        ("title", "Counting fictional sheep. In Collected Inventions of the North."),
        ("editor", "(Eds P. Rowan, K. Teal)"),
        ("pages", "pp. 12-30."),
        ("publisher", "Nowhere Press,"),
        ("location", "Springfield."),
    ]
    entry_type, fields = _fields(segments)
    assert entry_type == "incollection"
    assert fields["title"] == "Counting fictional sheep"
    assert fields["booktitle"] == "Collected Inventions of the North"

    quoted = [
        ("author", "Lark, M.,"),
        ("title", "“On imaginary bridges,” in Proceedings of the Made-up Conference,"),
        ("pages", "pp. 1-8,"),
        ("date", "2015."),
    ]
    entry_type, fields = _fields(quoted)
    assert entry_type == "inproceedings"
    assert fields["title"] == "On imaginary bridges"
    assert fields["booktitle"] == "Proceedings of the Made-up Conference"


def test_title_with_in_but_a_container_already_found_is_left_alone() -> None:
    segments = [
        ("title", "Lost. In the woods of nowhere."),
        ("journal", "Invented Forestry,"),
        ("volume", "3,"),
    ]
    assert book_in_title(segments) == segments
    # A title opening with "In" is not split either.
    assert book_in_title([("title", "In Praise of Made-up Things.")]) == [
        ("title", "In Praise of Made-up Things.")
    ]


def test_lead_in_at_the_end_of_a_title_belongs_to_the_container() -> None:
    assert title_lead_in("« Le pont imaginaire », in") == "« Le pont imaginaire »,"
    assert title_lead_in("Early words: friend or foe? - In") == "Early words: friend or foe? -"
    assert title_lead_in("What they believe in") == "What they believe in"
    segments = [
        ("author", "Morvan, C.,"),
        ("title", "« Le pont imaginaire », in"),
        ("container-title", "Mélanges inventés,"),
        ("location", "Paris,"),
        ("date", "2001,"),
        ("pages", "p. 3-9."),
    ]
    _, fields = _fields(segments)
    assert fields["title"] == "Le pont imaginaire"
    assert fields["booktitle"] == "Mélanges inventés"


def test_container_after_a_quoted_title_is_split_off() -> None:
    segments = [
        ("author", "Wrenfield, Ada."),
        ("title", "“Bridges that never were,” Fictional Engineering Review,"),
        ("volume", "vol. 7,"),
        ("pages", "pp. 11-19,"),
        ("date", "2003."),
    ]
    entry_type, fields = _fields(segments)
    assert fields["title"] == "Bridges that never were"
    assert fields["journal"] == "Fictional Engineering Review"
    assert entry_type == "article"
    assert container_after_quoted_title([("title", "« Le pont », Revue inventée,")]) == [
        ("title", "« Le pont »,"),
        ("container-title", "Revue inventée,"),
    ]


def test_quoted_words_inside_a_title_do_not_split_it() -> None:
    # The quote opens the title but does not close it with a separator.
    segments = [("title", "“Never again” : a made-up history of bridges, 1900-1950,")]
    assert container_after_quoted_title(segments) == segments
    # A one-word tail is not taken for a container.
    segments = [("title", "“Odd tides.” Tidings."), ("date", "1999.")]
    assert container_after_quoted_title(segments) == segments


def test_an_organisation_before_an_apa_date_is_the_author() -> None:
    """Made-up: the labeller read the group author as the title and the title as a note."""
    segments = [
        ("title", "Invented Agency for Glass Safety."),
        ("date", "(2020, May 3)."),
        ("note", "Quartz fever: What to know."),
        ("url", "https://example.org/q"),
    ]
    assert group_author(segments) == [
        ("author", "Invented Agency for Glass Safety."),
        ("date", "(2020, May 3)."),
        ("title", "Quartz fever: What to know."),
        ("url", "https://example.org/q"),
    ]


def test_an_apa_title_in_the_authors_place_is_left_a_title() -> None:
    """APA puts the title first when there is no author: no organisation's name, a colon,
    or an author elsewhere leaves the reading alone."""
    for first in ("Quartz fever in glassblowers.", "Invented Agency: a history."):
        segments = [("title", first), ("date", "(2020)."), ("publisher", "Invented Press.")]
        assert group_author(segments) == segments
    segments = [
        ("author", "Ravel, Q."),
        ("title", "Invented Agency reports."),
        ("date", "(2020)."),
        ("journal", "J Invented Res."),
    ]
    assert group_author(segments) == segments


def test_a_thesis_mark_after_a_comma_ends_the_title() -> None:
    """Made-up IEEE thesis reference: the mark read into the title is the genre."""
    entry_type, fields = _fields(
        [
            ("author", "Q. Ravel,"),
            ("title", "Quartz fever in invented furnaces, Ph.D. dis- sertation,"),
            ("publisher", "Invented University,"),
            ("date", "2004."),
        ]
    )
    assert entry_type == "phdthesis"
    assert fields["title"] == "Quartz fever in invented furnaces"
    assert fields["school"] == "Invented University"
