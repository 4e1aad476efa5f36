"""Crossref service: parsing real records, batching, 404s, garbage, caching.

Bodies are the real recorded responses in ``tests/fixtures/real/crossref`` (provenance in
each ``.meta.json``).  Batch answers are SYNTHETIC envelopes (the recorded batch body was
not kept, only its envelope: api-notes §1.2) around real recorded work records.
"""

from __future__ import annotations

import asyncio
import json
import math
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citetrack.model import Author, Found, NotFound, Source, Unavailable, UpdateKind
from citetrack.net import Http, RateLimiter, RateSpec, RequestStats, RetryPolicy
from citetrack.registries.crossref import (
    CrossrefService,
    encode_doi_path,
    parse_work,
    update_kind,
)
from citetrack.tracking.cache import CACHE_FILENAME, CacheMode, EvidenceCache

FIXTURES = Path(__file__).parent / "fixtures" / "real" / "crossref"
BASE = "https://api.crossref.test"


def body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def message(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(body(name))["message"]
    return data


JCLINPATH = message("works_10.1136_jclinpath-2020-206745.json")
PONE = message("works_10.1371_journal.pone.0033693.public-pool.json")
NEURO = message("works_10.1016_j.neurobiolaging.2010.03.024.polite-pool.json")
ESMO = message("works_10.1136_esmoopen-2020-000776.json")
NNANO = message("works_10.1038_nnano.2014.279_2022_old-limits.json")
PREFIX_LIST = json.loads(body("prefix_10.1371_works_list_with_update-to_updated-by.json"))
RECORDS = {m["DOI"].lower(): m for m in (JCLINPATH, PONE, NEURO, ESMO, NNANO)}
RATE_HEADERS = {
    "x-api-pool": "polite",
    "x-rate-limit-limit": "10",
    "x-rate-limit-interval": "1s",
    "x-concurrency-limit": "3",
}


def work_list(items: list[dict[str, Any]]) -> dict[str, Any]:
    """SYNTHETIC: the recorded ``work-list`` envelope shape around given items."""
    return {
        "status": "ok",
        "message-type": "work-list",
        "message-version": "1.0.0",
        "message": {
            "facets": {},
            "total-results": len(items),
            "items": items,
            "items-per-page": len(items),
            "query": {"start-index": 0, "search-terms": None},
        },
    }


class FakeCrossref:
    """Answers like Crossref from the recorded records; records every request."""

    def __init__(self, records: dict[str, dict[str, Any]] | None = None) -> None:
        self.records = RECORDS if records is None else records
        self.requests: list[httpx.Request] = []
        self.override: Callable[[httpx.Request], httpx.Response | None] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.override is not None:
            answer = self.override(request)
            if answer is not None:
                return answer
        path = request.url.raw_path.decode().split("?")[0]
        if path == "/works":
            wanted = [
                f.removeprefix("doi:").lower() for f in request.url.params["filter"].split(",")
            ]
            items = [self.records[d] for d in reversed(wanted) if d in self.records]
            return httpx.Response(200, json=work_list(items), headers=RATE_HEADERS)
        doi = urllib.parse.unquote(path.removeprefix("/works/")).lower()
        if doi in self.records:
            envelope = {"status": "ok", "message-type": "work", "message": self.records[doi]}
            return httpx.Response(200, json=envelope, headers=RATE_HEADERS)
        return httpx.Response(
            404,
            content=body("works_404_10.1371_notarealdoi.txt"),
            headers={"content-type": "text/plain", **RATE_HEADERS},
        )

    @property
    def list_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == "/works"]

    @property
    def single_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.startswith("/works/")]


class FakeTime:
    """Clock and sleep for limiters and retries: time passes only by sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


def service(
    fake: FakeCrossref,
    *,
    cache: EvidenceCache | None = None,
    policy: RetryPolicy | None = None,
    **kw: Any,
) -> CrossrefService:
    time = FakeTime()
    client = httpx.AsyncClient(transport=httpx.MockTransport(fake))
    http = Http(
        client,
        policy=policy or RetryPolicy(max_attempts=2),
        stats=RequestStats(),
        sleep=time.sleep,
    )
    fast = RateSpec(1000.0, 8)
    return CrossrefService(
        http,
        base_url=BASE,
        single_limiter=RateLimiter("single", fast, clock=time.clock, sleep=time.sleep),
        list_limiter=RateLimiter("list", fast, clock=time.clock, sleep=time.sleep),
        cache=cache,
        **kw,
    )


# ------------------------------------------------------------------------------ parsing


def test_parse_title_with_markup_dates_and_journal() -> None:
    meta = parse_work(JCLINPATH)
    assert meta.source is Source.CROSSREF
    assert meta.doi == "10.1136/jclinpath-2020-206745"
    assert meta.title == (
        "Construction of a reference material panel for detecting "
        "KRAS / NRAS / EGFR / BRAF / MET mutations in plasma ctDNA"
    )
    assert (meta.year, meta.month) == (2020, 8)  # issued = online, the earliest
    assert meta.years == (2020, 2021)  # print year is also accepted
    assert meta.container == "Journal of Clinical Pathology"
    assert meta.container_short == "J Clin Pathol"
    assert (meta.volume, meta.issue, meta.pages) == ("74", "5", "314-320")
    assert len(meta.issn) == 2
    assert meta.authors[0] == Author(family="Xu", given="Jun")
    assert meta.work_type == "journal-article"
    assert meta.agency == "Crossref"


def test_parse_print_only_and_year_only_dates() -> None:
    neuro = parse_work(NEURO)
    assert (neuro.year, neuro.month, neuro.years) == (2012, 3, (2012,))
    assert neuro.pages == "588-602"
    esmo = parse_work(ESMO)
    assert (esmo.year, esmo.month) == (2020, None)
    assert esmo.pages == "e000776"
    assert esmo.authors[0] == Author(family="Iwasa", given="Satoru")


def test_parse_online_and_print_years_of_an_old_record() -> None:
    meta = parse_work(NNANO)
    assert meta.year == 2014
    assert meta.years == (2014, 2015)
    assert meta.authors[1] == Author(family="Reiss", given="Günter")


def test_publisher_correction_is_an_update() -> None:
    (update,) = parse_work(PONE).updates
    assert update.kind is UpdateKind.CORRECTION
    assert update.notice_id == "10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda"
    assert update.asserted_by == "publisher"
    assert update.date == "2012-05-08"
    assert update.label == "Correction"


def test_list_record_updates_and_self_referencing_new_version() -> None:
    items = {i["DOI"]: i for i in PREFIX_LIST["message"]["items"]}
    pbio = parse_work(items["10.1371/journal.pbio.0050002"])
    assert [(u.kind, u.notice_id) for u in pbio.updates] == [
        (UpdateKind.CORRECTION, "10.1371/journal.pbio.0060304")
    ]
    ppat = parse_work(items["10.1371/journal.ppat.1006930"])
    # update-to and updated-by both point at the work itself: one informational update,
    # and the record is not a notice about another work.
    assert [(u.kind, u.notice_id) for u in ppat.updates] == [
        (UpdateKind.OTHER, "10.1371/journal.ppat.1006930")
    ]
    assert ppat.publication_types == ()


def test_every_recorded_list_item_parses() -> None:
    for item in PREFIX_LIST["message"]["items"]:
        meta = parse_work(item)
        assert meta.doi and meta.title and meta.year


def test_retraction_from_publisher_and_retraction_watch_is_one_update() -> None:
    # SYNTHETIC record; entry shapes as in api-notes §1.4 (pp-S2 live probe of Wakefield).
    record = dict(NEURO)
    record["updated-by"] = [
        {
            "DOI": "10.1016/S0140-6736(10)60175-4",
            "type": "retraction",
            "label": "Retraction",
            "source": "publisher",
            "updated": {"date-parts": [[2010, 2, 6]]},
        },
        {
            "DOI": "10.1016/s0140-6736(10)60175-4",
            "type": "retraction",
            "label": "Retraction",
            "source": "retraction-watch",
            "updated": {"date-time": "2010-02-06T00:00:00Z"},
            "record-id": "4036",
        },
        {
            "DOI": "10.1016/s0140-6736(04)15715-2",
            "type": "correction",
            "source": "retraction-watch",
            "updated": {"date-parts": [[2004, 3, 6]]},
        },
    ]
    updates = parse_work(record).updates
    assert [(u.kind, u.notice_id, u.asserted_by) for u in updates] == [
        (UpdateKind.RETRACTION, "10.1016/s0140-6736(10)60175-4", "publisher, retraction-watch"),
        (UpdateKind.CORRECTION, "10.1016/s0140-6736(04)15715-2", "retraction-watch"),
    ]
    assert updates[0].date == "2010-02-06"


def test_a_notice_record_is_marked_as_such() -> None:
    # SYNTHETIC: a retraction notice carries update-to pointing at the retracted work.
    record = dict(NEURO)
    record["update-to"] = [
        {"DOI": "10.1000/retracted-work", "type": "retraction", "source": "publisher"}
    ]
    meta = parse_work(record)
    assert meta.publication_types == ("notice:retraction",)
    assert meta.updates == ()


def test_in_place_retraction_counts_as_an_update() -> None:
    # SYNTHETIC: the retraction registered on the work's own DOI.
    record = dict(NEURO)
    record["update-to"] = [{"DOI": record["DOI"], "type": "retraction"}]
    assert [u.kind for u in parse_work(record).updates] == [UpdateKind.RETRACTION]


@pytest.mark.parametrize(
    ("crossref_type", "kind"),
    [
        ("retraction", UpdateKind.RETRACTION),
        ("withdrawal", UpdateKind.WITHDRAWAL),
        ("removal", UpdateKind.REMOVAL),
        ("expression_of_concern", UpdateKind.EXPRESSION_OF_CONCERN),
        ("expression-of-concern", UpdateKind.EXPRESSION_OF_CONCERN),
        ("correction", UpdateKind.CORRECTION),
        ("erratum", UpdateKind.CORRECTION),
        ("new_version", UpdateKind.OTHER),
        ("addendum", UpdateKind.OTHER),
        (None, UpdateKind.OTHER),
    ],
)
def test_update_kinds(crossref_type: str | None, kind: UpdateKind) -> None:
    assert update_kind(crossref_type) is kind


def test_organisation_author_and_odd_values() -> None:
    # SYNTHETIC record with the oddities Crossref is known to emit.
    meta = parse_work(
        {
            "DOI": "10.5555/X",
            "title": ["", "  Second   title "],
            "subtitle": [""],
            "author": [{"name": "WHO Consortium", "sequence": "first"}, {"family": "Ng"}],
            "issued": {"date-parts": [[None]]},
            "published-online": {"date-parts": [["2019", "13"]]},
            "ISSN": "1234-5678",
            "page": 12,
        }
    )
    assert meta.doi == "10.5555/x"
    assert meta.title == "Second title"
    assert meta.authors == (Author(literal="WHO Consortium"), Author(family="Ng"))
    assert (meta.year, meta.month, meta.years) == (2019, None, (2019,))
    assert meta.issn == ("1234-5678",)
    assert meta.pages == "12"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "DOI",
                    "title",
                    "author",
                    "issued",
                    "updated-by",
                    "update-to",
                    "date-parts",
                    "ISSN",
                    "page",
                    "type",
                    "family",
                    "name",
                    "published-print",
                    "container-title",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=200)
@given(st.dictionaries(st.sampled_from(list(JCLINPATH)), json_values, max_size=12))
def test_parse_work_never_raises_on_hostile_shapes(item: dict[str, Any]) -> None:
    parse_work(item)


# ------------------------------------------------------------------------------ routes


def test_doi_path_encoding() -> None:
    sici = "10.1890/0012-9615(1999)069[0569:edilsa]2.0.co;2"
    assert encode_doi_path(sici) == "10.1890/0012-9615%281999%29069%5B0569%3Aedilsa%5D2.0.co%3B2"
    assert encode_doi_path("10.1000/a/../b") == "10.1000/a/%2E%2E/b"


async def test_single_doi_uses_the_work_route_with_encoded_path() -> None:
    fake = FakeCrossref()
    result = await service(fake).fetch(["10.1136/JCLINPATH-2020-206745"])
    evidence = result["10.1136/JCLINPATH-2020-206745"]
    assert isinstance(evidence, Found)
    assert evidence.identifier == "10.1136/jclinpath-2020-206745"
    assert evidence.metadata.volume == "74"
    (request,) = fake.requests
    assert request.url.raw_path == b"/works/10.1136/jclinpath-2020-206745"
    assert request.headers["accept"] == "application/json"


async def test_sici_doi_is_sent_percent_encoded() -> None:
    fake = FakeCrossref()
    await service(fake).fetch(["10.1890/0012-9615(1999)069[0569:EDILSA]2.0.CO;2"])
    (request,) = fake.requests
    assert request.url.raw_path.startswith(b"/works/10.1890/0012-9615%281999%29069%5B0569%3A")


@pytest.mark.parametrize(
    "fixture", ["works_404_10.1371_notarealdoi.txt", "works_404_blblbl_2022.txt"]
)
async def test_404_is_not_found_and_never_parsed(fixture: str) -> None:
    fake = FakeCrossref()
    # The 2022 404 is labelled JSON but is plain text: it must not be JSON-parsed.
    fake.override = lambda r: httpx.Response(
        404, content=body(fixture), headers={"content-type": "application/json;charset=utf-8"}
    )
    evidence = (await service(fake).fetch(["10.1371/notarealdoi"]))["10.1371/notarealdoi"]
    assert evidence == NotFound(
        Source.CROSSREF, "10.1371/notarealdoi", "not registered with Crossref (HTTP 404)"
    )


async def test_400_validation_failure_is_unavailable() -> None:
    fake = FakeCrossref()
    fake.override = lambda r: httpx.Response(400, content=body("works_400_validation_failure.json"))
    evidence = await service(fake).fetch(["10.1136/jclinpath-2020-206745"])
    assert evidence["10.1136/jclinpath-2020-206745"] == Unavailable(
        Source.CROSSREF, "10.1136/jclinpath-2020-206745", "unexpected HTTP 400 from Crossref"
    )
    assert len(fake.requests) == 1  # 400 is never retried


async def test_batch_matches_unordered_items_by_lowercased_doi() -> None:
    fake = FakeCrossref()
    dois = [
        "10.1136/JCLINPATH-2020-206745",
        "10.1371/journal.pone.0033693",
        "10.1038/nnano.2014.279",
    ]
    result = await service(fake).fetch(dois)
    assert len(fake.requests) == 1
    (request,) = fake.list_requests
    assert request.url.params["rows"] == "3"
    assert request.url.params["filter"] == (
        "doi:10.1136/jclinpath-2020-206745,doi:10.1371/journal.pone.0033693,"
        "doi:10.1038/nnano.2014.279"
    )
    for doi in dois:
        evidence = result[doi]
        assert isinstance(evidence, Found)
        assert evidence.metadata.doi == doi.lower()


async def test_doi_missing_from_a_batch_is_confirmed_on_the_single_route() -> None:
    fake = FakeCrossref()
    dois = ["10.1136/jclinpath-2020-206745", "10.1371/notarealdoi", "10.1038/nnano.2014.279"]
    result = await service(fake).fetch(dois)
    assert isinstance(result["10.1136/jclinpath-2020-206745"], Found)
    assert isinstance(result["10.1371/notarealdoi"], NotFound)
    assert len(fake.list_requests) == 1
    assert [r.url.raw_path for r in fake.single_requests] == [b"/works/10.1371/notarealdoi"]


async def test_missing_from_batch_without_confirmation() -> None:
    fake = FakeCrossref()
    result = await service(fake, confirm_missing=False).fetch(
        ["10.1136/jclinpath-2020-206745", "10.1371/notarealdoi"]
    )
    assert isinstance(result["10.1371/notarealdoi"], NotFound)
    assert len(fake.requests) == 1


@pytest.mark.parametrize("count", [2, 50, 51, 120, 260])
async def test_batches_hold_at_most_50_dois(count: int) -> None:
    dois = [f"10.5555/test-{i}" for i in range(count)]
    records = {d: {"DOI": d, "title": [f"T{d}"]} for d in dois}  # SYNTHETIC records
    fake = FakeCrossref(records)
    result = await service(fake).fetch(dois)
    # A chunk of one DOI goes to the single-work route (the more generous limit).
    assert len(fake.requests) == math.ceil(count / 50)
    assert all(len(r.url.params["filter"].split(",")) <= 50 for r in fake.list_requests)
    assert all(isinstance(result[d], Found) for d in dois)


async def test_url_length_bound_splits_batches() -> None:
    dois = [f"10.5555/{'x' * 150}-{i}" for i in range(30)]
    fake = FakeCrossref({d: {"DOI": d} for d in dois})
    await service(fake, max_url_length=2000).fetch(dois)
    assert len(fake.list_requests) > 1
    assert all(len(str(r.url)) <= 2100 for r in fake.list_requests)


async def test_doi_with_a_comma_is_asked_alone() -> None:
    fake = FakeCrossref(
        {
            "10.5555/a,b": {"DOI": "10.5555/a,b", "title": ["A"]},
            "10.5555/c": {"DOI": "10.5555/c", "title": ["C"]},
        }
    )
    result = await service(fake).fetch(["10.5555/a,b", "10.5555/c"])
    assert [r.url.raw_path for r in fake.single_requests] == [
        b"/works/10.5555/a%2Cb",
        b"/works/10.5555/c",
    ]
    assert all(isinstance(e, Found) for e in result.values())


async def test_not_a_doi_is_not_looked_up() -> None:
    fake = FakeCrossref()
    result = await service(fake).fetch(["hello world"])
    assert isinstance(result["hello world"], NotFound)
    assert fake.requests == []


# ------------------------------------------------------------------ garbage and failure

GARBAGE = {
    "html": (200, b"<!DOCTYPE html><html><body>Gateway</body></html>", "HTML instead of JSON"),
    "truncated": (
        200,
        body("works_10.1371_journal.pone.0033693.public-pool.json")[:5000],
        "invalid JSON",
    ),
    "wrong shape": (
        200,
        b'{"status": "ok", "message": ["not", "a", "record"]}',
        "unexpected response shape",
    ),
    "empty": (200, b"", "empty response"),
    "not ok": (200, b'{"status": "failed", "message": {}}', "unexpected response shape"),
    "json list": (200, b"[1, 2, 3]", "unexpected response shape"),
}


@pytest.mark.parametrize("case", sorted(GARBAGE))
@pytest.mark.parametrize(
    "dois",
    [
        ["10.1136/jclinpath-2020-206745"],
        ["10.1136/jclinpath-2020-206745", "10.1038/nnano.2014.279"],
    ],
)
async def test_garbage_is_unavailable(case: str, dois: list[str]) -> None:
    status, content, reason = GARBAGE[case]
    fake = FakeCrossref()
    fake.override = lambda r: httpx.Response(status, content=content)
    result = await service(fake).fetch(dois)
    for doi in dois:
        evidence = result[doi]
        assert isinstance(evidence, Unavailable)
        assert reason in evidence.reason


async def test_huge_body_is_unavailable() -> None:
    fake = FakeCrossref()
    fake.override = lambda r: httpx.Response(200, content=b"[" + b"1," * 600_000 + b"1]")
    svc = service(fake)
    svc._http.max_body_bytes = 1_000_000
    evidence = (await svc.fetch(["10.1136/jclinpath-2020-206745"]))["10.1136/jclinpath-2020-206745"]
    assert isinstance(evidence, Unavailable)
    assert "too large" in evidence.reason


async def test_503_storm_makes_the_batch_unavailable() -> None:
    fake = FakeCrossref()
    fake.override = lambda r: httpx.Response(503, headers={"Retry-After": "1"})
    result = await service(fake, policy=RetryPolicy(max_attempts=3)).fetch(
        ["10.1136/jclinpath-2020-206745", "10.1038/nnano.2014.279"]
    )
    assert set(result.values()) == {
        Unavailable(Source.CROSSREF, d, "HTTP 503 after 3 attempts") for d in result
    }
    assert len(fake.requests) == 3


async def test_limits_are_learned_per_route_kind() -> None:
    fake = FakeCrossref()
    svc = service(fake)
    await svc.fetch(["10.1136/jclinpath-2020-206745"])
    assert svc._single.rate == 10.0 and svc._single.concurrency == 3
    assert svc._list.rate == 1000.0  # untouched by a single-route answer
    await svc.fetch(["10.1038/nnano.2014.279", "10.1371/journal.pone.0033693"])
    assert svc._list.rate == 10.0


# ------------------------------------------------------------------------------ caching


async def test_answers_are_cached_and_unavailable_is_not(tmp_path: Path) -> None:
    fake = FakeCrossref()
    failing = {"on": True}
    fake.override = lambda r: (
        httpx.Response(503) if failing["on"] and "nnano" in str(r.url) else None
    )
    dois = ["10.1136/jclinpath-2020-206745", "10.1371/notarealdoi", "10.1038/nnano.2014.279"]
    with EvidenceCache(tmp_path / CACHE_FILENAME) as cache:
        svc = service(fake, cache=cache, policy=RetryPolicy(max_attempts=1))
        first = await svc.fetch(dois[:2])
        first.update(await svc.fetch(dois[2:]))
        assert isinstance(first["10.1038/nnano.2014.279"], Unavailable)
        before = len(fake.requests)
        failing["on"] = False
        second = await svc.fetch(dois)
    after = fake.requests[before:]
    assert [urllib.parse.unquote(r.url.raw_path.decode()) for r in after] == [
        "/works/10.1038/nnano.2014.279"
    ]
    assert second["10.1136/jclinpath-2020-206745"] == first["10.1136/jclinpath-2020-206745"]
    assert isinstance(second["10.1371/notarealdoi"], NotFound)
    assert isinstance(second["10.1038/nnano.2014.279"], Found)


async def test_offline_answers_from_cache_only(tmp_path: Path) -> None:
    fake = FakeCrossref()
    with EvidenceCache(tmp_path / CACHE_FILENAME) as cache:
        await service(fake, cache=cache).fetch(["10.1136/jclinpath-2020-206745"])
    fake.requests.clear()
    with EvidenceCache(tmp_path / CACHE_FILENAME, mode=CacheMode.OFFLINE) as offline:
        result = await service(fake, cache=offline).fetch(
            ["10.1136/jclinpath-2020-206745", "10.1038/nnano.2014.279"]
        )
    assert fake.requests == []
    assert isinstance(result["10.1136/jclinpath-2020-206745"], Found)
    assert result["10.1038/nnano.2014.279"] == Unavailable(
        Source.CROSSREF, "10.1038/nnano.2014.279", "offline: not in cache"
    )
