"""The cleaned .bib: minimal, shown edits to the original text.

People who sync their .bib with a registry hate losing what they wrote: macrons and
capitals dropped, a different article pulled in by a bad match, a file reformatted they
never asked for.  So citetrack never re-serialises a .bib.  It changes the original text
in exactly two ways:

* the value of a field a fix names is replaced, between the delimiters it already had;
* a field a fix adds is inserted after the entry's last field, in the entry's own style
  (indentation, ``=`` spacing and alignment, braces or quotes, field-name case, line
  endings).

Everything else — keys, entry order, comments, ``@string`` and ``@preamble`` blocks,
fields nobody named, blank lines — keeps its bytes.  With no fixes the output *is* the
input.  Reformatting an entry (kind ``format``) is opt-in, entry by entry, and keeps every
field and value as written.

A fix is refused (and reported as :class:`Skipped`, never applied halfway) when its key is
missing, duplicated or in an entry that did not parse; when it would touch a title or a
name; when the field is written with an ``@string`` macro; when an identifier fix would
change the identifier rather than its form; when two fixes disagree; or when the edited
entry would not read back exactly as intended.

Pure: text in, text out.  The CLI reads, writes (atomically) and prints.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from citetrack.identifiers import (
    clean_doi,
    format_isbn,
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_pmcid,
    normalize_pmid,
)
from citetrack.inputs.bib import (
    Bibliography,
    EntryLayout,
    field_sort_key,
    loads_bib,
    reread_entry,
    spelling_counts,
    unwrap_braces,
)

#: The switchable kinds of fix (``--fix KIND`` / ``--no-fix KIND``).
FIX_KINDS = ("identifiers", "pages", "add-ids", "metadata", "format", "archive")
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


# ------------------------------------------------------------------------ local fixes


def format_fix(key: str, reason: str = "reformat requested") -> Fix:
    """A ``format`` fix for one entry: fields in a fixed order, two-space indent."""
    return Fix(key, FORMAT_FIELD, "", reason, LOCAL_SOURCE, "format")


def plan_local_fixes(bib: Bibliography, kinds: frozenset[str]) -> list[Fix]:
    """The fixes that need no network, for the kinds asked for.

    ``identifiers``: DOI bare (``doi:``/``https://doi.org/`` prefixes dropped, case kept),
    PMID digits only, PMCID ``PMC`` + digits, ISBN hyphenated ISBN-13, ISSN ``NNNN-NNNN``.
    ``pages``: ranges written with ``-``, ``–``, ``—`` or spaced dashes get ``--``;
    abbreviated ranges (``123-9``) are not expanded, as that needs the registry.
    ``format``: one :func:`format_fix` per readable entry (opt-in; filter by key).
    A value that is not a valid identifier is left alone: reporting it is the check's job.
    """
    fixes: list[Fix] = []
    for layout in bib.layout:
        if layout.state != "ok":
            continue
        for fld in layout.fields:
            if fld.form not in ("braced", "quoted", "number"):
                continue
            name = fld.name.lower()
            if "identifiers" in kinds and name in _IDENTIFIER_FIELDS:
                fix = _identifier_fix(layout.key, name, fld.value)
                if fix is not None:
                    fixes.append(fix)
            if "pages" in kinds and name == "pages":
                new = _rewrap(fld.value, normalize_page_ranges)
                if new is not None and new != fld.value:
                    fixes.append(
                        Fix(
                            layout.key,
                            name,
                            new,
                            "page range written with a single dash; BibTeX ranges use `--`",
                            LOCAL_SOURCE,
                            "pages",
                        )
                    )
        if "format" in kinds:
            fixes.append(format_fix(layout.key))
    return fixes


_PAGE = r"(?:[A-Za-z]{0,3}\d+[A-Za-z]{0,2}|[ivxlcdmIVXLCDM]+)"
_DASH = (
    r"(?:\s*(?:-|---|[\u2010-\u2015\u2212]|\\text(?:en|em)dash(?:\{\})?)\s*"
    r"|\s+--\s*|\s*--\s+)"
)
_RANGE = re.compile(rf"({_PAGE}){_DASH}({_PAGE})")
_SINGLE_PAGE = re.compile(_PAGE)


def expand_page_end(start: str, end: str) -> str:
    """The end page written in full: MEDLINE abbreviates ``531-537`` as ``531-7``.

    Only a digits-only end shorter than its digits-only start that continues it upwards
    (``387-9`` → 389) is expanded; anything else is returned as written.
    """
    if start.isdigit() and end.isdigit() and len(end) < len(start):
        full = start[: len(start) - len(end)] + end
        if int(full) >= int(start):
            return full
    return end


def normalize_page_ranges(pages: str) -> str | None:
    """``12-18``, ``12–18``, ``12 - 18`` → ``12--18``, in each comma-separated part.

    Abbreviated ends are expanded (``12-8`` → ``12--18``, ``531–7`` → ``531--537``): a
    range written ``387--9`` would read as "387 to 9".

    Parts that are not a page or a range of pages (``pp. 12-18``, ``12-18 suppl``) are
    left as written; ``None`` when nothing in ``pages`` is a page at all.
    """
    parts = re.split(r"(\s*,\s*)", pages.strip())
    out: list[str] = []
    understood = False
    for i, part in enumerate(parts):
        if i % 2 == 1:
            out.append(part)
            continue
        match = _RANGE.fullmatch(part)
        if match:
            start, end = match.group(1), match.group(2)
            out.append(f"{start}--{expand_page_end(start, end)}")
            understood = True
        else:
            understood = understood or bool(_SINGLE_PAGE.fullmatch(part))
            out.append(part)
    return "".join(out) if understood else None


def _single_or_list(normaliser: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """Apply ``normaliser`` to each of ``A, B`` / ``A; B``, keeping the separators."""

    def apply(value: str) -> str | None:
        parts = re.split(r"(\s*[,;]\s*)", value.strip())
        out: list[str] = []
        for i, part in enumerate(parts):
            if i % 2 == 1:
                out.append(part)
                continue
            new = normaliser(part)
            if new is None:
                return None
            out.append(new)
        return "".join(out)

    return apply


# field → (writes the canonical form, gives the comparison form, what the fix says)
_IDENTIFIER_FIELDS: dict[
    str, tuple[Callable[[str], str | None], Callable[[str], str | None], str]
] = {
    "doi": (clean_doi, normalize_doi, "DOI stored bare, without `doi:` or resolver prefix"),
    "pmid": (normalize_pmid, normalize_pmid, "PMID stored as digits only"),
    "pubmed_id": (normalize_pmid, normalize_pmid, "PMID stored as digits only"),
    "pubmed": (normalize_pmid, normalize_pmid, "PMID stored as digits only"),
    "pmcid": (normalize_pmcid, normalize_pmcid, "PMCID stored as PMC + digits"),
    "pmc": (normalize_pmcid, normalize_pmcid, "PMCID stored as PMC + digits"),
    "isbn": (
        _single_or_list(format_isbn),
        _single_or_list(normalize_isbn),
        "ISBN written as hyphenated ISBN-13",
    ),
    "issn": (
        _single_or_list(normalize_issn),
        _single_or_list(normalize_issn),
        "ISSN written as NNNN-NNNN",
    ),
}


def _identifier_fix(key: str, name: str, value: str) -> Fix | None:
    canonical, _, reason = _IDENTIFIER_FIELDS[name]
    new = _rewrap(value, canonical)
    if new is None or new == value:
        return None
    return Fix(key, name, new, reason, LOCAL_SOURCE, "identifiers")


def _rewrap(value: str, normaliser: Callable[[str], str | None]) -> str | None:
    """Normalise the core of ``{{…}}``-wrapped values and wrap the result the same way."""
    depth, core = unwrap_braces(value)
    new = normaliser(core)
    if new is None:
        return None
    return "{" * depth + new + "}" * depth


_BRACE = re.compile(r"(?<!\\)[{}]")


def _balanced(value: str) -> bool:
    """Whether ``value`` can go between braces: balanced, and not ending in a backslash.

    Braces preceded by a backslash do not count, as in bibtexparser's splitter.
    """
    depth = 0
    for mark in _BRACE.finditer(value):
        depth += 1 if mark.group() == "{" else -1
        if depth < 0:
            return False
    return depth == 0 and not value.endswith("\\")


# --------------------------------------------------------------------------- applying


def apply_fixes(bib: Bibliography, fixes: Sequence[Fix]) -> tuple[str, list[Change]]:
    """The new text and the changes made; see :func:`export_bib` for what was refused."""
    result = export_bib(bib, fixes)
    return result.text, list(result.changes)


def export_bib(bib: Bibliography, fixes: Sequence[Fix]) -> ExportResult:
    """Apply the fixes that are safe as minimal edits of ``bib.text``; refuse the others.

    A fix whose new value equals the current one is dropped silently.  Entries are
    edited independently: every edited entry is read back, and if it does not give
    exactly the intended fields the entry is left unchanged and its fixes are refused.
    """
    layouts = bib.layout if bib.layout or not bib.text else loads_bib(bib.text, bib.path).layout
    plan = _Plan(bib, layouts)
    for fix in fixes:
        plan.add(fix)
    plan.resolve_conflicts()

    pieces: list[str] = []
    changes: list[Change] = []
    cursor = 0
    for index in sorted(plan.accepted):
        layout = layouts[index]
        edited = _edit_entry(bib.text, layout, plan.accepted[index], plan)
        if edited is None:
            continue
        new_text, entry_changes = edited
        pieces.append(bib.text[cursor : layout.start])
        pieces.append(new_text)
        cursor = layout.end
        changes.extend(entry_changes)
    pieces.append(bib.text[cursor:])
    skipped = sorted(plan.skipped, key=lambda s: s.line or 0)  # stable: fixes' order kept
    return ExportResult("".join(pieces), tuple(changes), tuple(skipped))


class _Plan:
    """Which fixes go to which entry, and which are refused and why."""

    def __init__(self, bib: Bibliography, layouts: tuple[EntryLayout, ...]) -> None:
        self.bib = bib
        self.layouts = layouts
        self.by_key: dict[str, list[int]] = {}
        for i, layout in enumerate(layouts):
            self.by_key.setdefault(layout.key, []).append(i)
        self.by_folded = {layout.key.casefold(): layout for layout in layouts}
        self.accepted: dict[int, list[Fix]] = {}
        self.skipped: list[Skipped] = []
        self._spellings: dict[str, Counter[str]] | None = None

    def spellings(self) -> dict[str, Counter[str]]:
        if self._spellings is None:
            self._spellings = spelling_counts(self.bib)
        return self._spellings

    def skip(self, fix: Fix, reason: str, line: int | None = None) -> None:
        self.skipped.append(Skipped(fix, reason, line))

    def add(self, fix: Fix) -> None:
        if fix.kind not in FIX_KINDS:
            self.skip(fix, f"unknown kind of fix `{fix.kind}` (known: {', '.join(FIX_KINDS)})")
            return
        indices = self.by_key.get(fix.key, [])
        if not indices:
            other = self.by_folded.get(fix.key.casefold())
            hint = f" (there is {other.key} on line {other.line})" if other else ""
            self.skip(fix, f"no entry with key {fix.key}{hint}")
            return
        if len(indices) > 1:
            lines = ", ".join(
                f"{self.layouts[i].line}" + _STATE_NOTE.get(self.layouts[i].state, "")
                for i in indices
            )
            self.skip(
                fix,
                f"key {fix.key} is defined {len(indices)} times (lines {lines}); citetrack "
                "does not guess which entry to change",
                self.layouts[indices[0]].line,
            )
            return
        layout = self.layouts[indices[0]]
        if layout.state != "ok":
            what = "could not be parsed" if layout.state == "failed" else "is not read reliably"
            self.skip(fix, f"entry {fix.key} {what} ({layout.note}); fix it by hand", layout.line)
            return
        reason = "" if fix.kind == "format" else _refusal(fix, layout)
        if reason:
            self.skip(fix, reason, layout.line)
            return
        self.accepted.setdefault(indices[0], []).append(fix)

    def resolve_conflicts(self) -> None:
        """Two fixes for one field: one is kept if they agree, both refused if not."""
        for index, fixes in list(self.accepted.items()):
            kept: list[Fix] = []
            by_field: dict[str, list[Fix]] = {}
            for fix in fixes:
                by_field.setdefault(fix.field.lower(), []).append(fix)
            for name, group in by_field.items():
                values = {f.new_value for f in group}
                if name == FORMAT_FIELD or len(values) == 1:
                    kept.append(group[0])
                    continue
                listed = "; ".join(f"{f.new_value!r} ({f.source})" for f in group)
                for fix in group:
                    self.skip(
                        fix,
                        f"conflicting fixes for {fix.key}.{name}: {listed}",
                        self.layouts[index].line,
                    )
            if kept:
                self.accepted[index] = kept
            else:
                del self.accepted[index]


_STATE_NOTE = {"failed": " (did not parse)", "unreadable": " (not read reliably)"}
_FIELD_NAME = re.compile(r'[^\s"#%\'(),={}]+')


def _refusal(fix: Fix, layout: EntryLayout) -> str:
    """Why a value fix must not be applied to this entry ("" when it may)."""
    name = fix.field.lower()
    if not _FIELD_NAME.fullmatch(fix.field):
        return f"`{fix.field}` is not a BibTeX field name"
    if name in PROTECTED_FIELDS:
        return f"citetrack never rewrites titles or names (field {name})"
    if fix.kind == "metadata" and name not in METADATA_FIELDS:
        return f"a metadata fix may not change field {name}"
    if fix.kind == "add-ids" and name not in ADD_ID_FIELDS:
        return f"an add-ids fix may not add field {name}"
    if fix.kind == "pages" and name != "pages":
        return f"a pages fix may only change field pages, not {name}"
    if fix.kind == "identifiers" and name not in _IDENTIFIER_FIELDS:
        return f"an identifiers fix may not change field {name}"
    if not _balanced(fix.new_value):
        return f"the new value {fix.new_value!r} has unbalanced braces"
    present = [f for f in layout.fields if f.name.lower() == name]
    if len(present) > 1:
        return f"field {name} is given {len(present)} times in the entry"
    current = present[0] if present else None
    if current is not None and current.form in ("macro", "concat"):
        written = f"`{current.name} = ...`"
        return f"{written} uses an @string macro or `#`; left as written"
    if fix.kind == "add-ids":
        names = ADD_ID_FIELDS[name]
        held = [f for f in layout.fields if f.name.lower() in names and f.value.strip()]
        if held:
            return (
                f"an add-ids fix only adds a missing identifier; {held[0].name} already "
                f"holds {held[0].value!r}"
            )
    if fix.kind == "identifiers":
        if current is None:
            return f"an identifiers fix only rewrites an existing field; {name} is missing"
        compare = _IDENTIFIER_FIELDS[name][1]
        old_id = compare(unwrap_braces(current.value)[1])
        new_id = compare(unwrap_braces(fix.new_value)[1])
        if old_id is None or old_id != new_id:
            return (
                f"an identifiers fix may change how {name} is written, not which identifier "
                f"it is ({current.value!r} → {fix.new_value!r})"
            )
    if fix.kind == "pages":
        if current is None:
            return "a pages fix only rewrites an existing pages field"
        written = normalize_page_ranges(unwrap_braces(current.value)[1]) or current.value
        if _alnum(written) != _alnum(fix.new_value):
            return (
                "a pages fix may change the dashes of a range or expand its abbreviated end, "
                "not its pages "
                f"({current.value!r} → {fix.new_value!r})"
            )
    return ""


def _alnum(value: str) -> list[str]:
    return re.findall(r"[0-9A-Za-z]+", value)


# ------------------------------------------------------------------------ entry edits


@dataclass(frozen=True)
class _Style:
    """How an entry writes its fields, so that an added field looks like the others."""

    newline: str
    indent: str | None  # None: fields do not start their own lines
    before_eq: str
    after_eq: str
    align_column: int | None
    quotes: bool


def _edit_entry(
    text: str, layout: EntryLayout, fixes: list[Fix], plan: _Plan
) -> tuple[str, list[Change]] | None:
    """The entry's new text and its changes, or ``None`` when nothing changes.

    Fixes that cannot be applied safely are recorded in ``plan.skipped``.
    """
    old_entry = text[layout.start : layout.end]
    replace: dict[int, tuple[str, Change]] = {}  # field index → (value expression, change)
    inserts: list[tuple[str, str]] = []  # (name as it will be written, value expression)
    added: list[Change] = []
    fmt: Fix | None = None
    style = _style(text, layout)
    for fix in fixes:
        if fix.kind == "format":
            fmt = fix
            continue
        name = fix.field.lower()
        index = next((i for i, f in enumerate(layout.fields) if f.name.lower() == name), None)
        if index is None:
            form = "quoted" if style.quotes else "braced"
            inserts.append((_spell(name, layout, plan), _enclose(fix.new_value, form)))
            added.append(
                Change(layout.key, name, None, fix.new_value, fix.reason, fix.source, layout.line)
            )
        elif layout.fields[index].value != fix.new_value:
            current = layout.fields[index]
            change = Change(
                layout.key, name, current.value, fix.new_value, fix.reason, fix.source, current.line
            )
            replace[index] = (_enclose(fix.new_value, current.form), change)
    changes = [replace[i][1] for i in sorted(replace)] + added
    values = {i: value for i, (value, _) in replace.items()}

    fields = [
        (f.name, values.get(i, text[f.value_start : f.value_end]))
        for i, f in enumerate(layout.fields)
    ]
    expected = fields + inserts
    if fmt is not None:
        new_entry = _formatted(text, layout, expected, style.newline)
        expected = sorted(expected, key=lambda nv: field_sort_key(nv[0].lower()))
    else:
        new_entry = _minimal_edit(text, layout, values, inserts, style)
    if new_entry == old_entry:
        return None
    check = reread_entry(new_entry)
    if check is None or check[1] != layout.key or check[2] != expected:
        for fix in fixes:
            plan.skip(
                fix,
                f"the edited entry {layout.key} would not read back as intended; "
                "nothing in it was changed",
                layout.line,
            )
        return None
    if fmt is not None:
        changes.append(
            Change(
                layout.key, FORMAT_FIELD, old_entry, new_entry, fmt.reason, fmt.source, layout.line
            )
        )
    return new_entry, changes


def _enclose(value: str, form: str) -> str:
    """``value`` as a value expression, in the form the field already had if possible."""
    if form == "number" and value.isdigit():
        return value
    if form == "quoted" and _quote_safe(value):
        return f'"{value}"'
    return "{" + value + "}"


_QUOTE_MARK = re.compile(r'(?<!\\)[{}"]')


def _quote_safe(value: str) -> bool:
    """Whether ``"value"`` is one quoted string (no ``"`` outside braces inside it)."""
    depth = 0
    for mark in _QUOTE_MARK.finditer(value):
        char = mark.group()
        if char == '"' and depth == 0:
            return False
        depth += {"{": 1, "}": -1}.get(char, 0)
    return True


def _minimal_edit(
    text: str,
    layout: EntryLayout,
    replace: dict[int, str],
    inserts: list[tuple[str, str]],
    style: _Style,
) -> str:
    """The entry's text with the replaced values and the inserted fields, nothing else."""
    edits: list[tuple[int, int, str]] = [
        (layout.fields[i].value_start, layout.fields[i].value_end, value)
        for i, value in replace.items()
    ]
    if inserts:
        edits.append(_insertion(text, layout, inserts, style))
    edits.sort()
    out: list[str] = []
    cursor = layout.start
    for begin, stop, new in edits:
        out.append(text[cursor:begin])
        out.append(new)
        cursor = stop
    out.append(text[cursor : layout.end])
    return "".join(out)


def _insertion(
    text: str, layout: EntryLayout, inserts: list[tuple[str, str]], style: _Style
) -> tuple[int, int, str]:
    """Where and what to insert for new fields, after the last field (or the key)."""
    nl = style.newline

    def field_text(name: str, value: str, indent: str) -> str:
        before = style.before_eq
        if style.align_column is not None:
            before = " " * max(1, style.align_column - len(indent) - len(name))
        return f"{indent}{name}{before}={style.after_eq}{value}"

    if not layout.fields:
        body = ",".join(f"{nl}{field_text(n, v, '  ')}" for n, v in inserts) + nl
        if layout.key_comma:
            return (layout.close, layout.close, body)
        return (layout.key_end, layout.key_end, "," + body)
    last = layout.fields[-1]
    has_comma = last.end > last.value_end
    if style.indent is None:  # fields share lines: continue the last line
        lines = [field_text(n, v, "") for n, v in inserts]
        if has_comma:
            return (last.end, last.end, "".join(f" {line}," for line in lines))
        return (last.value_end, last.value_end, "".join(f", {line}" for line in lines))
    lines = [field_text(n, v, style.indent) for n, v in inserts]
    if has_comma:
        return (last.end, last.end, "".join(f"{nl}{line}," for line in lines))
    return (last.value_end, last.value_end, "".join(f",{nl}{line}" for line in lines))


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _style(text: str, layout: EntryLayout) -> _Style:
    entry = text[layout.start : layout.end]
    newline = "\r\n" if "\r\n" in entry else "\n"
    fields = layout.fields
    if not fields:
        return _Style(newline, "  ", " ", " ", None, False)
    last = fields[-1]
    own_line = [text[_line_start(text, f.start) : f.start].strip() == "" for f in fields]
    indent = text[_line_start(text, last.start) : last.start] if own_line[-1] else None
    before = text[last.name_end : last.equals]
    after = text[last.equals + 1 : last.value_start]
    before = before if "\n" not in before else " "
    after = after if "\n" not in after else " "
    columns = {f.equals - _line_start(text, f.start) - len(f.name) for f in fields}
    eq_columns = {f.equals - _line_start(text, f.start) for f in fields}
    aligned = (
        all(own_line)
        and len(fields) > 1
        and len(eq_columns) == 1
        and len(columns) > 1  # names of different lengths padded to one `=` column
    )
    quoted = sum(1 for f in fields if f.form == "quoted")
    braced = sum(1 for f in fields if f.form == "braced")
    return _Style(
        newline,
        indent,
        before,
        after,
        eq_columns.pop() if aligned else None,
        quoted > braced,
    )


def _case_style(names: Iterable[str]) -> str:
    counts: Counter[str] = Counter()
    for name in names:
        letters = [c for c in name if c.isalpha()]
        if not letters:
            continue
        if all(c.isupper() for c in letters):
            counts["upper"] += 1
        elif letters[0].isupper():
            counts["capital"] += 1
        else:
            counts["lower"] += 1
    return counts.most_common(1)[0][0] if counts else "lower"


def _spell(name: str, layout: EntryLayout, plan: _Plan) -> str:
    """A new field's name as the file already spells it, else in the entry's case."""
    seen = plan.spellings().get(name)
    if seen:
        return seen.most_common(1)[0][0]
    case = _case_style(f.name for f in layout.fields)
    if case == "upper":
        return name.upper()
    if case == "capital":
        return name.capitalize()
    return name


def _formatted(text: str, layout: EntryLayout, fields: list[tuple[str, str]], newline: str) -> str:
    """The entry with its fields in :data:`~citetrack.inputs.bib.FIELD_ORDER`, two-space indent.

    Type and key keep their spelling, field names their case, values their exact text.
    """
    head = re.match(r"@\w*", text[layout.start : layout.end])
    entry_type = head.group() if head else f"@{layout.entry_type}"
    ordered = sorted(fields, key=lambda nv: field_sort_key(nv[0].lower()))
    width = max((len(n) for n, _ in ordered), default=0)
    lines = [f"{entry_type}{{{layout.key},"]
    lines += [f"  {name.ljust(width)} = {value}," for name, value in ordered]
    lines.append("}")
    return newline.join(lines)


# ------------------------------------------------------------------------------- diff


def unified_diff(old: str, new: str, path: str, context: int = 3) -> str:
    """A unified diff of two versions of ``path`` (``patch -p0`` applies it).

    Lines are split at ``\\n`` only (a ``\\r`` stays part of its line), and a last line
    without a newline is marked as ``diff`` does.  Empty when nothing changed.

    difflib alone takes about a minute on a 10,000-entry file with edits all over it, so
    lines that occur once in each version anchor the comparison first (the "patience"
    idea) and difflib only compares the short stretches between anchors.
    """
    if old == new:
        return ""
    a, b = _split_lines(old), _split_lines(new)
    out = [f"--- {path}\n", f"+++ {path}\n"]
    for group in _grouped(_opcodes(a, b), context):
        first, last = group[0], group[-1]
        out.append(f"@@ -{_hunk_range(first[1], last[2])} +{_hunk_range(first[3], last[4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(_marked(" ", a[i1:i2]))
                continue
            out.extend(_marked("-", a[i1:i2]))
            out.extend(_marked("+", b[j1:j2]))
    return "".join(out)


def _split_lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def _marked(mark: str, lines: list[str]) -> list[str]:
    return [
        f"{mark}{line}" if line.endswith("\n") else f"{mark}{line}\n\\ No newline at end of file\n"
        for line in lines
    ]


def _hunk_range(start: int, stop: int) -> str:
    """``start,length`` as in a unified hunk header (1-based; as difflib writes it)."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


_Opcode = tuple[str, int, int, int, int]


def _opcodes(a: list[str], b: list[str]) -> list[_Opcode]:
    """difflib-style opcodes turning ``a`` into ``b``, anchored on unique common lines."""
    ops: list[_Opcode] = []
    alo, ahi, blo, bhi = 0, len(a), 0, len(b)
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        alo, blo = alo + 1, blo + 1
    if alo:
        ops.append(("equal", 0, alo, 0, blo))
    end_a, end_b = ahi, bhi
    while ahi > alo and bhi > blo and a[ahi - 1] == b[bhi - 1]:
        ahi, bhi = ahi - 1, bhi - 1
    i, j = alo, blo
    for anchor_a, anchor_b in _anchors(a, b, (alo, ahi, blo, bhi)):
        _between(a, b, (i, anchor_a, j, anchor_b), ops)
        ops.append(("equal", anchor_a, anchor_a + 1, anchor_b, anchor_b + 1))
        i, j = anchor_a + 1, anchor_b + 1
    _between(a, b, (i, ahi, j, bhi), ops)
    if ahi < end_a:
        ops.append(("equal", ahi, end_a, bhi, end_b))
    merged: list[_Opcode] = []
    for op in ops:
        if merged and op[0] == "equal" and merged[-1][0] == "equal":
            merged[-1] = ("equal", merged[-1][1], op[2], merged[-1][3], op[4])
        else:
            merged.append(op)
    return merged


def _between(
    a: list[str], b: list[str], span: tuple[int, int, int, int], ops: list[_Opcode]
) -> None:
    """difflib's opcodes for ``a[i1:i2]`` against ``b[j1:j2]``, in whole-file positions."""
    i1, i2, j1, j2 = span
    if i1 == i2 and j1 == j2:
        return
    matcher = difflib.SequenceMatcher(None, a[i1:i2], b[j1:j2])
    for tag, x1, x2, y1, y2 in matcher.get_opcodes():
        ops.append((tag, i1 + x1, i1 + x2, j1 + y1, j1 + y2))


def _anchors(a: list[str], b: list[str], span: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    """Pairs of equal lines unique in both ranges, the longest run in order in both."""
    alo, ahi, blo, bhi = span
    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    where_b = {line: j for j, line in enumerate(b[blo:bhi], blo) if count_b[line] == 1}
    pairs = [
        (i, where_b[line])
        for i, line in enumerate(a[alo:ahi], alo)
        if count_a[line] == 1 and line in where_b
    ]
    # Longest increasing subsequence of the b positions (patience sorting).
    tails: list[int] = []  # per length: index into pairs of the smallest tail
    tail_values: list[int] = []  # the b positions of those tails
    before: list[int] = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect.bisect_left(tail_values, j)
        if pos:
            before[k] = tails[pos - 1]
        if pos == len(tails):
            tails.append(k)
            tail_values.append(j)
        else:
            tails[pos] = k
            tail_values[pos] = j
    chain: list[tuple[int, int]] = []
    k = tails[-1] if tails else -1
    while k >= 0:
        chain.append(pairs[k])
        k = before[k]
    return chain[::-1]


def _grouped(codes: list[_Opcode], context: int) -> list[list[_Opcode]]:
    """Hunks: the changes with ``context`` equal lines around them (as difflib groups)."""
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = (tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2)
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = (tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context))
    groups: list[list[_Opcode]] = []
    group: list[_Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        start_a, start_b = i1, j1
        if tag == "equal" and i2 - i1 > 2 * context:
            group.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            groups.append(group)
            group = []
            start_a, start_b = max(i1, i2 - context), max(j1, j2 - context)
        group.append((tag, start_a, i2, start_b, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return groups
