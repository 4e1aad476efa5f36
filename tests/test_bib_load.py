"""Loading BibTeX: references with lines, problems for defects, BibError for unreadable files.

Small inputs here are written for the test; the real files are in test_bib_corpus.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import citetrack.inputs.bib.chunks as bib_chunks
import citetrack.inputs.bib.loader as bib_loader
from citetrack.inputs.bib import BibError, BibProblem, load_bib, loads_bib
from citetrack.inputs.textio import InputError


def rules(problems: tuple[BibProblem, ...]) -> list[str]:
    return [p.rule for p in problems]


# ------------------------------------------------------------------- unreadable files


def test_missing_file_is_a_bib_error(tmp_path: Path) -> None:
    with pytest.raises(BibError) as info:
        load_bib(tmp_path / "nope.bib")
    assert info.value.message == "no such file"
    assert info.value.path.endswith("nope.bib")
    assert isinstance(info.value, InputError)  # the CLI's exit code 2 path


def test_directory_is_a_bib_error(tmp_path: Path) -> None:
    with pytest.raises(BibError, match=r"is a directory, not a \.bib file"):
        load_bib(tmp_path)


def test_binary_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.bib"
    path.write_bytes(b"@misc{a,\n title={x}}\n\x00\x01")
    with pytest.raises(BibError, match="binary") as info:
        load_bib(path)
    assert info.value.line == 3


def test_latin1_file_is_read_as_latin1(tmp_path: Path) -> None:
    path = tmp_path / "latin1.bib"  # SYNTHETIC
    path.write_bytes("@misc{a,\n  author = {Müller},\n}\n".encode("latin-1"))
    bib = load_bib(path)
    assert bib.references[0].fields["author"] == "Müller"
    assert bib.encoding == "latin-1" and "Latin-1" in bib.encoding_note


def test_gbk_file_without_encoding_says_which_byte_and_line(tmp_path: Path) -> None:
    path = tmp_path / "gbk.bib"  # SYNTHETIC
    path.write_bytes("@misc{a,\n  author = {张三},\n}\n".encode("gbk"))
    with pytest.raises(BibError) as info:
        load_bib(path)
    assert info.value.line == 2
    assert "0xd5" in info.value.message
    assert "UTF-8" in info.value.message and "--encoding" in info.value.message
    assert str(info.value).startswith(f"{path}:2: ")
    assert load_bib(path, encoding="gbk").references[0].fields["author"] == "张三"


def test_utf16_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "utf16.bib"
    path.write_bytes("@misc{a, title={x}}".encode("utf-16"))
    with pytest.raises(BibError):
        load_bib(path)


def test_text_is_kept_byte_for_byte(tmp_path: Path) -> None:
    raw = "\ufeff% header\r\n@misc{a,\r\n  title = {T},\r\n}\r\n"
    path = tmp_path / "crlf.bib"
    path.write_bytes(raw.encode("utf-8"))
    bib = load_bib(path)
    assert bib.text == raw
    assert bib.references[0].line == 2
    assert bib.references[0].fields == {"title": "T"}
    assert bib.problems == ()


def test_a_bibtexparser_crash_becomes_a_bib_error_with_the_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = bib_loader.parse_string

    def fragile(text: str, **kwargs: object) -> object:
        if "boom" in text:
            raise RuntimeError("internal state")
        return real(text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bib_loader, "parse_string", fragile)
    monkeypatch.setattr(bib_chunks, "parse_string", fragile)  # the chunk by chunk parse
    with pytest.raises(BibError, match="bibtexparser failed") as info:
        loads_bib("@misc{a, title={x}}\n\n@misc{boom, title={y}}\n", "f.bib")
    assert info.value.line == 3


# ------------------------------------------------------------------------- references


def test_reference_fields_lines_and_identifiers() -> None:
    text = (
        "% a comment\n"
        "\n"
        "@ARTICLE{Smith2020,\n"
        '  Title = "The {DNA} of caf{\\\'e}s",\n'
        "  YEAR = 2020,\n"
        "  doi = {https://doi.org/10.1000/ABC},\n"
        "  pmid = {123}\n"
        "}\n"
        "@book(Jones, title = {B})\n"
    )
    bib = loads_bib(text, "refs.bib")
    smith, jones = bib.references
    assert smith.key == "Smith2020"
    assert smith.entry_type == "article"
    assert smith.line == 3
    assert smith.path == "refs.bib"
    assert dict(smith.fields) == {
        "title": "The {DNA} of caf{\\'e}s",
        "year": "2020",
        "doi": "https://doi.org/10.1000/ABC",
        "pmid": "123",
    }
    assert list(smith.fields) == ["title", "year", "doi", "pmid"]
    assert smith.identifiers.doi == "10.1000/abc"
    assert smith.identifiers.pmid == "123"
    assert (jones.key, jones.entry_type, jones.line, jones.fields) == (
        "Jones",
        "book",
        9,
        {"title": "B"},
    )
    assert bib.problems == ()


def test_entry_header_after_a_closing_brace_on_the_same_line() -> None:
    bib = loads_bib("@misc{a, title={A}}@misc{b, title={B}}\n")
    assert [(r.key, r.line) for r in bib.references] == [("a", 1), ("b", 1)]


def test_macros_are_expanded_and_concatenations_joined() -> None:
    text = (
        "@string{jgr = {J. Geophys. Res.}}\n"
        '@STRING{pub = "Walter" # { de Gruyter}}\n'
        "@misc{a,\n"
        "  journal = JGR,\n"
        "  publisher = pub # { and others},\n"
        '  note = "10~" # jan,\n'
        "  month = jul,\n"
        "}\n"
    )
    (ref,) = loads_bib(text).references
    assert ref.fields["journal"] == "J. Geophys. Res."
    assert ref.fields["publisher"] == "Walter de Gruyter and others"
    # jan is not defined by any @string: the concatenation stays as written.
    assert ref.fields["note"] == '"10~" # jan'
    assert ref.fields["month"] == "jul"


def test_undefined_macro_is_a_problem_but_month_names_are_not() -> None:
    bib = loads_bib("@misc{a,\n  journal = natneuro,\n  month = mar,\n}\n")
    (problem,) = bib.problems
    assert problem.rule == "bib-undefined-macro"
    assert problem.line == 2
    assert problem.key == "a"
    assert "natneuro" in problem.message
    assert bib.references[0].fields["journal"] == "natneuro"


def test_string_block_with_several_macros_is_reported() -> None:
    text = '@STRING{\njan = "styczeń",\nfeb = "luty"\n}\n@misc{a, month = "1~" # jan}\n'
    bib = loads_bib(text)
    (problem,) = bib.problems
    assert problem.rule == "bib-string"
    assert problem.line == 1
    assert "only `jan` is defined" in problem.message and "feb" in problem.message
    assert bib.references[0].fields["month"] == "1~styczeń"


def test_redefined_macro_is_reported_and_the_later_definition_wins() -> None:
    text = "@string{j = {One}}\n@string{j = {Two}}\n@misc{a, journal = j}\n"
    bib = loads_bib(text)
    (problem,) = bib.problems
    assert (problem.rule, problem.line) == ("bib-string", 2)
    assert "first on line 1" in problem.message
    assert bib.references[0].fields["journal"] == "Two"


def test_duplicate_key_keeps_the_first_and_says_where() -> None:
    text = "@misc{k, title={first}}\n\n@misc{k, title={second}}\n"
    bib = loads_bib(text)
    assert [r.fields["title"] for r in bib.references] == ["first"]
    (problem,) = bib.problems
    assert problem.rule == "bib-duplicate-key"
    assert problem.line == 3
    assert "duplicate key k, first defined on line 1" in problem.message
    assert [layout.state for layout in bib.layout] == ["ok", "duplicate"]


def test_duplicate_field_keeps_the_first_value() -> None:
    bib = loads_bib("@misc{k,\n  title = {one},\n  Title = {two},\n}\n")
    assert bib.references[0].fields == {"title": "one"}
    (problem,) = bib.problems
    assert (problem.rule, problem.line) == ("bib-duplicate-field", 3)
    assert "lines 2, 3" in problem.message


def test_exact_duplicate_field_does_not_hide_a_later_duplicate_key() -> None:
    # bibtexparser does not register an entry with a repeated field; we still see the key.
    text = "@misc{k, a={1}, a={2}}\n@misc{k, b={3}}\n"
    bib = loads_bib(text)
    assert [r.fields for r in bib.references] == [{"a": "1"}]
    assert sorted(rules(bib.problems)) == ["bib-duplicate-field", "bib-duplicate-key"]


def test_keys_differing_in_case_are_reported() -> None:
    bib = loads_bib("@misc{vanDam10, title={a}}\n@misc{VanDam10, title={b}}\n")
    assert len(bib.references) == 2
    (problem,) = bib.problems
    assert problem.rule == "bib-key-case"
    assert problem.line == 2


def test_missing_comma_after_key_is_a_problem_with_key_and_line() -> None:
    text = (
        "@misc{ok1, title={a}}\n"
        "@article{KiliEtal13\n"
        "\tAuthor = {K{\\i}l{\\i}\\c{c}, A.},\n"
        "\tYear = {2013}}\n"
        "\n"
        "@misc{ok2, title={b}}\n"
    )
    bib = loads_bib(text)
    assert [r.key for r in bib.references] == ["ok1", "ok2"]
    (problem,) = bib.problems
    assert problem.rule == "bib-syntax"
    assert problem.key == "KiliEtal13"
    assert problem.line == 2
    assert "missing `,` after the key `KiliEtal13`" in problem.message
    assert "lines 2-4" in problem.message  # the tail bibtexparser turned into a comment


def test_unclosed_brace_names_the_field_that_swallowed_the_rest() -> None:
    text = (
        "@article{KahnBeat66,\n"
        "  Title = {Pupil diameter},\n"
        "  Author = {Kahneman, D. and Beatty, J.,\n"
        "  Volume = {154},\n"
        "}\n"
        "\n"
        "@misc{next, title={x}}\n"
    )
    bib = loads_bib(text)
    assert [r.key for r in bib.references] == ["next"]
    (problem,) = bib.problems
    assert problem.key == "KahnBeat66"
    assert "field `Author` runs on into the next fields" in problem.message
    assert "(line 3)" in problem.message


def test_missing_comma_between_fields_is_caught_although_bibtexparser_accepts_it() -> None:
    text = "@article{LongKaha19,\n\tVolume = {29}\n\tPages = {252--259},\n\tYear = {2019}}\n"
    bib = loads_bib(text)
    (problem,) = bib.problems
    assert problem.rule == "bib-syntax"
    assert "field `Volume`: expected `,` or `}` after the value, found `P`" in problem.message
    assert "(line 3)" in problem.message
    (layout,) = bib.layout
    assert layout.state == "unreadable"
    # bibtexparser's reading is kept: Pages is merged into Volume, not lost silently.
    assert bib.references[0].fields["volume"] == "{29}\n\tPages = {252--259}"


def test_empty_key_is_a_problem() -> None:
    bib = loads_bib("@misc{, title={x}}\n")
    assert rules(bib.problems) == ["bib-empty-key"]


def test_comments_preamble_and_free_text_are_not_references() -> None:
    text = (
        "Free text before.\n"
        '@preamble{ "\\newcommand{\\noop}[1]{}" }\n'
        "@comment{jabref-meta: databaseType:bibtex;}\n"
        "@misc{a, title={x}}\n"
        "% trailing\n"
    )
    bib = loads_bib(text)
    assert [r.key for r in bib.references] == ["a"]
    assert bib.problems == ()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "@",
        "@misc{",
        "@misc{a,",
        "@misc{a, title = }",
        '@misc{a, title = "x}',
        "@string{",
        "@string{x}",
        "@misc{a, title = {x}} }}}",
        "@@@{{{",
        '@misc(a, title = "x)", b = {)})',
        "@misc{a, = {x}}",
        "@misc{a, title = {x},, year = 1}",
    ],
)
def test_malformed_text_never_raises(text: str) -> None:
    bib = loads_bib(text)
    assert bib.text == text
