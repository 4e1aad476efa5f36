"""Property tests: random (synthetic) .bib texts and random fixes never lose or alter data.

Hypothesis builds whole files — entries with braces, quotes, LaTeX, Unicode, ``@string``
macros, ``#`` concatenations, comments and free text between entries, several layout
styles and line endings — then random fixes.  Whatever happens, reloading the output
must give every entry and field as before, except exactly the fields the changes name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citetrack.export import (
    ADD_ID_FIELDS,
    FIX_KINDS,
    FORMAT_FIELD,
    METADATA_FIELDS,
    Fix,
    export_bib,
    format_fix,
    plan_local_fixes,
)
from citetrack.inputs.bib import escape_value, format_entries, loads_bib
from citetrack.model import Reference

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ------------------------------------------------------------------------- values

_PLAIN = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters='{}"\\@', max_codepoint=0x2FFF
    ),
    max_size=8,
)
_LATEX = st.sampled_from(
    [
        "\\'e",
        '{\\"o}',
        "\\&",
        "50\\%",
        "--",
        "$x^2$",
        "{DNA}",
        "Ōtsuka",
        "Lu\u0308scher",  # NFD
        "\\{x\\}",
        "\n    and",  # a line break inside a value, never followed by `@`
        ", ",
        " = ",
        "#",
        "a@b",
        "(",
        ")",
        "\\textit{x}",
        "\\\\ ",
    ]
)
# Balanced text, as BibTeX requires inside braces; no `"` so that it may also be quoted.
_INNER = st.recursive(
    st.lists(_PLAIN | _LATEX, max_size=4).map("".join),
    lambda inner: st.lists(inner.map(lambda v: "{" + v + "}") | inner, max_size=3).map("".join),
    max_leaves=6,
)
_WITH_QUOTES = st.lists(_INNER | st.just('{"}') | st.just('say "hi"'), max_size=3).map(
    lambda parts: "{" + "".join(parts) + "}" if parts else ""
)
VALUE = _INNER | _WITH_QUOTES

MACROS = {"jgr": "J. Geophys. Res.", "acm": "The {ACM}", "dtv": "Deutscher Verlag"}


@dataclass(frozen=True)
class Field:
    name: str
    expression: str  # as written after `=`
    value: str  # what loading must give


@st.composite
def fields(draw: st.DrawFn, name: str) -> Field:
    form = draw(st.sampled_from(["braced", "braced", "quoted", "number", "macro", "concat"]))
    if form == "number":
        digits = str(draw(st.integers(0, 99999)))
        return Field(name, digits, digits)
    if form == "macro":
        macro = draw(st.sampled_from(sorted(MACROS)))
        return Field(name, draw(st.sampled_from([macro, macro.upper()])), MACROS[macro])
    value = draw(VALUE)
    if form == "concat":
        macro = draw(st.sampled_from(sorted(MACROS)))
        return Field(name, f"{macro} # {{{value}}}", MACROS[macro] + value)
    if form == "quoted" and '"' not in value:
        return Field(name, f'"{value}"', value)
    return Field(name, "{" + value + "}", value)


NAMES = [
    "title", "Title", "author", "AUTHOR", "journal", "year", "Volume", "number", "pages",
    "doi", "Pmid", "url", "note", "Date-Added", "mendeley-groups", "Usage-Count-(Last-180)",
    "keywords", "abstract", "issn", "isbn", "publisher",
]  # fmt: skip


@dataclass(frozen=True)
class Entry:
    key: str
    entry_type: str
    fields: tuple[Field, ...]


KEY = st.from_regex(r"[A-Za-z][A-Za-z0-9:_'.\-]{0,10}", fullmatch=True)


@st.composite
def entries(draw: st.DrawFn) -> list[Entry]:
    keys = draw(st.lists(KEY, min_size=1, max_size=5, unique_by=str.casefold))
    out = []
    for key in keys:
        names = draw(st.lists(st.sampled_from(NAMES), max_size=6, unique_by=str.lower))
        entry_fields = tuple(draw(fields(n)) for n in names)
        entry_type = draw(st.sampled_from(["article", "ARTICLE", "Book", "misc", "online"]))
        out.append(Entry(key, entry_type, entry_fields))
    return out


SEPARATORS = [
    "\n",
    "\n\n",
    "\n% a comment with {braces\n",
    "\nFree text, not an entry.\n\n",
    "\n@comment{jabref-meta: groups;}\n",
    '\n@preamble{ "\\newcommand{\\noop}[1]{}" }\n',
    "",  # the next entry right after the closing brace: `}@article{`
]


@st.composite
def bib_texts(draw: st.DrawFn) -> tuple[str, list[Entry]]:
    items = draw(entries())
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    indent = draw(st.sampled_from(["  ", "\t", "    ", ""]))
    equals = draw(st.sampled_from([" = ", "=", "  =  "]))
    one_line = draw(st.booleans())
    trailing = draw(st.booleans())
    parts = [f"@string{{{name} = {{{value}}}}}\n" for name, value in MACROS.items()]
    for item in items:
        sep = ", " if one_line else "," + newline + indent
        body = sep.join(f"{f.name}{equals}{f.expression}" for f in item.fields)
        head = f"@{item.entry_type}{{{item.key},"
        if not item.fields:
            parts.append(head + "}")
        elif one_line:
            parts.append(f"{head} {body}{',' if trailing else ''}}}")
        else:
            end = ("," if trailing else "") + newline + "}"
            parts.append(head + newline + indent + body + end)
        parts.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(parts).replace("\n", newline), items


# ------------------------------------------------------------------------- properties


@SETTINGS
@given(bib_texts())
def test_generated_files_load_exactly(case: tuple[str, list[Entry]]) -> None:
    text, items = case
    bib = loads_bib(text)
    assert bib.problems == ()
    assert [(r.key, r.entry_type) for r in bib.references] == [
        (e.key, e.entry_type.lower()) for e in items
    ]
    for ref, item in zip(bib.references, items, strict=True):
        expected = {f.name.lower(): f.value.replace("\n", "\n") for f in item.fields}
        if "\r\n" in text:
            expected = {k: v.replace("\n", "\r\n") for k, v in expected.items()}
        assert dict(ref.fields) == expected


FIX_FIELDS = sorted(METADATA_FIELDS | set(ADD_ID_FIELDS) | {"title", "author", "keywords"})


@st.composite
def fixes_for(draw: st.DrawFn, items: list[Entry]) -> list[Fix]:
    """Fixes for existing and new fields, a few of them for a key that does not exist."""
    out = []
    for _ in range(draw(st.integers(0, 8))):
        item = draw(st.sampled_from(items))
        key = "no-such-key" if draw(st.integers(0, 9)) == 0 else item.key
        existing = [f.name.lower() for f in item.fields]
        use_existing = bool(existing) and draw(st.booleans())
        name = draw(st.sampled_from(existing if use_existing else FIX_FIELDS))
        kind = "add-ids" if name in ADD_ID_FIELDS and draw(st.booleans()) else "metadata"
        value = draw(_INNER | st.from_regex(r"[0-9]{1,5}", fullmatch=True))
        out.append(Fix(key, name, value, "random", draw(st.sampled_from(["a", "b"])), kind))
        if draw(st.integers(0, 5)) == 0:
            out.append(format_fix(key))
    return out


@SETTINGS
@given(st.data())
def test_random_fixes_change_only_what_they_name(data: st.DataObject) -> None:
    text, items = data.draw(bib_texts())
    bib = loads_bib(text)
    fixes = data.draw(fixes_for(items)) + plan_local_fixes(bib, frozenset(FIX_KINDS) - {"format"})
    result = export_bib(bib, fixes)
    new = loads_bib(result.text)

    # No entry lost, reordered or retyped; nothing outside entries touched.
    assert [(r.key, r.entry_type) for r in new.references] == [
        (r.key, r.entry_type) for r in bib.references
    ]
    assert new.problems == ()
    assert _outside(new.text, new.layout) == _outside(text, bib.layout)

    changed = {(c.key, c.field): c for c in result.changes if c.field != FORMAT_FIELD}
    assert len(changed) == len([c for c in result.changes if c.field != FORMAT_FIELD])
    for before, after in zip(bib.references, new.references, strict=True):
        for name in set(before.fields) | set(after.fields):
            change = changed.get((before.key, name))
            if change is None:
                assert after.fields.get(name) == before.fields.get(name)
            else:
                assert before.fields.get(name) == change.old_value
                assert after.fields.get(name) == change.new_value

    # Every fix is applied, refused with a reason, or was a no-op.
    applied = {(c.key, c.field, c.new_value, c.source) for c in result.changes}
    refused = {s.fix for s in result.skipped}
    for fix in fixes:
        if fix in refused or (fix.key, fix.field, fix.new_value, fix.source) in applied:
            continue
        if fix.kind == "format":  # a no-op only when the entry was formatted already
            continue
        ref = next(r for r in bib.references if r.key == fix.key)
        assert ref.fields.get(fix.field) == fix.new_value or any(
            (c.key, c.field, c.new_value) == (fix.key, fix.field, fix.new_value)
            for c in result.changes
        )
    for skipped in result.skipped:
        if skipped.fix.key != "no-such-key" and skipped.fix.field in ("title", "author"):
            assert "never rewrites titles or names" in skipped.reason


def _outside(text: str, layout: tuple[object, ...]) -> list[str]:
    pieces, cursor = [], 0
    for item in layout:
        start, end = item.start, item.end  # type: ignore[attr-defined]
        pieces.append(text[cursor:start])
        cursor = end
    pieces.append(text[cursor:])
    return pieces


# ---------------------------------------------------------------------- the writer

_ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFF), max_size=30
)


@st.composite
def references(draw: st.DrawFn) -> list[Reference]:
    keys = draw(st.lists(KEY, min_size=1, max_size=4, unique_by=str.casefold))
    refs = []
    for key in keys:
        names = draw(st.lists(st.sampled_from([n.lower() for n in NAMES]), max_size=5, unique=True))
        values = {n: draw(_ANY_TEXT) for n in names}
        refs.append(Reference(key=key, entry_type="article", fields=values))
    return refs


@SETTINGS
@given(references())
def test_written_entries_load_back(refs: list[Reference]) -> None:
    bib = loads_bib(format_entries(refs))
    assert [r.key for r in bib.references] == [r.key for r in refs]
    assert bib.problems == ()
    for ref, loaded in zip(refs, bib.references, strict=True):
        expected = {n: escape_value(n, v) for n, v in ref.fields.items() if v}
        assert dict(loaded.fields) == expected


def test_escape_value_examples() -> None:
    assert escape_value("title", "A & B 50% #1 $5") == "A \\& B 50\\% \\#1 \\$5"
    assert escape_value("url", "http://x/?a=1&b=50%") == "http://x/?a=1&b=50%"
    assert escape_value("title", "a } b {") == "a \\} b \\{"
    assert re.fullmatch(r"\{DNA\}", escape_value("title", "{DNA}"))


def test_escape_value_defuses_what_would_break_the_file() -> None:
    assert escape_value("title", "C:\\") == "C:\\textbackslash{}"
    assert escape_value("url", "http://x/\\") == "http://x/%5C"
    assert escape_value("note", "a\n  @misc{x, title={y}}") == "a\n  {@}misc{x, title={y}}"
    refs = [Reference("k", "misc", {"note": "a\n@misc{x,", "title": "T\\"})]
    (loaded,) = loads_bib(format_entries(refs)).references
    assert loaded.key == "k"
    assert set(loaded.fields) == {"note", "title"}
