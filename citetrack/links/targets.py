"""Reading a reference's link fields: the URL to check, its archived copy, its access date.

Which fields hold what (:func:`link_targets`): the cited URL is ``url`` (or a ``\\url{…}``
in ``howpublished``); the archived copy is ``archiveurl`` / ``archive-url`` / ``archive_url``
/ ``urlarchive``; the access date is ``urldate`` (also ``accessdate`` / ``access-date`` /
``accessed``), ISO or free text.  Also: which links are DOI links (:func:`is_doi_link`,
checked as DOIs, never fetched) and what an archive link points at
(:func:`parse_archive_url`).  Pure: no I/O.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from citetrack.identifiers import howpublished_url, normalize_url
from citetrack.model import Reference

# ------------------------------------------------------------------------------ DOI links

_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})
#: A URL's host (compiled once: asked of every URL of every run, even with --no-links).
_HOST_RE = re.compile(r"^\s*(?:https?:)?//([^/?#:]+)", re.IGNORECASE)


def is_doi_link(url: str) -> bool:
    """Whether ``url`` is a doi.org resolver link (checked as a DOI, never fetched as a page)."""
    match = _HOST_RE.match(url)
    return bool(match and match.group(1).lower().rstrip(".") in _DOI_HOSTS)


# ------------------------------------------------------------------------- archive links

_WAYBACK_RE = re.compile(
    r"^\s*(?:https?:)?//(?:web\.|www\.|wayback\.)?archive\.org(?::\d+)?/web/(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_CAPTURE_RE = re.compile(r"^(?P<ts>\d{1,14})(?P<mod>[a-z]{2}_)?/(?P<orig>.*)$", re.DOTALL)
_CALENDAR_RE = re.compile(r"^[\d*]*\*[\d*]*(?:[a-z]{2}_)?(?:/|$)")
_OTHER_ARCHIVES = {
    "archive.today": (
        "archive.today",
        "archive.is",
        "archive.ph",
        "archive.li",
        "archive.vn",
        "archive.fo",
        "archive.md",
    ),
    "webcite": ("webcitation.org",),
    "perma.cc": ("perma.cc",),
    "ghostarchive": ("ghostarchive.org",),
    "archive-it": ("wayback.archive-it.org",),
    "national web archive": (
        "webarchive.org.uk",
        "webarchive.nationalarchives.gov.uk",
        "arquivo.pt",
        "webarchive.loc.gov",
        "webarchive.nla.gov.au",
    ),
    "wikiwix": ("archive.wikiwix.com",),
}
_UNVERIFIABLE = {
    "webcite": "WebCite stopped archiving in 2019 and has no API to verify captures",
}


@dataclass(frozen=True)
class ArchiveLink:
    """A cited archived copy, taken apart.

    ``service`` is ``wayback`` or another archive's name.  For a Wayback capture,
    ``timestamp`` holds its 1–14 digits (``None`` for "latest capture" links) and
    ``original`` the archived URL.  ``problem`` says why it cannot be verified as one
    capture (another service, a calendar page, a Save Page Now link…).
    """

    service: str
    url: str
    timestamp: str | None = None
    original: str | None = None
    problem: str | None = None


def parse_archive_url(url: str) -> ArchiveLink | None:
    """The archived copy ``url`` designates, or ``None`` if it is not an archive link."""
    match = _WAYBACK_RE.match(url)
    if match:
        return _parse_wayback(url, match.group("rest"))
    host_match = _HOST_RE.match(url)
    if not host_match:
        return None
    host = host_match.group(1).lower().rstrip(".").removeprefix("www.")
    if host in ("archive.org", "web.archive.org") and "/save/" in url:
        return ArchiveLink("wayback", url, problem="a Save Page Now link, not a capture")
    for service, hosts in _OTHER_ARCHIVES.items():
        if any(host == h or host.endswith("." + h) for h in hosts):
            problem = _UNVERIFIABLE.get(
                service, f"{service} offers no API citetrack can use to verify captures"
            )
            return ArchiveLink(service, url, problem=problem)
    return None


def parse_memento(url: str) -> ArchiveLink | None:
    """A capture address the check itself made (``<wayback base>/web/<ts>/<url>``, on the
    Wayback Machine or the endpoint it was configured to ask), taken apart."""
    head, sep, rest = url.partition("/web/")
    if not sep or not head:
        return None
    link = _parse_wayback(url, rest)
    return link if link.timestamp and link.original else None


def _parse_wayback(url: str, rest: str) -> ArchiveLink:
    rest = rest.strip()
    capture = _CAPTURE_RE.match(rest)
    if capture:
        original = _fix_original(capture.group("orig"))
        if not original:
            return ArchiveLink("wayback", url, problem="no archived URL after the timestamp")
        return ArchiveLink("wayback", url, capture.group("ts"), original)
    if _CALENDAR_RE.match(rest):
        return ArchiveLink(
            "wayback", url, problem="a Wayback calendar or search page, not one capture"
        )
    if re.match(r"^(?:https?:/|[a-z0-9-]+\.[a-z0-9.-]+)", rest, re.IGNORECASE):
        return ArchiveLink("wayback", url, None, _fix_original(rest))
    return ArchiveLink("wayback", url, problem="not a recognisable Wayback capture address")


def _fix_original(text: str) -> str:
    """The archived URL as written after ``/web/<ts>/`` (``http:/x`` repaired to ``http://x``)."""
    return re.sub(r"^(https?):/+", r"\1://", text.strip(), flags=re.IGNORECASE)


# ---------------------------------------------------------------------------- access date

_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        calendar.month_name[number].lower(),
        calendar.month_abbr[number].lower(),
    )
}
_MONTHS["sept"] = 9
_DATE_PREFIX_RE = re.compile(
    r"^\W*(?:(?:last\s+)?(?:accessed|retrieved|viewed|visited|cited|consulted)(?:\s+on)?|on)\W*",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def parse_access_date(text: str | None) -> date | None:
    """The latest day an access date can mean, or ``None`` if it is not a date.

    ``2019-05-01`` → that day; ``2019-05`` → 2019-05-31; ``2019`` → 2019-12-31; also
    ``1 May 2019``, ``May 1, 2019``, ``May 2019``, ``01.05.2019`` and ``Retrieved …``
    prefixes.  Slash dates are read only when unambiguous (``2019/05/01``, ``25/12/2019``).
    The latest day is what "captured before the access date" needs.

    Remembered per text (a ``date`` is immutable): a list's access dates repeat, and each
    is read for every reference of every run, ``--no-links`` too (issue 16).
    """
    if not text:
        return None
    value = _DATE_PREFIX_RE.sub("", text.strip().strip("{}[]()")).strip(" .,")
    patterns: tuple[tuple[str, tuple[str, str, str]], ...] = (
        (r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[T ].*)?", ("y", "m", "d")),
        (r"(?P<y>\d{4})-(?P<m>\d{1,2})", ("y", "m", "")),
        (r"(?P<y>\d{4})", ("y", "", "")),
        (r"(?P<d>\d{1,2})\.\s*(?P<m>\d{1,2})\.\s*(?P<y>\d{4})", ("y", "m", "d")),
        (
            r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?P<mn>[a-z]+)\.?,?\s+(?P<y>\d{4})",
            ("y", "mn", "d"),
        ),
        (r"(?P<mn>[a-z]+)\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})", ("y", "mn", "d")),
        (r"(?P<mn>[a-z]+)\.?,?\s+(?P<y>\d{4})", ("y", "mn", "")),
    )
    for pattern, (y, m, d) in patterns:
        match = re.fullmatch(pattern, value, re.IGNORECASE)
        if match:
            return _make_date(match, y, m, d)
    slash = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    if slash:
        first, second, year = (int(g) for g in slash.groups())
        if first > 12 >= second:
            return _safe_date(year, second, first)
        if second > 12 >= first:
            return _safe_date(year, first, second)
    return None


def _make_date(match: re.Match[str], y: str, m: str, d: str) -> date | None:
    year = int(match.group(y))
    if m == "mn":
        month = _MONTHS.get(match.group("mn").lower())
        if month is None:
            return None
    elif m:
        month = int(match.group(m))
    else:
        month = 12
    if not 1 <= month <= 12:
        return None
    day = int(match.group(d)) if d else calendar.monthrange(year, month)[1]
    return _safe_date(year, month, day)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# -------------------------------------------------------------------------- link targets

_ARCHIVE_FIELDS = ("archiveurl", "archive-url", "archive_url", "urlarchive")
ACCESS_FIELDS = ("urldate", "accessdate", "access-date", "access_date", "accessed")
ARCHIVE_DATE_FIELDS = ("archivedate", "archive-date", "archive_date")
_URL_MACRO_RE = re.compile(r"\\url\{([^{}]*)\}")


@dataclass(frozen=True)
class LinkTargets:
    """What a reference asks to be checked: its URL, its archived copy, its access date."""

    url: str | None = None
    url_field: str | None = None
    archive_url: str | None = None
    archive_field: str | None = None
    accessed: date | None = None

    @property
    def checkable_url(self) -> str | None:
        """The URL to give the link checker (``None`` for DOI links, which are not fetched)."""
        return self.url if self.url and not is_doi_link(self.url) else None


#: Every field :func:`link_targets` reads: a reference with none of them (and no URL
#: identifier) has no link targets.
_LINK_FIELDS = frozenset(("url", "howpublished", *_ARCHIVE_FIELDS, *ACCESS_FIELDS))
_NO_TARGETS = LinkTargets()


def link_targets(ref: Reference) -> LinkTargets:
    """The URL, archived copy and access date of ``ref`` (see the module docstring).

    A ``url`` that is not an http(s) URL (``ftp://…``, ``www.x.org`` without a scheme) is
    still returned, so that the link checker refuses it with its reason instead of the
    reference silently having no URL.
    """
    # Most references cite no web page: asked for every reference of every run (even with
    # --no-links), the full reading below was 64 ms of a warm 10,000-reference check.
    if ref.identifiers.url is None and _LINK_FIELDS.isdisjoint(ref.fields):
        return _NO_TARGETS
    return _read_targets(ref)


def _read_targets(ref: Reference) -> LinkTargets:
    url = normalize_url(ref.get("url")) or _raw_url(ref.get("url"))
    url_field = "url" if url else None
    if url is None:
        url = howpublished_url(ref.get("howpublished"))
        url_field = "howpublished" if url else None
    if url is None and ref.identifiers.url:
        url, url_field = ref.identifiers.url, "url"
    archive, archive_field = None, None
    for name in _ARCHIVE_FIELDS:
        value = normalize_url(ref.get(name))
        if value:
            archive, archive_field = value, name
            break
    accessed = next((d for d in (parse_access_date(ref.get(f)) for f in ACCESS_FIELDS) if d), None)
    return LinkTargets(url, url_field, archive, archive_field, accessed)


def _raw_url(value: str | None) -> str | None:
    """A ``url`` field's text, unwrapped from ``\\url{}`` and angle brackets, if not empty."""
    text = _URL_MACRO_RE.sub(r"\1", (value or "").strip()).strip("<> ")
    return text or None
