"""HTTP policy: one place for every rule of good conduct towards the servers we ask.

The modules, one job each:

* :mod:`~citetrack.net.config` — :class:`NetConfig` (base URLs, identification, timeouts,
  retry and rate settings), :class:`RateSpec`, :class:`RetryPolicy`, the User-Agent and the
  registry client (:func:`make_client`, built on its first request: :class:`LazyClient`);
* :mod:`~citetrack.net.pacing` — :class:`RateLimiter` (spacing of requests on the wire,
  concurrency caps, server-announced limits, slow-down after a 429) and the registry
  :class:`Limiters`;
* :mod:`~citetrack.net.retry` — the one retry policy (:func:`retry_outcome`): retryable
  outcomes, ``Retry-After``, backoff, attempt and waiting budgets; used by the registries,
  the link checker and the Wayback client alike;
* :mod:`~citetrack.net.client` — the registry request path (:func:`request`, :class:`Http`
  with its circuit breaker), :class:`RequestStats` and :class:`ServiceUnavailable`;
* :mod:`~citetrack.net.lazy` — :class:`LazyClient`, the client built on its first request
  (a run answered from the cache imports no HTTP library);
* :mod:`~citetrack.net.urlsafety` — the SSRF guard for arbitrary web links;
* :mod:`~citetrack.net.switching` — the interpreter's thread switch interval, lowered while
  requests paced to the millisecond share the process with threads that compute.

Clocks and sleeps are injectable everywhere, so tests never wait for real time.
"""

from __future__ import annotations

from citetrack.net.client import (
    Http,
    RequestStats,
    ServiceUnavailable,
    read_capped,
    redact_url,
    request,
)
from citetrack.net.config import (
    DEFAULT_MAX_BODY_BYTES,
    GOOGLEBOOKS_DEFAULT,
    OPENLIBRARY_DEFAULT,
    OPENLIBRARY_WITH_CONTACT,
    PROJECT_URL,
    NetConfig,
    RateSpec,
    RetryPolicy,
    build_client,
    join_url,
    make_client,
    user_agent,
)
from citetrack.net.lazy import LazyClient
from citetrack.net.pacing import Clock, Limiters, RateLimiter, Sleep, Turn
from citetrack.net.retry import (
    RETRY_STATUSES,
    RetryAdvice,
    Tried,
    parse_retry_after,
    retry_outcome,
)

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "GOOGLEBOOKS_DEFAULT",
    "OPENLIBRARY_DEFAULT",
    "OPENLIBRARY_WITH_CONTACT",
    "PROJECT_URL",
    "RETRY_STATUSES",
    "Clock",
    "Http",
    "LazyClient",
    "Limiters",
    "NetConfig",
    "RateLimiter",
    "RateSpec",
    "RequestStats",
    "RetryAdvice",
    "RetryPolicy",
    "ServiceUnavailable",
    "Sleep",
    "Tried",
    "Turn",
    "build_client",
    "join_url",
    "make_client",
    "parse_retry_after",
    "read_capped",
    "redact_url",
    "request",
    "retry_outcome",
    "user_agent",
]
