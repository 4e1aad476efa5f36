"""The ``--new-only`` gate after an upgrade that normalises identifiers otherwise.

The lockfile records each reference's identifiers in citetrack's normalised form, and the
gate takes a reference whose identifiers differ from the recorded ones for one the pull
request made (``touched``: its outage is *pending*, exit 4).  A newer citetrack that
normalises a DOI, ISBN or URL otherwise must not make every such reference the pull
request's: the recorded values are normalised again by this version before comparing.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from citetrack.model import (
    CheckResult,
    Finding,
    Identifiers,
    Reference,
    ReferenceResult,
    Severity,
    Source,
)
from citetrack.tracking.lockfile import DEFAULT_POLICY, Lock, apply_confirmation
from citetrack.tracking.lockfile.confirm import failing_of, never_seen
from citetrack.tracking.lockfile.gate import same_identifiers, touched
from citetrack.tracking.lockfile.renames import find_renames
from citetrack.tracking.lockfile.state import Failing, LockEntry
from tests.e2e import run_cli


def _ref(**ids: str) -> Reference:
    return Reference(key="k", entry_type="article", fields={}, identifiers=Identifiers(**ids))


def test_identifiers_recorded_in_an_older_form_are_not_the_change_s() -> None:
    now = _ref(doi="10.1000/xyz", isbn="9780306406157", pmcid="PMC123")
    older = {"doi": "doi:10.1000/XYZ.", "isbn": "978-0-306-40615-7", "pmcid": "pmc123"}
    assert not touched(LockEntry(file="a.bib", identifiers=older), now)
    assert same_identifiers(dict(now.identifiers.as_dict()), now.identifiers.as_dict())
    # one an older version kept and this one refuses: gone on both sides
    assert same_identifiers({"doi": "10.1000/xyz", "issn": "not an issn"}, {"doi": "10.1000/xyz"})


def test_identifiers_really_edited_are_the_change_s() -> None:
    now = _ref(doi="10.1000/xyz", url="https://example.org/A")
    assert touched(None, now)
    for recorded in (
        {"doi": "10.1000/xyz2", "url": "https://example.org/A"},  # another DOI
        {"doi": "10.1000/xyz"},  # the URL added
        {"doi": "10.1000/xyz", "url": "https://example.org/a"},  # a URL's path has case
        {"doi": "10.1000/xyz", "url": "https://example.org/A", "pmid": "1"},  # PMID removed
    ):
        assert touched(LockEntry(file="a.bib", identifiers=recorded), now), recorded


BIB = """@article{thiers2009,
  author = {Thiers, B. H.},
  title = {Cutaneous manifestations},
  journal = {CA Cancer J Clin},
  year = {2009},
  doi = {10.3322/caac.20005},
}
"""


def test_the_gate_is_not_pending_for_a_reference_recorded_in_an_older_form(
    tmp_path: Path,
) -> None:
    """End to end, offline (nothing can be verified: an outage): the untouched reference
    whose DOI the lockfile recorded in an older form is exit 3 (unverified, tolerated),
    not exit 4 (pending, a reference the pull request made)."""
    env = {"CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    bib = tmp_path / "refs.bib"
    bib.write_text(BIB, encoding="utf-8")
    lock = tmp_path / "citetrack.lock"
    older = {
        "schema_version": 1,
        "references": {
            "thiers2009": {"file": "refs.bib", "identifiers": {"doi": "doi:10.3322/CAAC.20005."}}
        },
    }
    lock.write_text(json.dumps(older), encoding="utf-8")
    offline = ("--offline", "--no-cache", "--no-links")
    gate = run_cli("check", str(bib), "--new-only", *offline, "-f", "json", env=env, cwd=tmp_path)
    assert gate.code == 3, (gate.code, gate.stderr)
    (reference,) = gate.json()["references"]
    assert reference.get("gate") != "pending", reference
    # the same lockfile with another DOI recorded: the change's, so pending
    older["references"]["thiers2009"]["identifiers"] = {"doi": "10.3322/caac.20006"}  # type: ignore[index]
    lock.write_text(json.dumps(older), encoding="utf-8")
    edited = run_cli("check", str(bib), "--new-only", *offline, env=env, cwd=tmp_path)
    assert edited.code == 4, (edited.code, edited.stderr)


def test_a_failing_doi_recorded_in_an_older_form_keeps_waiting_for_confirmation() -> None:
    """A DOI failing one night is a warning until the failure is confirmed over runs;
    only a DOI the lockfile never saw gets its verdict at once.  Recorded in an older
    form, it was "never seen" after an upgrade: broken at once on one bad night."""
    once = Failing(1, date(2026, 11, 19))
    entry = LockEntry(
        file="refs.bib",
        identifiers={"doi": "doi:10.1000/XYZ."},
        failing={"doi:doi:10.1000/XYZ.": once},
    )
    assert not never_seen("doi:10.1000/xyz", entry)
    assert failing_of(entry, "doi:10.1000/xyz") == once
    assert never_seen("doi:10.1000/other", entry)
    ref = Reference(
        key="k",
        entry_type="article",
        fields={},
        identifiers=Identifiers(doi="10.1000/xyz"),
        path="refs.bib",
    )
    bad_night = Finding("k", "doi-not-found", Severity.BROKEN, "not found", source=Source.CROSSREF)
    run = CheckResult(results=(ReferenceResult(reference=ref, findings=(bad_night,)),))
    fresh = LockEntry(file="refs.bib", identifiers={"doi": "doi:10.1000/XYZ."})
    for recorded in (entry, fresh):
        lock = Lock(references={"k": recorded})
        now = datetime(2026, 11, 20, 3, tzinfo=UTC)
        (reported,) = apply_confirmation(run, lock, DEFAULT_POLICY, now).results[0].findings
        assert reported.severity is Severity.WARNING, reported


def test_a_url_recorded_in_an_older_form_was_seen() -> None:
    """A dead URL the lockfile saw waits for confirmation; recorded in an older form
    (a LaTeX escape the normaliser now undoes) it was "never seen": dead at once."""
    entry = LockEntry(file="refs.bib", identifiers={"url": r"https://example.org/a\_b"})
    assert not never_seen("url:https://example.org/a_b", entry)
    assert never_seen("url:https://example.org/other", entry)


def test_a_key_renamed_is_found_by_an_identifier_recorded_in_an_older_form() -> None:
    old = LockEntry(file="refs.bib", identifiers={"doi": "doi:10.1000/XYZ."})
    now = Reference(
        key="renamed",
        entry_type="article",
        fields={},
        identifiers=Identifiers(doi="10.1000/xyz"),
        path="refs.bib",
    )
    found = find_renames(Lock(references={"old": old}), CheckResult((ReferenceResult(now),)))
    assert [(r.was_key, r.key) for r in found] == [("old", "renamed")]
