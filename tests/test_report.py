"""The report formats: each valid for its consumer, deterministic, and inert against data.

The sample run is synthetic.  One reference is hostile on purpose: its key, title and
messages carry terminal escapes, line breaks, workflow commands, HTML and Markdown.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import replace
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest
from junitparser import Failure, JUnitXml, Skipped

from citetrack.model import (
    ArchiveStatus,
    CheckResult,
    Finding,
    Identifiers,
    LinkStatus,
    LinkVerdict,
    Reference,
    ReferenceResult,
    Severity,
    Source,
    Status,
)
from citetrack.report import FORMATS
from citetrack.report.github import format_github
from citetrack.report.json_report import document, format_json
from citetrack.report.junit import format_junit
from citetrack.report.markdown import escape_markdown, format_markdown
from citetrack.report.sarif import FINGERPRINT_NAME, format_sarif

SCHEMA_PATH = Path(__file__).parent / "data" / "schemas" / "sarif-schema-2.1.0.json"
HOSTILE = (
    "Evil\x1b[31m title\r\n::error file=x.py,line=1::pwned\n"
    "<script>alert(1)</script> | `code` [link](https://evil.example) @octocat $x$ 100%"
)
HOSTILE_KEY = "evil|key`[x]"


def ref(key: str, line: int, path: str = "refs.bib", title: str = "A synthetic title") -> Reference:
    return Reference(key, "article", {"title": title}, Identifiers(doi="10.1000/x"), line, path)


def finding(key: str, rule: str, severity: Severity, message: str, **kw: object) -> Finding:
    return Finding(key, rule, severity, message, **kw)  # type: ignore[arg-type]


def sample() -> CheckResult:
    broken = ReferenceResult(
        ref("dead2020", 3),
        findings=(
            finding(
                "dead2020",
                "doi-not-found",
                Severity.BROKEN,
                "DOI 10.1000/x is not registered",
                field="doi",
                actual="10.1000/x",
                source=Source.CROSSREF,
                line=3,
            ),
            finding(
                "dead2020",
                "metadata-mismatch",
                Severity.WARNING,
                "Year differs",
                field="year",
                expected="2019",
                actual="2020",
                source=Source.CROSSREF,
            ),
        ),
        links=(LinkStatus("https://example.org/a", LinkVerdict.DEAD, 404),),
        archives=(ArchiveStatus("https://example.org/a", available=False),),
    )
    changed = ReferenceResult(
        ref("moved2018", 10),
        findings=(
            finding(
                "moved2018",
                "metadata-changed",
                Severity.CHANGED,
                'title changed upstream: was "Old", now "New" (crossref)',
                field="title",
                expected="New",
                actual="Old",
                source=Source.CROSSREF,
                line=10,
            ),
        ),
    )
    unverified = ReferenceResult(
        ref("slow2017", 20, path="more refs/other.bib"),
        findings=(finding("slow2017", "unverified", Severity.UNVERIFIED, "Crossref: HTTP 503"),),
    )
    hostile = ReferenceResult(
        ref(HOSTILE_KEY, 30, title=HOSTILE),
        findings=(
            finding(
                HOSTILE_KEY,
                "metadata-mismatch",
                Severity.WARNING,
                f"Title differs: {HOSTILE}",
                field="title",
                expected="Real title",
                actual=HOSTILE,
            ),
            finding(HOSTILE_KEY, "archive-missing", Severity.NOTE, "no capture"),
        ),
    )
    fine = ReferenceResult(ref("fine2016", 40))
    return CheckResult(
        (broken, changed, unverified, hostile, fine), requests={"crossref": 2, "doi.org": 1}
    )


CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_is_deterministic_and_carries_no_control_characters(name: str) -> None:
    text = FORMATS[name](sample())
    assert text == FORMATS[name](sample())
    assert not CONTROL.search(text)
    assert "\x1b" not in text


def test_the_registry_has_the_five_formats() -> None:
    assert set(FORMATS) >= {"json", "junit", "sarif", "github", "markdown"}


# ------------------------------------------------------------------------------- JSON


def test_json_shape_and_summary() -> None:
    doc = json.loads(format_json(sample()))
    assert doc["schema_version"] == 1
    assert doc["tool"]["name"] == "citetrack"
    # The sample carries no evidence: its clean reference is "unchecked", never "ok"
    # (issue 12), and no reference counts as confirmed by a source.
    assert doc["summary"] == {
        "ok": 0,
        "unchecked": 1,
        "accepted": 0,
        "warning": 1,
        "unverified": 1,
        "changed": 1,
        "broken": 1,
        "total": 5,
        "removed": 0,
        "verified": 0,
        "suppressed": 0,
    }
    assert doc["requests"] == {"crossref": 2, "doi.org": 1}
    first = doc["references"][0]
    assert (first["key"], first["path"], first["line"], first["status"]) == (
        "dead2020",
        "refs.bib",
        3,
        "broken",
    )
    assert first["identifiers"] == {"doi": "10.1000/x"}
    assert first["findings"][0] == {
        "rule": "doi-not-found",
        "severity": "broken",
        "field": "doi",
        "expected": None,
        "actual": "10.1000/x",
        "source": "crossref",
        "message": "DOI 10.1000/x is not registered",
        "suggestion": None,
        "line": 3,
    }
    assert first["links"][0]["verdict"] == "dead"
    assert first["archives"][0]["available"] is False
    assert [r["key"] for r in doc["references"]][:2] == ["dead2020", "moved2018"]


def test_json_keys_are_sorted() -> None:
    text = format_json(sample())
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_json_values_from_data_are_sanitized() -> None:
    doc = json.loads(format_json(sample()))
    title = doc["references"][3]["title"]
    assert "\x1b" not in title and "\n" not in title and "\r" not in title
    assert "<script>" in title  # JSON is data: markup is a consumer's concern, escapes are not


# ------------------------------------------------------------------------------ JUnit


def test_junit_parses_with_one_suite_per_file_and_one_case_per_reference(tmp_path: Path) -> None:
    path = tmp_path / "report.xml"
    path.write_text(format_junit(sample()), encoding="utf-8")
    xml = JUnitXml.fromfile(str(path))
    suites = {s.name: s for s in xml}
    assert set(suites) == {"refs.bib", "more refs/other.bib"}
    cases = {c.name: c for s in xml for c in s}
    assert set(cases) == {"dead2020", "moved2018", "slow2017", HOSTILE_KEY, "fine2016"}
    assert [type(r) for r in cases["dead2020"].result] == [Failure]
    assert cases["dead2020"].result[0].message == "DOI 10.1000/x is not registered"
    assert [type(r) for r in cases["slow2017"].result] == [Skipped]
    assert cases["moved2018"].is_passed and "metadata-changed" in cases["moved2018"].system_out
    assert cases["fine2016"].is_passed and not cases["fine2016"].system_out
    assert (suites["refs.bib"].tests, suites["refs.bib"].failures) == (4, 1)
    assert suites["more refs/other.bib"].skipped == 1


def test_junit_fail_on_changed_fails_changed_references() -> None:
    xml = JUnitXml.fromstring(format_junit(sample(), fail_on=Severity.CHANGED).encode())
    failed = {c.name for s in xml for c in s if c.is_failure}
    assert failed == {"dead2020", "moved2018"}


def test_junit_hostile_text_stays_text() -> None:
    xml = JUnitXml.fromstring(format_junit(sample()).encode())
    (case,) = [c for s in xml for c in s if c.name == HOSTILE_KEY]
    assert "<script>alert(1)</script>" in case.system_out
    assert case.is_passed
    # Line breaks in data become spaces: no line of the output starts with forged text.
    assert not any(line.startswith("::") for line in case.system_out.splitlines())
    assert "Title differs: Evil title ::error file=x.py" in case.system_out


# ------------------------------------------------------------------------------ SARIF


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    # This copy keeps the root object under definitions/Root (see data/schemas/README.md).
    return jsonschema.Draft7Validator({**schema, "$ref": "#/definitions/Root"})


def test_sarif_validates_against_the_2_1_0_schema(
    sarif_validator: jsonschema.Draft7Validator,
) -> None:
    log = json.loads(format_sarif(sample()))
    sarif_validator.validate(log)
    # The validator is not vacuous: a broken log is rejected.
    bad = {**log, "runs": [{**log["runs"][0], "results": [{"level": "fatal"}]}]}
    assert not sarif_validator.is_valid(bad)
    assert not sarif_validator.is_valid({"runs": []})


def test_sarif_and_junit_carry_the_input_notes_and_the_grouped_causes(
    sarif_validator: jsonschema.Draft7Validator,
) -> None:
    # Issue 12: the encoding a .bib was read in, and what could not be checked (grouped).
    result = replace(sample(), notes=("refs.bib: not UTF-8, read as Latin-1 (detected)",))
    log = json.loads(format_sarif(result))
    sarif_validator.validate(log)
    (invocation,) = log["runs"][0]["invocations"]
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert texts[0] == "note: refs.bib: not UTF-8, read as Latin-1 (detected)"
    assert len(texts) == 2 and "could not check 1 reference" in texts[1]
    assert "invocations" not in json.loads(format_sarif(CheckResult(())))["runs"][0]
    junit = format_junit(result)
    assert 'name="citetrack.note" value="note: refs.bib: not UTF-8' in junit


def test_sarif_results_point_at_rules_files_and_lines() -> None:
    run = json.loads(format_sarif(sample()))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    levels = {}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        levels[result["ruleId"]] = result["level"]
    assert levels == {
        "doi-not-found": "error",
        "metadata-mismatch": "warning",
        "metadata-changed": "warning",
        "unverified": "note",
        "archive-missing": "note",
    }
    first = run["results"][0]["locations"][0]["physicalLocation"]
    assert first == {"artifactLocation": {"uri": "refs.bib"}, "region": {"startLine": 3}}
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert "more%20refs/other.bib" in uris
    by_id = {r["id"]: r for r in rules}
    assert by_id["doi-not-found"]["defaultConfiguration"] == {"level": "error"}
    assert by_id["doi-not-found"]["shortDescription"]["text"] == "DOI is not registered"


def test_sarif_paths_are_relative_to_the_root_with_forward_slashes(tmp_path: Path) -> None:
    rr = ReferenceResult(
        ref("k", 5, path=str(tmp_path / "sub" / "refs.bib")),
        findings=(finding("k", "url-dead", Severity.BROKEN, "dead"),),
    )
    run = json.loads(format_sarif(CheckResult((rr,)), root=tmp_path))["runs"][0]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "sub/refs.bib"}
    elsewhere = json.loads(format_sarif(CheckResult((rr,)), root=tmp_path / "other"))
    uri = elsewhere["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert uri["artifactLocation"]["uri"].startswith("file:///")


def test_sarif_fingerprints_are_stable_per_key_rule_and_field() -> None:
    def prints(result: CheckResult) -> list[str]:
        run = json.loads(format_sarif(result))["runs"][0]
        return [r["partialFingerprints"][FINGERPRINT_NAME] for r in run["results"]]

    before = prints(sample())
    # Same finding, new wording and severity (a failing URL confirmed broken): same identity.
    reworded = CheckResult(
        tuple(
            ReferenceResult(
                rr.reference,
                findings=tuple(
                    Finding(f.key, f.rule, Severity.BROKEN, f.message + " (again)", f.field)
                    for f in rr.findings
                ),
            )
            for rr in sample().results
        )
    )
    assert prints(reworded) == before
    assert len(set(before)) == len(before)


def test_sarif_message_carries_expected_and_actual_inertly() -> None:
    run = json.loads(format_sarif(sample()))["runs"][0]
    (hostile,) = [
        r
        for r in run["results"]
        if r["properties"]["key"] == HOSTILE_KEY and r["level"] == "warning"
    ]
    text = hostile["message"]["text"]
    assert "expected: Real title" in text
    assert "\n" not in text and "\x1b" not in text


# ----------------------------------------------------------------------------- GitHub

COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def unescape(value: str) -> str:
    return urllib.parse.unquote(value)


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """(command, properties, message) of one workflow command line."""
    match = COMMAND.match(line)
    assert match, line
    props = dict(p.split("=", 1) for p in match.group(2).split(","))
    return match.group(1), props, match.group(3)


def test_github_one_command_per_finding_worst_first() -> None:
    # Notes are annotated only when asked (-v); by default they are left out.
    assert len(format_github(sample()).splitlines()) == len(sample().findings) - 1
    lines = format_github(sample(), notes=True).splitlines()
    assert len(lines) == len(sample().findings)
    kinds = [parse_command(line)[0] for line in lines]
    assert kinds == ["error", "warning", "warning", "warning", "notice", "notice"]
    assert lines[0] == (
        "::error file=refs.bib,line=3,title=doi-not-found (dead2020)::"
        "dead2020: DOI 10.1000/x is not registered%0Aactual: 10.1000/x"
    )
    # The unverified finding (in other.bib) is one notice per cause by default, on the one
    # file (and line) the cause hit, naming the reference; -v (notes=True) annotates it on
    # its reference with its own message.
    (cause,) = [line for line in format_github(sample()).splitlines() if "could not check" in line]
    assert cause.startswith("::notice file=more refs/other.bib,line=20,title=citetrack::")
    assert cause.endswith(": more refs/other.bib: slow2017")
    assert "file=more refs/other.bib" in format_github(sample(), notes=True)


def test_github_hostile_data_cannot_inject_a_command() -> None:
    text = format_github(sample(), notes=True)
    lines = text.splitlines()
    assert len(lines) == len(sample().findings)  # no forged line
    for line in lines:
        assert set(parse_command(line)[1]) <= {"file", "line", "title"}
    hostile = next(line for line in lines if "evil" in line and line.startswith("::warning"))
    _, props, message = parse_command(hostile)
    assert "\r" not in message and "::error file=x.py" in unescape(message)
    assert "100%25" in message  # a literal percent sign survives decoding
    assert unescape(props["title"]) == f"metadata-mismatch ({HOSTILE_KEY})"


def test_github_property_escaping_of_colon_and_comma() -> None:
    rr = ReferenceResult(
        ref("a,b:c", 1, path="dir,x/refs:1.bib"),
        findings=(finding("a,b:c", "url-dead", Severity.BROKEN, "dead"),),
    )
    (line,) = format_github(CheckResult((rr,))).splitlines()
    assert line.startswith("::error file=dir%2Cx/refs%3A1.bib,line=1,title=url-dead (a%2Cb%3Ac)::")


# --------------------------------------------------------------------------- Markdown


def test_markdown_counts_then_changed_then_problems() -> None:
    text = format_markdown(sample())
    assert text.startswith("## citetrack: 5 references checked\n")
    assert "| broken | 1 |" in text and "| unchecked | 1 |" in text
    assert text.index("### Changed since the lockfile") < text.index("### Problems")
    problems = text[text.index("### Problems") :]
    assert "metadata-changed" not in problems
    assert "expected: 2019<br>actual: 2020" in problems
    assert "archive-missing" not in text and "1 note(s) not listed" in text


def test_markdown_notes_stand_apart_from_the_counts_table() -> None:
    # Issue 12: a note (a .bib's encoding) right above the table would join its header row.
    text = format_markdown(replace(sample(), notes=("refs.bib: read as Latin-1 (--encoding)",)))
    lines = text.splitlines()
    at = lines.index("note: refs.bib: read as Latin-1 \\(--encoding\\)  ")
    assert lines[at + 1] == "" and lines[at + 2] == "| status | references |"


def test_markdown_rows_keep_their_columns_despite_hostile_pipes() -> None:
    text = format_markdown(sample())
    unescaped_pipe = re.compile(r"(?<!\\)\|")
    for line in text.splitlines():
        if line.startswith("| reference | severity"):
            columns = len(unescaped_pipe.findall(line))
        elif line.startswith("|") and "evil" in line:
            assert len(unescaped_pipe.findall(line)) == columns


def test_markdown_escaping_renders_hostile_text_inert() -> None:
    text = format_markdown(sample())
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "[link](https" not in text and "\\[link\\]\\(https" in text
    assert "`code`" not in text and "\\`code\\`" in text
    assert "@octocat" not in text and "@\u200boctocat" in text
    assert "\\$x\\$" in text
    assert "\n::error" not in text


def test_escape_markdown_examples() -> None:
    assert escape_markdown("a|b") == "a\\|b"
    assert escape_markdown("x < y & z > w") == "x &lt; y &amp; z &gt; w"
    assert escape_markdown("**bold** _it_ ~~s~~ ![i](u)") == (
        "\\*\\*bold\\*\\* \\_it\\_ \\~\\~s\\~\\~ \\!\\[i\\]\\(u\\)"
    )
    assert escape_markdown("line\nbreak") == "line break"


def test_markdown_without_problems_and_with_a_row_limit() -> None:
    assert "No problems found." in format_markdown(CheckResult((ReferenceResult(ref("ok", 1)),)))
    many = CheckResult(
        tuple(
            ReferenceResult(
                ref(f"k{i}", i), findings=(finding(f"k{i}", "url-dead", Severity.BROKEN, "dead"),)
            )
            for i in range(5)
        )
    )
    text = format_markdown(many, max_rows=2)
    assert text.count("| url-dead |") == 2
    assert "… and 3 more." in text


@pytest.mark.parametrize("indent", [2, 4, 1])
def test_json_references_spliced_one_by_one_give_the_text_of_the_whole_document(
    indent: int,
) -> None:
    # format_json encodes each reference on its own (bounded memory, issue 18); the text
    # must be byte for byte what encoding the whole document at once gives.
    many = sample().results * 260  # more than one batch of references (issue 16)
    for result in (
        sample(),
        replace(sample(), results=sample().results[:1]),
        replace(sample(), results=many[:1000]),
        replace(sample(), results=many[:1001]),
        replace(sample(), results=many),
    ):
        whole = json.dumps(document(result), indent=indent, sort_keys=True, ensure_ascii=False)
        assert format_json(result, indent=indent) == whole + "\n"
    empty = replace(sample(), results=())
    assert (
        format_json(empty)
        == json.dumps(document(empty), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def test_a_results_status_and_verified_follow_its_fields() -> None:
    # Read several times per result by the summary and the reports (issue 16: plain
    # loops, not cached): a result made by replace() says what its own fields say.
    for rr in sample().results:
        first = (rr.status, rr.verified)
        assert (rr.status, rr.verified) == first
        cleared = replace(rr, findings=(), evidence=(), links=(), archives=())
        assert (cleared.status, cleared.verified) == (Status.UNCHECKED, False)
        broken = replace(rr, findings=(finding(rr.reference.key, "x", Severity.BROKEN, "m"),))
        assert broken.status is Status.BROKEN
        assert broken.verified == rr.verified
        assert replace(broken, findings=rr.findings).status is first[0]


def test_github_says_what_it_left_out_in_an_annotation_github_keeps() -> None:
    """GitHub keeps the first 10 annotations of each kind of a step and drops the rest
    silently: the line saying how many were left out was a plain log line (no
    annotation), and the notice of suppressed findings came last, after 10 notices, so
    GitHub dropped it.  Both are notices among the first 10 now."""
    refs = [
        ReferenceResult(
            Reference(f"k{i}", "article", {}, path="refs.bib", line=i + 1),
            findings=(
                Finding(f"k{i}", "identifier-malformed", Severity.WARNING, "not a DOI"),
                Finding(f"k{i}", "unverified", Severity.UNVERIFIED, f"search failed ({i} reasons)"),
            ),
            suppressed=(Finding(f"k{i}", "url-dead", Severity.BROKEN, "dead"),),
        )
        for i in range(14)
    ]
    out = format_github(CheckResult(tuple(refs))).splitlines()
    notices = [line for line in out if line.startswith("::notice ")]
    assert len(notices) <= 10
    assert "4 warning" in notices[0] and "left out" in notices[0], notices[0]
    assert any("suppressed by an ignore" in line for line in notices)
    assert len([line for line in out if line.startswith("::warning ")]) == 10
