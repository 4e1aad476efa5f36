"""False-match rate of the identifier search (issue 13): hide known identifiers, search, compare.

The labelled set: every reference with a DOI or PMID, a title, a first author and a year
in the parsing devset gold (``tests/data/parse/devset/gold.jsonl``, hand-labelled) and in
the real .bib files of ``tests/data/bib/`` (credited in its README).  Their identifiers
are the labels.

The registries: a fresh emulator whose world holds, built from each labelled reference's
own fields, a Crossref work under its DOI and a PubMed record under its PMID, plus
near-miss DISTRACTORS for every reference (SYNTHETIC, DOIs under 10.5555, PMIDs from
98,000,000):

* ``other-author``: the same title and year, another first author;
* ``later``: the same title and first author, three years later;
* ``sequel``: the same first author and year, the title with "Part II" appended;
* ``subtitle``: the same first author, the title with an added subtitle, one year later;
* ``one-word``: the same first author and year, one content word of the title replaced.

The true record is left out for every other reference (``--absent-every``, default 2):
registries are incomplete, and then only distractors can be found — any fill is wrong.

The run: the references are written without ``doi``/``pmid``/``pmcid``/``url``/``isbn``/
``eprint``/``note`` and checked in-process (``check_references``, registries only; client
pacing raised and the emulator announcing high limits: this measures matching, not
speed).  A ``missing-identifier`` suggestion equal to a hidden label is a correct fill;
any other suggestion is a **false match**.

    python bench/search_false_match.py            # prints a table; --json FILE saves it
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from citetrack.identifiers import extract_identifiers
from citetrack.inputs.bib import escape_value, loads_bib
from citetrack.model import Reference
from citetrack.net import NetConfig, RateSpec
from citetrack.pipeline import CheckOptions, check_references
from citetrack.rules.fields import extract_years, parse_pages, split_authors
from citetrack.rules.text import to_plain
from citetrack.tracking.cache import CacheMode
from citetrack_emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "tests" / "data" / "parse" / "devset" / "gold.jsonl"
BIBS = sorted((ROOT / "tests" / "data" / "bib").glob("*.bib"))
HIDDEN = {"doi", "pmid", "pmcid", "url", "isbn", "eprint", "note", "howpublished", "pmc"}
FAST = RateSpec(200.0, 20)


# ----------------------------------------------------------------------- labelled set


def _labelled_from_bibs() -> Iterator[tuple[str, Reference]]:
    for path in BIBS:
        bib = loads_bib(path.read_text(encoding="utf-8", errors="replace"), str(path.name))
        for ref in bib.references:
            yield path.name, ref


def _labelled_from_devset() -> Iterator[tuple[str, Reference]]:
    for n, line in enumerate(DEVSET.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        if not row.get("title") or not row.get("first_author_family"):
            continue
        fields = {
            "author": f"{row['first_author_family']}, X.",
            "title": row["title"],
            "year": row.get("year") or "",
            "journal": row.get("journal") or "",
            "volume": row.get("volume") or "",
            "pages": (row.get("pages") or "").replace("–", "--"),
            "doi": row.get("doi") or "",
            "pmid": row.get("pmid") or "",
        }
        fields = {k: v for k, v in fields.items() if v}
        ids = extract_identifiers(fields)[0]
        yield "devset", Reference(f"devset{n}", row.get("type") or "article", fields, ids)


def labelled() -> list[tuple[str, Reference]]:
    """(origin, reference) with a DOI or PMID, a title, a first author family and a year."""
    out: list[tuple[str, Reference]] = []
    seen: set[str] = set()
    for origin, ref in [*_labelled_from_devset(), *_labelled_from_bibs()]:
        ids = ref.identifiers
        authors = split_authors(ref.get("author")).authors
        title = to_plain(ref.get("title") or "").strip()
        if not (ids.doi or ids.pmid) or not authors or not authors[0].family or not title:
            continue
        if not extract_years(ref.get("year") or ref.get("date")):
            continue
        label = ids.doi or ids.pmid or ""
        if label in seen:
            continue
        seen.add(label)
        out.append((origin, ref))
    return out


# ----------------------------------------------------------------------------- world


def _people(ref: Reference) -> list[tuple[str, str]]:
    return [(a.family, a.given) for a in split_authors(ref.get("author")).authors if a.family][:10]


def _work(doi: str, title: str, people: list[tuple[str, str]], year: int, ref: Reference,
          page_shift: int = 0) -> dict[str, Any]:  # fmt: skip
    pages = parse_pages(ref.get("pages"))
    work: dict[str, Any] = {
        "DOI": doi,
        "type": "journal-article",
        "title": [title],
        "author": [
            {"family": f, "given": g, "sequence": "first" if i == 0 else "additional"}
            for i, (f, g) in enumerate(people)
        ],
        "issued": {"date-parts": [[year]]},
        "container-title": [to_plain(ref.get("journal") or ref.get("booktitle") or "")],
        "volume": to_plain(ref.get("volume") or ""),
        "_synthetic": True,
    }
    if pages and pages.start.isdigit():
        work["page"] = str(int(pages.start) + page_shift)
    return work


def _docsum(pmid: str, title: str, people: list[tuple[str, str]], year: int, ref: Reference,
            page_shift: int = 0) -> dict[str, Any]:  # fmt: skip
    pages = parse_pages(ref.get("pages"))
    initials = ["".join(w[0] for w in re.findall(r"[A-Za-z]+", g))[:2].upper() for _, g in people]
    first_page = str(int(pages.start) + page_shift) if pages and pages.start.isdigit() else ""
    return {
        "uid": pmid,
        "pubdate": str(year),
        "source": to_plain(ref.get("journal") or ""),
        "fulljournalname": to_plain(ref.get("journal") or ""),
        "title": title + ".",
        "volume": to_plain(ref.get("volume") or ""),
        "pages": first_page,
        "authors": [
            {"name": f"{f} {i}".strip(), "authtype": "Author", "clusterid": ""}
            for (f, _), i in zip(people, initials, strict=True)
        ],
        "_synthetic": True,
    }


_WORD = re.compile(r"[A-Za-z]{5,}")


def _one_word(title: str) -> str | None:
    words = _WORD.findall(title)
    if not words:
        return None
    target = max(words, key=len)
    return title.replace(
        target, "Characteristics" if target != "Characteristics" else "Features", 1
    )


def distractor_titles(title: str) -> dict[str, str]:
    out = {"sequel": f"{title}: Part II", "subtitle": f"{title}: a follow-up study"}
    changed = _one_word(title)
    if changed and changed != title:
        out["one-word"] = changed
    return out


def build_world(
    refs: list[tuple[str, Reference]], absent_every: int
) -> tuple[dict[str, Any], set[int]]:
    works: dict[str, Any] = {}
    pubmed: dict[str, Any] = {}
    absent: set[int] = set()
    serial = 0
    for n, (_, ref) in enumerate(refs):
        title = to_plain(ref.get("title") or "").strip()
        people = _people(ref)
        year = extract_years(ref.get("year") or ref.get("date"))[0]
        ids = ref.identifiers
        if absent_every and n % absent_every == 1:
            absent.add(n)
        else:
            if ids.doi:
                works[ids.doi] = _work(ids.doi, title, people, year, ref)
            if ids.pmid:
                pubmed[ids.pmid] = _docsum(ids.pmid, title, people, year, ref)
        other = [("Zzyzx", "Q."), *people[1:]]
        variants = [
            ("other-author", title, other, year),
            ("later", title, people, year + 3),
        ]
        for kind, changed in distractor_titles(title).items():
            variants.append((kind, changed, people, year + (1 if kind == "subtitle" else 0)))
        for kind, t, who, y in variants:
            serial += 1
            doi = f"10.5555/distractor.{serial}.{kind}"
            works[doi] = _work(doi, t, who, y, ref, page_shift=100)
            if ids.pmid:
                pubmed[str(98_000_000 + serial)] = _docsum(
                    str(98_000_000 + serial), t, who, y, ref, page_shift=100
                )
    world = {
        "_synthetic": "SYNTHETIC world for bench/search_false_match.py (records rebuilt from "
        "the labelled citations' own fields, plus distractors)",
        "crossref_works": works,
        "pubmed": pubmed,
    }
    return world, absent


def hidden(ref: Reference, n: int) -> Reference:
    fields = {k: v for k, v in ref.fields.items() if k not in HIDDEN}
    text = "@article{k%d,\n%s}\n" % (  # noqa: UP031
        n,
        "".join(f"  {k} = {{{escape_value(k, to_plain(v))}}},\n" for k, v in fields.items()),
    )
    (loaded,) = loads_bib(text, f"hidden{n}.bib").references
    return replace(loaded, entry_type=ref.entry_type if ref.entry_type else "article")


# ------------------------------------------------------------------------------- run


def run(absent_every: int) -> dict[str, Any]:
    refs = labelled()
    world, absent = build_world(refs, absent_every)
    searched = [hidden(ref, n) for n, (_, ref) in enumerate(refs)]
    # The emulator announces its limits in headers the client adopts: announce fast ones.
    fast = {"rate": 200, "concurrency": 20}
    limits = {"crossref": fast, "eutils": {"rate": 200}, "enforce": False}
    with Emulator(world, limits=limits) as emu:
        env = emu.env()
        net = NetConfig(
            mailto="bench@example.org",
            crossref_url=env["CITETRACK_CROSSREF_URL"],
            eutils_url=env["CITETRACK_EUTILS_URL"],
            idconv_url=env["CITETRACK_IDCONV_URL"],
            doi_url=env["CITETRACK_DOI_URL"],
            wayback_url=env["CITETRACK_WAYBACK_URL"],
            crossref_single_rate=FAST,
            crossref_list_rate=FAST,
            ncbi_rate=FAST,
            http2=False,
        )
        options = CheckOptions(links=False, cache_mode=CacheMode.NO_CACHE, net=net)
        started = time.monotonic()
        result = asyncio.run(check_references(searched, options))
        elapsed = time.monotonic() - started
        requests = emu.stats()["requests"]
    outcome: Counter[str] = Counter()
    by_origin: dict[str, Counter[str]] = {}
    false_matches: list[dict[str, str]] = []
    for n, ((origin, ref), rr) in enumerate(zip(refs, result.results, strict=True)):
        labels = {"doi": ref.identifiers.doi, "pmid": ref.identifiers.pmid}
        fills = [f for f in rr.findings if f.rule == "missing-identifier" and f.suggestion]
        wrong = [
            f
            for f in fills
            if (f.suggestion or "").lower() != (labels.get(f.field or "") or "").lower()
            or n in absent
        ]
        rules = {f.rule for f in rr.findings}
        if wrong:
            kind = "false match"
            false_matches += [
                {"origin": origin, "title": ref.get("title") or "", "field": f.field or "",
                 "label": labels.get(f.field or "") or "", "suggested": f.suggestion or ""}
                for f in wrong
            ]  # fmt: skip
        elif fills:
            kind = "correct fill"
        elif "identifier-candidates" in rules:
            kind = "note (candidates)"
        else:
            kind = "not found"
        key = f"{'absent' if n in absent else 'present'}: {kind}"
        outcome[key] += 1
        by_origin.setdefault(origin, Counter())[kind] += 1
    return {
        "references": len(refs),
        "true_record_absent": len(absent),
        "distractors": len(world["crossref_works"])
        + len(world["pubmed"])
        - (len(refs) - len(absent)),
        "outcomes": dict(sorted(outcome.items())),
        "by_origin": {k: dict(v) for k, v in sorted(by_origin.items())},
        "false_matches": false_matches,
        "false_match_count": len(false_matches),
        "seconds": round(elapsed, 1),
        "emulator_requests": requests,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--absent-every", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    report = run(args.absent_every)
    shown = {k: v for k, v in report.items() if k != "false_matches"}
    print(json.dumps(shown, indent=2))
    for fm in report["false_matches"][:20]:
        print("FALSE MATCH:", fm)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 1 if report["false_match_count"] else 0


if __name__ == "__main__":
    sys.exit(main())
