"""What to change in an article's ``{{cite …}}`` templates: the edit plans, no editing.

Pure.  Each :class:`Planned` edit names a reference key, a CS1 parameter, the new value, its
fix kind and why; :mod:`citetrack.export.wikitext` applies them.  Three sources:

* :func:`local_fixes` — read from the templates themselves: ``identifiers`` (a malformed
  ``doi`` / ``pmid`` / ``pmc`` / ``isbn`` / ``issn`` — a prefix such as ``doi:`` or
  ``ISBN``, a URL, spaces, trailing punctuation — normalised; a valid value is never
  restyled) and ``pages`` (a hyphen between two page numbers becomes an en dash,
  ``151-8`` → ``151–8``, as the Manual of Style asks);
* :func:`registry_fixes` — the check's suggestions: ``add-ids`` (a DOI / PMID / PMC the
  registries confirmed) and ``metadata`` (volume / issue / pages / year / journal the
  registry record corrects, and a wrong PMID replaced by the one PubMed gives for the
  citation's confirmed DOI);
* :func:`archive_fixes` — ``archive``: for a dead URL, ``archive-url`` / ``archive-date`` /
  ``url-status=dead`` from the Wayback capture closest before ``access-date``
  (InternetArchiveBot's convention); for a dead URL already archived, ``url-status=dead``
  when the Wayback Machine confirmed that copy; a cited copy the Wayback Machine says is not
  usable (no such capture, or one of an error page) replaced by the good capture it found
  at or before the cited time (each edit reported; without one it is reported, not
  changed: :func:`archives_not_replaced`); a ``{{dead link}}`` tag beside a citation whose
  URL the check found answering 200 removed (:func:`dead_link_fixes`), and those of a
  citation given an archived copy (:func:`rescued_dead_link_fixes`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from mwparserfromhell.nodes import Comment, ExternalLink, Tag, Template, Text
from mwparserfromhell.nodes.extras import Parameter
from mwparserfromhell.wikicode import Wikicode

from citetrack.identifiers import clean_doi, format_isbn, normalize_issn, normalize_pmid
from citetrack.links.targets import link_targets, parse_archive_url, parse_memento
from citetrack.model import (
    CheckResult,
    Finding,
    LinkVerdict,
    Reference,
    ReferenceResult,
    Severity,
    Source,
)
from citetrack.parse.cs1_status import legacy_status, url_status
from citetrack.parse.cs1_status import param_key as norm
from citetrack.parse.cs1_status import param_value as value
from citetrack.parse.wikitext import DEAD_LINK_TAGS, is_cite, template_name
from citetrack.rules.compare import RULE_MISMATCH, RULE_MISSING_ID, compare_reference

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
ALIASES = {
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
    #: Take the parameter out (``value`` unused): a stale ``|doi-broken-date=``.
    remove: bool = False


# ---------------------------------------------------------------------------- helpers


def find(template: Template, param: str) -> Parameter | None:
    """The parameter ``param`` (or an alias) of ``template``.  Given twice under the same
    name, the last one: the one the wiki shows, and the one the check read."""
    names = {norm(n) for n in ALIASES.get(param, (param,))}
    found: Parameter | None = None
    for p in template.params:
        same = found is None or str(p.name).strip() == str(found.name).strip()
        if p.showkey and norm(str(p.name)) in names and same:
            found = p
    return found


def _uncommented(p: Parameter | None) -> str:
    """A value as the wiki reads it: comments dropped (MediaWiki strips them before the
    template sees the value), whitespace trimmed."""
    if p is None:
        return ""
    return "".join(str(n) for n in p.value.nodes if not isinstance(n, Comment)).strip()


def plain_value(p: Parameter) -> bool:
    """Whether a value is plain text that an edit may replace whole: text, and free links
    (a bare ``https://doi.org/10.…`` is a link to the parser, plain text to the editor who
    typed it); a comment, a template or a bracketed link is markup to keep."""
    return all(
        isinstance(n, Text) or (isinstance(n, ExternalLink) and not n.brackets)
        for n in p.value.nodes
    )


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
            raw = _uncommented(find(template, param))
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
            found = find(template, param)
            match = _PAGE_RANGE.match(str(found.value)) if found is not None else None
            if found is not None and match and param == "pages" and "-" in value(found):
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

    def by_hand(plan: Planned) -> bool:  # export leaves a value holding a comment alone
        param = find(templates[plan.key], plan.param)
        return param is not None and not plain_value(param)

    return [
        Finding(
            key=plan.key,
            rule="identifier-malformed",
            severity=Severity.WARNING,
            message=f"{plan.reason[0].upper()}{plan.reason[1:]} to {plan.value!r} by "
            "citetrack export."
            if not by_hand(plan)
            else f"{plan.reason[0].upper()}{plan.reason[1:].removesuffix(' normalised')}: "
            f"write {plan.value!r} (its value holds a comment or markup, which citetrack "
            "export leaves as it is).",
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


#: Findings that say a cited archived copy is not (known to be) usable.
_ARCHIVE_NOT_OK = frozenset({"archive-invalid", "archive-unverified"})


def archives_not_asked(result: CheckResult) -> list[tuple[str, int | None, str]]:
    """(key, line, reason) of each dead URL that cites no archived copy and whose capture
    the Wayback Machine could not be asked for: no archive fix could be planned, and
    the URL verdict itself (broken) does not count as could-not-check."""
    out: list[tuple[str, int | None, str]] = []
    for rr in result.results:
        if not any(f.rule in ("url-dead", "url-soft-404") for f in rr.findings):
            continue
        if any(a.available for a in rr.archives):
            continue
        unasked = next((a for a in rr.archives if a.available is None), None)
        if unasked is not None and not link_targets(rr.reference).archive_url:
            ref = rr.reference
            line = ref.location.line if ref.location else ref.line
            out.append((ref.key, line, unasked.reason or "no answer"))
    return out


def _good_capture(rr: ReferenceResult) -> tuple[Finding | None, str, str]:
    """For a cited archived copy the Wayback Machine says is not usable (``archive-invalid``):
    the finding, and the timestamp and URL of the good (HTTP 200) capture to cite instead,
    or ``""`` and why there is none.  Only a capture taken at or before the cited one
    replaces it (what the citing editor can have seen); a later one is only reported."""
    invalid = next((f for f in rr.findings if f.rule == "archive-invalid"), None)
    if invalid is None:
        return None, "", ""
    offer = parse_memento(invalid.suggestion or "")
    if offer is None or offer.timestamp is None or offer.original is None:
        # The check's message says why: no such capture, or the lookup could not be made.
        detail = invalid.message.removeprefix("Archived copy is not usable: ").rstrip(".")
        return invalid, "", f"no good capture was found to cite instead ({detail})"
    cited = parse_archive_url(invalid.actual or "")
    if cited is not None and cited.timestamp and offer.timestamp > cited.timestamp.ljust(14, "9"):
        return (
            invalid,
            "",
            (
                f"the only good capture is from after the cited one ({offer.timestamp}): "
                "check it shows what was cited, and replace it by hand"
            ),
        )
    return invalid, offer.timestamp, offer.original


def archives_not_replaced(result: CheckResult) -> list[tuple[str, int | None, str]]:
    """(key, line, why) of each cited archived copy that is not usable and that ``archive``
    leaves as it is, for want of a good capture taken at or before it."""
    out: list[tuple[str, int | None, str]] = []
    for rr in result.results:
        invalid, timestamp, why = _good_capture(rr)
        if invalid is not None and not timestamp:
            ref = rr.reference
            out.append((ref.key, ref.location.line if ref.location else ref.line, why))
    return out


def _replaced_archive(rr: ReferenceResult, template: Template) -> list[Planned]:
    """A cited capture that is not usable replaced by the good one the check found."""
    invalid, timestamp, original = _good_capture(rr)
    if invalid is None or not timestamp:
        return []
    day = date(int(timestamp[:4]), int(timestamp[4:6]), int(timestamp[6:8]))
    style = value(find(template, "archive-date")) or value(find(template, "access-date"))
    reason = (
        "the cited archived copy is not usable (archive-invalid); the Wayback Machine's "
        f"good capture of {day.isoformat()} replaces it"
    )
    return [
        Planned(
            rr.reference.key,
            "archive-url",
            wayback_link(timestamp, original),
            "archive",
            reason,
            "wayback",
        ),
        Planned(
            rr.reference.key, "archive-date", _date_like(style, day), "archive", reason, "wayback"
        ),
    ]


def archive_fixes(result: CheckResult, templates: Mapping[str, Template]) -> list[Planned]:
    """IABot-style archive parameters for dead URLs that have a usable capture, and a good
    capture for a cited one that is not usable."""
    out: list[Planned] = []
    for rr in result.results:
        template = templates.get(rr.reference.key)
        if template is None:
            continue
        dead = next((f for f in rr.findings if f.rule in ("url-dead", "url-soft-404")), None)
        key = rr.reference.key
        status = url_status(template)  # an old |deadurl=yes says "dead" too
        if value(find(template, "archive-url")):
            replaced = _replaced_archive(rr, template)
            out += replaced
            # The cited copy is put first only when the Wayback Machine confirmed it: a
            # capture that does not exist (archive-invalid) or could not be asked about
            # would send every reader to an error page instead of the live-marked URL.
            cited_ok = bool(replaced) or not any(f.rule in _ARCHIVE_NOT_OK for f in rr.findings)
            if dead is not None and status != "dead" and cited_ok:
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
        if dead is None or link_targets(rr.reference).archive_url:
            # No dead URL, or its archived copy is cited beside the template (a
            # {{Webarchive}} in the ref): a second one would show twice.
            continue
        capture = next(
            (a for a in rr.archives if a.available and a.archive_url and a.timestamp), None
        )
        if capture is None or capture.archive_url is None or capture.timestamp is None:
            continue
        ts = capture.timestamp
        day = date(int(ts[:4]), int(ts[4:6]), int(ts[6:8]))
        style = value(find(template, "access-date")) or value(find(template, "date"))
        accessed = link_targets(rr.reference).accessed  # what the check asked before
        if accessed is None:
            which = "the latest good one (no access-date)"
        elif day <= accessed:
            which = "the closest before access-date"
        else:  # none before it: the Wayback lookup's first one after, which is said
            which = (
                f"the first after access-date ({accessed.isoformat()}; none before it): "
                "check it shows what was cited"
            )
        reason = f"dead URL ({dead.actual or 'url'}); Wayback capture of {day.isoformat()}, {which}"
        out += [
            Planned(
                key, "archive-url", wayback_link(ts, capture.url), "archive", reason, "wayback"
            ),
            Planned(key, "archive-date", _date_like(style, day), "archive", reason, "wayback"),
            Planned(key, "url-status", "dead", "archive", reason, "wayback"),
        ]
    return out


# ------------------------------------------------------------------ a stale {{dead link}}

#: What a plan that removes a ref's ``{{dead link}}`` tag names as its parameter.
DEAD_LINK = "{{dead link}}"
RULE_DEAD_LINK_STALE = "dead-link-stale"


@dataclass(frozen=True)
class RefNode:
    """A citation's ``<ref>`` (a node of one parsed page) and the ``{{dead link}}`` tags
    written right after its ``</ref>`` or after one of its reuses (``<ref name=x />``),
    each with the wikicode it stands in and the spaces before it
    (:func:`citetrack.parse.wikitext.marked_dead_after`)."""

    tag: Tag
    after: tuple[tuple[Wikicode, Template, tuple[Text, ...]], ...] = ()


@dataclass(frozen=True)
class DeadLinkMark:
    """A ``{{dead link}}`` tag of a citation: inside its ref (``holder`` is the ref's
    contents) or beside the ref or one of its reuses (``gap``: the spaces between)."""

    tag: Template
    holder: Wikicode
    gap: tuple[Text, ...]
    inside: bool


def dead_link_marks(ref: RefNode, template: Template | None) -> list[DeadLinkMark]:
    """The ``{{dead link}}`` tags of a citation in ``ref``: the one after its template and
    before the ref's next citation (``template`` ``None``: a ref without a cite template,
    whose tag is its link's) and — for the ref's last citation — those written right after
    the ``</ref>`` or after a reuse of the ref."""
    owner: Template | None = None
    out: list[DeadLinkMark] = []
    contents = ref.tag.contents
    for node in contents.nodes if contents is not None else ():
        if isinstance(node, Template) and is_cite(node):
            owner = node
        elif (
            contents is not None
            and isinstance(node, Template)
            and template_name(node) in DEAD_LINK_TAGS
            and owner is template
            and not out
        ):
            out.append(DeadLinkMark(node, contents, (), inside=True))
    if owner is template:
        out += [DeadLinkMark(tag, holder, gap, inside=False) for holder, tag, gap in ref.after]
    return out


def alive_url(rr: ReferenceResult) -> str | None:
    """The cited URL when the check found it answering 200 itself (no redirect elsewhere,
    no "not found" page): verified alive."""
    status = next(
        (s for s in rr.links if s.verdict is LinkVerdict.OK and s.status_code == 200), None
    )
    return status.url if status is not None else None


def _marked_dead(ref: RefNode | None, template: Template | None) -> list[str]:
    """How a citation tells readers its URL is dead: a ``{{dead link}}`` tag after it in
    its ref, ``url-status=dead`` beside an archived copy (CS1 then shows the archive first),
    or the old ``deadurl=yes`` that meant it (named as written)."""
    marks = []
    if ref is not None and dead_link_marks(ref, template):
        marks.append(DEAD_LINK)
    if (
        template is not None
        and url_status(template) == "dead"
        and value(find(template, "archive-url"))
    ):
        given = find(template, "url-status")
        said = given if value(given) else legacy_status(template)
        marks.append(f"{str(said.name).strip()}={value(said)}" if said else "url-status=dead")
    return marks


def stale_dead_links(
    result: CheckResult, refs: Mapping[str, RefNode], templates: Mapping[str, Template]
) -> list[tuple[ReferenceResult, str, list[str]]]:
    """(result, URL, marks) of each citation marked dead (:func:`_marked_dead`) whose URL
    the check found alive: the marks tell readers something no longer true.  ``refs`` and
    ``templates``: each key's ``<ref>`` and cite template (nodes of one parsed page)."""
    out: list[tuple[ReferenceResult, str, list[str]]] = []
    for rr in result.results:
        key = rr.reference.key
        url = alive_url(rr)
        marks = _marked_dead(refs.get(key), templates.get(key)) if url else []
        if url and marks:
            out.append((rr, url, marks))
    return out


def stale_dead_link_findings(
    result: CheckResult, refs: Mapping[str, RefNode], templates: Mapping[str, Template]
) -> list[Finding]:
    """``dead-link-stale`` warnings for :func:`stale_dead_links`."""
    return [
        Finding(
            key=rr.reference.key,
            rule=RULE_DEAD_LINK_STALE,
            severity=Severity.WARNING,
            message=f"Marked {' and '.join(marks)}, but the URL answers (HTTP 200): stale; "
            "citetrack export --fix archive "
            + ("removes the tag" if DEAD_LINK in marks else "")
            + (" and " if len(marks) == 2 else "")
            + ("sets url-status=live" if any(m != DEAD_LINK for m in marks) else "")
            + ".",
            field="url",
            actual=url,
            source=Source.WEB,
            line=rr.reference.line,
        )
        for rr, url, marks in stale_dead_links(result, refs, templates)
    ]


def rescued_dead_link_fixes(
    plans: Iterable[Planned], refs: Mapping[str, RefNode], templates: Mapping[str, Template]
) -> list[Planned]:
    """``archive``: the ``{{dead link}}`` tags of a citation whose dead URL the ``plans``
    give an archived copy, removed, as InternetArchiveBot does when it rescues a link
    (the tag would show "[dead link]" beside the working copy)."""
    out: list[Planned] = []
    for key in dict.fromkeys(p.key for p in plans if p.param == "archive-url"):
        ref = refs.get(key)
        if ref is not None and dead_link_marks(ref, templates.get(key)):
            reason = "the dead URL now cites an archived copy (as InternetArchiveBot does)"
            out.append(Planned(key, DEAD_LINK, "", "archive", reason, "wayback"))
    return out


def dead_link_fixes(
    result: CheckResult, refs: Mapping[str, RefNode], templates: Mapping[str, Template]
) -> list[Planned]:
    """``archive``: a stale ``{{dead link}}`` removed, a stale ``url-status=dead`` set to
    ``live`` (the URL verified alive)."""
    out: list[Planned] = []
    for rr, url, marks in stale_dead_links(result, refs, templates):
        reason = f"marked dead, but the URL answers HTTP 200 ({url})"
        key = rr.reference.key
        if DEAD_LINK in marks:
            out.append(Planned(key, DEAD_LINK, "", "archive", reason, "web"))
        if any(m != DEAD_LINK for m in marks):  # url-status=dead, or deadurl=yes renamed
            out.append(Planned(key, "url-status", "live", "archive", reason, "web"))
    return out
