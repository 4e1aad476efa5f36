"""Issue 16's table in one run: cold vs floor, warm, warm + lockfile, re-check, lock, export.

    python bench/bench_warm.py                       # 10,000 refs, published limits (~2 min)
    python bench/bench_warm.py --count 1000
    python bench/bench_warm.py --fast-cold           # no limits/latency for the cold fill:
                                                     # the warm rows only (cold ratio meaningless)

Run by hand; it asserts nothing.  One SYNTHETIC bibliography (``bench/gen_bib.py``) and its
emulator world; the emulator with the published limits and 100 ms latency (as
``bench_check.py``), one cache folder for the whole run, and the real CLI in a subprocess:

1. **cold**: ``check --no-lockfile`` on an empty cache; wall / floor, 429s, peak MB.
2. **warm**: the same command again with ``--no-links`` (nothing changed, every registry
   answer cached; link answers are never cached, so with links a warm run is paced by the
   web hosts: ``--links`` measures that).
3. **lock**: ``lock`` (writes ``citetrack.lock``) on the warm cache.
4. **warm + lockfile**: ``check`` with the lockfile (``--max-cache-age`` large, so that the
   cached answers count as fresh: the nothing-changed case).
5. **unchanged re-check**: ``check`` with the lockfile once more (the pre-commit case): the
   report of step 4 is replayed (``citetrack/cli/replay.py``).
6. **one entry edited**: the title of the first entry changed, checked again: findings of
   the other entries are remembered (``citetrack/incremental.py``); then the same once more
   (replayed).
7. **export**: ``export --dry-run`` on the warm cache.

The machine's load average is printed with the rows: timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_check import MAILTO, child_env, citetrack, floors, run  # noqa: E402
from bench.gen_bib import make_bib, make_references, make_world  # noqa: E402
from citetrack_emulator import Emulator  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--page-hosts", type=int, default=50)
    parser.add_argument("--url-share", type=float, default=0.2)
    parser.add_argument("--fast-cold", action="store_true", help="no limits for the cold fill")
    parser.add_argument("--links", action="store_true", help="warm rows with links too")
    parser.add_argument("--work", type=Path, help="keep the files here (default: a temp dir)")
    parser.add_argument("--port", type=int, default=0, help="the emulator's port (0: any free)")
    parser.add_argument(
        "--no-lock",
        action="store_true",
        help="skip `lock` (it fetches everything again: 15 min at 100,000) and check the "
        "later rows with --no-lockfile",
    )
    args = parser.parse_args(argv)

    refs = make_references(
        args.count, seed=args.seed, url_share=args.url_share, page_hosts=args.page_hosts
    )
    limits = None if args.fast_cold else "published"
    latency = 0.0 if args.fast_cold else args.latency_ms
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.work or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        pycache = Path(tmp) / "pycache"
        with Emulator(
            make_world(refs),
            limits=limits,
            latency_ms=latency,
            page_hosts=args.page_hosts,
            port=args.port,
        ) as emu:
            bases = [f"http://{h}:{emu.port}" for h in emu.hosts[1 : args.page_hosts + 1]]
            bib = folder / "refs.bib"
            bib.write_text(make_bib(refs, bases), encoding="utf-8")
            cache = folder / "cache"
            env = child_env({**emu.env(), "CITETRACK_CACHE_DIR": str(cache)}, pycache)
            common = ["--mailto", MAILTO, "--cache-dir", str(cache), "--allow-private-urls"]
            check = ["check", str(bib), *common, "--format", "json", "-q"]
            run(citetrack("--help"), env)  # compile the bytecode cache once

            rows: list[tuple[str, str]] = []

            def timed(name: str, *cmd: str) -> float:
                proc = run(citetrack(*cmd), env, cwd=folder)
                load = os.getloadavg()[0]
                if proc.code not in (0, 3):
                    print(f"{name}: exit {proc.code}: {proc.stderr[-1500:]}", file=sys.stderr)
                rows.append(
                    (name, f"{proc.wall_s:.2f} s, {proc.max_rss_mb:.0f} MB (load {load:.1f})")
                )
                return proc.wall_s

            fast = ["--per-host-interval", "0"] if args.fast_cold else []
            cold = timed("cold, --no-lockfile", *check, "--no-lockfile", *fast)
            stats = emu.stats()
            per_host = Counter(r.page_host for r in refs if r.page_host is not None)
            floor = max(
                floors(
                    len({r.doi for r in refs}),
                    len({r.pmid for r in refs}),
                    {str(h): n for h, n in per_host.items()},
                    args.latency_ms / 1000,
                ).values()
            )
            note = " (fast cold: not comparable)" if args.fast_cold else ""
            rows[-1] = (
                rows[-1][0],
                f"{rows[-1][1]}; floor {floor:.1f} s; {cold / floor:.2f} x floor{note}; "
                f"{stats['429']} x 429",
            )
            # Link answers are not cached (a page is fetched again on every run, at one
            # request per second per host): the warm rows are the registry path.
            warm = [*check, *([] if args.links else ["--no-links"])]
            timed("warm, --no-lockfile", *warm, "--no-lockfile")
            with_lock = ["--no-lockfile"] if args.no_lock else ["--max-cache-age", "100000"]
            if not args.no_lock:
                lock = ["lock", str(bib), *common, "-q", *([] if args.links else ["--no-links"])]
                timed("lock", *lock)
                timed("warm, with lockfile", *warm, *with_lock)
            timed("unchanged re-check", *warm, *with_lock)
            # One entry edited (the editor-save case): the other entries' findings are
            # remembered, and the report is computed again, not replayed.
            text = bib.read_text(encoding="utf-8")
            at = text.index("{", text.index("  title")) + 1
            bib.write_text(text[:at] + "Edited: " + text[at:], encoding="utf-8")
            timed("one entry edited", *warm, *with_lock)
            timed("re-check after the edit", *warm, *with_lock)
            timed("export --dry-run", "export", str(bib), "--dry-run", *common[:4])
    print(f"{args.count} references")
    for name, value in rows:
        print(f"  {name:24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
