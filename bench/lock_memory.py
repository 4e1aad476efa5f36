"""Memory of reading one lockfile in-process: the peak, and what the lockfile read keeps.

    PYTHONPATH=<tree> python bench/lock_memory.py citetrack.lock            # as a warm check
    PYTHONPATH=<tree> python bench/lock_memory.py citetrack.lock --full     # every check made

Run by hand, with the tree to measure on ``PYTHONPATH``; it asserts nothing.  Without
``--full`` the bytes are read as a warm check reads a lockfile it has read before
(``parse_lock(..., known=...)``), with ``--full`` as ``lock`` reads back the file it
wrote and a check reads one it has not read before.  The collector is off (as a run of
citetrack has it while reading); resident memory from ``/proc/self/statm`` before (the
bytes already read) and after, with the bytes dropped, and the process's peak
(``ru_maxrss``).  Linux only.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from citetrack.tracking.codec import bytes_digest
from citetrack.tracking.lockfile.fileformat import parse_lock


def _resident_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("lockfile", type=Path)
    parser.add_argument("--full", action="store_true", help="every check made (not known)")
    args = parser.parse_args(argv)
    data = args.lockfile.read_bytes()
    digest = bytes_digest(data)
    gc.disable()
    before = _resident_mb()
    started = time.perf_counter()
    lock = parse_lock(data) if args.full else parse_lock(data, known={digest}, digest=digest)
    took = time.perf_counter() - started
    del data
    kept = _resident_mb()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(lock.references)} entries, {'full' if args.full else 'known'}: {took:.2f} s; "
        f"resident {before:.0f} MB with the bytes, {kept:.0f} MB after without them; "
        f"peak {peak:.0f} MB (load {os.getloadavg()[0]:.1f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
