"""Ignoring known exceptions: the ``citetrack-ignore`` field and ``[[ignore]]`` config.

``citetrack-ignore = {url-dead, metadata-mismatch}`` in a .bib entry moves that entry's
findings of those rules out of its findings into ``suppressed``: reports show them as
suppressed (JSON ``"suppressed": true``, SARIF ``suppressions``), and they change neither
the reference's status nor the exit code.

In the config, ``[[ignore]]`` tables do the same for findings matching every criterion
they give: ``rule`` (a rule id), ``key`` (a citation key), ``url`` (a glob matched against
the finding's URL values and the entry's ``url``), ``host`` (that host or a subdomain).
An ignore that names no rule id (``doi-malformed`` for ``identifier-malformed``) would
ignore nothing, silently: given the known ids, such a name is a warning on its entry
(``ignore-unknown-rule``) or, in the config, a note, with the closest id as a hint.

Pure: a result in, a result out.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import replace
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from citetrack.model import CheckResult, Finding, ReferenceResult, Severity, Source

IgnoreEntry = Sequence[tuple[str, str]]

FIELD = "citetrack-ignore"


def ignored_rules(value: str | None) -> frozenset[str]:
    """The rule ids of a ``citetrack-ignore`` value (comma- or space-separated)."""
    return frozenset(r for r in re.split(r"[\s,]+", value or "") if r)


def _urls(rr: ReferenceResult, f: Finding) -> list[str]:
    values = (f.actual, f.expected, f.suggestion, rr.reference.get("url"))
    return [v for v in values if v and "://" in v]


def _host_matches(url: str, host: str) -> bool:
    name = (urlsplit(url).hostname or "").lower()
    host = host.lower().strip(".")
    return name == host or name.endswith("." + host)


def matches(entry: IgnoreEntry, rr: ReferenceResult, f: Finding) -> bool:
    """Whether finding ``f`` of ``rr`` meets every criterion of a ``[[ignore]]`` entry."""
    for criterion, value in entry:
        if criterion == "rule" and f.rule != value:
            return False
        if criterion == "key" and f.key != value:
            return False
        if criterion == "url" and not any(fnmatchcase(u, value) for u in _urls(rr, f)):
            return False
        if criterion == "host" and not any(_host_matches(u, value) for u in _urls(rr, f)):
            return False
    return True


RULE_UNKNOWN = "ignore-unknown-rule"


def _hint(name: str, known: Collection[str]) -> str:
    from rapidfuzz import process  # noqa: PLC0415 - only for a name that is no rule id

    best = process.extractOne(name, sorted(known), score_cutoff=70)
    return f" (did you mean {best[0]!r}?)" if best else ""


def _unknown_in_field(rr: ReferenceResult, known: Collection[str]) -> tuple[Finding, ...]:
    """A warning per name in the entry's ignore field that is no rule id and fired nowhere."""
    seen = {f.rule for f in (*rr.findings, *rr.suppressed)}
    names = sorted(ignored_rules(rr.reference.get(FIELD)) - set(known) - seen)
    return tuple(
        Finding(
            key=rr.reference.key,
            rule=RULE_UNKNOWN,
            severity=Severity.WARNING,
            message=f"{FIELD} (or a '% citetrack: ignore' comment) names {name!r}, which is "
            f"no citetrack rule, so it ignores nothing{_hint(name, known)}",
            source=Source.CITATION,
            line=rr.reference.line,
        )
        for name in names
    )


def unknown_config_rules(entries: Sequence[IgnoreEntry], known: Collection[str]) -> list[str]:
    """A note per ``[[ignore]]`` ``rule`` that is no rule id (it would match nothing)."""
    return [
        f"config [[ignore]] rule {value!r} is no citetrack rule, so it ignores nothing"
        f"{_hint(value, known)}"
        for entry in entries
        for criterion, value in entry
        if criterion == "rule" and value not in known
    ]


def _apply(
    rr: ReferenceResult, entries: Sequence[IgnoreEntry], known: Collection[str] | None
) -> ReferenceResult:
    value = rr.reference.get(FIELD)
    if not value and not entries:
        return rr  # the usual case, at once: 100,000 results (issue 16)
    if known is not None and value:
        rr = replace(rr, findings=(*rr.findings, *_unknown_in_field(rr, known)))
    rules = ignored_rules(value)
    if not rules and not entries:
        return rr

    def ignored(f: Finding) -> bool:
        return f.rule in rules or any(matches(e, rr, f) for e in entries)

    kept = tuple(f for f in rr.findings if not ignored(f))
    hidden = tuple(f for f in rr.findings if ignored(f))
    if not hidden:
        return rr
    return replace(rr, findings=kept, suppressed=(*rr.suppressed, *hidden))


def apply_ignores(
    result: CheckResult,
    entries: Sequence[IgnoreEntry] = (),
    known: Collection[str] | None = None,
) -> CheckResult:
    """``result`` with each reference's ignored findings moved to ``suppressed``.

    With ``known`` (every rule id), an ignore naming another id is reported: a warning on
    its entry, a note for a config entry.
    """
    results = tuple(_apply(rr, entries, known) for rr in result.results)
    notes = unknown_config_rules(entries, known) if known is not None else []
    return replace(result, results=results, notes=(*result.notes, *notes))
