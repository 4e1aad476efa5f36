"""The CLI's shared options: declared once, the same for every command that takes them,
and turned into the Settings that the API call receives.  In-process (click's runner);
the .bib texts are synthetic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

import citetrack.api
from citetrack.cli import cli
from citetrack.config import Settings
from citetrack.model import CheckResult

runner = CliRunner()


def options_of(command: str) -> dict[str, click.Option]:
    params = cli.commands[command].params
    return {p.opts[-1]: p for p in params if isinstance(p, click.Option)}


@pytest.mark.parametrize(
    "name", ["--mailto", "--no-cache", "--offline", "--cache-dir", "--timeout", "--config"]
)
def test_settings_options_are_the_same_in_check_lock_and_export(name: str) -> None:
    check, lock, export = (options_of(c)[name] for c in ("check", "lock", "export"))
    assert check.help == lock.help == export.help
    assert check.type.__class__ is lock.type.__class__ is export.type.__class__


@pytest.mark.parametrize("name", ["--from", "--allow-private-urls"])
def test_article_options_are_declared_once_for_check_lock_and_export(name: str) -> None:
    # issue 14: --from says what the inputs are; export of a page may need private URLs
    check, lock, export = (options_of(c)[name] for c in ("check", "lock", "export"))
    assert check.help == lock.help == export.help
    if name == "--from":
        assert list(check.type.choices) == ["auto", "bib", "wikitext", "text"]  # type: ignore[attr-defined]


def test_check_and_lock_share_the_run_and_confirm_options() -> None:
    check, lock = options_of("check"), options_of("lock")
    shared = set(check) & set(lock)
    assert {"--no-links", "--links-only", "--archives", "--lockfile", "--confirm-days"} <= shared
    assert set(lock) <= set(check)  # lock takes nothing check does not
    for name in shared:
        assert check[name].help == lock[name].help


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replace the API's check: record what the command passed, find nothing."""
    seen: dict[str, Any] = {}

    def fake_check(source: Any, **kwargs: Any) -> CheckResult:
        seen["source"] = source
        seen.update(kwargs)
        return CheckResult(results=())

    monkeypatch.setattr(citetrack.api, "check", fake_check)
    return seen


def test_grouped_flags_reach_the_settings_of_the_api_call(
    captured: dict[str, Any], tmp_path: Path
) -> None:
    bib = tmp_path / "synthetic.bib"
    bib.write_text("@article{a, title={A}}\n")
    config = tmp_path / "citetrack.toml"
    config.write_text("")
    args = [
        "check", str(bib), "--config", str(config), "--no-lockfile", "--offline",
        "--timeout", "2", "--per-host-interval", "0.5", "--confirm-failures", "5",
        "--mailto", "someone@example.org", "--links-only", "-f", "json",
    ]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    settings: Settings = captured["settings"]
    assert settings.offline and settings.timeout == 2.0 and settings.per_host_interval == 0.5
    assert settings.confirm_failures == 5 and settings.mailto == "someone@example.org"
    assert captured["registries"] is False and captured["links"] is True
    assert [r.key for b in captured["source"] for r in b.references] == ["a"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lock", "--no-lockfile"], "makes no sense"),
        (["check", "--no-links", "--links-only"], "contradict"),
        (["export", "--fix", "colour"], "unknown fix colour"),
        (["export", "--no-fix", "pages,shade"], "unknown fix shade"),
        (["export", "--no-backup"], "--no-backup only goes with --in-place"),
        (["export", "--no-fix", "-o", "out.bib"], "--no-fix needs the fix kinds"),
        (["export", "--fix", "--diff"], "--fix needs the fix kinds"),
    ],
)
def test_contradictions_and_unknown_fixes_are_usage_errors(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "references.bib").write_text("@article{a, title={A}}\n")
    (tmp_path / "citetrack.toml").write_text("")
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output


def test_export_with_every_fix_off_gives_the_input_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "citetrack.toml").write_text("")
    text = "@article{a,\n  doi = {https://doi.org/10.1234/ABC},\n  pages = {1-9},\n}\n"
    (tmp_path / "references.bib").write_text(text)
    result = runner.invoke(cli, ["export", "--no-fix", "all", "-o", "out.bib"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.bib").read_text() == text
    result = runner.invoke(cli, ["export", "--fix", "pages", "-o", "out.bib"])
    assert result.exit_code == 0, result.output
    assert "pages = {1--9}" in (tmp_path / "out.bib").read_text()


def test_dash_output_is_standard_output_for_parse_and_export_never_a_file_named_dash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `-o -` is standard output by the common convention (click's own for INPUT); it
    # used to write a file called '-' next to the user's files. Synthetic inputs.
    monkeypatch.chdir(tmp_path)
    Path("refs.txt").write_text(
        "References\n\n"
        "1. Doe J, Roe R. A made-up study of things. J Made Up Res. 2001;4(2):10-19.\n",
        encoding="utf-8",
    )
    parsed = runner.invoke(cli, ["parse", "refs.txt", "-o", "-"])
    assert parsed.exit_code == 0, parsed.output
    assert parsed.stdout.startswith("@article{") and "A made-up study of things" in parsed.stdout
    Path("t.bib").write_text("@article{a1,\n  title={A study},\n  pages={1-5},\n}\n")
    exported = runner.invoke(cli, ["export", "t.bib", "--offline", "--no-cache", "-o", "-"])
    assert exported.exit_code == 0, exported.output
    assert "pages={1--5}" in exported.stdout
    assert Path("t.bib").read_text() == "@article{a1,\n  title={A study},\n  pages={1-5},\n}\n"
    assert not Path("-").exists()


@pytest.mark.parametrize("value", ["-", "sarif=-"])
def test_dash_as_an_extra_report_file_is_a_usage_error(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("t.bib").write_text("@article{a1, title={A study}}\n")
    result = runner.invoke(cli, ["check", "t.bib", "--offline", "--no-cache", "-o", value])
    assert result.exit_code == 2
    assert "'-' is not a file name here" in result.output
    assert not Path("-").exists()


@pytest.mark.parametrize("name", ["parse", "export", "lock"])
def test_help_lists_only_the_exit_codes_the_command_can_give(name: str) -> None:
    """parse, export and lock have no --fail-on and never exit 1 or 3: their --help must
    not promise the check's codes (a CI script written from it would test for 3)."""
    text = CliRunner().invoke(cli, [name, "--help"]).output
    codes = text[text.index("Exit codes:") :]
    assert "--fail-on" not in codes
    assert "  0  " in codes and "  2  " in codes
    assert "  1  " not in codes and "  3  " not in codes


def test_check_help_lists_the_verdict_codes() -> None:
    text = CliRunner().invoke(cli, ["check", "--help"]).output
    codes = text[text.index("Exit codes:") :]
    assert all(f"  {code}  " in codes for code in (0, 1, 2, 3))
