"""One rendered reference (the text a reader sees) read into a :class:`Citation`.

:func:`parse_item` reads one :class:`~citetrack.parse.items.Item`.  It follows how
Citation Style 1/2 (Wikipedia's ``{{cite …}}`` templates; Vancouver names via
``vauthors``) lays a citation out::

    Authors (Date). "Title". Container. Vol (Issue): pages. Publisher. doi:… PMID …
    Authors (Date). Book title (2nd ed.). Place: Publisher. p. 12. ISBN …
    Authors (Date). "Chapter". In Editors (eds.). Book. Publisher. pp. 1–25. ISBN …
    "Title". Website. Date. Archived from the original on …. Retrieved ….

CS2 (``{{citation}}``) is the same with commas; NLM (``CA Cancer J Clin.
2009;59(2):73-98``), ACM-like (``Ann Lee and Bo Li. 2007. "Title".``) and MLA-like free
text are read too.  The item is cut into segments at the style's separator (never inside
quotes, brackets, initials or abbreviations such as ``pp.``), identifiers and archive
notes are taken out of every segment, and what is left is assigned by position and form:
the container follows the title, the publisher the container; ``59 (2): 73–98`` is
volume, issue and pages; a quoted title with a volume is an article, with an ISBN,
editors, a translator or a book publisher a chapter, with only a website an online page.

Items whose structure cannot be recognised (no date after the authors, no quoted title,
one unbroken phrase) are not guessed at: they become ``misc`` entries carrying their text
in ``note`` and a problem saying so.  A short citation (``Somerset, p. 116``) is kept the
same way.  Maintenance tags of the source (``[full citation needed]``,
``[permanent dead link]``) are reported as problems.
"""

from __future__ import annotations

import re

from citetrack.parse import dates, tidy
from citetrack.parse.build import Citation, Kind
from citetrack.parse.items import Item
from citetrack.parse.names import NameList, looks_like_names, parse_name_list
from citetrack.parse.segments import (  # the rules' segment reader
    _AFTER_TITLE,
    _AUTHOR_YEAR,
    _BOOK_PUBLISHER,
    _CS1_MESSAGE,
    _EDITORS_BEFORE_TITLE,
    _ENDING_ABBREVIATIONS,
    _JOURNAL_ABBREVIATIONS,
    _KNOWN_RENDERINGS,
    _MAINT_TAG,
    _MULTI,
    _PLACE_PUBLISHER,
    _PROCEEDINGS,
    _SECTION,
    _SHORT_CITE,
    SPACE_RUN,
    _classify,
    _clean,
    _closing_quote,
    _Segment,
    _segments,
    _take_marks,
)

# ------------------------------------------------------------------ assigning the pieces


def _restore_period(text: str) -> str:
    """Give back the period a segment cut took from an abbreviation (``Inc.``, ``Thomas G.``)."""
    last = text.rsplit(" ", 1)[-1].rstrip(",")
    if last in _ENDING_ABBREVIATIONS or (len(last) == 1 and last.isupper()):
        return text + "."
    return text


def _abbreviation(word: str) -> bool:
    """An ISO 4 abbreviation (``Endocrinol``) or an initial (``J``)."""
    word = word.rstrip(".,")
    return word in _JOURNAL_ABBREVIATIONS or (len(word) == 1 and word.isupper())


def _journal(parts: list[str]) -> tuple[str, list[str]]:
    """The journal name from the free segments before the volume, and what is left.

    Segments join when the journal was cut at an abbreviation (``Eur. J. Endocrinol.``)
    or continues with an NLM section title (``Journal of Neurosurgery. Pediatrics``,
    ``The Lancet. Neurology``); a following multi-word name is the publisher.  The final
    period comes back when the name was printed with periods (``Mol. Ecol.``) or ends in
    its one abbreviation (``Acta Hort.``), not for MEDLINE's ``N Engl J Med``.
    """
    journal = parts[0]
    i = 1
    while i < len(parts) and (
        _abbreviation(journal.rsplit(" ", 1)[-1]) or _SECTION.fullmatch(parts[i])
    ):
        journal = f"{journal}. {parts[i]}"
        i += 1
    words = journal.split()
    last = words[-1]
    if _abbreviation(last) and (
        "." in journal or (last in _JOURNAL_ABBREVIATIONS and sum(map(_abbreviation, words)) == 1)
    ):
        journal += "."
    return journal, parts[i:]


def _split_place(text: str) -> tuple[str | None, str]:
    match = _PLACE_PUBLISHER.fullmatch(text)
    if match and len(match["place"].split()) <= 5:
        return match["place"], match["pub"]
    return None, text


def _set_publisher(c: Citation, text: str) -> None:
    place, publisher = _split_place(text)
    c.address = c.address or place
    c.publisher = _restore_period(publisher)


def _decide_kind(c: Citation, segs: list[_Segment], flags: set[str], quoted: bool) -> Kind:
    """The kind of work, from the evidence in order of strength."""
    tags = {s.tag for s in segs}
    frees = [s.text for s in segs if s.tag == "free"]
    # The publisher slot: after the container (quoted title) or after the book's title.
    publisher_slot = frees[1:] if quoted else frees[1:2]
    bookish = any(_BOOK_PUBLISHER.search(f) for f in publisher_slot)
    book_evidence = bool({"eds_in", "role", "edition"} & tags or {"isbn", "in"} & flags or bookish)
    if "thesis" in flags:
        return "thesis"
    if "report" in flags:
        return "report"
    # "Vol. 125" alone is how books print a volume; with an issue it is a periodical's.
    periodical = {"voliss", "iss"} & tags or any(s.tag == "vol" and s.iss for s in segs)
    if quoted:
        if periodical:
            return "article"
        if any(_PROCEEDINGS.search(f) for f in frees[:2]):
            return "proceedings"
        if book_evidence or c.edition:
            return "chapter"
        if {"pmid", "pmc"} & flags or ({"doi", "issn"} & flags and frees):
            return "article"
        if {"pages", "num"} & tags and frees:
            return "article"
        if frees or {"url", "archive", "access", "format"} & flags:
            return "online"
        return "misc"
    if "medium" in flags:
        return "misc"
    if "voliss" in tags and len(frees) >= 2 and not book_evidence:
        return "article"
    if "eds_in" in tags:
        return "chapter"
    if book_evidence or {"pages", "vol", "num", "edition"} & tags or c.edition:
        return "book"
    if {"url", "archive", "access", "format"} & flags or "web" in tags:
        return "online"
    if len(frees) >= 2:
        return "book"
    return "misc"


def _assign(c: Citation, segs: list[_Segment], flags: set[str], quoted: bool) -> None:
    """Fill ``c`` from classified segments (``c.title`` is already set if it was quoted)."""
    c.kind = _decide_kind(c, segs, flags, quoted)
    frees: list[tuple[int, str]] = []  # (segment index, text)
    first_volume = next(
        (i for i, s in enumerate(segs) if s.tag in ("voliss", "vol", "iss", "num")), len(segs)
    )
    web_medium = False
    for index, seg in enumerate(segs):
        if seg.tag == "free":
            frees.append((index, seg.text))
        elif seg.tag in ("voliss", "vol", "iss", "num"):
            c.volume = c.volume or seg.vol
            c.issue = c.issue or seg.iss
            c.pages = c.pages or seg.pages
        elif seg.tag == "pages":
            c.pages = c.pages or seg.pages
        elif seg.tag == "date" and seg.date:
            if web_medium and c.date:  # MLA: "Web. 15 October 2015." is the access date
                c.access_date = c.access_date or seg.date
            elif c.date is None:
                c.date = seg.date
            else:
                c.notes.append(seg.text)
        elif seg.tag == "web":
            web_medium = True
        elif seg.tag in ("eds", "eds_in") and seg.names and not c.editors.names:
            c.editors = seg.names
        elif seg.tag == "role" and seg.names:
            c.notes.append(f"{seg.text} by {seg.names.bibtex()}")
        elif seg.tag == "edition":
            c.edition = c.edition or seg.text
    if not quoted and frees:
        c.title = tidy.join_cut_words(frees.pop(0)[1])
    if c.kind in ("book", "chapter", "proceedings"):
        # A name printed just before "Vol. N" is the series, unless it is the book itself.
        keep_first = c.kind != "book"
        for pos, (index, text) in enumerate(frees):
            followed_by_volume = index + 1 < len(segs) and segs[index + 1].tag in ("vol", "num")
            if (pos or not keep_first) and followed_by_volume:
                c.series = text
                frees.pop(pos)
                break
    _fill_containers(c, [t for _, t in frees], [t for i, t in frees if i < first_volume])


def _fill_containers(c: Citation, frees: list[str], before_volume: list[str]) -> None:
    """Journal / book / website, then publisher, from the free segments; the rest is a note."""
    rest = frees
    if c.kind == "article":
        after_volume = frees[len(before_volume) :]
        if before_volume:
            # A journal's publisher is printed before the volume; text after it is a remark.
            c.container, extra = _journal(before_volume)
            if extra:
                _set_publisher(c, extra[0])
            c.notes.extend(extra[1:] + after_volume)
            return
        if rest and c.volume is None and c.issue is None:
            c.container, rest = rest[0], rest[1:]
    elif rest and (
        c.kind in ("chapter", "proceedings", "online") or (c.kind == "misc" and c.title)
    ):
        c.container, rest = _restore_period(rest[0]), rest[1:]
    # A bare number after the book is its volume ("Genesis. 1. College Press.").
    volumed = c.kind in ("chapter", "proceedings", "book", "thesis", "report")
    if volumed and rest and re.fullmatch(r"\d{1,4}", rest[0]):
        c.volume, rest = c.volume or rest[0], rest[1:]
    if rest and c.kind != "misc":
        _set_publisher(c, rest[0])
        rest = rest[1:]
    c.notes.extend(rest)


# --------------------------------------------------------------------------- one item


def _lead_date(text: str) -> tuple[int, int, dates.PartialDate | None] | None:
    """Where the first parenthesised date stands, if it closes the author block.

    It must come before any quoted title and inside the first segment: ``C. Kaufman
    (Microsoft) (December 2005).`` has one, ``Dorland's dictionary (29th ed.). 2000.``
    has none.
    """
    limit = _first_title_quote(text)
    depth = 0
    start = 0
    for i, ch in enumerate(text[: len(text) if limit is None else limit]):
        if ch == "(":
            start = i if depth == 0 else start
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            content = text[start + 1 : i]
            if depth == 0 and (dates.parse_date(content) or dates.is_no_date(content)):
                if len(_segments(text[:start], commas=False)) > 1:
                    return None
                return start, i + 1, dates.parse_date(content)
    return None


def _read_lead(text: str, c: Citation) -> tuple[str, bool, bool]:
    """Read authors and date at the start; return the rest, CS2 mode, and whether found."""
    lead = _lead_date(text)
    if lead:
        start, end, found = lead
        names = text[:start].strip()
        if names:  # doubtful entries ("vkimber") are reported by _set_names
            _set_names(c, parse_name_list(names))
        c.date = found
        sep = text[end : end + 1]
        rest = text[end + 1 :] if sep in (".", ",", ":", ";") else text[end:]
        return rest.strip(), sep == ",", True
    author_year = _AUTHOR_YEAR.match(text)  # ACM / Chicago: "Ann Lee and Bo Li. 2007. Title."
    if author_year and looks_like_names(author_year["names"]):
        _set_names(c, parse_name_list(author_year["names"]))
        c.date = dates.parse_date(author_year["year"])
        return text[author_year.end() :], False, True
    quote = _first_title_quote(text)
    if quote is not None and quote > 0:
        prefix = text[:quote].rstrip()
        if looks_like_names(prefix.rstrip(".,").strip()):
            _set_names(c, parse_name_list(prefix.rstrip(".,").strip()))
            # "Buchanan, Bill, "Title", Site, …" is CS2 without a date.
            return text[quote:], prefix.endswith(","), True
        return text, False, False
    if quote is None:
        first = _segments(text, commas=False)
        if (
            len(first) >= 2
            and "," in first[0]
            and looks_like_names(first[0], allow_single_word=False)
        ):
            _set_names(c, parse_name_list(first[0]))
            return text[text.index(first[0]) + len(first[0]) :].lstrip(" .,"), False, True
    return text, False, False


def _first_title_quote(text: str) -> int | None:
    for i, ch in enumerate(text):
        if ch in '"“' and (i == 0 or text[i - 2 : i] in (". ", ", ") or text[i - 1] == " "):
            return i
    return None


def _set_names(c: Citation, names: NameList) -> None:
    if names.editors:
        c.editors = names
    else:
        c.authors = names
    for entry in names.rejected:
        c.problems.append(
            f"doubtful {'editor' if names.editors else 'author'} {entry!r} left out of the "
            "name list: it is not a person's or an organisation's name (a title pasted "
            "into the list?)"
        )


def _read_title(rest: str, c: Citation, flags: set[str]) -> tuple[str, bool]:
    """Read editors before the title, a quoted title and its annotations; return the rest."""
    match = _EDITORS_BEFORE_TITLE.match(rest)
    if match and looks_like_names(match["names"]):
        c.editors = parse_name_list(match["names"])
        rest = rest[match.end() :]
    if not rest or rest[0] not in '"“':
        return rest, False
    close = _closing_quote(rest, 0)
    if close is None:
        return rest, False
    c.title = tidy.join_cut_words(rest[1:close].strip().rstrip(",").strip()) or None
    rest = rest[close + 1 :]
    while True:
        note = _AFTER_TITLE.match(rest)
        if not note:
            break
        if note["trans"]:
            c.notes.append(f"Translated title: {note['trans']}")
        else:
            _take_marks(f"({note['paren']})", c, flags)
        rest = rest[note.end() :]
    return rest.lstrip(" .,;:"), True


def _fallback(c: Citation, text: str, why: str) -> Citation:
    c.kind = "misc"
    c.authors = NameList()
    c.title = None
    c.date = c.date or dates.find_full_date(text)
    c.notes = [text, *c.notes]
    c.problems.append(f"{why}; kept as @misc with the text in 'note'")
    return c


def _parse_one(text: str, line: int, raw: str) -> Citation:
    c = Citation(line=line, raw=raw)
    text = SPACE_RUN.sub(" ", text.strip())
    short = _SHORT_CITE.fullmatch(text)
    if short:
        c.authors = parse_name_list(short["name"])
        c.pages = short["pages"]
        if short["year"]:
            c.date = dates.parse_date(short["year"])
        c.problems.append("short citation (author and page only): the full reference is elsewhere")
        return c
    for pattern, site in _KNOWN_RENDERINGS:
        known = pattern.fullmatch(text.rstrip("."))
        if known:
            c.kind, c.title, c.container = "online", known["title"].strip(), site
            return c
    flags: set[str] = set()
    rest, commas, lead = _read_lead(text, c)
    rest, quoted = _read_title(rest, c, flags)
    pieces = _segments(rest, commas=commas)
    if len(pieces) == 1 and not commas and not lead and not quoted:
        by_comma = _segments(rest, commas=True)
        if len(by_comma) >= 3:
            pieces = _comma_style_names(c, by_comma)
    segs = [seg for piece in pieces for seg in _classify(piece, c, flags)]
    structured = (
        lead
        or quoted
        or len(pieces) >= 2
        or bool(flags & {"doi", "pmid", "pmc", "isbn", "issn", "arxiv", "url"})
    )
    if not structured:
        return _fallback(c, text, "could not recognise the structure of this citation")
    _assign(c, segs, flags, quoted)
    if not c.title and c.kind != "online":
        c.problems.append("no title found")
    return c


def _comma_style_names(c: Citation, pieces: list[str]) -> list[str]:
    """Free text in commas (``Landau, Elizabeth, Title, 8 April 2009, CNN Health``)."""
    if (
        len(pieces[0].split()) <= 2
        and len(pieces[1].split()) <= 3
        and looks_like_names(f"{pieces[0]}, {pieces[1]}", allow_single_word=False)
    ):
        _set_names(c, parse_name_list(f"{pieces[0]}, {pieces[1]}"))
        return pieces[2:]
    return pieces


def prepare_text(text: str) -> tuple[str, list[str]]:
    """An item's text without the source's CS1 messages and maintenance tags, and problems
    reporting them."""
    text = _clean(text)
    problems: list[str] = []
    message = _CS1_MESSAGE.search(text)
    if message:
        if re.search(r"error|check", message.group(0), re.IGNORECASE):
            problems.append(f"the source shows a citation error: {message.group(0).strip()}")
        text = text[: message.start()].strip()
    for tag in _MAINT_TAG.findall(text):
        problems.append(f"marked [{tag}] in the source")
    return _clean(_MAINT_TAG.sub("", text)), problems


def parse_item(item: Item) -> list[Citation]:
    """Read one item; an item holding several citations ("Also see …") gives several."""
    text, problems = prepare_text(item.text)
    if not text:
        return [
            Citation(line=item.line, raw=item.raw, problems=[*problems, "empty reference item"])
        ]
    parts = [p for p in _MULTI.split(text) if p.strip()]
    citations = [_parse_one(part, item.line, item.raw) for part in parts]
    if len(citations) > 1:
        problems.append(f"this item holds {len(citations)} citations; each became its own entry")
    citations[0].problems[:0] = problems
    return citations
