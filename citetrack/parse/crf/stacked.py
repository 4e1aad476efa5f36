"""The second labelling pass: features that add the first pass's labels (stacking).

A linear-chain CRF sees its neighbours' labels one step away only.  The second pass
re-labels a string with the token features of :mod:`citetrack.parse.crf.features` plus
what the first pass decided around the token: its own first-pass label, the labels of
the two tokens either side, the label of the segment before and after its segment, and
which labels (and how many segments of each) came before it — so that a run of words
after a journal and a volume can be read as pages, or a second title-like segment as the
container.

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


def stack_features(features: list[list[str]], first: list[str]) -> list[list[str]]:
    """The second pass's features of every token: ``features`` (the first pass's) plus
    the first pass's labels ``first`` (one per token, begin marks kept) around it."""
    n = len(first)
    labels = [plain(label) for label in first]
    # Segments of the first pass: runs of one plain label.
    seg_of: list[int] = []
    seg_labels: list[str] = []
    for i, label in enumerate(labels):
        if i == 0 or label != labels[i - 1] or first[i].startswith("B-"):
            seg_labels.append(label)
        seg_of.append(len(seg_labels) - 1)
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
        out.append(feats)
        if (i + 1 == n or seg_of[i + 1] != seg) and labels[i] in _COUNTED:
            seen[labels[i]] = seen.get(labels[i], 0) + 1
    return out
