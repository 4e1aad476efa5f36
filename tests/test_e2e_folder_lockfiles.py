"""End-to-end: one ``citetrack.lock`` per folder (the README's recipe), when a .bib is
deleted or moved to another folder (:mod:`citetrack.tracking.lockfile.folders`).

* ``git rm docs/b/refs.bib``: the file was never read again, so its lockfile reported
  nothing removed (it was not even read when the file was its folder's only .bib) and kept
  the entries for ever.  Now each entry is ``reference-removed``, a note names the file,
  and ``--update-lock`` drops them.
* ``git mv docs/a/refs.bib docs/c/refs.bib``: every reference was new in docs/c (verdicts
  again at once, an upstream change since the lockfile unreported) and docs/a's lockfile
  unread.  Now the file takes its entries with it: no reference added or removed, the
  upstream change reported, and ``--update-lock`` records them in docs/c's lockfile only.

The records are the emulator's SYNTHETIC seed world.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from citetrack_emulator import Emulator
from tests.e2e import Run, run_cli

FAST = ("--per-host-interval", "0", "--timeout", "2", "--no-links")
TITLE_DOI = "10.3322/caac.20005"
A = (
    "@article{thiers2009,\n  author = {Thiers, B. H.},\n"
    "  title = {Cutaneous manifestations of internal malignancy},\n  year = {2009},\n"
    f"  doi = {{{TITLE_DOI}}},\n}}\n\n"
    "@article{compton2013,\n  title = {Necrolytic migratory erythema},\n"
    "  doi = {10.1016/j.amjmed.2013.01.012},\n}\n"
)
B = (
    "@article{pujol2004,\n  title = {Necrolytic migratory erythema},\n"
    "  doi = {10.1001/archderm.140.1.1},\n}\n"
)


@pytest.fixture
def repo(emulator: Emulator, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """docs/a (two references) and docs/b (one), each with its committed lockfile."""
    for folder, text in (("a", A), ("b", B)):
        (tmp_path / "docs" / folder).mkdir(parents=True)
        (tmp_path / "docs" / folder / "refs.bib").write_text(text, encoding="utf-8")
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    done = run_cli("lock", "docs", *FAST, env=env, cwd=tmp_path)
    assert done.code == 0, done.stderr
    return tmp_path, env


def check(root: Path, env: dict[str, str], *more: str) -> Run:
    return run_cli("check", "docs", "-f", "json", "--no-cache", *FAST, *more, env=env, cwd=root)


def findings(run: Run) -> set[tuple[str | None, str, str]]:
    return {
        (ref["path"], ref["key"], f["rule"])
        for ref in run.json()["references"]
        for f in ref["findings"]
    }


def recorded(lockfile: Path) -> list[str]:
    return sorted(json.loads(lockfile.read_text(encoding="utf-8"))["references"])


def test_a_deleted_bib_is_reported_removed_and_dropped_on_update(
    repo: tuple[Path, dict[str, str]],
) -> None:
    root, env = repo
    # The nightly state's copies in a hidden folder are not the repository's lockfiles.
    hidden = root / "docs" / ".state" / "b"
    hidden.mkdir(parents=True)
    shutil.copy(root / "docs/b/citetrack.lock", hidden / "citetrack.lock")
    (root / "docs/b/refs.bib").unlink()
    run = check(root, env)
    assert ("docs/b/refs.bib", "pujol2004", "reference-removed") in findings(run), run.stdout
    assert run.json()["summary"]["removed"] == 1  # the copy in .state reported nothing
    (note,) = [n for n in run.json()["notes"] if "gone since" in n]
    assert note.startswith("docs/b/refs.bib: gone since docs/b/citetrack.lock was written")
    assert recorded(root / "docs/b/citetrack.lock") == ["pujol2004"]  # a check writes nothing
    updated = check(root, env, "--update-lock")
    assert updated.code in (0, 1), updated.stderr
    assert recorded(root / "docs/b/citetrack.lock") == []
    assert recorded(root / "docs/a/citetrack.lock") == ["compton2013", "thiers2009"]
    after = check(root, env)
    assert not any(rule == "reference-removed" for _, _, rule in findings(after))


def test_a_bib_moved_to_another_folder_keeps_its_history(
    repo: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    root, env = repo
    title = "Cutaneous manifestations of internal malignancy: an update"
    emulator.patch_world({"crossref_works": {TITLE_DOI: {"title": [title]}}})
    (root / "docs/c").mkdir()
    (root / "docs/a/refs.bib").rename(root / "docs/c/refs.bib")
    run = check(root, env)
    seen = findings(run)
    assert not any(rule in ("reference-added", "reference-removed") for _, _, rule in seen), seen
    # Measured against the history it brought: the upstream title change since the lock.
    assert ("docs/c/refs.bib", "thiers2009", "metadata-changed") in seen
    (note,) = [n for n in run.json()["notes"] if "moved to another folder" in n]
    assert note.startswith("docs/c/refs.bib: tracked as refs.bib in docs/a/citetrack.lock")
    updated = check(root, env, "--update-lock")
    assert updated.code in (0, 1), updated.stderr
    assert recorded(root / "docs/c/citetrack.lock") == ["compton2013", "thiers2009"]
    assert recorded(root / "docs/a/citetrack.lock") == []
    assert recorded(root / "docs/b/citetrack.lock") == ["pujol2004"]
    after = check(root, env)
    assert after.json()["notes"] == [], after.json()["notes"]
    assert not any(rule.startswith("reference-") for _, _, rule in findings(after))


def test_a_pr_moving_a_bib_during_an_outage_is_not_pending(
    repo: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    """The pull-request gate sees the moved references as the ones it knew: during an
    outage they are "could not verify" (exit 3), not references the change added, which
    would make the gate pending (exit 4) for a move."""
    root, env = repo
    (root / "docs/c").mkdir()
    (root / "docs/a/refs.bib").rename(root / "docs/c/refs.bib")
    for service in ("crossref", "doi", "eutils", "idconv"):
        emulator.add_fault(service, "status", code=503)
    run = check(root, env, "--new-only")
    assert run.code == 3, run.stdout
    assert all("gate" not in ref for ref in run.json()["references"])
