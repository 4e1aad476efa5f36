"""The export engine on the real-world .bib files: nothing changes that no fix named.

The add-ids and format runs below use synthetic fixes (a made-up PMID for every entry,
a reformat of every entry) to exercise the editor on every real entry layout; they say
nothing about the entries' real identifiers.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from citetrack.export import (
    FORMAT_FIELD,
    Change,
    Fix,
    apply_fixes,
    export_bib,
    format_fix,
    plan_local_fixes,
    unified_diff,
)
from citetrack.inputs.bib import Bibliography, load_bib, loads_bib
from citetrack.inputs.bib.loader import DATA_CONTAINERS
from tests.test_export import apply_unified  # a minimal `patch`, in the unit tests

DATA = Path(__file__).parent / "data" / "bib"
FILES = sorted(p.name for p in DATA.glob("*.bib"))
LOCAL = frozenset({"identifiers", "pages"})


@cache
def loaded(name: str) -> Bibliography:
    return load_bib(DATA / name)


def outside_entries(bib: Bibliography) -> list[str]:
    """The text between entry blocks: comments, @string, @preamble, blank lines."""
    pieces, cursor = [], 0
    for layout in bib.layout:
        pieces.append(bib.text[cursor : layout.start])
        cursor = layout.end
    pieces.append(bib.text[cursor:])
    return pieces


def assert_only_changes(
    old: Bibliography, new_text: str, changes: list[Change], *, same_lines: bool = True
) -> None:
    """Reload ``new_text``: every entry and field is as before, except what ``changes`` say."""
    new = loads_bib(new_text, old.path)
    assert [(r.key, r.entry_type) for r in new.references] == [
        (r.key, r.entry_type) for r in old.references
    ]
    if same_lines:
        assert [r.line for r in new.references] == [r.line for r in old.references]
    assert outside_entries(new) == outside_entries(old)
    assert [(p.rule, p.key) for p in new.problems] == [(p.rule, p.key) for p in old.problems]
    untouched = [
        (lay.state, old.text[lay.start : lay.end]) for lay in old.layout if lay.state != "ok"
    ]
    assert untouched == [
        (lay.state, new.text[lay.start : lay.end]) for lay in new.layout if lay.state != "ok"
    ]
    by_field = {(c.key, c.field): c for c in changes if c.field != FORMAT_FIELD}
    assert len(by_field) == len([c for c in changes if c.field != FORMAT_FIELD])
    seen = set()
    for before, after in zip(old.references, new.references, strict=True):
        for name in set(before.fields) | set(after.fields):
            change = by_field.get((before.key, name))
            if change is None:
                assert after.fields.get(name) == before.fields.get(name), (before.key, name)
            else:
                seen.add((before.key, name))
                assert before.fields.get(name) == change.old_value
                assert after.fields.get(name) == change.new_value
    assert seen == set(by_field)


@pytest.mark.parametrize("name", FILES)
def test_no_fixes_gives_the_same_bytes(name: str) -> None:
    bib = loaded(name)
    text, changes = apply_fixes(bib, [])
    assert text == bib.text
    assert text.encode("utf-8") == (DATA / name).read_bytes()
    assert changes == []
    assert_only_changes(bib, text, changes)


@pytest.mark.parametrize("name", FILES)
def test_local_fixes_change_only_the_fields_they_name(name: str) -> None:
    bib = loaded(name)
    fixes = plan_local_fixes(bib, LOCAL)
    result = export_bib(bib, fixes)
    changes = list(result.changes)
    assert_only_changes(bib, result.text, changes)
    # Every planned fix is either applied or refused with a reason; none vanishes.
    assert len(changes) + len(result.skipped) == len(fixes)
    assert all(s.reason for s in result.skipped)
    # The diff shows each changed value: one removed and one added line per changed line.
    diff = unified_diff(bib.text, result.text, name)
    changed_lines = {c.line for c in changes}
    removed = [line for line in diff.splitlines() if line.startswith("-") and line[:3] != "---"]
    assert len(removed) == len(changed_lines)
    assert len(bib.text.splitlines()) == len(result.text.splitlines())
    assert apply_unified(bib.text, diff) == result.text


def test_local_fixes_on_cdl_memlab_refuse_the_duplicated_keys() -> None:
    bib = loaded("cdl_memlab_2020.bib")
    result = export_bib(bib, plan_local_fixes(bib, LOCAL))
    defined = Counter(layout.key for layout in bib.layout)
    assert result.skipped
    for skipped in result.skipped:
        assert defined[skipped.fix.key] > 1
        assert f"key {skipped.fix.key} is defined {defined[skipped.fix.key]} times" in (
            skipped.reason
        )
    godd = next(s for s in result.skipped if s.fix.key == "GoddBadd75")
    assert "(lines 10354 (did not parse), 20859)" in godd.reason
    yass = next(c for c in result.changes if c.key == "YassStar11")
    assert (yass.field, yass.old_value, yass.new_value) == (
        "doi",
        "doi:10.1016/j.tins.2011.06.006",
        "10.1016/j.tins.2011.06.006",
    )


@pytest.mark.parametrize("name", FILES)
def test_adding_a_field_to_every_entry_keeps_everything_else(name: str) -> None:
    bib = loaded(name)
    refs = {r.key: r for r in bib.references}
    defined = Counter(x.key for x in bib.layout)
    fixes = [
        Fix(lay.key, "pmid", "99999999", "synthetic test fix", "test", "add-ids")
        for lay in bib.layout
        if lay.state == "ok"
        and lay.entry_type not in DATA_CONTAINERS  # no work: no PMID to add
        and not any(refs[lay.key].fields.get(n) for n in ("pmid", "pubmed_id", "pubmed"))
        and defined[lay.key] == 1
    ]
    result = export_bib(bib, fixes)
    assert result.skipped == ()
    assert len(result.changes) == len(fixes)
    assert_only_changes(bib, result.text, list(result.changes), same_lines=False)


@pytest.mark.parametrize("name", FILES)
def test_formatting_every_entry_keeps_every_field_and_value(name: str) -> None:
    bib = loaded(name)
    result = export_bib(bib, [format_fix(lay.key) for lay in bib.layout if lay.state == "ok"])
    new = loads_bib(result.text, bib.path)
    assert [dict(r.fields) for r in new.references] == [dict(r.fields) for r in bib.references]
    assert outside_entries(new) == outside_entries(bib)
    skipped_keys = Counter(s.fix.key for s in result.skipped)
    assert all(" is defined " in s.reason for s in result.skipped), result.skipped[:3]
    assert len(result.changes) + sum(skipped_keys.values()) <= len(bib.references)
