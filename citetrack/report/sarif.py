"""``--format sarif``: SARIF 2.1.0 for code-scanning dashboards (GitHub, Azure DevOps…).

One run; ``tool.driver.rules`` lists the rules that occur (sorted by id, described from
:mod:`citetrack.report.rules`), and every finding is a result pointing at its .bib file and
line.  Levels: broken → ``error``; warning, changed → ``warning``; unverified, note →
``note``.  ``partialFingerprints`` hash (key, rule, field), so a finding keeps its identity
across runs — and when a failing URL is confirmed broken, the alert's level changes instead
of a new alert appearing.

Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
GitHub's subset: https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
"""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from pathlib import Path

from citetrack import __version__
from citetrack.model import CheckResult, Finding, Reference, ReferenceResult, Severity
from citetrack.report._article import article_json, column, where
from citetrack.report._common import report_path, values
from citetrack.report._escape import sanitize
from citetrack.report.causes import cause_lines
from citetrack.report.rules import describe
from citetrack.rules.ignore import FIELD, ignored_rules

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_NAME = "citetrackFinding/v1"

_LEVELS = {
    Severity.BROKEN: "error",
    Severity.CHANGED: "warning",
    Severity.WARNING: "warning",
    Severity.UNVERIFIED: "note",
    Severity.NOTE: "note",
}


def level(severity: Severity) -> str:
    """The SARIF ``level`` of a citetrack severity."""
    return _LEVELS[severity]


def fingerprint(f: Finding) -> str:
    """A stable id of a finding across runs: a hash of (key, rule, field)."""
    text = "\x1f".join((f.key, f.rule, f.field or ""))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _rule_name(rule: str) -> str:
    return "".join(part.capitalize() for part in rule.replace("_", "-").split("-") if part)


def _rules(result: CheckResult) -> list[dict[str, object]]:
    worst: dict[str, Severity] = {}
    for f in (*result.findings, *(s for r in result.results for s in r.suppressed)):
        if f.rule not in worst or f.severity.rank > worst[f.rule].rank:
            worst[f.rule] = f.severity
    rules: list[dict[str, object]] = []
    for rule in sorted(worst):
        info = describe(rule, worst[rule])
        rules.append(
            {
                "id": sanitize(rule),
                "name": sanitize(_rule_name(rule)),
                "shortDescription": {"text": sanitize(info.short)},
                "fullDescription": {"text": sanitize(info.full)},
                "defaultConfiguration": {"level": level(info.severity)},
                "properties": {"citetrack-severity": info.severity.value},
            }
        )
    return rules


def _message(f: Finding) -> str:
    shown = "; ".join(f"{label}: {value}" for label, value in values(f))
    return sanitize(f"{f.message} ({shown})" if shown else f.message)


def _location(rr: ReferenceResult, f: Finding, root: str | Path | None) -> dict[str, object]:
    path = report_path(rr.reference.path, root) or "references.bib"
    uri = Path(path).as_uri() if Path(path).is_absolute() else urllib.parse.quote(path)
    physical: dict[str, object] = {"artifactLocation": {"uri": uri}}
    line = f.line or rr.reference.line
    if line and line > 0:
        physical["region"] = {"startLine": line}
        col = column(rr.reference)
        if col and (f.line is None or f.line == rr.reference.line):
            physical["region"] = {"startLine": line, "startColumn": col}
    return {
        "physicalLocation": physical,
        "logicalLocations": [{"name": sanitize(rr.reference.key)}],
    }


def _properties(f: Finding, ref: Reference | None = None) -> dict[str, object]:
    props = {
        "key": f.key,
        "severity": f.severity.value,
        "field": f.field,
        "expected": f.expected,
        "actual": f.actual,
        "source": f.source.value if f.source else None,
        "suggestion": f.suggestion,
        "location": where(ref) if ref is not None else None,
    }
    return {k: sanitize(v) for k, v in props.items() if v}


def _suppression(rr: ReferenceResult, f: Finding) -> dict[str, str]:
    """``inSource`` for the entry's ``citetrack-ignore`` field or ``% citetrack: ignore``
    comment, else ``external`` (config)."""
    if f.rule in ignored_rules(rr.reference.get(FIELD)):
        return {"kind": "inSource", "justification": f"{FIELD} field or comment"}
    return {"kind": "external", "justification": "[[ignore]] in the citetrack config"}


def _invocations(result: CheckResult) -> dict[str, object]:
    """The run's notes about its inputs and its could-not-check causes (the ``--offline``
    summary, an outage) as ``toolExecutionNotifications``, so SARIF says them too."""
    texts = [f"note: {n}" for n in result.notes] + cause_lines(result)
    if not texts:
        return {}
    notes = [{"level": "note", "message": {"text": sanitize(t)}} for t in texts]
    return {"invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}]}


def format_sarif(result: CheckResult, *, root: str | Path | None = None) -> str:
    """The result as a SARIF 2.1.0 log (JSON text).

    ``root`` is the directory artifact URIs are relative to (default: the working
    directory; a repository checkout in CI).
    """
    rules = _rules(result)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for rr in result.results:
        for f, hidden in [(f, False) for f in rr.findings] + [(f, True) for f in rr.suppressed]:
            results.append(
                {
                    **({"suppressions": [_suppression(rr, f)]} if hidden else {}),
                    "ruleId": sanitize(f.rule),
                    "ruleIndex": index[sanitize(f.rule)],
                    "level": level(f.severity),
                    "message": {"text": _message(f)},
                    "locations": [_location(rr, f, root)],
                    "partialFingerprints": {FINGERPRINT_NAME: fingerprint(f)},
                    "properties": _properties(f, rr.reference),
                }
            )
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "citetrack",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
                **_invocations(result),
                **(
                    {"properties": {"articles": [article_json(a) for a in result.articles]}}
                    if result.articles
                    else {}
                ),
            }
        ],
    }
    return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
