"""How much of a normaliser change's field-F1 gain is the parser, and how much the gold.

``parse_cv.py`` builds the gold BibTeX fields from the gold segments with the parser's own
normaliser (:func:`parse_cv.score_fields`), so a normaliser change moves both sides: a
gold value read wrong before (``Volume 53`` as volume "ume") and right now counts as a
gain, and so does a gold label the normaliser now reinterprets.  This script rescores one
saved run (``parse_cv.py --save FILE``: the labeller's labels, unchanged) with two trees'
normalisers and splits the difference:

* both trees, each against its own gold reading (what ``parse_cv.py --reuse`` prints);
* the new tree's predictions against the *old* tree's gold reading;
* only the fields whose gold reading is the same under both trees: the old and the new
  predictions there — the conservative measure of the parser reading better.

    python bench/parse_gold_split.py --old /tmp/old-tree --saved /tmp/cv.json

``--old`` is a checkout of the earlier tree (``git worktree add /tmp/old-tree <rev>``);
the new tree is this one.  Each tree is imported in its own process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Run inside one tree: gold and predicted fields of every saved record, as JSON lines.
_DUMP = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/bench"]
import parse_cv as cv
records = json.loads(open(sys.argv[2], encoding="utf-8").read())
with open(sys.argv[3], "w", encoding="utf-8") as out:
    for record in records:
        gold = [tuple(s) for s in record["gold"]]
        pred = [tuple(s) for s in record["pred"]]
        text = " ".join(t for _, t in gold)
        want = cv.fields_of(*cv.build_fields(cv.to_citation(gold, 1, text)))
        citations, _ = cv.parse_item_routed(cv.Item(1, text, text), labels=pred)
        got = cv.fields_of(*cv.build_fields(citations[0]))
        out.write(json.dumps({"gold": want, "got": got}) + "\\n")
"""

Fields = dict[str, str | None]


def _dump(tree: Path, saved: Path, out: Path) -> list[dict[str, Fields]]:
    subprocess.run([sys.executable, "-c", _DUMP, str(tree), str(saved), str(out)], check=True)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def f1(pairs: list[tuple[str | None, str | None]]) -> tuple[float, int, int, int]:
    """Field F1 of (gold, predicted) value pairs, scored as ``parse_cv.Score`` does: a
    predicted value is right when it equals a gold value that exists."""
    tp = fp = fn = 0
    for want, got in pairs:
        if want is not None and got == want:
            tp += 1
            continue
        fn += want is not None
        fp += got is not None
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    total = precision + recall
    return (2 * precision * recall / total if total else 0.0), tp, fp, fn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", type=Path, required=True, help="a checkout of the earlier tree")
    parser.add_argument("--saved", type=Path, required=True, help="parse_cv.py --save output")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        old = _dump(args.old.resolve(), args.saved, Path(tmp) / "old.jsonl")
        new = _dump(ROOT, args.saved, Path(tmp) / "new.jsonl")
    rows = {
        "old tree, its own gold": [(o["gold"][k], o["got"][k]) for o in old for k in o["gold"]],
        "new tree, its own gold": [(n["gold"][k], n["got"][k]) for n in new for k in n["gold"]],
        "new tree, the old gold": [
            (o["gold"][k], n["got"][k]) for o, n in zip(old, new, strict=True) for k in o["gold"]
        ],
    }
    stable = [
        (o["gold"][k], o["got"][k], n["got"][k])
        for o, n in zip(old, new, strict=True)
        for k in o["gold"]
        if o["gold"][k] == n["gold"][k]
    ]
    rows["old tree, gold read alike"] = [(g, p) for g, p, _ in stable]
    rows["new tree, gold read alike"] = [(g, p) for g, _, p in stable]
    changed = sum(
        o["gold"][k] != n["gold"][k] for o, n in zip(old, new, strict=True) for k in o["gold"]
    )
    print(f"{'':28} {'F1':>7} {'right':>7} {'spurious':>9} {'missed':>7}")
    for name, pairs in rows.items():
        score, tp, fp, fn = f1(pairs)
        print(f"{name:28} {score:7.4f} {tp:7d} {fp:9d} {fn:7d}")
    print(f"gold field values read otherwise by the two trees: {changed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
