"""Fault rules: which requests go wrong, and how.

A rule matches by service (``crossref``, ``eutils``, ``idconv``, ``doi``, ``wayback``,
``pages`` or ``*``), optionally by HTTP method and by a regular expression searched in the
request target *relative to the service mount* (raw path plus ``?query``, e.g.
``/works?filter=doi:…`` or ``/esummary.fcgi?db=pubmed&id=1``).  ``after`` lets the first N
matching requests through, ``times`` limits the rule to N applications (``times=2`` with
``code=503`` gives two 503s and then success), ``probability`` applies it to a random share
of requests drawn from its own seeded generator, so chaos runs are reproducible.

Rules are tried in the order they were added; the first that fires wins.  How each kind is
carried out on the wire lives in :mod:`citetrack_emulator.pipeline`.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SERVICES = (
    "crossref",
    "eutils",
    "idconv",
    "doi",
    "wayback",
    "pages",
    "openlibrary",
    "googlebooks",
    "mediawiki",
)

#: Fault kind → the parameters it accepts.
KINDS: dict[str, frozenset[str]] = {
    "status": frozenset({"code", "body", "headers", "content_type", "retry_after"}),
    "reset": frozenset(),
    "timeout": frozenset({"seconds"}),
    "hang": frozenset({"seconds"}),
    "latency": frozenset({"ms"}),
    "truncated": frozenset({"fraction"}),
    "invalid_json": frozenset({"code"}),
    "wrong_shape_json": frozenset({"code"}),
    "html_instead_of_json": frozenset({"code"}),
    "xml_bomb": frozenset(),
    "xxe": frozenset(),
    "huge_body": frozenset({"size", "content_type"}),
    "slow_drip": frozenset({"chunk_bytes", "interval_ms"}),
    "redirect_loop": frozenset({"code"}),
}

_MATCH_KEYS = {"service", "kind", "path", "method", "times", "after", "probability", "seed", "id"}
_ids = itertools.count(1)


@dataclass
class FaultRule:
    """One fault rule and its counters."""

    kind: str
    service: str = "*"
    path: str | None = None
    method: str | None = None
    times: int | None = None
    after: int = 0
    probability: float | None = None
    seed: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    matched: int = 0  # requests that matched service/method/path
    applied: int = 0  # requests the fault was applied to

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {sorted(KINDS)}")
        if self.service != "*" and self.service not in SERVICES:
            raise ValueError(f"unknown service {self.service!r}; known: {[*SERVICES, '*']}")
        unknown = set(self.params) - KINDS[self.kind]
        if unknown:
            raise ValueError(
                f"fault kind {self.kind!r} takes {sorted(KINDS[self.kind])}, not {sorted(unknown)}"
            )
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        self._pattern = re.compile(self.path) if self.path else None
        self._rng = random.Random(self.seed)  # noqa: S311 - reproducible chaos, not security
        self.id = self.id or f"f{next(_ids)}"

    @classmethod
    def from_json(cls, spec: Mapping[str, Any]) -> FaultRule:
        """Build a rule from the control API's JSON (match keys plus the kind's params)."""
        if "kind" not in spec:
            raise ValueError("a fault needs a 'kind'")
        match = {k: v for k, v in spec.items() if k in _MATCH_KEYS}
        params = {k: v for k, v in spec.items() if k not in _MATCH_KEYS}
        nested = params.pop("params", None)
        if isinstance(nested, Mapping):
            params.update(nested)
        return cls(params=params, **match)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "service": self.service,
            "path": self.path,
            "method": self.method,
            "times": self.times,
            "after": self.after,
            "probability": self.probability,
            "seed": self.seed,
            **self.params,
            "matched": self.matched,
            "applied": self.applied,
        }

    def fires(self, service: str, method: str, target: str) -> bool:
        """Count a request against this rule; True when the fault is to be applied."""
        if self.service not in ("*", service):
            return False
        if self.method and self.method.upper() != method:
            return False
        if self._pattern is not None and not self._pattern.search(target):
            return False
        self.matched += 1
        if self.matched <= self.after:
            return False
        if self.times is not None and self.applied >= self.times:
            return False
        if self.probability is not None and self._rng.random() >= self.probability:
            return False
        self.applied += 1
        return True


class FaultBook:
    """The active fault rules, in the order they were added."""

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> FaultRule:
        self.rules.append(rule)
        return rule

    def remove(self, rule_id: str) -> bool:
        before = len(self.rules)
        self.rules = [r for r in self.rules if r.id != rule_id]
        return len(self.rules) != before

    def clear(self) -> None:
        self.rules.clear()

    def pick(self, service: str, method: str, target: str) -> FaultRule | None:
        """The first rule that fires for this request, if any."""
        for rule in self.rules:
            if rule.fires(service, method, target):
                return rule
        return None
