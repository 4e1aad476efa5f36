"""The second labelling pass: features that add the first pass's labels (stacking).

A linear-chain CRF sees its neighbours' labels one step away only.  The second pass
re-labels a string with the token features of :mod:`citetrack.parse.crf.features` plus
what the first pass decided around the token: its own first-pass label, the labels of
the two tokens either side, the label of the segment before and after its segment, and
which labels (and how many segments of each) came before it, whether a segment of the
token's own label came before (a second "title" is often the container), where the token
stands in its segment, and — when given — how sure the first pass was of the token's
label (its marginal probability, in four bands), so that a run of words after a journal
and a volume can be read as pages, or a second title-like segment as the container.

The first-pass labels that the second pass is trained on must carry the first pass's
*mistakes*, not be the gold labels: ``train_stacked`` in ``bench/train_parser.py`` labels
each part of the training data with a first-pass model trained without that part
(cross-fitting).
"""

from __future__ import annotations

from citetrack.parse.crf.labeller import plain

#: Labels counted in the "seen before" features (the rest are rare).
_COUNTED = frozenset(
    (
        "author",
        "editor",
        "date",
        "title",
        "container-title",
        "journal",
        "volume",
        "pages",
        "publisher",
        "location",
        "edition",
        "note",
        "genre",
        "url",
        "doi",
    )
)


def _band(p: float) -> str:
    """A first-pass marginal probability as one of four bands (a feature per band)."""
    if p >= 0.95:
        return "hi"
    if p >= 0.8:
        return "mid"
    return "low" if p >= 0.5 else "vlow"


def _length(n: int) -> str:
    return str(n) if n <= 3 else ("4-6" if n <= 6 else "7+")


def stack_features(
    features: list[list[str]], first: list[str], confidence: list[float] | None = None
) -> list[list[str]]:
    """The second pass's features of every token: ``features`` (the first pass's) plus
    the first pass's labels ``first`` (one per token, begin marks kept) around it and,
    with ``confidence``, the first pass's marginal probability of each token's label."""
    n = len(first)
    labels = [plain(label) for label in first]
    # Segments of the first pass: runs of one plain label.
    seg_of: list[int] = []
    seg_labels: list[str] = []
    for i, label in enumerate(labels):
        if i == 0 or label != labels[i - 1] or first[i].startswith("B-"):
            seg_labels.append(label)
        seg_of.append(len(seg_labels) - 1)
    starts = [i for i in range(n) if i == 0 or seg_of[i] != seg_of[i - 1]]
    ends = [*starts[1:], n]
    out: list[list[str]] = []
    seen: dict[str, int] = {}
    for i in range(n):
        feats = list(features[i])
        feats.append(f"L0={first[i]}")
        for offset in (-2, -1, 1, 2):
            j = i + offset
            feats.append(f"L{offset}={first[j] if 0 <= j < n else 'none'}")
        feats.append(f"L-1|L0={first[i - 1] if i else 'none'}|{first[i]}")
        feats.append(f"L0|L1={first[i]}|{first[i + 1] if i + 1 < n else 'none'}")
        seg = seg_of[i]
        before = seg_labels[seg - 1] if seg else "none"
        after = seg_labels[seg + 1] if seg + 1 < len(seg_labels) else "none"
        feats.append(f"Sprev={before}")
        feats.append(f"Snext={after}")
        feats.append(f"Sprev|Snext={before}|{after}")
        feats.append(f"Sidx={min(seg, 8)}")
        feats.append(f"Sleft={min(len(seg_labels) - 1 - seg, 8)}")
        for label, count in seen.items():
            feats.append(f"seen={label}" if count == 1 else f"seen2={label}")
        # A segment of the token's own label before this one: a second title is often
        # the container, a second date or place a publication note's.
        if labels[i] in seen:
            feats.append(f"again={labels[i]}")
        feats.append(f"L0|Sprev={first[i]}|{before}")
        feats.append(f"Sprev2={seg_labels[seg - 2] if seg > 1 else 'none'}")
        # Where the token stands in its first-pass segment, and the segment's length.
        start, end = starts[seg], ends[seg]
        at = i - start
        feats.append(f"Sk={min(at, 5)}")
        feats.append(
            f"Sbe={'s' if end - start == 1 else 'b' if at == 0 else 'e' if i + 1 == end else 'i'}"
        )
        feats.append(f"Slen={_length(end - start)}")
        if confidence is not None:
            band = _band(confidence[i])
            feats.append(f"M0={band}")
            feats.append(f"L0|M0={labels[i]}|{band}")
        out.append(feats)
        if (i + 1 == n or seg_of[i + 1] != seg) and labels[i] in _COUNTED:
            seen[labels[i]] = seen.get(labels[i], 0) + 1
    return out
