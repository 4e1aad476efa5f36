"""Synthetic training strings re-rendered in other citation styles (bench/parse_augment).

SYNTHETIC DATA: the labelled strings below are made up for this test.
"""

from __future__ import annotations

from bench.parse_augment import STYLES, augment, bare, restyle
from bench.train_parser import training_features
from citetrack.parse.crf.dataset import tokens_and_labels, training_labels

ARTICLE = [
    ("author", "Doe, J., & Roe, K."),
    ("date", "(2001)."),
    ("title", "A made-up title about nothing."),
    ("journal", "Journal of Things,"),
    ("volume", "4(2),"),
    ("pages", "1–9."),
]
BOOK = [
    ("author", "Poe, Anna."),
    ("title", "The Book of Nothing."),
    ("location", "Springfield:"),
    ("publisher", "Example Press,"),
    ("date", "2010."),
]


def test_bare_strips_only_the_surrounding_punctuation() -> None:
    assert bare("(New York:") == "New York"
    assert bare("(2001).") == "2001"
    assert bare("Title (in Russian).") == "Title (in Russian)"
    assert bare("4(2),") == "4(2)"


def test_an_article_in_each_style_keeps_its_words_and_labels() -> None:
    seen = set()
    for style in STYLES:
        copy = restyle(ARTICLE, style, "7")
        assert copy is not None
        text = " ".join(t for _, t in copy)
        seen.add(text)
        assert "Journal of Things" in text and "2001" in text and "1–9" in text
        assert dict(copy)["journal"].startswith("Journal of Things")
        assert "made-up title about nothing" in dict(copy)["title"]
    assert len(seen) == len(STYLES)  # five different renderings
    assert restyle(ARTICLE, "vancouver", "7") == [
        ("citation-number", "7."),
        ("author", "Doe, J., & Roe, K."),
        ("title", "A made-up title about nothing."),
        ("journal", "Journal of Things."),
        ("date", "2001;"),
        ("volume", "4(2):"),
        ("pages", "1–9."),
    ]
    assert restyle(ARTICLE, "ieee", "")[:3] == [  # type: ignore[index]
        ("author", "Doe, J., & Roe, K.,"),
        ("title", "“A made-up title about nothing,”"),
        ("journal", "Journal of Things,"),
    ]


def test_a_book_moves_its_year() -> None:
    copy = restyle(BOOK, "apa")
    assert copy == [
        ("author", "Poe, Anna"),
        ("date", "(2010)."),
        ("title", "The Book of Nothing."),
        ("location", "Springfield:"),
        ("publisher", "Example Press."),
    ]


def test_strings_of_other_shapes_are_left_out() -> None:
    chapter = [*BOOK[:2], ("editor", "In A. Editor (Ed.),"), *BOOK[2:]]
    assert restyle(chapter, "apa") is None
    assert restyle([("title", "No author, no year.")], "apa") is None
    no_year = [(label, text) for label, text in ARTICLE if label != "date"]
    assert restyle(no_year, "apa") is None


def test_augment_is_deterministic_and_pairs_each_copy_with_its_source() -> None:
    sequences = [ARTICLE, BOOK, [("note", "Personal communication.")]]
    first, second = augment(sequences), augment(sequences)
    assert first == second
    assert [source for _, source in first] == [ARTICLE, BOOK]


def test_copies_get_features_and_labels_token_for_token() -> None:
    sequences = [ARTICLE, BOOK, ARTICLE]
    extra = augment(sequences)
    feats = training_features(sequences, lexicon=True, extra=extra)
    assert len(feats) == len(sequences) + len(extra)
    for (copy, _), copy_feats in zip(extra, feats[len(sequences) :], strict=True):
        tokens, _ = tokens_and_labels(copy)
        assert len(copy_feats) == len(tokens) == len(training_labels(copy))
