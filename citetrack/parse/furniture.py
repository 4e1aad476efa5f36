"""A PDF page's running header and footer inside a reference list copied across pages.

Copied from a typeset PDF, a list that runs over a page break brings the page's
furniture with it: the running head (``14 Doe et al.``, ``Journal of X 12 (2024) 1–20``),
the foot (``Page 14 of 20``), the download stamp (``Downloaded from https://… by guest
on 5 May 2024``), a copyright line.  Joined into the reference around them, they gave it
the citing journal's name, year and pages, and check reported each as a mismatch.  Such
a line is not read as part of a reference; the caller reports it (nothing is dropped
without a word).

The patterns are narrow on purpose: a reference's own wrapped line may look like a
running head (Elsevier ends a reference ``Journal 12 (2024) 1–20.``), so that one counts
only without a closing full stop, and an author running head only with a page number.
"""

from __future__ import annotations

import re

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
