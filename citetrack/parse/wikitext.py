"""Wikitext references — ``<ref>`` blocks and ``{{cite …}}`` templates — read into citations.

The text is parsed with mwparserfromhell, a real wikitext parser, so templates may nest
(``{{!}}``, ``{{Webarchive|…}}``, ``{{INIST|…}}`` inside ``|id=``), carry comments and be
spaced and ordered any way.  Every ``<ref>`` that has contents is one item (a reuse
``<ref name=x />`` is not); cite templates outside any ``<ref>`` (a "Further reading"
list) are items too; so are refs in a ``<gallery>``'s captions (:func:`parse_page`).  A
ref's line is the line where it starts.

Inside a ref:

* each citation template — ``{{cite journal|book|web|news|magazine|conference|thesis|
  report|encyclopedia|…}}``, ``{{Cite …}}``, ``{{citation}}``, ``{{vcite …}}`` — is one
  citation, read from its CS1 parameters (``last1``/``first1`` … ``lastN``/``firstN``,
  ``author``/``authorN``, ``vauthors``, ``authors``, the ``editor`` family, ``title``,
  ``chapter``, ``journal``/``work``/``website``/``newspaper``, ``date``/``year``,
  ``volume``, ``issue``, ``pages``/``page``, identifiers, ``url``, ``archive-url``,
  ``archive-date``, ``access-date``, ``publisher``, ``location``, ``edition``…; hyphens
  and underscores in names are ignored, so ``accessdate`` and ``access-date`` are one;
  ``((…))`` in a name list is an organisation); a ``{{Webarchive}}`` after it in the ref
  is its archived copy;
* ``{{MedlinePlusEncyclopedia}}`` and ``{{EMedicine}}`` become online entries with the
  page they link to; ``{{cite pmid|…}}`` / ``{{cite doi|…}}`` an entry with only that
  identifier; ``{{Cite Q|Q123}}`` (the citation is Wikidata's) one with the item in its
  note; ``{{sfn}}`` / ``{{harvnb}}`` short citations an entry with the authors' names,
  year and page (identical ``{{sfn}}``s of the text count once): a pointer to a full
  citation of the page with those authors and year (``Citation.pointer``: a .bib written
  from the page leaves it out), or, when there is none, reported as CS1 reports a broken
  link;
* a ref without a template — a bare link ``[url title]``, perhaps with a
  ``{{Webarchive}}`` and a date — becomes an online entry with url and title; plain text
  (``{{doi}}``, ``{{PMID}}``… read as what they show), or text that starts with its
  authors and holds a link (its DOI, its title), is read like a rendered reference, two
  Vancouver citations joined by "; " as two, except an explanatory note: a ``<ref group=…>``
  (what ``{{efn}}`` makes) whose text holds no citation (no title or names, identifier or
  link) is not a reference and is not read;
* maintenance templates (``{{page needed}}``, ``{{dead link}}``…) are reported, and a
  ``{{dead link}}`` written right after the ``</ref>`` or after a reuse of the ref too
  (:func:`marked_dead_after`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

import mwparserfromhell
from mwparserfromhell.nodes import (
    Comment,
    ExternalLink,
    Heading,
    HTMLEntity,
    Node,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.wikicode import Wikicode

from citetrack.parse import dates, rendered
from citetrack.parse.build import Citation, Kind
from citetrack.parse.items import Item
from citetrack.parse.names import Name, NameList, is_organisation, parse_name_list

# ------------------------------------------------------------------------- plain text

_INLINE = {
    "!": "|",
    "=": "=",
    "'": "'",
    "''": "''",
    "snd": " – ",
    "spnd": " – ",
    "spaced ndash": " – ",
    "ndash": "–",
    "mdash": "—",
    "nbsp": " ",
    "thinsp": " ",
}
# Templates whose (last) positional argument is the text they show.
_SHOWS_ARGUMENT = frozenset(
    """nowrap noitalic nobold small smallcaps sc sup sub abbr ill lang transl transliteration
    math mvar var em strong""".split()  # noqa: SIM905
)


_NAMESPACE = re.compile(r"^\s*template\s*:\s*", re.IGNORECASE)


def template_name(template: Template) -> str:
    """A template's name as compared: lower case, ``_`` as a space, spaces collapsed, and
    the ``Template:`` namespace MediaWiki allows in front (``{{Template:Cite journal|…}}``)
    dropped."""
    name = _NAMESPACE.sub("", str(template.name).replace("_", " "))
    return " ".join(name.split()).lower()


#: Templates that show an identifier (``{{doi|10.1/x}}`` shows "doi:10.1/x", ``{{PMID|123}}``
#: "PMID 123"): written as they show, so that a hand-written ref keeps its identifiers.
_SHOWS_IDENTIFIER = {
    "doi": "doi:{}",
    "pmid": "PMID {}",
    "pmc": "PMC {}",
    "isbn": "ISBN {}",
    "issn": "ISSN {}",
    "oclc": "OCLC {}",
    "arxiv": "arXiv:{}",
}


def _inline_template(template: Template) -> str:
    name = template_name(template)
    if name in _INLINE:
        return _INLINE[name]
    positional = [p for p in template.params if not p.showkey]
    if name in _SHOWS_IDENTIFIER and positional:
        shown = plain(positional[0].value).strip()
        if name == "pmc":
            shown = re.sub(r"^PMC", "", shown, flags=re.IGNORECASE)
        return _SHOWS_IDENTIFIER[name].format(shown) if shown else ""
    if (name in _SHOWS_ARGUMENT or name.startswith("lang-")) and positional:
        if name in ("abbr", "ill"):
            return plain(positional[0].value)
        return plain(positional[-1].value)
    return ""


def plain(code: Wikicode) -> str:
    """The text a reader would see: links as their text, comments and markup removed."""
    return _plain_nodes(code.nodes)


def _plain_nodes(nodes: Iterable[Node]) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(str(node))
        elif isinstance(node, Wikilink):
            out.append(plain(node.text) if node.text is not None else plain(node.title))
        elif isinstance(node, ExternalLink):
            out.append(plain(node.title) if node.title is not None else str(node.url))
        elif isinstance(node, Template):
            out.append(_inline_template(node))
        elif isinstance(node, HTMLEntity):
            out.append(node.normalize())
        elif isinstance(node, Tag):
            if str(node.tag).lower() == "br":
                out.append(" ")
            elif node.contents is not None and str(node.tag).lower() != "ref":
                out.append(plain(node.contents))
        elif isinstance(node, Heading):
            out.append(plain(node.title))
        elif isinstance(node, Comment):
            continue
    return " ".join("".join(out).replace("\u00a0", " ").split())


# ------------------------------------------------------------------ finding the items


def is_cite(template: Template) -> bool:
    """A citation template: ``{{cite …}}``, ``{{citation}}``, ``{{vcite …}}``."""
    name = template_name(template)
    return name in ("citation", "cite", "vcite") or name.startswith(("cite ", "vcite ", "vcite2 "))


def is_shortcut(template: Template) -> bool:
    """Templates that stand for a citation without being a cite template."""
    name = template_name(template)
    return name in _SHORTCUTS or name in _SHORT_CITATIONS or name in _BY_IDENTIFIER


_SHORTCUTS = ("medlineplusencyclopedia", "emedicine")
# Short citations pointing at a full one elsewhere: {{sfn|Smith|Jones|2001|p=5}}.
_SHORT_CITATIONS = frozenset(
    """sfn sfnp sfnm harv harvp harvnb harvtxt harvcoltxt harvcol""".split()  # noqa: SIM905
)
# Deprecated templates that cite by identifier only: {{cite pmid|19258446}}.
_BY_IDENTIFIER = {"cite pmid": "pmid", "cite doi": "doi", "cite pmc": "pmcid"}


def _walk(code: Wikicode) -> Iterator[Tag | Template]:
    """``<ref>`` tags with contents and cite templates outside refs, in document order.

    Into link texts (an image's caption: ``[[File:x.jpg|thumb|A rash.<ref>…</ref>]]``)
    and headings too, as the article's locator walks (:mod:`citetrack.inputs.article`):
    the two must see the same citations in the same order, or a finding is placed at
    its neighbour's ``<ref>``."""
    for node in code.nodes:
        if isinstance(node, Wikilink):
            if node.text is not None:
                yield from _walk(node.text)
            continue
        if isinstance(node, Heading):
            yield from _walk(node.title)
            continue
        if isinstance(node, Tag):
            if str(node.tag).strip().lower() == "ref":
                if node.contents is not None and str(node.contents).strip():
                    yield node
            elif node.contents is not None:
                yield from _walk(node.contents)
        elif isinstance(node, Template):
            if is_cite(node) or is_shortcut(node):
                yield node
            else:
                for param in node.params:
                    yield from _walk(param.value)


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
_MAINTENANCE = re.compile(
    r"needed|dead link|failed verification|verification|better source|unreliable|cbignore|"
    r"citation needed|clarify|when\b|who\b|which\b|by whom|medrs",
    re.IGNORECASE,
)
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


def _params(template: Template) -> dict[str, str]:
    """Parameter name (lower case, without ``-``/``_``/spaces) → plain value.

    Of two spellings of one name (``access-date``, ``accessdate``) the first filled one
    wins; a parameter given twice under the very same name is MediaWiki's business: the
    page shows the last value (even an empty one), so that is the one read.
    """
    values: dict[str, str] = {}
    spelled: dict[str, str] = {}  # normalised name → the exact name that set it
    for param in template.params:
        exact = plain(param.name).strip()
        name = re.sub(r"[-_\s]", "", exact.lower())
        value = plain(param.value).strip()
        if spelled.get(name) == exact:  # the same parameter again: the last one counts
            if value:
                values[name] = value
            else:
                values.pop(name, None)
                del spelled[name]
        elif value and name not in values:
            values[name] = value
            spelled[name] = exact
    return values


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


def _first(params: dict[str, str], *keys: str) -> str | None:
    return next((params[k] for k in keys if params.get(k)), None)


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


def _from_shortcut(template: Template, c: Citation) -> Citation:
    """``{{MedlinePlusEncyclopedia|000771|Title}}``, ``{{EMedicine|article|288379|Title}}``,
    short citations (``{{sfn|Smith|2001|p=5}}``) and ``{{cite pmid|…}}``-style templates."""
    args = [plain(p.value).strip() for p in template.params if not p.showkey]
    name = template_name(template)
    if name in _BY_IDENTIFIER:
        setattr(c, _BY_IDENTIFIER[name], args[0] if args else None)
        c.problems.append(f"{{{{{name}}}}} gives only an identifier; the rest must be looked up")
        return c
    if name in _SHORT_CITATIONS:
        return _short_citation(template, args, c)
    c.kind = "online"
    if name == "medlineplusencyclopedia" and args:
        c.container = "MedlinePlus Encyclopedia"
        c.url = f"https://medlineplus.gov/ency/article/{args[0]}.htm"
        c.title = args[1] if len(args) > 1 else None
    elif len(args) >= 2:
        c.container = "eMedicine"
        if args[0] == "article":
            c.url = f"https://emedicine.medscape.com/article/{args[1]}-overview"
        c.title = args[2] if len(args) > 2 else None
    if not c.title:
        c.problems.append("no title in the template")
    return c


_SFNM_PART = re.compile(r"(\d)(?:a[1-4]|y)")


def _sfnm(params: dict[str, str], c: Citation) -> Citation:
    """``{{sfnm|1a1=Smith|1y=2001|1p=5|2a1=Jones|2y=2002}}``: several short citations in
    one footnote (Template:Sfnm, up to 9); the first is read as an ``{{sfn}}``, the others
    kept to be resolved with it."""
    numbers = sorted({int(m[1]) for key in params if (m := _SFNM_PART.fullmatch(key))})
    for n in numbers:
        families = [params[f"{n}a{k}"] for k in range(1, 5) if params.get(f"{n}a{k}")]
        names = NameList(tuple(Name(family=f) for f in families))
        year = dates.parse_date(params[f"{n}y"]) if params.get(f"{n}y") else None
        if n == numbers[0]:
            c.authors, c.date = names, year
            c.pages = _first(params, f"{n}p", f"{n}pp")
        else:
            c.more_short.append((names, year))
    c.problems.append(SHORT_PROBLEM)
    return c


def _short_citation(template: Template, args: list[str], c: Citation) -> Citation:
    """Author families and a year, with the page: kept, and reported as a short citation."""
    params = _params(template)
    if template_name(template) == "sfnm" and any(_SFNM_PART.fullmatch(k) for k in params):
        return _sfnm(params, c)
    year = dates.parse_date(args[-1]) if args else None
    families = args[:-1] if year else args
    c.authors = NameList(tuple(Name(family=f) for f in families if f))
    c.date = year
    c.pages = _first(params, "p", "pp", "page", "pages")
    if params.get("loc"):
        c.notes.append(params["loc"])
    c.problems.append(SHORT_PROBLEM)
    return c


#: The problem of a short citation (``{{sfn}}``, ``{{harv}}``…) whose full citation the
#: page does not hold (:func:`_resolve_short`): nothing about it can be checked.
SHORT_PROBLEM = "short citation (author and year only): the full reference is elsewhere"
_SHORT_UNRESOLVED = (
    "short citation ({families}, {year}) points to no full citation in the article with "
    "these authors and year (CS1's 'Harv error: this link doesn't point to any citation'), "
    "so nothing about it can be checked"
)


def _fold(name: str) -> str:
    """A name as anchors are compared here: no case, accents, spaces or punctuation."""
    plain = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in plain.casefold() if ch.isalnum())


def _anchor_names(names: NameList) -> tuple[str, ...]:
    """The folded family names (or organisations) a CS1 anchor is made of: the first four."""
    out = []
    for n in names.names[:4]:
        word = _fold(n.family or n.literal)
        if word:
            out.append(word)
    return tuple(out)


def _anchors(c: Citation) -> tuple[tuple[str, ...], int | None] | None:
    """(names, year) a short citation can point at: CS1's ``CITEREF`` anchor of a full
    citation is its first four authors' family names (else its editors') and its year."""
    names = _anchor_names(c.authors) or _anchor_names(c.editors)
    if not names:
        return None
    return names, c.date.year if c.date else None


_ANCHOR_TEMPLATES = frozenset({"sfnref", "harvid", "harvard citation id"})


def _ref_anchor(template: Template) -> str | None:
    """The anchor a cite template's ``|ref=`` sets, folded as :func:`_short_anchor`
    folds a short citation's: ``{{sfnref|WHO|2020}}`` and ``{{harvid|WHO|2020}}`` join
    their arguments, ``CITEREFWHO2020`` is the anchor itself (``none``, ``harv``: none).
    See https://en.wikipedia.org/wiki/Template:Sfnref."""
    param = next((p for p in template.params if str(p.name).strip().lower() == "ref"), None)
    if param is None:
        return None
    for inner in param.value.filter_templates(recursive=False):
        if template_name(inner) in _ANCHOR_TEMPLATES:
            args = [plain(p.value) for p in inner.params if not p.showkey]
            return _fold("".join(args)) or None
    text = plain(param.value).strip()
    if text.startswith("CITEREF"):
        return _fold(text[len("CITEREF") :]) or None
    return None


def _short_anchor(authors: NameList, date: dates.PartialDate | None) -> str:
    """A short citation's anchor as :func:`_ref_anchor` folds the full one's: its
    names and year run together (CS1's ``CITEREF`` + names + year)."""
    names = "".join(n.family or n.literal for n in authors.names)
    return _fold(names + (str(date.year) if date else ""))


def _resolve_short(citations: list[Citation]) -> None:
    """A short citation whose full citation the page holds is a pointer to it: its
    problem is dropped (the full citation is checked; an {{sfn}}-styled article gave a
    warning per footnote).  One that points at nothing is said so, as CS1 does.  Lenient
    where CS1 is strict (case, accents and spacing of names; a first author and year
    alike when the name lists differ): a missed broken link is better than a false alarm."""
    fulls = [c for c in citations if SHORT_PROBLEM not in c.problems]
    exact: set[tuple[tuple[str, ...], int | None]] = set()
    first: set[tuple[str, int | None]] = set()
    named = {c.anchor for c in fulls if c.anchor}  # |ref={{sfnref|WHO|2020}}
    for c in fulls:
        anchor = _anchors(c)
        if anchor:
            exact.add(anchor)
            first.add((anchor[0][0], anchor[1]))

    def points(authors: NameList, date: dates.PartialDate | None) -> bool:
        names = tuple(w for n in authors.names if (w := _fold(n.family or n.literal)))
        if names and names[-1] == "nd":  # {{sfn|Smith|n.d.}}: no year
            names = names[:-1]
        year = date.year if date else None
        if (names[:4], year) in exact or bool(names and (names[0], year) in first):
            return True
        return bool(named) and _short_anchor(authors, date) in named

    for c in citations:
        if SHORT_PROBLEM not in c.problems:
            continue
        c.problems.remove(SHORT_PROBLEM)
        nowhere = [
            (authors, date)
            for authors, date in ((c.authors, c.date), *c.more_short)
            if not points(authors, date)
        ]
        if not nowhere:
            c.pointer = True
            continue
        for authors, date in nowhere:
            shown = ", ".join(n.family or n.literal for n in authors.names) or "no author"
            year = date.year if date else None
            c.problems.append(
                _SHORT_UNRESOLVED.format(families=shown, year=year if year else "no year")
            )


# --------------------------------------------------------------------- refs without cites


#: Where a hand-written ref joins two Vancouver citations with "; ": after the first one's
#: last number (pages, year, identifier), before the next one's author ("Pujol RM, …",
#: "Su WP. …").  A volume after a year's semicolon ("2009;59(2)") is no such place.
_JOINED = re.compile(
    r"(?<=\d)\.?;\s+(?=[A-Z][A-Za-z'’-]+(?:[ -][A-Z][a-z'’-]+)? [A-Z]{1,3}(?:,|\.\s))"
)


#: A hand-written citation starts with its authors ("Thiers BH, …", "Su WP. …",
#: "Thiers, B. H., …"): a link after them is its DOI or its title, not a web page's title.
_AUTHORS_FIRST = re.compile(
    r"^[A-Z][A-Za-z'’-]+(?:[ -][A-Z][a-z'’-]+)?(?: [A-Z]{1,3}[,.]|, [A-Z]\.)"
)


def _written_with_link(
    contents: Wikicode, line: int, raw: str, url: str, archives: list[Template]
) -> list[Citation]:
    """A citation written out by hand with a link in it (its DOI, its title): read as
    text, the link as the text it shows; the link is its URL unless it is a DOI's."""
    citations = rendered.parse_item(Item(line, plain(contents), raw))
    c = citations[0]
    if not c.url and "doi.org/" not in url.lower():
        c.url = url
    for archive in archives:
        _archive_of(archive, c)
    return citations


def _from_plain_ref(contents: Wikicode, line: int, raw: str) -> list[Citation]:
    """A ref with no cite template: a bare link (→ online) or text read as rendered."""
    links = contents.filter_external_links(recursive=False)
    archives = [
        t
        for t in contents.filter_templates(recursive=False)
        if template_name(t) in _ARCHIVE_TEMPLATES
    ]
    if not links:
        text = plain(contents)
        if not text:
            return [Citation(line=line, raw=raw, problems=["empty reference"])]
        parts = [part for part in _JOINED.split(text) if part.strip()]
        return [c for part in parts for c in rendered.parse_item(Item(line, part, raw))]
    link = links[0]
    before = _plain_nodes(contents.nodes[: contents.index(link)])
    if _AUTHORS_FIRST.match(before):
        return _written_with_link(contents, line, raw, str(link.url).strip(), archives)
    c = Citation(line=line, raw=raw, kind="online", url=str(link.url).strip())
    c.title = plain(link.title) if link.title is not None else None
    for archive in archives:
        _archive_of(archive, c)
    leftover = _plain_nodes(
        n for n in contents.nodes if not isinstance(n, ExternalLink) and n not in archives
    ).strip(" .,;")
    if leftover:
        found = dates.parse_date(leftover)
        c.date = found or dates.find_full_date(leftover)
        if found is None:
            c.notes.append(leftover)
    if not c.title:
        c.problems.append("bare link without a title")
    return [c]


_ARCHIVE_TEMPLATES = ("webarchive", "wayback", "webcite")


def _archive_of(template: Template, c: Citation) -> None:
    """The archived copy a ``{{Webarchive|url=…|date=…}}`` gives ``c``, unless it has one."""
    params = _params(template)
    if c.archive_url or not params.get("url"):
        return
    c.archive_url = params["url"]
    c.archive_date = c.archive_date or dates.parse_date(params.get("date", ""))


def _archives_beside(contents: Wikicode, cites: list[Template], citations: list[Citation]) -> None:
    """A ``{{Webarchive}}`` written after a cite template in the ref (before the next one)
    is that citation's archived copy, as the page shows it: the dead URL is expected, and
    an export must not add a second ``archive-url``."""
    owner: Citation | None = None
    for node in contents.nodes:
        if not isinstance(node, Template):
            continue
        at = next((i for i, t in enumerate(cites) if t is node), None)
        if at is not None:
            owner = citations[at]
        elif owner is not None and template_name(node) in _ARCHIVE_TEMPLATES:
            _archive_of(node, owner)


def _maintenance(contents: Wikicode, *, as_text: bool) -> list[str]:
    """What the ref's templates other than its citations say or leave unread (``as_text``:
    the ref was read as text, identifier templates with it)."""
    problems: list[str] = []
    for template in contents.filter_templates(recursive=False):
        name = template_name(template)
        if (
            is_cite(template)
            or is_shortcut(template)
            or name in ("webarchive", "wayback")
            or (as_text and name in _SHOWS_IDENTIFIER)  # read with the text around it
        ):
            continue
        if _MAINTENANCE.search(name):
            problems.append(f"marked {{{{{name}}}}} in the source")
        else:
            problems.append(f"template {{{{{name}}}}} in the reference was not read")
    return problems


#: ``{{dead link}}`` and the redirects to it editors type.
DEAD_LINK_TAGS = frozenset({"dead link", "deadlink", "dead-link", "broken link"})
#: What a citation marked with a :data:`DEAD_LINK_TAGS` template reports.
MARKED_DEAD = "marked {{dead link}} in the source"


def holders(code: Wikicode) -> dict[int, Wikicode]:
    """The wikicode each node of ``code`` is a node of (by ``id`` of the node), at every
    depth: what stands beside a ``<ref>`` is read from there."""
    out: dict[int, Wikicode] = {}
    stack = [code]
    while stack:
        holder = stack.pop()
        for node in holder.nodes:
            out[id(node)] = holder
            stack.extend(node.__children__())
    return out


def dead_link_after(holder: Wikicode, ref: Tag) -> tuple[Template, tuple[Text, ...]] | None:
    """The ``{{dead link}}`` written right after ``ref``'s ``</ref>`` in ``holder`` — only
    spaces between, on the same line — and the spaces before it (``None``: there is none).

    Template:Dead link asks for the tag inside the ref, after the citation, but editors
    often type it after the ``</ref>``; the page shows it beside the footnote either way,
    so it marks that footnote's citation (its last one).  Anything else between the two
    (words, another footnote, a line break) makes it another claim's tag."""
    nodes = holder.nodes
    try:
        index = holder.index(ref)
    except ValueError:
        return None
    gap: list[Text] = []
    for node in nodes[index + 1 :]:
        if isinstance(node, Text) and not node.value.strip(" \t"):
            gap.append(node)
            continue
        if isinstance(node, Template) and template_name(node) in DEAD_LINK_TAGS:
            return node, tuple(gap)
        return None
    return None


def ref_name(ref: Tag, list_group: str = "") -> tuple[str, str] | None:
    """``(group, name)`` of a named ``<ref>`` (``list_group``: the group of the list it is
    defined in, when it has no ``group`` of its own), else ``None``."""

    def attr(name: str) -> str:
        return str(ref.get(name).value).strip().strip("\"'").strip() if ref.has(name) else ""

    name = attr("name")
    return (attr("group") or list_group, name) if name else None


def reuses(code: Wikicode) -> dict[tuple[str, str], list[Tag]]:
    """The reuses (``<ref name=… />``) of each named ref, by ``(group, name)``."""
    out: dict[tuple[str, str], list[Tag]] = {}
    for tag in code.filter_tags(recursive=True, matches=_is_tag("ref")):
        key = ref_name(tag)
        if key is not None and (tag.contents is None or not str(tag.contents).strip()):
            out.setdefault(key, []).append(tag)
    return out


def marked_dead_after(
    ref: Tag, beside: dict[int, Wikicode], reused: dict[tuple[str, str], list[Tag]], group: str
) -> list[tuple[Wikicode, Template, tuple[Text, ...]]]:
    """The ``{{dead link}}`` tags written right after ``ref``'s ``</ref>`` or right after
    one of its reuses (:func:`dead_link_after`), each with the wikicode it stands in and
    the spaces before it: all tag the ref's (last) citation, as the page shows them."""
    key = ref_name(ref, group)
    out = []
    for tag in (ref, *(reused.get(key, ()) if key is not None else ())):
        holder = beside.get(id(tag))
        after = dead_link_after(holder, tag) if holder is not None else None
        if holder is not None and after is not None:
            out.append((holder, *after))
    return out


def _grouped(ref: Tag) -> bool:
    """Whether a ``<ref>`` belongs to a named group (``<ref group=note>``, what ``{{efn}}``
    makes): the page lists it apart from the references, as an explanatory note."""
    return ref.has("group") and bool(str(ref.get("group").value).strip())


#: Note lists and the group their ``refs=`` definitions belong to ({{notelist}} is
#: {{reflist|group=lower-alpha}}, the group {{efn}} uses; the others likewise).
_NOTELISTS = {
    "notelist": "lower-alpha",
    "notelist-ua": "upper-alpha",
    "notelist-lr": "lower-roman",
    "notelist-ur": "upper-roman",
    "notelist-lg": "lower-greek",
}
_REFLISTS = frozenset({"reflist", "references", "notelist", *_NOTELISTS})


def _is_tag(name: str) -> Callable[[Node], bool]:
    return lambda node: isinstance(node, Tag) and str(node.tag).strip().lower() == name


def list_defined(code: Wikicode) -> dict[int, str]:
    """Every ``<ref>`` defined in a reference list (``id`` of the ref tag → the list's
    group, ``""`` for none): inside ``<references>…</references>`` or the ``refs=`` of
    ``{{reflist}}`` / ``{{notelist}}``…"""
    out: dict[int, str] = {}
    for tag in code.filter_tags(recursive=True, matches=_is_tag("references")):
        group = str(tag.get("group").value).strip().strip("\"'") if tag.has("group") else ""
        if tag.contents is not None:
            for ref in tag.contents.filter_tags(recursive=True, matches=_is_tag("ref")):
                out.setdefault(id(ref), group)
    for template in code.filter_templates(recursive=True):
        name = template_name(template)
        if name not in _REFLISTS or not template.has("refs"):
            continue
        given = str(template.get("group").value).strip() if template.has("group") else ""
        group = given or _NOTELISTS.get(name, "")
        refs = template.get("refs").value
        for ref in refs.filter_tags(recursive=True, matches=_is_tag("ref")):
            out.setdefault(id(ref), group)
    return out


def list_groups(code: Wikicode) -> dict[int, str]:
    """The group each list-defined ``<ref>`` takes from its list (``id`` of the ref tag →
    group): MediaWiki puts a ref defined inside ``<references group=note>`` or
    ``{{reflist|group=note|refs=…}}`` / ``{{notelist|refs=…}}`` in that list's group."""
    return {ref: group for ref, group in list_defined(code).items() if group}


def _no_citation(c: Citation) -> bool:
    """A plain-text reading that found nothing of a citation: no title, no names, no
    identifier, no link (the reader kept the text as a note)."""
    return (
        c.kind == "misc"
        and not c.title
        and not c.authors.names
        and not (c.doi or c.pmid or c.pmcid or c.isbns or c.url or c.archive_url)
    )


def citation_count(ref: Tag, list_group: str = "") -> int:
    """How many citations the reader takes from a ``<ref>`` with contents: 0 for an
    explanatory note that holds none, several for hand-written text citing several works.
    The locator gives a ref without a cite template that many places, so that both stay in
    step.  ``list_group``: the group it takes from the list it is defined in
    (:func:`list_groups`)."""
    return len(_ref_citations(ref, 0, list_group))


def _ref_citations(
    ref: Tag, line: int, list_group: str = "", *, marked_after: bool = False
) -> list[Citation]:
    """The citations of a ``<ref>`` with contents; ``marked_after``: a ``{{dead link}}``
    follows its ``</ref>`` (:func:`dead_link_after`), said on its last citation."""
    raw = str(ref)
    contents = ref.contents
    cites = [t for t in contents.filter_templates(recursive=True) if is_cite(t) or is_shortcut(t)]
    # A cite template nested inside another one (rare) is part of it, not a citation; told
    # by the tree, not by the text (the same template pasted twice is two citations).
    inner = {
        id(t) for o in cites for p in o.params for t in p.value.filter_templates(recursive=True)
    }
    outer = [t for t in cites if id(t) not in inner]
    if outer:
        citations = [_from_template(t, line, raw) for t in outer]
        _archives_beside(contents, outer, citations)
    else:
        citations = _from_plain_ref(contents, line, raw)
        if (list_group or _grouped(ref)) and all(_no_citation(c) for c in citations):
            # An explanatory note in prose: not a reference, nothing to check or report.
            # (One that holds a {{cite}}, a link, an identifier or a citation written
            # out by hand is still read.)
            return []
    problems = _maintenance(contents, as_text=not outer)
    # Short citations ({{harvnb|A|2001}}; {{harvnb|B|2002}}) point at full ones: a footnote
    # naming several works that way is ordinary, not several entries made of one.
    works = [t for t in outer if template_name(t) not in _SHORT_CITATIONS] if outer else citations
    if len(works) > 1:
        problems.append(f"this reference holds {len(works)} citations; each became its own entry")
    citations[0].problems[:0] = problems
    if marked_after and MARKED_DEAD not in citations[-1].problems:
        citations[-1].problems.append(MARKED_DEAD)
    return citations


#: How deep templates and ``<ref>`` tags may nest (unclosed ones count): mwparserfromhell
#: recurses once a level when it prints a node, and backtracks over every unclosed
#: template or tag to the end of the text, so 400 levels crash it and 20,000 unclosed
#: ``{{cite`` or ``<ref>`` take minutes.
MAX_TEMPLATE_DEPTH = 40
_OPEN_CLOSE = re.compile(r"\{\{|\}\}|<ref\b[^<>]*?(/?)>|</ref\s*>", re.IGNORECASE)


def too_deep(text: str) -> tuple[int, str] | None:
    """``(line, message)`` when templates (``{{``) and ``<ref>`` tags nest deeper than
    :data:`MAX_TEMPLATE_DEPTH` (the text is then not read as wikitext), else ``None``.
    Linear in the text."""
    depth = 0
    for match in _OPEN_CLOSE.finditer(text):
        found = match.group(0)
        if found == "}}" or found.startswith("</"):
            depth = max(0, depth - 1)
            continue
        if match.group(1):  # <ref name="x" />: opens nothing
            continue
        depth += 1
        if depth > MAX_TEMPLATE_DEPTH:
            line = text.count("\n", 0, match.start()) + 1
            return line, (
                f"templates ({{{{…}}}}) or <ref> tags nested more than {MAX_TEMPLATE_DEPTH} "
                "deep here, or that many left unclosed; the wikitext is not read"
            )
    return None


#: Extension tags whose contents MediaWiki reads as wikitext but mwparserfromhell keeps as
#: plain text: a ``<gallery>``'s captions (``File:x.jpg|A rash.<ref>…</ref>``) show
#: their footnotes, numbered in page order.
_WIKITEXT_INSIDE = frozenset({"gallery"})


def read_galleries(code: Wikicode) -> Wikicode:
    """``code`` with each ``<gallery>``'s contents read as wikitext, in place (the text
    is unchanged, so an edit of a template in a caption is an edit of the page).

    Idempotent: contents already read (any node but plain text) are left as they are,
    so the nodes a caller holds stay those of the page."""
    for tag in code.filter_tags(
        recursive=True, matches=lambda n: str(n.tag).strip().lower() in _WIKITEXT_INSIDE
    ):
        contents = tag.contents
        if contents is not None and all(isinstance(n, Text) for n in contents.nodes):
            tag.contents = mwparserfromhell.parse(str(contents))
    return code


def parse_page(text: str) -> Wikicode:
    """A wikitext page parsed as MediaWiki reads it: :func:`read_galleries` too.  Every
    reader of a page (parser, locator, exporter) parses it this way, so all see the same
    citations."""
    return read_galleries(mwparserfromhell.parse(text))


def parse_wikitext(text: str) -> list[Citation]:
    """Every reference of a wikitext page (or of a list of ``<ref>`` blocks), in order."""
    code = parse_page(text)
    groups = list_groups(code)
    beside = holders(code)
    reused = reuses(code)
    citations: list[Citation] = []
    search_from = 0
    counted_to = 0
    line = 1
    short_seen: set[str] = set()
    for node in _walk(code):
        source = str(node)
        if isinstance(node, Template) and template_name(node) in _SHORT_CITATIONS:
            # Identical {{sfn}}s in the text make one footnote on the page.
            if source in short_seen:
                continue
            short_seen.add(source)
        position = text.find(source, search_from)
        if position >= 0:
            line += text.count("\n", counted_to, position)
            counted_to = position
            search_from = position + len(source)
        if isinstance(node, Tag):
            group = groups.get(id(node), "")
            marked = bool(marked_dead_after(node, beside, reused, group))
            citations.extend(_ref_citations(node, line, group, marked_after=marked))
        else:
            citations.append(_from_template(node, line, source))
    _resolve_short(citations)
    return citations
