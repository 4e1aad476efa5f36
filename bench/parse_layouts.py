"""How a reference list's layout changes what `citetrack parse` reads (issue 15).

    python bench/parse_layouts.py [--count 300] [--seed 3] [--width 72]

The same references laid out as people paste them — one per line, numbered, wrapped at
``--width`` columns (with a hanging indent, and without: a PDF's copy), bulleted
Markdown, and run together on one line — each parsed as one text with
``citetrack.parse.parse_text``.  For each layout it prints how many entries came back
(the list holds ``--count``) and how many of them equal, field for field, what the same
reference gives parsed alone on a line of its own.  That second figure measures list
detection and joining only, not the labeller's accuracy (see ``bench/parse_cv.py``).

The references are labelled strings of ``../shared/training/anystyle/train.xml``
(BSD-2-Clause, real references in many styles), drawn with the seed; the layouts are
SYNTHETIC (made here with ``textwrap``).  Run it in two trees to compare them.
"""

from __future__ import annotations

import argparse
import random
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from citetrack.parse import parse_text  # noqa: E402
from citetrack.parse.crf.dataset import read_sequences  # noqa: E402

DATA = Path(
    __import__("os").environ.get("CITETRACK_TRAIN_XML")
    or ROOT.parent / "shared" / "training" / "anystyle" / "train.xml"
)


def strings(path: Path, count: int, seed: int) -> list[str]:
    """``count`` reference strings of the file, drawn with ``seed``."""
    texts = [" ".join(text for _, text in seq) for seq in read_sequences(path)]
    return random.Random(seed).sample(texts, count)


def layouts(width: int) -> dict[str, Callable[[list[str]], str]]:
    def wrap(text: str, first: str, rest: str) -> str:
        return "\n".join(
            textwrap.wrap(
                text,
                width,
                initial_indent=first,
                subsequent_indent=rest,
                break_on_hyphens=False,  # a join puts a blank back, not the hyphen's half
                break_long_words=False,
            )
        )

    def numbered(i: int) -> str:
        return f"{i}. "

    return {
        "one per line": "\n".join,
        "numbered, one per line": lambda refs: "\n".join(
            numbered(i) + r for i, r in enumerate(refs, 1)
        ),
        "numbered, wrapped, indented": lambda refs: "\n".join(
            wrap(r, numbered(i), "   ") for i, r in enumerate(refs, 1)
        ),
        "numbered, wrapped, no indent": lambda refs: "\n".join(
            wrap(r, numbered(i), "") for i, r in enumerate(refs, 1)
        ),
        "bare, wrapped, hanging indent": lambda refs: "\n".join(wrap(r, "", "    ") for r in refs),
        "bare, wrapped, no indent": lambda refs: "\n".join(wrap(r, "", "") for r in refs),
        "Markdown bullets": lambda refs: (
            "## References\n\n" + "\n".join(wrap(r, "- ", "  ") for r in refs)
        ),
        "numbered, run together on one line": lambda refs: " ".join(
            numbered(i) + r for i, r in enumerate(refs, 1)
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--width", type=int, default=72)
    args = parser.parse_args()
    refs = strings(DATA, args.count, args.seed)
    alone = [parse_text(r, "text").references for r in refs]
    expected = {_fields(found[0]) for found in alone if len(found) == 1}
    print(f"{args.count} references of train.xml, seed {args.seed}, width {args.width}")
    print(f"{'layout':38} {'entries':>8} {'as alone':>9}")
    for name, lay in layouts(args.width).items():
        got = parse_text(lay(refs), "text").references
        same = sum(1 for ref in got if _fields(ref) in expected)
        print(f"{name:38} {len(got):>8} {same:>9}")
    return 0


def _fields(ref: object) -> tuple[tuple[str, str], ...]:
    fields = getattr(ref, "fields", {})
    return tuple(sorted((k, v) for k, v in fields.items() if k != "note"))


if __name__ == "__main__":
    raise SystemExit(main())
