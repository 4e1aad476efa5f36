"""End-to-end: ``check --new-only`` as the pull-request gate, through the real CLI against
the emulator (:mod:`citetrack.tracking.lockfile.gate`).

* A pull request that adds a fabricated DOI on a night the registries are down was
  "could not verify" (exit 3), which the gate tolerates: it passed.  A reference the
  change adds or edits that could not be verified is now *pending* (exit 4), while the
  old references the outage left unchecked stay exit 3.
* An overnight retraction of a reference no pull request touched failed every pull
  request (``changed`` findings are always new) until someone ran ``citetrack lock``.
  It is now listed (a note, the reference's ``"gate": "upstream"``, a warning annotation)
  but fails only the check without ``--new-only``, the nightly job; a pull request that
  touches the retracted reference, or cites the retracted work anew, still fails.

The records are the emulator's SYNTHETIC seed world.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from citetrack_emulator import Emulator
from tests.e2e import Run, by_key, run_cli

FAST = ("--per-host-interval", "0", "--timeout", "2", "--no-links")
RETRACTED_DOI = "10.1016/j.amjmed.2013.01.012"
BASE = (
    "@article{thiers2009,\n"
    "  author = {Thiers, B. H.},\n"
    "  title = {Cutaneous manifestations of internal malignancy},\n"
    "  year = {2009},\n"
    "  doi = {10.3322/caac.20005},\n}\n\n"
    "@article{compton2013,\n"
    "  title = {Necrolytic migratory erythema},\n"
    f"  doi = {{{RETRACTED_DOI}}},\n}}\n"
)
FABRICATED = (
    "\n@article{fabricated2026,\n"
    "  author = {Nobody, A.},\n"
    "  title = {A study that does not exist},\n"
    "  year = {2026},\n"
    "  doi = {10.5555/fabricated.2026.0001},\n}\n"
)


@pytest.fixture
def locked(emulator: Emulator, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A committed citetrack.lock over two references, accepted while all was well."""
    bib = tmp_path / "references.bib"
    bib.write_text(BASE, encoding="utf-8")
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    done = run_cli("lock", str(bib), *FAST, env=env)
    assert done.code == 0, done.stderr
    return bib, env


def gate(bib: Path, env: dict[str, str], *more: str) -> Run:
    """The pull-request gate as the example workflow runs it (fresh evidence: a new runner)."""
    return run_cli("check", str(bib), "--new-only", "--no-cache", *FAST, *more, env=env)


def outage(emulator: Emulator) -> None:
    for service in ("crossref", "doi", "eutils", "idconv"):
        emulator.add_fault(service, "status", code=503)


def retract(emulator: Emulator) -> None:
    notice = {
        "DOI": "10.5555/ct.compton-retraction",
        "type": "retraction",
        "label": "Retraction",
        "source": "publisher",
        "updated": {"date-parts": [[2026, 11, 1]]},
    }
    emulator.patch_world({"crossref_works": {RETRACTED_DOI: {"updated-by": [notice]}}})


def test_a_fabricated_doi_added_during_an_outage_is_pending_not_passed(
    locked: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    bib, env = locked
    outage(emulator)
    # The outage alone: the old references could not be verified, exit 3 as before.
    quiet = gate(bib, env, "-f", "json")
    assert quiet.code == 3, quiet.stderr
    assert all("gate" not in r for r in quiet.json()["references"])
    # The pull request adds a reference nobody could check: the gate is pending, exit 4.
    bib.write_text(BASE + FABRICATED, encoding="utf-8")
    run = gate(bib, env, "-f", "json")
    assert run.code == 4, run.stderr
    refs = by_key(run.json())
    assert refs["fabricated2026"]["gate"] == "pending"
    assert refs["fabricated2026"]["status"] == "unverified"
    assert "gate" not in refs["thiers2009"] and "gate" not in refs["compton2013"]
    (note,) = [n for n in run.json()["notes"] if "could not be verified" in n]
    assert "fabricated2026" in note and "exit 4" in note
    # --ignore-unverified is about exit 3; it does not wave the new reference through.
    assert gate(bib, env, "--ignore-unverified").code == 4
    # Editing an old reference's identifier is making it anew: pending too.
    bib.write_text(BASE.replace("10.3322/caac.20005", "10.3322/caac.29999"), encoding="utf-8")
    edited = gate(bib, env, "-f", "json")
    assert edited.code == 4, edited.stderr
    assert by_key(edited.json())["thiers2009"]["gate"] == "pending"


def test_once_the_registries_answer_the_fabricated_doi_fails_the_gate(
    locked: tuple[Path, dict[str, str]],
) -> None:
    bib, env = locked
    bib.write_text(BASE + FABRICATED, encoding="utf-8")
    run = gate(bib, env, "-f", "json")
    assert run.code == 1, run.stderr
    assert "doi-not-found" in {f["rule"] for f in by_key(run.json())["fabricated2026"]["findings"]}


def test_a_doi_no_agency_can_have_issued_fails_the_gate_even_offline(
    locked: tuple[Path, dict[str, str]],
) -> None:
    """``10.abc/xyz`` (a registrant code that is not digits) names no work, for certain:
    it was a malformed-identifier *warning*, and a fabricated reference carrying it passed
    the gate with exit 0 ("0 confirmed by a source").  It needs no registry to judge, so it
    fails the gate on a night the registries are down too, at its line."""
    bib, env = locked
    impossible = FABRICATED.replace("10.5555/fabricated.2026.0001", "10.abc/fabricated")
    bib.write_text(BASE + impossible, encoding="utf-8")
    for extra in ((), ("--offline",)):
        run = gate(bib, env, "-f", "json", *extra)
        assert run.code == 1, run.stderr
        ref = by_key(run.json())["fabricated2026"]
        assert ref["status"] == "broken"
        (finding,) = [f for f in ref["findings"] if f["rule"] == "identifier-malformed"]
        assert finding["severity"] == "broken" and finding["line"] == BASE.count("\n") + 2
    # A DOI whose form can exist is still the registries' to judge: a warning offline.
    odd = FABRICATED.replace("10.5555/fabricated.2026.0001", "10.5555/not a doi")
    bib.write_text(BASE + odd, encoding="utf-8")
    run = gate(bib, env, "-f", "json", "--offline")
    ref = by_key(run.json())["fabricated2026"]
    malformed = [f for f in ref["findings"] if f["rule"] == "identifier-malformed"]
    assert [f["severity"] for f in malformed] == ["warning"]


def test_an_overnight_retraction_is_shown_on_an_unrelated_pr_but_fails_only_the_nightly(
    locked: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    bib, env = locked
    retract(emulator)
    # An unrelated pull request: it edits nothing about compton2013.
    bib.write_text(BASE.replace("Cutaneous manifestations", "Cutaneous Manifestations"))
    run = gate(bib, env, "-f", "json")
    assert run.code == 0, run.stderr
    compton = by_key(run.json())["compton2013"]
    assert compton["gate"] == "upstream"
    assert {"retracted", "retraction-new"} <= {f["rule"] for f in compton["findings"]}
    (note,) = [n for n in run.json()["notes"] if "did not touch" in n]
    assert "compton2013 (retracted, retraction-new)" in note
    # On the pull request's page: a warning annotation and the note, not an error.
    annotations = gate(bib, env, "-f", "github")
    assert annotations.code == 0
    lines = annotations.stdout.splitlines()
    assert not any(line.startswith("::error") for line in lines), annotations.stdout
    assert any(
        line.startswith("::warning") and "retracted (compton2013)" in line and "upstream" in line
        for line in lines
    ), annotations.stdout
    assert any(line.startswith("::notice") and "did not touch" in line for line in lines)
    # JUnit, as the exit code: no failure of the change, the retraction in its output.
    junit = gate(bib, env, "-f", "junit")
    assert junit.code == 0
    assert 'failures="0"' in junit.stdout and "retraction-new" in junit.stdout
    # The nightly job (no --new-only) fails on it.
    nightly = run_cli("check", str(bib), "--no-cache", *FAST, env=env)
    assert nightly.code == 1, nightly.stdout


def test_a_pr_touching_the_retracted_reference_or_citing_it_anew_fails(
    locked: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    bib, env = locked
    retract(emulator)
    # The pull request edits the retracted reference (adds a URL): it is the PR's now.
    touched = BASE.replace(
        f"  doi = {{{RETRACTED_DOI}}},",
        f"  doi = {{{RETRACTED_DOI}}},\n  url = {{https://example.org/compton}},",
    )
    bib.write_text(touched, encoding="utf-8")
    run = gate(bib, env, "-f", "json")
    assert run.code == 1, run.stderr
    assert "gate" not in by_key(run.json())["compton2013"]
    # A new reference citing the retracted work fails too.
    anew = (
        BASE
        + "\n@article{again2026,\n  title = {Necrolytic migratory erythema},\n"
        + f"  doi = {{{RETRACTED_DOI}}},\n}}\n"
    )
    bib.write_text(anew, encoding="utf-8")
    run = gate(bib, env, "-f", "json")
    assert run.code == 1, run.stderr
    assert "retracted" in {f["rule"] for f in by_key(run.json())["again2026"]["findings"]}
    assert by_key(run.json())["compton2013"]["gate"] == "upstream"


def test_a_new_citation_of_a_site_that_refuses_robots_is_not_pending_for_ever(
    locked: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    """A bot wall (403) answers so every time: waiting would not help, so the reference
    stays "could not verify" (exit 3) instead of making every run of the gate pending."""
    bib, env = locked
    emulator.patch_world({"pages": {"/e2e/forbidden": {"status": 403, "title": "Forbidden"}}})
    page = emulator.page_url("/e2e/forbidden")
    bib.write_text(
        BASE
        + f"\n@online{{walled,\n  title = {{A page behind a bot wall}},\n  url = {{{page}}},\n}}\n",
        encoding="utf-8",
    )
    args = ("check", str(bib), "--new-only", "--no-cache", "-f", "json", "--allow-private-urls")
    run = run_cli(*args, "--per-host-interval", "0", "--timeout", "2", env=env)
    assert run.code == 3, run.stdout
    walled = by_key(run.json())["walled"]
    assert "url-blocked" in {f["rule"] for f in walled["findings"]}
    assert "gate" not in walled
