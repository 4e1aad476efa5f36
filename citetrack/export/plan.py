"""Which fixes go to which entry of the .bib, and which are refused and why.

A fix is refused when its key is missing, duplicated or in an entry that did not parse;
when it would touch a title or a name; when the field is written with an ``@string``
macro; when an identifier fix would change the identifier rather than its form; when a
pages fix would change the pages rather than their dashes; or when two fixes disagree.
"""

from __future__ import annotations

import re
from collections import Counter

from citetrack.export.local_fixes import IDENTIFIER_FIELDS, normalize_page_ranges
from citetrack.export.model import (
    ADD_ID_FIELDS,
    FIX_KINDS,
    FORMAT_FIELD,
    METADATA_FIELDS,
    PROTECTED_FIELDS,
    Fix,
    Skipped,
)
from citetrack.inputs.bib import Bibliography, EntryLayout, spelling_counts, unwrap_braces


class Plan:
    """Which fixes go to which entry, and which are refused and why."""

    def __init__(self, bib: Bibliography, layouts: tuple[EntryLayout, ...]) -> None:
        self.bib = bib
        self.layouts = layouts
        self.by_key: dict[str, list[int]] = {}
        for i, layout in enumerate(layouts):
            self.by_key.setdefault(layout.key, []).append(i)
        self.by_folded = {layout.key.casefold(): layout for layout in layouts}
        self.accepted: dict[int, list[Fix]] = {}
        self.skipped: list[Skipped] = []
        self._spellings: dict[str, Counter[str]] | None = None

    def spellings(self) -> dict[str, Counter[str]]:
        if self._spellings is None:
            self._spellings = spelling_counts(self.bib)
        return self._spellings

    def skip(self, fix: Fix, reason: str, line: int | None = None) -> None:
        self.skipped.append(Skipped(fix, reason, line))

    def add(self, fix: Fix) -> None:
        if fix.kind not in FIX_KINDS:
            self.skip(fix, f"unknown kind of fix `{fix.kind}` (known: {', '.join(FIX_KINDS)})")
            return
        indices = self.by_key.get(fix.key, [])
        if not indices:
            other = self.by_folded.get(fix.key.casefold())
            hint = f" (there is {other.key} on line {other.line})" if other else ""
            self.skip(fix, f"no entry with key {fix.key}{hint}")
            return
        if len(indices) > 1:
            lines = ", ".join(
                f"{self.layouts[i].line}" + _STATE_NOTE.get(self.layouts[i].state, "")
                for i in indices
            )
            self.skip(
                fix,
                f"key {fix.key} is defined {len(indices)} times (lines {lines}); citetrack "
                "does not guess which entry to change",
                self.layouts[indices[0]].line,
            )
            return
        layout = self.layouts[indices[0]]
        if layout.state != "ok":
            what = "could not be parsed" if layout.state == "failed" else "is not read reliably"
            self.skip(fix, f"entry {fix.key} {what} ({layout.note}); fix it by hand", layout.line)
            return
        reason = "" if fix.kind == "format" else _refusal(fix, layout)
        if reason:
            self.skip(fix, reason, layout.line)
            return
        self.accepted.setdefault(indices[0], []).append(fix)

    def resolve_conflicts(self) -> None:
        """Two fixes for one field: one is kept if they agree, both refused if not."""
        for index, fixes in list(self.accepted.items()):
            kept: list[Fix] = []
            by_field: dict[str, list[Fix]] = {}
            for fix in fixes:
                by_field.setdefault(fix.field.lower(), []).append(fix)
            for name, group in by_field.items():
                values = {f.new_value for f in group}
                if name == FORMAT_FIELD or len(values) == 1:
                    kept.append(group[0])
                    continue
                listed = "; ".join(f"{f.new_value!r} ({f.source})" for f in group)
                for fix in group:
                    self.skip(
                        fix,
                        f"conflicting fixes for {fix.key}.{name}: {listed}",
                        self.layouts[index].line,
                    )
            if kept:
                self.accepted[index] = kept
            else:
                del self.accepted[index]


_STATE_NOTE = {"failed": " (did not parse)", "unreadable": " (not read reliably)"}
_FIELD_NAME = re.compile(r'[^\s"#%\'(),={}]+')


def _refusal(fix: Fix, layout: EntryLayout) -> str:
    """Why a value fix must not be applied to this entry ("" when it may)."""
    name = fix.field.lower()
    if not _FIELD_NAME.fullmatch(fix.field):
        return f"`{fix.field}` is not a BibTeX field name"
    if name in PROTECTED_FIELDS:
        return f"citetrack never rewrites titles or names (field {name})"
    if fix.kind == "metadata" and name not in METADATA_FIELDS:
        return f"a metadata fix may not change field {name}"
    if fix.kind == "add-ids" and name not in ADD_ID_FIELDS:
        return f"an add-ids fix may not add field {name}"
    if fix.kind == "pages" and name != "pages":
        return f"a pages fix may only change field pages, not {name}"
    if fix.kind == "identifiers" and name not in IDENTIFIER_FIELDS:
        return f"an identifiers fix may not change field {name}"
    if fix.kind == "conflicts" and name not in ("doi", "pmid"):  # issue 13
        return f"a conflicts fix only replaces a wrong doi or pmid, not field {name}"
    if not _balanced(fix.new_value):
        return f"the new value {fix.new_value!r} has unbalanced braces"
    present = [f for f in layout.fields if f.name.lower() == name]
    if len(present) > 1:
        return f"field {name} is given {len(present)} times in the entry"
    current = present[0] if present else None
    inherits = any(f.name.lower() in ("crossref", "xdata") for f in layout.fields)
    if fix.kind == "metadata" and current is None and inherits:
        return (
            f"field {name} is not written in this entry: it comes from the entry its "
            "crossref or xdata names; fix it there"
        )
    if current is not None and current.form in ("macro", "concat"):
        written = f"`{current.name} = ...`"
        return f"{written} uses an @string macro or `#`; left as written"
    if fix.kind == "add-ids":
        names = ADD_ID_FIELDS[name]
        held = [f for f in layout.fields if f.name.lower() in names and f.value.strip()]
        if held:
            return (
                f"an add-ids fix only adds a missing identifier; {held[0].name} already "
                f"holds {held[0].value!r}"
            )
    if fix.kind == "identifiers":
        if current is None:
            return f"an identifiers fix only rewrites an existing field; {name} is missing"
        compare = IDENTIFIER_FIELDS[name][1]
        old_id = compare(unwrap_braces(current.value)[1])
        new_id = compare(unwrap_braces(fix.new_value)[1])
        if old_id is None or old_id != new_id:
            return (
                f"an identifiers fix may change how {name} is written, not which identifier "
                f"it is ({current.value!r} → {fix.new_value!r})"
            )
    if fix.kind == "pages":
        if current is None:
            return "a pages fix only rewrites an existing pages field"
        written = normalize_page_ranges(unwrap_braces(current.value)[1]) or current.value
        if _alnum(written) != _alnum(fix.new_value):
            return (
                "a pages fix may change the dashes of a range or expand its abbreviated end, "
                "not its pages "
                f"({current.value!r} → {fix.new_value!r})"
            )
    return ""


def _alnum(value: str) -> list[str]:
    return re.findall(r"[0-9A-Za-z]+", value)


_BRACE = re.compile(r"(?<!\\)[{}]")


def _balanced(value: str) -> bool:
    """Whether ``value`` can go between braces: balanced, and not ending in a backslash.

    Braces preceded by a backslash do not count, as in bibtexparser's splitter.
    """
    depth = 0
    for mark in _BRACE.finditer(value):
        depth += 1 if mark.group() == "{" else -1
        if depth < 0:
            return False
    return depth == 0 and not value.endswith("\\")
