"""doi.org: is a DOI registered at all, with which agency, and (optionally) what is it.

Used for DOIs Crossref does not know — DataCite, mEDRA, JaLC… DOIs get a 404 from Crossref
too — so that "not found" is only said when the DOI system itself says so (api-notes §3):

* Handle API ``GET /api/handles/{doi}``: 200 with ``responseCode`` 1 (or 200, "exists but
  no matching values") → registered; **404 with ``responseCode`` 100** → not registered.
  Any other answer — including a 404 that is not the handle API's JSON (a proxy's error
  page), or a 200 that does not name the handle asked about — is ``Unavailable``.  The
  DOI's ``/`` stays literal (``%2F`` is reported to 404); everything else that a server
  or client could read as URL syntax is percent-encoded, ``.``/``..`` segments included,
  so that the handle asked about is exactly the DOI cited.
* Registration agency ``GET /doiRA/{doi},{doi}…``, batched.
* Optionally CSL-JSON by content negotiation (``GET /{doi}``, ``Accept:
  application/vnd.citationstyles.csl+json``) for title/authors/year of non-Crossref works.
  Redirects are followed by hand and only to the agencies' metadata services: a DOI whose
  agency offers no content negotiation redirects to a publisher's landing page, which must
  not receive our identified requests.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from citetrack.identifiers import normalize_doi
from citetrack.model import (
    Author,
    Evidence,
    Found,
    NotFound,
    Source,
    Unavailable,
    WorkMetadata,
)
from citetrack.net import Http, Limiters, NetConfig, RateLimiter, ServiceUnavailable, join_url
from citetrack.registries.base import (
    NO_RECORD,
    as_month,
    as_str,
    as_year,
    clean_markup,
    decode_json,
    first_str,
    mapping,
    resolve_as_given,
    sequence,
    str_list,
    unusable,
)
from citetrack.tracking.cache import EvidenceCache

REGISTRY = "doi.org"
SERVICE = Source.DOI_ORG.value
CSL_JSON = "application/vnd.citationstyles.csl+json"
RA_BATCH = 20
MAX_REDIRECTS = 5
#: Metadata services doi.org redirects content negotiation to (api-notes §3.2).
CN_HOSTS = frozenset(
    {
        "api.crossref.org",
        "data.crosscite.org",
        "api.datacite.org",
        "data.datacite.org",
        "data.medra.org",
        "data.jalc.org",
    }
)
_HANDLE_FOUND = (1, 200)  # 200: handle exists, no values of the requested type
_HANDLE_NOT_FOUND = 100


def encode_handle_path(doi: str) -> str:
    """The DOI as a doi.org path: ``/`` and RFC 3986 path characters kept, the rest encoded.

    ``?``, ``#`` and ``%`` are encoded (so ``%2F`` in a DOI stays those three characters),
    and a segment that is ``.`` or ``..`` is sent as ``%2E`` / ``%2E%2E``: left literal, the
    HTTP client removes it with the segment before it (RFC 3986 §5.2.4) and doi.org would
    be asked about another DOI (``10.9999/x/../../10.3322/caac.20005``).
    """
    segments = [urllib.parse.quote(s, safe=":@!$&'()*+,;=") for s in doi.split("/")]
    return "/".join(s.replace(".", "%2E") if s in (".", "..") else s for s in segments)


class DoiOrgService:
    """Evidence from doi.org for DOIs; see :meth:`fetch`."""

    source = Source.DOI_ORG

    def __init__(
        self,
        http: Http,
        *,
        base_url: str,
        limiter: RateLimiter,
        cache: EvidenceCache | None = None,
        content_negotiation: bool = True,
        cn_hosts: Iterable[str] = (),
    ) -> None:
        self._http = http
        self._base = base_url
        self._limiter = limiter
        self._cache = cache
        self._content_negotiation = content_negotiation
        own = urllib.parse.urlsplit(base_url).hostname or ""
        self._cn_hosts = frozenset({*CN_HOSTS, own, *cn_hosts})

    @classmethod
    def from_config(
        cls,
        http: Http,
        config: NetConfig,
        limiters: Limiters,
        cache: EvidenceCache | None = None,
        *,
        content_negotiation: bool = True,
    ) -> DoiOrgService:
        crossref_host = urllib.parse.urlsplit(config.crossref_url).hostname or ""
        return cls(
            http,
            base_url=config.doi_url,
            limiter=limiters.doi_org,
            cache=cache,
            content_negotiation=content_negotiation,
            cn_hosts=(crossref_host,),
        )

    async def fetch(self, dois: Sequence[str]) -> dict[str, Evidence]:
        """Evidence for each DOI, keyed by the DOI as given.

        ``Found`` metadata has ``doi`` and ``agency`` (when doi.org names it) and, with
        content negotiation, whatever the agency's CSL-JSON gives (title, authors, year,
        container, volume, issue, pages, type in CSL's vocabulary).  ``NotFound`` means the
        DOI is not registered anywhere.  Never raises for these.
        """
        return await resolve_as_given(
            self._cache,
            self.source,
            dois,
            normalise=normalize_doi,
            label="DOI",
            fetch=self._fetch_uncached,
        )

    async def fetch_one(self, doi: str) -> Evidence:
        return (await self.fetch([doi]))[doi]

    async def _fetch_uncached(self, dois: list[str]) -> dict[str, Evidence]:
        agencies = await self.agencies(dois)
        answers = await asyncio.gather(*(self._resolve(d, agencies.get(d)) for d in dois))
        return dict(zip(dois, answers, strict=True))

    async def _resolve(self, doi: str, agency: str | None) -> Evidence:
        evidence = await self._handle(doi, agency)
        if (
            isinstance(evidence, Found)
            and self._content_negotiation
            and (agency or "").lower() != "crossref"
        ):
            csl = await self._csl(doi)
            if csl is not None:
                metadata = parse_csl(csl, doi=doi, agency=agency)
                if unusable(metadata) is None:  # else: registered, and nothing more is known
                    return Found(self.source, doi, metadata)
        return evidence

    # -- handle API

    async def _handle(self, doi: str, agency: str | None) -> Evidence:
        url = join_url(self._base, "api/handles", encode_handle_path(doi))
        try:
            response = await self._http.request(
                SERVICE, self._limiter, "GET", url, params={"type": "URL"}
            )
            code, handle = _handle_answer(response.content)
            if response.status_code == 200 and code in _HANDLE_FOUND:
                if (handle or "").lower() != doi.lower():
                    # A 200 that does not name the handle is no record of it.
                    return Unavailable(self.source, doi, f"doi.org: {NO_RECORD}")
                metadata = WorkMetadata(source=Source.DOI_ORG, doi=doi, agency=agency)
                return Found(self.source, doi, metadata)
            if response.status_code == 404 and code == _HANDLE_NOT_FOUND:
                return NotFound(self.source, doi, "DOI not registered (doi.org handle API)")
            detail = f", responseCode {code}" if code is not None else ", not a handle answer"
            raise ServiceUnavailable(f"unexpected HTTP {response.status_code} from doi.org{detail}")
        except ServiceUnavailable as exc:
            return Unavailable(self.source, doi, exc.reason)

    # -- registration agency

    async def agencies(self, dois: Sequence[str]) -> dict[str, str | None]:
        """Registration agency per (lower-case) DOI, e.g. ``"DataCite"``; ``None`` when
        doi.org does not say (unknown DOI, or doi.org unavailable — this is best effort)."""
        keys = list(dict.fromkeys(normalize_doi(d) or d.lower() for d in dois))
        askable = [d for d in keys if "," not in d]
        chunks = [askable[i : i + RA_BATCH] for i in range(0, len(askable), RA_BATCH)]
        result: dict[str, str | None] = dict.fromkeys(keys)
        for part in await asyncio.gather(*(self._agency_batch(c) for c in chunks)):
            result.update(part)
        return result

    async def _agency_batch(self, dois: list[str]) -> dict[str, str | None]:
        path = ",".join(encode_handle_path(d) for d in dois)
        try:
            response = await self._http.request(
                SERVICE, self._limiter, "GET", join_url(self._base, "doiRA", path)
            )
            if response.status_code != 200:
                return {}
            payload = decode_json(response, REGISTRY)
        except ServiceUnavailable:
            return {}
        found: dict[str, str | None] = {}
        for entry in sequence(payload):
            data = mapping(entry)
            key = normalize_doi(as_str(data.get("DOI")))
            agency = as_str(data.get("RA"))
            if key and agency:
                found[key] = agency
        return found

    # -- content negotiation

    async def _csl(self, doi: str) -> Mapping[str, Any] | None:
        """The DOI's CSL-JSON from its agency, or ``None`` if not offered or not usable."""
        url = join_url(self._base, encode_handle_path(doi))
        try:
            for _ in range(MAX_REDIRECTS + 1):
                response = await self._http.request(
                    SERVICE,
                    self._limiter,
                    "GET",
                    url,
                    headers={"Accept": CSL_JSON},
                    follow_redirects=False,
                )
                if response.is_redirect:
                    target = self._allowed_redirect(url, response.headers.get("location"))
                    if target is None:
                        return None
                    url = target
                    continue
                if response.status_code != 200 or "json" not in response.headers.get(
                    "content-type", ""
                ):
                    return None
                payload = decode_json(response, REGISTRY)
                return payload if isinstance(payload, dict) else None
        except ServiceUnavailable:
            return None
        return None

    def _allowed_redirect(self, current: str, location: str | None) -> str | None:
        if not location:
            return None
        target = urllib.parse.urljoin(current, location)
        parts = urllib.parse.urlsplit(target)
        if parts.scheme not in ("http", "https") or parts.hostname not in self._cn_hosts:
            return None
        if urllib.parse.urlsplit(current).scheme == "https" and parts.scheme != "https":
            return None  # no downgrade
        return target


def _handle_answer(body: bytes) -> tuple[int | None, str | None]:
    """The handle API's ``responseCode`` and ``handle`` (``None`` where the body is not
    its JSON)."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(payload, dict):
        return None, None
    code = payload.get("responseCode")
    handle = payload.get("handle")
    return (
        code if isinstance(code, int) and not isinstance(code, bool) else None,
        handle if isinstance(handle, str) else None,
    )


def _csl_authors(value: Any) -> tuple[Author, ...]:
    authors: list[Author] = []
    for entry in sequence(value):
        person = mapping(entry)
        family, given = as_str(person.get("family")), as_str(person.get("given"))
        literal = as_str(person.get("literal")) or as_str(person.get("name"))
        if family or given:
            authors.append(Author(family=family or "", given=given or ""))
        elif literal:
            authors.append(Author(literal=literal))
    return tuple(authors)


def _csl_date(value: Any) -> tuple[int | None, int | None]:
    data = mapping(value)
    parts = sequence(data.get("date-parts"))
    first = sequence(parts[0]) if parts else []
    if first:
        year = as_year(first[0])
        return year, as_month(first[1]) if len(first) > 1 and year else None
    raw = as_str(data.get("raw")) or as_str(data.get("literal"))
    match = re.search(r"\b(1\d{3}|2\d{3})\b", raw or "")
    return (int(match.group(1)) if match else None), None


def parse_csl(data: Mapping[str, Any], *, doi: str, agency: str | None) -> WorkMetadata:
    """CSL-JSON (as served by Crossref, DataCite, mEDRA) as :class:`WorkMetadata`."""
    title = first_str(data.get("title"))
    container = first_str(data.get("container-title"))
    short = first_str(data.get("container-title-short")) or first_str(
        data.get("short-container-title")
    )
    year, month = _csl_date(data.get("issued"))
    years = {year} if year else set()
    for name in ("published-print", "published-online"):
        other, _ = _csl_date(data.get(name))
        if other:
            years.add(other)
    return WorkMetadata(
        source=Source.DOI_ORG,
        doi=normalize_doi(as_str(data.get("DOI"))) or doi,
        title=clean_markup(title) if title else None,
        authors=_csl_authors(data.get("author")),
        year=year,
        years=tuple(sorted(years)),
        month=month,
        container=clean_markup(container) if container else None,
        container_short=clean_markup(short) if short else None,
        volume=as_str(data.get("volume")),
        issue=as_str(data.get("issue")),
        pages=as_str(data.get("page")),
        work_type=as_str(data.get("type")),
        issn=str_list(data.get("ISSN")),
        isbn=str_list(data.get("ISBN")),
        publisher=as_str(data.get("publisher")),
        agency=agency,
    )
