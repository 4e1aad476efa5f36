"""Regular expressions compiled on first use (issue 16: a warm run's start-up).

A module-level ``re.compile`` runs at import, in every run, whether or not the run ever
matches anything with it: the markup cleaners of the registries' answers, the text
folding and spelling rules of the comparison are never used by a warm check (its answers
and findings come from the cache), yet compiling their patterns took ~10 ms of its
start-up.  :func:`lazy_compile` stands for ``re.compile``: the pattern is compiled by its
first use, and from then on the compiled pattern's methods are looked up as directly as
before (they are copied onto the stand-in, so no call goes through a wrapper).

Only for module-level patterns used through their methods (``sub``, ``search``,
``match``, ``fullmatch``, ``finditer``, ``findall``, ``split``, ``subn``) and attributes;
not for patterns handed to ``re`` functions, which want a real ``re.Pattern``.
"""

from __future__ import annotations

import re
from typing import Any, AnyStr, cast

#: What a compiled pattern offers and the stand-in copies on first use.
_ATTRIBUTES = (
    "sub",
    "subn",
    "search",
    "match",
    "fullmatch",
    "finditer",
    "findall",
    "split",
    "scanner",
    "pattern",
    "flags",
    "groups",
    "groupindex",
)


class _LazyPattern:
    """Compiles its pattern when an attribute is first asked for; see the module."""

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self._source: tuple[Any, int] = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        # Called only for attributes not found: the first use of each name before the
        # pattern is compiled (afterwards they are instance attributes).  Two threads
        # compiling at once store equal patterns: harmless.
        if name.startswith("_"):
            raise AttributeError(name)
        compiled = re.compile(*self._source)
        for attribute in _ATTRIBUTES:
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile({self._source[0]!r}, {self._source[1]})"


def lazy_compile(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """``re.compile(pattern, flags)``, done by the pattern's first use."""
    return cast("re.Pattern[AnyStr]", _LazyPattern(pattern, flags))
