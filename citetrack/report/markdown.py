"""``--format markdown``: a summary for ``$GITHUB_STEP_SUMMARY`` or a pull-request comment.

Counts by status, then what changed since the lockfile, then the other problems (broken,
warning, unverified), each as a table row with the reference, its file and line, the rule
and the message with expected / actual.  Notes are counted, not listed.

Everything from data is escaped for GitHub-flavoured Markdown: ``& < >`` become entities,
Markdown punctuation (including ``|``, backticks, ``[``, ``$`` for math) is backslash-escaped,
and ``@name`` gets a zero-width space after the ``@`` so a hostile title cannot mention
(notify) anyone.  Long reports are cut at ``max_rows`` rows per table (a PR comment holds at
most 65,536 characters).
"""

from __future__ import annotations

import re

from citetrack.model import CheckResult, Finding, ReferenceResult, Severity, Status
from citetrack.report._article import headers, where
from citetrack.report._common import (
    findings_by_severity,
    present_counts,
    report_path,
    suppressed_said,
    values,
)
from citetrack.report._escape import sanitize
from citetrack.report.causes import split_unverified

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_SPECIAL = re.compile(r"[&<>\\`*_\[\]|~()!#$]")
_MENTION = re.compile(r"@(?=\w)")
_STATUS_ORDER = (
    Status.BROKEN,
    Status.CHANGED,
    Status.WARNING,
    Status.UNVERIFIED,
    Status.ACCEPTED,
    Status.OK,
    Status.UNCHECKED,
)


def escape_markdown(text: object) -> str:
    """``text`` as inert Markdown inline text (one line; safe inside a table cell)."""
    value = _SPECIAL.sub(lambda m: _ENTITIES.get(m.group(0), "\\" + m.group(0)), sanitize(text))
    return _MENTION.sub("@\u200b", value)


def _where(rr: ReferenceResult) -> str:
    key = escape_markdown(rr.reference.key)
    path = report_path(rr.reference.path)
    if not path:
        return key
    line = f":{rr.reference.line}" if rr.reference.line else ""
    if rr.reference.location is not None:
        return f"{key}<br>{escape_markdown(path)}<br>{escape_markdown(where(rr.reference))}"
    return f"{key}<br>{escape_markdown(path + line)}"


def _what(f: Finding, *, with_values: bool) -> str:
    text = escape_markdown(f.message)
    if with_values:
        text += "".join(f"<br>{label}: {escape_markdown(v)}" for label, v in values(f))
    return text


def _table(columns: tuple[str, ...], rows: list[str], max_rows: int) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    lines += rows[:max_rows]
    if len(rows) > max_rows:
        lines += ["", f"… and {len(rows) - max_rows} more."]
    return lines


def format_markdown(result: CheckResult, *, max_rows: int = 200) -> str:
    """The summary as GitHub-flavoured Markdown."""
    counts = present_counts(result.summary())
    out = [f"## citetrack: {counts['total']} references checked", ""]
    lines = headers(result)
    out += [f"{escape_markdown(h)}  " for h in lines] + ([""] if lines else [])
    out += ["| status | references |", "| --- | ---: |"]
    out += [f"| {s.value} | {counts[s.value]} |" for s in _STATUS_ORDER]
    if counts["removed"]:
        out.append(f"| removed since the lockfile | {counts['removed']} |")

    # Could-not-check findings: one line per cause (an outage or --offline is one line).
    display, causes = split_unverified(result)
    pairs = list(findings_by_severity(display))
    changed = [(rr, f) for rr, f in pairs if f.severity is Severity.CHANGED]
    problems = [(rr, f) for rr, f in pairs if f.severity not in (Severity.CHANGED, Severity.NOTE)]
    if changed:
        rows = [
            f"| {_where(rr)} | {escape_markdown(f.rule)} | {_what(f, with_values=False)} |"
            for rr, f in changed
        ]
        out += ["", "### Changed since the lockfile", ""]
        out += _table(("reference", "rule", "what changed"), rows, max_rows)
    if problems:
        rows = [
            f"| {_where(rr)} | {f.severity.value} | {escape_markdown(f.rule)} "
            f"| {_what(f, with_values=True)} |"
            for rr, f in problems
        ]
        out += ["", "### Problems", ""]
        out += _table(("reference", "severity", "rule", "message"), rows, max_rows)
    if causes:
        out += ["", "### Could not check", ""]
        out += [f"- {escape_markdown(cause.line())}" for cause in causes]
    if not changed and not problems:
        out += ["", "No problems found." if not causes else "No other problems found."]
    suppressed, _ = suppressed_said(result)
    if suppressed:
        out += ["", escape_markdown(suppressed)]
    notes = sum(1 for _, f in pairs if f.severity is Severity.NOTE)
    if notes:
        out += ["", f"{notes} note(s) not listed (see the JSON or SARIF report)."]
    return "\n".join(out) + "\n"
