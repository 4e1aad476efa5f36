"""The digest of a file's bytes, remembered per state of the file.

A warm check with a lockfile hashed the same unchanged bytes three times per run: the
.bib and the lockfile for the replay key (:mod:`citetrack.cli.replay`), the lockfile
again when it is read (:func:`~citetrack.tracking.lockfile.fileformat.read_lock`): 24 MB
of BLAKE2b for a 10,000-reference bibliography, some 5 % of the run (issue 16).

Here a digest computed from bytes read is remembered in the memo (per code version, as
everything there) with the *state* of the file they were read from: device, inode, size,
modification and status-change times (:func:`file_state`).  A later run that finds the
file in that same state takes the digest without reading or hashing the bytes.

Why a changed file is never taken for the remembered one:

* Any write to a file, truncation, ``chmod``, rename or replacement sets its status-change
  time (``st_ctime``) to the current time, and no program can set it back (``utime``
  sets the modification time only; only changing the system clock could).  A new file at
  the path (an editor's save by rename, ``git checkout``) is another inode with a new
  status-change time.
* The state is taken of the open file before the bytes are read and again after
  (:func:`remembered_digest`'s callers pass both), and the digest is remembered only when
  both are the same: bytes written during the read are never remembered as that state.
* Timestamps are coarse (a clock tick, or two seconds on some file systems): two writes
  within one tick can leave the same times.  So a digest is remembered only for a file
  whose modification and status-change times are at least :data:`SETTLED_NS` older than
  the moment it was read (Git's "racy" rule): a write after that moment gets a later
  status-change time, hence another state.  A file written just now is hashed at every
  run until it has settled.

What remains is the system clock set back by more than :data:`SETTLED_NS` *and* a write
that then lands on exactly the same nanosecond times and size, or a file system whose
times do not follow these rules (the run then depends on it as ``git status`` does).  On
Windows, where ``st_ctime`` is the creation time, nothing is remembered
(:data:`CTIME_IS_CHANGE`).
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from citetrack.tracking.codec import bytes_digest

if TYPE_CHECKING:
    from citetrack.tracking.memo import MemoView

#: The memo kind: per resolved path, ``"<state> <digest>"``.
KIND = "file-prints/1"
#: A file's times must be at least this much older than its reading to be remembered.
SETTLED_NS = 2_000_000_000
#: Whether ``st_ctime`` is the status-change time that every write sets (POSIX).  On
#: Windows it is the creation time, which a write in place leaves as it was: no state
#: stands for a file's bytes there, and every digest is computed.
CTIME_IS_CHANGE = os.name != "nt"


def file_state(info: os.stat_result) -> str | None:
    """What changes whenever the bytes of a regular file may have changed (``None``: not a
    regular file, whose bytes no state stands for)."""
    if not CTIME_IS_CHANGE or not stat.S_ISREG(info.st_mode):
        return None
    return f"{info.st_dev}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"


def settled(info: os.stat_result, now_ns: int | None = None) -> bool:
    """Whether ``info``'s times are old enough (:data:`SETTLED_NS`) for its state to stand
    for its bytes from now on."""
    now = time.time_ns() if now_ns is None else now_ns
    return max(info.st_mtime_ns, info.st_ctime_ns) <= now - SETTLED_NS


class FilePrints:
    """Digests of files' bytes by the files' states (in a memo view; ``None``: none kept,
    every digest computed)."""

    def __init__(self, store: MemoView[str] | None) -> None:
        self._store = store
        self._seen: dict[str, str] = {}

    def _remembered(self, where: str) -> str | None:
        if where not in self._seen:
            if self._store is None:
                return None
            value = self._store.get_many([where]).get(where)
            self._seen[where] = value if isinstance(value, str) else ""
        return self._seen[where] or None

    def known(self, where: str, info: os.stat_result) -> str | None:
        """The digest remembered for the file ``where`` (a resolved path) in the state
        ``info`` (its ``stat``), if any: its bytes need not be read."""
        state = file_state(info)
        value = self._remembered(where)
        if state is None or value is None:
            return None
        kept_state, _, digest = value.rpartition(" ")
        return digest if kept_state == state and digest else None

    def digest(self, where: str, data: bytes, before: os.stat_result, after: os.stat_result) -> str:
        """The digest of ``data``, read from the file ``where`` between the ``fstat``s
        ``before`` and ``after`` of the open file: the remembered one if the file was in
        its remembered state throughout, else computed (and remembered if the state
        stands for these bytes: the same before and after, settled, of their size)."""
        state = file_state(before)
        if state is not None and state == file_state(after):
            digest = self.known(where, before)
            if digest is not None:
                return digest
        digest = bytes_digest(data)
        if (
            state is not None
            and state == file_state(after)
            and len(data) == before.st_size
            and settled(before)
        ):
            self.remember(where, state, digest)
        return digest

    def remember(self, where: str, state: str, digest: str) -> None:
        value = f"{state} {digest}"
        if self._seen.get(where) == value:
            return
        self._seen[where] = value
        if self._store is not None:
            self._store.put_many({where: value})

    def snapshot(self) -> Mapping[str, str]:
        """What was looked up or remembered this run (for tests)."""
        return dict(self._seen)
