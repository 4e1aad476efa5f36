"""citetrack.tracking.store_pg against a real PostgreSQL (pgserver): same semantics as the
SQLite cache, versioned schema, upserts and claims that hold under concurrency.

All metadata here is SYNTHETIC.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from citetrack.model import Evidence, Found, NotFound, Source, Unavailable, WorkMetadata
from citetrack.registries.base import resolve_cached
from citetrack.tracking.cache import DAY, CacheMode, EvidenceCache
from citetrack.tracking.shared import fetch_claimed
from citetrack.tracking.store import EvidenceStore, StoreUnavailable, open_store
from citetrack.tracking.store_pg import SCHEMA_VERSION, PostgresStore


def found(doi: str, title: str = "A synthetic title") -> Found:
    return Found(Source.CROSSREF, doi, WorkMetadata(source=Source.CROSSREF, doi=doi, title=title))


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_both_stores_satisfy_the_interface(pg_uri: str, tmp_path: Path) -> None:
    with PostgresStore.connect(pg_uri) as pg, EvidenceCache(tmp_path / "c.sqlite3") as lite:
        assert isinstance(pg, EvidenceStore)
        assert isinstance(lite, EvidenceStore)


def test_first_use_migrates_and_records_the_version(pg_uri: str) -> None:
    with PostgresStore.connect(pg_uri):
        pass
    with PostgresStore.connect(pg_uri), psycopg.connect(pg_uri) as conn:  # second use: no-op
        meta = dict(conn.execute("SELECT key, value FROM citetrack_meta").fetchall())
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE tablename LIKE 'citetrack_%'"
            )
        }
    assert meta["schema"] == str(SCHEMA_VERSION)
    assert tables == {"citetrack_meta", "citetrack_evidence", "citetrack_claims"}


def test_a_schema_from_a_newer_citetrack_is_refused(pg_uri: str) -> None:
    with PostgresStore.connect(pg_uri), psycopg.connect(pg_uri, autocommit=True) as conn:
        conn.execute("UPDATE citetrack_meta SET value = '999' WHERE key = 'schema'")
    with pytest.raises(StoreUnavailable, match="newer"):
        PostgresStore.connect(pg_uri)


def test_concurrent_first_use_migrates_once(pg_uri: str) -> None:
    errors: list[BaseException] = []

    def first_use() -> None:
        try:
            PostgresStore.connect(pg_uri).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_round_trip_stores_answers_never_failures(pg_uri: str) -> None:
    with PostgresStore.connect(pg_uri) as store:
        store.put_many(
            [
                found("10.1/a"),
                NotFound(Source.CROSSREF, "10.1/b", "404"),
                Unavailable(Source.CROSSREF, "10.1/c", "timeout"),
            ]
        )
        got = store.get_many(Source.CROSSREF, ["10.1/a", "10.1/b", "10.1/c"])
        assert got == {
            "10.1/a": found("10.1/a"),
            "10.1/b": NotFound(Source.CROSSREF, "10.1/b", "404"),
        }
        assert store.get_many(Source.PUBMED, ["10.1/a"]) == {}  # keyed by source too


def test_ttls_as_in_the_sqlite_cache(pg_uri: str) -> None:
    clock = Clock()
    with PostgresStore.connect(pg_uri, found_ttl=7 * DAY, not_found_ttl=DAY, clock=clock) as s:
        s.put_many([found("10.1/a"), NotFound(Source.CROSSREF, "10.1/b", "404")])
        clock.now += DAY + 1
        assert set(s.get_many(Source.CROSSREF, ["10.1/a", "10.1/b"])) == {"10.1/a"}
        clock.now += 6 * DAY
        assert s.get_many(Source.CROSSREF, ["10.1/a", "10.1/b"]) == {}
        assert s.prune() == 2


def test_offline_reads_but_never_writes(pg_uri: str) -> None:
    with PostgresStore.connect(pg_uri) as normal:
        normal.put_many([found("10.1/a")])
    with PostgresStore.connect(pg_uri, mode=CacheMode.OFFLINE) as offline:
        offline.put_many([found("10.1/z")])
        assert set(offline.get_many(Source.CROSSREF, ["10.1/a", "10.1/z"])) == {"10.1/a"}


def test_newest_answer_wins(pg_uri: str) -> None:
    clock = Clock()
    with (
        PostgresStore.connect(pg_uri, clock=clock) as a,
        PostgresStore.connect(pg_uri, clock=clock) as b,
    ):
        clock.now += 10
        b.put_many([found("10.1/a", "newer")])
        clock.now -= 5  # a slower runner stores an older answer afterwards
        a.put_many([found("10.1/a", "older")])
        clock.now += 5
        assert a.get_many(Source.CROSSREF, ["10.1/a"])["10.1/a"].metadata.title == "newer"


def test_concurrent_overlapping_upserts_neither_fail_nor_deadlock(pg_uri: str) -> None:
    keys = [f"10.1/{i}" for i in range(300)]
    errors: list[BaseException] = []
    disabled: list[bool] = []

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            with PostgresStore.connect(pg_uri) as store:
                for _ in range(10):
                    batch = rng.sample(keys, 150)  # random order, heavy overlap
                    store.put_many([found(k, f"writer {seed}") for k in batch])
                disabled.append(not store.enabled)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert disabled == [False] * 6  # no statement failed (a deadlock would disable a store)
    with PostgresStore.connect(pg_uri) as store:
        stored = store.get_many(Source.CROSSREF, keys)
    written = {k for seed in range(6) for k in _written(seed, keys)}
    assert set(stored) == written


def _written(seed: int, keys: list[str]) -> set[str]:
    rng = random.Random(seed)
    return {k for _ in range(10) for k in rng.sample(keys, 150)}


def test_a_claim_is_held_until_answered_or_released(pg_uri: str) -> None:
    with PostgresStore.connect(pg_uri) as a, PostgresStore.connect(pg_uri) as b:
        assert a.claim(Source.CROSSREF, ["10.1/a", "10.1/b"]) == {"10.1/a", "10.1/b"}
        assert b.claim(Source.CROSSREF, ["10.1/a", "10.1/b", "10.1/c"]) == {"10.1/c"}
        a.put_many([found("10.1/a")])  # answering drops the claim
        a.release(Source.CROSSREF, ["10.1/b"])  # could not ask: someone else may
        assert b.claim(Source.CROSSREF, ["10.1/a", "10.1/b"]) == {"10.1/a", "10.1/b"}


def test_an_expired_claim_is_taken_over_and_close_releases(pg_uri: str) -> None:
    with PostgresStore.connect(pg_uri, lease=0.2) as dead, PostgresStore.connect(pg_uri) as b:
        dead.claim(Source.PUBMED, ["1"])
        assert b.claim(Source.PUBMED, ["1"]) == set()
        time.sleep(0.4)  # the runner died: its lease runs out
        assert b.claim(Source.PUBMED, ["1"]) == {"1"}
        b.close()
        with PostgresStore.connect(pg_uri) as c:
            assert c.claim(Source.PUBMED, ["1"]) == {"1"}


async def test_runners_sharing_a_store_ask_each_identifier_once(pg_uri: str) -> None:
    asked: Counter[str] = Counter()

    async def fetch(keys: list[str]) -> dict[str, Evidence]:
        asked.update(keys)
        await asyncio.sleep(0.05)  # a registry round trip
        return {k: found(k) for k in keys}

    keys = [f"10.1/{i}" for i in range(40)]
    stores = [PostgresStore.connect(pg_uri) for _ in range(4)]
    try:
        results = await asyncio.gather(
            *(
                resolve_cached(store, Source.CROSSREF, random.Random(n).sample(keys, 30), fetch)
                for n, store in enumerate(stores)
            )
        )
    finally:
        for store in stores:
            store.close()
    assert set(asked.values()) == {1}
    for n, result in enumerate(results):
        wanted = random.Random(n).sample(keys, 30)
        assert result == {k: found(k) for k in wanted}


async def test_a_runner_that_could_not_ask_lets_another_try(pg_uri: str) -> None:
    with PostgresStore.connect(pg_uri) as a, PostgresStore.connect(pg_uri) as b:

        async def failing(keys: list[str]) -> dict[str, Evidence]:
            return {k: Unavailable(Source.CROSSREF, k, "503") for k in keys}

        async def working(keys: list[str]) -> dict[str, Evidence]:
            return {k: found(k) for k in keys}

        first = await fetch_claimed(a, Source.CROSSREF, ["10.1/x"], failing)
        second = await fetch_claimed(b, Source.CROSSREF, ["10.1/x"], working)
        assert isinstance(first["10.1/x"], Unavailable)
        assert second == {"10.1/x": found("10.1/x")}


def test_unreachable_store_falls_back_with_a_warning_or_fails_when_required(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    uri = f"postgresql://nobody:secret@/db?host={tmp_path}/nowhere"
    warnings: list[str] = []
    store = open_store(
        uri, cache_dir=tmp_path, mode=CacheMode.NORMAL, found_ttl=DAY, warn=warnings.append
    )
    with store:
        assert isinstance(store, EvidenceCache)
    assert len(warnings) == 1
    assert "unreachable" in warnings[0]
    assert "secret" not in warnings[0]
    with pytest.raises(StoreUnavailable, match="unreachable"):
        open_store(uri, cache_dir=tmp_path, mode=CacheMode.NORMAL, found_ttl=DAY, required=True)


def test_a_store_failing_mid_run_is_disabled_not_fatal(
    pg_uri: str, caplog: pytest.LogCaptureFixture
) -> None:
    with PostgresStore.connect(pg_uri) as store, psycopg.connect(pg_uri, autocommit=True) as c:
        c.execute("DROP TABLE citetrack_evidence")
        with caplog.at_level(logging.WARNING):
            assert store.get_many(Source.CROSSREF, ["10.1/a"]) == {}
        assert not store.enabled
        assert store.claim(Source.CROSSREF, ["10.1/a"]) == {"10.1/a"}  # no coordination
        assert "disabled" in caplog.text


def test_runners_in_threads_claiming_answering_and_renewing_at_once(pg_uri: str) -> None:
    """Six runners (threads: truly concurrent statements), overlapping keys in random
    order, chunks resolved concurrently as the pipeline does, leases renewed meanwhile:
    no store is disabled (a deadlock would disable it) and each key is asked once."""
    keys = [f"10.1/{i}" for i in range(400)]
    asked: Counter[str] = Counter()
    counting = threading.Lock()
    problems: list[object] = []

    async def fetch(batch: list[str]) -> dict[str, Evidence]:
        with counting:
            asked.update(batch)
        await asyncio.sleep(0.01)
        return {k: found(k) for k in batch}

    async def runner(store: PostgresStore, wanted: list[str]) -> None:
        chunks = [wanted[i : i + 40] for i in range(0, len(wanted), 40)]

        async def renewing() -> None:
            for _ in range(20):
                store.renew()
                await asyncio.sleep(0.005)

        results = await asyncio.gather(
            renewing(), *(resolve_cached(store, Source.CROSSREF, c, fetch) for c in chunks)
        )
        got = {k: v for part in results[1:] for k, v in part.items()}
        if got != {k: found(k) for k in wanted}:
            problems.append(("wrong answers", store.owner))

    def thread(seed: int) -> None:
        wanted = random.Random(seed).sample(keys, 300)
        try:
            with PostgresStore.connect(pg_uri) as store:
                asyncio.run(runner(store, wanted))
                if not store.enabled:
                    problems.append(("disabled", seed))
        except BaseException as exc:
            problems.append(exc)

    threads = [threading.Thread(target=thread, args=(seed,)) for seed in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    assert set(asked.values()) == {1}
