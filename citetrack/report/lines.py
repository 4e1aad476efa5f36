"""``--format lines``: one line per finding, ``path:line: status rule: message``.

The shape compilers and ruff use, so logs can be grepped and editors can jump to the
entry; worst first, then in file order.  Notes are included (they are findings too);
every value is sanitised to one inert line.  A reference read from an article (issue 14)
also gives its column, ``path:line:col:``, where its ``{{cite}}`` template starts.

    refs.bib:12: broken url-dead: https://example.org/x is dead (HTTP 404) [smith2020]

Could-not-check findings are grouped by cause (:mod:`citetrack.report.causes`), one
``citetrack: unverified: …`` line each after the findings, as in the text report (an
outage, or ``--offline`` with an empty cache, is one line, not one per reference).  The
run's notes (the encoding a .bib was read in, an ignore that names no rule) come first,
one ``citetrack: note: …`` line each.
"""

from __future__ import annotations

from pathlib import Path

from citetrack.model import CheckResult
from citetrack.report._common import findings_by_severity, report_path, suppressed_said
from citetrack.report._escape import sanitize
from citetrack.report.causes import split_unverified


def format_lines(result: CheckResult, *, root: str | Path | None = None) -> str:
    """One line per finding (paths relative to ``root``, default the working directory)."""
    # What the run says about its input or settings (an encoding, an ignore naming no rule).
    out = [f"citetrack: note: {sanitize(note)}" for note in result.notes]
    display, causes = split_unverified(result)
    for rr, f in findings_by_severity(display):
        path = report_path(rr.reference.path, root) or "<input>"
        line = f.line or rr.reference.line
        location = rr.reference.location
        if line is None:
            # A reference removed since the lockfile has no line: ``path: …`` as compilers
            # write a file's own message (a ``:0:`` sent problem matchers to no line).
            line_col = ""
        elif location is not None and line == location.line:
            line_col = f":{line}:{location.column}"
        else:
            line_col = f":{line}"
        field = f" [{sanitize(f.field)}]" if f.field else ""
        out.append(
            f"{sanitize(path)}{line_col}: {f.severity.value} {f.rule}{field}: "
            f"{sanitize(f.message)} [{sanitize(f.key)}]"
        )
    out += [f"citetrack: unverified: {sanitize(cause.line())}" for cause in causes]
    suppressed, _ = suppressed_said(result, root)
    if suppressed:
        out.append(f"citetrack: note: {sanitize(suppressed)}")
    return "".join(line + "\n" for line in out)
