"""Property tests: any bytes give a Lock or a LockError; any Lock survives a round trip."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from citetrack.model import Identifiers, LinkVerdict, Severity, Source, UpdateKind
from citetrack.tracking.codec import bytes_digest
from citetrack.tracking.lockfile import (
    METADATA_FIELDS,
    Accepted,
    ArticleRecord,
    Failing,
    Lock,
    LockEntry,
    LockError,
    Notice,
    SourceRecord,
    UrlRecord,
    dumps_lock,
    fileformat,
    parse_lock,
    read_lock,
)
from citetrack.tracking.lockfile.state import AcceptedProblem

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
entry_keys = st.sampled_from(
    ["file", "identifiers", "sources", "urls", "failing", "accepted", "other"]
)
near_entries = st.dictionaries(entry_keys, json_values, max_size=6)
near_locks = st.fixed_dictionaries(
    {
        "schema_version": st.sampled_from([1, 1, 1, 0, 2, "1", True, None]),
        "references": st.dictionaries(st.text(max_size=6), near_entries | json_values, max_size=3),
    }
)


def only_lock_or_lock_error(data: bytes | str) -> None:
    try:
        lock = parse_lock(data)
    except LockError as exc:
        assert str(exc)
    else:
        assert isinstance(lock, Lock)


@given(st.binary(max_size=200))
def test_arbitrary_bytes(data: bytes) -> None:
    only_lock_or_lock_error(data)


@given(json_values)
def test_arbitrary_json(value: object) -> None:
    only_lock_or_lock_error(json.dumps(value))


@given(near_locks)
@settings(max_examples=300)
def test_almost_valid_lockfiles(doc: dict[str, object]) -> None:
    only_lock_or_lock_error(json.dumps(doc))


def test_deep_nesting_is_a_lock_error_not_a_crash() -> None:
    only_lock_or_lock_error("[" * 100_000 + "]" * 100_000)


def test_read_lock_wraps_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "citetrack.lock"
    path.write_bytes(b'{"schema_version": 1, "references": {"k": {"file": NaN}}}')
    try:
        read_lock(path)
    except LockError as exc:
        assert "references.k.file" in str(exc)
    else:
        raise AssertionError("a NaN file name was accepted")


# ------------------------------------------------------------------ valid round trips

words = st.text(min_size=1, max_size=10)
optional_words = st.none() | words
notices = st.builds(Notice, st.sampled_from(UpdateKind), optional_words)
sources = st.builds(
    SourceRecord,
    words,
    st.dictionaries(st.sampled_from(METADATA_FIELDS), words, max_size=4),
    st.lists(notices, max_size=2).map(tuple),
    st.sampled_from([1, 1, 2, 7]),  # the version of the reading (1: written as before)
)
urls = st.builds(
    UrlRecord, st.none() | st.sampled_from(LinkVerdict), optional_words, optional_words
)
failing = st.builds(Failing, st.integers(1, 50), st.dates(), st.none() | st.dates())
entries = st.builds(
    LockEntry,
    st.text(max_size=10),
    st.dictionaries(st.sampled_from([f.name for f in fields(Identifiers)]), words, max_size=3),
    st.dictionaries(st.sampled_from([s.value for s in Source]), sources, max_size=2),
    st.dictionaries(words, urls, max_size=2),
    st.dictionaries(
        st.tuples(st.sampled_from(["doi:", "pmid:", "url:"]), words).map("".join),
        failing,
        max_size=2,
    ),
    st.lists(st.builds(Accepted, words, optional_words, st.sampled_from(Severity)), max_size=3).map(
        tuple
    ),
)
locks = st.builds(Lock, st.dictionaries(words, entries, max_size=3))
#: An article's citation texts (schema 2), or none (schema 1).
TEXTS = st.dictionaries(words, st.from_regex(r"t1:[0-9a-f]{12}", fullmatch=True), max_size=2)


@given(locks)
def test_every_lock_round_trips_to_identical_bytes(lock: Lock) -> None:
    text = dumps_lock(lock)
    again = parse_lock(text.encode("utf-8"))
    assert again == lock
    assert dumps_lock(again) == text


def _whole_document(lock: Lock) -> str:
    """The lockfile's text as it was written before it was written in pieces: one
    ``json.dumps`` of the whole document."""
    doc: dict[str, object] = {
        "schema_version": fileformat.schema_of(lock),
        "references": {k: fileformat._entry_json(e) for k, e in lock.references.items()},
    }
    if lock.articles:
        doc["articles"] = {k: fileformat._article_json(a) for k, a in lock.articles.items()}
    if lock.problems:
        doc["problems"] = {
            name: [
                {
                    k: v
                    for k, v in (("rule", p.rule), ("key", p.key), ("message", p.message))
                    if v is not None
                }
                for p in marks
            ]
            for name, marks in lock.problems.items()
            if marks
        }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


problem_lists = st.lists(st.builds(AcceptedProblem, words, optional_words, words), max_size=2).map(
    tuple
)
complete_locks = st.builds(
    Lock,
    st.dictionaries(words, entries, max_size=7),
    st.dictionaries(
        words,
        st.builds(
            ArticleRecord,
            words,
            st.sampled_from(["wikitext", "text"]),
            st.dictionaries(words, st.from_regex(r"[0-9a-f]{12}", fullmatch=True), max_size=2),
            optional_words,
            st.none() | st.integers(min_value=0, max_value=2**70),
            optional_words,
            TEXTS,
        ),
        max_size=2,
    ),
    st.dictionaries(words, problem_lists, max_size=2),
)


@given(complete_locks)
@settings(max_examples=300)
def test_the_text_written_in_pieces_is_that_of_the_whole_document(lock: Lock) -> None:
    """Issue 16: the lockfile is laid out a few entries at a time (here 2, so that a
    lockfile of a few entries is in several pieces): the same bytes as before."""
    with patch.object(fileformat, "_ENTRIES_PER_PIECE", 2):
        assert dumps_lock(lock) == _whole_document(lock)
    assert dumps_lock(lock) == _whole_document(lock)


# ------------------------------------------- the fast readers change nothing (issue 16)


def _parsed(text: str) -> Lock | str:
    try:
        return parse_lock(text)
    except LockError as exc:
        return f"LockError: {exc}"


def _parsed_slowly(text: str) -> Lock | str:
    """``parse_lock`` with the common-shape readers turned off: every value goes through
    the validation that names what is wrong."""
    with (
        patch.object(fileformat, "_plain_entry", lambda doc: None),
        patch.object(fileformat, "_plain_source", lambda value: None),
        patch.object(fileformat, "_plain_url", lambda doc: None),
    ):
        return _parsed(text)


@given(locks)
def test_fast_readers_read_valid_lockfiles_as_the_full_validation_does(lock: Lock) -> None:
    text = dumps_lock(lock)
    assert _parsed(text) == _parsed_slowly(text) == lock


@given(near_locks)
@settings(max_examples=300)
def test_fast_readers_accept_and_refuse_what_the_full_validation_does(
    doc: dict[str, object],
) -> None:
    text = json.dumps(doc)
    assert _parsed(text) == _parsed_slowly(text)


def test_fast_readers_hand_unusual_values_to_the_validation() -> None:
    base = {"file": "refs.bib", "sources": {"crossref": {"id": "10.1/x", "title": "T"}}}
    bad_values = [
        {**base, "sources": {"crossref": {"id": "", "title": "T"}}},
        {**base, "sources": {"crossref": {"id": "10.1/x", "title": 3}}},
        {**base, "identifiers": {"doi": ""}},
        {**base, "urls": {"http://a.example/": {"verdict": "gone-fishing"}}},
        {**base, "urls": {"http://a.example/": {"final_url": ""}}},
    ]
    for entry in bad_values:
        text = json.dumps({"schema_version": 1, "references": {"k": entry}})
        result = _parsed(text)
        assert isinstance(result, str) and "references.k" in result, entry
        assert result == _parsed_slowly(text)


# ---------------------- lockfiles laid out as citetrack writes them: read in pieces (issue 16)


def _parsed_whole(text: str) -> Lock | str:
    """``parse_lock`` of the bytes of ``text`` read whole, never in pieces."""
    with patch.object(fileformat, "_pieced_lock", lambda data, where: None):
        return _parsed_bytes(text.encode("utf-8", "surrogatepass"))


def _parsed_bytes(data: bytes) -> Lock | str:
    try:
        return parse_lock(data)
    except LockError as exc:
        return f"LockError: {exc}"


@given(near_locks)
@settings(max_examples=300)
def test_bytes_read_in_pieces_read_and_fail_as_when_read_whole(doc: dict[str, object]) -> None:
    """Laid out as citetrack writes a lockfile (indent 2, sorted keys: cut into pieces),
    one entry a piece: the same lockfile, or the same error message."""
    text = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    with patch.object(fileformat, "_PIECE_BYTES", 1):
        assert _parsed_bytes(text.encode("utf-8", "surrogatepass")) == _parsed_whole(text)


def test_what_only_the_pieces_together_show_fails_as_when_read_whole() -> None:
    """A key twice in two pieces, bytes that are not UTF-8, or not JSON, in a later
    piece than a value of the wrong shape: the error of the whole reading."""
    entry = '{"file": "r.bib", "identifiers": {"doi": "10.1/x"}}'
    bad = '{"file": 3}'

    def lockfile(*entries: str) -> str:
        body = ",\n".join(f'    "{key}": {value}' for key, value in entries)
        return f'{{\n  "references": {{\n{body}\n  }},\n  "schema_version": 1\n}}\n'

    texts = [
        lockfile(("a", entry), ("b", entry), ("a", entry)),
        lockfile(("a", bad), ("b", entry[:-1])),
        lockfile(("a", bad), ("b", entry), ("c", "nul")),
    ]
    for text in texts:
        whole = _parsed_whole(text)
        assert isinstance(whole, str), text
        with patch.object(fileformat, "_PIECE_BYTES", 1):
            assert _parsed_bytes(text.encode("utf-8")) == whole
    assert "duplicate key 'a'" in _parsed_whole(texts[0])  # type: ignore[operator]
    assert "not valid JSON" in _parsed_whole(texts[1])  # type: ignore[operator]
    latin = lockfile(("a", bad), ("b", entry.replace("r.bib", "r\u00e9.bib"))).encode("latin-1")
    with patch.object(fileformat, "_PIECE_BYTES", 1):
        pieced = _parsed_bytes(latin)
    with patch.object(fileformat, "_pieced_lock", lambda data, where: None):
        assert pieced == _parsed_bytes(latin)
    assert "not valid JSON" in pieced  # type: ignore[operator]


# ------------------- bytes read whole before: read by orjson, sources when asked (issue 16)


def _known(data: bytes) -> Lock | str:
    """``parse_lock`` of ``data`` as bytes this code has read whole before."""
    try:
        return parse_lock(data, known={bytes_digest(data)})
    except LockError as exc:
        return f"LockError: {exc}"


articles = st.builds(
    ArticleRecord,
    words,
    st.sampled_from(["wikitext", "text"]),
    st.dictionaries(words, st.from_regex(r"[0-9a-f]{12}", fullmatch=True), max_size=2),
    optional_words,
    st.none() | st.integers(min_value=0, max_value=2**70),
    optional_words,
    TEXTS,
)
whole_locks = st.builds(
    Lock,
    st.dictionaries(words, entries, max_size=4),
    st.dictionaries(words, articles, max_size=2),
)


@given(whole_locks)
def test_known_bytes_read_as_the_first_reading_did(lock: Lock) -> None:
    data = dumps_lock(lock).encode("utf-8")
    first = parse_lock(data)
    again = _known(data)
    assert isinstance(again, Lock)
    assert again == first == lock
    assert again.digest == first.digest
    # Each entry's sources, read when asked, one by one and all at once.
    for key, entry in first.references.items():
        known_sources = again.references[key].sources
        assert len(known_sources) == len(entry.sources)
        for src, record in entry.sources.items():
            assert known_sources[src] == record
            assert known_sources.get(src) == record
        assert dict(known_sources) == dict(entry.sources)
        assert known_sources.get("nowhere") is None
    assert dumps_lock(again) == dumps_lock(first)


@given(near_locks)
@settings(max_examples=300)
def test_known_bytes_of_any_lockfile_that_reads_read_the_same(doc: dict[str, object]) -> None:
    data = json.dumps(doc).encode("utf-8")
    first = _parsed(data.decode("utf-8"))
    if isinstance(first, Lock):  # only such bytes are ever known
        assert _known(data) == first


def test_known_bytes_orjson_reads_otherwise_are_read_the_usual_way() -> None:
    # An integer beyond 64 bits (orjson: a float) in a failing check and in an article's
    # revision; a lone surrogate (orjson refuses it); NaN nowhere valid, for contrast.
    entry = {
        "file": "refs.bib",
        "failing": {"doi:10.1/x": {"failures": 2**70, "since": "2026-01-01"}},
        "sources": {"crossref": {"id": "10.1/x", "title": "T"}},
    }
    article = {"source": "a.txt", "format": "text", "revision": 2**80}
    texts = [
        json.dumps({"schema_version": 1, "references": {"k": entry}}),
        json.dumps({"schema_version": 1, "references": {}, "articles": {"a": article}}),
        '{"schema_version": 1, "references": {"k": {"file": "r.bib", "sources": '
        '{"crossref": {"id": "10.1/x", "title": "\\ud800"}}}}}',
    ]
    for text in texts:
        data = text.encode("utf-8")
        first = parse_lock(data)
        assert _known(data) == first
    lone = parse_lock(texts[2].encode("utf-8"), known={bytes_digest(texts[2].encode())})
    assert lone.references["k"].sources["crossref"].fields["title"] == "\ud800"
    assert lone.references["k"].failing == {}
    assert parse_lock(texts[0].encode()).references["k"].failing["doi:10.1/x"].failures == 2**70


@given(whole_locks)
def test_known_bytes_read_piece_by_piece_as_the_first_reading_did(lock: Lock) -> None:
    """Issue 16: the entries of known bytes are read some 256 kB at a time; here one
    entry at a time (every cut between two entries is made)."""
    data = dumps_lock(lock).encode("utf-8")
    with patch.object(fileformat, "_PIECE_BYTES", 1):
        again = _known(data)
    assert again == parse_lock(data) == lock
    assert isinstance(again, Lock)
    assert dumps_lock(again) == dumps_lock(lock)


@given(whole_locks, st.sampled_from([None, 0, 1, 3, 4, "\t", " \n"]))
def test_known_bytes_of_any_layout_read_as_the_first_reading_did(
    lock: Lock, indent: int | str | None
) -> None:
    """Bytes laid out otherwise than citetrack writes them (by hand, by another tool)
    are not cut into pieces, or not where they should not be."""
    text = json.dumps(json.loads(dumps_lock(lock)), indent=indent, ensure_ascii=False)
    with patch.object(fileformat, "_PIECE_BYTES", 1):
        assert _known(text.encode("utf-8")) == _parsed(text)


def test_known_bytes_that_only_look_like_citetracks_layout_are_read_whole() -> None:
    """Where the layout's marks are not where citetrack puts them, the pieces would not
    be the document's entries: such bytes read as the first reading did."""
    entry = '{"file": "r.bib", "identifiers": {"doi": "10.1/x"}}'
    texts = [
        # "references": { laid out as citetrack does, but an entry's URL's, first (a URL
        # of no record: the rest parses, with no entries in the pieces).
        '{"references": {"k": {"file": "r.bib", "urls": {\n  "references": {\n  }}}}, '
        '"schema_version": 1}',
        # The top level's, whose first entry closes as the object itself would.
        f'{{\n  "references": {{\n    "a": {entry}\n  }},\n    "b": {entry}\n  }},\n'
        '  "schema_version": 1\n}\n',
        # A lockfile that reads, with the close of its references where it should be.
        f'{{\n  "references": {{\n    "a": {entry},\n    "b": {entry}\n  }},\n'
        '  "schema_version": 1\n}\n',
    ]
    for text in texts:
        first = _parsed(text)
        with patch.object(fileformat, "_PIECE_BYTES", 1):
            assert _known(text.encode("utf-8")) == first, text
    assert fileformat._pieces(texts[0].encode()) is not None  # cut, and refused
    assert isinstance(_parsed(texts[0]), Lock)
    assert isinstance(_parsed(texts[2]), Lock)
    assert set(_parsed(texts[2]).references) == {"a", "b"}  # type: ignore[union-attr]


def test_a_source_that_does_not_read_is_a_lock_error_when_asked_for() -> None:
    # Not for bytes read whole before (they read), but never anything but a LockError.
    text = json.dumps(
        {
            "schema_version": 1,
            "references": {"k": {"file": "r.bib", "sources": {"crossref": {"id": ""}}}},
        }
    )
    data = text.encode("utf-8")
    assert isinstance(_parsed(text), str)
    lock = parse_lock(data, known={bytes_digest(data)})
    entry = lock.references["k"]
    assert list(entry.sources) == ["crossref"]
    try:
        entry.sources["crossref"]
    except LockError as exc:
        assert "references.k.sources.crossref.id" in str(exc)
    else:
        raise AssertionError("an empty identifier was read")
