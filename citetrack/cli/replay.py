"""Replaying an unchanged check: the same inputs and the same evidence give the same report.

A check is a function of what it reads — the .bib files and articles, the lockfile, the
settings (config file, environment, options), the terminal it writes to, the day (rules
compare years with today), the code — and of the cached evidence it is served.  When a
check made no request at all (every registry answer came from the cache, no link was
fetched), what it printed, the report files it wrote and its exit code are remembered in
the memo (:mod:`citetrack.tracking.memo`) under a hash of all those inputs.  The next check
with the same hash prints them again instead of computing them, but only while

* the evidence cache has not been written since (its *generation*, a random token that a
  trigger renews on every write by any run: a nightly job that stored a retraction makes
  every earlier recording stale), and
* the first cached answer the recorded run used has not expired (its time-to-live, which
  the lockfile's ``--max-cache-age`` shortens).

Anything else — an edited entry, a touched lockfile, another option, another day — is a
new hash and a full run.  This is what makes a pre-commit hook or an editor's on-save
check of an unchanged 10,000-entry bibliography come back in a fraction of a second.

Not replayed: ``--no-cache`` runs, a shared ``--store``, standard input, wiki pages
fetched over the network, ``--update-lock``, shards, runs with a progress bar, runs that
made requests, runs that wrote the lockfile or ended in a usage error (exit 2).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
import sqlite3
import stat
import sys
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from citetrack.config import Settings
from citetrack.tracking.cache import CACHE_FILENAME
from citetrack.tracking.fileprints import KIND as PRINTS_KIND
from citetrack.tracking.fileprints import FilePrints
from citetrack.tracking.memo import Memo, cache_folder

log = logging.getLogger(__name__)

#: The memo kind of recorded runs.
KIND = "replay/2"
#: Output larger than this (characters, standard output and error each) is not recorded.
MAX_RECORDED_CHARS = 64 * 1024 * 1024
#: Recorded runs kept (each holds a whole report): the newest ones.
KEEP = 16
#: Environment variables a run's output may depend on besides ``CITETRACK_*``.
_ENVIRONMENT = (
    *("NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS", "LINES", "CI", "TZ"),
    *("LANG", "LC_ALL", "LC_CTYPE", "PYTHONIOENCODING", "PYTHONUTF8"),
)
_ENV_PREFIXES = ("CITETRACK_", "GITHUB_", "NCBI_")


def cache_generation(folder: Path) -> str | None:
    """The evidence cache's generation (renewed by every write), read without opening the
    cache for writing; ``None`` if there is no readable cache."""
    path = folder / CACHE_FILENAME
    if not path.is_file():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.5)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


#: Files larger than this are not hashed for a replay key: such a run is not replayed.
MAX_HASHED_BYTES = 64 * 1024 * 1024


class _NotReplayable(Exception):
    """An input that a replay key cannot stand for (the full run reports on it)."""


def _file_print(path: Path, *, missing_ok: bool, prints: FilePrints) -> str:
    """Content hash, size and modification time of the regular file ``path``.

    Never reads anything but a regular file of bounded size (a lockfile linked to
    ``/dev/zero`` is the full run's to refuse, with its message).  The hash is the one
    remembered for the file's present state, if any (:mod:`citetrack.tracking.fileprints`):
    then the bytes are not read.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        if missing_ok:
            return "-"
        raise _NotReplayable(str(path)) from None
    except OSError:
        raise _NotReplayable(str(path)) from None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_HASHED_BYTES:
        raise _NotReplayable(str(path))
    where = _resolved(path)
    digest = prints.known(where, info)
    if digest is None:
        try:
            with path.open("rb") as handle:
                before = os.fstat(handle.fileno())
                data = handle.read(MAX_HASHED_BYTES + 1)
                after = os.fstat(handle.fileno())
        except OSError:
            raise _NotReplayable(str(path)) from None
        if len(data) > MAX_HASHED_BYTES:
            raise _NotReplayable(str(path))
        digest = prints.digest(where, data, before, after)
        info = after
    return f"{digest}:{info.st_size}:{info.st_mtime_ns}"


def _resolved(path: Path) -> str:
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):
        return str(path.absolute())


def _environment(environ: Mapping[str, str]) -> list[tuple[str, str]]:
    return sorted(
        (k, v) for k, v in environ.items() if k in _ENVIRONMENT or k.startswith(_ENV_PREFIXES)
    )


class _Tee(io.TextIOBase):
    """A text stream that writes through to ``real`` and keeps a copy."""

    def __init__(self, real: TextIO) -> None:
        super().__init__()
        self.real = real
        self.parts: list[str] = []
        #: Set when something wrote around the copy (bytes to ``.buffer``) or too much for
        #: a copy: not replayable.
        self.bypassed = False
        self.size = 0

    @property
    def buffer(self) -> Any:
        self.bypassed = True
        return self.real.buffer

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if not self.bypassed:
            self.size += len(text)
            if self.size > MAX_RECORDED_CHARS:
                # Too big to keep a copy of (a 50,000-reference JSON report is 65 MB):
                # such a run is not recorded, and holds no copy.
                self.bypassed = True
                self.parts.clear()
            else:
                self.parts.append(text)
        return self.real.write(text)

    def flush(self) -> None:
        self.real.flush()

    def isatty(self) -> bool:
        return self.real.isatty()

    def fileno(self) -> int:
        return self.real.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.real.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self.real.errors

    def text(self) -> str:
        return "".join(self.parts)

    def drop(self) -> None:
        """Keep no copy from now on (the run will not be recorded)."""
        self.bypassed = True
        self.parts.clear()

    def compressed(self, head: str) -> bytes:
        """``head``, a line break and this copy, as UTF-8 (surrogates kept) compressed by
        zlib, written part by part: no second copy of a 40 MB report in memory."""
        packer = zlib.compressobj(1)
        out = [packer.compress(head.encode("utf-8", "surrogatepass") + b"\n")]
        out += (packer.compress(part.encode("utf-8", "surrogatepass")) for part in self.parts)
        out.append(packer.flush())
        return b"".join(out)


def pack(head: Mapping[str, Any], stdout: str) -> bytes:
    """A recording as stored: what :meth:`_Tee.compressed` writes part by part."""
    text = json.dumps(head, ensure_ascii=False) + "\n" + stdout
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


def unpack(value: str | bytes) -> tuple[dict[str, Any], str]:
    """A stored recording read back: its head (JSON) and the standard output it copied;
    ``ValueError``/``zlib.error`` if it is not one."""
    if not isinstance(value, bytes):
        raise ValueError("not a recording")
    text = zlib.decompress(value).decode("utf-8", "surrogatepass")
    head, _, stdout = text.partition("\n")
    record = json.loads(head)
    if not isinstance(record, dict):
        raise ValueError("not a recording")
    return record, stdout


_LOCAL = "local"


class Replay:
    """One check's recording: replayed if valid, else recorded after the run."""

    def __init__(self, memo: Memo, key: str, cache_dir: Path, *, local: bool = False) -> None:
        self._memo = memo
        self.key = key
        self._cache_dir = cache_dir
        #: ``check --local`` reads no cached answer: its report is the files' alone, valid
        #: whatever the cache does (a generation of its own, never renewed).
        self._local = local
        self._generation = _LOCAL if local else cache_generation(cache_dir)
        self._recordable = True
        self._fresh_until: float | None = None
        self._files: dict[str, str] = {}
        self._tees: tuple[_Tee, ...] = ()

    @classmethod
    def prepare(
        cls,
        settings: Settings,
        *,
        inputs: Sequence[str],
        lockfiles: Iterable[Path],
        options: Sequence[object],
        progress: bool,
        update_lock: bool,
        environ: Mapping[str, str] | None = None,
    ) -> Replay | None:
        """The replay of a check with these inputs, or ``None`` when it is not replayable.

        ``inputs`` are the files the run reads (already expanded), ``options`` every
        parsed option of the command (their ``repr`` is part of the key).
        """
        if not settings.use_cache or settings.store or update_lock or progress:
            return None
        paths = [Path(p) for p in inputs]
        if not paths or any(str(p) == "-" for p in paths):
            return None  # standard input: read once, by the run
        cache_dir = cache_folder(settings)
        memo = Memo.open(cache_dir)
        if not memo.enabled:
            return None
        known = FilePrints(memo.view(PRINTS_KIND))
        try:
            prints = [(str(p), _file_print(p, missing_ok=False, prints=known)) for p in paths]
            locks = [(str(p), _file_print(p, missing_ok=True, prints=known)) for p in lockfiles]
        except _NotReplayable:
            memo.close()
            return None  # a wiki page, a missing or odd file: the full run says what
        env = os.environ if environ is None else environ
        parts: list[object] = [
            options,
            settings,
            str(Path.cwd()),
            _environment(env),
            sys.stdout.isatty(),
            sys.stderr.isatty(),
            tuple(shutil.get_terminal_size()),
            datetime.now(UTC).date().isoformat(),
            prints,
            locks,
        ]
        key = hashlib.blake2b(repr(parts).encode("utf-8", "replace"), digest_size=20).hexdigest()
        return cls(memo, key, cache_dir, local=settings.local)

    # -- replaying

    def play(self) -> int | None:
        """Print the recorded run and return its exit code, if the recording is still
        valid; ``None`` otherwise (nothing printed)."""
        value = self._memo.get_many(KIND, [self.key]).get(self.key)
        if value is None or self._generation is None:
            return None
        try:
            record, stdout = unpack(value)
            generation, fresh_until = record["generation"], record["fresh_until"]
            stderr, code = str(record["stderr"]), int(record["code"])
            files = [(str(path), str(body)) for path, body in record["files"]]
        except (ValueError, KeyError, TypeError, zlib.error):
            return None
        if generation != self._generation:
            return None  # the cache was written since: the evidence may differ
        if fresh_until is not None and time.time() >= float(fresh_until):
            return None  # an answer it used has expired: it would be fetched again
        from citetrack.fsutil import atomic_write_text

        for path, body in files:
            try:
                atomic_write_text(path, body)
            except OSError:
                return None  # the full run reports the problem
        sys.stdout.write(stdout)
        sys.stderr.write(stderr)
        sys.stdout.flush()
        return code

    # -- recording

    def observe(
        self, *, requests: Mapping[str, int], fresh_until: float | None, wrote_lock: bool
    ) -> None:
        """What the run did that decides whether it may be replayed."""
        if sum(requests.values()) or wrote_lock:
            self._recordable = False
            for tee in self._tees:  # the report to come is not kept: no copy of it either
                tee.drop()
        self._fresh_until = fresh_until

    def wrote(self, path: str | Path, text: str) -> None:
        """A report file the run wrote (written again on replay)."""
        self._files[str(path)] = text

    @contextlib.contextmanager
    def recording(self) -> Iterator[None]:
        """Run the check inside: its output is copied, and kept if it may be replayed."""
        out, err = _Tee(sys.stdout), _Tee(sys.stderr)
        self._tees = (out, err)
        real_out, real_err = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        code: Any = 0
        try:
            yield
        except SystemExit as exc:
            code = exc.code if exc.code is not None else 0
            raise
        except BaseException:
            self._recordable = False
            raise
        finally:
            sys.stdout, sys.stderr = real_out, real_err
            complete = not (out.bypassed or err.bypassed)
            if isinstance(code, int) and code != 2 and complete:
                self._store(out, err.text(), code)
            self._memo.close()

    def _store(self, stdout: _Tee, stderr: str, code: int) -> None:
        if not self._recordable or self._generation is None:
            return
        if not self._local and cache_generation(self._cache_dir) != self._generation:
            return  # the run itself wrote to the cache (e.g. dropped a damaged entry)
        head = {
            "generation": self._generation,
            "fresh_until": self._fresh_until,
            "stderr": stderr,
            "code": code,
            "files": sorted(self._files.items()),
        }
        # Compressed (a JSON report shrinks about tenfold), so that the report of a
        # 100,000-reference check can be kept and replayed too.
        value = stdout.compressed(json.dumps(head, ensure_ascii=False))
        self._memo.put_many(KIND, {self.key: value})
        self._memo.trim(KIND, KEEP)

    def close(self) -> None:
        self._memo.close()
