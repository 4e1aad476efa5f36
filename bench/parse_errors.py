"""Classify the field errors of saved cross-validation predictions (issue 15).

    python bench/parse_cv.py --lexicon --save /tmp/cv.json
    python bench/parse_errors.py /tmp/cv.json [--fold 1] [--show title --sample 30]

For every held-out string and every field that the whole parser gets wrong (as
``parse_cv.py`` scores it), the error is put in one class, by comparing the tokens the
gold and the predicted labelling give that field's labels (the token sequence is the same
on both sides):

* ``router:rules`` / ``router:nlm`` — the string did not go to the labeller;
* ``same span`` — the labeller gave the field's labels to exactly the gold tokens, yet the
  value differs: the normaliser (or another label it reads, such as an ``editor`` next to
  the container) made the difference — what a normalisation fix could reach;
* ``boundary`` — the spans overlap but differ: ``too long into X`` (tokens that the gold
  labels X were taken in), ``too short, lost to X`` (gold tokens labelled X instead);
* ``missed: gold tokens labelled X`` — no token of the field's labels predicted, the
  gold's tokens went to X; ``spurious: pred tokens gold X`` — a field the gold does not
  have; ``disjoint span`` — both have the field, on different tokens;
* for the entry type, the labels present in one labelling and absent in the other.

The classes say what the labeller did, not who is right: reading a sample
(``--show FIELD``) is how gold-label slips are told from labeller errors (``bench/README.md``,
session 10: about half of a 95-error sample were the gold's).  Never run on AnyStyle's
``gold.xml`` or CORA: they measure the parser and must stay unseen.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.parse_cv import fields_of  # noqa: E402
from citetrack.parse.build import build_fields  # noqa: E402
from citetrack.parse.crf.dataset import Segments, tokens_and_labels  # noqa: E402
from citetrack.parse.crf.normalise import to_citation  # noqa: E402
from citetrack.parse.items import Item  # noqa: E402
from citetrack.parse.route import parse_item_routed  # noqa: E402

#: The labels that make each classified field.
LABELS = {
    "title": {"title"},
    "container": {"journal", "container-title"},
    "publisher": {"publisher"},
    "address": {"location"},
    "editor": {"editor"},
    "edition": {"edition"},
    "author": {"author"},
}
#: Labels whose presence decides the entry type (``normalise._decide_kind``).
_TYPE_LABELS = frozenset(
    """journal container-title publisher editor edition genre location volume pages url
    note title""".split()  # noqa: SIM905
)


def _most(labels: list[str]) -> str:
    return Counter(labels).most_common(1)[0][0]


def classify(field: str, path: str, gold_labels: list[str], pred_labels: list[str]) -> str:
    """The class of one wrong field (see the module's docstring)."""
    if path != "crf":
        return f"router:{path}"
    if field == "type":
        gold_set, pred_set = set(gold_labels), set(pred_labels)
        diff = [f"-{x}" for x in sorted(gold_set - pred_set) if x in _TYPE_LABELS]
        diff += [f"+{x}" for x in sorted(pred_set - gold_set) if x in _TYPE_LABELS]
        if gold_labels == pred_labels:
            return "same labels"
        return "labels " + " ".join(diff) if diff else "same label set, other boundaries"
    wanted = LABELS[field]
    gold = [i for i, x in enumerate(gold_labels) if x in wanted]
    pred = [i for i, x in enumerate(pred_labels) if x in wanted]
    if gold == pred:
        return "same span"
    if not pred:
        return "missed: gold tokens labelled " + _most([pred_labels[i] for i in gold])
    if not gold:
        return "spurious: pred tokens gold " + _most([gold_labels[i] for i in pred])
    if not set(gold) & set(pred):
        return "disjoint span"
    parts = []
    extra = [gold_labels[i] for i in sorted(set(pred) - set(gold))]
    lost = [pred_labels[i] for i in sorted(set(gold) - set(pred))]
    if extra:
        parts.append("too long into " + _most(extra))
    if lost:
        parts.append("too short, lost to " + _most(lost))
    return "boundary: " + "; ".join(parts)


def errors(records: list[dict[str, object]]) -> list[tuple[str, str, dict[str, object]]]:
    """(field, class, details) for every wrong classified field of every record."""
    out: list[tuple[str, str, dict[str, object]]] = []
    for record in records:
        gold_segments: Segments = [tuple(s) for s in record["gold"]]  # type: ignore[attr-defined,misc]
        pred_segments: Segments = [tuple(s) for s in record["pred"]]  # type: ignore[attr-defined,misc]
        text = " ".join(t for _, t in gold_segments)
        gold = fields_of(*build_fields(to_citation(gold_segments, 1, text)))
        citations, path = parse_item_routed(Item(1, text, text), labels=pred_segments)
        got = fields_of(*build_fields(citations[0]))
        _, gold_labels = tokens_and_labels(gold_segments)
        _, pred_labels = tokens_and_labels(pred_segments)
        for field in ("type", *LABELS):
            if gold[field] != got[field]:
                cls = classify(field, path, gold_labels, pred_labels)
                details = {"gold": gold[field], "got": got[field], "g": gold_segments}
                out.append((field, cls, {**details, "p": pred_segments}))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("saved", type=Path, help="parse_cv.py --save output")
    parser.add_argument("--fold", type=int, help="only this fold of the 5-fold, seed-15 split")
    parser.add_argument("--show", help="print a random sample of this field's errors")
    parser.add_argument("--sample", type=int, default=30)
    args = parser.parse_args(argv)
    records = json.loads(args.saved.read_text(encoding="utf-8"))
    if args.fold:
        order = list(range(max(int(r["index"]) for r in records) + 1))
        random.Random(15).shuffle(order)
        held = {i for n, i in enumerate(order) if n % 5 == args.fold - 1}
        records = [r for r in records if r["index"] in held]
    found = errors(records)
    print(f"{len(records)} held-out strings")
    by_field: dict[str, Counter[str]] = defaultdict(Counter)
    for field, cls, _ in found:
        by_field[field][cls] += 1
    for field, classes in by_field.items():
        total = sum(classes.values())
        coarse: Counter[str] = Counter()
        for cls, n in classes.items():
            coarse[cls.split(":")[0] if not cls.startswith("labels") else "labels differ"] += n
        print(f"\n{field}: {total} wrong — {dict(coarse.most_common())}")
        for cls, n in classes.most_common(12):
            print(f"  {n:5d} {100 * n / total:5.1f} %  {cls}")
    if args.show:
        sample = [e for e in found if e[0] == args.show]
        random.Random(0).shuffle(sample)
        for _, cls, d in sample[: args.sample]:
            print(f"\n[{cls}] gold {d['gold']!r} got {d['got']!r}")
            print("  g: " + " | ".join(f"{lab}: {t}" for lab, t in d["g"]))  # type: ignore[attr-defined]
            print("  p: " + " | ".join(f"{lab}: {t}" for lab, t in d["p"]))  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main())
