"""End to end: a researcher's non-UTF-8 .bib through the real CLI (issue 12).

Checked and exported against the emulator: reports are UTF-8 and say which encoding was
used, line numbers are right, and export writes the file back in its own encoding (byte
for byte when nothing is fixed, atomically through a symlink with --in-place).  Every file
is SYNTHETIC: UTF-8 text written out in Latin-1, Windows-1252 or GBK.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from citetrack_emulator import Emulator
from tests.e2e import run_cli

# Line numbers after lines with non-ASCII letters: the entry on line 2, a duplicate on 10.
WESTERN = (
    "% SYNTHETIC test file\r\n"
    "@article{muller,\r\n"
    "  author = {M\u00fcller, J\u00fcrgen and Fran\u00e7ois, \u00c9mile},\r\n"
    "  title = {\u00dcber die \u00c4hnlichkeit},\r\n"
    "  year = {2001},\r\n"
    "  doi = {not-a-doi},\r\n"
    "  pages = {1-5},\r\n"
    "}\r\n"
    "@misc{other, note = {\u00e9}}\r\n"
    "@misc{other, note = {\u00e8}}\r\n"  # line 10: a duplicate key
)
CP1252 = WESTERN.replace("die", "\u201cdie\u201d")  # curly quotes: 0x93 / 0x94
CHINESE = (
    "% SYNTHETIC test file\n"
    "@article{zhang,\n"
    "  author = {\u5f20\u4e09 and \u674e\u56db},\n"
    "  title = {\u4e2d\u6587\u6807\u9898},\n"
    "  year = {2001},\n"
    "  doi = {not-a-doi},\n"
    "  pages = {1-5},\n"
    "}\n"
    "@misc{other, note = {\u4e2d}}\n"
    "@misc{other, note = {\u6587}}\n"  # line 10: a duplicate key
)
CASES = [("latin-1", WESTERN, []), ("cp1252", CP1252, []), ("gbk", CHINESE, ["--encoding", "gbk"])]
IDS = [c[0] for c in CASES]


@pytest.fixture
def env(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}


@pytest.mark.parametrize(("codec", "text", "flags"), CASES, ids=IDS)
def test_export_without_fixes_gives_back_the_same_bytes(
    codec: str, text: str, flags: list[str], env: dict[str, str], tmp_path: Path
) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_bytes(text.encode(codec))
    out = tmp_path / "out.bib"
    run = run_cli("export", str(bib), *flags, "--no-fix", "all", "-o", str(out), env=env)
    assert run.code == 0, run.stderr
    assert out.read_bytes() == bib.read_bytes()


@pytest.mark.parametrize(("codec", "text", "flags"), CASES, ids=IDS)
def test_a_fix_is_written_in_the_files_own_encoding(
    codec: str, text: str, flags: list[str], env: dict[str, str], tmp_path: Path
) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_bytes(text.encode(codec))
    out = tmp_path / "out.bib"
    run = run_cli("export", str(bib), *flags, "--fix", "pages", "-o", str(out), env=env)
    assert run.code == 0, run.stderr
    assert f"{bib}:7: " in run.stderr  # the line of the pages field
    assert out.read_bytes() == text.replace("{1-5}", "{1--5}").encode(codec)


def test_in_place_through_a_symlink_keeps_the_link_and_the_encoding(
    env: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "real.bib"
    target.write_bytes(WESTERN.encode("latin-1"))
    link = tmp_path / "refs.bib"
    link.symlink_to(target)
    run = run_cli("export", str(link), "--fix", "pages", "--in-place", env=env)
    assert run.code == 0, run.stderr
    assert link.is_symlink()
    assert target.read_bytes() == WESTERN.replace("{1-5}", "{1--5}").encode("latin-1")
    assert (tmp_path / "refs.bib.bak").read_bytes() == WESTERN.encode("latin-1")


@pytest.mark.parametrize(("codec", "text", "flags"), CASES, ids=IDS)
def test_check_reports_in_utf8_with_the_encoding_and_the_right_line(
    codec: str, text: str, flags: list[str], env: dict[str, str], tmp_path: Path
) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_bytes(text.encode(codec))
    run = run_cli("check", str(bib), *flags, "--no-links", "-f", "json", env=env)
    assert run.code == 1, run.stderr
    report = run.json()
    (note,) = report["notes"]
    name = {"latin-1": "Latin-1", "cp1252": "Windows-1252", "gbk": "GBK"}[codec]
    assert f"read as {name}" in note
    assert ("detected" in note) == (not flags)
    ref = report["references"][0]
    lines = {(f["rule"], f["line"]) for r in report["references"] for f in r["findings"]}
    assert {("identifier-malformed", 2), ("bib-duplicate-key", 10)} <= lines
    title = text.split("title = {", maxsplit=1)[1].split("},", maxsplit=1)[0]
    assert ref["title"] == title  # decoded, not mojibake
    text_run = run_cli("check", str(bib), *flags, "--no-links", env=env)
    assert f"note: {bib}: " in text_run.stdout  # said in the report itself, not only stderr


def test_gbk_without_encoding_is_a_clear_error_not_mojibake(
    env: dict[str, str], tmp_path: Path
) -> None:
    bib = tmp_path / "zh.bib"
    bib.write_bytes(CHINESE.encode("gbk"))
    run = run_cli("check", str(bib), "--no-links", env=env)
    assert run.code == 2
    assert f"{bib}:3: not valid UTF-8" in run.stderr
    assert "--encoding" in run.stderr and "Traceback" not in run.stderr


def test_an_unknown_encoding_is_a_usage_error(env: dict[str, str], tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_bytes(WESTERN.encode("latin-1"))
    for command in ("check", "lock", "export"):
        run = run_cli(command, str(bib), "--encoding", "klingon", env=env)
        assert run.code == 2, command
        assert "unknown encoding 'klingon'" in run.stderr


def test_a_latin1_bib_on_standard_input(env: dict[str, str], tmp_path: Path) -> None:
    # ``--from bib -``: read from standard input (it was "-: no such file"), detected the
    # same way, and exported back in Latin-1.
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CITETRACK_", "NCBI_"))}
    data = WESTERN.encode("latin-1")

    def cli(*args: str) -> subprocess.CompletedProcess[bytes]:
        command = [sys.executable, "-m", "citetrack", *args, "--from", "bib", "-"]
        return subprocess.run(
            command, input=data, capture_output=True, env={**base, **env}, timeout=120, check=False
        )

    check = cli("check", "--no-links", "--no-lockfile", "-f", "json")
    assert check.returncode == 1, check.stderr
    report = json.loads(check.stdout.decode("utf-8"))
    assert report["notes"] == [
        "<stdin>: not UTF-8, read as Latin-1 (detected); give --encoding NAME if its "
        "accented letters look wrong"
    ]
    assert report["references"][0]["title"] == "\u00dcber die \u00c4hnlichkeit"
    export = cli("export", "--fix", "pages")
    assert export.returncode == 0, export.stderr
    assert export.stdout == WESTERN.replace("{1-5}", "{1--5}").encode("latin-1")
    in_place = cli("export", "--in-place")
    assert in_place.returncode == 2
    assert b"--in-place needs a file" in in_place.stderr
