"""Unverified findings grouped by service and cause (issue 12).  SYNTHETIC results."""

from __future__ import annotations

from citetrack.model import CheckResult, Finding, Reference, ReferenceResult, Severity, Source
from citetrack.report.causes import split_unverified
from citetrack.report.text import format_text


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


def test_the_real_message_shape_is_grouped_by_its_reason() -> None:
    # The registries' messages go on after the reason: "(offline: not in cache); its …".
    message = (
        "Crossref could not be asked about DOI 10.1/{k} (offline: not in cache); its "
        "metadata and retraction status were not checked there."
    )
    results = [
        _rr(
            k,
            Finding(
                k, "unverified", Severity.UNVERIFIED, message.format(k=k), source=Source.CROSSREF
            ),
        )
        for k in ("a", "b", "c")
    ]
    _, causes = split_unverified(CheckResult(tuple(results)))
    assert [c.line() for c in causes] == [
        "crossref: could not check 3 references (offline: not in cache)"
    ]


def test_the_text_report_prints_one_line_per_cause_and_keeps_the_statuses() -> None:
    results = [_rr(f"r{i}", _offline(f"r{i}")) for i in range(50)]
    real = Finding("bad", "identifier-malformed", Severity.WARNING, "not a DOI")
    results.append(_rr("bad", _offline("bad"), real))
    result = CheckResult(tuple(results))
    text = format_text(result, width=100)
    assert text.count("could not check") == 1
    assert "crossref: could not check 51 references (offline: not in cache)" in text
    assert "r17" not in text  # no per-reference row for an outage
    assert "not a DOI" in text
    assert "50 unverified" in text and "1 warning" in text  # the run's own statuses
    verbose = format_text(result, width=100, verbose=True)
    assert "r17" in verbose  # -v lists them per reference
