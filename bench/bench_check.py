"""How fast is ``citetrack check`` on big bibliographies, against what the registries allow?

    python bench/bench_check.py          # 10, 1,000 and 10,000 refs, baseline, start-up
    python bench/bench_check.py --sizes 1000 --no-baseline --no-startup
    python bench/bench_check.py --json results.json

Run by hand (it takes about ten minutes, most of it the sequential baseline); it is not
part of the test suite and asserts nothing.

For each size a SYNTHETIC bibliography (``bench/gen_bib.py``: DOI + PMID on every entry, a
URL on 20 % of them, spread over 50 page hosts) and the matching emulator world are made,
the local emulator is started with the registries' **published limits** (``limits=
"published"``: Crossref polite pool 10/s × 3 single, 3/s × 3 list; E-utilities 3/s; Wayback
CDX 30/min; a 429 beyond any of them), 100 ms of latency on every request and 50 page
hosts, and the real CLI runs in a subprocess::

    citetrack check refs.bib --mailto bench@example.org --cache-dir <fresh> \
        --allow-private-urls --no-lockfile --format json -q

Printed per size: wall time; the **floor** — the shortest time the emulator's limits allow
for the work, computed for the best possible plan of requests (DOIs in lists of 50 and,
beside them, one by one on Crossref's separate single-record route, PMIDs
in esummary batches of 200, each URL one request at citetrack's one request per second per
host, every service in parallel; a service's time is the start of its last request under
its sliding-window limit plus one latency) —; wall / floor; requests per reference per
service and the 429s, both counted by the emulator; the citetrack process's peak memory
(``ru_maxrss`` from ``os.wait4``); and how many references came out ``ok`` (all should: the
world agrees with the .bib, so a run that skipped work would show here).

Then the same 1,000-reference bibliography is done the way a user would without citetrack
(``bench/baseline_sequential.py``: habanero + Bio.Entrez + urllib, one reference at a
time) and the speed-up is printed; then start-up: ``citetrack --help`` and the seed's
``references.bib`` with a warm cache, with and without the lockfile.

Child processes get a bytecode cache in a temporary directory (``PYTHONPYCACHEPREFIX``)
even where ``PYTHONDONTWRITEBYTECODE`` is set, as an installed citetrack has compiled
bytecode; ``--no-bytecode-cache`` measures without it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.gen_bib import make_bib, make_references, make_world  # noqa: E402
from bench.launcher import launched, read_usage  # noqa: E402
from bench.timeline import Timeline  # noqa: E402
from citetrack_emulator import Emulator  # noqa: E402
from citetrack_emulator.limits import PUBLISHED, BucketLimit  # noqa: E402

MAILTO = "bench@example.org"
CROSSREF_BATCH = 50  # DOIs per Crossref list request (citetrack's batch)
ESUMMARY_BATCH = 200  # PMIDs per esummary request (NCBI's advice)
PER_HOST_INTERVAL = 1.0  # citetrack's default pace for one web host


# ------------------------------------------------------------------------------ floor


def service_floor(requests: int, limit: BucketLimit, latency: float) -> float:
    """Seconds until the last of ``requests`` answers, starting each as early as the bucket
    allows: at most ``limit.limit`` starts in any ``limit.interval`` (sliding window, as the
    emulator counts) and ``limit.concurrency`` in flight, each taking ``latency``."""
    if requests <= 0:
        return 0.0
    starts: list[float] = []
    for k in range(requests):
        t = 0.0
        if limit.limit is not None and k >= limit.limit:
            t = max(t, starts[k - limit.limit] + limit.interval)
        if limit.concurrency is not None and k >= limit.concurrency:
            t = max(t, starts[k - limit.concurrency] + latency)
        starts.append(t)
    return starts[-1] + latency


def crossref_floor(dois: int, latency: float) -> float:
    """Crossref's floor for ``dois``: its two routes are separate pools (lists of 50 at 3 a
    second, single records at 10 a second; api-notes §1.3), so the best plan asks ``k`` of
    the DOIs one by one beside the lists, with ``k`` where the two routes end together
    (found by bisection: the lists' time falls and the singles' rises with ``k``)."""
    lists, single = PUBLISHED["crossref:polite:list"], PUBLISHED["crossref:polite:single"]

    def ends(k: int) -> tuple[float, float]:
        return (
            service_floor(math.ceil((dois - k) / CROSSREF_BATCH), lists, latency),
            service_floor(k, single, latency),
        )

    low, high = 0, dois
    while low < high:
        middle = (low + high) // 2
        by_lists, by_singles = ends(middle)
        if by_singles < by_lists:
            low = middle + 1
        else:
            high = middle
    return min(max(ends(k)) for k in {max(0, low - 1), low})


def floors(
    dois: int, pmids: int, urls_per_host: Mapping[str, int], latency: float
) -> dict[str, float]:
    """The floor of each service for this work (``max`` of them is the run's floor)."""
    paced = BucketLimit(limit=1, interval=PER_HOST_INTERVAL)
    return {
        "crossref": crossref_floor(dois, latency),
        "eutils": service_floor(math.ceil(pmids / ESUMMARY_BATCH), PUBLISHED["eutils"], latency),
        "pages": max(
            (service_floor(n, paced, latency) for n in urls_per_host.values()), default=0.0
        ),
    }


# ------------------------------------------------------------------------------ running


@dataclass
class Proc:
    code: int
    wall_s: float
    max_rss_mb: float
    stdout: str
    stderr: str
    started: float = 0.0  # time.monotonic() when the process was started
    ended: float = 0.0


def child_env(extra: Mapping[str, str], pycache: Path | None) -> dict[str, str]:
    """The environment without the developer's citetrack/NCBI settings, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CITETRACK_", "NCBI_")) and k != "NO_COLOR"
    }
    # The citetrack of this tree, whatever is installed.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env.update(extra)
    return env


def run(
    cmd: Sequence[str],
    env: Mapping[str, str],
    cwd: Path | None = None,
    on_start: Callable[[int], None] | None = None,
) -> Proc:
    """Run ``cmd``; wall time and the peak resident memory of that process alone.
    ``on_start`` is told the process id as soon as it is started."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as tmp,
    ):
        rss_file = Path(tmp) / "maxrss"
        started, mono = time.perf_counter(), time.monotonic()
        # Through a small launcher: Linux keeps a process's peak RSS across exec, and a
        # child that Popen starts (vfork) inherits this benchmark's own peak (its emulator
        # holds the whole world), which inflated every figure.  The launcher's own child
        # starts from the launcher's few megabytes.
        proc = subprocess.Popen(
            launched(rss_file, cmd),
            env=dict(env),
            cwd=cwd,
            stdout=out,
            stderr=err,
        )
        if on_start is not None:
            on_start(proc.pid)
        proc.wait()
        wall = time.perf_counter() - started
        peak_mib, _ = read_usage(rss_file)
        out.seek(0)
        err.seek(0)
        return Proc(
            proc.returncode,
            wall,
            peak_mib,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            mono,
            mono + wall,
        )


def citetrack(*args: str) -> list[str]:
    return [sys.executable, "-m", "citetrack", *args]


# ------------------------------------------------------------------------------ one size


@dataclass
class SizeResult:
    references: int
    wall_s: float
    floor_s: float
    floors: dict[str, float]
    requests: dict[str, int]
    requests_per_ref: dict[str, float]
    status_429: int
    status_429_by_service: dict[str, int]
    max_rss_mb: float
    exit_code: int
    summary: dict[str, int] = field(default_factory=dict)
    baseline: dict[str, Any] | None = None

    @property
    def ratio(self) -> float:
        return self.wall_s / self.floor_s if self.floor_s else math.inf


def bench_size(
    count: int,
    *,
    work: Path,
    latency_ms: float,
    page_hosts: int,
    url_share: float,
    seed: int,
    pycache: Path | None,
    baseline: bool,
    timeline: bool = False,
    timeline_json: Path | None = None,
) -> SizeResult:
    refs = make_references(count, seed=seed, url_share=url_share, page_hosts=page_hosts)
    world = make_world(refs)
    folder = work / f"size-{count}"
    shutil.rmtree(folder, ignore_errors=True)  # a fresh cache, always
    folder.mkdir(parents=True)
    with Emulator(world, limits="published", latency_ms=latency_ms, page_hosts=page_hosts) as emu:
        bases = [f"http://{host}:{emu.port}" for host in emu.hosts[1 : page_hosts + 1]]
        bib = folder / "refs.bib"
        bib.write_text(make_bib(refs, bases), encoding="utf-8")
        env = child_env({**emu.env(), "CITETRACK_CACHE_DIR": str(folder / "cache")}, pycache)
        recorder = Timeline() if timeline else None
        if recorder is not None:
            recorder.attach(emu._server.state)  # type: ignore[arg-type]
        proc = run(
            citetrack(
                "check",
                str(bib),
                "--mailto",
                MAILTO,
                "--cache-dir",
                str(folder / "cache"),
                "--allow-private-urls",
                "--no-lockfile",
                "--format",
                "json",
                "-q",
            ),
            env,
            cwd=folder,
            on_start=recorder.watch_memory if recorder is not None else None,
        )
        stats = emu.stats()
        if recorder is not None:
            print("\n".join(recorder.summary(proc.started, proc.ended)))
            if timeline_json is not None:
                recorder.dump(timeline_json.with_suffix(f".{count}.json"), proc.started, proc.ended)
        summary: dict[str, int] = {}
        try:
            summary = json.loads(proc.stdout)["summary"]
        except (ValueError, KeyError):
            print(f"  citetrack exited {proc.code}: {proc.stderr[-2000:]}", file=sys.stderr)
        per_host = Counter(r.page_host for r in refs if r.page_host is not None)
        service_floors = floors(
            len({r.doi for r in refs}),
            len({r.pmid for r in refs}),
            {str(h): n for h, n in per_host.items()},
            latency_ms / 1000,
        )
        requests = {name: s["requests"] for name, s in stats["services"].items()}
        result = SizeResult(
            references=count,
            wall_s=proc.wall_s,
            floor_s=max(service_floors.values()),
            floors=service_floors,
            requests=requests,
            requests_per_ref={k: v / count for k, v in requests.items()},
            status_429=stats["429"],
            status_429_by_service={k: s["429"] for k, s in stats["services"].items() if s["429"]},
            max_rss_mb=proc.max_rss_mb,
            exit_code=proc.code,
            summary=summary,
        )
        if baseline:
            emu.reset()  # same world, zeroed statistics and limit windows
            result.baseline = run_baseline(bib, emu, env)
            result.baseline["429"] = emu.stats()["429"]
    return result


def run_baseline(bib: Path, emu: Emulator, env: Mapping[str, str]) -> dict[str, Any]:
    proc = run(
        [
            sys.executable,
            str(ROOT / "bench" / "baseline_sequential.py"),
            str(bib),
            "--crossref-url",
            emu.url + "/crossref",
            "--eutils-url",
            emu.url + "/eutils",
            "--mailto",
            MAILTO,
        ],
        env,
    )
    if proc.code != 0:
        raise SystemExit(f"baseline failed ({proc.code}): {proc.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(proc.stdout)
    report["process_wall_s"] = proc.wall_s
    return report


# ------------------------------------------------------------------------------ start-up


def warm_up(work: Path, pycache: Path | None) -> None:
    """Run every code path once so that bytecode compilation stays out of the timings."""
    folder = work / "warm-up"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "references.bib", folder / "references.bib")
    with Emulator(None) as emu:
        env = child_env({**emu.env(), "CITETRACK_CACHE_DIR": str(folder / "cache")}, pycache)
        run(citetrack("--help"), env)
        for fmt in ("text", "json"):
            run(citetrack("check", "references.bib", "--format", fmt), env, cwd=folder)
        run(citetrack("lock", "references.bib", "-q"), env, cwd=folder)


def bench_startup(work: Path, pycache: Path | None, repeat: int) -> dict[str, float]:
    """``citetrack --help``, and the seed's references.bib with a warm cache (median)."""
    env = child_env({}, pycache)
    out: dict[str, float] = {}
    run(citetrack("--help"), env)  # warm the bytecode cache
    out["help_s"] = statistics.median(run(citetrack("--help"), env).wall_s for _ in range(repeat))
    imports = run([sys.executable, "-X", "importtime", "-c", "import citetrack.cli"], env)
    last = [line for line in imports.stderr.splitlines() if "citetrack.cli" in line]
    out["cli_import_s"] = int(last[-1].split("|")[1]) / 1e6 if last else math.nan

    folder = work / "seed"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "references.bib", folder / "references.bib")
    with Emulator(None, limits="published", latency_ms=100) as emu:
        env = child_env({**emu.env(), "CITETRACK_CACHE_DIR": str(folder / "cache")}, pycache)
        base = ("check", "references.bib", "--mailto", MAILTO)
        cold = run(citetrack(*base, "--no-lockfile"), env, cwd=folder)
        out["seed_cold_s"] = cold.wall_s
        before = emu.stats()["requests"]
        out["seed_warm_no_lockfile_s"] = statistics.median(
            run(citetrack(*base, "--no-lockfile"), env, cwd=folder).wall_s for _ in range(repeat)
        )
        run(citetrack("lock", "references.bib", "--mailto", MAILTO, "-q"), env, cwd=folder)
        out["seed_warm_lockfile_s"] = statistics.median(
            run(citetrack(*base), env, cwd=folder).wall_s for _ in range(repeat)
        )
        out["seed_warm_requests"] = float(emu.stats()["requests"] - before)
    return out


# ------------------------------------------------------------------------------ report


def print_table(results: Sequence[SizeResult]) -> None:
    services = sorted({k for r in results for k in r.requests})
    head = ["refs", "wall s", "floor s", "wall/floor", "429s", "peak MB", "ok"]
    head += [f"req/ref {s}" for s in services]
    rows = []
    for r in results:
        row = [
            f"{r.references:,}",
            f"{r.wall_s:.2f}",
            f"{r.floor_s:.2f}",
            f"{r.ratio:.2f}",
            str(r.status_429),
            f"{r.max_rss_mb:.0f}",
            f"{r.summary.get('ok', 0)}/{r.references}",
        ]
        row += [f"{r.requests_per_ref.get(s, 0):.3f}" for s in services]
        rows.append(row)
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    print("  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True)))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    for r in results:
        parts = ", ".join(f"{k} {v:.2f} s" for k, v in r.floors.items())
        print(f"  floor of {r.references:,} refs by service: {parts}")
        if r.status_429:
            print(f"  429s of {r.references:,} refs by service: {r.status_429_by_service}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10,1000,10000")
    parser.add_argument("--baseline-size", type=int, default=1000)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-startup", action="store_true")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--page-hosts", type=int, default=50)
    parser.add_argument("--url-share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each start-up timing")
    parser.add_argument("--no-bytecode-cache", action="store_true")
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--timeline",
        action="store_true",
        help="print when each service was asked (bench/timeline.py)",
    )
    parser.add_argument(
        "--timeline-json",
        type=Path,
        help="with --timeline, also write the raw timeline to PATH.<size>.json",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]

    work = args.keep or Path(tempfile.mkdtemp(prefix="citetrack-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    pycache = None if args.no_bytecode_cache else work / "pycache"
    print(
        f"citetrack check benchmark: emulator limits=published, latency {args.latency_ms:g} ms, "
        f"{args.page_hosts} page hosts, {args.url_share:.0%} of references with a URL; "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    warm_up(work, pycache)
    results: list[SizeResult] = []
    for count in sizes:
        want_baseline = not args.no_baseline and count == args.baseline_size
        print(f"- {count:,} references{' (then the sequential baseline)' if want_baseline else ''}")
        results.append(
            bench_size(
                count,
                work=work,
                latency_ms=args.latency_ms,
                page_hosts=args.page_hosts,
                url_share=args.url_share,
                seed=args.seed,
                pycache=pycache,
                baseline=want_baseline,
                timeline=args.timeline,
                timeline_json=args.timeline_json,
            )
        )
    if results:
        print()
        print_table(results)
    for r in results:
        if r.baseline:
            speedup = r.baseline["process_wall_s"] / r.wall_s
            print(
                f"\nsequential baseline (habanero + Bio.Entrez + urllib), {r.references:,} refs: "
                f"{r.baseline['process_wall_s']:.1f} s, {r.baseline['429']} x 429 "
                f"→ citetrack is {speedup:.1f}× faster"
            )
    startup: dict[str, float] = {}
    if not args.no_startup:
        startup = bench_startup(work, pycache, args.repeat)
        print(
            f"\nstart-up (median of {args.repeat}): citetrack --help {startup['help_s']:.3f} s "
            f"(import citetrack.cli {startup['cli_import_s'] * 1000:.0f} ms); seed references.bib, "
            f"warm cache: {startup['seed_warm_no_lockfile_s']:.3f} s with --no-lockfile, "
            f"{startup['seed_warm_lockfile_s']:.3f} s with the lockfile "
            f"({startup['seed_warm_requests']:.0f} requests in those runs; "
            f"cold {startup['seed_cold_s']:.3f} s)"
        )
    print(
        f"\nload average at the end: {os.getloadavg()[0]:.2f} "
        "(other work on the machine skews the timings)"
    )
    if args.json:
        payload = {
            "sizes": [asdict(r) | {"ratio": r.ratio} for r in results],
            "startup": startup,
            "settings": vars(args)
            | {
                "keep": str(args.keep),
                "json": str(args.json),
                "timeline_json": str(args.timeline_json),
            },
        }
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
