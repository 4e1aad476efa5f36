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

Every name is imported from its module on first use (``from citetrack.links import
LinkChecker``, :mod:`citetrack.lazy_exports`): a bibliography without URLs spends no
start-up time on the checker and its client, and a check with ``--no-links`` none on the
Wayback client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from citetrack.lazy_exports import exports

if TYPE_CHECKING:
    from citetrack.links.checker import (
        DEFAULT_LINK_RETRY,
        LinkChecker,
        LinkProgress,
    )
    from citetrack.links.client import LINK_HEADERS, link_timeout, make_link_client
    from citetrack.links.page import PageSignals, soft_404_phrase
    from citetrack.links.rules import link_findings
    from citetrack.links.targets import (
        ArchiveLink,
        LinkTargets,
        is_doi_link,
        link_targets,
        parse_access_date,
        parse_archive_url,
    )
    from citetrack.links.urls import looks_like_file
    from citetrack.links.wayback import Capture, CdxFormatError, Wayback, parse_cdx

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

# Each public name's module, imported when the name is first asked for, so that importing
# one module of the package does not import them all (:mod:`citetrack.lazy_exports`).
exports(
    __name__,
    {
        "link_findings": "rules",
        "ArchiveLink": "targets",
        "LinkTargets": "targets",
        "is_doi_link": "targets",
        "link_targets": "targets",
        "parse_access_date": "targets",
        "parse_archive_url": "targets",
        "Capture": "wayback",
        "CdxFormatError": "wayback",
        "Wayback": "wayback",
        "parse_cdx": "wayback",
        "DEFAULT_LINK_RETRY": "checker",
        "LinkChecker": "checker",
        "LinkProgress": "checker",
        "LINK_HEADERS": "client",
        "link_timeout": "client",
        "make_link_client": "client",
        "PageSignals": "page",
        "soft_404_phrase": "page",
        "looks_like_file": "urls",
    },
)
