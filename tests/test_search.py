"""Identifier search for references without DOI/PMID: queries, acceptance, and end to end
against the emulator (ECitMatch, ESearch, Crossref query.bibliographic).

Records added to the emulator's world here are SYNTHETIC (made-up PMIDs above PubMed's
range, DOIs under Crossref's test prefix 10.5555).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from citetrack.identifiers import extract_identifiers
from citetrack.inputs.bib import load_bib
from citetrack.model import Author, Found, Reference, Source
from citetrack.model import WorkMetadata as Meta
from citetrack.net import NetConfig
from citetrack.pipeline import CheckOptions, check_references
from citetrack.report.rules import RULES
from citetrack.rules.search import citation_string, esearch_term, needs_search, rejection
from citetrack.tracking.cache import CacheMode
from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, by_key, rules, run_cli


def ref(entry_type: str = "article", **fields: str) -> Reference:
    return Reference("k", entry_type, fields, extract_identifiers(fields)[0], line=1)


JOP = ref(
    author="Echenique-Elizondo, Miguel and Tuneu Valls, Ana",
    title="Glucagonoma and pseudoglucagonoma syndrome",
    journal="JOP: Journal of the pancreas",
    year="2004",
    volume="5",
    pages="179--185",
)


# ------------------------------------------------------------------------ pure parts


def test_only_references_without_doi_pmid_or_isbn_are_searched() -> None:
    assert needs_search(JOP)
    assert not needs_search(ref(title="x", doi="10.3322/caac.20005"))
    assert not needs_search(ref(title="x", pmid="19258446"))
    assert not needs_search(ref("book", title="x", isbn="978-0-7216-2921-6"))
    assert not needs_search(ref(author="A, B"))  # no title: nothing to search with


def test_citation_string_is_ecitmatchs_pipe_format() -> None:
    assert citation_string(JOP) == "jop journal of the pancreas|2004|5|179|echenique elizondo m|k|"
    assert citation_string(ref(title="x", author="A, B", year="2004")) is None  # no journal


def test_esearch_term_uses_title_words_and_first_author() -> None:
    term = esearch_term(JOP)
    assert term == "glucagonoma pseudoglucagonoma syndrome[ti] AND echenique elizondo[au]"


def meta(**kw: Any) -> Meta:
    base: dict[str, Any] = {
        "source": Source.PUBMED,
        "pmid": "99000102",
        "title": "Glucagonoma and pseudoglucagonoma syndrome",
        "authors": (Author("Echenique-Elizondo", "M"),),
        "year": 2004,
    }
    base.update(kw)
    return Meta(**base)


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({}, None),
        ({"year": 2005}, None),  # ±1 tolerated
        ({"title": "GLUCAGONOMA & PSEUDOGLUCAGONOMA SYNDROME."}, None),
        ({"year": 2007}, "year differs"),
        ({"authors": (Author("Tuneu Valls", "A"),)}, "first author differs"),
        ({"title": "Glucagonoma syndrome in children"}, "title differs"),
    ],
)
def test_a_candidate_needs_close_title_first_author_and_year(
    changes: dict[str, Any], why: str | None
) -> None:
    assert rejection(JOP, meta(**changes)) == why


# ------------------------------------------------------------------------ end to end


@pytest.fixture
def env(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}


def check(bib: Path, env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    run = run_cli("check", str(bib), "--no-lockfile", "--no-links", "-f", "json", env=env)
    assert run.code in (0, 1, 3), run.stderr
    return run.code, by_key(run.json())


def finding(reference: dict[str, Any], rule: str) -> dict[str, Any]:
    return next(f for f in reference["findings"] if f["rule"] == rule)


def test_seed_statpearls_and_jop_are_found_by_search(
    env: dict[str, str], emulator: Emulator
) -> None:
    code, refs = check(SEED_BIB, env)
    assert code == 0
    foss = finding(refs["foss2021necrolytic"], "missing-identifier")
    assert (foss["field"], foss["suggestion"], foss["source"]) == ("pmid", "99000101", "pubmed")
    assert "title and author search" in foss["message"]
    jop = finding(refs["echeniqueelizondo2004glucagonoma"], "missing-identifier")
    assert (jop["field"], jop["suggestion"]) == ("pmid", "99000102")
    assert "citation matcher" in jop["message"]
    routes = emulator.stats()["services"]["eutils"]["routes"]
    assert routes["POST ecitmatch.cgi"] == 1  # every article of the file in one batch
    # Found by PubMed: Crossref was not asked to search (its only request: the DOI batch).
    assert emulator.stats()["services"]["crossref"]["requests"] == 1


def test_without_the_synthetic_records_each_says_what_could_not_be_found(
    env: dict[str, str], emulator: Emulator
) -> None:
    emulator.patch_world(
        {
            "pubmed": {"99000101": None, "99000102": None},
            "openlibrary": {"9780721629216": None},
            "googlebooks": {"SYNTHweedon603": None},
        }
    )
    code, refs = check(SEED_BIB, env)
    # Unconfirmed references are unchecked, none is broken, and since every registry
    # answered nothing "could not be verified": exit 0, not 3 (an article without
    # identifiers was exit 3 every night; test_e2e_no_identifiers_nightly.py).
    assert code == 0
    foss = finding(refs["foss2021necrolytic"], "identifier-not-found")
    assert foss["severity"] == "note"
    assert refs["foss2021necrolytic"]["status"] == "unchecked"
    # The rule catalogue (SARIF's default level, `citetrack rules`) says the same.
    assert RULES["identifier-not-found"].severity.value == "note"
    assert "PubMed's title and author search: nothing for" in foss["message"]
    # Crossref's search offers Pujol 2004 (its main title is the chapter's title): listed
    # as a rejected candidate, never filled in.
    assert "1 candidate(s) rejected" in foss["message"]
    rejected = finding(refs["foss2021necrolytic"], "identifier-candidates")
    assert "Crossref's bibliographic search — title differs (words added" in rejected["message"]
    assert "missing-identifier" not in rules(refs["foss2021necrolytic"])
    jop = finding(refs["echeniqueelizondo2004glucagonoma"], "identifier-not-found")
    assert (
        "PubMed's citation matcher: no match for 'jop journal of the pancreas|2004|5|179|"
        in (jop["message"])
    )
    for key, isbn in (
        ("odom2006andrews", "9780721629216"),
        ("patterson2019weedons", "9780702075834"),
    ):
        missing = finding(refs[key], "isbn-not-found")
        assert missing["severity"] == "warning" and isbn in missing["message"]
    assert all(r["status"] != "broken" for r in refs.values())


def test_ambiguous_search_is_a_note_only(env: dict[str, str], emulator: Emulator) -> None:
    # A second PubMed record equally close to the StatPearls citation (SYNTHETIC).
    twin = {
        "uid": "99000111",
        "pubdate": "2022 Jan",
        "title": "Necrolytic migratory erythema.",
        "authors": [{"name": "Foss MG", "authtype": "Author", "clusterid": ""}],
        "doctype": "chapter",
        "booktitle": "StatPearls",
        "_synthetic": True,
    }
    emulator.patch_world({"pubmed": {"99000111": twin}})
    _, refs = check(SEED_BIB, env)
    foss = refs["foss2021necrolytic"]
    assert "missing-identifier" not in rules(foss)
    note = finding(foss, "identifier-candidates")
    assert note["severity"] == "note" and note["suggestion"] is None
    assert "99000101" in note["message"] and "99000111" in note["message"]


def test_a_close_title_by_another_author_is_listed_never_filled(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    bib = tmp_path / "s.bib"
    bib.write_text(
        "@incollection{x, author = {Smith, John}, title = {Necrolytic Migratory Erythema},"
        " booktitle = {StatPearls}, year = {2021}}\n",
        encoding="utf-8",
    )
    # Make the chapter findable for Smith: ESearch [au] then sees it, the rules refuse it.
    emulator.patch_world(
        {
            "pubmed": {
                "99000101": {
                    "authors": [
                        {"name": "Foss MG", "authtype": "Author", "clusterid": ""},
                        {"name": "Smith J", "authtype": "Author", "clusterid": ""},
                    ]
                }
            }
        }
    )
    _, refs = check(bib, env)
    assert "missing-identifier" not in rules(refs["x"])
    note = finding(refs["x"], "identifier-candidates")
    assert "first author differs" in note["message"]


def test_crossref_bibliographic_search_finds_a_doi(
    env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    work = {
        "DOI": "10.5555/ct.search.2015",
        "type": "journal-article",
        "title": ["Zinc deficiency and necrolytic acral erythema"],
        "author": [{"given": "Ana", "family": "Moreno", "sequence": "first"}],
        "container-title": ["Synthetic Journal of Dermatology"],
        "issued": {"date-parts": [[2015, 4]]},
        "_synthetic": True,
    }
    emulator.patch_world({"crossref_works": {"10.5555/ct.search.2015": work}})
    bib = tmp_path / "c.bib"
    bib.write_text(
        "@article{m, author = {Moreno, A.}, title = {Zinc deficiency and necrolytic acral"
        " erythema}, journal = {Synth J Dermatol}, year = {2015}}\n",
        encoding="utf-8",
    )
    _, refs = check(bib, env)
    found = finding(refs["m"], "missing-identifier")
    assert (found["field"], found["suggestion"], found["source"]) == (
        "doi",
        "10.5555/ct.search.2015",
        "crossref",
    )
    assert "bibliographic search" in found["message"]


def test_search_services_down_leave_the_reference_unverified(
    env: dict[str, str], emulator: Emulator
) -> None:
    emulator.add_fault("eutils", "status", code=503)
    emulator.add_fault("crossref", "status", code=503)
    code, refs = check(SEED_BIB, env)
    assert code == 3
    for key in ("foss2021necrolytic", "echeniqueelizondo2004glucagonoma"):
        assert refs[key]["status"] == "unverified"
        assert "could not be completed" in finding(refs[key], "unverified")["message"]


def test_export_add_ids_writes_the_found_pmid(env: dict[str, str], tmp_path: Path) -> None:
    bib = tmp_path / "references.bib"
    bib.write_text(SEED_BIB.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "clean.bib"
    run = run_cli("export", str(bib), "--fix", "add-ids", "-o", str(out), env=env)
    assert run.code == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    assert "99000101" in text and "99000102" in text


def test_warm_cache_repeats_no_search(env: dict[str, str], emulator: Emulator) -> None:
    check(SEED_BIB, env)
    before = emulator.stats()["requests"]
    _, refs = check(SEED_BIB, env)
    assert emulator.stats()["requests"] == before
    assert "missing-identifier" in rules(refs["foss2021necrolytic"])


def test_every_seed_reference_has_a_verdict_a_source_confirmed(emulator: Emulator) -> None:
    """All 10: six by their DOI/PMID records, two books by ISBN, two found by search."""
    env = emulator.env()
    net = NetConfig.from_env(env)
    options = CheckOptions(links=False, cache_mode=CacheMode.NO_CACHE, net=net)
    result = asyncio.run(check_references(load_bib(SEED_BIB).references, options))
    confirmed: dict[str, set[str]] = {}
    for rr in result.results:
        sources = {e.source.value for e in rr.evidence if isinstance(e, Found)}
        sources |= {
            f.source.value
            for f in rr.findings
            if f.rule in ("missing-identifier", "isbn-confirmed") and f.source
        }
        confirmed[rr.reference.key] = sources
    assert all(confirmed.values()), confirmed
    assert confirmed["odom2006andrews"] >= {"openlibrary"}
    assert confirmed["patterson2019weedons"] >= {"googlebooks"}
    assert confirmed["foss2021necrolytic"] == {"pubmed"}
    assert confirmed["echeniqueelizondo2004glucagonoma"] == {"pubmed"}
    assert "crossref" in confirmed["thiers2009cutaneous"]
