"""Templates that stand for a citation without being a cite template, and short citations
resolved against the page's full ones.

``{{MedlinePlusEncyclopedia}}`` / ``{{EMedicine}}`` become online entries, ``{{cite pmid|…}}``
an entry with only that identifier, and ``{{sfn}}`` / ``{{harvnb}}`` / ``{{sfnm}}`` an entry
with the authors' names, year and page.  Once the whole page is read (:func:`_resolve_short`)
a short citation whose full citation the page holds is a pointer to it; one that points at
nothing is reported, as CS1 reports a broken link.  Apart from the cite-template reader
(:mod:`citetrack.parse.wikicite`) because it matches citations across the page, not one
template's parameters.
"""

from __future__ import annotations

import re
import unicodedata

from mwparserfromhell.nodes import Template

from citetrack.parse import dates
from citetrack.parse.build import Citation
from citetrack.parse.names import Name, NameList
from citetrack.parse.wikiplain import (
    _BY_IDENTIFIER,
    _SHORT_CITATIONS,
    _first,
    _params,
    plain,
    template_name,
)


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
