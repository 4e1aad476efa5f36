"""Could-not-check findings grouped by cause, so a registry outage is one line, not 249.

Offline or with a registry down, every reference gets the same ``unverified`` finding
("Crossref could not be asked about DOI … (offline: not in cache)").  A report shows them
as one line per service and cause with the number of references, and lists per reference
only the findings that say something about that reference (:func:`split_unverified`).

With ``--offline`` and an empty cache, every registry and link check is skipped for lack
of a cached answer: those are one line for the whole run, ``offline: registry checks
skipped for 236 references (DOI, PMID, URL); run without --offline to verify``
(:class:`OfflineCause`), while the rules that need no network still give their findings.
With ``--local`` (the pre-commit hook: no cache read at all) the line says ``--local: …;
run citetrack check without --local to verify``.  Every format uses these lines: text,
lines, Markdown, GitHub annotations and the JSON ``causes``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from citetrack.model import CheckResult, Finding, Found, NotFound, Severity, Source
from citetrack.report._common import report_path
from citetrack.report._escape import sanitize

#: References a cause line names before "and N more" (``-v`` and the JSON name them all).
NAMED = 5


@dataclass(frozen=True)
class Entry:
    """A reference a cause hit: its file (as reports show it), key and line."""

    path: str | None
    key: str
    line: int | None


@dataclass(frozen=True)
class Cause:
    """One service and cause of unverified findings, how many references it hit, and
    which (``entries``, in the run's order).

    The line names the first :data:`NAMED` of them by file and key: "crossref: could not
    check 13 references (HTTP 503)" alone sent a CI user, who sees no ``-v`` list, to
    guess which of a repository's citations were left unchecked.
    """

    service: str
    cause: str
    references: int
    entries: tuple[Entry, ...] = ()

    def line(self) -> str:
        noun = "reference" if self.references == 1 else "references"
        head = f"{self.service}: could not check {self.references} {noun} ({self.cause})"
        return head + self.named()

    def named(self) -> str:
        """``: docs/a/refs.bib: k1, k2; docs/b/refs.bib: k3 and 10 more`` (or ``""``)."""
        if not self.entries:
            return ""
        files: dict[str, list[str]] = {}
        for entry in self.entries[:NAMED]:
            files.setdefault(entry.path or "", []).append(entry.key)
        parts = [
            f"{path}: {', '.join(keys)}" if path else ", ".join(keys)
            for path, keys in files.items()
        ]
        more = len(self.entries) - NAMED
        return ": " + "; ".join(parts) + (f" and {more} more" if more > 0 else "")

    def file(self) -> str | None:
        """The one file every reference of the cause is in, if there is one."""
        paths = {entry.path for entry in self.entries}
        return paths.pop() if len(paths) == 1 else None

    def as_json(self) -> dict[str, object]:
        return {
            "service": self.service,
            "cause": self.cause,
            "references": self.references,
            "line": self.line(),
            "entries": [
                {
                    "path": sanitize(e.path) if e.path else None,
                    "key": sanitize(e.key),
                    "line": e.line,
                }
                for e in self.entries
            ],
        }


@dataclass(frozen=True)
class OfflineCause(Cause):
    """The checks ``--offline`` skipped (nothing cached): one line for the whole run;
    ``cause`` names what was skipped (``DOI, PMID, URL``)."""

    #: ``check --local`` (the pre-commit hook): no cache was read either, so "run without
    #: --offline" is advice for another option; the way to verify is a plain check.
    local: bool = False

    def line(self) -> str:
        # Not named: offline is the whole run's choice (the pre-commit hook), not a
        # failure of some references.
        noun = "reference" if self.references == 1 else "references"
        if self.local:
            return (
                f"--local: registry checks skipped for {self.references} {noun} "
                f"({self.cause}); run citetrack check without --local to verify"
            )
        return (
            f"offline: registry checks skipped for {self.references} {noun} ({self.cause}); "
            "run without --offline to verify"
        )


# "(offline: not in cache)" from a registry or the cache, "offline: not checked" from links,
# "(--local: no registry asked)" from a registry under --local.
_OFFLINE = re.compile(r"\boffline: not (?:in cache|checked)\b|--local: no registry asked")
_KINDS = {"doi": "DOI", "pmid": "PMID", "pmcid": "PMCID", "isbn": "ISBN"}
_KIND_ORDER = ("DOI", "PMID", "PMCID", "ISBN", "search", "URL", "archive")


def _offline_kind(f: Finding) -> str:
    """What an offline finding skipped: an identifier, the search, a URL or an archive."""
    if f.source is Source.WAYBACK:
        return "archive"
    if f.source is Source.WEB:
        return "URL"
    if f.field and f.field.lower() in _KINDS:
        return _KINDS[f.field.lower()]
    return "search" if f.field is None else f.field


def cause_of(finding: Finding) -> tuple[str, str]:
    """(service, cause) of an unverified finding: its source and the last parenthesised
    reason in its message ("… DOI 10.1/x (offline: not in cache); its metadata …"), or the
    whole message when there is none."""
    service = finding.source.value if finding.source else "unknown"
    reasons = _outer_groups(finding.message)
    return service, (reasons[-1].strip() if reasons else finding.message.strip())


def _outer_groups(text: str) -> list[str]:
    """The texts inside the outermost balanced parentheses of ``text``, in order: a
    reason may hold parentheses of its own ("HTTP 429; … after 3600 s (more than the 60
    s cap)"), which the innermost group alone cut down to "more than the 60 s cap"."""
    groups: list[str] = []
    depth, start = 0, 0
    for at, char in enumerate(text):
        if char == "(":
            if depth == 0:
                start = at + 1
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                groups.append(text[start:at])
    if depth:  # unbalanced (a DOI with a lone "("): the innermost groups, as before
        return _INNERMOST.findall(text)
    return groups


_INNERMOST = re.compile(r"\(([^()]*)\)")


_UNVERIFIED = Severity.UNVERIFIED
#: Findings that are a verdict on their reference, not a service that could not be
#: asked: "no registry record is this work" (the identifier search found nothing) names
#: where it looked for *that* citation, and "the record has no title or authors" is this
#: citation's own.  They stay on their reference, never a cause line: 500 books without a
#: DOI are 500 rows to look at, not 500 "could not check" lines without their keys.
#: (``identifier-not-found`` is a note now, never ``unverified``: kept here for a finding
#: of that rule made ``unverified`` elsewhere, e.g. by a test.)
_PER_REFERENCE = frozenset({"identifier-not-found", "identifier-unconfirmed"})


def _grouped(f: Finding) -> bool:
    """Whether an unverified finding goes to a cause line (else it stays on its row)."""
    return f.severity is _UNVERIFIED and (
        f.rule not in _PER_REFERENCE or _OFFLINE.search(f.message) is not None
    )


def split_unverified(result: CheckResult) -> tuple[CheckResult, list[Cause]]:
    """``result`` without its ``unverified`` findings, and those grouped by cause: the
    offline line first, then the others, most references first.  For display only: exit
    codes and summary counts come from the unsplit result."""
    kept = tuple(
        replace(rr, findings=tuple(f for f in rr.findings if not _grouped(f)))
        if any(_grouped(f) for f in rr.findings)
        else rr
        for rr in result.results
    )
    return replace(result, results=kept), unverified_causes(result)


def unverified_causes(result: CheckResult) -> list[Cause]:
    """The ``unverified`` findings of ``result`` grouped by cause (see
    :func:`split_unverified`), without copying the result."""
    hit: dict[tuple[str, str], list[Entry]] = {}
    offline_refs = 0
    offline_kinds: set[str] = set()
    for rr in result.results:
        unverified = [f for f in rr.findings if _grouped(f)]
        if not unverified:
            continue
        offline = [f for f in unverified if _OFFLINE.search(f.message)]
        offline_refs += bool(offline)
        offline_kinds.update(_offline_kind(f) for f in offline)
        ref = rr.reference
        entry = Entry(report_path(ref.path), ref.key, ref.line)
        for cause in dict.fromkeys(cause_of(f) for f in unverified if f not in offline):
            hit.setdefault(cause, []).append(entry)
    causes = [Cause(s, c, len(entries), tuple(entries)) for (s, c), entries in hit.items()]
    causes.sort(key=lambda c: (-c.references, c.service, c.cause))
    if offline_refs:
        order = {k: i for i, k in enumerate(_KIND_ORDER)}
        kinds = sorted(offline_kinds, key=lambda k: (order.get(k, len(order)), k))
        service = "local" if result.local else "offline"
        skipped = OfflineCause(service, ", ".join(kinds), offline_refs, local=result.local)
        causes.insert(0, skipped)
    return causes


#: How :mod:`citetrack.net` words a request that never reached its server.
_NO_CONNECTION = "connection failed"


def unreachable_hint(result: CheckResult, causes: Sequence[Cause]) -> str | None:
    """A line for a run in which no registry could be reached at all (a laptop without a
    network: ~20 s of retries, then every reference unverified), or ``None``: where the
    run's answers may be had at once."""
    asked = [c for c in causes if not isinstance(c, OfflineCause)]
    if not asked or any(_NO_CONNECTION not in c.cause for c in asked):
        return None
    if any(isinstance(e, Found | NotFound) for rr in result.results for e in rr.evidence):
        return None  # something answered: not a machine without a network
    return (
        "no registry could be reached (every connection failed): without a network, "
        "citetrack check --offline answers at once from the cache, and what is not in it "
        "is unverified"
    )


def cause_lines(result: CheckResult) -> list[str]:
    """The grouped could-not-check lines of ``result`` (see :func:`split_unverified`)."""
    return [cause.line() for cause in unverified_causes(result)]


def skipped_by_options(result: CheckResult, *, registries: bool, links: bool) -> list[str]:
    """One line per family of checks the run was told to skip (``--links-only``,
    ``--no-links``) for references that have something it would have checked, so that a
    reference whose DOI nothing looked at is not silently reported as fine."""
    refs = [rr.reference for rr in result.results if rr.reference.entry_type]
    lines = []
    if not registries:
        kinds = {
            name.upper(): sum(1 for r in refs if getattr(r.identifiers, name))
            for name in ("doi", "pmid", "pmcid", "isbn")
        }
        hit = sum(
            1
            for r in refs
            if any(getattr(r.identifiers, k) for k in ("doi", "pmid", "pmcid", "isbn"))
        )
        if hit:
            named = ", ".join(k for k, n in kinds.items() if n)
            noun = "reference" if hit == 1 else "references"
            lines.append(
                f"--links-only: registry checks not run for {hit} {noun} ({named}); their "
                "status covers their links only"
            )
    if not links:
        hit = sum(1 for r in refs if r.identifiers.url or r.identifiers.archive_url)
        if hit:
            noun = "reference" if hit == 1 else "references"
            lines.append(f"--no-links: the links of {hit} {noun} were not checked")
    return lines
