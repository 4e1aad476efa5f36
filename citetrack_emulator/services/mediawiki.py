"""A MediaWiki Action API (``/mediawiki/w/api.php``): page revisions' wikitext.

Answers ``action=query&prop=revisions&rvprop=…&rvslots=main&formatversion=2&format=json``
with ``titles=`` (several joined by ``|``, ``redirects=1`` followed) or ``revids=``, in the
shapes of the real API (https://www.mediawiki.org/wiki/API:Revisions, formatversion 2):
``query.pages[]`` with ``pageid``/``ns``/``title``/``revisions[].slots.main.content``,
``missing: true`` pages, ``query.normalized`` (underscores, first letter), ``query.redirects``,
``query.badrevids`` for unknown revision ids, and the ``maxlag`` error — HTTP 200 with
``Retry-After`` and ``X-Database-Lag`` headers, as in https://www.mediawiki.org/wiki/
Manual:Maxlag_parameter — when the world's lag exceeds the request's ``maxlag``.

World section ``wiki``::

    {"lag": 0,                                   # seconds of replication lag
     "retry_after": 5,                           # Retry-After of a maxlag answer
     "pages": {"Title": {"pageid": 1, "redirect": "Other title"?,
                         "emulator_links": true?,  # "@EMULATOR@" → this server's host:port
                         "wayback": {url: [captures]}?,   # added when the page is served
                         "revisions": [{"revid", "parentid", "timestamp",
                                        "content" | "content_file"}]}}}   # newest last

``content_file`` names a file under ``citetrack_emulator/data/``.  A page with
``emulator_links`` has its invented URLs pointed at this emulator when served, and its
``wayback`` captures (keyed by those URLs) are added to the world at the same moment, so
the article's links can be checked locally whatever port the emulator got.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from aiohttp import web

from citetrack_emulator.core import Call, Route, Service, not_found_route

PLACEHOLDER = "@EMULATOR@"
_DATA = resources.files("citetrack_emulator") / "data"
_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def _json(doc: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=200,
        body=json.dumps(doc, ensure_ascii=False).encode(),
        headers={**_HEADERS, **(headers or {})},
    )


def _error(code: str, info: str) -> web.Response:
    return _json(
        {
            "error": {
                "code": code,
                "info": info,
                "docref": "See http://127.0.0.1/w/api.php for API usage.",
            },
            "servedby": "citetrack-emulator",
        },
        {"MediaWiki-API-Error": code},
    )


def normalise_title(title: str) -> str:
    text = " ".join(title.replace("_", " ").split())
    return text[:1].upper() + text[1:]


def _content(revision: dict[str, Any]) -> str:
    if "content_file" in revision:
        return (_DATA / str(revision["content_file"])).read_text(encoding="utf-8")
    return str(revision.get("content", ""))


class MediaWiki(Service):
    name = "mediawiki"

    def route(self, call: Call) -> Route:
        if call.raw_path.rstrip("/") != "/w/api.php":
            return not_found_route()
        return Route("GET /w/api.php", self.serve, "mediawiki", client_key="*")

    async def serve(self, call: Call) -> web.StreamResponse:
        wiki = call.world.wiki
        lag = float(wiki.get("lag") or 0)
        maxlag = call.param("maxlag")
        if maxlag and lag > float(maxlag):
            seconds = int(lag)
            body = {
                "error": {
                    "code": "maxlag",
                    "info": f"Waiting for 10.64.0.1: {seconds} seconds lagged.",
                    "host": "10.64.0.1",
                    "lag": seconds,
                    "type": "db",
                    "docref": "See http://127.0.0.1/w/api.php for API usage.",
                },
                "servedby": "citetrack-emulator",
            }
            return _json(
                body,
                {
                    "Retry-After": str(wiki.get("retry_after", 5)),
                    "X-Database-Lag": str(seconds),
                    "MediaWiki-API-Error": "maxlag",
                },
            )
        if call.param("action") != "query":
            return _error("badvalue", "Only action=query is emulated.")
        if call.param("format") != "json" or call.param("formatversion") != "2":
            return _error("badvalue", "Only format=json&formatversion=2 is emulated.")
        pages: dict[str, Any] = dict(wiki.get("pages") or {})
        query: dict[str, Any] = {}
        out: list[dict[str, Any]] = []
        if call.param("revids"):
            for raw in call.param("revids").split("|"):
                found = self._by_revid(pages, raw)
                if found is None:
                    query.setdefault("badrevids", {})[raw] = {
                        "revid": int(raw) if raw.isdigit() else raw,
                        "missing": True,
                    }
                    continue
                out.append(self._page(call, *found))
        else:
            for raw in call.param("titles").split("|"):
                title = normalise_title(raw)
                if title != raw:
                    query.setdefault("normalized", []).append(
                        {"fromencoded": False, "from": raw, "to": title}
                    )
                record: dict[str, Any] | None = pages.get(title)
                if record and record.get("redirect") and call.param("redirects"):
                    target = normalise_title(str(record["redirect"]))
                    query.setdefault("redirects", []).append({"from": title, "to": target})
                    title, record = target, pages.get(target)
                if not record:
                    out.append({"ns": 0, "title": title, "missing": True})
                    continue
                out.append(self._page(call, title, record, record["revisions"][-1]))
        query["pages"] = out
        return _json({"batchcomplete": True, "query": query})

    @staticmethod
    def _by_revid(
        pages: dict[str, Any], raw: str
    ) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
        for title, page in pages.items():
            for revision in page.get("revisions") or []:
                if str(revision.get("revid")) == raw:
                    return title, page, revision
        return None

    def _page(
        self, call: Call, title: str, page: dict[str, Any], revision: dict[str, Any]
    ) -> dict[str, Any]:
        redirect = page.get("redirect")
        text = f"#REDIRECT [[{redirect}]]" if redirect else _content(revision)
        if page.get("emulator_links"):
            host = call.request.host
            text = text.replace(PLACEHOLDER, host)
            captures = {
                url.replace(PLACEHOLDER, host): rows
                for url, rows in dict(page.get("wayback") or {}).items()
            }
            if captures:
                call.world.merge({"wayback": captures})
        return {
            "pageid": int(page.get("pageid", 0)),
            "ns": 0,
            "title": title,
            "revisions": [
                {
                    "revid": int(revision["revid"]),
                    "parentid": int(revision.get("parentid", 0)),
                    "timestamp": str(revision.get("timestamp", "")),
                    "slots": {
                        "main": {
                            "contentmodel": "wikitext",
                            "contentformat": "text/x-wiki",
                            "content": text,
                        }
                    },
                }
            ],
        }
