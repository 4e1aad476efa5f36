"""Evidence as stored text (issue 16): a lossless round trip, digests that name records,
and cached records decoded only when read, never when their text is unknown.

All records here are SYNTHETIC.
"""

from __future__ import annotations

import copy
import json
import pickle
import sqlite3
import tempfile
import time
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citetrack.model import Author, Found, NotFound, Source, Update, UpdateKind, WorkMetadata
from citetrack.tracking.cache import CACHE_FILENAME, EvidenceCache
from citetrack.tracking.codec import (
    StoredFound,
    UnreadableRecord,
    bytes_digest,
    evidence_from_text,
    evidence_text,
    metadata_scalar,
    peek_text,
    record_print,
    text_digest,
)
from citetrack.tracking.memo import PRINTS_KIND, RECORDS_KIND, Memo
from tests.e2e import run_cli

_text = st.one_of(st.none(), st.text(max_size=12))
_authors = st.builds(Author, st.text(max_size=8), st.text(max_size=8), st.text(max_size=8))
_updates = st.builds(Update, st.sampled_from(list(UpdateKind)), _text, _text, _text, _text)
_metadata = st.builds(
    WorkMetadata,
    source=st.sampled_from(list(Source)),
    doi=_text,
    pmid=_text,
    pmcid=_text,
    title=_text,
    authors=st.lists(_authors, max_size=3).map(tuple),
    year=st.one_of(st.none(), st.integers(-(2**40), 2**40)),
    years=st.lists(st.integers(0, 3000), max_size=3).map(tuple),
    month=st.one_of(st.none(), st.integers(1, 12)),
    container=_text,
    container_short=_text,
    volume=_text,
    issue=_text,
    pages=_text,
    work_type=_text,
    issn=st.lists(st.text(max_size=9), max_size=2).map(tuple),
    isbn=st.lists(st.text(max_size=13), max_size=2).map(tuple),
    publisher=_text,
    updates=st.lists(_updates, max_size=2).map(tuple),
    publication_types=st.lists(st.text(max_size=6), max_size=2).map(tuple),
    agency=_text,
)
_found = st.builds(Found, st.sampled_from(list(Source)), st.text(max_size=10), _metadata)
_not_found = st.builds(NotFound, st.sampled_from(list(Source)), st.text(max_size=10), st.text())


@settings(max_examples=300, deadline=None)
@given(st.one_of(_found, _not_found))
def test_the_round_trip_is_lossless(evidence: Found | NotFound) -> None:
    # The digest of a stored text names the record it reads back to only because of this.
    assert evidence_from_text(evidence_text(evidence)) == evidence


@settings(max_examples=200, deadline=None)
@given(_found, _found)
def test_digests_are_equal_exactly_when_records_are(a: Found, b: Found) -> None:
    assert (record_print(a) == record_print(b)) == (a == b)
    stored = StoredFound(a.source, a.identifier, evidence_text(a), text_digest(evidence_text(a)))
    assert record_print(stored) == record_print(a)


def _stored(found: Found) -> StoredFound:
    text = evidence_text(found)
    return StoredFound(found.source, found.identifier, text, text_digest(text))


_SAMPLE = Found(
    Source.CROSSREF,
    "10.5555/synthetic.1",
    WorkMetadata(
        source=Source.CROSSREF,
        doi="10.5555/synthetic.1",
        title="A synthetic title",
        authors=(Author("Doe", "J"),),
        year=2001,
        updates=(Update(UpdateKind.RETRACTION, notice_id="10.5555/r"),),
    ),
)


def test_a_stored_record_is_decoded_only_when_its_metadata_is_read() -> None:
    stored = _stored(_SAMPLE)
    assert "_metadata" not in stored.__dict__
    assert stored.source is Source.CROSSREF and stored.identifier == _SAMPLE.identifier
    assert "_metadata" not in stored.__dict__
    assert stored.metadata == _SAMPLE.metadata
    assert "_metadata" in stored.__dict__


def test_a_stored_record_stands_for_the_plain_one_everywhere() -> None:
    stored = _stored(_SAMPLE)
    assert stored == _SAMPLE
    assert _SAMPLE == stored  # noqa: SIM300 (the plain record on the left: its own __eq__)
    assert (stored,) == (_SAMPLE,)
    assert hash(stored) == hash(_SAMPLE)
    assert repr(stored) == repr(_SAMPLE)
    assert {stored: 1}[_SAMPLE] == 1
    for copied in (pickle.loads(pickle.dumps(stored)), copy.copy(stored), copy.deepcopy(stored)):
        assert type(copied) is Found and copied == _SAMPLE
    other = Found(Source.CROSSREF, _SAMPLE.identifier, WorkMetadata(source=Source.CROSSREF))
    assert stored != other and other != stored


def test_one_field_is_read_without_decoding_the_rest() -> None:
    stored = _stored(_SAMPLE)
    for f in fields(WorkMetadata):
        if f.default is None and f.name != "source":
            assert stored.scalar(f.name) == getattr(_SAMPLE.metadata, f.name), f.name
    assert "_metadata" not in stored.__dict__
    assert (
        metadata_scalar(_SAMPLE, "doi") == metadata_scalar(stored, "doi") == "10.5555/synthetic.1"
    )


# -- the cache hands out undecoded records only for texts this code has decoded


def _cache(tmp_path: Path, memo: Memo) -> EvidenceCache:
    cache = EvidenceCache(tmp_path / CACHE_FILENAME)
    cache.known_records = memo.view(RECORDS_KIND)
    return cache


def test_records_written_by_this_code_come_back_undecoded(tmp_path: Path) -> None:
    with Memo.open(tmp_path) as memo, _cache(tmp_path, memo) as cache:
        cache.put_many([_SAMPLE])
        got = cache.get_many(Source.CROSSREF, [_SAMPLE.identifier])[_SAMPLE.identifier]
        assert isinstance(got, StoredFound) and got == _SAMPLE


def _write_row(tmp_path: Path, identifier: str, payload: str) -> None:
    db = sqlite3.connect(tmp_path / CACHE_FILENAME)
    with db:
        db.execute(
            "INSERT OR REPLACE INTO evidence VALUES ('crossref', ?, 'found', ?, ?)",
            (identifier, payload, time.time()),
        )
    db.close()


def test_an_unknown_text_is_decoded_when_read_and_dropped_if_it_does_not_decode(
    tmp_path: Path,
) -> None:
    with Memo.open(tmp_path) as memo, _cache(tmp_path, memo) as cache:
        cache.put_many([_SAMPLE])
    # Written by someone else: valid JSON, a year that is not a number.
    hostile = json.loads(evidence_text(_SAMPLE))
    hostile["metadata"]["year"] = [2001]
    _write_row(tmp_path, _SAMPLE.identifier, json.dumps(hostile, sort_keys=True))
    with Memo.open(tmp_path) as memo, _cache(tmp_path, memo) as cache:
        assert cache.get_many(Source.CROSSREF, [_SAMPLE.identifier]) == {}
    # Written by someone else, and well formed: decoded on reading, then known.
    _write_row(
        tmp_path, _SAMPLE.identifier, json.dumps(json.loads(evidence_text(_SAMPLE)), indent=1)
    )
    with Memo.open(tmp_path) as memo, _cache(tmp_path, memo) as cache:
        first = cache.get_many(Source.CROSSREF, [_SAMPLE.identifier])[_SAMPLE.identifier]
        assert type(first) is Found and first == _SAMPLE
        again = cache.get_many(Source.CROSSREF, [_SAMPLE.identifier])[_SAMPLE.identifier]
        assert isinstance(again, StoredFound) and again == _SAMPLE


def test_a_known_text_copied_to_another_identifier_is_not_taken_for_its_record(
    tmp_path: Path,
) -> None:
    with Memo.open(tmp_path) as memo, _cache(tmp_path, memo) as cache:
        cache.put_many([_SAMPLE])
    _write_row(tmp_path, "10.5555/other", evidence_text(_SAMPLE))
    with Memo.open(tmp_path) as memo, _cache(tmp_path, memo) as cache:
        assert cache.get_many(Source.CROSSREF, ["10.5555/other"]) == {}


def test_without_the_memo_every_record_is_decoded(tmp_path: Path) -> None:
    with EvidenceCache(tmp_path / CACHE_FILENAME) as cache:
        cache.put_many([_SAMPLE])
        got = cache.get_many(Source.CROSSREF, [_SAMPLE.identifier])[_SAMPLE.identifier]
        assert type(got) is Found and got == _SAMPLE


def test_the_doi_of_a_known_record_is_read_without_parsing_its_text(tmp_path: Path) -> None:
    # The stage that looks for pmid-doi conflicts reads every PubMed record's DOI.
    with Memo.open(tmp_path) as memo, _cache(tmp_path, memo) as cache:
        cache.put_many([_SAMPLE])
    with Memo.open(tmp_path) as memo, _cache(tmp_path, memo) as cache:
        got = cache.get_many(Source.CROSSREF, [_SAMPLE.identifier])[_SAMPLE.identifier]
    assert isinstance(got, StoredFound)
    object.__setattr__(got, "_text", "not parsed")  # parsing it now would fail
    assert metadata_scalar(got, "doi") == "10.5555/synthetic.1"


def test_a_record_the_memo_vouched_for_that_does_not_decode_is_a_clear_error() -> None:
    text = evidence_text(_SAMPLE).replace('"year": 2001', '"year": [2001]')
    stored = StoredFound(_SAMPLE.source, _SAMPLE.identifier, text, text_digest(text))
    with pytest.raises(UnreadableRecord, match=r"does not read back.*cache folder"):
        _ = stored.metadata


def test_the_cli_names_an_altered_cache_instead_of_an_internal_error(tmp_path: Path) -> None:
    # Only something that rewrites both the cache and the memo (with the right digest)
    # gets here: a damaged file cannot.  The run says what to do, exit 2.
    cache = tmp_path / "cache"
    with Memo.open(cache) as memo, _cache(cache, memo) as store:
        store.put_many([_SAMPLE])
    text = evidence_text(_SAMPLE).replace('"year": 2001', '"year": [2001]')
    _write_row(cache, _SAMPLE.identifier, text)
    with Memo.open(cache) as memo:  # forged: "this text decodes"
        key = f"crossref\x1f{_SAMPLE.identifier}\x1f{text_digest(text)}"
        memo.view(RECORDS_KIND).put_many({key: '["10.5555/synthetic.1", null]'})
    bib = tmp_path / "a.bib"
    bib.write_text(
        "@article{a, title = {A synthetic title}, author = {Doe, J}, year = {2001},\n"
        "  journal = {J}, doi = {10.5555/synthetic.1}}\n",
        encoding="utf-8",
    )
    run = run_cli("check", str(bib), "--offline", "--no-links", "--cache-dir", str(cache))
    assert run.code == 2, run.stderr
    assert "does not read back" in run.stderr and "internal error" not in run.stderr


# -- the cache hashes each record's stored UTF-8 as it reads it (issue 16): the digest is
# that of the text the row holds now, never one kept from an earlier text


@settings(max_examples=100, deadline=None)
@given(_metadata, st.sampled_from(["10.5555/x", "10.5555/é-ü", "12345"]))
def test_a_served_records_digest_is_that_of_its_stored_text(
    metadata: WorkMetadata, identifier: str
) -> None:
    record = Found(Source.PUBMED, identifier, metadata)  # texts of any characters
    text = evidence_text(record)
    assert bytes_digest(text.encode("utf-8")) == text_digest(text) == record_print(record)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder)
        for _ in range(2):  # decoded the first time, then served undecoded
            with Memo.open(path) as memo, _cache(path, memo) as cache:
                if _ == 0:
                    cache.put_many([record])
                got = cache.get_many(record.source, [record.identifier])[record.identifier]
            assert isinstance(got, StoredFound) and got.digest == text_digest(text)
            assert got == record and record_print(got) == record_print(record)


def test_a_record_changed_outside_citetrack_is_served_as_it_is_now(tmp_path: Path) -> None:
    # The memo knows the old text (with its retraction): a new text under the same
    # identifier is another digest, decoded and served as what it says now.
    with Memo.open(tmp_path) as memo, _cache(tmp_path, memo) as cache:
        cache.put_many([_SAMPLE])
        assert isinstance(
            cache.get_many(Source.CROSSREF, [_SAMPLE.identifier])[_SAMPLE.identifier], StoredFound
        )
    changed = Found(
        _SAMPLE.source,
        _SAMPLE.identifier,
        WorkMetadata(
            source=Source.CROSSREF, doi="10.5555/synthetic.1", title="A synthetic title", year=2001
        ),
    )
    _write_row(tmp_path, _SAMPLE.identifier, evidence_text(changed))
    with Memo.open(tmp_path) as memo, _cache(tmp_path, memo) as cache:
        got = cache.get_many(Source.CROSSREF, [_SAMPLE.identifier])[_SAMPLE.identifier]
        assert type(got) is Found and got == changed and got != _SAMPLE
        again = cache.get_many(Source.CROSSREF, [_SAMPLE.identifier])[_SAMPLE.identifier]
        assert isinstance(again, StoredFound) and again == changed
        assert again.digest == text_digest(evidence_text(changed)) != record_print(_SAMPLE)


def test_a_stored_text_that_is_not_utf8_is_dropped_and_the_cache_stays_on(tmp_path: Path) -> None:
    with Memo.open(tmp_path) as memo, _cache(tmp_path, memo) as cache:
        cache.put_many([_SAMPLE, Found(Source.CROSSREF, "10.5555/b", _SAMPLE.metadata)])
    db = sqlite3.connect(tmp_path / CACHE_FILENAME)
    with db:  # the bytes of a known text, one of them made invalid UTF-8
        db.execute(
            "UPDATE evidence SET payload = CAST(? AS TEXT) WHERE identifier = ?",
            (
                evidence_text(_SAMPLE).encode().replace(b"synthetic title", b"synthetic \xff"),
                _SAMPLE.identifier,
            ),
        )
    db.close()
    with Memo.open(tmp_path) as memo, _cache(tmp_path, memo) as cache:
        got = cache.get_many(Source.CROSSREF, [_SAMPLE.identifier, "10.5555/b"])
        assert list(got) == ["10.5555/b"] and cache.enabled
        assert cache.get_many(Source.CROSSREF, [_SAMPLE.identifier]) == {}  # deleted


# -- the known records of a source read as one value (its prints), never for another text


def _cache_with_prints(path: Path, memo: Memo) -> EvidenceCache:
    cache = _cache(path, memo)
    cache.known_prints = memo.view(PRINTS_KIND)
    return cache


def _variant(identifier: str, title: str) -> Found:
    """A record whose peeked fields (the PMID) differ with ``title`` too."""
    metadata = WorkMetadata(Source.CROSSREF, doi=identifier, pmid=title, title=title)
    return Found(Source.CROSSREF, identifier, metadata)


def _rows(path: Path) -> dict[str, bytes]:
    db = sqlite3.connect(path / CACHE_FILENAME)
    try:
        rows = db.execute("SELECT identifier, CAST(payload AS BLOB) FROM evidence").fetchall()
    finally:
        db.close()
    return dict(rows)


_IDS = ["10.5555/a", "10.5555/b", "10.5555/c"]
_steps = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.sampled_from(_IDS), st.sampled_from(["T1", "T2", "T3"])),
        st.tuples(st.just("raw"), st.sampled_from(_IDS), st.sampled_from(["T1", "T4"])),
        st.tuples(st.just("delete"), st.sampled_from(_IDS), st.just("")),
        st.tuples(st.just("none"), st.sampled_from(_IDS), st.just("")),
    ),
    min_size=1,
    max_size=12,
)
#: How many reads were served by a print (the property test must exercise them).
SERVED_BY_PRINTS: list[int] = []


def _read_with_prints(path: Path) -> tuple[dict[str, Found | NotFound], set[str]]:
    """One run's read of every identifier, and the identifiers it looked up one by one
    (not served by a print)."""
    asked: set[str] = set()
    with Memo.open(path) as memo, _cache_with_prints(path, memo) as cache:
        lookup = cache._known

        def counted(keys: list[str]) -> dict[str, str]:
            asked.update(key.split("\x1f")[1] for key in keys)
            return lookup(keys)

        cache._known = counted  # type: ignore[method-assign]
        got = cache.get_many(Source.CROSSREF, _IDS)
        cache.keep_prints()
    return got, asked


def _change(where: Path, op: str, identifier: str, title: str) -> None:
    if op == "put":
        with EvidenceCache(where / CACHE_FILENAME) as cache:
            cache.put_many([_variant(identifier, title)])
    elif op == "raw":  # by someone else: another text, never known to this code
        text = json.dumps(json.loads(evidence_text(_variant(identifier, title))), indent=1)
        _write_row(where, identifier, text)
    elif op == "delete":
        db = sqlite3.connect(where / CACHE_FILENAME)
        with db:
            db.execute("DELETE FROM evidence WHERE identifier = ?", (identifier,))
        db.close()


@settings(max_examples=60, deadline=None)
@given(_steps)
def test_records_served_by_prints_are_what_the_rows_hold_now(
    steps: list[tuple[str, str, str]],
) -> None:
    # Runs one after the other on one cache: writes through citetrack, writes by someone
    # else (another text under a known identifier), deletions; each read served with the
    # prints equals one served without them (another folder, the same changes), and a
    # stored record's digest and peek are those of the row's bytes now.
    with tempfile.TemporaryDirectory() as folder:
        path, plain = Path(folder) / "a", Path(folder) / "b"
        for where in (path, plain):
            EvidenceCache(where / CACHE_FILENAME).close()
        for op, identifier, title in steps:  # each change followed by a run's read
            _change(path, op, identifier, title)
            _change(plain, op, identifier, title)
            got, asked = _read_with_prints(path)
            with Memo.open(plain) as memo, _cache(plain, memo) as cache:
                expected = cache.get_many(Source.CROSSREF, _IDS)
            assert got == expected
            rows = _rows(path)
            for name, record in got.items():
                assert record == evidence_from_text(rows[name].decode("utf-8"))
                if isinstance(record, StoredFound):
                    assert record.digest == bytes_digest(rows[name])
                    assert record.__dict__["_peeked"] == peek_text(record.plain())
            SERVED_BY_PRINTS.append(
                sum(isinstance(r, StoredFound) and i not in asked for i, r in got.items())
            )


def test_the_property_test_did_serve_records_by_prints() -> None:
    if not SERVED_BY_PRINTS:  # run alone (-k): nothing to say
        return
    assert sum(SERVED_BY_PRINTS) > 0


def test_an_unchanged_cache_is_served_by_one_value_per_source(tmp_path: Path) -> None:
    records = [_variant(identifier, "T") for identifier in _IDS]
    with Memo.open(tmp_path) as memo, _cache_with_prints(tmp_path, memo) as cache:
        cache.put_many(records)
        first = cache.get_many(Source.CROSSREF, _IDS)  # known records, then prints kept
        cache.keep_prints()
    assert all(isinstance(r, StoredFound) for r in first.values())
    with Memo.open(tmp_path) as memo, _cache_with_prints(tmp_path, memo) as cache:

        def no_lookup(keys: list[str]) -> dict[str, str]:
            raise AssertionError(f"looked up {keys}")

        cache._known = no_lookup  # type: ignore[method-assign]
        again = cache.get_many(Source.CROSSREF, _IDS)
    assert again == first
    assert [r.digest for r in again.values()] == [r.digest for r in first.values()]  # type: ignore[attr-defined]


def test_a_print_serves_no_other_text_under_its_identifier(tmp_path: Path) -> None:
    old, new = _variant(_IDS[0], "Old"), _variant(_IDS[0], "Retracted: old")
    with Memo.open(tmp_path) as memo, _cache_with_prints(tmp_path, memo) as cache:
        cache.put_many([old])
        cache.get_many(Source.CROSSREF, [_IDS[0]])
        cache.keep_prints()
    _write_row(tmp_path, _IDS[0], evidence_text(new))  # by someone else
    with Memo.open(tmp_path) as memo, _cache_with_prints(tmp_path, memo) as cache:
        got = cache.get_many(Source.CROSSREF, [_IDS[0]])[_IDS[0]]
        cache.keep_prints()
    assert type(got) is Found and got == new  # decoded: its text was never known
    with Memo.open(tmp_path) as memo, _cache_with_prints(tmp_path, memo) as cache:
        again = cache.get_many(Source.CROSSREF, [_IDS[0]])[_IDS[0]]
    assert isinstance(again, StoredFound) and again == new
    assert again.digest == text_digest(evidence_text(new))


def test_prints_that_do_not_read_are_none(tmp_path: Path) -> None:
    record = _variant(_IDS[0], "T")
    with Memo.open(tmp_path) as memo, _cache(tmp_path, memo) as cache:
        cache.put_many([record])
    for stored in ["not json", "[1, 2]", '{"10.5555/a": 5}', '{"10.5555/a": ["x", "y"]}']:
        with Memo.open(tmp_path) as memo, _cache_with_prints(tmp_path, memo) as cache:
            memo.view(PRINTS_KIND).put_many({"crossref": stored})
            got = cache.get_many(Source.CROSSREF, [_IDS[0]])[_IDS[0]]
        assert got == record and got.digest == text_digest(evidence_text(record))  # type: ignore[attr-defined]
