"""``--format github``: GitHub Actions workflow commands that annotate the .bib file.

One line per finding, worst first: ``::error`` for broken, ``::warning`` for warning and
changed, ``::notice`` for unverified (notes only when asked: ``notes=True``).  With
``--new-only``, a reference the change adds or edits that could not be verified — what
makes the gate pending, exit 4 — is an ``::error`` on its own line too: the outage's
notice names only the first references it hit, so a pull request failed as pending
without an annotation on the reference that failed it (:func:`_pending`).  Unverified
findings are one ``::notice`` per cause (:mod:`citetrack.report.causes`: an outage or
``--offline`` is one annotation, naming the first references it hit, on their file when
they are in one), or one per reference with ``notes=True`` (``-v``).  GitHub shows
about 10 annotations of each kind per step and drops the rest silently, so at most
:data:`PER_KIND` of each kind are emitted, and a last plain line says how many were left
out (the SARIF and Markdown reports have them all)::

    ::error file=refs.bib,line=12,title=url-dead (smith2020)::https://… is dead (HTTP 404)

Values are escaped as the Actions toolkit does (``escapeData`` / ``escapeProperty`` in
https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts): ``%``, CR and
LF always, and ``:`` and ``,`` inside properties.  Every line break in data is encoded, so
a hostile title cannot start a command line of its own.
"""

from __future__ import annotations

from pathlib import Path

from citetrack.model import LASTING_UNVERIFIED, CheckResult, Finding, ReferenceResult, Severity
from citetrack.report._article import headers, where
from citetrack.report._common import findings_by_severity, report_path, suppressed_said, values
from citetrack.report._escape import sanitize
from citetrack.report.causes import split_unverified

_COMMANDS = {
    Severity.BROKEN: "error",
    Severity.CHANGED: "warning",
    Severity.WARNING: "warning",
    Severity.UNVERIFIED: "notice",
    Severity.NOTE: "notice",
}


def escape_data(text: str) -> str:
    """A command's message: ``%``, CR and LF percent-encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value: as :func:`escape_data`, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _message(f: Finding, place: str = "") -> str:
    lines = [f"{sanitize(f.key)}: {sanitize(f.message)}"]
    if place:
        lines.append(f"at: {place}")
    lines += [f"{label}: {sanitize(value)}" for label, value in values(f)]
    return escape_data("\n".join(lines))


def _pending(rr: ReferenceResult, root: str | Path | None) -> str:
    """The ``::error`` on a reference the change made that could not be verified (the
    gate is pending: exit 4), saying what could not be checked about it."""
    unverified = [
        f.message
        for f in rr.findings
        if f.severity is Severity.UNVERIFIED and f.rule not in LASTING_UNVERIFIED
    ]
    more = f" (and {len(unverified) - 1} more)" if len(unverified) > 1 else ""
    key = rr.reference.key
    message = (
        f"{sanitize(key)}: this change adds or edits the reference, and it could not be "
        f"verified: {sanitize(unverified[0])}{more} The pull-request gate is pending "
        "(exit 4), not passed: run it again when the registries answer."
    )
    props = []
    path = report_path(rr.reference.path, root)
    if path:
        props.append(f"file={escape_property(sanitize(path))}")
        if rr.reference.line:
            props.append(f"line={rr.reference.line}")
            if rr.reference.location is not None:
                props.append(f"col={rr.reference.location.column}")
    props.append(f"title={escape_property(sanitize(f'pending ({key})'))}")
    return f"::error {','.join(props)}::{escape_data(message)}"


#: Annotations of one kind (error, warning, notice) GitHub shows per step.
PER_KIND = 10


def format_github(
    result: CheckResult,
    *,
    root: str | Path | None = None,
    notes: bool = False,
    per_kind: int = PER_KIND,
) -> str:
    """One workflow command per finding (paths relative to ``root``, default the cwd),
    at most ``per_kind`` of each kind.

    GitHub keeps the first ``per_kind`` annotations of each kind of a step and drops the
    rest without a word, so what the run says as a whole comes first, as notices within
    the budget: how many annotations were left out (the SARIF, Markdown and JSON reports
    list them all), and the findings an ignore suppressed; a last plain line repeats the
    first for the log."""
    suppressed, file = suppressed_said(result, root)
    pinned = []
    if suppressed:  # the reviewer must see what an ignore hid
        on = f"file={escape_property(sanitize(file))}," if file else ""
        pinned.append(f"::notice {on}title=citetrack::{escape_data(sanitize(suppressed))}")
    lines, left_out = _commands(result, root, notes, per_kind, per_kind - len(pinned))
    if not any(left_out.values()):
        return "".join(line + "\n" for line in pinned + lines)
    # One notice more to say so: one notice less for the rest.
    lines, left_out = _commands(result, root, notes, per_kind, per_kind - len(pinned) - 1)
    counts = ", ".join(f"{n} {kind}" for kind, n in left_out.items() if n)
    said = (
        f"{counts} annotation(s) left out (GitHub shows about {per_kind} of each kind per "
        "step); the SARIF, Markdown or JSON report lists every finding"
    )
    first = f"::notice title=citetrack::{escape_data(said)}"
    return "".join(line + "\n" for line in [first, *pinned, *lines, f"citetrack: {said}"])


def _commands(
    result: CheckResult,
    root: str | Path | None,
    notes: bool,
    per_kind: int,
    notices: int,
) -> tuple[list[str], dict[str, int]]:
    """The commands of the findings and causes, at most ``per_kind`` of each kind but
    ``notices`` notices, and how many of each kind were left out."""
    # The article(s) checked, and their revisions, first (issue 14); they are notices too.
    lines = [f"::notice title=citetrack::{escape_data(h)}" for h in headers(result)]
    budget = dict.fromkeys(_COMMANDS.values(), per_kind) | {"notice": notices}
    shown = dict.fromkeys(_COMMANDS.values(), 0)
    shown["notice"] = len(lines)
    left_out = dict.fromkeys(_COMMANDS.values(), 0)
    display, causes = (result, []) if notes else split_unverified(result)
    for rr in result.results:
        if not rr.pending:
            continue
        if shown["error"] >= budget["error"]:
            left_out["error"] += 1
            continue
        shown["error"] += 1
        lines.append(_pending(rr, root))
    for rr, f in findings_by_severity(display):
        if f.severity is Severity.NOTE and not notes:
            continue
        kind = _COMMANDS[f.severity]
        # --new-only: from upstream, on a reference the change did not touch: the
        # change's annotation is no error (see citetrack.tracking.lockfile.gate).
        outside = bool(rr.upstream) and f in rr.upstream and f.severity is not Severity.UNVERIFIED
        if outside and kind == "error":
            kind = "warning"
        if shown[kind] >= budget[kind]:
            left_out[kind] += 1
            continue
        shown[kind] += 1
        props = []
        path = report_path(rr.reference.path, root)
        line = f.line or rr.reference.line
        if path:
            props.append(f"file={escape_property(sanitize(path))}")
            if line:
                props.append(f"line={line}")
                if rr.reference.location is not None:
                    props.append(f"col={rr.reference.location.column}")
        title = f"{f.rule} ({f.key})" + (", upstream: not from this change" if outside else "")
        props.append(f"title={escape_property(sanitize(title))}")
        lines.append(f"::{kind} {','.join(props)}::{_message(f, where(rr.reference))}")
    for cause in causes:
        if shown["notice"] >= budget["notice"]:
            left_out["notice"] += 1
            continue
        shown["notice"] += 1
        # On the file (and line) it hit, when that is one: GitHub shows it there.
        props = []
        file = report_path(cause.file(), root)
        if file:
            props.append(f"file={escape_property(sanitize(file))}")
            if len(cause.entries) == 1 and cause.entries[0].line:
                props.append(f"line={cause.entries[0].line}")
        props.append("title=citetrack")
        lines.append(f"::notice {','.join(props)}::{escape_data(sanitize(cause.line()))}")
    return lines, left_out
