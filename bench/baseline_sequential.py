"""The "without citetrack" baseline: what a user would script by hand, one reference at a time.

    python bench/baseline_sequential.py refs.bib --crossref-url http://127.0.0.1:P/crossref \
        --eutils-url http://127.0.0.1:P/eutils --mailto you@example.org

For every entry of the .bib, in order: the DOI with habanero (``Crossref(base_url=…,
mailto=…).works(ids=doi)``), the PMID with Biopython (``Entrez.esummary`` + ``Entrez.read``),
and the URL, if any, with a plain ``urllib`` GET.  That is the polite, obvious script:
habanero identifies itself with the mailto, ``Bio.Entrez`` keeps its own pace of one request
per 0.37 s (its answer to NCBI's 3 per second), and a 429 from Crossref is waited out as its
``Retry-After`` asks (habanero itself would raise).  It only fetches — it compares nothing —
so it is a generous baseline for a tool that also compares every field.

Pointing the libraries at the local emulator:

* habanero takes ``base_url``;
* ``Bio.Entrez`` (1.83 … 1.88) builds each E-utility URL inside its function
  (``cgi = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi"``) — there is no
  module-level constant to set — and hands it to the module function ``_build_request``,
  so that function is wrapped to swap the prefix.

Prints one JSON object (counts, errors, wall time) on standard output.  Needs the ``bench``
extra: ``pip install -e ".[bench]"`` (habanero, biopython).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx2  # habanero's HTTP client
from Bio import Entrez
from habanero import Crossref  # type: ignore[import-untyped]

NCBI_EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
MAX_429_WAITS = 5


def read_entries(path: Path) -> list[dict[str, str]]:
    """``doi`` / ``pmid`` / ``url`` of each entry, with the tiny .bib reader a script would
    use (the generated bibliographies put one ``name = {value},`` per line)."""
    entries: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("@"):
            entries.append({})
        elif entries and "=" in stripped:
            name, _, value = stripped.partition("=")
            entries[-1][name.strip().lower()] = value.strip().rstrip(",").strip("{}")
    return entries


def point_entrez_at(eutils_url: str) -> None:
    """Make ``Bio.Entrez`` send every request to ``eutils_url`` instead of NCBI."""
    original: Callable[..., Any] = Entrez._build_request
    if getattr(original, "_bench_wrapped", False):
        return

    def build_request(cgi: str, *args: Any, **kwargs: Any) -> Any:
        return original(cgi.replace(NCBI_EUTILS, eutils_url.rstrip("/"), 1), *args, **kwargs)

    build_request._bench_wrapped = True  # type: ignore[attr-defined]
    Entrez._build_request = build_request


def run(
    entries: Sequence[dict[str, str]], *, crossref_url: str, eutils_url: str, mailto: str
) -> dict[str, Any]:
    """Look every entry up, one after the other; return what happened."""
    point_entrez_at(eutils_url)
    Entrez.email = mailto  # type: ignore[assignment]
    Entrez.tool = "citetrack-bench-baseline"
    crossref = Crossref(base_url=crossref_url, mailto=mailto)
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    for entry in entries:
        if entry.get("doi"):
            for _ in range(MAX_429_WAITS + 1):
                try:
                    crossref.works(ids=entry["doi"])
                    counts["crossref_found"] += 1
                except httpx2.HTTPStatusError as exc:
                    if exc.response.status_code == 429:
                        counts["crossref_429"] += 1
                        time.sleep(float(exc.response.headers.get("retry-after", "1")))
                        continue
                    counts[f"crossref_{exc.response.status_code}"] += 1
                break
        if entry.get("pmid"):
            with Entrez.esummary(db="pubmed", id=entry["pmid"]) as handle:  # type: ignore[no-untyped-call]
                records = Entrez.read(handle)  # type: ignore[no-untyped-call]
            counts["pubmed_found" if records else "pubmed_missing"] += 1
        if entry.get("url"):
            try:
                with urllib.request.urlopen(entry["url"], timeout=30) as response:
                    response.read(64 * 1024)
                    counts[f"url_{response.status}"] += 1
            except urllib.error.HTTPError as exc:
                counts[f"url_{exc.code}"] += 1
            except (urllib.error.URLError, TimeoutError):
                counts["url_failed"] += 1
    return {
        "references": len(entries),
        "wall_s": round(time.perf_counter() - started, 3),
        "counts": dict(sorted(counts.items())),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("bib", type=Path)
    parser.add_argument("--crossref-url", required=True)
    parser.add_argument("--eutils-url", required=True)
    parser.add_argument("--mailto", required=True)
    args = parser.parse_args(argv)
    result = run(
        read_entries(args.bib),
        crossref_url=args.crossref_url,
        eutils_url=args.eutils_url,
        mailto=args.mailto,
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
