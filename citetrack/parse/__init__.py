"""Reference-list parsing: rendered citation text or wikitext ``{{cite …}}`` → references.

    result = parse_text(article_text)                 # format detected
    bibtex = citetrack.inputs.bib.format_entries(result.references)
    for problem in result.problems:
        print(problem.line, problem.message)

Readers fill the same intermediate :class:`~citetrack.parse.build.Citation`:
``items.py`` finds the items of the text a reader sees (``^ a b`` back-links, a list
numbered ``1.``/``[3]``/``(4)``, a plain list, a whole article or just its list), with
``listmarks.py`` (list marks), ``headings.py``, ``runon.py`` and ``pasted.py``;
``route.py`` gives each item to ``rendered.py`` (rules for Wikipedia's CS1/CS2 and
Vancouver styles), to ``vancouver.py`` (NLM journal articles whose whole structure fits)
or to the trained labeller in ``crf/`` (every other style);
``wikitext.py`` reads ``<ref>`` blocks and cite templates (with mwparserfromhell).
``build.py`` turns a citation into BibTeX fields and an entry type; ``keys.py`` gives it
a readable, unique key.

Nothing is dropped silently.  A non-empty line inside a list that is not read as part
of a reference is a problem of its own.  Every item becomes a reference — one that cannot be read
becomes ``@misc`` with its text in ``note`` — and whatever needs a person's eye is a
:class:`ParseProblem` with the item's line: an item whose structure was not recognised,
an author-list entry that is not a name (left out of ``author``), an ISBN or ISSN that
fails its checksum (kept as printed), a maintenance tag such as ``[full citation
needed]`` in the source, several citations in one item.

Conventions of the output (details in ``build.py``): ``month`` is a plain number
``1``–``12`` (no macros); ``urldate`` / ``archivedate`` are ISO dates; pages use ``--``
with abbreviated ends expanded; DOIs are bare in their printed case, ISBNs hyphenated
ISBN-13; the website or newspaper of an ``@online`` entry is its ``organization``;
identifiers without a BibTeX field of their own (S2CID, OCLC, Bibcode…) go to ``note``.
The output is deterministic: the same text gives the same references, keys and problems.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from citetrack.identifiers import extract_identifiers
from citetrack.model import Reference
from citetrack.parse import wikitext
from citetrack.parse.biblatexbbl import bbl_entries, is_biblatex_bbl
from citetrack.parse.build import Citation, build_fields
from citetrack.parse.items import FoundList, Item, find_list
from citetrack.parse.keys import base_key, unique_key
from citetrack.parse.latexbib import BIB_KEY, is_latex_bibliography, latex_list
from citetrack.parse.listmarks import has_list_number
from citetrack.parse.names import Name, parse_person
from citetrack.parse.route import parse_item_routed, wiki_list

__all__ = [
    "ParseProblem",
    "ParseResult",
    "detect_format",
    "parse_text",
    "reference_list",
    "unread_spans",
]

Format = Literal["text", "wikitext"]

# A template with parameters: a rendered page shows "{{cite journal}}: CS1 maint: …" in its
# maintenance messages, without parameters.
_WIKITEXT_HINT = re.compile(r"\{\{\s*(?:cite|vcite|citation)\b[^{}|]*\||<ref[\s>]", re.IGNORECASE)


#: :attr:`ParseProblem.rule` of a doubtful reading of one reference (no title found, a
#: structure not recognised, a maintenance tag in the source…).
DOUBTFUL = "parse-doubtful"
#: … of a line or item of the list that was not read as a reference at all.
NOT_READ = "parse-not-read"
#: … of an identifier that does not validate (kept as printed).  ``check`` says this
#: itself (``identifier-malformed``), from the field.
MALFORMED = "identifier-malformed"


@dataclass(frozen=True)
class ParseProblem:
    """Something about one item that a person should look at; ``line`` is 1-based.

    ``rule`` says what kind of problem it is (:data:`DOUBTFUL`, :data:`NOT_READ`,
    :data:`MALFORMED`): ``check`` reports an article's problems as findings of that rule.
    """

    line: int
    message: str
    raw: str
    rule: str = DOUBTFUL
    column: int | None = None  # 1-based, where known (an article's <ref> tag)


@dataclass(frozen=True)
class ParseResult:
    """The references read from a text, the problems met, and the format that was read.

    ``unread`` lists the non-empty lines of a rendered text that lie outside the reference
    list (the article around it) as ``(first, last, count)`` spans of 1-based lines: one
    span before the list, one after.  Not problems (an article has text), but a caller
    says they were left out — when the "article text" was in fact references, the user
    must be able to see it (issue 15).  ``latex``: the list was a LaTeX bibliography
    (``thebibliography``, a ``.bbl``), so the unread lines are the paper's own text.
    """

    references: tuple[Reference, ...]
    problems: tuple[ParseProblem, ...]
    detected_format: str
    unread: tuple[tuple[int, int, int], ...] = ()
    latex: bool = False
    #: Keys of the references that are short citations (``{{sfn}}``) of a full citation
    #: on the same page: footnotes the page shows (a check locates them), not works, so
    #: a .bib written from the result leaves them out.
    pointers: frozenset[str] = frozenset()


def detect_format(text: str) -> Format:
    """``wikitext`` if the text holds a cite template with parameters or a ``<ref>`` tag."""
    return "wikitext" if _WIKITEXT_HINT.search(text) else "text"


def _references(
    citations: Iterable[Citation], keys: Mapping[int, str]
) -> tuple[list[Reference], list[ParseProblem], frozenset[str]]:
    """The citations as references, keyed by ``keys`` (a LaTeX ``\\bibitem``'s key, by the
    item's line) where given, else by author, year and title word."""
    references: list[Reference] = []
    problems: list[ParseProblem] = []
    pointers: set[str] = set()
    used: set[str] = set()
    for citation in citations:
        read = len(citation.problems)  # build_fields adds only identifier problems
        entry_type, fields = build_fields(citation)
        identifiers, _ = extract_identifiers(fields)  # invalid ones are reported by build
        key = unique_key(keys.get(citation.line) or base_key(fields), used)
        if citation.pointer:
            pointers.add(key)
        references.append(
            Reference(
                key=key,
                entry_type=entry_type,
                fields=fields,
                identifiers=identifiers,
                line=citation.line,
            )
        )
        problems.extend(
            ParseProblem(
                citation.line,
                f"{key}: {message}",
                citation.raw,
                DOUBTFUL if n < read else MALFORMED,
            )
            for n, message in enumerate(citation.problems)
        )
    return references, problems, frozenset(pointers)


#: A note of a notes list that only points back at the note before it ("Ibid., 47.").
_REPEAT = re.compile(
    r"^(?:ibid|ibidem|idem)\b\.?\s*(?:[,;:]\s*)?(?:(?:pp?\.|S\.)?\s*[\divxlc\s,–-]*\.?)?$",
    re.IGNORECASE,
)


def parse_text(text: str, fmt: Literal["auto", "text", "wikitext"] = "auto") -> ParseResult:
    """Parse a reference list (or a whole article) into references.

    ``fmt="auto"`` picks the format with :func:`detect_format`.  Problems carry the
    1-based line of their item and the citation key they concern.
    """
    chosen: Format = detect_format(text) if fmt == "auto" else fmt
    skipped_problems: list[ParseProblem] = []
    unread: tuple[tuple[int, int, int], ...] = ()
    keys: dict[int, str] = {}  # a LaTeX bibliography's own keys, by item line
    if chosen == "wikitext":
        refused = wikitext.too_deep(text)
        if refused is not None:
            line, message = refused
            return ParseResult((), (ParseProblem(line, message, "", NOT_READ),), chosen)
        citations = wikitext.parse_wikitext(text)
    elif is_biblatex_bbl(text):
        return _from_bbl(text, chosen)
    else:
        found, keys = reference_list(text)
        items, skipped, unread_lines, labels, furniture = found
        unread = _spans(unread_lines, min((item.line for item in items), default=0))
        repeats = [item for item in items if _REPEAT.match(item.text)]
        items = [item for item in items if not _REPEAT.match(item.text)]
        wiki = wiki_list(items)
        citations, shortened = _without_short_notes(
            [(item, parse_item_routed(item, wiki_list=wiki)[0]) for item in items]
        )
        _same_authors(citations)
        skipped_problems = [
            ParseProblem(
                line.line,
                "this line inside the reference list was not read as a reference "
                + (
                    "(it is numbered, but most numbered lines here do not read as "
                    "citations, so they were not taken for a list); check it"
                    if has_list_number(line.raw)
                    else "(no list number, not a citation on its own); check it"
                ),
                line.raw,
                NOT_READ,
            )
            for line in skipped
        ]
        if labels:
            # One warning for them all: one per reference would bury the real ones.
            skipped_problems.append(
                ParseProblem(
                    labels[0],
                    f"{_lines_of(labels)} held only a web page's link labels (Google "
                    "Scholar, PubMed, Crossref…); not read as references",
                    "",
                    NOT_READ,
                )
            )
        skipped_problems += [
            ParseProblem(
                item.line,
                "this note repeats the source of the note before it (Ibid.); not read as a "
                "reference of its own",
                item.raw,
                NOT_READ,
            )
            for item in repeats
        ]
        skipped_problems += [
            ParseProblem(
                item.line,
                f"this note shortens the note on line {full} (the same source); not read "
                "as a reference of its own",
                item.raw,
                NOT_READ,
            )
            for item, full in shortened
        ]
        skipped_problems += [
            ParseProblem(
                line.line,
                "this line looks like a PDF page's running header or footer (a page break "
                "inside the list); not read as part of a reference",
                line.raw,
                NOT_READ,
            )
            for line in furniture
        ]
    references, problems, pointers = _references(citations, keys)
    problems = sorted(problems + skipped_problems, key=lambda p: p.line)
    latex = chosen == "text" and is_latex_bibliography(text)
    return ParseResult(
        tuple(references), tuple(problems), chosen, unread, latex=latex, pointers=pointers
    )


#: A shortened note (Chicago): ``Family, Short Title, 92.`` or ``Family, "Short Title,"
#: 207.`` — the author's family name, the title's first words and the page cited.
_SHORT_NOTE = re.compile(
    r"^(?P<family>[^\W\d_][\w'’-]*)(?:\s+(?:and|&)\s+[^\W\d_][\w'’-]*)?,\s+"
    r"[“\"]?(?P<short>[^,“”\"]{2,80}?)[,.]?[”\"]?,?\s+(?:pp?\.\s*)?"
    # the page cited, never a year ("Authority, Title, 2010." listed twice is a duplicate)
    r"(?!1[5-9]\d\d\b|20\d\d\b)[\dxivlc]+(?:\s*[–-]\s*[\dxivlc]+)?\.?$",
    re.IGNORECASE,
)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _without_short_notes(
    read: list[tuple[Item, list[Citation]]],
) -> tuple[list[Citation], list[tuple[Item, int]]]:
    """The citations of the items, without the shortened notes of a notes list (each with
    the line of the earlier note it shortens): a note that names only the family name of
    an earlier citation's first author and the first words of its title, and a page, is
    that work cited again, not a work of its own."""
    citations: list[Citation] = []
    shortened: list[tuple[Item, int]] = []
    for item, read_citations in read:
        # A Wikipedia short citation ({{sfn}}) is a footnote check locates: it stays.
        pointer = any(c.pointer for c in read_citations)
        short = None if pointer else _SHORT_NOTE.match(item.text.strip())
        earlier = (
            next(
                (c for c in citations if _shortens(short["family"], short["short"], c)),
                None,
            )
            if short is not None
            else None
        )
        if earlier is not None:
            shortened.append((item, earlier.line))
        else:
            citations.extend(read_citations)
    return citations, shortened


#: "———" (three em dashes), "---", "——": the author(s) of the entry before (Chicago, MLA).
_SAME_AUTHOR = re.compile(r"^[—–\-_]{2,}\.?$|^—$")


def _same_authors(citations: list[Citation]) -> None:
    """Give a name printed as a dash (``———.``, ``---.``) the names of the entry before's
    authors, which it stands for; ``———, and Dana Marlowe`` adds hers to them."""
    before: tuple[Name, ...] = ()
    for c in citations:
        names: list[Name] = []
        for name in c.authors.names:
            if not _SAME_AUTHOR.match(name.literal or name.family):
                names.append(name)
                continue
            names.extend(before)
            other = parse_person(name.given) if name.given and not name.literal else None
            if other is not None:
                names.append(other)
        if names and tuple(names) != c.authors.names:
            c.authors = replace(c.authors, names=tuple(names))
        before = c.authors.names or before


def _shortens(family: str, short: str, c: Citation) -> bool:
    """Whether ``family`` is ``c``'s first author's and ``short`` starts its title."""
    names = c.authors.names or c.editors.names
    if not names or not c.title or names[0].family.casefold() != family.casefold():
        return False
    words, title = _words(short), _words(c.title)
    # A title's words, not a page mark ("Somerset, p. 116").
    return any(len(w) >= 3 for w in words) and title[: len(words)] == words


def _from_bbl(text: str, chosen: Format) -> ParseResult:
    """A biblatex ``.bbl``'s entries, as they are (no reading to do: the fields are given)."""
    references: list[Reference] = []
    problems: list[ParseProblem] = []
    used: set[str] = set()
    for line, given, entry_type, fields in bbl_entries(text):
        identifiers, invalid = extract_identifiers(fields)
        key = unique_key(given if BIB_KEY.match(given) else base_key(fields), used)
        references.append(Reference(key, entry_type, fields, identifiers, line=line))
        problems += [
            ParseProblem(line, f"{key}: {bad.field} = {bad.value!r}: {bad.reason}", "", MALFORMED)
            for bad in invalid
        ]
    return ParseResult(tuple(references), tuple(problems), chosen, latex=True)


def reference_list(text: str) -> tuple[FoundList, dict[int, str]]:
    """The reference list of a rendered text (:func:`~citetrack.parse.items.find_list`,
    a LaTeX ``\\bibitem`` list's items, :mod:`~citetrack.parse.latexbib`, or a biblatex
    ``.bbl``'s entries) and the keys a LaTeX list gives its items, by the item's line
    (none for other lists)."""
    if is_biblatex_bbl(text):  # its entries, in order (their fields: parse_text)
        entries = bbl_entries(text)
        items = [Item(line, key, key) for line, key, _, _ in entries]
        return FoundList(items, [], []), {line: key for line, key, _, _ in entries}
    if is_latex_bibliography(text):
        return latex_list(text)
    return find_list(text), {}


def _lines_of(lines: tuple[int, ...]) -> str:
    """``line 5`` / ``lines 5-7`` / ``3 lines (5, 9, …)``, for a message."""
    if len(lines) == 1:
        return f"line {lines[0]}"
    if lines[-1] - lines[0] + 1 == len(lines):
        return f"lines {lines[0]}-{lines[-1]}"
    shown = ", ".join(str(n) for n in lines[:3]) + (", …" if len(lines) > 3 else "")
    return f"{len(lines)} lines ({shown})"


def pointers_said(count: int) -> str:
    """``3 short citations ({{sfn}}, {{harvnb}}…) point to full citations of the page``:
    how ``parse`` and ``check`` name an article's footnotes that are not works."""
    noun, verb = ("citation", "points") if count == 1 else ("citations", "point")
    return (
        f"{count} short {noun} ({{{{sfn}}}}, {{{{harvnb}}}}…) {verb} to full citations of the page"
    )


def unread_spans(
    unread: Iterable[tuple[int, int, int]], references: Iterable[Reference]
) -> list[tuple[int, int, str]]:
    """Each span of :attr:`ParseResult.unread` as its first line, its count of lines and
    the words a note says it in (``lines 1-3, before the reference list``), before or
    after the first of ``references`` (those read from the same text)."""
    first_item = min((ref.line for ref in references if ref.line is not None), default=0)
    out = []
    for first, last, count in unread:
        if count == 1:
            lines = f"line {first}"
        elif last - first + 1 == count:
            lines = f"lines {first}-{last}"
        else:
            lines = f"{count} lines between {first} and {last}"
        where = "before" if first < first_item else "after"
        out.append((first, count, f"{lines}, {where} the reference list"))
    return out


def _spans(lines: list[int], first_item: int) -> tuple[tuple[int, int, int], ...]:
    """``lines`` as at most two ``(first, last, count)`` spans: before and after the list."""
    before = [line for line in lines if line < first_item]
    after = [line for line in lines if line >= first_item]
    return tuple((part[0], part[-1], len(part)) for part in (before, after) if part)
