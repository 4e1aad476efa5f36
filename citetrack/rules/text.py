"""Text normalising for comparing what a citation says with what a registry says.

A .bib field and a registry record spell the same thing differently: LaTeX accents
(``{\\'e}``, ``\\"{o}``) against Unicode, JATS/HTML tags (``<i>KRAS</i>``) against plain
text, ``--`` against ``–``, ``Orúe`` against ``Orue``, ``12--18`` against MEDLINE's
``12-8``.  The functions here map both sides onto one comparison form; the rules that
decide what counts as a match live in ``compare.py`` and ``journals.py``.

Layers, each building on the one before:

* :func:`latex_to_unicode` and :func:`strip_markup` decode; :func:`to_plain` does both.
* :func:`fold` is the comparison key of free text: plain, no diacritics, case-folded,
  ``&`` → ``and``, punctuation → space.  It is idempotent.
* Field parsers: :func:`split_authors` (BibTeX ``author`` fields), :func:`family_key`,
  :func:`parse_pages` / :func:`format_pages`, :func:`extract_years`, :func:`fold_number`.

Nothing here does I/O or raises on odd input: a field that cannot be parsed yields an
empty result.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from citetrack.model import Author

# ----------------------------------------------------------------------------- LaTeX

# Accent commands → combining characters (https://en.wikibooks.org/wiki/LaTeX/Special_Characters).
_SYMBOL_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
}
_LETTER_ACCENTS = {
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
    "t": "\u0361",
}
# Control words that stand for one character (letters, symbols, Greek in math mode).
_WORDS = {
    "ss": "ß",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "textendash": "–",
    "textemdash": "—",
    "textquoteright": "’",
    "textquoteleft": "‘",
    "textregistered": "®",
    "texttrademark": "™",
    "textdegree": "°",
    "degree": "°",
    "textmu": "μ",
    "textbackslash": "\\",
    "textasciitilde": "~",
    "pm": "±",
    "times": "×",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "ldots": "…",
    "dots": "…",
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "iota": "ι",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "upsilon": "υ",
    "phi": "φ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Sigma": "Σ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
}
# Escaped specials; braces go through private-use placeholders so that brace removal
# (grouping braces carry no text) does not eat them.
_LBRACE, _RBRACE = "\ue000", "\ue001"
_ESCAPES = {
    "&": "&",
    "%": "%",
    "$": "$",
    "#": "#",
    "_": "_",
    "{": _LBRACE,
    "}": _RBRACE,
    " ": " ",
    ",": " ",
    ";": " ",
    ":": " ",
    "!": "",
    "/": "",
    "-": "",
    "\\": " ",
}
_ACCENT_TARGET = r"(?:\{\s*(\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|(\\[ij](?![A-Za-z])|[A-Za-z]))"
_SYMBOL_ACCENT_RE = re.compile(r"\\([`'^\"~=.])\s*" + _ACCENT_TARGET)
_LETTER_ACCENT_RE = re.compile(
    r"\\([uvHckrdbt])(?:\s*\{\s*(\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|\s+(\\[ij](?![A-Za-z])|[A-Za-z]))"
)
_WORD_RE = re.compile(r"\\([A-Za-z]+)(?![A-Za-z])\s*(?:\{\})?")
_ESCAPE_RE = re.compile(r"\\([&%$#_{} ,;:!/\-\\])")
_MATH_RE = re.compile(r"(?<!\\)\$([^$]*)\$")
_DASHES = (("---", "—"), ("--", "–"), ("``", "“"), ("''", "”"))
_LATEX_CHARS = frozenset("\\{}$~-`'")


def _accent(mark: str, letter: str) -> str:
    base = {"\\i": "i", "\\j": "j"}.get(letter, letter)
    return unicodedata.normalize("NFC", base + mark)


def latex_to_unicode(text: str) -> str:
    """Decode the LaTeX a .bib field may contain into Unicode text.

    Handles accent commands in every usual spelling (``{\\'e}``, ``\\'{e}``, ``\\'e``,
    ``\\c{c}``, ``\\v s``), letter commands (``\\ss``, ``\\o``, ``\\aa``), escaped specials
    (``\\&``), ``--``/``---`` dashes, ``~`` ties, math ``$\\beta$``, and drops formatting
    commands (``\\textit{x}`` → ``x``) and grouping braces (``{KRAS}`` → ``KRAS``).
    Unknown commands are dropped and their argument kept: the text is meant for
    comparison, not for typesetting.

    >>> latex_to_unicode(r"Elorza Or{\\'u}e and M\\\"{u}ller --- {KRAS}")
    'Elorza Orúe and Müller — KRAS'
    """
    if not _LATEX_CHARS.intersection(text):
        return unicodedata.normalize("NFC", text)
    value = _MATH_RE.sub(lambda m: re.sub(r"[\^_]", "", m.group(1)), text)
    value = _SYMBOL_ACCENT_RE.sub(
        lambda m: _accent(_SYMBOL_ACCENTS[m.group(1)], m.group(2) or m.group(3)), value
    )
    value = _LETTER_ACCENT_RE.sub(
        lambda m: _accent(_LETTER_ACCENTS[m.group(1)], m.group(2) or m.group(3)), value
    )
    value = _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(1)], value)
    value = _WORD_RE.sub(lambda m: _WORDS.get(m.group(1), ""), value)
    for old, new in _DASHES:
        value = value.replace(old, new)
    value = re.sub(r"(?<!\\)~", " ", value)
    value = value.replace("{", "").replace("}", "").replace("\\", "")
    value = value.replace(_LBRACE, "{").replace(_RBRACE, "}")
    return unicodedata.normalize("NFC", value)


# ---------------------------------------------------------------------------- markup

# Only things that look like tags: "<i>", "</jats:italic>", "<mml:math xmlns=…>", "<br/>".
# "p < 0.05" and "a<b" stay as they are.
_TAG_RE = re.compile(r"</?([A-Za-z][\w:.-]*)(?:\s[^<>]*)?/?>")
# Tags that separate words; all others (<i>, <sub>, <jats:italic>, <mml:mi>…) are inline,
# so "H<sub>2</sub>O" reads "H2O" as PubMed writes it.
_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "tr", "td", "th", "sec", "title", "break"})
_SPACE_RE = re.compile(r"\s+")


def _tag_replacement(match: re.Match[str]) -> str:
    name = match.group(1).rsplit(":", 1)[-1].lower()
    return " " if name in _BLOCK_TAGS else ""


def strip_markup(text: str) -> str:
    """Remove HTML/JATS/MathML tags, decode entities and collapse whitespace.

    >>> strip_markup("Detecting\\n   <i>KRAS</i> &amp; H<sub>2</sub>O<br/>x")
    'Detecting KRAS & H2O x'
    """
    value = _TAG_RE.sub(_tag_replacement, text) if "<" in text else text
    value = html.unescape(value) if "&" in value else value
    return _SPACE_RE.sub(" ", value).strip()


def to_plain(text: str) -> str:
    """LaTeX decoded, markup stripped, whitespace collapsed: readable plain text."""
    return strip_markup(latex_to_unicode(text))


# ----------------------------------------------------------------------------- folding

# Letters that do not decompose under NFKD but have an obvious ASCII reading.
_LETTER_FOLDS = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ß": "ss",
        "ı": "i",
        "ȷ": "j",
        "ŋ": "ng",
        "Ŋ": "NG",
    }
)
# Greek letters are spelled out ("TGF-β" and "TGF-beta" are the same title).
_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "ς": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
}
_GREEK_FOLDS = str.maketrans({k: f" {v} " for k, v in _GREEK.items()})
_NON_WORD_RE = re.compile(r"[\W_]+")


def fold_diacritics(text: str) -> str:
    """``Orúe`` → ``Orue``, ``Søren`` → ``Soren``, ``Straße`` → ``Strasse``; case kept.

    Compatibility forms are unfolded too (``ﬁ`` → ``fi``, full-width digits → digits).
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTER_FOLDS))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped.translate(_LETTER_FOLDS))


def fold(text: str) -> str:
    """The comparison key of free text: equal keys mean "the same words".

    Plain text (LaTeX and markup decoded), diacritics and case folded, Greek letters
    spelled out, ``&`` read as ``and``, every run of punctuation and whitespace turned into
    one space.  Idempotent: ``fold(fold(x)) == fold(x)``.

    >>> fold("CA – A Cancer Journal for Clinicians") == fold("CA: A cancer journal for clinicians")
    True
    """
    value = to_plain(text)
    # Case folding can produce letters that decompose further and vice versa; a few
    # rounds reach the fixed point for every string met in practice.
    for _ in range(4):
        folded = fold_diacritics(value).translate(_GREEK_FOLDS).casefold()
        if folded == value:
            break
        value = folded
    value = value.replace("&", " and ")
    return _NON_WORD_RE.sub(" ", value).strip()


# Prefixes publishers and PubMed put before the title of a retracted work.
_RETRACTED_PREFIX_RE = re.compile(
    r"^\s*(?:\[\s*(?:retracted|withdrawn)[^\]]*\]|(?:retracted|withdrawn)(?:\s+article)?\s*:)\s*",
    re.IGNORECASE,
)


def fold_title(text: str) -> str:
    """:func:`fold` of a title without a ``RETRACTED:`` / ``[Withdrawn]`` prefix."""
    return fold(_RETRACTED_PREFIX_RE.sub("", to_plain(text)))


def main_title(text: str) -> str:
    """A title's folded main part: the text before the first subtitle separator.

    ``"Necrolytic migratory erythema: clinicopathologic study"`` → ``"necrolytic migratory
    erythema"``.  Separators are ``:``, `` - ``/`` – ``/`` — ``, ``?`` and ``!`` (not ``.``:
    "E. coli infections"); a title without one is returned whole.
    """
    plain = _RETRACTED_PREFIX_RE.sub("", to_plain(text))
    head = re.split(r":|\s[-–—]\s|[?!]", plain, maxsplit=1)[0]
    return fold(head)


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


def _tokens(text: str) -> list[str]:
    """Words and depth-0 commas of a BibTeX name list; braced groups stay one word."""
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


def _expand_end(start: str, end: str) -> str:
    """MEDLINE abbreviated end pages: ``12-8`` → 18, ``531-7`` → 537, ``S12-8`` → S18."""
    ms, me = _PAGE_RE.match(start), _PAGE_RE.match(end)
    if not ms or not me:
        return end
    s_prefix, s_num, _ = ms.groups()
    e_prefix, e_num, e_suffix = me.groups()
    prefix = e_prefix or s_prefix
    if len(e_num) < len(s_num):
        full = s_num[: len(s_num) - len(e_num)] + e_num
        if int(full) >= int(s_num):
            e_num = full
    return f"{prefix}{e_num}{e_suffix}"


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
    end = _expand_end(start, parts[1])
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
