"""Pacing: how fast requests to one service start, and how many are in flight at once.

:class:`RateLimiter` — minimum spacing between requests going on the wire (with a small
safety margin) plus a concurrency cap, per (service, route kind).  It adapts to the limits
the server announces in ``x-rate-limit-limit`` / ``x-rate-limit-interval`` /
``x-concurrency-limit`` (Crossref) and ``X-RateLimit-Limit`` (NCBI), and slows down after a
429.  :class:`Limiters` holds the registry limiters of one run.

Clocks and sleeps are injectable, so tests never wait for real time.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from citetrack.net.config import (
    GOOGLEBOOKS_DEFAULT,
    NCBI_SAFETY,
    OPENLIBRARY_DEFAULT,
    OPENLIBRARY_WITH_CONTACT,
    REGISTRY_SAFETY,
    WINDOW_SAFETY,
    WINDOW_SAFETY_MIN,
    NetConfig,
    RateSpec,
)

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


def _parse_interval(text: str) -> float | None:
    """Seconds in an interval header (``1s``, ``60s``, ``500ms``, ``1m``, bare ``1``)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", text)
    if not match:
        return None
    value = float(match.group(1))
    factor = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}[match.group(2) or "s"]
    seconds = value * factor
    return seconds if seconds > 0 else None


def _positive_number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        # A header sent twice (e.g. by a proxy) arrives joined: "5, 5".
        value = float(text.split(",")[0].strip())
    except ValueError:
        return None
    return value if value > 0 and math.isfinite(value) else None


class Turn:
    """One request's place in a :class:`RateLimiter`'s pace (from :meth:`RateLimiter.turn`).

    The limiter spaces requests by when they go *on the wire*, not by when they leave the
    queue: a request that first has to open a connection (TCP, TLS) would otherwise reach
    the server late, together with the next one, and a server counting a sliding window
    sees a burst — one more request in a second than it allows, and a 429 (the first
    requests of a run all pay the connection set-up; with HTTP/2 several requests wait for
    one connection and then leave together).  :meth:`trace` is an httpcore ``trace``
    extension that reports the moment the request headers have been written: their
    ``.complete`` event, not ``.started`` — between the two the write may yield to the
    event loop, and whatever runs then (a cache write, parsing an answer) delays the
    request's arrival by as much while its window would already count from before
    (measured: up to 23 ms late in a 10,000-reference run).  It also reports when the
    response headers came back (``receive_response_headers.complete``): the request's round
    trip, from which a limiter pacing to a window sizes its margin (see
    :class:`RateLimiter`, ``adaptive``).
    """

    __slots__ = ("_limiter", "answered_at", "on_wire", "released_at", "wire_at")

    def __init__(self, limiter: RateLimiter, released_at: float) -> None:
        self._limiter = limiter
        self.released_at = released_at
        #: When the request went on the wire (``released_at`` until it is reported).
        self.wire_at = released_at
        #: When its response headers came back (``None``: not yet, or not reported).
        self.answered_at: float | None = None
        self.on_wire = asyncio.Event()

    def sent(self, at: float | None = None) -> None:
        """The request went on the wire at ``at`` (default: now).  Only the first call counts."""
        if not self.on_wire.is_set():
            self.on_wire.set()
            self.wire_at = self._limiter._clock() if at is None else at
            self._limiter._sent(self.wire_at)

    def answered(self, at: float | None = None) -> None:
        """Its response headers came back at ``at`` (default: now); only once it was sent."""
        if self.on_wire.is_set() and self.answered_at is None:
            self.answered_at = self._limiter._clock() if at is None else at
            self._limiter._answered(self)

    async def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpcore ``trace`` callback (``request.extensions["trace"]``)."""
        self._limiter._traced = True
        if event.endswith("send_request_headers.complete"):
            self.sent()
        elif event.endswith("receive_response_headers.complete"):
            self.answered()

    def _finished(self) -> None:
        if not self.on_wire.is_set() and self._limiter._traced is None:
            self._limiter._traced = False  # the transport does not report: stop waiting
        self.sent(self.released_at)


class RateLimiter:
    """Pacing plus a concurrency cap for one (service, route kind).

    ``async with limiter.turn() as turn:`` (or plain ``async with limiter:``) holds one of
    ``concurrency`` slots and waits for the request's turn.  Requests go out at least
    ``(1 + safety) / rate`` seconds apart, one after the other, measured from the moment
    the previous one went on the wire when the transport reports it (see :class:`Turn`),
    else from when it left the queue.  The ``safety`` margin (none by default; the
    registry limiters of :class:`Limiters` have one) absorbs jitter between our clock and
    the server's: a server that allows N requests in any window of a second refuses the
    (N+1)-th if the first arrived a few milliseconds late and the rest on time.

    With ``window=True`` the pace is the server's sliding window instead of an even
    spacing: a server allowing N requests in any ``interval`` (Crossref announces
    ``x-rate-limit-limit: 3`` / ``x-rate-limit-interval: 1s``) gets up to N requests at
    once — as many as ``concurrency`` lets fly — and the (k+N)-th no earlier than
    ``interval × (1 + safety)`` after the k-th went on the wire.  Over a long run that is
    the same count per second as even spacing, but the margin is paid once per window
    rather than once per request, and the work of a window is done in one burst.  A first
    429 widens the margin; after a second the limiter falls back to even spacing for the
    rest of the run (a server that counts with a small token bucket does not want bursts).

    With ``adaptive=True`` (and a transport that reports when responses come back, see
    :class:`Turn`) the window's margin is sized per window, from the answer to the
    request it counts from: ``min_safety`` plus how much longer that round trip took than
    the fastest of the last answers (the server counts an arrival late only when
    something — its event loop, ours, the network — held the request up, and whatever held
    it up held its answer up as much; the excess is added back in full).  Until enough
    answers are in, for a request whose answer is not back when its window ends, and after
    a 429, the fixed ``safety`` margin applies.

    ``observe`` reads the limits the server announces and adopts them (never above
    ``max_rate`` / ``max_concurrency`` when those ceilings are set); ``throttled`` halves
    the pace after a 429 and pauses new starts for the server's ``Retry-After``; each later
    non-429 answer recovers some of the pace.
    """

    # Halving stops at a quarter of the pace: further halving under a 429 storm only
    # stretched a run to minutes per request (the circuit breaker in Http bounds the rest).
    _MIN_FACTOR = 1 / 4
    _RECOVERY_STEP = 1 / 8
    _CONCURRENCY_SANITY = 64  # a header announcing more is ignored beyond this
    _MAX_WINDOW_SAFETY = 0.25
    #: Round trips a limiter remembers for ``adaptive``, and how many it needs first.
    _RTT_MEMORY = 32
    _RTT_NEEDED = 9

    def __init__(
        self,
        name: str,
        spec: RateSpec,
        *,
        max_rate: float | None = None,
        max_concurrency: int | None = None,
        safety: float = 0.0,
        window: bool = False,
        adaptive: bool = False,
        min_safety: float = WINDOW_SAFETY_MIN,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not 0 <= safety < 1:
            raise ValueError("safety margin must be in [0, 1)")
        self.name = name
        self._rate = spec.rate
        self._concurrency = spec.concurrency
        self._max_rate = max_rate
        self._max_concurrency = max_concurrency
        self._safety = safety
        self._clock = clock
        self._sleep = sleep
        self._factor = 1.0
        self._active = 0
        self._waiters: list[asyncio.Future[None]] = []
        self._pace_lock: asyncio.Lock | None = None
        self._last_start = -math.inf
        self._paused_until = -math.inf
        self._previous: Turn | None = None
        # Sliding-window pacing: the last requests released, oldest first, and how many
        # requests the server allows per interval (from the spec, then from headers).
        self._window = window
        self._widened = False  # the margin was widened after a 429
        self._window_limit = max(1, math.floor(spec.rate + 1e-9))
        self._recent: deque[Turn] = deque(maxlen=self._CONCURRENCY_SANITY)
        # Does the transport report when requests go on the wire?  Unknown until the first
        # request reports, or ends without reporting (``httpx.MockTransport``).
        self._traced: bool | None = None
        # Tasks waiting for a slot or their turn (nothing of theirs is on the wire yet).
        self._queued: set[asyncio.Task[Any]] = set()
        self._closed = False
        # Adaptive window margin: round trips of the last answered requests.
        self._adaptive = adaptive and window and min_safety < safety
        self._min_safety = min_safety
        self._rtts: deque[float] = deque(maxlen=self._RTT_MEMORY)
        #: Windows whose margin was sized from an answer (for tests and benchmarks).
        self.adapted = 0
        #: Told when a request went on the wire (its time), if set: how another thread
        #: learns that a request has left (see :class:`citetrack.registries.prefetch.Prefetch`).
        self.on_sent: Callable[[float], None] | None = None
        self._counted: Turn | None = None

    @classmethod
    def from_spec(
        cls, name: str, spec: RateSpec, *, ceiling: bool = False, **kw: Any
    ) -> RateLimiter:
        """A limiter starting at ``spec``; with ``ceiling`` the spec is also the maximum."""
        if ceiling:
            kw.setdefault("max_rate", spec.rate)
            kw.setdefault("max_concurrency", spec.concurrency)
        return cls(name, spec, **kw)

    @property
    def rate(self) -> float:
        """Requests per second currently allowed (after any 429 slow-down)."""
        return self._rate * self._factor

    @property
    def spacing(self) -> float:
        """Seconds between two requests going out, safety margin included."""
        return (1.0 + self._safety) / self.rate

    @property
    def concurrency(self) -> int:
        return self._concurrency

    @property
    def burst(self) -> int:
        """Requests that may start together (1 unless pacing to a window)."""
        return self._window_limit if self._window else 1

    def next_start(self) -> float:
        """The earliest moment the next request may go out (pauses included): ``burst``
        requests after the one ``burst`` places back went on the wire, at the pace."""
        if not self._window:
            return max(self._last_start + self.spacing, self._paused_until)
        width = self.burst
        ready = -math.inf
        if len(self._recent) >= width:
            anchor = self._recent[-width]
            ready = anchor.wire_at + width * self.spacing
            if self._adaptive:
                interval = width / self.rate
                soonest = anchor.wire_at + interval * (1.0 + self._min_safety)
                trusted = len(self._rtts) >= self._RTT_NEEDED
                if anchor.answered_at is not None and self._rtts:
                    late = anchor.answered_at - anchor.wire_at - min(self._rtts)
                    held = soonest + min(max(0.0, late), interval * self._MAX_WINDOW_SAFETY)
                    if trusted:
                        ready = held
                        if anchor is not self._counted:
                            self._counted = anchor
                            self.adapted += 1
                    else:
                        # Too few answers yet to go below the fixed margin, but one that
                        # came back late says the server may have counted it as late:
                        # never less than that (a 429 in the hand-over test, the anchor
                        # counted 52-117 ms after it left, its answer as late).
                        ready = max(ready, held)
                elif trusted and self._clock() < soonest:
                    # Its answer may still come in time: look again then.
                    ready = soonest
        return max(ready, self._paused_until)

    @property
    def active(self) -> int:
        return self._active

    @property
    def idle(self) -> bool:
        """Nothing on the wire and nothing waiting for a slot or a turn."""
        return self._active == 0 and not self._queued and not self._waiters

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[Turn]:
        """Hold a slot for one request; report ``turn.sent()`` (or pass ``turn.trace``)."""
        if self._closed:  # cancel_queued: nothing new may start
            raise asyncio.CancelledError
        task = asyncio.current_task()
        if task is not None:
            self._queued.add(task)  # until released: see cancel_queued
        try:
            await self._acquire_slot()
        except BaseException:
            self._queued.discard(task)
            raise
        try:
            try:
                turn = await self._wait_for_turn()
            finally:
                self._queued.discard(task)
            try:
                yield turn
            finally:
                # Never reported (an error before the wire, or a transport that does not
                # trace): it counts from when it left the queue.
                turn._finished()
        finally:
            self._release_slot()

    async def __aenter__(self) -> None:
        await self._acquire_slot()
        try:
            turn = await self._wait_for_turn()
        except BaseException:
            self._release_slot()
            raise
        turn.sent(turn.released_at)

    async def __aexit__(self, *exc: object) -> None:
        self._release_slot()

    async def _acquire_slot(self) -> None:
        while self._active >= self._concurrency:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
        self._active += 1

    def _release_slot(self) -> None:
        self._active -= 1
        self._wake()

    def _wake(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _wait_for_turn(self) -> Turn:
        # One task at a time waits for the next start time, so starts stay in order and
        # spaced even if the clock jumps while sleeping.
        if self._pace_lock is None:
            self._pace_lock = asyncio.Lock()
        async with self._pace_lock:
            previous = self._previous
            if self._traced is not False and previous is not None:
                # Not before the previous request is on the wire (it may still be waiting
                # for a connection, or for the event loop): the spacing counts from there.
                await previous.on_wire.wait()
            while True:
                now = self._clock()
                ready = self.next_start()
                if now >= ready:
                    self._last_start = now
                    break
                await self._sleep(ready - now)
            self._previous = Turn(self, now)
            if self._window:
                # Read only when pacing to a window.  Every Turn kept here is in a cycle
                # with its limiter: a cold 10,000-reference check left 2,115 of them (the
                # per-host page limiters'), 1.8 MB, for the cycle collector (issue 16).
                self._recent.append(self._previous)
            return self._previous

    def cancel_queued(self) -> int:
        """Cancel every task still waiting for a slot or its turn (none of their requests
        went on the wire, so the server never saw them), and any that asks later, until
        :meth:`detach`; how many were cancelled."""
        self._closed = True
        queued = [t for t in self._queued if not t.done()]
        for task in queued:
            task.cancel()
        return len(queued)

    def detach(self) -> None:
        """Let another event loop use this limiter (its pace and window carry over): only
        when nothing waits in it (after :meth:`cancel_queued`, with no request in flight)."""
        if self._active or self._waiters:
            raise RuntimeError(f"{self.name}: requests still in flight or waiting")
        self._pace_lock = None
        self._queued.clear()
        self._closed = False

    def _sent(self, at: float) -> None:
        self._last_start = max(self._last_start, at)
        if self.on_sent is not None:
            self.on_sent(at)

    def _answered(self, turn: Turn) -> None:
        if turn.answered_at is not None and self._traced:
            self._rtts.append(max(0.0, turn.answered_at - turn.wire_at))

    def observe(self, response: httpx.Response) -> None:
        """Adopt the limits announced in ``response``'s headers; recover after a 429."""
        headers = response.headers
        limit = _positive_number(
            headers.get("x-rate-limit-limit") or headers.get("x-ratelimit-limit")
        )
        interval_text = headers.get("x-rate-limit-interval") or headers.get("x-ratelimit-interval")
        interval = _parse_interval(interval_text) if interval_text else 1.0
        if limit is not None and interval is not None:
            self._window_limit = max(1, min(math.floor(limit), self._CONCURRENCY_SANITY))
            rate = limit / interval
            if self._max_rate is not None:
                rate = min(rate, self._max_rate)
            if rate != self._rate:
                log.debug("%s: rate limit now %.3g/s (server)", self.name, rate)
            self._rate = rate
        concurrency = _positive_number(headers.get("x-concurrency-limit"))
        if concurrency is not None:
            value = min(int(concurrency), self._CONCURRENCY_SANITY)
            if self._max_concurrency is not None:
                value = min(value, self._max_concurrency)
            self._concurrency = max(1, value)
            self._wake()
        if response.status_code != 429:
            self._factor = min(1.0, self._factor + self._RECOVERY_STEP)

    def throttled(self, retry_after: float | None = None) -> None:
        """The server said 429: halve the pace and hold new starts for ``retry_after`` s.

        Pacing to a window, the first 429 only doubles the margin (plus 2 % of the window)
        and keeps the pace: a request that was on time by our clock was counted late by
        the server (a stall at its end: the emulator's arrivals came up to 40 ms late in
        a quiet 10,000-reference run).  A second one means the window is not what it
        seems: even spacing at half the pace from then on.
        """
        self._adaptive = False  # the fixed margin (widened) from now on
        if self._window and not self._widened:
            self._widened = True
            self._safety = min(self._MAX_WINDOW_SAFETY, 2 * self._safety + 0.02)
        else:
            self._factor = max(self._MIN_FACTOR, self._factor / 2)
            self._window = False  # even spacing from now on
        if retry_after is not None:
            self.pause(retry_after)
        log.debug("%s: throttled, pace now %.3g/s", self.name, self.rate)

    def pause(self, seconds: float) -> None:
        """Start nothing for ``seconds`` (capped at one hour) from now."""
        if seconds > 0:
            until = self._clock() + min(seconds, 3600.0)
            self._paused_until = max(self._paused_until, until)


@dataclass(frozen=True)
class Limiters:
    """The registry limiters of one run.  E-utilities and the PMC id converter share one
    NCBI budget (both are NCBI services; whether idconv counts separately is undocumented)."""

    crossref_single: RateLimiter
    crossref_list: RateLimiter
    ncbi: RateLimiter
    doi_org: RateLimiter
    openlibrary: RateLimiter | None = None
    googlebooks: RateLimiter | None = None

    def detach(self) -> None:
        """Hand every limiter to another event loop (:meth:`RateLimiter.detach`)."""
        for limiter in (
            self.crossref_single,
            self.crossref_list,
            self.ncbi,
            self.doi_org,
            self.openlibrary,
            self.googlebooks,
        ):
            if limiter is not None:
                limiter.detach()

    @classmethod
    def from_config(
        cls, config: NetConfig, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> Limiters:
        single, listing = config.crossref_rates()
        timing: dict[str, Any] = {"clock": clock, "sleep": sleep}
        margin: dict[str, Any] = {"safety": REGISTRY_SAFETY, **timing}
        # Crossref announces a window (N per interval, M in flight): pace to it.
        windowed: dict[str, Any] = {
            "safety": WINDOW_SAFETY,
            "window": True,
            "adaptive": True,
            **timing,
        }
        return cls(
            crossref_single=RateLimiter("crossref/single", single, **windowed),
            crossref_list=RateLimiter("crossref/list", listing, **windowed),
            ncbi=RateLimiter.from_spec(
                "ncbi", config.ncbi_rate_spec(), ceiling=True, safety=NCBI_SAFETY, **timing
            ),
            doi_org=RateLimiter("doi.org", config.doi_org_rate, **margin),
            openlibrary=RateLimiter(
                "openlibrary",
                OPENLIBRARY_WITH_CONTACT if config.mailto else OPENLIBRARY_DEFAULT,
                **margin,
            ),
            googlebooks=RateLimiter("googlebooks", GOOGLEBOOKS_DEFAULT, **margin),
        )
