"""What every report says about articles (issue 14): the revision checked, each location.

A reference read from an article carries a :class:`~citetrack.model.Location` (line,
column, ``<ref name=…>``, number in the rendered list) and the run carries the
:class:`~citetrack.model.ArticleInfo` of each article (page, revision id, timestamp).  The
formatters show both through these helpers, so all of them say the same thing.
"""

from __future__ import annotations

from citetrack.model import ArticleInfo, CheckResult, Location, Reference
from citetrack.report._escape import sanitize


def where(ref: Reference) -> str:
    """``line 12, col 5, <ref name="x">, [3]`` for an article's reference, else ``""``."""
    return sanitize(ref.location.describe()) if ref.location is not None else ""


def column(ref: Reference) -> int | None:
    return ref.location.column if ref.location is not None else None


def headers(result: CheckResult) -> list[str]:
    """One ``checked: …`` line per article read, then the run's notes about its inputs
    (a .bib that is not UTF-8: which encoding it was read in)."""
    return [f"checked: {sanitize(info.describe())}" for info in result.articles] + [
        f"note: {sanitize(note)}" for note in result.notes
    ]


def article_json(info: ArticleInfo) -> dict[str, object]:
    return {
        "source": sanitize(info.source),
        "name": sanitize(info.name),
        "format": info.format,
        "title": sanitize(info.title) if info.title is not None else None,
        "revision": info.revision,
        "timestamp": sanitize(info.timestamp) if info.timestamp is not None else None,
        "api_url": sanitize(info.api_url) if info.api_url is not None else None,
    }


def location_json(location: Location | None) -> dict[str, object] | None:
    if location is None:
        return None
    return {
        "line": location.line,
        "column": location.column,
        "ref_name": sanitize(location.ref_name) if location.ref_name else None,
        "number": sanitize(location.number) if location.number else None,
        "template": sanitize(location.template) if location.template else None,
    }
