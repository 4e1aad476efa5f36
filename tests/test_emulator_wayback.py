"""The emulator's Wayback Machine: CDX, mementos, availability, blocking and the live 429."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from citetrack_emulator import Emulator

REAL = Path(__file__).parent / "fixtures" / "real" / "wayback"
STATPEARLS = "https://www.ncbi.nlm.nih.gov/books/NBK549779/"


@pytest.fixture
def wb(emulator_session: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator_session.url + "/wayback", timeout=10) as c:
        yield c


def cdx(client: httpx.Client, **params: str) -> httpx.Response:
    return client.get("/cdx/search/cdx", params=params)


@pytest.mark.parametrize(
    ("fixture", "params"),
    [
        (
            "cdx_text_nasa.gov_1996.txt",
            {
                "url": "nasa.gov",
                "limit": "1000",
                "from": "19961001000000",
                "to": "19970201000000",
                "showResumeKey": "true",
            },
        ),
        (
            "cdx_text_resumekey_page1_cnn.com.txt",
            {
                "url": "cnn.com",
                "limit": "25",
                "from": "20010410000000",
                "to": "20010510000000",
                "showResumeKey": "true",
            },
        ),
        (
            "cdx_text_filter_statuscode404.txt",
            {
                "url": "nasa.gov/",
                "matchType": "prefix",
                "limit": "10",
                "from": "20220101000000",
                "to": "20220201000000",
                "filter": "statuscode:404",
                "showResumeKey": "true",
            },
        ),
    ],
)
def test_cdx_text_is_byte_for_byte_the_recorded_answer(
    wb: httpx.Client, fixture: str, params: dict[str, str]
) -> None:
    response = cdx(wb, **params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=UTF-8"
    assert response.content == (REAL / fixture).read_bytes()


def test_cdx_json_is_the_documented_answer(wb: httpx.Client) -> None:
    documented = (REAL / "cdx_json_archive.org_limit3.json").read_text(encoding="utf-8")
    assert cdx(wb, url="archive.org", output="json", limit="3").text == documented


def test_cdx_json_resume_key_rows(wb: httpx.Client) -> None:
    documented = json.loads(
        (REAL / "cdx_json_showResumeKey_limit5.json").read_text(encoding="utf-8")
    )
    rows = cdx(wb, url="archive.org", output="json", limit="5", showResumeKey="true").json()
    assert rows[:-1] == documented[:-1]  # header, 5 rows, the empty separator row
    # The key sorts just after the last row (the recorded text key bumps the last digit).
    assert rows[-1] == ["org%2Carchive%29%2F+19980109140107"]


def test_cdx_resume_key_continues_after_the_page(wb: httpx.Client) -> None:
    first = cdx(wb, url="cnn.com", limit="20", showResumeKey="true").text.splitlines()
    assert first[20] == ""
    rest = cdx(wb, url="cnn.com", limit="20", resumeKey=first[21]).text.splitlines()
    last_seen = first[19].split()[1]
    everything = cdx(wb, url="cnn.com").text.splitlines()
    assert rest == [row for row in everything if row.split()[1] > last_seen]
    assert rest  # the page did not end the results


def test_cdx_limit_negative_from_to_fl_and_filters(wb: httpx.Client) -> None:
    last = cdx(wb, url=STATPEARLS, limit="-1", fl="timestamp,statuscode").text
    assert last == "20210829063012 200\n"
    window = cdx(wb, url=STATPEARLS, to="2020", fl="timestamp").text
    assert window == "20200815101500\n"
    not_ok = cdx(
        wb, url="nasa.gov/", matchType="prefix", filter="!statuscode:404", fl="statuscode"
    ).text
    assert set(not_ok.split()) == {"200"}


def test_cdx_json_with_fl_and_empty_result(wb: httpx.Client) -> None:
    rows = cdx(wb, url=STATPEARLS, output="json", fl="timestamp,original").json()
    assert rows[0] == ["timestamp", "original"]
    assert rows[1] == ["20200815101500", STATPEARLS]
    assert cdx(wb, url="http://never.example.org/", output="json").json() == []
    assert cdx(wb, url="http://never.example.org/").text == ""


def test_cdx_of_a_blocked_site_is_the_recorded_403(wb: httpx.Client) -> None:
    meta = json.loads((REAL / "cdx_403_blocked_site.txt.meta.json").read_text(encoding="utf-8"))
    response = cdx(wb, url="https://nationalpost.com/health", limit="1000")
    assert response.status_code == 403
    assert response.content == (REAL / "cdx_403_blocked_site.txt").read_bytes()
    header = meta["response"]["headers"]["X-Archive-Wayback-Runtime-Error"][0]
    assert response.headers["x-archive-wayback-runtime-error"] == header


@pytest.mark.parametrize(
    "url",
    [
        STATPEARLS,
        "http://www.joplink.net/prev/200407/200407_11.pdf",
        "https://books.google.com/books?id=SYNTHweedon603&pg=PA603",
    ],
)
def test_seed_urls_are_archived_on_29_august_2021(wb: httpx.Client, url: str) -> None:
    rows = cdx(wb, url=url, output="json").json()
    assert any(row[1].startswith("20210829") and row[4] == "200" for row in rows[1:])


def test_memento_redirects_to_the_closest_capture(
    wb: httpx.Client, emulator_session: Emulator
) -> None:
    response = wb.get(f"/web/20210901/{STATPEARLS}")
    assert response.status_code == 302
    assert (
        response.headers["location"]
        == f"{emulator_session.url}/wayback/web/20210829063012/{STATPEARLS}"
    )
    assert "memento-datetime" not in response.headers


def test_memento_replays_the_capture(wb: httpx.Client) -> None:
    response = wb.get(f"/web/20210829063012id_/{STATPEARLS}")
    assert response.status_code == 200
    assert response.headers["memento-datetime"] == "Sun, 29 Aug 2021 06:30:12 GMT"
    assert "StatPearls" in response.text
    pdf = wb.get("/web/20210829071545/http://www.joplink.net/prev/200407/200407_11.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_archived_429_is_replayed_with_memento_datetime(wb: httpx.Client) -> None:
    meta = json.loads(
        (REAL / "memento_of_archived_429_NOT_a_live_rate_limit.html.meta.json").read_text(
            encoding="utf-8"
        )
    )
    response = wb.get("/web/20150129034904id_/http://www.reddit.com/r/PokemonGiveaway")
    assert response.status_code == 429
    assert (
        response.headers["memento-datetime"] == meta["response"]["headers"]["memento-datetime"][0]
    )
    assert response.headers["x-archive-orig-retry-after"] == "6"
    assert (
        response.content
        == (REAL / "memento_of_archived_429_NOT_a_live_rate_limit.html").read_bytes()
    )


def test_live_rate_limit_is_a_429_without_retry_after_or_memento_datetime(
    emulator: Emulator,
) -> None:
    emulator.set_limits(
        {
            "wayback:memento": {"limit": 1, "interval": 3600},
            "wayback:cdx": {"limit": 1, "interval": 3600},
        }
    )
    with httpx.Client(base_url=emulator.url + "/wayback") as c:
        assert c.get(f"/web/20210829063012/{STATPEARLS}").status_code == 200
        live = c.get(f"/web/20210829063012/{STATPEARLS}")
        assert cdx(c, url=STATPEARLS).status_code == 200
        live_cdx = cdx(c, url=STATPEARLS)
    for response in (live, live_cdx):
        assert response.status_code == 429
        assert "retry-after" not in response.headers
        assert "memento-datetime" not in response.headers


def test_unarchived_url_is_404(wb: httpx.Client) -> None:
    response = wb.get("/web/2021/http://never.example.org/")
    assert response.status_code == 404
    assert "memento-datetime" not in response.headers


def test_archived_redirect_points_at_the_archived_target(wb: httpx.Client) -> None:
    response = wb.get("/web/20190101000000/http://journal.example.org/articles/moved")
    assert response.status_code == 301
    assert response.headers["location"].endswith(
        "/wayback/web/20190101000000/https://journal.example.org/articles/new-home"
    )


def test_availability_found_and_not_found_shapes(wb: httpx.Client) -> None:
    found_fx = json.loads(
        (REAL / "transcribed/availability_found_github.json").read_text(encoding="utf-8")
    )
    empty_fx = json.loads(
        (REAL / "transcribed/availability_not_archived_empty.json").read_text(encoding="utf-8")
    )
    found = wb.get("/wayback/available", params={"url": STATPEARLS, "timestamp": "20210601"}).json()
    assert found.keys() == found_fx.keys()
    assert (
        found["archived_snapshots"]["closest"].keys()
        == found_fx["archived_snapshots"]["closest"].keys()
    )
    assert found["archived_snapshots"]["closest"]["timestamp"] == "20210829063012"
    empty = wb.get("/wayback/available", params={"url": "http://never.example.org/"}).json()
    assert empty == {**empty_fx, "url": "http://never.example.org/"}
    dead = wb.get(
        "/wayback/available", params={"url": "http://journal.example.org/articles/dead-since-2015"}
    ).json()
    assert dead["archived_snapshots"] == {}  # only 200 captures count
