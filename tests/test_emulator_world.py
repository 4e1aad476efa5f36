"""World documents, URL keys and the registries' serialisation dialects (pure functions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citetrack_emulator.encoding import crossref_json, ncbi_json, xml_text
from citetrack_emulator.pubmed_xml import expand_pages
from citetrack_emulator.world import World, WorldError, merge_patch, urlkey

REAL = Path(__file__).parent / "fixtures" / "real"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://www.nasa.gov:80/", "gov,nasa)/"),
        ("nasa.gov", "gov,nasa)/"),
        ("https://www.nasa.gov/%E2%80%A2/", "gov,nasa)/%e2%80%a2"),
        (
            "http://www.nasa.gov/-pdf/169028main_dale_nowak.pdf",
            "gov,nasa)/-pdf/169028main_dale_nowak.pdf",
        ),
        ("https://www.ncbi.nlm.nih.gov/books/NBK549779/", "gov,nih,nlm,ncbi)/books/nbk549779"),
        ("https://Books.Google.com/books?pg=PA603&id=X", "com,google,books)/books?id=x&pg=pa603"),
    ],
)
def test_urlkey_matches_the_recorded_cdx_keys(url: str, key: str) -> None:
    assert urlkey(url) == key


def test_recorded_cdx_lines_agree_with_urlkey() -> None:
    for name in ("cdx_text_nasa.gov_1996.txt", "cdx_text_filter_statuscode404.txt"):
        for line in (REAL / "wayback" / name).read_text(encoding="utf-8").splitlines():
            if line.count(" ") == 6:
                key, _, original, *_ = line.split(" ")
                assert urlkey(original) == key


def test_merge_patch_follows_rfc_7396() -> None:
    target = {"a": "b", "c": {"d": "e", "f": "g"}, "list": [1, 2]}
    patch = {"a": "z", "c": {"f": None}, "list": [3], "new": {"x": 1}}
    assert merge_patch(target, patch) == {"a": "z", "c": {"d": "e"}, "list": [3], "new": {"x": 1}}
    assert target["c"] == {"d": "e", "f": "g"}  # not modified in place


def test_world_keys_are_case_insensitive_dois() -> None:
    world = World({"crossref_works": {"10.1056/NEJMc0805992": {"title": ["T"]}}})
    world.merge({"crossref_works": {"10.1056/nejmc0805992": {"volume": "359"}}})
    assert world.works["10.1056/nejmc0805992"] == {
        "title": ["T"],
        "volume": "359",
        "DOI": "10.1056/nejmc0805992",
        "URL": "https://doi.org/10.1056/nejmc0805992",
    }


def test_private_keys_are_not_served() -> None:
    world = World({"crossref_works": {"10.5555/x": {"title": ["T"], "_synthetic": True}}})
    assert "_synthetic" not in world.works["10.5555/x"]
    assert world.snapshot()["crossref_works"]["10.5555/x"]["_synthetic"] is True


def test_esummary_records_get_the_recorded_keys_and_derived_values() -> None:
    world = World(
        {
            "pubmed": {
                "123": {
                    "title": "A title, with punctuation.",
                    "authors": [{"name": "Doe J"}, {"name": "Roe R"}],
                }
            }
        }
    )
    doc = world.esummary["123"]
    recorded = json.loads(
        (REAL / "pubmed/esummary_json_pmid_28806736.json").read_text(encoding="utf-8")
    )
    assert list(doc) == list(recorded["result"]["28806736"])
    assert (doc["uid"], doc["lastauthor"], doc["sortfirstauthor"]) == ("123", "Roe R", "Doe J")
    assert doc["sorttitle"] == "a title with punctuation"
    assert doc["articleids"] == [{"idtype": "pubmed", "idtypen": 1, "value": "123"}]


@pytest.mark.parametrize(
    "bad",
    [
        {"unknown": {}},
        {"pubmed": {"PMID1": {}}},
        {"pages": {"ok": {}}},
        {"crossref_works": []},
        {"crossref_works": {"10.1/x": "not an object"}},
        {"wayback": {"http://x.org/": [{"timestamp": "2021"}]}},
        {"wayback": {"http://x.org/": ["row"]}},
    ],
)
def test_invalid_worlds_are_refused_and_leave_the_world_unchanged(bad: dict[str, object]) -> None:
    world = World({"pages": {"/a": {}}})
    with pytest.raises(WorldError):
        world.merge(bad)
    with pytest.raises(WorldError):
        world.replace(bad)
    assert world.snapshot() == {"pages": {"/a": {}}}
    assert set(world.pages) == {"/a"}


def test_blocked_sites_match_host_and_subdomains() -> None:
    world = World({"wayback_blocked": ["nationalpost.com", "example.org/private/"]})
    assert world.is_blocked("https://nationalpost.com/health")
    assert world.is_blocked("https://www.news.nationalpost.com/x")
    assert world.is_blocked("http://example.org/private/page")
    assert not world.is_blocked("http://example.org/public/page")
    assert not world.is_blocked("https://notnationalpost.com/")


def test_crossref_json_escapes_like_crossref() -> None:
    recorded = (REAL / "crossref/works_list_sample_2.polite-pool.json").read_bytes()
    assert crossref_json(json.loads(recorded)) == recorded


def test_ncbi_json_reproduces_the_recorded_bytes() -> None:
    recorded = (REAL / "pubmed/esummary_json_pmid_28806736.json").read_bytes()
    assert ncbi_json(json.loads(recorded)) == recorded


def test_xml_text_uses_hex_references_for_non_ascii() -> None:
    assert xml_text('Gómez & "Pérez" <b>') == "G&#xf3;mez &amp; &quot;P&#xe9;rez&quot; &lt;b&gt;"


@pytest.mark.parametrize(
    ("pages", "expanded"),
    [
        ("12-8", ("12", "18")),
        ("2731-2", ("2731", "2732")),
        ("177-9", ("177", "179")),
        ("e0182390", ("e0182390", "")),
        ("S12-S14", ("S12", "S14")),
    ],
)
def test_medline_page_ranges_expand(pages: str, expanded: tuple[str, str]) -> None:
    assert expand_pages(pages) == expanded
