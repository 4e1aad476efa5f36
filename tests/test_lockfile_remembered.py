"""The lockfile comparison with remembered reductions of cached records (issue 16) gives
exactly the findings of the plain comparison, run after run.  SYNTHETIC records."""

from __future__ import annotations

from pathlib import Path

import pytest

from citetrack.model import Found, Source, Update, UpdateKind
from citetrack.tracking.cache import CACHE_FILENAME, EvidenceCache
from citetrack.tracking.codec import StoredFound
from citetrack.tracking.lockfile import build_lock, diff
from citetrack.tracking.lockfile.remembered import KIND, SourceRecords
from citetrack.tracking.memo import RECORDS_KIND, Memo
from tests.test_lockfile import DAY1, crossref, result, rr

_NOTICE = Update(UpdateKind.RETRACTION, "10.1000/notice", date="2026-11-19")
_UPSTREAM = {
    "same": crossref(),
    "title corrected": crossref(title="A corrected title", volume="13"),
    "retracted": crossref(updates=(_NOTICE,)),
    "a notice of no tracked kind": crossref(updates=(Update(UpdateKind.OTHER, "x"),)),
}


def _served(found: Found, folder: Path) -> Found:
    """``found`` as a warm run is served it: from the cache, undecoded."""
    with Memo.open(folder) as memo, EvidenceCache(folder / CACHE_FILENAME) as cache:
        cache.known_records = memo.view(RECORDS_KIND)
        cache.put_many([found])
        served = cache.get_many(Source.CROSSREF, [found.identifier])[found.identifier]
    assert isinstance(served, StoredFound)
    return served


@pytest.mark.parametrize("upstream", sorted(_UPSTREAM))
def test_remembered_reductions_give_the_plain_comparisons_findings(
    upstream: str, tmp_path: Path
) -> None:
    lock = build_lock(result(rr(evidence=(crossref(),))), None, DAY1)
    now = result(rr(evidence=(_served(_UPSTREAM[upstream], tmp_path),)))
    plain = diff(lock, result(rr(evidence=(_UPSTREAM[upstream],))), DAY1)
    for run in ("computes and remembers", "reads back"):
        with Memo.open(tmp_path) as memo:
            records = SourceRecords(memo.view(KIND))
            records.prefetch(e for r in now.results for e in r.evidence if isinstance(e, Found))
            assert diff(lock, now, DAY1, records=records) == plain, run
            records.flush()
    with Memo.open(tmp_path) as memo:
        assert memo.view(KIND).get_many([now.results[0].evidence[0].digest])  # type: ignore[union-attr]


def test_an_unchanged_record_is_compared_without_being_decoded(tmp_path: Path) -> None:
    lock = build_lock(result(rr(evidence=(crossref(),))), None, DAY1)
    served = _served(crossref(), tmp_path)
    with Memo.open(tmp_path) as memo:
        first = SourceRecords(memo.view(KIND))
        assert diff(lock, result(rr(evidence=(served,))), DAY1, records=first) == []
        first.flush()
    again = _served(crossref(), tmp_path)
    with Memo.open(tmp_path) as memo:
        records = SourceRecords(memo.view(KIND))
        records.prefetch([again])
        assert diff(lock, result(rr(evidence=(again,))), DAY1, records=records) == []
    assert "_metadata" not in again.__dict__


def test_an_unreadable_remembered_value_is_computed_again(tmp_path: Path) -> None:
    lock = build_lock(result(rr(evidence=(crossref(),))), None, DAY1)
    served = _served(crossref(title="A corrected title"), tmp_path)
    with Memo.open(tmp_path) as memo:
        memo.view(KIND).put_many({served.digest: '{"id": 3}'})
        records = SourceRecords(memo.view(KIND))
        records.prefetch([served])
        found = diff(lock, result(rr(evidence=(served,))), DAY1, records=records)
    assert [(f.rule, f.field) for f in found] == [("metadata-changed", "title")]


def test_writing_the_lockfile_from_fresh_records_remembers_them_for_the_next_run(
    tmp_path: Path,
) -> None:
    # `lock` fetches every record afresh; the next check reads them from the cache.
    with Memo.open(tmp_path) as memo:
        records = SourceRecords(memo.view(KIND))
        lock = build_lock(result(rr(evidence=(crossref(),))), None, DAY1, records=records)
        records.flush()
    assert lock == build_lock(result(rr(evidence=(crossref(),))), None, DAY1)
    served = _served(crossref(), tmp_path)
    with Memo.open(tmp_path) as memo:
        records = SourceRecords(memo.view(KIND))
        records.prefetch([served])
        assert diff(lock, result(rr(evidence=(served,))), DAY1, records=records) == []
    assert "_metadata" not in served.__dict__
