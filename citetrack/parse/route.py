"""Which reader parses a rendered reference: the style rules or the trained labeller.

The rules (``rendered.py``) read Wikipedia's citation styles (CS1/CS2, its Vancouver
form) almost perfectly and everything else poorly; the labeller (``crf/``) reads every
style well.  An item goes to the rules when it is *recognisably Wikipedia's*, and the
rules' reading passes a sanity check; otherwise to the labeller:

* recognisable: the item came from a back-linked (``^``) list, most items of its list
  are recognisable, or it prints what only Wikipedia's templates print
  (``Retrieved 5 May 2020``, ``Archived from the original``, ``(PDF)``, ``S2CID``,
  ``Bibcode``, ``OCLC 123``, ``PMID``, ``– via``,
  a type mark such as ``(PhD thesis)`` or ``(DVD)``, a quoted title with the period
  after the closing quote (``"Title".``, not after a bare year), or ``Authors (Date).
  "Title".``), and nothing CS1 never prints (``(accessed …)``, ``Online: http…``,
  APA's ``(pp. 29-51)`` and ``(Ed.),``);
* NLM/Vancouver journal articles outside Wikipedia (``Family IN. Title. J Abbrev.
  2011;253(4):651-7.``) are read by ``vancouver.py`` when their whole structure fits
  and the reading is whole (:func:`nlm_sane`); the labeller misreads that style's
  bare initials;
* sane: the rules recognised the structure and found a title; no author is a bare
  initial (``Romero, C., Dweck, C.`` read as four people); the title does not start
  with a list number or an author list (``Doe AB, Roe C. Title…`` read as a title: an
  author list is never the title); in a list that is not Wikipedia's, no printed
  year was missed (a quoted title ``"Title".`` is a CS1 sign that misleads them); no
  number-laden journal text ended up as a publisher.

The rule parser's output is kept whole when it is used, so the seed and the Wikipedia
devset parse exactly as before.
"""

from __future__ import annotations

import re
from dataclasses import replace

from citetrack.parse import rendered, segments, vancouver
from citetrack.parse.build import Citation
from citetrack.parse.crf import labeller, normalise
from citetrack.parse.items import Item
from citetrack.parse.names import NameList, is_initials

_WIKI_SIGNS = re.compile(
    # "Retrieved 5 May 2020" (APA's "Retrieved from http…" and APA 6's "Retrieved March 2,
    # 2024, from http…" are not CS1's).
    r"\bRetrieved (?:on )?(?:\d{1,2} [A-Z][a-z]+ \d{4}|[A-Z][a-z]+ \d{1,2}, \d{4}|\d{4}-\d\d-\d\d)"
    # ("Retrieved on May 5, 2020 at http…" is no CS1 either: it prints a full stop.)
    r"(?!,?\s+(?:from|at)\b)"
    r"|\b[Aa]rchived from the original\b|\bArchived \d|\(PDF\)"
    # (OCLC prints its number: "OCLC Systems and Services" is a journal's name.)
    r"|\bS2CID\b|\bBibcode\b|\bOCLC\s?\d|\bPMID\b|\bPMC\s?\d|[–—] via\b"
    r"|\bhdl:|\bJSTOR \d|\bCS1\b|\)\.\s*[\"“][^\"”]+[\"”]\."
    # CS1 prints the period after a quoted title's closing quote ("Title".), Chicago and
    # MLA inside it ("Title."); its date is in brackets after the authors, never a bare
    # year before the title (Chicago author-date: "Doe, Jane. 2012. "Title".").
    r"|(?<!\d\d\d\d\.\s)[\"“][^\"”]*[^\"”.,?!][\"”]\.\s"
    r"|\bMedlinePlus\b|\bat eMedicine\b"
)
_LIST_NUMBER = re.compile(r"^\s*(?:\[\d+\]|\(\d+\)|\d+[.)])\s")
# Two names or more opening a "title": an author list the rules did not recognise
# (``Doe AB, Roe C, …``, ``Doe, A. B., Roe, C., …``, ``A. B. Doe, C. Roe, …``).
_NAME = (
    r"(?:[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)? [A-Z]{1,3}"  # Doe AB, Van Roe C
    r"|[A-Z][\w'’-]+, (?:[A-Z]\.\s?-?)+"  # Doe, A. B.
    r"|(?:[A-Z]\.\s?-?)+ ?[A-Z][\w'’-]+)"  # A. B. Doe
)
_NAME_LIST = re.compile(rf"^{_NAME}(?:,\s*{_NAME}){{1,}}(?:,|\.|\s*(?:&|and|et al\.?))\s")
_YEAR = re.compile(r"(?<![\d/.-])(?:1[5-9]\d\d|20\d\d)(?![\d/-])")
#: PubMed's notes on other records about the cited one, printed after the reference in
#: NLM lists (``Erratum in: J Foo. 2005;44:1.``, ``Retraction in: …``, ``Comment on: …``):
#: the rest of the item from the first of them on is a note, not part of the reference
#: (read as one, its journal, date and volume would be taken for the citation's own).
#: https://www.nlm.nih.gov/bsd/policy/errata.html
_PUBLICATION_NOTE = re.compile(
    r"(?<=[.;\]])\s*\[?(?:Erratum|Comment|Retraction|Update|Expression of concern|"
    r"(?:Corrected and |Retracted and )?republished)\s+(?:in|of|for|on|from)\s*:",
    re.IGNORECASE,
)
_NUMBERS_IN_TEXT = re.compile(r"\d+\s*\(\d+\)|\d+\s*[:,]\s*\d+\s*[-–]\s*\d+")

Path = str  # "rules", "nlm" or "crf"


# Every alternative of ``_WIKI_SIGNS`` holds one of these strings (a quoted title's
# alternatives end with a closing quote and a period), so a text holding none of them
# cannot match it.  Why: the regular expression has no literal prefix to search for and
# cost about 50 µs per item, twice per item, a tenth of the labeller's parse time.
_WIKI_CLUES = (
    "Retrieved",
    "rchived ",
    "(PDF)",
    "S2CID",
    "Bibcode",
    "OCLC",
    "PMID",
    "PMC",
    " via",
    "hdl:",
    "JSTOR ",
    "CS1",
    '".',
    "”.",
    "MedlinePlus",
    "at eMedicine",
)


def _wiki_signs(text: str) -> bool:
    """Does the text print one of :data:`_WIKI_SIGNS` (the cheap test first)?"""
    return any(clue in text for clue in _WIKI_CLUES) and bool(_WIKI_SIGNS.search(text))


#: APA's "Retrieved from <URL or database>", which CS1 never prints (its access date is
#: "Retrieved 5 May 2020").
_APA_RETRIEVED = re.compile(r"\bRetrieved from\b")


def _signed(item: Item) -> bool:
    """Does the item carry one of Wikipedia's own signs (a back-link, ``_WIKI_SIGNS``)?"""
    return item.marker == "caret" or _wiki_signs(item.text)


#: APA's authors before the year: family names and initials only (``Doe, J.``, ``Doe, J.
#: A., Roe, B., & Poe, C.``), then ``(2019``.
_APA_NAME = r"[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?, (?:[A-Z]\.[ -]?)+"
_APA_AUTHORS = re.compile(rf"^{_APA_NAME}(?:,? (?:& )?{_APA_NAME})* ?\((?:1[5-9]|20)\d\d")


#: What CS1 never prints, though other styles do: an access date in brackets (``(accessed
#: 3 May 2012)``: CS1's is ``Retrieved 3 May 2012``), a link after ``Online:``, APA's pages
#: in brackets (``(pp. 29-51)``) and its editors' mark before the book (``(Ed.), Book``).
_NOT_CS1 = re.compile(
    r"\(accessed\b|\bOnline:\s*https?://|\((?:pp?|S)\.\s*\d+\s*[-–]\s*\d+\)"
    r"|\((?:Eds?|Hrsg)\.\s?\),"
)


def wiki_style(item: Item) -> bool:
    """Is the item recognisably one of Wikipedia's citation styles?

    A type or medium mark in brackets (``(PhD thesis)``, ``(Review)``) counts too, unless
    the item prints APA's ``Retrieved from``: APA prints the same brackets (``Title
    (Doctoral dissertation). Retrieved from ProQuest …`` read by the rules made the
    database the school).  A degree mark does not count either after APA's authors
    (family names and initials only, then the year in brackets: ``Doe, J. (2019). Title
    (Master's thesis). University of X, Springfield.``): read by the rules, the school's
    place stayed in the school, as CS1 prints none there (``Place: School``).
    """
    if item.marker == "caret":
        return True
    if _NOT_CS1.search(item.text):
        return False  # a sign of another style: the item is not CS1's, whatever else
    if _signed(item):
        return True
    marked = segments.TYPE_MARK.search(item.text)
    if (
        marked is not None
        and segments.THESIS_LABEL.fullmatch(marked.group(1))
        and _APA_AUTHORS.match(item.text)
    ):
        marked = None
    marked = marked or segments.MEDIUM_MARK.search(item.text)
    return bool(marked) and not _APA_RETRIEVED.search(item.text)


def rules_sane(citations: list[Citation], *, wiki: bool, listed: bool = True) -> bool:
    """Did the rules read the (first) citation's structure, not misread it?

    In a Wikipedia context an item the rules could not recognise stays theirs (kept as
    ``@misc`` with its text, and reported); elsewhere it goes to the labeller.
    """
    c = citations[0]
    if not wiki and (
        any("could not recognise" in p for p in c.problems) or (not c.title and c.kind != "online")
    ):
        return False
    if c.title and (_LIST_NUMBER.match(c.title) or _NAME_LIST.match(c.title)):
        return False
    for name in c.authors.names + c.editors.names:
        if not name.literal and (not name.family or is_initials(name.family.rstrip("."))):
            return False
    if not listed and c.date is None and _YEAR.search(c.raw):
        # A lone item (not from a Wikipedia list) whose printed year the rules missed:
        # they misread its structure; a Wikipedia-like sign (a quoted title) misled them.
        return False
    return not (c.publisher and _NUMBERS_IN_TEXT.search(c.publisher))


def _short_or_known(citations: list[Citation]) -> bool:
    """A short citation (``Somerset, p. 116``) or a known rendering: the rules' reading."""
    c = citations[0]
    return c.container in ("MedlinePlus Encyclopedia", "eMedicine") or any(
        "short citation" in p for p in c.problems
    )


#: Below this mean label probability a reading is reported as doubtful.
DOUBTFUL = 0.85


def crf_citation(
    item: Item,
    labels: list[tuple[str, str]] | None = None,
    prepared: tuple[str, list[str]] | None = None,
) -> Citation:
    """The labeller's reading of an item (``labels``: already labelled segments;
    ``prepared``: :func:`rendered.prepare_text` of the item's text, when the caller has it).

    An item with fewer than two of title, author, year, container or publisher, a
    journal's volume and pages, and a link is not a reference that was understood (a
    line of prose reads as a lone title): like the rules, it becomes ``@misc`` with its
    text in ``note``, reported.  A title and a URL is a web page (``Title of the page.
    https://…``), understood.
    """
    text, problems = prepared if prepared is not None else rendered.prepare_text(item.text)
    confidence = 1.0
    if labels is None:
        labels, confidence = labeller.label(text)
    citation = normalise.to_citation(labels, item.line, item.raw)
    citation.problems.extend(problems)
    found = [
        citation.title,
        citation.authors.names or citation.editors.names,
        citation.date,
        citation.container or citation.publisher,
        # a journal's volume and pages are its own structure ("Journal 12(3): 45-67.")
        citation.container and citation.volume and citation.pages,
        # a web page's link ("Title of the page. https://…"): what the title names
        citation.url,
    ]
    if sum(map(bool, found)) < 2:
        citation.kind = "misc"
        citation.notes = [text]
        citation.title = citation.container = citation.publisher = None
        citation.authors = citation.editors = NameList()
        citation.problems.append(
            "could not recognise the structure of this citation; kept as @misc with the "
            "text in 'note'"
        )
    elif not citation.title:
        citation.problems.append("no title found")
    elif confidence < DOUBTFUL:
        citation.problems.append(
            f"doubtful reading (labeller confidence {confidence:.2f}); check its fields"
        )
    return citation


def parse_item_routed(
    item: Item, labels: list[tuple[str, str]] | None = None, wiki_list: bool = False
) -> tuple[list[Citation], Path]:
    """The citations of one item and the reader that produced them.

    ``wiki_list``: most items of the item's list are recognisably Wikipedia's, so this
    one is taken for Wikipedia's too when the rules read it sanely.  A PubMed note on
    another record after the reference (``Erratum in: …``) is read apart, into ``note``.
    """
    note = _PUBLICATION_NOTE.search(item.text) if labels is None else None
    before = item.text[: note.start()] if note is not None else ""
    # Only after the reference's own date and numbers: "Smith J. Comment on: …" is a title.
    if note is None or not (_YEAR.search(before) and _NUMBERS_IN_TEXT.search(before)):
        return _routed(item, labels, wiki_list)
    head = replace(item, text=before.rstrip())
    citations, path = _routed(head, None, wiki_list)
    citations[-1].notes.append(item.text[note.start() :].strip().strip("[]").rstrip("."))
    return citations, path


def _routed(
    item: Item, labels: list[tuple[str, str]] | None = None, wiki_list: bool = False
) -> tuple[list[Citation], Path]:
    """The citations of one item and the reader that produced them."""
    wiki = wiki_list or wiki_style(item)
    prepared = rendered.prepare_text(item.text)  # once: the readers below all start from it
    text = prepared[0]
    if wiki or not text or segments.SHORT_CITE.fullmatch(text):
        citations = rendered.parse_item(item)
        if len(citations) > 1 or not citations or _short_or_known(citations):
            return citations, "rules"
        if "empty reference item" in citations[0].problems:
            return citations, "rules"
        listed = wiki_list or item.marker == "caret"
        if rules_sane(citations, wiki=True, listed=listed):
            if citations[0].authors.names or citations[0].editors.names:
                return citations, "rules"
            # No authors: an NLM reference with a PMID (a Wikipedia sign) the rules
            # misread (``Ravel Q. A title. J Stuff. 2000;1:1-2. PMID: 1.``)?
            nlm = _nlm_citation(item, prepared)
            return ([nlm], "nlm") if nlm is not None else (citations, "rules")
    # Not Wikipedia's style (the rules are not even tried: they are the slower reader).
    nlm = _nlm_citation(item, prepared) if text else None
    if nlm is not None:
        return [nlm], "nlm"
    return [crf_citation(item, labels, prepared)], "crf"


def _nlm_citation(item: Item, prepared: tuple[str, list[str]]) -> Citation | None:
    """The NLM reader's citation of the item (``prepared``: its prepared text and
    problems), when its structure fits and it reads whole."""
    segments = vancouver.read(prepared[0])
    if segments is None:
        return None
    citation = crf_citation(item, segments, prepared)
    return citation if nlm_sane(citation) else None


def nlm_sane(c: Citation) -> bool:
    """The NLM reader's reading is whole: an article with authors who are all people,
    a title, a journal, a year and a volume or pages."""
    return (
        c.kind == "article"
        and bool(c.title and c.container and c.date)
        and bool(c.volume or c.pages)
        and bool(c.authors.names)
        and all(n.family and not n.literal for n in c.authors.names)
        and not c.problems
    )


def wiki_list(items: list[Item]) -> bool:
    """Are most items of a list recognisably Wikipedia's, by its own signs?

    A bracketed type mark alone does not count here: a list of theses in APA style (``Title
    (Master's thesis). University.``) is not Wikipedia's because most of its items print
    one, and taken for Wikipedia's, every item of it went to the rules (``(Unpublished
    doctoral dissertation)`` stayed in a @book's title)."""
    return 2 * sum(map(_signed, items)) > len(items)
