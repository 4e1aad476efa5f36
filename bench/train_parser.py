"""Build the reference-string labeller's model, deterministically.

    python bench/train_parser.py            # writes citetrack/parse/crf/model.crfsuite

Trains a linear-chain CRF (python-crfsuite, L-BFGS with fixed L1/L2 weights and a fixed
number of iterations, features seen fewer than ``--minfreq`` times dropped; labels with
the first token of a segment marked, ``dataset.training_labels``) on every
sequence of AnyStyle's labelled training strings
(``../shared/training/anystyle/train.xml``, BSD-2-Clause, in file order).  The same data
and parameters give the same model.  Never train on AnyStyle's ``gold.xml`` or on CORA:
those measure the parser.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pycrfsuite  # noqa: E402

from citetrack.parse.crf.dataset import (  # noqa: E402
    Segments,
    read_sequences,
    tokens_and_labels,
    training_labels,
)
from citetrack.parse.crf.features import sequence_features  # noqa: E402
from citetrack.parse.crf.labeller import model_path  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "training" / "anystyle" / "train.xml"
if not DEFAULT_DATA.exists():
    DEFAULT_DATA = Path("/work/shared/training/anystyle/train.xml")
PARAMS = {"c1": 0.8, "c2": 0.4, "max_iterations": 150, "feature.possible_transitions": True}


def train(sequences: list[Segments], out: Path, minfreq: int = 2, iterations: int = 150) -> None:
    """Train a model on ``sequences`` and write it to ``out``."""
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    for segments in sequences:
        tokens, _ = tokens_and_labels(segments)
        trainer.append(sequence_features(tokens), training_labels(segments))
    trainer.set_params({**PARAMS, "max_iterations": iterations, "feature.minfreq": minfreq})
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=model_path())
    parser.add_argument("--minfreq", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=150)
    args = parser.parse_args(argv)
    sequences = read_sequences(args.data)
    start = time.perf_counter()
    train(sequences, args.out, args.minfreq, args.iterations)
    size = args.out.stat().st_size
    print(
        f"trained on {len(sequences)} sequences in {time.perf_counter() - start:.0f} s: "
        f"{args.out} ({size / 1e6:.1f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
