"""A real PostgreSQL server for the store tests, started from the project's own files.

The ``pgserver`` package (in the ``test`` extra) ships the PostgreSQL binaries as a wheel,
so a fresh machine needs nothing else; run as root (as CI does) it starts the server as an
unprivileged system user it creates.  One server per test session (start-up about a
second); each test gets its own empty database.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import urllib.parse
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg

_COUNTER = itertools.count(1)


@dataclass(frozen=True)
class PgServer:
    """A running server reached through its Unix socket directory."""

    socket_dir: str

    def uri(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={urllib.parse.quote(self.socket_dir)}"

    def new_database(self) -> str:
        """A fresh empty database; its URI."""
        name = f"citetrack_test_{next(_COUNTER)}"
        with psycopg.connect(self.uri(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"'.encode())
            conn.execute(f'CREATE DATABASE "{name}"'.encode())
        return self.uri(name)


@contextmanager
def running_server() -> Iterator[PgServer]:
    import pgserver  # noqa: PLC0415 - only the store tests need it

    pgdata = tempfile.mkdtemp(prefix="citetrack-pg-")
    with warnings.catch_warnings():  # platformdirs: no XDG_RUNTIME_DIR in a container
        warnings.simplefilter("ignore")
        server = pgserver.get_server(pgdata, cleanup_mode="stop")
    try:
        query = urllib.parse.urlsplit(server.get_uri()).query
        host = urllib.parse.parse_qs(query)["host"][0]
        yield PgServer(host)
    finally:
        server.cleanup()
        shutil.rmtree(pgdata, ignore_errors=True)
