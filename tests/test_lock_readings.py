"""The lockfile's registry records are citetrack's own reading of a registry's answer
(``registries/`` parse it, ``tracking/lockfile/build.source_record`` reduces it), so they
carry the version of that reading (``RECORD_READING``): an upgrade that reads the same
answer otherwise must not be a ``metadata-changed`` on the next nightly run.

* the real recorded Crossref and PubMed answers, read under this version, are held in
  ``tests/data/lock_readings.json``: when they read otherwise and ``RECORD_READING`` was
  not bumped, the test says so (regenerate with ``python -m tests.test_lock_readings``
  after bumping it);
* a record of another reading is not compared field by field (notices still are), and
  the next lockfile written records the current reading;
* a record of reading 1 is written as every lockfile before wrote it (schema 1).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citetrack.model import Found, LinkStatus, LinkVerdict, Severity, Source, Update, UpdateKind
from citetrack.registries.crossref import parse_single_work, parse_work
from citetrack.registries.pubmed import parse_esummary, record_evidence
from citetrack.tracking.lockfile import build as build_module
from citetrack.tracking.lockfile import build_lock, diff
from citetrack.tracking.lockfile.build import RECORD_READING, source_record
from citetrack.tracking.lockfile.fileformat import dumps_lock, parse_lock, source_json
from citetrack.tracking.lockfile.state import UrlRecord
from tests.test_lockfile import DAY1, URL, alive, crossref, ref, result, rr

FIXTURES = Path(__file__).parent / "fixtures" / "real"
SNAPSHOT = Path(__file__).parent / "data" / "lock_readings.json"


def _found() -> dict[str, Found]:
    """Every real recorded work answer, as the registries read it."""
    out: dict[str, Found] = {}
    for path in sorted((FIXTURES / "crossref").glob("works_10.*.json")):
        if path.name.endswith(".meta.json"):
            continue
        item = parse_single_work(json.loads(path.read_text(encoding="utf-8")))
        md = parse_work(item)
        out[f"crossref/{path.name}"] = Found(Source.CROSSREF, str(item["DOI"]), md)
    for path in sorted((FIXTURES / "pubmed").glob("esummary_json_*.json")):
        if path.name.endswith(".meta.json"):
            continue
        for pmid, record in parse_esummary(json.loads(path.read_text(encoding="utf-8"))).items():
            evidence = record_evidence(record, pmid)
            assert isinstance(evidence, Found)
            out[f"pubmed/{path.name}/{pmid}"] = evidence
    return out


def readings() -> dict[str, object]:
    """The snapshot's content as this code reads the fixtures."""
    records = {name: source_json(source_record(found)) for name, found in _found().items()}
    return {"reading": RECORD_READING, "records": records}


def test_the_recorded_answers_read_as_this_reading_version_says() -> None:
    held = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    now = readings()
    assert len(held["records"]) >= 5
    if held["reading"] == now["reading"]:
        assert now["records"] == held["records"], (
            "the lockfile's registry records read otherwise than under RECORD_READING "
            f"{RECORD_READING}: bump RECORD_READING in citetrack/tracking/lockfile/build.py "
            "(or every lockfile's next check reports metadata-changed for nothing upstream), "
            "then run `python -m tests.test_lock_readings`"
        )
    else:
        pytest.fail("RECORD_READING changed: run `python -m tests.test_lock_readings`")


def test_a_record_of_another_reading_is_not_compared_but_notices_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What an older reading recorded: the title with its markup, authors otherwise.
    older = crossref(title="A <i>synthetic</i> title", authors=())
    lock = build_lock(result(rr(evidence=(older,))), None, DAY1)
    assert lock.references["smith2020"].sources["crossref"].reading == 1
    now = result(rr(evidence=(crossref(),)))
    # the same reading: the fields are compared, as always
    assert {f.field for f in diff(lock, now, DAY1)} == {"title", "author"}
    # a newer reading of the same answer: no change upstream
    monkeypatch.setattr(build_module, "RECORD_READING", 2)
    # ... but said, as a note: until the lockfile is written again an upstream change of
    # these fields would pass unseen
    notes = diff(lock, now, DAY1)
    assert [(f.rule, f.severity) for f in notes] == [("metadata-not-compared", Severity.NOTE)]
    assert "update-lock" in notes[0].message
    retracted = crossref(updates=(Update(UpdateKind.RETRACTION, "10.1000/ret"),))
    found = diff(lock, result(rr(evidence=(retracted,))), DAY1)
    assert [f.rule for f in found] == ["metadata-not-compared", "retraction-new"]
    # the next lockfile records the fields as read now, and compares them from then on
    rebuilt = build_lock(now, lock, DAY1)
    record = rebuilt.references["smith2020"].sources["crossref"]
    assert record.reading == 2 and record.fields["title"] == "A synthetic title"
    text = dumps_lock(rebuilt)
    assert json.loads(text)["schema_version"] == 2
    assert '"reading": 2' in text
    again = parse_lock(text)
    assert again.references["smith2020"].sources["crossref"].reading == 2
    assert parse_lock(text.encode()).references["smith2020"].sources["crossref"].reading == 2
    changed = result(rr(evidence=(crossref(title="Another title"),)))
    assert [f.field for f in diff(again, changed, DAY1)] == ["title"]


def test_a_record_of_the_first_reading_is_written_as_before() -> None:
    lock = build_lock(result(rr(evidence=(crossref(),))), None, DAY1)
    text = dumps_lock(lock)
    assert '"reading"' not in text and json.loads(text)["schema_version"] == 1
    assert parse_lock(text) == lock


def _write() -> None:  # pragma: no cover - a developer's step after bumping RECORD_READING
    SNAPSHOT.write_text(
        json.dumps(readings(), indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":  # pragma: no cover
    _write()


def test_a_url_s_verdict_read_otherwise_is_no_change() -> None:
    """A URL's recorded verdict is citetrack's classification of the page (ok, redirected,
    blocked…), which a newer classifier may make otherwise; ``url-changed`` compares the
    final URL the server led to (upstream's own answer), and a verdict alone is compared
    only when a failure is confirmed dead (``url-died``).  A page classified otherwise,
    at the same place, is no change."""
    page = ref(doi=None, url=URL)
    lock = build_lock(result(rr(page, links=(alive(),))), None, DAY1)
    assert lock.references["smith2020"].urls[URL] == UrlRecord(LinkVerdict.OK, URL)
    for verdict in (LinkVerdict.REDIRECTED, LinkVerdict.BLOCKED):
        reread = LinkStatus(URL, verdict, 200, final_url=URL)
        assert diff(lock, result(rr(page, links=(reread,))), DAY1) == [], verdict
    moved = LinkStatus(URL, LinkVerdict.REDIRECTED, 200, final_url=URL + "/elsewhere")
    assert [f.rule for f in diff(lock, result(rr(page, links=(moved,))), DAY1)] == ["url-changed"]
