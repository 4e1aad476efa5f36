"""HTTP policy for talking to the registries: one place for every rule of good conduct.

* :class:`NetConfig` — base URLs, identification (``mailto``, NCBI API key), timeouts,
  retry and rate settings.  Frozen, so the config layer can ``dataclasses.replace`` it.
* :func:`make_client` — the ``httpx.AsyncClient`` (HTTP/2 where offered, keep-alive).  The
  registry client carries the ``mailto`` in its User-Agent; a client made with
  ``identify=False`` (for arbitrary web links) carries no contact details.
* :class:`RateLimiter` — pacing (minimum spacing between requests going on the wire, with a
  small safety margin) plus a concurrency cap, per (service, route kind).  It adapts to the
  limits the server announces in ``x-rate-limit-limit`` / ``x-rate-limit-interval`` /
  ``x-concurrency-limit`` (Crossref) and ``X-RateLimit-Limit`` (NCBI), and slows down after
  a 429.
* :func:`request` — one logical request: rate-limited attempts with a tenacity retry policy
  (transient errors and 408/429/5xx only; ``Retry-After`` honoured; exponential backoff with
  full jitter), bodies read with a size cap.  When the attempts are used up it raises
  :class:`ServiceUnavailable`, which services turn into ``Unavailable`` evidence.

Clocks and sleeps are injectable everywhere, so tests never wait for real time.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import random
import re
import time
import urllib.parse
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from tenacity import AsyncRetrying, RetryCallState, RetryError, retry_if_exception_type

from citetrack import __version__

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

PROJECT_URL = "https://github.com/citetrack/citetrack"
DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024
#: Statuses worth another attempt: the server may answer differently a little later.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_MAILTO_RE = re.compile(r"^[^@\s()<>;,]+@[^@\s()<>;,]+\.[^@\s()<>;,]+$")
# Headers describing the transfer, not the (already decoded) body we keep.
_TRANSFER_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
_SECRET_PARAMS = frozenset({"api_key", "email"})


# ------------------------------------------------------------------------------ config


@dataclass(frozen=True)
class RateSpec:
    """A pace: at most ``rate`` request starts per second and ``concurrency`` in flight."""

    rate: float
    concurrency: int = 1

    def __post_init__(self) -> None:
        if not (self.rate > 0 and math.isfinite(self.rate)) or self.concurrency < 1:
            raise ValueError(f"invalid rate spec {self.rate}/s, concurrency {self.concurrency}")


# Crossref's published limits from 2025-12-01 (api-notes §1.3).  Only starting points: the
# limiter follows the headers of each response.
CROSSREF_POLITE_SINGLE = RateSpec(10.0, 3)
CROSSREF_POLITE_LIST = RateSpec(3.0, 3)
CROSSREF_PUBLIC_SINGLE = RateSpec(5.0, 1)
CROSSREF_PUBLIC_LIST = RateSpec(1.0, 1)
# NCBI: ≤ 3 requests/s without an API key, ≤ 10 with one (api-notes §2.1).
NCBI_NO_KEY = RateSpec(3.0, 3)
NCBI_WITH_KEY = RateSpec(10.0, 3)
# doi.org publishes no limit (api-notes §3.1); stay gentle.
DOI_ORG_DEFAULT = RateSpec(5.0, 2)
# Open Library asks for about 1 request/s, 3/s from a client whose User-Agent names a
# contact; Google Books allows about 1/s and a daily quota per IP without a key.
OPENLIBRARY_DEFAULT = RateSpec(1.0, 1)
OPENLIBRARY_WITH_CONTACT = RateSpec(3.0, 1)
GOOGLEBOOKS_DEFAULT = RateSpec(1.0, 1)
#: Extra spacing of registry requests (a fraction of the published pace): 5 % of a
#: one-second window is 50 ms of arrival jitter absorbed, for 5 % of the throughput.
REGISTRY_SAFETY = 0.05
#: … and of NCBI's: 0.37 s at 3/s, the figure Biopython settled on after NCBI answered 429
#: to requests 0.333 s apart (``Bio.Entrez._open``).
NCBI_SAFETY = 0.11


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before a registry is declared unavailable.

    ``max_attempts`` counts every attempt (the first included).  ``max_total_wait`` bounds
    the sum of the sleeps between attempts.  A ``Retry-After`` longer than
    ``retry_after_cap`` is not waited for: retrying earlier than the server asked would be
    rude and futile, so the request ends as unavailable instead.
    """

    max_attempts: int = 4
    max_total_wait: float = 120.0
    retry_after_cap: float = 60.0
    backoff_base: float = 1.0
    backoff_max: float = 30.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")


@dataclass(frozen=True)
class NetConfig:
    """Network settings.  ``from_env`` reads the environment; the config layer adds the rest."""

    mailto: str | None = None
    ncbi_api_key: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0  # one attempt, from sending to the last body byte
    crossref_url: str = "https://api.crossref.org"
    eutils_url: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    idconv_url: str = "https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/v1/articles/"
    doi_url: str = "https://doi.org"
    wayback_url: str = "https://web.archive.org"
    openlibrary_url: str = "https://openlibrary.org"
    googlebooks_url: str = "https://www.googleapis.com"
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # ``None``: the published limits for the pool we are in (polite with a mailto).
    crossref_single_rate: RateSpec | None = None
    crossref_list_rate: RateSpec | None = None
    ncbi_rate: RateSpec | None = None  # None: 3/s, or 10/s with an API key
    doi_org_rate: RateSpec = DOI_ORG_DEFAULT
    http2: bool = True

    def __post_init__(self) -> None:
        if self.mailto is not None and not _MAILTO_RE.match(self.mailto):
            raise ValueError(f"not an e-mail address: {self.mailto!r}")
        if self.ncbi_api_key is not None and not re.fullmatch(r"[A-Za-z0-9]+", self.ncbi_api_key):
            raise ValueError("NCBI API key must be letters and digits")
        for name in (
            "crossref_url",
            "eutils_url",
            "idconv_url",
            "doi_url",
            "wayback_url",
            "openlibrary_url",
            "googlebooks_url",
        ):
            parts = urllib.parse.urlsplit(getattr(self, name))
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"{name} must be an http(s) URL, got {getattr(self, name)!r}")
        if min(self.connect_timeout, self.read_timeout, self.total_timeout) <= 0:
            raise ValueError("timeouts must be positive")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> NetConfig:
        """Defaults overridden by ``CITETRACK_*_URL``, ``CITETRACK_MAILTO``, ``NCBI_API_KEY``.

        Empty variables count as unset.  Raises ``ValueError`` for unusable values.
        """

        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        defaults = cls()
        return cls(
            mailto=get("CITETRACK_MAILTO"),
            ncbi_api_key=get("NCBI_API_KEY"),
            crossref_url=get("CITETRACK_CROSSREF_URL") or defaults.crossref_url,
            eutils_url=get("CITETRACK_EUTILS_URL") or defaults.eutils_url,
            idconv_url=get("CITETRACK_IDCONV_URL") or defaults.idconv_url,
            doi_url=get("CITETRACK_DOI_URL") or defaults.doi_url,
            wayback_url=get("CITETRACK_WAYBACK_URL") or defaults.wayback_url,
            openlibrary_url=get("CITETRACK_OPENLIBRARY_URL") or defaults.openlibrary_url,
            googlebooks_url=get("CITETRACK_GOOGLEBOOKS_URL") or defaults.googlebooks_url,
        )

    @property
    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.read_timeout,
            pool=self.total_timeout,
        )

    def crossref_rates(self) -> tuple[RateSpec, RateSpec]:
        """Starting (single-record, list) paces for Crossref."""
        if self.mailto:
            single, listing = CROSSREF_POLITE_SINGLE, CROSSREF_POLITE_LIST
        else:
            single, listing = CROSSREF_PUBLIC_SINGLE, CROSSREF_PUBLIC_LIST
        return self.crossref_single_rate or single, self.crossref_list_rate or listing

    def ncbi_rate_spec(self) -> RateSpec:
        """The E-utilities pace; also its ceiling, whatever the headers say."""
        if self.ncbi_rate is not None:
            return self.ncbi_rate
        return NCBI_WITH_KEY if self.ncbi_api_key else NCBI_NO_KEY


def user_agent(mailto: str | None) -> str:
    """``citetrack/<version> (<project URL>; mailto:<address>)`` — Crossref's polite form."""
    contact = f"; mailto:{mailto}" if mailto else ""
    return f"citetrack/{__version__} ({PROJECT_URL}{contact})"


def make_client(
    config: NetConfig,
    *,
    identify: bool = True,
    follow_redirects: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
    max_connections: int = 20,
) -> httpx.AsyncClient:
    """An async client with citetrack's User-Agent, timeouts and connection limits.

    ``identify=True`` puts the ``mailto`` in the User-Agent: use that client only for the
    registries.  Link checking must use ``identify=False``.  ``transport`` is for tests
    (``httpx.MockTransport``) and for the emulator.
    """
    headers = {"User-Agent": user_agent(config.mailto if identify else None)}
    limits = httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_connections // 2 or 1,
        keepalive_expiry=30.0,
    )
    return httpx.AsyncClient(
        headers=headers,
        timeout=config.timeout,
        limits=limits,
        http2=config.http2 and transport is None,
        follow_redirects=follow_redirects,
        transport=transport,
    )


def join_url(base: str, *segments: str) -> str:
    """``base`` with already-encoded path ``segments`` appended, one ``/`` between each."""
    url = base.rstrip("/")
    for segment in segments:
        url += "/" + segment.lstrip("/")
    return url


# ------------------------------------------------------------------------------- stats


@dataclass
class RequestStats:
    """HTTP attempts per service (retries included), for ``-v`` and the JSON report."""

    requests: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # ended as ServiceUnavailable

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.requests.items()))


# ----------------------------------------------------------------------------- errors


class ServiceUnavailable(Exception):
    """A registry gave no usable answer; ``reason`` says why, in words for the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _RetryableStatus(Exception):
    """An answer worth retrying (408/429/5xx); carries the response and its Retry-After."""

    def __init__(self, response: httpx.Response, retry_after: float | None) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response
        self.retry_after = retry_after


class _Transient(Exception):
    """A timeout or broken connection, normalised (httpx and asyncio raise different types)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


# ----------------------------------------------------------------------- rate limiting


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
    extension that reports the moment the request headers are written.
    """

    __slots__ = ("_limiter", "on_wire", "released_at")

    def __init__(self, limiter: RateLimiter, released_at: float) -> None:
        self._limiter = limiter
        self.released_at = released_at
        self.on_wire = asyncio.Event()

    def sent(self, at: float | None = None) -> None:
        """The request went on the wire at ``at`` (default: now).  Only the first call counts."""
        if not self.on_wire.is_set():
            self.on_wire.set()
            self._limiter._sent(self._limiter._clock() if at is None else at)

    async def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpcore ``trace`` callback (``request.extensions["trace"]``)."""
        self._limiter._traced = True
        if event.endswith("send_request_headers.started"):
            self.sent()

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

    def __init__(
        self,
        name: str,
        spec: RateSpec,
        *,
        max_rate: float | None = None,
        max_concurrency: int | None = None,
        safety: float = 0.0,
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
        # Does the transport report when requests go on the wire?  Unknown until the first
        # request reports, or ends without reporting (``httpx.MockTransport``).
        self._traced: bool | None = None

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
    def active(self) -> int:
        return self._active

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[Turn]:
        """Hold a slot for one request; report ``turn.sent()`` (or pass ``turn.trace``)."""
        await self._acquire_slot()
        try:
            turn = await self._wait_for_turn()
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
                ready = max(self._last_start + self.spacing, self._paused_until)
                if now >= ready:
                    self._last_start = now
                    break
                await self._sleep(ready - now)
            self._previous = Turn(self, now)
            return self._previous

    def _sent(self, at: float) -> None:
        self._last_start = max(self._last_start, at)

    def observe(self, response: httpx.Response) -> None:
        """Adopt the limits announced in ``response``'s headers; recover after a 429."""
        headers = response.headers
        limit = _positive_number(
            headers.get("x-rate-limit-limit") or headers.get("x-ratelimit-limit")
        )
        interval_text = headers.get("x-rate-limit-interval") or headers.get("x-ratelimit-interval")
        interval = _parse_interval(interval_text) if interval_text else 1.0
        if limit is not None and interval is not None:
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
        """The server said 429: halve the pace and hold new starts for ``retry_after`` s."""
        self._factor = max(self._MIN_FACTOR, self._factor / 2)
        if retry_after is not None:
            self.pause(retry_after)
        log.debug("%s: throttled, pace now %.3g/s", self.name, self.rate)

    def pause(self, seconds: float) -> None:
        """Start nothing for ``seconds`` (capped at one hour) from now."""
        if seconds > 0:
            until = self._clock() + min(seconds, 3600.0)
            self._paused_until = max(self._paused_until, until)


# ------------------------------------------------------------------------------ retry


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date).

    ``now`` is the current wall-clock time (epoch seconds).  Unparseable → ``None``; a date
    in the past → ``0``.  RFC 9110 §10.2.3.
    """
    if value is None:
        return None
    text = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # RFC says GMT; an undated zone is read as such
        return None
    return max(0.0, moment.timestamp() - now)


@dataclass
class _Budget:
    """What the retry loop needs to decide and explain; shared by the tenacity hooks."""

    policy: RetryPolicy
    rng: random.Random
    over_cap: float | None = None  # a Retry-After we refused to wait for

    def wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _RetryableStatus) and exc.retry_after is not None:
            if exc.retry_after > self.policy.retry_after_cap:
                self.over_cap = exc.retry_after
                return math.inf
            return exc.retry_after
        ceiling = min(
            self.policy.backoff_max,
            self.policy.backoff_base * 2 ** (state.attempt_number - 1),
        )
        return self.rng.uniform(0, ceiling)  # "full jitter"

    def stop(self, state: RetryCallState) -> bool:
        if state.attempt_number >= self.policy.max_attempts:
            return True
        return state.idle_for + state.upcoming_sleep > self.policy.max_total_wait


def _failure_reason(exc: BaseException | None, attempts: int, budget: _Budget) -> str:
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    if isinstance(exc, _RetryableStatus):
        code = exc.response.status_code
        if budget.over_cap is not None:
            return (
                f"HTTP {code}; server asked to retry after {budget.over_cap:.0f} s "
                f"(more than the {budget.policy.retry_after_cap:.0f} s cap)"
            )
        label = " (rate limited)" if code == 429 else ""
        return f"HTTP {code}{label} after {tries}"
    if isinstance(exc, _Transient):
        if exc.kind == "timeout":
            return f"timeout after {tries}"
        return f"connection failed after {tries} ({exc})"
    return f"failed after {tries}: {exc}"


def redact_url(url: httpx.URL | str) -> str:
    """The URL with API keys and e-mail addresses in the query replaced by ``***``."""
    parsed = httpx.URL(str(url))
    if not parsed.query:
        return str(parsed)
    params = [(k, "***" if k in _SECRET_PARAMS else v) for k, v in parsed.params.multi_items()]
    return str(parsed.copy_with(params=params))


async def _send_once(
    client: httpx.AsyncClient,
    request: httpx.Request,
    *,
    max_body_bytes: int,
    total_timeout: float | None,
    follow_redirects: bool | None,
) -> httpx.Response:
    """Send, and read the body up to ``max_body_bytes`` (decoded), within ``total_timeout``."""
    try:
        async with asyncio.timeout(total_timeout):
            if follow_redirects is None:
                streamed = await client.send(request, stream=True)
            else:
                streamed = await client.send(
                    request, stream=True, follow_redirects=follow_redirects
                )
            try:
                declared = streamed.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_body_bytes:
                    raise ServiceUnavailable(f"response too large ({declared} bytes)")
                chunks: list[bytes] = []
                size = 0
                async for chunk in streamed.aiter_bytes():
                    size += len(chunk)
                    if size > max_body_bytes:
                        raise ServiceUnavailable(
                            f"response too large (more than {max_body_bytes} bytes)"
                        )
                    chunks.append(chunk)
            finally:
                await streamed.aclose()
    except TimeoutError:
        raise _Transient("timeout", "timeout") from None
    except httpx.TimeoutException as exc:
        raise _Transient("timeout", type(exc).__name__) from None
    except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        raise _Transient("connection", type(exc).__name__) from None
    except httpx.DecodingError:
        raise ServiceUnavailable("undecodable response body") from None
    except httpx.TooManyRedirects:
        raise ServiceUnavailable("too many redirects") from None
    except httpx.HTTPError as exc:  # invalid URL, unsupported protocol…
        raise ServiceUnavailable(f"request failed ({type(exc).__name__})") from None
    headers = [(k, v) for k, v in streamed.headers.multi_items() if k not in _TRANSFER_HEADERS]
    return httpx.Response(
        streamed.status_code,
        headers=headers,
        content=b"".join(chunks),
        request=streamed.request,
        history=streamed.history,
        extensions=streamed.extensions,
    )


async def request(
    client: httpx.AsyncClient,
    limiter: RateLimiter,
    method: str,
    url: str,
    *,
    service: str,
    policy: RetryPolicy | None = None,
    stats: RequestStats | None = None,
    sleep: Sleep = asyncio.sleep,
    wall_clock: Clock = time.time,
    rng: random.Random | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    total_timeout: float | None = 60.0,
    follow_redirects: bool | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Send one logical request with pacing, retries and a body cap; return the response.

    Responses with a status outside :data:`RETRY_STATUSES` (200, 404, 400…) are returned
    for the caller to interpret; 4xx other than 408/429 are never retried.  Timeouts,
    connection errors and 408/429/5xx are retried per ``policy``; when the attempts or the
    waiting budget run out, :class:`ServiceUnavailable` is raised.  ``kwargs`` go to
    ``client.build_request`` (``params``, ``data``, ``headers``…).
    """
    policy = policy or RetryPolicy()
    budget = _Budget(policy, rng or random.Random())  # noqa: S311 - jitter, not crypto
    try:
        built = client.build_request(method, url, **kwargs)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise ServiceUnavailable(f"invalid request URL ({exc})") from None
    retrying = AsyncRetrying(
        sleep=sleep,
        wait=budget.wait,
        stop=budget.stop,
        retry=retry_if_exception_type((_RetryableStatus, _Transient)),
        reraise=False,
    )
    try:
        async for attempt in retrying:
            with attempt:
                response = await _attempt(
                    client,
                    limiter,
                    built,
                    service=service,
                    stats=stats,
                    wall_clock=wall_clock,
                    max_body_bytes=max_body_bytes,
                    total_timeout=total_timeout,
                    follow_redirects=follow_redirects,
                )
    except RetryError as exc:
        last = exc.last_attempt
        reason = _failure_reason(last.exception(), last.attempt_number, budget)
        if stats is not None:
            stats.failures[service] += 1
        log.info("%s %s: unavailable: %s", method, redact_url(built.url), reason)
        raise ServiceUnavailable(reason) from None
    except ServiceUnavailable as exc:
        if stats is not None:
            stats.failures[service] += 1
        log.info("%s %s: unavailable: %s", method, redact_url(built.url), exc.reason)
        raise
    return response


async def _attempt(
    client: httpx.AsyncClient,
    limiter: RateLimiter,
    built: httpx.Request,
    *,
    service: str,
    stats: RequestStats | None,
    wall_clock: Clock,
    max_body_bytes: int,
    total_timeout: float | None,
    follow_redirects: bool | None,
) -> httpx.Response:
    async with limiter.turn() as turn:
        if stats is not None:
            stats.requests[service] += 1
        started = time.monotonic()
        built.extensions["trace"] = turn.trace
        try:
            response = await _send_once(
                client,
                built,
                max_body_bytes=max_body_bytes,
                total_timeout=total_timeout,
                follow_redirects=follow_redirects,
            )
        finally:
            built.extensions.pop("trace", None)
    log.debug(
        "%s %s -> %d (%.0f ms)",
        built.method,
        redact_url(built.url),
        response.status_code,
        (time.monotonic() - started) * 1000,
    )
    limiter.observe(response)
    if response.status_code in RETRY_STATUSES:
        retry_after = parse_retry_after(response.headers.get("retry-after"), now=wall_clock())
        if response.status_code == 429:
            limiter.throttled(retry_after)
        elif retry_after is not None:
            limiter.pause(retry_after)  # an overloaded server asked everyone to hold off
        raise _RetryableStatus(response, retry_after)
    return response


@dataclass
class Http:
    """What a service needs to send requests: the client and the shared retry machinery.

    A circuit breaker per service: after ``give_up_after`` requests in a row ended as
    unavailable (each after all its retries), the rest of the run does not ask that
    service again — its answers are "unavailable" at once.  Under a 429 storm the paced
    retries would otherwise take minutes per request; any success closes the breaker.
    """

    client: httpx.AsyncClient
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    stats: RequestStats = field(default_factory=RequestStats)
    sleep: Sleep = asyncio.sleep
    wall_clock: Clock = time.time
    rng: random.Random | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    total_timeout: float | None = 60.0
    give_up_after: int = 3
    failures_in_a_row: Counter[str] = field(default_factory=Counter)

    @classmethod
    def from_config(
        cls,
        client: httpx.AsyncClient,
        config: NetConfig,
        *,
        stats: RequestStats | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> Http:
        return cls(
            client=client,
            policy=config.retry,
            stats=stats if stats is not None else RequestStats(),
            sleep=sleep,
            max_body_bytes=config.max_body_bytes,
            total_timeout=config.total_timeout,
        )

    async def request(
        self,
        service: str,
        limiter: RateLimiter,
        method: str,
        url: str,
        *,
        follow_redirects: bool | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """:func:`request` with this object's client, policy, stats, sleep and limits."""
        if self.failures_in_a_row[service] >= self.give_up_after:
            raise ServiceUnavailable(
                f"not asked: {service} failed {self.failures_in_a_row[service]} requests in "
                "a row in this run"
            )
        try:
            response = await request(
                self.client,
                limiter,
                method,
                url,
                service=service,
                policy=self.policy,
                stats=self.stats,
                sleep=self.sleep,
                wall_clock=self.wall_clock,
                rng=self.rng,
                max_body_bytes=self.max_body_bytes,
                total_timeout=self.total_timeout,
                follow_redirects=follow_redirects,
                **kwargs,
            )
        except ServiceUnavailable:
            self.failures_in_a_row[service] += 1
            raise
        self.failures_in_a_row[service] = 0
        return response


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

    @classmethod
    def from_config(
        cls, config: NetConfig, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> Limiters:
        single, listing = config.crossref_rates()
        timing: dict[str, Any] = {"clock": clock, "sleep": sleep}
        margin: dict[str, Any] = {"safety": REGISTRY_SAFETY, **timing}
        return cls(
            crossref_single=RateLimiter("crossref/single", single, **margin),
            crossref_list=RateLimiter("crossref/list", listing, **margin),
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
