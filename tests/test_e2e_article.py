"""End to end: an article from the emulated wiki is checked, locked, fixed and re-checked.

The emulator serves the SYNTHETIC wikitext form of the seed article
(``citetrack_emulator/data/wiki/``) with four planted faults: a dead URL that has a
Wayback capture, a wrong PMID, a missing DOI and a malformed ISBN.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from citetrack_emulator import Emulator
from tests.e2e import by_key, rules, run_cli, served_wikitext

TITLE = "Necrolytic_migratory_erythema"
FAST = ("--per-host-interval", "0", "--timeout", "5", "--allow-private-urls")


def _env(emulator: Emulator, tmp: Path) -> dict[str, str]:
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp / "cache")}


def _page(emulator: Emulator) -> str:
    return f"{emulator.url}/wiki/{TITLE}"


def test_check_a_page_url_locates_every_reference(emulator: Emulator, tmp_path: Path) -> None:
    run = run_cli(
        "check",
        _page(emulator),
        *FAST,
        "--no-lockfile",
        "-f",
        "json",
        env=_env(emulator, tmp_path),
        cwd=tmp_path,
    )
    assert run.code == 1, run.stderr
    report = run.json()
    assert report["articles"] == [
        {
            "source": _page(emulator),
            "name": TITLE,
            "format": "wikitext",
            "title": "Necrolytic migratory erythema",
            "revision": 9000001,
            "timestamp": "2021-09-01T10:00:00Z",
            "api_url": f"{emulator.url}/mediawiki/w/api.php",
        }
    ]
    refs = by_key(report)
    assert len(refs) == 10
    numbers = sorted(int(r["location"]["number"]) for r in refs.values())
    assert numbers == list(range(1, 11))
    text = served_wikitext(emulator, TITLE).split("\n")
    for key, ref in refs.items():
        loc = ref["location"]
        assert text[loc["line"] - 1][loc["column"] - 1 :].startswith("{{cite"), key
        assert loc["ref_name"] == (None if key.startswith("becker-") else key)
    assert "url-dead" in rules(refs["JOP2004"])
    assert "pmid-doi-conflict" in rules(refs["Mignogna2008"])
    assert "missing-identifier" in rules(refs["Compton2013"])
    assert "identifier-malformed" in rules(refs["Andrews"])
    # Found by search (issue 13): the chapter lacks the PMID PubMed gives it.
    (missing,) = [
        f for f in refs["StatPearls2021"]["findings"] if f["rule"] == "missing-identifier"
    ]
    assert (missing["field"], missing["expected"]) == ("pmid", "99000101")
    clean = {"Thiers2009", "Pujol2004", "vanBeek2004", "Weedon"}
    for key in clean:
        assert refs[key]["status"] == "ok", (key, refs[key]["findings"])


def test_export_makes_exactly_the_planted_edits_and_the_result_checks_clean(
    emulator: Emulator, tmp_path: Path
) -> None:
    env = _env(emulator, tmp_path)
    fixed = tmp_path / "fixed.wiki"
    run = run_cli("export", _page(emulator), *FAST[-1:], "-o", str(fixed), env=env, cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert (
        "citetrack: edit summary: citetrack: added 2 PMIDs, 1 DOI, 1 archive link; "
        "fixed 1 ISBN, 1 wrong PMID" in run.stderr
    )
    original = served_wikitext(emulator, TITLE)
    host = emulator.url.removeprefix("http://")
    dead = f"http://{host}/pages/synthetic/nme/joplink-200407_11.pdf"
    expected = (
        original.replace("|isbn=ISBN 978-0-7216-2921-6}}", "|isbn=978-0-7216-2921-6}}")
        .replace(
            "| date = December 2008 | pmid = 19258446 |",
            "| date = December 2008 | pmid = 19092164 |",
        )
        .replace(
            "| pmid = 23477490\n}}",
            "| pmid = 23477490\n| doi = 10.1016/j.amjmed.2013.01.012\n}}",
        )
        # The two references without an identifier that search finds (issue 13, SYNTHETIC
        # PMIDs of the emulator's seed world) get their PMID, in the template's own style.
        .replace("|year=2021 |url=", "|year=2021 |pmid=99000101 |url=")
        .replace("|issn=1590-8577 |url=", "|issn=1590-8577 |pmid=99000102 |url=")
        .replace(
            f"|url={dead} |access-date=2 June 2021}}}}",
            f"|url={dead} |access-date=2 June 2021 "
            f"|archive-url=https://web.archive.org/web/20200601120000/{dead} "
            "|archive-date=1 June 2020 |url-status=dead}}",
        )
    )
    assert expected != original
    assert fixed.read_text(encoding="utf-8") == expected

    again = run_cli(
        "check", str(fixed), *FAST, "--no-lockfile", "-f", "json", env=env, cwd=tmp_path
    )
    assert again.code == 0, again.stdout + again.stderr
    summary = again.json()["summary"]
    # issue 12: a reference no source could confirm (a book by its ISBN, a web page) is
    # 'unchecked', not 'ok'; clean means none is anything worse.
    assert summary["ok"] + summary["unchecked"] == summary["total"] == 10
    assert summary["verified"] == summary["ok"] >= 8


def test_export_with_every_fix_off_gives_the_page_back_byte_for_byte(
    emulator: Emulator, tmp_path: Path
) -> None:
    out = tmp_path / "same.wiki"
    run = run_cli(
        "export",
        _page(emulator),
        "--no-fix",
        "all",
        "-o",
        str(out),
        env=_env(emulator, tmp_path),
        cwd=tmp_path,
    )
    assert run.code == 0, run.stderr
    assert out.read_bytes() == served_wikitext(emulator, TITLE).encode("utf-8")
    assert emulator.stats()["services"].get("crossref") is None  # nothing was checked


def test_diff_shows_the_template_edits(emulator: Emulator, tmp_path: Path) -> None:
    page = tmp_path / "nme.wiki"
    page.write_text(served_wikitext(emulator, TITLE), encoding="utf-8")
    run = run_cli(
        "export", str(page), "--fix", "identifiers", "--diff", env=_env(emulator, tmp_path)
    )
    assert run.code == 0, run.stderr
    changed = [ln for ln in run.stdout.splitlines() if ln.startswith(("+", "-"))]
    assert changed[:2] == [f"--- {page}", f"+++ {page}"]
    assert len(changed) == 4 and "|isbn=978-0-7216-2921-6}}" in changed[3]


def _lock(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def test_the_lockfile_follows_the_article_across_revisions(
    emulator: Emulator, tmp_path: Path
) -> None:
    env = _env(emulator, tmp_path)
    lock = tmp_path / "citetrack.lock"
    first = run_cli("lock", _page(emulator), *FAST, "--lockfile", str(lock), env=env, cwd=tmp_path)
    assert first.code == 0, first.stderr
    recorded = _lock(lock)["articles"][TITLE]
    assert (recorded["revision"], recorded["timestamp"]) == (9000001, "2021-09-01T10:00:00Z")
    assert len(recorded["citations"]) == 10

    # A later (synthetic) revision: one reference deleted, one added, one edited, and the
    # sections reordered so every other reference moves.
    text = served_wikitext(emulator, TITLE).replace(
        emulator.url.removeprefix("http://"), "@EMULATOR@"
    )
    becker = text[text.index("<ref>{{cite journal |vauthors=Becker") :]
    becker = becker[: becker.index("</ref>") + 6]
    revised = (
        text.replace(becker, "")
        .replace("| volume = 43 |", "| volume = 44 |")
        .replace(
            "==See also==",
            "==See also==\nNew.<ref>{{cite web |title=A new synthetic page "
            "|url=http://@EMULATOR@/pages/ok |access-date=3 March 2023}}</ref>",
        )
    )
    head, _, tail = revised.partition("==Cause==")
    revised = "==Cause==" + tail + "\n" + head
    emulator.patch_world(
        {
            "wiki": {
                "pages": {
                    "Necrolytic migratory erythema": {
                        "revisions": [
                            {
                                "revid": 9000003,
                                "parentid": 9000001,
                                "timestamp": "2023-03-03T03:03:03Z",
                                "content": revised,
                            }
                        ]
                    }
                }
            }
        }
    )
    second = run_cli(
        "check",
        _page(emulator),
        *FAST,
        "--lockfile",
        str(lock),
        "-f",
        "json",
        env=env,
        cwd=tmp_path,
    )
    report = second.json()
    assert report["articles"][0]["revision"] == 9000003
    changes = {
        (f["rule"], r["key"])
        for r in report["references"]
        for f in r["findings"]
        if f["rule"].startswith("reference-")
    }
    added = next(k for rule, k in changes if rule == "reference-added")
    assert added.startswith("ref-") or added.startswith("a")
    assert changes == {
        ("reference-added", added),
        ("reference-removed", next(k for k in recorded["citations"] if k.startswith("becker-"))),
        ("reference-changed", "Pujol2004"),
    }
    changed = next(
        f for r in report["references"] for f in r["findings"] if f["rule"] == "reference-changed"
    )
    assert "revision 9000001" in changed["message"] and "revision 9000003" in changed["message"]


def test_maxlag_is_waited_out_and_a_lagging_wiki_is_reported(
    emulator: Emulator, tmp_path: Path
) -> None:
    env = _env(emulator, tmp_path)
    emulator.patch_world({"wiki": {"lag": 9, "retry_after": 0}})
    run = run_cli("check", _page(emulator), "--no-lockfile", env=env, cwd=tmp_path)
    assert run.code == 2
    assert "lagging (maxlag)" in run.stderr and "Traceback" not in run.stderr
    assert emulator.stats()["services"]["mediawiki"]["requests"] == 4

    emulator.patch_world({"wiki": {"lag": 0}})
    body = json.dumps({"error": {"code": "maxlag", "info": "Waiting: 6 seconds lagged", "lag": 6}})
    emulator.add_fault(
        "mediawiki",
        "status",
        code=200,
        body=body,
        retry_after="0",
        headers={"X-Database-Lag": "6"},
        content_type="application/json",
        times=1,
    )
    ok = run_cli(
        "check", _page(emulator), *FAST, "--no-links", "--no-lockfile", env=env, cwd=tmp_path
    )
    assert ok.code == 1, ok.stderr  # fetched on the second try; the planted faults remain


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/wiki/No_such_article", "no such page: 'No such article'"),
        (f"/wiki/{TITLE}?oldid=12345", "no revision 12345"),
    ],
)
def test_missing_pages_and_revisions_exit_2(
    emulator: Emulator, tmp_path: Path, url: str, message: str
) -> None:
    run = run_cli("check", emulator.url + url, env=_env(emulator, tmp_path), cwd=tmp_path)
    assert run.code == 2 and message in run.stderr, run.stderr


def test_a_redirect_is_followed_and_an_old_revision_can_be_asked(
    emulator: Emulator, tmp_path: Path
) -> None:
    env = _env(emulator, tmp_path)
    run = run_cli(
        "check",
        f"{emulator.url}/wiki/NME",
        "--no-links",
        "--no-lockfile",
        "-f",
        "json",
        env=env,
        cwd=tmp_path,
    )
    assert run.json()["articles"][0]["title"] == "Necrolytic migratory erythema"
    old = run_cli(
        "check",
        f"{emulator.url}/w/index.php?title=X&oldid=9000001",
        "--no-links",
        "--no-lockfile",
        "-f",
        "json",
        env=env,
        cwd=tmp_path,
    )
    assert old.json()["articles"][0]["revision"] == 9000001


def test_rendered_text_export_points_to_the_wikitext(tmp_path: Path) -> None:
    text = Path(__file__).parent / "data" / "parse" / "necrolytic-migratory-erythema.txt"
    run = run_cli("export", str(text), "--no-fix", "all")
    assert run.code == 2
    assert "rendered text" in run.stderr and "wikitext" in run.stderr


def test_standard_input_and_in_place(emulator: Emulator, tmp_path: Path) -> None:
    # SYNTHETIC two-reference article.
    text = (
        "Body.<ref name=T>{{cite journal |title=Cutaneous manifestations of internal "
        "malignancy |journal=CA: A Cancer Journal for Clinicians |volume=59 |issue=2 "
        "|pages=73–98 |year=2009 |doi=doi:10.3322/caac.20005 |pmid=19258446}}</ref>\n"
    )
    env = _env(emulator, tmp_path)
    run = run_cli(
        "check",
        "-",
        "--from",
        "wikitext",
        "--no-links",
        "--no-lockfile",
        "-f",
        "json",
        env=env,
        stdin=text,
        cwd=tmp_path,
    )
    report = run.json()
    assert report["articles"][0]["source"] == "<stdin>"
    assert report["references"][0]["location"]["ref_name"] == "T"
    page = tmp_path / "t.wiki"
    page.write_text(text, encoding="utf-8")
    done = run_cli("export", str(page), "--fix", "identifiers", "--in-place", env=env)
    assert done.code == 0, done.stderr
    assert page.read_text(encoding="utf-8") == text.replace("doi:10.3322", "10.3322")
    assert (tmp_path / "t.wiki.bak").read_text(encoding="utf-8") == text


def test_a_cite_q_is_said_uncheckable_not_doubted(emulator: Emulator, tmp_path: Path) -> None:
    # SYNTHETIC: a {{Cite Q}} (its citation lives in a Wikidata item) beside a checked one.
    text = (
        "Body.<ref name=T>{{cite journal |title=Cutaneous manifestations of internal "
        "malignancy |journal=CA: A Cancer Journal for Clinicians |volume=59 |issue=2 "
        "|pages=73–98 |year=2009 |doi=10.3322/caac.20005 |pmid=19258446}}</ref> "
        "More.<ref name=Q>{{Cite Q|Q56435123}}</ref>\n"
    )
    page = tmp_path / "q.wiki"
    page.write_text(text, encoding="utf-8")
    env = _env(emulator, tmp_path)
    run = run_cli("check", str(page), *FAST, "--no-lockfile", "-f", "json", env=env)
    assert run.code == 0, run.stderr
    q = by_key(run.json())["Q"]
    assert q["status"] != "warning"
    assert "parse-doubtful" not in rules(q)
    (note,) = [f for f in q["findings"] if f["rule"] == "no-identifier"]
    assert "Wikidata" in note["message"] and "Q56435123" in note["message"]
