"""Dictionaries learned from the training strings: which words are journal, publisher,
place, name or title words.

The hand-written word lists of :mod:`citetrack.parse.crf.features` are short; the labelled
training strings hold thousands of journal words, publishers, places and family names.
:func:`learn` counts, for every word, in how many training strings it stands inside a
segment of each kind (:data:`GROUPS`); a word is in a group's dictionary when it was seen
there in at least :data:`MIN_STRINGS` strings and at least half of the strings that hold it
use it that way.  The features (``lex=journal``, with a frequency bucket) are shared by all
the words of a group, so a rare journal word gets the weight learnt from all of them.

Honesty: the dictionary is learnt from the data the model is trained on and nothing else
(in cross-validation, the training folds only), and while training, each string's
features are computed with that string's own words taken out of the counts
(:meth:`Lexicon.without`), so the model does not learn to trust a dictionary that always
contains the word it is looking at.  The shipped dictionary (``lexicon.json``, beside the
model) is the one of the shipped model's training data.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

#: Segment labels → dictionary group.
GROUPS = {
    "journal": "journal",
    "container-title": "journal",
    "publisher": "publisher",
    "location": "place",
    "author": "name",
    "editor": "name",
    "translator": "name",
    "title": "title",
}
#: A word must be seen in a group in at least this many training strings.
MIN_STRINGS = 2
_STRIP = re.compile(r"[\W_]+", re.UNICODE)


def bare(word: str) -> str:
    """The word lower-cased without punctuation (as ``features.word_features`` reads it)."""
    return _STRIP.sub("", word).lower()


def _word_groups(segments: Iterable[tuple[str, str]]) -> tuple[set[str], set[tuple[str, str]]]:
    words: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for label, text in segments:
        group = GROUPS.get(label)
        for token in text.split():
            word = bare(token)
            if len(word) < 2 or word.isdigit():
                continue
            words.add(word)
            if group:
                pairs.add((word, group))
    return words, pairs


def _bucket(count: int) -> str:
    return "1" if count < 5 else "2" if count < 20 else "3"


class Lexicon:
    """Per-word string counts: in how many strings a word occurs, and in how many inside a
    segment of each group."""

    def __init__(self, total: Counter[str], grouped: Counter[tuple[str, str]]) -> None:
        self.total = total
        self.grouped = grouped
        self._by_word: dict[str, list[tuple[str, int]]] = {}
        # Sorted: a word's features come in one order whatever the hash seed (the model's
        # attribute order, and so its bytes, follow it).
        for (word, group), count in sorted(grouped.items()):
            self._by_word.setdefault(word, []).append((group, count))

    def features(self, word: str, minus: tuple[int, set[str]] | None = None) -> list[str]:
        """The dictionary features of ``bare`` word ``word`` (``minus``: one string's own
        words and (word, group) pairs taken out of the counts, see :meth:`without`)."""
        groups = self._by_word.get(word)
        if not groups:
            return []
        total = self.total[word]
        own: set[str] = set()
        if minus is not None:
            own = minus[1]
            total -= 1
        out: list[str] = []
        for group, seen in groups:
            count = seen - 1 if group in own else seen
            if count >= MIN_STRINGS and 2 * count >= total:
                out.append(f"lex={group}")
                out.append(f"lex={group}:{_bucket(count)}")
        return out

    def without(self, segments: Iterable[tuple[str, str]]) -> dict[str, tuple[int, set[str]]]:
        """For one training string: its words and the groups each is used in, to take out
        of the counts while computing that string's features."""
        words, pairs = _word_groups(segments)
        out: dict[str, tuple[int, set[str]]] = {w: (1, set()) for w in words}
        for word, group in pairs:
            out[word][1].add(group)
        return out

    def table(self) -> dict[str, list[str]]:
        """Every word that has dictionary features, with them (what ships)."""
        out: dict[str, list[str]] = {}
        for word in self._by_word:
            feats = self.features(word)
            if feats:
                out[word] = feats
        return out


def learn(sequences: Iterable[Iterable[tuple[str, str]]]) -> Lexicon:
    """Count the words of labelled training strings by segment group."""
    total: Counter[str] = Counter()
    grouped: Counter[tuple[str, str]] = Counter()
    for segments in sequences:
        words, pairs = _word_groups(segments)
        total.update(words)
        grouped.update(pairs)
    return Lexicon(total, grouped)


def save(table: dict[str, list[str]], path: Path) -> None:
    """Write a dictionary table compactly: for each feature, its words (sorted: the same
    data give the same file)."""
    words: dict[str, list[str]] = {}
    for word, feats in table.items():
        for feat in feats:
            words.setdefault(feat, []).append(word)
    data = {feat: sorted(words[feat]) for feat in sorted(words)}
    path.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )


def load(path: Path) -> dict[str, list[str]]:
    """Read a dictionary table written by :func:`save`: word → its features."""
    data = json.loads(path.read_text(encoding="utf-8"))
    table: dict[str, list[str]] = {}
    for feat in sorted(data):
        for word in data[feat]:
            table.setdefault(str(word), []).append(str(feat))
    return table
