"""Open Library Books API: what Open Library knows about ISBNs.

``GET /api/books?bibkeys=ISBN:A,ISBN:B&format=json&jscmd=data`` answers many ISBNs in one
request with a JSON object keyed by the bibkeys it knows; an ISBN it does not know is
simply absent (an empty object when it knows none).  Records are edition records:
``title``, ``subtitle``, ``authors[{name, url}]``, ``publishers[{name}]``,
``publish_date`` (free text: "2006", "Nov 02, 2019"), ``identifiers{isbn_10, isbn_13…}``
(https://openlibrary.org/dev/docs/api/books).

Open Library asks for about one request a second, three with a contact in the User-Agent
(citetrack's carries the ``mailto`` when one is configured): the limiter is
:attr:`~citetrack.net.Limiters.openlibrary`.  Answers are cached per ISBN-13.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from typing import Any

from citetrack.identifiers import normalize_isbn
from citetrack.model import Author, Evidence, Found, NotFound, Source, Unavailable, WorkMetadata
from citetrack.net import (
    OPENLIBRARY_DEFAULT,
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
    unavailable_for,
    unexpected_status,
    unusable,
)
from citetrack.tracking.store import EvidenceStore

REGISTRY = "Open Library"
SERVICE = Source.OPENLIBRARY.value
#: ISBNs per request: the URL grows by ~20 characters an ISBN; the API sets no maximum.
MAX_BATCH = 50
_REGISTRY_NAMES = {Source.OPENLIBRARY: "Open Library", Source.GOOGLE_BOOKS: "Google Books"}
_YEAR = re.compile(r"\b(1[5-9]\d\d|2[0-2]\d\d)\b")


class OpenLibraryService:
    """Evidence from Open Library for ISBNs; see :meth:`fetch`."""

    source = Source.OPENLIBRARY

    def __init__(
        self,
        http: Http,
        *,
        base_url: str,
        limiter: RateLimiter,
        cache: EvidenceStore | None = None,
        batch_size: int = MAX_BATCH,
    ) -> None:
        self._http = http
        self._base = base_url
        self._limiter = limiter
        self._cache = cache
        self._batch = max(1, batch_size)

    @classmethod
    def from_config(
        cls, http: Http, config: NetConfig, limiters: Limiters, cache: EvidenceStore | None = None
    ) -> OpenLibraryService:
        limiter = limiters.openlibrary or RateLimiter("openlibrary", OPENLIBRARY_DEFAULT)
        return cls(http, base_url=config.openlibrary_url, limiter=limiter, cache=cache)

    async def fetch(self, isbns: Sequence[str]) -> dict[str, Evidence]:
        """Evidence per ISBN as given: ``Found`` (edition record), ``NotFound`` (Open Library
        has no record of it: its coverage is incomplete, so this is no verdict on the ISBN),
        ``Unavailable`` (could not ask)."""
        return await resolve_as_given(
            self._cache,
            self.source,
            isbns,
            normalise=normalize_isbn,
            label="ISBN",
            fetch=self._fetch_uncached,
        )

    async def _fetch_uncached(self, isbns: list[str]) -> dict[str, Evidence]:
        chunks = [isbns[i : i + self._batch] for i in range(0, len(isbns), self._batch)]
        result: dict[str, Evidence] = {}
        for part in await asyncio.gather(*(self._fetch_batch(c) for c in chunks)):
            result.update(part)
        return result

    async def _fetch_batch(self, isbns: list[str]) -> dict[str, Evidence]:
        params = {
            "bibkeys": ",".join(f"ISBN:{i}" for i in isbns),
            "format": "json",
            "jscmd": "data",
        }
        try:
            response = await self._http.request(
                SERVICE,
                self._limiter,
                "GET",
                join_url(self._base, "api", "books"),
                params=params,
                headers={"Accept": "application/json"},
            )
            if response.status_code != 200:
                raise unexpected_status(response, REGISTRY)
            payload = decode_json(response, REGISTRY)
            # Its own "not found" is an ISBN left out of an object keyed by bibkeys; an
            # object with other keys ({"error": …}) is no answer at all (issue 18).
            if not isinstance(payload, dict) or any(
                not str(key).startswith("ISBN:") for key in payload
            ):
                raise ServiceUnavailable("unexpected response shape from Open Library")
        except ServiceUnavailable as exc:
            return unavailable_for(self.source, isbns, exc.reason)
        out: dict[str, Evidence] = {}
        for isbn in isbns:
            record = payload.get(f"ISBN:{isbn}")
            if record is None:
                out[isbn] = NotFound(self.source, isbn, "Open Library has no record of this ISBN")
            elif not isinstance(record, dict):
                out[isbn] = Unavailable(self.source, isbn, "Open Library: unexpected record shape")
            else:
                out[isbn] = book_evidence(self.source, isbn, parse_edition(record, isbn))
        return out


def book_evidence(source: Source, isbn: str, metadata: WorkMetadata) -> Evidence:
    """``Found`` for a usable record; a record without facts or past the value caps is
    unverified (:func:`citetrack.registries.base.unusable`), never evidence (issue 18)."""
    problem = unusable(metadata)
    if problem is not None:
        return Unavailable(source, isbn, f"{_REGISTRY_NAMES[source]}: {problem}")
    return Found(source, isbn, metadata)


def _names(value: Any) -> list[str]:
    return [n for n in (as_str(mapping(x).get("name")) for x in sequence(value)) if n]


def split_person(name: str) -> Author:
    """``"Richard B. Odom"`` → family ``Odom``; ``"Odom, Richard B."`` → family ``Odom``.

    Book registries give authors as display names; an organisation keeps its whole name.
    """
    text = clean_markup(name)
    if "," in text:
        family, _, given = text.partition(",")
        return Author(family=family.strip(), given=given.strip())
    words = text.split()
    if len(words) == 1:
        return Author(family=text)
    if any(w.lower() in {"society", "association", "committee", "institute"} for w in words):
        return Author(literal=text)
    return Author(family=words[-1], given=" ".join(words[:-1]))


def book_years(*texts: str | None) -> tuple[int, ...]:
    """Every plausible year in free-text dates (``"Nov 02, 2019"``, ``"c2006"``)."""
    years = {int(y) for t in texts if t for y in _YEAR.findall(t)}
    return tuple(sorted(years))


def isbn13s(values: Sequence[str]) -> tuple[str, ...]:
    """Valid ISBNs among ``values``, as ISBN-13, deduplicated (ISBN-10 and -13 of one
    edition are one ISBN)."""
    out: list[str] = []
    for value in values:
        key = normalize_isbn(value)
        if key and key not in out:
            out.append(key)
    return tuple(out)


def parse_edition(record: Mapping[str, Any], isbn: str) -> WorkMetadata:
    """One ``jscmd=data`` edition record as :class:`WorkMetadata`.  Never raises."""
    title = as_str(record.get("title"))
    subtitle = as_str(record.get("subtitle"))
    full = f"{title}: {subtitle}" if title and subtitle else title
    identifiers = mapping(record.get("identifiers"))
    isbns = [str(x) for k in ("isbn_13", "isbn_10") for x in sequence(identifiers.get(k))]
    years = book_years(as_str(record.get("publish_date")))
    publishers = _names(record.get("publishers"))
    return WorkMetadata(
        source=Source.OPENLIBRARY,
        title=clean_markup(full) if full else None,
        authors=tuple(split_person(n) for n in _names(record.get("authors"))),
        year=years[0] if years else None,
        years=years,
        isbn=isbn13s([isbn, *isbns]),
        publisher="; ".join(publishers) or None,
        work_type="book",
    )
