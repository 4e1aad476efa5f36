"""Defects of the input itself as findings, so nothing is skipped silently.

The .bib reader records what it could not use (a block that does not parse, a key defined
twice, an undefined ``@string`` macro…) as :class:`~citetrack.inputs.bib.BibProblem`;
an article's reader what it read with doubt or did not read (a line of its reference list
that is no reference, ``<ref name=… />`` never defined) as
:class:`~citetrack.parse.ParseProblem`, turned into the same by :func:`article_problems`.
Each one becomes a finding in every report format and in the summary count: on the
reference it concerns when that reference was read, else on a result of its own standing
for what was skipped.  None of these needs the network, so they are reported offline too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from citetrack.inputs.bib import BibProblem
from citetrack.model import (
    CheckResult,
    Finding,
    Location,
    Reference,
    ReferenceResult,
    Severity,
    Source,
)
from citetrack.rules.catalog import RULE_MALFORMED

if TYPE_CHECKING:  # the parser is not imported for a .bib-only run
    from citetrack.parse import ParseProblem

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


def article_problems(
    name: str, problems: Iterable[ParseProblem], keys: Collection[str]
) -> list[BibProblem]:
    """An article's parse problems as problems of the input ``name`` whose references
    have ``keys``: a problem about one reference (its message starts ``key: ``) on that
    reference, the others on their own.  An identifier that does not validate is left
    out: the check says so itself, from the field (``identifier-malformed``)."""
    out = []
    for problem in problems:
        if problem.rule == RULE_MALFORMED:
            continue
        key, sep, rest = problem.message.partition(": ")
        column = problem.column or 1
        if sep and key in keys:
            out.append(BibProblem(name, problem.line, rest, problem.rule, key, column=column))
        else:
            out.append(BibProblem(name, problem.line, problem.message, problem.rule, column=column))
    return out


def with_problems(result: CheckResult, problems: Iterable[BibProblem]) -> CheckResult:
    """``result`` with every problem as a finding (pure)."""
    problems = list(problems)
    if not problems:  # the usual case: no index of 100,000 results built for nothing
        return result
    results = list(result.results)
    where = {(rr.reference.path, rr.reference.key): i for i, rr in enumerate(results)}
    for problem in problems:
        if problem.key is None:  # several on one line (an article's line): one result
            key = f"(line {problem.line})"
            at = where.get((problem.path, key))
        else:
            key = problem.key
            at = None if problem.rule in SKIPPED_PROBLEMS else where.get((problem.path, key))
        if at is not None:
            rr = results[at]
            finding = problem_finding(problem, rr.reference.key)
            results[at] = replace(rr, findings=(*rr.findings, finding))
            continue
        placed = None if problem.column is None else Location(problem.line, problem.column)
        ref = Reference(
            key=key, entry_type="", fields={}, line=problem.line, path=problem.path, location=placed
        )
        results.append(ReferenceResult(reference=ref, findings=(problem_finding(problem, key),)))
        if problem.key is None:
            where[(problem.path, key)] = len(results) - 1
    return replace(result, results=tuple(results))
