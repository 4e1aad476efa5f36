"""Frozen data types shared by every stage of citetrack.

The program's data flows one way — parse → resolve → compare → report/export — and these
types are what flows.  This module does no I/O and imports nothing else of citetrack, so
every other module may import it.

Conventions:

* BibTeX field names are lower-case everywhere (``doi``, ``pmid``, ``urldate``…).
* Identifiers inside :class:`Identifiers` are already normalised (see ``identifiers.py``):
  DOIs bare and lower-case, PMIDs digits only, PMCIDs ``PMC`` + digits, ISBNs as ISBN-13
  digits, ISSNs ``NNNN-NNNN``.
* What a registry says about a work is :class:`WorkMetadata`; whether the registry could
  be asked at all is told by the :data:`Evidence` union — ``Found`` / ``NotFound`` /
  ``Unavailable`` — so that "could not verify" can never be mistaken for "broken".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property


class Severity(StrEnum):
    """How bad one finding is.  The reference's status is the worst of its findings."""

    NOTE = "note"  # informational (e.g. "no archived copy of a live URL")
    WARNING = "warning"  # probably wrong, worth a look
    UNVERIFIED = "unverified"  # the check could not be made; never "broken"
    CHANGED = "changed"  # differs from the lockfile baseline
    BROKEN = "broken"  # the registry answered, and the citation is wrong

    @property
    def rank(self) -> int:
        """Order used for ``--fail-on`` and for a reference's overall status."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.NOTE: 0,
    Severity.UNVERIFIED: 1,
    Severity.WARNING: 2,
    Severity.CHANGED: 3,
    Severity.BROKEN: 4,
}


class Status(StrEnum):
    """Verdict for one reference."""

    OK = "ok"
    #: Nothing was found wrong, but no source confirmed anything either (no identifier or
    #: URL to ask about, or those checks were switched off): never called ``ok``.
    UNCHECKED = "unchecked"
    #: ``--new-only``: every finding it has is one the lockfile accepted, so none is
    #: shown (a run without ``--new-only`` shows them); neither "ok" nor "unchecked".
    ACCEPTED = "accepted"
    WARNING = "warning"
    UNVERIFIED = "unverified"
    CHANGED = "changed"
    BROKEN = "broken"


class Source(StrEnum):
    """Who said so: the origin of a piece of evidence or a finding."""

    CITATION = "citation"  # the .bib itself (syntax checks, duplicates)
    CROSSREF = "crossref"
    PUBMED = "pubmed"
    PMC = "pmc"  # PMC id converter
    DOI_ORG = "doi.org"  # handle API / registration agency lookup
    WEB = "web"  # a live URL
    WAYBACK = "wayback"
    LOCKFILE = "lockfile"
    OPENLIBRARY = "openlibrary"  # Open Library Books API (ISBNs)
    GOOGLE_BOOKS = "googlebooks"  # Google Books volumes API (ISBNs)


# --------------------------------------------------------------------------- references


@dataclass(frozen=True)
class Identifiers:
    """Normalised identifiers of one reference (``None`` / empty where absent)."""

    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    isbn: str | None = None
    issn: str | None = None
    arxiv: str | None = None
    url: str | None = None
    archive_url: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The identifiers that are present, by name (for reports and the lockfile)."""
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class Location:
    """Where a reference sits in an article (set only for references read from an article).

    ``line``/``column`` (1-based) are those of its ``{{cite …}}`` template, or of its
    ``<ref>`` when it has no template (rendered text: the item's line, column 1);
    ``ref_name`` is its ``<ref name=…>``; ``number`` its label in the rendered reference
    list (``"3"``, or ``"note 2"`` for ``group=note``).

    ``source`` is the citation's text as the article writes it (the ``{{cite …}}``
    template, the ``<ref>``'s body without one, the rendered item): the lockfile keeps
    a digest of it, so that an edit is told from another citetrack version's parse of
    the same text (:mod:`citetrack.tracking.lockfile.citetext`).  Not compared, not shown.
    """

    line: int
    column: int = 1
    ref_name: str | None = None
    number: str | None = None
    template: str | None = None  # the cite template's name, e.g. "cite journal"
    source: str | None = field(default=None, compare=False, repr=False)

    def describe(self) -> str:
        """``line 12, col 5, <ref name="x">, [3]`` — how reports show it."""
        parts = [f"line {self.line}, col {self.column}"]
        if self.ref_name:
            parts.append(f'<ref name="{self.ref_name}">')
        if self.number:
            parts.append(f"[{self.number}]")
        return ", ".join(parts)


@dataclass(frozen=True)
class ArticleInfo:
    """The article a run read: where from, in what format, and which revision."""

    source: str  # the file name or page URL as given
    format: str  # "wikitext" or "text"
    title: str | None = None
    revision: int | None = None  # MediaWiki revision id
    timestamp: str | None = None  # the revision's ISO 8601 timestamp
    api_url: str | None = None  # the MediaWiki Action API endpoint asked
    name: str = ""  # the name its references are tracked under (their ``path``)

    def describe(self) -> str:
        """``Title (revision 123, 2024-01-02T03:04:05Z) from SOURCE`` for report headers."""
        name = self.title or self.source
        if self.revision is not None:
            when = f", {self.timestamp}" if self.timestamp else ""
            return f"{name} (revision {self.revision}{when}) from {self.source}"
        return f"{name} ({self.format})" if name == self.source else f"{name} from {self.source}"


@dataclass(frozen=True)
class Reference:
    """One bibliography entry.

    ``fields`` holds the entry's BibTeX fields as text (lower-case names, values without
    the outer braces), in their original order.  ``line`` is the 1-based line of the
    entry's ``@type{`` in ``path`` (or of the item in a parsed reference list), so every
    finding can point at it.
    """

    key: str
    entry_type: str
    fields: Mapping[str, str]
    identifiers: Identifiers = field(default_factory=Identifiers)
    line: int | None = None
    path: str | None = None
    location: Location | None = None  # only for references read from an article

    def get(self, name: str) -> str | None:
        """A field's value, or ``None``; ``name`` is case-insensitive."""
        return self.fields.get(name.lower())

    @cached_property
    def digest(self) -> str:
        """A hash of the entry type, the fields (in their order) and the identifiers:
        everything the comparison rules read of a reference, and nothing of where it is
        (key, line, path).  The memo of findings is keyed by it (:mod:`citetrack.incremental`).

        Computed once per object (the object is frozen; ``dataclasses.replace`` makes a
        new one).  The .bib memo stores it with the entry and hands it back through
        :func:`known_digest`, so a warm run hashes no unchanged entry (issue 16).
        """
        # Compact JSON (the C encoder): repr() of the fields and the dataclass took 7 % of
        # a warm 100,000-reference check.
        fields = self.fields if type(self.fields) is dict else dict(self.fields)  # any Mapping
        text = _encode([self.entry_type, fields, tuple(self.identifiers.__dict__.values())])
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


#: Compact JSON keeping non-ASCII text as it is (the digest hashes its UTF-8).
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def known_digest(ref: Reference, digest: str) -> Reference:
    """``ref`` with :attr:`Reference.digest` already known to be ``digest`` (what a store
    computed from this very entry); returns ``ref``."""
    ref.__dict__["digest"] = digest  # the cached_property's own place
    return ref


_new = object.__new__
_set = object.__setattr__


def stored_reference(
    key: str,
    entry_type: str,
    fields: Mapping[str, str],
    identifiers: Identifiers,
    line: int | None,
    *,
    path: str | None,
    digest: str,
) -> Reference:
    """``known_digest(Reference(key, entry_type, fields, identifiers, line, path), digest)``
    without the frozen dataclass's ``__init__`` (an ``object.__setattr__`` per field): the
    instance dictionary ``known_digest`` makes anyway, filled in ``__init__``'s order, the
    digest last (the same keys, shared by every reference: no memory more).  A
    100,000-entry load from the .bib memo built references in 0.27 s, now 0.10 s (issue
    16); ``tests/test_bib_memo.py`` holds the two equal, field for field."""
    ref = _new(Reference)
    values = ref.__dict__
    values["key"] = key
    values["entry_type"] = entry_type
    values["fields"] = fields
    values["identifiers"] = identifiers
    values["line"] = line
    values["path"] = path
    values["location"] = None
    values["digest"] = digest
    return ref


def identifiers_of(values: Sequence[str | None]) -> Identifiers:
    """``Identifiers(*values)`` for all eight, in field order, without the dataclass's
    ``__init__`` (its global lookup per field): 0.18 -> 0.10 s for 100,000 (issue 16);
    the attributes set as it sets them, so no instance dictionary is made."""
    doi, pmid, pmcid, isbn, issn, arxiv, url, archive_url = values
    ids = _new(Identifiers)
    _set(ids, "doi", doi)
    _set(ids, "pmid", pmid)
    _set(ids, "pmcid", pmcid)
    _set(ids, "isbn", isbn)
    _set(ids, "issn", issn)
    _set(ids, "arxiv", arxiv)
    _set(ids, "url", url)
    _set(ids, "archive_url", archive_url)
    return ids


# ------------------------------------------------------------------- registry metadata


@dataclass(frozen=True)
class Author:
    """An author as a registry gives it.  Organisations have only ``literal``."""

    family: str = ""
    given: str = ""
    literal: str = ""

    @property
    def display(self) -> str:
        if self.literal:
            return self.literal
        return f"{self.family}, {self.given}".strip(", ")


class UpdateKind(StrEnum):
    """Editorial notices attached to a work (Crossref ``updated-by``, PubMed comments)."""

    RETRACTION = "retraction"
    WITHDRAWAL = "withdrawal"
    REMOVAL = "removal"
    EXPRESSION_OF_CONCERN = "expression_of_concern"
    CORRECTION = "correction"
    OTHER = "other"  # new_version and unknown types: informational only


@dataclass(frozen=True)
class Update:
    """One notice about a work: its kind, the notice's identifier, who asserted it, when."""

    kind: UpdateKind
    notice_id: str | None = None  # DOI (or PMID) of the notice
    asserted_by: str | None = None  # "publisher", "retraction-watch", "pubmed"
    date: str | None = None  # ISO date if known
    label: str | None = None  # the registry's own label, e.g. "Retraction"


@dataclass(frozen=True)
class WorkMetadata:
    """What one registry says about one work, normalised to plain text.

    Titles have markup stripped and whitespace collapsed; ``years`` lists every year the
    registry gives (print, online, issued) so that comparison can accept either;
    ``year`` is the registry's primary (issued / pubdate) year.
    """

    source: Source
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    title: str | None = None
    authors: tuple[Author, ...] = ()
    year: int | None = None
    years: tuple[int, ...] = ()
    month: int | None = None
    container: str | None = None
    container_short: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    work_type: str | None = None
    issn: tuple[str, ...] = ()
    isbn: tuple[str, ...] = ()
    publisher: str | None = None
    updates: tuple[Update, ...] = ()
    publication_types: tuple[str, ...] = ()
    agency: str | None = None  # registration agency (Crossref, DataCite, mEDRA…)


# ----------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class Found:
    """The registry answered and knows the identifier."""

    source: Source
    identifier: str
    metadata: WorkMetadata


@dataclass(frozen=True)
class NotFound:
    """The registry answered, definitively, that it does not know the identifier."""

    source: Source
    identifier: str
    reason: str


@dataclass(frozen=True)
class Unavailable:
    """The registry could not be asked or gave no usable answer (timeout, 429, 5xx, garbage).

    Never a verdict about the citation, and never cached.
    """

    source: Source
    identifier: str
    reason: str


Evidence = Found | NotFound | Unavailable


# ------------------------------------------------------------------------------- links


class LinkVerdict(StrEnum):
    """What a URL check concluded."""

    OK = "ok"
    REDIRECTED = "redirected"  # moved permanently to another page
    DEAD = "dead"  # 404 / 410 / no such host
    SOFT_404 = "soft-404"  # 200 that says "not found", or deep link sent to the front page
    BLOCKED = "blocked"  # 401 / 403 / 429 / bot wall: could not verify
    UNAVAILABLE = "unavailable"  # timeout, 5xx after retries, reset
    REFUSED = "refused"  # not fetched by policy (private address, bad scheme)


@dataclass(frozen=True)
class LinkStatus:
    """Evidence from fetching one URL."""

    url: str
    verdict: LinkVerdict
    status_code: int | None = None
    final_url: str | None = None
    redirects: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class ArchiveStatus:
    """Evidence about a Wayback capture of a URL."""

    url: str
    archive_url: str | None = None  # the capture checked or suggested
    timestamp: str | None = None  # 14-digit Wayback timestamp
    original_status: int | None = None
    available: bool | None = None  # None: could not ask
    reason: str = ""


# ---------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """One thing worth telling the user about one reference.

    ``rule`` is a stable id (``doi-not-found``, ``metadata-mismatch``…).  ``expected`` is
    what the authority (registry, lockfile) says; ``actual`` is what the citation says or
    what was seen now.  ``suggestion`` is a value a fix could write.
    """

    key: str
    rule: str
    severity: Severity
    message: str
    field: str | None = None
    expected: str | None = None
    actual: str | None = None
    source: Source | None = None
    line: int | None = None
    suggestion: str | None = None

    @classmethod
    def about(
        cls,
        ref: Reference,
        rule: str,
        severity: Severity,
        message: str,
        *,
        field: str | None = None,
        expected: str | None = None,
        actual: str | None = None,
        source: Source | None = None,
        suggestion: str | None = None,
    ) -> Finding:
        """A finding about ``ref``, keyed and located (its line) as the reference is:
        what every rule writes."""
        return cls(
            key=ref.key,
            rule=rule,
            severity=severity,
            message=message,
            field=field,
            expected=expected,
            actual=actual,
            source=source,
            line=ref.line,
            suggestion=suggestion,
        )


def _rank(severity: Severity) -> int:
    return severity.rank


#: The rule of the stand-in a lockfile check reports for a reference gone from the inputs.
REMOVED_RULE = "reference-removed"
#: ``unverified`` rules that a later run would most likely say again (a bot wall): never
#: what makes a pull-request gate pending (:attr:`ReferenceResult.pending`).
LASTING_UNVERIFIED = frozenset({"url-blocked"})
#: ``unverified`` rules whose registry answered but whose record cannot confirm the
#: citation (``identifier-unconfirmed``: no title, no authors).  They still make a gate
#: pending — a fabricated citation of an issue's DOI must not pass — but the advice is to
#: fix or accept the reference, not to wait (:func:`citetrack.cli.finish.gate_notes`).
UNCONFIRMABLE = frozenset({"identifier-unconfirmed"})


@dataclass(frozen=True)
class ReferenceResult:
    """A reference with everything that was found out about it."""

    reference: Reference
    findings: tuple[Finding, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    links: tuple[LinkStatus, ...] = ()
    archives: tuple[ArchiveStatus, ...] = ()
    #: Findings the user chose to ignore (``citetrack-ignore`` field): shown as
    #: suppressed, never part of the status or the exit code.
    suppressed: tuple[Finding, ...] = ()
    #: Findings the lockfile accepted, left out by ``--new-only``: not shown, not in the
    #: exit code, but the reference is ``accepted`` rather than ``ok`` or ``unchecked``.
    accepted: tuple[Finding, ...] = ()
    #: ``--new-only`` (a pull-request gate): the change added or edited this reference —
    #: the lockfile has no entry for it, or recorded other identifiers.  What could not be
    #: verified about it makes the gate pending (exit 4), not "could not verify" (3).
    touched: bool = False
    #: ``--new-only``: the findings of a reference the change did not touch that came
    #: from upstream (a new retraction, a URL that died; see
    #: :mod:`citetrack.tracking.lockfile.gate`): listed in every report, but not this
    #: gate's failure (the check without ``--new-only``, the nightly job, fails on them).
    upstream: tuple[Finding, ...] = ()

    # ``verified`` and ``status`` are read several times per result by the summary and
    # each report: plain loops, and no ``max`` without findings (most results), not
    # cached (a cached value gives each of 100,000 results a dictionary of its own:
    # 46 MB, tracemalloc; issue 16).
    @property
    def verified(self) -> bool:
        """Whether some source confirmed something: a registry record, or a live link or
        archive copy.  A record that cannot confirm the citation (:data:`UNCONFIRMABLE`: no
        title, no authors) confirms nothing: the summary said "1 confirmed by a source"
        beside "1 unverified" for the same fabricated reference."""
        for e in self.evidence:
            if isinstance(e, Found):
                findings = self.findings
                if not findings or not any(f.rule in UNCONFIRMABLE for f in findings):
                    return True
                break
        for x in self.links:
            if x.verdict in (LinkVerdict.OK, LinkVerdict.REDIRECTED):
                return True
        return any(a.available for a in self.archives)

    @property
    def pending(self) -> bool:
        """``--new-only``: the change made this reference (``touched``) and something about
        it could not be verified for now, so the gate is pending (exit 4).  A site that
        refuses robots (``url-blocked``) does so every time: waiting would not help, so it
        stays "could not verify" (exit 3), or a pull request citing it could never pass."""
        return self.touched and any(
            f.severity is Severity.UNVERIFIED and f.rule not in LASTING_UNVERIFIED
            for f in self.findings
        )

    @property
    def removed(self) -> bool:
        """Whether this is the stand-in for a reference the lockfile has and the inputs
        no longer do (``reference-removed``): it is reported, but it is not a reference
        of this run, so the summary does not count it among the references."""
        return any(f.rule == REMOVED_RULE for f in self.findings)

    @property
    def status(self) -> Status:
        """The worst finding decides; notes alone leave a reference ``accepted`` if
        ``--new-only`` left out findings the lockfile accepted, else ``ok`` if a source
        confirmed it, ``unchecked`` if none did."""
        findings = self.findings
        worst = max((f.severity for f in findings), key=_rank) if findings else None
        if worst is None or worst is Severity.NOTE:
            if self.accepted:
                return Status.ACCEPTED
            return Status.OK if self.verified else Status.UNCHECKED
        return Status(worst.value)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one ``citetrack check`` run over one or more .bib files."""

    results: tuple[ReferenceResult, ...]
    requests: Mapping[str, int] = field(default_factory=dict)  # HTTP requests per service
    articles: tuple[ArticleInfo, ...] = ()  # the articles read (not .bib files)
    #: What the run says about its inputs as a whole (a .bib read as Latin-1…).
    notes: tuple[str, ...] = ()
    #: When the first cached answer this result was computed from expires (epoch seconds;
    #: ``None``: none was used; 0: the cache failed during the run).  After that a run
    #: would ask the registry again.
    evidence_fresh_until: float | None = None
    #: ``check --local`` made it: no registry was asked and no cache read, by choice, so
    #: what it skipped is told as the hook's scope, not as a missing network.
    local: bool = False

    def summary(self) -> dict[str, int]:
        """Counts of results by status (every status present, zeros included), the
        total, how many references the lockfile has that the inputs no longer do
        (``removed``: each is also counted as ``changed``, its status, but not in the
        total, which counts the references of the inputs), and how many a source
        confirmed (``verified``)."""
        counts = {s.value: 0 for s in Status}
        removed = 0
        for r in self.results:
            counts[r.status.value] += 1
            removed += r.removed
        counts["total"] = len(self.results) - removed
        counts["removed"] = removed
        counts["verified"] = sum(1 for r in self.results if r.verified)
        return counts

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for r in self.results for f in r.findings)
