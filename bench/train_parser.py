"""Build the reference-string labeller's model, deterministically.

    python bench/train_parser.py   # writes citetrack/parse/crf/model.crfsuite (+ .lexicon.json,
                                   # .phrases.json)

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
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pycrfsuite  # noqa: E402

from bench.parse_augment import augment as restyled  # noqa: E402
from bench.parse_split import join_labels, split_features, split_labels  # noqa: E402
from citetrack.parse.crf import phrases as known_names  # noqa: E402
from citetrack.parse.crf.dataset import (  # noqa: E402
    Segments,
    read_sequences,
    tokens_and_labels,
    training_labels,
)
from citetrack.parse.crf.features import sequence_features  # noqa: E402
from citetrack.parse.crf.labeller import model_path  # noqa: E402
from citetrack.parse.crf.lexicon import Lexicon, learn, load, save  # noqa: E402
from citetrack.parse.crf.stacked import stack_features  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "training" / "anystyle" / "train.xml"
if not DEFAULT_DATA.exists():
    DEFAULT_DATA = Path("/work/shared/training/anystyle/train.xml")
#: L-BFGS iterations.  150 stopped the optimiser well short of convergence; 300 with a
#: stronger L1 weight (c1 0.8 → 1.5, a sparser model) measured better on the 5-fold split
#: (``bench/README.md``, session 8).
ITERATIONS = 300
PARAMS = {
    "c1": 1.5,
    "c2": 0.4,
    "max_iterations": ITERATIONS,
    "feature.possible_transitions": True,
}
#: The crfsuite training algorithm.  The shipped model is L-BFGS; ``parse_cv.py
#: --algorithm`` measures the others crfsuite has (averaged perceptron ``ap``, passive
#: aggressive ``pa``, ``arow``, ``l2sgd``: https://www.chokkan.org/software/crfsuite/manual.html).
ALGORITHM = "lbfgs"


def lexicon_path(model: Path) -> Path:
    """Where the learnt dictionary of a model lives (beside it: ``model.lexicon.json``)."""
    return model.with_name(f"{model.stem}.lexicon.json")


def phrases_path(model: Path) -> Path:
    """Where the learnt whole names of a model live (beside it: ``model.phrases.json``)."""
    return model.with_name(f"{model.stem}.phrases.json")


def training_features(
    sequences: list[Segments],
    lexicon: bool,
    extra: list[tuple[Segments, Segments]] | None = None,
    names: bool = False,
    tokens_split: bool = False,
) -> list[list[list[str]]]:
    """The first-pass features of every training sequence, then of every ``extra``
    (synthetic copy, its source) pair; with ``lexicon``, a dictionary is learnt from
    ``sequences`` alone and each sequence (each copy) sees it without its (its source's)
    own words; with ``names``, the same for whole names (:mod:`citetrack.parse.crf.phrases`);
    with ``tokens_split``, of the sub-tokens of :mod:`bench.parse_split`."""
    build = split_features if tokens_split else sequence_features
    learnt = learn(sequences) if lexicon else None
    phrases = known_names.learn(sequences) if names else None
    out: list[list[list[str]]] = []
    for segments, source in [(s, s) for s in sequences] + list(extra or []):
        tokens, _ = tokens_and_labels(segments)
        found = partial(phrases.features, minus=known_names.own_names(source)) if phrases else None
        if learnt is None:
            out.append(build(tokens, None, found))
            continue
        own = learnt.without(source)
        out.append(build(tokens, partial(_minus, learnt, own), found))
    return out


def _minus(learnt: Lexicon, own: dict[str, tuple[int, set[str]]], word: str) -> list[str]:
    return learnt.features(word, own.get(word))


def train(
    sequences: list[Segments],
    out: Path,
    minfreq: int = 2,
    iterations: int = ITERATIONS,
    lexicon: bool = False,
    augment: bool = False,
    names: bool = False,
    tokens_split: bool = False,
) -> None:
    """Train a model on ``sequences`` and write it to ``out`` (with ``lexicon``, and its
    learnt dictionary beside it, :func:`lexicon_path`; with ``augment``, also on copies of
    ``sequences`` re-rendered in other styles, :mod:`bench.parse_augment`; with ``names``,
    its learnt whole names beside it, :func:`phrases_path`; with ``tokens_split``, on the
    sub-tokens of :mod:`bench.parse_split`)."""
    trainer = pycrfsuite.Trainer(algorithm=ALGORITHM, verbose=False)
    extra = restyled(sequences) if augment else []
    labelled = sequences + [copy for copy, _ in extra]
    feats_all = training_features(sequences, lexicon, extra, names, tokens_split)
    for segments, feats in zip(labelled, feats_all, strict=True):
        labels = training_labels(segments)
        if tokens_split:
            labels = split_labels(labels, tokens_and_labels(segments)[0])
        trainer.append(feats, labels)
    trainer.set_params(
        _known(trainer, {**PARAMS, "max_iterations": iterations, "feature.minfreq": minfreq})
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))
    if lexicon:
        save(learn(sequences).table(), lexicon_path(out))
    if names:
        known_names.save(known_names.learn(sequences), phrases_path(out))


def _known(trainer: pycrfsuite.Trainer, params: dict[str, object]) -> dict[str, object]:
    """The parameters the trainer's algorithm has (``c1`` is L-BFGS's alone: crfsuite
    refuses a parameter its algorithm does not know)."""
    names = set(trainer.params())
    return {key: value for key, value in params.items() if key in names}


def open_tagger(model: Path, second: Path | None = None) -> Callable[[list[str]], list[str]]:
    """Tokens → begin-marked labels with a trained model (its learnt dictionary if it has
    one; with ``second``, the stacked second pass over the first's labels)."""
    both = open_passes(model, second)
    return lambda tokens: both(tokens)[-1]


def open_passes(
    model: Path, second: Path | None = None, tokens_split: bool = False
) -> Callable[[list[str]], tuple[list[str], ...]]:
    """Tokens → the first pass's begin-marked labels and, with ``second``, the stacked
    second pass's too (a tuple of one or two label lists), so that one run of the
    cross-validation scores both passes of the same models; with ``tokens_split``, a
    model trained on the sub-tokens of :mod:`bench.parse_split` (one label per token
    all the same, its reading sub-token's)."""
    first = pycrfsuite.Tagger()
    first.open(str(model))
    path = lexicon_path(model)
    lex = load(path).get if path.exists() else None
    names_file = phrases_path(model)
    phrases = known_names.load(names_file) if names_file.exists() else None
    tagger2 = None
    if second is not None:
        tagger2 = pycrfsuite.Tagger()
        tagger2.open(str(second))

    def tag(tokens: list[str]) -> tuple[list[str], ...]:
        found = phrases.features if phrases is not None else None
        if tokens_split:
            feats = split_features(tokens, _default(lex), found)
            return (join_labels(first.tag(feats), tokens),)
        feats = sequence_features(tokens, _default(lex), found)
        marked = list(first.tag(feats))
        if tagger2 is None:
            return (marked,)
        sure = [first.marginal(label, i) for i, label in enumerate(marked)]
        return marked, list(tagger2.tag(stack_features(feats, marked, sure)))

    return tag


def _default(get: Callable[[str], list[str] | None] | None) -> Callable[[str], list[str]] | None:
    if get is None:
        return None
    return lambda word: get(word) or []


#: Inner parts of the cross-fitting that labels the second pass's training strings.  With
#: 3, each first-pass labelling comes from a model trained on 2/3 of the strings (session
#: 7 used 2: models trained on half, further from the full first pass that labels at run
#: time).
INNER_FOLDS = 3

_Job = tuple[list[Segments], Path, int, int, bool, bool, bool]


def _train_job(job: _Job) -> None:
    train(*job)


def _run(jobs_list: list[_Job], jobs: int) -> None:
    if jobs <= 1 or len(jobs_list) <= 1:
        for job in jobs_list:
            _train_job(job)
        return
    with multiprocessing.get_context("fork").Pool(min(jobs, len(jobs_list))) as pool:
        pool.map(_train_job, jobs_list)


def train_stacked(
    sequences: list[Segments],
    first: Path,
    second: Path,
    minfreq: int = 2,
    iterations: int = ITERATIONS,
    lexicon: bool = False,
    jobs: int = 1,
    inner: int = INNER_FOLDS,
    names: bool = False,
) -> None:
    """Train the first-pass model on ``sequences`` (``first``) and the second pass
    (``second``, :mod:`citetrack.parse.crf.stacked`) on the first-pass features plus
    *cross-fitted* first-pass labels and marginals: the sequences are cut into ``inner``
    parts (by position), and each part is labelled by a first-pass model trained on the
    other parts (with its own dictionary and names), so the second pass learns from the
    first pass's real mistakes rather than trusting labels it made on its own training
    strings.  ``jobs`` > 1 trains the independent first-pass models side by side."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        parts = [[s for n, s in enumerate(sequences) if n % inner != k] for k in range(inner)]
        models = [work / f"inner{k}.crfsuite" for k in range(inner)]
        _run(
            [(sequences, first, minfreq, iterations, lexicon, False, names)]
            + [
                (parts[k], models[k], minfreq, iterations, lexicon, False, names)
                for k in range(inner)
            ],
            jobs,
        )
        labels: list[list[str]] = [[] for _ in sequences]
        sure: list[list[float]] = [[] for _ in sequences]
        for k, model in enumerate(models):
            tagger = pycrfsuite.Tagger()
            tagger.open(str(model))
            lex = load(lexicon_path(model)).get if lexicon else None
            found = known_names.load(phrases_path(model)).features if names else None
            for n in range(k, len(sequences), inner):
                feats = sequence_features(tokens_and_labels(sequences[n])[0], _default(lex), found)
                labels[n] = list(tagger.tag(feats))
                sure[n] = [tagger.marginal(label, i) for i, label in enumerate(labels[n])]
    trainer = pycrfsuite.Trainer(algorithm=ALGORITHM, verbose=False)
    feats_all = training_features(sequences, lexicon, names=names)
    for segments, base, predicted, marginals in zip(
        sequences, feats_all, labels, sure, strict=True
    ):
        trainer.append(stack_features(base, predicted, marginals), training_labels(segments))
    trainer.set_params(
        _known(trainer, {**PARAMS, "max_iterations": iterations, "feature.minfreq": minfreq})
    )
    second.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(second))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=model_path())
    parser.add_argument("--minfreq", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=ITERATIONS)
    parser.add_argument(
        "--no-lexicon",
        action="store_true",
        help="no learnt dictionary (the shipped model has one: model.lexicon.json)",
    )
    parser.add_argument(
        "--augment", action="store_true", help="add copies re-rendered in other styles"
    )
    parser.add_argument(
        "--no-names",
        action="store_true",
        help="no learnt whole names (the shipped model has them: model.phrases.json)",
    )
    args = parser.parse_args(argv)
    sequences = read_sequences(args.data)
    start = time.perf_counter()
    lexicon = not args.no_lexicon
    names = not args.no_names
    if not names:  # a names file left beside a model trained without them would mislead it
        phrases_path(args.out).unlink(missing_ok=True)
    train(sequences, args.out, args.minfreq, args.iterations, lexicon, args.augment, names)
    size = args.out.stat().st_size
    print(
        f"trained on {len(sequences)} sequences in {time.perf_counter() - start:.0f} s: "
        f"{args.out} ({size / 1e6:.1f} MB)"
        + (f", {lexicon_path(args.out).name}" if lexicon else "")
        + (f", {phrases_path(args.out).name}" if names else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
