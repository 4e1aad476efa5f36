"""``--format github``: GitHub Actions workflow commands that annotate the .bib file.

One line per finding, worst first (GitHub shows only the first few annotations of each
kind per step): ``::error`` for broken, ``::warning`` for warning and changed, ``::notice``
for unverified and notes::

    ::error file=refs.bib,line=12,title=url-dead (smith2020)::https://… is dead (HTTP 404)

Values are escaped as the Actions toolkit does (``escapeData`` / ``escapeProperty`` in
https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts): ``%``, CR and
LF always, and ``:`` and ``,`` inside properties.  Every line break in data is encoded, so
a hostile title cannot start a command line of its own.
"""

from __future__ import annotations

from pathlib import Path

from citetrack.model import CheckResult, Finding, Severity
from citetrack.report._article import headers, where
from citetrack.report._common import findings_by_severity, report_path, values
from citetrack.report._escape import sanitize

_COMMANDS = {
    Severity.BROKEN: "error",
    Severity.CHANGED: "warning",
    Severity.WARNING: "warning",
    Severity.UNVERIFIED: "notice",
    Severity.NOTE: "notice",
}


def escape_data(text: str) -> str:
    """A command's message: ``%``, CR and LF percent-encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value: as :func:`escape_data`, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _message(f: Finding, place: str = "") -> str:
    lines = [f"{sanitize(f.key)}: {sanitize(f.message)}"]
    if place:
        lines.append(f"at: {place}")
    lines += [f"{label}: {sanitize(value)}" for label, value in values(f)]
    return escape_data("\n".join(lines))


def format_github(result: CheckResult, *, root: str | Path | None = None) -> str:
    """One workflow command per finding (paths relative to ``root``, default the cwd)."""
    lines = []
    for rr, f in findings_by_severity(result):
        props = []
        path = report_path(rr.reference.path, root)
        line = f.line or rr.reference.line
        if path:
            props.append(f"file={escape_property(sanitize(path))}")
            if line:
                props.append(f"line={line}")
                if rr.reference.location is not None:
                    props.append(f"col={rr.reference.location.column}")
        props.append(f"title={escape_property(sanitize(f'{f.rule} ({f.key})'))}")
        lines.append(
            f"::{_COMMANDS[f.severity]} {','.join(props)}::{_message(f, where(rr.reference))}"
        )
    lines = [f"::notice title=citetrack::{escape_data(h)}" for h in headers(result)] + lines
    return "".join(line + "\n" for line in lines)
