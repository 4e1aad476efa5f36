"""The link labels a publisher's web page sets after each reference.

A reference list copied from a journal's site brings the links the page prints after
every reference: a line of its own (``Article  CAS  PubMed  Google Scholar`` at Springer
Nature, ``CrossrefPubMedWeb of Science®Google Scholar`` at Wiley, ``View in Scopus`` at
ScienceDirect) or the end of the reference's line (``… 2018;62:601–8. [DOI] [PMC free
article] [PubMed] [Google Scholar]`` at PubMed Central, ``… doi: 10.5555/x. - DOI - PMC -
PubMed`` on PubMed's pages).  They are no part of the reference: a line of them is not
one (a warning per reference would bury the real ones: a 60-reference list gave 60), and
at a reference's end they are taken off its text (they ended in its ``note`` or
``publisher``).
"""

from __future__ import annotations

import re

#: The labels, lower-case (matched ignoring case; "®" and blanks optional).
_LABELS = (
    "pmc free article",
    "pmc",
    "pubmed central",
    "pubmed",
    "google scholar",
    "search in google scholar",
    "web of science",
    "crossref",
    "cross ref",
    "scopus",
    "mathscinet",
    "zbmath",
    "europe pmc",
    "semantic scholar",
    "medline",
    "cas",
    "ads",
    "isi",
    "article",
    "doi",
    "full text",
    "free full text",
    "view article",
    "view in article",
    "view pdf",
    "view in scopus",
    "view record in scopus",
    "full text via crossref",
    "pdf",
    "find this article online",
    "publisher site",
    "abstract",
)
_LABEL = "|".join(
    r"\s*".join(re.escape(word) for word in label.split()) + r"®?"
    for label in sorted(_LABELS, key=len, reverse=True)
)
#: A line of labels only (separated by blanks, bars, bullets or nothing at all).
_BAR = re.compile(rf"^(?:[\s|•·,;/]*[\[(]?(?:{_LABEL})[\])]?)+[\s|•·,;/]*$", re.IGNORECASE)
#: Labels at the end of a reference's line: bracketed (PubMed Central's older pages) or
#: after dashes (``… doi: 10.5555/x. - DOI - PMC - PubMed``, PubMed's and PMC's pages).
_TRAILING = re.compile(
    rf"(?:(?:\s*\[(?:{_LABEL})\])+|(?:\s+[-–]\s+(?:{_LABEL}))+)\s*$", re.IGNORECASE
)
#: A bar must hold one of these: "Article" or "Abstract" alone could be a word of a title.
_SURE = re.compile(r"scholar|pubmed|crossref|web\s*of\s*science|scopus|\bcas\b|pmc", re.I)


def is_label_line(line: str) -> bool:
    """Whether ``line`` holds nothing but a web page's link labels."""
    return _BAR.match(line) is not None and _SURE.search(line) is not None


def without_labels(text: str) -> str:
    """``text`` without the link labels at its end (``[PubMed] [Google Scholar]``,
    ``- DOI - PMC - PubMed``)."""
    match = _TRAILING.search(text)
    if match is None:
        return text
    # "- DOI" alone is a label only after the DOI it links ("doi: 10.5555/x - DOI").
    sure = _SURE.search(match.group(0)) or "doi" in text[: match.start()].lower()
    if not sure:
        return text
    return text[: match.start()].rstrip()
