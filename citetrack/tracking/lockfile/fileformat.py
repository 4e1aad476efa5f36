"""The lockfile on disk: JSON with a schema, read strictly, written as stable bytes.

Writing gives sorted keys, a two-space indent and a trailing newline, atomically.
Reading accepts only the schemas this version writes (1, and 2: a lockfile that records
articles' citation texts, which version 1 cannot hold, is written as 2, any other as 1,
so that an older citetrack still reads it) and turns anything else into a
:class:`LockError` that names the file, the JSON path and how to recover; a lockfile of
a newer schema is refused with a message that says to upgrade (and, being refused, is
never written over).
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Container, Iterator, Mapping
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import orjson

from citetrack.fsutil import atomic_write_chunks
from citetrack.inputs.textio import InputError, read_bytes_stated
from citetrack.model import (
    Identifiers,
    LinkVerdict,
    Severity,
    Source,
    UpdateKind,
)
from citetrack.report.json_text import dumps_plain
from citetrack.tracking.codec import bytes_digest, text_digest
from citetrack.tracking.lockfile.citetext import TEXT_DIGEST
from citetrack.tracking.lockfile.shapes import Shape as _Shape
from citetrack.tracking.lockfile.shapes import a_date as _date
from citetrack.tracking.lockfile.shapes import a_list as _list
from citetrack.tracking.lockfile.shapes import a_map as _map
from citetrack.tracking.lockfile.shapes import all_text as _all_text
from citetrack.tracking.lockfile.shapes import drop_none as _drop_none
from citetrack.tracking.lockfile.shapes import member as _enum
from citetrack.tracking.lockfile.shapes import no_duplicates as _no_duplicates
from citetrack.tracking.lockfile.shapes import obj as _obj
from citetrack.tracking.lockfile.shapes import only as _only
from citetrack.tracking.lockfile.shapes import opt_text as _opt_str
from citetrack.tracking.lockfile.shapes import short as _short
from citetrack.tracking.lockfile.shapes import text as _str
from citetrack.tracking.lockfile.state import (
    CONFIRMABLE_RULES,
    LOCK_NAME,
    METADATA_FIELDS,
    OLDEST_SCHEMA,
    SCHEMA_VERSION,
    Accepted,
    AcceptedProblem,
    ArticleRecord,
    Failing,
    Lock,
    LockEntry,
    LockError,
    Notice,
    SourceRecord,
    UrlRecord,
)

if TYPE_CHECKING:
    from citetrack.tracking.fileprints import FilePrints

#: The largest lockfile read or written: about 1 kB a reference with a DOI and a PMID (a
#: 100,000-reference lockfile is 103 MB), so some 130,000 references.  Reading one laid
#: out as citetrack writes it peaks at about four times its size in memory the first time
#: (every check made), 2.5 times once read before (103 MB: 395 and 260 MB, bytes
#: included; issue 16, bench/README.md session 20); this bounds it (and GitHub refuses
#: files over 100 MB).
MAX_LOCK_BYTES = 128 * 1024 * 1024

_RECOVER = (
    "If you edited it by hand, fix it; otherwise delete it and run `citetrack lock` to "
    "accept the current state (the history of failing checks starts again)."
)


# ---------------------------------------------------------------------- serialisation


def dumps_lock(lock: Lock) -> str:
    """The lockfile's text: sorted keys, 2-space indent, trailing newline, stable bytes
    (``json.dumps(..., indent=2, sort_keys=True, ensure_ascii=False)`` of the document)."""
    return "".join(lock_text(lock))


#: Entries laid out per piece of :func:`lock_text`: some 200 kB of text.
_ENTRIES_PER_PIECE = 200


def lock_text(lock: Lock) -> Iterator[str]:
    """:func:`dumps_lock`'s text in pieces of some :data:`_ENTRIES_PER_PIECE` entries, so
    that writing never holds the whole document: a 100,000-reference ``lock`` built the
    document (hundreds of MB of dictionaries) and ``json.dumps``'s Python encoder kept
    one string per token until it joined them, then the text and its bytes (1.7 GB peak
    for a 103 MB file; issue 16).  The top level's keys in sorted order: ``articles``,
    ``problems``, ``references``, ``schema_version``; each entry is laid out by
    :func:`~citetrack.report.json_text.dumps_plain` (held equal to ``json.dumps``; a
    lockfile holds no float)."""
    yield "{\n"
    if lock.articles:
        articles = {k: _article_json(a) for k, a in lock.articles.items()}
        yield f'  "articles": {dumps_plain(articles, "  ")},\n'
    if lock.problems:
        problems = {
            name: [_drop_none({"rule": p.rule, "key": p.key, "message": p.message}) for p in marks]
            for name, marks in lock.problems.items()
            if marks
        }
        yield f'  "problems": {dumps_plain(problems, "  ")},\n'
    refs = lock.references
    if not refs:
        yield '  "references": {},\n'
    else:
        yield '  "references": {\n'
        keys = sorted(refs)
        for at in range(0, len(keys), _ENTRIES_PER_PIECE):
            piece = {k: _entry_json(refs[k]) for k in keys[at : at + _ENTRIES_PER_PIECE]}
            # "{\n" + the entries, each line two spaces in + "\n}", with the margin: the
            # entries' lines as they sit four spaces in, between the pieces' commas.
            text = dumps_plain(piece, "  ")[2:-4]
            yield text if at == 0 else ",\n" + text
        yield "\n  },\n"
    yield f'  "schema_version": {schema_of(lock)}\n}}\n'


def schema_of(lock: Lock) -> int:
    """The schema ``lock`` is written in: :data:`SCHEMA_VERSION` when it holds what schema 1
    cannot (an article's citation texts, a source record of a reading after the first),
    else 1, which older citetrack versions read.  (:func:`lock_text` asks it last, when
    every source record has been read to be written.)"""
    if any(a.texts for a in lock.articles.values()) or any(
        rec.reading != 1 for entry in lock.references.values() for rec in entry.sources.values()
    ):
        return SCHEMA_VERSION
    return OLDEST_SCHEMA


def write_lock(path: str | os.PathLike[str], lock: Lock) -> None:
    """Write ``lock`` atomically (the old file stays whole if anything fails), piece by
    piece (:func:`lock_text`).

    A lockfile larger than :data:`MAX_LOCK_BYTES` is not written (:class:`LockError`):
    every later run would refuse to read it (a 100,000-reference ``lock`` wrote 103 MB
    that each ``check`` then refused, exit 2, when the bound was 64 MiB)."""
    atomic_write_chunks(path, _bounded(path, lock))


def _bounded(path: str | os.PathLike[str], lock: Lock) -> Iterator[bytes]:
    """The bytes of :func:`lock_text`; :class:`LockError` once they pass the bound (the
    writer then leaves the old file as it was)."""
    size = 0
    for text in lock_text(lock):
        data = text.encode("utf-8")
        size += len(data)
        if size > MAX_LOCK_BYTES:
            rest = sum(len(t.encode("utf-8")) for t in lock_text(lock))
            raise LockError(
                f"{path}: not written: the lockfile would be {rest / 2**20:.0f} MiB, more than "
                f"the {MAX_LOCK_BYTES // 2**20} MiB citetrack reads back. Check the "
                "bibliography in parts, each with a lockfile of its own (--lockfile).",
                path=os.fspath(path),
            )
        yield data


def _entry_json(entry: LockEntry) -> dict[str, object]:
    doc: dict[str, object] = {"file": entry.file}
    if entry.identifiers:
        doc["identifiers"] = dict(entry.identifiers)
    if entry.sources:
        doc["sources"] = {src: source_json(rec) for src, rec in entry.sources.items()}
    if entry.urls:
        doc["urls"] = {
            url: _drop_none(
                {
                    "verdict": rec.verdict.value if rec.verdict else None,
                    "final_url": rec.final_url,
                    "archive_url": rec.archive_url,
                }
            )
            for url, rec in entry.urls.items()
        }
    if entry.failing:
        doc["failing"] = {
            target: _drop_none(
                {
                    "failures": st.failures,
                    "since": st.since.isoformat(),
                    "confirmed_on": st.confirmed_on.isoformat() if st.confirmed_on else None,
                }
            )
            for target, st in entry.failing.items()
        }
    if entry.accepted:
        doc["accepted"] = [
            _drop_none({"rule": a.rule, "field": a.field, "severity": a.severity.value})
            for a in entry.accepted
        ]
    return doc


def _article_json(rec: ArticleRecord) -> dict[str, object]:
    return _drop_none(
        {
            "source": rec.source,
            "format": rec.format,
            "title": rec.title,
            "revision": rec.revision,
            "timestamp": rec.timestamp,
            "citations": dict(rec.citations),
            "texts": dict(rec.texts) if rec.texts else None,
        }
    )


def source_json(rec: SourceRecord) -> dict[str, object]:
    """A source record as the lockfile writes it."""
    doc: dict[str, object] = {"id": rec.identifier, **rec.fields}
    if rec.reading != 1:  # 1: as every lockfile before the reading was versioned
        doc["reading"] = rec.reading
    if rec.notices:
        doc["notices"] = [
            _drop_none({"kind": n.kind.value, "id": n.notice_id}) for n in rec.notices
        ]
    return doc


# ------------------------------------------------------------------------------ reading


_T = TypeVar("_T")


def read_lock(
    path: str | os.PathLike[str],
    *,
    known: Container[str] = (),
    prints: FilePrints | None = None,
) -> Lock | None:
    """The lockfile at ``path``, or ``None`` if there is none (``known``: see
    :func:`parse_lock`; ``prints``: the digest of the bytes is the one remembered for the
    file's state, if any, see :mod:`citetrack.tracking.fileprints`).

    Raises :class:`LockError` (never anything else for bad content) when it is corrupt,
    has the wrong shape or comes from a newer citetrack — and when it is not a regular
    file (a link to ``/dev/zero``, a pipe), is a link to nothing, or is larger than
    :data:`MAX_LOCK_BYTES`: a pull request controls this path, and reading must stay
    bounded.
    """
    try:
        return _read_lock(path, known=known, prints=prints)
    except LockError as exc:
        if exc.path is None:  # parse_lock names the file in its message only
            exc.path = os.fspath(path)
        raise


def _read_lock(
    path: str | os.PathLike[str],
    *,
    known: Container[str],
    prints: FilePrints | None,
) -> Lock | None:
    """:func:`read_lock` itself."""
    if not os.path.lexists(path):
        return None
    try:
        data, before, after = read_bytes_stated(
            os.fspath(path), max_bytes=MAX_LOCK_BYTES, kind="lockfile", regular_only=True
        )
    except InputError as exc:
        if exc.message == "no such file":  # a symbolic link to nothing
            raise LockError(
                f"{path}: a symbolic link to a missing file; citetrack will not create a file "
                "through it. Remove the link, or pass --lockfile with the real path."
            ) from None
        raise LockError(f"{path}: cannot read the lockfile ({exc.message})") from None
    if len(data) > MAX_LOCK_BYTES:
        raise LockError(
            f"{path}: larger than {MAX_LOCK_BYTES // (1024 * 1024)} MiB; refusing to read it. "
            f"{_RECOVER}"
        )
    digest = None
    if known and prints is not None:  # the digest is only asked for with ``known``
        digest = prints.digest(str(Path(path).resolve()), data, before, after)
    return parse_lock(data, where=str(path), known=known, digest=digest)


def parse_lock(
    data: bytes | str,
    where: str = LOCK_NAME,
    *,
    known: Container[str] = (),
    digest: str | None = None,
) -> Lock:
    """A :class:`Lock` from the lockfile's bytes; :class:`LockError` if it is not one.

    ``known``: digests (:attr:`Lock.digest`) of lockfiles this code has read whole before
    without error.  Such bytes, which hold no key twice, are parsed without the
    duplicate-key check (a Python call per JSON object: a third of reading a
    10,000-reference lockfile; issue 16), and their entries' source records are read when
    first asked for (:func:`_known_lock`); every other check is made as always.
    ``digest``: that of ``data`` (bytes) if already known, not computed again.
    """
    if known and isinstance(data, bytes):
        if digest is None:
            digest = bytes_digest(data)  # = text_digest of the text, if the bytes are UTF-8
        if digest in known:
            lock = _known_lock(data, digest, where)
            if lock is not None:
                return lock
    if isinstance(data, bytes):
        lock = _pieced_lock(data, where)
        if lock is not None:
            return lock
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        digest = text_digest(text)  # of the bytes read: they are UTF-8
        if digest in known:
            doc = json.loads(text)
        else:
            doc = json.loads(text, object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise LockError(f"{where}: not valid JSON ({_short(exc)}). {_RECOVER}") from exc
    try:
        return _lock(doc, where, digest, _entry)
    except _Shape as exc:
        raise LockError(f"{where}: not a valid citetrack lockfile: {exc}. {_RECOVER}") from exc


def _lock(
    doc: object,
    where: str,
    digest: str,
    entry: Callable[[object, str], LockEntry],
    references: Callable[[object], dict[str, LockEntry]] | None = None,
) -> Lock:
    """The :class:`Lock` of a parsed document, its entries read by ``entry`` (or all of
    them by ``references``, given the top level's ``references`` value)."""
    top = _obj(doc, "the top level")
    version = top.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise LockError(
            f"{where}: written by a newer citetrack (schema_version {version}; this "
            f"version reads {OLDEST_SCHEMA} to {SCHEMA_VERSION}). Upgrade citetrack to use "
            "it; the lockfile is left as it is."
        )
    if type(version) is not int or not OLDEST_SCHEMA <= version <= SCHEMA_VERSION:
        raise _Shape(
            f"schema_version: expected {OLDEST_SCHEMA} or {SCHEMA_VERSION}, found {version!r}"
        )
    _only(top, {"schema_version", "references", "articles", "problems"}, "the top level")
    if references is not None:
        entries = references(top.get("references"))
    else:
        refs = _obj(top.get("references", {}), "references")
        entries = {k: entry(v, f"references.{k}") for k, v in refs.items()}
    return Lock(
        references=entries,
        articles=_map(
            top.get("articles", {}),
            "articles",
            _article if version >= SCHEMA_VERSION else _article_v1,
        ),
        problems=_map(top.get("problems", {}), "problems", _problems),
        digest=digest,
    )


def _pieced_lock(data: bytes, where: str) -> Lock | None:
    """The lockfile of ``data`` laid out as :func:`lock_text` writes it, read and checked
    in full as :func:`parse_lock` does, a piece at a time (:func:`_pieces`); ``None`` for
    another layout or for bytes that do not read, which are then read whole (and the
    error named as it always was).

    Reading a 100,000-reference lockfile whole held its text and whole document at once,
    some 500 MB on top of what it reads into (``lock`` reads back the file it wrote; a
    check reads a lockfile it has not read before; issue 16).  Every check is the same:
    UTF-8 (the pieces are cut at ASCII bytes and cover all others), no key twice (in a
    piece, and across pieces), every value's shape."""
    cut = _pieces(data)
    if cut is None:
        return None
    head, pieces = cut
    try:
        doc = json.loads(head.decode("utf-8"), object_pairs_hook=_no_duplicates)
        if type(doc) is not dict or doc.get("references") != _CUT:
            return None

        def entries(_: object) -> dict[str, LockEntry]:
            out: dict[str, LockEntry] = {}
            for piece in pieces:
                part = json.loads(piece.decode("utf-8"), object_pairs_hook=_no_duplicates)
                for key, value in part.items():
                    if key in out:
                        raise ValueError(f"duplicate key {key!r}")
                    out[key] = _entry(value, f"references.{key}")
            return out

        # The digest of the bytes is that of their text (they are UTF-8).
        return _lock(doc, where, bytes_digest(data), _entry, entries)
    except (UnicodeDecodeError, ValueError, RecursionError, _Shape, LockError):
        return None


def _known_lock(data: bytes, digest: str, where: str) -> Lock | None:
    """The lockfile of bytes this code has read whole before without error (``digest`` is
    in ``known``, see :func:`parse_lock`), read faster; ``None`` if they do not read so.

    A check with an unchanged lockfile compares few of its records (the rest are settled,
    :class:`~citetrack.tracking.lockfile.remembered.SettledSources`): a 10,000-reference
    lockfile's 20,000 source records were built and checked at every run to be looked at
    by none (issue 16).  Here the text is read by ``orjson`` and an entry of the plain
    shape gets its source records as :class:`_KnownSources`, each read by the usual reader
    when first asked for.  Its other values are those the usual reader gives: the bytes
    passed it whole, and read the same (``orjson`` reads what ``json`` reads, but for what
    it refuses, and integers beyond 64 bits as floats: a plain entry holds no number, and
    any other part is read by the usual readers, which refuse a float).  Whatever does not
    read (``None``) is read again the usual way, which names what is wrong.

    The entries of a lockfile laid out as citetrack writes it are read a piece at a time
    (:func:`_pieces`): the whole document as dictionaries was some 500 MB at 100,000
    references, on top of the check's own (issue 16).
    """
    read = functools.partial(_known_entry, where=where)
    try:
        cut = _pieces(data)
        if cut is not None:
            head, pieces = cut
            doc = orjson.loads(head)
            if type(doc) is dict and doc.get("references") == _CUT:
                # The cut was the top level's value: the rest is the document, and the
                # pieces, each a list of its entries, are that value's entries.

                def entries(_: object) -> dict[str, LockEntry]:
                    out: dict[str, LockEntry] = {}
                    for piece in pieces:
                        for key, value in orjson.loads(piece).items():
                            out[key] = read(value, f"references.{key}")
                    return out

                return _lock(doc, where, digest, read, entries)
        return _lock(orjson.loads(data), where, digest, read)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError, _Shape, LockError):
        return None


#: What stands for the top level's ``references`` value cut out of a lockfile's bytes
#: (:func:`_pieces`): no lockfile that reads holds a string there.
_CUT = "\u0000references"
#: Where :func:`lock_text` opens and closes the ``references`` object, and its separator
#: between two entries (a JSON string holds no raw line break: these bytes are layout).
_OPEN = b'\n  "references": {\n'
_CLOSE = b"\n  }"
_NEXT = b',\n    "'
#: Bytes of entries read at once by :func:`_pieces`.
_PIECE_BYTES = 1 << 18


def _pieces(data: bytes) -> tuple[bytes, Iterator[bytes]] | None:
    """The bytes of a lockfile laid out as :func:`lock_text` writes it, cut in two: the
    document with the ``references`` object replaced by the string :data:`_CUT`, and that
    object's entries as objects of some :data:`_PIECE_BYTES` each (cut where one entry
    ends and the next begins); ``None`` for another layout.

    Nothing here has to be right for the reading to be: if the document parses with
    :data:`_CUT` as its top level's ``references``, the cut was that value, an object
    from the ``{`` to the ``}`` cut out; if each piece parses as an object, their texts,
    which are that object's text between its braces cut at commas, are lists of members,
    so the object's members are the pieces' in order (bytes read whole before hold no key
    twice).  Any other cut fails to parse (a brace or bracket left open), and the bytes
    are read whole."""
    start = data.find(_OPEN)
    if start < 0:
        return None
    first = start + len(_OPEN) - 2  # the "{" (before the line break)
    end = data.find(_CLOSE, first)
    if end < 0:
        return None
    last = end + len(_CLOSE) - 1  # the "}"
    head = b"".join((data[:first], b'"\\u0000references"', data[last + 1 :]))

    def pieces() -> Iterator[bytes]:
        at = first + 1
        while at < last:
            cut = data.find(_NEXT, at + _PIECE_BYTES, last)
            stop = last if cut < 0 else cut
            yield b"".join((b"{", data[at:stop], b"}"))
            at = stop + 1  # past the comma

    return head, pieces()


_IDENTIFIER_NAMES = frozenset(f.name for f in fields(Identifiers))
_SOURCE_NAMES = frozenset(s.value for s in Source)


_PLAIN_ENTRY_KEYS = frozenset({"file", "identifiers", "sources", "urls"})


def _plain_entry(doc: object) -> LockEntry | None:
    """An entry of the common shape (no ``failing``, no ``accepted``), read without a path
    string per value (a 10,000-reference lockfile is read on every check; issue 16);
    ``None`` for anything else, which :func:`_entry` reads and names what is wrong in."""
    if type(doc) is not dict or not _PLAIN_ENTRY_KEYS.issuperset(doc):
        return None
    file, ids = doc.get("file"), doc.get("identifiers", {})
    raw_sources, raw_urls = doc.get("sources", {}), doc.get("urls", {})
    if (
        type(file) is not str
        or type(ids) is not dict
        or type(raw_sources) is not dict
        or type(raw_urls) is not dict
        or not _IDENTIFIER_NAMES.issuperset(ids)
        or not _SOURCE_NAMES.issuperset(raw_sources)
        or not _all_text(ids.values())
    ):
        return None
    sources = _plain_map(raw_sources, _plain_source)
    urls = _plain_map(raw_urls, _plain_url)
    if sources is None or urls is None:
        return None
    return LockEntry(file=file, identifiers=dict(ids), sources=sources, urls=urls)


def _plain_map(
    raw: Mapping[str, object], read: Callable[[object], _T | None]
) -> dict[str, _T] | None:
    """``read`` of each value, or ``None`` as soon as one is not of the plain shape."""
    out = {}
    for key, value in raw.items():
        item = read(value)
        if item is None:
            return None
        out[key] = item
    return out


def _plain_url(doc: object) -> UrlRecord | None:
    """:func:`_url` of a sound value, without path strings; ``None`` for anything else."""
    if type(doc) is not dict or not _URL_KEYS.issuperset(doc):
        return None
    verdict, final, archive = doc.get("verdict"), doc.get("final_url"), doc.get("archive_url")
    if not all(v is None or (type(v) is str and v) for v in (final, archive)):
        return None
    if verdict is None:
        return UrlRecord(verdict=None, final_url=final, archive_url=archive)
    if verdict not in _VERDICTS:
        return None
    return UrlRecord(verdict=LinkVerdict(verdict), final_url=final, archive_url=archive)


def _known_entry(value: object, at: str, where: str) -> LockEntry:
    """An entry of bytes read whole before (:func:`_known_lock`): of the plain shape (no
    ``failing``, no ``accepted``), with its source records read when first asked for;
    any other by :func:`_entry`.  ``at``: its JSON path; ``where``: the file."""
    if type(value) is dict and _PLAIN_ENTRY_KEYS.issuperset(value):
        file, ids = value.get("file"), value.get("identifiers", {})
        raw_sources, raw_urls = value.get("sources", {}), value.get("urls", {})
        if (
            type(file) is str
            and type(ids) is dict
            and type(raw_sources) is dict
            and type(raw_urls) is dict
        ):
            urls = _plain_map(raw_urls, _plain_url)
            if urls is not None:
                sources = _KnownSources(raw_sources, at, where)
                return LockEntry(file=file, identifiers=ids, sources=sources, urls=urls)
    return _entry(value, at)


class _KnownSources(Mapping[str, SourceRecord]):
    """The source records of an entry of bytes read whole before (:func:`_known_entry`):
    kept as their JSON bytes, each read by :func:`source_from_json` when first asked for,
    as :func:`_entry` reads them all at once.

    As bytes, not as the dictionaries they were parsed into: a check with an unchanged
    lockfile asks for few of them, and a 100,000-reference lockfile's 200,000 source
    records as dictionaries were some 250 MB held to the end of the run (issue 16)."""

    __slots__ = ("_at", "_names", "_raw", "_read", "_where")

    def __init__(self, raw: dict[str, object], at: str, where: str) -> None:
        self._names = tuple(raw)
        # A text of its own size (orjson's bytes keep a buffer of 4 kB at least).
        self._raw = orjson.dumps(raw).decode("utf-8")
        self._read: dict[str, SourceRecord] | None = None
        self._at = at
        self._where = where

    def __getitem__(self, src: str) -> SourceRecord:
        read = self._read
        record = read.get(src) if read is not None else None
        if record is None:
            if src not in self._names:
                raise KeyError(src)
            value = orjson.loads(self._raw)[src]
            try:
                record = source_from_json(value, f"{self._at}.sources.{src}")
            except _Shape as exc:  # not for bytes read whole before
                raise LockError(
                    f"{self._where}: not a valid citetrack lockfile: {exc}. {_RECOVER}",
                    path=self._where,
                ) from exc
            if read is None:
                read = self._read = {}
            read[src] = record
        return record

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return repr(dict(self.items()))


def _entry(value: object, where: str) -> LockEntry:
    plain = _plain_entry(value)
    if plain is not None:
        return plain
    doc = _obj(value, where)
    _only(doc, {"file", "identifiers", "sources", "urls", "failing", "accepted"}, where)
    file = doc.get("file")
    if not isinstance(file, str):
        raise _Shape(f"{where}.file: expected a string")
    identifiers = _map(doc.get("identifiers", {}), f"{where}.identifiers", _str)
    _only(identifiers, _IDENTIFIER_NAMES, f"{where}.identifiers")
    sources = _map(doc.get("sources", {}), f"{where}.sources", source_from_json)
    _only(sources, _SOURCE_NAMES, f"{where}.sources")
    failing = _map(doc.get("failing", {}), f"{where}.failing", _failing)
    for target in failing:
        kind, _, value = target.partition(":")
        if kind not in CONFIRMABLE_RULES.values() or not value:
            raise _Shape(f"{where}.failing: {target!r} is not doi:…, pmid:… or url:…")
    accepted = _list(doc.get("accepted", []), f"{where}.accepted")
    return LockEntry(
        file=file,
        identifiers=identifiers,
        sources=sources,
        urls=_map(doc.get("urls", {}), f"{where}.urls", _url),
        failing=failing,
        accepted=tuple(_accepted_item(a, f"{where}.accepted[{i}]") for i, a in enumerate(accepted)),
    )


_ARTICLE_FORMATS = frozenset({"wikitext", "text"})
_FINGERPRINT = re.compile(r"[0-9a-f]{12}")
_ARTICLE_KEYS = frozenset({"source", "format", "title", "revision", "timestamp", "citations"})


def _article_v1(value: object, where: str) -> ArticleRecord:
    """An article of a schema-1 lockfile: no citation texts."""
    _only(_obj(value, where), _ARTICLE_KEYS, where)
    return _article(value, where)


def _article(value: object, where: str) -> ArticleRecord:
    doc = _obj(value, where)
    _only(doc, _ARTICLE_KEYS | {"texts"}, where)
    fmt = _str(doc.get("format"), f"{where}.format")
    if fmt not in _ARTICLE_FORMATS:
        raise _Shape(f"{where}.format: expected 'wikitext' or 'text', found {fmt!r}")
    revision = doc.get("revision")
    if revision is not None and (
        not isinstance(revision, int) or isinstance(revision, bool) or revision < 0
    ):
        raise _Shape(f"{where}.revision: expected a revision id (a whole number)")
    citations = _map(doc.get("citations", {}), f"{where}.citations", _str)
    for key, mark in citations.items():
        if not _FINGERPRINT.fullmatch(mark):
            raise _Shape(f"{where}.citations.{key}: expected a 12-digit hex fingerprint")
    texts = _map(doc.get("texts", {}), f"{where}.texts", _str)
    for key, mark in texts.items():
        if not TEXT_DIGEST.fullmatch(mark):
            raise _Shape(f"{where}.texts.{key}: expected a text digest (t1: and 12 hex digits)")
    return ArticleRecord(
        source=_str(doc.get("source"), f"{where}.source"),
        format=fmt,
        citations=citations,
        title=_opt_str(doc.get("title"), f"{where}.title"),
        revision=revision,
        timestamp=_opt_str(doc.get("timestamp"), f"{where}.timestamp"),
        texts=texts,
    )


_SOURCE_KEYS = frozenset({"id", "notices", "reading", *METADATA_FIELDS})


def source_from_text(text: str) -> SourceRecord | None:
    """A source record kept as JSON text (the memo's copy); ``None`` if it is not one."""
    try:
        return source_from_json(json.loads(text), "source")
    except (ValueError, RecursionError, _Shape):
        return None


def _plain_source(value: object) -> SourceRecord | None:
    """The common source record (no notices), checked without a path string per field (a
    10,000-reference lockfile holds some 20,000 of them; issue 16); ``None`` for anything
    else, which :func:`source_from_json` reads and names what is wrong in."""
    if (
        type(value) is not dict
        or "notices" in value
        or "reading" in value
        or not _SOURCE_KEYS.issuperset(value)
    ):
        return None
    fields = dict(value)  # its keys: "id" and names of METADATA_FIELDS
    identifier = fields.pop("id", None)
    if type(identifier) is not str or not identifier or not _all_text(fields.values()):
        return None
    return SourceRecord(identifier, fields, ())


def source_from_json(value: object, where: str) -> SourceRecord:
    """:func:`source_json` read back; :class:`LockError` naming ``where`` if not that."""
    plain = _plain_source(value)
    if plain is not None:
        return plain
    doc = _obj(value, where)
    _only(doc, _SOURCE_KEYS, where)
    notices = []
    for i, item in enumerate(_list(doc.get("notices", []), f"{where}.notices")):
        notice = _obj(item, f"{where}.notices[{i}]")
        _only(notice, {"kind", "id"}, f"{where}.notices[{i}]")
        notices.append(
            Notice(
                _enum(UpdateKind, notice.get("kind"), f"{where}.notices[{i}].kind"),
                _opt_str(notice.get("id"), f"{where}.notices[{i}].id"),
            )
        )
    reading = doc.get("reading", 1)
    if type(reading) is not int or reading < 1:
        raise _Shape(f"{where}.reading: expected a whole number of at least 1")
    return SourceRecord(
        identifier=_str(doc.get("id"), f"{where}.id"),
        fields={k: _str(doc[k], f"{where}.{k}") for k in METADATA_FIELDS if k in doc},
        notices=tuple(notices),
        reading=reading,
    )


_URL_KEYS = frozenset({"verdict", "final_url", "archive_url"})
_VERDICTS = frozenset(v.value for v in LinkVerdict)


def _url(value: object, where: str) -> UrlRecord:
    doc = _obj(value, where)
    _only(doc, {"verdict", "final_url", "archive_url"}, where)
    verdict = doc.get("verdict")
    return UrlRecord(
        verdict=None if verdict is None else _enum(LinkVerdict, verdict, f"{where}.verdict"),
        final_url=_opt_str(doc.get("final_url"), f"{where}.final_url"),
        archive_url=_opt_str(doc.get("archive_url"), f"{where}.archive_url"),
    )


def _failing(value: object, where: str) -> Failing:
    doc = _obj(value, where)
    _only(doc, {"failures", "since", "confirmed_on"}, where)
    failures = doc.get("failures")
    if not isinstance(failures, int) or isinstance(failures, bool) or failures < 1:
        raise _Shape(f"{where}.failures: expected a whole number of at least 1")
    confirmed = doc.get("confirmed_on")
    return Failing(
        failures=failures,
        since=_date(doc.get("since"), f"{where}.since"),
        confirmed_on=None if confirmed is None else _date(confirmed, f"{where}.confirmed_on"),
    )


def _problems(value: object, where: str) -> tuple[AcceptedProblem, ...]:
    items = _list(value, where)
    out = []
    for i, item in enumerate(items):
        doc = _obj(item, f"{where}[{i}]")
        _only(doc, {"rule", "key", "message"}, f"{where}[{i}]")
        out.append(
            AcceptedProblem(
                rule=_str(doc.get("rule"), f"{where}[{i}].rule"),
                key=_opt_str(doc.get("key"), f"{where}[{i}].key"),
                message=_str(doc.get("message"), f"{where}[{i}].message"),
            )
        )
    return tuple(out)


def _accepted_item(value: object, where: str) -> Accepted:
    doc = _obj(value, where)
    _only(doc, {"rule", "field", "severity"}, where)
    return Accepted(
        rule=_str(doc.get("rule"), f"{where}.rule"),
        field=_opt_str(doc.get("field"), f"{where}.field"),
        severity=_enum(Severity, doc.get("severity"), f"{where}.severity"),
    )
