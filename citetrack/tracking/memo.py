"""Results derived from content, remembered between runs: the incremental path's store.

A reference's findings depend only on its own fields and the evidence about it (see
:class:`citetrack.collection.FindingsMemo`), and a .bib entry's loaded form only on its
text and the macros it sees.  So both can be kept under a hash of what they depend on, and
reused by the next run when that hash comes again: an unchanged bibliography is not
compared (or parsed) again, and a changed entry or a changed registry record is, because
its hash is new.

The store is one SQLite file next to the evidence cache per version of the code
(``memo-<stamp>.sqlite3``, :func:`code_stamp`), one table of ``(kind, key) → value`` (JSON
text).  It holds nothing that cannot be computed again, so every failure is harmless: a
damaged file is deleted and rebuilt, a locked or full one is not used for this run, a value
that does not decode is a miss.  Values computed by other code are never read, so a fixed
rule is never hidden behind a remembered result.

One file per version, not one file emptied at each change: two installs sharing a cache
folder (a pre-commit hook's environment and the editor's citetrack, a CI matrix) would
otherwise empty each other's memo on every run, and every run would compare everything
again.  Files of other versions not used for :data:`OTHER_VERSIONS_DAYS` days, and all but
the :data:`OTHER_VERSIONS_KEPT` most recently used, are deleted when a memo is opened.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import sqlite3
import sys
import threading
import time
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import orjson

from citetrack.libversions import library_version
from citetrack.tracking.cache import default_cache_dir, is_corrupt

if TYPE_CHECKING:
    from citetrack.config import Settings

log = logging.getLogger(__name__)

#: A memo value: text or bytes.
V = TypeVar("V", str, bytes)

#: The single memo file of citetrack before one file per version; deleted like another
#: version's file (:func:`sweep_other_versions`).
MEMO_FILENAME = "memo.sqlite3"
#: A memo file of another version of the code is deleted once unused this long …
OTHER_VERSIONS_DAYS = 3.0
#: … and only this many of them are kept at all (the most recently used).
OTHER_VERSIONS_KEPT = 2
#: The memo kind of the .bib loader's chunks (:mod:`citetrack.inputs.bib.memo`).
ENTRY_KIND = "bib-chunks/1"
#: The memo kind of the evidence cache's texts known to decode (:mod:`citetrack.tracking.codec`).
RECORDS_KIND = "records/1"
#: A value not stored again for this long is dropped (it is recomputed if needed).
MAX_AGE = 60 * 86400.0
#: Seconds to wait for another run's lock: the memo only saves time, so it is not waited
#: for long (the run then goes without it).
BUSY_TIMEOUT = 0.5
#: Keys per SQL statement (SQLite's default limit on bound parameters is 32,766).
_CHUNK = 500
#: The key of a group's row (:meth:`MemoView.get_grouped`) begins with this; the keys of
#: the memo's kinds never do (digests, or a source name then identifiers).
GROUP_PREFIX = "group/1:"
#: A group of keys ends after a key whose CRC-32 is divisible by this (about as many keys
#: per group), or at the end of the keys asked.
GROUP_EVERY = 128
#: Libraries whose behaviour the remembered results depend on (string matching, ISBN
#: and ISSN checks, BibTeX splitting).
_LIBRARIES = ("rapidfuzz", "python-stdnum", "bibtexparser", "mwparserfromhell")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS memo (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    stored_at REAL NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
"""


@functools.lru_cache(maxsize=4)
def code_stamp(package: Path | None = None) -> str:
    """A hash of everything that computes the remembered values: every file of the
    package (name, size, modification time), Python's version and the libraries'.

    A change to any rule, parser or data file of citetrack gives a new stamp.  File
    metadata rather than contents keeps this to a directory walk (a few milliseconds);
    an edit always changes the modification time.
    """
    root = package if package is not None else Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(digest_size=16)
    digest.update(sys.version.encode())
    for name in _LIBRARIES:
        digest.update(f"{name}={library_version(name)};".encode())
    for path in sorted(root.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        info = path.stat()
        digest.update(f"{path.relative_to(root)}:{info.st_size}:{info.st_mtime_ns};".encode())
    return digest.hexdigest()


def memo_path(directory: Path, stamp: str) -> Path:
    """The memo file of the code version ``stamp`` in ``directory``."""
    return directory / f"memo-{hashlib.blake2b(stamp.encode(), digest_size=8).hexdigest()}.sqlite3"


def _last_used(path: Path) -> float:
    """When a memo file (or its write-ahead log) was last written; 0 if gone."""
    times = []
    for suffix in ("", "-wal"):
        with contextlib.suppress(OSError):
            times.append(Path(f"{path}{suffix}").stat().st_mtime)
    return max(times, default=0.0)


def sweep_other_versions(directory: Path, keep: Path, now: float | None = None) -> None:
    """Delete the memo files in ``directory`` other than ``keep`` that are unused for
    :data:`OTHER_VERSIONS_DAYS` days or beyond the :data:`OTHER_VERSIONS_KEPT` most
    recently used (a failure to list or delete is ignored: the files are only derived
    data)."""
    now = time.time() if now is None else now
    try:
        others = [
            p
            for p in directory.glob("memo*.sqlite3")
            if p != keep and (p.name == MEMO_FILENAME or p.name.startswith("memo-"))
        ]
    except OSError:
        return
    if not others:
        return
    by_use = sorted(((_last_used(p), p) for p in others), reverse=True)
    for rank, (used, path) in enumerate(by_use):
        if rank < OTHER_VERSIONS_KEPT and now - used < OTHER_VERSIONS_DAYS * 86400:
            continue
        log.info("deleting the memo of another version of citetrack: %s", path)
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{path}{suffix}").unlink()


def cache_folder(settings: Settings) -> Path:
    """The folder of the local cache (and of the memo) that ``settings`` name."""
    return Path(settings.cache_dir) if settings.cache_dir else default_cache_dir()


class Memo:
    """The store.  Use as a context manager, or call :meth:`close`.

    ``path`` ``None`` keeps nothing (every lookup misses).  Safe to call from the event
    loop and from worker threads (one lock around the connection).
    """

    def __init__(self, path: Path | None, *, stamp: str | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self.hits = 0
        self.misses = 0
        self._pruned = False
        if path is not None:
            self._db = self._open(path, stamp if stamp is not None else code_stamp())

    @classmethod
    def open(cls, directory: Path | None, *, stamp: str | None = None) -> Memo:
        """The memo of this version of the code (``stamp``, default :func:`code_stamp`)
        next to the evidence cache in ``directory`` (``None``: none)."""
        if directory is None:
            return cls(None)
        stamp = stamp if stamp is not None else code_stamp()
        path = memo_path(directory, stamp)
        sweep_other_versions(directory, keep=path)
        return cls(path, stamp=stamp)

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def _open(self, path: Path, stamp: str) -> sqlite3.Connection | None:
        for attempt in (1, 2):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                return self._connect(path, stamp)
            except sqlite3.Error as exc:
                if attempt == 1 and is_corrupt(exc):
                    # Only derived data: start afresh rather than keep a damaged copy.
                    log.info("memo %s is damaged (%s); starting afresh", path, exc)
                    for suffix in ("", "-wal", "-shm"):
                        with contextlib.suppress(OSError):
                            Path(f"{path}{suffix}").unlink()
                    continue
                log.info("memo not used for this run: %s (%s)", path, exc)
                return None
            except OSError as exc:
                log.info("memo not used for this run: %s (%s)", path, exc)
                return None
        return None

    @staticmethod
    def _connect(path: Path, stamp: str) -> sqlite3.Connection:
        db = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
            if row is None or row[0] != stamp:
                # Another version of the code computed these: none of them may be reused.
                db.execute("BEGIN IMMEDIATE")
                db.execute("DELETE FROM memo")
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('stamp', ?)", (stamp,))
                db.execute("COMMIT")
        except BaseException:
            db.close()
            raise
        return db

    def _disable(self, exc: Exception) -> None:
        log.info("memo disabled for this run: %s", exc)
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None

    def get_many(self, kind: str, keys: Iterable[str]) -> dict[str, str | bytes]:
        """The stored values of ``keys`` (absent: not stored)."""
        # In key order: each query's keys then sit in neighbouring pages of the table, which
        # SQLite's small page cache keeps between queries.  Asked in the order of the
        # entries (hashes: random), 500,000 lookups in a 100,000-entry memo took 2.5 s
        # instead of 0.85 s (issue 16).
        wanted = sorted(set(keys))
        out: dict[str, str | bytes] = {}
        with self._lock:
            if self._db is None or not wanted:
                return out
            try:
                for start in range(0, len(wanted), _CHUNK):
                    chunk = wanted[start : start + _CHUNK]
                    marks = ",".join("?" * len(chunk))
                    rows = self._db.execute(
                        f"SELECT key, value FROM memo WHERE kind = ? AND key IN ({marks})",  # noqa: S608 (only "?" marks)
                        (kind, *chunk),
                    )
                    out.update(rows)
            except sqlite3.Error as exc:
                self._disable(exc)
                return {}
        self.hits += len(out)
        self.misses += len(wanted) - len(out)
        return out

    def put_many(self, kind: str, items: Mapping[str, str | bytes]) -> None:
        """Remember ``items`` (one transaction; a failure only disables the memo)."""
        with self._lock:
            if self._db is None or not items:
                return
            now = time.time()
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany(
                    "INSERT OR REPLACE INTO memo (kind, key, value, stored_at) VALUES (?,?,?,?)",
                    [(kind, k, v, now) for k, v in items.items()],
                )
                if not self._pruned:  # once per run: a scan of the table
                    self._db.execute("DELETE FROM memo WHERE stored_at < ?", (now - MAX_AGE,))
                    self._pruned = True
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                self._disable(exc)

    def trim(self, kind: str, keep: int) -> None:
        """Keep only the ``keep`` newest values of ``kind`` (big values: recorded reports)."""
        with self._lock:
            if self._db is None:
                return
            try:
                self._db.execute(
                    "DELETE FROM memo WHERE kind = ? AND key NOT IN "
                    "(SELECT key FROM memo WHERE kind = ? ORDER BY stored_at DESC LIMIT ?)",
                    (kind, kind, keep),
                )
            except sqlite3.Error as exc:
                self._disable(exc)

    def view(self, kind: str) -> MemoView[str]:
        """One kind of value, as a plain key → text store."""
        return MemoView(self, kind, str)

    def bytes_view(self, kind: str) -> MemoView[bytes]:
        """One kind of value stored as bytes (the .bib loader's chunks)."""
        return MemoView(self, kind, bytes)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._db.close()
                self._db = None

    def __enter__(self) -> Memo:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class MemoView(Generic[V]):
    """The values of one ``kind`` of a :class:`Memo`, all of type ``of`` (text, or bytes
    that SQLite keeps as BLOBs); a stored value of another type is a miss."""

    def __init__(self, memo: Memo, kind: str, of: type[V]) -> None:
        self._memo = memo
        self.kind = kind
        self._of: type[V] = of

    def get_many(self, keys: Sequence[str]) -> dict[str, V]:
        found = self._memo.get_many(self.kind, keys)
        return {k: v for k, v in found.items() if isinstance(v, self._of)}

    def put_many(self, items: Mapping[str, V]) -> None:
        self._memo.put_many(self.kind, dict(items))

    def get_grouped(self, keys: Iterable[str]) -> dict[str, V]:
        """:meth:`get_many`, with one lookup per group of keys instead of one per key once
        every key of the group has been found together (issue 16: a warm run asks the
        same 100,000s of keys run after run, 3-4 µs of SQLite each).

        The keys asked, sorted, are cut into groups where a key's CRC-32 says so
        (:data:`GROUP_EVERY`), so that a key more or less changes its own group only.
        When each key of a group has a value, the values are also stored together, in
        order, under the digest of the group's keys (:data:`GROUP_PREFIX`): read back,
        they are what the keys' own rows hold, as long as a key's value is a function of
        the key alone within one version of the code (true of this memo's kinds; the
        memo is per version).  A group row that does not read back as that many texts is
        ignored.  Text values only (bytes: :meth:`get_many`).
        """
        wanted = sorted(set(keys))
        if self._of is not str:
            return self.get_many(wanted)
        if not wanted:
            return {}
        crc32 = zlib.crc32
        ends = [  # one past each group's last key: a comprehension, for 200,000 keys
            index
            for index, key in enumerate(wanted, 1)
            if crc32(key.encode("utf-8", "surrogatepass")) % GROUP_EVERY == 0
        ]
        if not ends or ends[-1] != len(wanted):
            ends.append(len(wanted))
        groups: dict[str, list[str]] = {}
        start = 0
        for end in ends:
            group = wanted[start:end]
            start = end
            groups[_group_key(group)] = group
        stored = self._memo.get_many(self.kind, groups)
        out: dict[str, V] = {}
        rest: list[str] = []
        missed: dict[str, list[str]] = {}
        for name, group in groups.items():
            values = _group_values(stored.get(name), len(group))
            if values is None:
                rest += group
                missed[name] = group
            else:
                out.update(zip(group, values, strict=True))
        found = self.get_many(rest)
        out.update(found)
        whole = {
            name: json.dumps([found[k] for k in group])
            for name, group in missed.items()
            if all(k in found for k in group)
        }
        if whole:
            self._memo.put_many(self.kind, whole)
        return out


def _group_key(keys: Sequence[str]) -> str:
    """The key of the row holding the values of ``keys`` (in this order): the digest of
    their JSON, which reads back to those very keys (orjson's, a third of the time of
    ``json.dumps``: 2,300 groups of a warm 100,000-reference run, issue 16; a key orjson
    refuses, a lone surrogate, is written by ``json.dumps``: both are JSON of the list)."""
    return GROUP_PREFIX + hashlib.blake2b(_group_text(keys), digest_size=16).hexdigest()


def _group_text(keys: Sequence[str]) -> bytes:
    """The JSON :func:`_group_key` hashes: it reads back to ``keys`` exactly."""
    try:
        return orjson.dumps(keys)
    except TypeError:
        return json.dumps(keys).encode()  # ASCII: any key, unambiguously


def _group_values(text: object, count: int) -> list[Any] | None:
    """A group row read back: ``count`` texts (``str``), else ``None``."""
    if not isinstance(text, str):
        return None
    try:
        values = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if type(values) is not list or len(values) != count:
        return None
    for value in values:
        if type(value) is not str:
            return None
    return values
