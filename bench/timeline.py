"""Where the time of a cold ``check`` goes: a timeline of the requests the emulator saw.

Benchmark-only instrumentation (``bench_check.py --timeline``).  The emulator runs in the
benchmark's process, so its limiter and statistics objects are wrapped in place: every
arrival at a rate-limit bucket (accepted or refused, with the emulator's own clock) and
every request's begin and end per service.  From that, per service: the first arrival and
the last answer relative to the start of the citetrack process, the peak number of
requests in flight, and — per limited bucket — the **slack** of the sliding window: for
each request, how much later than allowed it arrived (its arrival minus the arrival
``limit`` requests earlier, minus the interval).  A slack near 0 everywhere is a client
pacing at the limit; a negative slack is a refused request.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citetrack_emulator.core import State


@dataclass
class Timeline:
    """Arrivals per bucket and begin/end per service, on ``time.monotonic``."""

    arrivals: dict[str, list[tuple[float, bool]]] = field(default_factory=lambda: defaultdict(list))
    events: dict[str, list[tuple[float, int]]] = field(default_factory=lambda: defaultdict(list))
    limits: dict[str, tuple[int, float]] = field(default_factory=dict)
    #: (time, resident MB) of the citetrack process, every 0.25 s (``watch_memory``).
    memory: list[tuple[float, float]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, state: State) -> None:
        """Record from now on what ``state``'s limiter and statistics see."""
        limiter, stats = state.limiter, state.stats
        acquire, begin, end = limiter.acquire, stats.begin, stats.end

        def on_acquire(bucket: str, key: str = "") -> Any:
            decision = acquire(bucket, key)
            spec = decision.limit
            if spec.limit is not None:
                with self._lock:
                    self.limits[bucket] = (spec.limit, spec.interval)
                    self.arrivals[bucket].append((time.monotonic(), decision.allowed))
            return decision

        def on_begin(service: str, route: str, host: str | None) -> int:
            with self._lock:
                self.events[service].append((time.monotonic(), +1))
            return begin(service, route, host)

        def on_end(service: str, status: int | str, host: str | None, span: int = -1) -> None:
            with self._lock:
                self.events[service].append((time.monotonic(), -1))
            end(service, status, host, span)

        limiter.acquire = on_acquire  # type: ignore[method-assign]
        stats.begin = on_begin  # type: ignore[method-assign]
        stats.end = on_end  # type: ignore[method-assign]

    def watch_memory(self, pid: int) -> None:
        """Sample the resident memory of process ``pid`` until it exits (a daemon thread)."""

        def sample() -> None:
            # ``pid`` may be bench_check's launcher: follow it to the CLI it started.
            target = pid
            for _ in range(200):
                try:
                    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
                except OSError:
                    break
                if children:
                    target = int(children[0])
                    break
                time.sleep(0.01)
            path = f"/proc/{target}/status"
            while True:
                try:
                    with Path(path).open(encoding="ascii") as status:
                        text = status.read()
                except OSError:
                    return
                for line in text.splitlines():
                    if line.startswith("VmRSS:"):
                        self.memory.append((time.monotonic(), int(line.split()[1]) / 1024))
                if "State:\tZ" in text:
                    return
                time.sleep(0.25)

        threading.Thread(target=sample, daemon=True).start()

    def dump(self, path: Path, started: float, ended: float) -> None:
        """Write the raw timeline as JSON (times in seconds after ``started``), for a
        closer look than :meth:`summary` gives (``bench_check.py --timeline-json``)."""

        def rel(t: float) -> float:
            return round(t - started, 6)

        payload = {
            "ended": rel(ended),
            "limits": {b: list(v) for b, v in self.limits.items()},
            "arrivals": {b: [[rel(t), ok] for t, ok in a] for b, a in self.arrivals.items()},
            "events": {s: [[rel(t), step] for t, step in e] for s, e in self.events.items()},
            "memory": [[rel(t), mb] for t, mb in self.memory],
        }
        path.write_text(json.dumps(payload), encoding="utf-8")

    def summary(self, started: float, ended: float) -> list[str]:
        """Lines describing the run; times in seconds after ``started`` (the process start)."""
        lines = [f"timeline (s after the process started; it ended at {ended - started:.2f}):"]
        for service, events in sorted(self.events.items()):
            in_flight = peak = 0
            for _, step in sorted(events):
                in_flight += step
                peak = max(peak, in_flight)
            times = [t for t, _ in events]
            lines.append(
                f"  {service:10s} {sum(1 for _, s in events if s > 0):5d} requests, first "
                f"{min(times) - started:6.2f}, last answer {max(times) - started:6.2f}, "
                f"peak in flight {peak}"
            )
        for bucket, arrivals in sorted(self.arrivals.items()):
            limit, interval = self.limits[bucket]
            accepted = [t for t, ok in arrivals if ok]
            slack = [
                accepted[i] - accepted[i - limit] - interval for i in range(limit, len(accepted))
            ]
            refused = sum(1 for _, ok in arrivals if not ok)
            if not slack:
                continue
            lines.append(
                f"  bucket {bucket}: {len(accepted)} accepted, {refused} refused; window slack "
                f"min {min(slack) * 1000:.1f} ms, median {statistics.median(slack) * 1000:.1f} ms, "
                f"sum {sum(slack):.2f} s; first {accepted[0] - started:.2f}, "
                f"last {accepted[-1] - started:.2f}"
            )
        if self.memory:
            at, top = max(self.memory, key=lambda m: m[1])
            marks = ", ".join(
                f"{t - started:.0f} s {mb:.0f}"
                for t, mb in self.memory[:: max(1, len(self.memory) // 12)]
            )
            lines.append(f"  resident MB: peak {top:.0f} at {at - started:.1f} s; {marks}")
        return lines
