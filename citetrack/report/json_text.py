"""Indented JSON text, written by the C string encoder: the bytes ``json.dumps`` would give.

``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)`` falls back to the
encoder written in Python as soon as ``indent`` is set (CPython's ``c_make_encoder`` is
used only without it), one generator step per scalar: for a 10,000-reference report that
was about a fifth of a warm check (issue 16).  This lays out the same text itself and
leaves each string to the C ``encode_basestring``.  ``tests/test_json_text.py`` holds the
output equal to ``json.dumps`` over random documents.

:func:`dumps_plain` goes further for documents without floats (a report's reference:
text, whole numbers, booleans, nulls): ``orjson`` writes the whole text in Rust, about six
times faster than :func:`dumps_indented` on a 10,000-reference report (``bench/README.md``,
session 12).  It is not used where a float may occur: ``orjson`` spells some floats
otherwise than ``json.dumps`` (``1e-7`` for ``1e-07``) and writes NaN as ``null``.
"""

from __future__ import annotations

import json
import json.encoder
import math
from collections.abc import Callable, Sequence

import orjson

#: The string encoder ``json.dumps(..., ensure_ascii=False)`` uses (C when available).
_encode_string: Callable[[str], str] = json.encoder.encode_basestring


def dumps_indented(value: object, indent: int = 2, margin: str = "") -> str:
    """``json.dumps(value, indent=indent, sort_keys=True, ensure_ascii=False)``, every
    line after the first starting with ``margin`` too (a value nested in a bigger text).

    Values other than dicts with string keys, lists, tuples, strings, ints, floats, bools
    and ``None`` are handed to ``json.dumps`` whole (same text, its speed, its errors).
    """
    parts: list[str] = []
    if not _write(value, parts, "\n" + margin, " " * indent):
        text = json.dumps(value, indent=indent, sort_keys=True, ensure_ascii=False)
        return text.replace("\n", "\n" + margin) if margin else text
    return "".join(parts)


_PLAIN_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS


def dumps_plain(value: object, margin: str = "") -> str:
    """:func:`dumps_indented` with ``indent=2`` for a value holding **no float** anywhere
    (the caller's promise: only strings, ints, booleans, ``None``, lists, tuples and dicts
    with string keys).

    What ``orjson`` refuses (a lone surrogate, an int beyond 64 bits, a key that is not a
    string) is written by :func:`dumps_indented` instead, so the text is always
    ``json.dumps``'s.
    """
    try:
        text = orjson.dumps(value, option=_PLAIN_OPTIONS).decode("utf-8")
    except orjson.JSONEncodeError:
        return dumps_indented(value, 2, margin)
    return text.replace("\n", "\n" + margin) if margin else text


def dumps_plain_items(values: Sequence[object], margin: str = "") -> str:
    """``(",\n" + margin).join(dumps_plain(v, margin) for v in values)``: the items of a
    list (each holding no float, as for :func:`dumps_plain`) as they sit in it, written
    by one ``orjson`` call instead of one per item (a report's 100,000 references: issue
    16).

    ``orjson`` writes the list with its items two spaces in; every line inside it starts
    with those two spaces (a string holds no raw line break), which become ``margin``.
    A list ``orjson`` refuses is written item by item.
    """
    if not values:
        return ""
    try:
        text = orjson.dumps(values, option=_PLAIN_OPTIONS).decode("utf-8")
    except orjson.JSONEncodeError:
        return (",\n" + margin).join(dumps_plain(v, margin) for v in values)
    return text[4:-2].replace("\n  ", "\n" + margin)  # "[\n  " … "\n]"


def _write(value: object, out: list[str], newline: str, step: str) -> bool:
    """Append ``value``'s text to ``out``; ``False`` if it holds a value not handled here
    (``out`` is then of no use)."""
    if isinstance(value, str):
        out.append(_encode_string(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif type(value) is int:
        out.append(int.__repr__(value))
    elif type(value) is float:
        if not math.isfinite(value):
            return False  # NaN / Infinity: json.dumps's own spelling
        out.append(float.__repr__(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return True
        if not all(type(k) is str for k in value):
            return False
        inner = newline + step
        out.append("{")
        first = True
        for key in sorted(value):
            out.append(inner if first else "," + inner)
            first = False
            out.append(_encode_string(key))
            out.append(": ")
            if not _write(value[key], out, inner, step):
                return False
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return True
        inner = newline + step
        out.append("[")
        first = True
        for item in value:
            out.append(inner if first else "," + inner)
            first = False
            if not _write(item, out, inner, step):
                return False
        out.append(newline + "]")
    else:
        return False
    return True
