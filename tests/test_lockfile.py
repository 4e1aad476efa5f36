"""The lockfile: stable bytes, what it records, what ``diff`` reports, how bad files fail.

All references, records and URLs here are synthetic (example.org / 10.1000 test DOIs).
"""

from __future__ import annotations

import json
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from citetrack.model import (
    ArchiveStatus,
    Author,
    CheckResult,
    Finding,
    Found,
    Identifiers,
    LinkStatus,
    LinkVerdict,
    NotFound,
    Reference,
    ReferenceResult,
    Severity,
    Source,
    Status,
    Unavailable,
    Update,
    UpdateKind,
    WorkMetadata,
)
from citetrack.tracking.codec import bytes_digest, text_digest
from citetrack.tracking.lockfile import (
    Accepted,
    ArticleRecord,
    ConfirmPolicy,
    Lock,
    LockEntry,
    LockError,
    SourceRecord,
    UrlRecord,
    build_lock,
    diff,
    dumps_lock,
    fileformat,
    group_by_lock,
    lock_path_for,
    new_only,
    parse_lock,
    read_lock,
    track,
    write_lock,
)
from citetrack.tracking.lockfile.state import file_name, files_named_from

DAY1 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
DOI = "10.1000/xyz"
URL = "https://example.org/article"
ARCHIVE = "https://web.archive.org/web/20200101000000/https://example.org/article"


def ref(
    key: str = "smith2020",
    *,
    doi: str | None = DOI,
    pmid: str | None = None,
    url: str | None = None,
    path: str = "refs.bib",
    line: int = 3,
) -> Reference:
    return Reference(
        key=key,
        entry_type="article",
        fields={"title": "A synthetic title"},
        identifiers=Identifiers(doi=doi, pmid=pmid, url=url),
        line=line,
        path=path,
    )


def crossref(doi: str = DOI, **changes: object) -> Found:
    meta = WorkMetadata(
        source=Source.CROSSREF,
        doi=doi,
        title="A synthetic  title",
        authors=(Author("Smith", "Ann"), Author("Jones", "Bo")),
        year=2020,
        container="Journal of Synthetic Data",
        volume="12",
        issue="2",
        pages="1–10",
        work_type="journal-article",
    )
    return Found(Source.CROSSREF, doi, replace(meta, **changes))  # type: ignore[arg-type]


def result(*rrs: ReferenceResult) -> CheckResult:
    return CheckResult(results=rrs, requests={"crossref": len(rrs)})


def rr(reference: Reference | None = None, **parts: object) -> ReferenceResult:
    return ReferenceResult(reference=reference or ref(), **parts)  # type: ignore[arg-type]


def alive(url: str = URL, final: str | None = None) -> LinkStatus:
    return LinkStatus(url, LinkVerdict.OK, 200, final_url=final or url)


def archived(url: str = URL, available: bool | None = True) -> ArchiveStatus:
    return ArchiveStatus(url, archive_url=ARCHIVE if available else None, available=available)


def rules(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


# ------------------------------------------------------------------------ bytes on disk


def full_result() -> CheckResult:
    retracted = crossref(updates=(Update(UpdateKind.RETRACTION, "10.1000/retraction"),))
    first = rr(
        ref(url=URL),
        evidence=(retracted,),
        links=(alive(),),
        archives=(archived(),),
        findings=(Finding("smith2020", "metadata-mismatch", Severity.WARNING, "m", field="title"),),
    )
    second = rr(ref("jones2019", doi="10.1000/abc", line=12), evidence=(crossref("10.1000/abc"),))
    return result(first, second)


def test_writing_the_same_state_twice_gives_identical_bytes(tmp_path: Path) -> None:
    path = tmp_path / "citetrack.lock"
    lock = build_lock(full_result(), None, DAY1)
    write_lock(path, lock)
    first = path.read_bytes()
    reread = read_lock(path)
    assert reread == lock
    assert reread is not None
    write_lock(path, reread)
    assert path.read_bytes() == first
    assert [p.name for p in tmp_path.iterdir()] == ["citetrack.lock"]  # no temp file left


def test_a_lockfile_too_large_to_read_back_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`lock` of 100,000 references wrote 103 MB that every later check refused (the
    reader's bound was 64 MiB): what cannot be read back is not written, and the old
    lockfile stays."""
    path = tmp_path / "citetrack.lock"
    lock = build_lock(full_result(), None, DAY1)
    write_lock(path, lock)
    before = path.read_bytes()
    size = len(dumps_lock(lock).encode("utf-8"))
    monkeypatch.setattr(fileformat, "MAX_LOCK_BYTES", size)
    write_lock(path, lock)  # exactly at the bound: written, and read back
    assert read_lock(path) == lock
    monkeypatch.setattr(fileformat, "MAX_LOCK_BYTES", size - 1)
    with pytest.raises(LockError, match="not written: the lockfile would be"):
        write_lock(path, lock)
    assert path.read_bytes() == before


def test_writing_a_large_lockfile_never_holds_its_whole_text(tmp_path: Path) -> None:
    """A 100,000-reference `lock` peaked at 1.7 GB writing a 103 MB file: the whole
    document, the encoder's pieces, the text and its bytes at once (issue 16).  Written
    piece by piece, a lockfile of 10,000 (synthetic) entries is never a quarter of itself
    in memory, and its bytes are those of the text."""
    entry = build_lock(full_result(), None, DAY1).references["smith2020"]
    lock = Lock(references={f"ref{i:05d}": entry for i in range(10_000)})
    path = tmp_path / "citetrack.lock"
    tracemalloc.start()
    try:
        write_lock(path, lock)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = path.stat().st_size
    assert size > 5_000_000
    assert peak < size / 4
    assert path.read_bytes() == dumps_lock(lock).encode("utf-8")


def bench_like_lock(count: int) -> Lock:
    """SYNTHETIC: ``count`` entries shaped as ``bench/bench_warm.py``'s (a DOI and a PMID,
    each registry's record with eight fields; every fifth entry with a URL)."""
    references = {}
    for i in range(count):
        doi, pmid = f"10.5555/synthetic.{i:07d}", str(90_000_000 + i)
        fields = {
            "title": f"A synthetic study of erythema number {i}",
            "author": "Müller; Smith; Garcia",
            "year": "2019",
            "journal": "Journal of Synthetic Data",
            "volume": str(i % 90),
            "number": str(i % 12),
            "pages": f"{i % 900}-{i % 900 + 9}",
            "type": "journal-article",
        }
        ids, urls = {"doi": doi, "pmid": pmid}, {}
        if i % 5 == 0:
            ids["url"] = f"https://example.org/page/{i}"
            urls[ids["url"]] = UrlRecord(LinkVerdict.OK, ids["url"])
        sources = {"crossref": SourceRecord(doi, fields), "pubmed": SourceRecord(pmid, fields)}
        references[f"ref{i:05d}"] = LockEntry("refs.bib", ids, sources, urls)
    return Lock(references=references)


def test_reading_a_large_lockfile_read_before_never_holds_its_whole_document() -> None:
    """A warm check of 100,000 references with its lockfile peaked at 1.1 GB, 500 MB of
    it the lockfile read: its whole document as dictionaries while it was read, and each
    entry's source records as dictionaries to the end of the run (issue 16).  Bytes read
    whole before are now read a few entries at a time, their source records kept as
    text.  10,000 (synthetic) entries, 9.6 MB: read, 144 MB at the peak and 31 MB kept
    before, 19 MB and 16 MB after (tracemalloc); and they read as the full reading does."""
    lock = bench_like_lock(10_000)
    data = dumps_lock(lock).encode("utf-8")
    digest = bytes_digest(data)
    tracemalloc.start()
    try:
        again = parse_lock(data, known={digest}, digest=digest)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(data) > 5_000_000
    assert peak < 3 * len(data)
    assert kept < 2.5 * len(data)
    assert again == lock == parse_lock(data)


def test_reading_a_large_lockfile_for_the_first_time_never_holds_its_whole_text() -> None:
    """`lock` reads back the file it wrote, and a check a lockfile it has not read before
    (after a pull), with every check made: at 100,000 references that held the text and
    the whole document at once, some 500 MB over what it read into (issue 16).  Read a
    piece at a time, 10,000 (synthetic) entries (9.6 MB) took 21.6 MB over what they were
    read into, 0.7 MB after (tracemalloc), and read the same."""
    lock = bench_like_lock(10_000)
    data = dumps_lock(lock).encode("utf-8")
    tracemalloc.start()
    try:
        again = parse_lock(data)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak - kept < len(data)
    assert again == lock
    assert again.digest == text_digest(data.decode("utf-8"))


def test_lockfile_text_is_sorted_indented_and_ends_with_a_newline() -> None:
    text = dumps_lock(build_lock(full_result(), None, DAY1))
    assert text.endswith("}\n")
    doc = json.loads(text)
    assert doc["schema_version"] == 1
    assert text == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_records_normalised_metadata_notices_urls_and_accepted_findings() -> None:
    entry = json.loads(dumps_lock(build_lock(full_result(), None, DAY1)))["references"]["smith2020"]
    assert entry["file"] == "refs.bib"
    assert entry["identifiers"] == {"doi": DOI, "url": URL}
    assert entry["sources"]["crossref"] == {
        "id": DOI,
        "title": "A synthetic title",  # whitespace collapsed
        "author": "Smith; Jones",
        "year": "2020",
        "journal": "Journal of Synthetic Data",
        "volume": "12",
        "number": "2",
        "pages": "1-10",  # en dash folded
        "type": "journal-article",
        "notices": [{"kind": "retraction", "id": "10.1000/retraction"}],
    }
    assert entry["urls"] == {URL: {"verdict": "ok", "final_url": URL, "archive_url": ARCHIVE}}
    assert entry["accepted"] == [
        {"rule": "metadata-mismatch", "field": "title", "severity": "warning"}
    ]
    assert "failing" not in entry


def test_bytes_do_not_depend_on_reference_order_or_on_the_passing_of_time() -> None:
    lock = build_lock(full_result(), None, DAY1)
    reordered = result(*reversed(full_result().results))
    assert dumps_lock(build_lock(reordered, None, DAY1)) == dumps_lock(lock)
    later = build_lock(full_result(), lock, DAY1 + timedelta(days=40))
    assert dumps_lock(later) == dumps_lock(lock)


# ------------------------------------------------------- could-not-verify is not a change


def test_unavailable_evidence_keeps_the_previous_record() -> None:
    lock = build_lock(result(rr(evidence=(crossref(),))), None, DAY1)
    offline = result(rr(evidence=(Unavailable(Source.CROSSREF, DOI, "HTTP 503"),)))
    assert diff(lock, offline, DAY1) == []
    assert build_lock(offline, lock, DAY1) == lock


def test_a_blocked_link_or_unknown_archive_keeps_the_url_record() -> None:
    seen = rr(ref(url=URL), evidence=(crossref(),), links=(alive(),), archives=(archived(),))
    lock = build_lock(result(seen), None, DAY1)
    blocked = rr(
        ref(url=URL),
        evidence=(crossref(),),
        links=(LinkStatus(URL, LinkVerdict.BLOCKED, 403),),
        archives=(archived(available=None),),
    )
    assert diff(lock, result(blocked), DAY1) == []
    assert build_lock(result(blocked), lock, DAY1) == lock


def test_not_found_drops_the_source_record() -> None:
    lock = build_lock(result(rr(evidence=(crossref(),))), None, DAY1)
    gone = build_lock(result(rr(evidence=(NotFound(Source.CROSSREF, DOI, "404"),))), lock, DAY1)
    assert gone.references["smith2020"].sources == {}


# ------------------------------------------------------------------------------- diff


def test_metadata_change_is_reported_field_by_field_with_was_now_and_source() -> None:
    lock = build_lock(result(rr(evidence=(crossref(),))), None, DAY1)
    now = result(rr(evidence=(crossref(title="A corrected title", volume="13"),)))
    found = diff(lock, now, DAY1)
    assert [(f.rule, f.field, f.expected, f.actual, f.source) for f in found] == [
        ("metadata-changed", "title", "A corrected title", "A synthetic title", Source.CROSSREF),
        ("metadata-changed", "volume", "13", "12", Source.CROSSREF),
    ]
    assert found[0].message == (
        'title changed upstream: was "A synthetic title", now "A corrected title" (crossref)'
    )
    assert all(f.severity is Severity.CHANGED and f.line == 3 for f in found)


def test_a_field_the_registry_adds_or_drops_is_a_change() -> None:
    lock = build_lock(result(rr(evidence=(crossref(issue=None),))), None, DAY1)
    found = diff(lock, result(rr(evidence=(crossref(pages=None),))), DAY1)
    assert [(f.field, f.actual, f.expected) for f in found] == [
        ("number", None, "2"),
        ("pages", "1-10", None),
    ]
    assert found[0].message == 'number changed upstream: was (none), now "2" (crossref)'


def test_a_different_identifier_is_the_users_edit_not_an_upstream_change() -> None:
    lock = build_lock(result(rr(evidence=(crossref(),))), None, DAY1)
    other = rr(ref(doi="10.1000/other"), evidence=(crossref("10.1000/other", title="Other"),))
    assert diff(lock, result(other), DAY1) == []


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        (UpdateKind.RETRACTION, "retraction-new"),
        (UpdateKind.WITHDRAWAL, "retraction-new"),
        (UpdateKind.CORRECTION, "correction-new"),
        (UpdateKind.EXPRESSION_OF_CONCERN, "expression-of-concern-new"),
    ],
)
def test_a_new_notice_is_reported_once(kind: UpdateKind, rule: str) -> None:
    lock = build_lock(result(rr(evidence=(crossref(),))), None, DAY1)
    notice = Update(kind, "10.1000/notice", date="2026-11-19")
    now = result(rr(evidence=(crossref(updates=(notice,)),)))
    found = diff(lock, now, DAY1)
    assert [(f.rule, f.expected, f.source) for f in found] == [
        (rule, "10.1000/notice", Source.CROSSREF)
    ]
    assert "10.1000/notice" in found[0].message and "2026-11-19" in found[0].message
    assert diff(build_lock(now, lock, DAY1), now, DAY1) == []


def test_new_version_notices_are_not_tracked() -> None:
    lock = build_lock(result(rr(evidence=(crossref(),))), None, DAY1)
    now = result(rr(evidence=(crossref(updates=(Update(UpdateKind.OTHER, "10.1000/v2"),)),)))
    assert diff(lock, now, DAY1) == []


def test_url_that_now_leads_elsewhere_is_changed() -> None:
    lock = build_lock(result(rr(ref(url=URL), links=(alive(),))), None, DAY1)
    moved = result(rr(ref(url=URL), links=(alive(final="https://example.org/front"),)))
    (finding,) = diff(lock, moved, DAY1)
    assert (finding.rule, finding.expected, finding.actual) == (
        "url-changed",
        "https://example.org/front",
        URL,
    )


def test_scheme_host_case_and_trailing_slash_are_not_elsewhere() -> None:
    lock = build_lock(result(rr(ref(url=URL), links=(alive(),))), None, DAY1)
    same = result(rr(ref(url=URL), links=(alive(final="http://EXAMPLE.org/article/"),)))
    assert diff(lock, same, DAY1) == []


def test_archive_that_vanished_is_changed() -> None:
    lock = build_lock(
        result(rr(ref(url=URL), links=(alive(),), archives=(archived(),))), None, DAY1
    )
    now = result(rr(ref(url=URL), links=(alive(),), archives=(archived(available=False),)))
    (finding,) = diff(lock, now, DAY1)
    assert (finding.rule, finding.actual, finding.source) == (
        "archive-vanished",
        ARCHIVE,
        Source.WAYBACK,
    )


def test_added_and_removed_references_only_for_files_that_were_checked() -> None:
    before = result(rr(), rr(ref("gone2001")), rr(ref("other", path="extra.bib")))
    lock = build_lock(before, None, DAY1)
    now = result(rr(), rr(ref("new2026")))
    found = diff(lock, now, DAY1)
    assert [(f.rule, f.key) for f in found] == [
        ("reference-added", "new2026"),
        ("reference-removed", "gone2001"),
    ]
    # extra.bib was not part of the run: its entry is kept as it was.
    assert build_lock(now, lock, DAY1).references["other"] == lock.references["other"]


def test_track_attaches_changes_and_reports_removed_references() -> None:
    lock = build_lock(result(rr(evidence=(crossref(),)), rr(ref("gone2001"))), None, DAY1)
    now = result(rr(evidence=(crossref(year=2021),)))
    tracked = track(now, lock, DAY1)
    first, removed = tracked.results
    assert first.status is Status.CHANGED
    assert rules(list(first.findings)) == ["metadata-changed"]
    assert removed.reference.key == "gone2001"
    assert removed.reference.path == "refs.bib"
    assert removed.reference.identifiers == Identifiers(doi=DOI)
    assert rules(list(removed.findings)) == ["reference-removed"]
    assert track(now, None, DAY1) is now
    # The next baseline forgets the removed reference, so it is reported once.
    after = build_lock(tracked, lock, DAY1)
    assert set(after.references) == {"smith2020"}
    assert track(now, after, DAY1).findings == ()


def test_a_key_in_another_file_is_a_different_reference() -> None:
    lock = build_lock(result(rr(evidence=(crossref(),))), None, DAY1)
    moved = result(rr(ref(path="sub/extra.bib"), evidence=(crossref(),)))
    assert rules(diff(lock, moved, DAY1)) == ["reference-added"]


# ---------------------------------------------------------------------------- new-only


def test_new_only_drops_what_the_lockfile_accepted_at_the_same_or_higher_severity() -> None:
    mismatch = Finding("smith2020", "metadata-mismatch", Severity.WARNING, "m", field="title")
    lock = build_lock(result(rr(findings=(mismatch,))), None, DAY1)
    other_field = replace(mismatch, field="year")
    worse = replace(mismatch, severity=Severity.BROKEN)
    milder = replace(mismatch, severity=Severity.NOTE)
    change = Finding("smith2020", "metadata-changed", Severity.CHANGED, "c", field="title")
    stranger = replace(mismatch, key="new2026")
    got = new_only([mismatch, other_field, worse, milder, change], lock, ref())
    assert got == [other_field, worse, change]
    assert new_only([stranger], lock, ref("new2026")) == [stranger]
    assert new_only([mismatch], None, ref()) == [mismatch]


def test_changed_findings_are_not_accepted_and_unverified_runs_keep_the_accepted_list() -> None:
    mismatch = Finding("smith2020", "metadata-mismatch", Severity.WARNING, "m", field="title")
    lock = build_lock(result(rr(findings=(mismatch,))), None, DAY1)
    unverified = Finding("smith2020", "unverified", Severity.UNVERIFIED, "Crossref: HTTP 503")
    change = Finding("smith2020", "metadata-changed", Severity.CHANGED, "c", field="year")
    entry = build_lock(result(rr(findings=(unverified, change))), lock, DAY1).references[
        "smith2020"
    ]
    # What was accepted stays; "could not ask tonight" is not accepted.
    assert entry.accepted == (Accepted("metadata-mismatch", "title", Severity.WARNING),)


@pytest.mark.parametrize(
    "rule", ["unverified", "url-unverified", "url-blocked", "archive-unverified"]
)
def test_an_outage_night_and_the_night_after_leave_the_lockfile_bytes_as_they_were(
    rule: str,
) -> None:
    """A nightly job commits the lockfile when it changes: a source that could not be
    asked (timeout, 5xx) must not make two commits, one for the outage, one after it."""
    mismatch = Finding("smith2020", "metadata-mismatch", Severity.WARNING, "m", field="title")
    lock = build_lock(result(rr(findings=(mismatch,))), None, DAY1)
    outage = Finding("smith2020", rule, Severity.UNVERIFIED, "HTTP 503", field="url")
    night = build_lock(result(rr(findings=(mismatch, outage))), lock, DAY1 + timedelta(days=1))
    assert dumps_lock(night) == dumps_lock(lock)
    after = build_lock(result(rr(findings=(mismatch,))), night, DAY1 + timedelta(days=2))
    assert dumps_lock(after) == dumps_lock(lock)
    # A reference whose search found nothing is a verdict of sorts, and stays accepted.
    unfound = Finding("smith2020", "identifier-not-found", Severity.UNVERIFIED, "none")
    kept = build_lock(result(rr(findings=(unfound,))), None, DAY1).references["smith2020"]
    assert kept.accepted == (Accepted("identifier-not-found", None, Severity.UNVERIFIED),)


# ---------------------------------------------------------------------- reading errors


def test_missing_lockfile_is_none(tmp_path: Path) -> None:
    assert read_lock(tmp_path / "citetrack.lock") is None


def test_known_bytes_skip_the_duplicate_key_check_and_nothing_else() -> None:
    # Bytes this code read whole before (their digest remembered by citetrack.api.track)
    # are parsed without the duplicate-key hook; any other bytes get it.
    twice = '{"schema_version": 1, "references": {}, "references": {}}'
    with pytest.raises(LockError, match="duplicate key"):
        parse_lock(twice)
    assert parse_lock(twice, known={text_digest(twice)}).references == {}
    with pytest.raises(LockError, match="duplicate key"):
        parse_lock(twice, known={text_digest(twice + " ")})
    wrong = '{"schema_version": 1, "references": {"k": {}}}'
    with pytest.raises(LockError, match=r"references\.k\.file"):
        parse_lock(wrong, known={text_digest(wrong)})


def test_unreadable_lockfile_is_a_lock_error(tmp_path: Path) -> None:
    with pytest.raises(LockError, match="cannot read"):
        read_lock(tmp_path)  # a directory


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "not valid JSON"),
        (b"\xff\xfe{}", "not valid JSON"),
        ('{"schema_version": 1, "schema_version": 1}', "duplicate key"),
        ("[]", "the top level: expected an object"),
        ('{"references": {}}', "schema_version: expected 1 or 2, found None"),
        ('{"schema_version": "1", "references": {}}', "schema_version: expected 1 or 2"),
        ('{"schema_version": true}', "schema_version: expected 1 or 2"),
        ('{"schema_version": 1, "extra": 0}', "unknown key 'extra'"),
        ('{"schema_version": 1, "references": {"k": {}}}', "references.k.file"),
        (
            '{"schema_version": 1, "references": {"k": {"file": "a.bib", "identifiers": '
            '{"isbn13": "x"}}}}',
            "unknown key 'isbn13'",
        ),
        (
            '{"schema_version": 1, "references": {"k": {"file": "a.bib", "failing": '
            '{"url:https://x": {"failures": 0, "since": "2026-11-20"}}}}}',
            "failures: expected a whole number",
        ),
        (
            '{"schema_version": 1, "references": {"k": {"file": "a.bib", "failing": '
            '{"url:https://x": {"failures": 2, "since": "2026-13-40"}}}}}',
            "since: expected a date",
        ),
        (
            '{"schema_version": 1, "references": {"k": {"file": "a.bib", "failing": '
            '{"isbn:1": {"failures": 2, "since": "2026-11-20"}}}}}',
            "not doi:",
        ),
        (
            '{"schema_version": 1, "references": {"k": {"file": "a.bib", "urls": '
            '{"https://x": {"verdict": "fine"}}}}}',
            "unknown value 'fine'",
        ),
        (
            '{"schema_version": 1, "references": {"k": {"file": "a.bib", "accepted": '
            '[{"rule": "r", "severity": "fatal"}]}}}',
            "references.k.accepted[0].severity",
        ),
        # the articles section (issue 14) is read as strictly as the references
        (
            '{"schema_version": 1, "articles": {"P": {"source": "p.wiki", "format": "wikitext",'
            ' "revision": "123"}}}',
            "articles.P.revision: expected a revision id",
        ),
        (
            '{"schema_version": 1, "articles": {"P": {"source": "p.wiki", "format": "pdf"}}}',
            "articles.P.format",
        ),
        (
            '{"schema_version": 1, "articles": {"P": {"source": "p.wiki", "format": "text",'
            ' "citations": {"k": "not-a-hash"}}}}',
            "articles.P.citations.k",
        ),
        (
            '{"schema_version": 1, "articles": {"P": {"source": "p.wiki", "format": "text",'
            ' "script": "x"}}}',
            "articles.P: unknown key 'script'",
        ),
        ('{"schema_version": 1, "articles": []}', "articles: expected an object"),
    ],
)
def test_corrupt_or_wrong_shape_lockfile_says_how_to_recover(
    tmp_path: Path, text: str | bytes, problem: str
) -> None:
    path = tmp_path / "citetrack.lock"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    with pytest.raises(LockError) as caught:
        read_lock(path)
    message = str(caught.value)
    assert problem in message
    assert str(path) in message
    assert "delete it and run `citetrack lock`" in message
    assert path.read_text(encoding="utf-8", errors="replace")  # left as it was


def test_the_articles_section_round_trips_and_is_carried_over() -> None:
    record = ArticleRecord(
        source="https://wiki.example/wiki/P",  # synthetic
        format="wikitext",
        citations={"smith-2001": "0123456789ab"},
        title="P",
        revision=9000001,
        timestamp="2021-09-01T10:00:00Z",
    )
    lock = Lock(articles={"P": record})
    assert parse_lock(dumps_lock(lock)) == lock
    assert '"revision": 9000001' in dumps_lock(lock)
    rebuilt = build_lock(CheckResult(results=()), lock, DAY1)
    assert rebuilt.articles == {"P": record}  # an article not read this run is kept


def test_lockfile_from_a_newer_citetrack_asks_for_an_upgrade() -> None:
    with pytest.raises(LockError, match=r"newer citetrack \(schema_version 3.*Upgrade citetrack"):
        parse_lock('{"schema_version": 3, "references": {"anything": "goes"}}')


# --------------------------------------------------------------------------- locations


def test_lock_path_sits_next_to_the_bib_and_results_are_grouped_per_lock() -> None:
    assert lock_path_for("papers/refs.bib") == Path("papers/citetrack.lock")
    assert lock_path_for(None) == Path("citetrack.lock")
    run = result(rr(), rr(ref("b", path="papers/x.bib")), rr(ref("c", path="papers/y.bib")))
    groups = group_by_lock(run)
    assert {p: [r.reference.key for r in g.results] for p, g in groups.items()} == {
        Path("citetrack.lock"): ["smith2020"],
        Path("papers/citetrack.lock"): ["b", "c"],
    }


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ConfirmPolicy(min_failures=0)


def test_empty_lock_round_trips() -> None:
    assert parse_lock(dumps_lock(Lock())) == Lock()


# ------------------------------------------------------- files that share a citation key


def chapters(*order: str) -> CheckResult:
    """Two chapters' .bib files next to one lockfile, both citing `smith2020` (a thesis)."""
    by_file = {
        "ch1.bib": rr(ref(path="ch1.bib"), evidence=(crossref(),)),
        "ch2.bib": rr(ref(path="ch2.bib", doi="10.1000/abc"), evidence=(crossref("10.1000/abc"),)),
    }
    return result(*(by_file[name] for name in order))


def test_files_sharing_a_key_each_keep_their_entry_whatever_order_they_are_read_in() -> None:
    lock = build_lock(chapters("ch2.bib", "ch1.bib"), None, DAY1)
    assert set(lock.references) == {"smith2020", "smith2020,ch2.bib"}
    entry = lock.entry_at("ch2.bib", "smith2020")
    assert entry is not None and entry.identifiers == {"doi": "10.1000/abc"}
    text = dumps_lock(lock)
    assert dumps_lock(build_lock(chapters("ch1.bib", "ch2.bib"), None, DAY1)) == text
    assert parse_lock(text) == lock
    # A run over both, or either, finds nothing new: no reference-added, forever.
    assert diff(lock, chapters("ch1.bib", "ch2.bib"), DAY1) == []
    assert diff(lock, chapters("ch2.bib"), DAY1) == []
    # A file not read this time has nothing removed.
    assert not any(r.findings for r in track(chapters("ch1.bib"), lock, DAY1).results)


def test_what_is_about_one_files_reference_stays_on_it() -> None:
    other = rr(ref("jones2019", path="ch2.bib", doi="10.2000/j"), evidence=(crossref("10.2000/j"),))
    lock = build_lock(result(*chapters("ch1.bib", "ch2.bib").results, other), None, DAY1)
    # ch2.bib's record of 10.1000/abc gets a new title upstream.
    renamed = rr(
        ref(path="ch2.bib", doi="10.1000/abc"),
        evidence=(crossref("10.1000/abc", title="A corrected title"),),
    )
    seen = track(result(chapters("ch1.bib").results[0], renamed, other), lock, DAY1)
    assert [(r.reference.path, f.rule) for r in seen.results for f in r.findings] == [
        ("ch2.bib", "metadata-changed")
    ]
    # smith2020 leaves ch2.bib only: removed from ch2.bib, with ch2.bib's identifiers.
    gone = track(result(chapters("ch1.bib").results[0], other), lock, DAY1)
    removed = [r for r in gone.results if r.findings]
    assert [(r.reference.path, rules(list(r.findings))) for r in removed] == [
        ("ch2.bib", ["reference-removed"])
    ]
    assert removed[0].reference.identifiers.doi == "10.1000/abc"


def test_new_only_reads_the_entry_of_the_findings_own_file() -> None:
    warn = Finding("smith2020", "metadata-mismatch", Severity.WARNING, "m", field="title")
    only_ch1 = result(
        rr(ref(path="ch1.bib"), evidence=(crossref(),), findings=(warn,)),
        rr(ref(path="ch2.bib", doi="10.1000/abc"), evidence=(crossref("10.1000/abc"),)),
    )
    lock = build_lock(only_ch1, None, DAY1)
    assert new_only([warn], lock, ref(path="ch1.bib")) == []
    assert new_only([warn], lock, ref(path="ch2.bib", doi="10.1000/abc")) == [warn]


def test_one_lockfile_over_several_directories_names_files_from_its_own(tmp_path: Path) -> None:
    """`--lockfile` covering ch1/refs.bib and ch2/refs.bib: by their bare names they were one
    file, so a run over ch2 alone reported ch1's references removed."""
    for name in ("ch1", "ch2"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "refs.bib").write_text("", encoding="utf-8")
    (tmp_path / "top.bib").write_text("", encoding="utf-8")
    lockfile = tmp_path / "citetrack.lock"
    one, two = str(tmp_path / "ch1" / "refs.bib"), str(tmp_path / "ch2" / "refs.bib")
    with files_named_from(lockfile):
        assert [file_name(p) for p in (one, two)] == ["ch1/refs.bib", "ch2/refs.bib"]
        assert file_name(str(tmp_path / "top.bib")) == "top.bib"  # the default's bare name
        assert file_name("Necrolytic_migratory_erythema") == "Necrolytic_migratory_erythema"
        both = result(rr(ref(path=one)), rr(ref("jones2019", path=two)))
        lock = build_lock(both, None, DAY1)
        assert {e.file for e in lock.references.values()} == {"ch1/refs.bib", "ch2/refs.bib"}
        only_two = track(result(rr(ref("jones2019", path=two))), lock, DAY1)
        assert not any(r.findings for r in only_two.results)
    with files_named_from(tmp_path / "ch1" / "citetrack.lock"):  # outside it: from it too
        assert file_name(two) == "../ch2/refs.bib" and file_name(one) == "refs.bib"
    assert file_name(one) == "refs.bib"  # no lockfile being applied
