"""End to end: what an editor's later revision of an article makes the lockfile report.

The rule (tracking/lockfile/revisions.py): a changed fact of a citation is a
``reference-changed`` finding; a cosmetic edit (page range re-typed, parameters reordered
or respaced, DOI case, an access date or an archive link a bot added) is not; a citation
whose ``<ref name>`` was renamed keeps its key.  Both revisions are served by the emulator
(the SYNTHETIC seed article; the second revision's edits are synthetic too) and fetched
by URL and by ``?oldid=``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from citetrack_emulator import Emulator
from tests.e2e import run_cli, served_wikitext

TITLE = "Necrolytic_migratory_erythema"
FAST = ("--per-host-interval", "0", "--timeout", "5", "--allow-private-urls")


def _edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _second_revision(text: str) -> str:
    """The editor's synthetic revision 9000003 of the seed article."""
    # cosmetic: a page range re-typed in full, two parameters swapped (Pujol2004)
    text = _edit(
        text,
        "| volume = 43 | issue = 1 | pages = 12–8 |",
        "| issue = 1 | volume = 43 | pages = 12–18 |",
    )
    # cosmetic: respaced, hyphen for the dash (vanBeek2004)
    text = _edit(text, "| pages = 531–7 |", "|pages=531-537|")
    # cosmetic: DOI case (Thiers2009)
    text = _edit(text, "doi = 10.3322/caac.20005", "doi = 10.3322/CAAC.20005")
    # bookkeeping: the URL re-accessed (StatPearls2021)
    text = _edit(
        text, "|access-date=1 June 2021 |archive-url", "|access-date=3 March 2023 |archive-url"
    )
    # moved: the <ref name> renamed (Weedon)
    text = _edit(text, "<ref name=Weedon>", "<ref name=Patterson2019>")
    # a fact: the volume (Mignogna2008)
    return _edit(text, "| volume = 359 |", "| volume = 360 |")


def test_cosmetic_edits_are_not_changes_facts_are_and_renamed_refs_keep_their_key(
    emulator: Emulator, tmp_path: Path
) -> None:
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    page = f"{emulator.url}/wiki/{TITLE}"
    lock = tmp_path / "citetrack.lock"
    first = run_cli("lock", page, *FAST, "--lockfile", str(lock), env=env, cwd=tmp_path)
    assert first.code == 0, first.stderr
    recorded: dict[str, Any] = json.loads(lock.read_text(encoding="utf-8"))
    assert "Weedon" in recorded["articles"][TITLE]["citations"]

    text = served_wikitext(emulator, TITLE).replace(
        emulator.url.removeprefix("http://"), "@EMULATOR@"
    )
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
                                "content": _second_revision(text),
                            }
                        ]
                    }
                }
            }
        }
    )
    for url in (
        page,
        f"{emulator.url}/w/index.php?title={TITLE}&oldid=9000003",
        # a diff link names the revision on its right-hand side, not its oldid
        f"{emulator.url}/w/index.php?title={TITLE}&diff=9000003&oldid=9000001",
    ):
        run = run_cli(
            "check", url, *FAST, "--lockfile", str(lock), "-f", "json", env=env, cwd=tmp_path
        )
        assert run.code in (0, 1, 3), run.stderr
        report = run.json()
        assert report["articles"][0]["revision"] == 9000003
        changes = {
            (f["rule"], r["key"])
            for r in report["references"]
            for f in r["findings"]
            if f["rule"].startswith("reference-")
        }
        assert changes == {("reference-changed", "Mignogna2008")}
        weedon = next(r for r in report["references"] if r["key"] == "Weedon")
        assert weedon["location"]["ref_name"] == "Patterson2019"

    # the new baseline keeps the key too, so the next revision is compared with it
    accepted = run_cli(
        "check", page, *FAST, "--lockfile", str(lock), "--update-lock", env=env, cwd=tmp_path
    )
    assert accepted.code in (0, 1, 3), accepted.stderr
    citations = json.loads(lock.read_text(encoding="utf-8"))["articles"][TITLE]["citations"]
    assert "Weedon" in citations and "Patterson2019" not in citations


def test_deleting_one_of_two_like_citations_reports_that_one_only(
    emulator: Emulator, tmp_path: Path
) -> None:
    # SYNTHETIC: two unnamed web citations with one title and no author; the first is
    # deleted in the next copy, the second is not touched.
    medline = (
        "One.<ref>{{cite web |title=Glucagonoma |url="
        + emulator.page_url("/missing")
        + " |website=MedlinePlus}}</ref>\n"
    )
    nhs = (
        "Two.<ref>{{cite web |title=Glucagonoma |url="
        + emulator.page_url("/ok")
        + " |website=nhs.uk}}</ref>\n"
    )
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    page = tmp_path / "article.wiki"
    page.write_text(medline + nhs, encoding="utf-8")
    first = run_cli("lock", str(page), *FAST, env=env, cwd=tmp_path)
    assert first.code == 0, first.stderr
    locked = run_cli("check", str(page), *FAST, "-f", "json", env=env, cwd=tmp_path)
    keys = {r["identifiers"]["url"]: r["key"] for r in locked.json()["references"]}
    page.write_text(nhs, encoding="utf-8")
    run = run_cli("check", str(page), *FAST, "-f", "json", env=env, cwd=tmp_path)
    found = {
        r["key"]: sorted(f["rule"] for f in r["findings"] if f["rule"].startswith("reference-"))
        for r in run.json()["references"]
    }
    assert found == {
        keys[emulator.page_url("/ok")]: [],
        keys[emulator.page_url("/missing")]: ["reference-removed"],
    }, run.stdout


def test_the_revision_the_lockfile_saw_has_no_edited_citations(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A citation's fingerprint is taken over its parsed fields, so another citetrack
    version (a parser that reads a template otherwise) gives another fingerprint for the
    same text.  On the very revision the lockfile recorded nothing was edited: the nightly
    run after an upgrade must not report "edited between revision N and revision N"."""
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    page = f"{emulator.url}/wiki/{TITLE}"
    lock = tmp_path / "citetrack.lock"
    assert run_cli("lock", page, *FAST, "--lockfile", str(lock), env=env, cwd=tmp_path).code == 0
    recorded: dict[str, Any] = json.loads(lock.read_text(encoding="utf-8"))
    # What an older parser recorded for one citation (its fields read otherwise).
    recorded["articles"][TITLE]["citations"]["Mignogna2008"] = "0" * 12
    lock.write_text(json.dumps(recorded), encoding="utf-8")
    run = run_cli(
        "check", page, *FAST, "--lockfile", str(lock), "-f", "json", env=env, cwd=tmp_path
    )
    assert run.code in (0, 1, 3), run.stderr
    rules = {f["rule"] for r in run.json()["references"] for f in r["findings"]}
    assert "reference-changed" not in rules
