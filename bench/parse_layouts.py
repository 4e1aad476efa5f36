"""How a reference list's layout changes what `citetrack parse` reads (issue 15).

    python bench/parse_layouts.py [--count 300] [--seed 3] [--width 72]

The same references laid out as people paste them — one per line, numbered, wrapped at
``--width`` columns (with a hanging indent, and without: a PDF's copy), bulleted
Markdown, and run together on one line — each parsed as one text with
``citetrack.parse.parse_text``.  The "proportional" layouts wrap as a PDF set in Times
does (a line holds as many words as fit in ``--em`` ems by the font's advance widths, so
lines of one column hold from about 55 to 90 characters; "Helvetica, two columns" in
Helvetica at 0.7 of that width): what a copy from a typeset PDF gives, where a line's
length in characters varies.  For each layout it prints how many
entries came back (the list holds ``--count``) and how many of them equal, field for
field, what the same reference gives parsed alone on a line of its own; and, where the
references start on lines of their own, how many items start where no reference starts
("cut": a reference read as two) and how many references start where no item starts
("joined": a reference read as part of the one before, the silent error).  The second
figure measures list detection and joining only, not the labeller's accuracy (see
``bench/parse_cv.py``).

The references are labelled strings of ``../shared/training/anystyle/train.xml``
(BSD-2-Clause, real references in many styles), drawn with the seed; the layouts are
SYNTHETIC (made here with ``textwrap`` and :func:`proportional`).  Run it in two trees
to compare them.
"""

from __future__ import annotations

import argparse
import random
import sys
import textwrap
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from citetrack.parse import parse_text  # noqa: E402
from citetrack.parse.crf.dataset import read_sequences  # noqa: E402
from citetrack.parse.items import find_list  # noqa: E402

DATA = Path(
    __import__("os").environ.get("CITETRACK_TRAIN_XML")
    or ROOT.parent / "shared" / "training" / "anystyle" / "train.xml"
)


def strings(path: Path, count: int, seed: int) -> list[str]:
    """``count`` reference strings of the file, drawn with ``seed``."""
    texts = [" ".join(text for _, text in seq) for seq in read_sequences(path)]
    return random.Random(seed).sample(texts, count)


#: Advance widths of Times-Roman in thousandths of an em (Adobe's core-font metrics;
#: characters not listed count 500).
_TIMES = {
    **dict.fromkeys("acez", 444),
    **dict.fromkeys("bdghknopquvxy", 500),
    **dict.fromkeys("fr-()[]", 333),
    **dict.fromkeys("ijlt:;'", 278),
    "s": 389,
    "m": 778,
    "w": 722,
    " ": 250,
    ".": 250,
    ",": 250,
    "I": 333,
    "J": 389,
    **dict.fromkeys("EFLPSTZ", 590),
    **dict.fromkeys("BCR", 667),
    "M": 889,
    "W": 944,
    **dict.fromkeys("ADGHKNOQUVXY", 722),
}


#: Helvetica's (a sans-serif face, for a second font; characters not listed 556).
_HELVETICA = {
    **dict.fromkeys("ckstvxyz", 500),
    **dict.fromkeys("fjilt.,:;' ", 278),
    "i": 222,
    "j": 222,
    "l": 222,
    "r": 333,
    "m": 833,
    "w": 722,
    **dict.fromkeys("-()[]", 333),
    "I": 278,
    "J": 500,
    **dict.fromkeys("ABEKPSVXY", 667),
    **dict.fromkeys("FTZ", 611),
    "L": 556,
    **dict.fromkeys("CDHNRU", 722),
    **dict.fromkeys("GOQ", 778),
    "M": 833,
    "W": 944,
}


def proportional(text: str, ems: float, rest: str = "", font: dict[str, int] | None = None) -> str:
    """``text`` wrapped as a line ``ems`` wide holds it in ``font`` (Times when not
    given; greedy, as TeX's ragged-right or a word processor fills a line); ``rest``
    indents the wrapped lines."""
    widths, other = (_TIMES, 500) if font is None else (font, 556)
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else (rest if lines else "") + word
        if line and sum(widths.get(c, other) for c in candidate) > ems * 1000:
            lines.append(line)
            line = rest + word
        else:
            line = candidate
    return "\n".join([*lines, line])


class Layout(NamedTuple):
    """How one reference is laid out (its 1-based number, its text), what joins them, and
    what comes before the list."""

    piece: Callable[[int, str], str]
    sep: str = "\n"
    header: str = ""

    def text(self, refs: list[str]) -> str:
        return self.header + self.sep.join(self.piece(i, r) for i, r in enumerate(refs, 1))

    def starts(self, refs: list[str]) -> set[int] | None:
        """The 1-based line each reference starts on (``None``: all on one line)."""
        if "\n" not in self.sep:
            return None
        line = 1 + self.header.count("\n")
        starts = set()
        for i, r in enumerate(refs, 1):
            starts.add(line)
            line += self.piece(i, r).count("\n") + self.sep.count("\n")
        return starts


def layouts(width: int, ems: float = 32.0) -> dict[str, Layout]:
    def wrap(text: str, first: str = "", rest: str = "") -> str:
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

    return {
        "one per line": Layout(lambda i, r: r),
        "numbered, one per line": Layout(lambda i, r: f"{i}. {r}"),
        "numbered, wrapped, indented": Layout(lambda i, r: wrap(r, f"{i}. ", "   ")),
        "numbered, wrapped, no indent": Layout(lambda i, r: wrap(r, f"{i}. ")),
        "bare, wrapped, hanging indent": Layout(lambda i, r: wrap(r, "", "    ")),
        "bare, wrapped, no indent": Layout(lambda i, r: wrap(r)),
        "bare, proportional, no indent": Layout(lambda i, r: proportional(r, ems)),
        "bare, wrapped, blank line between": Layout(lambda i, r: wrap(r), sep="\n\n"),
        "bare, proportional, hanging indent": Layout(lambda i, r: proportional(r, ems, "    ")),
        "bare, Helvetica, two columns": Layout(
            lambda i, r: proportional(r, ems * 0.7, font=_HELVETICA)
        ),
        "numbered, proportional, no indent": Layout(lambda i, r: proportional(f"{i}. {r}", ems)),
        "Markdown bullets": Layout(lambda i, r: wrap(r, "- ", "  "), header="## References\n\n"),
        "numbered, run together on one line": Layout(lambda i, r: f"{i}. {r}", sep=" "),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--width", type=int, default=72)
    parser.add_argument("--em", type=float, default=32.0, help="proportional line width")
    args = parser.parse_args()
    refs = strings(DATA, args.count, args.seed)
    alone = [parse_text(r, "text").references for r in refs]
    expected = Counter(_fields(found[0]) for found in alone if len(found) == 1)
    print(
        f"{args.count} references of train.xml, seed {args.seed}, width {args.width}, {args.em} em"
    )
    print(f"{'layout':38} {'entries':>8} {'as alone':>9} {'cut':>5} {'joined':>7}")
    for name, lay in layouts(args.width, args.em).items():
        text = lay.text(refs)
        got = parse_text(text, "text").references
        # Each reference's reading counts once: pieces of a cut reference that happen to
        # read like another reference do not add up.
        same = (Counter(_fields(ref) for ref in got) & expected).total()
        starts = lay.starts(refs)
        if starts is None:
            cut = joined = "-"
        else:
            found = find_list(text)
            lines = {item.line for item in (*found.items, *found.skipped)}
            cut, joined = str(len(lines - starts)), str(len(starts - lines))
        print(f"{name:38} {len(got):>8} {same:>9} {cut:>5} {joined:>7}")
    return 0


def _fields(ref: object) -> tuple[tuple[str, str], ...]:
    fields = getattr(ref, "fields", {})
    return tuple(sorted((k, v) for k, v in fields.items() if k != "note"))


if __name__ == "__main__":
    raise SystemExit(main())
