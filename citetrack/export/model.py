"""What an export works with: a fix, a change made, a refused fix, the result; and the
fields each kind of fix may touch.

A :class:`Fix` asks to set one field of one entry; applying fixes
(:func:`citetrack.export.bibtex.export_bib`) gives an :class:`ExportResult` of
:class:`Change` and :class:`Skipped` records.  Titles and names are never touched
(:data:`PROTECTED_FIELDS`).
"""

from __future__ import annotations

from dataclasses import dataclass

#: The switchable kinds of fix (``--fix KIND`` / ``--no-fix KIND``).
FIX_KINDS = ("identifiers", "pages", "add-ids", "metadata", "format", "conflicts", "archive")
#: ``archive`` (issue 14) applies to articles only: archive links for dead URLs.
#: What ``export`` fixes unless told otherwise: everything but reformatting.
DEFAULT_FIX_KINDS = frozenset({"identifiers", "pages", "add-ids", "metadata", "archive"})
#: The ``field`` of a ``format`` fix and of its change: the whole entry.
FORMAT_FIELD = "*"
#: The ``source`` of fixes that need no registry.
LOCAL_SOURCE = "citetrack"

#: Never rewritten or added by any fix: how people spell titles and names is theirs.
PROTECTED_FIELDS = frozenset(
    {
        "title", "subtitle", "titleaddon", "shorttitle", "booktitle", "booksubtitle",
        "booktitleaddon", "maintitle", "mainsubtitle", "maintitleaddon", "origtitle",
        "indextitle", "eventtitle", "issuetitle", "issuesubtitle",
        "author", "editor", "editora", "editorb", "editorc", "translator", "bookauthor",
        "annotator", "commentator", "introduction", "foreword", "afterword", "holder",
        "shortauthor", "shorteditor", "sortname", "namea", "nameb", "namec",
    }
)  # fmt: skip
#: Fields a ``metadata`` fix may correct.
METADATA_FIELDS = frozenset(
    {"pages", "volume", "number", "issue", "year", "month", "date", "journal", "journaltitle",
     "publisher", "issn", "isbn"}
)  # fmt: skip
#: Fields an ``add-ids`` fix may add, and the other names the same identifier goes by.
ADD_ID_FIELDS = {
    "doi": ("doi",),
    "pmid": ("pmid", "pubmed_id", "pubmed"),
    "pmcid": ("pmcid", "pmc"),
    "isbn": ("isbn",),
    "issn": ("issn",),
    "eprint": ("eprint", "arxiv"),
}


@dataclass(frozen=True)
class Fix:
    """A request to set one field of one entry (or, kind ``format``, to reformat it).

    ``new_value`` is BibTeX text as it goes between the delimiters (LaTeX kept, braces
    balanced): the same form as ``Reference.fields``.  Turn plain text into it with
    :func:`citetrack.inputs.bib.escape_value`.  ``kind`` is one of :data:`FIX_KINDS`.
    """

    key: str
    field: str
    new_value: str
    reason: str
    source: str
    kind: str


@dataclass(frozen=True)
class Change:
    """One edit actually made.  ``old_value`` is ``None`` for an added field.

    For a ``format`` change, ``field`` is :data:`FORMAT_FIELD` and the values are the
    entry's old and new text.  ``line`` is the field's line in the original file, or the
    entry's line for an added field or a reformatted entry.
    """

    key: str
    field: str
    old_value: str | None
    new_value: str
    reason: str
    source: str
    line: int


@dataclass(frozen=True)
class Skipped:
    """A fix that was refused, and why (``line``: the entry's line when there is one)."""

    fix: Fix
    reason: str
    line: int | None = None


@dataclass(frozen=True)
class ExportResult:
    """The new text, the edits made (in file order) and the fixes refused."""

    text: str
    changes: tuple[Change, ...]
    skipped: tuple[Skipped, ...]
