"""A citation template (``{{cite journal}}``, ``{{citation}}``, ``{{vcite …}}``) read into
a citation from its CS1 parameters.

Names (``last1``/``first1``…, ``author``, ``vauthors``, the ``editor`` family, ``((…))``
organisations), title and container, dates (a year kept from a date not understood, two
different years said), volume, issue, pages, publisher, identifiers, URLs and archive
links; the parameter families the exporter edits in place (:data:`PERIODICAL_PARAMS`,
:data:`DATE_PARAMS`…) are named here.  One template's parameters, nothing of the page
around it: finding the templates is :mod:`citetrack.parse.wikitext`'s.
"""

from __future__ import annotations

import re
from dataclasses import replace

from mwparserfromhell.nodes import Template

from citetrack.parse import dates
from citetrack.parse.build import Citation, Kind
from citetrack.parse.names import Name, NameList, is_organisation, parse_name_list
from citetrack.parse.wikiplain import _first, _params, is_shortcut, plain, template_name
from citetrack.parse.wikishort import _from_shortcut, _ref_anchor

# --------------------------------------------------------------------- template params

_AUTHOR_KEY = re.compile(
    r"(?:(?P<role>last|surname|authorlast|authorsurname|first|given|authorfirst|authorgiven|"
    r"author)(?P<n>\d*)|author(?P<m>\d+)(?P<role2>last|surname|first|given))"
)
_EDITOR_KEY = re.compile(
    r"(?:editor(?P<role>last|surname|first|given|)(?P<n>\d*)|"
    r"editor(?P<m>\d+)(?P<role2>last|surname|first|given))"
)
#: A year in a date: what is kept of a date that is not understood (and what
#: ``citetrack export`` corrects inside ``|date=``).
YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
#: Where a citation's fields are read from (normalised parameter names, the first filled
#: one wins): a periodical's name, any container's, the date, the pages.  ``citetrack
#: export`` edits a value in the parameter it was read from (:mod:`citetrack.export.wikitext`).
PERIODICAL_PARAMS = ("journal", "work", "website", "newspaper", "magazine", "periodical")
CONTAINER_PARAMS = (
    *PERIODICAL_PARAMS,
    "encyclopedia",
    "encyclopaedia",
    "dictionary",
    "booktitle",
    "conference",
)
#: The parameters that hold the work's one date: CS1 shows an error ("|year= / |date=
#: mismatch") when both are given and their years differ.
WORK_DATE_PARAMS = ("date", "year")
DATE_PARAMS = (*WORK_DATE_PARAMS, "publicationdate")
PAGES_PARAMS = ("pages", "page")
_OTHER_IDS = (
    ("s2cid", "S2CID"),
    ("oclc", "OCLC"),
    ("bibcode", "Bibcode"),
    ("jstor", "JSTOR"),
    ("hdl", "hdl"),
    ("citeseerx", "CiteSeerX"),
    ("lccn", "LCCN"),
    ("ssrn", "SSRN"),
    ("osti", "OSTI"),
    ("zbl", "Zbl"),
    ("mr", "MR"),
    ("ol", "OL"),
    ("asin", "ASIN"),
)
_KINDS: dict[str, Kind] = {
    "journal": "article",
    "magazine": "article",
    "book": "book",
    "web": "online",
    "press release": "online",
    "tweet": "online",
    "conference": "proceedings",
    "thesis": "thesis",
    "report": "report",
    "techreport": "report",
    "encyclopedia": "chapter",
    "encyclopaedia": "chapter",
    "dictionary": "chapter",
}


def _repeated(template: Template) -> list[str]:
    """A problem for each parameter given more than once under the same name (the wiki
    lists the page among 'duplicate arguments' and uses the last value)."""
    seen: dict[str, list[str]] = {}
    for param in template.params:
        seen.setdefault(plain(param.name).strip(), []).append(plain(param.value).strip())
    return [
        f"parameter |{name}= is given {len(given)} times with different values; the wiki "
        f"shows only the last ({given[-1]!r})"
        for name, given in seen.items()
        if len(given) > 1 and len(set(given)) > 1
    ]


#: CS1's mark of an organisation given as an author: ``((World Health Organization))``.
_CORPORATE = re.compile(r"\(\(\s*([^()]*?)\s*\)\)")


def _names(text: str) -> NameList:
    """A name list, each ``((…))`` in it one organisation, kept as written and in its
    place (it was read as a person named '()')."""
    if "((" not in text:
        return parse_name_list(text)
    names: list[Name] = []
    rejected: list[str] = []
    et_al = False
    for n, part in enumerate(_CORPORATE.split(text)):
        if n % 2:
            names.extend((Name(literal=part),) if part else ())
            continue
        people = part.strip(" ,;")
        if people:
            read = parse_name_list(people)
            names.extend(read.names)
            rejected.extend(read.rejected)
            et_al = et_al or read.et_al
    return NameList(tuple(names), et_al, False, tuple(rejected))


def _person(last: str | None, first: str | None, full: str | None) -> NameList:
    corporate = _CORPORATE.fullmatch((last or full or "").strip())
    if corporate:
        return NameList((Name(literal=corporate.group(1)),))
    if last:
        if not first and is_organisation(last):
            return NameList((Name(literal=last),))
        read = parse_name_list(f"{last}, {first}" if first else last)
        if read.names and len(read.names) == 1 and not read.rejected:
            return read
        return NameList(rejected=(f"{last}, {first}" if first else last,))
    if full:
        return _names(full)
    return NameList()


def _numbered_names(params: dict[str, str], key: re.Pattern[str]) -> NameList:
    """Names from ``last1``/``first1``/``author1``… (or the ``editor`` equivalents)."""
    slots: dict[int, dict[str, str]] = {}
    for name, value in params.items():
        match = key.fullmatch(name)
        if not match:
            continue
        role = match["role"] if match["role"] is not None else match["role2"]
        number = int(match["n"] or match["m"] or 1)
        kind = (
            "full"
            if role in ("author", "")
            else ("last" if role.endswith(("last", "surname")) else "first")
        )
        slots.setdefault(number, {})[kind] = value
    names: list[Name] = []
    rejected: list[str] = []
    et_al = False
    for number in sorted(slots):
        slot = slots[number]
        read = _person(slot.get("last"), slot.get("first"), slot.get("full"))
        names.extend(read.names)
        rejected.extend(read.rejected)
        et_al = et_al or read.et_al
    return NameList(tuple(names), et_al, False, tuple(rejected))


def _name_list(params: dict[str, str], editors: bool) -> NameList:
    prefix = "editor" if editors else "author"
    numbered = _numbered_names(params, _EDITOR_KEY if editors else _AUTHOR_KEY)
    if not numbered.names and not numbered.rejected:
        for key in (f"v{prefix}s", f"{prefix}s"):
            if params.get(key):
                numbered = _names(params[key])
                break
    display = params.get(f"display{prefix}s", "")
    if display.lower().replace(" ", "") in ("etal", "etal."):
        numbered = NameList(numbered.names, True, False, numbered.rejected)
    return numbered


def _date(params: dict[str, str], c: Citation) -> None:
    for key in DATE_PARAMS:
        value = params.get(key)
        if not value:
            continue
        found = dates.parse_date(value)
        if found is None and not dates.is_no_date(value):
            year = YEAR.search(value)
            found = dates.PartialDate(int(year.group(1))) if year else None
            c.problems.append(f"{key} {value!r} not understood as a date; kept the year only")
        if found:
            c.date = found
            _other_year(params, key, found.year, c)
            return


def _other_year(params: dict[str, str], used: str, year: int, c: Citation) -> None:
    """A later date parameter whose year differs from the one read (``|date=March 2009
    |year=2011``) is said, not silently dropped: CS1 shows a date-year mismatch error and
    the reader cannot tell which is right.  ``|year=2009a`` (a disambiguation letter)
    agrees with 2009; ``|publication-date=`` may rightly differ from ``|date=`` (CS1: the
    date of a work written earlier), so only ``date`` and ``year`` are compared."""
    if used not in WORK_DATE_PARAMS:
        return
    for key in WORK_DATE_PARAMS[WORK_DATE_PARAMS.index(used) + 1 :]:
        value = params.get(key)
        other = YEAR.search(value) if value else None
        if other and int(other.group(1)) != year:
            c.problems.append(
                f"{used} {params[used]!r} and {key} {value!r} give two different years; "
                f"read as {year}"
            )


def _iso(params: dict[str, str], key: str, c: Citation) -> dates.PartialDate | None:
    value = params.get(key)
    if not value:
        return None
    found = dates.parse_date(value)
    if found is None:
        c.problems.append(f"{key} {value!r} not understood as a date")
    return found


def _kind(name: str, params: dict[str, str]) -> Kind:
    kind_word = name.split(" ", 1)[1] if " " in name else ""
    if kind_word in _KINDS:
        kind = _KINDS[kind_word]
    elif kind_word in ("news", "newspaper"):
        kind = "online" if params.get("url") else "article"
    elif kind_word:
        kind = "misc"
    elif params.get("journal") or params.get("magazine"):  # {{citation}}: judge by params
        kind = "article"
    elif params.get("chapter") or params.get("contribution"):
        kind = "chapter"
    elif params.get("isbn") or params.get("publisher"):
        kind = "book"
    elif params.get("url"):
        kind = "online"
    else:
        kind = "misc"
    if kind == "book" and (params.get("chapter") or params.get("contribution")):
        kind = "chapter"
    return kind


#: The language code CS1 puts before a ``|script-title=``: ``ja:壊死性遊走性紅斑``.
_SCRIPT_LANGUAGE = re.compile(r"^\s*[a-z]{2,3}(?:-[a-z]+)?\s*:\s*", re.IGNORECASE)


def _from_template(template: Template, line: int, raw: str) -> Citation:
    """One citation from a cite template's parameters."""
    c = Citation(line=line, raw=raw)
    name = template_name(template)
    if is_shortcut(template):
        return _from_shortcut(template, c)
    params = _params(template)
    c.problems.extend(_repeated(template))
    c.anchor = _ref_anchor(template)
    c.kind = _kind(name, params)
    c.authors = _name_list(params, editors=False)
    group = params.get("collaboration")
    if group:  # CS1 prints it after the authors: the group the work is credited to too
        c.authors = replace(c.authors, names=(*c.authors.names, Name(literal=group)))
    c.editors = _name_list(params, editors=True)
    for entry in (*c.authors.rejected, *c.editors.rejected):
        c.problems.append(
            f"doubtful name {entry!r} left out of the name list: it is not a person's or an "
            "organisation's name"
        )
    title = params.get("title") or _SCRIPT_LANGUAGE.sub("", params.get("scripttitle", "")) or None
    chapter = _first(params, "chapter", "contribution", "entry", "article")
    container = _first(params, *CONTAINER_PARAMS)
    if c.kind == "chapter" and chapter:
        c.title, c.container = chapter, title or container
        if title and container and container != title:
            c.series = container
    elif c.kind == "chapter":
        c.title, c.container = title, container
    else:
        c.title, c.container = title, container
        if chapter:
            c.notes.append(f"Chapter: {chapter}")
    conference = params.get("conference")
    if conference and conference not in (c.container, c.title):
        # {{cite conference |book-title=Proceedings … |conference=27th Meeting …}}: the
        # book is the container, the meeting's name is kept (it was dropped).
        c.notes.append(f"Conference: {conference}")
    if c.title and c.title.endswith(".") and not c.title.endswith(".."):
        c.title = c.title[:-1]
    if params.get("transtitle"):
        c.notes.append(f"Translated title: {params['transtitle']}")
    _date(params, c)
    c.volume = params.get("volume")
    c.issue = _first(params, "issue", "number")
    c.pages = _first(params, *PAGES_PARAMS)
    if params.get("at") and not c.pages:
        c.notes.append(params["at"])
    c.publisher = _first(params, "publisher", "institution", "school")
    c.address = _first(params, "location", "place", "publicationplace")
    c.edition = params.get("edition")
    c.series = c.series or params.get("series")
    c.language = params.get("language")
    c.thesis_type = _first(params, "degree", "type") if c.kind == "thesis" else None
    if c.kind == "report" and params.get("type"):
        c.report_type = params["type"]  # BibTeX's @techreport type ("Technical report")
    elif c.kind != "thesis" and params.get("type"):
        c.notes.append(params["type"])
    c.doi = params.get("doi")
    c.pmid = params.get("pmid")
    c.pmcid = params.get("pmc")
    c.arxiv = _first(params, "arxiv", "eprint")
    c.isbns = [v for v in (params.get("isbn"),) if v]
    c.issns = [v for v in (params.get("issn"), params.get("eissn")) if v]
    if params.get("others"):
        c.notes.append(f"Others: {params['others']}")
    if params.get("via"):  # the database or service the cited copy was read through
        c.notes.append(f"Via {params['via']}")
    for key, label in _OTHER_IDS:
        if params.get(key):
            c.notes.append(f"{label} {params[key]}")
    c.url = _first(params, "url", "chapterurl", "contributionurl", "sectionurl")
    c.archive_url = params.get("archiveurl")
    c.archive_date = _iso(params, "archivedate", c)
    c.access_date = _iso(params, "accessdate", c)
    item = params.get("1", "").upper() if name == "cite q" else ""
    if item:
        # {{Cite Q|Q56435123}}: the citation is the Wikidata item's, shown from there;
        # no title here is no fault (the check says it cannot read the item).
        c.notes.append(f"Wikidata {item}")
    elif not c.title:
        c.problems.append("no title in the template")
    return c
