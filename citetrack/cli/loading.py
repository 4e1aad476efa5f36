"""The inputs of a command read: .bib files and articles, their defects warned, and what
the report says about them (:class:`InputsRead`); an input that cannot be read ends the
run (exit 2).

Shared by ``check``, ``lock`` and ``export`` (:mod:`citetrack.cli.check_cmd`,
:mod:`citetrack.cli.export_cmd`): reading the inputs is a job of its own, the same
whichever command then checks or fixes them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from citetrack.cli import memory
from citetrack.cli.output import fail, info, warn

if TYPE_CHECKING:
    from citetrack.config import Settings
    from citetrack.inputs.article import Article
    from citetrack.inputs.bib import Bibliography, BibProblem
    from citetrack.inputs.bib.memo import EntryMemo
    from citetrack.model import Reference


@contextlib.contextmanager
def entry_memo(settings: Settings) -> Iterator[EntryMemo | None]:
    """The store of loaded .bib chunks beside the cache (none with ``--no-cache``): an
    unchanged entry is not parsed again (issue 16)."""
    if not settings.use_cache:
        yield None
        return
    from citetrack.tracking.memo import ENTRY_KIND, Memo, cache_folder

    with Memo.open(cache_folder(settings)) as memo:
        yield memo.bytes_view(ENTRY_KIND) if memo.enabled else None


def load_bibs(
    bibs: Sequence[str],
    encoding: str | None = None,
    memo: EntryMemo | None = None,
    on_chunk: Callable[[list[Reference]], None] | None = None,
    *,
    layouts: bool = True,
    warn_problems: bool = True,
) -> list[Bibliography]:
    """The bibliographies, their defects shown as warnings (``warn_problems=False``: left
    for the caller, unless the run ends here); an unreadable file ends the run (exit 2).
    ``encoding``: ``--encoding`` (else UTF-8 or detected); ``memo``: :func:`entry_memo`;
    ``on_chunk``, ``layouts``: see :func:`citetrack.api.load_bib`."""
    from citetrack.api import expand_inputs, load_bib
    from citetrack.inputs.bib.chunks import commands_only
    from citetrack.inputs.textio import InputError

    try:
        paths = expand_inputs(bibs) or ["references.bib"]
    except InputError as exc:
        fail(str(exc))
    loaded: list[Bibliography] = []
    for path in paths:
        try:
            with memory.paused(then_keep=True):  # the entries live to the end
                bibliography = load_bib(
                    path,
                    encoding=encoding,
                    memo=memo,
                    on_chunk=on_chunk,
                    layouts=layouts,
                    # BibTeX reads \bibliography{abbrev,refs} as one text: refs.bib uses the
                    # @string macros of abbrev.bib given before it.
                    macros=loaded[-1].macros if loaded else None,
                )
        except InputError as exc:
            hint = "" if bibs else " (give the .bib file to check as an argument)"
            fail(f"{exc}{hint}", path=exc.path)
        if bibliography.encoding_note:
            info(f"note: {bibliography.encoding_note}")
        # A file of only comments or @string blocks (IEEEabrv.bib) is BibTeX without entries.
        empty = (
            not bibliography.references
            and bibliography.text.strip()
            and not commands_only(bibliography.text)
        )
        for problem in bibliography.problems if warn_problems or empty else ():
            warn(f"{problem.path}:{problem.line}: {problem.message}")
        if empty:
            fail(
                f"{bibliography.path}: no reference could be read{_empty_hint(bibliography)}",
                path=bibliography.path,
            )
        loaded.append(bibliography)
    memory.keep()  # the entries live to the end of the run
    return loaded


def _empty_hint(bibliography: Bibliography) -> str:
    """Why a non-empty input gave no reference, and what to do."""
    if bibliography.problems:
        return " (every entry has a problem: see above)"
    if "@" not in bibliography.text:
        return (
            " (it is not BibTeX; to check it as an article, give --from text or --from "
            "wikitext; to turn its reference list into BibTeX: "
            f"citetrack parse {bibliography.path} -o references.bib)"
        )
    return " (no @article{…}-style entry found)"


def load_articles(
    sources: Sequence[str],
    source_format: str,
    settings: Settings,
    *,
    exact: bool = False,
    warn_problems: bool = True,
) -> list[Article]:
    """The articles (files, ``-``, wiki page URLs), their parse problems shown as warnings
    (``warn_problems=False``: left for the caller, unless the run ends here); one that
    cannot be read or fetched, or has no references, ends the run (exit 2).  ``exact``:
    files read byte for byte (for export)."""
    if not sources:  # the article readers are not imported for a .bib-only run
        return []
    from citetrack.api import SettingsError, load_article
    from citetrack.cli.output import warn
    from citetrack.inputs.mediawiki import WikiError
    from citetrack.inputs.textio import InputError

    read = []
    for source in sources:
        try:
            article = load_article(
                source,
                fmt=source_format,  # type: ignore[arg-type]
                settings=settings,
                exact=exact,
            )
        except (InputError, WikiError, SettingsError) as exc:
            fail(str(exc), path=exc.path if isinstance(exc, InputError) else None)
        for problem in article.problems if warn_problems or not article.references else ():
            warn(f"{article.info.name}:{problem.line}: {problem.message}")
        if not article.references:
            fail(f"{article.info.name}: no references found (read as {article.info.format})")
        read.append(article)
    return read


@dataclass(frozen=True)
class InputsRead:
    """What a report says about the inputs themselves: their defects (every format shows
    them as findings: a .bib's skipped entries, an article's lines not read as references
    and doubtful readings) and notes (the encoding a .bib was read in, the lines of a
    rendered article outside its reference list)."""

    problems: tuple[BibProblem, ...]
    notes: tuple[str, ...]
    #: The names the articles' references are tracked under (their problems' ``path``).
    articles: frozenset[str] = frozenset()

    def warning(self, problem: BibProblem) -> str:
        """``problem`` as the warning shown when its input is read."""
        message = problem.message
        if problem.path in self.articles and problem.key is not None:
            message = f"{problem.key}: {message}"  # as the article's reader said it
        return f"{problem.path}:{problem.line}: {message}"

    @classmethod
    def of(cls, bibs: Sequence[Bibliography], articles: Sequence[Article]) -> InputsRead:
        problems = [p for bib in bibs for p in bib.problems]
        notes = [bib.encoding_note for bib in bibs if bib.encoding_note]
        names = frozenset(article.info.name for article in articles)
        if articles:
            from citetrack.parse import unread_spans
            from citetrack.rules.bibfile import article_problems

            for article in articles:
                name = article.info.name
                keys = {ref.key for ref in article.references}
                problems += article_problems(name, article.problems, keys)
                notes += [
                    f"{name}: {span}, {'was' if count == 1 else 'were'} read as the article's "
                    "text, not as references"
                    for _, count, span in unread_spans(article.unread, article.references)
                ]
                if article.pointers:
                    notes.append(_pointers_note(name, article.pointers))
        return cls(tuple(problems), tuple(notes), names)


def _pointers_note(name: str, count: int) -> str:
    """The note for an article's short citations, which are not references of their own."""
    from citetrack.parse import pointers_said

    return f"{name}: {pointers_said(count)}, checked there: footnotes, not references of their own"
