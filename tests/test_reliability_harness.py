"""Shared helpers of the reliability, security and interruption suites (no tests here).

* :func:`cli_env` — the clean environment ``tests/e2e.run_cli`` gives the real CLI, so a run
  can never reach a real host or share state with the developer's settings;
* :func:`run_measured` — ``python -m citetrack ARGS`` with a hard time limit, reporting the
  exit code, output, wall time and the CLI process's *own* peak memory (``os.wait4`` in a
  small launcher returns the rusage of exactly that process, so neither the test process's
  size nor runs in parallel threads blur it);
* :func:`start_cli` — the CLI as a running process, for tests that interrupt it;
* :data:`gen_bib` — ``bench/gen_bib.py``, SYNTHETIC bibliographies with a matching emulator
  world (shared with the benchmarks).

The time limit is the suite's *time budget*: a run still going when it expires is killed
(with its whole process group) and reported as ``timed_out``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.launcher import launched, read_usage
from tests.e2e import REPO


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment without any ``CITETRACK_*`` / ``NCBI_*`` / ``NO_COLOR``, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CITETRACK_", "NCBI_")) and k not in ("NO_COLOR",)
    }
    env.update(extra or {})
    return env


@dataclass
class Measured:
    """One finished (or killed) CLI run."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mib: float
    timed_out: bool

    def json(self) -> Any:
        return json.loads(self.stdout)


def start_cli(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdout: Any = subprocess.DEVNULL,
    stderr: Any = subprocess.DEVNULL,
) -> subprocess.Popen[bytes]:
    """``python -m citetrack ARGS`` started in its own process group."""
    return subprocess.Popen(
        [sys.executable, "-m", "citetrack", *args],
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        env=cli_env(env),
        cwd=cwd or REPO,
        start_new_session=True,
    )


def run_measured(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120.0,
) -> Measured:
    """Run the CLI to the end or until ``timeout`` seconds, measuring time and peak RSS."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as tmp,
    ):
        rss_file = Path(tmp) / "maxrss"
        started = time.monotonic()
        proc = subprocess.Popen(
            launched(rss_file, [sys.executable, "-m", "citetrack", *args]),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=cli_env(env),
            cwd=cwd or REPO,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the launcher and the CLI
            proc.wait()
            timed_out = True
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        peak_mib, _ = read_usage(rss_file)
        return Measured(
            code=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            seconds=seconds,
            max_rss_mib=peak_mib,
            timed_out=timed_out,
        )


def load_bench(name: str) -> ModuleType:
    """A script of ``bench/`` as a module (``bench`` is not a package)."""
    module_name = f"citetrack_bench_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, REPO / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


#: ``bench/gen_bib.py``: SYNTHETIC references with a matching emulator world.
gen_bib = load_bench("gen_bib")
