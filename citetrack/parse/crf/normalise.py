"""Labelled segments of one reference (``[(label, text), …]``) → a :class:`Citation`.

The labeller keeps each segment's punctuation (``(1999).``, ``pp. 1761–1800).``,
``In O. Card (Ed.),``); this module reads values out of it:

* names through :func:`citetrack.parse.crf.people.read_people`;
* the year (and month) of the first ``date`` segment, later dates go to ``note``;
* ``volume`` segments hold a volume and an issue in any printed form, ``pages`` a range,
  a page or a list of them (both read by ``crf/values.py``); a lone ``320 pp.`` is a page
  count, a note;
* titles and containers without surrounding quotes, brackets and separators; a
  conference's venue at the end of its name is the address (``crf/venue.py``);
* identifiers (DOI, PMID, PMC, ISBN, ISSN, arXiv, URL) from the whole string, whatever
  their label.

The kind of work follows the content: a thesis or report word in the ``genre`` (read by
``crf/genre.py``: the thesis type as printed, a report's type and number); APA's
``[Data set]`` or ``[Computer software]`` → misc; a ``journal`` → article (a patent
office → misc); a ``container-title`` → paper in proceedings when it names a conference
or a talk (``Paper presented at``), a web page when only a URL follows it, else a
chapter; a ``publisher`` or ``edition`` → book; only a URL → online.  Nothing printed is
dropped: what no field takes goes to ``note``.
"""

from __future__ import annotations

import re

from citetrack.identifiers import PMID_IN_TEXT
from citetrack.parse import dates, tidy
from citetrack.parse.build import Citation, Kind
from citetrack.parse.crf import repair
from citetrack.parse.crf.accessed import (
    access_after_url,
    access_date,
    access_in_note,
    nlm_date_notes,
)
from citetrack.parse.crf.genre import (
    EDGE,
    MEDIA,
    bracket_closed_later,
    description_marks,
    number_after_mark,
    patent,
    printed_genre,
    report_in_place,
    report_marks,
    report_type_and_number,
    thesis_in_place,
    thesis_marks,
    version_as_journal,
)
from citetrack.parse.crf.imprint import publisher_then_place, split_imprint
from citetrack.parse.crf.numbered import (
    journal_at_title_end,
    journal_read_as_publisher,
    pages_after_container,
)
from citetrack.parse.crf.people import read_people
from citetrack.parse.crf.values import (
    VOL_PAGES,
    edition_at_end,
    read_pages,
    read_volume_into,
    strip_value,
)
from citetrack.parse.crf.venue import split_venue

Segments = list[tuple[str, str]]

_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_MONTH = re.compile(r"\b([A-Za-zéû]{3,10})\.?\b")
_PAGE_COUNT = re.compile(r"^\(?\s*\d+\s*(?:(?P<p>pp|p|pages)|s|seiten)\.?\s*\)?$", re.IGNORECASE)
_EDITION = re.compile(
    r"\(?\s*(?P<e>.+?)\s*(?:ed\.?|edn\.?|edition|éd\.?|édition|aufl\.?|auflage)\s*\)?$",
    re.IGNORECASE,
)
_THESIS = re.compile(
    r"thesis|dissertation|diss\b|th[eè]se|doctoral|ph\.?\s?d|master|m\.?sc|m\.?a\.|"
    r"doktorarbeit|dottorato|"
    r"habilitation|tesi|tesis|diplom|mémoire|memoire|magister",
    re.IGNORECASE,
)
_MASTERS = re.compile(r"master|m\.?sc|m\.?a\.|diplom|mémoire|memoire|magister", re.IGNORECASE)
_REPORT = re.compile(
    r"report|rapport|working paper|technical|memorandum|white paper|tech\. rep|bericht|"
    r"publication\s+no|discussion paper|occasional paper|research paper|policy brief|"
    r"informe|documento de trabajo|document de travail|arbeitspapier|cahier de recherche",
    re.IGNORECASE,
)
# ("proc." and "conf." end in a full stop: no word boundary after them.)
_PROCEEDINGS = re.compile(
    r"\b(?:proceedings|conference|symposium|workshop|congress|colloquium|"
    r"meeting|actes|tagung|kongress|convention|summit)\b|\b(?:proc|conf)\.",
    re.IGNORECASE,
)
_IDENTIFIERS = {
    "doi": re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)"),
    "pmid": PMID_IN_TEXT,
    "pmc": re.compile(r"\bPMC\s*:?\s*(\d{1,9})\b"),
    "isbn": re.compile(r"\bISBN(?:-1[03])?\s*:?\s*([0-9][0-9\-‐– ]{8,20}[0-9Xx])(?![\w-])"),
    "issn": re.compile(r"\be?ISSN\s*:?\s*(\d{4}\s?[-–]?\s?\d{3}[\dX])\b"),
    "arxiv": re.compile(
        r"\barXiv\s*:\s*([^\s\[,;]+)|\barxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?(?=[\s?#]|$)",
        re.IGNORECASE,
    ),
    # PubMed's links: the PMID (the URL is kept as the link too).
    "pubmed": re.compile(
        r"\b(?:pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pubmed)/(\d{1,9})\b"
    ),
    "url": re.compile(r"(?:https?://|www\.)[^\s<>\"]+"),
}
# NLM: "2004;7(2):112-9", "2016 Dec;12(4):e5" — date, volume, issue and pages in one.
_NLM = re.compile(
    r"(?P<y>(?:1[5-9]|20)\d\d)(?:\s+[A-Z][a-z]{2}[^;:()]{0,12})?\s*;\s*(?P<v>[\w-]+)?"
    r"\s*(?:\((?P<i>[^()]+)\))?(?:\s*:\s*(?P<p>[A-Za-z]?\d+[A-Za-z]?(?:\s*[-–]\s*[A-Za-z]?\d+)?))?"
)
_LEAD_IN = re.compile(r"^(?:in|dans|en|im)\s*:?\s+(?=\S)|^in:\s*", re.IGNORECASE)
#: A talk's lead-in before the meeting's name (APA 6, Chicago, IEEE): ``Paper presented at
#: the Annual Meeting of X``, ``presented at the X Workshop`` — what the work is (a note),
#: not part of the meeting's name.
_PRESENTED_AT = re.compile(
    r"^(?P<mark>(?:(?:Paper|Poster|Talk|Keynote|Lecture|Presentation)\s+)?presented\s+at)"
    r":?\s+(?:the\s+)?(?=\S)",
    re.IGNORECASE,
)


def read_date(text: str) -> dates.PartialDate | None:
    """The year of a date segment, with its month when one is printed."""
    found = dates.parse_date(strip_value(text))
    if found:
        return found
    year = _YEAR.search(text)
    if not year:
        return None
    full = dates.find_full_date(text)
    if full and full.year == int(year.group(1)):
        return full
    month = None
    for word in _MONTH.findall(text):
        month = dates.parse_date(f"{word} {year.group(1)}")
        if month:
            return month
    return dates.PartialDate(int(year.group(1)))


#: A doi.org link as printed.
_DOI_LINK = re.compile(r"https?://(?:dx\.|www\.)?doi\.org/10\.\d{4,9}/\S+", re.IGNORECASE)
#: A doi.org link copied with its slash percent-encoded (``10.5555%2Fx``).
_ENCODED_DOI = re.compile(r"(doi\.org/10\.\d{4,9})%2F", re.IGNORECASE)


def _trimmed(value: str) -> str:
    """An identifier without the punctuation printed after it: a full stop, a comma, a
    semicolon, and a closing bracket unless the identifier opened it (``10.5555/x-(1)``)."""
    while value:
        stripped = value.rstrip(".,;")
        if stripped.endswith(")") and stripped.count(")") > stripped.count("("):
            stripped = stripped[:-1]
        if stripped == value:
            return value
        value = stripped
    return value


def _identifiers(c: Citation, text: str) -> None:
    text = _ENCODED_DOI.sub(r"\1/", text) if "%2" in text else text
    for name, pattern in _IDENTIFIERS.items():
        for match in pattern.finditer(text):
            found = [group for group in match.groups() if group] or [match.group(0)]
            value = _trimmed(found[0])
            if name == "doi" and c.doi is None:
                c.doi = value
            elif name in ("pmid", "pubmed"):
                c.pmid = c.pmid or value
            elif name == "pmc":
                c.pmcid = c.pmcid or f"PMC{value}"
            elif name == "isbn":
                c.isbns.append(value.replace(" ", ""))
            elif name == "issn":
                c.issns.append(value)
            elif name == "arxiv":
                c.arxiv = c.arxiv or value
            elif name == "url" and c.url is None and "doi.org/" not in value:
                c.url = value if value.startswith("http") else f"http://{value}"


_ID_LABEL = re.compile(r"\b(?:doi|pmid|pmcid|pmc|isbn(?:-1[03])?|e?issn|arxiv)\b\s*:?", re.I)


def _only_identifiers(text: str) -> bool:
    """A note that is nothing but identifiers (``PMID: 23477490``), which are read from the
    whole string into their own fields: kept as a note too, it said them twice."""
    rest = text
    for pattern in _IDENTIFIERS.values():
        rest = pattern.sub(" ", rest)
    return re.search(r"\w", _ID_LABEL.sub(" ", rest)) is None


def _first(fields: dict[str, list[str]], label: str) -> str | None:
    values = fields.get(label)
    return values[0] if values else None


def _decide_kind(fields: dict[str, list[str]], c: Citation) -> Kind:
    genre = " ".join(fields.get("genre", []))
    container = _first(fields, "container-title") or ""
    journal = _first(fields, "journal") or ""
    if _THESIS.search(genre):
        return "thesis"
    if _REPORT.search(genre):
        return "report"
    marks = [*fields.get("note", []), *fields.get("genre", [])]
    if any(MEDIA.fullmatch(strip_value(mark)) for mark in marks):
        # APA's "[Data set]", "[Computer software]": no book or article, whoever prints it.
        return "misc"
    if journal:
        return "proceedings" if _PROCEEDINGS.search(journal) and not c.volume else "article"
    if container:
        if _PROCEEDINGS.search(container) or _PRESENTED_AT.match(strip_value(container)):
            return "proceedings"
        if "publisher" not in fields and "editor" not in fields and (c.volume or c.issue):
            return "article"
        if (
            c.url
            and not (fields.keys() & {"publisher", "editor", "pages", "volume", "edition"})
            and not _LEAD_IN.match(strip_value(container))
        ):
            return "online"  # MLA: "Title." Website, date, URL — no book is "in" it
        return "chapter"
    if _THESIS.search(" ".join(fields.get("note", []))) and "publisher" in fields:
        return "thesis"
    if "publisher" in fields or "edition" in fields or c.isbns:
        return "book"
    if c.url and "title" in fields:
        return "online"
    if c.volume and c.pages:
        return "article"
    if "title" in fields and "location" in fields:
        return "book"
    return "misc"


def _title_like(text: str) -> bool:
    """Three words or more, one of them in lower case: a title's words, not a journal's."""
    words = text.split()
    return len(words) >= 3 and any(w[:1].islower() for w in words[1:])


def _repair(fields: dict[str, list[str]]) -> None:
    """Undo two labelling slips the normaliser can see.

    * A title that runs on into an NLM block (``Title. Fict Hist Q. 1998;3:11-20.``) —
      a journal token the model never saw: the journal is the phrase before the block.
    * No title and one container (journal or book) without an "In" lead-in, printed by a
      publisher or at a place: a book's title (``Lury, K. The Child in Film. London: …``).
    * No title and a journal that holds a sentence first (``Folding bridges in theory.
      Imaginary Structures,``): the sentence is the title.
    """
    titles = fields.get("title")
    if titles and "journal" not in fields:
        nlm = _NLM.search(titles[0])
        if nlm and nlm.start() > 0 and (nlm["v"] or nlm["p"]):
            before = titles[0][: nlm.start()].strip()
            cut = list(re.finditer(r"[.?!]\s+(?=[A-Z])", before))
            if cut:
                last = cut[-1]
                fields["title"] = [before[: last.start() + 1]]
                fields["journal"] = [before[last.end() :]]
                fields.setdefault("volume", []).insert(0, titles[0][nlm.start() :])
    containers = fields.get("container-title") or fields.get("journal")
    if (
        "title" not in fields
        and containers
        and len(containers) == 1
        and ("publisher" in fields or "location" in fields)
        and not _LEAD_IN.match(strip_value(containers[0]))
        and not _PROCEEDINGS.search(containers[0])
    ):
        # A book's title read as a container: nothing is "in" it and a publisher prints it.
        fields["title"] = fields.pop(
            "container-title" if "container-title" in fields else "journal"
        )
        return
    journals = fields.get("journal")
    if journals and "title" not in fields:
        first = re.search(r"[.?!]\s+(?=[A-Z])", journals[0])
        if first and _title_like(journals[0][: first.start()]):
            fields["title"] = [journals[0][: first.start() + 1]]
            fields["journal"] = [journals[0][first.end() :], *journals[1:]]


#: A volume printed at the end of a journal's name (``Journal of Things 36,``, ``Review,
#: LXV,``), never a year (``Proceedings 2019``) nor a section letter; or a volume or issue
#: mark whose number the next segment holds (``Économie rurale n°``, ``Heft``).
_JOURNAL_VOLUME = re.compile(r"[\s,]+(?P<v>\d{1,4}(?:[-–]\d{1,4})?|[IVXLC]{2,})[\s.,;:]*$")
#: A report's or a paper's series, whose number is no volume (``Report 35``, ``RFC 5050``).
_NUMBERED_SERIES = re.compile(
    r"\b(?:reports?|papers?|rfc|leaflet|circular|pamphlet|project|phase|series|notes?|"
    r"bulletin|publications?)\W*$",
    re.IGNORECASE,
)
_JOURNAL_MARK = re.compile(r"[\s,]+(?:n°|nº|nos?\.|nr\.|vol\.|heft|h\.)[\s,;:]*$", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")


def _volume_after_journal(c: Citation, fields: dict[str, list[str]]) -> None:
    """A journal's name that ends with its volume (when no volume was read) or with a
    bare volume or issue mark: the name alone, the number the volume."""
    journals = fields.get("journal")
    if not journals:
        return
    text = journals[0].strip()
    mark = _JOURNAL_MARK.search(text)
    if mark is not None and _LETTER.search(text, 0, mark.start()):
        journals[0] = text[: mark.start()]
        return
    number = _JOURNAL_VOLUME.search(text) if c.volume is None else None
    if number is None or not _LETTER.search(text, 0, number.start()):
        return
    name = text[: number.start()]
    if (
        not _YEAR.fullmatch(number["v"])
        and not _NUMBERED_SERIES.search(name)
        and not (number["v"].isalpha() and _PROCEEDINGS.search(name))
    ):  # (a conference's Roman numeral is its edition: "Science Conference XXXIX")
        journals[0] = name
        c.volume = number["v"]


def _edition_at_end(fields: dict[str, list[str]]) -> None:
    """An edition statement printed at the end of the title, the book's title or the
    publisher (``Title (Fifth Edition).``, ``Publisher. 3e édition.``) is the edition,
    when no segment holds one: it was part of the title."""
    if "edition" in fields:
        return
    for label in ("title", "container-title", "publisher"):
        values = fields.get(label)
        found = edition_at_end(values[-1]) if values else None
        if values and found is not None:
            values[-1], edition = found
            fields["edition"] = [edition]
            return


def _book_after_editors(segments: Segments) -> Segments:
    """A second title after the editors of a chapter is the book's title.

    NLM prints a chapter as ``Author. Chapter. In: Editor K, editor. Book. Place: …``;
    the labeller labels both titles ``title`` (read as one title of a book).
    """
    out: Segments = []
    seen_title = seen_editor = False
    for label, text in segments:
        if label == "title" and seen_title and seen_editor:
            out.append(("container-title", text))
            continue
        seen_title = seen_title or label == "title"
        seen_editor = seen_editor or (label == "editor" and seen_title)
        out.append((label, text))
    return out


def _numbers(c: Citation, fields: dict[str, list[str]]) -> None:
    """Volume, issue and pages printed together, whatever segment the labeller put them in."""
    for label in ("date", "volume", "pages", "journal"):
        for text in fields.get(label, []):
            nlm = _NLM.search(text)
            if nlm and (nlm["v"] or nlm["p"]):
                c.date = c.date if c.date and c.date.year == int(nlm["y"]) else read_date(nlm["y"])
                c.volume = nlm["v"] or c.volume
                c.issue = nlm["i"] or c.issue
                c.pages = nlm["p"] or c.pages
                if c.volume == nlm["y"] or (not nlm["v"] and c.volume == nlm["i"]):
                    c.volume = None  # "2000;(3):218-26": no volume printed
                return
    for text in fields.get("volume", []):
        both = VOL_PAGES.search(text)
        if both:
            c.volume, c.issue = both["v"], both["i"] or c.issue
            c.pages = c.pages or both["p"]


#: NLM's medium marks after a title or a journal (``Title [Internet].``, ``bioRxiv
#: [Preprint].``): the medium, not part of the name.
_MEDIUM_MARK = re.compile(
    r"\s*\[(?:Internet|Preprint|(?:monograph|homepage|database|serial|book) on the Internet|"
    r"CD-ROM|DVD|online|electronic resource)\]",
    re.IGNORECASE,
)
#: NLM's conference paper: "Proceedings of X; 2021 Jun 3-5;" — the conference's date
#: after the book's title.
_CONFERENCE_DATE = re.compile(
    r"^(?P<name>.+?)\s*;\s*(?P<date>(?:1[5-9]|20)\d\d(?:\s+[A-Z][a-z]{2}[^;]{0,20})?)\s*;?$"
)
#: "Bd. 3", "Band 2", "Vol. 4", "Tome 1": a volume the labeller took for an edition.
_VOLUME_AS_EDITION = re.compile(
    r"^(?:Bd|Band|Vol|Volume|Tome|Tomo|T)\.?\s*(?P<v>\d+|[IVXLC]+)$", re.IGNORECASE
)
#: A website's name before an access date: a few words, no digits.
_SITE = re.compile(r"^[^\W\d_][^\d;:]{0,60}$")


#: A URL printed without its scheme (MLA 9: ``harbour.example.org/tides``), a segment's
#: whole text: lower-case host labels and a path.
_BARE_URL = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}/\S*$")
#: A note that only led in to the URL printed after it.
_URL_LEAD_IN = re.compile(
    r"^(?:available\s+(?:at|from|online)|retrieved\s+from|online|url|"
    r"(?:online\s+)?verfügbar\s+unter|disponible\s+(?:en|sur|à\s+l.adresse)|"
    r"disponível\s+em|disponibile\s+(?:su|a|in)|beschikbaar\s+(?:op|via)|"
    r"(?:recuperado|retirado)\s+de|consulté\s+à\s+l.adresse|en\s+ligne)\s*:?$",
    re.IGNORECASE,
)


#: Labels of names, which a bare URL never is read out of.
_NAMED = ("title", "journal", "container-title", "author", "editor", "publisher")


def _without_medium(text: str) -> str:
    return _MEDIUM_MARK.sub("", text) if "[" in text else text


#: What every identifier's text holds somewhere: a cheap test before the patterns.
_ID_HINT = re.compile(r"\d")


def _an_identifier(text: str) -> bool:
    """An identifier and nothing else (``arXiv:2101.01234.``; a bare ``arXiv`` is a name)."""
    if _ID_HINT.search(text) is None:
        return False
    return any(p.search(text) for p in _IDENTIFIERS.values()) and _only_identifiers(text)


#: NLM's "Publisher; 2023" read as one publisher.
_PUBLISHER_YEAR = re.compile(r"^(?P<publisher>.+?)\s*;\s*(?P<year>(?:1[5-9]|20)\d\d)$")
#: AMA's online-first mark after a journal's name: "J Foo. Published online".
_ONLINE_FIRST = re.compile(
    r"[.,;]?\s+(?P<mark>(?:Published|Epub|Online)\s+(?:online|ahead\s+of\s+print)"
    r"(?:\s+ahead\s+of\s+print)?)[.,;:]?\s*$",
    re.IGNORECASE,
)
#: The word before a web page's date (AMA "Updated May 2, 2023."), read as a journal.
_DATE_WORD = re.compile(
    r"^(?:Updated|Last updated|Published|Posted|Revised|Modified|Reviewed)$", re.IGNORECASE
)
#: An institution's name cut after its first abbreviation (IEEE "Univ. Springfield").
_ABBREVIATED_INSTITUTION = re.compile(r"^(?:Univ|Inst|Coll|Dept|Lab|Acad|Polytech)$")
#: A publisher's or institution's name ending in an abbreviation (its stop is kept).
_ENDS_ABBREVIATED = re.compile(
    r"(?:^|\s)(?:Univ|Inst|Coll|Dept|Lab|Labs|Acad|Polytech|Assoc|Soc|Corp|Inc|Ltd|Co|Bros|"
    r"Publ|Ges|Verl)$"
)


#: Editors' role marks after an author list: "(Eds.)", "(Hgg.)", "(éd.)", "(dir.)",
#: "(Herausgeberin)", ", eds.", ", Hrsg.", " Hrsg." at its end; "Dir." before it.
_EDITORS_MARK = re.compile(
    r"\((?:eds?|editors?|hrsg|hgg?|dir|éds?|édit|coords?|edt|herausgeber(?:in|innen)?|"
    r"a cura di)\.?\)|,\s*(?:eds?\.|editors?\b)|[,\s]\s*(?:eds?|hrsg|hgg?)\.?\s*[:,;]?\s*$|"
    r"^\s*dir\.\s",
    re.IGNORECASE,
)
#: The editors' mark printed after the date, at the start of the title: "(Eds.), Book".
_ROLE_OPENS_TITLE = re.compile(
    r"^\s*\((?:eds?|hrsg|hgg?|éds?|dir|coord|a cura di)\.?\)[,.:]?\s*", re.IGNORECASE
)


def to_citation(segments: Segments, line: int, raw: str) -> Citation:
    """A :class:`Citation` from the labelled segments of one reference."""
    c = Citation(line=line, raw=raw)
    fields: dict[str, list[str]] = {}
    fixed = thesis_marks(repair.repair(segments))
    fixed = bracket_closed_later(
        description_marks(report_marks(report_in_place(thesis_in_place(fixed))))
    )
    # NLM "Report No.: 42" (the number follows); software's "Version 1.4.2." (no journal)
    fixed = journal_read_as_publisher(version_as_journal(number_after_mark(fixed)))
    fixed = pages_after_container(journal_at_title_end(fixed))
    container_labelled = any(label in ("journal", "container-title") for label, _ in fixed)
    for segment_label, segment in _book_after_editors(fixed):
        text, label = segment, segment_label
        if label == "note" and not container_labelled and _PRESENTED_AT.match(strip_value(text)):
            label = "container-title"  # NLM "Paper presented at: Conference;" read as a note
            container_labelled = True
        if label not in _NAMED and "/" in text and _BARE_URL.match(strip_value(text)):
            label = "url"  # "harbour.example.org/tides" read as pages, place or note
        if label == "journal":
            online = _ONLINE_FIRST.search(text)
            if online is not None and text[: online.start()].strip(EDGE):
                # AMA: "J Foo. Published online March 3, 2020." (the date follows)
                fields.setdefault("note", []).append(online["mark"])
                text = text[: online.start()]
            elif _DATE_WORD.match(strip_value(text)):
                label = "note"  # AMA's "Updated May 2, 2023." on a web page: no journal
        if label in ("title", "journal", "container-title"):
            text = _without_medium(text)
            if label != "title" and _an_identifier(text):
                continue  # "arXiv:2101.01234 [Preprint]": the eprint (read below), no journal
        fields.setdefault(label, []).append(text)
    _repair(fields)
    _edition_at_end(fields)
    _identifiers(c, " ".join(text for _, text in segments))
    if "author" in fields:
        names = read_people(" ".join(fields["author"]))
        role_in_title = _ROLE_OPENS_TITLE.match(fields.get("title", [""])[0])
        if role_in_title is not None and "editor" not in fields:
            # APA: "Roe, R. E., & Poe, C. K. (2013) (Eds.), Book." — the mark after the date
            fields["title"][0] = fields["title"][0][role_in_title.end() :]
        if role_in_title is not None or _EDITORS_MARK.search(fields["author"][0]):
            c.editors = names
        else:
            c.authors = names
    if "editor" in fields:
        c.editors = read_people(fields["editor"][0])
    for text in fields.get("translator", []):
        c.notes.append(strip_value(text))
    if "date" in fields:
        fields["date"] = [nlm_date_notes(c, text) for text in fields["date"]]
    for i, text in enumerate(fields.get("date", [])):
        if access_date(c, text):
            continue  # "(accessed 20 January 2012)" is no publication date
        found = read_date(text)
        if (i == 0 and found) or (found and c.date is None):
            c.date = found
            continue
        same_year = (
            dates.parse_date(f"{strip_value(text)} {c.date.year}")
            if found is None and c.date is not None and c.date.month is None
            else None
        )
        if same_year is not None:
            c.date = same_year  # Harvard "(2016) … 12 June": the year's day and month
        else:
            c.notes.append(strip_value(text))
    if "title" in fields:
        title = strip_value(repair.title_lead_in(" ".join(fields["title"])))
        c.title = tidy.join_cut_words(title) or None
    for text in fields.get("volume", []):
        read_volume_into(c, text, "pages" in fields)
    for text in fields.get("url", []):
        if c.url is None and _BARE_URL.match(strip_value(text)):
            c.url = f"http://{strip_value(text)}"  # MLA 9 prints URLs without the scheme
        access_after_url(c, text)  # "https://x.fr (consulté le 3 mars 2024)" read as the URL
    for text in fields.get("pages", []):
        if _an_identifier(text):
            continue  # "arXiv:2101.01234." (IEEE): no page 2101, the eprint
        counted = _PAGE_COUNT.match(strip_value(text))
        if counted and c.pages is None and ("journal" not in fields or counted["p"]):
            # "320 pp.", "221 p.": a length, never a page, even after a journal ("Bulletin,
            # v. 90, 34 p."); a journal's "4S" is a supplement's page, no German "S." count
            c.notes.append(strip_value(text))
            continue
        pages = read_pages(text)
        if pages is not None and c.pages is None:
            c.pages = pages
        elif (pages is None or pages != c.pages) and strip_value(text):
            # No page number ("sec. A") or a second range: kept, never dropped.
            c.notes.append(strip_value(text))
    if "publisher" in fields:
        c.publisher = strip_value(fields["publisher"][0])
        dated = _PUBLISHER_YEAR.match(c.publisher)
        if dated is not None:  # NLM: "Place: Publisher; 2023."
            c.publisher = dated["publisher"]
            if c.date is None:
                c.date = read_date(dated["year"])
    if "location" in fields:
        c.address = strip_value(fields["location"][0])
    volume_mark = _VOLUME_AS_EDITION.match(strip_value(fields.get("edition", [""])[0]))
    if volume_mark is not None:
        c.volume = c.volume or volume_mark["v"]
        del fields["edition"]
    if "edition" in fields:
        value = strip_value(fields["edition"][0])
        # One blank between words keeps the lazy match linear (runs of blanks made it cubic).
        match = _EDITION.fullmatch(" ".join(value.split()))
        c.edition = strip_value(match["e"]) if match else value
    if "collection-title" in fields:
        c.series = strip_value(fields["collection-title"][0])
    _numbers(c, fields)
    _volume_after_journal(c, fields)
    if (
        c.publisher
        and c.address
        and _ABBREVIATED_INSTITUTION.match(c.publisher)
        and "," in c.address
    ):
        # IEEE: "Univ. Springfield, Springfield, MA" cut after "Univ.": the name goes on.
        name, _, place = c.address.partition(",")
        c.publisher, c.address = f"{c.publisher}. {name.strip()}", place.strip()
    imprint = (
        split_imprint(c.publisher or c.address or "")
        if ("publisher" in fields) != ("location" in fields)
        else None
    )
    if imprint is None and c.publisher and "location" not in fields:
        imprint = publisher_then_place(c.publisher)  # "Example Press, Springfield, IL"
    if imprint is not None:
        # "Washington, DC: Example Press." read as one publisher (or one place)
        c.address, c.publisher = imprint
    if "location" in fields and "publisher" in fields and ": " in (c.address or ""):
        # "Springfield: Example" + "Press": the place ends at the colon.
        place, _, rest = (c.address or "").partition(": ")
        c.address, c.publisher = place, f"{rest} {c.publisher}".strip()
    if (
        c.publisher
        and _ENDS_ABBREVIATED.search(c.publisher)
        and fields["publisher"][0].rstrip(" ,;:").endswith(f"{c.publisher.split()[-1]}.")
    ):
        c.publisher += "."  # "Carnegie Mellon Univ.", "Example Co.": the stop is the word's
    if (
        c.volume
        and c.issue
        and c.pages
        and "publisher" in fields
        and not fields.keys() & {"journal", "container-title", "location", "edition", "editor"}
    ):
        # "Title. Sociologie du travail, 50(2), 137-146." with the journal read as the
        # publisher: a book has no issue; a journal's volume, issue and pages follow it.
        fields["journal"] = fields.pop("publisher")
        c.publisher = None
    c.kind = _decide_kind(fields, c)
    office_and_number = patent(fixed) if c.kind == "article" else None
    if office_and_number is not None:
        # "U.S. Patent 9,999,999": no journal, volume and pages; printed whole (misc).
        c.kind, c.volume, c.issue, c.pages = "misc", None, None, None
        fields["journal"] = [office_and_number]
    container = _first(fields, "journal") or _first(fields, "container-title")
    if container:
        value = strip_value(_LEAD_IN.sub("", strip_value(container)))
        presented = _PRESENTED_AT.match(value)
        if presented is not None and value[presented.end() :].strip(EDGE):
            c.notes.append(presented["mark"])
            value = value[presented.end() :]
        c.container = tidy.abbreviation_stop(value, container) or None
        conference = _CONFERENCE_DATE.match(c.container or "")
        if conference is not None and c.kind == "proceedings":
            c.container = conference["name"]
            if c.date is None:
                c.date = read_date(conference["date"])
            elif c.date.year != int(conference["date"][:4]):
                c.notes.append(conference["date"])
        if c.kind == "proceedings" and c.address is None and c.container:
            # IEEE: "in Proc. Conf. X, Haifa, Israel, 2010": the venue is the address.
            c.container, c.address = split_venue(c.container)
    genre = " ".join(fields.get("genre", []))
    if c.kind == "thesis":
        # The type as printed ("Doctoral dissertation", "M.S. thesis", "Diss."): BibTeX
        # prints it instead of its default; only a thesis told by a note gets the default.
        # Of several genre segments, the thesis mark's; the others ("Publication No. 123"
        # before "[Doctoral dissertation,") are notes.
        marks = [t for t in fields.get("genre", []) if _THESIS.search(t)] or [genre]
        c.notes.extend(
            strip_value(t) for t in fields.get("genre", []) if t not in marks and strip_value(t)
        )
        printed = " ".join(printed_genre(t, strip_value(t)) for t in marks).strip()
        if not printed:
            notes = " ".join(fields.get("note", []))
            printed = "Master's thesis" if _MASTERS.search(notes) else "PhD thesis"
        c.thesis_type = printed
    elif c.kind == "report" and genre:
        c.report_type, number = report_type_and_number(printed_genre(genre, strip_value(genre)))
        if number is not None and c.issue is None:
            c.issue = number  # BibTeX's techreport "number"
        elif number is not None:
            c.report_type = f"{c.report_type} {number}"
    elif genre and not _URL_LEAD_IN.match(strip_value(genre)):
        c.notes.append(strip_value(genre))
    for label in ("note", "medium"):
        for text in fields.get(label, []):
            cut = access_in_note(c, text)
            v = strip_value(cut)
            if (
                not v
                or v == c.url
                or access_date(c, v)
                or _only_identifiers(v)
                or _URL_LEAD_IN.match(v)
            ):
                continue
            if c.kind == "online" and c.container is None and _SITE.match(v) and cut != text:
                c.container = v  # IEEE: "Site. Accessed: Jan. 5, 2024." — the website
                continue
            if c.arxiv and f"arXiv:{c.arxiv}" in v:
                # "arXiv preprint arXiv:2203.01234": the eprint is its field, the words a note
                v = strip_value(v.replace(f"arXiv:{c.arxiv}", " ")) or v
            c.notes.append(v)
    if c.kind in ("thesis", "report") and c.publisher is None and c.container:
        # The school or institution read as a container (IEEE '"Title," Univ., Tech. Rep.')
        c.publisher, c.container = c.container, None
    _leftovers(c, fields)
    if c.access_date is not None and c.url is None and c.doi is not None:
        # Harvard: "Available at: https://doi.org/… (Accessed: …)" — the link visited that
        # day is the DOI's (checked as the DOI, never fetched as a page).
        link = _DOI_LINK.search(" ".join(text for _, text in segments))
        if link is not None:
            c.url = _trimmed(link.group(0))
    return c


#: Labels a citation holds one value of: a second segment of one (``… Erratum in: Journal
#: 2005;44:1``, a second publisher) is kept in ``note``, never dropped.
_ONE_VALUE = (
    "journal",
    "container-title",
    "editor",
    "publisher",
    "location",
    "edition",
    "collection-title",
)
#: Labels whose text is read for identifiers only (:func:`_identifiers`).
_IDENTIFIER_LABELS = ("doi", "url", "isbn")


def _leftovers(c: Citation, fields: dict[str, list[str]]) -> None:
    """Segments no field took go to ``note`` (nothing of the reference is dropped); a
    segment labelled as a DOI that holds none (``doi:10.1111/``, cut at a line's end)
    is also a problem: the check has no DOI to look up."""
    for label in _ONE_VALUE:
        values = fields.get(label, [])
        unused = values if label == "container-title" and "journal" in fields else values[1:]
        c.notes.extend(v for v in (strip_value(t) for t in unused) if v)
    for label in _IDENTIFIER_LABELS:
        for text in fields.get(label, []):
            value = text.strip().rstrip(".,;")  # a cut DOI's "/" is part of what to see
            if not value or any(p.search(text) for p in _IDENTIFIERS.values()):
                continue
            if label == "url" and _BARE_URL.match(strip_value(text)):
                continue  # MLA's URL without its scheme: the link (read above), no note
            c.notes.append(value)
            if label == "doi" and re.search(r"\b10\.\d", value):
                c.problems.append(f"{value!r} is no whole DOI (cut or mistyped?); kept in 'note'")
