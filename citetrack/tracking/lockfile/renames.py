"""A .bib entry whose key was renamed keeps its lockfile history.

Renaming a citation key (``pujol2004necrolytic`` → ``Pujol2004``, a key style changed for a
whole file, an entry moved to another file the same lockfile covers) used to read as one
reference removed and another added: ``reference-removed`` failed the pull-request gate for
an edit that changed no citation, the accepted findings of the entry were shown again as
new under ``--new-only``, a URL's failure count started over, and an upstream change
between the lockfile and the rename was never reported (the "new" reference had no
baseline to compare with).

An entry gone from the files it was recorded for is taken to be a reference now under a new
key when they name the same work: they share an identifier (DOI, PMID, PMCID, arXiv id,
ISBN or URL), none of the identifiers both give differs, and each is the other's only
match.  Anything less certain stays an addition and a removal: a reference whose
identifier changed is judged as new (a fabricated DOI must get its verdict at once), and
two entries citing one work cannot tell which was renamed.

An article's citations are left alone: their keys come from ``<ref name>`` or the
citation's own text, and a renamed ``<ref name>`` is followed by its fingerprint
(:mod:`~citetrack.tracking.lockfile.revisions`).

A renamed *input* is followed too: a wiki page moved to a new title (the old one redirects,
so a nightly job's URL still works), a local copy or a .bib file renamed (``git mv
refs.bib references.bib`` beside the same lockfile).  It was read under a name the lockfile
did not know: every reference of it was "new since the lockfile", upstream changes and
edits since the lockfile went unreported, and the old name's records stayed in the
lockfile for ever.  A name the lockfile recorded, that this run did not read and that is
no file there any more, is taken for an input read under a new name when it is the only one
read from the same source (an article's URL or file as given) or the only file sharing at
least half of the citation keys both ways: a wiki page is followed by its URL only, since
related articles checked one by one against one lockfile may share most of their
citations.  Pure (the caller says which files are there).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from citetrack.model import CheckResult, Finding, Severity, Source
from citetrack.tracking.lockfile.confirm import as_now
from citetrack.tracking.lockfile.problems import without_numbers
from citetrack.tracking.lockfile.state import (
    Lock,
    LockEntry,
    citation_key,
    file_name,
    lock_keys,
    placed,
    reference_file,
)

#: The identifiers that name one work (an ISSN names a journal; an archive URL is a copy).
_WORK_IDS = ("doi", "pmid", "pmcid", "arxiv", "isbn", "url")


@dataclass(frozen=True)
class Rename:
    """A reference now at ``file``/``key`` that the lockfile recorded at ``was_file``/
    ``was_key``, matched by ``by`` (``("doi", "10.…")``)."""

    file: str
    key: str
    was_file: str
    was_key: str
    by: tuple[str, str]


def _ids(values: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for kind in _WORK_IDS:
        value = values.get(kind)
        if value:
            # DOIs are case-insensitive (https://www.doi.org/the-identifier/resources/handbook);
            # the others are already normalised by the parser.
            out[kind] = value.strip().lower() if kind == "doi" else value.strip()
    return out


def _as_now(recorded: Mapping[str, str]) -> dict[str, str]:
    """The identifiers a lockfile recorded, each in this version's form (see
    :func:`~citetrack.tracking.lockfile.confirm.as_now`), or as recorded where this
    version refuses it."""
    return {k: as_now(k, v) or v for k, v in recorded.items()}


def _shared(now: Mapping[str, str], was: Mapping[str, str]) -> tuple[str, str] | None:
    """The first identifier both give alike, or ``None`` (also when one differs)."""
    same = None
    for kind, value in now.items():
        other = was.get(kind)
        if other is None:
            continue
        if other != value:
            return None
        same = same or (kind, value)
    return same


def read_keys(result: CheckResult) -> dict[str, set[str]]:
    """The citation keys of ``result``'s references by the name their file is recorded
    under (each path named once: a run holds few files and many references)."""
    by_path: dict[str | None, set[str]] = {}
    for rr in result.results:
        keys = by_path.get(rr.reference.path)
        if keys is None:
            keys = by_path[rr.reference.path] = set()
        keys.add(rr.reference.key)
    out: dict[str, set[str]] = {}
    for path, keys in by_path.items():
        out.setdefault(file_name(path) if path else "", set()).update(keys)
    return out


def find_renames(
    lock: Lock,
    result: CheckResult,
    unread: Collection[tuple[str, str]] = (),
    *,
    keys: Mapping[str, set[str]] | None = None,
) -> list[Rename]:
    """The references of ``result`` (from .bib files) that are entries of ``lock`` under
    another key or file (see the module's docstring).  ``unread``: the (file, key) of
    entries in their file that did not read (not gone, so never matched); ``keys``:
    :func:`read_keys` of ``result``, if already read."""
    present = read_keys(result) if keys is None else keys
    unread = set(unread)
    files = present.keys() | {file for file, _ in unread}
    gone: dict[tuple[str, str], LockEntry] = {}
    # Every check with a lockfile asks this of every entry: no (file, key) map built first.
    for lock_key, entry in lock.references.items():
        if entry.file in files:
            where = (entry.file, citation_key(lock_key))
            if where[1] not in present.get(entry.file, ()) and where not in unread:
                gone[where] = entry
    if not gone:  # the usual run: nothing to look for
        return []
    # Gone entries by each identifier they give, so each new reference looks up its own.
    # In this version's forms: an entry recorded before an upgrade that normalises an
    # identifier otherwise is still found (else removed and added, its history lost).
    gone_ids = {where: _ids(_as_now(entry.identifiers)) for where, entry in gone.items()}
    index: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for where, ids in gone_ids.items():
        for item in ids.items():
            index.setdefault(item, []).append(where)
    articles = {info.name for info in result.articles}
    matches: dict[tuple[str, str], list[tuple[str, str, tuple[str, str]]]] = {}
    claimed: dict[tuple[str, str], int] = {}
    for rr in result.results:
        ref = rr.reference
        ids = _ids(ref.identifiers.as_dict())
        if not ids or ref.path in articles:
            continue
        file = reference_file(ref)
        if lock.entry_at(file, ref.key) is not None:
            continue
        candidates = {where for item in ids.items() for where in index.get(item, ())}
        found = []
        for where in sorted(candidates):
            by = _shared(ids, gone_ids[where])
            if by is not None:
                found.append((*where, by))
                claimed[where] = claimed.get(where, 0) + 1
        matches[(file, ref.key)] = found
    out = []
    for (file, key), found in matches.items():
        if len(found) == 1 and claimed[found[0][:2]] == 1:
            was_file, was_key, by = found[0]
            out.append(Rename(file, key, was_file, was_key, by))
    return out


def follow_renames(lock: Lock, renames: Collection[Rename]) -> Lock:
    """``lock`` with each renamed entry recorded under the reference's key and file now (its
    defects accepted under the old key follow it too); the same bytes' digest."""
    if not renames:
        return lock
    entries = placed(lock.references)
    for rename in renames:
        entry = entries.pop((rename.was_file, rename.was_key))
        entries[(rename.file, rename.key)] = dataclasses.replace(entry, file=rename.file)
    problems = dict(lock.problems)
    for rename in renames:
        marks = problems.get(rename.was_file, ())
        moved = tuple(m for m in marks if m.key == rename.was_key)
        if not moved:
            continue
        problems[rename.was_file] = tuple(m for m in marks if m.key != rename.was_key)
        renamed = tuple(
            dataclasses.replace(m, key=rename.key, message=_renamed(m.message, rename))
            for m in moved
        )
        problems[rename.file] = (*problems.get(rename.file, ()), *renamed)
    return dataclasses.replace(lock, references=lock_keys(entries), problems=problems)


def _renamed(message: str, rename: Rename) -> str:
    # A defect's message names its entry ("entry KEY: field year…", "entry KEY, field…").
    # It was recorded with its numbers written "#", the key's among them.
    was, now = without_numbers(rename.was_key), without_numbers(rename.key)
    named = re.compile(rf"\bentry {re.escape(was)}(?=[\s:;,)]|$)")
    return named.sub(lambda _: f"entry {now}", message)


def rename_finding(rename: Rename, line: int | None) -> Finding:
    """The note that says the reference kept its history under its new key."""
    kind, value = rename.by
    if rename.was_key == rename.key:
        what = f"moved from {rename.was_file}"
    elif rename.was_file != rename.file:
        what = f"renamed from {rename.was_key} in {rename.was_file}"
    else:
        what = f"renamed from {rename.was_key}"
    return Finding(
        key=rename.key,
        rule="reference-renamed",
        severity=Severity.NOTE,
        message=f"{what} (the lockfile's entry with the same {kind}, {value}): its history is kept",
        source=Source.LOCKFILE,
        line=line,
    )


@dataclass(frozen=True)
class MovedFile:
    """An input read under ``name`` whose entries the lockfile recorded under ``was``."""

    name: str
    was: str
    article: bool

    def note(self) -> str:
        """What the report says of it."""
        how = "the page was moved or the file renamed" if self.article else "the file was renamed"
        return f"{self.name}: tracked as {self.was} in the lockfile ({how}): its history is kept"


def _most_shared(recorded: Collection[str], keys: Collection[str]) -> bool:
    """Whether at least half of each of two sets of citation keys is in the other."""
    shared = len(set(recorded).intersection(keys))
    return bool(shared) and 2 * shared >= len(recorded) and 2 * shared >= len(keys)


def _is_page(lock: Lock, name: str) -> bool:
    """Whether the lockfile recorded ``name`` as a wiki page read by its URL."""
    record = lock.articles.get(name)
    return record is not None and record.source.startswith(("http://", "https://"))


def find_moved_files(
    lock: Lock,
    result: CheckResult,
    still_there: Callable[[str], bool] = lambda _: False,
    *,
    keys: Mapping[str, set[str]] | None = None,
) -> list[MovedFile]:
    """The inputs of ``result`` read under a name ``lock`` has no entry or record for,
    that it recorded under another name not read in this run: the only one read from the
    same source (an article's URL or file as given), else the only file (not a wiki page)
    sharing at least half of the citation keys both ways.  ``still_there(name)``: whether
    the file the lockfile names so still exists (a copy beside its original is no
    rename); ``keys``: :func:`read_keys` of ``result``, if already read."""
    keys = read_keys(result) if keys is None else keys
    names = {entry.file for entry in lock.references.values()}
    names.update(lock.articles)
    unknown = [name for name in keys if name not in names]
    if not unknown:  # the usual run: every input is one the lockfile knows
        return []
    articles = {info.name: info for info in result.articles}
    recorded: dict[str, set[str]] = {}
    for file, key in placed(lock.references):
        recorded.setdefault(file, set()).add(key)
    for name, record in lock.articles.items():
        recorded.setdefault(name, set()).update(record.citations)
    left = {
        name: ids for name, ids in recorded.items() if name not in keys and not still_there(name)
    }
    out = []
    for name in unknown:
        info = articles.get(name)
        sources = [
            was
            for was in left
            if info is not None
            and was in lock.articles
            and lock.articles[was].source == info.source
        ]
        # A wiki page is another page unless asked by the same URL: related articles
        # checked one by one against one lockfile may share most of their citations.
        alike = [
            was
            for was, ids in left.items()
            if not _is_page(lock, was) and _most_shared(ids, keys[name])
        ]
        chosen = sources if len(sources) == 1 else alike if len(alike) == 1 else []
        if chosen:
            out.append(MovedFile(name, chosen[0], article=info is not None))
            del left[chosen[0]]
    return out


def follow_moved_files(lock: Lock, moved: Collection[MovedFile]) -> Lock:
    """``lock`` with each moved input's entries, article record and defects under its new
    name."""
    if not moved:
        return lock
    names = {m.was: m.name for m in moved}
    articles = {names.get(name, name): record for name, record in lock.articles.items()}
    entries = {
        (names.get(file, file), key): (
            dataclasses.replace(entry, file=names[file]) if file in names else entry
        )
        for (file, key), entry in placed(lock.references).items()
    }
    problems = {names.get(name, name): marks for name, marks in lock.problems.items()}
    return dataclasses.replace(
        lock, references=lock_keys(entries), articles=articles, problems=problems
    )


@dataclass(frozen=True)
class Followed:
    """A lockfile as a run sees it (:func:`follow`), and what was followed in it."""

    lock: Lock
    moved: tuple[MovedFile, ...]
    renames: tuple[Rename, ...]


def follow(
    lock: Lock,
    result: CheckResult,
    unread: Collection[tuple[str, str]] = (),
    still_there: Callable[[str], bool] = lambda _: False,
) -> Followed:
    """``lock`` with the inputs read under a new name, then the keys renamed, followed
    (:func:`find_moved_files`, :func:`find_renames`; the inputs' keys read once)."""
    keys = read_keys(result)
    moved = find_moved_files(lock, result, still_there, keys=keys)
    lock = follow_moved_files(lock, moved)
    renames = find_renames(lock, result, unread, keys=keys)
    return Followed(follow_renames(lock, renames), tuple(moved), tuple(renames))
