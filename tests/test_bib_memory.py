"""Memory of checking a large .bib (issue 18, item 8), through the CLI and the suite's launcher.

A 7.9 MB .bib of 20,000 SYNTHETIC entries (``bench/gen_bib.py``, seed 1) checked offline
without links: before chunked loading (and compact field layouts) the run peaked at
277 MiB, now at about 200 MiB (SECURITY.md gives the 50,000-entry numbers).  The bound
sits between the two.  The budget is the time after which a run is killed and the test
fails, not a speed assertion.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.gen_bib import make_bib, make_references
from tests.test_reliability_harness import run_measured

ENTRIES = 20_000
#: Peak RSS of the run, MiB (measured: 277 before, about 200 after).
MAX_RSS_MIB = 240.0
BUDGET = 120.0


@pytest.mark.slow
def test_checking_20000_entries_offline_stays_within_the_memory_bound(tmp_path: Path) -> None:
    bib = tmp_path / "synthetic.bib"
    refs = make_references(ENTRIES, seed=1, url_share=0.2, page_hosts=50)
    bib.write_text(make_bib(refs, ["http://127.0.0.1:9"]), encoding="utf-8")
    run = run_measured(
        "check",
        str(bib),
        "--offline",
        "--no-cache",
        "--no-links",
        "--no-lockfile",
        timeout=BUDGET,
    )
    assert not run.timed_out
    assert "Traceback" not in run.stderr
    assert run.code == 3, run.stderr  # every reference unverified offline, none broken
    assert f"{ENTRIES} references: {ENTRIES} unverified" in run.stdout + run.stderr
    assert run.max_rss_mib < MAX_RSS_MIB, run.max_rss_mib
