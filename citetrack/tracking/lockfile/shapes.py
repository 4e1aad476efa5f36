"""The lockfile's JSON read strictly: each value's shape checked, a wrong one named by
its JSON path (:class:`Shape`, which :mod:`.fileformat` turns into a ``LockError`` that
says how to recover).  Shared by the readers of the lockfile's parts.  Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date
from enum import Enum
from typing import TypeVar

_E = TypeVar("_E", bound=Enum)
_T = TypeVar("_T")


class Shape(Exception):
    """A value of the wrong shape at a JSON path (turned into a :class:`LockError`)."""


def short(exc: BaseException) -> str:
    return str(exc)[:200] or type(exc).__name__


def no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    doc = dict(pairs)
    if len(doc) != len(pairs):  # a key given twice (read per object: 50,000 in a lockfile)
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return doc


def obj(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise Shape(f"{where}: expected an object")
    return value


def only(doc: Mapping[str, object], allowed: Iterable[str], where: str) -> None:
    unknown = doc.keys() - allowed
    if unknown:
        raise Shape(f"{where}: unknown key {sorted(unknown)[0]!r}")


def text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise Shape(f"{where}: expected a non-empty string")
    return value


def opt_text(value: object, where: str) -> str | None:
    return None if value is None else text(value, where)


def a_date(value: object, where: str) -> date:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise Shape(f"{where}: expected a date YYYY-MM-DD")


def member(cls: type[_E], value: object, where: str) -> _E:
    try:
        return cls(value)
    except ValueError:
        raise Shape(f"{where}: unknown value {value!r}") from None


def a_list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise Shape(f"{where}: expected a list")
    return value


def a_map(value: object, where: str, item: Callable[[object, str], _T]) -> dict[str, _T]:
    doc = obj(value, where)
    if item is text and all_text(doc.values()):
        # The common case, without a path string per value (only an error names one).
        return dict(doc)  # type: ignore[arg-type]
    return {k: item(v, f"{where}.{k}") for k, v in doc.items()}


_TEXT = frozenset((str,))


def all_text(values: Collection[object]) -> bool:
    """Whether every value is a non-empty string (what :func:`text` accepts).  Two passes
    in C (the types, then truth: a string is true when not empty), not a generator: it
    runs over every value of a lockfile."""
    return _TEXT.issuperset(map(type, values)) and all(values)


def drop_none(doc: dict[str, object]) -> dict[str, object]:
    """``doc`` without its ``None`` values (what the lockfile leaves out)."""
    return {k: v for k, v in doc.items() if v is not None}
