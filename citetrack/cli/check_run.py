"""A check run for the commands: the inputs loaded while a prefetch asks Crossref about
their DOIs, the API's check with a progress bar, and ``check --shard K/N``'s report.

What ``check`` and ``lock`` (:mod:`citetrack.cli.check_cmd`) run between their options
and their report or lockfile: the options decide, this runs, the API checks.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import click

from citetrack.cli import memory
from citetrack.cli.loading import InputsRead, entry_memo, load_articles, load_bibs
from citetrack.cli.output import ProgressBar, fail, wants_progress, warn

if TYPE_CHECKING:
    from citetrack.cli.freshness import CacheWindow
    from citetrack.cli.options import RunFlags, StoreFlags
    from citetrack.config import Settings
    from citetrack.inputs.article import Article
    from citetrack.inputs.bib import Bibliography
    from citetrack.model import CheckResult
    from citetrack.registries.prefetch import Prefetch
    from citetrack.shard import Shard


def run_check(
    bibs: Sequence[str],
    settings: Settings,
    run: RunFlags,
    shared: StoreFlags,
    *,
    update: bool = False,
    source_format: str = "auto",
    warn_problems: bool = True,
) -> tuple[CheckResult, InputsRead]:
    """Load and check, with a progress bar on a terminal; the result and what the report
    says about the inputs themselves (:class:`InputsRead`).  ``warn_problems=False``: the
    inputs' defects are not warned as they are read (:meth:`InputsRead.warning`: later).

    The inputs are .bib files and articles (``--from``; by default by name and content);
    the articles read are in the result's ``articles``.

    With a lockfile, the cache serves only evidence fresh enough to compare against it
    (:mod:`citetrack.cli.freshness`); ``update``: only evidence fetched in this run.
    """
    from citetrack.api import split_inputs
    from citetrack.cli.freshness import CacheWindow, cache_window, lockfiles_for

    if run.no_links and run.links_only:
        raise click.UsageError("--no-links and --links-only contradict each other")
    bib_args, article_args = split_inputs(bibs, source_format)  # type: ignore[arg-type]
    bibliographies = []
    prefetch: Prefetch | None = None
    if bib_args or not article_args:
        # Crossref is asked about the DOIs already read while the rest loads, and until the
        # check first needs Crossref itself (the handover below; issue 16).
        prefetch = None if run.links_only or update else _prefetch(settings)
        try:
            with entry_memo(settings) as memo:
                feed = prefetch.feed if prefetch is not None else None
                # Only the references, problems and notes are read from here on: the
                # text and the entry layouts (export's) would be held through the whole
                # run, ~11 MB for 10,000 entries (issue 16).
                bibliographies = [
                    replace(bib, text="", layout=())
                    for bib in load_bibs(
                        bib_args,
                        settings.encoding,
                        memo,
                        feed,
                        layouts=False,
                        warn_problems=warn_problems,
                    )
                ]
        except BaseException:
            if prefetch is not None:
                prefetch.finish()
            raise
    try:
        articles = load_articles(article_args, source_format, settings, warn_problems=warn_problems)
        window = CacheWindow()
        if not run.no_lockfile:
            names = [*(b.path for b in bibliographies), *(a.info.name for a in articles)]
            paths = lockfiles_for(names, run.lockfile or settings.lockfile)
            window = cache_window(settings, paths, update=update)
        result = _check_with_progress(
            [*bibliographies, *articles], settings, run, shared, window, prefetch
        )
    finally:
        if prefetch is not None:
            # Ended by the check's first Crossref request, else here (idempotent).
            prefetch.finish()
    memory.keep()  # the result lives to the end of the run
    read = InputsRead.of(bibliographies, articles)
    prefetched = prefetch.requests if prefetch is not None else None
    if prefetched:  # the requests of the run are the prefetch's too
        from collections import Counter

        result = replace(
            result, requests=dict(sorted((prefetched + Counter(result.requests)).items()))
        )
    return result, read


def _check_with_progress(
    sources: Sequence[Bibliography | Article],
    settings: Settings,
    run: RunFlags,
    shared: StoreFlags,
    window: CacheWindow,
    prefetch: Prefetch | None,
) -> CheckResult:
    """``api.check`` with a progress bar on a terminal; a prefetch still running is ended
    before the check's first Crossref request (:class:`~citetrack.registries.prefetch.Handover`)."""
    from citetrack.api import SettingsError, check
    from citetrack.tracking.store import StoreUnavailable

    handover = None
    if prefetch is not None:
        from citetrack.registries.prefetch import Handover

        handover = Handover(prefetch)
    try:
        with ProgressBar(wants_progress(run.quiet)) as bar:
            return check(
                sources,
                settings=settings,
                registries=not run.links_only,
                links=not run.no_links and (settings.check_links or run.links_only),
                archives="all" if run.archives == "all" else "cited",
                progress=bar.update,
                max_cache_age=window.max_age,
                cache_not_before=window.not_before,
                store_required=shared.store_required,
                warn=warn,
                handover=handover,
                # The answers live to the end of the run, the results made next too
                # (nothing, unless one process runs one command: memory.settle).
                settled=memory.settle,
            )
    except (SettingsError, StoreUnavailable) as exc:
        fail(str(exc))


def _prefetch(settings: Settings) -> Prefetch | None:
    """A started :class:`~citetrack.registries.prefetch.Prefetch`, where it can help."""
    from citetrack.api import SettingsError, _net_config
    from citetrack.registries.prefetch import prefetch_for

    try:
        return prefetch_for(settings, _net_config(settings))
    except SettingsError:
        return None  # the check reports it


def check_shard(
    bibs: Sequence[str],
    settings: Settings,
    run: RunFlags,
    shared: StoreFlags,
    shard: Shard,
    *,
    update: bool,
) -> None:
    """``check --shard K/N``: the shard's JSON report on standard output.  The lockfile
    is the merge's to apply, but the shard's answers must be fresh enough for it, as a
    check's are (:mod:`citetrack.cli.freshness`; ``update``: fetched in this run, for
    ``merge --update-lock``), and the report says for which lockfile they are."""
    from citetrack.api import SettingsError, check_shard
    from citetrack.cli.freshness import (
        CacheWindow,
        cache_window,
        lockfile_digests,
        lockfiles_for,
    )
    from citetrack.report.merge import ShardLock
    from citetrack.tracking.store import StoreUnavailable

    started = time.time()

    if run.no_links and run.links_only:
        raise click.UsageError("--no-links and --links-only contradict each other")
    if "-" in bibs:
        raise click.UsageError("--shard needs files: every shard must read the same inputs")
    with entry_memo(settings) as memo:
        loaded = load_bibs(bibs, settings.encoding, memo)
    window, lock = CacheWindow(), ShardLock()
    if not run.no_lockfile:
        paths = lockfiles_for([b.path for b in loaded], run.lockfile or settings.lockfile)
        window = cache_window(settings, paths, update=update, now=started)
        fresh = update and not settings.offline
        lock = ShardLock("update" if fresh else "compare", lockfile_digests(paths), started)
    try:
        with ProgressBar(wants_progress(run.quiet)) as bar:
            report = check_shard(
                loaded,
                shard,
                settings=settings,
                registries=not run.links_only,
                links=not run.no_links and (settings.check_links or run.links_only),
                archives="all" if run.archives == "all" else "cited",
                progress=bar.update,
                store_required=shared.store_required,
                warn=warn,
                max_cache_age=window.max_age,
                cache_not_before=window.not_before,
                lock=lock,
            )
    except (SettingsError, StoreUnavailable) as exc:
        fail(str(exc))
    click.echo(report, nl=False)
