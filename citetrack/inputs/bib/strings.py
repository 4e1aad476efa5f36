"""The ``@string`` macros of a .bib file, read one block at a time in file order.

BibTeX reads one macro per ``@string`` block; a block that defines several (as in a
Polish ``xampl.bib``) defines only the first, and bibtexparser silently reads the whole
rest as that first value, so the block is reported.  A later definition of the same name
replaces the earlier one (BibTeX warns and does the same).  A macro that expands past a
limit (:mod:`~citetrack.inputs.bib.macros`) is reported and refused.
"""

from __future__ import annotations

from collections.abc import Mapping

from citetrack.inputs.bib.layout import BibProblem
from citetrack.inputs.bib.macros import ExpansionError, MacroTable
from citetrack.inputs.bib.scanner import LineIndex, ScanError, scan_block


class StringReader:
    """Defines the macros of the ``@string`` blocks it is given, in file order, into
    ``macros`` (lower-case names); defects go to ``problems``."""

    def __init__(
        self,
        text: str,
        path: str,
        lines: LineIndex | None = None,
        given: Mapping[str, str] | None = None,
    ) -> None:
        self.text = text
        self.path = path
        # ``given``: the macros of the files read before this one (``\bibliography{a,b}``
        # reads b with a's @string definitions).
        self.macros = MacroTable(dict(given or {}), dict.fromkeys(given or (), 0))
        self.problems: list[BibProblem] = []
        self.defined_on: dict[str, int] = {}
        self.lines = lines

    def _lines(self) -> LineIndex:
        if self.lines is None:  # built only for a file with @string blocks
            self.lines = LineIndex(self.text)
        return self.lines

    def read(self, start: int, end: int) -> None:
        """Read the ``@string`` block ``text[start:end]``."""
        line = self._lines().line_of(start)
        try:
            scanned = scan_block(self.text, start, end, with_key=False)
        except ScanError as exc:
            self.problems.append(
                BibProblem(
                    self.path,
                    self._lines().line_of(exc.offset),
                    f"@string block: {exc.message}",
                    "bib-string",
                )
            )
            return
        if not scanned.fields:
            self.problems.append(
                BibProblem(self.path, line, "@string block defines no macro", "bib-string")
            )
            return
        first = scanned.fields[0]
        if len(scanned.fields) > 1:
            others = ", ".join(f.name for f in scanned.fields[1:])
            self.problems.append(
                BibProblem(
                    self.path,
                    line,
                    f"@string block defines {len(scanned.fields)} macros; BibTeX reads one "
                    f"per block, so only `{first.name}` is defined and {others} are not "
                    "(write one @string block per macro)",
                    "bib-string",
                )
            )
        name = first.name.lower()
        raw = self.text[first.value_start : first.value_end]
        try:
            self.macros.define(name, first.pieces, raw)
        except ExpansionError as exc:
            self.problems.append(
                BibProblem(
                    self.path,
                    line,
                    f"@string `{first.name}`: {exc.message}; it is not defined, and entries "
                    "that use it are not read",
                    "bib-string",
                )
            )
            return
        if name in self.defined_on:
            self.problems.append(
                BibProblem(
                    self.path,
                    line,
                    f"macro `{first.name}` defined again (first on line {self.defined_on[name]}); "
                    "this definition replaces it",
                    "bib-string",
                )
            )
        self.defined_on.setdefault(name, line)
