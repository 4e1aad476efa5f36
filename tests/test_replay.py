"""An unchanged check replays the report of the identical earlier check (issue 16), and
nothing stale is ever replayed: the real CLI against the emulator.

The scenarios are the ones users run: a pre-commit hook (``--offline``) after an online
check warmed the cache; a nightly job that stores a retraction, after which the hook must
see it; an edited entry, a touched lockfile, a deleted report file, warnings on standard
error.  The retraction record is SYNTHETIC; the bibliography is the seed's.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

import pytest

import citetrack.cli.replay as replay_module
from citetrack.api import check
from citetrack.cli.replay import KIND, Replay, cache_generation, pack, unpack
from citetrack.config import Settings
from citetrack.tracking.cache import EvidenceCache
from citetrack.tracking.memo import Memo
from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, Run, by_key, run_cli

FAST = ("--per-host-interval", "0", "--timeout", "2")
HOOK = ("--offline", "--no-links", "--fail-on", "warning", "--ignore-unverified", "-f", "json")
REPLAYED = "its report was shown again"
RETRACTED_DOI = "10.1016/j.amjmed.2013.01.012"


@pytest.fixture
def warm(emulator: Emulator, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The seed bibliography and a cache warmed by one online check."""
    bib = tmp_path / "references.bib"
    bib.write_text(SEED_BIB.read_text(encoding="utf-8"), encoding="utf-8")
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    online = run_cli("check", str(bib), "--no-links", "--no-lockfile", *FAST, env=env)
    assert online.code in (0, 1), online.stderr
    return bib, env


def hook(bib: Path, env: dict[str, str], *extra: str) -> Run:
    return run_cli("check", str(bib), *HOOK, "-v", *extra, env=env, cwd=bib.parent)


def test_an_identical_hook_run_is_a_replay_with_the_same_report(
    warm: tuple[Path, dict[str, str]],
) -> None:
    bib, env = warm
    first, second, third = hook(bib, env), hook(bib, env), hook(bib, env)
    assert REPLAYED not in first.stderr
    assert REPLAYED in second.stderr and REPLAYED in third.stderr
    assert third.stdout == second.stdout == first.stdout
    assert third.code == second.code == first.code
    assert len(third.json()["references"]) == 10


def test_an_edited_entry_is_checked_not_replayed(warm: tuple[Path, dict[str, str]]) -> None:
    bib, env = warm
    for _ in range(3):
        before = hook(bib, env)
    assert REPLAYED in before.stderr
    bib.write_text(
        bib.read_text(encoding="utf-8").replace("{Necrolytic", "{Necrolytic migratory", 1),
        encoding="utf-8",
    )
    after = hook(bib, env)
    assert REPLAYED not in after.stderr
    assert after.stdout != before.stdout


def test_a_retraction_stored_by_the_nightly_job_reaches_the_next_hook_run(
    warm: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    bib, env = warm
    for _ in range(3):
        quiet = hook(bib, env)
    assert REPLAYED in quiet.stderr
    assert not any(
        "retract" in f["rule"] for f in by_key(quiet.json())["compton2013rare"]["findings"]
    )
    retraction = {
        "DOI": "10.5555/ct.replay-retraction",
        "type": "retraction",
        "label": "Retraction",
        "source": "publisher",
        "updated": {"date-parts": [[2026, 11, 1]]},
    }
    emulator.patch_world({"crossref_works": {RETRACTED_DOI: {"updated-by": [retraction]}}})
    # Eight days later the cached answers have expired; the nightly job fetches afresh.
    db = sqlite3.connect(bib.parent / "cache" / "evidence.sqlite3")
    with db:
        db.execute("UPDATE evidence SET stored_at = stored_at - ?", (8 * 86400,))
    db.close()
    nightly = run_cli("check", str(bib), "--no-links", "--no-lockfile", *FAST, env=env)
    assert nightly.code == 1, nightly.stdout
    after = hook(bib, env)
    assert REPLAYED not in after.stderr
    rules = {f["rule"] for f in by_key(after.json())["compton2013rare"]["findings"]}
    assert any("retract" in rule for rule in rules), rules
    assert after.code == 1


LOCAL = ("--local", "--no-links", "--no-lockfile", "--fail-on", "warning", "-f", "json", "-v")


def test_a_local_check_is_replayed_whatever_the_cache_does_and_judges_the_files_alone(
    warm: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    """`check --local` (the pre-commit hook) reads no cached answer: a warm cache's
    registry warnings are not its verdict, and a nightly job writing the cache does not
    end its replay (its report cannot differ), so an unchanged file stays fast."""
    bib, env = warm
    runs = [run_cli("check", str(bib), *LOCAL, env=env, cwd=bib.parent) for _ in range(2)]
    assert REPLAYED not in runs[0].stderr and REPLAYED in runs[1].stderr
    assert runs[0].stdout == runs[1].stdout and runs[0].code == runs[1].code == 3
    report = runs[0].json()
    assert report["summary"]["verified"] == 0  # the warm cache was not read
    assert not {f["rule"] for r in report["references"] for f in r["findings"]} & {
        "missing-identifier",
        "metadata-mismatch",
    }
    # Eight days later the nightly job fetches afresh and writes the cache.
    before = cache_generation(bib.parent / "cache")
    db = sqlite3.connect(bib.parent / "cache" / "evidence.sqlite3")
    with db:
        db.execute("UPDATE evidence SET stored_at = stored_at - ?", (8 * 86400,))
    db.close()
    nightly = run_cli("check", str(bib), "--no-links", "--no-lockfile", *FAST, env=env)
    assert nightly.code in (0, 1), nightly.stderr
    assert cache_generation(bib.parent / "cache") != before
    again = run_cli("check", str(bib), *LOCAL, env=env, cwd=bib.parent)
    assert REPLAYED in again.stderr and again.stdout == runs[0].stdout
    refused = run_cli("check", str(bib), "--local", "--update-lock", env=env, cwd=bib.parent)
    assert refused.code == 2 and "--local" in refused.stderr


def test_a_touched_lockfile_is_not_replayed(warm: tuple[Path, dict[str, str]]) -> None:
    bib, env = warm
    assert run_cli("lock", str(bib), "--no-links", *FAST, env=env).code == 0
    lock = bib.parent / "citetrack.lock"
    args = ("check", str(bib), "--no-links", "-f", "json", "-v", *FAST)
    runs = [run_cli(*args, env=env) for _ in range(3)]
    assert REPLAYED in runs[2].stderr
    stamp = lock.stat().st_mtime - 3600
    os.utime(lock, (stamp, stamp))
    assert REPLAYED not in run_cli(*args, env=env).stderr


def test_report_files_and_warnings_are_replayed_too(
    warm: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    bib, env = warm
    # A defect of the .bib itself: a warning on standard error at every run.
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@article{broken,\n", encoding="utf-8")
    report = tmp_path / "report.sarif"
    runs = [hook(bib, env, "-o", str(report)) for _ in range(3)]
    assert REPLAYED in runs[2].stderr
    assert REPLAYED not in runs[0].stderr and "warning" in runs[0].stderr
    assert runs[2].stderr.startswith(runs[0].stderr)
    assert runs[2].stderr[len(runs[0].stderr) :].strip().endswith(REPLAYED)
    written = report.read_text(encoding="utf-8")
    report.unlink()
    again = hook(bib, env, "-o", str(report))
    assert REPLAYED in again.stderr
    assert report.read_text(encoding="utf-8") == written


def test_no_cache_and_a_run_that_made_requests_are_never_recorded(
    warm: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    bib, env = warm
    page = emulator.page_url("/article/nme-review")
    with bib.open("a", encoding="utf-8") as handle:
        handle.write(f"\n@online{{web,\n  title = {{A web page}},\n  url = {{{page}}},\n}}\n")
    args = ("check", str(bib), "--no-lockfile", "-f", "json", "-v", *FAST)
    # With links the pages are fetched at every run: nothing to replay.
    page_runs = [run_cli(*args, "--allow-private-urls", env=env) for _ in range(3)]
    assert all(REPLAYED not in r.stderr for r in page_runs)
    no_cache = [run_cli(*args, "--no-links", "--no-cache", env=env) for _ in range(3)]
    assert all(REPLAYED not in r.stderr for r in no_cache)


# ------------------------------------------------------------------ the record's validity


def _recorded(tmp_path: Path, **changes: object) -> tuple[Replay, Memo]:
    """A replay whose record is stored, then altered by ``changes``."""
    cache = tmp_path / "cache"
    EvidenceCache.open(cache).close()  # a cache with a generation
    bib = tmp_path / "a.bib"
    bib.write_text("@misc{a, title = {T}}\n", encoding="utf-8")
    settings = Settings(cache_dir=cache)
    replay = Replay.prepare(
        settings, inputs=[str(bib)], lockfiles=[], options=(), progress=False, update_lock=False
    )
    assert replay is not None
    record = {
        "generation": cache_generation(cache),
        "fresh_until": time.time() + 3600,
        "stdout": "report\n",
        "stderr": "",
        "code": 0,
        "files": [],
    }
    record.update(changes)
    stdout = record.pop("stdout")
    memo = Memo.open(cache)
    memo.put_many(KIND, {replay.key: pack(record, stdout if isinstance(stdout, str) else "")})
    return replay, memo


def test_a_valid_record_is_played(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    replay, memo = _recorded(tmp_path)
    assert replay.play() == 0
    assert capsys.readouterr().out == "report\n"
    memo.close()
    replay.close()


@pytest.mark.parametrize(
    "changes",
    [
        {"fresh_until": 1.0},  # an answer it used has expired
        {"generation": "0" * 32},  # the cache was written since
        {"code": "not a number"},
        {"files": 3},
    ],
)
def test_an_expired_stale_or_damaged_record_is_not_played(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], changes: dict[str, object]
) -> None:
    replay, memo = _recorded(tmp_path, **changes)
    assert replay.play() is None
    assert capsys.readouterr().out == ""
    memo.close()
    replay.close()


def test_a_result_the_cache_failed_on_may_never_be_replayed(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    bib = tmp_path / "a.bib"
    bib.write_text(SEED_BIB.read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings(cache_dir=blocker, offline=True, check_links=False)
    result = check(str(bib), settings=settings, links=False)
    assert len(result.results) == 10
    assert result.evidence_fresh_until == 0.0  # "fresh until the epoch": never again


def test_a_result_from_a_warm_cache_is_fresh_until_its_oldest_answer_expires(
    warm: tuple[Path, dict[str, str]],
) -> None:
    bib, env = warm
    settings = Settings(cache_dir=Path(env["CITETRACK_CACHE_DIR"]), offline=True)
    before = time.time()
    result = check(str(bib), settings=settings, links=False)
    assert result.evidence_fresh_until is not None
    # Found answers keep 7 days, not-found ones 1 day: the earliest expiry wins.
    assert before < result.evidence_fresh_until <= before + 7 * 86400 + 60


def test_output_written_around_the_copy_is_never_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replay, memo = _recorded(tmp_path)
    memo.close()
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stream)
    with pytest.raises(SystemExit), replay.recording():
        sys.stdout.write("text\n")
        sys.stdout.buffer.write(b"bytes the copy cannot see\n")
        raise SystemExit(0)
    with Memo.open(tmp_path / "cache") as again:
        _, stdout = unpack(again.get_many(KIND, [replay.key])[replay.key])
    assert stdout == "report\n", "the earlier record stays; the bypassed run is not kept"


def test_output_too_big_to_copy_is_never_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    replay, memo = _recorded(tmp_path)
    memo.close()
    monkeypatch.setattr(replay_module, "MAX_RECORDED_CHARS", 10)
    with pytest.raises(SystemExit), replay.recording():
        sys.stdout.write("a report longer than ten characters\n")
        raise SystemExit(0)
    assert "a report longer" in capsys.readouterr().out, "the output itself is written"
    with Memo.open(tmp_path / "cache") as again:
        _, stdout = unpack(again.get_many(KIND, [replay.key])[replay.key])
    assert stdout == "report\n", "the earlier record stays; the big run is not kept"


def test_a_recording_is_stored_compressed_and_reads_back_exactly() -> None:
    # A 100,000-reference JSON report is ~44 MB: kept compressed so that it can be replayed.
    report = '{"key": "a\u2028b"}\n' * 5000 + "\udcff lone surrogate kept\n"
    head = {"generation": "g", "fresh_until": None, "stderr": "e\n", "code": 3, "files": []}
    packed = pack(head, report)
    assert len(packed) < len(report) // 10
    assert unpack(packed) == (head, report)
    tee = replay_module._Tee(io.StringIO())  # what a recorded run's output goes through
    for line in report.splitlines(keepends=True):
        tee.write(line)
    assert unpack(tee.compressed(json.dumps(head, ensure_ascii=False))) == (head, report)


def test_a_run_that_made_requests_keeps_no_copy_of_its_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A cold run's report is never recorded: holding a copy of it only cost memory.
    replay, memo = _recorded(tmp_path)
    memo.close()
    with pytest.raises(SystemExit), replay.recording():
        sys.stdout.write("before the check ends\n")
        replay.observe(requests={"crossref": 3}, fresh_until=None, wrote_lock=False)
        tee = sys.stdout
        assert isinstance(tee, replay_module._Tee) and tee.parts == []
        sys.stdout.write("the report\n")
        assert tee.parts == []
        raise SystemExit(0)
    assert capsys.readouterr().out == "before the check ends\nthe report\n"
