"""Hostile servers on the network path (issue 18, items 5, 2 and 16), through the real CLI.

* item 5 — a ``Content-Encoding: gzip, gzip`` body (a few KB standing for 1 GiB) from
  Crossref, from the Wayback Machine and from a web page: the run stays in bounded memory
  (measured through the suite's launcher), ends within the budget, and the registry
  answers are unverified "response too large" — never "timeout", never broken;
* item 2 — with no working DNS, a URL that was refused by policy or whose host resolved
  only locally is no evidence that DNS works: unresolvable URLs stay unverified (exit 3);
* item 16 — ``http://[::ffff:0:a9fe:a9fe]/`` (the SIIT form of the metadata address) is
  refused before any connection.

Servers are small ``http.server`` instances on 127.0.0.1; everything else is the emulator
(SYNTHETIC seed world).
"""

from __future__ import annotations

import gzip
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from citetrack_emulator import Emulator
from tests.e2e import REPO, by_key
from tests.test_reliability_harness import Measured, cli_env, run_measured

BUDGET = 45.0
MAX_RSS_MIB = 150.0
DOI = "10.1056/NEJMc0805992"
TITLE = "Small-cell lung cancer and necrolytic migratory erythema"


def _double_gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzipped, gzipped again (SYNTHETIC)."""
    inner = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [inner.compress(block) for _ in range(size >> 20)]
    parts.append(inner.flush())
    return gzip.compress(b"".join(parts), 9)


BOMB = _double_gzip_bomb(1 << 30)  # 1 GiB once inflated twice


class _BombServer(http.server.BaseHTTPRequestHandler):
    """Answers every GET with the double-gzip bomb, as JSON or HTML."""

    hits: ClassVar[int] = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        html = self.path.startswith("/page")
        self.send_header("Content-Type", "text/html" if html else "application/json")
        self.send_header("Content-Encoding", "gzip, gzip")
        self.send_header("Content-Length", str(len(BOMB)))
        self.end_headers()
        self.wfile.write(BOMB)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def bomb_server() -> Iterator[str]:
    _BombServer.hits = 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _BombServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _run(bib: Path, env: dict[str, str], *extra: str) -> Measured:
    return run_measured(
        "check",
        str(bib),
        "--no-lockfile",
        "--timeout",
        "5",
        "--per-host-interval",
        "0",
        "-f",
        "json",
        *extra,
        env=env,
        timeout=BUDGET,
    )


def test_the_bomb_is_a_bomb() -> None:
    assert len(BOMB) < 20_000
    assert len(gzip.decompress(gzip.decompress(BOMB))) == 1 << 30


@pytest.mark.parametrize("service", ["crossref", "wayback"])
def test_a_double_gzip_bomb_from_a_registry_is_unverified_too_large(
    tmp_path: Path, bomb_server: str, service: str
) -> None:
    with Emulator() as emu:
        page = emu.page_url("/ok")
        emu.patch_world({"wayback": {page: [{"timestamp": "20200815101500"}]}})
        bib = tmp_path / "refs.bib"
        if service == "crossref":
            bib.write_text(f"@article{{r,\n  title = {{{TITLE}}},\n  doi = {{{DOI}}},\n}}\n")
            env = {**emu.env(), "CITETRACK_CROSSREF_URL": f"{bomb_server}/crossref"}
            extra: tuple[str, ...] = ("--no-links",)
        else:
            bib.write_text(
                f"@misc{{r,\n  title = {{An ordinary article page}},\n  url = {{{page}}},\n"
                f"  archiveurl = {{https://web.archive.org/web/20200815101500/{page}}},\n}}\n"
            )
            env = {**emu.env(), "CITETRACK_WAYBACK_URL": f"{bomb_server}/wayback"}
            extra = ("--allow-private-urls",)
        env["CITETRACK_CACHE_DIR"] = str(tmp_path / "cache")
        run = _run(bib, env, *extra)
    assert _BombServer.hits > 0
    assert not run.timed_out, "over the budget"
    assert "Traceback" not in run.stderr
    assert run.max_rss_mib < MAX_RSS_MIB, run.max_rss_mib
    assert run.code == 3, (run.stderr, run.stdout)
    (ref,) = run.json()["references"]
    assert ref["status"] == "unverified"
    messages = " | ".join(f["message"] for f in ref["findings"])
    assert "too large" in messages, messages
    assert "timeout" not in messages


def test_a_double_gzip_bomb_as_a_web_page_stays_small(tmp_path: Path, bomb_server: str) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(f"@misc{{p,\n  title = {{A page}},\n  url = {{{bomb_server}/page}},\n}}\n")
    run = _run(bib, {"CITETRACK_CACHE_DIR": str(tmp_path / "c")}, "--allow-private-urls")
    assert _BombServer.hits > 0
    assert not run.timed_out
    assert run.max_rss_mib < MAX_RSS_MIB, run.max_rss_mib
    report = by_key(run.json())
    assert report["p"]["status"] != "broken"


# ------------------------------------------ items 2 and 16: offline DNS, SIIT metadata

_NETNS_SCRIPT = r"""
import json, socket, subprocess, sys, tempfile, threading
from pathlib import Path
from citetrack_emulator import Emulator

def nxdomain_server():
    # A DNS server that knows no name at all: every query gets NXDOMAIN (RCODE 3).
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 53))
    while True:
        data, peer = sock.recvfrom(512)
        if len(data) >= 12:
            sock.sendto(data[:2] + b"\x81\x83" + data[4:6] + b"\0\0\0\0\0\0" + data[12:], peer)

threading.Thread(target=nxdomain_server, daemon=True).start()
with Emulator() as emu, tempfile.TemporaryDirectory() as tmp:
    port = emu.port
    urls = {
        "gone_a": "http://gone-a.example/page",
        "gone_b": "http://gone-b.example/page",
        "local": f"http://localhost:{port}/pages/ok",
        "siit": "http://[::ffff:0:a9fe:a9fe]/latest/meta-data/",
    }
    out = {}
    for name, keys, extra in (
        ("unresolvable_only", ("gone_a", "gone_b"), []),
        ("with_local_name", ("gone_a", "gone_b", "local"), ["--allow-private-urls"]),
        ("with_refused_local_name", ("gone_a", "gone_b", "local", "siit"), []),
    ):
        bib = Path(tmp) / f"{name}.bib"
        bib.write_text("".join(
            f"@misc{{{k},\n  title = {{t}},\n  url = {{{urls[k]}}},\n}}\n" for k in keys
        ))
        env = {**emu.env(), "CITETRACK_CACHE_DIR": tmp + "/cache"}
        run = subprocess.run(
            [sys.executable, "-m", "citetrack", "check", str(bib), "--no-lockfile", "-f", "json",
             "--per-host-interval", "0", "--timeout", "2", *extra],
            capture_output=True, text=True, env=env, timeout=120,
        )
        out[name] = {"code": run.returncode, "stderr": run.stderr[-2000:],
                     "report": json.loads(run.stdout) if run.stdout.strip() else None}
    print(json.dumps(out))
"""


def test_a_local_name_is_no_evidence_that_dns_works() -> None:
    """In a network namespace with only loopback, and a DNS server there that answers
    NXDOMAIN for every name (what an offline stub resolver does): the two unresolvable URLs
    must stay unverified when a ``localhost`` URL resolved (item 2), and the SIIT form of
    the metadata address is refused before any connection (item 16)."""
    probe = (
        subprocess.run(["unshare", "--net", "--mount", "true"], capture_output=True, check=False)
        if os.geteuid() == 0
        else None
    )
    if probe is None or probe.returncode != 0:
        pytest.skip("needs root and unshare(1) for a private network and mount namespace")
    with tempfile.TemporaryDirectory() as tmp:
        resolv = Path(tmp) / "resolv.conf"
        resolv.write_text("nameserver 127.0.0.1\noptions attempts:1 timeout:1\n")
        done = subprocess.run(
            [
                "unshare",
                "--net",
                "--mount",
                "sh",
                "-c",
                'ip link set lo up && mount --bind "$2" /etc/resolv.conf && exec "$0" -c "$1"',
                sys.executable,
                _NETNS_SCRIPT,
                str(resolv),
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=cli_env(),
            timeout=400,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    runs = json.loads(done.stdout)
    for name, run in runs.items():
        report = run["report"]
        assert report is not None, (name, run["stderr"])
        refs = by_key(report)
        for key in ("gone_a", "gone_b"):
            links = refs[key]["links"]
            assert [link["verdict"] for link in links] == ["unavailable"], (name, links)
            assert "no host name resolved" in links[0]["reason"], links
        assert report["summary"]["broken"] == 0, (name, report["summary"])
        assert run["code"] == 3, (name, run["code"], run["stderr"])
    siit = by_key(runs["with_refused_local_name"]["report"])["siit"]
    assert [link["verdict"] for link in siit["links"]] == ["refused"], siit["links"]
    assert "metadata" in siit["links"][0]["reason"]


# ------------------------------------------------ item 8: a body of tiny JSON objects

#: 19 MB (under the 20 MB body cap) of ``{}``: some 6 million objects once parsed.
TINY_OBJECTS = b'{"status":"ok","message":{"items":[' + b",".join([b"{}"] * 6_300_000) + b"]}}"


class _TinyObjects(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(TINY_OBJECTS)))
        self.end_headers()
        self.wfile.write(TINY_OBJECTS)

    def log_message(self, *args: object) -> None:
        pass


def test_an_answer_of_millions_of_tiny_objects_is_not_parsed(tmp_path: Path) -> None:
    assert len(TINY_OBJECTS) < 20 * 1024 * 1024
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TinyObjects)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "".join(
            f"@article{{r{i},\n  title = {{t}},\n  doi = {{10.5555/tiny.{i}}},\n}}\n"
            for i in range(3)
        )
    )
    try:
        with Emulator() as emu:
            env = {
                **emu.env(),
                "CITETRACK_CROSSREF_URL": f"http://127.0.0.1:{server.server_address[1]}",
                "CITETRACK_CACHE_DIR": str(tmp_path / "c"),
            }
            run = _run(bib, env, "--no-links")
    finally:
        server.shutdown()
        server.server_close()
    assert not run.timed_out
    assert run.max_rss_mib < MAX_RSS_MIB, run.max_rss_mib
    assert run.code == 3, run.stderr
    messages = " | ".join(f["message"] for ref in run.json()["references"] for f in ref["findings"])
    assert "JSON objects and arrays; not parsed" in messages, messages
