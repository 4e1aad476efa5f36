"""Label the tokens of a reference string with the shipped CRF model (loaded lazily).

``pycrfsuite`` is imported and the model opened on the first call, never at import time,
so that ``citetrack --help`` stays fast.  :func:`label` returns the string's segments —
runs of tokens with one label, in print order — and how sure the labeller is of them
(the probability of the labelling, per token).
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from citetrack.parse.crf import phrases
from citetrack.parse.crf.features import WordRecord, known_only, sequence_features, tokenize
from citetrack.parse.crf.lexicon import load

MODEL_NAME = "model.crfsuite"
#: The learnt dictionary of the first pass (``citetrack.parse.crf.lexicon``), if shipped.
LEXICON_NAME = "model.lexicon.json"
#: The whole names learnt with it (``citetrack.parse.crf.phrases``), if shipped.
PHRASES_NAME = "model.phrases.json"
_lock = threading.Lock()
_tagger: Any = None
_lexicon: dict[str, tuple[str, ...]] | None = None
_phrases: phrases.Phrases | None = None
#: The model's labels → the same without the begin mark (:func:`plain`, once per label).
_plain: dict[str, str] = {}
#: Word records with only the features the model knows (``features.known_only``).
_record: Callable[[str], WordRecord] | None = None


#: The mark of a segment's first token in the model's labels (``B-title``).
BEGIN = "B-"


def plain(label: str) -> str:
    """A predicted label without its begin mark (``B-title`` → ``title``)."""
    return label[len(BEGIN) :] if label.startswith(BEGIN) else label


class ModelMissingError(RuntimeError):
    """The trained model is not installed (build it with ``bench/train_parser.py``)."""


def model_path(name: str = MODEL_NAME) -> Path:
    """Where a shipped model file lives inside the package."""
    return Path(str(resources.files("citetrack.parse.crf").joinpath(name)))


def _get_tagger() -> Any:
    """The tagger, opened on first use with the learnt dictionary and names beside it (if
    shipped)."""
    global _tagger, _lexicon, _phrases, _record  # noqa: PLW0603 - one set per process, opened on first use
    with _lock:
        if _tagger is None:
            import pycrfsuite  # noqa: PLC0415 - lazy: keeps the CLI's start-up fast

            path = model_path()
            if not path.is_file():
                raise ModelMissingError(f"parser model not found at {path}")
            lexicon = model_path(LEXICON_NAME)
            # Tuples: the features take each word's entry as it is, no copy per token.
            _lexicon = (
                {word: tuple(feats) for word, feats in load(lexicon).items()}
                if lexicon.is_file()
                else None
            )
            names = model_path(PHRASES_NAME)
            _phrases = phrases.load(names) if names.is_file() else None
            tagger = pycrfsuite.Tagger()
            tagger.open(str(path))
            _plain.update((tag, plain(tag)) for tag in tagger.labels())
            known = model_attributes(path.read_bytes())
            _record = known_only(known) if known is not None else None
            _tagger = tagger
        return _tagger


# The layout of a crfsuite 1st-order CRF model file (crfsuite's crf1dmodel.c) and of the
# constant database (cqdb.c) that holds its attribute names: little-endian 32-bit fields.
_MODEL_HEADER = struct.Struct("<4sI4sIIIIIIIII")  # magic, size, type, version, counts, offsets
_CQDB_HEADER = struct.Struct("<4sIIIII")  # id, size, flag, byte order, backward size, offset
_CQDB_BYTEORDER = 0x62445371
_RECORD = struct.Struct("<iI")  # a key's id and its size (with the closing NUL)


def model_attributes(data: bytes) -> frozenset[str] | None:
    """The attribute names a crfsuite model knows (its attribute dictionary), read from
    the model file's bytes; ``None`` when the bytes are not in the layout read here.

    Why: the tagger drops the attributes its model does not know, after converting and
    looking up each one; knowing them, the features leave them out first
    (``features.known_only``).  ``None`` only costs that saving, never a label.
    """
    try:
        magic, size, kind, _, _, _, count, _, _, offset, _, _ = _MODEL_HEADER.unpack_from(data)
        if magic != b"lCRF" or kind != b"FOMC" or size != len(data):
            return None
        ident, _, _, order, entries, backward = _CQDB_HEADER.unpack_from(data, offset)
        if ident != b"CQDB" or order != _CQDB_BYTEORDER or entries != count:
            return None
        names: list[str] = []
        for number, at in enumerate(struct.unpack_from(f"<{entries}I", data, offset + backward)):
            key, length = _RECORD.unpack_from(data, offset + at)
            start = offset + at + _RECORD.size
            if key != number or length < 1 or data[start + length - 1] != 0:
                return None
            names.append(data[start : start + length - 1].decode("utf-8"))
    except (struct.error, UnicodeDecodeError, IndexError):
        return None
    return frozenset(names)


def _lookup(word: str) -> tuple[str, ...]:
    return (_lexicon or {}).get(word, ())


def label_tokens(tokens: list[str]) -> tuple[list[str], float]:
    """One label per token, and the labeller's confidence: the probability of the whole
    labelling, per token (its geometric mean)."""
    if not tokens:
        return [], 1.0
    tagger = _get_tagger()
    with _lock:  # a crfsuite Tagger is not thread-safe
        names = _phrases.features if _phrases is not None else None
        lex = _lookup if _lexicon is not None else None
        feats = sequence_features(tokens, lex, names, _record)
        marked = list(tagger.tag(feats))
        confidence = float(tagger.probability(marked)) ** (1 / len(marked))
    return [_plain.get(tag) or plain(tag) for tag in marked], confidence


def label(text: str) -> tuple[list[tuple[str, str]], float]:
    """The labelled segments of ``text`` (``[(label, text), …]`` in print order) and the
    labeller's confidence, 0–1."""
    tokens = tokenize(text)
    labels, confidence = label_tokens(tokens)
    segments: list[tuple[str, str]] = []
    for token, tag in zip(tokens, labels, strict=True):
        if segments and segments[-1][0] == tag:
            segments[-1] = (tag, f"{segments[-1][1]} {token}")
        else:
            segments.append((tag, token))
    return segments, confidence
