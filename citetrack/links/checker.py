"""Checking cited web links: is the page still there, moved, gone, or just hiding from bots?

Link checkers are known for false alarms — a 403 from a bot wall, a 429, a timeout reported
as "dead" — and users switch them off.  This one says "dead" only when the server or DNS
said so plainly (404, 410, no such host), and "blocked" / "unavailable" (never dead) when
it could not tell.  :class:`LinkChecker` does, per URL:

* one streamed GET for a web page, read only until its ``<title>`` and first ``<h1>`` are
  known (at most ``max_body_bytes``, 64 KB, decompressed with a bound — no gzip bombs), so
  the status and the soft-404 / bot-wall evidence come from a single request;
* HEAD first for URLs that name a file (``.pdf``, ``.zip``…) and whenever soft-404
  detection is off, then GET when HEAD is refused or answers an error (some servers only
  implement GET), or when a "file" turns out to be an HTML page;
* redirects followed one hop at a time, each hop re-checked by the SSRF guard
  (:mod:`citetrack.net.urlsafety`) and held to the cited URL's address zone, recorded, with
  loops and over-long chains cut off;
* per-host pacing (one request start per second per host by default) with all hosts in
  parallel, ``Retry-After`` honoured, 429 / 5xx / timeouts retried per a
  :class:`~citetrack.net.RetryPolicy`;
* a circuit breaker per host: once ``host_give_up`` requests in a row to a host got no
  answer at all (timeouts, resets, refused connections, each after all its attempts), or
  one more than that were still refused after every retry (429 — however long the
  ``Retry-After`` waits —, 5xx), the rest of the run does not ask that host again — its
  other URLs are unverified at once (blocked when the host was rate-limiting).
  A site down for the night (its server hanging) otherwise cost every one of its cited
  URLs three attempts at the full timeout, one URL after another: 50 links to one journal
  site kept a nightly job busy for over an hour to say "could not verify" 50 times;
* requests built from scratch, so none of the registry client's identification (``mailto``,
  API keys, auth, cookies) can leak to arbitrary web sites.

Why GET rather than HEAD-then-GET for pages: a soft 404 ("Page not found" served with 200)
is only visible in the body, so HEAD-then-GET costs every working HTML page two requests,
and every host twice the time at one request a second.  A GET that stops after the first
kilobytes costs the server about what a HEAD costs (most servers render the page for a HEAD
too) and the network a few kilobytes.  HEAD stays first where it saves a real download:
files, whose bodies are never read, and checks without soft-404 detection.  A GET whose
answer is not HTML is closed as soon as its headers arrive.

DOI links (``https://doi.org/…``) are not fetched: the DOI checks own them (:func:`is_doi_link`).

Verdicts are given by :func:`citetrack.links.classify.classify` (see its table); page
signals come from :mod:`citetrack.links.page`, URL comparisons from
:mod:`citetrack.links.urls`.

If no host *name* resolved to a public address during a run, "no such name" proves nothing
(the machine is probably offline — it then answers "not found" for every name), so those
links are reported unavailable instead of dead.  IP-literal hosts need no DNS and do not
count; nor does a name that resolved only to loopback or private addresses (``localhost``,
a hosts-file entry), whether or not the policy then refused it.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace

import httpx

from citetrack.links.classify import REDIRECT_STATUSES, Answer, Failure, Outcome, classify
from citetrack.links.client import LINK_HEADERS
from citetrack.links.page import HTML_TYPES, bot_wall, read_page
from citetrack.links.targets import is_doi_link
from citetrack.links.urls import host_key, is_ip_literal, looks_like_file, redirect_target
from citetrack.model import LinkStatus, LinkVerdict
from citetrack.net import (
    Clock,
    RateLimiter,
    RateSpec,
    RequestStats,
    RetryAdvice,
    RetryPolicy,
    Sleep,
    Tried,
    retry_outcome,
)
from citetrack.net.urlsafety import (
    AddressRefused,
    HostNotResolved,
    Resolver,
    Zone,
    address_refusal,
    address_zone,
    allowed_zones,
    chain_zones,
    connection_zones,
    default_resolver,
    resolve,
    vet_syntax,
)

__all__ = [
    "DEFAULT_BODY_TIME_LIMIT",
    "DEFAULT_LINK_RETRY",
    "DEFAULT_MAX_BODY_BYTES",
    "LinkChecker",
    "LinkProgress",
]

SERVICE = "links"
DEFAULT_MAX_BODY_BYTES = 64 * 1024
#: Links are retried gently: three attempts, Retry-After up to a minute honoured.
DEFAULT_LINK_RETRY = RetryPolicy(
    max_attempts=3, max_total_wait=90.0, retry_after_cap=60.0, backoff_base=2.0, backoff_max=20.0
)
# Statuses worth another attempt later.  501 (not implemented) and 505 are final answers.
_RETRY_5XX_EXCLUDED = frozenset({501, 505})
# How often one URL may come round again in a redirect chain before it is a loop (a
# cookie-setting redirect back to the same URL is legitimate once).
_MAX_VISITS = 2
_UNPACED = 1e9  # requests per second when per_host_interval is 0
#: Requests in a row to one host that got no answer at all (each after its retries) before
#: the run stops asking that host (see the module docstring).
DEFAULT_HOST_GIVE_UP = 2
#: Failures that are no answer from the host (not our refusal, not a bad URL).
_SILENT = frozenset({"timeout", "network"})
#: Seconds a page body may take when the client has no read timeout.
DEFAULT_BODY_TIME_LIMIT = 20.0
_ZONE_NOTE = (
    " (a redirect may lead only to public addresses and to the kind of address the cited"
    " URL itself has)"
)
#: ``LinkChecker.check``'s progress callback: (URLs done, URLs in all).
LinkProgress = Callable[[int, int], None]


@dataclass(frozen=True)
class _Checked:
    """A URL's status plus what the run-level offline check needs to know."""

    status: LinkStatus
    resolved: bool = False  # some host of the chain resolved
    dns_dead: bool = False  # dead only because DNS said "no such name"


# ---------------------------------------------------------------------------- the checker


class LinkChecker:
    """Checks web links politely and conservatively; see the module docstring.

    ``client`` should come from :func:`make_link_client` (SSRF-guarded at connect time);
    any client works, since requests are built here without the client's default headers,
    parameters, auth or cookies.  ``per_host_interval`` seconds separate request starts to
    one host and ``per_host_concurrency`` requests may be in flight to it; different hosts
    proceed in parallel, up to ``max_connections`` requests at once.  ``retry`` decides how
    often 429 / 5xx / timeouts are tried again (``Retry-After`` is honoured up to its
    ``retry_after_cap``).  A page body is read for at most ``body_time_limit`` seconds
    (default: the client's read timeout).  ``use_head=False`` never sends HEAD;
    ``detect_soft_404=False`` reads no body of a 2xx page (and so tries HEAD first
    everywhere).  ``clock`` / ``sleep`` pace requests, ``wall_clock`` reads HTTP-date
    ``Retry-After`` values; all three are injectable for tests.
    """

    #: URL checks started per pass of the event loop (see :meth:`check`).
    START_GROUP = 64

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        per_host_interval: float = 1.0,
        per_host_concurrency: int = 1,
        max_connections: int = 20,
        max_redirects: int = 10,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        body_time_limit: float | None = None,
        allow_private: bool = False,
        resolver: Resolver | None = None,
        retry: RetryPolicy = DEFAULT_LINK_RETRY,
        use_head: bool = True,
        detect_soft_404: bool = True,
        stats: RequestStats | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        wall_clock: Clock = time.time,
        host_give_up: int = DEFAULT_HOST_GIVE_UP,
    ) -> None:
        if per_host_interval < 0 or per_host_concurrency < 1 or max_connections < 1:
            raise ValueError("invalid pacing for the link checker")
        if host_give_up < 1:
            raise ValueError("host_give_up must be at least 1")
        self._client = client
        self._interval = per_host_interval
        self._host_concurrency = per_host_concurrency
        self._max_redirects = max_redirects
        self._max_body_bytes = max_body_bytes
        if body_time_limit is None:
            body_time_limit = client.timeout.read or DEFAULT_BODY_TIME_LIMIT
        self._body_time_limit = body_time_limit
        self._zones = allowed_zones(allow_private)
        self._resolver = resolver or default_resolver
        self._retry = retry
        self._use_head = use_head
        self._detect_soft_404 = detect_soft_404
        self.stats = stats if stats is not None else RequestStats()
        self._clock = clock
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._connections = asyncio.Semaphore(max_connections)
        self._limiters: dict[str, RateLimiter] = {}
        self._no_head: set[str] = set()  # hosts that answered HEAD with 405 / 501
        self._host_give_up = host_give_up
        # Per host: requests in a row that got no answer, and the last such failure.
        self._silent: Counter[str] = Counter()
        self._silence: dict[str, str] = {}
        # Per host: requests in a row still refused (408/429/5xx) after every retry.
        self._refusing: Counter[str] = Counter()
        self._refusal: dict[str, str] = {}
        self._dns: dict[tuple[str, int], asyncio.Task[list[str]]] = {}

    async def check(
        self, urls: Sequence[str], *, progress: LinkProgress | None = None
    ) -> dict[str, LinkStatus]:
        """The status of each distinct URL (DOI links are skipped: absent from the result).

        ``progress`` is called with (done, total) as each URL is finished.
        """
        unique = [u for u in dict.fromkeys(urls) if not is_doi_link(u)]
        done = 0

        async def one(url: str) -> _Checked:
            nonlocal done
            result = await self._check_one(url)
            done += 1
            if progress is not None:
                progress(done, len(unique))
            return result

        # Started a group at a time, the loop polled in between: each check's first step
        # (URL vetting, its retry policy, its host's limiter) is CPU work, and 2,000 of
        # them in one pass of the event loop held every other service's requests back
        # for 0.2-0.4 s: Crossref's windows, paced to the millisecond, went out late
        # (issue 16, bench/timeline.py).
        tasks: list[asyncio.Task[_Checked]] = []
        try:
            for start in range(0, len(unique), self.START_GROUP):
                if start:
                    await asyncio.sleep(0)
                tasks += [
                    asyncio.ensure_future(one(u)) for u in unique[start : start + self.START_GROUP]
                ]
            checked = await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            raise
        offline = not any(c.resolved for c in checked)
        out: dict[str, LinkStatus] = {}
        for url, result in zip(unique, checked, strict=True):
            status = result.status
            if offline and result.dns_dead:
                status = replace(
                    status,
                    verdict=LinkVerdict.UNAVAILABLE,
                    reason=f"{status.reason}; but no host name resolved in this run, "
                    "so DNS itself may be unreachable",
                )
            out[url] = status
        return out

    # ------------------------------------------------------------------ one URL, all hops

    async def _check_one(self, url: str) -> _Checked:
        hops: list[tuple[int, str]] = []  # (status that redirected, target)
        visits: Counter[str] = Counter()
        cookies = httpx.Cookies()
        current = url
        resolved = False  # a host *name* of the chain resolved (IP literals need no DNS)
        zones: frozenset[Zone] = self._zones  # narrowed to the chain's after the first hop
        while True:
            visits[current] += 1
            redirects = tuple(target for _, target in hops)

            if visits[current] > _MAX_VISITS:
                return _Checked(
                    self._status(url, LinkVerdict.UNAVAILABLE, hops, f"redirect loop at {current}"),
                    resolved,
                )
            syntax = vet_syntax(current, zones=zones)
            if syntax.refusal is not None:
                by_chain = vet_syntax(current, zones=self._zones).refusal is None
                return self._refused(url, hops, syntax.refusal, by_chain, resolved)
            try:
                addresses = await self._addresses(syntax.host, syntax.port)
            except HostNotResolved as exc:
                verdict = LinkVerdict.DEAD if exc.permanent else LinkVerdict.UNAVAILABLE
                what = "no such host" if exc.permanent else "DNS lookup failed"
                hop = f"redirect to {current}: " if hops else ""
                reason = f"{hop}{what}: {exc.host} ({exc.reason})"
                status = LinkStatus(url, verdict, None, current, redirects, reason)
                return _Checked(status, resolved, dns_dead=exc.permanent)
            # Only a name that resolved to a public address shows that DNS works: a
            # localhost or hosts-file name, or one resolving to private addresses (a
            # pull request can add one), is answered without the network.
            resolved = resolved or (
                not is_ip_literal(syntax.host)
                and any(address_zone(a)[0] is Zone.PUBLIC for a in addresses)
            )
            for address in addresses:
                why = address_refusal(address, zones)
                if why is not None:
                    by_chain = address_refusal(address, self._zones) is None
                    reason = f"{syntax.host} resolves to {why}"
                    return self._refused(url, hops, reason, by_chain, resolved)
            if not hops:
                zones = chain_zones(addresses, self._zones)
            outcome = await self._fetch(current, cookies, zones)
            if isinstance(outcome, Answer) and outcome.is_redirect:
                target = redirect_target(current, outcome.location or "")
                if target is None:
                    reason = f"invalid redirect Location {outcome.location!r}"
                    status = self._status(url, LinkVerdict.UNAVAILABLE, hops, reason, outcome)
                    return _Checked(status, resolved)
                if len(hops) >= self._max_redirects:
                    reason = f"more than {self._max_redirects} redirects"
                    status = self._status(url, LinkVerdict.UNAVAILABLE, hops, reason, outcome)
                    return _Checked(status, resolved)
                hops.append((outcome.status, target))
                current = target
                continue
            return _Checked(classify(url, hops, outcome), resolved)

    @staticmethod
    def _refused(
        url: str, hops: list[tuple[int, str]], reason: str, by_chain: bool, resolved: bool
    ) -> _Checked:
        """A refusal of ``url`` (or of its last redirect hop); ``by_chain``: the address
        would be allowed for a cited URL, but not as a redirect from this one."""
        redirects = tuple(target for _, target in hops)
        current = redirects[-1] if redirects else url
        hop = f"redirect to {current}: " if hops else ""
        note = _ZONE_NOTE if by_chain else ""
        status = LinkStatus(url, LinkVerdict.REFUSED, None, current, redirects, hop + reason + note)
        return _Checked(status, resolved)

    @staticmethod
    def _status(
        url: str,
        verdict: LinkVerdict,
        hops: list[tuple[int, str]],
        reason: str,
        outcome: Outcome | None = None,
    ) -> LinkStatus:
        redirects = tuple(target for _, target in hops)
        code = outcome.status if isinstance(outcome, Answer) else None
        final = redirects[-1] if redirects else url
        return LinkStatus(url, verdict, code, final, redirects, reason)

    async def _addresses(self, host: str, port: int) -> list[str]:
        """The host's addresses, resolved once per run (concurrent lookups share a task)."""
        key = (host, port)
        task = self._dns.get(key)
        if task is None:
            task = asyncio.ensure_future(resolve(host, port, self._resolver))
            self._dns[key] = task
        return await asyncio.shield(task)

    # ---------------------------------------------------------------- one hop: HEAD / GET

    def _head_first(self, url: str) -> bool:
        """HEAD before GET only where it can spare a GET (see the module docstring)."""
        if not self._use_head or host_key(url) in self._no_head:
            return False
        return not self._detect_soft_404 or looks_like_file(url)

    async def _fetch(self, url: str, cookies: httpx.Cookies, zones: Collection[Zone]) -> Outcome:
        """The answer for one hop: HEAD if it suffices, else GET, with retries; the host's
        circuit breaker told of the outcome (see the module docstring)."""
        outcome = await self._fetch_hop(url, cookies, zones)
        host = host_key(url)
        if isinstance(outcome, Answer):
            self._silent.pop(host, None)
            if self._advice(outcome) is None:
                self._refusing.pop(host, None)
            else:  # 408 / 429 / 5xx still, after every attempt and Retry-After
                self._refusing[host] += 1
                label = " (rate limited)" if outcome.status == 429 else ""
                self._refusal[host] = f"HTTP {outcome.status}{label}"
        elif outcome.kind in _SILENT:
            self._silent[host] += 1
            self._silence.setdefault(host, outcome.detail)
        return outcome

    def _host_not_asked(self, url: str) -> Failure | None:
        """The failure to give at once for ``url`` when its host's breaker is open."""
        host = host_key(url)
        count = self._silent[host]
        if count >= self._host_give_up:
            return Failure(
                "not-asked",
                f"not asked: {host} gave no answer to {count} requests in a row in this run "
                f"({self._silence.get(host, 'no answer')})",
            )
        count = self._refusing[host]
        if count >= self._host_give_up + 1:
            refusal = self._refusal.get(host, "")
            return Failure(
                "not-asked-rate-limited" if "429" in refusal else "not-asked",
                f"not asked: {host} answered {count} requests in a row in this run with "
                f"{refusal} after every retry",
            )
        return None

    async def _fetch_hop(
        self, url: str, cookies: httpx.Cookies, zones: Collection[Zone]
    ) -> Outcome:
        """The answer for one hop: HEAD if it suffices, else GET, with retries."""
        prior: Outcome | None = None
        if self._head_first(url):
            prior = await self._attempt("HEAD", url, cookies, zones)
            if isinstance(prior, Answer):
                if prior.is_redirect or (prior.is_memento and prior.status >= 400):
                    return prior
                if 200 <= prior.status < 300 and not (self._detect_soft_404 and prior.is_html):
                    return prior
                if prior.status in (405, 501):
                    self._no_head.add(host_key(url))
            elif prior.kind in ("refused", "invalid"):
                return prior
        return await self._get_with_retries(url, cookies, zones, prior)

    async def _get_with_retries(
        self,
        url: str,
        cookies: httpx.Cookies,
        zones: Collection[Zone],
        prior: Outcome | None,
    ) -> Outcome:
        """GET under the retry policy; a retryable HEAD answer counts as the first try."""

        async def get() -> Outcome:
            return await self._attempt("GET", url, cookies, zones)

        def hold(outcome: Outcome, advice: RetryAdvice, delay: float) -> None:
            # The wait is spent in the host's limiter: the next request to it waits too.
            limiter = self._limiter(url)
            if advice.rate_limited and isinstance(outcome, Answer) and outcome.method == "GET":
                limiter.throttled(delay)
            else:
                limiter.pause(delay)

        first = prior if prior is not None and self._advice(prior) is not None else None
        tried: Tried[Outcome] = await retry_outcome(
            get, self._advice, policy=self._retry, hold=hold, first=first
        )
        return replace(tried.outcome, attempts=tried.attempts, gave_up=self._gave_up(tried))

    def _advice(self, outcome: Outcome) -> RetryAdvice | None:
        """Whether ``outcome`` is worth another attempt, and what Retry-After it carried."""
        if isinstance(outcome, Failure):
            return RetryAdvice() if outcome.kind in ("timeout", "network") else None
        if outcome.is_memento or bot_wall(outcome.status, outcome.headers, outcome.page):
            return None  # an archived error, or a challenge: asking again changes nothing
        status = outcome.status
        if status in (408, 429) or (500 <= status < 600 and status not in _RETRY_5XX_EXCLUDED):
            return RetryAdvice.from_answer(status, outcome.headers, now=self._wall_clock())
        return None

    def _gave_up(self, tried: Tried[Outcome]) -> str:
        """Why no further attempt was made (the policy's count of attempts needs no
        explanation; a ``Retry-After`` beyond the cap and the waiting budget do)."""
        policy = self._retry
        if not tried.retryable or tried.out_of_attempts:
            return ""
        if tried.over_cap is not None:
            header = tried.over_cap.retry_after_text
            when = f"after {header} s" if header.strip().isdigit() else f"at {header}"
            return (
                f"the server asked to retry {when}, later than the "
                f"{policy.retry_after_cap:.0f} s this check waits"
            )
        return f"retrying would wait more than {policy.max_total_wait:.0f} s in all"

    def _limiter(self, url: str) -> RateLimiter:
        host = host_key(url)
        limiter = self._limiters.get(host)
        if limiter is None:
            rate = 1.0 / self._interval if self._interval > 0 else _UNPACED
            limiter = RateLimiter(
                f"{SERVICE}:{host}",
                RateSpec(rate, self._host_concurrency),
                max_rate=rate,
                max_concurrency=self._host_concurrency,
                clock=self._clock,
                sleep=self._sleep,
            )
            self._limiters[host] = limiter
        return limiter

    async def _attempt(
        self, method: str, url: str, cookies: httpx.Cookies, zones: Collection[Zone]
    ) -> Outcome:
        """One request, paced for its host; the body is read only if it can matter.

        ``zones`` bind the transport's connection (see :func:`connection_zones`), so a DNS
        answer that changed since the hop was vetted cannot lead outside the chain's zones.
        A host whose breaker is open is not asked (checked again once the turn comes: the
        requests queued behind the failing ones waited in its limiter).
        """
        skipped = self._host_not_asked(url)
        if skipped is not None:
            return skipped
        async with self._limiter(url).turn() as turn, self._connections:
            skipped = self._host_not_asked(url)
            if skipped is not None:
                return skipped
            self.stats.requests[SERVICE] += 1
            # The pace counts from when the request goes on the wire (after any connection
            # set-up), so that the server sees the spacing it was promised.
            request = httpx.Request(
                method, url, headers=LINK_HEADERS, extensions={"trace": turn.trace}
            )
            cookies.set_cookie_header(request)
            try:
                with connection_zones(zones):
                    response = await self._client.send(
                        request, stream=True, follow_redirects=False, auth=None
                    )
            except AddressRefused as exc:
                return Failure("refused", f"connection refused by the address guard: {exc}")
            except httpx.TimeoutException as exc:
                return Failure("timeout", f"timed out ({type(exc).__name__})")
            except (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.LocalProtocolError) as exc:
                return Failure("invalid", f"cannot request this URL ({exc})")
            except httpx.HTTPError as exc:
                return Failure("network", f"connection failed ({type(exc).__name__}: {exc})")
            try:
                cookies.extract_cookies(response)
                page = None
                if method == "GET" and self._wants_body(response):
                    page = await read_page(
                        response,
                        max_bytes=self._max_body_bytes,
                        time_limit=self._body_time_limit,
                        clock=self._clock,
                    )
                return Answer(method, url, response.status_code, response.headers, page)
            finally:
                await response.aclose()

    def _wants_body(self, response: httpx.Response) -> bool:
        status = response.status_code
        content_type = response.headers.get("content-type", "").lower()
        html = not content_type or content_type.startswith(HTML_TYPES)
        if not html or status in REDIRECT_STATUSES or status in (404, 410):
            return False
        return self._detect_soft_404 or status >= 400
