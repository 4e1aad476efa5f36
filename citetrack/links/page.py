"""What the first bytes of an HTML page say: its title and heading, a soft 404, a bot wall.

* :func:`read_page` reads a streamed response only until its ``<title>`` and first ``<h1>``
  are known (at most ``max_bytes``, decompressed with a bound by :class:`Inflater` — no
  gzip bombs — and within a time limit) and returns :class:`PageSignals`;
* :func:`soft_404_phrase` — does a title or heading say "page not found" (several languages)?
* :func:`bot_wall` — is the answer a bot wall or challenge page rather than the page?

Pure except :func:`read_page`, which only reads the response it is given.
"""

from __future__ import annotations

import asyncio
import codecs
import re
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from html.parser import HTMLParser

import httpx

from citetrack.net import Clock
from citetrack.net.inflate import Inflater

HTML_TYPES = ("text/html", "application/xhtml+xml")
_SLOW_BODY = "the page body arrived too slowly and was read only in part"


@dataclass(frozen=True)
class PageSignals:
    """What the first bytes of an HTML page say: its title, first heading, raw head."""

    title: str | None = None
    heading: str | None = None
    head: str = ""  # lower-cased start of the document, for bot-wall markers
    bytes_read: int = 0
    note: str = ""  # why the body could not be read, if so


class TitleParser(HTMLParser):
    """Collects the first ``<title>`` and the first ``<h1>`` of a (possibly cut) document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: str | None = None
        self.heading: str | None = None
        self._inside: str | None = None
        self._buffer: list[str] = []

    @property
    def done(self) -> bool:
        return self.title is not None and self.heading is not None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._inside is None and (
            (tag == "title" and self.title is None) or (tag == "h1" and self.heading is None)
        ):
            self._inside = tag
            self._buffer = []

    def handle_endtag(self, tag: str) -> None:
        if tag != self._inside:
            return
        text = " ".join("".join(self._buffer).split())
        if tag == "title":
            self.title = text
        else:
            self.heading = text
        self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside is not None:
            self._buffer.append(data)


# Phrases that, making up a whole segment of a title or heading ("Page not found | Site"),
# mean the server answered 200 for a page that does not exist.
_APOS = "['’]?"  # "can't", "can’t", "cant"
_NOT_FOUND_SEGMENTS = (
    r"(?:error\s*)?404(?:\s*error)?(?:\s*[-:]?\s*(?:page\s+|file\s+)?not\s+found)?",
    r"(?:the\s+|this\s+)?(?:page|file|document|article|content|resource|url|item)?\s*"
    r"(?:was\s+|is\s+)?not\s+found",
    r"(?:the\s+|this\s+)?page\s+(?:does\s+not|doesn" + _APOS + r"t|no\s+longer)\s+exists?",
    r"(?:oops!?\s*|sorry,?\s*)?(?:the\s+|this\s+|that\s+)?page\s+"
    r"(?:could\s+not|couldn" + _APOS + r"t|cannot|can" + _APOS + r"t)\s+be\s+found",
    r"(?:seite\s+)?nicht\s+gefunden|fehler\s*404|seite\s+existiert\s+nicht",
    r"page\s+(?:introuvable|non\s+trouv[ée]e)|erreur\s*404|cette\s+page\s+n"
    + _APOS
    + r"existe\s+(?:pas|plus)",
    r"p[áa]gina\s+no\s+encontrada|no\s+encontrad[oa]|la\s+p[áa]gina\s+no\s+existe",
    r"pagina\s+non\s+trovata|p[áa]gina\s+n[ãa]o\s+encontrada|pagina\s+niet\s+gevonden",
    r"niet\s+gevonden|sidan\s+hittades\s+inte|siden\s+blev\s+ikke\s+fundet",
    r"страница\s+не\s+найдена|ページが見つかりません|页面未找到|找不到页面|페이지를\s*찾을\s*수\s*없습니다",
)
_NOT_FOUND_RE = re.compile(
    r"^\W*(?:" + "|".join(_NOT_FOUND_SEGMENTS) + r")\W*$", re.IGNORECASE | re.UNICODE
)
# Title separators: "Page not found | Example", "Example – 404", "Fehler 404: Seite…".
_SEGMENT_SPLIT_RE = re.compile(r"\s+[|–—·•»:-]\s+|\s*[|–—·•»]\s*|:\s+")
# Only the separators between a page name and a site name ("Just a moment... | Site").
_SITE_NAME_SPLIT_RE = re.compile(r"\s+[|–—·•»-]\s+|\s*[|–—·•»]\s*")
# Phrases that say "not found" anywhere in a title or heading; specific enough to be safe.
_NOT_FOUND_ANYWHERE_RE = re.compile(
    r"\b(?:page|file|document|article)\s+(?:was\s+|is\s+)?not\s+found\b|"
    r"\bpage\s+(?:you\s+(?:requested|are\s+looking\s+for)\s+)?"
    r"(?:does\s+not|doesn" + _APOS + r"t|no\s+longer)\s+exists?\b|"
    r"\bpage\s+(?:could\s+not|couldn" + _APOS + r"t|cannot|can" + _APOS + r"t)\s+be\s+found\b|"
    r"\b(?:error\s*)?404\b.*\bnot\s+found\b",
    re.IGNORECASE,
)


def soft_404_phrase(text: str | None) -> bool:
    """Whether a title or heading says the page does not exist ("Page not found | Site").

    Matches whole title segments in several languages, or a few unambiguous phrases
    anywhere, so an article *about* 404 errors is not mistaken for one.
    """
    if not text:
        return False
    if _NOT_FOUND_ANYWHERE_RE.search(text):
        return True
    segments = [text, *_SEGMENT_SPLIT_RE.split(text)]
    return any(_NOT_FOUND_RE.match(segment.strip()) for segment in segments if segment.strip())


# Bot walls and challenges: header markers, then title/heading phrases, then (for error
# statuses) markers anywhere in the first kilobytes.
# A title segment that is, in full, one of these is a challenge page's, not an article's
# ("How CAPTCHAs work" is an article; "Just a moment..." and "Captcha" are walls).
_WALL_TITLE_RE = re.compile(
    r"^\W*(?:just a moment|attention required|one more step|access denied|"
    r"access to this page has been denied|checking (?:your|if the site connection is) "
    r"(?:browser|secure)(?: before accessing)?|are you a (?:robot|human)|"
    r"(?:please )?verify(?:ing)? (?:that )?you are (?:a )?human|"
    r"(?:h|re)?captcha(?: challenge| verification| required)?|security check(?:point)?|"
    r"human verification|bot (?:check|verification|protection)|pardon our interruption|"
    r"request unsuccessful\. incapsula incident id.*|ddos-guard|"
    r"please enable (?:js|javascript)(?: and cookies)?)\W*$",
    re.IGNORECASE,
)
_WALL_BODY_MARKERS = (
    "cf-browser-verification",
    "challenge-platform",
    "cf_chl_",
    "g-recaptcha",
    "h-captcha",
    "hcaptcha.com",
    "px-captcha",
    "_incapsula_resource",
    "distil_r_captcha",
    "perimeterx",
    "ddos-guard",
    "datadome",
)
_WALL_STRONG_MARKERS = ("cf_chl_", "cf-browser-verification", "px-captcha", "_incapsula_resource")


def bot_wall(status: int, headers: httpx.Headers, page: PageSignals | None) -> str | None:
    """Why the response looks like a bot wall / challenge rather than the page, if it does."""
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return "Cloudflare challenge (cf-mitigated: challenge)"
    if page is None:
        return None
    for text in (page.title, page.heading):
        segments = [text, *_SITE_NAME_SPLIT_RE.split(text)] if text else []
        if any(_WALL_TITLE_RE.match(segment.strip()) for segment in segments):
            return f"bot wall or challenge page ({text!r})"
    markers = _WALL_BODY_MARKERS if status >= 400 else _WALL_STRONG_MARKERS
    for marker in markers:
        if marker in page.head:
            return f"bot wall or challenge page (marker {marker!r})"
    return None


_META_CHARSET_RE = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([a-zA-Z0-9_.:-]+)", re.IGNORECASE)


def charset_of(response: httpx.Response, first: bytes) -> str:
    declared = response.charset_encoding
    if not declared:
        match = _META_CHARSET_RE.search(first[:2048])
        declared = match.group(1).decode("ascii") if match else None
    try:
        return codecs.lookup(declared or "utf-8").name
    except LookupError:
        return "utf-8"


async def read_page(
    response: httpx.Response, *, max_bytes: int, time_limit: float, clock: Clock
) -> PageSignals:
    """Title, first heading and head of an HTML body, reading as little as possible: at most
    ``max_bytes`` decoded bytes, for at most ``time_limit`` seconds (also measured on
    ``clock``, so that tests in virtual time see the limit)."""
    chunks: AsyncIterator[bytes]
    if response.is_stream_consumed:
        # Already in memory and decoded by httpx (a response built from bytes, as
        # mock transports do); real network responses arrive as raw streams.
        chunks, encoding = _single(response.content), None
    else:
        chunks, encoding = response.aiter_raw(), response.headers.get("content-encoding")
    try:
        inflater = Inflater(encoding)
    except ValueError as exc:
        return PageSignals(note=str(exc))
    parser = TitleParser()
    decoder: codecs.IncrementalDecoder | None = None
    pieces: list[str] = []
    total = 0
    started = clock()
    note = ""
    try:
        async with asyncio.timeout(time_limit):
            async for raw in chunks:
                data = inflater.feed(raw, max_bytes - total)
                total += len(data)
                if decoder is None:
                    decoder = codecs.getincrementaldecoder(charset_of(response, data))("replace")
                text = decoder.decode(data)
                pieces.append(text)
                parser.feed(text)
                if total >= max_bytes or parser.done:
                    break
                # The injected clock too, so that tests with virtual time see the limit.
                if clock() - started > time_limit:
                    note = _SLOW_BODY
                    break
    except TimeoutError:
        note = _SLOW_BODY
    except (httpx.HTTPError, zlib.error) as exc:
        note = f"body read failed ({type(exc).__name__})"
    if note and parser.title is None and parser.heading is None:
        note += "; the soft-404 check could not be made"
    head = "".join(pieces)[:16384].lower()
    return PageSignals(parser.title, parser.heading, head, total, note)


async def _single(data: bytes) -> AsyncIterator[bytes]:
    yield data
