"""The aiohttp application: the six emulated services plus the control API.

Control API (JSON in, JSON out, under ``/_control``):

=========================  ===================================================================
``GET /world``             the current world document
``PUT /world``             replace the world
``PATCH /world``           JSON merge patch (RFC 7396): objects merge, ``null`` deletes
``GET /faults``            active fault rules with their ``matched``/``applied`` counters
``POST /faults``           add one rule (object) or several (array) → ``{"ids": [...]}``
``DELETE /faults[/{id}]``  remove all rules (and release hung requests), or one
``GET/POST /limits``       read / set limits: ``"off"``, ``"published"`` or an object
``POST /latency``          ``{"ms": 100}`` for every service or ``{"ms": 50, "service": "pages"}``
``GET /stats``             request counters (see :mod:`citetrack_emulator.stats`)
``POST /reset``            back to the start-up world, limits and latency; no faults; zero stats
=========================  ===================================================================
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from citetrack_emulator.core import State
from citetrack_emulator.faults import SERVICES, FaultRule
from citetrack_emulator.pipeline import Pipeline
from citetrack_emulator.services import all_services
from citetrack_emulator.world import WorldError

#: A world of 10,000+ works can be tens of megabytes of JSON.
MAX_CONTROL_BODY = 512 * 1024 * 1024

ControlHandler = Callable[[State, Any, web.Request], Any]


def build_app(state: State) -> web.Application:
    """The whole emulator as one aiohttp application."""
    app = web.Application(client_max_size=MAX_CONTROL_BODY)
    pipeline = Pipeline(state, all_services())
    for name in pipeline.services:
        handler = pipeline.handler(name)
        app.router.add_route("*", f"/{name}", handler)
        app.router.add_route("*", f"/{name}/{{tail:.*}}", handler)
    routes: list[tuple[str, str, ControlHandler]] = [
        ("GET", "/world", lambda s, body, r: s.world.snapshot()),
        ("PUT", "/world", _put_world),
        ("PATCH", "/world", _patch_world),
        ("GET", "/faults", lambda s, body, r: [rule.to_json() for rule in s.faults.rules]),
        ("POST", "/faults", _add_faults),
        ("DELETE", "/faults", _clear_faults),
        ("DELETE", "/faults/{id}", _remove_fault),
        ("GET", "/limits", lambda s, body, r: s.limiter.describe()),
        ("POST", "/limits", _set_limits),
        ("POST", "/latency", _set_latency),
        ("GET", "/stats", lambda s, body, r: s.stats.to_json()),
        ("POST", "/reset", _reset),
        ("GET", "/health", lambda s, body, r: {"ok": True}),
    ]
    for method, path, fn in routes:
        app.router.add_route(method, "/_control" + path, _control(state, fn))
    app.on_response_prepare.append(pipeline.on_prepare)
    return app


def _control(state: State, fn: ControlHandler) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        try:
            body = await request.json() if request.can_read_body else None
            result = fn(state, body, request)
        except (ValueError, TypeError, WorldError) as exc:  # includes JSON decode errors
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response(result, dumps=lambda obj: json.dumps(obj, ensure_ascii=False))

    return handle


def _put_world(state: State, body: Any, request: web.Request) -> Any:
    state.world.replace(body if body is not None else {})
    return {"ok": True}


def _patch_world(state: State, body: Any, request: web.Request) -> Any:
    state.world.merge(body if body is not None else {})
    return {"ok": True}


def _add_faults(state: State, body: Any, request: web.Request) -> Any:
    specs = body if isinstance(body, list) else [body]
    if not all(isinstance(spec, dict) for spec in specs):
        raise ValueError("a fault is a JSON object (or an array of them)")
    rules = [FaultRule.from_json(spec) for spec in specs]  # validate all before adding any
    return {"ids": [state.faults.add(rule).id for rule in rules]}


def _clear_faults(state: State, body: Any, request: web.Request) -> Any:
    state.faults.clear()
    state.release_hung()
    return {"ok": True}


def _remove_fault(state: State, body: Any, request: web.Request) -> Any:
    return {"ok": state.faults.remove(request.match_info["id"])}


def _set_limits(state: State, body: Any, request: web.Request) -> Any:
    state.limiter.configure(body)
    return state.limiter.describe()


def _set_latency(state: State, body: Any, request: web.Request) -> Any:
    if not isinstance(body, dict) or not isinstance(body.get("ms"), int | float):
        raise ValueError('latency needs {"ms": <number>} and optionally "service"')
    service = str(body.get("service", "*"))
    if service != "*" and service not in SERVICES:
        raise ValueError(f"unknown service {service!r}")
    state.latency_ms[service] = float(body["ms"])
    return {"latency_ms": state.latency_ms}


def _reset(state: State, body: Any, request: web.Request) -> Any:
    state.reset()
    return {"ok": True}
