"""Output people can read and CI can use (issue 12), through the real CLI and the emulator.

Synthetic .bib data (labelled as such) except ``tests/data/planted.bib``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from citetrack.model import Finding, Reference, ReferenceResult, Severity
from citetrack.rules.ignore import matches
from citetrack_emulator import Emulator
from tests.e2e import REPO, run_cli

PLANTED = REPO / "tests/data/planted.bib"
ORDER = ["broken", "changed", "warning", "unverified", "accepted", "ok", "unchecked"]


def _long_copy(tmp_path: Path) -> Path:
    deep = tmp_path / ("a-rather-long-directory-name-for-a-bibliography-" * 3) / "refs"
    deep.mkdir(parents=True)
    bib = deep / "planted.bib"
    bib.write_bytes(PLANTED.read_bytes())
    return bib


def _env(emulator: Emulator, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache"), **extra}


def test_text_report_at_80_columns_with_a_long_path_is_readable_and_worst_first(
    tmp_path: Path, emulator_session: Emulator
) -> None:
    bib = _long_copy(tmp_path)
    env = _env(emulator_session, tmp_path, COLUMNS="80")
    out = run_cli("check", str(bib), "--no-lockfile", "--no-links", env=env)
    assert out.code == 1, out.stderr
    lines = out.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    header = next(line for line in lines if "finding" in line and "status" in line)
    finding_width = len(header) - header.index("finding")
    assert finding_width >= 35, header  # was 9 characters with a long absolute path
    assert len(lines) < 120, len(lines)
    statuses = [m.group(1) for m in re.finditer(r"^│ (\w+)\s+│", out.stdout, re.MULTILINE)]
    assert statuses and statuses == sorted(statuses, key=ORDER.index), statuses
    assert statuses[0] == "broken"


def test_lines_format_is_one_line_per_finding_like_ruff(
    tmp_path: Path, emulator_session: Emulator
) -> None:
    env = _env(emulator_session, tmp_path)
    out = run_cli(
        "check", str(PLANTED), "--no-lockfile", "--no-links", "--format", "lines", env=env
    )
    report = run_cli(
        "check", str(PLANTED), "--no-lockfile", "--no-links", "--format", "json", env=env
    ).json()
    lines = out.stdout.splitlines()
    pattern = re.compile(r"^tests/data/planted\.bib:\d+: (\w+) [a-z0-9-]+( \[\w+\])?: .+ \[\w+\]$")
    assert lines and all(pattern.match(line) for line in lines), lines
    assert len(lines) == sum(len(r["findings"]) for r in report["references"])
    severities = [pattern.match(line).group(1) for line in lines]  # type: ignore[union-attr]
    ranks = ["broken", "changed", "warning", "unverified", "note"]
    assert severities == sorted(severities, key=ranks.index)


def test_output_format_from_the_extension_and_unknown_format_is_a_usage_error(
    tmp_path: Path, emulator_session: Emulator
) -> None:
    env = _env(emulator_session, tmp_path)
    out = run_cli(
        "check",
        str(PLANTED),
        "--no-lockfile",
        "--no-links",
        "-o",
        "report.sarif",
        "-o",
        "report.xml",
        env=env,
        cwd=tmp_path,
    )
    assert out.code == 1, out.stderr
    assert json.loads((tmp_path / "report.sarif").read_text())["version"] == "2.1.0"
    assert (tmp_path / "report.xml").read_text().startswith("<?xml")
    bad = run_cli("check", str(PLANTED), "-o", "xml=out.xml", env=env, cwd=tmp_path)
    assert bad.code == 2
    assert "unknown format 'xml'" in bad.stderr
    assert not (tmp_path / "xml=out.xml").exists()


def test_quiet_prints_what_help_says(tmp_path: Path, emulator_session: Emulator) -> None:
    env = _env(emulator_session, tmp_path)
    helptext = run_cli("check", "--help", env=env).stdout
    assert "No progress bar and no summary line" in helptext
    loud = run_cli("check", str(PLANTED), "--no-lockfile", "--no-links", env=env)
    quiet = run_cli("check", str(PLANTED), "--no-lockfile", "--no-links", "-q", env=env)
    assert "references:" in loud.stdout
    assert "references:" not in quiet.stdout
    assert "pmid-doi-conflict" in quiet.stdout  # the findings are still there
    assert quiet.code == loud.code == 1


def test_github_annotations_capped_per_kind_worst_first_notes_left_out(
    tmp_path: Path, emulator_session: Emulator
) -> None:
    # Synthetic: 14 references with malformed DOIs (warnings) and no identifier (notes).
    bib = tmp_path / "many.bib"
    bib.write_text(
        "".join(
            f"@article{{k{i}, title = {{Synthetic title {i}}}, year = {{2001}},"
            f" doi = {{not-a-doi-{i}}}}}\n"
            for i in range(14)
        )
        + "@misc{plain, title = {A note only}}\n"
    )
    env = _env(emulator_session, tmp_path)
    out = run_cli("check", str(bib), "--no-lockfile", "--no-links", "--format", "github", env=env)
    lines = out.stdout.splitlines()
    warnings = [line for line in lines if line.startswith("::warning ")]
    assert len(warnings) == 10
    assert not any(line.startswith("::notice ") and "no-identifier" in line for line in lines)
    # The references without a usable DOI are also searched for (issue 13): the searches
    # that cannot run here are unverified notices, capped the same way.
    assert re.fullmatch(
        r"citetrack: 4 warning(, \d+ notice)? annotation\(s\) left out .*", lines[-1]
    ), lines[-1]
    assert "4 warning" in lines[-1]


def test_citetrack_ignore_field_suppresses_a_rule_for_one_reference(
    tmp_path: Path, emulator_session: Emulator
) -> None:
    # planted.bib with the broken thiers2009cutaneous told to ignore pmid-doi-conflict.
    text = PLANTED.read_text()
    start = text.rindex("@", 0, text.index("thiers2009cutaneous"))
    brace = text.index(",", start) + 1
    bib = tmp_path / "refs.bib"
    bib.write_text(text[:brace] + "\n  citetrack-ignore = {pmid-doi-conflict}," + text[brace:])
    env = _env(emulator_session, tmp_path)
    plain = run_cli("check", str(PLANTED), "--no-lockfile", "--no-links", "-f", "json", env=env)
    out = run_cli(
        "check",
        str(bib),
        "--no-lockfile",
        "--no-links",
        "-f",
        "json",
        "-o",
        "r.sarif",
        env=env,
        cwd=tmp_path,
    )
    before = {r["key"]: r for r in plain.json()["references"]}["thiers2009cutaneous"]
    after = {r["key"]: r for r in out.json()["references"]}["thiers2009cutaneous"]
    assert "pmid-doi-conflict" in {f["rule"] for f in before["findings"]}
    assert "pmid-doi-conflict" not in {f["rule"] for f in after["findings"]}
    assert [f["rule"] for f in after["suppressed"]] == ["pmid-doi-conflict"]
    assert after["suppressed"][0]["suppressed"] is True
    assert after["status"] != "broken"
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    hidden = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert [r["ruleId"] for r in hidden] == ["pmid-doi-conflict"]
    text_out = run_cli("check", str(bib), "--no-lockfile", "--no-links", env=env)
    assert "1 finding(s) suppressed (ignored)" in " ".join(text_out.stdout.split())
    assert plain.code == 1
    # The suppressed finding does not count: exit 1 only if something else is broken.
    others_broken = any(r["status"] == "broken" for r in out.json()["references"])
    assert (out.code == 1) == others_broken


def test_config_ignore_entries_suppress_by_rule_and_key_and_by_host(
    tmp_path: Path, emulator_session: Emulator
) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_bytes(PLANTED.read_bytes())
    (tmp_path / "citetrack.toml").write_text(
        '[[ignore]]\nrule = "pmid-doi-conflict"\nkey = "thiers2009cutaneous"\n'
    )
    env = _env(emulator_session, tmp_path)
    out = run_cli(
        "check",
        "refs.bib",
        "--no-lockfile",
        "--no-links",
        "-f",
        "json",
        "-o",
        "r.sarif",
        env=env,
        cwd=tmp_path,
    )
    ref = {r["key"]: r for r in out.json()["references"]}["thiers2009cutaneous"]
    assert [f["rule"] for f in ref["suppressed"]] == ["pmid-doi-conflict"]
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    (hidden,) = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert hidden["suppressions"][0]["kind"] == "external"
    (tmp_path / "citetrack.toml").write_text('[[ignore]]\nbogus = "x"\n')
    bad = run_cli("check", "refs.bib", "--no-lockfile", env=env, cwd=tmp_path)
    assert bad.code == 2 and "citetrack.toml" in bad.stderr


def test_host_and_url_patterns_match_a_findings_url() -> None:
    rr = ReferenceResult(
        reference=Reference(key="k", entry_type="misc", fields={"url": "https://a.example.org/x"})
    )
    f = Finding(key="k", rule="url-dead", severity=Severity.BROKEN, message="dead")
    assert matches((("host", "example.org"),), rr, f)
    assert not matches((("host", "other.org"),), rr, f)
    assert matches((("url", "https://a.example.org/*"),), rr, f)
    assert not matches((("url", "https://b.example.org/*"), ("rule", "url-dead")), rr, f)
