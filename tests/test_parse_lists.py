"""Reference lists numbered, sectioned and quoted every way an editor pastes them (issue 15):
each item's marker is the list's, never part of its first author.

SYNTHETIC DATA: every reference below was made up for these tests (invented authors,
titles and journals); none is copied from a real list or from any training or measuring set.
"""

from __future__ import annotations

import pytest

from citetrack.parse import parse_text
from citetrack.parse.items import find_list

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
