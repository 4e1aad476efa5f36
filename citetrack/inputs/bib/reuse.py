"""Reading a chunk's entries with what they depend on, and asking the memo for stored ones.

The loader reads the file in one pass, defining ``@string`` macros as it meets them, so an
entry is read (or taken from the memo) with the macros defined so far, and each chunk's
bibtexparser blocks are dropped as soon as it is read.  Each chunk's result
(:class:`Done`) records the digests of the macros its entries asked for; at the end a
result whose macros changed since (a later ``@string``) is read again
(:func:`is_current`).  A store that fails to answer is no store: the file is loaded
without it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from citetrack.inputs.bib.chunks import Chunk, ParsedChunk, string_spans
from citetrack.inputs.bib.items import Item, load_items
from citetrack.inputs.bib.macros import MacroTable
from citetrack.inputs.bib.memo import EntryMemo, encode_chunk, macro_digest, read_chunk
from citetrack.inputs.bib.scanner import LineIndex, RelativeLines

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Done:
    """A chunk's items with what they depend on: the digests of the macros they asked for
    (:func:`~citetrack.inputs.bib.memo.macro_digest`) and the characters they copied from
    macros; ``value`` is a newly read chunk's stored form (``None`` for one taken from the
    memo, or one not stored)."""

    chunk: Chunk
    key: str
    items: list[Item]
    deps: Mapping[str, str]
    copied: int
    value: bytes | None = None


def is_current(done: Done, macros: MacroTable, digests: dict[str, str]) -> bool:
    """Whether every macro ``done``'s entries asked for is still what it was
    (``digests`` caches the current digests by name)."""
    for name, digest in done.deps.items():
        now = digests.get(name)
        if now is None:
            now = digests[name] = macro_digest(macros, name)
        if now != digest:
            return False
    return True


def read_fresh(
    text: str,
    chunk: Chunk,
    parsed: ParsedChunk,
    *,
    key: str,
    line_offset: int,
    macros: MacroTable,
    lines: LineIndex | None,
    path: str,
) -> Done:
    """Read a parsed chunk's items with the macros defined so far, noting what they use.

    With ``lines`` (the file's), the items are read in place.  Without (a memo is used),
    the chunk is read alone, with lines from its start, turned into its stored form, and
    moved into place from that form, so that an item is built the same way whether it
    was stored or not.
    """
    before = macros.copied
    used: set[str] = set()
    macros.used = used
    body = text[chunk.start : chunk.end] if lines is None else ""
    try:
        if lines is not None:
            blocks = [(b, chunk.start + s, chunk.start + e) for b, s, e in parsed.blocks]
            items = load_items(text, blocks, chunk.end, lines=lines, macros=macros, path=path)
        else:
            items = load_items(
                body, parsed.blocks, len(body), lines=RelativeLines(body), macros=macros, path=""
            )
    finally:
        macros.used = None
    deps = {name: macro_digest(macros, name) for name in sorted(used)}
    copied = macros.copied - before
    if lines is not None:
        return Done(chunk, key, items, deps, copied)
    value = encode_chunk(
        key,
        string_spans(parsed.blocks),
        parsed.unplaced,
        items,
        body=body,
        deps=deps,
        copied=copied,
    )
    placed = None
    if value is not None:
        placed = read_chunk(
            key, value, text, offset=chunk.start, line_offset=line_offset, path=path
        )
    if placed is None:  # not storable as it is (never seen): read it in place, keep nothing
        macros.copied = before
        done = read_fresh(
            text, chunk, parsed, key=key, line_offset=line_offset, macros=macros,
            lines=LineIndex(text), path=path,
        )  # fmt: skip
        return Done(chunk, key, done.items, deps, copied)
    return Done(chunk, key, placed[1], deps, copied, value)


def memo_get(memo: EntryMemo | None, keys: list[str]) -> Mapping[str, bytes]:
    """Stored values; a store that fails is no store (the file is loaded from scratch)."""
    if memo is None or not keys:
        return {}
    try:
        return memo.get_many(keys)
    except Exception:  # a broken store must never stop a load
        logger.warning("the .bib memo could not be read; loading without it", exc_info=True)
        return {}


def memo_put(memo: EntryMemo | None, values: dict[str, bytes]) -> None:
    """Store newly read chunks; a store that fails only loses them."""
    if memo is None or not values:
        return
    try:
        memo.put_many(values)
    except Exception:  # a broken store must never stop a load
        logger.warning("the .bib memo could not be written", exc_info=True)


class LineCounter:
    """Line breaks (CRLF, LF or CR, as :class:`LineIndex` counts them) before an offset,
    for offsets asked in increasing order, none inside a CRLF (a chunk starts at ``@``)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = 0
        self.count = 0
        #: Without a CR anywhere, a line break is an LF: one count per chunk instead of
        #: three (100,000 entries: 0.07-0.15 s of a warm load; issue 16).
        self.lf_only = "\r" not in text

    def before(self, offset: int) -> int:
        text, start = self.text, self.offset
        if self.lf_only:
            self.count += text.count("\n", start, offset)
        else:
            self.count += (
                text.count("\n", start, offset)
                + text.count("\r", start, offset)
                - text.count("\r\n", start, offset)
            )
        self.offset = offset
        return self.count
