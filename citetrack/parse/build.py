"""From what a parser read (a :class:`Citation`) to BibTeX fields and an entry type.

Both readers — rendered text (``rendered.py``) and wikitext templates (``wikitext.py``) —
fill a :class:`Citation`; this module is the one place that decides how it is written:

* **entry type** from the citation's :data:`Kind`: ``article``, ``book``,
  ``incollection`` (a chapter or entry with its own title inside a book: ``title`` is the
  chapter, ``booktitle`` the book), ``inproceedings``, ``online`` (web pages and news
  stories), ``phdthesis`` / ``mastersthesis``, ``techreport``, ``misc``;
* **containers**: ``journal`` for articles, ``booktitle`` for chapters and papers,
  ``organization`` for the website or newspaper of an ``online`` entry, ``howpublished``
  for ``misc``;
* **values**: ``year`` and ``month`` — the month as a plain number ``1``–``12`` (no
  macros, so the value means the same in BibTeX and biblatex); ``number`` is the issue;
  ``pages`` with ``--`` and abbreviated ranges expanded (``531–7`` → ``531--537``);
  ``urldate`` and ``archivedate`` as ISO ``yyyy-mm-dd`` (or ``yyyy-mm``); DOIs bare with
  their printed case; ISBNs as hyphenated ISBN-13; ISSNs ``NNNN-NNNN``;
* **problems**: an identifier that fails its checksum or syntax is kept as printed and
  reported, never silently "fixed" or dropped.

Values are plain Unicode; LaTeX escaping is ``bib.format_entries``' job.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Literal

from citetrack.identifiers import (
    clean_doi,
    doi_from_url,
    format_isbn,
    normalize_arxiv,
    normalize_issn,
    normalize_pmcid,
    normalize_pmid,
)
from citetrack.parse.dates import PartialDate
from citetrack.parse.names import NameList

Kind = Literal["article", "book", "chapter", "proceedings", "online", "thesis", "report", "misc"]

_ENTRY_TYPES: dict[str, str] = {
    "article": "article",
    "book": "book",
    "chapter": "incollection",
    "proceedings": "inproceedings",
    "online": "online",
    "thesis": "phdthesis",
    "report": "techreport",
    "misc": "misc",
}


@dataclass
class Citation:
    """One citation as read, before it becomes BibTeX fields.

    Filled field by field by a reader; ``problems`` collects what a user should look at
    (doubtful names, unrecognised structure, source maintenance tags).
    """

    line: int
    raw: str
    kind: Kind = "misc"
    authors: NameList = field(default_factory=NameList)
    editors: NameList = field(default_factory=NameList)
    title: str | None = None
    container: str | None = None  # journal, website/newspaper, book of a chapter, proceedings
    series: str | None = None
    publisher: str | None = None
    address: str | None = None
    edition: str | None = None
    date: PartialDate | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    arxiv: str | None = None
    isbns: list[str] = field(default_factory=list)
    issns: list[str] = field(default_factory=list)
    url: str | None = None
    archive_url: str | None = None
    archive_date: PartialDate | None = None
    access_date: PartialDate | None = None
    language: str | None = None
    thesis_type: str | None = None
    #: A report's type as printed (``Tech. Rep.``, ``Working Paper``); its number is
    #: ``issue`` (BibTeX's ``number``).
    report_type: str | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: A short citation (``{{sfn}}``) of a full citation on the same page: a footnote of
    #: the page, not a work of its own (a BibTeX writer leaves it out).
    pointer: bool = False
    #: The anchor a full citation's ``|ref=`` names (``{{sfnref|WHO|2020}}``,
    #: ``{{harvid|…}}`` or ``CITEREF…``), as short citations are compared to it: what
    #: an ``{{sfn}}`` of an author-less work points at.
    anchor: str | None = None
    #: The further short citations of one ``{{sfnm}}`` (its 2nd, 3rd… author lists and
    #: years; the first is ``authors`` and ``date``): each must point at a full citation.
    more_short: list[tuple[NameList, PartialDate | None]] = field(default_factory=list)


# ---------------------------------------------------------------------------- pages

_RANGE = re.compile(
    r"(?P<a>(?P<pa>[A-Za-z]{0,3})(?<!\d)(?P<na>\d+)[A-Za-z]?)\s*(?:[-‐‑‒–—−]+|\s+to\s+)\s*"
    r"(?P<b>(?P<pb>[A-Za-z]{0,3})(?P<nb>\d+)(?P<sb>[A-Za-z]?))?(?!\w)"
)


def _expand(match: re.Match[str]) -> str:
    first, prefix, start = match["a"], match["pa"], match["na"]
    if match["b"] is None:
        return f"{first}--"  # "353–": the page and following ones (Google Books style)
    end_prefix, end = match["pb"], match["nb"]
    if end_prefix and end_prefix != prefix:
        return f"{first}--{match['b']}"
    if len(end) < len(start):  # MEDLINE abbreviation: 531–7 is 531–537
        expanded = start[: len(start) - len(end)] + end
        if int(expanded) >= int(start):
            end = expanded
    return f"{first}--{prefix}{end}{match['sb']}"


def normalize_pages(text: str) -> str:
    """Page ranges in BibTeX form: ``--`` between pages, abbreviated ends expanded.

    >>> normalize_pages("12–8"), normalize_pages("2731–2"), normalize_pages("S123–6")
    ('12--18', '2731--2732', 'S123--S126')
    >>> normalize_pages("13–24, discussion 25")
    '13--24, discussion 25'
    """
    return _RANGE.sub(_expand, " ".join(text.split()))


# ---------------------------------------------------------------------------- fields


def _doi_of_url(url: str | None) -> str | None:
    """The DOI of a doi.org link, in the case it is printed (``doi_from_url`` lower-cases)."""
    if not doi_from_url(url) or url is None:
        return None
    return clean_doi(urllib.parse.unquote(urllib.parse.urlsplit(url.strip()).path.lstrip("/")))


def _identifier_fields(c: Citation, fields: dict[str, str]) -> None:
    """Write identifiers in canonical form; keep and report those that do not validate.

    A doi.org URL gives the DOI when none is printed.
    """
    c.doi = c.doi or _doi_of_url(c.url)
    if c.doi:
        doi = clean_doi(c.doi)
        fields["doi"] = doi or c.doi.strip()
        if doi is None:
            c.problems.append(f"DOI {c.doi.strip()!r} is not a valid DOI; kept as printed")
    if c.pmid:
        pmid = normalize_pmid(c.pmid)
        fields["pmid"] = pmid or c.pmid.strip()
        if pmid is None:
            c.problems.append(f"PMID {c.pmid.strip()!r} is not a valid PMID; kept as printed")
    if c.pmcid:
        pmcid = normalize_pmcid(c.pmcid)
        fields["pmcid"] = pmcid or c.pmcid.strip()
        if pmcid is None:
            c.problems.append(f"PMC {c.pmcid.strip()!r} is not a valid PMCID; kept as printed")
    isbns: list[str] = []
    for raw in c.isbns:
        formatted = format_isbn(raw)
        if formatted is None:
            c.problems.append(f"ISBN {raw!r} fails its checksum or length; kept as printed")
            formatted = raw
        if formatted not in isbns:
            isbns.append(formatted)
    if isbns:
        fields["isbn"] = ", ".join(isbns)
    issns: list[str] = []
    for raw in c.issns:
        issn = normalize_issn(raw)
        if issn is None:
            c.problems.append(f"ISSN {raw!r} fails its checksum or length; kept as printed")
            issn = raw
        if issn not in issns:
            issns.append(issn)
    if issns:
        fields["issn"] = ", ".join(issns)
    if c.arxiv:
        fields["eprint"] = normalize_arxiv(c.arxiv) or c.arxiv
        fields["archiveprefix"] = "arXiv"


#: A master's degree's thesis as references print it, in English (``Master's thesis``,
#: ``M.Sc. thesis``, ``M.S. thesis``, ``MA thesis``, ``MPhil thesis``, ``M.Eng. thesis``,
#: MIT's ``S.M. thesis``), French (``Mémoire de master``, ``Thèse de maîtrise``), German
#: (``Masterarbeit``, ``Diplomarbeit``, ``Magisterarbeit``), Spanish (``Tesis de
#: maestría``, ``Tesis de licenciatura``) and Italian (``Tesi di laurea``); anything
#: else is a doctoral thesis (BibTeX's ``@phdthesis``, also for "Diss." or "Thèse").
_MASTERS = re.compile(
    r"\bmaster|m[aá]ster|^M\.?\s?Sc\b|\bM\.?\s?Sc\.?\s+(?:thesis|dissertation)|"
    r"^M\.?\s?A\b|\bM\.?\s?A\.?\s+thesis|\bM\.?\s?S\.?\s+thesis|\bM\.?\s?Phil\b|"
    r"\bM\.?\s?Eng\.?\s+thesis|\bS\.\s?M\.\s+thesis|\bSM\s+thesis|diplom|m[ée]moire|"
    r"magister|maestr[ií]a|ma[iî]trise|laurea|licenciatura",
    re.IGNORECASE,
)
_CONTAINER_FIELDS = {
    "article": "journal",
    "incollection": "booktitle",
    "inproceedings": "booktitle",
    "online": "organization",
}


def entry_type_of(c: Citation) -> str:
    """The BibTeX entry type for a citation's kind (a master's thesis is told by its type)."""
    if c.kind == "thesis" and c.thesis_type and _MASTERS.search(c.thesis_type):
        return "mastersthesis"
    return _ENTRY_TYPES[c.kind]


def build_fields(c: Citation) -> tuple[str, dict[str, str]]:
    """The entry type and the BibTeX fields of a citation (problems land in ``c.problems``)."""
    entry_type = entry_type_of(c)
    fields: dict[str, str] = {}
    if c.authors.names:
        fields["author"] = c.authors.bibtex()
    if c.editors.names:
        fields["editor"] = c.editors.bibtex()
    if c.title:
        fields["title"] = c.title
    if c.container:
        fields[_CONTAINER_FIELDS.get(entry_type, "howpublished")] = c.container
    if c.series:
        fields["series"] = c.series
    if c.edition:
        fields["edition"] = c.edition
    if c.date:
        fields["year"] = str(c.date.year)
        if c.date.month:
            fields["month"] = str(c.date.month)
    if c.volume:
        fields["volume"] = c.volume
    if c.issue:
        fields["number"] = c.issue
    if c.pages:
        fields["pages"] = normalize_pages(c.pages)
    if c.publisher:
        name = {"phdthesis": "school", "mastersthesis": "school", "techreport": "institution"}
        fields[name.get(entry_type, "publisher")] = c.publisher
    if c.address:
        fields["address"] = c.address
    if c.thesis_type and entry_type in ("phdthesis", "mastersthesis"):
        fields["type"] = c.thesis_type
    elif c.report_type and entry_type == "techreport":
        fields["type"] = c.report_type
    _identifier_fields(c, fields)
    if c.url:
        fields["url"] = c.url
    if c.access_date:
        fields["urldate"] = c.access_date.iso()
    if c.archive_url:
        fields["archiveurl"] = c.archive_url
    if c.archive_date:
        fields["archivedate"] = c.archive_date.iso()
    if c.language:
        fields["language"] = c.language
    notes = [n for n in dict.fromkeys(c.notes) if n]
    if notes:
        fields["note"] = "; ".join(notes)
    return entry_type, fields
