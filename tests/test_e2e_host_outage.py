"""End-to-end: one web site down for a night (its server hangs), through the real CLI.

A nightly job over a bibliography that cites many pages of one site — a journal's, a
ministry's — met the night that site's server stopped answering: every one of its URLs
waited three attempts at the full timeout, one URL after another (one request to a host at
a time), so 50 links to it kept the job busy for over an hour only to say "could not
verify" 50 times.  Once a host has left requests unanswered twice in a row (each after
its retries), the run stops asking it: the rest of its URLs are unverified at once, never
dead, and the report says why.  A host that answers again resets the count.  The pages are
SYNTHETIC.
"""

from __future__ import annotations

import time
from pathlib import Path

from citetrack_emulator import Emulator
from tests.e2e import by_key, run_cli

URLS = 6
#: One attempt times out after a second; the link checker tries three times.
FAST = ("--timeout", "1", "--per-host-interval", "0", "--allow-private-urls", "--links-only")


def site(emulator: Emulator, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A .bib citing URLS pages of one host, all of them live."""
    pages = {f"/site/a{i}": {"status": 200, "title": f"Article {i}"} for i in range(URLS)}
    emulator.patch_world({"pages": pages})
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "".join(
            f"@online{{page{i},\n  title = {{Article {i}}},\n"
            f"  url = {{{emulator.page_url(f'/site/a{i}')}}},\n}}\n\n"
            for i in range(URLS)
        ),
        encoding="utf-8",
    )
    return bib, {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}


def test_a_hanging_site_is_given_up_after_two_unanswered_urls(
    emulator: Emulator, tmp_path: Path
) -> None:
    bib, env = site(emulator, tmp_path)
    emulator.add_fault("pages", "hang")
    started = time.monotonic()
    run = run_cli("check", str(bib), "--no-lockfile", "-f", "json", *FAST, env=env, timeout=300)
    took = time.monotonic() - started
    assert run.code == 3, run.stdout + run.stderr
    refs = by_key(run.json())
    assert {r["status"] for r in refs.values()} == {"unverified"}
    assert all(link["verdict"] == "unavailable" for r in refs.values() for link in r["links"])
    reasons = [link["reason"] for r in refs.values() for link in r["links"]]
    assert sum("not asked" in reason for reason in reasons) == URLS - 2, reasons
    # Two URLs, three attempts each; before, every URL was tried three times.
    assert emulator.stats()["services"]["pages"]["requests"] == 2 * 3
    # 2 URLs x (3 x 1 s + backoff); six URLs at three attempts each took over 60 s.
    assert took < 45, took


def test_one_slow_page_does_not_give_up_on_a_site_that_answers(
    emulator: Emulator, tmp_path: Path
) -> None:
    bib, env = site(emulator, tmp_path)
    emulator.add_fault("pages", "hang", times=3)  # three requests go unanswered
    run = run_cli("check", str(bib), "--no-lockfile", "-f", "json", *FAST, env=env, timeout=300)
    refs = by_key(run.json())
    reasons = [link["reason"] or "" for r in refs.values() for link in r["links"]]
    assert not any("not asked" in reason for reason in reasons), reasons
    assert sum(r["status"] == "ok" for r in refs.values()) >= URLS - 1, run.stdout


def test_a_wayback_machine_that_answers_nothing_is_asked_once(
    emulator: Emulator, tmp_path: Path
) -> None:
    """Every cited archived copy is asked about one CDX request at a time, each with three
    attempts and 5 s + 10 s of backoff: six archives with the Wayback Machine hanging took
    over 100 s, fifty an hour.  One request without any answer ends the asking."""
    bib, env = site(emulator, tmp_path)
    text = bib.read_text(encoding="utf-8")
    for i in range(URLS):
        url = emulator.page_url(f"/site/a{i}")
        text = text.replace(
            f"  url = {{{url}}},\n",
            f"  url = {{{url}}},\n  archiveurl = {{https://web.archive.org/web/2020/{url}}},\n",
        )
    bib.write_text(text, encoding="utf-8")
    emulator.add_fault("wayback", "hang")
    started = time.monotonic()
    run = run_cli("check", str(bib), "--no-lockfile", "-f", "json", *FAST, env=env, timeout=300)
    took = time.monotonic() - started
    assert run.code == 3, run.stdout + run.stderr
    archives = [a for r in by_key(run.json()).values() for a in r["archives"]]
    assert len(archives) == URLS
    assert all(a["available"] is None for a in archives), archives  # unverified, never invalid
    reasons = [a["reason"] for a in archives]
    assert sum("Wayback Machine not asked" in reason for reason in reasons) == URLS - 1, reasons
    assert emulator.stats()["services"]["wayback"]["requests"] == 3  # one request's attempts
    assert took < 60, took


def test_a_site_rate_limiting_every_request_is_given_up_after_three_urls(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A host answering 429 to every request, however long the Retry-After waited: each URL
    took three attempts and the waits between them (up to a minute each), one URL after
    another.  Three URLs refused in a row after every retry, and the rest are blocked at
    once — unverified, never dead, and not pending in a pull-request gate (a 429 after
    the retries is ``url-blocked`` either way)."""
    bib, env = site(emulator, tmp_path)
    emulator.add_fault("pages", "status", code=429, headers={"Retry-After": "1"})
    run = run_cli("check", str(bib), "--no-lockfile", "-f", "json", *FAST, env=env, timeout=300)
    assert run.code == 3, run.stdout + run.stderr
    refs = by_key(run.json())
    links = [link for r in refs.values() for link in r["links"]]
    assert {link["verdict"] for link in links} == {"blocked"}, links
    assert {f["rule"] for r in refs.values() for f in r["findings"]} >= {"url-blocked"}
    reasons = [link["reason"] for link in links]
    assert sum("not asked" in reason for reason in reasons) == URLS - 3, reasons
    assert emulator.stats()["services"]["pages"]["requests"] == 3 * 3
