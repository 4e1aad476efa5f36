"""What the lockfile records of a cached registry record, remembered between runs.

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
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable

from citetrack.model import Found
from citetrack.tracking.codec import StoredFound, record_print
from citetrack.tracking.lockfile.build import source_record
from citetrack.tracking.lockfile.fileformat import source_from_text, source_json
from citetrack.tracking.lockfile.state import SourceRecord
from citetrack.tracking.memo import MemoView

#: The memo kind; bump the suffix when the lockfile's source record changes shape.
KIND = "lock-records/1"


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
