"""The Python API: parse, load, check, track and export, for scripts and notebooks.

The ``citetrack`` command is a thin layer over these functions; each takes plain values
and returns a frozen result, and none prints anything::

    import citetrack

    bib = citetrack.load_bib("references.bib")
    result = citetrack.check(bib)               # Crossref, PubMed, doi.org, URLs, Wayback
    for finding in result.findings:
        print(finding.key, finding.severity, finding.message)

:func:`check` is a synchronous wrapper over the async pipeline (:func:`acheck` from inside
an event loop).  Settings come from :class:`~citetrack.config.Settings`; without one, they
are read as the command line reads them: the nearest ``citetrack.toml`` (or
``pyproject.toml`` ``[tool.citetrack]``), then the ``CITETRACK_*`` / ``NCBI_API_KEY``
environment.  Errors are exceptions: :class:`~citetrack.inputs.textio.InputError` (and its
:class:`~citetrack.inputs.bib.BibError` / :class:`~citetrack.config.ConfigError`) for an
input that cannot be used, :class:`~citetrack.tracking.lockfile.LockError` for a lockfile,
:class:`SettingsError` for network settings, :class:`UnknownFixError` for a fix name.

Heavy modules (httpx, the pipeline, the exporter) are imported when first used, so that
``import citetrack`` stays cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeAlias

from citetrack.config import Settings, load_settings
from citetrack.model import CheckResult, Found, Reference, Severity, Source

if TYPE_CHECKING:
    import httpx

    from citetrack.articles import ArticleExport
    from citetrack.export import ExportResult
    from citetrack.inputs.article import Article
    from citetrack.inputs.bib import Bibliography, BibProblem
    from citetrack.inputs.bib.memo import EntryMemo
    from citetrack.net import Limiters, NetConfig
    from citetrack.parse import ParseResult
    from citetrack.pipeline import EvidenceSet
    from citetrack.registries.crossref import Handover
    from citetrack.report.merge import ShardLock
    from citetrack.shard import Shard
    from citetrack.tracking.cache import CacheMode
    from citetrack.tracking.lockfile import ConfirmPolicy, Lock
    from citetrack.tracking.lockfile.remembered import SettledSources, SourceRecords
    from citetrack.tracking.memo import Memo

__all__ = [
    "ArticleExport",
    "CheckSource",
    "ExportReport",
    "Progress",
    "SettingsError",
    "TrackedResult",
    "UnknownFixError",
    "acheck",
    "check",
    "check_shard",
    "expand_inputs",
    "export_article",
    "export_bib",
    "fix_kinds",
    "format_bibtex",
    "load_article",
    "load_bib",
    "load_settings",
    "merge_shards",
    "parse_references",
    "split_inputs",
    "track",
]

PathLike = str | os.PathLike[str]
#: What :func:`check` accepts: a .bib path, a loaded bibliography or article (see
#: :func:`load_article`), several of them, or references (from :func:`parse_references`,
#: or built by hand).
CheckSource: TypeAlias = (
    "PathLike | Bibliography | Article | Sequence[PathLike | Bibliography | Article | Reference]"
)
#: Told ``(stage, done, total)`` as a check advances ("Crossref", "PubMed", "links"…).
Progress = Callable[[str, int, int], None]
Archives = Literal["cited", "all"]
#: What an input is (``--from``): ``auto`` decides by name and content.
InputFormat = Literal["auto", "bib", "wikitext", "text"]


class SettingsError(ValueError):
    """Settings that the network layer cannot use (a URL that is not http(s), a bad key)."""


class UnknownFixError(ValueError):
    """A fix name that does not exist; ``option`` is ``"fix"`` or ``"no_fix"``."""

    def __init__(self, message: str, option: str) -> None:
        super().__init__(message)
        self.option = option


# ------------------------------------------------------------------------------ inputs


def parse_references(
    text: str, *, fmt: Literal["auto", "text", "wikitext"] = "auto"
) -> ParseResult:
    """References read from a rendered reference list or wikitext (``fmt="auto"`` detects).

    Nothing is dropped: an unreadable item becomes ``@misc`` and every doubt is a
    :class:`~citetrack.parse.ParseProblem` with its line in ``result.problems``.
    """
    from citetrack.parse import parse_text

    return parse_text(text, fmt)


def format_bibtex(references: Iterable[Reference]) -> str:
    """BibTeX for ``references``, written deterministically (same input, same bytes)."""
    from citetrack.inputs.bib import format_entries

    return format_entries(list(references))


def expand_inputs(inputs: Sequence[PathLike]) -> list[str]:
    """The files a collection names: a directory stands for every ``.bib`` below it, a
    glob pattern (``papers/**/*.bib``) for its matches; each file once, in a stable order.

    Raises :class:`~citetrack.inputs.textio.InputError` for a directory or pattern that
    names no file.
    """
    from citetrack.collection import expand_inputs as expand

    return expand([os.fspath(p) for p in inputs])


def load_bib(
    path: PathLike,
    encoding: str | None = None,
    memo: EntryMemo | None = None,
    on_chunk: Callable[[list[Reference]], None] | None = None,
    *,
    layouts: bool = True,
    macros: Mapping[str, str] | None = None,
) -> Bibliography:
    """A .bib file read into references, keeping every defect in ``problems``.

    ``encoding``: the file's codec (default: UTF-8, else Latin-1 or Windows-1252 detected;
    the result's ``encoding`` and ``encoding_note`` say which).  ``memo``: a store of
    loaded chunks, so that unchanged entries are not parsed again (the CLI keeps one next
    to the cache).  ``on_chunk`` is told the references of each part read afresh, as
    the load goes (a hint: the result decides).  ``layouts=False``: without the entries'
    layouts (only export reads them; a load from the memo then skips most of their
    reading).  ``macros``: ``@string`` macros defined before it (the ``macros`` of the
    file read before it, as ``\bibliography{abbrev,refs}`` reads them).  Raises
    :class:`~citetrack.inputs.bib.BibError` only when the file cannot be read at all.
    """
    from citetrack.inputs.bib import load_bib as load

    return load(os.fspath(path), encoding, memo, on_chunk, layouts=layouts, macros=macros)


def load_article(
    source: str,
    *,
    fmt: InputFormat = "auto",
    settings: Settings | None = None,
    exact: bool = False,
) -> Article:
    """An article — a wikitext or rendered-text file, ``-`` for standard input, or a
    MediaWiki page URL (its current revision, or ``?oldid=``) — read into references
    located in it (line, column, ``<ref name>``, number) with keys that do not depend on
    their position.  Check it with :func:`check`, fix it with :func:`export_article`
    (``exact=True`` keeps a file's BOM and line endings, for rewriting it byte for byte).

    Raises :class:`~citetrack.inputs.textio.InputError` for an unreadable file and
    :class:`~citetrack.inputs.mediawiki.WikiError` for a page that could not be fetched.
    """
    from citetrack.inputs.article_load import load_article as load

    settings = settings if settings is not None else load_settings()
    chosen = fmt if fmt in ("wikitext", "text") else None
    net = _net_config(settings)
    return load(source, chosen, environ=os.environ, net=net, exact=exact)


def _named_bib(source: str, fmt: InputFormat) -> bool:
    """A local path that ``fmt`` or its name makes a .bib file."""
    lower = source.lower()
    return not lower.startswith(("http://", "https://")) and (
        fmt == "bib" or lower.endswith(".bib")
    )


def split_inputs(sources: Sequence[str], fmt: InputFormat = "auto") -> tuple[list[str], list[str]]:
    """(.bib files, articles) among ``sources``: by ``fmt``, else by name and content
    (a http(s) URL is a wiki page)."""
    if fmt in ("auto", "bib") and all(_named_bib(s, fmt) for s in sources):
        # What the sniffing below decides for these too, without importing the article
        # readers (0.1 s of a warm .bib check; issue 16).
        return list(sources), []
    from citetrack.inputs.article_load import split_inputs as split

    return split(sources, fmt)


# ------------------------------------------------------------------------------- check


def _references(source: CheckSource) -> tuple[list[Reference], list[Article]]:
    """The references of a :data:`CheckSource` (loading the .bib paths it names), and the
    articles among it."""
    from citetrack.inputs.bib import Bibliography

    # An Article exists only if its module was imported: a .bib-only run does not import
    # the article readers (mwparserfromhell, the parsers) just to ask.
    loaded = sys.modules.get("citetrack.inputs.article")
    article_type: tuple[type[Article], ...] = (loaded.Article,) if loaded is not None else ()
    single = isinstance(source, (str, os.PathLike, Bibliography, *article_type))
    items = [source] if single else source
    if not isinstance(items, Sequence):
        raise TypeError(f"cannot check a {type(source).__name__}")
    refs: list[Reference] = []
    articles: list[Article] = []
    for item in items:
        if isinstance(item, Reference):
            refs.append(item)
        elif isinstance(item, Bibliography):
            refs.extend(item.references)
        elif isinstance(item, article_type):
            refs.extend(item.references)
            articles.append(item)
        elif isinstance(item, str | os.PathLike):
            refs.extend(load_bib(item).references)
        else:
            raise TypeError(f"cannot check a {type(item).__name__}")
    return refs, articles


def _net_config(settings: Settings) -> NetConfig:
    from citetrack.net import NetConfig

    urls = (
        "crossref_url",
        "eutils_url",
        "idconv_url",
        "doi_url",
        "wayback_url",
        "openlibrary_url",  # issue 13: book registries
        "googlebooks_url",
    )
    try:
        net = NetConfig.from_env({})
        return dataclasses.replace(
            net,
            mailto=settings.mailto,
            ncbi_api_key=settings.ncbi_api_key,
            connect_timeout=min(net.connect_timeout, settings.timeout),
            read_timeout=settings.timeout,
            total_timeout=2 * settings.timeout,
            **{name: getattr(settings, name) for name in urls if getattr(settings, name)},
        )
    except ValueError as exc:
        raise SettingsError(str(exc)) from None


def _open_memo(settings: Settings, mode: CacheMode) -> Memo:
    """The memo of derived results next to the local cache (none with ``--no-cache``)."""
    from citetrack.tracking.cache import CacheMode
    from citetrack.tracking.memo import Memo, cache_folder

    if mode is CacheMode.NO_CACHE or not settings.use_cache:  # --no-cache, even offline
        return Memo(None)
    return Memo.open(cache_folder(settings))


async def acheck(
    source: CheckSource,
    *,
    settings: Settings | None = None,
    registries: bool = True,
    links: bool | None = None,
    archives: Archives = "cited",
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    max_cache_age: float | None = None,
    cache_not_before: float | None = None,
    store_required: bool = False,
    warn: Callable[[str], None] | None = None,
    shard: Shard | None = None,
    evidence: EvidenceSet | None = None,
    limiters: Limiters | None = None,
    handover: Handover | None = None,
    settled: Callable[[], None] | None = None,
) -> CheckResult:
    """:func:`check`, for code already running in an event loop."""
    from citetrack.incremental import DUPLICATES_KIND, KEYS_KIND
    from citetrack.incremental import KIND as FINDINGS_KIND
    from citetrack.pipeline import CheckOptions, check_references
    from citetrack.tracking.cache import (
        DEFAULT_NOT_FOUND_TTL,
        LOCAL_MISS,
        OFFLINE_MISS,
        CacheMode,
        EvidenceCache,
    )
    from citetrack.tracking.memo import RECORDS_KIND
    from citetrack.tracking.store import EvidenceStore, open_store

    settings = settings if settings is not None else load_settings()
    refs, articles = _references(source)
    net = _net_config(settings)
    mode = (
        CacheMode.OFFLINE
        if settings.offline or settings.local
        else CacheMode.NORMAL
        if settings.use_cache
        else CacheMode.NO_CACHE
    )
    ttl = settings.cache_ttl_days * 86400
    if max_cache_age is not None:
        ttl = min(ttl, max_cache_age)
    no_answers = settings.local or (settings.offline and not settings.use_cache)
    if no_answers:
        # --local, --offline --no-cache: no request and no cached answer either, so only
        # the checks that need neither run (the same verdict whatever a cache holds).
        miss = LOCAL_MISS if settings.local else OFFLINE_MISS
        store: EvidenceStore = EvidenceCache(None, mode=CacheMode.OFFLINE, miss=miss)
    else:
        store = open_store(
            settings.store,
            cache_dir=settings.cache_dir,
            mode=mode,
            found_ttl=ttl,
            not_found_ttl=min(ttl, DEFAULT_NOT_FOUND_TTL),
            not_before=cache_not_before,
            required=store_required,
            warn=warn,
        )
    memo = _open_memo(settings, mode)
    with store as cache, memo:
        if memo.enabled and isinstance(cache, EvidenceCache):
            cache.known_records = memo.view(RECORDS_KIND)
        options = CheckOptions(
            registries=registries,
            links=settings.check_links if links is None else links,
            archives=archives,
            allow_private_urls=settings.allow_private_urls,
            per_host_interval=settings.per_host_interval,
            cache_mode=mode,
            cache=cache,
            net=net,
            shard=shard,
            remembered=memo.view(FINDINGS_KIND) if memo.enabled else None,
            remembered_keys=memo.view(KEYS_KIND) if memo.enabled else None,
            remembered_duplicates=memo.view(DUPLICATES_KIND) if memo.enabled else None,
            limiters=limiters,
            handover=handover,
            settled=settled,
        )
        result = await check_references(
            refs, options, progress=progress, transport=transport, evidence=evidence
        )
        fresh_until = getattr(cache, "fresh_until", None)
        if mode is not CacheMode.NO_CACHE and not no_answers and not cache.enabled:
            # The cache failed during the run (locked, full disk): what it would have served
            # is missing from this result, so nothing about it holds beyond this run.
            fresh_until = 0.0
        if isinstance(fresh_until, float | int):
            result = dataclasses.replace(result, evidence_fresh_until=float(fresh_until))
        if settings.local:
            result = dataclasses.replace(result, local=True)
    if not articles:
        return result
    from citetrack.articles import attach_articles  # the article readers: only for articles

    return attach_articles(result, articles)


def check(
    source: CheckSource,
    *,
    settings: Settings | None = None,
    registries: bool = True,
    links: bool | None = None,
    archives: Archives = "cited",
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    max_cache_age: float | None = None,
    cache_not_before: float | None = None,
    store_required: bool = False,
    warn: Callable[[str], None] | None = None,
    shard: Shard | None = None,
    evidence: EvidenceSet | None = None,
    limiters: Limiters | None = None,
    handover: Handover | None = None,
    settled: Callable[[], None] | None = None,
) -> CheckResult:
    """Check references against the registries and the web; one call, one result.

    ``source`` is a :data:`CheckSource`.  ``registries`` / ``links`` switch the identifier
    and URL checks (``links=None``: as ``settings.check_links`` says); ``archives="all"``
    also asks the Wayback Machine about live URLs.  A reference that could not be checked
    gets an ``unverified`` finding, never ``broken``.  ``transport`` replaces the network
    (e.g. ``httpx.MockTransport``).  ``max_cache_age`` (seconds) shortens the cache's TTL
    and ``cache_not_before`` (epoch seconds) ignores entries stored earlier: a check that
    compares against a lockfile uses both so that it compares fresh evidence.  Not for use
    inside a running event loop: use :func:`acheck` there.

    The answers are kept in ``settings.store`` (a shared ``postgresql://`` store) when it
    is set, else in the local cache; an unreachable store is told to ``warn`` (else
    logged) and the local cache is used, unless ``store_required``: then
    :class:`~citetrack.tracking.store.StoreUnavailable`.  ``shard`` asks only about its
    slice of the identifiers and URLs; ``evidence``, if given, is filled with every answer.
    ``limiters``: the registry limiters to pace with (those of a prefetch, detached from
    its event loop: :mod:`citetrack.registries.prefetch`).  ``handover``: a prefetch still
    asking Crossref, ended before this check's first Crossref request (its limiters
    then pace Crossref).  ``settled``: called once every answer is in, before the
    findings are computed.
    """
    result: list[CheckResult] = []

    async def main() -> None:
        # The result is handed out through a list, not as the task's result: Python 3.11's
        # asyncio.run ends by reading its SIGINT handler, whose partial names the main
        # task, and signal.getsignal() formats a ValueError with repr(partial) — the repr
        # of the finished task, i.e. of the whole result: 1-2 s for 10,000 references.
        result.append(
            await acheck(
                source,
                settings=settings,
                registries=registries,
                links=links,
                archives=archives,
                progress=progress,
                transport=transport,
                max_cache_age=max_cache_age,
                cache_not_before=cache_not_before,
                store_required=store_required,
                warn=warn,
                shard=shard,
                evidence=evidence,
                limiters=limiters,
                handover=handover,
                settled=settled,
            )
        )

    asyncio.run(main())
    return result[0]


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


# ------------------------------------------------------------------------------ export


def _fix_names(values: Collection[str], option: str) -> set[str]:
    """Fix kinds named in ``values`` (comma-separated; ``all``: every kind but
    ``conflicts``, which replaces a cited identifier and so must be named)."""
    from citetrack.export import FIX_KINDS

    found = {n.strip() for v in values for n in v.split(",") if n.strip()}
    unknown = found - {*FIX_KINDS, "all"}
    if unknown:
        raise UnknownFixError(
            f"unknown fix {', '.join(sorted(unknown))} (known: {', '.join(FIX_KINDS)}, all)",
            option,
        )
    if "all" not in found:
        return found
    return (set(FIX_KINDS) - {"conflicts"}) | (found - {"all"})


def fix_kinds(
    fix: Collection[str] | None = None, no_fix: Collection[str] | None = None
) -> frozenset[str]:
    """The fix kinds to apply: ``fix`` (only these; default: all but ``format``) minus
    ``no_fix``.  Names may be comma-separated; ``all`` means every kind but
    ``conflicts`` (replacing the wrong identifier of a ``pmid-doi-conflict``), which
    applies only when named.

    Raises :class:`UnknownFixError` for a name that is not a fix kind.
    """
    from citetrack.export import DEFAULT_FIX_KINDS

    kinds = _fix_names(fix, "fix") if fix else set(DEFAULT_FIX_KINDS)
    return frozenset(kinds - _fix_names(no_fix or (), "no_fix"))


@dataclass(frozen=True)
class ExportReport:
    """The bibliography as loaded and what exporting it gives.

    ``result.text`` is the cleaned .bib, ``result.changes`` every edit with its reason and
    source, ``result.skipped`` the fixes refused and why.  Nothing is written.
    """

    bibliography: Bibliography
    result: ExportResult
    #: the check the registry fixes came from (``None``: none was needed); what it could
    #: not verify has no fix planned.
    check: CheckResult | None = None

    @property
    def text(self) -> str:
        return self.result.text

    @property
    def changed(self) -> bool:
        return self.result.text != self.bibliography.text


def export_bib(
    source: PathLike | Bibliography,
    *,
    settings: Settings | None = None,
    fixes: Collection[str] | None = None,
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ExportReport:
    """A cleaned copy of a .bib: only the fixes of the kinds in ``fixes`` (see
    :func:`fix_kinds`; ``None``: ``settings.fix`` / ``settings.no_fix``).

    The ``add-ids``, ``metadata`` and ``conflicts`` fixes ask the registries
    (``settings.offline``: the cache only), and a value is taken only from a record that
    matches the citation's identifier, title and first author.  Keys, order, comments and
    unknown fields are never touched.
    """
    from citetrack.export import export_bib as apply_fixes
    from citetrack.export import plan_local_fixes
    from citetrack.export.fixes import registry_fixes

    settings = settings if settings is not None else load_settings()
    kinds = (
        fix_kinds(settings.fix, settings.no_fix)
        if fixes is None
        else frozenset(_fix_names(fixes, "fixes"))
    )
    bibliography = source if not isinstance(source, str | os.PathLike) else load_bib(source)
    planned = plan_local_fixes(bibliography, kinds)
    result = None
    if kinds & {"add-ids", "metadata", "conflicts"}:
        result = check(
            bibliography,
            settings=settings,
            links=False,
            progress=progress,
            transport=transport,
        )
        planned += registry_fixes(result, kinds, Source(settings.prefer))
    return ExportReport(bibliography, apply_fixes(bibliography, planned), result)


def export_article(
    article: Article,
    *,
    settings: Settings | None = None,
    fixes: Collection[str] | None = None,
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ArticleExport:
    """An article's fixes as minimal edits of the wikitext of its ``{{cite}}`` templates
    (see :func:`export_bib` for ``fixes``; ``archive`` adds archive links for dead URLs
    that have a capture).  Nothing is written.

    Raises :class:`~citetrack.inputs.textio.InputError` for rendered text (it has no
    templates to edit) or an article without references.
    """
    from citetrack.articles import editable, fix_article

    settings = settings if settings is not None else load_settings()
    kinds = (
        fix_kinds(settings.fix, settings.no_fix)
        if fixes is None
        else frozenset(_fix_names(fixes, "fixes"))
    )
    editable(article)
    result = None
    if kinds & {"add-ids", "metadata", "archive"}:
        result = check(
            article,
            settings=settings,
            links="archive" in kinds,
            progress=progress,
            transport=transport,
        )
    net = _net_config(settings)
    return fix_article(article, result, kinds, prefer=Source(settings.prefer), net=net)
