"""No way in, end to end: the real CLI against hostile .bib files and hostile servers.

* Links to loopback addresses in every spelling (``127.0.0.1``, ``localhost``, ``127.1``,
  ``2130706433``, ``0x7f.1``), with userinfo, or with non-http schemes are refused by
  default — and the emulator, listening on exactly those loopback addresses, proves that no
  request reached it.  Redirects to ``file:``, ``ftp:`` or userinfo URLs are refused even
  with ``--allow-private-urls``.  (Private, link-local and metadata *addresses* are covered
  without sending a packet by ``tests/test_urlsafety.py`` and ``tests/test_links.py``: a
  test here would have to send traffic there if the guard failed.)
* Keys and titles carrying ANSI/OSC escapes, rich markup, GitHub workflow commands, ``%0A``
  tricks, HTML/``<script>``, bidirectional overrides and ``@mentions`` — from the .bib *and*
  from a registry record — come out inert in every format (text, json, junit, sarif, github,
  markdown); the bytes of each are checked.
* The ``mailto`` and the NCBI API key never reach a web site being link-checked, nor a host
  a registry redirects to (a small recording HTTP server on 127.0.0.1 sees every request).
* A config file cannot make citetrack write outside its directory (``..``, absolute paths,
  symbolic links): exit 2 naming the file and line.
* Warnings printed to a terminal carry no escape sequences from the .bib (checked on a pty).
"""

from __future__ import annotations

import http.server
import json
import os
import pty
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from defusedxml import ElementTree as SafeET

from citetrack_emulator import Emulator
from tests.e2e import REPO, by_key, run_cli
from tests.test_reliability_harness import cli_env

# ----------------------------------------------------------------------- hostile output

ESCAPES = "\x1b]0;PWNED\x07\x1b[2J\x1b[31m"
HOSTILE = (
    f"{ESCAPES}[bold red]FAKE[/] ::error file=x.bib,line=1::injected %0A::error::also "
    "<script>alert(1)</script> \u202eevil\u202c @everyone | cell | ![img](http://x/i.png)"
)
FORMATS = ("text", "json", "junit", "sarif", "github", "markdown")


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every format's output for a hostile .bib checked against a hostile registry record."""
    work = tmp_path_factory.mktemp("hostile")
    bib = work / "hostile.bib"
    bib.write_text(
        # Key with an escape sequence; a title that disagrees with Crossref's and spans lines.
        f"@article{{evil{ESCAPES}key,\n"
        f"  title = {{{HOSTILE}\n::error file=hostile.bib,line=1::forged on its own line}},\n"
        "  doi = {10.1056/NEJMc0805992},\n}\n\n"
        # A registry record whose title is hostile (the server's data, not the user's).
        "@article{plain,\n  title = {An ordinary synthetic title},\n"
        "  doi = {10.5555/hostile.record},\n}\n",
        encoding="utf-8",
    )
    outputs: dict[str, str] = {}
    with Emulator() as emu:
        emu.patch_world(
            {
                "crossref_works": {
                    "10.5555/hostile.record": {
                        "DOI": "10.5555/hostile.record",
                        "type": "journal-article",
                        "title": [HOSTILE.replace("FAKE", "SERVER")],
                        "_synthetic": True,
                    }
                }
            }
        )
        env = {**emu.env(), "CITETRACK_CACHE_DIR": str(work / "cache")}
        for fmt in FORMATS:
            run = run_cli("check", str(bib), "--no-links", "--no-lockfile", "-f", fmt, env=env)
            assert run.code in (0, 1, 3), run.stderr
            outputs[fmt] = run.stdout
        colour = run_cli("check", str(bib), "--no-links", "--no-lockfile", "--color", "-v", env=env)
        outputs["text-color"] = colour.stdout
        outputs["stderr"] = colour.stderr
    return outputs


@pytest.mark.parametrize("fmt", [*FORMATS, "text-color"])
def test_hostile_data_is_inert_in_every_format(hostile_reports: dict[str, str], fmt: str) -> None:
    out = hostile_reports[fmt]
    # The hostile text is shown, inert (an OSC string such as a window title is removed
    # with its payload) — from the .bib and from the registry record.
    assert "FAKE" in out and "SERVER" in out and "injected" in out
    for bad in ("\x1b]", "\x1b[2J", "\x1b[31m", "\x07", "\u202e", "\x9b"):
        assert bad not in out, f"{bad!r} reached the {fmt} output"
    if fmt != "text-color":
        assert "\x1b" not in out
    assert "\\u001b" not in out.lower(), "escapes must be removed, not JSON-escaped"


def test_text_report_shows_rich_markup_literally(hostile_reports: dict[str, str]) -> None:
    for fmt in ("text", "text-color"):
        assert "[bold red]FAKE[/]" in hostile_reports[fmt]
    # The bidirectional override is made visible rather than obeyed.
    assert "\\u202e" in hostile_reports["text"]


def test_github_annotations_cannot_be_forged(hostile_reports: dict[str, str]) -> None:
    lines = hostile_reports["github"].splitlines()
    assert lines
    command = re.compile(r"^::(error|warning|notice) (file=[^,:]+,line=\d+,)?title=[^:]*::")
    for line in lines:
        assert command.match(line), line
        assert "file=x.bib" not in line.split("::", 2)[1]
    assert "%250A::error::also" in hostile_reports["github"]  # %0A in data stays text


def test_markdown_has_no_live_html_mentions_or_cells(hostile_reports: dict[str, str]) -> None:
    out = hostile_reports["markdown"]
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "@everyone" not in out
    assert "![img]" not in out
    for row in (line for line in out.splitlines() if line.startswith("| ")):
        unescaped = len(re.findall(r"(?<!\\)\|", row))
        assert unescaped in (3, 4, 5), row  # 2, 3 or 4 columns: data adds no cell


def test_junit_sarif_json_parse_and_carry_the_text(hostile_reports: dict[str, str]) -> None:
    root = SafeET.fromstring(hostile_reports["junit"].encode())
    assert "<script>" in "".join(root.itertext())  # as text, never as markup
    assert "<script>" not in hostile_reports["junit"]
    for fmt in ("sarif", "json"):
        doc = json.loads(hostile_reports[fmt])
        assert "FAKE" in json.dumps(doc)
    keys = set(by_key(json.loads(hostile_reports["json"])))
    assert any(k.startswith("evil") and "\x1b" not in k for k in keys), keys


def _read_pty(args: list[str], cwd: Path) -> bytes:
    """Run the CLI with standard error on a pseudo-terminal; what the terminal received."""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "citetrack", *args],
        stdout=subprocess.DEVNULL,
        stderr=secondary,
        stdin=subprocess.DEVNULL,
        env=cli_env(),
        cwd=cwd,
    )
    os.close(secondary)
    received = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        received += chunk
    os.close(primary)
    proc.wait(timeout=60)
    return received


def test_warnings_on_a_terminal_carry_no_escapes_from_the_bib(tmp_path: Path) -> None:
    bib = tmp_path / "dup.bib"
    entry = f"@article{{dup{ESCAPES},\n  title = {{a}},\n}}\n"
    bib.write_text(entry + entry, encoding="utf-8")
    received = _read_pty(
        ["check", str(bib), "--offline", "--no-cache", "--no-links", "--no-lockfile", "-q"],
        tmp_path,
    )
    assert b"duplicate key" in received
    assert b"\x1b]0;PWNED" not in received and b"\x1b[2J" not in received


# ------------------------------------------------------------------------------- SSRF


def test_loopback_links_in_any_spelling_and_odd_schemes_are_refused(tmp_path: Path) -> None:
    with Emulator() as emu:
        port = emu.port
        urls = {
            "dotted": f"http://127.0.0.1:{port}/pages/ok",
            "name": f"http://localhost:{port}/pages/ok",
            "short": f"http://127.1:{port}/pages/ok",
            "decimal": f"http://2130706433:{port}/pages/ok",
            "hex": f"http://0x7f.1:{port}/pages/ok",
            "ipv6": f"http://[::1]:{port}/pages/ok",
            "mapped": f"http://[::ffff:127.0.0.1]:{port}/pages/ok",
            "userinfo": f"http://user:secret@127.0.0.1:{port}/pages/ok",
            "file": "file:///etc/passwd",
            "ftp": f"ftp://127.0.0.1:{port}/pages/ok",
            "gopher": f"gopher://127.0.0.1:{port}/_GET%20/pages/ok",
        }
        bib = tmp_path / "ssrf.bib"
        bib.write_text(
            "".join(
                f"@misc{{{k},\n  title = {{t}},\n  url = {{{u}}},\n}}\n" for k, u in urls.items()
            ),
            encoding="utf-8",
        )
        run = run_cli(
            "check",
            str(bib),
            "--no-lockfile",
            "--per-host-interval",
            "0",
            "-f",
            "json",
            env={**emu.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "c")},
        )
        reached = emu.stats()["services"].get("pages", {}).get("requests", 0)
    assert reached == 0, "a refused URL was fetched"
    report = run.json()
    assert report["summary"]["broken"] == 0
    refs = by_key(report)
    for key in urls:
        rules = {f["rule"] for f in refs[key]["findings"]}
        assert "url-dead" not in rules, (key, refs[key]["findings"])
    for key in ("dotted", "name", "short", "decimal", "hex", "ipv6", "mapped", "userinfo"):
        rules = {f["rule"] for f in refs[key]["findings"]}
        assert "url-refused" in rules, (key, refs[key]["findings"])


def test_redirects_to_other_schemes_or_userinfo_are_refused_even_when_private_is_allowed(
    tmp_path: Path,
) -> None:
    with Emulator() as emu:
        base = f"http://127.0.0.1:{emu.port}"
        emu.patch_world(
            {
                "pages": {
                    "/to-file": {"status": 302, "location": "file:///etc/passwd"},
                    "/to-ftp": {"status": 302, "location": f"ftp://127.0.0.1:{emu.port}/x"},
                    "/to-userinfo": {
                        "status": 302,
                        "location": f"http://u:p@127.0.0.1:{emu.port}/pages/secret",
                    },
                    "/secret": {"title": "must never be fetched"},
                }
            }
        )
        bib = tmp_path / "redirects.bib"
        bib.write_text(
            "".join(
                f"@misc{{{name},\n  title = {{t}},\n  url = {{{base}/pages/{name}}},\n}}\n"
                for name in ("to-file", "to-ftp", "to-userinfo")
            ),
            encoding="utf-8",
        )
        run = run_cli(
            "check",
            str(bib),
            "--no-lockfile",
            "--allow-private-urls",
            "--per-host-interval",
            "0",
            "-f",
            "json",
            env={**emu.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "c")},
        )
        routes = emu.stats()["services"]["pages"]["routes"]
    assert not any("/secret" in route for route in routes), routes
    report = run.json()
    assert report["summary"]["broken"] == 0
    for ref in report["references"]:
        assert ref["links"] and ref["links"][0]["verdict"] in ("refused", "unavailable"), ref


# ------------------------------------------------------------------------------ secrets


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def _answer(self) -> None:
        type(self).seen.append(f"{self.requestline}\n{self.headers}")
        body = b"<html><head><title>Recorded page</title></head><body>ok</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    do_GET = do_HEAD = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.seen
    finally:
        server.shutdown()
        server.server_close()


def test_mailto_and_api_key_never_reach_other_hosts(
    tmp_path: Path, recorder: tuple[str, list[str]]
) -> None:
    url, seen = recorder
    bib = tmp_path / "refs.bib"
    bib.write_text(
        f"@misc{{page,\n  title = {{Recorded page}},\n  url = {{{url}/page}},\n}}\n"
        "@article{cr,\n  title = {Small-cell lung cancer and necrolytic migratory erythema},\n"
        "  doi = {10.1056/NEJMc0805992},\n  pmid = {19092164},\n}\n",
        encoding="utf-8",
    )
    with Emulator() as emu:
        # Crossref and E-utilities answer with a redirect to the recording host.
        emu.add_fault("crossref", "status", code=302, headers={"Location": f"{url}/crossref"})
        emu.add_fault("eutils", "status", code=307, headers={"Location": f"{url}/eutils"})
        run = run_cli(
            "check",
            str(bib),
            "--no-lockfile",
            "--allow-private-urls",
            "-f",
            "json",
            "--mailto",
            "secret.person@example.org",
            env={
                **emu.env(),
                "NCBI_API_KEY": "SECRETKEY123",
                "CITETRACK_CACHE_DIR": str(tmp_path / "c"),
            },
        )
    assert run.code in (0, 3), run.stderr
    assert seen, "the link check should have reached the recording server"
    everything = "\n".join(seen)
    assert "secret.person" not in everything
    assert "SECRETKEY123" not in everything
    assert "/crossref" not in everything and "/eutils" not in everything, (
        "registry redirects to another host must not be followed"
    )


# ------------------------------------------------------------------ config containment


@pytest.mark.parametrize(
    ("setting", "escape"),
    [
        ("lockfile", "../../etc/citetrack.lock"),
        ("lockfile", "/tmp/elsewhere/citetrack.lock"),
        ("cache_dir", "../cache"),
        ("lockfile", "link/citetrack.lock"),  # a symbolic link out of the project
    ],
)
def test_config_paths_cannot_escape_the_project(tmp_path: Path, setting: str, escape: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / "link").symlink_to(outside)
    (project / "references.bib").write_text("@misc{a, title = {t}}\n", encoding="utf-8")
    config = project / "citetrack.toml"
    config.write_text(f'mailto = "me@example.org"\n{setting} = "{escape}"\n', encoding="utf-8")
    run = run_cli(
        "check",
        "references.bib",
        "--offline",
        "--no-links",
        "--update-lock",
        cwd=project,
        env={"CITETRACK_CACHE_DIR": str(tmp_path / "c")} if setting != "cache_dir" else None,
    )
    assert run.code == 2, run.stderr
    assert f"{config}:2: setting '{setting}' points outside the project directory" in run.stderr
    assert list(outside.iterdir()) == []
    assert not (tmp_path / "etc").exists()


def test_repo_has_no_shell_or_eval_on_data() -> None:
    """Nothing from a .bib or a server can be run: no shell, eval, exec or pickle at all."""
    risky = re.compile(
        r"\b(?:eval|exec)\(|\bos\.system\(|\bsubprocess\.|shell=True|\bpickle\.|\bmarshal\.loads"
        r"|yaml\.load\(|__import__\("
    )
    offenders = [
        f"{path.relative_to(REPO)}: {match.group(0)}"
        for path in sorted((REPO / "citetrack").rglob("*.py"))
        for match in risky.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# --------------------------------------------- private and metadata addresses, in a netns

_NETNS_SCRIPT = r"""
import json, subprocess, sys, tempfile
from pathlib import Path
from citetrack_emulator import Emulator

with Emulator() as emu, tempfile.TemporaryDirectory() as tmp:
    emu.patch_world({"pages": {"/to-ula": {"status": 302, "location": "http://[fd00:ec2::254]/"}}})
    direct = {
        "metadata": "http://169.254.169.254/latest/meta-data/",
        "private10": "http://10.0.0.1/",
        "private192": "http://192.168.1.1/admin",
        "linklocal6": "http://[fe80::1]/",
        "ula6": "http://[fd00:ec2::254]/",
        "cgnat": "http://100.64.0.1/",
    }
    redirects = {
        "redir_metadata": emu.page_url("/private-redirect"),
        "redir_private10": emu.page_url("/private-redirect-10"),
        "redir_ula": emu.page_url("/to-ula"),
    }
    out = {}
    for name, urls, extra in (
        ("default", direct, []),
        ("allow_private", redirects, ["--allow-private-urls"]),
    ):
        bib = Path(tmp) / f"{name}.bib"
        bib.write_text("".join(
            f"@misc{{{k},\n  title = {{t}},\n  url = {{{u}}},\n}}\n" for k, u in urls.items()
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


def test_private_and_metadata_addresses_are_refused_before_any_connection() -> None:
    """Run in a fresh network namespace (only loopback): were the guard to fail, the
    connection would find no route ("unavailable") instead of leaving the machine, and the
    verdict "refused" proves that no connection was even attempted."""
    probe = (
        subprocess.run(["unshare", "--net", "true"], capture_output=True, check=False)
        if os.geteuid() == 0
        else None
    )
    if probe is None or probe.returncode != 0:
        pytest.skip("needs root and unshare(1) for a private network namespace")
    done = subprocess.run(
        [
            "unshare",
            "--net",
            "sh",
            "-c",
            'ip link set lo up && exec "$0" -c "$1"',
            sys.executable,
            _NETNS_SCRIPT,
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=cli_env(),
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    runs = json.loads(done.stdout)
    for name, run in runs.items():
        report = run["report"]
        assert report is not None, run["stderr"]
        assert report["summary"]["broken"] == 0
        for ref in report["references"]:
            verdicts = [link["verdict"] for link in ref["links"]]
            assert verdicts == ["refused"], (name, ref["key"], ref["links"], ref["findings"])
            assert {f["rule"] for f in ref["findings"]} == {"url-refused"}, ref["findings"]
