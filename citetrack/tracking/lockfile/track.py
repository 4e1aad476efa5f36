"""A run as reported against a lockfile: confirmation, ``changed`` findings, ``--new-only``."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from citetrack.model import (
    CheckResult,
    Finding,
    Found,
    Identifiers,
    Reference,
    ReferenceResult,
    Severity,
)
from citetrack.tracking.lockfile.build import source_record
from citetrack.tracking.lockfile.confirm import apply_confirmation
from citetrack.tracking.lockfile.diff import diff_by_reference
from citetrack.tracking.lockfile.renames import Rename, rename_finding
from citetrack.tracking.lockfile.revisions import track_articles
from citetrack.tracking.lockfile.state import (
    DEFAULT_POLICY,
    ConfirmPolicy,
    Lock,
    SourceRecord,
    recorded_path,
    reference_file,
)

if TYPE_CHECKING:
    from citetrack.tracking.lockfile.remembered import SettledSources


def track(
    result: CheckResult,
    previous: Lock | None,
    now: datetime,
    policy: ConfirmPolicy = DEFAULT_POLICY,
    records: Callable[[Found], SourceRecord] = source_record,
    *,
    settled: SettledSources | None = None,
    unread: Collection[tuple[str, str]] = (),
    renames: Collection[Rename] = (),
    gone: Collection[str] = (),
) -> CheckResult:
    """The result as it should be reported against a lockfile (``records``, ``settled``:
    see :func:`diff`).

    ``renames``: entries of ``previous`` now under another key, already followed in it
    (:func:`~citetrack.tracking.lockfile.renames.follow_renames`); each gets its note.

    Adds ``reference-changed`` for an article's citations edited since the lockfile
    (:func:`~citetrack.tracking.lockfile.revisions.track_articles`), applies
    :func:`apply_confirmation`, then adds the :func:`diff` findings to their
    references; a removed reference gets a result of its own (no fields, its recorded
    identifiers).  ``gone``: files ``previous`` recorded that are gone (see :func:`diff`).
    ``unread``: entries present but not read (see :func:`diff`).  Without a
    lockfile, ``result`` is returned unchanged.
    """
    if previous is None:
        return result
    result = track_articles(result, previous)
    confirmed = apply_confirmation(result, previous, policy, now)
    changes = diff_by_reference(
        previous, confirmed, now, policy, records, settled=settled, unread=unread, gone=gone
    )
    moved = {(r.file, r.key): r for r in renames}
    results: list[ReferenceResult] = []
    for rr in confirmed.results:
        where = (reference_file(rr.reference), rr.reference.key)
        extra = changes.pop(where, None)
        followed = moved.get(where)
        if followed is not None:
            extra = [rename_finding(followed, rr.reference.line), *(extra or ())]
        results.append(replace(rr, findings=rr.findings + tuple(extra)) if extra else rr)
    paths = {reference_file(rr.reference): rr.reference.path for rr in confirmed.results}
    for (file, key), removed in changes.items():
        entry = previous.entry_at(file, key)
        ref = Reference(
            key=key,
            entry_type="",
            fields={},
            identifiers=Identifiers(**entry.identifiers) if entry else Identifiers(),
            path=paths.get(file) or recorded_path(file),
        )
        results.append(ReferenceResult(reference=ref, findings=tuple(removed)))
    return replace(confirmed, results=tuple(results))


def new_only(findings: Iterable[Finding], lock: Lock | None, reference: Reference) -> list[Finding]:
    """The findings about ``reference`` that the lockfile has not recorded (``--new-only``).

    A finding is old when the entry of ``reference`` (its key in its own file: files may
    share a key) accepted the same (rule, field) at the same or a higher severity, so a
    failing URL that becomes broken is new again.  ``changed`` findings are always new:
    they are measured against the lockfile.
    """
    entry = lock.entry_for(reference) if lock is not None else None
    if entry is None:
        return list(findings)
    return [
        f
        for f in findings
        if f.severity is Severity.CHANGED
        or not any(
            a.rule == f.rule and a.field == f.field and a.severity.rank >= f.severity.rank
            for a in entry.accepted
        )
    ]
