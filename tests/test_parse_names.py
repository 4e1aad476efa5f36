"""Author lists: CS1, Vancouver and natural order, particles, organisations, doubtful entries."""

from __future__ import annotations

import pytest

from citetrack.parse.names import Name, looks_like_names, parse_name_list


@pytest.mark.parametrize(
    ("printed", "bibtex"),
    [
        # CS1: "Family, Given; …"
        (
            "Foss, Michael G.; Ferrer-Bruker, Sarah J.",
            "Foss, Michael G. and Ferrer-Bruker, Sarah J.",
        ),
        # Vancouver: initials expanded, particles and compounds kept whole
        ("Thiers BH, Sahn RE, Callen JP", "Thiers, B. H. and Sahn, R. E. and Callen, J. P."),
        (
            "van Beek AP, de Haas ER, Canninga-van Dijk MR",
            "van Beek, A. P. and de Haas, E. R. and Canninga-van Dijk, M. R.",
        ),
        ("Pujol RM, el-Azhary RA", "Pujol, R. M. and el-Azhary, R. A."),
        ("Riveros Gilardi B, Muñoz López JI", "Riveros Gilardi, B. and Muñoz López, J. I."),
        ("Arnold SR, Ford-Jones EL", "Arnold, S. R. and Ford-Jones, E. L."),  # SR: initials
        # compound Spanish surnames in CS1 form
        (
            "Tuneu Valls, Ana; Elorza Orúe, José L.; Martinez de Lizarduy, Ignacio; "
            "Ibáñez Aguirre, Javier",
            "Tuneu Valls, Ana and Elorza Orúe, José L. and Martinez de Lizarduy, Ignacio and "
            "Ibáñez Aguirre, Javier",
        ),
        # suffixes before or after the initials
        ("Nelson Jr SL, Espay AJ", "Nelson, Jr, S. L. and Espay, A. J."),
        ("Engelhard III HH, Pang D", "Engelhard, III, H. H. and Pang, D."),
        ("Gomes de Moura CF, Aguiar O Jr", "Gomes de Moura, C. F. and Aguiar, Jr, O."),
        # natural order, with particles and initials first
        ("Karen L. Wilson", "Wilson, Karen L."),
        ("Sabine van Glabeke; James M. Van Valen", "van Glabeke, Sabine and Van Valen, James M."),
        ("ML Parker", "Parker, M. L."),
        ("Jeffrey E Kelsey", "Kelsey, Jeffrey E."),
        ("John Lloyd and John Mitchinson", "Lloyd, John and Mitchinson, John"),
        ("Patrick A. Reeves & Philip L. Forsline", "Reeves, Patrick A. and Forsline, Philip L."),
        ("Lauri, Pierre-éric; Karen Maguylo", "Lauri, Pierre-éric and Maguylo, Karen"),
        # a single name in each form
        ("Patterson, James W.", "Patterson, James W."),
        ("Ellis Davidson, H. R.", "Ellis Davidson, H. R."),
        ("Cinalli, G", "Cinalli, G."),
        ("Oi S", "Oi, S."),
        ("Hyginus", "Hyginus"),
        ("Kyoko Konishi.", "Konishi, Kyoko"),
        # "; and" before the last name
        ("Syrmos, N; and Paleologos, T.S.", "Syrmos, N. and Paleologos, T. S."),
        # organisations are one braced name
        (
            "Kaneshiro NK, Zieve D, A.D.A.M. Editorial team",
            "Kaneshiro, N. K. and Zieve, D. and {A.D.A.M. Editorial team}",
        ),
        ("World Health Organization", "{World Health Organization}"),
        # an organisation whose name holds "and" (a plural org word too); a person and an
        # organisation joined by "and" stay two authors
        (
            "National Institute for Health and Care Excellence",
            "{National Institute for Health and Care Excellence}",
        ),
        (
            "Centers for Disease Control and Prevention",
            "{Centers for Disease Control and Prevention}",
        ),
        ("Smith J and World Health Organization", "Smith, J. and {World Health Organization}"),
        # hyphenated initials (Jean-Pierre, Ji-Hoon) in Vancouver and inverted forms
        ("Kim J-H, Park S-Y, Lee K", "Kim, J.-H. and Park, S.-Y. and Lee, K."),
        ("Dupont J-P", "Dupont, J.-P."),
        ("Dupont, J.-P", "Dupont, J.-P."),
        # German author-year styles separate inverted names with a slash
        ("Müller, Hans/Schmidt, Petra", "Müller, Hans and Schmidt, Petra"),
        ("Müller, H. / Schmidt, P.", "Müller, H. and Schmidt, P."),
        # et al.
        ("Vos T, Flaxman AD, et al.", "Vos, T. and Flaxman, A. D. and others"),
        ("Amandine Cornille; et al.", "Cornille, Amandine and others"),
    ],
)
def test_name_lists(printed: str, bibtex: str) -> None:
    result = parse_name_list(printed)
    assert result.bibtex() == bibtex
    assert result.rejected == ()


def test_a_title_in_the_author_list_is_rejected() -> None:
    result = parse_name_list(
        "Berger, Timothy G.; Clinical diagnosis by laboratory methods; Dirk M. Elston"
    )
    assert result.bibtex() == "Berger, Timothy G. and Elston, Dirk M."
    assert result.rejected == ("Clinical diagnosis by laboratory methods",)


def test_editor_marks() -> None:
    for printed in ("Bradley, Fern; Ellis, Barbara W., eds.", "Talavera F (ed.)", "Shoback D, ed."):
        assert parse_name_list(printed).editors, printed
    assert not parse_name_list("Edwards, Ed").editors


def test_name_parts() -> None:
    (name,) = parse_name_list("Nelson Jr SL").names
    assert name == Name(family="Nelson", given="S. L.", suffix="Jr")
    (org,) = parse_name_list("Flora of North America Editorial Committee").names
    assert org.literal == "Flora of North America Editorial Committee"
    assert org.bibtex() == "{Flora of North America Editorial Committee}"


def test_a_group_author_with_a_number_in_its_name_is_an_organisation() -> None:
    """Enwiki's Autism cites the Lancet's "Global Burden of Disease Study 2013
    Collaborators": read as no name at all, with a warning that it is not one."""
    for group in (
        "Global Burden of Disease Study 2013 Collaborators",
        "COVID-19 Treatment Guidelines Panel",
    ):
        result = parse_name_list(group)
        assert [n.literal for n in result.names] == [group] and not result.rejected
    assert parse_name_list("Clinical diagnosis by 2 laboratory methods").rejected


@pytest.mark.parametrize(
    ("text", "single", "expected"),
    [
        ("Thiers BH, Sahn RE", True, True),
        ("Hyginus", True, True),
        ("Hyginus", False, False),
        ("Dorland's electronic medical dictionary (29th ed.)", True, False),
        ("Death, Modernity, and the Body", True, False),
        ('"Quoted title"', True, False),
    ],
)
def test_looks_like_names(text: str, single: bool, expected: bool) -> None:
    assert looks_like_names(text, allow_single_word=single) is expected
