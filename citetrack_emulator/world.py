"""The emulated registries' content: one JSON document (the *world*) and its lookup indexes.

The world is plain JSON so that tests, benchmarks and people can write it by hand, ship it
as a file and change it over the control API with a JSON merge patch (RFC 7396).  Its
schema is documented in the package docstring (``citetrack_emulator/__init__.py``).

Every lookup the request handlers make is a dictionary access on an index built when a
section is loaded or patched, so serving never scans the world (except the Crossref
free-text query, which uses an inverted index built on first use).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from citetrack_emulator.books import book_index, isbn13

JSONDict = dict[str, Any]

#: Top-level sections of a world document and the JSON type each holds.
SECTIONS: dict[str, type] = {
    "crossref_works": dict,
    "pubmed": dict,
    "idconv": dict,
    "handles": dict,
    "wayback": dict,
    "wayback_blocked": list,
    "pages": dict,
    "openlibrary": dict,
    "googlebooks": dict,
    "wiki": dict,  # MediaWiki pages: see citetrack_emulator.services.mediawiki
}

#: The order (and the empty defaults) of the keys of one esummary DocSum, as in the
#: recorded response ``fixtures/real/pubmed/esummary_json_pmid_28806736.json``.
ESUMMARY_KEYS: tuple[tuple[str, Any], ...] = (
    ("uid", ""),
    ("pubdate", ""),
    ("epubdate", ""),
    ("source", ""),
    ("authors", []),
    ("lastauthor", ""),
    ("title", ""),
    ("sorttitle", ""),
    ("volume", ""),
    ("issue", ""),
    ("pages", ""),
    ("lang", []),
    ("nlmuniqueid", ""),
    ("issn", ""),
    ("essn", ""),
    ("pubtype", []),
    ("recordstatus", ""),
    ("pubstatus", ""),
    ("articleids", []),
    ("history", []),
    ("references", []),
    ("attributes", []),
    ("pmcrefcount", ""),
    ("fulljournalname", ""),
    ("elocationid", ""),
    ("doctype", "citation"),
    ("srccontriblist", []),
    ("booktitle", ""),
    ("medium", ""),
    ("edition", ""),
    ("publisherlocation", ""),
    ("publishername", ""),
    ("srcdate", ""),
    ("reportnumber", ""),
    ("availablefromurl", ""),
    ("locationlabel", ""),
    ("doccontriblist", []),
    ("docdate", ""),
    ("bookname", ""),
    ("chapter", ""),
    ("sortpubdate", ""),
    ("sortfirstauthor", ""),
    ("vernaculartitle", ""),
)

_DATA = resources.files("citetrack_emulator") / "data"
SEED_FILES = ("seed_world.json", "real_records.json", "wiki_world.json")


class WorldError(ValueError):
    """A world document (or patch) does not follow the schema."""


# --------------------------------------------------------------------------- loading


def seed_world() -> JSONDict:
    """The shipped world: synthetic seed-article records merged with real recorded ones."""
    world: JSONDict = {}
    for name in SEED_FILES:
        world = merge_patch(world, json.loads((_DATA / name).read_text(encoding="utf-8")))
    return world


def load_world(source: Mapping[str, Any] | str | Path | None) -> JSONDict:
    """A world document from a mapping, a JSON file path, or ``None`` for the seed world."""
    if source is None:
        return seed_world()
    if isinstance(source, Mapping):
        return copy.deepcopy(dict(source))
    return dict(json.loads(Path(source).read_text(encoding="utf-8")))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge recursively, ``null`` deletes, rest replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# --------------------------------------------------------------------------- URL keys


_WWW = re.compile(r"^www\d*\.")


def split_url(url: str) -> tuple[str, str]:
    """(host, path+query) of a URL given with or without scheme, host lower-cased."""
    rest = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", url.strip())
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    host, path = rest[:cut].lower(), rest[cut:]
    host = host.rsplit("@", 1)[-1]
    host = re.sub(r":(80|443)$", "", host)
    return _WWW.sub("", host), path


def urlkey(url: str) -> str:
    """The Wayback SURT key of a URL: ``https://www.nasa.gov/a/`` → ``gov,nasa)/a``.

    Scheme, ``www.`` and default ports are dropped, the host is reversed, query arguments
    are sorted, a trailing slash is removed (as in the recorded CDX lines) and the whole
    key is lower-cased.
    """
    host, path = split_url(url)
    path, _, query = path.partition("?")
    if len(path) > 1:
        path = path.rstrip("/")
    key = ",".join(reversed(host.split("."))) + ")" + (path or "/")
    if query:
        key += "?" + "&".join(sorted(query.split("&")))
    return key.lower()


# --------------------------------------------------------------------------- captures


@dataclass(frozen=True)
class Capture:
    """One Wayback capture (a CDX row plus what a memento of it replays)."""

    urlkey: str
    timestamp: str
    original: str
    mimetype: str
    statuscode: str
    digest: str
    length: str
    title: str | None = None
    body: str | None = None
    location: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def column(self, name: str) -> str:
        """A CDX field by name (``urlkey``, ``timestamp``, ``original``…)."""
        value = getattr(self, name, None)
        if name not in CDX_FIELDS or not isinstance(value, str):
            raise KeyError(name)
        return value


CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")


def _capture(url: str, raw: Mapping[str, Any]) -> Capture:
    timestamp = str(raw.get("timestamp", ""))
    if not re.fullmatch(r"\d{14}", timestamp):
        raise WorldError(f"wayback capture of {url!r}: timestamp must be 14 digits")
    original = str(raw.get("original", url))
    digest = (
        raw.get("digest")
        or base64.b32encode(
            hashlib.sha1(f"{original} {timestamp}".encode()).digest()  # noqa: S324 - an id, not security
        ).decode()
    )
    body = raw.get("body")
    length = raw.get("length") or str(len(body.encode()) if isinstance(body, str) else 1000)
    return Capture(
        urlkey=str(raw.get("urlkey", urlkey(original))),
        timestamp=timestamp,
        original=original,
        mimetype=str(raw.get("mimetype", "text/html")),
        statuscode=str(raw.get("statuscode", "200")),
        digest=str(digest),
        length=str(length),
        title=raw.get("title"),
        body=body,
        location=raw.get("location"),
        headers={str(k): str(v) for k, v in dict(raw.get("headers") or {}).items()},
    )


# --------------------------------------------------------------------------- the world


def public(record: Mapping[str, Any]) -> JSONDict:
    """A record without its emulator-private ``_``-prefixed keys (markers, provenance)."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def _section_key(section: str, key: str) -> str:
    if section in ("crossref_works", "handles"):
        return key.lower()
    if section == "idconv":
        return key.upper()
    return key


class World:
    """The current world document plus the indexes that make every lookup O(1)."""

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data: JSONDict = {}
        self.works: dict[str, JSONDict] = {}
        self.esummary: dict[str, JSONDict] = {}
        self.efetch_extra: dict[str, JSONDict] = {}
        self.pmids_by_doi: dict[str, list[str]] = {}
        self.idconv_index: dict[str, dict[str, JSONDict]] = {}
        self.handles: dict[str, JSONDict] = {}
        self.captures: dict[str, list[Capture]] = {}
        self.capture_keys: list[str] = []
        self.blocked: list[str] = []
        self.pages: dict[str, JSONDict] = {}
        self.openlibrary_books: dict[str, JSONDict] = {}
        self.googlebooks_books: dict[str, JSONDict] = {}
        self.wiki: JSONDict = {}
        self._search: dict[str, set[str]] | None = None
        self.replace(data or {})

    # ---- mutation

    def replace(self, data: Mapping[str, Any]) -> None:
        """Swap in a whole new world document (all or nothing)."""
        new = self._normalise(data, whole=True)
        self._commit(new, SECTIONS)

    def merge(self, patch: Mapping[str, Any]) -> None:
        """Apply a JSON merge patch (all or nothing); only touched sections are re-indexed."""
        patch = self._normalise(patch, whole=False)
        new = dict(self._data)
        for section, value in patch.items():
            if value is None:
                new.pop(section, None)
            elif section.startswith("_") or SECTIONS[section] is list:
                new[section] = copy.deepcopy(value)
            else:
                new[section] = merge_patch(new.get(section, {}), value)
        self._commit(new, [s for s in patch if not s.startswith("_")])

    def _commit(self, data: JSONDict, sections: Iterable[str]) -> None:
        # Build every index first, so that a bad record leaves the world as it was.
        built = [
            self._build(section, data.get(section, SECTIONS[section]())) for section in sections
        ]
        self._data = data
        for attributes in built:
            for name, value in attributes.items():
                setattr(self, name, value)

    def snapshot(self) -> JSONDict:
        """A deep copy of the current world document."""
        return copy.deepcopy(self._data)

    # ---- lookups

    def pmids_for(self, doi: str) -> list[str]:
        return self.pmids_by_doi.get(doi.lower(), [])

    def idconv(self, idtype: str, value: str) -> JSONDict | None:
        """The PMC id-converter record for one identifier of the given type."""
        key = value.lower() if idtype == "doi" else value.upper() if idtype == "pmcid" else value
        return self.idconv_index.get(idtype, {}).get(key)

    def agency(self, doi: str) -> str | None:
        """Registration agency label of a DOI (``Crossref``, ``DataCite``…) or ``None``."""
        doi = doi.lower()
        if doi in self.handles:
            return str(self.handles[doi].get("agency", "Crossref"))
        if doi in self.works:
            return "Crossref"
        return None

    def landing_url(self, doi: str) -> str | None:
        """The URL a DOI resolves to (handle ``url`` or the Crossref ``resource``)."""
        doi = doi.lower()
        handle = self.handles.get(doi)
        if handle is not None:
            url = handle.get("url")
            return str(url) if url else None
        work = self.works.get(doi)
        if work is None:
            return None
        primary = (work.get("resource") or {}).get("primary") or {}
        return str(primary.get("URL") or f"https://doi.org/{doi}")

    def book_by_isbn(self, section: str, isbn: str) -> JSONDict | None:
        """The ``openlibrary`` / ``googlebooks`` record of an ISBN-10 or ISBN-13."""
        key = isbn13(isbn)
        index: dict[str, JSONDict] = getattr(self, f"{section}_books", {})
        return index.get(key) if key else None

    def captures_matching(self, url: str, match_type: str) -> Iterable[Capture]:
        """Captures of one URL (``exact``) or of a ``prefix``/``host``/``domain`` of it."""
        key = urlkey(url)
        if match_type == "exact":
            yield from self.captures.get(key, [])
            return
        host_key = key.split(")", 1)[0]
        for candidate in self.capture_keys:
            if match_type == "prefix":
                hit = candidate.startswith(key)
            elif match_type == "host":
                hit = candidate.split(")", 1)[0] == host_key
            else:  # domain
                cand_host = candidate.split(")", 1)[0]
                hit = cand_host == host_key or cand_host.startswith(host_key + ",")
            if hit:
                yield from self.captures[candidate]

    def is_blocked(self, url: str) -> bool:
        """True when the URL's site is excluded from the Wayback Machine."""
        host, path = split_url(url)
        for entry in self.blocked:
            b_host, b_path = split_url(entry)
            if (host == b_host or host.endswith("." + b_host)) and path.startswith(b_path):
                return True
        return False

    def search_works(self, text: str) -> list[tuple[float, str]]:
        """Crossref-style relevance search over titles, authors, journals and years."""
        if self._search is None:
            self._search = {}
            for doi, work in self.works.items():
                for token in _tokens(_searchable(work)):
                    self._search.setdefault(token, set()).add(doi)
        scores: dict[str, float] = {}
        for token in set(_tokens(text)):
            postings = self._search.get(token, set())
            weight = 1.0 + 10.0 / (1 + len(postings))
            for doi in postings:
                scores[doi] = scores.get(doi, 0.0) + weight
        return sorted(((round(s, 3), d) for d, s in scores.items()), key=lambda p: (-p[0], p[1]))

    # ---- internals

    def _normalise(self, data: Mapping[str, Any], *, whole: bool) -> JSONDict:
        if not isinstance(data, Mapping):
            raise WorldError("a world must be a JSON object")
        out: JSONDict = {}
        for section, value in data.items():
            if section.startswith("_"):
                out[section] = copy.deepcopy(value)
                continue
            if section not in SECTIONS:
                raise WorldError(f"unknown world section {section!r}; known: {sorted(SECTIONS)}")
            if value is None and not whole:
                out[section] = None
                continue
            if not isinstance(value, SECTIONS[section]):
                raise WorldError(
                    f"world section {section!r} must be a JSON {SECTIONS[section].__name__}"
                )
            if isinstance(value, dict):
                out[section] = {_section_key(section, str(k)): v for k, v in value.items()}
            else:
                out[section] = copy.deepcopy(value)
        return out

    @staticmethod
    def _build(section: str, data: Any) -> dict[str, Any]:
        """The index attributes of one section (nothing is assigned here)."""
        if section == "crossref_works":
            return {
                "works": {doi: _served_work(doi, rec) for doi, rec in _records(section, data)},
                "_search": None,
            }
        if section == "pubmed":
            esummary: dict[str, JSONDict] = {}
            extra: dict[str, JSONDict] = {}
            by_doi: dict[str, list[str]] = {}
            for pmid, rec in _records(section, data):
                if not pmid.isdigit():
                    raise WorldError(f"pubmed key {pmid!r} is not a PMID")
                esummary[pmid] = _served_esummary(pmid, rec)
                extra[pmid] = dict(rec.get("_efetch") or {})
                for aid in esummary[pmid]["articleids"]:
                    if aid.get("idtype") == "doi" and aid.get("value"):
                        by_doi.setdefault(str(aid["value"]).lower(), []).append(pmid)
            return {"esummary": esummary, "efetch_extra": extra, "pmids_by_doi": by_doi}
        if section == "idconv":
            index: dict[str, dict[str, JSONDict]] = {"pmcid": {}, "pmid": {}, "doi": {}, "mid": {}}
            for pmcid, rec in _records(section, data):
                record = {"pmcid": pmcid, **public(rec)}
                index["pmcid"][pmcid] = record
                for idtype in ("pmid", "doi", "mid"):
                    if record.get(idtype):
                        value = str(record[idtype])
                        index[idtype][value.lower() if idtype == "doi" else value] = record
            return {"idconv_index": index}
        if section == "handles":
            return {"handles": dict(_records(section, data))}
        if section == "wayback":
            captures: dict[str, list[Capture]] = {}
            for url, rows in data.items():
                if not isinstance(rows, list):
                    raise WorldError(f"wayback captures of {url!r} must be a list")
                for row in rows:
                    if not isinstance(row, dict):
                        raise WorldError(f"a wayback capture of {url!r} must be a JSON object")
                    cap = _capture(url, row)
                    captures.setdefault(cap.urlkey, []).append(cap)
            for rows in captures.values():
                rows.sort(key=lambda c: c.timestamp)
            return {"captures": captures, "capture_keys": sorted(captures)}
        if section in ("openlibrary", "googlebooks"):
            try:
                index = book_index(section, data)
            except ValueError as exc:
                raise WorldError(str(exc)) from None
            return {f"{section}_books": index}
        if section == "wiki":
            return {"wiki": dict(data)}
        if section == "wayback_blocked":
            return {"blocked": [str(x) for x in data]}
        pages = dict(_records(section, data))
        bad = [p for p in pages if not p.startswith("/")]
        if bad:
            raise WorldError(f"page paths must start with '/': {bad[:3]}")
        return {"pages": pages}


def _records(section: str, data: Mapping[str, Any]) -> Iterable[tuple[str, JSONDict]]:
    for key, rec in data.items():
        if not isinstance(rec, dict):
            raise WorldError(f"{section}[{key!r}] must be a JSON object")
        yield key, rec


def _served_work(doi: str, rec: Mapping[str, Any]) -> JSONDict:
    work = public(rec)
    work.setdefault("DOI", doi)
    work.setdefault("URL", f"https://doi.org/{work['DOI']}")
    return work


def _served_esummary(pmid: str, rec: Mapping[str, Any]) -> JSONDict:
    given = public(rec)
    out: JSONDict = {}
    for key, default in ESUMMARY_KEYS:
        out[key] = given.pop(key, [] if isinstance(default, list) else default)
    out["uid"] = pmid
    names = [str(a.get("name", "")) for a in out["authors"] if isinstance(a, dict)]
    if names and not out["lastauthor"]:
        out["lastauthor"] = names[-1]
    if names and not out["sortfirstauthor"]:
        out["sortfirstauthor"] = names[0]
    if not out["sorttitle"]:
        out["sorttitle"] = " ".join(re.sub(r"[^\w\s]", " ", str(out["title"]).lower()).split())
    if not any(a.get("idtype") == "pubmed" for a in out["articleids"]):
        out["articleids"] = [{"idtype": "pubmed", "idtypen": 1, "value": pmid}, *out["articleids"]]
    out.update(given)  # keys outside the standard list are kept, after the standard ones
    return out


def _searchable(work: Mapping[str, Any]) -> str:
    parts: list[str] = []
    for key in ("title", "subtitle", "container-title", "short-container-title"):
        parts.extend(str(x) for x in work.get(key) or [])
    for author in work.get("author") or []:
        parts.append(str(author.get("family", author.get("name", ""))))
    issued = (work.get("issued") or {}).get("date-parts") or [[]]
    if issued and issued[0]:
        parts.append(str(issued[0][0]))
    for key in ("volume", "issue", "page"):
        parts.append(str(work.get(key, "")))
    return " ".join(parts)


def _tokens(text: str) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", urllib.parse.unquote(text)).lower()
    return [t for t in re.findall(r"\w+", text) if len(t) > 1 or t.isdigit()]
