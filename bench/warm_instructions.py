"""Instructions of one warm run (cachegrind), and an A/B that compares the outputs.

    python bench/bench_warm.py --fast-cold --work /tmp/w17       # the .bib and warm cache
    mkdir /tmp/base && git archive <commit> | tar -x -C /tmp/base
    cp -a /tmp/w17 /tmp/w17-base; cp -a /tmp/w17 /tmp/w17-this  # a copy per tree
    python bench/warm_instructions.py --tree /tmp/base --work /tmp/w17-base --row lock
    python bench/warm_instructions.py --tree . --work /tmp/w17-this --row lock --ab \\
        --other /tmp/base --other-work /tmp/w17-base --rounds 3

Run by hand; it asserts nothing.  On a machine shared with other work, the wall time of
the same warm 10,000-reference run moves by a third or more between consecutive runs (issue 16,
session 17): the instruction count of a run under ``valgrind --tool=cachegrind
--cache-sim=no`` does not (the same count to 0.1 % run after run, whatever the load), so
it is what a small change is measured by.  It is not time: a run under cachegrind takes
some 40 s.  Each run gets ``PYTHONHASHSEED=0`` and a new unused ``CITETRACK_`` variable
(no replay of the previous run); run each tree a few times first (its memo is per code
version: the first run after a change is cold).

``--ab`` instead times the rows of two trees alternately (wall, CPU and peak memory
from ``/usr/bin/time``) and compares their standard output, standard error and exit
code byte for byte after each pair.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

PYTHON = sys.executable
COMMON = ["--mailto", "bench@example.org", "--cache-dir", "cache", "--allow-private-urls"]
CHECK = ["check", "refs.bib", *COMMON, "--format", "json", "-q", "--no-links"]
ROWS = {
    "lock": [*CHECK, "--max-cache-age", "100000"],
    "nolock": [*CHECK, "--no-lockfile"],
    "export": ["export", "refs.bib", "--dry-run", *COMMON[:4]],
}


#: ``--port``: the emulator's port whose URLs the children get (``None``: the defaults).
_PORT: list[int] = []
_SERVICES = {
    "CITETRACK_CROSSREF_URL": "crossref",
    "CITETRACK_EUTILS_URL": "eutils",
    "CITETRACK_IDCONV_URL": "idconv/",
    "CITETRACK_DOI_URL": "doi",
    "CITETRACK_WAYBACK_URL": "wayback",
    "CITETRACK_OPENLIBRARY_URL": "openlibrary",
    "CITETRACK_GOOGLEBOOKS_URL": "googlebooks",
    "CITETRACK_WIKI_API_URL": "mediawiki/w/api.php",
}


def _env(tree: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITETRACK_", "NCBI_"))}
    for name, path in _SERVICES.items() if _PORT else ():
        env[name] = f"http://127.0.0.1:{_PORT[0]}/{path}"
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled once, as an installed citetrack is
    env["PYTHONPATH"] = str(tree.resolve())
    env["PYTHONHASHSEED"] = "0"
    env["COLUMNS"] = "100"
    env["CITETRACK_BENCH_RUN"] = str(time.time_ns())  # never a replay of the previous run
    return env


def instructions(tree: Path, work: Path, row: str) -> int:
    """The instructions (cachegrind's ``I refs``) of one run of ``row``."""
    cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    cmd += [PYTHON, "-m", "citetrack", *ROWS[row]]
    done = subprocess.run(
        cmd,
        check=False,
        env=_env(tree),
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    found = re.search(rb"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(done.stderr.decode(errors="replace")[-2000:])
    return int(found.group(1).replace(b",", b""))


def timed(tree: Path, work: Path, row: str) -> tuple[str, bytes, bytes, int]:
    """One run: a line of wall / CPU / peak, and its stdout, stderr and exit code."""
    with tempfile.TemporaryDirectory() as tmp:
        usage = Path(tmp) / "time"
        cmd = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(usage), PYTHON, "-m"]
        cmd += ["citetrack", *ROWS[row]]
        load = os.getloadavg()[0]
        done = subprocess.run(cmd, check=False, env=_env(tree), cwd=work, capture_output=True)
        wall, user, system, peak = usage.read_text().split()[-4:]
    line = (
        f"wall {float(wall):.2f} s, cpu {float(user) + float(system):.2f} s, "
        f"{int(peak) / 1000:.0f} MB (load {load:.1f}), exit {done.returncode}"
    )
    return line, done.stdout, done.stderr, done.returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tree", type=Path, required=True, help="the source tree to run")
    parser.add_argument("--work", type=Path, required=True, help="its bench_warm.py folder")
    parser.add_argument("--row", choices=sorted(ROWS), default="lock")
    parser.add_argument("--ab", action="store_true", help="time against --other instead")
    parser.add_argument("--other", type=Path, help="the other tree (--ab)")
    parser.add_argument("--other-work", type=Path, help="the other tree's folder (--ab)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--port",
        type=int,
        help="give the runs the emulator's URLs at this port (none need be running): a "
        "warm run asks no registry, and one that did would reach no real host",
    )
    args = parser.parse_args(argv)
    _PORT[:] = [args.port] if args.port else []
    if not args.ab:
        started = time.strftime("%H:%M:%S", time.gmtime())
        count = instructions(args.tree, args.work, args.row)
        print(f"{started} UTC {args.row} {args.tree}: {count:,} instructions")
        return 0
    if args.other is None or args.other_work is None:
        parser.error("--ab needs --other and --other-work")
    differ = 0
    for _ in range(args.rounds):
        outputs = []
        for tree, work in ((args.other, args.other_work), (args.tree, args.work)):
            started = time.strftime("%H:%M:%S", time.gmtime())
            line, *output = timed(tree, work, args.row)
            print(f"{started} UTC {args.row:6} {tree}: {line}")
            outputs.append(output)
        same = outputs[0] == outputs[1]
        differ += not same
        print("  outputs identical" if same else "  OUTPUTS DIFFER")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
