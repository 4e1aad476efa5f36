"""The registry request path: one logical request, paced and retried, with a body cap.

* :func:`request` — rate-limited attempts under the one retry policy
  (:func:`citetrack.net.retry.retry_outcome`; transient errors and 408/429/5xx only,
  ``Retry-After`` honoured, exponential backoff with full jitter), bodies read with a size
  cap.  When the attempts are used up it raises :class:`ServiceUnavailable`, which services
  turn into ``Unavailable`` evidence.
* :class:`Http` — what a service holds: the client, the policy, the counts of
  :class:`RequestStats`, and a circuit breaker per service.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from citetrack.net.config import DEFAULT_MAX_BODY_BYTES, NetConfig, RetryPolicy
from citetrack.net.pacing import Clock, RateLimiter, Sleep

if TYPE_CHECKING:
    import httpx

    from citetrack.net.lazy import AsyncClientLike
    from citetrack.net.retry import RetryAdvice, Tried

# httpx (with httpcore, h2, anyio, ssl) and tenacity are imported by the first request,
# not with this module: a run answered from the cache sends none (issue 16).

log = logging.getLogger(__name__)

# Headers describing the transfer, not the (already decoded) body we keep.
_TRANSFER_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
_SECRET_PARAMS = frozenset({"api_key", "email"})


@dataclass
class RequestStats:
    """HTTP attempts per service (retries included), for ``-v`` and the JSON report."""

    requests: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # ended as ServiceUnavailable

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.requests.items()))


# ----------------------------------------------------------------------------- errors


class ServiceUnavailable(Exception):
    """A registry gave no usable answer; ``reason`` says why, in words for the report.

    ``silent``: not one attempt got an HTTP answer (every one timed out or lost its
    connection) — the service is unreachable, not merely refusing or overloaded.
    """

    def __init__(self, reason: str, *, silent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.silent = silent


class _Transient(Exception):
    """A timeout or broken connection, normalised (httpx and asyncio raise different types)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


#: One attempt's outcome: the response or the transport failure, and whether (and how) it
#: is worth another attempt.
_Outcome: TypeAlias = "tuple[httpx.Response | _Transient, RetryAdvice | None]"


def _failure_reason(tried: Tried[_Outcome], policy: RetryPolicy) -> str:
    import httpx  # noqa: PLC0415 - see the imports

    last, _ = tried.outcome
    attempts = tried.attempts
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    if isinstance(last, httpx.Response):
        code = last.status_code
        over_cap = tried.over_cap
        if over_cap is not None and over_cap.retry_after is not None:
            return (
                f"HTTP {code}; server asked to retry after {over_cap.retry_after:.0f} s "
                f"(more than the {policy.retry_after_cap:.0f} s cap)"
            )
        label = " (rate limited)" if code == 429 else ""
        return f"HTTP {code}{label} after {tries}"
    if last.kind == "timeout":
        return f"timeout after {tries}"
    return f"connection failed after {tries} ({last})"


def redact_url(url: httpx.URL | str) -> str:
    """The URL with API keys and e-mail addresses in the query replaced by ``***``."""
    import httpx  # noqa: PLC0415 - see the imports

    parsed = httpx.URL(str(url))
    if not parsed.query:
        return str(parsed)
    params = [(k, "***" if k in _SECRET_PARAMS else v) for k, v in parsed.params.multi_items()]
    return str(parsed.copy_with(params=params))


async def read_capped(streamed: httpx.Response, max_bytes: int) -> bytes:
    """A streamed response's decoded body (:func:`citetrack.net.inflate.read_capped`: raw
    bytes through a bounded inflater); :class:`ServiceUnavailable` if it is larger than
    ``max_bytes`` (as declared, or once decompressed: reading stops there) or its
    Content-Encoding cannot be decoded."""
    from citetrack.net import inflate  # noqa: PLC0415 - see the imports

    try:
        return await inflate.read_capped(streamed, max_bytes)
    except inflate.TooLarge as exc:
        raise ServiceUnavailable(exc.reason) from None
    except ValueError as exc:
        raise ServiceUnavailable(f"undecodable response body ({exc})") from None
    except zlib.error:
        raise ServiceUnavailable("undecodable response body (corrupt compressed data)") from None


async def _send_once(
    client: AsyncClientLike,
    request: httpx.Request,
    *,
    max_body_bytes: int,
    total_timeout: float | None,
    follow_redirects: bool | None,
) -> httpx.Response:
    """Send, and read the body up to ``max_body_bytes`` (decoded), within ``total_timeout``."""
    import httpx  # noqa: PLC0415 - see the imports

    try:
        async with asyncio.timeout(total_timeout):
            if follow_redirects is None:
                streamed = await client.send(request, stream=True)
            else:
                streamed = await client.send(
                    request, stream=True, follow_redirects=follow_redirects
                )
            try:
                body = await read_capped(streamed, max_body_bytes)
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
        content=body,
        request=streamed.request,
        history=streamed.history,
        extensions=streamed.extensions,
    )


async def request(
    client: AsyncClientLike,
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
    stop: Callable[[], str | None] | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Send one logical request with pacing, retries and a body cap; return the response.

    Responses with a status outside :data:`RETRY_STATUSES` (200, 404, 400…) are returned
    for the caller to interpret; 4xx other than 408/429 are never retried.  Timeouts,
    connection errors and 408/429/5xx are retried per ``policy``; when the attempts or the
    waiting budget run out, :class:`ServiceUnavailable` is raised.  ``kwargs`` go to
    ``client.build_request`` (``params``, ``data``, ``headers``…).  A
    :class:`~citetrack.net.lazy.LazyClient` is built here, by the first request.
    ``stop`` is asked before each attempt: a reason it returns ends the request there
    (:class:`ServiceUnavailable`), as when the service's circuit breaker opened while this
    request waited for its next attempt.
    """
    import httpx  # noqa: PLC0415 - see the imports

    from citetrack.net.retry import retry_outcome  # noqa: PLC0415

    policy = policy or RetryPolicy()
    try:
        built = client.build_request(method, url, **kwargs)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise ServiceUnavailable(f"invalid request URL ({exc})") from None

    answered = False  # some attempt got an HTTP answer (not a timeout, not a lost connection)

    async def attempt() -> _Outcome:
        nonlocal answered
        why = stop() if stop is not None else None
        if why is not None:
            raise ServiceUnavailable(why)
        outcome = await _attempt(
            client,
            limiter,
            built,
            service=service,
            stats=stats,
            wall_clock=wall_clock,
            max_body_bytes=max_body_bytes,
            total_timeout=total_timeout,
            follow_redirects=follow_redirects,
            stop=stop,
        )
        answered = answered or not isinstance(outcome[0], _Transient)
        return outcome

    try:
        tried = await retry_outcome(
            attempt,
            lambda outcome: outcome[1],
            policy=policy,
            sleep=sleep,
            rng=rng or random.Random(),  # noqa: S311 - jitter, not crypto
        )
    except ServiceUnavailable as exc:
        if stats is not None:
            stats.failures[service] += 1
        log.info("%s %s: unavailable: %s", method, redact_url(built.url), exc.reason)
        raise
    last, _ = tried.outcome
    if tried.retryable or not isinstance(last, httpx.Response):
        reason = _failure_reason(tried, policy)
        if stats is not None:
            stats.failures[service] += 1
        log.info("%s %s: unavailable: %s", method, redact_url(built.url), reason)
        raise ServiceUnavailable(reason, silent=not answered)
    return last


async def _attempt(
    client: AsyncClientLike,
    limiter: RateLimiter,
    built: httpx.Request,
    *,
    service: str,
    stats: RequestStats | None,
    wall_clock: Clock,
    max_body_bytes: int,
    total_timeout: float | None,
    follow_redirects: bool | None,
    stop: Callable[[], str | None] | None = None,
) -> _Outcome:
    """One paced attempt; the limiter learns from the answer (its limits, a 429's pause).
    ``stop`` is asked again once the turn comes: a request queued behind the ones that
    opened the service's circuit breaker is not sent."""
    from citetrack.net.retry import RETRY_STATUSES, RetryAdvice  # noqa: PLC0415

    async with limiter.turn() as turn:
        why = stop() if stop is not None else None
        if why is not None:
            raise ServiceUnavailable(why)
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
        except _Transient as exc:
            return exc, RetryAdvice()
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
    if response.status_code not in RETRY_STATUSES:
        return response, None
    advice = RetryAdvice.from_answer(response.status_code, response.headers, now=wall_clock())
    if advice.rate_limited:
        limiter.throttled(advice.retry_after)
    elif advice.retry_after is not None:
        limiter.pause(advice.retry_after)  # an overloaded server asked everyone to hold off
    return response, advice


@dataclass
class Http:
    """What a service needs to send requests: the client and the shared retry machinery.

    A circuit breaker per service: after ``give_up_after`` requests in a row ended as
    unavailable (each after all its retries), the rest of the run does not ask that
    service again — its answers are "unavailable" at once.  Under a 429 storm the paced
    retries would otherwise take minutes per request; any success closes the breaker.
    A request none of whose attempts got any answer (every one timed out or lost its
    connection: the service is unreachable tonight) opens it at once, and the requests
    already under way stop before their next attempt: a hanging registry cost each of
    three requests in a row four attempts at the full timeout, and each stage asking it
    (lookups, then the searches) as much again — eight minutes to report ten references
    "unverified" (``tests/test_e2e_registry_outage.py``).
    """

    client: AsyncClientLike
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    stats: RequestStats = field(default_factory=RequestStats)
    sleep: Sleep = asyncio.sleep
    wall_clock: Clock = time.time
    rng: random.Random | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    total_timeout: float | None = 60.0
    give_up_after: int = 3
    failures_in_a_row: Counter[str] = field(default_factory=Counter)
    #: Per service, why it is unreachable (a request with no answer at all), once it is.
    unreachable: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(
        cls,
        client: AsyncClientLike,
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
        why = self.not_asked(service)
        if why is not None:
            raise ServiceUnavailable(why)
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
                stop=lambda: self.not_asked(service),
                **kwargs,
            )
        except ServiceUnavailable as exc:
            self.failures_in_a_row[service] += 1
            if exc.silent:
                self.unreachable.setdefault(service, exc.reason)
            raise
        self.failures_in_a_row[service] = 0
        self.unreachable.pop(service, None)
        return response

    def not_asked(self, service: str) -> str | None:
        """Why ``service`` is not to be asked again in this run, or ``None`` (its breaker
        is closed)."""
        if service in self.unreachable:
            return (
                f"not asked: {service} gave no answer to a request in this run "
                f"({self.unreachable[service]})"
            )
        if self.failures_in_a_row[service] >= self.give_up_after:
            return (
                f"not asked: {service} failed {self.failures_in_a_row[service]} requests in "
                "a row in this run"
            )
        return None
