"""``--offline`` for links: no request to any web host or to the Wayback Machine.

Link answers are not cached (a page is fetched again each run), so offline every URL and
every cited archive copy is *unverified* with the reason ``offline: not checked``: never
fetched, never ``ok``, and grouped into the run's one offline summary line
(:mod:`citetrack.report.causes`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from citetrack.links.targets import LinkTargets
from citetrack.model import ArchiveStatus, LinkStatus, LinkVerdict

#: The reason every link finding gives offline.
OFFLINE_REASON = "offline: not checked"


def offline_link_evidence(
    targets: Sequence[LinkTargets],
    urls: Sequence[str],
    mine: Callable[[list[str]], list[str]],
) -> tuple[dict[str, LinkStatus], dict[str, ArchiveStatus]]:
    """The links' and cited archive copies' evidence without a request: unverified.

    ``urls`` are the URLs this run checks; ``mine`` keeps the archive URLs it checks
    (a shard's own)."""
    links = {u: LinkStatus(u, LinkVerdict.UNAVAILABLE, reason=OFFLINE_REASON) for u in urls}
    archives: dict[str, ArchiveStatus] = {}
    for target in targets:
        archive = target.archive_url
        if archive and archive not in archives and mine([archive]):
            subject = target.checkable_url or archive
            archives[archive] = ArchiveStatus(subject, archive, reason=OFFLINE_REASON)
    return links, archives
