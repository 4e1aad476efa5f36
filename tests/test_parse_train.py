"""The model build is deterministic and the labeller learns from labelled segments.

SYNTHETIC DATA: the labelled strings below are made up for this test.
"""

from __future__ import annotations

from pathlib import Path

import pycrfsuite

from bench.train_parser import train
from citetrack.parse.crf.dataset import read_sequences, tokens_and_labels, training_labels
from citetrack.parse.crf.features import sequence_features, tokenize
from citetrack.parse.crf.labeller import plain

XML = """<?xml version='1.0' encoding='UTF-8'?>
<dataset>
  <sequence>
    <author>Doe, J.</author><date>(2001).</date><title>A made-up title.</title>
    <journal>Journal of Things,</journal><volume>4(2),</volume><pages>1-9.</pages>
  </sequence>
  <sequence>
    <author>Roe, K.</author><date>(1999).</date><title>Another invented study.</title>
    <journal>Imaginary Letters,</journal><volume>12(1),</volume><pages>33-41.</pages>
  </sequence>
  <sequence>
    <author>Poe, A.</author><date>(2010).</date><title>The book of nothing.</title>
    <location>Springfield:</location><publisher>Example Press.</publisher>
  </sequence>
  <sequence>
    <author>Lee, B.</author><date>(2015).</date>
    <title>Counting &lt;italic&gt;clouds&lt;/italic&gt;.</title>
    <source>Cloud Quarterly,</source><volume>7(3),</volume><pages>5-6.</pages>
  </sequence>
</dataset>
"""


def test_reading_labelled_strings(tmp_path: Path) -> None:
    path = tmp_path / "train.xml"
    path.write_text(XML, encoding="utf-8")
    sequences = read_sequences(path)
    assert len(sequences) == 4
    assert sequences[3][2] == ("title", "Counting clouds.")  # markup removed
    assert sequences[3][3] == ("note", "Cloud Quarterly,")  # rare label folded
    tokens, labels = tokens_and_labels(sequences[0])
    assert tokens[:3] == ["Doe,", "J.", "(2001)."]
    assert labels[:3] == ["author", "author", "date"]


def test_training_is_deterministic_and_learns(tmp_path: Path) -> None:
    path = tmp_path / "train.xml"
    path.write_text(XML, encoding="utf-8")
    sequences = read_sequences(path) * 3
    first, second = tmp_path / "a.crfsuite", tmp_path / "b.crfsuite"
    train(sequences, first, minfreq=1, iterations=30)
    train(sequences, second, minfreq=1, iterations=30)
    assert first.read_bytes() == second.read_bytes()
    tagger = pycrfsuite.Tagger()
    tagger.open(str(first))
    tokens = tokenize("Moe, C. (2004). A new made-up title. Journal of Things, 9(1), 2-3.")
    marked = tagger.tag(sequence_features(tokens))
    # The model's labels mark where a title, journal, author … segment starts.
    assert marked[:3] == ["B-author", "author", "B-date"]
    labels = [plain(tag) for tag in marked]
    assert labels[:3] == ["author", "author", "date"]
    assert labels[-1] == "pages"
    assert "B-journal" in marked and "B-title" in marked


def test_training_labels_mark_where_segments_start() -> None:
    segments = [
        ("author", "Doe, J."),
        ("date", "(2001)."),
        ("title", "A made-up title."),
        ("journal", "Journal of Things,"),
        ("volume", "4(2),"),
    ]
    assert training_labels(segments) == [
        "B-author",
        "author",
        "B-date",
        "B-title",
        "title",
        "title",
        "B-journal",
        "journal",
        "journal",
        "B-volume",
    ]
    # Rare labels are not marked.
    assert training_labels(
        [("doi", "doi:10.1000/made.up"), ("url", "https://example.org/x y")]
    ) == [
        "doi",
        "url",
        "url",
    ]
    assert plain("B-journal") == "journal"
    assert plain("volume") == "volume"
