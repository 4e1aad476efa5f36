"""The ``citetrack`` command: thin click commands over the library.

Each command turns options into settings, makes one call, prints or writes the result and
picks the exit code.  Heavy modules (httpx, bibtexparser, rich) are imported inside the
commands so that ``citetrack --help`` starts fast.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 usage or
input error; 3 nothing broken, but some references could not be verified.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from citetrack import __version__

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_UNVERIFIED = 3

EPILOG = """\b
Exit codes:
  0  nothing at or above --fail-on
  1  findings at or above --fail-on (default: broken)
  2  usage or input error (unreadable file, bad option, corrupt lockfile)
  3  nothing broken, but some references could not be verified
"""


def _inert(message: str) -> str:
    """Messages quote keys and values from the user's files: no escapes reach the terminal."""
    from citetrack.report._escape import sanitize

    return sanitize(message)


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"citetrack: error: {_inert(message)}", err=True)
    sys.exit(code)


def _warn(message: str) -> None:
    click.echo(f"citetrack: warning: {_inert(message)}", err=True)


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citetrack")
def cli() -> None:
    """Keep bibliographies honest.

    Parse a reference list into BibTeX, check every DOI, PMID and URL against Crossref,
    PubMed, doi.org and the Wayback Machine, remember what was seen in a lockfile, and
    export a cleaned .bib.
    """


# ---------------------------------------------------------------------------- parse


@cli.command(epilog=EPILOG)
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the BibTeX here (atomically) instead of standard output.",
)
@click.option(
    "--from",
    "fmt",
    type=click.Choice(["auto", "text", "wikitext"]),
    default="auto",
    show_default=True,
    help="Input format: a rendered reference list, or wikitext with {{cite …}} templates.",
)
def parse(input_path: str, output: str | None, fmt: str) -> None:
    """Turn a reference list (rendered text or wikitext) into BibTeX.

    INPUT is a whole article or just its reference list; '-' reads standard input.
    Items that cannot be parsed, and doubtful ones, are reported on standard error with
    their line number; everything else is still written.
    """
    from citetrack.fsutil import atomic_write_text
    from citetrack.inputs.bib import format_entries
    from citetrack.inputs.textio import InputError, read_text
    from citetrack.parse import parse_text

    try:
        text = read_text(input_path)
    except InputError as exc:
        _fail(str(exc))
    result = parse_text(text, fmt)  # type: ignore[arg-type]
    name = "<stdin>" if input_path == "-" else input_path
    for problem in result.problems:
        click.echo(f"{name}:{problem.line}: warning: {_inert(problem.message)}", err=True)
    if not result.references:
        _fail(f"{name}: no references found (tried the {result.detected_format} format)")
    bibtex = format_entries(result.references)
    if output:
        try:
            atomic_write_text(output, bibtex)
        except OSError as exc:
            _fail(f"{output}: cannot write: {exc.strerror or exc}")
        click.echo(
            f"citetrack: wrote {len(result.references)} references to {output}"
            + (f" ({len(result.problems)} problems reported above)" if result.problems else ""),
            err=True,
        )
    else:
        click.echo(bibtex, nl=False)


# ---------------------------------------------------------------------------- check

FORMAT_NAMES = ("text", "json", "junit", "sarif", "github", "markdown")
SEVERITY_NAMES = ("broken", "changed", "warning", "unverified", "note")


def _parse_outputs(values: Sequence[str], default_format: str) -> list[tuple[str, str]]:
    """``--output FILE`` (in ``--format``) or ``--output FORMAT=FILE``, repeatable."""
    outputs: list[tuple[str, str]] = []
    for value in values:
        fmt, sep, path = value.partition("=")
        if sep and fmt in FORMAT_NAMES:
            outputs.append((fmt, path))
        else:
            outputs.append((default_format, value))
    for fmt, path in outputs:
        if not path:
            raise click.BadParameter(f"no file name given for {fmt}", param_hint="--output")
    return outputs


def _check_options(func: Any) -> Any:
    """The options shared by ``check`` and ``lock``."""
    options = [
        click.argument("bibs", nargs=-1, type=click.Path(dir_okay=False)),
        click.option(
            "--mailto",
            help="Your e-mail address for the registries' polite pools "
            "(or CITETRACK_MAILTO, or mailto in the config).",
        ),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the on-disk cache."),
        click.option(
            "--offline",
            is_flag=True,
            help="Use only the on-disk cache; what is not cached is 'unverified'.",
        ),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False),
            help="Where the cache lives (default: the user cache directory).",
        ),
        # issue 14: articles (wikitext, rendered text, wiki page URLs) as input
        click.option(
            "--from",
            "source_format",
            type=click.Choice(["auto", "bib", "wikitext", "text"]),
            default="auto",
            show_default=True,
            help="What the inputs are: .bib files, wikitext articles or rendered text "
            "(auto: by name and content; a http(s) URL is a wiki page).",
        ),
        click.option("--no-links", is_flag=True, help="Skip the URL and archive checks."),
        click.option("--links-only", is_flag=True, help="Run only the URL and archive checks."),
        click.option(
            "--archives",
            type=click.Choice(["cited", "all"]),
            default="cited",
            show_default=True,
            help="'cited': verify cited archive copies and look for a capture of "
            "dead URLs; 'all': also report live URLs without any capture (slow: "
            "the Wayback Machine allows about 30 look-ups a minute).",
        ),
        click.option(
            "--allow-private-urls",
            is_flag=True,
            help="Allow links to loopback / private addresses (off by default: a "
            ".bib from a pull request must not make citetrack probe your network).",
        ),
        click.option(
            "--per-host-interval",
            type=click.FloatRange(min=0),
            default=None,
            help="Seconds between two requests to one web host [default: 1].",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.1),
            default=None,
            help="Seconds to wait for one answer before retrying [default: 30].",
        ),
        click.option(
            "--lockfile",
            type=click.Path(dir_okay=False),
            help="The lockfile [default: citetrack.lock next to each .bib].",
        ),
        click.option(
            "--no-lockfile",
            is_flag=True,
            help="Ignore the lockfile: no 'changed' findings, no confirmation.",
        ),
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False, exists=True),
            help="Read settings from this file instead of the nearest citetrack.toml "
            "or pyproject.toml [tool.citetrack].",
        ),
        click.option(
            "-v",
            "--verbose",
            count=True,
            help="Show notes and the number of HTTP requests per service.",
        ),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary."),
        click.option(
            "--color/--no-color",
            default=None,
            help="Force colour on or off [default: on for a terminal, off with NO_COLOR].",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _settings(
    *,
    config_file: str | None,
    cache_dir: str | None = None,
    mailto: str | None = None,
    no_cache: bool = False,
    offline: bool = False,
    allow_private_urls: bool = False,
    fail_on: str | None = None,
    **flags: Any,
) -> Any:
    """Settings from the config file and environment, with the flags the user gave on top.

    Boolean flags only ever switch something on, so an absent flag leaves the config's
    value alone; a bad config or option value ends the run with exit code 2.
    """
    from citetrack.config import ConfigError, load_settings, parse_severity

    overrides: dict[str, Any] = {
        "mailto": mailto,
        "use_cache": False if no_cache else None,
        "offline": True if offline else None,
        "allow_private_urls": True if allow_private_urls else None,
        "cache_dir": Path(cache_dir) if cache_dir else None,
        **flags,
    }
    try:
        if fail_on:
            overrides["fail_on"] = parse_severity(fail_on, source="--fail-on")
        return load_settings(config=Path(config_file) if config_file else None, overrides=overrides)
    except ConfigError as exc:
        _fail(str(exc))


def _load_bibs(bibs: Sequence[str]) -> tuple[list[Any], list[Any]]:
    """The bibliographies and their references; unreadable files end the run (exit 2)."""
    from citetrack.inputs.bib import BibError, load_bib
    from citetrack.inputs.textio import InputError

    paths = list(bibs) or ["references.bib"]
    loaded = []
    for path in paths:
        try:
            bibliography = load_bib(path)
        except (BibError, InputError) as exc:
            hint = "" if bibs else " (give the .bib file to check as an argument)"
            _fail(f"{exc}{hint}")
        for problem in bibliography.problems:
            _warn(f"{problem.path}:{problem.line}: {problem.message}")
        loaded.append(bibliography)
    refs = [r for b in loaded for r in b.references]
    return loaded, refs


class _ProgressBar:
    """A rich progress bar on standard error, one line per stage, removed when done."""

    def __init__(self, enabled: bool) -> None:
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        if enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._progress = Progress(
                TextColumn("{task.description:<10}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(stderr=True),
                transient=True,
            )

    def __enter__(self) -> _ProgressBar:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, stage: str, done: int, total: int) -> None:
        if self._progress is None:
            return
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(stage, total=total)
        self._progress.update(self._tasks[stage], completed=done, total=total)


def _run_check(
    *,
    bibs: Sequence[str],
    settings: Any,
    no_links: bool,
    links_only: bool,
    archives: str,
    show_progress: bool,
    source_format: str = "auto",
    preloaded: Sequence[Any] = (),
) -> tuple[Any, list[Any]]:
    """Load, check, and return the result with the loaded bibliographies."""
    import asyncio

    from citetrack.pipeline import CheckOptions, check_references
    from citetrack.tracking.cache import CacheMode, EvidenceCache

    if no_links and links_only:
        raise click.UsageError("--no-links and --links-only contradict each other")
    from citetrack import articles as article_inputs

    bib_args, article_args = article_inputs.split_inputs(bibs, source_format)  # type: ignore[arg-type]
    if preloaded:  # export: the article it will edit, read once
        bib_args, article_args = [], []
    loaded, refs = _load_bibs(bib_args) if bib_args or not (article_args or preloaded) else ([], [])
    mode = (
        CacheMode.OFFLINE
        if settings.offline
        else CacheMode.NORMAL
        if settings.use_cache
        else CacheMode.NO_CACHE
    )
    net = _net_config(settings)
    read = [*preloaded, *_load_articles(article_args, source_format, net)]
    refs = [*refs, *(r for a in read for r in a.references)]
    ttl = settings.cache_ttl_days * 86400
    with EvidenceCache.open(settings.cache_dir, mode=mode, found_ttl=ttl) as cache:
        options = CheckOptions(
            registries=not links_only,
            links=not no_links and (settings.check_links or links_only),
            archives=archives,
            allow_private_urls=settings.allow_private_urls,
            per_host_interval=settings.per_host_interval,
            cache_mode=mode,
            cache=cache,
            net=net,
        )
        with _ProgressBar(show_progress) as bar:
            result = asyncio.run(check_references(refs, options, progress=bar.update))
    return article_inputs.attach_articles(result, read), [*loaded, *read]


def _load_articles(args: Sequence[str], source_format: str, net: Any) -> list[Any]:
    """The articles among the inputs, read and located (issue 14); errors exit 2."""
    from citetrack import articles as article_inputs
    from citetrack.inputs.article_load import InputError, WikiError

    try:
        read = article_inputs.load_inputs(
            args,
            source_format,  # type: ignore[arg-type]
            environ=os.environ,
            net=net,
        )
    except (InputError, WikiError) as exc:
        _fail(str(exc))
    for article in read:
        for problem in article.problems:
            _warn(f"{article.info.name}:{problem.line}: {problem.message}")
        if not article.references:
            _fail(f"{article.info.name}: no references found (read as {article.info.format})")
    return read


def _track(result: Any, settings: Any, *, lockfile: str | None, update: bool) -> Any:
    """Apply the lockfile(s): confirmation and 'changed' findings; write them if asked."""
    import dataclasses
    from datetime import UTC, datetime

    from citetrack.tracking.lockfile import (
        ConfirmPolicy,
        LockError,
        build_lock,
        group_by_lock,
        read_lock,
        track,
        write_lock,
    )
    from citetrack.tracking.revisions import record_articles, track_articles

    now = datetime.now(UTC)
    policy = ConfirmPolicy(settings.confirm_failures, settings.confirm_days)
    groups = {Path(lockfile): result} if lockfile else group_by_lock(result)
    groups = {p: dataclasses.replace(g, articles=result.articles) for p, g in groups.items()}
    tracked = []
    for path, group in groups.items():
        try:
            previous = read_lock(path)
        except LockError as exc:
            _fail(str(exc))
        shown = track_articles(track(group, previous, now, policy), previous)
        if update:
            try:
                write_lock(path, record_articles(build_lock(shown, previous, now, policy), shown))
            except OSError as exc:
                _fail(f"{path}: cannot write the lockfile: {exc.strerror or exc}")
            _warn_info(f"lockfile written: {path}")
        tracked.append((shown, previous))
    return dataclasses.replace(
        result, results=tuple(r for shown, _ in tracked for r in shown.results)
    ), [prev for _, prev in tracked]


def _warn_info(message: str) -> None:
    click.echo(f"citetrack: {_inert(message)}", err=True)


def _exit_code(result: Any, fail_on: Any) -> int:
    from citetrack.model import Severity

    findings = result.findings
    if any(f.severity.rank >= fail_on.rank for f in findings):
        return EXIT_FINDINGS
    if any(f.severity is Severity.UNVERIFIED for f in findings):
        return EXIT_UNVERIFIED
    return EXIT_OK


def _render(fmt: str, result: Any, *, color: bool, verbose: int, fail_on: Any) -> str:
    from citetrack.report import FORMATS
    from citetrack.report.junit import format_junit
    from citetrack.report.text import format_text

    if fmt == "text":
        import shutil

        width = shutil.get_terminal_size((100, 24)).columns
        return format_text(result, color=color, width=max(width, 60), verbose=verbose > 0)
    if fmt == "junit":
        return format_junit(result, fail_on=fail_on)
    return FORMATS[fmt](result)


def _use_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _filter_new(result: Any, previous_locks: list[Any]) -> Any:
    """Only the findings the lockfile does not already record (``--new-only``)."""
    import dataclasses

    from citetrack.tracking.lockfile import new_only

    locks = [lock for lock in previous_locks if lock is not None]
    if not locks:
        return result
    results = []
    for rr in result.results:
        kept = rr.findings
        for lock in locks:
            kept = tuple(new_only(kept, lock))
        results.append(dataclasses.replace(rr, findings=kept))
    return dataclasses.replace(result, results=tuple(results))


@cli.command(epilog=EPILOG)
@_check_options
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
    help="Exit 0 instead of 3 when nothing is broken but some references could not be "
    "verified (e.g. offline in a pre-commit hook).",
)
@click.option(
    "--update-lock",
    is_flag=True,
    help="Accept the current state as the new baseline in the lockfile.",
)
@click.option(
    "--new-only", is_flag=True, help="Report only findings the lockfile does not already record."
)
@click.option(
    "--confirm-failures",
    type=click.IntRange(min=1),
    default=None,
    help="A dead URL / unknown DOI is broken after this many failed runs [default: 3] …",
)
@click.option(
    "--confirm-days",
    type=click.IntRange(min=1),
    default=None,
    help="… spread over at least this many calendar days, counting the first [default: 3].",
)
def check(
    bibs: tuple[str, ...],
    fmt: str,
    outputs: tuple[str, ...],
    fail_on: str | None,
    ignore_unverified: bool,
    update_lock: bool,
    new_only: bool,
    confirm_failures: int | None,
    confirm_days: int | None,
    mailto: str | None,
    no_cache: bool,
    offline: bool,
    cache_dir: str | None,
    source_format: str,
    no_links: bool,
    links_only: bool,
    archives: str,
    allow_private_urls: bool,
    per_host_interval: float | None,
    timeout: float | None,
    lockfile: str | None,
    no_lockfile: bool,
    config_file: str | None,
    verbose: int,
    quiet: bool,
    color: bool | None,
) -> None:
    """Check every reference of BIB files (default: references.bib).

    DOIs are resolved against Crossref (and doi.org for other agencies), PMIDs against
    PubMed, URLs are fetched politely and their Wayback copies verified.  Each reference is
    ok, warning, unverified (could not be checked: never reported as broken), changed
    (since the lockfile) or broken.
    """
    from citetrack.fsutil import atomic_write_text

    if update_lock and no_lockfile:
        raise click.UsageError("--update-lock and --no-lockfile contradict each other")
    settings = _settings(
        config_file=config_file,
        cache_dir=cache_dir,
        mailto=mailto,
        no_cache=no_cache,
        offline=offline,
        allow_private_urls=allow_private_urls,
        fail_on=fail_on,
        per_host_interval=per_host_interval,
        timeout=timeout,
        confirm_failures=confirm_failures,
        confirm_days=confirm_days,
    )
    report_files = _parse_outputs(outputs, fmt)
    show_progress = not quiet and sys.stderr.isatty()
    result, _ = _run_check(
        bibs=bibs,
        settings=settings,
        no_links=no_links,
        links_only=links_only,
        archives=archives,
        show_progress=show_progress,
        source_format=source_format,
    )
    previous: list[Any] = []
    if not no_lockfile:
        result, previous = _track(
            result,
            settings,
            lockfile=lockfile or (str(settings.lockfile) if settings.lockfile else None),
            update=update_lock,
        )
    if new_only:
        result = _filter_new(result, previous)
    use_color = _use_color(color)
    click.echo(
        _render(fmt, result, color=use_color, verbose=verbose, fail_on=settings.fail_on), nl=False
    )
    for out_fmt, path in report_files:
        text = _render(out_fmt, result, color=False, verbose=verbose, fail_on=settings.fail_on)
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            _fail(f"{path}: cannot write the report: {exc.strerror or exc}")
    if verbose:
        counts = ", ".join(f"{n} {s}" for s, n in sorted(result.requests.items())) or "none"
        _warn_info(f"HTTP requests: {counts}")
    code = _exit_code(result, settings.fail_on)
    sys.exit(EXIT_OK if code == EXIT_UNVERIFIED and ignore_unverified else code)


@cli.command(epilog=EPILOG)
@_check_options
@click.option(
    "--confirm-failures",
    type=click.IntRange(min=1),
    default=None,
    help="A dead URL / unknown DOI is broken after this many failed runs [default: 3] …",
)
@click.option(
    "--confirm-days",
    type=click.IntRange(min=1),
    default=None,
    help="… spread over at least this many calendar days, counting the first [default: 3].",
)
def lock(
    bibs: tuple[str, ...],
    confirm_failures: int | None,
    confirm_days: int | None,
    mailto: str | None,
    no_cache: bool,
    offline: bool,
    cache_dir: str | None,
    source_format: str,
    no_links: bool,
    links_only: bool,
    archives: str,
    allow_private_urls: bool,
    per_host_interval: float | None,
    timeout: float | None,
    lockfile: str | None,
    no_lockfile: bool,
    config_file: str | None,
    verbose: int,
    quiet: bool,
    color: bool | None,
) -> None:
    """Check BIB files and accept what is seen now as the baseline (citetrack.lock).

    The same as `citetrack check --update-lock`, printing only a summary.  Commit the
    lockfile: later checks report what changed since, and a dead URL or unknown DOI
    becomes 'broken' only after it failed on several runs over several days.
    """
    if no_lockfile:
        raise click.UsageError("citetrack lock writes the lockfile; --no-lockfile makes no sense")
    settings = _settings(
        config_file=config_file,
        cache_dir=cache_dir,
        mailto=mailto,
        no_cache=no_cache,
        offline=offline,
        allow_private_urls=allow_private_urls,
        per_host_interval=per_host_interval,
        timeout=timeout,
        confirm_failures=confirm_failures,
        confirm_days=confirm_days,
    )
    result, _ = _run_check(
        bibs=bibs,
        settings=settings,
        no_links=no_links,
        links_only=links_only,
        archives=archives,
        show_progress=not quiet and sys.stderr.isatty(),
        source_format=source_format,
    )
    lock_path = lockfile or (str(settings.lockfile) if settings.lockfile else None)
    result, _ = _track(result, settings, lockfile=lock_path, update=True)
    if not quiet:
        summary = result.summary()
        parts = [f"{summary[s]} {s}" for s in (*SEVERITY_NAMES, "ok") if summary.get(s)]
        _warn_info(f"accepted {summary['total']} references: " + ", ".join(parts))
    if verbose:
        counts = ", ".join(f"{n} {s}" for s, n in sorted(result.requests.items())) or "none"
        _warn_info(f"HTTP requests: {counts}")


# ---------------------------------------------------------------------------- export


def _fix_kinds(fix: Sequence[str], no_fix: Sequence[str]) -> frozenset[str]:
    """The fix kinds from ``--fix`` (only these) and ``--no-fix`` (all but these)."""
    from citetrack.export.bibtex import DEFAULT_FIX_KINDS, FIX_KINDS

    def split(values: Sequence[str], option: str) -> set[str]:
        names = {n.strip() for v in values for n in v.split(",") if n.strip()}
        unknown = names - {*FIX_KINDS, "all"}
        if unknown:
            raise click.BadParameter(
                f"unknown fix {', '.join(sorted(unknown))} (known: {', '.join(FIX_KINDS)}, all)",
                param_hint=option,
            )
        return set(FIX_KINDS) if "all" in names else names

    kinds = split(fix, "--fix") if fix else set(DEFAULT_FIX_KINDS)
    return frozenset(kinds - split(no_fix, "--no-fix"))


@cli.command(epilog=EPILOG)
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
    "format, archive (articles: archive links for dead URLs), or all) [default: all but "
    "format].",
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
@click.option(
    "--offline", is_flag=True, help="Use only the on-disk cache (e.g. right after a check)."
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the on-disk cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Where the cache lives.")
@click.option("--mailto", help="Your e-mail address for the registries' polite pools.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Seconds to wait for one answer.",
)
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, exists=True), help="Settings file."
)
@click.option("-q", "--quiet", is_flag=True, help="Do not list the changes.")
@click.option(
    "--from",
    "source_format",
    type=click.Choice(["auto", "bib", "wikitext", "text"]),
    default="auto",
    show_default=True,
    help="What BIB is: a .bib file, or an article (wikitext file or wiki page URL) whose "
    "{{cite}} templates get the fixes.",
)
@click.option(
    "--allow-private-urls",
    is_flag=True,
    help="Articles: allow link checks of loopback / private addresses (as for check).",
)
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
    offline: bool,
    no_cache: bool,
    cache_dir: str | None,
    mailto: str | None,
    timeout: float | None,
    config_file: str | None,
    quiet: bool,
    source_format: str,
    allow_private_urls: bool,
) -> None:
    """Write a cleaned copy of BIB (default: references.bib), or of an article.

    Only what you allow changes: identifiers normalised, page ranges with '--', missing
    DOI/PMID/PMCID added and wrong pages / volume / issue / year / journal corrected — but
    only from a registry record that matches the citation's identifier, title and first
    author.  Keys, order, comments, @string blocks, unknown fields, titles and names are
    never touched.  Every change is listed with its reason and source.
    """
    from citetrack.export.bibtex import export_bib, plan_local_fixes, unified_diff
    from citetrack.export.fixes import registry_fixes
    from citetrack.fsutil import atomic_write_bytes
    from citetrack.model import Source

    if in_place and output:
        raise click.UsageError("--in-place and --output contradict each other")
    if no_backup and not in_place:
        raise click.UsageError("--no-backup only goes with --in-place")
    settings = _settings(
        config_file=config_file,
        cache_dir=cache_dir,
        mailto=mailto,
        no_cache=no_cache,
        offline=offline,
        timeout=timeout,
        prefer=prefer,
        allow_private_urls=allow_private_urls,
    )
    kinds = _fix_kinds(fix or settings.fix, no_fix or settings.no_fix)
    path = bib or "references.bib"
    from citetrack import articles as article_inputs

    if article_inputs.split_inputs([path], source_format)[1]:  # type: ignore[arg-type]
        _export_article(
            path,
            settings=settings,
            kinds=kinds,
            output=output,
            in_place=in_place,
            no_backup=no_backup,
            show_diff=show_diff,
            dry_run=dry_run,
            quiet=quiet,
            source_format=source_format,
        )
        return
    needs_registry = bool(kinds & {"add-ids", "metadata"})
    if needs_registry:
        result, loaded = _run_check(
            bibs=[path],
            settings=settings,
            no_links=True,
            links_only=False,
            archives="cited",
            show_progress=not quiet and sys.stderr.isatty(),
        )
    else:
        loaded, _ = _load_bibs([path])
    bibliography = loaded[0]
    fixes = plan_local_fixes(bibliography, kinds)
    if needs_registry:
        fixes += registry_fixes(result, kinds, Source(settings.prefer))
    outcome = export_bib(bibliography, fixes)
    if not quiet:
        for change in outcome.changes:
            old = "(added)" if change.old_value is None else repr(change.old_value)
            click.echo(
                _inert(
                    f"{path}:{change.line}: {change.key}.{change.field}: {old} -> "
                    f"{change.new_value!r} ({change.reason}; {change.source})"
                ),
                err=True,
            )
        for skipped in outcome.skipped:
            where = f"{path}:{skipped.line}: " if skipped.line else f"{path}: "
            _warn(f"{where}not changed: {skipped.fix.key}.{skipped.fix.field}: {skipped.reason}")
    if show_diff:
        click.echo(unified_diff(bibliography.text, outcome.text, path), nl=False)
        return
    if dry_run:
        _warn_info(f"{len(outcome.changes)} changes (dry run: nothing written)")
        return
    data = outcome.text.encode("utf-8")
    try:
        if in_place:
            if outcome.text == bibliography.text:
                _warn_info(f"{path}: nothing to change")
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
        _fail(f"{output or path}: cannot write: {exc.strerror or exc}")
    if not quiet and (in_place or output):
        _warn_info(f"{len(outcome.changes)} changes written to {output or path}")


def _export_article(
    path: str,
    *,
    settings: Any,
    kinds: frozenset[str],
    output: str | None,
    in_place: bool,
    no_backup: bool,
    show_diff: bool,
    dry_run: bool,
    quiet: bool,
    source_format: str,
) -> None:
    """``export`` for an article (issue 14): minimal edits inside its {{cite}} templates."""
    from citetrack import articles as article_inputs
    from citetrack.export.bibtex import unified_diff
    from citetrack.export.wikitext import apply_plans
    from citetrack.fsutil import atomic_write_bytes
    from citetrack.inputs.article import read_article
    from citetrack.inputs.article_load import InputError, read_exact
    from citetrack.inputs.mediawiki import is_page_url
    from citetrack.model import ArticleInfo, Source

    if is_page_url(path):
        if in_place:
            raise click.UsageError("--in-place needs a file; give -o FILE for a wiki page")
        article = _load_articles([path], source_format, _net_config(settings))[0]
    else:
        try:
            text = read_exact(path)
        except InputError as exc:
            _fail(str(exc))
        fmt = source_format if source_format in ("wikitext", "text") else None
        article = read_article(
            text,
            ArticleInfo(source=path, format=""),
            display="<stdin>" if path == "-" else path,
            fmt=fmt,  # type: ignore[arg-type]
        )
    if article.info.format != "wikitext":
        _fail(
            f"{path}: this is rendered text: it has no {{{{cite}}}} templates to edit. "
            "Export the article's wikitext instead (a .wiki file, or the page URL; "
            "`citetrack check` reports on the text as it is)."
        )
    result = None
    corrected: dict[str, str] = {}
    if kinds & {"add-ids", "metadata", "archive"}:
        result, _ = _run_check(
            bibs=[path],
            settings=settings,
            no_links="archive" not in kinds,
            links_only=False,
            archives="cited",
            show_progress=not quiet and sys.stderr.isatty(),
            preloaded=[article],
        )
        if "metadata" in kinds:
            corrected = article_inputs.correct_pmids(result, _net_config(settings))
    plans = article_inputs.plan_export(
        article, result, prefer=Source(settings.prefer), corrected=corrected
    )
    outcome = apply_plans(article.text, article.references, plans, kinds)
    name = article.info.name
    if not quiet:
        for e in outcome.edits:
            old = "(added)" if e.old is None else repr(e.old)
            click.echo(
                _inert(
                    f"{name}:{e.line}: {e.key}: {e.param}: {old} -> {e.new!r} "
                    f"({e.reason}; {e.source})"
                ),
                err=True,
            )
        for skip in outcome.skipped:
            _warn(f"{name}:{skip.line}: not changed: {skip.key}.{skip.param}: {skip.reason}")
        _warn_info(f"edit summary: {outcome.summary}")
    if show_diff:
        click.echo(unified_diff(article.text, outcome.text, name), nl=False)
        return
    if dry_run:
        _warn_info(f"{len(outcome.edits)} edits (dry run: nothing written)")
        return
    data = outcome.text.encode("utf-8")
    try:
        if in_place:
            if outcome.text == article.text:
                _warn_info(f"{path}: nothing to change")
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
        _fail(f"{output or path}: cannot write: {exc.strerror or exc}")
    if not quiet and (in_place or output):
        _warn_info(f"{len(outcome.edits)} edits written to {output or path}")


def _net_config(settings: Any) -> Any:
    """The network settings of a run (environment, config file, flags)."""
    import dataclasses

    from citetrack.net import NetConfig

    try:
        net = NetConfig.from_env({})
        return dataclasses.replace(
            net,
            mailto=settings.mailto,
            ncbi_api_key=settings.ncbi_api_key,
            connect_timeout=min(net.connect_timeout, settings.timeout),
            read_timeout=settings.timeout,
            total_timeout=2 * settings.timeout,
            **{
                name: getattr(settings, name)
                for name in ("crossref_url", "eutils_url", "idconv_url", "doi_url", "wayback_url")
                if getattr(settings, name)
            },
        )
    except ValueError as exc:
        _fail(str(exc))


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: runs the CLI and turns stray errors into exit code 2.

    A traceback is never shown unless ``CITETRACK_DEBUG=1``: users get one line saying
    what went wrong instead.
    """
    try:
        # Not standalone: click would turn Ctrl-C into "Aborted!" and exit 1, which a CI
        # job reads as "broken citations found".
        rv = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="citetrack",
            standalone_mode=False,
        )
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("citetrack: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except Exception as exc:  # the last line of defence against tracebacks
        if os.environ.get("CITETRACK_DEBUG"):
            raise
        click.echo(
            f"citetrack: internal error: {type(exc).__name__}: {_inert(str(exc))} "
            "(set CITETRACK_DEBUG=1 for the traceback, and please report it)",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    sys.exit(rv if isinstance(rv, int) else EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    main()
