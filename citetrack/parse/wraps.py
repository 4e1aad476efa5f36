"""Where a reference ends in a list whose references wrap onto several lines.

A reference list copied from a typeset PDF or a word processor comes as lines cut at the
column's width, with nothing to show where one reference ends and the next begins: no
number, no hanging indent.  Two clues are left, and a reader uses both:

* **the line's width** — a line that ends a reference stops where its text stops; a
  line inside a reference stops because the next word did not fit.  So when the next
  line's first word would have fitted at the end of a line, that line ended a
  reference.  The column's width is read off the lines themselves (:func:`wrap_width`):
  in a wrapped text most lines are nearly as long as the longest, and many lines after
  a full one cannot start a reference (``pp. 3-9.``, lower-case words), whereas a list
  of one reference per line has lengths all over the place or no such lines.  Typeset
  lines hold more or fewer characters by the letters' widths: the width is measured in
  characters or in a rough estimate of ems, whichever the lines agree with better, and
  "would have fitted" has a margin.
* **the content** — a full line can still end a reference (the last line happened to
  fill the column).  Then the next line starts a new reference only if it starts like
  one (:data:`_START`: ``Family, I.``, ``Family IN,``, ``SMITH, J.``, ``J. R. Smith``,
  ``[12]``, ``———.``, ``Body. 1988.``), the line before does not leave its reference
  open (a comma, "and", an initial, "ed.") and either ends like a reference (a full
  stop, a closing bracket, a number, a URL) or the new line has a year in brackets early
  on (``Family, I. (2020).``).  A very short line that does not start like a reference
  (``1979.``) is the tail of the one before, however short that one is.

What is left ambiguous is joined: a full line followed by one that does not start like a
reference.  ``bench/parse_layouts.py`` measures both ways of being wrong (a reference
cut in two, two references joined).

The same question in the other layouts, and the clues about one line that the list's
readers (``items.py``, ``headings.py``, ``runon.py``) share, are here too: whether a
line wraps the item before it in a list without markers (:func:`continues`: a hanging
indent, a line that cannot start a reference after one that cannot end one) or a
numbered list's last item (:func:`wraps_last`); whether a line stops in the middle of a
reference (:func:`mid_reference`) or ends a whole one (:data:`COMPLETE`); whether it
reads like a citation (:data:`CITATION_HINT`).
"""

from __future__ import annotations

import itertools
import re
from typing import NamedTuple

from citetrack.parse.names import PARTICLES

#: Minimum lines, and minimum column width in characters, before widths are trusted.
_MIN_LINES = 6
_MIN_WIDTH = 30
#: A wrapped text: at least this share of its lines are within [0.8, 1.05] × the width
#: (a list of one reference per line measured 0.16, wrapped lists 0.69–0.73), ...
_NEAR_FULL_SHARE = 0.45
#: ... almost none longer than 1.15 × the width (a word too long for the column) ...
_OVER_SHARE = 0.03
#: ... and most lines are prose (a list of DOIs one per line has even lengths too).
_PROSE_SHARE = 0.5
#: A list where this share of the lines is indented marks its items by the indent (a
#: hanging indent: a one-line reference is followed by another at the margin).
_INDENTED_SHARE = 0.2
#: ... and the lines after full lines are often lines that cannot start a reference
#: (``pp. 3-9.``, a title's lower-case words): at least 3, and this share of them
#: (wrapped lists measured 0.33–0.36; one reference per line 0.00–0.07, and the odd
#: reference starting in lower case).  Lines of even length that are whole references
#: (short references, one per line) look full too: this tells them apart.
_MIN_WRAPPED = 3
_WRAPPED_SHARE = 0.25
#: A line this much shorter than the column that does not start like a reference is the
#: tail of the one before (``1979.``, ``[1936].``, ``Canada (2002).``): no reference is
#: that short.  A page number is not: joined on, it would change the reference's text.
_TAIL = 0.3
#: A page's number or footer copied with the page ("12", "Page 3 of 9"): not a tail.
_FOOTER = re.compile(r"^(?:(?:page|p\.|seite|pág\.?)\s*)?\d+(?:\s*(?:of|/|von|de)\s*\d+)?$", re.I)
#: A line is full when it and the next line's first word come to this share of the width
#: (typeset lines of one column vary in characters: 3 % of the full lines of
#: ``bench/parse_layouts.py``'s Times layout fall below, and are cut).
_FULL = 0.95

_U = "A-ZÀ-ÖØ-ÞĀ-ŽА-ЯΑ-Ω"
_L = "a-zß-öø-ÿā-žа-яα-ω"
#: Name particles (``van``, ``De``) before a family name, and ``d'``/``O'`` glued to it.
_PARTICLE = "(?:(?:{})\\s|[dDoO]['’])*".format(
    "|".join(re.escape(w) for p in sorted(PARTICLES) for w in (p, p.capitalize()))
)
_FAMILY_WORD = rf"{_PARTICLE}[{_U}][{_L}'’]+(?:-[{_U}][{_L}'’]+)?"
_FAMILY = rf"{_FAMILY_WORD}(?:\s[{_U}][{_L}'’]+)?"
_GIVEN = rf"[{_U}][{_L}]+(?:-[{_U}][{_L}]+)?"
_INITIALS = rf"[{_U}]\.?(?:\s?-?[{_U}]\.?){{0,2}}"
_YEAR = r"(?:1[5-9]|20)\d\d[a-z]?"

#: How a reference's first line starts.
_START = re.compile(
    "^(?:"
    # Family, I. / Family, J.-P. (not "New York, NY:" or "Oxford, U.K.:", a place)
    rf"{_FAMILY},\s*(?!\S{{1,6}}:){_INITIALS}(?=[\s,.;:&(])"
    # Family, Given / Family, Given Given (ed.)
    rf"|{_FAMILY_WORD},\s{_GIVEN}(?:\s{_GIVEN})?(?:\s{_INITIALS})?"
    r"(?=[,;.&(]|\s(?:and|&|\(|\d))"
    rf"|{_FAMILY}\s[{_U}]{{1,3}}[,.]"  # Family IN,  (Vancouver)
    rf"|{_FAMILY}\s\({_INITIALS}\)"  # Family (I.),  (French)
    # Given Family, Title (not "Synthetic Methods, 70(1)" / ", vol. 4": a journal's volume)
    rf"|{_GIVEN}\s{_FAMILY_WORD},\s(?![{_U}]{{2}}\b|[{_U}]\.|\d|(?:vol|no|pp?)\.)"
    rf"|[{_U}]{{2,}}(?:-[{_U}]{{2,}})?,?\s[{_U}](?![{_L}]+\s(?:Press|Publish))"  # SMITH, J.
    rf"|(?:[{_U}]\.\s?-?){{1,3}}{_FAMILY}[\s,]"  # J. R. Smith
    rf"|{_GIVEN}\s(?:[{_U}]\.\s?){{1,2}}{_FAMILY}[,\s]"  # John R. Smith
    rf"|\[\d+\]|\d{{1,3}}[.)\]-]\s*[{_U}]|\d{{1,3}}\s+[{_U}]{{2}}"  # [12] / 12. Smith / 12 SMITH
    r"|[—–-]{2,3}|[—–],"  # ———. / —, (the same authors as above)
    rf"|[^.:\d]{{1,80}}?(?:\.\s|\s\(){_YEAR}\)?[.,:]"  # Body. 1988. / Body (2011).
    ")"
)
#: A line ending in one of these has not ended a reference: an initial, an abbreviation
#: that introduces more ("ed.", "trans.", "pp." but not "295 p."), a comma, a colon, a
#: conjunction.
_OPEN_END = re.compile(
    r"(?:\b[A-Z]\.|\b(?:[Ee]ds?|[Tt]rans|Hrsg|[Cc]omp|[Rr]epr|[Vv]ols?|[Nn]o|cf|al|u)\."
    r"|(?<!\d\s)\bpp?\.|[,;:&(\[–—-]|\b(?:and|et|und|y|with|in|of|the|by))$"
)
#: A year near a line's start, as a reference's first line has it after its authors.
_YEAR_EARLY = re.compile(rf"\({_YEAR}\)")


class Column(NamedTuple):
    """The column a list was wrapped at: its width, in characters or, for a list set in a
    proportional font, in :func:`_ems`."""

    width: float
    proportional: bool

    def length(self, text: str) -> float:
        return _ems(text) if self.proportional else len(text)


def _ems(text: str) -> float:
    """``text``'s width in a proportional font, roughly: narrow letters and punctuation
    count 0.55, capitals and "m", "w" 1.3, the others 1 (the classes every text face
    shares; no one font's metrics)."""
    return len(text) + sum(_EM_CLASS.get(c, 0.0) for c in text)


_EM_CLASS = {
    **dict.fromkeys("fijlrt.,;:'!|()[] I", -0.45),
    **dict.fromkeys("mwMWABCDEGHKNOQRUVXYZ", 0.3),
}


def wrap_width(lines: list[str]) -> Column | None:
    """The column ``lines`` were wrapped at, or ``None`` when they were not wrapped.

    The width is the 90th percentile of the non-empty lines' lengths (the longest lines
    may hold a word too long for the column), in characters or in :func:`_ems`,
    whichever has more lines just under it (a typewriter's or a plain-text wrap's lines
    end within a character or two of the width; a typeset column's, measured in
    characters, vary by a tenth).  A list with a hanging indent is not read by width:
    its indent says where items start.  ``lines`` are the list's lines as given: an
    indent counts, as it took room in the column.
    """
    lines = [line.rstrip() for line in lines]
    filled = [line for line in lines if line.strip()]
    if len(filled) < _MIN_LINES:
        return None
    best: tuple[float, Column] | None = None
    for proportional in (False, True):
        measure = _ems if proportional else len
        lengths = sorted(measure(line) for line in filled)
        width = lengths[(len(lengths) - 1) * 9 // 10]
        column = Column(width, proportional)
        tight = sum(1 for n in lengths if 0.9 * width <= n <= width)
        if best is None or tight > best[0]:
            best = (tight, column)
    assert best is not None
    column = best[1]
    lengths = [column.length(line) for line in filled]
    width = column.width
    if width < _MIN_WIDTH:
        return None
    near = sum(1 for n in lengths if 0.8 * width <= n <= 1.05 * width)
    over = sum(1 for n in lengths if n > 1.15 * width)
    prose = sum(1 for line in filled if len(line.split()) >= 4)
    indents = [len(line) - len(line.lstrip()) for line in filled]
    indented = sum(1 for n in indents if n > min(indents))
    pairs = [(a, b) for a, b in itertools.pairwise(lines) if a.strip() and b.strip()]
    after_full = [b for a, b in pairs if _fills(a, b, column)]
    wrapped = sum(1 for line in after_full if cannot_start(line))
    count = len(filled)
    if (
        wrapped < max(_MIN_WRAPPED, _WRAPPED_SHARE * len(after_full))
        or near < _NEAR_FULL_SHARE * count
        or over > _OVER_SHARE * count
        or prose < _PROSE_SHARE * count
        or indented >= _INDENTED_SHARE * count
    ):
        return None
    return column


def starts_like_reference(line: str) -> bool:
    """Whether ``line`` starts as a reference does (:data:`_START`: ``Family, I.``,
    ``Family IN,``, ``SMITH, J.``, ``J. R. Smith``, ``[12]``…)."""
    return _START.match(line.strip()) is not None


def paragraph_goes_on(previous: str, line: str, citation_like: bool) -> bool:
    """Whether ``line`` wraps the reference of ``previous`` in a list of paragraphs (a
    blank line after each reference) whose column width cannot be read (each paragraph's
    short last line hides it): yes for a line of identifiers (its DOI); no when it starts
    like a reference (:data:`_START`) after a line that ends one (or with a year in
    brackets early on), or when it reads like a citation (``citation_like``: a year, an
    identifier) and starts with a capital after a line that ends a reference (sections
    of whole one-line references, an organisation first); else yes."""
    start = line.strip()
    if identifiers_only(start):
        return True
    if _open(previous):
        return True
    ended = _ends(previous)
    if _START.match(start) is not None and (ended or _YEAR_EARLY.search(start[:60])):
        return False
    return not (ended and citation_like and start[:1].isupper())


def wraps(previous: str, line: str, column: Column) -> bool:
    """Whether ``line`` continues the reference whose line ``previous`` is, in a list
    wrapped at ``column`` without indent: ``previous`` is full (``line``'s first word
    would not have fitted on it) and ``line`` does not start a reference after a line that
    ended one."""
    start = line.strip()
    known = _START.match(start) is not None
    if not known and column.length(start) < _TAIL * column.width and not _FOOTER.match(start):
        return True
    if not _fills(previous, line, column):
        return False
    if not known or _open(previous):
        return True
    return not (_ends(previous) or _YEAR_EARLY.search(start[:60]))


def _fills(previous: str, line: str, column: Column) -> bool:
    """Whether ``line``'s first word would not have fitted at the end of ``previous``."""
    head = line.split(None, 1)
    return bool(head) and column.length(f"{previous.rstrip()} {head[0]}") > _FULL * column.width


def cannot_start(line: str) -> bool:
    """Whether ``line`` cannot be the first line of a reference: it starts with a
    lower-case word that is not a name particle (``van Dijk``), or with numbers that are
    not a bare list number (``62(5), 601–608.``, ``2011;1:1-2.``), and not with a URL or
    an identifier."""
    words = line.split(None, 1)
    if not words or "/" in words[0]:
        return False
    head = words[0]
    if head[0].isdigit():
        return not head.rstrip(".").isdigit()
    return head[0].islower() and head.lower() not in PARTICLES


#: A line that holds nothing but identifiers: a DOI (bare, ``doi:`` or a doi.org URL), a
#: PMID, a PMCID or an arXiv id, with their labels and separators.
_IDENTIFIERS_ONLY = re.compile(
    r"^(?:[\s.,;]*(?:(?:doi\s*:?\s*|https?://(?:dx\.)?doi\.org/)?10\.\d{4,9}/\S+"
    r"|PMID\s*:?\s*\d{1,9}|PMCID\s*:?\s*PMC\d{1,9}|PMC\d{1,9}|arXiv\s*:\s*\S+))+[\s.,;]*$",
    re.IGNORECASE,
)


def identifiers_only(line: str) -> bool:
    """Whether ``line`` holds only identifiers (``doi:10.5555/x``, ``PMID: 123``): never a
    reference of its own, so the end of the one before it (a PDF's column put the last
    reference's DOI on a line of its own)."""
    return _IDENTIFIERS_ONLY.match(line.strip()) is not None


def ends_open(line: str) -> bool:
    """Whether ``line`` cannot end a reference (:func:`_open`): ``… Vol.``, ``… ed.``, a
    comma, a conjunction — a number after it is the reference's own, not a list number."""
    return _open(line)


def _open(line: str) -> bool:
    """Whether ``line`` cannot end a reference: it ends in a comma, a conjunction, an
    initial or an abbreviation that introduces more."""
    text = line.rstrip()
    return not text or _OPEN_END.search(text) is not None


def _ends(line: str) -> bool:
    """Whether ``line`` ends as a reference does: a full stop, a closing bracket, a number
    (a page, a year) or a URL."""
    text = line.rstrip()
    return text[-1] in ".?!)]" or text[-1].isdigit() or "/" in text.rsplit(None, 1)[-1]


#: A URL or DOI token (what a column may cut in the middle: there is no blank in it).
_IDENTIFIER = re.compile(r"^[<(\[]?(?:https?://|www\.|doi:|10\.\d{4,9}/)", re.IGNORECASE)
#: A plain word, bracket or quote: what starts a new word after a URL, not the URL's rest.
_PLAIN_WORD = re.compile(r"^(?:[(\[\"“‘']|[A-ZÀ-Þ][a-zß-ÿ]+\b|[a-zß-ÿ]+[,;:)]?$)")
#: A hyphen left hanging before a conjunction ("pre- and post-operative") is no cut word.
SUSPENDED = frozenset({"and", "or", "nor", "to", "und", "oder", "et", "ou", "y", "e", "o", "bis"})
#: A word cut at a hyphen at the line's end ("invented class-" / "room").
_HYPHEN_END = re.compile(r"[^\W\d_]-$")
#: A range cut after its dash ("pp. 12-" / "19.").
_RANGE_END = re.compile(r"\d[-–]$")


def join_wrapped(text: str, line: str) -> str:
    """``text`` with its wrapped ``line`` joined on.

    Normally with a blank.  Without one where the column cut a token in two, so that no
    identifier is lost or changed: a URL or DOI cut after ``/``, ``-``, ``_``, ``=``,
    ``?``, ``&``, ``#`` or ``%`` goes on unless the line starts with a plain word or a
    bracket ("Accessed 5 May", "(2020)"); cut after a full stop, it goes on when the
    line's first token starts with a digit or holds a ``/``, ``.`` or ``=`` before its
    end (``doi:10.5555/jmh.`` + ``2018.601``); cut inside a word, when that token holds a
    ``/``, ``=``, ``?`` or ``&`` (``…/was/wra`` + ``pped/index.html``).  A word cut
    after a hyphen keeps the hyphen and loses the blank (``class-`` + ``room`` →
    ``class-room``, ``Smith-`` + ``Jones``: whether the hyphen was the word's or the
    typesetter's, no letter is lost), except before a conjunction (``pre- and post-``);
    so does a range cut after its dash (``12-`` + ``19.``).
    """
    head = line.split(None, 1)[0] if line.strip() else ""
    last = text.rsplit(None, 1)[-1] if text.strip() else ""
    if head and last and _IDENTIFIER.match(last) and _PLAIN_WORD.match(head) is None:
        body = head.rstrip(".,;")
        if (
            last[-1] in "/-_=?&#%~"
            or (last[-1] == "." and (head[0].isdigit() or any(c in body for c in "/.=")))
            or (last[-1].isalnum() and any(c in body for c in "/=?&"))
        ):
            return text + line
    if head[:1].isdigit() and _RANGE_END.search(last):
        return text + line
    if (
        head[:1].isalpha()
        and _HYPHEN_END.search(last)
        and not _IDENTIFIER.match(last)
        and head.lower() not in SUSPENDED
    ):
        return text + line
    return f"{text} {line}"


# The clues about one line that the list's readers share (items.py, headings.py, runon.py).

#: A clue that a line is (part of) a citation: a year, quotes, an identifier, a URL.
CITATION_HINT = re.compile(
    r"\b(?:1[5-9]\d\d|20\d\d)\b|[\"“]|\bdoi:|\bPMID\b|\bISBN\b|https?://|Retrieved\b"
)


#: How many wrapped lines after a numbered line count towards reading it as a citation.
WRAPPED_LINES = 8


#: How a whole reference ends: a page, a year or a volume and a full stop, or a bracket.
COMPLETE = re.compile(r"(?:\d|\))\.?$")


def mid_reference(line: str) -> bool:
    """Whether ``line`` stops in the middle of a reference: it ends in a letter, a comma,
    a colon, a semicolon, an opening bracket, a dash or "&" (not in a URL)."""
    words = line.split()
    if not words or "/" in words[-1]:
        return False
    return words[-1][-1].isalpha() or words[-1][-1] in ",;:(-–&"


def indent_of(line: str) -> int:
    """How far ``line`` is indented: the number of its leading blanks."""
    return len(line) - len(line.lstrip())


#: Words a reference never ends with: after one, the next line goes on with it, even
#: when it starts with a capital ("Journal of" / "Synthetic Health").
_OPEN_WORDS = frozenset(
    [
        "of",
        "the",
        "and",
        "in",
        "for",
        "on",
        "with",
        "by",
        "to",
        "from",
        "at",
        "an",
        "&",
        "und",
        "et",
        "y",
        "de",
        "del",
        "der",
        "die",
        "das",
        "van",
        "von",
        "für",
        "zur",
        "la",
        "le",
        "les",
        "des",
        "du",
    ]
)


def continues(first: str, previous: str, line: str) -> bool:
    """Whether ``line`` wraps the item before it, in a list without markers (``first``:
    that item's first line; ``previous``: the line just before).

    A list pasted from a PDF or a word processor wraps its items.  A line continues the
    item when it is indented more than the item's first line (a hanging indent), or when
    it cannot start a reference where the line before cannot end one: it starts with a
    lower-case word that is not a name particle (``van Dijk``) or with numbers
    (``62(5), 601–608.``, not a bare ``2``), after a line ending in a letter, a comma, a
    colon, a semicolon, a dash or an opening bracket; and when it holds only identifiers
    after a line that does not (its reference's DOI, wrapped onto a line of its own; a
    list of DOIs, one per line, stays a list); and after a line that ends in a word no
    reference ends with (``of``, ``the``, ``and``).
    """
    if indent_of(line) > indent_of(first):
        return True
    if identifiers_only(line):
        return not identifiers_only(previous)
    tail = previous.rsplit(maxsplit=1)[-1]
    if tail.casefold() in _OPEN_WORDS:
        return True  # "… Journal of" / "Synthetic Health, 62(5), 601-608."
    if "/" in tail or not (tail[-1].isalpha() or tail[-1] in ",;:(-–—&"):
        return False
    return cannot_start(line)


def wraps_last(previous: str, line: str) -> bool:
    """Whether an unindented ``line`` right after a numbered list's last item wraps it: it
    starts with numbers (``2011;1:1-2.``), or with a lower-case word after a line that
    does not end a sentence (prose after the list starts a sentence of its own), or it
    holds only identifiers (a PDF's column put the DOI on a line of its own)."""
    if identifiers_only(line):
        return True
    if not cannot_start(line):
        return False
    return line.lstrip()[0].isdigit() or previous.rstrip()[-1:] not in (".", "!", "?")
