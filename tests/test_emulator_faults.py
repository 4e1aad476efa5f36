"""Every fault kind, observed with a plain httpx client."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import defusedxml
import defusedxml.ElementTree as DET
import httpx
import pytest

from citetrack_emulator import Emulator

WORK = "/crossref/works/10.3322/caac.20005"
EFETCH = "/eutils/efetch.fcgi?db=pubmed&id=19258446"


@pytest.fixture
def client(emulator: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.url, timeout=10) as c:
        yield c


def test_status_fault_twice_then_success(emulator: Emulator, client: httpx.Client) -> None:
    emulator.add_fault("crossref", "status", code=503, times=2)
    assert [client.get(WORK).status_code for _ in range(3)] == [503, 503, 200]
    (rule,) = emulator.faults()
    assert (rule["matched"], rule["applied"]) == (3, 2)
    assert emulator.stats()["services"]["crossref"]["faults"] == {"status": 2}


def test_status_fault_with_retry_after_seconds_or_date(
    emulator: Emulator, client: httpx.Client
) -> None:
    emulator.add_fault("crossref", "status", code=429, retry_after=7, times=1)
    emulator.add_fault(
        "pages", "status", code=503, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}
    )
    limited = client.get(WORK)
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "7")
    assert limited.headers["x-api-pool"] == "public"  # still a Crossref answer
    assert client.get("/pages/ok").headers["retry-after"] == "Wed, 21 Oct 2099 07:28:00 GMT"


def test_status_429_without_body_uses_the_service_style(
    emulator: Emulator, client: httpx.Client
) -> None:
    emulator.add_fault("eutils", "status", code=429)
    body = client.get(
        "/eutils/esummary.fcgi", params={"db": "pubmed", "id": "1", "retmode": "json"}
    ).json()
    assert body["error"] == "API rate limit exceeded"


def test_status_fault_with_own_body(emulator: Emulator, client: httpx.Client) -> None:
    emulator.add_fault("doi", "status", code=500, body="boom", content_type="text/plain")
    response = client.get("/doi/api/handles/10.3322/caac.20005")
    assert (response.status_code, response.text) == (500, "boom")


def test_reset_drops_the_connection(emulator: Emulator, client: httpx.Client) -> None:
    emulator.add_fault("crossref", "reset", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(WORK)
    assert client.get(WORK).status_code == 200
    assert emulator.stats()["services"]["crossref"]["status"] == {"reset": 1, "200": 1}


@pytest.mark.parametrize("kind", ["timeout", "hang"])
def test_hang_outlasts_the_client_timeout(
    emulator: Emulator, client: httpx.Client, kind: str
) -> None:
    emulator.add_fault("idconv", kind)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/idconv/?ids=PMC2883744&format=json", timeout=0.2)


def test_clearing_faults_releases_hung_requests(emulator: Emulator) -> None:
    emulator.add_fault("idconv", "hang", seconds=600)
    with httpx.Client(base_url=emulator.url, timeout=30) as c:
        outcome: list[BaseException] = []

        def call() -> None:
            try:
                c.get("/idconv/?ids=PMC2883744")
            except httpx.HTTPError as exc:
                outcome.append(exc)

        worker = threading.Thread(target=call)
        worker.start()
        while emulator.stats().get("services", {}).get("idconv", {}).get("in_flight") != 1:
            worker.join(0.01)
        emulator.clear_faults()
        worker.join(10)
    assert not worker.is_alive()
    assert isinstance(outcome[0], httpx.RemoteProtocolError)


def test_latency_fault_delays_the_answer_past_a_short_timeout(
    emulator: Emulator, client: httpx.Client
) -> None:
    emulator.add_fault("wayback", "latency", ms=3000, times=1)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/wayback/cdx/search/cdx?url=cnn.com", timeout=0.2)


def test_truncated_body(emulator: Emulator, client: httpx.Client) -> None:
    emulator.add_fault("crossref", "truncated")
    with pytest.raises(httpx.RemoteProtocolError, match=r"complete message body"):
        client.get(WORK)


def test_invalid_json(emulator: Emulator, client: httpx.Client) -> None:
    emulator.add_fault("crossref", "invalid_json")
    response = client.get(WORK)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_wrong_shape_json(emulator: Emulator, client: httpx.Client) -> None:
    emulator.add_fault("*", "wrong_shape_json")
    crossref = client.get(WORK).json()
    eutils = client.get("/eutils/esummary.fcgi?db=pubmed&id=19258446&retmode=json").json()
    assert not isinstance(crossref["message"], dict)
    assert not isinstance(eutils["result"], dict)


def test_html_instead_of_json(emulator: Emulator, client: httpx.Client) -> None:
    emulator.add_fault("idconv", "html_instead_of_json")
    response = client.get("/idconv/?ids=PMC2883744&format=json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_xml_bomb_is_refused_by_a_safe_parser(emulator: Emulator, client: httpx.Client) -> None:
    emulator.add_fault("eutils", "xml_bomb")
    body = client.get(EFETCH).content
    assert b"<!ENTITY lol9" in body
    with pytest.raises(defusedxml.EntitiesForbidden):
        DET.fromstring(body)


def test_xxe_is_refused_by_a_safe_parser(emulator: Emulator, client: httpx.Client) -> None:
    emulator.add_fault("eutils", "xxe")
    with pytest.raises(defusedxml.DefusedXmlException):
        DET.fromstring(client.get(EFETCH).content)


def test_huge_body_is_streamed_not_built(emulator: Emulator, client: httpx.Client) -> None:
    emulator.add_fault("crossref", "huge_body", size=50 * 1024**3)
    with client.stream("GET", WORK) as response:
        assert response.headers["content-length"] == str(50 * 1024**3)
        received = 0
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > 1024**2:
                break
    assert received > 1024**2


def test_slow_drip_keeps_each_read_waiting(emulator: Emulator, client: httpx.Client) -> None:
    emulator.add_fault("crossref", "slow_drip", chunk_bytes=10, interval_ms=1000)
    with pytest.raises(httpx.ReadTimeout):
        client.get(WORK, timeout=httpx.Timeout(5.0, read=0.2))


def test_slow_drip_delivers_the_real_body(emulator: Emulator, client: httpx.Client) -> None:
    expected = client.get(WORK).content
    emulator.add_fault("crossref", "slow_drip", chunk_bytes=4096, interval_ms=0)
    assert client.get(WORK).content == expected


def test_redirect_loop(emulator: Emulator, client: httpx.Client) -> None:
    emulator.add_fault("doi", "redirect_loop")
    with pytest.raises(httpx.TooManyRedirects):
        client.get("/doi/10.3322/caac.20005", follow_redirects=True)


def test_path_method_and_after_select_requests(emulator: Emulator, client: httpx.Client) -> None:
    emulator.add_fault("eutils", "status", code=502, path=r"^/efetch", method="POST", after=1)

    def post() -> int:
        return client.post(
            "/eutils/efetch.fcgi", data={"db": "pubmed", "id": "19258446"}
        ).status_code

    assert client.get(EFETCH).status_code == 200  # GET is not matched
    assert [post(), post(), post()] == [200, 502, 502]  # the first match passes ("after")
    assert client.get("/eutils/esummary.fcgi?db=pubmed&id=1&retmode=json").status_code == 200


def test_probability_is_reproducible_with_a_seed() -> None:
    def pattern() -> list[int]:
        with Emulator() as emu, httpx.Client(base_url=emu.url) as c:
            emu.add_fault("pages", "status", code=500, probability=0.5, seed=42)
            return [c.get("/pages/ok").status_code for _ in range(40)]

    first, second = pattern(), pattern()
    assert first == second
    assert 5 < first.count(500) < 35


def test_first_matching_rule_wins_and_rules_can_be_removed(
    emulator: Emulator, client: httpx.Client
) -> None:
    first = emulator.add_fault("*", "status", code=500)
    emulator.add_fault("crossref", "status", code=418)
    assert client.get(WORK).status_code == 500
    assert emulator.remove_fault(first)
    assert client.get(WORK).status_code == 418
    emulator.clear_faults()
    assert client.get(WORK).status_code == 200


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "meltdown"},
        {"kind": "status", "service": "gopher"},
        {"kind": "reset", "code": 500},
        {"kind": "status", "probability": 2},
    ],
)
def test_bad_fault_rules_are_refused(emulator: Emulator, spec: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        emulator.add_fault(**spec)  # type: ignore[arg-type]
    response = httpx.post(emulator.url + "/_control/faults", json=spec)
    assert response.status_code == 400
