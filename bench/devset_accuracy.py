"""Field-level accuracy of ``citetrack.parse`` on the hand-labelled devset.

    python bench/devset_accuracy.py                    # the copy in tests/data/parse/devset
    python bench/devset_accuracy.py --devset ../shared/devset --failures

Every line of the three rendered files has a gold label (``gold.jsonl``).  Each file is
parsed whole, and the *first* reference of each line (a line may hold several citations)
is compared with that line's label, field by field: type, doi,
pmid, pmc, isbn, year, journal, volume, issue, pages, title, first_author_family.  Both
sides empty counts as right; one side empty as wrong.

Comparison normalises only form, never content:

* type: BibTeX ``article`` → article; ``book``/``incollection``/``inbook`` → book;
  ``online`` → web; anything else → other;
* doi: case (DOIs are case-insensitive); pmc: ``PMC`` prefix;
* isbn: the ISBN-13 digits (an ISBN-10 and its ISBN-13 are one ISBN);
* pages: the range dash (``–``, ``-`` or ``--``; ``165 to 166`` is written ``165--166``)
  and MEDLINE-abbreviated range ends (``531–7`` is ``531--537``), since the parser is
  required to write ranges that way;
* text fields: surrounding whitespace; the first author's family name is read from the
  BibTeX ``author`` field (``editor`` when there is no author), braces removed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from citetrack.identifiers import normalize_isbn  # noqa: E402
from citetrack.model import Reference  # noqa: E402
from citetrack.parse import parse_text  # noqa: E402

DEFAULT_DEVSET = ROOT / "tests" / "data" / "parse" / "devset"
FIELDS = (
    "type",
    "doi",
    "pmid",
    "pmc",
    "isbn",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "title",
    "first_author_family",
)
IDENTIFIER_FIELDS = ("doi", "pmid", "pmc", "isbn")
_TYPES = {
    "article": "article",
    "book": "book",
    "incollection": "book",
    "inbook": "book",
    "online": "web",
}
_RANGE = re.compile(
    r"(?P<pa>[A-Za-z]*)(?P<a>\d+)\s*(?:--|[-–—]|\s+to\s+)\s*(?P<pb>[A-Za-z]*)(?P<b>\d*)"
)


def _pages(value: str) -> str:
    def expand(m: re.Match[str]) -> str:
        a, b = m["a"], m["b"]
        if b and len(b) < len(a) and int(a[: len(a) - len(b)] + b) >= int(a):
            b = a[: len(a) - len(b)] + b
        return f"{m['pa']}{a}--{m['pb'] or (m['pa'] if b else '')}{b}"

    return _RANGE.sub(expand, " ".join(value.split()))


def _first_family(fields: Mapping[str, str]) -> str | None:
    names = fields.get("author") or fields.get("editor")
    if not names:
        return None
    first = names.split(" and ")[0].strip()
    if first.startswith("{"):  # an organisation, written whole
        return first.strip("{}")
    return first.split(",")[0].strip()


def extract(ref: Reference) -> dict[str, str | None]:
    """The devset's fields read from a parsed reference."""
    f = ref.fields
    return {
        "type": _TYPES.get(ref.entry_type, "other"),
        "doi": f.get("doi"),
        "pmid": f.get("pmid"),
        "pmc": f.get("pmcid"),
        "isbn": f.get("isbn", "").split(",")[0] or None,
        "year": f.get("year"),
        "journal": f.get("journal"),
        "volume": f.get("volume"),
        "issue": f.get("number"),
        "pages": f.get("pages"),
        "title": f.get("title"),
        "first_author_family": _first_family(f),
    }


_NORMALISE: dict[str, Callable[[str], str]] = {
    "doi": str.lower,
    "pmc": lambda v: v.upper().removeprefix("PMC"),
    "isbn": lambda v: normalize_isbn(v) or v,
    "pages": _pages,
}


def same(name: str, gold: str | None, got: str | None) -> bool:
    """Do a gold value and a parsed value agree, up to the form differences listed above?"""
    if gold is None or got is None:
        return gold is None and got is None
    norm = _NORMALISE.get(name, str.strip)
    return norm(gold.strip()) == norm(got.strip())


@dataclass
class Report:
    """Counts per field and the individual mismatches."""

    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    failures: list[tuple[str, int, str, str | None, str | None]] = field(default_factory=list)

    def accuracy(self, name: str | None = None) -> float:
        names = FIELDS if name is None else (name,)
        total = sum(self.total[n] for n in names)
        return sum(self.right[n] for n in names) / total if total else 1.0


def evaluate(devset: Path = DEFAULT_DEVSET) -> Report:
    """Parse every labelled line of ``devset`` and compare it with its label."""
    report = Report()
    parsed: dict[str, dict[int, Reference]] = {}
    for line in (devset / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        source = gold["source_file"]
        if source not in parsed:
            text = (devset / source).read_text(encoding="utf-8")
            by_line: dict[int, Reference] = {}
            for ref in parse_text(text, "text").references:
                by_line.setdefault(ref.line or 0, ref)
            parsed[source] = by_line
        first = parsed[source].get(gold["ref_index"])
        got = extract(first) if first else dict.fromkeys(FIELDS)
        for name in FIELDS:
            report.total[name] += 1
            if same(name, gold[name], got[name]):
                report.right[name] += 1
            else:
                report.failures.append((source, gold["ref_index"], name, gold[name], got[name]))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devset", type=Path, default=DEFAULT_DEVSET)
    parser.add_argument("--failures", action="store_true", help="list every mismatch")
    args = parser.parse_args(argv)
    report = evaluate(args.devset)
    print(f"{'field':<22}{'right':>7}{'total':>7}{'accuracy':>10}")
    for name in FIELDS:
        print(
            f"{name:<22}{report.right[name]:>7}{report.total[name]:>7}{report.accuracy(name):>9.1%}"
        )
    ident_right = sum(report.right[n] for n in IDENTIFIER_FIELDS)
    ident_total = sum(report.total[n] for n in IDENTIFIER_FIELDS)
    print(f"{'identifiers':<22}{ident_right:>7}{ident_total:>7}{ident_right / ident_total:>9.1%}")
    print(
        f"{'overall':<22}{sum(report.right.values()):>7}{sum(report.total.values()):>7}"
        f"{report.accuracy():>9.1%}"
    )
    if args.failures:
        for source, index, name, gold, got in report.failures:
            print(f"{source}:{index} {name}: gold={gold!r} got={got!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
