"""Reading labelled reference strings (AnyStyle's XML) into (text, label) segments.

AnyStyle's ``<sequence>`` holds one element per segment (``<author>``, ``<date>`` …) in
print order.  Rare labels are folded into the ones the normaliser knows
(:data:`LABEL_MAP`); inline markup that leaked into the text (``<italic>``) is removed.

The labeller is trained on *begin-marked* labels (:func:`training_labels`): the first
token of a title, container, journal, publisher, place, editor, author, date, volume,
pages, note, edition or genre segment is ``B-title`` …, the others ``title``, so that the
model learns where those segments start (where a title ends and the journal begins), not
only what their words look like.
:func:`citetrack.parse.crf.labeller.plain` removes the mark from a predicted label.
"""

from __future__ import annotations

import re
from pathlib import Path

from defusedxml.ElementTree import parse as parse_xml

from citetrack.parse.crf.labeller import BEGIN

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


#: Labels whose first token is marked ``B-…`` in training: the segments that run into
#: each other most (session 4, fold 1 of the 5-fold split: field F1 0.872 → 0.881), and
#: since session 9 also date, volume, pages, note, edition and genre (``bench/README.md``).
BEGIN_LABELS = frozenset(
    (
        "title",
        "container-title",
        "journal",
        "publisher",
        "location",
        "editor",
        "author",
        "date",
        "volume",
        "pages",
        "note",
        "edition",
        "genre",
    )
)


def training_labels(segments: Segments) -> list[str]:
    """One label per token, the first token of a :data:`BEGIN_LABELS` segment marked."""
    labels: list[str] = []
    for label, text in segments:
        count = len(text.split())
        if count and label in BEGIN_LABELS:
            labels.append(BEGIN + label)
            count -= 1
        labels.extend([label] * count)
    return labels
