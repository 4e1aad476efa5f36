"""PubMed esummary service: real recorded DocSums, batching with POST, errors, notices."""

from __future__ import annotations

import asyncio
import copy
import json
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citetrack.model import Author, Found, NotFound, Source, Unavailable, UpdateKind
from citetrack.net import Http, RateLimiter, RateSpec, RequestStats, RetryPolicy
from citetrack.registries.pubmed import (
    PubMedService,
    clean_title,
    parse_pubmed_date,
    parse_summary,
    split_author_name,
)

FIXTURES = Path(__file__).parent / "fixtures" / "real" / "pubmed"
BASE = "https://eutils.test/entrez/eutils"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_bytes())
    return data


RECORDED = load("esummary_json_pmid_28806736.json")
DOCSUM = RECORDED["result"]["28806736"]
NEJM = load("transcribed/esummary_json_pmid_15509818_references_erratum.json")["result"]["15509818"]


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


class FakeEutils:
    """esummary from a table of DocSums; unknown PMIDs get NCBI's per-uid error."""

    def __init__(self, docsums: dict[str, dict[str, Any]] | None = None) -> None:
        self.docsums = docsums if docsums is not None else {"28806736": DOCSUM}
        self.requests: list[httpx.Request] = []
        self.answers: list[httpx.Response] = []  # canned answers served first

    def params(self, request: httpx.Request) -> dict[str, str]:
        if request.method == "POST":
            return dict(urllib.parse.parse_qsl(request.content.decode()))
        return dict(request.url.params)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.answers:
            return self.answers.pop(0)
        ids = self.params(request)["id"].split(",")
        result: dict[str, Any] = {"uids": ids}
        for uid in ids:
            result[uid] = self.docsums.get(
                uid, {"uid": uid, "error": "cannot get document summary"}
            )
        envelope = {"header": {"type": "esummary", "version": "0.3"}, "result": result}
        return httpx.Response(200, json=envelope, headers={"X-RateLimit-Limit": "3"})


def service(fake: FakeEutils, *, api_key: str | None = None, **kw: Any) -> PubMedService:
    time = FakeTime()
    client = httpx.AsyncClient(transport=httpx.MockTransport(fake))
    http = Http(client, policy=RetryPolicy(max_attempts=3), stats=RequestStats(), sleep=time.sleep)
    limiter = RateLimiter(
        "ncbi", RateSpec(3.0, 3), max_rate=3.0, clock=time.clock, sleep=time.sleep
    )
    return PubMedService(
        http,
        base_url=BASE,
        limiter=limiter,
        email="librarian@example.org",
        api_key=api_key,
        **kw,
    )


# ------------------------------------------------------------------------------ parsing


def test_parse_recorded_docsum() -> None:
    meta = parse_summary(DOCSUM, "28806736")
    assert meta.source is Source.PUBMED
    assert meta.pmid == "28806736"
    assert meta.title == (
        "Unravelling the interplay of sphingolipids and TGF-β signaling in the human corneal stroma"
    )
    assert meta.authors[0] == Author(family="Nicholas", given="SE")
    assert len(meta.authors) == 5
    assert (meta.year, meta.month, meta.years) == (2017, None, (2017,))
    assert meta.container == "PloS one"
    assert meta.container_short == "PLoS One"
    assert (meta.volume, meta.issue, meta.pages) == ("12", "8", "e0182390")
    assert meta.doi == "10.1371/journal.pone.0182390"
    assert meta.pmcid is None  # "in process" record: no pmc id yet
    assert meta.issn == ("1932-6203",)
    assert meta.publication_types == ("Journal Article",)
    assert meta.updates == ()
    assert meta.work_type == "journal-article"


def test_parse_erratum_link_from_references() -> None:
    meta = parse_summary(NEJM, "15509818")
    assert meta.authors[0] == Author(family="van de Beek", given="D")
    assert (meta.year, meta.month) == (2004, 10)
    assert meta.pages == "1849-59"  # MEDLINE abbreviation kept
    assert meta.issn == ("0028-4793", "1533-4406")
    assert meta.doi == "10.1056/nejmoa040845"
    (update,) = meta.updates  # "Comment in" entries are not notices
    assert update.kind is UpdateKind.CORRECTION
    assert update.notice_id is None  # the recorded pmid is ""
    assert update.label == "Erratum in N Engl J Med. 2005 Mar 3;352(9):950"


def test_retracted_publication() -> None:
    # SYNTHETIC: the recorded DocSum, flagged retracted the way NLM does (api-notes §2.3).
    record = copy.deepcopy(DOCSUM)
    record["pubtype"] = ["Journal Article", "Retracted Publication"]
    record["references"] = [
        {
            "refsource": "PLoS One. 2018;13(1):e0191234",
            "reftype": "Retraction in",
            "pmid": 29300001,
            "note": "",
        }
    ]
    (update,) = parse_summary(record, "28806736").updates
    assert (update.kind, update.notice_id, update.asserted_by) == (
        UpdateKind.RETRACTION,
        "29300001",
        "pubmed",
    )


def test_retracted_pubtype_without_a_link_still_counts() -> None:
    record = copy.deepcopy(DOCSUM)  # SYNTHETIC flag on the recorded DocSum
    record["pubtype"] = ["Retracted Publication"]
    (update,) = parse_summary(record, "28806736").updates
    assert update.kind is UpdateKind.RETRACTION
    assert update.notice_id is None


def test_a_retraction_notice_is_marked_not_retracted() -> None:
    record = copy.deepcopy(DOCSUM)  # SYNTHETIC notice
    record["pubtype"] = ["Retraction of Publication"]
    record["references"] = [{"refsource": "x", "reftype": "Retraction of", "pmid": "1"}]
    meta = parse_summary(record, "28806736")
    assert meta.updates == ()
    assert "notice:retraction" in meta.publication_types


def test_collective_and_odd_authors() -> None:
    record = copy.deepcopy(DOCSUM)  # SYNTHETIC author list
    record["authors"] = [
        {"name": "GBD 2019 Collaborators", "authtype": "CollectiveName", "clusterid": ""},
        {"name": "Aristotle", "authtype": "Author"},
        {"name": "Smith J", "authtype": "Editor"},
        {"name": "", "authtype": "Author"},
        "garbage",
    ]
    assert parse_summary(record, "1").authors == (
        Author(literal="GBD 2019 Collaborators"),
        Author(family="Aristotle"),
    )


@pytest.mark.parametrize(
    ("name", "family", "given"),
    [
        ("Nicholas SE", "Nicholas", "SE"),
        ("van de Beek D", "van de Beek", "D"),
        ("Garcia-Lopez MJ", "Garcia-Lopez", "MJ"),
        ("Plato", "Plato", ""),
        ("de la Cruz", "de la Cruz", ""),
    ],
)
def test_split_author_name(name: str, family: str, given: str) -> None:
    assert split_author_name(name) == Author(family=family, given=given)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017", (2017, None)),
        ("2016 Dec 5", (2016, 12)),
        ("2019 Nov-Dec", (2019, 11)),
        ("2004 Winter", (2004, None)),
        ("2000 Dec-2001 Jan", (2000, 12)),
        ("", (None, None)),
        ("Spring", (None, None)),
    ],
)
def test_pubmed_dates(text: str, expected: tuple[int | None, int | None]) -> None:
    assert parse_pubmed_date(text) == expected


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Necrolytic migratory erythema.", "Necrolytic migratory erythema"),
        ("[Necrolytic migratory erythema].", "Necrolytic migratory erythema"),
        ("Is it [really] so?", "Is it [really] so?"),
        ("<i>In vitro</i> study.", "In vitro study"),
        ("Wait...", "Wait..."),
    ],
)
def test_clean_title(raw: str, clean: str) -> None:
    assert clean_title(raw) == clean


def test_pmcid_from_the_pmc_article_id() -> None:
    record = copy.deepcopy(DOCSUM)  # SYNTHETIC ids, values as in api-notes §2.3
    record["articleids"] += [
        {"idtype": "pmc", "idtypen": 8, "value": "PMC5136554"},
        {"idtype": "pmcid", "idtypen": 5, "value": "pmc-id: PMC5136554;"},
    ]
    assert parse_summary(record, "1").pmcid == "PMC5136554"


# ------------------------------------------------------------------------------ requests


async def test_short_list_is_a_get_with_identification() -> None:
    fake = FakeEutils()
    result = await service(fake).fetch(["28806736", "40482261"])
    (request,) = fake.requests
    assert request.method == "GET"
    assert request.url.path == "/entrez/eutils/esummary.fcgi"
    params = fake.params(request)
    assert params == {
        "db": "pubmed",
        "retmode": "json",
        "tool": "citetrack",
        "email": "librarian@example.org",
        "id": "28806736,40482261",
    }
    assert isinstance(result["28806736"], Found)
    assert result["40482261"] == NotFound(
        Source.PUBMED, "40482261", "PubMed: cannot get document summary"
    )


async def test_api_key_is_sent_when_configured() -> None:
    fake = FakeEutils()
    await service(fake, api_key="abc123").fetch(["28806736"])
    assert fake.params(fake.requests[0])["api_key"] == "abc123"


async def test_450_pmids_take_3_post_requests() -> None:
    pmids = [str(10_000_000 + i) for i in range(450)]
    fake = FakeEutils({p: {**DOCSUM, "uid": p} for p in pmids})
    result = await service(fake, api_key="abc123").fetch(pmids)
    assert len(fake.requests) == 3
    sizes = sorted(len(fake.params(r)["id"].split(",")) for r in fake.requests)
    assert sizes == [50, 200, 200]
    for request in fake.requests:
        assert request.method == "POST"
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        assert "api_key" not in str(request.url)  # the key stays out of the URL
        assert fake.params(request)["api_key"] == "abc123"
    assert all(isinstance(result[p], Found) for p in pmids)
    assert result["10000449"].metadata.pmid == "10000449"  # type: ignore[union-attr]


async def test_recorded_per_uid_error_is_not_found() -> None:
    fake = FakeEutils()
    fake.answers.append(
        httpx.Response(
            200,
            content=(
                FIXTURES
                / "transcribed/esummary_json_per_uid_error_cannot_get_document_summary.json"
            ).read_bytes(),
        )
    )
    result = await service(fake).fetch(["40482261"])
    assert isinstance(result["40482261"], NotFound)


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("transcribed/esummary_json_toplevel_invalid_uid_error.json", "PubMed error: Invalid uid"),
        ("transcribed/esummary_json_empty_id_list.json", "unexpected response shape"),
    ],
)
async def test_batch_level_errors_make_every_pmid_unavailable(fixture: str, reason: str) -> None:
    fake = FakeEutils()
    fake.answers.append(httpx.Response(200, content=(FIXTURES / fixture).read_bytes()))
    result = await service(fake).fetch(["28806736", "40482261"])
    for pmid in ("28806736", "40482261"):
        evidence = result[pmid]
        assert isinstance(evidence, Unavailable)
        assert evidence.reason.startswith(reason)


async def test_recorded_429_is_retried_and_slows_the_limiter() -> None:
    fake = FakeEutils()
    fake.answers.append(
        httpx.Response(
            429,
            content=(FIXTURES / "transcribed/eutils_429_api_rate_limit_exceeded.json").read_bytes(),
        )
    )
    svc = service(fake)
    result = await svc.fetch(["28806736"])
    assert isinstance(result["28806736"], Found)
    assert len(fake.requests) == 2
    assert svc._limiter.rate < 3.0


async def test_pmid_missing_from_the_answer_is_unavailable() -> None:
    fake = FakeEutils()
    envelope = {"header": {}, "result": {"uids": ["28806736"], "28806736": DOCSUM}}
    fake.answers.append(httpx.Response(200, json=envelope))
    result = await service(fake).fetch(["28806736", "12345"])
    assert isinstance(result["28806736"], Found)
    assert isinstance(result["12345"], Unavailable)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, content=b"<html><body>502 Bad Gateway</body></html>"),
        httpx.Response(200, content=b'{"header": {"type": "esummary"}, "result": {"uids": ['),
        httpx.Response(200, json={"result": ["not", "an", "object"]}),
        httpx.Response(200, content=b"<ERROR>Unable to obtain query #1</ERROR>"),
        httpx.Response(404, content=b"Not found"),
    ],
)
async def test_garbage_is_unavailable(answer: httpx.Response) -> None:
    fake = FakeEutils()
    fake.answers.append(answer)
    result = await service(fake).fetch(["28806736"])
    assert isinstance(result["28806736"], Unavailable)


async def test_malformed_and_duplicate_pmids() -> None:
    fake = FakeEutils()
    result = await service(fake).fetch(["PMID: 28806736", "28806736", "abc"])
    assert isinstance(result["PMID: 28806736"], Found)
    assert result["PMID: 28806736"] == result["28806736"]
    assert isinstance(result["abc"], NotFound)
    assert fake.params(fake.requests[0])["id"] == "28806736"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["name", "authtype", "idtype", "value", "reftype", "pmid", "refsource"]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=150)
@given(st.dictionaries(st.sampled_from(sorted(DOCSUM)), json_values, max_size=12))
def test_parse_summary_never_raises_on_hostile_shapes(record: dict[str, Any]) -> None:
    parse_summary(record, "1")
