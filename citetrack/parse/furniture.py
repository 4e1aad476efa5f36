"""A PDF page's running header and footer inside a reference list copied across pages.

Copied from a typeset PDF, a list that runs over a page break brings the page's
furniture with it: the running head (``14 Doe et al.``, ``Journal of X 12 (2024) 1–20``),
the foot (``Page 14 of 20``), the download stamp (``Downloaded from https://… by guest
on 5 May 2024``), a copyright line.  Joined into the reference around them, they gave it
the citing journal's name, year and pages, and check reported each as a mismatch.  Such
a line is not read as part of a reference; the caller reports it (nothing is dropped
without a word).

A manuscript under review is typeset with line numbers in its margin, one per line
(``311 1. Arden T, …`` / ``312 Health. 2018;62(5):601-8.``); pasted, they start every
line, and each was read as part of a reference (the author ``{312 Health}``).
:func:`without_line_numbers` takes them off.

The patterns are narrow on purpose: a reference's own wrapped line may look like a
running head (Elsevier ends a reference ``Journal 12 (2024) 1–20.``), so that one counts
only without a closing full stop, and an author running head only with a page number.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

_PAGE = r"(?!1[5-9]\d\d\b|20\d\d\b)\d{1,4}"
_RUNNING = re.compile(
    # "14 Doe et al." / "Doe et al. 14" / "14 Doe and Roe" / "Doe and Roe 14" (a page
    # number, never a year: "Library and Collection 1991" ends a reference)
    rf"^{_PAGE}\s+[A-Z][\w'’-]+(?:\s+(?:et\s+al\.?|(?:and|&)\s+[A-Z][\w'’-]+))$"
    rf"|^[A-Z][\w'’-]+\s+(?:et\s+al\.?|(?:and|&)\s+[A-Z][\w'’-]+)\s+{_PAGE}$"
    # "Journal of Synthetic Medicine 12 (2024) 1-20" (no full stop: a reference has one)
    r"|^[A-Z][^.,;:()\d“”\"]{2,80}?\s\d{1,4}\s+\((?:19|20)\d\d\)\s+[A-Za-z]?\d{1,6}\s*[–-]\s*[A-Za-z]?\d{1,6}$"
    # "Page 14 of 20", "Downloaded from https://… [by guest on …]", "© 2024 The Authors…"
    r"|^Page\s+\d{1,4}\s+(?:of|/)\s+\d{1,4}$"
    r"|^Downloaded\s+from\s+(?:https?://)?\S+\.\S+"
    r"|^(?:©|Copyright\s+©?)\s*(?:19|20)\d\d\b"
)


def is_page_furniture(line: str) -> bool:
    """Whether ``line`` (stripped) is a PDF page's running head or foot, not a reference's."""
    return _RUNNING.match(line.strip()) is not None


#: A number at a line's start, and the blanks after it: a margin's line number.
_LINE_NUMBER = re.compile(r"^\s*(\d{1,5})(?:\s+|$)")
#: What a line number is followed by where it cannot be a list's own number: nothing (a
#: blank line numbered), a digit, a lower-case word, a list number ("1." / "[1]"), a
#: heading.
_AFTER_LINE_NUMBER = re.compile(r"$|[\d\[(a-z]|(?i:references|bibliography|literature)\b")


def without_line_numbers(
    lines: list[str], heading: Callable[[str], bool] = lambda _: False
) -> list[str]:
    """``lines`` without a margin's line numbers, when they number them: nine in ten
    non-empty lines (and at least three) start with a number, each one more than the
    number before per line, and some numbered line goes on with what a list's own number
    is never followed by (a list number, a wrapped "2019;12:44-50.", a heading —
    ``heading`` tells one —, nothing).  A bare numbered list, one reference a line, is
    left as it is."""
    numbered = {
        index: match for index, line in enumerate(lines) if (match := _LINE_NUMBER.match(line))
    }
    filled = sum(1 for line in lines if line.strip())
    if len(numbered) < 3 or 10 * len(numbered) < 9 * filled:
        return lines
    steps = [
        int(numbered[b][1]) - int(numbered[a][1]) in (1, b - a)
        for a, b in itertools.pairwise(numbered)
    ]
    if 10 * sum(steps) < 9 * len(steps):
        return lines
    rests = [lines[index][match.end() :] for index, match in numbered.items()]
    if not any(_AFTER_LINE_NUMBER.match(rest) or heading(rest) for rest in rests):
        return lines
    return [
        line[numbered[index].end() :] if index in numbered else line
        for index, line in enumerate(lines)
    ]
