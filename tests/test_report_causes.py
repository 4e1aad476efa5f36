"""Unverified findings grouped by service and cause, and --offline as one summary line
(issue 12).  SYNTHETIC results."""

from __future__ import annotations

import json
from dataclasses import replace

from citetrack.cli.output import render
from citetrack.model import (
    CheckResult,
    Finding,
    Found,
    Reference,
    ReferenceResult,
    Severity,
    Source,
    WorkMetadata,
)
from citetrack.report.causes import split_unverified
from citetrack.report.json_report import format_json
from citetrack.report.text import format_text


def _rr(key: str, *findings: Finding) -> ReferenceResult:
    return ReferenceResult(Reference(key, "article", {}), findings=findings)


def _offline(key: str, source: Source = Source.CROSSREF) -> Finding:
    message = f"{source.value} could not be asked about DOI 10.1/{key} (offline: not in cache)"
    return Finding(key, "unverified", Severity.UNVERIFIED, message, source=source, field="doi")


def _down(key: str, source: Source = Source.CROSSREF) -> Finding:
    message = f"{source.value} could not be asked about DOI 10.1/{key} (HTTP 503 after 3 tries)"
    return Finding(key, "unverified", Severity.UNVERIFIED, message, source=source, field="doi")


def test_two_hundred_identical_causes_are_one_line_and_real_findings_stay() -> None:
    results = [_rr(f"r{i}", _down(f"r{i}")) for i in range(200)]
    real = Finding("bad", "identifier-malformed", Severity.WARNING, "not a DOI")
    results.append(_rr("bad", _down("bad"), _down("bad", Source.PUBMED), real))
    shown, causes = split_unverified(CheckResult(tuple(results)))
    assert [c.line() for c in causes] == [
        "crossref: could not check 201 references (HTTP 503 after 3 tries): r0, r1, r2, r3, r4 "
        "and 196 more",
        "pubmed: could not check 1 reference (HTTP 503 after 3 tries): bad",
    ]
    assert [rr.reference.key for rr in shown.results if rr.findings] == ["bad"]
    assert shown.results[-1].findings == (real,)


def test_the_real_message_shape_is_grouped_by_its_reason() -> None:
    # The registries' messages go on after the reason: "(HTTP 503 …); its …".
    message = (
        "Crossref could not be asked about DOI 10.1/{k} (HTTP 503 after 3 tries); its "
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
        "crossref: could not check 3 references (HTTP 503 after 3 tries): a, b, c"
    ]


def test_offline_is_one_summary_line_naming_what_was_skipped() -> None:
    search = Finding(
        "s",
        "unverified",
        Severity.UNVERIFIED,
        "The search for this reference's DOI/PMID could not be completed (PubMed's title "
        "and author search: offline: not in cache; Crossref's bibliographic search: "
        "offline: not in cache).",
        source=Source.PUBMED,
    )
    url = Finding(
        "u",
        "url-unverified",
        Severity.UNVERIFIED,
        "URL could not be checked (offline: not checked).",
        source=Source.WEB,
        field="url",
    )
    pmid = replace(_offline("p", Source.PUBMED), field="pmid")
    results = [_rr(f"r{i}", _offline(f"r{i}")) for i in range(233)]
    results += [_rr("s", search), _rr("u", url, pmid), _rr("down", _down("down"))]
    shown, causes = split_unverified(CheckResult(tuple(results)))
    assert [c.line() for c in causes] == [
        "offline: registry checks skipped for 235 references (DOI, PMID, search, URL); run "
        "without --offline to verify",
        "crossref: could not check 1 reference (HTTP 503 after 3 tries): down",
    ]
    assert not any(rr.findings for rr in shown.results)


def test_every_format_prints_the_offline_line_once_and_no_per_reference_row() -> None:
    results = [_rr(f"r{i}", _offline(f"r{i}")) for i in range(50)]
    real = Finding("bad", "identifier-malformed", Severity.WARNING, "not a DOI", line=3)
    results.append(_rr("bad", _offline("bad"), real))
    result = CheckResult(tuple(results))
    line = "offline: registry checks skipped for 51 references (DOI); run without --offline"
    for fmt in ("lines", "markdown", "github"):
        out = render(fmt, result, color=False, verbose=0, fail_on=Severity.BROKEN)
        assert " ".join(out.split()).replace("\\", "").count(line) == 1, fmt
        assert "r17" not in out and "not a DOI" in out, fmt
    doc = json.loads(format_json(result))
    assert [c["references"] for c in doc["causes"]] == [51]
    assert doc["causes"][0]["line"].startswith(line)
    assert doc["summary"]["unverified"] == 50  # the findings stay on their references
    github_v = render("github", result, color=False, verbose=1, fail_on=Severity.BROKEN)
    assert "(r1)::" in github_v  # -v annotates them per reference


def test_the_text_report_prints_one_line_per_cause_and_keeps_the_statuses() -> None:
    results = [_rr(f"r{i}", _down(f"r{i}")) for i in range(50)]
    real = Finding("bad", "identifier-malformed", Severity.WARNING, "not a DOI")
    results.append(_rr("bad", _down("bad"), real))
    result = CheckResult(tuple(results))
    text = format_text(result, width=100)
    assert text.count("could not check") == 1
    assert "crossref: could not check 51 references (HTTP 503 after 3 tries): r0," in text
    assert "r17" not in text  # no per-reference row for an outage
    assert "not a DOI" in text
    assert "50 unverified" in text and "1 warning" in text  # the run's own statuses
    verbose = format_text(result, width=100, verbose=True)
    assert "r17" in verbose  # -v lists them per reference


def test_a_row_is_never_a_status_with_nothing_after_it() -> None:
    # Offline (a pre-commit hook): the unverified findings become one cause line; a
    # reference whose only other finding is a note (hidden without -v) has nothing to show.
    note = Finding("noted", "url-missing", Severity.NOTE, "no URL to check")
    real = Finding("bad", "identifier-malformed", Severity.WARNING, "not a DOI")
    result = CheckResult(
        (_rr("plain", _offline("plain")), _rr("noted", _offline("noted"), note), _rr("bad", real))
    )
    text = format_text(result, width=100)
    assert "noted" not in text and "plain" not in text
    assert "not a DOI" in text and "skipped for 2 references" in text
    assert "2 unverified" in text  # the statuses stay the run's own
    verbose = format_text(result, width=100, verbose=True)
    assert "noted" in verbose and "no URL to check" in verbose


def _not_found(key: str) -> Finding:
    message = (
        "No registry record is this work, so nothing confirms it (PubMed's citation "
        f"matcher: no match for 'invented|{key}'; Crossref's bibliographic search: no close "
        f"title among 5 results for 'Invented {key}')."
    )
    return Finding(key, "identifier-not-found", Severity.UNVERIFIED, message)


def test_a_search_that_found_nothing_stays_on_its_reference_not_a_cause_line() -> None:
    """'No registry record is this work' is a verdict on one citation: grouped, it was a
    'unknown: could not check 1 reference (…)' line per reference, without its key."""
    results = [_rr(k, _not_found(k)) for k in ("a", "b", "c")]
    results.append(_rr("d", _down("d")))
    shown, causes = split_unverified(CheckResult(tuple(results)))
    assert [c.line() for c in causes] == [
        "crossref: could not check 1 reference (HTTP 503 after 3 tries): d"
    ]
    assert [(rr.reference.key, [f.rule for f in rr.findings]) for rr in shown.results] == [
        ("a", ["identifier-not-found"]),
        ("b", ["identifier-not-found"]),
        ("c", ["identifier-not-found"]),
        ("d", []),
    ]
    text = format_text(CheckResult(tuple(results)))
    assert "unknown:" not in text and "No registry record is this work" in text


def test_a_search_skipped_offline_is_still_the_offline_line() -> None:
    skipped = Finding(
        "a", "identifier-not-found", Severity.UNVERIFIED, "search skipped (offline: not in cache)"
    )
    shown, causes = split_unverified(CheckResult((_rr("a", skipped),)))
    assert [c.service for c in causes] == ["offline"]
    assert shown.results[0].findings == ()


def test_a_cause_in_one_file_is_annotated_on_that_file() -> None:
    """GitHub shows an annotation with a file on that file (and line): an outage that hit
    one reference is shown at its entry, one that hit one file on that file."""
    one = ReferenceResult(
        Reference("k1", "article", {}, path="docs/a/refs.bib", line=7), findings=(_down("k1"),)
    )
    out = render("github", CheckResult((one,)), color=False, verbose=0, fail_on=Severity.BROKEN)
    assert (
        "::notice file=docs/a/refs.bib,line=7,title=citetrack::crossref: could not check 1" in out
    )
    two = replace(one, reference=replace(one.reference, key="k2", line=9), findings=(_down("k2"),))
    out = render("github", CheckResult((one, two)), color=False, verbose=0, fail_on=Severity.BROKEN)
    assert "::notice file=docs/a/refs.bib,title=citetrack::crossref: could not check 2" in out
    other = replace(two, reference=replace(two.reference, path="docs/b/refs.bib"))
    out = render(
        "github", CheckResult((one, other)), color=False, verbose=0, fail_on=Severity.BROKEN
    )
    assert "::notice title=citetrack::crossref: could not check 2 references" in out
    doc = json.loads(format_json(CheckResult((one, other))))
    assert doc["causes"][0]["entries"] == [
        {"path": "docs/a/refs.bib", "key": "k1", "line": 7},
        {"path": "docs/b/refs.bib", "key": "k2", "line": 9},
    ]


def test_a_cause_with_parentheses_inside_is_said_whole() -> None:
    """Crossref's 429 with a long Retry-After was said "could not check 7 references (more
    than the 60 s cap)": the innermost parentheses, without the 429 or the wait."""
    message = (
        "Crossref could not be asked about DOI 10.1/{k} (HTTP 429; server asked to retry "
        "after 3600 s (more than the 60 s cap)); its metadata and retraction status were "
        "not checked there."
    )
    results = [
        _rr(
            k,
            Finding(
                k, "unverified", Severity.UNVERIFIED, message.format(k=k), source=Source.CROSSREF
            ),
        )
        for k in ("a", "b")
    ]
    _, causes = split_unverified(CheckResult(tuple(results)))
    assert [c.line() for c in causes] == [
        "crossref: could not check 2 references (HTTP 429; server asked to retry after 3600 s "
        "(more than the 60 s cap)): a, b"
    ]


def test_a_doi_with_a_lone_parenthesis_still_groups_by_its_reason() -> None:
    message = "Crossref could not be asked about DOI 10.1002/(SICI{k} (HTTP 503 after 3 tries)."
    results = [
        _rr(
            k,
            Finding(
                k, "unverified", Severity.UNVERIFIED, message.format(k=k), source=Source.CROSSREF
            ),
        )
        for k in ("a", "b")
    ]
    _, causes = split_unverified(CheckResult(tuple(results)))
    assert [c.line() for c in causes] == [
        "crossref: could not check 2 references (HTTP 503 after 3 tries): a, b"
    ]


def _unreachable(key: str, source: Source = Source.CROSSREF) -> Finding:
    message = (
        f"{source.value} could not be asked about DOI 10.1/{key} "
        "(connection failed after 4 attempts (ConnectError))"
    )
    return Finding(key, "unverified", Severity.UNVERIFIED, message, source=source, field="doi")


def test_a_run_that_reached_no_registry_says_how_to_work_without_a_network() -> None:
    """A laptop without a network: every request failed to connect after ~20 s of retries;
    the text report says that --offline answers at once (it said only the causes)."""
    results = [_rr(k, _unreachable(k), _unreachable(k, Source.PUBMED)) for k in ("a", "b")]
    text = format_text(CheckResult(tuple(results)), width=200)
    assert "no registry could be reached" in text and "citetrack check --offline" in text
    # One registry answering (503) or anything answered: not a machine without a network.
    mixed = [*results, _rr("c", _down("c"))]
    assert "no registry could be reached" not in format_text(CheckResult(tuple(mixed)))
    record = Found(Source.PUBMED, "1", WorkMetadata(Source.PUBMED, title="A synthetic title"))
    answered = [*results, replace(_rr("d"), evidence=(record,))]
    assert "no registry could be reached" not in format_text(CheckResult(tuple(answered)))
