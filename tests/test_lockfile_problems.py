"""The input files' own defects in the lockfile: ``--new-only`` shows only defects added
since it was written, lines moving is no new defect, and an entry that stops parsing is not
"removed" (plain values; the CLI workflow is in tests/test_e2e_lock.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from citetrack.inputs.bib import BibProblem
from citetrack.model import CheckResult, Reference, ReferenceResult
from citetrack.tracking.lockfile import (
    LockError,
    build_lock,
    dumps_lock,
    parse_lock,
    track,
)
from citetrack.tracking.lockfile.problems import (
    accepted_problem,
    new_problems,
    record_problems,
)
from citetrack.tracking.lockfile.state import AcceptedProblem, Lock, LockEntry

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def dup(line: int, key: str = "smith2001a") -> BibProblem:
    message = f"entry {key}: field year is given 2 times (lines {line}, {line + 2})"
    return BibProblem("/p/refs.bib", line, message, "bib-duplicate-field", key)


def unread(line: int) -> BibProblem:
    return BibProblem("/p/art.txt", line, "this note repeats the source (Ibid.)", "parse-not-read")


def test_a_defect_is_recorded_without_its_line_numbers_but_with_its_key() -> None:
    mark = accepted_problem(dup(14))
    assert mark == AcceptedProblem(
        "bib-duplicate-field",
        "smith2001a",
        "entry smith2001a: field year is given # times (lines #, #)",
    )
    assert accepted_problem(dup(140)) == mark
    assert accepted_problem(dup(14, key="smith2001b")) != mark


def test_new_only_keeps_what_the_lockfile_did_not_accept() -> None:
    lock = Lock(problems=record_problems(None, [dup(14), unread(3)], {"refs.bib", "art.txt"}))
    # The same defects, moved down by lines added above them: nothing new.
    assert new_problems([dup(30), unread(9)], lock) == []
    # A defect of another entry, another rule or another file is new.
    other = dup(50, key="jones1999")
    moved = BibProblem("/q/other.bib", 14, dup(14).message, "bib-duplicate-field", "smith2001a")
    assert new_problems([dup(30), other, moved], lock) == [other, moved]
    # Without a lockfile (or one that records none) every defect is shown.
    assert new_problems([dup(14)], None) == [dup(14)]
    assert new_problems([dup(14)], Lock()) == [dup(14)]


def test_more_defects_alike_than_accepted_shows_all_of_them() -> None:
    lock = Lock(problems=record_problems(None, [unread(3)], {"art.txt"}))
    assert new_problems([unread(5)], lock) == []
    # A second Ibid. line: which one is new cannot be told, so both are shown.
    assert new_problems([unread(5), unread(8)], lock) == [unread(5), unread(8)]


def test_recording_replaces_the_files_read_and_keeps_the_others() -> None:
    before = Lock(problems=record_problems(None, [dup(14), unread(3)], {"refs.bib", "art.txt"}))
    # refs.bib was read again and is clean now; art.txt was not part of this run.
    after = record_problems(before, [], {"refs.bib"})
    assert after == {"art.txt": before.problems["art.txt"]}
    # A file read again keeps exactly its defects of now.
    again = record_problems(before, [dup(20, key="b"), dup(10, key="a")], {"refs.bib"})
    assert [m.key for m in again["refs.bib"]] == ["a", "b"]  # sorted: stable bytes


def test_the_lockfile_round_trips_its_problems_and_rejects_a_wrong_shape() -> None:
    lock = Lock(problems=record_problems(None, [dup(14), unread(3), unread(9)], {"x"}))
    text = dumps_lock(lock)
    assert parse_lock(text).problems == lock.problems
    assert dumps_lock(parse_lock(text)) == text
    assert '"key"' in text and text.count('"rule": "parse-not-read"') == 2
    bad = text.replace('"rule": "parse-not-read"', '"rul": "parse-not-read"', 1)
    with pytest.raises(LockError, match=r"problems\.art\.txt\[0\].*unknown key 'rul'"):
        parse_lock(bad, "citetrack.lock")
    no_message = re.sub(r'"message": "[^"]*"', '"message": 3', text, count=1)
    with pytest.raises(LockError, match=r"problems\.art\.txt\[0\]\.message"):
        parse_lock(no_message, "citetrack.lock")


def ref(key: str) -> ReferenceResult:
    return ReferenceResult(Reference(key=key, entry_type="article", fields={}, path="/p/refs.bib"))


def test_an_entry_that_stops_parsing_is_not_removed_and_keeps_its_history() -> None:
    before = build_lock(CheckResult(results=(ref("a"), ref("b"))), None, NOW)
    now = CheckResult(results=(ref("a"),))  # b is still in the file, but does not parse
    gone = track(now, before, NOW)
    assert any(f.rule == "reference-removed" for rr in gone.results for f in rr.findings)
    seen = track(now, before, NOW, unread={("refs.bib", "b")})
    assert not any(f.rule == "reference-removed" for rr in seen.results for f in rr.findings)
    kept = build_lock(seen, before, NOW, unread={("refs.bib", "b")})
    assert kept.references["b"] == before.references["b"]
    assert "b" not in build_lock(gone, before, NOW).references
    assert isinstance(kept.references["b"], LockEntry)


def test_a_defect_a_newer_citetrack_words_otherwise_is_not_new() -> None:
    """The messages are citetrack's wording: a newer citetrack that words a defect
    otherwise must not make every accepted defect new (a gate failing on untouched files
    after an upgrade).  One more defect of a rule on an entry than accepted is new."""
    lock = Lock(problems=record_problems(None, [dup(14), unread(3)], {"refs.bib", "art.txt"}))
    reworded = BibProblem(
        "/p/refs.bib",
        20,
        "smith2001a: year given twice (lines 20, 22)",
        "bib-duplicate-field",
        "smith2001a",
    )
    note = BibProblem("/p/art.txt", 9, "not read: a repeated source (Ibid.)", "parse-not-read")
    assert new_problems([reworded, note], lock) == []
    # a second one of the same rule on the same entry: both shown, as before
    title = BibProblem("/p/refs.bib", 30, "title given twice", "bib-duplicate-field", "smith2001a")
    assert new_problems([reworded, title], lock) == [reworded, title]
