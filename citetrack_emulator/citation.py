"""Formatted citations for content negotiation: CSL JSON, BibTeX and an APA-like string.

Shapes follow the recorded Crossref transform responses
(``fixtures/real/doi-org/crossref_transform_citeproc_json_…json``,
``cn_bibtex_step2_crossref_transform.bib``, ``cn_text_x-bibliography_apa.txt``): Crossref's
CSL keeps its own keys but turns ``title``/``container-title`` into strings, BibTeX starts
with a space and puts everything on one line, page ranges use an en dash.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

CSL_TYPES = ("application/vnd.citationstyles.csl+json", "application/citeproc+json")
BIBTEX_TYPES = ("application/x-bibtex", "text/x-bibtex")
BIBLIOGRAPHY_TYPES = ("text/x-bibliography",)
#: Every media type the DOI content-negotiation service offers for Crossref DOIs.
NEGOTIABLE = (
    *CSL_TYPES,
    *BIBTEX_TYPES,
    *BIBLIOGRAPHY_TYPES,
    "application/x-research-info-systems",
    "application/rdf+xml",
    "text/turtle",
    "application/vnd.crossref.unixref+xml",
    "application/vnd.crossref.unixsd+xml",
)

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_BIBTEX_TYPE = {
    "journal-article": "article",
    "article-journal": "article",
    "book": "book",
    "book-chapter": "inbook",
    "chapter": "inbook",
    "proceedings-article": "inproceedings",
    "paper-conference": "inproceedings",
}


def negotiated(accept: str) -> str | None:
    """The first content-negotiation media type named in an Accept header, if any."""
    for part in accept.split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media in NEGOTIABLE:
            return media
    return None


def _first(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value or "")


def csl_from_crossref(work: Mapping[str, Any]) -> dict[str, Any]:
    """Crossref's CSL JSON for one work (its own keys, strings where CSL wants strings)."""
    csl = {k: v for k, v in work.items() if k not in ("short-container-title", "issn-type")}
    csl["title"] = _first(work.get("title"))
    csl["container-title"] = _first(work.get("container-title"))
    if work.get("short-container-title"):
        csl["container-title-short"] = _first(work["short-container-title"])
    csl["URL"] = f"http://dx.doi.org/{work.get('DOI', '')}"
    return csl


def _year_month(csl: Mapping[str, Any]) -> tuple[str, str]:
    for key in ("published-print", "issued", "published", "published-online"):
        parts = ((csl.get(key) or {}).get("date-parts") or [[]])[0]
        if parts and parts[0] is not None:
            month = _MONTHS[int(parts[1]) - 1] if len(parts) > 1 and parts[1] else ""
            return str(parts[0]), month
    return "", ""


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def bibtex(csl: Mapping[str, Any]) -> str:
    """One-line BibTeX as Crossref's transform service writes it (leading space, final newline)."""
    authors = [a for a in csl.get("author") or [] if isinstance(a, Mapping)]
    year, month = _year_month(csl)
    first = authors[0].get("family", authors[0].get("name", "")) if authors else "Anonymous"
    key = re.sub(r"\W", "", _ascii(str(first)).replace(" ", "_")) + "_" + year
    names = " and ".join(
        f"{a['family']}, {a['given']}"
        if a.get("given")
        else str(a.get("family", a.get("name", "")))
        for a in authors
    )
    issn = csl.get("ISSN") or []
    fields = [
        ("title", _first(csl.get("title"))),
        ("volume", str(csl.get("volume", ""))),
        ("ISSN", str(issn[-1]) if issn else ""),
        ("url", f"http://dx.doi.org/{csl.get('DOI', '')}"),
        ("DOI", str(csl.get("DOI", ""))),
        ("number", str(csl.get("issue", ""))),
        ("journal", _first(csl.get("container-title"))),
        ("publisher", str(csl.get("publisher", ""))),
        ("author", names),
        ("year", year),
    ]
    body = ", ".join(f"{name}={{{value}}}" for name, value in fields if value)
    if month:
        body += f", month={month}"
    if csl.get("page"):
        body += f", pages={{{str(csl['page']).replace('-', '–')}}}"
    kind = _BIBTEX_TYPE.get(str(csl.get("type", "")), "misc")
    return f" @{kind}{{{key}, {body} }}\n"


def apa(csl: Mapping[str, Any]) -> str:
    """An APA-like reference string (``text/x-bibliography``)."""

    def name(author: Mapping[str, Any]) -> str:
        given = str(author.get("given", ""))
        initials = " ".join(f"{part[0]}." for part in re.split(r"[\s.]+", given) if part)
        family = str(author.get("family", author.get("name", "")))
        return f"{family}, {initials}" if initials else family

    authors = [name(a) for a in csl.get("author") or [] if isinstance(a, Mapping)]
    if len(authors) > 1:
        who = ", ".join(authors[:-1]) + ", & " + authors[-1]
    else:
        who = authors[0] if authors else ""
    year, _ = _year_month(csl)
    source = _first(csl.get("container-title"))
    if csl.get("volume"):
        source += f", {csl['volume']}"
        if csl.get("issue"):
            source += f"({csl['issue']})"
    if csl.get("page"):
        source += f", {str(csl['page']).replace('-', '–')}"
    title = _first(csl.get("title")).rstrip(".")
    return f"{who} ({year or 'n.d.'}). {title}. {source}. https://doi.org/{csl.get('DOI', '')}\n"
