"""Our own reader of one BibTeX block: every field name and value with its exact offsets.

It follows bibtexparser's splitter (a character preceded by a backslash is escaped) and
stops with a :class:`ScanError` that says where and why; values are split into their
pieces (braced, quoted, numbers, macro names, ``#`` concatenations), which
:mod:`~citetrack.inputs.bib.macros` evaluates.  Pure: text in, offsets out.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Literal

from citetrack.inputs.bib.layout import ValueForm

#: A line break as an editor counts it: CRLF, LF, or a lone CR (old Mac files).
LINE_BREAK_RE = re.compile("\r\n|\r|\n")


class LineIndex:
    """1-based line numbers of offsets, and offsets of 0-based line starts.

    Lines end at CRLF, LF or a lone CR, so a file with CR-only line endings is numbered
    as an editor shows it (not as one long line 1).
    """

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in LINE_BREAK_RE.finditer(text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def offset_of_line0(self, line0: int) -> int:
        return self.starts[min(max(line0, 0), len(self.starts) - 1)]

    def mark(self, line: int) -> str:
        """How a line number is written into a message (see :class:`RelativeLines`)."""
        return str(line)


class RelativeLines(LineIndex):
    """Lines of a piece of a file, counted from 1 at its start, whose numbers are written
    into messages between NUL marks (``\\x00 3 \\x00``, without spaces), so that a stored
    result can be moved to wherever the piece sits in the file later
    (:mod:`~citetrack.inputs.bib.memo`).  Used only on text without NUL characters."""

    def mark(self, line: int) -> str:
        return f"\x00{line}\x00"


# ----------------------------------------------------------------------------- scanning


class ScanError(Exception):
    """Where and why our scanner stopped reading a block."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


@dataclass(frozen=True, slots=True)
class Piece:
    """One part of a value expression: ``{…}``, ``"…"``, a number or a macro name."""

    form: Literal["braced", "quoted", "number", "macro"]
    text: str  # as written, delimiters included


@dataclass(frozen=True, slots=True)
class ScannedField:
    """One ``name = value`` of a block, with the offsets of its parts."""

    name: str
    start: int
    name_end: int
    equals: int
    value_start: int
    value_end: int
    end: int
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class Scanned:
    """One block as our scanner read it: type, key, where it closes, its fields."""

    entry_type: str  # as written
    key: str
    key_end: int
    key_comma: bool
    close: int
    fields: tuple[ScannedField, ...]


# The marks follow bibtexparser's splitter: a character preceded by a backslash is escaped.
_HEAD = re.compile(r"@(\w*)[ \t]*([{(])")
_KEY_STOP = {"}": re.compile(r'(?<!\\)[,{}"=]'), ")": re.compile(r'(?<!\\)[,{}"=)]')}
_NAME_STOP = _KEY_STOP
_SPACE = re.compile(r"\s*")
_BLANK = re.compile(r"\s")
UNESCAPED_BRACE = re.compile(r"(?<!\\)[{}]")
_QUOTED = re.compile(r'(?<!\\)[{}"]')
# A bare token: a number or a macro name (BibTeX forbids these characters in names).
_BARE = re.compile(r'[^\s"#%\'(),={}]+')


def _skip_space(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def scan_block(text: str, start: int, end: int, *, with_key: bool) -> Scanned:
    """Read ``@type{key, name = value, …}`` (or an ``@string``) in ``text[start:end]``."""
    head = _HEAD.match(text, start, end)
    if head is None:
        raise ScanError(start, "expected `@type{` at the start of the block")
    closer = "}" if head.group(2) == "{" else ")"
    pos = head.end()
    key = ""
    key_end = pos
    key_comma = True
    if with_key:
        stop = _KEY_STOP[closer].search(text, pos, end)
        if stop is None:
            raise ScanError(end, "the entry is never closed")
        key = text[pos : stop.start()].strip()
        key_end = _last_nonspace(text, pos, stop.start())
        if stop.group() == closer:
            return Scanned(head.group(1), key, key_end, False, stop.start(), ())
        if stop.group() != ",":
            token = key.split()[0] if key.split() else key
            raise ScanError(
                stop.start(),
                f"missing `,` after the key `{token}` (found `{stop.group()}`)",
            )
        pos = stop.end()
    fields: list[ScannedField] = []
    while True:
        stop = _NAME_STOP[closer].search(text, pos, end)
        if stop is None:
            raise _never_closed(text, end, fields)
        name = text[pos : stop.start()].strip()
        if stop.group() == closer and not name:
            return Scanned(head.group(1), key, key_end, key_comma, stop.start(), tuple(fields))
        if stop.group() != "=":
            if not name and stop.group() == ",":
                raise ScanError(stop.start(), "an empty field (two commas in a row)")
            what = f"field name `{name}`" if name else "`,`"
            raise ScanError(stop.start(), f"expected `=` after {what}, found `{stop.group()}`")
        if not name:
            raise ScanError(stop.start(), "`=` without a field name before it")
        name_start = _skip_space(text, pos)
        if "%" not in name and _BLANK.search(name):  # a `%` line: ``comment_problems``
            raise ScanError(
                name_start,
                f"field name `{' '.join(name.split())}` has a blank in it: BibTeX reads no "
                "such field",
            )
        equals = stop.start()
        value_start = _skip_space(text, stop.end())
        pieces, value_end = scan_value(text, value_start, end, name)
        after = _skip_space(text, value_end)
        char = text[after] if after < end else ""
        current = ScannedField(
            name,
            name_start,
            name_start + len(name),
            equals,
            value_start,
            value_end,
            after + 1 if char == "," else value_end,
            pieces,
        )
        fields.append(current)
        if char == ",":
            pos = after + 1
        elif char == closer:
            return Scanned(head.group(1), key, key_end, key_comma, after, tuple(fields))
        elif not char:
            raise _never_closed(text, end, fields)
        else:
            raise ScanError(
                after, f"field `{name}`: expected `,` or `{closer}` after the value, found `{char}`"
            )


_SWALLOWED_FIELD = re.compile(r"\n[ \t]*[\w-]+[ \t]*=")


def _never_closed(text: str, end: int, fields: list[ScannedField]) -> ScanError:
    """Say which value probably swallowed the rest of an entry that is never closed."""
    for f in fields:
        if _SWALLOWED_FIELD.search(text, f.value_start, f.value_end):
            return ScanError(
                f.start,
                f"the entry is never closed: the value of field `{f.name}` runs on into the "
                'next fields (an unbalanced `{` or `"`?)',
            )
    return ScanError(end, "the entry is never closed")


def _last_nonspace(text: str, start: int, stop: int) -> int:
    """One past the last non-space character of ``text[start:stop]`` (``start`` if none)."""
    stripped = text[start:stop].rstrip()
    return start + len(stripped) if stripped.strip() else start


def scan_value(text: str, pos: int, end: int, name: str) -> tuple[tuple[Piece, ...], int]:
    """The pieces of ``a # "b" # {c}`` starting at ``pos``, and the offset after the last."""
    pieces: list[Piece] = []
    while True:
        if pos >= end:
            raise ScanError(end, f"field `{name}` has no value")
        char = text[pos]
        if char == "{":
            stop = _close_braces(text, pos, end, name)
            pieces.append(Piece("braced", text[pos:stop]))
        elif char == '"':
            stop = _close_quote(text, pos, end, name)
            pieces.append(Piece("quoted", text[pos:stop]))
        else:
            bare = _BARE.match(text, pos, end)
            if bare is None:
                raise ScanError(pos, f"field `{name}`: a value cannot start with `{char}`")
            stop = bare.end()
            token = bare.group()
            pieces.append(Piece("number" if token.isdigit() else "macro", token))
        after = _skip_space(text, stop)
        if after < end and text[after] == "#":
            pos = _skip_space(text, after + 1)
            continue
        return tuple(pieces), stop


def _close_braces(text: str, pos: int, end: int, name: str) -> int:
    close = text.find("}", pos + 1, end)  # fast path: no nested or escaped braces
    if close > 0 and text[close - 1] != "\\" and text.find("{", pos + 1, close) < 0:
        return close + 1
    depth = 0
    for mark in UNESCAPED_BRACE.finditer(text, pos, end):
        depth += 1 if mark.group() == "{" else -1
        if depth == 0:
            return mark.end()
    raise ScanError(pos, f"the value of field `{name}` is never closed (a `{{` without `}}`)")


def _close_quote(text: str, pos: int, end: int, name: str) -> int:
    depth = 0
    for mark in _QUOTED.finditer(text, pos + 1, end):
        char = mark.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise ScanError(
                    mark.start(), f"field `{name}`: a `}}` without `{{` inside a quoted value"
                )
        elif depth == 0:
            return mark.end()
    raise ScanError(pos, f'the value of field `{name}` is never closed (a `"` without `"`)')


# ------------------------------------------------------------------------------ values

#: Month macros every standard BibTeX style defines: using them is not an error.
MONTH_MACROS = frozenset(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
)


def value_form(pieces: tuple[Piece, ...]) -> ValueForm:
    """How a value is written: its one piece's form, or ``concat``."""
    return "concat" if len(pieces) > 1 else pieces[0].form
