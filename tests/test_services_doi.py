"""doi.org service: handle API verdicts, registration agencies, content negotiation.

Recorded / documented bodies from ``tests/fixtures/real/doi-org``; answers for other DOIs
are SYNTHETIC in the documented shapes (api-notes §3: ``{"responseCode":100,…}`` 404 for a
missing handle has no recording).
"""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citetrack.model import Author, Found, NotFound, Source, Unavailable
from citetrack.net import Http, RateLimiter, RateSpec, RequestStats, RetryPolicy
from citetrack.registries.doi import CSL_JSON, DoiOrgService, encode_handle_path, parse_csl

FIXTURES = Path(__file__).parent / "fixtures" / "real" / "doi-org"
HANDLE_DOC = (FIXTURES / "doc-examples/handles_api_10.1000_1.json").read_bytes()
NOT_FOUND_PAGE = (FIXTURES / "cn_404_doi_not_found_10.1126_foo.html").read_bytes()
CITEPROC = json.loads(
    (FIXTURES / "crossref_transform_citeproc_json_10.1126_science.169.3946.635.json").read_bytes()
)
DATACITE_DOI = "10.5284/1011335"
# SYNTHETIC DataCite-style CSL (DataCite CSL: upper-case DOI, no container: api-notes §3.2).
DATACITE_CSL = {
    "type": "dataset",
    "id": "https://doi.org/10.5284/1011335",
    "DOI": "10.5284/1011335",
    "title": "Excavations at <i>Example</i> Site",
    "author": [{"family": "Smith", "given": "Ann"}, {"literal": "Example Archaeology Ltd"}],
    "issued": {"date-parts": [["2011"]]},
    "publisher": "Archaeology Data Service",
}


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


class FakeDoiOrg:
    def __init__(self) -> None:
        self.registered = {
            "10.1000/1": "DOI",
            DATACITE_DOI: "DataCite",
            "10.1126/science.169.3946.635": "Crossref",
        }
        self.csl: dict[str, dict[str, Any]] = {DATACITE_DOI: DATACITE_CSL}
        self.redirect_elsewhere: set[str] = set()
        self.requests: list[httpx.Request] = []
        self.handle_answer: httpx.Response | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        host, raw = request.url.host, request.url.raw_path.decode().split("?")[0]
        if host == "data.crosscite.org":
            doi = urllib.parse.unquote(raw[1:]).lower()
            return httpx.Response(200, json=self.csl[doi], headers={"content-type": CSL_JSON})
        if host != "doi.test":
            return httpx.Response(200, text="<html>publisher landing page</html>")
        if raw.startswith("/api/handles/"):
            if self.handle_answer is not None:
                return self.handle_answer
            doi = urllib.parse.unquote(raw.removeprefix("/api/handles/")).lower()
            if doi == "10.1000/1":
                return httpx.Response(200, content=HANDLE_DOC)
            if doi in self.registered:
                return httpx.Response(
                    200, json={"responseCode": 1, "handle": doi.upper(), "values": []}
                )
            return httpx.Response(404, json={"responseCode": 100, "handle": doi})
        if raw.startswith("/doiRA/"):
            entries = []
            for part in raw.removeprefix("/doiRA/").split(","):
                doi = urllib.parse.unquote(part)
                agency = self.registered.get(doi.lower())
                entries.append(
                    {"DOI": doi, "RA": agency}
                    if agency
                    else {"DOI": doi, "status": "DOI does not exist"}
                )
            return httpx.Response(200, json=entries)
        doi = urllib.parse.unquote(raw[1:]).lower()
        if doi in self.redirect_elsewhere:
            return httpx.Response(302, headers={"Location": "https://publisher.example/article/1"})
        if doi in self.csl:
            target = "https://data.crosscite.org/" + urllib.parse.quote(doi, safe="")
            return httpx.Response(302, headers={"Location": target})
        return httpx.Response(404, content=NOT_FOUND_PAGE, headers={"content-type": "text/html"})

    def paths(self, prefix: str) -> list[str]:
        paths = [
            r.url.raw_path.decode().split("?")[0] for r in self.requests if r.url.host == "doi.test"
        ]
        return [p for p in paths if p.startswith(prefix)]


def service(fake: FakeDoiOrg, **kw: Any) -> DoiOrgService:
    time = FakeTime()
    client = httpx.AsyncClient(transport=httpx.MockTransport(fake))
    http = Http(client, policy=RetryPolicy(max_attempts=2), stats=RequestStats(), sleep=time.sleep)
    limiter = RateLimiter("doi.org", RateSpec(100.0, 4), clock=time.clock, sleep=time.sleep)
    return DoiOrgService(http, base_url="https://doi.test", limiter=limiter, **kw)


async def test_registered_doi_from_the_documented_answer() -> None:
    fake = FakeDoiOrg()
    evidence = (await service(fake).fetch(["10.1000/1"]))["10.1000/1"]
    assert isinstance(evidence, Found)
    assert evidence.metadata.doi == "10.1000/1"
    assert evidence.metadata.agency == "DOI"
    assert fake.paths("/api/handles/") == ["/api/handles/10.1000/1"]  # "/" kept literal


async def test_unregistered_doi_is_not_found() -> None:
    fake = FakeDoiOrg()
    evidence = (await service(fake).fetch(["10.1126/foo"]))["10.1126/foo"]
    assert evidence == NotFound(
        Source.DOI_ORG, "10.1126/foo", "DOI not registered (doi.org handle API)"
    )


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (
            httpx.Response(404, content=NOT_FOUND_PAGE),
            "unexpected HTTP 404 from doi.org, not a handle answer",
        ),
        (
            httpx.Response(404, json={"responseCode": 2}),
            "unexpected HTTP 404 from doi.org, responseCode 2",
        ),
        (
            httpx.Response(200, content=b"<html>captcha</html>"),
            "unexpected HTTP 200 from doi.org, not a handle answer",
        ),
        (httpx.Response(403, content=b"Forbidden"), "unexpected HTTP 403 from doi.org"),
        (httpx.Response(500, json={"responseCode": 2}), "HTTP 500 after 2 attempts"),
    ],
)
async def test_anything_else_is_unavailable(answer: httpx.Response, reason: str) -> None:
    fake = FakeDoiOrg()
    fake.handle_answer = answer
    evidence = (await service(fake).fetch(["10.1126/foo"]))["10.1126/foo"]
    assert isinstance(evidence, Unavailable)
    assert evidence.reason.startswith(reason)


async def test_agencies_are_asked_in_batches() -> None:
    fake = FakeDoiOrg()
    dois = [f"10.9999/missing-{i}" for i in range(23)] + [DATACITE_DOI]
    agencies = await service(fake).agencies(dois)
    assert len(fake.paths("/doiRA/")) == 2
    assert agencies[DATACITE_DOI] == "DataCite"
    assert agencies["10.9999/missing-0"] is None


async def test_datacite_doi_gets_metadata_by_content_negotiation() -> None:
    fake = FakeDoiOrg()
    evidence = (await service(fake).fetch([DATACITE_DOI]))[DATACITE_DOI]
    assert isinstance(evidence, Found)
    meta = evidence.metadata
    assert meta.source is Source.DOI_ORG
    assert meta.agency == "DataCite"
    assert meta.title == "Excavations at Example Site"
    assert meta.authors == (Author("Smith", "Ann"), Author(literal="Example Archaeology Ltd"))
    assert meta.year == 2011
    assert meta.work_type == "dataset"
    cn = [r for r in fake.requests if r.headers.get("accept") == CSL_JSON]
    assert [r.url.host for r in cn] == ["doi.test", "data.crosscite.org"]


async def test_crossref_dois_skip_content_negotiation() -> None:
    fake = FakeDoiOrg()
    await service(fake).fetch(["10.1126/science.169.3946.635"])
    assert not any(r.headers.get("accept") == CSL_JSON for r in fake.requests)


async def test_redirect_to_a_landing_page_is_not_followed() -> None:
    fake = FakeDoiOrg()
    fake.redirect_elsewhere.add("10.1000/1")
    evidence = (await service(fake).fetch(["10.1000/1"]))["10.1000/1"]
    assert isinstance(evidence, Found)  # registered; just no CSL
    assert evidence.metadata.title is None
    assert all(r.url.host != "publisher.example" for r in fake.requests)


async def test_content_negotiation_can_be_switched_off() -> None:
    fake = FakeDoiOrg()
    await service(fake, content_negotiation=False).fetch([DATACITE_DOI])
    assert not any(r.headers.get("accept") == CSL_JSON for r in fake.requests)


def test_parse_crossref_csl_recorded() -> None:
    meta = parse_csl(CITEPROC, doi="10.1126/science.169.3946.635", agency="Crossref")
    assert meta.title == "The Structure of Ordinary Water"
    assert meta.authors == (Author("Frank", "Henry S."),)
    assert (meta.year, meta.month) == (1970, 8)
    assert meta.container == "Science"
    assert (meta.volume, meta.issue, meta.pages) == ("169", "3946", "635-641")
    assert meta.issn == ("0036-8075", "1095-9203")


def test_handle_path_encoding() -> None:
    assert encode_handle_path("10.1000/a/b") == "10.1000/a/b"
    assert encode_handle_path("10.1002/(SICI)1#2 x") == "10.1002/(SICI)1%232%20x"


async def test_agencies_are_keyed_by_normalised_doi() -> None:
    agencies = await service(FakeDoiOrg()).agencies(["https://doi.org/10.5284/1011335"])
    assert agencies == {DATACITE_DOI: "DataCite"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["date-parts", "raw", "family", "given", "literal", "name"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=150)
@given(st.dictionaries(st.sampled_from(sorted(CITEPROC)), json_values, max_size=12))
def test_parse_csl_never_raises_on_hostile_shapes(data: dict[str, Any]) -> None:
    parse_csl(data, doi="10.1/x", agency=None)
