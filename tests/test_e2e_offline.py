"""``--offline`` with an empty cache, through the real CLI and the emulator (issue 12).

Offline means no request at all: not to the registries, not to the web pages a .bib
links to, not to the Wayback Machine.  What could not be checked is one summary line, and
``lock --offline`` says that its baseline has no evidence for those references.
SYNTHETIC .bib data.
"""

from __future__ import annotations

from pathlib import Path

from citetrack_emulator import Emulator
from tests.e2e import by_key, run_cli


def _bib(emulator: Emulator, tmp_path: Path) -> Path:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@misc{page, title = {A page that exists},\n"
        f"  url = {{{emulator.page_url('/ok')}}}}}\n"
        "@misc{archived, title = {An archived page},\n"
        f"  url = {{{emulator.page_url('/missing')}}},\n"
        "  archiveurl = {https://web.archive.org/web/20200101000000/http://example.org/}}\n"
        "@article{cr, title = {A title}, year = {2009}, doi = {10.3322/caac.20005}}\n",
        encoding="utf-8",
    )
    return bib


def _requests(emulator: Emulator) -> dict[str, int]:
    services = emulator.stats()["services"]
    return {name: int(s.get("requests", 0)) for name, s in services.items()}


def test_offline_fetches_no_page_and_asks_no_archive(emulator: Emulator, tmp_path: Path) -> None:
    bib = _bib(emulator, tmp_path)
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "empty-cache")}
    args = ("check", str(bib), "--offline", "--allow-private-urls")
    run = run_cli(*args, "-f", "json", env=env)
    assert run.code == 3, run.stderr  # nothing broken, nothing verified
    assert not any(_requests(emulator).values()), _requests(emulator)
    refs = by_key(run.json())
    assert "url-unverified" in {f["rule"] for f in refs["page"]["findings"]}
    assert "archive-unverified" in {f["rule"] for f in refs["archived"]["findings"]}
    assert all(r["status"] == "unverified" for r in refs.values())  # never "ok"
    (cause,) = run.json()["causes"]
    assert cause["line"] == (
        "offline: registry checks skipped for 3 references (DOI, search, URL, archive); run "
        "without --offline to verify"
    )
    text = run_cli(*args, env=env)
    assert " ".join(text.stdout.split()).count("offline: registry checks skipped") == 1


def test_lock_offline_says_its_baseline_has_no_evidence(emulator: Emulator, tmp_path: Path) -> None:
    bib = _bib(emulator, tmp_path)
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "empty-cache")}
    run = run_cli("lock", str(bib), "--offline", "--allow-private-urls", env=env)
    assert run.code == 0, run.stderr
    assert "warning: offline: registry checks skipped for 3 references" in run.stderr
    assert "the lockfile records nothing new for these" in run.stderr


def test_checks_skipped_by_an_option_are_said_once(emulator: Emulator, tmp_path: Path) -> None:
    # A fabricated DOI with a live URL: --links-only must not present the reference as
    # fine without saying that its DOI was never looked at; --no-links says the same of
    # its link.
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@article{x, title = {A title}, author = {Smith, J.}, year = {2009},\n"
        f"  doi = {{10.9999/fabricated.123}}, url = {{{emulator.page_url('/ok')}}}}}\n",
        encoding="utf-8",
    )
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    args = ("check", str(bib), "--allow-private-urls", "--no-lockfile", "-f", "json")
    links_only = run_cli(*args, "--links-only", env=env)
    assert links_only.json()["notes"] == [
        "--links-only: registry checks not run for 1 reference (DOI); their status covers "
        "their links only"
    ]
    no_links = run_cli(*args, "--no-links", env=env)
    assert no_links.json()["notes"] == ["--no-links: the links of 1 reference were not checked"]
    both = run_cli(*args, env=env)
    assert both.json()["notes"] == []
