"""The last touches of a parsed title and journal (``parse/crf/tidy.py``).  SYNTHETIC."""

from __future__ import annotations

import pytest

from citetrack.parse.tidy import abbreviation_stop, join_cut_words


@pytest.mark.parametrize(
    ("title", "joined"),
    [
        ("Clinical Immuno- logy", "Clinical Immunology"),
        ("Pre- and post-operative care", "Pre- and post-operative care"),
        ("Low- versus high-dose aspirin", "Low- versus high-dose aspirin"),
        ("Kinder- und Jugendmedizin", "Kinder- und Jugendmedizin"),
        ("Self- reported pain", "Self-reported pain"),
        ("HIV- positive adults", "HIV- positive adults"),  # not a cut lower-case word
        ("A study - with a dash", "A study - with a dash"),
        ("Type 2- diabetes", "Type 2- diabetes"),
    ],
)
def test_join_cut_words(title: str, joined: str) -> None:
    assert join_cut_words(title) == joined


@pytest.mark.parametrize(
    ("value", "raw", "journal"),
    [
        ("J. Clin. Invest", "J. Clin. Invest.", "J. Clin. Invest."),
        ("N. Engl. J. Med", " N. Engl. J. Med. ", "N. Engl. J. Med."),
        (
            "Proc. Natl. Acad. Sci. U.S.A",
            "Proc. Natl. Acad. Sci. U.S.A.",
            "Proc. Natl. Acad. Sci. U.S.A.",
        ),
        ("J Clin Invest", "J Clin Invest.", "J Clin Invest"),  # MEDLINE: the stop separates
        ("Nature", "Nature.", "Nature"),
        (
            "Journal of Neurosurgery. Pediatrics",
            "Journal of Neurosurgery. Pediatrics.",
            "Journal of Neurosurgery. Pediatrics",
        ),
        ("J. Clin. Invest", "J. Clin. Invest 12", "J. Clin. Invest"),  # none was printed
        # every word before the last abbreviated with its stop: the last is abbreviated too
        ("J. Imag", "J. Imag.", "J. Imag."),
        ("Clim. Dynam", "Clim. Dynam.,", "Clim. Dynam."),
        ("Rev. de Bot. Appl", "Rev. de Bot. Appl.", "Rev. de Bot. Appl."),
        ("Biophys. J", "Biophys. J. 12", "Biophys. J."),  # J: Journal
        # ... but not an acronym, nor a word ending with a vowel (a whole word)
        ("Trans. ASM", "Trans. ASM.", "Trans. ASM"),
        ("Med. Care", "Med. Care.", "Med. Care"),
        # a whole word before it: no sign the last word is cut
        ("Med. Sci. Sports Exerc", "Med. Sci. Sports Exerc.", "Med. Sci. Sports Exerc"),
        ("J. Imag", "J. Imag 12", "J. Imag"),  # none was printed
    ],
)
def test_abbreviation_stop(value: str, raw: str, journal: str) -> None:
    assert abbreviation_stop(value, raw) == journal
