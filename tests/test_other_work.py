"""``identifier-other-work``: a citation whose DOI or PMID leads to another work is broken.

The citations are SYNTHETIC (made up here); the records are the seed's Pujol 2004 article
as Crossref and PubMed give it (``tests/test_compare.py``).  The rule must catch the
invented reference that borrows a real identifier (a pull request's, or a generated
bibliography's) and must stay quiet on what only looks different: a translated title, a
chapter cited with its book's DOI, a misspelt author or a wrong year alone.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from citetrack.identifiers import extract_identifiers
from citetrack.model import Author, Found, Reference, Severity, Source, Update, UpdateKind
from citetrack.rules.compare import compare_reference, suggested_fixes
from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, by_key, run_cli
from tests.test_compare import CROSSREF, DOI, PMID, PUBMED, crossref, pubmed

INVENTED = {
    "author": "Okonkwo, Adaeze and Lindgren, Per",
    "title": "Machine learning triage of glucagonoma skin lesions in primary care",
    "journal": "International Journal of Dermatology",
    "year": "2023",
    "volume": "62",
    "pages": "400--409",
}


def cite(fields: dict[str, str], key: str = "okonkwo2023") -> Reference:
    ids, _ = extract_identifiers(fields)
    return Reference(key, "article", dict(fields), ids, line=7)


def rules_of(ref: Reference, *evidence: Found) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in compare_reference(ref, evidence):
        out.setdefault(f.rule, []).append(f.field or "")
    return out


def test_a_borrowed_doi_is_broken_and_named_once() -> None:
    ref = cite({**INVENTED, "doi": DOI})
    findings = compare_reference(ref, (crossref(),))
    wrong = [f for f in findings if f.rule == "identifier-other-work"]
    assert len(wrong) == 1 and wrong[0].severity is Severity.BROKEN
    assert wrong[0].field == "doi" and wrong[0].source is Source.CROSSREF
    assert "Necrolytic migratory erythema" in wrong[0].message and "Pujol, 2004" in wrong[0].message
    # Its five field differences are the consequence, not five more findings; no fix
    # would copy the other work's fields onto the citation.
    assert not [f for f in findings if f.rule == "metadata-mismatch"]
    assert suggested_fixes(ref, findings) == {}


def test_a_borrowed_pmid_is_broken() -> None:
    ref = cite({**INVENTED, "pmid": PMID})
    assert rules_of(ref, pubmed())["identifier-other-work"] == ["pmid"]


def test_another_works_retraction_is_not_said_of_the_citation() -> None:
    retracted = crossref(updates=(Update(UpdateKind.RETRACTION, notice_id="10.5555/notice"),))
    found = rules_of(cite({**INVENTED, "doi": DOI}), retracted)
    assert "identifier-other-work" in found and "retracted" not in found


def test_the_right_citation_is_untouched() -> None:
    ref = cite(
        {
            "author": "Pujol, R. M. and Wang, C. Y.",
            "title": PUBMED.title or "",
            "year": "2004",
            "doi": DOI,
        }
    )
    assert "identifier-other-work" not in rules_of(ref, crossref())


def test_one_difference_alone_is_a_mismatch_not_broken() -> None:
    same_year = {**INVENTED, "year": "2004", "doi": DOI}  # title and author differ
    same_author = {**INVENTED, "author": "Pujol, Ramon", "doi": DOI}  # title and year differ
    close_title = {**INVENTED, "title": PUBMED.title or "", "doi": DOI}  # author and year
    for fields in (same_year, same_author, close_title):
        found = rules_of(cite(fields), crossref())
        assert "identifier-other-work" not in found, fields
        assert "metadata-mismatch" in found, fields


def test_a_year_one_apart_is_the_same_work_in_print_and_online() -> None:
    found = rules_of(cite({**INVENTED, "year": "2005", "doi": DOI}), crossref())
    assert "identifier-other-work" not in found


def test_a_translated_title_by_the_same_author_is_no_other_work() -> None:
    spanish = crossref(
        title="Eritema necrolítico migratorio: estudio clínico-patológico de 13 casos",
        year=2009,
        years=(2009,),
    )
    ref = cite({**INVENTED, "author": "Pujol, R. M.", "year": "2004", "doi": DOI})
    assert "identifier-other-work" not in rules_of(ref, spanish)


def test_a_chapter_cited_with_its_books_doi_is_no_other_work() -> None:
    book = replace(
        CROSSREF,
        title="Dermatology in internal medicine",
        authors=(Author("Haddad", "Leila"),),
        year=2015,
        years=(2015,),
    )
    ref = cite(
        {
            **INVENTED,
            "booktitle": "Dermatology in Internal Medicine",
            "doi": DOI,
        }
    )
    assert "identifier-other-work" not in rules_of(ref, Found(Source.CROSSREF, DOI, book))


def test_nothing_to_compare_is_no_verdict() -> None:
    no_author = {k: v for k, v in INVENTED.items() if k != "author"}
    no_year = {k: v for k, v in INVENTED.items() if k != "year"}
    anonymous = crossref(authors=())
    for ref, record in (
        (cite({**no_author, "doi": DOI}), crossref()),
        (cite({**no_year, "doi": DOI}), crossref()),
        (cite({**INVENTED, "doi": DOI}), anonymous),
        (cite({**INVENTED, "doi": DOI}), crossref(title=None)),
    ):
        assert "identifier-other-work" not in rules_of(ref, record)


def test_a_doi_and_pmid_of_two_works_stay_a_conflict() -> None:
    # The seed's own wrong-PMID case: the conflict says which is wrong; no second verdict.
    other = pubmed(doi="10.1056/nejmc0805992", title="Small-cell lung cancer and NME")
    found = rules_of(cite({**INVENTED, "doi": DOI, "pmid": PMID}), crossref(), other)
    assert "pmid-doi-conflict" in found and "identifier-other-work" not in found


# ------------------------------------------------------------- end to end (the PR gate)

FAST = ("--per-host-interval", "0", "--timeout", "2", "--no-links")
BORROWED = """
@article{okonkwo2023machine,
  author  = {Okonkwo, Adaeze and Lindgren, Per},
  title   = {Machine learning triage of glucagonoma skin lesions in primary care},
  journal = {CA: A Cancer Journal for Clinicians},
  year    = {2023},
  volume  = {73},
  pages   = {101--110},
  doi     = {10.3322/caac.20005},
}
"""


def test_a_pull_request_adding_a_borrowed_doi_fails_the_default_gate(
    emulator: Emulator, tmp_path: Path
) -> None:
    """The seed locked, then a pull request adds a made-up article carrying a real DOI
    (Thiers 2009's): `check --new-only` with the default `--fail-on broken` fails, and
    `export --fix metadata` does not copy the other work's fields onto it."""
    bib = tmp_path / "references.bib"
    bib.write_text(SEED_BIB.read_text(encoding="utf-8"), encoding="utf-8")
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    assert run_cli("lock", str(bib), *FAST, env=env).code == 0
    bib.write_text(bib.read_text(encoding="utf-8") + BORROWED, encoding="utf-8")
    run = run_cli("check", str(bib), "--new-only", "-f", "json", *FAST, env=env)
    assert run.code == 1, run.stderr
    ref = by_key(run.json())["okonkwo2023machine"]
    assert ref["status"] == "broken"
    assert [f["field"] for f in ref["findings"] if f["rule"] == "identifier-other-work"] == ["doi"]
    fixed = tmp_path / "fixed.bib"
    out = run_cli("export", str(bib), "--fix", "metadata", "-o", str(fixed), env=env)
    assert out.code == 0, out.stderr
    block = fixed.read_text(encoding="utf-8").split("@article{okonkwo2023machine,")[1]
    assert "Machine learning triage" in block and "Thiers" not in block
