"""Unverified findings grouped by service and cause (issue 12).  SYNTHETIC results."""

from __future__ import annotations

from citetrack.model import CheckResult, Finding, Reference, ReferenceResult, Severity, Source
from citetrack.report.causes import split_unverified


def _rr(key: str, *findings: Finding) -> ReferenceResult:
    return ReferenceResult(Reference(key, "article", {}), findings=findings)


def _offline(key: str, source: Source = Source.CROSSREF) -> Finding:
    message = f"{source.value} could not be asked about DOI 10.1/{key} (offline: not in cache)"
    return Finding(key, "unverified", Severity.UNVERIFIED, message, source=source)


def test_two_hundred_identical_causes_are_one_line_and_real_findings_stay() -> None:
    results = [_rr(f"r{i}", _offline(f"r{i}")) for i in range(200)]
    real = Finding("bad", "identifier-malformed", Severity.WARNING, "not a DOI")
    results.append(_rr("bad", _offline("bad"), _offline("bad", Source.PUBMED), real))
    shown, causes = split_unverified(CheckResult(tuple(results)))
    assert [c.line() for c in causes] == [
        "crossref: could not check 201 references (offline: not in cache)",
        "pubmed: could not check 1 reference (offline: not in cache)",
    ]
    assert [rr.reference.key for rr in shown.results if rr.findings] == ["bad"]
    assert shown.results[-1].findings == (real,)
