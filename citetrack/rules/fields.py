"""Field parsers for the comparison: authors, family names, pages, years, volume/issue numbers.

Each reads a BibTeX field (or a registry's value) into the form the rules compare, built on
the folding of :mod:`citetrack.rules.text`: :func:`split_authors` (BibTeX ``author``
fields), :func:`parse_registry_name`, :func:`family_key` / :func:`family_matches`,
:func:`parse_pages` / :func:`format_pages` (MEDLINE's ``12-8`` is 12–18),
:func:`extract_years`, :func:`fold_number`.

Nothing here does I/O or raises on odd input: a field that cannot be parsed yields an
empty result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from citetrack.model import Author
from citetrack.rules.text import fold, latex_to_unicode, to_plain

# Parsed once per distinct string (the results are immutable): issue 16.
_CACHE_SIZE = 1 << 16

# ------------------------------------------------------------------------------- names

# Lower-case particles that belong to a family name but are dropped when comparing it
# ("van Beek" vs "Beek, A. P. van"), per the usual BibTeX "von" part and Iberian/Arabic use.
# fmt: off
PARTICLES = frozenset((
    "van", "von", "der", "den", "de", "del", "della", "delle", "dei", "degli", "di", "da",
    "das", "dos", "du", "des", "la", "le", "les", "lo", "ter", "ten", "te", "vom", "zum", "zur",
    "zu", "y", "e", "al", "el", "bin", "ibn", "ben", "af", "av",
))
# fmt: on
# fmt: off
_ORG_WORDS = frozenset((
    "group", "committee", "consortium", "organization", "organisation", "association",
    "society", "institute", "collaboration", "collaborative", "network", "council", "agency",
    "department", "ministry", "team", "board", "foundation", "academy", "college", "centre",
    "center", "federation", "alliance", "taskforce", "investigators", "working", "party",
    "office",
))
# fmt: on


@dataclass(frozen=True)
class AuthorList:
    """A parsed ``author`` field: the names in order, and whether it ends in ``and others``."""

    authors: tuple[Author, ...]
    truncated: bool = False


_INITIALS_RE = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")


#: A word or a comma of a name list without braces (``\s`` is ``str.isspace``'s set).
_PLAIN_TOKEN = re.compile(r"[^\s,]+|,")


def _tokens(text: str) -> list[str]:
    """Words and depth-0 commas of a BibTeX name list; braced groups stay one word."""
    if "{" not in text and "}" not in text:
        # Everything is at depth 0: the same tokens as the loop below, in C (issue 16).
        return _PLAIN_TOKEN.findall(text)
    return _braced_tokens(text)


def _braced_tokens(text: str) -> list[str]:
    """:func:`_tokens`, character by character, tracking brace depth."""
    out: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        if depth == 0 and (ch.isspace() or ch == ","):
            if current:
                out.append("".join(current))
                current = []
            if ch == ",":
                out.append(",")
            continue
        current.append(ch)
    if current:
        out.append("".join(current))
    return out


def _is_lower_word(token: str) -> bool:
    """BibTeX's test for a "von" word: its first letter at brace depth 0 is lower-case.

    A token starting with a brace group that is not a special character (``{de la}``)
    counts as upper-case, which is how BibTeX lets users protect particles.
    """
    if token.startswith("{") and not token.startswith("{\\"):
        return False
    plain = latex_to_unicode(token)
    letter = next((c for c in plain if c.isalpha()), "")
    return letter.islower()


def _clean(words: list[str]) -> str:
    return to_plain(" ".join(words))


def _is_vancouver(words: list[str]) -> bool:
    """``Pujol RM`` / ``el-Azhary RA`` / ``Smith J.``: family words then initials."""
    return len(words) >= 2 and bool(_INITIALS_RE.match(to_plain(words[-1])))


def _person(words: list[str]) -> Author | None:
    """One name without commas: literal group, Vancouver, or "First von Last"."""
    if not words:
        return None
    if len(words) == 1 and words[0].startswith("{") and words[0].endswith("}"):
        inner = words[0][1:-1]
        if not inner.startswith("\\"):
            return Author(literal=to_plain(inner))
    if _is_vancouver(words):
        return Author(family=_clean(words[:-1]), given=_clean(words[-1:]))
    # BibTeX: "First" runs to the first lower-case word (the "von" part), which stays
    # with "Last"; without one, "Last" is the last word.
    first_von = next((i for i, w in enumerate(words[:-1]) if _is_lower_word(w)), None)
    cut = len(words) - 1 if first_von is None else first_von
    given, family = words[:cut], words[cut:]
    return Author(family=_clean(family), given=_clean(given))


def _parse_name(tokens: list[str]) -> list[Author]:
    """One ``and``-separated name; may yield several if it is a comma-joined Vancouver list."""
    parts: list[list[str]] = [[]]
    for tok in tokens:
        if tok == ",":
            parts.append([])
        else:
            parts[-1].append(tok)
    parts = [p for p in parts if p]
    if not parts:
        return []
    if len(parts) >= 2 and all(_is_vancouver(p) for p in parts):
        # "Pujol RM, Wang CY, el-Azhary RA" written as a single author.
        return [a for p in parts if (a := _person(p)) is not None]
    if len(parts) == 1:
        person = _person(parts[0])
        return [person] if person else []
    family, given = parts[0], parts[-1]  # "von Last, First" or "von Last, Jr, First"
    return [Author(family=_clean(family), given=_clean(given))]


def _is_others(tokens: list[str]) -> bool:
    words = fold(" ".join(tokens))
    return words in ("others", "et al", "et alii", "et alia")


@lru_cache(maxsize=_CACHE_SIZE)
def split_authors(text: str | None) -> AuthorList:
    """Parse a BibTeX ``author``/``editor`` field into names, the way BibTeX reads it.

    * names are separated by ``and`` at brace depth 0 (``{Barnes and Noble}`` is one name);
    * ``Family, Given``, ``Family, Jr, Given`` and ``Given von Family`` forms; lower-case
      particles (``van``, ``de``, ``von der``) stay with the family name;
    * a single braced group (``{World Health Organization}``) is a literal (organisation);
    * ``others`` / ``et al.`` mark a truncated list;
    * Vancouver names (``Pujol RM``) — family words followed by 1–4 capital initials —
      are read family-first, also when a whole comma-separated Vancouver list was put
      into one name.  (So ``John LEE`` reads as family ``John``: BibTeX input in that
      style is rare, Vancouver names from parsed reference lists are common.)

    >>> [a.family for a in split_authors("van Beek, A. P. and Canninga-van Dijk, M. R.").authors]
    ['van Beek', 'Canninga-van Dijk']
    """
    if not text or not text.strip():
        return AuthorList(())
    names: list[list[str]] = [[]]
    for tok in _tokens(text):
        if tok.lower() == "and":
            names.append([])
        else:
            names[-1].append(tok)
    truncated = False
    authors: list[Author] = []
    for tokens in names:
        if not tokens:
            continue
        if _is_others(tokens):
            truncated = True
            continue
        name = tokens
        # "Smith, J. et al." as the last name.
        if len(name) > 2 and fold(" ".join(name[-2:])) in ("et al", "et alii"):
            truncated = True
            name = name[:-3] if name[-3] == "," else name[:-2]
        authors.extend(_parse_name(name))
    return AuthorList(tuple(a for a in authors if a.family or a.literal), truncated)


def parse_registry_name(author: Author) -> Author:
    """A registry author as a person when possible.

    PubMed summaries give ``"Nicholas SE"`` as one string; a service may pass that on as
    ``literal``.  A literal that reads as a Vancouver name becomes family + initials; a real
    collective name (``"WHO Study Group"``) stays literal.
    """
    if author.family or not author.literal:
        return author
    words = author.literal.split()
    if _is_vancouver(words) and not any(w.casefold() in _ORG_WORDS for w in words):
        return Author(family=" ".join(words[:-1]), given=words[-1])
    return author


def is_organisation(author: Author) -> bool:
    """True for a literal author that names a group (``ACME Trial Group``, ``World Health
    Organization``) rather than a person given whole (``Miguel Echenique-Elizondo``).

    A literal is a group when it has a group word (committee, group, society…) or more
    than four words; Vancouver-style literals are persons.
    """
    parsed = parse_registry_name(author)
    if not parsed.literal:
        return False
    words = fold(parsed.literal).split()
    return len(words) > 4 or any(w in _ORG_WORDS for w in words)


# Transliterations of umlauts ("Müller" / "Mueller" / "Muller" are one family).
_UMLAUT_RE = re.compile(r"(?<=[aou])e")


@lru_cache(maxsize=_CACHE_SIZE)
def family_key(name: str) -> tuple[str, ...]:
    """The words of a family name as compared: folded, particles dropped, umlauts merged.

    ``"van Beek"`` → ``("beek",)``; ``"Canninga-van Dijk"`` → ``("canninga", "dijk")``;
    ``"Müller"`` and ``"Mueller"`` → ``("muller",)``.  If only particles remain the
    particles are kept (a family name "De" is still a name).
    """
    words = [_UMLAUT_RE.sub("", w) for w in fold(name).split()]
    kept = [w for w in words if w not in PARTICLES]
    return tuple(kept or words)


def family_matches(a: str, b: str) -> bool:
    """True when two family names name the same family.

    Equal keys, one key's words a subset of the other's (``Echenique`` vs
    ``Echenique-Elizondo``, ``Dijk`` vs ``Canninga-van Dijk``), or the same letters once
    spaces are removed (``MacDonald`` vs ``Mac Donald``, ``O'Brien`` vs ``OBrien``).
    """
    ka, kb = family_key(a), family_key(b)
    if not ka or not kb:
        return False
    if ka == kb or "".join(ka) == "".join(kb):
        return True
    sa, sb = set(ka), set(kb)
    return sa <= sb or sb <= sa


# ------------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class PageRange:
    """First and last page as printed in full (``end`` ``None`` for one page / article id)."""

    start: str
    end: str | None = None


_PAGE_RE = re.compile(r"^([A-Za-z]*)(\d+)([A-Za-z]*)$")
_PAGE_PREFIX_RE = re.compile(r"^\s*(?:pp?\.\s*|pp?\s+|pages?\s+)", re.IGNORECASE)
_RANGE_SPLIT_RE = re.compile(r"\s*(?:-+|–|—|‐|‑|‒|−|\bto\b)\s*", re.IGNORECASE)


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


def expand_marked_end(start: str, end: str) -> str:
    """MEDLINE abbreviated end pages: ``12-8`` → 18, ``531-7`` → 537, ``S12-8`` → S18."""
    ms, me = _PAGE_RE.match(start), _PAGE_RE.match(end)
    if not ms or not me:
        return end
    s_prefix, s_num, _ = ms.groups()
    e_prefix, e_num, e_suffix = me.groups()
    prefix = e_prefix or s_prefix
    return f"{prefix}{expand_page_end(s_num, e_num)}{e_suffix}"


@lru_cache(maxsize=_CACHE_SIZE)
def parse_pages(text: str | None) -> PageRange | None:
    """Read a pages value: ``12--18``, ``12–8`` (MEDLINE), ``pp. 531-7``, ``e33693``, ``603``.

    Only the first range of a list (``12-18, 22``) is read.  The end page is expanded to
    full form.  Returns ``None`` for an empty value.
    """
    if not text:
        return None
    value = _PAGE_PREFIX_RE.sub("", to_plain(text)).strip().rstrip(".")
    value = re.split(r"\s*[,;]\s*", value)[0]
    if not value:
        return None
    parts = [p.replace(" ", "") for p in _RANGE_SPLIT_RE.split(value, maxsplit=1)]
    parts = [p for p in parts if p]
    if not parts:
        return None
    start = parts[0]
    if len(parts) == 1:
        return PageRange(start)
    end = expand_marked_end(start, parts[1])
    return PageRange(start, None if end == start else end)


def format_pages(pages: PageRange) -> str:
    """Pages as BibTeX writes them: ``12--18``, or the single page / article number."""
    return f"{pages.start}--{pages.end}" if pages.end else pages.start


# ------------------------------------------------------------------- years and numbers

_YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")


def extract_years(text: str | None) -> tuple[int, ...]:
    """Every plausible year (1500–2099) in a field: ``2004``, ``2004a``, ``2003/2004``,
    ``2004-11-02`` (a biblatex ``date``)."""
    if not text:
        return ()
    return tuple(int(y) for y in _YEAR_RE.findall(text))


_NUMBER_WORDS = frozenset(("vol", "volume", "no", "nos", "num", "number", "issue", "iss"))
_SUPPLEMENT_WORDS = frozenset(("supplement", "suppl", "supp", "sup"))


def _number_once(text: str) -> str:
    pieces = []
    for piece in _RANGE_SPLIT_RE.split(to_plain(text)):
        words = [w for w in fold(piece).split() if w not in _NUMBER_WORDS]
        joined = "".join("s" if w in _SUPPLEMENT_WORDS else w for w in words)
        joined = re.sub(r"(?<!\d)0+(?=\d)", "", joined)
        if joined:
            pieces.append(joined)
    return "-".join(pieces)


def fold_number(text: str | None) -> str:
    """The comparison key of a volume or issue: ``Vol. 12`` → ``12``, ``Suppl. 1`` → ``s1``,
    ``1–2`` → ``1-2``, leading zeros dropped (``05`` → ``5``).

    Applied until nothing changes (joining words can form a new "no"), so it is idempotent.
    """
    value = text or ""
    for _ in range(8):
        folded = _number_once(value)
        if folded == value:
            break
        value = folded
    return value
