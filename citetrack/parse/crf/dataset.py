"""Reading labelled reference strings (AnyStyle's XML) into (text, label) segments.

AnyStyle's ``<sequence>`` holds one element per segment (``<author>``, ``<date>`` …) in
print order.  Rare labels are folded into the ones the normaliser knows
(:data:`LABEL_MAP`); inline markup that leaked into the text (``<italic>``) is removed.
"""

from __future__ import annotations

import re
from pathlib import Path

from defusedxml.ElementTree import parse as parse_xml

#: Rare AnyStyle labels folded into a common one.
LABEL_MAP = {
    "source": "note",
    "director": "note",
    "producer": "note",
    "language": "note",
}
_MARKUP = re.compile(r"</?\w+>")

Segments = list[tuple[str, str]]


def read_sequences(path: Path) -> list[Segments]:
    """Every sequence of the file as ``[(label, text), …]``, in file order."""
    root = parse_xml(str(path)).getroot()
    out: list[Segments] = []
    for sequence in root:
        segments: Segments = []
        for element in sequence:
            text = " ".join(_MARKUP.sub("", element.text or "").split())
            if text:
                segments.append((LABEL_MAP.get(element.tag, element.tag), text))
        if segments:
            out.append(segments)
    return out


def tokens_and_labels(segments: Segments) -> tuple[list[str], list[str]]:
    """The whitespace tokens of a labelled sequence and one label per token."""
    tokens: list[str] = []
    labels: list[str] = []
    for label, text in segments:
        words = text.split()
        tokens.extend(words)
        labels.extend([label] * len(words))
    return tokens, labels
