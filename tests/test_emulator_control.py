"""The control API (over HTTP and through the Python API), statistics, reset and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from citetrack_emulator import Emulator, seed_world
from citetrack_emulator.server import ENV_PATHS

DOI = "10.3322/caac.20005"


@pytest.fixture
def control(emulator: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.url + "/_control", timeout=10) as c:
        yield c


def title(emulator: Emulator, doi: str = DOI) -> object:
    return httpx.get(f"{emulator.url}/crossref/works/{doi}").json()["message"]["title"]


def test_env_points_every_service_at_the_emulator(emulator: Emulator) -> None:
    env = emulator.env()
    assert env == {
        "CITETRACK_CROSSREF_URL": emulator.url + "/crossref",
        "CITETRACK_EUTILS_URL": emulator.url + "/eutils",
        "CITETRACK_IDCONV_URL": emulator.url + "/idconv/",
        "CITETRACK_DOI_URL": emulator.url + "/doi",
        "CITETRACK_WAYBACK_URL": emulator.url + "/wayback",
        "CITETRACK_OPENLIBRARY_URL": emulator.url + "/openlibrary",
        "CITETRACK_GOOGLEBOOKS_URL": emulator.url + "/googlebooks",
        "CITETRACK_WIKI_API_URL": emulator.url + "/mediawiki/w/api.php",
    }
    assert emulator.url.startswith("http://127.0.0.1:")


def test_emulator_env_fixture_sets_the_variables(emulator_env: Emulator) -> None:
    assert os.environ["CITETRACK_CROSSREF_URL"] == emulator_env.url + "/crossref"


def test_patch_changes_a_title_and_adds_a_retraction(
    emulator: Emulator, control: httpx.Client
) -> None:
    retraction = {
        "DOI": "10.5555/notice",
        "type": "retraction",
        "label": "Retraction",
        "source": "publisher",
        "updated": {"date-parts": [[2026, 1, 1]]},
    }
    patch = {
        "crossref_works": {DOI.upper(): {"title": ["A changed title"], "updated-by": [retraction]}}
    }
    assert control.patch("/world", json=patch).json() == {"ok": True}
    message = httpx.get(f"{emulator.url}/crossref/works/{DOI}").json()["message"]
    assert message["title"] == ["A changed title"]
    assert message["updated-by"] == [retraction]
    assert message["volume"] == "59"  # the rest of the record is kept


def test_patch_null_deletes_records(emulator: Emulator, control: httpx.Client) -> None:
    stat = "https://www.ncbi.nlm.nih.gov/books/NBK549779/"
    control.patch("/world", json={"crossref_works": {DOI: None}, "wayback": {stat: None}})
    assert httpx.get(f"{emulator.url}/crossref/works/{DOI}").status_code == 404
    assert httpx.get(f"{emulator.url}/wayback/cdx/search/cdx", params={"url": stat}).text == ""
    assert httpx.get(f"{emulator.url}/doi/api/handles/{DOI}").status_code == 404  # doi.org follows


def test_patch_replaces_a_capture_list(emulator: Emulator) -> None:
    stat = "https://www.ncbi.nlm.nih.gov/books/NBK549779/"
    emulator.patch_world(
        {"wayback": {stat: [{"timestamp": "20240101000000", "statuscode": "404"}]}}
    )
    rows = httpx.get(
        f"{emulator.url}/wayback/cdx/search/cdx", params={"url": stat, "fl": "timestamp,statuscode"}
    ).text
    assert rows == "20240101000000 404\n"


def test_put_replaces_the_world_and_get_returns_it(
    emulator: Emulator, control: httpx.Client
) -> None:
    world = {"crossref_works": {"10.5555/only": {"title": ["Only work"]}}}
    control.put("/world", json=world)
    assert control.get("/world").json() == world
    assert title(emulator, "10.5555/only") == ["Only work"]
    assert httpx.get(f"{emulator.url}/crossref/works/{DOI}").status_code == 404


def test_bad_world_is_refused(control: httpx.Client, emulator: Emulator) -> None:
    assert control.patch("/world", json={"works": {}}).status_code == 400
    assert control.put("/world", json={"pages": {"no-slash": {}}}).status_code == 400
    assert control.patch("/world", content=b"{not json").status_code == 400
    with pytest.raises(ValueError, match="wayback capture"):
        emulator.patch_world({"wayback": {"http://x.org/": [{"timestamp": "2021"}]}})
    assert title(emulator) == ["Cutaneous manifestations of internal malignancy"]  # unchanged


def test_faults_limits_latency_over_http(emulator: Emulator, control: httpx.Client) -> None:
    ids = control.post(
        "/faults", json=[{"service": "crossref", "kind": "status", "code": 500, "times": 1}]
    ).json()["ids"]
    assert [f["id"] for f in control.get("/faults").json()] == ids
    assert httpx.get(f"{emulator.url}/crossref/works/{DOI}").status_code == 500
    assert control.delete(f"/faults/{ids[0]}").json() == {"ok": True}
    assert control.get("/faults").json() == []
    limits = control.post("/limits", json="published").json()
    assert limits["enforce"] is True
    assert limits["buckets"]["crossref:polite:list"]["limit"] == 3
    assert control.post("/latency", json={"ms": 5000, "service": "pages"}).status_code == 200
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(emulator.page_url("/ok"), timeout=0.2)
    assert control.post("/latency", json={"ms": "slow"}).status_code == 400
    assert control.post("/limits", json={"nope": {}}).status_code == 400


def test_stats_count_requests_routes_statuses_and_concurrency(emulator: Emulator) -> None:
    with httpx.Client(base_url=emulator.url) as c:
        c.get(f"/crossref/works/{DOI}")
        c.get("/crossref/works/10.1/missing")
        c.get("/crossref/works", params={"filter": f"doi:{DOI}"})
        c.post("/eutils/esummary.fcgi", data={"db": "pubmed", "id": "19258446", "retmode": "json"})
    stats = emulator.stats()
    crossref = stats["services"]["crossref"]
    assert crossref["requests"] == 3
    assert crossref["routes"] == {"GET /works/{doi}": 2, "GET /works": 1}
    assert crossref["status"] == {"200": 2, "404": 1}
    assert crossref["max_concurrency"] == 1 and crossref["in_flight"] == 0
    assert stats["services"]["eutils"]["routes"] == {"POST esummary.fcgi": 1}
    assert stats["requests"] == 4 and stats["429"] == 0
    assert "_control" not in stats["services"]  # control calls are not counted


def test_reset_restores_the_start(emulator: Emulator, control: httpx.Client) -> None:
    emulator.patch_world({"crossref_works": {DOI: {"title": ["Changed"]}}})
    emulator.add_fault("pages", "status", code=500)
    emulator.set_limits("published")
    emulator.set_latency(1000)
    httpx.get(emulator.page_url("/ok"))
    assert control.post("/reset").json() == {"ok": True}
    assert title(emulator) == ["Cutaneous manifestations of internal malignancy"]
    assert httpx.get(emulator.page_url("/ok"), timeout=0.5).status_code == 200
    assert control.get("/limits").json()["enforce"] is False
    assert emulator.stats()["services"]["pages"]["requests"] == 1  # only the request after reset


def test_world_from_a_file_and_from_a_dict(tmp_path: Path) -> None:
    path = tmp_path / "world.json"
    path.write_text(json.dumps({"pages": {"/x": {"title": "From a file"}}}), encoding="utf-8")
    with Emulator(path) as emu:
        assert "From a file" in httpx.get(emu.page_url("/x")).text
        emu.set_world({"pages": {"/y": {"status": 410}}})
        assert httpx.get(emu.page_url("/x")).status_code == 404
        assert httpx.get(emu.page_url("/y")).status_code == 410
        emu.set_world(None)  # back to the seed world
        assert httpx.get(emu.page_url("/ok")).status_code == 200


def test_start_up_latency_and_limits_arguments() -> None:
    with Emulator(limits="published", latency_ms=5000) as emu:
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(emu.page_url("/ok"), timeout=0.2)
        assert httpx.get(emu.url + "/_control/limits").json()["enforce"] is True


def test_calls_on_a_stopped_emulator_fail_clearly() -> None:
    emu = Emulator()
    with pytest.raises(RuntimeError, match="not running"):
        emu.stats()


def test_seed_world_records_are_labelled() -> None:
    data = Path(__file__).parents[1] / "citetrack_emulator" / "data"
    synthetic = json.loads((data / "seed_world.json").read_text(encoding="utf-8"))
    real = json.loads((data / "real_records.json").read_text(encoding="utf-8"))
    assert "SYNTHETIC" in synthetic["_synthetic"]
    for section in ("crossref_works", "pubmed", "idconv", "handles", "pages"):
        assert all(rec.get("_synthetic") is True for rec in synthetic[section].values()), section
    assert all(
        cap.get("_synthetic") is True for caps in synthetic["wayback"].values() for cap in caps
    )
    for section in ("crossref_works", "pubmed", "idconv", "handles"):
        assert all(rec.get("_source") for rec in real[section].values()), section
    assert all(cap.get("_source") for caps in real["wayback"].values() for cap in caps)
    merged = seed_world()
    assert set(merged["crossref_works"]) == set(synthetic["crossref_works"]) | set(
        real["crossref_works"]
    )


def test_cli_prints_export_lines_and_serves() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "citetrack_emulator", "--port", "0", "--page-hosts", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[1],
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in ENV_PATHS]
        exports = dict(line.removeprefix("export ").split("=", 1) for line in lines)
        assert set(exports) == set(ENV_PATHS)
        base = exports["CITETRACK_CROSSREF_URL"].removesuffix("/crossref")
        assert httpx.get(f"{base}/crossref/works/{DOI}", timeout=10).status_code == 200
        assert (
            httpx.get(base.replace("127.0.0.1", "127.0.0.2") + "/pages/ok", timeout=10).status_code
            == 200
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
