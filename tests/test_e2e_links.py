"""End-to-end: the real ``citetrack check`` CLI checks web links and archived copies.

Every run is the installed CLI in a subprocess against the local emulator
(:mod:`citetrack_emulator`), with the SYNTHETIC bibliographies of ``tests/data/links``.  The
emulator's pages live on 127.0.0.x, so runs pass ``--allow-private-urls`` (except the test
showing that without it nothing is fetched), and ``--per-host-interval 0 --timeout 1`` to stay
quick.  No test sleeps; the CLI itself honours ``Retry-After: 1`` and paces the Wayback CDX
server (24 requests a minute, one every 2.5 s), which is why a run can take a few seconds.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, Run, by_key, rules, run_cli
from tests.test_reliability_harness import run_measured

DATA = Path(__file__).parent / "data" / "links"
FAST = ("--per-host-interval", "0", "--timeout", "1")
JSON = ("--no-lockfile", "-f", "json")
TWO_GB = 2 * 1024**3

#: Pages the tests add to the emulator's seed world (SYNTHETIC).
E2E_PAGES: dict[str, dict[str, Any]] = {
    "/e2e/forbidden": {"status": 403, "title": "Forbidden"},
    "/e2e/429": {"status": 429, "retry_after": 1, "title": "Too Many Requests"},
    "/e2e/503": {"status": 503, "retry_after": 1, "title": "Service Unavailable"},
    # The title and heading arrive at once, the rest of the body at 256 bytes a second.
    "/e2e/slow-body": {
        "body": "<!DOCTYPE html><html><head><title>Slow article</title></head><body>"
        "<h1>Slow article</h1>" + "<p>More of the article.</p>" * 2000,
        "drip": {"chunk_bytes": 256, "interval_ms": 1000},
    },
    "/e2e/report.pdf": {"head_status": 405, "content_type": "application/pdf", "size": TWO_GB},
    "/e2e/huge.html": {"content_type": "text/html", "size": TWO_GB},
}
for _page in E2E_PAGES.values():
    _page["_synthetic"] = True


def materialise(name: str, emulator: Emulator, directory: Path) -> Path:
    """``tests/data/links/NAME`` with ``http://emulator-N`` replaced by a real address."""
    text = (DATA / name).read_text(encoding="utf-8")
    text = re.sub(
        r"http://emulator-(\d+)",
        lambda m: f"http://{emulator.hosts[int(m.group(1))]}:{emulator.port}",
        text,
    )
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def env_for(emulator: Emulator, directory: Path) -> dict[str, str]:
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(directory / "cache")}


def pages_requests(emulator: Emulator) -> int:
    return int(emulator.stats()["services"].get("pages", {}).get("requests", 0))


def run_cli_measured(*args: str, env: dict[str, str], directory: Path) -> tuple[Run, int]:
    """:func:`tests.e2e.run_cli`, plus the CLI process's own peak resident set in KiB.

    Measured through the small launcher of ``tests.test_reliability_harness``: a process
    forked straight from pytest starts with pytest's resident set (hundreds of MB late in a
    full run), which ``ru_maxrss`` would then report as the CLI's.
    """
    measured = run_measured(*args, env=env, cwd=directory)
    run = Run(measured.code, measured.stdout, measured.stderr)
    return run, int(measured.max_rss_mib * 1024)


def link_of(reference: dict[str, Any]) -> dict[str, Any]:
    (link,) = reference["links"]
    return dict(link)


#: Runs the real CLI (``citetrack.cli.main``) with two test-only changes:
#:
#: * a tripwire under every connection: one to anything but a loopback address fails with
#:   "TEST TRIPWIRE" instead of sending a packet, so that a broken address guard fails the
#:   scenarios that redirect to 169.254.169.254 / 10.0.0.1 without reaching those addresses;
#: * with ``CITETRACK_TEST_DNS`` (JSON ``{name: [addresses]}``), DNS answers from that table
#:   and says "no such name" for every other name, so that a test can say what DNS answers
#:   for real host names without asking real DNS.
_GUARDED_CLI = """
import ipaddress, json, os, socket, sys
import httpcore
import citetrack.links.checker as links
import citetrack.net.urlsafety as urlsafety

_connect = httpcore.AnyIOBackend.connect_tcp
async def connect_tcp(self, host, port, *args, **kwargs):
    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise httpcore.ConnectError(f"TEST TRIPWIRE: a connection to {host} was attempted")
    return await _connect(self, host, port, *args, **kwargs)
httpcore.AnyIOBackend.connect_tcp = connect_tcp

if "CITETRACK_TEST_DNS" in os.environ:
    table = json.loads(os.environ["CITETRACK_TEST_DNS"])
    async def resolver(host, port):
        if host in table:
            return table[host]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    urlsafety.default_resolver = links.default_resolver = resolver

from citetrack.cli import main
main(sys.argv[1:])
"""


def run_cli_guarded(
    *args: str, env: dict[str, str], dns: dict[str, list[str]] | None = None
) -> Run:
    """:func:`tests.e2e.run_cli` (same clean environment) under :data:`_GUARDED_CLI`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CITETRACK_", "NCBI_"))}
    base |= env
    if dns is not None:
        base["CITETRACK_TEST_DNS"] = json.dumps(dns)
    proc = subprocess.run(
        [sys.executable, "-c", _GUARDED_CLI, *args],
        capture_output=True, text=True, env=base, timeout=120, check=False,
    )  # fmt: skip
    assert "TEST TRIPWIRE" not in proc.stdout + proc.stderr
    return Run(proc.returncode, proc.stdout, proc.stderr)


# ------------------------------------------------------------- every verdict, one run


@pytest.fixture(scope="module")
def scenario_emulator() -> Iterator[Emulator]:
    with Emulator(page_hosts=6) as emulator:
        emulator.patch_world({"pages": E2E_PAGES})
        yield emulator


@pytest.fixture(scope="module")
def scenarios(
    scenario_emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """One CLI run over ``scenarios.bib``: the exit code and the references of the report."""
    directory = tmp_path_factory.mktemp("scenarios")
    bib = materialise("scenarios.bib", scenario_emulator, directory)
    run = run_cli_guarded(
        "check", str(bib), "--links-only", "--allow-private-urls", *FAST, *JSON,
        env=env_for(scenario_emulator, directory),
    )  # fmt: skip
    assert "Traceback" not in run.stderr
    return {"code": run.code, "refs": by_key(run.json())}


# key: (reference status, [(rule, severity)], link verdict, HTTP status, reason (a regular
#       expression; "E/" stands for the cited URL's origin), redirect hops, final URL (paths
#       on that origin, or absolute))
SCENARIOS: dict[str, tuple[str, list[tuple[str, str]], str, int | None, str, list[str], str]] = {
    "ok": ("ok", [], "ok", 200, "^$", [], "/pages/ok"),
    "moved301": (
        "warning", [("url-redirected", "warning")], "redirected", 200,
        "^moved permanently to E/pages/ok$", ["/pages/ok"], "/pages/ok",
    ),
    "moved308": (
        "warning", [("url-redirected", "warning")], "redirected", 200,
        "^moved permanently to E/pages/ok$", ["/pages/ok"], "/pages/ok",
    ),
    "temporary302": (
        "ok", [], "ok", 200, "^temporarily redirected to E/pages/ok$", ["/pages/ok"], "/pages/ok",
    ),
    # 301 → 302 → 307: the permanent part of the chain is the new address.
    "chain": (
        "warning", [("url-redirected", "warning")], "redirected", 200,
        "^moved permanently to E/pages/chain/2; the chain then ends at E/pages/ok$",
        ["/pages/chain/2", "/pages/chain/3", "/pages/ok"], "/pages/chain/2",
    ),
    "missing": (
        "broken", [("url-dead", "broken")], "dead", 404, "^HTTP 404$", [], "/pages/missing",
    ),
    "gone": ("broken", [("url-dead", "broken")], "dead", 410, "^HTTP 410$", [], "/pages/gone"),
    "forbidden": (
        "unverified", [("url-blocked", "unverified")], "blocked", 403,
        r"^HTTP 403: access refused \(often a bot filter\); not verified$", [],
        "/pages/e2e/forbidden",
    ),
    "botwall": (
        "unverified", [("url-blocked", "unverified")], "blocked", 403,
        r"Cloudflare challenge \(cf-mitigated: challenge\)", [], "/pages/bot-wall",
    ),
    "ratelimited": (
        "unverified", [("url-blocked", "unverified")], "blocked", 429,
        r"^HTTP 429 \(rate limited\); the server asked to retry after 120 s, later than the "
        r"60 s this check waits; not verified$", [], "/pages/rate-limited",
    ),
    "ratelimitedbriefly": (
        "unverified", [("url-blocked", "unverified")], "blocked", 429,
        r"^HTTP 429 \(rate limited\) after 3 attempts; not verified$", [], "/pages/e2e/429",
    ),
    "unavailable": (
        "unverified", [("url-unverified", "unverified")], "unavailable", 503,
        "^HTTP 503; the server asked to retry at Wed, 21 Oct 2099 07:28:00 GMT", [],
        "/pages/unavailable",
    ),
    "unavailablebriefly": (
        "unverified", [("url-unverified", "unverified")], "unavailable", 503,
        "^HTTP 503 after 3 attempts$", [], "/pages/e2e/503",
    ),
    "loop": (
        "unverified", [("url-unverified", "unverified")], "unavailable", None,
        "^redirect loop at E/pages/loop/a$",
        ["/pages/loop/b", "/pages/loop/a", "/pages/loop/b", "/pages/loop/a"], "/pages/loop/a",
    ),
    # One byte every 500 ms: given up after the read timeout, the page is there (200).
    "slowdrip": (
        "ok", [], "ok", 200,
        "^the page body arrived too slowly and was read only in part; "
        "the soft-404 check could not be made$", [], "/pages/slow-drip",
    ),
    "slowbody": ("ok", [], "ok", 200, "^$", [], "/pages/e2e/slow-body"),
    "soft404": (
        "warning", [("url-soft-404", "warning")], "soft-404", 200,
        "^HTTP 200 but the page title says 'Page not found'$", [], "/pages/soft-404",
    ),
    "deeplink": (
        "warning", [("url-soft-404", "warning")], "soft-404", 200,
        "^deep link redirected to a parent page E/pages/journal/$", ["/pages/journal/"],
        "/pages/journal/",
    ),
    "privatemetadata": (
        "warning", [("url-refused", "warning")], "refused", None,
        "^redirect to http://169.254.169.254/latest/meta-data: 169.254.169.254 is the cloud "
        "metadata address$", ["http://169.254.169.254/latest/meta-data"],
        "http://169.254.169.254/latest/meta-data",
    ),
    "private10": (
        "warning", [("url-refused", "warning")], "refused", None,
        r"^redirect to http://10.0.0.1/: 10.0.0.1 is a private address \(RFC 1918\) \(a redirect "
        r"may lead only to public addresses and to the kind of address the cited URL itself has\)$",
        ["http://10.0.0.1/"], "http://10.0.0.1/",
    ),
    "pdfnohead": ("ok", [], "ok", 200, "^$", [], "/pages/e2e/report.pdf"),
}  # fmt: skip


@pytest.mark.parametrize("key", list(SCENARIOS))
def test_link_verdict_and_evidence(key: str, scenarios: dict[str, Any]) -> None:
    status, expected_rules, verdict, code, reason, hops, final = SCENARIOS[key]
    ref = scenarios["refs"][key]
    link = link_of(ref)
    origin = link["url"].split("/pages/")[0]
    absolute = [h if h.startswith("http") else origin + h for h in hops]
    assert ref["status"] == status
    assert [(f["rule"], f["severity"]) for f in ref["findings"]] == expected_rules
    assert link["verdict"] == verdict
    assert link["status_code"] == code
    assert re.search(reason.replace("E/", re.escape(origin) + "/"), link["reason"]), link
    assert link["redirects"] == absolute
    assert link["final_url"] == (final if final.startswith("http") else origin + final)
    for finding in ref["findings"]:
        assert finding["actual"] == link["url"]  # the cited URL
        assert finding["source"] == "web"
        assert finding["field"] == "url"
    if verdict == "redirected":  # the new address, to write into the .bib
        assert ref["findings"][0]["expected"] == ref["findings"][0]["suggestion"] == absolute[0]


def test_scenario_run_exits_1_for_the_dead_links(scenarios: dict[str, Any]) -> None:
    assert scenarios["code"] == 1


def test_retry_after_is_honoured_on_the_wire(
    scenarios: dict[str, Any], scenario_emulator: Emulator
) -> None:
    """``Retry-After: 1``: three attempts, each at least a second after the one before."""
    hosts = scenario_emulator.stats()["pages_hosts"]
    for address in (scenario_emulator.hosts[2], scenario_emulator.hosts[3]):  # 429, 503
        times = hosts[address]["timestamps"]
        assert len(times) == 3
        assert all(b - a >= 0.99 for a, b in itertools.pairwise(times))
    # Retry-After beyond the cap (120 s, a date in 2099): asked once, not waited for.
    assert hosts[scenario_emulator.hosts[1]]["requests"] == 2  # /rate-limited, /unavailable


def test_one_request_per_page_and_head_only_where_it_helps(
    scenarios: dict[str, Any], scenario_emulator: Emulator
) -> None:
    routes = scenario_emulator.stats()["services"]["pages"]["routes"]
    assert routes["GET /soft-404"] == 1  # status and soft-404 evidence from one GET
    assert routes["GET /missing"] == 1
    assert not any(r.startswith("HEAD ") for r in routes if "report.pdf" not in r)
    # A file URL: HEAD first; this server refuses HEAD (405), so GET, body left unread.
    assert routes["HEAD /e2e/report.pdf"] == routes["GET /e2e/report.pdf"] == 1
    # The private redirects were refused before any connection: one request each.
    assert routes["GET /private-redirect"] == routes["GET /private-redirect-10"] == 1
    assert routes["GET /e2e/slow-body"] == routes["GET /slow-drip"] == 1


# ---------------------------------------------------------------------- bodies


def test_two_gigabyte_bodies_are_not_downloaded(emulator: Emulator, tmp_path: Path) -> None:
    emulator.patch_world({"pages": E2E_PAGES})
    bib = tmp_path / "huge.bib"
    bib.write_text(
        "".join(
            f"@misc{{{key},\n  title = {{{key}}},\n  url = {{{emulator.page_url(path)}}},\n}}\n\n"
            for key, path in (
                ("octets", "/huge"),  # 2 GB of application/octet-stream
                ("html", "/e2e/huge.html"),  # 2 GB served as text/html
                ("pdf", "/e2e/report.pdf"),  # 2 GB PDF, HEAD refused
            )
        ),
        encoding="utf-8",
    )
    run, peak_kib = run_cli_measured(
        "check", str(bib), "--links-only", "--allow-private-urls", *FAST, *JSON,
        env=env_for(emulator, tmp_path), directory=tmp_path,
    )  # fmt: skip
    assert run.code == 0, run.stderr
    refs = by_key(run.json())
    assert {k: link_of(r)["verdict"] for k, r in refs.items()} == dict.fromkeys(refs, "ok")
    pages = emulator.stats()["services"]["pages"]
    # Every GET was cut off by citetrack ("reset": the client hung up mid-body); none of the
    # three bodies was sent to the end.
    assert pages["status"] == {"reset": 3, "405": 1}
    # The CLI process never held anything near 2 GB (its own peak resident set).
    assert peak_kib < 256 * 1024, peak_kib  # about 60 MiB in practice


# ------------------------------------------------------------------------- safety


def test_without_allow_private_urls_nothing_is_fetched(emulator: Emulator, tmp_path: Path) -> None:
    bib = tmp_path / "local.bib"
    bib.write_text(
        f"@misc{{emulator, title = {{x}}, url = {{{emulator.page_url('/ok')}}}}}\n"
        f"@misc{{byname, title = {{y}}, url = {{http://localhost:{emulator.port}/pages/ok}}}}\n"
        "@misc{metadata, title = {z}, url = {http://169.254.169.254/latest/meta-data/}}\n"
        "@misc{ftp, title = {w}, url = {ftp://ftp.example.org/pub/paper.pdf}}\n",
        encoding="utf-8",
    )
    run = run_cli_guarded(
        "check", str(bib), "--links-only", *FAST, *JSON, env=env_for(emulator, tmp_path)
    )
    assert run.code == 0, run.stderr  # refused links are warnings: nothing broken
    refs = by_key(run.json())
    for key in ("emulator", "byname", "metadata", "ftp"):
        # (the ftp reference also gets compare's "no-identifier" note: identifiers.py
        # drops non-http URLs without reporting them)
        assert rules(refs[key]) - {"no-identifier"} == {"url-refused"}
        assert link_of(refs[key])["verdict"] == "refused"
    assert "127.0.0.1 is a loopback address" in link_of(refs["emulator"])["reason"]
    assert link_of(refs["byname"])["reason"] == "localhost is the local machine"
    assert "cloud metadata" in link_of(refs["metadata"])["reason"]
    assert "only http and https" in link_of(refs["ftp"])["reason"]
    assert pages_requests(emulator) == 0


def test_allow_private_urls_still_refuses_the_metadata_address(
    emulator: Emulator, tmp_path: Path
) -> None:
    bib = tmp_path / "metadata.bib"
    bib.write_text(
        "@misc{metadata, title = {z}, url = {http://169.254.169.254/latest/meta-data/}}\n",
        encoding="utf-8",
    )
    run = run_cli_guarded(
        "check", str(bib), "--links-only", "--allow-private-urls", *FAST, *JSON,
        env=env_for(emulator, tmp_path),
    )  # fmt: skip
    link = link_of(by_key(run.json())["metadata"])
    assert link["verdict"] == "refused"
    assert link["reason"] == "169.254.169.254 is the cloud metadata address"


# --------------------------------------------------------------------- the stages


def test_no_links_and_links_only(emulator: Emulator, tmp_path: Path) -> None:
    bib = tmp_path / "both.bib"
    bib.write_text(
        "@article{thiers2009cutaneous,\n  title = {Cutaneous manifestations of internal "
        "malignancy},\n  doi = {10.3322/caac.20005},\n"
        f"  url = {{{emulator.page_url('/missing')}}},\n}}\n",
        encoding="utf-8",
    )
    env = env_for(emulator, tmp_path)
    flags = ("--allow-private-urls", *FAST, *JSON, "--no-cache")

    no_links = run_cli("check", str(bib), "--no-links", *flags, env=env)
    assert no_links.code == 0, no_links.stderr
    ref = by_key(no_links.json())["thiers2009cutaneous"]
    assert ref["links"] == [] and ref["archives"] == []
    services = emulator.stats()["services"]
    assert services["crossref"]["requests"] >= 1
    assert "pages" not in services and "wayback" not in services

    emulator.reset()
    links_only = run_cli("check", str(bib), "--links-only", *flags, env=env)
    assert links_only.code == 1  # the URL is dead
    ref = by_key(links_only.json())["thiers2009cutaneous"]
    assert rules(ref) == {"url-dead"}
    assert link_of(ref)["verdict"] == "dead"
    services = emulator.stats()["services"]
    assert services["pages"]["requests"] == 1
    assert "crossref" not in services and "eutils" not in services

    both = run_cli("check", str(bib), "--no-links", "--links-only", *flags, env=env)
    assert both.code == 2
    assert "contradict" in both.stderr


def test_doi_links_are_checked_as_identifiers_not_fetched(
    emulator: Emulator, tmp_path: Path
) -> None:
    bib = materialise("doi_urls.bib", emulator, tmp_path)
    run = run_cli("check", str(bib), "--allow-private-urls", *FAST, *JSON, "-v",
                  env=env_for(emulator, tmp_path))  # fmt: skip
    report = run.json()
    refs = by_key(report)
    doi_link = refs["doilinkonly"]
    assert doi_link["identifiers"]["doi"] == "10.3322/caac.20005"  # taken from the URL
    assert doi_link["links"] == []  # not visited as a web page
    (title,) = [f for f in doi_link["findings"] if f["field"] == "title"]
    assert title["source"] == "crossref"
    assert title["expected"] == "Cutaneous manifestations of internal malignancy"
    unregistered = refs["dxdoiunregistered"]
    assert unregistered["identifiers"]["doi"] == "10.5555/ct.never-registered.2020"
    assert rules(unregistered) == {"doi-not-found"}
    assert run.code == 1
    services = emulator.stats()["services"]
    assert "pages" not in services  # no web request to a publisher (or to doi.org pages)
    assert services["crossref"]["requests"] >= 1
    assert not any(r.startswith("GET /10.") for r in services.get("doi", {}).get("routes", {}))
    assert "links" not in report["requests"]


def test_per_host_interval_spaces_requests_to_one_host(emulator: Emulator, tmp_path: Path) -> None:
    paths = ["/ok", "/article/nme-review", "/soft-404", "/redirect/302"]
    bib = tmp_path / "paced.bib"
    bib.write_text(
        "".join(
            f"@misc{{k{n}, title = {{t}}, url = {{{emulator.page_url(p)}}}}}\n"
            for n, p in enumerate(paths)
        ),
        encoding="utf-8",
    )
    run = run_cli(
        "check", str(bib), "--links-only", "--allow-private-urls", "--per-host-interval", "0.3",
        *JSON, env=env_for(emulator, tmp_path),
    )  # fmt: skip
    assert run.code == 0, run.stderr
    times = emulator.stats()["pages_hosts"][emulator.hosts[0]]["timestamps"]
    assert len(times) == 5  # four pages and the redirect's target
    assert all(b - a >= 0.29 for a, b in itertools.pairwise(times))


# ------------------------------------------------------------------------- archives


def _captures(origin: str) -> dict[str, list[dict[str, str]]]:
    def capture(timestamp: str, code: str) -> dict[str, str]:
        return {"timestamp": timestamp, "statuscode": code, "mimetype": "text/html"}

    return {
        f"{origin}/pages/ok": [capture("20200101120000", "200")],
        f"{origin}/pages/article/nme-review": [
            capture("20190201000000", "200"),
            capture("20190301000000", "404"),
        ],
        f"{origin}/pages/missing": [
            capture("20180101000000", "200"),
            capture("20190301000000", "200"),
            capture("20190420000000", "404"),
            capture("20200101000000", "200"),
        ],
        f"{origin}/pages/gone": [capture("20170601000000", "200")],
    }


def test_cited_archives_and_captures_of_dead_links(emulator: Emulator, tmp_path: Path) -> None:
    origin = f"http://127.0.0.1:{emulator.port}"
    emulator.patch_world({"wayback": _captures(origin)})
    bib = materialise("archives.bib", emulator, tmp_path)
    run = run_cli(
        "check", str(bib), "--links-only", "--allow-private-urls", *FAST, *JSON,
        env=env_for(emulator, tmp_path),
    )  # fmt: skip
    assert run.code == 1, run.stderr
    refs = by_key(run.json())
    replay = f"{origin}/wayback/web"  # the emulator stands in for https://web.archive.org

    good = refs["archivegood"]
    assert good["status"] == "ok" and good["findings"] == []
    (archive,) = good["archives"]
    assert (archive["available"], archive["timestamp"], archive["original_status"]) == (
        True,
        "20200101120000",
        200,
    )

    (invalid,) = refs["archiveof404"]["findings"]
    assert (invalid["rule"], invalid["severity"], invalid["field"]) == (
        "archive-invalid",
        "warning",
        "archiveurl",
    )
    assert "answered HTTP 404 when captured at 20190301000000" in invalid["message"]
    assert invalid["actual"].startswith("https://web.archive.org/web/20190301000000/")
    assert invalid["suggestion"] == f"{replay}/20190201000000/{origin}/pages/article/nme-review"

    (none,) = refs["archivenone"]["findings"]
    assert none["rule"] == "archive-invalid"
    assert "has no capture of" in none["message"]
    assert none["suggestion"] is None

    (dead,) = refs["deadwithcaptures"]["findings"]
    assert (dead["rule"], dead["severity"]) == ("url-dead", "broken")
    # The last capture with status 200 on or before the access date (2019-05-01): not the
    # 404 of 2019-04-20, not the later 2020 one.
    assert dead["suggestion"] == f"{replay}/20190301000000/{origin}/pages/missing"
    assert "captured 2019-03-01" in dead["message"]

    (noted,) = refs["deadcitedarchive"]["findings"]
    assert (noted["rule"], noted["severity"]) == ("url-dead", "note")
    assert "The cited archived copy works" in noted["message"]


def test_archive_missing_only_with_archives_all(emulator: Emulator, tmp_path: Path) -> None:
    bib = tmp_path / "live.bib"
    bib.write_text(
        f"@misc{{live, title = {{x}}, url = {{{emulator.page_url('/ok')}}}}}\n", encoding="utf-8"
    )
    env = env_for(emulator, tmp_path)
    flags = ("--links-only", "--allow-private-urls", *FAST, *JSON)
    cited = run_cli("check", str(bib), *flags, env=env)
    assert rules(by_key(cited.json())["live"]) == set()
    assert "wayback" not in emulator.stats()["services"]  # not asked by default

    every = run_cli("check", str(bib), *flags, "--archives", "all", env=env)
    assert every.code == 0
    (note,) = by_key(every.json())["live"]["findings"]
    assert (note["rule"], note["severity"], note["source"]) == (
        "archive-missing",
        "note",
        "wayback",
    )
    assert emulator.stats()["services"]["wayback"]["requests"] == 1


# ------------------------------------------------------------------ the seed article


def test_seed_references_without_urls_get_a_note_and_no_request(
    emulator: Emulator, tmp_path: Path
) -> None:
    run = run_cli("check", str(SEED_BIB), "--links-only", *FAST, *JSON,
                  env=env_for(emulator, tmp_path))  # fmt: skip
    assert run.code == 0, run.stderr
    refs = by_key(run.json())
    archived = ("foss2021necrolytic", "echeniqueelizondo2004glucagonoma", "patterson2019weedons")
    for key in archived:
        (note,) = [f for f in refs[key]["findings"] if f["rule"] == "url-missing"]
        assert (note["severity"], note["source"], note["field"]) == ("note", "citation", "url")
        assert "archivedate = 2021-08-29" in note["message"]
        assert refs[key]["status"] == "unchecked"  # nothing confirmed it (issue 12)
        # No DOI, PMID or URL either (only an ISSN / ISBN): compare's note says so too.
        assert rules(refs[key]) == {"no-identifier", "url-missing"}
    others = [f["rule"] for k in refs if k not in archived for f in refs[k]["findings"]]
    assert not [r for r in others if r.startswith(("url-", "archive-"))]
    assert emulator.stats()["requests"] == 0


def test_seed_with_urls_offline_verifies_the_cited_archives(
    emulator: Emulator, tmp_path: Path
) -> None:
    """The seed's archived references with their URLs, on a machine whose DNS knows no name
    (as in a sandbox): the links are unverified, never dead; the cited captures are
    verified against the (emulated) Wayback Machine."""
    env = env_for(emulator, tmp_path)
    run = run_cli_guarded(
        "check", str(DATA / "seed_with_urls.bib"), "--links-only", *FAST, *JSON, env=env, dns={}
    )
    assert run.code == 3, run.stderr  # nothing broken, something unverified
    refs = by_key(run.json())
    captures = {
        "foss2021necrolytic": "20210829063012",
        "echeniqueelizondo2004glucagonoma": "20210829071545",
        "patterson2019weedons": "20210829080233",
    }
    for key, timestamp in captures.items():
        ref = refs[key]
        assert rules(ref) == {"url-unverified"}
        link = link_of(ref)
        assert link["verdict"] == "unavailable"
        assert "no host name resolved in this run" in link["reason"]
        (archive,) = ref["archives"]
        assert (archive["available"], archive["timestamp"], archive["original_status"]) == (
            True,
            timestamp,
            200,
        )
    assert emulator.stats()["services"]["wayback"]["requests"] == 3
    assert pages_requests(emulator) == 0
