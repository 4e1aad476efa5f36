"""``citetrack merge``: the N JSON reports of ``check --shard K/N`` → the one report of an
unsharded ``check`` (the inputs are read again and must be unchanged; the lockfile is
applied when the shards' answers are fresh for it)."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from citetrack.cli.options import NEW_ONLY_HELP, ConfirmFlags, confirm_options, parse_outputs
from citetrack.cli.output import (
    EPILOG,
    EXIT_OK,
    EXIT_UNVERIFIED,
    FORMAT_NAMES,
    SEVERITY_NAMES,
    exit_code,
    fail,
    failure_reported,
    render,
    report_written,
)
from citetrack.cli.usage import ReportingCommand

if TYPE_CHECKING:
    from citetrack.config import Settings
    from citetrack.inputs.bib import Bibliography, BibProblem
    from citetrack.report.merge import ShardLock


@click.command(cls=ReportingCommand, epilog=EPILOG)
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False))
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
    help="Also write a report to FILE (in --format, or FORMAT=FILE); repeatable.",
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
    help="Exit 0 instead of 3 when nothing is broken but some references could not be verified "
    "(never instead of 4: see --new-only).",
)
@click.option(
    "--lockfile",
    type=click.Path(dir_okay=False),
    help="The lockfile [default: citetrack.lock next to each .bib]; the shards must have "
    "been run for it (the same option).",
)
@click.option(
    "--no-lockfile",
    is_flag=True,
    help="Ignore the lockfile (as the shards did, if they were run with it).",
)
@click.option(
    "--update-lock",
    is_flag=True,
    help="Accept the merged state as the new baseline in the lockfile (run the shards "
    "with --update-lock too: a baseline takes only answers fetched in its own run).",
)
@click.option(
    "--new-only",
    is_flag=True,
    help=NEW_ONLY_HELP,
)
@confirm_options
@click.option("-v", "--verbose", count=True, help="Show notes and the request counts.")
def merge(
    reports: tuple[str, ...],
    fmt: str,
    outputs: tuple[str, ...],
    fail_on: str | None,
    ignore_unverified: bool,
    lockfile: str | None,
    no_lockfile: bool,
    update_lock: bool,
    new_only: bool,
    confirm: ConfirmFlags,
    verbose: int,
) -> None:
    """Combine the JSON reports of 'check --shard K/N' (K = 1…N) into one report.

    The inputs the shards read are read again (they must not have changed); the report is
    the one an unsharded 'check' of the same inputs gives, lockfile included: shards run
    without --no-lockfile fetch answers fresh enough for it, and the merge compares with
    it ('changed', failures confirmed over runs), or writes it with --update-lock.
    """
    from citetrack.api import merge_shard_reports
    from citetrack.cli.finish import apply_lockfile, finish, with_hidden_note
    from citetrack.config import ConfigError, load_settings, parse_severity
    from citetrack.fsutil import atomic_write_text
    from citetrack.inputs.textio import InputError
    from citetrack.report.merge import MergeError

    if update_lock and no_lockfile:
        raise click.UsageError("--update-lock and --no-lockfile contradict each other")
    try:
        overrides: dict[str, object] = {
            "confirm_failures": confirm.confirm_failures,
            "confirm_days": confirm.confirm_days,
        }
        if fail_on:
            overrides["fail_on"] = parse_severity(fail_on, source="--fail-on")
        settings = load_settings(overrides=overrides)
    except ConfigError as exc:
        fail(str(exc))
    report_files = parse_outputs(outputs, fmt)
    with failure_reported(fmt, report_files):
        try:
            merged = merge_shard_reports(reports)
        except MergeError as exc:
            fail(str(exc))
        except InputError as exc:  # the shard report at fault, for the reports' annotations
            fail(str(exc), path=exc.path)
        bibs = merged.bibliographies
        problems: Sequence[BibProblem] = [p for b in bibs for p in b.problems]
        result = merged.result
        if not no_lockfile and _lockfile_applies(
            merged.lock, bibs, lockfile, settings, update=update_lock, new_only=new_only
        ):
            tracked = apply_lockfile(
                result,
                settings,
                lockfile,
                update=update_lock,
                new_only=new_only,
                # Dated as a check dates it: to the start of the run whose answers it holds.
                started=merged.lock.started or time.time(),
                problems=problems,
            )
            result, problems = tracked.result, tracked.problems
            result = with_hidden_note(result, tracked.accepted_hidden)
        ran = merged.options or {}
        # As the unsharded check reports them: the inputs' defects, notes, skipped checks, ignores.
        result = finish(
            result,
            settings,
            problems=problems,
            notes=[b.encoding_note for b in bibs if b.encoding_note],
            registries=ran.get("registries"),
            links=ran.get("links"),
        )
        click.echo(
            render(fmt, result, color=False, verbose=verbose, fail_on=settings.fail_on), nl=False
        )
        report_written("-")
        for out_fmt, path in report_files:
            text = render(out_fmt, result, color=False, verbose=verbose, fail_on=settings.fail_on)
            try:
                atomic_write_text(path, text)
                report_written(path)
            except OSError as exc:
                fail(f"{path}: cannot write the report: {exc.strerror or exc}")
        code = exit_code(result, settings.fail_on)
        sys.exit(EXIT_OK if code == EXIT_UNVERIFIED and ignore_unverified else code)


def _lockfile_applies(
    lock: ShardLock,
    bibs: Sequence[Bibliography],
    lockfile: str | None,
    settings: Settings,
    *,
    update: bool,
    new_only: bool,
) -> bool:
    """Whether the merge applies the lockfile: the shards' answers are fresh for it, the
    lockfile (``--lockfile``, else the config's, else next to each .bib, as the shards
    chose it) is the one they were fresh for, unchanged since (else exit 2: what an
    unsharded check reports cannot be had from these answers)."""
    from citetrack.cli.freshness import lockfile_digests, lockfiles_for

    if lock.mode == "none":
        # Asked for on the command line only: a config's lockfile is no such request.
        if update or new_only or lockfile:
            fail(
                "the shards were run with --no-lockfile, so their answers may be older than "
                "the lockfile: run them without it to merge against a lockfile"
            )
        return False
    paths = lockfiles_for([b.path for b in bibs], lockfile or settings.lockfile)
    if [p for p, _ in lock.files] != [str(p) for p in paths]:
        shards = ", ".join(p for p, _ in lock.files)
        fail(
            f"the shards were run for the lockfile {shards}, not "
            f"{', '.join(map(str, paths))}: give the merge the same --lockfile"
        )
    for (path, then), (_, now) in zip(lock.files, lockfile_digests(paths), strict=True):
        if then != now:
            fail(f"{path}: changed since the shards read it; run the shards again")
    if update and lock.mode != "update":
        fail(
            "--update-lock: run the shards with --update-lock too (a baseline takes only "
            "answers fetched in its own run; these may come from the cache)"
        )
    return True
