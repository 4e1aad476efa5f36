"""Reference lists numbered, sectioned and quoted every way an editor pastes them (issue 15):
each item's marker is the list's, never part of its first author.

SYNTHETIC DATA: every reference below was made up for these tests (invented authors,
titles and journals); none is copied from a real list or from any training or measuring set.
"""

from __future__ import annotations

import pytest

from citetrack.parse import parse_text
from citetrack.parse.items import _numbered_starts, find_list

_WORKS = [
    "Arden T, Bexley M. Sleep patterns in invented teenagers. J Synth Health. 2018;62(5):601-8.",
    "Corwin P, Dale R. A made-up trial of nothing. Fict Med Rev. 2019;12:44-50.",
    "Ellery S. Imaginary cohorts revisited. Synth Epidemiol. 2020;3(2):11-19.",
    "Farrow Q. Invented methods of counting. Synth Methods. 2021;4:1-9.",
]
_FIRST_AUTHORS = ["Arden, T.", "Corwin, P.", "Ellery, S.", "Farrow, Q."]


def _first_authors(text: str) -> list[str]:
    return [r.fields["author"].split(" and ")[0] for r in parse_text(text, "text").references]


@pytest.mark.parametrize(
    "marks",
    [
        ["a.", "b.", "c.", "d."],
        ["a)", "b)", "c)", "d)"],
        ["(a)", "(b)", "(c)", "(d)"],
        ["A)", "B)", "C)", "D)"],
        ["i.", "ii.", "iii.", "iv."],
        ["(i)", "(ii)", "(iii)", "(iv)"],
        ["I.", "II.", "III.", "IV."],
        ["1 .", "2 .", "3 .", "4 ."],
        ["1.)", "2.)", "3.)", "4.)"],
        ["[12a]", "[12b]", "[13]", "[14]"],
    ],
    ids=" ".join,
)
def test_a_list_marked_with_letters_numerals_or_lettered_numbers_is_a_list(
    marks: list[str],
) -> None:
    text = "".join(f"{mark} {work}\n" for mark, work in zip(marks, _WORKS, strict=True))
    found = find_list(text)
    assert [item.text for item in found.items] == _WORKS
    assert [item.line for item in found.items] == [1, 2, 3, 4]
    assert _first_authors(text) == _FIRST_AUTHORS


def test_a_lettered_list_keeps_a_wrapped_line_with_its_item() -> None:
    text = (
        "a. Arden T, Bexley M. Sleep patterns in invented teenagers.\n"
        "J Synth Health. 2018;62(5):601-8.\n"
        "b. Corwin P, Dale R. A made-up trial of nothing. Fict Med Rev. 2019;12:44-50.\n"
    )
    refs = parse_text(text, "text").references
    assert [(r.line, r.fields.get("journal"), r.fields.get("volume")) for r in refs] == [
        (1, "J Synth Health", "62"),
        (3, "Fict Med Rev", "12"),
    ]


def test_initials_in_alphabetical_order_are_not_a_lettered_list() -> None:
    # "A. Arden", "B. Corwin": a capital letter with a full stop is a given name's initial.
    text = (
        "A. Arden, Sleep patterns in invented teenagers (Synthetic Press, 2018).\n"
        "B. Corwin, A made-up trial of nothing (Fiction House, 2019).\n"
    )
    assert [item.text for item in find_list(text).items] == text.splitlines()


# ------------------------------------------------------------------ sections inside the list

_SECTIONED = (
    "Journal articles\n"
    "1. Arden T, Bexley M. Sleep patterns in invented teens. J Synth Health. 2018;62(5):601-8.\n"
    "2. Corwin P, Dale R. A made-up trial of nothing. Fict Med Rev. 2019;12:44-50.\n"
    "\n"
    "Books\n"
    "1. Dale, R. (2015). The imaginary clinic. Nowhere Press.\n"
    "\n"
    "Conference papers\n"
    "1. Ellery S. Imaginary cohorts revisited. In: Proceedings of the Synthetic Meeting; 2020.\n"
    "2. Farrow Q. Invented methods of counting. In: Proceedings of the Synthetic Meeting; 2021.\n"
)


def test_section_headings_inside_a_numbered_list_are_neither_warned_nor_unread() -> None:
    # Numbering restarts in each section; a section of one reference ("1. Dale R") is no
    # run, and its number must still not stay in its text.
    result = parse_text(_SECTIONED, "text")
    assert [r.line for r in result.references] == [2, 3, 6, 9, 10]
    assert result.problems == ()
    assert result.unread == ()
    assert [item.text[:9] for item in find_list(_SECTIONED).items] == [
        "Arden T, ",
        "Corwin P,",
        "Dale, R. ",
        "Ellery S.",
        "Farrow Q.",
    ]


def test_section_headings_of_an_unnumbered_list_are_not_entries() -> None:
    text = (
        "Books\n"
        "Dale, R. (2015). The imaginary clinic. Nowhere Press.\n"
        "\n"
        "Journal articles\n"
        "Arden, T., & Bexley, M. (2018). Sleep patterns in invented teenagers. Journal of "
        "Synthetic Health, 62(5), 601–608.\n"
        "Websites:\n"
        "Corwin, P. (2019, May 5). A made-up page. Synthetic Site. https://example.org/page\n"
    )
    result = parse_text(text, "text")
    assert [(r.line, r.entry_type) for r in result.references] == [
        (2, "book"),
        (5, "article"),
        (7, "online"),
    ]
    assert result.problems == ()


def test_a_wrapped_line_that_reads_like_a_section_heading_stays_with_its_reference() -> None:
    # "Books" here ends the publisher's name cut by the column: no heading, nothing lost.
    text = (
        "1. Dale, R. (2015). The imaginary clinic. London: Synthetic\n"
        "Books\n"
        "2. Arden, T. (2018). Sleep patterns in invented teenagers. Journal of Synthetic "
        "Health, 62(5), 601–608.\n"
    )
    items = find_list(text).items
    assert [item.line for item in items] == [1, 3]
    assert items[0].text.endswith("London: Synthetic Books")


# ------------------------------------------------------------------ where the list was pasted from


def test_a_list_quoted_in_an_e_mail_reply_is_read_without_its_quoting_marks() -> None:
    text = (
        "Dear editor, the list you asked for (synthetic):\n"
        "\n"
        "> References\n"
        ">\n"
        "> 1. Arden T, Bexley M. Sleep patterns in invented teenagers.\n"
        ">    J Synth Health. 2018;62(5):601-8.\n"
        "> 2. Corwin P, Dale R. A made-up trial of nothing. Fict Med Rev. 2019;12:44-50.\n"
    )
    result = parse_text(text, "text")
    assert [(r.line, r.fields["author"], r.fields.get("volume")) for r in result.references] == [
        (5, "Arden, T. and Bexley, M.", "62"),
        (7, "Corwin, P. and Dale, R.", "12"),
    ]
    assert result.problems == ()
    assert result.unread == ((1, 1, 1),)  # the letter's own line, said in a note


def test_a_readmes_next_section_ends_its_reference_list() -> None:
    # "MIT licence, 2024." has a year: it was read as a reference of the list before.
    text = (
        "# demo (synthetic)\n"
        "\n"
        "## References\n"
        "\n"
        "1. Arden, T., & Bexley, M. (2018). Sleep patterns in invented teenagers.\n"
        "   *Journal of Synthetic Health*, 62(5), 601–608.\n"
        "2. Corwin, P. (2019). A made-up trial of nothing. *Fictional Medicine Review*, 12.\n"
        "\n"
        "## License\n"
        "\n"
        "MIT licence, 2024.\n"
    )
    result = parse_text(text, "text")
    assert [r.line for r in result.references] == [5, 7]
    assert result.unread == ((1, 1, 1), (9, 11, 2))


def test_a_markdown_heading_after_an_unnumbered_list_ends_it() -> None:
    text = (
        "## References\n"
        "Arden, T. (2018). Sleep patterns in invented teenagers. Journal of Synthetic "
        "Health, 62(5), 601–608.\n"
        "## Changelog\n"
        "Version 2.0 (2024): a synthetic release.\n"
    )
    result = parse_text(text, "text")
    assert [r.line for r in result.references] == [2]
    assert result.unread == ((3, 4, 2),)


def test_a_zero_width_space_before_each_list_number_does_not_hide_the_list() -> None:
    # A web page's copy: "\u200b" before every number, and each item wrapped.
    text = (
        "\u200b1. Arden T, Bexley M. Sleep patterns in invented teenagers.\n"
        "J Synth Health. 2018;62(5):601-8.\n"
        "\ufeff2. Corwin P, Dale R. A made-up trial of nothing.\n"
        "Fict Med Rev. 2019;12:44-50.\n"
    )
    refs = parse_text(text, "text").references
    assert [(r.line, r.fields.get("journal"), r.fields.get("volume")) for r in refs] == [
        (1, "J Synth Health", "62"),
        (3, "Fict Med Rev", "12"),
    ]


# ------------------------------------------------------------------ the last item


def test_the_last_item_of_a_wrapped_list_keeps_its_wrapped_lines() -> None:
    # Every item wraps after its title; the last one's journal line starts with a capital
    # and was read as a reference of its own ('@article' with no title, no authors).
    text = (
        "1. Arden, T., & Bexley, M. (2018). Sleep patterns in invented teenagers.\n"
        "Journal of Synthetic Health, 62(5), 601-608.\n"
        "2. Corwin, P. (2019). A made-up trial of nothing.\n"
        "Fictional Medicine Review, 12, 44-50.\n"
        "\n"
        "Received 5 May 2024; accepted 9 June 2024.\n"
    )
    result = parse_text(text, "text")
    assert [
        (r.line, r.fields.get("journal"), r.fields.get("volume")) for r in result.references
    ] == [
        (1, "Journal of Synthetic Health", "62"),
        (3, "Fictional Medicine Review", "12"),
    ]
    assert result.unread == ((6, 6, 1),)


def test_a_one_line_last_item_does_not_take_the_text_after_the_list() -> None:
    # Items of one line each: the line after the last is not part of it.
    text = (
        "1. Arden T, Bexley M. Sleep patterns in invented teens. J Synth Health. 2018;62:601-8.\n"
        "2. Corwin P, Dale R. A made-up trial of nothing. Fict Med Rev. 2019;12:44-50.\n"
        "Smith Q. Notes on nothing. Synthetic Press; 2001.\n"
    )
    items = find_list(text).items
    assert [item.line for item in items] == [1, 2, 3]


def test_text_after_a_blank_line_after_a_numbered_list_is_unread_not_an_entry() -> None:
    # "Some text … 2024." has a year and nothing more of a citation: it was a @misc entry
    # (titled "Some text after the list, written in") in the .bib.
    text = (
        "1. Arden T, Bexley M. Sleep patterns in invented teens. J Synth Health. 2018;62:601-8.\n"
        "2. Corwin P, Dale R. A made-up trial of nothing. Fict Med Rev. 2019;12:44-50.\n"
        "\n"
        "Some text after the list, written in 2024.\n"
    )
    result = parse_text(text, "text")
    assert [r.line for r in result.references] == [1, 2]
    assert result.unread == ((4, 4, 1),)


def test_superscript_digits_number_a_wrapped_list() -> None:
    # "¹", "²", "³" kept as characters: each item's second line was an entry of its own.
    text = (
        "¹ Arden T, Bexley M. Sleep patterns in invented teenagers.\n"
        "J Synth Health. 2018;62(5):601-8.\n"
        "²Corwin P, Dale R. A made-up trial of nothing.\n"
        "Fict Med Rev. 2019;12:44-50.\n"
    )
    refs = parse_text(text, "text").references
    assert [(r.line, r.fields["author"], r.fields.get("journal")) for r in refs] == [
        (1, "Arden, T. and Bexley, M.", "J Synth Health"),
        (3, "Corwin, P. and Dale, R.", "Fict Med Rev"),
    ]


def test_bare_numbers_from_the_middle_of_a_list_number_it() -> None:
    # "12 Arden T" … copied from page 2 of a list: no number 1, so no run was seen and
    # each wrapped journal line was an entry of its own (author "Health, J. Synth").
    text = (
        "12 Arden T, Bexley M. Sleep patterns in invented teenagers.\n"
        "J Synth Health. 2018;62(5):601-8.\n"
        "13 Corwin P, Dale R. A made-up trial of nothing.\n"
        "Fict Med Rev. 2019;12:44-50.\n"
        "14 Ellery S. Imaginary cohorts revisited.\n"
        "Synth Epidemiol. 2020;3(2):11-19.\n"
    )
    refs = parse_text(text, "text").references
    assert [(r.line, r.fields["author"], r.fields.get("journal")) for r in refs] == [
        (1, "Arden, T. and Bexley, M.", "J Synth Health"),
        (3, "Corwin, P. and Dale, R.", "Fict Med Rev"),
        (5, "Ellery, S.", "Synth Epidemiol"),
    ]


def test_two_references_that_start_with_consecutive_numbers_keep_them() -> None:
    # Organisations named with a number: two in a row are no list copied from its middle.
    text = (
        "40 Acres Trust (2019). A synthetic report on land. Made-up Press.\n"
        "41 Street Group (2020). Another synthetic report. Made-up Press.\n"
    )
    assert [item.text[:8] for item in find_list(text).items] == ["40 Acres", "41 Stree"]


@pytest.mark.parametrize("bullet", ["● ", "■ ", "► ", "➢ ", "✓ ", "— ", "o\t", "§\t", "Ø\t"])
def test_a_list_bulleted_with_any_bullet_reads_its_wrapped_items(bullet: str) -> None:
    # The bullet was read as part of the first author ("{● Arden}") and each wrapped
    # line as an entry of its own (@misc "Synthetic Health, 62(5), 601-608.").
    text = (
        f"{bullet}Arden, T., & Bexley, M. (2018). Sleep patterns in invented teenagers. "
        "Journal of\n"
        "Synthetic Health, 62(5), 601-608.\n"
        f"{bullet}Corwin, P. (2019). A made-up trial of nothing. Fictional Medicine\n"
        "Review, 12, 44-50.\n"
    )
    refs = parse_text(text, "text").references
    assert [(r.line, r.fields["author"], r.fields.get("journal")) for r in refs] == [
        (1, "Arden, T. and Bexley, M.", "Journal of Synthetic Health"),
        (3, "Corwin, P.", "Fictional Medicine Review"),
    ]


def test_a_dash_for_the_authors_of_the_entry_before_is_no_bullet() -> None:
    text = (
        "Corwin, P. (2019). A made-up trial of nothing. Fictional Medicine Review, 12, 44-50.\n"
        "— (2020). Another made-up trial. Fictional Medicine Review, 13, 1-9.\n"
    )
    refs = parse_text(text, "text").references
    assert [r.fields["author"] for r in refs] == ["Corwin, P.", "Corwin, P."]


def test_a_lettered_list_lettered_from_a_again_in_each_section_loses_every_letter() -> None:
    # The Books section's lone "a." is no run: "a. Dale R" was the author "{a. Dale R}".
    text = (
        "Journal articles\n"
        "a. Arden T, Bexley M. Sleep patterns in invented teenagers.\n"
        "J Synth Health. 2018;62(5):601-8.\n"
        "b. Corwin P, Dale R. A made-up trial of nothing.\n"
        "Fict Med Rev. 2019;12:44-50.\n"
        "\n"
        "Books\n"
        "\n"
        "a. Dale R. The imaginary clinic. London: Nowhere Press; 2015.\n"
    )
    refs = parse_text(text, "text").references
    assert [(r.line, r.fields["author"]) for r in refs] == [
        (2, "Arden, T. and Bexley, M."),
        (4, "Corwin, P. and Dale, R."),
        (9, "Dale, R."),
    ]


# ------------------------------------------------------------------ run-on lines


@pytest.mark.parametrize("numbers", [("1.", "2."), ("[1]", "[2]")])
def test_two_numbered_references_run_on_one_line_are_two(numbers: tuple[str, str]) -> None:
    # A list copied without its line breaks: the second reference vanished into the first
    # (its title ran on to "… 2. Corwin P, Dale R. A made-up trial of nothing", its journal
    # and year the second's).
    first, second = numbers
    text = (
        f"{first} Arden T, Bexley M. Sleep patterns in invented teenagers. J Synth Health. "
        f"2018;62(5):601-8. {second} Corwin P, Dale R. A made-up trial of nothing. Fict Med "
        "Rev. 2019;12:44-50.\n"
    )
    refs = parse_text(text, "text").references
    assert [(r.fields["author"], r.fields["year"], r.fields.get("journal")) for r in refs] == [
        ("Arden, T. and Bexley, M.", "2018", "J Synth Health"),
        ("Corwin, P. and Dale, R.", "2019", "Fict Med Rev"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "1. Arden T. Synthetic handbook of nothing. Vol. 2. London: Nowhere Press; 2001.",
        "3. Arden T. Lehrbuch der Synthese. 4. Aufl. Berlin: Beispielverlag; 2001.",
        "1. Arden T, Bexley M. Invented teens. J Synth Health. 2018;62:601-8. 2. Aufl. 2019.",
    ],
)
def test_a_number_inside_one_numbered_reference_does_not_split_it(line: str) -> None:
    items = find_list(line + "\n").items
    assert [item.text for item in items] == [line.split(" ", 1)[1]]


# ------------------------------------------------------------------ a manuscript's line numbers


def test_a_review_manuscripts_line_numbers_are_not_read_as_part_of_the_list() -> None:
    # Pasted from a PDF with line numbers in its margin: "312 Health. 2018;…" was the
    # author "{312 Health}", "310 References" an entry, "314 2019;12:44-50." another.
    text = (
        "310 References\n"
        "311 1. Arden T, Bexley M. Sleep patterns in invented teenagers. J Synth\n"
        "312 Health. 2018;62(5):601-8.\n"
        "313 2. Corwin P, Dale R. A made-up trial of nothing. Fict Med Rev.\n"
        "314 2019;12:44-50.\n"
        "315\n"
        "316 3. Ellery S. Imaginary cohorts revisited. Synth Epidemiol.\n"
        "317 2020;3(2):11-19.\n"
    )
    result = parse_text(text, "text")
    assert [
        (r.line, r.fields["author"], r.fields.get("journal"), r.fields.get("year"))
        for r in result.references
    ] == [
        (2, "Arden, T. and Bexley, M.", "J Synth Health", "2018"),
        (4, "Corwin, P. and Dale, R.", "Fict Med Rev", "2019"),
        (7, "Ellery, S.", "Synth Epidemiol", "2020"),
    ]
    assert result.problems == ()


def test_a_bare_numbered_list_of_one_line_references_keeps_its_numbering() -> None:
    text = (
        "1 Arden T, Bexley M. Sleep patterns in invented teens. J Synth Health. 2018;62:601-8.\n"
        "2 Corwin P, Dale R. A made-up trial of nothing. Fict Med Rev. 2019;12:44-50.\n"
        "3 Ellery S. Imaginary cohorts revisited. Synth Epidemiol. 2020;3(2):11-19.\n"
    )
    assert [item.marker for item in find_list(text).items] == ["number"] * 3


@pytest.mark.parametrize("heading", ["References\n", ""])
def test_a_line_cut_after_of_goes_on_with_the_next_line(heading: str) -> None:
    # "Journal of" / "Synthetic Health, 62(5), 601-608.": the second line starts with a
    # capital, so it was an entry of its own (or, under a heading, a "not read" warning),
    # and the first reference's journal was "Journal of".
    text = heading + (
        "Arden, T., & Bexley, M. (2018). Sleep patterns in invented teenagers. Journal of\n"
        "Synthetic Health, 62(5), 601-608.\n"
        "Corwin, P. (2019). A made-up trial of nothing. Fictional Medicine Review, 12, 44-50.\n"
    )
    result = parse_text(text, "text")
    assert [(r.fields.get("journal"), r.fields.get("volume")) for r in result.references] == [
        ("Journal of Synthetic Health", "62"),
        ("Fictional Medicine Review", "12"),
    ]
    assert result.problems == ()


def test_markdowns_lazy_numbering_every_item_1_is_a_numbered_list() -> None:
    # A README numbers every item "1." (the page shows 1, 2, 3): no run 1, 2, 3 was seen,
    # and each item's unindented second line was an entry of its own.
    text = (
        "1. Arden T, Bexley M. Sleep patterns in invented teenagers.\n"
        "J Synth Health. 2018;62(5):601-8.\n"
        "1. Corwin P, Dale R. A made-up trial of nothing.\n"
        "Fict Med Rev. 2019;12:44-50.\n"
        "1. Ellery S. Imaginary cohorts revisited.\n"
        "Synth Epidemiol. 2020;3(2):11-19.\n"
    )
    refs = parse_text(text, "text").references
    assert [(r.line, r.fields.get("journal"), r.fields.get("year")) for r in refs] == [
        (1, "J Synth Health", "2018"),
        (3, "Fict Med Rev", "2019"),
        (5, "Synth Epidemiol", "2020"),
    ]


# ------------------------------------------------------------------ gaps and ranges


def test_items_numbered_after_a_gap_keep_their_wrapped_lines() -> None:
    # References 3 and 4 were taken out: "5." and "6." were said to be article text and
    # their journal lines were entries ("Epidemiol, Synth", no title).
    text = (
        "1. Arden T, Bexley M. Sleep patterns in invented teenagers.\n"
        "J Synth Health. 2018;62(5):601-8.\n"
        "2. Corwin P, Dale R. A made-up trial of nothing.\n"
        "Fict Med Rev. 2019;12:44-50.\n"
        "5. Ellery S. Imaginary cohorts revisited.\n"
        "Synth Epidemiol. 2020;3(2):11-19.\n"
        "6. Farrow Q. Invented methods of counting.\n"
        "Synth Methods. 2021;4:1-9.\n"
    )
    result = parse_text(text, "text")
    assert [(r.line, r.fields["author"], r.fields.get("journal")) for r in result.references] == [
        (1, "Arden, T. and Bexley, M.", "J Synth Health"),
        (3, "Corwin, P. and Dale, R.", "Fict Med Rev"),
        (5, "Ellery, S.", "Synth Epidemiol"),
        (7, "Farrow, Q.", "Synth Methods"),
    ]
    assert result.unread == ()


def test_a_wrapped_line_numbered_out_of_order_inside_the_list_starts_no_item() -> None:
    # "9. Aufl." wraps item 2 (an edition) and 9 is not below the next item's 3.
    text = (
        "1. Arden T, Bexley M. Sleep patterns in invented teens. J Synth Health. 2018;62:601-8.\n"
        "2. Corwin P. Lehrbuch der Synthese.\n"
        "9. Aufl. Berlin: Beispielverlag; 2001.\n"
        "3. Ellery S. Imaginary cohorts revisited. Synth Epidemiol. 2020;3(2):11-19.\n"
    )
    starts, _ = _numbered_starts(text.split("\n"))
    assert sorted(starts) == [0, 1, 3]


def test_a_range_of_numbers_starts_the_list() -> None:
    # "[1–3]": its line was article text, its wrapped line an entry.
    text = (
        "[1–3] Arden T, Bexley M. Sleep patterns in invented teenagers.\n"
        "J Synth Health. 2018;62(5):601-8.\n"
        "[4] Corwin P, Dale R. A made-up trial of nothing.\n"
        "Fict Med Rev. 2019;12:44-50.\n"
        "[5] Ellery S. Imaginary cohorts revisited.\n"
        "Synth Epidemiol. 2020;3(2):11-19.\n"
    )
    result = parse_text(text, "text")
    assert [(r.line, r.fields["author"], r.fields.get("journal")) for r in result.references] == [
        (1, "Arden, T. and Bexley, M.", "J Synth Health"),
        (3, "Corwin, P. and Dale, R.", "Fict Med Rev"),
        (5, "Ellery, S.", "Synth Epidemiol"),
    ]


def test_a_publication_list_grouped_by_year_has_no_year_entries() -> None:
    # "2021" alone on its line heads the year's group: it was a @misc entry of its own.
    text = (
        "2021\n"
        "1. Arden T, Bexley M. Sleep patterns in invented teens. J Synth Health. 2021;62:601-8.\n"
        "2. Corwin P, Dale R. A made-up trial of nothing. Fict Med Rev. 2021;12:44-50.\n"
        "2020\n"
        "3. Ellery S. Imaginary cohorts revisited. Synth Epidemiol. 2020;3(2):11-19.\n"
    )
    result = parse_text(text, "text")
    assert [r.line for r in result.references] == [2, 3, 5]
    assert result.problems == ()


def test_a_chapter_heading_is_not_joined_to_the_reference_before_it() -> None:
    # "Chapter 4" went silently into the text of reference 2 ("… 44-50. Chapter 4").
    text = (
        "Chapter 3\n"
        "1. Arden T, Bexley M. Sleep patterns in invented teens. J Synth Health. 2021;62:601-8.\n"
        "2. Corwin P, Dale R. A made-up trial of nothing. Fict Med Rev. 2021;12:44-50.\n"
        "Chapter 4: Synthetic methods\n"
        "1. Ellery S. Imaginary cohorts revisited. Synth Epidemiol. 2020;3(2):11-19.\n"
        "2. Farrow Q. Invented methods of counting. Synth Methods. 2020;4:1-9.\n"
    )
    found = find_list(text)
    assert [(item.line, item.text[-6:]) for item in found.items] == [
        (2, "601-8."),
        (3, "44-50."),
        (5, "11-19."),
        (6, "4:1-9."),
    ]
    assert found.unread == []


def test_lettered_section_headings_of_an_unnumbered_list_are_not_entries() -> None:
    text = (
        "A. Primary sources\n"
        "Arden, T. (1888). Letters from an invented harbour. Synthetic Archive.\n"
        "B. Secondary sources\n"
        "Ellery, S. (2020). Imaginary cohorts revisited. Synthetic Epidemiology, 3(2), 11-19.\n"
    )
    result = parse_text(text, "text")
    assert [r.line for r in result.references] == [2, 4]
    assert result.problems == ()


def test_an_unknown_heading_between_numbered_items_is_warned_not_joined() -> None:
    # "Our own group" heads a part of the list; joined to reference 2 it made its title
    # "A made-up trial of nothing. Our own group", without a word.
    text = (
        "1. Arden T, Bexley M. Sleep patterns in invented teens. J Synth Health. 2021;62:601-8.\n"
        "2. Corwin P, Dale R. A made-up trial of nothing. Fict Med Rev. 2021;12:44-50.\n"
        "Our own group\n"
        "3. Ellery S. Imaginary cohorts revisited. Synth Epidemiol. 2020;3(2):11-19.\n"
        "4. Farrow Q. Invented methods of counting. Synth Methods. 2020;4:1-9.\n"
    )
    result = parse_text(text, "text")
    assert result.references[1].fields["title"] == "A made-up trial of nothing"
    assert [(p.line, p.rule) for p in result.problems] == [(3, "parse-not-read")]


def test_a_short_wrapped_line_of_an_unfinished_item_stays_with_it() -> None:
    text = (
        "1. Arden T, Bexley M. Sleep patterns in invented teens.\n"
        "J Synth Health\n"
        "2018;62:601-8.\n"
        "2. Corwin P, Dale R. A made-up trial of nothing. Fict Med Rev. 2021;12:44-50.\n"
    )
    refs = parse_text(text, "text").references
    assert [(r.line, r.fields.get("journal")) for r in refs] == [
        (1, "J Synth Health"),
        (4, "Fict Med Rev"),
    ]


@pytest.mark.parametrize(
    "marks",
    [("①", "②"), ("１．", "２．"), ("［１］", "［２］"), ("#1", "#2"), ("Ref. 1:", "Ref. 2:")],
)
def test_list_numbers_written_another_way_number_a_wrapped_list(marks: tuple[str, str]) -> None:
    # Circled and full-width numbers (East Asian text), "#1", "Ref. 1:": no numbering was
    # seen, the mark went into the first author ("{#1 Arden T}") and each wrapped line
    # was an entry of its own.
    text = (
        f"{marks[0]} Arden T, Bexley M. Sleep patterns in invented teenagers.\n"
        "J Synth Health. 2018;62(5):601-8.\n"
        f"{marks[1]} Corwin P, Dale R. A made-up trial of nothing.\n"
        "Fict Med Rev. 2019;12:44-50.\n"
    )
    refs = parse_text(text, "text").references
    assert [(r.line, r.fields["author"], r.fields.get("journal")) for r in refs] == [
        (1, "Arden, T. and Bexley, M.", "J Synth Health"),
        (3, "Corwin, P. and Dale, R.", "Fict Med Rev"),
    ]


# ------------------------------------------------------------------ a Wikipedia list


def test_a_journal_ending_in_rev_keeps_its_volume() -> None:
    # "Fict Med Rev. 12: 44–50." (CS1 without an issue): "rev." is protected as "revised",
    # so the journal was "Fict Med Rev. 12" and the volume lost.
    text = (
        '1. ^ Corwin P (2019). "A made-up trial of nothing". Fict Med Rev. 12: 44–50.\n'
        '2. ^ Arden T (2018). "Sleep patterns in invented teens". J Synth Health. 62: 601–8.\n'
    )
    refs = parse_text(text, "text").references
    assert [(r.fields["journal"], r.fields.get("volume")) for r in refs] == [
        ("Fict Med Rev", "12"),
        ("J Synth Health", "62"),
    ]


def test_a_bulleted_further_reading_line_after_a_back_linked_list_loses_its_bullet() -> None:
    # "• Farrow Q (2021). …": the author "• Farrow Q" was left out as no name.
    text = (
        "References\n"
        '1. ^ Arden T (2018). "Sleep patterns in invented teens". J Synth Health. 62: 601–8.\n'
        '2. ^ Corwin P (2019). "A made-up trial of nothing". Fict Med Rev. 12: 44–50.\n'
        "Further reading\n"
        "• Farrow Q (2021). Invented methods of counting. Synthetic Press. "
        "ISBN 978-0-00-000000-2.\n"
    )
    result = parse_text(text, "text")
    assert result.references[2].fields["author"] == "Farrow, Q."
    assert [p.line for p in result.problems if "Farrow" in p.message] == []


# ------------------------------------------------------------------ a whole article


def test_an_articles_numbered_sections_are_not_its_reference_list() -> None:
    # "1. Introduction", "2. Methods", "3. References", "4. Appendix" ran 1, 2, 3, 4 and
    # the years in the sections' text made them "read like citations": each section was an
    # entry ("Introduction Invented teenagers sleep little [1]. …").
    text = (
        "1. Introduction\n"
        "Invented teenagers sleep little [1]. This synthetic text was written in 2024.\n"
        "2. Methods\n"
        "We made up a trial [2], as others did in 2019.\n"
        "3. References\n"
        "1. Arden T, Bexley M. Sleep patterns in invented teens. J Synth Health. 2018;62:601-8.\n"
        "2. Corwin P, Dale R. A made-up trial of nothing. Fict Med Rev. 2019;12:44-50.\n"
        "4. Appendix\n"
        "Some appendix text from 2020.\n"
    )
    result = parse_text(text, "text")
    assert [r.line for r in result.references] == [6, 7]
    assert result.problems == ()
    assert result.unread == ((1, 4, 4), (9, 9, 1))


# ------------------------------------------------------------------ a PDF's column, unmarked

_COLUMN = (
    "Arden, T., Bexley, M., 2018. Sleep patterns in invented teenagers.\n"
    "Journal of Synthetic Health 62, 601–608.\n"
    "Corwin, P., 2019. A made-up trial of nothing. Fictional Medicine\n"
    "Review 12, 44–50.\n"
    "Dale, R., 2015. The Imaginary Clinic. Nowhere Press, London.\n"
    "Ellery, S., Farrow, Q., 2020. Imaginary cohorts revisited. Synthetic\n"
    "Epidemiology 3, 11–19.\n"
)


@pytest.mark.parametrize("heading", ["References\n", ""])
def test_an_author_date_list_cut_by_a_pdfs_column_keeps_each_references_tail(
    heading: str,
) -> None:
    # The tails ("Review 12, 44–50.") start with a capital: they were "not read" warnings
    # (or entries of their own) and the references lost journal, volume and pages.
    result = parse_text(heading + _COLUMN, "text")
    assert [(r.fields.get("journal"), r.fields.get("volume")) for r in result.references] == [
        ("Journal of Synthetic Health", "62"),
        ("Fictional Medicine Review", "12"),
        (None, None),
        ("Synthetic Epidemiology", "3"),
    ]
    assert result.problems == ()


def test_undated_references_one_a_line_are_not_joined_to_the_one_before() -> None:
    # Mostly author-first, one reference a line: the undated ones are no column's tails
    # (not after a line with room left, nor after a URL that ends the longest line).
    text = (
        "Arden, T. (2018). Sleep patterns in invented teenagers. Journal of Synthetic Health, "
        "62(5), 601–608.\n"
        "Synthetic Society. Guidelines for nothing.\n"
        "WSO. Report on nothing. 2020.\n"
        "Corwin, P. (2019). A made-up trial of nothing. Fictional Medicine Review, 12, 44–50.\n"
        "Dale, R. (2015). The imaginary clinic of an invented town and its made-up people.\n"
        "Synthetic Society. Guidelines for nothing, second part. "
        "https://example.org/synthetic/guidelines/for/nothing/second-part/index\n"
        "WSO. Report on nothing. Second edition.\n"
        "Ellery, S. (2020). Imaginary cohorts revisited. Synthetic Epidemiology, 3(2), 11–19.\n"
        "Farrow, Q. (2021). Invented methods of counting. Synthetic Methods, 4, 1–9.\n"
    )
    assert [item.line for item in find_list(text).items] == list(range(1, 10))


def test_a_tail_that_starts_with_a_two_word_journal_and_its_volume_is_no_new_reference() -> None:
    # "Synthetic Methods, 70(1), 25–603." read as "Given Family, Title" (a reference's
    # start): an entry of its own, and the reference before lost its journal.
    text = (
        "Arden, F., Irving, D., Corwin, F. (2003). Sleep invented methods patterns.\n"
        "Bexley, F., Hale, A., Hale, D. (1998). Revisited invented methods sleep.\n"
        "Synthetic Methods, 70(1), 25–603.\n"
        "Corwin, A. (1997). Counting sleep imaginary teenagers invented sleep sleep\n"
        "nothing counting. Synthetic Epidemiology, 44(8), 16–658.\n"
    )
    refs = parse_text(text, "text").references
    assert [(r.line, r.fields.get("journal")) for r in refs][1:] == [
        (2, "Synthetic Methods"),
        (4, "Synthetic Epidemiology"),
    ]


@pytest.mark.parametrize("numbered", [False, True])
def test_a_short_list_wrapped_at_a_column_in_ieee_style_keeps_each_reference_whole(
    numbered: bool,
) -> None:
    # Four references: too few lines for the column's width to be measured; each tail
    # ("Synthetic Methods, vol. 48, …", read as "Given Family, Title") was an entry.
    refs = [
        'B. Bexley, "Nothing counting methods cohorts patterns nothing of imaginary,"\n'
        "Synthetic Methods, vol. 48, no. 9, pp. 480–495, 2022.\n",
        'F. Arden, H. Arden, "Imaginary of in nothing nothing revisited revisited sleep,"\n'
        "Synthetic Methods, vol. 42, no. 3, pp. 70–87, 2001.\n",
        'H. Farrow, F. van Dijk, H. Hale, "Revisited outcomes nothing methods and\n'
        'counting counting in in in," Synthetic Methods, vol. 40, no. 12, pp. 107–123,\n'
        "2016.\n",
    ]
    text = "".join(f"[{n}] {ref}" if numbered else ref for n, ref in enumerate(refs, 1))
    result = parse_text(text, "text")
    assert [(r.line, r.fields.get("year"), r.fields.get("volume")) for r in result.references] == [
        (1, "2022", "48"),
        (3, "2001", "42"),
        (5, "2016", "40"),
    ]


def test_an_author_date_items_first_line_ending_in_its_year_keeps_its_next_line() -> None:
    # "[4] Farrow, H., …, 2016." ends like a whole reference; its next line is no heading.
    text = (
        "[1] Arden, A., 2000. Synthetic methods trial. Made-up Journal 24, 355–356.\n"
        "[2] Farrow, H., van Dijk, F., Hale, H., 2016.\n"
        "Revisited outcomes nothing methods and counting\n"
        "counting in in in. Synthetic Methods 40, 107–123.\n"
        "[3] Corwin, D., 2001. Patterns synthetic. Made-up Journal 32, 13–16.\n"
    )
    result = parse_text(text, "text")
    assert result.references[1].fields.get("journal") == "Synthetic Methods"
    assert result.problems == ()


@pytest.mark.parametrize("mark", ["a.", "(a)", "A)", "i.", "#1", "①"])
def test_a_single_reference_with_a_list_mark_loses_it(mark: str) -> None:
    # One reference pasted with its mark: "{a. Arden T}" was its first author.
    text = f"{mark} {_WORKS[0]}\n"
    assert _first_authors(text) == ["Arden, T."]


def test_a_single_reference_starting_with_an_initial_keeps_it() -> None:
    text = "I. Newton. Principia of invented things. London: Synthetic Press; 1687.\n"
    assert [r.fields["author"] for r in parse_text(text, "text").references] == ["Newton, I."]


@pytest.mark.parametrize("labels", [("[^1]:", "[^2]:"), ("[^arden]:", "[^corwin]:")])
def test_markdown_footnotes_are_a_list(labels: tuple[str, str]) -> None:
    # "[^1]: Arden, T., …" with its journal wrapped onto the next line: the footnote
    # mark hid the list, and the journal line was an entry of its own.
    text = (
        f"{labels[0]} Arden, T., & Bexley, M. (2018). Sleep patterns in invented teenagers.\n"
        "Journal of Synthetic Health, 62(5), 601-608.\n"
        f"{labels[1]} Corwin, P. (2019). A made-up trial of nothing. Fictional Medicine "
        "Review, 12, 44-50.\n"
    )
    refs = parse_text(text, "text").references
    assert [(r.line, r.fields["author"], r.fields.get("journal")) for r in refs] == [
        (1, "Arden, T. and Bexley, M.", "Journal of Synthetic Health"),
        (3, "Corwin, P.", "Fictional Medicine Review"),
    ]


def test_a_section_of_one_wrapped_reference_numbered_from_1_again_keeps_its_wrap() -> None:
    # The lone "1." under "Books" was no run: its line (no year on it) was said to be
    # article text and its wrapped line, with the year, an entry without a title.
    text = (
        "Journal articles\n"
        "1. Arden T. Sleep patterns in invented teenagers.\n"
        "J Synth Health. 2018;62:601-8.\n"
        "2. Corwin P. A made-up trial of nothing.\n"
        "Fict Med Rev. 2019;12:44-50.\n"
        "\n"
        "Books\n"
        "1. Dale R. The imaginary clinic of an invented town.\n"
        "London: Nowhere Press; 2015.\n"
    )
    result = parse_text(text, "text")
    assert [(r.line, r.fields.get("title")) for r in result.references] == [
        (2, "Sleep patterns in invented teenagers"),
        (4, "A made-up trial of nothing"),
        (8, "The imaginary clinic of an invented town"),
    ]
    assert result.problems == ()
    assert result.unread == ()


def test_numbering_that_runs_on_across_sections_is_one_list() -> None:
    # "1." alone under its heading, "2." and "3." under the next: the heading cut the run,
    # so no list was seen and every wrapped line was an entry or a warning.
    text = (
        "Primary sources\n"
        "1. Grant B, Bexley C. Revisited counting revisited\n"
        "cohorts teenagers nothing outcomes. Made-up J.\n"
        "2011;43:48-822.\n"
        "Conference papers\n"
        "2. Bexley D, Jarrow D. Teenagers patterns patterns.\n"
        "Synth Epidemiol. 2002;33:157-854.\n"
        "3. Corwin B, Arden E. Teenagers counting teenagers\n"
        "sleep sleep imaginary. Fict Med Rev. 2009;36:356-832.\n"
    )
    result = parse_text(text, "text")
    assert [(r.line, r.fields.get("journal"), r.fields.get("year")) for r in result.references] == [
        (2, "Made-up J", "2011"),
        (6, "Synth Epidemiol", "2002"),
        (8, "Fict Med Rev", "2009"),
    ]
    assert result.problems == ()


# ------------------------------------------------------------------ unmarked sections


def test_an_unmarked_list_with_further_reading_last_keeps_its_first_sections() -> None:
    # "Further reading" is a list heading: everything above it (the list's own sections
    # "Chapter 3" and "2021") was taken for the article's text and not read.
    text = (
        "Chapter 3\n"
        "Hale A. Cohorts counting imaginary sleep. J Synth Health. 2004;76:462-663.\n"
        "2021\n"
        "Dale F, Hale E. Cohorts methods outcomes. Synth Epidemiol. 1996;24:62-881.\n"
        "Further reading\n"
        "Ellery A, Grant C. Cohorts sleep revisited. Made-up J. 2002;65:249-917.\n"
    )
    result = parse_text(text, "text")
    assert [r.line for r in result.references] == [2, 4, 6]
    assert result.unread == ()


def test_under_a_heading_an_unmarked_reference_whose_year_is_on_its_next_line_is_read() -> None:
    # "Bexley G. Patterns …" has no year on its line: it was "not read", and its wrapped
    # line with the year an entry with no authors and no title.
    text = (
        "Primary sources\n"
        "Bexley G. Patterns teenagers patterns methods cohorts sleep\n"
        "counting patterns teenagers. Synth Methods. 1993;74:204-526.\n"
        "Arden C. Cohorts invented methods patterns counting trial\n"
        "methods. Synth Methods. 2001;14:293-828.\n"
    )
    result = parse_text(text, "text")
    assert [(r.line, r.fields["author"], r.fields.get("year")) for r in result.references] == [
        (2, "Bexley, G.", "1993"),
        (4, "Arden, C.", "2001"),
    ]
    assert result.problems == ()


def test_line_numbers_before_one_line_references_and_headings_are_taken_off() -> None:
    # Line-numbered, unwrapped: only the headings ("204 Conference papers") tell line
    # numbers from list numbers; read as list numbers, "205 Irving H…" went silently
    # into the reference before the heading.
    text = (
        "200 Chapter 3\n"
        "201 Ellery D, Ellery B. Methods outcomes imaginary. Synth Epidemiol. 2005;26:295-760.\n"
        "202 Hale D. Trial sleep nothing cohorts. Synth Epidemiol. 2015;69:304-794.\n"
        "203 Conference papers\n"
        "204 Irving H, Jarrow B. Counting trial methods. Made-up J. 2020;12:76-745.\n"
        "205 Hale B. Outcomes patterns methods. Synth Methods. 2015;75:349-889.\n"
    )
    result = parse_text(text, "text")
    assert [(r.line, r.fields["author"].split(",")[0]) for r in result.references] == [
        (2, "Ellery"),
        (3, "Hale"),
        (5, "Irving"),
        (6, "Hale"),
    ]
    assert result.problems == ()


def test_sections_of_several_wrapped_references_parted_by_blank_lines_are_not_merged() -> None:
    # Blank lines part the sections, and lines cut at one width: every line between two
    # blank lines was taken as one reference — six references became three, no warning.
    text = (
        "Reports\n"
        "Ellery D, Arden D. Counting methods invented. J\n"
        "Synth Health. 2014;88:476-580.\n"
        "\n"
        "Books\n"
        "Bexley D. Revisited invented synthetic cohorts\n"
        "invented outcomes. Synth Methods. 1994;28:346-593.\n"
        "Corwin C. Synthetic outcomes nothing sleep\n"
        "outcomes outcomes sleep counting nothing sleep.\n"
        "Synth Methods. 1990;68:51-813.\n"
        "\n"
        "Conference papers\n"
        "Farrow D, Irving H. Outcomes sleep outcomes\n"
        "teenagers invented nothing imaginary synthetic\n"
        "revisited invented. Synth Epidemiol.\n"
        "1990;25:73-799.\n"
        "Hale A, Corwin A. Methods invented imaginary\n"
        "methods patterns sleep counting. Made-up J.\n"
        "2008;78:125-867.\n"
    )
    result = parse_text(text, "text")
    assert [(r.line, r.fields.get("year")) for r in result.references] == [
        (2, "2014"),
        (6, "1994"),
        (8, "1990"),
        (13, "1990"),
        (17, "2008"),
    ]
