"""End-to-end (issue 15): a journal editor pastes a reference list, parses it, checks the
.bib against the registries and exports it — and a correct list raises no alarm.

``citetrack parse LIST -o refs.bib``, ``citetrack check refs.bib`` and ``citetrack
export refs.bib`` run as the real CLI against the local emulator, whose world holds
every cited work.  A wrong reading of the paste (a DOI with a zero-width space in it,
the journal read as an author, a PDF page's running head read into a reference) shows
as a finding about a citation that is right.

SYNTHETIC DATA: the works, their authors, journals and DOIs (Crossref's test prefix
10.5555) were made up for this test, and so were the lists.
"""

from __future__ import annotations

from pathlib import Path

from citetrack_emulator import Emulator
from tests.e2e import crossref_article, pasted_list_round_trip

WORKS = {
    "10.5555/jicr.2016.88": crossref_article(
        "10.5555/jicr.2016.88", "Tidal clocks of an invented harbour",
        [("Tobias", "Quenby"), ("Petra", "Ashgrove")], "Journal of Imaginary Coastal Research",
        2016, "75", "88-94", issue="1",
    ),
    "10.5555/jicr.2020.601": crossref_article(
        "10.5555/jicr.2020.601", "Zinc deficiency and acral dermatitis: a cohort study",
        [("Klaus", "Müller"), ("María", "García-López"), ("Sean", "O'Brien")],
        "Journal of Imaginary Coastal Research", 2020, "182", "601-609", issue="3",
    ),
    "10.5555/fhq.1998.11": crossref_article(
        "10.5555/fhq.1998.11", "Lanterns of the lower valley", [("Kai", "Ostrander")],
        "Fictional History Quarterly", 1998, "3", "11-20", issue="2",
    ),
}  # fmt: skip

#: The list as pasted from a word processor's PDF: superscript numbers glued to the first
#: author, a zero-width space after a DOI, the title in smart quotes, the journal in a
#: Markdown paste's bold, a page break with its running head and foot inside a reference.
PASTED = (
    "References\n"
    "1Quenby T, Ashgrove P. Tidal clocks of an invented harbour. J Imag Coast Res. "
    "2016;75(1):88-94. doi:10.5555/jicr.2016.88\u200b\n"
    "2Ostrander K. Lanterns of the lower valley. Fict Hist\n"
    "Synthetic Journal of Editing 12 (2024) 1-20\n"
    "14 Quenby et al.\n"
    "Q. 1998;3(2):11-20. doi:10.5555/fhq.1998.11\n"
    "3Müller K, García-López M, O’Brien S. “Zinc deficiency and acral dermatitis: a cohort "
    "study.” **J Imag Coast Res**. 2020;182(3):601–9.\n"
    "doi:10.5555/jicr.2020.601\n"
)


def test_a_pasted_list_of_existing_works_parses_checks_and_exports_clean(
    emulator: Emulator, tmp_path: Path
) -> None:
    pasted = tmp_path / "pasted.txt"
    parsed = pasted_list_round_trip(emulator, pasted, PASTED, WORKS)
    # Nothing dropped without a word: the page's furniture is named, line by line.
    assert f"{pasted}:4: warning:" in parsed.stderr and f"{pasted}:5: warning:" in parsed.stderr
    assert "wrote 3 references" in parsed.stderr
