"""citetrack as a user runs it on a laptop: the real CLI, the local emulator, a fresh cache.

Each test is a workflow a user reported wrong although every check in it was right alone.
"""

from __future__ import annotations

from pathlib import Path

from citetrack_emulator import Emulator
from tests.e2e import run_cli

# SYNTHETIC: a DOI typed with spaces, and one written in a sentence.
SPACED_BIB = """@article{spaced, title = {A paper}, author = {Doe, J.}, year = {2020},
  doi = {10.1234/not a doi}}
@article{sentence, title = {B paper}, author = {Roe, K.}, year = {2019},
  doi = {see 10.1000/xyz123 online}}
"""


def _env(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}


def test_a_doi_cut_by_a_space_is_not_offered_shortened_as_its_fix(
    emulator: Emulator, tmp_path: Path
) -> None:
    """``10.1234/not a doi`` was offered the fix ``10.1234/not``: another DOI, not the one
    meant.  A DOI plainly set in a sentence keeps its suggestion."""
    bib = tmp_path / "refs.bib"
    bib.write_text(SPACED_BIB, encoding="utf-8")
    env = _env(emulator, tmp_path)
    run = run_cli("check", str(bib), "--no-lockfile", "-f", "json", env=env)
    found = {
        r["key"]: f["suggestion"]
        for r in run.json()["references"]
        for f in r["findings"]
        if f["rule"] == "identifier-malformed"
    }
    assert found == {"spaced": None, "sentence": "10.1000/xyz123"}, run.stdout
    text = run_cli("check", str(bib), "--no-lockfile", env=env)
    assert "10.1234/not\n" not in text.stdout and "suggestion: 10.1234/not" not in text.stdout
    export = run_cli("export", str(bib), "--diff", env=env)
    assert export.code == 0, export.stderr
    assert "'10.1234/not'" not in export.stderr, export.stderr
    assert "10.1234/not a doi" in bib.read_text(encoding="utf-8")  # the input untouched


def test_one_reference_is_counted_in_the_singular(emulator: Emulator, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(SPACED_BIB.split("@article{sentence", maxsplit=1)[0], encoding="utf-8")
    run = run_cli("check", str(bib), "--local", env=_env(emulator, tmp_path))
    assert run.code == 3, run.stderr  # the search was not run: not verified
    assert "1 reference: 1 warning" in run.stdout and "1 references" not in run.stdout
