"""Inline ignores written as comments: ``% citetrack: ignore url-dead, metadata-mismatch``.

A ``%`` comment line directly above an entry (in the run of comment lines that touches the
entry's ``@`` line, no blank line between) that says ``citetrack: ignore RULES`` ignores
those rules for that entry, exactly like a ``citetrack-ignore`` field: the rules are added
to the reference's ``citetrack-ignore`` value (:mod:`citetrack.rules.ignore` applies it).
The file's text is not touched, so export keeps the comment as written.

Inside an entry's braces a ``%`` line is not a comment to BibTeX or bibtexparser (the
line runs into the next field's name, or a comma in it breaks the entry), so there it is
reported (:func:`comment_problems`) rather than silently glued to a field.
"""

from __future__ import annotations

import re
from dataclasses import replace

from citetrack.inputs.bib.layout import Bibliography, BibProblem
from citetrack.model import Reference

#: The reference field the comment's rules are merged into (as ``rules.ignore.FIELD``).
FIELD = "citetrack-ignore"

_IGNORE = re.compile(r"^[ \t]*%+[ \t]*citetrack[ \t]*:[ \t]*ignore\b(?P<rules>[^\r\n]*)$")
_COMMENT = re.compile(r"^[ \t]*%")
#: What every line :data:`_IGNORE` matches contains.
_SAYS_IGNORE = re.compile(r"citetrack[ \t]*:[ \t]*ignore")


def comment_rules(text: str, start: int) -> list[str]:
    """The rules named by ``citetrack: ignore`` comments directly above offset ``start``
    (an entry's ``@``): the consecutive ``%`` lines that end on the line before it."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip():  # something else before the @ on its line
        return []
    rules: list[str] = []
    end = line_start - 1  # the newline ending the line above
    while end > 0:
        begin = text.rfind("\n", 0, end) + 1
        line = text[begin:end].rstrip("\r").lstrip("\ufeff")  # a BOM on the first line
        if not _COMMENT.match(line):
            break
        match = _IGNORE.match(line)
        if match:
            rules += [r for r in re.split(r"[\s,]+", match.group("rules")) if r]
        end = begin - 1
    return rules


def with_comment_ignores(bib: Bibliography) -> Bibliography:
    """``bib`` with each reference's ``citetrack: ignore`` comment rules merged into its
    ``citetrack-ignore`` field (pure; the text is unchanged)."""
    if not says_ignore(bib.text):  # then no comment names a rule (the common case)
        return bib
    starts = {(layout.key, layout.line): layout.start for layout in bib.layout}
    refs: list[Reference] = []
    changed = False
    for ref in bib.references:
        start = starts.get((ref.key, ref.line or 0))
        rules = comment_rules(bib.text, start) if start is not None else []
        if not rules:
            refs.append(ref)
            continue
        own = ref.fields.get(FIELD)
        merged = ", ".join([own, *rules] if own else rules)
        refs.append(replace(ref, fields={**ref.fields, FIELD: merged}))
        changed = True
    return replace(bib, references=tuple(refs)) if changed else bib


def says_ignore(text: str) -> bool:
    """Whether ``text`` has a ``citetrack: ignore`` anywhere (in a comment or not): a
    quick look before matching the lines above each of 100,000 entries (0.2 s; issue 16),
    which a mere mention of citetrack (a header comment) did not spare."""
    at = text.find("citetrack")
    while at >= 0:
        if _SAYS_IGNORE.match(text, at):
            return True
        at = text.find("citetrack", at + 1)
    return False


def comment_problems(bib: Bibliography) -> list[BibProblem]:
    """A warning for each field whose name swallowed a ``%`` line written inside the
    entry: BibTeX reads no comment there, so the field is lost under a garbled name."""
    problems = []
    text = bib.text
    for layout in bib.layout:
        if text.find("%", layout.start, layout.end) < 0:
            continue  # no field name has one (and a memo's entry keeps its fields unbuilt)
        for f in layout.fields:
            if "%" in f.name:
                hint = (
                    "; put `% citetrack: ignore …` on the line above the entry, or use a "
                    "citetrack-ignore field"
                    if _IGNORE.search(f.name.split("\n")[0])
                    else ""
                )
                real = f.name.rsplit("\n", 1)[-1].strip()
                problems.append(
                    BibProblem(
                        bib.path,
                        f.line,
                        f"entry {layout.key}: a `%` line inside an entry is not a comment to "
                        f"BibTeX; it runs into the field `{real}`, which is not read{hint}",
                        "bib-comment",
                        key=layout.key,
                    )
                )
    return problems
