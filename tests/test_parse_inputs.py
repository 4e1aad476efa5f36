"""What `citetrack parse` does with inputs people hand it by mistake or from other tools
(issue 15: a clear message naming the file, never a list of junk entries).

SYNTHETIC DATA: the references below were made up for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from citetrack.cli import cli

runner = CliRunner()
_LIST = "References\n\n1. Doe J, Roe R. A made-up study. J Made Up Res. 2001;4(2):10-19.\n"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_list_with_its_byte_order_mark_is_read(codec: str, tmp_path: Path) -> None:
    # Windows' Notepad saves "Unicode" as UTF-16 with a byte order mark; it was refused as
    # "a binary file (contains NUL bytes)".
    data = _LIST.replace("\n", "\r\n").encode(codec)
    if codec != "utf-16":  # the explicit-endian codecs write no mark: add it
        data = ("\ufeff" + _LIST).encode(codec)
    path = tmp_path / "refs.txt"
    path.write_bytes(data)
    result = runner.invoke(cli, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    assert "title   = {A made-up study}" in result.stdout
    assert "pages   = {10--19}" in result.stdout


def test_utf16_without_a_mark_is_still_not_text(tmp_path: Path) -> None:
    path = tmp_path / "refs.txt"
    path.write_bytes(_LIST.encode("utf-16-le"))
    result = runner.invoke(cli, ["parse", str(path)])
    assert result.exit_code == 2
    assert f"{path}:1: looks like a binary file" in result.output


def test_export_of_a_utf16_article_says_what_to_do(tmp_path: Path) -> None:
    # export rewrites the file byte for byte, in UTF-8 only: it says so, not "binary".
    path = tmp_path / "article.txt"
    path.write_bytes(_LIST.encode("utf-16"))
    result = runner.invoke(cli, ["export", str(path), "--offline", "--no-cache"])
    assert result.exit_code == 2
    assert "is UTF-16" in result.output and "iconv -f utf-16 -t utf-8" in result.output


def test_a_bib_file_given_to_parse_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "library.bib"
    path.write_text("@article{doe2001,\n  title = {A made-up study},\n  year = 2001,\n}\n")
    result = runner.invoke(cli, ["parse", str(path), "-o", str(tmp_path / "out.bib")])
    assert result.exit_code == 2
    assert f"{path}: is BibTeX already" in result.output and "citetrack check" in result.output
    assert not (tmp_path / "out.bib").exists()
    # Asked for explicitly, it is read as a list (the user's call).
    forced = runner.invoke(cli, ["parse", str(path), "--from", "text"])
    assert forced.exit_code == 0
