"""Pure rules for a reference's web links and archived copies: evidence in, findings out.

The link checker (:mod:`citetrack.links.checker`) and the Wayback client
(:mod:`citetrack.links.wayback`) gather :class:`LinkStatus` / :class:`ArchiveStatus`
evidence; :func:`link_findings` turns it into findings for one reference.  No I/O here.

The URL, the archived copy and the access date a reference cites are read by
:func:`citetrack.links.targets.link_targets`.

Rules (severity):

* ``url-dead`` (broken) — 404 / 410 / no such host.  The message (and ``suggestion``) name
  an archived copy when the Wayback Machine has one.  When the reference already cites an
  archived copy that works, the dead URL is expected (CS1 ``url-status=dead``) and the
  finding is only a note; when that copy could not be verified, a warning.
* ``url-soft-404`` (warning) — the page answers 200 but says "not found", or a deep link
  lands on a front page.  Archive suggestion as for ``url-dead``.
* ``url-redirected`` (warning) — moved permanently; ``suggestion`` is the new address.
* ``url-blocked`` / ``url-unverified`` (unverified) — bot wall, 401/403/429; 5xx, timeout.
* ``url-refused`` (warning) — not checked: private address, local host name…
* ``archive-invalid`` (warning) — the cited Wayback capture does not exist or is not of a
  page that answered 200.
* ``archive-unverified`` (unverified) — the Wayback Machine could not be asked about the
  cited capture.  Captures on services with no API (archive.today, WebCite) give no finding.
* ``archive-missing`` (note) — a live URL without any archived copy.
* ``url-missing`` (note) — the citation dates a visit or an archived copy (``urldate``,
  ``archivedate``) but records neither a URL nor an archived URL, so nothing can be checked.
  Typical of a list parsed from rendered text ("Archived from the original on … Retrieved
  …" without the links); the wikitext's ``url=`` / ``archive-url=`` have them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from citetrack.links.targets import (
    ACCESS_FIELDS,
    ARCHIVE_DATE_FIELDS,
    LinkTargets,
    link_targets,
    parse_archive_url,
)
from citetrack.model import (
    ArchiveStatus,
    Finding,
    LinkStatus,
    LinkVerdict,
    Reference,
    Severity,
    Source,
)

# ------------------------------------------------------------------------------- findings


def link_findings(
    ref: Reference,
    links: Mapping[str, LinkStatus],
    archives: Mapping[str, ArchiveStatus],
    targets: LinkTargets | None = None,
) -> list[Finding]:
    """Findings about ``ref``'s URL and archived copy (``targets``: its
    :func:`link_targets`, if the caller has them already).

    ``links`` maps URLs to what the link checker saw.  ``archives`` maps the *cited archive
    URL* to its verification (``verify_archive``) and the *live URL* to a capture search
    (``find_capture`` / ``has_capture``).  Missing evidence yields no finding.
    """
    targets = targets if targets is not None else link_targets(ref)
    if targets.url is None and targets.archive_url is None:
        return _dates_without_links(ref)
    findings: list[Finding] = []
    cited_archive_ok: bool | None = None
    if targets.archive_url:
        verified = archives.get(targets.archive_url)
        if verified is not None:
            cited_archive_ok = verified.available
            findings.extend(_archive_findings(ref, targets, verified))
    url = targets.checkable_url
    status = links.get(url) if url else None
    if url is None or status is None:
        return findings
    capture = archives.get(url)
    findings.extend(_url_findings(ref, targets, status, capture, cited_archive_ok))
    return findings


_DATE_FIELDS = (*ACCESS_FIELDS, *ARCHIVE_DATE_FIELDS)
_DATE_NAMES = frozenset(_DATE_FIELDS)


def _dates_without_links(ref: Reference) -> list[Finding]:
    """``url-missing``: a visit or an archived copy is dated, but no address is recorded."""
    if _DATE_NAMES.isdisjoint(ref.fields):  # lower-case names: what ref.get looks up
        return []  # the usual case, at once: 100,000 references (issue 16)
    dated = [f"{name} = {ref.get(name)}" for name in _DATE_FIELDS if (ref.get(name) or "").strip()]
    if not dated:
        return []
    return [
        Finding.about(
            ref,
            "url-missing",
            Severity.NOTE,
            f"The citation is dated as visited or archived ({', '.join(dated)}) but records "
            "no URL or archived URL, so neither can be checked; add url and archiveurl "
            "(a list parsed from rendered text loses its links: the wikitext keeps them).",
            field="url",
            source=Source.CITATION,
        )
    ]


def _archive_findings(
    ref: Reference, targets: LinkTargets, verified: ArchiveStatus
) -> list[Finding]:
    archive_url = targets.archive_url
    if verified.available is True:
        return []
    if verified.available is False:
        return [
            Finding.about(
                ref,
                "archive-invalid",
                Severity.WARNING,
                f"Archived copy is not usable: {verified.reason or 'no such capture'}.",
                field=targets.archive_field,
                source=Source.WAYBACK,
                actual=archive_url,
                suggestion=verified.archive_url
                if verified.archive_url and verified.archive_url != archive_url
                else None,
            )
        ]
    parsed = parse_archive_url(archive_url or "")
    if parsed is not None and parsed.problem is not None:
        return []  # another archive service, or not one capture: nothing we can ask
    return [
        Finding.about(
            ref,
            "archive-unverified",
            Severity.UNVERIFIED,
            f"Archived copy could not be verified: {verified.reason or 'no answer'}.",
            field=targets.archive_field,
            source=Source.WAYBACK,
            actual=archive_url,
        )
    ]


def _url_findings(
    ref: Reference,
    targets: LinkTargets,
    status: LinkStatus,
    capture: ArchiveStatus | None,
    cited_archive_ok: bool | None,
) -> list[Finding]:
    field = targets.url_field
    url = status.url
    verdict = status.verdict
    reason = status.reason or verdict.value
    if verdict in (LinkVerdict.DEAD, LinkVerdict.SOFT_404):
        rule, what = (
            ("url-dead", "URL is dead")
            if verdict is LinkVerdict.DEAD
            else ("url-soft-404", "URL seems to lead to a missing page")
        )
        severity = Severity.BROKEN if verdict is LinkVerdict.DEAD else Severity.WARNING
        if targets.archive_url and cited_archive_ok is True:
            severity, tail, suggestion = Severity.NOTE, " The cited archived copy works.", None
        else:
            tail, suggestion = _capture_sentence(capture, targets.accessed)
            if targets.archive_url and cited_archive_ok is None and severity is Severity.BROKEN:
                severity = Severity.WARNING  # the reader may still have the cited copy
                tail = (
                    " The cited archived copy could not be verified, so readers may still "
                    f"have it: a warning, not broken.{tail}"
                )
        return [
            Finding.about(
                ref,
                rule,
                severity,
                f"{what} ({reason}).{tail}",
                field=field,
                source=Source.WEB,
                actual=url,
                suggestion=suggestion,
            )
        ]
    findings: list[Finding] = []
    if verdict is LinkVerdict.REDIRECTED:
        new = status.final_url
        findings.append(
            Finding.about(
                ref,
                "url-redirected",
                Severity.WARNING,
                f"URL has moved permanently to {new} ({reason}).",
                field=field,
                source=Source.WEB,
                actual=url,
                expected=new,
                suggestion=new,
            )
        )
    elif verdict is LinkVerdict.BLOCKED:
        findings.append(
            Finding.about(
                ref,
                "url-blocked",
                Severity.UNVERIFIED,
                f"URL could not be verified: the site blocked the check ({reason}).",
                field=field,
                source=Source.WEB,
                actual=url,
            )
        )
    elif verdict is LinkVerdict.UNAVAILABLE:
        findings.append(
            Finding.about(
                ref,
                "url-unverified",
                Severity.UNVERIFIED,
                f"URL could not be checked ({reason}).",
                field=field,
                source=Source.WEB,
                actual=url,
            )
        )
    elif verdict is LinkVerdict.REFUSED:
        findings.append(
            Finding.about(
                ref,
                "url-refused",
                Severity.WARNING,
                f"URL not checked: {reason}.",
                field=field,
                source=Source.WEB,
                actual=url,
            )
        )
    if (
        verdict is not LinkVerdict.REFUSED
        and not targets.archive_url
        and capture is not None
        and capture.available is False
    ):
        findings.append(
            Finding.about(
                ref,
                "archive-missing",
                Severity.NOTE,
                "No archived copy of this URL in the Wayback Machine"
                f"{f' ({capture.reason})' if capture.reason else ''}; consider archiving it.",
                field=field,
                source=Source.WAYBACK,
                actual=url,
            )
        )
    return findings


def _capture_sentence(
    capture: ArchiveStatus | None, accessed: date | None
) -> tuple[str, str | None]:
    """The archive part of a dead-URL message, and the capture to suggest (if any)."""
    if capture is None:
        return "", None
    if capture.available and capture.archive_url:
        when = _format_timestamp(capture.timestamp)
        after = ""
        if accessed and capture.timestamp and capture.timestamp[:8] > f"{accessed:%Y%m%d}":
            after = f", after the access date {accessed.isoformat()}"
        captured = f" (captured {when}{after})" if when else ""
        return (
            f" An archived copy exists: {capture.archive_url}{captured}; "
            "cite it as the archived URL.",
            capture.archive_url,
        )
    if capture.available is False:
        return " The Wayback Machine has no good capture of it.", None
    why = f": {capture.reason}" if capture.reason else ""
    return f" The Wayback Machine could not be asked for a copy{why}.", None


def _format_timestamp(timestamp: str | None) -> str | None:
    """``20190501123000`` → ``2019-05-01`` (as much of the date as the timestamp gives)."""
    if not timestamp or not timestamp.isdigit() or len(timestamp) < 4:
        return None
    if len(timestamp) >= 8:
        return f"{timestamp[:4]}-{timestamp[4:6]}-{timestamp[6:8]}"
    if len(timestamp) >= 6:
        return f"{timestamp[:4]}-{timestamp[4:6]}"
    return timestamp[:4]
