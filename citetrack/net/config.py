"""Network settings: paces, retry budgets, base URLs, identification, and the registry client.

* :class:`NetConfig` — base URLs, identification (``mailto``, NCBI API key), timeouts,
  retry and rate settings.  Frozen, so the config layer can ``dataclasses.replace`` it.
* :class:`RateSpec` / :class:`RetryPolicy` — a pace, and how hard to try before giving up.
* :func:`make_client` — the ``httpx.AsyncClient`` (HTTP/2 where offered, keep-alive),
  built on its first request (:class:`~citetrack.net.lazy.LazyClient`: a run answered
  from the cache imports no HTTP library).  The registry client carries the ``mailto`` in
  its User-Agent; a client made with ``identify=False`` (for arbitrary web links) carries
  no contact details.
"""

from __future__ import annotations

import functools
import math
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from citetrack import __version__
from citetrack.net.lazy import LazyClient

if TYPE_CHECKING:
    import ssl

    import httpx

PROJECT_URL = "https://github.com/citetrack/citetrack"
DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024
_MAILTO_RE = re.compile(r"^[^@\s()<>;,]+@[^@\s()<>;,]+\.[^@\s()<>;,]+$")


@dataclass(frozen=True)
class RateSpec:
    """A pace: at most ``rate`` request starts per second and ``concurrency`` in flight."""

    rate: float
    concurrency: int = 1

    def __post_init__(self) -> None:
        if not (self.rate > 0 and math.isfinite(self.rate)) or self.concurrency < 1:
            raise ValueError(f"invalid rate spec {self.rate}/s, concurrency {self.concurrency}")


# Crossref's published limits from 2025-12-01 (api-notes §1.3).  Only starting points: the
# limiter follows the headers of each response.
CROSSREF_POLITE_SINGLE = RateSpec(10.0, 3)
CROSSREF_POLITE_LIST = RateSpec(3.0, 3)
CROSSREF_PUBLIC_SINGLE = RateSpec(5.0, 1)
CROSSREF_PUBLIC_LIST = RateSpec(1.0, 1)
# NCBI: ≤ 3 requests/s without an API key, ≤ 10 with one (api-notes §2.1).
NCBI_NO_KEY = RateSpec(3.0, 3)
NCBI_WITH_KEY = RateSpec(10.0, 3)
# doi.org publishes no limit (api-notes §3.1); stay gentle.
DOI_ORG_DEFAULT = RateSpec(5.0, 2)
# Open Library asks for about 1 request/s, 3/s from a client whose User-Agent names a
# contact; Google Books allows about 1/s and a daily quota per IP without a key.
OPENLIBRARY_DEFAULT = RateSpec(1.0, 1)
OPENLIBRARY_WITH_CONTACT = RateSpec(3.0, 1)
GOOGLEBOOKS_DEFAULT = RateSpec(1.0, 1)
#: Extra spacing of registry requests (a fraction of the published pace): 5 % of a
#: one-second window is 50 ms of arrival jitter absorbed, for 5 % of the throughput.
REGISTRY_SAFETY = 0.05
#: Extra time per window when pacing to a server's sliding window (``RateLimiter(window=
#: True)``, Crossref): the margin is paid once per window of N requests, not per request;
#: 40 ms of a one-second window.  Against the local emulator in 10,000-reference runs
#: (bench/timeline.py) arrivals came up to 23 ms later than counted at a load average of
#: ~1; with 30 ms, a run at a load average of 1.5 got 2 × 429 out of 200.
WINDOW_SAFETY = 0.04
#: … the margin once the answer to the request a window counts from is in and came back
#: no later than the fastest recent answers: an arrival the server counted late (its event
#: loop or ours busy, a stall on the way) makes that answer late by as much, and the
#: excess is added back (``RateLimiter`` ``adaptive``).  5 ms covers the rest (clock
#: resolution, the fastest answer's own delay); with 10 ms the emulator's window slack
#: never went below 10.9 ms in 10,000-reference runs, with 5 ms never below 5.6 ms and
#: 0 x 429 (issue 16, bench/timeline.py).
WINDOW_SAFETY_MIN = 0.005
#: … and of NCBI's: 0.37 s at 3/s, the figure Biopython settled on after NCBI answered 429
#: to requests 0.333 s apart (``Bio.Entrez._open``).
NCBI_SAFETY = 0.11


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before a registry is declared unavailable.

    ``max_attempts`` counts every attempt (the first included).  ``max_total_wait`` bounds
    the sum of the sleeps between attempts.  A ``Retry-After`` longer than
    ``retry_after_cap`` is not waited for: retrying earlier than the server asked would be
    rude and futile, so the request ends as unavailable instead.
    """

    max_attempts: int = 4
    max_total_wait: float = 120.0
    retry_after_cap: float = 60.0
    backoff_base: float = 1.0
    backoff_max: float = 30.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")


@dataclass(frozen=True)
class NetConfig:
    """Network settings.  ``from_env`` reads the environment; the config layer adds the rest."""

    mailto: str | None = None
    ncbi_api_key: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0  # one attempt, from sending to the last body byte
    crossref_url: str = "https://api.crossref.org"
    eutils_url: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    idconv_url: str = "https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/v1/articles/"
    doi_url: str = "https://doi.org"
    wayback_url: str = "https://web.archive.org"
    openlibrary_url: str = "https://openlibrary.org"
    googlebooks_url: str = "https://www.googleapis.com"
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # ``None``: the published limits for the pool we are in (polite with a mailto).
    crossref_single_rate: RateSpec | None = None
    crossref_list_rate: RateSpec | None = None
    ncbi_rate: RateSpec | None = None  # None: 3/s, or 10/s with an API key
    doi_org_rate: RateSpec = DOI_ORG_DEFAULT
    http2: bool = True

    def __post_init__(self) -> None:
        if self.mailto is not None and not _MAILTO_RE.match(self.mailto):
            raise ValueError(f"not an e-mail address: {self.mailto!r}")
        if self.ncbi_api_key is not None and not re.fullmatch(r"[A-Za-z0-9]+", self.ncbi_api_key):
            raise ValueError("NCBI API key must be letters and digits")
        for name in (
            "crossref_url",
            "eutils_url",
            "idconv_url",
            "doi_url",
            "wayback_url",
            "openlibrary_url",
            "googlebooks_url",
        ):
            parts = urllib.parse.urlsplit(getattr(self, name))
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"{name} must be an http(s) URL, got {getattr(self, name)!r}")
        if min(self.connect_timeout, self.read_timeout, self.total_timeout) <= 0:
            raise ValueError("timeouts must be positive")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> NetConfig:
        """Defaults overridden by ``CITETRACK_*_URL``, ``CITETRACK_MAILTO``, ``NCBI_API_KEY``.

        Empty variables count as unset.  Raises ``ValueError`` for unusable values.
        """

        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        defaults = cls()
        return cls(
            mailto=get("CITETRACK_MAILTO"),
            ncbi_api_key=get("NCBI_API_KEY"),
            crossref_url=get("CITETRACK_CROSSREF_URL") or defaults.crossref_url,
            eutils_url=get("CITETRACK_EUTILS_URL") or defaults.eutils_url,
            idconv_url=get("CITETRACK_IDCONV_URL") or defaults.idconv_url,
            doi_url=get("CITETRACK_DOI_URL") or defaults.doi_url,
            wayback_url=get("CITETRACK_WAYBACK_URL") or defaults.wayback_url,
            openlibrary_url=get("CITETRACK_OPENLIBRARY_URL") or defaults.openlibrary_url,
            googlebooks_url=get("CITETRACK_GOOGLEBOOKS_URL") or defaults.googlebooks_url,
        )

    @property
    def timeout(self) -> httpx.Timeout:
        import httpx  # noqa: PLC0415 - only when a client is built (citetrack.net.lazy)

        return httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.read_timeout,
            pool=self.total_timeout,
        )

    def crossref_rates(self) -> tuple[RateSpec, RateSpec]:
        """Starting (single-record, list) paces for Crossref."""
        if self.mailto:
            single, listing = CROSSREF_POLITE_SINGLE, CROSSREF_POLITE_LIST
        else:
            single, listing = CROSSREF_PUBLIC_SINGLE, CROSSREF_PUBLIC_LIST
        return self.crossref_single_rate or single, self.crossref_list_rate or listing

    def ncbi_rate_spec(self) -> RateSpec:
        """The E-utilities pace; also its ceiling, whatever the headers say."""
        if self.ncbi_rate is not None:
            return self.ncbi_rate
        return NCBI_WITH_KEY if self.ncbi_api_key else NCBI_NO_KEY


def user_agent(mailto: str | None) -> str:
    """``citetrack/<version> (<project URL>; mailto:<address>)`` — Crossref's polite form."""
    contact = f"; mailto:{mailto}" if mailto else ""
    return f"citetrack/{__version__} ({PROJECT_URL}{contact})"


def make_client(
    config: NetConfig,
    *,
    identify: bool = True,
    follow_redirects: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
    max_connections: int = 20,
) -> LazyClient:
    """An async client with citetrack's User-Agent, timeouts and connection limits, built
    on its first request (:class:`~citetrack.net.lazy.LazyClient`; :func:`build_client`
    builds it).

    ``identify=True`` puts the ``mailto`` in the User-Agent: use that client only for the
    registries.  Link checking must use ``identify=False``.  ``transport`` is for tests
    (``httpx.MockTransport``) and for the emulator.
    """
    return LazyClient(
        functools.partial(
            build_client,
            config,
            identify=identify,
            follow_redirects=follow_redirects,
            transport=transport,
            max_connections=max_connections,
        )
    )


def build_client(
    config: NetConfig,
    *,
    identify: bool = True,
    follow_redirects: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
    max_connections: int = 20,
) -> httpx.AsyncClient:
    """The ``httpx.AsyncClient`` that :func:`make_client` stands for, built now."""
    import httpx  # noqa: PLC0415 - the HTTP stack is imported when a request is made

    headers = {
        "User-Agent": user_agent(config.mailto if identify else None),
        # Only what the bounded inflater decodes (httpx would add br/zstd if installed).
        "Accept-Encoding": "gzip, deflate",
    }
    limits = httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_connections // 2 or 1,
        keepalive_expiry=30.0,
    )
    http2 = config.http2 and transport is None
    return httpx.AsyncClient(
        headers=headers,
        timeout=config.timeout,
        limits=limits,
        http2=http2,
        follow_redirects=follow_redirects,
        transport=transport,
        verify=True if transport is not None else _tls_context(http2),
    )


@functools.cache
def _tls_context(http2: bool) -> ssl.SSLContext:
    """httpx's default TLS context (certifi's roots, ``SSL_CERT_FILE``/``SSL_CERT_DIR``),
    made once per process: loading the roots took 50 ms per client, two clients per run.
    One per ``http2`` value, because httpcore sets the context's ALPN list on connecting."""
    import httpx  # noqa: PLC0415 - see build_client

    return httpx.create_ssl_context(verify=True, trust_env=True)


def join_url(base: str, *segments: str) -> str:
    """``base`` with already-encoded path ``segments`` appended, one ``/`` between each."""
    url = base.rstrip("/")
    for segment in segments:
        url += "/" + segment.lstrip("/")
    return url
