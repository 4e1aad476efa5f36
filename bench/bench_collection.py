"""A whole collection checked at once: requests made vs distinct identifiers, wall vs floor.

    python bench/bench_collection.py                       # 40,000 references, 400 files
    python bench/bench_collection.py --files 100 --pool 2500 --json out.json   # scaled
    python bench/bench_collection.py --runners 4           # also: 4 runners, one store

Run by hand; it asserts nothing.  A SYNTHETIC collection (``bench/gen_bib.py`` works: DOI
+ PMID on each, a cited web page on 20 % of them spread over 50 page hosts) is written as
``--files`` .bib files of ``--per-file`` references each, drawn from a pool of ``--pool``
works with a heavy-tailed popularity (weight ``1 / rank``), so the same works recur across
many files, as the same DOIs do across a WikiProject's articles.  The emulator runs with
the registries' published limits and 100 ms of latency (as ``bench/bench_check.py``), and
the real CLI checks the collection's directory in one run::

    citetrack check <dir> --mailto … --allow-private-urls --no-lockfile -f json -q

Printed: references, files, distinct DOIs / PMIDs / URLs; the identifiers each registry was
asked (counted by the emulator, ``asked``) against the distinct ones; HTTP requests per
service; wall time against the floor of the distinct work (``bench_check.floors``: the
shortest time the published limits allow); how many references came out ``ok``.

With ``--runners R`` the files are then split among R concurrent ``citetrack check``
processes, each with an empty local cache, sharing one PostgreSQL store (started with
``pgserver``, as the tests do), against a fresh emulator: the sum of identifiers asked
across all runners against the distinct ones, and the wall time of the slowest runner.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_check import MAILTO, child_env, citetrack, floors, run  # noqa: E402
from bench.gen_bib import Reference, make_bib, make_references, make_world  # noqa: E402
from citetrack_emulator import Emulator  # noqa: E402

LATENCY_MS = 100.0
PAGE_HOSTS = 50


def make_collection(
    pool: list[Reference], files: int, per_file: int, seed: int
) -> list[list[Reference]]:
    """``files`` lists of ``per_file`` distinct works each, popular works in many files."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(pool))]
    order = list(range(len(pool)))
    rng.shuffle(order)  # popularity unrelated to the index
    out = []
    for _ in range(files):
        chosen: dict[int, None] = {}
        while len(chosen) < per_file:
            for i in rng.choices(order, weights=weights, k=per_file - len(chosen)):
                chosen[i] = None
        out.append([pool[i] for i in sorted(chosen)])
    return out


def write_files(collection: list[list[Reference]], folder: Path, bases: list[str]) -> list[Path]:
    paths = []
    for n, refs in enumerate(collection):
        sub = folder / f"project{n % 20:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"article{n:04d}.bib"
        path.write_text(make_bib(refs, bases), encoding="utf-8")
        paths.append(path)
    return paths


def asked_summary(stats: dict[str, Any]) -> dict[str, int]:
    services = stats["services"]
    return {
        name: sum(services.get(name, {}).get("asked", {}).values())
        for name in ("crossref", "eutils")
    } | {
        "pages": services.get("pages", {}).get("requests", 0),
        "max_asks_per_identifier": max(
            (
                n
                for name in ("crossref", "eutils")
                for n in services.get(name, {}).get("asked", {}).values()
            ),
            default=0,
        ),
    }


def check_args(target: Sequence[str], cache: Path, *extra: str) -> list[str]:
    return citetrack(
        "check",
        *target,
        "--mailto",
        MAILTO,
        "--cache-dir",
        str(cache),
        "--allow-private-urls",
        "--no-lockfile",
        "--format",
        "json",
        "-q",
        *extra,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--per-file", type=int, default=100)
    parser.add_argument("--pool", type=int, default=10_000, help="works to draw from")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--runners", type=int, default=0, help="also: R runners, one store")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--work", type=Path, help="working directory (default: a temp dir)")
    args = parser.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="citetrack-bench-collection-"))
    shutil.rmtree(work / "collection", ignore_errors=True)
    pool = make_references(args.pool, seed=args.seed, url_share=0.2, page_hosts=PAGE_HOSTS)
    collection = make_collection(pool, args.files, args.per_file, args.seed)
    cited = {r.index: r for refs in collection for r in refs}
    per_host = Counter(r.page_host for r in cited.values() if r.page_host is not None)
    results: dict[str, Any] = {
        "references": sum(len(c) for c in collection),
        "files": len(collection),
        "distinct": {
            "doi": len({r.doi for r in cited.values()}),
            "pmid": len({r.pmid for r in cited.values()}),
            "url": sum(per_host.values()),
        },
    }
    floor = floors(
        results["distinct"]["doi"],
        results["distinct"]["pmid"],
        {str(h): n for h, n in per_host.items()},
        LATENCY_MS / 1000,
    )
    results["floor_s"] = max(floor.values())
    results["floors"] = floor
    print(json.dumps({k: v for k, v in results.items() if k != "floors"}), flush=True)

    world = make_world(pool)
    with Emulator(world, limits="published", latency_ms=LATENCY_MS, page_hosts=PAGE_HOSTS) as emu:
        bases = [f"http://{host}:{emu.port}" for host in emu.hosts[1 : PAGE_HOSTS + 1]]
        folder = work / "collection"
        paths = write_files(collection, folder, bases)
        env = child_env(emu.env(), None)
        proc = run(check_args([str(folder)], work / "cache-single"), env, cwd=work)
        stats = emu.stats()
    summary = _summary(proc)
    results["single"] = {
        "wall_s": round(proc.wall_s, 2),
        "wall_over_floor": round(proc.wall_s / results["floor_s"], 2),
        "asked": asked_summary(stats),
        "requests": {name: s["requests"] for name, s in stats["services"].items()},
        "429": stats["429"],
        "max_rss_mb": round(proc.max_rss_mb, 1),
        "exit_code": proc.code,
        "summary": summary,
    }
    print(json.dumps({"single": results["single"]}), flush=True)

    if args.runners > 0:
        results["shared_store"] = shared_store_run(
            args.runners, paths, world, work, results["floor_s"]
        )
        print(json.dumps({"shared_store": results["shared_store"]}), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


def shared_store_run(
    runners: int, paths: list[Path], world: dict[str, Any], work: Path, floor_s: float
) -> dict[str, Any]:
    """R concurrent runners (files dealt round robin), empty local caches, one store."""
    from tests.pg import running_server  # noqa: PLC0415

    with (
        running_server() as server,
        Emulator(world, limits="published", latency_ms=LATENCY_MS, page_hosts=PAGE_HOSTS) as emu,
    ):
        # Same page URLs as the files already written: same host addresses, new port.
        store = server.new_database()
        env = child_env(emu.env(), None)
        shares = [paths[r::runners] for r in range(runners)]
        started = time.monotonic()

        def one(r: int) -> Any:
            folder = work / f"runner{r}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            relinked = _relink(shares[r], folder, emu.port)
            cmd = check_args([str(p) for p in relinked], folder / "cache", "--store", store)
            return run([*cmd, "--store-required"], env, cwd=work)

        with ThreadPoolExecutor(runners) as pool:
            procs = list(pool.map(one, range(runners)))
        wall = time.monotonic() - started
        stats = emu.stats()
    return {
        "runners": runners,
        "wall_s": round(wall, 2),
        "wall_over_floor": round(wall / floor_s, 2),
        "asked": asked_summary(stats),
        "requests": {name: s["requests"] for name, s in stats["services"].items()},
        "routes": {name: s["routes"] for name, s in stats["services"].items() if name != "pages"},
        "429": stats["429"],
        "exit_codes": [p.code for p in procs],
        "stderr": [p.stderr[-600:] for p in procs if p.code != 0],
        "summaries": [_summary(p) for p in procs],
    }


def _relink(paths: list[Path], folder: Path, port: int) -> list[Path]:
    """Copies of ``paths`` whose page URLs point at the emulator's new port."""
    out = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if line.strip().startswith("url"):
                old = line.split("://", 1)[1].split("/", 1)[0].split(":", 1)[1]
                text = text.replace(f":{old}/", f":{port}/")
                break
        copy = folder / path.parent.name / path.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(text, encoding="utf-8")
        out.append(copy)
    return out


def _summary(proc: Any) -> dict[str, int]:
    try:
        summary: dict[str, int] = json.loads(proc.stdout)["summary"]
    except (ValueError, KeyError):
        print(f"  citetrack exited {proc.code}: {proc.stderr[-2000:]}", file=sys.stderr)
        return {}
    return summary


if __name__ == "__main__":
    raise SystemExit(main())
