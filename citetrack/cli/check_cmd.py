"""``citetrack check`` and ``citetrack lock``: load the .bib files and articles, check,
apply the lockfile, then report (check) or accept the result as the new baseline (lock)."""

from __future__ import annotations

import contextlib
import functools
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NoReturn

import click

from citetrack.cli import memory
from citetrack.cli.options import (
    NEW_ONLY_HELP,
    ConfirmFlags,
    RunFlags,
    SettingsFlags,
    StoreFlags,
    bib_arguments,
    confirm_options,
    parse_outputs,
    run_options,
    settings_from,
    settings_options,
    shard_option,
    source_option,
    store_options,
)
from citetrack.cli.output import (
    EPILOG,
    EPILOG_LOCK,
    EXIT_OK,
    EXIT_UNVERIFIED,
    FORMAT_NAMES,
    SEVERITY_NAMES,
    ProgressBar,
    exit_code,
    fail,
    failure_reported,
    info,
    render,
    render_pieces,
    report_written,
    show_requests,
    use_color,
    wants_progress,
    warn,
)
from citetrack.cli.usage import ReportingCommand

if TYPE_CHECKING:
    from citetrack.cli.freshness import CacheWindow
    from citetrack.cli.replay import Replay
    from citetrack.config import Settings
    from citetrack.inputs.article import Article
    from citetrack.inputs.bib import Bibliography, BibProblem
    from citetrack.inputs.bib.memo import EntryMemo
    from citetrack.model import CheckResult, Reference
    from citetrack.registries.prefetch import Prefetch
    from citetrack.shard import Shard


@contextlib.contextmanager
def entry_memo(settings: Settings) -> Iterator[EntryMemo | None]:
    """The store of loaded .bib chunks beside the cache (none with ``--no-cache``): an
    unchanged entry is not parsed again (issue 16)."""
    if not settings.use_cache:
        yield None
        return
    from citetrack.tracking.memo import ENTRY_KIND, Memo, cache_folder

    with Memo.open(cache_folder(settings)) as memo:
        yield memo.bytes_view(ENTRY_KIND) if memo.enabled else None


def load_bibs(
    bibs: Sequence[str],
    encoding: str | None = None,
    memo: EntryMemo | None = None,
    on_chunk: Callable[[list[Reference]], None] | None = None,
    *,
    layouts: bool = True,
    warn_problems: bool = True,
) -> list[Bibliography]:
    """The bibliographies, their defects shown as warnings (``warn_problems=False``: left
    for the caller, unless the run ends here); an unreadable file ends the run (exit 2).
    ``encoding``: ``--encoding`` (else UTF-8 or detected); ``memo``: :func:`entry_memo`;
    ``on_chunk``, ``layouts``: see :func:`citetrack.api.load_bib`."""
    from citetrack.api import expand_inputs, load_bib
    from citetrack.inputs.bib.chunks import commands_only
    from citetrack.inputs.textio import InputError

    try:
        paths = expand_inputs(bibs) or ["references.bib"]
    except InputError as exc:
        fail(str(exc))
    loaded: list[Bibliography] = []
    for path in paths:
        try:
            with memory.paused(then_keep=True):  # the entries live to the end
                bibliography = load_bib(
                    path,
                    encoding=encoding,
                    memo=memo,
                    on_chunk=on_chunk,
                    layouts=layouts,
                    # BibTeX reads \bibliography{abbrev,refs} as one text: refs.bib uses the
                    # @string macros of abbrev.bib given before it.
                    macros=loaded[-1].macros if loaded else None,
                )
        except InputError as exc:
            hint = "" if bibs else " (give the .bib file to check as an argument)"
            fail(f"{exc}{hint}", path=exc.path)
        if bibliography.encoding_note:
            info(f"note: {bibliography.encoding_note}")
        # A file of only comments or @string blocks (IEEEabrv.bib) is BibTeX without entries.
        empty = (
            not bibliography.references
            and bibliography.text.strip()
            and not commands_only(bibliography.text)
        )
        for problem in bibliography.problems if warn_problems or empty else ():
            warn(f"{problem.path}:{problem.line}: {problem.message}")
        if empty:
            fail(
                f"{bibliography.path}: no reference could be read{_empty_hint(bibliography)}",
                path=bibliography.path,
            )
        loaded.append(bibliography)
    memory.keep()  # the entries live to the end of the run
    return loaded


def _empty_hint(bibliography: Bibliography) -> str:
    """Why a non-empty input gave no reference, and what to do."""
    if bibliography.problems:
        return " (every entry has a problem: see above)"
    if "@" not in bibliography.text:
        return (
            " (it is not BibTeX; to check it as an article, give --from text or --from "
            "wikitext; to turn its reference list into BibTeX: "
            f"citetrack parse {bibliography.path} -o references.bib)"
        )
    return " (no @article{…}-style entry found)"


def load_articles(
    sources: Sequence[str],
    source_format: str,
    settings: Settings,
    *,
    exact: bool = False,
    warn_problems: bool = True,
) -> list[Article]:
    """The articles (files, ``-``, wiki page URLs), their parse problems shown as warnings
    (``warn_problems=False``: left for the caller, unless the run ends here); one that
    cannot be read or fetched, or has no references, ends the run (exit 2).  ``exact``:
    files read byte for byte (for export)."""
    if not sources:  # the article readers are not imported for a .bib-only run
        return []
    from citetrack.api import SettingsError, load_article
    from citetrack.cli.output import warn
    from citetrack.inputs.mediawiki import WikiError
    from citetrack.inputs.textio import InputError

    read = []
    for source in sources:
        try:
            article = load_article(
                source,
                fmt=source_format,  # type: ignore[arg-type]
                settings=settings,
                exact=exact,
            )
        except (InputError, WikiError, SettingsError) as exc:
            fail(str(exc), path=exc.path if isinstance(exc, InputError) else None)
        for problem in article.problems if warn_problems or not article.references else ():
            warn(f"{article.info.name}:{problem.line}: {problem.message}")
        if not article.references:
            fail(f"{article.info.name}: no references found (read as {article.info.format})")
        read.append(article)
    return read


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


@dataclass(frozen=True)
class InputsRead:
    """What a report says about the inputs themselves: their defects (every format shows
    them as findings: a .bib's skipped entries, an article's lines not read as references
    and doubtful readings) and notes (the encoding a .bib was read in, the lines of a
    rendered article outside its reference list)."""

    problems: tuple[BibProblem, ...]
    notes: tuple[str, ...]
    #: The names the articles' references are tracked under (their problems' ``path``).
    articles: frozenset[str] = frozenset()

    def warning(self, problem: BibProblem) -> str:
        """``problem`` as the warning shown when its input is read."""
        message = problem.message
        if problem.path in self.articles and problem.key is not None:
            message = f"{problem.key}: {message}"  # as the article's reader said it
        return f"{problem.path}:{problem.line}: {message}"

    @classmethod
    def of(cls, bibs: Sequence[Bibliography], articles: Sequence[Article]) -> InputsRead:
        problems = [p for bib in bibs for p in bib.problems]
        notes = [bib.encoding_note for bib in bibs if bib.encoding_note]
        names = frozenset(article.info.name for article in articles)
        if articles:
            from citetrack.parse import unread_spans
            from citetrack.rules.bibfile import article_problems

            for article in articles:
                name = article.info.name
                keys = {ref.key for ref in article.references}
                problems += article_problems(name, article.problems, keys)
                notes += [
                    f"{name}: {span}, {'was' if count == 1 else 'were'} read as the article's "
                    "text, not as references"
                    for _, count, span in unread_spans(article.unread, article.references)
                ]
                if article.pointers:
                    notes.append(_pointers_note(name, article.pointers))
        return cls(tuple(problems), tuple(notes), names)


def _pointers_note(name: str, count: int) -> str:
    """The note for an article's short citations, which are not references of their own."""
    from citetrack.parse import pointers_said

    return f"{name}: {pointers_said(count)}, checked there: footnotes, not references of their own"


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


def _defaulted(name: str) -> bool:
    """Whether the option ``name`` of the running command was left at its default."""
    source = click.get_current_context().get_parameter_source(name)
    return source in (click.core.ParameterSource.DEFAULT, None)


@click.command(cls=ReportingCommand, epilog=EPILOG)
@bib_arguments
@source_option
@settings_options
@run_options
@confirm_options
@store_options
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMAT_NAMES),
    default="text",
    show_default=True,
    help="Report format on standard output.",
)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="[FORMAT=]FILE",
    help="Also write a report to FILE: FORMAT=FILE, or FILE in the format its extension "
    "names (.sarif, .json, .xml JUnit, .md, .txt), else in --format; repeatable.",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITY_NAMES),
    default=None,
    help="Exit 1 when a finding is at least this bad [default: broken].",
)
@click.option(
    "--ignore-unverified",
    is_flag=True,
    help="Exit 0 instead of 3 when nothing is broken but some references could not be "
    "verified (e.g. offline in a pre-commit hook); never instead of 4 (--new-only).",
)
@click.option(
    "--local",
    is_flag=True,
    help="Run only the checks that need no registry answer, neither fetched nor cached: "
    "the verdict of the files alone, the same on every machine (the pre-commit hook).",
)
@click.option(
    "--update-lock",
    is_flag=True,
    help="Accept the current state as the new baseline in the lockfile.",
)
@click.option(
    "--new-only",
    is_flag=True,
    help=NEW_ONLY_HELP,
)
@shard_option
def check(
    bibs: tuple[str, ...],
    source_format: str,
    given: SettingsFlags,
    run: RunFlags,
    confirm: ConfirmFlags,
    shared: StoreFlags,
    fmt: str,
    outputs: tuple[str, ...],
    fail_on: str | None,
    ignore_unverified: bool,
    local: bool,
    update_lock: bool,
    new_only: bool,
    shard: Shard | None,
) -> None:
    """Check every reference of BIB files (default: references.bib) or of articles.

    An article is a wikitext or rendered-text file, '-' (standard input) or a wiki page
    URL; each reference is reported with its place in it and the revision checked.

    DOIs are resolved against Crossref (and doi.org for other agencies), PMIDs against
    PubMed, URLs are fetched politely and their Wayback copies verified.  Each reference is
    ok, warning, unverified (could not be checked: never reported as broken), changed
    (since the lockfile) or broken.
    """
    if update_lock and run.no_lockfile:
        raise click.UsageError("--update-lock and --no-lockfile contradict each other")
    settings = settings_from(given, run=run, confirm=confirm, shared=shared, fail_on=fail_on)
    if local:
        if update_lock or shard is not None:
            raise click.UsageError(
                "--local judges the files alone: it writes no lockfile and is no shard"
            )
        settings = replace(settings, local=True)
    report_files = parse_outputs(outputs, fmt)
    if shard is not None:  # a shard writes its JSON with its evidence, for 'citetrack merge'
        if new_only:
            raise click.UsageError(
                "--new-only is the merge's: 'citetrack merge --new-only' applies the lockfile"
            )
        if fmt != "json" and _defaulted("fmt"):
            fmt = "json"  # a shard's report is JSON for 'citetrack merge', nothing else
        if fmt != "json" or outputs:
            raise click.UsageError(
                "--shard writes its report for 'citetrack merge' as JSON on standard output: "
                "leave out --format (or give --format json) and -o"
            )
        from citetrack.api import split_inputs

        if split_inputs(bibs, source_format)[1]:  # type: ignore[arg-type]
            raise click.UsageError(
                "--shard reads .bib files only: check articles without it (or turn them into "
                "BibTeX first: citetrack parse ARTICLE -o references.bib)"
            )
        check_shard(bibs, settings, run, shared, shard, update=update_lock)
        if update_lock and not run.quiet:
            info(f"shard {shard}: 'citetrack merge --update-lock' writes the lockfile")
        sys.exit(EXIT_OK)
    with failure_reported(fmt, report_files):
        _check(
            bibs,
            settings,
            run,
            shared,
            fmt,
            report_files,
            source_format,
            update_lock,
            new_only,
            ignore_unverified,
            options=(
                *(bibs, source_format, given, run, confirm, shared, fmt, outputs, fail_on),
                *(ignore_unverified, local, update_lock, new_only),
            ),
        )


def _check(
    bibs: tuple[str, ...],
    settings: Settings,
    run: RunFlags,
    shared: StoreFlags,
    fmt: str,
    report_files: Sequence[tuple[str, str]],
    source_format: str,
    update_lock: bool,
    new_only: bool,
    ignore_unverified: bool,
    *,
    options: tuple[object, ...],
) -> NoReturn:
    """The check with its replay: an identical earlier check's report, else a new one."""
    replay = _replay_for(
        bibs,
        settings,
        run,
        source_format,
        update_lock=update_lock,
        options=options,
    )
    report = functools.partial(
        _check_and_report,
        bibs,
        settings,
        run,
        shared,
        fmt,
        report_files,
        source_format=source_format,
        update_lock=update_lock,
        new_only=new_only,
        ignore_unverified=ignore_unverified,
    )
    if replay is None:
        report()
    code = replay.play()
    if code is not None:
        replay.close()
        if run.verbose:
            info(
                "nothing changed since an identical check (the same files, options and "
                "cached evidence): its report was shown again"
            )
        sys.exit(code)
    with replay.recording():
        report(replay=replay)


def _replay_for(
    bibs: Sequence[str],
    settings: Settings,
    run: RunFlags,
    source_format: str,
    *,
    update_lock: bool,
    options: tuple[object, ...],
) -> Replay | None:
    """The :class:`~citetrack.cli.replay.Replay` of this check, if it can have one."""
    from citetrack.cli.freshness import lockfiles_for
    from citetrack.cli.replay import Replay

    plain = all(b.lower().endswith(".bib") and not set(b) & set("*?[") for b in bibs)
    if source_format in ("auto", "bib") and plain:
        # Plain .bib names (the pre-commit case): no need to load the article readers
        # and the HTTP stack just to be told so.
        inputs = list(bibs) or ["references.bib"]
    else:
        from citetrack.api import expand_inputs, split_inputs
        from citetrack.inputs.textio import InputError

        try:
            bib_args, articles = split_inputs(bibs, source_format)  # type: ignore[arg-type]
            inputs = [*(expand_inputs(bib_args) if bib_args or not articles else []), *articles]
        except (InputError, OSError, ValueError):
            return None  # the full run says what is wrong
    lockfiles = [] if run.no_lockfile else lockfiles_for(inputs, run.lockfile or settings.lockfile)
    if lockfiles and not (run.lockfile or settings.lockfile):
        from citetrack.tracking.lockfile.folders import folder_lockfiles

        # A directory's lockfiles are applied whether or not their .bib files are read.
        lockfiles += [p for p in folder_lockfiles(bibs) if p not in lockfiles]
    return Replay.prepare(
        settings,
        inputs=inputs,
        lockfiles=lockfiles,
        options=options,
        progress=wants_progress(run.quiet),
        update_lock=update_lock,
    )


def _check_and_report(
    bibs: Sequence[str],
    settings: Settings,
    run: RunFlags,
    shared: StoreFlags,
    fmt: str,
    report_files: Sequence[tuple[str, str]],
    *,
    source_format: str,
    update_lock: bool,
    new_only: bool,
    ignore_unverified: bool,
    replay: Replay | None = None,
) -> NoReturn:
    """The check itself: load, check, apply the lockfile, report, exit."""
    from citetrack.cli.finish import apply_lockfile, finish, with_hidden_note
    from citetrack.fsutil import atomic_write_text

    started = time.time()
    # With --new-only the inputs' defects are warned once the lockfile has said which
    # are new: a pull request gate showed every old one on stderr.
    later = new_only and not run.no_lockfile
    result, loaded = run_check(
        bibs,
        settings,
        run,
        shared,
        update=update_lock,
        source_format=source_format,
        warn_problems=not later,
    )
    problems: Sequence[BibProblem] = loaded.problems
    if not run.no_lockfile:
        tracked = apply_lockfile(
            result,
            settings,
            run.lockfile,
            update=update_lock,
            new_only=new_only,
            started=started,
            problems=problems,
            inputs=bibs,
        )
        result, wrote_lock, problems = tracked.result, bool(tracked.written), tracked.problems
        for problem in problems if later else ():
            warn(loaded.warning(problem))
        result = with_hidden_note(result, tracked.accepted_hidden)
    else:
        wrote_lock = False
    if replay is not None:
        replay.observe(
            requests=result.requests,
            fresh_until=result.evidence_fresh_until,
            wrote_lock=wrote_lock,
        )
    # Defects of the inputs (skipped entries, lines not read) are findings in every format
    # (with --new-only, those the lockfile did not accept); checks the options skipped are
    # said once, never silently (issue 12).
    result = finish(
        result,
        settings,
        problems=problems,
        notes=loaded.notes,
        registries=not run.links_only,
        links=not run.no_links and (settings.check_links or run.links_only),
    )
    color = use_color(run.color)
    verbose = run.verbose
    pieces = render_pieces(
        fmt, result, color=color, verbose=verbose, fail_on=settings.fail_on, quiet=run.quiet
    )
    for piece in pieces:
        click.echo(piece, nl=False)
    report_written("-")
    for out_fmt, path in report_files:
        text = render(out_fmt, result, color=False, verbose=verbose, fail_on=settings.fail_on)
        try:
            atomic_write_text(path, text)
            report_written(path)
            if replay is not None:
                replay.wrote(path, text)
        except OSError as exc:
            fail(f"{path}: cannot write the report: {exc.strerror or exc}")
    if verbose:
        show_requests(result.requests)
    code = exit_code(result, settings.fail_on)
    sys.exit(EXIT_OK if code == EXIT_UNVERIFIED and ignore_unverified else code)


@click.command(epilog=EPILOG_LOCK)
@bib_arguments
@source_option
@settings_options
@run_options
@confirm_options
@store_options
def lock(
    bibs: tuple[str, ...],
    source_format: str,
    given: SettingsFlags,
    run: RunFlags,
    confirm: ConfirmFlags,
    shared: StoreFlags,
) -> None:
    """Check BIB files and accept what is seen now as the baseline (citetrack.lock).

    The same as `citetrack check --update-lock`, printing only a summary.  Commit the
    lockfile: later checks report what changed since, and a dead URL or unknown DOI
    becomes 'broken' only after it failed on several runs over several days.

    Exit 0 even when references are broken: accepting the current state is what `lock`
    is for (the summary says how many are broken).  To fail on them, e.g. in CI, use
    `citetrack check --update-lock` (exit 1).
    """
    if run.no_lockfile:
        raise click.UsageError("citetrack lock writes the lockfile; --no-lockfile makes no sense")
    from citetrack.cli.finish import apply_lockfile

    settings = settings_from(given, run=run, confirm=confirm, shared=shared)
    started = time.time()
    result, loaded = run_check(
        bibs, settings, run, shared, update=True, source_format=source_format
    )
    result = apply_lockfile(
        result,
        settings,
        run.lockfile,
        update=True,
        new_only=False,
        started=started,
        problems=loaded.problems,
        inputs=bibs,
    ).result
    if not run.quiet:
        from citetrack.report._common import present_counts

        summary = present_counts(result.summary())
        names = (*SEVERITY_NAMES, "ok", "unchecked")
        parts = [f"{summary[s]} {s}" for s in names if summary.get(s)]
        removed = summary["removed"]
        info(
            f"accepted {summary['total']} reference{'' if summary['total'] == 1 else 's'}: "
            + ", ".join(parts or ["nothing to check"])
            + (f"; {summary['verified']} confirmed by a source" if summary["total"] else "")
            + (f"; {removed} removed since the last lockfile" if removed else "")
        )
        if loaded.problems:
            count = len(loaded.problems)
            info(
                f"accepted {count} {'defect' if count == 1 else 'defects'} of the input files "
                "(warned above): `check --new-only` shows only defects added after them"
            )
    # What could not be checked has no evidence in the baseline: say why, once per cause.
    from citetrack.report.causes import cause_lines

    for line in cause_lines(result):
        warn(f"{line} (the lockfile has no evidence for these to compare later runs with)")
    if run.verbose:
        show_requests(result.requests)
