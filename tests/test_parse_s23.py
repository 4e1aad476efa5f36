"""The normaliser's readings of issue 15, session 23: access dates in other languages, a
lone APA thesis line, volume and issue marks, the labeller's segments read into the right
BibTeX fields.

SYNTHETIC DATA: every reference and segment here is made up, in the forms the labeller
cuts them (punctuation kept, as in AnyStyle's labelled strings).  No model is involved
unless a test says so (the lone thesis line is parsed whole: the labeller reads it).
"""

from __future__ import annotations

import pytest

from citetrack.parse import dates, parse_text
from citetrack.parse.build import build_fields
from citetrack.parse.crf.normalise import to_citation
from citetrack.parse.crf.values import read_volume
from citetrack.parse.items import Item
from citetrack.parse.route import parse_item_routed, wiki_style

Segments = list[tuple[str, str]]


def _entry(segments: Segments) -> tuple[str, dict[str, str]]:
    text = " ".join(t for _, t in segments)
    return build_fields(to_citation(segments, 1, text))


# ------------------------------------------------------------ access dates in other languages


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2. März 2024", "2024-03-02"),
        ("3 mars 2024", "2024-03-03"),
        ("1er avril 2024", "2024-04-01"),
        ("5 de marzo de 2024", "2024-03-05"),
        ("5 de março de 2024", "2024-03-05"),
        ("5 mar. 2024", "2024-03-05"),
        ("4 marzo 2024", "2024-03-04"),
        ("3 maart 2024", "2024-03-03"),
        ("3 déc. 2020", "2020-12-03"),
        ("avril 9, 2019", "2019-04-09"),
        ("12-Oct-2021", "2021-10-12"),
        ("02.03.2024", "2024-03-02"),  # day first: the full stops are Europe's
        ("2 Juli 2020, 14:32", "2020-07-02"),
    ],
)
def test_a_cued_date_in_other_languages(text: str, iso: str) -> None:
    found = dates.find_cued_date(text)
    assert found is not None and found.iso() == iso


@pytest.mark.parametrize("text", ["Mars 2020", "31.02.2024", "Mai 68", "12/03/2024"])
def test_no_cued_date(text: str) -> None:
    """No day (a month and a year are no access date), an impossible day, and slashes
    (month first in the United States, day first elsewhere) are not read."""
    found = dates.find_cued_date(text)
    assert found is None or found.day is None


def test_other_languages_months_are_never_read_without_a_cue() -> None:
    """ "Mars" is the planet and "Mai" may be a name: only an access cue makes them months."""
    assert dates.parse_date("3 mars 2024") is None
    assert dates.find_full_date("Le 3 mars 2024 à Paris") is None


_WEB = [
    ("author", "Muster, M."),
    ("date", "(2020)."),
    ("title", "Gezeiten im Watt."),
    ("url", "https://example.org/watt"),
]


@pytest.mark.parametrize(
    ("note", "iso"),
    [
        ("abgerufen am 2. März 2024", "2024-03-02"),
        ("(zuletzt geprüft am 02.03.2024).", "2024-03-02"),
        ("Zugriff am 7. Mai 2023.", "2023-05-07"),
        ("(consulté le 3 mars 2024)", "2024-03-03"),
        ("consultado el 5 de marzo de 2024.", "2024-03-05"),
        ("Acesso em: 5 mar. 2024.", "2024-03-05"),
        ("consultato il 4 marzo 2024.", "2024-03-04"),
        ("geraadpleegd op 3 maart 2024.", "2024-03-03"),
    ],
)
def test_an_access_date_in_other_languages_is_the_urldate(note: str, iso: str) -> None:
    """They stayed notes, and the link check had no day to look for an archived copy of."""
    _, fields = _entry([*_WEB, ("note", note)])
    assert fields.get("urldate") == iso
    assert "note" not in fields


def test_spanish_apas_recuperado_el_leads_in_to_the_url() -> None:
    _, fields = _entry(
        [
            ("author", "García, J."),
            ("date", "(2020)."),
            ("title", "Las mareas del norte."),
            ("note", "Recuperado el 5 de marzo de 2024, de"),
            ("url", "https://example.org/mareas"),
        ]
    )
    assert (fields.get("urldate"), fields.get("note")) == ("2024-03-05", None)


def test_an_access_date_inside_the_urls_segment_is_read() -> None:
    """The labeller leaves an access date whose cue it does not know in the URL's segment:
    it was dropped with the segment's text."""
    _, fields = _entry([*_WEB[:3], ("url", "https://example.org/watt (consulté le 3 mars 2024).")])
    assert (fields["url"], fields.get("urldate")) == ("https://example.org/watt", "2024-03-03")


def test_a_month_in_a_note_without_a_cue_stays_a_note() -> None:
    _, fields = _entry([*_WEB, ("note", "Mars 2020 im Überblick.")])
    assert "urldate" not in fields
    assert fields["note"] == "Mars 2020 im Überblick"


def test_a_url_lead_in_in_another_language_is_no_note() -> None:
    _, fields = _entry([*_WEB[:3], ("genre", "Online verfügbar unter"), _WEB[3]])
    assert "note" not in fields


# ------------------------------------------------------------ a lone APA thesis line


def test_a_lone_apa_thesis_line_goes_to_the_labeller_with_its_schools_place() -> None:
    """APA prints the degree mark as CS1 does (``(Master's thesis)``), which sent the line
    to the Wikipedia rules: the school's place stayed in the school."""
    text = (
        "Doe, J. (2019). Title of a made-up thesis (Master's thesis). University of X, Springfield."
    )
    _, path = parse_item_routed(Item(1, text, text))
    assert path == "crf"
    ref = next(iter(parse_text(text, "text").references))
    assert ref.entry_type == "mastersthesis"
    assert (ref.fields["school"], ref.fields.get("address")) == ("University of X", "Springfield")


def test_several_apa_authors_before_a_degree_mark() -> None:
    text = (
        "Doe, J. A., Roe, B., & Poe, C. (2018). Tides of an invented bay (Doctoral "
        "dissertation). Northfield University, Northfield."
    )
    assert not wiki_style(Item(1, text, text))


@pytest.mark.parametrize(
    "text",
    [
        # CS1's thesis: full names, or MEDLINE's initials without a comma
        "Fielding, Roy (2000). Architectural Styles (PhD). University of California, Irvine.",
        "Doe J (2001). Title (PhD thesis). University of X.",
        # APA's authors, but another Wikipedia sign
        "Doe, J. (2019). Title of a thesis (PhD thesis). University of X. hdl:1234/5678.",
        # APA's authors with a type mark that is no degree
        "Doe, J. (2019). A made-up review (Review). Example Press.",
    ],
)
def test_wikipedias_theses_and_other_type_marks_stay_with_the_rules(text: str) -> None:
    assert wiki_style(Item(1, text, text))


# ------------------------------------------------------------ volume and issue marks


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        # a mark is a whole word: "Volume" was read as "Vol" + "ume", "Number" as "N" + "umber"
        ("Volume 53,", ("53", None)),
        ("Volume 6, Issue 2", ("6", "2")),
        ("16, Number 1", ("16", "1")),
        ("Tome 26, numéro 4,", ("26", "4")),
        ("Volume 13, Nomor 1,", ("13", "1")),
        ("vol. XXXI, nº 2,", ("XXXI", "2")),
        ("Vol 3, Nos. 3&4", ("3", "3&4")),
        ("vols I-V,", ("I-V", None)),
        # a word that starts like a mark is no mark: "Sciences humaines" is no "H." issue
        ("Sciences humaines, no 91", (None, "91")),
        ("1er trimestre,", (None, None)),
        # a date in brackets is no issue
        ("Vol. 53, No. 2 (Apr):", ("53", "2")),
        ("75(December):", ("75", None)),
        ("52 (2000 Autumn),", ("52", None)),
        ("Vol. 12(7):", ("12", "7")),
        ("12 (no. 3)", ("12", "3")),
        # MLA's volume.issue; German's volume before its mark; Korean, Chinese
        ("85.2", ("85", "2")),
        ("19. Jg. H. 3,", ("19", "3")),
        ("제24권 제10호,", ("24", "10")),
        ("第12卷第3期", ("12", "3")),
        # a count of volumes is none of them; a year before the volume is no volume
        ("2 vols.", (None, None)),
        ("10 vols., vol. ii", ("ii", None)),
        ("2010, 213:", ("213", None)),
        ("No. R-114.", (None, "R-114")),
    ],
)
def test_volume_and_issue_marks(printed: str, expected: tuple[str | None, str | None]) -> None:
    assert read_volume(printed) == expected


_ARTICLE = [
    ("author", "Doe, J."),
    ("date", "(1964)."),
    ("title", "A made-up title."),
    ("journal", "Journal of Inventions,"),
]


def test_a_month_in_the_volumes_brackets_is_the_dates() -> None:
    _, fields = _entry([*_ARTICLE, ("volume", "53 (April):"), ("pages", "1-9.")])
    assert (fields["volume"], fields.get("number"), fields["month"]) == ("53", None, "4")
    assert "note" not in fields


def test_a_count_of_volumes_is_a_note() -> None:
    _, fields = _entry(
        [
            ("author", "Doe, J."),
            ("title", "Collected works,"),
            ("volume", "2 vols."),
            ("location", "Springfield:"),
            ("publisher", "Example Press,"),
            ("date", "1990."),
        ]
    )
    assert "volume" not in fields
    assert fields["note"] == "2 vols"


def test_a_volume_and_its_pages_joined_by_a_full_stop() -> None:
    _, fields = _entry([*_ARTICLE, ("volume", "22.55-109.")])
    assert (fields["volume"], fields["pages"]) == ("22", "55--109")


# ------------------------------------------------------------ a chapter's editors and book


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("editor", "In: Poe L. (ed.). Collected harbours of nowhere."),
        ("editor", "In: Lena Poe et al. (Hgg.): Festschrift für niemanden."),
        ("note", "In: Poe L, Loe B, eds. Collected harbours of nowhere."),
    ],
)
def test_a_chapters_book_after_its_editors_role_mark(label: str, text: str) -> None:
    """The book after the editors' role mark and its stop was read as part of the editors
    (or of a note): the chapter became a book, its editors lost their book."""
    entry_type, fields = _entry(
        [
            ("author", "Doe J."),
            ("date", "1987."),
            ("title", "A made-up chapter."),
            (label, text),
            ("location", "Springfield:"),
            ("publisher", "Example Press;"),
            ("pages", "37-58."),
        ]
    )
    assert entry_type == "incollection"
    assert fields["booktitle"].startswith(("Collected harbours", "Festschrift"))
    assert fields["editor"].startswith("Poe, L") or fields["editor"].startswith("Poe, Lena")
    assert fields["publisher"] == "Example Press"


# ------------------------------------------------------------ an imprint in one segment


@pytest.mark.parametrize(
    ("label", "text", "address", "publisher"),
    [
        ("publisher", "Springfield, IL: Example Press.", "Springfield, IL", "Example Press"),
        ("publisher", "Frankfurt am Main: Beispielverlag,", "Frankfurt am Main", "Beispielverlag"),
        ("location", "Springfield, IL: Quill.", "Springfield, IL", "Quill"),
        # ACS: the publisher first, the side with a publisher's word
        (
            "publisher",
            "Invented Chemical Society: Springfield, IL,",
            "Springfield, IL",
            "Invented Chemical Society",
        ),
        ("location", "Quill Books: Northfield.", "Northfield", "Quill Books"),
    ],
)
def test_an_imprint_read_as_one_segment_is_place_and_publisher(
    label: str, text: str, address: str, publisher: str
) -> None:
    _, fields = _entry(
        [("author", "Doe, J."), ("date", "(2001)."), ("title", "A made-up book."), (label, text)]
    )
    assert (fields.get("address"), fields.get("publisher")) == (address, publisher)


@pytest.mark.parametrize(
    "text",
    [
        "Prepared for: Invented Harbour Office.",  # a lead-in, not a place
        "Invented Journal 36: 12-15.",  # numbers: no imprint
        "Available at: https://example.org/x",
        "Example Press: Quill Books.",  # two publishers
    ],
)
def test_no_imprint_split(text: str) -> None:
    _, fields = _entry(
        [
            ("author", "Doe, J."),
            ("date", "(2001)."),
            ("title", "A made-up book."),
            ("publisher", text),
        ]
    )
    assert "address" not in fields


@pytest.mark.parametrize(
    ("text", "address", "publisher"),
    [
        ("Example Press, Springfield.", "Springfield", "Example Press"),
        ("Quill Publishers, Inc., Northfield, IL.", "Northfield, IL", "Quill Publishers, Inc."),
        ("Invented Harbour Authority, Port Nowhere.", "Port Nowhere", "Invented Harbour Authority"),
        # a publisher's name with a comma, an acronym, a lead-in: no place after it
        ("Quill, Straus and Feather.", None, "Quill, Straus and Feather"),
        ("Université Inventée, MSH.", None, "Université Inventée, MSH"),
        (
            "Report prepared for the Invented Harbour Office, Pacific Division, Nowhere.",
            None,
            "Report prepared for the Invented Harbour Office, Pacific Division, Nowhere",
        ),
    ],
)
def test_a_publisher_before_its_place_in_one_segment(
    text: str, address: str | None, publisher: str
) -> None:
    _, fields = _entry(
        [
            ("author", "Doe, J."),
            ("date", "(2001)."),
            ("title", "A made-up book."),
            ("publisher", text),
        ]
    )
    assert (fields.get("address"), fields.get("publisher")) == (address, publisher)


# ------------------------------------------------------------ editors read as authors


@pytest.mark.parametrize(
    "authors",
    [
        "Poe, Lena (Hgg.):",
        "Poe, Lena (Herausgeberin):",
        "Poe, Lena, Hrsg.",
        "Poe, Lena & Quill Roe Hrsg.",
        "Poe, Lena (éd.).",
        "Poe, Lena & Roe, Quill (edt)",
        "Dir. L. Poe,",
    ],
)
def test_editors_by_their_role_mark_in_other_languages(authors: str) -> None:
    """Only ``(Eds.)``, ``(Hrsg.)``, ``(dir.)`` and ``, eds.`` made an author list the
    editors: a book's editors were its authors, with the mark in a name."""
    _, fields = _entry(
        [
            ("author", authors),
            ("date", "(2015)."),
            ("title", "Ein erfundenes Buch."),
            ("location", "Springfield:"),
            ("publisher", "Example Press."),
        ]
    )
    assert "author" not in fields
    assert fields["editor"].startswith("Poe, L")
    assert "(" not in fields["editor"] and "Hrsg" not in fields["editor"]


def test_apas_editors_mark_after_the_date() -> None:
    _, fields = _entry(
        [
            ("author", "Roe, R. E., and Poe, C. K."),
            ("date", "(2013)"),
            ("title", "(Eds.), A made-up handbook,"),
            ("location", "Springfield, IL:"),
            ("publisher", "Example Press."),
        ]
    )
    assert (fields.get("author"), fields["editor"]) == (None, "Roe, R. E. and Poe, C. K.")
    assert fields["title"] == "A made-up handbook"


# ------------------------------------------------------------ an edition at a title's end


@pytest.mark.parametrize(
    ("label", "text", "edition"),
    [
        ("title", "A made-up handbook (Fifth Edition).", "Fifth"),
        ("title", "Une histoire inventée, nouvelle édition,", "nouvelle"),
        (
            "title",
            "Ein erfundenes Handbuch. 3., erweiterte und überarbeitete Auflage.",
            "3., erweiterte und überarbeitete",
        ),
        ("publisher", "Example Press. 3e édition.", "3e"),
    ],
)
def test_an_edition_at_the_end_of_a_title_or_publisher(label: str, text: str, edition: str) -> None:
    segments = [
        ("author", "Doe, J."),
        ("date", "(2014)."),
        ("title", "A made-up handbook."),
        ("location", "Springfield:"),
        ("publisher", "Example Press."),
    ]
    segments = [(lab, text if lab == label else t) for lab, t in segments]
    _, fields = _entry(segments)
    assert fields["edition"] == edition
    assert "dition" not in fields["title"] and "Auflage" not in fields["title"]
    assert fields["publisher"] == "Example Press"


def test_a_title_about_editions_keeps_its_words() -> None:
    _, fields = _entry(
        [
            ("author", "Doe, J."),
            ("date", "(2014)."),
            ("title", "On second editions."),
            ("publisher", "Example Press."),
        ]
    )
    assert (fields["title"], fields.get("edition")) == ("On second editions", None)


# ------------------------------------------------------------ a volume after a journal's name


@pytest.mark.parametrize(
    ("journal", "name", "volume"),
    [
        ("Journal of Inventions 36,", "Journal of Inventions", "36"),
        ("Inv. Geol. J. 16,", "Inv. Geol. J.", "16"),
        ("Review of Inventions, LXV,", "Review of Inventions", "LXV"),
        ("Annals of Nowhere 55-56,", "Annals of Nowhere", "55-56"),
        # a year, a report's number, a conference's edition: no volume
        ("Proceedings of Nowhere 2019,", "Proceedings of Nowhere 2019", None),
        ("Invented Survey Report 35,", "Invented Survey Report 35", None),
        ("Invented Science Conference XXXIX,", "Invented Science Conference XXXIX", None),
    ],
)
def test_a_volume_printed_after_the_journals_name(
    journal: str, name: str, volume: str | None
) -> None:
    _, fields = _entry([*_ARTICLE[:3], ("journal", journal), ("pages", "pp. 1-9.")])
    container = fields.get("journal") or fields.get("booktitle")
    assert (container, fields.get("volume")) == (name, volume)


def test_a_bare_issue_mark_after_the_journals_name() -> None:
    _, fields = _entry([*_ARTICLE[:3], ("journal", "Revue inventée n°"), ("volume", "352 (2):")])
    assert (fields["journal"], fields["volume"], fields["number"]) == ("Revue inventée", "352", "2")


def test_a_journal_with_its_volume_and_pages_is_a_citation() -> None:
    """A journal, its volume and its pages are a citation's structure: the labeller's
    reading was thrown away (a @misc with the text as a note) for want of a title or a
    year."""
    text = "Journal of Invented Studies 12(3): 45-67."
    labels = [("journal", "Journal of Invented Studies"), ("volume", "12(3):"), ("pages", "45-67.")]
    citations, path = parse_item_routed(Item(1, text, text), labels=labels)
    entry_type, fields = build_fields(citations[0])
    assert (path, entry_type) == ("crf", "article")
    assert (fields["journal"], fields["volume"], fields["pages"]) == (
        "Journal of Invented Studies",
        "12",
        "45--67",
    )


def test_a_line_of_prose_is_still_no_citation() -> None:
    text = "See the notes below for more."
    citations, _ = parse_item_routed(Item(1, text, text), labels=[("title", text)])
    assert citations[0].kind == "misc"


def test_a_journal_read_as_the_publisher_before_volume_issue_and_pages() -> None:
    entry_type, fields = _entry(
        [
            *_ARTICLE[:3],
            ("publisher", "Revue inventée, Example Press,"),
            ("volume", "50(2),"),
            ("pages", "pp. 137-146."),
        ]
    )
    assert entry_type == "article"
    assert (fields["journal"], fields.get("publisher")) == ("Revue inventée, Example Press", None)


def test_a_book_with_a_volume_and_pages_keeps_its_publisher() -> None:
    _, fields = _entry(
        [
            *_ARTICLE[:3],
            ("publisher", "Example Press,"),
            ("volume", "Vol. 2,"),
            ("pages", "pp. 12-30."),
        ]
    )
    assert fields["publisher"] == "Example Press"
    assert "journal" not in fields
