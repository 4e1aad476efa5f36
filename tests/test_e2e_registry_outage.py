"""A registry that answers nothing tonight (its server hangs, or the network drops every
packet) is given up after one request, not three — through the real CLI and in the
request path.

A nightly job, or a check run where the network is a black hole, waited four attempts at
the full timeout for each of three requests in a row before the circuit breaker opened, and
each stage that asks the registry (the lookups, then the searches) paid that again: ten
references took eight minutes at the default 30 s timeout to be reported "unverified".  A
request none of whose attempts got any answer now opens the service's breaker at once, and
the requests already under way stop before their next attempt.  A registry that answers
(429, 5xx) keeps the three requests in a row it had.  The records are SYNTHETIC.
"""

from __future__ import annotations

import random
from pathlib import Path

import httpx
import pytest

from citetrack.net import RateLimiter, RateSpec, RequestStats, RetryPolicy, ServiceUnavailable
from citetrack.net.client import Http
from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, run_cli


class Clock:
    """Time that moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 100.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


def http_answering(answer: httpx.Response | Exception) -> tuple[Http, RateLimiter, list[str]]:
    """An :class:`Http` whose every request gets ``answer``; the URLs sent are recorded."""
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        if isinstance(answer, Exception):
            raise answer
        return answer

    time = Clock()
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    limiter = RateLimiter("t", RateSpec(1000.0, 4), clock=time.clock, sleep=time.sleep)
    http = Http(
        client, policy=RetryPolicy(), stats=RequestStats(), sleep=time.sleep, rng=random.Random(1)
    )
    return http, limiter, sent


async def ask(http: Http, limiter: RateLimiter, path: str) -> str:
    try:
        await http.request("crossref", limiter, "GET", f"https://registry.test/{path}")
    except ServiceUnavailable as exc:
        return exc.reason
    return "answered"


@pytest.mark.parametrize(
    "failure", [httpx.ReadTimeout("hang"), httpx.ConnectTimeout("dropped"), httpx.ConnectError("x")]
)
async def test_a_request_without_any_answer_opens_the_breaker_at_once(failure: Exception) -> None:
    http, limiter, sent = http_answering(failure)
    first = await ask(http, limiter, "a")
    assert "after 4 attempts" in first
    assert len(sent) == 4
    second = await ask(http, limiter, "b")
    assert second.startswith("not asked: crossref gave no answer to a request in this run")
    assert len(sent) == 4  # nothing more was sent


async def test_a_registry_that_answers_keeps_three_requests_in_a_row() -> None:
    http, limiter, sent = http_answering(httpx.Response(503))
    reasons = [await ask(http, limiter, p) for p in "abcd"]
    assert all("HTTP 503" in r for r in reasons[:3]), reasons
    assert reasons[3].startswith("not asked: crossref failed 3 requests in a row")
    assert len(sent) == 3 * 4


def test_a_hanging_registry_is_given_up_after_one_request(
    emulator: Emulator, tmp_path: Path
) -> None:
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    emulator.add_fault("crossref", "hang")
    emulator.add_fault("eutils", "hang")
    run = run_cli(
        "check", str(SEED_BIB), "--no-lockfile", "--no-links", "--timeout", "1", "-f", "json",
        env=env, timeout=300,
    )  # fmt: skip
    assert run.code == 3, run.stderr
    report = run.json()
    assert report["summary"]["broken"] == 0
    assert report["summary"]["unverified"] >= 6
    # One request's four attempts, and at most one attempt of each request already under
    # way; before, three requests in a row of four attempts each, the searches included
    # (Crossref 12 attempts, PubMed 20).
    services = emulator.stats()["services"]
    asked = {name: services[name]["requests"] for name in ("crossref", "eutils")}
    assert asked["crossref"] <= 7 and asked["eutils"] <= 10, asked
