"""Text decoding and folding for comparing what a citation says with what a registry says.

A .bib field and a registry record spell the same thing differently: LaTeX accents
(``{\\'e}``, ``\\"{o}``) against Unicode, JATS/HTML tags (``<i>KRAS</i>``) against plain
text, ``--`` against ``–``, ``Orúe`` against ``Orue``.  The functions here map both sides
onto one comparison form; the field parsers built on them (authors, pages, years,
numbers) live in :mod:`citetrack.rules.fields`, and the rules that decide what counts as
a match in :mod:`citetrack.rules.matching` and :mod:`citetrack.rules.journals`.

Layers, each building on the one before:

* :func:`latex_to_unicode` and :func:`strip_markup` decode; :func:`to_plain` does both.
* :func:`fold` is the comparison key of free text: plain, no diacritics, case-folded,
  ``&`` → ``and``, punctuation → space.  It is idempotent.
* :func:`fold_title` and :func:`main_title`: the comparison forms of a title.

Nothing here does I/O or raises on odd input.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

# The comparison forms are pure functions of one string, and the same strings come back
# many times in a run (a reference's title is folded by several rules, a journal name by
# every reference that cites it): each is computed once.  Bounded, so that a 100,000-entry
# bibliography does not keep every form alive.
_CACHE_SIZE = 1 << 17

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


@lru_cache(maxsize=_CACHE_SIZE)
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
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTER_FOLDS))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped.translate(_LETTER_FOLDS))


@lru_cache(maxsize=_CACHE_SIZE)
def fold(text: str) -> str:
    """The comparison key of free text: equal keys mean "the same words".

    Plain text (LaTeX and markup decoded), diacritics and case folded, Greek letters
    spelled out, ``&`` read as ``and``, every run of punctuation and whitespace turned into
    one space.  Idempotent: ``fold(fold(x)) == fold(x)``.

    >>> fold("CA – A Cancer Journal for Clinicians") == fold("CA: A cancer journal for clinicians")
    True
    """
    value = to_plain(text)
    if value.isascii():  # nothing to decompose, no Greek: one lower-casing is the fixed point
        value = value.lower()
        return _NON_WORD_RE.sub(" ", value.replace("&", " and ")).strip()
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


@lru_cache(maxsize=_CACHE_SIZE)
def fold_title(text: str) -> str:
    """:func:`fold` of a title without a ``RETRACTED:`` / ``[Withdrawn]`` prefix."""
    return fold(_RETRACTED_PREFIX_RE.sub("", to_plain(text)))


@lru_cache(maxsize=_CACHE_SIZE)
def main_title(text: str) -> str:
    """A title's folded main part: the text before the first subtitle separator.

    ``"Necrolytic migratory erythema: clinicopathologic study"`` → ``"necrolytic migratory
    erythema"``.  Separators are ``:``, `` - ``/`` – ``/`` — ``, ``?`` and ``!`` (not ``.``:
    "E. coli infections"); a title without one is returned whole.
    """
    plain = _RETRACTED_PREFIX_RE.sub("", to_plain(text))
    head = re.split(r":|\s[-–—]\s|[?!]", plain, maxsplit=1)[0]
    return fold(head)
