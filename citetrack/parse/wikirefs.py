"""Where a ``<ref>`` stands on a page: its name and reuses, the reference list that defines
it and the group it takes from there, and the ``{{dead link}}`` written beside it.

The reader (:mod:`citetrack.parse.wikitext`), the article's locator and the exporter ask
the same questions of the page's tree and must get the same answers, or a finding is
placed at another ``<ref>`` or an edit made beside the wrong one.
"""

from __future__ import annotations

from collections.abc import Callable

from mwparserfromhell.nodes import Node, Tag, Template, Text
from mwparserfromhell.wikicode import Wikicode

from citetrack.parse.wikiplain import template_name

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
