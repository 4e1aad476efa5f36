"""Tokens split at punctuation (bench/parse_split.py, issue 15 session 19): the sub-tokens,
their training labels, and one label per whitespace word back, so that the variant is
scored on the same words and segments as the plain labeller.

SYNTHETIC DATA: the labelled strings below are made up for this test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import parse_split
from bench.parse_split import join_labels, split, split_features, split_labels, split_word
from bench.train_parser import open_passes, train
from citetrack.parse.crf.dataset import tokens_and_labels, training_labels
from citetrack.parse.crf.features import tokenize
from citetrack.parse.crf.labeller import plain

ARTICLE = [
    ("author", "Quill, A. and Fenn, B."),
    ("date", "(1990)."),
    ("title", "A made-up study of moss."),
    ("journal", "Journal of Pretend Things,"),
    ("volume", "12(3),"),
    ("pages", "45–67."),
]


@pytest.fixture(autouse=True)
def _defaults() -> Iterator[None]:
    yield
    parse_split.MODE, parse_split.ONLY, parse_split.WORD_CONTEXT = "sub", None, False


def test_a_word_is_split_at_its_leading_and_trailing_punctuation() -> None:
    assert split_word("(1990).") == ["(", "1990", ")", "."]
    assert split_word("45–67.") == ["45–67", "."]
    assert split_word("10.5555/x.y") == ["10.5555/x.y"]
    assert split_word("—.") == ["—", "."]
    parse_split.ONLY = ".,;:"
    assert split_word("(1990).") == ["(1990)", "."]


def test_sub_tokens_carry_their_words_labels_begin_mark_first() -> None:
    words, _ = tokens_and_labels(ARTICLE)
    labels = split_labels(training_labels(ARTICLE), words)
    subs, owner, reader = split(words)
    assert len(labels) == len(subs) == len(owner)
    assert subs[:3] == ["Quill", ",", "A"] and labels[:3] == ["B-author", "author", "author"]
    date = subs.index("(")
    assert labels[date : date + 4] == ["B-date", "date", "date", "date"]
    assert [subs[k] for k in reader][:3] == ["Quill", "A", "and"]
    back = [plain(label) for label in join_labels(labels, words)]
    assert back == [plain(label) for label in training_labels(ARTICLE)]


@pytest.mark.parametrize("mode", ["sub", "keep"])
def test_one_feature_list_per_sub_token(mode: str) -> None:
    parse_split.MODE = mode
    words = tokenize("Quill, A. (1990). Moss. Pretend Things, 12(3), 45–67.")
    feats = split_features(words)
    assert len(feats) == len(split(words)[0])
    assert "glue=left" in feats[1] and "glue=right" in feats[0]


def test_a_split_model_labels_each_whitespace_word(tmp_path: Path) -> None:
    model = tmp_path / "m.crfsuite"
    train([ARTICLE] * 4, model, minfreq=1, iterations=15, tokens_split=True)
    words = tokenize("Fenn, B. (1991). Another study. Journal of Things, 2(1), 5–9.")
    (labels,) = open_passes(model, tokens_split=True)(words)
    assert len(labels) == len(words)
