"""Ordinary web pages for link checking, each path's behaviour defined in the world.

A page (``world["pages"]["/path"]``, served at ``/pages/path``) is an object with:

``status``        HTTP status (default 200, or 302 when ``location`` is given)
``location``      redirect target: absolute URL, or a path on this server (``/pages/…``)
``title``/``body`` HTML title and body (a small HTML page is generated from the title)
``content_type``  default ``text/html; charset=utf-8``
``headers``       extra response headers
``retry_after``   ``Retry-After`` value (seconds or an HTTP-date)
``size``          generate a body of this many bytes as it is sent (never held in memory)
``drip``          ``{"chunk_bytes": n, "interval_ms": t}``: send the body slowly
``delay_ms``      wait before answering
``head_status``   status for HEAD requests (servers that refuse HEAD answer 405/403)
``bot_wall``      true: a Cloudflare-style challenge page (``server: cloudflare``,
                  ``cf-mitigated: challenge``) with the given status (default 403)

Every host the emulator listens on serves the same pages (``--page-hosts``).
"""

from __future__ import annotations

import asyncio
import urllib.parse

from aiohttp import web

from citetrack_emulator.core import Call, Route, Service, html_page, status_page
from citetrack_emulator.limits import Decision
from citetrack_emulator.pipeline import drip, filler, send_stream

BOT_WALL_HTML = html_page(
    "Just a moment...",
    "<p>Checking if the site connection is secure. Enable JavaScript and cookies to continue.</p>",
)


class Pages(Service):
    name = "pages"

    def route(self, call: Call) -> Route:
        path = urllib.parse.unquote(call.raw_path)
        page = call.world.pages.get(path)
        label = f"{call.request.method} {path if page is not None else '(unknown)'}"
        host = call.request.host.rsplit(":", 1)[0]
        return Route(label, self.serve, "pages", client_key=host)

    def too_many(self, call: Call, decision: Decision | None) -> web.StreamResponse:
        response = status_page(429)
        if decision is not None and decision.limit.retry_after is not None:
            response.headers["Retry-After"] = decision.limit.retry_after
        return response

    async def serve(self, call: Call) -> web.StreamResponse:
        path = urllib.parse.unquote(call.raw_path)
        page = call.world.pages.get(path)
        if page is None:
            return web.Response(
                status=404, text=html_page("404 Not Found"), content_type="text/html"
            )
        if page.get("delay_ms"):
            await asyncio.sleep(float(page["delay_ms"]) / 1000)
        head = call.request.method == "HEAD"
        status = int(page.get("status", 302 if page.get("location") else 200))
        if head and page.get("head_status"):
            status = int(page["head_status"])
        headers = {str(k): str(v) for k, v in dict(page.get("headers") or {}).items()}
        if page.get("location"):
            headers["Location"] = urllib.parse.urljoin(
                f"{call.origin}{call.request.path}", str(page["location"])
            )
        if page.get("retry_after") is not None:
            headers["Retry-After"] = str(page["retry_after"])
        content_type = str(page.get("content_type", "text/html; charset=utf-8"))
        if page.get("bot_wall"):
            status = int(page.get("status", 403))
            headers |= {"Server": "cloudflare", "cf-mitigated": "challenge"}
            body = BOT_WALL_HTML.encode()
        elif "body" in page:
            body = str(page["body"]).encode()
        else:
            title = str(page.get("title") or ("Redirecting" if "Location" in headers else path))
            body = html_page(title, f"<p>Emulated page {path}.</p>").encode()
        if page.get("size") is not None:
            size = int(page["size"])
            response = web.StreamResponse(status=status, headers=headers)
            response.headers["Content-Type"] = content_type
            return await send_stream(call.request, response, filler(size), size)
        if page.get("drip"):
            spec = dict(page["drip"])
            response = web.StreamResponse(status=status, headers=headers)
            response.headers["Content-Type"] = content_type
            chunks = drip(
                body, int(spec.get("chunk_bytes", 1)), float(spec.get("interval_ms", 200))
            )
            return await send_stream(call.request, response, chunks, len(body))
        response = web.Response(status=status, body=body, headers=headers)
        response.headers["Content-Type"] = content_type
        return response
