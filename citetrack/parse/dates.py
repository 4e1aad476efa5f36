"""Dates as reference lists print them, read into year / month / day.

Citation Style 1 (Wikipedia's ``{{cite …}}`` family) prints dates as ``2003``,
``January 2004``, ``19 November 2019``, ``April 5, 2016``, ``2016-12-21``, ``Fall 2006``
or ranges such as ``June–July 2003`` and ``January–March 2002``; PubMed adds
``2019 Nov-Dec`` and ``2016 Dec 5``.  :func:`parse_date` accepts exactly one such date
filling the whole string (so that a number in a title is never taken for a year);
:func:`find_full_date` looks for a date *with a month* inside free text, for items whose
structure could not be recognised (a bare ``2002`` in free text may be anything).

A range keeps its first month; a season gives the year only.  Invalid dates (month 13,
30 February) are rejected rather than guessed.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
}
_MONTHS["sept"] = 9
_SEASONS = ("spring", "summer", "fall", "autumn", "winter")

_MONTH = r"(?:{})\.?".format("|".join(sorted(_MONTHS, key=len, reverse=True)))
_SEASON = r"(?:{})".format("|".join(_SEASONS))
_DASH = r"\s*[-–—/]\s*"
_YEAR = r"(?P<year>1[0-9]{3}|20[0-9]{2})"
_DAY = r"(?P<day>[0-3]?[0-9])"

# Each pattern fills the whole (stripped) string.  Names are reused: year, month, day.
_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"{_YEAR}-(?P<month>[01][0-9])-(?P<day>[0-3][0-9])",  # 2016-12-21
        rf"{_YEAR}-(?P<month>[01][0-9])",  # 2016-12
        rf"{_DAY}(?:{_DASH}[0-3]?[0-9])? (?P<month>{_MONTH}),? {_YEAR}",  # 19 November 2019
        rf"(?P<month>{_MONTH}) {_DAY}(?:{_DASH}[0-3]?[0-9])?,? {_YEAR}",  # April 5, 2016
        rf"(?P<month>{_MONTH})(?:{_DASH}{_MONTH})? {_YEAR}",  # January 2004, June–July 2003
        rf"{_SEASON}(?:{_DASH}{_SEASON})? {_YEAR}",  # Fall 2006
        rf"{_YEAR} (?P<month>{_MONTH})(?:{_DASH}{_MONTH})?(?: {_DAY})?",  # 2019 Nov-Dec, 2016 Dec 5
        rf"{_YEAR}[a-z]?",  # 2003, 2003a
        rf"{_YEAR}{_DASH}(?:1[0-9]{{3}}|20[0-9]{{2}}|[0-9]{{2}})",  # 2003–2004, 1999–00
        rf"c\. ?{_YEAR}",  # c. 1900
    )
]
# Full dates (with a month) that may stand anywhere in free text.
_FULL_DATE_IN_TEXT = re.compile(
    rf"\b(?:{_YEAR}-(?P<month>[01][0-9])-(?P<day>[0-3][0-9])"
    rf"|(?P<d1>[0-3]?[0-9]) (?P<m1>{_MONTH}),? (?P<y1>1[0-9]{{3}}|20[0-9]{{2}})"
    rf"|(?P<m2>{_MONTH}) (?P<d2>[0-3]?[0-9]),? (?P<y2>1[0-9]{{3}}|20[0-9]{{2}})"
    rf"|(?P<m3>{_MONTH}) (?P<y3>1[0-9]{{3}}|20[0-9]{{2}}))\b",
    re.IGNORECASE,
)
NO_DATE = re.compile(r"n\.\s?d\.?|undated|no date", re.IGNORECASE)


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month, or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        """``2021-06-01``, ``2021-06`` or ``2021``: as precise as the source."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def _month_number(text: str | None) -> int | None:
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    return _MONTHS.get(text.lower().rstrip("."))


def _make(year: str, month: str | None, day: str | None) -> PartialDate | None:
    y = int(year)
    m = _month_number(month)
    d = int(day) if day else None
    if m is not None and not 1 <= m <= 12:
        return None
    if d is not None and (m is None or not 1 <= d <= calendar.monthrange(y, m)[1]):
        return None
    return PartialDate(y, m, d)


def parse_date(text: str) -> PartialDate | None:
    """The date that fills ``text`` entirely, or ``None``.

    >>> parse_date("19 November 2019")
    PartialDate(year=2019, month=11, day=19)
    >>> parse_date("June–July 2003")
    PartialDate(year=2003, month=6, day=None)
    >>> parse_date("Label 2002") is None
    True
    """
    value = " ".join(text.split()).strip(" .,;")
    if not value or len(value) > 40:
        return None
    for pattern in _PATTERNS:
        match = pattern.fullmatch(value)
        if match:
            groups = match.groupdict()
            return _make(groups["year"], groups.get("month"), groups.get("day"))
    return None


def is_no_date(text: str) -> bool:
    """``n.d.`` and its kin: the source says it has no date."""
    return NO_DATE.fullmatch(text.strip(" ,;")) is not None


def find_full_date(text: str) -> PartialDate | None:
    """The first date with a month written anywhere in ``text`` (never a bare year)."""
    for match in _FULL_DATE_IN_TEXT.finditer(text):
        g = match.groupdict()
        if g["year"]:
            found = _make(g["year"], g["month"], g["day"])
        elif g["y1"]:
            found = _make(g["y1"], g["m1"], g["d1"])
        elif g["y2"]:
            found = _make(g["y2"], g["m2"], g["d2"])
        else:
            found = _make(g["y3"], g["m3"], None)
        if found:
            return found
    return None


#: Month names (and their usual abbreviations) of the other languages reference lists are
#: often written in: German, French, Spanish, Italian, Portuguese, Dutch.  Read only by
#: :func:`find_cued_date`, after an access-date cue ("abgerufen am", "consulté le"), so
#: that a word in a title ("Mars 2020", "Mai 68") is never taken for a date.
_OTHER_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "januar jänner janvier janv enero ene gennaio genn janeiro januari",
            "februar feber février févr fevr febrero febbraio fevereiro fev februari",
            "märz maerz mars marzo março maart mrt",
            "avril avr abril aprile",
            "mai mayo maggio magg maio mei",
            "juni juin junio giugno junho",
            "juli juillet juil julio luglio julho",
            "août aout agosto ago augustus",
            "septembre septiembre setiembre settembre sett setembro set",
            "oktober okt octobre octubre ottobre outubro out",
            "novembre noviembre novembro",
            "dezember dez décembre déc diciembre dic dicembre dezembro",
        ),
        start=1,
    )
    for name in names.split()
}
_ANY_MONTH = "|".join(sorted({*_MONTHS, *_OTHER_MONTHS}, key=len, reverse=True))
#: "2. März 2024", "3 mars 2024", "1er avril 2024", "5 de marzo de 2024", "5 mar. 2024",
#: "12-Oct-2021"; "avril 9, 2019"; day-first numbers with full stops, as Europe writes
#: them ("02.03.2024": never month-first, which is written with slashes).
_CUED_DATE = re.compile(
    rf"\b(?:{_DAY}(?:\.|er|º|°)?(?:\s+de|\s*-)?\s*(?P<month>{_ANY_MONTH})\.?,?(?:\s+de|\s*-)?"
    rf"\s*{_YEAR}"
    rf"|(?P<m2>{_ANY_MONTH})\.?\s+(?P<d2>[0-3]?[0-9]),?\s+(?P<y2>1[0-9]{{3}}|20[0-9]{{2}})"
    rf"|(?P<d3>[0-3]?[0-9])\.(?P<m3>[01]?[0-9])\.(?P<y3>1[0-9]{{3}}|20[0-9]{{2}}))\b",
    re.IGNORECASE,
)


def find_cued_date(text: str) -> PartialDate | None:
    """The first day written in ``text`` in English or another language's month names, or
    day first in numbers (``02.03.2024``): for the text after an access-date cue only."""
    for match in _CUED_DATE.finditer(text):
        g = match.groupdict()
        if g["year"]:
            year, month, day = g["year"], g["month"], g["day"]
        elif g["y2"]:
            year, month, day = g["y2"], g["m2"], g["d2"]
        else:
            year, month, day = g["y3"], g["m3"], g["d3"]
        name = month.lower().rstrip(".")
        number = str(_OTHER_MONTHS[name]) if name in _OTHER_MONTHS else month
        found = _make(year, number, day)
        if found:
            return found
    return None
