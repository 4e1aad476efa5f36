"""The process's exit (``citetrack.cli.run``): out without freeing the heap object by object
(issue 16: 0.35-0.4 s of a cold 10,000-reference check), but with everything a normal exit
does that anyone can see — exit code, every byte of the report through a pipe, the other
threads waited for, the ``atexit`` functions run."""

from __future__ import annotations

import atexit
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import citetrack.cli as cli_module
from bench.gen_bib import make_bib, make_references


class Exited(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def test_run_waits_for_threads_and_runs_atexit_before_leaving(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []

    def main() -> None:
        def slow() -> None:
            time.sleep(0.2)
            seen.append("thread")

        threading.Thread(target=slow).start()
        atexit.register(seen.append, "atexit")
        sys.exit(3)

    def exit_now(code: int) -> None:
        seen.append("exit")
        raise Exited(code)

    monkeypatch.setattr(cli_module, "main", main)
    monkeypatch.setattr(cli_module.os, "_exit", exit_now)
    with pytest.raises(Exited) as left:
        cli_module.run()
    assert left.value.code == 3
    assert seen == ["thread", "atexit", "exit"]


def test_a_message_exit_is_left_to_the_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    def main() -> None:
        sys.exit("citetrack: something to say")

    monkeypatch.setattr(cli_module, "main", main)
    monkeypatch.setattr(cli_module.os, "_exit", lambda code: pytest.fail("os._exit called"))
    with pytest.raises(SystemExit, match="something to say"):
        cli_module.run()


def test_the_whole_report_comes_through_a_pipe_with_the_exit_code(tmp_path: Path) -> None:
    refs = make_references(300, seed=3, url_share=0.0, page_hosts=0)
    bib = tmp_path / "refs.bib"
    bib.write_text(make_bib(refs, []), encoding="utf-8")
    cache = str(tmp_path / "c")
    options = ["--offline", "--no-links", "--no-lockfile", "--format", "json", "-q"]
    done = subprocess.run(
        [sys.executable, "-m", "citetrack", "check", str(bib), *options, "--cache-dir", cache],
        capture_output=True,
        check=False,
        timeout=300,
    )
    report = json.loads(done.stdout)  # every byte: the JSON parses
    assert len(report["references"]) == 300
    assert done.returncode == 3  # nothing in the cache: unverified
