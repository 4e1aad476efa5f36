"""PMC ID converter service: legacy (recorded) and current (SYNTHETIC) answer shapes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from citetrack.model import Found, NotFound, Source, Unavailable, WorkMetadata
from citetrack.net import Http, RateLimiter, RateSpec, RequestStats, RetryPolicy
from citetrack.registries.idconv import IdConvService

FIXTURES = Path(__file__).parent / "fixtures" / "real" / "pmc-idconv"
BASE = "https://pmc.test/tools/idconv/api/v1/articles/"
LEGACY = (FIXTURES / "idconv_v1.0_doi_10.1038_ng.590.json").read_bytes()
WRONG_IDTYPE = (FIXTURES / "idconv_v1.0_404_wrong_idtype.json").read_bytes()


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


def service(*answers: httpx.Response) -> tuple[IdConvService, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    time = FakeTime()
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    http = Http(client, policy=RetryPolicy(max_attempts=2), stats=RequestStats(), sleep=time.sleep)
    limiter = RateLimiter("ncbi", RateSpec(3.0, 3), clock=time.clock, sleep=time.sleep)
    svc = IdConvService(http, base_url=BASE, limiter=limiter, email="librarian@example.org")
    return svc, seen


def current(records: list[dict[str, Any]]) -> httpx.Response:
    """SYNTHETIC answer in the current endpoint's shape (api-notes §2.5; no recording)."""
    return httpx.Response(
        200,
        json={
            "status": "ok",
            "responseDate": "2026-11-01 10:00:00",
            "request": "…",
            "records": records,
        },
    )


async def test_legacy_recorded_answer() -> None:
    svc, seen = service(
        httpx.Response(
            200, content=LEGACY, headers={"content-type": "application/json; charset=ISO-8859-1"}
        )
    )
    result = await svc.fetch(["PMC2883744"])
    assert result["PMC2883744"] == Found(
        Source.PMC,
        "PMC2883744",
        WorkMetadata(source=Source.PMC, pmcid="PMC2883744", pmid="20495566", doi="10.1038/ng.590"),
    )
    (request,) = seen
    assert str(request.url).startswith(BASE + "?")
    assert dict(request.url.params) == {
        "ids": "PMC2883744",
        "idtype": "pmcid",
        "format": "json",
        "versions": "no",
        "tool": "citetrack",
        "email": "librarian@example.org",
    }


async def test_current_shape_with_integer_pmid_and_per_record_error() -> None:
    svc, _ = service(
        current(
            [
                {
                    "requested-id": "PMC2883744",
                    "pmcid": "PMC2883744",
                    "pmid": 20495566,
                    "doi": "10.1038/ng.590",
                },
                {
                    "requested-id": "PMC99999999",
                    "status": "error",
                    "errmsg": "Identifier not found in PMC",
                },
            ]
        )
    )
    result = await svc.fetch(["pmc2883744", "PMC99999999"])
    found = result["pmc2883744"]
    assert isinstance(found, Found)
    assert found.metadata.pmid == "20495566"
    assert result["PMC99999999"] == NotFound(
        Source.PMC, "PMC99999999", "PMC: Identifier not found in PMC"
    )


async def test_legacy_error_record_without_ids_matches_by_position() -> None:
    # SYNTHETIC, shaped like the 2015 legacy error record quoted in api-notes §2.5.
    svc, _ = service(
        current(
            [
                {
                    "pmid": "10987149",
                    "live": "false",
                    "status": "error",
                    "errmsg": "invalid article id",
                }
            ]
        )
    )
    result = await svc.fetch(["PMC1"])
    assert result["PMC1"] == NotFound(Source.PMC, "PMC1", "PMC: invalid article id")


async def test_request_level_error_is_unavailable() -> None:
    svc, _ = service(httpx.Response(404, content=WRONG_IDTYPE))
    result = await svc.fetch(["PMC2883744"])
    evidence = result["PMC2883744"]
    assert isinstance(evidence, Unavailable)
    assert "ID type 'doi' mismatch for '28371833'" in evidence.reason


async def test_record_missing_from_the_answer_is_unavailable() -> None:
    svc, _ = service(current([{"requested-id": "PMC1", "pmcid": "PMC1", "pmid": "5"}]))
    result = await svc.fetch(["PMC1", "PMC2"])
    assert isinstance(result["PMC1"], Found)
    assert isinstance(result["PMC2"], Unavailable)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, content=b"<html>maintenance</html>"),
        httpx.Response(200, json={"status": "ok", "records": {"a": 1}}),
        httpx.Response(200, content=LEGACY[:40]),
    ],
)
async def test_garbage_is_unavailable(answer: httpx.Response) -> None:
    svc, _ = service(answer)
    assert isinstance((await svc.fetch(["PMC2883744"]))["PMC2883744"], Unavailable)


async def test_batches_of_200() -> None:
    svc, seen = service(current([]))
    await svc.fetch([f"PMC{i}" for i in range(1, 451)])
    assert sorted(len(r.url.params["ids"].split(",")) for r in seen) == [50, 200, 200]
