"""The lockfile's state as data: one entry per reference, what it records, where it lives.

Also the confirmation policy, the lockfile's name and schema version, and the two small
keys every stage shares: the .bib file name of a reference and the UTC day of a run.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePath

from citetrack.model import (
    CheckResult,
    LinkVerdict,
    Reference,
    ReferenceResult,
    Severity,
    UpdateKind,
)

#: The schema this version writes when it records what version 1 cannot hold (an
#: article's citation texts, :attr:`ArticleRecord.texts`); a lockfile without such a
#: thing is written as version 1, which older citetrack versions read too.  Both read.
SCHEMA_VERSION = 2
#: The oldest schema this version reads.
OLDEST_SCHEMA = 1
LOCK_NAME = "citetrack.lock"

#: Rules whose broken verdict waits for confirmation, and the identifier each is about.
CONFIRMABLE_RULES: Mapping[str, str] = {
    "doi-not-found": "doi",
    "pmid-not-found": "pmid",
    "url-dead": "url",
}

#: The metadata fields kept per source, in report order (BibTeX names).
METADATA_FIELDS: tuple[str, ...] = (
    "title",
    "author",
    "year",
    "journal",
    "volume",
    "number",
    "pages",
    "type",
)

#: The rule of the `changed` finding for each kind of new editorial notice.
NOTICE_RULES: Mapping[UpdateKind, str] = {
    UpdateKind.RETRACTION: "retraction-new",
    UpdateKind.WITHDRAWAL: "retraction-new",
    UpdateKind.REMOVAL: "retraction-new",
    UpdateKind.CORRECTION: "correction-new",
    UpdateKind.EXPRESSION_OF_CONCERN: "expression-of-concern-new",
}


class LockError(Exception):
    """The lockfile cannot be used: corrupt, wrong shape, or from a newer citetrack.

    The message names the file, the problem and how to recover; ``path`` is the
    lockfile's, where known (a CI report annotates that file).
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class ConfirmPolicy:
    """When a failing check becomes broken: ``min_failures`` runs over ``min_days`` days."""

    min_failures: int = 3
    min_days: int = 3

    def __post_init__(self) -> None:
        if self.min_failures < 1 or self.min_days < 1:
            raise ValueError("min_failures and min_days must be at least 1")


DEFAULT_POLICY = ConfirmPolicy()


# ------------------------------------------------------------------------------- state


@dataclass(frozen=True)
class Notice:
    """An editorial notice on a work, as recorded: its kind and the notice's identifier."""

    kind: UpdateKind
    notice_id: str | None = None


@dataclass(frozen=True)
class SourceRecord:
    """What one registry said about a reference: the identifier asked, fields, notices.

    ``fields`` holds normalised text for the names in :data:`METADATA_FIELDS` that the
    registry gave (authors as family names joined by ``"; "``).  They are citetrack's own
    reading of the registry's answer, and ``reading`` is the version of that reading
    (:data:`~citetrack.tracking.lockfile.build.RECORD_READING`): fields read under another
    version are not compared field by field (an upgrade is not a change upstream).
    """

    identifier: str
    fields: Mapping[str, str] = field(default_factory=dict)
    notices: tuple[Notice, ...] = ()
    reading: int = 1


@dataclass(frozen=True)
class UrlRecord:
    """The settled state of one URL (``None`` where never settled)."""

    verdict: LinkVerdict | None = None
    final_url: str | None = None
    archive_url: str | None = None


@dataclass(frozen=True)
class Failing:
    """A failing DOI / PMID / URL check: failures seen, first failure, confirmation day."""

    failures: int
    since: date
    confirmed_on: date | None = None


@dataclass(frozen=True)
class Accepted:
    """A finding that was reported when the lockfile was written."""

    rule: str
    field: str | None
    severity: Severity


@dataclass(frozen=True)
class AcceptedProblem:
    """A defect of an input file (a .bib's, an article's) reported when the lockfile was
    written, for ``--new-only``: its rule, the entry it concerns (``None``: a line of its
    own) and its message with every number left out, so that lines added above it do not
    make it new (see :mod:`~citetrack.tracking.lockfile.problems`)."""

    rule: str
    key: str | None
    message: str


@dataclass(frozen=True)
class LockEntry:
    """Everything recorded about one reference."""

    file: str
    identifiers: Mapping[str, str] = field(default_factory=dict)
    sources: Mapping[str, SourceRecord] = field(default_factory=dict)
    urls: Mapping[str, UrlRecord] = field(default_factory=dict)
    failing: Mapping[str, Failing] = field(default_factory=dict)
    accepted: tuple[Accepted, ...] = ()


@dataclass(frozen=True)
class ArticleRecord:
    """An article the lockfile last accepted (issue 14): where it came from, which
    revision, a fingerprint of each citation's parsed fields by key, and a digest of
    each citation's text by key (``texts``: empty in a lockfile of schema 1, and for a
    citation the article gave no text of; see :mod:`citetrack.tracking.lockfile.revisions`
    and :mod:`citetrack.tracking.lockfile.citetext`)."""

    source: str
    format: str
    citations: Mapping[str, str] = field(default_factory=dict)
    title: str | None = None
    revision: int | None = None
    timestamp: str | None = None
    texts: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Lock:
    """The whole lockfile: entries by citation key, the articles read, by the name their
    references are tracked under, and the defects of the input files, by file name."""

    references: Mapping[str, LockEntry] = field(default_factory=dict)
    articles: Mapping[str, ArticleRecord] = field(default_factory=dict)
    problems: Mapping[str, tuple[AcceptedProblem, ...]] = field(default_factory=dict)
    #: A hash of the bytes the lockfile was read from (``""`` for one built in memory):
    #: what a run remembers of its comparison with this lockfile is filed under it
    #: (:class:`~citetrack.tracking.lockfile.remembered.SettledSources`).
    digest: str = field(default="", compare=False)

    def entry_for(self, ref: Reference) -> LockEntry | None:
        """The entry recorded for ``ref`` (same key, same .bib file name), or ``None``."""
        return self.entry_at(reference_file(ref), ref.key)

    def entry_at(self, file: str, key: str) -> LockEntry | None:
        """The entry recorded for citation ``key`` of the file named ``file``, or ``None``."""
        entry = self.references.get(key)
        if entry is not None and entry.file == file:
            return entry
        entry = self.references.get(f"{key},{file}")  # the key is another file's too
        return entry if entry is not None and entry.file == file else None


def citation_key(lock_key: str) -> str:
    """The citation key of an entry written under ``lock_key`` (see :func:`lock_keys`)."""
    return lock_key.partition(",")[0]


def placed(references: Mapping[str, LockEntry]) -> dict[tuple[str, str], LockEntry]:
    """A lockfile's entries by (file name, citation key): the inverse of :func:`lock_keys`."""
    return {(entry.file, citation_key(key)): entry for key, entry in references.items()}


def lock_keys(entries: Mapping[tuple[str, str], LockEntry]) -> dict[str, LockEntry]:
    """Entries by (file name, citation key) as the lockfile writes them: under the citation
    key; when files covered by one lockfile share a key (a thesis's chapters), the file first
    by name keeps it and the others are written ``key,file`` (a comma ends a BibTeX key, and
    citetrack's own keys have none), whatever order the files were read in."""
    files: dict[str, list[str]] = {}
    for file, key in entries:
        files.setdefault(key, []).append(file)
    out: dict[str, LockEntry] = {}
    for (file, key), entry in entries.items():
        shared = files[key]
        out[key if len(shared) == 1 or file == min(shared) else f"{key},{file}"] = entry
    return out


# --------------------------------------------------------------------------- locations


def lock_path_for(bib_path: str | os.PathLike[str] | None) -> Path:
    """The lockfile that covers a .bib file: ``citetrack.lock`` in the same directory."""
    return Path(bib_path).parent / LOCK_NAME if bib_path else Path(LOCK_NAME)


def group_by_lock(result: CheckResult) -> dict[Path, CheckResult]:
    """Split a run over .bib files in several directories into one result per lockfile."""
    groups: dict[Path, list[ReferenceResult]] = {}
    paths: dict[str | None, Path] = {}  # a run has few .bib files: one Path each
    for rr in result.results:
        bib = rr.reference.path
        lock = paths.get(bib)
        if lock is None:
            lock = paths[bib] = lock_path_for(bib)
        groups.setdefault(lock, []).append(rr)
    return {
        path: CheckResult(
            results=tuple(rrs),
            requests=result.requests,
            articles=tuple(a for a in result.articles if lock_path_for(a.name) == path),
        )
        for path, rrs in groups.items()
    }


#: The directory of the lockfile being applied (:func:`files_named_from`), or ``None``.
_LOCK_DIR: ContextVar[str | None] = ContextVar("citetrack_lock_dir", default=None)


@contextlib.contextmanager
def files_named_from(lockfile: str | os.PathLike[str]) -> Iterator[None]:
    """Within: files are recorded by their path relative to ``lockfile``'s directory.

    One lockfile may cover files in several directories (``--lockfile``): by their names
    alone, ``ch1/refs.bib`` and ``ch2/refs.bib`` were one file, so a run over one of them
    reported the other's references removed.  A file in the lockfile's own directory (the
    default lockfile's case) keeps its bare name, as before; one outside that directory is
    named from it too (``../docs/a/refs.bib``); a name that is no file here (a wiki
    page's) is its last part.
    """
    token = _LOCK_DIR.set(str(Path(lockfile).resolve().parent))
    try:
        yield
    finally:
        _LOCK_DIR.reset(token)


def reference_file(ref: Reference) -> str:
    """The name of the file an entry is recorded under (see :func:`files_named_from`)."""
    return _file_name(ref.path, _LOCK_DIR.get()) if ref.path else ""


def recorded_path(name: str) -> str | None:
    """Where the file the lockfile being applied names ``name`` is (or was): a deleted
    file's removed entries are reported on it (``None`` outside :func:`files_named_from`)."""
    lock_dir = _LOCK_DIR.get()
    if not lock_dir or not name:
        return None
    path = os.path.normpath(Path(lock_dir) / name)
    # As the inputs are given (relative to the working directory), where it can be.
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def file_name(path: str) -> str:
    """The name a file's entries and defects are recorded under (see :func:`reference_file`)."""
    return _file_name(path, _LOCK_DIR.get())


@functools.lru_cache(maxsize=256)
def _file_name(path: str, lock_dir: str | None) -> str:
    # Asked several times per reference, of the few paths of a run: a Path each time was
    # a tenth of a second per 10,000 references.
    file = Path(path)
    if lock_dir is None or not file.is_file():
        return file.name
    try:
        # Outside the lockfile's directory too (a nightly job's lockfile in its cache
        # folder): by their bare names, docs/a/refs.bib and docs/b/refs.bib were one file,
        # and their entries of one key were one entry.
        return PurePath(os.path.relpath(file.resolve(), lock_dir)).as_posix()
    except ValueError:  # another drive (Windows): no relative path
        return file.name


def utc_day(now: datetime) -> date:
    """The calendar day (UTC) of a run, the unit in which confirmation counts days."""
    return now.astimezone(UTC).date() if now.tzinfo else now.date()
