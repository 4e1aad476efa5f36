"""Identifier search for references without DOI/PMID: the queries, and what counts as found.

Pure.  :func:`needs_search` picks the references to ask about; :func:`citation_string`,
:func:`esearch_term` and :func:`bibliographic_query` build what PubMed's batch citation
matcher (ECitMatch), PubMed ESearch and Crossref ``query.bibliographic`` are asked;
:func:`search_findings` turns their answers (evidence items whose identifier starts with
:data:`SEARCH_PREFIX`) into findings.

A candidate is **accepted** only when its title is the citation's word for word
(:func:`citetrack.rules.spelling.title_equivalent`: case, punctuation, markup,
diacritics, ``&``/``and``, a leading article, hyphenation, British/American variants and
one-letter misspellings tolerated; a subtitle more or less only when the first page
agrees too — ``bench/search_false_match.py`` measured that "X" / "X: Part II" pairs
otherwise get filled with the sequel's identifier), the citation's
first author's family name is the record's first author's, and the years are at most one
apart.  Then ``missing-identifier`` (warning) names the DOI/PMID as the suggestion that
``export --fix add-ids`` writes.  Anything weaker is a note listing the candidates
(``identifier-candidates``), never a fill; several accepted candidates with different
identifiers (ambiguous) are that note only.  When every source answered and no candidate
was accepted, ``identifier-not-found`` says where citetrack looked: a note, so that the
reference is ``unchecked`` (nothing confirmed it, and nothing is left to ask) unless its
URL confirms it.  It was ``unverified``, which is "a check could not be made" (exit 3):
an article whose references have no identifier was exit 3 every night, though every
registry had answered, and a CI job that tolerates exit 3 for outages learnt nothing
from it.  A source that could not be asked leaves the reference ``unverified`` (never
broken), and that does make the exit code 3.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial

from citetrack.identifiers import normalize_doi, normalize_pmid
from citetrack.model import (
    Evidence,
    Finding,
    Found,
    NotFound,
    Reference,
    Severity,
    Source,
    Unavailable,
    WorkMetadata,
)
from citetrack.rules.catalog import RULE_MISSING_ID
from citetrack.rules.fields import extract_years, parse_pages, split_authors
from citetrack.rules.text import fold, main_title, to_plain

SEARCH_PREFIX = "search:"
ECITMATCH = "search:ecitmatch"
ESEARCH = "search:esearch"
CROSSREF_QUERY = "search:crossref"

RULE_CANDIDATES = "identifier-candidates"
RULE_NOT_FOUND = "identifier-not-found"
RULE_SEARCH_UNVERIFIED = "unverified"

#: Entry types searched in PubMed's title/author index as well as Crossref (books and
#: chapters are in NCBI Bookshelf: StatPearls chapters have PMIDs).
_WORDS_MAX = 8
# fmt: off
_STOPWORDS = frozenset((
    "a", "an", "and", "the", "of", "in", "on", "for", "to", "with", "by", "from", "at", "as",
    "or", "is", "are", "be", "its", "into", "via",
))
# fmt: on
_METHOD_NAMES = {
    ECITMATCH: "PubMed's citation matcher",
    ESEARCH: "PubMed's title and author search",
    CROSSREF_QUERY: "Crossref's bibliographic search",
}


def needs_search(ref: Reference) -> bool:
    """No DOI, PMID or PMCID (an ISBN book is checked by its ISBN instead) and a title
    with at least one word worth searching for (three letters or more, not a stopword)."""
    ids = ref.identifiers
    if ids.doi or ids.pmid or ids.pmcid or ids.isbn:
        return False
    return bool(_significant_words(ref.get("title") or ""))


def search_key(ref: Reference) -> str:
    """Where a reference's search answers are kept (a reference may lack a unique key)."""
    return f"{ref.path or ''}:{ref.line or 0}:{ref.key}"


def _first_family(ref: Reference) -> str | None:
    authors = split_authors(ref.get("author")).authors
    if not authors or authors[0].literal:
        return None
    return authors[0].family or None


def _initials(given: str) -> str:
    return "".join(w[0] for w in re.findall(r"[^\W\d_]+", given))[:2].lower()


def citation_string(ref: Reference) -> str | None:
    """``journal|year|volume|first_page|author|key|`` for ECitMatch, or ``None`` when the
    reference is not a journal article with journal, year, author and volume or page."""
    journal = ref.get("journal") or ref.get("journaltitle")
    years = extract_years(ref.get("year") or ref.get("date"))
    authors = split_authors(ref.get("author")).authors
    pages = parse_pages(ref.get("pages"))
    volume = (ref.get("volume") or "").strip()
    if not journal or not years or not authors or authors[0].literal:
        return None
    if not volume and pages is None:
        return None
    first = authors[0]
    author = " ".join(filter(None, (fold(first.family), _initials(first.given))))
    fields = [fold(journal), str(years[0]), fold(volume), pages.start if pages else "", author]
    if any("|" in f for f in fields):
        return None
    return "|".join(fields) + f"|{ref.key.replace('|', '_')}|"


def _significant_words(title: str) -> list[str]:
    words = [w for w in fold(title).split() if w not in _STOPWORDS and len(w) > 2]
    return words[:_WORDS_MAX]


def esearch_term(ref: Reference) -> str | None:
    """``w1 w2 …[ti] AND family[au]`` (lower case, so no word reads as an operator)."""
    words = _significant_words(ref.get("title") or "")
    family = _first_family(ref)
    if not words or not family:
        return None
    return f"{' '.join(words)}[ti] AND {fold(family)}[au]"


def bibliographic_query(ref: Reference) -> str:
    """Title, first author, year and container in one free-text string (Crossref)."""
    parts = [
        to_plain(ref.get("title") or ""),
        _first_family(ref) or "",
        " ".join(str(y) for y in extract_years(ref.get("year") or ref.get("date"))[:1]),
        to_plain(ref.get("journal") or ref.get("booktitle") or ""),
    ]
    return " ".join(p for p in parts if p).strip()


# ------------------------------------------------------------------------- acceptance


def _years(meta: WorkMetadata) -> set[int]:
    return set(meta.years) | ({meta.year} if meta.year else set())


def rejection(ref: Reference, meta: WorkMetadata) -> str | None:
    """Why a candidate is not accepted as the cited work, or ``None`` when it is."""
    # Imported when a candidate is judged: rapidfuzz's start-up is not every run's (a
    # warm run only asks which references need a search).
    from citetrack.rules.matching import first_author_matches, titles_match  # noqa: PLC0415
    from citetrack.rules.spelling import title_equivalent  # noqa: PLC0415

    title = ref.get("title") or ""
    if not meta.title or not titles_match(title, meta.title):
        return "title differs"
    # Only a subtitle more or less ("X" / "X: Part II") is weaker evidence: the first page
    # must agree too.
    if not title_equivalent(title, meta.title) and not (
        _dropped_subtitle(title, meta.title) and _corroborated(ref, meta)
    ):
        return "title differs (words added, dropped or replaced)"
    cited = split_authors(ref.get("author"))
    if not cited.authors or not meta.authors or not first_author_matches(cited, meta.authors):
        return "first author differs"
    mine = set(extract_years(ref.get("year") or ref.get("date")))
    theirs = _years(meta)
    if not mine or not theirs or all(abs(a - b) > 1 for a in mine for b in theirs):
        return "year differs"
    return None


def _dropped_subtitle(a: str, b: str) -> bool:
    return fold(a) == main_title(b) or fold(b) == main_title(a)


def _corroborated(ref: Reference, meta: WorkMetadata) -> bool:
    """The first page agrees, and the volume does not disagree."""
    volume = fold(ref.get("volume") or "")
    pages, theirs = parse_pages(ref.get("pages")), parse_pages(meta.pages)
    if volume and meta.volume and volume != fold(meta.volume):
        return False
    return pages is not None and theirs is not None and pages.start == theirs.start


def _label(meta: WorkMetadata) -> str:
    ident = f"PMID {meta.pmid}" if meta.pmid else f"DOI {meta.doi}" if meta.doi else "?"
    first = meta.authors[0].family or meta.authors[0].literal if meta.authors else "?"
    return f"{ident} '{meta.title or '?'}' ({first}, {meta.year or '?'})"


def _search_items(evidence: Sequence[Evidence]) -> list[Evidence]:
    return [e for e in evidence if e.identifier.startswith(SEARCH_PREFIX)]


def search_findings(ref: Reference, evidence: Sequence[Evidence]) -> list[Finding]:
    """Findings from the search answers in ``evidence`` (none when no search was made)."""
    items = _search_items(evidence)
    if not items:
        return []

    finding = partial(Finding.about, ref)

    found = [e for e in items if isinstance(e, Found)]
    accepted = [e for e in found if rejection(ref, e.metadata) is None]
    out: list[Finding] = []
    values: dict[str, dict[str, Found]] = {"pmid": {}, "doi": {}}
    for item in accepted:
        pmid, doi = normalize_pmid(item.metadata.pmid), normalize_doi(item.metadata.doi)
        if pmid:
            values["pmid"].setdefault(pmid, item)
        if doi:
            values["doi"].setdefault(doi, item)
    ambiguous = [f for f, v in values.items() if len(v) > 1]
    if accepted and not ambiguous:
        for field, label in (("pmid", "PMID"), ("doi", "DOI")):
            for value, item in values[field].items():
                how = _METHOD_NAMES.get(item.identifier, "a search")
                out.append(
                    finding(
                        RULE_MISSING_ID,
                        Severity.WARNING,
                        f"The citation has no {label}; {how} finds {label} {value} for this "
                        f"work ({_label(item.metadata)}: title, first author and year agree).",
                        field=field,
                        expected=value,
                        source=item.source,
                        suggestion=value,
                    )
                )
        return out
    unavailable = [e for e in items if isinstance(e, Unavailable)]
    if found:
        listed = "; ".join(
            f"{_label(e.metadata)} from {_METHOD_NAMES.get(e.identifier, 'a search')}"
            + (f" — {why}" if (why := rejection(ref, e.metadata)) else "")
            for e in _distinct(found)[:5]
        )
        lead = (
            "Several works match the citation equally well"
            if ambiguous
            else "No search result is close enough to add an identifier"
        )
        out.append(
            finding(
                RULE_CANDIDATES,
                Severity.NOTE,
                f"{lead}; candidates: {listed}.",
                field="pmid" if any(e.source is Source.PUBMED for e in found) else "doi",
            )
        )
    if unavailable:
        reasons = "; ".join(
            f"{_METHOD_NAMES.get(e.identifier, e.identifier)}: {e.reason}" for e in unavailable
        )
        out.append(
            finding(
                RULE_SEARCH_UNVERIFIED,
                Severity.UNVERIFIED,
                f"The search for this reference's DOI/PMID could not be completed ({reasons}).",
                source=unavailable[0].source,
            )
        )
    elif not ambiguous:
        looked = [
            f"{_METHOD_NAMES.get(e.identifier, e.identifier)}: {e.reason}"
            for e in items
            if isinstance(e, NotFound)
        ]
        if found:
            looked.append(f"{len(_distinct(found))} candidate(s) rejected, listed above")
        # Every source answered: nothing is left to ask, so this is no "could not verify"
        # (exit 3) but a note; the reference is unchecked unless its link confirms it.
        out.append(
            finding(
                RULE_NOT_FOUND,
                Severity.NOTE,
                f"No registry record is this work, so nothing confirms it ({'; '.join(looked)}).",
            )
        )
    return out


def _distinct(found: Sequence[Found]) -> list[Found]:
    seen: set[str] = set()
    out: list[Found] = []
    for item in found:
        key = item.metadata.pmid or item.metadata.doi or item.metadata.title or ""
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
