"""NCBI E-utilities ``esummary`` (JSON): what PubMed knows about PMIDs (api-notes §2).

Up to 200 PMIDs per request; long lists go in a POST form body, as NCBI asks.  Every
request carries ``tool`` and ``email`` (and ``api_key`` when configured — it raises the
limit from 3 to 10 requests/s).

Answers: only PubMed's own per-PMID "not found" (``error: "cannot get document summary"``,
api-notes §2.3) is ``NotFound``; any other per-PMID ``error`` (a temporary backend
failure…) and a record without facts (``{}``) are ``Unavailable`` and never cached; a
top-level ``error`` or an unexpected shape makes the whole batch ``Unavailable`` (all
HTTP 200).
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from citetrack.identifiers import normalize_doi, normalize_pmcid, normalize_pmid
from citetrack.model import (
    Author,
    Evidence,
    Found,
    NotFound,
    Source,
    Unavailable,
    Update,
    UpdateKind,
    WorkMetadata,
)
from citetrack.net import Http, Limiters, NetConfig, RateLimiter, ServiceUnavailable, join_url
from citetrack.registries.base import (
    as_str,
    clean_markup,
    decode_json,
    mapping,
    notice_marker,
    resolve_as_given,
    sequence,
    str_list,
    unavailable_for,
    unexpected_status,
    unusable,
)
from citetrack.tracking.store import EvidenceStore

REGISTRY = "PubMed"
SERVICE = Source.PUBMED.value
TOOL = "citetrack"
MAX_BATCH = 200  # NCBI: "more than about 200 UIDs" → use POST (api-notes §2.2)
POST_THRESHOLD = 20  # beyond this many ids the list goes in a form body, not the URL
#: PubMed's per-PMID answers that mean "no such PMID" (api-notes §2.3), lower-cased.
NOT_FOUND_ERRORS = frozenset({"cannot get document summary"})

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

# esummary ``references[].reftype`` (NLM CommentsCorrections, as display text) → what a
# linked notice means for the cited record.
_NOTICE_IN = {
    "retraction in": UpdateKind.RETRACTION,
    "retracted and republished in": UpdateKind.RETRACTION,
    "erratum in": UpdateKind.CORRECTION,
    "corrected and republished in": UpdateKind.CORRECTION,
    "expression of concern in": UpdateKind.EXPRESSION_OF_CONCERN,
    "update in": UpdateKind.OTHER,
    "republished in": UpdateKind.OTHER,
}
# …and the reverse links, present on the notices themselves.
_NOTICE_OF = {
    "retraction of": UpdateKind.RETRACTION,
    "retraction and republication of": UpdateKind.RETRACTION,
    "erratum for": UpdateKind.CORRECTION,
    "expression of concern for": UpdateKind.EXPRESSION_OF_CONCERN,
}
# NLM publication types that make a record a notice.
_NOTICE_PUBTYPES = {
    "retraction of publication": UpdateKind.RETRACTION,
    "published erratum": UpdateKind.CORRECTION,
    "expression of concern": UpdateKind.EXPRESSION_OF_CONCERN,
}
RETRACTED_PUBTYPE = "retracted publication"


class PubMedService:
    """Evidence from PubMed for PMIDs; see :meth:`fetch`."""

    source = Source.PUBMED

    def __init__(
        self,
        http: Http,
        *,
        base_url: str,
        limiter: RateLimiter,
        cache: EvidenceStore | None = None,
        email: str | None = None,
        api_key: str | None = None,
        batch_size: int = MAX_BATCH,
        post_threshold: int = POST_THRESHOLD,
    ) -> None:
        self._http = http
        self._base = base_url
        self._limiter = limiter
        self._cache = cache
        self._email = email
        self._api_key = api_key
        self._batch_size = max(1, min(batch_size, MAX_BATCH))
        self._post_threshold = post_threshold

    @classmethod
    def from_config(
        cls,
        http: Http,
        config: NetConfig,
        limiters: Limiters,
        cache: EvidenceStore | None = None,
    ) -> PubMedService:
        return cls(
            http,
            base_url=config.eutils_url,
            limiter=limiters.ncbi,
            cache=cache,
            email=config.mailto,
            api_key=config.ncbi_api_key,
        )

    async def fetch(self, pmids: Sequence[str]) -> dict[str, Evidence]:
        """Evidence for each PMID, keyed by the PMID as given.

        ``Found`` carries the parsed summary; ``NotFound`` means PubMed has no such record;
        ``Unavailable`` means PubMed could not be asked.  Never raises for these.
        """
        return await resolve_as_given(
            self._cache,
            self.source,
            pmids,
            normalise=normalize_pmid,
            label="PMID",
            fetch=self._fetch_uncached,
        )

    async def fetch_one(self, pmid: str) -> Evidence:
        return (await self.fetch([pmid]))[pmid]

    def _params(self, ids: list[str]) -> dict[str, str]:
        params = {"db": "pubmed", "retmode": "json", "tool": TOOL, "id": ",".join(ids)}
        if self._email:
            params["email"] = self._email
        if self._api_key:
            params["api_key"] = self._api_key
        return params

    async def _fetch_uncached(self, pmids: list[str]) -> dict[str, Evidence]:
        chunks = [pmids[i : i + self._batch_size] for i in range(0, len(pmids), self._batch_size)]
        result: dict[str, Evidence] = {}
        for part in await asyncio.gather(*(self._fetch_batch(c) for c in chunks)):
            result.update(part)
        return result

    async def _fetch_batch(self, pmids: list[str]) -> dict[str, Evidence]:
        url = join_url(self._base, "esummary.fcgi")
        params = self._params(pmids)
        headers = {"Accept": "application/json"}
        try:
            if len(pmids) > self._post_threshold:
                response = await self._http.request(
                    SERVICE, self._limiter, "POST", url, data=params, headers=headers
                )
            else:
                response = await self._http.request(
                    SERVICE, self._limiter, "GET", url, params=params, headers=headers
                )
            if response.status_code != 200:
                raise unexpected_status(response, REGISTRY)
            records = parse_esummary(decode_json(response, REGISTRY))
        except ServiceUnavailable as exc:
            return unavailable_for(self.source, pmids, exc.reason)
        result: dict[str, Evidence] = {}
        for pmid in pmids:
            record = records.get(pmid)
            if record is None:
                result.update(
                    unavailable_for(self.source, [pmid], "PMID missing from PubMed's answer")
                )
                continue
            result[pmid] = record_evidence(record, pmid)
        return result


# ------------------------------------------------------------------------------ parsing


def record_evidence(record: Mapping[str, Any], pmid: str) -> Evidence:
    """What one per-PMID object of an esummary answer says about ``pmid``."""
    error = as_str(record.get("error"))
    if error:
        if error.lower().rstrip(".") in NOT_FOUND_ERRORS:
            return NotFound(Source.PUBMED, pmid, f"PubMed: {error[:200]}")
        return Unavailable(Source.PUBMED, pmid, f"PubMed answered with an error: {error[:200]}")
    metadata = parse_summary(record, pmid)
    problem = unusable(metadata)
    if problem:
        return Unavailable(Source.PUBMED, pmid, f"PubMed: {problem}")
    return Found(Source.PUBMED, pmid, metadata)


def parse_esummary(payload: Any) -> dict[str, Mapping[str, Any]]:
    """Per-PMID objects of an esummary JSON answer; a wrong shape raises ``ServiceUnavailable``."""
    envelope = mapping(payload)
    error = as_str(envelope.get("error"))
    if error:
        raise ServiceUnavailable(f"PubMed error: {error[:200]}")
    result = envelope.get("result")
    if not isinstance(result, dict) or not isinstance(result.get("uids"), list):
        raise ServiceUnavailable("unexpected response shape from PubMed (no result list)")
    return {
        key: value for key, value in result.items() if key != "uids" and isinstance(value, dict)
    }


def split_author_name(name: str) -> Author:
    """``"Nicholas SE"`` → family ``Nicholas``, given ``SE``; no initials → family only."""
    parts = name.split()
    if len(parts) >= 2 and re.fullmatch(r"[A-Z]{1,4}", parts[-1]):
        return Author(family=sys.intern(" ".join(parts[:-1])), given=sys.intern(parts[-1]))
    return Author(family=name)


def _authors(value: Any) -> tuple[Author, ...]:
    authors: list[Author] = []
    for entry in sequence(value):
        data = mapping(entry)
        name = as_str(data.get("name"))
        kind = (as_str(data.get("authtype")) or "Author").lower()
        if not name:
            continue
        if kind == "collectivename":
            authors.append(Author(literal=name))
        elif kind == "author":
            authors.append(split_author_name(name))
    return tuple(authors)


def parse_pubmed_date(text: str | None) -> tuple[int | None, int | None]:
    """(year, month) of a PubMed date: ``2017``, ``2016 Dec 5``, ``2019 Nov-Dec``…"""
    if not text:
        return None, None
    match = re.match(r"\s*(\d{4})(?:\s+([A-Za-z]+))?", text)
    if not match:
        return None, None
    year = int(match.group(1))
    month = _MONTHS.get((match.group(2) or "").lower())
    return (year if 1000 <= year <= 2999 else None), month


def clean_title(text: str) -> str:
    """A PubMed title without its closing period; ``[…]`` of a translated title removed.

    MEDLINE ends every title with ``.`` and puts English translations of non-English
    titles in square brackets (``[Necrolytic migratory erythema].``); both are cataloguing
    conventions, not part of the work's title.
    """
    title = clean_markup(text)
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1].rstrip()
    if title.startswith("[") and title.endswith("]") and title.count("[") == 1:
        title = title[1:-1].strip()
    return sys.intern(title)  # as clean_markup's: the Crossref record's title is this one


def _article_id(record: Mapping[str, Any], idtype: str) -> str | None:
    for entry in sequence(record.get("articleids")):
        data = mapping(entry)
        if as_str(data.get("idtype")) == idtype:
            return as_str(data.get("value"))
    return None


def _notices(
    record: Mapping[str, Any], pubtypes: tuple[str, ...]
) -> tuple[tuple[Update, ...], set[str]]:
    """(updates about this record, notice markers for a record that is itself a notice)."""
    updates: dict[tuple[UpdateKind, str], Update] = {}
    markers: set[str] = set()
    for entry in sequence(record.get("references")):
        data = mapping(entry)
        reftype = (as_str(data.get("reftype")) or "").lower()
        notice_pmid = normalize_pmid(as_str(data.get("pmid")))
        refsource = as_str(data.get("refsource"))
        if reftype in _NOTICE_IN:
            kind = _NOTICE_IN[reftype]
            updates.setdefault(
                (kind, notice_pmid or refsource or ""),
                Update(
                    kind=kind,
                    notice_id=notice_pmid,
                    asserted_by="pubmed",
                    label=" ".join(filter(None, (as_str(data.get("reftype")), refsource))),
                ),
            )
        elif reftype in _NOTICE_OF:
            markers.add(notice_marker(_NOTICE_OF[reftype]))
    lowered = {p.lower() for p in pubtypes}
    retracted = any(kind is UpdateKind.RETRACTION for kind, _ in updates)
    if RETRACTED_PUBTYPE in lowered and not retracted:
        # Flagged retracted, but the notice link is not in the summary.
        updates[(UpdateKind.RETRACTION, "")] = Update(
            kind=UpdateKind.RETRACTION, asserted_by="pubmed", label="Retracted Publication"
        )
    for pubtype, kind in _NOTICE_PUBTYPES.items():
        if pubtype in lowered:
            markers.add(notice_marker(kind))
    return tuple(updates.values()), markers


def _work_type(doctype: str | None) -> str | None:
    # "citation" is a journal item; books and chapters say so.
    return "journal-article" if doctype == "citation" else doctype


def parse_summary(record: Mapping[str, Any], pmid: str) -> WorkMetadata:
    """One esummary DocSum as :class:`WorkMetadata`.  Tolerates any shape; never raises.

    ``pages`` are kept as MEDLINE abbreviates them (``177-9``); ``container`` is the full
    journal name, ``container_short`` the ISO abbreviation (``source``).
    """
    raw_title = as_str(record.get("title")) or as_str(record.get("booktitle"))
    year, month = parse_pubmed_date(as_str(record.get("pubdate")))
    epub_year, _ = parse_pubmed_date(as_str(record.get("epubdate")))
    years = {y for y in (year, epub_year) if y}
    pubtypes = str_list(record.get("pubtype"))
    updates, markers = _notices(record, pubtypes)
    issn = str_list([record.get("issn"), record.get("essn")])
    return WorkMetadata(
        source=Source.PUBMED,
        doi=normalize_doi(_article_id(record, "doi")),
        pmid=normalize_pmid(as_str(record.get("uid"))) or pmid,
        pmcid=normalize_pmcid(_article_id(record, "pmc")),
        title=clean_title(raw_title) if raw_title else None,
        authors=_authors(record.get("authors")),
        year=year or epub_year,
        years=tuple(sorted(years)),
        month=month,
        container=as_str(record.get("fulljournalname")),
        container_short=as_str(record.get("source")),
        volume=as_str(record.get("volume")),
        issue=as_str(record.get("issue")),
        pages=as_str(record.get("pages")),
        work_type=_work_type(as_str(record.get("doctype"))),
        issn=issn,
        publisher=as_str(record.get("publishername")),
        updates=updates,
        publication_types=(*pubtypes, *sorted(markers)),
    )
