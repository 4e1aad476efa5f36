"""An HTTP client built on its first request (issue 16: a warm run's start-up).

A warm check is answered from the cache and often sends no request at all, yet it used to
import httpx, httpcore, h2, anyio and ssl and to build two clients with a TLS context
(~0.1 s of a 1.6 s run).  :func:`citetrack.net.make_client` now returns a
:class:`LazyClient`: the services receive it as they received the client, and the real
``httpx.AsyncClient`` — same headers, timeouts, limits, HTTP/2, proxies and
environment — is built by the first call that needs it.

* Thread-safe: the first use from any thread builds the one client (a lock around the
  build); the prefetch builds its client in the loading thread (:meth:`LazyClient.real`)
  before handing work to its own thread.
* Closing: a client never built is never closed (nothing was opened); one that was built
  is closed as ``async with httpx.AsyncClient(...)`` closes it.  Once closed, a
  :class:`LazyClient` builds nothing more (a request raises ``RuntimeError``, as httpx's
  closed client does).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import httpx


class LazyClient:
    """Stands for an ``httpx.AsyncClient`` until the first request; see the module."""

    def __init__(self, build: Callable[[], httpx.AsyncClient]) -> None:
        self._build: Callable[[], httpx.AsyncClient] | None = build
        self._client: httpx.AsyncClient | None = None
        self._lock = threading.Lock()
        self._closed = False

    @property
    def built(self) -> bool:
        """Whether the real client exists (a request was made, or :meth:`real` called)."""
        return self._client is not None

    def real(self) -> httpx.AsyncClient:
        """The real client, built now if it does not exist yet (once, whichever thread)."""
        client = self._client
        if client is not None:
            return client
        with self._lock:
            if self._client is None:
                if self._closed or self._build is None:
                    raise RuntimeError("Cannot send a request, as the client has been closed.")
                self._client = self._build()
                self._build = None
            return self._client

    def build_request(self, method: str, url: str, **kwargs: Any) -> httpx.Request:
        return self.real().build_request(method, url, **kwargs)

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        return await self.real().send(request, **kwargs)

    def __getattr__(self, name: str) -> Any:
        # Everything else an httpx.AsyncClient offers (``get``, ``headers``, ``stream``…)
        # builds it too.  Private and special names do not: copy, pickle and debuggers
        # probe those, and would build a client for nothing.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.real(), name)

    def _closing(self) -> httpx.AsyncClient | None:
        """Build nothing from now on; the real client to close, if one was built."""
        with self._lock:
            self._closed = True
            self._build = None
            return self._client

    async def aclose(self) -> None:
        """Close the real client if it was built; build nothing from now on."""
        client = self._closing()
        if client is not None:
            await client.aclose()

    async def __aenter__(self) -> LazyClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        client = self._closing()
        if client is not None:
            # What leaving ``async with httpx.AsyncClient(...)`` does: close the transport
            # and the proxies' mounts.
            await client.__aexit__(exc_type, exc, tb)


#: What the request path accepts: a built client or a lazy one.
AsyncClientLike: TypeAlias = "httpx.AsyncClient | LazyClient"
