"""``track``: a check result seen through the lockfile(s), and the lockfiles written.

Part of the Python API (:mod:`citetrack.api` re-exports it, so ``citetrack.track`` and
``citetrack.api.track`` are this function): the ``changed`` findings, the confirmation of
failures over runs, ``--new-only`` and ``--update-lock``, and the memo that lets the
check after ``lock`` skip comparisons it has already made.  Apart from the check itself
because it is the run's last stage, on the result only, and the lockfile's rooms
(:mod:`citetrack.tracking.lockfile`) are all it drives.  What it still takes from
:mod:`citetrack.api` (the settings' loader) is looked up there when called.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from citetrack.model import CheckResult, Found, Severity

if TYPE_CHECKING:
    from citetrack.api import PathLike
    from citetrack.config import Settings
    from citetrack.inputs.bib import BibProblem
    from citetrack.tracking.lockfile import ConfirmPolicy, Lock
    from citetrack.tracking.lockfile.remembered import SettledSources, SourceRecords
    from citetrack.tracking.memo import Memo

# ---------------------------------------------------------------------------- tracking


@dataclass(frozen=True)
class TrackedResult:
    """A check result seen through the lockfile(s), and the lockfiles written."""

    result: CheckResult
    previous: tuple[Lock | None, ...]
    written: tuple[Path, ...]
    #: The defects of the input files to report: all of them, or with ``new_only`` those
    #: the lockfile did not accept (add them with :func:`citetrack.rules.bibfile.with_problems`).
    problems: tuple[BibProblem, ...] = ()
    #: With ``new_only``: how many findings (notes aside) and input defects the lockfile
    #: had accepted, left out of ``result`` and ``problems``.
    accepted_hidden: int = 0


def track(
    result: CheckResult,
    *,
    settings: Settings | None = None,
    lockfile: PathLike | None = None,
    update: bool = False,
    new_only: bool = False,
    problems: Sequence[BibProblem] = (),
    orphans: Sequence[PathLike] = (),
) -> TrackedResult:
    """Apply the lockfile: ``changed`` findings, confirmation of failures over runs.

    ``lockfile=None``: ``settings.lockfile``, else ``citetrack.lock`` next to each .bib.
    ``update`` writes what is seen now as the new baseline; ``new_only`` keeps only the
    findings the lockfile did not already record (the lockfile is built from all of them).
    ``problems`` are the input files' own defects (:class:`~citetrack.inputs.bib.BibProblem`):
    the lockfile records them too, and ``new_only`` keeps those it did not accept.
    ``orphans``: more lockfiles to apply, whose files the run may not have read (a
    directory's, :func:`~citetrack.tracking.lockfile.folders.folder_lockfiles`): a file
    gone from a lockfile is reported removed, one moved to another's folder followed.
    """
    from citetrack.api import load_settings
    from citetrack.rules.bibfile import SKIPPED_PROBLEMS as SKIPPED
    from citetrack.tracking.fileprints import KIND as PRINTS_KIND
    from citetrack.tracking.fileprints import FilePrints
    from citetrack.tracking.lockfile import (
        ConfirmPolicy,
        LockError,
        build_lock,
        group_by_lock,
        lock_path_for,
        read_lock,
        write_lock,
    )
    from citetrack.tracking.lockfile import track as track_lock
    from citetrack.tracking.lockfile.folders import (
        follow_moves,
        gone_files,
        gone_note,
        still_there,
    )
    from citetrack.tracking.lockfile.problems import new_problems, problem_file, record_problems
    from citetrack.tracking.lockfile.remembered import KNOWN_KIND, SETTLED_KIND, SettledSources
    from citetrack.tracking.lockfile.renames import Rename, follow, read_keys
    from citetrack.tracking.lockfile.state import files_named_from, reference_file

    settings = settings if settings is not None else load_settings()
    lockfile = lockfile if lockfile is not None else settings.lockfile
    now = datetime.now(UTC)
    policy = ConfirmPolicy(settings.confirm_failures, settings.confirm_days)
    groups = {Path(lockfile): result} if lockfile is not None else group_by_lock(result)
    defects: dict[Path, list[BibProblem]] = {}
    for problem in problems:
        at = Path(lockfile) if lockfile is not None else lock_path_for(problem.path)
        defects.setdefault(at, []).append(problem)
    for at in defects.keys() - groups.keys():  # a file none of whose entries was read
        groups[at] = CheckResult(results=(), requests=result.requests)
    for orphan in () if lockfile is not None else orphans:  # its files may all be gone
        groups.setdefault(Path(orphan), CheckResult(results=(), requests=result.requests))
    shown: list[CheckResult] = []
    reported: list[BibProblem] = []
    hidden = 0
    notes: list[str] = []
    previous: list[Lock | None] = []
    written: list[Path] = []
    with _lock_records(settings) as (records, memo):
        known = memo.view(KNOWN_KIND) if memo.enabled else None
        prints = FilePrints(memo.view(PRINTS_KIND)) if memo.enabled else None
        # Every lockfile is read before any is written: a corrupt one ends the run (exit
        # 2), and must not leave the others updated by a run that reported nothing (a
        # nightly job commits the lockfiles that changed).
        befores: dict[Path, Lock | None] = {}
        for path in groups:
            where = str(path.resolve())
            # The digest of the bytes last read whole at this path by this code, if any.
            read_before = known.get_many([where]).get(where) if known is not None else None
            before = read_lock(path, known=(read_before,) if read_before else (), prints=prints)
            if known is not None and before is not None and before.digest != read_before:
                known.put_many({where: before.digest})
            befores[path] = before
        # A .bib moved to another lockfile's folder takes its history with it.
        notes += [moved.note() for moved in follow_moves(befores, groups)]
        for path, group in groups.items():
            where = str(path.resolve())
            before = befores.pop(path)
            # Files are named from this lockfile's directory (two chapters' refs.bib differ).
            with files_named_from(path):
                found = defects.get(path, [])
                # Entries in their file that did not read: not removed (the defect says why).
                unread = {(problem_file(p), p.key) for p in found if p.key and p.rule in SKIPPED}
                # A renamed input (a wiki page moved, a .bib renamed) or key keeps its
                # history: what follows sees the lockfile renamed.
                renames: tuple[Rename, ...] = ()
                if before is not None:
                    followed = follow(before, group, unread, still_there(path, group))
                    before, renames = followed.lock, followed.renames
                    notes += [m.note() for m in followed.moved]
                gone: frozenset[str] = frozenset()
                if before is not None:  # deleted files: their entries are removed
                    gone = gone_files(before, read_keys(group), still_there(path, group))
                    if gone:
                        count = sum(e.file in gone for e in before.references.values())
                        notes.append(gone_note(path, sorted(gone), count))
                settled = None
                if before is not None and memo.enabled:
                    settled = SettledSources(memo.view(SETTLED_KIND), where, before)
                # Writing the lockfile reduces every record; a comparison only the unsettled.
                records.prefetch(_lock_sources(group, None if update else settled))
                seen = track_lock(
                    group,
                    before,
                    now,
                    policy,
                    records,
                    settled=settled,
                    unread=unread,
                    renames=renames,
                    gone=gone,
                )
                if settled is not None:
                    settled.flush()
                kept = new_problems(found, before) if new_only else found
                hidden += len(found) - len(kept)
                reported += kept
                if update:
                    files = {reference_file(rr.reference) for rr in group.results}
                    files.update(problem_file(p) for p in found)
                    built = build_lock(seen, before, now, policy, records, unread=unread, gone=gone)
                    built = dataclasses.replace(
                        built, problems=record_problems(before, found, files)
                    )
                    try:
                        write_lock(path, built)
                    except OSError as exc:
                        message = f"{path}: cannot write the lockfile: {exc.strerror or exc}"
                        raise LockError(message, path=str(path)) from exc
                    # Read back below: not held with its copy (100,000 entries: some 400 MB).
                    del built
                    written.append(path)
                    if memo.enabled:
                        _settle_written(
                            path, group, now=now, policy=policy, records=records, memo=memo
                        )
                if new_only:
                    before_new_only = seen
                    # A key renamed by the change is an edit of its reference (a file moved
                    # whole, or an entry moved to another file under its key, is not).
                    rekeyed = {(r.file, r.key) for r in renames if r.was_key != r.key}
                    seen = _new_only(seen, before, rekeyed)
                    hidden += _count(before_new_only) - _count(seen)
                shown.append(seen)
            previous.append(before)
    tracked = dataclasses.replace(
        result,
        results=tuple(r for seen in shown for r in seen.results),
        notes=(*result.notes, *notes),
    )
    return TrackedResult(tracked, tuple(previous), tuple(written), tuple(reported), hidden)


def _count(result: CheckResult) -> int:
    """The findings of ``result`` a report lists (notes are listed only on request)."""
    return sum(f.severity is not Severity.NOTE for rr in result.results for f in rr.findings)


@contextlib.contextmanager
def _lock_records(settings: Settings) -> Iterator[tuple[SourceRecords, Memo]]:
    """The lockfile's reduction of records, remembered in the memo next to the cache
    (none with ``--no-cache``), and that memo; written back when the comparison is done."""
    from citetrack.tracking.lockfile.remembered import KIND, SourceRecords
    from citetrack.tracking.memo import Memo, cache_folder

    with Memo(None) if not settings.use_cache else Memo.open(cache_folder(settings)) as memo:
        records = SourceRecords(memo.view(KIND) if memo.enabled else None)
        yield records, memo
        records.flush()


def _settle_written(
    path: Path,
    result: CheckResult,
    *,
    now: datetime,
    policy: ConfirmPolicy,
    records: SourceRecords,
    memo: Memo,
) -> None:
    """File the comparisons of ``result`` with the lockfile just written at ``path`` that
    find nothing, so the check that follows ``lock`` skips them as it would on its second
    run (issue 16).

    The lockfile is read back from its bytes, as that check will read it, and compared for
    real: what is filed is what the comparison found, not what writing it implies.  A
    lockfile that does not read back (changed under us) is left for that check to report.
    """
    from citetrack.tracking.lockfile import LockError, diff, read_lock
    from citetrack.tracking.lockfile.remembered import KNOWN_KIND, SETTLED_KIND, SettledSources

    try:
        written = read_lock(path)
    except LockError:
        return
    if written is None:
        return
    where = str(path.resolve())
    memo.view(KNOWN_KIND).put_many({where: written.digest})  # read whole without error
    settled = SettledSources(memo.view(SETTLED_KIND), where, written, name_fresh=True)
    diff(written, result, now, policy, records, settled=settled)
    settled.flush()


def _lock_sources(result: CheckResult, settled: SettledSources | None) -> Iterator[Found]:
    """The records a comparison with the lockfile reduces: the first of each source per
    reference, except those ``settled`` skips (``None``: every record, as writing it needs)."""
    for rr in result.results:
        if settled is None:
            yield from (e for e in rr.evidence if isinstance(e, Found))
        else:
            yield from (found for found, _ in settled.pending(rr).values())


def _new_only(
    result: CheckResult, lock: Lock | None, rekeyed: Collection[tuple[str, str]] = ()
) -> CheckResult:
    """Only the findings ``lock`` does not already record (``--new-only``), each reference
    marked as the gate sees it (:mod:`citetrack.tracking.lockfile.gate`): made by the
    change (``touched``; every reference, without a lockfile; those whose key the change
    renamed, ``rekeyed``: (file, new key)), or not, with the findings that came from
    upstream (``upstream``)."""
    from citetrack.tracking.lockfile import new_only
    from citetrack.tracking.lockfile.gate import touched, upstream
    from citetrack.tracking.lockfile.state import reference_file

    if lock is None:
        return dataclasses.replace(
            result, results=tuple(dataclasses.replace(rr, touched=True) for rr in result.results)
        )
    results = []
    for rr in result.results:
        made = touched(lock.entry_for(rr.reference), rr.reference) or (
            bool(rekeyed) and (reference_file(rr.reference), rr.reference.key) in rekeyed
        )
        kept = tuple(new_only(rr.findings, lock, rr.reference))
        outside = upstream(kept, made=made)
        if len(kept) == len(rr.findings):
            # Most references: untouched, nothing from upstream, nothing accepted.
            gated = made or outside
            results.append(dataclasses.replace(rr, touched=made, upstream=outside) if gated else rr)
            continue
        hidden = tuple(f for f in rr.findings if f not in kept and f.severity is not Severity.NOTE)
        results.append(
            dataclasses.replace(rr, findings=kept, accepted=hidden, touched=made, upstream=outside)
        )
    return dataclasses.replace(result, results=tuple(results))
