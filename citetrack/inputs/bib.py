"""BibTeX in and out: the only module that knows the file format and uses bibtexparser.

Loading (:func:`load_bib`, :func:`loads_bib`) turns a .bib file into :class:`Reference`
objects with their line numbers, and every defect of the file into a :class:`BibProblem`
(a block that does not parse, a duplicate key, a repeated field, an undefined macro…).
Only a file that cannot be read at all raises :class:`BibError`.

Two readers look at the text, and they must agree:

* bibtexparser 2 splits the file into blocks (entries, ``@string``, comments, failed
  blocks) and gives each block's first line and exact raw text;
* a small scanner of our own (``_scan_block``) reads each entry's fields and records the
  offsets of every field name and value in the original text.

The offsets let ``citetrack.export.bibtex`` change one value, or insert one field, without
rewriting anything else.  Where the two readers disagree about an entry, the entry is
loaded with bibtexparser's values and marked as not editable, so that no edit is ever made
on a misread entry.

Writing new entries (``citetrack parse``): :func:`format_entries` writes them
deterministically: a fixed field order, two-space indent, braces around every value,
LaTeX specials escaped outside verbatim fields.  Same references in, same bytes out.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from bibtexparser import model as bpmodel
from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library

from citetrack.identifiers import extract_identifiers
from citetrack.inputs.textio import MAX_INPUT_BYTES, InputError, decode_text
from citetrack.model import Reference

# bibtexparser logs a warning for every block it cannot parse; without a handler Python's
# "last resort" handler would print them on stderr.  We report them as BibProblems.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

# ----------------------------------------------------------------------------- results


class BibError(InputError):
    """A .bib file that cannot be read at all: missing, a directory, binary, not UTF-8.

    ``path``, ``line`` (``None`` when no line applies) and ``message``; ``str()`` gives
    ``path:line: message``.  It is an :class:`~citetrack.inputs.textio.InputError`, so the CLI
    reports it like any other unreadable input (exit code 2).
    """


@dataclass(frozen=True)
class BibProblem:
    """A defect of a readable .bib file, with the 1-based line it starts on.

    ``rule`` is a stable id (see :data:`PROBLEM_RULES`); ``key`` is the entry it concerns
    when known.
    """

    path: str
    line: int
    message: str
    rule: str = "bib-syntax"
    key: str | None = None


#: Rule ids of :class:`BibProblem`, with what each means.
PROBLEM_RULES: Mapping[str, str] = {
    "bib-syntax": "a block that does not parse; its text is kept but not read",
    "bib-duplicate-key": "a key defined twice; BibTeX uses the first definition",
    "bib-key-case": "two keys that differ only in case; BibTeX treats them as one",
    "bib-empty-key": "an entry without a key",
    "bib-duplicate-field": "a field given twice in one entry; BibTeX uses the first",
    "bib-undefined-macro": "a value that uses an @string macro defined nowhere",
    "bib-string": "an @string block that BibTeX cannot read as written",
    "bib-unreadable": "an entry that citetrack reads differently from bibtexparser",
}


# How a value is written: one braced or quoted string, a bare number, a bare macro name,
# or a ``#`` concatenation of several of those.
ValueForm = Literal["braced", "quoted", "number", "macro", "concat"]
EntryState = Literal["ok", "duplicate", "failed", "unreadable"]


@dataclass(frozen=True, slots=True)
class FieldLayout:
    """Where one field sits in the original text (offsets index ``Bibliography.text``)."""

    name: str  # as written (``Title``)
    line: int  # 1-based line of the name
    start: int  # the name's first character
    name_end: int
    equals: int  # the ``=``
    value_start: int  # first character of the value expression (a delimiter or a token)
    value_end: int  # one past its last character
    end: int  # one past the ``,`` that ends the field, or ``value_end`` without one
    form: ValueForm
    value: str  # what ``Reference.fields`` holds for it


@dataclass(frozen=True)
class EntryLayout:
    """Where one entry block sits in the original text, and whether it may be edited.

    ``state`` is ``ok`` (editable), ``duplicate`` (a later block with a key already
    used), ``failed`` (bibtexparser gave up on it) or ``unreadable`` (bibtexparser read
    it, but our scanner found a syntax error or read it differently); ``note`` says why
    an entry is not ``ok``.  Only ``ok`` entries have ``fields`` and are ever edited.
    """

    key: str
    entry_type: str  # lower-case
    line: int
    start: int  # the ``@``
    end: int  # one past the closing delimiter
    state: EntryState
    note: str = ""
    key_end: int = 0  # one past the key's last character
    key_comma: bool = False  # whether a ``,`` follows the key
    close: int = 0  # the closing delimiter
    fields: tuple[FieldLayout, ...] = ()


@dataclass(frozen=True)
class Bibliography:
    """A loaded .bib file: its text, the references read from it, and its defects.

    ``references`` are the first definitions of each key, in file order (a later entry
    with the same key is a problem, not a reference).  ``layout`` describes every entry
    block (duplicates and failed ones too) for :mod:`citetrack.export.bibtex`.
    """

    path: str
    text: str
    references: tuple[Reference, ...]
    problems: tuple[BibProblem, ...]
    layout: tuple[EntryLayout, ...] = field(default=(), repr=False)


# ----------------------------------------------------------------------------- loading


def load_bib(path: str | Path) -> Bibliography:
    """Read and load a .bib file; :class:`BibError` if it cannot be read as UTF-8 text.

    The text is kept exactly as in the file (byte order mark and CRLF line endings
    included), so that an export without fixes gives back the same bytes.
    """
    name = str(path)
    p = Path(path)
    if p.is_dir():
        raise BibError(name, "is a directory, not a .bib file")
    try:
        with p.open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise BibError(name, "no such file") from None
    except PermissionError:
        raise BibError(name, "permission denied") from None
    except OSError as exc:
        raise BibError(name, f"cannot read: {exc.strerror or exc}") from None
    try:
        decode_text(data, name)  # the shared checks: size, NUL bytes, UTF-8 (with line)
    except InputError as exc:
        raise BibError(exc.path, exc.message, exc.line) from None
    return loads_bib(data.decode("utf-8"), name)


def loads_bib(text: str, path: str = "<string>") -> Bibliography:
    """Load BibTeX text; never raises for malformed BibTeX (that becomes problems)."""
    library = _split(text, path)
    lines = _LineIndex(text)
    unplaced: list[bpmodel.Block] = []
    blocks = _locate(text, library.blocks, lines, unplaced)
    problems = [
        BibProblem(
            path,
            (block.start_line or 0) + 1,
            "citetrack could not find this block's text in the file; it is not read",
            "bib-unreadable",
        )
        for block in unplaced
        if not _is_comment(block)
    ]
    macros = _read_strings(text, blocks, lines, path, problems)
    keys = _Keys(path, problems)
    for index, (block, start, end) in enumerate(blocks):
        entry = _as_entry(block)
        if entry is not None:
            layout, ref = _load_entry(
                text, entry, start, end, lines=lines, macros=macros, path=path, problems=problems
            )
            keys.add(layout, ref)
        elif isinstance(block, bpmodel.ParsingFailedBlock) and block.ignore_error_block is None:
            unread_end = next(
                (b_start for b, b_start, _ in blocks[index + 1 :] if not _is_comment(b)),
                len(text),
            )
            failed, problem = _failed_block(
                text, block, start, end, unread_end=unread_end, lines=lines, path=path
            )
            problems.append(problem)
            if failed is not None:
                keys.layouts.append(failed)
    problems.sort(key=lambda p: p.line)
    return Bibliography(path, text, tuple(keys.references), tuple(problems), tuple(keys.layouts))


def _as_entry(block: bpmodel.Block) -> bpmodel.Entry | None:
    """The entry of a block, including one bibtexparser set aside as a duplicate."""
    inner: bpmodel.Block | None = block
    if isinstance(block, bpmodel.DuplicateBlockKeyBlock | bpmodel.DuplicateFieldKeyBlock):
        inner = block.ignore_error_block
    return inner if isinstance(inner, bpmodel.Entry) else None


class _Keys:
    """Collects entries in file order; the first entry of a key wins, as in BibTeX.

    Duplicates are detected here rather than taken from bibtexparser, which does not
    register an entry with a repeated field and so misses a later entry with its key.
    """

    def __init__(self, path: str, problems: list[BibProblem]) -> None:
        self.path = path
        self.problems = problems
        self.layouts: list[EntryLayout] = []
        self.references: list[Reference] = []
        self.first_line: dict[str, int] = {}
        self.folded: dict[str, tuple[str, int]] = {}

    def add(self, layout: EntryLayout, ref: Reference) -> None:
        key, line = layout.key, layout.line
        if not key:
            self._problem(line, "entry has no key", "bib-empty-key", None)
        if key in self.first_line:
            first = self.first_line[key]
            self._problem(
                line,
                f"duplicate key {key}, first defined on line {first}; BibTeX uses the first "
                "definition, this one is ignored",
                "bib-duplicate-key",
                key,
            )
            self.layouts.append(
                replace(layout, state="duplicate", note=f"key first defined on line {first}")
            )
            return
        self.first_line[key] = line
        other = self.folded.setdefault(key.casefold(), (key, line))
        if key and other[0] != key:
            self._problem(
                line,
                f"key {key} differs only in case from {other[0]} (line {other[1]}); BibTeX "
                "treats them as the same key",
                "bib-key-case",
                key,
            )
        self.layouts.append(layout)
        self.references.append(ref)

    def _problem(self, line: int, message: str, rule: str, key: str | None) -> None:
        self.problems.append(BibProblem(self.path, line, message, rule, key=key))


def _is_comment(block: bpmodel.Block) -> bool:
    return isinstance(block, bpmodel.ImplicitComment)


def _split(text: str, path: str) -> Library:
    """bibtexparser's blocks, without its middlewares: raw values, macros unresolved."""
    try:
        return parse_string(text, parse_stack=[])
    except Exception as exc:  # bibtexparser raises only for its own bugs, with no line
        raise BibError(
            path,
            f"bibtexparser failed on this block ({type(exc).__name__}: {exc}); "
            "please report it with the block",
            _crash_line(text),
        ) from exc


def _crash_line(text: str) -> int | None:
    """The first line of the first ``@`` block that makes bibtexparser raise, if any."""
    starts = [m.start() for m in re.finditer(r"(?m)^[ \t]*@", text)]
    for i, start in enumerate(starts):
        chunk = text[start : starts[i + 1] if i + 1 < len(starts) else len(text)]
        try:
            parse_string(chunk, parse_stack=[])
        except Exception:
            return text.count("\n", 0, start) + 1
    return None


class _LineIndex:
    """1-based line numbers of offsets, and offsets of 0-based line starts."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def offset_of_line0(self, line0: int) -> int:
        return self.starts[min(max(line0, 0), len(self.starts) - 1)]


_Located = tuple[bpmodel.Block, int, int]


def _locate(
    text: str, blocks: list[bpmodel.Block], lines: _LineIndex, unplaced: list[bpmodel.Block]
) -> list[_Located]:
    """Each block with its start and end offset in ``text``; ``unplaced`` gets the others.

    bibtexparser's ``raw`` is an exact slice of the text and its ``start_line`` (0-based)
    is the line the block starts on; blocks come in file order, so searching from the
    later of that line's start and the previous block's end finds the right slice.
    """
    located: list[_Located] = []
    cursor = 0
    for block in blocks:
        raw = block.raw
        if not raw:
            continue
        start = text.find(raw, max(cursor, lines.offset_of_line0(block.start_line or 0)))
        if start < 0:  # not seen with bibtexparser 2.1; reported by loads_bib, never edited
            unplaced.append(block)
            continue
        located.append((block, start, start + len(raw)))
        cursor = start + len(raw)
    return located


# ----------------------------------------------------------------------------- scanning


class _ScanError(Exception):
    """Where and why our scanner stopped reading a block."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


@dataclass(frozen=True, slots=True)
class _Piece:
    form: Literal["braced", "quoted", "number", "macro"]
    text: str  # as written, delimiters included


@dataclass(frozen=True, slots=True)
class _ScannedField:
    name: str
    start: int
    name_end: int
    equals: int
    value_start: int
    value_end: int
    end: int
    pieces: tuple[_Piece, ...]


@dataclass(frozen=True)
class _Scanned:
    entry_type: str  # as written
    key: str
    key_end: int
    key_comma: bool
    close: int
    fields: tuple[_ScannedField, ...]


# The marks follow bibtexparser's splitter: a character preceded by a backslash is escaped.
_HEAD = re.compile(r"@(\w*)[ \t]*([{(])")
_KEY_STOP = {"}": re.compile(r'(?<!\\)[,{}"=]'), ")": re.compile(r'(?<!\\)[,{}"=)]')}
_NAME_STOP = _KEY_STOP
_SPACE = re.compile(r"\s*")
_BRACES = re.compile(r"(?<!\\)[{}]")
_QUOTED = re.compile(r'(?<!\\)[{}"]')
# A bare token: a number or a macro name (BibTeX forbids these characters in names).
_BARE = re.compile(r'[^\s"#%\'(),={}]+')


def _skip_space(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def _scan_block(text: str, start: int, end: int, *, with_key: bool) -> _Scanned:
    """Read ``@type{key, name = value, …}`` (or an ``@string``) in ``text[start:end]``."""
    head = _HEAD.match(text, start, end)
    if head is None:
        raise _ScanError(start, "expected `@type{` at the start of the block")
    closer = "}" if head.group(2) == "{" else ")"
    pos = head.end()
    key = ""
    key_end = pos
    key_comma = True
    if with_key:
        stop = _KEY_STOP[closer].search(text, pos, end)
        if stop is None:
            raise _ScanError(end, "the entry is never closed")
        key = text[pos : stop.start()].strip()
        key_end = _last_nonspace(text, pos, stop.start())
        if stop.group() == closer:
            return _Scanned(head.group(1), key, key_end, False, stop.start(), ())
        if stop.group() != ",":
            token = key.split()[0] if key.split() else key
            raise _ScanError(
                stop.start(),
                f"missing `,` after the key `{token}` (found `{stop.group()}`)",
            )
        pos = stop.end()
    fields: list[_ScannedField] = []
    while True:
        stop = _NAME_STOP[closer].search(text, pos, end)
        if stop is None:
            raise _never_closed(text, end, fields)
        name = text[pos : stop.start()].strip()
        if stop.group() == closer and not name:
            return _Scanned(head.group(1), key, key_end, key_comma, stop.start(), tuple(fields))
        if stop.group() != "=":
            if not name and stop.group() == ",":
                raise _ScanError(stop.start(), "an empty field (two commas in a row)")
            what = f"field name `{name}`" if name else "`,`"
            raise _ScanError(stop.start(), f"expected `=` after {what}, found `{stop.group()}`")
        if not name:
            raise _ScanError(stop.start(), "`=` without a field name before it")
        name_start = _skip_space(text, pos)
        equals = stop.start()
        value_start = _skip_space(text, stop.end())
        pieces, value_end = _scan_value(text, value_start, end, name)
        after = _skip_space(text, value_end)
        char = text[after] if after < end else ""
        current = _ScannedField(
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
            return _Scanned(head.group(1), key, key_end, key_comma, after, tuple(fields))
        elif not char:
            raise _never_closed(text, end, fields)
        else:
            raise _ScanError(
                after, f"field `{name}`: expected `,` or `{closer}` after the value, found `{char}`"
            )


_SWALLOWED_FIELD = re.compile(r"\n[ \t]*[\w-]+[ \t]*=")


def _never_closed(text: str, end: int, fields: list[_ScannedField]) -> _ScanError:
    """Say which value probably swallowed the rest of an entry that is never closed."""
    for f in fields:
        if _SWALLOWED_FIELD.search(text, f.value_start, f.value_end):
            return _ScanError(
                f.start,
                f"the entry is never closed: the value of field `{f.name}` runs on into the "
                'next fields (an unbalanced `{` or `"`?)',
            )
    return _ScanError(end, "the entry is never closed")


def _last_nonspace(text: str, start: int, stop: int) -> int:
    """One past the last non-space character of ``text[start:stop]`` (``start`` if none)."""
    stripped = text[start:stop].rstrip()
    return start + len(stripped) if stripped.strip() else start


def _scan_value(text: str, pos: int, end: int, name: str) -> tuple[tuple[_Piece, ...], int]:
    """The pieces of ``a # "b" # {c}`` starting at ``pos``, and the offset after the last."""
    pieces: list[_Piece] = []
    while True:
        if pos >= end:
            raise _ScanError(end, f"field `{name}` has no value")
        char = text[pos]
        if char == "{":
            stop = _close_braces(text, pos, end, name)
            pieces.append(_Piece("braced", text[pos:stop]))
        elif char == '"':
            stop = _close_quote(text, pos, end, name)
            pieces.append(_Piece("quoted", text[pos:stop]))
        else:
            bare = _BARE.match(text, pos, end)
            if bare is None:
                raise _ScanError(pos, f"field `{name}`: a value cannot start with `{char}`")
            stop = bare.end()
            token = bare.group()
            pieces.append(_Piece("number" if token.isdigit() else "macro", token))
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
    for mark in _BRACES.finditer(text, pos, end):
        depth += 1 if mark.group() == "{" else -1
        if depth == 0:
            return mark.end()
    raise _ScanError(pos, f"the value of field `{name}` is never closed (a `{{` without `}}`)")


def _close_quote(text: str, pos: int, end: int, name: str) -> int:
    depth = 0
    for mark in _QUOTED.finditer(text, pos + 1, end):
        char = mark.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise _ScanError(
                    mark.start(), f"field `{name}`: a `}}` without `{{` inside a quoted value"
                )
        elif depth == 0:
            return mark.end()
    raise _ScanError(pos, f'the value of field `{name}` is never closed (a `"` without `"`)')


# ------------------------------------------------------------------------------ values

#: Month macros every standard BibTeX style defines: using them is not an error.
MONTH_MACROS = frozenset(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
)


def _evaluate(
    pieces: tuple[_Piece, ...], raw: str, macros: Mapping[str, str]
) -> tuple[str, list[str]]:
    """The value a field stands for, and the macros it uses that are not defined.

    One braced or quoted piece gives its inner text, a number itself, a macro its
    definition.  A concatenation is joined when every macro in it is defined; otherwise
    it stays as written (``apr # "-" # may``), as bibtexparser leaves it.
    """
    undefined: list[str] = []
    parts: list[str] = []
    for piece in pieces:
        if piece.form in ("braced", "quoted"):
            parts.append(piece.text[1:-1])
        elif piece.form == "number":
            parts.append(piece.text)
        else:
            value = macros.get(piece.text.lower())
            if value is None:
                undefined.append(piece.text)
                parts.append(piece.text)
            else:
                parts.append(value)
    if len(pieces) > 1 and undefined:
        return raw, undefined
    return "".join(parts), undefined


def _form(pieces: tuple[_Piece, ...]) -> ValueForm:
    return "concat" if len(pieces) > 1 else pieces[0].form


def _read_strings(
    text: str,
    blocks: list[_Located],
    lines: _LineIndex,
    path: str,
    problems: list[BibProblem],
) -> dict[str, str]:
    """The ``@string`` macros (lower-case names), evaluated in file order.

    BibTeX reads one macro per ``@string`` block; a block that defines several (as in a
    Polish ``xampl.bib``) defines only the first, and bibtexparser silently reads the
    whole rest as that first value, so the block is reported.  A later definition of the
    same name replaces the earlier one (BibTeX warns and does the same).
    """
    macros: dict[str, str] = {}
    defined_on: dict[str, int] = {}
    for block, start, end in blocks:
        string: bpmodel.Block | None = block
        if isinstance(block, bpmodel.DuplicateBlockKeyBlock):
            string = block.ignore_error_block
        if not isinstance(string, bpmodel.String):
            continue
        line = lines.line_of(start)
        try:
            scanned = _scan_block(text, start, end, with_key=False)
        except _ScanError as exc:
            problems.append(
                BibProblem(
                    path, lines.line_of(exc.offset), f"@string block: {exc.message}", "bib-string"
                )
            )
            continue
        if not scanned.fields:
            problems.append(BibProblem(path, line, "@string block defines no macro", "bib-string"))
            continue
        first = scanned.fields[0]
        if len(scanned.fields) > 1:
            others = ", ".join(f.name for f in scanned.fields[1:])
            problems.append(
                BibProblem(
                    path,
                    line,
                    f"@string block defines {len(scanned.fields)} macros; BibTeX reads one "
                    f"per block, so only `{first.name}` is defined and {others} are not "
                    "(write one @string block per macro)",
                    "bib-string",
                )
            )
        name = first.name.lower()
        raw = text[first.value_start : first.value_end]
        value, _ = _evaluate(first.pieces, raw, macros)
        if name in defined_on:
            problems.append(
                BibProblem(
                    path,
                    line,
                    f"macro `{first.name}` defined again (first on line {defined_on[name]}); "
                    "this definition replaces it",
                    "bib-string",
                )
            )
        macros[name] = value
        defined_on.setdefault(name, line)
    return macros


# ----------------------------------------------------------------------------- entries


def _load_entry(
    text: str,
    entry: bpmodel.Entry,
    start: int,
    end: int,
    *,
    lines: _LineIndex,
    macros: Mapping[str, str],
    path: str,
    problems: list[BibProblem],
) -> tuple[EntryLayout, Reference]:
    """The layout and reference of one entry that bibtexparser parsed."""
    line = lines.line_of(start)
    key = entry.key
    entry_type = entry.entry_type.lower()
    theirs = [(f.key, f.value) for f in entry.fields]
    scanned: _Scanned | None = None
    try:
        found = _scan_block(text, start, end, with_key=True)
    except _ScanError as exc:
        mismatch = f"{exc.message} (line {lines.line_of(exc.offset)})"
        problems.append(
            BibProblem(
                path,
                line,
                f"entry {key}: {mismatch}; bibtexparser reads past the error (it may merge "
                "or lose fields), its reading is used and the entry will not be edited",
                "bib-syntax",
                key=key,
            )
        )
    else:
        mismatch = _disagreement(text, found, key, theirs, end)
        scanned = found
        if mismatch:
            problems.append(
                BibProblem(
                    path,
                    line,
                    f"entry {key}: citetrack and bibtexparser read it differently "
                    f"({mismatch}); bibtexparser's reading is used and the entry will not "
                    "be edited",
                    "bib-unreadable",
                    key=key,
                )
            )
    if scanned is None or mismatch:  # fall back to bibtexparser's reading
        values: dict[str, str] = {}
        for name, raw in theirs:
            values.setdefault(name.lower(), _fallback_value(raw, macros))
        layout = EntryLayout(key, entry_type, line, start, end, "unreadable", mismatch)
        return layout, _reference(key, entry_type, values, line, path)

    field_layouts: list[FieldLayout] = []
    values = {}
    seen: dict[str, list[int]] = {}
    for sf in scanned.fields:
        raw = text[sf.value_start : sf.value_end]
        value, undefined = _evaluate(sf.pieces, raw, macros)
        field_line = lines.line_of(sf.start)
        for macro in undefined:
            if macro.lower() not in MONTH_MACROS:
                problems.append(
                    BibProblem(
                        path,
                        field_line,
                        f"entry {key}, field {sf.name}: macro `{macro}` is not defined "
                        "by any @string",
                        "bib-undefined-macro",
                        key=key,
                    )
                )
        lower = sf.name.lower()
        seen.setdefault(lower, []).append(field_line)
        values.setdefault(lower, value)
        field_layouts.append(
            FieldLayout(
                sf.name,
                field_line,
                sf.start,
                sf.name_end,
                sf.equals,
                sf.value_start,
                sf.value_end,
                sf.end,
                _form(sf.pieces),
                value,
            )
        )
    for lower, at in seen.items():
        if len(at) > 1:
            problems.append(
                BibProblem(
                    path,
                    at[1],
                    f"entry {key}: field {lower} is given {len(at)} times (lines "
                    f"{', '.join(map(str, at))}); BibTeX uses the first",
                    "bib-duplicate-field",
                    key=key,
                )
            )
    layout = EntryLayout(
        key,
        entry_type,
        line,
        start,
        end,
        "ok",
        "",
        scanned.key_end,
        scanned.key_comma,
        scanned.close,
        tuple(field_layouts),
    )
    return layout, _reference(key, entry_type, values, line, path)


def _disagreement(
    text: str, scanned: _Scanned, key: str, theirs: list[tuple[str, str]], end: int
) -> str:
    """Why our reading of an entry differs from bibtexparser's (empty when it does not)."""
    if scanned.key != key:
        return f"key `{scanned.key}` against `{key}`"
    if scanned.close != end - 1:
        return "the entry ends at a different place"
    ours = [(f.name, text[f.value_start : f.value_end]) for f in scanned.fields]
    if ours == theirs:
        return ""
    for (name, value), (their_name, their_value) in zip(ours, theirs, strict=False):
        if name != their_name:
            return f"field `{name}` against `{their_name}`"
        if value != their_value:
            return f"the value of field `{name}`"
    return f"{len(ours)} fields against {len(theirs)}"


def _fallback_value(raw: str, macros: Mapping[str, str]) -> str:
    """A value from bibtexparser's raw text: outer delimiters removed, a macro resolved.

    Delimiters are removed only when they enclose the whole value: ``{29}\n Pages = {1}``
    (a missing comma) merely starts and ends with braces and is kept as written.
    """
    raw = raw.strip()
    try:
        pieces, stop = _scan_value(raw, 0, len(raw), "")
    except _ScanError:
        return raw
    if stop != len(raw) or len(pieces) != 1:
        return raw
    value, _ = _evaluate(pieces, raw, macros)
    return value


def _reference(
    key: str, entry_type: str, values: dict[str, str], line: int, path: str
) -> Reference:
    return Reference(
        key=key,
        entry_type=entry_type,
        fields=values,
        identifiers=extract_identifiers(identifier_view(values))[0],
        line=line,
        path=path,
    )


_BRACED_ESCAPE = re.compile(r"\{\\([_%&#$])\}")
_ESCAPE = re.compile(r"\\([_%&#$])")


def identifier_view(fields: Mapping[str, str]) -> dict[str, str]:
    """Field values as identifier parsers need them: BibTeX markup around them removed.

    Braces that enclose a whole value (Web of Science writes ``{{10.1000/x}}``) and LaTeX
    escapes of ``_ % & # $`` (``10.1000/a\\_b``) are not part of a DOI, PMID or URL.
    """
    view = dict(fields)
    for name, value in fields.items():
        if name in _IDENTIFIER_FIELD_NAMES and ("{" in value or "\\" in value):
            core = unwrap_braces(value)[1]
            view[name] = _ESCAPE.sub(r"\1", _BRACED_ESCAPE.sub(r"\1", core))
    return view


# The fields ``identifiers.extract_identifiers`` reads (others need no cleaning).
_IDENTIFIER_FIELD_NAMES = frozenset(
    {"doi", "pmid", "pmcid", "isbn", "issn", "eprint", "pubmed_id", "pubmed", "pmc", "arxiv"}
    | {"url", "archiveurl", "archive-url", "archive_url", "urlarchive"}
    | {"archiveprefix", "eprinttype"}
)


def unwrap_braces(value: str) -> tuple[int, str]:
    """How many brace pairs enclose all of ``value``, and what is inside them (stripped).

    ``{{12-18}}`` → ``(2, "12-18")``; ``{a} and {b}`` → ``(0, "{a} and {b}")``.
    """
    depth = 0
    core = value.strip()
    while len(core) >= 2 and core[0] == "{" and _encloses(core):
        core = core[1:-1].strip()
        depth += 1
    return depth, core


def _encloses(value: str) -> bool:
    """Whether the ``{`` at the start of ``value`` is closed by its last character."""
    depth = 0
    for mark in _BRACES.finditer(value):
        depth += 1 if mark.group() == "{" else -1
        if depth == 0:
            return mark.end() == len(value)
    return False


_FAILED_HEAD = re.compile(r"@(\w*)[ \t]*[{(]\s*([^\s,{}()\"=]*)")


def _failed_block(
    text: str,
    block: bpmodel.ParsingFailedBlock,
    start: int,
    end: int,
    *,
    unread_end: int,
    lines: _LineIndex,
    path: str,
) -> tuple[EntryLayout | None, BibProblem]:
    """The problem (and, for an entry, the layout) of a block bibtexparser gave up on.

    bibtexparser turns the text after the point where it gave up into a free-text
    comment, so everything up to the next block it could read (``unread_end``) is lost
    to the reader, though kept in the file: the message gives those lines.
    """
    line = lines.line_of(start)
    head = _FAILED_HEAD.match(text, start, end)
    block_type = head.group(1).lower() if head else ""
    key = head.group(2) if head and block_type not in ("string", "preamble", "comment") else ""
    error = block.error
    reason = str(getattr(error, "abort_reason", "") or error).strip()
    if block_type not in ("comment", "preamble"):
        try:  # read on to where bibtexparser resumed: the error may lie past its raw text
            _scan_block(text, start, max(end, unread_end), with_key=bool(key))
        except _ScanError as exc:
            reason = f"{exc.message} (line {lines.line_of(exc.offset)})"
    what = f"entry {key}" if key else f"@{block_type} block" if block_type else "block"
    last = lines.line_of(max(start, len(text[:unread_end].rstrip()) - 1))
    span = f"lines {line}-{last} are" if last > line else f"line {line} is"
    message = f"{what} could not be parsed: {reason}; {span} kept in the file but not read"
    problem = BibProblem(path, line, message, "bib-syntax", key=key or None)
    layout = EntryLayout(key, block_type, line, start, end, "failed", reason) if key else None
    return layout, problem


# ----------------------------------------------------------------------------- writing

#: The order in which fields of a new entry are written; unknown fields follow, sorted.
FIELD_ORDER: tuple[str, ...] = (
    "author",
    "editor",
    "title",
    "chapter",
    "booktitle",
    "journal",
    "journaltitle",
    "series",
    "edition",
    "year",
    "month",
    "date",
    "volume",
    "number",
    "pages",
    "publisher",
    "address",
    "organization",
    "institution",
    "howpublished",
    "doi",
    "pmid",
    "pmcid",
    "isbn",
    "issn",
    "eprint",
    "archiveprefix",
    "url",
    "urldate",
    "archiveurl",
    "archivedate",
    "language",
    "note",
)
#: Fields whose value is taken verbatim by BibTeX/biblatex (no LaTeX escaping).
VERBATIM_FIELDS = frozenset({"url", "doi", "archiveurl", "eprint", "file", "pmid", "pmcid"})

_SPECIALS = re.compile(r"(?<!\\)([&%#$])")


def escape_value(name: str, value: str) -> str:
    """Make ``value`` safe inside ``{…}``: escape ``& % # $`` and unbalanced braces.

    Two things would break the file and are rewritten too: a backslash at the very end
    (it would escape the closing brace; ``\\textbackslash{}``, or ``%5C`` in a verbatim
    field) and an ``@`` that starts a line (it would start a new entry; ``{@}``).
    """
    verbatim = name.lower() in VERBATIM_FIELDS
    if not verbatim:
        value = _SPECIALS.sub(r"\\\1", value)
        value = _LINE_START_AT.sub(r"\1{@}", value)
    if not _braces_balanced(value):
        value = re.sub(r"(?<!\\)([{}])", r"\\\1", value)
    trailing = len(value) - len(value.rstrip("\\"))
    if trailing:
        value = value[:-trailing] + ("%5C" if verbatim else "\\textbackslash{}") * trailing
    return value


_LINE_START_AT = re.compile(r"(?m)^(\s*)@")


def _braces_balanced(value: str) -> bool:
    depth = 0
    for i, ch in enumerate(value):
        if ch in "{}" and i > 0 and value[i - 1] == "\\":
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def field_sort_key(name: str) -> tuple[int, str]:
    """Sort key of a (lower-case) field name: :data:`FIELD_ORDER`, then alphabetical."""
    try:
        return (FIELD_ORDER.index(name), name)
    except ValueError:
        return (len(FIELD_ORDER), name)


_field_sort_key = field_sort_key


def format_entry(ref: Reference) -> str:
    """One entry as BibTeX text, fields in :data:`FIELD_ORDER`, empty fields left out."""
    names = sorted((n for n, v in ref.fields.items() if v), key=_field_sort_key)
    width = max((len(n) for n in names), default=0)
    lines = [f"@{ref.entry_type}{{{ref.key},"]
    lines += [
        f"  {name.ljust(width)} = {{{escape_value(name, ref.fields[name])}}}," for name in names
    ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def format_entries(refs: Iterable[Reference]) -> str:
    """Several entries separated by one blank line."""
    return "\n".join(format_entry(r) for r in refs)


def spelling_counts(bib: Bibliography) -> dict[str, Counter[str]]:
    """How often each field name is spelt each way in the file (``doi`` → ``{"Doi": 3}``)."""
    counts: dict[str, Counter[str]] = {}
    for layout in bib.layout:
        for f in layout.fields:
            counts.setdefault(f.name.lower(), Counter())[f.name] += 1
    return counts


def reread_entry(text: str) -> tuple[str, str, list[tuple[str, str]]] | None:
    """``(type, key, [(field name, value as written)])`` of a text that is one entry.

    ``None`` unless the text is exactly one entry block that bibtexparser and our scanner
    both read completely and identically.  Used to check an edited entry before it is
    written out.
    """
    try:
        library = parse_string(text, parse_stack=[])
    except Exception:  # bibtexparser's own bugs: treat as unreadable
        return None
    blocks = library.blocks
    if len(blocks) != 1 or type(blocks[0]) is not bpmodel.Entry or blocks[0].raw != text:
        return None
    entry = blocks[0]
    try:
        scanned = _scan_block(text, 0, len(text), with_key=True)
    except _ScanError:
        return None
    theirs = [(f.key, f.value) for f in entry.fields]
    if _disagreement(text, scanned, entry.key, theirs, len(text)):
        return None
    return scanned.entry_type, scanned.key, theirs
