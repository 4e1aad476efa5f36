"""Tokens of a reference string and the features the sequence labeller sees for each.

A token is a whitespace-separated word with its punctuation (``(2010).``, ``pp.``,
``45-67.``).  Its features are strings (``name=value``, weight 1), in four groups:

* **form** — the word lower-cased and stripped of punctuation, its prefixes and
  suffixes, its shape (``Xxxx.``, ``(dddd).``), leading and trailing punctuation,
  capitalisation, digits (a year, a range, a number of n digits, a Roman numeral);
* **dictionaries** — months, ISO 4 journal-title abbreviations, publisher and place
  words, name particles, cue words (``pp``, ``vol``, ``In``, ``eds``, ``et al.``,
  thesis and report words, ``Proceedings``), URL / DOI / ISBN forms;
* **position** — the token's index (first five exactly), its relative position in
  tenths, how many sentence periods and commas came before it, whether it stands inside
  parentheses, brackets or quotes, whether an ``In`` or a year came before it;
  where it stands relative to the years and quoted spans of the string: a year still
  ahead (``year-ahead``: APA's authors, Harvard's and Chicago's title and journal before
  a trailing year), tokens since the first year (``since-year=1`` … ``4``: an APA title
  starts right after its year), a quoted span closed just before (``quote-closed``: the
  container of ``“Title,” Journal``) or earlier (``after-quote``);
* **chunk** — the period-separated chunk the token is in: its index from the start and
  the end, its length, whether it holds a year, digits or a quote, and the chunk's first
  token;
* **context** — the words and shapes of the two tokens either side.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

MONTHS = frozenset(
    """jan feb mar apr may jun jul aug sep sept oct nov dec january february march april
    june july august september october november december janvier février fevrier mars
    avril mai juin juillet août aout septembre octobre novembre décembre decembre januar
    februar märz juni juli oktober dezember enero febrero marzo abril mayo junio julio
    agosto septiembre octubre noviembre diciembre gennaio febbraio aprile maggio giugno
    luglio settembre ottobre dicembre spring summer fall autumn winter""".split()  # noqa: SIM905
)
JOURNAL_WORDS = frozenset(
    """acad adv am ann annu appl arch assoc biol biochem bull can chem clin comput curr dev
    ecol econ educ eng environ eur exp gen geol hist inst int intern invest j jpn lett mater
    math med mol nat natl neurosci nucl opt phys physiol proc psychol q rep res rev sci soc
    stat surg syst technol theor trans univ zool journal review revue zeitschrift
    quarterly annals bulletin letters magazine transactions""".split()  # noqa: SIM905
)
PUBLISHER_WORDS = frozenset(
    """press publishing publishers publisher publications verlag books éditions editions
    editora ediciones edizioni wiley springer elsevier routledge sage pearson mcgraw-hill
    macmillan penguin blackwell kluwer academic university universitaires universitaria
    harper random norton oxford cambridge gallimard seuil dunod puf taylor francis
    birkhäuser hachette""".split()  # noqa: SIM905
)
PLACE_WORDS = frozenset(
    """london paris new york berlin amsterdam oxford cambridge boston chicago tokyo madrid
    barcelona rome roma milano milan münchen munich frankfurt wien vienna leipzig stuttgart
    hamburg zürich zurich basel genève geneva bruxelles brussels lyon toulouse montréal
    montreal toronto sydney melbourne philadelphia washington berkeley princeton baltimore
    heidelberg dordrecht leiden hoboken cham singapore beijing delhi mexico lisboa moscow
    san francisco los angeles ny ma ca uk usa""".split()  # noqa: SIM905
)
PARTICLES = frozenset("van von der den de del della di da du le la dos das ten ter".split())  # noqa: SIM905
CUES = {
    "pp": "pages",
    "p": "pages",
    "pages": "pages",
    "s": "pages",
    "vol": "volume",
    "vols": "volume",
    "volume": "volume",
    "bd": "volume",
    "tome": "volume",
    "t": "volume",
    "no": "number",
    "nr": "number",
    "issue": "number",
    "n": "number",
    "in": "in",
    "dans": "in",
    "ed": "ed",
    "eds": "ed",
    "editor": "ed",
    "editors": "ed",
    "hrsg": "ed",
    "hg": "ed",
    "dir": "ed",
    "éd": "ed",
    "éds": "ed",
    "edn": "edition",
    "edition": "edition",
    "auflage": "edition",
    "aufl": "edition",
    "and": "and",
    "&": "and",
    "und": "and",
    "et": "and",
    "y": "and",
    "e": "and",
    "al": "etal",
    "trans": "trans",
    "translated": "trans",
    "trad": "trans",
    "übers": "trans",
    "thesis": "thesis",
    "dissertation": "thesis",
    "diss": "thesis",
    "phd": "thesis",
    "ph.d": "thesis",
    "thèse": "thesis",
    "these": "thesis",
    "master's": "thesis",
    "report": "report",
    "rapport": "report",
    "technical": "report",
    "proceedings": "proc",
    "proc": "proc",
    "conference": "proc",
    "symposium": "proc",
    "workshop": "proc",
    "congress": "proc",
    "actes": "proc",
    "retrieved": "access",
    "accessed": "access",
    "available": "access",
    "consulté": "access",
    "abgerufen": "access",
    "doi": "doi",
    "isbn": "isbn",
    "url": "url",
    "press": "pub",
}
_YEAR = re.compile(r"^\W*(?:1[5-9]\d\d|20\d\d)[a-z]?\W*$")
_YEAR_RANGE = re.compile(r"^\W*(?:1[5-9]|20)\d\d[-–/](?:\d\d){1,2}\W*$")
_RANGE = re.compile(r"^\W*[A-Za-z]?\d+\s*[-–—‐]+\s*[A-Za-z]?\d*\W*$")
_VOLISS = re.compile(r"^\W*\d+\s*\(\d+[-–/\d]*\)\W*$")
_VOL_PAGES = re.compile(r"^\W*\d+(?:\(\d+[-–/\d]*\))?:\s*[A-Za-z]?\d+")
_ROMAN = re.compile(r"^\W*[IVXLCivxlc]+\W*$")
_INITIAL = re.compile(r"^(?:[^\W\d_]\.-?)+,?$|^[A-Z]{1,3},?$|^[A-Z]\.?[-‐][A-Z]\.,?$")
_URL = re.compile(r"^\W*(?:https?://|www\.)", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/")
_ISBN = re.compile(r"^\W*(?:97[89][-‐ ]?)?\d{1,5}[-‐]\d+[-‐]\d+[-‐][\dX]\W*$")
_ORDINAL = re.compile(r"^\W*\d+(?:st|nd|rd|th|e|ème|er|\.)\W*$", re.IGNORECASE)
_STRIP = re.compile(r"[\W_]+", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """The whitespace tokens of a reference string."""
    return text.split()


@lru_cache(maxsize=131072)
def _shape(word: str) -> str:
    out: list[str] = []
    for ch in word:
        if ch.isupper():
            c = "X"
        elif ch.islower():
            c = "x"
        elif ch.isdigit():
            c = "d"
        else:
            c = ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def _cat(ch: str) -> str:
    return unicodedata.category(ch)[0]


@lru_cache(maxsize=65536)
def word_features(word: str) -> tuple[str, ...]:
    """The features of a word on its own (cached: reference lists repeat words)."""
    bare = _STRIP.sub("", word).lower()
    feats = [f"w={bare}", f"sh={_shape(word)}", f"len={min(len(bare), 8)}"]
    if bare:
        feats += [f"p1={bare[:1]}", f"p2={bare[:2]}", f"p3={bare[:3]}", f"p4={bare[:4]}"]
        feats += [f"s1={bare[-1:]}", f"s2={bare[-2:]}", f"s3={bare[-3:]}", f"s4={bare[-4:]}"]
    first, last = word[0], word[-1]
    if not first.isalnum():
        feats.append(f"beg={first}")
    if not last.isalnum():
        feats.append(f"end={last}")
        if len(word) > 1 and not word[-2].isalnum():
            feats.append(f"end2={word[-2:]}")
    letters = [ch for ch in word if ch.isalpha()]
    if letters:
        if all(ch.isupper() for ch in letters):
            feats.append("caps=all" if len(letters) > 1 else "caps=one")
        elif letters[0].isupper():
            feats.append("caps=first")
        elif all(ch.islower() for ch in letters):
            feats.append("caps=lower")
        else:
            feats.append("caps=mixed")
    digits = sum(ch.isdigit() for ch in word)
    if digits:
        feats.append(f"digits={min(digits, 6)}")
    for name, pattern in (
        ("year", _YEAR),
        ("yrange", _YEAR_RANGE),
        ("range", _RANGE),
        ("voliss", _VOLISS),
        ("volpages", _VOL_PAGES),
        ("initial", _INITIAL),
        ("url", _URL),
        ("isbnform", _ISBN),
        ("ordinal", _ORDINAL),
    ):
        if pattern.search(word):
            feats.append(f"is={name}")
    if _ROMAN.match(word) and len(bare) <= 5:
        feats.append("is=roman")
    if _DOI.search(word):
        feats.append("is=doi")
    if bare in MONTHS:
        feats.append("dict=month")
    if bare in JOURNAL_WORDS:
        feats.append("dict=journal")
    if bare in PUBLISHER_WORDS:
        feats.append("dict=publisher")
    if bare in PLACE_WORDS:
        feats.append("dict=place")
    if word in PARTICLES:
        feats.append("dict=particle")
    cue = CUES.get(bare) or CUES.get(word.lower().strip(".,:;()[]"))
    if cue:
        feats.append(f"cue={cue}")
    if any(ch in '“”"«»„' for ch in word):
        feats.append("quote")
    if not letters and not digits:
        feats.append("punct-only")
    if any(_cat(ch) == "L" and not ch.isascii() for ch in word):
        feats.append("nonascii")
    return tuple(feats)


_OPEN = "([{"
_CLOSE = ")]}"


@lru_cache(maxsize=131072)
def _context(word: str) -> tuple[str, str, str, tuple[str, ...]]:
    """A token's bare word, shape, end character and is=/cue= features (cached)."""
    marks = tuple(f for f in word_features(word) if f.startswith(("is=", "cue=")))
    end = word[-1] if not word[-1].isalnum() else "a"
    return _STRIP.sub("", word).lower(), _shape(word), end, marks


def _neighbour(word: str, offset: int) -> tuple[str, ...]:
    """What a token shows to the token ``offset`` places away."""
    bare, shape, end, marks = _context(word)
    feats = [f"{offset}:w={bare}", f"{offset}:sh={shape}"]
    if offset in (-1, 1):
        feats.append(f"{offset}:end={end}")
        feats.extend(f"{offset}:{f}" for f in marks)
    return tuple(feats)


#: What a word carries into :func:`sequence_features`, computed once per word (see
#: :func:`_token`): its own features, its bare word, what it shows to the tokens two and
#: one places before and after it, and the flags the string-level state reads.
WordRecord = tuple[
    tuple[str, ...],  # word_features
    str,  # bare word
    tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]],  # -2 -1 1 2
    bool,  # is=year
    bool,  # cue=in
    str,  # its bracket and quote characters, in order ("" for most words)
    int,  # 1: ends a sentence-like period; 2: ends with a comma; 0: neither
    bool,  # ends a period-separated chunk (_chunk_end)
    int,  # chunk flags: 1 a year inside, 2 a digit, 4 a quote
]


@lru_cache(maxsize=131072)
def _token(word: str) -> WordRecord:
    """Everything :func:`sequence_features` needs of one word, cached per word.

    Why: a reference list repeats words, and the per-token work of the labeller (its
    features are most of the parse time) was looking up four caches, running two
    regular expressions and formatting several strings for every token.  One entry per
    word (the ~61,000 distinct tokens of the 9,782 training strings fit) gives the same
    features from one look-up.
    """
    bare, _, _, marks = _context(word)
    last = word[-1]
    initial = bool(_INITIAL.match(word))
    if last == "." and len(word) > 2 and not initial:
        ends = 1
    elif last == ",":
        ends = 2
    else:
        ends = 0
    flags = (
        (1 if _YEAR_IN.search(word) else 0)
        | (2 if any(map(str.isdigit, word)) else 0)
        | (4 if _QUOTE_IN.search(word) else 0)
    )
    return (
        word_features(word),
        bare,
        (
            _neighbour(word, -2),
            _neighbour(word, -1),
            _neighbour(word, 1),
            _neighbour(word, 2),
        ),
        "is=year" in marks,
        "cue=in" in marks,
        "".join(_STATE_CHARS.findall(word)),
        ends,
        _chunk_end(word),
        flags,
    )


def known_only(known: frozenset[str]) -> Callable[[str], WordRecord]:
    """Word records (:func:`_token`) keeping only the features in ``known``, cached per
    word: for a tagger, whose model ignores the attributes it does not know.

    Why: about one feature string in eight is not in the shipped model (rare words,
    prefixes, suffixes); crfsuite converts and looks up each string before dropping it,
    which made it a share of the parse time.  The features kept are in the same order,
    so the tagger's sums, labels and probabilities are the same.
    """
    whole = _token.__wrapped__  # not cached twice: the tagger's records are kept here

    @lru_cache(maxsize=131072)
    def record(word: str) -> WordRecord:
        own, bare, shown, *flags = whole(word)
        before2, before1, after1, after2 = (tuple(f for f in s if f in known) for s in shown)
        kept = tuple(f for f in own if f in known)
        return (kept, bare, (before2, before1, after1, after2), *flags)  # type: ignore[return-value]

    return record


@lru_cache(maxsize=4096)
def _shifted(offset: int, feats: tuple[str, ...]) -> tuple[str, ...]:
    """Dictionary features as a neighbour ``offset`` places away shows them (cached)."""
    return tuple(f"{offset}:{f}" for f in feats)


_NONE_BEFORE2, _NONE_BEFORE1, _NONE_AFTER1, _NONE_AFTER2 = (
    (f"{offset}:none",) for offset in (-2, -1, 1, 2)
)
# The position features as ready strings (formatting them per token was a visible share
# of the parse time).
_POS = tuple(f"pos={i}" for i in range(5))
_REL = tuple(f"rel={i}" for i in range(10))
_SINCE_YEAR = tuple(f"since-year={i}" for i in range(5))
_PERIODS = tuple(f"periods={i}" for i in range(7))
_COMMAS = tuple(f"commas={i}" for i in range(7))


Lookup = Callable[[str], Sequence[str]]
Names = Callable[[list[str]], list[list[str]]]


def sequence_features(
    tokens: list[str],
    lex: Lookup | None = None,
    names: Names | None = None,
    record: Callable[[str], WordRecord] | None = None,
) -> list[list[str]]:
    """The feature list of every token of one reference string (``lex``: the learnt
    dictionary features of a bare word, :mod:`citetrack.parse.crf.lexicon`; ``names``:
    every token's known-name features from the tokens' bare words,
    :mod:`citetrack.parse.crf.phrases`; ``record``: a word's record, by default all of
    its features, :func:`known_only` for a tagger).

    The order of the features is part of the model's input (the tagger sums their
    weights in this order), so it is fixed: the word's own, its chunk's, the position
    features, the neighbours' (-2, -1, 1, 2), the dictionary's (before, own, after) and
    the names'.
    """
    n = len(tokens)
    out: list[list[str]] = []
    periods = commas = depth = 0
    quoted = seen_in = seen_year = False
    info = list(map(record or _token, tokens))
    chunk_of, chunks = _chunks(info)
    words = [x[1] for x in info]
    found = [tuple(lex(w)) for w in words] if lex is not None else []
    named = names(words) if names is not None else None
    shown = [x[2] for x in info]
    # Where the years are, and the last token that closed a quoted span (none yet: -2).
    year_at = [i for i, x in enumerate(info) if x[3]]
    last_year = year_at[-1] if year_at else -1
    first_year = year_at[0] if year_at else n
    closed_at = -2
    for i, (own, _, _, is_year, is_in, state, ends, _, _) in enumerate(info):
        chunk = chunk_of[i]
        feats = [*own, *chunks[chunk]]
        if i < last_year:
            feats.append("year-ahead")
        if i > first_year:
            feats.append(_SINCE_YEAR[min(i - first_year, 4)])
        if closed_at >= 0:
            feats.append("after-quote" if closed_at < i - 1 else "quote-closed")
        if i == 0 or chunk_of[i - 1] != chunk:
            feats.append("chunk-start")
        feats.append(_POS[i] if i < 5 else _REL[10 * i // n])
        if i == n - 1:
            feats.append("last")
        feats.append(_PERIODS[min(periods, 6)])
        feats.append(_COMMAS[min(commas, 6)])
        if depth:
            feats.append("in-paren")
        if quoted:
            feats.append("in-quote")
        if seen_in:
            feats.append("after-in")
        if seen_year:
            feats.append("after-year")
        feats.extend(shown[i - 2][0] if i >= 2 else _NONE_BEFORE2)
        feats.extend(shown[i - 1][1] if i >= 1 else _NONE_BEFORE1)
        feats.extend(shown[i + 1][2] if i + 1 < n else _NONE_AFTER1)
        feats.extend(shown[i + 2][3] if i + 2 < n else _NONE_AFTER2)
        out.append(feats)
        if found:  # in this order: the model's attribute order follows it
            if i and found[i - 1]:
                feats.extend(_shifted(-1, found[i - 1]))
            feats.extend(found[i])
            if i + 1 < n and found[i + 1]:
                feats.extend(_shifted(1, found[i + 1]))
        if named is not None:
            feats.extend(named[i])
        # State for the tokens that follow.
        for ch in state:
            if ch in _OPEN:
                depth += 1
            elif ch in _CLOSE:
                depth = max(0, depth - 1)
            elif ch in "“«„":
                quoted = True
            elif ch in "”»":
                quoted = False
                closed_at = i
            elif ch == '"':
                quoted = not quoted
                closed_at = i if not quoted else closed_at
        seen_in = seen_in or is_in
        seen_year = seen_year or is_year
        if ends == 1:
            periods += 1
        elif ends == 2:
            commas += 1
    return out


def _chunk_end(token: str) -> bool:
    """Does a sentence-like chunk of the reference end with this token (``Title.``)?"""
    return token[-1] in ".?!" and len(token) > 2 and not _INITIAL.match(token)


@lru_cache(maxsize=4096)
def _chunk_features(index: int, from_end: int, size: int, flags: int) -> tuple[str, ...]:
    """The features of one chunk (cached: few distinct combinations)."""
    feats = [
        f"chunk={min(index, 5)}",
        f"chunk-end={min(from_end, 5)}",
        f"chunk-len={size if size < 4 else 6 if size < 7 else 12 if size < 13 else 13}",
    ]
    if flags & 1:
        feats.append("chunk-year")
    if flags & 2:
        feats.append("chunk-digits")
    if flags & 4:
        feats.append("chunk-quote")
    return tuple(feats)


def _chunks(info: list[WordRecord]) -> tuple[list[int], list[tuple[str, ...]]]:
    """The period-separated chunk of every token, and the features of each chunk.

    A chunk's features: its index from the start and from the end, its length, whether
    it holds a year, digits or a quote — a journal name is a short chunk before the
    chunk of numbers, a title a longer one before it.  Each is read from the words'
    cached flags: a year, a digit or a quote in the chunk's text is one inside one of
    its words (a year is four digits in a row, and the words are joined by spaces).
    """
    chunk_of: list[int] = []
    spans: list[tuple[int, int]] = []  # (size, flags)
    size = flags = 0
    for x in info:
        chunk_of.append(len(spans))
        size += 1
        flags |= x[8]
        if x[7]:
            spans.append((size, flags))
            size = flags = 0
    if size:
        spans.append((size, flags))
    total = len(spans)
    return chunk_of, [
        _chunk_features(index, total - 1 - index, size, flags)
        for index, (size, flags) in enumerate(spans)
    ]


_QUOTE_IN = re.compile('[“”"«»„]')
_YEAR_IN = re.compile(r"(?<!\d)(?:1[5-9]\d\d|20\d\d)(?!\d)")
_STATE_CHARS = re.compile(r'[()\[\]{}“”«»„"]')
