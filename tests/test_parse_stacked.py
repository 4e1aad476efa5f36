"""The learnt dictionaries and the stacked second pass of the reference labeller.

SYNTHETIC DATA: the labelled strings below are made up for this test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.train_parser import lexicon_path, open_passes, open_tagger, train, train_stacked
from citetrack.parse.crf.dataset import read_sequences
from citetrack.parse.crf.features import sequence_features, tokenize
from citetrack.parse.crf.labeller import LEXICON_NAME, model_path, plain
from citetrack.parse.crf.lexicon import learn, load
from citetrack.parse.crf.stacked import stack_features

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
    <author>Doe, B.</author><date>(2015).</date><title>Counting clouds.</title>
    <journal>Journal of Things,</journal><volume>7(3),</volume><pages>5-6.</pages>
  </sequence>
</dataset>
"""


def _sequences(tmp_path: Path) -> list[list[tuple[str, str]]]:
    path = tmp_path / "train.xml"
    path.write_text(XML, encoding="utf-8")
    return read_sequences(path)


def test_dictionary_needs_two_strings_and_leaves_a_string_out(tmp_path: Path) -> None:
    sequences = _sequences(tmp_path)
    lexicon = learn(sequences)
    # "things" is a journal word in two strings, "letters" in one only.
    assert "lex=journal" in lexicon.features("things")
    assert lexicon.features("letters") == []
    assert "lex=name" in lexicon.features("doe")
    # Training features of string 0 do not count string 0: "things" is left in one string.
    own = lexicon.without(sequences[0])
    assert lexicon.features("things", own.get("things")) == []
    # What ships is what the whole data gives.
    assert lexicon.table()["things"] == lexicon.features("things")


def test_stack_features_show_the_first_pass_around_a_token() -> None:
    tokens = tokenize("Doe, J. (2001). Title here. Journal, 4(2), 1-9.")
    first = ["B-author", "author", "date", "B-title", "title", "B-journal", "volume", "pages"]
    feats = stack_features(sequence_features(tokens), first)
    assert len(feats) == len(tokens)
    assert "L0=B-journal" in feats[5] and "L-1=title" in feats[5] and "L1=volume" in feats[5]
    assert "Sprev=title" in feats[5] and "Snext=volume" in feats[5]
    # Labels seen before the token: title once, not yet the journal.
    assert "seen=title" in feats[6] and "seen=journal" in feats[6]
    assert not any(f.startswith("seen") and "journal" in f for f in feats[5])
    # The first-pass features are kept.
    assert set(sequence_features(tokens)[5]) <= set(feats[5])
    # No marginals given: no confidence features.
    assert not any(f.startswith("M0=") for token in feats for f in token)


def test_stack_features_place_the_token_in_its_segment_and_band_its_marginal() -> None:
    tokens = tokenize("Doe, J. (2001). Title here now. Book title. Place: Press.")
    first = ["B-author", "author", "date", "B-title", "title", "title"]
    first += ["B-title", "title", "B-location", "B-publisher"]
    sure = [0.99, 0.97, 0.9, 0.85, 0.6, 0.3, 0.4, 0.96, 0.95, 0.2]
    feats = stack_features(sequence_features(tokens), first, sure)
    assert {"Sk=0", "Sbe=b", "Slen=3"} <= set(feats[3])
    assert {"Sk=1", "Sbe=i"} <= set(feats[4])
    assert {"Sk=2", "Sbe=e"} <= set(feats[5])
    assert {"Sbe=s", "Slen=1"} <= set(feats[9])
    # The second title-labelled segment knows a title came before it; the first does not.
    assert "again=title" in feats[6] and "again=title" not in feats[3]
    assert "L0|Sprev=B-title|title" in feats[6] and "Sprev2=date" in feats[6]
    assert "M0=hi" in feats[0] and "M0=mid" in feats[3] and "M0=low" in feats[4]
    assert "L0|M0=title|vlow" in feats[5]


def test_stacked_training_is_deterministic_and_labels(tmp_path: Path) -> None:
    sequences = _sequences(tmp_path) * 3
    models = []
    for name in ("a", "b"):
        first, second = tmp_path / f"{name}.crfsuite", tmp_path / f"{name}2.crfsuite"
        train_stacked(sequences, first, second, minfreq=1, iterations=30, lexicon=True, names=True)
        models.append((first, second))
    (a1, a2), (b1, b2) = models
    assert a1.read_bytes() == b1.read_bytes() and a2.read_bytes() == b2.read_bytes()
    assert lexicon_path(a1).read_bytes() == lexicon_path(b1).read_bytes()
    assert "things" in load(lexicon_path(a1))
    tag = open_tagger(a1, a2)
    labels = [plain(t) for t in tag(tokenize("Moe, C. (2004). A made-up title. X, 9(1), 2-3."))]
    assert labels[:3] == ["author", "author", "date"]
    assert labels[-1] == "pages"
    # Both passes of the same models, for scoring them side by side; the first is the
    # plain model's labelling.
    tokens = tokenize("Moe, C. (2004). Counting clouds. Journal of Things, 9(1), 2-3.")
    one, two = open_passes(a1, a2)(tokens)
    assert len(one) == len(two) == len(tokens)
    assert open_passes(a1)(tokens) == (one,)
    assert open_tagger(a1, a2)(tokens) == two


def test_plain_training_writes_a_dictionary_only_when_asked(tmp_path: Path) -> None:
    sequences = _sequences(tmp_path)
    train(sequences, tmp_path / "p.crfsuite", minfreq=1, iterations=10)
    assert not lexicon_path(tmp_path / "p.crfsuite").exists()
    train(sequences, tmp_path / "q.crfsuite", minfreq=1, iterations=10, lexicon=True)
    assert lexicon_path(tmp_path / "q.crfsuite").exists()


def test_the_shipped_model_has_its_dictionary() -> None:
    table = load(model_path(LEXICON_NAME))
    # Common words of each group, learnt from the training strings.
    assert "lex=journal" in table["journal"]
    assert "lex=publisher" in table["press"]
    assert "lex=place" in table["london"]


def test_the_build_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """The dictionary counts words in sets; the model's bytes must not follow their order."""
    path = tmp_path / "train.xml"
    # "things" stands in titles and journals of the same two strings: two groups.
    text = XML.replace("A made-up title.", "Things made up.").replace("clouds", "things")
    path.write_text(text, encoding="utf-8")
    script = (
        "import sys; from pathlib import Path; from bench.train_parser import train; "
        "from citetrack.parse.crf.dataset import read_sequences; "
        "train(read_sequences(Path(sys.argv[1])) * 3, Path(sys.argv[2]), minfreq=1, "
        "iterations=20, lexicon=True)"
    )
    root = Path(__file__).resolve().parent.parent
    outputs = []
    for seed in ("1", "4", "5"):  # two orders of a two-element set
        out = tmp_path / f"m{seed}.crfsuite"
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
        subprocess.run([sys.executable, "-c", script, str(path), str(out)], env=env, check=True)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
