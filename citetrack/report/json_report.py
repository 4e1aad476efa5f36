"""``--format json``: the whole result as versioned, deterministic JSON.

Shape (``schema_version`` 1; a field is added only with a new version)::

    {"schema_version": 1,
     "tool": {"name": "citetrack", "version": "…"},
     "articles": [{"source", "name", "format", "title", "revision", "timestamp", "api_url"}],
     "notes": ["…"],
     "summary": {"ok": n, "unchecked": n, "accepted": n, "warning": n, "unverified": n,
                 "changed": n, "broken": n, "total": n, "removed": n, "verified": n},
     "references": [{"key", "path", "line", "location", "entry_type", "title", "status",
                     "identifiers": {"doi": …},
                     "findings": [{"rule", "severity", "field", "expected", "actual",
                                   "source", "message", "suggestion", "line"}],
                     "links": [{"url", "verdict", "status_code", "final_url", "redirects",
                                "reason"}],
                     "archives": [{"url", "archive_url", "timestamp", "original_status",
                                   "available", "reason"}]}],
     "requests": {"crossref": n, …}}

``notes`` (what the run says about its inputs, e.g. the encoding a non-UTF-8 .bib was
read in; issue 12) and ``causes`` (the could-not-check findings grouped by cause, the
offline summary first: ``[{"service", "cause", "references", "line", "entries"}]``,
``entries`` (``[{"path", "key", "line"}]``: the references it hit) added later; the findings stay
on each reference too) were added within version 1 too.
``summary.removed`` (references the lockfile has that the inputs no longer do: each
is a ``reference-removed`` result, counted as ``changed`` but not in ``total``, which
counts the references of the inputs) was added within version 1 too.
``summary.accepted`` and the status ``accepted`` (``--new-only``: every finding of the
reference is one the lockfile accepted, so none is listed) were added within version 1 too.
``gate`` (only with ``--new-only``, only where it applies: ``"pending"``, a reference the
change adds or edits that could not be verified, exit 4; ``"upstream"``, one it did not
touch whose findings came from upstream and do not fail the gate) was added within
version 1 too.
``articles`` and ``location`` (``{"line", "column", "ref_name", "number", "template"}``,
``null`` for a .bib entry) were added within version 1 for article inputs (issue 14):
additions only, readers of version 1 are unaffected.

Every key is always present (``null`` when unknown); keys are sorted; references keep the
order of the run.  Strings from data pass through :func:`sanitize`, so the JSON can be
printed or pasted without carrying terminal escapes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from citetrack import __version__
from citetrack.model import ArchiveStatus, CheckResult, Finding, LinkStatus, ReferenceResult
from citetrack.report._article import article_json, location_json
from citetrack.report._escape import sanitize
from citetrack.report.causes import unverified_causes
from citetrack.report.json_text import dumps_indented, dumps_plain_items

SCHEMA_VERSION = 1


def _text(value: object) -> str | None:
    return None if value is None else sanitize(value)


def _finding(f: Finding) -> dict[str, object]:
    return {
        "rule": _text(f.rule),
        "severity": f.severity.value,
        "field": _text(f.field),
        "expected": _text(f.expected),
        "actual": _text(f.actual),
        "source": f.source.value if f.source else None,
        "message": _text(f.message),
        "suggestion": _text(f.suggestion),
        "line": f.line,
    }


def _link(link: LinkStatus) -> dict[str, object]:
    return {
        "url": _text(link.url),
        "verdict": link.verdict.value,
        "status_code": link.status_code,
        "final_url": _text(link.final_url),
        "redirects": [sanitize(r) for r in link.redirects],
        "reason": _text(link.reason),
    }


def _archive(archive: ArchiveStatus) -> dict[str, object]:
    return {
        "url": _text(archive.url),
        "archive_url": _text(archive.archive_url),
        "timestamp": _text(archive.timestamp),
        "original_status": archive.original_status,
        "available": archive.available,
        "reason": _text(archive.reason),
    }


def _reference(rr: ReferenceResult) -> dict[str, object]:
    ref = rr.reference
    title = ref.fields.get("title")  # ref.get("title")
    return {
        "key": sanitize(ref.key),
        "path": _text(ref.path),
        "line": ref.line,
        "location": None if ref.location is None else location_json(ref.location),
        "entry_type": _text(ref.entry_type),
        "title": None if title is None else sanitize(title),
        "status": rr.status.value,
        # Identifiers.as_dict and sanitize in one pass (100,000 references, issue 16).
        "identifiers": {k: sanitize(v) for k, v in ref.identifiers.__dict__.items() if v},
        "findings": [_finding(f) for f in rr.findings] if rr.findings else [],
        **(
            {"suppressed": [{**_finding(f), "suppressed": True} for f in rr.suppressed]}
            if rr.suppressed
            else {}
        ),
        "links": [_link(x) for x in rr.links],
        "archives": [_archive(a) for a in rr.archives],
        **({"gate": gate} if (gate := _gate(rr)) else {}),
    }


def _gate(rr: ReferenceResult) -> str | None:
    """``--new-only``: ``"pending"`` for a reference the change made that could not be
    verified, ``"upstream"`` for one it did not touch whose findings came from upstream
    (:mod:`citetrack.tracking.lockfile.gate`); else ``None`` (no key)."""
    if rr.pending:
        return "pending"
    if any(f in rr.findings and f.severity.value != "unverified" for f in rr.upstream):
        return "upstream"
    return None


def document(result: CheckResult, *, references: bool = True) -> dict[str, object]:
    """The report as a JSON-able document (what :func:`format_json` writes); without
    ``references``, an empty list stands for them."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "citetrack", "version": __version__},
        "summary": {
            **result.summary(),
            "suppressed": sum(len(rr.suppressed) for rr in result.results),
        },
        "articles": [article_json(a) for a in result.articles],
        "notes": [sanitize(n) for n in result.notes],
        "causes": [
            {k: sanitize(v) if isinstance(v, str) else v for k, v in c.as_json().items()}
            for c in unverified_causes(result)
        ],
        "references": [_reference(rr) for rr in result.results] if references else [],
        "requests": {sanitize(k): v for k, v in result.requests.items()},
    }


#: Stands for the references while the rest of the document is encoded.
_SPLICE = "\x00citetrack: references\x00"


def format_json(result: CheckResult, *, indent: int | None = 2) -> str:
    """The result as JSON text (with a trailing newline): :func:`iter_json` joined."""
    return "".join(iter_json(result, indent=indent))


def iter_json(result: CheckResult, *, indent: int | None = 2) -> Iterator[str]:
    """:func:`format_json`'s text in pieces, one per batch of references, to be written as
    they come.

    Indented, the references are encoded one at a time and spliced into the rest: the
    same text as encoding the whole document at once (``tests/test_report.py`` holds them
    equal), without the encoder's millions of small pieces, nor the whole text, alive at
    once (a 50,000-reference report is 65 MB of JSON; issue 18).
    """
    if indent is None or not result.results:
        doc = document(result)
        yield json.dumps(doc, indent=indent, sort_keys=True, ensure_ascii=False) + "\n"
        return
    doc = document(result, references=False)
    doc["references"] = _SPLICE
    head = json.dumps(doc, indent=indent, sort_keys=True, ensure_ascii=False)
    before, found, after = head.partition(json.dumps(_SPLICE, ensure_ascii=False))
    if not found:  # cannot happen: the marker is a value of ``doc``
        raise AssertionError("references marker not found")
    pad = " " * (2 * indent)
    yield before + "[\n"
    results = result.results
    if indent == 2:
        # A reference's document holds no float (see the shape above): the fast writer,
        # for many references at a time (one piece per batch).
        for start in range(0, len(results), _BATCH):
            batch = [_reference(rr) for rr in results[start : start + _BATCH]]
            yield ("" if start == 0 else ",\n") + pad + dumps_plain_items(batch, pad)
    else:
        for position, rr in enumerate(results):
            text = dumps_indented(_reference(rr), indent, pad)
            yield ("" if position == 0 else ",\n") + pad + text
    yield "\n" + " " * indent + "]" + after + "\n"


#: References written per piece by :func:`iter_json` (~200 kB of text).
_BATCH = 500
