"""Author and editor lists as reference lists print them, read into BibTeX names.

Three list styles occur, often in one article:

* **CS1** — ``Foss, Michael G.; Ferrer-Bruker, Sarah J.``: ``;`` between names, each
  ``Family, Given``; some entries are written ``Given Family`` (``Dirk M. Elston``), and
  the last may follow ``and`` or ``&``.
* **Vancouver** — ``Thiers BH, Sahn RE, Callen JP, et al.``: ``,`` between names, each
  ``Family INITIALS`` with an optional suffix (``Nelson Jr SL``, ``Aguiar O Jr``).
* **Natural order** — ``Karen L. Wilson``, ``John Lloyd and John Mitchinson``,
  ``ML Parker``.

Family names are kept whole: particles (``van Beek``, ``de Haas``, ``el-Azhary``,
``James M. Van Valen``) and compound names (``Tuneu Valls``, ``Canninga-van Dijk``,
``Martinez de Lizarduy``) stay in the family part.  Initials are written the BibTeX way
(``BH`` → ``B. H.``).

An organisation (``A.D.A.M. Editorial team``) becomes one *literal* name, written in
braces so that BibTeX does not split it.  A list entry that is neither a person nor an
organisation — typically a book title pasted into the author list, such as
``Clinical diagnosis by laboratory methods`` — is *rejected*: it is left out of the names
and returned in :attr:`NameList.rejected` so that the caller can report it.  The test is
deliberately simple: a person's name consists of capitalised words, initials and
particles; a word in lower case that is not a particle, or a digit, means "not a person".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Lower-case words that belong to a family name (``van Beek``, ``de Haas``, ``bin Laden``).
PARTICLES = frozenset(
    """van von vom der den de del della delle dei degli di da das dos do du des le la les lo
    ten ter te op zu zum zur y e el al bin ibn ben bint af av st. saint""".split()  # noqa: SIM905
)
_SUFFIXES = frozenset({"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"})  # "SR", "JR": initials
#: Words that mark an organisation rather than a person.
_ORG_WORDS = frozenset(
    """team committee group organization organisation association society institute
    institution council department agency foundation board network centre center university
    college hospital ministry office consortium collaboration collaborators collaborative
    investigators editorial staff commission service services bureau federation alliance
    academy trust company corporation corp inc ltd llc project programme program panel
    taskforce force unit laboratory laboratories clinic authority administration union
    league registry working writers contributors initiative partnership""".split()  # noqa: SIM905
)
_FUNCTION_WORDS = frozenset(
    "of the and for on in at to de du des la le der die und".split()  # noqa: SIM905
)
_ET_AL = re.compile(r"[,;]?\s*\bet\.?\s+al\b\.?", re.IGNORECASE)
#: "and others" in the languages whose lists people paste most, after the last name:
#: Spanish "y col." / "y cols." / "y colaboradores" / "y otros", Portuguese "e col." /
#: "e cols." / "e colaboradores" / "e outros", Italian "e altri", French "et coll.",
#: German "u. a.".  In lower case only: "Y" and "E" are initials (``Li Y``, ``Roe E``).
ET_AL_ELSEWHERE = (
    r"(?:y|e)\s+(?:cols?\b\.?|colaboradores\b)|y\s+otros\b|e\s+outros\b|e\s+altri\b"
    r"|et\s+coll\b\.?|u\.\s?a\b\.?"
)
# ", eds." / " (ed.)" / ", editors" — but not "Edwards, Ed", a person called Ed.
_EDITOR_MARK = re.compile(r"(?:,\s*(?:eds?\.|editors?)|\s*\((?:[Ee]ds?\.?|[Ee]ditors?)\))\s*\.?$")
_AND = re.compile(r"\s+(?:and|&)\s+|^\s*(?:and|&)\s+", re.IGNORECASE)
_INITIALS = re.compile(r"^(?:[A-Z]|[^\W\d_a-z])(?:[A-Z]|[^\W\d_a-z]){0,3}$")
# "J-P", "J.-P": French and other hyphenated given names as initials (Jean-Pierre).
_HYPHEN_INITIALS = re.compile(r"^[^\W\d_a-z]\.?(?:-[^\W\d_a-z]\.?)+$")
_DOTTED_INITIALS = re.compile(r"^(?:(?:[^\W\d_]\.)|-)+(?:[^\W\d_])?$")
_PARENTHETICAL = re.compile(r"\s*\([^()]*\)")
_TRAILING_PERIOD = re.compile(r"(?<=[^\W\d_]{2})(?<![JS]r)\.$")
_WORD_CHARS = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class Name:
    """One person (family, given, suffix) or one organisation (``literal``)."""

    family: str = ""
    given: str = ""
    suffix: str = ""
    literal: str = ""

    def bibtex(self) -> str:
        """``Family, Given``, ``Family, Jr, Given``, ``Family`` or ``{Organisation}``."""
        if self.literal:
            return "{" + self.literal + "}"
        parts = [self.family]
        if self.suffix:
            parts.append(self.suffix)
        if self.given:
            parts.append(self.given)
        return ", ".join(parts)

    @property
    def sort_name(self) -> str:
        """The family name, or the organisation's name."""
        return self.literal or self.family


@dataclass(frozen=True)
class NameList:
    """The result of reading one printed name list."""

    names: tuple[Name, ...] = ()
    et_al: bool = False
    editors: bool = False  # the list was marked "(eds.)" / ", eds."
    rejected: tuple[str, ...] = ()  # entries that are neither a person nor an organisation

    def bibtex(self) -> str:
        """The BibTeX ``author``/``editor`` value (``… and others`` for *et al.*)."""
        parts = [n.bibtex() for n in self.names]
        if self.et_al and parts:
            parts.append("others")
        return " and ".join(parts)


def _is_initials(token: str) -> bool:
    """``BH``, ``J``, ``B.H.``, ``J.-P.``, ``J-P``: initials without a name."""
    return bool(
        _INITIALS.match(token) or _DOTTED_INITIALS.match(token) or _HYPHEN_INITIALS.match(token)
    )


def _format_given(given: str) -> str:
    """Given names with bare initials spelt the BibTeX way: ``BH`` → ``B. H.``."""
    out: list[str] = []
    for token in given.split():
        if _INITIALS.match(token) and len(token) <= 3:
            out.extend(f"{letter}." for letter in token)
        elif re.fullmatch(r"(?:[^\W\d_]\.){2,}", token):  # "A.S." → "A. S."
            out.extend(f"{letter}." for letter in token.split(".") if letter)
        elif re.fullmatch(r"(?:[^\W\d_a-z]\.)+[^\W\d_a-z]", token):  # "A.S" (its "." cut)
            out.extend(f"{letter}." for letter in token.split("."))
        elif _HYPHEN_INITIALS.match(token):  # "J-P", "J.-P" → "J.-P."
            out.append("-".join(f"{part.rstrip('.')}." for part in token.split("-")))
        else:
            out.append(token)
    return " ".join(out)


def _is_name_word(token: str) -> bool:
    """A word that can be part of a person's name."""
    word = token.strip(".,;:()-")
    if not word:
        return True
    if word.lower() in PARTICLES or word in _SUFFIXES:
        return True
    if any(ch.isdigit() for ch in word):
        return False
    first = word.split("-")[0].lower()
    if "-" in word and first in PARTICLES:  # el-Azhary, al-Hassan
        return True
    if word[0] in "'’" and len(word) > 1:
        word = word[1:]
    return word[0].isupper() and bool(_WORD_CHARS.search(word))


def is_organisation(text: str) -> bool:
    """Does ``text`` name an organisation (``A.D.A.M. Editorial team``, ``WHO``)?

    It must contain a word such as *committee*, *team*, *university*, and every word in
    lower case must be such a word or a function word (*of*, *the*, *for*…): "Clinical
    diagnosis by laboratory methods" is a title, not a laboratory.  Numbers may stand in
    it ("Global Burden of Disease Study 2013 Collaborators").
    """
    words = [w.strip(".,;:()") for w in text.split()]
    words = [w for w in words if w]
    if not words:
        return False
    if len(words) == 1:
        return len(words[0]) >= 3 and words[0].isupper() and words[0].isalpha()
    if not any(_org_word(w) for w in words) or not words[0][0].isupper():
        return False
    # A number belongs to many a group's name: "GBD 2013 Collaborators", "COVID-19 Panel".
    return all(
        w[0].isupper() or w[0].isdigit() or _org_word(w) or w.lower() in _FUNCTION_WORDS
        for w in words
    )


def _org_word(word: str) -> bool:
    """An organisation word, or its plural (*Centers*, *Institutes*)."""
    lower = word.lower()
    return lower in _ORG_WORDS or lower.removesuffix("s") in _ORG_WORDS


def _split_suffix(tokens: list[str]) -> tuple[list[str], str]:
    """Tokens without a generational suffix, and the suffix (``Jr``, ``III``).

    ``Jr``/``Sr`` may stand anywhere after the first word (``Nelson Jr SL``, ``Aguiar O
    Jr``); ``II``–``IV`` too, except right after initials, where they are initials.
    """
    for i, token in enumerate(tokens[1:], start=1):
        if token not in _SUFFIXES:
            continue
        if token[0] in "JS" or i < len(tokens) - 1 or not _is_initials(tokens[i - 1]):
            return tokens[:i] + tokens[i + 1 :], token.rstrip(".")
    return tokens, ""


def parse_person(text: str, vancouver: bool = False) -> Name | None:
    """One printed name as a :class:`Name`, or ``None`` if it is not a person's name.

    ``Family, Given`` and ``Family, Given, Jr.`` are inverted; otherwise a final group
    of initials means Vancouver (``Thiers BH``), a first one natural order (``ML
    Parker``), and a plain ``Given Family`` keeps particles in the family part.
    """
    text = " ".join(text.split()).strip(" ,;")
    if not text:
        return None
    if "," in text:
        family, _, rest = text.partition(",")
        rest_parts = [p.strip() for p in rest.split(",") if p.strip()]
        suffix = ""
        if len(rest_parts) > 1 and rest_parts[-1] in _SUFFIXES:
            suffix = rest_parts.pop().rstrip(".")
        given = " ".join(rest_parts)
        words = family.split() + given.split()
        if not all(_is_name_word(w) for w in words):
            return None
        return Name(family=family.strip(), given=_format_given(given), suffix=suffix)
    tokens, suffix = _split_suffix(text.split())
    if not all(_is_name_word(t) for t in tokens):
        return None
    if len(tokens) == 1:
        return Name(family=tokens[0], suffix=suffix)
    if (vancouver or not _is_initials(tokens[0])) and _is_initials(tokens[-1]):
        return Name(family=" ".join(tokens[:-1]), given=_format_given(tokens[-1]), suffix=suffix)
    # Natural order: the family name is the last word with the particles before it
    # ("Sabine van Glabeke", "James M. Van Valen"; a capital "E" is an initial, not "e").
    start = len(tokens) - 1
    while start > 1 and _is_particle(tokens[start - 1]):
        start -= 1
    return Name(
        family=" ".join(tokens[start:]),
        given=_format_given(" ".join(tokens[:start])),
        suffix=suffix,
    )


def _is_particle(token: str) -> bool:
    return token.lower() in PARTICLES and (token.islower() or len(token) > 1)


def _looks_vancouver(parts: list[str]) -> bool:
    """The people of a comma-separated list are written ``Family INITIALS``.

    One odd entry in a long list (``J Dlouhy B``) does not change the list's style.
    """
    persons = [p for p in parts if not is_organisation(p)]
    matching = 0
    for part in persons:
        tokens, _ = _split_suffix(part.split())
        if len(tokens) >= 2 and _is_initials(tokens[-1]) and not _is_initials(tokens[0]):
            matching += 1
    return (
        bool(persons) and matching >= max(1, len(persons) - 1) and 3 * matching >= 2 * len(persons)
    )


def _split_entries(text: str) -> tuple[list[str], bool]:
    """The list's entries, and whether they are in Vancouver form."""
    if ";" in text:
        entries: list[str] = []
        for part in text.split(";"):
            # "A; B & C" and "…; and D": the conjunction separates names, not parts of one.
            entries.extend(p for p in _AND.split(part.strip()) if p.strip())
        return entries, False
    if "," in text:
        parts = [p.strip() for p in _AND.sub(", ", text).split(",") if p.strip()]
        if _looks_vancouver(parts):
            return parts, True
        if len(parts) == 2 or (len(parts) == 3 and parts[2] in _SUFFIXES):
            return [text], False  # one inverted name: "Patterson, James W."
        return parts, False
    return [p for p in _AND.split(text) if p.strip()], False


def parse_name_list(text: str) -> NameList:
    """Read a printed author or editor list (any of the three styles).

    >>> parse_name_list("Thiers BH, Sahn RE, Callen JP").bibtex()
    'Thiers, B. H. and Sahn, R. E. and Callen, J. P.'
    """
    value = " ".join(text.split()).strip()
    editors = False
    marked = _EDITOR_MARK.search(value)
    if marked:
        editors = True
        value = value[: marked.start()]
    # An affiliation after a name, "C. Kaufman (Microsoft)", is not part of it.
    value = _PARENTHETICAL.sub("", value)
    et_al = False
    if _ET_AL.search(value):
        et_al = True
        value = _ET_AL.sub("", value)
    value = value.strip(" ,;")
    if not value:
        return NameList(et_al=et_al, editors=editors)
    value = semicolons_for_slashes(value)
    if _whole_organisation(value):
        # "National Institute for Health and Care Excellence": its "and" joins no names.
        return NameList((Name(literal=value),), et_al, editors)
    entries, vancouver = _split_entries(value)
    names: list[Name] = []
    rejected: list[str] = []
    for printed in entries:
        entry = printed.strip(" ,;")
        if not entry:
            continue
        if is_organisation(entry):
            names.append(Name(literal=entry))
            continue
        # "Kyoko Konishi." — a sentence period after a name, not an initial's.
        person = parse_person(_TRAILING_PERIOD.sub("", entry), vancouver=vancouver)
        if person is not None:
            names.append(person)
        else:
            rejected.append(entry)
    return NameList(tuple(names), et_al, editors, tuple(rejected))


def semicolons_for_slashes(value: str) -> str:
    """German author-year styles separate inverted names with a slash (``Müller,
    Hans/Schmidt, Petra``): those slashes as semicolons, when every part between them is
    an inverted name (holds a comma); anything else unchanged (``AIDS/HIV Committee``)."""
    if "/" not in value or "://" in value:
        return value
    parts = value.split("/")
    if all("," in part and part.strip(" ,") for part in parts):
        return "; ".join(part.strip() for part in parts)
    return value


def _whole_organisation(value: str) -> bool:
    """Whether a whole list without commas or semicolons is one organisation's name whose
    ``and`` is part of it (no initials anywhere: ``Smith J and World Health Organization``
    is two authors)."""
    if "," in value or ";" in value or not _AND.search(value):
        return False
    return is_organisation(value) and not any(_is_initials(t) for t in value.split())


def looks_like_names(text: str, *, allow_single_word: bool = True) -> bool:
    """Could ``text`` be an author list (no rejected entries, at least one name)?

    With ``allow_single_word=False`` a lone word (``Hyginus``) does not count: used where
    a one-word book title is just as likely.
    """
    value = text.strip()
    if not value or len(value) > 600 or '"' in value or "“" in value:
        return False
    result = parse_name_list(value)
    if result.rejected or not result.names:
        return False
    return allow_single_word or len(value.split()) > 1 or result.et_al


def is_initials(token: str) -> bool:
    """``BH``, ``J``, ``B.H.``, ``J.-P.``: initials without a name."""
    return _is_initials(token)


def format_given(given: str) -> str:
    """Given names with bare initials spelt the BibTeX way (``BH`` → ``B. H.``)."""
    return _format_given(given)
