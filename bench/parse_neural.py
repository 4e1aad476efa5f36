"""A neural sequence labeller measured against the shipped CRF (issue 15; bench only).

    pip install torch==2.13.0      # not a dependency of citetrack: this is a measurement
    python bench/parse_cv.py --quick --lexicon --names --neural [--epochs 30] --save …

Every session since the tenth named "a different learner" as the one lever left untried:
crfsuite is a first-order linear chain over sparse features, and every feature, training
parameter, tokeniser and stacking change measured within the noise of the ``--quick``
screen (``bench/README.md``).  This is the learner the field moved to after the CRF
(Neural ParsCit, GROBID's BiLSTM-CRF models): a bidirectional LSTM under a CRF output
layer.  To compare learners and not features, its input is *the CRF's own features* —
each token is the bag of the feature strings :func:`bench.train_parser.training_features`
gives it (the learnt dictionary and names held out the same way) — so the only change is
the model:

* **wide**: a weight per (feature, label), summed over the token's features: the CRF's
  state features, learnt by the same likelihood;
* **deep**: the token's features embedded (the sum of their vectors), a BiLSTM over the
  string, and a linear map to the labels: context of any length and non-linear feature
  conjunctions, which a linear chain cannot have;
* a CRF layer (label transitions, the start and end of a string) over their sum, trained
  by the chain's negative log-likelihood and decoded by Viterbi.

Training is deterministic for a given seed and thread count (``torch.manual_seed``, fixed
batch order), Adam with weight decay on the wide part only, feature dropout (a token
loses each feature with probability 0.1 while training), a fixed number of epochs.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from functools import partial

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from bench.train_parser import training_features
from citetrack.parse.crf import phrases as known_names
from citetrack.parse.crf.dataset import Segments, training_labels
from citetrack.parse.crf.features import sequence_features
from citetrack.parse.crf.lexicon import learn

EMBED = 96
HIDDEN = 128
EPOCHS = 20
BATCH = 32
FEATURE_DROPOUT = 0.1
SEED = 15


class Chain(nn.Module):
    """Wide (per-feature label weights) + deep (embedded bag → BiLSTM) emissions, under a
    linear-chain CRF."""

    def __init__(self, features: int, labels: int) -> None:
        super().__init__()
        self.wide = nn.EmbeddingBag(features, labels, mode="sum", padding_idx=0)
        self.embed = nn.EmbeddingBag(features, EMBED, mode="sum", padding_idx=0)
        self.lstm = nn.LSTM(EMBED, HIDDEN, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * HIDDEN, labels)
        self.drop = nn.Dropout(0.25)
        self.trans = nn.Parameter(torch.zeros(labels, labels))
        self.start = nn.Parameter(torch.zeros(labels))
        self.end = nn.Parameter(torch.zeros(labels))
        nn.init.zeros_(self.wide.weight)
        nn.init.normal_(self.embed.weight, std=0.02)

    def emissions(
        self, ids: torch.Tensor, offsets: torch.Tensor, shape: tuple[int, int], mask: torch.Tensor
    ) -> torch.Tensor:
        """Scores (batch, time, label) of the flattened tokens (``ids`` cut by ``offsets``),
        laid out as ``shape`` = (batch, time) with padding tokens (empty bags) at the end;
        the LSTM runs over each string's own tokens (packed: the backward direction must not
        start in the padding)."""
        wide = self.wide(ids, offsets).view(*shape, -1)
        deep = self.drop(torch.tanh(self.embed(ids, offsets))).view(*shape, -1)
        lengths = mask.sum(1).long()
        packed = pack_padded_sequence(deep, lengths, batch_first=True, enforce_sorted=False)
        hidden, _ = pad_packed_sequence(
            self.lstm(packed)[0], batch_first=True, total_length=shape[1]
        )
        return wide + self.out(self.drop(hidden))

    def nll(self, scores: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The chain's negative log-likelihood of ``tags``, summed over the batch."""
        batch, steps, _ = scores.shape
        index = torch.arange(batch)
        gold = self.start[tags[:, 0]] + scores[index, 0, tags[:, 0]]
        alpha = self.start + scores[:, 0]
        for t in range(1, steps):
            m = mask[:, t]
            step = scores[index, t, tags[:, t]] + self.trans[tags[:, t - 1], tags[:, t]]
            gold = gold + step * m
            nxt = torch.logsumexp(
                alpha.unsqueeze(2) + self.trans + scores[:, t].unsqueeze(1), dim=1
            )
            alpha = torch.where(m.unsqueeze(1).bool(), nxt, alpha)
        lengths = mask.sum(1).long()
        gold = gold + self.end[tags[index, lengths - 1]]
        return (torch.logsumexp(alpha + self.end, dim=1) - gold).sum()

    def viterbi(self, scores: torch.Tensor) -> list[int]:
        """The best label path of one string's scores (time, label)."""
        best = self.start + scores[0]
        back: list[torch.Tensor] = []
        for t in range(1, scores.shape[0]):
            total = best.unsqueeze(1) + self.trans
            best, arg = total.max(dim=0)
            best = best + scores[t]
            back.append(arg)
        best = best + self.end
        path = [int(best.argmax())]
        for arg in reversed(back):
            path.append(int(arg[path[-1]]))
        return path[::-1]


def _batch(
    rows: list[list[list[int]]], drop: float, rng: random.Random
) -> tuple[torch.Tensor, torch.Tensor, tuple[int, int], torch.Tensor]:
    """Flattened feature ids, bag offsets, (batch, time) and the mask of a batch."""
    steps = max(len(r) for r in rows)
    ids: list[int] = []
    offsets: list[int] = []
    mask = torch.zeros(len(rows), steps)
    for b, row in enumerate(rows):
        mask[b, : len(row)] = 1
        for t in range(steps):
            offsets.append(len(ids))
            if t < len(row):
                feats = row[t] if not drop else [f for f in row[t] if rng.random() >= drop]
                ids.extend(feats or row[t][:1])
    return torch.tensor(ids, dtype=torch.long), torch.tensor(offsets), (len(rows), steps), mask


class Neural:
    """A trained chain with its feature and label tables, and the dictionary and names
    learnt from its training strings (the held-out strings see them as the CRF's do)."""

    def __init__(self, sequences: list[Segments], epochs: int = EPOCHS, seed: int = SEED) -> None:
        torch.manual_seed(seed)
        rng = random.Random(seed)
        feats = training_features(sequences, lexicon=True, names=True)
        counts = Counter(f for seq in feats for tok in seq for f in tok)
        self.index = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= 2), 1)}
        labels = [training_labels(s) for s in sequences]
        self.labels = sorted({lab for seq in labels for lab in seq})
        label_id = {lab: i for i, lab in enumerate(self.labels)}
        rows = [self._ids(seq) for seq in feats]
        tags = [[label_id[lab] for lab in seq] for seq in labels]
        self.model = Chain(len(self.index) + 1, len(self.labels))
        wide = [self.model.wide.weight]
        rest = [p for n, p in self.model.named_parameters() if n != "wide.weight"]
        optimiser = torch.optim.Adam(
            [{"params": wide, "weight_decay": 1e-6}, {"params": rest}], lr=2e-3
        )
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        batches = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
        for epoch in range(epochs):
            start = time.perf_counter()
            self.model.train()
            rng.shuffle(batches)
            total = 0.0
            for chosen in batches:
                ids, offsets, shape, mask = _batch([rows[i] for i in chosen], FEATURE_DROPOUT, rng)
                gold = torch.zeros(shape, dtype=torch.long)
                for b, i in enumerate(chosen):
                    gold[b, : len(tags[i])] = torch.tensor(tags[i])
                loss = self.model.nll(self.model.emissions(ids, offsets, shape, mask), gold, mask)
                optimiser.zero_grad()
                (loss / len(chosen)).backward()
                nn.utils.clip_grad_norm_(self.model.parameters(), 5.0)
                optimiser.step()
                total += float(loss)
            print(
                f"  epoch {epoch + 1}/{epochs}: loss {total / len(rows):.3f}, "
                f"{time.perf_counter() - start:.0f} s",
                flush=True,
            )
        self.model.eval()
        table = learn(sequences).table()
        self.lex: Callable[[str], list[str]] = lambda word: table.get(word) or []
        self.names = known_names.learn(sequences)

    def _ids(self, seq: list[list[str]]) -> list[list[int]]:
        return [[self.index[f] for f in tok if f in self.index] or [0] for tok in seq]

    def tag(self, tokens: list[str]) -> tuple[list[str]]:
        """Tokens → begin-marked labels (a one-tuple, as ``train_parser.open_passes``)."""
        feats = sequence_features(tokens, self.lex, partial(self.names.features))
        ids, offsets, shape, mask = _batch([self._ids(feats)], 0.0, random.Random(0))
        with torch.no_grad():
            scores = self.model.emissions(ids, offsets, shape, mask)[0]
            path = self.model.viterbi(scores)
        return ([self.labels[i] for i in path],)
