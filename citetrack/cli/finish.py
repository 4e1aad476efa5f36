"""The last steps every report of a check takes, whether one run made it (``check``) or
N shards did (``merge``): the inputs' defects as findings, the notes on the inputs and on
the checks the options skipped, and the user's ignores.

One function, so that a merged report cannot drift from the unsharded one: the merge
once left out the defects (an entry that does not parse, a field given twice), the notes
and the ignores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from citetrack.api import TrackedResult
    from citetrack.config import Settings
    from citetrack.inputs.bib import BibProblem
    from citetrack.model import CheckResult


def finish(
    result: CheckResult,
    settings: Settings,
    *,
    problems: Sequence[BibProblem],
    notes: Sequence[str],
    registries: bool | None,
    links: bool | None,
) -> CheckResult:
    """``result`` with the inputs' ``problems`` as findings (in every format), the
    inputs' ``notes`` and one note per family of checks the options skipped
    (``registries``/``links``: whether they ran; ``None``: not known, no note), and the
    ignores of ``settings`` applied."""
    from citetrack.report.causes import skipped_by_options
    from citetrack.report.rules import RULE_IDS
    from citetrack.rules.bibfile import with_problems
    from citetrack.rules.ignore import apply_ignores

    result = with_problems(result, problems)
    skipped: list[str] = []
    if registries is not None and links is not None:
        skipped = skipped_by_options(result, registries=registries, links=links)
    if notes or skipped:
        result = replace(result, notes=(*result.notes, *notes, *skipped))
    result = apply_ignores(result, settings.ignore, known=RULE_IDS)
    said = [*unfound_notes(result), *gate_notes(result)]
    return replace(result, notes=(*result.notes, *said)) if said else result


def unfound_notes(result: CheckResult) -> list[str]:
    """One note for the references that nothing confirmed because no registry has them
    (``identifier-not-found`` and no live link): they are ``unchecked``, not "could not
    verify" (exit 3), but never silently so."""
    from citetrack.model import Status
    from citetrack.rules.search import RULE_NOT_FOUND

    keys = [
        rr.reference.key
        for rr in result.results
        if rr.status is Status.UNCHECKED and any(f.rule == RULE_NOT_FOUND for f in rr.findings)
    ]
    if not keys:
        return []
    return [
        f"{_count(len(keys), 'reference')} without a DOI, PMID or ISBN that no registry "
        f"search found: {_keys(keys)}; nothing confirms them (unchecked; every registry "
        "answered, so this is not 'could not verify'): add an identifier or a URL to have "
        "them checked"
    ]


def gate_notes(result: CheckResult) -> list[str]:
    """What ``--new-only`` decided that the exit code alone does not say
    (:mod:`citetrack.tracking.lockfile.gate`): the references the change adds or edits
    that could not be verified (the gate is pending), and those it did not touch whose
    findings came from upstream (listed, not the change's failure)."""
    from citetrack.model import UNCONFIRMABLE, Severity

    # A record that answered but cannot confirm the citation (no title, no authors) says
    # so again on every run: "run it again" would be false advice for those.
    waiting: list[str] = []
    unconfirmed: list[str] = []
    for rr in result.results:
        if rr.pending:
            lasting = all(
                f.rule in UNCONFIRMABLE for f in rr.findings if f.severity is Severity.UNVERIFIED
            )
            (unconfirmed if lasting else waiting).append(rr.reference.key)
    outside: dict[str, list[str]] = {}
    for rr in result.results:
        shown = [f.rule for f in rr.upstream if f in rr.findings]
        if shown and any(f.severity is not Severity.UNVERIFIED for f in rr.upstream):
            outside[rr.reference.key] = sorted(set(shown))
    notes = []
    if waiting:
        notes.append(
            f"--new-only: {_count(len(waiting), 'reference')} this change adds or edits "
            f"could not be verified: {_keys(waiting)}; the gate is pending (exit 4), not "
            "passed: run it again when the registries answer"
        )
    if unconfirmed:
        notes.append(
            f"--new-only: {_count(len(unconfirmed), 'reference')} this change adds or edits "
            f"cannot be confirmed by its identifier's record (it has no title and no "
            f"authors to compare): {_keys(unconfirmed)}; the gate is pending (exit 4), not "
            "passed, and running it again will not change that: cite the work's own "
            "identifier, or accept the reference as it is with `citetrack lock`"
        )
    if outside:
        said = [f"{key} ({', '.join(rules)})" for key, rules in outside.items()]
        notes.append(
            f"--new-only: {_count(len(outside), 'reference')} this change did not touch "
            f"changed upstream: {_keys(said)}; listed, but not this change's failure: the "
            "check without --new-only (the nightly job) fails on them until `citetrack "
            "lock` accepts them"
        )
    return notes


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _keys(keys: Sequence[str], shown: int = 5) -> str:
    """The first ``shown`` of ``keys``, and how many more."""
    more = len(keys) - shown
    return ", ".join(keys[:shown]) + (f" and {more} more" if more > 0 else "")


def apply_lockfile(
    result: CheckResult,
    settings: Settings,
    lockfile: str | None,
    *,
    update: bool,
    new_only: bool,
    started: float,
    problems: Sequence[BibProblem] = (),
    inputs: Sequence[str] = (),
) -> TrackedResult:
    """The lockfile's view of ``result`` and of the inputs' ``problems`` (``lockfile``:
    ``--lockfile``; a corrupt or unwritable lockfile: exit 2).  A lockfile written is
    dated ``started``, the start of the run whose answers it accepted
    (:func:`~citetrack.cli.freshness.stamp_lockfiles`).  ``inputs``: the run's inputs as
    given; the lockfiles below its directories are applied too, their files read or not
    (:func:`~citetrack.tracking.lockfile.folders.folder_lockfiles`)."""
    from citetrack.api import track
    from citetrack.cli import memory
    from citetrack.cli.freshness import stamp_lockfiles
    from citetrack.cli.output import fail, info
    from citetrack.tracking.lockfile import LockError
    from citetrack.tracking.lockfile.folders import folder_lockfiles

    try:
        # Reading a 10,000-reference lockfile builds some 150,000 objects that live to the
        # end of the run and no garbage cycles: three young collections (0.05 s) for nothing.
        with memory.paused():
            tracked = track(
                result,
                settings=settings,
                lockfile=lockfile,
                update=update,
                new_only=new_only,
                problems=problems,
                orphans=folder_lockfiles(inputs) if lockfile is None else (),
            )
    except LockError as exc:
        fail(str(exc), path=exc.path)
    stamp_lockfiles(tracked.written, started)
    for path in tracked.written:
        info(f"lockfile written: {path}")
    return tracked


def with_hidden_note(result: CheckResult, hidden: int) -> CheckResult:
    """``result`` with a note that ``--new-only`` left out ``hidden`` accepted findings
    (none: unchanged), so that a reference is not read as plain "ok"."""
    if not hidden:
        return result
    accepted = f"{hidden} finding{'s' if hidden != 1 else ''} the lockfile accepted"
    note = f"--new-only: {accepted} not shown (a check without it shows them)"
    return replace(result, notes=(*result.notes, note))
