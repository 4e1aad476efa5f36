"""The normaliser's and the router's readings of issue 15, session 23 (second round): a
web page's title and link, Wikipedia's signs told from other styles', the labeller's
segments read into the right BibTeX fields.

SYNTHETIC DATA: every reference and segment here is made up, in the forms the labeller
cuts them (punctuation kept, as in AnyStyle's labelled strings).  No model is involved:
the segments are given.
"""

from __future__ import annotations

from citetrack.parse.build import build_fields
from citetrack.parse.crf.normalise import to_citation
from citetrack.parse.items import Item
from citetrack.parse.route import parse_item_routed

Segments = list[tuple[str, str]]


def _entry(segments: Segments) -> tuple[str, dict[str, str]]:
    text = " ".join(t for _, t in segments)
    return build_fields(to_citation(segments, 1, text))


def _routed(segments: Segments) -> tuple[str, dict[str, str]]:
    text = " ".join(t for _, t in segments)
    citations, path = parse_item_routed(Item(1, text, text), labels=segments)
    assert path == "crf"
    return build_fields(citations[0])


# ------------------------------------------------------------ a web page: a title and a link


def test_a_title_and_a_link_are_a_web_page() -> None:
    """No author, no date: the title names the page the link opens (an @online), never
    a line of prose kept whole as a @misc's note."""
    kind, fields = _routed(
        [
            ("citation-number", "[4]"),
            ("title", "Tide tables of the northern harbours."),
            ("url", "https://tides.example.org/north/tables.html"),
        ]
    )
    assert kind == "online"
    assert fields["title"] == "Tide tables of the northern harbours"
    assert fields["url"] == "https://tides.example.org/north/tables.html"


def test_a_lone_title_is_still_not_understood() -> None:
    kind, fields = _routed([("title", "Some words about the tides of the northern harbours.")])
    assert kind == "misc" and "title" not in fields
