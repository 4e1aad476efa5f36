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

Pure: text in, text out.  The CLI reads, writes (atomically) and prints.  Which fixes are
refused is decided in :mod:`~citetrack.export.plan`; the edit of one entry is made in
:mod:`~citetrack.export.entry_edit`.
"""

from __future__ import annotations

from collections.abc import Sequence

from citetrack.export.entry_edit import edit_entry
from citetrack.export.model import Change, ExportResult, Fix
from citetrack.export.plan import Plan
from citetrack.inputs.bib import Bibliography, loads_bib

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
        plan.add(fix)
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
