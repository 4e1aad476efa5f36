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
