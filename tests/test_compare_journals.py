"""Tests of citetrack.rules.journals: abbreviated, full and variant journal names."""

from __future__ import annotations

import pytest

from citetrack.rules.journals import FUZZY_THRESHOLD, abbreviates, journal_matches, same_journal


@pytest.mark.parametrize(
    ("cited", "registry"),
    [
        # the seed article's journals, as cited vs as the registries name them
        ("CA – A Cancer Journal for Clinicians", "CA: A Cancer Journal for Clinicians"),
        ("CA – A Cancer Journal for Clinicians", "CA Cancer J Clin"),
        ("Eur. J. Endocrinol.", "European Journal of Endocrinology"),
        ("Eur J Endocrinol", "European journal of endocrinology"),
        ("The New England Journal of Medicine", "N Engl J Med"),
        ("The New England Journal of Medicine", "New England Journal of Medicine"),
        ("JOP: Journal of the pancreas", "JOP : Journal of the pancreas"),
        ("JOP: Journal of the pancreas", "JOP"),
        ("International Journal of Dermatology", "Int J Dermatol"),
        ("The American Journal of Medicine", "Am J Med"),
        ("Archives of Dermatology and Syphilology", "Arch Derm Syphilol"),
        # other forms met in bibliographies
        (
            "Proc Natl Acad Sci U S A",
            "Proceedings of the National Academy of Sciences of the United States of America",
        ),
        ("J Am Acad Dermatol", "Journal of the American Academy of Dermatology"),
        ("Lancet", "Lancet (London, England)"),
        ("The Lancet", "Lancet"),
        ("Journal of Clinical Pathology", "J Clin Pathol"),
        ("Dtsch Med Wochenschr", "Deutsche Medizinische Wochenschrift"),
        ("Br J Dermatol", "British Journal of Dermatology"),
        ("Journal of Bone & Joint Surgery", "Journal of Bone and Joint Surgery"),
        ("Journal of Paediatrics", "Journal of Pediatrics"),  # fuzzy
        ("Journal of Dermatolgy", "Journal of Dermatology"),  # fuzzy: a typo
        ("PLoS ONE", "PloS one"),
        ("Acta Dermato-Venereologica", "Acta Derm Venereol"),
        (r"Zeitschrift f{\"u}r Rheumatologie", "Z Rheumatol"),
        ("J Dtsch Dermatol Ges", "Journal der Deutschen Dermatologischen Gesellschaft"),
        # dotted initials are one word; MEDLINE's country is not in the journal's own name
        ("Proc. Natl. Acad. Sci. U.S.A.", "Proceedings of the National Academy of Sciences"),
        ("Proc. Natl. Acad. Sci. U.S.A.", "Proc Natl Acad Sci USA"),
        ("Proc Natl Acad Sci U S A", "Proceedings of the National Academy of Sciences"),
        # Crossref's names with an acronym before a colon, or a section after a dash
        ("J. Dtsch. Dermatol. Ges.", "JDDG: Journal der Deutschen Dermatologischen Gesellschaft"),
        (
            "Biochim. Biophys. Acta",
            "Biochimica et Biophysica Acta (BBA) - Molecular Basis of Disease",
        ),
    ],
)
def test_same_journal(cited: str, registry: str) -> None:
    assert same_journal(cited, registry)
    assert same_journal(registry, cited)


@pytest.mark.parametrize(
    ("cited", "registry"),
    [
        ("Clinical Chemistry", "Clinical Biochemistry"),
        ("Nature", "Nature Medicine"),
        ("J Chromatogr A", "Journal of Chromatography B"),
        ("Journal of Investigative Dermatology", "International Journal of Dermatology"),
        ("Am J Med", "American Journal of Medical Genetics"),
        ("Ann Surg", "Annals of Surgical Oncology"),
        ("The Lancet", "The Lancet Oncology"),
        ("Cancer", "Cancer Research"),
        ("", "Cancer"),
        (
            "Molecular Basis of Disease",
            "Biochimica et Biophysica Acta (BBA) - Molecular Basis of Disease",
        ),
        ("Journal of Psoriasis", "Psoriasis: Targets and Therapy"),  # not an acronym's tail
    ],
)
def test_different_journals(cited: str, registry: str) -> None:
    assert not same_journal(cited, registry)


@pytest.mark.parametrize(
    ("cited", "registry", "same"),
    [
        ("PNAS", "Proceedings of the National Academy of Sciences", True),
        ("JAAD", "Journal of the American Academy of Dermatology", True),
        ("NEJM", "The New England Journal of Medicine", True),
        ("JAAD", "Journal of Investigative Dermatology", False),
        ("Pnas", "Proceedings of the National Academy of Sciences", False),  # not an acronym
        ("JA", "Journal of Anatomy", False),  # too short to tell
    ],
)
def test_a_cited_acronym(cited: str, registry: str, same: bool) -> None:
    assert same_journal(cited, registry) is same


def test_journal_matches_any_registry_name() -> None:
    assert journal_matches("Int. J. Dermatol.", [None, "International journal of dermatology"])
    assert not journal_matches("Int. J. Dermatol.", [None, ""])


@pytest.mark.parametrize(
    ("short", "full", "ok"),
    [
        ("endocrinol", "endocrinology", True),
        ("j", "journal", True),
        ("natl", "national", True),
        ("dtsch", "deutsche", True),
        ("chem", "biochemistry", False),
        ("medicine", "med", False),
        ("12", "123", False),
    ],
)
def test_abbreviates(short: str, full: str, ok: bool) -> None:
    assert abbreviates(short, full) is ok


def test_fuzzy_threshold_separates_the_documented_pair() -> None:
    assert FUZZY_THRESHOLD > 92.3  # "Clinical Chemistry" vs "Clinical Biochemistry"
