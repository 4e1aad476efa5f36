"""End-to-end: identifier fields as real exports write them (issue 12).  SYNTHETIC entries.

A URL in ``eprint`` (Google Scholar, OUP and JAMA exports put the PDF link there) is not a
malformed arXiv identifier; ``isbn = {ISBN-10, ISBN-13}`` of one book is exported once.
"""

from __future__ import annotations

from pathlib import Path

from citetrack.identifiers import extract_identifiers
from citetrack_emulator import Emulator
from tests.e2e import by_key, rules, run_cli

OFFLINE = ("--offline", "--no-cache", "--no-links", "--no-lockfile")
BIB = """@article{scholar2020,
  title = {A paper exported by Google Scholar},
  year = {2020},
  eprint = {https://academic.oup.com/journal/article-pdf/1/1/1/file.pdf},
}

@article{arxivurl2021,
  title = {A preprint cited by its page},
  year = {2021},
  eprint = {https://arxiv.org/abs/2101.00001v2},
}

@book{oreilly2015,
  title = {A book with both ISBNs},
  year = {2015},
  isbn = {1491910593, 9781491910597},
}
"""


def test_eprint_urls_and_isbn_pairs(tmp_path: Path) -> None:
    bib = tmp_path / "export.bib"
    bib.write_text(BIB, encoding="utf-8")
    run = run_cli("check", str(bib), *OFFLINE, "-f", "json")
    refs = by_key(run.json())
    for key in ("scholar2020", "arxivurl2021", "oreilly2015"):
        assert all(f["rule"] != "identifier-malformed" for f in refs[key]["findings"]), refs[key]
    assert refs["arxivurl2021"]["identifiers"].get("arxiv") == "2101.00001v2"

    out = tmp_path / "clean.bib"
    exported = run_cli("export", str(bib), "--offline", "--no-cache", "-o", str(out))
    assert exported.code == 0, exported.stderr
    text = out.read_text(encoding="utf-8")
    assert "isbn = {978-1-4919-1059-7},\n" in text  # once, not the same ISBN twice
    assert "eprint = {https://academic.oup.com/journal/article-pdf/1/1/1/file.pdf}" in text


# SYNTHETIC entry: a seed work cited the biblatex way, its PMID as ``eprint`` of type pubmed.
BIBLATEX_PMID = """@article{thiers2009,
  author       = {Thiers, B. H. and Sahn, R. E. and Callen, J. P.},
  title        = {Cutaneous manifestations of internal malignancy},
  journaltitle = {CA: A Cancer Journal for Clinicians},
  date         = {2009-03},
  volume       = {59},
  number       = {2},
  pages        = {73--98},
  doi          = {10.3322/caac.20005},
  eprint       = {19258446},
  eprinttype   = {pubmed},
}
"""


def test_biblatex_eprinttype_pubmed_is_the_pmid(tmp_path: Path, emulator: Emulator) -> None:
    """``eprint`` + ``eprinttype = {pubmed}`` is a PMID: no "the citation has no PMID" false
    alarm, no ``pmid`` field added beside it by export, and the PMID is checked."""
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    bib = tmp_path / "refs.bib"
    bib.write_text(BIBLATEX_PMID, encoding="utf-8")
    run = run_cli("check", str(bib), "--no-links", "--no-lockfile", "-f", "json", env=env)
    assert run.code == 0, run.stdout + run.stderr
    ref = by_key(run.json())["thiers2009"]
    assert ref["identifiers"].get("pmid") == "19258446"
    assert ref["status"] == "ok", ref["findings"]
    assert "arxiv" not in ref["identifiers"]

    exported = run_cli("export", str(bib), "--diff", env=env)
    assert exported.code == 0, exported.stderr
    assert exported.stdout == "", exported.stdout  # nothing to add, nothing changed


def test_biblatex_eprinttype_pubmed_wrong_pmid_is_checked(
    tmp_path: Path, emulator: Emulator
) -> None:
    """A PMID in ``eprint`` that is another work is a conflict, not silently 'ok'."""
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    bib = tmp_path / "refs.bib"
    bib.write_text(BIBLATEX_PMID.replace("19258446", "14693015"), encoding="utf-8")
    run = run_cli("check", str(bib), "--no-links", "--no-lockfile", "-f", "json", env=env)
    ref = by_key(run.json())["thiers2009"]
    assert "pmid-doi-conflict" in rules(ref), ref["findings"]
    assert run.code == 1


# SYNTHETIC: a chapter of a seed book, cited with the book's ISBN.
CHAPTER = """@incollection{james2006chapter,
  author    = {James, William D. and Berger, Timothy G. and Elston, Dirk M.},
  title     = {Dermatoses Resulting from Physical Factors},
  booktitle = {BOOKTITLE},
  editor    = {Odom, Richard B.},
  year      = {2006},
  pages     = {18--44},
  publisher = {Saunders Elsevier},
  isbn      = {978-0-7216-2921-6},
}
"""


def test_a_chapter_is_checked_by_its_book_title(tmp_path: Path, emulator: Emulator) -> None:
    """The ISBN of an ``@incollection`` is its book's: the chapter's own title was compared
    with the book's, so every correctly cited chapter was "a different title: the ISBN or
    the title is wrong".  Its ``booktitle`` (and ``editor``) is what the ISBN names."""
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    bib = tmp_path / "refs.bib"
    good = "Andrews' Diseases of the Skin: Clinical Dermatology"
    bib.write_text(CHAPTER.replace("BOOKTITLE", good), encoding="utf-8")
    run = run_cli("check", str(bib), "--no-lockfile", "-f", "json", env=env)
    assert run.code == 0, run.stdout + run.stderr
    ref = by_key(run.json())["james2006chapter"]
    assert ref["status"] == "ok", ref["findings"]
    assert rules(ref) == {"isbn-confirmed"}

    bib.write_text(CHAPTER.replace("BOOKTITLE", "Fitzpatrick's Dermatology"), encoding="utf-8")
    run = run_cli("check", str(bib), "--no-lockfile", "-f", "json", env=env)
    ref = by_key(run.json())["james2006chapter"]
    assert [f["field"] for f in ref["findings"]] == ["booktitle"], ref["findings"]


# SYNTHETIC: the seed's Thiers 2009 as a Zotero export writes a PubMed record's PMID (its
# "Extra" field becomes a note).
ZOTERO_NOTE = """@article{thiers2009,
  author  = {Thiers, Bruce H. and Sahn, Rebecca E. and Callen, Jeffrey P.},
  title   = {Cutaneous manifestations of internal malignancy},
  journal = {CA: A Cancer Journal for Clinicians},
  year    = {2009},
  volume  = {59},
  number  = {2},
  pages   = {73--98},
  doi     = {10.3322/caac.20005},
  note    = {PMID: 19258446},
}
"""


def test_a_pmid_written_in_a_note_is_the_pmid(tmp_path: Path, emulator: Emulator) -> None:
    """`note = {PMID: 19258446}` got "the citation has no PMID; PubMed gives 19258446" and
    export added a pmid field beside it; a wrong one there was never checked."""
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    bib = tmp_path / "refs.bib"
    bib.write_text(ZOTERO_NOTE, encoding="utf-8")
    run = run_cli("check", str(bib), "--no-links", "--no-lockfile", "-f", "json", env=env)
    ref = by_key(run.json())["thiers2009"]
    assert ref["identifiers"].get("pmid") == "19258446"
    assert "missing-identifier" not in rules(ref), ref["findings"]
    assert run_cli("export", str(bib), "--diff", env=env).stdout == ""
    bib.write_text(ZOTERO_NOTE.replace("19258446", "14693015"), encoding="utf-8")
    wrong = run_cli("check", str(bib), "--no-links", "--no-lockfile", "-f", "json", env=env)
    assert "pmid-doi-conflict" in rules(by_key(wrong.json())["thiers2009"])


def test_a_pmid_in_a_note_about_another_record_is_not_the_pmid() -> None:
    ids, _ = extract_identifiers({"note": "Erratum in: J Made Up. 2010;5:6. PMID: 20137807"})
    assert ids.pmid is None
    ids, _ = extract_identifiers({"note": "PMID: 19258446; PMCID: PMC1234567"})
    assert (ids.pmid, ids.pmcid) == ("19258446", "PMC1234567")
    ids, _ = extract_identifiers({"pmid": "14693015", "note": "PMID: 19258446"})
    assert ids.pmid == "14693015"  # a field of its own wins


def test_an_invisible_character_in_a_doi_is_said_not_taken_for_another_doi(
    tmp_path: Path, emulator: Emulator
) -> None:
    """A DOI pasted from a web page or a Word file with a zero-width space (U+200B) after it
    was looked up with it: "DOI 10.3322/caac.20005 is not registered … PubMed gives DOI
    10.3322/caac.20005" — broken, for an invisible difference.  It is looked up without
    the character, and a warning names it, with the DOI to write (export fixes it)."""
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    bib = tmp_path / "refs.bib"
    bib.write_text(
        BIBLATEX_PMID.replace("{10.3322/caac.20005}", "{10.3322/caac.20005\u200b}"),
        encoding="utf-8",
    )
    run = run_cli("check", str(bib), "--no-links", "--no-lockfile", "-f", "json", env=env)
    ref = by_key(run.json())["thiers2009"]
    assert ref["status"] == "warning", ref["findings"]
    assert rules(ref) == {"identifier-malformed"}, ref["findings"]
    (finding,) = ref["findings"]
    assert "U+200B" in finding["message"] and finding["suggestion"] == "10.3322/caac.20005"
    assert ref["identifiers"]["doi"] == "10.3322/caac.20005"
    assert run.code == 0  # a warning: below the default --fail-on

    exported = run_cli("export", str(bib), "--fix", "identifiers", "--diff", env=env)
    assert exported.code == 0, exported.stderr
    assert "+  doi          = {10.3322/caac.20005}," in exported.stdout, exported.stdout
