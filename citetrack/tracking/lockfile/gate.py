"""``--new-only`` as a pull-request gate: which references the change made, and which
findings are the change's to answer for.

A gate compares a pull request's files with the committed lockfile.  Two failures of the
gate were failures of its workflow, not of any check:

* A pull request adding a fabricated DOI passed on a night the registries were down: the
  new reference was "could not verify" (exit 3), which the gate tolerates for the old
  references an outage leaves unchecked.  A reference the change *made* — the lockfile has
  no entry for it, recorded other identifiers, or the change renamed its key — is
  :func:`touched`; what could not be
  verified about it for now makes the gate *pending* (exit 4), which the gate does not
  tolerate (:attr:`~citetrack.model.ReferenceResult.pending`: a bot wall, which answers
  so every time, is not "for now").
* An overnight retraction of a reference no one touched failed every pull request until
  someone ran ``citetrack lock``: a ``changed`` finding is measured against the lockfile,
  so it is always new.  On a reference the change did not touch, the findings that depend
  only on its identifiers (which the lockfile shows unchanged) and on the world —
  :data:`UPSTREAM_RULES` and every ``changed`` finding but the change's own
  (:data:`CHANGE_RULES`) — cannot be the change's: they are :func:`upstream`, listed in
  every report (a note names them) but not the gate's failure.  The check without
  ``--new-only`` — the nightly job — fails on them as before.

What "touched" cannot see: the lockfile keeps no copy of an entry's text, so an edit of
a touched reference's title or authors alone is not seen as touching it.  Such an edit
cannot hide an upstream finding either way: what it can introduce (``metadata-mismatch``,
``identifier-other-work``…) depends on the edited fields and is never upstream.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from citetrack.model import Finding, Reference, Severity
from citetrack.tracking.lockfile.confirm import as_now
from citetrack.tracking.lockfile.state import LockEntry

#: Rules whose verdict depends only on a reference's identifiers and on the world (the
#: registries, the web, the Wayback Machine): on a reference whose identifiers the change
#: left as the lockfile recorded them, the change cannot have caused them.
UPSTREAM_RULES = frozenset(
    {
        "doi-not-found",
        "pmid-not-found",
        "pmcid-not-found",
        "isbn-not-found",
        "pmid-doi-conflict",
        "retracted",
        "correction",
        "expression-of-concern",
        "doi-other-agency",
        "url-dead",
        "url-redirected",
        "url-soft-404",
        "url-blocked",
        "url-unverified",
        "archive-invalid",
        "archive-unverified",
        "archive-missing",
        "dead-link-stale",
        "unverified",
    }
)

#: ``changed`` rules about what the inputs did (a reference added, removed, renamed, an
#: article's citation edited): the change's own, never upstream.
CHANGE_RULES = frozenset(
    {"reference-added", "reference-removed", "reference-renamed", "reference-changed"}
)


def touched(entry: LockEntry | None, reference: Reference) -> bool:
    """Whether the change made ``reference``: the lockfile has no ``entry`` for it (added,
    or renamed to a key it does not know), or recorded other identifiers (DOI, PMID,
    PMCID, ISBN, ISSN, arXiv id, URL or archive URL added, removed or edited).

    The recorded identifiers are citetrack's normalised forms, and a newer citetrack
    normalises otherwise at times (a DOI's trailing full stop, an ``info:doi/`` prefix, an
    ISBN's hyphens): compared as recorded, the first gate after the upgrade took every such
    reference for one the pull request made (its outage "pending", exit 4; its upstream
    findings the change's).  So each recorded value is normalised again by this version
    (:func:`same_identifiers`) before it is compared."""
    if entry is None:
        return True
    return not same_identifiers(entry.identifiers, reference.identifiers.as_dict())


def same_identifiers(recorded: Mapping[str, str], current: Mapping[str, str]) -> bool:
    """Whether the identifiers a lockfile recorded are ``current`` (this version's forms),
    each recorded one normalised again by this version (a normaliser takes its own
    earlier outputs as input): one an older version kept and this one refuses is gone
    from both sides; DOIs are compared without case."""
    if dict(recorded) == dict(current):  # the common case: nothing normalised otherwise
        return True
    again: dict[str, str] = {}
    for kind, value in recorded.items():
        now = as_now(kind, value)
        if now is not None:
            again[kind] = now
    return again.keys() == current.keys() and all(
        value == current[kind] or (kind == "doi" and value.casefold() == current[kind].casefold())
        for kind, value in again.items()
    )


def upstream(findings: Iterable[Finding], *, made: bool) -> tuple[Finding, ...]:
    """The findings (notes aside) of a reference that came from upstream, not from the
    change: none when the change ``made`` (:func:`touched`) the reference."""
    if made:
        return ()
    return tuple(
        f
        for f in findings
        if f.severity is not Severity.NOTE
        and (
            f.rule in UPSTREAM_RULES
            or (f.severity is Severity.CHANGED and f.rule not in CHANGE_RULES)
        )
    )
