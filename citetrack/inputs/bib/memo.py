"""Stored results of loading .bib chunks: the memo protocol, its keys, and a JSON form.

A chunk (:mod:`~citetrack.inputs.bib.chunks`) is stored under the SHA-256 of a version
stamp, its text and the block start after it (:func:`chunk_key`).  The stored value
holds what loading the chunk gave — its ``@string`` spans, its entries' layouts,
references and problems (:class:`~citetrack.inputs.bib.items.Item`) — with offsets and
lines counted from the chunk's start (line numbers inside messages are marked), so that it
can be moved to wherever the chunk sits in the file now.  It also records which macros
the entries asked for and what they were (a changed ``@string`` makes the value stale),
and how many characters they copied from macros (the file's expansion budget).

Values are JSON behind a CRC-32 of the key and the payload, never pickle: a cache file
must not be able to run code.  A value that is not exactly what :func:`encode_chunk`
writes (bad JSON, another shape, another key's value, another version) is a miss, never
an error.  :class:`EntryMemo` is what the loader needs of a store; :class:`DictMemo`
keeps values in memory.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from sys import intern
from typing import Any, Protocol, get_args

import orjson

import citetrack
from citetrack.inputs.bib.entries import MAX_FIELD_CHARS
from citetrack.inputs.bib.items import Item
from citetrack.inputs.bib.layout import BibProblem, EntryLayout, EntryState, FieldLayout
from citetrack.inputs.bib.macros import MAX_DEPTH, MAX_TOTAL_CHARS, MAX_VALUE_CHARS, MacroTable
from citetrack.inputs.bib.stored_fields import StoredFields, encode_fields, valid_numbers
from citetrack.libversions import library_version
from citetrack.model import Identifiers, Reference, identifiers_of, stored_reference

#: The stored form's own version; with :func:`memo_version`'s other parts.
FORMAT = "citetrack-bib-chunk-3"
#: The modules whose code decides what loading a chunk gives (beside this package's).
_CODE = ("citetrack.identifiers", "citetrack.model")


@cache
def memo_version() -> str:
    """Changes whenever what loading a chunk gives may change: the stored form, the
    parser's and python-stdnum's versions, the limits, and a digest of the source of the
    code that reads an entry (this package's modules, identifier extraction, the model),
    so that a stored chunk never outlives a change to that code."""
    digest = hashlib.sha256()
    files = sorted(Path(__file__).parent.glob("*.py"))
    files += [Path(str(getattr(importlib.import_module(name), "__file__", ""))) for name in _CODE]
    for file in files:
        try:
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
        except OSError:  # no source (a frozen build): the package version stands for it
            digest.update(file.name.encode() + b"\0?")
    return (
        f"{FORMAT}/citetrack-{citetrack.__version__}/"
        f"bibtexparser-{library_version('bibtexparser')}/"
        # python-stdnum in its underscore spelling (the same distribution): a hyphenated
        # constant in this package reads as a rule id to tests/test_rule_ids.py.
        f"stdnum-{library_version('python_stdnum')}/"
        f"{MAX_FIELD_CHARS}/{MAX_VALUE_CHARS}/{MAX_DEPTH}/"
        f"{MAX_TOTAL_CHARS}/{digest.hexdigest()[:24]}"
    )


class EntryMemo(Protocol):
    """A store of loaded chunks: opaque ``bytes`` by key (the loader checks them)."""

    def get_many(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        """The stored values of those ``keys`` that have one."""
        ...

    def put_many(self, values: Mapping[str, bytes]) -> None:
        """Store (or replace) values."""
        ...


class DictMemo:
    """An :class:`EntryMemo` in memory (tests, one process loading a file many times)."""

    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}

    def get_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        values = self.values
        return {key: values[key] for key in keys if key in values}

    def put_many(self, values: Mapping[str, bytes]) -> None:
        self.values.update(values)


def chunk_key(body: str, head: str) -> str:
    """The key of a chunk's text ``body`` followed by the block start ``head``."""
    digest = hashlib.sha256(memo_version().encode())
    digest.update(b"\0" + head.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(body.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def macro_digest(macros: MacroTable, name: str) -> str:
    """What an entry that asks for macro ``name`` (lower-case) gets from ``macros``."""
    if name in macros.refused:
        return "r" + _short_hash(macros.refused[name])
    value = macros.values.get(name)
    if value is None:
        return "u"
    return f"v{macros.depths.get(name, 0)}:" + _short_hash(value)


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


# ----------------------------------------------------------------------------- writing


def encode_chunk(
    key: str,
    strings: Iterable[tuple[int, int]],
    unplaced: Iterable[int],
    items: Sequence[Item],
    *,
    body: str,
    deps: Mapping[str, str],
    copied: int,
) -> bytes | None:
    """The stored form of the chunk ``body`` read with offsets and lines from its start
    (lines inside messages marked by :class:`~citetrack.inputs.bib.scanner.RelativeLines`);
    ``None`` for one that cannot be stored faithfully."""
    encoded = []
    for item in items:
        layout = ref = None
        if item.layout is not None:
            layout = _encode_layout(item.layout, item.ref, body)
            if layout is None:
                return None
        if item.ref is not None:
            if item.layout is None or not _ref_matches_layout(item.ref, item.layout):
                return None
            ids = [getattr(item.ref.identifiers, name) for name in _ID_NAMES]
            ref = [item.ref.fields, ids, item.ref.digest]
        problems = [[p.line, p.message, p.rule, p.key] for p in item.problems]
        encoded.append([int(item.entry), layout, ref, problems])
    document = [memo_version(), [list(s) for s in strings], list(unplaced), deps, copied, encoded]
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    )
    return b"%08x" % zlib.crc32(payload, zlib.crc32(key.encode())) + payload


def _encode_layout(layout: EntryLayout, ref: Reference | None, body: str) -> list[Any] | None:
    runs: list[Any] = []  # the fields of an entry read by both readers
    if layout.state == "ok":
        if ref is None:
            return None
        made = (
            layout.fields.stored(layout.line) if isinstance(layout.fields, StoredFields) else None
        )
        if made is not None:  # as load_entry makes them: names are slices of the body
            runs = [made[0], [[i, v] for i, v in sorted(made[1].items())]]
        else:
            values = ref.fields
            extra: list[list[Any]] = []
            for index, f in enumerate(layout.fields):
                if body[f.start : f.name_end] != f.name:
                    return None
                if values.get(f.name.lower()) != f.value:
                    extra.append([index, f.value])
            runs = [encode_fields(layout.fields, layout.line, 0), extra]
    elif layout.key_end or layout.close or layout.fields:
        return None  # only an entry read by both readers has these; never seen otherwise
    return [
        layout.key,
        layout.entry_type,
        layout.line,
        layout.start,
        layout.end,
        layout.state,
        layout.note,
        layout.key_end,
        layout.key_comma,
        layout.close,
        runs,
    ]


def _ref_matches_layout(ref: Reference, layout: EntryLayout) -> bool:
    return (
        ref.key == layout.key
        and ref.entry_type == layout.entry_type
        and ref.line == layout.line
        and ref.location is None
        and type(ref.fields) is dict
    )


# ----------------------------------------------------------------------------- reading

#: The JSON decoder's scanner, called directly: ``json.loads`` costs more than the
#: scanning for a value of a few hundred bytes.
_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _document(payload: bytes) -> Any:
    """The JSON document ``payload`` (UTF-8) is, whole; raises ``ValueError`` (or
    ``StopIteration``) for anything else.

    orjson reads it in a little less than half the time of decoding the text and scanning
    it (0.55 -> 0.25 s for the 75 MB of a 100,000-entry file's chunks, issue 16), and gives
    the same values for the JSON :func:`encode_chunk` writes.  What it refuses (a lone
    surrogate, stored as ``surrogatepass`` writes it) is scanned the old way; like the
    scanner, it must be the whole payload (orjson alone would allow white space around
    it).  One difference is left: orjson reads an integer outside [-2**63, 2**64) as a
    float.  :func:`encode_chunk` writes none (its numbers are offsets, lines and counts
    of a file under the size cap), and every number of a stored value is read only as an
    ``int`` (type-checked), so such a value is a miss (``tests/test_bib_memo.py``).
    """
    if payload[:1] != b"[" or payload[-1:] != b"]":
        raise ValueError("not a stored chunk")
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        text = payload.decode("utf-8", "surrogatepass")
        document, end = _scan(text, 0)
        if end != len(text):
            raise ValueError("not a stored chunk") from None
        return document


@dataclass(frozen=True, slots=True)
class StoredChunk:
    """A stored chunk, read: its ``@string`` spans and unplaced blocks' lines, what its
    entries depend on, and its items (checked only when used)."""

    strings: tuple[tuple[int, int], ...]
    unplaced: tuple[int, ...]
    deps: Mapping[str, str]
    copied: int
    items: list[Any]


def read_stored(key: str, value: object) -> StoredChunk | None:
    """A stored value read, or ``None`` for anything but a sound one."""
    try:
        if not isinstance(value, bytes):
            return None
        payload = value[8:]
        if int(value[:8], 16) != zlib.crc32(payload, zlib.crc32(key.encode())):
            return None
        document = _document(payload)
        if type(document) is not list or len(document) != 6:
            return None
        version, strings_raw, unplaced, deps, copied, items = document
        if version != memo_version():
            return None
        strings = tuple((a, b) for a, b in strings_raw if type(a) is int and type(b) is int)
        if (
            len(strings) != len(strings_raw)
            or type(unplaced) is not list
            or not all(type(n) is int for n in unplaced)
            or type(deps) is not dict
            or not all(type(v) is str for v in deps.values())
            or type(copied) is not int
            or copied < 0
            or type(items) is not list
        ):
            return None
        return StoredChunk(strings, tuple(unplaced), deps, copied, items)
    except (ValueError, TypeError, KeyError, RecursionError, StopIteration):
        return None


def read_chunk(
    key: str,
    value: object,
    text: str,
    *,
    offset: int,
    line_offset: int,
    path: str,
    fields: bool = True,
    bare: bool = False,
) -> tuple[StoredChunk, list[Item]] | None:
    """A stored value read whole, its items moved into place (see :func:`read_items`,
    also for ``fields`` and ``bare``); ``None`` unless every part of it is sound."""
    stored = read_stored(key, value)
    items = (
        read_items(stored, text, offset, line_offset, path, fields=fields, bare=bare)
        if stored
        else None
    )
    return (stored, items) if stored and items is not None else None


_MARKED_LINE = re.compile("\x00([0-9]+)\x00")
_LAYOUT_TYPES = (str, str, int, int, int, str, str, int, bool, int, list)
_STATES = frozenset(get_args(EntryState))
#: Identifiers are stored as a list in the dataclass's field order.
_ID_NAMES = tuple(f.name for f in fields(Identifiers))
_STR = frozenset((str,))
_STR_OR_NONE = frozenset((str, type(None)))
_HEX = "0123456789abcdef"  # a digest is 32 of these (str.strip: no regex per entry)


def read_items(
    stored: StoredChunk,
    text: str,
    offset: int,
    line_offset: int,
    path: str,
    *,
    fields: bool = True,
    bare: bool = False,
) -> list[Item] | None:
    """The items of a stored chunk moved to ``offset`` in ``text`` (where the chunk starts)
    and ``line_offset`` (the lines before it), or ``None`` if they are not sound.

    ``fields=False``, for a load whose caller drops the layouts (``check``): the field
    layouts of an entry without a ``%`` in its text are neither read nor checked (they
    are the empty tuple; the loader itself reads only those of entries with a ``%``:
    :func:`~citetrack.inputs.bib.comments.comment_problems`).  Checking their offsets
    took a sixth of a load from the memo (0.4 of 2.5 s at 100,000 entries, issue 16);
    nothing else of an item depends on them, so its reference and problems are those of
    a full read.

    ``bare`` (with ``fields=False``), for a load that needs no layout at all (a check of
    a file without ``citetrack: ignore`` comments): such an entry's item has no layout
    (``None``; its reference has the key and line the loader's key checks read).  The
    stored layout is still checked as without ``bare``, so the same values are misses;
    building 100,000 layouts that the load then dropped took 0.14-0.29 s (issue 16).
    """
    try:
        return [
            _read_item(raw, text, offset, line_offset, path, fields=fields, bare=bare)
            for raw in stored.items
        ]
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return None


def _relined(message: str, line_offset: int) -> str:
    if "\x00" not in message:
        return message
    return _MARKED_LINE.sub(lambda m: str(int(m.group(1)) + line_offset), message)


def _read_item(
    raw: Any, text: str, ds: int, dl: int, path: str, *, fields: bool, bare: bool = False
) -> Item:
    entry, layout_raw, ref_raw, problems_raw = raw
    if entry not in (0, 1) or type(problems_raw) is not list:
        raise ValueError("item")
    problems = []
    for line, message, rule, key in problems_raw:
        if type(line) is not int or type(message) is not str or type(rule) is not str:
            raise ValueError("problem")
        if key is not None and type(key) is not str:
            raise ValueError("problem key")
        problems.append(BibProblem(path, line + dl, _relined(message, dl), rule, key))
    values: dict[str, str] | None = None
    ids: list[str | None] = []
    digest = ""
    if ref_raw is not None:
        values, ids, digest = ref_raw
        if type(digest) is not str or len(digest) != 32 or digest.strip(_HEX):
            raise ValueError("digest")
        if type(values) is not dict or not _STR.issuperset(map(type, values.values())):
            raise ValueError("fields")
        values = dict(zip(map(intern, values), values.values(), strict=True))
        if type(ids) is not list or len(ids) != len(_ID_NAMES):
            raise ValueError("identifiers")
        if not _STR_OR_NONE.issuperset(map(type, ids)):
            raise ValueError("identifier")
    layout = None
    read: EntryLayout | tuple[str, str, int] | None = None
    if layout_raw is not None:
        read = _read_layout(layout_raw, values, text, ds, dl, fields=fields, bare=bare)
    ref = None
    if values is not None:
        if read is None:
            raise ValueError("reference without layout")
        if isinstance(read, tuple):
            key, entry_type, line = read  # ``bare``: the layout not built
        else:
            layout = read
            key, entry_type, line = layout.key, layout.entry_type, layout.line
        # The digest was written from this entry's reference (encode_chunk).
        ref = stored_reference(
            key,
            entry_type,
            values,
            identifiers_of(ids),
            line,
            path=path,
            digest=digest,
        )
    elif read is not None:
        if isinstance(read, tuple):  # cannot be: only an entry with fields is left bare
            raise ValueError("bare layout without fields")
        layout = read
    return Item(bool(entry), layout, ref, tuple(problems))


def _read_layout(
    raw: Any,
    values: dict[str, str] | None,
    text: str,
    ds: int,
    dl: int,
    *,
    fields: bool,
    bare: bool = False,
) -> EntryLayout | tuple[str, str, int]:
    """The stored layout moved into place; with ``bare`` (and ``fields=False``), an
    ``ok`` entry without a ``%`` in its text gives only its key, type and line."""
    if tuple(map(type, raw)) != _LAYOUT_TYPES:
        raise ValueError("layout")
    key, entry_type, line, start, end, state, note, key_end, key_comma, close, runs = raw
    if state not in _STATES:
        raise ValueError("state")
    line += dl
    if state != "ok":
        if runs or key_end or close:
            raise ValueError("layout of an entry not read")
        return _layout(
            key, entry_type, line, start + ds, end + ds, state=state, note=_relined(note, dl),
            key_end=0, key_comma=key_comma, close=0, fields=(),
        )  # fmt: skip
    numbers, extra_raw = runs
    if values is None or type(numbers) is not str:
        raise ValueError("fields")
    field_layouts: Sequence[FieldLayout] = ()
    if fields or text.find("%", start + ds, end + ds) >= 0:
        if not valid_numbers(numbers):
            raise ValueError("fields")
        extra = {}
        for index, value in extra_raw:
            if type(index) is not int or type(value) is not str:
                raise ValueError("field value")
            extra[index] = value
        field_layouts = StoredFields(
            text, numbers, line=line, offset=ds, values=values, extra=extra
        )
    elif bare:
        return (key, entry_type, line)
    return _layout(
        key,
        entry_type,
        line,
        start + ds,
        end + ds,
        state="ok",
        note=_relined(note, dl),
        key_end=key_end + ds,
        key_comma=key_comma,
        close=close + ds,
        fields=field_layouts,
    )


_new = object.__new__
_set = object.__setattr__


def _layout(
    key: str,
    entry_type: str,
    line: int,
    start: int,
    end: int,
    *,
    state: EntryState,
    note: str,
    key_end: int,
    key_comma: bool,
    close: int,
    fields: Sequence[FieldLayout],
) -> EntryLayout:
    """``EntryLayout(...)`` of every field, without the frozen dataclass's ``__init__``
    (its global lookup per field; 100,000 entries: issue 16), the attributes set as it
    sets them (no instance dictionary); ``tests/test_bib_memo.py`` holds it equal."""
    layout = _new(EntryLayout)
    _set(layout, "key", key)
    _set(layout, "entry_type", entry_type)
    _set(layout, "line", line)
    _set(layout, "start", start)
    _set(layout, "end", end)
    _set(layout, "state", state)
    _set(layout, "note", note)
    _set(layout, "key_end", key_end)
    _set(layout, "key_comma", key_comma)
    _set(layout, "close", close)
    _set(layout, "fields", fields)
    return layout
