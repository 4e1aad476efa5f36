"""Request accounting for tests and benchmarks (``GET /_control/stats``).

Counts requests per service and route, statuses sent (so 429s are visible whatever
produced them), refusals by the limiter, applied faults, the highest number of requests
a service had in flight at once, how many times each identifier was asked in a request
the limiter let through (``asked``: runners sharing a store must ask each once), and — for
ordinary pages — when each host was asked, so a benchmark can check that a link checker
spreads its requests and paces each host.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ServiceStats:
    requests: int = 0
    routes: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    rate_limited: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0
    max_concurrency: int = 0
    asked: Counter[str] = field(default_factory=Counter)
    #: [start, end] of each request in seconds since the reset (end ``None`` while in
    #: flight), in arrival order: how requests overlapped, for a failing test to show.
    spans: list[list[float | None]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "asked": dict(self.asked),
            "requests": self.requests,
            "routes": dict(self.routes),
            "status": dict(self.statuses),
            "429": self.statuses.get("429", 0),
            "rate_limited": self.rate_limited,
            "faults": dict(self.faults),
            "in_flight": self.in_flight,
            "max_concurrency": self.max_concurrency,
            "spans": [list(span) for span in self.spans],
        }


@dataclass
class HostStats:
    timestamps: list[float] = field(default_factory=list)
    in_flight: int = 0
    max_concurrency: int = 0


class Stats:
    """Mutable counters; only touched from the emulator's event loop."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        self.started = self._clock()
        self.services: dict[str, ServiceStats] = {}
        self.hosts: dict[str, HostStats] = {}

    def _now(self) -> float:
        return round(self._clock() - self.started, 6)

    def begin(self, service: str, route: str, host: str | None) -> int:
        """A request arrived (``host`` is given for ordinary pages only); its span's
        number, to hand to :meth:`end`."""
        s = self.services.setdefault(service, ServiceStats())
        s.spans.append([self._now(), None])
        s.requests += 1
        s.routes[route] += 1
        s.in_flight += 1
        s.max_concurrency = max(s.max_concurrency, s.in_flight)
        if host is not None:
            h = self.hosts.setdefault(host, HostStats())
            h.timestamps.append(self._now())
            h.in_flight += 1
            h.max_concurrency = max(h.max_concurrency, h.in_flight)
        return len(s.spans) - 1

    def end(self, service: str, status: int | str, host: str | None, span: int | None = -1) -> None:
        """A request finished with this status (``"reset"`` for an aborted connection)."""
        s = self.services[service]
        if span is not None and 0 <= span < len(s.spans):  # None: a test's wrapper of begin
            s.spans[span][1] = self._now()
        s.in_flight -= 1
        s.statuses[str(status)] += 1
        if host is not None:
            self.hosts[host].in_flight -= 1

    def asked(self, service: str, identifiers: tuple[str, ...]) -> None:
        """A request the limiter let through asks about these identifiers."""
        self.services[service].asked.update(identifiers)

    def rate_limited(self, service: str) -> None:
        self.services[service].rate_limited += 1

    def fault(self, service: str, kind: str) -> None:
        self.services[service].faults[kind] += 1

    def to_json(self) -> dict[str, Any]:
        services = {name: s.to_json() for name, s in sorted(self.services.items())}
        return {
            "uptime_s": round(self._clock() - self.started, 6),
            "requests": sum(s.requests for s in self.services.values()),
            "rate_limited": sum(s.rate_limited for s in self.services.values()),
            "429": sum(s.statuses.get("429", 0) for s in self.services.values()),
            "services": services,
            "pages_hosts": {
                host: {
                    "requests": len(h.timestamps),
                    "timestamps": list(h.timestamps),
                    "max_concurrency": h.max_concurrency,
                }
                for host, h in sorted(self.hosts.items())
            },
        }
