"""The path of every emulated request: route → stats → limits → latency → fault → handler.

Also carries out faults on the wire: status codes, connection resets, hangs, truncated
and slowly dripped bodies, malformed payloads, XML bombs, endless bodies, redirect loops.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

from aiohttp import web
from aiohttp.http import SERVER_SOFTWARE
from multidict import MultiDict, MultiDictProxy, MultiMapping

from citetrack_emulator.core import Call, Route, Service, State, html_page
from citetrack_emulator.faults import FaultRule
from citetrack_emulator.limits import Decision

#: Valid JSON in none of the shapes a client expects: ``message`` is a string, ``result``
#: an array, ``records`` an object, ``items`` null.
WRONG_SHAPE_JSON = b'{"status":"ok","message":"unexpected","result":[],"records":{},"items":null}'

#: What a captive portal or misconfigured proxy returns where JSON was expected.
HTML_INSTEAD_OF_JSON = html_page(
    "Access Denied", "<p>The requested URL was rejected. Please consult your administrator.</p>"
)

#: "Billion laughs": ten nested entity levels expand to 10^9 "lol"s (~3 GB) in a naive parser.
XML_BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n<PubmedArticleSet><PubmedArticle>&lol9;</PubmedArticle></PubmedArticleSet>\n"
).encode()

#: An external entity that would read a local file in a parser that resolves entities.
XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [\n'
    b' <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
    b"<PubmedArticleSet><PubmedArticle>&xxe;</PubmedArticle></PubmedArticleSet>\n"
)

_CHUNK = 64 * 1024
_FOREVER = 3600.0


class Aborted(web.Response):
    """Marker: the connection was aborted, nothing more is sent."""


class Pipeline:
    """Serves every request of the emulated services (one instance per app)."""

    def __init__(self, state: State, services: Mapping[str, Service]) -> None:
        self.state = state
        self.services = dict(services)
        # Headers each in-flight request's service adds to its response, by id(request).
        self._headers: dict[int, dict[str, str]] = {}

    async def on_prepare(self, request: web.Request, response: web.StreamResponse) -> None:
        """``on_response_prepare`` signal: add the service's headers to whatever it answers.

        A response's own headers win; aiohttp's default ``Server`` header does not.
        """
        extra = self._headers.get(id(request))
        if extra:
            _add_headers(response, extra)

    def handler(self, name: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self.serve(name, request)

        return handle

    async def serve(self, name: str, request: web.Request) -> web.StreamResponse:
        try:
            response = await self._serve(name, request)
            # A plain Response is prepared after this returns: add the headers now.
            if not response.prepared:
                _add_headers(response, self._headers.get(id(request), {}))
            return response
        finally:
            self._headers.pop(id(request), None)

    async def _serve(self, name: str, request: web.Request) -> web.StreamResponse:
        service, state = self.services[name], self.state
        call = await _make_call(request, name, state)
        route = service.route(call)
        host = request.host.rsplit(":", 1)[0] if name == "pages" else None
        headers = self._headers[id(request)] = dict(service.static_headers)
        span = state.stats.begin(name, route.label, host)
        status: int | str = "reset"
        decision: Decision | None = None
        try:
            if route.bucket is not None:
                decision = state.limiter.acquire(route.bucket, route.client_key)
                headers.update(service.limit_headers(call, decision))
                if not decision.allowed:
                    state.stats.rate_limited(name)
                    refused = service.too_many(call, decision)
                    decision = None
                    status = refused.status
                    return refused
                batch = decision.limit.batch
                if batch is not None and route.batch > batch:
                    response = service.batch_too_large(call, route, batch)
                    status = response.status
                    return response
            state.stats.asked(name, route.asked)  # past the limiter: really asked
            # Latency is time spent in the server: the request counts as in flight meanwhile.
            latency = state.latency_ms.get(name, state.latency_ms.get("*", 0.0))
            if latency > 0:
                await asyncio.sleep(latency / 1000)
            rule = state.faults.pick(name, request.method, call.target)
            if rule is None:
                response = await route.handler(call)
            else:
                state.stats.fault(name, rule.kind)
                response = await self._apply(rule, call, route, service)
            status = "reset" if isinstance(response, Aborted) else response.status
            return response
        finally:
            if decision is not None:
                state.limiter.release(decision)
            state.stats.end(name, status, host, span)

    # ------------------------------------------------------------------ faults on the wire

    async def _apply(
        self, rule: FaultRule, call: Call, route: Route, service: Service
    ) -> web.StreamResponse:
        p, kind, request = rule.params, rule.kind, call.request
        if kind == "status":
            code = int(p.get("code", 500))
            if "body" in p:
                response: web.StreamResponse = web.Response(
                    status=code,
                    body=str(p["body"]).encode(),
                    content_type=str(p.get("content_type", "text/plain")),
                )
            else:
                response = service.error_response(call, code)
            response.headers.update(
                {str(k): str(v) for k, v in dict(p.get("headers") or {}).items()}
            )
            if p.get("retry_after") is not None:
                response.headers["Retry-After"] = str(p["retry_after"])
            return response
        if kind == "reset":
            return _abort(request)
        if kind in ("timeout", "hang"):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.state.release.wait(), float(p.get("seconds", _FOREVER)))
            return _abort(request)
        if kind == "latency":
            await asyncio.sleep(float(p.get("ms", 1000)) / 1000)
            return await route.handler(call)
        if kind == "truncated":
            real = await route.handler(call)
            body = _body(real)
            cut = int(len(body) * float(p.get("fraction", 0.5)))
            stream = _like(real, len(body))
            await stream.prepare(request)
            await stream.write(body[:cut])
            return _abort(request)
        if kind == "invalid_json":
            real = await route.handler(call)
            body = _body(real)
            broken = body[: len(body) // 2] if len(body) > 20 else b'{"status":"ok","message":'
            return _json(broken, int(p.get("code", 200)))
        if kind == "wrong_shape_json":
            return _json(WRONG_SHAPE_JSON, int(p.get("code", 200)))
        if kind == "html_instead_of_json":
            return web.Response(
                status=int(p.get("code", 200)), text=HTML_INSTEAD_OF_JSON, content_type="text/html"
            )
        if kind in ("xml_bomb", "xxe"):
            return web.Response(
                body=XML_BOMB if kind == "xml_bomb" else XXE,
                content_type="text/xml",
                charset="UTF-8",
            )
        if kind == "huge_body":
            size = int(p.get("size", 2 * 1024**3))
            stream = web.StreamResponse(status=200)
            stream.content_type = str(p.get("content_type", "application/json"))
            return await send_stream(request, stream, filler(size), size)
        if kind == "slow_drip":
            real = await route.handler(call)
            body = _body(real)
            chunks = drip(body, int(p.get("chunk_bytes", 1)), float(p.get("interval_ms", 200)))
            return await send_stream(request, _like(real, len(body)), chunks, len(body))
        if kind == "redirect_loop":
            return web.Response(
                status=int(p.get("code", 302)), headers={"Location": str(request.url)}
            )
        raise AssertionError(kind)  # FaultRule validated the kind


# ------------------------------------------------------------------ helpers


async def _make_call(request: web.Request, name: str, state: State) -> Call:
    raw, _, query_string = request.raw_path.partition("?")
    raw = raw[len(name) + 1 :] or "/"
    params: MultiMapping[str] = request.query
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        merged: MultiDict[str] = MultiDict(request.query)
        form = await request.post()
        merged.extend((k, v) for k, v in form.items() if isinstance(v, str))
        params = MultiDictProxy(merged)
    return Call(request, name, raw, query_string, params, state)


def _add_headers(response: web.StreamResponse, extra: Mapping[str, str]) -> None:
    if response.headers.get("Server") == SERVER_SOFTWARE:
        del response.headers["Server"]
    for name, value in extra.items():
        response.headers.setdefault(name, value)


def _abort(request: web.Request) -> Aborted:
    if request.transport is not None:
        request.transport.abort()
    return Aborted()


def _body(response: web.StreamResponse) -> bytes:
    if isinstance(response, web.Response) and isinstance(response.body, bytes | bytearray):
        return bytes(response.body)
    return b""


def _json(body: bytes, status: int) -> web.Response:
    return web.Response(status=status, body=body, content_type="application/json")


def _like(response: web.StreamResponse, length: int) -> web.StreamResponse:
    """A streaming copy of a response's status and headers, declaring ``length`` bytes."""
    stream = web.StreamResponse(status=response.status, headers=response.headers)
    stream.content_length = length
    return stream


async def filler(size: int) -> AsyncIterator[bytes]:
    """``size`` bytes generated as they are sent (never held in memory)."""
    block = (b'{"items":[' + b'"emulated filler",' * (_CHUNK // 18))[:_CHUNK]
    sent = 0
    while sent < size:
        part = block[: min(_CHUNK, size - sent)]
        sent += len(part)
        yield part


async def drip(body: bytes, chunk_bytes: int, interval_ms: float) -> AsyncIterator[bytes]:
    """The body in ``chunk_bytes`` pieces, one every ``interval_ms``."""
    for start in range(0, len(body), max(chunk_bytes, 1)):
        if start:
            await asyncio.sleep(interval_ms / 1000)
        yield body[start : start + max(chunk_bytes, 1)]


async def send_stream(
    request: web.Request,
    response: web.StreamResponse,
    chunks: AsyncIterator[bytes],
    length: int | None,
) -> web.StreamResponse:
    """Stream chunks; a client that hangs up just ends the stream."""
    if length is not None:
        response.content_length = length
    await response.prepare(request)
    if request.method == "HEAD":
        return response
    try:
        async for chunk in chunks:
            await response.write(chunk)
        await response.write_eof()
    except ConnectionError:
        return Aborted()
    return response
