"""The shared evidence store on PostgreSQL (``--store postgresql://…``), via psycopg 3.

Same contract as the SQLite :class:`~citetrack.tracking.cache.EvidenceCache`: the answer
about one identifier (``Found`` / ``NotFound``) keyed by (source, identifier), read back only
while fresh (``found_ttl`` / ``not_found_ttl``, measured on the writer's clock as in SQLite),
``Unavailable`` never stored, modes ``normal`` / ``offline``; an error while running disables
the store for the rest of the run (the registries are asked instead), never fatal.

Many runners share it, so:

* **Upserts** (``INSERT … ON CONFLICT DO UPDATE``) keep the newest answer; rows are written
  in key order inside one short transaction, so two runners writing overlapping keys wait
  for one another instead of deadlocking, and nothing is lost.
* **Claims** (a lease row per identifier, ``citetrack_claims``) make each identifier asked
  once: :meth:`PostgresStore.claim` inserts the rows nobody else holds (or whose lease ran
  out, e.g. a runner that died) and returns them; the other runners wait for the answer.
  An answer and the deletion of its claim commit together.
* **Schema versions**: ``citetrack_meta`` records the schema version; the migrations run in
  one transaction under an advisory lock on first use, so concurrent first runs are safe.

One connection per runner: every call comes from the event loop's thread, one at a time,
so a pool would hold idle connections and add nothing; the server sees a bounded number of
connections (one per runner).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, TypeVar

import psycopg
import psycopg.errors

from citetrack.model import Evidence, Found, NotFound, Source
from citetrack.tracking.cache import (
    CACHE_FORMAT,
    DAY,
    DEFAULT_FOUND_TTL,
    DEFAULT_NOT_FOUND_TTL,
    CacheMode,
)
from citetrack.tracking.codec import evidence_from_dict, evidence_to_dict, writable
from citetrack.tracking.store import StoreUnavailable, redact

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Seconds a claim holds before another runner may take it over (renewed while fetching).
DEFAULT_LEASE = 120.0
CONNECT_TIMEOUT = 5
#: Attempts of one operation when the server reports a lock conflict.
RETRIES = 4
_TRANSIENT = (
    psycopg.errors.DeadlockDetected,
    psycopg.errors.SerializationFailure,
    psycopg.errors.LockNotAvailable,
)
#: Claims are always locked in key order (as ``claim`` inserts them), so that runners
#: deleting and claiming the same rows at once wait for one another instead of deadlocking.
_DELETE_CLAIMS_IN_ORDER = (
    "DELETE FROM citetrack_claims WHERE (source, identifier) IN ("
    "SELECT c.source, c.identifier FROM citetrack_claims c WHERE {where} "
    "ORDER BY c.source, c.identifier FOR UPDATE)"
)
#: Key of the advisory lock that serialises migrations.
_MIGRATION_LOCK = 0x63697465  # "cite"

#: Migration N (1-based) brings the schema from version N-1 to N.  Append, never edit.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE citetrack_evidence (
        source text NOT NULL,
        identifier text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('found', 'not_found')),
        payload text NOT NULL,
        stored_at double precision NOT NULL,
        PRIMARY KEY (source, identifier)
    );
    CREATE TABLE citetrack_claims (
        source text NOT NULL,
        identifier text NOT NULL,
        owner text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (source, identifier)
    );
    CREATE INDEX citetrack_claims_owner ON citetrack_claims (owner);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: psycopg.Connection[Any]) -> int:
    """Bring the schema to :data:`SCHEMA_VERSION`; returns the version found before.

    Raises :class:`StoreUnavailable` if a newer citetrack wrote the schema.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS citetrack_meta (key text PRIMARY KEY, value text NOT NULL)"
        )
        row = conn.execute("SELECT value FROM citetrack_meta WHERE key = 'schema'").fetchone()
        found = int(row[0]) if row else 0
        if found > SCHEMA_VERSION:
            raise StoreUnavailable(
                f"the shared store's schema is version {found}, newer than this "
                f"citetrack understands ({SCHEMA_VERSION}): upgrade citetrack"
            )
        for step in MIGRATIONS[found:]:
            conn.execute(step.encode())
        _set_meta(conn, "schema", str(SCHEMA_VERSION))
        row = conn.execute("SELECT value FROM citetrack_meta WHERE key = 'format'").fetchone()
        if row is None or row[0] != str(CACHE_FORMAT):
            # Entries written with another meaning of the metadata: drop them.
            conn.execute("DELETE FROM citetrack_evidence")
            _set_meta(conn, "format", str(CACHE_FORMAT))
    return found


def _set_meta(conn: psycopg.Connection[Any], key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO citetrack_meta (key, value) VALUES (%s, %s) "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        (key, value),
    )


class PostgresStore:
    """The evidence store in a PostgreSQL database.  Use :meth:`connect`."""

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        *,
        mode: CacheMode = CacheMode.NORMAL,
        found_ttl: float = DEFAULT_FOUND_TTL,
        not_found_ttl: float = DEFAULT_NOT_FOUND_TTL,
        not_before: float | None = None,
        lease: float = DEFAULT_LEASE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.mode = mode
        self.found_ttl = found_ttl
        self.not_found_ttl = not_found_ttl
        # Entries stored before this (epoch seconds) are not read: a check against a
        # lockfile never compares evidence older than its baseline (as the SQLite cache).
        self.not_before = not_before
        self.lease = lease
        self.owner = uuid.uuid4().hex
        self._clock = clock
        self._conn: psycopg.Connection[Any] | None = conn
        self._lock = threading.Lock()

    @classmethod
    def connect(
        cls,
        uri: str,
        *,
        mode: CacheMode = CacheMode.NORMAL,
        found_ttl: float = DEFAULT_FOUND_TTL,
        not_found_ttl: float = DEFAULT_NOT_FOUND_TTL,
        not_before: float | None = None,
        lease: float = DEFAULT_LEASE,
        clock: Callable[[], float] = time.time,
    ) -> PostgresStore:
        """Connect and migrate; :class:`StoreUnavailable` if that fails."""
        try:
            conn = psycopg.connect(
                uri,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT,
                application_name="citetrack",
            )
        except psycopg.Error as exc:
            raise StoreUnavailable(
                f"shared store {redact(uri)} is unreachable: {_first_line(exc)}"
            ) from None
        try:
            migrate(conn)
        except psycopg.Error as exc:
            conn.close()
            raise StoreUnavailable(
                f"shared store {redact(uri)} cannot be used: {_first_line(exc)}"
            ) from None
        except StoreUnavailable:
            conn.close()
            raise
        return cls(
            conn,
            mode=mode,
            found_ttl=found_ttl,
            not_found_ttl=not_found_ttl,
            not_before=not_before,
            lease=lease,
            clock=clock,
        )

    @property
    def offline(self) -> bool:
        return self.mode is CacheMode.OFFLINE

    @property
    def enabled(self) -> bool:
        return self._conn is not None

    def _disable(self, exc: Exception) -> None:
        log.warning("shared store disabled for this run: %s", _first_line(exc))
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                conn.close()

    def _db(self, op: Callable[[psycopg.Connection[Any]], T], default: T) -> T:
        """``op(connection)``, retried if the server broke a lock cycle between runners
        (every statement here locks rows in key order, so that should not happen, but a
        retry is cheap); ``default`` if the store is disabled or fails (then disabled)."""
        with self._lock:
            for attempt in range(RETRIES):
                if self._conn is None:
                    return default
                try:
                    return op(self._conn)
                except _TRANSIENT as exc:
                    if attempt == RETRIES - 1:
                        self._disable(exc)
                        return default
                    log.debug("store: %s; retrying", _first_line(exc))
                    time.sleep(0.05 * (attempt + 1))
                except psycopg.Error as exc:
                    self._disable(exc)
                    return default
        return default

    # -- reading and writing

    def get_many(self, source: Source, identifiers: Iterable[str]) -> dict[str, Found | NotFound]:
        """Fresh entries for ``identifiers`` of ``source`` (expired or unreadable: absent)."""
        wanted = list(dict.fromkeys(identifiers))
        if not wanted:
            return {}
        now = self._clock()

        def op(conn: psycopg.Connection[Any]) -> dict[str, Found | NotFound]:
            found: dict[str, Found | NotFound] = {}
            broken: list[str] = []
            rows = conn.execute(
                "SELECT identifier, kind, payload, stored_at FROM citetrack_evidence "
                "WHERE source = %s AND identifier = ANY(%s)",
                (source.value, wanted),
            ).fetchall()
            for identifier, kind, payload, stored_at in rows:
                ttl = self.found_ttl if kind == "found" else self.not_found_ttl
                if now - stored_at > ttl or now < stored_at - DAY:
                    continue
                if self.not_before is not None and stored_at < self.not_before:
                    continue
                try:
                    evidence = evidence_from_dict(json.loads(payload))
                except (ValueError, TypeError, KeyError, RecursionError):
                    broken.append(identifier)
                    continue
                if evidence.source is source and evidence.identifier == identifier:
                    found[identifier] = evidence
            if broken and self.mode is CacheMode.NORMAL:
                conn.execute(
                    "DELETE FROM citetrack_evidence WHERE source = %s AND identifier = ANY(%s)",
                    (source.value, sorted(broken)),
                )
            return found

        return self._db(op, {})

    def put_many(self, evidence: Iterable[Evidence]) -> None:
        """Upsert ``Found`` / ``NotFound`` entries and drop this runner's claims on them."""
        if self.mode is not CacheMode.NORMAL:
            return
        now = self._clock()
        rows: dict[tuple[str, str], tuple[str, str, str, str, float]] = {}
        for e in evidence:
            if isinstance(e, Found | NotFound):
                payload = json.dumps(evidence_to_dict(e), ensure_ascii=False, sort_keys=True)
                if not writable(payload):  # a lone surrogate: skipped, as by the local cache
                    continue
                kind = "found" if isinstance(e, Found) else "not_found"
                rows[(e.source.value, e.identifier)] = (
                    e.source.value,
                    e.identifier,
                    kind,
                    payload,
                    now,
                )
        if not rows:
            return
        ordered = [rows[k] for k in sorted(rows)]  # one lock order for every runner

        def op(conn: psycopg.Connection[Any]) -> None:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO citetrack_evidence "
                    "(source, identifier, kind, payload, stored_at) "
                    "VALUES (%s, %s, %s, %s, %s) "
                    "ON CONFLICT (source, identifier) DO UPDATE SET "
                    "kind = EXCLUDED.kind, payload = EXCLUDED.payload, "
                    "stored_at = EXCLUDED.stored_at "
                    "WHERE citetrack_evidence.stored_at <= EXCLUDED.stored_at",
                    ordered,
                )
                cur.execute(
                    _DELETE_CLAIMS_IN_ORDER.format(
                        where="c.owner = %s AND (c.source, c.identifier) IN "
                        "(SELECT * FROM unnest(%s::text[], %s::text[]))"
                    ).encode(),
                    (self.owner, [r[0] for r in ordered], [r[1] for r in ordered]),
                )

        self._db(op, None)

    # -- coordination between runners

    def claim(self, source: Source, identifiers: Iterable[str]) -> set[str]:
        """Claim the identifiers nobody else holds; returns those now held by this runner.

        A disabled or read-only store coordinates nothing: everything is "claimed".
        """
        wanted = sorted(set(identifiers))
        if not wanted:
            return set()
        if self.mode is not CacheMode.NORMAL:
            return set(wanted)

        def op(conn: psycopg.Connection[Any]) -> set[str]:
            rows = conn.execute(
                "INSERT INTO citetrack_claims (source, identifier, owner, expires_at) "
                "SELECT %s, k, %s, now() + make_interval(secs => %s) "
                "FROM unnest(%s::text[]) AS k ORDER BY k "
                "ON CONFLICT (source, identifier) DO UPDATE SET "
                "owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at "
                "WHERE citetrack_claims.expires_at < now() "
                "OR citetrack_claims.owner = EXCLUDED.owner "
                "RETURNING identifier",
                (source.value, self.owner, self.lease, wanted),
            ).fetchall()
            return {r[0] for r in rows}

        return self._db(op, set(wanted))

    def release(self, source: Source, identifiers: Iterable[str]) -> None:
        keys = sorted(set(identifiers))
        if not keys:
            return

        def op(conn: psycopg.Connection[Any]) -> None:
            conn.execute(
                _DELETE_CLAIMS_IN_ORDER.format(
                    where="c.owner = %s AND c.source = %s AND c.identifier = ANY(%s)"
                ).encode(),
                (self.owner, source.value, keys),
            )

        self._db(op, None)

    def renew(self) -> None:
        def op(conn: psycopg.Connection[Any]) -> None:
            conn.execute(
                "UPDATE citetrack_claims SET expires_at = now() + make_interval(secs => %s) "
                "WHERE (source, identifier) IN (SELECT source, identifier FROM "
                "citetrack_claims WHERE owner = %s ORDER BY source, identifier FOR UPDATE)",
                (self.lease, self.owner),
            )

        self._db(op, None)

    # -- maintenance

    def clear(self) -> None:
        """Forget every entry (for every runner sharing the store)."""

        def op(conn: psycopg.Connection[Any]) -> None:
            conn.execute("DELETE FROM citetrack_evidence")

        self._db(op, None)

    def prune(self) -> int:
        """Delete expired entries and leases; returns how many entries."""
        if self.mode is not CacheMode.NORMAL:
            return 0
        now = self._clock()

        def op(conn: psycopg.Connection[Any]) -> int:
            cur = conn.execute(
                "DELETE FROM citetrack_evidence WHERE (kind = 'found' AND stored_at < %s) "
                "OR (kind = 'not_found' AND stored_at < %s)",
                (now - self.found_ttl, now - self.not_found_ttl),
            )
            conn.execute(_DELETE_CLAIMS_IN_ORDER.format(where="c.expires_at < now()").encode())
            return cur.rowcount

        return self._db(op, 0)

    def close(self) -> None:
        """Give up this runner's remaining claims and disconnect."""
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is None:
            return
        with contextlib.suppress(psycopg.Error):
            conn.execute(
                _DELETE_CLAIMS_IN_ORDER.format(where="c.owner = %s").encode(), (self.owner,)
            )
        with contextlib.suppress(psycopg.Error):
            conn.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
