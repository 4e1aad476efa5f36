"""End to end: a wiki page moved to a new title keeps its lockfile history.

A nightly job checks a page by URL; the page is moved (its old title now redirects, so the
job's URL still works) and the article is read under its new title.  Before: every
citation was "new since the lockfile", the citation edited meanwhile was not reported, and
the lockfile kept the old title's records for ever beside the new ones.  The page's text
is the emulator's SYNTHETIC wikitext form of the seed article.
"""

from __future__ import annotations

import json
from pathlib import Path

from citetrack_emulator import Emulator
from tests.e2e import run_cli, served_wikitext
from tests.test_e2e_article import FAST, TITLE, _env, _page

NEW_TITLE = "Necrolytic migratory erythema (skin)"


def _move_page(emulator: Emulator) -> None:
    """The page moved to NEW_TITLE, one citation edited on the way (volume 43 → 44)."""
    text = served_wikitext(emulator, TITLE).replace(
        emulator.url.removeprefix("http://"), "@EMULATOR@"
    )
    assert "| volume = 43 |" in text
    moved = text.replace("| volume = 43 |", "| volume = 44 |")
    emulator.patch_world(
        {
            "wiki": {
                "pages": {
                    TITLE.replace("_", " "): {
                        "redirect": NEW_TITLE,
                        "revisions": [
                            {
                                "revid": 9000010,
                                "parentid": 9000001,
                                "timestamp": "2023-01-01T00:00:00Z",
                                "content": f"#REDIRECT [[{NEW_TITLE}]]",
                            }
                        ],
                    },
                    NEW_TITLE: {
                        "pageid": 77,
                        "emulator_links": True,
                        "revisions": [
                            {
                                "revid": 9000011,
                                "parentid": 9000001,
                                "timestamp": "2023-01-01T00:00:01Z",
                                "content": moved,
                            }
                        ],
                    },
                }
            }
        }
    )


def _reference_rules(report: dict[str, object]) -> set[tuple[str, str]]:
    return {
        (f["rule"], r["key"])
        for r in report["references"]  # type: ignore[attr-defined]
        for f in r["findings"]
        if f["rule"].startswith("reference-")
    }


def test_a_moved_page_keeps_its_history(emulator: Emulator, tmp_path: Path) -> None:
    env = _env(emulator, tmp_path)
    lock = tmp_path / "citetrack.lock"
    url = _page(emulator)
    first = run_cli("lock", url, *FAST, "--lockfile", str(lock), env=env, cwd=tmp_path)
    assert first.code == 0, first.stderr
    _move_page(emulator)

    args = ("check", url, *FAST, "--lockfile", str(lock), "-f", "json")
    run = run_cli(*args, env=env, cwd=tmp_path)
    report = run.json()
    name = report["articles"][0]["name"]
    assert name == NEW_TITLE.replace(" ", "_")
    assert _reference_rules(report) == {("reference-changed", "Pujol2004")}, report
    assert any(f"tracked as {TITLE} in the lockfile" in n for n in report["notes"])

    # The nightly job accepts it: the lockfile knows the article by its new name only.
    update = run_cli(*args, "--update-lock", env=env, cwd=tmp_path)
    assert update.code in (0, 1), update.stderr
    data = json.loads(lock.read_text(encoding="utf-8"))
    assert list(data["articles"]) == [name]
    assert {entry["file"] for entry in data["references"].values()} == {name}
    again = run_cli(*args, env=env, cwd=tmp_path).json()
    assert _reference_rules(again) == set() and again["notes"] == []
