"""Which cached evidence a check may use when it compares against a lockfile.

The rule (README, "Tracking changes"):

* Without a lockfile, the cache's TTL applies (``cache_ttl_days``, 7 days).
* ``check`` with a lockfile compares fresh evidence: cached answers older than
  ``--max-cache-age`` / ``max_cache_age_hours`` (6 hours) are fetched again, and answers
  stored before the lockfile was last written (its modification time) are never used, so
  an older cached record cannot be reported as a change against a newer baseline.  A
  lockfile citetrack writes gets the start time of its run as modification time, so the
  evidence that run fetched stays usable against it.
* ``lock`` and ``check --update-lock`` write a baseline: they accept only evidence fetched
  in this run (the cache is still written, for the runs that follow).
* ``--offline`` reads only the cache: the age limit does not apply, the baseline rule does
  (evidence older than the lockfile is "not in cache", hence unverified).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from citetrack.config import Settings
from citetrack.tracking.lockfile.state import lock_path_for


@dataclass(frozen=True)
class CacheWindow:
    """The cached evidence a run may read: not older than ``max_age`` seconds, not
    stored before ``not_before`` (epoch seconds); ``None``: no such limit."""

    max_age: float | None = None
    not_before: float | None = None


def lockfiles_for(bib_paths: Iterable[str | None], lockfile: str | Path | None) -> list[Path]:
    """The lockfiles a check of ``bib_paths`` compares against (existing or not)."""
    if lockfile is not None:
        return [Path(lockfile)]
    return list(dict.fromkeys(lock_path_for(p) for p in bib_paths))


def cache_window(
    settings: Settings,
    lockfiles: Iterable[Path],
    *,
    update: bool,
    now: float | None = None,
) -> CacheWindow:
    """The :class:`CacheWindow` of a run that applies ``lockfiles`` (none: no lockfile)."""
    started = time.time() if now is None else now
    mtimes = []
    for path in lockfiles:
        try:
            mtimes.append(path.stat().st_mtime)
        except OSError:
            continue  # no lockfile yet (or unreadable: reading it reports that)
    if update and not settings.offline:
        return CacheWindow(not_before=started)
    if not mtimes:
        return CacheWindow()
    baseline = max(mtimes)
    if settings.offline:
        return CacheWindow(not_before=baseline)
    return CacheWindow(max_age=settings.max_cache_age_hours * 3600, not_before=baseline)


def stamp_lockfiles(paths: Iterable[Path], started: float) -> None:
    """Date the lockfiles a run wrote to the run's start: the evidence it fetched (stored
    after that) stays usable against them, anything older does not."""
    for path in paths:
        try:
            os.utime(path, (started, started))
        except OSError:
            continue  # the next run then refetches: slower, never wrong


def lockfile_digests(paths: Iterable[Path]) -> tuple[tuple[str, str | None], ...]:
    """(path, SHA-256 of its bytes) per lockfile, ``None`` for one not there (yet): what
    a shard's answers were fetched for, so that the merge can tell the lockfile it applies
    is that one, unchanged."""
    import hashlib

    out = []
    for path in paths:
        try:
            digest: str | None = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = None  # not there: the merge finds it missing too (unreadable: says so)
        out.append((str(path), digest))
    return tuple(out)
