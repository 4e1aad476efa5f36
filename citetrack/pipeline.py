"""The check pipeline: references → evidence from every service → findings.

This is the one place that knows the order of the stages.  It collects the distinct
identifiers and URLs of all references, asks each service once for all of them (the
services batch and pace themselves), runs the registries and the link checks at the same
time, then hands each reference with its evidence to the pure comparison rules.

A long run is paced by the registries' limits and leaves the CPU idle, so the comparison
rules are applied early, in a worker thread, to references whose identifiers have their
answers (:class:`_EarlyFindings`); whatever changed afterwards is compared again at the
end, so the result is exactly that of comparing everything at the end.

I/O lives in the services it builds; given the same evidence, the findings are the same.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from citetrack.collection import FindingsMemo, attribute_by_file, duplicate_findings
from citetrack.incremental import StoredFindings
from citetrack.links.rules import link_findings as url_findings
from citetrack.links.targets import LinkTargets, link_targets
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
from citetrack.net import Http, Limiters, NetConfig, RequestStats, make_client, switching
from citetrack.registries.books_search import (
    book_evidence,
    cited_evidence,
    extra_evidence,
    registry_findings,
    search_evidence,
    suspect_dois,
)
from citetrack.registries.crossref import CrossrefService, Handover
from citetrack.registries.doi import DoiOrgService
from citetrack.registries.idconv import IdConvService
from citetrack.registries.pmid_lookup import PmidLookup
from citetrack.registries.pubmed import PubMedService
from citetrack.registries.stage import PROGRESS_CHUNK, Arrived, Progress, chunked, unique
from citetrack.rules.search import search_key
from citetrack.shard import Shard
from citetrack.tracking.cache import CacheMode
from citetrack.tracking.memo import MemoView
from citetrack.tracking.store import EvidenceStore

if TYPE_CHECKING:
    import httpx

    from citetrack.net.lazy import AsyncClientLike

log = logging.getLogger(__name__)

__all__ = ["PROGRESS_CHUNK", "CheckOptions", "Progress", "check_references", "findings_for"]


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
    cache: EvidenceStore | None = None
    net: NetConfig = field(default_factory=NetConfig)
    #: ``--shard K/N``: ask only about this slice of the identifiers and URLs.
    shard: Shard | None = None
    #: Findings remembered from earlier runs (:mod:`citetrack.incremental`); ``None``: none.
    remembered: MemoView[str] | None = None
    #: Duplicate keys remembered from earlier runs, per entry; ``None``: none.
    remembered_keys: MemoView[str] | None = None
    #: Each whole list's duplicate findings remembered from earlier runs; ``None``: none.
    remembered_duplicates: MemoView[str] | None = None
    #: The registry limiters to pace with (a prefetch's, so that this run's requests are
    #: paced from its last ones: :mod:`citetrack.registries.prefetch`); ``None``: new ones.
    limiters: Limiters | None = None
    #: A prefetch still asking Crossref in its own thread: awaited before this run's first
    #: Crossref request, it ends the prefetch and hands over its limiters
    #: (:class:`citetrack.registries.prefetch.Handover`); ``None``: no prefetch running.
    handover: Handover | None = None
    #: Called once every answer is in, before the findings are computed: the CLI's
    #: ``memory.keep`` (the answers live to the end of the run; left in the collector, a
    #: 100,000-reference warm check's one older collection traversed them for 0.16 s while
    #: the findings were computed, issue 16); ``None``: nothing.
    settled: Callable[[], None] | None = None


def _mine(options: CheckOptions, kind: str, keys: list[str]) -> list[str]:
    """``keys`` of this run's shard (all of them without ``--shard``)."""
    shard = options.shard
    if shard is None:
        return keys
    if kind == "url":
        return [k for k in keys if shard.owns_url(k)]
    return [k for k in keys if shard.owns_identifier(kind, k)]


@dataclass
class _Evidence:
    """Everything the services said, keyed by normalised identifier or URL."""

    crossref: dict[str, Evidence] = field(default_factory=dict)
    doi_org: dict[str, Evidence] = field(default_factory=dict)
    pubmed: dict[str, Evidence] = field(default_factory=dict)
    pmc: dict[str, Evidence] = field(default_factory=dict)
    pubmed_by_doi: dict[str, Evidence] = field(default_factory=dict)
    books: dict[str, list[Evidence]] = field(default_factory=dict)  # by ISBN-13
    search: dict[str, list[Evidence]] = field(default_factory=dict)  # by search_key
    links: dict[str, LinkStatus] = field(default_factory=dict)
    archives: dict[str, ArchiveStatus] = field(default_factory=dict)

    def for_reference(self, ref: Reference) -> list[Evidence]:
        ids = ref.identifiers
        found: list[Evidence | None] = [
            self.crossref.get(ids.doi or ""),
            self.doi_org.get(ids.doi or ""),
            self.pubmed.get(ids.pmid or ""),
            self.pmc.get(ids.pmcid or ""),
            # Also with a PMID: PubMed's record of the DOI names the PMID that belongs to it
            # (looked up only when the cited PMID's record carries another DOI).
            self.pubmed_by_doi.get(ids.doi or ""),
        ]
        extra = extra_evidence(ref, self.books, self.search)
        return [e for e in found if e is not None] + extra


async def _resolve_registries(
    refs: Sequence[Reference],
    http: Http,
    options: CheckOptions,
    evidence: _Evidence,
    progress: Progress | None,
    *,
    arrived: Arrived | None = None,
) -> None:
    net = options.net
    limiters = options.limiters or Limiters.from_config(net)
    cache = options.cache
    crossref = CrossrefService.from_config(http, net, limiters, cache, handover=options.handover)
    doi_org = DoiOrgService.from_config(http, net, limiters, cache)
    pubmed = PubMedService.from_config(http, net, limiters, cache)
    idconv = IdConvService.from_config(http, net, limiters, cache)

    dois = _mine(options, "doi", unique(r.identifiers.doi for r in refs))
    pmids = _mine(options, "pmid", unique(r.identifiers.pmid for r in refs))
    pmcids = _mine(options, "pmcid", unique(r.identifiers.pmcid for r in refs))

    async def dois_stage() -> None:
        await chunked(
            "Crossref",
            dois,
            crossref.stage(dois),
            progress,
            into=evidence.crossref,
            arrived=arrived,
        )
        if options.handover is not None:
            await options.handover()  # every DOI was in the cache: the prefetch ends here
        # A Crossref 404 only means "not a Crossref DOI": DataCite, mEDRA… DOIs are
        # found through the doi.org handle API, whose "not found" alone makes a DOI broken.
        unknown = [d for d, e in evidence.crossref.items() if isinstance(e, NotFound)]
        await chunked(
            "doi.org", unknown, doi_org.fetch, progress, into=evidence.doi_org, arrived=arrived
        )

    async def pmids_stage() -> None:
        await chunked(
            "PubMed", pmids, pubmed.fetch, progress, into=evidence.pubmed, arrived=arrived
        )
        # A DOI without a PMID: does PubMed index the work?  (missing-identifier)
        lookup = PmidLookup.from_config(http, net, limiters, pubmed, cache)
        # DOIs without a PMID: this shard's slice.  DOIs whose cited PMID's record names
        # another DOI: found by the shard that asked about that PMID (it has the record).
        orphans = _mine(
            options,
            "doi",
            unique(r.identifiers.doi for r in refs if r.identifiers.doi and not r.identifiers.pmid),
        )
        orphans = unique([*orphans, *suspect_dois(refs, evidence.pubmed)])
        evidence.pubmed_by_doi = await lookup.find(orphans) if orphans else {}

    async def pmc_stage() -> None:
        await chunked("PMC", pmcids, idconv.fetch, progress, into=evidence.pmc, arrived=arrived)

    # A shard asks about its own slice of the ISBNs and of the identifier searches too
    # (without one, every reference: no search key made for each of 100,000; issue 16).
    book_refs = [r for r in refs if _mine(options, "isbn", [r.identifiers.isbn or ""])]
    search_refs = (
        list(refs)
        if options.shard is None
        else [r for r in refs if _mine(options, "search", [search_key(r)])]
    )

    async def books_stage() -> None:
        evidence.books = await book_evidence(
            book_refs, http=http, net=net, limiters=limiters, cache=cache, progress=progress
        )

    async def search_stage() -> None:
        searching = limiters
        if options.handover is not None and search_refs:
            # Crossref's limiters are the prefetch's until it ends: the same as the DOIs'.
            handed = await options.handover()
            if handed is not None:
                searching = dataclasses.replace(
                    limiters,
                    crossref_single=handed.crossref_single,
                    crossref_list=handed.crossref_list,
                )
        evidence.search = await search_evidence(
            search_refs, http=http, net=net, limiters=searching, pubmed=pubmed, cache=cache
        )

    await asyncio.gather(dois_stage(), pmids_stage(), pmc_stage(), books_stage(), search_stage())


async def _check_links(
    refs: Sequence[Reference],
    registry_client: AsyncClientLike,
    options: CheckOptions,
    evidence: _Evidence,
    *,
    stats: RequestStats,
    progress: Progress | None,
    link_transport_client: httpx.AsyncClient | None = None,
    archive_client: AsyncClientLike | None = None,
) -> None:
    # Imported here: a check with --no-links spends no start-up time on them.
    from citetrack.links.offline import offline_link_evidence  # noqa: PLC0415
    from citetrack.links.wayback import Wayback  # noqa: PLC0415

    targets = [link_targets(r) for r in refs]
    urls = _mine(options, "url", unique(t.checkable_url for t in targets))
    if options.cache_mode is CacheMode.OFFLINE:  # --offline: no request to any web host
        mine = functools.partial(_mine, options, "url")
        evidence.links, evidence.archives = offline_link_evidence(targets, urls, mine)
        return
    if urls:
        # Imported and built only when needed: a bibliography without URLs spends no
        # start-up time on the link checker and its TLS context.
        from citetrack.links.checker import LinkChecker  # noqa: PLC0415
        from citetrack.links.client import link_timeout, make_link_client  # noqa: PLC0415

        client = link_transport_client or make_link_client(
            allow_private=options.allow_private_urls,
            timeout=link_timeout(options.net.read_timeout),
        )
        try:
            checker = LinkChecker(
                client,
                per_host_interval=options.per_host_interval,
                allow_private=options.allow_private_urls,
                body_time_limit=options.net.total_timeout,
                stats=stats,
            )

            def links_done(done: int, total: int) -> None:
                if progress:
                    progress("links", done, total)

            evidence.links = await checker.check(urls, progress=links_done)
        finally:
            if link_transport_client is None:
                await client.aclose()

    # The Wayback Machine is an archive, not a registry: it gets no mailto (SECURITY.md).
    wayback = Wayback(
        archive_client or registry_client,
        base_url=options.net.wayback_url,
        total_timeout=options.net.total_timeout,
        stats=stats,
    )
    jobs: list[tuple[str, Awaitable[ArchiveStatus]]] = []
    queued: set[str] = set()
    for target in targets:
        url = target.checkable_url
        if (
            target.archive_url
            and target.archive_url not in queued
            and _mine(options, "url", [target.archive_url])
        ):
            queued.add(target.archive_url)
            jobs.append((target.archive_url, wayback.verify_archive(target.archive_url, url=url)))
        status = evidence.links.get(url) if url else None
        if url is None or status is None or url in queued:
            continue
        if status.verdict in (LinkVerdict.DEAD, LinkVerdict.SOFT_404):
            # A cited archive copy is verified instead of searching for another one.
            if not target.archive_url:
                queued.add(url)
                jobs.append((url, wayback.find_capture(url, before=target.accessed)))
        elif options.archives == "all" and not target.archive_url:
            queued.add(url)
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


def _same_objects(a: Sequence[Evidence], b: Sequence[Evidence]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


@dataclass
class _Early:
    """Findings computed before the end of the run, with what they were computed from."""

    registry: dict[int, tuple[list[Evidence], list[Finding]]] = field(default_factory=dict)
    duplicates: list[tuple[int, Finding]] | None = None
    #: The comparison, once per distinct reference and evidence (a collection repeats them).
    memo: FindingsMemo = field(default_factory=lambda: FindingsMemo(registry_findings))

    @classmethod
    def remembering(cls, stored: StoredFindings | None) -> _Early:
        """An empty :class:`_Early` whose comparison first asks ``stored``."""
        return cls(memo=FindingsMemo(registry_findings, stored))


class _EarlyFindings:
    """Applies the comparison rules while the network stages are still running.

    A run of thousands of references waits on the registries' rate limits, not on the CPU,
    and comparing is the costliest computation of a run (tens of seconds for 10,000
    references).  So: duplicates are looked for as soon as the run starts, and each time a
    chunk of registry answers arrives, the references whose identifiers all have an answer
    are compared in a worker thread (the rules are pure; the thread gets the evidence lists,
    never the dictionaries the event loop fills).  Each result is kept with the very
    evidence objects it was computed from: :func:`findings_for` reuses it only if the
    reference's evidence at the end is those same objects, and compares it again otherwise
    (e.g. a doi.org answer that came after Crossref's 404).  Early or late, the findings are
    the same.
    """

    #: References compared per trip to the worker thread (~0.1 s of CPU).
    BATCH = 100

    def __init__(
        self, refs: Sequence[Reference], evidence: _Evidence, stored: StoredFindings | None = None
    ) -> None:
        self._refs = refs
        self._evidence = evidence
        # Which references each identifier is of, built when first needed: a warm run's
        # answers all come from the cache before this task gets to compare anything, and
        # indexing 100,000 references and each arrival took 0.25 s for nothing (issue 16).
        self._positions: dict[str, list[int]] | None = None
        self._arrived: list[str] = []  # identifiers told by ``arrived``, not yet looked at
        self._pending: dict[int, None] = {}  # ordered set of positions to try
        self._wake = asyncio.Event()
        self._closing = False
        self.done = _Early.remembering(stored)

    def _duplicates(self) -> list[tuple[int, Finding]]:
        return remembered_duplicates(self._refs, self.done.memo.stored)

    def arrived(self, keys: Iterable[str]) -> None:
        """Evidence for ``keys`` has arrived: their references may be ready to compare."""
        self._arrived += keys
        self._wake.set()

    def _take_arrived(self) -> None:
        """The references of the identifiers arrived so far join the pending ones, in
        the order of arrival."""
        if not self._arrived:
            return
        if self._positions is None and len(self._arrived) >= len(self._refs):
            # As many arrivals as references (a warm run: every answer from the cache at
            # once): one pass over the references, in their order, instead of an index of
            # 100,000 references and a lookup per arrival (0.29 s -> 0.04 s, issue 16).
            # The order only guesses which references are ready first.
            arrived_keys = set(self._arrived)
            self._arrived = []
            for position, ref in enumerate(self._refs):
                ids = ref.identifiers
                if ids.doi in arrived_keys or ids.pmid in arrived_keys or ids.pmcid in arrived_keys:
                    self._pending[position] = None
            return
        if self._positions is None:
            self._positions = {}
            for position, ref in enumerate(self._refs):
                ids = ref.identifiers
                for key in {ids.doi, ids.pmid, ids.pmcid}:
                    if key:
                        self._positions.setdefault(key, []).append(position)
        arrived, self._arrived = self._arrived, []
        for key in arrived:
            self._pending.update(dict.fromkeys(self._positions.get(key, ())))

    def _ready(self, ref: Reference) -> bool:
        """Has every identifier of ``ref`` its answer?  (A guess to avoid wasted work:
        correctness does not depend on it.)"""
        ids, ev = ref.identifiers, self._evidence
        if ids.doi:
            crossref = ev.crossref.get(ids.doi)
            if crossref is None or (isinstance(crossref, NotFound) and ids.doi not in ev.doi_org):
                return False
        if ids.pmid and ids.pmid not in ev.pubmed:
            return False
        return not (ids.pmcid and ids.pmcid not in ev.pmc)

    async def run(self) -> None:
        """The background task: until :meth:`close`, compare what becomes ready."""
        # Nothing before the first answers: until then the CPU is busy sending the first
        # requests, the ones every later request of their service is paced from.
        await self._wake.wait()
        if self._closing:
            return
        self.done.duplicates = await asyncio.to_thread(self._duplicates)
        while True:
            await self.drain()
            if self._closing:
                return
            self._wake.clear()
            if not self._pending and not self._arrived:
                await self._wake.wait()

    async def drain(self) -> None:
        """Compare (in a worker thread) every pending reference that is ready."""
        self._take_arrived()
        while self._pending and not self._closing:
            batch: list[tuple[int, Reference, list[Evidence]]] = []
            while self._pending and len(batch) < self.BATCH:
                position = next(iter(self._pending))
                del self._pending[position]
                ref = self._refs[position]
                if self._ready(ref):
                    batch.append((position, ref, self._evidence.for_reference(ref)))
            if batch:
                self.done.registry.update(
                    await asyncio.to_thread(_compare_batch, batch, self.done.memo)
                )
            self._take_arrived()  # what arrived meanwhile

    async def close(self, task: asyncio.Task[None]) -> _Early:
        """Stop after the batch in progress; what was computed so far."""
        self._closing = True
        self._wake.set()
        try:
            await task
        except Exception:
            # Only an optimisation: the end computes everything again, and a rule that
            # fails there fails loudly.
            log.debug("early comparison stopped", exc_info=True)
            return _Early()
        return self.done


def remembered_duplicates(
    refs: Sequence[Reference], stored: StoredFindings | None
) -> list[tuple[int, Finding]]:
    """:func:`~citetrack.collection.duplicate_findings` of ``refs``, taken from ``stored``
    when this very list was seen before, else from each entry's remembered keys."""
    if stored is None:
        return duplicate_findings(refs)
    memo = stored

    def found() -> list[tuple[int, Finding]]:
        # Imported here: this list seen before (a warm run), no rule runs.
        from citetrack.rules.duplicates import duplicate_keys  # noqa: PLC0415

        return duplicate_findings(refs, memo.duplicate_keys(refs, duplicate_keys))

    return stored.duplicates(refs, found)


def _compare_batch(
    batch: Sequence[tuple[int, Reference, list[Evidence]]], compare: FindingsMemo
) -> dict[int, tuple[list[Evidence], list[Finding]]]:
    if compare.stored is not None:
        compare.stored.prefetch([(ref, ev) for _, ref, ev in batch])
    return {position: (ev, compare(ref, ev)) for position, ref, ev in batch}


def _kept(early: _Early, position: int, used: Sequence[Evidence]) -> list[Finding] | None:
    """The early findings of ``refs[position]``, if computed from exactly ``used``."""
    kept = early.registry.get(position)
    return kept[1] if kept is not None and _same_objects(kept[0], used) else None


def findings_for(
    refs: Sequence[Reference],
    evidence: _Evidence,
    early: _Early | None = None,
    targets: Sequence[LinkTargets] | None = None,
) -> list[list[Finding]]:
    """The findings of each reference (same order as ``refs``), given all evidence.

    ``early`` holds findings computed during the run; each is used only if it was computed
    from exactly the evidence the reference has now.  Its comparison may take remembered
    findings (:mod:`citetrack.incremental`): the same as comparing again, by construction
    of their key.  Without that, a pure function.
    """
    return _findings_and_evidence(refs, evidence, early, targets)[0]


def _findings_and_evidence(
    refs: Sequence[Reference],
    evidence: _Evidence,
    early: _Early | None,
    targets: Sequence[LinkTargets] | None,
) -> tuple[list[list[Finding]], list[list[Evidence]]]:
    """:func:`findings_for`, and the evidence of each reference it was computed from
    (:func:`results_for` puts it in the results: asked once, not twice; issue 16)."""
    early = early or _Early()
    targets = targets if targets is not None else [link_targets(r) for r in refs]
    used_by = [evidence.for_reference(ref) for ref in refs]
    kept_by = [_kept(early, position, used) for position, used in enumerate(used_by)]
    keys: Sequence[str | None] = [None] * len(refs)
    if early.memo.stored is not None and any(kept is None for kept in kept_by):
        keys = early.memo.stored.prefetch(list(zip(refs, used_by, strict=True)), every=True)
    out: list[list[Finding]] = []
    for ref, used, kept, target, key in zip(refs, used_by, kept_by, targets, keys, strict=True):
        out.append(list(kept) if kept is not None else early.memo(ref, used, key))
        out[-1] += url_findings(ref, evidence.links, evidence.archives, target)
    duplicates = early.duplicates if early.duplicates is not None else duplicate_findings(refs)
    # A duplicate caused by a wrong identifier belongs to the entry whose identifier is wrong.
    for position, finding in attribute_by_file(refs, duplicates, evidence.for_reference):
        out[position].append(finding)
    return out, used_by


def _result(
    ref: Reference,
    findings: list[Finding],
    evidence: _Evidence,
    targets: LinkTargets,
    used: Sequence[Evidence],
) -> ReferenceResult:
    """``ref``'s result; ``used``: ``evidence.for_reference(ref)``."""
    url, archive = targets.checkable_url, targets.archive_url
    links, archives = evidence.links, evidence.archives
    return ReferenceResult(
        reference=ref,
        findings=tuple(findings),
        # Search candidates are not records of the citation's identifiers: the findings
        # report them; the lockfile and the export must not take them for the work's record.
        evidence=cited_evidence(used),
        # Without links checked (or none cited), at once: 100,000 results (issue 16).
        links=(links[url],) if url and url in links else (),
        archives=tuple(archives[u] for u in (url, archive) if u and u in archives)
        if archives and (url or archive)
        else (),
    )


async def check_references(
    refs: Sequence[Reference],
    options: CheckOptions,
    *,
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    evidence: _Evidence | None = None,
) -> CheckResult:
    """Check every reference against the registries and the web; one call, one result.

    ``transport`` replaces the network for tests (``httpx.MockTransport``); ``evidence``,
    if given, is filled with every answer (a shard's report carries them).
    """
    stats = RequestStats()
    evidence = _Evidence() if evidence is None else evidence
    stored = (
        StoredFindings(options.remembered, options.remembered_keys, options.remembered_duplicates)
        if options.remembered is not None
        else None
    )
    early = _EarlyFindings(refs, evidence, stored)
    worker = asyncio.create_task(early.run())
    # The comparison worker computes beside the loop that paces the requests: the loop
    # must get the interpreter lock back promptly (citetrack.net.switching).
    switching.hold()
    try:
        await _run_stages(
            refs,
            options,
            evidence,
            stats=stats,
            progress=progress,
            transport=transport,
            arrived=early.arrived,
        )
    finally:
        switching.release()
        computed = await early.close(worker)
    if options.settled is not None:
        options.settled()
    results = results_for(refs, evidence, computed)
    if stored is not None:
        stored.flush()
        log.debug("findings: %d reused, %d computed", stored.reused, stored.computed)
    return CheckResult(results=results, requests=stats.as_dict())


def results_for(
    refs: Sequence[Reference], evidence: _Evidence, early: _Early | None = None
) -> tuple[ReferenceResult, ...]:
    """Pure: each reference's result given all the evidence (``citetrack merge`` too)."""
    targets = [link_targets(r) for r in refs]
    per_ref, used_by = _findings_and_evidence(refs, evidence, early, targets)
    return tuple(
        _result(ref, findings, evidence, target, used)
        for ref, findings, target, used in zip(refs, per_ref, targets, used_by, strict=True)
    )


#: Public name of everything the services said (a shard's report carries it).
EvidenceSet = _Evidence


async def _run_stages(
    refs: Sequence[Reference],
    options: CheckOptions,
    evidence: _Evidence,
    *,
    stats: RequestStats,
    progress: Progress | None,
    transport: httpx.AsyncBaseTransport | None,
    arrived: Arrived,
) -> None:
    """The registries and the links, at the same time, filling ``evidence``."""
    async with (
        make_client(options.net, transport=transport) as client,
        make_client(options.net, identify=False, transport=transport) as archive_client,
    ):
        http = Http.from_config(client, options.net, stats=stats)
        stages: list[Awaitable[None]] = []
        if options.registries:
            stages.append(
                _resolve_registries(refs, http, options, evidence, progress, arrived=arrived)
            )
        if options.links:
            link_client = None
            if transport:
                import httpx  # noqa: PLC0415 - a transport is given: httpx is loaded already

                link_client = httpx.AsyncClient(transport=transport, follow_redirects=False)
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
                        archive_client=archive_client,
                    )
                )
                await asyncio.gather(*stages)
            finally:
                if link_client is not None:
                    await link_client.aclose()
        else:
            await asyncio.gather(*stages)
