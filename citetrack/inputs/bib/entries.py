"""One entry read two ways, by our scanner and by bibtexparser, and reconciled.

Where the two readers agree, the entry is loaded with its field offsets and may be
edited; where they disagree, bibtexparser's values are used and the entry is marked
unreadable, so that no edit is ever made on a misread entry.  Also: the problem a block
bibtexparser gave up on is reported as, and re-reading an edited entry before it is
written out.
"""

from __future__ import annotations

import re
from sys import intern
from typing import TYPE_CHECKING

from citetrack.identifiers import extract_identifiers
from citetrack.inputs.bib.chunks import parse_string
from citetrack.inputs.bib.layout import (
    BibProblem,
    EntryLayout,
)
from citetrack.inputs.bib.macros import ExpansionError, MacroTable, evaluate_value
from citetrack.inputs.bib.markup import identifier_view
from citetrack.inputs.bib.scanner import (
    MONTH_MACROS,
    LineIndex,
    ScanError,
    Scanned,
    scan_block,
    scan_value,
    value_form,
)
from citetrack.inputs.bib.stored_fields import FORM_INDEX, StoredFields
from citetrack.model import Reference

if TYPE_CHECKING:
    from bibtexparser import model as bpmodel

# ----------------------------------------------------------------------------- entries


def load_entry(
    text: str,
    entry: bpmodel.Entry,
    start: int,
    end: int,
    *,
    lines: LineIndex,
    macros: MacroTable,
    path: str,
    problems: list[BibProblem],
) -> tuple[EntryLayout, Reference | None]:
    """The layout and reference of one entry that bibtexparser parsed.

    An entry whose macros expand past a limit has no reference: it is reported as
    unreadable at its line, and neither checked nor edited.
    """
    line = lines.line_of(start)
    key = entry.key
    entry_type = entry.entry_type.lower()
    theirs = [(f.key, f.value) for f in entry.fields]
    scanned: Scanned | None = None
    try:
        found = scan_block(text, start, end, with_key=True)
    except ScanError as exc:
        mismatch = f"{exc.message} (line {lines.mark(lines.line_of(exc.offset))})"
        problems.append(
            BibProblem(
                path,
                line,
                f"entry {key}: {mismatch}; bibtexparser reads past the error (it may merge "
                "or lose fields), its reading is used and the entry will not be edited",
                "bib-syntax",
                key=key,
            )
        )
    else:
        mismatch = _disagreement(text, found, key, theirs, end)
        scanned = found
        if mismatch:
            problems.append(
                BibProblem(
                    path,
                    line,
                    f"entry {key}: citetrack and bibtexparser read it differently "
                    f"({mismatch}); bibtexparser's reading is used and the entry will not "
                    "be edited",
                    "bib-unreadable",
                    key=key,
                )
            )
    if scanned is None or mismatch:  # fall back to bibtexparser's reading
        values: dict[str, str] = {}
        for name, raw in theirs:
            values.setdefault(intern(name.lower()), _fallback_value(raw, macros))
        too_long = _too_long(values, key, line, path, problems)
        if too_long:
            return EntryLayout(key, entry_type, line, start, end, "failed", too_long), None
        layout = EntryLayout(key, entry_type, line, start, end, "unreadable", mismatch)
        return layout, _reference(key, entry_type, values, line, path)

    numbers: list[int] = []  # the fields' offsets, kept compact (stored_fields)
    extra: dict[int, str] = {}
    values = {}
    seen: dict[str, list[int]] = {}
    for index, sf in enumerate(scanned.fields):
        raw = text[sf.value_start : sf.value_end]
        try:
            value, undefined = evaluate_value(sf.pieces, raw, macros)
        except ExpansionError as exc:
            problems.append(
                BibProblem(
                    path,
                    line,
                    f"entry {key}, field {sf.name} (line {lines.mark(lines.line_of(sf.start))}): "
                    f"{exc.message}; the entry is not read",
                    "bib-unreadable",
                    key=key,
                )
            )
            return EntryLayout(key, entry_type, line, start, end, "failed", exc.message), None
        field_line = lines.line_of(sf.start)
        for macro in undefined:
            if macro.lower() not in MONTH_MACROS:
                problems.append(
                    BibProblem(
                        path,
                        field_line,
                        f"entry {key}, field {sf.name}: macro `{macro}` is not defined "
                        "by any @string",
                        "bib-undefined-macro",
                        key=key,
                    )
                )
        lower = intern(sf.name.lower())  # one string per field name, not one per entry
        seen.setdefault(lower, []).append(field_line)
        if values.setdefault(lower, value) != value:
            extra[index] = value  # a repeated field's later value
        numbers += (
            field_line - line,
            sf.start,
            sf.name_end - sf.start,
            sf.equals - sf.start,
            sf.value_start - sf.start,
            sf.value_end - sf.start,
            sf.end - sf.start,
            FORM_INDEX[value_form(sf.pieces)],
        )
    for lower, at in seen.items():
        if len(at) > 1:
            problems.append(
                BibProblem(
                    path,
                    at[1],
                    f"entry {key}: field {lower} is given {len(at)} times (lines "
                    f"{', '.join(map(lines.mark, at))}); BibTeX uses the first",
                    "bib-duplicate-field",
                    key=key,
                )
            )
    too_long = _too_long(values, key, line, path, problems)
    if too_long:
        return EntryLayout(key, entry_type, line, start, end, "failed", too_long), None
    layout = EntryLayout(
        key,
        entry_type,
        line,
        start,
        end,
        "ok",
        "",
        scanned.key_end,
        scanned.key_comma,
        scanned.close,
        StoredFields(
            text, ",".join(map(str, numbers)), line=line, offset=0, values=values, extra=extra
        ),
    )
    return layout, _reference(key, entry_type, values, line, path)


#: Characters one field value may have.  Real values (long abstracts included) stay far
#: below; a 10 MB title would be folded, compared and printed several times over.
MAX_FIELD_CHARS = 100_000


def _too_long(
    values: dict[str, str], key: str, line: int, path: str, problems: list[BibProblem]
) -> str:
    """The reason an entry with a value over :data:`MAX_FIELD_CHARS` is not read, reported
    at the entry's line; ``""`` when every value is within the limit."""
    for name, value in values.items():
        if len(value) > MAX_FIELD_CHARS:
            reason = (
                f"field {name} is {len(value):,} characters long (more than {MAX_FIELD_CHARS:,})"
            )
            problems.append(
                BibProblem(
                    path,
                    line,
                    f"entry {key}: {reason}; the entry is not read",
                    "bib-unreadable",
                    key=key,
                )
            )
            return reason
    return ""


def _disagreement(
    text: str, scanned: Scanned, key: str, theirs: list[tuple[str, str]], end: int
) -> str:
    """Why our reading of an entry differs from bibtexparser's (empty when it does not)."""
    if scanned.key != key:
        return f"key `{scanned.key}` against `{key}`"
    if scanned.close != end - 1:
        return "the entry ends at a different place"
    ours = [(f.name, text[f.value_start : f.value_end]) for f in scanned.fields]
    if ours == theirs:
        return ""
    for (name, value), (their_name, their_value) in zip(ours, theirs, strict=False):
        if name != their_name:
            return f"field `{name}` against `{their_name}`"
        if value != their_value:
            return f"the value of field `{name}`"
    return f"{len(ours)} fields against {len(theirs)}"


def _fallback_value(raw: str, macros: MacroTable) -> str:
    """A value from bibtexparser's raw text: outer delimiters removed, a macro resolved.

    Delimiters are removed only when they enclose the whole value: ``{29}\n Pages = {1}``
    (a missing comma) merely starts and ends with braces and is kept as written.
    """
    raw = raw.strip()
    try:
        pieces, stop = scan_value(raw, 0, len(raw), "")
    except ScanError:
        return raw
    if stop != len(raw) or len(pieces) != 1:
        return raw
    try:
        value, _ = evaluate_value(pieces, raw, macros)
    except ExpansionError:
        return raw
    return value


def _reference(
    key: str, entry_type: str, values: dict[str, str], line: int, path: str
) -> Reference:
    return Reference(
        key=key,
        entry_type=entry_type,
        fields=values,
        identifiers=extract_identifiers(identifier_view(values))[0],
        line=line,
        path=path,
    )


_FAILED_HEAD = re.compile(r"@(\w*)[ \t]*[{(]\s*([^\s,{}()\"=]*)")


def failed_block(
    text: str,
    block: bpmodel.ParsingFailedBlock,
    start: int,
    end: int,
    *,
    unread_end: int,
    lines: LineIndex,
    path: str,
) -> tuple[EntryLayout | None, BibProblem]:
    """The problem (and, for an entry, the layout) of a block bibtexparser gave up on.

    bibtexparser turns the text after the point where it gave up into a free-text
    comment, so everything up to the next block it could read (``unread_end``) is lost
    to the reader, though kept in the file: the message gives those lines.
    """
    line = lines.line_of(start)
    head = _FAILED_HEAD.match(text, start, end)
    block_type = head.group(1).lower() if head else ""
    key = head.group(2) if head and block_type not in ("string", "preamble", "comment") else ""
    error = block.error
    reason = str(getattr(error, "abort_reason", "") or error).strip()
    if block_type not in ("comment", "preamble"):
        try:  # read on to where bibtexparser resumed: the error may lie past its raw text
            scan_block(text, start, max(end, unread_end), with_key=bool(key))
        except ScanError as exc:
            reason = f"{exc.message} (line {lines.mark(lines.line_of(exc.offset))})"
    what = f"entry {key}" if key else f"@{block_type} block" if block_type else "block"
    last = lines.line_of(max(start, start + len(text[start:unread_end].rstrip()) - 1))
    span = (
        f"lines {lines.mark(line)}-{lines.mark(last)} are"
        if last > line
        else f"line {lines.mark(line)} is"
    )
    message = f"{what} could not be parsed: {reason}; {span} kept in the file but not read"
    problem = BibProblem(path, line, message, "bib-syntax", key=key or None)
    layout = EntryLayout(key, block_type, line, start, end, "failed", reason) if key else None
    return layout, problem


def reread_entry(text: str) -> tuple[str, str, list[tuple[str, str]]] | None:
    """``(type, key, [(field name, value as written)])`` of a text that is one entry.

    ``None`` unless the text is exactly one entry block that bibtexparser and our scanner
    both read completely and identically.  Used to check an edited entry before it is
    written out.
    """
    import bibtexparser.model as bpmodel  # noqa: PLC0415 - see chunks.parse_string

    try:
        library = parse_string(text, parse_stack=[])
    except Exception:  # bibtexparser's own bugs: treat as unreadable
        return None
    blocks = library.blocks
    if len(blocks) != 1 or type(blocks[0]) is not bpmodel.Entry or blocks[0].raw != text:
        return None
    entry = blocks[0]
    try:
        scanned = scan_block(text, 0, len(text), with_key=True)
    except ScanError:
        return None
    theirs = [(f.key, f.value) for f in entry.fields]
    if _disagreement(text, scanned, entry.key, theirs, len(text)):
        return None
    return scanned.entry_type, scanned.key, theirs
