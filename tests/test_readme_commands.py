"""The README's commands, run as written, so that they cannot rot (issue 12).

Every ``$ `` line of the README's console and text blocks is run with bash, block by
block (an ``export`` carries over within its block, as in a terminal), in a copy of the
repository's files (a fresh clone, with nothing from outside it), with ``citetrack`` and
``python`` from the test's environment and the ``CITETRACK_*_URL`` variables pointing at
the local emulator, so no real host is contacted.  Only these adaptations are made, each
named here:

* the install prefix ``python3 -m venv .venv && . .venv/bin/activate && pip install X &&``
  and a bare ``pip install …`` are dropped (the test runs in the installed venv, offline);
* ``python -m pytest`` (the suite itself) is not run from inside the suite;
* the README's emulator port 8765 becomes a free port, and the test waits for it to listen
  after the command that starts it in the background.

A command passes when it ends with a documented exit code other than 2 (usage or input
error) and prints no traceback and no ``citetrack: error:``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from citetrack_emulator import Emulator
from tests.e2e import REPO

README = REPO / "README.md"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_INSTALL_PREFIX = re.compile(
    r"^python3 -m venv \.venv && \. \.venv/bin/activate && pip install \S+ && "
)


def readme_blocks() -> list[list[str]]:
    """The ``$ `` commands of each console/text block, continuation lines joined."""
    blocks = []
    for lang, body in _FENCE.findall(README.read_text(encoding="utf-8")):
        if lang not in ("console", "text", "shell", "bash", ""):
            continue
        commands: list[str] = []
        lines = body.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            i += 1
            if not line.startswith("$ "):
                continue
            command = line[2:]
            while command.rstrip().endswith("\\") and i < len(lines):
                command = command.rstrip()[:-1] + " " + lines[i].strip()
                i += 1
            commands.append(command)
        if commands:
            blocks.append(commands)
    return blocks


def adapt(command: str, port: int) -> str | None:
    """The command as this test runs it (see the module docstring), or None to skip."""
    command = _INSTALL_PREFIX.sub("", command)
    if re.match(r"^pip install ", command) or "python -m pytest" in command:
        return None
    return command.replace("8765", str(port))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fresh_copy(target: Path) -> None:
    """The repository's files (tracked and new, not ignored) copied to ``target``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if not source.is_file():
            continue
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest)


def _script(commands: list[str], port: int, rc_file: Path) -> tuple[str, list[str]]:
    lines = ["trap 'kill $(jobs -p) 2>/dev/null' EXIT"]
    ran = []
    for command in commands:
        adapted = adapt(command, port)
        if adapted is None:
            continue
        ran.append(command)
        lines.append(adapted)
        if adapted.rstrip().endswith("&"):
            lines.append(
                f"for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null "
                "&& break; sleep 0.1; done"
            )
            lines.append(f"echo 0 >> {rc_file}")
        else:
            lines.append(f"echo $? >> {rc_file}")
    return "\n".join(lines) + "\n", ran


def test_the_readme_has_the_newcomers_command_and_it_uses_a_file_in_the_repo() -> None:
    first = readme_blocks()[0][0]
    assert "../" not in first, "the first command must not reach outside the repository"
    match = re.search(r"citetrack parse (\S+)", first)
    assert match and (REPO / match.group(1)).is_file(), first
    seed = REPO / "tests/data/parse/necrolytic-migratory-erythema.txt"
    assert (REPO / match.group(1)).read_bytes() == seed.read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(readme_blocks())))
def test_readme_commands_run_as_written(
    index: int, tmp_path: Path, emulator_session: Emulator
) -> None:
    repo = tmp_path / "clone"
    fresh_copy(repo)
    rc_file = tmp_path / "rc"
    port = _free_port()
    script, ran = _script(readme_blocks()[index], port, rc_file)
    if not ran:
        pytest.skip("only install / test-suite commands in this block")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITETRACK_", "NCBI_"))}
    env.update(emulator_session.env())
    env["CITETRACK_CACHE_DIR"] = str(tmp_path / "cache")
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    proc = subprocess.run(
        ["bash", "-c", script],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    codes = [int(c) for c in rc_file.read_text().split()] if rc_file.exists() else []
    report = f"script:\n{script}\nstdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    assert len(codes) == len(ran), report
    for command, code in zip(ran, codes, strict=True):
        assert code in (0, 1, 3, 4), f"{command!r} exited {code}\n{report}"
    assert "Traceback" not in proc.stderr, report
    assert "citetrack: error:" not in proc.stderr, report
    assert "no such file" not in proc.stderr.lower(), report
