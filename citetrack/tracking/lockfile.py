"""The committed baseline ``citetrack.lock``: what citetrack saw last time, to say what changed.

One lockfile sits next to the .bib files it covers (``lock_path_for``).  It is JSON with
sorted keys, a two-space indent and a trailing newline; the same state always gives the same
bytes, and nothing in it changes merely because time passed (dates are written only when a
state changes), so a scheduled CI job produces a diff only when something really changed.

Per reference (keyed by citation key, with the .bib file's name) it records:

* ``identifiers`` — the citation's normalised identifiers;
* ``sources`` — per registry, the identifier asked and the normalised metadata that matters
  (title, author family names, year, journal, volume, number, pages, type) plus editorial
  notices (retraction, correction, expression of concern…), so a change is reported field by
  field: was / now / who said so;
* ``urls`` — per URL: last settled verdict, final URL after redirects, chosen archive copy;
* ``failing`` — DOI / PMID / URL checks that are failing: failures seen, since when, and the
  day the failure was confirmed;
* ``accepted`` — the (rule, field, severity) of findings reported when the lock was written,
  for ``--new-only``.

Rules that make the history trustworthy:

* Could-not-verify is not a change.  Evidence that is ``Unavailable`` (or a link that was
  blocked / timed out, or a check that did not run) leaves the previous state as it was.
* One bad night is not an alarm.  A URL that is dead, or a DOI / PMID the registries do not
  know, is *failing* — reported as a warning — until it has failed ``min_failures`` runs
  over at least ``min_days`` calendar days (UTC); then it is confirmed and reported broken.
  A success resets it; ``Unavailable`` neither counts nor resets.  Retractions, conflicts and
  mismatches are never delayed: the registry stated a definite fact.
* Without a lockfile there is no history: findings are reported as they are (a laptop run
  still says "broken"), and the first lockfile accepts what it sees — failures present when
  it is created are recorded as confirmed.  A reference or URL new to an existing lockfile
  starts its count at that run.
* Confirmation counts advance only when the lockfile is written (``--update-lock``); a CI
  job that wants the delay must keep the updated lockfile between runs.
* Entries of .bib files that were not part of the run are carried over unchanged.

Usage, once per lockfile (see :func:`group_by_lock`)::

    previous = read_lock(path)                      # LockError → exit 2, never overwritten
    reported = track(result, previous, now)         # confirmation + changed findings
    write_lock(path, build_lock(reported, previous, now))
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import TypeVar

from citetrack.fsutil import atomic_write_text
from citetrack.model import (
    ArchiveStatus,
    CheckResult,
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
    Update,
    UpdateKind,
    WorkMetadata,
)

SCHEMA_VERSION = 1
LOCK_NAME = "citetrack.lock"

#: Rules whose broken verdict waits for confirmation, and the identifier each is about.
CONFIRMABLE_RULES: Mapping[str, str] = {
    "doi-not-found": "doi",
    "pmid-not-found": "pmid",
    "url-dead": "url",
}

#: The metadata fields kept per source, in report order (BibTeX names).
METADATA_FIELDS: tuple[str, ...] = (
    "title",
    "author",
    "year",
    "journal",
    "volume",
    "number",
    "pages",
    "type",
)

_NOTICE_RULES: Mapping[UpdateKind, str] = {
    UpdateKind.RETRACTION: "retraction-new",
    UpdateKind.WITHDRAWAL: "retraction-new",
    UpdateKind.REMOVAL: "retraction-new",
    UpdateKind.CORRECTION: "correction-new",
    UpdateKind.EXPRESSION_OF_CONCERN: "expression-of-concern-new",
}
_RECOVER = (
    "If you edited it by hand, fix it; otherwise delete it and run `citetrack lock` to "
    "accept the current state (the history of failing checks starts again)."
)
_SETTLED = frozenset(
    {LinkVerdict.OK, LinkVerdict.REDIRECTED, LinkVerdict.SOFT_404, LinkVerdict.DEAD}
)


class LockError(Exception):
    """The lockfile cannot be used: corrupt, wrong shape, or from a newer citetrack.

    The message names the file, the problem and how to recover.
    """


@dataclass(frozen=True)
class ConfirmPolicy:
    """When a failing check becomes broken: ``min_failures`` runs over ``min_days`` days."""

    min_failures: int = 3
    min_days: int = 3

    def __post_init__(self) -> None:
        if self.min_failures < 1 or self.min_days < 1:
            raise ValueError("min_failures and min_days must be at least 1")


DEFAULT_POLICY = ConfirmPolicy()


# ------------------------------------------------------------------------------- state


@dataclass(frozen=True)
class Notice:
    """An editorial notice on a work, as recorded: its kind and the notice's identifier."""

    kind: UpdateKind
    notice_id: str | None = None


@dataclass(frozen=True)
class SourceRecord:
    """What one registry said about a reference: the identifier asked, fields, notices.

    ``fields`` holds normalised text for the names in :data:`METADATA_FIELDS` that the
    registry gave (authors as family names joined by ``"; "``).
    """

    identifier: str
    fields: Mapping[str, str] = field(default_factory=dict)
    notices: tuple[Notice, ...] = ()


@dataclass(frozen=True)
class UrlRecord:
    """The settled state of one URL (``None`` where never settled)."""

    verdict: LinkVerdict | None = None
    final_url: str | None = None
    archive_url: str | None = None


@dataclass(frozen=True)
class Failing:
    """A failing DOI / PMID / URL check: failures seen, first failure, confirmation day."""

    failures: int
    since: date
    confirmed_on: date | None = None


@dataclass(frozen=True)
class Accepted:
    """A finding that was reported when the lockfile was written."""

    rule: str
    field: str | None
    severity: Severity


@dataclass(frozen=True)
class LockEntry:
    """Everything recorded about one reference."""

    file: str
    identifiers: Mapping[str, str] = field(default_factory=dict)
    sources: Mapping[str, SourceRecord] = field(default_factory=dict)
    urls: Mapping[str, UrlRecord] = field(default_factory=dict)
    failing: Mapping[str, Failing] = field(default_factory=dict)
    accepted: tuple[Accepted, ...] = ()


@dataclass(frozen=True)
class Lock:
    """The whole lockfile: entries by citation key."""

    references: Mapping[str, LockEntry] = field(default_factory=dict)
    #: Per article read (by its tracked name): the revision checked and a fingerprint of
    #: each citation; owned by :mod:`citetrack.tracking.revisions`, opaque here.
    articles: Mapping[str, Mapping[str, object]] = field(default_factory=dict)

    def entry_for(self, ref: Reference) -> LockEntry | None:
        """The entry recorded for ``ref`` (same key, same .bib file name), or ``None``."""
        entry = self.references.get(ref.key)
        return entry if entry is not None and entry.file == _file(ref) else None


# --------------------------------------------------------------------------- locations


def lock_path_for(bib_path: str | os.PathLike[str] | None) -> Path:
    """The lockfile that covers a .bib file: ``citetrack.lock`` in the same directory."""
    return Path(bib_path).parent / LOCK_NAME if bib_path else Path(LOCK_NAME)


def group_by_lock(result: CheckResult) -> dict[Path, CheckResult]:
    """Split a run over .bib files in several directories into one result per lockfile."""
    groups: dict[Path, list[ReferenceResult]] = {}
    for rr in result.results:
        groups.setdefault(lock_path_for(rr.reference.path), []).append(rr)
    return {
        path: CheckResult(results=tuple(rrs), requests=result.requests)
        for path, rrs in groups.items()
    }


def _file(ref: Reference) -> str:
    return Path(ref.path).name if ref.path else ""


def _day(now: datetime) -> date:
    return now.astimezone(UTC).date() if now.tzinfo else now.date()


# ------------------------------------------------------------------ observing a result


class _Outcome(Enum):
    FAIL = "fail"  # a confirmable finding says dead / not found
    OK = "ok"  # the registry or server answered positively
    UNKNOWN = "unknown"  # could not ask, or not checked: neither counts nor resets


def _urls(rr: ReferenceResult) -> list[str]:
    """Every URL of a reference: those checked, then the citation's own."""
    ids = rr.reference.identifiers
    found = [link.url for link in rr.links] + [a.url for a in rr.archives]
    found += [u for u in (ids.url, ids.archive_url) if u]
    return list(dict.fromkeys(found))


def _settled_link(rr: ReferenceResult, url: str) -> LinkStatus | None:
    return next((x for x in rr.links if x.url == url and x.verdict in _SETTLED), None)


def _archive(rr: ReferenceResult, url: str) -> ArchiveStatus | None:
    return next((a for a in rr.archives if a.url == url and a.available is not None), None)


def _same_id(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.casefold() == b.casefold()


def _target(finding: Finding, rr: ReferenceResult) -> str | None:
    """The check a confirmable finding is about: ``doi:…``, ``pmid:…`` or ``url:…``."""
    kind = CONFIRMABLE_RULES.get(finding.rule)
    ids = rr.reference.identifiers
    if kind == "doi":
        return f"doi:{ids.doi}" if ids.doi else None
    if kind == "pmid":
        return f"pmid:{ids.pmid}" if ids.pmid else None
    if kind != "url":
        return None
    urls = _urls(rr)
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


def _outcomes(rr: ReferenceResult) -> dict[str, _Outcome]:
    """This run's outcome for each DOI / PMID / URL check of a reference."""
    ids = rr.reference.identifiers
    found = [e for e in rr.evidence if isinstance(e, Found)]
    out: dict[str, _Outcome] = {}
    if ids.doi:
        known = any(
            _same_id(ids.doi, e.identifier) or _same_id(ids.doi, e.metadata.doi) for e in found
        )
        out[f"doi:{ids.doi}"] = _Outcome.OK if known else _Outcome.UNKNOWN
    if ids.pmid:
        known = any(ids.pmid in (e.identifier, e.metadata.pmid) for e in found)
        out[f"pmid:{ids.pmid}"] = _Outcome.OK if known else _Outcome.UNKNOWN
    for url in _urls(rr):
        link = _settled_link(rr, url)
        alive = link is not None and link.verdict is not LinkVerdict.DEAD
        out[f"url:{url}"] = _Outcome.OK if alive else _Outcome.UNKNOWN
    for finding in rr.findings:
        target = _target(finding, rr)
        if target is not None:
            out[target] = _Outcome.FAIL
    return out


def _advance(
    prev: Failing | None,
    outcome: _Outcome,
    today: date,
    policy: ConfirmPolicy,
    *,
    first_run: bool,
) -> Failing | None:
    """The failing state after this run: the one rule shared by confirmation and the lock."""
    if outcome is _Outcome.OK:
        return None
    if outcome is _Outcome.UNKNOWN or (prev is not None and prev.confirmed_on is not None):
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
    "failing 2 of 3 runs since 2026-11-20, not yet confirmed".  Confirmed ones stay broken
    and say since when they fail.  Without a previous lockfile the result is returned as is.
    """
    if previous_lock is None:
        return result
    today = _day(now)
    out = []
    for rr in result.results:
        entry = previous_lock.entry_for(rr.reference)
        findings = tuple(_confirm(f, rr, entry, today, policy) for f in rr.findings)
        out.append(replace(rr, findings=findings))
    return replace(result, results=tuple(out))


def _confirm(
    finding: Finding,
    rr: ReferenceResult,
    entry: LockEntry | None,
    today: date,
    policy: ConfirmPolicy,
) -> Finding:
    target = _target(finding, rr)
    if target is None or finding.severity is not Severity.BROKEN:
        return finding
    prev = entry.failing.get(target) if entry else None
    state = _advance(prev, _Outcome.FAIL, today, policy, first_run=False)
    assert state is not None  # a failure always leaves a failing state
    if state.confirmed_on is not None:
        return replace(finding, message=f"{finding.message}; failing since {state.since}")
    note = _pending_note(state, today, policy)
    return replace(finding, severity=Severity.WARNING, message=f"{finding.message}; {note}")


# ------------------------------------------------------------------------ building it


def _norm(value: object) -> str | None:
    """Registry text in comparison form: NFC, whitespace collapsed; empty → ``None``."""
    if value is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    return text or None


def _metadata_fields(md: WorkMetadata) -> dict[str, str]:
    authors = [_norm(a.family or a.literal) for a in md.authors]
    pages = _norm(md.pages)
    values = {
        "title": _norm(md.title),
        "author": "; ".join(a for a in authors if a) or None,
        "year": str(md.year) if md.year else None,
        "journal": _norm(md.container),
        "volume": _norm(md.volume),
        "number": _norm(md.issue),
        # An en dash instead of a hyphen is not a change worth reporting.
        "pages": re.sub(r"\s*[-\u2010-\u2015\u2212]+\s*", "-", pages) if pages else None,
        "type": _norm(md.work_type),
    }
    return {k: v for k, v in values.items() if v is not None}


def _notices(updates: Iterable[Update]) -> tuple[Notice, ...]:
    found = {Notice(u.kind, _norm(u.notice_id)) for u in updates if u.kind in _NOTICE_RULES}
    return tuple(sorted(found, key=lambda n: (n.kind.value, n.notice_id or "")))


def _first_found(rr: ReferenceResult) -> dict[str, Found]:
    """The first positive answer of each source (one record per source)."""
    out: dict[str, Found] = {}
    for e in rr.evidence:
        if isinstance(e, Found):
            out.setdefault(e.source.value, e)
    return out


def _record(found: Found) -> SourceRecord:
    return SourceRecord(
        identifier=found.identifier,
        fields=_metadata_fields(found.metadata),
        notices=_notices(found.metadata.updates),
    )


def _build_sources(rr: ReferenceResult, prev: LockEntry | None) -> dict[str, SourceRecord]:
    current_ids = list(rr.reference.identifiers.as_dict().values())
    sources = {
        src: rec
        for src, rec in (prev.sources.items() if prev else ())
        if any(_same_id(rec.identifier, i) for i in current_ids)
    }
    for e in rr.evidence:
        rec = sources.get(e.source.value)
        if isinstance(e, NotFound) and rec is not None and _same_id(rec.identifier, e.identifier):
            del sources[e.source.value]
    for src, found in _first_found(rr).items():
        sources[src] = _record(found)
    return sources


def _build_urls(
    rr: ReferenceResult, prev: LockEntry | None, failing: Mapping[str, Failing]
) -> dict[str, UrlRecord]:
    urls: dict[str, UrlRecord] = {}
    for url in _urls(rr):
        rec = prev.urls.get(url, UrlRecord()) if prev else UrlRecord()
        link = _settled_link(rr, url)
        if link is not None and link.verdict is not LinkVerdict.DEAD:
            rec = replace(rec, verdict=link.verdict, final_url=link.final_url or url)
        elif link is not None and (state := failing.get(f"url:{url}")) and state.confirmed_on:
            rec = replace(rec, verdict=LinkVerdict.DEAD, final_url=link.final_url or url)
        archive = _archive(rr, url)
        if archive is not None:
            rec = replace(rec, archive_url=archive.archive_url if archive.available else None)
        if rec != UrlRecord():
            urls[url] = rec
    return urls


def _accepted(rr: ReferenceResult, prev: LockEntry | None) -> tuple[Accepted, ...]:
    found = {
        Accepted(f.rule, f.field, f.severity)
        for f in rr.findings
        if f.severity is not Severity.CHANGED
    }
    # A run that could not verify everything must not forget what was accepted before.
    if prev is not None and any(f.severity is Severity.UNVERIFIED for f in rr.findings):
        found.update(prev.accepted)
    return tuple(sorted(found, key=lambda a: (a.rule, a.field or "", a.severity.rank)))


def _is_removed(rr: ReferenceResult) -> bool:
    """The stand-in :func:`track` adds for a reference that left the .bib file."""
    return any(f.rule == "reference-removed" for f in rr.findings)


def build_lock(
    result: CheckResult,
    previous: Lock | None,
    now: datetime,
    policy: ConfirmPolicy = DEFAULT_POLICY,
) -> Lock:
    """The new baseline after a run: ``result`` merged over ``previous``.

    Pass the result as reported (after :func:`track`), so that ``accepted`` matches what
    the user saw; references reported removed are left out.  Unavailable evidence keeps
    the previous state of that source; the first of several references sharing one key
    wins.
    """
    today = _day(now)
    first_run = previous is None
    references: dict[str, LockEntry] = {}
    for rr in result.results:
        if rr.reference.key in references or _is_removed(rr):
            continue
        prev = previous.entry_for(rr.reference) if previous else None
        failing = {}
        for target, outcome in _outcomes(rr).items():
            old = prev.failing.get(target) if prev else None
            state = _advance(old, outcome, today, policy, first_run=first_run)
            if state is not None:
                failing[target] = state
        references[rr.reference.key] = LockEntry(
            file=_file(rr.reference),
            identifiers=rr.reference.identifiers.as_dict(),
            sources=_build_sources(rr, prev),
            urls=_build_urls(rr, prev, failing),
            failing=failing,
            accepted=_accepted(rr, prev),
        )
    if previous is not None:
        checked = {_file(rr.reference) for rr in result.results}
        for key, entry in previous.references.items():
            if entry.file not in checked:
                references.setdefault(key, entry)
    return Lock(references=references, articles=dict(previous.articles) if previous else {})


# ------------------------------------------------------------------------------- diff


def _changed(
    rr: ReferenceResult,
    rule: str,
    message: str,
    *,
    source: Source,
    field: str | None = None,
    now: str | None = None,
    was: str | None = None,
) -> Finding:
    return Finding(
        key=rr.reference.key,
        rule=rule,
        severity=Severity.CHANGED,
        message=message,
        field=field,
        expected=now,
        actual=was,
        source=source,
        line=rr.reference.line,
    )


def _shown(value: str | None) -> str:
    return f'"{value}"' if value is not None else "(none)"


def _diff_sources(rr: ReferenceResult, entry: LockEntry) -> list[Finding]:
    out: list[Finding] = []
    seen_notices: set[Notice] = set()
    for src, found in _first_found(rr).items():
        before = entry.sources.get(src)
        if before is None or not _same_id(before.identifier, found.identifier):
            continue  # no baseline from this source for this identifier
        now = _record(found)
        for name in METADATA_FIELDS:
            was, new = before.fields.get(name), now.fields.get(name)
            if was != new:
                message = f"{name} changed upstream: was {_shown(was)}, now {_shown(new)} ({src})"
                out.append(
                    _changed(
                        rr,
                        "metadata-changed",
                        message,
                        source=found.source,
                        field=name,
                        now=new,
                        was=was,
                    )
                )
        for update in found.metadata.updates:
            notice = Notice(update.kind, _norm(update.notice_id))
            if notice.kind not in _NOTICE_RULES or notice in before.notices:
                continue
            if notice in seen_notices:
                continue
            seen_notices.add(notice)
            label = update.kind.value.replace("_", " ")
            detail = f"notice {notice.notice_id}" if notice.notice_id else "no notice id given"
            if update.date:
                detail += f", dated {update.date}"
            out.append(
                _changed(
                    rr,
                    _NOTICE_RULES[notice.kind],
                    f"new {label} upstream ({src}): {detail}",
                    source=found.source,
                    now=notice.notice_id,
                )
            )
    return out


def _place(url: str) -> tuple[str, str, str]:
    """A URL without what does not make it another page: scheme, host case, trailing ``/``."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port and parts.port not in (80, 443):
        host += f":{parts.port}"
    return host, parts.path.rstrip("/") or "/", parts.query


def _diff_urls(
    rr: ReferenceResult,
    entry: LockEntry,
    outcomes: Mapping[str, _Outcome],
    today: date,
    policy: ConfirmPolicy,
) -> list[Finding]:
    out: list[Finding] = []
    for url in _urls(rr):
        before = entry.urls.get(url)
        if before is None:
            continue
        link = _settled_link(rr, url)
        alive = link is not None and link.verdict in (LinkVerdict.OK, LinkVerdict.REDIRECTED)
        if alive and link is not None and before.final_url:
            final = link.final_url or url
            if _place(final) != _place(before.final_url):
                message = f"{url} now leads to {final} (was {before.final_url})"
                out.append(
                    _changed(
                        rr,
                        "url-changed",
                        message,
                        source=Source.WEB,
                        field="url",
                        now=final,
                        was=before.final_url,
                    )
                )
        old = entry.failing.get(f"url:{url}")
        state = _advance(
            old, outcomes.get(f"url:{url}", _Outcome.UNKNOWN), today, policy, first_run=False
        )
        newly_confirmed = state is not None and state.confirmed_on == today and old != state
        if newly_confirmed and before.verdict not in (None, LinkVerdict.DEAD):
            assert state is not None
            code = f" (HTTP {link.status_code})" if link and link.status_code else ""
            message = (
                f"{url} died: was {before.verdict}, now dead{code}, "
                f"failing since {state.since.isoformat()}"
            )
            out.append(
                _changed(
                    rr,
                    "url-died",
                    message,
                    source=Source.WEB,
                    field="url",
                    now="dead",
                    was=str(before.verdict),
                )
            )
        archive = _archive(rr, url)
        if before.archive_url and archive is not None and not archive.available:
            message = f"archived copy {before.archive_url} of {url} is no longer available"
            out.append(
                _changed(
                    rr,
                    "archive-vanished",
                    message,
                    source=Source.WAYBACK,
                    field="archiveurl",
                    now=None,
                    was=before.archive_url,
                )
            )
    return out


def diff(
    previous: Lock,
    result: CheckResult,
    now: datetime,
    policy: ConfirmPolicy = DEFAULT_POLICY,
) -> list[Finding]:
    """``changed`` findings: what differs between the lockfile and this run, field by field.

    Rules: ``metadata-changed``, ``retraction-new``, ``correction-new``,
    ``expression-of-concern-new``, ``url-changed``, ``url-died`` (on the run a dead URL is
    confirmed), ``archive-vanished``, ``reference-added``, ``reference-removed``.  Only
    definite answers are compared; a source that could not be asked changes nothing.
    """
    today = _day(now)
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for rr in result.results:
        ident = (_file(rr.reference), rr.reference.key)
        if ident in seen:
            continue
        seen.add(ident)
        entry = previous.entry_for(rr.reference)
        if entry is None:
            message = f"reference {rr.reference.key} is new since the lockfile"
            out.append(_changed(rr, "reference-added", message, source=Source.LOCKFILE))
            continue
        out += _diff_sources(rr, entry)
        out += _diff_urls(rr, entry, _outcomes(rr), today, policy)
    checked = {file for file, _ in seen}
    for key, entry in sorted(previous.references.items()):
        if entry.file in checked and (entry.file, key) not in seen:
            out.append(
                Finding(
                    key=key,
                    rule="reference-removed",
                    severity=Severity.CHANGED,
                    message=f"reference {key} was removed from {entry.file} since the lockfile",
                    source=Source.LOCKFILE,
                )
            )
    return out


def track(
    result: CheckResult,
    previous: Lock | None,
    now: datetime,
    policy: ConfirmPolicy = DEFAULT_POLICY,
) -> CheckResult:
    """The result as it should be reported against a lockfile.

    Applies :func:`apply_confirmation`, then adds the :func:`diff` findings to their
    references; a removed reference gets a result of its own (no fields, its recorded
    identifiers).  Without a lockfile, ``result`` is returned unchanged.
    """
    if previous is None:
        return result
    confirmed = apply_confirmation(result, previous, policy, now)
    changes: dict[str, list[Finding]] = {}
    for finding in diff(previous, confirmed, now, policy):
        changes.setdefault(finding.key, []).append(finding)
    results: list[ReferenceResult] = []
    for rr in confirmed.results:
        extra = changes.pop(rr.reference.key, [])
        results.append(replace(rr, findings=rr.findings + tuple(extra)) if extra else rr)
    paths = {_file(rr.reference): rr.reference.path for rr in confirmed.results}
    for key, removed in changes.items():
        entry = previous.references[key]
        ref = Reference(
            key=key,
            entry_type="",
            fields={},
            identifiers=Identifiers(**entry.identifiers),
            path=paths.get(entry.file),
        )
        results.append(ReferenceResult(reference=ref, findings=tuple(removed)))
    return replace(confirmed, results=tuple(results))


def new_only(findings: Iterable[Finding], lock: Lock | None) -> list[Finding]:
    """The findings the lockfile has not recorded (for ``--new-only``).

    A finding is old when its reference's entry accepted the same (rule, field) at the same
    or a higher severity, so a failing URL that becomes broken is new again.  ``changed``
    findings are always new: they are measured against the lockfile.
    """
    if lock is None:
        return list(findings)
    out = []
    for f in findings:
        entry = lock.references.get(f.key)
        old = (
            f.severity is not Severity.CHANGED
            and entry is not None
            and any(
                a.rule == f.rule and a.field == f.field and a.severity.rank >= f.severity.rank
                for a in entry.accepted
            )
        )
        if not old:
            out.append(f)
    return out


# ---------------------------------------------------------------------- serialisation


def dumps_lock(lock: Lock) -> str:
    """The lockfile's text: sorted keys, 2-space indent, trailing newline, stable bytes."""
    doc = {
        "schema_version": SCHEMA_VERSION,
        "references": {k: _entry_json(e) for k, e in lock.references.items()},
    }
    if lock.articles:
        doc["articles"] = {k: dict(v) for k, v in lock.articles.items()}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_lock(path: str | os.PathLike[str], lock: Lock) -> None:
    """Write ``lock`` atomically (the old file stays whole if anything fails)."""
    atomic_write_text(path, dumps_lock(lock))


def _entry_json(entry: LockEntry) -> dict[str, object]:
    doc: dict[str, object] = {"file": entry.file}
    if entry.identifiers:
        doc["identifiers"] = dict(entry.identifiers)
    if entry.sources:
        doc["sources"] = {src: _source_json(rec) for src, rec in entry.sources.items()}
    if entry.urls:
        doc["urls"] = {
            url: _drop_none(
                {
                    "verdict": rec.verdict.value if rec.verdict else None,
                    "final_url": rec.final_url,
                    "archive_url": rec.archive_url,
                }
            )
            for url, rec in entry.urls.items()
        }
    if entry.failing:
        doc["failing"] = {
            target: _drop_none(
                {
                    "failures": st.failures,
                    "since": st.since.isoformat(),
                    "confirmed_on": st.confirmed_on.isoformat() if st.confirmed_on else None,
                }
            )
            for target, st in entry.failing.items()
        }
    if entry.accepted:
        doc["accepted"] = [
            _drop_none({"rule": a.rule, "field": a.field, "severity": a.severity.value})
            for a in entry.accepted
        ]
    return doc


def _source_json(rec: SourceRecord) -> dict[str, object]:
    doc: dict[str, object] = {"id": rec.identifier, **rec.fields}
    if rec.notices:
        doc["notices"] = [
            _drop_none({"kind": n.kind.value, "id": n.notice_id}) for n in rec.notices
        ]
    return doc


def _drop_none(doc: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in doc.items() if v is not None}


# ------------------------------------------------------------------------------ reading


_E = TypeVar("_E", bound=Enum)
_T = TypeVar("_T")


class _Shape(Exception):
    """A value of the wrong shape at a JSON path (turned into a :class:`LockError`)."""


def read_lock(path: str | os.PathLike[str]) -> Lock | None:
    """The lockfile at ``path``, or ``None`` if there is none.

    Raises :class:`LockError` (never anything else for bad content) when it is corrupt,
    has the wrong shape or comes from a newer citetrack.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LockError(f"{path}: cannot read the lockfile ({exc.strerror or exc})") from exc
    return parse_lock(data, where=str(path))


def parse_lock(data: bytes | str, where: str = LOCK_NAME) -> Lock:
    """A :class:`Lock` from the lockfile's bytes; :class:`LockError` if it is not one."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        doc = json.loads(text, object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise LockError(f"{where}: not valid JSON ({_short(exc)}). {_RECOVER}") from exc
    try:
        top = _obj(doc, "the top level")
        version = top.get("schema_version")
        if isinstance(version, int) and not isinstance(version, bool) and version > 1:
            raise LockError(
                f"{where}: written by a newer citetrack (schema_version {version}; this "
                f"version reads {SCHEMA_VERSION}). Upgrade citetrack to use it."
            )
        if type(version) is not int or version != SCHEMA_VERSION:
            raise _Shape(f"schema_version: expected {SCHEMA_VERSION}, found {version!r}")
        _only(top, {"schema_version", "references", "articles"}, "the top level")
        refs = _obj(top.get("references", {}), "references")
        articles = _obj(top.get("articles", {}), "articles")
        return Lock(
            references={k: _entry(v, f"references.{k}") for k, v in refs.items()},
            articles={k: _obj(v, f"articles.{k}") for k, v in articles.items()},
        )
    except _Shape as exc:
        raise LockError(f"{where}: not a valid citetrack lockfile: {exc}. {_RECOVER}") from exc


def _short(exc: BaseException) -> str:
    return str(exc)[:200] or type(exc).__name__


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    doc: dict[str, object] = {}
    for key, value in pairs:
        if key in doc:
            raise ValueError(f"duplicate key {key!r}")
        doc[key] = value
    return doc


def _obj(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise _Shape(f"{where}: expected an object")
    return value


def _only(doc: Mapping[str, object], allowed: Iterable[str], where: str) -> None:
    unknown = sorted(set(doc) - set(allowed))
    if unknown:
        raise _Shape(f"{where}: unknown key {unknown[0]!r}")


def _str(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise _Shape(f"{where}: expected a non-empty string")
    return value


def _opt_str(value: object, where: str) -> str | None:
    return None if value is None else _str(value, where)


def _date(value: object, where: str) -> date:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Shape(f"{where}: expected a date YYYY-MM-DD")


def _enum(cls: type[_E], value: object, where: str) -> _E:
    try:
        return cls(value)
    except ValueError:
        raise _Shape(f"{where}: unknown value {value!r}") from None


def _list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise _Shape(f"{where}: expected a list")
    return value


def _map(value: object, where: str, item: Callable[[object, str], _T]) -> dict[str, _T]:
    return {k: item(v, f"{where}.{k}") for k, v in _obj(value, where).items()}


_IDENTIFIER_NAMES = frozenset(f.name for f in fields(Identifiers))
_SOURCE_NAMES = frozenset(s.value for s in Source)


def _entry(value: object, where: str) -> LockEntry:
    doc = _obj(value, where)
    _only(doc, {"file", "identifiers", "sources", "urls", "failing", "accepted"}, where)
    file = doc.get("file")
    if not isinstance(file, str):
        raise _Shape(f"{where}.file: expected a string")
    identifiers = _map(doc.get("identifiers", {}), f"{where}.identifiers", _str)
    _only(identifiers, _IDENTIFIER_NAMES, f"{where}.identifiers")
    sources = _map(doc.get("sources", {}), f"{where}.sources", _source)
    _only(sources, _SOURCE_NAMES, f"{where}.sources")
    failing = _map(doc.get("failing", {}), f"{where}.failing", _failing)
    for target in failing:
        kind, _, value = target.partition(":")
        if kind not in CONFIRMABLE_RULES.values() or not value:
            raise _Shape(f"{where}.failing: {target!r} is not doi:…, pmid:… or url:…")
    accepted = _list(doc.get("accepted", []), f"{where}.accepted")
    return LockEntry(
        file=file,
        identifiers=identifiers,
        sources=sources,
        urls=_map(doc.get("urls", {}), f"{where}.urls", _url),
        failing=failing,
        accepted=tuple(_accepted_item(a, f"{where}.accepted[{i}]") for i, a in enumerate(accepted)),
    )


def _source(value: object, where: str) -> SourceRecord:
    doc = _obj(value, where)
    _only(doc, {"id", "notices", *METADATA_FIELDS}, where)
    notices = []
    for i, item in enumerate(_list(doc.get("notices", []), f"{where}.notices")):
        notice = _obj(item, f"{where}.notices[{i}]")
        _only(notice, {"kind", "id"}, f"{where}.notices[{i}]")
        notices.append(
            Notice(
                _enum(UpdateKind, notice.get("kind"), f"{where}.notices[{i}].kind"),
                _opt_str(notice.get("id"), f"{where}.notices[{i}].id"),
            )
        )
    return SourceRecord(
        identifier=_str(doc.get("id"), f"{where}.id"),
        fields={k: _str(doc[k], f"{where}.{k}") for k in METADATA_FIELDS if k in doc},
        notices=tuple(notices),
    )


def _url(value: object, where: str) -> UrlRecord:
    doc = _obj(value, where)
    _only(doc, {"verdict", "final_url", "archive_url"}, where)
    verdict = doc.get("verdict")
    return UrlRecord(
        verdict=None if verdict is None else _enum(LinkVerdict, verdict, f"{where}.verdict"),
        final_url=_opt_str(doc.get("final_url"), f"{where}.final_url"),
        archive_url=_opt_str(doc.get("archive_url"), f"{where}.archive_url"),
    )


def _failing(value: object, where: str) -> Failing:
    doc = _obj(value, where)
    _only(doc, {"failures", "since", "confirmed_on"}, where)
    failures = doc.get("failures")
    if not isinstance(failures, int) or isinstance(failures, bool) or failures < 1:
        raise _Shape(f"{where}.failures: expected a whole number of at least 1")
    confirmed = doc.get("confirmed_on")
    return Failing(
        failures=failures,
        since=_date(doc.get("since"), f"{where}.since"),
        confirmed_on=None if confirmed is None else _date(confirmed, f"{where}.confirmed_on"),
    )


def _accepted_item(value: object, where: str) -> Accepted:
    doc = _obj(value, where)
    _only(doc, {"rule", "field", "severity"}, where)
    return Accepted(
        rule=_str(doc.get("rule"), f"{where}.rule"),
        field=_opt_str(doc.get("field"), f"{where}.field"),
        severity=_enum(Severity, doc.get("severity"), f"{where}.severity"),
    )
