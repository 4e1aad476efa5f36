"""The emulator's E-utilities and PMC id converter against the recorded responses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as DET
import httpx
import pytest

from citetrack_emulator import Emulator

REAL = Path(__file__).parent / "fixtures" / "real"
SEED_PMIDS = ["19258446", "14693015", "15538929", "19092164", "23477490"]


def real(name: str) -> Any:
    return json.loads((REAL / name).read_text(encoding="utf-8"))


@pytest.fixture
def eutils(emulator_session: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator_session.url + "/eutils", timeout=10) as c:
        yield c


def esummary(client: httpx.Client, ids: str, **extra: str) -> httpx.Response:
    return client.get(
        "/esummary.fcgi", params={"db": "pubmed", "id": ids, "retmode": "json", **extra}
    )


# ---------------------------------------------------------------- esummary


def test_esummary_is_byte_for_byte_the_recorded_response(eutils: httpx.Client) -> None:
    response = esummary(eutils, "28806736")
    assert response.status_code == 200
    assert response.content == (REAL / "pubmed/esummary_json_pmid_28806736.json").read_bytes()


def test_seed_docsums_have_every_key_of_the_recorded_one(eutils: httpx.Client) -> None:
    recorded = real("pubmed/esummary_json_pmid_28806736.json")["result"]["28806736"]
    body = esummary(eutils, ",".join(SEED_PMIDS)).json()
    assert body["result"]["uids"] == SEED_PMIDS  # requested order
    for pmid in SEED_PMIDS:
        doc = body["result"][pmid]
        assert list(doc) == list(recorded)
        scalars = [v for v in doc.values() if not isinstance(v, list | dict)]
        assert all(isinstance(v, str) for v in scalars)
        assert any(a["idtype"] == "doi" for a in doc["articleids"])


def test_seed_pages_are_medline_abbreviated(eutils: httpx.Client) -> None:
    result = esummary(eutils, "14693015,15538929,19092164").json()["result"]
    assert [result[p]["pages"] for p in ("14693015", "15538929", "19092164")] == [
        "12-8",
        "531-7",
        "2731-2",
    ]


def test_unknown_pmid_is_a_per_uid_error_inside_a_200(eutils: httpx.Client) -> None:
    response = esummary(eutils, "40482261")
    assert response.status_code == 200
    assert response.json() == real(
        "pubmed/transcribed/esummary_json_per_uid_error_cannot_get_document_summary.json"
    )


def test_malformed_uid_is_the_top_level_error(eutils: httpx.Client) -> None:
    recorded = real("pubmed/transcribed/esummary_json_toplevel_invalid_uid_error.json")
    assert esummary(eutils, "NC_999999999").json() == recorded


def test_empty_id_list(eutils: httpx.Client) -> None:
    assert esummary(eutils, "").json() == real(
        "pubmed/transcribed/esummary_json_empty_id_list.json"
    )


def test_post_form_gives_the_same_answer_as_get(eutils: httpx.Client) -> None:
    posted = eutils.post(
        "/esummary.fcgi", data={"db": "pubmed", "id": "19258446,1", "retmode": "json"}
    )
    assert posted.content == esummary(eutils, "19258446,1").content


def test_esummary_xml_is_the_default(eutils: httpx.Client) -> None:
    response = eutils.get("/esummary.fcgi", params={"db": "pubmed", "id": "19258446,1"})
    root = DET.fromstring(response.content)
    assert root.tag == "eSummaryResult"
    assert root.find("DocSum/Id").text == "19258446"
    assert "UID=1" in root.find("ERROR").text


def test_retracted_publication_shows_in_pubtype(eutils: httpx.Client) -> None:
    doc = esummary(eutils, "99000001").json()["result"]["99000001"]
    assert "Retracted Publication" in doc["pubtype"]


# ---------------------------------------------------------------- efetch


def paths(element: Any, prefix: str = "") -> set[str]:
    here = f"{prefix}/{element.tag}" if prefix else element.tag
    found = {here}
    for child in element:
        found |= paths(child, here)
    return found


USED_PATHS = {  # what api-notes §2.4 says clients read
    "PubmedArticleSet/PubmedArticle/MedlineCitation/PMID",
    "PubmedArticleSet/PubmedArticle/MedlineCitation/Article/Journal/ISSN",
    "PubmedArticleSet/PubmedArticle/MedlineCitation/Article/Journal/JournalIssue/Volume",
    "PubmedArticleSet/PubmedArticle/MedlineCitation/Article/Journal/JournalIssue/Issue",
    "PubmedArticleSet/PubmedArticle/MedlineCitation/Article/Journal/JournalIssue/PubDate/Year",
    "PubmedArticleSet/PubmedArticle/MedlineCitation/Article/Journal/Title",
    "PubmedArticleSet/PubmedArticle/MedlineCitation/Article/Journal/ISOAbbreviation",
    "PubmedArticleSet/PubmedArticle/MedlineCitation/Article/ArticleTitle",
    "PubmedArticleSet/PubmedArticle/MedlineCitation/Article/Pagination/MedlinePgn",
    "PubmedArticleSet/PubmedArticle/MedlineCitation/Article/ELocationID",
    "PubmedArticleSet/PubmedArticle/MedlineCitation/Article/AuthorList/Author/LastName",
    "PubmedArticleSet/PubmedArticle/MedlineCitation/Article/AuthorList/Author/ForeName",
    "PubmedArticleSet/PubmedArticle/MedlineCitation/Article/AuthorList/Author/Initials",
    "PubmedArticleSet/PubmedArticle/MedlineCitation/Article/Language",
    "PubmedArticleSet/PubmedArticle/MedlineCitation/Article/PublicationTypeList/PublicationType",
    "PubmedArticleSet/PubmedArticle/MedlineCitation/MedlineJournalInfo/MedlineTA",
    "PubmedArticleSet/PubmedArticle/PubmedData/ArticleIdList/ArticleId",
}


def test_efetch_has_the_recorded_structure(eutils: httpx.Client) -> None:
    recorded = DET.fromstring((REAL / "pubmed/efetch_POST_pmid_21813142.xml").read_bytes())
    response = eutils.post(
        "/efetch.fcgi", data={"db": "pubmed", "id": "14693015", "retmode": "xml"}
    )
    assert response.headers["content-type"].startswith("text/xml")
    assert response.text.startswith('<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet')
    ours = DET.fromstring(response.content)
    assert paths(recorded) >= USED_PATHS  # the list itself is right
    assert paths(ours) >= USED_PATHS
    article = ours.find("PubmedArticle/MedlineCitation/Article")
    assert article.find("Pagination/StartPage").text == "12"
    assert article.find("Pagination/EndPage").text == "18"
    assert article.find("Pagination/MedlinePgn").text == "12-8"
    assert article.find("AuthorList/Author/ForeName").text == "Ramon M."
    assert article.find("ELocationID").attrib == {"EIdType": "doi", "ValidYN": "Y"}


def test_efetch_leaves_out_missing_pmids(eutils: httpx.Client) -> None:
    root = DET.fromstring(
        eutils.get("/efetch.fcgi", params={"db": "pubmed", "id": "1,19258446,2"}).content
    )
    assert [e.text for e in root.iter("PMID")] == ["19258446"]
    empty = DET.fromstring(
        eutils.get("/efetch.fcgi", params={"db": "pubmed", "id": "32816848"}).content
    )
    recorded = DET.fromstring(
        (
            REAL / "pubmed/transcribed/efetch_POST_unavailable_pmid_32816848_empty_set.xml"
        ).read_bytes()
    )
    assert (empty.tag, list(empty)) == (recorded.tag, list(recorded))


def test_efetch_escapes_non_ascii_like_pubmed(emulator: Emulator) -> None:
    emulator.patch_world({"pubmed": {"19258446": {"title": "Cutaneous manifestations — Gómez."}}})
    text = httpx.get(
        emulator.url + "/eutils/efetch.fcgi", params={"db": "pubmed", "id": "19258446"}
    ).text
    assert "Cutaneous manifestations &#x2014; G&#xf3;mez." in text


def test_efetch_marks_retractions(eutils: httpx.Client) -> None:
    root = DET.fromstring(
        eutils.get("/efetch.fcgi", params={"db": "pubmed", "id": "99000001"}).content
    )
    types = {(e.text, e.get("UI")) for e in root.iter("PublicationType")}
    assert ("Retracted Publication", "D016441") in types
    ref = root.find(".//CommentsCorrections")
    assert ref.get("RefType") == "RetractionIn"
    assert ref.find("PMID").text == "99000002"


# ---------------------------------------------------------------- esearch


def test_esearch_by_doi_in_json(eutils: httpx.Client) -> None:
    body = eutils.get(
        "/esearch.fcgi",
        params={"db": "pubmed", "term": "10.1056/nejmc0805992[doi]", "retmode": "json"},
    ).json()
    assert body["header"] == {"type": "esearch", "version": "0.3"}
    assert body["esearchresult"]["idlist"] == ["19092164"]
    assert body["esearchresult"]["count"] == "1"


def test_esearch_by_doi_without_hit_reports_the_phrase(eutils: httpx.Client) -> None:
    result = eutils.get(
        "/esearch.fcgi",
        params={
            "db": "pubmed",
            "term": "10.1001/archderm.1942.01500120037004[doi]",
            "retmode": "json",
        },
    ).json()["esearchresult"]
    assert result["count"] == "0" and result["idlist"] == []
    assert result["errorlist"]["phrasesnotfound"] == ["10.1001/archderm.1942.01500120037004"]


def test_esearch_xml_has_the_recorded_structure(eutils: httpx.Client) -> None:
    recorded = DET.fromstring((REAL / "pubmed/esearch_POST_idlist.xml").read_bytes())
    ours = DET.fromstring(
        eutils.post(
            "/esearch.fcgi", data={"db": "pubmed", "term": '"10.3322/caac.20005"[doi]'}
        ).content
    )
    assert [c.tag for c in ours][:6] == [c.tag for c in recorded][:6]
    assert [e.text for e in ours.iter("Id")] == ["19258446"]


# ---------------------------------------------------------------- rate limits


def test_rate_limit_headers_without_and_with_api_key(eutils: httpx.Client) -> None:
    plain = esummary(eutils, "19258446")
    keyed = esummary(eutils, "19258446", api_key="k-headers")
    assert plain.headers["x-ratelimit-limit"] == "3"
    assert keyed.headers["x-ratelimit-limit"] == "10"
    assert keyed.headers["x-ratelimit-remaining"] == "9"
    assert plain.headers["server"] == "Finatra"


def test_over_the_limit_is_the_recorded_429(emulator: Emulator) -> None:
    emulator.set_limits({"eutils": {"limit": 3, "interval": 3600}})
    recorded = real("pubmed/transcribed/eutils_429_api_rate_limit_exceeded.json")
    with httpx.Client(base_url=emulator.url + "/eutils") as c:
        answers = [esummary(c, "19258446") for _ in range(4)]
        keyed = esummary(c, "19258446", api_key="my-key")
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    body = answers[-1].json()
    assert body.keys() == recorded.keys()
    assert body == {
        "error": "API rate limit exceeded",
        "api-key": "127.0.0.1",
        "count": "4",
        "limit": "3",
    }
    assert answers[-1].headers["x-ratelimit-remaining"] == "0"
    assert keyed.status_code == 200  # a key has its own (higher) allowance


# ---------------------------------------------------------------- PMC id converter


@pytest.fixture
def idconv(emulator_session: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator_session.url + "/idconv", timeout=10) as c:
        yield c


def test_legacy_idconv_records_are_the_recorded_ones(idconv: httpx.Client) -> None:
    recorded = real("pmc-idconv/idconv_v1.0_doi_10.1038_ng.590.json")
    body = idconv.get(
        "/v1.0/", params={"tool": "rcrossref", "ids": "10.1038/ng.590", "format": "json"}
    ).json()
    assert body.keys() == recorded.keys()
    assert body["records"] == recorded["records"]
    assert body["status"] == "ok"


def test_current_idconv_shape(idconv: httpx.Client) -> None:
    response = idconv.get(
        "/", params={"ids": "10.1038/ng.590,10.3322/caac.20005", "idtype": "doi", "format": "json"}
    )
    assert response.headers["content-type"] == "application/json; charset=ISO-8859-1"
    found, missing = response.json()["records"]
    assert found == {
        "requested-id": "10.1038/ng.590",
        "pmcid": "PMC2883744",
        "pmid": 20495566,
        "doi": "10.1038/ng.590",
    }
    assert missing == {
        "requested-id": "10.3322/caac.20005",
        "doi": "10.3322/caac.20005",
        "status": "error",
        "errmsg": "Identifier not found in PMC",
    }


def test_idconv_by_pmid_and_pmcid(idconv: httpx.Client) -> None:
    by_pmid = idconv.get("/", params={"ids": "99000001", "format": "json"}).json()["records"][0]
    by_pmcid = idconv.get(
        "/", params={"ids": "99000001", "idtype": "pmcid", "format": "json"}
    ).json()["records"][0]
    assert by_pmid["pmcid"] == "PMC99000001"
    assert by_pmcid["doi"] == "10.5555/ct.retracted.2019"


def test_idtype_mismatch_is_the_recorded_404(idconv: httpx.Client) -> None:
    recorded = real("pmc-idconv/idconv_v1.0_404_wrong_idtype.json")
    response = idconv.get("/", params={"ids": "28371833", "idtype": "doi", "format": "json"})
    assert response.status_code == 404
    body = response.json()
    assert body.keys() == recorded.keys()
    assert body["message"] == recorded["message"]


def test_idconv_xml_by_default(idconv: httpx.Client) -> None:
    root = DET.fromstring(idconv.get("/", params={"ids": "PMC2883744"}).content)
    assert root.tag == "pmcids"
    assert root.find("record").get("pmid") == "20495566"


def test_idconv_refuses_more_than_200_ids(idconv: httpx.Client) -> None:
    ids = ",".join(str(10_000_000 + i) for i in range(201))
    assert idconv.get("/", params={"ids": ids, "format": "json"}).status_code == 414
    assert (
        idconv.get("/", params={"ids": ids.rsplit(",", 1)[0], "format": "json"}).status_code == 200
    )
