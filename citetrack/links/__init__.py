"""Links and archives: checking cited web links and their archived copies.

The modules, one job each:

* :mod:`~citetrack.links.checker` — :class:`LinkChecker`, which fetches each link politely
  (per-host pacing, the one retry policy of :mod:`citetrack.net`, redirects re-vetted by the
  SSRF guard) and gives it a verdict;
* :mod:`~citetrack.links.client` — the anonymous, SSRF-guarded client for web links;
* :mod:`~citetrack.links.page` — what the first bytes of a page say (title, heading,
  soft-404 phrases, bot walls);
* :mod:`~citetrack.links.urls` — comparing addresses (files, front pages, sign-in pages);
* :mod:`~citetrack.links.classify` — the verdict on a redirect chain and its last answer;
* :mod:`~citetrack.links.wayback` — the Wayback Machine's CDX index;
* :mod:`~citetrack.links.targets` — a reference's URL, archived copy and access date;
* :mod:`~citetrack.links.rules` — pure rules from link and archive evidence to findings.

The checker and its client are imported on first use (``from citetrack.links import
LinkChecker``): a bibliography without URLs spends no start-up time on them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from citetrack.links.rules import link_findings
from citetrack.links.targets import (
    ArchiveLink,
    LinkTargets,
    is_doi_link,
    link_targets,
    parse_access_date,
    parse_archive_url,
)
from citetrack.links.wayback import Capture, CdxFormatError, Wayback, parse_cdx

if TYPE_CHECKING:
    from citetrack.links.checker import (
        DEFAULT_LINK_RETRY,
        LinkChecker,
        LinkProgress,
    )
    from citetrack.links.client import LINK_HEADERS, link_timeout, make_link_client
    from citetrack.links.page import PageSignals, soft_404_phrase
    from citetrack.links.urls import looks_like_file

_LAZY = {
    "DEFAULT_LINK_RETRY": "citetrack.links.checker",
    "LinkChecker": "citetrack.links.checker",
    "LinkProgress": "citetrack.links.checker",
    "LINK_HEADERS": "citetrack.links.client",
    "link_timeout": "citetrack.links.client",
    "make_link_client": "citetrack.links.client",
    "PageSignals": "citetrack.links.page",
    "soft_404_phrase": "citetrack.links.page",
    "looks_like_file": "citetrack.links.urls",
}

__all__ = [
    "DEFAULT_LINK_RETRY",
    "LINK_HEADERS",
    "ArchiveLink",
    "Capture",
    "CdxFormatError",
    "LinkChecker",
    "LinkProgress",
    "LinkTargets",
    "PageSignals",
    "Wayback",
    "is_doi_link",
    "link_findings",
    "link_targets",
    "link_timeout",
    "looks_like_file",
    "make_link_client",
    "parse_access_date",
    "parse_archive_url",
    "parse_cdx",
    "soft_404_phrase",
]


def __getattr__(name: str) -> Any:
    """The link checker's names, imported when first asked for (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
