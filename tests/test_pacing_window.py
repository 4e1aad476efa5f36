"""Pacing to a server's sliding window (issue 16, the cold path).

Crossref's polite list route allows 3 requests in any second with 3 in flight.  A limiter
with ``window=True`` sends up to 3 at once and the next 3 once a second (plus a margin) has
passed since the first 3 went on the wire.  These tests run the limiter on a virtual clock
(no test waits for real time and none asserts a wall time): they assert on the schedule it
produces — no second holds more than the limit, as many as allowed are in flight — and
replay the schedule, with arrival jitter, through the emulator's own sliding-window counter.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from collections.abc import Awaitable
from typing import TypeVar

import httpx
import pytest

from citetrack.net import Limiters, NetConfig, RateLimiter, RateSpec
from citetrack.net.config import WINDOW_SAFETY
from citetrack_emulator.limits import Limiter

T = TypeVar("T")

WINDOW = 1.0 + WINDOW_SAFETY  # seconds from one window's first send to the next one's


class VirtualTime:
    """A clock that jumps to the next sleeper's wake-up once every task is blocked."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.now + max(0.0, seconds), next(self._seq), future))
        await future

    async def run(self, work: Awaitable[T]) -> T:
        task = asyncio.ensure_future(work)
        while True:
            for _ in range(20):  # let every runnable task run until it blocks
                await asyncio.sleep(0)
            if task.done():
                return task.result()
            assert self._timers, "deadlock: every task waits and no timer is set"
            when, _, future = heapq.heappop(self._timers)
            self.now = max(self.now, when)
            future.set_result(None)


class Server:
    """What the server sees: sends (on the wire), arrivals, and requests in flight."""

    def __init__(self, time: VirtualTime, latency: float) -> None:
        self.time = time
        self.latency = latency
        self.sends: list[float] = []
        self.in_flight = 0
        self.peak = 0

    async def ask(self, limiter: RateLimiter) -> None:
        async with limiter.turn() as turn:
            turn.sent()
            self.sends.append(self.time.now)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            await self.time.sleep(self.latency)
            self.in_flight -= 1


def crossref_list(time: VirtualTime) -> RateLimiter:
    return Limiters.from_config(
        NetConfig(mailto="bench@example.org"), clock=time.clock, sleep=time.sleep
    ).crossref_list


def most_in_any_window(sends: list[float], interval: float = 1.0) -> int:
    """The largest number of sends inside any half-open window ``[t, t + interval)``."""
    ordered = sorted(sends)
    return max(
        sum(1 for s in ordered[i:] if s < start + interval) for i, start in enumerate(ordered)
    )


def run_requests(limiter: RateLimiter, time: VirtualTime, count: int, latency: float) -> Server:
    server = Server(time, latency)

    async def main() -> None:
        await time.run(asyncio.gather(*(server.ask(limiter) for _ in range(count))))

    asyncio.run(main())
    return server


def test_crossref_list_sends_three_at_once_then_three_a_second_later() -> None:
    time = VirtualTime()
    server = run_requests(crossref_list(time), time, 30, latency=0.1)
    start = server.sends[0]
    offsets = [round(s - start, 6) for s in server.sends]
    # Ten windows of three, each 1 s + the margin after the previous one.
    assert offsets == [pytest.approx(WINDOW * (i // 3)) for i in range(30)]
    assert most_in_any_window(server.sends) == 3
    assert server.peak == 3  # the pool's concurrency is used (it was 1 before)


def test_window_pacing_never_exceeds_the_limit_and_keeps_the_concurrency_cap() -> None:
    """Slow answers (longer than the window): the cap of 2 in flight holds, and no second
    ever holds more than the 5 the server allows."""
    time = VirtualTime()
    limiter = RateLimiter(
        "t", RateSpec(5.0, 2), safety=0.03, window=True, clock=time.clock, sleep=time.sleep
    )
    server = run_requests(limiter, time, 40, latency=0.25)
    assert server.peak == 2
    assert most_in_any_window(server.sends) <= 5
    fast = run_requests(
        RateLimiter(
            "t", RateSpec(5.0, 5), safety=0.03, window=True, clock=time.clock, sleep=time.sleep
        ),
        time,
        40,
        latency=0.01,
    )
    assert most_in_any_window(fast.sends) == 5
    assert fast.peak == 5


def test_the_emulators_window_accepts_the_schedule_with_arrival_jitter() -> None:
    """The sends, each arriving up to 90 % of the margin late, replayed through
    the emulator's own sliding-window counter for Crossref's list route: nothing refused."""
    time = VirtualTime()
    server = run_requests(crossref_list(time), time, 60, latency=0.1)
    rng = random.Random(16)
    arrivals = sorted(s + rng.uniform(0.0, 0.9 * WINDOW_SAFETY) for s in server.sends)
    clock = iter(arrivals)
    now = [0.0]

    def emulator_clock() -> float:
        return now[0]

    emulator = Limiter(clock=emulator_clock)
    emulator.configure({"crossref:polite:list": {"limit": 3, "interval": 1.0}})
    refused = 0
    for arrival in clock:
        now[0] = arrival
        decision = emulator.acquire("crossref:polite:list")
        refused += not decision.allowed
        if decision.allowed:
            emulator.release(decision)
    assert refused == 0
    # The same schedule without the margin would be refused: the margin is what absorbs it.
    squeezed = [server.sends[0] + (s - server.sends[0]) / WINDOW for s in server.sends]
    late = [s + (0.9 * WINDOW_SAFETY if i % 3 == 0 else 0.0) for i, s in enumerate(squeezed)]
    emulator.reset_counters()
    refused = 0
    for arrival in sorted(late):
        now[0] = arrival
        decision = emulator.acquire("crossref:polite:list")
        refused += not decision.allowed
        if decision.allowed:
            emulator.release(decision)
    assert refused > 0


def test_windows_count_from_when_requests_went_on_the_wire() -> None:
    """A request that reaches the wire late (a slow first connection) moves its window."""
    time = VirtualTime()
    limiter = crossref_list(time)
    sends: list[float] = []

    async def ask(delay: float) -> None:
        async with limiter.turn() as turn:
            await time.sleep(delay)  # opening the connection
            turn.sent()
            sends.append(time.now)
            await time.sleep(0.1)

    async def main() -> None:
        await time.run(asyncio.gather(ask(0.4), *(ask(0.0) for _ in range(5))))

    asyncio.run(main())
    # The first went out 0.4 s late; the others wait for it, and the 4th waits a window
    # after the first one's real send.
    assert sends[3] - sends[0] == pytest.approx(WINDOW)
    assert most_in_any_window(sends) == 3


def test_a_window_counts_from_the_end_of_the_header_write() -> None:
    """httpcore's ``send_request_headers.started`` may come well before the bytes are
    written (the write yields to the event loop): the window counts from ``.complete``."""
    time = VirtualTime()
    limiter = crossref_list(time)
    written: list[float] = []

    async def ask(stalled: float) -> None:
        async with limiter.turn() as turn:
            await turn.trace("http11.send_request_headers.started", {})
            await time.sleep(stalled)  # the event loop was busy elsewhere
            await turn.trace("http11.send_request_headers.complete", {})
            written.append(time.now)
            await time.sleep(0.1)

    async def main() -> None:
        # The first request's write is held up 50 ms; the fourth's is not.
        await time.run(asyncio.gather(ask(0.05), *(ask(0.0) for _ in range(5))))

    asyncio.run(main())
    assert written[3] - written[0] >= WINDOW - 1e-9
    assert most_in_any_window(written) == 3


def test_a_first_429_widens_the_margin_and_keeps_the_window() -> None:
    time = VirtualTime()
    limiter = crossref_list(time)
    limiter.throttled(retry_after=1.0)
    assert limiter.burst == 3
    widened = 1.0 + 2 * WINDOW_SAFETY + 0.02
    server = run_requests(limiter, time, 9, latency=0.1)
    # Nothing before the server's Retry-After, then windows of three with the wider margin.
    assert server.sends[0] >= 1001.0
    assert server.sends[3] - server.sends[0] == pytest.approx(widened)
    assert server.peak == 3


def test_after_a_second_429_the_limiter_spaces_evenly() -> None:
    time = VirtualTime()
    limiter = crossref_list(time)
    assert limiter.burst == 3
    limiter.throttled()
    limiter.throttled()
    assert limiter.burst == 1
    server = run_requests(limiter, time, 6, latency=0.1)
    gaps = [b - a for a, b in itertools.pairwise(server.sends)]
    # Half the pace (1.5/s), evenly, with the widened margin.
    widened = 1.0 + 2 * WINDOW_SAFETY + 0.02
    assert all(gap == pytest.approx(widened / 1.5) for gap in gaps)
    assert server.peak == 1


def test_the_window_follows_the_servers_headers() -> None:
    """``x-rate-limit-limit: 1`` / ``x-concurrency-limit: 1`` (Crossref's public list pool):
    one request a second, one in flight."""
    time = VirtualTime()
    limiter = crossref_list(time)
    limiter.observe(
        httpx.Response(
            200,
            headers={
                "x-rate-limit-limit": "1",
                "x-rate-limit-interval": "1s",
                "x-concurrency-limit": "1",
            },
        )
    )
    assert (limiter.burst, limiter.concurrency) == (1, 1)
    server = run_requests(limiter, time, 5, latency=0.1)
    assert most_in_any_window(server.sends) == 1
    assert server.peak == 1
