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
    record_print,
    text_digest,
)
from citetrack.tracking.memo import RECORDS_KIND, Memo
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
