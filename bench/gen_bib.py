"""SYNTHETIC bibliographies for the ``citetrack check`` benchmark, with a matching emulator world.

    python bench/gen_bib.py --count 1000 --bib refs.bib --world world.json \
        --page-base http://127.0.0.2:8765 --page-base http://127.0.0.3:8765

Everything made here is synthetic and says so: the DOIs use Crossref's test prefix
``10.5555`` with a ``synthetic`` suffix, the PMIDs start at 90,000,000 (far above the
real ones of today), every world record carries ``"_synthetic": true``, and the .bib
starts with a comment saying it is generated.

Reference *i* is a journal article with a DOI and a PMID.  A share of the references
(``url_share``, 20 % by default) also cites a web page on one of the page hosts (round
robin, so the pages spread evenly over the hosts).  The world holds, for each reference,
the Crossref work, the PubMed DocSum and the page, all agreeing with the .bib entry, so a
correct check reports every reference ``ok`` — the benchmark checks that, so that a fast
run is also a run that really checked.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DOI_PREFIX = "10.5555"
PMID_BASE = 90_000_000
_FAMILIES = (
    "Smith",
    "Garcia",
    "Müller",
    "Rossi",
    "Tanaka",
    "Okafor",
    "Novak",
    "Silva",
    "Kowalski",
    "Jensen",
    "Haddad",
    "Nguyen",
    "Andersson",
    "Dubois",
    "Moreau",
    "Ivanova",
    "Costa",
    "Fischer",
    "Kim",
    "Patel",
    "O'Brien",
    "Van",
    "der",
    "Berg",
)
_GIVEN = (
    "Anna",
    "Björn",
    "Chen",
    "David",
    "Elif",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kwame",
    "Lena",
    "Marta",
    "Noor",
)
_WORDS = (
    "cutaneous",
    "glucagon",
    "erythema",
    "migratory",
    "necrolytic",
    "zinc",
    "deficiency",
    "pancreatic",
    "tumour",
    "syndrome",
    "outcomes",
    "cohort",
    "randomised",
    "trial",
    "review",
    "pathology",
    "skin",
    "lesions",
    "therapy",
    "diagnosis",
    "clinical",
    "features",
    "hepatic",
    "amino",
    "acid",
    "management",
)
_JOURNALS = (
    ("Journal of Synthetic Dermatology", "J Synth Dermatol"),
    ("Synthetic Endocrinology Reports", "Synth Endocrinol Rep"),
    ("Archives of Generated Medicine", "Arch Gen Med"),
    ("Emulated Clinical Oncology", "Emul Clin Oncol"),
)
_MONTHS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


@dataclass(frozen=True)
class Reference:
    """One synthetic reference: what the .bib says and what every registry knows."""

    index: int
    doi: str
    pmid: str
    title: str
    authors: tuple[tuple[str, str], ...]  # (family, given)
    journal: tuple[str, str]  # (full, ISO abbreviation)
    year: int
    month: int
    volume: str
    issue: str
    first_page: int
    last_page: int
    page_path: str | None  # path of its cited page on the page hosts, if any
    page_host: int | None  # which page host (0-based index into the page bases)

    @property
    def key(self) -> str:
        return f"synthetic{self.index:05d}"


def make_references(
    count: int, *, seed: int = 1, url_share: float = 0.2, page_hosts: int = 50
) -> list[Reference]:
    """``count`` synthetic references; every ``1/url_share``-th one cites a page."""
    rng = random.Random(seed)
    every = round(1 / url_share) if url_share > 0 else 0
    refs: list[Reference] = []
    cited_pages = 0
    for i in range(count):
        authors = tuple(
            (rng.choice(_FAMILIES), rng.choice(_GIVEN)) for _ in range(rng.randint(1, 6))
        )
        title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 10))).capitalize()
        first = rng.randint(1, 900)
        has_page = bool(every) and i % every == 0 and page_hosts > 0
        refs.append(
            Reference(
                index=i,
                doi=f"{DOI_PREFIX}/synthetic.{seed}.{i}",
                pmid=str(PMID_BASE + seed * 1_000_000 + i),
                title=f"{title} (synthetic {i})",
                authors=authors,
                journal=rng.choice(_JOURNALS),
                year=rng.randint(1990, 2024),
                month=rng.randint(1, 12),
                volume=str(rng.randint(1, 120)),
                issue=str(rng.randint(1, 12)),
                first_page=first,
                last_page=first + rng.randint(0, 20),
                page_path=f"/synthetic/{seed}/{i}" if has_page else None,
                page_host=cited_pages % page_hosts if has_page else None,
            )
        )
        cited_pages += has_page
    return refs


# ------------------------------------------------------------------------------ world


def _crossref_work(ref: Reference) -> dict[str, Any]:
    """A ``/works/{doi}`` message in Crossref's shape (fields citetrack reads, and a few more)."""
    return {
        "DOI": ref.doi,
        "type": "journal-article",
        "prefix": DOI_PREFIX,
        "member": "7822",
        "publisher": "Synthetic Publishing",
        "title": [ref.title],
        "author": [
            {"given": g, "family": f, "sequence": "first" if n == 0 else "additional"}
            for n, (f, g) in enumerate(ref.authors)
        ],
        "container-title": [ref.journal[0]],
        "short-container-title": [ref.journal[1]],
        "issued": {"date-parts": [[ref.year, ref.month]]},
        "published-print": {"date-parts": [[ref.year, ref.month]]},
        "volume": ref.volume,
        "issue": ref.issue,
        "page": f"{ref.first_page}-{ref.last_page}",
        "ISSN": ["0000-0000"],
        "resource": {"primary": {"URL": f"https://synthetic.invalid/{ref.doi}"}},
        "source": "Crossref",
        "_synthetic": True,
    }


def _initials(given: str) -> str:
    return "".join(part[0] for part in given.split() if part)


def _pubmed_docsum(ref: Reference) -> dict[str, Any]:
    """An esummary DocSum (every scalar a string, as NCBI writes them)."""
    return {
        "uid": ref.pmid,
        "pubdate": f"{ref.year} {_MONTHS[ref.month - 1]}",
        "source": ref.journal[1],
        "authors": [
            {"name": f"{f} {_initials(g)}", "authtype": "Author", "clusterid": ""}
            for f, g in ref.authors
        ],
        "lastauthor": f"{ref.authors[-1][0]} {_initials(ref.authors[-1][1])}",
        "title": f"{ref.title}.",
        "volume": ref.volume,
        "issue": ref.issue,
        "pages": f"{ref.first_page}-{ref.last_page}",
        "lang": ["eng"],
        "pubtype": ["Journal Article"],
        "articleids": [
            {"idtype": "pubmed", "idtypen": 1, "value": ref.pmid},
            {"idtype": "doi", "idtypen": 3, "value": ref.doi},
        ],
        "fulljournalname": ref.journal[0],
        "elocationid": f"doi: {ref.doi}",
        "_synthetic": True,
    }


def make_world(refs: Sequence[Reference]) -> dict[str, Any]:
    """The emulator world in which every reference of ``refs`` checks out."""
    return {
        "_synthetic": "generated by bench/gen_bib.py for the check benchmark",
        "crossref_works": {r.doi: _crossref_work(r) for r in refs},
        "pubmed": {r.pmid: _pubmed_docsum(r) for r in refs},
        "pages": {r.page_path: {"title": r.title, "_synthetic": True} for r in refs if r.page_path},
    }


# -------------------------------------------------------------------------------- .bib


def _bib_entry(ref: Reference, page_bases: Sequence[str]) -> str:
    authors = " and ".join(f"{f}, {g}" for f, g in ref.authors)
    fields = [
        ("author", authors),
        ("title", ref.title),
        ("journal", ref.journal[0]),
        ("year", str(ref.year)),
        ("volume", ref.volume),
        ("number", ref.issue),
        ("pages", f"{ref.first_page}--{ref.last_page}"),
        ("doi", ref.doi),
        ("pmid", ref.pmid),
    ]
    if ref.page_path is not None and ref.page_host is not None:
        base = page_bases[ref.page_host % len(page_bases)].rstrip("/")
        fields.append(("url", f"{base}/pages{ref.page_path}"))
        fields.append(("urldate", "2024-01-15"))
    width = max(len(name) for name, _ in fields)
    body = "".join(f"  {name:<{width}} = {{{value}}},\n" for name, value in fields)
    return f"@article{{{ref.key},\n{body}}}\n"


def make_bib(refs: Sequence[Reference], page_bases: Sequence[str]) -> str:
    """The .bib text; ``page_bases`` are ``http://host:port`` of the emulator's page hosts."""
    if any(r.page_path for r in refs) and not page_bases:
        raise ValueError("references cite pages but no page host was given")
    header = (
        f"% SYNTHETIC bibliography of {len(refs)} references, generated by bench/gen_bib.py\n"
        "% for the citetrack check benchmark. No entry describes a real work.\n\n"
    )
    return header + "\n".join(_bib_entry(r, page_bases) for r in refs)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url-share", type=float, default=0.2)
    parser.add_argument("--bib", type=Path, required=True)
    parser.add_argument("--world", type=Path, required=True)
    parser.add_argument(
        "--page-base",
        action="append",
        default=[],
        help="http://HOST:PORT of a page host (repeat; the emulator's --page-hosts)",
    )
    args = parser.parse_args(argv)
    hosts = max(1, len(args.page_base))
    refs = make_references(args.count, seed=args.seed, url_share=args.url_share, page_hosts=hosts)
    args.world.write_text(json.dumps(make_world(refs), ensure_ascii=False), encoding="utf-8")
    args.bib.write_text(make_bib(refs, args.page_base), encoding="utf-8")
    print(f"wrote {args.bib} ({len(refs)} references) and {args.world}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
