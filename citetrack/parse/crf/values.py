"""Values read out of a labelled segment's text: the value without what is printed around
it, a volume and an issue, pages.

* :func:`strip_value`: ``"Title."``, ``(1999).``, ``«Titre»,`` without their separators,
  brackets and quotes;
* :func:`read_volume`: a ``volume`` segment holds a volume and an issue in any printed form
  — ``12(3)``, ``Vol. 3, Part A``, ``93, no. 4``, ``Bd. 2``, ``H. 4``, ``Tome 26, numéro
  4``, ``19. Jg. H. 3``, MLA's ``85.2`` — and what else it prints (marked pages, a part, a
  month) is kept.  A mark is a whole word (``Volume 53`` is no ``Vol`` of ``ume``, ``Sciences
  humaines`` no ``H.`` of ``umaines``) followed by a number (or a Roman numeral); a date in
  brackets is no issue (``53 (Apr)``, ``52 (2000 Autumn)``), and a count of volumes (``2
  vols.``, ``20 Bde.``) no volume;
* :func:`read_pages`: a range, a page or a list of them (``pp. 45-67``, ``S. 12–20``,
  ``: 491-497``, ``pp. A1, A4``).

Pure.
"""

from __future__ import annotations

import re

from citetrack.parse import dates
from citetrack.parse.build import Citation
from citetrack.parse.crf.genre import EDGE

_BRACKETS = "()[]{}"
_QUOTES = "\"“”„«»‘’'"


def strip_value(text: str) -> str:
    """A value without the separators, brackets and quotes printed around it."""
    value = " ".join(text.split())
    for _ in range(3):
        before = value
        value = value.strip(EDGE)
        if not value:
            break
        if value[0] in "([{" and value.count(value[0]) > value.count(_closer(value[0])):
            value = value[1:]
        if (
            value
            and value[-1] in ")]}"
            and value.count(value[-1]) > value.count(_opener(value[-1]))
        ):
            value = value[:-1]
        if value and value[0] in "([{" and value[-1] == _closer(value[0]):
            value = value[1:-1]
        value = value.strip(_QUOTES + " ")
        if value == before:
            break
    return value.strip(EDGE)


def _closer(ch: str) -> str:
    return {"(": ")", "[": "]", "{": "}"}.get(ch, ch)


def _opener(ch: str) -> str:
    return {")": "(", "]": "[", "}": "{"}.get(ch, ch)


#: What a volume or an issue mark numbers: a number (``12``, ``3a``, ``3&4``, ``2011-III``,
#: ``S1``, ``R-114``) or Roman numerals (``IV``, ``ii``, ``I-V``).
_VALUE = r"(?:[A-Z]{0,3}-?\d[\w–/&-]*|[IVXLC]+(?:[-–][IVXLC]+)?\b|[ivxlc]+(?:[-–][ivxlc]+)?\b)"
#: A whole word, then a full stop or none: ``Vol.``, ``Volume``, ``t.``, never the start of
#: a longer word (``Volume`` read as ``Vol`` + ``ume``, ``Travaux`` as ``t`` + ``ravaux``).
_END = r"(?:\.|(?!\w))"
_VOL_WORD = re.compile(
    r"(?<!\w)(?i:volumes?|vols?|bände|band|bde|bd|tomes?|tomos?|t|jahrgang|jg)"
    rf"{_END}\s*(?P<v>{_VALUE})"
)
#: A volume before its mark: ``19. Jg.``, ``84. Jahrgang``; Korean, Chinese and Japanese
#: ``제24권``, ``第12卷``, ``12巻``.
_VOL_BEFORE_WORD = re.compile(
    r"(?<![\w.])(?P<v>\d+)\.?\s*(?:(?i:jg|jahrgang)(?:\.|(?!\w))|권|卷|巻)"
    r"|(?:제|第)\s*(?P<v2>\d+)\s*(?:권|卷|巻)"
)
#: An issue before its mark: ``제10호``, ``第3期``, ``3号``.
_ISS_BEFORE_WORD = re.compile(r"(?:제|第)?\s*(?P<i>\d+)\s*(?:호|期|号)")
_ISS_WORD = re.compile(
    r"(?:(?i:n°|nº)|#|(?<!\w)(?i:numéro|número|numero|núm|num|number|nomor|nos?|nr|n|issue|iss|"
    rf"heft|h|fascicule|fasc|cahier|cuaderno){_END})\s*(?P<i>{_VALUE})"
)
#: A count of volumes, not one of them: ``2 vols.``, ``20 Bde.``, ``10 volumes``.
_VOLUME_COUNT = re.compile(
    r"(?<![\w.])\d+\s*(?i:vols|volumes|bde|bände|tomes|voll)(?:\.|(?!\w))(?!\s*\d)"
)
_VOL_ISS = re.compile(r"(?P<v>[\w–-]*\d[\w–-]*|[IVXLC]+)\s*\((?P<i>[^()]+)\)")
#: MLA's volume and issue: ``85.2``, ``17.4`` (never inside a date: ``5.6.2007``).
_MLA_VOL_ISS = re.compile(r"(?<![\w.])(?P<v>\d{1,4})\.(?P<i>\d{1,3})(?![\w.–-])")
#: A volume and its pages joined by a full stop (linguistics: ``22.55-109``).
_VOL_DOT_PAGES = re.compile(r"^(?P<v>\d{1,4})\.(?P<p>\d+\s*[-–]\s*\d+)$")
#: A volume printed without its mark (never an ordinal's start: ``1er trimestre``).
_NUMBER = re.compile(r"[A-Za-z]?\d+[A-Za-z]?(?:[-–/][A-Za-z]?\d+[A-Za-z]?)?(?![A-Za-z])|[IVXLC]+\b")
_A_YEAR = re.compile(r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)")


def _an_issue(text: str) -> bool:
    """Is ``text``, printed in brackets after a volume, its issue (``3``, ``Suppl 2``,
    ``III``), not a date (``Apr``, ``Spring``, ``2000 Autumn``, ``1984``)?"""
    value = text.strip()
    if _A_YEAR.search(value):
        return False
    return bool(re.search(r"\d", value) or re.fullmatch(r"[IVXLC]+", value))


def read_volume(text: str) -> tuple[str | None, str | None]:
    """Volume and issue from a volume segment in any printed form."""
    volume, issue, _ = volume_parts(text)
    return volume, issue


def volume_parts(text: str) -> tuple[str | None, str | None, str]:
    """Volume, issue and what else the segment prints (``Part A``, ``Suppl. 2``, ``pp.
    4-5``, ``2 vols.``): the rest, without separators, empty when nothing else is printed."""
    value = strip_value(text)
    volume = issue = None
    counts = [m.span() for m in _VOLUME_COUNT.finditer(value)]  # they stay, as a note
    spans: list[tuple[int, int]] = []

    def free(match: re.Match[str]) -> bool:
        return not any(s < match.end() and match.start() < e for s, e in counts + spans)

    both = next((m for m in _VOL_ISS.finditer(value) if _an_issue(m["i"])), None)
    if both is not None and free(both):
        inner = _ISS_WORD.fullmatch(both["i"].strip())  # "12 (no. 3)"
        volume, issue = both["v"], inner["i"] if inner else both["i"].strip()
        spans.append(both.span())
    # A mark whose number was read already is blanked with it ("Vol. 12(7)": no note "Vol").
    word = next(
        (m for m in _VOL_WORD.finditer(value) if free(m) or m["v"].strip("–-") == volume), None
    )
    if word is not None and volume in (None, word["v"].strip("–-")):
        volume = word["v"].strip("–-")
        spans.append(word.span())
    marks = [*_ISS_WORD.finditer(value), *_ISS_BEFORE_WORD.finditer(value)]
    iss = next((m for m in marks if free(m) or m["i"].strip("–-") == issue), None)
    if iss is not None and issue in (None, iss["i"].strip("–-")):
        issue = iss["i"].strip("–-")
        spans.append(iss.span())
    mla = _MLA_VOL_ISS.search(value) if volume is None and issue is None else None
    if mla is not None and free(mla):
        volume, issue = mla["v"], mla["i"]
        spans.append(mla.span())
    before = _VOL_BEFORE_WORD.search(value) if volume is None else None
    if before is not None and free(before):
        volume = before["v"] or before["v2"]
        spans.append(before.span())
    if volume is None:
        numbers = [m for m in _NUMBER.finditer(value) if free(m)]
        if len(numbers) > 1 and _A_YEAR.fullmatch(numbers[0].group(0)):
            numbers = numbers[1:]  # "2010, 213": the year, then the volume
        if numbers:
            volume = numbers[0].group(0)
            spans.append(numbers[0].span())
    chars = list(value)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return volume, issue, strip_value("".join(chars).strip(_BRACKETS + EDGE))


#: Volume, issue and pages in one: ``12(3):45-67``, ``7:491``.
VOL_PAGES = re.compile(
    r"(?P<v>\d+)\s*(?:\((?P<i>[^()]+)\))?\s*:\s*"
    r"(?P<p>[A-Za-z]?\d+[A-Za-z]?(?:\s*[-–]\s*[A-Za-z]?\d+[A-Za-z]?)?)"
)
#: Pages with their mark, printed after a volume and issue (IEEE ``…, no. 3, pp. 4-5``).
_PAGES_MARKED = re.compile(r"^(?:pp?|S|pages?)\.?\s*\d", re.IGNORECASE)


def read_volume_into(c: Citation, text: str, has_pages: bool) -> None:
    """A volume segment's volume and issue into ``c``; what else it prints is kept: pages
    marked as pages (``vol. 12, no. 3, pp. 4-5``) when no pages segment follows, a month
    after the year's volume (``53 (Apr)``) as the date's, the rest (``Part A``, ``Suppl.
    2``, a second volume) as a note — it was dropped."""
    dotted = _VOL_DOT_PAGES.match(strip_value(text))
    if dotted is not None and c.volume is None and not has_pages and c.pages is None:
        c.volume, c.pages = dotted["v"], dotted["p"]
        return
    volume, issue, rest = volume_parts(text)
    if c.volume and volume and volume != c.volume:
        paren = re.fullmatch(r"\(\s*\w+\s*\)", text.strip(EDGE))
        if c.issue is None and (issue or paren):
            c.issue = issue or volume  # "2008," + "112 (21)", "12" + "(3)": the issue
        else:
            c.notes.append(strip_value(text))
        return
    c.volume = c.volume or volume
    c.issue = c.issue or issue
    if not rest or not re.search(r"[^\W\d_]", rest) or VOL_PAGES.search(text):
        return  # nothing, only numbers ("2009;7:") or "12:A4" besides: read by _numbers
    month = (
        dates.parse_date(f"{rest} {c.date.year}")
        if c.date is not None and c.date.month is None
        else None
    )
    if month is not None and month.month is not None:
        c.date = month  # Chicago: "53, no. 2 (April)", the year printed apart
    elif _PAGES_MARKED.match(rest) and not has_pages and c.pages is None:
        c.pages = read_pages(rest)
    elif not (c.date and rest == str(c.date.year)):
        c.notes.append(rest)


# "(?<!\d)": a match never starts inside a run of digits (each start was tried: quadratic).
_PAGE_RANGE = re.compile(
    r"[A-Za-z]?(?<!\d)\d+[A-Za-z]?\s*(?:[-–—‐−]+|\s+to\s+)\s*[A-Za-z]?\d+[A-Za-z]?"
)
_PAGE_ONE = re.compile(r"[A-Za-z]?\d+[A-Za-z]?")
# (No "13p" at the end: a page count.)
_ONE_PAGE = r"[A-Za-z]?\d+[A-Za-oq-z]?(?:\s*[-–—]\s*[A-Za-z]?\d+[A-Za-z]?)?"
#: Pages listed with commas, after their mark: "pp. A1, A4", "S. 12–15, 20–25".
_PAGE_LIST = re.compile(
    rf"(?:(?:pp?|S|pages?)\.?\s*)?(?P<pages>{_ONE_PAGE}(?:\s*,\s*{_ONE_PAGE})+)", re.IGNORECASE
)


def read_pages(text: str) -> str | None:
    """The page range or page of a pages segment; a list of them whole (``pp. A1, A4``,
    ``12–15, 20–25``: the first alone dropped the rest)."""
    value = strip_value(text)
    listed = _PAGE_LIST.fullmatch(value)
    if listed is not None:
        ranges = [bool(re.search(r"\d\s*[-–—]", item)) for item in listed["pages"].split(",")]
        if all(ranges) or not any(ranges):
            return listed["pages"]  # a volume then pages ("119, 936–938") is no list
    match = _PAGE_RANGE.search(value) or _PAGE_ONE.search(value)
    return match.group(0) if match else None


#: An edition statement at the end of a title, a book's title or a publisher: "(Fifth
#: Edition)", ", 2nd ed.", ". 3e édition.", ", nouvelle édition,", "3., erweiterte
#: Auflage".
_EDITION_AT_END = re.compile(
    r"(?:\s*[(,.;]\s*|\s+)(?P<edition>(?:\d{1,2}(?:st|nd|rd|th|e|er|ère|ème|ª|\.)?|first|"
    r"second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|revised|rev\.|new|"
    r"nouvelle|neue|expanded|updated|überarb\.)(?:,?\s+[^\W\d]+\.?){0,4}?\s+(?:ed\.|edn\.?|"
    r"edition|édition|éd\.|auflage|aufl\.|edición|ed\.ª|edizione))\)?[\s.,;:)]*$",
    re.IGNORECASE,
)


def edition_at_end(text: str) -> tuple[str, str] | None:
    """``(text before, edition)`` when ``text`` ends with an edition statement
    (``Title (Fifth Edition).`` → ``Title``, ``Fifth Edition``), else ``None``."""
    match = _EDITION_AT_END.search(text)
    if match is None or not text[: match.start()].strip(EDGE + "("):
        return None
    return text[: match.start()], match["edition"]
