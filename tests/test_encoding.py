"""Non-UTF-8 .bib files (issue 12): detection, --encoding, LaTeX escapes on write-back.

Every file here is SYNTHETIC: UTF-8 text written out in Latin-1, Windows-1252 or GBK.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from citetrack.export import Fix, export_bib
from citetrack.inputs.bib import Bibliography, loads_bib
from citetrack.inputs.encoding import codec_name, decode_bib, latex_escape_char
from citetrack.inputs.textio import InputError

WESTERN = "@article{m,\n  author = {M\u00fcller, J\u00fcrgen},\n  title = {\u00c9tude},\n}\n"
QUOTES = "@article{q,\n  title = {\u201cQuoted\u201d \u2013 text},\n}\n"
CHINESE = "@article{g,\n  author = {\u5f20\u4e09},\n  title = {\u4e2d\u6587\u6807\u9898},\n}\n"


def test_utf8_and_a_bom_are_utf8() -> None:
    assert decode_bib(WESTERN.encode("utf-8"), "a.bib").encoding == "utf-8"
    decoded = decode_bib(b"\xef\xbb\xbf" + WESTERN.encode("utf-8"), "a.bib")
    assert (decoded.encoding, decoded.text[0]) == ("utf-8", "\ufeff")  # BOM kept for export
    assert decoded.note("a.bib") is None


def test_latin1_is_detected_and_said() -> None:
    decoded = decode_bib(WESTERN.encode("latin-1"), "a.bib")
    assert (decoded.text, decoded.encoding, decoded.how) == (WESTERN, "latin-1", "detected")
    note = decoded.note("a.bib")
    assert note is not None and "Latin-1" in note and "--encoding" in note


def test_windows_1252_quotes_and_dashes_are_detected() -> None:
    decoded = decode_bib(QUOTES.encode("cp1252"), "a.bib")
    assert (decoded.text, decoded.encoding) == (QUOTES, "cp1252")


def test_gbk_is_refused_without_encoding_never_read_as_mojibake() -> None:
    with pytest.raises(InputError) as info:
        decode_bib(CHINESE.encode("gbk"), "zh.bib")
    assert info.value.line == 2
    assert "--encoding" in info.value.message and "gbk" in info.value.message


def test_gbk_with_encoding_reads_exactly() -> None:
    decoded = decode_bib(CHINESE.encode("gbk"), "zh.bib", "GBK")
    assert (decoded.text, decoded.encoding, decoded.how) == (CHINESE, "gbk", "given")


def test_a_wrong_encoding_names_the_line() -> None:
    with pytest.raises(InputError) as info:
        decode_bib(b"@misc{a,\n title = {x},\n note = {\xff\xfe}}\n", "a.bib", "utf-8")
    assert info.value.line == 3


@pytest.mark.parametrize("name", ["utf-16", "cp037", "no-such-codec"])
def test_encodings_bibtex_cannot_be_read_in_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        codec_name(name)


def test_codec_names_are_normalised() -> None:
    assert codec_name("latin1") == "latin-1"
    assert codec_name("ISO-8859-1") == "latin-1"
    assert codec_name("windows-1252") == "cp1252"


@pytest.mark.parametrize(
    ("char", "escape"),
    [
        ("\u00fc", '{\\"u}'),
        ("\u00e9", "{\\'e}"),
        ("\u010d", "{\\v{c}}"),
        ("\u0141", "{\\L}"),
        ("\u00ed", "{\\'\\i}"),
        ("\u2013", "--"),
        ("\u4e2d", None),
    ],
)
def test_latex_escapes(char: str, escape: str | None) -> None:
    assert latex_escape_char(char) == escape


def _latin1_bib() -> Bibliography:
    text = "@article{m,\n  author = {M\u00fcller},\n  journal = {J},\n  url = {http://x.org/}\n}\n"
    return replace(loads_bib(text, "m.bib"), encoding="latin-1")


def test_a_fixed_value_the_encoding_cannot_hold_is_written_as_a_latex_escape() -> None:
    bib = _latin1_bib()
    fix = Fix("m", "journal", "Acta \u0141\u00f3d\u017a", "test", "synthetic", "metadata")
    result = export_bib(bib, [fix])
    assert "journal = {Acta {\\L}\u00f3d{\\'z}}" in result.text
    result.text.encode("latin-1")  # writable in the file's own encoding
    assert [c.new_value for c in result.changes] == ["Acta {\\L}\u00f3d{\\'z}"]


def test_a_value_with_no_escape_is_refused_naming_the_entry() -> None:
    bib = _latin1_bib()
    fixes = [
        Fix("m", "journal", "\u4e2d\u6587", "test", "synthetic", "metadata"),
        Fix("m", "url", "http://x.org/\u00fc\u0142", "test", "synthetic", "metadata"),
    ]
    result = export_bib(bib, fixes)
    assert result.text == bib.text
    assert [s.fix.field for s in result.skipped] == ["journal", "url"]
    assert all("Latin-1" in s.reason and s.line == 1 for s in result.skipped)


def test_utf16_is_named_with_a_conversion_hint() -> None:
    with pytest.raises(InputError) as info:
        decode_bib("@misc{a, title={x}}".encode("utf-16"), "u.bib")
    assert "UTF-16" in info.value.message and "iconv" in info.value.message


def test_a_given_encoding_on_a_utf8_file_is_doubted_in_the_note() -> None:
    decoded = decode_bib(WESTERN.encode("utf-8"), "a.bib", "latin-1")
    assert decoded.encoding == "latin-1"  # the user's word is kept …
    note = decoded.note("a.bib")
    assert note is not None and "also valid UTF-8" in note  # … but not silently
    plain = decode_bib(WESTERN.encode("latin-1"), "a.bib", "latin-1").note("a.bib")
    assert plain == "a.bib: read as Latin-1 (--encoding)"


def test_a_utf8_file_with_one_pasted_windows_1252_line_is_refused_at_that_line() -> None:
    # Read as Windows-1252, every other é of the file would become Ã©.
    data = (
        "@misc{a,\n  title = {Caf\u00e9 \u00e0 Paris},\n".encode()
        + "  note = {\u201cpasted\u201d},\n".encode("cp1252")
        + "  author = {M\u00fcller}}\n".encode()
    )
    with pytest.raises(InputError) as info:
        decode_bib(data, "m.bib")
    assert info.value.line == 3
    assert "rest of the file is UTF-8" in info.value.message


def test_gbk_with_only_latin_letters_is_refused_too() -> None:
    # GBK writes é as A8 A6 and ü as A8 B9: read as Latin-1 they are ¨¦ and ¨¹.
    data = "@misc{a,\n  author = {M\u00fcller, Ren\u00e9}}\n".encode("gbk")
    with pytest.raises(InputError) as info:
        decode_bib(data, "a.bib")
    assert info.value.line == 2
    assert decode_bib(data, "a.bib", "gbk").text.endswith("M\u00fcller, Ren\u00e9}}\n")


def test_western_punctuation_next_to_letters_still_reads() -> None:
    note = "\u00a1Hola! \u00bfQu\u00e9? 20\u00b0C \u00bd \u00ab\u00c9t\u00e9\u00bb"
    text = "@misc{a,\n  note = {" + note + "}}\n"
    assert decode_bib(text.encode("latin-1"), "a.bib").text == text
