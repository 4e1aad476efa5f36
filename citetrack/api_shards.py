"""``check --shard K/N`` and ``citetrack merge`` in the Python API: a shard's JSON report,
and N of them joined into the unsharded check's result.

Part of the Python API (:mod:`citetrack.api` re-exports ``check_shard``, ``merge_shards``,
``merge_shard_reports`` and ``MergedShards``).  Apart from the check because a shard is a
check's slice written for a merge, and the merge reads reports, not registries.  The
check, the .bib loader and the settings are :mod:`citetrack.api`'s, looked up there when
called.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from citetrack.model import CheckResult

if TYPE_CHECKING:
    import httpx

    from citetrack.api import Archives, PathLike, Progress
    from citetrack.config import Settings
    from citetrack.inputs.bib import Bibliography
    from citetrack.report.merge import ShardLock
    from citetrack.shard import Shard


def check_shard(
    bibliographies: Sequence[Bibliography],
    shard: Shard,
    *,
    settings: Settings | None = None,
    registries: bool = True,
    links: bool | None = None,
    archives: Archives = "cited",
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    store_required: bool = False,
    warn: Callable[[str], None] | None = None,
    max_cache_age: float | None = None,
    cache_not_before: float | None = None,
    lock: ShardLock | None = None,
) -> str:
    """``check --shard K/N``: the shard's JSON report (its own references, every answer
    it got and the inputs' hashes), for :func:`merge_shards`.  No lockfile is applied:
    the merge applies it, to answers the cache window (``max_cache_age``,
    ``cache_not_before``, as :func:`check` takes them) kept fresh enough for the
    lockfile named in ``lock`` (recorded in the report)."""
    from citetrack.api import check, load_settings
    from citetrack.pipeline import EvidenceSet
    from citetrack.report.merge import shard_report

    evidence = EvidenceSet()
    result = check(
        list(bibliographies),
        settings=settings,
        registries=registries,
        links=links,
        archives=archives,
        progress=progress,
        transport=transport,
        store_required=store_required,
        warn=warn,
        shard=shard,
        evidence=evidence,
        max_cache_age=max_cache_age,
        cache_not_before=cache_not_before,
    )
    inputs = [(b.path, b.text) for b in bibliographies]
    settings = settings if settings is not None else load_settings()
    ran = {"registries": registries, "links": settings.check_links if links is None else links}
    return shard_report(result, evidence, shard, inputs, options=ran, lock=lock)


@dataclass(frozen=True)
class MergedShards:
    """:func:`merge_shard_reports`: the result, the inputs read again (their ``problems``
    and ``encoding_note`` are the report's too, as in a check) and the checks the shards
    ran (``{"registries", "links"}``, ``None`` if their reports do not say), and the
    lockfile their answers are fresh for."""

    result: CheckResult
    bibliographies: tuple[Bibliography, ...]
    options: Mapping[str, bool] | None
    #: The lockfile the shards' answers are fresh for (mode "none": they ignored it).
    lock: ShardLock


def merge_shards(reports: Sequence[PathLike]) -> CheckResult:
    """The report of an unsharded ``check --no-lockfile``, from the N shard reports of
    :func:`check_shard` (request counts summed); the inputs' own defects are in
    :func:`merge_shard_reports`' ``bibliographies``, as :func:`check` leaves them in the
    :class:`Bibliography` it was given."""
    return merge_shard_reports(reports).result


def merge_shard_reports(reports: Sequence[PathLike]) -> MergedShards:
    """The N shard reports of :func:`check_shard` joined, with the inputs read again (they
    must be unchanged).

    Raises :class:`~citetrack.report.merge.MergeError` for reports that do not fit
    together or inputs that changed, :class:`~citetrack.inputs.textio.InputError` for a
    file that cannot be read.
    """
    import json

    from citetrack.api import load_bib
    from citetrack.inputs.textio import InputError
    from citetrack.pipeline import results_for
    from citetrack.report.merge import MergeError, verify_inputs
    from citetrack.report.merge import merge_shards as join

    docs = []
    for report in reports:
        name = os.fspath(report)
        try:
            docs.append((name, json.loads(Path(name).read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(name, f"cannot read the shard report: {exc}") from None
    merged = join(docs)
    loaded = [load_bib(path) for path, _ in merged.inputs]

    def changed(message: str) -> None:
        raise MergeError(message)

    verify_inputs(merged, [(b.path, b.text) for b in loaded], changed)
    refs = [r for b in loaded for r in b.references]
    result = CheckResult(results=results_for(refs, merged.evidence), requests=merged.requests)
    return MergedShards(result, tuple(loaded), merged.options, merged.lock)
