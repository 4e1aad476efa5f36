"""www.googleapis.com Books API: ``/books/v1/volumes?q=isbn:…`` and ``/books/v1/volumes/{id}``.

Documented shape (https://developers.google.com/books/docs/v1/reference/volumes/list; no
response was recorded for this project): ``{"kind": "books#volumes", "totalItems": N,
"items": [volume…]}``, ``items`` absent when nothing matched; a volume is ``{"kind":
"books#volume", "id", "etag", "selfLink", "volumeInfo": {…}}``.  Only ``isbn:`` queries
are answered from the world (any other query finds nothing).

Errors in Google's JSON error format: an exhausted keyless quota is 429
``RESOURCE_EXHAUSTED`` with ``reason: rateLimitExceeded`` (as reported in
next-l/enju_leaf#2034 and bdlukaa/books_finder#26); the older 403 ``dailyLimitExceeded``
body (murer/dsopz#6, another Google API) is what :func:`daily_limit_body` gives, for fault
rules.  Limit bucket ``googlebooks``: about one request a second.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from aiohttp import web

from citetrack_emulator.core import Call, Route, Service, not_found_route
from citetrack_emulator.limits import Decision

_ISBN_QUERY = re.compile(r"^\s*isbn:\s*([0-9Xx-]+)\s*$")

QUOTA_MESSAGE = (
    "Quota exceeded for quota metric 'Queries' and limit 'Queries per day' of service "
    "'books.googleapis.com' for consumer 'project_number:000000000000'."
)


def quota_body() -> dict[str, Any]:
    """The 429 body of an exhausted keyless quota (reported shape, not recorded here)."""
    return {
        "error": {
            "code": 429,
            "message": QUOTA_MESSAGE,
            "errors": [
                {"message": QUOTA_MESSAGE, "domain": "global", "reason": "rateLimitExceeded"}
            ],
            "status": "RESOURCE_EXHAUSTED",
        }
    }


def daily_limit_body() -> dict[str, Any]:
    """The older 403 ``dailyLimitExceeded`` body of Google APIs (reported shape)."""
    message = "Daily Limit Exceeded. The quota will be reset at midnight Pacific Time (PT)."
    return {
        "error": {
            "errors": [
                {"domain": "usageLimits", "reason": "dailyLimitExceeded", "message": message}
            ],
            "code": 403,
            "message": message,
        }
    }


class GoogleBooks(Service):
    name = "googlebooks"
    static_headers: ClassVar[Mapping[str, str]] = {
        "Server": "ESF",
        "Vary": "Origin, X-Origin, Referer",
        "Cache-Control": "private",
    }

    def route(self, call: Call) -> Route:
        path = call.raw_path.rstrip("/")
        client = call.request.remote or ""
        if path == "/books/v1/volumes":
            return Route("GET /books/v1/volumes", self.volumes, "googlebooks", client, 1)
        if path.startswith("/books/v1/volumes/"):
            volume_id = path.rsplit("/", 1)[1]
            return Route(
                "GET /books/v1/volumes/{id}",
                lambda c: self.volume(c, volume_id),
                "googlebooks",
                client,
            )
        return not_found_route()

    def too_many(self, call: Call, decision: Decision | None) -> web.StreamResponse:
        return _json(quota_body(), 429)

    async def volumes(self, call: Call) -> web.StreamResponse:
        query = call.param("q")
        if not query:
            body = {
                "error": {
                    "code": 400,
                    "message": "Missing query.",
                    "errors": [
                        {"message": "Missing query.", "domain": "global", "reason": "queryRequired"}
                    ],
                }
            }
            return _json(body, 400)
        match = _ISBN_QUERY.match(query)
        volume = call.world.book_by_isbn("googlebooks", match.group(1)) if match else None
        items = [_served(volume, call)] if volume is not None else []
        answer: dict[str, Any] = {"kind": "books#volumes", "totalItems": len(items)}
        if items:
            answer["items"] = items
        return _json(answer, 200)

    async def volume(self, call: Call, volume_id: str) -> web.StreamResponse:
        for volume in call.world.googlebooks_books.values():
            if volume.get("id") == volume_id:
                return _json(_served(volume, call), 200)
        body = {
            "error": {
                "code": 503,
                "message": "Service temporarily unavailable.",
                "errors": [
                    {
                        "message": "Service temporarily unavailable.",
                        "domain": "global",
                        "reason": "backendFailed",
                    }
                ],
            }
        }
        return _json(body, 503)


def _served(volume: Mapping[str, Any], call: Call) -> dict[str, Any]:
    out = dict(volume)
    out.setdefault("kind", "books#volume")
    out.setdefault("selfLink", f"{call.mount_url}/books/v1/volumes/{out.get('id', '')}")
    return out


def _json(body: Any, status: int) -> web.Response:
    text = json.dumps(body, ensure_ascii=False, indent=2)
    return web.Response(status=status, text=text, content_type="application/json")
