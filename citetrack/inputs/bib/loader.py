"""Loading a .bib file: bibtexparser splits it into blocks, each block is read and checked.

Blocks are placed in the original text, ``@string`` macros are evaluated in file order,
and entries are collected in file order with the first definition of a key winning, as
in BibTeX.  Every defect becomes a :class:`BibProblem`; only a file that cannot be read
at all raises :class:`BibError`.
"""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import replace
from pathlib import Path

from bibtexparser import model as bpmodel
from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library

from citetrack.inputs.bib.comments import comment_problems, with_comment_ignores
from citetrack.inputs.bib.entries import failed_block, load_entry
from citetrack.inputs.bib.layout import (
    BibError,
    Bibliography,
    BibProblem,
    EntryLayout,
)
from citetrack.inputs.bib.macros import ExpansionError, MacroTable
from citetrack.inputs.bib.scanner import (
    LineIndex,
    ScanError,
    scan_block,
)
from citetrack.inputs.encoding import decode_bib
from citetrack.inputs.textio import MAX_INPUT_BYTES, InputError, read_bytes
from citetrack.model import Reference

# bibtexparser logs a warning for every block it cannot parse; without a handler Python's
# "last resort" handler would print them on stderr.  We report them as BibProblems.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())


# ----------------------------------------------------------------------------- loading


def load_bib(path: str | Path, encoding: str | None = None) -> Bibliography:
    """Read and load a .bib file; :class:`BibError` if it cannot be read as text.

    The text is kept exactly as in the file (byte order mark and CRLF line endings
    included), so that an export without fixes gives back the same bytes.  ``encoding``
    (``--encoding``) or detection decides how the bytes are decoded
    (:mod:`citetrack.inputs.encoding`); the result records it.
    """
    name = str(path)
    try:
        if name == "-":  # standard input (``--from bib -``)
            name = "<stdin>"
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            data = read_bytes(path, kind=".bib file")
        decoded = decode_bib(data, name, encoding)  # size, NUL bytes, encoding (with line)
    except InputError as exc:
        raise BibError(exc.path, exc.message, exc.line) from None
    bib = loads_bib(decoded.text, name)
    return replace(bib, encoding=decoded.encoding, encoding_note=decoded.note(name) or "")


def loads_bib(text: str, path: str = "<string>") -> Bibliography:
    """Load BibTeX text; never raises for malformed BibTeX (that becomes problems)."""
    library = _split(text, path)
    lines = LineIndex(text)
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
            layout, ref = load_entry(
                text, entry, start, end, lines=lines, macros=macros, path=path, problems=problems
            )
            keys.add(layout, ref)
        elif isinstance(block, bpmodel.ParsingFailedBlock) and block.ignore_error_block is None:
            unread_end = next(
                (b_start for b, b_start, _ in blocks[index + 1 :] if not _is_comment(b)),
                len(text),
            )
            failed, problem = failed_block(
                text, block, start, end, unread_end=unread_end, lines=lines, path=path
            )
            problems.append(problem)
            if failed is not None:
                keys.layouts.append(failed)
    bib = Bibliography(path, text, tuple(keys.references), (), tuple(keys.layouts))
    problems += comment_problems(bib)
    problems.sort(key=lambda p: p.line)
    return with_comment_ignores(replace(bib, problems=tuple(problems)))


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

    def add(self, layout: EntryLayout, ref: Reference | None) -> None:
        """Record an entry (``ref`` is ``None`` for one that could not be read)."""
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
        if ref is not None:
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
    starts = [m.end(1) for m in re.finditer(r"(^|\r\n?|\n)[ \t]*@", text)]
    lines = LineIndex(text)
    for i, start in enumerate(starts):
        chunk = text[start : starts[i + 1] if i + 1 < len(starts) else len(text)]
        try:
            parse_string(chunk, parse_stack=[])
        except Exception:
            return lines.line_of(start)
    return None


_Located = tuple[bpmodel.Block, int, int]


def _locate(
    text: str, blocks: list[bpmodel.Block], lines: LineIndex, unplaced: list[bpmodel.Block]
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


def _read_strings(
    text: str,
    blocks: list[_Located],
    lines: LineIndex,
    path: str,
    problems: list[BibProblem],
) -> MacroTable:
    """The ``@string`` macros (lower-case names), evaluated in file order.

    BibTeX reads one macro per ``@string`` block; a block that defines several (as in a
    Polish ``xampl.bib``) defines only the first, and bibtexparser silently reads the
    whole rest as that first value, so the block is reported.  A later definition of the
    same name replaces the earlier one (BibTeX warns and does the same).  A macro that
    expands past a limit (:mod:`~citetrack.inputs.bib.macros`) is reported and refused.
    """
    macros = MacroTable()
    defined_on: dict[str, int] = {}
    for block, start, end in blocks:
        string: bpmodel.Block | None = block
        if isinstance(block, bpmodel.DuplicateBlockKeyBlock):
            string = block.ignore_error_block
        if not isinstance(string, bpmodel.String):
            continue
        line = lines.line_of(start)
        try:
            scanned = scan_block(text, start, end, with_key=False)
        except ScanError as exc:
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
        try:
            macros.define(name, first.pieces, raw)
        except ExpansionError as exc:
            problems.append(
                BibProblem(
                    path,
                    line,
                    f"@string `{first.name}`: {exc.message}; it is not defined, and entries "
                    "that use it are not read",
                    "bib-string",
                )
            )
            continue
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
        defined_on.setdefault(name, line)
    return macros
