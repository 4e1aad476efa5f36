"""The difference between a run and the lockfile: ``changed`` findings, field by field."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

from citetrack.model import (
    REMOVED_RULE,
    CheckResult,
    Finding,
    Found,
    LinkVerdict,
    ReferenceResult,
    Severity,
    Source,
)
from citetrack.tracking.lockfile.build import first_found, normalise_text, source_record
from citetrack.tracking.lockfile.confirm import (
    Outcome,
    advance_failing,
    archive_status,
    check_outcomes,
    reference_urls,
    same_identifier,
    settled_link,
)
from citetrack.tracking.lockfile.state import (
    DEFAULT_POLICY,
    METADATA_FIELDS,
    NOTICE_RULES,
    ConfirmPolicy,
    Lock,
    LockEntry,
    Notice,
    SourceRecord,
    citation_key,
    reference_file,
    utc_day,
)

if TYPE_CHECKING:
    from citetrack.tracking.lockfile.remembered import SettledSources

# ------------------------------------------------------------------------------- diff


#: A note: a registry record the lockfile holds from another reading, not compared.
RULE_NOT_COMPARED = "metadata-not-compared"


def _changed(
    rr: ReferenceResult,
    rule: str,
    message: str,
    *,
    source: Source,
    field: str | None = None,
    now: str | None = None,
    was: str | None = None,
    severity: Severity = Severity.CHANGED,
) -> Finding:
    return Finding(
        key=rr.reference.key,
        rule=rule,
        severity=severity,
        message=message,
        field=field,
        expected=now,
        actual=was,
        source=source,
        line=rr.reference.line,
    )


def _shown(value: str | None) -> str:
    return f'"{value}"' if value is not None else "(none)"


def _diff_sources(
    rr: ReferenceResult,
    entry: LockEntry,
    records: Callable[[Found], SourceRecord],
    settled: SettledSources | None = None,
) -> list[Finding]:
    out: list[Finding] = []
    seen_notices: set[Notice] = set()
    # Without the comparisons that found nothing against these lockfile bytes before.
    pending = (
        settled.pending(rr).items()
        if settled is not None
        else ((src, (found, None)) for src, found in first_found(rr).items())
    )
    for src, (found, token) in pending:
        before = entry.sources.get(src)
        if before is None or not same_identifier(before.identifier, found.identifier):
            continue  # no baseline from this source for this identifier
        now = records(found)
        own = 0  # what this source alone finds (``seen_notices`` may hide some below)
        # Fields read by another version of citetrack's reading of the registry's answer
        # (RECORD_READING) differ by that reading, not upstream: not compared, and the
        # next lockfile written records them as read now.  Notices still are.
        comparable = before.reading == now.reading
        if not comparable and before.fields != now.fields:
            # Said, not silent: until the lockfile is written again an upstream change of
            # these fields would pass unseen (a nightly job that never updates its lock).
            out.append(
                _changed(
                    rr,
                    RULE_NOT_COMPARED,
                    f"the lockfile's record from {src} was read by another version of "
                    "citetrack, so its fields were not compared for upstream changes "
                    "(retractions and corrections were); `citetrack lock` or "
                    "`check --update-lock` records it as read now",
                    source=found.source,
                    severity=Severity.NOTE,
                )
            )
        for name in METADATA_FIELDS if comparable and before.fields != now.fields else ():
            was, new = before.fields.get(name), now.fields.get(name)
            if was != new:
                own += 1
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
        # ``now.notices`` holds exactly the updates of a kind in NOTICE_RULES: without any,
        # the loop below finds nothing, and a remembered record is not decoded for it.
        for update in found.metadata.updates if now.notices else ():
            notice = Notice(update.kind, normalise_text(update.notice_id))
            if notice.kind not in NOTICE_RULES or notice in before.notices:
                continue
            own += 1
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
                    NOTICE_RULES[notice.kind],
                    f"new {label} upstream ({src}): {detail}",
                    source=found.source,
                    now=notice.notice_id,
                )
            )
        if settled is not None and not own:
            settled.add(token)
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
    today: date,
    policy: ConfirmPolicy,
) -> list[Finding]:
    out: list[Finding] = []
    urls = reference_urls(rr) if entry.urls else ()
    # Only for a URL the lockfile records (most references cite none).
    outcomes: Mapping[str, Outcome] = check_outcomes(rr) if urls else {}
    for url in urls:
        before = entry.urls.get(url)
        if before is None:
            continue
        link = settled_link(rr, url)
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
        state = advance_failing(
            old, outcomes.get(f"url:{url}", Outcome.UNKNOWN), today, policy, first_run=False
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
        archive = archive_status(rr, url)
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
    records: Callable[[Found], SourceRecord] = source_record,
    *,
    settled: SettledSources | None = None,
    unread: Collection[tuple[str, str]] = (),
) -> list[Finding]:
    """``changed`` findings: what differs between the lockfile and this run, field by field
    (:func:`diff_by_reference` says which file's reference each one is about).

    ``unread``: the (file name, key) of entries that are in their file but could not be read
    (a block that does not parse): not removed, so not ``reference-removed`` (the input's
    own finding says what is wrong with them).

    ``records`` reduces a current record to what the lockfile keeps (:func:`source_record`,
    or the same remembered: :class:`~citetrack.tracking.lockfile.remembered.SourceRecords`);
    ``settled``: the record comparisons that found nothing against ``previous``'s bytes on
    an earlier run, skipped (and this run's added to it).

    Rules: ``metadata-changed``, ``retraction-new``, ``correction-new``,
    ``expression-of-concern-new``, ``url-changed``, ``url-died`` (on the run a dead URL is
    confirmed), ``archive-vanished``, ``reference-added``, ``reference-removed``.  Only
    definite answers are compared; a source that could not be asked changes nothing.
    """
    by = diff_by_reference(previous, result, now, policy, records, settled=settled, unread=unread)
    return [finding for findings in by.values() for finding in findings]


def diff_by_reference(
    previous: Lock,
    result: CheckResult,
    now: datetime,
    policy: ConfirmPolicy = DEFAULT_POLICY,
    records: Callable[[Found], SourceRecord] = source_record,
    *,
    settled: SettledSources | None = None,
    unread: Collection[tuple[str, str]] = (),
    gone: Collection[str] = (),
) -> dict[tuple[str, str], list[Finding]]:
    """:func:`diff`'s findings by the (file name, citation key) of their reference: files
    covered by one lockfile may share a key, and each finding belongs to one of them.
    ``gone``: the names of files ``previous`` recorded that are gone (deleted, not
    renamed): each of their entries is ``reference-removed``, as a checked file's."""
    today = utc_day(now)
    out: dict[tuple[str, str], list[Finding]] = {}
    seen: set[tuple[str, str]] = set()
    for rr in result.results:
        ident = (reference_file(rr.reference), rr.reference.key)
        if ident in seen:
            continue
        seen.add(ident)
        entry = previous.entry_at(*ident)
        if entry is None:
            # A note: the bibliography's own edit, not a change upstream.  Its verdict is
            # its own findings (given at once: the lockfile has no history for it), and a
            # reference added in a commit must not fail a `--fail-on warning` gate.
            message = f"reference {rr.reference.key} is new since the lockfile"
            added = _changed(
                rr, "reference-added", message, source=Source.LOCKFILE, severity=Severity.NOTE
            )
            out[ident] = [added]
            continue
        found = _diff_sources(rr, entry, records, settled) + _diff_urls(rr, entry, today, policy)
        if found:
            out[ident] = found
    checked = {file for file, _ in seen}
    checked.update(gone)
    present = seen.union(unread) if unread else seen
    for lock_key, entry in sorted(previous.references.items()):
        key = citation_key(lock_key)
        if entry.file in checked and (entry.file, key) not in present:
            out[(entry.file, key)] = [
                Finding(
                    key=key,
                    rule=REMOVED_RULE,
                    severity=Severity.CHANGED,
                    message=f"reference {key} was removed from {entry.file} since the lockfile",
                    source=Source.LOCKFILE,
                )
            ]
    return out
