"""Google Books volumes API: the second opinion on ISBNs Open Library does not know.

``GET /books/v1/volumes?q=isbn:<isbn>`` (one ISBN per request) answers
``{"kind": "books#volumes", "totalItems": N, "items": [volume…]}``; ``items`` is absent
when nothing matched.  A volume's ``volumeInfo`` has ``title``, ``subtitle``,
``authors[]``, ``publisher``, ``publishedDate`` and ``industryIdentifiers[{type, identifier}]``
(https://developers.google.com/books/docs/v1/reference/volumes).  Only a volume whose
identifiers include the asked ISBN counts: ``q=isbn:`` is a search, not a lookup.

Without a key the API has a small daily quota per IP (about one request a second, some
hundreds to a thousand a day).  An exhausted quota answers 429 ``RESOURCE_EXHAUSTED``
(``reason: rateLimitExceeded``) or, in the older style, 403 with ``reason:
dailyLimitExceeded`` [next-l/enju_leaf#2034, bdlukaa/books_finder#26, murer/dsopz#6]; either
ends every further request of the run as ``Unavailable`` without asking again — retrying
a daily quota within a run is futile.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from citetrack.identifiers import normalize_isbn
from citetrack.model import Evidence, NotFound, Source, Unavailable, WorkMetadata
from citetrack.net import (
    GOOGLEBOOKS_DEFAULT,
    Http,
    Limiters,
    NetConfig,
    RateLimiter,
    ServiceUnavailable,
    join_url,
)
from citetrack.registries.base import (
    as_str,
    clean_markup,
    decode_json,
    mapping,
    resolve_as_given,
    sequence,
    str_list,
    unexpected_status,
)
from citetrack.registries.openlibrary import book_evidence, book_years, isbn13s, split_person
from citetrack.tracking.store import EvidenceStore

if TYPE_CHECKING:
    import httpx

REGISTRY = "Google Books"
SERVICE = Source.GOOGLE_BOOKS.value
_QUOTA_REASONS = frozenset(
    {"dailylimitexceeded", "ratelimitexceeded", "userratelimitexceeded", "quotaexceeded"}
)


class QuotaExhausted(ServiceUnavailable):
    """Google Books refused for quota: nothing more is asked in this run."""


def quota_reason(response: httpx.Response) -> str | None:
    """``"dailyLimitExceeded"``… when a 403/429 says the quota is used up, else ``None``."""
    if response.status_code not in (403, 429):
        return None
    try:
        error = mapping(mapping(decode_json(response, REGISTRY)).get("error"))
    except ServiceUnavailable:
        return "HTTP 429" if response.status_code == 429 else None
    for entry in sequence(error.get("errors")):
        reason = as_str(mapping(entry).get("reason")) or ""
        if reason.lower() in _QUOTA_REASONS:
            return reason
    status = as_str(error.get("status"))
    if status == "RESOURCE_EXHAUSTED" or response.status_code == 429:
        return status or "HTTP 429"
    return None


class GoogleBooksService:
    """Evidence from Google Books for ISBNs; see :meth:`fetch`."""

    source = Source.GOOGLE_BOOKS

    def __init__(
        self,
        http: Http,
        *,
        base_url: str,
        limiter: RateLimiter,
        cache: EvidenceStore | None = None,
    ) -> None:
        self._http = http
        self._base = base_url
        self._limiter = limiter
        self._cache = cache
        self._exhausted: str | None = None

    @classmethod
    def from_config(
        cls, http: Http, config: NetConfig, limiters: Limiters, cache: EvidenceStore | None = None
    ) -> GoogleBooksService:
        limiter = limiters.googlebooks or RateLimiter("googlebooks", GOOGLEBOOKS_DEFAULT)
        return cls(http, base_url=config.googlebooks_url, limiter=limiter, cache=cache)

    async def fetch(self, isbns: Sequence[str]) -> dict[str, Evidence]:
        """Evidence per ISBN as given (``Found`` / ``NotFound`` / ``Unavailable``)."""
        return await resolve_as_given(
            self._cache,
            self.source,
            isbns,
            normalise=normalize_isbn,
            label="ISBN",
            fetch=self._fetch_uncached,
        )

    async def _fetch_uncached(self, isbns: list[str]) -> dict[str, Evidence]:
        # One at a time (the pace is one a second anyway), so that a quota answer stops
        # the rest before they are sent.
        return {isbn: await self._fetch_one(isbn) for isbn in isbns}

    async def _fetch_one(self, isbn: str) -> Evidence:
        if self._exhausted:
            return Unavailable(
                self.source, isbn, f"not asked: Google Books quota exhausted ({self._exhausted})"
            )
        try:
            response = await self._http.request(
                SERVICE,
                self._limiter,
                "GET",
                join_url(self._base, "books", "v1", "volumes"),
                params={"q": f"isbn:{isbn}"},
                headers={"Accept": "application/json"},
            )
            reason = quota_reason(response)
            if reason:
                self._exhausted = reason
                raise QuotaExhausted(f"Google Books quota exhausted ({reason})")
            if response.status_code != 200:
                raise unexpected_status(response, REGISTRY)
            payload = mapping(decode_json(response, REGISTRY))
            if payload.get("kind") != "books#volumes":
                raise ServiceUnavailable("unexpected response shape from Google Books")
        except ServiceUnavailable as exc:
            reason = exc.reason
            if "HTTP 429" in reason and not self._exhausted:
                self._exhausted = "HTTP 429"
                reason += "; its keyless daily quota is probably used up"
            return Unavailable(self.source, isbn, reason)
        for item in sequence(payload.get("items")):
            info = mapping(mapping(item).get("volumeInfo"))
            if isbn in _identifiers(info):
                return book_evidence(self.source, isbn, parse_volume(info, isbn))
        return NotFound(self.source, isbn, "Google Books has no volume with this ISBN")


def _identifiers(info: Mapping[str, Any]) -> tuple[str, ...]:
    values = [
        as_str(mapping(x).get("identifier")) or ""
        for x in sequence(info.get("industryIdentifiers"))
        if (as_str(mapping(x).get("type")) or "").startswith("ISBN")
    ]
    return isbn13s(values)


def parse_volume(info: Mapping[str, Any], isbn: str) -> WorkMetadata:
    """One ``volumeInfo`` as :class:`WorkMetadata`.  Never raises."""
    title = as_str(info.get("title"))
    subtitle = as_str(info.get("subtitle"))
    full = f"{title}: {subtitle}" if title and subtitle else title
    years = book_years(as_str(info.get("publishedDate")))
    return WorkMetadata(
        source=Source.GOOGLE_BOOKS,
        title=clean_markup(full) if full else None,
        authors=tuple(split_person(n) for n in str_list(info.get("authors"))),
        year=years[0] if years else None,
        years=years,
        isbn=isbn13s([isbn, *_identifiers(info)]),
        publisher=as_str(info.get("publisher")),
        work_type="book",
    )
