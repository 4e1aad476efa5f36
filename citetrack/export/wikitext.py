"""Write an article's fixes back as wikitext: minimal edits inside ``{{cite …}}`` templates.

Pure.  The page is parsed with mwparserfromhell, which gives back every byte it read, so
only the parameters edited change: a value is replaced with the whitespace around it kept;
a new parameter copies the spacing of the parameter it follows (``| a = b`` or ``|a=b``,
one per line or all on one) and goes next to its kin (identifiers after identifiers,
archive parameters after ``access-date``).  A registry value goes into the parameter the
citation already holds it in (a year inside ``|date=``, a journal name in ``|work=`` or
``|website=``), never into a second one beside it that would contradict it on the page; a
year corrected in ``|date=`` is corrected in a ``|year=`` beside it too (CS1 flags the two
disagreeing), reported as its own edit; a single cited ``|page=`` is not replaced by the
work's range.  Text outside templates is never touched (but a stale ``{{dead link}}`` tag
in the ``<ref>``, or right after its ``</ref>``, is removed, whole), and a value holding
markup (a comment, a template) is left alone and reported.  With no edit the output is
the input, byte for byte.  What to edit is planned by :mod:`citetrack.export.cite_plans`
(the fix kinds are documented there); an edit summary in the style editors use comes with
the result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mwparserfromhell.nodes import Comment, Template, Text
from mwparserfromhell.nodes.extras import Parameter
from mwparserfromhell.wikicode import Wikicode

from citetrack.export.cite_plans import (
    ALIASES,
    DEAD_LINK,
    Planned,
    RefNode,
    archive_fixes,
    dead_link_fixes,
    dead_link_marks,
    find,
    local_fixes,
    malformed_findings,
    plain_value,
    registry_fixes,
    wayback_link,
)
from citetrack.inputs.article import CiteSite, locate_wikitext
from citetrack.model import Reference
from citetrack.parse.cs1_status import legacy_status
from citetrack.parse.cs1_status import param_key as norm
from citetrack.parse.cs1_status import param_value as value
from citetrack.parse.wikitext import (
    DATE_PARAMS,
    PAGES_PARAMS,
    PERIODICAL_PARAMS,
    WORK_DATE_PARAMS,
    YEAR,
    holders,
    is_cite,
    list_groups,
    marked_dead_after,
    parse_page,
    reuses,
)

__all__ = [
    "Edit",
    "Planned",
    "Skip",
    "WikiExport",
    "apply_plans",
    "archive_fixes",
    "dead_link_fixes",
    "edit_summary",
    "local_fixes",
    "malformed_findings",
    "refs_by_key",
    "registry_fixes",
    "templates_by_key",
    "wayback_link",
]

_ANCHORS = {
    "doi": (("pmc", "pmid", "doi", "isbn", "issn"), ("pages", "page", "year", "date")),
    "pmid": (("doi", "pmc", "pmid", "isbn", "issn"), ("pages", "page", "year", "date")),
    "pmc": (("pmid", "doi", "isbn", "issn"), ("pages", "page", "year", "date")),
    "archive-url": (("access-date", "url"),),
    "archive-date": (("archive-url",),),
    "url-status": (("archive-date", "archive-url"),),
}


@dataclass(frozen=True)
class Edit:
    """An edit made: where, which parameter, old value (``None``: added), new value."""

    key: str
    line: int
    param: str
    old: str | None
    new: str
    kind: str
    reason: str
    source: str


@dataclass(frozen=True)
class Skip:
    key: str
    line: int | None
    param: str
    reason: str


@dataclass(frozen=True)
class WikiExport:
    text: str
    edits: tuple[Edit, ...]
    skipped: tuple[Skip, ...]

    @property
    def summary(self) -> str:
        return edit_summary(self.edits)


# ------------------------------------------------------------------------ application


def _sites_by_key(
    text: str, references: Sequence[Reference], code: Wikicode
) -> dict[str, CiteSite]:
    sites = locate_wikitext(text, code)
    at = {(s.location.line, s.location.column): s for s in sites}
    out: dict[str, CiteSite] = {}
    for ref in references:
        loc = ref.location
        site = at.get((loc.line, loc.column)) if loc is not None else None
        if site is not None:
            out[ref.key] = site
    return out


def templates_by_key(
    text: str, references: Sequence[Reference], code: Wikicode
) -> dict[str, Template]:
    """The cite template (a node of ``code``) of each reference key, found by location."""
    return {
        key: site.template
        for key, site in _sites_by_key(text, references, code).items()
        if site.template is not None and is_cite(site.template)
    }


def refs_by_key(text: str, references: Sequence[Reference], code: Wikicode) -> dict[str, RefNode]:
    """The ``<ref>`` (a node of ``code``) each reference key was read from, with the
    wikicode it stands in."""
    beside = holders(code)
    reused = reuses(code)
    groups = list_groups(code)
    return {
        key: RefNode(
            site.ref,
            tuple(marked_dead_after(site.ref, beside, reused, groups.get(id(site.ref), ""))),
        )
        for key, site in _sites_by_key(text, references, code).items()
        if site.ref is not None
    }


def _spacing(p: Parameter) -> tuple[str, str, str, str]:
    name, value = str(p.name), str(p.value)
    return (
        name[: len(name) - len(name.lstrip())],
        name[len(name.rstrip()) :],
        value[: len(value) - len(value.lstrip())],
        value[len(value.rstrip()) :],
    )


def _new_name(template: Template, param: str) -> str:
    if param in ("archive-url", "archive-date") and any(
        norm(str(p.name)) in ("accessdate", "archiveurl", "archivedate") and "-" not in str(p.name)
        for p in template.params
    ):
        return param.replace("-", "")
    return param


def _anchor(template: Template, param: str) -> Parameter | None:
    for group in _ANCHORS.get(param, ()):
        present = [p for p in template.params for n in group if _find_is(p, n)]
        if present:
            return max(present, key=template.params.index)
    named = [p for p in template.params if p.showkey]
    return named[-1] if named else None


def _find_is(p: Parameter, param: str) -> bool:
    return p.showkey and norm(str(p.name)) in {norm(n) for n in ALIASES.get(param, (param,))}


def _add(template: Template, param: str, value: str) -> None:
    anchor = _anchor(template, param)
    if anchor is None:
        template.add(param, value, preserve_spacing=False)
        return
    n_lead, n_trail, v_lead, v_trail = _spacing(anchor)
    index = template.params.index(anchor)
    is_last = index == len(template.params) - 1
    template.add(
        n_lead + _new_name(template, param) + n_trail,
        v_lead + value + v_trail,
        after=anchor,
        preserve_spacing=False,
    )
    if is_last and index > 0:
        # The anchor's trailing space was the space before "}}": it now belongs to the new
        # last parameter; the anchor takes the separator its neighbours use.
        before = _spacing(template.params[index - 1])[3]
        old = str(anchor.value)
        anchor.value = old[: len(old.rstrip())] + before


#: Where the wikitext parser reads a field that a plan names by one parameter, in the
#: parser's order (the first non-empty one holds the value the check compared).
_HELD_IN = {"journal": PERIODICAL_PARAMS, "year": DATE_PARAMS, "pages": PAGES_PARAMS}


def _holder(template: Template, param: str) -> Parameter | None:
    """The parameter whose value the check read for ``param``: the first one of its
    group holding more than comments and blanks (``None``: none is filled)."""
    for name in _HELD_IN.get(param, ()):
        found = find(template, name)
        if found is not None and any(
            not isinstance(node, Comment) and str(node).strip() for node in found.value.nodes
        ):
            return found
    return None


def _edit_holder(plan: Planned, holder: Parameter, line: int) -> Edit | Skip:
    """``plan`` carried out on the parameter that holds its value, or why not: a year is
    replaced inside ``|date=``; a journal name goes into ``|work=`` (or ``|website=``…);
    a page range never replaces the single page of ``|page=``."""
    name = str(holder.name).strip()
    old = value(holder)
    if not plain_value(holder):
        return Skip(plan.key, line, name, "its value holds markup (left as is)")
    new = plan.value
    if plan.param == "year":
        years = set(YEAR.findall(old))
        if len(years) != 1:
            return Skip(plan.key, line, name, f"no single year in {old!r} to correct")
        new = YEAR.sub(plan.value, old)
    elif plan.param == "pages":
        return Skip(
            plan.key,
            line,
            name,
            f"|{name}= cites one page; the work's pages are {plan.value} (left as is)",
        )
    if new == old:
        return Skip(plan.key, line, name, "already right")
    _, _, lead, trail = _spacing(holder)
    holder.value = lead + new + trail
    return Edit(plan.key, line, name, old, new, plan.kind, plan.reason, plan.source)


def _same_date(
    plan: Planned, template: Template, edited: Parameter, line: int
) -> list[Edit | Skip]:
    """A year corrected in one of ``|date=`` / ``|year=`` corrected in the other too: both
    given, CS1 shows the citation with a "|year= / |date= mismatch" error unless they
    agree.  Each such edit is reported; one that cannot be made is a :class:`Skip`."""
    out: list[Edit | Skip] = []
    for name in WORK_DATE_PARAMS:
        other = find(template, name)
        old = value(other)
        if other is None or other is edited or not old:
            continue
        label = str(other.name).strip()
        years = set(YEAR.findall(old))
        if years == {plan.value}:
            continue
        if len(years) != 1 or not plain_value(other):
            out.append(
                Skip(
                    plan.key,
                    line,
                    label,
                    f"{old!r} should give the year {plan.value} too (CS1: |year= / |date= "
                    "mismatch); left as is: correct it by hand",
                )
            )
            continue
        new = YEAR.sub(plan.value, old)
        _, _, lead, trail = _spacing(other)
        other.value = lead + new + trail
        reason = f"{plan.reason} (|{label}= kept in step: CS1 wants |year= and |date= to agree)"
        out.append(Edit(plan.key, line, label, old, new, plan.kind, reason, plan.source))
    return out


def apply_plans(
    text: str,
    references: Sequence[Reference],
    plans: Sequence[Planned],
    kinds: frozenset[str],
) -> WikiExport:
    """The article with the ``plans`` of the allowed ``kinds`` applied (see module doc)."""
    code = parse_page(text)
    templates = templates_by_key(text, references, code)
    lines = {r.key: (r.location.line if r.location else r.line or 0) for r in references}
    edits: list[Edit] = []
    skipped: list[Skip] = []
    done: set[tuple[str, str]] = set()
    refs = refs_by_key(text, references, code) if any(p.param == DEAD_LINK for p in plans) else {}
    for plan in plans:
        if plan.kind not in kinds or (plan.key, plan.param) in done:
            continue
        line = lines.get(plan.key, 0)
        template = templates.get(plan.key)
        if plan.param == DEAD_LINK:  # in the <ref>, after the citation: a bare link's too
            ref = refs.get(plan.key)
            for removed in _remove_dead_links(ref, template) if ref is not None else ():
                edits.append(
                    Edit(
                        plan.key, line, DEAD_LINK, removed, "", plan.kind, plan.reason, plan.source
                    )
                )
            done.add((plan.key, plan.param))
            continue
        if template is None:
            skipped.append(Skip(plan.key, line, plan.param, "no cite template to edit"))
            continue
        if plan.remove:
            _sort(_remove(plan, template, line), edits, skipped)
            done.add((plan.key, plan.param))
            continue
        existing = find(template, plan.param)
        legacy = legacy_status(template) if plan.param == "url-status" else None
        if existing is None and legacy is not None:
            # |deadurl=yes, CS1's old spelling: renamed in place to the |url-status= it meant.
            _sort([_rename_legacy(plan, legacy, line)], edits, skipped)
            done.add((plan.key, plan.param))
            continue
        holder = _holder(template, plan.param)
        if holder is not None and holder is not existing:
            # The value was read from another parameter (|date=, |work=, |page=): a new
            # |year= / |journal= / |pages= next to it would contradict it on the page.
            if not plan.only_if_absent:
                edit = _edit_holder(plan, holder, line)
                if isinstance(edit, Skip):
                    skipped.append(edit)
                else:
                    edits.append(edit)
                    done.add((plan.key, plan.param))
                    if plan.param == "year":
                        _sort(_same_date(plan, template, holder, line), edits, skipped)
            continue
        old = value(existing)
        if existing is not None and old:
            if old == plan.value:
                continue
            if plan.only_if_absent:
                # The check found no usable identifier here (a value that is not one), and
                # a registry gives one: say so rather than drop the suggestion unseen.
                skipped.append(
                    Skip(
                        plan.key,
                        line,
                        str(existing.name).strip(),
                        f"it holds {old!r}, not a valid identifier; {plan.source} gives "
                        f"{plan.value!r} (left as is: check it and replace it by hand)",
                    )
                )
                continue
            if not plain_value(existing):
                skipped.append(
                    Skip(plan.key, line, plan.param, "its value holds markup (left as is)")
                )
                continue
            _, _, lead, trail = _spacing(existing)
            existing.value = lead + plan.value + trail
            edits.append(
                Edit(
                    plan.key,
                    line,
                    str(existing.name).strip(),
                    old,
                    plan.value,
                    plan.kind,
                    plan.reason,
                    plan.source,
                )
            )
        elif existing is not None:
            _, _, lead, trail = _spacing(existing)
            existing.value = (lead or "") + plan.value + trail
            edits.append(
                Edit(
                    plan.key,
                    line,
                    str(existing.name).strip(),
                    None,
                    plan.value,
                    plan.kind,
                    plan.reason,
                    plan.source,
                )
            )
        else:
            _add(template, plan.param, plan.value)
            edits.append(
                Edit(
                    plan.key,
                    line,
                    _new_name(template, plan.param),
                    None,
                    plan.value,
                    plan.kind,
                    plan.reason,
                    plan.source,
                )
            )
        done.add((plan.key, plan.param))
        if plan.param == "year" and existing is not None:
            _sort(_same_date(plan, template, existing, line), edits, skipped)
    return WikiExport(text=str(code), edits=tuple(edits), skipped=tuple(skipped))


def _remove(plan: Planned, template: Template, line: int) -> list[Edit | Skip]:
    """``plan``'s parameter taken out of ``template`` with its ``|`` (the spacing of the
    others kept), or why not: a value holding markup is left to the editor."""
    param = find(template, plan.param)
    if param is None:
        return []
    name, old = str(param.name).strip(), value(param)
    if not plain_value(param):
        return [Skip(plan.key, line, name, "its value holds markup (left as is)")]
    index = template.params.index(param)
    if index == len(template.params) - 1 and index > 0:
        # The space before "}}" was the removed parameter's: the one before takes it.
        before = template.params[index - 1]
        trail = _spacing(param)[3]
        kept = str(before.value)
        before.value = kept[: len(kept.rstrip())] + trail
    template.remove(param)
    return [Edit(plan.key, line, name, old, "", plan.kind, plan.reason, plan.source)]


def _rename_legacy(plan: Planned, legacy: Parameter, line: int) -> Edit | Skip:
    """``|deadurl=yes`` → ``|url-status=dead``: the old parameter renamed and given the
    value it meant, where it stands and with its spacing."""
    name, old = str(legacy.name).strip(), value(legacy)
    if not plain_value(legacy):
        return Skip(plan.key, line, name, "its value holds markup (left as is)")
    n_lead, n_trail, v_lead, v_trail = _spacing(legacy)
    legacy.name = n_lead + plan.param + n_trail
    legacy.value = v_lead + plan.value + v_trail
    return Edit(plan.key, line, plan.param, f"{name}={old}", plan.value, plan.kind, plan.reason,
                plan.source)  # fmt: skip


def _remove_dead_links(ref: RefNode, template: Template | None) -> list[str]:
    """Remove the ``{{dead link}}`` tags of ``template``'s citation (:func:`dead_link_marks`):
    in the ref with the spaces before it when nothing follows it there; after the ``</ref>``
    or a reuse with the spaces between.  The tags' text, in page order."""
    removed = []
    for mark in dead_link_marks(ref, template):
        tag, holder = mark.tag, mark.holder
        if mark.inside:
            nodes = holder.nodes
            index = holder.index(tag)  # by identity: an equal tag may come first
            last = all(isinstance(n, Text) and not str(n).strip() for n in nodes[index + 1 :])
            before = nodes[index - 1] if index > 0 else None
            if last and isinstance(before, Text):
                before.value = before.value.rstrip(" \t")
        for node in (*mark.gap, tag):
            holder.remove(node, recursive=False)
        removed.append(str(tag))
    return removed


def _sort(made: Iterable[Edit | Skip], edits: list[Edit], skipped: list[Skip]) -> None:
    for item in made:
        if isinstance(item, Edit):
            edits.append(item)
        else:
            skipped.append(item)


# ---------------------------------------------------------------------------- summary

_LABEL = {
    "doi": "DOI",
    "pmid": "PMID",
    "pmc": "PMC",
    "isbn": "ISBN",
    "issn": "ISSN",
    **{norm(name): "journal" for name in _HELD_IN["journal"]},
}


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"{count} {word}"
    return f"{count} {word}es" if word.endswith("s") else f"{count} {word}s"  # statuses


def edit_summary(edits: Iterable[Edit]) -> str:
    """An edit summary as editors write them: ``citetrack: added 3 PMIDs; fixed 2 …``."""
    added: Counter[str] = Counter()
    fixed: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    for e in edits:
        param = norm(e.param)
        if e.param == DEAD_LINK:  # the URL answers again, or it now cites an archived copy
            removed["stale dead-link tag" if e.source == "web" else "dead-link tag"] += 1
        elif param in ("doibrokendate", "doiinactivedate"):  # the DOI resolves again
            removed["stale doi-broken-date"] += 1
        elif param == "deadurl":  # beside a |url-status= of its own
            removed["obsolete deadurl"] += 1
        elif e.kind == "archive":
            if param == "archiveurl":
                (added if e.old is None else fixed)["archive link"] += 1
            elif param == "urlstatus" and e.old is not None:
                fixed["dead-link status"] += 1
        elif e.kind == "add-ids":
            added[_LABEL.get(param, param)] += 1
        elif e.kind == "pages" or (e.kind == "metadata" and param == "pages"):
            fixed["page range"] += 1
        elif e.kind == "identifiers":
            fixed[_LABEL.get(param, param)] += 1
        else:
            word = _LABEL.get(param, param)
            fixed[word if e.kind != "metadata" or param != "pmid" else "wrong PMID"] += 1
    parts = []
    if added:
        parts.append("added " + ", ".join(_plural(n, w) for w, n in added.items()))
    if fixed:
        parts.append("fixed " + ", ".join(_plural(n, w) for w, n in fixed.items()))
    if removed:
        parts.append("removed " + ", ".join(_plural(n, w) for w, n in removed.items()))
    return "citetrack: " + ("; ".join(parts) if parts else "no changes")
