"""Rate and concurrency limits: the limiter itself (with a fake clock) and each service's 429."""

from __future__ import annotations

import threading

import httpx
import pytest

from citetrack_emulator import Emulator
from citetrack_emulator.limits import PUBLISHED, Limiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_allows_limit_per_interval() -> None:
    clock = FakeClock()
    limiter = Limiter(clock)
    limiter.configure({"eutils": {"limit": 3, "interval": 1}})
    decisions = [limiter.acquire("eutils", "ip") for _ in range(4)]
    for d in decisions:
        if d.allowed:
            limiter.release(d)
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert (decisions[-1].count, decisions[-1].reason, decisions[-1].remaining) == (4, "rate", 0)
    clock.now += 1.0  # the window slides past the first three
    assert limiter.acquire("eutils", "ip").allowed


def test_clients_are_counted_separately() -> None:
    limiter = Limiter(FakeClock())
    limiter.configure({"eutils:key": {"limit": 1}})
    assert limiter.acquire("eutils:key", "a").allowed
    assert limiter.acquire("eutils:key", "b").allowed
    assert not limiter.acquire("eutils:key", "a").allowed


def test_concurrency_limit_counts_requests_in_flight() -> None:
    limiter = Limiter(FakeClock())
    limiter.configure({"crossref:public:single": {"concurrency": 1, "limit": 100}})
    first = limiter.acquire("crossref:public:single")
    second = limiter.acquire("crossref:public:single")
    assert first.allowed and not second.allowed and second.reason == "concurrency"
    limiter.release(first)
    assert limiter.acquire("crossref:public:single").allowed


def test_off_counts_but_never_refuses() -> None:
    limiter = Limiter(FakeClock())
    limiter.configure("off")
    decisions = [limiter.acquire("crossref:public:list") for _ in range(5)]
    assert all(d.allowed for d in decisions)
    assert decisions[-1].count == 5  # still counted (for headers)


def test_published_preset_and_prefix_updates() -> None:
    limiter = Limiter()
    limiter.configure("published")
    assert limiter.enforce and limiter.buckets == PUBLISHED
    assert (
        PUBLISHED["crossref:polite:single"].limit,
        PUBLISHED["crossref:polite:single"].concurrency,
    ) == (10, 3)
    assert (PUBLISHED["crossref:polite:list"].limit, PUBLISHED["crossref:public:list"].limit) == (
        3,
        1,
    )
    assert (PUBLISHED["wayback:cdx"].limit, PUBLISHED["wayback:cdx"].interval) == (30, 60.0)
    limiter.configure({"crossref": {"rate": 50}, "enforce": False})
    assert {limiter.buckets[b].limit for b in limiter.buckets if b.startswith("crossref")} == {50}
    assert not limiter.enforce
    with pytest.raises(ValueError, match="unknown limit bucket"):
        limiter.configure({"gopher": {"rate": 1}})
    with pytest.raises(ValueError, match="keys"):
        limiter.configure({"eutils": {"speed": 1}})


def test_crossref_429_with_retry_after_and_pool_headers(emulator: Emulator) -> None:
    emulator.set_limits({"crossref": {"limit": 1, "interval": 3600, "retry_after": 2}})
    with httpx.Client(base_url=emulator.url + "/crossref") as c:
        ok = c.get("/works", params={"filter": "doi:10.3322/caac.20005"})
        refused = c.get("/works", params={"filter": "doi:10.3322/caac.20005"})
        other_route = c.get("/works/10.3322/caac.20005")  # single-record bucket is separate
    assert (ok.status_code, refused.status_code, other_route.status_code) == (200, 429, 200)
    assert refused.headers["retry-after"] == "2"
    assert refused.headers["x-rate-limit-limit"] == "1"
    assert refused.headers["x-rate-limit-interval"] == "3600s"
    assert emulator.stats()["services"]["crossref"]["rate_limited"] == 1


def test_crossref_concurrency_limit_refuses_a_second_request_in_flight(emulator: Emulator) -> None:
    emulator.set_limits({"crossref:public:single": {"concurrency": 1, "limit": 1000}})
    emulator.add_fault("crossref", "hang", times=1)
    with httpx.Client(base_url=emulator.url + "/crossref", timeout=30) as c:

        def parked_request() -> None:
            with pytest.raises(httpx.HTTPError):
                c.get("/works/10.3322/caac.20005")

        worker = threading.Thread(target=parked_request)
        worker.start()
        while emulator.stats().get("services", {}).get("crossref", {}).get("in_flight") != 1:
            worker.join(0.01)
        second = c.get("/works/10.3322/caac.20005")
        emulator.clear_faults()
        worker.join(10)
    assert second.status_code == 429
    assert second.headers["x-concurrency-limit"] == "1"


def test_published_limits_refuse_the_31st_cdx_search_in_a_minute() -> None:
    with Emulator(limits="published") as emu, httpx.Client(base_url=emu.url + "/wayback") as c:
        codes = [
            c.get("/cdx/search/cdx", params={"url": "cnn.com", "limit": "1"}).status_code
            for _ in range(31)
        ]
    assert codes.count(200) == 30 and codes[-1] == 429  # CDX: 30 per minute


def test_batch_size_limit_in_each_service(emulator: Emulator) -> None:
    emulator.set_limits(
        {"crossref": {"batch": 2}, "eutils": {"batch": 2}, "doi": {"batch": 2}, "enforce": False}
    )
    three = "doi:10.3322/caac.20005,doi:10.1530/eje.0.1510531,doi:10.1056/nejmc0805992"
    with httpx.Client(base_url=emulator.url) as c:
        assert c.get("/crossref/works", params={"filter": three}).status_code == 414
        assert (
            c.get("/eutils/esummary.fcgi", params={"db": "pubmed", "id": "1,2,3"}).status_code
            == 414
        )
        assert (
            c.get("/eutils/esummary.fcgi", params={"db": "pubmed", "id": "1,2"}).status_code == 200
        )
        assert c.get("/doi/doiRA/10.1000/a,10.1000/b,10.1000/c").status_code == 414
