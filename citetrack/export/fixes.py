"""From check findings to export fixes: which registry values a cleaned .bib may take.

Pure.  Only findings that carry a ``suggestion`` become fixes, and compare only suggests
when the registry record was retrieved by the citation's own identifier and its title and
first author agree with the citation — so a doubtful match never changes a .bib.

``prefer`` chooses whose value is written when both registries have one (PubMed by
default for biomedical fields): the comparison is run again on the preferred source's
evidence alone, and its suggestion wins for every field the full comparison flagged.
"""

from __future__ import annotations

from citetrack.export.model import Fix
from citetrack.inputs.bib import escape_plain, escape_value
from citetrack.model import CheckResult, Finding, ReferenceResult, Source
from citetrack.rules.compare import (
    RULE_MALFORMED,
    RULE_MISMATCH,
    RULE_MISSING_ID,
    compare_reference,
    fixable_suggestions,
)

#: Export fix kind for each rule whose suggestion can be written.
KIND_OF_RULE = {
    RULE_MISMATCH: "metadata",
    RULE_MISSING_ID: "add-ids",
    RULE_MALFORMED: "identifiers",
}


def _preferred(result: ReferenceResult, prefer: Source) -> dict[str, Finding]:
    evidence = [e for e in result.evidence if e.source is prefer]
    if not evidence:
        return {}
    return fixable_suggestions(compare_reference(result.reference, evidence))


def reference_fixes(
    result: ReferenceResult, kinds: frozenset[str], prefer: Source | None = None
) -> list[Fix]:
    """The fixes for one checked reference, restricted to ``kinds``."""
    chosen = fixable_suggestions(result.findings)
    if prefer is not None and chosen:
        preferred = _preferred(result, prefer)
        chosen.update({f: preferred[f] for f in chosen if f in preferred})
    fixes = []
    for field, finding in chosen.items():
        kind = KIND_OF_RULE[finding.rule]
        if kind not in kinds or finding.suggestion is None:
            continue
        source = finding.source.value if finding.source else "citetrack"
        # A registry's value is plain text: LaTeX in it must be printed, never run.
        from_registry = finding.source not in (None, Source.CITATION, Source.LOCKFILE)
        escape = escape_plain if from_registry else escape_value
        fixes.append(
            Fix(
                key=result.reference.key,
                field=field,
                new_value=escape(field, finding.suggestion),
                reason=finding.message,
                source=source,
                kind=kind,
            )
        )
    return fixes


def registry_fixes(
    result: CheckResult, kinds: frozenset[str], prefer: Source | None = None
) -> list[Fix]:
    """Every fix the check's findings allow, in reference order."""
    return [fix for r in result.results for fix in reference_fixes(r, kinds, prefer)]
