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
    return apply_ignores(result, settings.ignore, known=RULE_IDS)


def apply_lockfile(
    result: CheckResult,
    settings: Settings,
    lockfile: str | None,
    *,
    update: bool,
    new_only: bool,
    started: float,
    problems: Sequence[BibProblem] = (),
) -> TrackedResult:
    """The lockfile's view of ``result`` and of the inputs' ``problems`` (``lockfile``:
    ``--lockfile``; a corrupt or unwritable lockfile: exit 2).  A lockfile written is
    dated ``started``, the start of the run whose answers it accepted
    (:func:`~citetrack.cli.freshness.stamp_lockfiles`)."""
    from citetrack.api import track
    from citetrack.cli import memory
    from citetrack.cli.freshness import stamp_lockfiles
    from citetrack.cli.output import fail, info
    from citetrack.tracking.lockfile import LockError

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
