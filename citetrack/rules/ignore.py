"""Ignoring known exceptions: the ``citetrack-ignore`` field and ``[[ignore]]`` config.

``citetrack-ignore = {url-dead, metadata-mismatch}`` in a .bib entry moves that entry's
findings of those rules out of its findings into ``suppressed``: reports show them as
suppressed (JSON ``"suppressed": true``, SARIF ``suppressions``), and they change neither
the reference's status nor the exit code.

In the config, ``[[ignore]]`` tables do the same for findings matching every criterion
they give: ``rule`` (a rule id), ``key`` (a citation key), ``url`` (a glob matched against
the finding's URL values and the entry's ``url``), ``host`` (that host or a subdomain).
Pure: a result in, a result out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from citetrack.model import CheckResult, Finding, ReferenceResult

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


def _apply(rr: ReferenceResult, entries: Sequence[IgnoreEntry]) -> ReferenceResult:
    rules = ignored_rules(rr.reference.get(FIELD))
    if not rules and not entries:
        return rr

    def ignored(f: Finding) -> bool:
        return f.rule in rules or any(matches(e, rr, f) for e in entries)

    kept = tuple(f for f in rr.findings if not ignored(f))
    hidden = tuple(f for f in rr.findings if ignored(f))
    if not hidden:
        return rr
    return replace(rr, findings=kept, suppressed=(*rr.suppressed, *hidden))


def apply_ignores(result: CheckResult, entries: Sequence[IgnoreEntry] = ()) -> CheckResult:
    """``result`` with each reference's ignored findings moved to ``suppressed``."""
    return replace(result, results=tuple(_apply(rr, entries) for rr in result.results))
