"""k-fold cross-validation of the reference parser on AnyStyle's labelled training strings.

    python bench/parse_cv.py                       # 5 folds: trains 5 models (~3 min each)
    python bench/parse_cv.py --reuse /tmp/cv.json  # score saved fold predictions again
    python bench/parse_cv.py --quick               # 2 folds on a fixed 3,000-string subset
    python bench/parse_cv.py --quick --split [--split-mode keep] [--split-only '.,;:']
                                                   # tokens split at punctuation (bench only)

The labelled strings (``../shared/training/anystyle/train.xml``, BSD-2-Clause) are
shuffled with a fixed seed and cut into k folds; for each fold a model is trained on the
other folds with the shipped model's parameters (``bench/train_parser.py``) and labels
the held-out strings.  Never run on AnyStyle's ``gold.xml`` or CORA: they measure the
parser and must stay unseen.

Three scores, each per field (precision / recall / F1) and overall:

* **segments** — the labeller alone: a segment counts when its label and its text
  (surrounding punctuation removed) equal a gold segment's;
* **fields** — the whole parser as ``citetrack parse`` runs it (rules or labeller chosen
  per item, ``citetrack.parse.route``), compared on BibTeX fields with the gold segments
  read by the same normaliser: entry type, author and editor family names, title,
  container (journal / booktitle / website), year, volume, number, pages, publisher,
  address, edition, doi, url.  A field right when both sides agree (case, spacing and
  surrounding punctuation ignored); a wrong predicted value is a false positive *and* a
  false negative;
* **fields per style family** — overall field F1 on the strings of each family
  (numbered, APA/Harvard, Vancouver/NLM, name-first/IEEE, quoted-title Chicago/MLA,
  author-year, other), the family read from the gold segments.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from bench import parse_split, train_parser  # noqa: E402
from bench.parse_clean import clean as cleaned  # noqa: E402
from bench.train_parser import (  # noqa: E402
    DEFAULT_DATA,
    PARAMS,
    open_passes,
    train,
    train_stacked,
)
from citetrack.parse.build import build_fields  # noqa: E402
from citetrack.parse.crf.dataset import Segments, read_sequences  # noqa: E402
from citetrack.parse.crf.features import tokenize  # noqa: E402
from citetrack.parse.crf.labeller import plain  # noqa: E402
from citetrack.parse.crf.normalise import strip_value, to_citation  # noqa: E402
from citetrack.parse.items import Item  # noqa: E402
from citetrack.parse.route import parse_item_routed  # noqa: E402

FIELDS = (
    "type",
    "author",
    "editor",
    "title",
    "container",
    "year",
    "volume",
    "number",
    "pages",
    "publisher",
    "address",
    "edition",
    "doi",
    "url",
)
_CONTAINERS = ("journal", "booktitle", "organization", "howpublished")
_TYPES = {
    "incollection": "chapter",
    "inbook": "chapter",
    "mastersthesis": "thesis",
    "phdthesis": "thesis",
}


def family(segments: Segments) -> str:
    """The style family of a labelled string, read from its gold segments."""
    labels = [label for label, _ in segments]
    text = dict(reversed(segments))
    author = text.get("author", "")
    date = text.get("date", "")
    if "citation-number" in labels:
        return "numbered"
    if re.search(r"\d{4}\s*;", " ".join(t for _, t in segments)) or re.match(
        r"^[\w'’-]+(?: [\w'’-]+)? [A-Z]{1,3}[,.]", author
    ):
        return "vancouver"
    if re.fullmatch(r"\(\s*(?:\d{4}|n\.\s*d\.)[^()]*\)[.,:]?", date) and labels.index("date") == 1:
        return "apa-harvard"
    if re.match(r"^(?:[A-Z]\.\s?-?)+\s*[A-Z]", author):
        return "name-first"
    title = text.get("title", "")
    if title[:1] in "\"“«„'‘":
        return "quoted-title"
    if labels[:2] == ["author", "date"]:
        return "author-year"
    return "other"


def _norm(value: str | None) -> str | None:
    if value is None:
        return None
    out = strip_value(value).casefold()
    out = re.sub(r"[\s.]+", " ", out).replace("--", "-").replace("–", "-").strip()
    return out or None


def _families(value: str | None) -> str | None:
    if not value:
        return None
    names = [n.split(",")[0].strip("{} ") for n in value.split(" and ") if n != "others"]
    return "; ".join(n.casefold() for n in names) or None


def fields_of(entry_type: str, fields: dict[str, str]) -> dict[str, str | None]:
    """The compared fields of a parsed entry, normalised for comparison."""
    container = next((fields[k] for k in _CONTAINERS if k in fields), None)
    return {
        "type": _TYPES.get(entry_type, entry_type),
        "author": _families(fields.get("author")),
        "editor": _families(fields.get("editor")),
        "title": _norm(fields.get("title")),
        "container": _norm(container),
        "year": fields.get("year"),
        "volume": _norm(fields.get("volume")),
        "number": _norm(fields.get("number")),
        "pages": _norm(fields.get("pages")),
        "publisher": _norm(
            fields.get("publisher") or fields.get("school") or fields.get("institution")
        ),
        "address": _norm(fields.get("address")),
        "edition": _norm(fields.get("edition")),
        "doi": _norm(fields.get("doi")),
        "url": fields.get("url"),
    }


QUICK_SIZE = 3000


def quick_subset(sequences: list[Segments], size: int = QUICK_SIZE) -> list[Segments]:
    """A fixed subset for quick runs: the same strings every time (seeded shuffle, then cut)."""
    order = list(range(len(sequences)))
    random.Random(3000).shuffle(order)
    return [sequences[i] for i in sorted(order[:size])]


def _segments_of(tokens: list[str], labels: list[str]) -> Segments:
    out: Segments = []
    for token, label in zip(tokens, labels, strict=True):
        if out and out[-1][0] == label:
            out[-1] = (label, f"{out[-1][1]} {token}")
        else:
            out.append((label, token))
    return out


def cross_validate(
    sequences: list[Segments],
    folds: int,
    seed: int,
    only: int | None = None,
    stacked: bool = False,
    lexicon: bool = False,
    augment: bool = False,
    clean: bool = False,
    names: bool = False,
    tokens_split: bool = False,
    neural_epochs: int = 0,
) -> list[dict[str, object]]:
    """Held-out predictions: one record (index, fold, gold segments, predicted segments)
    each (``only``: that fold alone, 1-based); with ``stacked``, ``pred`` is the second
    pass's and ``pred1`` the first pass's labelling of the same string (the first pass is
    the model a plain run trains: one run scores both)."""
    order = list(range(len(sequences)))
    random.Random(seed).shuffle(order)
    records: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for fold in range(folds):
            if only is not None and fold != only - 1:
                continue
            held = [i for n, i in enumerate(order) if n % folds == fold]
            held_set = set(held)
            model = Path(tmp) / f"fold{fold}.crfsuite"
            start = time.perf_counter()
            training = [s for i, s in enumerate(sequences) if i not in held_set]
            if clean:  # the training part only: the held-out strings stay unseen
                training = cleaned(training)
            second = Path(tmp) / f"fold{fold}.second.crfsuite"
            if neural_epochs:
                from bench import parse_neural  # noqa: PLC0415 - torch only when asked

                neural = parse_neural.Neural(training, epochs=neural_epochs)
            elif stacked:
                train_stacked(training, model, second, lexicon=lexicon, names=names)
            else:
                train(
                    training,
                    model,
                    lexicon=lexicon,
                    augment=augment,
                    names=names,
                    tokens_split=tokens_split,
                )
            tag = (
                neural.tag
                if neural_epochs
                else open_passes(model, second if stacked else None, tokens_split)
            )
            held_tokens = [tokenize(" ".join(t for _, t in sequences[i])) for i in held]
            tagging = time.process_time()
            labelled = [tag(tokens) for tokens in held_tokens]
            tagging = time.process_time() - tagging
            if tokens_split:
                words, mixed = parse_split.DISAGREE
                print(
                    f"tagging: {tagging:.2f} s CPU; words with mixed sub-token labels: "
                    f"{mixed} of {words}",
                    flush=True,
                )
                parse_split.DISAGREE[:] = [0, 0]
            else:
                print(f"tagging: {tagging:.2f} s CPU", flush=True)
            if stacked:  # what the second pass costs at run time (CPU, this machine)
                alone = open_passes(model)
                first_only = time.process_time()
                for tokens in held_tokens:
                    alone(tokens)
                first_only = time.process_time() - first_only
                print(
                    f"tagging {len(held)} strings: first pass {first_only:.2f} s, "
                    f"both passes {tagging:.2f} s (CPU)",
                    flush=True,
                )
            for i, tokens, labels_of in zip(held, held_tokens, labelled, strict=True):
                passes = [[plain(t) for t in labels] for labels in labels_of]
                record: dict[str, object] = {
                    "index": i,
                    "fold": fold + 1,
                    "gold": sequences[i],
                    "pred": _segments_of(tokens, passes[-1]),
                }
                if stacked:
                    record["pred1"] = _segments_of(tokens, passes[0])
                records.append(record)
            print(f"fold {fold + 1}/{folds}: {time.perf_counter() - start:.0f} s", flush=True)
    return records


class Score:
    """True positives, false positives and false negatives per key."""

    def __init__(self) -> None:
        self.tp: Counter[str] = Counter()
        self.fp: Counter[str] = Counter()
        self.fn: Counter[str] = Counter()

    def add(self, key: str, gold: str | None, got: str | None) -> None:
        if gold is not None and got == gold:
            self.tp[key] += 1
            return
        if got is not None:
            self.fp[key] += 1
        if gold is not None:
            self.fn[key] += 1

    def prf(self, key: str | None = None) -> tuple[float, float, float, int]:
        if key is None:
            tp, fp, fn = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        else:
            tp, fp, fn = self.tp[key], self.fp[key], self.fn[key]
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f, tp + fn


def _segment_score(records: list[dict[str, object]]) -> Score:
    score = Score()
    for record in records:
        gold = Counter((lab, _norm(t) or "") for lab, t in record["gold"])  # type: ignore[attr-defined]
        pred = Counter((lab, _norm(t) or "") for lab, t in record["pred"])  # type: ignore[attr-defined]
        for key in gold | pred:
            both = min(gold[key], pred[key])
            score.tp[key[0]] += both
            score.fp[key[0]] += pred[key] - both
            score.fn[key[0]] += gold[key] - both
    return score


def score_fields(
    records: list[dict[str, object]], use_router: bool = True
) -> tuple[Score, dict[str, Score], Counter[str]]:
    """Field scores overall and per style family; also how often each path was taken."""
    overall = Score()
    by_family: dict[str, Score] = defaultdict(Score)
    paths: Counter[str] = Counter()
    for record in records:
        gold_segments = [tuple(s) for s in record["gold"]]  # type: ignore[attr-defined]
        pred_segments = [tuple(s) for s in record["pred"]]  # type: ignore[attr-defined]
        text = " ".join(t for _, t in gold_segments)
        gold = fields_of(*build_fields(to_citation(gold_segments, 1, text)))  # type: ignore[arg-type]
        item = Item(1, text, text)
        if use_router:
            citations, path = parse_item_routed(item, labels=pred_segments)  # type: ignore[arg-type]
            citation = citations[0]
        else:
            citation, path = to_citation(pred_segments, 1, text), "crf"  # type: ignore[arg-type]
        paths[path] += 1
        got = fields_of(*build_fields(citation))
        fam = family(gold_segments)  # type: ignore[arg-type]
        for name in FIELDS:
            overall.add(name, gold[name], got[name])
            by_family[fam].add(name, gold[name], got[name])
    return overall, by_family, paths


def _table(title: str, score: Score, keys: list[str]) -> None:
    print(f"\n{title}\n{'':18}{'P':>7}{'R':>7}{'F1':>7}{'n':>7}")
    for key in keys:
        p, r, f, n = score.prf(key)
        print(f"{key:18}{p:7.3f}{r:7.3f}{f:7.3f}{n:7d}")
    p, r, f, n = score.prf()
    # Four decimals overall: the A/B differences are often below 0.001.
    print(f"{'overall':18}{p:7.3f}{r:7.3f}{f:7.4f}{n:7d}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--save", type=Path, help="write the fold predictions here (JSON)")
    parser.add_argument("--reuse", type=Path, help="score saved fold predictions")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"2 folds on a fixed {QUICK_SIZE:,}-string subset (for iterating; not the score)",
    )
    parser.add_argument(
        "--fold", type=int, help="run this fold of the k-fold split alone (1-based)"
    )
    parser.add_argument(
        "--stacked",
        action="store_true",
        help="two passes (citetrack.parse.crf.stacked, ~4.5x the training time); --save "
        "keeps both passes' labels, so the same run also scores the plain model "
        "(--reuse FILE --first-pass)",
    )
    parser.add_argument(
        "--lexicon", action="store_true", help="dictionaries learnt from the training folds"
    )
    parser.add_argument(
        "--augment",
        action="store_true",
        help="train each fold also on its training strings re-rendered in other styles",
    )
    parser.add_argument(
        "--clean",
        action="store_true",
        help="leave out training strings a cross-fitted model contradicts (bench/parse_clean.py)",
    )
    parser.add_argument(
        "--names", action="store_true", help="whole names learnt from the training folds"
    )
    parser.add_argument(
        "--split",
        action="store_true",
        help="tokens split at punctuation (bench/parse_split.py; one label per word all the same)",
    )
    parser.add_argument(
        "--split-context",
        action="store_true",
        help="with --split: each word's core also sees the words before and after it",
    )
    parser.add_argument(
        "--split-mode",
        choices=("sub", "keep"),
        default="sub",
        help="with --split: features of the sub-tokens (sub) or the words' own on the cores (keep)",
    )
    parser.add_argument(
        "--split-only",
        help="with --split: split off only these trailing characters (e.g. '.,;:')",
    )
    parser.add_argument(
        "--c1",
        type=float,
        help="L1 weight instead of the shipped one (bench/train_parser.PARAMS); e.g. scaled "
        "with the number of tokens of --split",
    )
    parser.add_argument(
        "--algorithm",
        choices=("lbfgs", "l2sgd", "ap", "pa", "arow"),
        help="crfsuite training algorithm instead of the shipped L-BFGS (bench only)",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a crfsuite training parameter over the shipped ones, e.g. max_iterations=50 or "
        "feature.possible_states=1 (repeatable; bench only)",
    )
    parser.add_argument(
        "--neural",
        type=int,
        metavar="EPOCHS",
        help="a BiLSTM-CRF over the CRF's features instead of crfsuite, trained this many "
        "epochs (bench/parse_neural.py; needs torch; bench only)",
    )
    parser.add_argument("--crf-only", action="store_true", help="no rules: the labeller alone")
    parser.add_argument(
        "--first-pass",
        action="store_true",
        help="with --reuse of a --stacked run: score its first pass (the plain model)",
    )
    args = parser.parse_args(argv)
    parse_split.WORD_CONTEXT = args.split_context
    parse_split.MODE = args.split_mode
    parse_split.ONLY = args.split_only
    if args.c1 is not None:
        PARAMS["c1"] = args.c1
    if args.algorithm:
        train_parser.ALGORITHM = args.algorithm
    for item in args.param:
        key, _, value = item.partition("=")
        PARAMS[key] = float(value) if "." in value else int(value)
    if args.reuse:
        records = json.loads(args.reuse.read_text(encoding="utf-8"))
    else:
        sequences = read_sequences(args.data)
        folds = args.folds
        if args.quick:
            sequences, folds = quick_subset(sequences), 2
        records = cross_validate(
            sequences,
            folds,
            args.seed,
            args.fold,
            args.stacked,
            args.lexicon,
            args.augment,
            args.clean,
            args.names,
            args.split,
            args.neural or 0,
        )
        if args.save:
            args.save.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    if args.first_pass:
        records = [{**r, "pred": r["pred1"]} for r in records]
    print(f"{len(records)} held-out strings")
    segments = _segment_score(records)
    _table("segments (labeller alone)", segments, sorted(segments.tp | segments.fn))
    overall, by_family, paths = score_fields(records, use_router=not args.crf_only)
    print(f"\npaths taken: {dict(paths)}")
    _table("BibTeX fields (whole parser)", overall, list(FIELDS))
    folds_seen = sorted({r["fold"] for r in records if "fold" in r})  # type: ignore[type-var]
    if len(folds_seen) > 1:
        per_fold = [
            score_fields([r for r in records if r.get("fold") == k], not args.crf_only)[0]
            for k in folds_seen
        ]
        print("per fold: " + " / ".join(f"{s.prf()[2]:.4f}" for s in per_fold))
    print(f"\n{'style family':18}{'P':>7}{'R':>7}{'F1':>7}{'fields':>8}{'strings':>9}")
    counts = Counter(family(r["gold"]) for r in records)  # type: ignore[arg-type]
    for fam in sorted(by_family):
        p, r, f, n = by_family[fam].prf()
        print(f"{fam:18}{p:7.3f}{r:7.3f}{f:7.3f}{n:8d}{counts[fam]:9d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
