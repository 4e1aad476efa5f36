"""citetrack.net.retry: the one retry loop the registries, the link checker and Wayback share.

Outcomes here are synthetic strings standing for answers ("503", "200"…); ``advise`` says
which are worth another attempt, as each caller's hook does.
"""

from __future__ import annotations

import gc
import random
import weakref
from collections.abc import Awaitable, Callable

import pytest

from citetrack.net import RetryAdvice, RetryPolicy, retry_outcome

POLICY = RetryPolicy(max_attempts=4, max_total_wait=100.0, retry_after_cap=30.0)


def script(*outcomes: str) -> tuple[Callable[[], Awaitable[str]], list[str]]:
    """An attempt function answering ``outcomes`` in turn, and the list of those it gave."""
    given: list[str] = []

    async def attempt() -> str:
        given.append(outcomes[len(given)])
        return given[-1]

    return attempt, given


def advise(outcome: str) -> RetryAdvice | None:
    """Synthetic statuses: "429" and "5xx" retryable; "429:<s>" carries a Retry-After."""
    status, _, after = outcome.partition(":")
    if status == "429":
        seconds = float(after) if after else None
        return RetryAdvice(rate_limited=True, retry_after=seconds, retry_after_text=after)
    return RetryAdvice() if status.startswith("5") else None


class Waits:
    def __init__(self) -> None:
        self.slept: list[float] = []
        self.held: list[tuple[str, bool, float]] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def hold(self, outcome: str, advice: RetryAdvice, seconds: float) -> None:
        self.held.append((outcome, advice.rate_limited, seconds))


async def test_final_outcome_ends_the_loop_without_waiting() -> None:
    attempt, given = script("503", "200", "200")
    waits = Waits()
    tried = await retry_outcome(attempt, advise, policy=POLICY, sleep=waits.sleep)
    assert (tried.outcome, tried.attempts, tried.retryable) == ("200", 2, False)
    assert given == ["503", "200"]
    assert waits.slept == [1.0]  # backoff_base * 2**0, no jitter without an rng


async def test_backoff_doubles_and_attempts_run_out() -> None:
    attempt, given = script("500", "502", "503", "504", "200")
    waits = Waits()
    tried = await retry_outcome(attempt, advise, policy=POLICY, sleep=waits.sleep)
    assert tried.outcome == "504" and tried.attempts == 4
    assert tried.retryable and tried.out_of_attempts and tried.over_cap is None
    assert waits.slept == [1.0, 2.0, 4.0]
    assert len(given) == 4


async def test_full_jitter_stays_under_the_backoff_ceiling() -> None:
    attempt, _ = script("500", "500", "500", "500")
    waits = Waits()
    await retry_outcome(attempt, advise, policy=POLICY, sleep=waits.sleep, rng=random.Random(7))
    assert len(waits.slept) == 3
    assert all(0 <= s <= c for s, c in zip(waits.slept, [1.0, 2.0, 4.0], strict=True))
    assert waits.slept != [1.0, 2.0, 4.0]


async def test_retry_after_is_honoured_and_one_beyond_the_cap_ends_the_loop() -> None:
    attempt, given = script("429:5", "429:3600", "200")
    waits = Waits()
    tried = await retry_outcome(attempt, advise, policy=POLICY, sleep=waits.sleep)
    assert waits.slept == [5.0]
    assert tried.outcome == "429:3600" and not tried.out_of_attempts
    assert tried.over_cap is not None and tried.over_cap.retry_after_text == "3600"
    assert given == ["429:5", "429:3600"]


async def test_total_wait_budget_ends_the_loop() -> None:
    policy = RetryPolicy(max_attempts=10, max_total_wait=10.0, retry_after_cap=30.0)
    attempt, given = script("429:6", "429:6", "200")
    waits = Waits()
    tried = await retry_outcome(attempt, advise, policy=policy, sleep=waits.sleep)
    assert tried.retryable and not tried.out_of_attempts and tried.over_cap is None
    assert waits.slept == [6.0] and len(given) == 2


async def test_rate_limit_wait_and_hold_spend_the_wait_in_a_limiter() -> None:
    attempt, _ = script("429", "503", "200")
    waits = Waits()
    tried = await retry_outcome(
        attempt, advise, policy=POLICY, hold=waits.hold, rate_limit_wait=60.0
    )
    assert tried.outcome == "200"
    # A 429 without Retry-After waits the fixed pause; the 503 backs off (second attempt).
    assert waits.held == [("429", True, 60.0), ("503", False, 2.0)]
    assert waits.slept == []  # nothing slept: the hold owns the wait


async def test_first_outcome_counts_as_the_first_attempt() -> None:
    attempt, given = script("200")
    waits = Waits()
    tried = await retry_outcome(attempt, advise, policy=POLICY, sleep=waits.sleep, first="503")
    assert (tried.outcome, tried.attempts) == ("200", 2)
    assert given == ["200"] and waits.slept == [1.0]


async def test_exceptions_of_an_attempt_propagate() -> None:
    async def attempt() -> str:
        raise ValueError("body too large")

    with pytest.raises(ValueError, match="body too large"):
        await retry_outcome(attempt, advise, policy=POLICY)


def advising(held: object) -> Callable[[str], RetryAdvice | None]:
    """:func:`advise`, as a closure that reaches ``held`` (a caller's hook reaches its
    client, its limiter…)."""

    def hook(outcome: str) -> RetryAdvice | None:
        assert held is not None
        return advise(outcome)

    return hook


async def test_nothing_of_a_finished_call_waits_for_the_cycle_collector() -> None:
    """Issue 16: tenacity keeps the last attempt's actions, bound methods of the retrying
    object itself; that cycle held each call's hooks (and what they reach) until a
    collection, ~13 MB at the end of a cold 10,000-reference check."""

    class Held:
        pass

    held = Held()
    gone = weakref.ref(held)
    hook = advising(held)
    del held
    attempt, _ = script("503", "200")
    enabled = gc.isenabled()
    gc.disable()
    try:
        tried = await retry_outcome(attempt, hook, policy=POLICY, sleep=Waits().sleep)
        assert tried.outcome == "200"
        del hook
        assert gone() is None  # freed by reference counting alone
    finally:
        if enabled:
            gc.enable()
