"""Digests of what a speed change to the parser must not change, to compare two trees.

    python bench/parse_digest.py /tmp/old.json          # in the old tree
    python bench/parse_digest.py /tmp/new.json --compare /tmp/old.json   # in the new one

Written for session 12 (issue 15, speed): the labeller's features for every string of
``../shared/training/anystyle/train.xml`` (BSD-2-Clause) as the shipped labeller builds
them, without dictionary and names, and as training builds them (the first 3,000, with
each string's own words and names taken out); the shipped labeller's labels and
confidence for every string; and the references and problems of the 10,000-reference
list that ``bench_parse.py --source anystyle`` times.  Nothing here is a score: the
training strings trained the model.  Equal digests mean equal outputs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.train_parser import DEFAULT_DATA, training_features  # noqa: E402
from citetrack.parse import parse_text, rendered  # noqa: E402
from citetrack.parse.crf import labeller  # noqa: E402
from citetrack.parse.crf.dataset import read_sequences  # noqa: E402
from citetrack.parse.crf.features import sequence_features, tokenize  # noqa: E402


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()


def digests() -> dict[str, str]:
    """Name → SHA-256 of each output listed in the module's docstring."""
    sequences = read_sequences(DEFAULT_DATA)
    texts = [" ".join(t for label, t in s if label != "citation-number") for s in sequences]
    tokens = [tokenize(rendered.prepare_text(text)[0]) for text in texts]
    labeller.label_tokens(["Warm-up"])  # opens the model, its dictionary and names
    names = labeller._phrases.features if labeller._phrases is not None else None
    lex = labeller._lookup if labeller._lexicon is not None else None
    labelled = [labeller.label_tokens(t) for t in tokens]
    rng = random.Random(1)  # the list bench_parse.py --source anystyle times
    strings = [
        " ".join(t for label, t in rng.choice(sequences) if label != "citation-number")
        for _ in range(10_000)
    ]
    result = parse_text("\n".join(f"{n}. {s}" for n, s in enumerate(strings, start=1)), "text")
    return {
        "features (shipped dictionary and names)": _digest(
            [sequence_features(t, lex, names) for t in tokens]
        ),
        "features (plain)": _digest([sequence_features(t) for t in tokens]),
        "features (training, first 3,000)": _digest(
            training_features(sequences[:3000], lexicon=True, names=True)
        ),
        "labels": _digest([labels for labels, _ in labelled]),
        "confidence": _digest([repr(confidence) for _, confidence in labelled]),
        "10,000 references": _digest(
            [[r.key, r.entry_type, sorted(r.fields.items()), r.line] for r in result.references]
        ),
        "10,000 references' problems": _digest([[p.line, p.message] for p in result.problems]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="write the digests here (JSON)")
    parser.add_argument("--compare", type=Path, help="digests of another tree to compare with")
    args = parser.parse_args(argv)
    found = digests()
    args.out.write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
    if args.compare is None:
        for name, value in found.items():
            print(f"{name}: {value[:16]}")
        return 0
    other = json.loads(args.compare.read_text(encoding="utf-8"))
    differ = [name for name in found if found[name] != other.get(name)]
    for name in found:
        print(f"{name}: {'differs' if name in differ else 'same'}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
