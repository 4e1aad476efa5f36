"""A journal's name and its numbers read as one publisher: the journal, then its numbers.

``Title. Harbour Science 21(3): 373–383.`` — a ``publisher`` segment that ends with a
volume (an issue in brackets) and pages after a colon is a journal's: no publisher prints
a volume and pages after its name.  Pure: labelled segments in, segments out.
"""

from __future__ import annotations

import re

Segments = list[tuple[str, str]]

#: A name with letters, then ``volume[(issue)]: pages`` at the end (``Journal 108:
#: 1114-1120.``, ``Journal, 24(2): 159-171.``); the volume never a year (``Meeting 2002:
#: 1-14`` is a meeting's name and its pages), the name no NLM block (``Journal.
#: 2013;381, Supplement 2: S150``).
_NAME_THEN_NUMBERS = re.compile(
    r"^(?P<name>[^;]*?[^\W\d_][^;]*?)[\s,]+"
    r"(?P<numbers>(?P<v>\d{1,4})\s*(?:\([^()]{1,12}\))?\s*:\s*"
    r"[A-Za-z]?\d+[A-Za-z]?(?:\s*[-–]\s*[A-Za-z]?\d+[A-Za-z]?)?)[\s.,;]*$"
)
_YEAR = re.compile(r"1[5-9]\d\d|20\d\d")
_CONTAINERS = frozenset(("journal", "container-title"))


def journal_read_as_publisher(segments: Segments) -> Segments:
    """The first ``publisher`` segment cut into ``journal`` and ``volume`` when it ends
    with a volume and pages and no container was labelled; the segments unchanged
    otherwise."""
    if any(label in _CONTAINERS for label, _ in segments):
        return segments
    for i, (label, text) in enumerate(segments):
        if label != "publisher":
            continue
        found = _NAME_THEN_NUMBERS.match(text.strip())
        if found is None or _YEAR.fullmatch(found["v"]):
            return segments
        return [
            *segments[:i],
            ("journal", found["name"]),
            ("volume", found["numbers"]),
            *segments[i + 1 :],
        ]
    return segments
