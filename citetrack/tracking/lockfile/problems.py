"""The defects of the input files a lockfile accepted, so ``--new-only`` shows only new ones.

A .bib file's own defects (a block that does not parse, a key defined twice, an undefined
macro…) and an article's (a line of its list not read as a reference, a reference read with
doubt) are reported as findings (:mod:`citetrack.rules.bibfile`), but they are no finding
of a reference the check compared: the per-reference ``accepted`` list does not hold them.
Without this record a pull-request gate (``check --new-only``) showed every defect a file
already had, on every pull request, and failed ``--fail-on warning`` for them.

A defect is known by its file's name, its rule, the entry it concerns (``None`` for a line
of its own) and its message with every number written ``#`` (not the digits inside a key):
lines added above it move its line numbers, and it is still the same defect.  Defects
alike are counted: when a file has more of one now than were accepted, all of them are
shown, since which one is new cannot be told.

The message is citetrack's own wording, and a newer citetrack words some otherwise: by
messages alone, the first gate after such an upgrade showed every accepted defect as new
and failed ``--fail-on warning`` on files nobody touched.  So a defect whose message was
not accepted is still old when its file has no more defects of its rule on its entry (or
on lines of their own) than the lockfile accepted: a defect is new when the change added
one, not when citetrack re-worded one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence

from citetrack.inputs.bib import BibProblem
from citetrack.tracking.lockfile.state import AcceptedProblem, Lock, file_name

_NUMBER = re.compile(r"\b\d+\b")


def without_numbers(text: str) -> str:
    """``text`` with every number written ``#``, as a defect's message is recorded."""
    return _NUMBER.sub("#", text)


def accepted_problem(problem: BibProblem) -> AcceptedProblem:
    """How the lockfile records ``problem`` (numbers, line numbers among them, left out)."""
    return AcceptedProblem(problem.rule, problem.key, without_numbers(problem.message))


def problem_file(problem: BibProblem) -> str:
    """The file name ``problem`` is recorded under (as a reference's: its directory is the
    lockfile's)."""
    return file_name(problem.path) if problem.path else ""


def _order(mark: AcceptedProblem) -> tuple[str, str, str]:
    return (mark.rule, mark.key or "", mark.message)


def record_problems(
    previous: Lock | None, problems: Iterable[BibProblem], files: Collection[str]
) -> dict[str, tuple[AcceptedProblem, ...]]:
    """The lockfile's ``problems`` after a run that read the files named ``files`` and
    found ``problems`` in them: those files' defects as they are now (none: no record),
    the other files' as the previous lockfile had them."""
    now: dict[str, list[AcceptedProblem]] = {}
    for problem in problems:
        now.setdefault(problem_file(problem), []).append(accepted_problem(problem))
    kept: Mapping[str, tuple[AcceptedProblem, ...]] = previous.problems if previous else {}
    out = {name: marks for name, marks in kept.items() if name not in files and name not in now}
    out.update({name: tuple(sorted(marks, key=_order)) for name, marks in now.items()})
    return out


def new_problems(problems: Sequence[BibProblem], lock: Lock | None) -> list[BibProblem]:
    """The ``problems`` that ``lock`` has not accepted (all of them without a lockfile).

    A defect is old when its file's record holds as many defects like it as there are now;
    when there are more now, every one like it is new (which is cannot be told).
    """
    if lock is None or not lock.problems:
        return list(problems)
    keys = [(problem_file(p), accepted_problem(p)) for p in problems]
    now = Counter(keys)
    accepted = Counter((name, mark) for name, marks in lock.problems.items() for mark in marks)
    # By rule and entry, whatever the wording (see above).
    now_kinds = Counter(_kind(name, mark) for name, mark in keys)
    accepted_kinds = Counter(_kind(name, mark) for name, mark in accepted.elements())
    return [
        p
        for p, key in zip(problems, keys, strict=True)
        if now[key] > accepted[key] and now_kinds[_kind(*key)] > accepted_kinds[_kind(*key)]
    ]


def _kind(name: str, mark: AcceptedProblem) -> tuple[str, str, str | None]:
    """A defect without its wording: its file, rule and entry."""
    return (name, mark.rule, mark.key)
