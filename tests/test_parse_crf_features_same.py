"""The labeller's features and the router's Wikipedia test, made faster, give the same answers.

Session 12 (issue 15, speed): :func:`citetrack.parse.crf.features.sequence_features` now
reads one cached record per word, and :func:`citetrack.parse.route.wiki_style` tests a
few literal clues before its regular expression.  The model's input is the exact list of
feature strings *in order* (the tagger sums their weights in it), so these tests compare
the new code with the code it replaced, kept here as the oracle (``_old_*``), on made-up
references and on generated token sequences full of the characters the state reads
(brackets, quotes, years, initials, periods, commas, ``In``).
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from citetrack.parse import route
from citetrack.parse.crf import features as f
from citetrack.parse.crf.features import sequence_features, tokenize
from citetrack.parse.items import Item

# --- the pre-session-12 implementation (commit 920a3e3), kept as the oracle ------------


def _old_neighbours(word: str) -> dict[int, tuple[str, ...]]:
    return {offset: f._neighbour(word, offset) for offset in (-2, -1, 1, 2)}


def _old_chunks(tokens: list[str]) -> tuple[list[int], list[tuple[str, ...]]]:
    chunk_of: list[int] = []
    spans: list[list[str]] = [[]]
    for token in tokens:
        chunk_of.append(len(spans) - 1)
        spans[-1].append(token)
        if f._chunk_end(token):
            spans.append([])
    if not spans[-1]:
        spans.pop()
    total = len(spans)
    out: list[tuple[str, ...]] = []
    for index, span in enumerate(spans):
        size = len(span)
        feats = [
            f"chunk={min(index, 5)}",
            f"chunk-end={min(total - 1 - index, 5)}",
            f"chunk-len={size if size < 4 else 6 if size < 7 else 12 if size < 13 else 13}",
        ]
        joined = " ".join(span)
        if f._YEAR_IN.search(joined):
            feats.append("chunk-year")
        if any(map(str.isdigit, joined)):
            feats.append("chunk-digits")
        if f._QUOTE_IN.search(joined):
            feats.append("chunk-quote")
        out.append(tuple(feats))
    return chunk_of, out


# The oracle, kept as it was.
def _old_sequence_features(
    tokens: list[str], lex: f.Lookup | None = None, names: f.Names | None = None
) -> list[list[str]]:
    n = len(tokens)
    out: list[list[str]] = []
    periods = commas = depth = 0
    quoted = seen_in = seen_year = False
    chunk_of, chunks = _old_chunks(tokens)
    words = [f._context(t)[0] for t in tokens]
    found = [tuple(lex(w)) for w in words] if lex is not None else []
    named = names(words) if names is not None else None
    year_at = [i for i, t in enumerate(tokens) if "is=year" in f._context(t)[3]]
    last_year = year_at[-1] if year_at else -1
    first_year = year_at[0] if year_at else n
    closed_at = -2
    for i, token in enumerate(tokens):
        feats = list(f.word_features(token))
        feats.extend(chunks[chunk_of[i]])
        if i < last_year:
            feats.append("year-ahead")
        if i > first_year:
            feats.append(f"since-year={min(i - first_year, 4)}")
        if closed_at >= 0:
            feats.append("after-quote" if closed_at < i - 1 else "quote-closed")
        if i == 0 or chunk_of[i - 1] != chunk_of[i]:
            feats.append("chunk-start")
        feats.append(f"pos={i}" if i < 5 else f"rel={10 * i // n}")
        if i == n - 1:
            feats.append("last")
        feats.append(f"periods={min(periods, 6)}")
        feats.append(f"commas={min(commas, 6)}")
        if depth:
            feats.append("in-paren")
        if quoted:
            feats.append("in-quote")
        if seen_in:
            feats.append("after-in")
        if seen_year:
            feats.append("after-year")
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if 0 <= j < n:
                feats.extend(_old_neighbours(tokens[j])[offset])
            else:
                feats.append(f"{offset}:none")
        out.append(feats)
        if found:
            if i:
                feats.extend(f._shifted(-1, found[i - 1]))
            feats.extend(found[i])
            if i + 1 < n:
                feats.extend(f._shifted(1, found[i + 1]))
        if named is not None:
            feats.extend(named[i])
        if f._STATE_CHARS.search(token):
            for ch in token:
                if ch in "([{":
                    depth += 1
                elif ch in ")]}":
                    depth = max(0, depth - 1)
                elif ch in "“«„":
                    quoted = True
                elif ch in "”»":
                    quoted = False
                    closed_at = i
                elif ch == '"':
                    quoted = not quoted
                    closed_at = i if not quoted else closed_at
        marks = f._context(token)[3]
        seen_in = seen_in or "cue=in" in marks
        seen_year = seen_year or "is=year" in marks
        last = token[-1]
        if last == "." and len(token) > 2 and not f._INITIAL.match(token):
            periods += 1
        elif last == ",":
            commas += 1
    return out


# --- made-up references in many styles, and helpers ------------------------------------

MADE_UP = [
    "[3] Doe, J. (2001). A title. Journal, 4(2), 1-9.",
    'Roe, K. "A made-up title," Gazette of Nowhere 7 (1999): 1-2.',
    "Doe, J. (2001). A chapter. In K. Roe (Ed.), A book (pp. 3-9). Springfield: Acme Press.",
    "Quill AB, Marsh C. Tending small gardens. J Garden Res. 2011;253(4):651-7.",
    "A. Quill and B. Marsh. On moss. Greenwork, 4(2):1-9, 1978.",
    "Marsh, Bea. « Les étangs », dans Revue des jardins, t. 12, n° 3, 1962, p. 45-67.",
    "Rook C, Fenn D (eds) (2004) Ponds and their keepers, 2nd edn. Lantern Hill Press, Fenwick",
    "11. Lark, E. 1993. Small birds [PhD thesis]. University of Nowhere, Fenwick, May 1993.",
    'Wren, F. {Data} ((2020)) “Quoted „inner“ title” and ”odd” quotes " here. 2019-2021',
    "Finch G. Title with 2nd ed. and vol. IV, no. 3; pp. xi–xx. https://example.org/x 10.1234/ab",
]

_TOKENS = st.sampled_from(
    [
        "Doe,",
        "J.",
        "A.-B.",
        "AB",
        "(2001).",
        "2001",
        "1999a,",
        "(Ed.),",
        "In",
        "in",
        "“Title,”",
        '"Quoted',
        'title."',
        "«",
        "»,",
        "„inner“",
        "[3]",
        "(2)",
        "4(2):1-9.",
        "pp.",
        "45-67.",
        "Journal",
        "Press.",
        "London:",
        "van",
        "et",
        "al.",
        "Title.",
        "a",
        "of",
        "the",
        "?",
        "!.",
        "...",
        ").",
        "{x}",
        "Hist.",
        "2nd",
        "IV",
        "n°",
        "https://example.org",
        "10.1234/xy",
        "978-0-12-345678-9",
        "10000",
        "²",
        "Ł.",
    ]
)


def _fake_lex(word: str) -> list[str]:
    """Dictionary features for a few words (a stand-in for the learnt dictionary)."""
    return {
        "journal": ["lex=journal", "lex=journal:3"],
        "press": ["lex=publisher", "lex=publisher:2"],
        "london": ["lex=place", "lex=place:3"],
        "doe": ["lex=name", "lex=name:1"],
    }.get(word, [])


def _fake_names(words: list[str]) -> list[list[str]]:
    """Known-name features: a token after "journal" starts a name (a stand-in)."""
    out: list[list[str]] = [[] for _ in words]
    for i, word in enumerate(words):
        if word == "journal" and i + 1 < len(words):
            out[i + 1] += ["phr-b=journal", "phr=journal"]
    return out


def test_features_are_the_old_ones_on_made_up_references() -> None:
    for text in MADE_UP:
        tokens = tokenize(text)
        assert sequence_features(tokens) == _old_sequence_features(tokens), text
        assert sequence_features(tokens, _fake_lex, _fake_names) == _old_sequence_features(
            tokens, _fake_lex, _fake_names
        ), text


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(_TOKENS, max_size=30))
def test_features_are_the_old_ones_on_generated_token_sequences(tokens: list[str]) -> None:
    assert sequence_features(tokens) == _old_sequence_features(tokens)
    assert sequence_features(tokens, _fake_lex, _fake_names) == _old_sequence_features(
        tokens, _fake_lex, _fake_names
    )


def test_a_words_record_is_cached_and_its_chunk_flags_match_the_text() -> None:
    """The record of a word is computed once; a year, digit or quote inside a chunk is
    one inside one of its words."""
    record = f._token("(1999).")
    assert f._token("(1999).") is record
    assert record[3] and record[6] == 1 and record[7] and record[8] == 1 | 2
    assert f._token("“Title,”")[8] == 4 and f._token("“Title,”")[5] == "“”"
    assert f._token("Doe,")[6] == 2 and f._token("J.")[6] == 0  # an initial ends no period


# --- the router's Wikipedia test --------------------------------------------------------

_WIKI_PIECES = st.sampled_from(
    [
        "Retrieved 5 May 2020",
        "Retrieved May 5, 2020",
        "retrieved 5 May 2020",
        "Archived from the original",
        "archived from the original",
        "Archived 2",
        "Archived x",
        "(PDF)",
        "S2CID 1",
        "xS2CID",
        "Bibcode",
        "OCLC 3",
        "PMID 12",
        "PMC 4",
        "PMC4",
        "PMCx",
        "– via Web",
        "— via",
        "-- via",
        "hdl:1",
        "JSTOR 9",
        "JSTOR x",
        "CS1",
        "MedlinePlus",
        "at eMedicine",
        '"Title".',
        '"Title."',
        "“Title”. ",
        "“Title.”",
        '(2001). "T".',
        ").",
        '"',
        "“",
        "”",
        ".",
        " ",
        "Doe, J.",
        "Journal 4(2)",
    ]
)


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(_WIKI_PIECES, max_size=8), sep=st.sampled_from(["", " ", ". "]))
def test_wiki_signs_clues_never_change_the_answer(pieces: list[str], sep: str) -> None:
    text = sep.join(pieces)
    assert route._wiki_signs(text) == bool(route._WIKI_SIGNS.search(text))
    # Every match holds a clue itself (not only the text around it).
    for match in route._WIKI_SIGNS.finditer(text):
        assert any(clue in match.group(0) for clue in route._WIKI_CLUES), match.group(0)


def test_wiki_signs_on_made_up_references_and_every_clue() -> None:
    for text in MADE_UP:
        assert route._wiki_signs(text) == bool(route._WIKI_SIGNS.search(text))
    # One text per alternative of the expression: each is still seen.
    samples = [
        "Doe. Retrieved 5 May 2020.",
        "Archived from the original on 1 May 2020",
        "Archived 2020-05-01",
        "Title (PDF). Journal.",
        "S2CID 12345.",
        "Bibcode 2001x.",
        "OCLC 12.",
        "PMID 123.",
        "PMC123.",
        "Site – via Web.",
        "hdl:10/1.",
        "JSTOR 123.",
        "CS1 maint",
        'Doe (2001). "Title".',
        '"A title".  Journal',
        "at MedlinePlus",
        "Foo at eMedicine",
    ]
    for text in samples:
        match = route._WIKI_SIGNS.search(text)
        assert match and route._wiki_signs(text), text
        assert any(clue in match.group(0) for clue in route._WIKI_CLUES), text
    plain = "Doe, J. (2001). A title. Journal, 4(2), 1-9."
    assert not route._wiki_signs(plain) and not re.search(route._WIKI_SIGNS, plain)


def test_crf_citation_with_the_prepared_text_is_the_same() -> None:
    """parse_item_routed hands its prepared text on; the citation is the one the item
    alone gives."""
    from citetrack.parse import rendered  # noqa: PLC0415

    for n, text in enumerate(MADE_UP, start=1):
        item = Item(line=n, raw=text, text=text)
        alone = route.crf_citation(item)
        handed = route.crf_citation(item, prepared=rendered.prepare_text(item.text))
        assert alone == handed, text


# --- the tagger's features: only those its model knows -----------------------------------


def test_model_attributes_are_the_models_dictionary() -> None:
    """The attribute names read from the shipped model's bytes are those crfsuite lists."""
    import pycrfsuite  # noqa: PLC0415

    from citetrack.parse.crf import labeller  # noqa: PLC0415

    path = labeller.model_path()
    known = labeller.model_attributes(path.read_bytes())
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    assert known == frozenset(tagger.info().attributes)


def test_model_attributes_refuse_other_bytes() -> None:
    from citetrack.parse.crf import labeller  # noqa: PLC0415

    data = labeller.model_path().read_bytes()
    assert labeller.model_attributes(b"") is None
    assert labeller.model_attributes(b"not a model at all, just some bytes" * 4) is None
    assert labeller.model_attributes(data[: len(data) // 2]) is None  # truncated
    broken = bytearray(data)
    broken[:4] = b"xCRF"
    assert labeller.model_attributes(bytes(broken)) is None


def test_the_tagger_labels_the_same_with_only_the_known_features() -> None:
    """Leaving out what the model does not know changes no label and no probability."""
    from citetrack.parse.crf import labeller  # noqa: PLC0415

    tagger = labeller._get_tagger()
    known = labeller.model_attributes(labeller.model_path().read_bytes())
    assert known is not None
    kept = f.known_only(known)
    lex, names = labeller._lookup, labeller._phrases.features if labeller._phrases else None
    for text in MADE_UP:
        tokens = tokenize(text)
        whole = sequence_features(tokens, lex, names)
        short = sequence_features(tokens, lex, names, kept)
        assert [[x for x in feats if x in known] for feats in whole] == [
            [x for x in feats if x in known] for feats in short
        ], text
        assert sum(map(len, short)) < sum(map(len, whole))
        labels = tagger.tag(whole)
        probability = tagger.probability(labels)
        assert tagger.tag(short) == labels, text
        assert tagger.probability(labels) == probability, text
        assert labeller.label_tokens(tokens)[0] == [labeller.plain(t) for t in labels]


def test_an_unclosed_ipv6_bracket_in_a_url_is_no_url_and_stops_nothing() -> None:
    """Found by tests/test_fuzz_inputs.py this session (``http://[``, already in main):
    ``urlsplit`` raises on it, and the parse stopped with a traceback."""
    from citetrack import identifiers  # noqa: PLC0415
    from citetrack.parse import parse_text  # noqa: PLC0415

    assert identifiers.split_url("http://[") is None
    assert identifiers.normalize_url("http://[") is None
    assert identifiers.doi_from_url("http://[") is None
    assert identifiers.doi_from_url("https://doi.org/10.1234/ab") == "10.1234/ab"
    for text in ("http://[", "1. Doe, J. (2001). A title. http://[x Journal, 1, 1-2."):
        assert parse_text(text, "auto").references
