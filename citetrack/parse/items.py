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

A list number may be in any form an editor pastes (:mod:`~citetrack.parse.listmarks`);
numbering may restart in each section under a heading ("Books", "Journal articles",
"2021", "Chapter 3": :mod:`~citetrack.parse.headings`), skip numbers or number every
item ``1.`` (Markdown).  Before the list is looked for, an e-mail's quoting marks,
invisible characters before a number (:mod:`~citetrack.parse.pasted`) and a
manuscript's margin line numbers are taken off; after, references run together on one
line are cut apart (:mod:`~citetrack.parse.runon`).

Markers are stripped from the item's text; ``Item.line`` is the 1-based line where the
item starts, ``Item.raw`` the line(s) as they were.  A wrapped line continues the item
before it: an indented one, in a numbered list any line before the next number (whose
wrapped lines count when judging whether the list reads like citations), and in a list
without markers a line that cannot start a reference (:func:`~.wraps.continues`).  An
unmarked line after the list that reads like a citation (a "Sources" list after
short-citation notes) is an item too.  The style sheet that text dumps of a page print
as text (``.mw-parser-output …{…}``) is dropped.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from citetrack.parse.blocks import attach_numbers
from citetrack.parse.furniture import is_page_furniture, without_line_numbers
from citetrack.parse.headings import (
    CAPTION,
    END_HEADINGS,
    HEADINGS,
    SECTION,
    SECTION_TITLE,
    is_heading,
    is_heading_text,
    other_section,
    section_heading,
    stray_heading,
    under_heading,
)
from citetrack.parse.labels import is_label_line, without_labels
from citetrack.parse.listmarks import (
    BARE_NUMBERED,
    BULLET,
    LETTERED,
    LIST_NUMBER,
    NUMBERED,
    alone_ok,
    caret_starts,
    form_of,
    letter_of,
    number_of,
    roman_of,
    strip_numbered_backlinks,
    suffix_of,
)
from citetrack.parse.markup import has_markup, without_markup
from citetrack.parse.pasted import plain_numbers, unquoted, visible
from citetrack.parse.runon import run_on
from citetrack.parse.wraps import (
    CITATION_HINT,
    COMPLETE,
    WRAPPED_LINES,
    continues,
    identifiers_only,
    indent_of,
    join_wrapped,
    mid_reference,
    paragraph_goes_on,
    starts_like_reference,
    wrap_width,
    wraps,
    wraps_last,
)
from citetrack.parse.wraps import cannot_start as _cannot_start


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


# Markdown emphasis around words (``*Journal*``, ``__Title__``), never inside a URL or a word.
_EMPHASIS = re.compile(
    r"(?<![\w*/])(\*{1,2}|_{1,2})(?=[^\s*_])(?P<inner>[^*_\n]*?[^\s*_])\1(?![\w*/])"
)
# A Markdown link: its text, then its target.
_MD_LINK = re.compile(r"\[(?P<text>[^\[\]\n]+)\]\((?P<url>https?://[^\s()]+)\)")
# The citation style sheet that text dumps of a page print as text (keeping its line breaks).
_CSS = re.compile(r"\.mw-\s*parser-\s*output[^{}]*\{[^{}]*\}")
# A line that is a citation on its own (a "Sources" list after short-citation notes).
_STANDALONE_CITATION = re.compile(
    r"\(\s*(?:c\.\s*)?\d{4}[a-z]?\)|\bISBN\b|\bdoi:\s*10\.|\bPMID\b|^[\"“][^\"”]+[\"”]\."
)


#: The most lines one numbered item spans (a long annotated entry included).
_ITEM_SPAN = 25


def _numbered_runs(
    lines: list[str],
    numbered: re.Pattern[str] = NUMBERED,
    value: Callable[[re.Match[str]], int | None] = number_of,
) -> list[list[tuple[int, str, str]]]:
    """Runs of lines numbered n, n+1, n+2 … (other lines may stand between them).

    A run starts at 1, or — the first one — at any number, for a list copied from its
    middle (``96.``, ``[3]``, ``12 Arden T``); a run of letters (:data:`LETTERED`,
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
            HEADINGS.match(line) or END_HEADINGS.match(line) or SECTION.match(match["rest"])
        ):
            match = None  # "5. References", "204 Books": a numbered heading, no item
        number = value(match) if match else None
        if match is None and is_heading(lines, index):
            heading = index
        if match is None or number is None:
            continue
        if suffix_of(match) not in ("", "a"):
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
        elif number == 1 or not (runs or numbered is LETTERED):
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


def _wrapped_text(lines: list[str], index: int, rest: str, stop: int) -> str:
    """A numbered line's text with the lines that continue it (up to ``stop``, the next
    number, a blank line or a heading): a list pasted from a PDF or a text dump wraps its
    items, and the year or DOI that makes an item read as a citation is often on the
    second or third line."""
    parts = [rest]
    for at in range(index + 1, min(stop, index + 1 + WRAPPED_LINES, len(lines))):
        line = lines[at]
        if not line.strip() or is_heading(lines, at) or LIST_NUMBER.match(line):
            break
        parts.append(line.strip())
    return " ".join(parts)


def _numbered_starts(lines: list[str]) -> tuple[dict[int, str], re.Pattern[str]]:
    """The first lines of a numbered list's items (by index) and their text after the
    number: numbers in any punctuated form, else a run of numbers without punctuation,
    else a run of letters (``a.``, ``(b)``) or Roman numerals (``i.``, ``ii.``); and the
    pattern of the list's numbers."""
    for numbered, value in (
        (NUMBERED, number_of),
        (BARE_NUMBERED, number_of),
        (LETTERED, letter_of),
        (LETTERED, roman_of),
    ):
        starts = _numbered_starts_by(lines, numbered, value)
        if starts:
            return starts, numbered
    return {}, NUMBERED


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
    short = sum(1 for line in lines if line.strip()) <= WRAPPED_LINES + 1
    if (
        numbered is NUMBERED
        and len(runs) > 2
        and all(len(run) == 1 and run[0][1] == "1" for run in runs)
    ):
        # Markdown's lazy numbering ("1." before every item; a page shows 1, 2, 3): one
        # list, each "1." an item of it.
        runs = [[run[0] for run in runs]]
    lone: list[list[tuple[int, str, str]]] = []  # runs of one "1." / "a.", kept for later
    for run in runs:
        if len(run) < 2 and not (short and len(runs) == 1 and alone_ok(lines[run[0][0]])):
            lone.append(run)
            continue
        if numbered is BARE_NUMBERED and run[0][1] != "1" and len(run) < 3:
            # Bare numbers from the middle of a list ("12 Arden T", "13 Corwin P", "14 …"):
            # two in a row may be two references that start with a number of their own.
            continue
        stops = [index for index, _, _ in run[1:]] + [len(lines)]
        hits = sum(
            1
            for (index, _, rest), stop in zip(run, stops, strict=True)
            if not SECTION_TITLE.match(rest)
            and CITATION_HINT.search(_wrapped_text(lines, index, rest, stop))
        )
        if 2 * hits >= len(run):
            for index, number, rest in run:
                starts[index] = strip_numbered_backlinks(number, rest).strip()
    # A section of one reference, numbered from 1 (or lettered from a) again under its
    # heading: an item, with its wrapped lines — in a list that is one, or when two
    # sections or more are such.
    sections = {index: rest.strip() for [(index, number, rest)] in lone if number == "1"}
    sections = {
        index: rest
        for index, rest in sections.items()
        if under_heading(lines, index)
        and not SECTION_TITLE.match(rest)
        and CITATION_HINT.search(_wrapped_text(lines, index, rest, len(lines)))
    }
    if starts or len(sections) > 1:
        starts.update(sections)
    return _after_gaps(lines, starts, numbered, value) if starts else starts


#: The most numbers missing between two items of a list (references taken out).
_GAP = 10


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
    indent = max(indent_of(lines[index]) for index in known)
    for index in known:
        match = numbered.match(lines[index])
        number = value(match) if match else None
        if match is None or number is None:
            return starts
        numbers[index] = max(number, int(match.groupdict().get("to") or 0))
        forms.add(form_of(lines[index], match))
    out = dict(starts)
    for index in range(known[0] + 1, len(lines)):
        match = numbered.match(lines[index]) if index not in out else None
        number = value(match) if match else None
        if (
            match is None
            or number is None
            or form_of(lines[index], match) not in forms
            or indent_of(lines[index]) > indent
            or SECTION_TITLE.match(match["rest"])  # "4. Appendix"
        ):
            continue
        at = bisect.bisect(known, index)
        before, after = known[at - 1], known[at] if at < len(known) else None
        if not numbers[before] < number <= numbers[before] + _GAP or (
            after is not None and number >= numbers[after]
        ):
            continue
        stop = after if after is not None else len(lines)
        if mid_reference(lines[index - 1]) or not CITATION_HINT.search(
            _wrapped_text(lines, index, match["rest"], stop)
        ):
            continue
        out[index] = match["rest"].strip()
        numbers[index] = number
        known.insert(at, index)
    return out


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
        if not line.strip() or is_heading(lines, index) or not CITATION_HINT.search(line):
            break
        out.insert(0, index)
        index -= 1
    return out


def _gather(
    lines: list[str], starts: dict[int, str], marker: str, numbered: re.Pattern[str] = NUMBERED
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
            in_item, item_indent, item_line, taken = True, indent_of(line), line, 1
        elif END_HEADINGS.match(line) or (
            index > last_start and (CAPTION.match(line) or other_section(lines, index))
        ):
            unread.extend(_unread(lines, index, len(lines)))
            break
        elif (
            in_item
            and index > last_start
            and 0 < taken < rhythm
            and not is_heading(lines, index)
            and not LIST_NUMBER.match(line)
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
            and mid_reference(item_line)
            and not starts_like_reference(stripped)
            and not is_heading(lines, index)
            and not LIST_NUMBER.match(line)
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
                    and (index <= last_start or wraps_last(lines[index - 1], line))
                )
            )
            and stripped
            and not is_heading(lines, index)
            and not (
                marker == "number"
                and index + 1 in starts
                and stray_heading(items[-1].text, stripped)
            )
            # A number that is not the list's: a new item, unless the line is indented
            # under the item ("   1. Aufl. 2001." wraps "1. Arden T. …").
            and not (LIST_NUMBER.match(line) and indent_of(line) <= item_indent)
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
        elif stripped and not is_heading(lines, index) and _STANDALONE_CITATION.search(line):
            items.append(Item(index + 1, _unnumbered(line, marker, numbered), stripped, marker))
            in_item, taken = True, 0
        elif (
            marker == "number"
            and stripped
            and not is_heading(lines, index)
            and CITATION_HINT.search(line)
            and (index < last_start or numbered.match(line) or in_item)
        ):
            # A numbered line out of sequence, or a citation right after the list: an item
            # too.  After a blank line, a line with a year and no more of a citation is
            # the article's text ("Received 5 May 2024."), not a reference (it is unread).
            items.append(Item(index + 1, _unnumbered(line, marker, numbered), stripped, marker))
            in_item, taken = True, 0
        else:
            if stripped and not is_heading(lines, index):
                if index < last_start:
                    skipped.append(Item(index + 1, stripped, stripped, marker))
                else:
                    unread.append(index + 1)
            in_item = False
    return FoundList(items, skipped, unread, tuple(labels), tuple(furniture))


def _unnumbered(line: str, marker: str, numbered: re.Pattern[str]) -> str:
    """A line of a numbered list that is an item of its own outside the list's runs (a
    section of one reference numbered from 1 again — or lettered from "a." again —, a
    number out of sequence, a bulleted line after the list) without its list number or
    bullet, which is no part of the reference ("1. Grant, H. (2010)…"); ``numbered`` is
    the pattern of the list's numbers."""
    match = numbered.match(line) if marker == "number" else None
    text = match["rest"].strip() if match else line.strip()
    bullet = BULLET.match(text)  # "• Farrow Q (2021)…" in a "Further reading" list
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
    spans = [span for span in spans if span <= WRAPPED_LINES]
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
        and not is_heading(lines, index)
        and not END_HEADINGS.match(lines[index])
    ]


#: A run of blanks inside a line; one blank (its first) stands for it.  Many patterns of
#: the readers start with ``\s*`` and are searched at every offset, so a long run made
#: each search quadratic in it (200 KB of blanks in one item took minutes).
_BLANK_RUN = re.compile(r"([^\S\n])[^\S\n]+")


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


def _run_on(item: Item) -> list[Item]:
    """``item`` as the references run together in it (:func:`~.runon.run_on`), one each."""
    parts = run_on(item.text, item.raw, item.marker)
    return [Item(item.line, text, item.raw, marker) for text, marker in parts]


def _find_list(text: str) -> FoundList:
    """:func:`find_list` before the items' Markdown marks are taken out."""
    # Lines as an editor counts them: "\n" ends a line (str.splitlines also splits at
    # form feeds and other separators, which would shift every line number after them).
    if ".mw-" in text:  # a text dump with the citation style sheet: drop it, keep the lines
        text = _CSS.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    lines = [_BLANK_RUN.sub(r"\1", line.rstrip("\r")) for line in text.split("\n")]
    # Quote marks first: an invisible character may stand after them ("> \u200bb. …").
    lines = [visible(line) for line in unquoted(lines)]
    lines = plain_numbers(without_line_numbers(lines, is_heading_text))
    if has_markup(text):  # a list pasted with its HTML tags (a page's source, an e-mail)
        lines = [without_markup(line) for line in lines]
    lines = attach_numbers(lines, HEADINGS)  # "[1]" alone, the reference below (web pages)
    carets = caret_starts(lines)
    if carets:
        return _gather(lines, carets, "caret")
    numbered, pattern = _numbered_starts(lines)
    if numbered:
        return _gather(lines, numbered, "number", pattern)
    # No markers: a plain list, or an article whose list follows a "References" heading —
    # there, a line must read like a citation (the section may hold other text).
    begin = next((i + 1 for i, line in enumerate(lines) if HEADINGS.match(line)), 0)
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
        and not is_heading(lines, index)
        and not is_label_line(lines[index].strip())
    ]
    bullets = sum(1 for line in region if BULLET.match(line))
    unmarked = sum(1 for line in region if not line[:1].isspace() and not BULLET.match(line))
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
        if END_HEADINGS.match(line) or (
            items and (CAPTION.match(line) or other_section(lines, index))
        ):
            unread.extend(_unread(lines, index, len(lines)))
            break
        if not stripped or is_heading(lines, index) or is_label_line(stripped):
            if stripped and not is_heading(lines, index):
                labels.append(index + 1)
            previous = ""
            continue
        bullet = BULLET.match(line)
        lazy = bulleted and bullet_list
        wrapped = bool(previous) and (
            (
                width is not None
                and (paragraphs or wraps(previous, line, width))
                # A paragraph of several references (a section of the list): one that
                # starts with its authors after a line that ends one does not go on.
                and not (paragraphs and _author_start(line) and COMPLETE.search(previous.rstrip()))
            )
            or (
                width is None
                and paragraphs
                and paragraph_goes_on(previous, line, bool(CITATION_HINT.search(line)))
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
            and (lazy or continues(first, previous, line) or wrapped or unfinished)
        ):
            # A bullet's item runs on to the next bullet or blank line (Markdown's lazy
            # continuation); other items by continues.
            items[-1] = _joined(items[-1], stripped)
            previous = line
        elif (
            bullet
            or begin == 0
            or CITATION_HINT.search(line)
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


_YEAR_IN = re.compile(r"\b(?:1[5-9]\d\d|20\d\d)\b")


def _unfinished(text: str, line: str) -> bool:
    """Whether the reference ``text`` has not ended where ``line`` follows it: it does not
    end as a whole reference does (a page or a year and a full stop: ``601–608.``; a URL
    or a DOI), and
    the two do not both hold a year (a reference has one; an undated one after a dated
    one is a reference of its own)."""
    last = text.rsplit(maxsplit=1)[-1]
    return (
        COMPLETE.search(text) is None
        and "/" not in last  # a URL or a DOI ends it
        and not (_YEAR_IN.search(text) and _YEAR_IN.search(line))
    )


def _author_start(line: str) -> bool:
    """Whether ``line`` starts as a reference does with its authors (not with a list
    number: "2. Ibid., 47." in a list not taken for a numbered one is no author's)."""
    return starts_like_reference(line) and not LIST_NUMBER.match(line)


def _list_before(lines: list[str], heading: int) -> bool:
    """Whether the lines before the list's first heading (``lines[heading]``, say
    "Further reading") are references too, under headings of sections of the list
    ("Chapter 3", "2021", "Books"): one such heading stands before them, and a quarter of
    their lines (references of up to four lines) start with authors.  An article's text
    before its "References" was not read; this list's first sections were lost with it."""
    before = [index for index in range(heading) if lines[index].strip()]
    sections = [index for index in before if section_heading(lines, index)]
    if not sections:
        return False
    text = [index for index in before if index > sections[0] and not is_heading(lines, index)]
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


def split_items(text: str) -> list[Item]:
    """The references of ``text`` (see :func:`find_items`), without the skipped lines."""
    return find_items(text)[0]
