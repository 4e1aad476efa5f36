"""A LaTeX bibliography: ``\\bibitem`` lists of a paper's ``thebibliography`` or a ``.bbl``.

A paper written without a .bib (or whose .bib is lost) still has its references as
``\\bibitem{key} T.~Arden and M.~Bexley, ``Sleep …,'' \\emph{J. Made-up Health}, …`` —
in the .tex itself or in the ``.bbl`` BibTeX wrote from it.  Each ``\\bibitem`` is one
reference: its key is kept as the entry's key (the paper's ``\\cite{key}`` must go on
working with the .bib made from it), its text is decoded from LaTeX
(:func:`citetrack.rules.text.latex_to_unicode`: accents, dashes, ties, formatting
commands) after the commands that only lay a .bbl out are taken away (``\\newblock``,
``\\bibinfo{field}``, ``\\BibitemOpen``, ``\\natexlab``, ``\\hskip … \\relax``) and the URLs
and DOIs are set aside, so that a ``~`` or ``_`` in them survives.  The lines outside the
items (the paper's body, the .bbl's macro definitions) are *unread*, as an article's text
around its reference list is.
"""

from __future__ import annotations

import re

from citetrack.inputs.bib.scanner import LineIndex
from citetrack.parse.items import FoundList, Item
from citetrack.rules.text import latex_to_unicode

_BIBITEM = re.compile(
    r"\\bibitem\s*(?:\[(?P<label>(?:[^\[\]]|\[[^\]]*\])*)\])?\s*\{(?P<key>[^{}]*)\}"
)
_HAS_BIBITEM = re.compile(rf"^\s*{_BIBITEM.pattern}", re.MULTILINE)
_BEGIN = re.compile(r"\\begin\s*\{thebibliography\}")
_END = re.compile(r"\\end\s*\{thebibliography\}")
#: A TeX comment, with the line break it swallows (a .bbl ends lines with "%").
_COMMENT = re.compile(r"(?<!\\)%[^\n]*(?:\n[^\S\n]*)?")
#: Commands whose argument is a URL or DOI, kept verbatim (``\\url{…}``, ``\\doi{…}``).
_VERBATIM = re.compile(r"\\(?P<cmd>url|doi|path|nolinkurl)\s*\{(?P<arg>[^{}]*)\}")
_HREF = re.compile(r"\\href\s*\{(?P<url>[^{}]*)\}\s*\{(?P<text>[^{}]*)\}")
#: Layout commands of .bbl styles: dropped (their own argument too, where they have one).
_LAYOUT = re.compile(
    r"\\(?:newblock|BibitemOpen|urlprefix|doiprefix|eprintprefix|bibAnnoteFile\s*\{[^{}]*\}"
    r"|BibitemShut\s*\{[^{}]*\}|bibinfo\s*\{[^{}]*\}|bibfield\s*\{[^{}]*\}"
    r"|penalty-?\d+|hskip[^\\]*\\relax|providecommand\b[^\n]*)",
)
_NATEXLAB = re.compile(r"\\natexlab\s*\{([^{}]*)\}")
#: A key BibTeX can hold (what a \\bibitem or biblatex \\entry names otherwise is made anew).
BIB_KEY = re.compile(r"^[^\s,{}()=#%\"'\\]+$")
_PLACEHOLDER = "\x00{}\x00"
_RESTORE = re.compile(r"\x00(\d+)\x00")


def is_latex_bibliography(text: str) -> bool:
    """Whether ``text`` holds ``\\bibitem{key}`` lines (a ``thebibliography`` or a ``.bbl``)."""
    return "\\bibitem" in text and _HAS_BIBITEM.search(text) is not None


def latex_list(text: str) -> tuple[FoundList, dict[int, str]]:
    """The ``\\bibitem`` references of ``text`` and the keys they give, by item line.

    An item runs from its ``\\bibitem`` to the next one or to ``\\end{thebibliography}``;
    its line is the ``\\bibitem``'s.  Every other non-empty line is unread.
    """
    starts = list(_BIBITEM.finditer(text))
    lines = LineIndex(text)
    items: list[Item] = []
    keys: dict[int, str] = {}
    covered: set[int] = set()
    for n, match in enumerate(starts):
        stop = starts[n + 1].start() if n + 1 < len(starts) else len(text)
        end = _END.search(text, match.end(), stop)
        body = text[match.end() : end.start() if end else stop]
        line = lines.line_of(match.start())
        last = lines.line_of(match.end() + len(body.rstrip()))
        covered.update(range(line, last + 1))
        plain = decode(body)
        items.append(Item(line, plain, text[match.start() : match.end() + len(body)].strip()))
        key = match["key"].strip()
        if BIB_KEY.match(key):
            keys[line] = key
    # The environment's set-up before its first item (a .bbl's \providecommand lines)
    # and TeX comments print nothing: not unread text.
    first_item = lines.line_of(starts[0].start()) if starts else 0
    begin = _BEGIN.search(text, 0, starts[0].start() if starts else 0)
    setup = range(lines.line_of(begin.start()) if begin else 0, first_item)
    unread = [
        number
        for number, line in enumerate(text.split("\n"), 1)
        if line.strip()
        and number not in covered
        and number not in setup
        and not line.lstrip().startswith("%")
        and not _END.match(line.strip())
    ]
    return FoundList(items, [], unread), keys


def decode(latex: str) -> str:
    """One ``\\bibitem``'s text as plain Unicode (see the module's docstring)."""
    kept: list[str] = []

    def keep(value: str) -> str:
        kept.append(value.strip())
        return _PLACEHOLDER.format(len(kept) - 1)

    text = _COMMENT.sub("", latex)
    text = _HREF.sub(
        lambda m: (
            keep(m["url"]) if m["text"].strip() in m["url"] else f"{m['text']} {keep(m['url'])}"
        ),
        text,
    )
    text = _VERBATIM.sub(lambda m: ("doi:" if m["cmd"] == "doi" else "") + keep(m["arg"]), text)
    text = _NATEXLAB.sub(r"\1", _LAYOUT.sub(" ", text))
    text = text.replace("``", "“").replace("''", "”")
    text = latex_to_unicode(text)
    text = _RESTORE.sub(lambda m: kept[int(m.group(1))], text)
    return " ".join(text.split())
