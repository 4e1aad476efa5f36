"""End to end: a sharded nightly job keeps the lockfile's history, as one check does.

A CI matrix runs `check --shard K/N` on each runner and `citetrack merge` after them.
The merge used to apply no lockfile, so a big collection checked by shards had no
history: a URL that answered 404 for one night was `broken` at once (the confirmation
over runs needs the lockfile), nothing was ever `changed`, and no baseline could be
written.  Now the shards fetch answers fresh enough for the lockfile (or, with
`--update-lock`, in their own run) and say for which lockfile; the merge applies it.

The bibliography is the seed plus one web page; the upstream changes are SYNTHETIC.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, Run, run_cli

FAST = ("--per-host-interval", "0", "--timeout", "5", "--allow-private-urls")
PAGE = "/article/nme-review"
THIERS = "10.3322/caac.20005"


def web_entry(url: str) -> str:
    return (
        "\n@online{nme2021review,\n"
        "  title = {The glucagonoma syndrome and necrolytic migratory erythema},\n"
        f"  url = {{{url}}},\n  urldate = {{2021-06-01}},\n}}\n"
    )


@pytest.fixture
def twins(emulator: Emulator, tmp_path: Path) -> tuple[Path, Path]:
    """The same bibliography in two folders: one checked by shards, one by one check."""
    text = SEED_BIB.read_text(encoding="utf-8") + web_entry(emulator.page_url(PAGE))
    folders = (tmp_path / "sharded", tmp_path / "whole")
    for folder in folders:
        folder.mkdir()
        (folder / "refs.bib").write_text(text, encoding="utf-8")
    return folders


def env(emulator: Emulator, cache: Path) -> dict[str, str]:
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(cache)}


def shards_then_merge(
    emulator: Emulator, folder: Path, *check: str, merge: tuple[str, ...] = ()
) -> Run:
    """Two shards (each its own cache, as on two runners) and the merge, in ``folder``."""
    reports = []
    for k in (1, 2):
        cache = folder.parent / f"cache-shard{k}"
        run = run_cli(
            "check", "refs.bib", *FAST, *check, "--shard", f"{k}/2", "-f", "json",
            env=env(emulator, cache), cwd=folder,
        )  # fmt: skip
        assert run.code == 0, run.stderr
        reports.append(folder.parent / f"shard{k}.json")
        reports[-1].write_text(run.stdout, encoding="utf-8")
    return run_cli("merge", *map(str, reports), *merge, env=emulator.env(), cwd=folder)


def whole(emulator: Emulator, folder: Path, *args: str) -> Run:
    return run_cli(*args, "refs.bib", *FAST, env=env(emulator, folder.parent / "cache"), cwd=folder)


def report(run: Run) -> dict[str, Any]:
    doc = run.json()
    doc.pop("requests")
    return doc


def findings(doc: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(r["key"], f["rule"], f["severity"]) for r in doc["references"] for f in r["findings"]}


def test_a_sharded_nightly_job_keeps_the_lockfiles_history(
    emulator: Emulator, twins: tuple[Path, Path]
) -> None:
    sharded, alone = twins
    # Night 1: the baseline, written by the merge from answers the shards fetched then.
    first = shards_then_merge(emulator, sharded, "--update-lock", merge=("--update-lock",))
    assert first.code == 0, first.stderr
    assert whole(emulator, alone, "lock").code == 0
    lock = (sharded / "citetrack.lock").read_bytes()
    assert lock == (alone / "citetrack.lock").read_bytes()  # the unsharded baseline, byte for byte

    # Night 2: the page answers 404, and a title was corrected upstream.
    emulator.patch_world(
        {
            "pages": {PAGE: {"status": 404}},
            "crossref_works": {THIERS: {"title": ["Cutaneous manifestations: an update"]}},
        }
    )
    fresh = ("--max-cache-age", "0")
    night = shards_then_merge(emulator, sharded, *fresh, merge=("-f", "json"))
    one = whole(emulator, alone, "check", *fresh, "-f", "json")
    assert night.code == one.code == 0, night.stderr  # one 404 is not yet an alarm
    assert report(night) == report(one)
    seen = findings(night.json())
    assert ("nme2021review", "url-dead", "warning") in seen  # failing, not yet confirmed
    assert ("thiers2009cutaneous", "metadata-changed", "changed") in seen
    assert (sharded / "citetrack.lock").read_bytes() == lock  # compared, not written

    # Without the lockfile the same answers say "broken" at once: what a nightly
    # job of shards said before.
    bare = run_cli(
        "merge", *(str(sharded.parent / f"shard{k}.json") for k in (1, 2)), "--no-lockfile",
        "-f", "json", env=emulator.env(), cwd=sharded,
    )  # fmt: skip
    assert bare.code == 1 and ("nme2021review", "url-dead", "broken") in findings(bare.json())


def test_a_pull_request_gate_of_shards_shows_only_what_it_adds(
    emulator: Emulator, twins: tuple[Path, Path]
) -> None:
    sharded, _ = twins
    assert shards_then_merge(emulator, sharded, "--update-lock", merge=("--update-lock",)).code == 0
    bib = sharded / "refs.bib"
    made_up = "\n@article{fake2021,\n  title = {Invented},\n  year = {2021},\n"
    bib.write_text(bib.read_text("utf-8") + made_up + "  doi = {10.1234/made.up.77},\n}\n")
    gate = shards_then_merge(emulator, sharded, merge=("--new-only", "-f", "json"))
    assert gate.code == 1, gate.stderr
    assert {key for key, _, _ in findings(gate.json())} == {"fake2021"}
    assert any(n.startswith("--new-only: ") for n in gate.json()["notes"])


def test_the_merge_refuses_answers_not_fresh_for_the_lockfile(
    emulator: Emulator, twins: tuple[Path, Path]
) -> None:
    sharded, _ = twins
    reports = [str(sharded.parent / f"shard{k}.json") for k in (1, 2)]

    def merge(*args: str) -> Run:
        return run_cli("merge", *reports, *args, env=emulator.env(), cwd=sharded)

    # Shards that ignored the lockfile: fine as before, but nothing to compare or write.
    assert shards_then_merge(emulator, sharded, "--no-lockfile").code == 0
    for args in (("--update-lock",), ("--new-only",), ("--lockfile", "citetrack.lock")):
        refused = merge(*args)
        assert refused.code == 2 and "--no-lockfile" in refused.stderr, args
    assert not (sharded / "citetrack.lock").exists()
    # A lockfile named in the config is no such request: the merge goes on without it.
    (sharded / "citetrack.toml").write_text('lockfile = "team.lock"\n', encoding="utf-8")
    plain = merge()
    assert plain.code == 0 and not (sharded / "team.lock").exists(), plain.stderr
    (sharded / "citetrack.toml").unlink()
    # Shards that compared (their answers may be cached ones): no baseline from them.
    assert shards_then_merge(emulator, sharded).code == 0
    refused = merge("--update-lock")
    assert refused.code == 2 and "run the shards with --update-lock" in refused.stderr
    # A lockfile written after the shards read it, or another lockfile: run them again.
    assert merge().code == 0
    (sharded / "citetrack.lock").write_text('{"schema_version": 1, "references": {}}\n')
    refused = merge()
    assert refused.code == 2 and "changed since the shards read it" in refused.stderr
    refused = merge("--lockfile", "other.lock")
    assert refused.code == 2 and "give the merge the same --lockfile" in refused.stderr
    # Shards run for different lockfile states do not merge.
    one = json.loads(Path(reports[0]).read_text("utf-8"))
    one["shard"]["lockfile"]["mode"] = "update"
    Path(reports[0]).write_text(json.dumps(one), encoding="utf-8")
    refused = merge("--no-lockfile")
    assert refused.code == 2 and "another lockfile state" in refused.stderr
    # --new-only belongs to the merge.
    run = run_cli("check", "refs.bib", "--shard", "1/2", "--new-only", "-f", "json", cwd=sharded)
    assert run.code == 2 and "citetrack merge --new-only" in run.stderr
    # A shard writes JSON whether or not --format json is typed (it was a usage error
    # whose message read like a statement: "--shard writes its report as --format json");
    # another format asked for is refused, saying what to leave out.
    shard_env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(sharded.parent / "cache")}
    plain = run_cli("check", "refs.bib", "--shard", "1/2", env=shard_env, cwd=sharded)
    assert plain.code in (0, 3), plain.stderr
    assert plain.json()["shard"]["index"] == 1
    run = run_cli("check", "refs.bib", "--shard", "1/2", "-f", "text", cwd=sharded)
    assert run.code == 2 and "leave out --format" in run.stderr
    # An article is not read as a broken .bib (whose message said to give --from wikitext).
    (sharded / "page.wiki").write_text("<ref>{{cite web |url=https://a.org/ |title=A}}</ref>\n")
    for args in ((), ("--from", "wikitext")):
        run = run_cli("check", "page.wiki", *args, "--shard", "1/2", "-f", "json", cwd=sharded)
        assert run.code == 2 and "--shard reads .bib files only" in run.stderr, args


def test_reports_of_shards_from_before_are_merged_as_before(
    emulator: Emulator, twins: tuple[Path, Path]
) -> None:
    """A shard report without the lockfile section (an older citetrack's) merges as one
    of shards run with --no-lockfile: no lockfile applied, no error."""
    sharded, _ = twins
    assert shards_then_merge(emulator, sharded, "--update-lock", merge=("--update-lock",)).code == 0
    for k in (1, 2):
        path = sharded.parent / f"shard{k}.json"
        doc = json.loads(path.read_text("utf-8"))
        del doc["shard"]["lockfile"], doc["shard"]["options"]
        path.write_text(json.dumps(doc), encoding="utf-8")
    reports = [str(sharded.parent / f"shard{k}.json") for k in (1, 2)]
    run = run_cli("merge", *reports, "-f", "json", env=emulator.env(), cwd=sharded)
    assert run.code == 0, run.stderr
    assert not any(f[2] == "changed" for f in findings(run.json()))


def test_a_merge_can_tolerate_what_could_not_be_verified(
    emulator: Emulator, twins: tuple[Path, Path]
) -> None:
    """Crossref down during the shards: exit 3 as a check's, 0 with --ignore-unverified
    (the check's option, which the merge lacked)."""
    sharded, _ = twins
    emulator.add_fault("crossref", "status", code=500)
    first = shards_then_merge(emulator, sharded, "--no-lockfile", "--timeout", "1")
    assert first.code == 3, first.stderr
    reports = [str(sharded.parent / f"shard{k}.json") for k in (1, 2)]
    tolerant = run_cli("merge", *reports, "--ignore-unverified", env=emulator.env(), cwd=sharded)
    assert tolerant.code == 0, tolerant.stderr
    assert "crossref: could not check" in tolerant.stdout
