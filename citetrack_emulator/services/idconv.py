"""PMC ID Converter: ``/idconv/`` (current API) and ``/idconv/v1.0/`` (legacy).

Current shape (api-notes §2.5; no recording exists, observed in client tests): each record
echoes ``requested-id``, ``pmid`` is an integer, an identifier not in PMC is a per-record
``{"status": "error", "errmsg": "Identifier not found in PMC"}`` inside an HTTP 200.
Legacy shape from ``fixtures/real/pmc-idconv/``: string PMIDs, ``versions``, per-record
``"errmsg": "invalid article id"``.  Both answer an ``idtype`` that does not fit an id with
the recorded 404 whose ``message`` is URL-encoded.  At most 200 ids per request.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any, ClassVar
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from aiohttp import web

from citetrack_emulator.core import Call, Route, Service, not_found_route

_CONTENT_TYPE = "application/json; charset=ISO-8859-1"
_TYPES = ("pmcid", "pmid", "mid", "doi")


def infer_type(value: str) -> str | None:
    """The identifier type a bare id looks like (what the service does without ``idtype``)."""
    if re.fullmatch(r"PMC\d+(\.\d+)?", value, re.IGNORECASE):
        return "pmcid"
    if value.isdigit():
        return "pmid"
    if value.startswith("10."):
        return "doi"
    if re.fullmatch(r"[A-Z]{2,}\d+", value, re.IGNORECASE):
        return "mid"
    return None


def _fits(idtype: str, value: str) -> bool:
    if idtype == "pmcid":
        return bool(re.fullmatch(r"(PMC)?\d+(\.\d+)?", value, re.IGNORECASE))
    return infer_type(value) == idtype


class IdConv(Service):
    name = "idconv"
    static_headers: ClassVar[Mapping[str, str]] = {
        "Server": "Apache",
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, OPTIONS",
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    }

    def route(self, call: Call) -> Route:
        ids = [i for i in re.split(r"\s*,\s*", call.param("ids").strip()) if i]
        if call.raw_path in ("/", ""):
            return Route("GET /", self.current, "idconv", batch=len(ids), asked=tuple(ids))
        if call.raw_path.rstrip("/") == "/v1.0":
            return Route("GET /v1.0/", self.legacy, "idconv", batch=len(ids), asked=tuple(ids))
        return not_found_route()

    async def current(self, call: Call) -> web.StreamResponse:
        return self._convert(call, legacy=False)

    async def legacy(self, call: Call) -> web.StreamResponse:
        return self._convert(call, legacy=True)

    def _convert(self, call: Call, *, legacy: bool) -> web.StreamResponse:
        ids = [i for i in re.split(r"\s*,\s*", call.param("ids").strip()) if i]
        idtype = call.param("idtype").lower() or None
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        echo = call.query_string.replace("&", ";")
        if idtype is not None and idtype not in _TYPES:
            return self._error(f"Invalid idtype '{idtype}'", now, echo, 400)
        if idtype is not None:
            wrong = next((i for i in ids if not _fits(idtype, i)), None)
            if wrong is not None:
                return self._error(f"ID type '{idtype}' mismatch for '{wrong}'", now, echo, 404)
        records = [self._record(call, value, idtype, legacy=legacy) for value in ids]
        if call.param("format").lower() == "json":
            body = {"status": "ok", "responseDate": now, "request": echo, "records": records}
            return web.Response(
                body=json.dumps(body, indent=1).encode(), headers={"Content-Type": _CONTENT_TYPE}
            )
        return web.Response(
            body=_xml(records, idtype, now, echo), content_type="text/xml", charset="UTF-8"
        )

    @staticmethod
    def _record(call: Call, value: str, idtype: str | None, *, legacy: bool) -> dict[str, Any]:
        kind = idtype or infer_type(value)
        lookup = value.split(".", maxsplit=1)[0] if kind == "pmcid" else value
        if kind == "pmcid" and lookup.isdigit():
            lookup = "PMC" + lookup
        found = call.world.idconv(kind, lookup) if kind else None
        if found is None:
            miss: dict[str, Any] = {} if legacy else {"requested-id": value}
            if kind:
                miss[kind] = value
            if legacy:
                miss["live"] = "false"
            miss["status"] = "error"
            miss["errmsg"] = (
                "invalid article id" if legacy or kind is None else "Identifier not found in PMC"
            )
            return miss
        record: dict[str, Any] = {} if legacy else {"requested-id": value}
        for key in ("pmcid", "pmid", "doi", "mid"):
            if found.get(key):
                record[key] = found[key]
        if "pmid" in record:
            record["pmid"] = str(record["pmid"]) if legacy else int(record["pmid"])
        if legacy and found.get("versions") and call.param("versions").lower() != "no":
            record["versions"] = found["versions"]
        return record

    @staticmethod
    def _error(message: str, now: str, echo: str, status: int) -> web.Response:
        body = {
            "status": "error",
            "message": urllib.parse.quote(message, safe=""),
            "responseDate": now,
            "request": echo,
        }
        return web.Response(
            status=status,
            body=json.dumps(body, indent=1).encode(),
            headers={"Content-Type": _CONTENT_TYPE},
        )


def _xml(records: list[dict[str, Any]], idtype: str | None, now: str, echo: str) -> bytes:
    rows = "".join(
        "<record "
        + " ".join(f"{k}={quoteattr(str(v))}" for k, v in r.items() if not isinstance(v, list))
        + "/>\n"
        for r in records
    )
    kind = f" idtype={quoteattr(idtype)}" if idtype else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<pmcids status="ok">\n'
        f"<request{kind} dt={quoteattr(now)}>\n"
        f"<echo>{xml_escape(urllib.parse.unquote(echo))}</echo>\n</request>\n"
        f"{rows}</pmcids>\n"
    ).encode()
