"""A cold ``check`` against the emulator with the registries' published limits (issue 16).

The real CLI in a subprocess, a fresh cache, a SYNTHETIC bibliography from
``bench/gen_bib.py`` (DOIs under Crossref's test prefix 10.5555, PMIDs from 90,000,000):
no request is refused (0 × 429), every reference comes out ``ok``, and Crossref's list
route is used up to its concurrency of 3 (it was 1).  No timing is asserted.

Also: ``citetrack.check`` does not format its whole result at the end of the run (Python
3.11's ``asyncio.run`` reprs its finished main task while restoring the SIGINT handler).
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

import citetrack
from bench.gen_bib import make_bib, make_references, make_world
from citetrack.model import CheckResult
from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, run_cli


def test_cold_check_under_published_limits_gets_no_429(tmp_path: Path) -> None:
    refs = make_references(330, seed=16, url_share=0.0, page_hosts=0)
    bib = tmp_path / "refs.bib"
    bib.write_text(make_bib(refs, []), encoding="utf-8")
    # Crossref answers in 900 ms (the window is 1 s): a window's three requests overlap
    # unless the third leaves 0.9 s after the first.  With 300 ms, a loaded CI machine whose
    # loader fed the prefetch its second and third lists of DOIs 0.3 s apart saw only two
    # at once.  PubMed answers in 300 ms, less than NCBI's spacing of 1/3 s.
    with Emulator(make_world(refs), limits="published", latency_ms=300) as emu:
        emu.set_latency(900, "crossref")
        env = {**emu.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
        run = run_cli(
            "check",
            str(bib),
            "--mailto",
            "bench@example.org",
            "--no-links",
            "--no-lockfile",
            "--format",
            "json",
            "-q",
            env=env,
            cwd=tmp_path,
        )
        stats = emu.stats()
    assert run.code == 0, run.stderr
    report = run.json()
    assert report["summary"]["ok"] == len(refs)
    assert stats["429"] == 0
    assert stats["rate_limited"] == 0
    crossref = stats["services"]["crossref"]
    assert crossref["routes"] == {"GET /works": 7}  # 330 DOIs in lists of 50
    # a window's three requests at once; the spans ([start, end] in s) say why if not
    assert crossref["max_concurrency"] == 3, crossref["spans"]
    assert stats["services"]["eutils"]["max_concurrency"] == 1  # NCBI: evenly spaced


def test_check_does_not_format_its_result_when_the_run_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("asyncio.run installs its SIGINT handler only over the default one")
    monkeypatch.setenv("CITETRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "citetrack.toml").write_text("")
    formatted: list[int] = []

    def counting_repr(self: CheckResult) -> str:
        formatted.append(len(self.results))
        return "CheckResult(...)"

    monkeypatch.setattr(CheckResult, "__repr__", counting_repr)
    with Emulator(None) as emu:
        for name, value in emu.env().items():
            monkeypatch.setenv(name, value)
        result = citetrack.check(str(SEED_BIB), links=False)
    assert len(result.results) == 10
    assert formatted == []
