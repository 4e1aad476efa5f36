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


_WESTERN = (
    "References\n\n"
    "1. Müller K, O’Hara S. Salt ghosts of a made-up marsh – a study. J Imag Coast Res. "
    "2011;18(4):201–9.\n"
    "2. Quenby T, Ashgrove P. Tidal clocks of an invented harbour. Fict Hist Q. 1998;3:11-20.\n"
)


@pytest.mark.parametrize(("codec", "name"), [("cp1252", "Windows-1252"), ("latin-1", "Latin-1")])
def test_a_list_saved_by_an_old_word_processor_is_read_and_said(
    codec: str, name: str, tmp_path: Path
) -> None:
    # A list saved as "Text (Windows)" or "Western (ISO 8859-1)" was refused, and for
    # Windows-1252 the advice given (`iconv -f latin1`) turned its dashes and quotes into
    # control characters.  It is read as a .bib in those encodings is, and said.
    text = _WESTERN if codec == "cp1252" else _WESTERN.replace("’", "'").replace("–", "-")
    path = tmp_path / "refs.txt"
    path.write_bytes(text.replace("\n", "\r\n").encode(codec))
    result = runner.invoke(cli, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}: not UTF-8, read as {name} (detected)" in result.stderr
    assert "author  = {Müller, K. and O" in result.stdout
    expected = "Salt ghosts of a made-up marsh – a study" if codec == "cp1252" else "a study"
    assert expected in result.stdout


def test_a_list_in_another_encoding_is_read_with_encoding(tmp_path: Path) -> None:
    path = tmp_path / "refs.txt"
    path.write_bytes(_WESTERN.replace("’", "'").replace("–", "-").encode("cp1250"))
    result = runner.invoke(cli, ["parse", str(path), "--encoding", "cp1250"])
    assert result.exit_code == 0, result.output
    assert f"{path}: read as CP1250 (--encoding)" in result.stderr
    assert "Müller" in result.stdout


def test_not_utf8_advice_names_windows_1252_when_the_bytes_are_its(tmp_path: Path) -> None:
    # check reads an article as UTF-8 only; its advice must not corrupt the file.
    path = tmp_path / "article.txt"
    path.write_bytes(_WESTERN.encode("cp1252"))
    result = runner.invoke(cli, ["check", str(path), "--from", "text", "--offline", "--no-cache"])
    assert result.exit_code == 2
    assert "iconv -f cp1252 -t utf-8" in result.output
