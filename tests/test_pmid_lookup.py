"""DOI → PubMed record through one batched ESearch (real DocSum shape, mock transport)."""

from __future__ import annotations

import asyncio
import urllib.parse
from typing import Any

import httpx

from citetrack.model import (
    Found,
    Identifiers,
    NotFound,
    Reference,
    Source,
    Unavailable,
    WorkMetadata,
)
from citetrack.net import Http, RateLimiter, RateSpec, RequestStats, RetryPolicy
from citetrack.registries.books_search import suspect_dois
from citetrack.registries.pmid_lookup import PmidLookup
from citetrack.registries.pubmed import PubMedService
from citetrack.tracking.cache import EvidenceCache
from citetrack.tracking.codec import StoredFound, evidence_text, peek_text, text_digest
from tests.test_services_pubmed import DOCSUM, FakeEutils, FakeTime

BASE = "https://eutils.test/entrez/eutils"
DOI = next(a["value"] for a in DOCSUM["articleids"] if a["idtype"] == "doi")


class Eutils(FakeEutils):
    """esummary from the recorded DocSum; esearch maps ``"<doi>"[doi]`` terms to PMIDs."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("esearch.fcgi"):
            self.requests.append(request)
            if self.answers:
                return self.answers.pop(0)
            term = dict(urllib.parse.parse_qsl(request.content.decode()))["term"]
            ids = ["28806736"] if f'"{DOI.lower()}"[doi]' in term.lower() else []
            body: dict[str, Any] = {"esearchresult": {"count": str(len(ids)), "idlist": ids}}
            return httpx.Response(200, json=body)
        return super().__call__(request)


def lookup(fake: Eutils, cache: EvidenceCache | None = None) -> PmidLookup:
    time = FakeTime()
    client = httpx.AsyncClient(transport=httpx.MockTransport(fake))
    http = Http(client, policy=RetryPolicy(max_attempts=2), stats=RequestStats(), sleep=time.sleep)
    limiter = RateLimiter("ncbi", RateSpec(3.0, 3), clock=time.clock, sleep=time.sleep)
    pubmed = PubMedService(http, base_url=BASE, limiter=limiter, cache=cache)
    return PmidLookup(http, pubmed, base_url=BASE, limiter=limiter, cache=cache, batch_size=2)


def test_indexed_doi_gets_its_pubmed_record_keyed_by_the_doi() -> None:
    fake = Eutils()
    found = asyncio.run(lookup(fake).find([DOI.upper(), "10.1000/not-indexed", "10.1000/other"]))
    assert set(found) == {DOI.upper()}
    evidence = found[DOI.upper()]
    assert isinstance(evidence, Found) and evidence.source is Source.PUBMED
    assert evidence.identifier == DOI.upper()  # looked up by the citation's DOI
    assert evidence.metadata.pmid == "28806736"
    searches = [r for r in fake.requests if r.url.path.endswith("esearch.fcgi")]
    assert len(searches) == 2  # three DOIs, two per request
    assert all(r.method == "POST" for r in searches)


def test_search_failure_is_unavailable_and_raises_nothing() -> None:
    # No record and no verdict, but not absent either: the rules must say that the
    # missing-PMID check could not be made (absent reads as "PubMed does not index it").
    fake = Eutils()
    fake.answers = [httpx.Response(503), httpx.Response(503)]
    found = asyncio.run(lookup(fake).find([DOI]))
    assert list(found) == [DOI]
    assert isinstance(found[DOI], Unavailable) and found[DOI].source is Source.PUBMED
    assert "503" in found[DOI].reason


def test_answers_are_cached_so_a_second_run_asks_nothing(tmp_path: Any) -> None:
    fake = Eutils()
    with EvidenceCache(tmp_path / "c.sqlite") as cache:
        first = asyncio.run(lookup(fake, cache).find([DOI, "10.1000/not-indexed"]))
        asked = len(fake.requests)
        second = asyncio.run(lookup(fake, cache).find([DOI, "10.1000/not-indexed"]))
    assert asked >= 2
    assert len(fake.requests) == asked  # the unindexed DOI's "no" is cached too
    assert first.keys() == second.keys() == {DOI}


def test_suspect_dois_are_those_whose_pubmed_record_names_another_doi() -> None:
    """The PMID-DOI conflict's candidates, plain and cached (undecoded) records alike: a
    record naming the cited DOI in other case or as a doi.org URL is no conflict."""

    def ref(key: str, doi: str, pmid: str) -> Reference:
        return Reference(key, "article", {}, Identifiers(doi=doi, pmid=pmid))

    def found(pmid: str, doi: str | None, *, stored: bool) -> Found:
        record = Found(Source.PUBMED, pmid, WorkMetadata(Source.PUBMED, doi=doi, pmid=pmid))
        if not stored:
            return record
        text = evidence_text(record)
        return StoredFound(Source.PUBMED, pmid, text, text_digest(text), peek_text(record))

    for stored in (False, True):
        refs = [
            ref("same", "10.5555/abc", "1"),
            ref("case", "10.5555/abc.def", "2"),
            ref("url", "10.5555/xyz", "3"),
            ref("other", "10.5555/mine", "4"),
            ref("none", "10.5555/nodoi", "5"),
            ref("absent", "10.5555/absent", "6"),
        ]
        pubmed = {
            "1": found("1", "10.5555/abc", stored=stored),
            "2": found("2", "10.5555/ABC.Def", stored=stored),
            "3": found("3", "https://doi.org/10.5555/XYZ", stored=stored),
            "4": found("4", "10.5555/theirs", stored=stored),
            "5": found("5", None, stored=stored),
            "6": NotFound(Source.PUBMED, "6", "not in PubMed"),
        }
        assert suspect_dois(refs, pubmed) == ["10.5555/mine"]
