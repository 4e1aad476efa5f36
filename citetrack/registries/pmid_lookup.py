"""DOI → PubMed record, for citations that have a DOI but no PMID.

ESearch takes many ``"<doi>"[doi]`` terms joined by ``OR`` in one request (POSTed, so the
URL stays short); it answers with PMIDs but not which DOI each belongs to, so the PMIDs'
summaries (fetched through :class:`PubMedService`, batched and cached) are matched back
by the DOI in their ``articleids``.  A DOI PubMed does not index simply has no answer:
this lookup only ever adds evidence, it never produces a verdict.

https://www.ncbi.nlm.nih.gov/books/NBK25499/#chapter4.ESearch
"""

from __future__ import annotations

from collections.abc import Sequence

from citetrack.identifiers import normalize_doi
from citetrack.model import Evidence, Found, NotFound, Source, Unavailable
from citetrack.net import Http, Limiters, NetConfig, RateLimiter, ServiceUnavailable, join_url
from citetrack.registries.base import (
    chunked,
    decode_json,
    mapping,
    resolve_cached,
    sequence,
    unavailable_for,
    unexpected_status,
)
from citetrack.registries.pubmed import TOOL, PubMedService
from citetrack.tracking.store import EvidenceStore

SERVICE = "pubmed"
#: DOIs per ESearch request: the term grows by ~40 characters a DOI; POST has no URL limit.
BATCH = 100


class PmidLookup:
    """Finds the PubMed records of DOIs; see the module docstring."""

    def __init__(
        self,
        http: Http,
        pubmed: PubMedService,
        *,
        base_url: str,
        limiter: RateLimiter,
        email: str | None = None,
        api_key: str | None = None,
        cache: EvidenceStore | None = None,
        batch_size: int = BATCH,
    ) -> None:
        self._cache = cache
        self._http = http
        self._pubmed = pubmed
        self._base = base_url
        self._limiter = limiter
        self._email = email
        self._api_key = api_key
        self._batch = max(1, batch_size)

    @classmethod
    def from_config(
        cls,
        http: Http,
        config: NetConfig,
        limiters: Limiters,
        pubmed: PubMedService,
        cache: EvidenceStore | None = None,
    ) -> PmidLookup:
        return cls(
            http,
            pubmed,
            base_url=config.eutils_url,
            limiter=limiters.ncbi,
            email=config.mailto,
            api_key=config.ncbi_api_key,
            cache=cache,
        )

    async def find(self, dois: Sequence[str]) -> dict[str, Evidence]:
        """PubMed evidence keyed by DOI, the identifier set to the DOI: ``Found`` for every
        DOI PubMed indexes, ``Unavailable`` for one it could not be asked about (a missing
        PMID was not looked for: the rules say so, never "ok"); DOIs it does not index are
        absent.  Answers are cached per DOI (a DOI PubMed does not index as ``NotFound``),
        so a warm run asks nothing and ``--offline`` works."""
        wanted = {d: n for d in dois if (n := normalize_doi(d))}
        resolved = await resolve_cached(
            self._cache, Source.PUBMED, sorted(set(wanted.values())), self._fetch_uncached
        )
        out: dict[str, Evidence] = {}
        for doi, key in wanted.items():
            found = resolved.get(key)
            if isinstance(found, Found):
                out[doi] = Found(Source.PUBMED, doi, found.metadata)
            elif isinstance(found, Unavailable):
                out[doi] = Unavailable(Source.PUBMED, doi, found.reason)
        return out

    async def _fetch_uncached(self, dois: list[str]) -> dict[str, Evidence]:
        pmids: list[str] = []
        for chunk in chunked(dois, self._batch):
            try:
                pmids += await self._search(chunk)
            except ServiceUnavailable as exc:
                return unavailable_for(Source.PUBMED, dois, exc.reason)
        summaries = await self._pubmed.fetch(list(dict.fromkeys(pmids))) if pmids else {}
        by_doi: dict[str, Found] = {}
        unanswered = ""
        for evidence in summaries.values():
            if isinstance(evidence, Found) and evidence.metadata.doi:
                key = normalize_doi(evidence.metadata.doi)
                if key:
                    by_doi.setdefault(key, evidence)
            elif isinstance(evidence, Unavailable):
                unanswered = evidence.reason
        result: dict[str, Evidence] = {}
        for doi in dois:
            if doi in by_doi:
                result[doi] = Found(Source.PUBMED, doi, by_doi[doi].metadata)
            elif unanswered:
                # A summary PubMed could not give may be this DOI's: not "not indexed".
                result[doi] = Unavailable(Source.PUBMED, doi, unanswered)
            else:
                result[doi] = NotFound(Source.PUBMED, doi, "PubMed does not index this DOI")
        return result

    async def _search(self, dois: list[str]) -> list[str]:
        term = " OR ".join(f'"{doi}"[doi]' for doi in dois)
        data = {
            "db": "pubmed",
            "retmode": "json",
            "retmax": str(len(dois) * 2),
            "tool": TOOL,
            "term": term,
        }
        if self._email:
            data["email"] = self._email
        if self._api_key:
            data["api_key"] = self._api_key
        response = await self._http.request(
            SERVICE, self._limiter, "POST", join_url(self._base, "esearch.fcgi"), data=data
        )
        if response.status_code != 200:
            raise unexpected_status(response, "PubMed")
        payload = mapping(decode_json(response, "PubMed"))
        if "esearchresult" not in payload:
            raise ServiceUnavailable("PubMed ESearch answered without a result")
        ids = sequence(mapping(payload.get("esearchresult")).get("idlist"))
        return [str(i) for i in ids if isinstance(i, str | int) and str(i).isdigit()]
