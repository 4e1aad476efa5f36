"""api.crossref.org: ``/works/{doi}``, ``/works?filter=doi:…``, ``/agency``, ``/transform``.

Shapes from ``fixtures/real/crossref/`` (api-notes §1): the ``work`` and ``work-list``
envelopes, the 19-byte text/plain ``Resource not found.``, the JSON ``validation-failure``
400s, and the pool headers (``x-api-pool``, ``x-rate-limit-limit``, ``x-rate-limit-interval``,
``x-concurrency-limit``) whose values depend on pool and route.  Jetty drops ``;params``
from path segments, which is why a raw SICI DOI 404s where the encoded one resolves.
"""

from __future__ import annotations

import base64
import hashlib
import random
import re
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from aiohttp import web

from citetrack_emulator.citation import (
    BIBLIOGRAPHY_TYPES,
    BIBTEX_TYPES,
    CSL_TYPES,
    apa,
    bibtex,
    csl_from_crossref,
    negotiated,
)
from citetrack_emulator.core import Call, Route, Service
from citetrack_emulator.encoding import crossref_json
from citetrack_emulator.limits import Decision

NOT_FOUND = b"Resource not found."
MAX_ROWS, MAX_OFFSET, MAX_SAMPLE = 1000, 10000, 100
_JSON_UTF8 = "application/json;charset=utf-8"
_MAILTO = re.compile(r"mailto:\s*\S+@", re.IGNORECASE)
_FILTER_SPLIT = re.compile(r",(?=[a-z][a-z-]*:)")
#: Agency labels as Crossref's ``/agency`` route and doi.org's ``doiRA`` spell them.
AGENCY_IDS = {"Crossref": "crossref", "DataCite": "datacite", "mEDRA": "medra", "JaLC": "jalc"}

Filter = Callable[[Mapping[str, Any]], bool]


def validation_failure(kind: str, value: str, message: str, status: int = 400) -> web.Response:
    body = {
        "status": "failed",
        "message-type": "validation-failure" if status == 400 else "resource-failure",
        "message": [{"type": kind, "value": value, "message": message}],
    }
    return web.Response(
        status=status, body=crossref_json(body), headers={"Content-Type": _JSON_UTF8}
    )


def not_found() -> web.Response:
    return web.Response(status=404, body=NOT_FOUND, content_type="text/plain")


def _envelope(message_type: str, message: Any) -> bytes:
    return crossref_json(
        {
            "status": "ok",
            "message-type": message_type,
            "message-version": "1.0.0",
            "message": message,
        }
    )


def _doi_from_path(raw: str) -> str:
    # Jetty treats ";…" in a path segment as a path parameter and drops it.
    segments = [seg.split(";", 1)[0] for seg in raw.split("/")]
    return urllib.parse.unquote("/".join(segments))


def _scrambled(doi: str) -> str:
    """A stable order that is not the order of the filter (the real API's is unspecified)."""
    return hashlib.sha1(doi.encode()).hexdigest()  # noqa: S324 - ordering, not security


class Crossref(Service):
    name = "crossref"
    static_headers: ClassVar[Mapping[str, str]] = {
        "Server": "Jetty(9.4.40.v20210413)",
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Headers": (
            "X-Requested-With, Accept, Accept-Encoding, Accept-Charset, Accept-Language, "
            "Accept-Ranges, Cache-Control"
        ),
        "Access-Control-Expose-Headers": "Link",
        "Permissions-Policy": "interest-cohort=()",
    }

    # ------------------------------------------------------------------ routing

    def route(self, call: Call) -> Route:
        path = call.raw_path
        if path.startswith("/v1/"):
            path = path[3:]
        pool = self.pool(call)
        single = f"crossref:{pool}:single"
        if path in ("/works", "/works/"):
            dois = [f for f in self._filters(call) if f[0] == "doi"]
            return Route(
                "GET /works",
                self.works_list,
                f"crossref:{pool}:list",
                batch=len(dois),
                asked=tuple(d for _, d in dois),
            )
        if not path.startswith("/works/"):
            return Route("unknown", self._unknown, single)
        rest = path[len("/works/") :]
        m = re.fullmatch(r"(?P<doi>.+?)/transform(?:/(?P<mime>.+))?", rest)
        if m:
            doi, mime = _doi_from_path(m["doi"]), urllib.parse.unquote(m["mime"] or "")
            return Route(
                "GET /works/{doi}/transform", lambda c: self.transform(c, doi, mime), single
            )
        if rest.endswith("/agency"):
            doi = _doi_from_path(rest[: -len("/agency")])
            return Route("GET /works/{doi}/agency", lambda c: self.agency(c, doi), single)
        doi = _doi_from_path(rest)
        return Route("GET /works/{doi}", lambda c: self.work(c, doi), single, asked=(doi,))

    @staticmethod
    def pool(call: Call) -> str:
        """``polite`` if the caller gives a mailto (User-Agent or ``mailto=``), else ``public``."""
        agent = call.request.headers.get("User-Agent", "")
        return "polite" if call.param("mailto") or _MAILTO.search(agent) else "public"

    async def _unknown(self, call: Call) -> web.StreamResponse:
        return not_found()

    # ------------------------------------------------------------------ limits

    def limit_headers(self, call: Call, decision: Decision) -> dict[str, str]:
        limit = decision.limit
        headers = {"x-api-pool": decision.bucket.split(":")[1]}
        if limit.limit is not None:
            headers["x-rate-limit-limit"] = str(limit.limit)
            headers["x-rate-limit-interval"] = f"{limit.interval:g}s"
        if limit.concurrency is not None:
            headers["x-concurrency-limit"] = str(limit.concurrency)
        return headers

    def too_many(self, call: Call, decision: Decision | None) -> web.StreamResponse:
        # No Crossref 429 body was ever recorded (api-notes §1.3); plain text, like its 404.
        response = web.Response(status=429, body=b"Too Many Requests", content_type="text/plain")
        if decision is not None and decision.limit.retry_after is not None:
            response.headers["Retry-After"] = decision.limit.retry_after
        return response

    def error_response(self, call: Call, code: int) -> web.StreamResponse:
        return not_found() if code == 404 else super().error_response(call, code)

    # ------------------------------------------------------------------ single work

    async def work(self, call: Call, doi: str) -> web.Response:
        field_queries = [k for k in call.params if k.startswith("query")]
        if field_queries:
            return validation_failure(
                "parameter-not-allowed",
                "query.*",
                "This route does not support field query parameters",
            )
        work = call.world.works.get(doi.lower())
        if work is None:
            return not_found()
        message = dict(work, score=1) if "score" in work else work
        return web.Response(body=_envelope("work", message), content_type="application/json")

    async def agency(self, call: Call, doi: str) -> web.Response:
        label = call.world.agency(doi)
        if label is None:
            return not_found()
        agency = {"id": AGENCY_IDS.get(label, label.lower()), "label": label}
        body = _envelope("work-agency", {"DOI": doi, "agency": agency})
        return web.Response(body=body, headers={"Content-Type": _JSON_UTF8})

    async def transform(self, call: Call, doi: str, mime: str) -> web.Response:
        work = call.world.works.get(doi.lower())
        if work is None:
            return not_found()
        wanted = negotiated(mime or call.request.headers.get("Accept", "")) or CSL_TYPES[0]
        csl = csl_from_crossref(work)
        if wanted in CSL_TYPES:
            return web.Response(body=crossref_json(csl), content_type=wanted)
        if wanted in BIBTEX_TYPES:
            return web.Response(text=bibtex(csl), content_type=wanted, charset="utf-8")
        if wanted in BIBLIOGRAPHY_TYPES:
            return web.Response(text=apa(csl), content_type=wanted, charset="utf-8")
        return web.Response(status=406, text="Not Acceptable", content_type="text/plain")

    # ------------------------------------------------------------------ lists

    @staticmethod
    def _filters(call: Call) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for value in call.params.getall("filter", []):
            for part in _FILTER_SPLIT.split(value):
                name, _, arg = part.partition(":")
                pairs.append((name.strip(), arg.strip()))
        return pairs

    async def works_list(self, call: Call) -> web.Response:
        numbers: dict[str, int] = {}
        for name, default, ceiling in (
            ("rows", 20, MAX_ROWS),
            ("offset", 0, MAX_OFFSET),
            ("sample", 0, MAX_SAMPLE),
        ):
            raw = call.param(name, str(default))
            if not raw.isdigit() or int(raw) > ceiling:
                return validation_failure(
                    "integer-not-valid",
                    raw,
                    f"Integer specified as {raw} but must be a positive integer less than or "
                    f"equal to {ceiling}. ",
                )
            numbers[name] = int(raw)
        filters = self._filters(call)
        checks: list[Filter] = []
        for name, arg in filters:
            check = _filter(name, arg)
            if check is None and name != "doi":
                return validation_failure(
                    "filter-not-available",
                    name,
                    f"Filter {name} specified but there is no such filter for this route.",
                )
            if check is not None:
                checks.append(check)
        works = call.world.works
        terms = " ".join(
            v for k, v in call.params.items() if k == "query" or k.startswith("query.")
        )
        dois = [a.lower() for n, a in filters if n == "doi"]
        scored: list[tuple[float, str]]
        if terms:
            scored = [(s, d) for s, d in call.world.search_works(terms) if not dois or d in dois]
        else:
            pool = dict.fromkeys(dois) if dois else works
            scored = sorted(((0.0, d) for d in pool if d in works), key=lambda p: _scrambled(p[1]))
        scored = [(s, d) for s, d in scored if all(check(works[d]) for check in checks)]
        rows, offset = numbers["rows"], numbers["offset"]
        if numbers["sample"]:
            rows = numbers["sample"]
            scored = random.Random(len(works)).sample(scored, min(rows, len(scored)))  # noqa: S311
        cursor = call.param("cursor")
        if cursor and cursor != "*":
            decoded = _decode_cursor(cursor)
            if decoded is None:
                return validation_failure(
                    "cursor-invalid", cursor, "Cursor specified but it is invalid", 404
                )
            offset = decoded
        page = scored[offset : offset + rows]
        select = [f for f in call.param("select").split(",") if f]
        items = [_item(works[d], s, select) for s, d in page]
        message: dict[str, Any] = {"facets": {}, "total-results": len(scored), "items": items}
        message["items-per-page"] = rows
        message["query"] = {"start-index": offset, "search-terms": terms or None}
        if cursor:
            message["next-cursor"] = base64.urlsafe_b64encode(
                f"emu:{offset + rows}".encode()
            ).decode()
        return web.Response(body=_envelope("work-list", message), content_type="application/json")


def _item(work: Mapping[str, Any], score: float, select: list[str]) -> dict[str, Any]:
    item = dict(work)
    item["score"] = score
    if select:
        item = {k: v for k, v in item.items() if k in select}
    return item


def _decode_cursor(cursor: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return int(text[4:]) if text.startswith("emu:") and text[4:].isdigit() else None


def _filter(name: str, arg: str) -> Filter | None:
    """The non-DOI filters the emulator understands (api-notes §1.4)."""
    wanted = arg.lower()
    if name == "type":
        return lambda w: str(w.get("type", "")) == arg
    if name == "prefix":
        return lambda w: str(w.get("prefix", "")) == arg
    if name == "has-update":
        return lambda w: bool(w.get("updated-by")) == (wanted in ("1", "true", "t"))
    if name == "update-type":
        return lambda w: any(u.get("type") == arg for u in w.get("update-to") or [])
    if name == "updates":
        return lambda w: any(
            str(u.get("DOI", "")).lower() == wanted for u in w.get("update-to") or []
        )
    return None
