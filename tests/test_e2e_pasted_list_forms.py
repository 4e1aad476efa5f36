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
from typing import Any

import pytest

from citetrack_emulator import Emulator
from tests.e2e import by_key, run_cli


def _work(doi: str, title: str, family: str, given: str, journal: str, year: int,
          volume: str, page: str) -> dict[str, Any]:  # fmt: skip
    """A Crossref ``message`` for one synthetic journal article by one author."""
    return {
        "DOI": doi,
        "type": "journal-article",
        "title": [title],
        "author": [{"given": given, "family": family, "sequence": "first"}],
        "container-title": [journal],
        "issued": {"date-parts": [[year]]},
        "volume": volume,
        "page": page,
        "URL": f"https://doi.org/{doi}",
        "_synthetic": True,
    }


WORKS = {
    "10.5555/jsh.2018.601": _work(
        "10.5555/jsh.2018.601", "Sleep patterns in invented teenagers", "Arden", "Tamsin",
        "Journal of Synthetic Health", 2018, "62", "601-608",
    ),
    "10.5555/fmr.2019.44": _work(
        "10.5555/fmr.2019.44", "A made-up trial of nothing", "Corwin", "Pell",
        "Fictional Medicine Review", 2019, "12", "44-50",
    ),
    "10.5555/se.2020.11": _work(
        "10.5555/se.2020.11", "Imaginary cohorts revisited", "Ellery", "Sian",
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


@pytest.fixture
def env(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    emulator.patch_world({"crossref_works": WORKS})
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}


def test_a_forwarded_lettered_list_with_sections_parses_checks_and_exports_clean(
    env: dict[str, str], tmp_path: Path
) -> None:
    pasted = tmp_path / "forwarded.txt"
    pasted.write_text(FORWARDED, encoding="utf-8")
    bib = tmp_path / "refs.bib"
    parsed = run_cli("parse", str(pasted), "-o", str(bib), env=env)
    assert parsed.code == 0, parsed.stderr
    assert "warning:" not in parsed.stderr, parsed.stderr
    # The letter's own line is said once, as text outside the list.
    assert f"{pasted}:1: note: line 1, before the reference list" in parsed.stderr
    assert "wrote 3 references" in parsed.stderr

    checked = run_cli("check", str(bib), "--no-lockfile", "--no-links", "--format", "json", env=env)
    refs = by_key(checked.json())
    assert sorted(r["identifiers"]["doi"] for r in refs.values()) == sorted(WORKS)
    findings = {(key, f["rule"], f.get("field")) for key, r in refs.items() for f in r["findings"]}
    assert findings == set(), findings
    assert checked.code == 0, checked.stderr

    exported = run_cli("export", str(bib), "--dry-run", env=env)
    assert exported.code == 0, exported.stderr
    assert "citetrack: 0 changes" in exported.stderr
