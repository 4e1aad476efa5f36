"""The emulator's Crossref API against the recorded responses in tests/fixtures/real/crossref."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from citetrack_emulator import Emulator

REAL = Path(__file__).parent / "fixtures" / "real"
POLITE = {"User-Agent": "citetrack-test/0 (mailto:test@example.org)"}
SEED_DOIS = [
    "10.3322/caac.20005",
    "10.1111/j.1365-4632.2004.01844.x",
    "10.1001/archderm.1942.01500120037004",
    "10.1530/eje.0.1510531",
    "10.1056/NEJMc0805992",
    "10.1016/j.amjmed.2013.01.012",
]


def real(name: str) -> Any:
    return json.loads((REAL / name).read_text(encoding="utf-8"))


def recorded_headers(name: str) -> dict[str, str]:
    headers = real(name + ".meta.json")["response"]["headers"]
    return {k.lower(): v[0] if isinstance(v, list) else v for k, v in headers.items()}


@pytest.fixture
def client(emulator_session: Emulator) -> httpx.Client:
    with httpx.Client(base_url=emulator_session.url + "/crossref", timeout=10) as c:
        yield c


@pytest.mark.parametrize(
    "fixture",
    [
        "works_10.1371_journal.pone.0033693.public-pool.json",
        "works_10.1016_j.neurobiolaging.2010.03.024.polite-pool.json",
        "works_10.1136_jclinpath-2020-206745.json",
        "works_10.1136_esmoopen-2020-000776.json",
        "works_10.1038_nnano.2014.279_2022_old-limits.json",
    ],
)
def test_single_work_is_the_recorded_response(client: httpx.Client, fixture: str) -> None:
    recorded = real("crossref/" + fixture)
    response = client.get("/works/" + recorded["message"]["DOI"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == recorded
    assert b"\\/" in response.content  # Crossref escapes "/" like the recording


def test_percent_encoded_and_upper_case_doi_find_the_work(client: httpx.Client) -> None:
    plain = client.get("/works/10.1056/NEJMc0805992").json()
    encoded = client.get("/works/10.1056%2Fnejmc0805992").json()
    assert plain == encoded
    assert plain["message"]["DOI"] == "10.1056/nejmc0805992"
    assert plain["message"]["title"] == ["Small-Cell Lung Cancer and Necrolytic Migratory Erythema"]


@pytest.mark.parametrize("doi", SEED_DOIS)
def test_seed_references_have_synthetic_crossref_records(client: httpx.Client, doi: str) -> None:
    message = client.get(f"/works/{doi}").json()["message"]
    assert message["DOI"] == doi.lower()
    for key in (
        "title",
        "author",
        "container-title",
        "short-container-title",
        "issued",
        "volume",
        "issue",
        "page",
        "ISSN",
    ):
        assert message[key], key
    assert all({"given", "family", "sequence"} <= set(a) for a in message["author"])
    assert "_synthetic" not in message  # markers stay in the data file


def test_seed_page_ranges_are_written_as_crossref_writes_them(client: httpx.Client) -> None:
    assert (
        client.get("/works/10.1111/j.1365-4632.2004.01844.x").json()["message"]["page"] == "12-18"
    )
    becker = client.get("/works/10.1001/archderm.1942.01500120037004").json()["message"]
    assert becker["published-print"] == {"date-parts": [[1942, 6, 1]]}


def test_unknown_doi_is_the_recorded_plain_text_404(client: httpx.Client) -> None:
    response = client.get("/works/10.1371/notarealdoi")
    assert response.status_code == 404
    assert response.content == (REAL / "crossref/works_404_10.1371_notarealdoi.txt").read_bytes()
    assert (
        response.headers["content-type"]
        == recorded_headers("crossref/works_404_10.1371_notarealdoi.txt")["content-type"]
    )
    assert response.headers["x-rate-limit-limit"] == "5"  # rate headers on a 404 too


def test_field_query_on_the_single_route_is_the_recorded_400(client: httpx.Client) -> None:
    response = client.get(
        "/works/10.1371/journal.pone.0033693", params={"query.author": "carl boettiger"}
    )
    assert response.status_code == 400
    assert response.json() == real("crossref/works_400_validation_failure.json")


def test_head_answers_status_without_body(client: httpx.Client) -> None:
    found = client.head("/works/10.3322/caac.20005")
    missing = client.head("/works/10.3322/nothing")
    assert (found.status_code, missing.status_code) == (200, 404)
    assert found.content == b""


@pytest.mark.parametrize(
    ("fixture", "headers", "path"),
    [
        (
            "works_10.1371_journal.pone.0033693.public-pool.json",
            {},
            "/works/10.1371/journal.pone.0033693",
        ),
        (
            "works_10.1016_j.neurobiolaging.2010.03.024.polite-pool.json",
            POLITE,
            "/works/10.1016/j.neurobiolaging.2010.03.024",
        ),
    ],
)
def test_pool_headers_match_the_recording(
    client: httpx.Client, fixture: str, headers: dict[str, str], path: str
) -> None:
    recorded = recorded_headers("crossref/" + fixture)
    response = client.get(path, headers=headers)
    for name in (
        "x-api-pool",
        "x-rate-limit-limit",
        "x-rate-limit-interval",
        "x-concurrency-limit",
        "server",
    ):
        assert response.headers[name] == recorded[name], name


@pytest.mark.parametrize(
    ("headers", "params", "pool", "limit", "concurrency"),
    [
        (POLITE, {}, "polite", "3", "3"),
        ({}, {"mailto": "test@example.org"}, "polite", "3", "3"),
        ({}, {}, "public", "1", "1"),
    ],
)
def test_list_route_advertises_the_list_limits(
    client: httpx.Client,
    headers: dict[str, str],
    params: dict[str, str],
    pool: str,
    limit: str,
    concurrency: str,
) -> None:
    response = client.get(
        "/works", params={"filter": "doi:10.3322/caac.20005", **params}, headers=headers
    )
    assert response.headers["x-api-pool"] == pool
    assert response.headers["x-rate-limit-limit"] == limit
    assert response.headers["x-rate-limit-interval"] == "1s"
    assert response.headers["x-concurrency-limit"] == concurrency


def test_doi_filter_batch_has_the_recorded_envelope(client: httpx.Client) -> None:
    asked = [*SEED_DOIS, "10.9999/not-registered"]
    response = client.get(
        "/works", params={"filter": ",".join(f"doi:{d}" for d in asked), "rows": len(asked)}
    )
    body = response.json()
    template = real("crossref/works_list_sample_2.polite-pool.json")
    assert body.keys() == template.keys()
    assert body["message"].keys() == template["message"].keys()
    assert body["message-type"] == "work-list"
    assert body["message"]["total-results"] == len(SEED_DOIS)  # the unknown DOI is silently absent
    assert body["message"]["items-per-page"] == len(asked)
    assert body["message"]["query"] == {"start-index": 0, "search-terms": None}
    returned = [item["DOI"] for item in body["message"]["items"]]
    assert sorted(returned) == sorted(d.lower() for d in SEED_DOIS)
    assert returned != [d.lower() for d in SEED_DOIS]  # not in filter order (as recorded)
    assert all(item["score"] == 0.0 for item in body["message"]["items"])


def test_list_items_are_the_single_work_records(client: httpx.Client) -> None:
    item = client.get("/works", params={"filter": "doi:10.1136/jclinpath-2020-206745"}).json()[
        "message"
    ]["items"][0]
    single = client.get("/works/10.1136/jclinpath-2020-206745").json()["message"]
    assert {k: v for k, v in item.items() if k != "score"} == {
        k: v for k, v in single.items() if k != "score"
    }


def test_rows_offset_and_select(client: httpx.Client) -> None:
    params = {
        "filter": ",".join(f"doi:{d}" for d in SEED_DOIS),
        "rows": 2,
        "offset": 1,
        "select": "DOI,title",
    }
    message = client.get("/works", params=params).json()["message"]
    assert message["total-results"] == len(SEED_DOIS)
    assert len(message["items"]) == 2
    assert all(set(item) == {"DOI", "title"} for item in message["items"])
    assert message["query"]["start-index"] == 1


def test_rows_above_1000_is_a_validation_failure_like_the_recorded_one(
    client: httpx.Client,
) -> None:
    response = client.get("/works", params={"rows": 2000})
    recorded = real("crossref/works_400_sample_too_large.json")
    assert response.status_code == 400
    body = response.json()
    assert body["message-type"] == recorded["message-type"]
    assert body["message"][0].keys() == recorded["message"][0].keys()
    assert body["message"][0]["type"] == "integer-not-valid"


def test_sample_above_100_is_the_recorded_400(client: httpx.Client) -> None:
    response = client.get("/works", params={"sample": 200})
    assert response.json() == real("crossref/works_400_sample_too_large.json")


def test_invalid_cursor_is_the_recorded_404(client: httpx.Client) -> None:
    response = client.get("/works", params={"query": "widget", "cursor": "thing"})
    assert response.status_code == 404
    assert response.json() == real("crossref/works_404_cursor_invalid.json")


def test_query_without_hits_is_the_recorded_empty_list(client: httpx.Client) -> None:
    body = client.get("/works", params={"query": "adfaaf"}).json()
    assert body == real("crossref/works_list_query_no_results.json")


def test_bibliographic_query_ranks_the_matching_seed_work_first(client: httpx.Client) -> None:
    query = "Pujol Necrolytic migratory erythema: clinicopathologic study of 13 cases 2004"
    items = client.get("/works", params={"query.bibliographic": query, "rows": 3}).json()[
        "message"
    ]["items"]
    assert items[0]["DOI"] == "10.1111/j.1365-4632.2004.01844.x"
    assert items[0]["score"] > items[1]["score"] > 0


def test_update_filters_find_retractions(client: httpx.Client) -> None:
    with_updates = client.get("/works", params={"filter": "has-update:true", "rows": 100}).json()[
        "message"
    ]["items"]
    assert "10.5555/ct.retracted.2019" in {i["DOI"] for i in with_updates}
    notices = client.get("/works", params={"filter": "updates:10.5555/ct.retracted.2019"}).json()[
        "message"
    ]["items"]
    assert [i["DOI"] for i in notices] == ["10.5555/ct.retraction-notice.2021"]


def test_unknown_filter_is_rejected(client: httpx.Client) -> None:
    response = client.get("/works", params={"filter": "colour:blue"})
    assert response.status_code == 400
    assert response.json()["message"][0]["type"] == "filter-not-available"


def test_retracted_work_carries_publisher_and_retraction_watch_entries(
    client: httpx.Client,
) -> None:
    updates = client.get("/works/10.5555/ct.retracted.2019").json()["message"]["updated-by"]
    assert {(u["type"], u["source"]) for u in updates} == {
        ("retraction", "publisher"),
        ("retraction", "retraction-watch"),
    }
    assert {u["DOI"] for u in updates} == {"10.5555/ct.retraction-notice.2021"}
    assert all({"DOI", "type", "label", "source", "updated"} <= set(u) for u in updates)
    correction = client.get("/works/10.5555/ct.corrected.2018").json()["message"]["updated-by"][0]
    concern = client.get("/works/10.5555/ct.concern.2020").json()["message"]["updated-by"][0]
    assert (correction["type"], concern["type"]) == ("correction", "expression_of_concern")


@pytest.mark.parametrize(
    ("fixture", "doi"),
    [
        ("works_agency_medra_10.1430_8105.json", "10.1430/8105"),
        ("works_agency_datacite_10.5284_1011335.json", "10.5284/1011335"),
    ],
)
def test_agency_of_other_registries_is_the_recorded_answer(
    client: httpx.Client, fixture: str, doi: str
) -> None:
    assert client.get(f"/works/{doi}/agency").json() == real("crossref/" + fixture)
    assert client.get(f"/works/{doi}").status_code == 404  # Crossref itself does not have them


def test_agency_of_a_crossref_doi_has_the_recorded_shape(client: httpx.Client) -> None:
    body = client.get("/works/10.3322/caac.20005/agency").json()
    recorded = real("crossref/works_agency_10.1126_science.169.3946.635.json")
    assert body["message"]["agency"] == recorded["message"]["agency"]
    assert body.keys() == recorded.keys()


def test_agency_of_an_unknown_doi_is_the_recorded_404(client: httpx.Client) -> None:
    response = client.get("/works/5/agency")
    assert response.status_code == 404
    assert response.content == (REAL / "crossref/works_agency_404.txt").read_bytes()


def test_raw_semicolon_is_cut_like_jetty_but_encoded_resolves(emulator: Emulator) -> None:
    sici = "10.1890/0012-9615(1999)069[0569:EDILSA]2.0.CO;2"
    emulator.patch_world(
        {"crossref_works": {sici: {"DOI": sici.lower(), "title": ["Synthetic SICI work"]}}}
    )
    with httpx.Client(base_url=emulator.url + "/crossref") as c:
        assert c.get(f"/works/{sici}/agency").status_code == 404
        encoded = "10.1890%2F0012-9615%281999%29069%5B0569%3AEDILSA%5D2.0.CO%3B2"
        assert c.get(f"/works/{encoded}/agency").status_code == 200


def test_transform_serves_crossref_csl_json(client: httpx.Client) -> None:
    csl = client.get(
        "/v1/works/10.1136%2Fjclinpath-2020-206745/transform",
        headers={"Accept": "application/vnd.citationstyles.csl+json"},
    ).json()
    recorded = real("doi-org/crossref_transform_citeproc_json_10.1126_science.169.3946.635.json")
    assert isinstance(csl["title"], str) and isinstance(csl["container-title"], str)
    assert csl["container-title-short"] == "J Clin Pathol"
    shared = set(recorded) & set(csl)
    assert {"DOI", "title", "author", "issued", "container-title", "page", "URL", "type"} <= shared


def test_transform_bibtex_is_one_line_with_leading_space(client: httpx.Client) -> None:
    text = client.get("/works/10.3322/caac.20005/transform/application/x-bibtex").text
    recorded = (REAL / "doi-org/cn_bibtex_step2_crossref_transform.bib").read_text(encoding="utf-8")
    assert text.startswith(" @article{") and recorded.startswith(" @article{")
    assert text.endswith(" }\n") and recorded.endswith(" }\n")
    assert text.count("\n") == 1  # one line
    assert "pages={73–98}" in text
    assert "author={Thiers, Bruce H. and Sahn, Rebecca E. and Callen, Jeffrey P.}" in text
