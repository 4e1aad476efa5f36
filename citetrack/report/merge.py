"""Shard reports, and ``citetrack merge``: N shards' answers → the one unsharded report.

A run with ``--shard K/N`` asks only about its slice of the identifiers and URLs
(:mod:`citetrack.shard`), so it cannot judge a reference whose DOI another shard asked
about.  Its JSON report therefore lists only the references whose every identifier and URL
is in its slice, and carries a ``shard`` section with *all* the answers it got (the raw
evidence, failures included) and the inputs it read (path and SHA-256 of the text).

:func:`merge_shards` checks that the reports are the N distinct shards of one collection,
joins their answers, and the caller reloads the same inputs (verified by hash) and applies
the same pure rules as an unsharded run (:func:`citetrack.pipeline.results_for`): the
merged report is the unsharded one, except for the request counts, summed over shards.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from citetrack.links.targets import link_targets
from citetrack.model import (
    ArchiveStatus,
    CheckResult,
    Evidence,
    LinkStatus,
    LinkVerdict,
    Reference,
    Source,
    Unavailable,
)
from citetrack.pipeline import EvidenceSet
from citetrack.report.json_report import format_json
from citetrack.rules.search import needs_search, search_key
from citetrack.shard import Shard
from citetrack.tracking.codec import evidence_from_dict, evidence_to_dict

SHARD_FORMAT = 1
_REGISTRY_MAPS = ("crossref", "doi_org", "pubmed", "pmc", "pubmed_by_doi")
#: Answers kept as lists per key: book records by ISBN, search candidates by query key.
_LIST_MAPS = ("books", "search")


class MergeError(ValueError):
    """Shard reports that cannot be merged (the message names the file)."""


#: ``ShardLock.mode``: the shard ignored the lockfile (``--no-lockfile``), fetched what
#: was too old to compare against it, or fetched everything in its own run (a baseline).
LOCK_MODES = ("none", "compare", "update")


@dataclass(frozen=True)
class ShardLock:
    """Which lockfile a shard's answers are fresh for, so that the merge can compare
    against it (or write it) as one unsharded check would: ``mode`` (:data:`LOCK_MODES`),
    the lockfiles (path, SHA-256 of their bytes, ``None`` when not there yet) and when
    the shard started (epoch seconds: a lockfile the merge writes is dated to the
    earliest start, as a check dates it to its own)."""

    mode: str = "none"
    files: tuple[tuple[str, str | None], ...] = ()
    started: float | None = None

    def to_json(self) -> dict[str, Any]:
        files = [{"path": path, "sha256": digest} for path, digest in self.files]
        return {"mode": self.mode, "files": files, "started": self.started}

    @classmethod
    def from_json(cls, data: Any) -> ShardLock:
        """From a shard report (``None``: a report written before shards said: "none");
        ``KeyError`` / ``TypeError`` / ``ValueError`` when damaged."""
        if data is None:
            return cls()
        mode = str(data["mode"])
        if mode not in LOCK_MODES:
            raise ValueError(f"unknown lockfile mode {mode!r}")
        files = tuple(
            (str(f["path"]), None if f["sha256"] is None else str(f["sha256"]))
            for f in data["files"]
        )
        started = data.get("started")
        return cls(mode, files, None if started is None else float(started))


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# ------------------------------------------------------------------- evidence as JSON


def _evidence_out(e: Evidence) -> dict[str, Any]:
    if isinstance(e, Unavailable):
        return {
            "kind": "unavailable",
            "source": e.source.value,
            "identifier": e.identifier,
            "reason": e.reason,
        }
    return evidence_to_dict(e)


def _evidence_in(data: Mapping[str, Any]) -> Evidence:
    if data.get("kind") == "unavailable":
        return Unavailable(Source(data["source"]), str(data["identifier"]), str(data["reason"]))
    return evidence_from_dict(data)


def _link_out(s: LinkStatus) -> dict[str, Any]:
    return {
        "url": s.url,
        "verdict": s.verdict.value,
        "status_code": s.status_code,
        "final_url": s.final_url,
        "redirects": list(s.redirects),
        "reason": s.reason,
    }


def _link_in(d: Mapping[str, Any]) -> LinkStatus:
    return LinkStatus(
        url=d["url"],
        verdict=LinkVerdict(d["verdict"]),
        status_code=d["status_code"],
        final_url=d["final_url"],
        redirects=tuple(d["redirects"]),
        reason=d["reason"],
    )


def _archive_out(a: ArchiveStatus) -> dict[str, Any]:
    return {
        "url": a.url,
        "archive_url": a.archive_url,
        "timestamp": a.timestamp,
        "original_status": a.original_status,
        "available": a.available,
        "reason": a.reason,
    }


def _archive_in(d: Mapping[str, Any]) -> ArchiveStatus:
    return ArchiveStatus(**{k: d[k] for k in _archive_out(ArchiveStatus(url=""))})


def evidence_to_json(evidence: EvidenceSet) -> dict[str, Any]:
    """Every answer of a run, as JSON (keys sorted, so the text is deterministic)."""
    out: dict[str, Any] = {
        name: {k: _evidence_out(v) for k, v in sorted(getattr(evidence, name).items())}
        for name in _REGISTRY_MAPS
    }
    for name in _LIST_MAPS:
        out[name] = {
            k: [_evidence_out(e) for e in v] for k, v in sorted(getattr(evidence, name).items())
        }
    out["links"] = {k: _link_out(v) for k, v in sorted(evidence.links.items())}
    out["archives"] = {k: _archive_out(v) for k, v in sorted(evidence.archives.items())}
    return out


def evidence_from_json(doc: Mapping[str, Any]) -> EvidenceSet:
    """Inverse of :func:`evidence_to_json`; ``KeyError`` / ``TypeError`` / ``ValueError``."""
    evidence = EvidenceSet()
    for name in _REGISTRY_MAPS:
        getattr(evidence, name).update({k: _evidence_in(v) for k, v in doc[name].items()})
    for name in _LIST_MAPS:
        getattr(evidence, name).update(
            {k: [_evidence_in(e) for e in v] for k, v in doc[name].items()}
        )
    evidence.links.update({k: _link_in(v) for k, v in doc["links"].items()})
    evidence.archives.update({k: _archive_in(v) for k, v in doc["archives"].items()})
    return evidence


# ------------------------------------------------------------------------ a shard


def owns_reference(shard: Shard, ref: Reference) -> bool:
    """Is every identifier and URL of ``ref`` in ``shard``'s slice?"""
    ids = ref.identifiers
    for kind, value in (
        ("doi", ids.doi),
        ("pmid", ids.pmid),
        ("pmcid", ids.pmcid),
        ("isbn", ids.isbn),
        ("search", search_key(ref) if needs_search(ref) else None),
    ):
        if value and not shard.owns_identifier(kind, value):
            return False
    targets = link_targets(ref)
    return all(shard.owns_url(u) for u in (targets.checkable_url, targets.archive_url) if u)


def shard_report(
    result: CheckResult,
    evidence: EvidenceSet,
    shard: Shard,
    inputs: Sequence[tuple[str, str]],
    *,
    options: Mapping[str, bool] | None = None,
    lock: ShardLock | None = None,
) -> str:
    """The JSON report of one shard: its own references, and everything it was told.

    ``inputs`` are (path, text) of the inputs, in the order of the run; ``options`` the
    families of checks it ran (``{"registries": …, "links": …}``), which the merge must
    know to say what was skipped; ``lock`` the lockfile its answers are fresh for.
    """
    own = CheckResult(
        results=tuple(r for r in result.results if owns_reference(shard, r.reference)),
        requests=result.requests,
    )
    doc = json.loads(format_json(own))
    doc["shard"] = {
        "format": SHARD_FORMAT,
        "index": shard.index,
        "count": shard.count,
        "inputs": [{"path": path, "sha256": text_digest(text)} for path, text in inputs],
        "evidence": evidence_to_json(evidence),
    }
    if options is not None:
        doc["shard"]["options"] = dict(options)
    if lock is not None:
        doc["shard"]["lockfile"] = lock.to_json()
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------------ merging


@dataclass
class Merged:
    """The shards' inputs (path, sha256), joined answers and summed request counts."""

    inputs: list[tuple[str, str]]
    evidence: EvidenceSet
    requests: dict[str, int] = field(default_factory=dict)
    #: The checks the shards ran (``{"registries", "links"}``); ``None`` from reports
    #: that do not say (written before they did).
    options: dict[str, bool] | None = None
    #: The lockfile the shards' answers are fresh for, started at the earliest shard's start.
    lock: ShardLock = field(default_factory=ShardLock)


def merge_shards(reports: Sequence[tuple[str, Any]]) -> Merged:
    """Join (name, parsed JSON) shard reports; :class:`MergeError` if they do not fit."""
    if not reports:
        raise MergeError("no shard reports given")
    seen: dict[int, str] = {}
    count: int | None = None
    inputs: list[tuple[str, str]] | None = None
    evidence = EvidenceSet()
    requests: dict[str, int] = {}
    options: list[dict[str, bool] | None] = []
    locks: list[ShardLock] = []
    for name, doc in reports:
        part = doc.get("shard") if isinstance(doc, dict) else None
        if not isinstance(part, dict) or part.get("format") != SHARD_FORMAT:
            raise MergeError(f"{name}: not a shard report (run 'citetrack check --shard K/N')")
        try:
            index, n = int(part["index"]), int(part["count"])
            these = [(str(i["path"]), str(i["sha256"])) for i in part["inputs"]]
            answers = evidence_from_json(part["evidence"])
            shard_requests = {str(k): int(v) for k, v in doc.get("requests", {}).items()}
            ran = part.get("options")
            options.append(None if ran is None else {str(k): bool(v) for k, v in ran.items()})
            locks.append(ShardLock.from_json(part.get("lockfile")))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise MergeError(f"{name}: damaged shard report ({exc!r})") from None
        if count is None:
            count, inputs = n, these
        elif n != count:
            raise MergeError(f"{name}: shard {index}/{n}, but the others are of {count}")
        elif these != inputs:
            raise MergeError(f"{name}: checked other inputs than {reports[0][0]}")
        elif options[-1] != options[0]:
            raise MergeError(f"{name}: ran other checks than {reports[0][0]} ({options[-1]})")
        elif (locks[-1].mode, locks[-1].files) != (locks[0].mode, locks[0].files):
            raise MergeError(
                f"{name}: its answers are for another lockfile state than {reports[0][0]}'s "
                f"(lockfile {locks[-1].mode} against {locks[0].mode}, or the lockfile "
                "changed between them); run the shards again with the same options"
            )
        if index in seen:
            raise MergeError(f"{name}: shard {index}/{n} again (already in {seen[index]})")
        seen[index] = name
        _join(evidence, answers)
        for service, value in shard_requests.items():
            requests[service] = requests.get(service, 0) + value
    assert count is not None and inputs is not None
    missing = sorted(set(range(1, count + 1)) - set(seen))
    if missing:
        raise MergeError(f"shard(s) {', '.join(f'{k}/{count}' for k in missing)} missing")
    starts = [lock.started for lock in locks if lock.started is not None]
    lock = replace(locks[0], started=min(starts) if starts else None)
    return Merged(inputs, evidence, requests, options[0], lock)


def _join(into: EvidenceSet, part: EvidenceSet) -> None:
    names: tuple[str, ...] = (*_REGISTRY_MAPS, *_LIST_MAPS, "links", "archives")
    for name in names:
        getattr(into, name).update(getattr(part, name))


def verify_inputs(
    merged: Merged, texts: Sequence[tuple[str, str]], fail: Callable[[str], None]
) -> None:
    """Each reloaded input (path, text) must be the one the shards read."""
    for (path, digest), (_, text) in zip(merged.inputs, texts, strict=True):
        if text_digest(text) != digest:
            fail(f"{path}: changed since the shards read it; run the shards again")
