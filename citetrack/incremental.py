"""Findings remembered between runs, under a hash of what they were computed from.

The comparison rules (:func:`citetrack.registries.books_search.registry_findings`) read a
reference's entry type, fields and identifiers and the evidence about it, and nothing else
(:class:`citetrack.collection.FindingsMemo` relies on the same fact within one run).  So a
reference's registry findings are stored under a hash of exactly those, and the next run
that meets the same hash takes them instead of comparing again.

What is never taken from here, because it depends on more than one entry or on the run:
duplicates (recomputed over the whole file each run), link and archive findings (links are
fetched anew), the lockfile's ``changed`` findings and suppression.  Freshness is decided
before this is consulted: the evidence a key is made of is what the cache and the
registries gave *this* run, so a record that changed upstream (a retraction) is a new key
and is compared afresh.  The store drops everything when the code changes
(:func:`citetrack.tracking.memo.code_stamp`).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

import orjson

from citetrack.model import Evidence, Finding, Reference, Severity, Source
from citetrack.tracking.codec import StoredFound, bytes_digest, record_print, text_digest
from citetrack.tracking.memo import MemoView

log = logging.getLogger(__name__)

#: The memo kind; bump the suffix when the stored shape changes.
KIND = "findings/1"
#: The memo kind of each entry's duplicate keys (``rules.duplicates.duplicate_keys``).
KEYS_KIND = "duplicate-keys/1"
#: The memo kind of a whole list's duplicate findings, under :func:`list_digest`.
DUPLICATES_KIND = "duplicates/1"
#: Newly computed findings written per batch of this many references.
FLUSH_EVERY = 2000
#: Stands for "the reference's own line" in a stored finding (re-stamped on reuse).
_OWN = "@"


#: Compact JSON, keeping non-ASCII text as it is (the digest reads UTF-8).
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _row(ref: Reference, f: Finding) -> list[Any]:
    """One finding as a JSON row, with ``ref``'s key and line left out where they are its
    own (so that the entry may move or be renamed)."""
    return [
        None if f.key == ref.key else f.key,
        f.rule,
        f.severity.value,
        f.message,
        f.field,
        f.expected,
        f.actual,
        None if f.source is None else f.source.value,
        _OWN if f.line == ref.line and f.line is not None else f.line,
        f.suggestion,
    ]


def encode_findings(ref: Reference, findings: Sequence[Finding]) -> str:
    """The findings as JSON (:func:`_row` each)."""
    return json.dumps([_row(ref, f) for f in findings], ensure_ascii=False, separators=(",", ":"))


def _optional(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"not a string: {value!r}")


def decode_findings(ref: Reference, text: str) -> list[Finding]:
    """:func:`encode_findings` read back for ``ref``; ``ValueError`` if not that shape."""
    if text == "[]":  # most references of a warm run: no JSON decoder call (issue 16)
        return []
    rows = json.loads(text)
    if not isinstance(rows, list):
        raise ValueError("not a list")
    return [_finding(ref, row) for row in rows]


def _finding(ref: Reference, row: Any) -> Finding:
    """:func:`_row` read back for ``ref``; ``ValueError`` if not that shape."""
    if not isinstance(row, list) or len(row) != 10:
        raise ValueError("not a finding")
    key, rule, severity, message, field, expected, actual, source, line, suggestion = row
    if not isinstance(rule, str) or not isinstance(message, str):
        raise ValueError("not a finding")
    if line == _OWN:
        line = ref.line
    elif line is not None and (not isinstance(line, int) or isinstance(line, bool)):
        raise ValueError("not a line")
    return Finding(
        key=ref.key if key is None else str(key),
        rule=rule,
        severity=Severity(severity),
        message=message,
        field=_optional(field),
        expected=_optional(expected),
        actual=_optional(actual),
        source=None if source is None else Source(source),
        line=line,
        suggestion=_optional(suggestion),
    )


def list_digest(refs: Sequence[Reference]) -> str:
    """The hash of a list of references as the duplicate rule sees it: each one's file,
    key, line and :attr:`~citetrack.model.Reference.digest`, in order.

    The JSON is orjson's (the same text as the JSON encoder's for these rows, in a tenth
    of the time: 100,000 references, issue 16); what orjson refuses (a lone surrogate in
    a path or key, a line beyond 64 bits) is written by the encoder.  Either way it is
    JSON that reads back to the rows, so equal digests are equal lists."""
    rows = [[r.path, r.key, r.line, r.digest] for r in refs]
    try:
        return bytes_digest(orjson.dumps(rows))
    except TypeError:
        return text_digest(_encode(rows))


def encode_duplicates(refs: Sequence[Reference], found: Sequence[tuple[int, Finding]]) -> str:
    """Duplicate findings with the position of the reference each belongs to, as JSON."""
    rows = [[position, _row(refs[position], f)] for position, f in found]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def decode_duplicates(refs: Sequence[Reference], text: str) -> list[tuple[int, Finding]]:
    """:func:`encode_duplicates` read back for ``refs``; ``ValueError`` if not that shape."""
    rows = json.loads(text)
    if not isinstance(rows, list):
        raise ValueError("not a list")
    out: list[tuple[int, Finding]] = []
    for row in rows:
        if not isinstance(row, list) or len(row) != 2:
            raise ValueError("not a duplicate")
        position, finding = row
        if type(position) is not int or not 0 <= position < len(refs):
            raise ValueError("not a position")
        out.append((position, _finding(refs[position], finding)))
    return out


DuplicateKeys = list[tuple[str, str]]


def _decode_keys(text: str | None) -> DuplicateKeys | None:
    """Stored duplicate keys read back; ``None`` if absent or not that shape."""
    if text is None:
        return None
    try:
        rows = json.loads(text)
    except ValueError:
        return None
    if not isinstance(rows, list) or not all(
        isinstance(r, list) and len(r) == 2 and all(isinstance(v, str) for v in r) for r in rows
    ):
        return None
    return [(kind, value) for kind, value in rows]


class StoredFindings:
    """The remembered findings of one run: looked up in batches, new ones written once.

    Evidence is fingerprinted by :func:`~citetrack.tracking.codec.record_print` (the
    digest of its stored text: equal digests, equal records), once per object per run.
    """

    def __init__(
        self,
        store: MemoView[str] | None,
        keys_store: MemoView[str] | None = None,
        duplicates_store: MemoView[str] | None = None,
    ) -> None:
        self._store = store
        self._keys_store = keys_store
        self._duplicates_store = duplicates_store
        self._lock = threading.Lock()
        self._known: dict[str, str] = {}
        self._asked: set[str] = set()
        self._new: dict[str, str] = {}
        # id(evidence) → (evidence, fingerprint): the object is kept so its id stays its own.
        self._prints: dict[int, tuple[Evidence, str]] = {}
        self._keys: dict[tuple[int, ...], tuple[Reference, str]] = {}
        self.reused = 0
        self.computed = 0
        self.duplicates_reused = 0  # whole lists whose duplicate findings were remembered

    @property
    def enabled(self) -> bool:
        return self._store is not None

    def _print(self, evidence: Evidence) -> str:
        held = self._prints.get(id(evidence))
        if held is not None and held[0] is evidence:
            return held[1]
        value = record_print(evidence)
        self._prints[id(evidence)] = (evidence, value)
        return value

    def key(self, ref: Reference, evidence: Sequence[Evidence]) -> str:
        """The hash of everything ``ref``'s registry findings are computed from."""
        # Asked twice per reference (prefetch, get): computed once.  The reference is in
        # the run's list and the evidence in ``_prints`` for the whole run: ids stay theirs.
        ids = (id(ref), *map(id, evidence))
        known = self._keys.get(ids)
        if known is not None and known[0] is ref:
            return known[1]
        value = self._digest(ref, evidence)
        self._keys[ids] = (ref, value)
        return value

    def _digest(self, ref: Reference, evidence: Sequence[Evidence]) -> str:
        """:meth:`key`, computed (called with the lock held: ``_prints``)."""
        parts = [ref.digest]
        for e in evidence:
            # A cached record's print is its stored digest (record_print): read directly,
            # not through ``_prints`` (200,000 records of a warm run, issue 16).
            parts.append(e.digest if type(e) is StoredFound else self._print(e))
        return text_digest("\x1f".join(parts))

    def duplicate_keys(
        self, refs: Sequence[Reference], compute: Callable[[Reference], DuplicateKeys]
    ) -> list[DuplicateKeys]:
        """``compute(ref)`` for each of ``refs``, remembered under each one's
        :attr:`~citetrack.model.Reference.digest` (the keys are a function of the fields
        and identifiers alone)."""
        if self._keys_store is None:
            return [compute(ref) for ref in refs]
        digests = [ref.digest for ref in refs]
        stored = self._keys_store.get_many(digests)
        out: list[DuplicateKeys] = []
        new: dict[str, str] = {}
        for ref, digest in zip(refs, digests, strict=True):
            keys = _decode_keys(stored.get(digest))
            if keys is None:
                keys = compute(ref)
                new[digest] = json.dumps(keys, ensure_ascii=False, separators=(",", ":"))
            out.append(keys)
        self._keys_store.put_many(new)
        return out

    def duplicates(
        self,
        refs: Sequence[Reference],
        compute: Callable[[], list[tuple[int, Finding]]],
    ) -> list[tuple[int, Finding]]:
        """``compute()`` — the duplicate findings of ``refs`` — remembered under
        :func:`list_digest`: an unchanged list (a warm run) reads them in one lookup
        instead of one per reference."""
        if self._duplicates_store is None:
            return compute()
        key = list_digest(refs)
        text = self._duplicates_store.get_many([key]).get(key)
        if text is not None:
            try:
                found = decode_duplicates(refs, text)
            except (ValueError, TypeError) as exc:
                log.debug("stored duplicates not readable (%s); looking again", exc)
            else:
                self.duplicates_reused += 1
                return found
        found = compute()
        self._duplicates_store.put_many({key: encode_duplicates(refs, found)})
        return found

    def prefetch(
        self, pairs: Sequence[tuple[Reference, Sequence[Evidence]]], *, every: bool = False
    ) -> list[str]:
        """Look up the stored findings of ``pairs`` in one go (before :meth:`get`); their
        keys (:meth:`key`), in order (none without a store).

        ``every``: ``pairs`` are every reference of the run, at its end: looked up in
        groups (:meth:`~citetrack.tracking.memo.MemoView.get_grouped`: one lookup per
        ~128 references once found together), keys already asked included, so that the
        groups are the same run after run whatever was compared early (issue 16).  Their
        keys are not kept for :meth:`key`: the caller hands each to :meth:`get` (100,000
        references: no second key per reference, no table of them; issue 16)."""
        if self._store is None:
            return []
        with self._lock:
            if every:
                keys = [self._digest(r, e) for r, e in pairs]
                asked = keys
            else:
                keys = [self.key(r, e) for r, e in pairs]
                asked = [k for k in keys if k not in self._asked]
            self._asked.update(asked)
        found = self._store.get_grouped(asked) if every else self._store.get_many(asked)
        with self._lock:
            self._known.update(found)
        return keys

    def get(
        self, ref: Reference, evidence: Sequence[Evidence], key: str | None = None
    ) -> list[Finding] | None:
        """The remembered findings, re-stamped for ``ref``; ``None`` if none (or unreadable).
        ``key``: :meth:`key` of ``ref`` and ``evidence``, if known (:meth:`prefetch`)."""
        if self._store is None:
            return None
        with self._lock:
            if key is None:
                key = self.key(ref, evidence)
            # Each key is asked once (identical references are compared once per run by
            # FindingsMemo): the stored text is not kept after it is read.
            text = self._known.pop(key, None)
            if text is None and key not in self._asked:
                self._asked.add(key)
                text = self._store.get_many([key]).get(key)
        if text is None:
            return None
        try:
            findings = decode_findings(ref, text)
        except (ValueError, TypeError) as exc:
            log.debug("stored findings not readable (%s); comparing again", exc)
            return None
        self.reused += 1
        return findings

    def remember(
        self, ref: Reference, evidence: Sequence[Evidence], findings: Sequence[Finding]
    ) -> None:
        """Keep newly computed findings; written in batches (:meth:`flush`)."""
        if self._store is None:
            return
        self.computed += 1
        with self._lock:
            self._new[self.key(ref, evidence)] = encode_findings(ref, findings)
            full = len(self._new) >= FLUSH_EVERY
        if full:  # a big first run does not hold every encoded finding until its end
            self.flush()

    def flush(self) -> None:
        """Write what this run computed and has not written yet."""
        if self._store is None or not self._new:
            return
        with self._lock:
            new, self._new = self._new, {}
        self._store.put_many(new)
