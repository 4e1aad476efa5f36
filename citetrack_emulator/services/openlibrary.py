"""openlibrary.org Books API: ``/api/books?bibkeys=ISBN:…&format=json&jscmd=data``.

Documented shape (https://openlibrary.org/dev/docs/api/books; no response was recorded
for this project): a JSON object keyed by the bibkeys *as asked* (``ISBN:0451526538``)
holding the ``jscmd=data`` record of each edition Open Library knows; unknown bibkeys are
left out, so nothing known answers ``{}``.  ``format=javascript`` (the default) wraps the
same object as ``var _OLBookInfo = {…};``.  Records are looked up by any ISBN-10 or
ISBN-13 in their ``identifiers`` (and by the world key).  Limits: one request a second,
three when the User-Agent names a contact (bucket ``openlibrary:contact``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import ClassVar

from aiohttp import web

from citetrack_emulator.core import Call, Route, Service, not_found_route

_CONTACT = re.compile(r"(mailto:|@)", re.IGNORECASE)


class OpenLibrary(Service):
    name = "openlibrary"
    static_headers: ClassVar[Mapping[str, str]] = {
        "Server": "nginx/1.18.0 (Ubuntu)",
        "Access-Control-Allow-Origin": "*",
    }

    def route(self, call: Call) -> Route:
        if call.raw_path.rstrip("/") != "/api/books":
            return not_found_route()
        agent = call.request.headers.get("User-Agent", "")
        bucket = "openlibrary:contact" if _CONTACT.search(agent) else "openlibrary"
        keys = [k for k in call.param("bibkeys").split(",") if k.strip()]
        return Route("GET /api/books", self.books, bucket, call.request.remote or "", len(keys))

    async def books(self, call: Call) -> web.StreamResponse:
        answer: dict[str, object] = {}
        for raw in call.param("bibkeys").split(","):
            bibkey = raw.strip()
            kind, _, value = bibkey.partition(":")
            if kind.upper() != "ISBN" or not value:
                continue
            record = call.world.book_by_isbn("openlibrary", value)
            if record is not None:
                answer[bibkey] = record
        body = json.dumps(answer, ensure_ascii=False)
        if call.param("format", "javascript") != "json":
            callback = call.param("callback")
            text = f"{callback}({body});" if callback else f"var _OLBookInfo = {body};"
            return web.Response(text=text, content_type="application/javascript")
        return web.Response(text=body, content_type="application/json")
