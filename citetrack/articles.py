"""The article side of ``check`` and ``export``: what a run adds when its input is an article.

* :func:`attach_articles` — after the check: the articles read (their revisions go into
  every report) and the template-level findings (a malformed identifier that the parser
  already normalised is still malformed in the wikitext);
* :func:`correct_pmids` — for ``export``: the right PMID of a citation whose PMID belongs
  to another work, asked of PubMed by the citation's DOI (which Crossref confirmed);
* :func:`plan_export` — every wikitext edit the check's findings allow;
* :func:`fix_article` — those edits applied, for the kinds of fix asked for
  (:func:`citetrack.api.export_article` is the entry).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mwparserfromhell.nodes import Template
from rapidfuzz import fuzz

from citetrack.export.cite_plans import (
    RefNode,
    rescued_dead_link_fixes,
    stale_dead_link_findings,
)
from citetrack.export.cs1_marks import mark_findings, mark_fixes
from citetrack.export.wikitext import (
    Planned,
    WikiExport,
    apply_plans,
    archive_fixes,
    dead_link_fixes,
    local_fixes,
    malformed_findings,
    refs_by_key,
    registry_fixes,
    templates_by_key,
)
from citetrack.inputs.article import Article
from citetrack.inputs.textio import InputError
from citetrack.model import CheckResult, Finding, Found, Reference, Source, Unavailable
from citetrack.net import Http, Limiters, NetConfig, make_client
from citetrack.parse.wikitext import parse_page
from citetrack.registries.pmid_lookup import PmidLookup
from citetrack.registries.pubmed import PubMedService
from citetrack.rules.compare import RULE_CONFLICT, RULE_PMID_NOT_FOUND

#: Title similarity (rapidfuzz ratio of folded titles) a PubMed record must reach to
#: replace a wrong PMID.
SAME_TITLE = 90


def _tree(article: Article) -> tuple[dict[str, RefNode], dict[str, Template]]:
    """The ``<ref>`` and the cite template of each key (nodes of one parse of the page)."""
    if article.info.format != "wikitext":
        return {}, {}
    code = parse_page(article.text)
    return (
        refs_by_key(article.text, article.references, code),
        templates_by_key(article.text, article.references, code),
    )


def attach_articles(result: CheckResult, articles: Sequence[Article]) -> CheckResult:
    """``result`` with the articles' info and their template-level findings."""
    extra: dict[tuple[str | None, str], list[Finding]] = {}
    for article in articles:
        refs, templates = _tree(article)
        mine = CheckResult(
            results=tuple(rr for rr in result.results if rr.reference.path == article.info.name)
        )
        for finding in (
            *malformed_findings(article.references, templates),
            *stale_dead_link_findings(mine, refs, templates),
            *mark_findings(mine, templates),
        ):
            extra.setdefault((article.info.name, finding.key), []).append(finding)
    results = tuple(
        dataclasses.replace(
            rr, findings=(*rr.findings, *extra[(rr.reference.path, rr.reference.key)])
        )
        if (rr.reference.path, rr.reference.key) in extra
        else rr
        for rr in result.results
    )
    return dataclasses.replace(
        result, results=results, articles=(*result.articles, *(a.info for a in articles))
    )


def _fold(text: str | None) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in (text or "").lower()).split())


async def _lookup(dois: list[str], net: NetConfig) -> dict[str, object]:
    async with make_client(net) as client:
        http = Http.from_config(client, net)
        limiters = Limiters.from_config(net)
        pubmed = PubMedService.from_config(http, net, limiters, None)
        lookup = PmidLookup.from_config(http, net, limiters, pubmed, None)
        return dict(await lookup.find(dois))


def wrong_pmids(result: CheckResult) -> dict[str, tuple[str, Reference]]:
    """DOI → (key, reference) of citations whose PMID is another work's or unknown, and
    whose DOI Crossref confirmed with the citation's title."""
    out: dict[str, tuple[str, Reference]] = {}
    for rr in result.results:
        ref = rr.reference
        if not ref.identifiers.doi or not any(
            f.rule in (RULE_CONFLICT, RULE_PMID_NOT_FOUND) for f in rr.findings
        ):
            continue
        crossref = next(
            (e for e in rr.evidence if isinstance(e, Found) and e.source is Source.CROSSREF), None
        )
        if (
            crossref
            and fuzz.ratio(_fold(crossref.metadata.title), _fold(ref.get("title"))) >= SAME_TITLE
        ):
            out[ref.identifiers.doi] = (ref.key, ref)
    return out


def correct_pmids(
    result: CheckResult, net: NetConfig
) -> tuple[dict[str, str], list[tuple[str, int | None, str]]]:
    """Reference key → the PMID PubMed gives for its confirmed DOI (see :func:`wrong_pmids`),
    and (key, line, reason) of each wrong PMID PubMed could not be asked about: left as
    it is, which the export must say."""
    import asyncio  # noqa: PLC0415

    candidates = wrong_pmids(result)
    if not candidates:
        return {}, []
    found = asyncio.run(_lookup(list(candidates), net))
    out: dict[str, str] = {}
    unasked: list[tuple[str, int | None, str]] = []
    for doi, (key, ref) in candidates.items():
        evidence = found.get(doi)
        if isinstance(evidence, Unavailable):
            line = ref.location.line if ref.location else ref.line
            unasked.append((key, line, evidence.reason))
            continue
        if not isinstance(evidence, Found) or not evidence.metadata.pmid:
            continue
        title_ok = fuzz.ratio(_fold(evidence.metadata.title), _fold(ref.get("title"))) >= SAME_TITLE
        if title_ok and evidence.metadata.pmid != ref.identifiers.pmid:
            out[key] = evidence.metadata.pmid
    return out, unasked


def plan_export(
    article: Article,
    result: CheckResult | None,
    *,
    prefer: Source | None,
    corrected: Mapping[str, str],
) -> list[Planned]:
    """Every edit the findings allow, local ones first (the kinds filter them later)."""
    refs, templates = _tree(article)
    plans = local_fixes(article.references, templates)
    if result is not None:
        plans += registry_fixes(result, prefer, corrected)
        archived = archive_fixes(result, templates)
        plans += archived
        plans += rescued_dead_link_fixes(archived, refs, templates)
        plans += dead_link_fixes(result, refs, templates)
    # After the archive plans: a stale |deadurl=yes made |url-status=live stays live.
    return plans + mark_fixes(result, templates)


@dataclass(frozen=True)
class ArticleExport:
    """An article and what fixing it gives: ``result.text`` (the wikitext with minimal edits
    inside its ``{{cite}}`` templates), ``result.edits`` (each with its line, reason and
    source), ``result.skipped`` and ``result.summary`` (an edit summary).  Nothing is written.
    """

    article: Article
    result: WikiExport
    #: the check the registry and archive fixes came from (``None``: none was needed);
    #: what it could not verify has no fix planned.
    check: CheckResult | None = None
    #: (key, line, reason) of each wrong PMID left as it is because PubMed could not be
    #: asked for the PMID of the citation's DOI.
    pmids_not_asked: tuple[tuple[str, int | None, str], ...] = ()

    @property
    def text(self) -> str:
        return self.result.text

    @property
    def changed(self) -> bool:
        return self.result.text != self.article.text


def editable(article: Article) -> None:
    """Raise :class:`InputError` unless ``article`` is wikitext with references to edit."""
    name = article.info.name or article.info.source
    if article.info.format != "wikitext":
        raise InputError(
            name,
            "this is rendered text: it has no {{cite}} templates to edit. For a wiki "
            "article, export its wikitext instead (a .wiki file, or the page URL); for a "
            f"cleaned .bib of its references, `citetrack parse {name} -o references.bib` "
            "then `citetrack export references.bib` (`citetrack check` reports on the "
            "text as it is)",
        )
    if not article.references:
        raise InputError(name, f"no references found (read as {article.info.format})")


def fix_article(
    article: Article,
    result: CheckResult | None,
    kinds: frozenset[str],
    *,
    prefer: Source | None,
    net: NetConfig,
) -> ArticleExport:
    """The article's text with the fixes of ``kinds`` applied (``result``: its check, when
    a kind needs the registries or the links; a wrong PMID is corrected from PubMed)."""
    corrected, unasked = (
        correct_pmids(result, net) if result is not None and "metadata" in kinds else ({}, [])
    )
    plans = plan_export(article, result, prefer=prefer, corrected=corrected)
    return ArticleExport(
        article,
        apply_plans(article.text, article.references, plans, kinds),
        result,
        tuple(unasked),
    )
