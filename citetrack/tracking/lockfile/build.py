"""The new baseline after a run: the run's result merged over the previous lockfile.

Also the normalised record of what one registry said (fields and editorial notices),
which :mod:`citetrack.tracking.lockfile.diff` compares against.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import replace
from datetime import datetime

from citetrack.model import (
    CheckResult,
    Found,
    LinkVerdict,
    NotFound,
    ReferenceResult,
    Severity,
    Source,
    Update,
    WorkMetadata,
)
from citetrack.rules.catalog import COULD_NOT_ASK
from citetrack.tracking.lockfile.confirm import (
    advance_failing,
    archive_status,
    check_outcomes,
    failing_of,
    never_seen,
    reference_urls,
    same_identifier,
    settled_link,
)
from citetrack.tracking.lockfile.revisions import record_articles
from citetrack.tracking.lockfile.state import (
    DEFAULT_POLICY,
    NOTICE_RULES,
    Accepted,
    ConfirmPolicy,
    Failing,
    Lock,
    LockEntry,
    Notice,
    SourceRecord,
    UrlRecord,
    lock_keys,
    placed,
    reference_file,
    utc_day,
)

# ------------------------------------------------------------------------ building it

#: The version of citetrack's reading of a registry's answer into the fields a lockfile
#: records: how ``registries/`` parse a record into ``WorkMetadata`` and how
#: :func:`source_record` reduces it (markup, names, containers, pages, types).  Bump it
#: with any change to either that changes a recorded field: a record read under another
#: version is not compared field by field, so that the nightly run after an upgrade
#: reports no ``metadata-changed`` that only the reading made (notices still are).
#: ``tests/test_lock_readings.py`` holds the real fixtures' records read under this
#: version and fails when they change without it.  Lockfiles from before it hold 1.
RECORD_READING = 1


def normalise_text(value: object) -> str | None:
    """Registry text in comparison form: NFC, whitespace collapsed; empty → ``None``."""
    if value is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    return text or None


def _metadata_fields(md: WorkMetadata) -> dict[str, str]:
    authors = [normalise_text(a.family or a.literal) for a in md.authors]
    pages = normalise_text(md.pages)
    values = {
        "title": normalise_text(md.title),
        "author": "; ".join(a for a in authors if a) or None,
        "year": str(md.year) if md.year else None,
        "journal": normalise_text(md.container),
        "volume": normalise_text(md.volume),
        "number": normalise_text(md.issue),
        # An en dash instead of a hyphen is not a change worth reporting.
        "pages": re.sub(r"\s*[-\u2010-\u2015\u2212]+\s*", "-", pages) if pages else None,
        "type": normalise_text(md.work_type),
    }
    return {k: v for k, v in values.items() if v is not None}


def _notices(updates: Iterable[Update]) -> tuple[Notice, ...]:
    found = {Notice(u.kind, normalise_text(u.notice_id)) for u in updates if u.kind in NOTICE_RULES}
    return tuple(sorted(found, key=lambda n: (n.kind.value, n.notice_id or "")))


def first_found(rr: ReferenceResult) -> dict[str, Found]:
    """The first positive answer of each source (one record per source)."""
    out: dict[str, Found] = {}
    for e in rr.evidence:
        if isinstance(e, Found):
            out.setdefault(e.source.value, e)
    return out


def source_record(found: Found) -> SourceRecord:
    """What is recorded of one positive answer: identifier, normalised fields, notices,
    and the version of the reading that gave them (:data:`RECORD_READING`)."""
    return SourceRecord(
        identifier=found.identifier,
        fields=_metadata_fields(found.metadata),
        notices=_notices(found.metadata.updates),
        reading=RECORD_READING,
    )


def _build_sources(
    rr: ReferenceResult, prev: LockEntry | None, records: Callable[[Found], SourceRecord]
) -> dict[str, SourceRecord]:
    current_ids = list(rr.reference.identifiers.as_dict().values())
    sources = {
        src: rec
        for src, rec in (prev.sources.items() if prev else ())
        if any(same_identifier(rec.identifier, i) for i in current_ids)
    }
    for e in rr.evidence:
        rec = sources.get(e.source.value)
        if (
            isinstance(e, NotFound)
            and rec is not None
            and same_identifier(rec.identifier, e.identifier)
        ):
            del sources[e.source.value]
    for src, found in first_found(rr).items():
        sources[src] = records(found)
    return sources


def _build_urls(
    rr: ReferenceResult, prev: LockEntry | None, failing: Mapping[str, Failing]
) -> dict[str, UrlRecord]:
    urls: dict[str, UrlRecord] = {}
    for url in reference_urls(rr):
        rec = prev.urls.get(url, UrlRecord()) if prev else UrlRecord()
        link = settled_link(rr, url)
        if link is not None and link.verdict is not LinkVerdict.DEAD:
            rec = replace(rec, verdict=link.verdict, final_url=link.final_url or url)
        elif link is not None and (state := failing.get(f"url:{url}")) and state.confirmed_on:
            rec = replace(rec, verdict=LinkVerdict.DEAD, final_url=link.final_url or url)
        archive = archive_status(rr, url)
        if archive is not None:
            rec = replace(rec, archive_url=archive.archive_url if archive.available else None)
        if rec != UrlRecord():
            urls[url] = rec
    return urls


def _accepted(rr: ReferenceResult, prev: LockEntry | None) -> tuple[Accepted, ...]:
    # A source that could not be asked tonight is no state to accept: recording it made
    # a nightly job commit a changed lockfile on every outage, and again the night after.
    found = {
        Accepted(f.rule, f.field, f.severity)
        for f in rr.findings
        if f.severity is not Severity.CHANGED
        and f.rule not in COULD_NOT_ASK
        and f.source is not Source.LOCKFILE  # said of the lockfile itself (reference-added)
    }
    # A run that could not verify everything must not forget what was accepted before.
    if prev is not None and any(f.severity is Severity.UNVERIFIED for f in rr.findings):
        found.update(prev.accepted)
    return tuple(sorted(found, key=lambda a: (a.rule, a.field or "", a.severity.rank)))


def build_lock(
    result: CheckResult,
    previous: Lock | None,
    now: datetime,
    policy: ConfirmPolicy = DEFAULT_POLICY,
    records: Callable[[Found], SourceRecord] | None = None,
    *,
    unread: Collection[tuple[str, str]] = (),
    gone: Collection[str] = (),
) -> Lock:
    """The new baseline after a run: ``result`` merged over ``previous``.

    Pass the result as reported (after :func:`track`), so that ``accepted`` matches what
    the user saw; references reported removed are left out.  Unavailable evidence keeps
    the previous state of that source; the first of several references sharing one key in
    one file wins (files sharing a key each keep theirs: :func:`lock_keys`).  ``records``:
    :func:`source_record`, or the same remembered
    (:class:`~citetrack.tracking.lockfile.remembered.SourceRecords`).  ``unread``: the
    (file name, key) of entries in their file that could not be read this time; their
    previous entries are kept as they were (their history waits until they read again).
    ``gone``: the names of files ``previous`` recorded that are gone (deleted, not
    renamed): their entries, reported removed, are left out as a checked file's are.
    """
    records = records if records is not None else source_record
    today = utc_day(now)
    first_run = previous is None
    references: dict[tuple[str, str], LockEntry] = {}  # by (file name, citation key)
    for rr in result.results:
        ident = (reference_file(rr.reference), rr.reference.key)
        if ident in references or rr.removed:
            continue
        prev = previous.entry_for(rr.reference) if previous else None
        failing = {}
        for target, outcome in check_outcomes(rr).items():
            old = failing_of(prev, target)
            first = first_run or never_seen(target, prev)
            state = advance_failing(old, outcome, today, policy, first_run=first)
            if state is not None:
                failing[target] = state
        references[ident] = LockEntry(
            file=ident[0],
            identifiers=rr.reference.identifiers.as_dict(),
            sources=_build_sources(rr, prev, records),
            urls=_build_urls(rr, prev, failing),
            failing=failing,
            accepted=_accepted(rr, prev),
        )
    if previous is not None:
        checked = {reference_file(rr.reference) for rr in result.results}
        checked.update(gone)
        for ident, entry in placed(previous.references).items():
            if entry.file not in checked or ident in unread:
                references.setdefault(ident, entry)
    return Lock(
        references=lock_keys(references),
        articles=record_articles(previous.articles if previous else {}, result),
    )
