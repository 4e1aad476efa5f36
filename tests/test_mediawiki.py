"""The MediaWiki Action API client: URLs, the query, answers, maxlag and errors."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from citetrack.inputs.mediawiki import (
    WIKI_RATE,
    WikiError,
    fetch_revision,
    page_ref,
    query_params,
    wiki_limiter,
)
from citetrack.net import Http, NetConfig, RateLimiter, RetryPolicy, make_client


def test_page_urls_become_titles_revisions_and_endpoints() -> None:
    page = page_ref("https://mdwiki.org/wiki/Necrolytic_migratory_erythema", {})
    assert (page.api_url, page.title, page.oldid) == (
        "https://mdwiki.org/w/api.php",
        "Necrolytic migratory erythema",
        None,
    )
    page = page_ref("https://en.wikipedia.org/w/index.php?title=Hydrocephalus&oldid=123", {})
    assert (page.api_url, page.title, page.oldid) == (
        "https://en.wikipedia.org/w/api.php",
        "Hydrocephalus",
        123,
    )
    page = page_ref("https://en.wikipedia.org/wiki/Wernicke%E2%80%93Korsakoff_syndrome?oldid=7", {})
    assert page.title == "Wernicke–Korsakoff syndrome" and page.oldid == 7
    env = {"CITETRACK_WIKI_API_URL": "http://127.0.0.1:9/mediawiki/w/api.php"}
    assert page_ref("https://mdwiki.org/wiki/X", env).api_url == env["CITETRACK_WIKI_API_URL"]
    with pytest.raises(WikiError, match="no page title"):
        page_ref("https://mdwiki.org/", {})
    with pytest.raises(WikiError, match="not a revision number"):
        page_ref("https://mdwiki.org/wiki/X?oldid=abc", {})


def test_the_query_follows_the_api_etiquette() -> None:
    params = query_params(page_ref("https://mdwiki.org/wiki/A_b", {}))
    assert params == {
        "action": "query",
        "prop": "revisions",
        "rvprop": "content|ids|timestamp",
        "rvslots": "main",
        "formatversion": "2",
        "format": "json",
        "maxlag": "5",
        "titles": "A b",
        "redirects": "1",
    }
    by_rev = query_params(page_ref("https://mdwiki.org/wiki/A?oldid=42", {}))
    assert by_rev["revids"] == "42" and "titles" not in by_rev
    assert wiki_limiter().concurrency == 1  # one request at a time


def _answer(content: str = "x<ref>{{cite web|title=t}}</ref>") -> dict[str, Any]:
    return {
        "batchcomplete": True,
        "query": {
            "redirects": [{"from": "NME", "to": "Necrolytic migratory erythema"}],
            "pages": [
                {
                    "pageid": 5,
                    "ns": 0,
                    "title": "Necrolytic migratory erythema",
                    "revisions": [
                        {
                            "revid": 77,
                            "parentid": 70,
                            "timestamp": "2024-01-02T03:04:05Z",
                            "slots": {
                                "main": {
                                    "contentmodel": "wikitext",
                                    "contentformat": "text/x-wiki",
                                    "content": content,
                                }
                            },
                        }
                    ],
                }
            ],
        },
    }


MAXLAG = {
    "error": {
        "code": "maxlag",
        "info": "Waiting for 10.64.0.1: 7 seconds lagged.",
        "host": "10.64.0.1",
        "lag": 7,
        "type": "db",
    }
}


def _run(handler: Any, url: str = "https://mdwiki.org/wiki/NME") -> tuple[Any, list[float]]:
    slept: list[float] = []
    now = [0.0]

    async def sleep(seconds: float) -> None:  # virtual time: tests never wait
        slept.append(seconds)
        now[0] += seconds

    async def go() -> Any:
        net = NetConfig(mailto="editor@example.org", retry=RetryPolicy(max_attempts=2))
        async with make_client(net, transport=httpx.MockTransport(handler)) as client:
            http = Http.from_config(client, net, sleep=sleep)
            limiter = RateLimiter("mediawiki", WIKI_RATE, sleep=sleep, clock=lambda: now[0])
            return await fetch_revision(http, page_ref(url, {}), limiter=limiter)

    return asyncio.run(go()), slept


def test_a_revision_is_fetched_with_a_contact_user_agent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=_answer())

    revision, _ = _run(handler)
    assert (revision.title, revision.revid, revision.timestamp) == (
        "Necrolytic migratory erythema",
        77,
        "2024-01-02T03:04:05Z",
    )
    assert revision.redirected_from == "NME" and "cite web" in revision.text
    assert len(seen) == 1
    agent = seen[0].headers["user-agent"]
    assert "citetrack/" in agent and "mailto:editor@example.org" in agent
    assert seen[0].url.params["maxlag"] == "5"


def test_maxlag_is_waited_out_for_as_long_as_retry_after_says() -> None:
    answers = [
        httpx.Response(200, json=MAXLAG, headers={"Retry-After": "3", "X-Database-Lag": "7"}),
        httpx.Response(200, json=_answer()),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    revision, slept = _run(handler)
    assert revision.revid == 77 and 3.0 in slept


def test_persistent_maxlag_ends_in_a_clear_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=MAXLAG, headers={"Retry-After": "2"})

    with pytest.raises(WikiError, match="lagging"):
        _run(handler)


def test_429_retry_after_is_honoured_by_the_net_layer() -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "4"}),
        httpx.Response(200, json=_answer()),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    revision, slept = _run(handler)
    assert revision.revid == 77 and slept and max(slept) >= 4


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {
                "batchcomplete": True,
                "query": {"pages": [{"ns": 0, "title": "Nope", "missing": True}]},
            },
            "no such page",
        ),
        (
            {"batchcomplete": True, "query": {"badrevids": {"9": {"revid": 9, "missing": True}}}},
            "no revision",
        ),
        (
            {"error": {"code": "badvalue", "info": "Unrecognized value"}},
            "refused the query: Unrecognized",
        ),
        ([1, 2], "unexpected answer"),
    ],
)
def test_bad_answers_are_wiki_errors(doc: Any, message: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps(doc).encode())

    with pytest.raises(WikiError, match=message):
        _run(handler, "https://mdwiki.org/wiki/Nope?oldid=9")
