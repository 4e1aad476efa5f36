"""End-to-end: ``citetrack lock`` run on a night PubMed, a web site and the Wayback Machine
are down, after a lock on a good night.

What the lockfile remembers must survive the outage (a later check compares with it and
reports no change), and what ``lock`` says about the references it could not check must be
true: it said "the lockfile has no evidence for these to compare later runs with" of
references whose earlier evidence the lockfile kept.  The records are SYNTHETIC.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, by_key, run_cli

FAST = ("--per-host-interval", "0", "--timeout", "1", "--allow-private-urls")


def project(emulator: Emulator, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    page = emulator.page_url("/article/nme-review")
    emulator.patch_world(
        {
            "pages": {"/article/nme-review": {"status": 200, "title": "NME review"}},
            "wayback": {page: [{"timestamp": "20210829120000", "statuscode": "200"}]},
        }
    )
    web = (
        "\n@online{nme2021review,\n  title = {The glucagonoma syndrome},\n"
        f"  url = {{{page}}},\n"
        f"  archiveurl = {{https://web.archive.org/web/20210829120000/{page}}},\n}}\n"
    )
    bib = tmp_path / "refs.bib"
    bib.write_text(SEED_BIB.read_text(encoding="utf-8") + web, encoding="utf-8")
    return bib, {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}


def outage_lock(emulator: Emulator, tmp_path: Path) -> tuple[Path, dict[str, str], Any, Any]:
    """Lock on a good night, then lock again during the outage; both lockfiles' JSON and
    the outage run."""
    bib, env = project(emulator, tmp_path)
    lock = tmp_path / "citetrack.lock"
    assert run_cli("lock", str(bib), *FAST, env=env).code == 0
    good = json.loads(lock.read_text(encoding="utf-8"))
    stamp = lock.stat().st_mtime - 86400  # a day later
    os.utime(lock, (stamp, stamp))
    emulator.add_fault("eutils", "status", code=503)
    emulator.add_fault("pages", "timeout")
    emulator.add_fault("wayback", "status", code=503)
    run = run_cli("lock", str(bib), *FAST, env=env)
    assert run.code == 0, run.stderr
    emulator.clear_faults()
    return bib, env, good, run


def test_a_lock_during_an_outage_keeps_what_the_lockfile_remembered(
    emulator: Emulator, tmp_path: Path
) -> None:
    bib, env, good, _ = outage_lock(emulator, tmp_path)
    kept = json.loads((tmp_path / "citetrack.lock").read_text(encoding="utf-8"))
    for key in ("thiers2009cutaneous", "mignogna2008small", "nme2021review"):
        before, after = good["references"][key], kept["references"][key]
        assert {k: v for k, v in after.items() if k != "accepted"} == {
            k: v for k, v in before.items() if k != "accepted"
        }, key
    # The next good night: nothing changed upstream, so nothing is reported as changed.
    night = run_cli("check", str(bib), "-f", "json", *FAST, env=env)
    assert night.code == 0, night.stdout
    changed = [
        (k, f["rule"])
        for k, r in by_key(night.json()).items()
        for f in r["findings"]
        if f["severity"] == "changed"
    ]
    assert changed == []


def test_lock_does_not_claim_the_lockfile_lost_what_it_kept(
    emulator: Emulator, tmp_path: Path
) -> None:
    _, _, _, run = outage_lock(emulator, tmp_path)
    assert "could not check" in run.stderr
    assert "the lockfile has no evidence for these" not in run.stderr, run.stderr
