"""Cutting one rendered reference into segments and saying what each is (the rules' reader).

Used by ``rendered.py``.  :func:`_segments` cuts text at ". " (and ", " in CS2) outside
quotes and brackets, never after an initial or an abbreviation such as ``pp.``;
:func:`_take_identifiers` and :func:`_take_marks` take identifiers, URLs, archive and
access notes, format, medium, language, type and edition marks out of a segment into the
:class:`~citetrack.parse.build.Citation`; :func:`_classify` says what is left: a date,
``59 (2): 73–98`` (volume, issue, pages), ``Vol. 125``, pages, editors, a role, an
edition, a thesis mark, or free text (a title, container or publisher, assigned by
position in ``rendered.py``).  The regular expressions of Wikipedia's citation styles
live here too.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from citetrack.identifiers import PMID_IN_TEXT
from citetrack.parse import dates
from citetrack.parse.build import Citation
from citetrack.parse.names import NameList, looks_like_names, parse_name_list

_DATE_TEXT = (
    r"(?:\d{1,2}(?:[–-]\d{1,2})? [A-Z][a-z]+\.? \d{4}"
    r"|[A-Z][a-z]+\.? \d{1,2}(?:[–-]\d{1,2})?,? \d{4}"
    r"|\d{4}-\d{2}-\d{2}|[A-Z][a-z]+\.? \d{4}|\d{4})"
)
# Inline maintenance tags: "[full citation needed]", "[dead link]", "[unreliable source?]".
# A maintenance tag ("[citation needed]"), not a printed type mark ("[dissertation]").
_MAINT_TAG = re.compile(
    r"\[(?!(?:doctoral |master'?s? |phd )?(?:dissertation|thesis)\b)"
    r"([a-z][a-z '’?–-]{1,58}[a-z?])\]"
)
_CS1_MESSAGE = re.compile(r"\{\{[^{}]*\}\}:.*$|\s*\bCS1 (?:maint|errors?):.*$")
_MULTI = re.compile(r"(?<=\.)\s+(?:Also see|See also):?\s+|(?<=\.);\s+(?=[\"“])")
_SHORT_CITE = re.compile(
    r"(?P<name>[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,2})(?: \((?P<year>\d{4})\))?,? "
    r"(?P<p>pp?\.|at) ?(?P<pages>[\w–-]+(?:, ?[\w–-]+)*)\.?"
)
SHORT_CITE = _SHORT_CITE
_KNOWN_RENDERINGS = (
    # {{MedlinePlusEncyclopedia}} and {{EMedicine}}, common in medical articles.
    (re.compile(r"MedlinePlus Encyclopedia:\s*(?P<title>.+)"), "MedlinePlus Encyclopedia"),
    (re.compile(r"(?P<title>.+?) at eMedicine"), "eMedicine"),
)

_IDENTIFIERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("doi", r"\bdoi\s*:\s*(10\.\S+)"),
        ("pmid", PMID_IN_TEXT.pattern),
        ("pmc", r"\bPMC\s*:?\s*(\d{1,9})\b"),
        ("isbn", r"\bISBN(?:-1[03])?\s*:?\s*([0-9][0-9\-‐–]{8,20}[0-9X])(?![\w-])"),
        ("issn", r"\be?ISSN\s*:?\s*(\d{4}\s?[-–]?\s?\d{3}[\dX])\b"),
        ("arxiv", r"\barXiv\s*:\s*([^\s\[]+)(?:\s*\[[\w.-]+\])?"),
        (
            "other",
            r"\b(?:S2CID|OCLC|JSTOR|LCCN|OSTI|SSRN|Zbl|ERIC|ASIN|OL)\s*:?\s*[\w.-]*\d[\w.-]*",
        ),
        ("other", r"\b(?:Bibcode|hdl|MR)\s*:\s*\S+"),
        ("other", r"\bCiteSeerX\s*:?\s*10\.\d[\d.]*\d"),
    )
)
_INACTIVE = re.compile(r"\s*\(inactive ([^()]*)\)")
_URL = re.compile(r"https?://[^\s<>\"\[\]]+")
# CS1 capitalises these notes, CS2 ("archived from the original on …") does not.
_ARCHIVED_ORIGINAL = re.compile(
    rf"\b[Aa]rchived(?: \([A-Z]+\))? from the original(?: \([A-Z]+\))?(?: on)? "
    rf"(?P<date>{_DATE_TEXT})"
)
_ARCHIVED_AT = re.compile(
    rf"\s*\b[Aa]rchived (?P<date>{_DATE_TEXT}) at (?:the )?(?:Wayback Machine|archive\.today|"
    r"WebCite|Archive-It|Ghostarchive|Library of Congress Web Archives|UK Government Web Archive)"
)
_RETRIEVED = re.compile(
    rf"\b(?:Retrieved|Accessed|accessed)(?: on)?:? (?P<date>{_DATE_TEXT})", re.IGNORECASE
)
_VIA = re.compile(r"\s*[–—-]\s*via\s+.+$")
_FORMATS = r"PDF|DOC|DOCX|PPT|PPTX|XLS|XLSX|RTF|PostScript|TXT|HTML"
_MEDIA = r"DVD|CD|CD-ROM|Blu-ray|VHS|video|Video|audio|Audio|podcast|Podcast|Motion picture"
_FORMAT_MARK = re.compile(
    rf"\s*\((?:{_FORMATS}|(?:subscription|registration) required|free access|paywall)\)",
    re.IGNORECASE,
)
_MEDIUM_MARK = re.compile(rf"\s*\((?:{_MEDIA})\)")
MEDIUM_MARK = _MEDIUM_MARK
_LANGUAGE_MARK = re.compile(r"\s*\(in ([A-Z][a-z]+(?:(?:, | and )[A-Z][a-z]+)*)\)")
_DEGREE = (
    r"(?:PhD|DPhil|Doctoral|Master's|MSc|MPhil|MD|MA|BA|Bachelor's)(?: (?:thesis|dissertation))?"
    r"|Thesis|Dissertation"
)
_THESIS_LABEL = re.compile(_DEGREE)
THESIS_LABEL = _THESIS_LABEL
_TYPE_MARK = re.compile(
    r"\s*\((Review|Editorial|Letter|Comment|Commentary|Abstract|Report|Technical report|"
    r"Press release|Preprint|Conference paper|Poster|Dataset|Interview|Lecture|Speech|"
    rf"Obituary|Erratum|Correction|Retraction|Case report|Meta-analysis|Systematic review|"
    rf"{_DEGREE})\)"
)
TYPE_MARK = _TYPE_MARK
_EDITION_MARK = re.compile(r"\s*\((?P<ed>[^()]{1,30}?) ed\.\)")
_EDITION_SEGMENT = re.compile(r"(?P<ed>[\w -]{1,30}?) (?:ed\.|edition)", re.IGNORECASE)
_VOLISS = re.compile(
    r"(?:(?P<vol>\d+[A-Za-z]?(?: ?(?:Suppl|Pt|Part)\.? ?\d+)?|\d+[–-]\d+|[IVXLC]+(?= ?[(:]))\s*)?"
    r"(?:\((?P<iss>[^()]*\d[^()]*|[IVXLC]+)\))?(?::\s*(?P<pages>\S.*))?"
)
# "Vol. 125", or a container with it as some publishers print it: "Journal (X): Vol. 9: Iss. 3".
_VOLUME_WORDS = re.compile(
    r"(?:(?P<pre>.+?)[:,]\s+(?=[Vv]ol\.)|(?=Vol))[Vv]ol(?:ume)?\.?\s*(?P<vol>[\w–-]+)"
    r"(?:[:,]?\s*(?:Iss(?:ue)?|[Nn]o|Number)\.?\s*(?P<iss>[\w–-]+))?"
    r"(?:[:,]?\s*(?:pp?\.|pages?)\s*(?P<pages>[\w–-]+))?(?:,\s*(?P<rest>.+))?"
)
# NLM (Vancouver citation style): "2009;59(2):73-98", "2016 Dec;12(4):e5".
_NLM_DATE_VOLUME = re.compile(
    r"(?P<date>\d{4}(?: [A-Z][a-z]{2}(?:[-–][A-Z][a-z]{2})?(?: \d{1,2})?)?)\s*;\s*"
    r"(?P<vol>[^():;\s]+)?\s*(?:\((?P<iss>[^()]+)\))?(?::\s*(?P<pages>\S.*))?"
)
# The container must hold two letters in a row; that is checked apart from the regex, whose
# old form "[^:]*[A-Za-z]{2}[^:]*" backtracked quadratically on a long segment without ":".
_CONTAINER_PAGES = re.compile(
    r"(?P<container>[^:]*):\s+(?P<pages>[A-Za-z]?\d+(?:\s*[–-]\s*[A-Za-z]?\d+)?)"
)
_TWO_LETTERS = re.compile(r"[A-Za-z]{2}")
_ISSUE_WORDS = re.compile(r"(?:Iss(?:ue)?|No|Number)\.?\s*(?P<iss>[\w–-]+)")
_PAGES = re.compile(r"(?:pp?\.|pages?|page)\s*(?P<pages>\S.*)")
_TRAILING_PAGES = re.compile(r",\s*(?:pp?\.|pages?)\s*(?P<pages>\d.*)$")
_EDITORS_IN = re.compile(r"In (?P<names>.+?)(?: \((?:eds?|editors?)\.?\)|, eds?\.)")
_EDITORS = re.compile(r"(?P<names>.+?)(?: \((?:eds?|editors?)\.?\)|, eds?\.)")
_ROLE = re.compile(
    r"(?P<role>Translated|Illustrated|Edited|Interviewed|Narrated|Directed|Produced|"
    r"Written|Compiled) by (?P<names>.+)"
)
_THESIS = re.compile(
    r"(?:Diss|Dissertation|Thesis|PhD thesis|Doctoral dissertation|Master's thesis|"
    r"MSc thesis)\.?",
    re.IGNORECASE,
)
_MLA_MEDIUM = re.compile(r"(?:Web|Print|Online)\.?")
_AUTHOR_YEAR = re.compile(r"(?P<names>[^\"“()]+?)\.\s+(?P<year>(?:1[5-9]|20)\d\d[a-z]?)\.\s+(?=\S)")
_EDITORS_BEFORE_TITLE = re.compile(
    r"(?P<names>[^\"“]+?)\s*(?:\((?:eds?|editors?)\.?\)|, eds?\.)[.,]?\s*(?=[\"“])"
)
_AFTER_TITLE = re.compile(r"\s*(?:\((?P<paren>[^()]{1,60})\)|\[(?P<trans>[^\[\]]{1,400})\])")
_PLACE_PUBLISHER = re.compile(r"(?P<place>[A-Z][^:]{1,60}?):\s+(?P<pub>\S.*)")
_BOOK_PUBLISHER = re.compile(
    r"\b(?:Press|Publishing|Publishers?|Publications|Verlag|Books|Éditions|Editions|"
    r"Editora|Ediciones|Edizioni|Buchverlag)\b"
)
_PROCEEDINGS = re.compile(
    r"\b(?:Proceedings|Symposium|Conference|Congress|Workshop|Colloquium|Meeting)\b",
    re.IGNORECASE,
)
_SECTION = re.compile(
    r"[A-Z][a-z]+(?:ology|ics|iatry|ery|ine|istry|ism|graphy|scopy)|(?:Section|Part|Series) \w+"
)
_ENDING_ABBREVIATIONS = frozenset("Co Inc Ltd Corp Bros Jr Sr Ave St Pty Pvt".split())  # noqa: SIM905
#: Common ISO 4 (LTWA) title-word abbreviations.  Journal names are printed with them
#: ("Eur. J. Endocrinol.", "Acta Hort.") or without periods (MEDLINE's "N Engl J Med").
#: Full words that are also journal words (Cell, Brain, Child) are deliberately absent.
_JOURNAL_ABBREVIATIONS = frozenset(
    """Acad Adv Aff Afr Agric Altern Am Anaesth Anal Anat Androl Anesth Anesthesiol Angiol
    Ann Annu Anthropol Antimicrob Appl Arch Arterioscler Assoc Atheroscler Aust Bacteriol
    Behav Biochem Biochim Bioeng Biol Biomater Biomech Biomed Biophys Biotechnol Bot Br Bras
    Bull Can Carcinog Cardiol Cardiovasc Cereb Chem Chemother Chim Chir Chromatogr Circ Clin
    Cogn Commun Comp Compr Comput Conf Contemp Crit Cryst Curr Cytol Dent Dermatol Dev
    Diabetol Diagn Dig Dis Ecol Econ Educ Electrochem Electron Emerg Endocr Endocrinol Eng
    Engl Entomol Environ Enzymol Epidemiol Ergon Eur Evol Exp Fam Fed Fertil Fr Gastroenterol
    Gastrointest Gen Genet Genom Geogr Geol Geophys Ger Geriatr Gerontol Glob Gynaecol Gynecol
    Haematol Hematol Hepatol Hered Hist Histochem Histol Horm Hort Hosp Hum Hyg Hypertens
    Immunol Immunopathol Ind Infect Inf Inflamm Inorg Inst Int Intern Invest Investig Ir Ital
    Jpn Lab Laryngol Lett Manag Mater Math Meas Mech Med Ment Metab Meteorol Microbiol Mol
    Mon Morphol Musculoskelet Mutat Nanotechnol Nat Natl Nephrol Neurobiol Neurochem
    Neuroendocrinol Neurol Neuropathol Neuropharmacol Neuropsychiatr Neuropsychol
    Neuroradiol Neurosci Neurosurg Nucl Nurs Nutr Obes Obstet Occup Oncol Ophthalmol Opin Opt
    Org Orthop Otol Otolaryngol Paediatr Palliat Parasitol Pathol Pediatr Perinatol Pharm
    Pharmacol Pharmacother Philos Photochem Phys Physiol Plast Polym Pract Prev Proc Prog
    Psychiatr Psychol Psychopharmacol Psychosom Pulm Radiat Radiol Rehabil Ren Rep Reprod Res
    Respir Rev Rheum Rheumatol Sci Scand Semin Soc Sociol Stat Stud Surg Syst Technol Ther
    Thorac Thromb Toxicol Transl Transplant Trop Ultrason Univ Urol Vasc Vet Virol
    Zool""".split()  # noqa: SIM905
)
#: Words after which ". " does not end a segment.
_PROTECTED = frozenset(
    """p pp vol vols no nos cf iss ed eds st dr mr mrs ms prof jr sr vs ca c fig ch sec art
    suppl repr trans comp rev pt nr bd hrsg jan feb mar apr jun jul aug sep sept oct nov
    dec e.g i.e""".split()  # noqa: SIM905
)
_NUMBERING_WORD = re.compile(
    r"\b(?:Vol|Volume|Part|Pt|No|Book|Chapter|Ch|Section|Series|Appendix|Phase|Type)\.?\s*$",
    re.IGNORECASE,
)
_MONTH_DAY_END = re.compile(r"\b[A-Z][a-z]+\.? \d{1,2}$")
_NO_SPLIT_AFTER_COMMA = re.compile(r"\s(?:\d{4}\b|Inc\b|Ltd\b|LLC\b|Jr\b|Sr\b)")


#: Characters that print as nothing, which a word processor, a PDF or a web page leaves in
#: copied text: zero-width space, word joiner, a byte order mark inside the text, soft
#: hyphen.  Kept, they became part of a DOI (``10.5555/x.88\u200b``: "not registered")
#: or of a title's word.  The zero-width (non-)joiner stays: Persian and Indic text
#: needs it.
_INVISIBLE_CHARS = "\u200b\u2060\ufeff\u00ad"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS))


def clean_text(text: str) -> str:
    """One line of plain text: HTML entities decoded (``&#160;``), invisible characters
    (:data:`_INVISIBLE`) removed, whitespace collapsed."""
    text = html.unescape(text)
    if not text.isascii() and any(ch in text for ch in _INVISIBLE_CHARS):
        text = text.translate(_INVISIBLE)
    return " ".join(text.replace("\u00a0", " ").replace("\u2009", " ").split())


_clean = clean_text


def _word_before(text: str, end: int) -> str:
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "."):
        start -= 1
    return text[start:end]


def _protected_period(text: str, i: int) -> bool:
    """Is the period at ``text[i]`` part of an abbreviation or an initial?"""
    word = _word_before(text, i)
    if not word:
        return False
    bare = word.rsplit(".", 1)[-1] if "." in word else word
    if word.lower() in _PROTECTED or bare.lower() in _PROTECTED:
        # "Fict Med Rev. 12: 44–50": a journal's last abbreviated word ("Rev", "Comp"),
        # not "rev. ed.", before the volume; the journal was "Fict Med Rev. 12".
        return not (bare in _JOURNAL_ABBREVIATIONS and text[i + 1 : i + 3].strip()[:1].isdigit())
    # An initial is followed by more of the name ("J. -P.") or "(eds.)", not by a number
    # or a quoted title; after "Vol." or "Part" a capital letter is a numeral.
    if len(bare) != 1 or not bare.isupper():
        return False
    nxt = text[i + 1 : i + 3].lstrip()[:1]
    before = i - len(word)
    return (nxt.isalpha() or nxt in "(-") and not _NUMBERING_WORD.search(
        text, max(0, before - 12), before
    )


def _comma_separates(text: str, i: int) -> bool:
    """Is the comma at ``text[i]`` a separator (not "April 5, 2016" or "Sons, Inc")?"""
    in_date = (
        _MONTH_DAY_END.search(text, max(0, i - 14), i) and text[i + 1 : i + 6].strip().isdigit()
    )
    return not in_date and not _NO_SPLIT_AFTER_COMMA.match(text, i + 1)


_SEGMENT_CHARS = re.compile(r"[.,()\[\]\"“”]")


def _segments(text: str, commas: bool) -> list[str]:
    """Cut ``text`` at ". " (and ", " when ``commas``) outside quotes and brackets."""
    out: list[str] = []
    depth = 0
    quoted = False
    start = 0
    length = len(text)
    for found in _SEGMENT_CHARS.finditer(text):  # only the characters that matter
        i = found.start()
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == "“":
            quoted = True
        elif ch == "”":
            quoted = False
        elif ch == '"':
            before = text[i - 1] if i else " "
            quoted = before in " ([" if not quoted else False
        if depth or quoted or i + 1 >= length or not text[i + 1].isspace():
            continue
        if (ch == "." and not _protected_period(text, i)) or (
            ch == "," and commas and _comma_separates(text, i)
        ):
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return [s.strip() for s in out if s.strip(" .,;")]


def _closing_quote(text: str, start: int) -> int | None:
    """Index of the quote that closes the title opened at ``text[start]``."""
    closers = '”"' if text[start] == "“" else '"”'
    candidates = [i for i in range(start + 1, len(text)) if text[i] in closers]
    for i in candidates:
        after = text[i + 1 : i + 3]
        if not after or after[0] in ".,;:)]" or after in (" (", " ["):
            return i
    return candidates[-1] if candidates else None


# ------------------------------------------------------------------ segment classification


@dataclass
class _Segment:
    tag: str  # free, voliss, vol, iss, pages, date, eds_in, eds, role, edition, thesis, web
    text: str = ""
    vol: str | None = None
    iss: str | None = None
    pages: str | None = None
    names: NameList | None = None
    date: dates.PartialDate | None = None


def _take_marks(text: str, c: Citation, flags: set[str]) -> str:
    """Remove format, medium, language, type and edition marks from ``text``."""
    if _FORMAT_MARK.search(text):
        flags.add("format")  # CS1 prints "(PDF)" only after a linked title: there was a URL
        text = _FORMAT_MARK.sub("", text)
    if _MEDIUM_MARK.search(text):
        flags.add("medium")
        text = _MEDIUM_MARK.sub("", text)
    language = _LANGUAGE_MARK.search(text)
    if language:
        c.language = c.language or language.group(1)
        text = _LANGUAGE_MARK.sub("", text)
    kind = _TYPE_MARK.search(text)
    if kind:
        label = kind.group(1)
        if _THESIS_LABEL.fullmatch(label):
            flags.add("thesis")
            c.thesis_type = c.thesis_type or label
        elif label.endswith(("Report", "report")):
            flags.add("report")
        else:
            c.notes.append(label)
        text = _TYPE_MARK.sub("", text)
    edition = _EDITION_MARK.search(text)
    if edition:
        c.edition = c.edition or edition["ed"]
        text = _EDITION_MARK.sub("", text)
    return text.strip()


#: Runs of blanks.  Patterns here that start with ``\s*`` are searched at every offset, so
#: a long run (an item of 20,000 identifiers, once they are taken out) made each search
#: quadratic; one blank stands for the run.
SPACE_RUN = re.compile(r"[ \t]{2,}")


def _take_identifiers(text: str, c: Citation, flags: set[str]) -> str:
    """Remove identifiers, URLs, archive and access notes from ``text`` into ``c``."""
    for name, pattern in _IDENTIFIERS:
        for match in list(pattern.finditer(text)):
            value = match.group(1) if pattern.groups else match.group(0)
            if name == "doi":
                c.doi = c.doi or value.rstrip(".,;")
                inactive = _INACTIVE.match(text, match.end())
                if inactive:
                    c.notes.append(f"DOI inactive as of {inactive.group(1)}")
                    text = text[: inactive.start()] + text[inactive.end() :]
            elif name == "pmid":
                c.pmid = c.pmid or value
            elif name == "pmc":
                c.pmcid = c.pmcid or f"PMC{value}"
            elif name == "isbn":
                c.isbns.append(value)
            elif name == "issn":
                c.issns.append(value)
            elif name == "arxiv":
                c.arxiv = c.arxiv or value.rstrip(".,;")
            else:
                c.notes.append(value.rstrip(".,;"))
            flags.add(name)
        text = SPACE_RUN.sub(" ", pattern.sub(" ", text))
    for found_url in _URL.finditer(text):
        url = found_url.group(0).rstrip(".,;")
        if c.url is None:
            c.url = url
        elif c.archive_url is None and "archive" in url:
            c.archive_url = url
        flags.add("url")
    text = SPACE_RUN.sub(" ", _URL.sub(" ", text))
    for pattern, target in (
        (_ARCHIVED_ORIGINAL, "archive"),
        (_ARCHIVED_AT, "archive"),
        (_RETRIEVED, "access"),
    ):
        note = pattern.search(text)
        if note:
            found = dates.parse_date(note["date"])
            if target == "archive":
                c.archive_date = c.archive_date or found
            else:
                c.access_date = c.access_date or found
            flags.add(target)
            text = text[: note.start()] + " " + text[note.end() :]
    text = _VIA.sub("", text)
    return _clean(text).strip(" .,;:")


def _classify(text: str, c: Citation, flags: set[str]) -> list[_Segment]:
    """What one segment is; a segment may hold a container *and* a volume (``X: Vol. 9``)."""
    text = _take_marks(_take_identifiers(text, c, flags), c, flags)
    if not text:
        return []
    if re.fullmatch(r"\([^()]*\)", text):  # "(Available online)": a remark, not a name
        c.notes.append(text[1:-1])
        return []
    text = text.lstrip("-–— ")
    match = _EDITORS_IN.fullmatch(text)
    if match:
        return [_Segment("eds_in", names=parse_name_list(match["names"]))]
    if text.startswith("In ") and looks_like_names(text[3:]):
        return [_Segment("eds_in", names=parse_name_list(text[3:]))]
    if re.match(r"In:? [A-Z0-9]", text):  # "In Proceedings of …": the book it is part of
        flags.add("in")
        text = text[3:].lstrip(": ")
    match = _EDITORS.fullmatch(text)
    if match and looks_like_names(match["names"]):
        return [_Segment("eds", names=parse_name_list(match["names"]))]
    match = _ROLE.fullmatch(text)
    if match:
        return [_Segment("role", text=match["role"], names=parse_name_list(match["names"]))]
    found = dates.parse_date(text)
    if found:
        return [_Segment("date", text=text, date=found)]
    match = _NLM_DATE_VOLUME.fullmatch(text)
    if match and (match["vol"] or match["iss"]) and dates.parse_date(match["date"]):
        return [
            _Segment("date", text=match["date"], date=dates.parse_date(match["date"])),
            _Segment("voliss", vol=match["vol"], iss=match["iss"], pages=match["pages"]),
        ]
    match = _VOLISS.fullmatch(text)
    if match and (match["vol"] or match["iss"]) and _plausible_pages(match["pages"]):
        # A bare number ("9") is a volume of a journal or of a book: weaker evidence.
        tag = "voliss" if match["iss"] or match["pages"] else "num"
        return [_Segment(tag, vol=match["vol"], iss=match["iss"], pages=match["pages"])]
    match = _VOLUME_WORDS.fullmatch(text)
    if match:
        out = [_Segment("free", text=match["pre"])] if match["pre"] else []
        out.append(_Segment("vol", vol=match["vol"], iss=match["iss"], pages=match["pages"]))
        if match["rest"]:
            c.notes.append(match["rest"])
        return out
    match = _ISSUE_WORDS.fullmatch(text)
    if match:
        return [_Segment("iss", iss=match["iss"])]
    match = _PAGES.fullmatch(text)
    if match:
        return [_Segment("pages", pages=match["pages"])]
    if _THESIS.fullmatch(text):
        flags.add("thesis")
        c.thesis_type = c.thesis_type or text.rstrip(".")
        return []
    if _MLA_MEDIUM.fullmatch(text):
        return [_Segment("web")]
    match = _EDITION_SEGMENT.fullmatch(text)
    if match:
        return [_Segment("edition", text=match["ed"])]
    match = _CONTAINER_PAGES.fullmatch(text)
    if match and _TWO_LETTERS.search(match["container"]):
        # "Journal: 273–284", a periodical printed without volume
        return [_Segment("free", text=match["container"]), _Segment("voliss", pages=match["pages"])]
    match = _TRAILING_PAGES.search(text)
    if match:
        return [
            _Segment("free", text=text[: match.start()]),
            _Segment("pages", pages=match["pages"]),
        ]
    return [_Segment("free", text=text)]


def _plausible_pages(pages: str | None) -> bool:
    return pages is None or any(ch.isdigit() for ch in pages) or pages.strip() in ("x", "i")
