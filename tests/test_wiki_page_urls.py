"""Which revision a wiki link names, as an editor pastes it (diff links included)."""

from __future__ import annotations

import pytest

from citetrack.inputs.mediawiki import WikiError, page_ref

BASE = "https://en.wikipedia.org/w/index.php?title=Hydrocephalus"


@pytest.mark.parametrize(
    ("query", "revision"),
    [
        ("&oldid=100", 100),
        ("&diff=200&oldid=100", 200),  # the diff page shows revision 200's text
        ("&diff=prev&oldid=100", 100),  # revision 100 against its parent
        ("&oldid=100&diff=", 100),
        ("&diff=cur&oldid=100", None),  # the latest revision
    ],
)
def test_a_diff_link_names_its_right_hand_revision(query: str, revision: int | None) -> None:
    page = page_ref(BASE + query, {})
    assert (page.title, page.oldid) == ("Hydrocephalus", revision)


def test_a_diff_to_next_is_refused_not_guessed() -> None:
    with pytest.raises(WikiError, match=r"diff='next'.*oldid=REVISION"):
        page_ref(BASE + "&diff=next&oldid=100", {})


def test_a_fragment_or_the_mobile_site_still_names_the_page() -> None:
    page = page_ref("https://en.m.wikipedia.org/wiki/Hydrocephalus#Causes", {})
    assert (page.title, page.oldid, page.api_url) == (
        "Hydrocephalus",
        None,
        "https://en.m.wikipedia.org/w/api.php",
    )
