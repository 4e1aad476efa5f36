"""What the lockfile comparison computes of cached registry records, remembered between runs.

Comparing a run with its lockfile reduces every current record to the fields the lockfile
keeps (:func:`~citetrack.tracking.lockfile.build.source_record`): normalised title,
authors, journal, pages…  That is a function of the record alone, so for a record read from
the cache (whose stored text has a digest, :class:`~citetrack.tracking.codec.StoredFound`)
it is kept in the memo under that digest, in the lockfile's own JSON form, and the next run
reads it back instead of decoding the record and normalising it again — on a warm
10,000-reference check with a lockfile, that was half of the comparison's second (issue 16).
A fresh record (just fetched, by ``lock`` or a cold run) is reduced directly and remembered
under the digest its stored text will have; a stored value that does not read back is
computed again.  The memo is emptied when the code changes.

:class:`SettledSources` goes one step further for the nightly / pre-commit case, where the
lockfile and most records are the same as last run: it remembers, per lockfile, which
(reference, source, record) comparisons found nothing, so the next run with the same
lockfile bytes skips them (no reduction, no memo look-up per record).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable
from typing import TypeAlias

from citetrack.model import Evidence, Found, Reference, ReferenceResult
from citetrack.tracking.codec import StoredFound, record_print
from citetrack.tracking.lockfile.build import first_found, source_record
from citetrack.tracking.lockfile.fileformat import source_from_text, source_json
from citetrack.tracking.lockfile.state import Lock, SourceRecord, reference_file
from citetrack.tracking.memo import MemoView

#: The memo kind; bump the suffix when the lockfile's source record changes shape.
KIND = "lock-records/1"
#: The memo kind of :class:`SettledSources`: one value per lockfile path.
SETTLED_KIND = "lock-settled/1"
#: The memo kind of the lockfile bytes read whole without error: per lockfile path, their
#: digest (``read_lock(..., known=...)`` skips the duplicate-key check for them).
KNOWN_KIND = "lock-known/1"

#: Records still to compare, by source: each with the token of its comparison.
Pending: TypeAlias = dict[str, tuple[Found, str | None]]


class SourceRecords:
    """:func:`source_record` of each found record, remembered for stored ones.

    Call :meth:`prefetch` with the records a step will ask about (one memo query), then
    the object itself; :meth:`flush` writes what was computed.
    """

    def __init__(self, store: MemoView[str] | None) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._known: dict[str, str] = {}
        self._new: dict[str, str] = {}

    def prefetch(self, records: Iterable[Found]) -> None:
        """Look up the remembered reductions of ``records`` in one go."""
        if self._store is None:
            return
        digests = [r.digest for r in records if isinstance(r, StoredFound)]
        found = self._store.get_many(digests)
        with self._lock:
            self._known.update(found)

    def __call__(self, found: Found) -> SourceRecord:
        if self._store is None:
            return source_record(found)
        if isinstance(found, StoredFound):
            with self._lock:
                text = self._known.get(found.digest)
            kept = source_from_text(text) if text is not None else None
            if kept is not None:
                return kept
        # A fresh record (``lock``, a cold run) is remembered too, under the digest of the
        # text the cache stores it as: the next run reads it back as a stored record.
        record = source_record(found)
        with self._lock:
            self._new[record_print(found)] = json.dumps(source_json(record), ensure_ascii=False)
        return record

    def flush(self) -> None:
        """Write what this run reduced and had not remembered."""
        if self._store is None:
            return
        with self._lock:
            new, self._new = self._new, {}
        if new:
            self._store.put_many(new)


class SettledSources:
    """The source comparisons of one lockfile that found nothing, remembered between runs.

    Whether comparing a reference's record from one source with the lockfile finds
    anything (a ``metadata-changed`` field, a new retraction…) depends only on the
    lockfile's entry for that reference (the lockfile's bytes, the .bib file name and the
    key), the source, the identifier asked and the record itself (a cached record is named
    by the digest of its stored text).  Each comparison that found nothing is filed as a
    hash of those; the next run with the same lockfile bytes skips it.  A changed lockfile
    (a pull, an edit) starts an empty set; only one set is kept per lockfile path; the
    memo is emptied when the code changes.

    A fresh record (just fetched: no stored digest) is always compared, and is filed only
    with ``name_fresh``, under the digest of the text the cache stores it as (what
    :func:`~citetrack.tracking.codec.record_print` gives, equal to the digest it is served
    with on the next run).  That hashes the whole record again, so it is done only where a
    run writes the lockfile (``lock``, ``--update-lock``): the comparisons with the
    lockfile just written are then settled for the check that follows.
    """

    def __init__(
        self, store: MemoView[str] | None, path: str, lock: Lock, *, name_fresh: bool = False
    ) -> None:
        self._store = store
        self._path = path
        self._name_fresh = name_fresh
        self._lock_digest = lock.digest
        self._settled: set[str] = set()
        self._added = False
        # Asked twice per reference (which records to prefetch, then the comparison): the
        # answer is kept with the reference and evidence it was made from, checked by
        # identity (the run holds both until the comparison is done).
        self._pending: dict[int, tuple[Reference, tuple[Evidence, ...], Pending]] = {}
        if store is None or not lock.digest:
            self._store = None
            return
        value = store.get_many([path]).get(path, "")
        head, _, body = value.partition("\n")
        if head == lock.digest and body:
            self._settled = set(body.split("\n"))

    def _token(self, head: str, src: str, found: Found) -> str | None:
        """The token of comparing ``found`` from ``src`` for the reference whose file and
        key ``head`` names (see :meth:`pending`)."""
        if isinstance(found, StoredFound):
            digest = found.digest
        elif self._name_fresh:
            digest = record_print(found)
        else:
            return None
        ident = found.identifier
        # Each part prefixed with its length: no two tuples give the same text.
        parts = f"{head}{len(src)}:{src}{len(ident)}:{ident}{digest}"
        raw = parts.encode("utf-8", "surrogatepass")
        return hashlib.blake2b(raw, digest_size=12).hexdigest()

    def pending(self, rr: ReferenceResult) -> Pending:
        """The first record of each source of ``rr`` that still has to be compared, by
        source, each with the token to :meth:`add` if it finds nothing (``None``: a fresh
        record not filed, see the class)."""
        ref, evidence = rr.reference, rr.evidence
        held = self._pending.get(id(ref))
        if held is not None and held[0] is ref and held[1] is evidence:
            return held[2]
        todo: Pending = {}
        first = first_found(rr)
        if self._store is None:
            todo = {src: (found, None) for src, found in first.items()}
        elif first:
            file, key = reference_file(ref), ref.key
            head = f"{len(file)}:{file}{len(key)}:{key}"  # the token's first parts
            settled = self._settled
            for src, found in first.items():
                token = self._token(head, src, found)
                if token is None or token not in settled:
                    todo[src] = (found, token)
        self._pending[id(ref)] = (ref, evidence, todo)
        return todo

    def add(self, token: str | None) -> None:
        """Remember that the comparison of this token found nothing."""
        if token is not None and token not in self._settled:
            self._settled.add(token)
            self._added = True

    def flush(self) -> None:
        """Write the set back if this run added to it (replacing an older lockfile's)."""
        if self._store is None or not self._added:
            return
        body = "\n".join(sorted(self._settled))
        self._store.put_many({self._path: f"{self._lock_digest}\n{body}"})
        self._added = False
