"""End-to-end (issue 15): a reference list forwarded in an e-mail, lettered per section,
with a heading of each kind of work — parsed, checked and exported without an alarm.

``citetrack parse LIST -o refs.bib``, ``citetrack check refs.bib`` and ``citetrack export
refs.bib`` run as the real CLI against the local emulator, whose world holds every cited
work.  Before issue 15's list fixes the quote marks went into the first authors
("{> a. Arden T}"), the headings became entries or "not read" warnings, and each wrapped
journal line an entry of its own: each a false finding about a citation that is right.

SYNTHETIC DATA: the works, their authors, journals and DOIs (Crossref's test prefix
10.5555) were made up for this test, and so was the list.
"""

from __future__ import annotations

from pathlib import Path

from citetrack_emulator import Emulator
from tests.e2e import crossref_article, pasted_list_round_trip

WORKS = {
    "10.5555/jsh.2018.601": crossref_article(
        "10.5555/jsh.2018.601", "Sleep patterns in invented teenagers", [("Tamsin", "Arden")],
        "Journal of Synthetic Health", 2018, "62", "601-608",
    ),
    "10.5555/fmr.2019.44": crossref_article(
        "10.5555/fmr.2019.44", "A made-up trial of nothing", [("Pell", "Corwin")],
        "Fictional Medicine Review", 2019, "12", "44-50",
    ),
    "10.5555/se.2020.11": crossref_article(
        "10.5555/se.2020.11", "Imaginary cohorts revisited", [("Sian", "Ellery")],
        "Synthetic Epidemiology", 2020, "3", "11-19",
    ),
}  # fmt: skip

#: A colleague's reply quoting the list: lettered from "a." in each section, each journal
#: wrapped onto a line of its own, a zero-width space before one letter.
FORWARDED = (
    "Here is the list again (synthetic).\n"
    "\n"
    "> References\n"
    ">\n"
    "> Journal articles\n"
    "> a. Arden T. Sleep patterns in invented teenagers.\n"
    "> J Synth Health. 2018;62:601-8. doi:10.5555/jsh.2018.601\n"
    "> \u200bb. Corwin P. A made-up trial of nothing.\n"
    "> Fict Med Rev. 2019;12:44-50. doi:10.5555/fmr.2019.44\n"
    ">\n"
    "> Conference papers\n"
    "> a. Ellery S. Imaginary cohorts revisited.\n"
    "> Synth Epidemiol. 2020;3:11-9. doi:10.5555/se.2020.11\n"
)


def test_a_forwarded_lettered_list_with_sections_parses_checks_and_exports_clean(
    emulator: Emulator, tmp_path: Path
) -> None:
    pasted = tmp_path / "forwarded.txt"
    parsed = pasted_list_round_trip(emulator, pasted, FORWARDED, WORKS)
    assert "warning:" not in parsed.stderr, parsed.stderr
    # The letter's own line is said once, as text outside the list.
    assert f"{pasted}:1: note: line 1, before the reference list" in parsed.stderr
    assert "wrote 3 references" in parsed.stderr
