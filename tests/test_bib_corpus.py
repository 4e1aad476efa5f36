"""Loading the real-world .bib files of tests/data/bib (provenance in its README).

Entry counts come from tests/data/bib/README.md, which counted ``@type{`` headers
independently of any parser: every header must end up as a reference, a duplicate or a
reported parse failure — nothing may vanish silently.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from citetrack.inputs.bib import Bibliography, load_bib
from citetrack.inputs.bib.loader import DATA_CONTAINERS

DATA = Path(__file__).parent / "data" / "bib"

# file → @type{ headers (not @string/@comment/@preamble), from the README's table
ENTRY_HEADERS = {
    "cdl_memlab_2020.bib": 5784,
    "lazappi_phd_thesis_references.bib": 236,
    "bibliometrix_wos_savedrecs.bib": 377,
    "bibliometrix_scopus_export.bib": 46,
    "biblatex_examples.bib": 92,
    "xampl_pl.bib": 34,
    "jabref_chocolate.bib": 15,
    "bbt_space_after_citekey_716.bib": 2,
}
FILES = sorted(ENTRY_HEADERS)


@cache
def loaded(name: str) -> Bibliography:
    return load_bib(DATA / name)


def test_copies_are_byte_identical_to_the_shared_corpus() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    found = re.findall(r"^([0-9a-f]{64})  (\S+\.bib)$", readme, re.M)
    listed = {name: digest for digest, name in found}
    assert sorted(listed) == FILES
    for name, digest in listed.items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize("name", FILES)
def test_every_entry_header_is_accounted_for(name: str) -> None:
    bib = loaded(name)
    states = Counter(layout.state for layout in bib.layout)
    # biblatex's @xdata and @set are no works: read (for inheritance), not references.
    containers = sum(
        layout.entry_type in DATA_CONTAINERS and layout.state in ("ok", "unreadable")
        for layout in bib.layout
    )
    assert len(bib.references) == states["ok"] + states["unreadable"] - containers
    assert len(bib.layout) == ENTRY_HEADERS[name]
    assert bib.text == (DATA / name).read_bytes().decode("utf-8")


@pytest.mark.parametrize("name", FILES)
def test_reference_lines_point_at_their_headers(name: str) -> None:
    bib = loaded(name)
    lines = bib.text.split("\n")
    for ref in bib.references:
        assert ref.line is not None
        line = lines[ref.line - 1]
        assert "@" in line and ref.key in line, (ref.key, ref.line, line)
        assert ref.path == str(DATA / name)
        assert all(n == n.lower() for n in ref.fields)


def test_cdl_memlab_defects_are_all_reported() -> None:
    bib = loaded("cdl_memlab_2020.bib")
    rules = Counter(p.rule for p in bib.problems)
    assert rules == {"bib-duplicate-key": 28, "bib-syntax": 4, "bib-key-case": 1}
    syntax = {p.key: p for p in bib.problems if p.rule == "bib-syntax"}
    assert {k: p.line for k, p in syntax.items()} == {
        "LongKaha19": 3715,
        "KiliEtal13": 10222,
        "GoddBadd75": 10354,
        "KahnBeat66": 18991,
    }
    assert "missing `,` after the key" in syntax["KiliEtal13"].message
    assert "`Author` runs on" in syntax["KahnBeat66"].message
    assert "`Volume`" in syntax["LongKaha19"].message
    mant = [p for p in bib.problems if p.key == "MantEtal07"]
    assert len(mant) == 1 and mant[0].rule == "bib-duplicate-key"
    assert re.search(r"first defined on line \d+", mant[0].message)


def test_cdl_memlab_values() -> None:
    refs = {r.key: r for r in loaded("cdl_memlab_2020.bib").references}
    # Title-case field names are lower-cased; LaTeX accents are kept as written.
    assert "author" in refs["MantEtal07"].fields
    journals = {r.fields.get("journal") for r in refs.values()}
    assert "Psychological Reports" in journals  # `Journal = psyrep,` expanded
    assert "psyrep" not in journals
    assert sum(1 for r in refs.values() if r.identifiers.pmid) >= 300
    assert "Fern{\\'{a}}ndez, Guill{\\'{e}}n" in refs["vanKEtal13"].fields["author"]


def test_xampl_quirks() -> None:
    bib = loaded("xampl_pl.bib")
    (problem,) = bib.problems
    assert problem.rule == "bib-string" and problem.line == 11
    refs = {r.key: r for r in bib.references}
    # BibTeX defines only the first macro of the block; bibtexparser would give `jan` the
    # whole rest of the block as its value.
    assert refs["book-full"].fields["month"] == "10~styczeń"
    assert refs["article-full"].fields["month"] == "jul"
    assert refs["inproceedings-full"].fields["booktitle"] == (
        "Proc. Fifteenth Annual acm Symposium on the Theory of Computing"
    )
    assert refs["inproceedings-full"].fields["organization"] == (
        "The OX Association for Computing Machinery"
    )


def test_wos_keys_names_and_double_braces() -> None:
    refs = loaded("bibliometrix_wos_savedrecs.bib").references
    first = refs[0]
    assert first.key == "ISI:000186671900001"
    assert "usage-count-(last-180-days)" in first.fields
    assert first.fields["pages"].startswith("{")  # `{{1-2}}` keeps its inner braces
    # ...but identifiers are read through them.
    assert sum(1 for r in refs if r.identifiers.doi) == 363


def test_jabref_crlf_and_nfd_are_kept() -> None:
    bib = loaded("jabref_chocolate.bib")
    assert "\r\n" in bib.text
    corti = next(r for r in bib.references if r.key == "Corti_2009")
    assert "Lu\u0308scher" in corti.fields["author"]  # decomposed ü, untouched
    assert not any("\r" in v for r in bib.references for v in r.fields.values())


def test_scopus_duplicate_and_free_text() -> None:
    bib = loaded("bibliometrix_scopus_export.bib")
    (problem,) = bib.problems
    assert problem.key == "Iorio2015149"
    assert "first defined on line 345" in problem.message
    assert bib.references[0].key == "D'Ambrosio20171339"


def test_bbt_space_after_key_and_biblatex_concatenation() -> None:
    assert [r.key for r in loaded("bbt_space_after_citekey_716.bib").references] == [
        "HoSp-87",
        "HoSp-90",
    ]
    ksa = next(r for r in loaded("biblatex_examples.bib").references if r.key == "nietzsche:ksa")
    assert ksa.fields["publisher"] == "Deutscher Taschenbuch-Verlag and Walter de Gruyter"


def test_lazappi_quoted_values_and_month_macros() -> None:
    bib = loaded("lazappi_phd_thesis_references.bib")
    assert bib.problems == ()
    refs = bib.references
    assert sum(1 for r in refs if r.identifiers.pmid) == 161
    assert sum(1 for r in refs if r.identifiers.pmcid) == 61
    assert all(not r.fields.get("title", "x").startswith('"') for r in refs)
    assert Counter(r.fields.get("month") for r in refs)["mar"] > 0
