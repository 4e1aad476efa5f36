"""Running the emulator: :class:`Emulator` (a background thread, for tests and benchmarks)
and :func:`serve` (the foreground server behind ``python -m citetrack_emulator``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from citetrack_emulator.app import build_app
from citetrack_emulator.core import State
from citetrack_emulator.faults import SERVICES, FaultRule
from citetrack_emulator.world import World, load_world

T = TypeVar("T")

#: Environment variables through which citetrack is pointed at the emulator.
ENV_PATHS = {
    "CITETRACK_CROSSREF_URL": "/crossref",
    "CITETRACK_EUTILS_URL": "/eutils",
    "CITETRACK_IDCONV_URL": "/idconv/",
    "CITETRACK_DOI_URL": "/doi",
    "CITETRACK_WAYBACK_URL": "/wayback",
    "CITETRACK_OPENLIBRARY_URL": "/openlibrary",
    "CITETRACK_GOOGLEBOOKS_URL": "/googlebooks",
    "CITETRACK_WIKI_API_URL": "/mediawiki/w/api.php",
}
_BIND_ATTEMPTS = 5


def env_for(url: str) -> dict[str, str]:
    """The ``CITETRACK_*_URL`` variables for an emulator at ``url``."""
    return {name: url + path for name, path in ENV_PATHS.items()}


def page_host_ips(count: int) -> list[str]:
    """The extra loopback addresses used for ``--page-hosts``: 127.0.0.2 … 127.0.0.(N+1)."""
    if not 0 <= count <= 253:
        raise ValueError("page_hosts must be between 0 and 253")
    return [f"127.0.0.{i}" for i in range(2, count + 2)]


class _Server:
    """The aiohttp runner bound to one port on one or more loopback addresses."""

    def __init__(
        self,
        world: dict[str, Any],
        *,
        host: str,
        port: int,
        page_hosts: int,
        limits: str | Mapping[str, Any] | None,
        latency_ms: float,
    ) -> None:
        self._settings = (world, limits, latency_ms)
        self.hosts = [host, *[ip for ip in page_host_ips(page_hosts) if ip != host]]
        self.requested_port = port
        self.port = 0
        self.state: State | None = None
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        world, limits, latency_ms = self._settings
        self.state = State(World(world), world, limits, latency_ms)
        self._runner = web.AppRunner(
            build_app(self.state), access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        for attempt in range(_BIND_ATTEMPTS):
            try:
                await self._bind()
                return
            except OSError:
                # Port 0 picked a port that is taken on another loopback address: retry.
                for site in list(self._runner.sites):
                    await site.stop()
                if self.requested_port or attempt == _BIND_ATTEMPTS - 1:
                    raise

    async def _bind(self) -> None:
        assert self._runner is not None
        first = web.TCPSite(self._runner, self.hosts[0], self.requested_port)
        await first.start()
        self.port = self._runner.addresses[0][1]
        for ip in self.hosts[1:]:
            await web.TCPSite(self._runner, ip, self.port).start()

    async def stop(self) -> None:
        if self.state is not None:
            self.state.release_hung()
        if self._runner is not None:
            await self._runner.cleanup()


class Emulator:
    """The emulator in a background thread with its own event loop; a context manager.

    >>> with Emulator() as emu:                    # doctest: +SKIP
    ...     httpx.get(emu.url + "/crossref/works/10.3322/caac.20005").json()["message"]["title"]
    ['Cutaneous manifestations of internal malignancy']
    """

    def __init__(
        self,
        world: Mapping[str, Any] | str | Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        page_hosts: int = 0,
        limits: str | Mapping[str, Any] | None = None,
        latency_ms: float = 0.0,
    ) -> None:
        self._server = _Server(
            load_world(world),
            host=host,
            port=port,
            page_hosts=page_hosts,
            limits=limits,
            latency_ms=latency_ms,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ life cycle

    def start(self) -> Emulator:
        """Start serving; returns once the port is bound."""
        if self._thread is not None:
            return self
        loop = asyncio.new_event_loop()
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._server.start())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                started.set()
                loop.close()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._server.stop())
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="citetrack-emulator", daemon=True)
        self._thread.start()
        started.wait()
        if failure:
            self._thread.join()
            self._thread = self._loop = None
            raise failure[0]
        return self

    def stop(self) -> None:
        """Stop serving and join the thread."""
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._thread = self._loop = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ addresses

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (the first host)."""
        return f"http://{self._server.hosts[0]}:{self.port}"

    @property
    def hosts(self) -> list[str]:
        """Every address the emulator listens on (the first is :attr:`url`'s)."""
        return list(self._server.hosts)

    def env(self) -> dict[str, str]:
        """``CITETRACK_*_URL`` variables pointing citetrack at this emulator."""
        return env_for(self.url)

    def page_url(self, path: str, host: int = 0) -> str:
        """URL of a world page on host number ``host``: ``"/ok"`` → ``http://127.0.0.1:P/pages/ok``."""
        return f"http://{self._server.hosts[host]}:{self.port}/pages{path}"

    # ------------------------------------------------------------------ control

    def _call(self, fn: Callable[[State], T]) -> T:
        if self._loop is None or self._server.state is None:
            raise RuntimeError("the emulator is not running")
        state = self._server.state

        async def run() -> T:
            return fn(state)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout=60)

    def world(self) -> dict[str, Any]:
        """A copy of the current world document."""
        return self._call(lambda s: s.world.snapshot())

    def set_world(self, world: Mapping[str, Any] | str | Path | None) -> None:
        """Replace the world (``None``: the shipped seed world)."""
        data = load_world(world)
        self._call(lambda s: s.world.replace(data))

    def patch_world(self, patch: Mapping[str, Any]) -> None:
        """Change the world with a JSON merge patch (``None`` values delete)."""
        self._call(lambda s: s.world.merge(patch))

    def add_fault(self, service: str = "*", kind: str = "status", **options: Any) -> str:
        """Add a fault rule; ``options`` are the match keys (``path``, ``method``, ``times``,
        ``after``, ``probability``, ``seed``) and the kind's parameters.  Returns its id."""
        rule = FaultRule.from_json({"service": service, "kind": kind, **options})
        return self._call(lambda s: s.faults.add(rule).id)

    def faults(self) -> list[dict[str, Any]]:
        return self._call(lambda s: [rule.to_json() for rule in s.faults.rules])

    def remove_fault(self, rule_id: str) -> bool:
        return self._call(lambda s: s.faults.remove(rule_id))

    def clear_faults(self) -> None:
        """Remove every fault rule and release requests parked by ``hang``/``timeout``."""

        def clear(state: State) -> None:
            state.faults.clear()
            state.release_hung()

        self._call(clear)

    def set_limits(self, limits: str | Mapping[str, Any] | None) -> dict[str, Any]:
        """``"off"``, ``"published"`` or bucket settings (see :mod:`citetrack_emulator.limits`)."""

        def configure(state: State) -> dict[str, Any]:
            state.limiter.configure(limits)
            return state.limiter.describe()

        return self._call(configure)

    def set_latency(self, ms: float, service: str = "*") -> None:
        """Base latency added to every request of one service (or all)."""
        if service != "*" and service not in SERVICES:
            raise ValueError(f"unknown service {service!r}")

        def assign(state: State) -> None:
            state.latency_ms[service] = float(ms)

        self._call(assign)

    def stats(self) -> dict[str, Any]:
        return self._call(lambda s: s.stats.to_json())

    def reset(self) -> None:
        """Start-up world, limits and latency; no faults; zeroed statistics."""
        self._call(lambda s: s.reset())


async def serve(
    world: Mapping[str, Any] | str | Path | None,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    page_hosts: int = 0,
    limits: str | Mapping[str, Any] | None = None,
    latency_ms: float = 0.0,
    ready: Callable[[str, list[str]], None] | None = None,
) -> None:
    """Serve in the current event loop until cancelled; ``ready(url, hosts)`` once bound."""
    server = _Server(
        load_world(world),
        host=host,
        port=port,
        page_hosts=page_hosts,
        limits=limits,
        latency_ms=latency_ms,
    )
    await server.start()
    try:
        if ready is not None:
            ready(f"http://{server.hosts[0]}:{server.port}", server.hosts)
        await asyncio.Event().wait()
    finally:
        await server.stop()
