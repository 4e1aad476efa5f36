"""An article's parse problems are findings in every report format, not only lines on
standard error (the bug class of a skipped .bib entry reported on stderr alone), and the
lines outside its reference list are a note of the report.

All references below are made up for these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

from citetrack.parse import DOUBTFUL, MALFORMED, NOT_READ, ParseProblem, parse_text
from citetrack.rules.bibfile import article_problems
from citetrack.rules.catalog import RULE_MALFORMED
from tests.e2e import run_cli

ARTICLE = """\
Quartz fever in glassblowers

Quartz fever is a made-up illness of this test.
Ravel Q, Oduya T. An invented cohort that was never in any list. J Invented Res. 2011;4:1-9.

References
1. Ravel Q, Oduya T. An invented cohort of glassblowers. J Invented Res. 2011;4(2):10-19.
Google Scholar PubMed Crossref
2. Oduya T. Heat and lungs in a made-up trade. Invented Occup Med. 2015;7(1):33-40.
3. Ibid., 47.
4. The invented society of glassblowers.
"""

LATEX = r"""\documentclass{article}
\begin{document}
As shown before~\cite{ravel}.
\begin{thebibliography}{9}
\bibitem{ravel}
Q.~Ravel and T.~Oduya.
\newblock An invented cohort of glassblowers.
\newblock \emph{J Invented Res}, 4(2):10--19, 2011.
\end{thebibliography}
\end{document}
"""


def _check_json(path: Path, tmp_path: Path) -> tuple[dict[str, object], str]:
    run = run_cli(
        "check", str(path), "--offline", "--no-links", "--no-lockfile", "--format", "json",
        "--cache-dir", str(tmp_path / "cache"), "-q",
    )  # fmt: skip
    assert run.code in (0, 1, 3), run.stderr
    report: dict[str, object] = json.loads(run.stdout)
    return report, run.stderr


def test_keyed_problems_go_on_their_reference_the_others_stand_alone() -> None:
    problems = [
        ParseProblem(7, "ravel2011: no title found", "", DOUBTFUL),
        ParseProblem(8, "2 lines (8, 9) held only a web page's link labels", "", NOT_READ),
        ParseProblem(7, "ravel2011: PMID '0' is not a valid PMID; kept as printed", "", MALFORMED),
        ParseProblem(9, "other: a key that is none of the article's", "", DOUBTFUL),
    ]
    out = article_problems("a.txt", problems, {"ravel2011"})
    assert [(p.key, p.line, p.rule, p.message) for p in out] == [
        ("ravel2011", 7, DOUBTFUL, "no title found"),
        (None, 8, NOT_READ, "2 lines (8, 9) held only a web page's link labels"),
        (None, 9, DOUBTFUL, "other: a key that is none of the article's"),
    ]
    assert all(p.path == "a.txt" and p.column == 1 for p in out)
    # The identifier is left to the check's own rule, under the same id.
    assert MALFORMED == RULE_MALFORMED


def test_identifier_problems_of_a_parse_carry_their_own_rule() -> None:
    text = "1. Ravel Q. An invented title. J Invented Res. 2011;4:1-9. PMID: 0.\n"
    (problem,) = parse_text(text).problems
    assert problem.rule == MALFORMED and "PMID '0'" in problem.message


def test_check_reports_an_articles_unread_and_doubtful_lines_as_findings(
    tmp_path: Path,
) -> None:
    article = tmp_path / "quartz.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    report, stderr = _check_json(article, tmp_path)
    refs = report["references"]
    assert isinstance(refs, list)
    by_rule = {f["rule"]: (r["key"], f["line"]) for r in refs for f in r["findings"]}
    # the link labels and the Ibid. note: results of their own, placed at their line
    assert by_rule[NOT_READ][1] in (8, 10)
    not_read = [r for r in refs if any(f["rule"] == NOT_READ for f in r["findings"])]
    assert [r["location"]["line"] for r in not_read] == [8, 10]
    assert all(r["entry_type"] == "" for r in not_read)
    # the item that is no citation: a doubt on its own reference
    doubtful = [r for r in refs if any(f["rule"] == DOUBTFUL for f in r["findings"])]
    assert [r["location"]["line"] for r in doubtful] == [11]
    assert doubtful[0]["entry_type"] == "misc"
    # the lines before the list are said in the report itself, not only on stderr
    notes = report["notes"]
    assert isinstance(notes, list)
    assert any(
        "quartz.txt: 3 lines between 1 and 4, before the reference list" in n for n in notes
    ), notes
    assert "warning" in stderr  # and still on stderr, as for a .bib's defects


def test_the_lines_format_and_the_summary_count_them(tmp_path: Path) -> None:
    article = tmp_path / "quartz.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    run = run_cli(
        "check", str(article), "--offline", "--no-links", "--no-lockfile", "--format", "lines",
        "--cache-dir", str(tmp_path / "cache"), "-q",
    )  # fmt: skip
    assert f"quartz.txt:8:1: warning {NOT_READ}:" in run.stdout
    assert f"quartz.txt:11:1: warning {DOUBTFUL}:" in run.stdout
    assert "quartz.txt: 3 lines between 1 and 4, before the reference list" in run.stdout


def test_fail_on_warning_fails_an_article_with_a_line_not_read(tmp_path: Path) -> None:
    article = tmp_path / "list.txt"
    article.write_text(
        "1. Ravel Q, Oduya T. An invented cohort of glassblowers. J Invented Res. "
        "2011;4(2):10-19.\nGoogle Scholar PubMed Crossref\n",
        encoding="utf-8",
    )
    args = ("check", str(article), "--offline", "--no-links", "--no-lockfile", "-q")
    cache = ("--cache-dir", str(tmp_path / "cache"))
    assert run_cli(*args, *cache, "--fail-on", "warning").code == 1
    assert run_cli(*args, *cache).code != 1  # a warning does not fail the default gate


def test_a_latex_paper_has_no_note_about_its_own_text(tmp_path: Path) -> None:
    paper = tmp_path / "paper.tex"
    paper.write_text(LATEX, encoding="utf-8")
    report, _ = _check_json(paper, tmp_path)
    notes = report["notes"]
    assert isinstance(notes, list)
    assert not any("read as the article's text" in n for n in notes)
    refs = report["references"]
    assert isinstance(refs, list)
    assert [r["key"] for r in refs] == ["ravel"]


def test_parse_says_a_papers_text_was_not_read_without_advice(tmp_path: Path) -> None:
    paper = tmp_path / "paper.tex"
    paper.write_text(LATEX, encoding="utf-8")
    run = run_cli("parse", str(paper))
    assert run.code == 0
    assert "paper.tex:1: note: lines 1-3, before the reference list, the paper's text" in (
        run.stderr
    )
    assert "give them list numbers" not in run.stderr


def test_export_of_rendered_text_says_how_to_get_a_cleaned_bib(tmp_path: Path) -> None:
    """A .tex paper or a pasted list has no templates to edit: the error must not only
    send the user to wikitext they do not have."""
    paper = tmp_path / "paper.tex"
    paper.write_text(LATEX, encoding="utf-8")
    run = run_cli("export", str(paper), "--offline", "--cache-dir", str(tmp_path / "cache"))
    assert run.code == 2
    assert f"citetrack parse {paper} -o references.bib" in run.stderr
    assert run.stdout == ""
