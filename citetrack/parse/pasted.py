"""What pasting added to a list's lines, taken off before the list is looked for.

One job: undo the paste.  An e-mail's quoting marks (``> 1. Arden T``), invisible
characters before a list number (a zero-width space, a byte order mark) and list numbers
written another way (``①``, ``１．``, ``#1``, ``Ref. 1:``) hid the list's numbers, and
the lines were read as text: "> References" an entry, "#1 Arden T" an author.
"""

from __future__ import annotations

import re
import unicodedata

from citetrack.parse.wraps import WRAPPED_LINES

#: Characters that a word processor or a web page hides at a line's start (zero-width
#: space, word joiner, a byte order mark): before the list number, they hid it.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))


def visible(line: str) -> str:
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


def plain_numbers(lines: list[str]) -> list[str]:
    """``lines`` with list numbers written another way (:data:`_OTHER_NUMBER`) as ``1.``
    (or, full-width, as their ASCII form), when two lines are numbered so (one in a
    text of one reference): read
    as text, "#1 Arden T" gave the author "{#1 Arden T}" and "①" hid the numbering."""
    matches = [_OTHER_NUMBER.match(line) for line in lines]
    # Two numbered so, or one in a text of one reference ("#1 Arden T, …" alone).
    short = sum(1 for line in lines if line.strip()) <= WRAPPED_LINES + 1
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


def unquoted(lines: list[str]) -> list[str]:
    """``lines`` without an e-mail's quoting marks, when a list was pasted from a quoted
    reply (at least two lines and a third of the non-empty ones quoted): ``> 1. Arden T``
    read as text made "> References" an entry and "> 1. Arden T" its first author."""
    quoted = sum(1 for line in lines if _QUOTED.match(line))
    filled = sum(1 for line in lines if line.strip())
    if quoted < 2 or 3 * quoted < filled:
        return lines
    return [_QUOTED.sub("", line, count=1) for line in lines]
