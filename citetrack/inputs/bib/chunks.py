"""Cutting a .bib text into chunks that bibtexparser reads alone exactly as within the file.

bibtexparser's splitter (2.x) starts a new block at every ``@type{`` (or ``@type(``)
whose ``@`` begins a line (only white space before it on its line): outside a block that
is a block start, and inside one it aborts the block, and the ``@`` starts the next.  At
such a place the splitter starts afresh; what it does from there depends only on the text
from there on.  So the file is cut before each of those ``@`` (and before the first block
start of all), and each chunk is parsed alone.  A chunk whose last block runs to its end
(in the file, the next ``@`` aborts it) is parsed again followed by the next chunk's
``@type{`` (its *head*), so that the block is aborted the same way, with the same
message; the head's own (failed) block is then dropped.

Parsing chunk by chunk gives the blocks of a whole-file parse, and lets a stored result
be reused for a chunk whose text (and head) did not change
(:mod:`~citetrack.inputs.bib.memo`).  A chunk whose parse does not end as expected is
reported as ``None``, and so is a chunk with a block not found on the line bibtexparser
gives it (the text of a block it gave up on can overlap the next block's); the loader
then parses the whole file at once, as before.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from citetrack.inputs.bib.scanner import LineIndex

if TYPE_CHECKING:
    from bibtexparser import model as bpmodel
    from bibtexparser.library import Library
    from bibtexparser.middlewares.middleware import Middleware

#: bibtexparser's block start (its splitter's ``_BLOCK_START``), anywhere.
_BLOCK_START = re.compile(r"@\w*[ \t]*(?=[{(])")
#: A block start at the start of a line (after white space as ``str.isspace`` counts it,
#: which is what ``\s`` matches), with its opening delimiter.
_LINE_BLOCK_START = re.compile(r"\n[^\S\n]*(@\w*[ \t]*[{(])")

#: A block with its start and end offsets (in the text it was located in).
Located: TypeAlias = "tuple[bpmodel.Block, int, int]"
#: The blocks that are BibTeX commands, not entries.
_COMMANDS = frozenset({"string", "preamble", "comment"})


def commands_only(text: str) -> bool:
    """Whether ``text`` is BibTeX that holds no entry by design: only ``%`` comment lines,
    or only ``@string`` / ``@preamble`` / ``@comment`` blocks (an abbreviations file such as
    ``IEEEabrv.bib``), as opposed to text that is not BibTeX at all."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and all(line.startswith("%") for line in lines):
        return True
    kinds = {start[1:].strip().lower() for start in _BLOCK_START.findall(text)}
    return bool(kinds) and kinds <= _COMMANDS


def parse_string(text: str, *, parse_stack: list[Middleware]) -> Library:
    """bibtexparser's ``parse_string``, bibtexparser imported on the first parse.

    A load whose chunks are all stored (a warm run) parses nothing: it imports neither
    bibtexparser nor pylatexenc (issue 16).  So every function here that looks at
    bibtexparser's blocks imports its model itself, when there are blocks to look at.
    """
    from bibtexparser.entrypoint import parse_string as parse  # noqa: PLC0415

    return parse(text, parse_stack=parse_stack)


@dataclass(frozen=True, slots=True)
class Chunk:
    """``text[start:end]``, and the block start that follows it (``""`` at the end)."""

    start: int
    end: int
    head: str


#: Blocks are grouped into chunks: a chunk ends after a block whose opening's CRC-32 is a
#: multiple of this (about this many blocks per chunk), or after :data:`GROUP_MAX` blocks.
GROUP_EVERY = 8
GROUP_MAX = 32
#: How much of a block's text decides whether a chunk ends after it.
_OPENING = 200


def split_chunks(text: str) -> list[Chunk]:
    """The chunks of ``text`` in order; the text before the first block start is only a
    comment to bibtexparser and belongs to no chunk.

    A chunk is a run of whole blocks (text from one block start to another: bibtexparser
    reads it alone as within the file).  Where a run ends is decided by the content of its
    blocks' openings, not by their positions, so that an edit, an insertion or a deletion
    changes the chunk it falls in (and at most the next) and no other: the memo keeps
    every other chunk (:mod:`~citetrack.inputs.bib.memo`).  One block per chunk cost a
    warm load of 100,000 entries a third of its time in per-chunk work (issue 16).
    """
    first = _BLOCK_START.search(text)
    if first is None:
        return []
    starts = [first.start()]
    heads = []
    for match in _LINE_BLOCK_START.finditer(text, first.end()):
        starts.append(match.start(1))
        heads.append(match.group(1))
    heads.append("")
    ends = [*starts[1:], len(text)]
    chunks: list[Chunk] = []
    begin = 0
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        opening = text[start : min(end, start + _OPENING)].encode("utf-8", "surrogatepass")
        last = index == len(starts) - 1
        if last or index - begin + 1 >= GROUP_MAX or zlib.crc32(opening) % GROUP_EVERY == 0:
            chunks.append(Chunk(starts[begin], end, heads[index]))
            begin = index + 1
    return chunks


@dataclass(frozen=True, slots=True)
class ParsedChunk:
    """bibtexparser's blocks of one chunk, located with offsets from the chunk's start;
    ``unplaced`` would hold the 0-based lines (from the chunk's start, as bibtexparser
    counts them) of blocks whose text could not be found, but such a chunk is not used
    (:func:`parse_chunk` gives ``None``): it stays empty."""

    blocks: tuple[Located, ...]
    unplaced: tuple[int, ...]


def parse_chunk(body: str, head: str) -> ParsedChunk | None:
    """The blocks of a chunk's text ``body``, as bibtexparser reads them within the file.

    A chunk is parsed alone first.  Only when its last block runs to the end of the chunk
    (in the file, the next chunk's ``@`` aborts it) is it parsed again followed by its
    ``head``, whose block is then dropped.  ``None`` when bibtexparser raises (its own
    bugs) or the head's block is not where expected: the caller then parses the whole
    file at once.
    """
    alone = _parse(body, "")
    if alone is None or not head or not alone[0] or not _ran_to_the_end(alone[0][-1][0]):
        return _parsed(alone)
    return _parsed(_parse(body, head))


def _ran_to_the_end(block: bpmodel.Block) -> bool:
    import bibtexparser.model as bpmodel  # noqa: PLC0415 - see parse_string

    if not isinstance(block, bpmodel.ParsingFailedBlock):
        return False
    reason = str(getattr(block.error, "abort_reason", ""))
    return reason.startswith("Unexpectedly reached end of file")


def _parse(body: str, head: str) -> tuple[list[Located], list[bpmodel.Block]] | None:
    full = body + head
    import bibtexparser.model as bpmodel  # noqa: PLC0415 - see parse_string

    try:
        library = parse_string(full, parse_stack=[])
    except Exception:  # bibtexparser raises only for its own bugs; the whole-file parse reports it
        return None
    unplaced: list[bpmodel.Block] = []
    located = locate(full, library.blocks, _LazyLines(full), unplaced)
    if head:
        if not located:
            return None
        last, start, end = located.pop()
        if (
            start != len(body)
            or end != len(full)
            or not isinstance(last, bpmodel.ParsingFailedBlock)
        ):
            return None
    if unplaced or not all(_where_it_says(full, b, start, len(body)) for b, start, _ in located):
        return None  # a block misplaced (bibtexparser's texts can overlap): read the file whole
    return located, unplaced


def _where_it_says(text: str, block: bpmodel.Block, start: int, end: int) -> bool:
    """Whether a block was found in the chunk on the line bibtexparser gives it (its
    splitter counts the line breaks not escaped by a backslash): then the whole-file
    parse finds it at the same place."""
    if start >= end:
        return False
    line = text.count("\n", 0, start) - text.count("\\\n", 0, start) if start else 0
    return (block.start_line or 0) == line


def _parsed(result: tuple[list[Located], list[bpmodel.Block]] | None) -> ParsedChunk | None:
    if result is None:
        return None
    located, unplaced = result
    lines = tuple((b.start_line or 0) for b in unplaced if not is_comment(b))
    return ParsedChunk(tuple(located), lines)


class _LazyLines:
    """:meth:`LineIndex.offset_of_line0` of a chunk, counted only if a block starts past
    the chunk's first line (most chunks hold one block, on their first line)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: LineIndex | None = None

    def offset_of_line0(self, line0: int) -> int:
        if line0 <= 0:
            return 0
        if self.lines is None:
            self.lines = LineIndex(self.text)
        return self.lines.offset_of_line0(line0)


def locate(
    text: str,
    blocks: list[bpmodel.Block],
    lines: LineIndex | _LazyLines,
    unplaced: list[bpmodel.Block],
) -> list[Located]:
    """Each block with its start and end offset in ``text``; ``unplaced`` gets the others.

    bibtexparser's ``raw`` is an exact slice of the text and its ``start_line`` (0-based)
    is the line the block starts on; blocks come in file order, so searching from the
    later of that line's start and the previous block's end finds the right slice.
    """
    located: list[Located] = []
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


def is_comment(block: bpmodel.Block) -> bool:
    """Whether a block is free text between blocks (bibtexparser's implicit comment)."""
    import bibtexparser.model as bpmodel  # noqa: PLC0415 - see parse_string

    return isinstance(block, bpmodel.ImplicitComment)


def string_spans(blocks: list[Located] | tuple[Located, ...]) -> list[tuple[int, int]]:
    """Start and end of each ``@string`` block (one bibtexparser set aside as a duplicate
    included)."""
    import bibtexparser.model as bpmodel  # noqa: PLC0415 - see parse_string

    spans = []
    for block, start, end in blocks:
        string: bpmodel.Block | None = block
        if isinstance(block, bpmodel.DuplicateBlockKeyBlock):
            string = block.ignore_error_block
        if isinstance(string, bpmodel.String):
            spans.append((start, end))
    return spans
