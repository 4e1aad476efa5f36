"""A big cold stage asks Crossref by both of its routes at once (issue 16, the cold floor).

Crossref limits its list route (3 requests a second in the polite pool) and its
single-record route (10 a second) separately (api-notes §1.3).  Lists alone pace 10,000
DOIs at 200 requests, 67 s; a sixteenth of them asked one by one beside the lists ends
both routes together.  What the split may change is which requests are made, never the
answers: the report is the same as with lists only, every DOI is asked exactly once, and
nothing is refused.  Against the local emulator with the published limits and SYNTHETIC
bibliographies from ``bench/gen_bib.py`` (DOIs under Crossref's test prefix 10.5555).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import citetrack.cli.check_run as check_run
import citetrack.registries.crossref as crossref_module
from bench.gen_bib import make_references, make_world
from citetrack.registries.crossref import single_share
from citetrack_emulator import Emulator
from tests.test_prefetch import check, write_bib


def test_the_single_route_takes_its_share_of_the_dois_per_second() -> None:
    # 10,000 DOIs: 150 a second in lists of 50 at 3 a second, 10 a second one by one.
    assert single_share(10_000, list_rate=3.0, single_rate=10.0, batch=50) == 625
    # Then both end together: 9,375 in 188 lists (62.7 windows), 625 singles in 62.5 s.
    assert single_share(1_000, list_rate=3.0, single_rate=10.0, batch=50) == 62
    # The public pool: 1 list a second, 5 singles.
    assert single_share(1_000, list_rate=1.0, single_rate=5.0, batch=50) == 90


def test_a_stage_the_lists_finish_in_five_seconds_is_asked_in_lists_only() -> None:
    assert single_share(750, list_rate=3.0, single_rate=10.0, batch=50) == 0
    assert single_share(10, list_rate=3.0, single_rate=10.0, batch=50) == 0
    assert single_share(751, list_rate=3.0, single_rate=10.0, batch=50) == 46
    assert single_share(10_000, list_rate=3.0, single_rate=0.0, batch=50) == 0


def test_both_routes_give_the_report_lists_alone_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bib = write_bib(tmp_path, 1000)
    refs = make_references(1000, seed=5, url_share=0.0, page_hosts=0)
    monkeypatch.setattr(check_run, "_prefetch", lambda settings: None)
    with Emulator(make_world(refs), limits="published", latency_ms=50) as emu:
        both = check(tmp_path, bib, emu, cache="both")
        stats = emu.stats()
        emu.reset()
        monkeypatch.setattr(crossref_module, "single_share", lambda remaining, **_: 0)
        lists = check(tmp_path, bib, emu, cache="lists")
        stats_lists = emu.stats()
    routes = stats["services"]["crossref"]["routes"]
    singles = routes.get("GET /works/{doi}", 0)
    assert singles > 0, routes  # the single-record route was used
    assert routes["GET /works"] == -(-(1000 - singles) // 50)  # fewer lists, each full
    assert stats_lists["services"]["crossref"]["routes"] == {"GET /works": 20}
    assert both["references"] == lists["references"]
    assert both["summary"] == lists["summary"]
    for run in (stats, stats_lists):
        assert run["429"] == 0
        asked = run["services"]["crossref"]["asked"]
        assert len(asked) == 1000 and set(asked.values()) == {1}  # every DOI, once


def test_answers_the_prefetch_cached_are_not_asked_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The split is decided after the hand-over, from the DOIs still unanswered: the
    prefetch's answers are neither asked again nor counted in the single route's share."""
    bib = write_bib(tmp_path, 1000)
    refs = make_references(1000, seed=5, url_share=0.0, page_hosts=0)
    with Emulator(make_world(refs), limits="published", latency_ms=50) as emu:
        check(tmp_path, bib, emu)
        stats = emu.stats()
    asked = stats["services"]["crossref"]["asked"]
    assert len(asked) == 1000 and set(asked.values()) == {1}
    assert stats["429"] == 0


def test_dois_the_slowed_single_route_did_not_reach_go_back_into_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The single route's share is fixed when the stage starts; if that route runs slower
    than its pace (here: each single-record answer takes half a second, so its three
    requests in flight make 6 a second, not 10), the DOIs still waiting for it when the
    lists run out of work are taken back into lists: the route never ends the stage alone."""
    bib = write_bib(tmp_path, 1000)
    refs = make_references(1000, seed=5, url_share=0.0, page_hosts=0)
    monkeypatch.setattr(check_run, "_prefetch", lambda settings: None)
    with Emulator(make_world(refs), limits="published", latency_ms=50) as emu:
        steady = check(tmp_path, bib, emu, cache="steady")
        routes = emu.stats()["services"]["crossref"]["routes"]
        emu.reset()
        emu.add_fault("crossref", "latency", ms=500, path=r"^/works/")
        slowed = check(tmp_path, bib, emu, cache="slowed")
        stats = emu.stats()
    slowed_routes = stats["services"]["crossref"]["routes"]
    assert slowed_routes["GET /works/{doi}"] < routes["GET /works/{doi}"], slowed_routes
    assert slowed_routes["GET /works"] > routes["GET /works"], slowed_routes
    asked = stats["services"]["crossref"]["asked"]
    assert len(asked) == 1000 and set(asked.values()) == {1}  # every DOI, once
    assert stats["429"] == 0
    assert slowed["references"] == steady["references"]
    assert slowed["summary"] == steady["summary"]
