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

This module reads the inputs and checks them; the API's other parts live beside it and are
re-exported here: :mod:`citetrack.api_track` (:func:`track`), :mod:`citetrack.api_shards`
(:func:`check_shard`, :func:`merge_shards`) and :mod:`citetrack.api_export` (:func:`fix_kinds`,
:func:`export_bib`, :func:`export_article`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal, TypeAlias

from citetrack.api_export import ExportReport, export_article, export_bib, fix_kinds

# Re-exported though not in __all__ (as when they were defined here): `as` says so.
from citetrack.api_shards import MergedShards as MergedShards  # noqa: PLC0414
from citetrack.api_shards import check_shard, merge_shards
from citetrack.api_shards import merge_shard_reports as merge_shard_reports  # noqa: PLC0414
from citetrack.api_track import TrackedResult, track
from citetrack.config import Settings, load_settings
from citetrack.model import CheckResult, Reference

if TYPE_CHECKING:
    import httpx

    from citetrack.articles import ArticleExport
    from citetrack.inputs.article import Article
    from citetrack.inputs.bib import Bibliography
    from citetrack.inputs.bib.memo import EntryMemo
    from citetrack.net import Limiters, NetConfig
    from citetrack.parse import ParseResult
    from citetrack.pipeline import EvidenceSet
    from citetrack.registries.crossref import Handover
    from citetrack.shard import Shard
    from citetrack.tracking.cache import CacheMode
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

if not TYPE_CHECKING:  # mypy sees the import above; a module __getattr__ would hide typos

    def __getattr__(name: str) -> object:
        """``ArticleExport`` (in ``__all__``) imported when first asked for (PEP 562):
        ``citetrack.articles`` brings the export stage, which a check does not need."""
        if name == "ArticleExport":
            from citetrack.articles import ArticleExport

            return ArticleExport
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
