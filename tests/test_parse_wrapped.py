"""Reference lists whose items wrap over several lines (pasted from a PDF, a word processor
or a text dump) give one entry per reference, never one per line (issue 15).

SYNTHETIC DATA: the references below were made up for these tests.
"""

from __future__ import annotations

from citetrack.parse import parse_text
from citetrack.parse.items import find_list


def test_a_numbered_list_whose_years_are_on_the_wrapped_lines_is_a_list() -> None:
    # Only the second item has a year on its numbered line: the items' wrapped lines
    # decide too, or the list was not taken for one and every line became a warning.
    text = (
        "REFERENCES\n\n"
        "1. Quillan K, Marsh T, Bede A, et al. Early walking after an imaginary\n"
        "   operation on invented bones. Fict Surg Rev.\n"
        "   2021;4(2):e101-e109. doi:10.5555/fsr.2021.101\n"
        "2. Hollis R. Zinc and the imaginary skin. Fict Derm. 2015\n"
        "   Mar;12(3):44-51.\n"
        "3. Invented Institute of Care. Walking after surgery:\n"
        "   a made-up guideline. Springfield: IIC; 2011.\n"
    )
    found = find_list(text)
    assert [item.line for item in found.items] == [3, 6, 8]
    assert not found.skipped and not found.unread
    refs = parse_text(text, "text").references
    assert [r.fields.get("year") for r in refs] == ["2021", "2015", "2011"]
    assert refs[0].fields["title"] == (
        "Early walking after an imaginary operation on invented bones"
    )
    assert refs[0].fields["doi"] == "10.5555/fsr.2021.101"
    assert refs[1].fields["pages"] == "44--51"


def test_a_bare_list_with_a_hanging_indent_joins_the_indented_lines() -> None:
    text = (
        "Arden, T. R., & Bexley, M. (2018). Sleep and memory in invented\n"
        "    teenagers. Journal of Made-up Health, 62(5), 601–608.\n"
        "    https://doi.org/10.5555/jmh.2018.601\n"
        "Corrin, O. (2015). The quiet invented classroom (2nd ed.). Fictional Press.\n"
    )
    found = find_list(text)
    assert [item.line for item in found.items] == [1, 4]
    refs = parse_text(text, "text").references
    assert refs[0].fields["journal"] == "Journal of Made-up Health"
    assert refs[0].fields["doi"] == "10.5555/jmh.2018.601"


def test_a_bare_list_wrapped_without_indent_joins_lines_that_cannot_start_a_reference() -> None:
    text = (
        "Arden, T. R., & Bexley, M. (2018). Sleep and memory in invented\n"
        "teenagers. Journal of Made-up Health,\n"
        "62(5), 601–608.\n"
        "Corrin, O. (2015). The quiet invented classroom. Fictional Press\n"
        "van Dalen, L. (2020). Tides of small imaginary islands. Fictional Press\n"
        "de Souza, E. (2019). Invented harbours. Fictional Press.\n"
    )
    found = find_list(text)
    # A name particle after a line ending in a word starts a reference: not joined.
    assert [item.line for item in found.items] == [1, 4, 5, 6]
    assert found.items[0].text.endswith("Journal of Made-up Health, 62(5), 601–608.")


def test_lines_of_identifiers_or_bare_numbers_stay_separate_items() -> None:
    text = "doi:10.5555/abc\ndoi:10.5555/def\nhttps://example.org/a\n2 Arden T. A title.\n"
    found = find_list(text)
    assert [item.line for item in found.items] == [1, 2, 3, 4]


def test_a_heading_in_another_language_is_a_heading_not_a_reference() -> None:
    text = (
        "Ein Absatz ohne Zitat.\n\n"
        "Literaturverzeichnis\n\n"
        "Arden, T. (2015): Die erfundene Stadt. Berlin: Fiktiv Verlag.\n"
        "Bexley, K. (2009): Erfundene Netzwerke. In: Zeitschrift für Fiktion 38 (4), S. 301–320.\n"
    )
    found = find_list(text)
    assert [item.line for item in found.items] == [5, 6]
    assert found.unread == [1]
    for heading in ("Literatur", "Références", "Bibliografía", "Referências:", "REFERENCES"):
        assert (
            find_list(f"{heading}\nArden, T. (2015). A made-up title. Fictional Press.\n")[0][
                0
            ].line
            == 2
        )


def test_a_year_alone_on_a_wrapped_line_is_not_list_number_2019() -> None:
    text = (
        "[1] K. Arden and R. Bexley, “Invented receivers for made-up sensor\n"
        "    nodes,” Fict. J. Circuits, vol. 55, no. 2, pp. 312–325,\n"
        "    2020.\n"
        "[2] S. Corrin, Deep Invention. Springfield, USA: Fictional Press,\n"
        "    2019.\n"
    )
    found = find_list(text)
    assert [item.line for item in found.items] == [1, 4]
    refs = parse_text(text, "text").references
    assert [r.fields.get("year") for r in refs] == ["2020", "2019"]


def test_a_markdown_reference_list_bullets_headings_emphasis_and_links() -> None:
    # A README's or a documentation page's list: the bullet is no part of the first
    # author, "## References" is a heading, emphasis and link brackets are not text.
    text = (
        "Some prose about the project.\n\n"
        "## References\n\n"
        "- Arden, T. R., & Bexley, M. (2018). Sleep and memory in invented teenagers.\n"
        "  *Journal of Made-up Health*, 62(5), 601–608.\n"
        "* Corrin, O. (2015). *The quiet invented classroom*. Fictional Press.\n"
        "• Hollis R. Zinc and the made-up skin. Fict Derm. 2015;12(3):44-51.\n"
        "- Ito, H. (2016). [Salt roads of nowhere](https://example.org/salt_roads). "
        "Fict Hist, 3, 1-9.\n"
    )
    found = find_list(text)
    assert [item.line for item in found.items] == [5, 7, 8, 9]
    assert found.unread == [1] and not found.skipped
    assert found.items[1].text == (
        "Corrin, O. (2015). The quiet invented classroom. Fictional Press."
    )
    assert "https://example.org/salt_roads" in found.items[3].text
    assert "[" not in found.items[3].text and "*" not in found.items[0].text
    refs = parse_text(text, "text").references
    assert [r.fields.get("author", "").split(",")[0] for r in refs] == [
        "Arden",
        "Corrin",
        "Hollis",
        "Ito",
    ]
    assert refs[0].fields["journal"] == "Journal of Made-up Health"


def test_emphasis_marks_inside_words_and_urls_are_kept() -> None:
    text = "- Arden T. The snake_case_name of p*q. Fict J. 2001;1:1-2. https://x.org/a_b_\n"
    (item,) = find_list(text).items
    assert "snake_case_name of p*q" in item.text and "https://x.org/a_b_" in item.text


def test_a_list_numbered_with_tabs_is_a_numbered_list() -> None:
    # A word processor's or spreadsheet's copy: "1<tab>Author…"; the number is no text.
    text = (
        "References\n\n"
        "1\tArden T, Bexley M. Sleep and memory. Fict J Health. 2018;62(5):601-8.\n"
        "2\tCorrin O. Zinc and the made-up skin.\n"
        "\tFict Derm. 2015;12(3):44-51.\n"
    )
    found = find_list(text)
    assert [(item.line, item.marker) for item in found.items] == [(3, "number"), (4, "number")]
    assert (
        found.items[1].text == "Corrin O. Zinc and the made-up skin. Fict Derm. 2015;12(3):44-51."
    )


def test_numbered_references_run_together_on_one_line_are_one_entry_each() -> None:
    # A list copied from a web page that lost its line breaks: three references came
    # back as one entry (the others in its publisher field), without a word.
    text = (
        "References 1. Doe J, Roe R. A made-up study. J Made Up Res. 2001;4(2):10-19. "
        "2. Poe K. Another invented study. Fict Med. 2003;7:1-9. [3] Loe M. Third "
        "invented paper. Fict Surg. 2010;2(1):33-40.\n"
    )
    found = find_list(text)
    assert [(item.line, item.text[:8]) for item in found.items] == [
        (1, "Doe J, R"),
        (1, "Poe K. A"),
        (1, "Loe M. T"),
    ]
    refs = parse_text(text, "text").references
    assert [(r.fields["title"], r.fields["year"]) for r in refs] == [
        ("A made-up study", "2001"),
        ("Another invented study", "2003"),
        ("Third invented paper", "2010"),
    ]


def test_numbers_inside_one_reference_do_not_split_it() -> None:
    for text in (
        # a volume and part in the title: "2. Part" follows "Vol.", but "3. Tides" does
        # not follow the end of a sentence
        "Doe J. Collected invented works, Vol. 2. Part 3. Tides. Fictional Press; 2001.\n",
        # one number only: no chain
        "Doe J. A made-up study. Fict J. 2001;4:10-19. 2. Auflage. Fictional Press.\n",
        # a German date, and years after sentence ends (a string holding its own years)
        "Arden T: Erfundene Wege. Die Fiktion. In: Der Fiktivspiegel v. 1. 3. 1996, S. 20\n",
        "Arden T. 2004. Invented oxygen. Fict J 9: 490. Bexley K. 2006. Made-up cold.\n",
    ):
        assert len(find_list(text).items) == 1


def test_the_last_numbered_item_keeps_its_unindented_wrapped_lines() -> None:
    # A PDF's copy: no indent; the last item's wrapped lines were read as article text
    # after the list, and its year line as an entry of its own.
    text = (
        "References\n"
        "1. Doe J, Roe R. A made-up study of early\n"
        "walking. Fict J. 2001;4(2):10-19.\n"
        "2. Moe Q. A second invented paper about the\n"
        "skin. Fict Derm.\n"
        "2011;1:1-2.\n"
        "\n"
        "This closing sentence is article text.\n"
    )
    found = find_list(text)
    assert [item.line for item in found.items] == [2, 4]
    assert found.items[1].text.endswith("skin. Fict Derm. 2011;1:1-2.")
    assert found.unread == [8]


def test_one_line_that_starts_like_a_list_item_does_not_take_over_a_plain_list() -> None:
    # Found by bench/parse_layouts.py on real strings: one reference starting with
    # "12. " (its own old number) made a long list "numbered": the lines above it were
    # dropped as article text and those below joined into it; one starting with "- "
    # made it "bulleted", and every later line was joined into that one.
    plain = [f"Author{n} T. Invented work number {n}. Fictional Press." for n in range(10)]
    numbered = [*plain[:5], "12. Odd K. A made-up study. Fict J. 2001;1:1-2.", *plain[5:]]
    assert len(find_list("\n".join(numbered)).items) == 11
    bulleted = [*plain[:5], "- Odd K. A made-up study. Fict J. 2001;1:1-2.", *plain[5:]]
    assert len(find_list("\n".join(bulleted)).items) == 11


def test_wrapped_lines_that_start_with_a_year_or_hold_one_continue_the_item() -> None:
    text = (
        "1. Arden T, Bexley K. Sleep and memory in invented teenagers. New York: Fictional\n"
        "   2005. pp. 203-214.\n"
        "2. ARDEN, T., BEXLEY, K. and CORRIN, O.\n"
        "   (2011) Internal structure of invented permafrost. Fict Geo 3: 1-9.\n"
        "3. Dale P. A third invented paper. Journal of Made-up Psychology: General\n"
        "118.4 (1989): 374–386.\n"
    )
    found = find_list(text)
    assert [item.line for item in found.items] == [1, 3, 5]
    assert found.items[2].text.endswith("General 118.4 (1989): 374–386.")


def test_a_run_on_list_survives_references_that_start_with_numbers() -> None:
    # "2. 25.Perk J": a reference that kept its own old number is no split point (a date
    # "1. 3. 1996" looks the same), but the chain goes on past it.
    text = (
        "1. Arden T. Invented sleep. Fict J. 2001;1:1-2. 2. 25.Bexley K. Made-up zinc. "
        "Fict Derm. 2002;2:3-4. 3. Corrin O. The quiet invented classroom. Fict Ed. "
        "2003;3:5-6. 4. Dale P. Tides of imaginary islands. Fict Geo. 2004;4:7-8.\n"
    )
    found = find_list(text)
    assert [item.text[:5] for item in found.items] == ["Arden", "Corri", "Dale "]
    assert "2. 25.Bexley K. Made-up zinc." in found.items[0].text


def test_a_wrapped_line_that_starts_like_number_one_does_not_cut_the_list() -> None:
    # "   1. Aufl." on a wrapped line opened a new run at 1 and every later number of the
    # list was ignored (its items dropped as article text).
    text = (
        "1. Arden T. Invented sleep. Berlin: Fiktiv;\n"
        "   1. Aufl. 2001.\n"
        "2. Bexley K. Made-up zinc. Fict Derm. 2002;2:3-4.\n"
        "3. Corrin O. The quiet invented classroom. Fict Ed. 2003;3:5-6.\n"
    )
    found = find_list(text)
    assert [item.line for item in found.items] == [1, 3, 4]
    assert found.items[0].text.endswith("1. Aufl. 2001.")
