"""Whole real wiki articles (tests/data/wiki/, credited in its README) through the real CLI.

* ``export --no-fix all`` gives the article back byte for byte;
* with the fixes on, only parameter values inside ``{{cite …}}`` templates change;
* ``check --offline --no-links`` locates every ``<ref>`` (line, column, name, number)
  and reports a named reuse that nothing defines.

Offline and without link checks, so nothing here reaches any host.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import mwparserfromhell
import pytest

from citetrack.parse.wikitext import is_cite
from tests.e2e import run_cli

DATA = Path(__file__).parent / "data" / "wiki"
ARTICLES = sorted(DATA.glob("*.wiki"))
OFFLINE = ("--offline", "--no-cache")


def _env(tmp: Path) -> dict[str, str]:
    return {"CITETRACK_CACHE_DIR": str(tmp / "cache")}


def test_the_real_articles_are_there() -> None:
    names = {p.name for p in ARTICLES}
    assert {"Autism_enwiki_692971972.wiki", "Rh_disease_mdwiki_ja.wiki"} <= names
    credits = (DATA / "README.md").read_text(encoding="utf-8")
    for name in names:
        assert name in credits, f"{name} has no credit in tests/data/wiki/README.md"


@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.stem)
def test_no_fix_gives_the_article_back_byte_for_byte(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.wiki"
    run = run_cli(
        "export", str(article), "--no-fix", "all", *OFFLINE, "-o", str(out), env=_env(tmp_path)
    )
    assert run.code == 0, run.stderr
    assert out.read_bytes() == article.read_bytes()
    assert "citetrack: no changes" in run.stderr


def _cite_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    at = 0
    for template in mwparserfromhell.parse(text).filter_templates():
        if not is_cite(template):
            continue
        source = str(template)
        start = text.find(source, at)
        assert start >= 0
        spans.append((start, start + len(source)))
        at = start + len(source)
    return spans


@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.stem)
def test_fixes_change_only_cite_template_parameters(article: Path, tmp_path: Path) -> None:
    out = tmp_path / "fixed.wiki"
    run = run_cli(
        "export",
        str(article),
        "--no-fix",
        "archive",  # archive links need the live link check; the rest is offline
        *OFFLINE,
        "-o",
        str(out),
        env=_env(tmp_path),
    )
    assert run.code == 0, run.stderr
    before = article.read_text(encoding="utf-8")
    after = out.read_text(encoding="utf-8")
    spans = _cite_spans(before)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, _, _ in matcher.get_opcodes():
        if op == "equal":
            continue
        assert any(s <= i1 and i2 <= e for s, e in spans), (
            f"edit outside a {{{{cite}}}} template at {i1}: {before[i1 - 20 : i2 + 20]!r}"
        )
    # the same templates, in the same order, with the same parameter names in order
    old = [t for t in mwparserfromhell.parse(before).filter_templates() if is_cite(t)]
    new = [t for t in mwparserfromhell.parse(after).filter_templates() if is_cite(t)]
    assert [str(t.name) for t in old] == [str(t.name) for t in new]
    for a, b in zip(old, new, strict=True):
        kept = iter(str(p.name) for p in b.params)
        # every old parameter is still there, in the same order (additions may interleave)
        assert all(name in kept for name in (str(p.name) for p in a.params)), str(a)


def test_the_mdwiki_article_gets_exactly_its_two_page_range_fixes(tmp_path: Path) -> None:
    article = DATA / "Rh_disease_mdwiki_ja.wiki"
    out = tmp_path / "fixed.wiki"
    run = run_cli(
        "export", str(article), "--no-fix", "archive", *OFFLINE, "-o", str(out),
        env=_env(tmp_path),
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert "citetrack: fixed 2 page ranges" in run.stderr
    expected = (
        article.read_text(encoding="utf-8")
        .replace("|pages=133-151|", "|pages=133–151|")
        .replace("|pages=2-5|", "|pages=2–5|")
    )
    assert out.read_text(encoding="utf-8") == expected


def _check(article: Path, tmp: Path) -> tuple[dict[str, object], str]:
    report = tmp / "report.json"
    run = run_cli(
        "check", str(article), *OFFLINE, "--no-links", "--no-lockfile",
        "-o", f"json={report}", env=_env(tmp),
    )  # fmt: skip
    assert run.code in (0, 1, 3), run.stderr  # never a crash (2) or a traceback
    assert "Traceback" not in run.stderr
    return json.loads(report.read_text(encoding="utf-8")), run.stderr


def _ref_definitions(text: str) -> list[tuple[str | None, int]]:
    """(name, line) of every <ref> with a body that holds a {{cite}}, in page order."""
    found = []
    for tag in mwparserfromhell.parse(text).filter_tags(recursive=True):
        if str(tag.tag).strip().lower() != "ref" or tag.contents is None:
            continue
        if not any(is_cite(t) for t in tag.contents.filter_templates()):
            continue
        name = str(tag.get("name").value).strip().strip('"') if tag.has("name") else None
        line = text[: text.find(str(tag))].count("\n") + 1
        found.append((name, line))
    return found


@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.stem)
def test_check_locates_every_ref(article: Path, tmp_path: Path) -> None:
    report, _ = _check(article, tmp_path)
    refs = report["references"]
    assert isinstance(refs, list)
    text = article.read_text(encoding="utf-8")
    in_refs = [r for r in refs if r["location"]["number"] is not None]
    wanted = _ref_definitions(text)
    assert [(r["location"]["ref_name"], r["location"]["line"]) for r in in_refs] == wanted
    lines = text.split("\n")
    # A result of its own for what was not read (an undefined <ref name=… />) stands
    # for no citation: it has no entry type and points at the line, not at a template.
    for r in (r for r in refs if r["entry_type"]):
        loc = r["location"]
        assert loc["column"] >= 1
        # the column points at the citation's template in that line
        assert lines[loc["line"] - 1][loc["column"] - 1 :].startswith("{{")
    assert len({r["key"] for r in refs}) == len(refs)


def test_rendered_numbers_follow_first_use(tmp_path: Path) -> None:
    """Rh disease: the infobox uses Jack2021 first, then NHS2023, … (as the Cite extension
    numbers them), although NHS2023 is defined first in the body."""
    report, _ = _check(DATA / "Rh_disease_mdwiki_ja.wiki", tmp_path)
    numbers = {r["key"]: r["location"]["number"] for r in report["references"]}  # type: ignore[attr-defined]
    assert numbers["Jack2021"] == "1"
    assert numbers["NHS2023"] == "2"
    assert numbers["NHS2023Sym"] == "3"
    assert numbers["NHS2023Diag"] == "4"
    assert numbers["Zip2015"] == "5"
    assert numbers["Peg2020"] == "6"
    assert numbers["NHS2023Tx"] == "7"  # used before it is defined


def test_a_reuse_nothing_defines_is_reported_not_skipped(tmp_path: Path) -> None:
    """The Autism excerpt reuses <ref name=CCD/> etc. whose definitions it does not hold."""
    article = DATA / "Autism_enwiki_692971972.wiki"
    report, stderr = _check(article, tmp_path)
    assert ':1: <ref name="Caronna" /> is used but never defined' in stderr
    assert '<ref name="CCD" /> is used but never defined' in stderr
    assert stderr.count('<ref name="CCD" />') == 1  # once per name, at its first use
    # a defined name reused before or after its definition is not reported
    assert '"Howlin"' not in stderr and '"NHSR65" /> is used' not in stderr
    # … and in the report itself, a finding at the reuse's line (not only on stderr)
    unread = [
        f["message"]
        for r in report["references"]  # type: ignore[attr-defined]
        for f in r["findings"]
        if f["rule"] == "parse-not-read"
    ]
    assert sum('<ref name="CCD" />' in m for m in unread) == 1
    assert any('<ref name="Caronna" />' in m for m in unread)
    numbers = {
        r["key"]: r["location"]["number"]
        for r in report["references"]  # type: ignore[attr-defined]
        if r["entry_type"]  # the reuses nothing defines stand for no citation
    }
    # undefined names still take their numbers in the rendered list, as on the wiki
    assert numbers["DSM5"] == "4"
    assert numbers["Howlin"] == "11"
