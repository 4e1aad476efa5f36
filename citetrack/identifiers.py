"""Pure normalising and validating of scholarly identifiers.

Every function here takes text as a user wrote it (``doi:10.1000/X.``,
``https://dx.doi.org/10.1000/x``, ``PMID 123``, ``978-0-7216-2921-6``…) and returns the
canonical form, or ``None`` when the text is not a valid identifier of that kind.  No I/O.

Checksums of ISBN and ISSN come from python-stdnum, which also carries the ISBN range
tables needed to hyphenate an ISBN correctly.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

from citetrack.model import Identifiers

# Crossref's advice is /^10.\d{4,9}/[-._;()/:A-Z0-9]+$/i for modern DOIs; older (SICI) DOIs
# contain <>[]#, so anything without whitespace is accepted after the prefix.
# https://www.crossref.org/blog/dois-and-matching-regular-expressions/
_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_IN_TEXT_RE = re.compile(r"\b10\.\d{4,9}/[^\s\"<>{}|\\^`]+")
_DOI_PREFIXES = re.compile(
    r"^(?:doi\s*:\s*|(?:https?://)?(?:dx\.)?doi\.org/|(?:https?://)?(?:www\.)?doi\.org/|urn:doi:)",
    re.IGNORECASE,
)
_PMID_RE = re.compile(r"^(?:pmid\s*:?\s*)?0*([1-9]\d{0,8})$", re.IGNORECASE)
_PMCID_RE = re.compile(r"^(?:pmcid\s*:?\s*)?(?:pmc)?\s*(\d{1,9})$", re.IGNORECASE)
_ARXIV_RE = re.compile(
    r"^(?:arxiv\s*:\s*)?((?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)$",
    re.IGNORECASE,
)
_TRAILING_PUNCT = ".,;:"


#: Characters that take no room on screen and that a copy from a web page, a PDF or a Word
#: file leaves in a field: zero-width space, non-joiner and joiner, word joiner, byte order
#: mark, soft hyphen.  No identifier has them; kept, a DOI with one is "not registered".
INVISIBLE = {0x200B: None, 0x200C: None, 0x200D: None, 0x2060: None, 0xFEFF: None, 0x00AD: None}


def invisible_in(value: str) -> list[str]:
    """The invisible characters of ``value`` (see :data:`INVISIBLE`), as ``U+200B``."""
    if value.isascii():
        return []
    return sorted({f"U+{ord(ch):04X}" for ch in value if ord(ch) in INVISIBLE})


def shown(value: str) -> str:
    """``value`` with each invisible character written out (``nejm<U+200B>c0805992``), so
    that a message quoting it shows where the character is."""
    if value.isascii():
        return value
    return "".join(f"<U+{ord(ch):04X}>" if ord(ch) in INVISIBLE else ch for ch in value)


def clean_doi(text: str | None) -> str | None:
    """A DOI without prefix, URL encoding or trailing punctuation, case kept.

    >>> clean_doi("doi:10.1056/NEJMc0805992.")
    '10.1056/NEJMc0805992'
    >>> clean_doi("https://dx.doi.org/10.1000%2F182") is not None
    True
    """
    if not text:
        return None
    value = text.strip() if text.isascii() else text.translate(INVISIBLE).strip()
    bare = _DOI_PREFIXES.sub("", value)
    # Percent-encoding is URL syntax: decoded in a doi.org URL, or in a DOI whose "/" is
    # itself encoded (10.1000%2F182).  Anywhere else "%" is part of the DOI; decoding it
    # again on every normalisation would ask the registries about another DOI.
    if "%" in bare and (bare != value or "/" not in bare):
        bare = urllib.parse.unquote(bare)
    value = bare
    value = value.strip().rstrip(_TRAILING_PUNCT)
    # A closing bracket with no opening one was punctuation of the sentence, not the DOI.
    while (
        value
        and value[-1] in ")]"
        and value.count(value[-1]) > value.count("(" if value[-1] == ")" else "[")
    ):
        value = value[:-1].rstrip(_TRAILING_PUNCT)
    return value if _DOI_RE.match(value) else None


def normalize_doi(text: str | None) -> str | None:
    """The DOI in its comparison form: :func:`clean_doi`, lower-cased (DOIs ignore case)."""
    value = clean_doi(text)
    return value.lower() if value else None


def find_dois(text: str) -> list[str]:
    """Every DOI that appears in free text, cleaned, in order of appearance."""
    found: list[str] = []
    for match in _DOI_IN_TEXT_RE.finditer(text):
        doi = clean_doi(match.group(0))
        if doi and doi not in found:
            found.append(doi)
    return found


#: Words written after a DOI in a field or a pasted reference that are no part of it
#: ("10.1056/NEJMc0805992 Epub 2008 Dec 3", "see 10.1000/xyz123 online", "… [PMID 1]").
_AFTER_DOI = frozenset((
    "see", "online", "epub", "ahead", "of", "print", "available", "at", "from", "accessed",
    "retrieved", "on", "published", "link", "full", "text", "pdf", "html", "abstract",
    "pmid", "pmcid", "pmc", "doi", "the", "article", "jan", "feb", "mar", "apr", "may",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "january", "february", "march",
    "april", "june", "july", "august", "september", "october", "november", "december",
))  # fmt: skip
_WORD = re.compile(r"[^\W_]+")


def doi_meant(text: str) -> str | None:
    """The DOI a malformed identifier field plainly means, or ``None``.

    One DOI in the text, and nothing after it but the end, a character no DOI has, or
    words that are not a DOI's (:data:`_AFTER_DOI`, numbers: a date, a PMID).  A DOI
    followed by other words (``10.1234/not a doi``) may be one cut at a space a paste put
    into it: the part before the space is another identifier, never the fix.

    >>> doi_meant("see 10.1000/xyz123 online")
    '10.1000/xyz123'
    >>> doi_meant("10.1234/not a doi") is None
    True
    """
    matches = list(_DOI_IN_TEXT_RE.finditer(text))
    dois = {clean_doi(m.group(0)) for m in matches} - {None}
    if len(dois) != 1:
        return None
    rest = text[matches[-1].end() :]
    for word in _WORD.findall(rest):
        if not word.isdigit() and word.lower() not in _AFTER_DOI:
            return None
    return dois.pop()


#: A DOI field's value written as a DOI (``10.``, after an optional ``doi:`` or resolver
#: URL), split at its first ``/`` into the prefix's registrant code and the suffix.
_DOI_ATTEMPT = re.compile(
    r"^\s*(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?10\.(?P<registrant>[^/\s]*)(?:/(?P<suffix>.*))?$",
    re.IGNORECASE | re.DOTALL,
)
_REGISTRANT = re.compile(r"^\d+(?:\.\d+)*$")


def impossible_doi(text: str) -> bool:
    """Is ``text`` written as a DOI that no registration agency can have issued?

    A DOI's prefix is ``10.`` and a registrant code of digits (subdivided by full stops),
    and a suffix follows the ``/`` (DOI Handbook §2.2,
    https://www.doi.org/the-identifier/resources/handbook/2_numbering).  ``10.abc/xyz``,
    ``10.1000`` and ``10.1000/`` name no work, for certain, without asking anyone; a
    suffix that merely looks odd (``10.1234/not a doi``) is not judged here.

    >>> impossible_doi("10.abc/xyz"), impossible_doi("10.1000/"), impossible_doi("not-a-doi")
    (True, True, False)
    """
    match = _DOI_ATTEMPT.match(text.translate(INVISIBLE))
    if match is None:
        return False
    suffix = (match.group("suffix") or "").strip()
    return not _REGISTRANT.match(match.group("registrant")) or not suffix


def normalize_pmid(text: str | None) -> str | None:
    """A PMID as digits without leading zeros, or ``None`` (``"PMID 19258446"`` works)."""
    if not text:
        return None
    match = _PMID_RE.match(text.translate(INVISIBLE).strip())
    return match.group(1) if match else None


def normalize_pmcid(text: str | None) -> str | None:
    """``PMC`` followed by digits (``"PMC 12345"``, ``"12345"`` → ``"PMC12345"``)."""
    if not text:
        return None
    match = _PMCID_RE.match(text.translate(INVISIBLE).strip())
    return f"PMC{int(match.group(1))}" if match else None


def normalize_isbn(text: str | None) -> str | None:
    """An ISBN as 13 digits after checksum validation (ISBN-10 is converted)."""
    if not text:
        return None
    value = re.sub(r"^isbn(?:-1[03])?\s*:?\s*", "", text.strip(), flags=re.IGNORECASE)
    # python-stdnum imported when an ISBN or ISSN is first read (its import also loads
    # pydoc): a warm run reads none, its entries are remembered already read.
    from stdnum import isbn as _isbn  # noqa: PLC0415
    from stdnum.exceptions import ValidationError  # noqa: PLC0415

    try:
        return str(_isbn.to_isbn13(_isbn.validate(value)))
    except ValidationError:
        return None


def format_isbn(text: str | None) -> str | None:
    """A valid ISBN as hyphenated ISBN-13 (``978-0-7216-2921-6``), per the ISBN ranges."""
    digits = normalize_isbn(text)
    if digits is None:
        return None
    from stdnum import isbn as _isbn  # noqa: PLC0415

    return str(_isbn.format(digits, convert=True))


def normalize_issn(text: str | None) -> str | None:
    """An ISSN as ``NNNN-NNNX`` after checksum validation."""
    if not text:
        return None
    value = re.sub(r"^e?issn\s*:?\s*", "", text.strip(), flags=re.IGNORECASE)
    from stdnum import issn as _issn  # noqa: PLC0415
    from stdnum.exceptions import ValidationError  # noqa: PLC0415

    try:
        return str(_issn.format(_issn.validate(value)))
    except ValidationError:
        return None


def normalize_arxiv(text: str | None) -> str | None:
    """An arXiv id without the ``arXiv:`` prefix (new ``2101.00001`` or old ``hep-th/9901001``)."""
    if not text:
        return None
    match = _ARXIV_RE.match(text.strip())
    return match.group(1) if match else None


def split_url(url: str) -> urllib.parse.SplitResult | None:
    """``urllib.parse.urlsplit`` of ``url``, or ``None`` where it raises (``http://[``:
    an unclosed IPv6 bracket): such a text is no URL, and reading it must not stop a run."""
    try:
        return urllib.parse.urlsplit(url)
    except ValueError:
        return None


#: ``\url{…}`` around a URL (compiled once: asked of every URL of every run).
_URL_MACRO_RE = re.compile(r"^\\url\{(.*)\}$")


#: LaTeX escapes a .bib's ``url`` often holds (Mendeley and JabRef write ``some\_page``,
#: ``50\%``, ``a\&b``, ``\~{}user``): no URL has a backslash there, and fetched as
#: written (``%5C_``) every such page was a 404, "dead".
_LATEX_URL_ESCAPE_RE = re.compile(
    r"\{?\\(?:textasciitilde|textunderscore)\}?(?:\{\})?|\\~(?:\{\})?|\\([_%&#$])"
)


def _unescape_latex_url(value: str) -> str:
    if "\\" not in value:
        return value

    def plain(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(1)
        return "_" if "textunderscore" in match.group(0) else "~"

    return _LATEX_URL_ESCAPE_RE.sub(plain, value)


#: A field holding several links, one after another (Mendeley writes every URL of a
#: document into ``url``, separated by blanks): each piece starts with a scheme.
_URL_LIST_RE = re.compile(r"^https?://\S+(?:\s+https?://\S+)+$", re.IGNORECASE)


def normalize_url(text: str | None) -> str | None:
    """An http(s) URL with surrounding space, ``\\url{}`` and angle brackets removed, and
    the LaTeX escapes of its characters (``\\_``, ``\\%``, ``\\~{}``…) undone.  Of a
    list of URLs separated by blanks (Mendeley's ``url``), the first: the blanks are
    not part of a URL, and the whole list fetched as one address is a dead page."""
    if not text:
        return None
    value = text.strip()
    if _URL_LIST_RE.match(value):
        value = value.split(None, 1)[0]
    value = _unescape_latex_url(_URL_MACRO_RE.sub(r"\1", value).strip("<> "))
    parts = split_url(value)
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return value


#: ``\url{…}`` anywhere in a field's text (``howpublished = {Online at \url{…}}``).
_URL_MACRO_IN_TEXT_RE = re.compile(r"\\url\{([^{}]*)\}")


def howpublished_url(text: str | None) -> str | None:
    """The http(s) URL a ``howpublished`` field gives in ``\\url{…}``, the way a @misc cites
    a web page, else ``None``."""
    macro = _URL_MACRO_IN_TEXT_RE.search(text or "")
    return normalize_url(macro.group(1)) if macro else None


def doi_from_url(url: str | None) -> str | None:
    """The DOI behind a doi.org / dx.doi.org link, else ``None``."""
    if not url:
        return None
    parts = split_url(url.strip())
    if parts is None:
        return None
    if parts.netloc.lower() in ("doi.org", "dx.doi.org", "www.doi.org") and parts.path:
        return normalize_doi(urllib.parse.unquote(parts.path.lstrip("/")))
    return None


@dataclass(frozen=True)
class IdentifierProblem:
    """A field that holds something that is not a valid identifier of its kind."""

    field: str
    value: str
    reason: str
    #: What to write instead, when it is known (the value without an invisible character).
    suggestion: str | None = None


_ARCHIVE_FIELDS = ("archiveurl", "archive-url", "archive_url", "urlarchive")
_NORMALISERS = {
    "doi": (normalize_doi, "not a DOI (expected 10.<registrant>/<suffix>)"),
    "pmid": (normalize_pmid, "not a PMID (expected 1 to 9 digits)"),
    "pmcid": (normalize_pmcid, "not a PMCID (expected PMC followed by digits)"),
    "isbn": (normalize_isbn, "not a valid ISBN (wrong length or checksum)"),
    "issn": (normalize_issn, "not a valid ISSN (wrong length or checksum)"),
    "eprint": (normalize_arxiv, "not an arXiv identifier"),
}
_URL_PREFIX = re.compile(r"\s*(?:https?|ftp)://", re.IGNORECASE)
_ARXIV_URL = re.compile(
    r"^\s*https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?/?\s*$",
    re.IGNORECASE,
)
# Field names other tools use for the same identifiers (Scopus exports ``pubmed_id``…).
_ALIASES = {"pubmed_id": "pmid", "pubmed": "pmid", "pmc": "pmcid", "arxiv": "eprint"}
# biblatex's ``eprint`` + ``eprinttype`` (or ``archiveprefix``) for identifiers other than
# arXiv: ``eprinttype = {pubmed}`` is biblatex's own way of giving a PMID.
_EPRINT_TYPES = {"arxiv": "eprint", "pubmed": "pmid", "pmid": "pmid", "pmc": "pmcid",
                 "pmcid": "pmcid", "doi": "doi"}  # fmt: skip


def _first(value: str) -> str:
    """The first of several values written in one field (``isbn = {A, B}``)."""
    return re.split(r"\s*[,;]\s*|\s+and\s+", value.strip())[0]


#: Free-text fields an export writes identifiers into (Zotero's "Extra" is exported as a
#: note), and the identifiers read from them when no field of their own gives them.
_NOTE_FIELDS = ("note", "annote", "extra")
_OTHER_RECORD = re.compile(
    r"erratum|comment|retract|correct|update|republished|expression of concern|see also",
    re.IGNORECASE,
)
#: "Wikidata Q56435123" in a note: the Wikidata item a ``{{Cite Q}}`` takes its whole
#: citation from (the wikitext reader writes it there).  Not an identifier citetrack
#: checks: it does not read Wikidata.
WIKIDATA_IN_TEXT = re.compile(r"\bWikidata\s*:?\s*(Q[1-9]\d*)\b")
#: "PMID: 19258446" / "PMID 19258446" in running text (a note, a pasted reference).
PMID_IN_TEXT = re.compile(r"\bPMID\s*:?\s*(\d{1,9})\b")
_NOTE_IDS = (
    ("pmid", PMID_IN_TEXT),
    ("pmcid", re.compile(r"\bPMCID\s*:?\s*(PMC\d{1,9})\b", re.IGNORECASE)),
)


def extract_identifiers(
    fields: Mapping[str, str],
) -> tuple[Identifiers, list[IdentifierProblem]]:
    """Identifiers of an entry's fields, and the fields whose identifier is malformed.

    A DOI is also taken from a doi.org ``url`` when no ``doi`` field exists.  ``eprint``
    counts as arXiv when ``archiveprefix``/``eprinttype`` says arXiv or is absent, as a PMID
    when it says ``pubmed`` (biblatex), as a PMCID when it says ``pmc``; a field of that
    name wins over the ``eprint``.
    """
    values: dict[str, str | None] = {}
    problems: list[IdentifierProblem] = []
    lowered = {k.lower(): v for k, v in fields.items()}
    eprint_type = lowered.get("archiveprefix", lowered.get("eprinttype", "arxiv"))
    eprint_as = _EPRINT_TYPES.get(eprint_type.strip().lower())
    # The eprint last, so that a ``pmid`` field given beside it is the one used.
    names = sorted(lowered, key=lambda n: _ALIASES.get(n, n) == "eprint")
    for name in names:
        raw = lowered[name]
        canonical = _ALIASES.get(name, name)
        if canonical not in _NORMALISERS or not raw or not raw.strip():
            continue
        if canonical == "eprint" and name == "eprint" and eprint_as not in (None, "eprint"):
            canonical = eprint_as
        elif canonical == "eprint" and (
            eprint_as != "eprint"
            # Google Scholar, OUP and JAMA exports put the PDF's URL in eprint.
            or (_URL_PREFIX.match(raw) and not _ARXIV_URL.search(raw))
        ):
            continue
        from_url = _ARXIV_URL.search(raw) if canonical == "eprint" else None
        normaliser, reason = _NORMALISERS[canonical]
        hidden = invisible_in(raw)
        if hidden:
            raw = raw.translate(INVISIBLE)
        text = raw if canonical == "doi" else from_url.group(1) if from_url else _first(raw)
        value = normaliser(text)
        if value is None:
            problems.append(IdentifierProblem(name, raw.strip(), reason))
        elif hidden:
            said = ", ".join(hidden)
            problems.append(
                IdentifierProblem(
                    name,
                    lowered[name].strip(),
                    f"written with an invisible character ({said}), left by a copy and "
                    f"paste; it was looked up as '{text.strip()}'",
                    suggestion=text.strip(),
                )
            )
        values.setdefault(canonical, value)
    # Zotero and PubMed exports write "PMID: 19258446" (and "PMCID: PMC…") in a note.
    for note in (lowered.get(f) for f in _NOTE_FIELDS):
        for name, pattern in _NOTE_IDS if note else ():
            found = pattern.search(note or "")
            # "Erratum in: Lancet. 2010;375:445. PMID: 20137807" is another record's.
            if found and values.get(name) is None and not _OTHER_RECORD.search(note or ""):
                values[name] = _NORMALISERS[name][0](found.group(1))
    # A @misc's page in howpublished = {\url{…}} is its URL too: the link check fetches it,
    # and the lockfile follows a renamed key or file by it as by a url field.
    url = normalize_url(lowered.get("url")) or (
        None if lowered.get("url") else howpublished_url(lowered.get("howpublished"))
    )
    archive = next((normalize_url(lowered[f]) for f in _ARCHIVE_FIELDS if lowered.get(f)), None)
    doi = values.get("doi") or doi_from_url(url)
    return (
        Identifiers(
            doi=doi,
            pmid=values.get("pmid"),
            pmcid=values.get("pmcid"),
            isbn=values.get("isbn"),
            issn=values.get("issn"),
            arxiv=values.get("eprint"),
            url=url,
            archive_url=archive,
        ),
        problems,
    )
