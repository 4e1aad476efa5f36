"""The check pipeline: references → evidence from every service → findings.

This is the one place that knows the order of the stages.  It collects the distinct
identifiers and URLs of all references, asks each service once for all of them (the
services batch and pace themselves), runs the registries and the link checks at the same
time, then hands each reference with its evidence to the pure comparison rules.

I/O lives in the services it builds; given the same evidence, the findings are the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import httpx

from citetrack.bib import identifier_view
from citetrack.cache import CacheMode, EvidenceCache
from citetrack.compare import compare_reference, find_duplicates
from citetrack.identifiers import extract_identifiers
from citetrack.linkrules import link_findings as url_findings
from citetrack.linkrules import link_targets
from citetrack.model import (
    ArchiveStatus,
    CheckResult,
    Evidence,
    Finding,
    LinkStatus,
    LinkVerdict,
    NotFound,
    Reference,
    ReferenceResult,
)
from citetrack.net import Http, Limiters, NetConfig, RequestStats, make_client
from citetrack.services.crossref import CrossrefService
from citetrack.services.doi import DoiOrgService
from citetrack.services.idconv import IdConvService
from citetrack.services.links import LinkChecker, make_link_client
from citetrack.services.pmid_lookup import PmidLookup
from citetrack.services.pubmed import PubMedService
from citetrack.services.wayback import Wayback

T = TypeVar("T")

#: Identifiers handed to one service call; the services batch inside a call, this only
#: sets how often the progress bar moves (multiples of the services' batch sizes).
PROGRESS_CHUNK = 200

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class CheckOptions:
    """What to check and how (already resolved from config, env and flags)."""

    registries: bool = True
    links: bool = True
    #: "cited": verify cited archive URLs and look for a capture of dead URLs;
    #: "all": also ask whether every live URL has a capture (slow: the Wayback CDX
    #: server allows about 30 requests a minute).
    archives: str = "cited"
    allow_private_urls: bool = False
    per_host_interval: float = 1.0
    cache_mode: CacheMode = CacheMode.NORMAL
    cache: EvidenceCache | None = None
    net: NetConfig = field(default_factory=NetConfig)


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


async def _chunked(
    stage: str,
    items: Sequence[str],
    fetch: Callable[[Sequence[str]], Awaitable[Mapping[str, T]]],
    progress: Progress | None,
    size: int = PROGRESS_CHUNK,
) -> dict[str, T]:
    """``fetch`` over ``items`` in chunks run concurrently, reporting progress per chunk.

    Chunks share the service's rate limiter, so this adds no requests and no speed beyond
    what the limiter allows; it only lets the progress bar move on long runs.
    """
    out: dict[str, T] = {}
    if not items:
        return out
    done = 0
    if progress:
        progress(stage, 0, len(items))

    async def one(chunk: Sequence[str]) -> None:
        nonlocal done
        out.update(await fetch(chunk))
        done += len(chunk)
        if progress:
            progress(stage, done, len(items))

    await asyncio.gather(*(one(items[i : i + size]) for i in range(0, len(items), size)))
    return out


@dataclass
class _Evidence:
    """Everything the services said, keyed by normalised identifier or URL."""

    crossref: dict[str, Evidence] = field(default_factory=dict)
    doi_org: dict[str, Evidence] = field(default_factory=dict)
    pubmed: dict[str, Evidence] = field(default_factory=dict)
    pmc: dict[str, Evidence] = field(default_factory=dict)
    pubmed_by_doi: dict[str, Evidence] = field(default_factory=dict)
    links: dict[str, LinkStatus] = field(default_factory=dict)
    archives: dict[str, ArchiveStatus] = field(default_factory=dict)

    def for_reference(self, ref: Reference) -> list[Evidence]:
        ids = ref.identifiers
        found: list[Evidence | None] = [
            self.crossref.get(ids.doi or ""),
            self.doi_org.get(ids.doi or ""),
            self.pubmed.get(ids.pmid or ""),
            self.pmc.get(ids.pmcid or ""),
            None if ids.pmid else self.pubmed_by_doi.get(ids.doi or ""),
        ]
        return [e for e in found if e is not None]


async def _resolve_registries(
    refs: Sequence[Reference],
    http: Http,
    options: CheckOptions,
    evidence: _Evidence,
    progress: Progress | None,
) -> None:
    net = options.net
    limiters = Limiters.from_config(net)
    cache = options.cache
    crossref = CrossrefService.from_config(http, net, limiters, cache)
    doi_org = DoiOrgService.from_config(http, net, limiters, cache)
    pubmed = PubMedService.from_config(http, net, limiters, cache)
    idconv = IdConvService.from_config(http, net, limiters, cache)

    dois = _unique(r.identifiers.doi for r in refs)
    pmids = _unique(r.identifiers.pmid for r in refs)
    pmcids = _unique(r.identifiers.pmcid for r in refs)

    async def dois_stage() -> None:
        evidence.crossref = await _chunked("Crossref", dois, crossref.fetch, progress)
        # A Crossref 404 only means "not a Crossref DOI": DataCite, mEDRA… DOIs are
        # found through the doi.org handle API, whose "not found" alone makes a DOI broken.
        unknown = [d for d, e in evidence.crossref.items() if isinstance(e, NotFound)]
        evidence.doi_org = await _chunked("doi.org", unknown, doi_org.fetch, progress)

    async def pmids_stage() -> None:
        evidence.pubmed = await _chunked("PubMed", pmids, pubmed.fetch, progress)
        # A DOI without a PMID: does PubMed index the work?  (missing-identifier)
        lookup = PmidLookup.from_config(http, net, limiters, pubmed, cache)
        orphans = _unique(
            r.identifiers.doi for r in refs if r.identifiers.doi and not r.identifiers.pmid
        )
        evidence.pubmed_by_doi = await lookup.find(orphans) if orphans else {}

    async def pmc_stage() -> None:
        evidence.pmc = await _chunked("PMC", pmcids, idconv.fetch, progress)

    await asyncio.gather(dois_stage(), pmids_stage(), pmc_stage())


async def _check_links(
    refs: Sequence[Reference],
    registry_client: httpx.AsyncClient,
    options: CheckOptions,
    evidence: _Evidence,
    *,
    stats: RequestStats,
    progress: Progress | None,
    link_transport_client: httpx.AsyncClient | None = None,
) -> None:
    targets = [link_targets(r) for r in refs]
    urls = _unique(t.checkable_url for t in targets)
    client = link_transport_client or make_link_client(allow_private=options.allow_private_urls)
    try:
        checker = LinkChecker(
            client,
            per_host_interval=options.per_host_interval,
            allow_private=options.allow_private_urls,
            stats=stats,
        )
        if progress and urls:
            progress("links", 0, len(urls))
        evidence.links = await checker.check(urls)
        if progress and urls:
            progress("links", len(urls), len(urls))
    finally:
        if link_transport_client is None:
            await client.aclose()

    wayback = Wayback(registry_client, base_url=options.net.wayback_url, stats=stats)
    jobs: list[tuple[str, Awaitable[ArchiveStatus]]] = []
    for target in targets:
        url = target.checkable_url
        if target.archive_url and target.archive_url not in dict(jobs):
            jobs.append((target.archive_url, wayback.verify_archive(target.archive_url, url=url)))
        status = evidence.links.get(url) if url else None
        if url is None or status is None or url in dict(jobs):
            continue
        if status.verdict in (LinkVerdict.DEAD, LinkVerdict.SOFT_404):
            jobs.append((url, wayback.find_capture(url, before=target.accessed)))
        elif options.archives == "all" and not target.archive_url:
            jobs.append((url, wayback.has_capture(url)))
    if not jobs:
        return
    if progress:
        progress("Wayback", 0, len(jobs))
    done = 0

    async def one(key: str, job: Awaitable[ArchiveStatus]) -> None:
        nonlocal done
        evidence.archives[key] = await job
        done += 1
        if progress:
            progress("Wayback", done, len(jobs))

    await asyncio.gather(*(one(k, j) for k, j in jobs))


def findings_for(refs: Sequence[Reference], evidence: _Evidence) -> list[list[Finding]]:
    """Pure: the findings of each reference (same order as ``refs``), given all evidence."""
    out: list[list[Finding]] = []
    index: dict[tuple[str, int | None], int] = {}
    for position, ref in enumerate(refs):
        problems = extract_identifiers(identifier_view(ref.fields))[1]
        out.append(compare_reference(ref, evidence.for_reference(ref), problems))
        out[-1] += url_findings(ref, evidence.links, evidence.archives)
        index.setdefault((ref.key, ref.line), position)
    for finding in find_duplicates(refs):
        out[index[(finding.key, finding.line)]].append(finding)
    return out


def _result(ref: Reference, findings: list[Finding], evidence: _Evidence) -> ReferenceResult:
    targets = link_targets(ref)
    url, archive = targets.checkable_url, targets.archive_url
    return ReferenceResult(
        reference=ref,
        findings=tuple(findings),
        evidence=tuple(evidence.for_reference(ref)),
        links=tuple(evidence.links[u] for u in (url,) if u and u in evidence.links),
        archives=tuple(
            evidence.archives[u] for u in (url, archive) if u and u in evidence.archives
        ),
    )


async def check_references(
    refs: Sequence[Reference],
    options: CheckOptions,
    *,
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> CheckResult:
    """Check every reference against the registries and the web; one call, one result.

    ``transport`` replaces the network for tests (``httpx.MockTransport``).
    """
    stats = RequestStats()
    evidence = _Evidence()
    async with make_client(options.net, transport=transport) as client:
        http = Http.from_config(client, options.net, stats=stats)
        stages: list[Awaitable[None]] = []
        if options.registries:
            stages.append(_resolve_registries(refs, http, options, evidence, progress))
        if options.links:
            link_client = (
                httpx.AsyncClient(transport=transport, follow_redirects=False)
                if transport
                else None
            )
            try:
                stages.append(
                    _check_links(
                        refs,
                        client,
                        options,
                        evidence,
                        stats=stats,
                        progress=progress,
                        link_transport_client=link_client,
                    )
                )
                await asyncio.gather(*stages)
            finally:
                if link_client is not None:
                    await link_client.aclose()
        else:
            await asyncio.gather(*stages)
    per_ref = findings_for(refs, evidence)
    results = tuple(
        _result(ref, findings, evidence) for ref, findings in zip(refs, per_ref, strict=True)
    )
    return CheckResult(results=results, requests=stats.as_dict())
