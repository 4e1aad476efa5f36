"""Lying registries (issue 18, items 1, 3, 4, 10): no false verdict, no crash, nothing cached.

Each test runs the real CLI against the local emulator, with one service made to answer
HTTP 200 with a hostile body (an emulator ``status`` fault carrying that body), or against a
small recording HTTP server on 127.0.0.1 that sees the exact request path.  The records are
SYNTHETIC (the emulator's seed world: PMID 19092164, PMC99000003, DOI 10.1056/NEJMc0805992).

* item 1 — a per-record error that is not the registry's own "not found" (PubMed's
  ``cannot get document summary``, the PMC converter's ``Identifier not found in PMC``) is
  unverified, exit 3, and is not cached: a later ``--offline`` run does not turn it broken;
* item 3 — an identifier put into a URL path reaches the server as exactly that identifier:
  dot segments (``/../``), ``?``, ``#`` and ``%`` cannot ask about another DOI;
* item 4 — a 200 answer without the facts (``{"DOI": …}``, an empty DocSum, an idconv
  record without ids) is unverified, "the registry answered without a record";
* item 10 — a lone surrogate (``"\\ud800"``) in a registry record neither crashes the cache
  nor the lockfile write; the run reports normally.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from citetrack.links.wayback import _parse_json_rows
from citetrack_emulator import Emulator
from tests.e2e import Run, by_key, run_cli

PMID = "19092164"
PMCID = "PMC99000003"
DOI = "10.1056/NEJMc0805992"
TITLE = "Small-cell lung cancer and necrolytic migratory erythema"


def _check(bib: Path, env: dict[str, str], *extra: str) -> Run:
    return run_cli(
        "check", str(bib), "--no-links", "--per-host-interval", "0", "-f", "json", *extra, env=env
    )


def _messages(ref: dict[str, Any]) -> str:
    return " | ".join(f["message"] for f in ref["findings"])


def _esummary(record: dict[str, Any]) -> str:
    return json.dumps({"header": {"type": "esummary"}, "result": {"uids": [PMID], PMID: record}})


# -------------------------------------------------------------- item 1: per-record errors


@pytest.mark.parametrize(
    ("service", "path", "body", "entry", "said"),
    [
        pytest.param(
            "eutils",
            r"esummary",
            _esummary({"uid": PMID, "error": "Temporary backend failure, try again later"}),
            f"@article{{pm,\n  title = {{{TITLE}}},\n  pmid = {{{PMID}}},\n}}\n",
            "Temporary backend failure",
            id="esummary-temporary-error",
        ),
        pytest.param(
            "idconv",
            r"ids=",
            json.dumps(
                {
                    "status": "ok",
                    "records": [
                        {
                            "requested-id": PMCID,
                            "status": "error",
                            "errmsg": "service temporarily unavailable",
                        }
                    ],
                }
            ),
            f"@article{{pmc,\n  title = {{Corrected work}},\n  pmcid = {{{PMCID}}},\n}}\n",
            "service temporarily unavailable",
            id="idconv-temporary-errmsg",
        ),
    ],
)
def test_a_temporary_per_record_error_is_unverified_and_never_cached(
    tmp_path: Path, service: str, path: str, body: str, entry: str, said: str
) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(entry, encoding="utf-8")
    lock = tmp_path / "refs.lock"
    with Emulator() as emu:
        env = {**emu.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
        emu.add_fault(
            service, "status", code=200, body=body, content_type="application/json", path=path
        )
        run = _check(bib, env, "--lockfile", str(lock), "--update-lock")
        applied = sum(f["applied"] for f in emu.faults())
    assert applied > 0
    assert "Traceback" not in run.stderr
    assert run.code == 3, run.stderr
    (ref,) = run.json()["references"]
    assert ref["status"] == "unverified", ref
    assert said in _messages(ref)
    assert not any(r.endswith("not-found") for r in {f["rule"] for f in ref["findings"]})
    # Not cached: offline, with the emulator gone, it is "not in cache", never broken.
    offline = _check(bib, {"CITETRACK_CACHE_DIR": str(tmp_path / "cache")}, "--offline")
    assert offline.code == 3, offline.stderr
    (ref,) = offline.json()["references"]
    assert ref["status"] == "unverified"
    assert "not in cache" in _messages(ref)


def test_the_registries_own_not_found_answers_still_mean_not_found(tmp_path: Path) -> None:
    """The other side of item 1: PubMed's "cannot get document summary" stays broken."""
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{pm,\n  title = {x},\n  pmid = {40482261},\n}\n", "utf-8")
    with Emulator() as emu:
        run = _check(
            bib, {**emu.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "c")}, "--no-lockfile"
        )
    assert run.code == 1, run.stderr
    (ref,) = run.json()["references"]
    assert ref["status"] == "broken"
    assert "cannot get document summary" in _messages(ref)


# ---------------------------------------------------------- item 4: 200 without the facts


@pytest.mark.parametrize(
    ("service", "path", "body", "entry"),
    [
        pytest.param(
            "crossref",
            r"^/works",
            json.dumps({"status": "ok", "message": {"DOI": DOI.lower()}}),
            f"@article{{cr,\n  title = {{{TITLE}}},\n  doi = {{{DOI}}},\n}}\n",
            id="crossref-message-with-only-the-doi",
        ),
        pytest.param(
            "eutils",
            r"esummary",
            _esummary({}),
            f"@article{{pm,\n  title = {{{TITLE}}},\n  pmid = {{{PMID}}},\n}}\n",
            id="esummary-empty-record",
        ),
        pytest.param(
            "idconv",
            r"ids=",
            json.dumps({"status": "ok", "records": [{"requested-id": PMCID}]}),
            f"@article{{pmc,\n  title = {{Corrected work}},\n  pmcid = {{{PMCID}}},\n}}\n",
            id="idconv-record-without-ids",
        ),
    ],
)
def test_an_answer_without_the_facts_is_unverified(
    tmp_path: Path, service: str, path: str, body: str, entry: str
) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(entry, encoding="utf-8")
    with Emulator() as emu:
        emu.add_fault(
            service, "status", code=200, body=body, content_type="application/json", path=path
        )
        run = _check(
            bib, {**emu.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "c")}, "--no-lockfile"
        )
        applied = sum(f["applied"] for f in emu.faults())
    assert applied > 0
    assert run.code == 3, (run.stderr, run.stdout)
    (ref,) = run.json()["references"]
    assert ref["status"] == "unverified", ref
    assert "the registry answered without a record" in _messages(ref)


# ---------------------------------------------------- item 3: identifiers in URL paths


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Crossref and doi.org that know no DOI at all; every request path is recorded."""

    paths: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).paths.append(self.path)
        if self.path.startswith("/doi/api/handles/"):
            raw = self.path.removeprefix("/doi/api/handles/").split("?", 1)[0]
            handle = urllib.parse.unquote(raw)
            self._send(404, "application/json", json.dumps({"responseCode": 100, "handle": handle}))
        elif self.path.startswith("/doi/doiRA/"):
            self._send(200, "application/json", "[]")
        elif self.path.startswith("/crossref/works?"):  # a batch: none of them is known
            empty = {"status": "ok", "message": {"items": [], "total-results": 0}}
            self._send(200, "application/json", json.dumps(empty))
        else:  # Crossref's single-work and list routes
            self._send(404, "text/plain", "Resource not found.")

    def _send(self, code: int, content_type: str, body: str) -> None:
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    _Recorder.paths = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.paths
    finally:
        server.shutdown()
        server.server_close()


SMUGGLED = {
    "dotdot": "10.9999/never-registered/../../10.1056/nejmc0805992",
    "dot": "10.9999/./x",
    "query": "10.9999/q?type=url&x=10.1056/nejmc0805992",
    "fragment": "10.9999/f#10.1056/nejmc0805992",
    "percent": "10.9999/a%252f..%252f..%252f10.1056",  # "%" is part of this DOI
}


def test_identifiers_reach_the_server_exactly_as_cited(
    tmp_path: Path, recorder: tuple[str, list[str]]
) -> None:
    url, paths = recorder
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "".join(
            f"@article{{{k},\n  title = {{t}},\n  doi = {{{d}}},\n}}\n" for k, d in SMUGGLED.items()
        ),
        encoding="utf-8",
    )
    env = {
        "CITETRACK_CROSSREF_URL": f"{url}/crossref",
        "CITETRACK_DOI_URL": f"{url}/doi",
        "CITETRACK_CACHE_DIR": str(tmp_path / "c"),
    }
    run = run_cli("check", str(bib), "--no-links", "--no-lockfile", "-f", "json", env=env)
    assert "Traceback" not in run.stderr
    handles = {
        urllib.parse.unquote(p.removeprefix("/doi/api/handles/").split("?", 1)[0])
        for p in paths
        if p.startswith("/doi/api/handles/")
    }
    singles = {
        urllib.parse.unquote(p.removeprefix("/crossref/works/").split("?", 1)[0])
        for p in paths
        if p.startswith("/crossref/works/")
    }
    assert set(SMUGGLED.values()) <= handles, handles
    assert set(SMUGGLED.values()) <= singles, singles
    # Neither server was asked about the DOI smuggled in after the dot segments.
    assert "10.1056/nejmc0805992" not in handles | singles
    report = by_key(run.json())
    for key in SMUGGLED:
        assert report[key]["status"] == "broken", report[key]
        assert "doi-not-found" in {f["rule"] for f in report[key]["findings"]}
    assert run.code == 1


def test_a_dot_segment_doi_is_not_reported_ok_by_the_emulator(tmp_path: Path) -> None:
    """The issue's reproduction: ``10.9999/never-registered/../../<real DOI>`` was "ok"."""
    bib = tmp_path / "refs.bib"
    bib.write_text(
        f"@article{{fake,\n  title = {{{TITLE}}},\n"
        f"  doi = {{10.9999/never-registered/../../{DOI}}},\n}}\n",
        encoding="utf-8",
    )
    with Emulator() as emu:
        run = _check(
            bib, {**emu.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "c")}, "--no-lockfile"
        )
    assert run.code == 1, run.stderr
    (ref,) = run.json()["references"]
    assert ref["status"] == "broken"
    assert "doi-not-found" in {f["rule"] for f in ref["findings"]}


# ------------------------------------------------------------ item 10: lone surrogates


def test_a_lone_surrogate_in_a_record_crashes_neither_cache_nor_lockfile(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(f"@article{{cr,\n  title = {{{TITLE}}},\n  doi = {{{DOI}}},\n}}\n", "utf-8")
    lock = tmp_path / "refs.lock"
    record = {
        "DOI": DOI.lower(),
        "type": "journal-article",
        "title": [TITLE + " \\ud800"],
        "container-title": ["J \\udc00 Things"],
        "author": [{"family": "X\\ud800", "given": "Y"}],
        "issued": {"date-parts": [[2008]]},
    }
    # json.dumps would escape the backslashes; the body must carry the six characters \ud800.
    body = json.dumps({"status": "ok", "message": record}).replace("\\\\u", "\\u")
    assert "\\ud800" in body
    env_cache = {"CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    with Emulator() as emu:
        emu.add_fault(
            "crossref", "status", code=200, body=body, content_type="application/json", path="works"
        )
        run = _check(bib, {**emu.env(), **env_cache}, "--lockfile", str(lock), "--update-lock")
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert run.code in (0, 1), run.stderr
    (ref,) = run.json()["references"]
    assert ref["status"] in ("ok", "warning"), ref
    text = lock.read_text(encoding="utf-8")  # written, and valid UTF-8
    assert "\ufffd" in text or "\\ufffd" in text
    # The cached record is readable offline.
    offline = _check(bib, env_cache, "--offline", "--lockfile", str(lock))
    assert offline.code in (0, 1), offline.stderr
    (ref,) = offline.json()["references"]
    assert ref["status"] in ("ok", "warning")


# ------------------------------------- items 8 and 16: huge values, the Arabic letter mark

FORMATS = ("text", "json", "junit", "sarif", "github", "markdown")


@pytest.fixture(scope="module")
def huge_and_marked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every format's report for a .bib with a 10 MB title (not read) and a 60 KB one,
    against a registry record with a 10 MB title and one whose title carries U+061C
    (ARABIC LETTER MARK, a bidi control)."""
    work = tmp_path_factory.mktemp("huge")
    huge = "Necrolytic erythema " * 500_000  # 10 MB
    long = "Necrolytic erythema " * 3_000  # 60 KB: read, compared, shown shortened
    bib = work / "refs.bib"
    bib.write_text(
        f"@article{{giant,\n  title = {{{huge}}},\n  doi = {{{DOI}}},\n}}\n"
        f"@article{{localhuge,\n  title = {{{long}}},\n  doi = {{{DOI}}},\n}}\n"
        "@article{remotehuge,\n  title = {A small title},\n  doi = {10.5555/huge.record},\n}\n"
        "@article{marked,\n  title = {A plain title},\n  doi = {10.5555/marked.record},\n}\n",
        encoding="utf-8",
    )
    runs: dict[str, Run] = {}
    with Emulator() as emu:
        emu.patch_world(
            {
                "crossref_works": {
                    "10.5555/huge.record": {
                        "DOI": "10.5555/huge.record",
                        "type": "journal-article",
                        "title": [huge],
                        "_synthetic": True,
                    },
                    "10.5555/marked.record": {
                        "DOI": "10.5555/marked.record",
                        "type": "journal-article",
                        "title": ["A \u061cplain\u061c title, really not the same"],
                        "_synthetic": True,
                    },
                }
            }
        )
        env = {**emu.env(), "CITETRACK_CACHE_DIR": str(work / "cache")}
        for fmt in FORMATS:
            runs[fmt] = _check(bib, env, "--no-lockfile", "-v", "-f", fmt)
    return runs


@pytest.mark.parametrize("fmt", FORMATS)
def test_reports_shorten_huge_values_and_show_the_arabic_letter_mark(
    huge_and_marked: dict[str, Run], fmt: str
) -> None:
    run = huge_and_marked[fmt]
    assert "Traceback" not in run.stderr
    assert run.code in (1, 3), run.stderr
    assert len(run.stdout) < 200_000, len(run.stdout)  # not 10 MB, not 200,000 lines
    assert run.stdout.count("\n") < 2_000
    assert "\u061c" not in run.stdout and "\u061c" not in run.stderr
    assert "\\u061c" in run.stdout or "\\\\u061c" in run.stdout


def test_a_registry_record_with_a_10_mb_value_is_not_used(
    huge_and_marked: dict[str, Run],
) -> None:
    report = by_key(huge_and_marked["json"].json())
    remote = report["remotehuge"]
    assert remote["status"] == "unverified", remote
    assert re.search(r"a record with a value of 9,99\d,\d{3} characters", _messages(remote))
    assert "more characters not shown" in json.dumps(report["localhuge"])  # `actual`
    assert "giant" not in report  # a 10 MB .bib value: the entry is not read
    stderr = huge_and_marked["json"].stderr
    assert "entry giant: field title is 10,000,000 characters long" in stderr


def test_a_lone_surrogate_in_a_wayback_cdx_answer_is_cleaned_at_the_edge() -> None:
    header = '["urlkey","timestamp","original","mimetype","statuscode","digest","length"]'
    row = '["k","20200101000000","http://x/\\ud800","text/html","200","D","1"]'
    (capture,) = _parse_json_rows(f"[{header},{row}]")
    assert capture.original == "http://x/\ufffd"
    capture.original.encode("utf-8")  # writable: no UnicodeEncodeError
