"""The one retry policy: whether to try again, how long to wait first, and when to give up.

Every HTTP caller — the registry request path (:mod:`citetrack.net.client`), the link
checker and the Wayback client — runs its attempts through :func:`retry_outcome`, a
tenacity loop over *outcomes* (a response, or a transport failure as a value):

* the caller's ``advise`` hook says whether an outcome is worth another attempt (each
  caller knows which statuses of its service are final) and what ``Retry-After`` it carried;
* a ``Retry-After`` is honoured up to :attr:`RetryPolicy.retry_after_cap`; a longer one is
  not waited for — retrying earlier than the server asked would be rude and futile;
* otherwise exponential backoff, ``backoff_base * 2**(n-1)`` capped at ``backoff_max``, with
  full jitter when a random source is given; a 429 without ``Retry-After`` can wait a fixed
  ``rate_limit_wait`` instead (the Internet Archive sends none);
* at most ``max_attempts`` attempts and ``max_total_wait`` seconds of waiting in all;
* ``sleep`` spends the wait, and ``hold`` may hand it to a rate limiter instead, so that
  every request to that service or host waits with the one being retried.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from citetrack.net.config import RetryPolicy
from citetrack.net.pacing import Sleep

if TYPE_CHECKING:
    import httpx
    from tenacity import RetryCallState

# tenacity is imported by the first retry loop (:func:`retry_outcome`), not with this
# module: a run answered from the cache sends no request (issue 16).

T = TypeVar("T")

#: Statuses worth another attempt: the server may answer differently a little later.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


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
    import email.utils  # noqa: PLC0415 - an HTTP date is rare: not every run's start-up

    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # RFC says GMT; an undated zone is read as such
        return None
    return max(0.0, moment.timestamp() - now)


@dataclass(frozen=True)
class RetryAdvice:
    """Why an outcome is worth another attempt: a 429?  Which ``Retry-After``, if any?"""

    rate_limited: bool = False
    retry_after: float | None = None  # seconds, parsed
    retry_after_text: str = ""  # the header as the server sent it, for messages

    @classmethod
    def from_answer(cls, status: int, headers: httpx.Headers, *, now: float) -> RetryAdvice:
        """The advice of an answer already judged retryable: a 429?  Its ``Retry-After``."""
        header = headers.get("retry-after")
        return cls(
            rate_limited=status == 429,
            retry_after=parse_retry_after(header, now=now),
            retry_after_text=header or "",
        )


@dataclass(frozen=True)
class Tried(Generic[T]):
    """The last outcome of a retried request, and why the retrying stopped.

    ``retryable`` is false when the outcome was final (a success, a 404…); when true, the
    budget ran out: ``out_of_attempts``, or a ``Retry-After`` beyond the cap
    (``over_cap``), or else the total waiting time.
    """

    outcome: T
    attempts: int
    retryable: bool = False
    out_of_attempts: bool = False
    over_cap: RetryAdvice | None = None


Advise = Callable[[T], RetryAdvice | None]
#: Spend a wait elsewhere (e.g. pause a rate limiter): (last outcome, its advice, seconds).
Hold = Callable[[T, RetryAdvice, float], None]


async def _no_sleep(seconds: float) -> None:
    """The wait is spent by ``hold`` (the limiter makes the next attempt wait its turn)."""


@dataclass
class _Budget(Generic[T]):
    """The policy's decisions, as tenacity's ``retry`` / ``wait`` / ``stop`` hooks."""

    policy: RetryPolicy
    advise: Advise[T]
    rng: random.Random | None
    rate_limit_wait: float | None
    advice: RetryAdvice | None = None  # of the latest outcome
    over_cap: RetryAdvice | None = None

    def retryable(self, outcome: T) -> bool:
        self.advice = self.advise(outcome)
        return self.advice is not None

    def wait(self, state: RetryCallState) -> float:
        advice = self.advice or RetryAdvice()
        if advice.retry_after is not None:
            if advice.retry_after > self.policy.retry_after_cap:
                self.over_cap = advice
                return math.inf
            return advice.retry_after
        if advice.rate_limited and self.rate_limit_wait is not None:
            return self.rate_limit_wait
        ceiling = min(
            self.policy.backoff_max,
            self.policy.backoff_base * 2.0 ** (state.attempt_number - 1),
        )
        return self.rng.uniform(0, ceiling) if self.rng is not None else ceiling

    def stop(self, state: RetryCallState) -> bool:
        if state.attempt_number >= self.policy.max_attempts:
            return True
        return state.idle_for + state.upcoming_sleep > self.policy.max_total_wait


async def retry_outcome(
    attempt: Callable[[], Awaitable[T]],
    advise: Advise[T],
    *,
    policy: RetryPolicy,
    sleep: Sleep | None = None,
    hold: Hold[T] | None = None,
    rng: random.Random | None = None,
    rate_limit_wait: float | None = None,
    first: T | None = None,
) -> Tried[T]:
    """Call ``attempt`` until ``advise`` finds its outcome final or the policy gives up.

    ``first`` is an outcome already obtained (it counts as the first attempt: a HEAD whose
    answer sends the check on to GET).  ``sleep`` spends each wait (default: nothing, for a
    ``hold`` that pauses a limiter instead); ``hold`` is told of each wait before it starts.
    ``rng`` adds full jitter to the backoff.  Exceptions of ``attempt`` propagate.
    """
    from tenacity import AsyncRetrying, retry_if_result  # noqa: PLC0415 - see the imports

    budget: _Budget[T] = _Budget(policy, advise, rng, rate_limit_wait)
    pending = [first] if first is not None else []

    made = 0

    async def next_outcome() -> T:
        nonlocal made
        made += 1
        return pending.pop() if pending else await attempt()

    def before_sleep(state: RetryCallState) -> None:
        if hold is not None and state.outcome is not None and budget.advice is not None:
            hold(state.outcome.result(), budget.advice, state.upcoming_sleep)

    ended: list[Tried[T]] = []

    def gave_up(state: RetryCallState) -> T:
        assert state.outcome is not None
        outcome: T = state.outcome.result()
        ended.append(
            Tried(
                outcome,
                state.attempt_number,
                retryable=True,
                out_of_attempts=state.attempt_number >= policy.max_attempts,
                over_cap=budget.over_cap,
            )
        )
        return outcome

    retrying = AsyncRetrying(
        sleep=sleep or _no_sleep,
        wait=budget.wait,
        stop=budget.stop,
        retry=retry_if_result(budget.retryable),
        before_sleep=before_sleep,
        retry_error_callback=gave_up,
    )
    try:
        outcome: T = await retrying(next_outcome)
    finally:
        # tenacity (9.x) keeps the last attempt's actions, bound methods of ``retrying``
        # itself: one reference cycle per request, holding these closures and what they
        # reach, left for the cycle collector (~13 MB at the end of a cold 10,000-reference
        # check, whose collector runs rarely: cli.main; issue 16).  Emptied, it is freed now.
        state = getattr(retrying, "iter_state", None)
        if state is not None:
            state.reset()
    if ended:
        return ended[0]
    return Tried(outcome, made)
