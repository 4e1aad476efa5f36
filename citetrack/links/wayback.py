"""The Wayback Machine's CDX index: does a cited capture exist, and which capture to suggest?

All questions go to the CDX server (``{wayback_url}/cdx/search/cdx?url=…&output=json``;
api-notes §4.2): its JSON answer is an array of rows whose first row names the fields
(``urlkey, timestamp, original, mimetype, statuscode, digest, length``).  The plain-text form
(space-separated lines, the server's default) is read too.

* :meth:`Wayback.verify_archive` — a cited ``web.archive.org/web/<ts>/<url>`` link: is there
  a capture at that time, and did the page answer 200 when it was captured?  If it did not,
  the good capture nearest before it (else after it) is offered instead.
* :meth:`Wayback.find_capture` — for a dead link: the last capture with status 200 taken
  on or before the citation's access date (else, labelled as such, the first one after).
* :meth:`Wayback.has_capture` — for a live link: does any good capture exist?

Good conduct (api-notes §4.3): the CDX server allows 30 requests a minute per IP and asked
clients to stay at 80 % of that, so requests are paced at 24 a minute by default.  Its 429
carries no ``Retry-After``: after one, every CDX request pauses for ``rate_limit_pause``
(60 s by default) before trying again.  A page that was *archived* with status 429 is a
capture's status, never a live rate limit.  When the CDX server cannot answer (429 after the
retries, 5xx, timeouts, garbage) the status says ``available=None`` — never "missing".

A circuit breaker, as for the registries (:class:`citetrack.net.client.Http`): after
:data:`GIVE_UP_AFTER` requests in a row ended unanswerable (each after its retries), or one
that got no answer at all (every attempt timed out or lost its connection), the run asks
the CDX server nothing more — every other archive is unverified at once, and requests
already under way stop before their next attempt.  The CDX requests go one at a time, each
with three attempts and 5 s + 10 s of backoff (a 429's 60 s pause), so a night the Wayback
Machine was down cost every cited archive 15 s to minutes, one after another: six archived
links 104 s, fifty a nightly job's hour (``tests/test_e2e_host_outage.py``).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, TypeAlias

from citetrack.links.targets import parse_archive_url
from citetrack.model import ArchiveStatus
from citetrack.net import (
    Clock,
    NetConfig,
    RateLimiter,
    RateSpec,
    RequestStats,
    RetryAdvice,
    RetryPolicy,
    ServiceUnavailable,
    Sleep,
    read_capped,
    retry_outcome,
)
from citetrack.registries.base import without_lone_surrogates

if TYPE_CHECKING:
    import httpx

    from citetrack.net.lazy import AsyncClientLike

__all__ = [
    "CDX_FIELDS",
    "DEFAULT_WAYBACK_RETRY",
    "Capture",
    "CdxFormatError",
    "Wayback",
    "parse_cdx",
]

SERVICE = "wayback"
CDX_PATH = "/cdx/search/cdx"
#: The fields of a CDX row when the server is not told otherwise (``fl=``).
CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
DEFAULT_REQUESTS_PER_MINUTE = 24.0
DEFAULT_RATE_LIMIT_PAUSE = 60.0
#: Three attempts; transient errors back off 5 s, 10 s (429s pause ``rate_limit_pause``).
DEFAULT_WAYBACK_RETRY = RetryPolicy(
    max_attempts=3, max_total_wait=300.0, retry_after_cap=300.0, backoff_base=5.0, backoff_max=60.0
)
_MAX_BODY_BYTES = 2 * 1024 * 1024
#: CDX requests in a row that ended without a usable answer before the run stops asking.
GIVE_UP_AFTER = 3
_BLOCKED_SITE_MARKERS = ("AdministrativeAccessControlException", "Blocked Site Error")


# ------------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Capture:
    """One CDX row: when, of which URL, and the status the page answered at the time.

    ``status`` is ``None`` for revisit records (``-``: same content as an earlier capture).
    """

    timestamp: str
    original: str
    status: int | None
    mimetype: str | None = None


class CdxFormatError(ValueError):
    """The CDX answer is neither the JSON rows nor the text lines the server sends."""


def parse_cdx(text: str) -> list[Capture]:
    """The captures in a CDX answer (JSON with a header row, or space-separated lines).

    An empty answer means no captures.  A resume key (after an empty JSON row or a blank
    text line) ends the rows.  Raises :class:`CdxFormatError` for anything else.
    """
    stripped = text.strip()
    if not stripped:
        return []
    if stripped.startswith("["):
        return _parse_json_rows(stripped)
    captures: list[Capture] = []
    for line in text.strip("\n").split("\n"):
        if not line.strip():
            break  # a blank line, then the resume key
        row = line.split()
        if len(row) != len(CDX_FIELDS):
            raise CdxFormatError(f"CDX line with {len(row)} fields: {line[:120]!r}")
        captures.append(_capture(dict(zip(CDX_FIELDS, row, strict=True))))
    return captures


def _parse_json_rows(text: str) -> list[Capture]:
    try:
        rows = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise CdxFormatError(f"invalid CDX JSON ({exc})") from None
    # "\ud800" is valid JSON but not writable text: cleaned here, at the edge.
    rows = without_lone_surrogates(rows)
    if not isinstance(rows, list):
        raise CdxFormatError("CDX JSON is not an array")
    if not rows:
        return []
    header = rows[0]
    if (
        not isinstance(header, list)
        or not all(isinstance(name, str) for name in header)
        or "timestamp" not in header
        or "original" not in header
    ):
        raise CdxFormatError("CDX JSON does not start with a header row")
    captures: list[Capture] = []
    for row in rows[1:]:
        if row == []:
            break  # showResumeKey: [] then ["<key>"]
        if not isinstance(row, list) or len(row) != len(header):
            raise CdxFormatError(f"CDX row does not match the header: {str(row)[:120]}")
        captures.append(_capture(dict(zip(header, (str(v) for v in row), strict=True))))
    return captures


def _capture(fields: Mapping[str, str]) -> Capture:
    timestamp = fields["timestamp"]
    if not timestamp.isdigit() or not 4 <= len(timestamp) <= 14:
        raise CdxFormatError(f"bad CDX timestamp {timestamp!r}")
    code = fields.get("statuscode", "-")
    return Capture(
        timestamp=timestamp,
        original=fields["original"],
        status=int(code) if code.isdigit() else None,
        mimetype=fields.get("mimetype"),
    )


# -------------------------------------------------------------------------------- client

#: One CDX attempt: ``(status, headers, body)``, or a transport failure's text.
_CdxOutcome: TypeAlias = "tuple[int, httpx.Headers, str] | str"


class _Unverified(Exception):
    """The CDX server gave no usable answer; ``reason`` is for the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Excluded(Exception):
    """The site is excluded from the Wayback Machine (403 Blocked Site Error)."""


class Wayback:
    """Asks the Wayback Machine's CDX server about captures; see the module docstring.

    ``client`` is the registry client (the Internet Archive may see who is asking);
    ``base_url`` is ``NetConfig.wayback_url``.  ``limiter`` lets a run share one CDX pace
    between several instances; otherwise one is made at ``requests_per_minute``.
    ``look_after``: when nothing was captured before the access date, also look for the
    first capture after it.
    """

    def __init__(
        self,
        client: AsyncClientLike,
        *,
        base_url: str = NetConfig.wayback_url,
        requests_per_minute: float = DEFAULT_REQUESTS_PER_MINUTE,
        retry: RetryPolicy = DEFAULT_WAYBACK_RETRY,
        rate_limit_pause: float = DEFAULT_RATE_LIMIT_PAUSE,
        limiter: RateLimiter | None = None,
        look_after: bool = True,
        total_timeout: float | None = 60.0,
        stats: RequestStats | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        wall_clock: Clock = time.time,
    ) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._retry = retry
        self._rate_limit_pause = rate_limit_pause
        self._limiter = limiter or RateLimiter(
            "wayback/cdx",
            RateSpec(requests_per_minute / 60.0, 1),
            max_rate=requests_per_minute / 60.0,
            clock=clock,
            sleep=sleep,
        )
        self._look_after = look_after
        self._total_timeout = total_timeout
        self.stats = stats if stats is not None else RequestStats()
        self._wall_clock = wall_clock
        self._failures_in_a_row = 0
        self._unreachable: str | None = None  # why, once a request got no answer at all

    def memento_url(self, capture: Capture) -> str:
        """The address that replays ``capture``."""
        return f"{self._base}/web/{capture.timestamp}/{capture.original}"

    # ---------------------------------------------------------------------- the questions

    async def verify_archive(self, archive_url: str, *, url: str | None = None) -> ArchiveStatus:
        """Whether a cited Wayback link replays a capture of a page that answered 200.

        ``url`` is the citation's live URL, used as the status's ``url`` (default: the
        address archived, as written in the link).  Links to other archives (archive.today,
        WebCite…) cannot be verified: ``available=None`` with the reason.
        """
        link = parse_archive_url(archive_url)
        subject = url or (link.original if link and link.original else archive_url)
        if link is None or link.service != "wayback":
            why = link.problem if link else "not a Wayback Machine address"
            return ArchiveStatus(subject, archive_url, reason=f"cannot verify: {why}")
        if link.problem is not None or link.original is None:
            return ArchiveStatus(subject, archive_url, reason=f"cannot verify: {link.problem}")
        try:
            if link.timestamp is None:  # /web/<url>: the latest capture
                latest = await self._cdx(link.original, limit=-1)
                pick, note = (latest[-1] if latest else None), "the link replays the latest capture"
            else:
                pick, note = await self._capture_at(link.original, link.timestamp)
        except _Unverified as exc:
            return ArchiveStatus(subject, archive_url, reason=exc.reason)
        except _Excluded:
            return ArchiveStatus(subject, archive_url, available=False, reason=_EXCLUDED)
        if pick is None:
            reason = f"the Wayback Machine has no capture of {link.original}"
            return ArchiveStatus(subject, archive_url, available=False, reason=reason)
        available, verdict = _judge(pick)
        reason = "; ".join(part for part in (note, verdict) if part)
        if available:
            return ArchiveStatus(
                subject, self.memento_url(pick), pick.timestamp, pick.status, True, reason
            )
        # The cited capture is of an error page: offer the nearest good one instead.  The
        # evidence keeps the cited capture's time and status; ``archive_url`` is the offer.
        better, label = await self._good_capture_near(link.original, pick.timestamp)
        if better is None:
            reason += f"; {label}" if label else ""
            return ArchiveStatus(subject, archive_url, pick.timestamp, pick.status, False, reason)
        reason += f"; {label}: {self.memento_url(better)}"
        return ArchiveStatus(
            subject, self.memento_url(better), pick.timestamp, pick.status, False, reason
        )

    async def find_capture(self, url: str, before: date | None = None) -> ArchiveStatus:
        """The last capture of ``url`` with status 200 on or before ``before`` (any date if
        ``None``); failing that, the first one after it, labelled "after"."""
        when = f" on or before {before.isoformat()}" if before else ""
        try:
            to = f"{before:%Y%m%d}235959" if before else None
            found = await self._cdx(url, limit=-1, to=to, only_ok=True)
            if found:
                pick = found[-1]
                label = f"last good capture{when}" if before else "latest good capture"
                return self._found(url, pick, label)
            if before is not None and self._look_after:
                start = f"{before + timedelta(days=1):%Y%m%d}"
                later = await self._cdx(url, limit=1, start=start, only_ok=True)
                if later:
                    label = f"no good capture{when}; this one is from after that date"
                    return self._found(url, later[0], label)
        except _Unverified as exc:
            return ArchiveStatus(url, reason=exc.reason)
        except _Excluded:
            return ArchiveStatus(url, available=False, reason=_EXCLUDED)
        later_too = " or after" if before is not None and self._look_after else ""
        return ArchiveStatus(
            url, available=False, reason=f"no capture with HTTP 200{when}{later_too}"
        )

    async def has_capture(self, url: str) -> ArchiveStatus:
        """Whether the Wayback Machine holds any good (status 200) capture of ``url``;
        the latest one is given as evidence."""
        return await self.find_capture(url, None)

    def _found(self, url: str, capture: Capture, label: str) -> ArchiveStatus:
        return ArchiveStatus(
            url, self.memento_url(capture), capture.timestamp, capture.status, True, label
        )

    async def _good_capture_near(self, original: str, timestamp: str) -> tuple[Capture | None, str]:
        """The last capture with status 200 at or before ``timestamp``, else the first after
        it, with a label; ``(None, "")`` if there is none, ``(None, why)`` if the CDX server
        could not be asked (said, so that "none" is not read into it)."""
        when = _format_when(timestamp)
        try:
            before = await self._cdx(original, limit=-1, to=timestamp, only_ok=True)
            if before:
                pick = before[-1]
                return (
                    pick,
                    f"the last good capture before it is from {_format_when(pick.timestamp)}",
                )
            after = await self._cdx(original, limit=1, start=timestamp, only_ok=True)
        except _Unverified as exc:
            return None, f"the Wayback Machine could not be asked for a good capture ({exc.reason})"
        except _Excluded:
            return None, ""
        if after:
            pick = after[0]
            return pick, (
                f"no good capture before {when}; the first one after is from "
                f"{_format_when(pick.timestamp)}"
            )
        return None, ""

    async def _capture_at(self, original: str, timestamp: str) -> tuple[Capture | None, str]:
        """The capture a ``/web/<timestamp>/`` link replays, and a note if it is not exact."""
        exact = await self._cdx(original, limit=50, start=timestamp, to=timestamp)
        if exact:
            good = [c for c in exact if c.status is not None and 200 <= c.status < 300]
            return (good or exact)[0], ""
        # The Wayback Machine replays the nearest capture; the one before the cited time is
        # what the citing author can have seen, so prefer it.
        before = await self._cdx(original, limit=-1, to=timestamp)
        nearest = before[-1] if before else None
        if nearest is None:
            after = await self._cdx(original, limit=1, start=timestamp)
            nearest = after[0] if after else None
        if nearest is None:
            return None, ""
        return nearest, f"no capture at {timestamp}; the link replays {nearest.timestamp}"

    # ------------------------------------------------------------------------ the request

    async def _cdx(
        self,
        url: str,
        *,
        limit: int,
        start: str | None = None,
        to: str | None = None,
        only_ok: bool = False,
    ) -> list[Capture]:
        params: dict[str, str] = {"url": url, "output": "json", "limit": str(limit)}
        if start:
            params["from"] = start
        if to:
            params["to"] = to
        if only_ok:
            params["filter"] = "statuscode:200"
        return _parse_or_raise(await self._get(params))

    def _not_asked(self) -> str | None:
        """Why the CDX server is not to be asked again in this run (its breaker is open),
        or ``None``."""
        if self._unreachable is not None:
            return (
                "Wayback Machine not asked: it gave no answer to a request in this run "
                f"({self._unreachable})"
            )
        if self._failures_in_a_row >= GIVE_UP_AFTER:
            return (
                f"Wayback Machine not asked: it failed {self._failures_in_a_row} requests "
                "in a row in this run"
            )
        return None

    async def _get(self, params: Mapping[str, str]) -> str:
        """The body of a successful CDX answer, after pacing and retries; the circuit
        breaker told of the outcome (see the module docstring)."""
        why = self._not_asked()
        if why is not None:
            raise _Unverified(why)
        answered = False

        async def attempt() -> _CdxOutcome:
            nonlocal answered
            outcome = await self._attempt(params)
            answered = answered or not isinstance(outcome, str)
            return outcome

        try:
            body = await self._get_tried(attempt)
        except _Unverified as exc:
            if not exc.reason.startswith("Wayback Machine not asked"):
                self._failures_in_a_row += 1
                if not answered:
                    self._unreachable = self._unreachable or exc.reason
            raise
        except _Excluded:
            self._failures_in_a_row = 0
            raise
        self._failures_in_a_row = 0
        return body

    async def _get_tried(self, attempt: Callable[[], Awaitable[_CdxOutcome]]) -> str:
        """The body of a successful CDX answer from ``attempt`` under the retry policy."""
        tried = await retry_outcome(
            attempt,
            self._advice,
            policy=self._retry,
            hold=self._hold,
            rate_limit_wait=self._rate_limit_pause,  # IA sends no Retry-After (api-notes §4.3)
        )
        outcome = tried.outcome
        if isinstance(outcome, str):
            detail = outcome
        else:
            status, headers, body = outcome
            if not tried.retryable:
                if status == 200:
                    return body
                if status == 403 and _is_blocked_site(headers, body):
                    raise _Excluded()
                if status == 429 and "memento-datetime" in headers:
                    # An archived 429 replayed, not the CDX server limiting us.
                    raise _Unverified("unexpected archived page instead of a CDX answer")
                raise _Unverified(f"unexpected HTTP {status} from the Wayback CDX server")
            detail = f"HTTP {status}" + (" (rate limited)" if status == 429 else "")
        tries = f"{tried.attempts} attempt{'s' if tried.attempts != 1 else ''}"
        raise _Unverified(f"Wayback Machine unavailable: {detail} after {tries}")

    def _advice(self, outcome: _CdxOutcome) -> RetryAdvice | None:
        """Whether a CDX outcome is worth another attempt (transport failures, 408, 429
        from the server itself, 5xx but 501), and the Retry-After it carried."""
        if isinstance(outcome, str):
            return RetryAdvice()
        status, headers, _ = outcome
        if status == 429 and "memento-datetime" in headers:
            return None
        if status in (408, 429) or (500 <= status < 600 and status != 501):
            return RetryAdvice.from_answer(status, headers, now=self._wall_clock())
        return None

    def _hold(self, outcome: _CdxOutcome, advice: RetryAdvice, delay: float) -> None:
        """Every CDX request waits out a retry's delay; a 429 also slows the pace."""
        if advice.rate_limited:
            self._limiter.throttled(delay)
        else:
            self._limiter.pause(delay)

    async def _attempt(self, params: Mapping[str, str]) -> _CdxOutcome:
        """One paced request: ``(status, headers, body)``, or a transport failure's text."""
        import httpx  # noqa: PLC0415 - the HTTP stack is loaded by the first request

        request = self._client.build_request("GET", self._base + CDX_PATH, params=params)
        # The breaker may have opened while this waited (for its turn, or its next try).
        why = self._not_asked()
        if why is not None:
            raise _Unverified(why)
        async with self._limiter:
            why = self._not_asked()
            if why is not None:
                raise _Unverified(why)
            self.stats.requests[SERVICE] += 1
            try:
                # A deadline for the whole answer: a body dripped slower than the read
                # timeout would otherwise hold the run as long as the server likes.
                async with asyncio.timeout(self._total_timeout):
                    response = await self._client.send(request, stream=True)
                    try:
                        body = await _read_capped(response)
                    finally:
                        await response.aclose()
            except (httpx.TimeoutException, TimeoutError):
                return "timeout"
            except httpx.HTTPError as exc:
                return f"connection failed ({type(exc).__name__})"
        self._limiter.observe(response)
        return response.status_code, response.headers, body


_EXCLUDED = "the site is excluded from the Wayback Machine (403 Blocked Site Error)"


def _parse_or_raise(body: str) -> list[Capture]:
    try:
        return parse_cdx(body)
    except CdxFormatError as exc:
        raise _Unverified(f"unexpected answer from the Wayback CDX server ({exc})") from None


async def _read_capped(response: httpx.Response) -> str:
    """The CDX answer's text, read with the registry path's size cap."""
    try:
        body = await read_capped(response, _MAX_BODY_BYTES)
    except ServiceUnavailable:
        raise _Unverified("CDX answer too large") from None
    return body.decode(response.encoding or "utf-8", errors="replace")


def _is_blocked_site(headers: httpx.Headers, body: str) -> bool:
    text = headers.get("x-archive-wayback-runtime-error", "") + body[:2000]
    return any(marker in text for marker in _BLOCKED_SITE_MARKERS)


def _format_when(timestamp: str) -> str:
    """``20190301000000`` → ``2019-03-01`` (the day is enough for a reader)."""
    digits = (timestamp + "0101")[:8] if len(timestamp) >= 4 else timestamp
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}" if len(digits) == 8 else timestamp


def _judge(capture: Capture) -> tuple[bool, str]:
    """Whether a capture shows the cited page, and what to say about it."""
    code = capture.status
    when = capture.timestamp
    if code is None:
        return True, "a revisit record (same content as an earlier capture)"
    if 200 <= code < 300:
        return True, ""
    if 300 <= code < 400:
        return False, f"the capture at {when} is a redirect (HTTP {code}), not the page itself"
    if code == 429:
        return False, (
            f"the page answered HTTP 429 when captured at {when} (an archived rate-limit "
            "page, not a live one)"
        )
    return False, f"the page answered HTTP {code} when captured at {when}"
