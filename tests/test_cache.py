"""citetrack.tracking.cache: evidence round-trips, TTLs, modes, and recovery from a bad file."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from pathlib import Path

import pytest

from citetrack.model import (
    Author,
    Found,
    NotFound,
    Source,
    Unavailable,
    Update,
    UpdateKind,
    WorkMetadata,
)
from citetrack.registries.base import resolve_cached
from citetrack.tracking import cache as cache_module
from citetrack.tracking.cache import (
    CACHE_FILENAME,
    DAY,
    CacheMode,
    EvidenceCache,
    default_cache_dir,
)
from citetrack.tracking.codec import (
    evidence_from_dict,
    evidence_to_dict,
)

# SYNTHETIC metadata (values shaped like a real Crossref record).
META = WorkMetadata(
    source=Source.CROSSREF,
    doi="10.1371/journal.pone.0033693",
    title="Methylphenidate Exposure Induces Dopamine Neuron Loss",
    authors=(Author("Sadasivan", "Shankar"), Author(literal="The Consortium")),
    year=2012,
    years=(2012,),
    month=3,
    container="PLoS ONE",
    volume="7",
    issue="3",
    pages="e33693",
    work_type="journal-article",
    issn=("1932-6203",),
    updates=(
        Update(
            UpdateKind.CORRECTION,
            "10.1371/annotation/c76da2c1",
            "publisher",
            "2012-05-08",
            "Correction",
        ),
    ),
    publication_types=("notice:retraction",),
    agency="Crossref",
)
FOUND = Found(Source.CROSSREF, "10.1371/journal.pone.0033693", META)
MISSING = NotFound(Source.CROSSREF, "10.1371/notarealdoi", "not registered with Crossref")


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def open_cache(tmp_path: Path, clock: Clock | None = None, **kw: object) -> EvidenceCache:
    return EvidenceCache(tmp_path / CACHE_FILENAME, clock=clock or Clock(), **kw)  # type: ignore[arg-type]


def test_evidence_round_trips_through_json() -> None:
    for evidence in (FOUND, MISSING):
        text = json.dumps(evidence_to_dict(evidence))
        assert evidence_from_dict(json.loads(text)) == evidence


@pytest.mark.parametrize(
    "payload",
    [
        {"kind": "found", "source": "crossref", "identifier": "x", "metadata": []},
        {"kind": "found", "source": "crossref", "identifier": "x", "metadata": {"year": 1}},
        {"kind": "found", "source": "nowhere", "identifier": "x", "metadata": {}},
        {"kind": "maybe", "source": "crossref", "identifier": "x"},
        {"kind": "not_found", "source": "crossref", "identifier": 5, "reason": "r"},
        {
            "kind": "found",
            "source": "crossref",
            "identifier": "x",
            "metadata": {"source": "crossref", "authors": [{"family": 3}]},
        },
        {
            "kind": "found",
            "source": "crossref",
            "identifier": "x",
            "metadata": {"source": "crossref", "updates": [{"kind": "explosion"}]},
        },
    ],
)
def test_malformed_payloads_raise(payload: dict[str, object]) -> None:
    with pytest.raises((ValueError, TypeError, KeyError)):
        evidence_from_dict(payload)


# The round trip of every record shape: tests/test_codec.py.


def test_store_and_read_back(tmp_path: Path) -> None:
    with open_cache(tmp_path) as cache:
        cache.put_many([FOUND, MISSING])
        got = cache.get_many(Source.CROSSREF, [FOUND.identifier, MISSING.identifier, "10.1/x"])
    assert got == {FOUND.identifier: FOUND, MISSING.identifier: MISSING}
    with open_cache(tmp_path) as reopened:  # persisted
        assert reopened.get(Source.CROSSREF, FOUND.identifier) == FOUND
        assert reopened.get(Source.PUBMED, FOUND.identifier) is None  # per source


def test_unavailable_is_never_stored(tmp_path: Path) -> None:
    with open_cache(tmp_path) as cache:
        cache.put(Unavailable(Source.CROSSREF, "10.1/x", "HTTP 503 after 4 attempts"))
        assert cache.get(Source.CROSSREF, "10.1/x") is None


def test_ttls_differ_for_found_and_not_found(tmp_path: Path) -> None:
    clock = Clock()
    with open_cache(tmp_path, clock) as cache:
        cache.put_many([FOUND, MISSING])
        clock.now += 1 * DAY + 1
        assert cache.get(Source.CROSSREF, MISSING.identifier) is None
        assert cache.get(Source.CROSSREF, FOUND.identifier) == FOUND
        clock.now += 6 * DAY
        assert cache.get(Source.CROSSREF, FOUND.identifier) is None
        assert cache.prune() == 2


def test_ttl_is_configurable(tmp_path: Path) -> None:
    clock = Clock()
    with open_cache(tmp_path, clock, found_ttl=60.0) as cache:
        cache.put(FOUND)
        clock.now += 61
        assert cache.get(Source.CROSSREF, FOUND.identifier) is None


def test_no_cache_mode_touches_nothing(tmp_path: Path) -> None:
    with EvidenceCache.open(tmp_path, mode=CacheMode.NO_CACHE) as cache:
        cache.put(FOUND)
        assert cache.get(Source.CROSSREF, FOUND.identifier) is None
    assert not (tmp_path / CACHE_FILENAME).exists()


def test_offline_mode_reads_but_never_writes(tmp_path: Path) -> None:
    with open_cache(tmp_path) as cache:
        cache.put(FOUND)
    with open_cache(tmp_path, mode=CacheMode.OFFLINE) as offline:
        assert offline.offline
        assert offline.get(Source.CROSSREF, FOUND.identifier) == FOUND
        offline.put(MISSING)
        assert offline.get(Source.CROSSREF, MISSING.identifier) is None


async def test_offline_miss_is_unavailable_without_asking(tmp_path: Path) -> None:
    asked: list[list[str]] = []

    async def fetch(keys: list[str]) -> dict[str, Found | NotFound | Unavailable]:
        asked.append(keys)
        return {}

    with open_cache(tmp_path) as cache:
        cache.put(FOUND)
    with open_cache(tmp_path, mode=CacheMode.OFFLINE) as offline:
        result = await resolve_cached(
            offline, Source.CROSSREF, [FOUND.identifier, "10.1/other"], fetch
        )
    assert asked == []
    assert result[FOUND.identifier] == FOUND
    assert result["10.1/other"] == Unavailable(
        Source.CROSSREF, "10.1/other", "offline: not in cache"
    )


async def test_resolve_cached_stores_answers_but_not_unavailable(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    async def fetch(keys: list[str]) -> dict[str, Found | NotFound | Unavailable]:
        calls.append(keys)
        return {
            FOUND.identifier: FOUND,
            "10.1/down": Unavailable(Source.CROSSREF, "10.1/down", "timeout after 4 attempts"),
        }

    keys = [FOUND.identifier, "10.1/down", FOUND.identifier, "10.1/silent"]
    with open_cache(tmp_path) as cache:
        first = await resolve_cached(cache, Source.CROSSREF, keys, fetch)
        second = await resolve_cached(cache, Source.CROSSREF, keys, fetch)
    assert calls == [
        [FOUND.identifier, "10.1/down", "10.1/silent"],
        ["10.1/down", "10.1/silent"],
    ]
    assert first[FOUND.identifier] == second[FOUND.identifier] == FOUND
    assert isinstance(first["10.1/silent"], Unavailable)  # never silently missing


def test_corrupt_file_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILENAME
    path.write_bytes(b"this is not a database, just junk" * 100)
    with open_cache(tmp_path) as cache:
        assert cache.enabled
        cache.put(FOUND)
        assert cache.get(Source.CROSSREF, FOUND.identifier) == FOUND
    aside = list(tmp_path.glob(f"{CACHE_FILENAME}.corrupt-*"))
    assert len(aside) == 1
    assert aside[0].read_bytes().startswith(b"this is not a database")


def test_truncated_database_is_recovered(tmp_path: Path) -> None:
    with open_cache(tmp_path) as cache:
        cache.put_many([FOUND, MISSING])
    path = tmp_path / CACHE_FILENAME
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3] + b"\x00garbage" * 50)
    with open_cache(tmp_path) as cache:
        assert cache.enabled  # never fatal
        cache.put(FOUND)
        assert cache.get(Source.CROSSREF, FOUND.identifier) == FOUND


def _counting_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the integrity checks the cache makes (each still made for real)."""
    calls: list[int] = []
    real = cache_module._quick_check

    def counted(db: sqlite3.Connection) -> tuple[object, ...] | None:
        calls.append(1)
        return real(db)

    monkeypatch.setattr(cache_module, "_quick_check", counted)
    return calls


def test_an_unchanged_file_is_checked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting_checks(monkeypatch)
    with open_cache(tmp_path) as cache:
        cache.put_many([FOUND, MISSING])
    assert len(calls) == 1  # a new file
    with open_cache(tmp_path) as cache:  # written by the run before: checked
        assert cache.get(Source.CROSSREF, FOUND.identifier) == FOUND
    assert len(calls) == 2
    for _ in range(2):  # as it was when checked: not checked again, served the same
        with open_cache(tmp_path) as cache:
            assert cache.get(Source.CROSSREF, FOUND.identifier) == FOUND
            assert cache.get(Source.CROSSREF, MISSING.identifier) == MISSING
    assert len(calls) == 2
    with open_cache(tmp_path) as cache:
        cache.put(FOUND)  # a write: the next run checks again
    assert len(calls) == 2
    with open_cache(tmp_path) as cache:
        pass
    assert len(calls) == 3


def test_a_file_changed_in_place_with_its_times_set_back_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting_checks(monkeypatch)
    with open_cache(tmp_path) as cache:
        cache.put_many([FOUND, MISSING])
    with open_cache(tmp_path):
        pass  # checked, its identity kept
    path = tmp_path / CACHE_FILENAME
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xa5" * (len(data) - 4096)  # every page after the first: same size
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    count = len(calls)
    with open_cache(tmp_path) as cache:
        assert cache.enabled  # never fatal: checked, moved aside, started afresh
        assert cache.get(Source.CROSSREF, FOUND.identifier) is None
        cache.put(FOUND)
        assert cache.get(Source.CROSSREF, FOUND.identifier) == FOUND
    assert len(calls) > count
    assert list(tmp_path.glob(f"{CACHE_FILENAME}.corrupt-*"))


def test_damage_met_by_a_read_makes_the_next_run_check(tmp_path: Path) -> None:
    """A file damaged without a change to its times (as a disk's fault would): the stored
    identity is forged to match.  The run that meets the damage goes without the cache
    (never fatal, nothing served from it) and the next one checks and rebuilds it."""
    with open_cache(tmp_path) as cache:
        cache.put_many([FOUND, MISSING])
    with open_cache(tmp_path):
        pass
    path = tmp_path / CACHE_FILENAME
    with contextlib.closing(sqlite3.connect(path)) as db:
        size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'evidence'").fetchone()
    data = bytearray(path.read_bytes())
    start = (root[0] - 1) * size  # the records' page only: the file opens as before
    data[start : start + size] = b"\xa5" * size
    path.write_bytes(bytes(data))
    identity = cache_module.file_identity(path)
    assert identity is not None
    cache_module.mark_checked(path, identity)
    with open_cache(tmp_path) as cache:
        assert cache.enabled  # opened unchecked
        assert cache.get(Source.CROSSREF, FOUND.identifier) is None
        assert not cache.enabled  # the read met the damage
        assert cache.get(Source.CROSSREF, MISSING.identifier) is None
    assert not cache_module.checked_path(path).exists()
    assert not list(tmp_path.glob(f"{CACHE_FILENAME}.corrupt-*"))
    with open_cache(tmp_path) as cache:
        assert cache.enabled
        cache.put(FOUND)
        assert cache.get(Source.CROSSREF, FOUND.identifier) == FOUND
    assert list(tmp_path.glob(f"{CACHE_FILENAME}.corrupt-*"))


def test_a_write_ahead_log_with_pages_is_checked(tmp_path: Path) -> None:
    with open_cache(tmp_path) as cache:
        cache.put(FOUND)
    path = tmp_path / CACHE_FILENAME
    assert cache_module.file_identity(path) is not None
    Path(f"{path}-wal").write_bytes(b"\0" * 32)
    assert cache_module.file_identity(path) is None
    assert cache_module.file_identity(tmp_path / "absent.sqlite3") is None


def test_unreadable_row_is_a_miss_and_is_dropped(tmp_path: Path) -> None:
    with open_cache(tmp_path) as cache:
        cache.put(FOUND)
    db = sqlite3.connect(tmp_path / CACHE_FILENAME)
    with db:
        db.execute("UPDATE evidence SET payload = '{\"kind\": broken'")
    db.close()
    with open_cache(tmp_path) as cache:
        assert cache.get(Source.CROSSREF, FOUND.identifier) is None
    db = sqlite3.connect(tmp_path / CACHE_FILENAME)
    assert db.execute("SELECT COUNT(*) FROM evidence").fetchone() == (0,)
    db.close()


def test_other_format_version_is_discarded(tmp_path: Path) -> None:
    with open_cache(tmp_path) as cache:
        cache.put(FOUND)
    db = sqlite3.connect(tmp_path / CACHE_FILENAME)
    with db:
        db.execute("UPDATE meta SET value = '0' WHERE key = 'format'")
    db.close()
    with open_cache(tmp_path) as cache:
        assert cache.get(Source.CROSSREF, FOUND.identifier) is None


def test_wal_journal(tmp_path: Path) -> None:
    with open_cache(tmp_path):
        pass
    db = sqlite3.connect(tmp_path / CACHE_FILENAME)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.close()


def test_unwritable_location_disables_the_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with EvidenceCache.open(blocker / "sub") as cache:
        assert not cache.enabled
        cache.put(FOUND)  # no error
        assert cache.get(Source.CROSSREF, FOUND.identifier) is None


def test_cache_dir_from_environment(tmp_path: Path) -> None:
    assert default_cache_dir({"CITETRACK_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert default_cache_dir({}).name == "citetrack"
    with EvidenceCache.open(environ={"CITETRACK_CACHE_DIR": str(tmp_path / "c")}) as cache:
        cache.put(FOUND)
    assert (tmp_path / "c" / CACHE_FILENAME).exists()


def test_clear(tmp_path: Path) -> None:
    with open_cache(tmp_path) as cache:
        cache.put_many([FOUND, MISSING])
        cache.clear()
        assert cache.get_many(Source.CROSSREF, [FOUND.identifier, MISSING.identifier]) == {}
