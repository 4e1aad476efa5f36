"""Get an article's text from where the user pointed: a file, standard input or a wiki page.

The I/O edge of article input: files and standard input through
:mod:`citetrack.inputs.textio` (or byte for byte, for the exporter), wiki pages through
:mod:`citetrack.inputs.mediawiki` with the registry client of :mod:`citetrack.net`.  What
comes back is read by :func:`citetrack.inputs.article.read_article`.
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from citetrack.inputs.article import (
    WIKITEXT_SUFFIXES,
    Article,
    ArticleFormat,
    InputFormat,
    read_article,
    wants_article,
)
from citetrack.inputs.mediawiki import WikiError, fetch_revision, is_page_url, page_ref
from citetrack.inputs.textio import (
    MAX_INPUT_BYTES,
    InputError,
    decode_text,
    read_bytes,
    read_text,
)
from citetrack.model import ArticleInfo
from citetrack.net import Http, NetConfig, make_client

__all__ = [
    "InputError",
    "WikiError",
    "fetch_page",
    "load_article",
    "page_name",
    "read_exact",
    "split_inputs",
]

#: How much of a file is read to tell an article from a .bib file.
_HEAD_BYTES = 4096


def _head(arg: str) -> str | None:
    """The start of a regular file's text (never of a pipe or device: it could block), or
    of standard input (read whole and put back for the reader that follows: it is read
    anyway, being an input)."""
    if arg == "-":
        return _stdin_head()
    if arg.lower().startswith(("http://", "https://")):
        return None
    try:
        if not Path(arg).is_file():
            return None
        with Path(arg).open("rb") as handle:
            return handle.read(_HEAD_BYTES).decode("utf-8", "replace")
    except OSError:
        return None


def _stdin_head() -> str | None:
    """The start of standard input, which is then given back whole to the next reader
    (``cat refs.bib | citetrack check -`` is a .bib, read by the .bib loader)."""
    if sys.stdin is None or sys.stdin.isatty():
        return None
    try:
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    except (OSError, AttributeError, ValueError):
        return None
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace")
    return data[:_HEAD_BYTES].decode("utf-8", "replace")


def split_inputs(args: Sequence[str], fmt: InputFormat) -> tuple[list[str], list[str]]:
    """(.bib files, articles) among a command's arguments, each in its order."""
    bibs: list[str] = []
    articles: list[str] = []
    for arg in args:
        (articles if wants_article(arg, fmt, _head(arg)) else bibs).append(arg)
    return bibs, articles


def page_name(title: str) -> str:
    """A page title as the name its references are tracked under (``A_b`` for ``A b``)."""
    return title.replace(" ", "_").replace("/", "%2F")


async def _fetch(url: str, environ: Mapping[str, str], net: NetConfig) -> tuple[str, ArticleInfo]:
    page = page_ref(url, environ)
    async with make_client(net) as client:
        revision = await fetch_revision(Http.from_config(client, net), page)
    info = ArticleInfo(
        source=url,
        format="wikitext",
        title=revision.title,
        revision=revision.revid,
        timestamp=revision.timestamp,
        api_url=page.api_url,
    )
    return revision.text, info


def fetch_page(url: str, *, environ: Mapping[str, str], net: NetConfig) -> tuple[str, ArticleInfo]:
    """The wikitext of the revision a page URL names, and which revision it is
    (:class:`WikiError` if it could not be fetched): what ``citetrack parse URL`` reads,
    fetched as ``check`` fetches it."""
    return asyncio.run(_fetch(url, environ, net))


def load_article(
    arg: str,
    fmt: ArticleFormat | None,
    *,
    environ: Mapping[str, str],
    net: NetConfig,
    exact: bool = False,
) -> Article:
    """The article named by ``arg`` (file, ``-`` or page URL), read and located.

    ``exact``: a file's text as stored (see :func:`read_exact`), for the exporter.

    Raises :class:`InputError` for an unreadable file and :class:`WikiError` for a page
    that could not be fetched.
    """
    if is_page_url(arg):
        text, info = fetch_page(arg, environ=environ, net=net)
        # A wiki page's revision is wikitext, whatever it holds: one whose only footnotes
        # are {{efn}} notes has nothing that looks like wikitext, and read as a rendered
        # list every line would be a doubtful "reference".
        fmt = fmt or "wikitext"
        return read_article(text, info, display=page_name(info.title or arg), fmt=fmt)
    text = read_exact(arg) if exact else read_text(arg)
    name = "<stdin>" if arg == "-" else arg
    if fmt is None and Path(arg).suffix.lower() in WIKITEXT_SUFFIXES:
        fmt = "wikitext"  # so named: wikitext, as for a page (--from text says otherwise)
    return read_article(text, ArticleInfo(source=name, format=fmt or ""), display=name, fmt=fmt)


def read_exact(path: str) -> str:
    """A file's text exactly as stored (BOM and line endings kept), for byte-exact rewriting."""
    name = "<stdin>" if path == "-" else path
    # bounded, devices refused (issue 18)
    data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1) if path == "-" else read_bytes(path)
    decode_text(data, name)  # the checks, the size cap and the messages of every other input
    return data.decode("utf-8")
