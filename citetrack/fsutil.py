"""Atomic file writes: a file is either its old bytes or its new bytes, never half of each.

The new content goes to a temporary file in the same directory, is flushed and fsynced,
then renamed over the target (``os.replace`` is atomic on POSIX and Windows); the
directory is fsynced so the rename survives a power cut.  A crash, Ctrl-C or a full disk
leaves at worst a stray ``.<name>.*.tmp`` file, which is removed when possible.

A target that is a symbolic link is written *through* the link: the file it points to is
replaced, and the link stays a link (``export --in-place`` on a linked .bib, a linked
lockfile).  A link that points nowhere, or at a directory, is refused (``OSError``):
following it would create or clobber a file the user never named.

A target that is a stream — a device (``-o /dev/null``), a pipe (``-o /dev/stdout``, a named
pipe), a socket — is written as it is, never replaced: there is nothing to make atomic, and
renaming a file over ``/dev/null`` (as root, in a container or a CI job) replaced the device
with a regular file that every other program then wrote into and read from.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, *, mode: int | None = None
) -> None:
    """Replace ``path`` with ``data`` atomically, keeping the old file's permissions (a new
    file gets the usual ones: ``0o666`` less the umask), or giving it ``mode`` (a copy of
    another file, as ``export --in-place``'s ``.bak``, has that file's permissions: a
    private .bib's backup is not readable by others)."""
    atomic_write_chunks(path, (data,), mode=mode)


def atomic_write_chunks(
    path: str | os.PathLike[str], chunks: Iterable[bytes], *, mode: int | None = None
) -> None:
    """:func:`atomic_write_bytes` of the bytes ``chunks`` joined, written as they come: a
    large file is never whole in memory (a 100,000-reference lockfile is 103 MB; issue 16).
    Whatever ``chunks`` raises leaves the old file as it was, and no temporary file.  A
    stream (see the module's docstring) is written in place."""
    if is_stream(path):
        with Path(path).open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        return
    target = write_target(path)
    directory = target.parent if str(target.parent) else Path()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is None:
            try:
                mode = target.stat().st_mode & 0o7777
            except FileNotFoundError:
                mode = _new_file_mode()  # mkstemp made it 0600; a new file follows the umask
        tmp.chmod(mode)
        tmp.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(directory)


def is_stream(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` (through any symbolic link) is a device, a pipe or a socket."""
    try:
        mode = Path(path).stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def write_target(path: str | os.PathLike[str]) -> Path:
    """The file a write to ``path`` replaces: ``path``, or the regular file its symbolic
    link resolves to; ``OSError`` for a link to nothing or to a non-regular file."""
    target = Path(path)
    if not target.is_symlink():
        return target
    real = Path(os.path.realpath(target))
    if not real.is_file():
        raise OSError(
            errno.ELOOP,
            f"it is a symbolic link to {real}, which is not an existing regular file; "
            "refusing to write through it",
        )
    return real


def _new_file_mode() -> int:
    """The mode ``open()`` would give a new file: ``0o666`` less the process umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """:func:`atomic_write_bytes` for UTF-8 text (``\\n`` line endings kept as given)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _fsync_dir(directory: Path) -> None:
    # Not possible on every platform (Windows); durability is best effort there.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
