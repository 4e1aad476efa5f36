"""The terminal report: one table row per reference with a problem, then a summary.

Built with rich, but every piece of data (keys, titles, messages, URLs) goes in as
:class:`rich.text.Text`, never as markup, and passes through the shared sanitizer first, so
a hostile title can inject neither rich markup, nor terminal escape sequences, nor
bidirectional overrides.  Colour only
when asked (the caller decides from ``isatty`` and ``NO_COLOR``).
"""

from __future__ import annotations

import io
from pathlib import PurePath

from rich.console import Console
from rich.table import Table
from rich.text import Text

from citetrack.model import CheckResult, Finding, ReferenceResult, Severity, Status
from citetrack.report._article import headers, where
from citetrack.report._common import present_counts
from citetrack.report._escape import sanitize
from citetrack.report.causes import split_unverified, unreachable_hint

STATUS_STYLE = {
    Status.OK: "green",
    Status.UNCHECKED: "dim",
    Status.ACCEPTED: "blue",
    Status.WARNING: "yellow",
    Status.UNVERIFIED: "cyan",
    Status.CHANGED: "magenta",
    Status.BROKEN: "bold red",
}
#: Statuses with nothing wrong (notes at most): listed only with -v.
_CLEAN = (Status.OK, Status.UNCHECKED, Status.ACCEPTED)
SEVERITY_STYLE = {
    Severity.NOTE: "dim",
    Severity.UNVERIFIED: "cyan",
    Severity.WARNING: "yellow",
    Severity.CHANGED: "magenta",
    Severity.BROKEN: "bold red",
}


def inert(value: object) -> str:
    """``value`` as one line of inert text (see :func:`~citetrack.report._escape.sanitize`).

    Escape sequences are removed; other control characters and bidirectional overrides
    (which would reorder what the terminal shows, CVE-2021-42574) are shown as ``\\xNN`` /
    ``\\uNNNN``; line breaks become spaces, so data cannot draw rows of its own.
    """
    return sanitize(value)


def _finding_text(finding: Finding) -> Text:
    text = Text()
    text.append(f"{finding.rule}", style=SEVERITY_STYLE[finding.severity])
    if finding.field:
        text.append(f" [{inert(finding.field)}]")
    text.append(": " + inert(finding.message))
    if finding.expected is not None or finding.actual is not None:
        if finding.expected is not None:
            source = f" ({finding.source.value})" if finding.source else ""
            text.append(f"\n    expected{source}: ", style="dim")
            text.append(inert(finding.expected))
        if finding.actual is not None:
            text.append("\n    found: ", style="dim")
            text.append(inert(finding.actual))
    if finding.suggestion:
        text.append("\n    suggestion: ", style="dim")
        text.append(inert(finding.suggestion))
    return text


#: Rows most severe first: what needs a fix is read first.
_ROW_ORDER = (
    Status.BROKEN,
    Status.CHANGED,
    Status.WARNING,
    Status.UNVERIFIED,
    Status.ACCEPTED,
    Status.OK,
    Status.UNCHECKED,
)


def _short_names(paths: list[str]) -> dict[str, str]:
    """Each path's last parts, as few as tell it from the others: ``refs.bib``, or
    ``a/refs.bib`` and ``c/refs.bib`` when a documentation repository has a ``refs.bib``
    in several folders (by their bare names, a row could not say which one it was)."""
    parts = {path: PurePath(path).parts for path in paths}
    names: dict[str, str] = {}
    for path, mine in parts.items():
        for n in range(1, len(mine) + 1):
            tail = mine[-n:]
            if all(other[-n:] != tail for p, other in parts.items() if p != path):
                break
        names[path] = PurePath(*mine[-n:]).as_posix() if mine else path
    return names


def _location(result: ReferenceResult, names: dict[str, str]) -> str:
    """``line N`` (the file is named once above the table), or ``name.bib:N`` when the
    report covers several files: a long absolute path never squeezes the findings."""
    ref = result.reference
    name = inert(names[ref.path]) if len(names) > 1 and ref.path in names else None
    if ref.location is not None:  # an article's reference: column, ref name, number
        place = where(ref)
        return f"{name}: {place}" if name else place
    line = ref.line or 0
    if name:
        return f"{name}:{line}" if line else name
    return f"line {line}" if line else ""


def format_text(
    result: CheckResult,
    *,
    color: bool = False,
    width: int = 100,
    show_ok: bool = False,
    verbose: bool = False,
    summary_line: bool = True,
) -> str:
    """The report as text; ``color`` adds ANSI styles, otherwise it is plain;
    ``summary_line=False`` (``-q``) leaves out the closing summary."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width,
        highlight=False,
        emoji=False,
        markup=False,
    )
    # Could-not-check findings are one line per service and cause (an outage is one line,
    # not one per reference); -v lists them per reference.  Statuses stay the run's own.
    display, causes = (result, []) if verbose else split_unverified(result)
    # Notes are listed with -v only: a row whose only findings left are notes would be a
    # status with nothing after it (an offline pre-commit run printed three such rows).
    pairs = [
        (ref_result, [f for f in shown.findings if verbose or f.severity is not Severity.NOTE])
        for ref_result, shown in zip(result.results, display.results, strict=True)
    ]
    rows = [
        (ref_result, findings)
        for ref_result, findings in pairs
        if show_ok or (findings and (verbose or ref_result.status not in _CLEAN))
    ]
    rows.sort(key=lambda pair: _ROW_ORDER.index(pair[0].status))
    notes_only = [r for r in result.results if r.status in _CLEAN and r.findings]
    for header in headers(result):
        console.print(Text(header, style="bold"))
    paths = list(dict.fromkeys(r.reference.path for r, _ in rows if r.reference.path))
    names = _short_names(paths)
    if rows:
        for path in paths:
            console.print(Text("file: ", style="dim") + Text(inert(path)), overflow="fold")
        table = Table(show_header=True, header_style="bold", expand=False, show_lines=True)
        table.add_column("status", no_wrap=True)
        table.add_column("reference", overflow="fold", max_width=max(12, width // 4))
        table.add_column("finding", overflow="fold", min_width=min(40, width // 2))
        for ref_result, findings in rows:
            body = Text("\n").join(_finding_text(f) for f in findings) if findings else Text("")
            status = ref_result.status
            table.add_row(
                Text(status.value, style=STATUS_STYLE[status]),
                Text(inert(ref_result.reference.key) + "\n")
                + Text(_location(ref_result, names), style="dim"),
                body,
            )
        console.print(table)
    for cause in causes:
        console.print(Text(inert(cause.line()), style=STATUS_STYLE[Status.UNVERIFIED]))
    hint = unreachable_hint(result, causes)
    if hint is not None:
        console.print(Text(hint, style=STATUS_STYLE[Status.UNVERIFIED]))
    if not summary_line:
        return buffer.getvalue()
    summary = present_counts(result.summary())
    parts = [
        f"{summary[s.value]} {s.value}"
        for s in (
            Status.BROKEN,
            Status.CHANGED,
            Status.WARNING,
            Status.UNVERIFIED,
            Status.ACCEPTED,
            Status.OK,
            Status.UNCHECKED,
        )
        if summary[s.value]
    ]
    noun = "reference" if summary["total"] == 1 else "references"
    line = Text(f"{summary['total']} {noun}: " + ", ".join(parts or ["nothing to check"]))
    if summary["removed"]:
        line.append(f"; {summary['removed']} removed since the lockfile")
    if summary["total"]:
        line.append(f"; {summary['verified']} confirmed by a source")
    suppressed = sum(len(r.suppressed) for r in result.results)
    if suppressed:
        line.append(f"; {suppressed} finding(s) suppressed (ignored)")
    if notes_only and not verbose:
        line.append(f" ({len(notes_only)} with notes; -v shows them)", style="dim")
    console.print(line)
    return buffer.getvalue()
