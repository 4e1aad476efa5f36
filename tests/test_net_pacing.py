"""citetrack.net pacing: requests spaced by when they go on the wire, with a safety margin.

A server that allows N requests in any sliding second refuses the (N+1)-th when one request
reaches it late and the next on time; the limiter therefore counts from the moment the
transport reports the request headers written (httpcore's ``trace`` extension), waits for
the previous request to be on the wire before releasing the next, and keeps a 5 % margin
(11 % for NCBI, as Biopython learnt).
No test sleeps: clocks and sleeps are fakes, transports are in-process.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import random
from collections.abc import Callable

import httpx
import pytest

from citetrack.net import (
    Http,
    Limiters,
    NetConfig,
    RateLimiter,
    RateSpec,
    RetryPolicy,
    ServiceUnavailable,
    Turn,
    request,
)


class FakeTime:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 100.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


SAFETY = 0.05


def limiter(time: FakeTime, rate: float = 10.0, concurrency: int = 3) -> RateLimiter:
    return RateLimiter(
        "t", RateSpec(rate, concurrency), safety=SAFETY, clock=time.clock, sleep=time.sleep
    )


class TracingTransport(httpx.AsyncBaseTransport):
    """Like httpcore: reports ``send_request_headers.started``/``.complete`` through the
    ``trace`` extension, after ``setup(n)`` seconds of connection set-up for the n-th request."""

    def __init__(self, time: FakeTime, setup: Callable[[int], float]) -> None:
        self.time = time
        self.setup = setup
        self.count = itertools.count()
        self.on_wire: list[float] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        delay = self.setup(next(self.count))
        await self.time.sleep(delay)
        trace = request.extensions.get("trace")
        if trace is not None:
            await trace("connection.connect_tcp.started", {})
            await trace("http11.send_request_headers.started", {"request": request})
            await trace("http11.send_request_headers.complete", {"request": request})
        self.on_wire.append(self.time.now)
        return httpx.Response(200, request=request)


async def send_all(
    transport: httpx.AsyncBaseTransport, lim: RateLimiter, time: FakeTime, n: int
) -> None:
    async with httpx.AsyncClient(transport=transport) as client:
        await asyncio.gather(
            *(
                request(
                    client,
                    lim,
                    "GET",
                    "https://registry.test/x",
                    service="crossref",
                    policy=RetryPolicy(max_attempts=1),
                    sleep=time.sleep,
                    rng=random.Random(1),
                )
                for _ in range(n)
            )
        )


def test_spacing_carries_the_safety_margin() -> None:
    lim = RateLimiter("t", RateSpec(10.0, 3), safety=0.05)
    assert lim.rate == 10.0  # the announced pace is kept as it is …
    assert lim.spacing == pytest.approx(0.105)  # … and requests leave 5 % further apart
    # No margin unless asked: a link checker's "one request per second" means just that.
    assert RateLimiter("t", RateSpec(10.0, 3)).spacing == pytest.approx(0.1)
    with pytest.raises(ValueError, match="safety"):
        RateLimiter("t", RateSpec(10.0, 3), safety=1.0)


async def test_plain_use_spaces_starts_with_the_margin() -> None:
    time = FakeTime()
    lim = limiter(time, rate=4.0, concurrency=4)
    starts: list[float] = []

    async def job() -> None:
        async with lim:
            starts.append(time.now)

    await asyncio.gather(*(job() for _ in range(6)))
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) == pytest.approx(0.25 * (1 + SAFETY))


async def test_next_request_counts_from_when_the_previous_one_went_on_the_wire() -> None:
    time = FakeTime()
    lim = limiter(time)
    async with lim.turn() as first:
        released = time.now
        await time.sleep(0.5)  # a slow connection set-up
        first.sent()
    async with lim.turn():
        second = time.now
    assert second == pytest.approx(released + 0.5 + lim.spacing)


async def test_a_request_that_never_reports_counts_from_its_release() -> None:
    time = FakeTime()
    lim = limiter(time)
    async with lim.turn():
        released = time.now
    async with lim.turn():
        second = time.now
    assert second == pytest.approx(released + lim.spacing)


async def test_slow_first_connection_does_not_bunch_requests_at_the_server() -> None:
    # The first request needs 0.4 s to connect — longer than the 0.105 s spacing; the
    # others reuse connections.  Without waiting for the wire, the second and third would
    # be released on schedule and reach the server together with the first.
    time = FakeTime()
    lim = limiter(time, rate=10.0, concurrency=3)
    transport = TracingTransport(time, setup=lambda n: 0.4 if n == 0 else 0.0)
    await send_all(transport, lim, time, 6)
    gaps = [b - a for a, b in itertools.pairwise(sorted(transport.on_wire))]
    assert len(transport.on_wire) == 6
    assert min(gaps) >= lim.spacing - 1e-9


async def test_untraced_transport_keeps_concurrency_after_the_first_request() -> None:
    # httpx.MockTransport reports nothing: once the first request ended without a report,
    # the limiter stops waiting for reports and paces by release times alone.
    time = FakeTime()
    lim = limiter(time, rate=1000.0, concurrency=2)
    in_flight = 0
    peak = 0
    both = asyncio.Event()

    async def handler(req: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        if in_flight == 2:
            both.set()
        if req.url.path != "/first":
            await asyncio.wait_for(both.wait(), timeout=5)
        in_flight -= 1
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:

        async def get(path: str) -> None:
            await request(
                client, lim, "GET", f"https://r.test{path}", service="t", sleep=time.sleep
            )

        await get("/first")
        await asyncio.gather(get("/a"), get("/b"))
    assert peak == 2


async def test_request_removes_its_trace_hook_afterwards() -> None:
    time = FakeTime()
    lim = limiter(time)
    seen: list[httpx.Request] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(req)
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        await request(client, lim, "GET", "https://r.test/x", service="t", sleep=time.sleep)
    assert "trace" not in seen[0].extensions


def test_ncbi_requests_are_biopythons_0_37_s_apart() -> None:
    assert Limiters.from_config(NetConfig()).ncbi.spacing == pytest.approx(0.37)
    keyed = Limiters.from_config(NetConfig(ncbi_api_key="abc")).ncbi
    assert keyed.spacing == pytest.approx(0.111)
    polite = Limiters.from_config(NetConfig(mailto="a@b.org"))
    # Crossref is paced to its window: 3 (10) at once, 40 ms of margin per second.
    assert polite.crossref_list.spacing == pytest.approx(1.04 / 3)
    assert polite.crossref_list.burst == 3
    assert polite.crossref_single.spacing == pytest.approx(0.104)
    assert polite.crossref_single.burst == 10
    assert polite.doi_org.spacing == pytest.approx(1.05 / 5)


def test_circuit_breaker_stops_asking_a_service_that_keeps_failing() -> None:
    """Three requests in a row unavailable after their retries: the fourth is not sent."""
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(503)

    async def no_sleep(_: float) -> None:
        return None

    async def run() -> list[str]:
        client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        http = Http(client, policy=RetryPolicy(max_attempts=2), sleep=no_sleep)
        limiter = RateLimiter("x", RateSpec(1000.0, 1), sleep=no_sleep)
        reasons = []
        for _ in range(4):
            try:
                await http.request("x", limiter, "GET", "https://registry.test/a")
            except ServiceUnavailable as exc:
                reasons.append(exc.reason)
        await client.aclose()
        return reasons

    reasons = asyncio.run(run())
    assert len(sent) == 6  # 3 requests × 2 attempts; the 4th never leaves
    assert "not asked" in reasons[-1] and "503" in reasons[0]


async def test_an_evenly_spaced_limiter_leaves_no_finished_turn_to_the_collector() -> None:
    """Issue 16: the recent turns are read only when pacing to a window; kept by every
    limiter, each was in a cycle with it (the per-host page limiters of a cold 10,000-
    reference check left 2,115 for the cycle collector)."""
    time = FakeTime()
    lim = limiter(time)
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            async with lim.turn() as turn:
                turn.sent()
        del turn
        # This limiter's turns only: other tests' limiters may still be alive in the suite.
        turns = [o for o in gc.get_objects() if type(o) is Turn and o._limiter is lim]
        assert len(turns) == 1  # the last, which paces the next
    finally:
        if enabled:
            gc.enable()
