"""Does a cited journal name denote the journal a registry names?

Citations write journal names in every form: full (``European Journal of
Endocrinology``), ISO 4 / MEDLINE abbreviations (``Eur J Endocrinol``, ``Eur. J.
Endocrinol.``), with or without a leading ``The``, with ``&`` or ``and``, with a colon or a
dash before a subtitle (``CA: A Cancer Journal for Clinicians`` / ``CA – A Cancer Journal
for Clinicians``), or only the part before the colon (``JOP``).  Registries give a full
title and often a short one (Crossref ``short-container-title``, PubMed ``source``).

:func:`journal_matches` accepts a cited name when, for some form of it and some registry
name, one of these holds (first that applies):

1. the folded words are equal (case, punctuation, diacritics, ``&``/``and`` ignored);
2. one is an abbreviation of the other: the words align in order, each abbreviated word
   is the full word itself, a prefix of it (``Endocrinol`` → ``Endocrinology``) or an
   ISO 4 contraction of it (same first letter, letters in order: ``Natl`` →
   ``National``), and stopwords (of, the, and, for, de, …) may be absent on either side;
3. the cited name is the registry name's acronym (``PNAS``, ``JAAD``: the initials of its
   words but the stopwords);
4. fuzzy: rapidfuzz ``token_sort_ratio`` of the folded names ≥ :data:`FUZZY_THRESHOLD`.

Forms of a name are the name itself, the name without a trailing parenthesised place
(PubMed's ``Lancet (London, England)``), the part before a colon (``JOP``) and, after a
one-word acronym, the part after it (``JDDG: Journal der …``), the series before a
section's spaced dash (``Biochimica et Biophysica Acta (BBA) - Molecular Basis of
Disease``), the name with
its dotted initials as one word (``U.S.A.`` is ``USA``) and without MEDLINE's country
(``Proc Natl Acad Sci U S A`` is ``Proceedings of the National Academy of Sciences``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

from rapidfuzz import fuzz

from citetrack.rules.text import fold

#: Words ISO 4 drops and citations add or omit freely.
# fmt: off
STOPWORDS = frozenset((
    "of", "the", "and", "for", "a", "an", "in", "on", "at", "to", "de", "la", "le", "les",
    "des", "du", "d", "l", "der", "die", "das", "und", "fur", "zur", "zum", "et", "y", "e",
    "da", "do", "dos", "della", "di", "del",
))
# fmt: on
#: Minimum rapidfuzz ``token_sort_ratio`` (0–100) for the last-resort fuzzy match.  High
#: on purpose: "Clinical Chemistry" and "Clinical Biochemistry" are different journals and
#: score 92; a one- or two-letter typo in a real journal name scores 95 or more.
FUZZY_THRESHOLD = 95.0

_PLACE_RE = re.compile(r"\s*\([^()]*\)\s*\.?\s*$")
#: Initials written with full stops and no blank (``U.S.A.``): one word, ``USA``.
_DOTTED_INITIALS_RE = re.compile(r"(?<![^\W\d_])((?:[^\W\d_]\.){1,}[^\W\d_])\.?(?![^\W\d_])")
#: A section after a spaced dash: the series' own name comes first.
_SECTION_RE = re.compile(r"\s+[-–—]\s+")
#: The country MEDLINE adds to a title another journal shares (``Proc Natl Acad Sci U S
#: A``), which the journal's own full name does not carry.
_COUNTRY_TAIL = (("usa",), ("u", "s", "a"))


@lru_cache(maxsize=4096)  # a bibliography cites few journals many times (issue 16)
def _forms(name: str) -> frozenset[tuple[str, ...]]:
    """The folded word sequences a journal name may be cited as."""
    forms: set[tuple[str, ...]] = set()
    undotted = _DOTTED_INITIALS_RE.sub(lambda m: m.group(1).replace(".", ""), name)
    for variant in (name, _PLACE_RE.sub("", name), undotted):
        forms.add(tuple(fold(variant).split()))
        if ":" in variant:
            head, rest = variant.split(":", 1)
            forms.add(tuple(fold(head).split()))
            if len(head.split()) == 1:  # "JDDG: Journal der Deutschen …": its acronym first
                forms.add(tuple(fold(rest).split()))
        section = _SECTION_RE.split(variant, maxsplit=1)
        if len(section) == 2:  # "Biochimica et Biophysica Acta (BBA) - Molecular Basis …"
            forms.add(tuple(fold(_PLACE_RE.sub("", section[0])).split()))
    for form in list(forms):
        for tail in _COUNTRY_TAIL:
            if len(form) > len(tail) and form[-len(tail) :] == tail:
                forms.add(form[: -len(tail)])
    forms.discard(())
    return frozenset(forms)


def abbreviates(short: str, full: str) -> bool:
    """True when one folded word ``short`` may stand for the word ``full``.

    >>> abbreviates("endocrinol", "endocrinology"), abbreviates("natl", "national")
    (True, True)
    >>> abbreviates("chem", "biochemistry")
    False
    """
    if short == full:
        return True
    if not short or not full or short[0] != full[0] or len(short) > len(full):
        return False
    if short.isdigit() or full.isdigit():
        return False
    if full.startswith(short):
        return True
    remaining = iter(full)
    return all(ch in remaining for ch in short)


def _aligns(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Word-by-word alignment of an abbreviated name with a full one (stopwords optional)."""

    @cache
    def go(i: int, j: int) -> bool:
        if i == len(short) and j == len(full):
            return True
        if i < len(short) and short[i] in STOPWORDS and go(i + 1, j):
            return True
        if j < len(full) and full[j] in STOPWORDS and go(i, j + 1):
            return True
        return (
            i < len(short) and j < len(full) and abbreviates(short[i], full[j]) and go(i + 1, j + 1)
        )

    return go(0, 0)


def _acronym(cited: str, registry_forms: frozenset[tuple[str, ...]]) -> bool:
    """``cited`` is one upper-case word of the initials of a registry name's words, its
    stopwords left out (``PNAS``, ``JAAD``): the name a field calls the journal by."""
    word = cited.strip().rstrip(".")
    if len(word) < 3 or not word.isalpha() or not word.isupper():
        return False
    initials = word.casefold()
    return any(
        "".join(w[0] for w in form if w not in STOPWORDS) == initials
        for form in registry_forms
        if len(form) >= 3
    )


def same_journal(cited: str, registry: str) -> bool:
    """True when the cited journal name and one registry name denote the same journal."""
    cited_forms, registry_forms = _forms(cited), _forms(registry)
    if not cited_forms or not registry_forms:
        return False
    if cited_forms & registry_forms or _acronym(cited, registry_forms):
        return True
    for a in cited_forms:
        for b in registry_forms:
            if _aligns(a, b) or _aligns(b, a):
                return True
    return fuzz.token_sort_ratio(fold(cited), fold(registry)) >= FUZZY_THRESHOLD


def journal_matches(cited: str, registry_names: Iterable[str | None]) -> bool:
    """True when ``cited`` matches any of the registry's names (full or short).

    >>> journal_matches("Eur. J. Endocrinol.", ["European Journal of Endocrinology"])
    True
    >>> journal_matches("The New England Journal of Medicine", ["N Engl J Med"])
    True
    """
    return any(same_journal(cited, name) for name in registry_names if name)
