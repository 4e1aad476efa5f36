"""Helpers shared by the registry services: payload decoding, markup cleanup, caching.

Registry payloads are treated as untrusted input: every accessor here checks types and
returns ``None`` rather than raising on a surprising shape, and decoding failures become
:class:`~citetrack.net.ServiceUnavailable` with a reason naming the registry.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import httpx

from citetrack.model import Evidence, NotFound, Source, Unavailable, UpdateKind
from citetrack.net import ServiceUnavailable
from citetrack.tracking.shared import fetch_claimed
from citetrack.tracking.store import EvidenceStore

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


def clean_markup(text: str) -> str:
    """Text without inline markup or entities, whitespace collapsed (``<i>KRAS</i>`` → KRAS).

    Tags are removed before entities are decoded, so an escaped ``&lt;b&gt;`` in a title
    stays visible as ``<b>`` text rather than vanishing.
    """
    without_tags = _TAG_RE.sub(_tag_replacement, text)
    collapsed = _SPACE_RE.sub(" ", html.unescape(without_tags)).strip()
    # Markup laid out on separate lines leaves "( KRAS )": close up inside brackets and
    # before closing punctuation.
    collapsed = re.sub(r"([(\[])\s+", r"\1", collapsed)
    return re.sub(r"\s+([,.;:!?)\]])", r"\1", collapsed)


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
    try:
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = body.decode(response.encoding or "latin-1", errors="strict")
        return json.loads(text)
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


def unexpected_status(response: httpx.Response, registry: str) -> ServiceUnavailable:
    return ServiceUnavailable(f"unexpected HTTP {response.status_code} from {registry}")


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def as_str(value: Any) -> str | None:
    """A non-empty stripped string, or ``None`` (numbers are accepted as their text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
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
            result[key] = Unavailable(source, key, "offline: not in cache")
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
