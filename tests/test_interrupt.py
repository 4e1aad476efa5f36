"""Interrupted runs lose nothing: every file is its old bytes or its new bytes, never half.

* ``check --update-lock`` is interrupted (SIGINT, SIGTERM, SIGKILL) at seeded random points
  of a run slowed by emulator latency; afterwards the lockfile is byte for byte the old one
  or the one a complete run writes, and the next run works.
* ``export --in-place`` likewise, on a .bib large enough to take a while; ``.bak`` is never
  a partial copy either.
* The atomic writer itself (:func:`citetrack.fsutil.atomic_write_text`) is SIGKILLed while it
  rewrites an 8 MB file over and over: the file is always one complete version.
* The SQLite evidence cache survives kills in the middle of a run (its integrity check
  passes and the next run uses it), and a corrupt cache file is moved aside and rebuilt.

Kill points are drawn from a seeded generator over the measured length of a complete run,
so a failure can be replayed.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from citetrack.fsutil import atomic_write_text
from citetrack_emulator import Emulator
from tests.e2e import REPO, SEED_BIB
from tests.test_reliability_harness import gen_bib, run_measured, start_cli

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)


def _interrupt(proc: subprocess.Popen[bytes], delay: float, sig: signal.Signals) -> int:
    """Let ``proc`` run ``delay`` seconds (or to its end), then send ``sig``; its exit code."""
    try:
        return proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(sig)
    return proc.wait(timeout=60)


def _stray_temp_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# ------------------------------------------------------------------------------ lockfile


@pytest.mark.slow
def test_check_update_lock_interrupted_leaves_old_or_new_lockfile(tmp_path: Path) -> None:
    work = tmp_path / "project"
    work.mkdir()
    bib = work / "references.bib"
    bib.write_bytes(SEED_BIB.read_bytes())
    lock = work / "citetrack.lock"
    args = ("check", str(bib), "--update-lock", "--no-links", "--no-cache", "-f", "json")
    with Emulator() as emu:
        env = emu.env()
        first = run_measured(*args, env=env, timeout=120)
        assert first.code == 0, first.stderr
        old = lock.read_bytes()
        # Upstream changes, so a completed run writes a different lockfile.
        emu.patch_world({"crossref_works": {"10.3322/caac.20005": {"title": ["Changed"]}}})
        emu.set_latency(250, "crossref")
        emu.set_latency(250, "eutils")
        complete = run_measured(*args, env=env, timeout=120)
        new = lock.read_bytes()
        assert new != old, "the completed run must change the lockfile"
        rng = random.Random(8)
        outcomes = []
        for trial in range(9):
            lock.write_bytes(old)
            sig = SIGNALS[trial % 3]
            delay = rng.uniform(0.05, complete.seconds * 1.1)
            proc = start_cli(*args, env=env)
            code = _interrupt(proc, delay, sig)
            after = lock.read_bytes()
            assert after in (old, new), f"{sig.name} after {delay:.2f} s: lockfile is neither"
            outcomes.append((sig.name, round(delay, 2), code, "new" if after == new else "old"))
        # The next run works from whatever is there (and a stray temp file is harmless).
        lock.write_bytes(old)
        again = run_measured(*args, env=env, timeout=120)
    assert again.code in (0, 1, 3), again.stderr
    assert lock.read_bytes() == new
    assert "Traceback" not in again.stderr


def test_sigint_says_interrupted_without_a_traceback(tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    bib.write_bytes(SEED_BIB.read_bytes())
    with Emulator() as emu:
        emu.add_fault("crossref", "hang")
        proc = start_cli(
            "check",
            str(bib),
            "--no-links",
            "--no-cache",
            "--no-lockfile",
            env=emu.env(),
            stderr=subprocess.PIPE,
        )
        # Wait until the request is parked in the emulator, then press Ctrl-C.
        for _ in range(600):
            if emu.stats()["services"].get("crossref", {}).get("requests"):
                break
            try:
                proc.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                continue
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        emu.clear_faults()
    assert proc.returncode == 130
    assert b"citetrack: interrupted" in err
    assert b"Traceback" not in err


# -------------------------------------------------------------------------------- export


def _fixable_bib(entries: int) -> str:
    """SYNTHETIC entries whose page ranges and DOIs the local fixes rewrite."""
    return "".join(
        f"@article{{k{i},\n  title = {{Synthetic title {i}}},\n  pages = {{{i + 1}-{i + 9}}},\n"
        f"  doi = {{https://doi.org/10.5555/synthetic.{i}}},\n}}\n\n"
        for i in range(entries)
    )


@pytest.mark.slow
def test_export_in_place_interrupted_leaves_old_or_new_bib(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    backup = tmp_path / "refs.bib.bak"
    old = _fixable_bib(8_000).encode()
    args = ("export", str(bib), "--in-place", "--fix", "pages,identifiers", "-q")
    bib.write_bytes(old)
    complete = run_measured(*args, timeout=120)
    assert complete.code == 0, complete.stderr
    new = bib.read_bytes()
    assert new != old and backup.read_bytes() == old
    rng = random.Random(3)
    for trial in range(6):
        bib.write_bytes(old)
        backup.unlink(missing_ok=True)
        sig = SIGNALS[trial % 3]
        delay = rng.uniform(0.05, complete.seconds * 1.1)
        _interrupt(start_cli(*args), delay, sig)
        assert bib.read_bytes() in (old, new), f"{sig.name} after {delay:.2f} s"
        if backup.exists():
            assert backup.read_bytes() == old, f"{sig.name} after {delay:.2f} s: partial .bak"
        if bib.read_bytes() == new:
            assert backup.read_bytes() == old
    bib.write_bytes(old)
    assert run_measured(*args, timeout=120).code == 0
    assert bib.read_bytes() == new


# ------------------------------------------------------------------------- atomic writes

_WRITER = textwrap.dedent(
    """
    import sys
    from citetrack.fsutil import atomic_write_text
    path = sys.argv[1]
    versions = ["A" * (8 << 20), "B" * (8 << 20)]
    n = 0
    while True:
        atomic_write_text(path, versions[n % 2])
        n += 1
        print(n, flush=True)
    """
)


def test_atomic_write_killed_mid_write_leaves_a_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "data.txt"
    target.write_text("A" * (8 << 20))
    versions = {b"A" * (8 << 20), b"B" * (8 << 20)}
    rng = random.Random(5)
    for _ in range(8):
        proc = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(target)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        for _ in range(rng.randint(1, 4)):  # let it complete a few writes first
            proc.stdout.readline()
        _interrupt(proc, rng.uniform(0.0, 0.08), signal.SIGKILL)
        proc.stdout.close()
        assert target.read_bytes() in versions
        for stray in tmp_path.glob(".data.txt.*.tmp"):
            stray.unlink()  # what a SIGKILL may leave: never the target itself


# ------------------------------------------------------------------------------ the cache


@pytest.mark.slow
def test_cache_survives_kills_and_the_next_run_uses_it(tmp_path: Path) -> None:
    gen = gen_bib
    refs = gen.make_references(300, seed=5, url_share=0)
    bib = tmp_path / "refs.bib"
    bib.write_text(gen.make_bib(refs, []), encoding="utf-8")
    cache = tmp_path / "cache"
    args = ("check", str(bib), "--no-links", "--no-lockfile", "-f", "json", "-q")
    with Emulator(gen.make_world(refs)) as emu:
        emu.set_latency(100)
        env = {**emu.env(), "CITETRACK_CACHE_DIR": str(cache)}
        rng = random.Random(2)
        for trial in range(4):
            _interrupt(start_cli(*args, env=env), rng.uniform(0.3, 2.0), SIGNALS[trial % 3])
            database = cache / "evidence.sqlite3"
            if database.exists():
                with sqlite3.connect(database) as db:
                    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        emu.set_latency(0)
        run = run_measured(*args, env=env, timeout=300)
        before = emu.stats()["requests"]
        warm = run_measured(*args, env=env, timeout=300)
        after = emu.stats()["requests"]
    assert run.code == 0, run.stderr
    assert run.json()["summary"]["ok"] == 300
    assert warm.code == 0 and after == before, "the warm run must answer from the cache"
    assert not list(cache.glob("*.corrupt-*")), "a killed run must not corrupt the cache"


def test_corrupt_cache_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "evidence.sqlite3").write_bytes(b"this is not a database" * 100)
    with Emulator() as emu:
        env = {**emu.env(), "CITETRACK_CACHE_DIR": str(cache)}
        args = ("check", str(SEED_BIB), "--no-links", "--no-lockfile", "-f", "json")
        first = run_measured(*args, env=env, timeout=120)
        before = emu.stats()["requests"]
        second = run_measured(*args, env=env, timeout=120)
        after = emu.stats()["requests"]
    assert first.code == 0, first.stderr
    assert "Traceback" not in first.stderr
    assert list(cache.glob("evidence.sqlite3.corrupt-*")), "the bad file is kept for a look"
    assert second.code == 0 and after == before, "the rebuilt cache answers the second run"


def test_atomic_write_keeps_an_old_files_mode_and_gives_a_new_file_the_usual_one(
    tmp_path: Path,
) -> None:
    old = tmp_path / "kept.lock"
    old.write_text("old\n")
    old.chmod(0o640)
    atomic_write_text(old, "new\n")
    assert old.stat().st_mode & 0o777 == 0o640
    mask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.lock"
        atomic_write_text(fresh, "new\n")  # was 0600, as mkstemp makes it
    finally:
        os.umask(mask)
    assert fresh.stat().st_mode & 0o777 == 0o644
