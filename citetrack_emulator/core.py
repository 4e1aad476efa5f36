"""Shared request plumbing: the parsed request (:class:`Call`), a service's answer to
"which route is this?" (:class:`Route`), the base class of the emulated services, and the
mutable :class:`State` the control API changes.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, ClassVar

from aiohttp import web
from multidict import MultiMapping

from citetrack_emulator.faults import FaultBook
from citetrack_emulator.limits import Decision, Limiter
from citetrack_emulator.stats import Stats
from citetrack_emulator.world import World

Handler = Callable[["Call"], Awaitable[web.StreamResponse]]


@dataclass
class State:
    """Everything the control API can change, owned by the emulator's event loop."""

    world: World
    initial_world: dict[str, Any]
    initial_limits: str | Mapping[str, Any] | None = None
    initial_latency_ms: float = 0.0
    faults: FaultBook = field(default_factory=FaultBook)
    limiter: Limiter = field(default_factory=Limiter)
    stats: Stats = field(default_factory=Stats)
    latency_ms: dict[str, float] = field(default_factory=dict)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.limiter.configure(self.initial_limits)
        self.latency_ms = {"*": self.initial_latency_ms}

    def release_hung(self) -> None:
        """Wake every request parked by a ``hang``/``timeout`` fault (they then drop)."""
        self.release.set()
        self.release = asyncio.Event()

    def reset(self) -> None:
        """Back to the world, limits and latency the emulator was started with."""
        self.world.replace(self.initial_world)
        self.faults.clear()
        self.release_hung()
        self.limiter.configure(self.initial_limits)
        self.limiter.reset_counters()
        self.latency_ms = {"*": self.initial_latency_ms}
        self.stats.reset()


@dataclass
class Call:
    """One request as the services see it."""

    request: web.Request
    service: str
    raw_path: str  # after the mount, percent-encoded as sent, without the query
    query_string: str
    params: MultiMapping[str]  # query parameters plus a POSTed form
    state: State

    @property
    def target(self) -> str:
        """Raw path plus query, relative to the mount (what fault ``path`` regexes see)."""
        return self.raw_path + ("?" + self.query_string if self.query_string else "")

    @property
    def origin(self) -> str:
        """``http://host:port`` as the client addressed this server."""
        return f"{self.request.scheme}://{self.request.host}"

    @property
    def mount_url(self) -> str:
        return f"{self.origin}/{self.service}"

    @property
    def world(self) -> World:
        return self.state.world

    def param(self, name: str, default: str = "") -> str:
        return self.params.get(name, default)


@dataclass(frozen=True)
class Route:
    """Which handler serves a request, and what it is charged to."""

    label: str  # stats key, e.g. "GET /works/{doi}"
    handler: Handler
    bucket: str | None = None  # limiter bucket
    client_key: str = ""  # client inside the bucket (NCBI: api_key or IP)
    batch: int = 0  # identifiers asked for in this one request
    asked: tuple[str, ...] = ()  # those identifiers, counted in the stats ("asked")


def html_page(title: str, body: str = "") -> str:
    safe = html.escape(title)
    return (
        f"<!DOCTYPE html>\n<html>\n<head><title>{safe}</title></head>\n"
        f"<body>\n<h1>{safe}</h1>\n{body}\n</body>\n</html>\n"
    )


def status_page(code: int) -> web.Response:
    """A bare error page such as a load balancer sends."""
    try:
        phrase = HTTPStatus(code).phrase
    except ValueError:
        phrase = "Error"
    return web.Response(
        status=code, text=html_page(f"{code} {phrase}"), content_type="text/html", charset="utf-8"
    )


class Service:
    """One emulated registry mounted at ``/{name}``."""

    name: ClassVar[str] = ""
    #: Headers the real service sends on every response (Server and friends).
    static_headers: ClassVar[Mapping[str, str]] = {}

    def route(self, call: Call) -> Route:
        raise NotImplementedError

    def limit_headers(self, call: Call, decision: Decision) -> dict[str, str]:
        """Headers that describe the caller's limits (sent on every response)."""
        return {}

    def too_many(self, call: Call, decision: Decision | None) -> web.StreamResponse:
        """The service's own style of 429."""
        return status_page(429)

    def batch_too_large(self, call: Call, route: Route, limit: int) -> web.StreamResponse:
        """Too many identifiers in one request: the front end refuses the long URI.

        No real recording exists; ``414 URI Too Long`` is what a request line over the
        server's limit gets from Jetty/nginx, which is how a too-large batch fails.
        """
        return status_page(414)

    def error_response(self, call: Call, code: int) -> web.StreamResponse:
        """Default body for a ``status`` fault that gives no body of its own."""
        return self.too_many(call, None) if code == 429 else status_page(code)


def not_found_route(label: str = "unknown") -> Route:
    async def handler(call: Call) -> web.StreamResponse:
        return status_page(404)

    return Route(label, handler)
