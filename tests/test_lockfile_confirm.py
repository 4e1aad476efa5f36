"""Confirmation over runs: one bad night is not an alarm.

Each test simulates nightly runs with an injected clock: ``track`` (confirmation + diff)
then ``build_lock`` (the lockfile the job keeps), exactly as a scheduled CI job would.
All references and URLs are synthetic.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from citetrack.model import (
    CheckResult,
    Evidence,
    Finding,
    Found,
    Identifiers,
    LinkStatus,
    LinkVerdict,
    NotFound,
    Reference,
    ReferenceResult,
    Severity,
    Source,
    Unavailable,
    WorkMetadata,
)
from citetrack.tracking.lockfile import (
    ConfirmPolicy,
    Failing,
    Lock,
    apply_confirmation,
    build_lock,
    dumps_lock,
    track,
)

URL = "https://example.org/page"
DOI = "10.1000/xyz"
PMID = "12345"
DAY0 = datetime(2026, 11, 19, 2, 30, tzinfo=UTC)
POLICY = ConfirmPolicy(min_failures=3, min_days=3)


def day(n: int) -> datetime:
    return DAY0 + timedelta(days=n)


def reference(key: str = "page2020") -> Reference:
    ids = Identifiers(url=URL, doi=DOI, pmid=PMID)
    return Reference(key, "misc", {"title": "Synthetic"}, ids, line=7, path="refs.bib")


def url_night(state: str, key: str = "page2020") -> CheckResult:
    """A run in which the URL is ``dead``, ``ok`` or ``blocked`` (could not verify)."""
    verdict = {"dead": LinkVerdict.DEAD, "ok": LinkVerdict.OK, "blocked": LinkVerdict.BLOCKED}
    link = LinkStatus(URL, verdict[state], {"dead": 404, "ok": 200, "blocked": 403}[state])
    findings: tuple[Finding, ...] = ()
    if state == "dead":
        message = f"{URL} is dead (HTTP 404)"
        findings = (
            Finding(
                key,
                "url-dead",
                Severity.BROKEN,
                message,
                field="url",
                actual=URL,
                source=Source.WEB,
                line=7,
            ),
        )
    return CheckResult((ReferenceResult(reference(key), findings=findings, links=(link,)),))


def id_night(kind: str, state: str) -> CheckResult:
    """A run in which the DOI or PMID is ``missing`` (not found), ``ok`` or ``unavailable``."""
    source, ident = (Source.CROSSREF, DOI) if kind == "doi" else (Source.PUBMED, PMID)
    answers: dict[str, Evidence] = {
        "missing": NotFound(source, ident, "HTTP 404"),
        "ok": Found(source, ident, WorkMetadata(source=source, doi=DOI, pmid=PMID)),
        "unavailable": Unavailable(source, ident, "timeout"),
    }
    evidence = answers[state]
    findings: tuple[Finding, ...] = ()
    if state == "missing":
        findings = (
            Finding(
                "page2020",
                f"{kind}-not-found",
                Severity.BROKEN,
                f"{kind.upper()} {ident} is not registered",
                field=kind,
                actual=ident,
                source=source,
                line=7,
            ),
        )
    return CheckResult((ReferenceResult(reference(), findings=findings, evidence=(evidence,)),))


def nightly(
    nights: list[tuple[int, CheckResult]], lock: Lock | None, policy: ConfirmPolicy = POLICY
) -> tuple[list[CheckResult], Lock | None]:
    """Run the CI job on each (day, result); returns what was reported and the last lock."""
    reported = []
    for n, run in nights:
        shown = track(run, lock, day(n), policy)
        reported.append(shown)
        lock = build_lock(shown, lock, day(n), policy)
    return reported, lock


def baseline() -> Lock:
    """The lockfile written on day 0, when the URL, DOI and PMID all worked."""
    ok = CheckResult(
        (
            ReferenceResult(
                reference(),
                links=(LinkStatus(URL, LinkVerdict.OK, 200, final_url=URL),),
                evidence=(
                    Found(Source.CROSSREF, DOI, WorkMetadata(source=Source.CROSSREF, doi=DOI)),
                    Found(Source.PUBMED, PMID, WorkMetadata(source=Source.PUBMED, pmid=PMID)),
                ),
            ),
        )
    )
    return build_lock(ok, None, DAY0)


def the(result: CheckResult, rule: str) -> Finding:
    (finding,) = [f for f in result.findings if f.rule == rule]
    return finding


def has(result: CheckResult, rule: str) -> bool:
    return any(f.rule == rule for f in result.findings)


# ----------------------------------------------------------------------------- URLs


def test_dead_url_is_a_warning_until_three_failures_over_three_days() -> None:
    (d1, d2, d3), lock = nightly(
        [(1, url_night("dead")), (2, url_night("dead")), (3, url_night("dead"))], baseline()
    )
    first, second, third = (the(r, "url-dead") for r in (d1, d2, d3))
    assert first.severity is Severity.WARNING
    assert first.message.endswith("failing 1 of 3 runs since 2026-11-20, not yet confirmed")
    assert second.severity is Severity.WARNING
    assert second.message.endswith("failing 2 of 3 runs since 2026-11-20, not yet confirmed")
    assert third.severity is Severity.BROKEN
    assert third.message == f"{URL} is dead (HTTP 404); failing since 2026-11-20"
    assert third.rule == first.rule == "url-dead"  # the rule id never changes
    # The lockfile's verdict moves only with the confirmed state; "url-died" fires once.
    assert not has(d1, "url-died") and not has(d2, "url-died")
    assert the(d3, "url-died").actual == "ok"
    assert lock is not None
    entry = lock.references["page2020"]
    assert entry.urls[URL].verdict is LinkVerdict.DEAD
    assert entry.failing[f"url:{URL}"] == Failing(3, day(1).date(), day(3).date())


def test_three_failures_on_one_day_are_not_yet_confirmed() -> None:
    reported, _ = nightly([(1, url_night("dead"))] * 3, baseline())
    last = the(reported[-1], "url-dead")
    assert last.severity is Severity.WARNING
    assert last.message.endswith("failing 3 runs since 2026-11-20 (1 of 3 days), not yet confirmed")


def test_a_success_resets_the_count() -> None:
    nights = [
        (1, url_night("dead")),
        (2, url_night("dead")),
        (3, url_night("ok")),
        (4, url_night("dead")),
    ]
    reported, lock = nightly(nights, baseline())
    assert the(reported[-1], "url-dead").message.endswith(
        "failing 1 of 3 runs since 2026-11-23, not yet confirmed"
    )
    assert lock is not None
    assert lock.references["page2020"].failing[f"url:{URL}"] == Failing(1, day(4).date())


def test_could_not_verify_neither_counts_nor_resets() -> None:
    nights = [(1, url_night("dead")), (2, url_night("blocked")), (3, url_night("dead"))]
    reported, lock = nightly(nights, baseline())
    assert not reported[1].findings
    third = the(reported[2], "url-dead")
    assert third.severity is Severity.WARNING
    assert third.message.endswith("failing 2 of 3 runs since 2026-11-20, not yet confirmed")
    (d4,), _ = nightly([(4, url_night("dead"))], lock)
    assert the(d4, "url-dead").severity is Severity.BROKEN


def test_once_confirmed_the_lockfile_stops_changing() -> None:
    _, lock = nightly([(n, url_night("dead")) for n in (1, 2, 3)], baseline())
    reported, later = nightly([(n, url_night("dead")) for n in (4, 5, 6)], lock)
    assert all(the(r, "url-dead").severity is Severity.BROKEN for r in reported)
    assert not any(has(r, "url-died") for r in reported)
    assert lock is not None and later is not None
    assert dumps_lock(later) == dumps_lock(lock)


def test_the_policy_is_configurable() -> None:
    (d1,), _ = nightly([(1, url_night("dead"))], baseline(), ConfirmPolicy(1, 1))
    assert the(d1, "url-dead").severity is Severity.BROKEN
    strict = ConfirmPolicy(min_failures=2, min_days=5)
    reported, _ = nightly([(n, url_night("dead")) for n in (1, 2, 4, 5)], baseline(), strict)
    assert the(reported[2], "url-dead").message.endswith(
        "failing 3 runs since 2026-11-20 (4 of 5 days), not yet confirmed"
    )
    assert the(reported[3], "url-dead").severity is Severity.BROKEN


# ------------------------------------------------------------------------ DOI and PMID


@pytest.mark.parametrize("kind", ["doi", "pmid"])
def test_identifier_not_found_is_confirmed_the_same_way(kind: str) -> None:
    rule = f"{kind}-not-found"
    nights = [
        (1, id_night(kind, "missing")),
        (2, id_night(kind, "unavailable")),
        (3, id_night(kind, "missing")),
        (4, id_night(kind, "missing")),
    ]
    reported, lock = nightly(nights, baseline())
    assert [f.severity for r in reported for f in r.findings if f.rule == rule] == [
        Severity.WARNING,
        Severity.WARNING,
        Severity.BROKEN,
    ]
    _, lock = nightly([(5, id_night(kind, "ok"))], lock)
    assert lock is not None and lock.references["page2020"].failing == {}


# ------------------------------------------------------------------- what is not delayed


def test_definite_facts_are_never_delayed() -> None:
    facts = tuple(
        Finding("page2020", rule, Severity.BROKEN, "synthetic")
        for rule in ("retracted", "pmid-doi-conflict")
    )
    run = CheckResult((ReferenceResult(reference(), findings=facts),))
    assert apply_confirmation(run, baseline(), POLICY, day(1)) == run


def test_without_a_lockfile_findings_are_reported_as_they_are() -> None:
    run = url_night("dead")
    assert apply_confirmation(run, None, POLICY, day(1)) is run
    # The first lockfile accepts what it saw: the failure is recorded as confirmed...
    (d1, d2), _ = nightly([(1, run), (2, url_night("dead"))], None)
    assert the(d1, "url-dead").severity is Severity.BROKEN
    # ... so the next run does not suddenly soften it.
    assert the(d2, "url-dead").severity is Severity.BROKEN


def test_a_reference_new_to_the_lockfile_gets_its_verdict_at_once() -> None:
    # Confirmation absorbs outages for what worked before; a reference the baseline has
    # never seen (added in a pull request) is reported as it is (issue 12).
    (d1, d2), _ = nightly(
        [(1, url_night("dead", key="new2026")), (2, url_night("dead", key="new2026"))],
        baseline(),
    )
    assert the(d1, "url-dead").severity is Severity.BROKEN
    assert has(d1, "reference-added")
    # ... and recorded as confirmed, so the next night does not soften it.
    assert the(d2, "url-dead").severity is Severity.BROKEN


def test_a_url_that_worked_before_still_waits_for_confirmation() -> None:
    (d1,), _ = nightly([(1, url_night("dead"))], baseline())
    assert the(d1, "url-dead").severity is Severity.WARNING


def test_confirmation_does_not_touch_other_findings_or_warnings() -> None:
    rr = url_night("dead").results[0]
    soft = Finding("page2020", "url-dead", Severity.WARNING, "already soft", field="url")
    note = Finding("page2020", "archive-missing", Severity.NOTE, "no capture")
    mixed = CheckResult((ReferenceResult(rr.reference, findings=(soft, note), links=rr.links),))
    confirmed = apply_confirmation(mixed, baseline(), POLICY, day(1)).results[0].findings
    # A dead URL that is a warning already (its cited copy could not be verified) stays
    # one, but says how far its failure is: the lockfile counts it all the same.
    assert confirmed[0].severity is Severity.WARNING
    assert confirmed[0].message.startswith("already soft; failing 1 of 3 runs since ")
    assert confirmed[1] == note
