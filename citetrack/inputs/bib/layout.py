"""What loading a .bib file gives: the references, the defects, and where every entry sits.

The offsets in :class:`EntryLayout` and :class:`FieldLayout` let
``citetrack.export.bibtex`` change one value, or insert one field, without rewriting
anything else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from citetrack.inputs.textio import InputError
from citetrack.model import Reference

# ----------------------------------------------------------------------------- results


class BibError(InputError):
    """A .bib file that cannot be read at all: missing, a directory, binary, undecodable.

    ``path``, ``line`` (``None`` when no line applies) and ``message``; ``str()`` gives
    ``path:line: message``.  It is an :class:`~citetrack.inputs.textio.InputError`, so the CLI
    reports it like any other unreadable input (exit code 2).
    """


@dataclass(frozen=True)
class BibProblem:
    """A defect of a readable .bib file, with the 1-based line it starts on.

    ``rule`` is a stable id (see :data:`PROBLEM_RULES`); ``key`` is the entry it concerns
    when known.
    """

    path: str
    line: int
    message: str
    rule: str = "bib-syntax"
    key: str | None = None
    #: Set for a problem of an article (:func:`citetrack.rules.bibfile.article_problems`):
    #: the report places what it stands for there, as it places an article's references.
    column: int | None = None


#: Rule ids of :class:`BibProblem`, with what each means.
PROBLEM_RULES: Mapping[str, str] = {
    "bib-syntax": "a block that does not parse; its text is kept but not read",
    "bib-duplicate-key": "a key defined twice; BibTeX uses the first definition",
    "bib-key-case": "two keys that differ only in case; BibTeX treats them as one",
    "bib-empty-key": "an entry without a key",
    "bib-duplicate-field": "a field given twice in one entry; BibTeX uses the first",
    "bib-undefined-macro": "a value that uses an @string macro defined nowhere",
    "bib-string": "an @string block that BibTeX cannot read as written",
    "bib-unreadable": "an entry that citetrack reads differently from bibtexparser",
    "bib-comment": "a `%` line inside an entry: not a comment to BibTeX, it garbles a field",
}


# How a value is written: one braced or quoted string, a bare number, a bare macro name,
# or a ``#`` concatenation of several of those.
ValueForm = Literal["braced", "quoted", "number", "macro", "concat"]
EntryState = Literal["ok", "duplicate", "failed", "unreadable"]


@dataclass(frozen=True, slots=True)
class FieldLayout:
    """Where one field sits in the original text (offsets index ``Bibliography.text``)."""

    name: str  # as written (``Title``)
    line: int  # 1-based line of the name
    start: int  # the name's first character
    name_end: int
    equals: int  # the ``=``
    value_start: int  # first character of the value expression (a delimiter or a token)
    value_end: int  # one past its last character
    end: int  # one past the ``,`` that ends the field, or ``value_end`` without one
    form: ValueForm
    value: str  # what ``Reference.fields`` holds for it


@dataclass(frozen=True)
class EntryLayout:
    """Where one entry block sits in the original text, and whether it may be edited.

    ``state`` is ``ok`` (editable), ``duplicate`` (a later block with a key already
    used), ``failed`` (bibtexparser gave up on it) or ``unreadable`` (bibtexparser read
    it, but our scanner found a syntax error or read it differently); ``note`` says why
    an entry is not ``ok``.  Only ``ok`` entries have ``fields`` and are ever edited.
    """

    key: str
    entry_type: str  # lower-case
    line: int
    start: int  # the ``@``
    end: int  # one past the closing delimiter
    state: EntryState
    note: str = ""
    key_end: int = 0  # one past the key's last character
    key_comma: bool = False  # whether a ``,`` follows the key
    close: int = 0  # the closing delimiter
    #: A tuple, or (for an entry taken from a memo) a sequence equal to it, built when
    #: first used (:mod:`~citetrack.inputs.bib.stored_fields`).
    fields: Sequence[FieldLayout] = ()


@dataclass(frozen=True)
class Bibliography:
    """A loaded .bib file: its text, the references read from it, and its defects.

    ``references`` are the first definitions of each key, in file order (a later entry
    with the same key is a problem, not a reference).  ``layout`` describes every entry
    block (duplicates and failed ones too) for :mod:`citetrack.export.bibtex`.
    """

    path: str
    text: str
    references: tuple[Reference, ...]
    problems: tuple[BibProblem, ...]
    layout: tuple[EntryLayout, ...] = field(default=(), repr=False)
    #: The Python codec the file was read in, and export writes it back in.
    encoding: str = "utf-8"
    #: What a report says about a file that is not UTF-8 (``""`` for UTF-8).
    encoding_note: str = ""
    #: The ``@string`` macros defined once the file is read (lower-case names), those it
    #: was given included: what the next file of one ``\bibliography{a,b}`` is read with.
    macros: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)


def spelling_counts(bib: Bibliography) -> dict[str, Counter[str]]:
    """How often each field name is spelt each way in the file (``doi`` → ``{"Doi": 3}``)."""
    counts: dict[str, Counter[str]] = {}
    for layout in bib.layout:
        for f in layout.fields:
            counts.setdefault(f.name.lower(), Counter())[f.name] += 1
    return counts
