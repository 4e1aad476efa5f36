"""E-utilities ``ecitmatch.cgi`` (the PubMed batch citation matcher) and the author /
title / date fields of ``esearch.fcgi`` terms, over the world's PubMed records.

ECitMatch (https://www.ncbi.nlm.nih.gov/books/NBK25499/#chapter4.ECitMatch; no response
was recorded for this project, the shape is the documented one): ``bdata`` holds citation
strings ``journal|year|volume|first_page|author|key|`` separated by carriage returns; the
answer is ``text/plain``, one line per citation: the citation string followed by the PMID,
``NOT_FOUND``, or ``AMBIGUOUS <pmid>,<pmid>…`` (as pubmed-mcp-server v2.5.6 parses it).
Empty fields match anything; the journal matches the record's ISO abbreviation or full
name (case and punctuation ignored); the author is ``family initials`` and matches any
author whose name starts with it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from citetrack_emulator.core import Call


@functools.lru_cache(maxsize=1 << 18)
def fold(text: str) -> str:
    """Lower case, no diacritics, punctuation as spaces, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _year(record: Mapping[str, Any]) -> str:
    match = re.match(r"\s*(\d{4})", str(record.get("pubdate", "")))
    return match.group(1) if match else ""


def _first_page(record: Mapping[str, Any]) -> str:
    return re.split(r"[-–]", str(record.get("pages", "")), maxsplit=1)[0].strip()


def _authors(record: Mapping[str, Any]) -> list[str]:
    return [
        fold(str(a.get("name", ""))) for a in record.get("authors") or [] if isinstance(a, dict)
    ]


def citation_matches(record: Mapping[str, Any], fields: list[str]) -> bool:
    """Does one esummary record fit ``[journal, year, volume, page, author]``?"""
    journal, year, volume, page, author = (fields + [""] * 5)[:5]
    if journal:
        wanted = fold(journal)
        names = {fold(str(record.get(k, ""))) for k in ("source", "fulljournalname")}
        if wanted not in names:
            return False
    if year and year.strip() != _year(record):
        return False
    if volume and volume.strip() != str(record.get("volume", "")).strip():
        return False
    if page and page.strip().lower() != _first_page(record).lower():
        return False
    if author:
        wanted = fold(author)
        if not any(name.startswith(wanted) for name in _authors(record)):
            return False
    return True


async def ecitmatch(call: Call) -> web.StreamResponse:
    raw = call.param("bdata")
    lines = [line for line in re.split(r"[\r\n]+", raw) if line.strip()]
    out: list[str] = []
    for line in lines:
        fields = line.split("|")
        hits = [p for p, r in call.world.esummary.items() if citation_matches(r, fields[:5])]
        stem = line if line.endswith("|") else line + "|"
        if len(hits) == 1:
            out.append(stem + hits[0])
        elif hits:
            out.append(stem + "AMBIGUOUS " + ",".join(sorted(hits, key=int)))
        else:
            out.append(stem + "NOT_FOUND")
    return web.Response(text="\n".join(out) + ("\n" if out else ""), content_type="text/plain")


def field_hits(
    world_esummary: Mapping[str, Mapping[str, Any]], value: str, field: str
) -> list[str]:
    """PMIDs matching one ``value[field]`` term for the fields ``au``/``author``, ``1au``,
    ``ti``/``title`` (every word in the title; a quoted value is a phrase) and
    ``dp``/``pdat`` (publication year)."""
    words = fold(value).split()
    if not words:
        return []
    hits: list[str] = []
    for pmid, record in world_esummary.items():
        if field in ("au", "author", "1au", "fau"):
            names = _authors(record)
            wanted = " ".join(words)
            pool = names[:1] if field == "1au" else names
            ok = any(name == wanted or name.startswith(wanted + " ") for name in pool)
        elif field in ("ti", "title", "tiab"):
            title = fold(str(record.get("title", "")) + " " + str(record.get("booktitle", "")))
            ok = all(w in title.split() for w in words)
        elif field in ("dp", "pdat"):
            ok = _year(record) == words[0]
        else:
            ok = False
        if ok:
            hits.append(pmid)
    return hits
