"""An article as input: detect its format, read its references, and locate each one.

``check`` and ``lock`` accept, besides .bib files, a whole article: a wikitext file, a
rendered plain-text copy, standard input (``-``) or a wiki page URL (fetched by
:mod:`citetrack.inputs.mediawiki`).  This module turns the article's text into
:class:`~citetrack.model.Reference` objects (through :mod:`citetrack.parse`) and gives
each one a :class:`~citetrack.model.Location` and a key that stays the same when the
article is edited around it:

* **location** — line and column of the reference's ``{{cite …}}`` template (of its
  ``<ref>`` when it has none), its ``<ref name=…>``, and its number in the rendered list:
  refs are numbered per ``group`` in order of first appearance, a named ref once however
  often it is reused (as the Cite extension does);
* **key** — the ref name when it has one (``Thom2006``; a second citation in the same ref
  ``Thom2006-2``), otherwise the first author's family name and a short hash of the
  citation's title (or, without a title, of its identifiers / URL / text):
  ``thomson-3fa2c1``.  A key never depends on position, so a lockfile written for one
  revision keeps tracking the same references in the next: moved references keep their
  key, new ones are "added", deleted ones "removed".

Locations are computed here with mwparserfromhell over the whole page (offsets walked
through tags, template parameters, link texts and headings), not in the parser.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from mwparserfromhell.nodes import Heading, Node, Tag, Template, Wikilink
from mwparserfromhell.wikicode import Wikicode

from citetrack.model import ArticleInfo, Location, Reference
from citetrack.parse import (
    DOUBTFUL,
    NOT_READ,
    ParseProblem,
    detect_format,
    parse_text,
    reference_list,
)
from citetrack.parse.keys import ascii_fold
from citetrack.parse.wikitext import (
    citation_count,
    is_cite,
    is_shortcut,
    list_defined,
    list_groups,
    parse_page,
    read_galleries,
    template_name,
    too_deep,
)

InputFormat = Literal["auto", "bib", "wikitext", "text"]
ArticleFormat = Literal["wikitext", "text"]

#: File names that say the text is wikitext (read as such; a ``.txt`` may be either).
WIKITEXT_SUFFIXES = (".wiki", ".mediawiki", ".wikitext")
_BIB_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)


@dataclass(frozen=True)
class Article:
    """An article read: its text, where it came from, and its located references.

    ``unread``: the non-empty lines of a rendered text outside its reference list, as
    :attr:`citetrack.parse.ParseResult.unread` gives them (none for wikitext, whose
    citations are found wherever they are, nor for a LaTeX paper, whose text around its
    bibliography is no reference list).
    """

    info: ArticleInfo
    text: str
    references: tuple[Reference, ...]
    problems: tuple[ParseProblem, ...]
    unread: tuple[tuple[int, int, int], ...] = ()
    #: How many short citations (``{{sfn}}``, ``{{harvnb}}``) point to a full citation of
    #: the page: footnotes, not works, so not references (the full citation is checked).
    pointers: int = 0


@dataclass(frozen=True)
class CiteSite:
    """One citation of a wikitext article and the template node it was read from."""

    key: str
    location: Location
    template: Template | None  # None: a ref without a cite template (bare link, text)
    offset: int  # of the template (or of the <ref>) in the text
    ref: Tag | None = None  # the <ref> it is in (None: a cite outside any ref)


# ----------------------------------------------------------------------------- detection


def is_bib_text(text: str) -> bool:
    """A BibTeX file: entries ``@type{`` and no wikitext markers."""
    return bool(_BIB_ENTRY.search(text)) and detect_format(text) == "text"


def wants_article(arg: str, fmt: InputFormat, head: str | None) -> bool:
    """Whether a ``check`` argument is an article (not a .bib), given ``--from``.

    ``head`` is the start of the file's text (``None`` if it could not be read: then
    the name decides and the .bib reader reports the error).
    """
    if fmt in ("wikitext", "text") or arg.lower().startswith(("http://", "https://")):
        return True
    if fmt == "bib" or arg.lower().endswith(".bib"):
        return False
    if arg == "-":
        return head is None or not is_bib_text(head)
    suffix = Path(arg).suffix.lower()
    if suffix in (*WIKITEXT_SUFFIXES, ".txt"):
        return True
    return head is not None and not is_bib_text(head)


# ------------------------------------------------------------------------------ reading


def read_article(
    text: str, info: ArticleInfo, *, display: str, fmt: ArticleFormat | None = None
) -> Article:
    """The references of an article with stable keys and locations.

    ``display`` is the name written as each reference's ``path`` (the file name, or the
    page's title for a URL): the lockfile tracks references per that name.
    """
    chosen: ArticleFormat = fmt or detect_format(text)
    parsed = parse_text(text, chosen)
    info = replace(info, format=chosen, name=display)
    if chosen != "wikitext":
        refs = _assign_rendered(text, parsed.references, display)
        renamed = {old.key: new.key for old, new in zip(parsed.references, refs, strict=True)}
        rekeyed = tuple(_rekeyed(p, renamed) for p in parsed.problems)
        unread = () if parsed.latex else parsed.unread
        return Article(info, text, tuple(refs), rekeyed, unread)
    if too_deep(text) is not None:  # parse_text refused it; so must the locator
        return Article(info=info, text=text, references=(), problems=parsed.problems)
    code = parse_page(text)
    sites = locate_wikitext(text, code)
    placed: list[tuple[int, int, Reference]] = []  # (site, order, reference)
    for order, (ref, index) in enumerate(
        zip(parsed.references, match_sites(parsed.references, sites), strict=True)
    ):
        placed.append((index if index is not None else -1, order, ref))
    problems_by_site: list[tuple[int, tuple[ParseProblem, ...], tuple[Reference, ...]]] = [
        (-1, parsed.problems, parsed.references)
    ]
    used = {index for index, _, _ in placed}
    for index, site in enumerate(sites):
        # A citation the page shows that the parser's walk did not reach (a <ref> in an
        # image caption): read on its own, placed where it is.
        if index in used or site.template is None:
            continue
        alone = parse_text(str(site.template), "wikitext")
        for ref in alone.references:
            placed.append((index, len(placed), replace(ref, line=site.location.line)))
        problems_by_site.append(
            (
                index,
                tuple(replace(p, line=site.location.line) for p in alone.problems),
                alone.references,
            )
        )
    placed.sort(key=lambda p: (p[0] if p[0] >= 0 else p[1], p[1]))
    # A footnote pointing at a full citation of the page is not a work of its own: it
    # was a reference "unchecked" for want of an identifier, counted in the total and
    # tracked in the lockfile, so each footnote added or moved was a change.
    footnotes = {id(ref) for ref in parsed.references if ref.key in parsed.pointers}
    pointers = sum(1 for _, _, ref in placed if id(ref) in footnotes)
    placed = [p for p in placed if id(p[2]) not in footnotes]
    refs = _unique_keys(
        [_placed(ref, sites[index] if index >= 0 else None, display) for index, _, ref in placed]
    )
    new_key = {id(ref): new.key for (_, _, ref), new in zip(placed, refs, strict=True)}
    reported: list[ParseProblem] = []
    for _, found, their_refs in problems_by_site:
        renamed = {r.key: new_key[id(r)] for r in their_refs if id(r) in new_key}
        reported += [_rekeyed(p, renamed) for p in found]
    reported += undefined_refs(text, code)
    return Article(
        info=info,
        text=text,
        references=tuple(refs),
        problems=tuple(reported),
        pointers=pointers,
    )


def undefined_refs(text: str, code: Wikicode) -> list[ParseProblem]:
    """A problem for each ``<ref name=…/>`` whose name no ``<ref>`` with a body defines.

    MediaWiki shows a cite error there and the reader gets no source; citetrack has
    nothing to check, so it says so instead of skipping the reuse silently.  A
    definition may come after its first use or sit in ``<references>`` (list-defined).
    A name defined twice with different content is a cite error too (the reader gets
    only one of the two citations): a ``parse-doubtful`` problem at the second.
    """
    lines = _Lines(text)
    defined: dict[tuple[str, str], tuple[int, str]] = {}  # first definition: offset, body
    first_use: dict[tuple[str, str], tuple[int, str]] = {}
    problems = []
    groups = list_groups(code)
    unused = unused_list_defined(code)
    for node, offset in _walk(code, 0):
        for reused in _r_names(node):
            first_use.setdefault(reused, (offset, str(node)))
        key = _named_ref(node, groups)
        if key is None:
            continue
        assert isinstance(node, Tag)
        name = key[1]
        if id(node) in unused:
            in_group = f" (group {key[0]!r})" if key[0] else ""
            line, column = lines.at(offset)
            problems.append(
                ParseProblem(
                    line=line,
                    message=f'{slug(name)}: <ref name="{name}">{in_group} is defined in the '
                    "reference list but not used in the text: the wiki shows a cite error "
                    "there, and no footnote for it",
                    raw=str(node),
                    rule=DOUBTFUL,
                    column=column,
                )
            )
        if not _has_body(node):
            first_use.setdefault(key, (offset, str(node)))
            continue
        body = str(node.contents).strip()
        if key not in defined:
            defined[key] = (offset, body)
        elif defined[key][1] != body:
            # MediaWiki's "defined multiple times with different content": one of the two
            # citations never reaches the reader, and the page shows a cite error.
            in_group = f" (group {key[0]!r})" if key[0] else ""
            line, column = lines.at(offset)
            problems.append(
                ParseProblem(
                    line=line,
                    message=f'<ref name="{name}">{in_group} is defined again with different '
                    f"content (first at line {lines.at(defined[key][0])[0]}): the wiki "
                    "shows a cite error there and only one of the two citations",
                    raw=str(node),
                    rule=DOUBTFUL,
                    column=column,
                )
            )
    for (group, name), (offset, raw) in first_use.items():
        if (group, name) in defined:
            continue
        in_group = f" (group {group!r})" if group else ""
        line, column = lines.at(offset)
        problems.append(
            ParseProblem(
                line=line,
                column=column,
                message=f"{_shown_reuse(raw, name)}{in_group} is used but never defined on "
                "the page: the wiki shows a cite error there and there is no citation to check",
                raw=raw,
                rule=NOT_READ,
            )
        )
    return problems


def unused_list_defined(code: Wikicode) -> set[int]:
    """The list-defined refs (``id`` of the ref tag) whose name the text never uses.

    MediaWiki shows 'Cite error: A list-defined reference named … is not used in the
    content' in the list and gives the citation no footnote: the reader never sees it.  A
    use is a ``<ref name=…/>``, an ``{{r}}``, or a ref with the same name defined in the
    text."""
    listed = list_defined(code)
    used: set[tuple[str, str]] = set()
    defined: dict[int, tuple[str, str]] = {}
    for node, _ in _walk(code, 0):
        used.update(_r_names(node))
        key = _named_ref(node, listed)
        if key is None:
            continue
        assert isinstance(node, Tag)
        if id(node) in listed and _has_body(node):
            defined[id(node)] = key
        else:
            used.add(key)
    return {ref for ref, key in defined.items() if key not in used}


#: ``{{r|name|name2|p=5}}``: reuses of named refs, as ``<ref name=…/>`` (Template:R).
_R_TEMPLATES = frozenset({"r"})


def _r_names(node: Node) -> list[tuple[str, str]]:
    """The (group, name) of each ref an ``{{r}}`` template reuses (none for other nodes).

    Template:R takes the names as its positional parameters (and ``name=``, ``n=``
    forms) and a ``group=``; each stands where it is as ``<ref name=…/>`` would, so it
    is numbered and checked for a definition as those are.
    """
    if not isinstance(node, Template) or template_name(node) not in _R_TEMPLATES:
        return []
    group = ""
    names = []
    for param in node.params:
        key = str(param.name).strip().lower()
        value = str(param.value).strip()
        if key in ("group", "g"):
            group = value
        elif (not param.showkey or re.fullmatch(r"(?:name|n)\d*", key)) and value:
            names.append(value)
    return [(group, name) for name in names]


def _shown_reuse(raw: str, name: str) -> str:
    """How an undefined reuse is named in its problem: as written when an ``{{r}}``."""
    return raw if raw.startswith("{{") else f'<ref name="{name}" />'


def _placed(ref: Reference, site: CiteSite | None, display: str) -> Reference:
    location = site.location if site else Location(line=ref.line or 1)
    key = site.key if site and site.key else content_key(ref, None)
    return replace(ref, key=key, path=display, location=location)


def _rekeyed(problem: ParseProblem, renamed: dict[str, str]) -> ParseProblem:
    old, sep, rest = problem.message.partition(": ")
    if sep and old in renamed:
        return replace(problem, message=f"{renamed[old]}: {rest}")
    return problem


def match_sites(refs: tuple[Reference, ...], sites: list[CiteSite]) -> list[int | None]:
    """For each parsed reference, the index of its site (``None`` if none matched).

    The parser and the locator read the same page in the same order; each reference takes
    the next site at or after its line (a safety net should they ever disagree).
    """
    out: list[int | None] = []
    position = 0
    for ref in refs:
        match = next(
            (
                i
                for i in range(position, len(sites))
                if ref.line is None or sites[i].location.line >= ref.line
            ),
            None,
        )
        if match is not None:
            position = match + 1
        out.append(match)
    return out


def _assign_rendered(text: str, refs: tuple[Reference, ...], display: str) -> list[Reference]:
    # Several items may share a line (a run-on list split by parse.runon.run_on): their
    # numbers are taken in order; a line's last number stands for any further reference.
    # A LaTeX \bibitem list names its references: the report uses the paper's keys.
    found, keys = reference_list(text)
    numbers: dict[int, list[str]] = {}
    texts: dict[int, list[str]] = {}  # each item's text (the lockfile's digest of it)
    for i, item in enumerate(found.items, start=1):
        numbers.setdefault(item.line, []).append(str(i))
        texts.setdefault(item.line, []).append(item.text)
    out = []
    for ref in refs:
        on_line = numbers.get(ref.line or 0, [])
        number = on_line.pop(0) if len(on_line) > 1 else (on_line[0] if on_line else None)
        said = texts.get(ref.line or 0, [])
        source = said.pop(0) if len(said) > 1 else (said[0] if said else None)
        location = Location(line=ref.line or 1, column=1, number=number, source=source)
        key = content_key(ref, keys.get(ref.line or 0))
        out.append(replace(ref, key=key, path=display, location=location))
    return _unique_keys(out)


#: Fields that say how the source was reached, not which source it is: a bot edits them,
#: so they do not tell two citations apart (:func:`_unique_keys`).
_REACHED = frozenset({"urldate", "archiveurl", "archivedate", "urlstatus"})


def _told_apart(ref: Reference) -> str:
    """A short hash of everything a citation says (but how it was reached)."""
    said = sorted((k, v) for k, v in ref.fields.items() if k.lower() not in _REACHED)
    text = "|".join(f"{k}={v}" for k, v in said)
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:6]


def _unique_keys(refs: list[Reference]) -> list[Reference]:
    """``refs`` with keys made unique.  References sharing a key (two unnamed citations
    with one title and first author: a MedlinePlus and an NHS page both called
    "Glucagonoma") are told apart by a hash of what else they say, not by their order:
    with ``-2`` for the second, swapping them or deleting the first gave the other one's
    key, and the lockfile reported an untouched citation as edited.  Citations alike in
    everything are numbered in order (which one is which does not matter)."""
    told = [_told_apart(ref) for ref in refs]
    kinds: dict[str, set[str]] = {}
    for ref, hashed in zip(refs, told, strict=True):
        kinds.setdefault(ref.key, set()).add(hashed)
    seen: dict[str, int] = {}
    out = []
    for ref, hashed in zip(refs, told, strict=True):
        key = f"{ref.key}-{hashed}" if len(kinds[ref.key]) > 1 else ref.key
        count = seen.get(key, 0) + 1
        seen[key] = count
        unique = key if count == 1 else f"{key}-{count}"
        out.append(ref if unique == ref.key else replace(ref, key=unique))
    return out


# --------------------------------------------------------------------------------- keys


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


def content_key(ref: Reference, ref_name: str | None) -> str:
    """The reference's key: its ref name, else family name + hash of title / identifiers,
    else (a short citation, ``{{sfn|Smith|2010|p=5}}``) of its year and pages, so that a
    footnote added before it does not renumber it (``smith-…-2``) in the lockfile."""
    if ref_name:
        return slug(ref_name)
    title = _fold(ref.get("title") or "")
    basis = title or "|".join(
        v for v in (*ref.identifiers.as_dict().values(), ref.get("note") or "") if v
    )
    if not basis:
        basis = "|".join(ref.get(name) or "" for name in ("author", "year", "pages"))
    digest = hashlib.sha1(basis.encode("utf-8"), usedforsecurity=False).hexdigest()[:6]
    author = (ref.get("author") or ref.get("editor") or "").split(" and ")[0]
    family = _fold(author.split(",")[0])[:20] or "ref"
    return f"{family}-{digest}"


def slug(name: str) -> str:
    """A ref name as a key: printable, no spaces or braces."""
    cleaned = re.sub(r"[^\w.:+-]+", "_", name.strip()).strip("_")
    return cleaned or "ref"


# ------------------------------------------------------------------------ the locator


def _walk(code: Wikicode, base: int) -> Iterator[tuple[Node, int]]:
    """Every node under ``code`` (document order) with its offset in the page's text."""
    position = base
    for node in code.nodes:
        text = str(node)
        yield node, position
        for child, start in _children(node, text):
            yield from _walk(child, position + start)
        position += len(text)


def _children(node: Node, text: str) -> Iterator[tuple[Wikicode, int]]:
    """The wikicode inside ``node`` with its offset in ``str(node)``."""
    if isinstance(node, Template):
        offset = 2 + len(str(node.name))
        for param in node.params:
            offset += 1  # the "|"
            value_at = offset + (len(str(param.name)) + 1 if param.showkey else 0)
            yield param.value, value_at
            offset += len(str(param))
    elif isinstance(node, Tag) and node.contents is not None and not node.self_closing:
        inner = str(node.contents)
        closing = 0
        if not node.wiki_markup:
            closing = len(text) - text.rfind("</") if "</" in text else 0
        elif node.closing_wiki_markup is not None:
            closing = len(str(node.closing_wiki_markup))
        start = len(text) - closing - len(inner)
        if not (start >= 0 and text[start : start + len(inner)] == inner):
            start = text.find(inner)
        if start >= 0 and inner:
            yield node.contents, start
    elif isinstance(node, Wikilink) and node.text is not None:
        yield node.text, 2 + len(str(node.title)) + 1
    elif isinstance(node, Heading):
        yield node.title, node.level


def _attr(tag: Tag, name: str) -> str | None:
    if not tag.has(name):
        return None
    value = str(tag.get(name).value).strip().strip("\"'").strip()
    return value or None


def _named_ref(node: Node, list_groups: Mapping[int, str]) -> tuple[str, str] | None:
    """(group, name) of a named ``<ref>``: its own group, else the group of the reference
    list it is defined in (``list_groups``: ``id`` of the ref → group); ``None`` for any
    other node and for an unnamed ref."""
    if not _is_ref(node):
        return None
    assert isinstance(node, Tag)
    name = _attr(node, "name")
    if name is None:
        return None
    return (_attr(node, "group") or list_groups.get(id(node), ""), name)


def _is_ref(node: Node) -> bool:
    return isinstance(node, Tag) and str(node.tag).strip().lower() == "ref"


def _has_body(tag: Tag) -> bool:
    return tag.contents is not None and bool(str(tag.contents).strip())


class _Lines:
    def __init__(self, text: str) -> None:
        self._starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def at(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1


def locate_wikitext(text: str, code: Wikicode | None = None) -> list[CiteSite]:
    """Every citation of a wikitext page, in the parser's order, with key and location.

    ``code`` is the page already parsed (the exporter passes the tree it will edit, so
    the templates returned are nodes of that tree).
    """
    code = read_galleries(code) if code is not None else parse_page(text)
    lines = _Lines(text)
    numbers = _numbers(code)
    groups = list_groups(code)
    sites: list[CiteSite] = []
    inside_ref: list[tuple[int, int]] = []  # spans of refs with bodies, to skip
    short_seen: set[str] = set()
    for node, offset in _walk(code, 0):
        if any(start <= offset < end for start, end in inside_ref):
            continue
        if _is_ref(node):
            assert isinstance(node, Tag)
            if not _has_body(node):
                continue
            inside_ref.append((offset, offset + len(str(node))))
            name = _attr(node, "name")
            number = numbers.get(id(node))
            cites = _outer_cites(node, offset)
            # Without a cite template, as many places as the parser reads citations: none
            # for an explanatory note, one each for text citing several works.
            written = 0 if cites else citation_count(node, groups.get(id(node), ""))
            for index in range(1, written + 1):
                sites.append(
                    _site(
                        None, offset, lines=lines, name=name, number=number, index=index, ref=node
                    )
                )
            for index, (template, at) in enumerate(cites, start=1):
                sites.append(
                    _site(
                        template, at, lines=lines, name=name, number=number, index=index, ref=node
                    )
                )
        elif isinstance(node, Template) and (is_cite(node) or is_shortcut(node)):
            source = str(node)
            if template_name(node) in _SHORT and source in short_seen:
                continue
            short_seen.add(source)
            sites.append(_site(node, offset, lines=lines, name=None, number=None, index=1))
            inside_ref.append((offset, offset + len(source)))
    return sites


_SHORT = frozenset("sfn sfnp sfnm harv harvp harvnb harvtxt harvcoltxt harvcol".split())  # noqa: SIM905


def _site(
    template: Template | None,
    offset: int,
    *,
    lines: _Lines,
    name: str | None,
    number: str | None,
    index: int,
    ref: Tag | None = None,
) -> CiteSite:
    line, column = lines.at(offset)
    # What the citation says as written (the lockfile's digest of it): the template, or
    # the <ref>'s body (not its name: a renamed <ref> is the same citation).
    if template is not None:
        source: str | None = str(template)
    else:
        source = str(ref.contents) if ref is not None and ref.contents is not None else None
    location = Location(
        line=line,
        column=column,
        ref_name=name,
        number=number,
        template=template_name(template) if template is not None else None,
        source=source,
    )
    key = ""
    if name:
        key = slug(name) if index == 1 else f"{slug(name)}-{index}"
    return CiteSite(key=key, location=location, template=template, offset=offset, ref=ref)


def _outer_cites(ref: Tag, ref_offset: int) -> list[tuple[Template, int]]:
    """The cite templates of a ref (not those nested in another), with their offsets."""
    text = str(ref)
    found: list[tuple[Template, int]] = []
    for child, start in _children(ref, text):
        spans: list[tuple[int, int]] = []
        for node, at in _walk(child, ref_offset + start):
            if isinstance(node, Template) and (is_cite(node) or is_shortcut(node)):
                if any(s <= at < e for s, e in spans):
                    continue
                spans.append((at, at + len(str(node))))
                found.append((node, at))
    return found


def _numbers(code: Wikicode) -> dict[int, str]:
    """Rendered-list label of every ``<ref>`` node (by ``id``), as the Cite extension counts
    (a list-defined ref the text never uses gets none: :func:`unused_list_defined`)."""
    unused = unused_list_defined(code)
    counters: dict[str, int] = {}
    by_name: dict[tuple[str, str], str] = {}
    labels: dict[int, str] = {}
    for node, _ in _walk(code, 0):
        for reused in _r_names(node):  # an {{r}} before the definition takes the number
            if reused not in by_name:
                group = reused[0]
                counters[group] = counters.get(group, 0) + 1
                by_name[reused] = f"{group} {counters[group]}" if group else str(counters[group])
        if not _is_ref(node):
            continue
        assert isinstance(node, Tag)
        group = _attr(node, "group") or ""
        name = _attr(node, "name")
        if name and (group, name) in by_name:
            labels[id(node)] = by_name[(group, name)]
            continue
        if (not name and not _has_body(node)) or id(node) in unused:
            continue
        counters[group] = counters.get(group, 0) + 1
        label = f"{group} {counters[group]}" if group else str(counters[group])
        labels[id(node)] = label
        if name:
            by_name[(group, name)] = label
    return labels
