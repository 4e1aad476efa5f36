"""A reference list wrapped at a column's width without indent or numbers (a PDF's copy)
is read one entry per reference: the line's width and how the next line starts tell where
a reference ends (issue 15, ``citetrack/parse/wraps.py``).

SYNTHETIC DATA: the references below were made up for these tests; the layouts are made
here with ``textwrap`` (a plain-text wrap) and by hand (a typeset column, whose lines
vary in characters).
"""

from __future__ import annotations

import itertools
import textwrap

from citetrack.parse import parse_text
from citetrack.parse.items import find_list
from citetrack.parse.wraps import join_wrapped, wrap_width, wraps

REFERENCES = [
    "Arden, T. R., & Bexley, M. (2018). Sleep and memory in invented teenagers: a study "
    "of made-up dormitories. Journal of Made-up Health, 62(5), 601–608. "
    "https://doi.org/10.5555/jmh.2018.601",
    "Corrin, O. (2015). The quiet invented classroom: teaching without a voice in "
    "imaginary schools (2nd ed.). Fictional Press.",
    "Dace, P., Ellery, S., & Fenwick, J. (2020). Tides of small imaginary islands and "
    "the boats that never sailed them. Invented Marine Review, 14(2), 33–59.",
    "Garrow, H. (2009). Counting sheep in made-up valleys. In L. Ingram (Ed.), "
    "Pastoral imaginings (pp. 112–140). Nowhere University Press.",
    "Hale, N., & Jarvis, Q. (2012). Why invented bridges fall: a review of forty "
    "imaginary collapses and what engineers never learned from them. Fictional "
    "Engineering, 9, 1–22.",
    "Kestrel, U. (2019). Lighthouses of the imagination. Made-up Books.",
    "Lorne, V., Marr, W., Nash, Y., & Orme, Z. (2021). Bees that do not exist: "
    "pollination in invented orchards under made-up weather. Journal of Fictional "
    "Ecology, 30(1), 5–18. https://doi.org/10.5555/jfe.2021.5",
    "Pryce, A. (2003). A grammar of an imaginary language, with notes on its invented "
    "dialects and the villages that spoke them. Nowhere University Press.",
]


def _items(text: str) -> list[str]:
    return [item.text for item in find_list(text).items]


def test_a_list_wrapped_without_indent_gives_one_item_per_reference() -> None:
    text = "\n".join(
        textwrap.fill(ref, 60, break_on_hyphens=False, break_long_words=False) for ref in REFERENCES
    )
    assert len(text.splitlines()) > 2 * len(REFERENCES)  # wrapped, most over 2-3 lines
    assert _items(text) == REFERENCES
    refs = parse_text(text, "text").references
    assert [r.fields.get("year") for r in refs] == [
        "2018", "2015", "2020", "2009", "2012", "2019", "2021", "2003",
    ]  # fmt: skip
    assert refs[0].fields["doi"] == "10.5555/jmh.2018.601"


def test_a_reference_whose_last_line_fills_the_column_still_ends_there() -> None:
    # "…Fictional Press." fills its line (the next word would not have fitted), so the
    # width says nothing; the next line starts "Dace, P., …" after a full stop: a new
    # reference.  A full line followed by one that does not start like a reference
    # ("imaginary schools (2nd ed.)…") goes on.
    lines = [
        "Corrin, O. (2015). The quiet invented classroom: teaching without",
        "a voice in imaginary schools (2nd ed.). Fictional Press, Nowhere.",
        "Dace, P., Ellery, S., & Fenwick, J. (2020). Tides of small islands",
        "and the boats that never sailed them. Invented Marine Review, 14(2),",
        "33–59.",
        "Garrow, H. (2009). Counting sheep in made-up valleys. In L. Ingram",
        "(Ed.), Pastoral imaginings (pp. 112–140). Nowhere University Press.",
        "Hale, N., & Jarvis, Q. (2012). Why invented bridges fall: a review of",
        "forty imaginary collapses. Fictional Engineering, 9, 1–22, and more.",
        "Kestrel, U. (2019). Lighthouses of the imagination. Made-up Books.",
    ]
    found = find_list("\n".join(lines))
    assert [item.line for item in found.items] == [1, 3, 6, 8, 10]
    column = wrap_width(lines)
    assert column is not None
    # The rule itself: a full line, then a line that starts like a reference after a
    # full stop → a new reference; the same line after a comma → the same reference.
    assert not wraps(lines[1], lines[2], column)
    assert wraps(lines[1].rstrip(".") + ",", lines[2], column)
    assert wraps(lines[0], lines[1], column)


def _typeset(text: str, ems: float) -> list[str]:
    """``text`` filled greedily into lines ``ems`` wide in a made-up sans-serif face (its
    own widths, not citetrack's estimate): capitals and "m", "w" wide, "i", "l", "t",
    punctuation and spaces narrow."""

    def width(line: str) -> float:
        return sum(
            0.8 if c in "mwMW" else 0.7 if c.isupper() else 0.28 if c in "ijlftr .,;:()" else 0.55
            for c in line
        )

    lines = [""]
    for word in text.split():
        candidate = f"{lines[-1]} {word}".strip()
        if lines[-1] and width(candidate) > ems:
            lines.append(word)
        else:
            lines[-1] = candidate
    return lines


def test_a_typeset_column_whose_lines_vary_in_characters() -> None:
    # A proportional font: a line of capitals and "m"s holds fewer characters than one
    # of "i"s and "l"s.
    shouting = [
        "MARSH, W., & NASH, Y. (2021). MEMORY OF IMAGINED MOUNTAINS AND WHAT WALKERS "
        "MADE OF THEM. Journal of Made-up Mountains, 12(3), 44–51.",
        "Lorne, V. (2017). A little illustrative list of little lilies in still fields, "
        "filled with lilting light. Fictional Botany, 3, 9–12.",
    ]
    refs = [*REFERENCES, *shouting]
    lines = [line for ref in refs for line in _typeset(ref, 30)]
    column = wrap_width(lines)
    assert column is not None and column.proportional
    inner = [len(a) for a, b in itertools.pairwise(lines) if b[:1].islower()]
    assert max(inner) - min(inner) >= 10  # the full lines differ by 10+ characters
    assert _items("\n".join(lines)) == refs


def test_short_references_one_per_line_of_even_length_are_not_joined() -> None:
    # Lines of nearly the same length look "full", but no line after a full one is a
    # wrapped line (a lower-case word, "pp. 3-9."): this is no wrapped list, and the
    # references that start without a name must not be joined to the one before.
    lines = [
        "Arden T, Bexley M. Sleep in invented teens. Fict Health. 2018;62:601-8.",
        "Invented Institute of Care. Walking after surgery. Springfield: IIC; 2011.",
        "Corrin O. The quiet invented classroom. Fict Educ J. 2015;3(2):40-49.",
        "World Fictional Organisation. Made-up report on imaginary water. 2019.",
        "Dace P, Ellery S. Tides of small imaginary islands. Inv Mar. 2020;14:33.",
        "Garrow H. Counting sheep in made-up valleys. Past Imag. 2009;2:112-40.",
        "Anonymous. A made-up handbook of invented remedies. Nowhere: NUP; 2001.",
        "Hale N, Jarvis Q. Why invented bridges fall. Fict Eng. 2012;9:1-22.",
    ]
    assert wrap_width(lines) is None
    assert [item.line for item in find_list("\n".join(lines)).items] == list(range(1, 9))


def test_a_hanging_indent_list_keeps_its_one_line_references_apart() -> None:
    # The indent marks the items: a one-line reference at the margin followed by another
    # is two references even when the first fills the line.
    lines = []
    for ref in REFERENCES:
        lines += textwrap.wrap(ref, 60, subsequent_indent="    ", break_on_hyphens=False)
    lines.insert(2, "Ashby, R. (2010). A made-up reference that fills its own line.")
    text = "\n".join(lines)
    assert wrap_width(lines) is None
    assert len(find_list(text).items) == len(REFERENCES) + 1


def test_a_list_of_identifiers_one_per_line_stays_a_list() -> None:
    lines = [f"https://doi.org/10.5555/invented.{2000 + n}.{100 + n}" for n in range(12)]
    assert wrap_width(lines) is None
    assert len(find_list("\n".join(lines)).items) == 12


def test_the_tail_of_a_reference_on_a_line_of_its_own_is_not_a_reference() -> None:
    # A typeset column leaves "1979." or "(Ed.)." alone on a line: no reference is that
    # short, so it ends the reference above even when that line did not look full.
    lines = [textwrap.fill(ref, 60, break_on_hyphens=False) for ref in REFERENCES[:4]]
    lines.insert(2, "Sorrel, E. (1979). An imaginary atlas of made-up coasts. Volume\none,\n1979.")
    text = "\n".join(lines)
    items = _items(text)
    assert len(items) == 5
    assert items[2].endswith("Volume one, 1979.")


def test_numbers_far_apart_in_a_wrapped_text_are_not_a_numbered_list() -> None:
    # A narrow column wrapped "… 1." onto "861 p." and, a page later, a line starting
    # "2." — two numbered lines a hundred lines apart are wrapped lines, not a list
    # that would make every other line a continuation of them.
    body = [textwrap.fill(ref, 44, break_on_hyphens=False) for ref in REFERENCES * 6]
    body.insert(3, "Ulvert, T. (1990). An invented encyclopaedia, volume\n1. 861 p.")
    body.insert(
        40, "Vance, S. (1994). Made-up numbers in imaginary ledgers, book\n2. Smith and Sons."
    )
    text = "\n".join(body)
    items = find_list(text).items
    assert len(items) == len(body)
    assert not any(item.marker == "number" for item in items)


def test_a_doi_or_url_cut_by_the_column_is_joined_whole() -> None:
    # A PDF's column cuts identifiers anywhere; joined with a blank, the DOI was read as
    # "10.5555/jmh" (another DOI: a false "not found", or a wrong record) and the URL
    # lost its end (a false "broken link").
    text = (
        "1. Arden T, Bexley M. Sleep in invented teens. J Made-up Health.\n"
        "   2018;62(5):601-8. doi:10.5555/jmh.\n"
        "   2018.601\n"
        "2. Corrin O. The quiet invented classroom. Fict Educ J. 2015;3(2):40-9.\n"
        "   https://doi.org/10.5555/\n"
        "   fej.2015.40\n"
        "3. Dace P. Tides of imaginary islands [Internet]. Nowhere: Made-up Press; 2020.\n"
        "   https://example.org/a/very/long/path/that/was/wra\n"
        "   pped/index.html\n"
    )
    refs = parse_text(text, "text").references
    assert refs[0].fields["doi"] == "10.5555/jmh.2018.601"
    assert refs[1].fields["doi"] == "10.5555/fej.2015.40"
    assert (
        refs[2].fields["url"] == "https://example.org/a/very/long/path/that/was/wrapped/index.html"
    )


def test_join_wrapped_keeps_a_blank_where_a_new_word_starts() -> None:
    assert join_wrapped("Available at https://example.org/", "Accessed 5 May 2020.") == (
        "Available at https://example.org/ Accessed 5 May 2020."
    )
    assert join_wrapped("https://example.org/report", "(2020).") == (
        "https://example.org/report (2020)."
    )
    assert join_wrapped("Retrieved from https://example.org/report", "2019 edition.") == (
        "Retrieved from https://example.org/report 2019 edition."
    )
    assert join_wrapped("The quiet invented class-", "room.") == "The quiet invented class-room."
    assert join_wrapped("Smith-", "Jones, K.") == "Smith-Jones, K."
    assert join_wrapped("pre-", "and post-operative care") == "pre- and post-operative care"
    assert join_wrapped("pages 12-", "19.") == "pages 12-19."


def test_a_page_number_copied_with_the_page_is_not_joined_to_a_reference() -> None:
    # A page's footer between two references of a PDF's copy: joined as a "tail", it
    # would have become part of the reference above without a word.
    lines = [textwrap.fill(ref, 60, break_on_hyphens=False) for ref in REFERENCES]
    lines.insert(3, "12")
    lines.insert(6, "Page 3 of 9")
    text = "\n".join(lines)
    found = find_list(text)
    assert REFERENCES[2] in [item.text for item in found.items]
    footers = [item.text for item in found.items if item.text in ("12", "Page 3 of 9")]
    assert footers == ["12", "Page 3 of 9"]  # items of their own: each gets its warning
    refs = parse_text(text, "text")
    assert all("Page 3" not in r.fields.get("title", "") for r in refs.references)


def test_wrapped_references_with_a_blank_line_after_each_are_read_by_paragraph() -> None:
    # The blank lines say where references end: a line inside a paragraph that starts
    # like a name ("Springer, New York" reads as "Family, Given") goes on.
    refs = [
        "Arden, T. R. (2018). Sleep and memory in invented teenagers, a study of made-up "
        "dormitories and their bells. Made-up Health Reports, 62, 601–608.",
        "Corrin, O. (2015). The quiet invented classroom: teaching without a voice in "
        "imaginary schools, with notes.",
        "Dace, P. (2020). Tides of small imaginary islands and the boats that never sailed them.",
    ]
    paragraphs = [textwrap.fill(ref, 60, break_on_hyphens=False) for ref in refs]
    paragraphs[1] = paragraphs[1].replace("with notes.", "with notes.\nSpringer, New York.")
    found = find_list("\n\n".join(paragraphs))
    assert len(found.items) == 3
    assert found.items[1].text.endswith("with notes. Springer, New York.")


def test_one_line_references_grouped_by_blank_lines_stay_apart() -> None:
    # Sections of whole references, one per line: no paragraph is a wrapped reference.
    groups = [
        "Arden T. Sleep in invented teens. Fict Health. 2018;62:601-8.\n"
        "Invented Institute of Care. Walking after surgery. Springfield: IIC; 2011.",
        "Corrin O. The quiet invented classroom. Fict Educ J. 2015;3(2):40-49.\n"
        "World Fictional Organisation. Made-up report on imaginary water. 2019.",
        "Dace P, Ellery S. Tides of small imaginary islands. Inv Mar. 2020;14:33.\n"
        "Anonymous. A made-up handbook of invented remedies. Nowhere: NUP; 2001.",
    ]
    found = find_list("\n\n".join(groups))
    assert len(found.items) == 6
