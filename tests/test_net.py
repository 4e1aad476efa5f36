"""citetrack.net: config, client identity, rate limiting, retries, body cap.

No test sleeps or talks to a real host: clocks and sleeps are fakes, HTTP goes through
``httpx.MockTransport``.
"""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import itertools
import random
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest

from citetrack import __version__
from citetrack.net import (
    Http,
    Limiters,
    NetConfig,
    RateLimiter,
    RateSpec,
    RequestStats,
    RetryPolicy,
    ServiceUnavailable,
    make_client,
    parse_retry_after,
    redact_url,
    request,
    user_agent,
)

FAST = RateSpec(1000.0, 4)
WALL = 1_800_000_000.0  # a fixed "now" for HTTP-date arithmetic


class FakeTime:
    """A monotonic clock that only moves when someone sleeps; records the sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


class Recorder:
    """A sleep for the retry loop that advances a shared FakeTime but records separately."""

    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.sleeps: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time.now += seconds
        await asyncio.sleep(0)


def responses(*items: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    """A MockTransport handler answering with ``items`` in turn (the last one repeats)."""
    queue: Iterator[httpx.Response | Exception] = iter(items)
    last: list[httpx.Response | Exception] = []

    def handler(req: httpx.Request) -> httpx.Response:
        item = next(queue, None)
        if item is None:
            item = last[0]
        else:
            last[:] = [item]
        if isinstance(item, Exception):
            raise item
        return item

    return handler


def setup(
    handler: Callable[[httpx.Request], httpx.Response],
    *,
    spec: RateSpec = FAST,
) -> tuple[httpx.AsyncClient, RateLimiter, Recorder, FakeTime]:
    time = FakeTime()
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    limiter = RateLimiter("test", spec, clock=time.clock, sleep=time.sleep)
    return client, limiter, Recorder(time), time


async def call(
    client: httpx.AsyncClient,
    limiter: RateLimiter,
    sleep: Recorder,
    *,
    policy: RetryPolicy | None = None,
    stats: RequestStats | None = None,
    max_body_bytes: int = 1_000_000,
) -> httpx.Response:
    return await request(
        client,
        limiter,
        "GET",
        "https://registry.test/x",
        service="crossref",
        policy=policy or RetryPolicy(),
        stats=stats,
        sleep=sleep,
        wall_clock=lambda: WALL,
        rng=random.Random(7),
        max_body_bytes=max_body_bytes,
    )


# ------------------------------------------------------------------------------ config


def test_from_env_reads_exactly_the_documented_variables() -> None:
    env = {
        "CITETRACK_CROSSREF_URL": "http://127.0.0.1:8001/crossref",
        "CITETRACK_EUTILS_URL": "http://127.0.0.1:8001/eutils",
        "CITETRACK_IDCONV_URL": "http://127.0.0.1:8001/idconv/",
        "CITETRACK_DOI_URL": "http://127.0.0.1:8001/doi",
        "CITETRACK_WAYBACK_URL": "http://127.0.0.1:8001/wayback",
        "CITETRACK_MAILTO": "librarian@example.org",
        "NCBI_API_KEY": "abc123",
        "CROSSREF_URL": "http://ignored",
    }
    config = NetConfig.from_env(env)
    assert config.crossref_url == "http://127.0.0.1:8001/crossref"
    assert config.eutils_url == "http://127.0.0.1:8001/eutils"
    assert config.idconv_url == "http://127.0.0.1:8001/idconv/"
    assert config.doi_url == "http://127.0.0.1:8001/doi"
    assert config.wayback_url == "http://127.0.0.1:8001/wayback"
    assert config.mailto == "librarian@example.org"
    assert config.ncbi_api_key == "abc123"


def test_from_env_defaults_and_empty_values() -> None:
    config = NetConfig.from_env({"CITETRACK_MAILTO": "  ", "CITETRACK_CROSSREF_URL": ""})
    assert config == NetConfig()
    assert config.crossref_url == "https://api.crossref.org"
    assert config.idconv_url == "https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/v1/articles/"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mailto": "not an address"},
        {"mailto": "a@b.org\r\nX-Evil: 1"},
        {"ncbi_api_key": "key with spaces"},
        {"crossref_url": "ftp://example.org"},
        {"doi_url": "doi.org"},
        {"read_timeout": 0},
    ],
)
def test_unusable_settings_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        NetConfig(**kwargs)  # type: ignore[arg-type]


def test_crossref_starting_rates_follow_the_pool() -> None:
    assert NetConfig().crossref_rates() == (RateSpec(5.0, 1), RateSpec(1.0, 1))
    assert NetConfig(mailto="a@b.org").crossref_rates() == (RateSpec(10.0, 3), RateSpec(3.0, 3))


def test_user_agent_carries_mailto_only_when_given() -> None:
    assert user_agent("a@b.org") == (
        f"citetrack/{__version__} (https://github.com/citetrack/citetrack; mailto:a@b.org)"
    )
    assert "mailto" not in user_agent(None)


async def test_link_client_does_not_identify_the_user() -> None:
    seen: list[httpx.Request] = []

    def handler(req: httpx.Request) -> httpx.Response:
        seen.append(req)
        return httpx.Response(200)

    config = NetConfig(mailto="me@example.org")
    transport = httpx.MockTransport(handler)
    async with make_client(config, transport=transport) as registry:
        await registry.get("https://api.crossref.org/works")
    async with make_client(config, identify=False, transport=transport) as links:
        await links.get("https://some-publisher.example/article")
    assert "mailto:me@example.org" in seen[0].headers["user-agent"]
    assert "me@example.org" not in seen[1].headers["user-agent"]


def test_redact_url_hides_keys_and_addresses() -> None:
    url = "https://eutils.test/esummary.fcgi?db=pubmed&api_key=SECRET&email=me%40x.org&id=1"
    redacted = redact_url(url)
    assert "SECRET" not in redacted
    assert "me%40x.org" not in redacted
    assert "id=1" in redacted


# ------------------------------------------------------------------------ rate limiter


async def test_limiter_never_exceeds_rate_or_concurrency() -> None:
    time = FakeTime()
    limiter = RateLimiter("t", RateSpec(4.0, 2), clock=time.clock, sleep=time.sleep)
    starts: list[float] = []
    active = 0
    peak = 0

    async def job() -> None:
        nonlocal active, peak
        async with limiter:
            starts.append(time.clock())
            active += 1
            peak = max(peak, active)
            await time.sleep(0.7)  # the request takes a while
            active -= 1

    await asyncio.gather(*(job() for _ in range(20)))
    assert len(starts) == 20
    assert peak <= 2
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.25 - 1e-9  # 4 per second, no bursts
    for t in starts:  # no one-second window holds more than 4 starts
        assert sum(1 for s in starts if t <= s < t + 1.0) <= 4


def headers_response(status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers={k.replace("_", "-"): v for k, v in headers.items()})


def test_limiter_adopts_crossref_headers() -> None:
    limiter = RateLimiter("crossref/single", RateSpec(10.0, 3))
    limiter.observe(
        headers_response(
            x_rate_limit_limit="5", x_rate_limit_interval="1s", x_concurrency_limit="1"
        )
    )
    assert limiter.rate == 5.0
    assert limiter.concurrency == 1
    # The 2022 limits, announced per minute for the sake of the test: 120 per 60 s = 2/s.
    limiter.observe(headers_response(x_rate_limit_limit="120", x_rate_limit_interval="60s"))
    assert limiter.rate == pytest.approx(2.0)


def test_limiter_adopts_the_old_2022_limits_too() -> None:
    # Headers as recorded in 2022: x-rate-limit-limit 50 and duplicate x-ratelimit-* keys.
    limiter = RateLimiter("crossref/single", RateSpec(10.0, 3))
    limiter.observe(
        headers_response(
            x_rate_limit_limit="50",
            x_rate_limit_interval="1s",
            x_ratelimit_limit="50",
            x_ratelimit_interval="1s",
        )
    )
    assert limiter.rate == 50.0


def test_ncbi_header_never_raises_the_pace_above_the_keyless_ceiling() -> None:
    limiters = Limiters.from_config(NetConfig())
    limiters.ncbi.observe(headers_response(X_RateLimit_Limit="10"))
    assert limiters.ncbi.rate == 3.0
    keyed = Limiters.from_config(NetConfig(ncbi_api_key="abc"))
    assert keyed.ncbi.rate == 10.0
    keyed.ncbi.observe(headers_response(X_RateLimit_Limit="5"))
    assert keyed.ncbi.rate == 5.0


def test_duplicated_rate_header_is_read() -> None:
    limiter = RateLimiter("t", RateSpec(3.0, 2))
    limiter.observe(httpx.Response(200, headers=[("x-rate-limit-limit", "5")] * 2))
    assert limiter.rate == 5.0


def test_garbage_rate_headers_are_ignored() -> None:
    limiter = RateLimiter("t", RateSpec(3.0, 2))
    for value in ("0", "-5", "lots", "nan", "inf"):
        limiter.observe(headers_response(x_rate_limit_limit=value, x_concurrency_limit=value))
    limiter.observe(headers_response(x_rate_limit_limit="5", x_rate_limit_interval="soon"))
    assert (limiter.rate, limiter.concurrency) == (3.0, 2)
    limiter.observe(headers_response(x_concurrency_limit="100000"))
    assert limiter.concurrency == 64


async def test_throttle_halves_pace_and_pauses_then_recovers() -> None:
    time = FakeTime()
    limiter = RateLimiter("t", RateSpec(4.0, 1), clock=time.clock, sleep=time.sleep)
    async with limiter:
        pass
    limiter.throttled(retry_after=10.0)
    assert limiter.rate == 2.0
    before = time.now
    async with limiter:
        started = time.now
    assert started >= before + 10.0
    for _ in range(8):
        limiter.observe(headers_response(200))
    assert limiter.rate == 4.0


# ------------------------------------------------------------------------------ retry


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("30", now=WALL) == 30.0
    date = email.utils.formatdate(WALL + 45, usegmt=True)
    assert parse_retry_after(date, now=WALL) == pytest.approx(45.0)
    past = email.utils.formatdate(WALL - 45, usegmt=True)
    assert parse_retry_after(past, now=WALL) == 0.0
    assert parse_retry_after("soon", now=WALL) is None
    assert parse_retry_after("-3", now=WALL) is None
    assert parse_retry_after(None, now=WALL) is None


async def test_retry_after_seconds_is_honoured_exactly() -> None:
    client, limiter, sleep, _ = setup(
        responses(
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(200, text="ok"),
        )
    )
    stats = RequestStats()
    response = await call(client, limiter, sleep, stats=stats)
    assert response.status_code == 200
    assert sleep.sleeps == [7.0]
    assert stats.requests["crossref"] == 2


async def test_retry_after_http_date_is_honoured() -> None:
    date = email.utils.formatdate(WALL + 12, usegmt=True)
    client, limiter, sleep, _ = setup(
        responses(httpx.Response(503, headers={"Retry-After": date}), httpx.Response(200))
    )
    response = await call(client, limiter, sleep)
    assert response.status_code == 200
    assert sleep.sleeps == [pytest.approx(12.0)]


async def test_retry_after_beyond_the_cap_is_not_waited_for() -> None:
    client, limiter, sleep, _ = setup(
        responses(httpx.Response(429, headers={"Retry-After": "3600"}), httpx.Response(200))
    )
    with pytest.raises(ServiceUnavailable) as info:
        await call(client, limiter, sleep, policy=RetryPolicy(retry_after_cap=60))
    assert sleep.sleeps == []
    assert "3600 s" in info.value.reason
    assert "60 s cap" in info.value.reason


async def test_retry_after_at_the_cap_is_waited_for() -> None:
    client, limiter, sleep, _ = setup(
        responses(httpx.Response(429, headers={"Retry-After": "60"}), httpx.Response(200))
    )
    response = await call(client, limiter, sleep, policy=RetryPolicy(retry_after_cap=60))
    assert response.status_code == 200
    assert sleep.sleeps == [60.0]


async def test_429_also_slows_the_limiter() -> None:
    client, limiter, sleep, _ = setup(
        responses(httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200)),
        spec=RateSpec(8.0, 1),
    )
    await call(client, limiter, sleep)
    # Halved once by the 429, then partly recovered by the 200.
    assert limiter.rate < 8.0


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
async def test_client_errors_are_never_retried(status: int) -> None:
    client, limiter, sleep, _ = setup(responses(httpx.Response(status), httpx.Response(200)))
    stats = RequestStats()
    response = await call(client, limiter, sleep, stats=stats)
    assert response.status_code == status
    assert stats.requests["crossref"] == 1
    assert sleep.sleeps == []


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
async def test_transient_statuses_are_retried_with_jittered_backoff(status: int) -> None:
    client, limiter, sleep, _ = setup(
        responses(httpx.Response(status), httpx.Response(status), httpx.Response(200))
    )
    policy = RetryPolicy(backoff_base=1.0, backoff_max=30.0)
    response = await call(client, limiter, sleep, policy=policy)
    assert response.status_code == 200
    assert len(sleep.sleeps) == 2
    assert 0 <= sleep.sleeps[0] <= 1.0  # full jitter: uniform in [0, base * 2^(n-1)]
    assert 0 <= sleep.sleeps[1] <= 2.0


@pytest.mark.parametrize(
    ("status", "expected"),
    [(429, "HTTP 429 (rate limited) after 4 attempts"), (503, "HTTP 503 after 4 attempts")],
)
async def test_storms_end_as_unavailable(status: int, expected: str) -> None:
    client, limiter, sleep, _ = setup(responses(httpx.Response(status)))
    stats = RequestStats()
    with pytest.raises(ServiceUnavailable) as info:
        await call(client, limiter, sleep, stats=stats, policy=RetryPolicy(max_attempts=4))
    assert info.value.reason == expected
    assert stats.requests["crossref"] == 4
    assert stats.failures["crossref"] == 1
    assert len(sleep.sleeps) == 3


async def test_total_wait_budget_bounds_the_retries() -> None:
    client, limiter, sleep, _ = setup(responses(httpx.Response(503, headers={"Retry-After": "50"})))
    policy = RetryPolicy(max_attempts=10, max_total_wait=120, retry_after_cap=60)
    with pytest.raises(ServiceUnavailable) as info:
        await call(client, limiter, sleep, policy=policy)
    assert sleep.sleeps == [50.0, 50.0]  # a third wait would pass the 120 s budget
    assert info.value.reason == "HTTP 503 after 3 attempts"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (httpx.ReadTimeout("slow"), "timeout after 3 attempts"),
        (httpx.ConnectTimeout("slow"), "timeout after 3 attempts"),
        (httpx.ConnectError("refused"), "connection failed after 3 attempts (ConnectError)"),
        (httpx.ReadError("reset"), "connection failed after 3 attempts (ReadError)"),
        (
            httpx.RemoteProtocolError("peer closed"),
            "connection failed after 3 attempts (RemoteProtocolError)",
        ),
    ],
)
async def test_network_failures_are_retried_then_unavailable(
    error: Exception, expected: str
) -> None:
    client, limiter, sleep, _ = setup(responses(error))
    with pytest.raises(ServiceUnavailable) as info:
        await call(client, limiter, sleep, policy=RetryPolicy(max_attempts=3))
    assert info.value.reason == expected


async def test_a_reset_then_success_recovers() -> None:
    client, limiter, sleep, _ = setup(
        responses(httpx.ReadError("connection reset"), httpx.Response(200, text="fine"))
    )
    response = await call(client, limiter, sleep)
    assert response.text == "fine"


async def test_total_timeout_covers_a_slow_body() -> None:
    class Trickle(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield b"{"
            await asyncio.sleep(1)  # never reached: the attempt's deadline is shorter
            yield b"}"

    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Trickle())

    time = FakeTime()
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    limiter = RateLimiter("t", RateSpec(1000.0, 4), clock=time.clock, sleep=time.sleep)
    with pytest.raises(ServiceUnavailable) as info:
        await request(
            client,
            limiter,
            "GET",
            "https://registry.test/x",
            service="t",
            policy=RetryPolicy(max_attempts=1),
            sleep=time.sleep,
            total_timeout=0.01,
        )
    assert info.value.reason == "timeout after 1 attempt"


# --------------------------------------------------------------------------- body cap


async def test_declared_large_body_is_refused() -> None:
    client, limiter, sleep, _ = setup(
        responses(httpx.Response(200, headers={"Content-Length": "999999999"}, content=b"x"))
    )
    with pytest.raises(ServiceUnavailable) as info:
        await call(client, limiter, sleep)
    assert info.value.reason.startswith("response too large")


async def test_streamed_large_body_is_refused_without_reading_it_all() -> None:
    produced = 0

    class Endless(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            nonlocal produced
            while True:
                produced += 65536
                yield b"x" * 65536

    client, limiter, sleep, _ = setup(
        lambda req: httpx.Response(200, stream=Endless())  # no Content-Length
    )
    with pytest.raises(ServiceUnavailable) as info:
        await call(client, limiter, sleep, max_body_bytes=1_000_000)
    assert "too large" in info.value.reason
    assert produced < 2_000_000
    assert sleep.sleeps == []  # not retried


async def test_gzip_body_is_decoded_and_headers_stay_consistent() -> None:
    payload = b'{"status":"ok"}'
    client, limiter, sleep, _ = setup(
        responses(
            httpx.Response(
                200,
                headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
                content=gzip.compress(payload),
            )
        )
    )
    response = await call(client, limiter, sleep)
    assert response.content == payload
    assert response.json() == {"status": "ok"}
    assert "content-encoding" not in response.headers


async def test_http_object_counts_per_service() -> None:
    client, limiter, _, time = setup(responses(httpx.Response(200)))
    http = Http(client, stats=RequestStats(), sleep=time.sleep)
    await http.request("crossref", limiter, "GET", "https://registry.test/a")
    await http.request("crossref", limiter, "GET", "https://registry.test/b")
    await http.request("pubmed", limiter, "GET", "https://registry.test/c")
    assert http.stats.as_dict() == {"crossref": 2, "pubmed": 1}


@pytest.mark.parametrize("url", ["gopher://registry.test/x", "http://"])
async def test_unusable_url_is_unavailable_not_a_traceback(url: str) -> None:
    # A plain client: the scheme/host is refused before any connection is attempted.
    time = FakeTime()
    limiter = RateLimiter("t", RateSpec(1000.0, 4), clock=time.clock, sleep=time.sleep)
    async with httpx.AsyncClient() as client:
        with pytest.raises(ServiceUnavailable):
            await request(client, limiter, "GET", url, service="t", sleep=time.sleep)
