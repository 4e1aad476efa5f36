"""A LaTeX bibliography — the ``\\bibitem`` list of a paper's ``thebibliography`` or of a
``.bbl`` — parsed into BibTeX with the paper's own keys (issue 15,
``citetrack/parse/latexbib.py``).

SYNTHETIC DATA: the references below were made up for these tests; the .bbl layouts
follow what the plainnat and apsrev4-2 styles write (their commands, not their files).
"""

from __future__ import annotations

import json
from pathlib import Path

from citetrack.parse import parse_text
from tests.e2e import REPO, run_cli

BIBLATEX = REPO / "tests" / "data" / "parse" / "invented-biblatex.bbl"

PAPER = r"""\documentclass{article}
\begin{document}
Sleep matters~\cite{arden2018}, as do classrooms~\cite{corrin2015}.
\begin{thebibliography}{9}
\bibitem{arden2018}
T.~Arden and M.~Bexley, ``Sleep in invented teens,'' \emph{J. Made-up Health}, vol.~62,
  no.~5, pp. 601--608, 2018, doi: \url{10.5555/jmh_2018.601}.
\bibitem{corrin2015} O.~Corrin, \textit{The Quiet Invented Classroom}, 2nd~ed.\hskip 1em plus
  0.5em minus 0.4em\relax Nowhere: Fictional Press, 2015. [Online]. Available:
  \url{https://example.org/~corrin/classroom_2015.pdf}
\bibitem[Dace et~al.(2020)]{dace2020}
P.~Dace, S.~Ellery, and J.~Fenwick, ``Tides of small imaginary islands,'' in
  \emph{Proc. Invented Marine Conf.}, 2020, pp. 33--59.
\end{thebibliography}
\end{document}
"""

PLAINNAT = r"""\begin{thebibliography}{2}
\providecommand{\natexlab}[1]{#1}
\providecommand{\url}[1]{\texttt{#1}}
\expandafter\ifx\csname urlstyle\endcsname\relax
  \providecommand{\doi}[1]{doi: #1}\else
  \providecommand{\doi}{doi: \begingroup \urlstyle{rm}\Url}\fi

\bibitem[M{\"u}ller and Bexley(2018)]{muller2018}
H.~M{\"u}ller and M.~Bexley.
\newblock Sleep in invented teens.
\newblock \emph{Journal of Made-up Health}, 62\penalty0 (5):\penalty0 601--608, 2018.
\newblock \doi{10.5555/jmh.2018.601}.

\bibitem[Corrin(2015{\natexlab{a}})]{corrin2015a}
O.~Corrin.
\newblock \emph{The Quiet Invented Classroom}.
\newblock Fictional Press, Nowhere, 2nd edition, 2015{\natexlab{a}}.

\end{thebibliography}
"""

APSREV = r"""%apsrev4-2-like, made up
\begin{thebibliography}{1}%
\makeatletter
\providecommand \BibitemOpen [0]{}%
\bibitem [{\citenamefont {Corrin}(2015)}]{corrin2015}%
  \BibitemOpen
  \bibfield  {author} {\bibinfo {author} {\bibfnamefont {O.}~\bibnamefont {Corrin}},\ }%
  \emph {\bibinfo {title} {The Quiet Invented Classroom}},\ \bibinfo {edition} {2nd}\ %
  ed.\ (\bibinfo  {publisher} {Fictional Press},\ \bibinfo {address} {Nowhere},\ %
  \bibinfo {year} {2015})\BibitemShut {NoStop}%
\end{thebibliography}%
"""


def test_a_papers_thebibliography_keeps_its_keys_and_identifiers() -> None:
    result = parse_text(PAPER, "auto")
    refs = result.references
    assert [r.key for r in refs] == ["arden2018", "corrin2015", "dace2020"]
    assert [r.line for r in refs] == [5, 8, 11]
    arden, corrin, dace = (r.fields for r in refs)
    assert arden["author"] == "Arden, T. and Bexley, M."
    assert arden["title"] == "Sleep in invented teens"
    assert arden["doi"] == "10.5555/jmh_2018.601"  # the "_" of \url{} kept
    assert corrin["url"] == "https://example.org/~corrin/classroom_2015.pdf"  # "~" kept
    assert corrin["publisher"] == "Fictional Press"
    assert dace["booktitle"].startswith("Proc. Invented Marine Conf")
    assert not result.problems
    # The paper's body is reported as text outside the list, not dropped.
    assert result.unread == ((1, 3, 3), (15, 15, 1))


def test_a_bbl_of_natbib_and_of_revtex() -> None:
    result = parse_text(PLAINNAT, "auto")
    assert [r.key for r in result.references] == ["muller2018", "corrin2015a"]
    muller, corrin = (r.fields for r in result.references)
    assert muller["author"] == "Müller, H. and Bexley, M."
    assert muller["doi"] == "10.5555/jmh.2018.601"
    assert muller["pages"] == "601--608"
    assert corrin["year"] == "2015"  # "2015{\natexlab{a}}" is 2015a in the text
    assert result.unread == ()  # the .bbl's \providecommand set-up prints nothing
    result = parse_text(APSREV, "auto")
    (corrin,) = (r.fields for r in result.references)
    assert result.references[0].key == "corrin2015"
    assert corrin["title"] == "The Quiet Invented Classroom"
    assert corrin["publisher"] == "Fictional Press" and corrin["year"] == "2015"


def test_keys_that_bibtex_cannot_hold_or_that_repeat_are_made_anew() -> None:
    text = (
        "\\bibitem{same} A.~Roe, ``One invented title,'' \\emph{Fict. J.}, 2001.\n"
        "\\bibitem{same} B.~Poe, ``Another invented title,'' \\emph{Fict. J.}, 2002.\n"
        "\\bibitem{has space} C.~Doe, ``A third invented title,'' \\emph{Fict. J.}, 2003.\n"
    )
    keys = [r.key for r in parse_text(text, "auto").references]
    assert keys[:2] == ["same", "samea"]
    assert keys[2] != "has space" and " " not in keys[2]


def test_check_of_a_bbl_reports_the_papers_keys(tmp_path: Path) -> None:
    bbl = tmp_path / "paper.bbl"
    bbl.write_text(PLAINNAT, encoding="utf-8")
    run = run_cli(
        "check", str(bbl), "--offline", "--no-links", "--no-lockfile", "--format", "json",
        "--cache-dir", str(tmp_path / "cache"), "-q",
    )  # fmt: skip
    assert run.code in (0, 1, 3), run.stderr
    report = json.loads(run.stdout)
    located = [
        (r["key"], r["location"]["line"], r["location"]["number"]) for r in report["references"]
    ]
    assert located == [("muller2018", 8, "1"), ("corrin2015a", 14, "2")]


def test_a_biblatex_bbl_gives_its_entries_back_field_by_field() -> None:
    result = parse_text(BIBLATEX.read_text(encoding="utf-8"), "auto")
    assert not result.problems
    arden, corrin = result.references
    assert (arden.key, arden.entry_type, arden.line) == ("arden2018", "article", 17)
    assert dict(arden.fields) == {
        "author": "Arden, T. and van Müller, Hans Peter",
        "title": "Sleep in invented teens: a REM study",
        "journal": "Journal of Made-up Health",
        "year": "2018",
        "volume": "62",
        "number": "5",
        "pages": "601--608",
        "doi": "10.5555/jmh_2018.601",
    }  # biber's sort keys, hashes and label fields are not the reference's data
    assert arden.identifiers.doi == "10.5555/jmh_2018.601"
    assert (corrin.key, corrin.entry_type) == ("corrin2015", "book")
    assert corrin.fields["publisher"] == "Fictional Press"
    assert corrin.fields["address"] == "Nowhere"
    assert corrin.fields["url"] == "https://example.org/~corrin/classroom_2015.pdf"
    assert "urlraw" not in corrin.fields


def test_check_of_a_biblatex_bbl_reports_its_keys(tmp_path: Path) -> None:
    run = run_cli(
        "check", str(BIBLATEX), "--offline", "--no-links", "--no-lockfile", "--format", "json",
        "--cache-dir", str(tmp_path / "cache"), "-q",
    )  # fmt: skip
    assert run.code in (0, 1, 3), run.stderr
    report = json.loads(run.stdout)
    assert [(r["key"], r["location"]["number"]) for r in report["references"]] == [
        ("arden2018", "1"),
        ("corrin2015", "2"),
    ]
