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
