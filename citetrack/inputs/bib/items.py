"""The entries and failed blocks of a run of located blocks, each with its own problems.

One :class:`Item` per entry block (read both ways by
:func:`~citetrack.inputs.bib.entries.load_entry`) and per block bibtexparser gave up on
(:func:`~citetrack.inputs.bib.entries.failed_block`).  What concerns several blocks —
duplicate keys, ``@string`` macros, comment ignores — is decided by the loader over the
whole file; an item depends only on its block's text and on the macros it uses, so it can
be stored and reused (:mod:`~citetrack.inputs.bib.memo`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from citetrack.inputs.bib.chunks import Located, is_comment
from citetrack.inputs.bib.entries import failed_block, load_entry
from citetrack.inputs.bib.layout import BibProblem, EntryLayout
from citetrack.inputs.bib.macros import MacroTable
from citetrack.inputs.bib.scanner import LineIndex
from citetrack.model import Reference

if TYPE_CHECKING:
    from bibtexparser import model as bpmodel


class Item(NamedTuple):
    """One entry (``entry``: it goes through the key checks) or one failed block (its
    layout, when it has a key, is kept as it is), with the problems found in it."""

    entry: bool
    layout: EntryLayout | None
    ref: Reference | None
    problems: tuple[BibProblem, ...]


def as_entry(block: bpmodel.Block) -> bpmodel.Entry | None:
    """The entry of a block, including one bibtexparser set aside as a duplicate."""
    import bibtexparser.model as bpmodel  # noqa: PLC0415 - see chunks.parse_string

    inner: bpmodel.Block | None = block
    if isinstance(block, bpmodel.DuplicateBlockKeyBlock | bpmodel.DuplicateFieldKeyBlock):
        inner = block.ignore_error_block
    return inner if isinstance(inner, bpmodel.Entry) else None


def load_items(
    text: str,
    blocks: Sequence[Located],
    stop: int,
    *,
    lines: LineIndex,
    macros: MacroTable,
    path: str,
) -> list[Item]:
    """The items of ``blocks`` (located in ``text``), in order.

    ``stop`` is where the next block of the file starts (or the end of the text): a failed
    block's unread text runs up to the next block that is not a comment, or to ``stop``.
    """
    import bibtexparser.model as bpmodel  # noqa: PLC0415 - see chunks.parse_string

    items: list[Item] = []
    for index, (block, start, end) in enumerate(blocks):
        entry = as_entry(block)
        if entry is not None:
            problems: list[BibProblem] = []
            layout, ref = load_entry(
                text, entry, start, end, lines=lines, macros=macros, path=path, problems=problems
            )
            items.append(Item(True, layout, ref, tuple(problems)))
        elif isinstance(block, bpmodel.ParsingFailedBlock) and block.ignore_error_block is None:
            unread_end = next(
                (b_start for b, b_start, _ in blocks[index + 1 :] if not is_comment(b)), stop
            )
            failed, problem = failed_block(
                text, block, start, end, unread_end=unread_end, lines=lines, path=path
            )
            items.append(Item(False, failed, None, (problem,)))
    return items
