"""Reading user input files as text, with errors a person can act on.

Every input citetrack reads (a reference list, a .bib, a config file, a lockfile) goes
through :func:`read_text`, so "missing file", "a directory", "binary file" and "not UTF-8"
are reported the same way everywhere: as :class:`InputError` naming the file and line.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

#: Refuse inputs larger than this; a reference list or .bib of this size is not plausible
#: and reading it whole could exhaust memory on a hostile input.
MAX_INPUT_BYTES = 256 * 1024 * 1024


@dataclass
class InputError(Exception):
    """An input that cannot be used.  ``str()`` gives ``path:line: message``."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def read_text(path: str | Path, *, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """The file's text (UTF-8, a BOM is dropped; UTF-16 with its byte order mark, as
    Windows' Notepad saves "Unicode"), or :class:`InputError`.

    ``"-"`` reads standard input.  Line endings are normalised to ``\\n`` so that line
    numbers agree with what an editor shows.
    """
    name = str(path)
    if name == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        name = "<stdin>"
    else:
        data = read_bytes(path, max_bytes=max_bytes)
    return decode_text(data, name, max_bytes=max_bytes, utf16=True)


def read_bytes(
    path: str | Path,
    *,
    max_bytes: int = MAX_INPUT_BYTES,
    kind: str = "file",
    regular_only: bool = False,
) -> bytes:
    """The file's bytes: :func:`read_bytes_stated`'s, without the ``fstat``s."""
    return read_bytes_stated(path, max_bytes=max_bytes, kind=kind, regular_only=regular_only)[0]


def read_bytes_stated(
    path: str | Path,
    *,
    max_bytes: int = MAX_INPUT_BYTES,
    kind: str = "file",
    regular_only: bool = False,
) -> tuple[bytes, os.stat_result, os.stat_result]:
    """The file's bytes (at most ``max_bytes + 1``, so a caller can tell it is too large).

    :class:`InputError` for a missing file, a directory, no permission or any other read
    error; ``kind`` names what was expected in the directory message ("a .bib file").
    Devices and sockets are refused before a byte is read (``/dev/zero`` would fill
    memory up to the cap); a pipe (``<(…)``) is read up to the cap unless
    ``regular_only``; a regular file over the cap is refused from its size.  With them,
    the ``fstat`` of the open file before and after the read (equal: nothing wrote to it
    meanwhile, see :mod:`citetrack.tracking.fileprints`).
    """
    name = str(path)
    p = Path(path)
    if p.is_dir():
        raise InputError(name, f"is a directory, not a {kind}")
    try:
        # Non-blocking open: a pipe without a writer must not hang the run before the
        # check below; reading is blocking again.
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            if stat.S_ISREG(info.st_mode):
                if info.st_size > max_bytes:
                    raise InputError(name, _too_large(max_bytes))
            elif regular_only or not stat.S_ISFIFO(info.st_mode):
                raise InputError(
                    name, f"is not a regular file (a device, socket or pipe), not a {kind}"
                )
            os.set_blocking(fd, True)
            if not stat.S_ISREG(info.st_mode):
                data = handle.read(max_bytes + 1)
                return data, info, os.fstat(fd)
            # Sized from the file, not the cap: read(n) allocates n bytes up front (256 MiB
            # for the default cap, whatever the file).  A file that grew since fstat is
            # read on, up to the cap.
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:
                data += handle.read(max_bytes + 1 - len(data))
            return data, info, os.fstat(fd)
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except PermissionError:
        raise InputError(name, "permission denied") from None
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror or exc}") from None


def _line_at(data: bytes, offset: int) -> int:
    """The 1-based line of ``offset``; lines end at CRLF, LF or a lone CR."""
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def _too_large(max_bytes: int) -> str:
    return f"larger than {max_bytes // (1024 * 1024)} MiB; refusing to read it"


#: Documents people give instead of the text in them, by their first bytes, and what to do.
_DOCUMENTS = (
    (
        b"%PDF-",
        "is a PDF document, not text: copy its reference list into a text file (or "
        "extract it, e.g. `pdftotext {name} out.txt`) and give citetrack that",
    ),
    (
        b"PK\x03\x04",
        "is a ZIP archive (a .docx, .odt or .epub document?), not text: save the document "
        "as plain text (.txt) and give citetrack that",
    ),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "is a Microsoft Office document (.doc), not text: save it as plain text (.txt) "
        "and give citetrack that",
    ),
    (b"{\\rtf", "is an RTF document: save it as plain text (.txt) and give citetrack that"),
    (b"\x1f\x8b", "is gzip-compressed: decompress it first (e.g. `gunzip -k {name}`)"),
)


def decode_text(
    data: bytes, name: str, *, max_bytes: int = MAX_INPUT_BYTES, utf16: bool = False
) -> str:
    """Decode bytes read from ``name`` as UTF-8 text, or raise :class:`InputError`.

    ``utf16``: text that starts with a UTF-16 byte order mark is read as UTF-16; else it
    is refused with a message saying so (not as a "binary file": its NUL bytes are the
    high halves of ASCII characters)."""
    if len(data) > max_bytes:
        raise InputError(name, _too_large(max_bytes))
    for magic, what in _DOCUMENTS:
        if data.startswith(magic):
            raise InputError(name, what.format(name=name), 1)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if not utf16:
            raise InputError(
                name,
                "is UTF-16 (it starts with a UTF-16 byte order mark); convert it to UTF-8, "
                "e.g. `iconv -f utf-16 -t utf-8`",
                1,
            )
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(
                name, "starts with a UTF-16 byte order mark but is not valid UTF-16", 1
            ) from None
        if "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise InputError(name, "looks like a binary file (contains NUL characters)", line)
        return text.replace("\r\n", "\n").replace("\r", "\n")
    if b"\x00" in data:
        line = _line_at(data, data.index(b"\x00"))
        raise InputError(name, "looks like a binary file (contains NUL bytes), not text", line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = _line_at(data, exc.start)
        column = exc.start - max(data.rfind(b"\n", 0, exc.start), data.rfind(b"\r", 0, exc.start))
        # Bytes 0x80-0x9F are Windows-1252's dashes and quotes; read as Latin-1 they would
        # become control characters, so the advice names the encoding the bytes are in.
        source = "cp1252" if re.search(rb"[\x80-\x9f]", data) else "latin1"
        raise InputError(
            name,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at column {column}); "
            f"convert the file to UTF-8, e.g. `iconv -f {source} -t utf-8`",
            line,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
