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
from typing import NoReturn

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


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"citetrack: error: {message}", err=True)
    sys.exit(code)


def _warn(message: str) -> None:
    click.echo(f"citetrack: warning: {message}", err=True)


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
    from citetrack.bib import format_entries
    from citetrack.fsutil import atomic_write_text
    from citetrack.parse import parse_text
    from citetrack.textio import InputError, read_text

    try:
        text = read_text(input_path)
    except InputError as exc:
        _fail(str(exc))
    result = parse_text(text, fmt)  # type: ignore[arg-type]
    name = "<stdin>" if input_path == "-" else input_path
    for problem in result.problems:
        click.echo(f"{name}:{problem.line}: warning: {problem.message}", err=True)
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


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: runs the CLI and turns stray errors into exit code 2.

    A traceback is never shown unless ``CITETRACK_DEBUG=1``: users get one line saying
    what went wrong instead.
    """
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="citetrack")
    except KeyboardInterrupt:
        click.echo("citetrack: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # the last line of defence against tracebacks
        if os.environ.get("CITETRACK_DEBUG"):
            raise
        click.echo(
            f"citetrack: internal error: {type(exc).__name__}: {exc} "
            "(set CITETRACK_DEBUG=1 for the traceback, and please report it)",
            err=True,
        )
        sys.exit(EXIT_USAGE)


if __name__ == "__main__":  # pragma: no cover
    main()
