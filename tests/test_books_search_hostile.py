"""The issue-18 rules hold for issue 13's clients (merge of main into issue-13): only a
registry's own "not found" is not found, a 200 without facts is unverified, and the
identifiers reach the server encoded.

Each test answers through ``httpx.MockTransport`` with SYNTHETIC bodies shaped like the
services' (Open Library ``jscmd=data``, Google Books volumes, ECitMatch text, ESearch JSON);
no host is contacted.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx

from citetrack.model import Found, NotFound, Unavailable
from citetrack.net import (
    Http,
    Limiters,
    NetConfig,
    RateLimiter,
    RateSpec,
    RequestStats,
    RetryPolicy,
)
from citetrack.net import ServiceUnavailable as NoAnswer
from citetrack.registries.citmatch import CitationMatcher
from citetrack.registries.googlebooks import GoogleBooksService
from citetrack.registries.openlibrary import OpenLibraryService
from citetrack.registries.pubmed import PubMedService
from citetrack.registries.search import IdentifierSearch

ISBN = "9780721629216"  # SYNTHETIC use of a real ISBN-13 (valid check digit)
FAST = RateSpec(1000.0, 8)

Handler = Callable[[httpx.Request], httpx.Response]


def _http(handler: Handler, seen: list[httpx.Request]) -> Http:
    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(record))
    return Http(client, policy=RetryPolicy(max_attempts=1), stats=RequestStats())


def _openlibrary(body: object, seen: list[httpx.Request] | None = None) -> dict[str, object]:
    requests = [] if seen is None else seen
    http = _http(lambda _: httpx.Response(200, json=body), requests)
    service = OpenLibraryService(http, base_url="http://ol.test", limiter=RateLimiter("ol", FAST))
    return dict(asyncio.run(service.fetch([ISBN])))


def test_open_library_absent_isbn_is_not_found_and_a_bare_record_is_unverified() -> None:
    assert isinstance(_openlibrary({})[ISBN], NotFound)
    bare = _openlibrary({f"ISBN:{ISBN}": {"identifiers": {"isbn_13": [ISBN]}}})[ISBN]
    assert isinstance(bare, Unavailable)
    assert "without a record" in bare.reason
    full = _openlibrary({f"ISBN:{ISBN}": {"title": "Andrews' Diseases of the Skin"}})[ISBN]
    assert isinstance(full, Found)


def test_open_library_error_object_is_no_answer_and_isbn_is_sent_as_a_query() -> None:
    seen: list[httpx.Request] = []
    answer = _openlibrary({"error": "backend down"}, seen)[ISBN]
    assert isinstance(answer, Unavailable)  # not "no record of this ISBN"
    assert seen[0].url.path == "/api/books"
    assert seen[0].url.params["bibkeys"] == f"ISBN:{ISBN}"


def test_google_books_volume_without_facts_is_unverified() -> None:
    volume = {"industryIdentifiers": [{"type": "ISBN_13", "identifier": ISBN}]}
    body = {"kind": "books#volumes", "totalItems": 1, "items": [{"volumeInfo": volume}]}
    http = _http(lambda _: httpx.Response(200, json=body), [])
    service = GoogleBooksService(http, base_url="http://gb.test", limiter=RateLimiter("g", FAST))
    answer = asyncio.run(service.fetch([ISBN]))[ISBN]
    assert isinstance(answer, Unavailable)
    assert "without a record" in answer.reason


def _ecitmatch(text: str, citations: list[str]) -> dict[str, object]:
    http = _http(lambda _: httpx.Response(200, text=text), [])
    matcher = CitationMatcher(http, base_url="http://eutils.test", limiter=RateLimiter("n", FAST))
    return dict(asyncio.run(matcher.match(citations)))


def test_only_ecitmatch_not_found_is_no_match() -> None:
    a = "j clin|2009|59|73|thiers bh|a|"
    b = "j clin|2004|10|12|pujol ra|b|"
    c = "j clin|1942|1|1|becker sw|c|"
    text = "\n".join([a + "19258446", b + "NOT_FOUND;INVALID_JOURNAL", c + "ERROR: backend"])
    answers = _ecitmatch(text, [a, b, c, "j|2000|1|1|x|d|"])
    assert answers[a] == ("19258446",)
    assert answers[b] == ()
    assert isinstance(answers[c], NoAnswer)  # an error line is not "no match"
    assert isinstance(answers["j|2000|1|1|x|d|"], NoAnswer)  # not answered at all


def test_esearch_error_object_is_unavailable_not_nothing_found() -> None:
    body = json.dumps({"esearchresult": {"ERROR": "Search Backend failed"}})
    http = _http(lambda _: httpx.Response(200, text=body), [])
    net = NetConfig(eutils_url="http://eutils.test", crossref_url="http://crossref.test")
    limiters = Limiters.from_config(net)
    pubmed = PubMedService.from_config(http, net, limiters)
    search = IdentifierSearch.from_config(http, net, limiters, pubmed)
    answer = asyncio.run(search._esearch("thiers[1au] AND cutaneous[ti]"))
    assert isinstance(answer, NoAnswer)
    assert "Search Backend failed" in answer.reason
