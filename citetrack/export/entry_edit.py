"""Edit one entry's text: replace values between their delimiters, add fields in the
entry's own style, or reformat the entry on request; then check it reads back as intended.

The style of an added field (indentation, ``=`` spacing and alignment, braces or quotes,
field-name case, line endings) is read from the entry and the file.  Pure.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from citetrack.export.model import FORMAT_FIELD, Change, Fix
from citetrack.export.plan import Plan
from citetrack.inputs.bib import EntryLayout, field_sort_key, reread_entry


@dataclass(frozen=True)
class _Style:
    """How an entry writes its fields, so that an added field looks like the others."""

    newline: str
    indent: str | None  # None: fields do not start their own lines
    before_eq: str
    after_eq: str
    align_column: int | None
    quotes: bool


def edit_entry(
    text: str, layout: EntryLayout, fixes: list[Fix], plan: Plan
) -> tuple[str, list[Change]] | None:
    """The entry's new text and its changes, or ``None`` when nothing changes.

    Fixes that cannot be applied safely are recorded in ``plan.skipped``.
    """
    old_entry = text[layout.start : layout.end]
    replace: dict[int, tuple[str, Change]] = {}  # field index → (value expression, change)
    inserts: list[tuple[str, str]] = []  # (name as it will be written, value expression)
    added: list[Change] = []
    fmt: Fix | None = None
    style = _style(text, layout)
    for fix in fixes:
        if fix.kind == "format":
            fmt = fix
            continue
        name = fix.field.lower()
        index = next((i for i, f in enumerate(layout.fields) if f.name.lower() == name), None)
        if index is None:
            form = "quoted" if style.quotes else "braced"
            inserts.append((_spell(name, layout, plan), _enclose(fix.new_value, form)))
            added.append(
                Change(layout.key, name, None, fix.new_value, fix.reason, fix.source, layout.line)
            )
        elif layout.fields[index].value != fix.new_value:
            current = layout.fields[index]
            change = Change(
                layout.key, name, current.value, fix.new_value, fix.reason, fix.source, current.line
            )
            replace[index] = (_enclose(fix.new_value, current.form), change)
    changes = [replace[i][1] for i in sorted(replace)] + added
    values = {i: value for i, (value, _) in replace.items()}

    fields = [
        (f.name, values.get(i, text[f.value_start : f.value_end]))
        for i, f in enumerate(layout.fields)
    ]
    expected = fields + inserts
    new_entry = _minimal_edit(text, layout, values, inserts, style)
    if fmt is not None:
        formatted = _formatted(text, layout, expected, style.newline)
        if formatted == new_entry:  # already in that form: the fixes are the only change
            fmt = None
        else:
            new_entry = formatted
            expected = sorted(expected, key=lambda nv: field_sort_key(nv[0].lower()))
    if new_entry == old_entry:
        return None
    check = reread_entry(new_entry)
    if check is None or check[1] != layout.key or check[2] != expected:
        for fix in fixes:
            plan.skip(
                fix,
                f"the edited entry {layout.key} would not read back as intended; "
                "nothing in it was changed",
                layout.line,
            )
        return None
    if fmt is not None:
        changes.append(
            Change(
                layout.key, FORMAT_FIELD, old_entry, new_entry, fmt.reason, fmt.source, layout.line
            )
        )
    return new_entry, changes


def _enclose(value: str, form: str) -> str:
    """``value`` as a value expression, in the form the field already had if possible."""
    if form == "number" and value.isdigit():
        return value
    if form == "quoted" and _quote_safe(value):
        return f'"{value}"'
    return "{" + value + "}"


_QUOTE_MARK = re.compile(r'(?<!\\)[{}"]')


def _quote_safe(value: str) -> bool:
    """Whether ``"value"`` is one quoted string (no ``"`` outside braces inside it)."""
    depth = 0
    for mark in _QUOTE_MARK.finditer(value):
        char = mark.group()
        if char == '"' and depth == 0:
            return False
        depth += {"{": 1, "}": -1}.get(char, 0)
    return True


def _minimal_edit(
    text: str,
    layout: EntryLayout,
    replace: dict[int, str],
    inserts: list[tuple[str, str]],
    style: _Style,
) -> str:
    """The entry's text with the replaced values and the inserted fields, nothing else."""
    edits: list[tuple[int, int, str]] = [
        (layout.fields[i].value_start, layout.fields[i].value_end, value)
        for i, value in replace.items()
    ]
    if inserts:
        edits.append(_insertion(text, layout, inserts, style))
    edits.sort()
    out: list[str] = []
    cursor = layout.start
    for begin, stop, new in edits:
        out.append(text[cursor:begin])
        out.append(new)
        cursor = stop
    out.append(text[cursor : layout.end])
    return "".join(out)


def _insertion(
    text: str, layout: EntryLayout, inserts: list[tuple[str, str]], style: _Style
) -> tuple[int, int, str]:
    """Where and what to insert for new fields, after the last field (or the key)."""
    nl = style.newline

    def field_text(name: str, value: str, indent: str) -> str:
        before = style.before_eq
        if style.align_column is not None:
            before = " " * max(1, style.align_column - len(indent) - len(name))
        return f"{indent}{name}{before}={style.after_eq}{value}"

    if not layout.fields:
        body = ",".join(f"{nl}{field_text(n, v, '  ')}" for n, v in inserts) + nl
        if layout.key_comma:
            return (layout.close, layout.close, body)
        return (layout.key_end, layout.key_end, "," + body)
    last = layout.fields[-1]
    has_comma = last.end > last.value_end
    if style.indent is None:  # fields share lines: continue the last line
        lines = [field_text(n, v, "") for n, v in inserts]
        if has_comma:
            return (last.end, last.end, "".join(f" {line}," for line in lines))
        return (last.value_end, last.value_end, "".join(f", {line}" for line in lines))
    lines = [field_text(n, v, style.indent) for n, v in inserts]
    if has_comma:
        return (last.end, last.end, "".join(f"{nl}{line}," for line in lines))
    return (last.value_end, last.value_end, "".join(f",{nl}{line}" for line in lines))


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _style(text: str, layout: EntryLayout) -> _Style:
    entry = text[layout.start : layout.end]
    newline = "\r\n" if "\r\n" in entry else "\n"
    fields = layout.fields
    if not fields:
        return _Style(newline, "  ", " ", " ", None, False)
    last = fields[-1]
    own_line = [text[_line_start(text, f.start) : f.start].strip() == "" for f in fields]
    indent = text[_line_start(text, last.start) : last.start] if own_line[-1] else None
    before = text[last.name_end : last.equals]
    after = text[last.equals + 1 : last.value_start]
    before = before if "\n" not in before else " "
    after = after if "\n" not in after else " "
    columns = {f.equals - _line_start(text, f.start) - len(f.name) for f in fields}
    eq_columns = {f.equals - _line_start(text, f.start) for f in fields}
    aligned = (
        all(own_line)
        and len(fields) > 1
        and len(eq_columns) == 1
        and len(columns) > 1  # names of different lengths padded to one `=` column
    )
    quoted = sum(1 for f in fields if f.form == "quoted")
    braced = sum(1 for f in fields if f.form == "braced")
    return _Style(
        newline,
        indent,
        before,
        after,
        eq_columns.pop() if aligned else None,
        quoted > braced,
    )


def _case_style(names: Iterable[str]) -> str:
    counts: Counter[str] = Counter()
    for name in names:
        letters = [c for c in name if c.isalpha()]
        if not letters:
            continue
        if all(c.isupper() for c in letters):
            counts["upper"] += 1
        elif letters[0].isupper():
            counts["capital"] += 1
        else:
            counts["lower"] += 1
    return counts.most_common(1)[0][0] if counts else "lower"


def _spell(name: str, layout: EntryLayout, plan: Plan) -> str:
    """A new field's name as the file already spells it, else in the entry's case."""
    seen = plan.spellings().get(name)
    if seen:
        return seen.most_common(1)[0][0]
    case = _case_style(f.name for f in layout.fields)
    if case == "upper":
        return name.upper()
    if case == "capital":
        return name.capitalize()
    return name


def _formatted(text: str, layout: EntryLayout, fields: list[tuple[str, str]], newline: str) -> str:
    """The entry with its fields in :data:`~citetrack.inputs.bib.FIELD_ORDER`, two-space indent.

    Type and key keep their spelling, field names their case, values their exact text.
    """
    head = re.match(r"@\w*", text[layout.start : layout.end])
    entry_type = head.group() if head else f"@{layout.entry_type}"
    ordered = sorted(fields, key=lambda nv: field_sort_key(nv[0].lower()))
    width = max((len(n) for n, _ in ordered), default=0)
    lines = [f"{entry_type}{{{layout.key},"]
    lines += [f"  {name.ljust(width)} = {value}," for name, value in ordered]
    lines.append("}")
    return newline.join(lines)
