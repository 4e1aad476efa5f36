"""``citetrack merge``: the N JSON reports of ``check --shard K/N`` → the one report of an
unsharded ``check --no-lockfile`` (the inputs are read again and must be unchanged)."""

from __future__ import annotations

import sys

import click

from citetrack.cli.options import parse_outputs
from citetrack.cli.output import EPILOG, FORMAT_NAMES, SEVERITY_NAMES, exit_code, fail, render


@click.command(epilog=EPILOG)
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
@click.option("-v", "--verbose", count=True, help="Show notes and the request counts.")
def merge(
    reports: tuple[str, ...], fmt: str, outputs: tuple[str, ...], fail_on: str | None, verbose: int
) -> None:
    """Combine the JSON reports of 'check --shard K/N' (K = 1…N) into one report.

    The inputs the shards read are read again (they must not have changed); the report is
    the one an unsharded 'check --no-lockfile' of the same inputs gives.
    """
    from citetrack.api import merge_shard_reports
    from citetrack.cli.finish import finish
    from citetrack.config import ConfigError, load_settings, parse_severity
    from citetrack.fsutil import atomic_write_text
    from citetrack.inputs.textio import InputError
    from citetrack.report.merge import MergeError

    try:
        overrides = {"fail_on": parse_severity(fail_on, source="--fail-on")} if fail_on else {}
        settings = load_settings(overrides=overrides)
    except ConfigError as exc:
        fail(str(exc))
    report_files = parse_outputs(outputs, fmt)
    try:
        merged = merge_shard_reports(reports)
    except (MergeError, InputError) as exc:
        fail(str(exc))
    bibs = merged.bibliographies
    ran = merged.options or {}
    # As the unsharded check reports them: the inputs' defects, notes, skipped checks, ignores.
    result = finish(
        merged.result,
        settings,
        problems=[p for b in bibs for p in b.problems],
        notes=[b.encoding_note for b in bibs if b.encoding_note],
        registries=ran.get("registries"),
        links=ran.get("links"),
    )
    click.echo(
        render(fmt, result, color=False, verbose=verbose, fail_on=settings.fail_on), nl=False
    )
    for out_fmt, path in report_files:
        text = render(out_fmt, result, color=False, verbose=verbose, fail_on=settings.fail_on)
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            fail(f"{path}: cannot write the report: {exc.strerror or exc}")
    sys.exit(exit_code(result, settings.fail_on))
