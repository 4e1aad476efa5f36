"""The emulator's doi.org: handle API, doiRA, resolver and content negotiation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from citetrack_emulator import Emulator

REAL = Path(__file__).parent / "fixtures" / "real" / "doi-org"
CSL = "application/vnd.citationstyles.csl+json"


def real(name: str) -> Any:
    return json.loads((REAL / name).read_text(encoding="utf-8"))


@pytest.fixture
def doi(emulator_session: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator_session.url + "/doi", timeout=10) as c:
        yield c


def test_handle_of_a_crossref_doi_has_the_documented_shape(doi: httpx.Client) -> None:
    documented = real("doc-examples/handles_api_10.1000_1.json")
    response = doi.get("/api/handles/10.3322/caac.20005")
    body = response.json()
    assert response.status_code == 200
    assert body.keys() == documented.keys()
    assert body["responseCode"] == 1
    url = next(v for v in body["values"] if v["type"] == "URL")
    assert url.keys() == documented["values"][1].keys()
    assert url["data"] == {
        "format": "string",
        "value": "https://acsjournals.onlinelibrary.wiley.com/doi/10.3322/caac.20005",
    }


def test_handle_type_filter_keeps_only_url_values(doi: httpx.Client) -> None:
    values = doi.get("/api/handles/10.5072/ct-dataset-0001", params={"type": "URL"}).json()[
        "values"
    ]
    assert [v["type"] for v in values] == ["URL"]
    assert values[0]["data"]["value"] == "https://data.example.org/dataset/ct-0001"


def test_missing_handle_is_404_with_response_code_100(doi: httpx.Client) -> None:
    response = doi.get("/api/handles/10.1000/does-not-exist")
    assert response.status_code == 404
    assert response.json() == {"responseCode": 100, "handle": "10.1000/does-not-exist"}


def test_encoded_slash_in_the_handle_path_is_not_found(doi: httpx.Client) -> None:
    assert doi.get("/api/handles/10.3322%2Fcaac.20005").status_code == 404


def test_doira_answers_in_input_order_with_the_documented_keys(doi: httpx.Client) -> None:
    documented = real("doc-examples/doiRA_10.5240_B1FA-0EEC-C316-3316-3A73-L.json")
    body = doi.get("/doiRA/10.5072/ct-dataset-0001,10.3322/caac.20005,10.1234/nothing,foo").json()
    assert body[0].keys() == documented[0].keys()
    assert body == [
        {"DOI": "10.5072/ct-dataset-0001", "RA": "DataCite"},
        {"DOI": "10.3322/caac.20005", "RA": "Crossref"},
        {"DOI": "10.1234/nothing", "status": "DOI does not exist"},
        {"DOI": "foo", "status": "Invalid DOI"},
    ]


def test_content_negotiation_redirects_crossref_dois_like_the_recording(
    doi: httpx.Client, emulator_session: Emulator
) -> None:
    response = doi.get("/10.1126/science.169.3946.635", headers={"Accept": "application/x-bibtex"})
    assert response.status_code == 404  # not in the world: the HTML error page
    response = doi.get("/10.3322/caac.20005", headers={"Accept": "application/x-bibtex"})
    recorded = (REAL / "cn_bibtex_step1_doi.org_302.html").read_text(encoding="utf-8")
    assert response.status_code == 302
    assert (
        response.headers["location"]
        == f"{emulator_session.url}/crossref/v1/works/10.3322%2Fcaac.20005/transform"
    )
    assert response.headers["vary"] == "Origin, Accept"
    assert (
        "<title>Handle Redirect</title>" in response.text
        and "<title>Handle Redirect</title>" in recorded
    )


def test_following_content_negotiation_gives_csl_json_from_crossref(doi: httpx.Client) -> None:
    response = doi.get("/10.1530/eje.0.1510531", headers={"Accept": CSL}, follow_redirects=True)
    assert response.status_code == 200
    assert response.headers["x-api-pool"] == "public"  # served (and counted) by Crossref
    csl = response.json()
    assert (
        csl["title"]
        == "The glucagonoma syndrome and necrolytic migratory erythema: a clinical review"
    )
    assert csl["container-title"] == "European Journal of Endocrinology"


def test_apa_text(doi: httpx.Client) -> None:
    text = doi.get(
        "/10.3322/caac.20005",
        headers={"Accept": "text/x-bibliography; style=apa"},
        follow_redirects=True,
    ).text
    recorded = (REAL / "cn_text_x-bibliography_apa.txt").read_text(encoding="utf-8")
    assert text.startswith(
        "Thiers, B. H., Sahn, R. E., & Callen, J. P. (2009). Cutaneous manifestations"
    )
    assert text.endswith("https://doi.org/10.3322/caac.20005\n")
    assert recorded.endswith("https://doi.org/10.1126/science.169.3946.635\n")


def test_datacite_doi_is_answered_directly_with_its_csl(doi: httpx.Client) -> None:
    response = doi.get("/10.5072/ct-dataset-0001", headers={"Accept": CSL})
    assert response.status_code == 200
    assert response.json()["DOI"] == "10.5072/CT-DATASET-0001"  # DataCite keeps upper case


def test_browser_request_redirects_to_the_landing_page(doi: httpx.Client) -> None:
    response = doi.get("/10.1016/j.amjmed.2013.01.012")  # not followed: it points at a real host
    assert response.status_code == 302
    assert (
        response.headers["location"]
        == "https://linkinghub.elsevier.com/retrieve/pii/S0002934313000892"
    )


def test_unknown_doi_is_the_html_not_found_page(doi: httpx.Client) -> None:
    response = doi.get("/10.1126/foo", headers={"Accept": "application/x-bibtex"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>Error: DOI Not Found</title>" in response.text
    assert "<title>Error: DOI Not Found</title>" in (
        REAL / "cn_404_doi_not_found_10.1126_foo.html"
    ).read_text(encoding="utf-8")


def test_not_a_doi_is_the_html_400_page(doi: httpx.Client) -> None:
    response = doi.get("/foo")
    assert response.status_code == 400
    assert "<title>Error: Not a DOI</title>" in response.text
    assert "<title>Error: Not a DOI</title>" in (REAL / "cn_400_invalid_doi_foo.html").read_text(
        encoding="utf-8"
    )
