"""End to end: an upgrade of citetrack raises no "changed" alarm by itself.

A nightly job keeps a lockfile for weeks while citetrack's parser improves every week.
The lockfile's fingerprint of an article's citation is over its *parsed* fields, so a
newer parser gives an untouched citation another fingerprint; the lockfile therefore also
keeps a digest of each citation's *text* (tracking/lockfile/citetext.py), and a citation
is edited only when both differ.  Here the lockfiles are recorded, then altered as an
older citetrack would have left them (other fingerprints, no texts, other keys), and a
later revision edits one citation for real: that one alone may be reported.  The seed
article is SYNTHETIC, and so are its later revisions here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from citetrack_emulator import Emulator
from tests.e2e import Run, run_cli, served_wikitext

TITLE = "Necrolytic_migratory_erythema"
FAST = ("--per-host-interval", "0", "--timeout", "5", "--allow-private-urls")
#: A fingerprint no current parse gives: what an older parser's reading left recorded.
OLDER_PARSE = "0123456789ab"


def _new_revision(emulator: Emulator, content: str) -> None:
    """Serve ``content`` as the page's revision 9000003 (its current one)."""
    revision = {
        "revid": 9000003,
        "parentid": 9000001,
        "timestamp": "2023-03-03T03:03:03Z",
        "content": content,
    }
    page = {"Necrolytic migratory erythema": {"revisions": [revision]}}
    emulator.patch_world({"wiki": {"pages": page}})


def _one_real_edit(emulator: Emulator) -> str:
    """The served page with one fact of one citation edited (Mignogna2008's volume)."""
    text = served_wikitext(emulator, TITLE).replace(
        emulator.url.removeprefix("http://"), "@EMULATOR@"
    )
    assert text.count("| volume = 359 |") == 1
    return text.replace("| volume = 359 |", "| volume = 360 |")


def _reference_rules(run: Run) -> dict[str, list[tuple[str, str]]]:
    """(rule, severity) of each reference's lockfile findings about the article's text."""
    out: dict[str, list[tuple[str, str]]] = {}
    for ref in run.json()["references"]:
        for f in ref["findings"]:
            if f["rule"].startswith("reference-"):
                out.setdefault(ref["key"], []).append((f["rule"], f["severity"]))
    return out


def test_after_an_upgrade_only_the_citation_really_edited_is_reported(
    emulator: Emulator, tmp_path: Path
) -> None:
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    page = f"{emulator.url}/wiki/{TITLE}"
    lock = tmp_path / "citetrack.lock"
    first = run_cli("lock", page, *FAST, "--lockfile", str(lock), env=env, cwd=tmp_path)
    assert first.code == 0, first.stderr
    recorded: dict[str, Any] = json.loads(lock.read_text(encoding="utf-8"))
    assert recorded["schema_version"] == 2
    article = recorded["articles"][TITLE]
    assert set(article["texts"]) == set(article["citations"])
    assert len(article["citations"]) > 5
    # An older parser read every template otherwise: every fingerprint differs from what
    # this version computes, though no text was touched.
    article["citations"] = dict.fromkeys(article["citations"], OLDER_PARSE)
    lock.write_text(json.dumps(recorded), encoding="utf-8")

    _new_revision(emulator, _one_real_edit(emulator))
    run = run_cli(
        "check", page, *FAST, "--lockfile", str(lock), "-f", "json", env=env, cwd=tmp_path
    )
    assert run.code in (0, 1, 3), run.stderr
    assert run.json()["articles"][0]["revision"] == 9000003
    assert _reference_rules(run) == {"Mignogna2008": [("reference-changed", "changed")]}


def test_a_lockfile_of_schema_1_raises_notes_not_alarms_and_is_upgraded(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A lockfile written before the texts were recorded cannot tell an edit from a newer
    parse: a citation that reads otherwise is a note (no burst of ``changed`` on the first
    run after the upgrade), and ``--update-lock`` records the texts (schema 2)."""
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    page = f"{emulator.url}/wiki/{TITLE}"
    lock = tmp_path / "citetrack.lock"
    assert run_cli("lock", page, *FAST, "--lockfile", str(lock), env=env, cwd=tmp_path).code == 0
    recorded: dict[str, Any] = json.loads(lock.read_text(encoding="utf-8"))
    # As the previous citetrack wrote it: schema 1, no texts, and (its parser read two
    # templates otherwise) two other fingerprints.
    recorded["schema_version"] = 1
    article = recorded["articles"][TITLE]
    del article["texts"]
    article["citations"]["Pujol2004"] = OLDER_PARSE
    article["citations"]["vanBeek2004"] = OLDER_PARSE
    lock.write_text(json.dumps(recorded), encoding="utf-8")

    _new_revision(emulator, _one_real_edit(emulator))
    run = run_cli(
        "check", page, *FAST, "--lockfile", str(lock), "-f", "json", env=env, cwd=tmp_path
    )
    assert run.code in (0, 1, 3), run.stderr
    maybe = [("reference-maybe-changed", "note")]
    assert _reference_rules(run) == {
        "Pujol2004": maybe,
        "vanBeek2004": maybe,
        "Mignogna2008": maybe,  # edited, but this lockfile cannot say so for sure
    }

    accepted = run_cli(
        "check", page, *FAST, "--lockfile", str(lock), "--update-lock", env=env, cwd=tmp_path
    )
    assert accepted.code in (0, 1, 3), accepted.stderr
    upgraded = json.loads(lock.read_text(encoding="utf-8"))
    assert upgraded["schema_version"] == 2
    assert set(upgraded["articles"][TITLE]["texts"]) == set(
        upgraded["articles"][TITLE]["citations"]
    )


def test_a_key_a_newer_parse_made_otherwise_is_kept_by_its_text(
    emulator: Emulator, tmp_path: Path
) -> None:
    """An unnamed citation's key is made from its parsed first author and title: a newer
    parser that reads the title otherwise makes another key.  The citation is found under
    its recorded key by its text: neither removed nor added."""
    # SYNTHETIC: two unnamed web citations, the first edited for real in the second copy.
    ok, missing = emulator.page_url("/ok"), emulator.page_url("/missing")
    one = f"One.<ref>{{{{cite web |last=Alvarez |title=Glucagon and skin |url={ok}}}}}</ref>\n"
    two = f"Two.<ref>{{{{cite web |last=Brandt |title=Zinc |url={missing} |year=2001}}}}</ref>\n"
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    page = tmp_path / "article.wiki"
    page.write_text(one + two, encoding="utf-8")
    lock = tmp_path / "citetrack.lock"
    assert run_cli("lock", str(page), *FAST, env=env, cwd=tmp_path).code == 0
    recorded: dict[str, Any] = json.loads(lock.read_text(encoding="utf-8"))
    (article,) = recorded["articles"].values()  # under the file's path
    alvarez = next(k for k in article["citations"] if k.startswith("alvarez-"))
    brandt = next(k for k in article["citations"] if k.startswith("brandt-"))
    # The older parser's key for Alvarez's citation (its title read otherwise), in every
    # place the lockfile names it, and its fingerprint of that reading.
    older = "alvarez-0a0b0c"
    for section in (article["citations"], article["texts"], recorded["references"]):
        section[older] = section.pop(alvarez)
    article["citations"][older] = OLDER_PARSE
    lock.write_text(json.dumps(recorded), encoding="utf-8")

    page.write_text(one + two.replace("|year=2001", "|year=2002"), encoding="utf-8")
    run = run_cli("check", str(page), *FAST, "-f", "json", env=env, cwd=tmp_path)
    assert run.code in (0, 1, 3), run.stderr
    keys = {r["key"] for r in run.json()["references"]}
    assert older in keys and alvarez not in keys
    assert _reference_rules(run) == {brandt: [("reference-changed", "changed")]}


def test_a_lockfile_of_a_newer_schema_is_refused_and_left_as_it_is(
    emulator: Emulator, tmp_path: Path
) -> None:
    """What an older citetrack does with the lockfile a newer one wrote (here: this
    version with a schema after its own): a clear message, exit 2, no traceback, and the
    file not written over — not by ``--update-lock``, not by ``lock``."""
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    page = tmp_path / "article.wiki"
    page.write_text(
        f"One.<ref>{{{{cite web |title=Zinc |url={emulator.page_url('/ok')}}}}}</ref>\n",
        encoding="utf-8",
    )
    lock = tmp_path / "citetrack.lock"
    newer = '{"schema_version": 3, "references": {}, "articles": {"x": {"new": true}}}\n'
    lock.write_text(newer, encoding="utf-8")
    for args in (("check", "--update-lock"), ("check",), ("lock",)):
        run = run_cli(*args, str(page), *FAST, env=env, cwd=tmp_path)
        assert run.code == 2, (args, run.stdout, run.stderr)
        assert "newer citetrack" in run.stderr and "Upgrade citetrack" in run.stderr, args
        assert "Traceback" not in run.stderr, args
        assert lock.read_text(encoding="utf-8") == newer, args
