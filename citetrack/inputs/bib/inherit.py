"""``crossref`` and ``xdata``: the fields an entry takes from another entry of its file.

BibTeX fills the fields an entry lacks from the entry its ``crossref`` names (a paper from
its ``@proceedings``, a chapter from its ``@book``); biblatex does the same for ``xdata``
(a comma-separated list of ``@xdata`` entries) and maps a book's ``title`` to its part's
``booktitle``.  Without this a paper whose year, journal or volume comes from its parent
was reported "ok" with none of them compared.

Only the bibliographic fields the comparison reads are taken (:data:`INHERITED`), never an
identifier: a paper without a DOI does not become its proceedings' DOI.  The entry's own
text, and so what export edits, is untouched.  Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from citetrack.model import Reference

#: The fields taken from a parent when the entry has none of that name.
INHERITED = (
    "author", "editor", "bookauthor", "booktitle", "journal", "journaltitle", "year", "date",
    "month", "volume", "number", "issue", "publisher",
)  # fmt: skip
#: Entry types whose ``booktitle`` is their parent's ``title`` (biblatex's mapping).
_PARTS = frozenset({"inbook", "incollection", "inproceedings", "bookinbook", "suppbook",
                    "suppcollection", "inreference"})  # fmt: skip
_MAX_DEPTH = 4


def with_inherited(references: Sequence[Reference]) -> tuple[Reference, ...]:
    """``references``, each with the :data:`INHERITED` fields it lacks taken from the
    entries its ``crossref`` / ``xdata`` name (in its file; nearest parent first)."""
    if not any("crossref" in r.fields or "xdata" in r.fields for r in references):
        return tuple(references)
    by_key = {r.key.lower(): r for r in references}
    return tuple(_inherit(r, by_key) for r in references)


def _parents(ref: Reference) -> list[str]:
    names = [ref.fields.get("crossref", "")]
    names += ref.fields.get("xdata", "").split(",")
    return [n.strip().strip("{}").lower() for n in names if n.strip()]


def _inherit(ref: Reference, by_key: Mapping[str, Reference]) -> Reference:
    parents = _parents(ref)
    if not parents:
        return ref
    taken: dict[str, str] = {}
    seen = {ref.key.lower()}
    queue = [(name, 1) for name in parents]
    while queue:
        name, depth = queue.pop(0)
        parent = by_key.get(name)
        if parent is None or name in seen or depth > _MAX_DEPTH:
            continue
        seen.add(name)
        for field in INHERITED:
            value = parent.fields.get(field)
            if value and field not in ref.fields and field not in taken:
                taken[field] = value
        title = parent.fields.get("title")
        if ref.entry_type.lower() in _PARTS and title and "booktitle" not in ref.fields:
            taken.setdefault("booktitle", title)
        queue += [(n, depth + 1) for n in _parents(parent)]
    if not taken:
        return ref
    return replace(ref, fields={**ref.fields, **taken})
