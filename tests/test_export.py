"""The export engine on small, hand-written .bib texts: planning, editing, refusing, diffing."""

from __future__ import annotations

import difflib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citetrack.export import (
    FIX_KINDS,
    FORMAT_FIELD,
    Change,
    Fix,
    apply_fixes,
    export_bib,
    format_fix,
    normalize_page_ranges,
    plan_local_fixes,
    unified_diff,
)
from citetrack.inputs.bib import loads_bib

LOCAL = frozenset({"identifiers", "pages"})


def fix(key: str, field: str, value: str, kind: str = "metadata", source: str = "crossref") -> Fix:
    return Fix(key, field, value, f"{source} says so", source, kind)


def planned(text: str, kinds: frozenset[str] = LOCAL) -> dict[tuple[str, str], str]:
    return {(f.key, f.field): f.new_value for f in plan_local_fixes(loads_bib(text), kinds)}


# --------------------------------------------------------------------------- planning


@pytest.mark.parametrize(
    ("written", "fixed"),
    [
        ("doi:10.1016/J.TINS.2011.06.006", "10.1016/J.TINS.2011.06.006"),  # case kept
        ("https://doi.org/10.1371/journal.pone.0033693", "10.1371/journal.pone.0033693"),
        ("http://dx.doi.org/10.1000/182", "10.1000/182"),
        ("  10.1000/182 ", "10.1000/182"),
        ("{{doi:10.1000/182}}", "{{10.1000/182}}"),  # Web of Science's double braces stay
    ],
)
def test_doi_is_stored_bare(written: str, fixed: str) -> None:
    assert planned(f"@misc{{a, doi = {{{written}}}}}") == {("a", "doi"): fixed}


@pytest.mark.parametrize(
    ("field", "written", "fixed"),
    [
        ("pmid", "PMID: 0019258446", "19258446"),
        ("pubmed_id", "PMID 123", "123"),
        ("pmcid", "pmc 6300015", "PMC6300015"),
        ("pmc", "6300015", "PMC6300015"),
        ("isbn", "0-7216-2921-0", "978-0-7216-2921-6"),
        ("isbn", "9780387981406", "978-0-387-98140-6"),
        ("issn", "09574174", "0957-4174"),
        ("issn", "15345807, 18781551", "1534-5807, 1878-1551"),
    ],
)
def test_identifiers_are_normalised(field: str, written: str, fixed: str) -> None:
    assert planned(f"@misc{{a, {field} = {{{written}}}}}") == {("a", field): fixed}


@pytest.mark.parametrize(
    "text",
    [
        "@misc{a, doi = {10.1000/182}}",  # already canonical
        "@misc{a, doi = {not a doi}}",  # malformed: compare reports it, export leaves it
        "@misc{a, isbn = {978-0-7216-2921-6}}",
        "@misc{a, issn = {1234-5678, garbage}}",  # a list with an invalid part
        "@string{d = {doi:10.1/x}}\n@misc{a, doi = d}",  # written with a macro
        "@misc{a, pmid = 123}",
    ],
)
def test_nothing_to_do_plans_nothing(text: str) -> None:
    assert planned(text) == {}


@pytest.mark.parametrize(
    ("written", "fixed"),
    [
        ("12-18", "12--18"),
        ("12–18", "12--18"),
        ("12—18", "12--18"),
        ("12 - 18", "12--18"),
        ("12 -- 18", "12--18"),
        ("123-9", "123--129"),  # MEDLINE-abbreviated end expanded: "123--9" would read 123 to 9
        ("123--9", "123--129"),  # the same, already given BibTeX's dashes
        ("e1074-e1081", "e1074--e1081"),
        ("S12-S18, 20-25", "S12--S18, 20--25"),
        ("xi-xv", "xi--xv"),
        ("12\\textendash 18", "12--18"),
    ],
)
def test_page_ranges_get_two_dashes(written: str, fixed: str) -> None:
    assert normalize_page_ranges(written) == fixed


@pytest.mark.parametrize("written", ["12--18", "e33693", "12", "pp. 12-18", "A-B", ""])
def test_page_values_left_alone(written: str) -> None:
    assert normalize_page_ranges(written) in (written, None)


def test_plan_only_for_the_kinds_asked() -> None:
    text = "@misc{a, doi = {doi:10.1000/x}, pages = {1-2}}"
    assert set(planned(text, frozenset({"pages"}))) == {("a", "pages")}
    assert set(planned(text, frozenset({"identifiers"}))) == {("a", "doi")}
    assert planned(text, frozenset({"add-ids", "metadata"})) == {}
    assert planned(text, frozenset({"format"})) == {("a", FORMAT_FIELD): ""}


# --------------------------------------------------------------------------- applying


def test_no_fixes_is_the_identity() -> None:
    text = "junk\r\n@misc{a,title={x}}\n% c\n@string{s={y}}\n"
    assert apply_fixes(loads_bib(text), []) == (text, [])


def test_replacing_a_value_touches_only_its_delimiters_contents() -> None:
    text = (
        "@article{a,\n"
        '  title = "The {DNA} of {\\\'E}tienne",\n'
        "  pages = {12-18},\n"
        "  year  = 2001,\n"
        "}\n"
    )
    bib = loads_bib(text)
    new, changes = apply_fixes(bib, plan_local_fixes(bib, LOCAL))
    assert new == text.replace("{12-18}", "{12--18}")
    assert changes == [
        Change(
            "a",
            "pages",
            "12-18",
            "12--18",
            "page range written with a single dash; BibTeX ranges use `--`",
            "citetrack",
            3,
        )
    ]


def test_replacement_keeps_quotes_and_bare_numbers() -> None:
    text = '@article{a,\n  volume = 12,\n  number = "3",\n  year = 2001\n}\n'
    new, _ = apply_fixes(
        loads_bib(text),
        [fix("a", "volume", "13"), fix("a", "number", "4"), fix("a", "year", "2001a")],
    )
    assert new == '@article{a,\n  volume = 13,\n  number = "4",\n  year = {2001a}\n}\n'


def test_quoted_value_switches_to_braces_when_it_must() -> None:
    text = '@article{a, journal = "J"}'
    new, _ = apply_fixes(loads_bib(text), [fix("a", "journal", 'The "J"')])
    assert new == '@article{a, journal = {The "J"}}'


def test_added_field_follows_the_entry_style_cdl() -> None:
    text = (
        "@article{a,\n"
        "\tAuthor = {X},\n"
        "\tDoi = {10.1/a},\n"
        "\tYear = {2001}}\n"
        "\n"
        "@article{b,\n"
        "\tAuthor = {Y},\n"
        "\tYear = {2002}}\n"
    )
    new, changes = apply_fixes(loads_bib(text), [fix("b", "doi", "10.1/b", "add-ids")])
    # Spelled as the file spells it (`Doi`), tab-indented, no trailing comma added.
    assert new == text.replace("\tYear = {2002}}", "\tYear = {2002},\n\tDoi = {10.1/b}}")
    assert changes[0].old_value is None
    assert changes[0].line == 6


def test_added_field_follows_the_entry_style_jabref_crlf_aligned() -> None:
    text = (
        "@Article{a,\r\n"
        "  author       = {X},\r\n"
        "  journaltitle = {J},\r\n"
        "  year         = {2001},\r\n"
        "}\r\n"
    )
    new, _ = apply_fixes(loads_bib(text), [fix("a", "pmid", "123", "add-ids")])
    year = "  year         = {2001},\r\n"
    assert new == text.replace(year, year + "  pmid         = {123},\r\n")


def test_added_field_follows_the_entry_style_paperpile_quotes() -> None:
    text = '@ARTICLE{a,\n  title = "{T}",\n  year  =  2019,\n  doi   = "10.1/a"\n}\n'
    new, _ = apply_fixes(loads_bib(text), [fix("a", "pmid", "42", "add-ids")])
    assert new == text.replace('"10.1/a"\n', '"10.1/a",\n  pmid  = "42"\n')


def test_added_field_in_one_line_entries() -> None:
    new, _ = apply_fixes(loads_bib("@misc{a,title={T}}"), [fix("a", "doi", "10.1/x", "add-ids")])
    assert new == "@misc{a,title={T}, doi={10.1/x}}"
    new, _ = apply_fixes(loads_bib("@misc{a}"), [fix("a", "doi", "10.1/x", "add-ids")])
    assert new == "@misc{a,\n  doi = {10.1/x}\n}"
    new, _ = apply_fixes(loads_bib("@misc{a,}"), [fix("a", "doi", "10.1/x", "add-ids")])
    assert new == "@misc{a,\n  doi = {10.1/x}\n}"


def test_several_fixes_in_one_entry_and_entries_around_untouched() -> None:
    text = (
        "@string{j = {Journal}}\n"
        "@misc{before, title={B}}\n"
        "@article{a,\n  journal = j,\n  pages = {1-2},\n  volume = {1},\n}\n"
        "% between\n"
        "@misc{after, title={A}}\n"
    )
    fixes = [
        fix("a", "volume", "2"),
        fix("a", "pmid", "7", "add-ids"),
        fix("a", "doi", "10.1/a", "add-ids"),
        fix("a", "pages", "1--2", "pages", "citetrack"),
    ]
    new, changes = apply_fixes(loads_bib(text), fixes)
    assert new == text.replace(
        "  pages = {1-2},\n  volume = {1},\n",
        "  pages = {1--2},\n  volume = {2},\n  pmid = {7},\n  doi = {10.1/a},\n",
    )
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [
        ("pages", "1-2", "1--2"),
        ("volume", "1", "2"),
        ("pmid", None, "7"),
        ("doi", None, "10.1/a"),
    ]


def test_fix_equal_to_the_current_value_is_dropped() -> None:
    text = "@misc{a, volume = {3}}"
    result = export_bib(loads_bib(text), [fix("a", "volume", "3")])
    assert (result.text, result.changes, result.skipped) == (text, (), ())


# --------------------------------------------------------------------------- refusing


def refused(text: str, *fixes: Fix) -> list[str]:
    result = export_bib(loads_bib(text), fixes)
    assert result.text == text, "a refused fix must not change anything"
    assert result.changes == ()
    return [s.reason for s in result.skipped]


def test_refuse_missing_key_with_a_case_hint() -> None:
    (reason,) = refused("@misc{Smith, year={1}}", fix("smith", "year", "2"))
    assert reason == "no entry with key smith (there is Smith on line 1)"


def test_refuse_duplicated_key() -> None:
    text = "@misc{k, year={1}}\n@misc{k, year={2}}\n"
    (reason,) = refused(text, fix("k", "year", "3"))
    assert "defined 2 times (lines 1, 2)" in reason


def test_refuse_failed_and_unreadable_entries() -> None:
    text = "@misc{bad\n  year = {1}}\n@misc{odd,\n  volume = {1}\n  year = {2}}\n"
    reasons = refused(text, fix("bad", "year", "2"), fix("odd", "year", "3"))
    assert "could not be parsed" in reasons[0]
    assert "not read reliably" in reasons[1]


@pytest.mark.parametrize("field", ["title", "author", "Editor", "booktitle", "shorttitle"])
def test_refuse_titles_and_names(field: str) -> None:
    (reason,) = refused("@misc{a, title={Ōtsuka}}", fix("a", field, "Otsuka"))
    assert "never rewrites titles or names" in reason


def test_refuse_macro_and_concatenation_values() -> None:
    text = "@string{j={J}}\n@misc{a, journal = j, month = apr # {~1}}"
    reasons = refused(text, fix("a", "journal", "K"), fix("a", "month", "May"))
    assert all("@string macro" in r for r in reasons)


def test_refuse_add_ids_when_present_under_any_name() -> None:
    text = "@misc{a, pmc = {PMC1}, doi = {10.1/a}}"
    reasons = refused(
        text, fix("a", "pmcid", "PMC2", "add-ids"), fix("a", "doi", "10.1/b", "add-ids")
    )
    assert "pmc already holds 'PMC1'" in reasons[0]
    assert "doi already holds '10.1/a'" in reasons[1]


def test_add_ids_fills_an_empty_field() -> None:
    new, _ = apply_fixes(loads_bib("@misc{a, doi = {}}"), [fix("a", "doi", "10.1/a", "add-ids")])
    assert new == "@misc{a, doi = {10.1/a}}"


def test_refuse_identifier_fix_that_changes_the_identifier() -> None:
    (reason,) = refused(
        "@misc{a, doi = {doi:10.1/a}}", fix("a", "doi", "10.1/b", "identifiers", "citetrack")
    )
    assert "not which identifier it is" in reason


def test_refuse_pages_fix_that_changes_the_pages() -> None:
    (reason,) = refused("@misc{a, pages = {12-18}}", fix("a", "pages", "12--19", "pages"))
    assert "not its pages" in reason


def test_refuse_bad_values_fields_and_kinds() -> None:
    text = "@misc{a, year = {1}}"
    cases = {
        fix("a", "volume", "{1"): "unbalanced braces",
        fix("a", "volume", "1\\"): "unbalanced braces",  # would escape the closing brace
        fix("a", "my field", "1"): "not a BibTeX field name",
        Fix("a", "volume", "2", "r", "s", "guess"): "unknown kind of fix `guess`",
        fix("a", "keywords", "x"): "may not change field keywords",  # metadata fields only
        fix("a", "note", "x", "add-ids"): "may not add field note",
        fix("a", "doi", "10.1000/x", "pages"): "only change field pages",
    }
    result = export_bib(loads_bib(text), list(cases))
    assert result.text == text
    assert len(result.skipped) == len(cases)
    for skipped in result.skipped:
        assert cases[skipped.fix] in skipped.reason


def test_conflicting_fixes_are_all_refused_agreeing_ones_applied_once() -> None:
    text = "@misc{a, volume = {1}, year = {2000}}"
    result = export_bib(
        loads_bib(text),
        [
            fix("a", "volume", "2", source="crossref"),
            fix("a", "volume", "3", source="pubmed"),
            fix("a", "year", "2001", source="crossref"),
            fix("a", "year", "2001", source="pubmed"),
        ],
    )
    assert result.text == "@misc{a, volume = {1}, year = {2001}}"
    assert len(result.changes) == 1
    assert [s.fix.source for s in result.skipped] == ["crossref", "pubmed"]
    assert "conflicting fixes for a.volume" in result.skipped[0].reason


def test_a_value_that_would_break_the_file_is_refused() -> None:
    text = "@misc{a, note = {x}}\n"
    (reason,) = refused(text, fix("a", "journal", "x\n@misc{evil, title = y}"))
    assert "would not read back as intended" in reason


def test_every_kind_is_known() -> None:
    # "archive" (issue 14) applies to articles: archive links for dead URLs.
    assert FIX_KINDS == (
        "identifiers",
        "pages",
        "add-ids",
        "metadata",
        "format",
        "conflicts",
        "archive",
    )


# ---------------------------------------------------------------------------- format


def test_format_orders_fields_and_keeps_every_value() -> None:
    text = (
        "@Article{b, year = 2001,\n"
        "      Title = {The {DNA}},\n"
        '  note = "n" # apr,  Author = {X and Y}}\n'
        "@misc{untouched,   year = 1}\n"
    )
    bib = loads_bib(text)
    new, changes = apply_fixes(bib, [format_fix("b")])
    assert new == (
        "@Article{b,\n"
        "  Author = {X and Y},\n"
        "  Title  = {The {DNA}},\n"
        "  year   = 2001,\n"
        '  note   = "n" # apr,\n'
        "}\n"
        "@misc{untouched,   year = 1}\n"
    )
    (change,) = changes
    assert change.field == FORMAT_FIELD
    assert change.old_value == text.split("\n@misc", maxsplit=1)[0]
    assert loads_bib(new).references[0].fields == bib.references[0].fields


def test_format_with_a_value_fix() -> None:
    text = "@misc{a, pages = {1-2}, author = {X}}"
    new, changes = apply_fixes(
        loads_bib(text), [format_fix("a"), fix("a", "pages", "1--2", "pages", "citetrack")]
    )
    assert new == "@misc{a,\n  author = {X},\n  pages  = {1--2},\n}"
    assert [c.field for c in changes] == ["pages", FORMAT_FIELD]


def test_format_of_a_formatted_entry_changes_nothing() -> None:
    text = "@misc{a,\n  author = {X},\n  pages  = {1--2},\n}"
    assert apply_fixes(loads_bib(text), [format_fix("a")]) == (text, [])


# ------------------------------------------------------------------------------ diff


def test_unified_diff() -> None:
    old = "a\nb\nc\n"
    new = "a\nB\nc\n"
    assert unified_diff(old, new, "refs.bib") == (
        "--- refs.bib\n+++ refs.bib\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
    )
    assert unified_diff(old, old, "refs.bib") == ""


def test_unified_diff_marks_missing_final_newline_and_keeps_cr() -> None:
    diff = unified_diff("x\r\ny", "x\r\nz", "f.bib")
    assert diff.endswith("-y\n\\ No newline at end of file\n+z\n\\ No newline at end of file\n")
    assert " x\r\n" in diff


def apply_unified(old: str, diff: str) -> str:
    """A minimal `patch`: apply a unified diff made by unified_diff to ``old``."""
    src = re.findall(r"[^\n]*\n|[^\n]+\Z", old)
    out: list[str] = []
    pos = 0
    lines = diff.split("\n")[2:]
    k = 0
    while k < len(lines) and lines[k]:
        start = int(re.match(r"@@ -(\d+)", lines[k]).group(1))  # type: ignore[union-attr]
        k += 1
        # A hunk that removes nothing from an empty range starts after line `start`.
        take = start - 1 if start else 0
        header_len = re.match(r"@@ -\d+(?:,(\d+))?", lines[k - 1]).group(1)  # type: ignore[union-attr]
        if header_len == "0":
            take = start
        out.extend(src[pos:take])
        pos = take
        while k < len(lines) and lines[k] and not lines[k].startswith("@@"):
            mark, text = lines[k][0], lines[k][1:] + "\n"
            if k + 1 < len(lines) and lines[k + 1] == "\\ No newline at end of file":
                text = text[:-1]
                k += 1
            if mark in " -":
                assert src[pos] == text, (src[pos], text)
                pos += 1
            if mark in " +":
                out.append(text)
            k += 1
    out.extend(src[pos:])
    return "".join(out)


@given(
    st.lists(st.sampled_from(["a\n", "b\n", "}\n", "\n", "x\r\n", "@misc{k,\n"]), max_size=30),
    st.data(),
)
def test_unified_diff_applies_back(lines: list[str], data: st.DataObject) -> None:
    old = "".join(lines)
    new_lines = list(lines)
    for _ in range(data.draw(st.integers(0, 5))):
        pos = data.draw(st.integers(0, len(new_lines)))
        if new_lines and data.draw(st.booleans()):
            del new_lines[min(pos, len(new_lines) - 1)]
        else:
            new_lines.insert(pos, data.draw(st.sampled_from(["n\n", "a\n", "}\n", "tail"])))
    new = "".join(new_lines)
    if data.draw(st.booleans()):
        new = new.rstrip("\n")
    diff = unified_diff(old, new, "f.bib")
    assert (diff == "") == (old == new)
    if diff:
        assert apply_unified(old, diff) == new


def test_unified_diff_matches_difflib_on_small_real_edits() -> None:
    text = "".join(f"@misc{{k{i},\n  pages = {{{i}-{i + 1}}},\n}}\n\n" for i in range(40))
    bib = loads_bib(text)
    new, _ = apply_fixes(bib, plan_local_fixes(bib, LOCAL))
    expected = "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True), new.splitlines(keepends=True), "x.bib", "x.bib"
        )
    )
    assert unified_diff(text, new, "x.bib") == expected
