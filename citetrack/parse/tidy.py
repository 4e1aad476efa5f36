"""The last touches of a parsed title and journal: a PDF's cut word, an abbreviation's stop.

* **a word a PDF cut at its line's end**, copied as one line: ``Clinical Immuno- logy``
  is ``Clinical Immunology`` (:func:`join_cut_words`).  A hyphen before a conjunction is
  suspended, not a cut (``pre- and post-operative``), and after a prefix English writes
  with a hyphen the hyphen is kept (``self- reported`` → ``self-reported``);
* **an abbreviated journal's last full stop**: ``J. Clin. Invest.`` ends with the stop of
  its last abbreviation, which the separators stripped around every value took away
  (:func:`abbreviation_stop`).

Pure.
"""

from __future__ import annotations

import re

from citetrack.parse.segments import _JOURNAL_ABBREVIATIONS
from citetrack.parse.wraps import SUSPENDED

#: A hyphen left hanging before a conjunction ("pre- and post-") is suspended, not a cut.
_SUSPENDED = SUSPENDED | {"versus", "vs"}  # within a line, "pre- versus post-" too
#: Prefixes written with a hyphen ("self-reported", "non-invasive"): the hyphen stays.
_HYPHENATED_PREFIXES = frozenset(
    {"self", "non", "well", "cross", "long", "short", "high", "low", "all", "ex", "half", "co"}
)
#: A lower-case word piece, a hyphen, one blank and a lower-case piece: ``immuno- logy``.
_CUT = re.compile(r"\b([^\W\d_]*[a-zß-ÿ])- ([a-zß-ÿ][^\W\d_]*)\b")


def join_cut_words(title: str) -> str:
    """``title`` with the words a PDF's line breaks cut joined again."""

    def join(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(2)
        if tail in _SUSPENDED:
            return match.group(0)
        if head.lower() in _HYPHENATED_PREFIXES:
            return f"{head}-{tail}"
        return head + tail

    return _CUT.sub(join, title)


#: Initials run together: ``U.S.A``; a lone capital is an initial too (``Biophys. J``:
#: Journal), as the rule-based reader takes it (``rendered._abbreviation``).
_INITIALS = re.compile(r"^(?:[A-Z]\.)*[A-Z]$")
#: Words that link abbreviated words in an ISO 4 name without being abbreviated
#: (``Rev. de Bot.``, ``Res. & Dev.``): lower-case particles and an ampersand.
_LINKING = re.compile(r"^(?:[a-zäöüéè]{1,4}|&)$")


#: ISO 4 cuts a word before a vowel: an abbreviation hardly ever ends with one, a whole
#: word often does (``Med. Care``, ``Nat. Science``).
_VOWELS = frozenset("aeiouyAEIOUY")


def _abbreviated(word: str) -> bool:
    """Is ``word`` (without its stop) a known ISO 4 abbreviation or initials?"""
    return word in _JOURNAL_ABBREVIATIONS or _INITIALS.match(word) is not None


def _all_abbreviated(words: list[str]) -> bool:
    """Are ``words`` an ISO 4 abbreviated name's, each printed with its full stop (or a
    lower-case particle between them): ``Clim.``, ``Microsc. Res.``, ``Z.``?"""
    return bool(words) and all((w.endswith(".") and len(w) > 1) or _LINKING.match(w) for w in words)


def abbreviation_stop(value: str, raw: str) -> str:
    """``value`` (a journal, stripped of its separators) with the full stop that ended
    its last abbreviation, when ``raw`` (the text it was read from) printed one and the
    name was printed with full stops (``J. Clin. Invest.``, ``Proc. Natl. Acad. Sci.
    U.S.A.``): the trained labeller's path, as the rule-based reader keeps it
    (``rendered._journal``).

    The last word ends with an abbreviation's stop when it is a known abbreviation or
    initials (``Biophys. J.``), or when every word before it is abbreviated with its stop
    (ISO 4 prints a stop after each abbreviated word and only after them): ``J. Imag.``,
    ``Clim. Dynam.``, ``Z. Metallk.``; an acronym in capitals never takes one (``Trans.
    ASM``), nor a word that ends with a vowel (``Med. Care``: ISO 4 cuts before vowels).
    A short whole word after abbreviations (``Mol. Cell.``) is not told apart.  MEDLINE's
    ``J Clin Invest.`` and a full name (``Journal of Neurosurgery. Pediatrics.``) stay
    without: there the stop is the separator."""
    words = value.split()
    if not words or value.endswith(".") or "." not in value:
        return value
    last = words[-1]
    if not _abbreviated(last) and (
        not _all_abbreviated(words[:-1])
        or last.isupper()
        or not last[:1].isalpha()
        or last[-1] in _VOWELS
    ):
        return value
    at = raw.rfind(last)
    if at < 0 or not raw[at + len(last) :].lstrip().startswith("."):
        return value
    return value + "."
