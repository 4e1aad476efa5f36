"""Helpers shared by the registry services: payload decoding, markup cleanup, caching.

Registry payloads are treated as untrusted input: every accessor here checks types and
returns ``None`` rather than raising on a surprising shape, and decoding failures become
:class:`~citetrack.net.ServiceUnavailable` with a reason naming the registry.
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from citetrack.model import (
    Evidence,
    NotFound,
    Source,
    Unavailable,
    UpdateKind,
    WorkMetadata,
)
from citetrack.net import ServiceUnavailable
from citetrack.tracking.shared import fetch_claimed
from citetrack.tracking.store import EvidenceStore

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")

#: Prefix of ``WorkMetadata.publication_types`` entries saying that the record *is* an
#: editorial notice about another work (Crossref ``update-to``; PubMed "Retraction of
#: Publication"…), e.g. ``"notice:retraction"``.  The kind is an :class:`UpdateKind` value.
NOTICE_PREFIX = "notice:"

# Inline markup seen in registry titles: JATS (``<jats:italic>``), MathML (``<mml:mi>``),
# HTML (``<i>``, ``<sup>``).  Only these names are removed, so "p<0.05 and q>1" survives.
_TAG_RE = re.compile(
    r"</?(?:[A-Za-z][\w.-]*:[\w.-]+|i|b|u|em|strong|sup|sub|sc|scp|span|p|br|a|font|small|"
    r"tt|code|s|strike|del|ins|mark|italic|bold|underline|roman|monospace|overline|"
    r"inline-formula|named-content|styled-content|math|mi|mo|mn|ms|mtext|mrow|msub|msup|"
    r"msubsup|mfrac|msqrt|mover|munder)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_SPACE_RE = re.compile(r"\s+")
#: A ``\\uD800``–``\\uDFFF`` escape in JSON text: the only way a lone surrogate (text no
#: encoder can write) gets into a decoded answer.
_SURROGATE_ESCAPE_RE = re.compile(rb"\\[uU][dD][89a-fA-F]")
_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")
#: JSON objects and arrays one answer may hold.  Each costs ~120 bytes once parsed: a 20 MB
#: answer of tiny objects took 440 MB; this bounds a parse to ~60 MB.  A batch of 50 works
#: with 500 references each holds about 25,000.
MAX_JSON_CONTAINERS = 500_000
#: Why a 200 answer that carries no facts is not evidence (issue 18, item 4).
NO_RECORD = "the registry answered without a record"


def clean_markup(text: str) -> str:
    """Text without inline markup or entities, whitespace collapsed (``<i>KRAS</i>`` → KRAS).

    Tags are removed before entities are decoded, so an escaped ``&lt;b&gt;`` in a title
    stays visible as ``<b>`` text rather than vanishing.  Interned, as :func:`as_str`.
    """
    without_tags = _TAG_RE.sub(_tag_replacement, text)
    collapsed = _SPACE_RE.sub(" ", html.unescape(without_tags)).strip()
    # Markup laid out on separate lines leaves "( KRAS )": close up inside brackets and
    # before closing punctuation.
    collapsed = re.sub(r"([(\[])\s+", r"\1", collapsed)
    return sys.intern(re.sub(r"\s+([,.;:!?)\]])", r"\1", collapsed))


def _tag_replacement(match: re.Match[str]) -> str:
    # Inline tags join their neighbours (H<sub>2</sub>O → H2O); a line break separates.
    return " " if match.group(0).lower().startswith("<br") else ""


def notice_marker(kind: UpdateKind) -> str:
    return f"{NOTICE_PREFIX}{kind.value}"


def decode_json(response: httpx.Response, registry: str) -> Any:
    """The JSON body of ``response``; anything else raises ``ServiceUnavailable``.

    RFC 8259 JSON is UTF-8; a body that is not is decoded with its declared charset.
    """
    body = response.content
    if not body.strip():
        raise ServiceUnavailable(f"empty response from {registry} (HTTP {response.status_code})")
    containers = body.count(b"{") + body.count(b"[")  # an upper bound, strings included
    if containers > MAX_JSON_CONTAINERS:
        raise ServiceUnavailable(
            f"answer from {registry} with more than {MAX_JSON_CONTAINERS:,} JSON objects "
            "and arrays; not parsed"
        )
    try:
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = body.decode(response.encoding or "latin-1", errors="strict")
        payload = json.loads(text)
    except (ValueError, UnicodeDecodeError, LookupError, RecursionError):
        head = body.lstrip()[:100].lower()
        if head.startswith((b"<!doctype html", b"<html")):
            kind = "HTML"
        elif head.startswith(b"<"):
            kind = "XML"
        else:
            kind = "invalid JSON"
        raise ServiceUnavailable(
            f"{kind} instead of JSON from {registry} (HTTP {response.status_code})"
        ) from None
    if _SURROGATE_ESCAPE_RE.search(body):
        payload = without_lone_surrogates(payload)
    return payload


def without_lone_surrogates(payload: Any) -> Any:
    """``payload`` with every lone surrogate in its strings (keys too) replaced by U+FFFD.

    ``"\\ud800"`` is valid JSON but not text: it cannot be encoded as UTF-8, so it would
    crash every later write (the cache, the lockfile, the report).  Registry text is made
    writable here, at the edge.  Iterative, so a deep answer cannot exhaust the stack.
    """
    if isinstance(payload, str):
        return _LONE_SURROGATE_RE.sub("\ufffd", payload)
    if not isinstance(payload, dict | list):
        return payload
    stack: list[dict[str, Any] | list[Any]] = [payload]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for index, item in enumerate(node):
                if isinstance(item, str):
                    node[index] = _LONE_SURROGATE_RE.sub("\ufffd", item)
                elif isinstance(item, dict | list):
                    stack.append(item)
            continue
        for key in list(node):
            item = node[key]
            if isinstance(item, str):
                item = _LONE_SURROGATE_RE.sub("\ufffd", item)
            elif isinstance(item, dict | list):
                stack.append(item)
            clean_key = _LONE_SURROGATE_RE.sub("\ufffd", key)
            if clean_key != key:
                del node[key]
            node[clean_key] = item
    return payload


#: Characters one value of a registry record may have (the longest real titles are a few
#: hundred; a 10 MB "title" is not a record, and comparing it would cost seconds).
MAX_FIELD_CHARS = 10_000
#: Authors one record may list (collaborations list a few thousand).
MAX_AUTHORS = 20_000


def unusable(metadata: WorkMetadata) -> str | None:
    """Why a parsed record cannot serve as evidence (``None`` when it can): it carries no
    facts (:func:`has_facts`), or a value or author list past the per-record caps."""
    if not has_facts(metadata):
        return NO_RECORD
    if len(metadata.authors) > MAX_AUTHORS:
        return f"a record listing {len(metadata.authors):,} authors (more than {MAX_AUTHORS:,})"
    values = [
        *(v for v in (metadata.title, metadata.container, metadata.container_short) if v),
        *(v for v in (metadata.volume, metadata.issue, metadata.pages, metadata.publisher) if v),
        *(part for a in metadata.authors for part in (a.family, a.given, a.literal) if part),
        *metadata.publication_types,
    ]
    longest = max(map(len, values), default=0)
    if longest > MAX_FIELD_CHARS:
        return (
            f"a record with a value of {longest:,} characters (more than {MAX_FIELD_CHARS:,}); "
            "not used"
        )
    return None


def has_facts(metadata: WorkMetadata) -> bool:
    """Whether a record carries anything a citation is checked against.

    A registry that answers 200 with a record holding only the identifier that was asked
    (``{"DOI": …}``, an empty DocSum ``{}``) has said nothing: it is not evidence that the
    work exists as cited, so such an answer is unverified (:data:`NO_RECORD`).
    """
    return bool(
        metadata.title
        or metadata.authors
        or metadata.year
        or metadata.container
        or metadata.container_short
        or metadata.volume
        or metadata.pages
    )


def unexpected_status(response: httpx.Response, registry: str) -> ServiceUnavailable:
    return ServiceUnavailable(f"unexpected HTTP {response.status_code} from {registry}")


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def as_str(value: Any) -> str | None:
    """A non-empty stripped string, or ``None`` (numbers are accepted as their text).

    Interned: a run keeps every record it was answered, and their journal, volume, type,
    publisher and author names repeat from record to record (a Crossref and a PubMed
    record of one work also share the title); one copy of each saved ~16 MB of the
    20,000 records of a cold 10,000-reference check (issue 16).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return sys.intern(str(value))
    if isinstance(value, str):
        stripped = value.strip()
        return sys.intern(stripped) if stripped else None
    return None


def first_str(value: Any) -> str | None:
    """The first non-empty string of a list (or the value itself if it is a string)."""
    if isinstance(value, list):
        for item in value:
            text = as_str(item)
            if text:
                return text
        return None
    return as_str(value)


def str_list(value: Any) -> tuple[str, ...]:
    """The non-empty strings of a list (a lone string counts as a list of one)."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        text = as_str(item)
        if text and text not in out:
            out.append(text)
    return tuple(out)


def as_year(value: Any) -> int | None:
    """A plausible year (1000–2999) from an int or digit string."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 2999:
        return value
    return None


def as_month(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 12:
        return value
    return None


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def sequence(value: Any) -> list[Any]:
    """``value`` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


Fetch = Callable[[list[str]], Awaitable[Mapping[str, Evidence]]]


async def resolve_cached(
    cache: EvidenceStore | None,
    source: Source,
    keys: Sequence[str],
    fetch: Fetch,
) -> dict[str, Evidence]:
    """Evidence for each distinct key: from the cache, else from ``fetch`` (then stored).

    Offline, a key not in the cache is ``Unavailable("offline: not in cache")``.  A key that
    ``fetch`` leaves unanswered becomes ``Unavailable`` (never silently missing).
    """
    unique = list(dict.fromkeys(keys))
    result: dict[str, Evidence] = {}
    if cache is not None:
        result.update(cache.get_many(source, unique))
    missing = [k for k in unique if k not in result]
    if not missing:
        return result
    if cache is not None and cache.offline:
        for key in missing:
            result[key] = Unavailable(source, key, _miss(cache))
        return result
    if cache is not None:
        result.update(await fetch_claimed(cache, source, missing, fetch))
        return result
    fetched = await fetch(missing)
    for key in missing:
        result[key] = fetched.get(key) or Unavailable(source, key, "no answer for this identifier")
    return result


async def resolve_as_given(
    cache: EvidenceStore | None,
    source: Source,
    identifiers: Sequence[str],
    *,
    normalise: Callable[[str | None], str | None],
    label: str,
    fetch: Fetch,
) -> dict[str, Evidence]:
    """Evidence keyed by each identifier *as given*, via :func:`resolve_cached` on the
    normalised forms; a value that is not a valid ``label`` is ``NotFound`` without any
    request."""
    keys = {given: normalise(given) for given in identifiers}
    resolved = await resolve_cached(cache, source, [k for k in keys.values() if k], fetch)
    return {
        given: resolved[key] if key else NotFound(source, given, f"not a {label}; not looked up")
        for given, key in keys.items()
    }


def unavailable_for(source: Source, keys: Sequence[str], reason: str) -> dict[str, Evidence]:
    return {key: Unavailable(source, key, reason) for key in keys}


def _miss(cache: EvidenceStore) -> str:
    """Why an offline run has no answer (``--local`` reads no cache: not "not in cache")."""
    miss = getattr(cache, "miss", None)
    return miss if isinstance(miss, str) else "offline: not in cache"
