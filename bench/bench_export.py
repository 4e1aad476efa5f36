"""Benchmark: load + plan_local_fixes + apply_fixes on a 10,000-entry .bib.

The .bib is SYNTHETIC: it repeats the readable entries of the real files in
tests/data/bib (with their @string macros first), each copy under a new key
``<key>~syn<n>``, so that it has the real files' mix of layouts, LaTeX and identifiers.

    python bench/bench_export.py [--entries 10000] [--rounds 3] [--keep FILE]

Prints the best of ``--rounds`` timings, in seconds, for each stage, and how long
bibtexparser's own splitting takes (the part of loading that is not citetrack's).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bibtexparser.entrypoint import parse_string

from citetrack.export import export_bib, plan_local_fixes, unified_diff
from citetrack.inputs.bib import load_bib

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "bib"
HEAD = re.compile(r"@\w*[ \t]*[{(]\s*")
STRING_BLOCK = re.compile(r"(?im)^@string\s*\{[^\n]*\}\s*$")
T = TypeVar("T")


def synthetic_bib(entries: int) -> str:
    """A SYNTHETIC .bib of ``entries`` entries copied from the real test files."""
    strings: list[str] = []
    pool: list[tuple[str, int, int, str]] = []  # (entry text, key start, key end, key)
    for path in sorted(DATA.glob("*.bib")):
        bib = load_bib(path)
        strings += STRING_BLOCK.findall(bib.text)
        for layout in bib.layout:
            if layout.state != "ok":
                continue
            raw = bib.text[layout.start : layout.end].replace("\r\n", "\n")
            head = HEAD.match(raw)
            if head is None:
                continue
            pool.append((raw, head.end(), layout.key_end - layout.start, layout.key))
    parts = [
        "% SYNTHETIC benchmark input made by bench/bench_export.py: entries of the real\n"
        "% files in tests/data/bib repeated under new keys. Not a real bibliography.\n\n",
        "\n".join(dict.fromkeys(strings)) + "\n\n",
    ]
    for n in range(entries):
        raw, key_start, key_end, key = pool[n % len(pool)]
        parts.append(raw[:key_start] + f"{key}~syn{n}" + raw[key_end:] + "\n\n")
    return "".join(parts)


def best(rounds: int, work: Callable[[], T]) -> tuple[float, T]:
    """The fastest of ``rounds`` runs of ``work``, and its result."""
    times: list[float] = []
    result: T | None = None
    for _ in range(rounds):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    assert result is not None
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="also write the synthetic .bib here")
    args = parser.parse_args(argv)

    text = synthetic_bib(args.entries)
    if args.keep:
        args.keep.write_text(text, encoding="utf-8")
    kinds = frozenset({"identifiers", "pages"})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.bib"
        path.write_text(text, encoding="utf-8")
        t_split, _ = best(args.rounds, lambda: parse_string(text, parse_stack=[]))
        t_load, bib = best(args.rounds, lambda: load_bib(path))
        t_plan, fixes = best(args.rounds, lambda: plan_local_fixes(bib, kinds))
        t_apply, result = best(args.rounds, lambda: export_bib(bib, fixes))
        t_diff, diff = best(1, lambda: unified_diff(bib.text, result.text, "synthetic.bib"))

    total = t_load + t_plan + t_apply
    print(f"synthetic .bib: {len(bib.references)} entries, {len(text) / 1e6:.1f} MB")
    print(f"  of which bibtexparser split   {t_split:6.2f} s")
    print(f"load_bib                        {t_load:6.2f} s")
    print(f"plan_local_fixes                {t_plan:6.2f} s  ({len(fixes)} fixes)")
    print(
        f"apply_fixes                     {t_apply:6.2f} s  "
        f"({len(result.changes)} changes, {len(result.skipped)} refused)"
    )
    print(f"load + plan + apply             {total:6.2f} s")
    print(f"unified_diff (not in the total) {t_diff:6.2f} s  ({diff.count(chr(10))} lines)")
    print(f"python {sys.version.split()[0]}, best of {args.rounds} rounds (diff: 1 round)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
