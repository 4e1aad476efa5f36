"""End-to-end: a researcher's .bib as real tools write it, checked, then exported.

``citetrack check refs.bib`` then ``citetrack export refs.bib -o refs.clean.bib``, run as
the CLI, against the emulator.  Every .bib here is SYNTHETIC: shaped like what Zotero
(Better BibTeX), JabRef, Mendeley and hand-written LaTeX bibliographies write, citing works
the emulator knows (the seed world and the recorded real Crossref records) and fabricated
ones.  Each test was seen failing before the fix it guards.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from citetrack_emulator import Emulator
from tests.e2e import by_key, run_cli


@pytest.fixture
def env(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}


def write_bib(tmp_path: Path, text: str, name: str = "refs.bib") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def check_json(bib: Path, env: dict[str, str], *extra: str) -> dict[str, Any]:
    run = run_cli("check", str(bib), "--no-lockfile", "-f", "json", *extra, env=env)
    assert run.code in (0, 1, 3), run.stderr
    report: dict[str, Any] = run.json()
    return report


def export_to(bib: Path, env: dict[str, str], *extra: str) -> tuple[str, str]:
    """``export BIB -o BIB.clean.bib``: the cleaned text and the list of changes (stderr)."""
    out = bib.with_name(bib.stem + ".clean.bib")
    before = bib.read_bytes()
    run = run_cli("export", str(bib), "-o", str(out), *extra, env=env)
    assert run.code == 0, run.stderr
    assert bib.read_bytes() == before  # the input is never touched without --in-place
    return out.read_bytes().decode("utf-8"), run.stderr


# ----------------------------------------------------------------- Chicago pinpoint pages

# SYNTHETIC: the seed's NEJM letter (pages 2731-2732) cited with a pinpoint page, as a
# Chicago note gives it (``(2008): 2732``), and once with a page outside the letter.
PINPOINT = """% SYNTHETIC: hand-written, pinpoint pages
@article{pinpoint,
  author  = {Mignogna, M. D. and Fortuna, G. and Satriano, R. A.},
  title   = {Small-cell lung cancer and necrolytic migratory erythema},
  journal = {N. Engl. J. Med.},
  year    = {2008},
  volume  = {359},
  number  = {25},
  pages   = {2732},
  doi     = {10.1056/NEJMc0805992},
  pmid    = {19092164},
}

@article{outside,
  author  = {Compton, N. L. and Chien, A. J.},
  title   = {A rare but revealing sign: necrolytic migratory erythema},
  journal = {Am. J. Med.},
  year    = {2013},
  volume  = {126},
  number  = {5},
  pages   = {392},
  doi     = {10.1016/j.amjmed.2013.01.012},
  pmid    = {23477490},
}
"""


def test_a_single_page_inside_the_range_is_a_pinpoint_not_a_mismatch(
    env: dict[str, str], tmp_path: Path
) -> None:
    """``pages = {2732}`` of a letter on 2731-2732 was a pages mismatch, and export
    silently replaced the cited page by the range.  A page outside the range still is."""
    bib = write_bib(tmp_path, PINPOINT)
    refs = by_key(check_json(bib, env))
    assert refs["pinpoint"]["status"] == "ok", refs["pinpoint"]["findings"]
    outside = [f for f in refs["outside"]["findings"] if f["rule"] == "metadata-mismatch"]
    assert [(f["field"], f["actual"]) for f in outside] == [("pages", "392")]
    cleaned, changes = export_to(bib, env)
    assert "  pages   = {2732},\n" in cleaned
    assert "pinpoint.pages" not in changes
    assert "  pages   = {387--389},\n" in cleaned  # the wrong page is still corrected


# --------------------------------------------------- a pasted list turned into a .bib

# SYNTHETIC: a list copied from a PDF, one reference per line: a Chicago note with a
# pinpoint page, ISO 4 journal abbreviations printed with full stops, and a title a PDF
# hyphenated at its line's end ("Immuno- logy"), copied as one line.
PASTED = """\
1. Mignogna MD, Fortuna G, Satriano RA. Small-cell lung cancer and necrolytic migratory \
erythema. N. Engl. J. Med. 2008;359(25):2731-2732. doi:10.1056/NEJMc0805992
2. Smith, John. "Fabricated Findings in Clinical Immuno- logy and Pre- and Post-operative \
Care." J. Clin. Invest. 12, no. 3 (2018): 1025.
3. Compton, Natalie L., and Anna J. Chien. "A Rare but Revealing Sign: Necrolytic \
Migratory Erythema." The American Journal of Medicine 126, no. 5 (2013): 388. \
https://doi.org/10.1016/j.amjmed.2013.01.012.
"""


def test_a_pasted_list_parses_into_a_bib_that_checks_without_false_alarms(
    env: dict[str, str], tmp_path: Path
) -> None:
    """``citetrack parse list.txt -o refs.bib`` then ``citetrack check refs.bib``: the
    abbreviated journals lost their last full stop (``J. Clin. Invest``), the PDF's cut
    word stayed cut in the title (``Immuno- logy``), and the Chicago pinpoint page (388 of
    387-389) was a pages mismatch."""
    listing = tmp_path / "list.txt"
    listing.write_text(PASTED, encoding="utf-8")
    bib = tmp_path / "refs.bib"
    run = run_cli("parse", str(listing), "-o", str(bib), env=env)
    assert run.code == 0, run.stderr
    text = bib.read_text(encoding="utf-8")
    assert "journal = {N. Engl. J. Med.}," in text
    assert "journal = {J. Clin. Invest.}," in text
    assert "title   = {Fabricated Findings in Clinical Immunology and Pre- and " in text
    refs = check_json(bib, env)["references"]
    compton = next(r for r in refs if r["identifiers"].get("doi") == "10.1016/j.amjmed.2013.01.012")
    # A list in Wikipedia's rendered style goes through the rule-based reader: the same.
    listing.write_text(
        '1. Doe J (2001). "Clinical Immuno- logy of the Skin". J. Clin. Invest. 12 (3): 45–67.\n',
        encoding="utf-8",
    )
    assert run_cli("parse", str(listing), "-o", str(bib), env=env).code == 0
    assert "title   = {Clinical Immunology of the Skin}," in bib.read_text(encoding="utf-8")
    assert "pages" not in {f.get("field") for f in compton["findings"]}, compton["findings"]


# ----------------------------------------------------- journal names as citations write them


def _work(doi: str, title: str, family: str, journal: str, short: str | None) -> dict[str, Any]:
    """A SYNTHETIC Crossref work record (the emulator serves what it is given)."""
    return {
        "DOI": doi,
        "type": "journal-article",
        "title": [title],
        "author": [{"given": "Ana", "family": family, "sequence": "first"}],
        "container-title": [journal],
        "short-container-title": [short] if short else [],
        "volume": "117",
        "issue": "4",
        "page": "1020-1030",
        "issued": {"date-parts": [[2020, 1, 28]]},
        "publisher": "Synthetic",
    }


JOURNAL_WORKS = {
    "10.5555/bibwf.pnas": _work(
        "10.5555/bibwf.pnas",
        "Invented models of the skin barrier",
        "Pérez-García",
        "Proceedings of the National Academy of Sciences",
        None,
    ),
    "10.5555/bibwf.jaad": _work(
        "10.5555/bibwf.jaad",
        "Invented laser resurfacing outcomes",
        "van der Berg",
        "Journal of the American Academy of Dermatology",
        "Journal of the American Academy of Dermatology",
    ),
    "10.5555/bibwf.jddg": _work(
        "10.5555/bibwf.jddg",
        "Invented laser resurfacing outcomes",
        "van der Berg",
        "JDDG: Journal der Deutschen Dermatologischen Gesellschaft",
        None,
    ),
    "10.5555/bibwf.bba": _work(
        "10.5555/bibwf.bba",
        "Invented laser resurfacing outcomes",
        "van der Berg",
        "Biochimica et Biophysica Acta (BBA) - Molecular Basis of Disease",
        "Biochimica et Biophysica Acta (BBA) - Molecular Basis of Disease",
    ),
}


def _journal_entry(key: str, doi: str, journal: str) -> str:
    title, family = (
        ("Invented models of the skin barrier", "P{\\'e}rez-Garc{\\'\\i}a")
        if doi == "10.5555/bibwf.pnas"
        else ("Invented laser resurfacing outcomes", "{van der Berg}")
    )
    return (
        f"@article{{{key},\n  author  = {{{family}, Ana}},\n  title   = {{{title}}},\n"
        f"  journal = {{{journal}}},\n  year    = {{2020}},\n  volume  = {{117}},\n"
        f"  number  = {{4}},\n  pages   = {{1020--1030}},\n  doi     = {{{doi}}},\n}}\n\n"
    )


@pytest.mark.parametrize(
    ("doi", "journal"),
    [
        ("10.5555/bibwf.pnas", "Proc. Natl. Acad. Sci. U.S.A."),  # ISO 4, dotted initials
        ("10.5555/bibwf.pnas", "Proc Natl Acad Sci U S A"),  # MEDLINE's, with its country
        ("10.5555/bibwf.pnas", "PNAS"),  # the name the journal goes by
        ("10.5555/bibwf.jaad", "JAAD"),
        ("10.5555/bibwf.jddg", "J. Dtsch. Dermatol. Ges."),  # Crossref: "JDDG: Journal der …"
        ("10.5555/bibwf.bba", "Biochim. Biophys. Acta"),  # the series, not its section
    ],
)
def test_a_journal_cited_by_its_abbreviation_or_acronym_is_no_mismatch(
    emulator: Emulator, env: dict[str, str], tmp_path: Path, doi: str, journal: str
) -> None:
    """Crossref gives only the full name: "Proc. Natl. Acad. Sci. U.S.A." (the initials
    with full stops, and MEDLINE's country) and the acronyms were journal mismatches.
    Another journal's name still is one."""
    emulator.patch_world({"crossref_works": JOURNAL_WORKS})
    bib = write_bib(
        tmp_path,
        "% SYNTHETIC\n"
        + _journal_entry("cited", doi, journal)
        + _journal_entry("other", doi, "Proc. R. Soc. B"),
    )
    refs = by_key(check_json(bib, env))
    assert refs["cited"]["status"] == "ok", refs["cited"]["findings"]
    assert [f["field"] for f in refs["other"]["findings"] if f["rule"] == "metadata-mismatch"] == [
        "journal"
    ]


# ------------------------------------------------------------- broken syntax, reported

# SYNTHETIC: a field name typed with a blank in it; BibTeX reads no such field, so the
# entry has no title for BibTeX, nor for the check.
BLANK_NAME = """% SYNTHETIC: a typo in a field name
@article{leu2016,
  author  = {Leu, Stephan T. and Bull, C. Michael},
  ti tle  = {Artificial water point for livestock influences spatial ecology of a native
             lizard species},
  journal = {PLoS ONE},
  year    = {2016},
  volume  = {11},
  number  = {1},
  pages   = {e0147433},
  doi     = {10.1371/journal.pone.0147433},
}
"""


def test_a_field_name_with_a_blank_is_reported_at_its_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    """``ti tle = {…}`` was read as a field named "ti tle": the title silently gone, the
    entry "ok" with no word about it.  Now the report has a bib-syntax finding at the
    entry's line, naming the field's line, and export leaves the entry alone."""
    bib = write_bib(tmp_path, BLANK_NAME)
    ref = by_key(check_json(bib, env))["leu2016"]
    syntax = [f for f in ref["findings"] if f["rule"] == "bib-syntax"]
    assert len(syntax) == 1, ref["findings"]
    assert "field name `ti tle` has a blank in it" in syntax[0]["message"]
    assert "(line 4)" in syntax[0]["message"] and ref["line"] == 2
    assert ref["status"] != "ok"
    run = run_cli("check", str(bib), "--no-lockfile", env=env)
    assert "refs.bib:2: entry leu2016: field name `ti tle`" in run.stderr
    cleaned, _ = export_to(bib, env)
    assert cleaned == BLANK_NAME


# ------------------------------------------------------- "ok" only for what was checked

# SYNTHETIC: a fabricated article citing a real DOI whose recorded Crossref record is a
# journal issue with no title and no authors (real_records.json), its volume and year
# matching that record's.
ISSUE_DOI = """% SYNTHETIC: a fabricated article on a journal issue's DOI
@article{fabricated2018,
  author  = {Fabricated, Author},
  title   = {A fabricated title that no record confirms},
  journal = {Journal of Physical Education and Sport},
  year    = {2018},
  volume  = {2018},
  doi     = {10.7752/jpes.2018.03256},
}
"""


def test_an_identifier_whose_record_has_no_title_or_authors_is_not_ok(
    env: dict[str, str], tmp_path: Path
) -> None:
    """The DOI exists, but its record (a journal issue) has no title and no authors:
    nothing was compared, yet the fabricated article was "ok"."""
    bib = write_bib(tmp_path, ISSUE_DOI)
    report = check_json(bib, env)
    ref = by_key(report)["fabricated2018"]
    assert ref["status"] == "unverified", ref["findings"]
    assert [f["rule"] for f in ref["findings"]] == ["identifier-unconfirmed"]
    assert report["summary"]["ok"] == 0
    text = run_cli("check", str(bib), "--no-lockfile", env=env)
    assert text.code == 3
    assert "identifier-unconfirmed" in text.stdout and "fabricated2018" in text.stdout


def test_a_pr_adding_a_citation_its_record_cannot_confirm_is_told_to_fix_it_not_to_wait(
    env: dict[str, str], tmp_path: Path
) -> None:
    """The gate is pending for a new reference whose DOI's record has no title and no
    authors (it must not pass: that is how a fabricated article cites an issue's DOI), but
    it said "run it again when the registries answer": they had answered, and a rerun
    says the same."""
    bib = write_bib(tmp_path, ISSUE_DOI)
    gate = run_cli("check", str(bib), "--new-only", env=env)  # no lockfile: all is new
    assert gate.code == 4, gate.stderr
    notes = " ".join((gate.stdout + gate.stderr).split())  # the report wraps its lines
    assert "cannot be confirmed by its identifier's record" in notes
    assert "fabricated2018" in notes and "citetrack lock" in notes
    assert "run it again when the registries answer" not in notes
    assert "0 confirmed by a source" in notes  # its record confirmed nothing


# --------------------------------------------------------- what export says it changes

# SYNTHETIC: a hand-written entry, already in citetrack's field order and alignment, with
# a wrong year and a single-dash range.
TIDY_ENTRY = """% SYNTHETIC
@article{compton2013,
  author  = "Compton, Natalie L. and Chien, Anna J.",
  title   = "A rare but revealing sign: {N}ecrolytic migratory erythema",
  journal = "Am. J. Med.",
  year    = "2012",
  volume  = "126",
  number  = "5",
  pages   = "387-389",
  doi     = "10.1016/j.amjmed.2013.01.012",
  pmid    = "23477490",
}
"""


def test_fix_all_lists_no_reformat_that_changes_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    """``export --fix all`` (format included) listed, beside the year and pages fixes, a
    "reformat requested" change of the whole entry, old text -> new text, though the
    reformatted entry differed from the fixed one by nothing: 3 changes announced, 2 made."""
    bib = write_bib(tmp_path, TIDY_ENTRY)
    dry = run_cli("export", str(bib), "--fix", "all", "--dry-run", env=env)
    assert dry.code == 0, dry.stderr
    listed = [line for line in dry.stderr.splitlines() if line.startswith(str(bib))]
    assert [line.split(": ")[1] for line in listed] == ["compton2013.year", "compton2013.pages"]
    assert "2 changes (dry run: nothing written)" in dry.stderr
    cleaned, changes = export_to(bib, env, "--fix", "all")
    assert cleaned == TIDY_ENTRY.replace('"2012"', '"2013"').replace('"387-389"', '"387--389"')
    assert "reformat requested" not in changes and "2 changes written" in changes


# ----------------------------------------------------------------- Mendeley's url lists


def test_a_mendeley_url_list_is_not_fetched_as_one_dead_address(
    emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    """Mendeley writes every link of a document into ``url``, separated by blanks.  The
    whole list was fetched as one address (a 404 on a path with a blank in it): a working
    page reported broken, ``url-dead``.  Its first link is the one checked."""
    ok, other = emulator.page_url("/ok"), emulator.page_url("/article/nme-review")
    bib = write_bib(
        tmp_path,
        "% SYNTHETIC: Mendeley Desktop's shape\n"
        "@misc{Nobody2020,\n"
        "author = {Nobody, Nemo},\n"
        "title = {{An ordinary article page}},\n"
        f"url = {{{ok} {other}}},\n"
        "year = {2020}\n"
        "}\n",
    )
    ref = by_key(check_json(bib, env, "--allow-private-urls"))["Nobody2020"]
    assert [(link["url"], link["verdict"]) for link in ref["links"]] == [(ok, "ok")]
    assert "url-dead" not in {f["rule"] for f in ref["findings"]}
    assert ref["status"] != "broken"


# ------------------------------------------------------------------- a double issue

DOUBLE_ISSUE = {
    "10.5555/bibwf.double": {
        **_work(
            "10.5555/bibwf.double",
            "Invented glucagonoma syndrome revisited",
            "Alpha",
            "Dermatology Reports",
            None,
        ),
        "issue": "2-3",
    }
}


def _issue_entry(key: str, number: str) -> str:
    return (
        f"@article{{{key},\n  author  = {{Alpha, Ana}},\n"
        "  title   = {Invented glucagonoma syndrome revisited},\n"
        "  journal = {Dermatol. Rep.},\n  year    = {2020},\n  volume  = {117},\n"
        f"  number  = {{{number}}},\n  pages   = {{1020--1030}},\n"
        "  doi     = {10.5555/bibwf.double},\n}\n\n"
    )


def test_one_number_of_a_double_issue_is_no_mismatch(
    emulator: Emulator, env: dict[str, str], tmp_path: Path
) -> None:
    """The work is in the double issue 2-3; the citation's ``number = {2}`` was an issue
    mismatch, and export rewrote the user's 2 to 2-3.  Issue 4 still is a mismatch."""
    emulator.patch_world({"crossref_works": DOUBLE_ISSUE})
    text = "% SYNTHETIC\n" + _issue_entry("first", "2") + _issue_entry("wrong", "4")
    bib = write_bib(tmp_path, text)
    refs = by_key(check_json(bib, env))
    assert refs["first"]["status"] == "ok", refs["first"]["findings"]
    wrong = [f for f in refs["wrong"]["findings"] if f["rule"] == "metadata-mismatch"]
    assert [(f["field"], f["expected"]) for f in wrong] == [("number", "2-3")]
    cleaned, changes = export_to(bib, env)
    assert "  number  = {2},\n" in cleaned and "first.number" not in changes


# ------------------------------------------------------------------- --in-place's copy


def test_in_place_keeps_a_private_bib_and_its_backup_private(
    env: dict[str, str], tmp_path: Path
) -> None:
    """``export --in-place`` on a .bib only its owner may read (0600) left ``refs.bib.bak``,
    the untouched original, readable by everyone (0644, the umask's mode)."""
    bib = write_bib(tmp_path, PINPOINT)
    bib.chmod(0o600)
    before = bib.read_bytes()
    run = run_cli("export", str(bib), "--in-place", env=env)
    assert run.code == 0, run.stderr
    backup = bib.with_name("refs.bib.bak")
    assert backup.read_bytes() == before
    assert bib.read_bytes() != before  # the wrong page was fixed in place
    assert stat.S_IMODE(bib.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_an_abbreviated_supplement_range_is_written_in_full(
    env: dict[str, str], tmp_path: Path
) -> None:
    """MEDLINE's ``S12-8`` (pages S12 to S18, as the check reads it) was exported as
    ``S12--8``, "S12 to 8"; the plain ``12-8`` already became ``12--18``."""
    text = "% SYNTHETIC\n@misc{supp,\n  title = {T},\n  pages = {S12-8},\n}\n"
    bib = write_bib(tmp_path, text)
    cleaned, changes = export_to(bib, env, "--fix", "pages", "--offline")
    assert cleaned == text.replace("{S12-8}", "{S12--S18}")
    assert "abbreviated end page written in full" in changes


# SYNTHETIC: an author-year bibliography's second 2012 paper of Compton (its year wrong).
YEAR_LETTER = """% SYNTHETIC: an author-year bibliography
@article{compton2012a,
  author  = {Compton, Natalie L. and Chien, Anna J.},
  title   = {A rare but revealing sign: necrolytic migratory erythema},
  journal = {Am. J. Med.},
  year    = {2012a},
  volume  = {126},
  number  = {5},
  pages   = {387--389},
  doi     = {10.1016/j.amjmed.2013.01.012},
  pmid    = {23477490},
}
"""


def test_a_year_fix_keeps_the_disambiguation_letter(env: dict[str, str], tmp_path: Path) -> None:
    """``year = {2012a}`` (the letter tells two works of one author and year apart) was
    fixed to ``2013``: the letter silently dropped.  It becomes ``2013a``, which checks."""
    bib = write_bib(tmp_path, YEAR_LETTER)
    cleaned, changes = export_to(bib, env)
    assert cleaned == YEAR_LETTER.replace("{2012a}", "{2013a}")
    assert "compton2012a.year: '2012a' -> '2013a'" in changes
    clean = bib.with_name("refs.clean.bib")
    assert by_key(check_json(clean, env))["compton2012a"]["status"] == "ok"


# ------------------------------------------------------------- biblatex's data containers

# SYNTHETIC: biblatex's @xdata (fields lent to entries) and @set (entries cited as one).
CONTAINERS = """% SYNTHETIC: biblatex containers
@xdata{ijd,
  journaltitle = {International Journal of Dermatology},
  publisher    = {Wiley},
}

@article{pujol2004,
  xdata   = {ijd},
  author  = {Pujol, R. M. and Wang, C. Y. and el-Azhary, R. A. and Su, W. P. and
             Gibson, L. E. and Schroeter, A. L.},
  title   = {Necrolytic migratory erythema: clinicopathologic study of 13 cases},
  date    = {2004},
  volume  = {43},
  number  = {1},
  pages   = {12--18},
  doi     = {10.1111/j.1365-4632.2004.01844.x},
  pmid    = {14693015},
}

@set{derm,
  entryset = {pujol2004},
}
"""


def test_biblatex_data_containers_are_not_references(env: dict[str, str], tmp_path: Path) -> None:
    """An @xdata entry (a container of fields, never printed) and an @set (its members are
    the references) were each an "unchecked" reference, "nothing could be checked".  The
    article still takes its journal from the @xdata, and export leaves both as written."""
    bib = write_bib(tmp_path, CONTAINERS)
    report = check_json(bib, env)
    assert [r["key"] for r in report["references"]] == ["pujol2004"]
    assert report["references"][0]["status"] == "ok"
    assert report["summary"]["total"] == 1 and report["summary"]["unchecked"] == 0
    cleaned, _ = export_to(bib, env)
    assert cleaned == CONTAINERS
