"""``citetrack export``: write a cleaned copy of a .bib (or of an article's wikitext),
listing every change."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from citetrack.cli.options import (
    SettingsFlags,
    allow_private_urls_option,
    settings_from,
    settings_options,
    source_option,
)
from citetrack.cli.output import EPILOG_WRITE, ProgressBar, fail, inert, info, wants_progress, warn

if TYPE_CHECKING:
    from citetrack.config import Settings
    from citetrack.model import CheckResult


def _kinds_not_an_option(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    """``--no-fix -o out.wiki`` takes ``-o`` as the kinds and then complains about
    ``out.wiki``; name the real mistake instead."""
    for kinds in value:
        if kinds.startswith("-"):
            name = (param.opts or ["--fix"])[0]
            raise click.BadParameter(
                f"{name} needs the fix kinds (e.g. '{name} all'), not the option {kinds!r}",
                ctx=ctx,
                param=param,
            )
    return value


@click.command(epilog=EPILOG_WRITE)
@click.argument("bib", required=False, type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write the cleaned .bib here ('-': standard output, the default).",
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
    callback=_kinds_not_an_option,
    help="Apply only these fixes (comma-separated: identifiers, pages, add-ids, metadata, "
    "format, conflicts, archive (articles: archive links for dead URLs), or all) [default: "
    "all but format; conflicts (replace the wrong identifier of a pmid-doi-conflict) only "
    "when named].",
)
@click.option(
    "--no-fix",
    "no_fix",
    multiple=True,
    metavar="KINDS",
    callback=_kinds_not_an_option,
    help="Do not apply these fixes ('all': none).",
)
@click.option(
    "--prefer",
    type=click.Choice(["pubmed", "crossref"]),
    default=None,
    help="Whose value to write when both registries have one [default: pubmed].",
)
@settings_options
@source_option
@allow_private_urls_option
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
    source_format: str,
    allow_private_urls: bool,
    quiet: bool,
) -> None:
    """Write a cleaned copy of BIB (default: references.bib), or of an article.

    Only what you allow changes: identifiers normalised, page ranges with '--', missing
    DOI/PMID/PMCID added and wrong pages / volume / issue / year / journal corrected — but
    only from a registry record that matches the citation's identifier, title and first
    author.  Keys, order, comments, @string blocks, unknown fields, titles and names are
    never touched.  Every change is listed with its reason and source.

    An article (a wikitext file, '-' or a wiki page URL; see --from) gets minimal edits
    inside its {{cite}} templates, and an edit summary.
    """
    from citetrack.api import SettingsError, UnknownFixError, export_bib, fix_kinds, split_inputs
    from citetrack.cli.loading import entry_memo, load_bibs
    from citetrack.export import unified_diff

    if in_place and output:
        raise click.UsageError("--in-place and --output contradict each other")
    if no_backup and not in_place:
        raise click.UsageError("--no-backup only goes with --in-place")
    settings = settings_from(given, prefer=prefer, allow_private_urls=allow_private_urls)
    try:
        kinds = fix_kinds(fix or settings.fix, no_fix or settings.no_fix)
    except UnknownFixError as exc:
        hint = "--fix" if exc.option == "fix" else "--no-fix"
        raise click.BadParameter(str(exc), param_hint=hint) from None
    path = bib or "references.bib"
    if in_place and path == "-":
        raise click.UsageError("--in-place needs a file, not standard input")
    if split_inputs([path], source_format)[1]:  # type: ignore[arg-type]
        if in_place and path.lower().startswith(("http://", "https://")):
            raise click.UsageError("--in-place needs a file; give -o FILE for a wiki page")
        export_article(
            path,
            settings,
            kinds,
            source_format=source_format,
            output=output,
            in_place=in_place,
            no_backup=no_backup,
            show_diff=show_diff,
            dry_run=dry_run,
            quiet=quiet,
        )
        return
    with entry_memo(settings) as memo:
        loaded = load_bibs([path], settings.encoding, memo)
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
                    f"{change.new_value!r} ({_clause(change.reason)}; {change.source})"
                ),
                err=True,
            )
        for skipped in outcome.skipped:
            where = f"{path}:{skipped.line}: " if skipped.line else f"{path}: "
            warn(f"{where}not changed: {skipped.fix.key}.{skipped.fix.field}: {skipped.reason}")
    _unchecked(report.check)
    if show_diff:
        click.echo(unified_diff(bibliography.text, outcome.text, path), nl=False)
        return
    if dry_run:
        info(f"{len(outcome.changes)} changes (dry run: nothing written)")
        return
    _write(
        path,
        outcome.text,
        encoding=bibliography.encoding,
        changed=report.changed,
        done=f"{len(outcome.changes)} changes",
        output=output,
        in_place=in_place,
        no_backup=no_backup,
        quiet=quiet,
    )


def export_article(
    path: str,
    settings: Settings,
    kinds: frozenset[str],
    *,
    source_format: str,
    output: str | None,
    in_place: bool,
    no_backup: bool,
    show_diff: bool,
    dry_run: bool,
    quiet: bool,
) -> None:
    """``export`` for an article (issue 14): minimal edits inside its {{cite}} templates,
    the file rewritten byte for byte elsewhere."""
    from citetrack import api
    from citetrack.cli.loading import load_articles
    from citetrack.export import unified_diff
    from citetrack.inputs.textio import InputError

    (article,) = load_articles([path], source_format, settings, exact=True)
    try:
        with ProgressBar(wants_progress(quiet)) as bar:
            report = api.export_article(
                article, settings=settings, fixes=kinds, progress=bar.update
            )
    except (InputError, api.SettingsError) as exc:
        fail(str(exc))
    outcome = report.result
    name = article.info.name
    if not quiet:
        for e in outcome.edits:
            old = "(added)" if e.old is None else repr(e.old)
            click.echo(
                inert(
                    f"{name}:{e.line}: {e.key}: {e.param}: {old} -> {e.new!r} "
                    f"({_clause(e.reason)}; {e.source})"
                ),
                err=True,
            )
        for skip in outcome.skipped:
            warn(f"{name}:{skip.line}: not changed: {skip.key}.{skip.param}: {skip.reason}")
    _unchecked(report.check)
    for key, line, reason in report.pmids_not_asked:
        warn(
            f"{name}:{line}: not changed: {key}.pmid: it is another work's, but PubMed could "
            f"not be asked for the PMID of the citation's DOI ({reason})"
        )
    if report.check is not None and "archive" in kinds:
        from citetrack.export.cite_plans import archives_not_asked, archives_not_replaced

        for key, line, reason in archives_not_asked(report.check):
            warn(
                f"{name}:{line}: not changed: {key}: the URL is dead, but the Wayback Machine "
                f"could not be asked for a capture ({reason}): no archive link added"
            )
        for key, line, why in archives_not_replaced(report.check):
            warn(
                f"{name}:{line}: not changed: {key}: the cited archived copy is not usable, "
                f"and {why}"
            )
    if not quiet:
        info(f"edit summary: {outcome.summary}")
    if show_diff:
        click.echo(unified_diff(article.text, outcome.text, name), nl=False)
        return
    if dry_run:
        info(f"{len(outcome.edits)} edits (dry run: nothing written)")
        return
    _write(
        path,
        outcome.text,
        changed=report.changed,
        done=f"{len(outcome.edits)} edits",
        output=output,
        in_place=in_place,
        no_backup=no_backup,
        quiet=quiet,
    )


def _unchecked(result: CheckResult | None) -> None:
    """What the export's check could not verify, one warning per cause (even with
    ``--quiet``): those references got no registry or archive fix, and "no changes" must
    not read as "nothing to fix"."""
    from citetrack.report.causes import unverified_causes

    if result is None:
        return
    for cause in unverified_causes(result):
        warn(f"not checked, so not fixed: {cause.line()}")


def _same_file(output: str, path: str) -> bool:
    """Whether ``output`` names the input ``path`` itself (through any link or spelling)."""
    try:
        return Path(output).samefile(path)
    except OSError:
        return False


def _write(
    path: str,
    text: str,
    *,
    encoding: str = "utf-8",
    changed: bool,
    done: str,
    output: str | None,
    in_place: bool,
    no_backup: bool,
    quiet: bool,
) -> None:
    """Where an export goes, for a .bib and an article alike: in place (with a ``.bak``
    unless ``no_backup``; nothing written when nothing changed), to ``output``, or to
    standard output; every file write atomic.  ``encoding``: the .bib's own (the
    exporter wrote no character it cannot hold)."""
    from citetrack.fsutil import atomic_write_bytes

    if output == "-":  # standard output, not a file named '-'
        output = None
    if output and not in_place and _same_file(output, path):
        # `-o refs.bib refs.bib` rewrote the input with no copy of it: as --in-place.
        in_place, output = True, None
    data = text.encode(encoding)
    try:
        if in_place:
            if not changed:
                info(f"{path}: nothing to change")
                return
            if not no_backup:  # the copy keeps the original's permissions
                original = Path(path)
                atomic_write_bytes(
                    path + ".bak", original.read_bytes(), mode=original.stat().st_mode & 0o7777
                )
            atomic_write_bytes(path, data)
        elif output:
            atomic_write_bytes(output, data)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
    except OSError as exc:
        fail(f"{output or path}: cannot write: {exc.strerror or exc}")
    if not quiet and (in_place or output):
        info(f"{done} written to {output or path}")


def _clause(reason: str) -> str:
    """A reason written as a sentence, as a clause of the ``(reason; source)`` it goes in:
    without its full stop ("… agree).; pubmed)" read as a typo)."""
    return reason[:-1] if reason.endswith(".") and not reason.endswith("..") else reason
