"""On-disk cache of registry evidence, per identifier.

What is stored is the *answer about one identifier* — ``Found`` (with its metadata) or
``NotFound`` — keyed by (source, identifier), not HTTP responses: Crossref and PubMed are
asked in batches, so a response-level cache would almost never hit.  ``Unavailable`` is
never stored: "could not ask" must not outlive the run that could not ask.

The store is one SQLite file (WAL journal, so a crash mid-write leaves the last committed
state) under ``platformdirs.user_cache_dir("citetrack")``, or ``$CITETRACK_CACHE_DIR``.  Only
a file that SQLite calls corrupt or not a database (or that fails its integrity check) is
moved aside and rebuilt; entries of an incompatible version are dropped.  A database that
is locked by another run is waited for (SQLite's busy timeout, then a few more tries); a
full disk, a read-only directory or a cache still locked after that makes this run go
without the cache, and the file is left as it is.  An error while running disables the
cache for the rest of the run.  None of these is ever fatal.

The integrity check reads every page of the file (0.11 s for the 184 MB of a
100,000-reference cache), so it is made once per state of the file: its identity when
found sound (device, inode, size, modification and status-change times, and an empty
write-ahead log) is kept beside it (``evidence.sqlite3.checked``), and a run that finds
the file as it was then skips the check.  Any write, truncation or replacement changes
that identity.  A damaged page met by a read (damage the file's times do not show)
disables the cache for the run, as before, and forgets the identity, so the next run
checks the file and moves it aside.  A record's damaged text is caught without the
check: each one is read by its digest (:attr:`EvidenceCache.known_records`) or decoded.

Freshness: an entry older than its TTL is not read.  A caller may also give
``not_before`` (epoch seconds): entries stored earlier are not read either.  A check that
compares against a lockfile uses it so that evidence older than the lockfile's baseline is
never compared against it (see ``citetrack.cli.freshness``).

Modes: ``normal`` reads and writes; ``no-cache`` neither reads nor writes; ``offline`` only
reads, and services answer a miss with ``Unavailable("offline: not in cache")``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from citetrack.fsutil import atomic_write_text
from citetrack.model import Evidence, Found, NotFound, Source
from citetrack.tracking.codec import (
    StoredFound,
    bytes_digest,
    evidence_from_text,
    evidence_text,
    peek_text,
    text_digest,
    writable,
)

if TYPE_CHECKING:
    from citetrack.tracking.memo import MemoView

log = logging.getLogger(__name__)

CACHE_FILENAME = "evidence.sqlite3"
#: Bump when the meaning of stored metadata changes (a parser fix): old entries are dropped.
CACHE_FORMAT = 1
DAY = 86400.0
DEFAULT_FOUND_TTL = 7 * DAY
DEFAULT_NOT_FOUND_TTL = 1 * DAY
#: Seconds SQLite waits for another connection's lock before answering "database is locked".
BUSY_TIMEOUT = 5.0
#: Tries to open a locked cache (each after the busy timeout) before running without it.
OPEN_ATTEMPTS = 3
# SQLite primary result codes (https://sqlite.org/rescode.html): only these two say the
# file itself is bad.  BUSY/LOCKED (another run), FULL, IOERR, READONLY, CANTOPEN do not.
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS evidence (
    source TEXT NOT NULL,
    identifier TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('found', 'not_found')),
    payload TEXT NOT NULL,
    stored_at REAL NOT NULL,
    PRIMARY KEY (source, identifier)
);
-- Any write to the evidence gives the cache a new random generation, whoever writes it:
-- a run that replays an earlier report (citetrack.cli.replay) checks that none happened.
CREATE TRIGGER IF NOT EXISTS evidence_inserted AFTER INSERT ON evidence BEGIN
    INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', hex(randomblob(16)));
END;
CREATE TRIGGER IF NOT EXISTS evidence_updated AFTER UPDATE ON evidence BEGIN
    INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', hex(randomblob(16)));
END;
CREATE TRIGGER IF NOT EXISTS evidence_deleted AFTER DELETE ON evidence BEGIN
    INSERT OR REPLACE INTO meta (key, value) VALUES ('generation', hex(randomblob(16)));
END;
INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', hex(randomblob(16)));
"""


class _Corrupt(sqlite3.DatabaseError):
    """The integrity check failed: the file is damaged."""


def is_corrupt(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` says the database file is damaged (rather than busy, full…)."""
    if isinstance(exc, _Corrupt):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` is another connection holding a lock ("database is locked")."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)


def _quick_check(db: sqlite3.Connection) -> tuple[object, ...] | None:
    """SQLite's ``quick_check`` of the whole file (a read of every page: 0.11 s for a
    184 MB cache, the 100,000-reference warm run's; issue 16)."""
    row: tuple[object, ...] | None = db.execute("PRAGMA quick_check").fetchone()
    return row


#: What :func:`mark_checked` writes, before the file's identity.
_CHECKED_FORMAT = "citetrack-cache-checked/1 "


def checked_path(path: Path) -> Path:
    """Where the identity of the cache file ``path`` is kept once it was checked sound."""
    return Path(f"{path}.checked")


def file_identity(path: Path) -> str | None:
    """What changes whenever the bytes of the database at ``path`` may have changed: the
    main file's device, inode, size, modification and status-change times (the latter
    cannot be set back by a program); ``None`` — check it — when there is no such file
    or when its write-ahead log holds pages (written by a run that did not close, or by
    one still running: part of the database that the main file's times do not cover)."""
    try:
        main = path.stat()
    except OSError:
        return None
    try:
        if Path(f"{path}-wal").stat().st_size:
            return None
    except FileNotFoundError:
        pass
    except OSError:
        return None
    return f"{main.st_dev}:{main.st_ino}:{main.st_size}:{main.st_mtime_ns}:{main.st_ctime_ns}"


def was_checked(path: Path, identity: str) -> bool:
    """Whether ``path`` was checked sound when it was last as ``identity`` says (then
    nothing has written to it since, and ``quick_check`` would read the same pages)."""
    try:
        with checked_path(path).open(encoding="ascii") as handle:
            return handle.read(200) == _CHECKED_FORMAT + identity + "\n"
    except (OSError, ValueError):
        return False


def mark_checked(path: Path, identity: str) -> None:
    """Remember that the file was checked sound as ``identity`` (atomically; a failure
    only means the next run checks again)."""
    with contextlib.suppress(OSError):
        atomic_write_text(checked_path(path), _CHECKED_FORMAT + identity + "\n")


def unmark_checked(path: Path) -> None:
    """Forget that ``path`` was checked (it is damaged, or moved aside)."""
    with contextlib.suppress(OSError):
        checked_path(path).unlink()


def _known_key(source: Source, identifier: str, digest: str) -> str:
    # The row's source and identifier are part of it: a text copied to another row is new.
    return f"{source.value}\x1f{identifier}\x1f{digest}"


class CacheMode(StrEnum):
    NORMAL = "normal"
    NO_CACHE = "no-cache"
    OFFLINE = "offline"


def default_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$CITETRACK_CACHE_DIR`` if set, else the platform's user cache directory."""
    env = os.environ if environ is None else environ
    override = env.get("CITETRACK_CACHE_DIR", "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs  # noqa: PLC0415 - not needed when a folder is given

    return Path(platformdirs.user_cache_dir("citetrack"))


# ----------------------------------------------------------------------------- store


#: The reason an offline run gives for a key it has no cached answer for.
OFFLINE_MISS = "offline: not in cache"
#: The reason ``check --local`` gives: it asks no registry and reads no cached answer.
LOCAL_MISS = "--local: no registry asked"


class EvidenceCache:
    """The evidence store.  Use as a context manager, or call :meth:`close`.

    ``path`` is the SQLite file; ``None`` (or mode ``no-cache``) keeps nothing.
    ``clock`` returns epoch seconds (injectable for TTL tests).
    """

    def __init__(
        self,
        path: Path | None,
        *,
        mode: CacheMode = CacheMode.NORMAL,
        found_ttl: float = DEFAULT_FOUND_TTL,
        not_found_ttl: float = DEFAULT_NOT_FOUND_TTL,
        clock: Callable[[], float] = time.time,
        not_before: float | None = None,
        miss: str = OFFLINE_MISS,
    ) -> None:
        self.mode = mode
        #: Why an offline run has no answer for a key: ``--local`` reads no cache at all,
        #: so "not in cache" would be untrue there.
        self.miss = miss
        self.not_before = not_before
        self.path = path
        self.found_ttl = found_ttl
        self.not_found_ttl = not_found_ttl
        self._clock = clock
        self._db: sqlite3.Connection | None = None
        #: When the first entry this run was served expires (``None``: none served).
        self.fresh_until: float | None = None
        #: The found texts this code has decoded (or written) before, by
        #: :func:`_known_key`: the memo's, set by the caller; ``None``: decode every one.
        self.known_records: MemoView[str] | None = None
        if path is not None and mode is not CacheMode.NO_CACHE:
            self._db = self._open(path)

    @classmethod
    def open(
        cls,
        directory: Path | None = None,
        *,
        mode: CacheMode = CacheMode.NORMAL,
        environ: Mapping[str, str] | None = None,
        found_ttl: float = DEFAULT_FOUND_TTL,
        not_found_ttl: float = DEFAULT_NOT_FOUND_TTL,
        not_before: float | None = None,
    ) -> EvidenceCache:
        """The cache in ``directory`` (default: :func:`default_cache_dir`)."""
        if mode is CacheMode.NO_CACHE:
            return cls(None, mode=mode)
        folder = directory if directory is not None else default_cache_dir(environ)
        return cls(
            folder / CACHE_FILENAME,
            mode=mode,
            found_ttl=found_ttl,
            not_found_ttl=not_found_ttl,
            not_before=not_before,
        )

    @property
    def offline(self) -> bool:
        return self.mode is CacheMode.OFFLINE

    @property
    def enabled(self) -> bool:
        """True while entries can be read (false after an error disabled the cache)."""
        return self._db is not None

    # -- opening, and recovering from a bad file

    def _open(self, path: Path) -> sqlite3.Connection | None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning("cache disabled: cannot create %s (%s)", path.parent, exc)
            return None
        for attempt in range(1, OPEN_ATTEMPTS + 1):
            try:
                return self._connect(path)
            except sqlite3.Error as exc:
                if is_corrupt(exc):
                    log.warning(
                        "cache %s is corrupt (%s); moving it aside and starting afresh", path, exc
                    )
                    self._move_aside(path)
                    break
                if is_busy(exc) and attempt < OPEN_ATTEMPTS:
                    log.info("cache %s is locked by another run; waiting", path)
                    continue
                log.warning("cache not used for this run: %s (%s)", path, exc)
                return None
        try:
            return self._connect(path)
        except sqlite3.Error as exc:
            log.warning("cache not used for this run: %s (%s)", path, exc)
            return None

    def _connect(self, path: Path) -> sqlite3.Connection:
        # Taken before opening: a change made after it (this run's writes, another run's)
        # makes the file differ from it, so the next run checks again.
        identity = file_identity(path)
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            if identity is None or not was_checked(path, identity):
                check = _quick_check(db)
                if not check or check[0] != "ok":
                    raise _Corrupt(f"integrity check failed: {check}")
                if identity is not None:
                    mark_checked(path, identity)
            db.executescript(_SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if row is None or row[0] != str(CACHE_FORMAT):
                # Written by another version: its entries may mean something else.  The
                # format is recorded last, so a crash here just repeats this next time.
                db.execute("DROP TABLE IF EXISTS evidence")
                db.execute("DELETE FROM meta WHERE key = 'generation'")
                db.executescript(_SCHEMA)
                db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?)",
                    (str(CACHE_FORMAT),),
                )
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _move_aside(path: Path) -> None:
        unmark_checked(path)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for suffix in ("", "-wal", "-shm"):
            candidate = Path(f"{path}{suffix}")
            if candidate.exists():
                with contextlib.suppress(OSError):
                    candidate.replace(Path(f"{path}.corrupt-{stamp}{suffix}"))

    def _disable(self, exc: Exception) -> None:
        log.warning("cache disabled for this run: %s", exc)
        if self.path is not None and isinstance(exc, sqlite3.Error) and is_corrupt(exc):
            unmark_checked(self.path)  # the next run checks the file (and moves it aside)
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None

    # -- reading and writing

    def get_many(self, source: Source, identifiers: Iterable[str]) -> dict[str, Found | NotFound]:
        """Fresh entries for ``identifiers`` of ``source`` (expired or unreadable: absent).

        A found record whose text this code has decoded before (:attr:`known_records`) is
        handed out undecoded, as a :class:`~citetrack.tracking.codec.StoredFound`; every
        other text is decoded here, and one that does not decode is dropped.
        """
        wanted = list(dict.fromkeys(identifiers))
        if self._db is None or not wanted:
            return {}
        now = self._clock()
        found: dict[str, Found | NotFound] = {}
        broken: list[str] = []
        try:
            # The payload as its UTF-8 bytes (the column holds text; a value stored as a
            # blob, only by something else than citetrack, reads the same way): hashed as
            # they are, without SQLite's decoding to ``str`` and ``text_digest``'s encoding
            # back (200,000 records: 0.25 s of a warm 100,000-reference check, issue 16).
            # The digest is still of the text read, so it names what the row holds now.
            rows = self._db.execute(
                "SELECT identifier, kind, CAST(payload AS BLOB), stored_at FROM evidence "
                "WHERE source = ? AND identifier IN (SELECT value FROM json_each(?))",
                (source.value, json.dumps(wanted)),
            ).fetchall()
            # One pass keeps the fresh rows (not expired, not from the future, not older
            # than ``not_before``) with their digests and known keys: 200,000 rows, issue 16.
            found_ttl, not_found_ttl, not_before = (
                self.found_ttl,
                self.not_found_ttl,
                self.not_before,
            )
            prefix = source.value + "\x1f"
            fresh: list[tuple[str, object, bytes, float, str, str]] = []
            for identifier, kind, payload, stored_at in rows:
                ttl = found_ttl if kind == "found" else not_found_ttl
                if (
                    not isinstance(stored_at, float | int)
                    or now - stored_at > ttl
                    or now < stored_at - DAY  # stored "in the future": clock went back
                    or (not_before is not None and stored_at < not_before)
                ):
                    continue
                if type(payload) is not bytes or not isinstance(identifier, str):
                    broken.append(identifier)
                    continue
                digest = bytes_digest(payload)
                key = f"{prefix}{identifier}\x1f{digest}"  # _known_key
                fresh.append((identifier, kind, payload, stored_at + ttl, digest, key))
            known = self._known([key for _, kind, _, _, _, key in fresh if kind == "found"])
            decoded: dict[str, str] = {}
            for identifier, kind, payload, expires, digest, key in fresh:
                evidence: Found | NotFound
                seen = known.get(key)
                if seen is not None and kind == "found":
                    evidence = StoredFound(source, identifier, payload, digest, seen)
                else:
                    try:
                        evidence = evidence_from_text(payload.decode("utf-8"))
                    except (ValueError, TypeError, KeyError, RecursionError):
                        broken.append(identifier)
                        continue
                    if evidence.source is not source or evidence.identifier != identifier:
                        continue
                    if isinstance(evidence, Found):
                        decoded[key] = peek_text(evidence)
                found[identifier] = evidence
                if self.fresh_until is None or expires < self.fresh_until:
                    self.fresh_until = expires
            if self.known_records is not None and decoded:
                self.known_records.put_many(decoded)
            if broken:
                with self._db:
                    self._db.execute("BEGIN")
                    self._db.executemany(
                        "DELETE FROM evidence WHERE source = ? AND identifier = ?",
                        [(source.value, i) for i in broken],
                    )
        except sqlite3.Error as exc:
            self._disable(exc)
            return {}
        return found

    def _known(self, keys: list[str]) -> dict[str, str]:
        """Which found texts (by :func:`_known_key`) this code has decoded before, with
        what was kept of each (:func:`~citetrack.tracking.codec.peek_text`)."""
        if self.known_records is None:
            return {}
        return self.known_records.get_grouped(keys)

    def get(self, source: Source, identifier: str) -> Found | NotFound | None:
        return self.get_many(source, [identifier]).get(identifier)

    def put_many(self, evidence: Iterable[Evidence]) -> None:
        """Store ``Found`` / ``NotFound`` entries (others are skipped); no-op unless normal."""
        if self._db is None or self.mode is not CacheMode.NORMAL:
            return
        now = self._clock()
        written: list[Found | NotFound] = []
        rows = []
        for e in evidence:
            if isinstance(e, Found | NotFound) and writable(payload := evidence_text(e)):
                kind = "found" if isinstance(e, Found) else "not_found"
                rows.append((e.source.value, e.identifier, kind, payload, now))
                written.append(e)
        if not rows:
            return
        try:
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany(
                    "INSERT OR REPLACE INTO evidence "
                    "(source, identifier, kind, payload, stored_at) VALUES (?, ?, ?, ?, ?)",
                    rows,
                )
        except sqlite3.Error as exc:
            self._disable(exc)
            return
        if self.known_records is not None:
            # Written from the record itself: its text reads back to it (the codec's round
            # trip is lossless, tests/test_codec.py), no need to decode it to know.
            self.known_records.put_many(
                {
                    _known_key(e.source, e.identifier, text_digest(payload)): peek_text(e)
                    for e, (_, _, _, payload, _) in zip(written, rows, strict=True)
                    if isinstance(e, Found)
                }
            )

    def put(self, evidence: Evidence) -> None:
        self.put_many([evidence])

    # -- coordination (see citetrack.tracking.store): one local runner, nothing to share

    def claim(self, source: Source, identifiers: Iterable[str]) -> set[str]:
        return set(identifiers)

    def release(self, source: Source, identifiers: Iterable[str]) -> None:
        return None

    def renew(self) -> None:
        return None

    def clear(self) -> None:
        """Forget every entry (``citetrack cache clear``)."""
        if self._db is None:
            return
        try:
            with self._db:
                self._db.execute("BEGIN")
                self._db.execute("DELETE FROM evidence")
        except sqlite3.Error as exc:
            self._disable(exc)

    def prune(self) -> int:
        """Delete expired entries; returns how many."""
        if self._db is None or self.mode is not CacheMode.NORMAL:
            return 0
        now = self._clock()
        try:
            with self._db:
                self._db.execute("BEGIN")
                cursor = self._db.execute(
                    "DELETE FROM evidence WHERE (kind = 'found' AND stored_at < ?) "
                    "OR (kind = 'not_found' AND stored_at < ?)",
                    (now - self.found_ttl, now - self.not_found_ttl),
                )
        except sqlite3.Error as exc:
            self._disable(exc)
            return 0
        return cursor.rowcount

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def __enter__(self) -> EvidenceCache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
