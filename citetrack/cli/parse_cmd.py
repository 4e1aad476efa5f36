"""``citetrack parse``: a reference list (rendered text or wikitext) → BibTeX."""

from __future__ import annotations

from typing import Literal

import click

from citetrack.cli.output import EPILOG_WRITE, fail, inert


@click.command(epilog=EPILOG_WRITE)
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    help="Write the BibTeX here (atomically) instead of standard output ('-': standard output).",
)
@click.option(
    "--from",
    "fmt",
    type=click.Choice(["auto", "text", "wikitext"]),
    default="auto",
    show_default=True,
    help="Input format: a rendered reference list, or wikitext with {{cite …}} templates.",
)
@click.option(
    "--encoding",
    metavar="NAME",
    help="The list's encoding (e.g. cp1250) [default: UTF-8 or UTF-16 with its byte order "
    "mark, else detected: Latin-1 or Windows-1252].",
)
def parse(
    input_path: str,
    output: str | None,
    fmt: Literal["auto", "text", "wikitext"],
    encoding: str | None,
) -> None:
    """Turn a reference list (rendered text or wikitext) into BibTeX.

    INPUT is a whole article or just its reference list; '-' reads standard input; a
    wiki page URL (…/wiki/Title, ?oldid=REVISION) is read through the wiki's MediaWiki
    API, as check reads it (CITETRACK_WIKI_API_URL names another endpoint).  Items that
    cannot be parsed, and doubtful ones, are reported on standard error with their line
    number; everything else is still written.
    """
    from citetrack.api import format_bibtex, parse_references
    from citetrack.fsutil import atomic_write_text
    from citetrack.inputs.article import is_bib_text
    from citetrack.inputs.encoding import read_list
    from citetrack.inputs.mediawiki import is_page_url
    from citetrack.inputs.textio import InputError
    from citetrack.parse import pointers_said, unread_spans

    if is_page_url(input_path):
        if encoding is not None:
            fail("--encoding: a wiki page comes in UTF-8; --encoding is for a file")
        text, name = _read_page(input_path)
        encoding_note = None
        fmt = "wikitext" if fmt == "auto" else fmt  # a page's revision is wikitext
    else:
        try:
            text, encoding_note = read_list(input_path, encoding)
        except InputError as exc:
            fail(str(exc))
        except ValueError as exc:  # an unknown --encoding
            fail(f"--encoding: {exc}")
        name = "<stdin>" if input_path == "-" else input_path
    if encoding_note:
        click.echo(f"{inert(encoding_note)}", err=True)
    if fmt == "auto" and is_bib_text(text):
        # A .bib given by mistake would come back as @misc entries holding its own source.
        fail(
            f"{name}: is BibTeX already (it holds @type{{key, …}} entries); parse turns "
            "reference lists into BibTeX. Give it to 'citetrack check' or 'citetrack export', "
            "or pass --from text to read it as a reference list anyway"
        )
    result = parse_references(text, fmt=fmt)
    for problem in result.problems:
        click.echo(f"{name}:{problem.line}: warning: {inert(problem.message)}", err=True)
    for line, count, span in unread_spans(result.unread, result.references):
        were = "was" if count == 1 else "were"
        if result.latex:  # the paper's text around its bibliography: nothing to advise
            click.echo(f"{name}:{line}: note: {span}, the paper's text, {were} not read", err=True)
            continue
        click.echo(
            f"{name}:{line}: note: {span}, {were} taken for article text and not read; if "
            "they are references, give them list numbers or put them under a 'References' "
            "heading",
            err=True,
        )
    # {{sfn}} footnotes of full citations on the page are the page's, not works: said once.
    works = [r for r in result.references if r.key not in result.pointers]
    if result.pointers:
        count = len(result.references) - len(works)
        click.echo(
            f"{name}: note: {pointers_said(count)}, written once each, not as entries of their own",
            err=True,
        )
    if not works:
        fail(f"{name}: no references found (tried the {result.detected_format} format)")
    bibtex = format_bibtex(works)
    if output and output != "-":  # '-' is standard output, as for INPUT (not a file named '-')
        try:
            atomic_write_text(output, bibtex)
        except OSError as exc:
            fail(f"{output}: cannot write: {exc.strerror or exc}")
        said = (
            [f"{_count(len(result.problems), 'problem')} reported above"] if result.problems else []
        )
        if result.unread:
            unread = sum(span[2] for span in result.unread)
            said.append(f"{_count(unread, 'line')} outside the list not read")
        click.echo(
            f"citetrack: wrote {_count(len(works), 'reference')} to {output}"
            + (f" ({'; '.join(said)})" if said else ""),
            err=True,
        )
    else:
        click.echo(bibtex, nl=False)


def _read_page(url: str) -> tuple[str, str]:
    """The wikitext of the page ``url`` names and the name its warnings give, fetched
    through the MediaWiki API as ``check`` fetches a page; a page that cannot be
    fetched, or a bad setting, ends the run (exit 2).  Which revision was read is said on
    standard error: the page may change the next minute."""
    import os

    from citetrack.api import SettingsError, _net_config
    from citetrack.config import ConfigError, load_settings
    from citetrack.inputs.article_load import WikiError, fetch_page, page_name

    try:
        settings = load_settings()
        text, info = fetch_page(url, environ=os.environ, net=_net_config(settings))
    except (ConfigError, SettingsError, WikiError) as exc:
        fail(str(exc))
    click.echo(f"citetrack: read {inert(info.describe())}", err=True)
    return text, page_name(info.title or url)


def _count(number: int, noun: str) -> str:
    """``1 problem``, ``2 problems``: a summary line reads as a sentence."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
