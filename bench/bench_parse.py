"""Parsing speed on 10,000 synthetic rendered references (labelled, generated from the devset).

    python bench/bench_parse.py [--count 10000] [--seed 1] [--repeat 3]
    python bench/bench_parse.py --source anystyle    # other styles: the trained labeller
    python bench/bench_parse.py --source anystyle --unnumbered   # the same, no list numbers

``--source anystyle`` times a numbered list (``1.`` … ``10000.``) of the labelled
strings of ``../shared/training/anystyle/train.xml`` (BSD-2-Clause, real references in
many styles, drawn with the seed), which the parser reads with its trained labeller;
only the speed is reported (those strings trained the model, so accuracy on them means
nothing: see ``bench/parse_cv.py``).

SYNTHETIC DATA.  Each reference is a real devset line (``tests/data/parse/devset``,
CC BY-SA, Wikipedia contributors) varied so that the parser sees new text, with its gold
label varied the same way:

* the back-link marker is drawn anew (``^``, ``^ a b``, ``^ a b c d``, ``^ Jump up to: a b c``);
* every labelled number that occurs once in the line is replaced by another of the
  same length (year → another year, volume, issue, PMID, the last digit group of the DOI
  — so the text, the label and the identifiers move together);
* the title is swapped with the title of another labelled line of the same type where
  it is printed in quotes.

The whole list is parsed as one text with ``citetrack.parse.parse_text``; the script
prints references per second and the total time (best of ``--repeat`` runs), then the
field accuracy against the varied labels, as a check that the generated text still
reads like a reference list.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.devset_accuracy import DEFAULT_DEVSET, FIELDS, extract, same  # noqa: E402
from citetrack.parse import parse_text  # noqa: E402

# One marker on every line: in a text with back-linked items, unmarked lines are article text.
_MARKERS = ("^ ", "^ a b ", "^ a b c d ", "^ Jump up to: a b c ")
_VARIED = ("year", "volume", "issue", "pmid")


def _gold(devset: Path) -> list[dict[str, str | None]]:
    """Every gold label with the text of its line (markers stripped)."""
    rows = []
    cache: dict[str, list[str]] = {}
    for line in (devset / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        source = gold["source_file"]
        lines = cache.setdefault(source, (devset / source).read_text(encoding="utf-8").splitlines())
        text = re.sub(r"^\^ (?:[a-z] )*", "", lines[gold["ref_index"] - 1])
        rows.append({**{k: gold[k] for k in FIELDS}, "text": text})
    return rows


def _other_number(rng: random.Random, value: str) -> str:
    """A different number of the same length (a year stays a plausible year)."""
    if len(value) == 4 and value[:2] in ("19", "20"):
        return str(rng.randint(1950, 2024))
    low = 10 ** (len(value) - 1) if len(value) > 1 else 1
    return str(rng.randint(low, 10 ** len(value) - 1))


def _vary(
    rng: random.Random, row: dict[str, str | None], titles: dict[str, list[str]]
) -> dict[str, str | None]:
    out = dict(row)
    text = str(row["text"])
    for name in _VARIED:
        value = out[name]
        if value and value.isdigit() and len(re.findall(rf"\b{value}\b", text)) == 1:
            new = _other_number(rng, value)
            text = re.sub(rf"\b{value}\b", new, text)
            out[name] = new
    doi = out["doi"]
    if doi and text.count(doi) == 1:
        tail = re.search(r"\d+$", doi)
        if tail:
            new_doi = doi[: tail.start()] + _other_number(rng, tail.group(0))
            text = text.replace(doi, new_doi)
            out["doi"] = new_doi
    title = out["title"]
    pool = titles.get(str(out["type"]), [])
    if title and f'"{title}"' in text and pool:
        new_title = rng.choice(pool)
        text = text.replace(f'"{title}"', f'"{new_title}"', 1)
        out["title"] = new_title
    out["text"] = rng.choice(_MARKERS) + text
    return out


def generate(count: int, seed: int, devset: Path = DEFAULT_DEVSET) -> list[dict[str, str | None]]:
    """``count`` synthetic labelled references (deterministic for a seed)."""
    rng = random.Random(seed)
    rows = _gold(devset)
    titles: dict[str, list[str]] = {}
    for row in rows:
        title = row["title"]
        if title and f'"{title}"' in str(row["text"]) and '"' not in title:
            titles.setdefault(str(row["type"]), []).append(title)
    return [_vary(rng, rng.choice(rows), titles) for _ in range(count)]


def _time_anystyle(count: int, seed: int, repeat: int, unnumbered: bool = False) -> int:
    from bench.train_parser import DEFAULT_DATA  # noqa: PLC0415
    from citetrack.parse.crf.dataset import read_sequences  # noqa: PLC0415
    from citetrack.parse.route import parse_item_routed  # noqa: PLC0415

    sequences = read_sequences(DEFAULT_DATA)
    rng = random.Random(seed)
    strings = [
        " ".join(t for label, t in rng.choice(sequences) if label != "citation-number")
        for _ in range(count)
    ]
    text = "\n".join(s if unnumbered else f"{n}. {s}" for n, s in enumerate(strings, start=1))
    parse_text("1. Warm-up, A. (2001). Loads the model. Journal, 1, 1-2.", "text")
    best = best_cpu = float("inf")
    result = parse_text(text, "text")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = parse_text(text, "text")
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    from citetrack.parse.items import find_items  # noqa: PLC0415

    paths = [parse_item_routed(item)[1] for item in find_items(text)[0][:500]]
    print(f"references: {count}  parsed entries: {len(result.references)}")
    print(
        f"paths of the first 500: rules {paths.count('rules')}, "
        f"NLM reader {paths.count('nlm')}, labeller {paths.count('crf')}"
    )
    print(
        f"total: {best:.2f} s wall, {best_cpu:.2f} s CPU  "
        f"({count / best:,.0f} references/second wall, best of {repeat})"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--source", choices=("devset", "anystyle"), default="devset")
    parser.add_argument(
        "--unnumbered",
        action="store_true",
        help="with --source anystyle: one reference per line without list numbers, as "
        "APA and Harvard lists are pasted (the list is then found by its lines alone)",
    )
    args = parser.parse_args(argv)
    if args.source == "anystyle":
        return _time_anystyle(args.count, args.seed, args.repeat, args.unnumbered)
    rows = generate(args.count, args.seed)
    text = "\n".join(str(r["text"]) for r in rows)
    best = best_cpu = float("inf")
    result = parse_text(text, "text")
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = parse_text(text, "text")
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    refs = len(result.references)
    print(f"synthetic references: {len(rows)}  parsed entries: {refs}")
    print(
        f"total: {best:.2f} s wall, {best_cpu:.2f} s CPU  "
        f"({len(rows) / best:,.0f} references/second wall, best of {args.repeat})"
    )
    first: dict[int, int] = {}
    for i, ref in enumerate(result.references):
        first.setdefault(ref.line or 0, i)
    right = total = 0
    for line_no, row in enumerate(rows, start=1):
        got = (
            extract(result.references[first[line_no]])
            if line_no in first
            else dict.fromkeys(FIELDS)
        )
        for name in FIELDS:
            total += 1
            right += same(name, row[name], got[name])
    print(f"field accuracy on the synthetic labels: {right / total:.1%} ({right}/{total})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
