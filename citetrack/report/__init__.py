"""Report formatters: one module per output format, each a pure ``CheckResult → str``.

:data:`FORMATS` maps a ``--format`` name to its formatter, called with default options.
The formatters' modules are imported when first asked for (PEP 562): a run that writes
JSON does not load the SARIF, JUnit or Markdown writers (issue 16's warm path).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from citetrack.model import CheckResult
    from citetrack.report.github import format_github
    from citetrack.report.json_report import format_json
    from citetrack.report.junit import format_junit
    from citetrack.report.lines import format_lines
    from citetrack.report.markdown import format_markdown
    from citetrack.report.sarif import format_sarif

    FORMATS: dict[str, Callable[[CheckResult], str]]

#: ``--format`` name → (module, formatter) of :data:`FORMATS`.
_FORMATTERS = {
    "json": ("json_report", "format_json"),
    "junit": ("junit", "format_junit"),
    "sarif": ("sarif", "format_sarif"),
    "github": ("github", "format_github"),
    "markdown": ("markdown", "format_markdown"),
    "lines": ("lines", "format_lines"),
}
_MODULE_OF = {name: module for module, name in _FORMATTERS.values()}


def _formatter(module: str, name: str) -> Any:
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __getattr__(name: str) -> Any:
    if name == "FORMATS":
        formats = {fmt: _formatter(*where) for fmt, where in _FORMATTERS.items()}
        globals()["FORMATS"] = formats
        return formats
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _formatter(module, name)


__all__ = [
    "FORMATS",
    "format_github",
    "format_json",
    "format_junit",
    "format_lines",
    "format_markdown",
    "format_sarif",
]
