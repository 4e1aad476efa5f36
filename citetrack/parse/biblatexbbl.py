"""A biblatex ``.bbl``: the entries biber wrote for a paper, field by field.

Where BibTeX's ``.bbl`` is typeset text (:mod:`citetrack.parse.latexbib`), biblatex's
holds the data itself::

    \\entry{arden2018}{article}{}
      \\name{author}{2}{}{%
        {{hash=1a}{%
           family={Arden},
           given={T.},
           giveni={T\\bibinitperiod}}}%
        …}
      \\field{journaltitle}{Journal of Made-up Health}
      \\field{title}{Sleep in invented teens}
      \\field{year}{2018}
      \\verb{doi}
      \\verb 10.5555/jmh.2018.601
      \\endverb
    \\endentry

so a paper whose .bib is lost gets it back exactly, keys included, with no guessing:
``\\field`` values, ``\\name`` lists (family, given, prefix, suffix), ``\\list`` values
(publisher, location, institution) and ``\\verb`` values (doi, url, eprint) become BibTeX
fields; biblatex's own names go back to BibTeX's (``journaltitle`` → ``journal``,
``location`` → ``address``); the fields biber adds for sorting and labels (``sortinit``,
``labelnamesource``, hashes) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from citetrack.inputs.bib.scanner import LineIndex
from citetrack.rules.text import latex_to_unicode

_ENTRY = re.compile(r"\\entry\s*\{(?P<key>[^{}]*)\}\s*\{(?P<type>[^{}]*)\}\s*\{[^{}]*\}")
_END = re.compile(r"\\endentry\b")
_COMMAND = re.compile(r"\\(?P<cmd>field|name|list|verb|strng|range|true|false|keyw)\b\s*")
_VERB = re.compile(r"\{(?P<name>[^{}]*)\}\s*\n\s*\\verb (?P<value>[^\n]*)\n\s*\\endverb")
#: biblatex field names → BibTeX's.
_RENAME = {
    "journaltitle": "journal",
    "location": "address",
    "institution": "institution",
    "eprinttype": "archiveprefix",
    "langid": "language",
}
#: Fields biber writes for sorting, labels and hashes: not the reference's data.
_INTERNAL = re.compile(
    r"^(?:sortinit|sortinithash|extraname|extradate|labelalpha|extraalpha|labelyear|"
    r"labelmonth|labelday|labeldatesource|labelnamesource|labeltitlesource|labeltitle|"
    r"labelname|uniquelist|uniquename|singletitle|uniquetitle|uniquebaretitle|"
    r"uniquework|uniqueprimaryauthor|crossrefsource|.*hash|urlraw|.*namehash|bibnamehash"
    r"|datelabelsource|options)$"
)
_NAME_PART = re.compile(r"\b(?P<part>family|given|prefix|suffix)=\{")


def is_biblatex_bbl(text: str) -> bool:
    """Whether ``text`` is a biblatex ``.bbl`` (``\\entry{…}{…}{…}`` … ``\\endentry``)."""
    return "\\endentry" in text and _ENTRY.search(text) is not None


def bbl_entries(text: str) -> list[tuple[int, str, str, dict[str, str]]]:
    """Each entry of a biblatex ``.bbl``: its 1-based line, key, BibTeX type and fields."""
    out: list[tuple[int, str, str, dict[str, str]]] = []
    lines = LineIndex(text)
    for match in _ENTRY.finditer(text):
        end = _END.search(text, match.end())
        body = text[match.end() : end.start() if end else len(text)]
        line = lines.line_of(match.start())
        fields = _fields(body)
        out.append((line, match["key"].strip(), _type(match["type"], fields), fields))
    return out


def _type(biblatex: str, fields: dict[str, str]) -> str:
    """biblatex's entry type as BibTeX's (``thesis`` by its ``type`` field, ``report`` →
    ``techreport``, ``online`` kept, as citetrack's parser writes it)."""
    kind = biblatex.strip().lower()
    if kind == "thesis":
        thesis = fields.pop("type", "").lower()
        return "mastersthesis" if "master" in thesis or thesis == "mathesis" else "phdthesis"
    return {"report": "techreport", "collection": "book", "mvbook": "book"}.get(kind, kind)


def _fields(body: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    position = 0
    while (command := _COMMAND.search(body, position)) is not None:
        position = command.end()
        kind = command["cmd"]
        if kind == "verb":
            verb = _VERB.match(body, position)
            if verb is not None:
                if not _INTERNAL.match(verb["name"]):
                    fields[_RENAME.get(verb["name"], verb["name"])] = verb["value"].strip()
                position = verb.end()
            continue
        name, position = _group(body, position)
        if kind == "field" and name is not None and not _INTERNAL.match(name):
            value, position = _group(body, position)
            if value is not None:
                fields[_RENAME.get(name, name)] = _text(value)
        elif kind in ("name", "list") and name is not None:
            _count, position = _group(body, position)
            if kind == "name":  # \name{author}{2}{options}{names}; \list{publisher}{1}{items}
                _options, position = _group(body, position)
            value, position = _group(body, position)
            if value is not None:
                parts = _names(value) if kind == "name" else _items(value)
                if parts:
                    fields[_RENAME.get(name, name)] = " and ".join(parts)
    if "pages" in fields:
        fields["pages"] = fields["pages"].replace("–", "--")
    return fields


def _group(text: str, start: int) -> tuple[str | None, int]:
    """The balanced ``{…}`` group at ``start`` (after blanks and ``%`` line ends): its
    inside and the position after it; ``None`` and ``start`` when no group starts there,
    ``None`` and the text's end when it never closes."""
    i = start
    while i < len(text) and (text[i].isspace() or text[i] == "%"):
        if text[i] == "%":
            newline = text.find("\n", i)
            i = len(text) if newline < 0 else newline + 1
        else:
            i += 1
    if i >= len(text) or text[i] != "{":
        return None, start
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "\\":
            continue
        if text[j] == "{" and (j == 0 or text[j - 1] != "\\"):
            depth += 1
        elif text[j] == "}" and text[j - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j], j + 1
    # Never closed: nothing after it is a group either (and asking again from each later
    # command would scan the rest of the text each time).
    return None, len(text)


def _groups(value: str) -> Iterator[str]:
    """The ``{…}`` groups that follow one another in ``value`` (a list's items)."""
    position = 0
    while True:
        group, position = _group(value, position)
        if group is None:
            return
        yield group


def _names(value: str) -> list[str]:
    """``Family, Given`` (with prefix and suffix) of each name of a ``\\name`` list."""
    names = []
    for group in _groups(value):
        parts = {}
        for part in _NAME_PART.finditer(group):
            inside, _ = _group(group, part.end() - 1)
            if inside is not None:
                parts[part["part"]] = _text(inside)
        family = " ".join(p for p in (parts.get("prefix"), parts.get("family")) if p)
        if family:
            given = (family, parts.get("suffix"), parts.get("given"))
            names.append(", ".join(p for p in given if p))
    return names


def _items(value: str) -> list[str]:
    return [_text(group) for group in _groups(value) if group.strip()]


def _text(value: str) -> str:
    value = re.sub(r"\\bibrangedash\s*", "–", value).replace("\\bibinitperiod", ".")
    value = re.sub(r"\\bibinit(?:delim|hyphendelim)", " ", value)
    value = re.sub(r"\\bibnamedelim[a-z]", " ", value)
    return " ".join(latex_to_unicode(value).split())
