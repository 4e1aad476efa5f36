"""What kind of work a reference is, read from its genre: a report's type and number, a
thesis mark in the reference's languages.

BibTeX's ``@techreport`` has a ``type`` (``Technical Report``, ``Working Paper``) and a
``number`` (``TR-2004-17``); a reference prints both as one phrase (``Tech. Rep.
TR-2004-17``, ``Working Paper No. 2519``, NLM's ``Report No.: WHO/X/1``), which the
labeller labels ``genre``.  :func:`report_type_and_number` cuts that phrase in two, the
type as printed (no word rewritten, only the ``No.`` before the number left out), so the
number lands where BibTeX styles print it and the check can compare it.
"""

from __future__ import annotations

import re

#: Abbreviations a genre ends in (``Diss.``, ``PhD diss.``, ``Tech. Rep.``, ``Dr. phil.``):
#: their full stop is part of the word, not a separator.
_ABBREVIATED_END = re.compile(r"\b(?:diss|rep|habil|phil|doct|techn|memo|ber)$", re.IGNORECASE)


def printed_genre(text: str, stripped: str) -> str:
    """A genre as printed: ``stripped`` (``text`` without its brackets and separators)
    with the full stop of an abbreviation it ends in, when ``text`` printed one."""
    if _ABBREVIATED_END.search(stripped) and text.find(f"{stripped}.") >= 0:
        return f"{stripped}."
    return stripped


#: The number mark between a report's type and its number: "No.", "Nr.", "n°", "#".
_NUMBER_MARK = r"(?:(?:No|Nos|Nr|Num|Number|n°|nº|N°|#)\.?\s*:?\s*)"
#: A report's genre ending in its number: a word with a digit (``TR-2004-17``,
#: ``WEO/TID/2020.1``, ``14-03``, ``2519``) after the type's words.
_TYPE_NUMBER = re.compile(
    rf"^(?P<type>.*?[^\W\d_][.)]?)\s*,?\s+(?P<mark>{_NUMBER_MARK})?"
    r"(?P<number>[\w./-]*\d[\w./-]*?)[\s.,;:]*$"
)
#: A number that may be a year (``Technical Report 2004``): only a number after a mark.
_YEAR_LIKE = re.compile(r"^(?:1[5-9]|20)\d\d$")


def report_type_and_number(genre: str) -> tuple[str, str | None]:
    """A report's type and number from its printed genre (the number ``None`` when none
    is printed).

    >>> report_type_and_number("Tech. Rep. TR-2004-17")
    ('Tech. Rep.', 'TR-2004-17')
    >>> report_type_and_number("Working Paper No. 2519")
    ('Working Paper', '2519')
    >>> report_type_and_number("Report No.: WEO/TID/2020.1")
    ('Report', 'WEO/TID/2020.1')
    >>> report_type_and_number("Technical report")
    ('Technical report', None)
    >>> report_type_and_number("Technical Report 2004")
    ('Technical Report 2004', None)
    """
    value = " ".join(genre.split()).strip(" ,;:")
    match = _TYPE_NUMBER.match(value)
    if match is None or not re.search(r"[^\W\d_]{2}", match["type"]):
        return value, None
    number = match["number"].rstrip(".")
    if _YEAR_LIKE.match(number) and not match["mark"]:
        return value, None
    return match["type"].strip(" ,;:"), number


#: NLM's "Report No.:" printed before the number (the number a segment of its own).
REPORT_NUMBER_MARK = re.compile(
    rf"^(?:Report|Technical report|Tech\. rep\.|Working paper|Discussion paper)\s+{_NUMBER_MARK}$",
    re.IGNORECASE,
)
#: One word with a digit: a report's number, whatever it was labelled.
_ONE_NUMBER = re.compile(r"^[\w./-]*\d[\w./-]*$")


def number_after_mark(segments: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """NLM's ``Report No.:`` and the number after it (labelled a place, a publisher or a
    note) as one ``genre`` segment: ``Report No.: WEO/TID/2020.1``."""
    out: list[tuple[str, str]] = []
    for label, text in segments:
        if (
            out
            and out[-1][0] == "genre"
            and REPORT_NUMBER_MARK.match(out[-1][1].strip(" .,;"))
            and label in ("location", "publisher", "note", "pages", "volume")
            and _ONE_NUMBER.match(text.strip(" \t.,;:"))
        ):
            out[-1] = ("genre", f"{out[-1][1].strip()} {text.strip()}")
            continue
        mark = label in ("location", "publisher", "note") and REPORT_NUMBER_MARK.match(
            text.strip(" .,;")
        )
        out.append(("genre" if mark else label, text))
    return out


#: A journal that names a patent office's series: ``U.S. Patent``, ``US Patent``,
#: ``Patentschrift``, ``Offenlegungsschrift``, ``Brevet``, ``Brevetto``, ``Patente``.
_PATENT = re.compile(
    r"\bpatent\b|patentschrift|offenlegungsschrift|\bbrevet(?:to)?\b|\bpatente\b",
    re.IGNORECASE,
)
#: Labels the labeller gives a patent's number when it takes its office for a journal.
_NUMBER_LABELS = ("journal", "volume", "pages")


def patent(segments: list[tuple[str, str]]) -> str | None:
    """A patent's office and number as printed (``U.S. Patent 9 999 999``), when the
    labeller took the office for a journal and the number for its volume and pages:
    read as a volume, ``9,999,999`` became ``9`` and the rest was lost."""
    run: list[str] = []
    for label, text in segments:
        if run and label not in _NUMBER_LABELS[1:]:
            break
        if run or (label == "journal" and _PATENT.search(text)):
            run.append(text)
    if not run:
        return None
    return " ".join(" ".join(run).split()).strip(" .,;:")
