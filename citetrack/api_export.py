"""Export in the Python API: the fix kinds asked for, a cleaned .bib (``export_bib``) and an
article's fixes as edits of its ``{{cite}}`` templates (``export_article``).

Part of the Python API (:mod:`citetrack.api` re-exports ``fix_kinds``, ``export_bib``,
``export_article`` and ``ExportReport``).  Apart from the check because it only plans and
applies fixes from a check's result (:mod:`citetrack.export`, :mod:`citetrack.articles`);
the check, the .bib loader, the settings and the network settings are
:mod:`citetrack.api`'s, looked up there when called.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from citetrack.model import CheckResult, Source

if TYPE_CHECKING:
    import httpx

    from citetrack.api import PathLike, Progress
    from citetrack.articles import ArticleExport
    from citetrack.config import Settings
    from citetrack.export import ExportResult
    from citetrack.inputs.article import Article
    from citetrack.inputs.bib import Bibliography

# ------------------------------------------------------------------------------ export


def _fix_names(values: Collection[str], option: str) -> set[str]:
    """Fix kinds named in ``values`` (comma-separated; ``all``: every kind but
    ``conflicts``, which replaces a cited identifier and so must be named)."""
    from citetrack.api import UnknownFixError
    from citetrack.export import FIX_KINDS

    found = {n.strip() for v in values for n in v.split(",") if n.strip()}
    unknown = found - {*FIX_KINDS, "all"}
    if unknown:
        raise UnknownFixError(
            f"unknown fix {', '.join(sorted(unknown))} (known: {', '.join(FIX_KINDS)}, all)",
            option,
        )
    if "all" not in found:
        return found
    return (set(FIX_KINDS) - {"conflicts"}) | (found - {"all"})


def fix_kinds(
    fix: Collection[str] | None = None, no_fix: Collection[str] | None = None
) -> frozenset[str]:
    """The fix kinds to apply: ``fix`` (only these; default: all but ``format``) minus
    ``no_fix``.  Names may be comma-separated; ``all`` means every kind but
    ``conflicts`` (replacing the wrong identifier of a ``pmid-doi-conflict``), which
    applies only when named.

    Raises :class:`UnknownFixError` for a name that is not a fix kind.
    """
    from citetrack.export import DEFAULT_FIX_KINDS

    kinds = _fix_names(fix, "fix") if fix else set(DEFAULT_FIX_KINDS)
    return frozenset(kinds - _fix_names(no_fix or (), "no_fix"))


@dataclass(frozen=True)
class ExportReport:
    """The bibliography as loaded and what exporting it gives.

    ``result.text`` is the cleaned .bib, ``result.changes`` every edit with its reason and
    source, ``result.skipped`` the fixes refused and why.  Nothing is written.
    """

    bibliography: Bibliography
    result: ExportResult
    #: the check the registry fixes came from (``None``: none was needed); what it could
    #: not verify has no fix planned.
    check: CheckResult | None = None

    @property
    def text(self) -> str:
        return self.result.text

    @property
    def changed(self) -> bool:
        return self.result.text != self.bibliography.text


def export_bib(
    source: PathLike | Bibliography,
    *,
    settings: Settings | None = None,
    fixes: Collection[str] | None = None,
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ExportReport:
    """A cleaned copy of a .bib: only the fixes of the kinds in ``fixes`` (see
    :func:`fix_kinds`; ``None``: ``settings.fix`` / ``settings.no_fix``).

    The ``add-ids``, ``metadata`` and ``conflicts`` fixes ask the registries
    (``settings.offline``: the cache only), and a value is taken only from a record that
    matches the citation's identifier, title and first author.  Keys, order, comments and
    unknown fields are never touched.
    """
    from citetrack.api import check, load_bib, load_settings
    from citetrack.export import export_bib as apply_fixes
    from citetrack.export import plan_local_fixes
    from citetrack.export.fixes import registry_fixes

    settings = settings if settings is not None else load_settings()
    kinds = (
        fix_kinds(settings.fix, settings.no_fix)
        if fixes is None
        else frozenset(_fix_names(fixes, "fixes"))
    )
    bibliography = source if not isinstance(source, str | os.PathLike) else load_bib(source)
    planned = plan_local_fixes(bibliography, kinds)
    result = None
    if kinds & {"add-ids", "metadata", "conflicts"}:
        result = check(
            bibliography,
            settings=settings,
            links=False,
            progress=progress,
            transport=transport,
        )
        planned += registry_fixes(result, kinds, Source(settings.prefer))
    return ExportReport(bibliography, apply_fixes(bibliography, planned), result)


def export_article(
    article: Article,
    *,
    settings: Settings | None = None,
    fixes: Collection[str] | None = None,
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ArticleExport:
    """An article's fixes as minimal edits of the wikitext of its ``{{cite}}`` templates
    (see :func:`export_bib` for ``fixes``; ``archive`` adds archive links for dead URLs
    that have a capture).  Nothing is written.

    Raises :class:`~citetrack.inputs.textio.InputError` for rendered text (it has no
    templates to edit) or an article without references.
    """
    from citetrack.api import _net_config, check, load_settings
    from citetrack.articles import editable, fix_article

    settings = settings if settings is not None else load_settings()
    kinds = (
        fix_kinds(settings.fix, settings.no_fix)
        if fixes is None
        else frozenset(_fix_names(fixes, "fixes"))
    )
    editable(article)
    result = None
    if kinds & {"add-ids", "metadata", "archive"}:
        result = check(
            article,
            settings=settings,
            links="archive" in kinds,
            progress=progress,
            transport=transport,
        )
    net = _net_config(settings)
    return fix_article(article, result, kinds, prefer=Source(settings.prefer), net=net)
