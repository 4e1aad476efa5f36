"""Lines outside the reference list are said, never dropped without a word (issue 15).

SYNTHETIC DATA: the references and prose below were made up for these tests.

A rendered text may be a whole article: its prose is not references, and reporting every
line as a problem would bury the real ones.  But when the "prose" was in fact references
(lines whose form the list detector did not take for citations), the user must see that
they were left out: one note per span, with the file and line, and a count in the summary.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from citetrack.parse import parse_text
from citetrack.parse.items import find_list

_LIST = (
    "1. Holloway JR, Pennant K. Moss clocks on imaginary islands. Ann Fict Bot 2009;12:44-51\n"
    "2. Ostrander K. Lanterns of the lower valley. Fict Hist Q. 1998;3:11-20.\n"
)


def test_prose_before_a_numbered_list_is_unread_not_lost() -> None:
    text = "Some prose about moss.\nMore prose, no citation here.\n\n" + _LIST
    found = find_list(text)
    assert [item.line for item in found.items] == [4, 5]
    assert found.unread == [1, 2] and not found.skipped


def test_text_after_the_list_and_after_its_end_heading_is_unread() -> None:
    text = "References\n" + _LIST + "a closing remark\nExternal links\nA portal page\n"
    found = find_list(text)
    assert [item.line for item in found.items] == [2, 3]
    # The headings themselves ("References", "External links") are not counted.
    assert found.unread == [4, 6]


def test_every_non_empty_line_is_an_item_skipped_unread_or_a_heading() -> None:
    text = (
        "Intro line of an article.\n"
        "References\n"
        "1. Ostrander K. Lanterns of the lower valley. Fict Hist Q. 1998;3:11-20.\n"
        "\n"
        "see the printed errata\n"
        "\n"
        "2. Bellweather T. Cheese caves of a made-up canton. Alp Imag. 2003;41(2):5-9.\n"
        "Categories: Made-up things\n"
        "trailing words\n"
    )
    found = find_list(text)
    said = {i.line for i in found.items} | {i.line for i in found.skipped} | set(found.unread)
    assert said == {1, 3, 5, 7, 9}  # 2 and 8 are headings, 4 and 6 blank
    assert [i.line for i in found.skipped] == [5] and found.unread == [1, 9]


def test_parse_result_spans_before_and_after_the_list() -> None:
    text = "Prose one.\nProse two.\n" + _LIST + "\nAfterword.\n"
    result = parse_text(text, "text")
    assert len(result.references) == 2
    assert result.unread == ((1, 2, 2), (6, 6, 1))


def _parse_cli(source: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """``citetrack parse SOURCE -o OUT`` as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "citetrack", "parse", str(source), "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_parse_notes_the_unread_lines(tmp_path: Path) -> None:
    source = tmp_path / "refs.txt"
    source.write_text("Prose one.\nProse two.\n" + _LIST, encoding="utf-8")
    out = tmp_path / "out.bib"
    done = _parse_cli(source, out)
    assert done.returncode == 0, done.stderr
    assert f"{source}:1: note: lines 1-2, before the reference list" in done.stderr
    assert "2 lines outside the list not read" in done.stderr
    assert out.read_text(encoding="utf-8").count("@article{") == 2


def test_a_list_with_nothing_around_it_has_no_note() -> None:
    assert parse_text(_LIST, "text").unread == ()


def test_cli_summary_counts_read_as_sentences(tmp_path: Path) -> None:
    """One reference and one unread line are said in the singular, not "1 references"."""
    source = tmp_path / "one.txt"
    source.write_text("Prose one.\n" + _LIST.splitlines()[0] + "\n", encoding="utf-8")
    out = tmp_path / "out.bib"
    done = _parse_cli(source, out)
    assert done.returncode == 0, done.stderr
    assert f"wrote 1 reference to {out} (1 line outside the list not read)" in done.stderr


def test_an_ibid_note_is_said_not_made_an_entry() -> None:
    # A Chicago notes list: "Ibid., 47." points back at the note before; it is no
    # reference of its own (it came back as an @misc entry that a check cannot verify).
    text = (
        "Notes\n\n"
        "1. Jane Arden, The Invented Orchard (London: Fictional Books, 2011), 45.\n"
        "2. Ibid., 47.\n"
        '3. Wiremu Bexley, "Made-up Rivers," Fictional Law Review 21, no. 3 (2019): 180.\n'
    )
    result = parse_text(text, "text")
    assert [r.line for r in result.references] == [3, 5]
    (problem,) = [p for p in result.problems if p.line == 4]
    assert "repeats the source of the note before it (Ibid.)" in problem.message
