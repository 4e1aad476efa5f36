"""``% citetrack: ignore RULES`` comments above an entry (issue 12).

The comment acts exactly like the ``citetrack-ignore`` field: suppressed findings are
counted and shown (JSON ``suppressed``, SARIF ``suppressions`` in source), and export keeps
the comment untouched.  Synthetic .bib data, except ``tests/data/planted.bib``.
"""

from __future__ import annotations

import json
from pathlib import Path

from citetrack.inputs.bib import loads_bib
from citetrack.inputs.bib.comments import _IGNORE, comment_rules, says_ignore
from citetrack_emulator import Emulator
from tests.e2e import REPO, run_cli

PLANTED = REPO / "tests/data/planted.bib"

SYNTHETIC = """% SYNTHETIC
% a note about the next entry
%% citetrack: ignore identifier-malformed, no-identifier
@article{a,
  title = {T},
  doi = {not-a-doi},
}

% citetrack: ignore identifier-malformed

@article{b,
  title = {T2},
  doi = {not-a-doi2},
}
@article{c, title = {T3}, note = {% citetrack: ignore identifier-malformed}, doi = {x}}
@article{d,
  title = {T4},
  % citetrack: ignore url-dead
  doi = {10.1000/182},
}
"""


def test_only_the_comment_lines_touching_the_entry_count() -> None:
    bib = loads_bib(SYNTHETIC, "s.bib")
    refs = {r.key: r for r in bib.references}
    assert refs["a"].get("citetrack-ignore") == "identifier-malformed, no-identifier"
    assert refs["b"].get("citetrack-ignore") is None  # a blank line in between
    assert refs["c"].get("citetrack-ignore") is None  # not a comment: inside a value
    assert bib.text == SYNTHETIC  # the text (and so export) is untouched


def test_a_comment_is_merged_with_the_field() -> None:
    text = "% citetrack: ignore url-dead\n@misc{m, citetrack-ignore = {isbn-invalid}}\n"
    (ref,) = loads_bib(text).references
    assert ref.get("citetrack-ignore") == "isbn-invalid, url-dead"


def test_the_quick_look_never_misses_an_ignore_line() -> None:
    # with_comment_ignores returns the file unchanged when says_ignore finds nothing
    # (issue 16): every line _IGNORE matches must make it say yes.
    lines = [
        "% citetrack: ignore x",
        "%%citetrack:ignore",
        "  %\t citetrack \t:\t ignore url-dead",
        "% a note on citetrack, not an ignore",
        "% citetrack ignore x",
        "% citetrack: ignored",
        "% CITETRACK: ignore x",
        "% citetrack:\nignore x",
        "citetrack: ignore",
        "% citetrack-ignore = {x}",
    ]
    for line in lines:
        for text in (line, f"@misc{{m}}\n{line}\n@misc{{n}}", f"citetrack {line}"):
            if any(_IGNORE.match(one) for one in text.splitlines()):
                assert says_ignore(text), text
    assert not says_ignore("% SYNTHETIC, for the citetrack benchmark\n@misc{m}\n")
    assert says_ignore("citetrack citetrack: ignore")
    mention = "% the citetrack check benchmark\n@misc{m, title = {T}}\n"
    bib = loads_bib(mention)
    assert bib.references[0].get("citetrack-ignore") is None


def test_crlf_and_an_entry_on_the_first_line() -> None:
    assert comment_rules("% citetrack: ignore x y\r\n@misc{m}", 25) == ["x", "y"]
    assert comment_rules("@misc{m}", 0) == []
    with_bom = "\ufeff% citetrack: ignore x\n@misc{m}"
    assert comment_rules(with_bom, with_bom.index("@")) == ["x"]


def test_a_percent_line_inside_an_entry_is_reported_not_silently_glued() -> None:
    bib = loads_bib(SYNTHETIC, "s.bib")
    problems = [p for p in bib.problems if p.rule == "bib-comment"]
    assert [(p.line, p.key) for p in problems] == [(18, "d")]
    assert "line above the entry" in problems[0].message


def test_the_comment_suppresses_through_the_cli_and_export_keeps_it(
    tmp_path: Path, emulator_session: Emulator
) -> None:
    # planted.bib with the broken thiers2009cutaneous told to ignore pmid-doi-conflict by a
    # comment on the line above it.
    text = PLANTED.read_text()
    start = text.rindex("@", 0, text.index("thiers2009cutaneous"))
    bib = tmp_path / "refs.bib"
    bib.write_text(text[:start] + "% citetrack: ignore pmid-doi-conflict\n" + text[start:])
    env = {**emulator_session.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    plain = run_cli("check", str(PLANTED), "--no-lockfile", "--no-links", "-f", "json", env=env)
    args = ["check", str(bib), "--no-lockfile", "--no-links", "-f", "json", "-o", "r.sarif"]
    out = run_cli(*args, env=env, cwd=tmp_path)
    before = {r["key"]: r for r in plain.json()["references"]}["thiers2009cutaneous"]
    after = {r["key"]: r for r in out.json()["references"]}["thiers2009cutaneous"]
    assert "pmid-doi-conflict" in {f["rule"] for f in before["findings"]}
    assert "pmid-doi-conflict" not in {f["rule"] for f in after["findings"]}
    assert [f["rule"] for f in after["suppressed"]] == ["pmid-doi-conflict"]
    assert after["status"] != "broken"
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    hidden = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert [r["ruleId"] for r in hidden] == ["pmid-doi-conflict"]
    assert hidden[0]["suppressions"][0]["kind"] == "inSource"
    text_out = run_cli("check", str(bib), "--no-lockfile", "--no-links", env=env)
    assert "1 finding(s) suppressed (ignored)" in " ".join(text_out.stdout.split())
    exported = tmp_path / "out.bib"
    run = run_cli("export", str(bib), "--no-fix", "all", "-o", str(exported), env=env)
    assert run.code == 0, run.stderr
    assert exported.read_bytes() == bib.read_bytes()
