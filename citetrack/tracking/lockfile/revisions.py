"""Articles across revisions: which revision a lockfile saw, and which citations changed.

The lockfile's ``articles`` section (one :class:`ArticleRecord` per article, by the name
its references are tracked under) records the source, title, revision id and timestamp of
the article last accepted, and a fingerprint of each citation (a hash of its fields and
identifiers).  With it, a run over a later revision reports, besides ``reference-added``
and ``reference-removed`` (from :mod:`~citetrack.tracking.lockfile.diff`, thanks to keys
that do not depend on position), ``reference-changed``: a citation kept under the same key
whose text was edited.  :func:`~citetrack.tracking.lockfile.track` and
:func:`~citetrack.tracking.lockfile.build_lock` call it.  Pure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace

from citetrack.model import ArticleInfo, CheckResult, Finding, Reference, Severity, Source
from citetrack.tracking.lockfile.state import ArticleRecord, Lock


def fingerprint(ref: Reference) -> str:
    """A short hash of what the citation says (its fields and identifiers)."""
    doc = {"fields": dict(ref.fields), "ids": ref.identifiers.as_dict()}
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]


def _record(info: ArticleInfo, refs: list[Reference]) -> ArticleRecord:
    return ArticleRecord(
        source=info.source,
        format=info.format,
        citations={r.key: fingerprint(r) for r in refs},
        title=info.title,
        revision=info.revision,
        timestamp=info.timestamp,
    )


def _by_article(result: CheckResult) -> dict[str, tuple[ArticleInfo, list[Reference]]]:
    out: dict[str, tuple[ArticleInfo, list[Reference]]] = {
        info.name: (info, []) for info in result.articles
    }
    for rr in result.results:
        ref = rr.reference
        if ref.path in out and ref.location is not None:
            out[ref.path][1].append(ref)
    return out


def record_articles(
    previous: Mapping[str, ArticleRecord], result: CheckResult
) -> dict[str, ArticleRecord]:
    """The ``articles`` of a new lockfile: those of ``result`` recorded, others carried over."""
    articles = dict(previous)
    for name, (info, refs) in _by_article(result).items():
        articles[name] = _record(info, refs)
    return articles


def previous_revision(lock: Lock | None, info: ArticleInfo) -> str | None:
    """``"revision 123 (2024-…)"`` of the article the lockfile last saw, if recorded."""
    record = lock.articles.get(info.name) if lock else None
    if record is None or record.revision is None:
        return None
    when = f" ({record.timestamp})" if record.timestamp else ""
    return f"revision {record.revision}{when}"


def track_articles(result: CheckResult, previous: Lock | None) -> CheckResult:
    """``result`` with ``reference-changed`` findings for citations edited since the lock."""
    if previous is None or not previous.articles:
        return result
    changed: dict[tuple[str, str], Finding] = {}
    for name, (info, refs) in _by_article(result).items():
        record = previous.articles.get(name)
        if record is None:
            continue
        citations = record.citations
        since = previous_revision(previous, info) or "the lockfile"
        now = f"revision {info.revision}" if info.revision is not None else "this copy"
        for ref in refs:
            old = citations.get(ref.key)
            if old is not None and old != fingerprint(ref):
                changed[(name, ref.key)] = Finding(
                    key=ref.key,
                    rule="reference-changed",
                    severity=Severity.CHANGED,
                    message=f"the citation was edited between {since} and {now}",
                    source=Source.LOCKFILE,
                    line=ref.line,
                )
    if not changed:
        return result
    results = tuple(
        replace(rr, findings=(*rr.findings, changed[(rr.reference.path or "", rr.reference.key)]))
        if (rr.reference.path or "", rr.reference.key) in changed
        else rr
        for rr in result.results
    )
    return replace(result, results=results)
