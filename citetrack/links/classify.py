"""The verdict on a link: from its redirect hops and the last answer to a ``LinkStatus``.

The link checker (:mod:`citetrack.links.checker`) reduces each HTTP answer to an
:class:`Answer` (or, without an answer, a :class:`Failure`); :func:`classify` turns the
chain into the verdict.  Pure: no I/O.

Verdicts (``LinkStatus.verdict``):

==========================================  ===============  ================================
what happened                               verdict          ``final_url``
==========================================  ===============  ================================
2xx                                         ok               last URL fetched
only temporary redirects (302/303/307)      ok               where they led
301/308 to another page                     redirected       the permanent new address
301/308 to the same page (http→https, www)  ok               last URL fetched
2xx whose title/heading says "not found"    soft-404         last URL fetched
deep link redirected to a front page ``/``  soft-404         the front page
  or to one of its own parent pages
404, 410, DNS "no such name"                dead
401, 403, 429 (after retries), other 4xx,   blocked
  bot-wall / captcha / login page
5xx, timeouts, resets (after retries),      unavailable
  redirect loops, too many redirects
private address / bad scheme / userinfo     refused
==========================================  ===============  ================================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from citetrack.links.page import HTML_TYPES, PageSignals, bot_wall, soft_404_phrase
from citetrack.links.urls import is_front_page, is_parent_page, looks_like_login, same_page
from citetrack.model import LinkStatus, LinkVerdict

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})


@dataclass(frozen=True)
class Answer:
    """One HTTP response, reduced to what the verdict needs."""

    method: str
    url: str
    status: int
    headers: httpx.Headers
    page: PageSignals | None = None
    attempts: int = 1
    gave_up: str = ""  # why no further attempt was made, when it was not the policy's count

    @property
    def location(self) -> str | None:
        value = self.headers.get("location", "").strip()
        return value or None

    @property
    def is_redirect(self) -> bool:
        return self.status in REDIRECT_STATUSES and self.location is not None

    @property
    def is_memento(self) -> bool:
        """A web-archive replay: its status is the archived page's, not the server's now."""
        return "memento-datetime" in self.headers

    @property
    def is_html(self) -> bool:
        content_type = self.headers.get("content-type", "").lower()
        return not content_type or content_type.startswith(HTML_TYPES)


@dataclass(frozen=True)
class Failure:
    """No HTTP answer: ``kind`` is ``timeout``, ``network``, ``refused`` or ``invalid``."""

    kind: str
    detail: str
    attempts: int = 1
    gave_up: str = ""


Outcome = Answer | Failure


def classify(url: str, hops: Sequence[tuple[int, str]], outcome: Outcome) -> LinkStatus:
    """The verdict for ``url`` from its redirect ``hops`` and the final outcome (pure)."""
    redirects = tuple(target for _, target in hops)
    if isinstance(outcome, Failure):
        final = redirects[-1] if redirects else url
        if outcome.kind == "refused":
            return LinkStatus(url, LinkVerdict.REFUSED, None, final, redirects, outcome.detail)
        if outcome.kind == "not-asked-rate-limited":  # the host's 429s, as a 429 is
            reason = f"{outcome.detail}; not verified"
            return LinkStatus(url, LinkVerdict.BLOCKED, None, final, redirects, reason)
        reason = f"{outcome.detail}{_tries(outcome.attempts, outcome.gave_up)}"
        return LinkStatus(url, LinkVerdict.UNAVAILABLE, None, final, redirects, reason)

    code = outcome.status
    final = outcome.url
    tries = _tries(outcome.attempts, outcome.gave_up)

    def status(verdict: LinkVerdict, reason: str, final_url: str = final) -> LinkStatus:
        return LinkStatus(url, verdict, code, final_url, redirects, reason)

    via = f" at {final}" if hops else ""
    if outcome.is_memento and code >= 400:
        return status(
            LinkVerdict.SOFT_404,
            f"web-archive replay of a page that answered HTTP {code} when it was captured",
        )
    wall = bot_wall(code, outcome.headers, outcome.page)
    if wall is not None:
        return status(LinkVerdict.BLOCKED, f"HTTP {code}: {wall}; not verified")
    if 200 <= code < 300:
        verdict, reason, moved = _classify_2xx(url, hops, outcome)
        return status(verdict, reason, moved or final)
    if code in (404, 410):
        return status(LinkVerdict.DEAD, f"HTTP {code}{via}")
    if code == 429:
        return status(LinkVerdict.BLOCKED, f"HTTP 429 (rate limited){via}{tries}; not verified")
    if code in (401, 407):
        return status(LinkVerdict.BLOCKED, f"HTTP {code}{via}: sign-in required; not verified")
    if code == 403:
        return status(
            LinkVerdict.BLOCKED, f"HTTP 403{via}: access refused (often a bot filter); not verified"
        )
    if 400 <= code < 500 or code == 999:  # 999: LinkedIn's answer to robots
        return status(
            LinkVerdict.BLOCKED, f"HTTP {code}{via}: the server refused the request; not verified"
        )
    if code >= 500:
        return status(LinkVerdict.UNAVAILABLE, f"HTTP {code}{via}{tries}")
    if 300 <= code < 400:
        return status(LinkVerdict.UNAVAILABLE, f"HTTP {code}{via} without a usable Location")
    return status(LinkVerdict.UNAVAILABLE, f"unexpected HTTP {code}{via}")


def _classify_2xx(
    url: str, hops: Sequence[tuple[int, str]], outcome: Answer
) -> tuple[LinkVerdict, str, str | None]:
    """Verdict, reason and (for a move) new address of a chain that ended in a 2xx answer."""
    code = outcome.status
    final = outcome.url
    via = f" at {final}" if hops else ""
    page = outcome.page
    labelled = (("title", page.title), ("heading", page.heading)) if page else ()
    for label, text in labelled:
        if soft_404_phrase(text):
            return (
                LinkVerdict.SOFT_404,
                f"HTTP {code}{via} but the page {label} says {text!r}",
                None,
            )
    if hops and not is_front_page(url) and is_front_page(final):
        return LinkVerdict.SOFT_404, f"deep link redirected to the front page {final}", None
    if hops and is_parent_page(url, final):
        return LinkVerdict.SOFT_404, f"deep link redirected to a parent page {final}", None
    note = f"; {page.note}" if page and page.note else ""
    moved = _permanent_target(url, hops)
    if moved is not None:
        rest = f"; the chain then ends at {final}" if moved != final else ""
        return LinkVerdict.REDIRECTED, f"moved permanently to {moved}{rest}{note}", moved
    if hops and looks_like_login(final):
        reason = f"redirected to a sign-in or consent page ({final}); content not verified"
        return LinkVerdict.BLOCKED, reason, None
    reason = f"temporarily redirected to {final}" if hops else ""
    return LinkVerdict.OK, (reason + note).removeprefix("; "), None


def _tries(attempts: int, gave_up: str = "") -> str:
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    return f"{tries}; {gave_up}" if gave_up else tries


def _permanent_target(url: str, hops: Sequence[tuple[int, str]]) -> str | None:
    """Where ``url`` has moved for good: the end of its leading run of 301/308 hops.

    ``None`` when the first hop is temporary, when the move is trivial (http→https, ``www.``,
    trailing slash) or when it leads to a sign-in page.
    """
    target: str | None = None
    for code, hop_target in hops:
        if code not in _PERMANENT:
            break
        target = hop_target
    if target is None or same_page(url, target) or looks_like_login(target):
        return None
    return target
