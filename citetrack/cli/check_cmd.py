"""``citetrack check`` and ``citetrack lock``: load the .bib files and articles, check,
apply the lockfile, then report (check) or accept the result as the new baseline (lock).

The commands' options and their ends (the report, the replay, the lockfile's summary) are
here; reading the inputs is :mod:`citetrack.cli.loading`'s, running the check (and a
shard's) :mod:`citetrack.cli.check_run`'s."""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, NoReturn

import click

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
    from citetrack.cli.replay import Replay
    from citetrack.config import Settings
    from citetrack.inputs.bib import BibProblem
    from citetrack.shard import Shard


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
        from citetrack.cli.check_run import check_shard

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
    from citetrack.cli.check_run import run_check
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
    from citetrack.cli.check_run import run_check
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
    # What could not be checked got no new evidence in the baseline (what an earlier lock
    # recorded of it is kept, not erased): say why, once per cause.
    from citetrack.report.causes import cause_lines

    for line in cause_lines(result):
        warn(
            f"{line} (the lockfile records nothing new for these: what an earlier lock saw "
            "of them, if anything, is kept for later runs to compare with)"
        )
    if run.verbose:
        show_requests(result.requests)
