"""Evidence as the text the cache stores, and back; and records decoded only when read.

One text per record: :func:`evidence_text` (JSON, keys sorted) is what the local cache and
the shared store keep, and its digest (:func:`record_print`) is how a run's remembered
findings name the records they were computed from (:mod:`citetrack.incremental`).  The
round trip is lossless (``tests/test_codec.py``): equal text, equal record.

:class:`StoredFound` is a cached ``Found`` whose metadata is decoded on first use.  A warm
run whose findings are remembered never looks at most records' metadata, and decoding
20,000 of them was a third of a warm 10,000-reference check (issue 16).  The cache hands
one out only for a text it has seen decode before under this same code (its record of
such texts lives in the memo, which the code's stamp empties), so the deferred decode
cannot fail; any other text is decoded, and so checked, when it is read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections.abc import Iterable, Mapping
from dataclasses import fields
from enum import StrEnum
from typing import Any, cast

import orjson

from citetrack.model import (
    Author,
    Evidence,
    Found,
    NotFound,
    Source,
    Update,
    UpdateKind,
    WorkMetadata,
)

log = logging.getLogger(__name__)


def metadata_to_dict(metadata: WorkMetadata) -> dict[str, Any]:
    """Plain JSON-able dict of a :class:`WorkMetadata` (enums as values, tuples as lists)."""
    out: dict[str, Any] = {}
    for f in fields(WorkMetadata):
        value = getattr(metadata, f.name)
        if f.name == "authors":
            value = [{k: v for k, v in a.__dict__.items() if v} for a in value]
        elif f.name == "updates":
            value = [
                {k: (str(v) if k == "kind" else v) for k, v in u.__dict__.items()} for u in value
            ]
        elif isinstance(value, StrEnum):
            value = value.value
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


#: ``WorkMetadata``'s fields (name, whether a tuple), computed once rather than per record
#: (a warm 10,000-reference check reads 20,000 records, issue 16).
_METADATA_FIELDS = tuple((f.name, f.default == ()) for f in fields(WorkMetadata))


def metadata_from_dict(data: Mapping[str, Any]) -> WorkMetadata:
    """Inverse of :func:`metadata_to_dict`.  Unknown keys are ignored; wrong types raise."""
    if not isinstance(data, Mapping):
        raise TypeError("metadata must be an object")
    kwargs: dict[str, Any] = {}
    for name, is_tuple in _METADATA_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "source":
            value = Source(value)
        elif name == "authors":
            value = tuple(_author(a) for a in _list(value))
        elif name == "updates":
            value = tuple(_update(u) for u in _list(value))
        elif is_tuple:
            value = tuple(_scalar(v) for v in _list(value))
        else:
            value = _scalar(value)
        kwargs[name] = value
    if "source" not in kwargs:
        raise KeyError("source")
    return WorkMetadata(**kwargs)


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value


def _scalar(value: Any) -> str | int | None:
    if type(value) is str:
        # Interned as the registry parsers intern them (registries.base.as_str): records
        # repeat journals, volumes, types and names.
        return sys.intern(value)
    if (
        value is None
        or isinstance(value, str)
        or (isinstance(value, int) and not isinstance(value, bool))
    ):
        return value
    raise TypeError(f"unexpected value {value!r}")


def _str_fields(data: Any, names: Iterable[str]) -> dict[str, str]:
    if not isinstance(data, Mapping):
        raise TypeError("expected an object")
    out: dict[str, str] = {}
    for name in names:
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a string")
        out[name] = sys.intern(value) if type(value) is str else value
    return out


def _author(data: Any) -> Author:
    return Author(**_str_fields(data, ("family", "given", "literal")))


def _update(data: Any) -> Update:
    values = _str_fields(data, ("kind", "notice_id", "asserted_by", "date", "label"))
    return Update(
        kind=UpdateKind(values.pop("kind")),
        **values,
    )


def evidence_to_dict(evidence: Found | NotFound) -> dict[str, Any]:
    """JSON-able form of a ``Found`` / ``NotFound`` (``Unavailable`` is never stored)."""
    if isinstance(evidence, Found):
        return {
            "kind": "found",
            "source": evidence.source.value,
            "identifier": evidence.identifier,
            "metadata": metadata_to_dict(evidence.metadata),
        }
    return {
        "kind": "not_found",
        "source": evidence.source.value,
        "identifier": evidence.identifier,
        "reason": evidence.reason,
    }


def evidence_from_dict(data: Mapping[str, Any]) -> Found | NotFound:
    """Inverse of :func:`evidence_to_dict`; raises ``ValueError``/``TypeError``/``KeyError``."""
    source = Source(data["source"])
    identifier = data["identifier"]
    if not isinstance(identifier, str):
        raise TypeError("identifier must be a string")
    if data["kind"] == "found":
        return Found(source, identifier, metadata_from_dict(data["metadata"]))
    if data["kind"] == "not_found":
        reason = data["reason"]
        if not isinstance(reason, str):
            raise TypeError("reason must be a string")
        return NotFound(source, identifier, reason)
    raise ValueError(f"unknown evidence kind {data['kind']!r}")


def writable(payload: str) -> bool:
    """Whether ``payload`` can be stored as UTF-8 (a lone surrogate cannot; it is skipped,
    never a crash — registry text is cleaned before it gets here)."""
    try:
        payload.encode("utf-8")
    except UnicodeEncodeError:
        log.warning("cache: an entry with unencodable text was not stored")
        return False
    return True


#: ``WorkMetadata``'s fields of one text or number (what :meth:`StoredFound.scalar` reads).
_SCALAR_FIELDS = frozenset(
    f.name for f in fields(WorkMetadata) if f.default is None and f.name != "source"
)


#: The fields kept beside a known text (:func:`peek_text`): read by stages before any
#: comparison (the DOI of a PubMed record, for ``pmid-doi-conflict``; whether a record
#: names the cited DOI or PMID, for the lockfile), so that a warm run reads them without
#: decoding or even parsing the record.
PEEKED = ("doi", "pmid")


def peek_text(found: Found) -> str:
    """The :data:`PEEKED` fields of ``found``, as the cache's memo keeps them."""
    return json.dumps([getattr(found.metadata, name) for name in PEEKED], ensure_ascii=False)


def _read_peek(text: str) -> list[str | int | None] | None:
    try:
        # orjson: a quarter of ``json.loads``'s time for these few bytes, read for every
        # PubMed record of a warm run (issue 16); the same values for any text
        # :func:`peek_text` writes, and what it refuses is a miss as before.
        values = orjson.loads(text)
    except ValueError:  # orjson.JSONDecodeError is one
        return None
    if type(values) is not list or len(values) != len(PEEKED):
        return None
    for value in values:  # a loop, not all(<generator>): read for 200,000 records
        if value is not None and type(value) is not str and type(value) is not int:
            return None
    return values


def metadata_scalar(found: Found, name: str) -> str | int | None:
    """``found.metadata.<name>``; for a stored record, read without decoding the rest."""
    if isinstance(found, StoredFound):
        return found.scalar(name)
    value = getattr(found.metadata, name)
    return value if value is None or isinstance(value, str | int) else None


def evidence_text(evidence: Found | NotFound) -> str:
    """The stored text of ``evidence`` (what :func:`evidence_from_text` reads back)."""
    return json.dumps(evidence_to_dict(evidence), ensure_ascii=False, sort_keys=True)


def evidence_from_text(text: str) -> Found | NotFound:
    """:func:`evidence_text` read back; ``ValueError``/``TypeError``/``KeyError``/
    ``RecursionError`` if it is not that."""
    return evidence_from_dict(json.loads(text))


def text_digest(text: str) -> str:
    """A short hash of ``text`` (BLAKE2b, 128 bits, hex)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def bytes_digest(data: bytes) -> str:
    """:func:`text_digest` of the text whose UTF-8 is ``data`` (the cache's stored text
    as SQLite holds it: hashed without decoding it first)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def record_print(evidence: Evidence) -> str:
    """The digest of everything ``evidence`` says: equal digests, equal records.

    A stored record is named by the digest of its stored text, a fresh one by the digest of
    the text it would be stored as; ``Unavailable`` (never stored) by its ``repr``.
    """
    if isinstance(evidence, StoredFound):
        return evidence.digest
    if isinstance(evidence, Found | NotFound):
        return text_digest(evidence_text(evidence))
    return text_digest("unavailable\x1f" + repr(evidence))


class UnreadableRecord(Exception):
    """A cached record the memo vouched for does not decode: the cache or its memo was
    altered by something other than citetrack (a damaged file cannot forge the digest)."""


#: ``object.__setattr__``, looked up once (a frozen parent's fields are set through it).
_set = object.__setattr__


class StoredFound(Found):
    """A ``Found`` read from the cache, its metadata decoded when first asked for.

    Equal to, hashed as, printed and pickled as the plain ``Found`` it stands for.
    """

    def __init__(
        self, source: Source, identifier: str, text: str | bytes, digest: str, peeked: str = ""
    ) -> None:
        # ``text``: the stored text, or its UTF-8 as the cache reads it (decoded on use).
        # Not ``self.__dict__.update(...)``: one call instead of five, but it gives each
        # object a dictionary of its own (200,000 records: 24 -> 50 MB; issue 16).
        _set(self, "source", source)
        _set(self, "identifier", identifier)
        _set(self, "_text", text)
        _set(self, "digest", digest)
        _set(self, "_peeked", peeked)

    #: The digest of the stored text (:func:`record_print`).
    digest: str

    @property  # a read-only field of the frozen parent, made lazy
    def metadata(self) -> WorkMetadata:
        held: WorkMetadata | None = self.__dict__.get("_metadata")
        if held is None:
            try:
                text = self.__dict__["_text"]
                found = evidence_from_text(text if type(text) is str else text.decode("utf-8"))
            except (ValueError, TypeError, KeyError, RecursionError) as exc:
                raise UnreadableRecord(
                    f"the cached {self.source.value} record of {self.identifier} does not read "
                    f"back ({exc}): the cache or its memo was changed outside "
                    "citetrack; delete citetrack's cache folder (--cache-dir) and check again"
                ) from None
            if not isinstance(found, Found):
                raise UnreadableRecord(f"the cached record of {self.identifier} changed kind")
            held = found.metadata
            object.__setattr__(self, "_metadata", held)
        return held

    def scalar(self, name: str) -> str | int | None:
        """``metadata.<name>`` of a plain (text or number) field, without decoding the
        rest: a quarter of the decode's cost, for a stage that needs one value of many
        records (the DOI of every PubMed record)."""
        held: WorkMetadata | None = self.__dict__.get("_metadata")
        if held is None and name in PEEKED:
            peeked = self.__dict__["_peeked"]
            if isinstance(peeked, str):  # read once, kept read
                peeked = _read_peek(peeked)
                object.__setattr__(self, "_peeked", peeked)
            if peeked is not None:
                return cast("list[str | int | None]", peeked)[PEEKED.index(name)]
        if held is not None or name not in _SCALAR_FIELDS:
            value = getattr(held if held is not None else self.metadata, name)
            return value if value is None or isinstance(value, str | int) else None
        text = self.__dict__["_text"]
        metadata = json.loads(text if type(text) is str else text.decode("utf-8"))["metadata"]
        return _scalar(metadata.get(name))  # what the decode gives it (the text decodes)

    def plain(self) -> Found:
        """The ``Found`` this stands for."""
        return Found(self.source, self.identifier, self.metadata)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Found):
            return (self.source, self.identifier, self.metadata) == (
                other.source,
                other.identifier,
                other.metadata,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.plain())

    def __repr__(self) -> str:
        return repr(self.plain())

    def __reduce__(self) -> tuple[type[Found], tuple[Source, str, WorkMetadata]]:
        return (Found, (self.source, self.identifier, self.metadata))
