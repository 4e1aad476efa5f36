"""Reference lists as a journal editor pastes them (issue 15): from Word, from a PDF, from
a web page, numbered every way — each identifier captured exactly, no line lost.

SYNTHETIC DATA: every reference below was made up for these tests (invented authors,
titles and journals; DOIs on Crossref's test prefix 10.5555); none is copied from a real
list or from any training or measuring set.
"""

from __future__ import annotations

import pytest

from citetrack.model import Reference
from citetrack.parse import parse_text
from citetrack.parse.crf.normalise import to_citation
from citetrack.parse.crf.repair import repair


def _refs(text: str) -> list[Reference]:
    return list(parse_text(text, "text").references)


# ------------------------------------------------------------------ a word processor's paste

#: Characters a word processor or a web page hides in copied text: zero-width space, word
#: joiner, a byte order mark inside the text, soft hyphen.  (The zero-width joiner and
#: non-joiner are left alone: Persian and Indic titles need them.)
INVISIBLE = ["\u200b", "\u2060", "\ufeff", "\u00ad"]


@pytest.mark.parametrize("char", INVISIBLE)
def test_an_invisible_character_in_a_pasted_doi_is_not_part_of_it(char: str) -> None:
    text = (
        "1. Quenby T, Ashgrove P. Tidal clocks of an invented harbour. J Imag Coast Res. "
        f"2016;75(1):88-94. https://doi.org/10.5555/jicr.{char}2016.88{char}\n"
        "2. Marlowe D. Salt ghosts. J Imag Coast Res. 2011;18(4):201-9. "
        f"doi:{char}10.5555/jicr.2011.201\n"
    )
    refs = _refs(text)
    assert [r.fields.get("doi") for r in refs] == ["10.5555/jicr.2016.88", "10.5555/jicr.2011.201"]
    assert [r.identifiers.doi for r in refs] == ["10.5555/jicr.2016.88", "10.5555/jicr.2011.201"]


def test_a_soft_hyphen_in_a_pasted_title_is_not_printed() -> None:
    (ref,) = _refs(
        "1. Quenby T. Tidal clocks of an in\u00advented har\u00adbour. J Imag Coast Res. "
        "2016;75(1):88-94.\n"
    )
    assert ref.fields["title"] == "Tidal clocks of an invented harbour"


# ------------------------------------------------------------------ a PDF's wrapped lines


@pytest.mark.parametrize(
    "identifier",
    ["doi:10.5555/jicr.2011.201", "https://doi.org/10.5555/jicr.2011.201", "PMID: 99100002"],
)
def test_the_last_items_identifier_on_a_line_of_its_own_stays_with_it(identifier: str) -> None:
    # A PDF's column wraps the last reference before its DOI: the DOI is that reference's,
    # not an entry of its own (it was "@misc{doi, note = {doi:…}}", and the reference had none).
    text = (
        "1. Quenby T. Tidal clocks of an invented harbour. J Imag Coast Res. 2016;75(1):88-94.\n"
        "doi:10.5555/jicr.2016.88\n"
        "2. Marlowe D. Salt ghosts of a made-up marsh. J Imag Coast Res. 2011;18(4):201-9.\n"
        f"{identifier}\n"
    )
    result = parse_text(text, "text")
    refs = result.references
    assert [r.fields["title"] for r in refs] == [
        "Tidal clocks of an invented harbour",
        "Salt ghosts of a made-up marsh",
    ]
    assert refs[0].identifiers.doi == "10.5555/jicr.2016.88"
    last = refs[1].identifiers
    assert (last.doi or last.pmid) == identifier.rsplit(" ", 1)[-1].removeprefix("doi:").replace(
        "https://doi.org/", ""
    )
    assert not result.problems


# ------------------------------------------------------------------ numbering styles


def test_a_list_numbered_without_punctuation_is_a_numbered_list() -> None:
    # Superscript numbers pasted as plain text, or a list numbered "1 Author…": the
    # number is the list's, not the first author's (it was read into the author list,
    # and the third reference's journal became an author).
    text = (
        "1 Quenby T, Ashgrove P. Tidal clocks of an invented harbour. J Imag Coast Res. "
        "2016;75(1):88-94.\n"
        "2 Müller K, García-López M, O'Brien S. Zinc deficiency and acral dermatitis: a "
        "cohort study. Br J Dermatol. 2020;182(3):601-9. doi:10.5555/bjd.2020.601\n"
        "3 Ostrander K. Lanterns of the lower valley. Fict Hist Q. 1998;3:11-20.\n"
    )
    refs = _refs(text)
    assert [r.fields["author"] for r in refs] == [
        "Quenby, T. and Ashgrove, P.",
        "Müller, K. and García-López, M. and O'Brien, S.",
        "Ostrander, K.",
    ]
    assert [r.fields["journal"] for r in refs] == [
        "J Imag Coast Res",
        "Br J Dermatol",
        "Fict Hist Q",
    ]


def test_superscript_list_numbers_glued_to_the_first_author_are_list_numbers() -> None:
    # Superscript numbers lose their raising in a plain-text paste: "1Quenby T, …".  The
    # first author was "1Quenby T" (check: an author mismatch with the registry).
    text = (
        "1Quenby T, Ashgrove P. Tidal clocks of an invented harbour. J Imag Coast Res. "
        "2016;75(1):88-94. doi:10.5555/jicr.2016.88\n"
        "2Marlowe D, Okafor A. Salt ghosts of a made-up marsh. J Imag Coast Res. "
        "2011;18(4):201-9.\n"
        "3Ostrander K. Lanterns of the lower valley. Fict Hist Q. 1998;3:11-20.\n"
    )
    refs = _refs(text)
    assert [r.fields["author"] for r in refs] == [
        "Quenby, T. and Ashgrove, P.",
        "Marlowe, D. and Okafor, A.",
        "Ostrander, K.",
    ]


@pytest.mark.parametrize("number", ["{}.", "{} -", "{} –"])
def test_list_numbers_without_a_blank_or_with_a_dash_are_list_numbers(number: str) -> None:
    # "1.Quenby T, …" (a lost blank) gave the author "1.Quenby T"; "1 - Quenby T, …" the
    # author "- Quenby".
    refs = _refs(
        "".join(
            number.format(n) + ("" if number == "{}." else " ") + ref + "\n"
            for n, ref in enumerate(
                [
                    "Quenby T, Ashgrove P. Tidal clocks of an invented harbour. J Imag Coast "
                    "Res. 2016;75(1):88-94.",
                    "Marlowe D. Salt ghosts of a made-up marsh. J Imag Coast Res. "
                    "2011;18(4):201-9.",
                    "Ostrander K. Lanterns of the lower valley. Fict Hist Q. 1998;3:11-20.",
                ],
                start=1,
            )
        )
    )
    assert [r.fields["author"] for r in refs] == [
        "Quenby, T. and Ashgrove, P.",
        "Marlowe, D.",
        "Ostrander, K.",
    ]


def test_a_list_sorted_by_year_is_not_numbered_by_its_years() -> None:
    # "2015 Quenby…", "2016 Marlowe…": years, not list numbers 2015 and 2016.
    text = (
        "2015 Quenby T. Tidal clocks of an invented harbour. J Imag Coast Res 75:88-94.\n"
        "2016 Marlowe D. Salt ghosts of a made-up marsh. J Imag Coast Res 18:201-9.\n"
    )
    refs = _refs(text)
    assert [r.fields.get("year") for r in refs] == ["2015", "2016"]


# ------------------------------------------------------------------ the journal is no author


@pytest.mark.parametrize(
    "reference",
    [
        # A Word paste: the title in smart quotes.
        "Müller K, García-López M, O’Brien S. “Zinc deficiency and acral dermatitis: a cohort "
        "study.” Br J Dermatol. 2020;182(3):601–9. doi: 10.5555/bjd.2020.601",
        # A Markdown paste: the journal in bold.
        "Müller K, García-López M, O'Brien S. Zinc deficiency and acral dermatitis: a cohort "
        "study. **Br J Dermatol**. 2020;182(3):601-9. <https://doi.org/10.5555/bjd.2020.601>",
    ],
)
def test_a_journal_after_the_title_is_not_read_as_an_author(reference: str) -> None:
    # The labeller labelled "Br J Dermatol." as an author after the title; joined to the
    # authors, the third author became "Dermatol, O'Brien S. Br J." and check reported an
    # author mismatch with Crossref: a false alarm made by the parse.
    (ref,) = _refs(f"1. {reference}\n")
    assert (
        ref.fields["author"].replace("’", "'") == "Müller, K. and García-López, M. and O'Brien, S."
    )
    assert ref.fields["journal"] == "Br J Dermatol"
    assert ref.fields["title"] == "Zinc deficiency and acral dermatitis: a cohort study"
    assert ref.entry_type == "article"


# ------------------------------------------------------------------ "et al." in other languages


@pytest.mark.parametrize(
    ("reference", "authors"),
    [
        (
            "1. Quintero L, Ortega P, Salas M, y col. Relojes de marea de un puerto inventado. "
            "Rev Imag Cost. 2016;107(2):120-6.",
            "Quintero, L. and Ortega, P. and Salas, M. and others",
        ),
        (
            "1. Quintero L, Ortega P, y cols. Relojes de marea de un puerto inventado. "
            "Rev Imag Cost. 2016;107(2):120-6.",
            "Quintero, L. and Ortega, P. and others",
        ),
        (
            "Quintero, L., Ortega, P., Salas, M. y otros (2016). Relojes de marea de un "
            "puerto inventado. Rev. Imag. Cost., 107(2), 120-126.",
            "Quintero, L. and Ortega, P. and Salas, M. and others",
        ),
        (
            "1. Moreira L, Souza P, e col. Relógios de maré de um porto inventado. "
            "Rev Imag Cost. 2016;107(2):120-6.",
            "Moreira, L. and Souza, P. and others",
        ),
    ],
)
def test_et_al_in_spanish_or_portuguese_is_no_author(reference: str, authors: str) -> None:
    # "y col." (y colaboradores) became an author named "col".
    (ref,) = _refs(reference + "\n")
    assert ref.fields["author"] == authors
    assert ref.fields["year"] == "2016" and ref.fields["volume"] == "107"


# ------------------------------------------------------------------ a web page's source


def test_a_list_pasted_as_html_is_read_without_its_tags() -> None:
    # A list copied from a journal's page source or an HTML e-mail: the tags were read as
    # text — "<ol>" and "</ol>" became entries, "<li>Quenby T" an author, "<em>J Imag
    # Coast Res</em>" the journal.
    text = (
        '<ol class="references">\n'
        "<li>Quenby T, Ashgrove P. Tidal clocks of an invented harbour. <em>J Imag Coast "
        "Res</em>. 2016;75(1):88&ndash;94. doi:10.5555/jicr.2016.88</li>\n"
        '<li id="r2">M&uuml;ller K, O&#39;Hara S. <i>Salt ghosts of a made-up marsh</i>. '
        "<b>J Imag Coast Res</b>. 2011;18(4):201&ndash;9. "
        '<a href="https://doi.org/10.5555/jicr.2011.201">https://doi.org/10.5555/jicr.2011.201</a>'
        "</li>\n"
        "</ol>\n"
    )
    result = parse_text(text, "text")
    refs = result.references
    assert [r.fields["author"] for r in refs] == [
        "Quenby, T. and Ashgrove, P.",
        "Müller, K. and O'Hara, S.",
    ]
    assert [r.fields["journal"] for r in refs] == ["J Imag Coast Res", "J Imag Coast Res"]
    assert [r.fields["title"] for r in refs] == [
        "Tidal clocks of an invented harbour",
        "Salt ghosts of a made-up marsh",
    ]
    assert [r.identifiers.doi for r in refs] == ["10.5555/jicr.2016.88", "10.5555/jicr.2011.201"]
    assert [r.line for r in refs] == [2, 3]
    assert not result.problems


# ------------------------------------------------------------------ chemistry's and Nature's styles


def test_an_abbreviated_journals_first_word_is_not_the_titles_last() -> None:
    # ACS: "… A Cohort Study. Br. J. Dermatol. 2020, …" gave the title "… Study. Br" and
    # the journal "J. Dermatol": check reported a journal mismatch with Crossref.
    (ref,) = _refs(
        "(1) Müller, K.; García-López, M.; O'Brien, S. Zinc Deficiency and Acral Dermatitis: "
        "A Cohort Study. Br. J. Dermatol. 2020, 182 (3), 601–609. DOI: 10.5555/bjd.2020.601.\n"
    )
    assert ref.fields["title"] == "Zinc Deficiency and Acral Dermatitis: A Cohort Study"
    assert ref.fields["journal"] == "Br. J. Dermatol."  # its last abbreviation's stop kept


@pytest.mark.parametrize(
    ("reference", "book"),
    [
        # Nature: a chapter has no title of its own; "in Book (eds …)".
        (
            "1. Quenby, T. & Marlowe, D. in Endocrine Oncology (eds Ashgrove, P. & Ostrander, "
            "K.) 233–250 (Springer, 2019).",
            "Endocrine Oncology",
        ),
        # IEEE: "in Book, I. Editor and I. Editor, Eds."
        (
            '[1] T. Quenby and D. Marlowe, "Tidal clocks," in Coastal Oncology, P. Ashgrove '
            "and K. Ostrander, Eds. Berlin, Germany: Springer, 2019, pp. 233–250.",
            "Coastal Oncology",
        ),
    ],
)
def test_a_chapters_book_is_not_read_as_an_editor(reference: str, book: str) -> None:
    # The book and the authors were read into the editors ("Oncology, Coastal and
    # Ashgrove, P. and …"), and the chapter became a @book without its book.
    (ref,) = _refs(reference + "\n")
    assert ref.entry_type == "incollection"
    assert ref.fields["booktitle"] == book
    assert ref.fields["editor"] == "Ashgrove, P. and Ostrander, K."
    assert ref.fields["author"] == "Quenby, T. and Marlowe, D."
    assert ref.fields["pages"] == "233--250"


# ---------------------------------------------------------- conference papers, chapters, preprints


def test_a_conference_papers_year_is_the_conferences() -> None:
    # NLM: "In: Proceedings of …; 2021 Jun 3-5; Place. p. 45-52." — the paper had no year
    # and the conference's date stayed in the book's title.
    (ref,) = _refs(
        "1. Quenby T, Marlowe D. Tidal clocks of an invented harbour. In: Proceedings of the "
        "International Conference on Imaginary Coasts; 2021 Jun 3-5; Springfield, MA. "
        "p. 45-52. doi:10.5555/icic.2021.45\n"
    )
    assert ref.entry_type == "inproceedings"
    assert ref.fields["booktitle"] == (
        "Proceedings of the International Conference on Imaginary Coasts"
    )
    assert ref.fields["year"] == "2021"


def test_a_german_chapter_with_hrsg_has_its_book_editors_and_publisher() -> None:
    # Springer's German style: "In: Editor K, Editor J (Hrsg) Book. Publisher, Place, S …"
    # was read as one editor list "Thieme, Wagner J. Endokrinologie.".
    (ref,) = _refs(
        "1. Quenby T (2010) Gezeitenuhren. In: Marlowe K, Ashgrove J (Hrsg) Erfundene Häfen. "
        "Thieme, Stuttgart, S 101–110\n"
    )
    assert ref.entry_type == "incollection"
    assert ref.fields["editor"] == "Marlowe, K. and Ashgrove, J."
    assert ref.fields["booktitle"] == "Erfundene Häfen"
    assert ref.fields["publisher"] == "Thieme"
    assert ref.fields["pages"] == "101--110"


def test_a_band_is_a_volume_not_an_edition() -> None:
    (ref,) = _refs(
        "1. Marlowe K (Hrsg.) (2012) Handbuch der erfundenen Häfen, Bd. 3. Springer, Berlin\n"
    )
    assert ref.fields.get("volume") == "3"
    assert "edition" not in ref.fields


def test_nlm_medium_marks_are_not_part_of_a_title_or_journal() -> None:
    # "Title [Internet]." and "arXiv:2101.01234 [Preprint]." (NLM): the mark is the
    # medium, not the title's; an arXiv id is no journal (it is the eprint).
    refs = _refs(
        "1. Imaginary Harbour Authority. Tide tables of the invented coast [Internet]. "
        "Springfield: IHA; 2023 [cited 2024 Jan 5]. Available from: "
        "https://harbour.example.org/tides\n"
        "2. Quenby T, Okafor A. Transformer models of tidal clocks. arXiv:2101.01234 "
        "[Preprint]. 2021 [cited 2024 Jan 5].\n"
    )
    assert refs[0].fields["title"] == "Tide tables of the invented coast"
    assert refs[1].fields["title"] == "Transformer models of tidal clocks"
    assert "journal" not in refs[1].fields
    assert refs[1].fields["eprint"] == "2101.01234"


def test_ieee_access_date_and_arxiv_id_are_read_as_such() -> None:
    # IEEE: "WHO. Accessed: Jan. 5, 2024." stayed in note without urldate, and
    # "arXiv:2101.01234." was read as pages 2101.
    refs = _refs(
        '[1] Imaginary Harbour Authority, "Tide tables." IHA. Accessed: Jan. 5, 2024. '
        "[Online]. Available: https://harbour.example.org/tides\n"
        '[2] T. Quenby and A. Okafor, "Transformer models of tidal clocks," 2021, '
        "arXiv:2101.01234.\n"
    )
    assert refs[0].fields["urldate"] == "2024-01-05"
    assert "Accessed" not in refs[0].fields.get("note", "")
    assert "pages" not in refs[1].fields
    assert refs[1].fields["eprint"] == "2101.01234"


# ------------------------------------------------------------------ a PDF's page headers


def test_a_pdf_pages_running_header_and_footer_are_not_part_of_a_reference() -> None:
    # Copied across a page break, a PDF's list holds the page's running head and foot.
    # They were joined into the reference around them: its journal became the citing
    # journal's, its year 2024, its pages 1-20 — five false mismatches in check.
    text = (
        "REFERENCES\n"
        "1. Quenby T, Ashgrove P. Tidal clocks of an invented harbour. J Imag Coast Res. "
        "2016;75(1):88-94.\n"
        "2. Marlowe D, Okafor A. Salt ghosts of a made-up marsh. J Imag Coast\n"
        "Journal of Synthetic Medicine 12 (2024) 1-20\n"
        "14 Quenby et al.\n"
        "Downloaded from https://academic.example.org/jsm/article/12/1/1 by guest on 5 May 2024\n"
        "Res. 2011;18(4):201-9. doi:10.5555/jicr.2011.201\n"
        "Page 14 of 20\n"
        "3. Ostrander K. Lanterns of the lower valley. Fict Hist Q. 1998;3:11-20.\n"
    )
    result = parse_text(text, "text")
    refs = result.references
    assert [r.fields["journal"] for r in refs] == [
        "J Imag Coast Res",
        "J Imag Coast Res",
        "Fict Hist Q",
    ]
    assert [r.fields["year"] for r in refs] == ["2016", "2011", "1998"]
    assert refs[1].fields["pages"] == "201--209"
    assert refs[1].identifiers.doi == "10.5555/jicr.2011.201"
    assert "note" not in refs[1].fields
    # Nothing dropped without a word: each line of the page's furniture is reported.
    said = {p.line for p in result.problems if "running header" in p.message}
    assert said == {4, 5, 6, 8}


def test_a_wrapped_line_that_ends_a_reference_is_not_taken_for_a_header() -> None:
    # Elsevier's style ends a reference with "Journal Vol (Year) Pages." — with its full
    # stop it is the reference's last line, not the page's running head.
    text = (
        "[1] T. Quenby, P. Ashgrove, Tidal clocks of an invented harbour,\n"
        "Journal of Imaginary Coasts 75 (2016) 88-94.\n"
        "[2] D. Marlowe, Salt ghosts of a made-up marsh, J. Imag. Coast. Res. 18 (2011) 201-209.\n"
    )
    refs = _refs(text)
    assert refs[0].fields["journal"] == "Journal of Imaginary Coasts"
    assert refs[0].fields["pages"] == "88--94"


# ------------------------------------------------------------------ web pages by organisations


def test_harvard_web_page_by_an_organisation() -> None:
    # "Organisation (2023) Title. Available at: URL (Accessed: …)." was read as one title
    # holding the organisation and the year: @misc, "could not recognise".
    (ref,) = _refs(
        "Imaginary Harbour Authority (2023) Tide tables. Available at: "
        "https://harbour.example.org/tides (Accessed: 5 January 2024).\n"
    )
    assert ref.entry_type == "online"
    assert ref.fields["author"] == "{Imaginary Harbour Authority}"
    assert ref.fields["title"] == "Tide tables"
    assert ref.fields["year"] == "2023"
    assert ref.fields["urldate"] == "2024-01-05"
    assert "note" not in ref.fields  # "Available at:" only led in to the URL


def test_mla_web_page_by_an_organisation() -> None:
    # 'Organisation. "Title." Site, date, URL.' gave the title 'Organisation. "Title' and
    # the URL as pages.
    (ref,) = _refs(
        'Imaginary Harbour Authority. "Tides." IHA, 14 Mar. 2023, '
        "harbour.example.org/tides. Accessed 5 Jan. 2024.\n"
    )
    assert ref.fields["author"] == "{Imaginary Harbour Authority}"
    assert ref.fields["title"] == "Tides"
    assert ref.fields["urldate"] == "2024-01-05"
    assert "pages" not in ref.fields
    assert ref.identifiers.url == "http://harbour.example.org/tides"


def test_an_organisation_and_its_year_read_into_the_title_are_the_author_and_date() -> None:
    # Harvard "Organisation (2023) Title." as the labeller may read it: one title.
    labelled = [
        ("title", "World Harbour Organization (2023) Tides."),
        ("note", "Available at:"),
        ("url", "https://harbour.example.org/tides"),
    ]
    assert repair(labelled)[:3] == [
        ("author", "World Harbour Organization"),
        ("date", "(2023)"),
        ("title", "Tides."),
    ]


@pytest.mark.parametrize(
    ("reference", "title", "note"),
    [
        (
            "Marlowe, D., & Okafor, A. (2021, June 3–5). Salt ghosts of a made-up marsh [Paper "
            "presentation]. Imaginary Coasts Conference 2021, Springfield, MA, United States.",
            "Salt ghosts of a made-up marsh",
            "Paper presentation",
        ),
        (
            "Ostrander, K. (2022). Lanterns of the lower valley (Version 2) [Computer software]. "
            "Zenodo. https://doi.org/10.5555/zenodo.1234567",
            "Lanterns of the lower valley",
            "Version 2; Computer software",
        ),
    ],
)
def test_apa_descriptions_in_brackets_are_notes_not_title(
    reference: str, title: str, note: str
) -> None:
    # APA 7 describes a work after its title: "[Paper presentation]", "(Version 2)
    # [Computer software]". In the title, check compared them with the registry's.
    (ref,) = _refs(reference + "\n")
    assert ref.fields["title"] == title
    assert note in ref.fields["note"]


# ------------------------------------------------------------------ a notes list's short notes


def test_a_shortened_note_of_an_earlier_note_is_not_an_entry_of_its_own() -> None:
    # Chicago notes cite a work in full once, then shortened ("Quenby, Tidal Clocks, 92."):
    # each short note became a @misc entry ("doubtful reading") of a work already listed.
    text = (
        "Notes\n\n"
        "1. Tobias Quenby, Tidal Clocks of Invented Harbours (Springfield: Nowhere Press, "
        "2016), 88.\n"
        "2. Quenby, Tidal Clocks, 92.\n"
        '3. Dana Marlowe, "Salt Ghosts of a Made-Up Marsh," Journal of Imaginary Coasts 18, '
        "no. 4 (2011): 205.\n"
        '4. Marlowe, "Salt Ghosts," 207.\n'
        "5. Okafor, Tidal Clocks, 12.\n"
    )
    result = parse_text(text, "text")
    assert [r.line for r in result.references] == [3, 5, 7]  # Okafor wrote no earlier note
    said = {p.line: p.message for p in result.problems}
    assert "shortens the note on line 3" in said[4]
    assert "shortens the note on line 5" in said[6]


def test_a_reference_listed_twice_is_not_taken_for_a_short_note() -> None:
    # "Authority, Title, 2010." twice: a duplicate (check reports it), not a short note —
    # 2010 is its year, not a page.
    line = "Ruritania, Ley de mareas inventadas y protección complementaria, 2010.\n"
    assert len(_refs(line + line)) == 2


# ------------------------------------------------------------------ identifiers in every form


@pytest.mark.parametrize(
    ("printed", "field", "value"),
    [
        # A DOI ending in a bracket of its own keeps it; one in brackets does not.
        ("doi: 10.5555/jicr_def-(1)", "doi", "10.5555/jicr_def-(1)"),
        ("(doi:10.5555/jicr.2016.88).", "doi", "10.5555/jicr.2016.88"),
        # A doi.org link copied with its slash percent-encoded.
        ("https://doi.org/10.5555%2Fjicr.2016.88", "doi", "10.5555/jicr.2016.88"),
        # PubMed's and arXiv's links are their identifiers.
        ("https://pubmed.ncbi.nlm.nih.gov/99100001/", "pmid", "99100001"),
        ("https://www.ncbi.nlm.nih.gov/pubmed/99100001", "pmid", "99100001"),
        ("https://arxiv.org/abs/2101.01234v2", "eprint", "2101.01234v2"),
        ("https://arxiv.org/pdf/2101.01234.pdf", "eprint", "2101.01234"),
    ],
)
def test_an_identifier_is_captured_whatever_form_it_is_printed_in(
    printed: str, field: str, value: str
) -> None:
    (ref,) = _refs(
        "Quenby, T., & Ashgrove, P. (2016). Tidal clocks of an invented harbour. Journal of "
        f"Imaginary Coasts, 75(1), 88–94. {printed}\n"
    )
    assert ref.fields.get(field) == value


def test_harvard_initials_keep_their_last_full_stop() -> None:
    # "Doe, J.A., Roe, B. and Poe, C.D. (2018)": the list's commas cut "J.A." to "J.A",
    # written "Doe, J.A" into the .bib.
    (ref,) = _refs(
        "Quenby, T.A., Ashgrove, P. and Marlowe, D.C. (2016) 'Tidal clocks of an invented "
        "harbour', Journal of Imaginary Coasts, 75(1), pp. 88–94.\n"
    )
    assert ref.fields["author"] == "Quenby, T. A. and Ashgrove, P. and Marlowe, D. C."


# ------------------------------------------------------------------ an e-mail's paragraphs


def test_wrapped_references_with_a_blank_line_after_each_are_read_whole() -> None:
    # An e-mail (or a web page's paragraphs): each reference wrapped, a blank line after
    # it, its DOI on a line of its own.  The lines were not taken for one column's wraps
    # (each paragraph's last line is short), so every DOI became an entry of its own and
    # the wrapped lines were skipped.
    text = (
        "References\n\n"
        "Ashgrove, P., & Quenby, T. (2016). Tidal clocks of an\n"
        "invented harbour. Journal of Imaginary Coasts, 75(1), 88–94.\n"
        "https://doi.org/10.5555/jicr.2016.88\n\n"
        "Marlowe, D., Okafor, A., & van der Berg, K. (2011). Salt\n"
        "ghosts of a made-up marsh: A long title that wraps. Journal\n"
        "of Imaginary Coasts, 18(4), 201–209.\n"
        "https://doi.org/10.5555/jicr.2011.201\n\n"
        "Ostrander, K. (1998). Lanterns of the lower valley.\n"
        "Fictional History Quarterly, 3, 11–20.\n"
        "https://doi.org/10.5555/fhq-1998-3-11\n\n"
        "Quenby, T. (2019). Tidal clocks of invented harbours\n"
        "[Master's thesis, University of Springfield]. Springfield\n"
        "Repository.\n"
    )
    result = parse_text(text, "text")
    refs = result.references
    assert [r.line for r in refs] == [3, 7, 12, 16]
    assert [r.identifiers.doi for r in refs] == [
        "10.5555/jicr.2016.88",
        "10.5555/jicr.2011.201",
        "10.5555/fhq-1998-3-11",
        None,
    ]
    assert refs[2].fields["journal"] == "Fictional History Quarterly"
    assert not result.problems


def test_one_reference_per_line_in_sections_is_not_joined() -> None:
    # Blank lines between sections of one-line references: each line is a reference.
    text = (
        "Ashgrove, P. (2016). Tidal clocks. Journal of Imaginary Coasts, 75(1), 88–94.\n"
        "Marlowe, D. (2011). Salt ghosts. Journal of Imaginary Coasts, 18(4), 201–209.\n\n"
        "Ostrander, K. (1998). Lanterns. Fictional History Quarterly, 3, 11–20.\n"
        "Quenby, T. (2019). Tidal clocks of invented harbours. Nowhere Press.\n\n"
        "Okafor, A. (2020). Tide tables. Nowhere Press.\n"
        "Roe, K. (2021). Harbour lights. Journal of Imaginary Coasts, 20(1), 1–9.\n"
    )
    assert len(_refs(text)) == 6


def test_an_unnumbered_references_doi_on_the_next_line_stays_with_it() -> None:
    # A short list (too few lines to read a column's width) whose DOIs were wrapped onto
    # lines of their own: each DOI became an @misc entry and its reference had none.
    text = (
        "Ashgrove, P., & Quenby, T. (2016). Tidal clocks of an invented harbour. Journal\n"
        "of Imaginary Coasts, 75(1), 88–94.\n"
        "https://doi.org/10.5555/jicr.2016.88\n"
        "Ostrander, K. (1998). Lanterns of the lower valley. Fictional History Quarterly, 3.\n"
        "doi:10.5555/fhq-1998-3-11\n"
    )
    refs = _refs(text)
    assert [r.identifiers.doi for r in refs] == ["10.5555/jicr.2016.88", "10.5555/fhq-1998-3-11"]


def test_a_list_of_dois_one_per_line_stays_a_list() -> None:
    text = "doi:10.5555/jicr.2016.88\ndoi:10.5555/jicr.2011.201\ndoi:10.5555/fhq-1998-3-11\n"
    assert [r.identifiers.doi for r in _refs(text)] == [
        "10.5555/jicr.2016.88",
        "10.5555/jicr.2011.201",
        "10.5555/fhq-1998-3-11",
    ]


# ------------------------------------------------------------------ "———." for the same author


def test_a_dash_for_the_same_author_is_the_author_of_the_entry_before() -> None:
    # Chicago and MLA print "———." (or "---.") for the author(s) of the entry above; it
    # was written as an author named "———", which check compares with the registry's.
    text = (
        'Quenby, Tobias. 2016. "Tidal Clocks of an Invented Harbour." Journal of Imaginary '
        "Coasts 75 (1): 88–94. https://doi.org/10.5555/jicr.2016.88.\n"
        "———. 2019. Tidal Clocks of Invented Harbours. Springfield: Nowhere Press.\n"
        '———, and Dana Marlowe. 2011. "Salt Ghosts of a Made-Up Marsh." Journal of '
        "Imaginary Coasts 18 (4): 201–9.\n"
        '---. "Lanterns of the Lower Valley." Fictional History Quarterly, vol. 3, 1998, '
        "pp. 11–20.\n"
    )
    refs = _refs(text)
    assert [r.fields["author"] for r in refs] == [
        "Quenby, Tobias",
        "Quenby, Tobias",
        "Quenby, Tobias and Marlowe, Dana",
        "Quenby, Tobias and Marlowe, Dana",
    ]


# ------------------------------------------------------------------ NLM books, web pages, reports


def test_nlm_updated_and_cited_dates_are_not_the_year_or_volume() -> None:
    # "2018 [updated 2020 Jan 2; cited 2024 Mar 5]": the year became 2020 and the volume
    # "cited"; the access date was lost.
    (ref,) = _refs(
        "1. Ostrander K. Lanterns of the lower valley [Internet]. Springfield: Nowhere Press; "
        "2018 [updated 2020 Jan 2; cited 2024 Mar 5]. Available from: "
        "https://books.example.org/lanterns\n"
    )
    assert ref.fields["year"] == "2018"
    assert "volume" not in ref.fields
    assert ref.fields["urldate"] == "2024-03-05"
    assert "updated 2020 Jan 2" in ref.fields["note"]


def test_nlm_report_has_its_year_and_is_a_report() -> None:
    # "Place: Publisher; 2023. Report No.: X." gave a @book without a year (publisher
    # "IHA; 2023") and the report number as a second publisher.
    (ref,) = _refs(
        "1. Imaginary Harbour Authority. Annual report 2022. Springfield: IHA; 2023. "
        "Report No.: IHA-2023-1.\n"
    )
    assert ref.entry_type == "techreport"
    assert ref.fields["year"] == "2023"
    assert ref.fields["institution"] == "IHA"
    # The report's number is BibTeX's "number", its type as printed (was: both in note).
    assert (ref.fields["type"], ref.fields["number"]) == ("Report", "IHA-2023-1")


# ------------------------------------------------------------------ AMA


def test_ama_online_first_is_not_part_of_the_journal() -> None:
    # "J Imag Coast Res. Published online March 3, 2020." gave the journal "J Imag Coast
    # Res. Published online" (check: a journal mismatch).
    (ref,) = _refs(
        "1. Quenby T, Ashgrove P. Do tidal clocks keep time? J Imag Coast Res. Published "
        "online March 3, 2020. doi:10.5555/jicr.2020.3\n"
    )
    assert ref.fields["journal"] == "J Imag Coast Res"
    assert ref.fields["year"] == "2020"
    assert "Published online" in ref.fields["note"]


def test_ama_group_author_after_et_al() -> None:
    # "…, Quenby T, et al; Imaginary Harbour Study Group." read the people as one name
    # ("Ostrander K, Roe K. Quenby T.").
    (ref,) = _refs(
        "1. Ostrander K, Roe K, Quenby T, et al; Imaginary Harbour Study Group. Lanterns of "
        "the lower valley. Fict Hist Q. 2019;12(1):11-20.\n"
    )
    assert ref.fields["author"] == (
        "Ostrander, K. and Roe, K. and Quenby, T. and {Imaginary Harbour Study Group} and others"
    )


def test_ama_web_page_updated_date_is_no_journal() -> None:
    (ref,) = _refs(
        "1. Okafor A. Tide tables of the invented coast. Updated May 2, 2023. Accessed June 5, "
        "2024. https://harbour.example.org/tides\n"
    )
    assert "journal" not in ref.fields
    assert ref.entry_type == "online"
    assert (ref.fields["year"], ref.fields["urldate"]) == ("2023", "2024-06-05")


def test_a_doi_link_visited_on_a_date_is_the_url_of_that_date() -> None:
    # Harvard prints the DOI's link with the day it was visited: "Available at:
    # https://doi.org/… (Accessed: 5 January 2024)". The link was dropped (read as the DOI)
    # and the date kept, so check noted a visit without any URL (url-missing) on every
    # such reference.
    (ref,) = _refs(
        "Quenby, T. and Ashgrove, P. (2016) 'Tidal clocks of an invented harbour', Journal "
        "of Imaginary Coasts, 75(1), pp. 88–94. Available at: "
        "https://doi.org/10.5555/jicr.2016.88 (Accessed: 5 January 2024).\n"
    )
    assert ref.fields["doi"] == "10.5555/jicr.2016.88"
    assert ref.fields["url"] == "https://doi.org/10.5555/jicr.2016.88"
    assert ref.fields["urldate"] == "2024-01-05"


def test_an_nlm_citation_date_before_the_urls_lead_in_is_the_access_date() -> None:
    # The labeller may read "[cited 2016 Aug 31]. Available from:" as one note: the date
    # was lost, and with it the DOI link's visit.
    labelled = [
        ("author", "Quenby T."),
        ("title", "Tidal clocks of invented harbours [Internet]."),
        ("location", "Springfield:"),
        ("publisher", "Nowhere Press;"),
        ("date", "2007"),
        ("note", "[cited 2016 Aug 31]. Available from:"),
        ("url", "http://dx.doi.org/10.5555/tcih.ch2"),
    ]
    c = to_citation(labelled, 1, " ".join(t for _, t in labelled))
    assert c.access_date is not None and (c.access_date.year, c.access_date.day) == (2016, 31)
    assert c.url == "http://dx.doi.org/10.5555/tcih.ch2"
    assert not c.notes


# ------------------------------------------------------------------ a whole manuscript pasted


def test_figure_legends_after_the_list_are_not_references() -> None:
    # A manuscript pasted whole: after its numbered list come the figure legends, whose
    # lines hold years — each became an entry ("Figure 1. …" as @misc).
    text = (
        "Tidal clocks revisited\n"
        "Tidal clocks of invented harbours were studied in 2016 (Quenby 2016).\n\n"
        "References\n"
        "1. Quenby T, Ashgrove P. Tidal clocks of an invented harbour. J Imag Coast Res. "
        "2016;75(1):88-94.\n"
        "2. Marlowe D. Salt ghosts of a made-up marsh. J Imag Coast Res. 2011;18(4):201-9.\n\n"
        "Figure legends\n"
        "Figure 1. Tidal clocks of the invented harbour in 2016, measured by Quenby (2016).\n"
        "Table 1. Salt ghosts observed, 2011–2020.\n"
        "Acknowledgements\n"
        "We thank the Imaginary Harbour Authority (2019) for its tide tables.\n"
    )
    result = parse_text(text, "text")
    assert [r.line for r in result.references] == [5, 6]
    assert not result.problems
    # … and said: the lines after the list were taken for the article's text.
    assert result.unread[-1] == (9, 12, 3)


def test_a_page_break_inside_the_last_reference_keeps_it_whole() -> None:
    # The page break fell inside the list's last reference: after the page's furniture,
    # "Q. 1998;3(2):11-20. doi:…" became an entry of its own ("no title found") and the
    # reference lost its numbers and DOI.
    text = (
        "1. Quenby T, Ashgrove P. Tidal clocks of an invented harbour. J Imag Coast Res. "
        "2016;75(1):88-94.\n"
        "2. Ostrander K. Lanterns of the lower valley. Fict Hist\n"
        "Synthetic Journal of Editing 12 (2024) 1-20\n"
        "14 Quenby et al.\n"
        "Q. 1998;3(2):11-20. doi:10.5555/fhq.1998.11\n"
    )
    refs = _refs(text)
    assert len(refs) == 2
    assert refs[1].fields["journal"] == "Fict Hist Q"
    assert refs[1].identifiers.doi == "10.5555/fhq.1998.11"


def test_ieee_thesis_school_abbreviated_univ_keeps_its_name() -> None:
    # IEEE: "Ph.D. dissertation, Univ. Springfield, Springfield, MA, USA, 2017." gave the
    # school "Univ" and the place "Springfield, Springfield, MA, USA".
    (ref,) = _refs(
        '[1] T. Quenby, "Tidal clocks of invented harbours," Ph.D. dissertation, Univ. '
        "Springfield, Springfield, MA, USA, 2017.\n"
    )
    assert ref.entry_type == "phdthesis"
    assert ref.fields["school"] == "Univ. Springfield"
    assert ref.fields["address"] == "Springfield, MA, USA"
