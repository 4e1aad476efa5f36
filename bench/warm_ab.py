"""Before/after of the warm rows: two source trees, alternating, on one warm cache.

    python bench/bench_warm.py --fast-cold --work /tmp/w16b     # the .bib and warm cache
    mkdir /tmp/base && git archive <commit> | tar -x -C /tmp/base
    python bench/warm_ab.py --work /tmp/w16b --before /tmp/base [--rounds 2]

Run by hand; it asserts nothing.  The emulator serves the same SYNTHETIC world as
``bench_warm.py`` (same ``--count`` and ``--seed``, no limits: every answer is cached
anyway); each row runs the CLI of the ``--before`` tree and of this tree in turn and prints
wall time, CPU time (user + sys: less sensitive to a shared machine's load than wall
time), peak MB and the load average.

Each tree gets its own copy of the warm cache folder (``cache-before``, ``cache-after``
beside ``cache``), filled by one unprinted run per row, so that no row measures a tree's
first run after the code changed (each version of the code has a memo file of its own:
before session 9 one shared file was emptied at every switch of tree).  Every run gets
its own value of an unused ``CITETRACK_`` variable, so that no run is a replay of the
previous one (that is ``bench_warm.py``'s "unchanged re-check" row).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_check import MAILTO, child_env, citetrack  # noqa: E402
from bench.gen_bib import make_references, make_world  # noqa: E402
from bench.launcher import launched, read_usage  # noqa: E402
from citetrack_emulator import Emulator  # noqa: E402


def measure(cmd: Sequence[str], env: dict[str, str], cwd: Path) -> str:
    """One run: wall and CPU time (of the launcher and the CLI: the launcher adds some
    20 ms, the same to both trees) and the CLI's own peak memory (through the launcher:
    started straight from this process, which holds the emulator's world, the CLI would
    report this process's peak)."""
    with tempfile.TemporaryDirectory() as tmp:
        usage_file = Path(tmp) / "usage"
        started = time.perf_counter()
        proc = subprocess.Popen(
            launched(usage_file, cmd), env=env, cwd=cwd, stdout=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        peak_mb, _ = read_usage(usage_file)
    return (
        f"wall {wall:.2f} s, cpu {usage.ru_utime + usage.ru_stime:.2f} s, "
        f"{peak_mb:.0f} MB (load {os.getloadavg()[0]:.1f}), "
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
    bib = str(args.work / "refs.bib")
    trees = [("before", args.before.resolve()), ("after", ROOT)]
    caches = {}
    for label, _ in trees:
        caches[label] = args.work / f"cache-{label}"
        if not caches[label].exists():
            shutil.copytree(args.work / "cache", caches[label])

    def rows(cache: Path) -> list[tuple[str, list[str]]]:
        common = ["--mailto", MAILTO, "--cache-dir", str(cache), "--allow-private-urls"]
        check = ["check", bib, *common, "--format", "json", "-q", "--no-links"]
        return [
            ("warm, --no-lockfile", [*check, "--no-lockfile"]),
            ("warm, with lockfile", [*check, "--max-cache-age", "100000"]),
            ("export --dry-run", ["export", bib, "--dry-run", *common[:4]]),
        ]

    runs = 0
    pycache = args.work / "pycache"  # compiled once, as an installed citetrack is
    with Emulator(make_world(refs), limits=None, latency_ms=0.0, page_hosts=50) as emu:

        def env_for(label: str, tree: Path) -> dict[str, str]:
            nonlocal runs
            runs += 1
            env = child_env({**emu.env(), "CITETRACK_CACHE_DIR": str(caches[label])}, pycache)
            env["PYTHONPATH"] = str(tree)
            env["CITETRACK_BENCH_RUN"] = str(runs)  # never a replay of the previous run
            return env

        for label, tree in trees:  # fill each tree's memo (not measured)
            for _, cmd in rows(caches[label]):
                measure(citetrack(*cmd), env_for(label, tree), args.work)
        for index, (name, _) in enumerate(rows(caches["before"])):
            for _ in range(args.rounds):
                for label, tree in trees:
                    cmd = rows(caches[label])[index][1]
                    result = measure(citetrack(*cmd), env_for(label, tree), args.work)
                    print(f"{name:22} {label:6} {result}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
