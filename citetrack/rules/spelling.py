"""Misspelled titles: words that differ by one letter wrong, missing, added or swapped.

Pure.  :func:`misspellings` compares two titles word by word after
:func:`~citetrack.rules.text.fold` (so case, punctuation, markup, diacritics and
``&``/``and`` never count) and returns the pairs of words that differ by exactly one edit
(Damerau–Levenshtein distance 1: substitution, deletion, insertion or transposition of
adjacent letters).  Tolerated, never reported:

* British / American variants of one word (:func:`same_word_variant`: colour/color,
  anaemia/anemia, oesophagus/esophagus, paediatric/pediatric, randomised/randomized,
  analyse/analyze, centre/center, catalogue/catalog, labelled/labeled, sulphur/sulfur,
  foetal/fetal…);
* a word split or joined by a hyphen or space (``pseudo-glucagonoma`` / ``pseudoglucagonoma``);
* words added or dropped (a subtitle, a leading "The"): those are not misspellings;
* numbers (``2`` / ``3`` is another claim, not a typo) and one- or two-letter words.
"""

from __future__ import annotations

import difflib
import re

from rapidfuzz.distance import OSA

from citetrack.rules.text import fold

# British → American spelling rules, applied to both words before comparing them.
_VARIANT_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"ae", "e"),  # anaemia, haematoma, paediatric, aetiology
        (r"oe(?=[a-z])", "e"),  # oesophagus, oedema, foetal, diarrhoea
        (r"our(?=s?$|ed$|ing$|ite|able|al$)", "or"),  # colour, tumour(s), behaviour
        (r"is(e|es|ed|ing|ation|ations|er|ers)$", r"iz\1"),  # randomised, organisation
        (r"ys(e|es|ed|ing)$", r"yz\1"),  # analyse, paralysed
        (r"([^aeiou])tre(s?)$", r"\1ter\2"),  # centre, litre, metre
        (r"ogue(s?)$", r"og\1"),  # catalogue, dialogue
        (r"([aeiou])ll(ed|ing|er|ers)$", r"\1l\2"),  # labelled, modelling, travellers
        (r"ph", "f"),  # sulphur, sulphate
        (r"enc(e|es)$", r"ens\1"),  # defence, licence, offence
        (r"gramme(s?)$", r"gram\1"),  # programme
        (r"grey", "gray"),
        (r"mould", "mold"),
        (r"aluminium", "aluminum"),
        (r"ageing", "aging"),
        (r"judgement", "judgment"),
    )
)


def american(word: str) -> str:
    """``word`` with the British spellings above turned American (a comparison key only)."""
    for pattern, repl in _VARIANT_RULES:
        word = pattern.sub(repl, word)
    return word


def same_word_variant(a: str, b: str) -> bool:
    """``a`` and ``b`` are one word spelled the British and the American way."""
    return a != b and american(a) == american(b)


def _is_typo(a: str, b: str) -> bool:
    if a == b or same_word_variant(a, b):
        return False
    if a.isdigit() or b.isdigit() or min(len(a), len(b)) < 3:
        return False
    return OSA.distance(a, b) == 1


_ARTICLES = frozenset({"the", "a", "an"})


def title_equivalent(cited: str, registry: str) -> bool:
    """The same title word for word, up to case, punctuation, markup, diacritics,
    ``&``/``and``, a leading article, words split or joined by a hyphen, British/American
    variants and one-letter misspellings — no word added, dropped or replaced."""
    mine, theirs = fold(cited).split(), fold(registry).split()
    if mine[:1] and mine[0] in _ARTICLES:
        mine = mine[1:]
    if theirs[:1] and theirs[0] in _ARTICLES:
        theirs = theirs[1:]
    if not mine or not theirs:
        return False
    matcher = difflib.SequenceMatcher(a=mine, b=theirs, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        left, right = mine[i1:i2], theirs[j1:j2]
        if op != "replace":
            return False
        if "".join(left) == "".join(right):
            continue
        if len(left) != len(right):
            return False
        for a, b in zip(left, right, strict=True):
            if not (same_word_variant(a, b) or _is_typo(a, b)):
                return False
    return True


def misspellings(cited: str, registry: str) -> list[tuple[str, str]]:
    """(cited word, registry word) pairs that differ by one misspelling; see the module."""
    mine, theirs = fold(cited).split(), fold(registry).split()
    if mine == theirs:
        return []
    pairs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=mine, b=theirs, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace":
            continue
        left, right = mine[i1:i2], theirs[j1:j2]
        if "".join(left) == "".join(right):
            continue  # split or joined words
        if len(left) == len(right):
            pairs += [(a, b) for a, b in zip(left, right, strict=True) if _is_typo(a, b)]
        elif _is_typo("".join(left), "".join(right)):
            pairs.append((" ".join(left), " ".join(right)))
    return pairs
