"""The Wayback Machine: CDX search, mementos (``/web/…``) and the availability API.

Shapes from ``fixtures/real/wayback/`` (api-notes §4): CDX text lines
``urlkey timestamp original mimetype statuscode digest length`` or ``output=json`` rows
with a header row first; ``from``/``to`` prefixes, ``limit`` (negative = last N),
``offset``, ``filter=[!]field:regex``, ``collapse``, ``fl``, ``matchType``,
``showResumeKey``/``resumeKey``; the 403 "Blocked Site Error"; mementos replaying the
archived status (an archived 429 comes back as 429 *with* ``memento-datetime``), a
redirect to the closest capture when the timestamp is not exact; a live rate limit is a
429 without ``Retry-After`` and without ``memento-datetime``.

Availability answers at ``/wayback/wayback/available`` (archive.org's path under the
mount) and points its snapshot URL at this emulator's ``/web/`` route so that clients
following it stay local.
"""

from __future__ import annotations

import calendar
import datetime as dt
import email.utils
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from aiohttp import web

from citetrack_emulator.core import Call, Route, Service, html_page, not_found_route
from citetrack_emulator.limits import Decision
from citetrack_emulator.world import CDX_FIELDS, Capture, urlkey

BLOCKED = (
    "org.archive.util.io.RuntimeIOException: org.archive.wayback.exception."
    "AdministrativeAccessControlException: Blocked Site Error"
)
_MEMENTO = re.compile(r"^(?P<ts>\d{1,14})(?P<flag>[a-z]{2}_)?/(?P<url>.*)$", re.DOTALL)


def _dt(timestamp: str) -> dt.datetime:
    """A capture time from 1–14 digits (missing or out-of-range parts are clamped)."""
    ts = (timestamp + "00000000000000")[:14]
    year = max(int(ts[:4]), 1)
    month = min(max(int(ts[4:6]), 1), 12)
    day = min(max(int(ts[6:8]), 1), calendar.monthrange(year, month)[1])
    hms = (min(int(ts[8:10]), 23), min(int(ts[10:12]), 59), min(int(ts[12:14]), 59))
    return dt.datetime(year, month, day, *hms, tzinfo=dt.UTC)


def http_date(timestamp: str) -> str:
    return email.utils.format_datetime(_dt(timestamp), usegmt=True)


def _next_key(row: Capture) -> str:
    ts = row.timestamp[:-1] + chr(ord(row.timestamp[-1]) + 1)
    return urllib.parse.quote_plus(f"{row.urlkey} {ts}")


class Wayback(Service):
    name = "wayback"
    static_headers: ClassVar[Mapping[str, str]] = {
        "Server": "nginx",
        "X-App-Server": "wwwb-app-emulator",
        "Permissions-Policy": "interest-cohort=()",
        "Referrer-Policy": "no-referrer-when-downgrade",
    }

    def route(self, call: Call) -> Route:
        path = call.raw_path
        if path.rstrip("/") == "/cdx/search/cdx":
            return Route("GET /cdx/search/cdx", self.cdx, "wayback:cdx")
        if path.rstrip("/") == "/wayback/available":
            return Route("GET /wayback/available", self.available, "wayback:available")
        if path.startswith("/web/"):
            return Route("GET /web/{timestamp}/{url}", self.memento, "wayback:memento")
        return not_found_route()

    def too_many(self, call: Call, decision: Decision | None) -> web.StreamResponse:
        # The live limit: no Retry-After (edgi wayback _client.py, 2023-11-27) and, unlike a
        # replayed archived 429, no memento-datetime.
        body = html_page("429 Too Many Requests", "<hr><center>nginx</center>")
        return web.Response(status=429, text=body, content_type="text/html")

    # ------------------------------------------------------------------ CDX

    async def cdx(self, call: Call) -> web.StreamResponse:
        url = call.param("url")
        if not url:
            return web.Response(
                status=400, text="Missing url parameter\n", content_type="text/plain"
            )
        match_type = call.param("matchType", "exact")
        if url.endswith("/*"):
            url, match_type = url[:-2], "prefix"
        elif url.startswith("*."):
            url, match_type = url[2:], "domain"
        if call.world.is_blocked(url):
            return web.Response(
                status=403,
                text=BLOCKED + "\n",
                content_type="text/plain",
                charset="UTF-8",
                headers={"X-Archive-Wayback-Runtime-Error": BLOCKED},
            )
        try:
            fields = [f for f in call.param("fl").split(",") if f] or list(CDX_FIELDS)
            rows = self._select(call, call.world.captures_matching(url, match_type), fields)
        except (ValueError, KeyError, re.error) as exc:
            return web.Response(status=400, text=f"Bad request: {exc}\n", content_type="text/plain")
        limit_text, offset_text = call.param("limit"), call.param("offset", "0")
        if not re.fullmatch(r"-?\d*", limit_text) or not offset_text.isdigit():
            return web.Response(
                status=400, text="Bad request: limit/offset\n", content_type="text/plain"
            )
        limit = int(limit_text) if limit_text else None
        offset = int(offset_text)
        rows = rows[offset:]
        if limit is not None:
            rows = rows[limit:] if limit < 0 else rows[:limit]
        resume = (
            _next_key(rows[-1])
            if call.param("showResumeKey") == "true" and rows and limit and len(rows) == limit
            else None
        )
        table = [[row.column(f) for f in fields] for row in rows]
        if call.param("output") == "json":
            return web.Response(
                text=_json_rows(fields, table, resume), content_type="application/json"
            )
        text = "".join(" ".join(r) + "\n" for r in table)
        if resume is not None:
            text += "\n" + resume + "\n"
        return web.Response(text=text, content_type="text/plain", charset="UTF-8")

    @staticmethod
    def _select(call: Call, captures: Iterable[Capture], fields: Sequence[str]) -> list[Capture]:
        for f in fields:
            if f not in CDX_FIELDS:
                raise KeyError(f)
        start, end = call.param("from"), call.param("to")
        checks = []
        for raw in call.params.getall("filter", []):
            negate, rest = raw.startswith("!"), raw.lstrip("!")
            contains, rest = rest.startswith("~"), rest.lstrip("~")
            name, _, pattern = rest.partition(":")
            if name not in CDX_FIELDS:
                raise KeyError(name)
            checks.append((name, negate, contains, re.compile(pattern)))
        resume = urllib.parse.unquote_plus(call.param("resumeKey"))
        resume_key = tuple(resume.split(" ", 1)) if " " in resume else None
        selected: list[Capture] = []
        collapse = call.param("collapse")
        c_field, _, c_len = collapse.partition(":")
        last: str | None = None
        for row in captures:
            if start and row.timestamp[: len(start)] < start:
                continue
            if end and row.timestamp[: len(end)] > end:
                continue
            if resume_key and (row.urlkey, row.timestamp) < resume_key:
                continue
            ok = True
            for name, negate, contains, rx in checks:
                value = row.column(name)
                hit = bool(rx.search(value)) if contains else bool(rx.fullmatch(value))
                ok = ok and hit != negate
            if not ok:
                continue
            if collapse:
                value = row.column(c_field)[: int(c_len)] if c_len else row.column(c_field)
                if value == last:
                    continue
                last = value
            selected.append(row)
        return selected

    # ------------------------------------------------------------------ availability

    async def available(self, call: Call) -> web.StreamResponse:
        url = call.param("url")
        wanted = call.param("timestamp")
        caps = (
            [c for c in call.world.captures.get(urlkey(url), []) if c.statuscode == "200"]
            if url
            else []
        )
        snapshots: dict[str, object] = {}
        if caps and not call.world.is_blocked(url):
            best = _closest(caps, wanted)
            snapshots["closest"] = {
                "status": best.statuscode,
                "available": True,
                "url": f"{call.mount_url}/web/{best.timestamp}/{best.original}",
                "timestamp": best.timestamp,
            }
        body = {"url": url, "archived_snapshots": snapshots}
        return web.Response(text=json.dumps(body), content_type="application/json")

    # ------------------------------------------------------------------ mementos

    async def memento(self, call: Call) -> web.StreamResponse:
        rest = call.target[len("/web/") :]
        m = _MEMENTO.match(rest)
        ts, flag, url = (m["ts"], m["flag"] or "", m["url"]) if m else ("", "", rest)
        url = re.sub(r"^([a-zA-Z]+:)/(?!/)", r"\1//", url)  # proxies collapse "//" in paths
        if call.world.is_blocked(url):
            page = html_page(
                "Blocked Site Error", "<p>This URL has been excluded from the Wayback Machine.</p>"
            )
            return web.Response(status=403, text=page, content_type="text/html")
        caps = call.world.captures.get(urlkey(url), [])
        if not caps:
            page = html_page(
                "Wayback Machine", "<p>Hrm. The Wayback Machine has not archived that URL.</p>"
            )
            return web.Response(status=404, text=page, content_type="text/html")
        best = _closest(caps, ts)
        base = f"{call.mount_url}/web/{best.timestamp}{flag}"
        if best.timestamp != ts:
            return web.Response(status=302, headers={"Location": f"{base}/{best.original}"})
        status = int(best.statuscode) if best.statuscode.isdigit() else 200
        headers = {
            "memento-datetime": http_date(best.timestamp),
            "link": (
                f'<{best.original}>; rel="original", <{base}/{best.original}>; rel="memento"; '
                f'datetime="{http_date(best.timestamp)}"'
            ),
            **{f"x-archive-orig-{k.lower()}": v for k, v in best.headers.items()},
        }
        if best.location and 300 <= status < 400:
            headers["Location"] = f"{base}/{urllib.parse.urljoin(best.original, best.location)}"
        body = _replay_body(best)
        response = web.Response(status=status, body=body, headers=headers)
        response.content_type = best.mimetype
        if best.mimetype.startswith("text/"):
            response.charset = "utf-8"
        return response


def _closest(caps: Sequence[Capture], timestamp: str) -> Capture:
    if not timestamp:
        return caps[-1]
    wanted = _dt(timestamp)
    return min(caps, key=lambda c: (abs((_dt(c.timestamp) - wanted).total_seconds()), c.timestamp))


def _replay_body(cap: Capture) -> bytes:
    if cap.body is not None:
        return cap.body.encode()
    if cap.mimetype == "application/pdf":
        return b"%PDF-1.4\n% emulated archived PDF of " + cap.original.encode() + b"\n%%EOF\n"
    title = cap.title or cap.original
    return html_page(title, f"<p>Archived copy of {cap.original} ({cap.timestamp}).</p>").encode()


def _json_rows(fields: Sequence[str], table: Sequence[Sequence[str]], resume: str | None) -> str:
    """CDX ``output=json`` as the CDX server README prints it."""
    if not table:
        return "[]\n"
    lines = [json.dumps(list(fields), separators=(",", ":"))]
    lines += [" " + json.dumps(list(row)) for row in table]
    if resume is not None:
        lines += [" []", " " + json.dumps([resume])]
    return "[" + ",\n".join(lines) + "]\n"
