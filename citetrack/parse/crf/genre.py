"""What kind of work a reference is, read from its genre and the marks printed with it.

* **marks in a title or note** — a thesis mark (``[Doctoral dissertation, School]``,
  ``…, Ph.D. dissertation``, ``Thèse de doctorat``, ``Diss.``), a report's number in
  parentheses (``(Report No. 42)``), APA 7's description in brackets (``[Data set]``,
  ``[White paper]``): cut off into ``genre`` or ``note`` segments before fields are read;
* **a report's type and number** (below);
* **a patent** whose office the labeller took for a journal (its number kept whole).

BibTeX's ``@techreport`` has a ``type`` (``Technical Report``, ``Working Paper``) and a
``number`` (``TR-2004-17``); a reference prints both as one phrase (``Tech. Rep.
TR-2004-17``, ``Working Paper No. 2519``, NLM's ``Report No.: WHO/X/1``), which the
labeller labels ``genre``.  :func:`report_type_and_number` cuts that phrase in two, the
type as printed (no word rewritten, only the ``No.`` before the number left out), so the
number lands where BibTeX styles print it and the check can compare it.
"""

from __future__ import annotations

import re

Segments = list[tuple[str, str]]

#: The separators printed around a value (``strip_value`` strips them too).
EDGE = " \t.,;:/"

#: Abbreviations a genre ends in (``Diss.``, ``PhD diss.``, ``Tech. Rep.``, ``Dr. phil.``):
#: their full stop is part of the word, not a separator.
_ABBREVIATED_END = re.compile(r"\b(?:diss|rep|habil|phil|doct|techn|memo|ber)$", re.IGNORECASE)


def printed_genre(text: str, stripped: str) -> str:
    """A genre as printed: ``stripped`` (``text`` without its brackets and separators)
    with the full stop of an abbreviation it ends in, when ``text`` printed one."""
    if _ABBREVIATED_END.search(stripped) and text.find(f"{stripped}.") >= 0:
        return f"{stripped}."
    return stripped


#: The number mark between a report's type and its number: "No.", "Nr.", "n°", "#".
_NUMBER_MARK = r"(?:(?:No|Nos|Nr|Num|Number|n°|nº|N°|#)\.?\s*:?\s*)"
#: A report's genre ending in its number: a word with a digit (``TR-2004-17``,
#: ``WEO/TID/2020.1``, ``14-03``, ``2519``) after the type's words.
_TYPE_NUMBER = re.compile(
    rf"^(?P<type>.*?[^\W\d_][.)]?)\s*,?\s+(?P<mark>{_NUMBER_MARK})?"
    r"(?P<number>[\w./-]*\d[\w./-]*?)[\s.,;:]*$"
)
#: A number that may be a year (``Technical Report 2004``): only a number after a mark.
_YEAR_LIKE = re.compile(r"^(?:1[5-9]|20)\d\d$")


def report_type_and_number(genre: str) -> tuple[str, str | None]:
    """A report's type and number from its printed genre (the number ``None`` when none
    is printed).

    >>> report_type_and_number("Tech. Rep. TR-2004-17")
    ('Tech. Rep.', 'TR-2004-17')
    >>> report_type_and_number("Working Paper No. 2519")
    ('Working Paper', '2519')
    >>> report_type_and_number("Report No.: WEO/TID/2020.1")
    ('Report', 'WEO/TID/2020.1')
    >>> report_type_and_number("Technical report")
    ('Technical report', None)
    >>> report_type_and_number("Technical Report 2004")
    ('Technical Report 2004', None)
    """
    value = " ".join(genre.split()).strip(" ,;:")
    match = _TYPE_NUMBER.match(value)
    if match is None or not re.search(r"[^\W\d_]{2}", match["type"]):
        return value, None
    number = match["number"].rstrip(".")
    if _YEAR_LIKE.match(number) and not match["mark"]:
        return value, None
    return match["type"].strip(" ,;:"), number


#: NLM's "Report No.:" printed before the number (the number a segment of its own).
REPORT_NUMBER_MARK = re.compile(
    rf"^(?:Report|Technical report|Tech\. rep\.|Working paper|Discussion paper)\s+{_NUMBER_MARK}$",
    re.IGNORECASE,
)
#: One word with a digit: a report's number, whatever it was labelled.
_ONE_NUMBER = re.compile(r"^[\w./-]*\d[\w./-]*$")


def number_after_mark(segments: Segments) -> Segments:
    """NLM's ``Report No.:`` and the number after it (labelled a place, a publisher or a
    note) as one ``genre`` segment: ``Report No.: WEO/TID/2020.1``."""
    out: Segments = []
    for label, text in segments:
        if (
            out
            and out[-1][0] == "genre"
            and REPORT_NUMBER_MARK.match(out[-1][1].strip(" .,;"))
            and label in ("location", "publisher", "note", "pages", "volume")
            and _ONE_NUMBER.match(text.strip(" \t.,;:"))
        ):
            out[-1] = ("genre", f"{out[-1][1].strip()} {text.strip()}")
            continue
        mark = label in ("location", "publisher", "note") and REPORT_NUMBER_MARK.match(
            text.strip(" .,;")
        )
        out.append(("genre" if mark else label, text))
    return out


#: A journal that names a patent office's series: ``U.S. Patent``, ``US Patent``,
#: ``Patentschrift``, ``Offenlegungsschrift``, ``Brevet``, ``Brevetto``, ``Patente``.
_PATENT = re.compile(
    r"\bpatent\b|patentschrift|offenlegungsschrift|\bbrevet(?:to)?\b|\bpatente\b",
    re.IGNORECASE,
)
#: Labels the labeller gives a patent's number when it takes its office for a journal.
_NUMBER_LABELS = ("journal", "volume", "pages")


def patent(segments: Segments) -> str | None:
    """A patent's office and number as printed (``U.S. Patent 9 999 999``), when the
    labeller took the office for a journal and the number for its volume and pages:
    read as a volume, ``9,999,999`` became ``9`` and the rest was lost."""
    run: list[str] = []
    for label, text in segments:
        if run and label not in _NUMBER_LABELS[1:]:
            break
        if run or (label == "journal" and _PATENT.search(text)):
            run.append(text)
    if not run:
        return None
    return " ".join(" ".join(run).split()).strip(" .,;:")


_VERSION_WORD = re.compile(r"^(?:Version|Release|Vers\.|Ver\.)[\s.,:]*$", re.IGNORECASE)


def version_as_journal(segments: Segments) -> Segments:
    """Software's ``Version 1.4.2.`` read as a journal ``Version`` of volume ``1.4.2``:
    a note (read as a volume, ``1.4.2`` became ``1``, the rest lost, an @article)."""
    out: Segments = []
    for label, text in segments:
        if (
            out
            and out[-1][0] == "journal"
            and _VERSION_WORD.match(out[-1][1].strip())
            and label == "volume"
        ):
            out[-1] = ("note", f"{out[-1][1].strip()} {text.strip()}")
            continue
        out.append((label, text))
    return out


#: APA's descriptions of works that are neither books nor articles (software, data, media).
MEDIA = re.compile(
    r"Computer (?:software|program)|Software|Mobile app|Data ?set|Video|Audio|"
    r"Podcast(?: episode)?|Film|Motion picture|TV series|Photograph|Map|Image",
    re.IGNORECASE,
)


#: The words of a thesis mark in brackets, in the reference's languages.
_THESIS_KEY = r"(?:dissertation|thesis|Ph\.?\s?D|th[eè]se|tesis|tesi\b|diss\.|arbeit|m[ée]moire)"
_THESIS_MARK = re.compile(
    rf"\[\s*(?P<genre>[^\[\],]*{_THESIS_KEY}[^\[\],]*)(?:,\s*(?P<school>[^\[\]]+))?\]",
    re.IGNORECASE,
)
#: APA 7's bracket opened at the title's end and closed after the school, in a later
#: segment: ``Title [Thèse de doctorat,`` + ``Université X]. Archive.``
_THESIS_OPEN = re.compile(rf"\s*(?P<genre>\[[^\[\],]*{_THESIS_KEY}[^\[\],]*,?)\s*$", re.IGNORECASE)


def thesis_marks(segments: Segments) -> Segments:
    """A thesis mark printed in brackets inside a title or note, or after a comma at the
    title's end, is the genre.

    NLM: ``Title [dissertation]. Place: University; 2019.``; APA 7: ``Title [Doctoral
    dissertation, University of Nowhere].`` (the school after the comma; the bracket may
    close in a later segment: :func:`bracket_closed_later`); APA 6: ``Title (Tesi di
    dottorato).``; IEEE: ``Title, Ph.D. dissertation, Dept. …``.
    """
    out: Segments = []
    has_publisher = any(label == "publisher" for label, _ in segments)
    for label, text in segments:
        mark = _THESIS_MARK.search(text) if label in ("title", "note") else None
        if mark is None:
            tail = None
            if label == "title":
                tail = _THESIS_TAIL.search(text) or _THESIS_OPEN.search(text)
            if tail is not None and text[: tail.start()].strip(EDGE):
                mark_text = tail["genre"] or tail.groupdict().get("bracketed") or ""
                out += [(label, text[: tail.start()]), ("genre", mark_text)]
            else:
                out.append((label, text))
            continue
        rest = (text[: mark.start()] + text[mark.end() :]).strip()
        if rest.strip(EDGE):
            out.append((label, rest))
        out.append(("genre", mark["genre"]))
        if mark["school"] and not has_publisher:
            out.append(("publisher", mark["school"]))
    return out


#: ``…, Ph.D. dissertation,`` / ``…, M.Sc. thesis.`` ending a title (a PDF may hyphenate
#: it), and the same marks in French, Spanish, Italian and German (``Thèse de doctorat``,
#: ``Tesis doctoral``, ``Tesi di dottorato``, ``Diss.``, ``Masterarbeit``).
_THESIS_WORDS = (
    r"(?:(?:Unpublished\s+)?(?:Ph\.?\s?D\.?|Doctoral|Master'?s?|M\.?\s?Sc\.?|M\.?\s?A\.?|Diploma)"
    r"\s+(?:thesis|dis-?\s?sertation)|Th[eè]se\s+de\s+(?:doctorat|master|ma[iî]trise)|"
    r"Tesis\s+(?:doctoral|de\s+(?:doctorado|maestr[ií]a|m[aá]ster|licenciatura))|"
    r"Tesi\s+di\s+(?:dottorato|laurea(?:\s+magistrale)?)|"
    r"M[ée]moire\s+de\s+(?:master|ma[iî]trise)|Diss\.|Dissertation|Doktorarbeit|"
    r"Masterarbeit|Diplomarbeit|Magisterarbeit|Habilitationsschrift)"
)
_THESIS_TAIL = re.compile(
    rf"(?:[,.]\s+(?P<genre>{_THESIS_WORDS})|\s*\((?P<bracketed>{_THESIS_WORDS})\))[\s.,;:]*$",
    re.IGNORECASE,
)
#: A thesis mark read as a place or a publisher: wholly (``Masterarbeit,`` as a place), or
#: bracketed before the school (``(Diss.). Universität Musterstadt.`` as a publisher).
_THESIS_ALONE = re.compile(rf"^\(?(?P<genre>{_THESIS_WORDS})\)?[\s.,;:]*$", re.IGNORECASE)
_THESIS_BEFORE_SCHOOL = re.compile(
    rf"^\((?P<genre>{_THESIS_WORDS})\)[\s.,;:]+(?P<school>\S.*)$", re.IGNORECASE
)


#: A report's type and number as printed: "Research Report RR-99-3", "Technical Report
#: No. 12", "Working Paper 14-03", "Example Institute Technical Report 99-3" — a number
#: always (without one, "… Report" may be a title's last words).
_REPORT_WITH_NUMBER = (
    r"(?:[A-Z][\w.&-]*\s+){0,4}(?:Technical|Tech\.|Research|Working|Discussion|Occasional|"
    r"Policy|Staff|Special)\s+(?:Report|Rep\.|Paper|Memorandum|Note|Brief)\s+"
    rf"{_NUMBER_MARK}?[\w./-]*\d[\w./-]*"
)
_REPORT_TAIL = re.compile(rf"[.,;]\s+(?P<genre>{_REPORT_WITH_NUMBER})[\s.,;:]*$")
_REPORT_ALONE = re.compile(rf"^(?P<genre>{_REPORT_WITH_NUMBER})[\s.,;:]*$")


def report_in_place(segments: Segments) -> Segments:
    """A report's type and number read as the title's last sentence (``Invented tides.
    Research Report RR-99-3.``) or as a note of its own: the genre (they read as a book
    or a misc, the number in the title or a note)."""
    if any(label == "genre" for label, _ in segments):
        return segments
    out: Segments = []
    for label, text in segments:
        tail = _REPORT_TAIL.search(text) if label == "title" else None
        if tail is not None and text[: tail.start()].strip(EDGE):
            out += [(label, text[: tail.start() + 1]), ("genre", tail["genre"])]
        elif label == "note" and _REPORT_ALONE.match(text.strip()):
            out.append(("genre", text))
        else:
            out.append((label, text))
    return out


def thesis_in_place(segments: Segments) -> Segments:
    """A thesis mark the labeller took for a place or a publisher is the genre (and the
    school after it the publisher): ``Masterarbeit, Universität X`` read ``Masterarbeit``
    as the address, APA's ``(Diss.). Universität X.`` read as one publisher."""
    if any(label == "genre" for label, _ in segments):
        return segments
    out: Segments = []
    for label, text in segments:
        if label in ("location", "publisher", "note"):
            alone = _THESIS_ALONE.match(text.strip())
            if alone is not None:
                out.append(("genre", text))
                continue
            before = _THESIS_BEFORE_SCHOOL.match(text.strip()) if label == "publisher" else None
            if before is not None:
                out += [("genre", before["genre"]), ("publisher", before["school"])]
                continue
        out.append((label, text))
    return out


_REPORT_MARK = re.compile(
    r"\((?P<mark>[^()]*\b(?:report|working paper|discussion paper|occasional paper|"
    r"research paper|technical paper|white paper|policy brief|memorandum|"
    r"publication)\b[^()]*)\)[\s.,;:]*$",
    re.IGNORECASE,
)


def report_marks(segments: Segments) -> Segments:
    """A report's number printed in parentheses at the end of its title is the genre.

    APA: ``Title (Report No. 42). Agency.``, ``Title (NIH Publication No. 02-1234).``;
    the labeller leaves the mark in the title, and the work read as a book.
    """
    out: Segments = []
    for label, text in segments:
        mark = _REPORT_MARK.search(text) if label == "title" else None
        if mark is None or not text[: mark.start()].strip(EDGE):
            out.append((label, text))
            continue
        out += [(label, text[: mark.start()]), ("genre", mark["mark"])]
    return out


#: APA 7's description of a work after its title, in brackets (and its version in
#: parentheses before it): ``Title (Version 2) [Computer software].``, ``Title [Paper
#: presentation].`` — what the work is, not its title.
_DESCRIPTION_MARK = re.compile(
    r"(?:\s*\((?P<version>(?:Version|Vers\.|v\.)\s*[\w.-]+)\))?\s*"
    r"\[(?:(?P<mark>(?:Paper|Poster|Conference|Symposium) (?:presentation|session)|"
    r"Computer (?:software|program)|Software|Mobile app|Data ?set|Video|Audio|Podcast(?: episode)?|"
    r"Blog post|Fact sheet|Press release|Brochure|Infographic|Lecture notes|"
    r"PowerPoint slides|Presentation slides|Webinar|Abstract|Editorial|Letter to the editor|"
    r"Unpublished manuscript|Manuscript (?:in preparation|submitted for publication)|"
    r"Preprint|Film|Motion picture|TV series|Photograph|Map|Tweet|Image)|"
    r"(?P<genre>White paper|Technical report|Working paper|Policy brief|Report))\]"
    r"(?:[.,]\s+(?P<after>[^\[\].]{2,80}?))?[\s.,;:]*$",
    re.IGNORECASE,
)


#: A software's version in brackets ending its title (the description a note of its own).
_VERSION_TAIL = re.compile(r"\s*\((?P<version>(?:Version|Vers\.|v\.)\s*[\w.-]+)\)[\s.,;:]*$")


def description_marks(segments: Segments) -> Segments:
    """An APA description (and version) at the end of the title, or opening a note, is a
    note; a report's (``[White paper]``) is the genre.  The publisher APA prints after it
    (``[Data set]. Example Data Archive.``), read as the title's end or the note's, is the
    publisher (a note when one was labelled).  A version ending the title (``Toolkit
    (Version 2.1)``, the description labelled apart) is a note too."""
    out: Segments = []
    has_publisher = any(label == "publisher" for label, _ in segments)
    for label, text in segments:
        mark = (
            _DESCRIPTION_MARK.search(text) if label in ("title", "note") and "]" in text else None
        )
        if label == "note" and mark is not None and text[: mark.start()].strip(EDGE):
            mark = None  # a note's mark opens it ("[Computer software]. Zenodo.")
        if mark is None or (label == "title" and not text[: mark.start()].strip(EDGE)):
            version = _VERSION_TAIL.search(text) if label == "title" else None
            if version is not None and text[: version.start()].strip(EDGE):
                out += [(label, text[: version.start()]), ("note", version["version"])]
            else:
                out.append((label, text))
            continue
        if label == "title":
            out.append((label, text[: mark.start()]))
        out += [("note", value) for value in (mark["version"], mark["mark"]) if value]
        if mark["genre"]:
            out.append(("genre", mark["genre"]))
        if mark["after"]:
            out.append(("note" if has_publisher else "publisher", mark["after"]))
            has_publisher = True
    return out


def bracket_closed_later(segments: Segments) -> Segments:
    """A bracket a genre opens and a later segment closes ends that segment there.

    APA 7 prints ``Title [Doctoral dissertation, University of Nowhere]. Archive.``; the
    labeller may take ``University of Nowhere]. Archive.`` as one publisher, and the school
    would read ``University of Nowhere]. Archive``.  What follows the ``]`` is the archive
    or database the thesis was found in: a note.
    """
    out: Segments = []
    opened = False  # the segment before is a genre with a bracket left open
    for label, text in segments:
        close = text.find("]") if opened else -1
        if close >= 0 and text[close + 1 :].strip(EDGE):
            out += [(label, text[: close + 1]), ("note", text[close + 1 :])]
        else:
            out.append((label, text))
        opened = label == "genre" and text.count("[") > text.count("]")
    return out
