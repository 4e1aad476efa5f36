"""Small helpers shared by the formatters: finding order and file paths as reports show them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path, PurePath

from citetrack.model import CheckResult, Finding, ReferenceResult


def report_path(path: str | None, root: str | Path | None = None) -> str | None:
    """``path`` with forward slashes, relative to ``root`` (default: the working directory).

    A relative path is taken as already relative to ``root``; an absolute path outside
    ``root`` stays absolute.
    """
    if not path:
        return None
    pure = PurePath(path)
    if pure.is_absolute():
        base = Path(root) if root is not None else Path.cwd()
        with contextlib.suppress(ValueError):  # outside root: keep it absolute
            pure = pure.relative_to(base.resolve())
    return pure.as_posix()


def values(f: Finding) -> list[tuple[str, str]]:
    """The finding's ``expected`` / ``actual`` values that are present, labelled."""
    pairs = (("expected", f.expected), ("actual", f.actual))
    return [(label, value) for label, value in pairs if value is not None]


def findings_by_severity(result: CheckResult) -> Iterator[tuple[ReferenceResult, Finding]]:
    """Every finding with its reference, worst first, then in file and line order.

    Readers (and CI annotation limits) see the most serious problems first.
    """
    pairs = [(rr, f) for rr in result.results for f in rr.findings]
    pairs.sort(
        key=lambda p: (
            -p[1].severity.rank,
            p[0].reference.path or "",
            p[1].line or p[0].reference.line or 0,
            p[0].reference.key,
        )
    )
    return iter(pairs)


def present_counts(summary: dict[str, int]) -> dict[str, int]:
    """:meth:`CheckResult.summary` with the removed references taken out of ``changed``,
    so that the status counts a report prints add up to its total (the references of the
    inputs); ``removed`` stays, for a line of its own."""
    return {**summary, "changed": summary["changed"] - summary["removed"]}


#: Suppressed findings the one line about them names before "and N more".
_NAMED = 5


def suppressed_said(result: CheckResult, root: str | Path | None = None) -> tuple[str, str | None]:
    """The line every report gives the findings an ignore suppressed (``""``: none), and
    the one file they are in, if one (for an annotation there).

    A pull request may add ``% citetrack: ignore doi-not-found`` above the entry it adds:
    the ignore keeps the finding from the status and the exit code, as documented, but
    the annotations and the step summary, what a reviewer reads, said nothing of it."""
    hidden = [(rr, f) for rr in result.results for f in rr.suppressed]
    if not hidden:
        return "", None
    files: dict[str, list[str]] = {}
    for rr, f in hidden[:_NAMED]:
        path = report_path(rr.reference.path, root) or ""
        files.setdefault(path, []).append(f"{rr.reference.key} ({f.rule})")
    named = "; ".join(f"{p}: {', '.join(k)}" if p else ", ".join(k) for p, k in files.items())
    more = len(hidden) - _NAMED
    noun = "finding" if len(hidden) == 1 else "findings"
    line = (
        f"{len(hidden)} {noun} suppressed by an ignore (not in the statuses or the exit "
        f"code): {named}{f' and {more} more' if more > 0 else ''}"
    )
    paths = {report_path(rr.reference.path, root) for rr, _ in hidden}
    return line, (paths.pop() if len(paths) == 1 else None)
