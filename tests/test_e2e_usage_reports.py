"""End-to-end: every exit-2 run says why in the machine-readable reports it was asked for,
and none replaces a report the same run already wrote in full (:mod:`citetrack.cli.usage`,
:func:`citetrack.cli.output.failure_reported`).

* A click usage error (an unknown option, a bad value, options that contradict each other)
  went to standard error only: ``--format json``, ``-o report.json`` and ``--format
  github`` readers got nothing at all.
* A report file that could not be written after the others were (a full disk) replaced
  the complete reports already written with an error document, and standard output got a
  second JSON document after the full report (no longer JSON).
* A report file whose directory does not exist is said before the check, not after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, run_cli, tmpfs

OFFLINE = ("--offline", "--no-lockfile", "--no-links")


def _error(path: Path) -> dict[str, object]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert "summary" not in doc, doc
    error: dict[str, object] = doc["error"]
    return error


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        (("--fial-on", "warning"), "No such option '--fial-on'"),
        (("--fail-on", "worse"), "'worse' is not one of"),
        (("--update-lock", "--no-lockfile"), "contradict each other"),
    ],
)
def test_a_usage_error_reaches_the_json_markdown_and_github_reports(
    tmp_path: Path, bad: tuple[str, ...], said: str
) -> None:
    run = run_cli(
        "check",
        str(SEED_BIB),
        *OFFLINE,
        *bad,
        "--format",
        "json",
        "-o",
        "report.json",
        "-o",
        "markdown=summary.md",
        cwd=tmp_path,
    )
    assert run.code == 2
    assert said in run.stderr  # as click said it before
    error = run.json()["error"]
    assert said in str(error["message"]) and error["exit_code"] == 2
    assert _error(tmp_path / "report.json") == error
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("## citetrack could not run (exit 2)") and said in summary
    github = run_cli("check", str(SEED_BIB), *OFFLINE, *bad, "-f", "github", cwd=tmp_path)
    assert github.code == 2
    assert github.stdout.startswith("::error title=citetrack could not run::"), github.stdout
    assert said in github.stdout


def test_a_usage_error_of_merge_reaches_its_json_too(tmp_path: Path) -> None:
    run = run_cli("merge", "shard.json", "--bogus", "-fjson", "-o", "json=m.json", cwd=tmp_path)
    assert run.code == 2
    assert "No such option '--bogus'" in str(run.json()["error"]["message"])
    assert _error(tmp_path / "m.json") == run.json()["error"]


def test_a_damaged_shard_report_is_named_in_the_merge_s_json_error(tmp_path: Path) -> None:
    """The error document named no file (``"path": null``) though its message did."""
    (tmp_path / "shard.json").write_text('{"schema_version": 1, "references": [', "utf-8")
    run = run_cli("merge", "shard.json", "-fjson", cwd=tmp_path)
    assert run.code == 2
    error = run.json()["error"]
    assert "cannot read the shard report" in str(error["message"])
    assert error["path"] == "shard.json"


def test_an_unknown_format_is_not_guessed_the_files_still_get_the_error(tmp_path: Path) -> None:
    run = run_cli("check", str(SEED_BIB), *OFFLINE, "-f", "jsn", "-o", "r.json", cwd=tmp_path)
    assert run.code == 2 and run.stdout == ""  # text on stdout: stderr said it
    assert "'jsn' is not one of" in str(_error(tmp_path / "r.json")["message"])


def test_an_output_in_a_missing_directory_is_refused_before_the_check(tmp_path: Path) -> None:
    with Emulator() as emu:
        env = {**emu.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
        run = run_cli(
            "check",
            str(SEED_BIB),
            "--no-lockfile",
            "--no-links",
            "-f",
            "json",
            "-o",
            "a.json",
            "-o",
            "missing/b.sarif",
            cwd=tmp_path,
            env=env,
        )
        asked = emu.stats()["services"]
    assert run.code == 2
    # One JSON document on standard output (the full report followed by an error
    # document was no JSON at all), the same in a.json.
    error = run.json()["error"]
    assert "missing/b.sarif" in str(error["message"]) and "no directory" in str(error["message"])
    assert _error(tmp_path / "a.json") == error
    assert not asked, asked  # refused before any request


# ----------------------------------------------- a report that cannot be written late


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs, filled (needs root, as in CI here; skipped elsewhere)."""
    with tmpfs(tmp_path, 65536) as mount:
        with (mount / "filler").open("ab") as handle, pytest.raises(OSError):
            handle.write(b"\0" * (1 << 20))
            handle.flush()
        yield mount


def test_a_report_that_cannot_be_written_leaves_the_complete_ones_whole(
    tmp_path: Path, full_disk: Path
) -> None:
    with Emulator() as emu:
        env = {**emu.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
        run = run_cli(
            "check",
            str(SEED_BIB),
            "--no-lockfile",
            "--no-links",
            "-f",
            "json",
            "-o",
            f"json={tmp_path / 'first.json'}",
            "-o",
            f"sarif={full_disk / 'second.sarif'}",
            env=env,
        )
    assert run.code == 2
    assert "second.sarif: cannot write the report" in run.stderr
    # Standard output: the report, once, still JSON (no error document after it).
    full = run.json()
    assert full["summary"]["total"] == 10, full["summary"]
    # The report written before the failure is the run's report, not an error document.
    first = json.loads((tmp_path / "first.json").read_text(encoding="utf-8"))
    assert first["summary"] == full["summary"] and "error" not in first
    assert not (full_disk / "second.sarif").exists()
