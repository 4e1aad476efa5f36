"""The evidence store interface, and choosing which store a run uses.

Two implementations keep the answers about identifiers (``Found`` / ``NotFound``, with the
same TTLs; ``Unavailable`` never): :class:`citetrack.tracking.cache.EvidenceCache`, the
embedded SQLite default, and :class:`citetrack.tracking.store_pg.PostgresStore`, a store
shared by many runners (``--store postgresql://…``, ``CITETRACK_STORE`` or the config key
``store``).

A shared store also coordinates: :meth:`EvidenceStore.claim` hands each missing key to one
runner, and the others wait for its answer instead of asking the registry again.  The
SQLite cache claims everything (one runner, nothing to coordinate).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Protocol, runtime_checkable

from citetrack.model import Evidence, Found, NotFound, Source
from citetrack.tracking.cache import DEFAULT_NOT_FOUND_TTL, CacheMode, EvidenceCache

log = logging.getLogger(__name__)

STORE_SCHEMES = ("postgresql://", "postgres://")


class StoreUnavailable(Exception):
    """The shared store cannot be reached or used (the message says why, never a password)."""


@runtime_checkable
class EvidenceStore(Protocol):
    """What the registry services need from a store of answers."""

    mode: CacheMode
    found_ttl: float
    not_found_ttl: float

    @property
    def offline(self) -> bool: ...

    @property
    def enabled(self) -> bool: ...

    def get_many(
        self, source: Source, identifiers: Iterable[str]
    ) -> dict[str, Found | NotFound]: ...

    def put_many(self, evidence: Iterable[Evidence]) -> None: ...

    def claim(self, source: Source, identifiers: Iterable[str]) -> set[str]:
        """The identifiers this runner should ask now (the rest are being asked elsewhere)."""
        ...

    def release(self, source: Source, identifiers: Iterable[str]) -> None:
        """Give up claims without an answer (the fetch failed: someone may try again)."""
        ...

    def renew(self) -> None:
        """Extend this runner's claims (called while a long fetch is running)."""
        ...

    def clear(self) -> None: ...

    def prune(self) -> int: ...

    def close(self) -> None: ...

    def __enter__(self) -> EvidenceStore: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def is_store_uri(value: str) -> bool:
    return value.startswith(STORE_SCHEMES)


def redact(uri: str) -> str:
    """``uri`` without its password, for messages."""
    scheme, sep, rest = uri.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return uri
    return f"{scheme}{sep}{userinfo.split(':', 1)[0]}:***@{host}"


def open_store(
    uri: str | None,
    *,
    cache_dir: Path | None,
    mode: CacheMode,
    found_ttl: float,
    not_found_ttl: float = DEFAULT_NOT_FOUND_TTL,
    not_before: float | None = None,
    required: bool = False,
    warn: Callable[[str], None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> EvidenceStore:
    """The shared store at ``uri`` if given and reachable, else the local SQLite cache.

    An unreachable store is a warning and the local cache is used, unless ``required``:
    then :class:`StoreUnavailable` is raised (the CLI exits 2).
    """
    if uri and mode is not CacheMode.NO_CACHE:
        try:
            return _connect(
                uri,
                mode=mode,
                found_ttl=found_ttl,
                not_found_ttl=not_found_ttl,
                not_before=not_before,
            )
        except StoreUnavailable as exc:
            if required:
                raise
            message = f"{exc}; using the local cache instead"
            if warn is not None:
                warn(message)
            else:
                log.warning("%s", message)
    return EvidenceCache.open(
        cache_dir,
        mode=mode,
        found_ttl=found_ttl,
        not_found_ttl=not_found_ttl,
        not_before=not_before,
        environ=environ,
    )


def _connect(
    uri: str,
    *,
    mode: CacheMode,
    found_ttl: float,
    not_found_ttl: float,
    not_before: float | None,
) -> EvidenceStore:
    try:
        from citetrack.tracking.store_pg import PostgresStore  # noqa: PLC0415
    except ImportError:
        raise StoreUnavailable(
            "a postgresql:// store needs psycopg: pip install 'citetrack[postgres]'"
        ) from None
    return PostgresStore.connect(
        uri,
        mode=mode,
        found_ttl=found_ttl,
        not_found_ttl=not_found_ttl,
        not_before=not_before,
    )
