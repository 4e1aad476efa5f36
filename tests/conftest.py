"""Shared pytest fixtures.

The local emulator (``citetrack_emulator``) stands in for every registry and web site, so
no test reaches a real host:

* ``emulator`` — a fresh emulator with the shipped seed world, one per test;
* ``emulator_session`` — one emulator for the whole session (do not change its world,
  faults or limits; use ``emulator`` for that);
* ``emulator_env`` — ``emulator`` with the ``CITETRACK_*_URL`` variables set for the test;
* ``pg_server`` — one real PostgreSQL server for the session (:mod:`tests.pg`), and
  ``pg_uri`` — a fresh empty database on it, one per test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from citetrack_emulator import Emulator
from tests.pg import PgServer, running_server

# No property test may fail for being slow: Hypothesis's default 200 ms deadline is a
# timing assertion, and one failed on a loaded CI machine (test_services_crossref.py's
# hostile shapes, 2026-12-07).  Each test's own @settings keeps what it sets.
settings.register_profile("citetrack", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("citetrack")


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture(scope="session")
def emulator_session() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def emulator_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    for name, value in emulator.env().items():
        monkeypatch.setenv(name, value)
    return emulator


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    with running_server() as server:
        yield server


@pytest.fixture
def pg_uri(pg_server: PgServer) -> str:
    return pg_server.new_database()
