"""The field layouts of a stored entry, kept as one short string and built when first used.

A check never looks at where each field sits (only export and a few warnings do), so an
entry taken from the memo (:mod:`~citetrack.inputs.bib.memo`) keeps its fields' offsets as
one string of integers, eight per field, and the text they point into.  Names are read
back from the text, values from the entry's reference (a repeated field's later values are
kept aside).  :class:`StoredFields` is a sequence equal to the tuple of
:class:`~citetrack.inputs.bib.layout.FieldLayout` that reading the entry gives.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator, Mapping, Sequence
from typing import Any, cast, get_args, overload

from citetrack.inputs.bib.layout import FieldLayout, ValueForm

FORMS: tuple[ValueForm, ...] = get_args(ValueForm)
FORM_INDEX = {form: index for index, form in enumerate(FORMS)}


def encode_fields(fields: Sequence[FieldLayout], line: int, offset: int) -> str:
    """The integers of ``fields``: each field's line (from the entry's ``line``), its start
    (from ``offset``), then its other offsets from its start, and its form."""
    numbers: list[int] = []
    for f in fields:
        numbers += (
            f.line - line,
            f.start - offset,
            f.name_end - f.start,
            f.equals - f.start,
            f.value_start - f.start,
            f.value_end - f.start,
            f.end - f.start,
            FORM_INDEX[f.form],
        )
    return ",".join(map(str, numbers))


_ONE_FIELD = rf"(?:-?[0-9]+,){{7}}[0-{len(FORMS) - 1}]"
_NUMBERS = re.compile(rf"(?:{_ONE_FIELD}(?:,{_ONE_FIELD})*)?")


def valid_numbers(numbers: str) -> bool:
    """Whether ``numbers`` is what :func:`encode_fields` writes (checked before use, so
    that building the fields later cannot fail)."""
    return _NUMBERS.fullmatch(numbers) is not None


def fields_named(fields: Sequence[FieldLayout], names: Container[str]) -> tuple[FieldLayout, ...]:
    """The fields of an entry whose lower-cased name is in ``names``, in order (stored
    fields build only those)."""
    if isinstance(fields, StoredFields):
        return fields.named(names)
    return tuple(f for f in fields if f.name.lower() in names)


class StoredFields(Sequence[FieldLayout]):
    """Field layouts built on first use from :func:`encode_fields`' string."""

    __slots__ = ("_built", "_extra", "_line", "_numbers", "_offset", "_text", "_values")

    def __init__(
        self,
        text: str,
        numbers: str,
        *,
        line: int,
        offset: int,
        values: Mapping[str, str],
        extra: Mapping[int, str],
    ) -> None:
        self._text = text
        self._numbers = numbers
        self._line = line
        self._offset = offset
        self._values = values
        self._extra = extra
        self._built: tuple[FieldLayout, ...] | None = None

    def stored(self, line: int) -> tuple[str, dict[int, str]] | None:
        """``(numbers, extra values)`` as :func:`encode_fields` gives them for an entry on
        ``line`` at offset 0, when these fields were made so (else ``None``)."""
        if self._offset != 0 or self._line != line:
            return None
        return self._numbers, dict(self._extra)

    def _fields(self) -> tuple[FieldLayout, ...]:
        if self._built is None:
            self._built = self._build()
        return self._built

    def named(self, names: Container[str]) -> tuple[FieldLayout, ...]:
        """The fields whose lower-cased name is in ``names``, in order: the same as
        filtering the whole sequence, without building the others' layouts (the export's
        identifier and page fixes read two or three fields of each of 10,000 entries)."""
        if self._built is not None or not self._numbers:
            return fields_named(self._fields(), names)
        return self._build(names)

    def _build(self, names: Container[str] | None = None) -> tuple[FieldLayout, ...]:
        """Every field's layout; only those named in ``names`` when given (then the text
        is kept: the others may be built later)."""
        if not self._numbers:
            return ()
        text, line, offset, values, extra = (
            self._text,
            self._line,
            self._offset,
            self._values,
            self._extra,
        )
        raw = self._numbers.split(",")
        built = []
        for index, i in enumerate(range(0, len(raw), 8)):
            # Only a field's name is read before it is known to be wanted: the export asks
            # for two or three of each entry's fields (issue 16).
            start = int(raw[i + 1]) + offset
            name = text[start : start + int(raw[i + 2])]
            if names is not None and name.lower() not in names:
                continue
            line_of, _, name_len, equals, value_at, value_end, end, form = map(int, raw[i : i + 8])
            value = extra[index] if index in extra else values.get(name.lower(), "")
            built.append(
                FieldLayout(
                    name,
                    line_of + line,
                    start,
                    start + name_len,
                    start + equals,
                    start + value_at,
                    start + value_end,
                    start + end,
                    FORMS[form],
                    value,
                )
            )
        if names is None:
            self._text = ""  # the file's text is no longer held for this entry
        return tuple(built)

    @overload
    def __getitem__(self, index: int) -> FieldLayout: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[FieldLayout, ...]: ...

    def __getitem__(self, index: int | slice) -> FieldLayout | tuple[FieldLayout, ...]:
        return self._fields()[index]

    def __len__(self) -> int:
        return len(self._fields()) if self._built is not None else self._count()

    def _count(self) -> int:
        return self._numbers.count(",") // 8 + 1 if self._numbers else 0

    def __bool__(self) -> bool:
        return bool(self._numbers)

    def __iter__(self) -> Iterator[FieldLayout]:
        return iter(self._fields())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredFields | tuple):
            return self._fields() == tuple(cast(Sequence[Any], other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return repr(self._fields())
