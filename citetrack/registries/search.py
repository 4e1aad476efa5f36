"""Who is this reference?  Ask PubMed and Crossref for references without DOI or PMID.

For each reference :func:`citetrack.rules.search.needs_search` selects, in this order and
only as far as needed:

1. PubMed's batch citation matcher (ECitMatch, :mod:`citetrack.registries.citmatch`) for
   journal articles — a hundred citations per request;
2. PubMed ESearch on title words and first author (chapters and books in NCBI Bookshelf,
   e.g. StatPearls, have PMIDs), ``retmax`` 5, one request per reference;
3. Crossref ``/works?query.bibliographic=…&rows=5&select=…`` (a *list* request, paced by
   the Crossref list limiter) when PubMed gave no acceptable candidate.

PMIDs from 1 and 2 are turned into records through :class:`PubMedService` (batched
esummary, cached).  The answer per reference is a list of evidence items whose identifier
names the method (``search:ecitmatch``…): ``Found`` per candidate, ``NotFound`` when the
method found nothing, ``Unavailable`` when it could not be asked.  Deciding which
candidate is the cited work is the rules' job (:mod:`citetrack.rules.search`).

Each method's answer per query is cached (:mod:`citetrack.registries.searchcache`), so a
warm run asks nothing and ``--offline`` leaves uncached references unverified.

References go through steps 2–3 in waves of :data:`WAVE` so that PubMed and Crossref work
at the same time (each at its own pace) on different waves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from citetrack.model import Evidence, Found, NotFound, Reference, Source, Unavailable
from citetrack.net import Http, Limiters, NetConfig, RateLimiter, ServiceUnavailable, join_url
from citetrack.registries.base import (
    NO_RECORD,
    as_str,
    decode_json,
    mapping,
    sequence,
    unexpected_status,
    unusable,
)
from citetrack.registries.citmatch import CitationMatcher
from citetrack.registries.crossref import parse_work, parse_work_list
from citetrack.registries.pubmed import TOOL, PubMedService
from citetrack.registries.searchcache import SearchCache
from citetrack.rules.search import (
    CROSSREF_QUERY,
    ECITMATCH,
    ESEARCH,
    bibliographic_query,
    citation_string,
    esearch_term,
    needs_search,
    rejection,
    search_key,
)
from citetrack.tracking.store import EvidenceStore

#: References per wave of ESearch → esummary → Crossref (small, so the last wave's
#: Crossref queries, which wait for its PubMed answers, are a short tail).
WAVE = 20
ROWS = 5
#: The Crossref fields compared (``select=``), so list answers stay small.
SELECT = (
    "DOI,title,subtitle,author,issued,published-print,published-online,"
    "container-title,type,volume,page,ISBN"
)


class IdentifierSearch:
    """Finds candidate records for references without identifiers; see :meth:`find`."""

    def __init__(
        self,
        http: Http,
        pubmed: PubMedService,
        matcher: CitationMatcher,
        *,
        eutils_url: str,
        crossref_url: str,
        ncbi: RateLimiter,
        crossref_list: RateLimiter,
        email: str | None = None,
        api_key: str | None = None,
        cache: EvidenceStore | None = None,
        wave: int = WAVE,
    ) -> None:
        self._http = http
        self._pubmed = pubmed
        self._matcher = matcher
        self._eutils = eutils_url
        self._crossref = crossref_url
        self._ncbi = ncbi
        self._crossref_list = crossref_list
        self._email = email
        self._api_key = api_key
        self._cache = SearchCache(cache)
        self._wave = max(1, wave)

    @classmethod
    def from_config(
        cls,
        http: Http,
        config: NetConfig,
        limiters: Limiters,
        pubmed: PubMedService,
        cache: EvidenceStore | None = None,
    ) -> IdentifierSearch:
        matcher = CitationMatcher(
            http,
            base_url=config.eutils_url,
            limiter=limiters.ncbi,
            email=config.mailto,
            api_key=config.ncbi_api_key,
        )
        return cls(
            http,
            pubmed,
            matcher,
            eutils_url=config.eutils_url,
            crossref_url=config.crossref_url,
            ncbi=limiters.ncbi,
            crossref_list=limiters.crossref_list,
            email=config.mailto,
            api_key=config.ncbi_api_key,
            cache=cache,
        )

    async def find(self, refs: Sequence[Reference]) -> dict[str, list[Evidence]]:
        """Evidence lists keyed by :func:`search_key`, for the references that need one."""
        wanted = [r for r in refs if needs_search(r)]
        out: dict[str, list[Evidence]] = {search_key(r): [] for r in wanted}
        if not wanted:
            return out
        pending = await self._citation_match(wanted, out)
        waves = [pending[i : i + self._wave] for i in range(0, len(pending), self._wave)]
        # Waves in flight: some at PubMed while earlier ones are at Crossref.
        gate = asyncio.Semaphore(3)

        async def run(wave: list[Reference]) -> None:
            async with gate:
                rest = await self._title_author(wave, out)
            await self._bibliographic(rest, out)

        await asyncio.gather(*(run(w) for w in waves))
        return out

    async def _answers(
        self,
        source: Source,
        method: str,
        queries: Sequence[str],
        ask: Callable[[list[str]], Awaitable[dict[str, list[Evidence]]]],
    ) -> dict[str, list[Evidence]]:
        """Answers per query: from the cache, else from ``ask`` (then cached)."""
        unique = list(dict.fromkeys(queries))
        answers = self._cache.get(source, method, unique)
        missing = [q for q in unique if q not in answers]
        if missing:
            fresh = await ask(missing)
            for query in missing:
                answer = fresh.get(query) or [
                    Unavailable(source, method, "no answer for this query")
                ]
                answers[query] = answer
                self._cache.put(source, method, query, answer)
        return answers

    # -- 1. ECitMatch

    async def _citation_match(
        self, refs: list[Reference], out: dict[str, list[Evidence]]
    ) -> list[Reference]:
        """ECitMatch for the articles; the references still without an accepted record."""
        strings = {search_key(r): s for r in refs if (s := citation_string(r))}
        cited = {key: "|".join(s.split("|")[:5]) for key, s in strings.items()}
        by_query = {cited[k]: s for k, s in strings.items()}

        async def ask(queries: list[str]) -> dict[str, list[Evidence]]:
            answers = await self._matcher.match([by_query[q] for q in queries])
            pmids = sorted(
                {p for a in answers.values() if not isinstance(a, ServiceUnavailable) for p in a}
            )
            records = await self._pubmed.fetch(pmids) if pmids else {}
            result: dict[str, list[Evidence]] = {}
            for query in queries:
                answer = answers.get(by_query[query], ())
                if isinstance(answer, ServiceUnavailable):
                    result[query] = [Unavailable(Source.PUBMED, ECITMATCH, answer.reason)]
                elif not answer:
                    result[query] = [NotFound(Source.PUBMED, ECITMATCH, f"no match for '{query}'")]
                else:
                    result[query] = _records(ECITMATCH, answer, records)
            return result

        answers = await self._answers(Source.PUBMED, ECITMATCH, list(cited.values()), ask)
        pending = []
        for ref in refs:
            key = search_key(ref)
            if key in cited:
                out[key] += answers[cited[key]]
            if not _accepted(ref, out[key]):
                pending.append(ref)
        return pending

    # -- 2. ESearch title + first author

    async def _title_author(
        self, refs: list[Reference], out: dict[str, list[Evidence]]
    ) -> list[Reference]:
        terms = {search_key(r): t for r in refs if (t := esearch_term(r))}

        async def ask(queries: list[str]) -> dict[str, list[Evidence]]:
            hits = await asyncio.gather(*(self._esearch(t) for t in queries))
            pmids = sorted({p for h in hits if isinstance(h, list) for p in h})
            records = await self._pubmed.fetch(pmids) if pmids else {}
            result: dict[str, list[Evidence]] = {}
            for query, found in zip(queries, hits, strict=True):
                if isinstance(found, ServiceUnavailable):
                    result[query] = [Unavailable(Source.PUBMED, ESEARCH, found.reason)]
                elif not found:
                    result[query] = [NotFound(Source.PUBMED, ESEARCH, f"nothing for '{query}'")]
                else:
                    result[query] = _records(ESEARCH, tuple(found), records)
            return result

        answers = await self._answers(Source.PUBMED, ESEARCH, list(terms.values()), ask)
        pending = []
        for ref in refs:
            key = search_key(ref)
            if key in terms:
                out[key] += _close(ref, answers[terms[key]], ESEARCH, terms[key])
            if not _accepted(ref, out[key]):
                pending.append(ref)
        return pending

    async def _esearch(self, term: str) -> list[str] | ServiceUnavailable:
        params = {"db": "pubmed", "retmode": "json", "retmax": str(ROWS), "tool": TOOL}
        params["term"] = term
        if self._email:
            params["email"] = self._email
        if self._api_key:
            params["api_key"] = self._api_key
        try:
            response = await self._http.request(
                Source.PUBMED.value,
                self._ncbi,
                "GET",
                join_url(self._eutils, "esearch.fcgi"),
                params=params,
            )
            if response.status_code != 200:
                raise unexpected_status(response, "PubMed ESearch")
            payload = mapping(decode_json(response, "PubMed ESearch"))
            result = mapping(payload.get("esearchresult"))
            # issue 18: an answer without an id list (ESearch's {"ERROR": …}) is no answer,
            # not "nothing found"; only an empty idlist is.
            if not isinstance(result.get("idlist"), list):
                error = as_str(result.get("ERROR")) or "without a result"
                raise ServiceUnavailable(f"PubMed ESearch answered {error[:200]}")
        except ServiceUnavailable as exc:
            return exc
        ids = sequence(result["idlist"])
        return [str(i) for i in ids if str(i).isdigit()][:ROWS]

    # -- 3. Crossref query.bibliographic

    async def _bibliographic(self, refs: list[Reference], out: dict[str, list[Evidence]]) -> None:
        queries = {search_key(r): bibliographic_query(r) for r in refs}

        async def ask(wanted: list[str]) -> dict[str, list[Evidence]]:
            answers = await asyncio.gather(*(self._query(q) for q in wanted))
            return dict(zip(wanted, answers, strict=True))

        answers = await self._answers(Source.CROSSREF, CROSSREF_QUERY, list(queries.values()), ask)
        for ref in refs:
            key = search_key(ref)
            out[key] += _close(ref, answers[queries[key]], CROSSREF_QUERY, queries[key])

    async def _query(self, query: str) -> list[Evidence]:
        params = {"query.bibliographic": query, "rows": str(ROWS), "select": SELECT}
        try:
            response = await self._http.request(
                Source.CROSSREF.value,
                self._crossref_list,
                "GET",
                join_url(self._crossref, "works"),
                params=params,
                headers={"Accept": "application/json"},
            )
            if response.status_code != 200:
                raise unexpected_status(response, "Crossref")
            items = parse_work_list(decode_json(response, "Crossref"))
        except ServiceUnavailable as exc:
            return [Unavailable(Source.CROSSREF, CROSSREF_QUERY, exc.reason)]
        if not items:
            return [NotFound(Source.CROSSREF, CROSSREF_QUERY, f"nothing for '{query}'")]
        # issue 18: a record without facts or past the value caps is no candidate; an
        # answer of only such records is unverified, not "nothing found".
        works = [parse_work(i) for i in items[:ROWS]]
        usable = [w for w in works if unusable(w) is None]
        if not usable:
            return [Unavailable(Source.CROSSREF, CROSSREF_QUERY, f"Crossref: {NO_RECORD}")]
        return [Found(Source.CROSSREF, CROSSREF_QUERY, w) for w in usable]


def _close(ref: Reference, answer: list[Evidence], method: str, query: str) -> list[Evidence]:
    """The candidates worth keeping for ``ref``: accepted ones, else those whose title is
    close (author or year differ), else a ``NotFound`` saying none was close."""
    found = [e for e in answer if isinstance(e, Found)]
    if not found:
        return answer
    accepted: list[Evidence] = [e for e in found if rejection(ref, e.metadata) is None]
    if accepted:
        return accepted
    titled: list[Evidence] = [e for e in found if rejection(ref, e.metadata) != "title differs"]
    if titled:
        return titled[:3]
    source = found[0].source
    return [NotFound(source, method, f"no close title among {len(found)} results for '{query}'")]


def _records(method: str, pmids: tuple[str, ...], records: dict[str, Evidence]) -> list[Evidence]:
    out: list[Evidence] = []
    for pmid in pmids:
        record = records.get(pmid)
        if isinstance(record, Found):
            out.append(Found(Source.PUBMED, method, record.metadata))
        elif isinstance(record, Unavailable):
            out.append(Unavailable(Source.PUBMED, method, record.reason))
    if pmids and not out:
        out.append(NotFound(Source.PUBMED, method, "the matched PMIDs have no summary"))
    return out


def _accepted(ref: Reference, evidence: list[Evidence]) -> bool:
    return any(isinstance(e, Found) and rejection(ref, e.metadata) is None for e in evidence)
