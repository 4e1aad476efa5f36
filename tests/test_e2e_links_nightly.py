"""End-to-end: a documentation repository's nightly link job, through the real CLI against
the emulator, over several runs (``check --update-lock``, the lockfile committed whenever
its bytes change).

What a maintainer must never see: a lockfile commit for a night when a site could not be
asked (a 429, a bot wall), nor a second one the night after.  The pages are SYNTHETIC.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from citetrack_emulator import Emulator
from tests.e2e import run_cli

FAST = ("--per-host-interval", "0", "--timeout", "2", "--allow-private-urls")


def a_night_passes(lock: Path) -> None:
    """Move the failure dates the lockfile recorded one day back, as if the last run had
    been the night before (no faketime here; the link checks are never cached)."""
    doc = json.loads(lock.read_text(encoding="utf-8"))
    for entry in doc["references"].values():
        for state in entry.get("failing", {}).values():
            for name in ("since", "confirmed_on"):
                if name in state:
                    state[name] = (date.fromisoformat(state[name]) - timedelta(days=1)).isoformat()
    lock.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def findings(run: Any) -> set[tuple[str, str, str]]:
    return {
        (ref["key"], f["rule"], f["severity"])
        for ref in run.json()["references"]
        for f in ref["findings"]
        if f["severity"] != "note" or f["rule"].startswith("reference-")
    }


def test_a_rate_limited_or_bot_walled_night_leaves_the_lockfile_bytes_as_they_were(
    emulator: Emulator, tmp_path: Path
) -> None:
    pages = {"/nightly/limited": "Limited page", "/nightly/walled": "Walled page"}
    emulator.patch_world({"pages": {path: {"title": title} for path, title in pages.items()}})
    bib = tmp_path / "docs" / "refs.bib"
    bib.parent.mkdir()
    bib.write_text(
        "".join(
            f"@online{{k{i},\n  title = {{{title}}},\n  url = {{{emulator.page_url(path)}}},\n}}\n"
            for i, (path, title) in enumerate(pages.items())
        ),
        encoding="utf-8",
    )
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    lock = bib.parent / "citetrack.lock"
    first = run_cli("check", str(bib), "--update-lock", *FAST, env=env)
    assert first.code == 0, first.stdout + first.stderr
    baseline = lock.read_bytes()

    # One bad night: a 429 that outlasts the retries, a Cloudflare challenge.
    emulator.patch_world(
        {
            "pages": {
                "/nightly/limited": {"status": 429, "retry_after": 1},
                "/nightly/walled": {"bot_wall": True},
            }
        }
    )
    outage = run_cli("check", str(bib), "--update-lock", *FAST, env=env)
    assert outage.code == 3, outage.stdout + outage.stderr  # could not verify, not broken
    assert "broken" not in outage.stdout.rsplit("\n", 2)[-2]
    assert lock.read_bytes() == baseline, "the outage night changed the lockfile"

    # The sites answer again: nothing to commit either.
    back = {"status": 200, "bot_wall": False}
    emulator.patch_world({"pages": {path: {"title": t, **back} for path, t in pages.items()}})
    after = run_cli("check", str(bib), "--update-lock", *FAST, env=env)
    assert after.code == 0, after.stdout + after.stderr
    assert lock.read_bytes() == baseline, "the night after the outage changed the lockfile"


def test_a_misc_citing_its_page_in_howpublished_is_confirmed_by_the_live_link(
    emulator: Emulator, tmp_path: Path
) -> None:
    """``howpublished = {\\url{…}}`` is how a @misc cites a web page: its link is fetched like
    a ``url``, so a live page confirms the reference as it does for ``url``; it was called
    unverified, and every nightly run of a documentation repository exited 3."""
    emulator.patch_world({"pages": {"/nightly/misc": {"title": "A tool's manual"}}})
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@misc{manual,\n  title = {A tool's manual},\n"
        f"  howpublished = {{\\url{{{emulator.page_url('/nightly/misc')}}}}},\n"
        "  note = {Accessed 2024-01-01},\n}\n",
        encoding="utf-8",
    )
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    run = run_cli("check", str(bib), "--no-lockfile", "-f", "json", *FAST, env=env)
    assert run.code == 0, run.stdout + run.stderr
    (ref,) = run.json()["references"]
    assert ref["status"] == "ok", ref
    assert run.json()["summary"]["verified"] == 1


def test_a_misc_whose_key_is_renamed_keeps_its_dead_link_history(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A dead page cited in ``howpublished = {\\url{…}}`` is confirmed over several nights;
    renaming the entry's key in the middle must not start its count again as a new
    reference's (broken at once, plus a ``reference-removed``): the lockfile follows it by
    its URL, as it follows a ``url`` field."""
    emulator.patch_world({"pages": {"/nightly/dying": {"title": "A tool's manual"}}})
    bib = tmp_path / "refs.bib"
    url = emulator.page_url("/nightly/dying")
    entry = "@misc{KEY,\n  title = {A tool's manual},\n  howpublished = {\\url{" + url + "}},\n}\n"
    bib.write_text(entry.replace("KEY", "manual"), encoding="utf-8")
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    lock = tmp_path / "citetrack.lock"
    nightly = ("check", str(bib), "--update-lock", "-f", "json", *FAST)
    assert run_cli(*nightly, env=env).code == 0

    emulator.patch_world({"pages": {"/nightly/dying": {"status": 404}}})
    a_night_passes(lock)
    first = run_cli(*nightly, env=env)
    assert findings(first) == {("manual", "url-dead", "warning")}, first.stdout

    bib.write_text(entry.replace("KEY", "toolManual"), encoding="utf-8")
    a_night_passes(lock)
    second = run_cli(*nightly, env=env)
    assert second.code == 0, second.stdout + second.stderr
    assert findings(second) == {
        ("toolManual", "url-dead", "warning"),
        ("toolManual", "reference-renamed", "note"),
    }, second.stdout
    assert "failing 2 of 3 runs" in second.stdout

    a_night_passes(lock)
    third = run_cli(*nightly, env=env)
    assert third.code == 1
    assert ("toolManual", "url-dead", "broken") in findings(third)


def test_a_link_never_verified_yet_is_confirmed_over_nights_like_any_other(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A page behind a bot wall (or answering 503) on every night since it was locked is in
    the lockfile, URL and all; the first night it answers 404 is one failure to confirm,
    not broken at once as a URL added in a pull request would be."""
    emulator.patch_world({"pages": {"/nightly/walled-then-404": {"bot_wall": True}}})
    bib = tmp_path / "refs.bib"
    url = emulator.page_url("/nightly/walled-then-404")
    bib.write_text(f"@online{{walled,\n  title = {{Walled}},\n  url = {{{url}}},\n}}\n")
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    lock = tmp_path / "citetrack.lock"
    nightly = ("check", str(bib), "--update-lock", "-f", "json", *FAST)
    assert run_cli(*nightly, env=env).code == 3  # could not verify

    emulator.patch_world(
        {"pages": {"/nightly/walled-then-404": {"bot_wall": False, "status": 404}}}
    )
    a_night_passes(lock)
    glitch = run_cli(*nightly, env=env)
    assert findings(glitch) == {("walled", "url-dead", "warning")}, glitch.stdout
    assert glitch.code == 0, glitch.stdout
    assert "failing 1 of 3 runs" in glitch.stdout

    # A URL edited in (a pull request's) is still judged at once.
    other = emulator.page_url("/nightly/never-there")
    bib.write_text(bib.read_text().replace(url, other))
    edited = run_cli("check", str(bib), "-f", "json", *FAST, env=env)
    assert ("walled", "url-dead", "broken") in findings(edited), edited.stdout
    assert edited.code == 1


def test_a_lockfile_in_the_jobs_cache_folder_keeps_same_named_files_apart(
    emulator: Emulator, tmp_path: Path
) -> None:
    """The nightly job keeps its lockfile in its cache folder, outside the docs: files were
    named there by their bare names, so docs/a/refs.bib and docs/b/refs.bib were one file
    and their two ``site`` entries one entry.  b's page dying was then a URL the lockfile
    had never seen (a's was recorded), broken on its first night instead of confirmed."""
    pages = {"/nightly/a-site": "A's site", "/nightly/b-site": "B's site"}
    emulator.patch_world({"pages": {path: {"title": title} for path, title in pages.items()}})
    bibs = []
    for name, path in zip("ab", pages, strict=True):
        bib = tmp_path / "docs" / name / "refs.bib"
        bib.parent.mkdir(parents=True)
        url = emulator.page_url(path)
        bib.write_text(f"@online{{site,\n  title = {{Site}},\n  url = {{{url}}},\n}}\n")
        bibs.append(str(bib))
    lock = tmp_path / ".citetrack-cache" / "nightly.lock"
    lock.parent.mkdir()
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(lock.parent)}
    nightly = ("check", *bibs, "--lockfile", str(lock), "--update-lock", "-f", "json", *FAST)
    assert run_cli(*nightly, env=env).code == 0
    entries = json.loads(lock.read_text(encoding="utf-8"))["references"]
    assert len(entries) == 2, entries

    emulator.patch_world({"pages": {"/nightly/b-site": {"status": 404}}})
    a_night_passes(lock)
    night = run_cli(*nightly, env=env)
    assert night.code == 0, night.stdout + night.stderr
    dead = [r for r in night.json()["references"] if r["status"] != "ok"]
    assert [(r["path"], r["status"]) for r in dead] == [(bibs[1], "warning")], night.stdout
    assert "failing 1 of 3 runs" in night.stdout


def test_the_text_report_tells_apart_files_of_one_name_in_several_folders(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A documentation repository has a refs.bib per folder: the table's rows named each
    by its bare name, ``refs.bib:3``, so a dead link could be in any of them."""
    for name in ("intro", "guide"):
        bib = tmp_path / "docs" / name / "refs.bib"
        bib.parent.mkdir(parents=True)
        url = emulator.page_url(f"/nightly/{name}-gone")
        bib.write_text(f"@online{{{name},\n  title = {{Gone}},\n  url = {{{url}}},\n}}\n")
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    run = run_cli("check", str(tmp_path / "docs"), "--no-lockfile", *FAST, env=env)
    assert run.code == 1, run.stdout + run.stderr
    rows = {line.split("│")[2].strip() for line in run.stdout.splitlines() if "refs.bib:" in line}
    assert rows == {"intro/refs.bib:1", "guide/refs.bib:1"}, run.stdout


def test_a_url_with_latex_escapes_is_fetched_as_the_address_it_spells(
    emulator: Emulator, tmp_path: Path
) -> None:
    """Mendeley and JabRef write ``url = {https://host/some\\_page}``: fetched with its
    backslash (``%5C_``) every such page answered 404 and was called broken."""
    emulator.patch_world(
        {"pages": {"/nightly/some_page": {"title": "S"}, "/nightly/~user": {"title": "T"}}}
    )
    base = emulator.page_url("/nightly/")
    bib = tmp_path / "refs.bib"
    bib.write_text(
        f"@online{{under,\n  title = {{Under}},\n  url = {{{base}some\\_page}},\n}}\n"
        f"@online{{tilde,\n  title = {{Tilde}},\n  url = {{{base}\\~{{}}user}},\n}}\n",
        encoding="utf-8",
    )
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    run = run_cli("check", str(bib), "--no-lockfile", "-f", "json", *FAST, env=env)
    assert run.code == 0, run.stdout + run.stderr
    links = {r["key"]: r["links"][0] for r in run.json()["references"]}
    assert {k: (link["url"], link["verdict"]) for k, link in links.items()} == {
        "under": (f"{base}some_page", "ok"),
        "tilde": (f"{base}~user", "ok"),
    }
