"""The link checker against httpx.MockTransport: every verdict, pacing, bodies, SSRF hops.

Time is virtual (:class:`VirtualClock`): sleeps advance it instantly, so pacing and
Retry-After are checked exactly without waiting.  DNS is an injected table.  The web pages
served here are synthetic, written for these tests.
"""

from __future__ import annotations

import asyncio
import gzip
import heapq
import itertools
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from citetrack.links import LINK_HEADERS, LinkChecker, is_doi_link, make_link_client
from citetrack.links.page import Inflater
from citetrack.model import LinkStatus, LinkVerdict
from citetrack.net import RetryPolicy

FIXTURES = Path(__file__).parent / "fixtures" / "real" / "wayback"
T = TypeVar("T")


class VirtualClock:
    """A clock whose ``sleep`` waits in virtual time; :meth:`run` drives it."""

    def __init__(self) -> None:
        self.now = 0.0
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.now + seconds, next(self._seq), future))
        await future

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro``; whenever everything else is idle, jump to the next timer."""
        task = asyncio.ensure_future(coro)
        idle_rounds = 0
        while not task.done():
            for _ in range(50):  # let every runnable task reach its next wait
                await asyncio.sleep(0)
                if task.done():
                    break
            if task.done():
                break
            if self._timers:
                when, _, future = heapq.heappop(self._timers)
                self.now = max(self.now, when)
                future.set_result(None)
                idle_rounds = 0
            else:
                idle_rounds += 1
                assert idle_rounds < 100, "deadlock: nothing to wake"
        return task.result()


@dataclass
class Seen:
    time: float
    method: str
    url: str
    headers: httpx.Headers


Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


@dataclass
class Web:
    """A fake web: routes by (method or '*', URL) to handlers; records every request."""

    clock: VirtualClock
    routes: dict[str, Handler] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    dns: dict[str, list[str]] = field(default_factory=dict)

    def page(self, url: str, handler: Handler) -> None:
        self.routes[url] = handler
        host = httpx.URL(url).host
        if not host.replace(".", "").isdigit() and ":" not in host:
            self.dns.setdefault(host, ["93.184.216.34"])

    async def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.seen.append(Seen(self.clock.now, request.method, url, request.headers))
        handler = self.routes.get(url)
        if handler is None:
            return httpx.Response(404, text="no route")
        result = handler(request)
        if asyncio.iscoroutine(result):
            result = await result
        assert isinstance(result, httpx.Response)
        return result

    async def resolver(self, host: str, port: int) -> Sequence[str]:
        if host not in self.dns:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.dns[host]

    def checker(self, client: httpx.AsyncClient | None = None, **kw: Any) -> LinkChecker:
        kw.setdefault("resolver", self.resolver)
        kw.setdefault("clock", self.clock)
        kw.setdefault("sleep", self.clock.sleep)
        kw.setdefault("wall_clock", lambda: 1_700_000_000.0)
        return LinkChecker(client or self.client(), **kw)

    def client(self, **kw: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle), **kw)

    async def check(self, urls: Sequence[str], **kw: Any) -> dict[str, LinkStatus]:
        return await self.clock.run(self.checker(**kw).check(urls))

    def methods(self, url: str | None = None) -> list[str]:
        return [s.method for s in self.seen if url is None or s.url == url]


@pytest.fixture
def web() -> Web:
    return Web(VirtualClock())


def html(title: str, heading: str = "", body: str = "", status: int = 200, **kw: Any) -> Handler:
    text = f"<html><head><title>{title}</title></head><body><h1>{heading}</h1>{body}</body></html>"

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "text/html; charset=utf-8", **kw.get("headers", {})}
        return httpx.Response(status, headers=headers, text=text)

    return handler


def status(code: int, headers: dict[str, str] | None = None, text: str = "") -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(code, headers=headers or {}, text=text)

    return handler


def redirect(code: int, location: str, headers: dict[str, str] | None = None) -> Handler:
    return status(code, {"location": location, **(headers or {})})


ARTICLE = html("Necrolytic migratory erythema – a review", "Necrolytic migratory erythema")


# ------------------------------------------------------------------------------- 2xx


async def test_ok_html_page_is_one_streamed_get(web: Web) -> None:
    web.page("https://journal.example/article/1", ARTICLE)
    result = (await web.check(["https://journal.example/article/1"]))[
        "https://journal.example/article/1"
    ]
    assert result.verdict is LinkVerdict.OK
    assert result.status_code == 200
    assert result.final_url == "https://journal.example/article/1"
    assert result.redirects == ()
    assert web.methods() == ["GET"]  # status and soft-404 evidence from one request


async def test_head_first_without_soft_404_detection(web: Web) -> None:
    web.page("https://journal.example/article/1", ARTICLE)
    await web.check(["https://journal.example/article/1"], detect_soft_404=False)
    assert web.methods() == ["HEAD"]


async def test_file_urls_are_checked_with_head_first(web: Web) -> None:
    web.page("https://files.example/data.zip", status(200, {"content-type": "application/zip"}))
    web.page("https://files.example/paper.PDF", status(200, {"content-type": "application/pdf"}))
    results = await web.check(["https://files.example/data.zip", "https://files.example/paper.PDF"])
    assert all(r.verdict is LinkVerdict.OK for r in results.values())
    assert web.methods() == ["HEAD", "HEAD"]


async def test_a_file_url_serving_a_not_found_page_is_read(web: Web) -> None:
    web.page("https://files.example/paper.pdf", html("Page not found"))
    result = (await web.check(["https://files.example/paper.pdf"]))[
        "https://files.example/paper.pdf"
    ]
    assert result.verdict is LinkVerdict.SOFT_404
    assert web.methods() == ["HEAD", "GET"]


async def test_non_html_answer_to_head_needs_no_get(web: Web) -> None:
    web.page("https://files.example/paper.pdf", status(200, {"content-type": "application/pdf"}))
    result = (await web.check(["https://files.example/paper.pdf"]))[
        "https://files.example/paper.pdf"
    ]
    assert result.verdict is LinkVerdict.OK
    assert web.methods() == ["HEAD"]


async def test_head_not_allowed_falls_back_to_get_and_is_remembered(web: Web) -> None:
    def no_head(request: httpx.Request) -> httpx.Response:
        if request.method == "HEAD":
            return httpx.Response(405)
        return ARTICLE(request)  # type: ignore[return-value]

    urls = ["https://old.example/a.pdf", "https://old.example/b.pdf"]
    for url in urls:
        web.page(url, no_head)
    results = await web.check(urls)
    assert all(r.verdict is LinkVerdict.OK for r in results.values())
    assert web.methods() == ["HEAD", "GET", "GET"]  # the second URL skips HEAD


async def test_head_error_is_not_trusted_get_decides(web: Web) -> None:
    def head_lies(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404) if request.method == "HEAD" else ARTICLE(request)  # type: ignore[return-value]

    web.page("https://odd.example/page.pdf", head_lies)
    result = (await web.check(["https://odd.example/page.pdf"]))["https://odd.example/page.pdf"]
    assert result.verdict is LinkVerdict.OK
    assert web.methods() == ["HEAD", "GET"]


# ------------------------------------------------------------------------------- dead


@pytest.mark.parametrize("code", [404, 410])
@pytest.mark.parametrize(
    ("path", "methods"),
    [("/page", ["GET"]), ("/paper.pdf", ["HEAD", "GET"])],  # a HEAD 404 is confirmed by GET
)
async def test_404_and_410_are_dead(web: Web, code: int, path: str, methods: list[str]) -> None:
    url = "https://gone.example" + path
    web.page(url, status(code))
    result = (await web.check([url]))[url]
    assert result.verdict is LinkVerdict.DEAD
    assert result.status_code == code
    assert web.methods() == methods


async def test_nxdomain_is_dead_when_other_hosts_resolve(web: Web) -> None:
    web.page("https://alive.example/", ARTICLE)
    results = await web.check(["https://alive.example/", "https://expired-domain.example/x"])
    dead = results["https://expired-domain.example/x"]
    assert dead.verdict is LinkVerdict.DEAD
    assert "no such host" in dead.reason
    assert dead.status_code is None


async def test_ip_literal_hosts_do_not_prove_that_dns_works(web: Web) -> None:
    web.page("http://93.184.216.34/page", ARTICLE)
    results = await web.check(["http://93.184.216.34/page", "https://gone.example/x"])
    assert results["http://93.184.216.34/page"].verdict is LinkVerdict.OK
    assert results["https://gone.example/x"].verdict is LinkVerdict.UNAVAILABLE


async def test_nxdomain_everywhere_means_offline_not_dead(web: Web) -> None:
    urls = ["https://a.example/x", "https://b.example/y"]
    results = await web.check(urls)
    for url in urls:
        assert results[url].verdict is LinkVerdict.UNAVAILABLE
        assert "no host name resolved" in results[url].reason
    assert web.seen == []


async def test_temporary_dns_failure_is_unavailable(web: Web) -> None:
    async def flaky(host: str, port: int) -> Sequence[str]:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    result = (await web.check(["https://example.org/"], resolver=flaky))["https://example.org/"]
    assert result.verdict is LinkVerdict.UNAVAILABLE


# --------------------------------------------------------------------------- redirects


async def test_permanent_redirect_chain_is_recorded_and_suggests_the_new_address(web: Web) -> None:
    web.page("http://old.example/paper", redirect(301, "https://old.example/paper"))
    web.page("https://old.example/paper", redirect(308, "https://new.example/articles/paper"))
    web.page("https://new.example/articles/paper", ARTICLE)
    result = (await web.check(["http://old.example/paper"]))["http://old.example/paper"]
    assert result.verdict is LinkVerdict.REDIRECTED
    assert result.final_url == "https://new.example/articles/paper"
    assert result.redirects == ("https://old.example/paper", "https://new.example/articles/paper")
    assert result.status_code == 200


@pytest.mark.parametrize("code", [302, 303, 307])
async def test_temporary_redirects_are_ok_with_the_final_url(web: Web, code: int) -> None:
    web.page("https://site.example/current", redirect(code, "/2024/current-issue"))
    web.page("https://site.example/2024/current-issue", ARTICLE)
    result = (await web.check(["https://site.example/current"]))["https://site.example/current"]
    assert result.verdict is LinkVerdict.OK
    assert result.final_url == "https://site.example/2024/current-issue"
    assert result.redirects == ("https://site.example/2024/current-issue",)


async def test_trivial_permanent_redirect_is_ok(web: Web) -> None:
    web.page("http://www.site.example/page", redirect(301, "https://site.example/page/"))
    web.page("https://site.example/page/", ARTICLE)
    result = (await web.check(["http://www.site.example/page"]))["http://www.site.example/page"]
    assert result.verdict is LinkVerdict.OK
    assert result.final_url == "https://site.example/page/"


async def test_move_then_temporary_hop_suggests_the_permanent_address(web: Web) -> None:
    web.page("https://old.example/a", redirect(301, "https://new.example/a"))
    web.page("https://new.example/a", redirect(302, "https://new.example/a?session=123"))
    web.page("https://new.example/a?session=123", ARTICLE)
    result = (await web.check(["https://old.example/a"]))["https://old.example/a"]
    assert result.verdict is LinkVerdict.REDIRECTED
    assert result.final_url == "https://new.example/a"
    assert result.redirects[-1] == "https://new.example/a?session=123"


async def test_redirect_loop_is_unavailable(web: Web) -> None:
    web.page("https://loop.example/a", redirect(302, "https://loop.example/b"))
    web.page("https://loop.example/b", redirect(302, "https://loop.example/a"))
    result = (await web.check(["https://loop.example/a"]))["https://loop.example/a"]
    assert result.verdict is LinkVerdict.UNAVAILABLE
    assert "loop" in result.reason


async def test_too_many_redirects_is_unavailable(web: Web) -> None:
    for n in range(20):
        web.page(f"https://chain.example/{n}", redirect(302, f"/{n + 1}"))
    result = (await web.check(["https://chain.example/0"], max_redirects=5))[
        "https://chain.example/0"
    ]
    assert result.verdict is LinkVerdict.UNAVAILABLE
    assert "more than 5 redirects" in result.reason
    assert len(result.redirects) == 5


async def test_cookie_setting_redirect_to_itself_is_not_a_loop(web: Web) -> None:
    def cookie_gate(request: httpx.Request) -> httpx.Response:
        if "visited=1" in request.headers.get("cookie", ""):
            return ARTICLE(request)  # type: ignore[return-value]
        return httpx.Response(
            302, headers={"location": "https://gate.example/p", "set-cookie": "visited=1; Path=/"}
        )

    web.page("https://gate.example/p", cookie_gate)
    result = (await web.check(["https://gate.example/p"]))["https://gate.example/p"]
    assert result.verdict is LinkVerdict.OK


async def test_deep_link_sent_to_the_front_page_is_a_soft_404(web: Web) -> None:
    web.page("https://news.example/2019/05/story.html", redirect(301, "https://news.example/"))
    web.page("https://news.example/", html("News Example – Home"))
    result = (await web.check(["https://news.example/2019/05/story.html"]))[
        "https://news.example/2019/05/story.html"
    ]
    assert result.verdict is LinkVerdict.SOFT_404
    assert "front page" in result.reason
    assert result.final_url == "https://news.example/"


@pytest.mark.parametrize(
    ("cited", "target", "soft"),
    [
        ("https://pub.example/journal/article/12345", "https://pub.example/journal/", True),
        ("https://pub.example/a/b/c", "https://www.pub.example/a", True),
        ("https://pub.example/docs/page", "https://pub.example/docs/page/", False),  # same page
        ("https://pub.example/journal/article/1", "https://pub.example/journal/?page=2", False),
        ("https://pub.example/journal/article/1", "https://other.example/journal/", False),
        ("https://pub.example/articles/12", "https://pub.example/articles-new/12", False),
    ],
)
async def test_deep_link_sent_to_a_parent_page_is_a_soft_404(
    web: Web, cited: str, target: str, soft: bool
) -> None:
    web.page(cited, redirect(301, target))
    web.page(target, html("Journal of Examples"))
    result = (await web.check([cited]))[cited]
    assert (result.verdict is LinkVerdict.SOFT_404) is soft, result
    if soft:
        assert result.reason == f"deep link redirected to a parent page {target}"


async def test_front_page_redirected_to_front_page_is_fine(web: Web) -> None:
    web.page("http://news.example", redirect(301, "https://news.example/en/"))
    web.page("https://news.example/en/", html("News Example"))
    result = (await web.check(["http://news.example"]))["http://news.example"]
    assert result.verdict is LinkVerdict.OK


async def test_redirect_to_a_sign_in_page_is_blocked_not_redirected(web: Web) -> None:
    web.page(
        "https://paywall.example/doc/42", redirect(301, "https://paywall.example/login?next=42")
    )
    web.page("https://paywall.example/login?next=42", html("Sign in"))
    result = (await web.check(["https://paywall.example/doc/42"]))["https://paywall.example/doc/42"]
    assert result.verdict is LinkVerdict.BLOCKED
    assert "sign-in" in result.reason


async def test_relative_and_fragment_locations(web: Web) -> None:
    web.page("https://rel.example/a/b", redirect(302, "../c#section"))
    web.page("https://rel.example/c", ARTICLE)
    result = (await web.check(["https://rel.example/a/b"]))["https://rel.example/a/b"]
    assert result.verdict is LinkVerdict.OK
    assert result.final_url == "https://rel.example/c"


# ------------------------------------------------------------------ blocked / unavailable


@pytest.mark.parametrize(("code", "word"), [(401, "sign-in"), (403, "refused"), (451, "refused")])
async def test_access_refusals_are_blocked_never_dead(web: Web, code: int, word: str) -> None:
    web.page("https://wall.example/p", status(code))
    result = (await web.check(["https://wall.example/p"]))["https://wall.example/p"]
    assert result.verdict is LinkVerdict.BLOCKED
    assert word in result.reason


async def test_429_retry_after_is_honoured_then_blocked_if_it_persists(web: Web) -> None:
    web.page("https://busy.example/p", status(429, {"retry-after": "7"}))
    result = (await web.check(["https://busy.example/p"]))["https://busy.example/p"]
    assert result.verdict is LinkVerdict.BLOCKED
    assert "429" in result.reason
    times = [s.time for s in web.seen]
    assert web.methods() == ["GET", "GET", "GET"]  # three attempts in all
    assert all(b - a >= 7 for a, b in itertools.pairwise(times))


async def test_429_then_success_is_ok(web: Web) -> None:
    answers = iter([status(429, {"retry-after": "3"}), status(429, {"retry-after": "3"})])

    def handler(request: httpx.Request) -> httpx.Response:
        nxt = next(answers, None)
        return (nxt or ARTICLE)(request)  # type: ignore[return-value]

    web.page("https://busy.example/p", handler)
    result = (await web.check(["https://busy.example/p"]))["https://busy.example/p"]
    assert result.verdict is LinkVerdict.OK
    assert web.seen[-1].time - web.seen[-2].time >= 3


async def test_retry_after_beyond_the_cap_is_not_waited_for(web: Web) -> None:
    web.page("https://busy.example/p", status(503, {"retry-after": "3600"}))
    result = (await web.check(["https://busy.example/p"]))["https://busy.example/p"]
    assert result.verdict is LinkVerdict.UNAVAILABLE
    assert "asked to retry after 3600 s" in result.reason
    assert web.methods() == ["GET"]
    assert web.clock.now < 3600


async def test_503_is_unavailable_after_the_retries(web: Web) -> None:
    web.page("https://down.example/p", status(503))
    retry = RetryPolicy(max_attempts=4, backoff_base=1.0, backoff_max=8.0)
    result = (await web.check(["https://down.example/p"], retry=retry))["https://down.example/p"]
    assert result.verdict is LinkVerdict.UNAVAILABLE
    assert result.status_code == 503
    assert "after 4 attempts" in result.reason
    assert web.methods() == ["GET", "GET", "GET", "GET"]
    gaps = [b.time - a.time for a, b in itertools.pairwise(web.seen)]
    assert gaps[0] >= 1 and gaps[1] >= 2 and gaps[2] >= 4  # exponential backoff


@pytest.mark.parametrize(
    "error",
    [
        httpx.ReadTimeout("slow"),
        httpx.ConnectTimeout("slow"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("reset"),
    ],
)
async def test_transport_failures_are_unavailable(web: Web, error: Exception) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    web.page("https://flaky.example/p", fail)
    result = (await web.check(["https://flaky.example/p"]))["https://flaky.example/p"]
    assert result.verdict is LinkVerdict.UNAVAILABLE
    assert result.status_code is None
    assert len(web.seen) == 3


async def test_cloudflare_challenge_is_blocked_and_not_retried(web: Web) -> None:
    challenge = html(
        "Just a moment...",
        status=503,
        headers={"cf-mitigated": "challenge", "server": "cloudflare"},
    )
    web.page("https://cf.example/p", challenge)
    result = (await web.check(["https://cf.example/p"]))["https://cf.example/p"]
    assert result.verdict is LinkVerdict.BLOCKED
    assert web.methods() == ["GET"]  # a challenge is not retried


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Attention Required! | Cloudflare", ""),
        ("Access Denied", ""),
        (
            "Example",
            '<div class="g-recaptcha" data-sitekey="x"></div><script>cf_chl_opt={}</script>',
        ),
    ],
)
async def test_bot_walls_served_with_200_are_blocked(web: Web, title: str, body: str) -> None:
    web.page("https://wall.example/p", html(title, body=body))
    result = (await web.check(["https://wall.example/p"]))["https://wall.example/p"]
    assert result.verdict is LinkVerdict.BLOCKED


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("How CAPTCHAs work | Security Blog", "<p>Sites use captcha and g-recaptcha widgets.</p>"),
        ("Access denied: a history of closed archives", ""),
    ],
)
async def test_pages_about_walls_are_not_walls(web: Web, title: str, body: str) -> None:
    web.page("https://blog.example/p", html(title, title, body=body))
    result = (await web.check(["https://blog.example/p"]))["https://blog.example/p"]
    assert result.verdict is LinkVerdict.OK


@pytest.mark.parametrize("title", ["Captcha", "Are you a robot?", "Security Check"])
async def test_wall_markers_on_error_pages(web: Web, title: str) -> None:
    web.page("https://wall.example/p", html(title, status=429))
    result = (await web.check(["https://wall.example/p"]))["https://wall.example/p"]
    assert result.verdict is LinkVerdict.BLOCKED
    assert web.methods() == ["GET"]  # a challenge is not retried


async def test_archived_429_memento_is_not_a_live_rate_limit(web: Web) -> None:
    meta = json.loads(
        (FIXTURES / "memento_of_archived_429_NOT_a_live_rate_limit.html.meta.json").read_text()
    )
    body = (FIXTURES / "memento_of_archived_429_NOT_a_live_rate_limit.html").read_bytes()
    headers = {
        k: v[0]
        for k, v in meta["response"]["headers"].items()
        if k.lower() not in ("transfer-encoding", "content-encoding", "connection")
    }
    url = meta["request"]["uri"]
    web.page(url, lambda request: httpx.Response(429, headers=headers, content=body))
    result = (await web.check([url]))[url]
    assert result.verdict is LinkVerdict.SOFT_404
    assert "captured" in result.reason
    assert len(web.seen) == 1  # no retry, no waiting
    assert web.clock.now == 0


# ---------------------------------------------------------------------------- soft 404


@pytest.mark.parametrize(
    ("title", "heading"),
    [
        ("Page not found | Example Journal", "Example Journal"),
        ("Example Journal", "404 - Page Not Found"),
        ("Oops! That page can’t be found. – Blog", ""),
        ("Seite nicht gefunden", ""),
        ("Página no encontrada - Revista", ""),
        ("Erreur 404", "Page introuvable"),
        ("Example", "Sorry, the page you requested does not exist"),
    ],
)
async def test_soft_404_pages(web: Web, title: str, heading: str) -> None:
    web.page("https://journal.example/article/9", html(title, heading))
    result = (await web.check(["https://journal.example/article/9"]))[
        "https://journal.example/article/9"
    ]
    assert result.verdict is LinkVerdict.SOFT_404
    assert result.status_code == 200


@pytest.mark.parametrize(
    "title",
    [
        "Understanding HTTP 404 errors | Web Dev Blog",
        "Lost and found: a history of lost property offices",
        "Glucagonoma syndrome: not a rare finding?",
    ],
)
async def test_titles_about_errors_are_not_soft_404(web: Web, title: str) -> None:
    web.page("https://blog.example/post", html(title, title))
    result = (await web.check(["https://blog.example/post"]))["https://blog.example/post"]
    assert result.verdict is LinkVerdict.OK


# ----------------------------------------------------------------------------- bodies


class CountingStream(httpx.AsyncByteStream):
    """A body of ``total`` bytes produced lazily; counts what the client pulled."""

    def __init__(self, total: int, chunk: bytes, clock: VirtualClock | None = None) -> None:
        self.total = total
        self.chunk = chunk
        self.sent = 0
        self.clock = clock
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.sent < self.total:
            if self.clock is not None:
                self.clock.now += 5.0  # a slow server: five seconds per chunk
            self.sent += len(self.chunk)
            yield self.chunk

    async def aclose(self) -> None:
        self.closed = True


async def test_a_2_gb_body_is_not_downloaded(web: Web) -> None:
    stream = CountingStream(2 * 1024**3, b"<p>" + b"a" * 16381)
    web.page(
        "https://big.example/dump",
        lambda request: httpx.Response(200, headers={"content-type": "text/html"}, stream=stream),
    )
    result = (await web.check(["https://big.example/dump"], max_body_bytes=65536))[
        "https://big.example/dump"
    ]
    assert result.verdict is LinkVerdict.OK
    assert stream.sent <= 65536 + 16384
    assert stream.closed


async def test_a_large_pdf_body_is_not_read_at_all(web: Web) -> None:
    stream = CountingStream(2 * 1024**3, b"%PDF" * 4096)

    def pdf(request: httpx.Request) -> httpx.Response:
        if request.method == "HEAD":
            return httpx.Response(405)
        return httpx.Response(200, headers={"content-type": "application/pdf"}, stream=stream)

    web.page("https://big.example/paper.pdf", pdf)
    result = (await web.check(["https://big.example/paper.pdf"]))["https://big.example/paper.pdf"]
    assert result.verdict is LinkVerdict.OK
    assert stream.sent == 0


async def test_a_slow_body_is_read_only_until_the_time_limit(web: Web) -> None:
    stream = CountingStream(10**9, b"x" * 1024, clock=web.clock)
    web.page(
        "https://slow.example/p",
        lambda request: httpx.Response(200, headers={"content-type": "text/html"}, stream=stream),
    )
    result = (await web.check(["https://slow.example/p"], body_time_limit=20.0))[
        "https://slow.example/p"
    ]
    assert result.verdict is LinkVerdict.OK
    assert stream.sent <= 6 * 1024  # about 20 s worth of 5-second chunks


async def test_a_slow_body_is_reported_in_the_reason(web: Web) -> None:
    stream = CountingStream(10**9, b"x" * 1024, clock=web.clock)
    web.page(
        "https://slow.example/p",
        lambda request: httpx.Response(200, headers={"content-type": "text/html"}, stream=stream),
    )
    result = (await web.check(["https://slow.example/p"], body_time_limit=1.0))[
        "https://slow.example/p"
    ]
    assert result.verdict is LinkVerdict.OK
    assert "arrived too slowly" in result.reason
    assert "soft-404 check could not be made" in result.reason


def test_the_body_time_limit_defaults_to_the_read_timeout() -> None:
    client = httpx.AsyncClient(timeout=httpx.Timeout(3.0, connect=1.0))
    assert LinkChecker(client)._body_time_limit == 3.0


async def test_progress_is_reported_per_url(web: Web) -> None:
    urls = [f"https://site.example/{n}" for n in range(3)]
    for url in urls:
        web.page(url, ARTICLE)
    seen: list[tuple[int, int]] = []
    await web.clock.run(
        web.checker(per_host_interval=0).check(urls, progress=lambda *a: seen.append(a))
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]


async def test_reading_stops_once_title_and_heading_are_known(web: Web) -> None:
    head = b"<html><head><title>Article</title></head><body><h1>Article</h1>"
    stream = CountingStream(10**8, head)
    web.page(
        "https://fast.example/p",
        lambda request: httpx.Response(200, headers={"content-type": "text/html"}, stream=stream),
    )
    await web.check(["https://fast.example/p"])
    assert stream.sent == len(head)


async def test_gzip_pages_are_decoded_and_bombs_stay_bounded(web: Web) -> None:
    page = gzip.compress(b"<html><title>Page not found</title></html>")
    web.page(
        "https://gz.example/p",
        lambda request: httpx.Response(
            200,
            headers={"content-type": "text/html", "content-encoding": "gzip"},
            stream=CountingStream(len(page), page),  # raw, as from a socket
        ),
    )
    result = (await web.check(["https://gz.example/p"]))["https://gz.example/p"]
    assert result.verdict is LinkVerdict.SOFT_404

    bomb = gzip.compress(b"\0" * 50_000_000)  # ~50 KB that inflates to 50 MB
    out = Inflater("gzip").feed(bomb, 65536)
    assert len(out) == 65536


# --------------------------------------------------------------------------- SSRF hops


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:8080/",
        "http://[::1]/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://localhost/",
    ],
)
async def test_redirect_to_a_private_address_is_refused(web: Web, target: str) -> None:
    web.page("https://evil.example/cite", redirect(302, target))
    web.page(target, ARTICLE)
    result = (await web.check(["https://evil.example/cite"]))["https://evil.example/cite"]
    assert result.verdict is LinkVerdict.REFUSED
    assert result.redirects == (str(httpx.URL(target)),)
    assert all(s.url.startswith("https://evil.example/") for s in web.seen)


async def test_redirect_to_a_name_resolving_privately_is_refused(web: Web) -> None:
    web.page("https://evil.example/cite", redirect(302, "http://intranet.example/"))
    web.page("http://intranet.example/", ARTICLE)
    web.dns["intranet.example"] = ["192.168.1.10"]
    result = (await web.check(["https://evil.example/cite"]))["https://evil.example/cite"]
    assert result.verdict is LinkVerdict.REFUSED
    assert "192.168.1.10" in result.reason


@pytest.mark.parametrize(
    ("cited", "target", "allowed"),
    [
        ("http://127.0.0.1:8000/cite", "http://127.0.0.1:8000/paper", True),
        ("http://127.0.0.1:8000/cite", "http://localhost:8000/paper", True),
        ("http://10.0.0.5/cite", "http://10.0.0.1/paper", True),  # within an intranet
        ("http://10.0.0.5/cite", "https://public.example/paper", True),
        ("http://127.0.0.1:8000/cite", "http://10.0.0.1/paper", False),  # loopback → private
        ("http://10.0.0.5/cite", "http://127.0.0.1/admin", False),  # intranet → this machine
        ("http://127.0.0.1:8000/cite", "http://169.254.169.254/latest/meta-data/", False),
        ("https://public.example/cite", "http://10.0.0.1/paper", False),
        ("https://public.example/cite", "http://127.0.0.1:8000/paper", False),
        ("https://public.example/cite", "http://intranet.example/", False),  # → 192.168.1.10
    ],
)
async def test_allow_private_keeps_redirects_in_the_cited_urls_zone(
    web: Web, cited: str, target: str, allowed: bool
) -> None:
    web.page(cited, redirect(302, target))
    web.page(target, ARTICLE)
    web.dns["intranet.example"] = ["192.168.1.10"]
    result = (await web.check([cited], allow_private=True))[cited]
    if allowed:
        assert result.verdict is LinkVerdict.OK, result.reason
        assert result.final_url == target
    else:
        assert result.verdict is LinkVerdict.REFUSED
        assert result.reason.startswith(f"redirect to {target}:")
        assert all(s.url == cited for s in web.seen)


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://0.0.0.0/"]
)
async def test_forbidden_addresses_are_refused_even_with_allow_private(web: Web, url: str) -> None:
    web.page(url, ARTICLE)
    result = (await web.check([url], allow_private=True))[url]
    assert result.verdict is LinkVerdict.REFUSED
    assert web.seen == []


async def test_a_name_for_the_metadata_service_is_refused_even_with_allow_private(
    web: Web,
) -> None:
    web.page("http://metadata.example/computeMetadata/v1/", ARTICLE)
    web.dns["metadata.example"] = ["169.254.169.254"]
    url = "http://metadata.example/computeMetadata/v1/"
    result = (await web.check([url], allow_private=True))[url]
    assert result.verdict is LinkVerdict.REFUSED
    assert "metadata" in result.reason
    assert web.seen == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://ftp.example/pub/a.pdf",
        "javascript:alert(1)",
        "gopher://example.org:70/",
        "http://user:pw@example.org/",
    ],
)
async def test_non_http_urls_are_refused_without_a_request(web: Web, url: str) -> None:
    result = (await web.check([url], allow_private=True))[url]
    assert result.verdict is LinkVerdict.REFUSED
    assert web.seen == []


async def test_redirect_to_another_scheme_is_refused(web: Web) -> None:
    web.page("https://mirror.example/p", redirect(302, "ftp://mirror.example/p.pdf"))
    result = (await web.check(["https://mirror.example/p"]))["https://mirror.example/p"]
    assert result.verdict is LinkVerdict.REFUSED
    assert "ftp" in result.reason


# ----------------------------------------------------------------------------- pacing


async def test_per_host_spacing_and_hosts_in_parallel(web: Web) -> None:
    urls = [f"https://{host}.example/{n}" for host in ("a", "b", "c") for n in range(3)]
    for url in urls:
        web.page(url, status(200, {"content-type": "application/pdf"}))
    await web.check(urls, per_host_interval=1.0)
    by_host: dict[str, list[float]] = {}
    for seen in web.seen:
        by_host.setdefault(httpx.URL(seen.url).host, []).append(seen.time)
    for times in by_host.values():
        assert len(times) == 3
        assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))
        assert times[0] == 0.0  # no host waits for another
    # 3 requests a host, 1 s apart (plus the limiter's small safety margin), hosts in parallel
    assert web.clock.now <= 2.1


async def test_per_host_interval_is_configurable(web: Web) -> None:
    urls = [f"https://a.example/{n}" for n in range(4)]
    for url in urls:
        web.page(url, status(200, {"content-type": "application/pdf"}))
    await web.check(urls, per_host_interval=0.25)
    times = [s.time for s in web.seen]
    assert all(b - a >= 0.25 for a, b in itertools.pairwise(times))
    assert times[-1] <= 1.0


async def test_per_host_concurrency_cap(web: Web) -> None:
    in_flight = 0
    peak = 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await web.clock.sleep(10.0)
        in_flight -= 1
        return httpx.Response(200, headers={"content-type": "application/pdf"})

    urls = [f"https://a.example/{n}" for n in range(6)]
    for url in urls:
        web.page(url, slow)
    await web.check(urls, per_host_interval=0.0, per_host_concurrency=2)
    assert peak == 2


# ------------------------------------------------------------------ what is (not) sent


async def test_no_identification_leaks_to_web_sites(web: Web) -> None:
    web.page("https://site.example/p", ARTICLE)
    client = web.client(
        headers={"User-Agent": "citetrack/0.1 (mailto:me@uni.example)", "X-Api-Key": "secret"},
        params={"mailto": "me@uni.example", "api_key": "secret"},
        auth=("me", "password"),
        cookies={"session": "registry"},
    )
    await web.clock.run(web.checker(client).check(["https://site.example/p"]))
    for seen in web.seen:
        assert seen.url == "https://site.example/p"
        assert seen.headers["user-agent"] == LINK_HEADERS["User-Agent"]
        assert "mailto" not in seen.headers["user-agent"]
        assert "authorization" not in seen.headers
        assert "x-api-key" not in seen.headers
        assert "cookie" not in seen.headers
        assert "text/html" in seen.headers["accept"]


def test_link_client_carries_no_identification() -> None:
    client = make_link_client()
    assert "mailto" not in client.headers["user-agent"]
    assert "citetrack" in client.headers["user-agent"]
    assert not client.follow_redirects


def test_doi_links() -> None:
    assert is_doi_link("https://doi.org/10.1056/NEJMc0805992")
    assert is_doi_link("http://dx.doi.org/10.1001/archderm.1942.01500120037004")
    assert not is_doi_link("https://www.nejm.org/doi/10.1056/NEJMc0805992")


async def test_doi_links_are_not_fetched(web: Web) -> None:
    results = await web.check(
        ["https://doi.org/10.1056/NEJMc0805992", "http://dx.doi.org/10.1530/eje.0.1510531"]
    )
    assert results == {}
    assert web.seen == []


async def test_duplicates_are_checked_once(web: Web) -> None:
    web.page("https://site.example/p", ARTICLE)
    results = await web.check(["https://site.example/p"] * 3)
    assert list(results) == ["https://site.example/p"]
    assert web.methods() == ["GET"]
