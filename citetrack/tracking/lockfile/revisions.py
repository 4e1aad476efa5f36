"""Articles across revisions: which revision a lockfile saw, and which citations changed.

The lockfile's ``articles`` section (one :class:`ArticleRecord` per article, by the name
its references are tracked under) records the source, title, revision id and timestamp of
the article last accepted, and a fingerprint of each citation (a hash of its fields and
identifiers).  With it, a run over a later revision reports, besides ``reference-added``
and ``reference-removed`` (from :mod:`~citetrack.tracking.lockfile.diff`, thanks to keys
that do not depend on position), ``reference-changed``: a citation kept under the same key
whose text was edited.  :func:`~citetrack.tracking.lockfile.track` and
:func:`~citetrack.tracking.lockfile.build_lock` call it.  Pure.

The rule for "changed": a changed *fact* of the citation (who, what, where, which pages,
which identifier or URL) is a finding; a cosmetic edit is not.  The fingerprint is taken
over the parsed fields, so parameter order, spacing, ``|a=b`` vs ``| a = b``, template
name case, dash style and abbreviated page ranges (``123-9`` = ``123–129``), date
formats and DOI case do not count; nor do the fields that record how the source was
reached rather than what it is (``access-date``, ``archive-url``, ``archive-date``,
``url-status``: bots such as InternetArchiveBot edit those).

The parsed fields are citetrack's own reading, and a newer citetrack reads some templates
otherwise: the same untouched citation then fingerprints otherwise.  So the record also
keeps a digest of each citation's *text* (:mod:`~citetrack.tracking.lockfile.citetext`),
and a citation is edited only when both differ: its text (so that a newer parse of the
same text is no edit) and its fingerprint (so that a cosmetic edit of the text is none).
A lockfile written before the texts were recorded (schema 1) cannot tell the two apart:
a fingerprint that differs there is a note, ``reference-maybe-changed``, not a change —
an upgrade must not raise a burst of alarms — until ``--update-lock`` records the texts.
On the very revision the lockfile recorded nothing is edited at all: its text is the
same.  A citation that moved, or whose ``<ref name>`` was renamed (or whose key, made
from its parsed title and author, a newer parse changed), keeps the key the lockfile
knows it by when its text, or else its fingerprint, matches exactly one recorded
citation that is gone from the page.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace

from citetrack.model import ArticleInfo, CheckResult, Finding, Reference, Severity, Source
from citetrack.tracking.lockfile.citetext import recorded_text, text_digest
from citetrack.tracking.lockfile.state import ArticleRecord, Lock

#: The note for a citation whose fingerprint differs where the lockfile has no text of it
#: to tell an edit from a newer parse (see above).
RULE_MAYBE_CHANGED = "reference-maybe-changed"

#: Fields that say how the source was reached, not what it is: not part of the fingerprint.
_BOOKKEEPING = frozenset({"urldate", "archiveurl", "archivedate", "urlstatus", "url-status"})


def fingerprint(ref: Reference) -> str:
    """A short hash of what the citation says: its facts, not its formatting (see above)."""
    fields = {k: v for k, v in ref.fields.items() if k.lower() not in _BOOKKEEPING}
    ids = {k: v for k, v in ref.identifiers.as_dict().items() if k not in _BOOKKEEPING}
    if "doi" in fields:
        fields["doi"] = fields["doi"].lower()
    if "doi" in ids:
        ids["doi"] = ids["doi"].lower()
    ids.pop("archive_url", None)
    return _digest({"fields": fields, "ids": ids})


def _legacy_fingerprint(ref: Reference) -> str:
    """The fingerprint lockfiles written before the rule above recorded (still accepted)."""
    return _digest({"fields": dict(ref.fields), "ids": ref.identifiers.as_dict()})


def _digest(doc: dict[str, dict[str, str]]) -> str:
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]


def same_citation(recorded: str, ref: Reference) -> bool:
    """Whether ``ref`` says what the citation recorded with fingerprint ``recorded`` said."""
    return recorded in (fingerprint(ref), _legacy_fingerprint(ref))


def _record(info: ArticleInfo, refs: list[Reference]) -> ArticleRecord:
    texts = {r.key: text for r in refs if (text := text_digest(r)) is not None}
    return ArticleRecord(
        source=info.source,
        format=info.format,
        citations={r.key: fingerprint(r) for r in refs},
        title=info.title,
        revision=info.revision,
        timestamp=info.timestamp,
        texts=texts,
    )


def edited(record: ArticleRecord, ref: Reference) -> bool | None:
    """Whether the citation ``ref`` (under its recorded key) was edited since ``record``:
    ``True`` when its text and its fingerprint both differ, ``False`` when either is the
    same, ``None`` when the fingerprint differs but a text is missing on either side
    (a lockfile of schema 1, a citation not located in its article): unknown."""
    old = record.citations.get(ref.key)
    if old is None or same_citation(old, ref):
        return False
    was, now = recorded_text(record.texts.get(ref.key)), text_digest(ref)
    if was is None or now is None:
        return None
    return was != now


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
    """``result`` with moved citations under their recorded keys and ``reference-changed``
    findings for citations edited since the lock."""
    if previous is None or not previous.articles:
        return result
    result = _keep_keys(result, previous)
    changed: dict[tuple[str, str], Finding] = {}
    for name, (info, refs) in _by_article(result).items():
        record = previous.articles.get(name)
        if record is None:
            continue
        if info.revision is not None and info.revision == record.revision:
            # The very revision the lockfile saw: its text is the same, so a citation
            # whose fingerprint differs was parsed otherwise (another citetrack version),
            # not edited; "edited between revision N and revision N" would be false.
            continue
        since = previous_revision(previous, info) or "the lockfile"
        now = f"revision {info.revision}" if info.revision is not None else "this copy"
        for ref in refs:
            verdict = edited(record, ref)
            if verdict is True:
                changed[(name, ref.key)] = Finding(
                    key=ref.key,
                    rule="reference-changed",
                    severity=Severity.CHANGED,
                    message=f"the citation was edited between {since} and {now}",
                    source=Source.LOCKFILE,
                    line=ref.line,
                )
            elif verdict is None:
                changed[(name, ref.key)] = Finding(
                    key=ref.key,
                    rule=RULE_MAYBE_CHANGED,
                    severity=Severity.NOTE,
                    message=(
                        f"the citation reads otherwise than in {since}: edited, or read "
                        "otherwise by this citetrack version (the lockfile has no text of it "
                        "to tell; `--update-lock` records it)"
                    ),
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


def _keep_keys(result: CheckResult, previous: Lock) -> CheckResult:
    """A citation whose key is new but whose text, or else fingerprint, matches exactly
    one recorded citation gone from the page (its ``<ref name>`` was renamed, or a newer
    parse of its title or author made another key of it) takes that key back."""
    renamed: dict[tuple[str, str], str] = {}
    for name, (_, refs) in _by_article(result).items():
        record = previous.articles.get(name)
        if record is None:
            continue
        present = {r.key for r in refs}
        gone = {k: fp for k, fp in record.citations.items() if k not in present}
        taken: set[str] = set()
        for ref in refs:
            if ref.key in record.citations:
                continue
            text = text_digest(ref)
            matches = [
                k
                for k in gone
                if k not in taken
                and text is not None
                and recorded_text(record.texts.get(k)) == text
            ]
            if len(matches) != 1:
                matches = [k for k, fp in gone.items() if k not in taken and same_citation(fp, ref)]
            if len(matches) == 1:
                renamed[(name, ref.key)] = matches[0]
                taken.add(matches[0])
    if not renamed:
        return result
    results = []
    for rr in result.results:
        old = renamed.get((rr.reference.path or "", rr.reference.key))
        if old is None:
            results.append(rr)
            continue
        results.append(
            replace(
                rr,
                reference=replace(rr.reference, key=old),
                findings=tuple(replace(f, key=old) for f in rr.findings),
            )
        )
    return replace(result, results=tuple(results))
