"""Issue 16, the warm path: work a run that changes nothing must not do.

Synthetic inputs apart from the seed ``references.bib``; offline with an empty cache, so no
request is made.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import citetrack
from citetrack.cli import main
from citetrack.model import CheckResult
from tests.e2e import SEED_BIB


def test_check_never_reprs_its_whole_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On Python 3.11 asyncio.run reprs its main task (result included) when it restores
    # the SIGINT handler: for 10,000 references that repr cost a second (issue 16).
    monkeypatch.setenv("CITETRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "citetrack.toml").write_text("")
    calls: list[int] = []

    def counting_repr(self: CheckResult) -> str:
        calls.append(1)
        return "CheckResult(...)"

    monkeypatch.setattr(CheckResult, "__repr__", counting_repr)
    settings = citetrack.load_settings(overrides={"offline": True})
    result = citetrack.check(str(SEED_BIB), settings=settings)
    assert len(result.results) == 10
    assert calls == []


def test_the_cli_collects_cycles_less_often() -> None:
    # The measured cost of the default threshold: 2 s of 7 s CPU in a warm 10k check.
    saved = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with pytest.raises(SystemExit) as exit_info:
            main(["--version"])
        assert exit_info.value.code == 0
        assert gc.get_threshold()[0] >= 10_000
    finally:
        gc.set_threshold(*saved)
