"""End-to-end, the team features through the real CLI, against the emulator and a real
PostgreSQL (pgserver): a shared store, collections checked concurrently, shards + merge.

The collections are SYNTHETIC (bench/gen_bib.py: DOIs under Crossref's test prefix, PMIDs
above 90,000,000), plus the project's planted.bib (SYNTHETIC faults on seed articles).
"""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bench.gen_bib import make_bib, make_references, make_world
from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, Run, run_cli

PLANTED = Path(__file__).parent / "data" / "planted.bib"
FAST = ("--per-host-interval", "0", "--timeout", "5")
JSON = ("--no-lockfile", "-f", "json")
REGISTRIES = ("crossref", "eutils", "idconv", "doi")


def env_for(emulator: Emulator, cache: Path, **extra: str) -> dict[str, str]:
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(cache), **extra}


def without_requests(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k != "requests"}


def registry_requests(emulator: Emulator) -> int:
    services = emulator.stats()["services"]
    return sum(services.get(name, {}).get("requests", 0) for name in REGISTRIES)


def write_collection(directory: Path, refs: list[Any], parts: int, bases: list[str]) -> Path:
    """``refs`` spread over ``parts`` .bib files under ``directory`` (round robin)."""
    directory.mkdir(parents=True)
    for part in range(parts):
        chunk = refs[part::parts]
        (directory / f"part{part}.bib").write_text(make_bib(chunk, bases), encoding="utf-8")
    return directory


# ---------------------------------------------------------------------- shared store


def test_second_runner_sharing_the_store_asks_no_registry(
    emulator: Emulator, pg_uri: str, tmp_path: Path
) -> None:
    args = ("check", str(SEED_BIB), str(PLANTED), *JSON, "--store", pg_uri, "--store-required")
    first = run_cli(*args, env=env_for(emulator, tmp_path / "runner-a"))
    assert first.code in (0, 1, 3), first.stderr
    assert registry_requests(emulator) > 0
    emulator.reset()  # zero the counters; the world stays the same

    second = run_cli(*args, env=env_for(emulator, tmp_path / "runner-b"))  # empty local cache
    assert second.code == first.code, second.stderr
    assert registry_requests(emulator) == 0
    assert without_requests(second.json()) == without_requests(first.json())
    assert not (tmp_path / "runner-b" / "evidence.sqlite3").exists()  # the store was used


def test_store_from_the_environment_and_unreachable_fallback(
    emulator: Emulator, tmp_path: Path
) -> None:
    nowhere = f"postgresql://ci:hunter2@/citetrack?host={tmp_path}/no-server"
    env = env_for(emulator, tmp_path / "cache", CITETRACK_STORE=nowhere)
    fallback = run_cli("check", str(SEED_BIB), *JSON, env=env)
    assert fallback.code == 0, fallback.stderr
    assert "unreachable" in fallback.stderr and "using the local cache" in fallback.stderr
    assert "hunter2" not in fallback.stderr
    assert (tmp_path / "cache" / "evidence.sqlite3").exists()

    required = run_cli("check", str(SEED_BIB), *JSON, "--store-required", env=env)
    assert required.code == 2
    assert "unreachable" in required.stderr and "Traceback" not in required.stderr
    # The JSON on standard output says the run failed, with no summary to read as 0 broken.
    assert required.json()["error"]["exit_code"] == 2 and "summary" not in required.json()
    assert "hunter2" not in required.stdout


# ------------------------------------------------- four runners, overlapping collections


def test_four_concurrent_runners_ask_each_identifier_once(pg_uri: str, tmp_path: Path) -> None:
    refs = make_references(160, seed=7, url_share=0)
    # Runner p checks refs [30p, 30p + 70) plus a core of 10 every runner cites.
    core = refs[150:]
    collections = [refs[30 * p : 30 * p + 70] + core for p in range(4)]
    dirs = [write_collection(tmp_path / f"c{p}", c, 3, []) for p, c in enumerate(collections)]
    world = make_world(refs)

    # The reference: each collection checked alone, one after another, no store.
    with Emulator(world) as alone:
        expected = []
        for p, directory in enumerate(dirs):
            run = run_cli("check", str(directory), *JSON, env=env_for(alone, tmp_path / f"a{p}"))
            assert run.code == 0, run.stderr
            expected.append(without_requests(run.json()))

    with Emulator(world) as emulator:

        def runner(p: int) -> Run:
            env = env_for(emulator, tmp_path / f"cache{p}")
            return run_cli(
                "check", str(dirs[p]), *JSON, "--store", pg_uri, "--store-required", env=env
            )

        with ThreadPoolExecutor(4) as pool:
            runs = list(pool.map(runner, range(4)))
        stats = emulator.stats()["services"]

    for p, run in enumerate(runs):
        assert run.code == 0, run.stderr
        assert "warning" not in run.stderr and "disabled" not in run.stderr
        assert without_requests(run.json()) == expected[p]
    distinct = {r.doi for c in collections for r in c}
    assert Counter(stats["crossref"]["asked"]) == Counter(dict.fromkeys(distinct, 1))
    pmids = {r.pmid for c in collections for r in c}
    assert Counter(stats["eutils"]["asked"]) == Counter(dict.fromkeys(pmids, 1))


# ------------------------------------------------------------------ collections


def test_a_collection_asks_once_and_says_which_input(emulator: Emulator, tmp_path: Path) -> None:
    refs = make_references(12, seed=3, url_share=0)
    emulator.patch_world(make_world(refs))
    a = tmp_path / "articles" / "a.bib"
    b = tmp_path / "articles" / "nested" / "b.bib"
    b.parent.mkdir(parents=True)
    a.write_text(make_bib(refs[:8], []), encoding="utf-8")
    b.write_text(make_bib(refs[4:], []), encoding="utf-8")  # refs 4..7 cited by both
    run = run_cli(
        "check", str(tmp_path / "articles"), *JSON, env=env_for(emulator, tmp_path / "cache")
    )
    assert run.code == 0, run.stderr
    report = run.json()
    assert report["summary"]["total"] == 16
    paths = Counter(r["path"] for r in report["references"])
    assert paths == {str(a): 8, str(b): 8}
    # The same work in two articles is not a duplicate reference.
    assert not any(
        f["rule"] == "duplicate-reference" for r in report["references"] for f in r["findings"]
    )
    asked = emulator.stats()["services"]["crossref"]["asked"]
    assert asked == dict.fromkeys((r.doi for r in refs), 1)

    # A glob pattern names the same collection; the text report says path:line.
    text = run_cli(
        "check", str(tmp_path / "articles" / "**" / "*.bib"), "--no-lockfile", "--offline",
        "-f", "text", "--fail-on", "note", env=env_for(emulator, tmp_path / "cache"),
    )  # fmt: skip
    assert text.code == 0, text.stderr


def test_a_directory_without_bibliographies_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    run = run_cli("check", str(tmp_path / "empty"), "--no-lockfile")
    assert run.code == 2
    assert "empty: is a directory without any .bib file" in run.stderr
    run = run_cli("check", str(tmp_path / "*.nothing"), "--no-lockfile")
    assert run.code == 2 and "matches no file" in run.stderr


# ------------------------------------------------------------------ shards + merge


@pytest.fixture
def sharded_world(tmp_path: Path) -> Any:
    with Emulator(page_hosts=3) as emulator:
        refs = make_references(60, seed=11, url_share=0.3, page_hosts=3)
        emulator.patch_world(make_world(refs))
        bases = [emulator.page_url("", host=h).removesuffix("/pages") for h in range(3)]
        collection = write_collection(tmp_path / "collection", refs, 4, bases)
        (collection / "planted.bib").write_text(PLANTED.read_text("utf-8"), encoding="utf-8")
        (collection / "seed.bib").write_text(SEED_BIB.read_text("utf-8"), encoding="utf-8")
        yield emulator, collection


def test_four_shards_merged_equal_the_unsharded_run(sharded_world: Any, tmp_path: Path) -> None:
    emulator, collection = sharded_world
    flags = (str(collection), "--allow-private-urls", *FAST)
    whole = run_cli("check", *flags, *JSON, env=env_for(emulator, tmp_path / "whole"))
    assert whole.code == 1, whole.stderr  # planted.bib has broken references
    asked_whole = emulator.stats()["services"]["crossref"]["asked"]
    shard_files = []
    for k in range(1, 5):
        run = run_cli(
            "check", *flags, *JSON, "--shard", f"{k}/4", env=env_for(emulator, tmp_path / f"s{k}")
        )
        assert run.code == 0, run.stderr
        shard_files.append(tmp_path / f"shard{k}.json")
        shard_files[-1].write_text(run.stdout, encoding="utf-8")
        assert run.json()["shard"]["index"] == k
    own = [json.loads(p.read_text("utf-8"))["references"] for p in shard_files]
    assert 0 < sum(len(o) for o in own) < whole.json()["summary"]["total"]  # some span shards

    merged = run_cli("merge", *map(str, shard_files), "-f", "json")
    assert merged.code == whole.code, merged.stderr
    assert without_requests(merged.json()) == without_requests(whole.json())
    # Each identifier was asked by exactly one shard, as the unsharded run asked it (a
    # Crossref 404 is confirmed by a second request) — the emulator counts them …
    asked = emulator.stats()["services"]["crossref"]["asked"]
    assert asked == {doi: 2 * n for doi, n in asked_whole.items()}
    # … and the merged report is the unsharded one in every format.
    for fmt in ("text", "markdown", "sarif", "junit", "github"):
        merged_fmt = run_cli("merge", *map(str, shard_files), "-f", fmt)
        whole_fmt = run_cli(
            "check", *flags, "--no-lockfile", "-f", fmt, env=env_for(emulator, tmp_path / "whole")
        )
        assert merged_fmt.code == whole_fmt.code == 1, merged_fmt.stderr
        assert merged_fmt.stdout == whole_fmt.stdout, fmt


def test_merge_refuses_reports_that_do_not_fit(sharded_world: Any, tmp_path: Path) -> None:
    emulator, collection = sharded_world
    flags = (str(collection), "--allow-private-urls", "--no-links", *JSON)
    one = run_cli("check", *flags, "--shard", "1/2", env=env_for(emulator, tmp_path / "c"))
    assert one.code == 0, one.stderr
    path = tmp_path / "one.json"
    path.write_text(one.stdout, encoding="utf-8")
    missing = run_cli("merge", str(path))
    assert missing.code == 2 and "shard(s) 2/2 missing" in missing.stderr
    again = run_cli("merge", str(path), str(path))
    assert again.code == 2 and "again" in again.stderr
    plain = tmp_path / "plain.json"
    plain.write_text(run_cli("check", *flags, env=env_for(emulator, tmp_path / "c")).stdout)
    assert "not a shard report" in run_cli("merge", str(plain)).stderr
    two = run_cli("check", *flags, "--shard", "2/2", env=env_for(emulator, tmp_path / "c"))
    other = tmp_path / "two.json"
    other.write_text(two.stdout, encoding="utf-8")
    (collection / "seed.bib").write_text("% emptied\n", encoding="utf-8")
    changed = run_cli("merge", str(path), str(other))
    assert changed.code == 2 and "changed since the shards read it" in changed.stderr


def test_a_merge_reports_the_inputs_defects_notes_and_ignores_as_the_check_does(
    emulator: Emulator, tmp_path: Path
) -> None:
    """The merged report left out what the unsharded check says of the inputs themselves:
    an entry that does not parse (broken, and then in no report at all), a field given
    twice, the Latin-1 note, the --no-links note; and it showed findings the config
    ignores.  Now every format is the unsharded one."""
    work = tmp_path / "work"
    work.mkdir()
    planted = PLANTED.read_text("utf-8").replace("year", "year = {1999},\n  year", 1)
    web = "@misc{site,\n  title = {A page},\n  url = {https://example.org/a},\n}\n"
    broken = "@article{broken2001,\n  title = {Never closed,\n  year = 2001\n"
    (work / "planted.bib").write_text(planted + web + broken, encoding="utf-8")
    (work / "latin.bib").write_bytes("@book{b,\n  title = {Caf\u00e9},\n}\n".encode("latin-1"))
    (work / "citetrack.toml").write_text(
        '[[ignore]]\nrule = "retracted"\nkey = "quill2019zinc"\n', encoding="utf-8"
    )
    env = env_for(emulator, tmp_path / "cache")
    flags = ("planted.bib", "latin.bib", "--no-links", *FAST, "--no-lockfile")
    shards = []
    for k in (1, 2):
        run = run_cli("check", *flags, "-f", "json", "--shard", f"{k}/2", env=env, cwd=work)
        assert run.code == 0, run.stderr
        shards.append(tmp_path / f"s{k}.json")
        shards[-1].write_text(run.stdout, encoding="utf-8")
    for fmt in ("json", "text", "lines", "sarif"):
        merged = run_cli("merge", *map(str, shards), "-f", fmt, env=env, cwd=work)
        whole = run_cli("check", *flags, "-f", fmt, env=env, cwd=work)
        assert merged.code == whole.code == 1, merged.stderr
        if fmt == "json":
            report = merged.json()
            rules = {(r["key"], f["rule"]) for r in report["references"] for f in r["findings"]}
            defects = {("broken2001", "bib-syntax"), ("thiers2009cutaneous", "bib-duplicate-field")}
            assert defects <= rules
            assert any("Latin-1" in n for n in report["notes"]), report["notes"]
            assert any(n.startswith("--no-links") for n in report["notes"]), report["notes"]
            quill = next(r for r in report["references"] if r["key"] == "quill2019zinc")
            assert quill["status"] != "broken"
            assert without_requests(report) == without_requests(whole.json())
        else:
            assert merged.stdout == whole.stdout, fmt
