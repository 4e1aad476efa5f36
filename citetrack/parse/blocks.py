"""A reference list copied from a web page whose list numbers stand on lines of their own.

Copying an HTML list puts each block on a line of its own: the number (``1.`` or
``[1]``) on one line and the reference on the next (Nature's pages), and on some sites
each part of the reference too — authors, title, source, then the page's link labels
(ScienceDirect)::

    [1]
    T. Arden, M. Bexley
    Sleep in invented teens
    J. Made-up Health, 62 (2018), pp. 601-608
    View PDFView articleView in ScopusGoogle Scholar

:func:`attach_numbers` puts each number back in front of its reference, the block's
lines joined as the parts of one reference (with a full stop where a part ends without
punctuation: the page showed it by a line break), so that the list reads as a numbered
one.  The lines it takes are left empty, the line numbers of the rest unchanged.
"""

from __future__ import annotations

import itertools
import re

from citetrack.parse.labels import is_label_line

#: A list number alone on its line: ``1.``, ``1)``, ``[1]``, ``(1)`` — not a bare ``12``,
#: which is as likely a page number copied with the page.
_ALONE = re.compile(r"^\s*(?:\[(?P<a>\d{1,4})\]|\((?P<b>\d{1,4})\)|(?P<c>\d{1,4})[.)])\s*$")
#: The most lines one block holds (authors, title, source, identifiers).
_BLOCK_LINES = 6
#: How a part of a reference may end without a full stop being added.
_ENDED = ".,;:?!)]}\"'”’»"


def attach_numbers(lines: list[str], headings: re.Pattern[str]) -> list[str]:
    """``lines`` with every list number that stands alone put in front of the block of
    lines after it (up to a blank line, a heading, a line of link labels, the next number
    or :data:`_BLOCK_LINES` lines); the lines taken become empty.

    Only when at least two numbers stand alone and most of them follow on from the one
    before (1, 2, 3 …): one ``3.`` alone is a wrapped line of a reference.
    """
    alone = [(i, _number(m)) for i, line in enumerate(lines) if (m := _ALONE.match(line))]
    if len(alone) < 2:
        return lines
    following = sum(1 for (_, a), (_, b) in itertools.pairwise(alone) if b == a + 1)
    if 2 * following < len(alone) - 1:
        return lines
    out = list(lines)
    stops = [index for index, _ in alone[1:]] + [len(lines)]
    for (index, _), stop in zip(alone, stops, strict=True):
        parts: list[str] = []
        j = index + 1
        while j < min(stop, index + 1 + _BLOCK_LINES):
            line = lines[j].strip()
            if not line or headings.match(lines[j]) or is_label_line(line):
                break
            parts.append(line)
            out[j] = ""
            j += 1
        if parts:
            out[index] = f"{lines[index].strip()} {_join_parts(parts)}"
    return out


def _number(match: re.Match[str]) -> int:
    return int(match["a"] or match["b"] or match["c"])


def _join_parts(parts: list[str]) -> str:
    """The lines of one block as one reference: a full stop between two parts when the
    first ends without punctuation and the next does not go on in lower case."""
    text = parts[0]
    for part in parts[1:]:
        ended = text[-1] in _ENDED or part[:1].islower()
        text = f"{text} {part}" if ended else f"{text}. {part}"
    return text
