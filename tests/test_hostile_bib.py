"""Hostile input text (issue 18, items 6, 9 and the line-ending part of 15), through the CLI.

* item 6 — a "billion laughs" .bib (``@string`` macros that double, 1 KB standing for a
  terabyte; a chain nested 40 deep) ends quickly in bounded memory: the macro that
  crosses a limit is reported at its line, and the entry using it is "not read" at its;
* item 15 — a .bib with CR-only line endings gets the right line numbers (not all "1");
* item 9 — ``citetrack parse`` on ``{{`` nested 400 deep, on 740 KB of unclosed
  ``{{cite``, and on one item with 20,000 identifiers: no traceback, an answer within the
  suite's budget, and a message naming the line where something is refused.

Peak memory is measured through the suite's launcher (``run_measured``); the budget is
the time after which a run is killed and the test fails, not a speed assertion.
All inputs are SYNTHETIC.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_reliability_harness import Measured, run_measured

#: Peak RSS of any run here, MiB (an offline run is about 50-60 MiB).
MAX_RSS_MIB = 200.0
#: Seconds a run may take before it is killed (a failure, not a measurement).
BUDGET = 60.0


def _offline_check(bib: Path) -> Measured:
    return run_measured(
        "check",
        str(bib),
        "--offline",
        "--no-cache",
        "--no-links",
        "--no-lockfile",
        timeout=BUDGET,
    )


# ------------------------------------------------------------- item 6: billion laughs


def test_doubling_string_macros_are_capped_and_reported_at_their_lines(tmp_path: Path) -> None:
    lines = ['@string{m0 = "ha"}'] + [
        f"@string{{m{i} = m{i - 1} # m{i - 1}}}" for i in range(1, 41)
    ]
    lines += [
        "",
        "@article{lol,",
        "  title = m40,",
        "}",
        "@article{fine,",
        "  title = {Fine},",
        "}",
    ]
    bib = tmp_path / "lol.bib"
    bib.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert bib.stat().st_size < 1200  # 2^41 characters if expanded
    run = run_measured(
        "check",
        str(bib),
        "--offline",
        "--no-cache",
        "--no-links",
        "--no-lockfile",
        "-f",
        "json",
        timeout=BUDGET,
    )
    assert not run.timed_out
    assert "Traceback" not in run.stderr
    assert run.max_rss_mib < MAX_RSS_MIB, run.max_rss_mib
    # m16 is the first to pass 100,000 characters (2 * 2^16); it is on line 17.
    assert f"{bib}:17: @string `m16`: macros expand to more than 100,000 characters" in run.stderr
    assert f"{bib}:43: entry lol, field title (line 44): macro `m40` is not defined" in run.stderr
    assert "the entry is not read" in run.stderr
    # The file's defects are findings, not only stderr lines (issue 12): exit 1.
    assert run.code == 1, run.stderr
    refs = run.json()["references"]
    checked = [
        r["key"] for r in refs if not any(f["rule"].startswith("bib-") for f in r["findings"])
    ]
    assert checked == ["fine"]  # lol is not checked with a half-read title
    (lol,) = [r for r in refs if r["key"] == "lol"]
    assert {f["rule"] for f in lol["findings"]} == {"bib-unreadable"}


def test_macros_nested_too_deep_are_refused(tmp_path: Path) -> None:
    lines = ['@string{d0 = "x"}'] + [f"@string{{d{i} = d{i - 1}}}" for i in range(1, 41)]
    lines += ["@misc{deep,", "  title = d40,", "}"]
    bib = tmp_path / "deep.bib"
    bib.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = run_measured(
        "check",
        str(bib),
        "--offline",
        "--no-cache",
        "--no-links",
        "--no-lockfile",
        timeout=BUDGET,
    )
    # Its only entry could not be read: no reference from a non-empty file is exit 2.
    assert run.code == 2, run.stderr
    assert "no reference could be read" in run.stderr
    assert f"{bib}:34: @string `d33`: macros nested more than 32 deep" in run.stderr
    assert f"{bib}:42: entry deep, field title (line 43)" in run.stderr


def test_one_big_macro_used_everywhere_is_bounded_in_total(tmp_path: Path) -> None:
    big = "x" * 99_000
    entries = "".join(f"@misc{{e{i},\n  title = big,\n}}\n" for i in range(400))
    bib = tmp_path / "wide.bib"
    bib.write_text(f'@string{{big = "{big}"}}\n{entries}', encoding="utf-8")
    run = run_measured(
        "check",
        str(bib),
        "--offline",
        "--no-cache",
        "--no-links",
        "--no-lockfile",
        "-q",
        timeout=BUDGET,
    )
    assert not run.timed_out
    assert run.max_rss_mib < MAX_RSS_MIB, run.max_rss_mib
    assert "macros in this file expand to more than 16,777,216 characters in all" in run.stderr


# ----------------------------------------------------------- item 15: CR line endings


def test_cr_only_line_endings_give_the_right_line_numbers(tmp_path: Path) -> None:
    text = "@article{a,\n  title = {x},\n}\n\n@article{a,\n  title = {y},\n  title = {z},\n}\n"
    bib = tmp_path / "mac.bib"
    bib.write_bytes(text.replace("\n", "\r").encode())
    run = _offline_check(bib)
    assert run.code == 1, run.stderr  # the duplicate key is a finding (issue 12)
    assert f"{bib}:5: duplicate key a, first defined on line 1" in run.stderr
    assert f"{bib}:7: entry a: field title is given 2 times (lines 6, 7)" in run.stderr


def test_cr_only_line_endings_in_a_non_utf8_file_name_the_line(tmp_path: Path) -> None:
    bib = tmp_path / "latin1.bib"
    # GBK (中文): Latin-1 would be read (issue 12), this one needs --encoding.
    bib.write_bytes(b"@misc{a,\r  title = {ok},\r}\r@misc{b,\r  title = {\xd6\xd0\xce\xc4},\r}\r")
    run = _offline_check(bib)
    assert run.code == 2
    assert f"{bib}:5: not valid UTF-8" in run.stderr


# --------------------------------------------------------- item 9: pathological parse


def _parse(path: Path) -> Measured:
    return run_measured("parse", str(path), timeout=BUDGET)


def test_templates_nested_400_deep_are_refused_at_their_line(tmp_path: Path) -> None:
    text = tmp_path / "nested.txt"
    text.write_text("== References ==\n<ref>" + "{{" * 400 + "x" + "}}" * 400 + "</ref>\n")
    run = _parse(text)
    assert not run.timed_out
    assert "Traceback" not in run.stderr and "RecursionError" not in run.stderr
    assert run.code == 2
    assert f"{text}:2: warning: templates" in run.stderr
    assert "nested more than 40 deep" in run.stderr


def test_740_kb_of_unclosed_cite_templates_is_refused_quickly(tmp_path: Path) -> None:
    text = tmp_path / "unclosed.txt"
    text.write_text("== References ==\n" + "* {{cite journal |title=x |doi=10.1/x\n" * 20_000)
    assert text.stat().st_size > 740_000
    run = _parse(text)
    assert not run.timed_out, "more than the budget on unclosed templates"
    assert run.code == 2
    assert f"{text}:42: warning: templates" in run.stderr
    assert run.max_rss_mib < MAX_RSS_MIB


def test_20000_unclosed_ref_tags_are_refused_quickly(tmp_path: Path) -> None:
    text = tmp_path / "refs.txt"
    text.write_text("== References ==\n" + "<ref>{{cite journal |title=x}}\n" * 20_000)
    run = _parse(text)
    assert not run.timed_out
    assert run.code == 2
    assert f"{text}:41: warning:" in run.stderr


def test_one_item_with_20000_identifiers_is_parsed(tmp_path: Path) -> None:
    ids = " ".join(f"doi:10.{1000 + i % 9000}/x{i}" for i in range(20_000))
    text = tmp_path / "ids.txt"
    text.write_text(f"1. Smith J. A title. J Things. 2000;1:1-2. {ids}\n")
    run = _parse(text)
    assert not run.timed_out, "more than the budget on one long item"
    assert run.code == 0, run.stderr
    assert re.search(r"doi\s*= \{10\.1000/x0\}", run.stdout), run.stdout[:500]
    assert run.max_rss_mib < MAX_RSS_MIB


#: One long item per shape that made a parsing step quadratic (found by timing every
#: pattern of citetrack.parse at n and 2n on repeated units): a run of digits (the page
#: range patterns tried every start inside the run), a comma list of 100,000 "names"
#: (the Vancouver test ran once per name), blanks inside an edition (a lazy match with
#: blanks on both sides).  About 200 KB each, SYNTHETIC.
_LONG_ITEMS = {
    "digits": "1. Smith J. A title. J Things. 2000;1:" + "1" * 200_000 + ".\n",
    "names": "1. " + "a," * 100_000 + " A title. J Things. 2000;1:1-2.\n",
    "edition": "1. Smith J. A title. " + " " * 200_000 + "2nd ed. Springfield: Example; 2000.\n",
}


def test_one_long_item_of_any_shape_parses_within_the_budget(tmp_path: Path) -> None:
    for name, item in _LONG_ITEMS.items():
        text = tmp_path / f"{name}.txt"
        text.write_text(item)
        run = _parse(text)
        assert not run.timed_out, f"more than the budget on a long item of {name}"
        assert "Traceback" not in run.stderr, run.stderr[-2000:]
        assert run.code in (0, 2), run.stderr[-2000:]
        assert run.max_rss_mib < MAX_RSS_MIB
