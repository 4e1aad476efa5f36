"""A journal's name read into another segment, told by the volume and pages after it;
pages read into a container.

* **read as a publisher** — ``Title. Harbour Science 21(3): 373–383.``: a ``publisher``
  segment that ends with a volume (an issue in brackets) and pages after a colon is a
  journal's: no publisher prints a volume and pages after its name;
* **read into the title** — ``Tides in harbours. Harbour Science. 2011, 12(3): 45-67.``:
  a title whose last sentence is a name in capitalised words, followed by a volume and
  pages, with no container nor anything of a book's (publisher, place, editor, edition)
  labelled: the last sentence is the journal;
* **pages at a container's end** — ``In Book of Tides, 29-41,`` with no pages labelled:
  the range is the pages (never a span of years, nor after a book's own title).

Pure: labelled segments in, segments out.
"""

from __future__ import annotations

import re

Segments = list[tuple[str, str]]

#: A name with letters, then ``volume[(issue)]: pages`` at the end (``Journal 108:
#: 1114-1120.``, ``Journal, 24(2): 159-171.``); the volume never a year (``Meeting 2002:
#: 1-14`` is a meeting's name and its pages), the name no NLM block (``Journal.
#: 2013;381, Supplement 2: S150``).
_NAME_THEN_NUMBERS = re.compile(
    r"^(?P<name>[^;]*?[^\W\d_][^;]*?)[\s,]+"
    r"(?P<numbers>(?P<v>\d{1,4})\s*(?:\([^()]{1,12}\))?\s*:\s*"
    r"[A-Za-z]?\d+[A-Za-z]?(?:\s*[-–]\s*[A-Za-z]?\d+[A-Za-z]?)?)[\s.,;]*$"
)
_YEAR = re.compile(r"1[5-9]\d\d|20\d\d")
_CONTAINERS = frozenset(("journal", "container-title"))


def journal_read_as_publisher(segments: Segments) -> Segments:
    """The first ``publisher`` segment cut into ``journal`` and ``volume`` when it ends
    with a volume and pages and no container was labelled; the segments unchanged
    otherwise."""
    if any(label in _CONTAINERS for label, _ in segments):
        return segments
    for i, (label, text) in enumerate(segments):
        if label != "publisher":
            continue
        found = _NAME_THEN_NUMBERS.match(text.strip())
        if found is None or _YEAR.fullmatch(found["v"]):
            return segments
        return [
            *segments[:i],
            ("journal", found["name"]),
            ("volume", found["numbers"]),
            *segments[i + 1 :],
        ]
    return segments


#: A sentence's end inside a title: a stop (a closing quote after it), then a capital;
#: never an initial's or an abbreviation's stop (``A U.S. Example``).
_SENTENCE_END = re.compile(r"(?<![\s.][A-Z])[.?!][”\"»’]?\s+(?=[A-Z])")
#: A journal's abbreviated first word (``Jour. Hydraulic Engrg.``, ``Int. J. Tides``).
_ABBREVIATED_WORD = re.compile(r"[A-Z][a-z]{0,4}\.")
#: Small words a journal's name keeps in lower case.
_SMALL = frozenset(
    "of and the in for on de la le les des du et und für fur & di e del della y a an".split()  # noqa: SIM905
)
#: What a journal is never printed with: its name read into the title is another slip.
_BOOKISH = frozenset(("publisher", "location", "editor", "edition", "genre"))


def _journal_like(text: str) -> bool:
    """One to ten words, each capitalised (or a small word): a journal's name, ``Harbour
    Science.``, ``Journal of Tides,``; never a sentence nor a list of names (``;``)."""
    words = text.strip(" .,;:").split()
    if not 1 <= len(words) <= 10 or not words[0][:1].isupper() or ";" in text:
        return False
    return all(w[:1].isupper() or w.lower() in _SMALL for w in words)


def journal_at_title_end(segments: Segments) -> Segments:
    """``Title. Harbour Science.`` + a volume + pages, read as one title: the last
    sentence is the journal, when no container (nor anything of a book's) was labelled."""
    labels = {label for label, _ in segments}
    if labels & (_CONTAINERS | _BOOKISH) or not {"volume", "pages"} <= labels:
        return segments
    for i, (label, text) in enumerate(segments):
        if label != "title":
            continue
        ends = list(_SENTENCE_END.finditer(text))
        if not ends:
            return segments
        k = len(ends) - 1
        while k > 0 and _ABBREVIATED_WORD.fullmatch(text[ends[k - 1].end() : ends[k].start() + 1]):
            k -= 1  # "Jour. Hydraulic Engrg.": the journal's name begins at its abbreviation
        title, journal = text[: ends[k].start() + 1], text[ends[k].end() :]
        if len(title.split()) < 3 or not _journal_like(journal):
            return segments
        return [*segments[:i], ("title", title), ("journal", journal), *segments[i + 1 :]]
    return segments


#: A page range printed at the end of a book's or journal's name (``Book of Tides,
#: 29-41,``, ``Tides,107–23.``); a span of years is no range of pages (``Empire,
#: 1812-1960,``, ``Millennium, 998-1998``) unless marked (``pp.``).
_PAGES_AT_END = re.compile(
    r",\s*(?P<pages>(?P<mark>pp?\.\s*)?(?P<first>\d{1,5})\s*[-–]\s*(?P<last>\d{1,5}))[\s.,;:]*$"
)
_YEARS = re.compile(r"1\d{3}|20\d\d")


def pages_after_container(segments: Segments) -> Segments:
    """A container segment after the title ending with a page range, when no pages were
    labelled: the name, then the pages (a container without a title before it is the
    book's own title: ``Annals of the Realm, 840-903,`` are its years)."""
    if any(label == "pages" for label, _ in segments):
        return segments
    titled = False
    for i, (label, text) in enumerate(segments):
        titled = titled or label == "title"
        if label not in _CONTAINERS or not titled:
            continue
        found = _PAGES_AT_END.search(text)
        if found is None or (not found["mark"] and _YEARS.fullmatch(found["last"])):
            return segments
        return [
            *segments[:i],
            (label, text[: found.start()]),
            ("pages", found["pages"]),
            *segments[i + 1 :],
        ]
    return segments
