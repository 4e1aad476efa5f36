"""A cross-fitted check of the training labels: leave out the strings whose labels a model
trained without them contradicts with confidence.

Issue 15, item 4.  Many remaining "errors" of the labeller are inconsistencies of the
training labels (a journal left inside the title, a book title labelled container, a
place labelled publisher).  :func:`clean` cuts the training strings into ``inner`` parts
(by position), trains a model on the other parts for each, labels the part's strings
with it and leaves out a string when that model's labelling differs from the string's
labels on at least ``min_tokens`` tokens of which it is sure (marginal probability of
its label ≥ ``sure``; a first version asked for the probability of the whole labelling
≥ 0.9 and flagged no string at all).  The result is a *derived* training set:
``train.xml`` is never edited, nothing is relabelled, the check is deterministic, and it
runs on the training strings only (in cross-validation, on the training part of each
fold; the scores are taken against the original held-out gold).

    python bench/parse_clean.py --out /tmp/flagged.txt    # list the strings it leaves out
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pycrfsuite  # noqa: E402

from citetrack.parse.crf.dataset import Segments, read_sequences, tokens_and_labels  # noqa: E402
from citetrack.parse.crf.features import sequence_features  # noqa: E402
from citetrack.parse.crf.labeller import plain  # noqa: E402

INNER = 2
ITERATIONS = 150
SURE = 0.9
MIN_TOKENS = 2


def flagged(
    sequences: list[Segments],
    inner: int = INNER,
    iterations: int = ITERATIONS,
    sure: float = SURE,
    min_tokens: int = MIN_TOKENS,
) -> list[int]:
    """The positions of the strings whose labels a cross-fitted model contradicts."""
    from bench.train_parser import lexicon_path, train  # noqa: PLC0415 - no import cycle

    out: list[int] = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(inner):
            part = [s for n, s in enumerate(sequences) if n % inner != k]
            model = Path(tmp) / f"check{k}.crfsuite"
            train(part, model, iterations=iterations)
            tagger = pycrfsuite.Tagger()
            tagger.open(str(model))
            assert not lexicon_path(model).exists()
            for n in range(k, len(sequences), inner):
                tokens, gold = tokens_and_labels(sequences[n])
                marked = tagger.tag(sequence_features(tokens))
                wrong = sum(
                    1
                    for i, (g, m) in enumerate(zip(gold, marked, strict=True))
                    if plain(m) != g and tagger.marginal(m, i) >= sure
                )
                if wrong >= min_tokens:
                    out.append(n)
            tagger.close()
    return sorted(out)


def clean(sequences: list[Segments], **options: float) -> list[Segments]:
    """``sequences`` without the :func:`flagged` ones (order kept)."""
    drop = set(flagged(sequences, **options))  # type: ignore[arg-type]
    print(f"label check: {len(drop)} of {len(sequences)} training strings left out", flush=True)
    return [s for n, s in enumerate(sequences) if n not in drop]


def main(argv: list[str] | None = None) -> int:
    from bench.train_parser import DEFAULT_DATA  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, help="write the flagged strings here")
    args = parser.parse_args(argv)
    sequences = read_sequences(args.data)
    drop = flagged(sequences)
    print(f"{len(drop)} of {len(sequences)} strings flagged")
    if args.out:
        lines = [
            f"{n}\t" + " | ".join(f"{label}: {text}" for label, text in sequences[n]) for n in drop
        ]
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
