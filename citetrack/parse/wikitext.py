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

This module finds the items and reads the refs' contents; its parts, each with one job:
:mod:`~citetrack.parse.wikiplain` (plain text, a template's name, kind and parameters),
:mod:`~citetrack.parse.wikicite` (a cite template's CS1 parameters),
:mod:`~citetrack.parse.wikishort` (shortcut templates and short citations) and
:mod:`~citetrack.parse.wikirefs` (a ``<ref>``'s name, reuses, list and ``{{dead link}}``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import mwparserfromhell
from mwparserfromhell.nodes import ExternalLink, Heading, Tag, Template, Text, Wikilink
from mwparserfromhell.wikicode import Wikicode

from citetrack.parse import dates, rendered
from citetrack.parse.build import Citation
from citetrack.parse.items import Item
from citetrack.parse.wikicite import (
    CONTAINER_PARAMS,
    DATE_PARAMS,
    PAGES_PARAMS,
    PERIODICAL_PARAMS,
    WORK_DATE_PARAMS,
    YEAR,
    _from_template,
)
from citetrack.parse.wikiplain import (
    _SHORT_CITATIONS,
    _SHOWS_IDENTIFIER,
    _params,
    _plain_nodes,
    is_cite,
    is_shortcut,
    plain,
    template_name,
)
from citetrack.parse.wikirefs import (
    DEAD_LINK_TAGS,
    MARKED_DEAD,
    _grouped,
    dead_link_after,
    holders,
    list_defined,
    list_groups,
    marked_dead_after,
    ref_name,
    reuses,
)
from citetrack.parse.wikishort import SHORT_PROBLEM, _resolve_short

#: The reader's names, with those of its parts that other modules import from here.
__all__ = [
    "CONTAINER_PARAMS",
    "DATE_PARAMS",
    "DEAD_LINK_TAGS",
    "MARKED_DEAD",
    "MAX_TEMPLATE_DEPTH",
    "PAGES_PARAMS",
    "PERIODICAL_PARAMS",
    "SHORT_PROBLEM",
    "WORK_DATE_PARAMS",
    "YEAR",
    "citation_count",
    "dead_link_after",
    "holders",
    "is_cite",
    "is_shortcut",
    "list_defined",
    "list_groups",
    "marked_dead_after",
    "parse_page",
    "parse_wikitext",
    "plain",
    "read_galleries",
    "ref_name",
    "reuses",
    "template_name",
    "too_deep",
]


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


# --------------------------------------------------------------------- refs without cites


#: Where a hand-written ref joins two Vancouver citations with "; ": after the first one's
#: last number (pages, year, identifier), before the next one's author ("Pujol RM, …",
#: "Su WP. …").  A volume after a year's semicolon ("2009;59(2)") is no such place.
_JOINED = re.compile(
    r"(?<=\d)\.?;\s+(?=[A-Z][A-Za-z'’-]+(?:[ -][A-Z][a-z'’-]+)? [A-Z]{1,3}(?:,|\.\s))"
)


_MAINTENANCE = re.compile(
    r"needed|dead link|failed verification|verification|better source|unreliable|cbignore|"
    r"citation needed|clarify|when\b|who\b|which\b|by whom|medrs",
    re.IGNORECASE,
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
