"""Fault injection: every registry misbehaving in every way never makes a reference "broken".

Each case runs the real ``citetrack check`` (``--timeout 1``, JSON report) on a .bib whose
single reference depends on one service, while the local emulator makes that service — and
only that one — misbehave on every request: 429 storms (with and without ``Retry-After``),
500/502/503/504, connection resets, hangs, truncated bodies, invalid JSON, JSON of the
wrong shape, HTML instead of JSON, an XML bomb, a 2 GB body, a redirect loop, a body
dripped a byte at a time.  For each case:

* the run ends within :data:`BUDGET` seconds (else it is killed and the case fails);
* its peak memory stays under :data:`MAX_RSS_MIB` (the 2 GB body is never held);
* the reference is ``unverified`` — never ``broken`` — and the exit code is 3; for a web page
  whose server answered 200 with an odd body, ``ok`` is right too (a link check verifies
  the status, and the status was given);
* the finding's message says what happened (``HTTP 503``, ``timeout``, ``too large``…);
* the fault was really applied (the emulator's rule counted it), so no case passes idly;
* nothing printed a traceback.

The references (SYNTHETIC scenario records of the emulator's seed world, plus one capture
added per run): crossref — a Crossref DOI; eutils — a PMID; idconv — a PMCID; doi — a
DataCite DOI unknown to Crossref (so doi.org decides); wayback — a cited Wayback copy of a
live page; pages — a web page on the emulator (``--allow-private-urls``: it is on 127.0.0.1).

The cases run as subprocesses in parallel (a thread pool started by the first test), so the
whole matrix takes about as long as its slowest case.  Cases that show a known bug in a
module this suite does not own are strict xfails naming the bug; see the report for the fix.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from citetrack_emulator import Emulator
from citetrack_emulator.pipeline import XML_BOMB, XXE
from tests.e2e import REPO
from tests.test_reliability_harness import Measured, gen_bib, run_measured

#: Seconds one run may take.  The slowest legitimate schedule is doi.org's: three chained
#: lookups (agency, handle, content negotiation), each up to 4 attempts of ≤ 2 s plus
#: backoff, slowed further by a 429 storm — about 30 s measured; the Wayback client's
#: 5 s + 10 s backoff gives 15–20 s.
BUDGET = 45.0
#: Peak RSS of one run, MiB.  A run uses about 50-60 MiB; the 2 GB body must not show here.
MAX_RSS_MIB = 150.0
WORKERS = 12

SERVICES = ("crossref", "eutils", "idconv", "doi", "wayback", "pages")
PAGE = "/ok"


# ----------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Case:
    service: str
    kind: str
    options: tuple[tuple[str, Any], ...] = ()
    storm: int = 0  # > 0: that many SYNTHETIC references (bench/gen_bib.py) instead of one

    @property
    def id(self) -> str:
        opts = "-".join(f"{k}{v}" for k, v in self.options if k != "headers")
        tail = f"-{self.storm}refs" if self.storm else ""
        return f"{self.service}-{self.kind}{'-' + opts if opts else ''}{tail}"


FAULTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("status", {"code": 429}),
    ("status", {"code": 429, "retry_after": 1}),
    ("status", {"code": 500}),
    ("status", {"code": 502}),
    ("status", {"code": 503}),
    ("status", {"code": 504}),
    ("reset", {}),
    ("timeout", {}),
    ("truncated", {}),
    ("invalid_json", {}),
    ("wrong_shape_json", {}),
    ("html_instead_of_json", {}),
    ("xml_bomb", {}),
    ("huge_body", {}),  # 2 GB, generated as it is sent
    ("redirect_loop", {}),
    ("slow_drip", {"chunk_bytes": 1, "interval_ms": 500}),
)

#: Page faults after which the server has still answered 200: "ok" is a right verdict.
PAGE_ANSWERED_200 = frozenset(
    {"truncated", "invalid_json", "wrong_shape_json", "xml_bomb", "huge_body", "slow_drip"}
)

# Faults whose handling is still a known bug in another module: strict xfails, naming it.
_BUGS: dict[tuple[str, str | None], str] = {}


def _case_param(case: Case) -> Any:
    reason = _BUGS.get((case.service, case.kind)) or _BUGS.get((case.service, None))
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(case, id=case.id, marks=marks)


CASES = [
    Case(service, kind, tuple(sorted(opts.items())))
    for service in SERVICES
    for kind, opts in FAULTS
    # The Wayback CDX 429 without Retry-After pauses 60 s per attempt by design: see
    # test_wayback_429_without_retry_after_pauses_politely_then_gives_up (opt-in).
    if (service, kind, opts) != ("wayback", "status", {"code": 429})
] + [
    # Retry-After beyond the 60 s cap: given up at once, and the message says why.
    Case("crossref", "status", (("code", 503), ("retry_after", 3600))),
    # Retry-After as an HTTP date in the past means "now".
    Case("eutils", "status", (("code", 429), ("retry_after", "Wed, 21 Oct 2015 07:28:00 GMT"))),
]


# ------------------------------------------------------------------------------- running


def _bib(service: str, page: str) -> str:
    """The one reference whose verdict depends on ``service`` (SYNTHETIC seed-world ids)."""
    entries = {
        "crossref": (
            "@article{cr,\n  title = {Small-cell lung cancer and necrolytic migratory "
            "erythema},\n  doi = {10.1056/NEJMc0805992},\n  pmid = {19092164},\n}\n"
        ),
        "eutils": (
            "@article{pm,\n  title = {Small-cell lung cancer and necrolytic migratory "
            "erythema},\n  pmid = {19092164},\n}\n"
        ),
        "idconv": "@article{pmc,\n  title = {Corrected work},\n  pmcid = {PMC99000003},\n}\n",
        "doi": (
            "@misc{dc,\n  title = {Skin biopsy images of necrolytic migratory erythema},\n"
            "  doi = {10.5072/ct-dataset-0001},\n}\n"
        ),
        "wayback": (
            "@misc{wb,\n  title = {An ordinary article page},\n"
            f"  url = {{{page}}},\n"
            f"  archiveurl = {{https://web.archive.org/web/20200815101500/{page}}},\n}}\n"
        ),
        "pages": f"@misc{{pg,\n  title = {{An ordinary article page}},\n  url = {{{page}}},\n}}\n",
    }
    return entries[service]


@dataclass
class Outcome:
    run: Measured
    applied: int  # requests the fault rule was applied to
    report: dict[str, Any] | None = field(default=None)


def _run_case(case: Case, workdir: Path) -> Outcome:
    world = None
    refs: list[Any] = []
    if case.storm:
        refs = gen_bib.make_references(case.storm, seed=7, url_share=0)
        world = gen_bib.make_world(refs)
        if case.service == "doi":  # DOIs Crossref does not know: doi.org must decide
            world["crossref_works"] = {}
            world["handles"] = {r.doi: {"agency": "DataCite", "url": "x"} for r in refs}
    with Emulator(world) as emu:
        page = emu.page_url(PAGE)
        bib = workdir / "refs.bib"
        if case.storm:
            bib.write_text(gen_bib.make_bib(refs, []), encoding="utf-8")
        else:
            emu.patch_world(
                {"wayback": {page: [{"timestamp": "20200815101500", "statuscode": "200"}]}}
            )
            bib.write_text(_bib(case.service, page), encoding="utf-8")
        rule = emu.add_fault(case.service, case.kind, **dict(case.options))
        run = run_measured(
            "check",
            str(bib),
            "--no-lockfile",
            "--timeout",
            "1",
            "--allow-private-urls",
            "--per-host-interval",
            "0",
            "-f",
            "json",
            env={**emu.env(), "CITETRACK_CACHE_DIR": str(workdir / "cache")},
            timeout=BUDGET,
        )
        applied = next(r["applied"] for r in emu.faults() if r["id"] == rule)
        emu.clear_faults()
    report = None
    if not run.timed_out:
        try:
            report = run.json()
        except ValueError:
            report = None
    return Outcome(run, applied, report)


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest) -> Iterator[dict[str, Future[Outcome]]]:
    """All selected cases of this module, started at once in a thread pool."""
    selected: list[Case] = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if item.module is request.module and callspec and "case" in callspec.params:
            case = callspec.params["case"]
            if case not in selected:
                selected.append(case)
    # The longest runs first (storms, runs killed at the budget, doi.org's chained lookups,
    # the Wayback client's long backoff), so the pool's wall time is about the longest run's.
    selected.sort(
        key=lambda c: (
            not c.storm,
            c.kind not in ("timeout", "slow_drip"),
            c.service not in ("doi", "wayback"),
        )
    )
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(WORKERS) as pool:
        futures = {}
        for case in selected:
            workdir = Path(tmp) / case.id
            workdir.mkdir()
            futures[case.id] = pool.submit(_run_case, case, workdir)
        yield futures
        for future in futures.values():
            future.cancel()


def _message_pattern(case: Case) -> str:
    """What the finding must say, per fault kind (the registries' own wording differs)."""
    options = dict(case.options)
    if case.kind == "status":
        if options.get("retry_after") == 3600:
            return r"retry after 3600 s"
        return rf"HTTP {options['code']}"
    handle = "|not a handle answer" if case.service == "doi" else ""
    return {
        "reset": r"connection",
        "timeout": r"time(d)? ?out",
        "slow_drip": r"time(d)? ?out",
        "truncated": r"connection|truncat|incomplete",
        "invalid_json": r"invalid (CDX )?JSON" + handle,
        "wrong_shape_json": r"unexpected (response shape|answer)" + handle,
        "html_instead_of_json": r"HTML|DOCTYPE|bot wall|Access Denied" + handle,
        "xml_bomb": r"\bXML\b|<\?xml" + handle,
        "huge_body": r"too large",
        "redirect_loop": r"HTTP 302|redirect",
    }[case.kind]


def _summary(outcome: Outcome) -> str:
    run = outcome.run
    return (
        f"exit {run.code} after {run.seconds:.1f} s, {run.max_rss_mib:.0f} MiB, "
        f"timed out: {run.timed_out}\nstderr: {run.stderr[-1500:]}\n"
        f"stdout: {run.stdout[:1500]}"
    )


# --------------------------------------------------------------------------------- tests


@pytest.mark.slow
@pytest.mark.parametrize("case", [_case_param(c) for c in CASES])
def test_registry_fault_is_unverified_never_broken(
    case: Case, outcomes: dict[str, Future[Outcome]]
) -> None:
    outcome = outcomes[case.id].result()
    run, report = outcome.run, outcome.report
    assert not run.timed_out, f"over the {BUDGET:.0f} s budget\n" + _summary(outcome)
    assert "Traceback" not in run.stderr, _summary(outcome)
    assert run.max_rss_mib < MAX_RSS_MIB, _summary(outcome)
    assert outcome.applied > 0, "the fault was never applied"
    assert report is not None, _summary(outcome)
    assert report["summary"]["broken"] == 0, _summary(outcome)
    (ref,) = report["references"]
    if case.service == "pages" and case.kind in PAGE_ANSWERED_200 and ref["status"] == "ok":
        assert run.code == 0, _summary(outcome)
        return
    assert ref["status"] == "unverified", _summary(outcome)
    assert run.code == 3, _summary(outcome)
    messages = " | ".join(f["message"] for f in ref["findings"] if f["severity"] == "unverified")
    assert re.search(_message_pattern(case), messages, re.IGNORECASE), messages


# Bursts of 429 without Retry-After: the pace halves at most twice and a service that
# failed three requests in a row is not asked again in this run, so a storm stays bounded.
STORMS = [
    pytest.param(
        Case("crossref", "status", (("code", 429),), storm=150),
        id="crossref-429-storm-150refs",
        marks=pytest.mark.xfail(
            strict=False,
            reason="net.Http's circuit breaker is checked before a request enters the "
            "limiter, so batch requests already queued still run all their attempts: 3 "
            "batches x 4 attempts at the public pool's 1/s (halved twice) take ~44-46 s, "
            "at the 45 s budget. Fix: check the breaker after acquiring the limiter turn.",
        ),
    ),
    pytest.param(
        Case("doi", "status", (("code", 429),), storm=8),
        id="doi-429-storm-8refs",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("case", STORMS)
def test_rate_limit_storm_over_many_references_stays_within_budget(
    case: Case, outcomes: dict[str, Future[Outcome]]
) -> None:
    outcome = outcomes[case.id].result()
    assert outcome.applied > 0
    assert not outcome.run.timed_out, f"over the {BUDGET:.0f} s budget"
    assert outcome.report is not None and outcome.report["summary"]["broken"] == 0


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("CITETRACK_SLOW_TESTS"),
    reason="takes 2 minutes (set CITETRACK_SLOW_TESTS=1): the Wayback CDX server sends no "
    "Retry-After, so citetrack pauses 60 s after each of its 429s, as the Internet Archive asks",
)
def test_wayback_429_without_retry_after_pauses_politely_then_gives_up(tmp_path: Path) -> None:
    with Emulator() as emu:
        page = emu.page_url(PAGE)
        bib = tmp_path / "refs.bib"
        bib.write_text(_bib("wayback", page), encoding="utf-8")
        emu.add_fault("wayback", "status", code=429)
        run = run_measured(
            "check",
            str(bib),
            "--no-lockfile",
            "--timeout",
            "1",
            "--allow-private-urls",
            "-f",
            "json",
            env={**emu.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "c")},
            timeout=180,
        )
    assert not run.timed_out
    (ref,) = run.json()["references"]
    assert ref["status"] == "unverified"
    assert "429" in json.dumps(ref["findings"])


# ------------------------------------------------------------------------ XML, if any


def test_nothing_parses_xml_without_defusedxml() -> None:
    """citetrack reads JSON from every registry; if XML parsing ever comes in (efetch, CDX
    XML), it must go through defusedxml.  Only ElementTree *writing* (JUnit) is allowed."""
    unsafe = re.compile(
        r"\b(?:ET|ElementTree|etree)\.(?:fromstring|parse|iterparse|XMLParser|XMLPullParser)\b"
        r"|^\s*(?:from|import)\s+(?:xml\.dom|xml\.sax|xml\.parsers|lxml|xmltodict)\b",
        re.MULTILINE,
    )
    offenders = [
        str(path.relative_to(REPO))
        for path in sorted((REPO / "citetrack").rglob("*.py"))
        if unsafe.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_defusedxml_refuses_the_emulators_xml_bomb_and_xxe() -> None:
    """What to use if XML parsing is added: it refuses entity tricks before expanding them."""
    for payload in (XML_BOMB, XXE):
        with pytest.raises(DefusedXmlException):
            SafeET.fromstring(payload)
