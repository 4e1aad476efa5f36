"""Ignoring a known exception for one reference: the ``citetrack-ignore`` field.

``citetrack-ignore = {url-dead, metadata-mismatch}`` in a .bib entry moves that entry's
findings of those rules out of its findings into ``suppressed``: reports show them as
suppressed (JSON ``"suppressed": true``, SARIF ``suppressions``), and they change neither
the reference's status nor the exit code.  Pure: a result in, a result out.
"""

from __future__ import annotations

import re
from dataclasses import replace

from citetrack.model import CheckResult, ReferenceResult

FIELD = "citetrack-ignore"


def ignored_rules(value: str | None) -> frozenset[str]:
    """The rule ids of a ``citetrack-ignore`` value (comma- or space-separated)."""
    return frozenset(r for r in re.split(r"[\s,]+", value or "") if r)


def _apply(rr: ReferenceResult) -> ReferenceResult:
    rules = ignored_rules(rr.reference.get(FIELD))
    if not rules:
        return rr
    kept = tuple(f for f in rr.findings if f.rule not in rules)
    hidden = tuple(f for f in rr.findings if f.rule in rules)
    return replace(rr, findings=kept, suppressed=(*rr.suppressed, *hidden))


def apply_ignores(result: CheckResult) -> CheckResult:
    """``result`` with each reference's ignored findings moved to ``suppressed``."""
    return replace(result, results=tuple(_apply(rr) for rr in result.results))
