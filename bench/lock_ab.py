"""``lock`` of ``bench_warm.py``'s bibliography, by several trees at once: wall and peak.

    python bench/lock_ab.py --count 100000 <tree> <folder> [<tree> <folder> ...]

Run by hand; it asserts nothing.  Each ``<folder>`` is a copy of one ``bench_warm.py
--work`` folder (same ``--count`` and ``--seed``); its lockfile is removed, then ``lock``
runs there as ``bench_warm.py``'s row does (``--no-links``), with ``<tree>`` on
``PYTHONPATH``, all trees at the same time against one emulator holding the same
SYNTHETIC world (no limits, no latency: as ``--fast-cold``).  ``lock`` is paced by the
client's per-registry limits (some 12 minutes at 100,000), so the runs overlap instead of
taking turns; the peak is each process's own (``bench_check.run``'s launcher).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_check import MAILTO, citetrack, run  # noqa: E402
from bench.gen_bib import make_references, make_world  # noqa: E402
from citetrack_emulator import Emulator  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--page-hosts", type=int, default=50)
    parser.add_argument("--url-share", type=float, default=0.2)
    parser.add_argument("--port", type=int, default=0, help="the emulator's port (0: any free)")
    parser.add_argument("pairs", nargs="+", type=Path, help="<tree> <folder>, repeated")
    args = parser.parse_args(argv)
    if len(args.pairs) % 2:
        parser.error("give a folder for each tree")
    refs = make_references(
        args.count, seed=args.seed, url_share=args.url_share, page_hosts=args.page_hosts
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CITETRACK_", "NCBI_"))}
    with Emulator(
        make_world(refs), limits=None, latency_ms=0.0, page_hosts=args.page_hosts, port=args.port
    ) as emu:

        def one(tree: Path, folder: Path) -> None:
            lockfile = folder / "citetrack.lock"
            lockfile.unlink(missing_ok=True)
            cache = folder / "cache"
            env = {**base, **emu.env(), "CITETRACK_CACHE_DIR": str(cache)}
            env["PYTHONPATH"] = str(tree.resolve())
            cmd = citetrack(
                *("lock", str(folder / "refs.bib"), "--mailto", MAILTO, "--cache-dir"),
                *(str(cache), "--allow-private-urls", "-q", "--no-links"),
            )
            started = time.strftime("%H:%M:%S", time.gmtime())
            proc = run(cmd, env, cwd=folder)
            size = lockfile.stat().st_size if lockfile.exists() else None
            print(
                f"{started} UTC lock {tree}: {proc.wall_s:.2f} s, {proc.max_rss_mb:.0f} MB, "
                f"exit {proc.code} (load {os.getloadavg()[0]:.1f}); lockfile {size} bytes"
                + (f"; {proc.stderr[-300:]!r}" if proc.code else ""),
                flush=True,
            )

        pairs = list(zip(args.pairs[::2], args.pairs[1::2], strict=True))
        threads = [threading.Thread(target=one, args=pair) for pair in pairs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
