"""Paced requests are not held back by work that shares their process (issue 16).

Crossref's windows are paced to the millisecond; two things made them go out late in a
cold 10,000-reference check: 2,000 link checks started in one pass of the event loop, and
threads that compute (the loader, the comparison worker) keeping the interpreter lock for
Python's default 5 ms switch interval each time the loop gave it up.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator, Sequence

import httpx
import pytest

from citetrack.links import LinkChecker
from citetrack.links.checker import _Checked
from citetrack.model import LinkVerdict
from citetrack.net import switching


@pytest.fixture
def interval() -> Iterator[float]:
    before = sys.getswitchinterval()
    yield before
    sys.setswitchinterval(before)


def test_hold_lowers_the_switch_interval_until_the_last_release(interval: float) -> None:
    sys.setswitchinterval(0.005)
    switching.hold()
    assert sys.getswitchinterval() == pytest.approx(switching.PACED)
    switching.hold()  # the prefetch and the check overlap
    switching.release()
    assert sys.getswitchinterval() == pytest.approx(switching.PACED)  # one still holds
    switching.release()
    assert sys.getswitchinterval() == pytest.approx(0.005)
    switching.release()  # one too many: nothing changes
    assert sys.getswitchinterval() == pytest.approx(0.005)


def test_hold_never_raises_a_lower_interval(interval: float) -> None:
    sys.setswitchinterval(0.0001)
    switching.hold()
    assert sys.getswitchinterval() == pytest.approx(0.0001)
    switching.release()
    assert sys.getswitchinterval() == pytest.approx(0.0001)


class _Probe(LinkChecker):
    """Records in which pass of the event loop each URL's check started."""

    def __init__(self, client: httpx.AsyncClient, passes: list[int], starts: list[int]) -> None:
        super().__init__(client, per_host_interval=0.0, resolver=self._resolve)
        self._passes, self._starts = passes, starts

    @staticmethod
    async def _resolve(host: str, port: int) -> Sequence[str]:
        return ["93.184.216.34"]

    async def _check_one(self, url: str) -> _Checked:
        self._starts.append(self._passes[0])
        return await super()._check_one(url)


async def _check(urls: list[str], group: int) -> tuple[dict[str, LinkVerdict], list[int]]:
    loop = asyncio.get_running_loop()
    passes = [0]
    running = True

    def tick() -> None:  # runs once per pass of the loop
        passes[0] += 1
        if running:
            loop.call_soon(tick)

    def page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/plain"}, text="a page")

    loop.call_soon(tick)
    starts: list[int] = []
    async with httpx.AsyncClient(transport=httpx.MockTransport(page)) as client:
        checker = _Probe(client, passes, starts)
        checker.START_GROUP = group
        try:
            found = await checker.check(urls)
        finally:
            running = False
    return {u: s.verdict for u, s in found.items()}, starts


async def test_link_checks_start_a_group_per_pass_of_the_event_loop() -> None:
    urls = [f"https://host{i}.example/page" for i in range(20)]
    verdicts, starts = await _check(urls, group=4)
    per_pass = [starts.count(p) for p in sorted(set(starts))]
    # Five groups, each started in a pass of its own: whatever else waits for the loop
    # (a Crossref window due now) runs between them.
    assert per_pass == [4] * 5
    all_at_once, _ = await _check(urls, group=len(urls))
    assert verdicts == all_at_once
    assert set(verdicts.values()) == {LinkVerdict.OK}
