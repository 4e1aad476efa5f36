"""The adaptive window margin (issue 16, the cold path).

Pacing to Crossref's sliding window, a fixed 40 ms per window absorbed arrivals the server
counted late.  Now the margin of each window is 10 ms plus how much later than the fastest
recent answers the answer to the request it counts from came back: whatever held a
request up on its way to the server's counter held its answer up too.  These tests run the
limiter on a virtual clock (no wall time is asserted) and replay its schedule through the
emulator's own sliding-window counter, with each arrival as late as its answer says.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

import citetrack
from bench.gen_bib import make_bib, make_references, make_world
from citetrack.model import Status
from citetrack.net import Limiters, NetConfig, RateLimiter, RateSpec
from citetrack.net.config import WINDOW_SAFETY, WINDOW_SAFETY_MIN
from citetrack.net.pacing import Turn
from citetrack_emulator import Emulator
from citetrack_emulator.limits import Limiter
from tests.test_pacing_window import VirtualTime, most_in_any_window

BUCKET = "crossref:polite:list"


def crossref_list(time: VirtualTime) -> RateLimiter:
    return Limiters.from_config(
        NetConfig(mailto="bench@example.org"), clock=time.clock, sleep=time.sleep
    ).crossref_list


class TracedServer:
    """A server reached through a transport that reports the wire and the answer (like
    httpcore's trace).  ``held[i]``: request *i* is held up that long on its way to the
    server's counter — and so is its answer."""

    def __init__(self, time: VirtualTime, held: dict[int, float], latency: float = 0.1) -> None:
        self.time = time
        self.held = held
        self.latency = latency
        self.sends: list[float] = []
        self.arrivals: list[float] = []

    async def ask(self, limiter: RateLimiter) -> None:
        async with limiter.turn() as turn:
            await turn.trace("http11.send_request_headers.complete", {})
            index = len(self.sends)
            self.sends.append(self.time.now)
            delay = self.held.get(index, 0.0)
            self.arrivals.append(self.time.now + delay)
            await self.time.sleep(delay + self.latency)
            await turn.trace("http11.receive_response_headers.complete", {})


def run(
    limiter: RateLimiter, time: VirtualTime, count: int, held: dict[int, float]
) -> TracedServer:
    server = TracedServer(time, held)

    async def main() -> None:
        await time.run(asyncio.gather(*(server.ask(limiter) for _ in range(count))))

    asyncio.run(main())
    return server


def refused_by_emulator(arrivals: list[float]) -> int:
    now = [0.0]
    counter = Limiter(clock=lambda: now[0])
    counter.configure({BUCKET: {"limit": 3, "interval": 1.0}})
    refused = 0
    for arrival in sorted(arrivals):
        now[0] = arrival
        decision = counter.acquire(BUCKET)
        refused += not decision.allowed
        if decision.allowed:
            counter.release(decision)
    return refused


def test_steady_answers_shrink_the_margin_to_the_minimum() -> None:
    time = VirtualTime()
    limiter = crossref_list(time)
    server = run(limiter, time, 30, held={})
    starts = server.sends[::3]
    gaps = [round(b - a, 9) for a, b in itertools.pairwise(starts)]
    # The first three windows (nine answers) with the fixed margin, then the minimum.
    assert gaps[:3] == [pytest.approx(1.0 + WINDOW_SAFETY)] * 3
    assert gaps[3:] == [pytest.approx(1.0 + WINDOW_SAFETY_MIN)] * (len(gaps) - 3)
    assert limiter.adapted > 0
    assert most_in_any_window(server.sends) == 3
    assert refused_by_emulator(server.arrivals) == 0


def test_a_late_answer_moves_its_window_by_as_much() -> None:
    """Request 13 is held up 60 ms on its way (more than the old fixed margin): its answer
    is late by as much, the window counted from it waits 60 ms more, and the emulator's
    counter, which saw it arrive 60 ms late, refuses nothing."""
    time = VirtualTime()
    server = run(crossref_list(time), time, 30, held={13: 0.06})
    assert server.sends[16] - server.sends[13] == pytest.approx(1.0 + WINDOW_SAFETY_MIN + 0.06)
    assert refused_by_emulator(server.arrivals) == 0


def test_a_late_answer_counts_before_the_margin_adapts() -> None:
    """Request 4 is held up 60 ms on its way, in the second window, before nine answers
    are in (the fixed 40 ms margin still applies): its answer says it was late, and the
    window counted from it waits that long instead of the fixed margin — the emulator's
    counter, which saw it arrive 60 ms late, refuses nothing.  (The hand-over of issue 16:
    a check's first windows paced from a prefetch's few requests, one counted 52-117 ms
    late.)"""
    time = VirtualTime()
    limiter = crossref_list(time)
    server = run(limiter, time, 12, held={4: 0.06})
    # Request 7 left with seven answers in: the fixed margin's part of the run.
    assert server.sends[7] - server.sends[4] == pytest.approx(1.0 + WINDOW_SAFETY_MIN + 0.06)
    assert refused_by_emulator(server.arrivals) == 0


@pytest.mark.parametrize("late", [0.005, 0.03, 0.06, 0.2])
def test_no_arrival_held_up_on_its_way_is_refused(late: float) -> None:
    """Every fourth request held up ``late`` seconds (below, around and above the old
    40 ms margin): the emulator's window refuses none of them."""
    time = VirtualTime()
    held = dict.fromkeys(range(10, 60, 4), late)
    server = run(crossref_list(time), time, 60, held=held)
    assert refused_by_emulator(server.arrivals) == 0


def test_the_fixed_margin_alone_would_have_been_refused() -> None:
    """The same held-up request with the minimum margin and no adaptation: refused — the
    excess of the answer is what keeps it within the window."""
    time = VirtualTime()
    fixed = RateLimiter(
        "t",
        RateSpec(3.0, 3),
        safety=WINDOW_SAFETY_MIN,
        window=True,
        clock=time.clock,
        sleep=time.sleep,
    )
    server = run(fixed, time, 30, held={13: 0.06})
    assert refused_by_emulator(server.arrivals) > 0


def test_an_answer_not_back_when_the_window_ends_keeps_the_fixed_margin() -> None:
    time = VirtualTime()
    limiter = crossref_list(time)
    server = TracedServer(time, held={})

    async def slow(limiter: RateLimiter) -> None:
        async with limiter.turn() as turn:
            await turn.trace("http11.send_request_headers.complete", {})
            server.sends.append(time.now)
            await time.sleep(1.5)  # longer than the window: no answer when it ends
            await turn.trace("http11.receive_response_headers.complete", {})

    async def main() -> None:
        await time.run(asyncio.gather(*(server.ask(limiter) for _ in range(12))))
        await time.run(asyncio.gather(slow(limiter), *(server.ask(limiter) for _ in range(5))))

    asyncio.run(main())
    # Request 12 (slow) anchors request 15's window: the fixed margin, not the minimum.
    assert server.sends[15] - server.sends[12] == pytest.approx(1.0 + WINDOW_SAFETY)


def test_a_429_ends_the_adaptation() -> None:
    time = VirtualTime()
    limiter = crossref_list(time)
    before, after = TracedServer(time, held={}), TracedServer(time, held={})
    adapted: list[int] = []

    async def main() -> None:
        await time.run(asyncio.gather(*(before.ask(limiter) for _ in range(15))))
        adapted.append(limiter.adapted)
        limiter.throttled()
        await time.run(asyncio.gather(*(after.ask(limiter) for _ in range(9))))

    asyncio.run(main())
    assert adapted[0] > 0
    assert limiter.adapted == adapted[0]  # never again
    widened = 1.0 + 2 * WINDOW_SAFETY + 0.02
    assert after.sends[3] - after.sends[0] == pytest.approx(widened)


def test_without_reported_answers_the_margin_stays_fixed() -> None:
    """A transport that does not trace (``httpx.MockTransport``): never adapted."""
    time = VirtualTime()
    limiter = crossref_list(time)
    sends: list[float] = []

    async def ask() -> None:
        async with limiter.turn() as turn:
            assert isinstance(turn, Turn)
            sends.append(time.now)
            await time.sleep(0.1)

    async def main() -> None:
        await time.run(asyncio.gather(*(ask() for _ in range(30))))

    asyncio.run(main())
    assert limiter.adapted == 0
    assert sends[27] - sends[24] == pytest.approx(1.0 + WINDOW_SAFETY)


def test_cold_check_with_the_adaptive_margin_gets_no_429(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against the emulator with the published limits: 1,000 SYNTHETIC references, each DOI
    asked once (in lists of 50, and a share one by one), windows sized from the answers,
    and not one 429."""
    refs = make_references(1000, seed=16, url_share=0.0, page_hosts=0)
    bib = tmp_path / "refs.bib"
    bib.write_text(make_bib(refs, []), encoding="utf-8")
    limiters: list[Limiters] = []
    original = Limiters.from_config.__func__  # type: ignore[attr-defined]

    def spying(cls: type[Limiters], *args: object, **kwargs: object) -> Limiters:
        made: Limiters = original(cls, *args, **kwargs)
        limiters.append(made)
        return made

    monkeypatch.setattr(Limiters, "from_config", classmethod(spying))
    monkeypatch.setenv("CITETRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "citetrack.toml").write_text('mailto = "bench@example.org"\n')
    with Emulator(make_world(refs), limits="published", latency_ms=100) as emu:
        for name, value in emu.env().items():
            monkeypatch.setenv(name, value)
        result = citetrack.check(str(bib), links=False)
        stats = emu.stats()
    assert stats["429"] == 0
    crossref = stats["services"]["crossref"]
    assert set(crossref["asked"].values()) == {1} and len(crossref["asked"]) == 1000
    # Lists of 50 (no more than 20) beside the single route's share (test_crossref_routes.py).
    assert crossref["routes"]["GET /works"] <= 20, crossref["routes"]
    assert [r.status for r in result.results] == [Status.OK] * len(refs)
    assert sum(lim.crossref_list.adapted for lim in limiters) > 0
