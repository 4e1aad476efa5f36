"""The emulator's ordinary web pages (link-check scenarios) and its extra page hosts.

Redirects that point at private addresses or real hosts are inspected, never followed.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from citetrack_emulator import Emulator


@pytest.fixture
def pages(emulator_session: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator_session.url + "/pages", timeout=10) as c:
        yield c


def test_ordinary_page(pages: httpx.Client) -> None:
    response = pages.get("/ok")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<title>An ordinary article page</title>" in response.text


@pytest.mark.parametrize("code", [301, 302, 307, 308])
def test_redirect_codes(pages: httpx.Client, emulator_session: Emulator, code: int) -> None:
    response = pages.get(f"/redirect/{code}")
    assert response.status_code == code
    assert response.headers["location"] == f"{emulator_session.url}/pages/ok"


def test_redirect_chain_is_followed_to_the_page(pages: httpx.Client) -> None:
    response = pages.get("/chain/1", follow_redirects=True)
    assert [r.status_code for r in response.history] == [301, 302, 307]
    assert (response.status_code, response.url.path) == (200, "/pages/ok")


def test_redirect_loop(pages: httpx.Client) -> None:
    with pytest.raises(httpx.TooManyRedirects):
        pages.get("/loop/a", follow_redirects=True)


@pytest.mark.parametrize(
    ("path", "code"),
    [("/missing", 404), ("/gone", 410), ("/no-such-page", 404), ("/unavailable", 503)],
)
def test_error_statuses(pages: httpx.Client, path: str, code: int) -> None:
    assert pages.get(path).status_code == code


def test_rate_limited_page_sends_retry_after(pages: httpx.Client) -> None:
    response = pages.get("/rate-limited")
    assert (response.status_code, response.headers["retry-after"]) == (429, "120")
    assert pages.get("/unavailable").headers["retry-after"] == "Wed, 21 Oct 2099 07:28:00 GMT"


def test_bot_wall_looks_like_a_cloudflare_challenge(pages: httpx.Client) -> None:
    response = pages.get("/bot-wall")
    assert response.status_code == 403
    assert response.headers["server"] == "cloudflare"
    assert response.headers["cf-mitigated"] == "challenge"
    assert "Just a moment..." in response.text


def test_soft_404_is_a_200_that_says_not_found(pages: httpx.Client) -> None:
    response = pages.get("/soft-404")
    assert response.status_code == 200
    assert "<title>Page not found</title>" in response.text


def test_deep_link_redirects_to_the_front_page(pages: httpx.Client) -> None:
    response = pages.get("/journal/article/12345", follow_redirects=True)
    assert response.url.path == "/pages/journal/"
    assert "Home" in response.text


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/private-redirect", "http://169.254.169.254/latest/meta-data"),
        ("/private-redirect-10", "http://10.0.0.1/"),
    ],
)
def test_redirect_to_a_private_address(pages: httpx.Client, path: str, target: str) -> None:
    response = pages.get(path)  # never followed
    assert (response.status_code, response.headers["location"]) == (302, target)


def test_head_refused_but_get_works(pages: httpx.Client) -> None:
    assert pages.head("/head-not-allowed").status_code == 405
    assert pages.get("/head-not-allowed").status_code == 200


def test_huge_body_is_declared_and_streamed(pages: httpx.Client) -> None:
    head = pages.head("/huge")
    assert head.headers["content-length"] == str(2 * 1024**3)
    with pages.stream("GET", "/huge") as response:
        assert response.headers["content-length"] == str(2 * 1024**3)
        first = next(response.iter_bytes())
        assert first  # bytes arrive; the client hangs up long before 2 GB


def test_slow_drip_page_trips_a_read_timeout(pages: httpx.Client) -> None:
    with pytest.raises(httpx.ReadTimeout):
        pages.get("/slow-drip", timeout=httpx.Timeout(5.0, read=0.2))


def test_pages_answer_on_every_page_host_and_are_counted_per_host() -> None:
    with Emulator(page_hosts=3) as emu:
        assert emu.hosts == ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
        for host in range(4):
            assert httpx.get(emu.page_url("/ok", host)).status_code == 200
        httpx.get(emu.page_url("/gone", 2))
        per_host = emu.stats()["pages_hosts"]
    assert {h: v["requests"] for h, v in per_host.items()} == {
        "127.0.0.1": 1,
        "127.0.0.2": 1,
        "127.0.0.3": 2,
        "127.0.0.4": 1,
    }
    assert all(len(v["timestamps"]) == v["requests"] for v in per_host.values())


def test_world_pages_can_be_changed(emulator: Emulator) -> None:
    emulator.patch_world({"pages": {"/ok": {"status": 404}, "/new": {"title": "Brand new"}}})
    assert httpx.get(emulator.page_url("/ok")).status_code == 404
    assert "Brand new" in httpx.get(emulator.page_url("/new")).text
