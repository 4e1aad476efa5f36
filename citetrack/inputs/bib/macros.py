"""``@string`` macros of one .bib file, and the limits on what they may expand to.

BibTeX macros concatenate (``@string{b = a # a}``), so a few hundred bytes of doubling
macros stand for gigabytes of text (a "billion laughs").  Values are expanded eagerly, in
file order, and every expansion is bounded:

* one value may not expand to more than :data:`MAX_VALUE_CHARS` characters;
* macros may not nest more than :data:`MAX_DEPTH` deep;
* all the text copied in from macros, over the whole file, may not exceed
  :data:`MAX_TOTAL_CHARS` characters.

Past a limit, :class:`ExpansionError` says which; the loader reports the ``@string`` (it
stays undefined, and using it is an error too) or the entry (it is not read) at its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from citetrack.inputs.bib.scanner import Piece

#: Characters one value may expand to (real macros are journal names and months).
MAX_VALUE_CHARS = 100_000
#: How deep macros may be defined in terms of other macros.
MAX_DEPTH = 32
#: Characters copied from macros into values, for the whole file.
MAX_TOTAL_CHARS = 16 * 1024 * 1024


class ExpansionError(Exception):
    """A value whose macros expand past a limit; ``message`` says which, ``root`` the
    limit first crossed (a chain of refused macros is not repeated in every message)."""

    def __init__(self, message: str, root: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.root = root or message


@dataclass
class MacroTable:
    """Macro values by lower-case name, with their nesting depth and the budget spent."""

    values: dict[str, str] = field(default_factory=dict)
    depths: dict[str, int] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    copied: int = 0
    #: When a set, every macro name (lower-case) a value asks for is added to it: what a
    #: stored entry depends on (:mod:`~citetrack.inputs.bib.memo`).
    used: set[str] | None = None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self.values

    def get(self, name: str) -> str | None:
        return self.values.get(name.lower())

    def define(self, name: str, pieces: tuple[Piece, ...], raw: str) -> str:
        """Define ``name`` from its value's pieces; :class:`ExpansionError` past a limit
        (the macro is then refused: any later use of it is an error too)."""
        lower = name.lower()
        try:
            value, _, depth = self.expand(pieces, raw)
        except ExpansionError as exc:
            self.values.pop(lower, None)
            self.refused[lower] = exc.root
            raise
        self.values[lower] = value
        self.depths[lower] = depth
        self.refused.pop(lower, None)
        return value

    def expand(self, pieces: tuple[Piece, ...], raw: str) -> tuple[str, list[str], int]:
        """(value, undefined macro names, nesting depth) of a value; see :func:`evaluate_value`."""
        undefined: list[str] = []
        parts: list[str] = []
        length = 0
        depth = 0
        used_macro = False
        for piece in pieces:
            if piece.form in ("braced", "quoted"):
                text = piece.text[1:-1]
            elif piece.form == "number":
                text = piece.text
            else:
                lower = piece.text.lower()
                if self.used is not None:
                    self.used.add(lower)
                if lower in self.refused:
                    root = self.refused[lower]
                    raise ExpansionError(f"macro `{piece.text}` is not defined: {root}", root)
                value = self.values.get(lower)
                if value is None:
                    undefined.append(piece.text)
                    text = piece.text
                else:
                    used_macro = True
                    text = value
                    depth = max(depth, self.depths.get(lower, 0) + 1)
                    self.copied += len(value)
            length += len(text)
            if used_macro and length > MAX_VALUE_CHARS:
                raise ExpansionError(f"macros expand to more than {MAX_VALUE_CHARS:,} characters")
            parts.append(text)
        if depth > MAX_DEPTH:
            raise ExpansionError(f"macros nested more than {MAX_DEPTH} deep")
        if self.copied > MAX_TOTAL_CHARS:
            raise ExpansionError(
                f"macros in this file expand to more than {MAX_TOTAL_CHARS:,} characters in all"
            )
        if len(pieces) > 1 and undefined:
            return raw, undefined, depth
        return "".join(parts), undefined, depth


def evaluate_value(
    pieces: tuple[Piece, ...], raw: str, macros: MacroTable
) -> tuple[str, list[str]]:
    """The value a field stands for, and the macros it uses that are not defined.

    One braced or quoted piece gives its inner text, a number itself, a macro its
    definition.  A concatenation is joined when every macro in it is defined; otherwise
    it stays as written (``apr # "-" # may``), as bibtexparser leaves it.  Raises
    :class:`ExpansionError` past a limit (see the module docstring).
    """
    value, undefined, _ = macros.expand(pieces, raw)
    return value, undefined
