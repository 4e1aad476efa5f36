"""Rendered reference text: finding the items, and reading each citation style.

The citations here are written for the tests in the shapes Wikipedia's CS1/CS2
templates render (and a few free-text shapes found in real lists).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citetrack.model import Reference
from citetrack.parse import parse_text
from citetrack.parse.items import split_items


def _one(line: str) -> Reference:
    result = parse_text(line, "text")
    assert len(result.references) == 1, result.references
    return result.references[0]


def _messages(text: str) -> list[str]:
    return [p.message for p in parse_text(text, "text").problems]


# ------------------------------------------------------------------------- items


def test_caret_backlinks_are_stripped_and_prose_ignored() -> None:
    text = (
        "Some article prose (2003) mentioning a year.\n"
        "\n"
        "References\n"
        '^ a b c Doe J (2001). "First". J. 1: 2.\n'
        '^ Jump up to: a b Roe R (2002). "Second". J. 3: 4.\n'
        '^ a "Third". Site. Retrieved 5 May 2020.\n'
    )
    items = split_items(text)
    assert [(i.line, i.text[:8]) for i in items] == [
        (4, "Doe J (2"),
        (5, "Roe R (2"),
        (6, 'a "Third'),  # a lone "a" is not a back-link list (those start "a b")
    ]


def test_numbered_list_after_the_article() -> None:
    text = (
        "Title\n"
        "1. A numbered step in the article\n"
        "2. Another step\n"
        "See also\n"
        '  1. 1.0 1.1 Doe J (2001). "First". J. 1: 2.\n'
        '  2. Roe R (2002). "Second". J. 3: 4.\n'
        "External links\n"
        "  1. Not a reference (2004)\n"
    )
    items = split_items(text)
    assert [(i.line, i.text) for i in items] == [
        (5, 'Doe J (2001). "First". J. 1: 2.'),
        (6, 'Roe R (2002). "Second". J. 3: 4.'),
    ]


def test_wrapped_lines_and_a_sources_list_are_not_lost() -> None:
    text = (
        "^ Somerset, p. 116.\n"
        '^ Smith J (2001). "A title that was\n'
        '    wrapped". Journal of Stuff. 5 (2): 1–9.\n'
        "Sources\n"
        "Somerset, Anne (1991). Elizabeth the Queen. London: Weidenfeld. ISBN 978-0-7216-2921-6.\n"
        "Prose that is not a reference.\n"
        "External links\n"
        "Official site (2005)\n"
    )
    items = split_items(text)
    assert [i.line for i in items] == [1, 2, 5]
    assert items[1].text.endswith('wrapped". Journal of Stuff. 5 (2): 1–9.')


def test_plain_list_without_markers_skips_headings() -> None:
    items = split_items('References\n\n"A". B. 2001.\n\n"C". D. 2002.\n')
    assert [(i.line, i.text) for i in items] == [(3, '"A". B. 2001.'), (5, '"C". D. 2002.')]


# ------------------------------------------------------------------------- styles


def test_cs2_comma_separated() -> None:
    ref = _one(
        'Karen L. Wilson (2017), "Report of the Committee: 66. To conserve M. pumila", '
        "Taxon, 66 (3): 742–744, doi:10.12705/663.15"
    )
    assert ref.entry_type == "article"
    assert ref.fields["author"] == "Wilson, Karen L."
    assert ref.fields["title"] == "Report of the Committee: 66. To conserve M. pumila"
    assert (ref.fields["journal"], ref.fields["volume"], ref.fields["number"]) == (
        "Taxon",
        "66",
        "3",
    )
    assert ref.fields["pages"] == "742--744"


def test_nlm_vancouver_citation_style() -> None:
    ref = _one(
        "Thiers BH, Sahn RE, Callen JP. Cutaneous manifestations of internal malignancy. "
        "CA Cancer J Clin. 2009;59(2):73-98. doi:10.3322/caac.20005"
    )
    assert ref.entry_type == "article"
    assert ref.fields["journal"] == "CA Cancer J Clin"  # MEDLINE abbreviations keep no periods
    assert (ref.fields["year"], ref.fields["volume"], ref.fields["pages"]) == (
        "2009",
        "59",
        "73--98",
    )


@pytest.mark.parametrize(
    ("printed", "journal"),
    [
        ("Eur. J. Endocrinol.", "Eur. J. Endocrinol."),
        ("N. Engl. J. Med.", "N. Engl. J. Med."),
        ("N Engl J Med.", "N Engl J Med"),
        ("Acta Hort.", "Acta Hort."),
        ("Journal of Neurosurgery. Pediatrics.", "Journal of Neurosurgery. Pediatrics"),
        ("The Lancet. Neurology.", "The Lancet. Neurology"),
        ("Journal of Physics A.", "Journal of Physics A"),
        ("Operative Neurosurgery (Hagerstown, Md.).", "Operative Neurosurgery (Hagerstown, Md.)"),
        (
            "European Journal of Cancer Prevention (Review).",
            "European Journal of Cancer Prevention",
        ),
    ],
)
def test_journal_names(printed: str, journal: str) -> None:
    ref = _one(f'Doe J (2001). "T". {printed} 12 (3): 45–67.')
    assert ref.fields["journal"] == journal


def test_second_periodical_name_is_not_the_journal() -> None:
    ref = _one('Doe J (2016). "T". Horticulture Research. Nature Horticulture Research. 3: 16057.')
    assert ref.fields["journal"] == "Horticulture Research"
    assert ref.fields["publisher"] == "Nature Horticulture Research"


def test_book_with_edition_place_publisher_and_page() -> None:
    ref = _one(
        "Kumar V, Abbas AK, Aster JC (2014). Robbins Basic Pathology (9th ed.). "
        "Philadelphia: Elsevier Saunders. p. 1125. ISBN 978-0-7216-2921-6."
    )
    assert ref.entry_type == "book"
    assert dict(ref.fields) == {
        "author": "Kumar, V. and Abbas, A. K. and Aster, J. C.",
        "title": "Robbins Basic Pathology",
        "edition": "9th",
        "year": "2014",
        "pages": "1125",
        "publisher": "Elsevier Saunders",
        "address": "Philadelphia",
        "isbn": "978-0-7216-2921-6",
    }


def test_chapter_in_edited_book_with_series_volume() -> None:
    ref = _one(
        'Mancarella C, Delfini R (2019). "Chiari Malformations". In Smith J, Roe R (eds.). '
        "New Trends. Acta Neurochirurgica Supplement. Vol. 125. Cham: Springer. pp. 89–95. "
        "doi:10.1007/978-3-319-62515-7_13. ISBN 978-0-7216-2921-6."
    )
    assert ref.entry_type == "incollection"
    assert ref.fields["title"] == "Chiari Malformations"
    assert ref.fields["booktitle"] == "New Trends"
    assert ref.fields["editor"] == "Smith, J. and Roe, R."
    assert ref.fields["series"] == "Acta Neurochirurgica Supplement"
    assert (ref.fields["volume"], ref.fields["pages"]) == ("125", "89--95")
    assert (ref.fields["address"], ref.fields["publisher"]) == ("Cham", "Springer")


def test_web_page_without_author_dates_after_the_site() -> None:
    ref = _one(
        '"Hydrocephalus Fact Sheet" (PDF). NINDS. April 5, 2016. Archived from the original '
        "(PDF) on 27 July 2016. Retrieved 5 September 2016."
    )
    assert ref.entry_type == "online"
    assert dict(ref.fields) == {
        "title": "Hydrocephalus Fact Sheet",
        "organization": "NINDS",
        "year": "2016",
        "month": "4",
        "archivedate": "2016-07-27",
        "urldate": "2016-09-05",
    }


def test_url_archived_at_wayback_and_doi_url() -> None:
    ref = _one(
        "(2008). http://www.example.com/valves.html Archived 2010-03-24 at the Wayback "
        "Machine, Retrieved November 30, 2009"
    )
    assert (ref.entry_type, ref.fields["year"]) == ("online", "2008")
    assert ref.fields["url"] == "http://www.example.com/valves.html"
    assert (ref.fields["archivedate"], ref.fields["urldate"]) == ("2010-03-24", "2009-11-30")
    doi = _one('"T". J. https://doi.org/10.1000/ABC.1 5: 1.')
    assert doi.fields["doi"] == "10.1000/ABC.1"


def test_all_identifier_kinds() -> None:
    ref = _one(
        'Doe J (2020). "T". J. 1 (2): 3–4. doi:10.1000/xyz. PMC 2819963. PMID 20177559. '
        "ISSN 0022-3085. S2CID 24439157. OCLC 12345. arXiv:1901.00001 [cs.LG]. "
        "Bibcode:2019NatCo..10.1494Z."
    )
    assert ref.fields["doi"] == "10.1000/xyz"
    assert (ref.fields["pmcid"], ref.fields["pmid"]) == ("PMC2819963", "20177559")
    assert ref.fields["issn"] == "0022-3085"
    assert ref.fields["eprint"] == "1901.00001"
    assert ref.fields["note"] == "S2CID 24439157; OCLC 12345; Bibcode:2019NatCo..10.1494Z"


def test_inactive_doi_and_cs1_maintenance_message() -> None:
    text = (
        '^ Pople IK (2002). "T". J. 73 (suppl 1): i17–i22. doi:10.1136/jnnp.73.suppl_1.i17 '
        "(inactive 31 January 2024). PMID 12185257.{{cite journal}}:  CS1 maint: DOI "
        "inactive as of January 2024 (link)"
    )
    ref = _one(text)
    assert ref.fields["doi"] == "10.1136/jnnp.73.suppl_1.i17"
    assert ref.fields["pages"] == "i17--i22"
    assert ref.fields["note"] == "DOI inactive as of 31 January 2024"
    assert _messages(text) == []  # a maintenance category is not a problem of the citation


def test_cs1_error_message_is_reported() -> None:
    assert _messages('"T". Site. {{cite web}}: Check |url= value (help)') == [
        "sitet: the source shows a citation error: {{cite web}}: Check |url= value (help)"
    ]


def test_thesis_report_and_media() -> None:
    assert _one("Doe J (2001). Title (PhD thesis). University of X.").entry_type == "phdthesis"
    assert _one("Agency X (2010). Overview (Report). GPO.").entry_type == "techreport"
    assert _one("Lloyd J (2006). QI: The Series (DVD). 2 entertain.").entry_type == "misc"


def test_conference_paper() -> None:
    ref = _one('Sansavini S (1986). "Chilling". Symposium on Growth Regulators. p. 179.')
    assert ref.entry_type == "inproceedings"
    assert ref.fields["booktitle"] == "Symposium on Growth Regulators"


def test_translator_makes_a_book_chapter() -> None:
    ref = _one('Hyginus. "92". Fabulae. Theoi Project. Translated by Mary Grant.')
    assert (ref.entry_type, ref.fields["author"], ref.fields["booktitle"]) == (
        "incollection",
        "Hyginus",
        "Fabulae",
    )
    assert ref.fields["note"] == "Translated by Grant, Mary"


def test_mla_like_free_text() -> None:
    ref = _one(
        "Adamson, Nancy Lee. An Assessment of Bees Archived 20 November 2015 at the Wayback "
        "Machine. Diss. 2011. Web. 15 October 2015."
    )
    assert ref.entry_type == "phdthesis"
    assert ref.fields["title"] == "An Assessment of Bees"
    assert (ref.fields["year"], ref.fields["urldate"]) == ("2011", "2015-10-15")
    landau = _one(
        "Landau, Elizabeth, Oral allergy syndrome explained Archived 15 December 2011 at "
        "the Wayback Machine, 8 April 2009, CNN Health, accessed 17 October 2011"
    )
    assert (landau.fields["author"], landau.fields["title"]) == (
        "Landau, Elizabeth",
        "Oral allergy syndrome explained",
    )
    assert landau.fields["organization"] == "CNN Health"


def test_several_citations_in_one_item() -> None:
    result = parse_text(
        '^ "A". Fox News. 2007-07-25. Also see "B". New Scientist. 2007-07-20.; "C". '
        "ScienceDaily. 2007-07-24.",
        "text",
    )
    assert [r.fields["title"] for r in result.references] == ["A", "B", "C"]
    assert {r.line for r in result.references} == {1}
    assert "holds 3 citations" in result.problems[0].message


def test_text_dump_with_style_sheet_and_glued_backlink() -> None:
    text = (
        "***** References[edit] *****\n"
        "   1. ^ a b c dBernd Gärtner and Jiří Matoušek (2006). Understanding and\n"
        "      Using Linear Programming. Berlin: Springer. ISBN 978-0-7216-2921-6.\n"
        "   2. .mw-parser-output cite.citation{font-style:inherit}.mw-parser-output\n"
        '      .citation q{quotes:"\\""}.mw-parser-output .cs1-kern-right{padding-right:0.2em}\n'
        '   3. ^ Smith J (2001). "A study". Journal of Stuff. 5 (2): 1–9.\n'
    )
    refs = parse_text(text, "text").references
    assert [(r.line, r.key) for r in refs] == [
        (2, "gartner2006understanding"),
        (6, "smith2001study"),
    ]
    assert refs[0].fields["title"] == "Understanding and Using Linear Programming"
    assert (refs[0].fields["address"], refs[0].fields["publisher"]) == ("Berlin", "Springer")


def test_cs2_lowercase_notes_and_citeseerx() -> None:
    ref = _one(
        'Hellman, Martin E. (May 2002), "An overview of public key cryptography" (PDF), IEEE '
        "Communications Magazine, 40 (5): 42–49, CiteSeerX 10.1.1.127.2652, "
        "doi:10.1109/MCOM.2002.1006971, archived (PDF) from the original on 2016-04-02"
    )
    assert ref.fields["journal"] == "IEEE Communications Magazine"
    assert ref.fields["archivedate"] == "2016-04-02"
    assert ref.fields["note"] == "CiteSeerX 10.1.1.127.2652"
    cs2 = _one(
        'Buchanan, Bill, "Diffie–Hellman Example in ASP.NET", Bill\'s Security Tips, '
        "archived from the original on 2011-08-27, retrieved 2015-08-27"
    )
    assert (cs2.fields["organization"], cs2.fields["urldate"]) == (
        "Bill's Security Tips",
        "2015-08-27",
    )


def test_affiliation_before_the_date_and_a_doubtful_user_name() -> None:
    ref = _one(
        'C. Kaufman (Microsoft) (December 2005). "RFC 4306 Internet Key Exchange (IKEv2) '
        'Protocol". Internet Engineering Task Force (IETF). Archived from the original on '
        "2015-01-07."
    )
    assert (ref.fields["author"], ref.fields["year"]) == ("Kaufman, C.", "2005")
    text = 'vkimber (2020-09-28). "Google LLC v. Oracle America, Inc". LII. Retrieved 2021-03-06.'
    assert _one(text).fields["year"] == "2020"
    assert "doubtful author 'vkimber'" in _messages(text)[0]


def test_author_year_style_and_in_proceedings() -> None:
    ref = _one(
        'Brian Ellis, Jeffrey Stylos, and Brad Myers. 2007. "The Factory Pattern in API Design". '
        "In Proceedings of the 29th International Conference on Software Engineering. "
        "doi:10.1109/ICSE.2007.85."
    )
    assert ref.entry_type == "inproceedings"
    assert ref.fields["author"] == "Ellis, Brian and Stylos, Jeffrey and Myers, Brad"
    assert ref.fields["booktitle"] == (
        "Proceedings of the 29th International Conference on Software Engineering"
    )


def test_volume_and_pages_written_other_ways() -> None:
    ref = _one(
        'Benslimane D (2008). "Mashups". IEEE Internet Computing, vol. 12, no. 5. pp. 13–15.'
    )
    assert (ref.fields["journal"], ref.fields["volume"], ref.fields["number"]) == (
        "IEEE Internet Computing",
        "12",
        "5",
    )
    no_volume = _one('de Figueiredo LH (1994). "Design". TeCGraf: 273–284. S2CID 59833827.')
    assert (no_volume.fields["journal"], no_volume.fields["pages"]) == ("TeCGraf", "273--284")
    series = _one(
        'Cotton IW (1968). "Data structures". AFIPS Conference Proceedings. Vol. I. San Francisco, '
        "California: ACM. pp. 533–544."
    )
    assert (series.fields["volume"], series.fields["publisher"]) == ("I", "ACM")


def test_thesis_degree_mark_and_html_entities() -> None:
    ref = _one(
        "Fielding, Roy (2000). Architectural Styles (PhD). University of California, Irvine."
    )
    assert (ref.entry_type, ref.fields["type"], ref.fields["school"]) == (
        "phdthesis",
        "PhD",
        "University of California, Irvine",
    )
    book = _one(
        "Ray, Mohit K. (2007). The Companion. Atlantic. p.&#160;48. ISBN&#160;9788126908325."
    )
    assert (book.fields["pages"], book.fields["isbn"]) == ("48", "978-81-269-0832-5")


# ---------------------------------------------------------------- problems, fallbacks


def test_unrecognised_item_is_kept_as_misc_and_reported() -> None:
    text = "^ Anti-Siphon Device; Integra Neurosciences; Label 2002[full citation needed]"
    ref = _one(text)
    assert ref.entry_type == "misc"
    assert ref.fields == {"note": "Anti-Siphon Device; Integra Neurosciences; Label 2002"}
    messages = _messages(text)
    assert any("[full citation needed]" in m for m in messages)
    assert any("could not recognise the structure" in m for m in messages)


def test_unrecognised_item_keeps_an_unambiguous_date() -> None:
    ref = _one("^ Interview with Dr. Gary R. Gropper; Piedmont Neurosurgery; October 15, 2009")
    assert (ref.fields["year"], ref.fields["month"]) == ("2009", "10")
    assert "title" not in ref.fields


def test_short_citation() -> None:
    text = "^ Somerset, p. 116[full citation needed]"
    ref = _one(text)
    assert dict(ref.fields) == {"author": "Somerset", "pages": "116"}
    assert any("short citation" in m for m in _messages(text))


def test_bare_url_with_dead_link_tag() -> None:
    text = "^ http://www.uh.edu/engines/epi2582.htm[full citation needed][permanent dead link]"
    ref = _one(text)
    assert (ref.entry_type, ref.fields["url"], ref.key) == (
        "online",
        "http://www.uh.edu/engines/epi2582.htm",
        "uh",
    )
    assert _messages(text)[:2] == [
        "uh: marked [full citation needed] in the source",
        "uh: marked [permanent dead link] in the source",
    ]


def test_known_medical_template_renderings() -> None:
    ref = _one("^ Imaging in Dandy-Walker Malformation at eMedicine")
    assert (ref.entry_type, ref.fields["title"], ref.fields["organization"]) == (
        "online",
        "Imaging in Dandy-Walker Malformation",
        "eMedicine",
    )


def test_empty_caret_item_is_reported() -> None:
    result = parse_text("^\n^ Doe J (2001). Book. Publisher.", "text")
    assert len(result.references) == 2
    assert result.problems[0].line == 1
    assert "empty reference item" in result.problems[0].message


def test_key_clashes_get_letters() -> None:
    line = '^ Doe J (2001). "Apple study". J. 1: 2.'
    keys = [r.key for r in parse_text("\n".join([line] * 4), "text").references]
    assert keys == ["doe2001apple", "doe2001applea", "doe2001appleb", "doe2001applec"]


# ------------------------------------------------------------------------- robustness


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=120), min_size=1, max_size=6))
def test_any_text_gives_references_with_lines_and_never_raises(lines: list[str]) -> None:
    text = "\n".join("^ " + line.replace("\n", " ") for line in lines)
    result = parse_text(text, "text")
    assert result == parse_text(text, "text")  # deterministic
    assert len(result.references) >= len([line for line in lines if line.strip()]) or any(
        p.message.endswith("empty reference item") for p in result.problems
    )
    assert all(r.line is not None and 1 <= r.line <= len(lines) for r in result.references)
    assert len({r.key for r in result.references}) == len(result.references)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_wikitext_never_raises(text: str) -> None:
    result = parse_text("<ref>" + text + "</ref>", "wikitext")
    assert all(r.line is not None for r in result.references)
