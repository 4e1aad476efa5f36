"""Label the tokens of a reference string with the shipped CRF model (loaded lazily).

``pycrfsuite`` is imported and the model opened on the first call, never at import time,
so that ``citetrack --help`` stays fast.  :func:`label` returns the string's segments —
runs of tokens with one label, in print order — and how sure the labeller is of them
(the probability of the labelling, per token).
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path
from typing import Any

from citetrack.parse.crf import phrases
from citetrack.parse.crf.features import sequence_features, tokenize
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
    global _tagger, _lexicon, _phrases  # noqa: PLW0603 - one set per process, opened on first use
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
            _tagger = tagger
        return _tagger


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
        feats = sequence_features(tokens, _lookup if _lexicon is not None else None, names)
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
