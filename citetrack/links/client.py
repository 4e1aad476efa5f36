"""The HTTP client for arbitrary web links: SSRF-guarded, anonymous, no redirects followed.

Kept apart from the registry client (:func:`citetrack.net.make_client`), which carries the
user's ``mailto`` and keys: nothing here identifies the user to the sites a bibliography
cites.
"""

from __future__ import annotations

import httpx

from citetrack.net import user_agent
from citetrack.net.urlsafety import GuardedTransport, Resolver

__all__ = ["DEFAULT_LINK_TIMEOUT", "LINK_HEADERS", "link_timeout", "make_link_client"]

#: What a browser would send, minus anything that identifies the user: the project's
#: User-Agent without a ``mailto``, and only the encodings we can decode with a bound.
LINK_HEADERS = {
    "User-Agent": user_agent(None),
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.8,*;q=0.5",
    "Accept-Encoding": "gzip, deflate",
}
DEFAULT_LINK_TIMEOUT = httpx.Timeout(15.0, connect=10.0)


def link_timeout(seconds: float) -> httpx.Timeout:
    """The link client's timeout for a ``--timeout`` of ``seconds``: that long for each
    read, write and pool wait, at most 10 s to connect."""
    return httpx.Timeout(seconds, connect=min(seconds, 10.0))


def make_link_client(
    *,
    allow_private: bool = False,
    resolver: Resolver | None = None,
    timeout: httpx.Timeout | float = DEFAULT_LINK_TIMEOUT,
    verify: bool = True,
    max_connections: int = 50,
) -> httpx.AsyncClient:
    """The client for web links: SSRF-guarded transport, no identification, no env proxies.

    Kept apart from the registry client, which carries the user's ``mailto`` and keys.
    """
    limits = httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max(1, max_connections // 5),
        keepalive_expiry=10.0,
    )
    return httpx.AsyncClient(
        transport=GuardedTransport(
            allow_private=allow_private, resolver=resolver, verify=verify, limits=limits
        ),
        headers=LINK_HEADERS,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    )
