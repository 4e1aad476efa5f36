"""Identifier search under the registries' published limits (issue 13).

A SYNTHETIC bibliography (``gen_bib.make_references``) of ``--size`` references: the first
half cite DOI and PMID; the second half cite neither, and of those 60 % are journal
articles PubMed indexes (ECitMatch finds them), 20 % book chapters PubMed indexes (only the
title/author ESearch finds them: no journal, volume or page) and 20 % articles only Crossref
knows (found by ``query.bibliographic``).  The emulator world holds every record, enforces
the published limits (``limits="published"``: E-utilities 3/s, Crossref polite lists 3/s)
and adds 100 ms latency.  The real CLI runs once, cold cache, no links.

The floor is what the limits allow for the requests the plan needs: the slower of
E-utilities (its requests / 3 per second) and Crossref lists (its requests / 3 per
second).  Needed requests: ECitMatch ⌈articles/100⌉; one ESearch per reference ECitMatch
did not resolve; esummary ⌈PMIDs/200⌉ for the cited PMIDs plus one per search wave with
hits; Crossref ⌈DOIs/50⌉ DOI batches plus one query per reference PubMed did not resolve.

    python bench/search_budget.py --size 2000         # ~3 minutes
    python bench/search_budget.py --size 10000        # ~15 minutes
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_bib import (
    Reference,
    _crossref_work,
    _initials,
    _pubmed_docsum,
    make_references,
)

from citetrack_emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent


def _entry(ref: Reference, kind: str) -> str:
    authors = " and ".join(f"{f}, {g}" for f, g in ref.authors)
    fields = [("author", authors), ("title", ref.title), ("year", str(ref.year))]
    entry_type = "article"
    if kind == "chapter":
        entry_type = "incollection"
        fields += [("booktitle", "Synthetic Handbook"), ("publisher", "Synthetic Press")]
    else:
        fields += [
            ("journal", ref.journal[0]),
            ("volume", ref.volume),
            ("number", ref.issue),
            ("pages", f"{ref.first_page}--{ref.last_page}"),
        ]
    if kind == "cited":
        fields += [("doi", ref.doi), ("pmid", ref.pmid)]
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields)
    return f"@{entry_type}{{{ref.key},\n{body}}}\n"


def _chapter_docsum(ref: Reference) -> dict[str, Any]:
    return {
        "uid": ref.pmid,
        "pubdate": str(ref.year),
        "authors": [
            {"name": f"{f} {_initials(g)}", "authtype": "Author", "clusterid": ""}
            for f, g in ref.authors
        ],
        "title": ref.title,
        "doctype": "chapter",
        "booktitle": "Synthetic Handbook",
        "articleids": [{"idtype": "pubmed", "idtypen": 1, "value": ref.pmid}],
        "_synthetic": True,
    }


def build(size: int) -> tuple[str, dict[str, Any], dict[str, int]]:
    refs = make_references(size, seed=13, url_share=0)
    half = size // 2
    kinds: list[str] = []
    for i in range(size):
        if i < half:
            kinds.append("cited")
        else:
            j = (i - half) % 10
            kinds.append("pubmed" if j < 6 else "chapter" if j < 8 else "crossref")
    works: dict[str, Any] = {}
    pubmed: dict[str, Any] = {}
    for ref, kind in zip(refs, kinds, strict=True):
        if kind in ("cited", "crossref"):
            works[ref.doi] = _crossref_work(ref)
        if kind in ("cited", "pubmed"):
            pubmed[ref.pmid] = _pubmed_docsum(ref)
        if kind == "chapter":
            pubmed[ref.pmid] = _chapter_docsum(ref)
    bib = "% SYNTHETIC bibliography for bench/search_budget.py\n\n" + "\n".join(
        _entry(r, k) for r, k in zip(refs, kinds, strict=True)
    )
    world = {"_synthetic": "bench/search_budget.py", "crossref_works": works, "pubmed": pubmed}
    counts = {k: kinds.count(k) for k in ("cited", "pubmed", "chapter", "crossref")}
    return bib, world, counts


def floor(counts: dict[str, int], wave: int = 20) -> dict[str, float]:
    articles = counts["pubmed"] + counts["crossref"]
    unresolved = counts["chapter"] + counts["crossref"]
    waves = math.ceil(unresolved / wave)
    ncbi = (
        math.ceil(articles / 100)  # ECitMatch
        + math.ceil(counts["pubmed"] / 200)  # esummary of ECitMatch's PMIDs
        + unresolved  # one ESearch each
        + waves  # esummary of each wave's hits
        + math.ceil(counts["cited"] / 200)  # esummary of the cited PMIDs
    )
    crossref = math.ceil(counts["cited"] / 50) + counts["crossref"]
    return {
        "ncbi_requests": ncbi,
        "crossref_list_requests": crossref,
        "floor_s": round(max(ncbi / 3.0, crossref / 3.0), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    bib_text, world, counts = build(args.size)
    with (
        tempfile.TemporaryDirectory() as tmp,
        Emulator(world, limits="published", latency_ms=100) as emu,
    ):
        bib = Path(tmp) / "refs.bib"
        bib.write_text(bib_text, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("CITETRACK_")}
        env.update(emu.env())
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        cmd = [
            sys.executable, "-m", "citetrack", "check", str(bib), "--mailto",
            "bench@example.org", "--cache-dir", str(Path(tmp) / "cache"), "--no-links",
            "--no-lockfile", "--format", "json", "-q",
        ]  # fmt: skip
        started = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        wall = time.monotonic() - started
        stats = emu.stats()
    report = json.loads(proc.stdout)
    found = sum(
        1
        for r in report["references"]
        if any(f["rule"] == "missing-identifier" and f["suggestion"] for f in r["findings"])
    )
    services = stats["services"]
    result = {
        "size": args.size,
        "kinds": counts,
        "exit": proc.returncode,
        "wall_s": round(wall, 1),
        **floor(counts),
        "requests": {
            name: {"requests": s["requests"], "routes": s["routes"], "429": s["429"]}
            for name, s in services.items()
            if s["requests"]
        },
        "searched_found": found,
        "searched": args.size - counts["cited"],
        "summary": report["summary"],
    }
    result["wall_over_floor"] = round(result["wall_s"] / result["floor_s"], 2)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
