"""BibTeX in and out: the only module that knows the file format and uses bibtexparser.

Loading (:func:`load_bib`, :func:`loads_bib`) turns a .bib file into :class:`Reference`
objects with their line numbers, and every defect of the file into a :class:`BibProblem`
(a block that does not parse, a duplicate key, a repeated field, an undefined macro…).
Only a file that cannot be read at all raises :class:`BibError`.

Two readers look at the text, and they must agree:

* bibtexparser 2 splits the file into blocks (entries, ``@string``, comments, failed
  blocks) and gives each block's first line and exact raw text; it reads the file chunk
  by chunk, cut where it starts afresh anyway, so that an unchanged chunk need not be read
  again when a memo (:class:`EntryMemo`) holds its result;
* a small scanner of our own (:func:`~citetrack.inputs.bib.scanner.scan_block`) reads
  each entry's fields and records the offsets of every field name and value in the
  original text.

The offsets let ``citetrack.export.bibtex`` change one value, or insert one field, without
rewriting anything else.  Where the two readers disagree about an entry, the entry is
loaded with bibtexparser's values and marked as not editable, so that no edit is ever made
on a misread entry.

Writing new entries (``citetrack parse``): :func:`format_entries` writes them
deterministically: a fixed field order, two-space indent, braces around every value,
LaTeX specials escaped outside verbatim fields.  Same references in, same bytes out.

The package, one job per module: :mod:`~citetrack.inputs.bib.layout` (what a load gives),
:mod:`~citetrack.inputs.bib.scanner` (our block reader, with offsets),
:mod:`~citetrack.inputs.bib.entries` (one entry read both ways and reconciled),
:mod:`~citetrack.inputs.bib.loader` (a whole file, ``@string`` macros, duplicate keys),
:mod:`~citetrack.inputs.bib.chunks` (where the file is cut), :mod:`~citetrack.inputs.bib.items`
(one chunk's entries), :mod:`~citetrack.inputs.bib.strings` (``@string`` macros),
:mod:`~citetrack.inputs.bib.memo`, :mod:`~citetrack.inputs.bib.reuse`
and :mod:`~citetrack.inputs.bib.stored_fields` (stored chunks),
:mod:`~citetrack.inputs.bib.inherit` (``crossref`` / ``xdata`` fields),
:mod:`~citetrack.inputs.bib.markup` (enclosing braces, escapes, the identifier view) and
:mod:`~citetrack.inputs.bib.writer` (deterministic output).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from citetrack.lazy_exports import exports

if TYPE_CHECKING:
    from citetrack.inputs.bib.entries import reread_entry
    from citetrack.inputs.bib.layout import (
        PROBLEM_RULES,
        BibError,
        Bibliography,
        BibProblem,
        EntryLayout,
        EntryState,
        FieldLayout,
        ValueForm,
        spelling_counts,
    )
    from citetrack.inputs.bib.loader import (
        load_bib,
        loads_bib,
    )
    from citetrack.inputs.bib.markup import (
        identifier_view,
        unwrap_braces,
    )
    from citetrack.inputs.bib.memo import DictMemo, EntryMemo
    from citetrack.inputs.bib.scanner import MONTH_MACROS
    from citetrack.inputs.bib.writer import (
        FIELD_ORDER,
        VERBATIM_FIELDS,
        escape_plain,
        escape_value,
        field_sort_key,
        format_entries,
        format_entry,
    )

__all__ = [
    "FIELD_ORDER",
    "MONTH_MACROS",
    "PROBLEM_RULES",
    "VERBATIM_FIELDS",
    "BibError",
    "BibProblem",
    "Bibliography",
    "DictMemo",
    "EntryLayout",
    "EntryMemo",
    "EntryState",
    "FieldLayout",
    "ValueForm",
    "escape_plain",
    "escape_value",
    "field_sort_key",
    "format_entries",
    "format_entry",
    "identifier_view",
    "load_bib",
    "loads_bib",
    "reread_entry",
    "spelling_counts",
    "unwrap_braces",
]

# Each public name's module, imported when the name is first asked for, so that importing
# one module of the package does not import them all (:mod:`citetrack.lazy_exports`).
exports(
    __name__,
    {
        "reread_entry": "entries",
        "PROBLEM_RULES": "layout",
        "BibError": "layout",
        "Bibliography": "layout",
        "BibProblem": "layout",
        "EntryLayout": "layout",
        "EntryState": "layout",
        "FieldLayout": "layout",
        "ValueForm": "layout",
        "spelling_counts": "layout",
        "load_bib": "loader",
        "loads_bib": "loader",
        "identifier_view": "markup",
        "unwrap_braces": "markup",
        "DictMemo": "memo",
        "EntryMemo": "memo",
        "MONTH_MACROS": "scanner",
        "FIELD_ORDER": "writer",
        "VERBATIM_FIELDS": "writer",
        "escape_plain": "writer",
        "escape_value": "writer",
        "field_sort_key": "writer",
        "format_entries": "writer",
        "format_entry": "writer",
    },
)
