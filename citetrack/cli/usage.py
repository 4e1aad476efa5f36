"""A usage error (exit 2: an unknown option, a bad value, options that contradict each
other) says why in the reports the run was asked for, as every other exit-2 error does
(:func:`~citetrack.cli.output.failure_reported`, :mod:`citetrack.report.failure`).

click reports a usage error on standard error only, and a CI job reads its annotations,
its JSON and its step summary: ``check --format json -o report.json --fial-on warning``
left the job's JSON reader nothing at all to read.  :class:`ReportingCommand` (``check``
and ``merge``) catches the error where click raises it — while parsing the command line,
or in the command itself — and writes it to standard output in ``--format`` and to each
``-o`` file it can tell from the command line, then lets click say it as before.

When the command line did not parse, its ``--format`` and ``-o`` values are read from the
words as given (:func:`asked_reports`): leniently, a value that is itself wrong (an unknown
format) is left out, never guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from citetrack.cli.output import EXIT_USAGE, FORMAT_NAMES, report_failure


class ReportingCommand(click.Command):
    """A command whose usage errors reach the reports it was asked for (see the module)."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        words = list(args)  # click consumes the list it parses
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            fmt, outputs = asked_reports(words)
            report_failure(fmt, outputs, exc.format_message(), code=EXIT_USAGE)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            fmt = ctx.params.get("fmt")
            outputs = _valid_outputs(ctx.params.get("outputs") or (), fmt)
            report_failure(
                fmt if fmt in FORMAT_NAMES else "text",
                outputs,
                exc.format_message(),
                code=EXIT_USAGE,
            )
            raise


def asked_reports(words: Sequence[str]) -> tuple[str, list[tuple[str, str]]]:
    """The ``--format`` (``"text"`` if none, or not a format) and the ``-o`` reports
    (format, file) a command line asks for, read from its ``words`` as given."""
    fmt = "text"
    given: list[str] = []
    at = 0
    while at < len(words):
        word = words[at]
        if word == "--":
            break
        for names, into in ((("-f", "--format"), "f"), (("-o", "--output"), "o")):
            value = _value(word, names, words, at)
            if value is None:
                continue
            if value[1]:
                at += 1  # the value was the next word
            if into == "f":
                fmt = value[0] if value[0] in FORMAT_NAMES else "text"
            else:
                given.append(value[0])
            break
        at += 1
    return fmt, _valid_outputs(given, fmt)


def _value(
    word: str, names: tuple[str, str], words: Sequence[str], at: int
) -> tuple[str, bool] | None:
    """The value ``word`` gives the option ``names`` (short, long), and whether it is the
    next word; ``None`` when ``word`` is not that option (or has no value)."""
    short, long = names
    if word in names:
        if at + 1 < len(words) and not words[at + 1].startswith("-"):
            return words[at + 1], True
        return None
    if word.startswith(long + "="):
        return word[len(long) + 1 :], False
    if word.startswith(short) and not word.startswith("--") and len(word) > len(short):
        return word[len(short) :], False
    return None


def _valid_outputs(given: Sequence[str], fmt: str | None) -> list[tuple[str, str]]:
    """Each ``-o`` value that names a report file (those that do not are left out)."""
    from citetrack.cli.options import parse_outputs

    outputs: list[tuple[str, str]] = []
    for value in given:
        try:
            outputs += parse_outputs([value], fmt if fmt in FORMAT_NAMES else "text")
        except click.BadParameter:
            continue
    return outputs
