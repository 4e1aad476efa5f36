"""A ``<ref name=…/>`` reuse that nothing defines is reported (SYNTHETIC snippets)."""

from __future__ import annotations

from citetrack.inputs.article import read_article
from citetrack.model import ArticleInfo

CITE = "{{cite journal |title=T |journal=J |year=2001 |pmid=1}}"


def _problems(text: str) -> list[tuple[int, str]]:
    article = read_article(text, ArticleInfo(source="x", format="wikitext"), display="x")
    return [(p.line, p.message) for p in article.problems if "never defined" in p.message]


def test_list_defined_and_later_definitions_are_definitions() -> None:
    text = (
        'A.<ref name=a/> B.<ref name="b" /> C.<ref name=c/>\n'
        f"Later: <ref name=c>{CITE}</ref>\n"
        "==References==\n"
        f"<references>\n<ref name=a>{CITE}</ref>\n</references>\n"
        f"{{{{reflist|refs=<ref name=b>{CITE}</ref>}}}}\n"
    )
    assert _problems(text) == []


def test_an_undefined_name_is_reported_once_at_its_first_use_per_group() -> None:
    text = (
        "Intro.\nA.<ref name=gone/> again<ref name=gone/> note<ref group=n name=gone/>\n"
        f"<ref group=n name=gone>{CITE}</ref>\n{{{{reflist}}}}\n"
    )
    problems = _problems(text)
    assert len(problems) == 1
    line, message = problems[0]
    assert line == 2 and message.startswith('<ref name="gone" /> is used but never defined')


def test_an_r_template_reuses_like_a_ref_tag_numbered_and_checked() -> None:
    """``{{r|name}}`` (Template:R) stands for ``<ref name=name/>``: it takes the number
    where it first appears (the list-defined refs below were numbered by their place in
    the list), and one naming nothing defined is a cite error on the page."""
    text = (
        "A.{{r|b|p=80}} B.<ref name=a/> C.{{r|gone}} D.{{r|a|b}}\n"
        "==References==\n"
        f"{{{{reflist|refs=\n<ref name=a>{CITE}</ref>\n<ref name=b>{CITE}</ref>\n}}}}\n"
    )
    article = read_article(text, ArticleInfo(source="x", format="wikitext"), display="x")
    numbers = {r.key: r.location.number for r in article.references if r.location}
    assert numbers == {"b": "1", "a": "2"}
    problems = _problems(text)
    assert problems == [
        (
            1,
            "{{r|gone}} is used but never defined on the page: the wiki shows a cite error "
            "there and there is no citation to check",
        )
    ]


def test_a_list_defined_ref_the_text_never_uses_is_a_cite_error() -> None:
    # MediaWiki: 'Cite error: A list-defined reference named "x" is not used in the
    # content' -- the reader never gets that citation, so checking it as one of the
    # article's footnotes (it was numbered after the others) misleads.
    text = (
        "A.<ref name=a/> B.{{r|b}} C.<ref name=c>" + CITE + "</ref>\n"
        "==References==\n"
        "{{reflist|refs=\n"
        f"<ref name=a>{CITE}</ref>\n<ref name=b>{CITE}</ref>\n<ref name=spare>{CITE}</ref>\n"
        "}}\n"
        f"<references group=n>\n<ref name=gone>{CITE}</ref>\n</references>\n"
    )
    article = read_article(text, ArticleInfo(source="x", format="wikitext"), display="x")
    unused = [(p.line, p.message) for p in article.problems if "not used" in p.message]
    assert unused == [
        (
            6,
            'spare: <ref name="spare"> is defined in the reference list but not used in the '
            "text: the wiki shows a cite error there, and no footnote for it",
        ),
        (
            9,
            "gone: <ref name=\"gone\"> (group 'n') is defined in the reference list but not "
            "used in the text: the wiki shows a cite error there, and no footnote for it",
        ),
    ]
    numbers = {r.key: r.location.number for r in article.references if r.location}
    assert numbers["a"] == "1" and numbers["b"] == "2" and numbers["c"] == "3"
