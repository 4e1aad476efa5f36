"""The lockfile comparison with remembered reductions of cached records (issue 16) gives
exactly the findings of the plain comparison, run after run.  SYNTHETIC records."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from citetrack.model import CheckResult, Finding, Found, Source, Update, UpdateKind
from citetrack.tracking.cache import CACHE_FILENAME, EvidenceCache
from citetrack.tracking.codec import StoredFound
from citetrack.tracking.lockfile import Lock, SourceRecord, build_lock, diff, dumps_lock, parse_lock
from citetrack.tracking.lockfile.remembered import (
    KIND,
    SETTLED_KIND,
    SettledSources,
    SourceRecords,
)
from citetrack.tracking.memo import RECORDS_KIND, Memo
from tests.test_lockfile import DAY1, crossref, result, rr, rules

PMID = "31000001"
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
        served = cache.get_many(found.source, [found.identifier])[found.identifier]
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


# ------------------------------------------------------------ settled comparisons (issue 16)


def _pubmed(**changes: object) -> Found:
    meta = replace(crossref().metadata, source=Source.PUBMED, pmid=PMID)
    return Found(Source.PUBMED, PMID, replace(meta, **changes))  # type: ignore[arg-type]


def _read_back(lock: Lock) -> Lock:
    """``lock`` as a run reads it: from its bytes, which name it (:attr:`Lock.digest`)."""
    return parse_lock(dumps_lock(lock))


def _settled_diff(
    lock: Lock, now: CheckResult, folder: Path, path: str = "/x/citetrack.lock"
) -> tuple[list[Finding], int]:
    """A run's comparison as ``citetrack.api.track`` makes it, and how many records it
    reduced (the rest were settled by an earlier run with the same lockfile bytes)."""
    reduced = 0

    with Memo.open(folder) as memo:
        records = SourceRecords(memo.view(KIND))

        def counted(found: Found) -> SourceRecord:
            nonlocal reduced
            reduced += 1
            return records(found)

        settled = SettledSources(memo.view(SETTLED_KIND), path, lock)
        found = diff(lock, now, DAY1, records=counted, settled=settled)
        settled.flush()
        records.flush()
    return found, reduced


def test_a_comparison_that_found_nothing_is_skipped_next_time_with_the_same_lockfile(
    tmp_path: Path,
) -> None:
    lock = _read_back(build_lock(result(rr(evidence=(crossref(), _pubmed()))), None, DAY1))
    now = result(rr(evidence=(_served(crossref(), tmp_path), _served(_pubmed(), tmp_path))))
    assert _settled_diff(lock, now, tmp_path) == ([], 2)
    assert _settled_diff(lock, now, tmp_path) == ([], 0)
    # Another lockfile path, or the same path holding other bytes, starts afresh.
    assert _settled_diff(lock, now, tmp_path, path="/y/citetrack.lock") == ([], 2)
    other = result(rr(evidence=(crossref(title="Other"), _pubmed())))
    other_lock = _read_back(build_lock(other, None, DAY1))
    assert rules(_settled_diff(other_lock, now, tmp_path)[0]) == ["metadata-changed"]
    assert _settled_diff(other_lock, now, tmp_path)[1] == 1  # PubMed's is settled now


@pytest.mark.parametrize("later", sorted(_UPSTREAM))
@pytest.mark.parametrize("earlier", sorted(_UPSTREAM))
def test_settled_comparisons_give_the_plain_comparisons_findings_run_after_run(
    earlier: str, later: str, tmp_path: Path
) -> None:
    # The lockfile stays; upstream goes from one state to another between two runs (a
    # retraction on the second night must not hide behind the first night's "nothing").
    lock = _read_back(build_lock(result(rr(evidence=(crossref(),))), None, DAY1))
    for state in (earlier, later, later):
        now = result(rr(evidence=(_served(_UPSTREAM[state], tmp_path),)))
        plain = diff(lock, result(rr(evidence=(_UPSTREAM[state],))), DAY1)
        assert _settled_diff(lock, now, tmp_path)[0] == plain, state


def test_a_notice_two_sources_carry_settles_neither_of_them(tmp_path: Path) -> None:
    # Reported once (from Crossref, the first source), but PubMed's comparison found it
    # too: were PubMed settled, the retraction would vanish once Crossref dropped it.
    lock = _read_back(build_lock(result(rr(evidence=(crossref(), _pubmed()))), None, DAY1))
    both = (crossref(updates=(_NOTICE,)), _pubmed(updates=(_NOTICE,)))
    now = result(rr(evidence=tuple(_served(f, tmp_path) for f in both)))
    assert rules(_settled_diff(lock, now, tmp_path)[0]) == ["retraction-new"]
    only_pubmed = (_served(crossref(), tmp_path), _served(both[1], tmp_path))
    found, reduced = _settled_diff(lock, result(rr(evidence=only_pubmed)), tmp_path)
    assert rules(found) == ["retraction-new"]
    assert reduced == 2


def test_fresh_records_and_unread_lockfiles_are_always_compared(tmp_path: Path) -> None:
    built = build_lock(result(rr(evidence=(crossref(),))), None, DAY1)
    now = result(rr(evidence=(crossref(),)))  # just fetched: no stored digest
    for _ in range(2):
        assert _settled_diff(_read_back(built), now, tmp_path) == ([], 1)
    served = result(rr(evidence=(_served(crossref(), tmp_path),)))
    for _ in range(2):  # a lockfile built in memory has no bytes to file anything under
        assert _settled_diff(built, served, tmp_path) == ([], 1)


@pytest.mark.parametrize("later", sorted(_UPSTREAM))
@pytest.mark.parametrize("at_lock", sorted(_UPSTREAM))
def test_fresh_records_filed_where_the_lockfile_is_written_settle_only_what_they_were(
    at_lock: str, later: str, tmp_path: Path
) -> None:
    # `lock` files its fresh records under the digest the cache will serve them with; the
    # next check skips exactly those comparisons, and compares any other record.
    fresh = result(rr(evidence=(_UPSTREAM[at_lock],)))
    lock = _read_back(build_lock(fresh, None, DAY1))
    with Memo.open(tmp_path) as memo:
        filing = SettledSources(memo.view(SETTLED_KIND), "/x/citetrack.lock", lock, name_fresh=True)
        assert diff(lock, fresh, DAY1, settled=filing) == []
        filing.flush()
    now = result(rr(evidence=(_served(_UPSTREAM[later], tmp_path),)))
    plain = diff(lock, result(rr(evidence=(_UPSTREAM[later],))), DAY1)
    found, reduced = _settled_diff(lock, now, tmp_path)
    assert found == plain
    assert reduced == (0 if later == at_lock else 1)


def test_a_damaged_settled_set_is_a_miss(tmp_path: Path) -> None:
    lock = _read_back(build_lock(result(rr(evidence=(crossref(),))), None, DAY1))
    now = result(rr(evidence=(_served(crossref(title="A corrected title"), tmp_path),)))
    with Memo.open(tmp_path) as memo:
        memo.view(SETTLED_KIND).put_many({"/x/citetrack.lock": "not a digest\nab\ncd"})
    found, reduced = _settled_diff(lock, now, tmp_path)
    assert [(f.rule, f.field) for f in found] == [("metadata-changed", "title")]
    assert reduced == 1
