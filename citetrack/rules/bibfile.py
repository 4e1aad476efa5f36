"""Defects of the .bib file itself as findings, so nothing is skipped silently.

The reader records what it could not use (a block that does not parse, a key defined twice,
an undefined ``@string`` macro…) as :class:`~citetrack.inputs.bib.BibProblem`.  Each one
becomes a finding in every report format and in the summary count: on the reference it
concerns when that reference was read, else on a result of its own standing for the
skipped entry.  None of these needs the network, so they are reported offline too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from citetrack.inputs.bib import BibProblem
from citetrack.model import (
    CheckResult,
    Finding,
    Reference,
    ReferenceResult,
    Severity,
    Source,
)

#: Problems after which BibTeX (or citetrack) does not read the entry as written: broken,
#: so that they fail a pre-commit hook.  The others are warnings.
BROKEN_PROBLEMS = frozenset(
    {
        "bib-syntax",
        "bib-duplicate-key",
        "bib-empty-key",
        "bib-undefined-macro",
        "bib-string",
        "bib-unreadable",
    }
)
#: Problems whose entry was not read at all: they get a result of their own.
SKIPPED_PROBLEMS = frozenset({"bib-syntax", "bib-duplicate-key", "bib-empty-key"})


def problem_finding(problem: BibProblem, key: str) -> Finding:
    severity = Severity.BROKEN if problem.rule in BROKEN_PROBLEMS else Severity.WARNING
    return Finding(
        key=key,
        rule=problem.rule,
        severity=severity,
        message=problem.message,
        source=Source.CITATION,
        line=problem.line,
    )


def with_problems(result: CheckResult, problems: Iterable[BibProblem]) -> CheckResult:
    """``result`` with every problem as a finding (pure)."""
    problems = list(problems)
    if not problems:  # the usual case: no index of 100,000 results built for nothing
        return result
    results = list(result.results)
    where = {(rr.reference.path, rr.reference.key): i for i, rr in enumerate(results)}
    for problem in problems:
        at = where.get((problem.path, problem.key or ""))
        if problem.rule not in SKIPPED_PROBLEMS and at is not None:
            rr = results[at]
            finding = problem_finding(problem, rr.reference.key)
            results[at] = replace(rr, findings=(*rr.findings, finding))
            continue
        key = problem.key or f"(line {problem.line})"
        ref = Reference(key=key, entry_type="", fields={}, line=problem.line, path=problem.path)
        results.append(ReferenceResult(reference=ref, findings=(problem_finding(problem, key),)))
    return replace(result, results=tuple(results))
