"""What the command line shows: messages on standard error, the progress bar, the reports
it renders, and the exit code a run ends with.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 usage or
input error; 3 nothing broken, but some references could not be verified; 4 (``--new-only``)
nothing broken, but a reference the change adds or edits could not be verified.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any, NoReturn

import click

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_UNVERIFIED = 3
EXIT_PENDING = 4

EPILOG = """\b
Exit codes:
  0  nothing at or above --fail-on
  1  findings at or above --fail-on (default: broken)
  2  usage or input error (unreadable file, bad option, corrupt lockfile)
  3  nothing broken, but some references could not be verified
  4  --new-only: nothing broken, but a reference the change adds or edits
     could not be verified (the gate is pending: run it again later)
"""
#: The group's: the check's codes, and where the others differ.
EPILOG_MAIN = EPILOG.replace("Exit codes:", "Exit codes (check, merge):") + (
    "  parse, export and lock: 0 done, 2 usage or input error (see their --help)\n"
)
#: ``parse`` and ``export`` write (or list) and judge nothing: their warnings go to
#: standard error and do not change the exit code.
EPILOG_WRITE = """\b
Exit codes:
  0  written (warnings, if any, on standard error)
  2  usage or input error (unreadable file, nothing to read, cannot write)
"""
#: ``lock`` accepts what it sees, broken references included (its summary counts them).
EPILOG_LOCK = """\b
Exit codes:
  0  the lockfile written (broken references too: the summary counts them)
  2  usage or input error (unreadable file, bad option, corrupt lockfile)
"""

FORMAT_NAMES = ("text", "lines", "json", "junit", "sarif", "github", "markdown")
#: ``-o FILE``: the format a file name's extension stands for.
EXTENSION_FORMATS = {
    ".sarif": "sarif",
    ".json": "json",
    ".xml": "junit",
    ".md": "markdown",
    ".txt": "text",
}
SEVERITY_NAMES = ("broken", "changed", "warning", "unverified", "note")


def inert(message: str) -> str:
    """Messages quote keys and values from the user's files: no escapes reach the terminal."""
    from citetrack.report._escape import sanitize

    return sanitize(message)


class Failed(SystemExit):
    """The exit of a run that ended in an error (:func:`fail`): its message and the file
    at fault, for the reports a check was asked for (:mod:`citetrack.report.failure`)."""

    def __init__(self, message: str, code: int, path: str | None) -> None:
        super().__init__(code)
        self.message = message
        self.path = path


def fail(message: str, code: int = EXIT_USAGE, *, path: str | None = None) -> NoReturn:
    """``citetrack: error: …`` on standard error, then exit (2 unless told otherwise);
    ``path``: the file at fault, if one is (a check's reports annotate it)."""
    click.echo(f"citetrack: error: {inert(message)}", err=True)
    raise Failed(message, code, path)


#: The reports the current run wrote in full (``"-"``: standard output), which an error
#: after them must not replace (:func:`failure_reported`).
_WRITTEN: ContextVar[set[str] | None] = ContextVar("citetrack_reports_written", default=None)


def report_written(target: str) -> None:
    """Note that the report ``target`` (a file, or ``"-"`` for standard output) was
    written in full: an error later in the run says itself elsewhere, not over it."""
    written = _WRITTEN.get()
    if written is not None:
        written.add(target)


@contextlib.contextmanager
def failure_reported(fmt: str, report_files: Sequence[tuple[str, str]]) -> Iterator[None]:
    """A check that ends in an error (exit 2) says it in the reports it was asked for too
    (standard output's format, ``-o`` files; :mod:`citetrack.report.failure`): a CI job
    reads its annotations, JSON and step summary, not standard error.  A report this run
    already wrote in full (:func:`report_written`: a report file written before another
    could not be) is kept, and standard output gets no second document after its report."""
    token = _WRITTEN.set(set())
    try:
        yield
    except Failed as exc:
        code = exc.code if isinstance(exc.code, int) else EXIT_USAGE
        written = _WRITTEN.get() or set()
        report_failure(fmt, report_files, exc.message, path=exc.path, code=code, kept=written)
        raise
    finally:
        _WRITTEN.reset(token)


def report_failure(
    fmt: str,
    report_files: Sequence[tuple[str, str]],
    message: str,
    *,
    path: str | None = None,
    code: int = EXIT_USAGE,
    kept: Collection[str] = (),
) -> None:
    """``message`` (a run ending with exit ``code``; ``path``: the file at fault) on
    standard output in ``fmt`` (not for ``text``: standard error says it) and in each
    report file, but those in ``kept`` (``"-"``: standard output)."""
    from citetrack.fsutil import atomic_write_text
    from citetrack.report.failure import format_failure

    said = format_failure(fmt, message, path=path, code=code)
    if said is not None and fmt != "text" and "-" not in kept:
        click.echo(said, nl=False)
    for out_fmt, out_path in report_files:
        if out_path in kept:
            continue
        text = format_failure(out_fmt, message, path=path, code=code)
        if text is not None:
            with contextlib.suppress(OSError):  # the error itself may be this file's
                atomic_write_text(out_path, text)


def warn(message: str) -> None:
    click.echo(f"citetrack: warning: {inert(message)}", err=True)


def info(message: str) -> None:
    click.echo(f"citetrack: {inert(message)}", err=True)


def show_requests(requests: Any) -> None:
    """The HTTP requests per service (``-v``)."""
    counts = ", ".join(f"{n} {s}" for s, n in sorted(requests.items())) or "none"
    info(f"HTTP requests: {counts}")


def wants_progress(quiet: bool) -> bool:
    """A progress bar only for a person watching a terminal."""
    return not quiet and sys.stderr.isatty()


class ProgressBar:
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

    def __enter__(self) -> ProgressBar:
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


def exit_code(result: Any, fail_on: Any) -> int:
    """1 for a finding at or above ``fail_on``, else 4 if something about a reference the
    change made could not be verified (``--new-only``: the gate is pending), else 3 if
    something is unverified, else 0.  A finding that came from upstream on a reference the
    change did not touch (``--new-only``, :mod:`citetrack.tracking.lockfile.gate`) is
    reported but does not make the exit code 1."""
    from citetrack.model import Severity

    unverified = pending = False
    for rr in result.results:
        for f in rr.findings:
            if f.severity.rank >= fail_on.rank and not (rr.upstream and f in rr.upstream):
                return EXIT_FINDINGS
            if f.severity is Severity.UNVERIFIED:
                unverified = True
        pending = pending or (rr.touched and rr.pending)
    if pending:
        return EXIT_PENDING
    return EXIT_UNVERIFIED if unverified else EXIT_OK


def render(
    fmt: str, result: Any, *, color: bool, verbose: int, fail_on: Any, quiet: bool = False
) -> str:
    """The report of ``result`` in format ``fmt`` (one of :data:`FORMAT_NAMES`)."""
    from citetrack.report import FORMATS
    from citetrack.report.github import format_github
    from citetrack.report.junit import format_junit
    from citetrack.report.text import format_text

    if fmt == "text":
        import shutil

        width = shutil.get_terminal_size((100, 24)).columns
        return format_text(
            result,
            color=color,
            width=max(width, 60),
            verbose=verbose > 0,
            summary_line=not quiet,
        )
    if fmt == "github":
        return format_github(result, notes=verbose > 0)
    if fmt == "junit":
        return format_junit(result, fail_on=fail_on)
    return FORMATS[fmt](result)


def render_pieces(
    fmt: str, result: Any, *, color: bool, verbose: int, fail_on: Any, quiet: bool = False
) -> Iterable[str]:
    """:func:`render`, in pieces to write as they come (JSON: about :data:`PIECE_CHARS`
    characters of references each, so that a big report is never one string in memory)."""
    if fmt == "json":
        from citetrack.report.json_report import iter_json

        return joined(iter_json(result), PIECE_CHARS)
    return [render(fmt, result, color=color, verbose=verbose, fail_on=fail_on, quiet=quiet)]


#: Characters per piece of a JSON report written to standard output.  ``click.echo``
#: flushes the stream at each call: one call per reference made 100,000 ``write`` calls
#: for a 100,000-reference report (0.3 s of CPU; issue 16).
PIECE_CHARS = 1 << 20


def joined(pieces: Iterable[str], size: int) -> Iterator[str]:
    """``pieces`` concatenated into strings of at least ``size`` characters (the last may
    be shorter; none is empty): the same text, in fewer pieces."""
    run: list[str] = []
    length = 0
    for piece in pieces:
        run.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(run)
            run, length = [], 0
    if length:
        yield "".join(run)


def use_color(flag: bool | None) -> bool:
    """``--color/--no-color`` if given, else colour for a terminal unless ``NO_COLOR``."""
    if flag is not None:
        return flag
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")
