"""The peak memory of one command alone, through a small launcher process.

Linux keeps a process's peak resident size across ``exec``: a command started straight
from a big process (a benchmark holding the emulator's world, a test runner) inherits that
process's peak in ``ru_maxrss``.  The launcher is a fresh, small Python process that forks,
execs the command and writes the child's own peak (KiB) and its wall time to a file, then
exits with the child's exit code.  Used by ``bench/bench_check.py``, ``bench/bench_load.py``
and ``tests/test_reliability_harness.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

#: argv[1]: the file to write "<peak KiB> <seconds>" to; argv[2:]: the command.
LAUNCHER = """
import os, sys, time
started = time.monotonic()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as handle:
    handle.write(f"{usage.ru_maxrss} {time.monotonic() - started:.3f}")
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def launched(usage_file: Path, command: Sequence[str]) -> list[str]:
    """The command line that runs ``command`` under the launcher."""
    return [sys.executable, "-c", LAUNCHER, str(usage_file), *command]


def read_usage(usage_file: Path) -> tuple[float, float]:
    """(peak MiB, wall seconds) the launcher wrote; (0, 0) if it wrote nothing (killed)."""
    try:
        kib, seconds = usage_file.read_text().split()
        return int(kib) / 1024, float(seconds)  # Linux reports KiB
    except (OSError, ValueError):
        return 0.0, 0.0
