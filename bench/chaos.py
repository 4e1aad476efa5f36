"""Chaos run: a SYNTHETIC bibliography checked while a share of all responses fail at random.

    python bench/chaos.py [--count 1000] [--fault-rate 0.1] [--seed 1] [--url-share 0.2]

The bibliography and the emulator world come from ``bench/gen_bib.py`` (journal articles
with a DOI and a PMID, a share of them citing a web page on one of the emulator's loopback
page hosts; every record agrees with its entry, so a faithful check finds nothing wrong).
The real ``citetrack check`` CLI runs twice against a local emulator:

1. fault-free, as the reference verdicts;
2. with ``--fault-rate`` of *all* responses (every service, every request, retries
   included) failing transiently: a 503, a 429 without ``Retry-After`` or a connection
   reset, in equal shares, drawn from seeded generators (emulator fault rules with
   ``probability`` and ``seed``), so a run can be repeated.

It prints both runs' summaries, how many faults were injected, how many references the
chaos run verified (same verdict as the fault-free run, and not "unverified") and how many
it reported broken that the fault-free run did not.  Exit status 0 when at least
``--min-verified`` of the references (99 % by default) are verified and none is wrongly
broken, else 1.  ``--json`` prints the numbers as one JSON object.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make citetrack_emulator importable
    sys.path.insert(0, str(ROOT))

from citetrack_emulator import Emulator  # noqa: E402

#: The transient faults mixed in equal shares: (kind, parameters).
FAULT_MIX: tuple[tuple[str, dict[str, Any]], ...] = (
    ("status", {"code": 503}),
    ("status", {"code": 429}),
    ("reset", {}),
)


def _gen_bib() -> ModuleType:
    """``bench/gen_bib.py``, the benchmark's SYNTHETIC bibliography generator."""
    name = "citetrack_bench_gen_bib"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "gen_bib.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def per_rule_probability(rate: float, rules: int) -> float:
    """The probability for each of ``rules`` rules tried in turn so that one fires at ``rate``.

    The emulator tries its rules in order and the first that fires wins, so the chance that
    none fires is ``(1 - p) ** rules``.
    """
    if not 0.0 <= rate < 1.0:
        raise ValueError("the fault rate must be in [0, 1)")
    return 1.0 - (1.0 - rate) ** (1.0 / rules)


@dataclass
class Run:
    """One CLI run: exit code, seconds, the status of each reference and the summary."""

    code: int
    seconds: float
    statuses: dict[str, str]
    summary: dict[str, int]
    requests: dict[str, int]
    reasons: dict[str, list[str]]  # key → messages of the references not ok
    stderr_tail: str


@dataclass
class ChaosResult:
    count: int
    fault_rate: float
    faults_injected: int
    responses: int
    clean: Run
    chaos: Run
    verified: int
    wrongly_broken: list[str]
    unverified: list[str]

    @property
    def verified_share(self) -> float:
        return self.verified / self.count if self.count else 1.0

    def passed(self, min_verified: float) -> bool:
        return not self.wrongly_broken and self.verified_share >= min_verified


def _check(bib: Path, env: dict[str, str], cwd: Path, timeout: float) -> Run:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CITETRACK_", "NCBI_")) and k != "NO_COLOR"
    }
    base.update(env)
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "citetrack",
            "check",
            str(bib),
            "--no-lockfile",
            "--no-cache",
            "--allow-private-urls",
            "--per-host-interval",
            "0.1",
            "--timeout",
            "5",
            "--mailto",
            "chaos@example.org",
            "-f",
            "json",
            "-q",
        ],
        capture_output=True,
        text=True,
        env=base,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    seconds = time.monotonic() - started
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        raise RuntimeError(
            f"no JSON report (exit {proc.returncode}): {proc.stderr[-2000:]}"
        ) from None
    return Run(
        code=proc.returncode,
        seconds=seconds,
        statuses={r["key"]: r["status"] for r in report["references"]},
        summary=report["summary"],
        requests=report["requests"],
        reasons={
            r["key"]: [f"{f['rule']}: {f['message']}" for f in r["findings"]]
            for r in report["references"]
            if r["status"] != "ok"
        },
        stderr_tail=proc.stderr[-2000:],
    )


def run_chaos(
    count: int = 1000,
    *,
    fault_rate: float = 0.1,
    seed: int = 1,
    url_share: float = 0.2,
    page_hosts: int = 10,
    timeout: float = 1800.0,
) -> ChaosResult:
    """Both runs against one emulator; see the module docstring."""
    gen = _gen_bib()
    refs = gen.make_references(count, seed=seed, url_share=url_share, page_hosts=page_hosts)
    world = gen.make_world(refs)
    with tempfile.TemporaryDirectory() as tmp, Emulator(world, page_hosts=page_hosts) as emu:
        work = Path(tmp)
        bases = [f"http://{host}:{emu.port}" for host in emu.hosts[1:]] or [emu.url]
        bib = work / "chaos.bib"
        bib.write_text(gen.make_bib(refs, bases), encoding="utf-8")
        env = emu.env()
        clean = _check(bib, env, work, timeout)
        emu.reset()  # zero the statistics; the world stays the start-up one
        probability = per_rule_probability(fault_rate, len(FAULT_MIX))
        for n, (kind, params) in enumerate(FAULT_MIX):
            emu.add_fault("*", kind, probability=probability, seed=seed * 100 + n, **params)
        chaos = _check(bib, env, work, timeout)
        injected = sum(rule["applied"] for rule in emu.faults())
        responses = emu.stats()["requests"]
    verified = sum(
        1
        for key, status in clean.statuses.items()
        if chaos.statuses.get(key) == status and status != "unverified"
    )
    wrongly_broken = sorted(
        key
        for key, status in chaos.statuses.items()
        if status == "broken" and clean.statuses.get(key) != "broken"
    )
    unverified = sorted(k for k, s in chaos.statuses.items() if s == "unverified")
    return ChaosResult(
        count=count,
        fault_rate=fault_rate,
        faults_injected=injected,
        responses=responses,
        clean=clean,
        chaos=chaos,
        verified=verified,
        wrongly_broken=wrongly_broken,
        unverified=unverified,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url-share", type=float, default=0.2)
    parser.add_argument("--page-hosts", type=int, default=10)
    parser.add_argument("--min-verified", type=float, default=0.99)
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)
    result = run_chaos(
        args.count,
        fault_rate=args.fault_rate,
        seed=args.seed,
        url_share=args.url_share,
        page_hosts=args.page_hosts,
    )
    ok = result.passed(args.min_verified)
    if args.json:
        doc = asdict(result)
        doc["verified_share"] = result.verified_share
        doc["passed"] = ok
        for run in ("clean", "chaos"):
            doc[run].pop("statuses")
        print(json.dumps(doc, indent=2))
    else:
        print(f"SYNTHETIC bibliography: {result.count} references (bench/gen_bib.py)")
        for name, run in (("fault-free", result.clean), ("chaos", result.chaos)):
            print(
                f"{name:>10}: exit {run.code}, {run.seconds:.1f} s, {run.summary}, "
                f"requests {run.requests}"
            )
        print(
            f"faults injected: {result.faults_injected} of {result.responses} responses "
            f"({result.faults_injected / max(result.responses, 1):.1%}; target "
            f"{result.fault_rate:.0%}: 503 / 429 / reset)"
        )
        print(
            f"verified: {result.verified}/{result.count} ({result.verified_share:.2%}); "
            f"unverified: {len(result.unverified)}; wrongly broken: "
            f"{len(result.wrongly_broken)} {result.wrongly_broken[:10]}"
        )
        for key in [*result.wrongly_broken, *result.unverified][:10]:
            print(f"  {key}: {'; '.join(result.chaos.reasons.get(key, []))}")
        print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
