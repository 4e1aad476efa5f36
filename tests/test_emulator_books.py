"""The emulator's Open Library, Google Books, ECitMatch and ESearch-field answers, in the
documented shapes (no real response was recorded for these; see the service modules).
Records are the SYNTHETIC ones of the seed world."""

from __future__ import annotations

import httpx

from citetrack_emulator import Emulator


def test_open_library_answers_known_bibkeys_as_asked_and_omits_the_rest(
    emulator_session: Emulator,
) -> None:
    url = emulator_session.url + "/openlibrary/api/books"
    params = {
        "bibkeys": "ISBN:0721629210,ISBN:9780306406157",
        "format": "json",
        "jscmd": "data",
    }
    data = httpx.get(url, params=params).json()
    assert list(data) == ["ISBN:0721629210"]  # ISBN-10 of the ISBN-13 record; unknown left out
    record = data["ISBN:0721629210"]
    assert record["title"] == "Andrews' diseases of the skin"
    assert record["publishers"] == [{"name": "Saunders Elsevier"}]
    assert "_synthetic" not in record
    none = httpx.get(url, params={**params, "bibkeys": "ISBN:9780306406157"})
    assert none.json() == {}
    script = httpx.get(url, params={"bibkeys": "ISBN:0721629210"}).text
    assert script.startswith("var _OLBookInfo = {")


def test_google_books_volumes_list_shape(emulator_session: Emulator) -> None:
    url = emulator_session.url + "/googlebooks/books/v1/volumes"
    hit = httpx.get(url, params={"q": "isbn:9780702075834"}).json()
    assert (hit["kind"], hit["totalItems"]) == ("books#volumes", 1)
    info = hit["items"][0]["volumeInfo"]
    assert info["title"] == "Weedon's Skin Pathology E-Book"
    assert {"type": "ISBN_10", "identifier": "0702075833"} in info["industryIdentifiers"]
    miss = httpx.get(url, params={"q": "isbn:9780721629216"}).json()
    assert miss == {"kind": "books#volumes", "totalItems": 0}  # no "items" key at all


def test_ecitmatch_lines_pmid_not_found_and_ambiguous(emulator: Emulator) -> None:
    emulator.patch_world(
        {"pubmed": {"99000199": {"title": "Twin.", "source": "JOP", "pubdate": "2004",
                                 "volume": "5", "pages": "179-80",
                                 "authors": [{"name": "Echenique-Elizondo M",
                                              "authtype": "Author"}]}}}
    )  # fmt: skip
    bdata = (
        "jop journal of the pancreas|2004|5|179|echenique elizondo m|a|\r"
        "jop|2004|5|179|echenique-elizondo m|b|\r"
        "science|1987|235|182|palmenberg ac|c|"
    )
    response = httpx.post(
        emulator.url + "/eutils/ecitmatch.cgi",
        data={"db": "pubmed", "retmode": "xml", "bdata": bdata},
    )
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert lines[0] == "jop journal of the pancreas|2004|5|179|echenique elizondo m|a|99000102"
    assert lines[1] == "jop|2004|5|179|echenique-elizondo m|b|AMBIGUOUS 99000102,99000199"
    assert lines[2] == "science|1987|235|182|palmenberg ac|c|NOT_FOUND"


def test_esearch_title_words_and_author_fields(emulator_session: Emulator) -> None:
    url = emulator_session.url + "/eutils/esearch.fcgi"
    params = {"db": "pubmed", "retmode": "json"}
    hit = httpx.get(
        url, params={**params, "term": "necrolytic migratory erythema[ti] AND foss[au]"}
    ).json()["esearchresult"]
    assert hit["idlist"] == ["99000101"]
    miss = httpx.get(
        url, params={**params, "term": "necrolytic migratory erythema[ti] AND smith[au]"}
    ).json()["esearchresult"]
    assert miss["idlist"] == [] and miss["count"] == "0"
