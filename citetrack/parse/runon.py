"""References run together on one line, cut apart at their list numbers.

One job: a list copied from a web page or a PDF that lost its line breaks gives one item
that holds several numbered references (``… 2001;4:10-19. 2. Roe K. …``); read as one,
its first reference took the others' text.  The numbers inside an item's text are cut
at only when they count on from one another and mostly follow the end of a sentence
(``Vol. 2. Part 3.`` is one reference).
"""

from __future__ import annotations

import re

from citetrack.parse.headings import HEADINGS
from citetrack.parse.listmarks import NOT_YEAR, NUMBERED, number_of
from citetrack.parse.wraps import CITATION_HINT, ends_open, starts_like_reference

# A list number inside an item's text: "… 2001;4:10-19. 2. Roe K. …", "… [3] Loe M. …".
# Years ("2004. Reactive…") and dates ("v. 1. 3. 1996") are not list numbers.
_INLINE_NUMBER = re.compile(
    r"(?:^|(?<=\s))(?:\[(?P<b>\d{1,4})\]|" + NOT_YEAR + r"(?P<n>\d{1,4})\.)\s+(?=[^\s\d])"
)


def _after_sentence(text: str, start: int) -> bool:
    """Whether the list number at ``start`` follows the end of a sentence (``.``, ``)``
    or ``]`` and a blank)."""
    return start >= 2 and text[start - 2] in ".)]"


def run_on(text: str, raw: str, marker: str) -> list[tuple[str, str]]:
    """An item's ``text`` that holds several numbered references run together on one line
    (a list copied from a web page or a PDF that lost its line breaks) as one text each,
    with its marker: ``[(text, marker)]`` when it holds one reference.  ``raw`` is the
    item's line(s) as they were and ``marker`` its marker (:class:`~.items.Item`).

    Split only at a chain of at least two consecutive list numbers (:func:`_chain`), each
    followed by something that is not a lower-case word, most of them (and at least one)
    right after the end of a sentence; the chain's first number follows the start of the
    text, the end of a sentence or a "References" heading.  Text before the chain that is
    not a heading stays an item.  A numbered item's own number (taken off its text) counts
    as the chain's first: "1. Arden … 601-8. 2. Corwin …" is two references — when the one
    number in the text follows a reference's end and precedes a reference's start (not
    "… Vol. 2. London: …").
    """
    if marker == "caret" or len(text) < 40:
        return [(text, marker)]
    marks = [
        (int(m["b"] or m["n"]), m.start(), m.end())
        for m in _INLINE_NUMBER.finditer(text)
        if not text[m.end()].islower()
    ]
    own = NUMBERED.match(raw) if marker == "number" and marks else None
    if own is not None:
        marks.insert(0, (number_of(own), 0, 0))
    if len(marks) < 2:
        return [(text, marker)]
    best = _chain(text, marks)
    if (
        own is not None
        and len(best) == 2
        and best[0][1:] == (0, 0)
        and not _next_reference(text[: best[1][1]], text[best[1][2] :])
    ):
        return [(text, marker)]
    # Most numbers of the chain must follow the end of a sentence: "Vol. 2. Part 3." is
    # one reference.
    linked = sum(1 for _, start, _ in best[1:] if _after_sentence(text, start))
    if len(best) < 2 or 2 * linked < len(best) - 1 or not linked:
        return [(text, marker)]
    parts: list[tuple[str, str]] = []
    prefix = text[: best[0][1]].strip()
    if prefix and not HEADINGS.match(prefix):
        parts.append((prefix, marker))
    ends = [start for _, start, _ in best[1:]] + [len(text)]
    for (_, _, begin), end in zip(best, ends, strict=True):
        piece = text[begin:end].strip()
        if piece:
            parts.append((piece, marker or "number"))
    return parts


def _next_reference(before: str, after: str) -> bool:
    """Whether the text ``after`` a number inside an item is a reference of its own, run
    on after the one ``before`` it: ``before`` ends as a reference may (not "… Vol."),
    ``after`` starts as a reference does and is as long as one, with a year or an
    identifier ("2. Aufl. 2019." is an edition)."""
    return (
        not ends_open(before)
        and starts_like_reference(after)
        and len(after) >= 30
        and CITATION_HINT.search(after) is not None
    )


def _chain(text: str, marks: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The longest chain of list numbers n, n+1, n+2 … in text order (up to two in a row
    may be missing: a reference whose own text starts like a number stays with the one
    before), preferring, among chains as long, the one whose numbers follow the ends of
    sentences (``… 2001;4:10-19. 2. Poe K``) over numbers inside a reference (``… Vol. 2.
    Part``).

    One pass over the marks, keeping per number the best chain that ends with it, so a
    hostile line of many numbers costs linear time.
    """

    # Per number: (length, sentence ends, index of its mark) of the best chain ending there.
    best: dict[int, tuple[int, int, int]] = {}
    link: list[int | None] = [None] * len(marks)
    lead = len(text) - len(text.lstrip())
    for index, (value, start, _) in enumerate(marks):
        ends = int(_after_sentence(text, start))
        options: list[tuple[int, int, int | None]] = []
        for gap in (1, 2, 3):
            held = best.get(value - gap)
            if held is not None:
                options.append((held[0] + 1, held[1] + ends - (gap - 1), held[2]))
        if start <= lead or ends or (start < 80 and HEADINGS.match(text[:start])):
            options.append((1, ends, None))
        if not options:
            continue
        length, score, back = max(options, key=lambda o: (o[0], o[1]))
        if (length, score) > best.get(value, (0, -1, 0))[:2]:
            best[value] = (length, score, index)
            link[index] = back
    if not best:
        return []
    _, _, index = max(best.values(), key=lambda b: (b[0], b[1], -b[2]))
    chain: list[tuple[int, int, int]] = []
    at: int | None = index
    while at is not None:
        chain.append(marks[at])
        at = link[at]
    return chain[::-1]
