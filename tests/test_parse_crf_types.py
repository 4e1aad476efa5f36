"""Entry types follow the content; each printed piece lands in the BibTeX field that
expects it (issue 15): a report's type and number, a conference's venue, a thesis mark in
other languages.

SYNTHETIC DATA: every reference and segment here is made up, in the forms the labeller
cuts them (punctuation kept, as in AnyStyle's labelled strings).  No model is involved.
"""

from __future__ import annotations

import pytest

from citetrack.parse.build import build_fields
from citetrack.parse.crf.genre import report_type_and_number
from citetrack.parse.crf.normalise import to_citation
from citetrack.parse.crf.people import read_people

Segments = list[tuple[str, str]]


def _entry(segments: Segments) -> tuple[str, dict[str, str]]:
    text = " ".join(t for _, t in segments)
    return build_fields(to_citation(segments, 1, text))


@pytest.mark.parametrize(
    ("genre", "report_type", "number"),
    [
        # IEEE
        ("Tech. Rep. TR-2004-17,", "Tech. Rep.", "TR-2004-17"),
        ("Technical Report CS-92-14,", "Technical Report", "CS-92-14"),
        # APA, from the parentheses after the title
        ("Working Paper No. 2519", "Working Paper", "2519"),
        ("Invented Agency Publication No. 02-1234", "Invented Agency Publication", "02-1234"),
        # NLM
        ("Report No.: WEO/TID/2020.1.", "Report", "WEO/TID/2020.1"),
        ("Technischer Bericht Nr. 12", "Technischer Bericht", "12"),
        ("Rapport technique n° 45", "Rapport technique", "45"),
        ("Discussion Paper 14/03.", "Discussion Paper", "14/03"),
        # no number: the whole genre is the type
        ("Technical report.", "Technical report", None),
        ("White paper", "White paper", None),
        # a year after the type without a number mark may be the report's year: kept whole
        ("Technical Report 2004", "Technical Report 2004", None),
    ],
)
def test_a_reports_genre_is_its_type_and_number(
    genre: str, report_type: str, number: str | None
) -> None:
    assert report_type_and_number(genre.strip(" .,")) == (report_type, number)


def test_a_report_number_is_bibtex_number_not_note() -> None:
    entry_type, fields = _entry(
        [
            ("citation-number", "[1]"),
            ("author", "L. Feng,"),
            ("title", '"A note on graph minors,"'),
            ("genre", "Tech. Rep. TR-2004-17,"),
            ("publisher", "Computer Science Dept., Example Univ.,"),
            ("location", "Springfield, IL,"),
            ("date", "2004."),
        ]
    )
    assert entry_type == "techreport"
    assert (fields["type"], fields["number"]) == ("Tech. Rep.", "TR-2004-17")
    assert "note" not in fields  # nothing left over: no genre repeated in the note


def test_nlm_report_number_after_its_mark_is_the_number() -> None:
    entry_type, fields = _entry(
        [
            ("author", "Example Health Organization."),
            ("title", "Invented guidance on tides."),
            ("location", "Geneva:"),
            ("publisher", "Example Health Organization;"),
            ("date", "2020."),
            ("location", "Report No.:"),
            ("publisher", "EHO/TID/2020.1."),
        ]
    )
    assert entry_type == "techreport"
    assert (fields["type"], fields["number"]) == ("Report", "EHO/TID/2020.1")
    assert "note" not in fields


@pytest.mark.parametrize(
    ("container", "booktitle", "address"),
    [
        (
            "in Proc. 27th Int. Conf. Imaginary Learning (ICIL), Haifa, Israel,",
            "Proc. 27th Int. Conf. Imaginary Learning (ICIL)",
            "Haifa, Israel",
        ),
        (
            "in Proceedings of the Example Workshop, New Orleans, LA, USA,",
            "Proceedings of the Example Workshop",
            "New Orleans, LA, USA",
        ),
        ("In: Proc. Invented Symposium, Austin, TX.", "Proc. Invented Symposium", "Austin, TX"),
        # no country or state after the last comma: no venue is cut off
        ("in Proc. Invented Symposium, Part II,", "Proc. Invented Symposium, Part II", None),
        ("in Proc. Invented Symposium, Lisbon,", "Proc. Invented Symposium, Lisbon", None),
    ],
)
def test_a_conference_venue_is_the_address_not_the_booktitle(
    container: str, booktitle: str, address: str | None
) -> None:
    entry_type, fields = _entry(
        [
            ("author", "P. Quill and R. Stone,"),
            ("title", '"Sparse codes for toy problems,"'),
            ("container-title", container),
            ("date", "2010,"),
            ("pages", "pp. 415–422."),
        ]
    )
    assert entry_type == "inproceedings"
    assert (fields["booktitle"], fields.get("address")) == (booktitle, address)


@pytest.mark.parametrize(
    ("title", "entry_type"),
    [
        ("Marées imaginaires des côtes. Thèse de doctorat,", "phdthesis"),
        ("Ríos inventados del sur. Tesis doctoral,", "phdthesis"),
        ("Ríos inventados del sur. Tesis de maestría,", "mastersthesis"),
        ("Fiumi immaginari del nord. Tesi di dottorato,", "phdthesis"),
        ("Fiumi immaginari del nord. Tesi di laurea magistrale,", "mastersthesis"),
        ("Synthetische Flüsse im Norden. Diss.,", "phdthesis"),
        ("Synthetische Flüsse im Norden. Masterarbeit,", "mastersthesis"),
    ],
)
def test_a_thesis_mark_in_other_languages_after_the_title_is_the_genre(
    title: str, entry_type: str
) -> None:
    got, fields = _entry(
        [
            ("author", "Colin, D."),
            ("date", "(2012)."),
            ("title", title),
            ("publisher", "Université d'Exempleville."),
        ]
    )
    assert got == entry_type
    assert fields["title"] == title.split(". ", maxsplit=1)[0]
    assert fields["school"] == "Université d'Exempleville"


@pytest.mark.parametrize(
    ("genre", "entry_type", "printed"),
    [
        ("M.S. thesis,", "mastersthesis", "M.S. thesis"),
        ("MA thesis,", "mastersthesis", "MA thesis"),
        ("M.Eng. thesis,", "mastersthesis", "M.Eng. thesis"),
        ("Tesis de maestría,", "mastersthesis", "Tesis de maestría"),
        ("Mémoire de master,", "mastersthesis", "Mémoire de master"),
        ("Ph.D. dissertation,", "phdthesis", "Ph.D. dissertation"),
        ("(Doctoral dissertation).", "phdthesis", "Doctoral dissertation"),
        ("PhD diss.,", "phdthesis", "PhD diss."),
        ("Diss.,", "phdthesis", "Diss."),
        ("Thèse de doctorat,", "phdthesis", "Thèse de doctorat"),
    ],
)
def test_a_thesis_type_is_kept_as_printed_and_tells_masters_from_doctoral(
    genre: str, entry_type: str, printed: str
) -> None:
    got, fields = _entry(
        [
            ("author", "K. Roe,"),
            ("title", '"Invented tides,"'),
            ("genre", genre),
            ("publisher", "Example University,"),
            ("date", "2010."),
        ]
    )
    assert (got, fields["type"]) == (entry_type, printed)


@pytest.mark.parametrize(
    ("container", "note"),
    [
        ("Paper presented at the Annual Meeting of the Fictional Society,", "Paper presented at"),
        ("presented at the Annual Meeting of the Fictional Society,", "presented at"),
        ("Poster presented at Annual Meeting of the Fictional Society.", "Poster presented at"),
    ],
)
def test_a_talks_lead_in_is_a_note_not_the_meetings_name(container: str, note: str) -> None:
    entry_type, fields = _entry(
        [
            ("author", "Dale, C."),
            ("date", "(2018, May)."),
            ("title", "Invented findings on sand."),
            ("container-title", container),
            ("location", "Boston, MA."),
        ]
    )
    assert entry_type == "inproceedings"
    assert fields["booktitle"] == "Annual Meeting of the Fictional Society"
    assert (fields["note"], fields["address"]) == (note, "Boston, MA")


def test_a_talk_presented_at_a_named_event_is_a_conference_paper() -> None:
    # No "conference" or "meeting" word: the lead-in alone says the event (not a book).
    entry_type, fields = _entry(
        [
            ("author", "Dale, C."),
            ("date", "(2018)."),
            ("title", "Invented findings on sand."),
            ("container-title", "Paper presented at the Example Lecture Series,"),
            ("location", "Boston, MA."),
        ]
    )
    assert (entry_type, fields["booktitle"]) == ("inproceedings", "Example Lecture Series")


@pytest.mark.parametrize(
    ("segments", "howpublished"),
    [
        (
            [("journal", "US Patent"), ("volume", "9,999,999,"), ("date", "2017.")],
            "US Patent 9,999,999",
        ),
        (
            [("journal", "U.S. Patent"), ("volume", "9"), ("pages", "999 999,"), ("date", "2017.")],
            "U.S. Patent 9 999 999",
        ),
    ],
)
def test_a_patents_number_is_kept_whole(segments: Segments, howpublished: str) -> None:
    # Read as a journal's volume and pages, "9,999,999" became volume "9" (the rest lost).
    entry_type, fields = _entry(
        [("author", "M. Hart,"), ("title", '"Invented device for folding paper,"'), *segments]
    )
    assert entry_type == "misc"
    assert fields["howpublished"] == howpublished
    assert "volume" not in fields and "pages" not in fields


def test_an_access_date_leading_in_to_the_url_leaves_no_word_behind() -> None:
    entry_type, fields = _entry(
        [
            ("author", "Example Council."),
            ("date", "(2023, January 5)."),
            ("title", "Fictional page on tides."),
            ("note", "Retrieved March 2, 2024, from"),  # APA 6
            ("url", "https://example.org/tides"),
        ]
    )
    assert (entry_type, fields["urldate"]) == ("online", "2024-03-02")
    assert "note" not in fields  # was "from": the access date's lead-in to the URL


@pytest.mark.parametrize(
    ("pages", "note"),
    [
        (["sec. A."], "sec. A"),  # Chicago's newspaper section: no page number
        (["pp. 12–15,", "20–25."], "20–25"),  # a second range
    ],
)
def test_a_pages_segment_without_a_page_or_a_second_one_is_kept(
    pages: list[str], note: str
) -> None:
    _, fields = _entry(
        [
            ("author", "Roe, Karl."),
            ("title", '"Made-up Storm Floods Invented Harbour."'),
            ("journal", "The Example Times,"),
            ("date", "June 12, 2016,"),
            *[("pages", text) for text in pages],
        ]
    )
    assert fields["note"] == note


@pytest.mark.parametrize(
    ("segments", "editor"),
    [
        # German: the editors and the book read as one container
        (
            [("container-title", "in: Lena Poe (Hg.), Erfundene Wüsten,"), ("location", "Ort")],
            "Poe, Lena",
        ),
        # French: the editors read as a note before the book
        ([("note", "Dans L. Poe (dir.),"), ("container-title", "Erfundene Wüsten")], "Poe, L."),
    ],
)
def test_a_chapters_editors_before_its_book_are_its_editors(
    segments: Segments, editor: str
) -> None:
    entry_type, fields = _entry(
        [
            ("author", "Roe, Karl:"),
            ("title", "Ein Kapitel über Sand,"),
            *segments,
            ("date", "2014,"),
            ("pages", "S. 33–58."),
        ]
    )
    assert entry_type == "incollection"
    assert (fields["editor"], fields["booktitle"]) == (editor, "Erfundene Wüsten")
    assert "note" not in fields


@pytest.mark.parametrize(
    ("publisher", "edition"),
    [
        ("2nd ed. Example Press,", "2nd"),
        ("2. Aufl. Beispielverlag,", "2"),
        ("3e éd. Exemple,", "3e"),
    ],
)
def test_an_edition_read_as_the_publishers_first_words_is_the_edition(
    publisher: str, edition: str
) -> None:
    entry_type, fields = _entry(
        [
            ("editor", "Lamb, Q., Ed."),
            ("date", "(2011)."),
            ("title", "Fictional essays."),
            ("publisher", publisher),
            ("location", "Springfield."),
        ]
    )
    assert entry_type == "book"
    assert fields["edition"] == edition
    assert fields["publisher"] == publisher.split(maxsplit=2)[-1].rstrip(",")


def test_a_data_set_after_its_description_is_misc_with_its_publisher() -> None:
    # APA 7: "Title (Version 2) [Data set]. Publisher. URL" read as one title (a @book then).
    entry_type, fields = _entry(
        [
            ("author", "Ives, N."),
            ("date", "(2020)."),
            (
                "title",
                "Synthetic survey of imaginary towns (Version 2) [Data set]. Example Archive.",
            ),
            ("url", "https://doi.org/10.5555/data.42"),
        ]
    )
    assert entry_type == "misc"
    assert fields["title"] == "Synthetic survey of imaginary towns"
    assert (fields["publisher"], fields["note"]) == ("Example Archive", "Version 2; Data set")


def test_a_white_paper_mark_is_a_reports_type() -> None:
    entry_type, fields = _entry(
        [
            ("author", "Fable Inc."),
            ("date", "(2021)."),
            ("title", "Widget safety in practice [White paper]."),
            ("url", "https://example.com/wp.pdf"),
        ]
    )
    assert (entry_type, fields["type"]) == ("techreport", "White paper")
    assert fields["title"] == "Widget safety in practice"


@pytest.mark.parametrize(
    "segments",
    [
        # IEEE: the series in brackets after the title, its volume closing the bracket
        [
            ("container-title", "Invented Deserts (Studies in Imaginary Science,"),
            ("volume", "vol. 12)."),
            ("location", "Springfield:"),
            ("publisher", "Example Press,"),
            ("date", "2014."),
        ],
        # NLM: "(Series; vol 12)." after the year
        [
            ("title", "Invented Deserts."),
            ("location", "Springfield:"),
            ("publisher", "Example Press;"),
            ("date", "2014."),
            ("note", "(Studies in Imaginary Science;"),
            ("volume", "vol 12)."),
        ],
        # Chicago: "Vol. 12 of Series."
        [
            ("title", "Invented Deserts."),
            ("volume", "Vol. 12"),
            ("container-title", "of Studies in Imaginary Science."),
            ("location", "Springfield:"),
            ("publisher", "Example Press."),
        ],
    ],
)
def test_a_books_series_and_its_volume_are_series_and_volume(segments: Segments) -> None:
    entry_type, fields = _entry([("author", "K. Roe,"), *segments])
    assert entry_type == "book"
    assert (fields["title"], fields["series"], fields["volume"]) == (
        "Invented Deserts",
        "Studies in Imaginary Science",
        "12",
    )
    assert "note" not in fields


def test_an_mla_web_page_has_its_site_date_and_url() -> None:
    # '"Title." Site, 2021, example.org/tides.' read as one title (split after the quote):
    # an @incollection whose booktitle held the date and the URL, the link unread.
    entry_type, fields = _entry(
        [
            ("title", '"Tide Tables." Example Harbour Authority, 2021, example.org/tides.'),
            ("note", "Accessed 5 Mar. 2024."),
        ]
    )
    assert entry_type == "online"
    assert (fields["organization"], fields["year"]) == ("Example Harbour Authority", "2021")
    assert (fields["url"], fields["urldate"]) == ("http://example.org/tides", "2024-03-05")
    assert "note" not in fields


def test_an_mla_url_labelled_as_one_is_not_also_a_note() -> None:
    _, fields = _entry(
        [
            ("title", '"Tide Tables."'),
            ("container-title", "Example Harbour Authority,"),
            ("date", "2021,"),
            ("url", "example.org/tides."),
        ]
    )
    assert fields["url"] == "http://example.org/tides"
    assert "note" not in fields


@pytest.mark.parametrize(
    ("container", "volume", "booktitle", "series"),
    [
        (
            "in Proceedings of the 3rd Invented Conference, ser. ICI '19.",
            [],
            "Proceedings of the 3rd Invented Conference",
            "ICI '19",
        ),
        ("ICIS 2019. LNCS,", [("volume", "vol. 11234,")], "ICIS 2019", "LNCS"),
    ],
)
def test_a_series_after_a_proceedings_name_is_the_series(
    container: str, volume: Segments, booktitle: str, series: str
) -> None:
    _, fields = _entry(
        [
            ("author", "K. Roe,"),
            ("title", '"Invented tides,"'),
            ("container-title", container),
            *volume,
            ("pages", "pp. 1–9."),
            ("publisher", "Example Press,"),
            ("date", "2019."),
        ]
    )
    assert (fields["booktitle"], fields["series"]) == (booktitle, series)


def test_a_software_version_read_as_a_journal_is_kept_whole() -> None:
    # NLM-like "Version 1.4.2." read as journal "Version", volume "1.4.2" (volume 1 kept).
    entry_type, fields = _entry(
        [
            ("author", "Roe K."),
            ("title", "tidekit: a toolkit for invented tides."),
            ("journal", "Version"),
            ("volume", "1.4.2."),
            ("date", "2020."),
            ("url", "https://example.org/tidekit"),
        ]
    )
    assert entry_type == "online"
    assert fields["note"] == "Version 1.4.2"
    assert "volume" not in fields and "journal" not in fields


def test_an_abbreviated_journal_before_its_volume_keeps_its_acronym() -> None:
    # "Proc. SPIE," + "vol. 12": the stop ends "Proc.", SPIE is no series after a name.
    _, fields = _entry(
        [
            ("author", "K. Roe,"),
            ("title", '"Invented tides,"'),
            ("container-title", "Proc. SPIE,"),
            ("volume", "vol. 12,"),
            ("pages", "pp. 1–9,"),
            ("date", "1980."),
        ]
    )
    assert "series" not in fields


@pytest.mark.parametrize(
    ("volume", "pages", "expected"),
    [
        # IEEE: the pages inside the volume segment (they were dropped)
        (["vol. 12, no. 3, pp. 4-5"], [], {"volume": "12", "number": "3", "pages": "4--5"}),
        # a part or a supplement besides the volume: a note (dropped before)
        (["Vol. 3, Part A,"], ["pp. 4-5"], {"volume": "3", "pages": "4--5", "note": "Part A"}),
        (["12, Suppl. 2,"], ["pp. 4-5"], {"volume": "12", "note": "Suppl. 2"}),
        # the issue as a second volume segment
        (["12", "(3),"], ["pp. 4-5"], {"volume": "12", "number": "3"}),
    ],
)
def test_what_a_volume_segment_prints_besides_the_volume_is_kept(
    volume: list[str], pages: list[str], expected: dict[str, str]
) -> None:
    _, fields = _entry(
        [
            ("author", "K. Roe,"),
            ("title", '"Invented tides,"'),
            ("journal", "J. Imag. Syst.,"),
            *[("volume", text) for text in volume],
            *[("pages", text) for text in pages],
            ("date", "2019."),
        ]
    )
    assert {key: fields.get(key) for key in expected} == expected


@pytest.mark.parametrize(
    ("publisher", "expected"),
    [
        ("Computer Science Dept., Example Univ.,", "Computer Science Dept., Example Univ."),
        ("Example Widget Co.", "Example Widget Co."),
        ("Example Press.", "Example Press"),  # a sentence's stop, not an abbreviation's
    ],
)
def test_an_institutions_abbreviated_last_word_keeps_its_stop(
    publisher: str, expected: str
) -> None:
    _, fields = _entry(
        [
            ("author", "L. Feng,"),
            ("title", '"A note on graph minors,"'),
            ("genre", "Tech. Rep. TR-2004-17,"),
            ("publisher", publisher),
            ("date", "2004."),
        ]
    )
    assert fields["institution"] == expected


@pytest.mark.parametrize(
    ("segments", "entry_type", "printed"),
    [
        # a thesis mark read as the place
        (
            [("location", "Masterarbeit,"), ("publisher", "Universität Musterstadt.")],
            "mastersthesis",
            "Masterarbeit",
        ),
        # APA's bracketed mark read as the start of the publisher
        ([("publisher", "(Diss.). Universität Musterstadt.")], "phdthesis", "Diss."),
    ],
)
def test_a_thesis_mark_read_as_a_place_or_publisher_is_the_genre(
    segments: Segments, entry_type: str, printed: str
) -> None:
    got, fields = _entry(
        [("author", "Roe, K."), ("date", "(2019)."), ("title", "Erfundene Gezeiten."), *segments]
    )
    assert (got, fields["type"]) == (entry_type, printed)
    assert fields["school"] == "Universität Musterstadt"
    assert "address" not in fields


@pytest.mark.parametrize(
    ("title", "editor"),
    [
        ("Erfundene Gezeiten. Hrsg. von Lena Poe.", "Poe, Lena"),
        ("Maree inventate. A cura di Mario Rossi.", "Rossi, Mario"),
        ("Marées inventées. Éd. par L. Poe.", "Poe, L."),
        ("Invented Tides. Edited by Lena Poe and Mia Loe.", "Poe, Lena and Loe, Mia"),
    ],
)
def test_editors_at_the_end_of_a_books_title_are_its_editors(title: str, editor: str) -> None:
    entry_type, fields = _entry(
        [
            ("author", "Roe, Karl:"),
            ("title", title),
            ("location", "Musterstadt:"),
            ("publisher", "Beispielverlag"),
            ("date", "2019."),
        ]
    )
    assert entry_type == "book"
    assert (fields["title"], fields["editor"]) == (title.split(". ", maxsplit=1)[0], editor)


def test_an_ieee_web_pages_site_before_its_access_date_is_the_website() -> None:
    entry_type, fields = _entry(
        [
            ("citation-number", "[10]"),
            ("author", "Example Harbour Authority,"),
            ("title", '"Tide tables,"'),
            ("note", "Example Harbour Authority. Accessed: Mar. 5, 2024."),
            ("medium", "[Online]."),
            ("url", "Available: https://example.org/tides"),
        ]
    )
    assert entry_type == "online"
    assert (fields["organization"], fields["urldate"]) == (
        "Example Harbour Authority",
        "2024-03-05",
    )
    assert "note" not in fields


def test_an_nlm_conference_paper_has_its_conference_and_no_pages_of_its_days() -> None:
    # "Paper presented at: Conference; 2019 Jun 3-5; Place." read as a note, a date and
    # pages "3-5" (a @book of pages 3--5 before).
    entry_type, fields = _entry(
        [
            ("citation-number", "6."),
            ("author", "Roe K, Poe L."),
            ("title", "Invented tides."),
            ("note", "Paper presented at: 12th Invented Conference on Tides;"),
            ("date", "2019 Jun"),
            ("pages", "3-5;"),
            ("location", "Springfield, IL."),
        ]
    )
    assert entry_type == "inproceedings"
    assert fields["booktitle"] == "12th Invented Conference on Tides"
    assert (fields["year"], fields["month"], fields["address"]) == ("2019", "6", "Springfield, IL")
    assert "pages" not in fields


@pytest.mark.parametrize(
    ("title", "author", "rest"),
    [
        (
            "Example Harbour Authority. Tide tables [Internet].",
            "{Example Harbour Authority}",
            "Tide tables",
        ),
        # an organisation and its office, each a sentence
        (
            "Example Department of Tides. Office of Sand. Tide tables [Internet].",
            "{Example Department of Tides. Office of Sand}",
            "Tide tables",
        ),
        # a title's first sentence is no organisation, whatever word it holds
        ("Association between invented tides and sand. A cohort study.", None, None),
    ],
)
def test_an_nlm_group_author_at_the_start_of_the_title_is_the_author(
    title: str, author: str | None, rest: str | None
) -> None:
    _, fields = _entry(
        [
            ("citation-number", "5."),
            ("title", title),
            ("location", "Springfield:"),
            ("publisher", "EHA;"),
            ("date", "2021."),
        ]
    )
    assert fields.get("author") == author
    assert fields["title"] == (rest or title.rstrip("."))


@pytest.mark.parametrize(
    ("segments", "report_type", "number", "institution"),
    [
        # the report read as the title's last sentence
        (
            [("title", "Invented tides. Research Report RR-99-3."), ("publisher", "Example Inst.")],
            "Research Report",
            "RR-99-3",
            "Example Inst.",
        ),
        # ACS: the report after a semicolon
        (
            [("title", "Invented tides; Research Report 6511;"), ("publisher", "Example Inst.")],
            "Research Report",
            "6511",
            "Example Inst.",
        ),
        # the report read as a note of its own
        (
            [("title", "Invented tides."), ("note", "Example Institute Technical Report 99-3.")],
            "Example Institute Technical Report",
            "99-3",
            None,
        ),
        # IEEE: the institution read as a container after the quoted title
        (
            [
                ("title", "“How much does invention help tides?” UC Example,"),
                ("genre", "Tech. Rep. 7,"),
            ],
            "Tech. Rep.",
            "7",
            "UC Example",
        ),
    ],
)
def test_a_report_read_as_title_note_or_container_is_a_techreport(
    segments: Segments, report_type: str, number: str, institution: str | None
) -> None:
    entry_type, fields = _entry([("author", "Roe, K."), ("date", "(1999)."), *segments])
    assert entry_type == "techreport"
    assert (fields["type"], fields["number"]) == (report_type, number)
    assert (fields["title"], fields.get("institution")) == (
        fields["title"].rstrip("."),
        institution,
    )
    assert "howpublished" not in fields and "note" not in fields


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ("pp. A1, A4.", "A1, A4"),  # a newspaper story on two pages (A4 was dropped)
        ("pp. 120-32, 178-186.", "120--132, 178--186"),
        ("119, 936–938.", "936--938"),  # a volume read with the pages: no list
    ],
)
def test_a_list_of_pages_is_kept_whole(pages: str, expected: str) -> None:
    _, fields = _entry(
        [
            ("author", "Roe, K."),
            ("date", "(2016, June 12)."),
            ("title", "Made-up storm floods invented harbour."),
            ("journal", "The Example Times,"),
            ("pages", pages),
        ]
    )
    assert fields["pages"] == expected


def test_an_nlm_day_and_page_after_the_month_leave_no_note() -> None:
    # "2016 Jun 12:A4." read as a date and a volume "12:A4." (the page was also a note)
    _, fields = _entry(
        [
            ("author", "Roe K."),
            ("title", "Made-up storm floods invented harbour."),
            ("journal", "The Example Times."),
            ("date", "2016 Jun"),
            ("volume", "12:A4."),
        ]
    )
    assert fields["pages"] == "A4"
    assert "note" not in fields


def test_a_harvard_newspaper_day_is_no_volume() -> None:
    # "(2016) 'Title', The Example Times, 12 June, p. 4." read 12 as the volume, June a note.
    _, fields = _entry(
        [
            ("author", "Roe, K."),
            ("date", "(2016)"),
            ("title", "'Made-up storm floods invented harbour',"),
            ("journal", "The Example Times,"),
            ("volume", "12"),
            ("date", "June,"),
            ("pages", "p. 4."),
        ]
    )
    assert (fields["year"], fields["month"], fields["pages"]) == ("2016", "6", "4")
    assert "volume" not in fields and "note" not in fields


def test_software_with_its_description_in_a_note_has_its_version_and_publisher() -> None:
    # APA 7 software, the description and the publisher read as one note, the version as
    # the title's end: title "Toolkit (Version 2.1)", note "[Computer software]. Zenodo".
    entry_type, fields = _entry(
        [
            ("author", "Rook, J."),
            ("date", "(2021)."),
            ("title", "Example software toolkit (Version 2.1)"),
            ("note", "[Computer software]. Zenodo."),
            ("url", "https://doi.org/10.5555/zenodo.123"),
        ]
    )
    assert entry_type == "misc"
    assert (fields["title"], fields["publisher"]) == ("Example software toolkit", "Zenodo")
    assert fields["note"] == "Version 2.1; Computer software"


def test_a_theses_publication_number_is_a_note_not_part_of_its_type() -> None:
    # APA 7: "Title (Publication No. 123) [Doctoral dissertation, School]. Database."
    entry_type, fields = _entry(
        [
            ("author", "Roe, K."),
            ("date", "(2019)."),
            ("title", "Invented tides in imaginary bays (Publication No. 12345678)"),
            ("genre", "[Doctoral dissertation,"),
            ("publisher", "Example University]. Example Theses Database."),
        ]
    )
    assert entry_type == "phdthesis"
    assert (fields["type"], fields["school"]) == ("Doctoral dissertation", "Example University")
    assert fields["note"] == "Publication No. 12345678; Example Theses Database"


def test_italian_editors_a_cura_di_before_the_book_are_its_editors() -> None:
    entry_type, fields = _entry(
        [
            ("author", "Roe K.,"),
            ("title", "Maree inventate,"),
            ("container-title", "in L. Poe (a cura di), Oceani immaginari,"),
            ("publisher", "Editore Esempio,"),
            ("location", "Milano"),
            ("date", "2014,"),
            ("pages", "pp. 33-58."),
        ]
    )
    assert entry_type == "incollection"
    assert (fields["editor"], fields["booktitle"]) == ("Poe, L.", "Oceani immaginari")


def test_an_arxiv_preprint_note_does_not_repeat_its_eprint() -> None:
    entry_type, fields = _entry(
        [
            ("author", "Gorse, L."),
            ("date", "(2022)."),
            ("title", "Modelling invented tides."),
            ("note", "arXiv preprint arXiv:2203.01234."),
        ]
    )
    assert entry_type == "misc"
    assert (fields["eprint"], fields["note"]) == ("2203.01234", "arXiv preprint")


def test_an_acs_chapters_container_is_book_editors_series_and_publisher() -> None:
    entry_type, fields = _entry(
        [
            ("author", "Roe, K."),
            ("title", "Tides of the Mind."),
            (
                "container-title",
                "In Imaginary Oceans; Poe, L., Ed.; Example Symposium Series 1234; Example Soc:",
            ),
            ("location", "Washington, DC,"),
            ("date", "2019;"),
            ("pages", "pp 45–67."),
        ]
    )
    assert entry_type == "incollection"
    assert (fields["booktitle"], fields["editor"]) == ("Imaginary Oceans", "Poe, L.")
    assert (fields["series"], fields["volume"]) == ("Example Symposium Series", "1234")
    assert fields["publisher"] == "Example Soc"


def test_translators_at_the_end_of_a_books_title_are_a_note() -> None:
    _, fields = _entry(
        [
            ("author", "Roe, Karl."),
            ("title", "Invented Tides. Translated by Lena Poe."),
            ("edition", "2nd ed."),
            ("location", "Springfield:"),
            ("publisher", "Example Press,"),
            ("date", "2019."),
        ]
    )
    assert (fields["title"], fields["note"]) == ("Invented Tides", "Translated by Lena Poe")


@pytest.mark.parametrize(
    ("segments", "printed", "note"),
    [
        # APA 7 in French: the bracket opens in the title and closes after the school
        (
            [
                ("title", "Marées imaginaires [Thèse de doctorat,"),
                ("publisher", "Université d'Exempleville]. Archive Exemple."),
            ],
            "Thèse de doctorat",
            "Archive Exemple",
        ),
        # APA 6 in Italian: the mark in parentheses at the title's end
        (
            [
                ("title", "Fiumi immaginari (Tesi di dottorato)."),
                ("publisher", "Université d'Exempleville."),
            ],
            "Tesi di dottorato",
            None,
        ),
    ],
)
def test_an_apa_thesis_mark_in_other_languages_is_the_genre(
    segments: Segments, printed: str, note: str | None
) -> None:
    entry_type, fields = _entry([("author", "Colin, D."), ("date", "(2012)."), *segments])
    assert entry_type == "phdthesis"
    assert (fields["type"], fields["school"]) == (printed, "Université d'Exempleville")
    assert fields.get("note") == note
    assert "[" not in fields["title"] and "(" not in fields["title"]


@pytest.mark.parametrize(
    ("genre", "report_type", "number"),
    [
        ("Informe técnico 12,", "Informe técnico", "12"),
        ("Documento de trabajo n° 3,", "Documento de trabajo", "3"),
        ("Document de travail 2019-04,", "Document de travail", "2019-04"),
        ("Arbeitspapier Nr. 7,", "Arbeitspapier", "7"),
    ],
)
def test_a_report_in_other_languages_is_a_techreport(
    genre: str, report_type: str, number: str
) -> None:
    entry_type, fields = _entry(
        [
            ("author", "Roe, K."),
            ("title", "Mareas inventadas."),
            ("genre", genre),
            ("date", "2019."),
        ]
    )
    assert (entry_type, fields["type"], fields["number"]) == ("techreport", report_type, number)


def test_a_film_labelled_as_a_genre_is_misc() -> None:
    # "[Motion picture]." labelled genre (not a note): no book, whoever distributes it
    entry_type, fields = _entry(
        [
            ("author", "Yates, D. (Director)."),
            ("date", "(2009)."),
            ("title", "An invented film"),
            ("genre", "[Motion picture]."),
            ("location", "Springfield:"),
            ("publisher", "Example Pictures."),
        ]
    )
    assert (entry_type, fields["note"]) == ("misc", "Motion picture")


@pytest.mark.parametrize(
    ("printed", "bibtex"),
    [
        ("Yates, D. (Director).", "Yates, D."),
        (
            "Barron, D., Heyman, D. (Producers), & Yates, D. (Director).",
            "Barron, D. and Heyman, D. and Yates, D.",
        ),
        ("Roe, K. (Host).", "Roe, K."),
    ],
)
def test_apa_media_roles_are_no_part_of_the_names(printed: str, bibtex: str) -> None:
    # "Yates, D. (Director)." read as "Yates and (Director, D."
    assert read_people(printed).bibtex() == bibtex
