"""End-to-end: the nightly CI scenario and the pull-request gate, through the real CLI
against the emulator (issue 12, "Tracking must see what changed").

lock → upstream changes (a title fix, a retraction, a URL that dies, an archive removed)
→ the nightly check, with the evidence cache still warm from earlier runs, reports exactly
those changes; a pull request adding a fabricated DOI fails ``--new-only``; a registry
outage makes the pull-request job exit 3 (could not verify), never 1, or 4 (pending) when
the pull request adds a reference that could not be verified.

Time passing is simulated by moving the cache's ``stored_at`` stamps and the lockfile's
modification time back, as they would be after a night; the records are SYNTHETIC.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from citetrack.tracking.codec import text_digest
from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, Run, by_key, run_cli

FAST = ("--per-host-interval", "0", "--timeout", "2", "--allow-private-urls")
CONFIRM_NOW = ("--confirm-failures", "1", "--confirm-days", "1")
TITLE_DOI = "10.3322/caac.20005"
FABRICATED = (
    "\n@article{fabricated2026,\n"
    "  author = {Nobody, A.},\n"
    "  title = {A study that does not exist},\n"
    "  journal = {Journal of Synthetic Results},\n"
    "  year = {2026},\n"
    "  doi = {10.5555/fabricated.2026.0001},\n}\n"
)


@pytest.fixture
def project(emulator: Emulator, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The seed's references plus one web page with a cited Wayback copy (SYNTHETIC)."""
    page = emulator.page_url("/article/nme-review")
    capture = {"timestamp": "20210829120000", "statuscode": "200", "mimetype": "text/html"}
    emulator.patch_world({"wayback": {page: [capture]}})
    web = (
        "\n@online{nme2021review,\n"
        "  title = {The glucagonoma syndrome and necrolytic migratory erythema},\n"
        f"  url = {{{page}}},\n"
        f"  archiveurl = {{https://web.archive.org/web/20210829120000/{page}}},\n"
        "  urldate = {2021-06-01},\n}\n"
    )
    bib = tmp_path / "refs.bib"
    bib.write_text(SEED_BIB.read_text(encoding="utf-8") + web, encoding="utf-8")
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    return bib, env


def age(tmp_path: Path, lock: Path, hours: float) -> None:
    """Pretend ``hours`` passed: every cached answer and the lockfile get older."""
    seconds = hours * 3600
    db = sqlite3.connect(tmp_path / "cache" / "evidence.sqlite3")
    with db:
        db.execute("UPDATE evidence SET stored_at = stored_at - ?", (seconds,))
    db.close()
    stamp = lock.stat().st_mtime - seconds
    os.utime(lock, (stamp, stamp))


def changes(run: Run) -> set[tuple[str, str, str | None]]:
    return {
        (ref["key"], f["rule"], f["field"])
        for ref in run.json()["references"]
        for f in ref["findings"]
        if f["severity"] == "changed"
    }


def upstream_changes(emulator: Emulator) -> None:
    retraction = {
        "DOI": "10.5555/ct.compton-retraction",
        "type": "retraction",
        "label": "Retraction",
        "source": "publisher",
        "updated": {"date-parts": [[2026, 11, 1]]},
    }
    emulator.patch_world(
        {
            "crossref_works": {
                TITLE_DOI: {
                    "title": ["Cutaneous manifestations of internal malignancy: an update"]
                },
                "10.1016/j.amjmed.2013.01.012": {"updated-by": [retraction]},
            },
            "pages": {"/article/nme-review": {"status": 404, "title": "404 Not Found"}},
            "wayback": {emulator.page_url("/article/nme-review"): None},
        }
    )


def test_nightly_with_a_warm_cache_reports_exactly_the_upstream_changes(
    project: tuple[Path, dict[str, str]], emulator: Emulator, tmp_path: Path
) -> None:
    bib, env = project
    lock = bib.parent / "citetrack.lock"
    assert run_cli("lock", str(bib), *FAST, env=env).code == 0
    # An earlier night warmed the cache; nothing changed then.
    quiet = run_cli("check", str(bib), "-f", "json", *FAST, env=env)
    assert quiet.code == 0, quiet.stderr
    assert changes(quiet) == set()

    upstream_changes(emulator)
    age(tmp_path, lock, hours=8)  # the next night: the cache is 8 hours old, not 7 days

    # The cache really is warm: without a lockfile its 8-hour-old title is still served.
    stale = run_cli("check", str(bib), "--no-lockfile", "-f", "json", *FAST, env=env)
    thiers = by_key(stale.json())["thiers2009cutaneous"]
    assert all(f["rule"] != "metadata-mismatch" for f in thiers["findings"]), thiers

    # The rule is what sees the change: allowed a day-old cache, the check does not.
    lax = run_cli("check", str(bib), "-f", "json", "--max-cache-age", "24", *FAST, env=env)
    assert ("thiers2009cutaneous", "metadata-changed", "title") not in changes(lax)

    nightly = run_cli("check", str(bib), "-f", "json", *CONFIRM_NOW, *FAST, env=env)
    assert changes(nightly) == {
        ("thiers2009cutaneous", "metadata-changed", "title"),
        ("compton2013rare", "retraction-new", None),
        ("nme2021review", "url-died", "url"),
        ("nme2021review", "archive-vanished", "archiveurl"),
    }, nightly.stdout
    assert nightly.code == 1  # the retraction is broken


def test_an_older_cached_record_is_never_compared_against_a_newer_baseline(
    project: tuple[Path, dict[str, str]], emulator: Emulator, tmp_path: Path
) -> None:
    bib, env = project
    lock = bib.parent / "citetrack.lock"
    # The cache learns volume 127 ...
    emulator.patch_world({"crossref_works": {TITLE_DOI: {"volume": "127"}}})
    assert run_cli("check", str(bib), "--no-lockfile", "--no-links", *FAST, env=env).code in (0, 1)
    # ... the registry corrects it to 126, and the baseline is written from a fresh fetch.
    emulator.patch_world({"crossref_works": {TITLE_DOI: {"volume": "126"}}})
    age(tmp_path, lock=bib, hours=1)  # the cached 127 is an hour old (bib: any file)
    done = run_cli("check", str(bib), "--update-lock", "--no-cache", "--no-links", *FAST, env=env)
    assert done.code in (0, 1), done.stderr
    assert lock.exists()
    # A plain check must not report "was 127, now 126" (or back) from the older cache.
    plain = run_cli("check", str(bib), "--no-links", "-f", "json", *FAST, env=env)
    assert changes(plain) == set(), plain.stdout


def test_lock_accepts_only_evidence_fetched_in_its_run(
    project: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    bib, env = project
    assert run_cli("check", str(bib), "--no-lockfile", "--no-links", *FAST, env=env).code == 0
    upstream_changes(emulator)
    # Seconds later the cache is fresh by any age limit; lock must still ask the registry.
    assert run_cli("lock", str(bib), "--no-links", *FAST, env=env).code == 0
    text = (bib.parent / "citetrack.lock").read_text(encoding="utf-8")
    assert "Cutaneous manifestations of internal malignancy: an update" in text
    assert "retraction" in text


def test_pr_gate_fails_on_a_fabricated_doi_and_tolerates_an_outage(
    project: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    bib, env = project
    assert run_cli("lock", str(bib), *FAST, env=env).code == 0
    bib.write_text(bib.read_text(encoding="utf-8") + FABRICATED, encoding="utf-8")

    pr = run_cli("check", str(bib), "--new-only", "-f", "json", *FAST, env=env)
    assert pr.code == 1, pr.stdout
    fabricated = by_key(pr.json())["fabricated2026"]
    assert fabricated["status"] == "broken"
    assert {f["rule"] for f in fabricated["findings"]} >= {"doi-not-found"}
    assert "not yet confirmed" not in pr.stdout

    # The registries are down: the old references could not be verified (exit 3, which
    # the PR job tolerates), but neither could the one the PR adds: the gate is pending,
    # exit 4, which it does not (test_e2e_pr_gate.py).
    for service in ("crossref", "doi", "eutils", "idconv"):
        emulator.add_fault(service, "status", code=503)
    outage = run_cli("check", str(bib), "--new-only", "-f", "json", "--no-cache", *FAST, env=env)
    assert outage.code == 4, outage.stdout
    fabricated = by_key(outage.json())["fabricated2026"]
    severities = {f["severity"] for f in fabricated["findings"]}
    assert "unverified" in severities and "broken" not in severities
    assert fabricated["gate"] == "pending"
    bib.write_text(bib.read_text(encoding="utf-8").replace(FABRICATED, ""), encoding="utf-8")
    old = run_cli("check", str(bib), "--new-only", "-f", "json", "--no-cache", *FAST, env=env)
    assert old.code == 3, old.stdout


def test_a_change_is_reported_every_night_until_locked_and_a_retraction_stays_broken(
    project: tuple[Path, dict[str, str]], emulator: Emulator, tmp_path: Path
) -> None:
    # Weeks of nights in one: the remembered findings, the replayed reports and the cache
    # must never make a change reported once vanish before someone accepts it with `lock`.
    bib, env = project
    lock = bib.parent / "citetrack.lock"
    nightly = ("check", str(bib), "-f", "json", *CONFIRM_NOW, *FAST)
    assert run_cli("lock", str(bib), *FAST, env=env).code == 0
    first = run_cli(*nightly, env=env)
    assert (first.code, changes(first)) == (0, set()), first.stdout

    upstream_changes(emulator)
    reported = []
    for _night in range(3):  # the change night and two quiet nights after it
        age(tmp_path, lock, hours=24)
        night = run_cli(*nightly, env=env)
        assert night.code == 1, night.stderr
        reported.append(changes(night))
    expected = {
        ("thiers2009cutaneous", "metadata-changed", "title"),
        ("compton2013rare", "retraction-new", None),
        ("nme2021review", "url-died", "url"),
        ("nme2021review", "archive-vanished", "archiveurl"),
    }
    assert reported == [expected] * 3
    # The same night run twice (a re-run CI job): replayed or not, the same answer.
    again = run_cli(*nightly, env=env)
    assert (again.code, changes(again)) == (1, expected)

    # Accepted: the changes are the baseline now, but a retracted work is still broken.
    age(tmp_path, lock, hours=24)
    assert run_cli("lock", str(bib), *CONFIRM_NOW, *FAST, env=env).code in (0, 1)
    after = run_cli(*nightly, env=env)
    assert changes(after) == set(), after.stdout
    compton = by_key(after.json())["compton2013rare"]
    assert compton["status"] == "broken" and after.code == 1


def test_lock_files_its_own_comparisons_for_the_check_that_follows(
    project: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    # `lock` compares what it fetched with the lockfile it wrote, read back from disk, and
    # files every source comparison that found nothing under that file's digest: the first
    # nightly check after it skips them as the second one would (issue 16).
    bib, env = project
    assert run_cli("lock", str(bib), "--no-links", *FAST, env=env).code == 0
    lockfile = bib.parent / "citetrack.lock"
    sources = sum(
        len(entry.get("sources", {}))
        for entry in json.loads(lockfile.read_text(encoding="utf-8"))["references"].values()
    )
    memo = next((tmp_path / "cache").glob("memo-*.sqlite3"))
    db = sqlite3.connect(memo)
    with db:
        rows = db.execute("SELECT value FROM memo WHERE kind = 'lock-settled/1'").fetchall()
    db.close()
    assert len(rows) == 1
    head, *tokens = str(rows[0][0]).split("\n")
    assert head == text_digest(lockfile.read_text(encoding="utf-8"))
    assert sources > 10
    assert len(tokens) == sources
    night = run_cli("check", str(bib), "-f", "json", "--no-links", *FAST, env=env)
    assert (night.code, changes(night), night.json()["requests"]) == (0, set(), {})


def test_a_record_refreshed_in_the_cache_is_compared_again_against_an_unchanged_lockfile(
    project: tuple[Path, dict[str, str]], emulator: Emulator, tmp_path: Path
) -> None:
    # The nightly job's lockfile stays the same for weeks; comparisons that found nothing
    # are remembered per lockfile (issue 16).  A record that another run refreshed in the
    # cache (a new retraction) must be compared again, from the cache, without a request.
    bib, env = project
    quiet = ("check", str(bib), "-f", "json", "--no-links", *FAST)
    assert run_cli("lock", str(bib), "--no-links", *FAST, env=env).code == 0
    for _ in range(2):  # the second run skips what the first found nothing in
        night = run_cli(*quiet, env=env)
        assert (night.code, changes(night)) == (0, set()), night.stdout
    memo = next((tmp_path / "cache").glob("memo-*.sqlite3"))
    db = sqlite3.connect(memo)
    with db:
        settled = db.execute("SELECT count(*) FROM memo WHERE kind = 'lock-settled/1'").fetchone()
    db.close()
    assert settled == (1,)

    upstream_changes(emulator)
    age(tmp_path, lock=bib.parent / "citetrack.lock", hours=24 * 8)  # the cache expired
    # A run without the lockfile (a laptop's) fetches the changed records into the cache.
    refresh = run_cli(
        "check", str(bib), "--no-lockfile", "--no-links", "-f", "json", *FAST, env=env
    )
    assert refresh.json()["requests"].get("crossref"), refresh.json()["requests"]
    night = run_cli(*quiet, env=env)
    assert night.json()["requests"] == {}, night.json()["requests"]  # all from the cache
    assert changes(night) == {
        ("thiers2009cutaneous", "metadata-changed", "title"),
        ("compton2013rare", "retraction-new", None),
    }, night.stdout
    assert night.code == 1
