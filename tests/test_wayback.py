"""The Wayback CDX client: parsing the real answer shapes, the three questions, good conduct.

Real answers come from ``tests/fixtures/real/wayback/`` (provenance in its README).  CDX rows
for the URLs of individual tests are synthetic, built in the documented JSON shape.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from citetrack.links.wayback import (
    CdxFormatError,
    Wayback,
    parse_cdx,
)
from citetrack.net import RetryPolicy

FIXTURES = Path(__file__).parent / "fixtures" / "real" / "wayback"
BASE = "https://web.archive.org"
HEADER = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def rows(*captures: tuple[str, str, str]) -> str:
    """A synthetic CDX JSON answer: (timestamp, original, statuscode) per row."""
    body = [HEADER] + [
        ["org,example)/x", ts, original, "text/html", code, "DIGEST", "1234"]
        for ts, original, code in captures
    ]
    return json.dumps(body)


# ---------------------------------------------------------------------------- parsing


def test_parse_json_doc_example() -> None:
    captures = parse_cdx(fixture("cdx_json_archive.org_limit3.json"))
    assert [c.timestamp for c in captures] == ["19970126045828", "19971011050034", "19971211122953"]
    assert captures[0].original == "http://www.archive.org:80/"
    assert captures[0].status == 200
    assert captures[0].mimetype == "text/html"


def test_parse_json_stops_at_the_resume_key() -> None:
    captures = parse_cdx(fixture("cdx_json_showResumeKey_limit5.json"))
    assert len(captures) == 5
    assert captures[-1].original == "http://archive.org:80/"


def test_parse_recorded_text_answers() -> None:
    nasa = parse_cdx(fixture("cdx_text_nasa.gov_1996.txt"))
    assert len(nasa) == 3
    assert nasa[0].timestamp == "19961231235847"
    assert nasa[0].original == "http://www.nasa.gov:80/"
    cnn = parse_cdx(fixture("cdx_text_resumekey_page1_cnn.com.txt"))
    assert len(cnn) == 25  # the resume key after the blank line is not a row
    missing = parse_cdx(fixture("cdx_text_filter_statuscode404.txt"))
    assert missing and all(c.status == 404 for c in missing)
    assert parse_cdx(fixture("cdx_text_empty_last_page.txt")) == []


def test_parse_revisit_status_and_custom_field_order() -> None:
    text = json.dumps([["timestamp", "original", "statuscode"], ["20200101000000", "x.org", "-"]])
    (capture,) = parse_cdx(text)
    assert capture.status is None
    assert capture.original == "x.org"


@pytest.mark.parametrize(
    "text",
    [
        "<html><body>Service Unavailable</body></html>",
        '{"error": "x"}',
        '[["urlkey"], ["a"]]',
        '[["timestamp", "original"], ["2020", "x", "extra"]]',
        "[[",
        "only three fields",
    ],
)
def test_parse_garbage_raises(text: str) -> None:
    with pytest.raises(CdxFormatError):
        parse_cdx(text)


# ------------------------------------------------------------------------ the service


class FakeCdx:
    """A CDX server answering from a list of (predicate, response) rules, recording calls."""

    def __init__(self) -> None:
        self.calls: list[dict[str, str]] = []
        self.answers: list[httpx.Response | Exception] = []
        self.sleeps: list[float] = []
        self.now = 0.0
        self.starts: list[float] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/cdx/search/cdx"
        self.calls.append(dict(request.url.params))
        self.starts.append(self.now)
        if not self.answers:
            return httpx.Response(200, text="[]")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def wayback(self, **kw: Any) -> Wayback:
        client = httpx.AsyncClient(transport=httpx.MockTransport(self.handler))
        return Wayback(
            client,
            base_url=BASE,
            clock=self.clock,
            sleep=self.sleep,
            wall_clock=lambda: 1_700_000_000.0,
            **kw,
        )

    def answer(self, *responses: httpx.Response | Exception) -> None:
        self.answers.extend(responses)


def ok(text: str) -> httpx.Response:
    return httpx.Response(200, text=text, headers={"content-type": "application/json"})


@pytest.fixture
def cdx() -> FakeCdx:
    return FakeCdx()


ORIGINAL = "https://www.example.org/report.html"


async def test_verify_an_existing_capture(cdx: FakeCdx) -> None:
    cdx.answer(ok(rows(("20190501123000", ORIGINAL, "200"))))
    status = await cdx.wayback().verify_archive(f"{BASE}/web/20190501123000/{ORIGINAL}")
    assert status.available is True
    assert status.timestamp == "20190501123000"
    assert status.original_status == 200
    assert status.url == ORIGINAL
    assert status.archive_url == f"{BASE}/web/20190501123000/{ORIGINAL}"
    (call,) = cdx.calls
    assert call["url"] == ORIGINAL
    assert call["from"] == call["to"] == "20190501123000"
    assert call["output"] == "json"


@pytest.mark.parametrize(
    "link",
    [
        f"https://web.archive.org/web/20190501123000id_/{ORIGINAL}",
        f"http://archive.org/web/20190501123000/{ORIGINAL}",
        "https://web.archive.org/web/20190501123000/https:/www.example.org/report.html",
    ],
)
async def test_verify_understands_link_variants(cdx: FakeCdx, link: str) -> None:
    cdx.answer(ok(rows(("20190501123000", ORIGINAL, "200"))))
    status = await cdx.wayback().verify_archive(link, url="https://example.org/report.html")
    assert status.available is True
    assert status.url == "https://example.org/report.html"
    assert cdx.calls[0]["url"] == ORIGINAL


async def test_verify_keeps_the_query_of_the_archived_url(cdx: FakeCdx) -> None:
    original = "http://example.org/view.php?id=12&lang=en"
    cdx.answer(ok(rows(("20100101000000", original, "200"))))
    await cdx.wayback().verify_archive(f"{BASE}/web/20100101000000/{original}")
    assert cdx.calls[0]["url"] == original


@pytest.mark.parametrize(
    ("code", "words"),
    [("404", "HTTP 404"), ("302", "redirect"), ("429", "archived rate-limit page")],
)
async def test_verify_a_capture_of_an_error_page_is_invalid(
    cdx: FakeCdx, code: str, words: str
) -> None:
    cdx.answer(ok(rows(("20190501123000", ORIGINAL, code))))
    link = f"{BASE}/web/20190501123000/{ORIGINAL}"
    status = await cdx.wayback().verify_archive(link)
    assert status.available is False
    assert status.original_status == int(code)
    assert status.timestamp == "20190501123000"
    assert words in status.reason
    assert status.archive_url == link  # no good capture to offer instead
    # An archived 429 is not a live rate limit: nothing retried, only the search for a
    # good capture (two questions: before it, after it) at the CDX server's pace.
    assert len(cdx.calls) == 3
    assert all(call.get("filter") == "statuscode:200" for call in cdx.calls[1:])
    assert cdx.sleeps == [pytest.approx(2.5, rel=0.1)] * 2  # 24 a minute, not a 429 pause


async def test_verify_offers_the_good_capture_nearest_before_an_error_capture(
    cdx: FakeCdx,
) -> None:
    cdx.answer(
        ok(rows(("20190501123000", ORIGINAL, "404"))),
        ok(rows(("20190301000000", ORIGINAL, "200"))),
    )
    status = await cdx.wayback().verify_archive(f"{BASE}/web/20190501123000/{ORIGINAL}")
    assert status.available is False
    assert (status.timestamp, status.original_status) == ("20190501123000", 404)
    assert status.archive_url == f"{BASE}/web/20190301000000/{ORIGINAL}"
    assert "last good capture before it is from 2019-03-01" in status.reason
    assert cdx.calls[1]["to"] == "20190501123000"
    assert cdx.calls[1]["limit"] == "-1"


async def test_verify_the_archived_reddit_429_is_a_capture_status(cdx: FakeCdx) -> None:
    """The recorded memento (a reddit 429 page replayed with memento-datetime) seen through
    the CDX: its row says 429 (row synthetic, values from the recording's request/headers)."""
    meta = json.loads(
        (FIXTURES / "memento_of_archived_429_NOT_a_live_rate_limit.html.meta.json").read_text()
    )
    assert "memento-datetime" in meta["response"]["headers"]
    original = "http://www.reddit.com/r/PokemonGiveaway"
    cdx.answer(ok(rows(("20150129034904", original, "429"))))
    status = await cdx.wayback().verify_archive(meta["request"]["uri"])
    assert status.available is False
    assert status.original_status == 429
    assert cdx.calls[0]["from"] == cdx.calls[0]["to"] == "20150129034904"


async def test_verify_without_exact_capture_uses_the_nearest_before(cdx: FakeCdx) -> None:
    cdx.answer(ok("[]"), ok(rows(("20190420000000", ORIGINAL, "200"))))
    status = await cdx.wayback().verify_archive(f"{BASE}/web/20190501000000/{ORIGINAL}")
    assert status.available is True
    assert status.timestamp == "20190420000000"
    assert "no capture at 20190501000000" in status.reason
    assert cdx.calls[1]["to"] == "20190501000000"
    assert cdx.calls[1]["limit"] == "-1"


async def test_verify_with_no_capture_at_all_is_invalid(cdx: FakeCdx) -> None:
    cdx.answer(ok("[]"), ok("[]"), ok(""))
    status = await cdx.wayback().verify_archive(f"{BASE}/web/2019/{ORIGINAL}")
    assert status.available is False
    assert "no capture" in status.reason
    assert len(cdx.calls) == 3


@pytest.mark.parametrize(
    ("link", "words"),
    [
        ("https://archive.ph/AbCdE", "archive.today"),
        ("http://www.webcitation.org/5xyz123", "WebCite"),
        (f"https://web.archive.org/web/*/{ORIGINAL}", "calendar"),
        ("https://www.example.org/not-an-archive", "not a Wayback"),
    ],
)
async def test_unverifiable_archives_say_so_without_asking(
    cdx: FakeCdx, link: str, words: str
) -> None:
    status = await cdx.wayback().verify_archive(link)
    assert status.available is None
    assert words in status.reason
    assert cdx.calls == []


async def test_find_capture_before_the_access_date(cdx: FakeCdx) -> None:
    cdx.answer(ok(rows(("20180301000000", ORIGINAL, "200"), ("20190430101010", ORIGINAL, "200"))))
    status = await cdx.wayback().find_capture(ORIGINAL, date(2019, 5, 1))
    assert status.available is True
    assert status.timestamp == "20190430101010"  # the last one before, not the first
    assert status.archive_url == f"{BASE}/web/20190430101010/{ORIGINAL}"
    (call,) = cdx.calls
    assert call["to"] == "20190501235959"
    assert call["filter"] == "statuscode:200"
    assert call["limit"] == "-1"


async def test_find_capture_falls_back_to_the_first_after_and_says_so(cdx: FakeCdx) -> None:
    cdx.answer(ok("[]"), ok(rows(("20200101000000", ORIGINAL, "200"))))
    status = await cdx.wayback().find_capture(ORIGINAL, date(2019, 5, 1))
    assert status.available is True
    assert status.timestamp == "20200101000000"
    assert "after" in status.reason
    assert cdx.calls[1]["from"] == "20190502"
    assert cdx.calls[1]["limit"] == "1"


async def test_find_capture_nothing_at_all(cdx: FakeCdx) -> None:
    cdx.answer(ok("[]"), ok("[]"))
    status = await cdx.wayback().find_capture(ORIGINAL, date(2019, 5, 1))
    assert status.available is False
    assert status.archive_url is None


async def test_has_capture_gives_the_latest_good_one(cdx: FakeCdx) -> None:
    cdx.answer(ok(rows(("20240101000000", ORIGINAL, "200"))))
    status = await cdx.wayback().has_capture(ORIGINAL)
    assert status.available is True
    assert "to" not in cdx.calls[0]
    cdx.answer(ok("[]"))
    assert (await cdx.wayback().has_capture(ORIGINAL)).available is False


# ------------------------------------------------------------------- failures and pace


async def test_429_without_retry_after_pauses_then_retries(cdx: FakeCdx) -> None:
    cdx.answer(
        httpx.Response(429, text="Too Many Requests"), ok(rows(("20240101000000", ORIGINAL, "200")))
    )
    status = await cdx.wayback().has_capture(ORIGINAL)
    assert status.available is True
    assert cdx.starts[1] - cdx.starts[0] >= 60  # a long pause, not hammering


async def test_persistent_429_is_unverified_never_missing(cdx: FakeCdx) -> None:
    cdx.answer(*(httpx.Response(429) for _ in range(5)))
    status = await cdx.wayback().has_capture(ORIGINAL)
    assert status.available is None
    assert "429" in status.reason
    assert len(cdx.calls) == 3
    assert all(b - a >= 60 for a, b in zip(cdx.starts, cdx.starts[1:], strict=False))


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(503, text="Service Unavailable"),
        httpx.Response(200, text="<html>maintenance</html>"),
        httpx.Response(400, text="bad query"),
    ],
)
async def test_failures_are_unverified(cdx: FakeCdx, response: httpx.Response) -> None:
    cdx.answer(*(response for _ in range(3)))
    policy = RetryPolicy(max_attempts=2, backoff_base=1.0)
    status = await cdx.wayback(retry=policy).find_capture(ORIGINAL, date(2019, 5, 1))
    assert status.available is None
    assert status.reason


async def test_timeouts_are_unverified(cdx: FakeCdx) -> None:
    cdx.answer(*(httpx.ReadTimeout("slow") for _ in range(3)))
    status = await cdx.wayback().verify_archive(f"{BASE}/web/20190501123000/{ORIGINAL}")
    assert status.available is None
    assert "timeout" in status.reason
    assert len(cdx.calls) == 3


async def test_blocked_site_403_from_the_recording(cdx: FakeCdx) -> None:
    meta = json.loads((FIXTURES / "cdx_403_blocked_site.txt.meta.json").read_text())
    header = meta["response"]["headers"]["X-Archive-Wayback-Runtime-Error"][0]
    body = fixture("cdx_403_blocked_site.txt")
    cdx.answer(httpx.Response(403, text=body, headers={"X-Archive-Wayback-Runtime-Error": header}))
    status = await cdx.wayback().has_capture("https://nationalpost.com/health")
    assert status.available is False
    assert "excluded" in status.reason
    cdx.answer(httpx.Response(403, text="Forbidden"))
    other = await cdx.wayback().has_capture("https://nationalpost.com/health")
    assert other.available is None  # a bare 403 proves nothing about the archive


async def test_requests_are_paced_at_24_a_minute(cdx: FakeCdx) -> None:
    wayback = cdx.wayback()
    for _ in range(4):
        await wayback.has_capture(ORIGINAL)
    gaps = [b - a for a, b in zip(cdx.starts, cdx.starts[1:], strict=False)]
    assert all(gap >= 2.5 for gap in gaps)
    assert wayback.stats.requests["wayback"] == 4
