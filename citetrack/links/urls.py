"""Comparing web addresses: files, front pages, parent pages, sign-in pages, same page.

Pure helpers for the link checker and its verdicts: what a URL's path says about the page
(:func:`looks_like_file`, :func:`is_front_page`, :func:`looks_like_login`), whether two
URLs show a reader the same page, where a redirect's ``Location`` points, and the
``host:port`` key that per-host pacing is counted by.
"""

from __future__ import annotations

import re

import httpx

from citetrack.net.urlsafety import parse_ip_literal

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
    parsed = split_url(url)
    if parsed is None:
        return False
    last = parsed.path.rsplit("/", 1)[-1]
    stem, dot, extension = last.rpartition(".")
    return bool(dot and stem and extension.lower() in _FILE_EXTENSIONS)


def split_url(url: str) -> httpx.URL | None:
    try:
        return httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return None


def is_front_page(url: str) -> bool:
    """A site's home page: ``/``, ``/index.html``, ``/en/``… with no query."""
    parsed = split_url(url)
    return bool(parsed and not parsed.query and _FRONT_PAGE_RE.fullmatch(parsed.path or "/"))


def is_parent_page(url: str, final: str) -> bool:
    """Whether ``final`` is a parent page of ``url`` on the same site: ``/journal/article/12``
    sent to ``/journal/`` — what publishers do with retired articles."""
    key_url, key_final = _page_key(url), _page_key(final)
    if key_url is None or key_final is None or key_url[0] != key_final[0] or key_final[2]:
        return False
    parent, child = key_final[1].rstrip("/"), key_url[1].rstrip("/")
    return len(parent) < len(child) and child.startswith(parent + "/")


def looks_like_login(url: str) -> bool:
    """A sign-in, single-sign-on or cookie-consent page (paywalls send links there)."""
    parsed = split_url(url)
    if parsed is None:
        return False
    segments = {s.lower() for s in parsed.path.split("/") if s}
    return bool(segments & _LOGIN_SEGMENTS) or parsed.host.startswith(_LOGIN_HOST_PREFIXES)


def _page_key(url: str) -> tuple[str, str, str] | None:
    """A URL reduced to what makes it a different page for a reader.

    Scheme, ``www.``, default ports, a trailing slash, ``index.html`` and the fragment do
    not count: ``http://www.x.org/a/`` and ``https://x.org/a`` are the same page.
    """
    parsed = split_url(url)
    if parsed is None:
        return None
    host = parsed.host.lower().removeprefix("www.")
    if parsed.port not in (None, 80, 443):
        host += f":{parsed.port}"
    path = re.sub(r"/(?:index|default)\.[a-z]{2,5}$", "/", parsed.path, flags=re.IGNORECASE)
    return host, path.rstrip("/") or "/", parsed.query.decode("ascii", "replace")


def same_page(a: str, b: str) -> bool:
    """Whether two URLs show a reader the same page (a site's home and its ``/en/`` count)."""
    key_a, key_b = _page_key(a), _page_key(b)
    if key_a is None or key_b is None:
        return False
    if is_front_page(a) and is_front_page(b):
        return key_a[0] == key_b[0]
    return key_a == key_b


def is_ip_literal(host: str) -> bool:
    try:
        return parse_ip_literal(host) is not None
    except ValueError:
        return False


def host_key(url: str) -> str:
    parsed = split_url(url)
    if parsed is None:
        return url
    return f"{parsed.host.lower()}:{parsed.port or (443 if parsed.scheme == 'https' else 80)}"


def redirect_target(current: str, location: str) -> str | None:
    """The absolute URL a ``Location`` points to (relative to ``current``), sans fragment."""
    try:
        target = httpx.URL(current).join(location.strip())
    except (httpx.InvalidURL, ValueError, TypeError):
        return None
    return str(target.copy_with(fragment=None))
