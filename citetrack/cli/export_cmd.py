"""``citetrack export``: write a cleaned copy of a .bib, listing every change."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from citetrack.cli.options import SettingsFlags, settings_from, settings_options
from citetrack.cli.output import EPILOG, ProgressBar, fail, inert, info, wants_progress, warn


@click.command(epilog=EPILOG)
@click.argument("bib", required=False, type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write the cleaned .bib here."
)
@click.option(
    "--in-place", is_flag=True, help="Rewrite BIB itself (atomically; BIB.bak keeps the original)."
)
@click.option("--no-backup", is_flag=True, help="With --in-place: keep no .bak copy.")
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Print a unified diff of what would change; write nothing.",
)
@click.option("--dry-run", is_flag=True, help="List what would change; write nothing.")
@click.option(
    "--fix",
    "fix",
    multiple=True,
    metavar="KINDS",
    help="Apply only these fixes (comma-separated: identifiers, pages, add-ids, metadata, "
    "format, conflicts, or all) [default: all but format; conflicts (replace the wrong "
    "identifier of a pmid-doi-conflict) only when named].",
)
@click.option(
    "--no-fix",
    "no_fix",
    multiple=True,
    metavar="KINDS",
    help="Do not apply these fixes ('all': none).",
)
@click.option(
    "--prefer",
    type=click.Choice(["pubmed", "crossref"]),
    default=None,
    help="Whose value to write when both registries have one [default: pubmed].",
)
@settings_options
@click.option("-q", "--quiet", is_flag=True, help="Do not list the changes.")
def export(
    bib: str | None,
    output: str | None,
    in_place: bool,
    no_backup: bool,
    show_diff: bool,
    dry_run: bool,
    fix: tuple[str, ...],
    no_fix: tuple[str, ...],
    prefer: str | None,
    given: SettingsFlags,
    quiet: bool,
) -> None:
    """Write a cleaned copy of BIB (default: references.bib).

    Only what you allow changes: identifiers normalised, page ranges with '--', missing
    DOI/PMID/PMCID added and wrong pages / volume / issue / year / journal corrected — but
    only from a registry record that matches the citation's identifier, title and first
    author.  Keys, order, comments, @string blocks, unknown fields, titles and names are
    never touched.  Every change is listed with its reason and source.
    """
    from citetrack.api import SettingsError, UnknownFixError, export_bib, fix_kinds
    from citetrack.cli.check_cmd import load_bibs
    from citetrack.export import unified_diff
    from citetrack.fsutil import atomic_write_bytes

    if in_place and output:
        raise click.UsageError("--in-place and --output contradict each other")
    if no_backup and not in_place:
        raise click.UsageError("--no-backup only goes with --in-place")
    settings = settings_from(given, prefer=prefer)
    try:
        kinds = fix_kinds(fix or settings.fix, no_fix or settings.no_fix)
    except UnknownFixError as exc:
        hint = "--fix" if exc.option == "fix" else "--no-fix"
        raise click.BadParameter(str(exc), param_hint=hint) from None
    path = bib or "references.bib"
    loaded = load_bibs([path])
    if len(loaded) != 1:  # a glob pattern naming several files
        fail(f"{path}: export takes one .bib file, not {len(loaded)}")
    (bibliography,) = loaded
    try:
        with ProgressBar(wants_progress(quiet)) as bar:
            report = export_bib(bibliography, settings=settings, fixes=kinds, progress=bar.update)
    except SettingsError as exc:
        fail(str(exc))
    outcome = report.result
    if not quiet:
        for change in outcome.changes:
            old = "(added)" if change.old_value is None else repr(change.old_value)
            click.echo(
                inert(
                    f"{path}:{change.line}: {change.key}.{change.field}: {old} -> "
                    f"{change.new_value!r} ({change.reason}; {change.source})"
                ),
                err=True,
            )
        for skipped in outcome.skipped:
            where = f"{path}:{skipped.line}: " if skipped.line else f"{path}: "
            warn(f"{where}not changed: {skipped.fix.key}.{skipped.fix.field}: {skipped.reason}")
    if show_diff:
        click.echo(unified_diff(bibliography.text, outcome.text, path), nl=False)
        return
    if dry_run:
        info(f"{len(outcome.changes)} changes (dry run: nothing written)")
        return
    data = outcome.text.encode("utf-8")
    try:
        if in_place:
            if not report.changed:
                info(f"{path}: nothing to change")
                return
            if not no_backup:
                atomic_write_bytes(path + ".bak", Path(path).read_bytes())
            atomic_write_bytes(path, data)
        elif output:
            atomic_write_bytes(output, data)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
    except OSError as exc:
        fail(f"{output or path}: cannot write: {exc.strerror or exc}")
    if not quiet and (in_place or output):
        info(f"{len(outcome.changes)} changes written to {output or path}")
