"""Reading inputs: every unreadable file is one clear InputError naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from citetrack.inputs.encoding import decode_bib
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


@pytest.mark.parametrize(
    ("head", "words"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "is a PDF document, not text"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive (a .docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "Microsoft Office document (.doc)"),
        (b"{\\rtf1\\ansi Ravel Q.}", "is an RTF document"),
        (b"\x1f\x8b\x08\x00", "is gzip-compressed"),
    ],
)
def test_a_document_given_for_its_text_says_what_it_is_and_what_to_do(
    tmp_path: Path, head: bytes, words: str
) -> None:
    """A PDF is not "not valid UTF-8, convert it with iconv", nor a .docx a "binary
    file": the message names the document and the way to its text."""
    path = tmp_path / "paper"
    path.write_bytes(head + b"made-up content")
    with pytest.raises(InputError) as caught:
        read_text(path)
    assert words in caught.value.message
    assert "iconv" not in caught.value.message and caught.value.line == 1
    assert "UTF-8" not in caught.value.message  # decode_bib re-raises only these as they are


def test_a_pdf_given_as_a_bib_is_named_a_pdf(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a PDF document"):
        decode_bib(b"%PDF-1.4\n\xe2\xe3", str(tmp_path / "refs.bib"))
