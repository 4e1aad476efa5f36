"""Fetch one revision's wikitext from a MediaWiki wiki through its Action API.

A page URL (``https://mdwiki.org/wiki/Title``, ``https://en.wikipedia.org/wiki/Title``,
``…/w/index.php?title=Title&oldid=123`` or ``…/wiki/Title?oldid=123``) becomes one
request::

    GET {api}?action=query&prop=revisions&rvprop=content|ids|timestamp&rvslots=main
             &formatversion=2&format=json&maxlag=5&redirects=1&titles=Title   (or revids=123)

following the Wikimedia API etiquette: citetrack's descriptive User-Agent with its contact
(the shared registry client of :mod:`citetrack.net`), one request at a time (a limiter of
concurrency 1), ``maxlag=5`` — a ``maxlag`` error (HTTP 200, ``Retry-After`` and
``X-Database-Lag`` headers) is waited out and asked again a few times —, and the net layer's
retry policy for 429/5xx with ``Retry-After`` honoured.  No HTML is scraped.

The endpoint is ``https://{host}/w/api.php`` for the page's host unless
``CITETRACK_WIKI_API_URL`` names another one (tests point it at the emulator).
Every failure is a :class:`WikiError` with a sentence for the user.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from citetrack.net import (
    Http,
    RateLimiter,
    RateSpec,
    ServiceUnavailable,
    parse_retry_after,
)

SERVICE = "mediawiki"
ENV_API_URL = "CITETRACK_WIKI_API_URL"
#: Wikimedia's recommendation for non-interactive clients.
MAXLAG = 5
#: Times a ``maxlag`` answer is waited out before giving up.
MAXLAG_ATTEMPTS = 4
#: Longest wait for one ``maxlag`` answer, whatever ``Retry-After`` says.
MAXLAG_WAIT_CAP = 30.0
#: One request at a time, at most one a second.
WIKI_RATE = RateSpec(1.0, 1)


class WikiError(Exception):
    """The page could not be fetched; the message says why, for the user."""


@dataclass(frozen=True)
class PageRef:
    """Which page (or revision) to fetch, and from which API endpoint."""

    url: str  # as the user gave it
    api_url: str
    title: str | None = None
    oldid: int | None = None


@dataclass(frozen=True)
class Revision:
    """One revision of a page, as the API gave it."""

    title: str
    pageid: int | None
    revid: int
    timestamp: str
    text: str
    redirected_from: str | None = None


def is_page_url(arg: str) -> bool:
    """Whether a command-line argument is a wiki page URL rather than a file name."""
    return arg.lower().startswith(("http://", "https://"))


def page_ref(url: str, environ: Mapping[str, str]) -> PageRef:
    """The page or revision a URL names; :class:`WikiError` if it names none."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WikiError(f"{url}: not an http(s) page URL")
    query = urllib.parse.parse_qs(parts.query)
    title: str | None = None
    path = urllib.parse.unquote(parts.path)
    if "/wiki/" in path:
        title = path.split("/wiki/", 1)[1]
    elif query.get("title"):
        title = query["title"][0]
    oldid: int | None = None
    if query.get("oldid"):
        raw = query["oldid"][0]
        if not raw.isdigit():
            raise WikiError(f"{url}: oldid={raw!r} is not a revision number")
        oldid = int(raw)
    oldid = _diff_target(url, query, oldid)
    if title is not None:
        title = title.replace("_", " ").strip() or None
    if title is None and oldid is None:
        raise WikiError(
            f"{url}: no page title in the URL (expected …/wiki/Title or "
            "…/index.php?title=Title, optionally with ?oldid=REVISION)"
        )
    override = environ.get(ENV_API_URL, "").strip()
    if override:
        api = override
        api_parts = urllib.parse.urlsplit(api)
        if api_parts.scheme not in ("http", "https") or not api_parts.netloc:
            raise WikiError(f"{ENV_API_URL} must be an http(s) URL, got {override!r}")
    else:
        api = f"{parts.scheme}://{parts.netloc}/w/api.php"
    return PageRef(url=url, api_url=api, title=title, oldid=oldid)


def _diff_target(url: str, query: dict[str, list[str]], oldid: int | None) -> int | None:
    """The revision a diff link shows (its right-hand side), not its ``oldid``.

    ``diff=N`` is revision N; ``diff=prev`` (or empty) is ``oldid`` itself; ``diff=cur``
    is the latest revision; ``diff=next`` names a revision only the wiki knows, so it is
    refused rather than guessed.
    """
    if "diff" not in query:
        return oldid
    raw = query["diff"][0].strip().lower()
    if raw.isdigit():
        return int(raw)
    if raw in ("", "prev"):
        return oldid
    if raw == "cur":
        return None
    raise WikiError(
        f"{url}: diff={raw!r} does not say which revision to check; "
        "give the revision's own link (…?oldid=REVISION)"
    )


def query_params(page: PageRef) -> dict[str, str]:
    """The Action API query for ``page`` (one revision, its wikitext, ids and timestamp)."""
    params = {
        "action": "query",
        "prop": "revisions",
        "rvprop": "content|ids|timestamp",
        "rvslots": "main",
        "formatversion": "2",
        "format": "json",
        "maxlag": str(MAXLAG),
    }
    if page.oldid is not None:
        params["revids"] = str(page.oldid)
    else:
        params["titles"] = page.title or ""
        params["redirects"] = "1"
    return params


def wiki_limiter() -> RateLimiter:
    """The limiter of one run's wiki requests: one at a time."""
    return RateLimiter(SERVICE, WIKI_RATE)


async def fetch_revision(
    http: Http, page: PageRef, *, limiter: RateLimiter | None = None
) -> Revision:
    """The revision ``page`` names (the latest one for a title); :class:`WikiError` if none."""
    limiter = limiter or wiki_limiter()
    for attempt in range(1, MAXLAG_ATTEMPTS + 1):
        try:
            response = await http.request(
                SERVICE, limiter, "GET", page.api_url, params=query_params(page)
            )
        except ServiceUnavailable as exc:
            raise WikiError(f"{page.url}: the wiki did not answer ({exc.reason})") from None
        if response.status_code != 200:
            raise WikiError(f"{page.url}: the wiki answered HTTP {response.status_code}")
        try:
            doc = response.json()
        except ValueError:
            raise WikiError(f"{page.url}: the wiki's answer is not JSON") from None
        if not isinstance(doc, dict):
            raise WikiError(f"{page.url}: unexpected answer from the wiki")
        error = doc.get("error")
        if isinstance(error, dict) and error.get("code") == "maxlag":
            if attempt == MAXLAG_ATTEMPTS:
                break
            wait = parse_retry_after(response.headers.get("retry-after"), now=http.wall_clock())
            await http.sleep(min(wait if wait is not None else float(MAXLAG), MAXLAG_WAIT_CAP))
            continue
        return _revision(doc, page)
    raise WikiError(
        f"{page.url}: the wiki's database is lagging (maxlag) after {MAXLAG_ATTEMPTS} "
        "attempts; try again later"
    )


def _revision(doc: Mapping[str, Any], page: PageRef) -> Revision:
    where = page.url
    error = doc.get("error")
    if isinstance(error, dict):
        info = error.get("info") or error.get("code") or "unknown error"
        raise WikiError(f"{where}: the wiki refused the query: {info}")
    query = doc.get("query")
    if not isinstance(query, dict):
        raise WikiError(f"{where}: unexpected answer from the wiki (no 'query')")
    if query.get("badrevids"):
        raise WikiError(f"{where}: no revision {page.oldid} on this wiki")
    pages = query.get("pages")
    if not isinstance(pages, list) or not pages or not isinstance(pages[0], dict):
        raise WikiError(f"{where}: unexpected answer from the wiki (no 'pages')")
    found = pages[0]
    title = str(found.get("title") or page.title or "")
    if found.get("missing") or found.get("invalid"):
        reason = found.get("invalidreason") or "no such page"
        raise WikiError(f"{where}: {reason}: {title!r}")
    revisions = found.get("revisions")
    if not isinstance(revisions, list) or not revisions or not isinstance(revisions[0], dict):
        raise WikiError(f"{where}: the wiki gave no revision of {title!r}")
    rev = revisions[0]
    slots = rev.get("slots")
    main = slots.get("main") if isinstance(slots, dict) else None
    if not isinstance(main, dict) or not isinstance(main.get("content"), str):
        raise WikiError(f"{where}: revision of {title!r} has no readable wikitext")
    if main.get("contentmodel", "wikitext") != "wikitext":
        raise WikiError(f"{where}: {title!r} is not wikitext ({main.get('contentmodel')})")
    redirected = None
    for hop in query.get("redirects") or []:
        if isinstance(hop, dict) and hop.get("to") == title:
            redirected = str(hop.get("from"))
    revid = rev.get("revid")
    if not isinstance(revid, int):
        raise WikiError(f"{where}: the wiki gave no revision id")
    pageid = found.get("pageid")
    return Revision(
        title=title,
        pageid=pageid if isinstance(pageid, int) else None,
        revid=revid,
        timestamp=str(rev.get("timestamp") or ""),
        text=main["content"],
        redirected_from=redirected,
    )
