"""doi.org: the handle API, ``doiRA`` and the resolver with content negotiation.

Shapes (api-notes §3; ``fixtures/real/doi-org/``): ``/api/handles/{doi}`` answers
``responseCode`` 1 with a URL value, or HTTP 404 ``{"responseCode":100,"handle":…}``
(also for a DOI whose ``/`` was sent as ``%2F``); ``/doiRA/a,b`` lists agencies in input
order; ``/{doi}`` with a citation ``Accept`` type 302s Crossref DOIs to the emulator's
Crossref ``/v1/works/{pct-doi}/transform`` and answers other agencies' DOIs directly from
their handle metadata; without one it 302s to the landing page.  Unregistered DOIs get
the HTML "DOI Not Found" page (404), non-DOIs the "Not a DOI" page (400).
"""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any, ClassVar

from aiohttp import web

from citetrack_emulator.citation import (
    BIBLIOGRAPHY_TYPES,
    BIBTEX_TYPES,
    CSL_TYPES,
    apa,
    bibtex,
    negotiated,
)
from citetrack_emulator.core import Call, Route, Service
from citetrack_emulator.encoding import compact_json

DOI_SYNTAX = re.compile(r"^10\.\d{4,9}/\S+$")
_TIMESTAMP = "2019-01-01T00:00:00Z"


def _error_page(title: str, message: str) -> str:
    # Trimmed from the recorded pages (cn_404_doi_not_found_…html, cn_400_invalid_doi_foo.html);
    # their content is CC BY 4.0, DOI Foundation.
    return (
        '<!DOCTYPE html>\n<html lang="en-us">\n<head>\n    <meta charset="UTF-8">\n'
        f"    <title>{html.escape(title)}</title>\n</head>\n<body>\n"
        f'<div class="container"><h3>{html.escape(title.removeprefix("Error: "))}</h3>\n'
        f"<p>{message}</p></div>\n</body>\n</html>\n"
    )


def doi_not_found(doi: str) -> web.Response:
    safe = html.escape(doi)
    message = (
        f"This DOI cannot be found in the DOI System. Possible reasons are: The DOI is "
        f"incorrect in your source. The DOI was copied incorrectly. The DOI has not been "
        f"activated yet. DOI: {safe}"
    )
    return web.Response(
        status=404, text=_error_page("Error: DOI Not Found", message), content_type="text/html"
    )


def not_a_doi(text: str) -> web.Response:
    safe = html.escape(text)
    message = (
        f"The resolution service at https://doi.org resolves DOIs. You have attempted to "
        f"resolve {safe}, which is not a DOI."
    )
    return web.Response(
        status=400, text=_error_page("Error: Not a DOI", message), content_type="text/html"
    )


def handle_redirect(location: str) -> web.Response:
    safe = html.escape(location)
    body = (
        "<html><head><title>Handle Redirect</title></head>\n"
        f'<body><a href="{safe}">{safe}</a></body></html>'
    )
    return web.Response(
        status=302,
        text=body,
        content_type="text/html",
        headers={"Location": location, "Vary": "Origin, Accept"},
    )


class DoiOrg(Service):
    name = "doi"
    static_headers: ClassVar[Mapping[str, str]] = {
        "Server": "cloudflare",
        "Permissions-Policy": "interest-cohort=(),browsing-topics=()",
    }

    def route(self, call: Call) -> Route:
        path = call.raw_path
        if path.startswith("/api/handles/"):
            return Route("GET /api/handles/{doi}", self.handles, "doi")
        if path.startswith("/doiRA/"):
            count = len(path[len("/doiRA/") :].split(","))
            return Route("GET /doiRA/{dois}", self.doi_ra, "doi", batch=count)
        return Route("GET /{doi}", self.resolve, "doi")

    # ------------------------------------------------------------------ handle API

    async def handles(self, call: Call) -> web.StreamResponse:
        raw = call.raw_path[len("/api/handles/") :]
        handle = urllib.parse.unquote(raw)
        world = call.world
        # A DOI whose "/" arrives as %2F is not found (api-notes §3.1).
        if "%2f" in raw.lower() or world.agency(handle) is None:
            return self._json({"responseCode": 100, "handle": handle}, 404, call)
        values = self._values(call, handle)
        types = {t.upper() for t in call.params.getall("type", [])}
        indexes = set(call.params.getall("index", []))
        if types:
            values = [v for v in values if str(v["type"]).upper() in types]
        if indexes:
            values = [v for v in values if str(v["index"]) in indexes]
        if not values:
            return self._json({"responseCode": 200, "handle": handle}, 200, call)
        return self._json({"responseCode": 1, "handle": handle, "values": values}, 200, call)

    @staticmethod
    def _values(call: Call, handle: str) -> list[dict[str, Any]]:
        world, doi = call.world, handle.lower()
        record = world.handles.get(doi, {})
        work = world.works.get(doi, {})
        stamp = str(
            record.get("timestamp") or (work.get("deposited") or {}).get("date-time") or _TIMESTAMP
        )
        values: list[dict[str, Any]] = []
        url = world.landing_url(doi)
        if url:
            values.append(
                {
                    "index": 1,
                    "type": "URL",
                    "data": {"format": "string", "value": url},
                    "ttl": 86400,
                    "timestamp": stamp,
                }
            )
        prefix = doi.split("/", 1)[0]
        admin = {"handle": f"0.na/{prefix}", "index": 200, "permissions": "111111110010"}
        values.append(
            {
                "index": 100,
                "type": "HS_ADMIN",
                "data": {"format": "admin", "value": admin},
                "ttl": 86400,
                "timestamp": stamp,
            }
        )
        return values

    @staticmethod
    def _json(body: dict[str, Any], status: int, call: Call) -> web.Response:
        text = (
            json.dumps(body, indent=2) if "pretty" in call.params else compact_json(body).decode()
        )
        callback = call.param("callback")
        if callback:
            return web.Response(
                status=status, text=f"{callback}({text});", content_type="application/javascript"
            )
        return web.Response(status=status, text=text, content_type="application/json")

    # ------------------------------------------------------------------ doiRA

    async def doi_ra(self, call: Call) -> web.StreamResponse:
        answers: list[dict[str, str]] = []
        for raw in call.raw_path[len("/doiRA/") :].split(","):
            doi = urllib.parse.unquote(raw).strip()
            agency = call.world.agency(doi) if DOI_SYNTAX.match(doi) else None
            if not DOI_SYNTAX.match(doi):
                answers.append({"DOI": doi, "status": "Invalid DOI"})
            elif agency is None:
                answers.append({"DOI": doi, "status": "DOI does not exist"})
            else:
                answers.append({"DOI": doi, "RA": agency})
        return web.Response(text=json.dumps(answers, indent=2), content_type="application/json")

    # ------------------------------------------------------------------ resolver

    async def resolve(self, call: Call) -> web.StreamResponse:
        doi = urllib.parse.unquote(call.raw_path.lstrip("/"))
        if not doi:
            return web.Response(
                text=_error_page("DOI.ORG (emulated)", "Resolver front page."),
                content_type="text/html",
            )
        if not DOI_SYNTAX.match(doi):
            return not_a_doi(doi)
        world = call.world
        agency = world.agency(doi)
        if agency is None:
            return doi_not_found(doi)
        wanted = negotiated(call.request.headers.get("Accept", ""))
        if wanted is not None and agency == "Crossref":
            quoted = urllib.parse.quote(doi, safe="")
            return handle_redirect(f"{call.origin}/crossref/v1/works/{quoted}/transform")
        if wanted is not None:
            return self._negotiate_directly(call, doi, wanted)
        url = world.landing_url(doi)
        return handle_redirect(url) if url else doi_not_found(doi)

    @staticmethod
    def _negotiate_directly(call: Call, doi: str, wanted: str) -> web.Response:
        """Citation formats for non-Crossref DOIs, from the handle record's ``csl``."""
        record = call.world.handles.get(doi.lower(), {})
        csl: dict[str, Any] = dict(record.get("csl") or {"type": "dataset", "DOI": doi.upper()})
        csl.setdefault("URL", record.get("url") or f"https://doi.org/{doi}")
        if wanted in CSL_TYPES:
            return web.Response(body=compact_json(csl), content_type=wanted)
        if wanted in BIBTEX_TYPES:
            return web.Response(text=bibtex(csl), content_type=wanted, charset="utf-8")
        if wanted in BIBLIOGRAPHY_TYPES:
            return web.Response(text=apa(csl), content_type=wanted, charset="utf-8")
        return web.Response(status=406, text="Not Acceptable", content_type="text/plain")
