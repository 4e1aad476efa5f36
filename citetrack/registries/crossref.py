"""Crossref REST API: what Crossref knows about DOIs (api-notes §1).

Many DOIs are asked at once with ``GET /works?filter=doi:A,doi:B,…&rows=N`` (a *list*
request, paced by the list limiter); one DOI with ``GET /works/{doi}`` (a *single* request).
Items of a batch come back in any order and are matched by lower-cased DOI.  A DOI missing
from a batch is looked up on its own before it is called not found, because a 404 from the
single-work route is Crossref's authoritative "not a Crossref DOI" (DataCite and mEDRA DOIs
also get it) and a batch result can miss a DOI for other reasons (an alias DOI).

A 404 body is never parsed: it is plain text (``Resource not found.``) even when labelled
JSON.
"""

from __future__ import annotations

import asyncio
import re
import urllib.parse
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from citetrack.identifiers import normalize_doi
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
    as_month,
    as_str,
    as_year,
    clean_markup,
    decode_json,
    first_str,
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

REGISTRY = "Crossref"
SERVICE = Source.CROSSREF.value
MAX_BATCH = 50  # practice of other clients; Crossref documents no maximum (api-notes §1.2)
MAX_URL_LENGTH = 4000

#: Waits until another user of Crossref's limiters (a prefetch still asking in its own
#: thread, :mod:`citetrack.registries.prefetch`) has stopped; the limiters to pace with from
#: then on (``None``: the service's own).
Handover = Callable[[], Awaitable[Limiters | None]]

# Crossref update types (Crossmark vocabulary) → what they mean for a citation.
_UPDATE_KINDS = {
    "retraction": UpdateKind.RETRACTION,
    "withdrawal": UpdateKind.WITHDRAWAL,
    "removal": UpdateKind.REMOVAL,
    "expression_of_concern": UpdateKind.EXPRESSION_OF_CONCERN,
    "correction": UpdateKind.CORRECTION,
    "erratum": UpdateKind.CORRECTION,
    "corrigendum": UpdateKind.CORRECTION,
    # Part of the work is retracted: serious, but "retracted" would overstate it.  The
    # label ("Partial retraction") is kept for the report.
    "partial_retraction": UpdateKind.CORRECTION,
}


def encode_doi_path(doi: str) -> str:
    """The DOI as a URL path: every reserved character percent-encoded except ``/``.

    An SICI DOI sent raw (``[ ] ( ) ; :``) gets a 404 where the encoded form resolves
    (api-notes §1.1).  Dot segments are encoded so no client or proxy can collapse them.
    """
    segments = [urllib.parse.quote(s, safe="") for s in doi.split("/")]
    return "/".join(s.replace(".", "%2E") if s in (".", "..") else s for s in segments)


class CrossrefService:
    """Evidence from Crossref for DOIs; see :meth:`fetch`."""

    source = Source.CROSSREF

    def __init__(
        self,
        http: Http,
        *,
        base_url: str,
        single_limiter: RateLimiter,
        list_limiter: RateLimiter,
        cache: EvidenceStore | None = None,
        batch_size: int = MAX_BATCH,
        max_url_length: int = MAX_URL_LENGTH,
        confirm_missing: bool = True,
        handover: Handover | None = None,
    ) -> None:
        self._http = http
        self._base = base_url
        self._single = single_limiter
        self._list = list_limiter
        self._cache = cache
        self._batch_size = max(1, batch_size)
        self._max_url = max_url_length
        self._confirm_missing = confirm_missing
        self._handover = handover

    @classmethod
    def from_config(
        cls,
        http: Http,
        config: NetConfig,
        limiters: Limiters,
        cache: EvidenceStore | None = None,
        *,
        handover: Handover | None = None,
    ) -> CrossrefService:
        return cls(
            http,
            base_url=config.crossref_url,
            single_limiter=limiters.crossref_single,
            list_limiter=limiters.crossref_list,
            cache=cache,
            handover=handover,
        )

    async def fetch(self, dois: Sequence[str]) -> dict[str, Evidence]:
        """Evidence for each DOI, keyed by the DOI as given.

        ``Found`` carries the parsed :class:`WorkMetadata`; ``NotFound`` means Crossref
        does not know the DOI (it may still be a DataCite/mEDRA DOI: ask doi.org);
        ``Unavailable`` means Crossref could not be asked.  Never raises for these.
        """
        return await resolve_as_given(
            self._cache,
            self.source,
            dois,
            normalise=normalize_doi,
            label="DOI",
            fetch=self._fetch_uncached,
        )

    def stage(
        self, dois: Sequence[str]
    ) -> Callable[[Sequence[str]], Awaitable[dict[str, Evidence]]]:
        """:meth:`fetch` for a stage that asks about ``dois`` in parts (progress chunks run
        concurrently): the same answers, but a share of the DOIs no answer is cached for
        goes by the single-record route, in parallel with the lists.

        The two routes are separate pools with limits of their own (polite: lists 3 a
        second, single records 10 a second; api-notes §1.3), and a big cold stage is paced
        by the lists alone: 10,000 DOIs are 200 lists, 67 s.  Asking 1/16 of them one by
        one (10 a second beside 150 in lists) ends both routes together, in 63 s
        (issue 16).  A stage the lists finish in five seconds asks everything in lists.
        """
        lanes = _Lanes(self, dois)

        async def fetch(part: Sequence[str]) -> dict[str, Evidence]:
            return await resolve_as_given(
                self._cache,
                self.source,
                part,
                normalise=normalize_doi,
                label="DOI",
                fetch=lambda missing: self._fetch_uncached(missing, lanes),
            )

        return fetch

    def singly_among(self, dois: Sequence[str]) -> frozenset[str]:
        """Which of ``dois`` (normalised) to ask one by one: :func:`single_share` of those
        with no answer in the cache, the last ones in the given order."""
        keys = [
            key for key in dict.fromkeys(normalize_doi(d) for d in dois) if key and "," not in key
        ]
        if self._cache is not None and keys:
            cached = self._cache.get_many(self.source, keys)
            keys = [key for key in keys if key not in cached]
        count = single_share(
            len(keys),
            list_rate=1.0 / self._list.spacing,
            single_rate=1.0 / self._single.spacing,
            batch=self._batch_size,
        )
        return frozenset(keys[len(keys) - count :]) if count else frozenset()

    async def fetch_one(self, doi: str) -> Evidence:
        return (await self.fetch([doi]))[doi]

    # -- network

    async def _take_over(self, dois: list[str]) -> tuple[list[str], dict[str, Evidence]]:
        """Wait for the handover (see :data:`Handover`), pace with the limiters it gives,
        and look ``dois`` up in the cache again: the prefetch may have asked about some of
        them after this run's first look.  The DOIs still to ask, and the answers found."""
        handover = self._handover
        if handover is None:
            return dois, {}
        limiters = await handover()  # the same answer to every chunk
        if limiters is not None:
            self._single, self._list = limiters.crossref_single, limiters.crossref_list
        if self._cache is None:
            return dois, {}
        # Every chunk looks again, also after the handover: a chunk's first look may have
        # come just before the prefetch stored its last answers.
        found: dict[str, Evidence] = dict(self._cache.get_many(self.source, dois))
        return [d for d in dois if d not in found], found

    async def _fetch_uncached(
        self, dois: list[str], lanes: _Lanes | None = None
    ) -> dict[str, Evidence]:
        dois, result = await self._take_over(dois)
        singly = lanes.singly() if lanes is not None else frozenset()
        # A comma would split the filter value, so such DOIs are asked one by one.
        batchable = [d for d in dois if "," not in d and d not in singly]
        jobs = [self._fetch_single(d) for d in dois if "," in d]
        if lanes is not None and singly:
            jobs.append(lanes.ask([d for d in dois if d in singly]))
        for chunk in self._chunks(batchable):
            jobs.append(
                self._fetch_single(chunk[0]) if len(chunk) == 1 else self._fetch_batch(chunk)
            )
        for part in await asyncio.gather(*jobs):
            result.update(part)
        return result

    def _chunks(self, dois: list[str]) -> list[list[str]]:
        overhead = len(self._base) + len("/works?filter=&rows=000")
        chunks: list[list[str]] = []
        current: list[str] = []
        length = overhead
        for doi in dois:
            cost = len(urllib.parse.quote(f"doi:{doi},", safe=""))
            if current and (len(current) >= self._batch_size or length + cost > self._max_url):
                chunks.append(current)
                current, length = [], overhead
            current.append(doi)
            length += cost
        if current:
            chunks.append(current)
        return chunks

    async def _fetch_batch(self, dois: list[str]) -> dict[str, Evidence]:
        params = {"filter": ",".join(f"doi:{d}" for d in dois), "rows": str(len(dois))}
        try:
            response = await self._http.request(
                SERVICE,
                self._list,
                "GET",
                join_url(self._base, "works"),
                params=params,
                headers={"Accept": "application/json"},
            )
            if response.status_code != 200:
                raise unexpected_status(response, REGISTRY)
            items = parse_work_list(decode_json(response, REGISTRY))
        except ServiceUnavailable as exc:
            return unavailable_for(self.source, dois, exc.reason)
        by_doi: dict[str, Mapping[str, Any]] = {}
        for item in items:
            key = normalize_doi(as_str(item.get("DOI")))
            if key:
                by_doi.setdefault(key, item)
        result: dict[str, Evidence] = {}
        missing: list[str] = []
        for doi in dois:
            if doi in by_doi:
                result[doi] = self._evidence(doi, by_doi[doi])
            else:
                missing.append(doi)
        if missing and self._confirm_missing:
            for part in await asyncio.gather(*(self._fetch_single(d) for d in missing)):
                result.update(part)
        else:
            for doi in missing:
                result[doi] = NotFound(self.source, doi, "not in Crossref's answer to a DOI filter")
        return result

    async def _fetch_single(self, doi: str) -> dict[str, Evidence]:
        url = join_url(self._base, "works", encode_doi_path(doi))
        try:
            response = await self._http.request(
                SERVICE, self._single, "GET", url, headers={"Accept": "application/json"}
            )
            if response.status_code == 404:
                return {doi: NotFound(self.source, doi, "not registered with Crossref (HTTP 404)")}
            if response.status_code != 200:
                raise unexpected_status(response, REGISTRY)
            item = parse_single_work(decode_json(response, REGISTRY))
        except ServiceUnavailable as exc:
            return {doi: Unavailable(self.source, doi, exc.reason)}
        return {doi: self._evidence(doi, item)}

    def _evidence(self, doi: str, item: Mapping[str, Any]) -> Evidence:
        """``Found`` for a record that carries facts; a bare ``{"DOI": …}`` is unverified."""
        metadata = parse_work(item)
        problem = unusable(metadata)
        if problem:
            return Unavailable(self.source, doi, f"Crossref: {problem}")
        return Found(self.source, doi, metadata)


#: Seconds of lists below which a stage asks everything in lists: the single route saves a
#: fraction of a window there, for more requests and requests in flight on two routes.
LISTS_ALONE_SECONDS = 5.0


def single_share(remaining: int, *, list_rate: float, single_rate: float, batch: int) -> int:
    """How many of ``remaining`` DOIs to ask one by one, beside lists of ``batch``, so that
    both routes end together: the single route's share of the DOIs per second.  None when
    the lists alone take at most :data:`LISTS_ALONE_SECONDS`."""
    per_second = list_rate * batch
    if remaining <= LISTS_ALONE_SECONDS * per_second or single_rate <= 0:
        return 0
    return int(remaining * single_rate / (per_second + single_rate))


class _Lanes:
    """The single-record route of a stage (see :meth:`CrossrefService.stage`).

    Which DOIs go by it is decided once, when the first part needs the network (after the
    prefetch's hand-over, so that what it fetched is not counted), from the DOIs still
    unanswered in the cache: the last ones in the stage's order (the prefetch asked from
    the start).  They wait in one queue, served by as many workers as the route lets fly;
    a DOI is taken from the queue only when a worker is free, so until then it can still
    go another way: when the lists run out of work while DOIs still wait here (the single
    route ran slower than its share assumed: a busy machine, a slow pool), they are taken
    back into lists, so that the single route never ends the stage on its own.
    """

    #: Seconds between two looks at whether the lists have run out of work.
    TAKE_BACK_EVERY = 0.25

    def __init__(self, service: CrossrefService, dois: Sequence[str]) -> None:
        self._service = service
        self._dois = dois
        self._singly: frozenset[str] | None = None
        self._queue: deque[str] = deque()
        self._waiting: dict[str, asyncio.Future[Evidence]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._taking_back: asyncio.Task[None] | None = None
        #: DOIs taken back into lists (for tests and benchmarks).
        self.taken_back = 0

    def singly(self) -> frozenset[str]:
        if self._singly is None:
            self._singly = self._service.singly_among(self._dois)
        return self._singly

    async def ask(self, dois: list[str]) -> dict[str, Evidence]:
        """Evidence for ``dois`` (of :meth:`singly`), by the single route or taken back."""
        loop = asyncio.get_running_loop()
        futures = []
        for doi in dois:
            future = self._waiting.get(doi)
            if future is None:
                future = self._waiting[doi] = loop.create_future()
                self._queue.append(doi)
            futures.append(future)
        while self._queue and len(self._workers) < self._service._single.concurrency:
            worker = loop.create_task(self._work())
            self._workers.add(worker)
            worker.add_done_callback(self._workers.discard)
        if self._taking_back is None or self._taking_back.done():
            self._taking_back = loop.create_task(self._take_back())
        answers = await asyncio.gather(*futures)
        return dict(zip(dois, answers, strict=True))

    async def _work(self) -> None:
        while self._queue:
            doi = self._queue.popleft()
            await self._settle([doi], self._service._fetch_single(doi))

    async def _take_back(self) -> None:
        service = self._service
        while self._queue:
            await asyncio.sleep(self.TAKE_BACK_EVERY)
            # More waiting than the single route asks in the time one list takes.
            enough = service._single.spacing * len(self._queue) > service._list.spacing
            if enough and service._list.idle:
                count = min(service._batch_size, len(self._queue))
                taken = [self._queue.pop() for _ in range(count)]
                self.taken_back += len(taken)
                await self._settle(taken, service._fetch_batch(taken))

    async def _settle(self, dois: list[str], fetching: Awaitable[dict[str, Evidence]]) -> None:
        """Await ``fetching`` and hand each DOI's answer, or its error, to the part that
        waits for it (an error is raised there, not in this task; a cancellation in both)."""
        futures = [self._waiting.pop(doi) for doi in dois]
        try:
            answers = await fetching
        except asyncio.CancelledError:
            for future in futures:
                future.cancel()
            raise
        except Exception as exc:  # handed to the waiting part
            for future in futures:
                if not future.done():
                    future.set_exception(exc)
            return
        for doi, future in zip(dois, futures, strict=True):
            if not future.done():
                future.set_result(
                    answers.get(doi) or Unavailable(self._service.source, doi, "no answer")
                )


# ------------------------------------------------------------------------------ parsing


def parse_single_work(payload: Any) -> Mapping[str, Any]:
    """The ``message`` of a ``work`` envelope; a wrong shape raises ``ServiceUnavailable``."""
    envelope = mapping(payload)
    message = envelope.get("message")
    if envelope.get("status") != "ok" or not isinstance(message, dict):
        raise ServiceUnavailable("unexpected response shape from Crossref (no work record)")
    if not as_str(message.get("DOI")):
        raise ServiceUnavailable("unexpected response shape from Crossref (record without DOI)")
    return message


def parse_work_list(payload: Any) -> list[Mapping[str, Any]]:
    """The ``items`` of a ``work-list`` envelope; a wrong shape raises ``ServiceUnavailable``."""
    envelope = mapping(payload)
    message = mapping(envelope.get("message"))
    items = message.get("items")
    if envelope.get("status") != "ok" or not isinstance(items, list):
        raise ServiceUnavailable("unexpected response shape from Crossref (no work list)")
    return [item for item in items if isinstance(item, dict)]


def _date(value: Any) -> tuple[int | None, int | None]:
    """(year, month) of a Crossref date ``{"date-parts": [[Y, M, D]]}``; parts may be null."""
    parts = sequence(mapping(value).get("date-parts"))
    first = sequence(parts[0]) if parts else []
    year = as_year(first[0]) if first else None
    month = as_month(first[1]) if len(first) > 1 and year else None
    return year, month


def _authors(value: Any) -> tuple[Author, ...]:
    authors: list[Author] = []
    for entry in sequence(value):
        person = mapping(entry)
        family, given = as_str(person.get("family")), as_str(person.get("given"))
        name = as_str(person.get("name"))
        if family or given:
            authors.append(Author(family=family or "", given=given or ""))
        elif name:  # organisations (consortia, committees)
            authors.append(Author(literal=name))
    return tuple(authors)


def _update_date(value: Any) -> str | None:
    stamp = as_str(mapping(value).get("date-time"))
    if stamp and re.match(r"\d{4}-\d{2}-\d{2}", stamp):
        return stamp[:10]
    parts = sequence(mapping(value).get("date-parts"))
    first = [p for p in sequence(parts[0]) if isinstance(p, int)] if parts else []
    if first and as_year(first[0]):
        return "-".join(f"{p:02d}" if i else f"{p:04d}" for i, p in enumerate(first[:3]))
    return None


def update_kind(crossref_type: str | None) -> UpdateKind:
    """Crossref's update ``type`` as an :class:`UpdateKind` (unknown → ``OTHER``)."""
    if not crossref_type:
        return UpdateKind.OTHER
    key = re.sub(r"[\s-]+", "_", crossref_type.strip().lower())
    return _UPDATE_KINDS.get(key, UpdateKind.OTHER)


def _updates(entries: list[Any]) -> tuple[Update, ...]:
    """Deduplicated by (kind, notice DOI): the same retraction asserted by the publisher and
    by Retraction Watch is one update, asserted by both (api-notes §1.4)."""
    merged: dict[tuple[UpdateKind, str], Update] = {}
    for entry in entries:
        data = mapping(entry)
        kind = update_kind(as_str(data.get("type")))
        notice = normalize_doi(as_str(data.get("DOI")))
        source = as_str(data.get("source"))
        key = (kind, notice or "")
        previous = merged.get(key)
        if previous is None:
            merged[key] = Update(
                kind=kind,
                notice_id=notice,
                asserted_by=source,
                date=_update_date(data.get("updated")),
                label=as_str(data.get("label")) or as_str(data.get("type")),
            )
        elif source and source not in (previous.asserted_by or "").split(", "):
            sources = ", ".join(filter(None, (previous.asserted_by, source)))
            merged[key] = Update(
                kind=previous.kind,
                notice_id=previous.notice_id,
                asserted_by=sources,
                date=previous.date or _update_date(data.get("updated")),
                label=previous.label,
            )
    return tuple(merged.values())


def parse_work(item: Mapping[str, Any]) -> WorkMetadata:
    """A Crossref work record as :class:`WorkMetadata`.  Tolerates any shape; never raises.

    ``updates`` are the notices about this work (``updated-by``, plus ``update-to``
    entries that point at the work itself: a notice registered in place).  ``update-to``
    entries pointing at *other* works mean this record is itself a notice; that is told by
    ``publication_types`` entries ``notice:<kind>``.
    """
    doi = normalize_doi(as_str(item.get("DOI")))
    raw_title = first_str(item.get("title"))
    title = clean_markup(raw_title) if raw_title else None
    year, month = _date(item.get("issued"))
    years = {year} if year else set()
    for name in ("published-print", "published-online", "published"):
        other, _ = _date(item.get(name))
        if other:
            years.add(other)
    if year is None and years:
        year = min(years)
    container = first_str(item.get("container-title"))
    short = first_str(item.get("short-container-title"))
    update_to = sequence(item.get("update-to"))
    in_place = [u for u in update_to if normalize_doi(as_str(mapping(u).get("DOI"))) == doi]
    notices = sorted(
        {
            notice_marker(update_kind(as_str(mapping(u).get("type"))))
            for u in update_to
            if normalize_doi(as_str(mapping(u).get("DOI"))) != doi
        }
    )
    return WorkMetadata(
        source=Source.CROSSREF,
        doi=doi,
        title=title,
        authors=_authors(item.get("author")),
        year=year,
        years=tuple(sorted(years)),
        month=month,
        container=clean_markup(container) if container else None,
        container_short=clean_markup(short) if short else None,
        volume=as_str(item.get("volume")),
        issue=as_str(item.get("issue")),
        pages=as_str(item.get("page")) or as_str(item.get("article-number")),
        work_type=as_str(item.get("type")),
        issn=str_list(item.get("ISSN")),
        isbn=str_list(item.get("ISBN")),
        publisher=as_str(item.get("publisher")),
        updates=_updates([*sequence(item.get("updated-by")), *in_place]),
        publication_types=tuple(notices),
        agency="Crossref",
    )
