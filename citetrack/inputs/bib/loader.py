"""Loading a .bib file: cut into chunks, each chunk's blocks read, the file checked whole.

The text is cut into chunks that bibtexparser reads alone exactly as within the file
(:mod:`~citetrack.inputs.bib.chunks`); each chunk's entries are read
(:mod:`~citetrack.inputs.bib.items`), or taken from a memo when the chunk did not change
(:mod:`~citetrack.inputs.bib.reuse`).  Over the whole file, each time: ``@string`` macros
are evaluated in file order, entries are collected in file order with the first
definition of a key winning, as in BibTeX, and comment ignores are applied.  Every defect
becomes a :class:`BibProblem`; only a file that cannot be read at all raises
:class:`BibError`.
"""

from __future__ import annotations

import gc
import logging
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from citetrack.inputs.bib.chunks import (
    is_comment,
    locate,
    parse_chunk,
    parse_string,
    split_chunks,
    string_spans,
)
from citetrack.inputs.bib.comments import comment_problems, says_ignore, with_comment_ignores
from citetrack.inputs.bib.inherit import with_inherited
from citetrack.inputs.bib.items import Item, load_items
from citetrack.inputs.bib.layout import (
    BibError,
    Bibliography,
    BibProblem,
    EntryLayout,
)
from citetrack.inputs.bib.macros import MAX_TOTAL_CHARS, MacroTable
from citetrack.inputs.bib.memo import EntryMemo, chunk_key, read_chunk
from citetrack.inputs.bib.reuse import (
    Done,
    LineCounter,
    is_current,
    memo_get,
    memo_put,
    read_fresh,
)
from citetrack.inputs.bib.scanner import (
    LineIndex,
)
from citetrack.inputs.bib.strings import StringReader
from citetrack.inputs.encoding import decode_bib
from citetrack.inputs.textio import MAX_INPUT_BYTES, InputError, read_bytes
from citetrack.model import Reference

if TYPE_CHECKING:
    from bibtexparser import model as bpmodel
    from bibtexparser.library import Library

# bibtexparser logs a warning for every block it cannot parse; without a handler Python's
# "last resort" handler would print them on stderr.  We report them as BibProblems.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())


# ----------------------------------------------------------------------------- loading


#: Told the references of each chunk read afresh (not from the memo), as the load goes.
OnChunk = Callable[[list[Reference]], None]


def load_bib(
    path: str | Path,
    encoding: str | None = None,
    memo: EntryMemo | None = None,
    on_chunk: OnChunk | None = None,
    *,
    layouts: bool = True,
    macros: Mapping[str, str] | None = None,
) -> Bibliography:
    """Read and load a .bib file; :class:`BibError` if it cannot be read as text.

    The text is kept exactly as in the file (byte order mark and CRLF line endings
    included), so that an export without fixes gives back the same bytes.  ``encoding``
    (``--encoding``) or detection decides how the bytes are decoded
    (:mod:`citetrack.inputs.encoding`); the result records it.  ``memo``: see
    :func:`loads_bib`, as ``on_chunk``, ``layouts`` and ``macros``.
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
    del data
    bib = loads_bib(decoded.text, name, memo, on_chunk, layouts=layouts, macros=macros)
    return replace(bib, encoding=decoded.encoding, encoding_note=decoded.note(name) or "")


_UNPLACED = "citetrack could not find this block's text in the file; it is not read"


def loads_bib(
    text: str,
    path: str = "<string>",
    memo: EntryMemo | None = None,
    on_chunk: OnChunk | None = None,
    *,
    layouts: bool = True,
    macros: Mapping[str, str] | None = None,
) -> Bibliography:
    """Load BibTeX text; never raises for malformed BibTeX (that becomes problems).

    With a ``memo`` (:class:`~citetrack.inputs.bib.memo.EntryMemo`), a chunk whose text
    did not change since it was stored is not parsed again: its stored entries are moved
    to where it sits now, and newly read chunks are stored.  The result is the same with
    or without a memo, and the same as parsing the whole text at once.

    ``on_chunk`` is told the references of each chunk read afresh as soon as it is read
    (the cold check asks the registries about them meanwhile:
    :mod:`citetrack.registries.prefetch`).  Only a hint: an entry may still be read again
    (a later ``@string``) or lose to an earlier one with its key; the result decides.

    ``layouts=False``: the result has no ``layout`` (a caller that only checks drops
    them); the field layouts of entries taken from the memo are then mostly not read
    (:func:`~citetrack.inputs.bib.memo.read_items`).  The references and problems are
    the same either way.

    ``macros``: ``@string`` macros defined before the text (those of the files before it
    in one ``\bibliography{abbrev,refs}``, as BibTeX reads them); the result's
    :attr:`~citetrack.inputs.bib.layout.Bibliography.macros` are what the next file gets.

    The cyclic garbage collector is paused while loading: a load makes a few objects per
    field and no cycles, and the collector's passes over them cost a third of a load
    from the memo.
    """
    with _gc_paused():
        bib = _loads(text, path, memo, on_chunk, layouts, given=macros or {})
    return bib if layouts else replace(bib, layout=())


@contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _loads(
    text: str,
    path: str,
    memo: EntryMemo | None,
    on_chunk: OnChunk | None,
    layouts: bool,
    *,
    given: Mapping[str, str],
) -> Bibliography:
    if memo is not None and "\x00" in text:
        memo = None  # NUL marks line numbers in stored messages; such text is never stored
    chunks = split_chunks(text)
    keys = [chunk_key(text[c.start : c.end], c.head) for c in chunks] if memo else []
    found = memo_get(memo, keys)
    lines = None if memo else LineIndex(text)  # without a memo, entries are read in place
    strings = StringReader(text, path, lines, given)
    macros = strings.macros
    unplaced: list[BibProblem] = []
    done: list[Done] = []
    line_breaks = LineCounter(text)
    # Without layouts, the memo's entries are read without them too (``bare``), unless a
    # comment ignore needs their places (with_comment_ignores).
    bare = not layouts and memo is not None and not says_ignore(text)
    for index, chunk in enumerate(chunks):
        key = keys[index] if memo else ""
        at_line = line_breaks.before(chunk.start) if memo else 0
        value = found.get(key) if found else None
        hit = (
            read_chunk(
                key,
                value,
                text,
                offset=chunk.start,
                line_offset=at_line,
                path=path,
                fields=layouts,
                bare=bare,
            )
            if value
            else None
        )
        parsed = None if hit else parse_chunk(text[chunk.start : chunk.end], chunk.head)
        info = hit[0] if hit else parsed
        if info is None:  # bibtexparser failed on this chunk: let it read the file whole
            return _loads_whole(text, path, given)
        if info.unplaced:  # bibtexparser counts lines by "\n" only
            before = text.count("\n", 0, chunk.start)
            unplaced += (
                BibProblem(path, before + line0 + 1, _UNPLACED, "bib-unreadable")
                for line0 in info.unplaced
            )
        for a, b in hit[0].strings if hit else string_spans(parsed.blocks) if parsed else ():
            strings.read(chunk.start + a, chunk.start + b)
        if hit:
            macros.copied += hit[0].copied
            done.append(Done(chunk, key, hit[1], hit[0].deps, hit[0].copied))
        elif parsed:
            fresh = read_fresh(
                text, chunk, parsed, key=key, line_offset=at_line, macros=macros,
                lines=lines, path=path,
            )  # fmt: skip
            done.append(fresh)
            if on_chunk is not None:
                on_chunk([item.ref for item in fresh.items if item.ref is not None])
        if macros.copied > MAX_TOTAL_CHARS:  # the order of expansion matters now
            return _loads_whole(text, path, given)
    del found
    digests: dict[str, str] = {}
    for index, one in enumerate(done):
        if is_current(one, macros, digests):
            continue
        # a later @string changed a macro these entries asked for: read them again
        macros.copied -= one.copied
        chunk = one.chunk
        parsed = parse_chunk(text[chunk.start : chunk.end], chunk.head)
        if parsed is None:
            return _loads_whole(text, path, given)
        done[index] = read_fresh(
            text, chunk, parsed, key=one.key, macros=macros, lines=lines, path=path,
            line_offset=LineCounter(text).before(chunk.start),
        )  # fmt: skip
        if macros.copied > MAX_TOTAL_CHARS:
            return _loads_whole(text, path, given)
    problems = unplaced + strings.problems
    keys_seen = _Keys(path, problems)
    for one in done:
        _collect(one.items, problems, keys_seen)
    memo_put(memo, {one.key: one.value for one in done if one.value is not None})
    return _finish(text, path, keys_seen, problems, macros)


def _collect(items: list[Item], problems: list[BibProblem], keys: _Keys) -> None:
    for item in items:
        problems += item.problems
        if item.entry:
            if item.layout is not None:
                keys.add(item.layout, item.ref)
            else:  # read ``bare`` from the memo: a reference, its layout not built
                assert item.ref is not None and item.ref.line is not None
                keys.add_bare(item.ref, item.ref.line)
        elif item.layout is not None:
            keys.layouts.append(item.layout)


#: Entry types that are no work of their own (biblatex): not references to check.
DATA_CONTAINERS = frozenset({"xdata", "set"})


def _finish(
    text: str, path: str, keys: _Keys, problems: list[BibProblem], macros: MacroTable
) -> Bibliography:
    # crossref / xdata fields; then the data containers go: biblatex never prints an
    # @xdata (it only lends fields) nor an @set (its members are the references).
    references = tuple(
        r for r in with_inherited(keys.references) if r.entry_type not in DATA_CONTAINERS
    )
    bib = Bibliography(path, text, references, (), tuple(keys.layouts), macros=macros.values)
    problems += comment_problems(bib)
    problems.sort(key=lambda p: p.line)
    return with_comment_ignores(replace(bib, problems=tuple(problems)))


def _loads_whole(text: str, path: str, given: Mapping[str, str] | None = None) -> Bibliography:
    """Load by parsing the whole text at once with bibtexparser (the way before chunks):
    used when a chunk cannot be parsed alone, and by tests to show chunks change nothing."""
    library = _split(text, path)
    lines = LineIndex(text)
    unplaced: list[bpmodel.Block] = []
    blocks = locate(text, library.blocks, lines, unplaced)
    del library
    problems = [
        BibProblem(path, (block.start_line or 0) + 1, _UNPLACED, "bib-unreadable")
        for block in unplaced
        if not is_comment(block)
    ]
    strings = StringReader(text, path, lines, given)
    for start, end in string_spans(blocks):
        strings.read(start, end)
    problems += strings.problems
    macros = strings.macros
    keys = _Keys(path, problems)
    _collect(
        load_items(text, blocks, len(text), lines=lines, macros=macros, path=path), problems, keys
    )
    return _finish(text, path, keys, problems, macros)


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
        first = self._first(layout.key, layout.line)
        if first is not None:
            self.layouts.append(
                replace(layout, state="duplicate", note=f"key first defined on line {first}")
            )
            return
        self.layouts.append(layout)
        if ref is not None:
            self.references.append(ref)

    def add_bare(self, ref: Reference, line: int) -> None:
        """Record an entry read without its layout (``line``: the reference's): the same
        problems and references as :meth:`add`, no layout."""
        if self._first(ref.key, line) is None:
            self.references.append(ref)

    def _first(self, key: str, line: int) -> int | None:
        """The key checks of an entry: the line of an earlier entry with its key (a
        duplicate), else ``None`` (the entry is now the key's first)."""
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
            return first
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
        return None

    def _problem(self, line: int, message: str, rule: str, key: str | None) -> None:
        self.problems.append(BibProblem(self.path, line, message, rule, key=key))


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
