"""Checking cited web links: is the page still there, moved, gone, or just hiding from bots?

Link checkers are known for false alarms — a 403 from a bot wall, a 429, a timeout reported
as "dead" — and users switch them off.  This one says "dead" only when the server or DNS
said so plainly (404, 410, no such host), and "blocked" / "unavailable" (never dead) when
it could not tell.  :class:`LinkChecker` does, per URL:

* one streamed GET for a web page, read only until its ``<title>`` and first ``<h1>`` are
  known (at most ``max_body_bytes``, 64 KB, decompressed with a bound — no gzip bombs), so
  the status and the soft-404 / bot-wall evidence come from a single request;
* HEAD first for URLs that name a file (``.pdf``, ``.zip``…) and whenever soft-404
  detection is off, then GET when HEAD is refused or answers an error (some servers only
  implement GET), or when a "file" turns out to be an HTML page;
* redirects followed one hop at a time, each hop re-checked by the SSRF guard
  (:mod:`citetrack.net.urlsafety`) and held to the cited URL's address zone, recorded, with
  loops and over-long chains cut off;
* per-host pacing (one request start per second per host by default) with all hosts in
  parallel, ``Retry-After`` honoured, 429 / 5xx / timeouts retried per a
  :class:`~citetrack.net.RetryPolicy`;
* requests built from scratch, so none of the registry client's identification (``mailto``,
  API keys, auth, cookies) can leak to arbitrary web sites.

Why GET rather than HEAD-then-GET for pages: a soft 404 ("Page not found" served with 200)
is only visible in the body, so HEAD-then-GET costs every working HTML page two requests,
and every host twice the time at one request a second.  A GET that stops after the first
kilobytes costs the server about what a HEAD costs (most servers render the page for a HEAD
too) and the network a few kilobytes.  HEAD stays first where it saves a real download:
files, whose bodies are never read, and checks without soft-404 detection.  A GET whose
answer is not HTML is closed as soon as its headers arrive.

DOI links (``https://doi.org/…``) are not fetched: the DOI checks own them (:func:`is_doi_link`).

Verdicts (``LinkStatus.verdict``):

==========================================  ===============  ================================
what happened                               verdict          ``final_url``
==========================================  ===============  ================================
2xx                                         ok               last URL fetched
only temporary redirects (302/303/307)      ok               where they led
301/308 to another page                     redirected       the permanent new address
301/308 to the same page (http→https, www)  ok               last URL fetched
2xx whose title/heading says "not found"    soft-404         last URL fetched
deep link redirected to a front page ``/``  soft-404         the front page
  or to one of its own parent pages
404, 410, DNS "no such name"                dead
401, 403, 429 (after retries), other 4xx,   blocked
  bot-wall / captcha / login page
5xx, timeouts, resets (after retries),      unavailable
  redirect loops, too many redirects
private address / bad scheme / userinfo     refused
==========================================  ===============  ================================

If no host *name* resolved during a run, "no such name" proves nothing (the machine is
probably offline — it then answers "not found" for every name), so those links are reported
unavailable instead of dead.  IP-literal hosts need no DNS and do not count.
"""

from __future__ import annotations

import asyncio
import codecs
import re
import time
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass, replace
from html.parser import HTMLParser

import httpx

from citetrack.links.rules import is_doi_link
from citetrack.model import LinkStatus, LinkVerdict
from citetrack.net import (
    Clock,
    RateLimiter,
    RateSpec,
    RequestStats,
    RetryAdvice,
    RetryPolicy,
    Sleep,
    Tried,
    parse_retry_after,
    retry_outcome,
    user_agent,
)
from citetrack.net.urlsafety import (
    AddressRefused,
    GuardedTransport,
    HostNotResolved,
    Resolver,
    Zone,
    address_refusal,
    allowed_zones,
    chain_zones,
    connection_zones,
    default_resolver,
    parse_ip_literal,
    resolve,
    vet_syntax,
)

__all__ = [
    "DEFAULT_LINK_RETRY",
    "DEFAULT_MAX_BODY_BYTES",
    "LINK_HEADERS",
    "LinkChecker",
    "PageSignals",
    "is_doi_link",
    "link_timeout",
    "looks_like_file",
    "make_link_client",
    "soft_404_phrase",
]

SERVICE = "links"
DEFAULT_MAX_BODY_BYTES = 64 * 1024
#: Links are retried gently: three attempts, Retry-After up to a minute honoured.
DEFAULT_LINK_RETRY = RetryPolicy(
    max_attempts=3, max_total_wait=90.0, retry_after_cap=60.0, backoff_base=2.0, backoff_max=20.0
)
#: What a browser would send, minus anything that identifies the user: the project's
#: User-Agent without a ``mailto``, and only the encodings we can decode with a bound.
LINK_HEADERS = {
    "User-Agent": user_agent(None),
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.8,*;q=0.5",
    "Accept-Encoding": "gzip, deflate",
}
DEFAULT_LINK_TIMEOUT = httpx.Timeout(15.0, connect=10.0)
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Statuses worth another attempt later.  501 (not implemented) and 505 are final answers.
_RETRY_5XX_EXCLUDED = frozenset({501, 505})
# How often one URL may come round again in a redirect chain before it is a loop (a
# cookie-setting redirect back to the same URL is legitimate once).
_MAX_VISITS = 2
_UNPACED = 1e9  # requests per second when per_host_interval is 0
#: Seconds a page body may take when the client has no read timeout.
DEFAULT_BODY_TIME_LIMIT = 20.0
_SLOW_BODY = "the page body arrived too slowly and was read only in part"
_ZONE_NOTE = (
    " (a redirect may lead only to public addresses and to the kind of address the cited"
    " URL itself has)"
)
#: ``LinkChecker.check``'s progress callback: (URLs done, URLs in all).
LinkProgress = Callable[[int, int], None]


def link_timeout(seconds: float) -> httpx.Timeout:
    """The link client's timeout for a ``--timeout`` of ``seconds``: that long for each
    read, write and pool wait, at most 10 s to connect."""
    return httpx.Timeout(seconds, connect=min(seconds, 10.0))


def make_link_client(
    *,
    allow_private: bool = False,
    resolver: Resolver | None = None,
    timeout: httpx.Timeout | float = DEFAULT_LINK_TIMEOUT,
    verify: bool = True,
    max_connections: int = 50,
) -> httpx.AsyncClient:
    """The client for web links: SSRF-guarded transport, no identification, no env proxies.

    Kept apart from the registry client, which carries the user's ``mailto`` and keys.
    """
    limits = httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max(1, max_connections // 5),
        keepalive_expiry=10.0,
    )
    return httpx.AsyncClient(
        transport=GuardedTransport(
            allow_private=allow_private, resolver=resolver, verify=verify, limits=limits
        ),
        headers=LINK_HEADERS,
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    )


# --------------------------------------------------------------------------- page signals


@dataclass(frozen=True)
class PageSignals:
    """What the first bytes of an HTML page say: its title, first heading, raw head."""

    title: str | None = None
    heading: str | None = None
    head: str = ""  # lower-cased start of the document, for bot-wall markers
    bytes_read: int = 0
    note: str = ""  # why the body could not be read, if so


class _TitleParser(HTMLParser):
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


def _bot_wall(status: int, headers: httpx.Headers, page: PageSignals | None) -> str | None:
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


# ------------------------------------------------------------------------ URL comparisons

_FRONT_PAGE_RE = re.compile(
    r"/?(?:(?:index|default|home|start)(?:\.[a-z]{2,5})?|[a-z]{2}(?:[-_][a-z]{2,4})?/?)?/?",
    re.IGNORECASE,
)
_LOGIN_SEGMENTS = frozenset(
    {
        "login",
        "log-in",
        "logon",
        "signin",
        "sign-in",
        "sign_in",
        "sso",
        "shibboleth.sso",
        "saml",
        "oauth",
        "oauth2",
        "authorize",
        "wayf",
        "cas",
    }
)
_LOGIN_HOST_PREFIXES = ("login.", "signin.", "sso.", "auth.", "idp.", "consent.", "accounts.")


# Extensions of files whose body is never read: HEAD is enough to see that they are there.
_FILE_EXTENSIONS = frozenset(
    {
        *("pdf", "ps", "eps", "djvu", "epub", "mobi", "azw3"),
        *("doc", "docx", "odt", "rtf", "xls", "xlsx", "ods", "csv", "tsv", "ppt", "pptx", "odp"),
        *("zip", "gz", "tgz", "bz2", "xz", "zst", "7z", "rar", "tar", "iso", "dmg"),
        *("exe", "msi", "apk", "deb", "rpm", "bin", "dat"),
        *("jpg", "jpeg", "png", "gif", "tif", "tiff", "bmp", "webp", "heic"),
        *("mp3", "m4a", "wav", "flac", "ogg", "oga", "opus"),
        *("mp4", "m4v", "mov", "avi", "mkv", "webm", "wmv", "flv", "mpg", "mpeg"),
        *("sav", "dta", "rds", "rdata", "por", "xpt", "nc", "h5", "hdf5", "fits", "parquet"),
        *("feather", "mat", "sas7bdat"),
    }
)


def looks_like_file(url: str) -> bool:
    """Whether ``url``'s path names a downloadable file (``/paper.pdf``, ``/data.zip``).

    Such URLs are checked with HEAD first: their bodies say nothing a link check needs.
    """
    parsed = _split(url)
    if parsed is None:
        return False
    last = parsed.path.rsplit("/", 1)[-1]
    stem, dot, extension = last.rpartition(".")
    return bool(dot and stem and extension.lower() in _FILE_EXTENSIONS)


def _split(url: str) -> httpx.URL | None:
    try:
        return httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return None


def _is_front_page(url: str) -> bool:
    """A site's home page: ``/``, ``/index.html``, ``/en/``… with no query."""
    parsed = _split(url)
    return bool(parsed and not parsed.query and _FRONT_PAGE_RE.fullmatch(parsed.path or "/"))


def _is_parent_page(url: str, final: str) -> bool:
    """Whether ``final`` is a parent page of ``url`` on the same site: ``/journal/article/12``
    sent to ``/journal/`` — what publishers do with retired articles."""
    key_url, key_final = _page_key(url), _page_key(final)
    if key_url is None or key_final is None or key_url[0] != key_final[0] or key_final[2]:
        return False
    parent, child = key_final[1].rstrip("/"), key_url[1].rstrip("/")
    return len(parent) < len(child) and child.startswith(parent + "/")


def _looks_like_login(url: str) -> bool:
    """A sign-in, single-sign-on or cookie-consent page (paywalls send links there)."""
    parsed = _split(url)
    if parsed is None:
        return False
    segments = {s.lower() for s in parsed.path.split("/") if s}
    return bool(segments & _LOGIN_SEGMENTS) or parsed.host.startswith(_LOGIN_HOST_PREFIXES)


def _page_key(url: str) -> tuple[str, str, str] | None:
    """A URL reduced to what makes it a different page for a reader.

    Scheme, ``www.``, default ports, a trailing slash, ``index.html`` and the fragment do
    not count: ``http://www.x.org/a/`` and ``https://x.org/a`` are the same page.
    """
    parsed = _split(url)
    if parsed is None:
        return None
    host = parsed.host.lower().removeprefix("www.")
    if parsed.port not in (None, 80, 443):
        host += f":{parsed.port}"
    path = re.sub(r"/(?:index|default)\.[a-z]{2,5}$", "/", parsed.path, flags=re.IGNORECASE)
    return host, path.rstrip("/") or "/", parsed.query.decode("ascii", "replace")


def _same_page(a: str, b: str) -> bool:
    """Whether two URLs show a reader the same page (a site's home and its ``/en/`` count)."""
    key_a, key_b = _page_key(a), _page_key(b)
    if key_a is None or key_b is None:
        return False
    if _is_front_page(a) and _is_front_page(b):
        return key_a[0] == key_b[0]
    return key_a == key_b


# ----------------------------------------------------------------------- HTTP, one answer


@dataclass(frozen=True)
class _Answer:
    """One HTTP response, reduced to what the verdict needs."""

    method: str
    url: str
    status: int
    headers: httpx.Headers
    page: PageSignals | None = None
    attempts: int = 1
    gave_up: str = ""  # why no further attempt was made, when it was not the policy's count

    @property
    def location(self) -> str | None:
        value = self.headers.get("location", "").strip()
        return value or None

    @property
    def is_redirect(self) -> bool:
        return self.status in _REDIRECT_STATUSES and self.location is not None

    @property
    def is_memento(self) -> bool:
        """A web-archive replay: its status is the archived page's, not the server's now."""
        return "memento-datetime" in self.headers

    @property
    def is_html(self) -> bool:
        content_type = self.headers.get("content-type", "").lower()
        return not content_type or content_type.startswith(_HTML_TYPES)


@dataclass(frozen=True)
class _Failure:
    """No HTTP answer: ``kind`` is ``timeout``, ``network``, ``refused`` or ``invalid``."""

    kind: str
    detail: str
    attempts: int = 1
    gave_up: str = ""


_Outcome = _Answer | _Failure


@dataclass(frozen=True)
class _Checked:
    """A URL's status plus what the run-level offline check needs to know."""

    status: LinkStatus
    resolved: bool = False  # some host of the chain resolved
    dns_dead: bool = False  # dead only because DNS said "no such name"


class _Inflater:
    """Decodes a Content-Encoding with a bound on the output (a gzip bomb stays small)."""

    def __init__(self, encoding: str | None) -> None:
        name = (encoding or "identity").strip().lower()
        self._raw_fallback = name == "deflate"
        if name in ("", "identity"):
            self._z: zlib._Decompress | None = None
        elif name in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif name == "deflate":
            self._z = zlib.decompressobj()
        else:
            raise ValueError(f"unsupported content encoding {name!r}")

    def feed(self, data: bytes, room: int) -> bytes:
        if self._z is None:
            return data[:room]
        try:
            return self._z.decompress(data, room)
        except zlib.error:
            if not self._raw_fallback:
                raise
            # "deflate" is sometimes sent without the zlib header (raw DEFLATE).
            self._raw_fallback = False
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._z.decompress(data, room)


_META_CHARSET_RE = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([a-zA-Z0-9_.:-]+)", re.IGNORECASE)


def _charset(response: httpx.Response, first: bytes) -> str:
    declared = response.charset_encoding
    if not declared:
        match = _META_CHARSET_RE.search(first[:2048])
        declared = match.group(1).decode("ascii") if match else None
    try:
        return codecs.lookup(declared or "utf-8").name
    except LookupError:
        return "utf-8"


# ---------------------------------------------------------------------------- the checker


class LinkChecker:
    """Checks web links politely and conservatively; see the module docstring.

    ``client`` should come from :func:`make_link_client` (SSRF-guarded at connect time);
    any client works, since requests are built here without the client's default headers,
    parameters, auth or cookies.  ``per_host_interval`` seconds separate request starts to
    one host and ``per_host_concurrency`` requests may be in flight to it; different hosts
    proceed in parallel, up to ``max_connections`` requests at once.  ``retry`` decides how
    often 429 / 5xx / timeouts are tried again (``Retry-After`` is honoured up to its
    ``retry_after_cap``).  A page body is read for at most ``body_time_limit`` seconds
    (default: the client's read timeout).  ``use_head=False`` never sends HEAD;
    ``detect_soft_404=False`` reads no body of a 2xx page (and so tries HEAD first
    everywhere).  ``clock`` / ``sleep`` pace requests, ``wall_clock`` reads HTTP-date
    ``Retry-After`` values; all three are injectable for tests.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        per_host_interval: float = 1.0,
        per_host_concurrency: int = 1,
        max_connections: int = 20,
        max_redirects: int = 10,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        body_time_limit: float | None = None,
        allow_private: bool = False,
        resolver: Resolver | None = None,
        retry: RetryPolicy = DEFAULT_LINK_RETRY,
        use_head: bool = True,
        detect_soft_404: bool = True,
        stats: RequestStats | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        wall_clock: Clock = time.time,
    ) -> None:
        if per_host_interval < 0 or per_host_concurrency < 1 or max_connections < 1:
            raise ValueError("invalid pacing for the link checker")
        self._client = client
        self._interval = per_host_interval
        self._host_concurrency = per_host_concurrency
        self._max_redirects = max_redirects
        self._max_body_bytes = max_body_bytes
        if body_time_limit is None:
            body_time_limit = client.timeout.read or DEFAULT_BODY_TIME_LIMIT
        self._body_time_limit = body_time_limit
        self._zones = allowed_zones(allow_private)
        self._resolver = resolver or default_resolver
        self._retry = retry
        self._use_head = use_head
        self._detect_soft_404 = detect_soft_404
        self.stats = stats if stats is not None else RequestStats()
        self._clock = clock
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._connections = asyncio.Semaphore(max_connections)
        self._limiters: dict[str, RateLimiter] = {}
        self._no_head: set[str] = set()  # hosts that answered HEAD with 405 / 501
        self._dns: dict[tuple[str, int], asyncio.Task[list[str]]] = {}

    async def check(
        self, urls: Sequence[str], *, progress: LinkProgress | None = None
    ) -> dict[str, LinkStatus]:
        """The status of each distinct URL (DOI links are skipped: absent from the result).

        ``progress`` is called with (done, total) as each URL is finished.
        """
        unique = [u for u in dict.fromkeys(urls) if not is_doi_link(u)]
        done = 0

        async def one(url: str) -> _Checked:
            nonlocal done
            result = await self._check_one(url)
            done += 1
            if progress is not None:
                progress(done, len(unique))
            return result

        checked = await asyncio.gather(*(one(u) for u in unique))
        offline = not any(c.resolved for c in checked)
        out: dict[str, LinkStatus] = {}
        for url, result in zip(unique, checked, strict=True):
            status = result.status
            if offline and result.dns_dead:
                status = replace(
                    status,
                    verdict=LinkVerdict.UNAVAILABLE,
                    reason=f"{status.reason}; but no host name resolved in this run, "
                    "so DNS itself may be unreachable",
                )
            out[url] = status
        return out

    # ------------------------------------------------------------------ one URL, all hops

    async def _check_one(self, url: str) -> _Checked:
        hops: list[tuple[int, str]] = []  # (status that redirected, target)
        visits: Counter[str] = Counter()
        cookies = httpx.Cookies()
        current = url
        resolved = False  # a host *name* of the chain resolved (IP literals need no DNS)
        zones: frozenset[Zone] = self._zones  # narrowed to the chain's after the first hop
        while True:
            visits[current] += 1
            redirects = tuple(target for _, target in hops)

            if visits[current] > _MAX_VISITS:
                return _Checked(
                    self._status(url, LinkVerdict.UNAVAILABLE, hops, f"redirect loop at {current}"),
                    resolved,
                )
            syntax = vet_syntax(current, zones=zones)
            if syntax.refusal is not None:
                by_chain = vet_syntax(current, zones=self._zones).refusal is None
                return self._refused(url, hops, syntax.refusal, by_chain, resolved)
            try:
                addresses = await self._addresses(syntax.host, syntax.port)
            except HostNotResolved as exc:
                verdict = LinkVerdict.DEAD if exc.permanent else LinkVerdict.UNAVAILABLE
                what = "no such host" if exc.permanent else "DNS lookup failed"
                hop = f"redirect to {current}: " if hops else ""
                reason = f"{hop}{what}: {exc.host} ({exc.reason})"
                status = LinkStatus(url, verdict, None, current, redirects, reason)
                return _Checked(status, resolved, dns_dead=exc.permanent)
            resolved = resolved or not _is_ip_literal(syntax.host)
            for address in addresses:
                why = address_refusal(address, zones)
                if why is not None:
                    by_chain = address_refusal(address, self._zones) is None
                    reason = f"{syntax.host} resolves to {why}"
                    return self._refused(url, hops, reason, by_chain, resolved)
            if not hops:
                zones = chain_zones(addresses, self._zones)
            outcome = await self._fetch(current, cookies, zones)
            if isinstance(outcome, _Answer) and outcome.is_redirect:
                target = _redirect_target(current, outcome.location or "")
                if target is None:
                    reason = f"invalid redirect Location {outcome.location!r}"
                    status = self._status(url, LinkVerdict.UNAVAILABLE, hops, reason, outcome)
                    return _Checked(status, resolved)
                if len(hops) >= self._max_redirects:
                    reason = f"more than {self._max_redirects} redirects"
                    status = self._status(url, LinkVerdict.UNAVAILABLE, hops, reason, outcome)
                    return _Checked(status, resolved)
                hops.append((outcome.status, target))
                current = target
                continue
            return _Checked(classify(url, hops, outcome), resolved)

    @staticmethod
    def _refused(
        url: str, hops: list[tuple[int, str]], reason: str, by_chain: bool, resolved: bool
    ) -> _Checked:
        """A refusal of ``url`` (or of its last redirect hop); ``by_chain``: the address
        would be allowed for a cited URL, but not as a redirect from this one."""
        redirects = tuple(target for _, target in hops)
        current = redirects[-1] if redirects else url
        hop = f"redirect to {current}: " if hops else ""
        note = _ZONE_NOTE if by_chain else ""
        status = LinkStatus(url, LinkVerdict.REFUSED, None, current, redirects, hop + reason + note)
        return _Checked(status, resolved)

    @staticmethod
    def _status(
        url: str,
        verdict: LinkVerdict,
        hops: list[tuple[int, str]],
        reason: str,
        outcome: _Outcome | None = None,
    ) -> LinkStatus:
        redirects = tuple(target for _, target in hops)
        code = outcome.status if isinstance(outcome, _Answer) else None
        final = redirects[-1] if redirects else url
        return LinkStatus(url, verdict, code, final, redirects, reason)

    async def _addresses(self, host: str, port: int) -> list[str]:
        """The host's addresses, resolved once per run (concurrent lookups share a task)."""
        key = (host, port)
        task = self._dns.get(key)
        if task is None:
            task = asyncio.ensure_future(resolve(host, port, self._resolver))
            self._dns[key] = task
        return await asyncio.shield(task)

    # ---------------------------------------------------------------- one hop: HEAD / GET

    def _head_first(self, url: str) -> bool:
        """HEAD before GET only where it can spare a GET (see the module docstring)."""
        if not self._use_head or _host_key(url) in self._no_head:
            return False
        return not self._detect_soft_404 or looks_like_file(url)

    async def _fetch(self, url: str, cookies: httpx.Cookies, zones: Collection[Zone]) -> _Outcome:
        """The answer for one hop: HEAD if it suffices, else GET, with retries."""
        prior: _Outcome | None = None
        if self._head_first(url):
            prior = await self._attempt("HEAD", url, cookies, zones)
            if isinstance(prior, _Answer):
                if prior.is_redirect or (prior.is_memento and prior.status >= 400):
                    return prior
                if 200 <= prior.status < 300 and not (self._detect_soft_404 and prior.is_html):
                    return prior
                if prior.status in (405, 501):
                    self._no_head.add(_host_key(url))
            elif prior.kind in ("refused", "invalid"):
                return prior
        return await self._get_with_retries(url, cookies, zones, prior)

    async def _get_with_retries(
        self,
        url: str,
        cookies: httpx.Cookies,
        zones: Collection[Zone],
        prior: _Outcome | None,
    ) -> _Outcome:
        """GET under the retry policy; a retryable HEAD answer counts as the first try."""

        async def get() -> _Outcome:
            return await self._attempt("GET", url, cookies, zones)

        def hold(outcome: _Outcome, advice: RetryAdvice, delay: float) -> None:
            # The wait is spent in the host's limiter: the next request to it waits too.
            limiter = self._limiter(url)
            if advice.rate_limited and isinstance(outcome, _Answer) and outcome.method == "GET":
                limiter.throttled(delay)
            else:
                limiter.pause(delay)

        first = prior if prior is not None and self._advice(prior) is not None else None
        tried: Tried[_Outcome] = await retry_outcome(
            get, self._advice, policy=self._retry, hold=hold, first=first
        )
        return replace(tried.outcome, attempts=tried.attempts, gave_up=self._gave_up(tried))

    def _advice(self, outcome: _Outcome) -> RetryAdvice | None:
        """Whether ``outcome`` is worth another attempt, and what Retry-After it carried."""
        if isinstance(outcome, _Failure):
            return RetryAdvice() if outcome.kind in ("timeout", "network") else None
        if outcome.is_memento or _bot_wall(outcome.status, outcome.headers, outcome.page):
            return None  # an archived error, or a challenge: asking again changes nothing
        status = outcome.status
        if status in (408, 429) or (500 <= status < 600 and status not in _RETRY_5XX_EXCLUDED):
            header = outcome.headers.get("retry-after") or ""
            return RetryAdvice(
                rate_limited=status == 429,
                retry_after=parse_retry_after(header, now=self._wall_clock()),
                retry_after_text=header,
            )
        return None

    def _gave_up(self, tried: Tried[_Outcome]) -> str:
        """Why no further attempt was made (the policy's count of attempts needs no
        explanation; a ``Retry-After`` beyond the cap and the waiting budget do)."""
        policy = self._retry
        if not tried.retryable or tried.out_of_attempts:
            return ""
        if tried.over_cap is not None:
            header = tried.over_cap.retry_after_text
            when = f"after {header} s" if header.strip().isdigit() else f"at {header}"
            return (
                f"the server asked to retry {when}, later than the "
                f"{policy.retry_after_cap:.0f} s this check waits"
            )
        return f"retrying would wait more than {policy.max_total_wait:.0f} s in all"

    def _limiter(self, url: str) -> RateLimiter:
        host = _host_key(url)
        limiter = self._limiters.get(host)
        if limiter is None:
            rate = 1.0 / self._interval if self._interval > 0 else _UNPACED
            limiter = RateLimiter(
                f"{SERVICE}:{host}",
                RateSpec(rate, self._host_concurrency),
                max_rate=rate,
                max_concurrency=self._host_concurrency,
                clock=self._clock,
                sleep=self._sleep,
            )
            self._limiters[host] = limiter
        return limiter

    async def _attempt(
        self, method: str, url: str, cookies: httpx.Cookies, zones: Collection[Zone]
    ) -> _Outcome:
        """One request, paced for its host; the body is read only if it can matter.

        ``zones`` bind the transport's connection (see :func:`connection_zones`), so a DNS
        answer that changed since the hop was vetted cannot lead outside the chain's zones.
        """
        async with self._limiter(url).turn() as turn, self._connections:
            self.stats.requests[SERVICE] += 1
            # The pace counts from when the request goes on the wire (after any connection
            # set-up), so that the server sees the spacing it was promised.
            request = httpx.Request(
                method, url, headers=LINK_HEADERS, extensions={"trace": turn.trace}
            )
            cookies.set_cookie_header(request)
            try:
                with connection_zones(zones):
                    response = await self._client.send(
                        request, stream=True, follow_redirects=False, auth=None
                    )
            except AddressRefused as exc:
                return _Failure("refused", f"connection refused by the address guard: {exc}")
            except httpx.TimeoutException as exc:
                return _Failure("timeout", f"timed out ({type(exc).__name__})")
            except (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.LocalProtocolError) as exc:
                return _Failure("invalid", f"cannot request this URL ({exc})")
            except httpx.HTTPError as exc:
                return _Failure("network", f"connection failed ({type(exc).__name__}: {exc})")
            try:
                cookies.extract_cookies(response)
                page = None
                if method == "GET" and self._wants_body(response):
                    page = await self._read_page(response)
                return _Answer(method, url, response.status_code, response.headers, page)
            finally:
                await response.aclose()

    def _wants_body(self, response: httpx.Response) -> bool:
        status = response.status_code
        content_type = response.headers.get("content-type", "").lower()
        html = not content_type or content_type.startswith(_HTML_TYPES)
        if not html or status in _REDIRECT_STATUSES or status in (404, 410):
            return False
        return self._detect_soft_404 or status >= 400

    async def _read_page(self, response: httpx.Response) -> PageSignals:
        """Title, first heading and head of an HTML body, reading as little as possible."""
        chunks: AsyncIterator[bytes]
        if response.is_stream_consumed:
            # Already in memory and decoded by httpx (a response built from bytes, as
            # mock transports do); real network responses arrive as raw streams.
            chunks, encoding = _single(response.content), None
        else:
            chunks, encoding = response.aiter_raw(), response.headers.get("content-encoding")
        try:
            inflater = _Inflater(encoding)
        except ValueError as exc:
            return PageSignals(note=str(exc))
        parser = _TitleParser()
        decoder: codecs.IncrementalDecoder | None = None
        pieces: list[str] = []
        total = 0
        started = self._clock()
        note = ""
        try:
            async with asyncio.timeout(self._body_time_limit):
                async for raw in chunks:
                    data = inflater.feed(raw, self._max_body_bytes - total)
                    total += len(data)
                    if decoder is None:
                        decoder = codecs.getincrementaldecoder(_charset(response, data))("replace")
                    text = decoder.decode(data)
                    pieces.append(text)
                    parser.feed(text)
                    if total >= self._max_body_bytes or parser.done:
                        break
                    # The injected clock too, so that tests with virtual time see the limit.
                    if self._clock() - started > self._body_time_limit:
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


def _is_ip_literal(host: str) -> bool:
    try:
        return parse_ip_literal(host) is not None
    except ValueError:
        return False


async def _single(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _host_key(url: str) -> str:
    parsed = _split(url)
    if parsed is None:
        return url
    return f"{parsed.host.lower()}:{parsed.port or (443 if parsed.scheme == 'https' else 80)}"


def _redirect_target(current: str, location: str) -> str | None:
    """The absolute URL a ``Location`` points to (relative to ``current``), sans fragment."""
    try:
        target = httpx.URL(current).join(location.strip())
    except (httpx.InvalidURL, ValueError, TypeError):
        return None
    return str(target.copy_with(fragment=None))


# --------------------------------------------------------------------------- the verdict


def classify(url: str, hops: Sequence[tuple[int, str]], outcome: _Outcome) -> LinkStatus:
    """The verdict for ``url`` from its redirect ``hops`` and the final outcome (pure)."""
    redirects = tuple(target for _, target in hops)
    if isinstance(outcome, _Failure):
        final = redirects[-1] if redirects else url
        if outcome.kind == "refused":
            return LinkStatus(url, LinkVerdict.REFUSED, None, final, redirects, outcome.detail)
        reason = f"{outcome.detail}{_tries(outcome.attempts, outcome.gave_up)}"
        return LinkStatus(url, LinkVerdict.UNAVAILABLE, None, final, redirects, reason)

    code = outcome.status
    final = outcome.url
    tries = _tries(outcome.attempts, outcome.gave_up)

    def status(verdict: LinkVerdict, reason: str, final_url: str = final) -> LinkStatus:
        return LinkStatus(url, verdict, code, final_url, redirects, reason)

    via = f" at {final}" if hops else ""
    if outcome.is_memento and code >= 400:
        return status(
            LinkVerdict.SOFT_404,
            f"web-archive replay of a page that answered HTTP {code} when it was captured",
        )
    wall = _bot_wall(code, outcome.headers, outcome.page)
    if wall is not None:
        return status(LinkVerdict.BLOCKED, f"HTTP {code}: {wall}; not verified")
    if 200 <= code < 300:
        verdict, reason, moved = _classify_2xx(url, hops, outcome)
        return status(verdict, reason, moved or final)
    if code in (404, 410):
        return status(LinkVerdict.DEAD, f"HTTP {code}{via}")
    if code == 429:
        return status(LinkVerdict.BLOCKED, f"HTTP 429 (rate limited){via}{tries}; not verified")
    if code in (401, 407):
        return status(LinkVerdict.BLOCKED, f"HTTP {code}{via}: sign-in required; not verified")
    if code == 403:
        return status(
            LinkVerdict.BLOCKED, f"HTTP 403{via}: access refused (often a bot filter); not verified"
        )
    if 400 <= code < 500 or code == 999:  # 999: LinkedIn's answer to robots
        return status(
            LinkVerdict.BLOCKED, f"HTTP {code}{via}: the server refused the request; not verified"
        )
    if code >= 500:
        return status(LinkVerdict.UNAVAILABLE, f"HTTP {code}{via}{tries}")
    if 300 <= code < 400:
        return status(LinkVerdict.UNAVAILABLE, f"HTTP {code}{via} without a usable Location")
    return status(LinkVerdict.UNAVAILABLE, f"unexpected HTTP {code}{via}")


def _classify_2xx(
    url: str, hops: Sequence[tuple[int, str]], outcome: _Answer
) -> tuple[LinkVerdict, str, str | None]:
    """Verdict, reason and (for a move) new address of a chain that ended in a 2xx answer."""
    code = outcome.status
    final = outcome.url
    via = f" at {final}" if hops else ""
    page = outcome.page
    labelled = (("title", page.title), ("heading", page.heading)) if page else ()
    for label, text in labelled:
        if soft_404_phrase(text):
            return (
                LinkVerdict.SOFT_404,
                f"HTTP {code}{via} but the page {label} says {text!r}",
                None,
            )
    if hops and not _is_front_page(url) and _is_front_page(final):
        return LinkVerdict.SOFT_404, f"deep link redirected to the front page {final}", None
    if hops and _is_parent_page(url, final):
        return LinkVerdict.SOFT_404, f"deep link redirected to a parent page {final}", None
    note = f"; {page.note}" if page and page.note else ""
    moved = _permanent_target(url, hops)
    if moved is not None:
        rest = f"; the chain then ends at {final}" if moved != final else ""
        return LinkVerdict.REDIRECTED, f"moved permanently to {moved}{rest}{note}", moved
    if hops and _looks_like_login(final):
        reason = f"redirected to a sign-in or consent page ({final}); content not verified"
        return LinkVerdict.BLOCKED, reason, None
    reason = f"temporarily redirected to {final}" if hops else ""
    return LinkVerdict.OK, (reason + note).removeprefix("; "), None


def _tries(attempts: int, gave_up: str = "") -> str:
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    return f"{tries}; {gave_up}" if gave_up else tries


def _permanent_target(url: str, hops: Sequence[tuple[int, str]]) -> str | None:
    """Where ``url`` has moved for good: the end of its leading run of 301/308 hops.

    ``None`` when the first hop is temporary, when the move is trivial (http→https, ``www.``,
    trailing slash) or when it leads to a sign-in page.
    """
    target: str | None = None
    for code, hop_target in hops:
        if code not in _PERMANENT:
            break
        target = hop_target
    if target is None or _same_page(url, target) or _looks_like_login(target):
        return None
    return target
