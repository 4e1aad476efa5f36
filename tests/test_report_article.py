"""Every report format says which revision was checked and where each reference sits."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]

from citetrack.model import (
    ArticleInfo,
    CheckResult,
    Finding,
    Location,
    Reference,
    ReferenceResult,
    Severity,
    Source,
)
from citetrack.report.github import format_github
from citetrack.report.json_report import format_json
from citetrack.report.junit import format_junit
from citetrack.report.lines import format_lines
from citetrack.report.markdown import format_markdown
from citetrack.report.sarif import format_sarif
from citetrack.report.text import format_text

SCHEMA = Path(__file__).parent / "data" / "schemas" / "sarif-schema-2.1.0.json"
INFO = ArticleInfo(
    source="https://mdwiki.org/wiki/Necrolytic_migratory_erythema",
    format="wikitext",
    title="Necrolytic migratory erythema",
    revision=1234567,
    timestamp="2024-05-06T07:08:09Z",
    api_url="https://mdwiki.org/w/api.php",
    name="Necrolytic_migratory_erythema",
)


def _result() -> CheckResult:
    ref = Reference(
        key="JOP2004",
        entry_type="article",
        fields={"title": "Glucagonoma"},
        line=19,
        path=INFO.name,
        location=Location(19, 1494, "JOP2004", "7", "cite journal"),
    )
    finding = Finding(
        "JOP2004",
        "url-dead",
        Severity.BROKEN,
        "URL is dead (HTTP 404).",
        field="url",
        source=Source.WEB,
        line=19,
    )
    return CheckResult(results=(ReferenceResult(ref, (finding,)),), articles=(INFO,))


def test_text_and_markdown_name_the_revision_and_the_place() -> None:
    for out in (format_text(_result(), width=200), format_markdown(_result())):
        assert "revision 1234567, 2024-05-06T07:08:09Z" in out
        shown = out.replace("\\", "").replace("&lt;", "<").replace("&gt;", ">")  # Markdown
        assert 'line 19, col 1494, <ref name="JOP2004">, [7]' in shown


def test_json_has_the_article_and_the_location() -> None:
    doc = json.loads(format_json(_result()))
    assert doc["articles"][0]["revision"] == 1234567
    assert doc["references"][0]["location"] == {
        "line": 19,
        "column": 1494,
        "ref_name": "JOP2004",
        "number": "7",
        "template": "cite journal",
    }


def test_sarif_is_valid_and_has_column_and_revision() -> None:
    log = json.loads(format_sarif(_result()))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator({**schema, "$ref": "#/definitions/Root"}).validate(log)
    run = log["runs"][0]
    assert run["properties"]["articles"][0]["revision"] == 1234567
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 19, "startColumn": 1494}


def test_junit_and_github_carry_both() -> None:
    root = ET.fromstring(format_junit(_result()))
    props = [p.get("value") for p in root.iter("property")]
    assert any("revision 1234567" in (v or "") for v in props)
    assert "at: line 19, col 1494" in (root.find(".//failure").text or "")  # type: ignore[union-attr]
    github = format_github(_result())
    assert github.startswith("::notice title=citetrack::checked: Necrolytic migratory erythema")
    assert ",line=19,col=1494," in github


def test_lines_format_gives_an_article_reference_its_column() -> None:
    out = format_lines(_result())
    assert ":19:1494: " in out
