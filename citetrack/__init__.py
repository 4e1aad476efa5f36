"""citetrack: keep bibliographies honest.

The Python API (see :mod:`citetrack.api` and the README's "Python API" section)::

    import citetrack

    result = citetrack.check("references.bib")
    print(result.summary())

Names are imported on first use (module ``__getattr__``), so ``import citetrack`` stays
cheap and ``citetrack --help`` fast.
"""

from __future__ import annotations

# The C module under :mod:`signal`: built in, so importing it runs no Python code, and the
# window before the handler below is set stays a few bytecodes wide.  ``import signal``
# builds its enums first (half a millisecond in which Ctrl-C was a traceback).
import _signal  # type: ignore[import-not-found]
import os
import sys


def _interrupted_while_starting(signum: int, frame: object) -> None:
    """Ctrl-C while citetrack's modules are imported: exit 130 quietly, as Ctrl-C later
    does, instead of a KeyboardInterrupt traceback (``citetrack.cli.main`` takes over)."""
    os.write(2, b"citetrack: interrupted\n")
    os._exit(130)


# Set before any other import, and only when this process *is* citetrack (the console
# script or ``python -m citetrack``); a program that merely imports citetrack keeps its
# own Ctrl-C.
# (os.path, not pathlib: nothing more is imported before the handler is set.)
_NAME = os.path.basename(sys.argv[0] if sys.argv else "")  # noqa: PTH119
if _NAME == "citetrack" or sys.orig_argv[1:3] == ["-m", "citetrack"]:
    try:  # noqa: SIM105
        _signal.signal(_signal.SIGINT, _interrupted_while_starting)
    except ValueError:  # not the main thread
        pass
    # ``import httpx`` imports httpx's own command-line client (click, rich.progress,
    # rich.syntax, pygments): 40 ms of every check, for a program this process never runs
    # (https://github.com/encode/httpx/pull/3547).  A stand-in takes its place; calling
    # ``httpx.main()`` anyway imports the real one.
    if "httpx" not in sys.modules:
        import types

        def _httpx_main(*args: object, **kwargs: object) -> object:
            del sys.modules["httpx._main"]
            return importlib.import_module("httpx._main").main(*args, **kwargs)

        _stand_in = types.ModuleType("httpx._main", "Stands for httpx's CLI (citetrack).")
        _stand_in.main = _httpx_main  # type: ignore[attr-defined]
        sys.modules.setdefault("httpx._main", _stand_in)

import importlib  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

__version__ = "0.1.0"

#: Public name → the module that defines it.
_EXPORTS: dict[str, str] = {
    # functions
    "acheck": "citetrack.api",
    "check": "citetrack.api",
    "check_shard": "citetrack.api",
    "expand_inputs": "citetrack.api",
    "export_article": "citetrack.api",
    "export_bib": "citetrack.api",
    "fix_kinds": "citetrack.api",
    "format_bibtex": "citetrack.api",
    "load_article": "citetrack.api",
    "load_bib": "citetrack.api",
    "load_settings": "citetrack.api",
    "merge_shard_reports": "citetrack.api",
    "merge_shards": "citetrack.api",
    "parse_references": "citetrack.api",
    "track": "citetrack.api",
    # results and errors of the API
    "ArticleExport": "citetrack.articles",
    "ExportReport": "citetrack.api",
    "MergedShards": "citetrack.api",
    "SettingsError": "citetrack.api",
    "TrackedResult": "citetrack.api",
    "UnknownFixError": "citetrack.api",
    "Settings": "citetrack.config",
    "ConfigError": "citetrack.config",
    "InputError": "citetrack.inputs.textio",
    "BibError": "citetrack.inputs.bib",
    "BibProblem": "citetrack.inputs.bib",
    "Bibliography": "citetrack.inputs.bib",
    "LockError": "citetrack.tracking.lockfile",
    "MergeError": "citetrack.report.merge",
    "Shard": "citetrack.shard",
    "StoreUnavailable": "citetrack.tracking.store",
    "ParseProblem": "citetrack.parse",
    "ParseResult": "citetrack.parse",
    "Change": "citetrack.export",
    "ExportResult": "citetrack.export",
    "Skipped": "citetrack.export",
    # the data model
    "CheckResult": "citetrack.model",
    "Finding": "citetrack.model",
    "Identifiers": "citetrack.model",
    "Reference": "citetrack.model",
    "ReferenceResult": "citetrack.model",
    "Severity": "citetrack.model",
    "Status": "citetrack.model",
}

__all__ = [
    "ArticleExport",
    "BibError",
    "BibProblem",
    "Bibliography",
    "Change",
    "CheckResult",
    "ConfigError",
    "ExportReport",
    "ExportResult",
    "Finding",
    "Identifiers",
    "InputError",
    "LockError",
    "MergeError",
    "MergedShards",
    "ParseProblem",
    "ParseResult",
    "Reference",
    "ReferenceResult",
    "Settings",
    "SettingsError",
    "Severity",
    "Shard",
    "Skipped",
    "Status",
    "StoreUnavailable",
    "TrackedResult",
    "UnknownFixError",
    "__version__",
    "acheck",
    "check",
    "check_shard",
    "expand_inputs",
    "export_article",
    "export_bib",
    "fix_kinds",
    "format_bibtex",
    "load_article",
    "load_bib",
    "load_settings",
    "merge_shard_reports",
    "merge_shards",
    "parse_references",
    "track",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'citetrack' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


if TYPE_CHECKING:
    from citetrack.api import (
        ExportReport,
        MergedShards,
        SettingsError,
        TrackedResult,
        UnknownFixError,
        acheck,
        check,
        check_shard,
        expand_inputs,
        export_article,
        export_bib,
        fix_kinds,
        format_bibtex,
        load_article,
        load_bib,
        load_settings,
        merge_shard_reports,
        merge_shards,
        parse_references,
        track,
    )
    from citetrack.articles import ArticleExport
    from citetrack.config import ConfigError, Settings
    from citetrack.export import Change, ExportResult, Skipped
    from citetrack.inputs.bib import BibError, Bibliography, BibProblem
    from citetrack.inputs.textio import InputError
    from citetrack.model import (
        CheckResult,
        Finding,
        Identifiers,
        Reference,
        ReferenceResult,
        Severity,
        Status,
    )
    from citetrack.parse import ParseProblem, ParseResult
    from citetrack.report.merge import MergeError
    from citetrack.shard import Shard
    from citetrack.tracking.lockfile import LockError
    from citetrack.tracking.store import StoreUnavailable
