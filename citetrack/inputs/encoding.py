"""Which character encoding a .bib file (or a pasted list) is in: decoding it, and writing
text back in it.

A reference list given to ``parse`` is read the same way (:func:`read_list`).

BibTeX exports from older tools come in Latin-1, Windows-1252 or GBK.  citetrack reads
them, reports in UTF-8, and writes an exported .bib back in the file's own encoding, so
that an export without fixes gives back the same bytes.

How the encoding is chosen (:func:`decode_bib`):

* ``--encoding NAME`` (any ASCII-compatible Python codec: ``gbk``, ``cp1250``…) wins; a
  byte that does not decode in it is an error naming the line;
* else a UTF-8 byte order mark, or bytes that are valid UTF-8, mean UTF-8;
* else a file without bytes 0x80–0x9F is Latin-1 (ISO 8859-1); one with them is
  Windows-1252 when every byte decodes and the result looks like Western text: no C1
  control character, no run of four or more non-ASCII characters and no two Latin-1
  symbols (¡ to ¿) in a row (GBK or another multi-byte encoding read one byte at a time
  gives such runs: 中文 is 4 bytes, é is ``¨¦``);
* a file whose non-ASCII bytes are mostly valid UTF-8 sequences is UTF-8 with a few
  characters pasted in from another encoding: refused, naming the line;
* anything else is refused with a hint to give ``--encoding``: never mojibake.

The rule was measured on the real .bib files in ``/work/shared/bib`` transcoded to each
encoding (``bench/encoding_detection.py``); charset-normalizer, tried too, was right
less often on these short, mostly ASCII files, so it is not a dependency.

Writing back (``text.encode(bib.encoding)``): a character the encoding cannot represent,
in a value a fix writes, becomes a LaTeX escape (``ü`` → ``{\\"u}``) when there is one
(:func:`latex_representable`); otherwise the fix is refused by the exporter.
"""

from __future__ import annotations

import codecs
import re
import sys
import unicodedata
from dataclasses import dataclass
from typing import Literal

from citetrack.inputs.textio import MAX_INPUT_BYTES, InputError, decode_text, read_bytes

#: How the encoding was decided: the file is UTF-8, ``--encoding`` said so, or detected.
How = Literal["utf-8", "given", "detected"]

_NAMES = {"utf-8": "UTF-8", "latin-1": "Latin-1", "cp1252": "Windows-1252"}
_C1 = re.compile(r"[\x80-\x9f]")
# Not Western text: four non-ASCII characters in a row (GBK's 中文 read byte by byte), or
# two Latin-1 symbols in a row (GBK's é is A8 A6, read as ¨¦; its ， is £¬).
_FOREIGN_RUN = re.compile(r"[^\x00-\x7f]{4,}|[\xa1-\xbf]{2}")


@dataclass(frozen=True)
class Decoded:
    """A file's text and the encoding it was read in (a normalised Python codec name)."""

    text: str
    encoding: str
    how: How
    #: ``--encoding`` named another encoding, but the bytes are valid UTF-8 with
    #: non-ASCII letters: likely a mistake, so the note says so.
    also_utf8: bool = False

    def note(self, path: str) -> str | None:
        """What a report says about the encoding, or ``None`` for UTF-8."""
        if self.encoding == "utf-8":
            return None
        name = display_name(self.encoding)
        if self.how == "given":
            doubt = (
                "; the file is also valid UTF-8: if its accented letters look wrong, drop "
                "--encoding"
                if self.also_utf8
                else ""
            )
            return f"{path}: read as {name} (--encoding){doubt}"
        return (
            f"{path}: not UTF-8, read as {name} (detected); give --encoding NAME if its "
            "accented letters look wrong"
        )


def display_name(encoding: str) -> str:
    return _NAMES.get(encoding, encoding.upper())


def codec_name(name: str) -> str:
    """The normalised codec name for ``--encoding`` (``latin1`` → ``latin-1``), or
    ``ValueError`` for an unknown codec or one in which BibTeX's ASCII syntax is not
    ASCII bytes (UTF-16, EBCDIC…)."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ValueError(f"unknown encoding {name!r}") from None
    canonical = {"iso8859-1": "latin-1", "utf-8-sig": "utf-8"}.get(info.name, info.name)
    probe = "@article{k, title = {x}}\n% 0123456789"
    try:
        ascii_compatible = probe.encode(canonical) == probe.encode("ascii")
    except (UnicodeError, LookupError):
        ascii_compatible = False
    if not ascii_compatible:
        raise ValueError(
            f"{name!r} is not an ASCII-compatible encoding; a .bib in it must be converted "
            "to UTF-8 first (e.g. with iconv)"
        )
    return canonical


def decode_bib(data: bytes, name: str, encoding: str | None = None) -> Decoded:
    """The text of a .bib file's bytes, exactly (BOM and line endings kept), and its
    encoding; :class:`~citetrack.inputs.textio.InputError` naming the line when it cannot
    be read."""
    if encoding is not None:
        codec = codec_name(encoding)
        if codec == "utf-8":
            decode_text(data, name)
            return Decoded(data.decode("utf-8"), "utf-8", "given")
        _checked(data, name)
        try:
            return Decoded(data.decode(codec), codec, "given", _utf8_with_letters(data))
        except UnicodeDecodeError as exc:
            raise InputError(
                name,
                f"not valid {display_name(codec)} (byte 0x{data[exc.start]:02x}); check "
                "the --encoding you gave",
                _line_at(data, exc.start),
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(
            name,
            "is UTF-16 (it starts with a UTF-16 byte order mark); BibTeX tools need an "
            "ASCII-compatible encoding: convert it, e.g. `iconv -f utf-16 -t utf-8`",
            1,
        )
    try:
        decode_text(data, name)  # size, NUL bytes, UTF-8
        return Decoded(data.decode("utf-8"), "utf-8", "utf-8")
    except InputError as exc:
        if "UTF-8" not in exc.message:
            raise
        utf8_error = exc
    if _mostly_utf8(data):
        raise InputError(
            name,
            f"{utf8_error.message.split(';')[0]}, but the rest of the file is UTF-8: that "
            "line has a character in another encoding (Latin-1 or Windows-1252, pasted in?); "
            "retype it, or give --encoding NAME if the whole file is in one",
            utf8_error.line,
        )
    if not re.search(rb"[\x80-\x9f]", data):
        text = data.decode("latin-1")
        if not _FOREIGN_RUN.search(text):
            return Decoded(text, "latin-1", "detected")
    else:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = ""
        if text and not _C1.search(text) and not _FOREIGN_RUN.search(text):
            return Decoded(text, "cp1252", "detected")
    raise InputError(
        name,
        f"{utf8_error.message.split(';')[0]}, and not Latin-1 or Windows-1252 text either; "
        "give its encoding with --encoding NAME (e.g. --encoding gbk) or convert it to UTF-8",
        utf8_error.line,
    )


def read_list(path: str, encoding: str | None = None) -> tuple[str, str | None]:
    """A reference list's text (line endings normalised) and, when it was not read as
    UTF-8, the note that says in which encoding it was.

    As every input (:func:`~citetrack.inputs.textio.read_text`): UTF-8, or UTF-16 with its
    byte order mark; else, as a .bib (:func:`decode_bib`), ``encoding`` or Latin-1 /
    Windows-1252 detected — a list saved by an older word processor ("Text (Windows)").
    ``parse`` writes a new UTF-8 .bib and never rewrites the list, so any of them will do.
    """
    name = "<stdin>" if path == "-" else path
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1) if path == "-" else read_bytes(path)
    if encoding is None or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return decode_text(data, name, utf16=True), None
        except InputError as exc:
            if encoding is None and "not valid UTF-8" not in exc.message:
                raise
    decoded = decode_bib(data, name, encoding)
    text = decoded.text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text, decoded.note(name)


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


_HIGH_BYTES = bytes(range(0x80, 0x100))


def _mostly_utf8(data: bytes) -> bool:
    """Whether most non-ASCII bytes form valid UTF-8 sequences: a UTF-8 file with a few
    bytes pasted in from another encoding, which read as Windows-1252 would turn every
    ``é`` into ``Ã©``.  In real Latin-1 / Windows-1252 text such pairs are rare (an
    accented capital followed by a symbol)."""
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    covered = sum(len(m) for m in _UTF8_SEQUENCE.findall(data))
    return high > 0 and covered * 2 > high


def _utf8_with_letters(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _checked(data: bytes, name: str) -> None:
    """The size and NUL-byte checks every input gets (the text itself is decoded later)."""
    try:
        decode_text(data, name)
    except InputError as exc:
        if "UTF-8" not in exc.message:
            raise


def _line_at(data: bytes, offset: int) -> int:
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def representable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


# Combining accents and the LaTeX accent command for each (text mode).
_ACCENTS = {
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0304": "=",
    "\u0306": "u",
    "\u0307": ".",
    "\u0308": '"',
    "\u030a": "r",
    "\u030b": "H",
    "\u030c": "v",
    "\u0323": "d",
    "\u0327": "c",
    "\u0328": "k",
}
_LETTERS = {
    "ß": "{\\ss}",
    "æ": "{\\ae}",
    "Æ": "{\\AE}",
    "œ": "{\\oe}",
    "Œ": "{\\OE}",
    "ø": "{\\o}",
    "Ø": "{\\O}",
    "ł": "{\\l}",
    "Ł": "{\\L}",
    "ı": "{\\i}",
    "đ": "{\\dj}",
    "Đ": "{\\DJ}",
    "–": "--",
    "—": "---",
    "\u00a0": "~",
}


def latex_escape_char(char: str) -> str | None:
    """The LaTeX text-mode escape of one character (``ü`` → ``{\\"u}``, ``č`` →
    ``{\\v{c}}``), or ``None`` when there is none."""
    if char in _LETTERS:
        return _LETTERS[char]
    parts = unicodedata.normalize("NFD", char)
    if len(parts) != 2 or not parts[0].isascii() or parts[1] not in _ACCENTS:
        return None
    base, command = parts[0], _ACCENTS[parts[1]]
    if base in "ij" and command in "`'^\"~=uv":  # the dotless letter takes the accent
        base = "\\" + base
    if command.isalpha():
        return f"{{\\{command}{{{base}}}}}"
    return f"{{\\{command}{base}}}"


def latex_representable(value: str, encoding: str) -> tuple[str, str | None]:
    """``value`` with every character ``encoding`` cannot hold written as a LaTeX escape,
    and ``None``; or ``value`` unchanged and the first character that has no escape."""
    out: list[str] = []
    for char in value:
        if representable(char, encoding):
            out.append(char)
            continue
        escape = latex_escape_char(char)
        if escape is None:
            return value, char
        out.append(escape)
    return "".join(out), None
