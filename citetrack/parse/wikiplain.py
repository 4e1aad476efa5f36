"""Wikicode as a reader sees it: plain text, a template's name and kind, its parameters.

The readers of a wikitext page (:mod:`citetrack.parse.wikitext` and its parts, the article's
locator, the exporter) compare templates by name, read values as the text the page shows and
tell citation templates from the rest; these are the few rules they share, kept apart from
what any of them makes of a template.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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


def _first(params: dict[str, str], *keys: str) -> str | None:
    return next((params[k] for k in keys if params.get(k)), None)
