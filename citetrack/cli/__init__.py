"""The ``citetrack`` command: the click group, its commands, and the console entry point.

Each command turns options into settings, makes one call to :mod:`citetrack.api`, prints
or writes the result and picks the exit code.  Heavy modules (httpx, bibtexparser, rich)
are imported inside the commands so that ``citetrack --help`` starts fast.

The package, one job per module: :mod:`~citetrack.cli.options` (options shared by several
commands, declared once, and how they become settings), :mod:`~citetrack.cli.output`
(messages, progress bar, reports, exit codes), and one module per command:
:mod:`~citetrack.cli.parse_cmd`, :mod:`~citetrack.cli.check_cmd` (``check`` and
``lock``), :mod:`~citetrack.cli.export_cmd`, :mod:`~citetrack.cli.merge_cmd`.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it; 2 usage or
input error; 3 nothing broken, but some references could not be verified.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import click

from citetrack import __version__
from citetrack.cli import memory
from citetrack.cli.check_cmd import check, lock
from citetrack.cli.export_cmd import export
from citetrack.cli.merge_cmd import merge
from citetrack.cli.output import (
    EPILOG_MAIN,
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_UNVERIFIED,
    EXIT_USAGE,
    inert,
)
from citetrack.cli.parse_cmd import parse

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_OK",
    "EXIT_UNVERIFIED",
    "EXIT_USAGE",
    "cli",
    "main",
    "run",
]


@click.group(epilog=EPILOG_MAIN, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citetrack")
def cli() -> None:
    """Keep bibliographies honest.

    Parse a reference list into BibTeX, check every DOI, PMID and URL against Crossref,
    PubMed, doi.org and the Wayback Machine, remember what was seen in a lockfile, and
    export a cleaned .bib.
    """


for _command in (parse, check, lock, export, merge):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: runs the CLI and turns stray errors into exit code 2.

    A traceback is never shown unless ``CITETRACK_DEBUG=1``: users get one line saying
    what went wrong instead.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)  # KeyboardInterrupt again
        sys.unraisablehook = _interrupt_is_never_ignored
        _watch_interrupts()
    memory.collect_less_often()
    if argv is None:  # the process's own command line: it exits after this command
        memory.process_run()
    _usable_standard_streams()
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
        if _is_an_interrupt(exc) or _interrupted():
            click.echo("citetrack: interrupted", err=True)
            sys.exit(130)
        if _unreadable_record(exc):
            click.echo(f"citetrack: error: {inert(str(exc))}", err=True)
            sys.exit(EXIT_USAGE)
        if os.environ.get("CITETRACK_DEBUG"):
            raise
        click.echo(
            f"citetrack: internal error: {type(exc).__name__}: {inert(str(exc))} "
            "(set CITETRACK_DEBUG=1 for the traceback, and please report it)",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    sys.exit(rv if isinstance(rv, int) else EXIT_OK)


def run() -> NoReturn:
    """The process's entry point (``python -m citetrack``, the ``citetrack`` script):
    :func:`main`, then the exit without tearing the heap down.

    A check ends holding everything it built — for 10,000 references a few hundred
    thousand objects — and a normal exit frees them one by one (the frames' locals as the
    exit unwinds, then every module): 0.35-0.4 s of a cold 10,000-reference run, after
    the report is out (issue 16).  The operating system takes the memory back at once.
    Everything a normal exit does that anyone can see is still done, in its order: the
    other (non-daemon) threads are waited for, the ``atexit`` functions run (logging's
    flush, the finalizers of temporary folders), the standard streams are flushed.  If
    flushing fails (a closed pipe), the normal exit reports it.  :func:`main` itself,
    which the tests call, exits normally.
    """
    try:
        try:
            main()
        except SystemExit as exc:  # always: main() ends with sys.exit
            # Inside this block the exception's traceback keeps the frames, and so the
            # result, alive: nothing is freed before os._exit.
            code = exc.code
            if code is not None and not isinstance(code, int):
                raise  # a message to print: the interpreter's own exit does that
            _end(code or 0, exc)
    except KeyboardInterrupt:  # landed after main's own handlers, before _end's
        _end(130, None, interrupted=True)
    raise AssertionError("main() returned")  # pragma: no cover - it always exits


def _end(code: int, exc: SystemExit | None, *, interrupted: bool = False) -> NoReturn:
    """What a normal exit does that anyone can see, then ``os._exit`` (see :func:`run`).

    Ctrl-C from here on only notes itself: raised as KeyboardInterrupt inside an exit
    function (logging's flush holds a lock) it would break that function half-way and
    print a traceback.  The exit functions finish, then the run ends "interrupted", 130.
    """
    seen = [interrupted]

    def note(signum: int, frame: object) -> None:
        seen[0] = True

    with contextlib.suppress(ValueError):  # not the main thread: nothing to swap
        signal.signal(signal.SIGINT, note)
    for thread in threading.enumerate():
        while thread is not threading.current_thread() and not thread.daemon:
            thread.join(0.05)
            if not thread.is_alive() or seen[0]:
                break
    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: closed when the process started
                stream.flush()
    except (OSError, ValueError):
        if exc is None:
            os._exit(code)
        raise exc from None
    if seen[0]:
        os.write(2, b"citetrack: interrupted\n")
        os._exit(130)
    os._exit(code)


def _is_an_interrupt(exc: BaseException | None) -> bool:
    """Whether ``exc`` is Ctrl-C that Python wrapped in another error: a KeyboardInterrupt
    raised while a class is created (``__set_name__`` of a dataclass field, as a command
    imports its modules) reaches us as ``RuntimeError: Error calling __set_name__``, with
    the interrupt as its cause."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


#: The read end of a pipe the interpreter writes each signal's number to (empty: not
#: watched), so that Ctrl-C is known even when it reached us as another error.
_SIGNALS_SEEN: list[int] = []


def _watch_interrupts() -> None:
    """Have the interpreter note every signal it receives in a pipe (its wakeup fd), once
    per process and only when no one else set one (an event loop's signal handling does).

    Ctrl-C that lands while a C extension module is imported (``PyCapsule_Import``, as
    ``import ssl`` does) reaches us as an ``ImportError`` with no trace of the interrupt:
    no cause, no context.  A Python-level SIGINT handler that remembered it would see it,
    but ``asyncio.run`` installs its own graceful Ctrl-C handling only over the default
    handler (https://docs.python.org/3/library/asyncio-runner.html#handling-keyboard-interruption),
    so the handler stays the default and the wakeup fd keeps the record.
    """
    if _SIGNALS_SEEN:
        _interrupted()  # what an earlier command of this process received is its own
        return
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    os.set_blocking(write_end, False)
    try:
        before = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    except ValueError:  # not the main thread after all
        before = -2
    if before != -1:  # someone else's: give it back
        if before >= 0:
            signal.set_wakeup_fd(before)
        os.close(read_end)
        os.close(write_end)
        return
    _SIGNALS_SEEN.append(read_end)


def _interrupted() -> bool:
    """Whether Ctrl-C (SIGINT) was received since :func:`_watch_interrupts` or the last
    call (what was noted is read, so it is said once)."""
    seen = b""
    while _SIGNALS_SEEN:
        try:
            chunk = os.read(_SIGNALS_SEEN[0], 4096)
        except OSError:  # nothing more written (EAGAIN)
            break
        seen += chunk
        if not chunk:
            break
    return signal.SIGINT.value in seen


def _unreadable_record(exc: Exception) -> bool:
    """Whether ``exc`` is the cache's :class:`~citetrack.tracking.codec.UnreadableRecord`.
    Looked up, not imported: only a run that read the cache can raise it, and ``citetrack
    --help`` does not load the cache's modules (and the data model with them)."""
    codec = sys.modules.get("citetrack.tracking.codec")
    return codec is not None and isinstance(exc, codec.UnreadableRecord)


def _interrupt_is_never_ignored(unraisable: sys.UnraisableHookArgs) -> None:
    """Ctrl-C that lands in code Python cannot raise from (a weak reference's callback,
    such as the import system's module locks, or a finaliser) ends the run as any other
    Ctrl-C: "interrupted", exit 130.  Python's default prints "Exception ignored in …"
    with a traceback and carries on as if no key had been pressed.  Every file citetrack
    writes is replaced atomically, so stopping here leaves each one old or new."""
    if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        os.write(2, b"citetrack: interrupted\n")
        os._exit(130)
    sys.__unraisablehook__(unraisable)


def _usable_standard_streams() -> None:
    """A closed standard stream is a message and exit 2, never a traceback: a closed input
    reads as empty, a closed output (nowhere to write the report) ends the run."""
    if sys.stderr is None:
        sys.stderr = Path(os.devnull).open("w")  # noqa: SIM115 - lives as long as the run
    if sys.stdin is None:
        # Empty in memory, not os.devnull: a container whose /dev/null became a regular
        # file (something renamed a file over it) gave "standard input" its contents.
        sys.stdin = io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8")
    if sys.stdout is None:
        click.echo("citetrack: error: standard output is closed; nowhere to write", err=True)
        sys.exit(EXIT_USAGE)
