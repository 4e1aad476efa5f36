"""Write an article's fixes back as wikitext: minimal edits inside ``{{cite …}}`` templates.

Pure.  The page is parsed with mwparserfromhell, which gives back every byte it read, so
only the parameters edited change: a value is replaced with the whitespace around it kept;
a new parameter copies the spacing of the parameter it follows (``| a = b`` or ``|a=b``,
one per line or all on one) and goes next to its kin (identifiers after identifiers,
archive parameters after ``access-date``).  Text outside templates is never touched, and a
value holding markup (a comment, a template) is left alone and reported.  With no edit the
output is the input, byte for byte.

Kinds (the ``--fix`` / ``--no-fix`` names of ``export``):

* ``identifiers`` — a malformed ``doi`` / ``pmid`` / ``pmc`` / ``isbn`` / ``issn`` (a
  prefix such as ``doi:`` or ``ISBN``, a URL, spaces, trailing punctuation) normalised; a
  valid value is never restyled;
* ``pages`` — a hyphen between two page numbers becomes an en dash (``151-8`` →
  ``151–8``), as the Manual of Style asks;
* ``add-ids`` — a DOI / PMID / PMC the registries confirmed (``missing-identifier``);
* ``metadata`` — volume / issue / pages / year / journal the registry record corrects
  (``metadata-mismatch`` with a suggestion), and a wrong PMID replaced by the one PubMed
  gives for the citation's confirmed DOI;
* ``archive`` — for a dead URL, ``archive-url`` / ``archive-date`` / ``url-status=dead``
  from the Wayback capture closest before ``access-date`` (InternetArchiveBot's
  convention); for a dead URL already archived, ``url-status=dead``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import mwparserfromhell
from mwparserfromhell.nodes import Template, Text
from mwparserfromhell.nodes.extras import Parameter

from citetrack.identifiers import clean_doi, format_isbn, normalize_issn, normalize_pmid
from citetrack.inputs.article import locate_wikitext, match_sites
from citetrack.model import (
    CheckResult,
    Finding,
    Reference,
    ReferenceResult,
    Severity,
    Source,
)
from citetrack.rules.compare import RULE_MISMATCH, RULE_MISSING_ID, compare_reference

#: Bib field of a registry suggestion → the CS1 parameter it goes to.
_PARAM_OF_FIELD = {
    "doi": "doi",
    "pmid": "pmid",
    "pmcid": "pmc",
    "volume": "volume",
    "number": "issue",
    "pages": "pages",
    "year": "year",
    "journal": "journal",
}
#: Where a new parameter goes: after the last present one of the first group that exists.
_ANCHORS = {
    "doi": (("pmc", "pmid", "doi", "isbn", "issn"), ("pages", "page", "year", "date")),
    "pmid": (("doi", "pmc", "pmid", "isbn", "issn"), ("pages", "page", "year", "date")),
    "pmc": (("pmid", "doi", "isbn", "issn"), ("pages", "page", "year", "date")),
    "archive-url": (("access-date", "url"),),
    "archive-date": (("archive-url",),),
    "url-status": (("archive-date", "archive-url"),),
}
_ALIASES = {
    "access-date": ("access-date", "accessdate"),
    "archive-url": ("archive-url", "archiveurl"),
    "archive-date": ("archive-date", "archivedate"),
    "url-status": ("url-status",),
    "issue": ("issue", "number"),
    "pages": ("pages",),
}
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_PAGE_RANGE = re.compile(r"^(\s*)([A-Za-z]?\d+)\s*(?:-|--|‐|‑|−)\s*([A-Za-z]?\d+)(\s*)$")


@dataclass(frozen=True)
class Planned:
    """One edit to make in the template of reference ``key``."""

    key: str
    param: str  # canonical CS1 name (``archive-url``)
    value: str
    kind: str  # the fix kind
    reason: str
    source: str  # who said so: a registry, the Wayback Machine, citetrack
    only_if_absent: bool = False


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


# ---------------------------------------------------------------------------- helpers


def _norm(name: str) -> str:
    return re.sub(r"[-_\s]", "", name).lower()


def _find(template: Template, param: str) -> Parameter | None:
    names = {_norm(n) for n in _ALIASES.get(param, (param,))}
    for p in template.params:
        if p.showkey and _norm(str(p.name)) in names:
            return p
    return None


def _value(p: Parameter | None) -> str:
    return str(p.value).strip() if p is not None else ""


def _plain_value(p: Parameter) -> bool:
    return all(isinstance(n, Text) for n in p.value.nodes)


# ------------------------------------------------------------------------ local fixes


def _normalised_identifier(param: str, raw: str) -> str | None:
    """The normal form of a malformed identifier value; ``None`` if fine or hopeless."""
    value = raw.strip()
    if not value:
        return None
    if param == "doi":
        if re.fullmatch(r"10\.\d{4,9}/\S+", value) and value[-1] not in ".,;:":
            return None
        return clean_doi(value)
    if param == "pmid":
        return None if value.isdigit() else normalize_pmid(value)
    if param == "pmc":
        if value.isdigit():
            return None
        match = re.fullmatch(r"(?:pmcid\s*:?\s*)?pmc\s*:?\s*(\d+)[.,;]?", value, re.IGNORECASE)
        return match.group(1) if match else None
    if param == "isbn":
        if re.fullmatch(r"[0-9][0-9-]{8,15}[0-9Xx]", value) and format_isbn(value):
            return None
        return format_isbn(value)
    if param == "issn":
        if re.fullmatch(r"\d{4}-\d{3}[\dXx]", value):
            return None
        return normalize_issn(value)
    return None


def local_fixes(
    references: Iterable[Reference], templates: Mapping[str, Template]
) -> list[Planned]:
    """Identifier normalisations and page-range dashes, read from the templates themselves."""
    out: list[Planned] = []
    for ref in references:
        template = templates.get(ref.key)
        if template is None:
            continue
        for param in ("doi", "pmid", "pmc", "isbn", "issn"):
            raw = _value(_find(template, param))
            fixed = _normalised_identifier(param, raw)
            if fixed and fixed != raw:
                out.append(
                    Planned(
                        ref.key,
                        param,
                        fixed,
                        "identifiers",
                        f"malformed {param.upper()} {raw!r} normalised",
                        "citetrack",
                    )
                )
        for param in ("pages", "page"):
            found = _find(template, param)
            match = _PAGE_RANGE.match(str(found.value)) if found is not None else None
            if found is not None and match and param == "pages" and "-" in _value(found):
                fixed = f"{match.group(2)}–{match.group(3)}"
                out.append(
                    Planned(
                        ref.key, "pages", fixed, "pages", "page range takes an en dash", "citetrack"
                    )
                )
    return out


def malformed_findings(
    references: Sequence[Reference], templates: Mapping[str, Template]
) -> list[Finding]:
    """``identifier-malformed`` warnings for what :func:`local_fixes` would normalise."""
    lines = {r.key: r.line for r in references}
    return [
        Finding(
            key=plan.key,
            rule="identifier-malformed",
            severity=Severity.WARNING,
            message=f"{plan.reason[0].upper()}{plan.reason[1:]} to {plan.value!r} by "
            "citetrack export.",
            field=plan.param,
            expected=plan.value,
            source=Source.CITATION,
            line=lines.get(plan.key),
            suggestion=plan.value,
        )
        for plan in local_fixes(references, templates)
        if plan.kind == "identifiers"
    ]


# --------------------------------------------------------------------- registry fixes


def _chosen(result: ReferenceResult, prefer: Source | None) -> dict[str, Finding]:
    chosen: dict[str, Finding] = {}
    for f in result.findings:
        if f.rule in (RULE_MISMATCH, RULE_MISSING_ID) and f.suggestion and f.field:
            chosen.setdefault(f.field, f)
    if prefer is not None and chosen:
        evidence = [e for e in result.evidence if e.source is prefer]
        if evidence:
            for f in compare_reference(result.reference, evidence):
                if f.field in chosen and f.suggestion and f.rule == chosen[f.field].rule:
                    chosen[f.field] = f
    return chosen


def registry_fixes(
    result: CheckResult,
    prefer: Source | None = None,
    corrected_pmids: Mapping[str, str] | None = None,
) -> list[Planned]:
    """Added identifiers and corrected fields from the findings' suggestions."""
    out: list[Planned] = []
    for rr in result.results:
        key = rr.reference.key
        for field_name, finding in _chosen(rr, prefer).items():
            param = _PARAM_OF_FIELD.get(field_name)
            if param is None or finding.suggestion is None:
                continue
            value = finding.suggestion
            if param == "pages":
                value = value.replace("--", "–")
            if param == "pmc":
                value = value.upper().removeprefix("PMC")
            adding = finding.rule == RULE_MISSING_ID
            out.append(
                Planned(
                    key,
                    param,
                    value,
                    "add-ids" if adding else "metadata",
                    finding.message,
                    finding.source.value if finding.source else "citetrack",
                    only_if_absent=adding,
                )
            )
        pmid = (corrected_pmids or {}).get(key)
        if pmid:
            out.append(
                Planned(
                    key,
                    "pmid",
                    pmid,
                    "metadata",
                    "the PMID is another work's; PubMed indexes the cited DOI under this one",
                    "pubmed",
                )
            )
    return out


def _date_like(example: str, day: date) -> str:
    """``day`` written the way ``example`` writes a date (dmy, mdy or ISO)."""
    text = example.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) or not text:
        return day.isoformat()
    if re.match(r"^[A-Za-z]", text):
        return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def wayback_link(timestamp: str, url: str) -> str:
    """The canonical ``https://web.archive.org/web/<timestamp>/<url>`` form editors cite
    (whatever Wayback endpoint the check asked)."""
    return f"https://web.archive.org/web/{timestamp}/{url}"


def archive_fixes(result: CheckResult, templates: Mapping[str, Template]) -> list[Planned]:
    """IABot-style archive parameters for dead URLs that have a usable capture."""
    out: list[Planned] = []
    for rr in result.results:
        template = templates.get(rr.reference.key)
        dead = next((f for f in rr.findings if f.rule in ("url-dead", "url-soft-404")), None)
        if template is None or dead is None:
            continue
        key = rr.reference.key
        status = _value(_find(template, "url-status")).lower()
        if _value(_find(template, "archive-url")):
            if status != "dead":
                out.append(
                    Planned(
                        key,
                        "url-status",
                        "dead",
                        "archive",
                        "the URL is dead; the archived copy is shown first",
                        "web",
                    )
                )
            continue
        capture = next(
            (a for a in rr.archives if a.available and a.archive_url and a.timestamp), None
        )
        if capture is None or capture.archive_url is None or capture.timestamp is None:
            continue
        ts = capture.timestamp
        day = date(int(ts[:4]), int(ts[4:6]), int(ts[6:8]))
        style = _value(_find(template, "access-date")) or _value(_find(template, "date"))
        reason = (
            f"dead URL ({dead.actual or 'url'}); Wayback capture of {day.isoformat()}, "
            "the closest before access-date"
        )
        out += [
            Planned(
                key, "archive-url", wayback_link(ts, capture.url), "archive", reason, "wayback"
            ),
            Planned(key, "archive-date", _date_like(style, day), "archive", reason, "wayback"),
            Planned(key, "url-status", "dead", "archive", reason, "wayback"),
        ]
    return out


# ------------------------------------------------------------------------ application


def templates_by_key(
    text: str, references: Sequence[Reference], code: object
) -> dict[str, Template]:
    """The cite template (a node of ``code``) of each reference key."""
    sites = locate_wikitext(text, code)  # type: ignore[arg-type]
    out: dict[str, Template] = {}
    for ref, index in zip(references, match_sites(tuple(references), sites), strict=True):
        if index is not None and sites[index].template is not None:
            template = sites[index].template
            assert template is not None
            if _template_name_is_cite(template):
                out[ref.key] = template
    return out


def _template_name_is_cite(template: Template) -> bool:
    name = " ".join(str(template.name).replace("_", " ").split()).lower()
    return name == "citation" or name.startswith(("cite ", "vcite"))


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
        _norm(str(p.name)) in ("accessdate", "archiveurl", "archivedate") and "-" not in str(p.name)
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
    return p.showkey and _norm(str(p.name)) in {_norm(n) for n in _ALIASES.get(param, (param,))}


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


def apply_plans(
    text: str,
    references: Sequence[Reference],
    plans: Sequence[Planned],
    kinds: frozenset[str],
) -> WikiExport:
    """The article with the ``plans`` of the allowed ``kinds`` applied (see module doc)."""
    code = mwparserfromhell.parse(text)
    templates = templates_by_key(text, references, code)
    lines = {r.key: (r.location.line if r.location else r.line or 0) for r in references}
    edits: list[Edit] = []
    skipped: list[Skip] = []
    done: set[tuple[str, str]] = set()
    for plan in plans:
        if plan.kind not in kinds or (plan.key, plan.param) in done:
            continue
        line = lines.get(plan.key, 0)
        template = templates.get(plan.key)
        if template is None:
            skipped.append(Skip(plan.key, line, plan.param, "no cite template to edit"))
            continue
        existing = _find(template, plan.param)
        old = _value(existing)
        if existing is not None and old:
            if plan.only_if_absent or old == plan.value:
                continue
            if not _plain_value(existing):
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
    return WikiExport(text=str(code), edits=tuple(edits), skipped=tuple(skipped))


# ---------------------------------------------------------------------------- summary

_LABEL = {"doi": "DOI", "pmid": "PMID", "pmc": "PMC", "isbn": "ISBN", "issn": "ISSN"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def edit_summary(edits: Iterable[Edit]) -> str:
    """An edit summary as editors write them: ``citetrack: added 3 PMIDs; fixed 2 …``."""
    added: Counter[str] = Counter()
    fixed: Counter[str] = Counter()
    for e in edits:
        param = _norm(e.param)
        if e.kind == "archive":
            if param == "archiveurl":
                added["archive link"] += 1
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
    return "citetrack: " + ("; ".join(parts) if parts else "no changes")
