"""Time and peak memory of loading a SYNTHETIC .bib: whole-file parse, chunks, and a memo.

    python bench/bench_load.py --count 10000
    python bench/bench_load.py --count 50000 --cli     # also `check --offline --no-links`

The .bib comes from ``bench/gen_bib.py`` (``make_references(count, seed=1,
url_share=0.2, page_hosts=50)``, pages on ``http://127.0.0.1:9``); nothing is fetched.
Each row runs in a fresh child process, so that its peak RSS is its own:

* ``whole``: bibtexparser over the whole text at once (how loading worked before chunks);
* ``no memo``: ``load_bib(path)``, chunk by chunk;
* ``memo, empty``: ``load_bib(path, memo=DictMemo())``, every chunk read and stored;
* ``memo, full``: the same file again, every chunk taken from the memo;
* ``memo, 1 edit``: one entry's title changed in the middle of the file, memo full.

The time is that of the one load measured (the memo rows fill their memo first, in the
same process, so their peak includes that).  ``--cli`` adds the peak RSS and wall time of
``python -m citetrack check --offline --no-links --format text|json FILE`` (through a
launcher that reports only the child's usage, as tests/test_reliability_harness.py does).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.gen_bib import make_bib, make_references  # noqa: E402
from bench.launcher import launched, read_usage  # noqa: E402
from citetrack.inputs.bib import DictMemo, load_bib  # noqa: E402
from citetrack.inputs.bib.loader import _loads_whole  # noqa: E402

MODES = ("whole", "no memo", "memo, empty", "memo, full", "memo, 1 edit")


def _child(mode: str, path: str) -> None:
    """Run one measured load in this process and print its seconds."""
    memo = DictMemo()
    target = path
    if mode in ("memo, full", "memo, 1 edit"):
        load_bib(path, memo=memo)
    if mode == "memo, 1 edit":
        text = Path(path).read_text(encoding="utf-8")
        middle = text.index("(synthetic ", len(text) // 2)
        target = path + ".edited.bib"
        Path(target).write_text(text[:middle] + "(edited) " + text[middle:], encoding="utf-8")
        del text
    started = time.perf_counter()
    if mode == "whole":
        bib = _loads_whole(Path(path).read_text(encoding="utf-8"), path)
    elif mode == "no memo":
        bib = load_bib(target)
    else:
        bib = load_bib(target, memo=memo)
    seconds = time.perf_counter() - started
    print(f"{seconds:.3f} {len(bib.references)}")


def _measured(argv: list[str]) -> tuple[str, float, float]:
    """Run ``python ARGV`` under the launcher: (stdout, peak MiB, wall seconds)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with tempfile.TemporaryDirectory() as tmp:
        usage = Path(tmp) / "usage"
        proc = subprocess.run(
            launched(usage, [sys.executable, *argv]),
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        peak, wall = read_usage(usage)
    return proc.stdout, peak, wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--cli", action="store_true", help="also measure check --offline")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        bib = Path(tmp) / f"synthetic_{args.count}.bib"
        refs = make_references(args.count, seed=1, url_share=0.2, page_hosts=50)
        bib.write_text(make_bib(refs, ["http://127.0.0.1:9"]), encoding="utf-8")
        size = bib.stat().st_size / 1e6
        print(f"SYNTHETIC .bib: {args.count} entries, {size:.1f} MB; load: {os.getloadavg()}")
        print(f"{'mode':<14} {'load s':>8} {'peak MiB':>9}")
        for mode in MODES:
            out, peak, _ = _measured([__file__, "--child", mode, str(bib)])
            seconds, count = out.split()
            assert int(count) == args.count, (mode, count)
            print(f"{mode:<14} {float(seconds):>8.3f} {peak:>9.0f}")
        if args.cli:
            cache = Path(tmp) / "cache"
            os.environ["CITETRACK_CACHE_DIR"] = str(cache)
            for report in ("text", "json"):
                _, peak, wall = _measured(
                    ["-m", "citetrack", "check", "--offline", "--no-links", "--format", report,
                     str(bib)]
                )  # fmt: skip
                print(
                    f"check --offline --no-links --format {report}: {wall:.1f} s wall, "
                    f"peak {peak:.0f} MiB"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
