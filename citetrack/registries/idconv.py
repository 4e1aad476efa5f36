"""PMC ID Converter: the PMID and DOI behind a PMCID (api-notes §2.5).

``GET <idconv_url>?ids=PMC1,PMC2&idtype=pmcid&format=json&tool=…&email=…``, up to 200 ids
per request.  Both answer shapes are accepted: the legacy v1.0 one (every value a string)
and the current one (``requested-id``; ``pmid`` may be an integer).  Only the converter's
own "not found" answers (``errmsg`` "Identifier not found in PMC", legacy "invalid article
id"; api-notes §2.5) are ``NotFound``; any other per-record error ("service temporarily
unavailable"…), a record that does not carry the PMCID asked about, and an error for the
whole request are ``Unavailable`` (never cached).
"""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

from citetrack.identifiers import normalize_doi, normalize_pmcid, normalize_pmid
from citetrack.model import Evidence, Found, NotFound, Source, Unavailable, WorkMetadata
from citetrack.net import Http, Limiters, NetConfig, RateLimiter, ServiceUnavailable
from citetrack.registries.base import (
    NO_RECORD,
    as_str,
    decode_json,
    mapping,
    resolve_as_given,
    unavailable_for,
)
from citetrack.tracking.cache import EvidenceCache

REGISTRY = "the PMC ID converter"
SERVICE = Source.PMC.value
TOOL = "citetrack"
MAX_BATCH = 200
#: The converter's per-record answers meaning "no such PMCID in PMC", lower-cased.
NOT_FOUND_ERRORS = frozenset({"identifier not found in pmc", "invalid article id"})


class IdConvService:
    """Evidence from the PMC ID converter for PMCIDs; see :meth:`fetch`."""

    source = Source.PMC

    def __init__(
        self,
        http: Http,
        *,
        base_url: str,
        limiter: RateLimiter,
        cache: EvidenceCache | None = None,
        email: str | None = None,
        batch_size: int = MAX_BATCH,
    ) -> None:
        self._http = http
        self._base = base_url
        self._limiter = limiter
        self._cache = cache
        self._email = email
        self._batch_size = max(1, min(batch_size, MAX_BATCH))

    @classmethod
    def from_config(
        cls,
        http: Http,
        config: NetConfig,
        limiters: Limiters,
        cache: EvidenceCache | None = None,
    ) -> IdConvService:
        return cls(
            http,
            base_url=config.idconv_url,
            limiter=limiters.ncbi,
            cache=cache,
            email=config.mailto,
        )

    async def fetch(self, pmcids: Sequence[str]) -> dict[str, Evidence]:
        """Evidence for each PMCID, keyed as given.  ``Found`` metadata has ``pmcid``,
        ``pmid`` and ``doi`` (either may be ``None``: PMC does not always know them)."""
        return await resolve_as_given(
            self._cache,
            self.source,
            pmcids,
            normalise=normalize_pmcid,
            label="PMCID",
            fetch=self._fetch_uncached,
        )

    async def _fetch_uncached(self, pmcids: list[str]) -> dict[str, Evidence]:
        size = self._batch_size
        chunks = [pmcids[i : i + size] for i in range(0, len(pmcids), size)]
        result: dict[str, Evidence] = {}
        for part in await asyncio.gather(*(self._fetch_batch(c) for c in chunks)):
            result.update(part)
        return result

    async def _fetch_batch(self, pmcids: list[str]) -> dict[str, Evidence]:
        params = {
            "ids": ",".join(pmcids),
            "idtype": "pmcid",
            "format": "json",
            "versions": "no",
            "tool": TOOL,
        }
        if self._email:
            params["email"] = self._email
        try:
            response = await self._http.request(
                SERVICE,
                self._limiter,
                "GET",
                self._base,
                params=params,
                headers={"Accept": "application/json"},
            )
            payload = decode_json(response, REGISTRY) if response.content.strip() else None
            records = parse_records(payload, response.status_code, pmcids)
        except ServiceUnavailable as exc:
            return unavailable_for(self.source, pmcids, exc.reason)
        result: dict[str, Evidence] = {}
        for pmcid in pmcids:
            record = records.get(pmcid)
            if record is None:
                result.update(
                    unavailable_for(
                        self.source, [pmcid], "PMCID missing from the converter's answer"
                    )
                )
                continue
            result[pmcid] = record_evidence(record, pmcid)
        return result


def record_evidence(record: Mapping[str, Any], pmcid: str) -> Evidence:
    """What one converter record says about ``pmcid``."""
    errmsg = as_str(record.get("errmsg"))
    if as_str(record.get("status")) == "error" or errmsg:
        reason = errmsg or "error"
        if reason.lower().rstrip(".") in NOT_FOUND_ERRORS:
            return NotFound(Source.PMC, pmcid, f"PMC: {reason[:200]}")
        return Unavailable(Source.PMC, pmcid, f"PMC answered with an error: {reason[:200]}")
    if normalize_pmcid(as_str(record.get("pmcid"))) != pmcid:
        # The record must name the PMCID it is about: an answer without ids says nothing.
        return Unavailable(Source.PMC, pmcid, f"PMC: {NO_RECORD}")
    return Found(
        Source.PMC,
        pmcid,
        WorkMetadata(
            source=Source.PMC,
            pmcid=pmcid,
            pmid=normalize_pmid(as_str(record.get("pmid"))),
            doi=normalize_doi(as_str(record.get("doi"))),
        ),
    )


def parse_records(
    payload: Any, status: int, requested: Sequence[str]
) -> dict[str, Mapping[str, Any]]:
    """Records by normalised PMCID: the record's ``requested-id``, else its ``pmcid``.

    A legacy error record may carry neither (``{"pmid": …, "status": "error", …}``); when
    the answer has one record per requested id, such a record is matched by position.
    """
    envelope = mapping(payload)
    if status != 200 or as_str(envelope.get("status")) != "ok":
        message = as_str(envelope.get("message"))
        detail = f": {urllib.parse.unquote(message)[:200]}" if message else ""
        raise ServiceUnavailable(f"PMC ID converter error (HTTP {status}){detail}")
    records = envelope.get("records")
    if not isinstance(records, list):
        raise ServiceUnavailable("unexpected response shape from the PMC ID converter")
    positional = len(records) == len(requested)
    out: dict[str, Mapping[str, Any]] = {}
    for index, entry in enumerate(records):
        record = mapping(entry)
        key = normalize_pmcid(as_str(record.get("requested-id"))) or normalize_pmcid(
            as_str(record.get("pmcid"))
        )
        if key is None and positional:
            key = requested[index]
        if key:
            out.setdefault(key, record)
    return out
