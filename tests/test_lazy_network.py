"""A run answered from the cache opens no network stack (issue 16: a warm run's start-up).

The HTTP client is built on its first request (:class:`citetrack.net.lazy.LazyClient`):
a warm check, a warm check with a lockfile and ``export --dry-run`` import neither httpx
nor httpcore, h2, anyio, certifi or tenacity, while a run that needs the network still
asks, gets its answers and closes its client.  End to end, the real CLI in a subprocess
against the local emulator; the modules a run imported are read from Python's own
``PYTHONPROFILEIMPORTTIME`` report, so the command line is exactly the user's.

Then the handle itself: built once whichever threads ask first, closed exactly when it
was built, and unusable once closed.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import httpx
import pytest

from citetrack.net import LazyClient, NetConfig, build_client, make_client
from tests.e2e import PROFILED_MAILTO as MAILTO
from tests.e2e import import_profiled, imported, run_cli

#: Loaded only to send a request: none of them may be imported by a run that sends none.
NETWORK_MODULES = ("httpx", "httpcore", "h2", "h11", "anyio", "certifi", "tenacity")


def network_modules(names: set[str]) -> set[str]:
    return {n for n in names if n.split(".", 1)[0] in NETWORK_MODULES}


def test_a_run_answered_from_the_cache_opens_no_network_stack(tmp_path: Path) -> None:
    with import_profiled(tmp_path) as (bib, emu, cli):
        common = ["--mailto", MAILTO, "--no-links", "--format", "json", "-q"]

        # Cold: the network is needed, opened, used and closed (the run ends cleanly).
        cold = cli("check", str(bib), *common, "--no-lockfile")
        assert cold.code == 0, cold.stderr[-2000:]
        assert {"httpx", "httpcore", "tenacity"} <= network_modules(imported(cold))
        asked = emu.stats()["requests"]
        assert asked > 0
        assert cold.json()["summary"]["ok"] == 60

        # Warm: every answer from the cache, no request, no HTTP library.
        warm = cli("check", str(bib), *common, "--no-lockfile")
        assert warm.code == 0, warm.stderr[-2000:]
        assert warm.json()["references"] == cold.json()["references"]
        assert network_modules(imported(warm)) == set()
        assert "citetrack.net" in imported(warm)  # the policy is loaded, the client is not

        # With a lockfile: ``lock`` fetches again by design; the check after it does not.
        lock = cli("lock", str(bib), "--mailto", MAILTO, "--no-links", "-q")
        assert lock.code == 0, lock.stderr[-2000:]
        asked = emu.stats()["requests"]
        locked = cli("check", str(bib), *common, "--max-cache-age", "100000")
        assert locked.code == 0, locked.stderr[-2000:]
        assert network_modules(imported(locked)) == set()

        exported = cli("export", str(bib), "--dry-run", "--mailto", MAILTO)
        assert exported.code == 0, exported.stderr[-2000:]
        assert network_modules(imported(exported)) == set()
        assert emu.stats()["requests"] == asked  # none of the warm runs asked anything


# ------------------------------------------------------------------- the handle itself


def counting_builder(built: list[httpx.AsyncClient]) -> LazyClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="ok")

    def build() -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        built.append(client)
        return client

    return LazyClient(build)


async def test_a_lazy_client_never_used_is_never_built_nor_closed() -> None:
    built: list[httpx.AsyncClient] = []
    async with counting_builder(built) as client:
        assert not client.built
    assert built == []
    with pytest.raises(RuntimeError, match="closed"):
        client.build_request("GET", "http://example.test/")
    assert built == []  # closed before any request: nothing is built afterwards either


async def test_a_lazy_client_is_built_by_its_first_request_and_closed_with_it() -> None:
    built: list[httpx.AsyncClient] = []
    async with counting_builder(built) as client:
        assert built == []
        response = await client.get("http://example.test/")  # any AsyncClient method
        assert response.text == "ok"
        request = client.build_request("GET", "http://example.test/again")
        assert (await client.send(request)).status_code == 200
        assert len(built) == 1 and not built[0].is_closed
    assert built[0].is_closed
    with pytest.raises(RuntimeError):
        await client.get("http://example.test/")


async def test_aclose_closes_a_built_client_once() -> None:
    built: list[httpx.AsyncClient] = []
    client = counting_builder(built)
    await client.get("http://example.test/")
    await client.aclose()
    await client.aclose()
    assert len(built) == 1 and built[0].is_closed


def test_threads_asking_at_once_build_one_client() -> None:
    made: list[object] = []
    gate = threading.Barrier(8)

    def build() -> httpx.AsyncClient:
        made.append(object())
        return httpx.AsyncClient()

    client = LazyClient(build)
    got: list[httpx.AsyncClient] = []

    def ask() -> None:
        gate.wait()
        got.append(client.real())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1
    assert len({id(c) for c in got}) == 1
    asyncio.run(client.aclose())
    assert got[0].is_closed


def test_private_names_do_not_build_the_client() -> None:
    built: list[httpx.AsyncClient] = []
    client = counting_builder(built)
    with pytest.raises(AttributeError):
        _ = client.__deepcopy__  # probed by copy: never a reason to connect
    assert built == []


async def test_make_client_builds_what_it_built_before() -> None:
    config = NetConfig(mailto="me@example.org", connect_timeout=3.0, read_timeout=7.0)
    lazy = make_client(config, follow_redirects=True, max_connections=6)
    async with build_client(config, follow_redirects=True, max_connections=6) as eager:
        real = lazy.real()
        try:
            assert real.headers == eager.headers
            assert real.timeout == eager.timeout
            assert real.follow_redirects and eager.follow_redirects
            assert "mailto:me@example.org" in real.headers["user-agent"]
        finally:
            await lazy.aclose()


def test_help_loads_neither_the_network_nor_the_cache() -> None:
    shown = run_cli("--help", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert shown.code == 0 and "check" in shown.stdout
    names = imported(shown)
    assert "citetrack.cli" in names
    assert network_modules(names) == set()
    assert not {n for n in names if n.startswith(("citetrack.tracking", "citetrack.model"))}
