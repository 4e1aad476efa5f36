"""One chunk's items from the memo when its stored value is still valid, else read and stored.

A stored chunk (:mod:`~citetrack.inputs.bib.memo`) is valid when its text is the same (its
key), every macro its entries asked for is what it was, and the file's expansion budget
still allows what they copied from macros.  Otherwise the chunk is read again with lines
counted from its start, stored, and moved into place like a stored one, so that a result
is built the same way whether it was stored or not.  A store that fails to answer is no
store: the file is loaded without it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from citetrack.inputs.bib.chunks import Chunk, ParsedChunk, parse_chunk, string_spans
from citetrack.inputs.bib.items import Item, load_items
from citetrack.inputs.bib.macros import MAX_TOTAL_CHARS, MacroTable
from citetrack.inputs.bib.memo import (
    EntryMemo,
    StoredChunk,
    encode_chunk,
    macro_digest,
    read_chunk,
)
from citetrack.inputs.bib.scanner import LineIndex, RelativeLines

logger = logging.getLogger(__name__)


def memo_items(
    text: str,
    chunk: Chunk,
    key: str,
    found: tuple[StoredChunk, list[Item]] | None,
    parsed: ParsedChunk | None,
    *,
    line_offset: int,
    macros: MacroTable,
    digests: dict[str, str],
    path: str,
    new: dict[str, bytes],
) -> list[Item] | None:
    """The items of ``chunk`` placed at its offset and ``line_offset`` (the line breaks
    before it): ``found`` (its stored value, read) if still valid, else read again; a newly
    read chunk's value is added to ``new``.  ``None`` only if the
    chunk cannot be parsed alone (the caller then reads the file whole)."""
    if found is not None:
        header, items = found
        current = all(
            (digests.get(name) or digests.setdefault(name, macro_digest(macros, name))) == digest
            for name, digest in header.deps.items()
        )
        if current and macros.copied + header.copied <= MAX_TOTAL_CHARS:
            macros.copied += header.copied
            return items
    body = text[chunk.start : chunk.end]
    if parsed is None:
        parsed = parse_chunk(body, chunk.head)
        if parsed is None:
            return None
    before = macros.copied
    used: set[str] = set()
    macros.used = used
    try:
        local = load_items(
            body, parsed.blocks, len(body), lines=RelativeLines(body), macros=macros, path=""
        )
    finally:
        macros.used = None
    deps = {name: macro_digest(macros, name) for name in sorted(used)}
    copied = macros.copied - before
    value = encode_chunk(
        key,
        string_spans(parsed.blocks),
        parsed.unplaced,
        local,
        body=body,
        deps=deps,
        copied=copied,
    )
    placed = (
        read_chunk(key, value, text, offset=chunk.start, line_offset=line_offset, path=path)
        if value
        else None
    )
    if placed is None:  # not storable as it is (never seen): place it by hand, keep nothing
        macros.copied = before
        return _placed(text, chunk, parsed, macros, path)
    if macros.copied <= MAX_TOTAL_CHARS and value is not None:
        new[key] = value  # a chunk read past the file's budget depends on the rest: not kept
    return placed[1]


def _placed(
    text: str, chunk: Chunk, parsed: ParsedChunk, macros: MacroTable, path: str
) -> list[Item]:
    """The chunk read again in place (with the file's own line numbers)."""
    blocks = [(b, chunk.start + s, chunk.start + e) for b, s, e in parsed.blocks]
    return load_items(text, blocks, chunk.end, lines=LineIndex(text), macros=macros, path=path)


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

    def before(self, offset: int) -> int:
        text, start = self.text, self.offset
        self.count += (
            text.count("\n", start, offset)
            + text.count("\r", start, offset)
            - text.count("\r\n", start, offset)
        )
        self.offset = offset
        return self.count
