"""Benchmark: link checking of 500 URLs on 50 hosts at the default per-host pace.

    python bench/bench_links.py [--hosts 50] [--per-host 10] [--interval 1.0] [--keep FILE]

Starts the local emulator with ``--page-hosts`` addresses (127.0.0.2 …), writes a SYNTHETIC
.bib of ``hosts × per-host`` distinct URLs of the emulator's seed pages (plain pages and
temporary redirects, which cost their host one more request; every URL distinct by its
query, so that none is deduplicated away), and runs the real CLI on it::

    citetrack check BIB --links-only --allow-private-urls --no-lockfile --no-cache -f json

with the default pace of one request per second per host (``--interval`` other than 1 is
passed as ``--per-host-interval``).  Then, from the emulator's per-host arrival times:

* every host's requests must be at least ``interval`` apart (gaps are printed; a gap below
  the interval is a violation and makes the script exit 1);
* the run should take about what the spacing allows: the busiest host's
  ``(requests - 1) × interval``.  Printed as ratios — the CLI's whole wall time (Python
  start-up, report included) and the link stage alone (first to last request seen by the
  emulator) over that time.

Every verdict must be ``ok`` (exit 1 otherwise).  No Wayback request is made: no URL is dead.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from citetrack_emulator import Emulator  # noqa: E402

#: Seed-world pages used, with the number of requests each URL costs its host.
PAGES = (("/ok", 1), ("/article/nme-review", 1), ("/redirect/302", 2), ("/head-not-allowed", 1))


def synthetic_bib(emulator: Emulator, hosts: int, per_host: int) -> tuple[str, Counter[str]]:
    """The SYNTHETIC .bib and the number of requests it should cost each host."""
    parts = ["% SYNTHETIC benchmark input made by bench/bench_links.py.\n\n"]
    expected: Counter[str] = Counter()
    for h in range(hosts):
        address = emulator.hosts[h + 1]  # 127.0.0.2 …: one address per host
        for n in range(per_host):
            path, cost = PAGES[n % len(PAGES)]
            url = f"{emulator.page_url(path, h + 1)}?bench={n}"
            parts.append(
                f"@misc{{h{h}u{n},\n  title = {{Page {n} of host {h}}},\n  url = {{{url}}},\n}}\n\n"
            )
            expected[address] += cost
    return "".join(parts), expected


def run(hosts: int, per_host: int, interval: float, keep: Path | None) -> int:
    with Emulator(page_hosts=hosts) as emulator, tempfile.TemporaryDirectory() as tmp:
        text, expected = synthetic_bib(emulator, hosts, per_host)
        bib = keep or Path(tmp) / "bench_links.bib"
        bib.write_text(text, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CITETRACK_", "NCBI_"))}
        env |= emulator.env() | {"CITETRACK_CACHE_DIR": str(Path(tmp) / "cache")}
        pace = [] if interval == 1.0 else ["--per-host-interval", str(interval)]
        command = [
            sys.executable, "-m", "citetrack", "check", str(bib), "--links-only",
            "--allow-private-urls", "--no-lockfile", "--no-cache", "-f", "json", *pace,
        ]  # fmt: skip
        started = time.monotonic()
        proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        wall = time.monotonic() - started
        stats = emulator.stats()
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
    report: dict[str, Any] = json.loads(proc.stdout)
    verdicts = Counter(link["verdict"] for r in report["references"] for link in r["links"])
    seen = stats["pages_hosts"]
    gaps = [
        b - a
        for host in expected
        for a, b in zip(seen[host]["timestamps"], seen[host]["timestamps"][1:], strict=False)
    ]
    violations = [g for g in gaps if g < interval]
    requests = {host: seen[host]["requests"] for host in expected}
    busiest = max(requests.values())
    allowed = (busiest - 1) * interval
    first = min(seen[host]["timestamps"][0] for host in expected)
    last = max(seen[host]["timestamps"][-1] for host in expected)
    stage = last - first

    print(f"URLs: {hosts * per_host} on {hosts} hosts, {per_host} per host; interval {interval} s")
    print(f"verdicts: {dict(verdicts)}")
    spread = f"{min(requests.values())}–{busiest}"
    as_expected = requests == expected
    print(f"requests: {sum(requests.values())} ({spread} per host; as planned: {as_expected})")
    print(f"per-host gaps: min {min(gaps):.3f} s, max {max(gaps):.3f} s")
    print(f"gaps below the interval: {len(violations)}")
    print(
        f"max requests in flight to one host: {max(seen[h]['max_concurrency'] for h in expected)}"
    )
    print(f"time the spacing allows: {allowed:.2f} s (busiest host: {busiest} requests)")
    print(f"link stage (first to last request): {stage:.2f} s  ratio {stage / allowed:.3f}")
    print(f"CLI wall time: {wall:.2f} s  ratio {wall / allowed:.3f}")
    ok = (
        proc.returncode == 0
        and not violations
        and verdicts == Counter({"ok": hosts * per_host})
        and as_expected
    )
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--per-host", type=int, default=10)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--keep", type=Path, help="write the generated .bib here")
    args = parser.parse_args()
    return run(args.hosts, args.per_host, args.interval, args.keep)


if __name__ == "__main__":
    sys.exit(main())
