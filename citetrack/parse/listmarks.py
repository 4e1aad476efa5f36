"""The marks that start a list's items, and what they say: numbers, letters, bullets.

One job: tell whether a line starts with a list mark and read it — which number, letter
or Roman numeral it is, ``[12a]``'s added letter, how the number is set, a Wikipedia
item's back-links — so that :mod:`~citetrack.parse.items` can find a list's runs and
take the marks off its items.

A list number may be in any form an editor pastes: ``1.``, ``[1]``, ``(1)``, ``1)``,
``1 .``, ``[12a]``, ``[1–3]``, ``1<tab>``, a bare ``1`` or superscript ``¹``, letters
(``a.``, ``(b)``, ``C)``) and Roman numerals (``i.``, ``IV.``); ``①``, ``１．`` and
``#1`` are made ``1.`` before (:mod:`~citetrack.parse.pasted`).  A bulleted item starts
with ``-``, ``•``, ``▪`` …; a back-linked one with a caret: ``^ a b c Foss, …``.
"""

from __future__ import annotations

import re

# "^ a b", "↑", and the desktop site's copied form "^ Jump up to: a b".
_CARET = re.compile(
    r"^\s*(?:(?P<num>\d{1,4})\.\s+)?[\^↑]\s*(?:Jump up(?: to)?:?\s*(?:\^\s*)?)?(?P<rest>.*)$"
)
# "1. ", "[3] ", "(4) ", "12) ", "7<tab>" (a word processor's or spreadsheet's copy): a list
# number in any of the usual forms.
# A number may carry a letter of a reference added later ("[12a]", "12b."), or stand
# apart from its full stop or bracket ("1 .", "1.)": a word processor's own numbering).
# A bracketed number may be a range: "[1–3]" (three references merged into one item).
NUMBERED = re.compile(
    r"^\s*(?:\[(?P<n1>\d{1,4})(?:(?P<s1>[a-z])|\s?[–-]\s?(?P<to>\d{1,4}))?\]\s*"
    r"|\((?P<n2>\d{1,4})(?P<s2>[a-z])?\)\s+"
    r"|(?P<n3>\d{1,4})(?P<s3>[a-z])?(?:\s?[.)]\)?\s+|\t\s*))"
    r"(?P<rest>\S.*)$"
)
# A list lettered or numbered in Roman numerals: "a.", "b)", "(c)", "A)", "(B)", "i.",
# "iv)", "IV." — not "A. Smith": a capital letter with a full stop is an initial (a
# capital Roman numeral of two or more letters is none).  Taken only for a run a, b, c …
# (i, ii, iii …) from its start, and only when no list is numbered with digits.
LETTERED = re.compile(
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
BARE_NUMBERED = re.compile(
    r"^\s*(?P<n3>[1-9]\d{0,2}|[¹²³⁴-⁹][⁰¹²³⁴-⁹]{0,2})"
    r"(?: |\s+[-–—]\s+|[.:)]?(?=[A-ZÀ-ÖØ-Þ][a-zß-ÿ]))"
    r"(?P<rest>[^\W\d_a-zß-ÿ\s]\S*.*)$"
)
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
# A year ("2019.", "(2011)", "2005. pp. 203-214.") is where a wrapped item's line may
# start, not list number 2019: four digits count only outside 1500-2099.
NOT_YEAR = r"(?!1[5-9]\d\d\D|20\d\d\D)"
LIST_NUMBER = re.compile(
    r"^\s*(?:(?:\d{1,3}[.)]|\[\d{1,4}\]|\("
    + NOT_YEAR
    + r"\d{1,4}\))(?:\s|$)|"
    + NOT_YEAR
    + r"\d{4}[.)]\s+\S|\d{1,4}\t)"
)
# A bullet: Markdown's "- " / "* " / "+ ", a word processor's or a web page's "• ", "◦ ",
# "▪ ", "– ", "● ", "■ ", "► ", "➢ ", "✓ " …; an em dash only before a word (a dash before
# "(2020)" or "." stands for the authors of the entry before); and the letters a word
# processor's symbol-font bullets paste as, before its tab ("o", "§", "Ø", "ü"); a
# Markdown footnote's label ("[^arden2018]:").
BULLET = re.compile(
    r"^\s*(?:[-*+•◦▪▫‣·∙⁃–●○■□◆◇❖►▸▹▶➢➤→✓✔]\s+|—\s+(?=[^\W\d_])|[o§Øü]\t\s*"
    r"|\[\^[^\]\s]{1,40}\]:\s+)"
    r"(?P<rest>\S.*)$"
)


def has_list_number(line: str) -> bool:
    """Whether ``line`` starts with a list number (``3.``, ``[3]``, ``(3)``)."""
    return NUMBERED.match(line) is not None


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


def strip_numbered_backlinks(number: str, text: str) -> str:
    """Remove ``3.0 3.1 3.2`` back-links of item 3."""
    end = 0
    while (link := _BACKLINK.match(text, end)) and link["num"] == number:
        end = link.end()
    return text[end:]


def number_of(match: re.Match[str]) -> int:
    """The list number of a :data:`NUMBERED` or :data:`BARE_NUMBERED` line."""
    groups = match.groupdict()  # a bare number has only n3
    return int(
        (groups.get("n1") or groups.get("n2") or groups["n3"]).translate(_SUPERSCRIPT_DIGITS)
    )


def _marker_of(match: re.Match[str]) -> str:
    return match["l1"] or match["l2"] or match["l3"] or match["l4"]


def letter_of(match: re.Match[str]) -> int | None:
    """The place of a :data:`LETTERED` line's letter in the alphabet (``c`` → 3)."""
    mark = _marker_of(match)
    return ord(mark.lower()) - ord("a") + 1 if len(mark) == 1 and not match["l4"] else None


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}
_ROMAN_FORM = re.compile(r"^(?:l|xl|x{0,3}l?)?(?:ix|iv|v?i{0,3})$")


def roman_of(match: re.Match[str]) -> int | None:
    """The value of a :data:`LETTERED` line's Roman numeral (``iv`` → 4), if it is one."""
    mark = _marker_of(match).lower()
    if not _ROMAN_FORM.match(mark):
        return None
    values = [_ROMAN[c] for c in mark]
    return sum(-v if v < w else v for v, w in zip(values, [*values[1:], 0], strict=True))


def suffix_of(match: re.Match[str]) -> str:
    """The letter of a number like ``[12a]`` (a reference inserted after 12), or ''."""
    groups = match.groupdict()
    return groups.get("s1") or groups.get("s2") or groups.get("s3") or ""


def caret_starts(lines: list[str]) -> dict[int, str]:
    """The first lines of a back-linked list's items (by index) and their text without
    the caret and the back-links (``^ a b c``, ``3. ^ 3.0 3.1``)."""
    starts: dict[int, str] = {}
    for index, line in enumerate(lines):
        match = _CARET.match(line)
        if match:
            rest = match["rest"]
            if match["num"]:
                rest = strip_numbered_backlinks(match["num"], rest)
            starts[index] = _strip_letters(rest).strip()
    return starts


def form_of(line: str, match: re.Match[str]) -> str:
    """How a list number is set: ``N.``, ``[N]``, ``(N)``, ``N)`` …"""
    return re.sub(r"\d+", "N", line[: match.start("rest")].strip())


def alone_ok(line: str) -> bool:
    """Whether the number of a text's only numbered line is a list number: ``1.``,
    ``[1]``, ``a.``, ``(i)`` — not a bare ``1`` (a reference may start with a number) nor
    ``I.`` (an initial: "I. Newton")."""
    if NUMBERED.match(line):
        return True
    lettered = LETTERED.match(line)
    return lettered is not None and not lettered["l4"]
