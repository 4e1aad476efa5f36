"""Headings in and around a reference list: the list's own, its sections', its end.

One job: tell a heading from a reference.  A list starts under a heading
("References", "Literatur", "## Bibliography"); it may be grouped under section
headings ("Books", "Journal articles", "2021", "Chapter 3") that are neither references
nor the list's start — told from a reference's wrapped line (``… London: Synthetic`` /
``Books``) by the line before; and it ends at a wiki page's footer, a manuscript's back
matter ("Acknowledgements", a figure's caption) or another Markdown section ("## License").
"""

from __future__ import annotations

import re

from citetrack.parse.wraps import CITATION_HINT, COMPLETE, identifiers_only, mid_reference

#: An article's section number before its heading: "5. ", "5 ", "4.2 ", "V. ".
_SECTION_NUMBER = r"(?:(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.)\s+)?"
HEADINGS = re.compile(
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
SECTION = re.compile(
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


# Where a copied page's reference list certainly ends: a wiki page's footer, or a
# manuscript's back matter after its list (figure legends, acknowledgements…).
END_HEADINGS = re.compile(
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
CAPTION = re.compile(r"^\s*(?:Figure|Fig\.|Table|Supplementary (?:Figure|Table))\s+S?\d+[.:]\s")


def section_heading(lines: list[str], index: int) -> bool:
    """Whether ``lines[index]`` heads a section of the list (:data:`SECTION`, capitalised)
    rather than wrapping the reference before it (``… London: Synthetic`` / ``Books``):
    the line before is blank or ends a reference."""
    line = lines[index]
    first = line.lstrip(" #*_")[:1]
    if len(line) > 80 or not (first.isupper() or first.isdigit()) or not SECTION.match(line):
        return False
    return index == 0 or not lines[index - 1].strip() or not mid_reference(lines[index - 1])


def other_section(lines: list[str], index: int) -> bool:
    """Whether ``lines[index]`` is a Markdown heading (``## License``) of a section that is
    not the reference list nor a section of it: after the list, the list has ended (a
    README's "License" section is no reference)."""
    return _MD_HEADING.match(lines[index]) is not None and not is_heading(lines, index)


def is_heading(lines: list[str], index: int) -> bool:
    """Whether ``lines[index]`` is a heading: of the reference list, or of a section of it."""
    return HEADINGS.match(lines[index]) is not None or section_heading(lines, index)


def is_heading_text(text: str) -> bool:
    """Whether ``text`` reads as a heading of a list or of a section of it ("Books")."""
    return bool(HEADINGS.match(text) or SECTION.match(text))


def under_heading(lines: list[str], index: int) -> bool:
    """Whether the non-empty line before ``lines[index]`` is a heading."""
    before = next((j for j in range(index - 1, -1, -1) if lines[j].strip()), None)
    return before is not None and is_heading(lines, before)


#: The title of an article's numbered section ("1. Introduction", "2. Materials and
#: methods"): a few words without digits or a closing full stop.  The year that the
#: section's text holds does not make it a citation.
SECTION_TITLE = re.compile(r"^[^\W\d_][^\W\d_'’-]*(?:\s+[^\W\d_][^\W\d_'’-]*){0,3}\s*:?$")


def stray_heading(text: str, line: str) -> bool:
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
        and CITATION_HINT.search(line) is None
        and not identifiers_only(line)
        and COMPLETE.search(text) is not None
        and CITATION_HINT.search(text) is not None
    )
