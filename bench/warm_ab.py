"""Before/after of the warm rows: two source trees, alternating, on one warm cache.

    python bench/bench_warm.py --fast-cold --work /tmp/w16b     # the .bib and warm cache
    mkdir /tmp/base && git archive <commit> | tar -x -C /tmp/base
    python bench/warm_ab.py --work /tmp/w16b --before /tmp/base [--rounds 2]

Run by hand; it asserts nothing.  The emulator serves the same SYNTHETIC world as
``bench_warm.py`` (same ``--count`` and ``--seed``, no limits: every answer is cached
anyway); each row runs the CLI of the ``--before`` tree and of this tree in turn and prints
wall time, CPU time (user + sys: less sensitive to a shared machine's load than wall
time), peak MB and the load average.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_check import MAILTO, child_env, citetrack  # noqa: E402
from bench.gen_bib import make_references, make_world  # noqa: E402
from citetrack_emulator import Emulator  # noqa: E402


def measure(cmd: Sequence[str], env: dict[str, str], cwd: Path) -> str:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    return (
        f"wall {wall:.2f} s, cpu {usage.ru_utime + usage.ru_stime:.2f} s, "
        f"{usage.ru_maxrss / 1024:.0f} MB (load {os.getloadavg()[0]:.1f}), "
        f"exit {os.waitstatus_to_exitcode(status)}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--work", type=Path, required=True, help="bench_warm.py --work folder")
    parser.add_argument("--before", type=Path, required=True, help="the other source tree")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    refs = make_references(args.count, seed=args.seed, url_share=0.2, page_hosts=50)
    bib, cache = str(args.work / "refs.bib"), str(args.work / "cache")
    common = ["--mailto", MAILTO, "--cache-dir", cache, "--allow-private-urls"]
    check = ["check", bib, *common, "--format", "json", "-q", "--no-links"]
    rows = [
        ("warm, --no-lockfile", [*check, "--no-lockfile"]),
        ("warm, with lockfile", [*check, "--max-cache-age", "100000"]),
        ("export --dry-run", ["export", bib, "--dry-run", *common[:4]]),
    ]
    trees = [("before", args.before.resolve()), ("after", ROOT)]
    with Emulator(make_world(refs), limits=None, latency_ms=0.0, page_hosts=50) as emu:
        for name, cmd in rows:
            for _ in range(args.rounds):
                for label, tree in trees:
                    env = child_env({**emu.env(), "CITETRACK_CACHE_DIR": cache}, None)
                    env["PYTHONPATH"] = str(tree)
                    print(f"{name:22} {label:6} {measure(citetrack(*cmd), env, args.work)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
