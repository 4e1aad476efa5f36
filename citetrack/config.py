"""Settings: defaults, then a config file, then the environment, then command-line flags.

The config file is ``citetrack.toml`` (top-level keys) or the ``[tool.citetrack]`` table of a
``pyproject.toml``, found in the current directory or its parents up to the repository root.
Unknown keys and wrong types are errors that name the file, so a typo never silently does
nothing.  Paths from a config file are resolved against the file's directory and may not
point outside it (a config in a pull request must not make citetrack write elsewhere), and
settings that widen what citetrack may reach (``allow_private_urls``) are ignored there,
with a notice: they come only from the command line or the environment.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from citetrack.inputs.textio import InputError, read_text
from citetrack.model import Severity

CONFIG_NAMES = ("citetrack.toml", "pyproject.toml")


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know, after all layers are applied."""

    mailto: str | None = None
    ncbi_api_key: str | None = None
    fail_on: Severity = Severity.BROKEN
    cache_dir: Path | None = None
    cache_ttl_days: float = 7.0
    #: With a lockfile, cached evidence older than this is fetched again (``check``).
    max_cache_age_hours: float = 6.0
    use_cache: bool = True
    offline: bool = False
    #: ``check --local``: offline, and no cached registry answer either (the verdict of the
    #: files alone, the same on every machine: the pre-commit hook); derived results are
    #: still remembered (they are keyed by what they were computed from).
    local: bool = False
    check_registries: bool = True
    check_links: bool = True
    allow_private_urls: bool = False
    per_host_interval: float = 1.0
    timeout: float = 30.0
    confirm_failures: int = 3
    confirm_days: int = 3
    lockfile: Path | None = None
    use_lockfile: bool = True
    prefer: str = "pubmed"
    fix: tuple[str, ...] = ()
    no_fix: tuple[str, ...] = ()
    #: ``[[ignore]]`` entries: each a tuple of (criterion, value) pairs, criteria among
    #: ``rule``, ``key``, ``url`` (a glob), ``host`` (see :mod:`citetrack.rules.ignore`).
    ignore: tuple[tuple[tuple[str, str], ...], ...] = ()
    crossref_url: str | None = None
    eutils_url: str | None = None
    idconv_url: str | None = None
    doi_url: str | None = None
    wayback_url: str | None = None
    #: A shared evidence store (``postgresql://…``) instead of the local cache.
    store: str | None = None
    openlibrary_url: str | None = None
    googlebooks_url: str | None = None
    #: ``--encoding``: the codec of the .bib files read (``None``: UTF-8 or detected).
    encoding: str | None = None
    config_path: Path | None = field(default=None, compare=False)
    #: Things said about the settings (a config-file setting that was ignored…).
    notices: tuple[str, ...] = field(default=(), compare=False)


#: Keys a config file may set, with the type each must have.
_FILE_KEYS: dict[str, type | tuple[type, ...]] = {
    "mailto": str,
    "fail_on": str,
    "cache_dir": str,
    "cache_ttl_days": (int, float),
    "max_cache_age_hours": (int, float),
    "use_cache": bool,
    "check_links": bool,
    "allow_private_urls": bool,
    "per_host_interval": (int, float),
    "timeout": (int, float),
    "confirm_failures": int,
    "confirm_days": int,
    "lockfile": str,
    "prefer": str,
    "fix": list,
    "no_fix": list,
    "store": str,
    "ignore": list,
}
_PATH_KEYS = {"cache_dir", "lockfile"}
#: Settings that widen what citetrack may reach.  A config file usually sits in the
#: repository being checked — a pull request can change it — so these come only from the
#: command line or the environment of whoever runs citetrack; in a file they are ignored.
# Settings that widen what citetrack reaches or trusts.  A pull request controls the checked
# repository's config file, so these come only from the command line or the environment of
# whoever runs citetrack: a committed `store` could point CI at a database that feeds it
# forged evidence, as `allow_private_urls` could aim it at the runner's network.
TRUSTED_ONLY = {
    "allow_private_urls": "--allow-private-urls or CITETRACK_ALLOW_PRIVATE_URLS=1",
    "store": "--store or CITETRACK_STORE",
}
_TRUE = {"1", "true", "yes", "on"}
_ENV_URLS = {
    "crossref_url": "CITETRACK_CROSSREF_URL",
    "eutils_url": "CITETRACK_EUTILS_URL",
    "idconv_url": "CITETRACK_IDCONV_URL",
    "doi_url": "CITETRACK_DOI_URL",
    "wayback_url": "CITETRACK_WAYBACK_URL",
    "openlibrary_url": "CITETRACK_OPENLIBRARY_URL",
    "googlebooks_url": "CITETRACK_GOOGLEBOOKS_URL",
}
_MAILTO_RE = re.compile(r"^[^@\s()<>]+@[^@\s()<>]+\.[^@\s()<>]+$")


class ConfigError(InputError):
    """A config file or option that cannot be used."""


def find_config(start: Path) -> Path | None:
    """The nearest ``citetrack.toml``, or ``pyproject.toml`` with ``[tool.citetrack]``."""
    for directory in (start.resolve(), *start.resolve().parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file() and (
                name == "citetrack.toml" or "[tool.citetrack" in _safe_read(candidate)
            ):
                return candidate
        if (directory / ".git").exists():
            break
    return None


def _safe_read(path: Path) -> str:
    try:
        return read_text(path)
    except InputError:
        return ""


def load_file(path: Path) -> dict[str, Any]:
    """The citetrack table of a config file, validated; raises :class:`ConfigError`."""
    text = read_text(path)
    import tomllib  # noqa: PLC0415 - only when there is a config file

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's error carries the position only in its text: "(at line 3, column 9)".
        message = str(exc)
        where = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(where.group(1)) if where else None
        if line is None and "end of document" in message:
            line = max(1, text.count("\n"))
        raise ConfigError(str(path), f"invalid TOML: {message}", line) from None
    table: Any = data
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(str(path), "[tool] must be a table", _line_of(text, "tool"))
        table = tool.get("citetrack", {})
    if not isinstance(table, dict):
        raise ConfigError(str(path), "[tool.citetrack] must be a table")
    for key, value in table.items():
        expected = _FILE_KEYS.get(key)
        if expected is None:
            known = ", ".join(sorted(_FILE_KEYS))
            raise ConfigError(
                str(path), f"unknown setting {key!r} (known: {known})", _line_of(text, key)
            )
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise ConfigError(
                str(path),
                f"setting {key!r} has the wrong type ({type(value).__name__})",
                _line_of(text, key),
            )
        problem = _value_problem(key, value)
        if problem:
            raise ConfigError(str(path), f"setting {key!r} {problem}", _line_of(text, key))
    return dict(table)


#: Numeric settings and the smallest value each may take (``>`` when the flag is True).
_NUMBER_MINIMA: dict[str, tuple[float, bool]] = {
    "timeout": (0.0, True),
    "per_host_interval": (0.0, False),
    "cache_ttl_days": (0.0, False),
    "max_cache_age_hours": (0.0, False),
    "confirm_failures": (1, False),
    "confirm_days": (1, False),
}
_PREFER = ("pubmed", "crossref")


def _value_problem(key: str, value: Any) -> str | None:
    """Why a well-typed value still cannot be used (NaN, a negative timeout…), or None.

    Checked here so that a bad value is reported against the file and line it came from,
    not later as a crash in whatever first uses it.
    """
    if key in _NUMBER_MINIMA:
        low, strict = _NUMBER_MINIMA[key]
        if not math.isfinite(value):
            return f"must be a finite number, not {value!r}"
        if value < low or (strict and value == low):
            return f"must be {'greater than' if strict else 'at least'} {low:g}, not {value!r}"
    elif key == "mailto" and value and not _MAILTO_RE.match(value):
        return f"is not an e-mail address ({value!r})"
    elif key == "prefer" and value not in _PREFER:
        return f"must be one of {', '.join(_PREFER)}, not {value!r}"
    elif key in ("fix", "no_fix") and not all(isinstance(v, str) for v in value):
        return "must be a list of fix names (strings)"
    return None


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return None


def contained_path(
    base: Path, value: str, *, source: str, key: str, line: int | None = None
) -> Path:
    """``value`` resolved against ``base``; a path escaping ``base`` is a ConfigError.

    Symbolic links are resolved first, so a link inside the project pointing outside it
    does not get through.
    """
    resolved = (base / value).resolve()
    root = base.resolve()
    if resolved != root and root not in resolved.parents:
        raise ConfigError(
            source,
            f"setting {key!r} points outside the project directory "
            f"({value}); use a path inside {root}",
            line,
        )
    return resolved


def parse_severity(value: str, *, source: str) -> Severity:
    """``broken`` / ``changed`` / ``warning`` / ``unverified`` / ``note`` → Severity."""
    try:
        return Severity(value.strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in Severity)
        raise ConfigError(source, f"fail_on must be one of {choices}, not {value!r}") from None


def apply_file(settings: Settings, path: Path) -> Settings:
    """``settings`` with the values of the config file at ``path``."""
    table = load_file(path)
    base = path.parent
    changes: dict[str, Any] = {"config_path": path}
    text = read_text(path)
    notices: list[str] = []
    for key, value in table.items():
        if key in TRUSTED_ONLY:
            if value:
                notices.append(
                    f"{path}:{_line_of(text, key) or 1}: setting {key!r} ignored: a config "
                    "file in the checked repository cannot widen what citetrack may reach; "
                    f"use {TRUSTED_ONLY[key]}"
                )
        elif key in _PATH_KEYS:
            changes[key] = contained_path(
                base, value, source=str(path), key=key, line=_line_of(text, key)
            )
        elif key == "fail_on":
            try:
                changes[key] = parse_severity(value, source=str(path))
            except ConfigError as exc:
                exc.line = _line_of(text, key)
                raise
        elif key in ("fix", "no_fix"):
            changes[key] = tuple(str(v) for v in value)
        elif key == "ignore":
            changes[key] = _ignore_entries(value, source=f"{path}:{_line_of(text, key) or 1}")
        elif key in ("cache_ttl_days", "max_cache_age_hours", "per_host_interval", "timeout"):
            changes[key] = float(value)
        else:
            changes[key] = value
    changes["notices"] = (*settings.notices, *notices)
    return replace(settings, **changes)


_IGNORE_CRITERIA = ("rule", "key", "url", "host")


def _ignore_entries(value: list[Any], *, source: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    """``[[ignore]]`` tables as (criterion, value) pairs; anything else is ConfigError."""
    entries = []
    for item in value:
        if not isinstance(item, dict) or not item:
            raise ConfigError(source, "each [[ignore]] entry must be a table of rule/key/url/host")
        unknown = sorted(set(item) - set(_IGNORE_CRITERIA))
        if unknown or not all(isinstance(v, str) and v for v in item.values()):
            raise ConfigError(
                source,
                f"[[ignore]] takes non-empty strings for {', '.join(_IGNORE_CRITERIA)}"
                + (f" (unknown: {', '.join(unknown)})" if unknown else ""),
            )
        entries.append(tuple(sorted(item.items())))
    return tuple(entries)


def apply_env(settings: Settings, environ: Mapping[str, str]) -> Settings:
    """``settings`` with ``CITETRACK_*`` and ``NCBI_API_KEY`` from the environment."""
    changes: dict[str, Any] = {}
    if environ.get("CITETRACK_MAILTO"):
        changes["mailto"] = environ["CITETRACK_MAILTO"]
    if environ.get("NCBI_API_KEY"):
        changes["ncbi_api_key"] = environ["NCBI_API_KEY"]
    if environ.get("CITETRACK_CACHE_DIR"):
        changes["cache_dir"] = Path(environ["CITETRACK_CACHE_DIR"])
    if environ.get("CITETRACK_STORE"):
        changes["store"] = environ["CITETRACK_STORE"]
    if environ.get("CITETRACK_ALLOW_PRIVATE_URLS", "").strip().lower() in _TRUE:
        changes["allow_private_urls"] = True
    for name, var in _ENV_URLS.items():
        if environ.get(var):
            changes[name] = environ[var]
    return replace(settings, **changes)


def validate_mailto(value: str | None, *, source: str) -> str | None:
    """An e-mail address for the registries' polite pools, or ConfigError."""
    if value is None or value == "":
        return None
    if not _MAILTO_RE.match(value):
        raise ConfigError(source, f"mailto {value!r} is not an e-mail address")
    return value


def load_settings(
    *,
    cwd: Path | None = None,
    config: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Defaults ← config file ← environment ← ``overrides`` (flags given by the user)."""
    settings = Settings()
    path = config if config is not None else find_config(cwd or Path.cwd())
    if path is not None:
        settings = apply_file(settings, path)
    settings = apply_env(settings, os.environ if environ is None else environ)
    known = {f.name for f in fields(Settings)}
    given = {k: v for k, v in (overrides or {}).items() if v is not None and k in known}
    settings = replace(settings, **given)
    return replace(settings, mailto=validate_mailto(settings.mailto, source="mailto"))
