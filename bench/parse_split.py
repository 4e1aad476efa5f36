"""Tokens split at punctuation (issue 15, session 19): a bench-only variant of the labeller.

The shipped labeller's token is a whitespace word with its punctuation (``(1999).``).
Here each word's leading and trailing punctuation characters become tokens of their own
(``(`` ``1999`` ``)`` ``.``), as GROBID tokenises, so that the CRF can learn segment
boundaries from punctuation tokens; a word's inner punctuation stays
(``10.1000/x``, ``45-67``, ``J.-P``).

What stays the same, so that the score is comparable: the labelled strings, their
whitespace words and the gold segments.  Every sub-token is trained with its word's
label (the first sub-token of a segment's first word begin-marked), and a word's
predicted label is that of its first sub-token holding a letter or digit (of its first
sub-token when it has none): the labeller still returns one label per whitespace word,
and ``bench/parse_cv.py`` builds and scores the segments exactly as for the plain model.

Features of a sub-token (``MODE`` ``"sub"``): those of
:func:`citetrack.parse.crf.features.sequence_features` over the sub-tokens (the
sentence-period and comma counts and the chunk ends read from the whole word, on its last
sub-token), plus whether it is glued to the sub-token before or after it (no space
between) and, on a word's core, the whole word's shape.  ``"keep"``: the cores carry their
words' shipped features unchanged and only the punctuation tokens are new.  ``ONLY``:
split off only those trailing characters.  ``WORD_CONTEXT``: the cores also see the
whitespace words either side.  Measured on ``bench/parse_cv.py --quick --split …``: no
variant gained (``bench/README.md``, session 19); none ships.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from citetrack.parse.crf.features import (
    Lookup,
    Names,
    WordRecord,
    _shape,
    _token,
    sequence_features,
)

#: Also give each word's core the bare words of the whitespace words before and after it
#: (``-1W=`` / ``1W=``): its sub-token neighbours are mostly its own punctuation
#: (``bench/parse_cv.py --split-context``).
WORD_CONTEXT = False


#: ``"keep"``: each word's core keeps the shipped features of its whole word (computed over
#: the whitespace words, exactly as the plain model's), and only the punctuation tokens
#: between the cores are new, with features of their own (``--split-mode keep``).
MODE = "sub"
#: The owner word's features a punctuation token also gets, in ``keep`` mode.
_OWNER_KEPT = (
    "phr",
    "1:phr",
    "-1:phr",
    "year-ahead",
    "after-year",
    "in-paren",
    "in-quote",
    "after-in",
    "last",
)


#: When set, only these trailing characters are split off (``--split-only ".,;:"``): the
#: marks that end segments; brackets and quotes stay on their words.
ONLY: str | None = None
#: Words read, and words whose sub-tokens were given more than one label (plain), by
#: :func:`join_labels` (how often the reading sub-token's label decides).
DISAGREE = [0, 0]


def split_word(word: str) -> list[str]:
    """``(1999).`` → ``(``, ``1999``, ``)``, ``.``; a word without a letter or digit is
    one character per token."""
    if ONLY is not None:
        end = len(word)
        while end > 1 and word[end - 1] in ONLY:
            end -= 1
        return [word[:end], *word[end:]]
    start, end = 0, len(word)
    while start < end and not word[start].isalnum():
        start += 1
    while end > start and not word[end - 1].isalnum():
        end -= 1
    if start == end:
        return list(word)
    return [*word[:start], word[start:end], *word[end:]]


def split(words: list[str]) -> tuple[list[str], list[int], list[int]]:
    """The sub-tokens of whitespace words, the word each comes from, and each word's
    reading sub-token (its core, or its first)."""
    subs: list[str] = []
    owner: list[int] = []
    reader: list[int] = []
    for n, word in enumerate(words):
        parts = split_word(word)
        core = next((k for k, p in enumerate(parts) if any(map(str.isalnum, p))), 0)
        reader.append(len(subs) + core)
        subs.extend(parts)
        owner.extend([n] * len(parts))
    return subs, owner, reader


def split_labels(labels: list[str], words: list[str]) -> list[str]:
    """A word-level labelling (begin-marked or not) as sub-token labels: every sub-token
    its word's label, a begin mark on the word's first sub-token only."""
    out: list[str] = []
    for label, word in zip(labels, words, strict=True):
        count = len(split_word(word))
        plain_label = label[2:] if label.startswith("B-") else label
        out.append(label)
        out.extend([plain_label] * (count - 1))
    return out


def join_labels(sub_labels: Sequence[str], words: list[str]) -> list[str]:
    """One label per whitespace word: its reading sub-token's (and count in
    :data:`DISAGREE` the words whose sub-tokens disagree)."""
    _, owner, reader = split(words)
    seen: list[set[str]] = [set() for _ in words]
    for label, n in zip(sub_labels, owner, strict=True):
        seen[n].add(label[2:] if label.startswith("B-") else label)
    DISAGREE[0] += len(words)
    DISAGREE[1] += sum(len(labels) > 1 for labels in seen)
    return [sub_labels[k] for k in reader]


def split_features(
    words: list[str],
    lex: Lookup | None = None,
    names: Names | None = None,
) -> list[list[str]]:
    """The features of every sub-token of ``words`` (see the module's docstring)."""
    if MODE == "keep":
        return _keep_features(words, lex, names)
    subs, owner, reader = split(words)
    records: list[WordRecord] = []
    for k, sub in enumerate(subs):
        own, bare, shown, is_year, is_in, state, _, _, flags = _token(sub)
        last = k + 1 == len(subs) or owner[k + 1] != owner[k]
        whole = _token(words[owner[k]])
        ends, chunk_end = (whole[6], whole[7]) if last else (0, False)
        records.append((own, bare, shown, is_year, is_in, state, ends, chunk_end, flags))
    queue = iter(records)
    record: Callable[[str], WordRecord] = lambda _sub: next(queue)  # noqa: E731 - in order
    feats = sequence_features(subs, lex, names, record)
    for k, sub in enumerate(subs):
        if k and owner[k - 1] == owner[k]:
            feats[k].append("glue=left")
        if k + 1 < len(subs) and owner[k + 1] == owner[k]:
            feats[k].append("glue=right")
        if any(map(str.isalnum, sub)) and sub != words[owner[k]]:
            feats[k].append(f"wsh={_shape(words[owner[k]])}")
    if WORD_CONTEXT:
        for n, k in enumerate(reader):
            feats[k].append(f"-1W={_token(words[n - 1])[1]}" if n else "-1W:none")
            feats[k].append(f"1W={_token(words[n + 1])[1]}" if n + 1 < len(words) else "1W:none")
    return feats


def _keep_features(
    words: list[str],
    lex: Lookup | None = None,
    names: Names | None = None,
) -> list[list[str]]:
    """``keep`` mode: the cores carry their words' shipped features, the punctuation
    tokens their character, side, word and neighbours (see :data:`MODE`)."""
    whole = sequence_features(words, lex, names)
    out: list[list[str]] = []
    n = len(words)
    for i, word in enumerate(words):
        parts = split_word(word)
        core = next((k for k, p in enumerate(parts) if any(map(str.isalnum, p))), -1)
        bare = _token(word)[1]
        shape = _shape(word)
        kept = [f for f in whole[i] if f.startswith(_OWNER_KEPT)]
        for k, part in enumerate(parts):
            glue = (["glue=left"] if k else []) + (["glue=right"] if k + 1 < len(parts) else [])
            if k == core:
                out.append([*whole[i], *glue])
                continue
            side = "lead" if core < 0 or k < core else "trail"
            feats = [f"pc={part}", f"side={side}", f"pc={part}:{side}", f"wsh={shape}"]
            feats.append(f"ow={bare}")
            if side == "trail":
                after = _token(words[i + 1])[1] if i + 1 < n else "none"
                feats += [
                    f"nw={after}",
                    f"pc={part}:nsh={_shape(words[i + 1]) if i + 1 < n else ''}",
                ]
            else:
                before = _token(words[i - 1])[1] if i else "none"
                feats.append(f"pw={before}")
            out.append([*feats, *glue, *kept])
    return out
