"""Whole names learnt from labelled training strings (``citetrack.parse.crf.phrases``).

Made-up references only; none is copied from the training data.
"""

from __future__ import annotations

from pathlib import Path

from bench.train_parser import open_tagger, phrases_path, train, training_features
from citetrack.parse.crf import phrases
from citetrack.parse.crf.features import sequence_features, tokenize
from citetrack.parse.crf.labeller import PHRASES_NAME, model_path
from citetrack.parse.crf.lexicon import bare

Segments = list[tuple[str, str]]

BOOK_A: Segments = [
    ("author", "Quill, A."),
    ("date", "(1990)."),
    ("title", "Tending small gardens."),
    ("location", "Fenwick:"),
    ("publisher", "Lantern Hill Press."),
]
BOOK_B: Segments = [
    ("author", "Marsh, B."),
    ("date", "(1994)."),
    ("title", "Ponds and their keepers."),
    ("location", "Fenwick:"),
    ("publisher", "Lantern Hill Press."),
]
ARTICLE: Segments = [
    ("author", "Rook, C."),
    ("title", "On moss."),
    ("journal", "Greenwork"),
    ("volume", "12,"),
    ("pages", "3-9."),
]


def _words(text: str) -> list[str]:
    return [bare(t) for t in tokenize(text)]


def test_longest_known_name_marks_its_start_end_and_neighbours() -> None:
    learnt = phrases.learn([BOOK_A, BOOK_B, ARTICLE])
    text = "Wren, D. (2001). A hedge. Fenwick: Lantern Hill Press. Greenwork 3."
    feats = learnt.features(_words(text))
    tokens = tokenize(text)
    at = {t: set(f) for t, f in zip(tokens, feats, strict=True)}
    assert at["Fenwick:"] == {"phr-b=place", "phr=place", "phr-e=place", "1:phr-b=publisher"}
    assert at["Lantern"] == {"-1:phr-e=place", "phr-b=publisher", "phr=publisher"}
    assert at["Hill"] == {"phr=publisher"}
    assert at["Press."] == {"phr=publisher", "phr-e=publisher", "1:phr-b=journal"}
    assert at["Greenwork"] == {
        "-1:phr-e=publisher",
        "phr-b=journal",
        "phr=journal",
        "phr-e=journal",
    }
    assert at["3."] == {"-1:phr-e=journal"}
    assert at["hedge."] == {"1:phr-b=place"}
    assert at["Wren,"] == set()


def test_a_prefix_of_a_name_is_not_a_name() -> None:
    learnt = phrases.learn([BOOK_A])
    feats = learnt.features(_words("Lantern Hill, a novel."))
    assert feats == [[], [], [], []]


def test_a_strings_own_names_are_taken_out_while_training() -> None:
    learnt = phrases.learn([BOOK_A, BOOK_B, ARTICLE])
    words = _words(" ".join(t for _, t in ARTICLE))
    # The journal was seen in this string only: not a known name for it.
    assert not any(learnt.features(words, phrases.own_names(ARTICLE)))
    assert "phr=journal" in learnt.features(words)[4]
    # The publisher was seen in two strings: still known without this one.
    book = _words(" ".join(t for _, t in BOOK_A))
    assert "phr=publisher" in learnt.features(book, phrases.own_names(BOOK_A))[7]


def test_save_and_load_give_the_same_features(tmp_path: Path) -> None:
    learnt = phrases.learn([BOOK_A, BOOK_B, ARTICLE])
    path = tmp_path / "names.json"
    phrases.save(learnt, path)
    again = phrases.load(path)
    words = _words("Fenwick: Lantern Hill Press. Greenwork 4.")
    assert again.features(words) == learnt.features(words)
    phrases.save(again, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == path.read_bytes()


def test_sequence_features_carry_the_names() -> None:
    learnt = phrases.learn([BOOK_A, BOOK_B])
    tokens = tokenize("Fenwick: Lantern Hill Press.")
    feats = sequence_features(tokens, None, learnt.features)
    assert "phr-b=place" in feats[0]
    assert "phr-e=publisher" in feats[3]
    assert not any(f.startswith("phr") for f in sequence_features(tokens)[0])


def test_training_with_names_writes_them_and_tags_with_them(tmp_path: Path) -> None:
    sequences = [BOOK_A, BOOK_B, ARTICLE] * 3
    feats = training_features(sequences, lexicon=False, names=True)
    assert "phr=publisher" in feats[0][7]
    model = tmp_path / "m.crfsuite"
    train(sequences, model, minfreq=1, iterations=20, names=True)
    assert phrases_path(model).exists()
    tag = open_tagger(model)
    assert len(tag(tokenize("Quill, A. (1990). Moss. Fenwick: Lantern Hill Press."))) == 8


def test_training_with_names_is_deterministic(tmp_path: Path) -> None:
    sequences = [BOOK_A, ARTICLE, BOOK_B] * 2
    first, second = tmp_path / "a.crfsuite", tmp_path / "b.crfsuite"
    train(sequences, first, minfreq=1, iterations=15, names=True)
    train(sequences, second, minfreq=1, iterations=15, names=True)
    assert first.read_bytes() == second.read_bytes()
    assert phrases_path(first).read_bytes() == phrases_path(second).read_bytes()


def test_the_shipped_names_go_with_the_shipped_model() -> None:
    learnt = phrases.load(model_path(PHRASES_NAME))
    groups = {group for _, group in learnt.counts}
    assert groups == set(phrases.GROUPS.values())
    assert all(0 < len(key) <= phrases.MAX_WORDS for key, _ in learnt.counts)
