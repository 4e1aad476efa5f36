"""An article's stale or obsolete status marks: what ``check`` reports, what ``export`` plans.

Pure.  Two marks an editor wants gone (:mod:`citetrack.parse.cs1_status` reads them):

* ``doi-broken-stale`` — a ``|doi-broken-date=`` beside a DOI that resolves now (Crossref or
  doi.org know it, as the check found): the page lists the article as having an inactive
  DOI for nothing.  ``export --fix metadata`` (a kind that asks the registries) removes
  the parameter, as the bot that keeps the "DOI inactive" category does.  A DOI the check
  could not ask about, or found registered nowhere, keeps its date.
* ``deadurl-obsolete`` — ``|deadurl=`` / ``|dead-url=``, which CS1 no longer reads (it
  shows an error instead).  ``export --fix archive`` renames it to the ``|url-status=`` it
  meant, in place (``deadurl=yes`` → ``url-status=dead``, ``no`` → ``live``); beside a
  ``|url-status=`` of its own it is only removed.  An old value that meant nothing is
  reported, not guessed.
"""

from __future__ import annotations

from collections.abc import Mapping

from mwparserfromhell.nodes import Template

from citetrack.export.cite_plans import Planned, alive_url, find
from citetrack.identifiers import normalize_doi
from citetrack.model import CheckResult, Finding, Found, ReferenceResult, Severity, Source
from citetrack.parse.cs1_status import doi_broken, legacy_status, status_for_legacy
from citetrack.parse.cs1_status import param_value as value

RULE_DOI_BROKEN_STALE = "doi-broken-stale"
RULE_DEADURL_OBSOLETE = "deadurl-obsolete"
_RESOLVERS = (Source.CROSSREF, Source.DOI_ORG)


def doi_resolves(rr: ReferenceResult) -> str | None:
    """Who answered that the citation's DOI is registered (Crossref, doi.org), or ``None``
    when none did (not found, or not asked)."""
    doi = rr.reference.identifiers.doi
    if not doi:
        return None
    for evidence in rr.evidence:
        if (
            isinstance(evidence, Found)
            and evidence.source in _RESOLVERS
            and normalize_doi(evidence.identifier) == doi.lower()
        ):
            return "Crossref" if evidence.source is Source.CROSSREF else "doi.org"
    return None


def _stale_doi_dates(
    result: CheckResult, templates: Mapping[str, Template]
) -> list[tuple[ReferenceResult, str, str, str]]:
    """(result, the parameter's name, its name and date as written, who resolved the DOI)
    of each stale ``|doi-broken-date=``."""
    out = []
    for rr in result.results:
        template = templates.get(rr.reference.key)
        marked = doi_broken(template) if template is not None else None
        resolver = doi_resolves(rr) if marked is not None else None
        if marked is not None and resolver is not None:
            name = str(marked.name).strip()
            out.append((rr, name, f"{name}={value(marked)}", resolver))
    return out


def _legacy(template: Template) -> tuple[str, str, str | None, bool] | None:
    """(name, value, the url-status it means, whether a |url-status= is given too) of the
    template's old ``|deadurl=``, if it has one."""
    old = legacy_status(template)
    if old is None:
        return None
    raw = value(old)
    return (
        str(old.name).strip(),
        raw,
        status_for_legacy(raw),
        bool(value(find(template, "url-status"))),
    )


def mark_findings(result: CheckResult, templates: Mapping[str, Template]) -> list[Finding]:
    """``doi-broken-stale`` and ``deadurl-obsolete`` warnings (see the module doc)."""
    out = [
        Finding(
            key=rr.reference.key,
            rule=RULE_DOI_BROKEN_STALE,
            severity=Severity.WARNING,
            message=f"Marked {said} (the DOI inactive), but {resolver} knows DOI "
            f"{rr.reference.identifiers.doi} now: stale; citetrack export --fix metadata "
            "removes it.",
            field="doi",
            actual=said,
            source=Source.CROSSREF if resolver == "Crossref" else Source.DOI_ORG,
            line=rr.reference.line,
        )
        for rr, _, said, resolver in _stale_doi_dates(result, templates)
    ]
    for rr in result.results:
        template = templates.get(rr.reference.key)
        legacy = _legacy(template) if template is not None else None
        if legacy is None:
            continue
        name, raw, meant, beside = legacy
        if beside:
            advice = "|url-status= is given too and is the one read; citetrack export --fix "
            advice += f"archive removes |{name}=."
        elif meant == "dead" and alive_url(rr):
            advice = "it meant |url-status=dead, but the URL answers HTTP 200: citetrack "
            advice += "export --fix archive writes |url-status=live."
            meant = "live"
        elif meant is not None:
            advice = f"it means |url-status={meant}, which citetrack export --fix archive writes."
        else:
            advice = f"{raw!r} is not a value it took (yes / no): set |url-status= by hand."
        out.append(
            Finding(
                key=rr.reference.key,
                rule=RULE_DEADURL_OBSOLETE,
                severity=Severity.WARNING,
                message=f"|{name}={raw} is CS1's old spelling of |url-status=, no longer read "
                f"(the page shows an error); {advice}",
                field="url",
                actual=f"{name}={raw}",
                expected=f"url-status={meant}" if meant and not beside else None,
                source=Source.CITATION,
                line=rr.reference.line,
            )
        )
    return out


def mark_fixes(result: CheckResult | None, templates: Mapping[str, Template]) -> list[Planned]:
    """``metadata``: a stale ``|doi-broken-date=`` removed; ``archive``: an old
    ``|deadurl=`` renamed to the ``|url-status=`` it meant (removed beside one)."""
    out: list[Planned] = []
    for rr, name, said, resolver in _stale_doi_dates(result, templates) if result else ():
        reason = f"stale {said}: {resolver} knows the DOI now"
        key = rr.reference.key
        out.append(Planned(key, name, "", "metadata", reason, resolver.lower(), remove=True))
    alive = (
        {rr.reference.key: url for rr in result.results if (url := alive_url(rr))} if result else {}
    )
    for key, template in templates.items():
        legacy = _legacy(template)
        if legacy is None:
            continue
        name, raw, meant, beside = legacy
        if beside:
            reason = f"|{name}= is no longer read by CS1; the citation's |url-status= is"
            out.append(Planned(key, name, "", "archive", reason, "citetrack", remove=True))
        elif meant == "dead" and key in alive:
            # Not renamed to a status the check found untrue (with an archived copy,
            # dead_link_fixes plans the same "live" first).
            reason = f"|{name}={raw} said dead, but the URL answers HTTP 200 ({alive[key]})"
            out.append(Planned(key, "url-status", "live", "archive", reason, "web"))
        elif meant is not None:
            reason = f"|{name}={raw} is CS1's old spelling of |url-status={meant}"
            out.append(Planned(key, "url-status", meant, "archive", reason, "citetrack"))
    return out
