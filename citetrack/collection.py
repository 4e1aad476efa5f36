"""A collection: many inputs (files, directories, glob patterns) checked as one run.

:func:`expand_inputs` turns the command line's inputs into the list of files, in a stable
order, each once.  The pipeline then asks each distinct identifier and URL once for the
whole collection; every reference keeps its own file and line, so the report says which
input each finding belongs to.  What is about one bibliography stays per input:
:func:`duplicate_findings` looks for duplicate references within each file, never across
files (the same DOI cited by two articles is not a duplicate).  And a reference that recurs
in many files, with the same fields and the same evidence, is compared once
(:class:`FindingsMemo`): the comparison rules are the costliest computation of a big run.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace
from pathlib import Path

from citetrack.incremental import StoredFindings
from citetrack.inputs.textio import InputError
from citetrack.model import Evidence, Finding, Reference

#: What a directory contributes: the bibliographies below it, at any depth.
DIRECTORY_PATTERNS = ("*.bib",)
_GLOB_CHARS = frozenset("*?[")


def expand_inputs(inputs: Sequence[str]) -> list[str]:
    """The files named by ``inputs``, each once, in the order given.

    A directory stands for every ``.bib`` below it (sorted); a pattern with ``*``, ``?``
    or ``[`` (``**`` for any depth) for the files it matches (sorted).  Anything else is
    kept as given, so a missing file is reported by the loader with its name.  A
    directory or a pattern that matches nothing is an :class:`InputError`.
    """
    out: dict[str, None] = {}
    seen: set[str] = set()

    def add(path: str) -> None:
        key = os.path.realpath(path) if path != "-" else path
        if key not in seen:
            seen.add(key)
            out[path] = None

    for given in inputs:
        path = Path(given)
        if given != "-" and path.is_dir():
            found = [p for p in _listed(given, path) if _bibliography(p)]
            if not found:
                raise InputError(given, "is a directory without any .bib file")
            for p in found:
                add(p)
        elif not path.exists() and _GLOB_CHARS & set(given):
            # glob.glob, not Path.glob: a pattern may be absolute (/ci/**/*.bib).
            hits = glob.glob(given, recursive=True)  # noqa: PTH207
            matches = sorted(m for m in hits if _bibliography(m))
            if not matches:
                raise InputError(given, "matches no file")
            for m in matches:
                add(m)
        else:
            add(given)
    return list(out)


def _bibliography(name: str) -> bool:
    """A file to read: a regular file, or a symbolic link to nothing — kept so that the
    loader says its name ("no such file"); left out, a bibliography behind a broken link
    went unchecked without a word.  A folder named ``x.bib`` is none."""
    path = Path(name)
    return path.is_file() or (path.is_symlink() and not path.exists())


def _listed(given: str, path: Path) -> list[str]:
    """The sorted ``.bib`` files below the directory ``path``; a folder below it that
    cannot be listed (gone while it was walked, a path longer than the system allows)
    is an :class:`InputError` naming it, not an internal error."""
    try:
        return sorted({str(p) for pattern in DIRECTORY_PATTERNS for p in path.rglob(pattern)})
    except OSError as exc:
        where = str(exc.filename or given)
        if len(where) > 120:
            where = f"{where[:60]}…{where[-40:]}"
        raise InputError(
            given, f"a folder below it could not be listed ({exc.strerror or exc}): {where}"
        ) from None


def duplicate_findings(
    refs: Sequence[Reference], keys: Sequence[list[tuple[str, str]]] | None = None
) -> list[tuple[int, Finding]]:
    """``duplicate-reference`` findings, each with the position in ``refs`` it belongs to.

    Looked for within each input file separately.  ``keys``: each reference's
    :func:`~citetrack.rules.duplicates.duplicate_keys`, if the caller has them.
    """
    # Imported here: a warm run's duplicates are remembered (the rules and rapidfuzz not
    # imported at all).
    from citetrack.rules.compare import find_duplicates  # noqa: PLC0415

    groups: dict[str | None, list[int]] = {}
    for position, ref in enumerate(refs):
        groups.setdefault(ref.path, []).append(position)
    out: list[tuple[int, Finding]] = []
    for positions in groups.values():
        group = [refs[p] for p in positions]
        index: dict[tuple[str, int | None], int] = {}
        for position, ref in zip(positions, group, strict=True):
            index.setdefault((ref.key, ref.line), position)
        group_keys = None if keys is None else [keys[p] for p in positions]
        out.extend((index[(f.key, f.line)], f) for f in find_duplicates(group, group_keys))
    out.sort(key=lambda pair: pair[0])
    return out


def attribute_by_file(
    refs: Sequence[Reference],
    duplicates: Sequence[tuple[int, Finding]],
    evidence_of: Callable[[Reference], Sequence[Evidence]],
) -> list[tuple[int, Finding]]:
    """:func:`duplicate_findings` with identifier-caused duplicates moved, within each file,
    to the entry whose identifier is wrong (:func:`~citetrack.rules.identity.attribute_duplicates`).
    """
    positions_of: dict[str | None, list[int]] = {}
    for position, ref in enumerate(refs):
        positions_of.setdefault(ref.path, []).append(position)
    by_file: dict[str | None, list[Finding]] = {}
    for position, finding in duplicates:
        by_file.setdefault(refs[position].path, []).append(finding)
    out: list[tuple[int, Finding]] = []
    for path, findings in by_file.items():
        # Imported here: most runs have no duplicates to attribute.
        from citetrack.rules.identity import attribute_duplicates  # noqa: PLC0415

        positions = positions_of[path]
        group = [refs[p] for p in positions]
        index: dict[tuple[str, int | None], int] = {}
        for position, ref in zip(positions, group, strict=True):
            index.setdefault((ref.key, ref.line), position)
        moved = attribute_duplicates(group, findings, evidence_of)
        out.extend((index[(f.key, f.line)], f) for f in moved)
    out.sort(key=lambda pair: pair[0])
    return out


Compare = Callable[[Reference, Sequence[Evidence]], list[Finding]]


class FindingsMemo:
    """``compare(ref, evidence)``, computed once per distinct (reference, evidence).

    The rules read a reference's entry type, fields and identifiers and the evidence, and
    stamp each finding with the reference's key and line and nothing else of it; so the
    findings of an identical entry elsewhere are these, re-stamped.  Evidence is told
    apart by identity: within a run, one answer is one object.  For one run only; across
    runs, ``stored`` remembers findings by content hash.
    """

    def __init__(self, compare: Compare, stored: StoredFindings | None = None) -> None:
        self._compare = compare
        #: Findings remembered from earlier runs (:mod:`citetrack.incremental`), if any.
        self.stored = stored
        self._done: dict[Hashable, tuple[Reference, tuple[Evidence, ...], list[Finding]]] = {}

    def __call__(
        self, ref: Reference, evidence: Sequence[Evidence], stored_key: str | None = None
    ) -> list[Finding]:
        """``stored_key``: the key of ``ref`` and ``evidence`` in ``stored``, if known
        (:meth:`~citetrack.incremental.StoredFindings.prefetch` gave it)."""
        # The digest stands for the type, fields and identifiers (computed once per entry,
        # or read with it from the .bib memo): cheaper than hashing them all again.
        key = (ref.digest, *map(id, evidence))
        hit = self._done.get(key)
        if hit is None:
            findings = (
                self.stored.get(ref, evidence, stored_key) if self.stored is not None else None
            )
            if findings is None:
                findings = self._compare(ref, evidence)
                if self.stored is not None:
                    self.stored.remember(ref, evidence, findings)
            # Keep the evidence alive with the entry, so that no id() is ever reused.
            self._done[key] = (ref, tuple(evidence), findings)
            return list(findings)
        first, _, findings = hit
        if first.key == ref.key and first.line == ref.line:
            return list(findings)
        return [replace(f, key=ref.key, line=ref.line) for f in findings]
