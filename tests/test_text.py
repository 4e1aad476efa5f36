"""Tests of citetrack.rules.text and .fields: decoding, folding and field parsing for comparing."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citetrack.model import Author
from citetrack.rules import text as t
from citetrack.rules.fields import (
    PageRange,
    _braced_tokens,
    _tokens,
    extract_years,
    family_key,
    family_matches,
    fold_number,
    format_pages,
    is_organisation,
    parse_pages,
    parse_registry_name,
    split_authors,
)
from citetrack.rules.text import (
    fold,
    fold_diacritics,
    fold_title,
    latex_to_unicode,
    main_title,
    strip_markup,
    to_plain,
)

# --------------------------------------------------------------------------- LaTeX


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        (r"{\'e}", "é"),
        (r"\'{e}", "é"),
        (r"\'e", "é"),
        (r"Or{\'u}e", "Orúe"),
        (r"\"{o}", "ö"),
        (r"M\"uller", "Müller"),
        (r"\^{o}", "ô"),
        (r"\`a", "à"),
        (r"\~n", "ñ"),
        (r"\c{c}", "ç"),
        (r"\c c", "ç"),
        (r"\v{s}", "š"),
        (r"\v s", "š"),
        (r"\H{o}", "ő"),
        (r"\k{a}", "ą"),
        (r"\'{\i}", "í"),
        (r"\ss{}", "ß"),
        (r"Bj\o rn", "Bjørn"),
        (r"{\aa}", "å"),
        (r"{\L}{\'o}d{\'z}", "Łódź"),
        (r"{KRAS}", "KRAS"),
        (r"{{World Health Organization}}", "World Health Organization"),
        ("12--18", "12–18"),
        ("a---b", "a—b"),
        (r"Barnes \& Noble", "Barnes & Noble"),
        (r"50\%", "50%"),
        (r"\textit{E. coli} infection", "E. coli infection"),
        (r"\emph{In vivo}", "In vivo"),
        (r"$\beta$-catenin", "β-catenin"),
        (r"CO$_2$ and $x^2$", "CO2 and x2"),
        ("Andrews~Disease", "Andrews Disease"),
        (r"\{braces\}", "{braces}"),
        ("plain text", "plain text"),
        ("", ""),
    ],
)
def test_latex_to_unicode(latex: str, expected: str) -> None:
    assert latex_to_unicode(latex) == expected


def test_latex_unknown_command_keeps_its_argument() -> None:
    assert latex_to_unicode(r"\NoCaseChange{mRNA} \foo bar") == "mRNA bar"


# -------------------------------------------------------------------------- markup


@pytest.mark.parametrize(
    ("marked", "expected"),
    [
        ("Detecting\n   <i>KRAS</i>\n   /\n   <i>NRAS</i>", "Detecting KRAS / NRAS"),
        ("<jats:title>A <jats:italic>B</jats:italic></jats:title>", "A B"),
        ("H<sub>2</sub>O and Ca<sup>2+</sup>", "H2O and Ca2+"),
        ("a<br/>b", "a b"),
        ("<p>one</p><p>two</p>", "one two"),
        ("Smith &amp; Jones &lt;3", "Smith & Jones <3"),
        ("p < 0.05 and a<b", "p < 0.05 and a<b"),
        (
            '<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:mi>β</mml:mi></mml:math>',
            "β",
        ),
    ],
)
def test_strip_markup(marked: str, expected: str) -> None:
    assert strip_markup(marked) == expected


def test_to_plain_decodes_latex_and_markup() -> None:
    assert to_plain(r"<i>Caf{\'e}</i>  \& co") == "Café & co"


# ------------------------------------------------------------------------- folding


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("CA – A Cancer Journal for Clinicians", "CA: A Cancer Journal for Clinicians"),
        ("Orúe", "Orue"),
        (r"Or{\'u}e", "ORUE"),
        ("Barnes & Noble", "Barnes and Noble"),
        ("TGF-β signaling", "TGF-beta signaling"),
        ("Søren Kierkegaard", "Soren Kierkegaard"),
        ("Straße", "Strasse"),
        ("ﬁnding", "finding"),
        ("Necrolytic migratory erythema.", "necrolytic  migratory erythema"),
        ("<i>KRAS</i>/<i>NRAS</i>", "KRAS / NRAS"),
    ],
)
def test_fold_equates(a: str, b: str) -> None:
    assert fold(a) == fold(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("tumour", "tumor"), ("Cancer", "Cancers"), ("2003", "2004")],
)
def test_fold_keeps_real_differences(a: str, b: str) -> None:
    assert fold(a) != fold(b)


def test_fold_diacritics_keeps_case() -> None:
    assert fold_diacritics("Ibáñez Aguirre") == "Ibanez Aguirre"


@pytest.mark.parametrize(
    "title",
    [
        "RETRACTED: Foo bar",
        "Retracted article: Foo bar",
        "[Retracted] Foo bar",
        "WITHDRAWN: Foo bar",
        "Foo bar.",
    ],
)
def test_fold_title_drops_retraction_prefix(title: str) -> None:
    assert fold_title(title) == "foo bar"


def test_fold_title_keeps_a_title_that_starts_with_withdrawn() -> None:
    assert fold_title("Withdrawn patients in trials") == "withdrawn patients in trials"


@pytest.mark.parametrize(
    ("title", "main"),
    [
        (
            "Necrolytic migratory erythema: clinicopathologic study of 13 cases",
            "necrolytic migratory erythema",
        ),
        ("Glucagonoma - a review", "glucagonoma"),
        ("Is it cancer? A study", "is it cancer"),
        ("E. coli infections in children", "e coli infections in children"),
    ],
)
def test_main_title(title: str, main: str) -> None:
    assert main_title(title) == main


# --------------------------------------------------------------------------- names


def _families(field: str) -> list[str]:
    return [a.family or a.literal for a in split_authors(field).authors]


@pytest.mark.parametrize(
    ("field", "families"),
    [
        ("Foss, Michael G. and Ferrer-Bruker, Sarah J.", ["Foss", "Ferrer-Bruker"]),
        ("van Beek, A. P. and de Haas, E. R.", ["van Beek", "de Haas"]),
        ("Canninga-van Dijk, M. R.", ["Canninga-van Dijk"]),
        ("Ludwig van Beethoven", ["van Beethoven"]),
        ("Otto von der Heide and Jean de la Fontaine", ["von der Heide", "de la Fontaine"]),
        ("Donald E. Knuth", ["Knuth"]),
        ("{World Health Organization}", ["World Health Organization"]),
        ("{Barnes and Noble} and Smith, J.", ["Barnes and Noble", "Smith"]),
        ("Smith, Jr, John", ["Smith"]),
        (r"Elorza Or{\'u}e, Jos{\'e} L.", ["Elorza Orúe"]),
        (r"{\'E}mile Zola", ["Zola"]),
        ("Pujol RM and Wang CY and el-Azhary RA", ["Pujol", "Wang", "el-Azhary"]),
        ("Pujol RM, Wang CY, el-Azhary RA", ["Pujol", "Wang", "el-Azhary"]),
        (
            "Tuneu Valls, Ana and Martinez de Lizarduy, Ignacio",
            ["Tuneu Valls", "Martinez de Lizarduy"],
        ),
        ("Aristotle", ["Aristotle"]),
        ("Smith, J. and  and Jones, K.", ["Smith", "Jones"]),
        ("", []),
    ],
)
def test_split_authors_families(field: str, families: list[str]) -> None:
    assert _families(field) == families


def test_split_authors_given_names() -> None:
    authors = split_authors("van Beek, A. P. and Ludwig van Beethoven and Pujol RM").authors
    assert [a.given for a in authors] == ["A. P.", "Ludwig", "RM"]


@pytest.mark.parametrize(
    "field",
    [
        "Smith, J. and others",
        "Smith J, Jones K, et al.",
        "Smith, J. and et al.",
        "Smith, J. et al.",
    ],
)
def test_split_authors_truncated(field: str) -> None:
    parsed = split_authors(field)
    assert parsed.truncated
    assert parsed.authors[0].family == "Smith"
    assert all(a.family not in ("others", "al.") for a in parsed.authors)


def test_split_authors_complete_list_is_not_truncated() -> None:
    assert not split_authors("Smith, J. and Jones, K.").truncated


def test_registry_literal_read_as_vancouver_name() -> None:
    assert parse_registry_name(Author(literal="Nicholas SE")) == Author(
        family="Nicholas", given="SE"
    )
    assert is_organisation(Author(literal="WHO Study Group"))
    assert is_organisation(Author(literal="World Health Organization"))
    assert not is_organisation(Author(literal="Miguel Echenique-Elizondo"))
    assert not is_organisation(Author(family="Smith"))


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("van Beek", ("beek",)),
        ("Canninga-van Dijk", ("canninga", "dijk")),
        ("Müller", ("muller",)),
        ("Mueller", ("muller",)),
        ("De", ("de",)),
    ],
)
def test_family_key(name: str, key: tuple[str, ...]) -> None:
    assert family_key(name) == key


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("van Beek", "van Beek", True),
        ("van Beek", "Beek", True),
        ("Orúe", "Orue", True),
        ("Elorza Orúe", "Orue", True),
        ("Echenique-Elizondo", "Echenique Elizondo", True),
        ("Echenique", "Echenique-Elizondo", True),
        ("el-Azhary", "El-Azhary", True),
        ("MacDonald", "Mac Donald", True),
        ("O'Brien", "OBrien", True),
        ("Müller", "Mueller", True),
        ("Smith", "Smyth", False),
        ("Pujol", "Wang", False),
        ("van Beek", "van Dijk", False),
        ("", "Smith", False),
    ],
)
def test_family_matches(a: str, b: str, same: bool) -> None:
    assert family_matches(a, b) is same
    assert family_matches(b, a) is same


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize(
    ("pages", "parsed"),
    [
        ("12--18", PageRange("12", "18")),
        ("12–8", PageRange("12", "18")),
        ("12-8", PageRange("12", "18")),
        ("531-7", PageRange("531", "537")),
        ("2731–2", PageRange("2731", "2732")),
        ("1069–1080", PageRange("1069", "1080")),
        ("387-389", PageRange("387", "389")),
        ("S12-8", PageRange("S12", "S18")),
        ("e33693", PageRange("e33693")),
        ("pp. 143", PageRange("143")),
        ("p. 603", PageRange("603")),
        ("143", PageRange("143")),
        ("12-18, 22", PageRange("12", "18")),
        ("12-12", PageRange("12")),
        ("xi-xv", PageRange("xi", "xv")),
        ("98-102", PageRange("98", "102")),
        ("", None),
        (None, None),
    ],
)
def test_parse_pages(pages: str | None, parsed: PageRange | None) -> None:
    assert parse_pages(pages) == parsed


def test_format_pages_uses_bibtex_dash() -> None:
    assert format_pages(PageRange("12", "18")) == "12--18"
    assert format_pages(PageRange("e33693")) == "e33693"


# ------------------------------------------------------------------- years, numbers


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("2004", (2004,)),
        ("{2004}", (2004,)),
        ("2004a", (2004,)),
        ("2003/2004", (2003, 2004)),
        ("2004-11-02", (2004,)),
        ("n.d.", ()),
        ("in press", ()),
        ("12004", ()),
        (None, ()),
    ],
)
def test_extract_years(text: str | None, years: tuple[int, ...]) -> None:
    assert extract_years(text) == years


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("43", "43", True),
        ("Vol. 43", "43", True),
        ("05", "5", True),
        ("No. 1", "1", True),
        ("1–2", "1-2", True),
        ("Suppl. 1", "Suppl 1", True),
        ("5 Suppl 1", "5 Supplement 1", True),
        ("43", "44", False),
        ("5", "5 Suppl 1", False),
        ("10", "1", False),
    ],
)
def test_fold_number(a: str, b: str, same: bool) -> None:
    assert (fold_number(a) == fold_number(b)) is same


# ---------------------------------------------------------------------- properties

_ANY_TEXT = st.text(max_size=80)
# Text rich in the characters the parsers treat specially.
_BIBLIKE = st.text(
    alphabet=st.sampled_from(list("abcXYZ éøß{}\\'\"`^~=.,-–&$_<>/;:0123456789 and others")),
    max_size=60,
)


@given(st.one_of(_ANY_TEXT, _BIBLIKE))
def test_fold_is_idempotent_and_plain(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert all(ch.isalnum() or ch == " " for ch in once)


@given(st.one_of(_ANY_TEXT, _BIBLIKE))
def test_fold_title_and_diacritics_are_idempotent(text: str) -> None:
    assert fold_title(fold_title(text)) == fold_title(text)
    assert fold_diacritics(fold_diacritics(text)) == fold_diacritics(text)
    assert fold_number(fold_number(text)) == fold_number(text)


@given(st.one_of(_ANY_TEXT, _BIBLIKE))
def test_parsers_never_raise(text: str) -> None:
    latex_to_unicode(text)
    strip_markup(text)
    main_title(text)
    family_key(text)
    extract_years(text)
    parsed = split_authors(text)
    assert all(a.family or a.literal for a in parsed.authors)
    pages = parse_pages(text)
    assert pages is None or pages.start


# ------------------------------------------------------- issue 16: cached, fast-path folding


def _fold_slow(text: str) -> str:
    """The folding loop without the ASCII shortcut or the cache (the reference behaviour)."""
    value = t.to_plain.__wrapped__(text)
    for _ in range(4):
        decomposed = unicodedata.normalize("NFKD", value.translate(t._LETTER_FOLDS))
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
        folded = unicodedata.normalize("NFC", stripped.translate(t._LETTER_FOLDS))
        folded = folded.translate(t._GREEK_FOLDS).casefold()
        if folded == value:
            break
        value = folded
    return t._NON_WORD_RE.sub(" ", value.replace("&", " and ")).strip()


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_fold_fast_paths_equal_the_generic_fold(text: str) -> None:
    """The ASCII shortcut and the cache change the cost, never the key (issue 16)."""
    assert fold(text) == _fold_slow(text)
    assert fold(text) == fold(text)


def test_fold_is_computed_once_per_distinct_string() -> None:
    """A title folded by several rules is decoded and folded once (issue 16)."""
    fold.cache_clear()
    title = r"Synthetic {\'E}tude of {KRAS} -- a title folded by every rule"
    for _ in range(50):
        fold(title)
    info = fold.cache_info()
    assert (info.misses, info.hits) == (1, 49)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"ab ,.-\t\n\u00a0\u2009\u3000\x1c\x85\u00c9\u00df", "and", "others"]),
        max_size=30,
    ).map("".join)
)
def test_name_list_tokens_without_braces_are_those_of_the_depth_tracking_reader(
    text: str,
) -> None:
    # The C tokenizer is taken only without braces; there it must agree with the loop.
    assert _tokens(text) == _braced_tokens(text)
