"""Findings → export fixes: only confident suggestions, the preferred registry's value."""

from __future__ import annotations

from citetrack.export.fixes import reference_fixes
from citetrack.identifiers import extract_identifiers
from citetrack.model import Author, Found, Reference, ReferenceResult, Source, WorkMetadata
from citetrack.rules.compare import compare_reference

# SYNTHETIC: a citation with a wrong volume and an abbreviated page range.
FIELDS = {
    "author": "Quill, Avery and Pike, Rowan",
    "title": "Zinc supplementation in glucagonoma: a randomised trial",
    "journal": "Journal of Synthetic Dermatology",
    "year": "2019",
    "volume": "21",
    "pages": "201--209",
    "doi": "10.5555/ct.fixes.2019",
    "pmid": "99000101",
}
REF = Reference("quill2019zinc", "article", FIELDS, extract_identifiers(FIELDS)[0], line=3)


def meta(source: Source, volume: str, **extra: object) -> WorkMetadata:
    return WorkMetadata(
        source=source,
        doi="10.5555/ct.fixes.2019",
        pmid="99000101",
        title="Zinc supplementation in glucagonoma: a randomised trial",
        authors=(Author("Quill", "Avery"), Author("Pike", "Rowan")),
        year=2019,
        years=(2019,),
        container="Journal of Synthetic Dermatology",
        volume=volume,
        pages="201-209",
        **extra,  # type: ignore[arg-type]
    )


def result(crossref_volume: str, pubmed_volume: str, ref: Reference = REF) -> ReferenceResult:
    evidence = (
        Found(Source.CROSSREF, "10.5555/ct.fixes.2019", meta(Source.CROSSREF, crossref_volume)),
        Found(Source.PUBMED, "99000101", meta(Source.PUBMED, pubmed_volume)),
    )
    return ReferenceResult(ref, tuple(compare_reference(ref, evidence)), evidence)


KINDS = frozenset({"identifiers", "pages", "add-ids", "metadata"})


def test_wrong_volume_is_fixed_from_the_preferred_registry() -> None:
    checked = result("12", "12 (Pt 1)")
    pubmed = reference_fixes(checked, KINDS, Source.PUBMED)
    crossref = reference_fixes(checked, KINDS, Source.CROSSREF)
    assert [(f.field, f.new_value, f.source, f.kind) for f in crossref] == [
        ("volume", "12", "crossref", "metadata")
    ]
    assert [(f.field, f.source) for f in pubmed] == [("volume", "pubmed")]


def test_no_fix_when_the_kind_is_switched_off() -> None:
    assert reference_fixes(result("12", "12"), frozenset({"pages"}), Source.PUBMED) == []


def test_no_fix_on_a_doubtful_match() -> None:
    # The registries describe another work (other title and authors): nothing is suggested.
    other = {**FIELDS, "title": "Cutaneous signs of pancreatic tumours", "author": "Vale, Jordan"}
    ref = Reference("vale2019", "article", other, extract_identifiers(other)[0], line=9)
    assert reference_fixes(result("12", "12", ref), KINDS, Source.PUBMED) == []


def test_correct_citation_gets_no_fix() -> None:
    assert reference_fixes(result("21", "21"), KINDS, Source.PUBMED) == []
