"""Rate and concurrency limits, kept per *bucket* the way each registry counts them.

A bucket names one thing a registry limits, e.g. ``crossref:polite:single`` (Crossref's
polite pool, single-record route), ``eutils`` / ``eutils:key`` (E-utilities without / with
an ``api_key``), ``wayback:cdx``, ``pages`` (per host).  Each request is charged to one
bucket and one *client key* inside it (the NCBI api_key or caller IP, the page host…).

Counting always runs, so headers such as NCBI's ``X-RateLimit-Remaining`` are truthful;
requests are *refused* for rate or concurrency only when enforcement is on (``--limits
published`` or a custom configuration).  Batch sizes (``batch``: identifiers per request,
200 for the PMC id converter) are part of the APIs' contracts and always apply.  Windows
are sliding: at most ``limit`` accepted requests in any ``interval`` seconds; a refused
request does not use up the allowance.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any


@dataclass(frozen=True)
class BucketLimit:
    """What one bucket allows.  ``None`` means "no limit" for that dimension."""

    limit: int | None = None  # accepted requests per `interval`
    interval: float = 1.0  # seconds
    concurrency: int | None = None  # requests in flight at once
    batch: int | None = None  # identifiers per request
    retry_after: str | None = None  # Retry-After header value sent with the 429, if any


#: The registries' published limits (api-notes §1.3, §2.1, §2.5, §4.3).
PUBLISHED: dict[str, BucketLimit] = {
    "crossref:polite:single": BucketLimit(limit=10, concurrency=3, retry_after="1"),
    "crossref:polite:list": BucketLimit(limit=3, concurrency=3, retry_after="1"),
    "crossref:public:single": BucketLimit(limit=5, concurrency=1, retry_after="1"),
    "crossref:public:list": BucketLimit(limit=1, concurrency=1, retry_after="1"),
    "eutils": BucketLimit(limit=3),
    "eutils:key": BucketLimit(limit=10),
    "idconv": BucketLimit(batch=200),
    "doi": BucketLimit(),
    "wayback:cdx": BucketLimit(limit=30, interval=60.0),
    "wayback:available": BucketLimit(limit=30, interval=60.0),
    "wayback:memento": BucketLimit(limit=600, interval=60.0),
    "pages": BucketLimit(),
    # Open Library: ~1 request/s, 3/s with a contact in the User-Agent; Google Books:
    # ~1 request/s without a key (its daily quota is injected as a fault, not counted).
    "openlibrary": BucketLimit(limit=1),
    "openlibrary:contact": BucketLimit(limit=3),
    "googlebooks": BucketLimit(limit=1),
}

_FIELDS = {"limit", "interval", "concurrency", "batch", "retry_after", "rate"}


@dataclass(frozen=True)
class Decision:
    """The limiter's answer for one request."""

    allowed: bool
    bucket: str
    key: str
    limit: BucketLimit
    count: int  # requests in the current window, this one included
    reason: str = ""  # "rate" or "concurrency" when refused

    @property
    def remaining(self) -> int | None:
        if self.limit.limit is None:
            return None
        return max(self.limit.limit - self.count, 0)


class Limiter:
    """Sliding-window rate limits and in-flight counts for every bucket and client key."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.enforce = False
        self.buckets: dict[str, BucketLimit] = dict(PUBLISHED)
        self._windows: dict[tuple[str, str], deque[float]] = {}
        self._in_flight: dict[tuple[str, str], int] = {}

    def configure(self, config: str | Mapping[str, Any] | None) -> None:
        """Apply a preset (``"off"``/``None``, ``"published"``) or a custom mapping.

        A mapping updates buckets; a key may name a bucket or a prefix of bucket names
        (``"crossref"`` updates all four Crossref buckets).  ``{"rate": 5}`` is shorthand
        for ``{"limit": 5, "interval": 1}``.  A mapping turns enforcement on unless it
        carries ``"enforce": false``; ``"preset"`` may be combined with bucket updates.
        """
        if config is None or config == "off":
            self.buckets, self.enforce = dict(PUBLISHED), False
            return
        if config == "published":
            self.buckets, self.enforce = dict(PUBLISHED), True
            return
        if not isinstance(config, Mapping):
            raise ValueError(f"limits must be 'off', 'published' or an object, not {config!r}")
        settings = dict(config)
        if "preset" in settings:
            self.configure(settings.pop("preset"))
        enforce = settings.pop("enforce", True)
        for name, spec in settings.items():
            targets = [b for b in self.buckets if b == name or b.startswith(name + ":")]
            if not targets:
                raise ValueError(f"unknown limit bucket {name!r}; known: {sorted(self.buckets)}")
            if not isinstance(spec, Mapping) or set(spec) - _FIELDS:
                raise ValueError(
                    f"limits for {name!r} must be an object with keys {sorted(_FIELDS)}"
                )
            changes = dict(spec)
            if "rate" in changes:
                changes["limit"] = changes.pop("rate")
                changes.setdefault("interval", 1.0)
            if changes.get("retry_after") is not None:
                changes["retry_after"] = str(changes["retry_after"])
            for bucket in targets:
                self.buckets[bucket] = replace(self.buckets[bucket], **changes)
        self.enforce = bool(enforce)

    def describe(self) -> dict[str, Any]:
        """The configuration as JSON (for ``GET /_control/limits``)."""
        return {"enforce": self.enforce, "buckets": {k: asdict(v) for k, v in self.buckets.items()}}

    def acquire(self, bucket: str, key: str = "") -> Decision:
        """Charge one request; when allowed it is in flight until :meth:`release`."""
        spec = self.buckets.get(bucket, BucketLimit())
        slot = (bucket, key)
        count = 1
        if spec.limit is not None:
            now = self._clock()
            window = self._windows.setdefault(slot, deque())
            while window and window[0] <= now - spec.interval:
                window.popleft()
            count = len(window) + 1
            if self.enforce and count > spec.limit:
                return Decision(False, bucket, key, spec, count, "rate")
            window.append(now)
        in_flight = self._in_flight.get(slot, 0)
        if self.enforce and spec.concurrency is not None and in_flight >= spec.concurrency:
            if spec.limit is not None:
                self._windows[slot].pop()  # a refused request does not use up the rate
            return Decision(False, bucket, key, spec, count, "concurrency")
        self._in_flight[slot] = in_flight + 1
        return Decision(True, bucket, key, spec, count)

    def release(self, decision: Decision) -> None:
        """End an allowed request's time in flight."""
        slot = (decision.bucket, decision.key)
        self._in_flight[slot] = max(self._in_flight.get(slot, 1) - 1, 0)

    def reset_counters(self) -> None:
        self._windows.clear()
        self._in_flight.clear()
