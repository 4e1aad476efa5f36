"""The evidence cache for search answers: one query's candidate list under one entry each.

The evidence cache stores one ``Found``/``NotFound`` per (source, identifier).  A search
answers a *list*: its candidates are stored under ``<method>|<query>|<n>`` (``n`` from 0;
at most :data:`MAX_CANDIDATES`), and "nothing found" as a ``NotFound`` under
``<method>|<query>|0``.  ``Unavailable`` is never stored.  Offline, a query not in the cache
is ``Unavailable("offline: not in cache")`` so the reference stays unverified and no
request is made.
"""

from __future__ import annotations

from collections.abc import Sequence

from citetrack.model import Evidence, Found, NotFound, Source, Unavailable
from citetrack.tracking.store import EvidenceStore

MAX_CANDIDATES = 5
OFFLINE = "offline: not in cache"


def _key(method: str, query: str, n: int) -> str:
    return f"{method}|{query}|{n}"


class SearchCache:
    """Reads and writes search answers; a no-op without a cache."""

    def __init__(self, cache: EvidenceStore | None) -> None:
        self._cache = cache

    @property
    def offline(self) -> bool:
        return self._cache is not None and self._cache.offline

    def get(self, source: Source, method: str, queries: Sequence[str]) -> dict[str, list[Evidence]]:
        """Cached answers per query (queries not cached are absent, or ``Unavailable`` when
        offline)."""
        if self._cache is None:
            return {}
        keys = [_key(method, q, n) for q in queries for n in range(MAX_CANDIDATES)]
        stored = self._cache.get_many(source, keys)
        out: dict[str, list[Evidence]] = {}
        for query in queries:
            first = stored.get(_key(method, query, 0))
            if isinstance(first, NotFound):
                out[query] = [NotFound(source, method, first.reason)]
            elif isinstance(first, Found):
                out[query] = [
                    Found(source, method, item.metadata)
                    for n in range(MAX_CANDIDATES)
                    if isinstance(item := stored.get(_key(method, query, n)), Found)
                ]
            elif self._cache.offline:
                miss = getattr(self._cache, "miss", None)
                out[query] = [
                    Unavailable(source, method, miss if isinstance(miss, str) else OFFLINE)
                ]
        return out

    def put(self, source: Source, method: str, query: str, answer: Sequence[Evidence]) -> None:
        """Store one query's answer unless any part of it was unavailable."""
        if self._cache is None or any(isinstance(e, Unavailable) for e in answer):
            return
        found = [e for e in answer if isinstance(e, Found)][:MAX_CANDIDATES]
        if found:
            # Later slots say "none": a shorter answer must not inherit an older one's tail.
            self._cache.put_many(
                [Found(source, _key(method, query, n), e.metadata) for n, e in enumerate(found)]
                + [
                    NotFound(source, _key(method, query, n), "no further candidate")
                    for n in range(len(found), MAX_CANDIDATES)
                ]
            )
        else:
            reason = next((e.reason for e in answer if isinstance(e, NotFound)), "nothing found")
            self._cache.put_many([NotFound(source, _key(method, query, 0), reason)])
