"""Writing new entries deterministically (``citetrack parse``).

A fixed field order, two-space indent, braces around every value, LaTeX specials escaped
outside verbatim fields.  Same references in, same bytes out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from citetrack.model import Reference

# ----------------------------------------------------------------------------- writing

#: The order in which fields of a new entry are written; unknown fields follow, sorted.
FIELD_ORDER: tuple[str, ...] = (
    "author",
    "editor",
    "title",
    "chapter",
    "booktitle",
    "journal",
    "journaltitle",
    "series",
    "edition",
    "year",
    "month",
    "date",
    "volume",
    "number",
    "pages",
    "publisher",
    "address",
    "organization",
    "institution",
    "howpublished",
    "doi",
    "pmid",
    "pmcid",
    "isbn",
    "issn",
    "eprint",
    "archiveprefix",
    "url",
    "urldate",
    "archiveurl",
    "archivedate",
    "language",
    "note",
)
#: Fields whose value is taken verbatim by BibTeX/biblatex (no LaTeX escaping).
VERBATIM_FIELDS = frozenset({"url", "doi", "archiveurl", "eprint", "file", "pmid", "pmcid"})

_SPECIALS = re.compile(r"(?<!\\)([&%#$])")


def escape_value(name: str, value: str) -> str:
    """Make ``value`` safe inside ``{…}``: escape ``& % # $`` and unbalanced braces.

    Two things would break the file and are rewritten too: a backslash at the very end
    (it would escape the closing brace; ``\\textbackslash{}``, or ``%5C`` in a verbatim
    field) and an ``@`` that starts a line (it would start a new entry; ``{@}``).
    """
    verbatim = name.lower() in VERBATIM_FIELDS
    if not verbatim:
        value = _SPECIALS.sub(r"\\\1", value)
        value = _LINE_START_AT.sub(r"\1{@}", value)
    if not _braces_balanced(value):
        value = re.sub(r"(?<!\\)([{}])", r"\\\1", value)
    trailing = len(value) - len(value.rstrip("\\"))
    if trailing:
        value = value[:-trailing] + ("%5C" if verbatim else "\\textbackslash{}") * trailing
    return value


_LINE_START_AT = re.compile(r"(?m)^(\s*)@")

# Every character LaTeX gives a meaning to, as it is written to stand for itself.
_PLAIN_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_PLAIN_TEXT_ACTIVE = re.compile(r"[\\{}$&%#_^~]")


def escape_plain(name: str, value: str) -> str:
    """``value`` — plain text, e.g. from a registry — as BibTeX text that LaTeX prints as
    that text: every LaTeX-active character is escaped, so a record's
    ``J Things\\input{/etc/passwd}`` is printed, never run.  Verbatim fields (URLs, DOIs)
    get :func:`escape_value`'s minimal escaping; line breaks become spaces."""
    value = " ".join(value.split())
    if name.lower() in VERBATIM_FIELDS:
        return escape_value(name, value)
    escaped = _PLAIN_TEXT_ACTIVE.sub(lambda m: _PLAIN_TEXT_ESCAPES[m.group(0)], value)
    return _LINE_START_AT.sub(r"\1{@}", escaped)


def _braces_balanced(value: str) -> bool:
    depth = 0
    for i, ch in enumerate(value):
        if ch in "{}" and i > 0 and value[i - 1] == "\\":
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def field_sort_key(name: str) -> tuple[int, str]:
    """Sort key of a (lower-case) field name: :data:`FIELD_ORDER`, then alphabetical."""
    try:
        return (FIELD_ORDER.index(name), name)
    except ValueError:
        return (len(FIELD_ORDER), name)


def format_entry(ref: Reference) -> str:
    """One entry as BibTeX text, fields in :data:`FIELD_ORDER`, empty fields left out."""
    names = sorted((n for n, v in ref.fields.items() if v), key=field_sort_key)
    width = max((len(n) for n in names), default=0)
    lines = [f"@{ref.entry_type}{{{ref.key},"]
    lines += [
        f"  {name.ljust(width)} = {{{escape_value(name, ref.fields[name])}}}," for name in names
    ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def format_entries(refs: Iterable[Reference]) -> str:
    """Several entries separated by one blank line."""
    return "\n".join(format_entry(r) for r in refs)
