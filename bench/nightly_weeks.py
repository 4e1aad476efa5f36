"""A nightly CI job over two weeks, by hand: `check --update-lock` once a (faked) night against
an emulator whose world changes, and what each night reports and does to the lockfile.

    python bench/nightly_weeks.py            # needs faketime (Debian: apt install faketime)
    python bench/nightly_weeks.py --shards 3 # the same nights as a CI matrix: 3 shards
                                             # (each its own cache) and `citetrack merge`
    python bench/nightly_weeks.py --fresh-cache  # each night on a fresh runner: an empty
                                             # cache, only the committed lockfile kept

The job a documentation repository runs: the lockfile is committed whenever it changes,
so a night that changes it without a real change upstream is a commit of noise.  The
script prints one line per night (exit code, the lockfile same or changed, the `changed`
and `broken` findings) and checks each against what should happen:

* nights without upstream change, a page answering 503 for one night, a Crossref outage:
  the lockfile stays byte-identical (could-not-verify is not a change), exit 0 or 3;
* a title corrected upstream: `metadata-changed` that night only;
* a retraction: `retraction-new` that night, `retracted` (broken) every night after;
* a page that dies with its archive: `archive-vanished` at once, `url-dead` a warning
  until it has failed 3 nights over 3 calendar days, then broken with `url-died`;
* commits of the bibliography's own: the dying page's key renamed in the middle of those 3
  nights (its failures still count: broken on the third night, not at once as a new
  reference's, and no `reference-removed`), then the .bib file renamed (nothing new).

The days are faked with faketime (the cache's and the lockfile's clocks move with them);
the emulator's records are the seed's, the changes SYNTHETIC.  Exit 1 if a night differs
from what it should be.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from citetrack_emulator import Emulator  # noqa: E402

FAST = ("--per-host-interval", "0", "--timeout", "2", "--allow-private-urls")
PAGE = "/article/nme-review"
THIERS, COMPTON = "10.3322/caac.20005", "10.1016/j.amjmed.2013.01.012"


def night_events(emu: Emulator, bib: list[Path]) -> dict[int, tuple[str, Callable[[], object]]]:
    """What happens upstream, or in the repository, before the night's run (SYNTHETIC
    changes); ``bib`` holds the path of the .bib, which a commit may rename."""

    def rename_key() -> None:
        text = bib[0].read_text(encoding="utf-8")
        bib[0].write_text(text.replace("{nme2021review,", "{nmeReview,"), encoding="utf-8")

    def rename_file() -> None:
        bib[0] = bib[0].rename(bib[0].with_name("references.bib"))

    retraction = {
        "DOI": "10.5555/ct.compton-retraction",
        "type": "retraction",
        "label": "Retraction",
        "source": "publisher",
        "updated": {"date-parts": [[2026, 12, 6]]},
    }
    return {
        3: ("the page answers 503", lambda: emu.patch_world({"pages": {PAGE: {"status": 503}}})),
        4: ("the page is back", lambda: emu.patch_world({"pages": {PAGE: {"status": 200}}})),
        5: ("Crossref answers 500", lambda: emu.add_fault("crossref", "status", code=500)),
        6: (
            "Crossref back; a title corrected",
            lambda: (
                emu.remove_fault(emu.faults()[0]["id"]),
                emu.patch_world({"crossref_works": {THIERS: {"title": ["Cutaneous: an update"]}}}),
            ),
        ),
        7: (
            "a retraction",
            lambda: emu.patch_world({"crossref_works": {COMPTON: {"updated-by": [retraction]}}}),
        ),
        8: (
            "the page dies, its archive too",
            lambda: emu.patch_world(
                {"pages": {PAGE: {"status": 404}}, "wayback": {emu.page_url(PAGE): None}}
            ),
        ),
        9: ("a commit renames the dead page's key", rename_key),
        11: ("a commit renames the .bib file", rename_file),
    }


#: Per night: the lockfile changes?, the exit code, and the changed/broken findings.
EXPECTED: dict[int, tuple[bool, int, set[str]]] = {
    2: (False, 0, set()),
    3: (False, 3, set()),
    4: (False, 0, set()),
    5: (False, 3, set()),
    6: (True, 0, {"thiers2009cutaneous changed metadata-changed"}),
    7: (True, 1, {"compton2013rare changed retraction-new", "compton2013rare broken retracted"}),
    8: (
        True,
        1,
        {"compton2013rare broken retracted", "nme2021review changed archive-vanished"},
    ),
    9: (True, 1, {"compton2013rare broken retracted"}),
    10: (
        True,
        1,
        {
            "compton2013rare broken retracted",
            "nmeReview broken url-dead",
            "nmeReview changed url-died",
        },
    ),
    11: (True, 1, {"compton2013rare broken retracted", "nmeReview broken url-dead"}),
    12: (False, 1, {"compton2013rare broken retracted", "nmeReview broken url-dead"}),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shards",
        type=int,
        default=0,
        help="run each night as N shards and a merge (each shard with its own cache)",
    )
    parser.add_argument(
        "--fresh-cache",
        action="store_true",
        help="each night starts with an empty cache (a fresh CI runner, no cache restored)",
    )
    options = parser.parse_args()
    shards, fresh = options.shards, options.fresh_cache
    if shutil.which("faketime") is None:
        print("needs faketime (Debian: apt install faketime)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="citetrack-nightly-"))
    failures = 0
    with Emulator(None) as emu:
        page = emu.page_url(PAGE)
        capture = {"timestamp": "20210829120000", "statuscode": "200", "mimetype": "text/html"}
        emu.patch_world({"wayback": {page: [capture]}})
        bib = work / "refs.bib"
        bib.write_text(
            (ROOT / "references.bib").read_text(encoding="utf-8")
            + "\n@online{nme2021review,\n  title = {The glucagonoma syndrome},\n"
            f"  url = {{{page}}},\n"
            f"  archiveurl = {{https://web.archive.org/web/20210829120000/{page}}},\n}}\n",
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("CITETRACK_")}
        env.update({**emu.env(), "CITETRACK_CACHE_DIR": str(work / "cache")})
        env["PYTHONPATH"] = str(ROOT)

        def run(day: int, *args: str) -> subprocess.CompletedProcess[str]:
            clock = f"2026-12-{day:02d} 02:00:00"
            command = ["faketime", clock, sys.executable, "-m", "citetrack", *args, *FAST]
            return subprocess.run(
                command, check=False, cwd=work, env=env, capture_output=True, text=True
            )

        def nightly(day: int, path: Path, *args: str) -> subprocess.CompletedProcess[str]:
            """The night's job: one check, or N shards (each its own cache, as on N
            runners) and their merge."""
            if fresh:
                for cache in work.glob("cache*"):
                    shutil.rmtree(cache)
            if not shards:
                return run(day, "check", str(path), *args)
            reports = []
            for k in range(1, shards + 1):
                env["CITETRACK_CACHE_DIR"] = str(work / f"cache-{k}")
                shard = ("--shard", f"{k}/{shards}", "-f", "json")
                proc = run(day, "check", str(path), "--update-lock", *shard)
                if proc.returncode != 0:
                    return proc
                reports.append(work / f"shard-{k}.json")
                reports[-1].write_text(proc.stdout, encoding="utf-8")
            merge = ["merge", *map(str, reports), "--update-lock", *args[1:]]
            clock = f"2026-12-{day:02d} 02:00:00"
            command = ["faketime", clock, sys.executable, "-m", "citetrack", *merge]
            return subprocess.run(
                command, check=False, cwd=work, env=env, capture_output=True, text=True
            )

        lock = work / "citetrack.lock"
        if shards:
            first = nightly(1, bib, "--update-lock")
            print(f"night  1 {shards} shards and merge --update-lock: exit {first.returncode}")
        else:
            first = run(1, "lock", str(bib))
            print(f"night  1 lock: exit {first.returncode}")
        current = [bib]
        events = night_events(emu, current)
        for day in sorted(EXPECTED):
            what = ""
            if day in events:
                what, change = events[day]
                change()
            before = lock.read_bytes()
            proc = nightly(day, current[0], "--update-lock", "-f", "json")
            changed = lock.read_bytes() != before
            try:
                report = json.loads(proc.stdout)
            except ValueError:
                print(f"night {day:2d}: no JSON report (exit {proc.returncode}): {proc.stderr}")
                failures += 1
                continue
            seen = {
                f"{ref['key']} {f['severity']} {f['rule']}"
                for ref in report["references"]
                for f in ref["findings"]
                if f["severity"] in ("changed", "broken")
            }
            # The bibliography's own edits are notes: said, never an alarm.
            said = [f["message"] for r in report["references"] for f in r["findings"]]
            said += report["notes"]
            what += "".join(f"; {m}" for m in said if "renamed" in m and "lockfile" in m)
            ok = (changed, proc.returncode, seen) == EXPECTED[day]
            failures += not ok
            print(
                f"night {day:2d} [{what or 'nothing upstream'}]: exit {proc.returncode}, "
                f"lockfile {'changed' if changed else 'same'}; {', '.join(sorted(seen)) or '-'}"
                + ("" if ok else f"  << expected {EXPECTED[day]}")
            )
    shutil.rmtree(work, ignore_errors=True)
    print("as expected" if not failures else f"{failures} nights not as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
