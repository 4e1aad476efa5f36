"""A file's digest remembered per state of the file (citetrack/tracking/fileprints.py):
taken only for the same state, and a file changed behind the run is always hashed again."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import citetrack.tracking.fileprints as fileprints
from citetrack.cli.replay import Replay
from citetrack.config import Settings
from citetrack.inputs.textio import read_bytes_stated
from citetrack.tracking.codec import bytes_digest
from citetrack.tracking.fileprints import KIND, FilePrints
from citetrack.tracking.lockfile.fileformat import read_lock
from citetrack.tracking.memo import Memo

#: A short margin for the tests (the real one is two seconds), waited out by ``_settle``.
MARGIN_NS = 50_000_000


@pytest.fixture
def short_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fileprints, "SETTLED_NS", MARGIN_NS)


def _settle() -> None:
    time.sleep(3 * MARGIN_NS / 1e9)


def _read(prints: FilePrints, path: Path) -> str:
    data, before, after = read_bytes_stated(path)
    return prints.digest(str(path.resolve()), data, before, after)


def _rewrite_same_size(path: Path, text: str) -> None:
    """``text`` (as long as the old one) written in place, the modification time set back
    to what it was: only the status-change time tells."""
    old = path.stat()
    assert len(text.encode()) == old.st_size
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert path.stat().st_mtime_ns == old.st_mtime_ns


def test_a_settled_files_digest_is_taken_for_the_same_state(
    tmp_path: Path, short_margin: None
) -> None:
    path = tmp_path / "a.lock"
    path.write_text("first text", encoding="utf-8")
    _settle()
    with Memo.open(tmp_path / "cache") as memo:
        assert _read(FilePrints(memo.view(KIND)), path) == bytes_digest(b"first text")
    with Memo.open(tmp_path / "cache") as memo:
        prints = FilePrints(memo.view(KIND))
        where = str(path.resolve())
        assert prints.known(where, path.stat()) == bytes_digest(b"first text")
        # Not hashed again: the remembered digest stands for these bytes.
        info = path.stat()
        assert prints.digest(where, b"never hashed", info, info) == bytes_digest(b"first text")


def test_a_file_written_just_now_is_hashed_and_not_remembered(tmp_path: Path) -> None:
    path = tmp_path / "a.lock"
    path.write_text("fresh text", encoding="utf-8")
    with Memo.open(tmp_path / "cache") as memo:
        prints = FilePrints(memo.view(KIND))
        assert _read(prints, path) == bytes_digest(b"fresh text")
        assert memo.get_many(KIND, [str(path.resolve())]) == {}


def test_bytes_read_while_the_file_changed_are_not_remembered(
    tmp_path: Path, short_margin: None
) -> None:
    path = tmp_path / "a.lock"
    path.write_text("old", encoding="utf-8")
    _settle()
    before = path.stat()
    path.write_text("new", encoding="utf-8")
    after = path.stat()
    with Memo.open(tmp_path / "cache") as memo:
        prints = FilePrints(memo.view(KIND))
        assert prints.digest(str(path), b"old", before, after) == bytes_digest(b"old")
        assert memo.get_many(KIND, [str(path)]) == {}


def _change_in_place(path: Path) -> None:
    _rewrite_same_size(path, "other text")


def _change_mode_only(path: Path) -> None:
    path.chmod(0o600)


def _replace_by_rename(path: Path) -> None:
    old = path.stat()
    other = path.with_name("other")
    other.write_text("other text", encoding="utf-8")
    os.utime(other, ns=(old.st_atime_ns, old.st_mtime_ns))
    other.replace(path)


@pytest.mark.parametrize("change", [_change_in_place, _change_mode_only, _replace_by_rename])
def test_a_file_changed_behind_the_run_is_hashed_again(
    tmp_path: Path, short_margin: None, change: object
) -> None:
    path = tmp_path / "a.lock"
    path.write_text("first text", encoding="utf-8")
    _settle()
    with Memo.open(tmp_path / "cache") as memo:
        _read(FilePrints(memo.view(KIND)), path)
        assert memo.get_many(KIND, [str(path.resolve())])  # remembered
    time.sleep(0.02)  # more than a clock tick of the file system's times
    assert callable(change)
    change(path)
    with Memo.open(tmp_path / "cache") as memo:
        prints = FilePrints(memo.view(KIND))
        assert prints.known(str(path.resolve()), path.stat()) is None
        assert _read(prints, path) == bytes_digest(path.read_bytes())


def test_a_lockfile_edited_behind_the_run_is_read_as_it_is_now(
    tmp_path: Path, short_margin: None
) -> None:
    path = tmp_path / "citetrack.lock"
    first = '{"schema_version": 1, "references": {}, "problems": {"a.bib": []}}'
    path.write_text(first, encoding="utf-8")
    _settle()
    with Memo.open(tmp_path / "cache") as memo:
        prints = FilePrints(memo.view(KIND))
        read = read_lock(path, known=("x",), prints=prints)
        assert read is not None and read.digest == bytes_digest(first.encode())
        assert read_lock(path, known=(read.digest,), prints=prints) == read
    time.sleep(0.02)
    _rewrite_same_size(path, first.replace("a.bib", "b.bib"))
    with Memo.open(tmp_path / "cache") as memo:
        again = read_lock(path, known=(read.digest,), prints=FilePrints(memo.view(KIND)))
    assert again is not None
    assert again.digest == bytes_digest(path.read_bytes()) != read.digest
    assert set(again.problems) == {"b.bib"}


def test_a_bib_edited_behind_the_run_is_another_replay_key(
    tmp_path: Path, short_margin: None
) -> None:
    cache = tmp_path / "cache"
    bib = tmp_path / "a.bib"
    bib.write_text("@misc{a, title = {T}}\n", encoding="utf-8")
    _settle()
    settings = Settings(cache_dir=cache)

    def key() -> str:
        replay = Replay.prepare(
            settings, inputs=[str(bib)], lockfiles=[], options=(), progress=False,
            update_lock=False,
        )  # fmt: skip
        assert replay is not None
        replay.close()
        return replay.key

    first = key()
    with Memo.open(cache) as memo:
        assert memo.get_many(KIND, [str(bib.resolve())])  # the print was remembered
    assert key() == first
    time.sleep(0.02)
    _rewrite_same_size(bib, "@misc{a, title = {U}}\n")
    assert key() != first


def test_where_ctime_is_not_a_change_time_nothing_is_remembered(
    tmp_path: Path, short_margin: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fileprints, "CTIME_IS_CHANGE", False)  # as on Windows
    path = tmp_path / "a.lock"
    path.write_text("first text", encoding="utf-8")
    _settle()
    with Memo.open(tmp_path / "cache") as memo:
        assert _read(FilePrints(memo.view(KIND)), path) == bytes_digest(b"first text")
        assert memo.get_many(KIND, [str(path.resolve())]) == {}
