"""The cleaned .bib: minimal, shown edits to the original text.

People who sync their .bib with a registry hate losing what they wrote: macrons and
capitals dropped, a different article pulled in by a bad match, a file reformatted they
never asked for.  So citetrack never re-serialises a .bib.  It changes the original text
in exactly two ways:

* the value of a field a fix names is replaced, between the delimiters it already had;
* a field a fix adds is inserted after the entry's last field, in the entry's own style
  (indentation, ``=`` spacing and alignment, braces or quotes, field-name case, line
  endings).

Everything else — keys, entry order, comments, ``@string`` and ``@preamble`` blocks,
fields nobody named, blank lines — keeps its bytes.  With no fixes the output *is* the
input.  Reformatting an entry (kind ``format``) is opt-in, entry by entry, and keeps every
field and value as written.

A fix is refused (and reported as :class:`Skipped`, never applied halfway) when its key is
missing, duplicated or in an entry that did not parse; when it would touch a title or a
name; when the field is written with an ``@string`` macro; when an identifier fix would
change the identifier rather than its form; when two fixes disagree; or when the edited
entry would not read back exactly as intended.

A file that is not UTF-8 is written back in its own encoding: a fixed value with a
character that encoding cannot hold gets it as a LaTeX escape (``{\\"u}``), or, where there
is none (or in a verbatim field such as ``url``), the fix is refused naming the entry.

Pure: text in, text out.  The CLI reads, writes (atomically) and prints.  Which fixes are
refused is decided in :mod:`~citetrack.export.plan`; the edit of one entry is made in
:mod:`~citetrack.export.entry_edit`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from citetrack.export.entry_edit import edit_entry
from citetrack.export.model import FORMAT_FIELD, Change, ExportResult, Fix
from citetrack.export.plan import Plan
from citetrack.inputs.bib import VERBATIM_FIELDS, Bibliography, loads_bib
from citetrack.inputs.encoding import display_name, latex_representable, representable

__all__ = ["apply_fixes", "export_bib"]


def apply_fixes(bib: Bibliography, fixes: Sequence[Fix]) -> tuple[str, list[Change]]:
    """The new text and the changes made; see :func:`export_bib` for what was refused."""
    result = export_bib(bib, fixes)
    return result.text, list(result.changes)


def export_bib(bib: Bibliography, fixes: Sequence[Fix]) -> ExportResult:
    """Apply the fixes that are safe as minimal edits of ``bib.text``; refuse the others.

    A fix whose new value equals the current one is dropped silently.  Entries are
    edited independently: every edited entry is read back, and if it does not give
    exactly the intended fields the entry is left unchanged and its fixes are refused.
    """
    layouts = bib.layout if bib.layout or not bib.text else loads_bib(bib.text, bib.path).layout
    plan = Plan(bib, layouts)
    for fix in fixes:
        fitted, refusal = _in_encoding(fix, bib.encoding)
        if refusal:
            entry = plan.by_key.get(fix.key)
            plan.skip(fix, refusal, layouts[entry[0]].line if entry else None)
            continue
        plan.add(fitted)
    plan.resolve_conflicts()

    pieces: list[str] = []
    changes: list[Change] = []
    cursor = 0
    for index in sorted(plan.accepted):
        layout = layouts[index]
        edited = edit_entry(bib.text, layout, plan.accepted[index], plan)
        if edited is None:
            continue
        new_text, entry_changes = edited
        pieces.append(bib.text[cursor : layout.start])
        pieces.append(new_text)
        cursor = layout.end
        changes.extend(entry_changes)
    pieces.append(bib.text[cursor:])
    skipped = sorted(plan.skipped, key=lambda s: s.line or 0)  # stable: fixes' order kept
    return ExportResult("".join(pieces), tuple(changes), tuple(skipped))


def _in_encoding(fix: Fix, encoding: str) -> tuple[Fix, str]:
    """``fix`` with a value the file's ``encoding`` can hold (LaTeX escapes where needed),
    and ``""``; or ``fix`` and why it cannot be written."""
    if fix.field == FORMAT_FIELD or representable(fix.new_value, encoding):
        return fix, ""
    value, bad = latex_representable(fix.new_value, encoding)
    if bad is None and fix.field.lower() not in VERBATIM_FIELDS:
        return replace(fix, new_value=value), ""
    if bad is None:
        bad = next(c for c in fix.new_value if not representable(c, encoding))
    return fix, (
        f"{fix.new_value!r} has {bad!r} (U+{ord(bad):04X}), which "
        f"this {display_name(encoding)} file cannot hold"
        + ("" if fix.field.lower() in VERBATIM_FIELDS else " and LaTeX has no escape for")
        + "; write it by hand, or convert the file to UTF-8"
    )
