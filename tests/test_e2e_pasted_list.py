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
from typing import Any

import pytest

from citetrack_emulator import Emulator
from tests.e2e import by_key, run_cli


def _work(doi: str, title: str, authors: list[tuple[str, str]], journal: str, year: int,
          volume: str, issue: str, page: str) -> dict[str, Any]:  # fmt: skip
    """A Crossref ``message`` for one synthetic journal article."""
    return {
        "DOI": doi,
        "type": "journal-article",
        "title": [title],
        "author": [
            {"given": g, "family": f, "sequence": "first" if i == 0 else "additional"}
            for i, (g, f) in enumerate(authors)
        ],
        "container-title": [journal],
        "issued": {"date-parts": [[year]]},
        "volume": volume,
        "issue": issue,
        "page": page,
        "URL": f"https://doi.org/{doi}",
        "_synthetic": True,
    }


WORKS = {
    "10.5555/jicr.2016.88": _work(
        "10.5555/jicr.2016.88", "Tidal clocks of an invented harbour",
        [("Tobias", "Quenby"), ("Petra", "Ashgrove")], "Journal of Imaginary Coastal Research",
        2016, "75", "1", "88-94",
    ),
    "10.5555/jicr.2020.601": _work(
        "10.5555/jicr.2020.601", "Zinc deficiency and acral dermatitis: a cohort study",
        [("Klaus", "Müller"), ("María", "García-López"), ("Sean", "O'Brien")],
        "Journal of Imaginary Coastal Research", 2020, "182", "3", "601-609",
    ),
    "10.5555/fhq.1998.11": _work(
        "10.5555/fhq.1998.11", "Lanterns of the lower valley", [("Kai", "Ostrander")],
        "Fictional History Quarterly", 1998, "3", "2", "11-20",
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


@pytest.fixture
def env(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    emulator.patch_world({"crossref_works": WORKS})
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}


def test_a_pasted_list_of_existing_works_parses_checks_and_exports_clean(
    env: dict[str, str], tmp_path: Path
) -> None:
    pasted = tmp_path / "pasted.txt"
    pasted.write_text(PASTED, encoding="utf-8")
    bib = tmp_path / "refs.bib"
    parsed = run_cli("parse", str(pasted), "-o", str(bib), env=env)
    assert parsed.code == 0, parsed.stderr
    # Nothing dropped without a word: the page's furniture is named, line by line.
    assert f"{pasted}:4: warning:" in parsed.stderr and f"{pasted}:5: warning:" in parsed.stderr
    assert "wrote 3 references" in parsed.stderr

    checked = run_cli("check", str(bib), "--no-lockfile", "--no-links", "--format", "json", env=env)
    report = checked.json()
    refs = by_key(report)
    assert sorted(r["identifiers"]["doi"] for r in refs.values()) == sorted(WORKS)
    findings = {(key, f["rule"], f.get("field")) for key, r in refs.items() for f in r["findings"]}
    assert findings == set(), findings
    assert checked.code == 0, checked.stderr

    exported = run_cli("export", str(bib), "--dry-run", env=env)
    assert exported.code == 0, exported.stderr
    assert "citetrack: 0 changes" in exported.stderr
