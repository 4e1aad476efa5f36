"""The committed baseline ``citetrack.lock``: what citetrack saw last time, to say what changed.

One lockfile sits next to the .bib files it covers (``lock_path_for``).  It is JSON with
sorted keys, a two-space indent and a trailing newline; the same state always gives the same
bytes, and nothing in it changes merely because time passed (dates are written only when a
state changes), so a scheduled CI job produces a diff only when something really changed.

Per reference (keyed by citation key, with the file's path from the lockfile's directory;
when files covered by one lockfile share a key, the others' entries are keyed ``key,file``)
it records:

* ``identifiers`` — the citation's normalised identifiers;
* ``sources`` — per registry, the identifier asked and the normalised metadata that matters
  (title, author family names, year, journal, volume, number, pages, type) plus editorial
  notices (retraction, correction, expression of concern…), so a change is reported field by
  field: was / now / who said so;
* ``urls`` — per URL: last settled verdict, final URL after redirects, chosen archive copy;
* ``failing`` — DOI / PMID / URL checks that are failing: failures seen, since when, and the
  day the failure was confirmed;
* ``accepted`` — the (rule, field, severity) of findings reported when the lock was written,
  for ``--new-only``.

Per article read (top-level ``articles``, by the name its references are tracked under,
issue 14): its source, format, title, revision id and timestamp, and a fingerprint of each
citation (:mod:`~citetrack.tracking.lockfile.revisions`).

Per input file (top-level ``problems``, by file name): the defects of the file itself that
were reported when the lock was written — a block that does not parse, a key defined twice,
a line of an article's list not read as a reference — so that ``--new-only`` does not show
them again on every pull request (:mod:`~citetrack.tracking.lockfile.problems`).

Rules that make the history trustworthy:

* Could-not-verify is not a change.  Evidence that is ``Unavailable`` (or a link that was
  blocked / timed out, or a check that did not run) leaves the previous state as it was.
* One bad night is not an alarm.  A URL that is dead, or a DOI / PMID the registries do not
  know, is *failing* — reported as a warning — until it has failed ``min_failures`` runs
  over at least ``min_days`` calendar days (UTC); then it is confirmed and reported broken.
  A success resets it; ``Unavailable`` neither counts nor resets.  Retractions, conflicts and
  mismatches are never delayed: the registry stated a definite fact.
* Without a lockfile there is no history: findings are reported as they are (a laptop run
  still says "broken"), and the first lockfile accepts what it sees — failures present when
  it is created are recorded as confirmed.  Likewise a reference, DOI, PMID or URL that an
  existing lockfile has never seen gets its verdict at once: confirmation absorbs outages
  for things that worked before, and a fabricated DOI added in a pull request must fail
  ``--new-only`` the first time.
* Confirmation counts advance only when the lockfile is written (``--update-lock``); a CI
  job that wants the delay must keep the updated lockfile between runs.
* Entries of .bib files that were not part of the run are carried over unchanged.

Usage, once per lockfile (see :func:`group_by_lock`)::

    previous = read_lock(path)                      # LockError → exit 2, never overwritten
    reported = track(result, previous, now)         # confirmation + changed findings
    write_lock(path, build_lock(reported, previous, now))

The package, one job per module: :mod:`~citetrack.tracking.lockfile.state` (the data and
the policy), :mod:`~citetrack.tracking.lockfile.confirm` (confirmation over runs),
:mod:`~citetrack.tracking.lockfile.build` (the new baseline),
:mod:`~citetrack.tracking.lockfile.diff` (``changed`` findings),
:mod:`~citetrack.tracking.lockfile.track` (a run as reported; ``--new-only``),
:mod:`~citetrack.tracking.lockfile.revisions` (an article's revision and citations),
:mod:`~citetrack.tracking.lockfile.problems` (the input files' own defects),
:mod:`~citetrack.tracking.lockfile.renames` (a .bib key renamed keeps its entry) and
:mod:`~citetrack.tracking.lockfile.fileformat` (JSON read and write).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from citetrack.lazy_exports import exports

if TYPE_CHECKING:
    from citetrack.tracking.lockfile.build import build_lock
    from citetrack.tracking.lockfile.confirm import apply_confirmation
    from citetrack.tracking.lockfile.diff import diff
    from citetrack.tracking.lockfile.fileformat import (
        dumps_lock,
        parse_lock,
        read_lock,
        write_lock,
    )
    from citetrack.tracking.lockfile.state import (
        CONFIRMABLE_RULES,
        DEFAULT_POLICY,
        LOCK_NAME,
        METADATA_FIELDS,
        SCHEMA_VERSION,
        Accepted,
        ArticleRecord,
        ConfirmPolicy,
        Failing,
        Lock,
        LockEntry,
        LockError,
        Notice,
        SourceRecord,
        UrlRecord,
        group_by_lock,
        lock_path_for,
    )
    from citetrack.tracking.lockfile.track import (
        new_only,
        track,
    )

__all__ = [
    "CONFIRMABLE_RULES",
    "DEFAULT_POLICY",
    "LOCK_NAME",
    "METADATA_FIELDS",
    "SCHEMA_VERSION",
    "Accepted",
    "ArticleRecord",
    "ConfirmPolicy",
    "Failing",
    "Lock",
    "LockEntry",
    "LockError",
    "Notice",
    "SourceRecord",
    "UrlRecord",
    "apply_confirmation",
    "build_lock",
    "diff",
    "dumps_lock",
    "group_by_lock",
    "lock_path_for",
    "new_only",
    "parse_lock",
    "read_lock",
    "track",
    "write_lock",
]

# Each public name's module, imported when the name is first asked for, so that importing
# one module of the package does not import them all (:mod:`citetrack.lazy_exports`).
exports(
    __name__,
    {
        "build_lock": "build",
        "apply_confirmation": "confirm",
        "diff": "diff",
        "dumps_lock": "fileformat",
        "parse_lock": "fileformat",
        "read_lock": "fileformat",
        "write_lock": "fileformat",
        "CONFIRMABLE_RULES": "state",
        "DEFAULT_POLICY": "state",
        "LOCK_NAME": "state",
        "METADATA_FIELDS": "state",
        "SCHEMA_VERSION": "state",
        "Accepted": "state",
        "ArticleRecord": "state",
        "ConfirmPolicy": "state",
        "Failing": "state",
        "Lock": "state",
        "LockEntry": "state",
        "LockError": "state",
        "Notice": "state",
        "SourceRecord": "state",
        "UrlRecord": "state",
        "group_by_lock": "state",
        "lock_path_for": "state",
        "new_only": "track",
        "track": "track",
    },
)
