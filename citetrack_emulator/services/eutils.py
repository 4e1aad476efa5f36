"""NCBI E-utilities: ``esummary.fcgi``, ``efetch.fcgi``, ``esearch.fcgi`` (GET and POST).

Shapes from ``fixtures/real/pubmed/`` (api-notes §2): esummary JSON with ``uids`` plus one
object per uid (every scalar a string, 4-space pretty print), per-uid ``"error": "cannot get
document summary"`` for unknown PMIDs, a top-level ``Invalid uid`` error for malformed ids,
``esummaryresult`` for an empty list; efetch ``PubmedArticleSet`` XML leaving out PMIDs
it does not have; ``X-RateLimit-Limit``/``X-RateLimit-Remaining`` headers and the JSON 429.
Limits are per API key, or per caller IP without one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from aiohttp import web

from citetrack_emulator import pubmed_xml
from citetrack_emulator.core import Call, Route, Service, not_found_route
from citetrack_emulator.encoding import compact_json, ncbi_json
from citetrack_emulator.limits import Decision
from citetrack_emulator.services.citmatch import ecitmatch, field_hits

_XML = "text/xml"
_TERM = re.compile(r'^\s*"?(?P<value>[^"\[]+?)"?\s*\[(?P<field>[A-Za-z0-9 ]+)\]\s*$')


def _ids(call: Call) -> list[str]:
    raw = ",".join(call.params.getall("id", []))
    return [i.strip() for i in re.split(r"[,\s]+", raw) if i.strip()]


class EUtils(Service):
    name = "eutils"
    static_headers: ClassVar[Mapping[str, str]] = {
        "Server": "Finatra",
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "X-RateLimit-Limit,X-RateLimit-Remaining",
        "Cache-Control": "private",
        "Content-Security-Policy": "upgrade-insecure-requests",
        "Referrer-Policy": "origin-when-cross-origin",
    }

    def route(self, call: Call) -> Route:
        key = call.param("api_key")
        bucket, client = ("eutils:key", key) if key else ("eutils", call.request.remote or "")
        handlers = {
            "/esummary.fcgi": self.esummary,
            "/efetch.fcgi": self.efetch,
            "/esearch.fcgi": self.esearch,
            "/ecitmatch.cgi": ecitmatch,
        }
        handler = handlers.get(call.raw_path)
        if handler is None:
            return not_found_route()
        label = f"{call.request.method} {call.raw_path.lstrip('/')}"
        ids = _ids(call)
        batch = len(ids) or call.param("bdata").count("|") // 6
        return Route(label, handler, bucket, client, batch=batch, asked=tuple(ids))

    def limit_headers(self, call: Call, decision: Decision) -> dict[str, str]:
        if decision.limit.limit is None:
            return {}
        return {
            "X-RateLimit-Limit": str(decision.limit.limit),
            "X-RateLimit-Remaining": str(decision.remaining),
        }

    def too_many(self, call: Call, decision: Decision | None) -> web.StreamResponse:
        # The 429 body is JSON even when XML was asked for (api-notes §2.1).
        key = call.param("api_key") or call.request.remote or ""
        limit = decision.limit.limit if decision is not None else 3
        count = decision.count if decision is not None else (limit or 3) + 1
        body = {
            "error": "API rate limit exceeded",
            "api-key": key,
            "count": str(count),
            "limit": str(limit),
        }
        return web.Response(status=429, body=compact_json(body), content_type="application/json")

    # ------------------------------------------------------------------ esummary

    async def esummary(self, call: Call) -> web.StreamResponse:
        ids = _ids(call)
        as_json = call.param("retmode") == "json"
        if not ids:
            empty = {"esummaryresult": ["Empty id list - nothing todo"]}
            return web.Response(body=compact_json(empty), content_type="application/json")
        bad = next(((i, uid) for i, uid in enumerate(ids) if not uid.isdigit()), None)
        if bad is not None:
            header = {"type": "esummary", "version": "0.3"}
            error = {
                "header": header,
                "error": f"Invalid uid {bad[1]} at position= {bad[0]}",
                "result": {"uids": []},
            }
            return web.Response(body=ncbi_json(error), content_type="application/json")
        ids = list(dict.fromkeys(ids))
        summaries = call.world.esummary
        if not as_json:
            found = [summaries[i] for i in ids if i in summaries]
            missing = [i for i in ids if i not in summaries]
            return web.Response(
                body=pubmed_xml.esummary_docsums(found, missing), content_type=_XML, charset="UTF-8"
            )
        result: dict[str, Any] = {"uids": ids}
        for uid in ids:
            result[uid] = summaries.get(uid) or {"uid": uid, "error": "cannot get document summary"}
        body = ncbi_json({"header": {"type": "esummary", "version": "0.3"}, "result": result})
        return web.Response(body=body, content_type="application/json")

    # ------------------------------------------------------------------ efetch

    async def efetch(self, call: Call) -> web.StreamResponse:
        world = call.world
        articles = [
            pubmed_xml.pubmed_article(world.esummary[uid], world.efetch_extra.get(uid, {}))
            for uid in dict.fromkeys(_ids(call))
            if uid in world.esummary
        ]
        return web.Response(body=pubmed_xml.efetch(articles), content_type=_XML, charset="UTF-8")

    # ------------------------------------------------------------------ esearch

    async def esearch(self, call: Call) -> web.StreamResponse:
        term = call.param("term")
        hits, translation, not_found = self._search(call, term)
        retstart = _int(call.param("retstart"), 0)
        retmax = _int(call.param("retmax"), 20)
        page = hits[retstart : retstart + retmax]
        if call.param("retmode") == "json":
            result: dict[str, Any] = {
                "count": str(len(hits)),
                "retmax": str(len(page)),
                "retstart": str(retstart),
                "idlist": page,
                "translationset": [],
                "querytranslation": translation,
            }
            if not_found:
                result["errorlist"] = {"phrasesnotfound": not_found, "fieldsnotfound": []}
            if not hits:
                result["warninglist"] = {
                    "phrasesignored": [],
                    "quotedphrasesnotfound": [],
                    "outputmessages": ["No items found."],
                }
            body = ncbi_json(
                {"header": {"type": "esearch", "version": "0.3"}, "esearchresult": result}
            )
            return web.Response(body=body, content_type="application/json")
        xml = pubmed_xml.esearch(page, len(hits), retstart, translation, not_found)
        return web.Response(body=xml, content_type=_XML, charset="UTF-8")

    @staticmethod
    def _search(call: Call, term: str) -> tuple[list[str], str, list[str]]:
        """Evaluate ``value[field]`` terms joined by OR/AND (fields doi, pmid/uid, title)."""
        world = call.world
        result: list[str] | None = None
        translation = ""
        not_found: list[str] = []
        for op, part in _clauses(term):
            m = _TERM.match(part)
            value, field = (
                (m["value"].strip(), m["field"].strip().lower()) if m else (part.strip(), "all")
            )
            if field == "doi":
                hits, said = world.pmids_for(value), f'"{value}"[DOI]'
            elif field in ("pmid", "uid"):
                hits, said = ([value] if value in world.esummary else []), f"{value}[uid]"
            elif field in ("ti", "title") and '"' in part:
                needle = value.lower()
                hits = [p for p, r in world.esummary.items() if needle in str(r["title"]).lower()]
                said = f'"{value}"[Title]'
            elif field in ("ti", "title", "au", "author", "1au", "dp", "pdat"):
                hits = field_hits(world.esummary, value, field)
                said = f"{value}[{field}]"
            else:
                hits, said = [], value
            if not hits:
                not_found.append(value)
            translation = f"{translation} {op} {said}" if translation else said
            if result is None:
                result = hits
            elif op == "AND":
                result = [h for h in result if h in set(hits)]
            else:
                result = result + [h for h in hits if h not in result]
        return result or [], translation, not_found


def _int(text: str, default: int) -> int:
    return int(text) if text.strip().isdigit() else default


def _clauses(term: str) -> list[tuple[str, str]]:
    parts = re.split(r"\s+(AND|OR)\s+", term.strip())
    clauses = [("OR", parts[0])] if parts and parts[0] else []
    clauses += [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
    return clauses
