"""``--format junit``: JUnit XML for CI test reporters.

One ``<testsuite>`` per .bib file, one ``<testcase>`` per reference (``classname`` = the
file, ``name`` = the key).  A reference whose status is at or above ``fail_on`` (default
broken) gets a ``<failure>`` listing its findings; an unverified one is ``<skipped>``; the
findings of every other reference are listed in its ``<system-out>``.  With ``--new-only``, a
reference the change adds or edits that could not be verified — what makes the gate
pending, exit 4 — is a ``<failure type="pending">``: it was "passed" (its worst finding a
warning) or "skipped", so a CI test reporter showed nothing failed in a failed job.

The tree is built with ``xml.etree`` (which escapes markup); :func:`sanitize` first removes
what XML 1.0 cannot carry at all (control characters, lone surrogates).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from citetrack.model import (
    LASTING_UNVERIFIED,
    CheckResult,
    Finding,
    ReferenceResult,
    Severity,
    Status,
)
from citetrack.report._article import headers, where
from citetrack.report._common import values
from citetrack.report._escape import sanitize


def _finding_text(f: Finding) -> str:
    """One finding as a few lines; line breaks in data become spaces (see :func:`sanitize`)."""
    field = f" ({sanitize(f.field)})" if f.field else ""
    lines = [f"[{f.severity.value}] {sanitize(f.rule)}{field}: {sanitize(f.message)}"]
    lines += [f"    {label}: {sanitize(value)}" for label, value in values(f)]
    if f.source:
        lines.append(f"    source: {f.source.value}")
    return "\n".join(lines)


def _findings_text(rr: ReferenceResult) -> str:
    place = where(rr.reference)
    return "\n".join([*([f"at: {place}"] if place else []), *map(_finding_text, rr.findings)])


def _testcase(suite: ET.Element, rr: ReferenceResult, file: str, fail_on: Severity) -> str:
    """Add one reference's testcase; returns its outcome (failure / skipped / passed)."""
    case = ET.SubElement(suite, "testcase", classname=file, name=sanitize(rr.reference.key))
    case.set("time", "0")
    if rr.reference.line is not None:
        case.set("file", file)
        case.set("line", str(rr.reference.line))
    status = rr.status
    # --new-only: what came from upstream on a reference the change did not touch is no
    # failure of the change (as the exit code says; citetrack.tracking.lockfile.gate).
    gating = [f for f in rr.findings if f not in rr.upstream] if rr.upstream else rr.findings
    worst = max(gating, key=lambda f: f.severity.rank, default=None)
    if worst is not None and worst.severity.rank >= fail_on.rank:
        failure = ET.SubElement(case, "failure", message=sanitize(worst.message))
        failure.set("type", sanitize(worst.rule))
        failure.text = _findings_text(rr)
        return "failure"
    if rr.pending:
        unverified = next(
            f
            for f in rr.findings
            if f.severity is Severity.UNVERIFIED and f.rule not in LASTING_UNVERIFIED
        )
        message = (
            "this change adds or edits the reference, and it could not be verified: "
            f"{unverified.message} The pull-request gate is pending (exit 4), not passed."
        )
        failure = ET.SubElement(case, "failure", message=sanitize(message))
        failure.set("type", "pending")
        failure.text = _findings_text(rr)
        return "failure"
    worst = max(rr.findings, key=lambda f: f.severity.rank, default=None)
    if status is Status.UNVERIFIED:
        assert worst is not None
        skipped = ET.SubElement(case, "skipped", message=sanitize(worst.message))
        skipped.text = _findings_text(rr)
        return "skipped"
    if rr.findings:
        ET.SubElement(case, "system-out").text = _findings_text(rr)
    return "passed"


def format_junit(result: CheckResult, *, fail_on: Severity = Severity.BROKEN) -> str:
    """The result as a JUnit XML document (UTF-8 text with an XML declaration)."""
    root = ET.Element("testsuites", name="citetrack")
    files: dict[str, list[ReferenceResult]] = {}
    for rr in result.results:
        files.setdefault(sanitize(rr.reference.path or "references"), []).append(rr)
    totals = {"tests": 0, "failure": 0, "skipped": 0}
    for file, rrs in files.items():
        suite = ET.SubElement(root, "testsuite", name=file)
        if result.articles or result.notes:
            props = ET.SubElement(suite, "properties")
            for header in headers(result):
                name = "citetrack.note" if header.startswith("note: ") else "citetrack.article"
                ET.SubElement(props, "property", name=name, value=header)
        counts = {"failure": 0, "skipped": 0, "passed": 0}
        for rr in rrs:
            counts[_testcase(suite, rr, file, fail_on)] += 1
        suite.set("tests", str(len(rrs)))
        suite.set("failures", str(counts["failure"]))
        suite.set("errors", "0")
        suite.set("skipped", str(counts["skipped"]))
        suite.set("time", "0")
        totals["tests"] += len(rrs)
        totals["failure"] += counts["failure"]
        totals["skipped"] += counts["skipped"]
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failure"]))
    root.set("errors", "0")
    root.set("skipped", str(totals["skipped"]))
    root.set("time", "0")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
