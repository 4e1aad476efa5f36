"""Wikitext: ``<ref>`` blocks and ``{{cite …}}`` templates read with mwparserfromhell.

The first half pins references of the Wernicke–Korsakoff syndrome refs (mdwiki.org,
CC BY-SA; tests/data/parse/devset/wikitext), the second tests template handling on small
hand-written snippets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from citetrack.inputs.article import read_article
from citetrack.inputs.bib import format_entries
from citetrack.model import ArticleInfo, Reference
from citetrack.parse import detect_format, parse_text

WK = (
    Path(__file__).parent
    / "data"
    / "parse"
    / "devset"
    / "wikitext"
    / "wernicke_korsakoff_syndrome.mdwiki.refs.txt"
).read_text(encoding="utf-8")
WK_RESULT = parse_text(WK)


def _at(line: int, index: int = 0) -> Reference:
    refs = [r for r in WK_RESULT.references if r.line == line]
    return refs[index]


def _one(text: str) -> Reference:
    result = parse_text(text, "wikitext")
    assert len(result.references) == 1, result.references
    return result.references[0]


# ------------------------------------------------------------------ Wernicke–Korsakoff


def test_every_ref_block_becomes_a_reference() -> None:
    assert WK_RESULT.detected_format == "wikitext"
    blocks = WK.count("\n<ref")  # the header line mentions "<ref>" too
    assert blocks == 41
    # One block holds two templates ("{{cite news …}} in {{cite journal …}}").
    assert len(WK_RESULT.references) == 42
    assert len({r.key for r in WK_RESULT.references}) == 42


def test_journal_with_numbered_authors() -> None:
    ref = _at(10)
    assert ref.entry_type == "article"
    assert dict(ref.fields) == {
        "author": "Thomson, Allan D. and Marshall, E. Jane",
        "title": "The natural history and pathophysiology of Wernicke's Encephalopathy "
        "and Korsakoff's Psychosis",
        "journal": "Alcohol and Alcoholism",
        "volume": "41",
        "number": "2",
        "pages": "151--158",
        "year": "2006",
        "pmid": "16384871",
        "doi": "10.1093/alcalc/agh249",
    }
    assert ref.key == "thomson2006natural"


def test_cite_web_with_archive_and_nested_pipe_template() -> None:
    ref = _at(8)
    assert ref.entry_type == "online"
    assert ref.fields["title"] == (
        "Wernicke-Korsakoff Syndrome Information Page | National Institute of Neurological "
        "Disorders and Stroke"
    )
    assert ref.fields["organization"] == "www.ninds.nih.gov"
    assert ref.fields["urldate"] == "2022-02-18"
    assert ref.fields["archivedate"] == "2022-01-14"
    assert ref.fields["archiveurl"].startswith("https://web.archive.org/web/20220114204455/")
    assert ref.identifiers.archive_url == ref.fields["archiveurl"]


def test_cite_book_with_edition_location_and_others() -> None:
    ref = _at(16)
    assert ref.entry_type == "book"
    assert ref.fields["title"] == "Diagnostic and statistical manual of mental disorders : DSM-5"
    assert ref.fields["publisher"] == "American Psychiatric Association"
    assert ref.fields["address"] == "Arlington, VA"
    assert ref.fields["edition"] == "5th"
    assert ref.fields["year"] == "2013"
    assert ref.fields["isbn"] == "978-0-89042-554-1"
    assert "OCLC 830807378" in ref.fields["note"]
    assert "Others: American Psychiatric Association." in ref.fields["note"]


def test_two_templates_in_one_ref_are_two_entries_and_reported() -> None:
    first, second = _at(18, 0), _at(18, 1)
    assert first.fields["author"] == "Ingram, V. and Kelly, M. and Grammer, G."
    assert second.fields["journal"] == "Journal of the International Neuropsychological Society"
    assert second.fields["doi"] == "10.1017/S1355617703920017"
    messages = [p.message for p in WK_RESULT.problems if p.line == 18]
    assert any("holds 2 citations" in m for m in messages)


def test_maintenance_template_after_the_cite_is_reported() -> None:
    ref = _at(24)
    assert ref.fields["isbn"] == "978-1-124-75696-7"
    assert any(p.line == 24 and "{{page needed}}" in p.message for p in WK_RESULT.problems)


def test_id_with_inner_template_and_volume_supplement() -> None:
    ref = _at(40)
    assert ref.fields["volume"] == "20 Suppl 3"
    assert ref.fields["pages"] == "S123--S126"
    assert ref.fields["author"] == "Butterworth, R. F."
    assert "INIST" not in format_entries([ref])


def test_wikilinked_journal_and_day_date() -> None:
    ref = _at(60)
    assert ref.fields["journal"] == "The Medical Journal of Australia"
    assert (ref.fields["year"], ref.fields["month"]) == ("2006", "6")
    assert ref.fields["author"] == "Kamien, Max"
    assert ref.fields["urldate"] == "2018-12-30"


def test_cite_news_is_an_online_entry_with_its_newspaper() -> None:
    ref = _at(62)
    assert ref.entry_type == "online"
    assert ref.fields["organization"] == "The New York Times"
    assert ref.fields["author"] == "Centerwall, Brandon"


def test_roman_volume_and_number_alias() -> None:
    ref = _at(64)
    assert ref.fields["volume"] == "XIII"
    assert ref.fields["number"] == "3"
    assert ref.fields["author"] == "Binns, Colin W. and Carruthers, Susan J. and Howat, Peter A."


def test_chapter_with_editors_and_full_name_authors() -> None:
    ref = _at(76)
    assert ref.entry_type == "incollection"
    assert ref.fields["title"] == "Acute and Chronic Alcohol Intoxication"
    assert ref.fields["booktitle"] == "Introduction to Emergency Medicine"
    assert ref.fields["author"] == "Carter, Merle A. and Bernstein, Edward"
    assert ref.fields["editor"] == "Mitchell, Elizabeth and Medzon, Ron"
    assert ref.fields["pages"] == "272"
    assert ref.fields["isbn"] == "978-0-7817-3200-0"
    assert _at(74).fields["author"] == (
        "Kelsey, Jeffrey E. and Newport, D. Jeffrey and Nemeroff, Charles B."
    )


def test_medical_shortcut_templates_link_to_their_page() -> None:
    assert _at(58).fields["url"] == "https://medlineplus.gov/ency/article/000771.htm"
    assert _at(58).fields["title"] == "Wernicke-Korsakoff syndrome"
    assert _at(80).fields["url"] == "https://emedicine.medscape.com/article/288379-overview"


def test_bare_link_ref_with_webarchive_and_date() -> None:
    ref = _at(4)
    assert ref.entry_type == "online"
    assert dict(ref.fields) == {
        "title": "Wet Brain from Alcohol: Signs, Symptoms, and Recovery",
        "url": "https://americanaddictioncenters.org/alcoholism-treatment/wet-brain",
        "archiveurl": "https://web.archive.org/web/20210701215829/"
        "https://americanaddictioncenters.org/alcoholism-treatment/wet-brain",
        "archivedate": "2021-07-01",
        "year": "2020",
        "month": "11",
    }


def test_plain_text_ref_is_read_like_rendered_text() -> None:
    ref = _at(84)
    assert ref.fields["author"] == "Konishi, Kyoko"
    assert ref.fields["year"] == "2009"
    assert ref.fields["title"] == "The Cognitive Profile of Elderly Korsakoff's Syndrome Patients"


def test_wikitext_output_is_deterministic() -> None:
    assert format_entries(parse_text(WK).references) == format_entries(WK_RESULT.references)


# ------------------------------------------------------------------ template handling


def test_odd_spacing_order_and_case() -> None:
    ref = _one(
        "<ref>{{ Cite  Journal\n | title = Spaced   out |last2=Roe| first2 = Richard\n"
        "|journal= J. Odd |  last1 = Doe |first1=Jane| year=2001 | volume = 3 |issue=2|"
        "pages=10-9 }}</ref>"
    )
    assert ref.entry_type == "article"
    assert ref.fields["author"] == "Doe, Jane and Roe, Richard"
    assert ref.fields["title"] == "Spaced out"
    assert ref.fields["pages"] == "10--19"


def test_comments_inside_values_and_between_parameters() -> None:
    ref = _one(
        "<ref>{{cite journal |last=Doe<!-- checked --> |first=J. <!-- |last2=Ghost -->"
        "|title=Real <!-- not this --> title |journal=J |year=2002}}</ref>"
    )
    assert ref.fields["author"] == "Doe, J."
    assert ref.fields["title"] == "Real title"


def test_nested_templates_in_values() -> None:
    ref = _one(
        "<ref>{{cite web |title=A {{!}} B {{snd}} C |website=''Site'' |url=https://x.org/a"
        " |date=5 May 2020 |access-date=6 May 2020}} {{Webarchive|url=https://web.archive.org/"
        "web/2020/https://x.org/a |date=2020-05-07}}</ref>"
    )
    assert ref.fields["title"] == "A | B – C"
    assert ref.fields["organization"] == "Site"
    assert ref.fields["urldate"] == "2020-05-06"


def test_vauthors_and_display_authors() -> None:
    ref = _one(
        "<ref>{{cite journal |vauthors=Thiers BH, Sahn RE, Callen JP |display-authors=etal "
        "|title=T |journal=CA |date=March 2009 |doi=10.3322/caac.20005}}</ref>"
    )
    assert ref.fields["author"] == "Thiers, B. H. and Sahn, R. E. and Callen, J. P. and others"
    assert ref.fields["month"] == "3"


def test_many_numbered_authors_keep_their_order() -> None:
    params = "".join(f"|last{n}=Name{chr(64 + n)} |first{n}=G. " for n in (10, 2, 1, 11, 3))
    ref = _one(f"<ref>{{{{cite journal {params}|title=T |journal=J}}}}</ref>")
    families = [name.split(",")[0] for name in ref.fields["author"].split(" and ")]
    assert families == ["NameA", "NameB", "NameC", "NameJ", "NameK"]


def test_author_aliases_and_corporate_author() -> None:
    ref = _one(
        "<ref>{{cite report |author=World Health Organization |title=Global report "
        "|publisher=WHO |year=2016}}</ref>"
    )
    assert ref.entry_type == "techreport"
    assert ref.fields["author"] == "{World Health Organization}"
    assert ref.fields["institution"] == "WHO"
    ref = _one("<ref>{{cite book |surname1=Smith |given1=Ann |author2=Bob Jones |title=B}}</ref>")
    assert ref.fields["author"] == "Smith, Ann and Jones, Bob"


def test_editor_parameters() -> None:
    ref = _one(
        "<ref>{{cite book |last=A |first=B |chapter=Ch |title=Book |editor-last=Ed "
        "|editor-first=Itor |editor2=Second Editor |publisher=P |year=2000 |pages=5–7}}</ref>"
    )
    assert ref.entry_type == "incollection"
    assert ref.fields["editor"] == "Ed, Itor and Editor, Second"
    assert (ref.fields["title"], ref.fields["booktitle"]) == ("Ch", "Book")


def test_citation_template_chooses_its_type_from_parameters() -> None:
    assert _one("<ref>{{citation |title=T |journal=J |year=1999}}</ref>").entry_type == "article"
    assert _one("<ref>{{Citation |title=B |isbn=978-0-7216-2921-6}}</ref>").entry_type == "book"
    assert _one("<ref>{{citation |title=W |url=https://x.org}}</ref>").entry_type == "online"
    vcite = _one("<ref>{{vcite journal |author=Doe J, Roe R |title=T |journal=J}}</ref>")
    assert vcite.fields["author"] == "Doe, J. and Roe, R."


def test_identifiers_are_validated() -> None:
    result = parse_text(
        "<ref>{{cite book |title=B |isbn=978-0-7216-2921-7 |issn=1590-8578 |pmc=PMC123 "
        "|arxiv=1901.00001}}</ref>"
    )
    ref = result.references[0]
    assert ref.fields["isbn"] == "978-0-7216-2921-7"  # kept as printed
    assert ref.fields["pmcid"] == "PMC123"
    assert (ref.fields["eprint"], ref.fields["archiveprefix"]) == ("1901.00001", "arXiv")
    messages = " | ".join(p.message for p in result.problems)
    assert "ISBN '978-0-7216-2921-7' fails its checksum" in messages
    assert "ISSN '1590-8578' fails its checksum" in messages


def test_doubtful_name_in_a_template_is_reported() -> None:
    result = parse_text(
        "<ref>{{cite book |last1=Odom |first1=R. |last2=Clinical diagnosis by laboratory "
        "methods |title=B}}</ref>"
    )
    assert result.references[0].fields["author"] == "Odom, R."
    assert "Clinical diagnosis by laboratory methods" in result.problems[0].message


def test_unreadable_date_keeps_the_year_and_is_reported() -> None:
    result = parse_text("<ref>{{cite web |title=T |url=https://x.org |date=around 2011?}}</ref>")
    assert result.references[0].fields["year"] == "2011"
    assert "not understood as a date" in result.problems[0].message


def test_a_year_unlike_the_dates_is_reported_not_dropped() -> None:
    """``|date=March 2009 |year=2011``: which is right cannot be told (CS1 flags the
    mismatch); the date's year is read and the other is said, never silently dropped."""
    result = parse_text(
        "<ref>{{cite web |title=T |url=https://x.org |date=March 2009 |year=2011}}</ref>"
    )
    assert result.references[0].fields["year"] == "2009"
    assert "two different years" in result.problems[0].message
    assert "'2011'" in result.problems[0].message
    quiet = (
        "<ref>{{cite web |title=T |url=https://x.org |date=March 2009 |year=2009a}}</ref>",
        "<ref>{{cite web |title=T |url=https://x.org |date=2009 |year=2009}}</ref>",
        "<ref>{{cite book |title=T |date=1850 |publication-date=2001}}</ref>",
    )
    for text in quiet:
        assert not parse_text(text).problems, text


def test_line_numbers_reuse_and_templates_outside_refs() -> None:
    text = (
        "Intro text.<ref name=a>{{cite journal |title=First |journal=J}}</ref>\n"
        "More text.<ref name=a />\n"
        "\n"
        "Again<ref>{{cite web |title=Second |url=https://x.org}}</ref> and "
        "<ref>{{cite web |title=Third |url=https://y.org}}</ref>\n"
        "== Further reading ==\n"
        "* {{cite book |title=Fourth |publisher=P}}\n"
    )
    refs = parse_text(text).references
    assert [(r.fields["title"], r.line) for r in refs] == [
        ("First", 1),
        ("Second", 4),
        ("Third", 4),
        ("Fourth", 6),
    ]


def test_ref_without_template_or_link_that_cannot_be_read() -> None:
    result = parse_text("<ref>See the discussion above</ref>")
    assert result.references[0].entry_type == "misc"
    assert result.references[0].fields["note"] == "See the discussion above"
    assert "could not recognise" in result.problems[0].message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<ref>x</ref>", "wikitext"),
        ("{{cite journal |title=x}}", "wikitext"),
        ("{{ Vcite book|title=x}}", "wikitext"),
        ('^ "T". J. 5: 1.{{cite journal}}: CS1 maint: DOI inactive (link)', "text"),
        ('Foss, M. (2021). "T". StatPearls.', "text"),
    ],
)
def test_detect_format(text: str, expected: str) -> None:
    assert detect_format(text) == expected


def test_short_citation_templates_are_kept_once_and_reported() -> None:
    result = parse_text(
        "Text.{{sfn|Smith|Jones|2001|p=5}} More.{{sfn|Smith|Jones|2001|p=5}}\n"
        "Again.<ref>{{harvnb|Lee|1999|pp=3–4}}</ref>",
        "wikitext",
    )
    assert [(r.line, r.fields.get("author"), r.fields.get("pages")) for r in result.references] == [
        (1, "Smith and Jones", "5"),
        (2, "Lee", "3--4"),
    ]
    assert all("short citation" in p.message for p in result.problems)


SOURCES = (
    "\n==Sources==\n"
    "* {{cite book |last1=Smith |first1=J |last2=Jones |first2=K |title=A History of Glucagon "
    "|publisher=Springer |year=2001}}\n"
    "* {{cite book |editor-last=Müller |editor-first=A |title=Skin Signs |date=1999}}\n"
    "* {{cite web |author=World Health Organization |title=Fact sheet |url=https://who.int/x}}\n"
)


def test_short_citations_of_full_citations_in_the_article_are_not_warnings() -> None:
    """An {{sfn}}-styled article (SYNTHETIC): every footnote pointed at a full citation in
    its Sources list, and each gave a warning; the full citations are what is checked."""
    result = parse_text(
        "A.{{sfn|Smith|Jones|2001|p=5}} B.{{sfnp|smith|JONES|2001|p=7}} C.{{sfn|Smith|2001}}"
        " D.<ref>{{harvnb|Muller|1999|pp=3–4}}</ref> E.{{sfn|World Health Organization|n.d.}}"
        + SOURCES,
        "wikitext",
    )
    assert len(result.references) == 8  # the five pointers are still the page's footnotes
    assert [p.message for p in result.problems] == []
    assert len(result.pointers) == 5  # which a .bib written from it leaves out
    works = [r for r in result.references if r.key not in result.pointers]
    assert [r.fields.get("title") for r in works] == [
        "A History of Glucagon",
        "Skin Signs",
        "Fact sheet",
    ]


def test_a_short_citation_pointing_at_nothing_is_said_as_cs1_says_it() -> None:
    result = parse_text(
        "A.{{sfn|Smith|Jones|2002|p=5}} B.{{harvnb|Lee|1999}}" + SOURCES, "wikitext"
    )
    messages = [p.message for p in result.problems]
    assert len(messages) == 2, messages
    assert all("points to no full citation" in m for m in messages)
    assert not result.pointers  # each stays an entry, with its warning
    assert "(Smith, Jones, 2002)" in messages[0] and "(Lee, 1999)" in messages[1]


def test_an_sfnm_points_at_each_of_its_full_citations() -> None:
    """{{sfnm}} (several short citations in one footnote, numbered parameters) was read
    as one citation of no author and no year: a warning that it points nowhere."""
    result = parse_text(
        "A.{{sfnm|1a1=Smith|1a2=Jones|1y=2001|1p=5|2a1=Müller|2y=1999|2p=3}}"
        " B.{{sfnm|1a1=Smith|1y=2001|2a1=Lee|2y=1998|3a1=World Health Organization|3y=n.d.}}"
        + SOURCES,
        "wikitext",
    )
    first, second = result.references[:2]
    assert first.key in result.pointers and first.fields.get("pages") == "5"
    assert second.key not in result.pointers  # its second part points at nothing
    messages = [p.message for p in result.problems]
    assert len(messages) == 1 and "(Lee, 1998) points to no full citation" in messages[0]


def test_a_short_citation_points_at_the_anchor_a_full_citations_ref_names() -> None:
    """An author-less work is cited by the anchor its |ref= names (Template:Sfnref): the
    footnotes pointing at it were each a warning that they point nowhere."""
    result = parse_text(
        "A.{{sfn|WHO|2020|p=3}} B.{{sfn|CDC|2019}} C.{{harvnb|Foo Report|2018}}"
        " D.{{sfn|WHO|n.d.}} E.{{sfn|NIH|2017}}\n==Sources==\n"
        "* {{cite web |title=Fact sheet |publisher=WHO |date=2020 |url=https://who.int/x"
        " |ref={{sfnref|WHO|2020}}}}\n"
        "* {{cite web |title=Page |publisher=CDC |date=2019 |url=https://cdc.gov/x"
        " |ref={{harvid|CDC|2019}}}}\n"
        "* {{cite report |title=Foo |date=2018 |ref=CITEREFFoo_Report2018}}\n"
        "* {{cite web |title=Undated |url=https://who.int/y |ref={{sfnref|WHO|n.d.}}}}\n"
        "* {{cite web |title=Other |date=2017 |url=https://nih.gov/z |ref=none}}\n",
        "wikitext",
    )
    messages = [p.message for p in result.problems]
    assert len(result.pointers) == 4
    assert len(messages) == 1 and "(NIH, 2017) points to no full citation" in messages[0]


def test_identifier_only_templates() -> None:
    result = parse_text(
        "<ref>{{cite pmid|19258446}}</ref><ref>{{cite doi|10.3322/caac.20005}}</ref>"
    )
    first, second = result.references
    assert (first.key, first.fields["pmid"]) == ("pmid19258446", "19258446")
    assert second.fields["doi"] == "10.3322/caac.20005"
    assert "gives only an identifier" in result.problems[0].message


def test_a_collaboration_is_credited_and_via_is_kept() -> None:
    """Made-up: |collaboration= and |via= were dropped without a word."""
    ref = _one(
        "<ref>{{cite journal |vauthors=Ravel Q, Oduya T |collaboration=Invented Study Group "
        "|title=Quartz fever |journal=J Invented Res |year=2011 |via=Invented Database}}</ref>"
    )
    assert ref.fields["author"] == "Ravel, Q. and Oduya, T. and {Invented Study Group}"
    assert ref.fields["note"] == "Via Invented Database"


def test_refs_in_an_image_caption_and_a_heading_are_read_in_page_order() -> None:
    """SYNTHETIC page.  The parser skipped link texts and headings, where the article's
    locator looks: ``citetrack parse`` dropped a caption's reference without a word, and
    a check placed every later finding of the line at its neighbour's ``<ref>``."""
    page = (
        "A.<ref>{{cite journal |last=Alpha |title=First work |journal=J |year=2001}}</ref>"
        " [[File:Rash.jpg|thumb|A rash.<ref>{{cite journal |last=Beta |title=Caption work"
        " |journal=J |year=2002}}</ref>]] B.<ref>{{cite journal |last=Gamma |title=After"
        " the caption |journal=J |year=2003}}</ref>\n"
        "==Course<ref>{{cite web |title=Heading work |url=https://example.org/h}}</ref>==\n"
        "{{reflist}}\n"
    )
    result = parse_text(page, "wikitext")
    titles = [r.get("title") for r in result.references]
    assert titles == ["First work", "Caption work", "After the caption", "Heading work"]
    assert [r.line for r in result.references] == [1, 1, 1, 2]


# SYNTHETIC: {{Cite Q}} takes the whole citation from a Wikidata item; the wikitext holds
# only the item's id (and perhaps a page or an access date).
@pytest.mark.parametrize(
    "template", ["{{Cite Q|Q56435123}}", "{{cite Q | Q56435123 | pages = 12–14 }}"]
)
def test_cite_q_is_a_wikidata_citation_not_a_template_without_a_title(template: str) -> None:
    result = parse_text(f"A.<ref>{template}</ref>\n", "wikitext")
    (ref,) = result.references
    assert "Wikidata Q56435123" in (ref.get("note") or "")
    assert [p.message for p in result.problems] == []
    # ... while a cite template without a title is still doubted (the control).
    doubted = parse_text("A.<ref>{{cite journal |journal=J |year=2001}}</ref>\n", "wikitext")
    assert [p.message.split(": ", 1)[1] for p in doubted.problems] == ["no title in the template"]


def test_two_identical_cite_templates_in_one_ref_are_two_citations() -> None:
    # SYNTHETIC: the same {{cite web}} pasted twice in one ref. Neither is nested in the
    # other; both were taken for nested ones and the ref was read as the text "and".
    cite = "{{cite web |url=http://e.org/p |title=Page}}"
    result = parse_text(f"A.<ref name=t>{cite} and {cite}</ref>\n", "wikitext")
    assert [r.get("title") for r in result.references] == ["Page", "Page"]
    # A cite template inside another one's parameter is still part of it (the control).
    nested = "{{cite journal |title=T |journal=J |year=2001 |id={{cite web |title=Inner}}}}"
    assert [r.get("title") for r in parse_text(f"A.<ref>{nested}</ref>\n").references] == ["T"]


def test_a_script_title_is_read_without_its_language_prefix() -> None:
    # SYNTHETIC: CS1 writes |script-title=ja:… (an ISO 639 code, a colon, the title).
    ref = _one(
        "A.<ref>{{cite journal |script-title=ja:壊死性遊走性紅斑 |trans-title=Necrolytic "
        "migratory erythema |journal=Hifuka |year=2012}}</ref>\n"
    )
    assert ref.get("title") == "壊死性遊走性紅斑"


def test_two_vancouver_citations_written_in_one_ref_are_two_references() -> None:
    # SYNTHETIC: an old hand-written ref citing two papers, Vancouver style, joined by
    # "; ". Read as one, its DOI (the first paper's) and PMID (the second's) made a
    # false "pmid-doi-conflict".
    text = (
        "A.<ref>Thiers BH, Sahn RE, Callen JP. Cutaneous manifestations of internal "
        "malignancy. CA Cancer J Clin. 2009;59(2):73-98. doi:10.3322/caac.20005; Pujol RM, "
        "Wang CY. Necrolytic migratory erythema: clinicopathologic study of 13 cases. Int J "
        "Dermatol. 2004;43(1):12-8. PMID 14693015.</ref>\n"
    )
    first, second = parse_text(text, "wikitext").references
    assert (first.identifiers.doi, first.identifiers.pmid) == ("10.3322/caac.20005", None)
    assert (second.identifiers.doi, second.identifiers.pmid) == (None, "14693015")
    assert (second.get("author") or "").startswith("Pujol")
    # ... and the article's locator gives each its own place: the ref after it keeps its
    # key and line (the second citation took the next ref's place, and so on down).
    after = "B.<ref name=next>{{cite journal |title=Next one |journal=J |year=2001}}</ref>\n"
    located = read_article(text + after, ArticleInfo(source="a", format=""), display="a")
    assert [
        (r.key.split("-")[0], r.location.line if r.location else None) for r in located.references
    ] == [("thiers", 1), ("pujol", 1), ("next", 2)]
    # One citation whose volume follows a semicolon stays one (the control).
    one = "A.<ref>Thiers BH. Cutaneous signs. CA Cancer J Clin. 2009;59(2):73-98.</ref>\n"
    assert len(parse_text(one, "wikitext").references) == 1


def test_identifier_templates_in_a_hand_written_ref_give_its_identifiers() -> None:
    # SYNTHETIC: an old hand-written ref with {{doi}}, {{PMID}}, {{PMC}} and {{ISBN}}
    # templates (they show "doi:…", "PMID …"): they were dropped as "not read", and the
    # check then said the citation had no DOI or PMID.
    result = parse_text(
        "A.<ref name=h>Thiers BH, Sahn RE, Callen JP. Cutaneous manifestations of internal "
        "malignancy. CA Cancer J Clin. 2009;59(2):73-98. {{doi|10.3322/caac.20005}} "
        "{{PMID|19258446}} {{PMC|PMC99000001}}</ref>\n"
        "B.<ref>Odom RB. Andrews' diseases of the skin. Saunders; 2006. "
        "{{ISBN|978-0-7216-2921-6}}</ref>\n",
        "wikitext",
    )
    journal, book = result.references
    assert journal.identifiers.doi == "10.3322/caac.20005"
    assert journal.identifiers.pmid == "19258446"
    assert journal.identifiers.pmcid == "PMC99000001"
    assert book.identifiers.isbn == "9780721629216"
    assert [p.message for p in result.problems if "was not read" in p.message] == []


def test_an_identifier_template_beside_a_cite_template_is_said_unread() -> None:
    # SYNTHETIC: the {{PMID}} is outside the {{cite journal}}: not part of the citation
    # read, so it is said, not dropped in silence.
    result = parse_text(
        "A.<ref>{{cite journal |title=T |journal=J |year=2001}} {{PMID|19258446}}</ref>\n",
        "wikitext",
    )
    assert [p.message.split(": ", 1)[1] for p in result.problems] == [
        "template {{pmid}} in the reference was not read"
    ]


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ("|vauthors=((World Health Organization))", "{World Health Organization}"),
        ("|author=((World Health Organization))", "{World Health Organization}"),
        ("|last1=((World Health Organization))", "{World Health Organization}"),
        (
            "|vauthors=((WHO Study Group)), Smith J, Jones K",
            "{WHO Study Group} and Smith, J. and Jones, K.",
        ),
    ],
)
def test_a_corporate_author_in_double_parentheses_is_one_literal_name(
    names: str, expected: str
) -> None:
    # SYNTHETIC: CS1 marks an organisation as the author with ((…)) so that it is not
    # read as a person's name; it was read as the author '()'.
    ref = _one(
        f"A.<ref>{{{{cite report {names} |title=Global report on diabetes |year=2016}}}}</ref>"
    )
    assert ref.get("author") == expected


def test_a_footnote_pointing_at_two_full_citations_is_no_doubtful_reference() -> None:
    # SYNTHETIC: an {{sfn}}-style article's footnote naming two works by short citation
    # is ordinary; it made a parse-doubtful "holds 2 citations" warning on a phantom entry.
    text = (
        "A.<ref>{{harvnb|Foss|2021|p=2}}; see also {{harvnb|Odom|2006}}.</ref>\n"
        "* {{cite book |last1=Foss |first1=M. |title=NME |publisher=P |year=2021}}\n"
        "* {{cite book |last1=Odom |first1=R. |title=Andrews |publisher=S |year=2006}}\n"
    )
    result = parse_text(text, "wikitext")
    assert result.problems == ()
    assert len(result.references) - len(result.pointers) == 2
    # Two full citations in one footnote are still said (the control).
    two = "A.<ref>{{cite book |title=X |year=2001}} {{cite book |title=Y |year=2002}}</ref>\n"
    assert ["holds 2 citations" in p.message for p in parse_text(two).problems] == [True]


def test_a_hand_written_citation_with_a_linked_doi_or_title_is_read_as_a_citation() -> None:
    # SYNTHETIC: Vancouver refs typed by hand with a link in them. They were read as web
    # pages titled by the link ('doi:10.3322/caac.20005'), the authors and journal left in
    # a note: a false "title differs from Crossref's" and no PubMed match.
    doi = (
        "A.<ref>Thiers BH, Sahn RE, Callen JP. Cutaneous manifestations of internal "
        "malignancy. CA Cancer J Clin. 2009;59(2):73-98. [https://doi.org/10.3322/caac.20005 "
        "doi:10.3322/caac.20005]. PMID 19258446.</ref>\n"
    )
    ref = _one(doi)
    assert ref.get("title") == "Cutaneous manifestations of internal malignancy"
    assert (ref.get("author") or "").startswith("Thiers")
    assert (ref.identifiers.doi, ref.identifiers.pmid) == ("10.3322/caac.20005", "19258446")
    linked = _one(
        "B.<ref>Pujol RM, Wang CY. [http://e.org/p Necrolytic migratory erythema: "
        "clinicopathologic study of 13 cases]. Int J Dermatol. 2004;43(1):12-8.</ref>\n"
    )
    assert (
        linked.get("title") == "Necrolytic migratory erythema: clinicopathologic study of 13 cases"
    )
    assert (linked.get("author") or "").startswith("Pujol") and linked.get(
        "url"
    ) == "http://e.org/p"
    # A bare link with its title and access date stays a web page (the control).
    bare = _one("C.<ref>[http://e.org/x Glucagonoma]. Retrieved 5 May 2020.</ref>\n")
    assert (bare.entry_type, bare.get("title"), bare.get("url")) == (
        "online",
        "Glucagonoma",
        "http://e.org/x",
    )


def test_cite_conference_keeps_the_meeting_beside_its_book() -> None:
    """SYNTHETIC: ``|conference=`` was dropped when ``|book-title=`` was given (the first
    filled container parameter won and the others were lost)."""
    ref = _one(
        "{{cite conference |last=Okonkwo |first=T. |title=Learning to rank "
        "|book-title=Proceedings of an Invented Meeting 2010 "
        "|conference=27th Invented Conference on Learning |location=Haifa |year=2010}}"
    )
    assert ref.entry_type == "inproceedings"
    assert ref.fields["booktitle"] == "Proceedings of an Invented Meeting 2010"
    assert ref.fields["note"] == "Conference: 27th Invented Conference on Learning"


def test_cite_report_type_is_the_techreport_type() -> None:
    """SYNTHETIC: ``{{cite report |type=Technical report |number=…}}`` is BibTeX's
    ``type`` and ``number`` of a @techreport (the type was a note)."""
    ref = _one(
        "{{cite report |last=Feng |first=Li |title=A note on invented minors "
        "|number=TR-2004-17 |institution=Invented University |type=Technical report "
        "|year=2004}}"
    )
    assert ref.entry_type == "techreport"
    assert (ref.fields["type"], ref.fields["number"]) == ("Technical report", "TR-2004-17")
    assert "note" not in ref.fields
