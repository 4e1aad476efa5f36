"""Report formatters: one module per output format, each a pure ``CheckResult → str``.

:data:`FORMATS` maps a ``--format`` name to its formatter, called with default options.
"""

from __future__ import annotations

from collections.abc import Callable

from citetrack.model import CheckResult
from citetrack.report.github import format_github
from citetrack.report.json_report import format_json
from citetrack.report.junit import format_junit
from citetrack.report.lines import format_lines
from citetrack.report.markdown import format_markdown
from citetrack.report.sarif import format_sarif

FORMATS: dict[str, Callable[[CheckResult], str]] = {
    "json": format_json,
    "junit": format_junit,
    "sarif": format_sarif,
    "github": format_github,
    "markdown": format_markdown,
    "lines": format_lines,
}

__all__ = [
    "FORMATS",
    "format_github",
    "format_json",
    "format_junit",
    "format_lines",
    "format_markdown",
    "format_sarif",
]
