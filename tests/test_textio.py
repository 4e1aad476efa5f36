"""Reading inputs: every unreadable file is one clear InputError naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from citetrack.inputs.textio import InputError, decode_text, read_text


def test_utf8_with_bom_and_crlf_is_read_as_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"\xef\xbb\xbfOr\xc3\xbae\r\nline 2\r")
    assert read_text(path) == "Orúe\nline 2\n"


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(b"abc\n\x00def"), "binary file"),
        (lambda p: p.write_bytes("line 1\nOr\u00fae\n".encode("latin-1")), "not valid UTF-8"),
    ],
)
def test_unreadable_inputs(tmp_path: Path, make: object, words: str) -> None:
    path = tmp_path / "in.bib"
    make(path)  # type: ignore[operator]
    with pytest.raises(InputError) as info:
        read_text(path)
    assert words in str(info.value)
    assert str(info.value).startswith(str(path))


def test_decode_error_names_the_line_and_column() -> None:
    with pytest.raises(InputError) as info:
        decode_text(b"ok\nok\nab\xe9cd\n", "x.bib")
    assert info.value.line == 3
    assert "column 3" in str(info.value)
    assert str(info.value).startswith("x.bib:3:")


def test_oversized_input_is_refused() -> None:
    with pytest.raises(InputError, match="larger than"):
        decode_text(b"x" * 2048, "big.txt", max_bytes=1024)
