"""citetrack.pipeline: the pipeline's request counts and its early (overlapped) comparisons.

The registries are an in-process fake (``httpx.MockTransport``) answering in the recorded
shapes with SYNTHETIC records (DOIs under Crossref's test prefix 10.5555, PMIDs from
90,000,000); the paces are set so high that no test waits.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import re
import urllib.parse
from typing import Any

import httpx
import pytest

from citetrack.inputs.bib import loads_bib
from citetrack.model import (
    Evidence,
    Finding,
    Found,
    NotFound,
    Reference,
    Severity,
    Source,
    WorkMetadata,
)
from citetrack.net import NetConfig, RateSpec
from citetrack.pipeline import (
    PROGRESS_CHUNK,
    CheckOptions,
    _Early,
    _EarlyFindings,
    _Evidence,
    check_references,
    findings_for,
)
from citetrack.registries import crossref, idconv, pubmed

FAST = RateSpec(1e6, 3)
NET = NetConfig(
    mailto="test@example.org",
    crossref_url="https://api.crossref.test",
    eutils_url="https://eutils.test/entrez/eutils",
    idconv_url="https://idconv.test/api/",
    doi_url="https://doi.test",
    wayback_url="https://wayback.test",
    crossref_single_rate=FAST,
    crossref_list_rate=FAST,
    ncbi_rate=FAST,
    doi_org_rate=FAST,
)


def synthetic_bib(count: int, *, orphan: int | None = None, datacite: int | None = None) -> str:
    """``count`` SYNTHETIC articles with DOI and PMID; ``orphan`` has no PMID, ``datacite``'s
    DOI is unknown to Crossref (registered with another agency)."""
    entries = []
    for i in range(count):
        doi = f"10.5555/datacite.{i}" if i == datacite else f"10.5555/test.{i}"
        pmid = "" if i == orphan else f"  pmid = {{{90_000_000 + i}}},\n"
        entries.append(
            f"@article{{ref{i},\n  title = {{Synthetic work {i}}},\n  author = {{Doe, Jane}},\n"
            f"  journal = {{Journal of Tests}},\n  year = {{2020}},\n"
            f"  doi = {{{doi}}},\n{pmid}}}\n"
        )
    return "\n".join(entries)


def refs_of(text: str) -> list[Reference]:
    return list(loads_bib(text).references)


class FakeRegistries:
    """Crossref, E-utilities and doi.org, answering from the DOIs/PMIDs they are asked."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    @staticmethod
    def work(doi: str) -> dict[str, Any]:
        number = doi.rsplit(".", 1)[-1]
        return {
            "DOI": doi,
            "type": "journal-article",
            "title": [f"Synthetic work {number}"],
            "author": [{"family": "Doe", "given": "Jane"}],
            "container-title": ["Journal of Tests"],
            "issued": {"date-parts": [[2020]]},
        }

    @staticmethod
    def docsum(pmid: str) -> dict[str, Any]:
        number = int(pmid) - 90_000_000
        return {
            "uid": pmid,
            "title": f"Synthetic work {number}.",
            "authors": [{"name": "Doe J", "authtype": "Author"}],
            "fulljournalname": "Journal of Tests",
            "pubdate": "2020",
            "articleids": [{"idtype": "doi", "value": f"10.5555/test.{number}"}],
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = request.url
        if url.host == "api.crossref.test":
            if url.path == "/works":
                dois = re.findall(r"doi:([^,]+)", url.params["filter"])
                items = [self.work(d) for d in dois if "datacite" not in d]
                body = {"status": "ok", "message": {"items": items}}
                return httpx.Response(200, json=body)
            return httpx.Response(404, text="Resource not found.")
        if url.host == "eutils.test":
            form = urllib.parse.parse_qs(request.content.decode()) if request.content else {}
            ids = (form.get("id") or [url.params.get("id", "")])[0]
            if url.path.endswith("esearch.fcgi"):
                return httpx.Response(200, json={"esearchresult": {"idlist": []}})
            pmids = [i for i in ids.split(",") if i]
            result: dict[str, Any] = {"uids": pmids}
            result.update({p: self.docsum(p) for p in pmids})
            return httpx.Response(200, json={"result": result})
        if url.host == "doi.test":
            if url.path.startswith("/doiRA/"):
                dois = urllib.parse.unquote(url.path[len("/doiRA/") :]).split(",")
                return httpx.Response(200, json=[{"DOI": d, "RA": "DataCite"} for d in dois])
            if url.path.startswith("/api/handles/"):
                return httpx.Response(200, json={"responseCode": 1})
            return httpx.Response(404)
        return httpx.Response(404)

    def count(self, host: str) -> int:
        return sum(1 for r in self.requests if r.url.host == host)


def options() -> CheckOptions:
    return CheckOptions(links=False, net=NET)


def test_progress_chunks_are_whole_batches_of_every_registry() -> None:
    # A chunk that is not a multiple of a batch size would split a batch in two requests.
    for batch in (crossref.MAX_BATCH, pubmed.MAX_BATCH, idconv.MAX_BATCH):
        assert PROGRESS_CHUNK % batch == 0


async def test_progress_chunks_add_no_requests() -> None:
    count = 2 * PROGRESS_CHUNK + 50  # three chunks, the last one partial
    fake = FakeRegistries()
    result = await check_references(
        refs_of(synthetic_bib(count)), options(), transport=httpx.MockTransport(fake)
    )
    assert fake.count("api.crossref.test") == math.ceil(count / crossref.MAX_BATCH)
    assert fake.count("eutils.test") == math.ceil(count / pubmed.MAX_BATCH)
    assert result.requests == {
        "crossref": math.ceil(count / crossref.MAX_BATCH),
        "pubmed": math.ceil(count / pubmed.MAX_BATCH),
    }
    assert all(r.status.value == "ok" for r in result.results)


def _evidence_of(results: Any) -> _Evidence:
    """The evidence a run used, put back where :func:`findings_for` looks for it."""
    evidence = _Evidence()
    for rr in results:
        for e in rr.evidence:
            if e.source is Source.CROSSREF:
                evidence.crossref[e.identifier] = e
            elif e.source is Source.DOI_ORG:
                evidence.doi_org[e.identifier] = e
            elif e.source is Source.PUBMED and e.identifier == rr.reference.identifiers.pmid:
                evidence.pubmed[e.identifier] = e
            elif e.source is Source.PUBMED:
                evidence.pubmed_by_doi[e.identifier] = e
            else:
                evidence.pmc[e.identifier] = e
    return evidence


async def test_findings_are_those_of_comparing_everything_at_the_end() -> None:
    refs = refs_of(synthetic_bib(450, orphan=7, datacite=300))
    fake = FakeRegistries()
    result = await check_references(refs, options(), transport=httpx.MockTransport(fake))
    late = findings_for(refs, _evidence_of(result.results))
    assert [list(rr.findings) for rr in result.results] == late
    assert fake.count("doi.test") >= 1  # the DataCite DOI was asked at doi.org


# ---------------------------------------------------------------------- early findings

REFS = refs_of(synthetic_bib(3))


def found(source: Source, identifier: str, title: str) -> Found:
    return Found(source, identifier, WorkMetadata(source=source, title=title))


def marker(key: str) -> Finding:
    return Finding(key=key, rule="marker", severity=Severity.NOTE, message="computed early")


def test_early_findings_are_reused_only_for_the_very_same_evidence() -> None:
    ref = REFS[0]
    doi, pmid = ref.identifiers.doi or "", ref.identifiers.pmid or ""
    evidence = _Evidence()
    evidence.crossref[doi] = found(Source.CROSSREF, doi, "Synthetic work 0")
    evidence.pubmed[pmid] = found(Source.PUBMED, pmid, "Synthetic work 0")
    used = evidence.for_reference(ref)
    early = _Early(registry={0: (used, [marker(ref.key)])}, duplicates=[])
    assert findings_for([ref], evidence, early) == [[marker(ref.key)]]

    # Equal but not the same objects (asked again, or changed): compared again.
    evidence.pubmed[pmid] = found(Source.PUBMED, pmid, "Synthetic work 0")
    assert findings_for([ref], evidence, early) == findings_for([ref], evidence)
    assert marker(ref.key) not in findings_for([ref], evidence, early)[0]

    # More evidence than was used (doi.org answered later): compared again.
    evidence.pubmed[pmid] = used[1]
    evidence.doi_org[doi] = found(Source.DOI_ORG, doi, "Synthetic work 0")
    assert findings_for([ref], evidence, early) == findings_for([ref], evidence)


async def test_references_are_compared_once_their_identifiers_have_answers() -> None:
    evidence = _Evidence()
    early = _EarlyFindings(REFS, evidence)
    first, second, third = REFS
    # ref0: Crossref and PubMed answered.  ref1: only Crossref.  ref2: Crossref says 404
    # and doi.org has not answered yet.
    for ref in REFS:
        doi = ref.identifiers.doi or ""
        evidence.crossref[doi] = found(Source.CROSSREF, doi, "x")
    evidence.crossref[third.identifiers.doi or ""] = NotFound(
        Source.CROSSREF, third.identifiers.doi or "", "404"
    )
    evidence.pubmed[first.identifiers.pmid or ""] = found(
        Source.PUBMED, first.identifiers.pmid or "", "x"
    )
    evidence.pubmed[third.identifiers.pmid or ""] = found(
        Source.PUBMED, third.identifiers.pmid or "", "x"
    )
    early.arrived([r.identifiers.doi or "" for r in REFS])
    await early.drain()
    assert set(early.done.registry) == {0}
    kept_evidence, kept_findings = early.done.registry[0]
    assert all(a is b for a, b in zip(kept_evidence, evidence.for_reference(first), strict=True))
    assert kept_findings == findings_for([first], evidence)[0]

    pmid = second.identifiers.pmid or ""
    evidence.pubmed[pmid] = found(Source.PUBMED, pmid, "x")
    early.arrived([pmid])
    await early.drain()
    assert set(early.done.registry) == {0, 1}


async def test_closing_before_any_answer_leaves_everything_for_the_end() -> None:
    early = _EarlyFindings(REFS, _Evidence())
    task = asyncio.create_task(early.run())
    await asyncio.sleep(0)
    done = await early.close(task)
    assert done.registry == {}
    assert done.duplicates is None


@pytest.mark.parametrize("evidence", [[], [NotFound(Source.CROSSREF, "10.5555/x", "404")]])
def test_findings_for_without_early_results_is_unchanged(evidence: list[Evidence]) -> None:
    ref = REFS[0]
    ev = _Evidence()
    for e in evidence:
        ev.crossref[e.identifier] = e
    assert findings_for([ref], ev) == findings_for([ref], ev, _Early())


def test_fake_registries_answer_in_the_recorded_shapes() -> None:
    # The fake is only as good as its shapes: a batch body parses as Crossref's work list.
    fake = FakeRegistries()
    response = fake(httpx.Request("GET", "https://api.crossref.test/works?filter=doi:10.5555/a"))
    assert crossref.parse_work_list(json.loads(response.content))[0]["DOI"] == "10.5555/a"


async def test_arrivals_are_noted_and_looked_at_when_the_task_compares() -> None:
    # issue 16: a warm run's answers all arrive before the task compares anything; the
    # index of identifiers is built at the first drain, not for each arrival.
    evidence = _Evidence()
    early = _EarlyFindings(REFS, evidence)
    first = REFS[0]
    doi, pmid = first.identifiers.doi or "", first.identifiers.pmid or ""
    evidence.crossref[doi] = found(Source.CROSSREF, doi, "x")
    evidence.pubmed[pmid] = found(Source.PUBMED, pmid, "x")
    early.arrived([doi])
    early.arrived({pmid: None}.keys())
    assert early._positions is None
    await early.drain()
    assert set(early.done.registry) == {0}
    assert early._arrived == []


@pytest.mark.parametrize("many", [True, False])
def test_arrivals_give_the_same_pending_references_by_scan_or_by_index(many: bool) -> None:
    # issue 16: as many arrivals as references (a warm run) are looked at by one pass over
    # the references instead of an index; either way the same references are pending.
    refs = [*REFS, REFS[0]]  # a DOI cited twice: both references pending
    keys = [refs[0].identifiers.doi or "", refs[1].identifiers.pmid or "", "10.5555/none"]
    if many:
        keys += ["10.5555/other"] * len(refs)
    scanned = _EarlyFindings(refs, _Evidence())
    scanned.arrived(keys)
    scanned._take_arrived()
    assert (scanned._positions is None) is many
    indexed = _EarlyFindings(refs, _Evidence())
    indexed._positions = {}  # force the index
    for position, ref in enumerate(refs):
        for key in {ref.identifiers.doi, ref.identifiers.pmid, ref.identifiers.pmcid}:
            if key:
                indexed._positions.setdefault(key, []).append(position)
    indexed.arrived(keys)
    indexed._take_arrived()
    assert set(scanned._pending) == set(indexed._pending) == {0, 1, len(refs) - 1}
    assert scanned._arrived == indexed._arrived == []


async def test_settled_is_called_once_every_answer_is_in_before_the_findings() -> None:
    # issue 16: the CLI freezes the answers out of the collector there (memory.keep).
    refs = refs_of(synthetic_bib(30))
    fake = FakeRegistries()
    seen: list[tuple[int, int]] = []
    evidence = _Evidence()
    opts = dataclasses.replace(
        options(), settled=lambda: seen.append((len(fake.requests), len(evidence.crossref)))
    )
    result = await check_references(
        refs, opts, transport=httpx.MockTransport(fake), evidence=evidence
    )
    assert seen == [(len(fake.requests), len({r.identifiers.doi for r in refs}))]
    plain = await check_references(refs, options(), transport=httpx.MockTransport(FakeRegistries()))
    assert result.results == plain.results
