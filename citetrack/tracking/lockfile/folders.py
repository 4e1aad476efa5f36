"""Files that leave a lockfile: a .bib deleted, or moved to a folder with a lockfile of its
own (one ``citetrack.lock`` per folder, as ``citetrack lock docs`` writes them).

A lockfile compared only the files the run read, so two things went unsaid:

* A .bib deleted (``git rm docs/b/refs.bib``) was never read again: its lockfile's entries
  were reported neither removed nor anything else, and stayed in the lockfile for ever —
  and when it was its folder's only .bib, its lockfile was not even read.  A file the
  lockfile records that this run did not read and that is no file there any more (nor
  followed as renamed) is :func:`gone_files`: its entries are ``reference-removed``, and
  ``--update-lock`` drops them.  A check of a directory (``citetrack check docs``) reads
  every ``citetrack.lock`` below it too (:func:`folder_lockfiles`), its .bib files read or
  not; those in hidden folders (``.citetrack-cache/state/…``: the nightly state's copies,
  whose files are never beside them) are not the repository's.
* A .bib moved to another folder (``git mv docs/a/refs.bib docs/c/refs.bib``) was all new
  in its new folder's lockfile and, in its old one, all removed (or nothing, see above):
  every verdict given again at once, the history lost.  A file a lockfile does not know
  takes the entries of a gone file of *another* lockfile of the run when that is the only
  gone file sharing at least half of its citation keys both ways (as a file renamed
  beside its lockfile does: :mod:`~citetrack.tracking.lockfile.renames`)
  — :func:`follow_moves`.  The entries leave the old lockfile (not removed: moved) and
  are recorded in the new one, each under the file's name from there.

A wiki page's records are never gone: they name a page, not a file.  Pure but for asking
whether files exist.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Collection, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from citetrack.model import CheckResult
from citetrack.tracking.lockfile.renames import _most_shared, read_keys
from citetrack.tracking.lockfile.state import LOCK_NAME, Lock, files_named_from, lock_keys, placed


def gone_files(lock: Lock, read: Collection[str], there: Callable[[str], bool]) -> frozenset[str]:
    """The files ``lock`` records entries for that the run did not ``read`` (names as the
    lockfile writes them) and that are no file any more (``there``: :func:`still_there`);
    never a wiki page's name, nor standard input's."""
    names = {entry.file for entry in lock.references.values()}
    return frozenset(
        name
        for name in names - set(read)
        if name not in ("", "-") and name not in lock.articles and not there(name)
    )


def still_there(lockfile: Path, result: CheckResult) -> Callable[[str], bool]:
    """Whether a file the lockfile names is there: names are relative to its folder, or
    bare for a file outside it (an older lockfile's), so look beside the inputs of
    ``result`` too (their paths listed only when asked: seldom)."""
    folders: list[Path] = []

    def there(name: str) -> bool:
        if not folders:
            paths = {rr.reference.path for rr in result.results if rr.reference.path}
            folders.extend({lockfile.parent, *(Path(p).parent for p in paths)})
        return any((folder / name).is_file() for folder in folders)

    return there


def folder_lockfiles(inputs: Iterable[str]) -> list[Path]:
    """Every ``citetrack.lock`` below the directories among ``inputs`` (not in a hidden
    folder below them), sorted."""
    found: set[Path] = set()
    for given in inputs:
        top = Path(given)
        if given == "-" or not top.is_dir():
            continue
        for path in top.rglob(LOCK_NAME):
            inside = path.relative_to(top).parts[:-1]
            if path.is_file() and not any(part.startswith(".") for part in inside):
                found.add(path)
    return sorted(found)


@dataclass(frozen=True)
class MovedAcross:
    """A .bib file read as ``name`` under the lockfile ``into`` whose entries the lockfile
    ``was_lock`` recorded for its file ``was`` (gone)."""

    name: str
    into: Path
    was: str
    was_lock: Path

    def note(self) -> str:
        """What the report says of it."""
        return (
            f"{self.into.parent / self.name}: tracked as {self.was} in {self.was_lock} (the "
            f"file was moved to another folder): its history is kept, now in {self.into}"
        )


def follow_moves(
    befores: MutableMapping[Path, Lock | None], groups: Mapping[Path, CheckResult]
) -> list[MovedAcross]:
    """Follow the .bib files moved from one lockfile's folder to another's (see the
    module): ``befores`` (every lockfile of the run, as read) is changed in place, the
    moved entries taken from the old lockfile and given to the new one."""
    if len(befores) < 2:
        return []
    # Each lockfile's gone files and their keys, named as that lockfile names them.
    left: dict[tuple[Path, str], set[str]] = {}
    unknown: list[tuple[Path, str, set[str]]] = []
    for path, group in groups.items():
        before = befores.get(path)
        with files_named_from(path):
            read = read_keys(group)
        known = {entry.file for entry in before.references.values()} if before else set()
        if before is not None:
            gone = gone_files(before, read, still_there(path, group))
            for (file, key), _ in placed(before.references).items():
                if file in gone:
                    left.setdefault((path, file), set()).add(key)
        articles = {info.name for info in group.articles}
        unknown += [
            (path, name, keys)
            for name, keys in read.items()
            if name and name not in known and name not in articles
        ]
    out: list[MovedAcross] = []
    for path, name, keys in unknown:
        alike = [
            was for was, recorded in left.items() if was[0] != path and _most_shared(recorded, keys)
        ]
        if len(alike) != 1:
            continue
        was_lock, was = alike[0]
        del left[alike[0]]
        source = befores[was_lock]
        if source is None:  # cannot happen: its entries were read from it
            continue
        moving = {k: e for k, e in placed(source.references).items() if k[0] == was}
        staying = {k: e for k, e in placed(source.references).items() if k[0] != was}
        befores[was_lock] = dataclasses.replace(source, references=lock_keys(staying))
        target = befores.get(path) or Lock()
        entries = placed(target.references)
        for (_, key), entry in moving.items():
            entries[(name, key)] = dataclasses.replace(entry, file=name)
        # Not the bytes read any more: nothing remembered against them may skip a
        # comparison with the entries brought in (remembered.SettledSources).
        befores[path] = dataclasses.replace(target, references=lock_keys(entries), digest="")
        out.append(MovedAcross(name, path, was, was_lock))
    return out


def gone_note(lockfile: Path, gone: Sequence[str], count: int) -> str:
    """The note for the files ``lockfile`` recorded that are gone."""
    files = ", ".join(str(Path(os.path.normpath(lockfile.parent / name))) for name in gone)
    plural = "s" if count != 1 else ""
    return (
        f"{files}: gone since {lockfile} was written (deleted, and followed nowhere): "
        f"{count} reference{plural} reported removed"
    )
