"""Could-not-check findings grouped by cause, so a registry outage is one line, not 249.

Offline or with a registry down, every reference gets the same ``unverified`` finding
("Crossref could not be asked about DOI … (offline: not in cache)").  A report shows them
as one line per service and cause with the number of references, and lists per reference
only the findings that say something about that reference (:func:`split_unverified`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from citetrack.model import CheckResult, Finding, Severity

_CAUSE = re.compile(r"\(([^()]*)\)\s*\.?\s*$")


@dataclass(frozen=True)
class Cause:
    """One service and cause of unverified findings, and how many references it hit."""

    service: str
    cause: str
    references: int

    def line(self) -> str:
        noun = "reference" if self.references == 1 else "references"
        return f"{self.service}: could not check {self.references} {noun} ({self.cause})"


def cause_of(finding: Finding) -> tuple[str, str]:
    """(service, cause) of an unverified finding: its source and the parenthesised reason
    its message ends with (the whole message when there is none)."""
    service = finding.source.value if finding.source else "unknown"
    match = _CAUSE.search(finding.message)
    return service, (match.group(1).strip() if match else finding.message.strip())


def split_unverified(result: CheckResult) -> tuple[CheckResult, list[Cause]]:
    """``result`` without its ``unverified`` findings, and those grouped by cause (most
    references first), for display only: exit codes and summary counts come from the
    unsplit result."""
    counts: Counter[tuple[str, str]] = Counter()
    kept = []
    for rr in result.results:
        seen = {cause_of(f) for f in rr.findings if f.severity is Severity.UNVERIFIED}
        counts.update(seen)
        findings = tuple(f for f in rr.findings if f.severity is not Severity.UNVERIFIED)
        kept.append(replace(rr, findings=findings))
    causes = [Cause(s, c, n) for (s, c), n in counts.items()]
    causes.sort(key=lambda c: (-c.references, c.service, c.cause))
    return replace(result, results=tuple(kept)), causes
