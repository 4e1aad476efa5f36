"""Confirmation over runs: one bad night is not an alarm.

What this run says about each DOI / PMID / URL check of a reference (failed, answered,
or could not tell), the one rule that advances a check's failing state, and the
downgrade of broken findings whose failure is not yet confirmed to warnings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime
from enum import Enum

from citetrack.identifiers import (
    normalize_arxiv,
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_pmcid,
    normalize_pmid,
    normalize_url,
)
from citetrack.model import (
    ArchiveStatus,
    CheckResult,
    Finding,
    Found,
    LinkStatus,
    LinkVerdict,
    ReferenceResult,
    Severity,
)
from citetrack.tracking.codec import metadata_scalar
from citetrack.tracking.lockfile.state import (
    CONFIRMABLE_RULES,
    ConfirmPolicy,
    Failing,
    Lock,
    LockEntry,
    utc_day,
)

_SETTLED = frozenset(
    {LinkVerdict.OK, LinkVerdict.REDIRECTED, LinkVerdict.SOFT_404, LinkVerdict.DEAD}
)


# ------------------------------------------------------------------ observing a result


class Outcome(Enum):
    """What this run says about one DOI / PMID / URL check."""

    FAIL = "fail"  # a confirmable finding says dead / not found
    OK = "ok"  # the registry or server answered positively
    UNKNOWN = "unknown"  # could not ask, or not checked: neither counts nor resets


def reference_urls(rr: ReferenceResult) -> list[str]:
    """Every URL of a reference: those checked, then the citation's own."""
    ids = rr.reference.identifiers
    found = [link.url for link in rr.links] + [a.url for a in rr.archives]
    found += [u for u in (ids.url, ids.archive_url) if u]
    return list(dict.fromkeys(found))


def settled_link(rr: ReferenceResult, url: str) -> LinkStatus | None:
    """The check of ``url`` if it gave a definite verdict (not blocked, not timed out)."""
    return next((x for x in rr.links if x.url == url and x.verdict in _SETTLED), None)


def archive_status(rr: ReferenceResult, url: str) -> ArchiveStatus | None:
    """The archive lookup of ``url`` if it gave an answer."""
    return next((a for a in rr.archives if a.url == url and a.available is not None), None)


def same_identifier(a: str | None, b: str | None) -> bool:
    """Whether two identifiers are the same, ignoring case (DOIs are case-insensitive)."""
    return a is not None and b is not None and a.casefold() == b.casefold()


def check_target(finding: Finding, rr: ReferenceResult) -> str | None:
    """The check a confirmable finding is about: ``doi:…``, ``pmid:…`` or ``url:…``."""
    kind = CONFIRMABLE_RULES.get(finding.rule)
    ids = rr.reference.identifiers
    if kind == "doi":
        return f"doi:{ids.doi}" if ids.doi else None
    if kind == "pmid":
        return f"pmid:{ids.pmid}" if ids.pmid else None
    if kind != "url":
        return None
    urls = reference_urls(rr)
    for value in (finding.actual, finding.expected):
        for link in rr.links:
            if value and value in (link.url, link.final_url):
                return f"url:{link.url}"
        if value in urls:
            return f"url:{value}"
    dead = [x.url for x in rr.links if x.verdict is LinkVerdict.DEAD]
    by_field = {"url": ids.url, "archiveurl": ids.archive_url, "archive-url": ids.archive_url}
    url = by_field.get(finding.field or "") or (dead[0] if len(set(dead)) == 1 else None)
    return f"url:{url}" if url else None


def _text(value: str | int | None) -> str | None:
    return value if isinstance(value, str) else None


def check_outcomes(rr: ReferenceResult) -> dict[str, Outcome]:
    """This run's outcome for each DOI / PMID / URL check of a reference."""
    ids = rr.reference.identifiers
    found = [e for e in rr.evidence if isinstance(e, Found)]
    out: dict[str, Outcome] = {}
    # Identifiers first: a record's own fields are read (metadata_scalar: without decoding
    # a cached record) only when no record was asked by that identifier.
    if ids.doi:
        known = any(same_identifier(ids.doi, e.identifier) for e in found) or any(
            same_identifier(ids.doi, _text(metadata_scalar(e, "doi"))) for e in found
        )
        out[f"doi:{ids.doi}"] = Outcome.OK if known else Outcome.UNKNOWN
    if ids.pmid:
        known = any(ids.pmid == e.identifier for e in found) or any(
            ids.pmid == metadata_scalar(e, "pmid") for e in found
        )
        out[f"pmid:{ids.pmid}"] = Outcome.OK if known else Outcome.UNKNOWN
    for url in reference_urls(rr):
        link = settled_link(rr, url)
        alive = link is not None and link.verdict is not LinkVerdict.DEAD
        out[f"url:{url}"] = Outcome.OK if alive else Outcome.UNKNOWN
    for finding in rr.findings:
        target = check_target(finding, rr)
        if target is not None:
            out[target] = Outcome.FAIL
    return out


#: This version's normaliser of each recorded identifier (``Identifiers``' field names).
_NORMALISE: Mapping[str, Callable[[str | None], str | None]] = {
    "doi": normalize_doi,
    "pmid": normalize_pmid,
    "pmcid": normalize_pmcid,
    "isbn": normalize_isbn,
    "issn": normalize_issn,
    "arxiv": normalize_arxiv,
    "url": normalize_url,
    "archive_url": normalize_url,
}


def as_now(kind: str, recorded: str | None) -> str | None:
    """An identifier the lockfile recorded, in this version's form: the lockfile holds
    citetrack's normalised forms, and a newer citetrack normalises otherwise at times (a
    DOI's trailing full stop, an ISBN's hyphens); a normaliser takes its own earlier
    outputs as input.  ``None`` for one this version refuses."""
    if recorded is None:
        return None
    normalise = _NORMALISE.get(kind)
    return normalise(recorded) if normalise is not None else recorded


def failing_of(entry: LockEntry | None, target: str) -> Failing | None:
    """The failing state ``entry`` records for ``target`` (``doi:…``, ``pmid:…``), also when
    recorded under the identifier's older form (its history goes on after an upgrade)."""
    if entry is None or not entry.failing:
        return None
    state = entry.failing.get(target)
    if state is not None:
        return state
    kind, _, value = target.partition(":")
    if kind == "url":
        return None
    for recorded, old in entry.failing.items():
        was_kind, _, was = recorded.partition(":")
        if was_kind == kind and same_identifier(as_now(kind, was), value):
            return old
    return None


def never_seen(target: str, entry: LockEntry | None) -> bool:
    """Whether the baseline has no history at all for a check (``doi:…``, ``pmid:…``,
    ``url:…``): a reference it does not record, or an identifier / URL it never saw.

    Confirmation over runs absorbs outages for things that worked before; a check the
    baseline has never seen (a DOI added in a pull request) gets its verdict at once.
    """
    if entry is None:
        return True
    if failing_of(entry, target) is not None:
        return False
    kind, _, value = target.partition(":")
    if kind == "url":
        # The entry's own URL was seen even when no run could verify it yet (a bot wall, a
        # 429 or a 503 every night since it was locked): its first 404 is one bad night to
        # confirm, not a verdict at once, as a recorded but never resolved DOI's would be.
        cited = (entry.identifiers.get("url"), entry.identifiers.get("archive_url"))
        if value in entry.urls or value in cited:
            return False
        # Recorded in an older form (an upgrade normalises URLs otherwise): seen too.
        return all(as_now("url", url) != value for url in (*entry.urls, *cited) if url)
    recorded = entry.identifiers.get(kind)
    # In the form the lockfile has it, or in this version's form of it (an upgrade that
    # normalises otherwise made a failing DOI "never seen": broken at once, unconfirmed).
    return not (same_identifier(recorded, value) or same_identifier(as_now(kind, recorded), value))


def advance_failing(
    prev: Failing | None,
    outcome: Outcome,
    today: date,
    policy: ConfirmPolicy,
    *,
    first_run: bool,
) -> Failing | None:
    """The failing state after this run: the one rule shared by confirmation and the lock."""
    if outcome is Outcome.OK:
        return None
    if outcome is Outcome.UNKNOWN or (prev is not None and prev.confirmed_on is not None):
        return prev
    failures = (prev.failures if prev else 0) + 1
    since = prev.since if prev else today
    days = (today - since).days + 1
    confirmed = first_run or (failures >= policy.min_failures and days >= policy.min_days)
    return Failing(failures, since, today if confirmed else None)


def _pending_note(state: Failing, today: date, policy: ConfirmPolicy) -> str:
    if state.failures < policy.min_failures:
        return (
            f"failing {state.failures} of {policy.min_failures} runs since "
            f"{state.since.isoformat()}, not yet confirmed"
        )
    days = (today - state.since).days + 1
    return (
        f"failing {state.failures} runs since {state.since.isoformat()} "
        f"({days} of {policy.min_days} days), not yet confirmed"
    )


# ------------------------------------------------------------------------ confirmation


def apply_confirmation(
    result: CheckResult,
    previous_lock: Lock | None,
    policy: ConfirmPolicy,
    now: datetime,
) -> CheckResult:
    """Downgrade dead-URL / DOI / PMID not-found verdicts that are not yet confirmed.

    A broken finding of a rule in :data:`CONFIRMABLE_RULES` keeps its rule id; while the
    failure is not confirmed its severity becomes ``warning`` and its message says e.g.
    "failing 2 of 3 runs since 2026-11-20, not yet confirmed" (a warning of such a rule
    gets the same words, and stays a warning).  Confirmed ones stay broken
    and say since when they fail.  A check the lockfile has never seen (:func:`never_seen`)
    is confirmed at once.  Without a previous lockfile the result is returned as is.
    """
    if previous_lock is None:
        return result
    today = utc_day(now)
    out = []
    for rr in result.results:
        if not any(map(_confirmable, rr.findings)):
            out.append(rr)  # nothing to confirm: no entry to look up, no result to rebuild
            continue
        entry = previous_lock.entry_for(rr.reference)
        findings = tuple(_confirm(f, rr, entry, today, policy) for f in rr.findings)
        out.append(replace(rr, findings=findings))
    return replace(result, results=tuple(out))


def _confirmable(finding: Finding) -> bool:
    """Whether confirmation can change ``finding``: broken, or a warning already (a dead
    URL whose cited archived copy could not be verified: the lockfile counts its failure
    all the same, so its message says how far it is), of a confirmable rule."""
    return (
        finding.severity is Severity.BROKEN or finding.severity is Severity.WARNING
    ) and finding.rule in CONFIRMABLE_RULES


def _said(message: str, note: str) -> str:
    """``message`` with the failing state's ``note`` after it ("…(HTTP 404). The …
    could not be asked." + "; failing 1 of 3 runs…", without the ".;")."""
    return f"{message.rstrip().removesuffix('.')}; {note}"


def _confirm(
    finding: Finding,
    rr: ReferenceResult,
    entry: LockEntry | None,
    today: date,
    policy: ConfirmPolicy,
) -> Finding:
    if not _confirmable(finding):
        return finding
    target = check_target(finding, rr)
    if target is None:
        return finding
    prev = failing_of(entry, target)
    first = never_seen(target, entry)
    state = advance_failing(prev, Outcome.FAIL, today, policy, first_run=first)
    assert state is not None  # a failure always leaves a failing state
    if state.confirmed_on is not None:
        return replace(finding, message=_said(finding.message, f"failing since {state.since}"))
    note = _pending_note(state, today, policy)
    return replace(finding, severity=Severity.WARNING, message=_said(finding.message, note))
