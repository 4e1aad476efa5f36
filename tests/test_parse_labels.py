"""A reference list copied from a journal's web page: the link labels it sets after each
reference are neither references nor part of one (issue 15, ``citetrack/parse/labels.py``).

SYNTHETIC DATA: the references below were made up for these tests; the labels are the
ones the publishers' pages print (Springer Nature, Wiley, PubMed Central).
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from citetrack.cli import cli
from citetrack.parse import parse_text
from citetrack.parse.items import find_list
from citetrack.parse.labels import is_label_line, without_labels

SPRINGER = (
    "References\n\n"
    "Arden, T. & Bexley, M. Sleep in invented teens. J. Made-up Health 62, 601–608 (2018).\n\n"
    "Article  CAS  PubMed  Google Scholar\n\n"
    "Corrin, O. The quiet invented classroom. Fict. Educ. J. 3, 40–49 (2015).\n\n"
    "Article  Google Scholar\n\n"
    "Dace, P. & Ellery, S. Tides of small imaginary islands. Inv. Mar. Rev. 14, 33–59 (2020).\n\n"
    "PubMed  PubMed Central  Google Scholar\n"
)


def test_lines_of_link_labels_are_one_warning_not_one_entry_each() -> None:
    result = parse_text(SPRINGER, "text")
    assert [r.fields["year"] for r in result.references] == ["2018", "2015", "2020"]
    assert [p.line for p in result.problems] == [5]
    assert "3 lines (5, 9, 13)" in result.problems[0].message
    assert "link labels" in result.problems[0].message


def test_labels_run_together_and_in_a_numbered_list() -> None:
    text = (
        "1. Arden T, Bexley M. Sleep in invented teens. J Made-up Health. 2018;62:601-8.\n"
        "CrossrefPubMedWeb of Science®Google Scholar\n"
        "2. Corrin O. The quiet invented classroom. Fict Educ J. 2015;3(2):40-9.\n"
        "Google Scholar\n"
    )
    found = find_list(text)
    assert [item.line for item in found.items] == [1, 3]
    # Joined into the numbered item before, the labels ended in its note.
    assert not any("Scholar" in item.text for item in found.items)
    assert found.labels == (2, 4)


def test_labels_at_the_end_of_a_reference_line_are_taken_off_its_text() -> None:
    text = (
        "1. Arden T, Bexley M. Sleep in invented teens. J Made-up Health. 2018;62(5):601–8. "
        "doi: 10.5555/jmh.2018.601. [DOI] [PMC free article] [PubMed] [Google Scholar]\n"
        "2. Corrin O. The quiet invented classroom. Fict Educ J. 2015;3(2):40–9. [PubMed]\n"
    )
    refs = parse_text(text, "text").references
    assert refs[0].fields["doi"] == "10.5555/jmh.2018.601"
    assert "note" not in refs[0].fields
    assert all("PubMed" not in value for r in refs for value in r.fields.values())


def test_a_title_or_a_reference_that_names_a_database_is_not_a_label_line() -> None:
    assert is_label_line("Article  CAS  PubMed  Google Scholar")
    assert is_label_line("[Google Scholar]")
    assert not is_label_line("Article")  # a word a title may be cut at
    assert not is_label_line("Abstract")
    assert not is_label_line(
        "Google Scholar as a source for citation analysis. Scientometrics. 2010."
    )
    assert not is_label_line("PubMed Central: an archive. Invented J. 2001;1:1-2.")
    # A reference about a database keeps its title; only bracketed labels at the end go.
    text = "Roe K. Searching PubMed [Internet]. Nowhere: Made-up Press; 2019. [Google Scholar]"
    assert (
        without_labels(text) == "Roe K. Searching PubMed [Internet]. Nowhere: Made-up Press; 2019."
    )
    assert without_labels("Roe K. A title [in Latin].") == "Roe K. A title [in Latin]."


def test_the_cli_reports_the_label_lines_once(tmp_path: Path) -> None:
    source = tmp_path / "springer.txt"
    source.write_text(SPRINGER, encoding="utf-8")
    out = tmp_path / "refs.bib"
    result = CliRunner().invoke(cli, ["parse", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "warning:" in line]
    assert warnings == [
        f"{source}:5: warning: 3 lines (5, 9, 13) held only a web page's link labels "
        "(Google Scholar, PubMed, Crossref…); not read as references"
    ]
    assert out.read_text(encoding="utf-8").count("@article{") == 3


def test_list_numbers_on_lines_of_their_own_come_back_to_their_references() -> None:
    # An HTML list copied from a journal's page: the number alone on a line, the
    # reference below (one line, or one line per part), then the page's link labels.
    nature = (
        "References\n"
        "1.\n"
        "Arden, T. & Bexley, M. Sleep in invented teens. J. Made-up Health 62, 601–608 (2018).\n"
        "2.\n"
        "Corrin, O. The quiet invented classroom. Fict. Educ. J. 3, 40–49 (2015).\n"
    )
    result = parse_text(nature, "text")
    assert not result.problems  # the "1." lines were two warnings
    assert [r.line for r in result.references] == [2, 4]
    sciencedirect = (
        "References\n"
        "[1]\nT. Arden, M. Bexley\nSleep in invented teens\n"
        "J. Made-up Health, 62 (2018), pp. 601-608\n"
        "View PDFView articleView in ScopusGoogle Scholar\n"
        "[2]\nO. Corrin\nThe quiet invented classroom\nFict. Educ. J., 3 (2015), pp. 40-49\n"
        "View in ScopusGoogle Scholar\n"
    )
    result = parse_text(sciencedirect, "text")
    refs = result.references
    assert [r.fields.get("title") for r in refs] == [
        "Sleep in invented teens",
        "The quiet invented classroom",
    ]
    assert refs[0].fields["author"] == "Arden, T. and Bexley, M."
    assert refs[1].fields["pages"] == "40--49"
    assert [p.line for p in result.problems] == [6]  # the label lines, once


def test_a_number_alone_among_wrapped_lines_is_left_as_it_was() -> None:
    # One "3." alone (a wrapped line) and a bare "12" (a page number) are no list.
    text = (
        "Arden, T. (2018). Sleep in invented teens, volume\n"
        "3.\n"
        "Corrin, O. (2015). The quiet invented classroom. Fictional Press.\n"
        "12\n"
        "Dace, P. (2020). Tides of small imaginary islands. Made-up Books.\n"
    )
    found = find_list(text)
    assert [item.line for item in found.items][:1] == [1]
    assert "3." in [item.text for item in found.items] or any(
        item.text.endswith("volume 3.") for item in found.items
    )


def test_labels_after_dashes_on_pubmed_pages_leave_the_reference() -> None:
    text = (
        "References\n"
        "Arden T, Bexley M. Sleep in invented teens. J Made-up Health. 2018;62(5):601-8. "
        "doi: 10.5555/jmh.2018.601. - DOI - PMC - PubMed\n"
        "Corrin O. The quiet invented classroom. Fict Educ J. 2015;3(2):40-9. - PubMed\n"
    )
    refs = parse_text(text, "text").references
    assert refs[0].fields["doi"] == "10.5555/jmh.2018.601"
    assert all(
        "PubMed" not in value and "PMC" not in value for r in refs for value in r.fields.values()
    )
    # A dash inside a reference is its own.
    kept = "Roe K. Crime and punishment - a history. Made-up Press; 2001."
    assert without_labels(kept) == kept
    assert without_labels("Roe K. Why we cite - DOI. Invented J. 2001") == (
        "Roe K. Why we cite - DOI. Invented J. 2001"
    )
