"""The normaliser's and the router's readings of issue 15, session 23 (second round): a
web page's title and link, Wikipedia's signs told from other styles', the labeller's
segments read into the right BibTeX fields.

SYNTHETIC DATA: every reference and segment here is made up, in the forms the labeller
cuts them (punctuation kept, as in AnyStyle's labelled strings).  No model is involved:
the segments are given.
"""

from __future__ import annotations

import pytest

from citetrack.parse.build import build_fields
from citetrack.parse.crf.normalise import to_citation
from citetrack.parse.items import Item
from citetrack.parse.route import parse_item_routed, wiki_style

Segments = list[tuple[str, str]]


def _entry(segments: Segments) -> tuple[str, dict[str, str]]:
    text = " ".join(t for _, t in segments)
    return build_fields(to_citation(segments, 1, text))


def _routed(segments: Segments) -> tuple[str, dict[str, str]]:
    text = " ".join(t for _, t in segments)
    citations, path = parse_item_routed(Item(1, text, text), labels=segments)
    assert path == "crf"
    return build_fields(citations[0])


# ------------------------------------------------------------ a web page: a title and a link


def test_a_title_and_a_link_are_a_web_page() -> None:
    """No author, no date: the title names the page the link opens (an @online), never
    a line of prose kept whole as a @misc's note."""
    kind, fields = _routed(
        [
            ("citation-number", "[4]"),
            ("title", "Tide tables of the northern harbours."),
            ("url", "https://tides.example.org/north/tables.html"),
        ]
    )
    assert kind == "online"
    assert fields["title"] == "Tide tables of the northern harbours"
    assert fields["url"] == "https://tides.example.org/north/tables.html"


def test_a_lone_title_is_still_not_understood() -> None:
    kind, fields = _routed([("title", "Some words about the tides of the northern harbours.")])
    assert kind == "misc" and "title" not in fields


# ------------------------------------------------------------ Wikipedia's signs and others'


@pytest.mark.parametrize(
    "text",
    [
        # Chicago author-date: a bare year before the quoted title, "(accessed …)", "Online:"
        'Doe, Jane. 2011. "Tides of the North Sea". Harbour Weekly, 3 May. Online: '
        "http://example.org/tides (accessed 4 May 2012).",
        'Doe, Jane. 2011. "Tides of the North Sea". Harbour Weekly, 3 May.',
        # "Retrieved on <date> at <URL>": CS1 ends its access date with a full stop
        "Roe, K. (2015). Tides and harbours. Retrieved on November 13, 2015 at "
        "https://example.org/tides",
        # a journal named after OCLC, no OCLC number
        "Poe, A. 2003. Best practices for tide gauges. OCLC Systems and Services 19 (2): 62-9.",
        # APA's editors' mark and pages in brackets around a quoted phrase's "Phrase".
        'Doe, J. (1999). Harbours and the "Mixed Tides". In K. Roe (Ed.), Coastal Things '
        "(pp. 29-51). Springfield: Example Press.",
    ],
)
def test_other_styles_are_not_wikipedias(text: str) -> None:
    """Read by the rules (CS1's reader), these lost their pages, editors and places."""
    assert not wiki_style(Item(1, text, text))


@pytest.mark.parametrize(
    "text",
    [
        'Doe, Jane (2011). "Tides of the North Sea". Harbour Weekly. Retrieved 5 May 2012.',
        "Doe, Jane (2011). Tides of the North Sea. Springfield: Example Press. OCLC 12345678.",
        'Doe, Jane (2011). "Tides". Harbour Weekly. Retrieved on 5 May 2012.',
    ],
)
def test_wikipedias_signs_still_seen(text: str) -> None:
    assert wiki_style(Item(1, text, text))


# ------------------------------------------------------------ NLM: a day before the year


@pytest.mark.parametrize(
    ("day", "year", "month"),
    [("January 27, 2011", "2011", "1"), ("2011/06/01", "2011", "6"), ("12/05", "2011", None)],
)
def test_nlm_a_day_before_the_year_is_no_part_of_the_journal(
    day: str, year: str, month: str | None
) -> None:
    """Reference managers' exports print the day, then NLM's block (``Journal. January
    27, 2011 2011;117(4):…``): the journal's name ends at its full stop."""
    text = f"Doe JA, Roe K, et al. Tides in harbours. Harb Tides. {day} 2011;117(4): 1141-1145."
    citations, path = parse_item_routed(Item(1, text, text))
    assert path == "nlm"
    kind, fields = build_fields(citations[0])
    assert kind == "article"
    assert fields["journal"] == "Harb Tides"
    assert fields["year"] == year and fields.get("month") == month
    assert (fields["volume"], fields["number"], fields["pages"]) == ("117", "4", "1141--1145")


# ------------------------------------------------------------ a journal read as a publisher


@pytest.mark.parametrize(
    ("printed", "journal", "numbers"),
    [
        ("Harbour Science 21(3): 373–383.", "Harbour Science", ("21", "3", "373--383")),
        ("J. Harb. Sci. 108: 1114-1120.", "J. Harb. Sci.", ("108", None, "1114--1120")),
        (
            "Tidal Reviews, Series B 71: 21R-31R.",
            "Tidal Reviews, Series B",
            ("71", None, "21R--31R"),
        ),
    ],
)
def test_a_publisher_with_a_volume_and_pages_is_a_journal(
    printed: str, journal: str, numbers: tuple[str, str | None, str]
) -> None:
    """No publisher prints a volume and pages after its name: the journal's name, its
    volume (and issue) and pages, an article."""
    kind, fields = _entry(
        [
            ("author", "Doe, J. A. and K. Roe."),
            ("date", "1998."),
            ("title", "Tides of the northern harbours."),
            ("publisher", printed),
        ]
    )
    assert kind == "article" and "publisher" not in fields
    assert fields["journal"] == journal
    assert (fields["volume"], fields.get("number"), fields["pages"]) == numbers


def test_a_meetings_year_and_pages_stay_a_publishers() -> None:
    """A year before the colon is a meeting's (``Tides 2002: 1-14.``), no volume."""
    kind, fields = _entry(
        [("author", "Doe, J."), ("title", "Tides."), ("publisher", "Harbour Tides 2002: 1-14.")]
    )
    assert kind == "book" and fields["publisher"] == "Harbour Tides 2002: 1-14"


# ------------------------------------------------------------ a journal at the title's end


@pytest.mark.parametrize(
    ("printed", "title", "journal"),
    [
        (
            "Tides in the northern harbours. Harbour Science.",
            "Tides in the northern harbours",
            "Harbour Science",
        ),
        (
            "“Tides in the northern harbours.” Journal of Tides and Harbours.",
            "Tides in the northern harbours",
            "Journal of Tides and Harbours",
        ),
        ("Sizing tide gauges. Jour. Harbour Engrg.", "Sizing tide gauges", "Jour. Harbour Engrg"),
    ],
)
def test_a_journal_read_into_the_title(printed: str, title: str, journal: str) -> None:
    """A title whose last sentence is a journal's name (capitalised words), then a volume
    and pages, with nothing of a book's: the journal was read into the title."""
    kind, fields = _entry(
        [
            ("author", "Doe JA, Roe K."),
            ("title", printed),
            ("date", "2011,"),
            ("volume", "12(3):"),
            ("pages", "45-67."),
        ]
    )
    assert kind == "article"
    assert (fields["title"], fields["journal"]) == (title, journal)


@pytest.mark.parametrize(
    "segments",
    [
        # the last sentence is a sentence, not a name
        [
            ("title", "Tides in the harbours. We measured them all."),
            ("volume", "12"),
            ("pages", "45-67."),
        ],
        # an abbreviation's stop, not a sentence's end
        [("title", "Tides of the harbours: A U.S. Example"), ("volume", "12"), ("pages", "45-67.")],
        # a book's: a publisher and a place
        [
            ("title", "Tides in the harbours. Harbour Studies."),
            ("volume", "Vol. 2,"),
            ("pages", "pp. 45-67."),
            ("location", "Springfield:"),
            ("publisher", "Example Press."),
        ],
    ],
)
def test_no_journal_taken_from_the_title(segments: Segments) -> None:
    _, fields = _entry([("author", "Doe, J."), *segments])
    assert "journal" not in fields


# ------------------------------------------------------------ pages at a container's end


def test_pages_printed_at_the_end_of_the_book() -> None:
    kind, fields = _entry(
        [
            ("author", "Doe, J."),
            ("date", "(2006)."),
            ("title", "Tides and harbours."),
            ("editor", "In K. Roe (ed.),"),
            ("container-title", "Book of Northern Tides,107–23,"),
            ("publisher", "Example Press."),
        ]
    )
    assert kind == "incollection"
    assert (fields["booktitle"], fields["pages"]) == ("Book of Northern Tides", "107--123")


@pytest.mark.parametrize(
    "segments",
    [
        # a span of years
        [("title", "Tides."), ("container-title", "In The Tidal Empire, 1812-1960,")],
        # no title before it: the book's own title and its years
        [("container-title", "Annals of the Harbour, 840-903,"), ("location", "Springfield:")],
    ],
)
def test_no_pages_taken_from_a_container(segments: Segments) -> None:
    _, fields = _entry([("author", "Doe, J."), *segments])
    assert "pages" not in fields


# ------------------------------------------------------------ a length after a journal


def test_a_page_count_after_a_journal_is_a_length() -> None:
    """``Bulletin, v. 90, 34 p.``: the bulletin is 34 pages long, it is no page 34."""
    _, fields = _entry(
        [
            ("author", "Doe, J. A.,"),
            ("title", "Tides of the northern harbours."),
            ("journal", "Harbour Survey Bulletin,"),
            ("volume", "v. 90,"),
            ("pages", "34 p."),
            ("date", "1963."),
        ]
    )
    assert "pages" not in fields and "34 p" in fields["note"]


def test_a_supplements_page_after_a_journal_stays_a_page() -> None:
    _, fields = _entry(
        [
            ("author", "Doe JA."),
            ("title", "Tides."),
            ("journal", "J Harb Tides."),
            ("date", "2011;"),
            ("volume", "30(S2):"),
            ("pages", "4S."),
        ]
    )
    assert fields["pages"] == "4S"


# ------------------------------------------------------------ French "In :" before the book


def test_french_in_with_a_space_before_its_colon() -> None:
    """French typography puts a space before the colon: ``Chapitre. In : « Livre »,``."""
    kind, fields = _entry(
        [
            ("author", "DOE J.,"),
            ("date", "2012."),
            ("title", "Les marées du port. In : « Atlas des ports du Nord »,"),
            ("pages", "3-38."),
        ]
    )
    assert kind == "incollection"
    assert (fields["title"], fields["booktitle"]) == (
        "Les marées du port",
        "Atlas des ports du Nord",
    )
