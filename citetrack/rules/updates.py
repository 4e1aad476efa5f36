"""The notice rules: retractions, expressions of concern and corrections.

``retracted`` (withdrawal and removal count as retraction), ``expression-of-concern`` and
``correction``, from Crossref's ``updated-by`` notices and PubMed's "Retracted
Publication" publication type.  Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

from citetrack.model import Finding, Severity, Source, Update, UpdateKind
from citetrack.rules.catalog import (
    RULE_CONCERN,
    RULE_CORRECTION,
    RULE_RETRACTED,
    rank,
    source_name,
)
from citetrack.rules.evidence import Context, Record

_NOTICE_RULES = (
    (
        RULE_RETRACTED,
        Severity.BROKEN,
        frozenset({UpdateKind.RETRACTION, UpdateKind.WITHDRAWAL, UpdateKind.REMOVAL}),
        "The work was {}",
    ),
    (
        RULE_CONCERN,
        Severity.WARNING,
        frozenset({UpdateKind.EXPRESSION_OF_CONCERN}),
        "The work has an expression of concern",
    ),
    (
        RULE_CORRECTION,
        Severity.WARNING,
        frozenset({UpdateKind.CORRECTION}),
        "The work has a correction",
    ),
)
_RETRACTED_PUBTYPE = "retracted publication"
_PARTICIPLES = {
    UpdateKind.RETRACTION: "retracted",
    UpdateKind.WITHDRAWAL: "withdrawn",
    UpdateKind.REMOVAL: "removed",
}


def _notice_name(update: Update) -> str:
    """``retraction 10.1016/x``, ``retraction PMID 20137807``, ``retraction (label)``."""
    kind = update.kind.value.replace("_", " ")
    notice = (update.notice_id or "").strip()
    if notice:
        return f"{kind} PMID {notice}" if notice.isdigit() else f"{kind} {notice.lower()}"
    return f"{kind} ({update.label})" if update.label else kind


def _asserter(update: Update, source: Source) -> str:
    """``publisher via Crossref``, ``retraction-watch via Crossref``, ``PubMed``."""
    registry = source_name(source)
    by = update.asserted_by
    return f"{by} via {registry}" if by and by.casefold() != registry.casefold() else registry


def notices(ctx: Context, records: Sequence[Record]) -> list[Finding]:
    """One finding per notice rule, naming every notice and who asserted it.

    The same notice often arrives twice (publisher and Retraction Watch, both via
    Crossref): notices are keyed by identifier, and each lists all its asserters.  PubMed's
    "Retracted Publication" publication type counts when the record has no retraction
    update of its own.
    """
    out = []
    for rule, severity, kinds, lead in _NOTICE_RULES:
        claims: dict[str, list[str]] = {}  # notice → who says so
        sources: list[Source] = []
        seen_kinds: list[UpdateKind] = []
        for rec in records:
            updates = [u for u in rec.meta.updates if u.kind in kinds]
            if (
                rule == RULE_RETRACTED
                and not updates
                and any(t.casefold() == _RETRACTED_PUBTYPE for t in rec.meta.publication_types)
            ):
                updates = [Update(UpdateKind.RETRACTION, label="Retracted Publication")]
            for update in updates:
                if update.kind not in seen_kinds:
                    seen_kinds.append(update.kind)
                entry = claims.setdefault(_notice_name(update), [])
                who = _asserter(update, rec.source)
                if who not in entry:
                    entry.append(who)
                sources.append(rec.source)
        if not claims:
            continue
        told = "; ".join(f"{n} (asserted by {', '.join(w)})" for n, w in claims.items())
        notice_ids = {
            (u.notice_id or "").lower()
            for r in records
            for u in r.meta.updates
            if u.kind in kinds and u.notice_id
        }
        out.append(
            Finding.about(
                ctx.ref,
                rule,
                severity,
                f"{lead.format(' and '.join(_PARTICIPLES.get(k, '') for k in seen_kinds))}: "
                f"{told}.",
                expected=", ".join(sorted(notice_ids)) or None,
                source=min(sources, key=rank),
            )
        )
    return out
