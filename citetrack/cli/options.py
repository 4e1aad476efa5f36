"""The options that several commands take, declared once, and how they become Settings.

Each group of shared options is one decorator that adds the options to a command and
hands the command their values as one named tuple (:class:`SettingsFlags`,
:class:`RunFlags`, :class:`ConfirmFlags`, :class:`StoreFlags`), so that a command's
signature names only what is its own.  :func:`settings_from` layers the flags over the
config file and environment.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from citetrack.cli.output import EXTENSION_FORMATS, FORMAT_NAMES, fail, warn

if TYPE_CHECKING:
    from citetrack.config import Settings


#: ``--new-only`` of ``check`` and ``merge`` (:mod:`citetrack.tracking.lockfile.gate`).
NEW_ONLY_HELP = (
    "Pull-request gate: report only findings the lockfile does not already record. "
    "A reference the change adds or edits (a key or identifiers the lockfile does not "
    "know) that could not be verified makes the exit code 4 (pending), not 3; findings "
    "from upstream (a retraction, a dead URL) on references it did not touch are listed "
    "but do not fail it."
)


class FiniteFloat(click.FloatRange):
    """A float in a range that is also finite: ``nan`` passes every comparison and ``inf``
    every minimum, so FloatRange alone lets both through (to crash later)."""

    name = "finite float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


Command = Callable[..., Any]


def _grouped(
    flags: type[Any], argument: str, options: Sequence[Callable[[Command], Command]]
) -> Callable[[Command], Command]:
    """A decorator adding ``options`` to a command, whose values it passes as one
    ``flags`` object in the keyword argument ``argument``."""
    names = list(flags._fields)

    def decorate(command: Command) -> Command:
        @functools.wraps(command)
        def collected(*args: Any, **kwargs: Any) -> Any:
            group = flags(**{name: kwargs.pop(name) for name in names})
            return command(*args, **kwargs, **{argument: group})

        decorated: Command = collected
        for option in reversed(options):
            decorated = option(decorated)
        return decorated

    return decorate


class SettingsFlags(NamedTuple):
    """Where the settings come from and the network and cache flags (check, lock, export)."""

    mailto: str | None
    no_cache: bool
    offline: bool
    cache_dir: str | None
    timeout: float | None
    config_file: str | None
    encoding: str | None


def _codec(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from citetrack.inputs.encoding import codec_name

    try:
        return None if value is None else codec_name(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


settings_options = _grouped(
    SettingsFlags,
    "given",
    [
        click.option(
            "--mailto",
            help="Your e-mail address for the registries' polite pools "
            "(or CITETRACK_MAILTO, or mailto in the config).",
        ),
        click.option(
            "--no-cache",
            is_flag=True,
            help="Neither read nor write the on-disk cache (with --offline: no registry "
            "answer at all, only the checks that need none).",
        ),
        click.option(
            "--offline",
            is_flag=True,
            help="Use only the on-disk cache (e.g. right after a check); what is not "
            "cached is 'unverified'.",
        ),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False),
            help="Where the cache lives (default: the user cache directory).",
        ),
        click.option(
            "--timeout",
            type=FiniteFloat(min=0.1),
            default=None,
            help="Seconds to wait for one answer before retrying [default: 30].",
        ),
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False, exists=True),
            help="Read settings from this file instead of the nearest citetrack.toml "
            "or pyproject.toml [tool.citetrack].",
        ),
        click.option(
            "--encoding",
            metavar="NAME",
            callback=_codec,
            help="The .bib files' encoding (e.g. latin-1, cp1252, gbk) [default: UTF-8, "
            "else detected: Latin-1 or Windows-1252]; export writes them back in it.",
        ),
    ],
)


#: ``--allow-private-urls``: check takes it with the run flags, export on its own.
allow_private_urls_option = click.option(
    "--allow-private-urls",
    is_flag=True,
    help="Allow links to loopback / private addresses (off by default: a "
    ".bib from a pull request must not make citetrack probe your network).",
)

#: ``--from`` (issue 14): what the inputs are (check, lock, export).
source_option = click.option(
    "--from",
    "source_format",
    type=click.Choice(["auto", "bib", "wikitext", "text"]),
    default="auto",
    show_default=True,
    help="What the inputs are: .bib files, wikitext articles or rendered text (auto: by "
    "name and content; a http(s) URL is a wiki page, read through its MediaWiki API).",
)


class RunFlags(NamedTuple):
    """What a check run looks at and how it reports progress (check, lock)."""

    no_links: bool
    links_only: bool
    archives: str
    allow_private_urls: bool
    per_host_interval: float | None
    lockfile: str | None
    no_lockfile: bool
    max_cache_age: float | None
    verbose: int
    quiet: bool
    color: bool | None


run_options = _grouped(
    RunFlags,
    "run",
    [
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
        allow_private_urls_option,
        click.option(
            "--per-host-interval",
            type=FiniteFloat(min=0),
            default=None,
            help="Seconds between two requests to one web host [default: 1].",
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
            "--max-cache-age",
            type=FiniteFloat(min=0),
            default=None,
            metavar="HOURS",
            help="With a lockfile, fetch again cached answers older than this, so that "
            "upstream changes are seen (or max_cache_age_hours in the config) [default: 6].",
        ),
        click.option(
            "-v",
            "--verbose",
            count=True,
            help="Show notes and the number of HTTP requests per service.",
        ),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            help="No progress bar and no summary line: only the report's findings, its "
            "notes on the inputs and one line per cause of what could not be checked "
            "(nothing at all when there are none).",
        ),
        click.option(
            "--color/--no-color",
            default=None,
            help="Force colour on or off [default: on for a terminal, off with NO_COLOR].",
        ),
    ],
)


class ConfirmFlags(NamedTuple):
    """When a failure becomes 'broken' (check, lock)."""

    confirm_failures: int | None
    confirm_days: int | None


confirm_options = _grouped(
    ConfirmFlags,
    "confirm",
    [
        click.option(
            "--confirm-failures",
            type=click.IntRange(min=1),
            default=None,
            help="A dead URL / unknown DOI is broken after this many failed runs [default: 3] …",
        ),
        click.option(
            "--confirm-days",
            type=click.IntRange(min=1),
            default=None,
            help="… spread over at least this many calendar days, counting the first [default: 3].",
        ),
    ],
)


class StoreFlags(NamedTuple):
    """Where the registry answers are kept: a shared store (check, lock)."""

    store: str | None
    store_required: bool


store_options = _grouped(
    StoreFlags,
    "shared",
    [
        click.option(
            "--store",
            metavar="URI",
            help="A shared evidence store, postgresql://user@host/db (or CITETRACK_STORE, "
            "or store in the config), instead of the local cache.",
        ),
        click.option(
            "--store-required",
            is_flag=True,
            help="Exit 2 if the shared store cannot be reached, instead of falling back "
            "to the local cache.",
        ),
    ],
)


def _parse_shard(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    from citetrack.shard import Shard, ShardError

    try:
        return Shard.parse(value) if value else None
    except ShardError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


shard_option = click.option(
    "--shard",
    metavar="K/N",
    callback=_parse_shard,
    help="Check only the K-th of N slices of the distinct identifiers and URLs (for a CI "
    "matrix); writes --format json; combine the slices with 'citetrack merge', which "
    "applies the lockfile (--update-lock here: answers fetched in this run, for 'merge "
    "--update-lock').",
)

#: A collection: files, directories (every .bib below them) and glob patterns.
bib_arguments = click.argument("bibs", nargs=-1, type=click.Path())


def parse_outputs(values: Sequence[str], default_format: str) -> list[tuple[str, str]]:
    """``--output FORMAT=FILE``, or ``--output FILE`` in the format its extension names
    (``.sarif``, ``.json``, ``.xml`` JUnit, ``.md``, ``.txt``), else in ``--format``;
    repeatable.  ``NAME=FILE`` with an unknown format name is a usage error, not a file
    called ``NAME=FILE``."""
    outputs: list[tuple[str, str]] = []
    for value in values:
        fmt, sep, path = value.partition("=")
        if sep and fmt in FORMAT_NAMES:
            outputs.append((fmt, path))
        elif sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", fmt):
            raise click.BadParameter(
                f"unknown format {fmt!r} in {value!r} (known: {', '.join(FORMAT_NAMES)})",
                param_hint="--output",
            )
        else:
            suffix = PurePath(value).suffix.lower()
            outputs.append((EXTENSION_FORMATS.get(suffix, default_format), value))
    for fmt, path in outputs:
        if not path:
            raise click.BadParameter(f"no file name given for {fmt}", param_hint="--output")
        if path == "-":  # would be a file named '-'; the --format report is on stdout already
            raise click.BadParameter(
                "'-' is not a file name here: the --format report already goes to standard "
                "output; give a file name, or --format to choose what standard output gets",
                param_hint="--output",
            )
        # Said before the check, not after it: a report that cannot be written ended a
        # long run with exit 2 after the other reports and standard output had the result.
        target = Path(path)
        if target.is_dir():
            raise click.BadParameter(f"{path} is a directory", param_hint="--output")
        if not target.parent.is_dir():
            raise click.BadParameter(
                f"cannot write {path}: no directory {target.parent}", param_hint="--output"
            )
    return outputs


def settings_from(
    given: SettingsFlags,
    *,
    run: RunFlags | None = None,
    confirm: ConfirmFlags | None = None,
    shared: StoreFlags | None = None,
    fail_on: str | None = None,
    prefer: str | None = None,
    allow_private_urls: bool = False,
) -> Settings:
    """Settings from the config file and environment, with the flags the user gave on top.

    Boolean flags only ever switch something on, so an absent flag leaves the config's
    value alone; a bad config or option value ends the run with exit code 2.
    """
    from citetrack.config import ConfigError, load_settings, parse_severity

    overrides: dict[str, Any] = {
        "mailto": given.mailto,
        "use_cache": False if given.no_cache else None,
        "offline": True if given.offline else None,
        "cache_dir": Path(given.cache_dir) if given.cache_dir else None,
        "timeout": given.timeout,
        "prefer": prefer,
        "encoding": given.encoding,
    }
    if run is not None:
        allow_private_urls = allow_private_urls or run.allow_private_urls
    overrides["allow_private_urls"] = True if allow_private_urls else None
    if run is not None:
        overrides["per_host_interval"] = run.per_host_interval
        overrides["max_cache_age_hours"] = run.max_cache_age
    if confirm is not None:
        overrides["confirm_failures"] = confirm.confirm_failures
        overrides["confirm_days"] = confirm.confirm_days
    if shared is not None:
        overrides["store"] = shared.store
    config = Path(given.config_file) if given.config_file else None
    try:
        if fail_on:
            overrides["fail_on"] = parse_severity(fail_on, source="--fail-on")
        settings = load_settings(config=config, overrides=overrides)
    except ConfigError as exc:
        fail(str(exc))
    for notice in settings.notices:
        warn(notice)
    if settings.store and not settings.store.startswith(("postgresql://", "postgres://")):
        raise click.BadParameter("must be a postgresql:// URI", param_hint="--store")
    return settings
