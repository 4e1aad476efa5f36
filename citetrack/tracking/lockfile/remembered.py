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
from collections.abc import Iterable, Mapping

from citetrack.model import Found
from citetrack.tracking.codec import StoredFound, record_print
from citetrack.tracking.lockfile.build import source_record
from citetrack.tracking.lockfile.fileformat import source_from_text, source_json
from citetrack.tracking.lockfile.state import Lock, SourceRecord
from citetrack.tracking.memo import MemoView

#: The memo kind; bump the suffix when the lockfile's source record changes shape.
KIND = "lock-records/1"
#: The memo kind of :class:`SettledSources`: one value per lockfile path.
SETTLED_KIND = "lock-settled/1"


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
    (``lock``, ``--update-lock``, a pull) starts an empty set; only one set is kept per
    lockfile path; a fresh record (no stored digest) is always compared; the memo is
    emptied when the code changes.
    """

    def __init__(self, store: MemoView[str] | None, path: str, lock: Lock) -> None:
        self._store = store
        self._path = path
        self._lock_digest = lock.digest
        self._settled: set[str] = set()
        self._added = False
        self._tokens: dict[int, tuple[Found, tuple[str, str, str], str]] = {}
        if store is None or not lock.digest:
            self._store = None
            return
        value = store.get_many([path]).get(path, "")
        head, _, body = value.partition("\n")
        if head == lock.digest and body:
            self._settled = set(body.split("\n"))

    def _token(self, file: str, key: str, src: str, found: Found) -> str | None:
        if self._store is None or not isinstance(found, StoredFound):
            return None
        # Asked twice per record (which records to prefetch, then the comparison): the
        # token is kept with the record it was made from, checked by identity.
        held = self._tokens.get(id(found))
        if held is not None and held[0] is found and held[1] == (file, key, src):
            return held[2]
        ident = found.identifier
        # Each part prefixed with its length: no two tuples give the same text.
        parts = f"{len(file)}:{file}{len(key)}:{key}{len(src)}:{src}{len(ident)}:{ident}"
        parts += found.digest
        raw = parts.encode("utf-8", "surrogatepass")
        token = hashlib.blake2b(raw, digest_size=12).hexdigest()
        self._tokens[id(found)] = (found, (file, key, src), token)
        return token

    def settled(self, file: str, key: str, src: str, found: Found) -> bool:
        """Whether this comparison found nothing on an earlier run with this lockfile."""
        token = self._token(file, key, src, found)
        return token is not None and token in self._settled

    def add(self, file: str, key: str, src: str, found: Found) -> None:
        """Remember that this comparison found nothing."""
        token = self._token(file, key, src, found)
        if token is not None and token not in self._settled:
            self._settled.add(token)
            self._added = True

    def unsettled(self, by_source: Mapping[str, Found], file: str, key: str) -> list[Found]:
        """The records of ``by_source`` still to be compared."""
        return [f for src, f in by_source.items() if not self.settled(file, key, src, f)]

    def flush(self) -> None:
        """Write the set back if this run added to it (replacing an older lockfile's)."""
        if self._store is None or not self._added:
            return
        body = "\n".join(sorted(self._settled))
        self._store.put_many({self._path: f"{self._lock_digest}\n{body}"})
        self._added = False
