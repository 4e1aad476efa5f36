"""Reference lists in styles other than Wikipedia's (issue 15), read by the trained labeller.

SYNTHETIC DATA: every reference below was made up for these tests (invented authors,
titles and journals); none is copied from a real list or from the training data.
Each test is one failure of the rule-only parser listed in the issue.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from citetrack.model import Reference
from citetrack.parse import parse_text
from citetrack.parse.crf.labeller import model_path
from citetrack.parse.crf.normalise import to_citation
from citetrack.parse.items import find_items


def _refs(text: str) -> list[Reference]:
    return list(parse_text(text, "text").references)


def _one(text: str) -> Reference:
    refs = _refs(text)
    assert len(refs) == 1, refs
    return refs[0]


def _families(ref: Reference) -> list[str]:
    return [n.split(",")[0].strip() for n in ref.fields.get("author", "").split(" and ")]


# ------------------------------------------------------------------ list numbers


@pytest.mark.parametrize("number", ["[3]", "11.", "96.", "(4)", "7)"])
def test_list_number_is_not_a_volume(number: str) -> None:
    ref = _one(
        f"{number} Quillfeather AB, Marchetti D. Salt marsh ghosts in an invented estuary. "
        "J Imag Coast Res. 2011;18(4):201-9."
    )
    assert ref.entry_type == "article"
    assert _families(ref) == ["Quillfeather", "Marchetti"]
    assert ref.fields["title"] == "Salt marsh ghosts in an invented estuary"
    assert (ref.fields["year"], ref.fields["volume"], ref.fields["number"]) == ("2011", "18", "4")
    assert ref.fields["pages"] == "201--209"


def test_numbered_list_from_its_middle_keeps_every_item() -> None:
    text = (
        "96. Ostrander K. Lanterns of the lower valley. Fict Hist Q. 1998;3:11-20.\n"
        "97. Bellweather T, Yu S. Cheese caves of a made-up canton. Alp Imag. 2003;41(2):5-9.\n"
        "98. Ravensworth P. A grammar of whistled numbers. Oxford: Nowhere Press; 1987.\n"
    )
    items, skipped = find_items(text)
    assert [i.line for i in items] == [1, 2, 3] and not skipped
    refs = _refs(text)
    assert [r.fields.get("year") for r in refs] == ["1998", "2003", "1987"]
    assert refs[1].fields["volume"] == "41"
    assert refs[2].entry_type == "book"


# ------------------------------------------------------------------ Vancouver / NLM


def test_last_author_with_one_initial_and_nlm_without_full_stop() -> None:
    ref = _one(
        "Holloway JR, Pennant K. Moss clocks on imaginary islands. Ann Fict Bot 2009;12:44-51"
    )
    assert ref.entry_type == "article"  # not @book
    assert ref.fields["author"] == "Holloway, J. R. and Pennant, K."
    assert ref.fields["journal"] == "Ann Fict Bot"
    assert (ref.fields["year"], ref.fields["volume"], ref.fields["pages"]) == (
        "2009",
        "12",
        "44--51",
    )


def test_single_author_is_an_author_not_the_title() -> None:
    ref = _one("Tamberlane V. Echoes from a paper lighthouse. Imag Acoust. 2015;7(1):1-12.")
    assert ref.fields["author"] == "Tamberlane, V."
    assert ref.fields["title"] == "Echoes from a paper lighthouse"


# ------------------------------------------------------------------ APA / Harvard


def test_apa_authors_journal_volume_issue_pages() -> None:
    ref = _one(
        "Grisewood, H., & Okonkwo-Bell, A. (2010). Counting invisible herons. "
        "Journal of Pretend Ornithology, 12(3), 45-67."
    )
    assert ref.entry_type == "article"
    assert ref.fields["author"] == "Grisewood, H. and Okonkwo-Bell, A."
    assert ref.fields["journal"] == "Journal of Pretend Ornithology"
    assert (ref.fields["volume"], ref.fields["number"], ref.fields["pages"]) == (
        "12",
        "3",
        "45--67",
    )
    assert "publisher" not in ref.fields and "organization" not in ref.fields


def test_apa_book_with_place_and_publisher() -> None:
    ref = _one("Fairweather, L. M. (2004). The quiet atlas of nowhere. Springfield: Example Press.")
    assert ref.entry_type == "book"
    assert ref.fields["author"] == "Fairweather, L. M."
    assert ref.fields["publisher"] == "Example Press"
    assert ref.fields["address"] == "Springfield"


# ------------------------------------------------------------------ name-first (IEEE, ACM)


def test_name_first_authors_are_not_the_title() -> None:
    ref = _one(
        "R. Quenneville and S. Abernathy-Lee. Folding paper bridges in theory. "
        "Imaginary Structures, 4(2):1-9, 1978."
    )
    assert ref.fields["author"] == "Quenneville, R. and Abernathy-Lee, S."
    assert ref.fields["title"] == "Folding paper bridges in theory"
    assert ref.fields["journal"] == "Imaginary Structures"
    assert (ref.fields["year"], ref.fields["volume"], ref.fields["pages"]) == ("1978", "4", "1--9")


def test_conference_paper_with_pages_and_year_at_the_end() -> None:
    ref = _one(
        "D. Whitcombe. Learning to forget on purpose. In Proceedings of the Imaginary "
        "Workshop on Forgetting, pages 15-26, May 1993."
    )
    assert ref.entry_type == "inproceedings"
    assert ref.fields["booktitle"] == "Proceedings of the Imaginary Workshop on Forgetting"
    assert (ref.fields["pages"], ref.fields["year"], ref.fields["month"]) == ("15--26", "1993", "5")


# ------------------------------------------------------------------ Chicago


def test_chicago_volume_number_season() -> None:
    ref = _one(
        'Larkspur, Imogen. "Rivers That Run Uphill." Imaginary Review 93, no. 4 '
        "(Fall 2011): 581–598."
    )
    assert ref.entry_type == "article"
    assert ref.fields["title"] == "Rivers That Run Uphill"
    assert ref.fields["journal"] == "Imaginary Review"
    assert (ref.fields["volume"], ref.fields["number"], ref.fields["year"]) == ("93", "4", "2011")
    assert ref.fields["pages"] == "581--598"


def test_volume_after_the_journal_name() -> None:
    ref = _one(
        "Marrow, T. 2001. Imagined ecology of glass beetles. "
        "Trends in Pretend Evolution 16: 491-497."
    )
    assert ref.fields["journal"] == "Trends in Pretend Evolution"
    assert (ref.fields["volume"], ref.fields["pages"], ref.fields["year"]) == (
        "16",
        "491--497",
        "2001",
    )


def test_place_publisher_year_at_the_end() -> None:
    ref = _one("Ashdown, Corin. The Book of Pretend Rivers. Springfield: Example Press, 1962.")
    assert ref.entry_type == "book"
    assert (ref.fields["publisher"], ref.fields["address"], ref.fields["year"]) == (
        "Example Press",
        "Springfield",
        "1962",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Whitlow, Bram. The grammar of imaginary tides. Harbour Studies 7 (1962).",
            {"journal": "Harbour Studies", "volume": "7", "year": "1962"},
        ),
        (
            "Tamberlane, V. Echoes from a lighthouse. Imaginary Acoustics 3: 12-19, May 1993.",
            {"volume": "3", "pages": "12--19", "year": "1993", "month": "5"},
        ),
    ],
)
def test_year_only_at_the_end(text: str, expected: dict[str, str]) -> None:
    ref = _one(text)
    assert ref.entry_type == "article"
    assert {k: ref.fields.get(k) for k in expected} == expected


# ------------------------------------------------------------------ entry types


@pytest.mark.parametrize(
    ("text", "entry_type"),
    [
        (
            "Penhallow, R. (2019). Tidal memory in invented harbours (Doctoral dissertation). "
            "University of Nowhere, Springfield.",
            "phdthesis",
        ),
        (
            "Quist, A. (2012). Salt roads of a fictional coast. Master's thesis, "
            "Example University.",
            "mastersthesis",
        ),
        (
            "Vance, O., & Lim, P. (2008). Load tests of paper bridges (Technical Report "
            "TR-08-17). Imaginary Institute of Technology.",
            "techreport",
        ),
        # APA's report number in parentheses after the title (it read as a book)
        (
            "Arden, T. (2019). Invented survey of imaginary rivers (Report No. 42). "
            "Fictional Agency. https://example.org/report42",
            "techreport",
        ),
        (
            "Bexley, K. (2002). Made-up guidance on invented diets (FHI Publication No. "
            "02-1234). Fictional Health Institute.",
            "techreport",
        ),
        (
            "Dunmore, E. (2001). Mapping the unmapped. In K. Farrow (Ed.), Atlases of Nowhere "
            "(pp. 33-58). Springfield: Example Press.",
            "incollection",
        ),
    ],
)
def test_entry_type_follows_the_content(text: str, entry_type: str) -> None:
    ref = _one(text)
    assert ref.entry_type == entry_type
    assert "(" not in ref.fields["title"]  # a report's number is no part of its title


# ------------------------------------------------------------------ nothing dropped


def test_unnumbered_lines_before_a_numbered_third_line_are_kept() -> None:
    """The issue's silent drop: a file whose third line starts with "1."."""
    text = (
        "Grisewood, H. (2010). Counting invisible herons. Pretend Ornithology, 12(3), 45-67.\n"
        "Tamberlane V. Echoes from a paper lighthouse. Imag Acoust. 2015;7(1):1-12.\n"
        "1. Holloway JR, Pennant K. Moss clocks on imaginary islands. Ann Fict Bot 2009;12:44-51\n"
        "2. Ostrander K. Lanterns of the lower valley. Fict Hist Q. 1998;3:11-20.\n"
    )
    refs = _refs(text)
    assert [r.line for r in refs] == [1, 2, 3, 4]
    assert [r.fields.get("year") for r in refs] == ["2010", "2015", "2009", "1998"]


def test_a_line_inside_a_list_that_is_not_read_is_reported() -> None:
    text = (
        "1. Ostrander K. Lanterns of the lower valley. Fict Hist Q. 1998;3:11-20.\n"
        "\n"
        "see the printed errata\n"
        "\n"
        "2. Bellweather T. Cheese caves of a made-up canton. Alp Imag. 2003;41(2):5-9.\n"
    )
    result = parse_text(text, "text")
    assert [r.line for r in result.references] == [1, 5]
    assert [(p.line, "not read as a reference" in p.message) for p in result.problems] == [
        (3, True)
    ]


def test_every_line_of_a_plain_list_becomes_an_entry() -> None:
    lines = [
        "Grisewood, H. (2010). Counting invisible herons. Pretend Ornithology, 12(3), 45-67.",
        "R. Quenneville. Folding paper bridges. Imaginary Structures, 4(2):1-9, 1978.",
        "Ashdown, Corin. The Book of Pretend Rivers. Springfield: Example Press, 1962.",
        "an unreadable fragment",
    ]
    refs = _refs("\n".join(lines))
    assert [r.line for r in refs] == [1, 2, 3, 4]


def test_a_line_of_prose_is_kept_as_misc_and_reported() -> None:
    result = parse_text("A sentence of prose that no reader would call a reference\n", "text")
    (ref,) = result.references
    assert ref.entry_type == "misc" and "title" not in ref.fields
    assert ref.fields["note"].startswith("A sentence of prose")
    assert ["could not recognise" in p.message for p in result.problems] == [True]


def test_cli_parse_writes_every_reference(tmp_path: pytest.TempPathFactory) -> None:
    source = tmp_path / "refs.txt"  # type: ignore[operator]
    source.write_text(
        "Grisewood, H. (2010). Counting invisible herons. Pretend Ornithology, 12(3), 45-67.\n"
        "Tamberlane V. Echoes from a paper lighthouse. Imag Acoust. 2015;7(1):1-12.\n"
        "1. Ostrander K. Lanterns of the lower valley. Fict Hist Q. 1998;3:11-20.\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "citetrack", "parse", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("@article{") == 3


# ------------------------------------------------------------------ the model


def test_model_ships_small_with_its_licence() -> None:
    path = model_path()
    assert path.is_file()
    assert path.stat().st_size < 10_000_000
    licence = path.parent / "LICENSE.anystyle"
    assert "Sylvester Keil" in licence.read_text(encoding="utf-8")


def test_the_cli_does_not_load_the_labeller_at_import() -> None:
    code = "import sys, citetrack.cli; print('pycrfsuite' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# ------------------------------------------------------------------ NLM structure (follow-up)
# SYNTHETIC: made-up authors, titles and journals, in the printed NLM/Vancouver form the
# labeller misread (a lone author with one initial swallowing title and journal; the last
# author swallowing the journal).


def test_nlm_lone_author_with_one_initial_keeps_title_and_journal() -> None:
    ref = _one("4. Ravel Q. A short title. J Stuff. 2000;1:1-2.")
    assert ref.entry_type == "article"
    assert ref.fields["author"] == "Ravel, Q."
    assert (ref.fields["title"], ref.fields["journal"]) == ("A short title", "J Stuff")
    assert (ref.fields["year"], ref.fields["volume"], ref.fields["pages"]) == ("2000", "1", "1--2")


def test_nlm_last_author_does_not_swallow_the_journal() -> None:
    ref = _one(
        "12. Okoro AB, Vale C. Outcomes of pretend surgery in adults. Imag Surg. "
        "2011;253(4):651-7. doi:10.5555/fict.2011.0451"
    )
    assert ref.fields["author"] == "Okoro, A. B. and Vale, C."
    assert ref.fields["title"] == "Outcomes of pretend surgery in adults"
    assert ref.fields["journal"] == "Imag Surg"
    assert (ref.fields["volume"], ref.fields["number"], ref.fields["pages"]) == (
        "253",
        "4",
        "651--657",
    )
    assert ref.fields["doi"] == "10.5555/fict.2011.0451"
    assert "note" not in ref.fields


@pytest.mark.parametrize(
    ("text", "journal", "month"),
    [
        (
            "Quillon D, Marsh T. Cheese caves of a made-up canton. Methods Fict. Dairy. "
            "2003;41: 5-9.",
            "Methods Fict. Dairy",
            None,
        ),
        (
            "Quillon D, Marsh T. Cheese caves of a made-up canton. Alp Imag J. "
            "Dec 7 2003;41(2): 5-9.",
            "Alp Imag J",
            "12",
        ),
        (
            "van der Quill H, Marsh T, et al. Cheese caves of a made-up canton? "
            "Proc Imag Acad Sci U S A 2003 Dec 5;41(2 Suppl 1):e5-e9. Epub 2003 Nov 2.",
            "Proc Imag Acad Sci U S A",
            "12",
        ),
    ],
)
def test_nlm_journal_forms(text: str, journal: str, month: str | None) -> None:
    ref = _one(text)
    assert ref.entry_type == "article"
    assert ref.fields["journal"] == journal
    assert ref.fields["title"].startswith("Cheese caves of a made-up canton")
    assert (ref.fields["year"], ref.fields["volume"], ref.fields.get("month")) == (
        "2003",
        "41",
        month,
    )
    assert _families(ref)[:2] in (["Quillon", "Marsh"], ["van der Quill", "Marsh"])


def test_initials_et_and_y_are_not_conjunctions() -> None:
    ref = _one(
        "Quillon D, Marsh ET, Li Y, et al. Cheese caves of a made-up canton. "
        "Alp Imag J. 2003 Mar;41(2):5-9."
    )
    assert ref.fields["author"] == "Quillon, D. and Marsh, E. T. and Li, Y. and others"


def test_nlm_chapter_book_title_after_the_editors() -> None:
    ref = _one(
        "Ashgrove T, Pell R. Lanterns at sea. In: Marrow K, editor. Harbours of Nowhere. "
        "2nd ed. Springfield: Example Press; 2001. p. 33-58."
    )
    assert ref.entry_type == "incollection"
    assert (ref.fields["title"], ref.fields["booktitle"]) == (
        "Lanterns at sea",
        "Harbours of Nowhere",
    )
    assert ref.fields["editor"] == "Marrow, K."


def test_cli_parse_numbered_nlm_list_from_stdin() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "citetrack", "parse", "-"],
        input=(
            "1. Ravel Q. A short title. J Stuff. 2000;1:1-2.\n"
            "2. Okoro AB, Vale C. Outcomes of pretend surgery. Imag Surg. 2011;253(4):651-7.\n"
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "journal = {J Stuff}" in " ".join(done.stdout.split())
    assert "journal = {Imag Surg}" in " ".join(done.stdout.split())
    assert "warning" not in done.stderr


def test_nlm_with_a_pmid_keeps_its_authors() -> None:
    """A PMID is also a sign of Wikipedia's styles; the rules read this one with no author."""
    ref = _one("7. Ravel Q. A short title. J Stuff. 2000;1:1-2. PMID: 1234567.")
    assert ref.fields["author"] == "Ravel, Q."
    assert (ref.fields["title"], ref.fields["journal"]) == ("A short title", "J Stuff")
    assert ref.fields["pmid"] == "1234567"


@pytest.mark.parametrize(
    ("text", "entry_type"),
    [
        # APA 7: the genre and the school in brackets after the title.
        (
            "Vale, C. (2010). Tidal memory in invented harbours [Doctoral dissertation, "
            "University of Nowhere].",
            "phdthesis",
        ),
        # APA 7 with the archive after the bracket: the school stops at the bracket.
        (
            "Vale, C. (2010). Tidal memory in invented harbours [Doctoral dissertation, "
            "University of Nowhere]. Nowhere Digital Commons.",
            "phdthesis",
        ),
        # NLM: the genre in brackets, then place: school; year.
        (
            "Vale C, Okoro A. Tidal memory in invented harbours [dissertation]. "
            "Springfield: University of Nowhere; 2010.",
            "phdthesis",
        ),
        (
            "Vale C. Tidal memory in invented harbours [master's thesis]. "
            "Springfield: University of Nowhere; 2010.",
            "mastersthesis",
        ),
    ],
)
def test_thesis_mark_in_brackets(text: str, entry_type: str) -> None:
    result = parse_text(text, "text")
    (ref,) = result.references
    assert ref.entry_type == entry_type
    assert ref.fields["title"] == "Tidal memory in invented harbours"
    assert ref.fields["school"] == "University of Nowhere"
    assert ref.fields["year"] == "2010"
    assert not [p for p in result.problems if "marked [" in p.message]


def test_a_bracket_the_genre_opens_ends_the_next_segment() -> None:
    # The labeller may run the school and the archive after the bracket into one segment.
    segments = [
        ("author", "Vale, C."),
        ("date", "(2010)."),
        ("title", "Tidal memory in invented harbours"),
        ("genre", "[Doctoral dissertation,"),
        ("publisher", "University of Nowhere]. Nowhere Digital Commons."),
    ]
    citation = to_citation(segments, 1, " ".join(text for _, text in segments))
    assert citation.kind == "thesis"
    assert citation.publisher == "University of Nowhere"
    assert citation.notes == ["Nowhere Digital Commons"]


def test_ieee_paper_in_abbreviated_proceedings() -> None:
    ref = _one(
        '[3] C. Vale and A. Okoro, "Learning to forget," in Proc. Imag. Conf. Pretend Syst., '
        "Springfield, 2009, pp. 15-26."
    )
    assert ref.entry_type == "inproceedings"
    assert ref.fields["booktitle"].startswith("Proc. Imag. Conf. Pretend Syst")
    assert ref.fields["pages"] == "15--26"


def test_apa_ellipsis_before_the_last_of_many_authors() -> None:
    ref = _one(
        "Vale, C., Okoro, A., Lund, B., Marsh, T., Quill, R., Penn, S., … Ng, F. (2010). "
        "Outcomes of pretend surgery. Imag Surg, 12(3), 45–67."
    )
    assert _families(ref) == ["Vale", "Okoro", "Lund", "Marsh", "Quill", "Penn", "Ng"]
    assert ref.fields["author"].endswith("Penn, S. and Ng, F.")


@pytest.mark.parametrize(
    "text",
    [
        # APA: commas inside the names, the year in brackets.
        "Grisewood, H., & Okonkwo-Bell, A. (2010). Counting invisible herons. "
        "Journal of Pretend Ornithology, 12(3), 45-67.",
        # NLM-shaped, but prose follows the numbers: not certain, the labeller reads it.
        "Ravel Q. A short title. J Stuff. 2000;1:1-2. Reprinted with a new preface later.",
        # The "journal" is a sentence.
        "Ravel Q. A short title. This is a sentence of prose. 2000;1:1-2.",
        # A chapter (place and publisher before the year), not a journal article.
        "Ashgrove T. Lanterns at sea. Springfield: Example Press; 2001. p. 33-58.",
    ],
)
def test_nlm_reader_declines_what_is_not_certainly_nlm(text: str) -> None:
    from citetrack.parse import vancouver  # noqa: PLC0415 - the reader under test

    assert vancouver.read(text) is None
