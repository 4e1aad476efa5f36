"""BibTeX markup around a value: the braces that enclose it whole, and LaTeX escapes.

:func:`identifier_view` gives field values as identifier parsers need them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from citetrack.inputs.bib.scanner import UNESCAPED_BRACE

_BRACED_ESCAPE = re.compile(r"\{\\([_%&#$])\}")
_ESCAPE = re.compile(r"\\([_%&#$])")


def identifier_view(fields: Mapping[str, str]) -> dict[str, str]:
    """Field values as identifier parsers need them: BibTeX markup around them removed.

    Braces that enclose a whole value (Web of Science writes ``{{10.1000/x}}``) and LaTeX
    escapes of ``_ % & # $`` (``10.1000/a\\_b``) are not part of a DOI, PMID or URL.
    """
    view = dict(fields)
    for name, value in fields.items():
        if name in _IDENTIFIER_FIELD_NAMES and ("{" in value or "\\" in value):
            core = unwrap_braces(value)[1]
            view[name] = _ESCAPE.sub(r"\1", _BRACED_ESCAPE.sub(r"\1", core))
    return view


# The fields ``identifiers.extract_identifiers`` reads (others need no cleaning).
_IDENTIFIER_FIELD_NAMES = frozenset(
    {"doi", "pmid", "pmcid", "isbn", "issn", "eprint", "pubmed_id", "pubmed", "pmc", "arxiv"}
    | {"url", "archiveurl", "archive-url", "archive_url", "urlarchive"}
    | {"archiveprefix", "eprinttype"}
)


def unwrap_braces(value: str) -> tuple[int, str]:
    """How many brace pairs enclose all of ``value``, and what is inside them (stripped).

    ``{{12-18}}`` → ``(2, "12-18")``; ``{a} and {b}`` → ``(0, "{a} and {b}")``.
    """
    depth = 0
    core = value.strip()
    while len(core) >= 2 and core[0] == "{" and _encloses(core):
        core = core[1:-1].strip()
        depth += 1
    return depth, core


def _encloses(value: str) -> bool:
    """Whether the ``{`` at the start of ``value`` is closed by its last character."""
    depth = 0
    for mark in UNESCAPED_BRACE.finditer(value):
        depth += 1 if mark.group() == "{" else -1
        if depth == 0:
            return mark.end() == len(value)
    return False
