"""Finding the references in a rendered text: one :class:`Item` per reference.

The text is a whole article as a reader copies it, or just its reference list.  Three
forms are recognised, the first found deciding:

* Wikipedia's back-linked list — every item starts with a caret: ``^ a b c Foss, …``
  (``↑`` on some skins, ``^ Jump up to: a b`` when copied from the desktop site); the
  article's prose has none;
* a numbered list whose numbers carry the back-links — ``  3. 3.0 3.1 3.2 Pujol RM, …`` —
  taken from the runs numbered 1, 2, 3 … that read like citations, so that a numbered
  list in the article's body is not mistaken for references;
* no markers: every non-empty line of a bare list, or the citation-like lines after a
  "References"-like heading of a whole article.

A list number may be in any form an editor pastes: ``1.``, ``[1]``, ``(1)``, ``1)``,
``1 .``, ``[12a]``, ``[1–3]``, ``1<tab>``, a bare ``1`` or superscript ``¹``, letters
(``a.``, ``(b)``, ``C)``) and Roman numerals (``i.``, ``IV.``), ``①``, ``１．``, ``#1``;
numbering may restart in each section under a heading ("Books", "Journal articles",
"2021", "Chapter 3"), skip numbers or number every item ``1.`` (Markdown).  Before the
list is looked for, an e-mail's quoting marks, a manuscript's margin line numbers and
invisible characters before a number are taken off.

Markers are stripped from the item's text; ``Item.line`` is the 1-based line where the
item starts, ``Item.raw`` the line(s) as they were.  A wrapped line continues the item
before it: an indented one, in a numbered list any line before the next number (whose
wrapped lines count when judging whether the list reads like citations), and in a list
without markers a line that cannot start a reference (:func:`_continues`).  An unmarked
line after the list that reads like a citation (a "Sources" list after short-citation
notes) is an item too.  The style sheet that text
dumps of a page print as text (``.mw-parser-output …{…}``) is dropped.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from citetrack.parse.blocks import attach_numbers
from citetrack.parse.furniture import is_page_furniture, without_line_numbers
from citetrack.parse.labels import is_label_line, without_labels
from citetrack.parse.markup import has_markup, without_markup
from citetrack.parse.wraps import cannot_start as _cannot_start
from citetrack.parse.wraps import (
    ends_open,
    identifiers_only,
    join_wrapped,
    paragraph_goes_on,
    starts_like_reference,
    wrap_width,
    wraps,
)


@dataclass(frozen=True)
class Item:
    """One reference of a list: its 1-based line, its text without markers, the line as is."""

    line: int
    text: str
    raw: str
    marker: str = ""  # "caret" (a back-linked list), "number" (a numbered list) or ""


class FoundList(NamedTuple):
    """What :func:`find_list` made of a text: every non-empty line is in exactly one part.

    ``items`` are the references; ``skipped`` the lines inside the list not read as (part
    of) one; ``unread`` the 1-based numbers of the other non-empty lines that are not
    headings — the article's text before and after the list — so that a caller can say
    that they were left out instead of dropping them without a word; ``labels`` the lines
    of link labels a journal's page sets after each reference (``Google Scholar``).
    """

    items: list[Item]
    skipped: list[Item]
    unread: list[int]
    #: 1-based lines of a web page's link labels inside the list (``labels.py``).
    labels: tuple[int, ...] = ()
    #: A PDF page's running head and foot inside the list (``furniture.py``), not read.
    furniture: tuple[Item, ...] = ()


# "^ a b", "↑", and the desktop site's copied form "^ Jump up to: a b".
_CARET = re.compile(
    r"^\s*(?:(?P<num>\d{1,4})\.\s+)?[\^↑]\s*(?:Jump up(?: to)?:?\s*(?:\^\s*)?)?(?P<rest>.*)$"
)
# "1. ", "[3] ", "(4) ", "12) ", "7<tab>" (a word processor's or spreadsheet's copy): a list
# number in any of the usual forms.
# A number may carry a letter of a reference added later ("[12a]", "12b."), or stand
# apart from its full stop or bracket ("1 .", "1.)": a word processor's own numbering).
# A bracketed number may be a range: "[1–3]" (three references merged into one item).
_NUMBERED = re.compile(
    r"^\s*(?:\[(?P<n1>\d{1,4})(?:(?P<s1>[a-z])|\s?[–-]\s?(?P<to>\d{1,4}))?\]\s*"
    r"|\((?P<n2>\d{1,4})(?P<s2>[a-z])?\)\s+"
    r"|(?P<n3>\d{1,4})(?P<s3>[a-z])?(?:\s?[.)]\)?\s+|\t\s*))"
    r"(?P<rest>\S.*)$"
)
# A list lettered or numbered in Roman numerals: "a.", "b)", "(c)", "A)", "(B)", "i.",
# "iv)", "IV." — not "A. Smith": a capital letter with a full stop is an initial (a
# capital Roman numeral of two or more letters is none).  Taken only for a run a, b, c …
# (i, ii, iii …) from its start, and only when no list is numbered with digits.
_LETTERED = re.compile(
    r"^\s*(?:\((?P<l1>[a-z]{1,5}|[A-Z]{1,5})\)|(?P<l2>[a-z]{1,5})[.)]|(?P<l3>[A-Z]{1,5})\)"
    r"|(?P<l4>[IVXL]{1,6})\.)\s+(?P<rest>\S.*)$"
)
# "1 Quenby T, …": a list number without punctuation (superscript numbers pasted as plain
# text, a word processor's plain numbering) — taken only for a run 1, 2, 3 … of them and
# only when no list is numbered otherwise, since a line may start with a number of its own.
# A superscript number pasted as plain text may be glued to the name after it: "1Quenby T";
# a number may have lost the blank after its full stop ("1.Quenby T") or be set off by a
# dash ("1 - Quenby T").
# Superscript digits kept as such ("¹ Quenby T", "¹²Quenby T": a web page's or a word
# processor's raised numbers) are bare numbers too.
_BARE_NUMBERED = re.compile(
    r"^\s*(?P<n3>[1-9]\d{0,2}|[¹²³⁴-⁹][⁰¹²³⁴-⁹]{0,2})"
    r"(?: |\s+[-–—]\s+|[.:)]?(?=[A-ZÀ-ÖØ-Þ][a-zß-ÿ]))"
    r"(?P<rest>[^\W\d_a-zß-ÿ\s]\S*.*)$"
)
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
# A year ("2019.", "(2011)", "2005. pp. 203-214.") is where a wrapped item's line may
# start, not list number 2019: four digits count only outside 1500-2099.
_NOT_YEAR = r"(?!1[5-9]\d\d\D|20\d\d\D)"
_LIST_NUMBER = re.compile(
    r"^\s*(?:(?:\d{1,3}[.)]|\[\d{1,4}\]|\("
    + _NOT_YEAR
    + r"\d{1,4}\))(?:\s|$)|"
    + _NOT_YEAR
    + r"\d{4}[.)]\s+\S|\d{1,4}\t)"
)
#: An article's section number before its heading: "5. ", "5 ", "4.2 ", "V. ".
_SECTION_NUMBER = r"(?:(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.)\s+)?"
_HEADINGS = re.compile(
    # Markdown's "## References" and "**References**" too; numbered as an article's
    # section ("5. References", "V. References").
    r"^\s*(?:#{1,6}\s*|\*\*|__)?" + _SECTION_NUMBER + r"(?:[A-Z][a-z]+ )?"
    r"(?:references|notes|citations|sources|"
    r"bibliography|footnotes|works cited|literature(?: cited)?|reading|reference list|"
    r"references cited|"
    # The same heading in the languages whose lists people paste most (German, French,
    # Spanish, Portuguese, Italian, Dutch, Scandinavian).
    r"literatur|literaturverzeichnis|quellen|quellenverzeichnis|références|"
    r"références bibliographiques|bibliographie|bibliografía|bibliografia|referencias|"
    r"referencias bibliográficas|referências|referências bibliográficas|"
    r"riferimenti bibliografici|literatuur|literatuurlijst|referenties|litteratur|"
    r"källor|referanser)\s*:?\s*(?:\*\*|__)?:?\s*$",
    re.IGNORECASE,
)
# A section heading inside a reference list grouped by kind of work ("Books", "Journal
# articles", "Conference papers", "Websites", "A. Primary sources" …), by chapter or by
# year ("Chapter 3", "2021"): not a reference, and not the list's start (an article's
# "Data" or "Software" section is no reference list).
_SECTION = re.compile(
    r"^\s*(?:#{1,6}\s*|\*\*|__)?(?:(?:[A-Z]|[IVX]{1,4})[.)]\s+)?"
    # "Chapter 3", "Part II: Invented methods", "Appendix B"; a year of a list by year
    r"(?:(?:chapter|part|section|appendix|lecture|week|unit|module|session)\s+"
    r"(?:\d{1,3}|[IVXLC]{1,6}|[A-Z])\b(?:\s*[.:–—-]\s*[^.]{1,60})?"
    r"|(?:19|20)\d\d(?:\s*[–-]\s*(?:19|20)?\d\d)?"
    r"|(?:(?:primary|secondary|other|selected|additional|further|recommended|general|key|"
    r"related|archival|online|electronic|printed|published|unpublished|official|popular|"
    r"scholarly|academic|peer[- ]reviewed|edited|grey|gray)\s+)?"
    r"(?:books?|monographs?|(?:journal|research|review|newspaper|magazine|news|scientific|"
    r"scholarly|conference)\s+(?:articles?|papers?)|articles?|papers?|book\s+chapters?|"
    r"chapters?(?:\s+in\s+(?:edited\s+)?books)?|edited\s+(?:books|volumes|collections)|"
    r"conference\s+(?:proceedings|presentations|abstracts|contributions)|proceedings|"
    r"(?:technical\s+|government\s+|research\s+)?reports|theses|dissertations|"
    r"web\s*sites?|web\s+(?:pages|resources)|(?:online|internet|electronic)\s+"
    r"(?:resources|sources|media)|documents|datasets|data\s+sets|software|patents|reviews|"
    r"newspapers|periodicals|journals|manuscripts|archives|standards|guidelines|"
    r"legislation|statutes|interviews|videos|films|podcasts|preprints|publications|"
    r"literature|works|sources|references|bibliography|reading|citations)"
    r"(?:\s+(?:and|&)\s+(?:book\s+)?[a-z]+)?)\s*:?\s*(?:\*\*|__)?:?\s*$",
    re.IGNORECASE,
)
# A Markdown heading ("## License", "### Usage").
_MD_HEADING = re.compile(r"^#{1,6}\s+\S")
# A bullet: Markdown's "- " / "* " / "+ ", a word processor's or a web page's "• ", "◦ ",
# "▪ ", "– ", "● ", "■ ", "► ", "➢ ", "✓ " …; an em dash only before a word (a dash before
# "(2020)" or "." stands for the authors of the entry before); and the letters a word
# processor's symbol-font bullets paste as, before its tab ("o", "§", "Ø", "ü"); a
# Markdown footnote's label ("[^arden2018]:").
_BULLET = re.compile(
    r"^\s*(?:[-*+•◦▪▫‣·∙⁃–●○■□◆◇❖►▸▹▶➢➤→✓✔]\s+|—\s+(?=[^\W\d_])|[o§Øü]\t\s*"
    r"|\[\^[^\]\s]{1,40}\]:\s+)"
    r"(?P<rest>\S.*)$"
)
# Markdown emphasis around words (``*Journal*``, ``__Title__``), never inside a URL or a word.
_EMPHASIS = re.compile(
    r"(?<![\w*/])(\*{1,2}|_{1,2})(?=[^\s*_])(?P<inner>[^*_\n]*?[^\s*_])\1(?![\w*/])"
)
# A Markdown link: its text, then its target.
_MD_LINK = re.compile(r"\[(?P<text>[^\[\]\n]+)\]\((?P<url>https?://[^\s()]+)\)")
# Where a copied page's reference list certainly ends: a wiki page's footer, or a
# manuscript's back matter after its list (figure legends, acknowledgements…).
_END_HEADINGS = re.compile(
    r"^\s*" + _SECTION_NUMBER + r"(?:external links|navigation menu|categories:?|"
    r"hidden categories:?|appendix(?:\s+[A-Z\d])?|appendices|"
    r"external resources|figure legends|figure captions|legends to figures|figures|tables|"
    r"acknowledge?ments?|funding|conflicts? of interest|competing interests|"
    r"author contributions|supplementary (?:material|materials|information|data)|"
    r"data availability(?: statement)?|abbreviations)\s*:?\s*$"
    r"|^\s*(?:Retrieved from [\"“]|Categories:|This page was last edited)",
    re.IGNORECASE,
)
# A figure's or table's caption right after the list (a manuscript pasted whole): the
# list has ended, and the caption is the article's text.
_CAPTION = re.compile(r"^\s*(?:Figure|Fig\.|Table|Supplementary (?:Figure|Table))\s+S?\d+[.:]\s")
# The citation style sheet that text dumps of a page print as text (keeping its line breaks).
_CSS = re.compile(r"\.mw-\s*parser-\s*output[^{}]*\{[^{}]*\}")
_CITATION_HINT = re.compile(
    r"\b(?:1[5-9]\d\d|20\d\d)\b|[\"“]|\bdoi:|\bPMID\b|\bISBN\b|https?://|Retrieved\b"
)
# A line that is a citation on its own (a "Sources" list after short-citation notes).
_STANDALONE_CITATION = re.compile(
    r"\(\s*(?:c\.\s*)?\d{4}[a-z]?\)|\bISBN\b|\bdoi:\s*10\.|\bPMID\b|^[\"“][^\"”]+[\"”]\."
)


def has_list_number(line: str) -> bool:
    """Whether ``line`` starts with a list number (``3.``, ``[3]``, ``(3)``)."""
    return _NUMBERED.match(line) is not None


def _section_heading(lines: list[str], index: int) -> bool:
    """Whether ``lines[index]`` heads a section of the list (:data:`_SECTION`, capitalised)
    rather than wrapping the reference before it (``… London: Synthetic`` / ``Books``):
    the line before is blank or ends a reference."""
    line = lines[index]
    first = line.lstrip(" #*_")[:1]
    if len(line) > 80 or not (first.isupper() or first.isdigit()) or not _SECTION.match(line):
        return False
    return index == 0 or not lines[index - 1].strip() or not _mid_reference(lines[index - 1])


def _other_section(lines: list[str], index: int) -> bool:
    """Whether ``lines[index]`` is a Markdown heading (``## License``) of a section that is
    not the reference list nor a section of it: after the list, the list has ended (a
    README's "License" section is no reference)."""
    return _MD_HEADING.match(lines[index]) is not None and not _heading(lines, index)


def _heading(lines: list[str], index: int) -> bool:
    """Whether ``lines[index]`` is a heading: of the reference list, or of a section of it."""
    return _HEADINGS.match(lines[index]) is not None or _section_heading(lines, index)


def _strip_letters(text: str) -> str:
    """Remove ``a b c …`` back-links (consecutive letters a, b, c… after the caret)."""
    tokens = text.split(" ")
    expected = "a"
    i = 0
    while i < len(tokens) and tokens[i] == expected:
        i += 1
        expected = _next_letter(expected)
    if i < 2:
        return text
    # Text dumps glue the last label to the name: "a b c dBernd Gärtner".
    glued = tokens[i] if i < len(tokens) else ""
    if (
        len(glued) > len(expected) + 1
        and glued.startswith(expected)
        and glued[len(expected)].isupper()
    ):
        tokens[i] = glued[len(expected) :]
    return " ".join(tokens[i:])


def _next_letter(label: str) -> str:
    """``a`` → ``b`` … ``z`` → ``aa``, ``aa`` → ``ab`` (Wikipedia's back-link labels)."""
    if label[-1] != "z":
        return label[:-1] + chr(ord(label[-1]) + 1)
    return (
        "a" * (len(label) + 1)
        if set(label) == {"z"}
        else label[:-2] + chr(ord(label[-2]) + 1) + "a"
    )


_BACKLINK = re.compile(r"(?P<num>\d{1,4})\.\d+\s+")


def _strip_numbered_backlinks(number: str, text: str) -> str:
    """Remove ``3.0 3.1 3.2`` back-links of item 3."""
    end = 0
    while (link := _BACKLINK.match(text, end)) and link["num"] == number:
        end = link.end()
    return text[end:]


def _number(match: re.Match[str]) -> int:
    """The list number of a :data:`_NUMBERED` or :data:`_BARE_NUMBERED` line."""
    groups = match.groupdict()  # a bare number has only n3
    return int(
        (groups.get("n1") or groups.get("n2") or groups["n3"]).translate(_SUPERSCRIPT_DIGITS)
    )


def _marker_of(match: re.Match[str]) -> str:
    return match["l1"] or match["l2"] or match["l3"] or match["l4"]


def _letter(match: re.Match[str]) -> int | None:
    """The place of a :data:`_LETTERED` line's letter in the alphabet (``c`` → 3)."""
    mark = _marker_of(match)
    return ord(mark.lower()) - ord("a") + 1 if len(mark) == 1 and not match["l4"] else None


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}
_ROMAN_FORM = re.compile(r"^(?:l|xl|x{0,3}l?)?(?:ix|iv|v?i{0,3})$")


def _roman(match: re.Match[str]) -> int | None:
    """The value of a :data:`_LETTERED` line's Roman numeral (``iv`` → 4), if it is one."""
    mark = _marker_of(match).lower()
    if not _ROMAN_FORM.match(mark):
        return None
    values = [_ROMAN[c] for c in mark]
    return sum(-v if v < w else v for v, w in zip(values, [*values[1:], 0], strict=True))


def _suffix(match: re.Match[str]) -> str:
    """The letter of a number like ``[12a]`` (a reference inserted after 12), or ''."""
    groups = match.groupdict()
    return groups.get("s1") or groups.get("s2") or groups.get("s3") or ""


#: The most lines one numbered item spans (a long annotated entry included).
_ITEM_SPAN = 25


def _numbered_runs(
    lines: list[str],
    numbered: re.Pattern[str] = _NUMBERED,
    value: Callable[[re.Match[str]], int | None] = _number,
) -> list[list[tuple[int, str, str]]]:
    """Runs of lines numbered n, n+1, n+2 … (other lines may stand between them).

    A run starts at 1, or — the first one — at any number, for a list copied from its
    middle (``96.``, ``[3]``, ``12 Arden T``); a run of letters (:data:`_LETTERED`,
    ``value`` reading them) only at a / i.  A number more than :data:`_ITEM_SPAN` lines
    after the one before does not go on its run (``1. 861 p.`` and, a hundred lines
    later, ``2. Smith`` are wrapped lines of a narrow column, not a list).  ``[12b]``
    goes on the run whose last number is 12 (a reference inserted after 12).
    """
    runs: list[list[tuple[int, str, str]]] = []
    # The run each next number would extend: a "1." inside the list (a wrapped line that
    # starts like one) opens a run of its own without cutting the list's run short.
    expecting: dict[int, int] = {}
    heading = -1  # the last heading's index
    for index, line in enumerate(lines):
        match = numbered.match(line)
        if match is not None and (
            _HEADINGS.match(line) or _END_HEADINGS.match(line) or _SECTION.match(match["rest"])
        ):
            match = None  # "5. References", "204 Books": a numbered heading, no item
        number = value(match) if match else None
        if match is None and _heading(lines, index):
            heading = index
        if match is None or number is None:
            continue
        if _suffix(match) not in ("", "a"):
            # "[12b]" after "[12a]" (or "[12]"): one more item of the run that took 12.
            held = expecting.get(number + 1)
            if held is not None and runs[held][-1][1] == str(number):
                runs[held].append((index, str(number), match["rest"]))
            continue
        held = expecting.pop(number, None)
        if held is not None and index - runs[held][-1][0] > _ITEM_SPAN:
            held = None  # too far from the number before: no item is that long
        if held is not None:
            runs[held].append((index, str(number), match["rest"]))
        elif number == 1 or not (runs or numbered is _LETTERED):
            held = len(runs)
            runs.append([(index, str(number), match["rest"])])
        else:
            continue
        last = max(number, int(match.groupdict().get("to") or 0))  # "[1–3]": 4 is next
        other = expecting.get(last + 1)
        # Two runs waiting for the same number: the longer one takes it, else the older —
        # unless a heading stands between them (sections each numbered from 1: the lone
        # "1." of one section is no start of a run that the next section's "2." goes on).
        if (
            other is None
            or len(runs[held]) > len(runs[other])
            or (len(runs[held]) == len(runs[other]) and runs[other][-1][0] < heading)
        ):
            expecting[last + 1] = held
    return runs


def _caret_starts(lines: list[str]) -> dict[int, str]:
    starts: dict[int, str] = {}
    for index, line in enumerate(lines):
        match = _CARET.match(line)
        if match:
            rest = match["rest"]
            if match["num"]:
                rest = _strip_numbered_backlinks(match["num"], rest)
            starts[index] = _strip_letters(rest).strip()
    return starts


#: How many wrapped lines after a numbered line count towards reading it as a citation.
_WRAPPED_LINES = 8


def _wrapped_text(lines: list[str], index: int, rest: str, stop: int) -> str:
    """A numbered line's text with the lines that continue it (up to ``stop``, the next
    number, a blank line or a heading): a list pasted from a PDF or a text dump wraps its
    items, and the year or DOI that makes an item read as a citation is often on the
    second or third line."""
    parts = [rest]
    for at in range(index + 1, min(stop, index + 1 + _WRAPPED_LINES, len(lines))):
        line = lines[at]
        if not line.strip() or _heading(lines, at) or _LIST_NUMBER.match(line):
            break
        parts.append(line.strip())
    return " ".join(parts)


def _numbered_starts(lines: list[str]) -> tuple[dict[int, str], re.Pattern[str]]:
    """The first lines of a numbered list's items (by index) and their text after the
    number: numbers in any punctuated form, else a run of numbers without punctuation,
    else a run of letters (``a.``, ``(b)``) or Roman numerals (``i.``, ``ii.``); and the
    pattern of the list's numbers."""
    for numbered, value in (
        (_NUMBERED, _number),
        (_BARE_NUMBERED, _number),
        (_LETTERED, _letter),
        (_LETTERED, _roman),
    ):
        starts = _numbered_starts_by(lines, numbered, value)
        if starts:
            return starts, numbered
    return {}, _NUMBERED


def _numbered_starts_by(
    lines: list[str],
    numbered: re.Pattern[str],
    value: Callable[[re.Match[str]], int | None],
) -> dict[int, str]:
    starts: dict[int, str] = {}
    runs = _numbered_runs(lines, numbered, value)
    # One numbered line is a list only when it is the whole text (a single reference,
    # maybe wrapped): in a longer text it is a reference that starts with a number, or a
    # wrapped line that does ("12. Jahrgang"), and taking it for a list joined every
    # other line into it.
    short = sum(1 for line in lines if line.strip()) <= _WRAPPED_LINES + 1
    if (
        numbered is _NUMBERED
        and len(runs) > 2
        and all(len(run) == 1 and run[0][1] == "1" for run in runs)
    ):
        # Markdown's lazy numbering ("1." before every item; a page shows 1, 2, 3): one
        # list, each "1." an item of it.
        runs = [[run[0] for run in runs]]
    lone: list[list[tuple[int, str, str]]] = []  # runs of one "1." / "a.", kept for later
    for run in runs:
        if len(run) < 2 and not (short and len(runs) == 1 and _alone_ok(lines[run[0][0]])):
            lone.append(run)
            continue
        if numbered is _BARE_NUMBERED and run[0][1] != "1" and len(run) < 3:
            # Bare numbers from the middle of a list ("12 Arden T", "13 Corwin P", "14 …"):
            # two in a row may be two references that start with a number of their own.
            continue
        stops = [index for index, _, _ in run[1:]] + [len(lines)]
        hits = sum(
            1
            for (index, _, rest), stop in zip(run, stops, strict=True)
            if not _SECTION_TITLE.match(rest)
            and _CITATION_HINT.search(_wrapped_text(lines, index, rest, stop))
        )
        if 2 * hits >= len(run):
            for index, number, rest in run:
                starts[index] = _strip_numbered_backlinks(number, rest).strip()
    # A section of one reference, numbered from 1 (or lettered from a) again under its
    # heading: an item, with its wrapped lines — in a list that is one, or when two
    # sections or more are such.
    sections = {index: rest.strip() for [(index, number, rest)] in lone if number == "1"}
    sections = {
        index: rest
        for index, rest in sections.items()
        if _under_heading(lines, index)
        and not _SECTION_TITLE.match(rest)
        and _CITATION_HINT.search(_wrapped_text(lines, index, rest, len(lines)))
    }
    if starts or len(sections) > 1:
        starts.update(sections)
    return _after_gaps(lines, starts, numbered, value) if starts else starts


def _is_heading_text(text: str) -> bool:
    """Whether ``text`` reads as a heading of a list or of a section of it ("Books")."""
    return bool(_HEADINGS.match(text) or _SECTION.match(text))


def _under_heading(lines: list[str], index: int) -> bool:
    """Whether the non-empty line before ``lines[index]`` is a heading."""
    before = next((j for j in range(index - 1, -1, -1) if lines[j].strip()), None)
    return before is not None and _heading(lines, before)


#: The title of an article's numbered section ("1. Introduction", "2. Materials and
#: methods"): a few words without digits or a closing full stop.  The year that the
#: section's text holds does not make it a citation.
_SECTION_TITLE = re.compile(r"^[^\W\d_][^\W\d_'’-]*(?:\s+[^\W\d_][^\W\d_'’-]*){0,3}\s*:?$")


#: The most numbers missing between two items of a list (references taken out).
_GAP = 10


def _form(line: str, match: re.Match[str]) -> str:
    """How a list number is set: ``N.``, ``[N]``, ``(N)``, ``N)`` …"""
    return re.sub(r"\d+", "N", line[: match.start("rest")].strip())


def _after_gaps(
    lines: list[str],
    starts: dict[int, str],
    numbered: re.Pattern[str],
    value: Callable[[re.Match[str]], int | None],
) -> dict[int, str]:
    """``starts`` with the items numbered after a gap (``1. 2. 5. 6.``: references taken
    out of the list): a line numbered as the list's items are (the same form, no deeper),
    with a number above the item's before it by at most :data:`_GAP` and below the one
    after it, after a line that ends a reference, reading like a citation.  Their
    wrapped lines were items of their own and the numbered lines article text."""
    known = sorted(starts)
    numbers: dict[int, int] = {}
    forms: set[str] = set()
    indent = max(_indent(lines[index]) for index in known)
    for index in known:
        match = numbered.match(lines[index])
        number = value(match) if match else None
        if match is None or number is None:
            return starts
        numbers[index] = max(number, int(match.groupdict().get("to") or 0))
        forms.add(_form(lines[index], match))
    out = dict(starts)
    for index in range(known[0] + 1, len(lines)):
        match = numbered.match(lines[index]) if index not in out else None
        number = value(match) if match else None
        if (
            match is None
            or number is None
            or _form(lines[index], match) not in forms
            or _indent(lines[index]) > indent
            or _SECTION_TITLE.match(match["rest"])  # "4. Appendix"
        ):
            continue
        at = bisect.bisect(known, index)
        before, after = known[at - 1], known[at] if at < len(known) else None
        if not numbers[before] < number <= numbers[before] + _GAP or (
            after is not None and number >= numbers[after]
        ):
            continue
        stop = after if after is not None else len(lines)
        if _mid_reference(lines[index - 1]) or not _CITATION_HINT.search(
            _wrapped_text(lines, index, match["rest"], stop)
        ):
            continue
        out[index] = match["rest"].strip()
        numbers[index] = number
        known.insert(at, index)
    return out


def _alone_ok(line: str) -> bool:
    """Whether the number of a text's only numbered line is a list number: ``1.``,
    ``[1]``, ``a.``, ``(i)`` — not a bare ``1`` (a reference may start with a number) nor
    ``I.`` (an initial: "I. Newton")."""
    if _NUMBERED.match(line):
        return True
    lettered = _LETTERED.match(line)
    return lettered is not None and not lettered["l4"]


def _lead_in(lines: list[str], first: int) -> list[int]:
    """Unmarked lines just before a numbered list that read like citations (its first items).

    A list whose first references lost their numbers (``1.`` only on the third line) must
    not lose them: the lines right above the first number, up to a blank line or a
    heading, are items when each reads like a citation.
    """
    out: list[int] = []
    index = first - 1
    while index >= 0:
        line = lines[index]
        if not line.strip() or _heading(lines, index) or not _CITATION_HINT.search(line):
            break
        out.insert(0, index)
        index -= 1
    return out


def _gather(
    lines: list[str], starts: dict[int, str], marker: str, numbered: re.Pattern[str] = _NUMBERED
) -> FoundList:
    """Items from their first lines, with what follows them in the reference list.

    After an item, an indented line continues it (a wrapped line of a text dump) — in a
    numbered list an unindented one too, when it is not a heading; an unindented line
    that reads as a citation of its own (``Author (2001).``, an ISBN, a DOI) is an item
    too — a "Sources" list after short-citation notes.  Other non-empty lines between the
    first and the last marked item are returned as *skipped* (the caller warns); those
    before and after the list (the article's text) as *unread*.  The list ends at
    "External links" and the like.
    """
    items: list[Item] = []
    skipped: list[Item] = []
    unread: list[int] = []
    first, last_start = min(starts), max(starts)
    lead_in = _lead_in(lines, first) if marker == "number" else []
    for index in lead_in:
        items.append(Item(index + 1, lines[index].strip(), lines[index].strip(), marker))
    unread.extend(_unread(lines, 0, lead_in[0] if lead_in else first))
    in_item = False  # is the previous line part of the last item?
    item_indent = 0  # the last item's first line's indent
    item_line = ""  # the last item's last line (a page's furniture after it skipped)
    labels: list[int] = []
    furniture: list[Item] = []
    rhythm = _rhythm(lines, sorted(starts)) if marker == "number" else 1
    taken = 0  # the lines of the last item, while no blank line came after its start
    for index in range(first, len(lines)):
        line = lines[index]
        stripped = line.strip()
        if not stripped:
            taken = 0
        if index not in starts and is_label_line(stripped):
            labels.append(index + 1)
        elif index not in starts and in_item and is_page_furniture(stripped):
            # A page break inside the list: the item goes on after the page's furniture.
            furniture.append(Item(index + 1, stripped, stripped, marker))
        elif index in starts:
            items.append(Item(index + 1, starts[index], stripped, marker))
            in_item, item_indent, item_line, taken = True, _indent(line), line, 1
        elif _END_HEADINGS.match(line) or (
            index > last_start and (_CAPTION.match(line) or _other_section(lines, index))
        ):
            unread.extend(_unread(lines, index, len(lines)))
            break
        elif (
            in_item
            and index > last_start
            and 0 < taken < rhythm
            and not _heading(lines, index)
            and not _LIST_NUMBER.match(line)
        ):
            # The list's items are wrapped ("Title." / "Journal, 62(5), 601–608."): the
            # last one goes on for as many lines as the items before it, to a blank line.
            items[-1] = _joined(items[-1], stripped)
            item_line = line
            taken += 1
        elif (
            in_item
            and marker == "number"
            and index > last_start
            and _mid_reference(item_line)
            and not starts_like_reference(stripped)
            and not _heading(lines, index)
            and not _LIST_NUMBER.match(line)
        ):
            # The last item stopped mid-sentence ("… Fict Hist", a page break after it):
            # what follows, unless it starts a reference, is its rest ("Q. 1998;3:11-20.").
            items[-1] = _joined(items[-1], stripped)
            taken += bool(taken)
            item_line = line
        elif (
            in_item
            and (
                line[:1].isspace()
                or (
                    marker == "number"
                    and (index <= last_start or _wraps_last(lines[index - 1], line))
                )
            )
            and stripped
            and not _heading(lines, index)
            and not (
                marker == "number"
                and index + 1 in starts
                and _stray_heading(items[-1].text, stripped)
            )
            # A number that is not the list's: a new item, unless the line is indented
            # under the item ("   1. Aufl. 2001." wraps "1. Arden T. …").
            and not (_LIST_NUMBER.match(line) and _indent(line) <= item_indent)
            # After the list, an unindented citation is one of its own (a "Sources" list
            # after short-citation notes); inside it, a wrapped line of a numbered item
            # that holds "(1989)" is not.
            and not (
                line[:1] != " "
                and (marker != "number" or index > last_start)
                and _STANDALONE_CITATION.search(line)
                and not _cannot_start(line)
                and not (marker == "number" and identifiers_only(line))
            )
        ):
            items[-1] = _joined(items[-1], stripped)
            taken += bool(taken)
            item_line = line
        elif stripped and not _heading(lines, index) and _STANDALONE_CITATION.search(line):
            items.append(Item(index + 1, _unnumbered(line, marker, numbered), stripped, marker))
            in_item, taken = True, 0
        elif (
            marker == "number"
            and stripped
            and not _heading(lines, index)
            and _CITATION_HINT.search(line)
            and (index < last_start or numbered.match(line) or in_item)
        ):
            # A numbered line out of sequence, or a citation right after the list: an item
            # too.  After a blank line, a line with a year and no more of a citation is
            # the article's text ("Received 5 May 2024."), not a reference (it is unread).
            items.append(Item(index + 1, _unnumbered(line, marker, numbered), stripped, marker))
            in_item, taken = True, 0
        else:
            if stripped and not _heading(lines, index):
                if index < last_start:
                    skipped.append(Item(index + 1, stripped, stripped, marker))
                else:
                    unread.append(index + 1)
            in_item = False
    return FoundList(items, skipped, unread, tuple(labels), tuple(furniture))


#: How a whole reference ends: a page, a year or a volume and a full stop, or a bracket.
_COMPLETE = re.compile(r"(?:\d|\))\.?$")


def _stray_heading(text: str, line: str) -> bool:
    """Whether ``line``, right before a numbered item (the caller knows), is a heading of
    a kind not known (``Our own group``) rather than a wrapped line of the item ``text``:
    the item has ended (a year in it; a page, year or bracket and a full stop at its end)
    and the line
    is a few capitalised words without a citation's marks or a closing full stop.  It was
    joined to the item (the title "A made-up trial of nothing. Our own group"); now it is
    reported as a line not read."""
    words = line.split()
    return (
        len(words) <= 6
        and len(line) <= 60
        and line[:1].isupper()
        and line[-1] not in ".,;"
        and _CITATION_HINT.search(line) is None
        and not identifiers_only(line)
        and _COMPLETE.search(text) is not None
        and _CITATION_HINT.search(text) is not None
    )


def _unnumbered(line: str, marker: str, numbered: re.Pattern[str]) -> str:
    """A line of a numbered list that is an item of its own outside the list's runs (a
    section of one reference numbered from 1 again — or lettered from "a." again —, a
    number out of sequence, a bulleted line after the list) without its list number or
    bullet, which is no part of the reference ("1. Grant, H. (2010)…"); ``numbered`` is
    the pattern of the list's numbers."""
    match = numbered.match(line) if marker == "number" else None
    text = match["rest"].strip() if match else line.strip()
    bullet = _BULLET.match(text)  # "• Farrow Q (2021)…" in a "Further reading" list
    return bullet["rest"].strip() if bullet else text


def _rhythm(lines: list[str], starts: list[int]) -> int:
    """How many lines the last item of a numbered list is taken to span at least: the
    median count of the non-empty lines of the items before it, when most of them wrap
    (a list pasted from a narrow column wraps each item alike); else 1.  After the last
    number nothing else says where the list ends, and a wrapped last line that starts
    with a capital ("Fict Med Rev. 2019;12:44-50.") became an item of its own."""
    spans = [
        sum(1 for line in lines[a:b] if line.strip() and not is_label_line(line.strip()))
        for a, b in itertools.pairwise(starts)
    ]
    spans = [span for span in spans if span <= _WRAPPED_LINES]
    if not spans or 2 * sum(1 for span in spans if span > 1) < len(spans):
        return 1
    return sorted(spans)[(len(spans) - 1) // 2]


def _joined(item: Item, wrapped: str) -> Item:
    """``item`` with a wrapped line of it (stripped) joined on (:func:`join_wrapped`: a URL,
    DOI or word that the column cut stays whole); ``raw`` with a blank, as it was."""
    return Item(item.line, join_wrapped(item.text, wrapped), f"{item.raw} {wrapped}", item.marker)


def _unread(lines: list[str], start: int, stop: int) -> list[int]:
    """1-based numbers of the non-empty, non-heading lines ``start`` ≤ index < ``stop``."""
    return [
        index + 1
        for index in range(start, stop)
        if lines[index].strip()
        and not _heading(lines, index)
        and not _END_HEADINGS.match(lines[index])
    ]


#: A run of blanks inside a line; one blank (its first) stands for it.  Many patterns of
#: the readers start with ``\s*`` and are searched at every offset, so a long run made
#: each search quadratic in it (200 KB of blanks in one item took minutes).
_BLANK_RUN = re.compile(r"([^\S\n])[^\S\n]+")


# A list number inside an item's text: "… 2001;4:10-19. 2. Roe K. …", "… [3] Loe M. …".
# Years ("2004. Reactive…") and dates ("v. 1. 3. 1996") are not list numbers.
_INLINE_NUMBER = re.compile(
    r"(?:^|(?<=\s))(?:\[(?P<b>\d{1,4})\]|" + _NOT_YEAR + r"(?P<n>\d{1,4})\.)\s+(?=[^\s\d])"
)


def _after_sentence(text: str, start: int) -> bool:
    """Whether the list number at ``start`` follows the end of a sentence (``.``, ``)``
    or ``]`` and a blank)."""
    return start >= 2 and text[start - 2] in ".)]"


def _run_on(item: Item) -> list[Item]:
    """An item that holds several numbered references run together on one line (a list
    copied from a web page or a PDF that lost its line breaks) as one item each.

    Split only at a chain of at least two consecutive list numbers (:func:`_chain`), each
    followed by something that is not a lower-case word, most of them (and at least one)
    right after the end of a sentence; the chain's first number follows the start of the
    text, the end of a sentence or a "References" heading.  Text before the chain that is
    not a heading stays an item.  A numbered item's own number (taken off its text) counts
    as the chain's first: "1. Arden … 601-8. 2. Corwin …" is two references — when the one
    number in the text follows a reference's end and precedes a reference's start (not
    "… Vol. 2. London: …").
    """
    if item.marker == "caret" or len(item.text) < 40:
        return [item]
    text = item.text
    marks = [
        (int(m["b"] or m["n"]), m.start(), m.end())
        for m in _INLINE_NUMBER.finditer(text)
        if not text[m.end()].islower()
    ]
    own = _NUMBERED.match(item.raw) if item.marker == "number" and marks else None
    if own is not None:
        marks.insert(0, (_number(own), 0, 0))
    if len(marks) < 2:
        return [item]
    best = _chain(text, marks)
    if (
        own is not None
        and len(best) == 2
        and best[0][1:] == (0, 0)
        and not _next_reference(text[: best[1][1]], text[best[1][2] :])
    ):
        return [item]
    # Most numbers of the chain must follow the end of a sentence: "Vol. 2. Part 3." is
    # one reference.
    linked = sum(1 for _, start, _ in best[1:] if _after_sentence(text, start))
    if len(best) < 2 or 2 * linked < len(best) - 1 or not linked:
        return [item]
    parts: list[Item] = []
    prefix = text[: best[0][1]].strip()
    if prefix and not _HEADINGS.match(prefix):
        parts.append(Item(item.line, prefix, item.raw, item.marker))
    ends = [start for _, start, _ in best[1:]] + [len(text)]
    for (_, _, begin), end in zip(best, ends, strict=True):
        piece = text[begin:end].strip()
        if piece:
            parts.append(Item(item.line, piece, item.raw, item.marker or "number"))
    return parts


def _next_reference(before: str, after: str) -> bool:
    """Whether the text ``after`` a number inside an item is a reference of its own, run
    on after the one ``before`` it: ``before`` ends as a reference may (not "… Vol."),
    ``after`` starts as a reference does and is as long as one, with a year or an
    identifier ("2. Aufl. 2019." is an edition)."""
    return (
        not ends_open(before)
        and starts_like_reference(after)
        and len(after) >= 30
        and _CITATION_HINT.search(after) is not None
    )


def _chain(text: str, marks: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The longest chain of list numbers n, n+1, n+2 … in text order (up to two in a row
    may be missing: a reference whose own text starts like a number stays with the one
    before), preferring, among chains as long, the one whose numbers follow the ends of
    sentences (``… 2001;4:10-19. 2. Poe K``) over numbers inside a reference (``… Vol. 2.
    Part``).

    One pass over the marks, keeping per number the best chain that ends with it, so a
    hostile line of many numbers costs linear time.
    """

    # Per number: (length, sentence ends, index of its mark) of the best chain ending there.
    best: dict[int, tuple[int, int, int]] = {}
    link: list[int | None] = [None] * len(marks)
    lead = len(text) - len(text.lstrip())
    for index, (value, start, _) in enumerate(marks):
        ends = int(_after_sentence(text, start))
        options: list[tuple[int, int, int | None]] = []
        for gap in (1, 2, 3):
            held = best.get(value - gap)
            if held is not None:
                options.append((held[0] + 1, held[1] + ends - (gap - 1), held[2]))
        if start <= lead or ends or (start < 80 and _HEADINGS.match(text[:start])):
            options.append((1, ends, None))
        if not options:
            continue
        length, score, back = max(options, key=lambda o: (o[0], o[1]))
        if (length, score) > best.get(value, (0, -1, 0))[:2]:
            best[value] = (length, score, index)
            link[index] = back
    if not best:
        return []
    _, _, index = max(best.values(), key=lambda b: (b[0], b[1], -b[2]))
    chain: list[tuple[int, int, int]] = []
    at: int | None = index
    while at is not None:
        chain.append(marks[at])
        at = link[at]
    return chain[::-1]


def _plain(item: Item) -> Item:
    """The item's text without Markdown's emphasis marks and link brackets (a reference
    list in a README or a documentation page) and without a web page's link labels at
    its end (``[PubMed] [Google Scholar]``); ``raw`` keeps them."""
    text = without_labels(item.text) if "]" in item.text or " - " in item.text else item.text
    if "[" in text and "](" in text:
        text = _MD_LINK.sub(r"\g<text> \g<url>", text)
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub(r"\g<inner>", text)
    return item if text == item.text else Item(item.line, text, item.raw, item.marker)


def find_items(text: str) -> tuple[list[Item], list[Item]]:
    """The references of ``text``, one :class:`Item` each, and the lines skipped in the list.

    :func:`find_list` without the lines outside the list.
    """
    found = find_list(text)
    return found.items, found.skipped


def find_list(text: str) -> FoundList:
    """The references of ``text``, the lines skipped in the list, and those outside it.

    The first form found decides: lines with a ``^`` back-link caret; else runs of
    numbered items (``1.``, ``[3]``, ``(4)``, ``96.``) whose lines mostly look like
    citations (a year, quotes, an identifier); else the lines after the first
    "References"-like heading, or every non-empty line when the text has no such heading.
    A *skipped* line is a non-empty line inside the list that was not read as (part of) a
    reference: the caller reports it, nothing is dropped silently.  The other non-empty
    lines (not headings) are *unread*: the article around the list, reported in one note.
    """
    found = _find_list(text)
    return found._replace(items=[_plain(part) for item in found.items for part in _run_on(item)])


def _find_list(text: str) -> FoundList:
    """:func:`find_list` before the items' Markdown marks are taken out."""
    # Lines as an editor counts them: "\n" ends a line (str.splitlines also splits at
    # form feeds and other separators, which would shift every line number after them).
    if ".mw-" in text:  # a text dump with the citation style sheet: drop it, keep the lines
        text = _CSS.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    lines = [_BLANK_RUN.sub(r"\1", line.rstrip("\r")) for line in text.split("\n")]
    # Quote marks first: an invisible character may stand after them ("> \u200bb. …").
    lines = [_visible(line) for line in _unquoted(lines)]
    lines = _plain_numbers(without_line_numbers(lines, _is_heading_text))
    if has_markup(text):  # a list pasted with its HTML tags (a page's source, an e-mail)
        lines = [without_markup(line) for line in lines]
    lines = attach_numbers(lines, _HEADINGS)  # "[1]" alone, the reference below (web pages)
    carets = _caret_starts(lines)
    if carets:
        return _gather(lines, carets, "caret")
    numbered, pattern = _numbered_starts(lines)
    if numbered:
        return _gather(lines, numbered, "number", pattern)
    # No markers: a plain list, or an article whose list follows a "References" heading —
    # there, a line must read like a citation (the section may hold other text).
    begin = next((i + 1 for i, line in enumerate(lines) if _HEADINGS.match(line)), 0)
    if begin and _list_before(lines, begin - 1):
        begin = 0  # "Further reading" after sections of the list ("Chapter 3", "2021")
    items: list[Item] = []
    skipped: list[Item] = []
    unread = _unread(lines, 0, begin)
    previous = ""  # the line before, when it is part of the last item
    first = ""  # the last item's first line, as it was (its indent)
    bulleted = False  # whether the last item started with a bullet
    # A bulleted list (Markdown's lazy continuation: an item runs on to the next bullet)
    # only when bullets mark the list: a reference or a wrapped line that happens to
    # start with "- " in an unbulleted list must not swallow the lines after it.
    region = [
        lines[index]
        for index in range(begin, len(lines))
        if lines[index].strip()
        and not _heading(lines, index)
        and not is_label_line(lines[index].strip())
    ]
    bullets = sum(1 for line in region if _BULLET.match(line))
    unmarked = sum(1 for line in region if not line[:1].isspace() and not _BULLET.match(line))
    bullet_list = bullets >= 2 and 3 * bullets >= unmarked
    # A list cut at a column's width without indent or marker (a PDF's copy): where a
    # line is full, the reference goes on unless the next line starts a new one.
    width = None if bullet_list else wrap_width(region)
    # Wrapped references with a blank line after each (an e-mail, a web page's
    # paragraphs): the blank lines say where they end, every line between goes on — when
    # the lines were cut at one column's width; else (each paragraph's short last line
    # hides the width) a line goes on unless it starts a reference of its own.
    paragraphs = _blank_separated(lines[begin:])
    # A list whose references start with their authors ("Arden, T., Bexley, M., 2018."):
    # a line that does not start so, whose first word would not have fitted on the line
    # before (the column was full), of a reference that has not ended, goes on with it
    # ("Journal of Synthetic Health 62, 601–608.", cut by a PDF's column).
    opening = sum(1 for line in region if _author_start(line))
    author_first = opening >= 2 and 4 * opening >= len(region)  # items of up to 4 lines
    longest = max((len(line.strip()) for line in region), default=0)
    labels: list[int] = []
    for index in range(begin, len(lines)):
        line = lines[index]
        stripped = line.strip()
        if _END_HEADINGS.match(line) or (
            items and (_CAPTION.match(line) or _other_section(lines, index))
        ):
            unread.extend(_unread(lines, index, len(lines)))
            break
        if not stripped or _heading(lines, index) or is_label_line(stripped):
            if stripped and not _heading(lines, index):
                labels.append(index + 1)
            previous = ""
            continue
        bullet = _BULLET.match(line)
        lazy = bulleted and bullet_list
        wrapped = bool(previous) and (
            (
                width is not None
                and (paragraphs or wraps(previous, line, width))
                # A paragraph of several references (a section of the list): one that
                # starts with its authors after a line that ends one does not go on.
                and not (paragraphs and _author_start(line) and _COMPLETE.search(previous.rstrip()))
            )
            or (
                width is None
                and paragraphs
                and paragraph_goes_on(previous, line, bool(_CITATION_HINT.search(line)))
            )
        )
        unfinished = (
            bool(previous)
            and author_first
            and len(previous.strip()) + 1 + len(stripped.split()[0]) > longest
            and not starts_like_reference(line)
            and _unfinished(items[-1].text, line)
        )
        if (
            previous
            and not bullet
            and (lazy or _continues(first, previous, line) or wrapped or unfinished)
        ):
            # A bullet's item runs on to the next bullet or blank line (Markdown's lazy
            # continuation); other items by _continues.
            items[-1] = _joined(items[-1], stripped)
            previous = line
        elif (
            bullet
            or begin == 0
            or _CITATION_HINT.search(line)
            # Under a heading, a reference whose year the column put on its next line.
            or (author_first and _author_start(line))
        ):
            text = bullet["rest"].strip() if bullet else stripped
            items.append(Item(index + 1, text, stripped, "bullet" if bullet else ""))
            previous = first = line
            bulleted = bullet is not None
        else:
            skipped.append(Item(index + 1, stripped, stripped))
            previous = ""
    return FoundList(items, skipped, unread, tuple(labels))


#: Characters that a word processor or a web page hides at a line's start (zero-width
#: space, word joiner, a byte order mark): before the list number, they hid it.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))


def _visible(line: str) -> str:
    """``line`` without invisible characters among its leading blanks, so that its list
    number or bullet is seen (inside the text they are the readers' to take out)."""
    rest = line.lstrip(" \t\u00a0\u200b\u2060\ufeff")
    lead = line[: len(line) - len(rest)]
    return lead.translate(_INVISIBLE) + rest if lead else line


#: A list number written another way: full-width ("１．", "［１］", "（１）") or circled
#: ("①") as East Asian text sets it, "#1", "Ref. 1:", "No. 1", a Markdown footnote "[^1]:".
_OTHER_NUMBER = re.compile(
    r"^(?P<lead>\s*)(?:(?P<wide>[［（]?[０-９]{1,4}[．.）)］]?|[①-⑳])"
    r"|(?:#|(?:Ref(?:erence)?|No|Nr)\.?\s?)(?P<n>\d{1,4})\s?[.:)]?"
    r"|\[\^(?P<note>\d{1,4})\]:)(?=\s)"
)


def _plain_numbers(lines: list[str]) -> list[str]:
    """``lines`` with list numbers written another way (:data:`_OTHER_NUMBER`) as ``1.``
    (or, full-width, as their ASCII form), when two lines are numbered so (one in a
    text of one reference): read
    as text, "#1 Arden T" gave the author "{#1 Arden T}" and "①" hid the numbering."""
    matches = [_OTHER_NUMBER.match(line) for line in lines]
    # Two numbered so, or one in a text of one reference ("#1 Arden T, …" alone).
    short = sum(1 for line in lines if line.strip()) <= _WRAPPED_LINES + 1
    if sum(1 for match in matches if match) < (1 if short else 2):
        return lines
    return [
        line
        if match is None
        else match["lead"]
        + (
            unicodedata.normalize("NFKC", match["wide"])
            if match["wide"]
            else f"{match['n'] or match['note']}."
        )
        + line[match.end() :]
        for line, match in zip(lines, matches, strict=True)
    ]


#: An e-mail's quoting marks ("> ", "> > ") at a line's start.
_QUOTED = re.compile(r"^[ \t]*>(?:[ \t]?>)*[ \t]?")


def _unquoted(lines: list[str]) -> list[str]:
    """``lines`` without an e-mail's quoting marks, when a list was pasted from a quoted
    reply (at least two lines and a third of the non-empty ones quoted): ``> 1. Arden T``
    read as text made "> References" an entry and "> 1. Arden T" its first author."""
    quoted = sum(1 for line in lines if _QUOTED.match(line))
    filled = sum(1 for line in lines if line.strip())
    if quoted < 2 or 3 * quoted < filled:
        return lines
    return [_QUOTED.sub("", line, count=1) for line in lines]


_YEAR_IN = re.compile(r"\b(?:1[5-9]\d\d|20\d\d)\b")


def _unfinished(text: str, line: str) -> bool:
    """Whether the reference ``text`` has not ended where ``line`` follows it: it does not
    end as a whole reference does (a page or a year and a full stop: ``601–608.``; a URL
    or a DOI), and
    the two do not both hold a year (a reference has one; an undated one after a dated
    one is a reference of its own)."""
    last = text.rsplit(maxsplit=1)[-1]
    return (
        _COMPLETE.search(text) is None
        and "/" not in last  # a URL or a DOI ends it
        and not (_YEAR_IN.search(text) and _YEAR_IN.search(line))
    )


def _author_start(line: str) -> bool:
    """Whether ``line`` starts as a reference does with its authors (not with a list
    number: "2. Ibid., 47." in a list not taken for a numbered one is no author's)."""
    return starts_like_reference(line) and not _LIST_NUMBER.match(line)


def _list_before(lines: list[str], heading: int) -> bool:
    """Whether the lines before the list's first heading (``lines[heading]``, say
    "Further reading") are references too, under headings of sections of the list
    ("Chapter 3", "2021", "Books"): one such heading stands before them, and a quarter of
    their lines (references of up to four lines) start with authors.  An article's text
    before its "References" was not read; this list's first sections were lost with it."""
    before = [index for index in range(heading) if lines[index].strip()]
    sections = [index for index in before if _section_heading(lines, index)]
    if not sections:
        return False
    text = [index for index in before if index > sections[0] and not _heading(lines, index)]
    opening = sum(1 for index in text if _author_start(lines[index]))
    return opening >= 1 and 4 * opening >= len(text)


def _blank_separated(lines: list[str]) -> bool:
    """Whether blank lines part ``lines`` into paragraphs of several lines: at least three
    paragraphs, most of more than one line (one reference per line grouped into sections
    is not this: its paragraphs' lines are whole references)."""
    sizes: list[int] = []
    size = 0
    for line in [*lines, ""]:
        if line.strip():
            size += 1
        elif size:
            sizes.append(size)
            size = 0
    return len(sizes) >= 3 and 2 * sum(1 for n in sizes if n > 1) > len(sizes)


def _indent(line: str) -> int:
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


def _continues(first: str, previous: str, line: str) -> bool:
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
    if _indent(line) > _indent(first):
        return True
    if identifiers_only(line):
        return not identifiers_only(previous)
    tail = previous.rsplit(maxsplit=1)[-1]
    if tail.casefold() in _OPEN_WORDS:
        return True  # "… Journal of" / "Synthetic Health, 62(5), 601-608."
    if "/" in tail or not (tail[-1].isalpha() or tail[-1] in ",;:(-–—&"):
        return False
    return _cannot_start(line)


def _mid_reference(line: str) -> bool:
    """Whether ``line`` stops in the middle of a reference: it ends in a letter, a comma,
    a colon, a semicolon, an opening bracket, a dash or "&" (not in a URL)."""
    words = line.split()
    if not words or "/" in words[-1]:
        return False
    return words[-1][-1].isalpha() or words[-1][-1] in ",;:(-–&"


def _wraps_last(previous: str, line: str) -> bool:
    """Whether an unindented ``line`` right after a numbered list's last item wraps it: it
    starts with numbers (``2011;1:1-2.``), or with a lower-case word after a line that
    does not end a sentence (prose after the list starts a sentence of its own), or it
    holds only identifiers (a PDF's column put the DOI on a line of its own)."""
    if identifiers_only(line):
        return True
    if not _cannot_start(line):
        return False
    return line.lstrip()[0].isdigit() or previous.rstrip()[-1:] not in (".", "!", "?")


def split_items(text: str) -> list[Item]:
    """The references of ``text`` (see :func:`find_items`), without the skipped lines."""
    return find_items(text)[0]
