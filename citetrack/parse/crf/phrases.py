"""Whole names learnt from the training strings: journals, publishers and places as printed.

The word dictionaries of :mod:`citetrack.parse.crf.lexicon` say that ``reproduction`` or
``press`` is often a journal or publisher word; they cannot say that the two words
``Oxford University Press`` *together* were a whole publisher segment, nor that the one
word ``Reproduction`` after a title's full stop was a whole journal.  :func:`learn` counts,
for every journal / container, publisher and place segment of the training strings, in
how many strings that exact sequence of words (lower-cased, punctuation removed) was a
whole segment of that group.  :meth:`Phrases.features` finds, left to right, the longest
known name starting at each token and gives its tokens ``phr=journal`` (and
``phr-b=journal`` on its first token, ``phr-e=journal`` on its last): where a name that
was seen whole begins and ends — the boundaries the labeller gets wrong most.

Honesty, as for the word dictionaries: learnt from the model's training data only (in
cross-validation, the training folds), and while training each string's features are
computed with that string's own names taken out of the counts (``minus``), so a name seen
in that string alone is not a known name for it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from citetrack.parse.crf.lexicon import bare

#: Segment labels → name group.
GROUPS = {
    "journal": "journal",
    "container-title": "journal",
    "publisher": "publisher",
    "location": "place",
    "genre": "genre",
    "note": "note",
    "edition": "edition",
}
#: Names longer than this many words are not looked up (long proceedings titles).
MAX_WORDS = 8

Key = tuple[str, ...]
#: :func:`bare`, cached (reference lists repeat words; the parse budget is tight).
_bare = lru_cache(maxsize=131072)(bare)


def name_key(words: Iterable[str]) -> Key:
    """The words of a name as looked up: bare words, the punctuation-only ones left out."""
    return tuple(w for w in map(_bare, words) if w)


def own_names(segments: Iterable[tuple[str, str]]) -> set[tuple[Key, str]]:
    """The (name, group) pairs of one labelled string."""
    out: set[tuple[Key, str]] = set()
    for label, text in segments:
        group = GROUPS.get(label)
        if group:
            key = name_key(text.split())
            if 0 < len(key) <= MAX_WORDS:
                out.add((key, group))
    return out


def _present(
    ends: list[tuple[str, int]],
    words: list[str],
    start: int,
    end: int,
    minus: set[tuple[Key, str]] | None,
) -> list[str]:
    """The groups of the name ``words[start:end + 1]`` still counted once ``minus`` is
    taken out."""
    if not minus:
        return [group for group, _ in ends]
    key = tuple(w for w in words[start : end + 1] if w)
    return [group for group, count in ends if count - ((key, group) in minus) > 0]


class Phrases:
    """For every name, the strings it was a whole segment of each group in."""

    def __init__(self, counts: Counter[tuple[Key, str]]) -> None:
        self.counts = counts
        # A trie of the names, word by word; a node's ``""`` entry (no word is empty) holds
        # the groups of the name ending there with their counts, sorted (one feature order
        # whatever the hash seed).
        self._trie: dict[str, Any] = {}
        for (key, group), count in sorted(counts.items()):
            node = self._trie
            for word in key:
                node = node.setdefault(word, {})
            node.setdefault("", []).append((group, count))

    def features(
        self, words: list[str], minus: set[tuple[Key, str]] | None = None
    ) -> list[list[str]]:
        """Per token, the features of the known names it stands in, from the tokens' bare
        words (:func:`citetrack.parse.crf.lexicon.bare`; ``minus``: one training string's
        own names, taken out of the counts).

        Left to right, the longest known name starting at a token is taken, and the search
        goes on after it.
        """
        n = len(words)
        out: list[list[str]] = [[] for _ in words]
        trie = self._trie
        i = 0
        while i < n:
            node = trie.get(words[i])
            if node is None:  # most tokens: no name starts with the word (nor with "")
                i += 1
                continue
            best_end, best_groups = -1, []
            j, size = i, 1
            while True:
                ends = node.get("")
                if ends:
                    groups = _present(ends, words, i, j, minus)
                    if groups:
                        best_end, best_groups = j, groups
                j += 1
                while j < n and not words[j]:
                    j += 1
                if j >= n or size >= MAX_WORDS:
                    break
                node = node.get(words[j])
                if node is None:
                    break
                size += 1
            if best_end < 0:
                i += 1
                continue
            for group in best_groups:
                out[i].append(f"phr-b={group}")
                for k in range(i, best_end + 1):
                    out[k].append(f"phr={group}")
                out[best_end].append(f"phr-e={group}")
                if i:
                    out[i - 1].append(f"1:phr-b={group}")
                if best_end + 1 < n:
                    out[best_end + 1].append(f"-1:phr-e={group}")
            i = best_end + 1
        return out

    def table(self) -> list[list[object]]:
        """Every name with its groups and counts (what ships), sorted."""
        return [[list(key), group, count] for (key, group), count in sorted(self.counts.items())]


def learn(sequences: Iterable[Iterable[tuple[str, str]]]) -> Phrases:
    """Count the whole journal, publisher and place names of labelled training strings."""
    counts: Counter[tuple[Key, str]] = Counter()
    for segments in sequences:
        counts.update(own_names(segments))
    return Phrases(counts)


def save(phrases: Phrases, path: Path) -> None:
    """Write the names compactly, sorted (the same data give the same file)."""
    path.write_text(
        json.dumps(phrases.table(), ensure_ascii=False, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )


def load(path: Path) -> Phrases:
    """Read names written by :func:`save`."""
    counts: Counter[tuple[Key, str]] = Counter()
    for words, group, count in json.loads(path.read_text(encoding="utf-8")):
        counts[(tuple(str(w) for w in words), str(group))] = int(count)
    return Phrases(counts)
