"""The editor's workflow where something could not be verified, and fixes that must be
whole (SYNTHETIC articles and evidence).

A check that could not ask a service says so (``unverified``, a cause line, exit 3), never
"ok"; an export that changes a citation changes every parameter CS1 reads for the same
value.  Unit tests use plain values; the end-to-end ones run the real CLI against the
local emulator.
"""

from __future__ import annotations

from pathlib import Path

from citetrack.model import (
    Found,
    Identifiers,
    Reference,
    Severity,
    Source,
    Unavailable,
    WorkMetadata,
)
from citetrack.rules.compare import compare_reference
from citetrack_emulator import Emulator
from tests.e2e import run_cli

FAST = ("--timeout", "2", "--allow-private-urls")
DOI = "10.1111/j.1365-4632.2004.01844.x"

# SYNTHETIC: the seed's Pujol 2004 cited with its DOI and without its PMID (14693015).
PUJOL_NO_PMID = (
    "Text.<ref name=p>{{cite journal |vauthors=Pujol RM, Wang CY, el-Azhary RA, Su WP, "
    "Gibson LE, Schroeter AL |title=Necrolytic migratory erythema: clinicopathologic study "
    "of 13 cases |journal=International Journal of Dermatology |volume=43 |issue=1 "
    f"|pages=12–18 |date=January 2004 |doi={DOI} }}}}</ref>\n"
)


def _env(emulator: Emulator, tmp: Path) -> dict[str, str]:
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp / "cache")}


# ------------------------------------------------ the PMID of a DOI could not be looked up


def _doi_only() -> tuple[Reference, Found]:
    ref = Reference(
        key="p",
        entry_type="article",
        fields={"title": "Necrolytic migratory erythema", "author": "Pujol, R. M.", "doi": DOI},
        identifiers=Identifiers(doi=DOI),
    )
    meta = WorkMetadata(source=Source.CROSSREF, doi=DOI, title="Necrolytic migratory erythema")
    return ref, Found(Source.CROSSREF, DOI, meta)


def test_a_pmid_lookup_that_could_not_be_made_is_unverified_not_ok() -> None:
    ref, crossref = _doi_only()
    unasked = Unavailable(Source.PUBMED, DOI, "HTTP 500 after 4 attempts")
    (finding,) = compare_reference(ref, [crossref, unasked])
    assert finding.rule == "unverified" and finding.severity is Severity.UNVERIFIED
    assert finding.field == "pmid" and finding.source is Source.PUBMED
    assert finding.message.endswith("(HTTP 500 after 4 attempts).")
    # PubMed answered (it does not index the DOI: no evidence): nothing to say.
    assert compare_reference(ref, [crossref]) == []


def test_check_says_it_could_not_look_for_the_missing_pmid(
    emulator: Emulator, tmp_path: Path
) -> None:
    source = tmp_path / "article.wiki"
    source.write_text(PUJOL_NO_PMID, encoding="utf-8")
    emulator.add_fault("eutils", "status", code=500, path="esearch")
    env = _env(emulator, tmp_path)
    run = run_cli("check", str(source), "--no-lockfile", "--no-links", *FAST, env=env)
    assert run.code == 3, run.stdout + run.stderr  # nothing broken, something not verified
    assert "pubmed: could not check 1 reference (HTTP 500 after" in run.stdout + run.stderr
    assert "1 unverified" in run.stdout
    export = run_cli("export", str(source), *FAST, "--dry-run", env=env)
    assert export.code == 0, export.stderr
    assert "not checked, so not fixed: pubmed: could not check 1 reference" in export.stderr
