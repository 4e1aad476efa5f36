"""Remembered findings (issue 16): the incremental path returns exactly what a full run does.

The property test runs the pipeline's comparison twice over a sequence of random states of
one bibliography and its registry records: once remembering findings in a memo that lives
across the whole sequence (the incremental path), once from nothing (the full path).  Each
state is the previous one with random edits to the entries (fields, keys, lines, order,
added and removed entries) and random upstream changes (a title corrected, a retraction
added, a record gone).  The two must give identical findings at every step.
All references and records here are SYNTHETIC.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path
from types import MappingProxyType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citetrack.collection import duplicate_findings
from citetrack.incremental import (
    DUPLICATES_KIND,
    KEYS_KIND,
    KIND,
    StoredFindings,
    decode_findings,
    encode_findings,
    list_digest,
)
from citetrack.model import (
    Author,
    Finding,
    Found,
    Identifiers,
    NotFound,
    Reference,
    Severity,
    Source,
    Update,
    UpdateKind,
    WorkMetadata,
    known_digest,
)
from citetrack.pipeline import EvidenceSet, _Early, findings_for, remembered_duplicates
from citetrack.tracking import memo as memo_module
from citetrack.tracking.cache import CACHE_FILENAME, EvidenceCache
from citetrack.tracking.codec import StoredFound, text_digest
from citetrack.tracking.memo import (
    GROUP_PREFIX,
    MEMO_FILENAME,
    OTHER_VERSIONS_DAYS,
    OTHER_VERSIONS_KEPT,
    RECORDS_KIND,
    Memo,
    memo_path,
)

TITLES = [
    "Necrolytic migratory erythema and the glucagonoma syndrome",
    "Glucagonoma syndrome: a review",
    "Zinc deficiency and skin disease",
    "Pancreatic neuroendocrine tumours in adults",
]
JOURNALS = ["J Am Acad Dermatol", "Br J Dermatol", "Lancet", "Clin Exp Dermatol"]
DOIS = [f"10.5555/synthetic.{n}" for n in range(6)]
PMIDS = [str(1000000 + n) for n in range(6)]


def _metadata(title: str, journal: str, year: int, doi: str, retracted: bool) -> WorkMetadata:
    updates = (Update(UpdateKind.RETRACTION, notice_id=doi + ".r", label="Retraction"),)
    return WorkMetadata(
        source=Source.CROSSREF,
        doi=doi,
        title=title,
        authors=(Author(family="Smith", given="Anne"), Author(family="Jones", given="K")),
        year=year,
        years=(year,),
        container=journal,
        volume="12",
        pages="45-67",
        updates=updates if retracted else (),
    )


records = st.builds(
    _metadata,
    st.sampled_from(TITLES),
    st.sampled_from(JOURNALS),
    st.integers(2000, 2003),
    st.sampled_from(DOIS),
    st.booleans(),
)


@st.composite
def entries(draw: st.DrawFn) -> tuple[str, dict[str, str], str | None, str | None]:
    fields = {"title": draw(st.sampled_from(TITLES)), "journal": draw(st.sampled_from(JOURNALS))}
    fields["year"] = str(draw(st.integers(2000, 2003)))
    if draw(st.booleans()):
        fields["author"] = draw(
            st.sampled_from(["Smith, Anne and Jones, K", "Smith, A.", "Doe, J"])
        )
    if draw(st.booleans()):
        fields["pages"] = draw(st.sampled_from(["45-67", "45--67", "1-9"]))
    doi = draw(st.one_of(st.none(), st.sampled_from(DOIS)))
    pmid = draw(st.one_of(st.none(), st.sampled_from(PMIDS)))
    if doi:
        fields["doi"] = doi
    if pmid:
        fields["pmid"] = pmid
    return draw(st.sampled_from(["article", "book", "misc"])), fields, doi, pmid


@st.composite
def states(draw: st.DrawFn) -> tuple[list[Reference], EvidenceSet]:
    """One state: a bibliography and what the registries say about its identifiers."""
    refs = []
    for n, (kind, fields, doi, pmid) in enumerate(draw(st.lists(entries(), max_size=8))):
        key = draw(st.sampled_from([f"ref{n}", f"entry{n}", "same"]))
        line = draw(st.integers(1, 400))
        refs.append(Reference(key, kind, fields, Identifiers(doi=doi, pmid=pmid), line, "a.bib"))
    evidence = EvidenceSet()
    for doi in DOIS:
        if draw(st.booleans()):
            if draw(st.integers(0, 4)) == 0:
                evidence.crossref[doi] = NotFound(Source.CROSSREF, doi, "404")
            else:
                meta = dataclasses.replace(draw(records), doi=doi)
                evidence.crossref[doi] = Found(Source.CROSSREF, doi, meta)
    for pmid in PMIDS:
        if draw(st.booleans()):
            meta = dataclasses.replace(draw(records), source=Source.PUBMED, pmid=pmid)
            evidence.pubmed[pmid] = Found(Source.PUBMED, pmid, meta)
    return refs, evidence


def _full(refs: list[Reference], evidence: EvidenceSet) -> list[list[Finding]]:
    return findings_for(refs, evidence)


def _through_cache(evidence: EvidenceSet, cache: EvidenceCache) -> EvidenceSet:
    """``evidence`` as a warm run is served it: stored, then read back from the cache
    (found records whose text the memo knows come back undecoded, as ``StoredFound``)."""
    out = EvidenceSet()
    for name, source in (("crossref", Source.CROSSREF), ("pubmed", Source.PUBMED)):
        mine = getattr(evidence, name)
        cache.put_many(mine.values())
        served = cache.get_many(source, mine)
        getattr(out, name).update({k: served.get(k, v) for k, v in mine.items()})
    return out


def _incremental(
    refs: list[Reference],
    evidence: EvidenceSet,
    memo: Memo,
    cache: EvidenceCache | None = None,
) -> tuple[list[list[Finding]], StoredFindings]:
    stored = StoredFindings(memo.view(KIND), memo.view(KEYS_KIND), memo.view(DUPLICATES_KIND))
    served = evidence if cache is None else _through_cache(evidence, cache)
    assert served.crossref == evidence.crossref and served.pubmed == evidence.pubmed
    early = _Early.remembering(stored)
    # As the run's early worker does: the list's duplicates, or each entry's keys, remembered.
    early.duplicates = remembered_duplicates(refs, stored)
    out = findings_for(refs, served, early)
    stored.flush()
    return out, stored


def _evolve(
    data: st.DataObject, state: tuple[list[Reference], EvidenceSet]
) -> tuple[list[Reference], EvidenceSet]:
    """The next state: each entry kept, edited, moved or dropped, new entries added, and
    each registry record kept or changed upstream (from another random state)."""
    refs, evidence = state
    other_refs, other = data.draw(states())
    out: list[Reference] = []
    for ref in refs:
        action = data.draw(st.sampled_from(["keep", "keep", "move", "rename", "edit", "drop"]))
        if action == "move":
            out.append(dataclasses.replace(ref, line=data.draw(st.integers(1, 400))))
        elif action == "rename":
            out.append(dataclasses.replace(ref, key=ref.key + "x"))
        elif action == "edit" and other_refs:
            new = data.draw(st.sampled_from(other_refs))
            out.append(dataclasses.replace(new, key=ref.key, line=ref.line))
        elif action != "drop":
            out.append(ref)
    out += other_refs[: data.draw(st.integers(0, 2))]
    if data.draw(st.booleans()):
        out = data.draw(st.permutations(out))
    upstream = EvidenceSet()
    for name in ("crossref", "pubmed"):
        mine, theirs = getattr(evidence, name), getattr(other, name)
        merged = getattr(upstream, name)
        for key in set(mine) | set(theirs):
            pick = data.draw(st.sampled_from(["keep", "keep", "keep", "change"]))
            source = mine if pick == "keep" else theirs
            if key in source:
                merged[key] = source[key]
    return out, upstream


#: How often the property test's incremental runs reused findings (it must, or the
#: property would hold trivially); checked by the test that follows it.
REUSED: list[int] = []
#: How many records the property test's runs were served undecoded (from the cache).
LAZY: list[int] = []
#: How often a re-run of an unchanged state took the list's duplicates from the memo.
DUPLICATES_REUSED: list[int] = []


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(states(), st.integers(1, 4), st.data())
def test_incremental_equals_full_over_random_edits_and_upstream_changes(
    tmp_path: Path, first: tuple[list[Reference], EvidenceSet], steps: int, data: st.DataObject
) -> None:
    folder = tmp_path / f"memo-{data.draw(st.uuids())}"
    state = first
    with Memo.open(folder) as memo, EvidenceCache(folder / CACHE_FILENAME) as cache:
        cache.known_records = memo.view(RECORDS_KIND)
        for _ in range(steps + 1):
            refs, evidence = state
            incremental, stored = _incremental(refs, evidence, memo, cache)
            REUSED.append(stored.reused)
            LAZY.append(
                sum(
                    isinstance(e, StoredFound)
                    for e in _through_cache(evidence, cache).crossref.values()
                )
            )
            full = _full(refs, evidence)
            assert incremental == full
            # The same state again (a re-run with nothing changed): all of it remembered.
            again, stored = _incremental(refs, evidence, memo, cache)
            DUPLICATES_REUSED.append(stored.duplicates_reused)
            assert again == full
            assert stored.computed == 0
            state = _evolve(data, state)


def test_the_property_test_did_exercise_reuse() -> None:
    if not REUSED:  # run alone (-k): nothing to say
        return
    assert sum(REUSED) > 0
    assert sum(LAZY) > 0  # and was served records undecoded, as a warm run is
    assert all(n == 1 for n in DUPLICATES_REUSED)  # every unchanged re-run


def _dup(key: str, line: int, doi: str = DOIS[0]) -> Reference:
    fields = {"title": TITLES[0], "year": "2001", "doi": doi}
    return Reference(key, "article", fields, Identifiers(doi=doi), line, "a.bib")


def test_a_lists_duplicates_are_remembered_under_every_entrys_place_and_content(
    tmp_path: Path,
) -> None:
    """The same list again reads its duplicate findings back (the entry's line in the
    message included); a moved, renamed or edited entry makes it another list."""

    def run(refs: list[Reference]) -> tuple[list[tuple[int, Finding]], int]:
        stored = StoredFindings(memo.view(KIND), memo.view(KEYS_KIND), memo.view(DUPLICATES_KIND))
        return remembered_duplicates(refs, stored), stored.duplicates_reused

    base = [_dup("a", 3), _dup("b", 9), _dup("c", 20, DOIS[1])]
    variants = [
        base,
        [_dup("a", 4), *base[1:]],  # moved: the message names line 4
        [base[0], _dup("bb", 9), base[2]],  # renamed
        [base[0], base[1], _dup("c", 20)],  # edited: now a third duplicate
        [base[1], base[0], base[2]],  # reordered: the other one is the duplicate
    ]
    with Memo.open(tmp_path) as memo:
        for refs in variants:
            want = duplicate_findings(refs)
            assert run(refs) == (want, 0)
            assert run(refs) == (want, 1)
        # A remembered value that does not read back is looked for again, and rewritten.
        memo.view(DUPLICATES_KIND).put_many({list_digest(base): '[[7, ["x"]]]'})
        assert run(base) == (duplicate_findings(base), 0)
        assert run(base) == (duplicate_findings(base), 1)


def _ref(key: str = "a", line: int = 3, title: str = TITLES[0]) -> Reference:
    fields = {"title": title, "journal": JOURNALS[0], "year": "2001", "doi": DOIS[0]}
    return Reference(key, "article", fields, Identifiers(doi=DOIS[0]), line, "a.bib")


def _found(title: str = TITLES[0], retracted: bool = False) -> EvidenceSet:
    evidence = EvidenceSet()
    meta = _metadata(title, JOURNALS[0], 2001, DOIS[0], retracted)
    evidence.crossref[DOIS[0]] = Found(Source.CROSSREF, DOIS[0], meta)
    return evidence


def test_a_second_run_reuses_and_a_moved_renamed_entry_is_restamped(tmp_path: Path) -> None:
    with Memo.open(tmp_path) as memo:
        first, stored = _incremental([_ref()], _found(TITLES[1]), memo)
        assert stored.computed == 1 and stored.reused == 0
        assert first[0], "the title differs from the record: a finding is expected"
        again, stored = _incremental([_ref("b", 90)], _found(TITLES[1]), memo)
        assert stored.reused == 1 and stored.computed == 0
        assert again == _full([_ref("b", 90)], _found(TITLES[1]))
        assert {(f.key, f.line) for f in again[0]} == {("b", 90)}


def test_an_upstream_retraction_is_compared_again_not_hidden(tmp_path: Path) -> None:
    with Memo.open(tmp_path) as memo:
        before, _ = _incremental([_ref()], _found(), memo)
        after, stored = _incremental([_ref()], _found(retracted=True), memo)
    assert stored.computed == 1, "a changed record is a new key"
    assert not any(f.severity is Severity.BROKEN for f in before[0])
    assert any("retract" in f.rule for f in after[0])


def test_the_memo_is_emptied_when_the_code_changes(tmp_path: Path) -> None:
    path = tmp_path / MEMO_FILENAME
    with Memo(path, stamp="one") as memo:
        memo.put_many(KIND, {"k": "[]"})
        assert memo.get_many(KIND, ["k"]) == {"k": "[]"}
    with Memo(path, stamp="two") as memo:
        assert memo.get_many(KIND, ["k"]) == {}


def test_two_versions_sharing_a_cache_folder_do_not_empty_each_other(tmp_path: Path) -> None:
    # A pre-commit hook's environment and the editor's citetrack (two versions, one cache
    # folder) used to empty the one memo file at every switch: every run computed everything.
    with Memo.open(tmp_path, stamp="one") as memo:
        memo.put_many(KIND, {"k": "[1]"})
    with Memo.open(tmp_path, stamp="two") as memo:
        assert memo.get_many(KIND, ["k"]) == {}, "another version's values are never read"
        memo.put_many(KIND, {"k": "[2]"})
    with Memo.open(tmp_path, stamp="one") as memo:
        assert memo.get_many(KIND, ["k"]) == {"k": "[1]"}
    with Memo.open(tmp_path, stamp="two") as memo:
        assert memo.get_many(KIND, ["k"]) == {"k": "[2]"}


def test_memo_files_of_other_versions_are_deleted_when_unused_or_too_many(
    tmp_path: Path,
) -> None:
    now = time.time()
    day = 86400.0

    def version(stamp: str, age_days: float) -> Path:
        with Memo.open(tmp_path, stamp=stamp) as memo:
            memo.put_many(KIND, {"k": "[]"})
        path = memo_path(tmp_path, stamp)
        for suffix in ("", "-wal", "-shm"):
            extra = Path(f"{path}{suffix}")
            if extra.exists():
                os.utime(extra, (now - age_days * day, now - age_days * day))
        return path

    legacy = tmp_path / MEMO_FILENAME
    legacy.write_bytes(b"")
    os.utime(legacy, (now - 30 * day, now - 30 * day))
    unrelated = tmp_path / "memo-notes.txt"
    unrelated.write_text("mine")
    stale = version("stale", OTHER_VERSIONS_DAYS + 1)
    recent = [version(f"recent{i}", 0.1 * (i + 1)) for i in range(OTHER_VERSIONS_KEPT + 1)]
    with Memo.open(tmp_path, stamp="current") as memo:
        assert memo.enabled
    names = {p.name for p in tmp_path.iterdir()}
    assert legacy.name not in names and stale.name not in names
    assert not any(n.startswith(stale.name) for n in names), "its -wal/-shm go too"
    kept = [p.name in names for p in recent]
    assert kept == [True] * OTHER_VERSIONS_KEPT + [False], "only the most recently used"
    assert memo_path(tmp_path, "current").exists() and unrelated.exists()


def test_a_damaged_or_unreadable_memo_is_never_fatal(tmp_path: Path) -> None:
    path = tmp_path / MEMO_FILENAME
    path.write_bytes(b"this is not a database" * 100)
    with Memo(path, stamp="s") as memo:
        assert memo.enabled, "a damaged memo is rebuilt"
        memo.put_many(KIND, {"k": "[]"})
        assert memo.get_many(KIND, ["k"]) == {"k": "[]"}
    # A stored value of the wrong shape is a miss: the findings are computed again.
    with Memo(path, stamp="s") as memo:
        stored = StoredFindings(memo.view(KIND))
        key = stored.key(_ref(), list(_found().crossref.values()))
        memo.put_many(KIND, {key: '{"not": "findings"}'})
        out, stored = _incremental([_ref()], _found(), memo)
    assert stored.computed == 1
    assert out == _full([_ref()], _found())


def test_a_memo_locked_by_another_run_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / MEMO_FILENAME
    with Memo(path, stamp="s") as memo:
        memo.put_many(KIND, {"k": "[]"})
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        memo = Memo(path, stamp="s")
        memo.put_many(KIND, {"k2": "[]"})  # the lock: disabled for this run, no exception
        assert memo.get_many(KIND, ["k"]) in ({}, {"k": "[]"})
        memo.close()
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_findings_round_trip_through_the_memo_encoding() -> None:
    ref = _ref("k", 7)
    findings = [
        Finding(
            "k",
            "metadata-mismatch",
            Severity.WARNING,
            "m",
            "title",
            "e",
            "a",
            Source.CROSSREF,
            7,
            "s",
        ),
        Finding("other", "duplicate", Severity.NOTE, "n", None, None, None, None, None, None),
        Finding("k", "x", Severity.BROKEN, "b", line=12),
    ]
    assert decode_findings(ref, encode_findings(ref, findings)) == findings
    moved = Reference("k2", "article", ref.fields, ref.identifiers, 40, "a.bib")
    assert decode_findings(moved, encode_findings(ref, findings))[0].line == 40


def test_a_references_digest_is_its_type_fields_and_identifiers_whatever_the_mapping() -> None:
    ref = _ref()
    assert dataclasses.replace(ref, key="z", line=99, path="b.bib").digest == ref.digest
    assert dataclasses.replace(ref, fields=MappingProxyType(dict(ref.fields))).digest == ref.digest
    assert dataclasses.replace(ref, entry_type="book").digest != ref.digest
    assert dataclasses.replace(ref, fields={**ref.fields, "year": "2002"}).digest != ref.digest
    reordered = dict(reversed(list(ref.fields.items())))
    assert dataclasses.replace(ref, fields=reordered).digest != ref.digest  # order counts
    assert dataclasses.replace(ref, identifiers=Identifiers(doi=DOIS[1])).digest != ref.digest


def test_stored_empty_findings_read_back_as_the_json_decoder_reads_them() -> None:
    # "[]" skips the decoder (issue 16); anything else still goes through it.
    ref = Reference(key="k", entry_type="article", fields={}, line=3, path="f.bib")
    assert decode_findings(ref, "[]") == [] == decode_findings(ref, " [ ] ")
    assert decode_findings(ref, encode_findings(ref, [])) == []
    with pytest.raises(ValueError, match="not a list"):
        decode_findings(ref, "{}")


def _values_of(key: str) -> str:
    """A memo value that is a function of its key alone (as every kind's is)."""
    return f"[{key!r}, {len(key)}]"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rounds=st.lists(
        st.tuples(
            st.sets(st.text(alphabet="abc\x1f/é", min_size=1, max_size=4), max_size=30),
            st.sets(st.text(alphabet="abc\x1f/é", min_size=1, max_size=4), max_size=30),
        ),
        min_size=1,
        max_size=5,
    ),
    every=st.sampled_from([1, 2, 5]),
)
def test_grouped_lookups_give_what_key_by_key_lookups_give(
    rounds: list[tuple[set[str], set[str]]], every: int
) -> None:
    # issue 16: groups of keys found whole are read back from one row; over any sequence
    # of stores and lookups, each lookup equals the plain one.
    kept = memo_module.GROUP_EVERY
    memo_module.GROUP_EVERY = every
    try:
        with tempfile.TemporaryDirectory() as folder, Memo(Path(folder) / "m.sqlite3") as memo:
            view = memo.view("k/1")
            for stored, asked in rounds:
                view.put_many({key: _values_of(key) for key in stored})
                assert view.get_grouped(asked) == view.get_many(sorted(asked))
                assert view.get_grouped(asked) == view.get_many(sorted(asked))  # group rows
    finally:
        memo_module.GROUP_EVERY = kept


def test_a_group_found_whole_is_read_in_one_lookup_and_a_bad_group_row_is_ignored(
    tmp_path: Path,
) -> None:
    keys = [f"{n:04x}" for n in range(1000)]
    with Memo(tmp_path / "m.sqlite3") as memo:
        view = memo.view("k/1")
        view.put_many({key: _values_of(key) for key in keys})
        assert view.get_grouped(keys[:-1]) == view.get_many(keys[:-1])  # groups stored
        hits = memo.hits
        assert view.get_grouped(reversed(keys[:-1])) == view.get_many(keys[:-1])
        groups = memo.hits - hits - (len(keys) - 1)  # the plain lookup's hits are the rest
        assert 0 < groups < 30  # about 1000 / GROUP_EVERY group rows, not 999 rows
        # Another set of keys is other groups (the group with the last key), not a stale one.
        assert view.get_grouped(keys) == view.get_many(keys)
        # A group row that is not that many texts is not used.
        rows = memo.get_many("k/1", [])
        with sqlite3.connect(tmp_path / "m.sqlite3") as db:
            names = [k for (k,) in db.execute("SELECT key FROM memo WHERE key LIKE 'group/%'")]
            assert names and all(name.startswith(GROUP_PREFIX) for name in names)
            for index, name in enumerate(names):
                bad = ['"x"', "[1, 2]", "[]", "not json"][index % 4]
                db.execute("UPDATE memo SET value = ? WHERE key = ?", (bad, name))
        assert rows == {}
        assert view.get_grouped(keys) == view.get_many(keys)
        assert view.get_grouped(keys[:-1]) == view.get_many(keys[:-1])


def test_a_group_row_holds_for_its_very_keys_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Same size, same first and last keys, one key else: another group, another row.
    monkeypatch.setattr(memo_module, "GROUP_EVERY", 1 << 40)  # one group per lookup
    with Memo(tmp_path / "m.sqlite3") as memo:
        view = memo.view("k/1")
        view.put_many({key: _values_of(key) for key in "abcdz"})
        for asked in ("abz", "acz", "adz", "abz", "acz", "adz", "bz", "ab"):
            assert view.get_grouped(asked) == view.get_many(list(asked)), asked


_ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=6)


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(_ANY_TEXT, max_size=8))
def test_a_group_key_is_made_of_its_keys_exactly(keys: list[str]) -> None:
    # issue 16: the hashed text is orjson's, or json's for what orjson refuses (a lone
    # surrogate); either reads back to the very keys, so equal hashes name equal groups.
    text = memo_module._group_text(keys)
    assert json.loads(text) == keys
    assert memo_module._group_key(keys) == memo_module._group_key(list(keys))


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            _ANY_TEXT,
            _ANY_TEXT,
            st.none() | st.integers(min_value=-(2**70), max_value=2**70),
            st.text(alphabet="0123456789abcdef", min_size=32, max_size=32),
        ),
        max_size=6,
    )
)
def test_the_list_digest_is_the_json_encoders_whatever_the_text(
    rows: list[tuple[str, str, int | None, str]],
) -> None:
    # issue 16: orjson writes the list (the same text as the encoder's, checked here over
    # any characters), the encoder what orjson refuses: the digest is the one before.
    refs = [
        known_digest(dataclasses.replace(_ref("k"), path=path, key=key, line=line), digest)
        for path, key, line, digest in rows
    ]
    old = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode(
        [[r.path, r.key, r.line, r.digest] for r in refs]
    )
    assert list_digest(refs) == text_digest(old)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(state=states())
def test_the_keys_a_whole_prefetch_gives_are_the_keys_of_each_reference(
    state: tuple[list[Reference], EvidenceSet],
) -> None:
    # issue 16: the run's last prefetch hands each reference's key to its lookup instead
    # of the lookup computing it again: the same key, the same findings.
    refs, evidence = state
    pairs = [(ref, evidence.for_reference(ref)) for ref in refs]
    with tempfile.TemporaryDirectory() as folder, Memo(Path(folder) / "m.sqlite3") as memo:
        findings = findings_for(refs, evidence)
        first = StoredFindings(memo.view(KIND))
        for (ref, used), found in zip(pairs, findings, strict=True):
            first.remember(ref, used, [f for f in found if f.rule != "duplicate"])
        first.flush()
        keys = StoredFindings(memo.view(KIND)).prefetch(pairs, every=True)
        fresh = StoredFindings(memo.view(KIND))
        assert keys == [fresh.key(ref, used) for ref, used in pairs]
        given_keys, computed = StoredFindings(memo.view(KIND)), StoredFindings(memo.view(KIND))
        given_keys.prefetch(pairs, every=True)
        computed.prefetch(pairs, every=True)
        for (ref, used), key in zip(pairs, keys, strict=True):
            assert given_keys.get(ref, used, key) == computed.get(ref, used)
