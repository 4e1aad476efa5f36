"""Hostile files (issue 18, items 7, 13, 14): lockfile, cache and links a pull request controls.

Through the real CLI (peak memory measured by the suite's launcher where the issue asks):

* item 7 — a lockfile that is a symbolic link to ``/dev/zero``, or a 300 MB (sparse)
  lockfile, is refused at once with exit 2 and a message naming it, in bounded memory;
* item 13 — a healthy cache is never "moved aside as corrupt" because another run holds
  its lock, or because the disk is full: the run waits, or goes without the cache;
* item 14 — ``export --in-place`` on a symbolic link to a .bib, and ``check --update-lock``
  on a linked lockfile, write *through* the link (the link stays a link, the real file
  changes); a link to nothing is refused.

Records are SYNTHETIC (the emulator's seed world).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, run_cli, tmpfs
from tests.test_reliability_harness import run_measured

DOI = "10.1056/NEJMc0805992"
TITLE = "Small-cell lung cancer and necrolytic migratory erythema"
#: Peak RSS of a run refused before reading, MiB (a run is about 50-60 MiB).
SMALL_RUN_MIB = 120.0


def _bib(path: Path, year: int = 2008) -> Path:
    path.write_text(
        f"@article{{cr,\n  title = {{{TITLE}}},\n  doi = {{{DOI}}},\n  year = {{{year}}},\n}}\n",
        encoding="utf-8",
    )
    return path


# ----------------------------------------------------------- item 7: the lockfile read


def test_a_lockfile_linked_to_dev_zero_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    bib = _bib(tmp_path / "refs.bib")
    lock = tmp_path / "citetrack.lock"
    lock.symlink_to("/dev/zero")
    run = run_measured(
        "check", str(bib), "--offline", "--no-links", "--lockfile", str(lock), timeout=60
    )
    assert not run.timed_out
    assert run.code == 2, run.stderr
    assert f"{lock}: cannot read the lockfile (is not a regular file" in run.stderr
    assert "Traceback" not in run.stderr
    assert run.max_rss_mib < SMALL_RUN_MIB, run.max_rss_mib
    assert lock.is_symlink()  # never replaced


def test_a_300_mb_lockfile_is_refused_from_its_size(tmp_path: Path) -> None:
    bib = _bib(tmp_path / "refs.bib")
    lock = tmp_path / "citetrack.lock"
    with lock.open("wb") as handle:  # sparse: 300 MB long, no disk used
        handle.truncate(300 * 1024 * 1024)
    run = run_measured(
        "check", str(bib), "--offline", "--no-links", "--lockfile", str(lock), "--update-lock"
    )
    assert run.code == 2, run.stderr
    assert f"{lock}: cannot read the lockfile (larger than 128 MiB" in run.stderr
    assert run.max_rss_mib < SMALL_RUN_MIB, run.max_rss_mib
    assert lock.stat().st_size == 300 * 1024 * 1024  # not overwritten


# ----------------------------------------------------------- item 14: writing via links


def test_check_update_lock_writes_through_a_linked_lockfile(tmp_path: Path) -> None:
    bib = _bib(tmp_path / "refs.bib")
    real = tmp_path / "shared" / "citetrack.lock"
    real.parent.mkdir()
    link = tmp_path / "citetrack.lock"
    env_cache = {"CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    with Emulator() as emu:
        env = {**emu.env(), **env_cache}
        first = run_cli("lock", str(bib), "--lockfile", str(real), env=env)
        assert first.code == 0, first.stderr
        before = real.read_text(encoding="utf-8")
        link.symlink_to(real)
        _bib(bib, year=2007)  # the year changes: the lockfile must record it
        run = run_cli(
            "check", str(bib), "--no-links", "--lockfile", str(link), "--update-lock", env=env
        )
    assert run.code in (0, 1, 3), run.stderr
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_text(encoding="utf-8") != before
    assert '"field": "year"' in real.read_text(encoding="utf-8")  # the change is recorded


def test_a_lockfile_link_to_nothing_is_refused(tmp_path: Path) -> None:
    bib = _bib(tmp_path / "refs.bib")
    link = tmp_path / "citetrack.lock"
    target = tmp_path / "elsewhere" / "authorized_keys"
    link.symlink_to(target)
    run = run_cli(
        "check",
        str(bib),
        "--offline",
        "--no-links",
        "--lockfile",
        str(link),
        "--update-lock",
        env={"CITETRACK_CACHE_DIR": str(tmp_path / "c")},
    )
    assert run.code == 2, run.stderr
    assert f"{link}: a symbolic link to a missing file" in run.stderr
    assert not target.exists() and not target.parent.exists()


def test_export_in_place_writes_through_a_linked_bib(tmp_path: Path) -> None:
    (tmp_path / "papers").mkdir()
    real = tmp_path / "papers" / "refs.bib"
    real.write_text(f"@article{{cr,\n  title = {{{TITLE}}},\n  doi = {{doi:{DOI}}},\n}}\n", "utf-8")
    link = tmp_path / "refs.bib"
    link.symlink_to(real)
    before = real.read_bytes()
    with Emulator() as emu:
        env = {**emu.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "c")}
        run = run_cli("export", str(link), "--in-place", env=env)
    assert run.code == 0, run.stderr
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert f"doi = {{{DOI}}}" in real.read_text(encoding="utf-8")  # the fix reached the file
    assert Path(f"{link}.bak").read_bytes() == before


# ------------------------------------------------------------- item 13: a healthy cache


def _entries(cache_dir: Path) -> int:
    with contextlib.closing(sqlite3.connect(cache_dir / "evidence.sqlite3")) as db:
        return int(db.execute("SELECT count(*) FROM evidence").fetchone()[0])


def _aside(cache_dir: Path) -> list[str]:
    return sorted(p.name for p in cache_dir.iterdir() if ".corrupt-" in p.name)


def test_a_cache_locked_by_another_run_is_waited_for_not_moved_aside(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    bib = _bib(tmp_path / "refs.bib")
    with Emulator() as emu:
        env = {**emu.env(), "CITETRACK_CACHE_DIR": str(cache)}
        assert run_cli("check", str(bib), "--no-links", "--no-lockfile", env=env).code == 0
        stored = _entries(cache)
        assert stored > 0
        # Another run holds the database exclusively for longer than SQLite's busy timeout.
        holder = sqlite3.connect(
            cache / "evidence.sqlite3", isolation_level=None, check_same_thread=False
        )
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('other-run', '1')")
        released = threading.Timer(7.0, lambda: (holder.execute("COMMIT"), holder.close()))
        released.start()
        try:
            run = run_cli("check", str(bib), "--no-links", "--no-lockfile", env=env)
        finally:
            released.join()
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert _aside(cache) == [], "a healthy, locked cache was moved aside"
    assert _entries(cache) >= stored


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 512 KiB tmpfs mounted at a fresh directory (unmounted afterwards); needs root."""
    with tmpfs(tmp_path, "512k") as mount:
        yield mount


def test_a_healthy_cache_on_a_full_disk_is_kept(small_disk: Path, tmp_path: Path) -> None:
    cache = small_disk / "cache"
    with Emulator() as emu:
        env = {**emu.env(), "CITETRACK_CACHE_DIR": str(cache)}
        first = _bib(tmp_path / "one.bib")
        assert run_cli("check", str(first), "--no-links", "--no-lockfile", env=env).code == 0
        stored = _entries(cache)
        free = shutil.disk_usage(small_disk).free
        with (small_disk / "filler").open("ab") as handle, contextlib.suppress(OSError):
            handle.write(b"\0" * free)
        run = run_cli("check", str(SEED_BIB), "--no-links", "--no-lockfile", "-f", "json", env=env)
    assert run.code == 0, run.stderr
    # Eight clean; the two without identifiers are found by search and lack their PMID.
    summary = run.json()["summary"]
    assert (summary["ok"], summary["warning"], summary["total"]) == (8, 2, 10)
    assert "Traceback" not in run.stderr
    assert _aside(cache) == [], "a healthy cache on a full disk was moved aside"
    (small_disk / "filler").unlink()
    assert _entries(cache) == stored


def _drain(fifo: Path, into: list[bytes]) -> threading.Thread:
    """A reader at the other end of ``fifo`` (a writer's open blocks until there is one)."""

    def read() -> None:
        with fifo.open("rb") as handle:
            into.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader


def test_output_to_a_pipe_or_device_is_written_to_it_never_replaced(tmp_path: Path) -> None:
    """``export -o /dev/null``, ``-o /dev/stdout``, a named pipe: the bytes go into the stream.
    The atomic write renamed a file over the target: as root it replaced ``/dev/null`` with
    a regular file (every program after wrote into it and read it back), and a named pipe
    with a file its reader never saw.  A symbolic link to a stream (``/dev/stdout`` is one)
    is written through too.  Tested on named pipes: the same path as a device."""
    fifo = tmp_path / "out.pipe"
    os.mkfifo(fifo)
    link = tmp_path / "linked.pipe"
    link.symlink_to(fifo)
    for target in (fifo, link):
        got: list[bytes] = []
        reader = _drain(fifo, got)
        run = run_cli("export", str(SEED_BIB), "--offline", "--no-cache", "-o", str(target))
        reader.join(timeout=60)
        assert run.code == 0, run.stderr
        assert fifo.is_fifo() and link.is_symlink()  # neither replaced
        assert got and got[0].startswith(b"@"), got
        assert b"thiers2009cutaneous" in got[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["linked.pipe", "out.pipe"]  # no temp
