"""Chaos, scaled down: 100 SYNTHETIC references while 10 % of all responses fail at random.

``bench/chaos.py`` runs the real CLI twice against the emulator — fault-free, then with a
seeded 10 % of every service's responses turned into 503s, 429s (no ``Retry-After``) and
connection resets — and compares the verdicts.  After retries at least 99 % of the
references must be verified (same verdict as the fault-free run) and none may be reported
broken that the fault-free run did not call broken.  Every reference cites a web page here,
so the run makes over a hundred requests and the faults really happen.

The full-size run (1,000 references) is ``python bench/chaos.py``.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from tests.e2e import REPO


def _chaos() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "citetrack_bench_chaos", REPO / "bench" / "chaos.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


chaos = _chaos()


def test_per_rule_probability_gives_the_overall_rate() -> None:
    p = chaos.per_rule_probability(0.1, 3)
    assert 1 - (1 - p) ** 3 == pytest.approx(0.1)
    with pytest.raises(ValueError):
        chaos.per_rule_probability(1.0, 3)


@pytest.mark.slow
def test_ten_percent_transient_faults_lose_no_verdict() -> None:
    result = chaos.run_chaos(100, fault_rate=0.1, seed=11, url_share=1.0, page_hosts=5, timeout=300)
    assert result.clean.summary["ok"] == 100, result.clean.reasons
    assert result.faults_injected >= 5, "the chaos run saw too few faults to mean anything"
    assert result.wrongly_broken == [], result.chaos.reasons
    assert result.verified_share >= 0.99, result.chaos.reasons
    assert result.passed(0.99)
