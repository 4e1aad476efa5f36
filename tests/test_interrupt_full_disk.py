"""A full disk loses nothing: old files survive whole, the error says so, exit code 2.

The disk is a real 256 KiB tmpfs mounted for the test (needs root, as in CI here; skipped
elsewhere) and filled up to the last few KiB, so writes fail with ENOSPC exactly as on a
full disk.  Every writer is tried: the lockfile (``check --update-lock``), ``export
--in-place`` (and its ``.bak``), ``-o`` reports, ``parse -o``, and the cache (which must
just switch itself off).  A platform-independent twin injects ENOSPC at ``fsync`` into the
atomic writer in-process.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from citetrack.fsutil import atomic_write_text
from citetrack_emulator import Emulator
from tests.e2e import REPO, SEED_BIB, run_cli, tmpfs

DISK_BYTES = 256 * 1024


def _fill(disk: Path, leave: int = 2048) -> None:
    """Fill ``disk`` until at most ``leave`` bytes are free."""
    free = shutil.disk_usage(disk).free
    if free > leave:
        with (disk / "filler").open("ab") as handle, contextlib.suppress(OSError):
            handle.write(b"\0" * (free - leave))


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs mounted at a fresh directory (unmounted afterwards)."""
    with tmpfs(tmp_path, DISK_BYTES) as mount:
        yield mount


def _no_temp_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_full_disk_keeps_the_old_lockfile(small_disk: Path, tmp_path: Path) -> None:
    bib = small_disk / "references.bib"
    bib.write_bytes(SEED_BIB.read_bytes())
    lock = small_disk / "citetrack.lock"
    args = ("check", str(bib), "--update-lock", "--no-links", "-f", "json")
    with Emulator() as emu:
        env = {**emu.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
        assert run_cli(*args, env=env).code == 0
        old = lock.read_bytes()
        emu.patch_world({"crossref_works": {"10.3322/caac.20005": {"title": ["Changed"]}}})
        _fill(small_disk)
        run = run_cli(*args, env=env)
    assert run.code == 2, run.stderr
    assert "cannot write the lockfile" in run.stderr
    assert "No space left on device" in run.stderr
    assert "Traceback" not in run.stderr
    assert lock.read_bytes() == old
    assert _no_temp_files(small_disk) == []


def test_full_disk_export_in_place_keeps_the_bib(small_disk: Path) -> None:
    bib = small_disk / "refs.bib"
    old = b"@article{k,\n  title = {Synthetic},\n  pages = {12-18},\n}\n"
    bib.write_bytes(old)
    _fill(small_disk, leave=0)
    run = run_cli("export", str(bib), "--in-place", "--fix", "pages")
    assert run.code == 2, run.stderr
    assert "No space left on device" in run.stderr and "Traceback" not in run.stderr
    assert bib.read_bytes() == old
    assert not (small_disk / "refs.bib.bak").exists() or (
        (small_disk / "refs.bib.bak").read_bytes() == old
    )
    assert _no_temp_files(small_disk) == []


def test_full_disk_reports_and_parse_output_fail_cleanly(small_disk: Path, tmp_path: Path) -> None:
    report = small_disk / "report.sarif"
    report.write_text("old report\n")
    parsed = small_disk / "parsed.bib"
    parsed.write_text("% old\n")
    _fill(small_disk, leave=0)
    with Emulator() as emu:
        env = {**emu.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
        run = run_cli(
            "check", str(SEED_BIB), "--no-links", "--no-lockfile", "-o", f"sarif={report}", env=env
        )
    assert run.code == 2, run.stderr
    assert "cannot write the report" in run.stderr and "Traceback" not in run.stderr
    assert report.read_text() == "old report\n"
    text_input = REPO / "tests" / "data" / "parse" / "necrolytic-migratory-erythema.txt"
    run = run_cli("parse", str(text_input), "-o", str(parsed))
    assert run.code == 2, run.stderr
    assert "cannot write" in run.stderr and "Traceback" not in run.stderr
    assert parsed.read_text() == "% old\n"
    assert _no_temp_files(small_disk) == []


def test_cache_on_a_full_disk_switches_itself_off(small_disk: Path) -> None:
    _fill(small_disk, leave=0)
    with Emulator() as emu:
        env = {**emu.env(), "CITETRACK_CACHE_DIR": str(small_disk / "cache")}
        run = run_cli("check", str(SEED_BIB), "--no-links", "--no-lockfile", "-f", "json", env=env)
    assert run.code == 0, run.stderr
    # (the two references found by search lack their PMIDs: warnings, issue 13)
    assert run.json()["summary"]["ok"] == 8
    assert "Traceback" not in run.stderr


def test_enospc_at_fsync_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same promise without a tmpfs: the disk fills up while the new file is flushed."""
    target = tmp_path / "citetrack.lock"
    target.write_text("old\n")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as info:
        atomic_write_text(target, "new\n" * 10_000)
    assert info.value.errno == errno.ENOSPC
    assert target.read_text() == "old\n"
    assert _no_temp_files(tmp_path) == []
