"""An editor's article with CS1 status marks: a stale ``|doi-broken-date=`` and the old
``|deadurl=``, read, reported by ``check`` and fixed by ``export`` only when asked
(:mod:`citetrack.export.cs1_marks`).  The real CLI against the local emulator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from citetrack_emulator import Emulator
from tests.e2e import by_key, run_cli

FAST = ("--timeout", "5", "--allow-private-urls")
# SYNTHETIC citations of the emulator's records: 10.1056/nejmc0805992 is registered
# (Crossref knows it, with these authors, issue and pages); 10.1001/archderm.1942.99999999999
# is registered nowhere.
REGISTERED = (
    "{{cite journal |last1=Mignogna |first1=Michele D. |last2=Fortuna |first2=Giulio "
    "|last3=Satriano |first3=Andrea R. |title=Small-Cell Lung Cancer and Necrolytic "
    "Migratory Erythema |journal=N Engl J Med |year=2008 |volume=359 |issue=25 "
    "|pages=2731–2732 |doi=10.1056/NEJMc0805992 |doi-broken-date=1 January 2020 "
    "|pmid=19092164}}"
)
UNREGISTERED = (
    "{{cite journal |last=Becker |first=S. W. |title=Cutaneous manifestations of internal "
    "malignant tumors |journal=Arch Dermatol |year=1942 |doi=10.1001/archderm.1942.99999999999 "
    "|doi-broken-date=1 March 2021}}"
)


def _env(emulator: Emulator, tmp: Path) -> dict[str, str]:
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp / "cache")}


def _write(tmp: Path, text: str) -> Path:
    source = tmp / "article.wiki"
    source.write_text(text, encoding="utf-8")
    return source


def _rules(report: dict[str, Any], key: str) -> set[str]:
    return {f["rule"] for f in by_key(report)[key]["findings"]}


def test_a_stale_doi_broken_date_is_reported_and_removed_only_when_asked(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A |doi-broken-date= beside a DOI that resolves again went unreported (editors want
    it gone: the page sits in "CS1 maint: DOI inactive" for nothing).  One beside a DOI
    registered nowhere is right, and stays."""
    text = f"A.<ref name=m>{REGISTERED}</ref> B.<ref name=b>{UNREGISTERED}</ref>\n"
    source = _write(tmp_path, text)
    env = _env(emulator, tmp_path)
    run = run_cli("check", str(source), "--no-lockfile", *FAST, "-f", "json", env=env)
    report = run.json()
    assert "doi-broken-stale" in _rules(report, "m"), run.stdout
    assert "doi-broken-stale" not in _rules(report, "b") and "doi-not-found" in _rules(report, "b")
    stale = next(f for f in by_key(report)["m"]["findings"] if f["rule"] == "doi-broken-stale")
    assert "doi-broken-date=1 January 2020" in stale["message"] and "Crossref" in stale["message"]
    out = tmp_path / "fixed.wiki"
    kept = run_cli("export", str(source), *FAST, "--fix", "archive", "-o", str(out), env=env)
    assert kept.code == 0, kept.stderr
    assert out.read_text(encoding="utf-8") == text  # not asked: not changed
    fixed = run_cli("export", str(source), *FAST, "--fix", "metadata", "-o", str(out), env=env)
    assert fixed.code == 0, fixed.stderr
    assert out.read_text(encoding="utf-8") == text.replace(" |doi-broken-date=1 January 2020", "")
    assert "m: doi-broken-date: '1 January 2020' -> ''" in fixed.stderr
    assert "removed 1 stale doi-broken-date" in fixed.stderr
    assert source.read_text(encoding="utf-8") == text  # the input untouched


def test_the_old_deadurl_is_read_reported_and_renamed_in_place(
    emulator: Emulator, tmp_path: Path
) -> None:
    """|deadurl=yes (CS1's spelling of |url-status=dead before 2019) was not read: a
    working URL so marked was not called stale, and a dead archived one got a second,
    |url-status=dead, beside it.  Now it is read as meant, reported, and renamed in place
    by --fix archive (to the status the check found), or removed beside a |url-status=."""
    ok = emulator.page_url("/ok")
    dead = emulator.page_url("/synthetic/nme/joplink-200407_11.pdf")
    alive_cite = (
        f"{{{{cite web |url={ok} |title=An ordinary article page |access-date=1 May 2020 "
        f"|archive-url=https://web.archive.org/web/20200101000000/{ok} "
        "|archive-date=1 January 2020 |deadurl=yes}}"
    )
    dead_cite = (
        f"{{{{cite web |url={dead} |title=Glucagonoma and pseudoglucagonoma syndrome "
        f"|access-date=1 July 2020 |archive-url=https://web.archive.org/web/20200601120000/"
        f"{dead} |archive-date=1 June 2020 |deadurl=yes |website=JOP}}}}"
    )
    both_cite = (
        f"{{{{cite web |url={ok} |title=An ordinary article page |access-date=1 May 2020 "
        "|url-status=live |dead-url=no}}"
    )
    bare_cite = f"{{{{cite web |url={ok} |title=An ordinary article page |dead-url=yes}}}}"
    text = (
        f"A.<ref name=a>{alive_cite}</ref>\nD.<ref name=d>{dead_cite}</ref>\n"
        f"B.<ref name=w>{both_cite}</ref>\nN.<ref name=n>{bare_cite}</ref>\n"
    )
    source = _write(tmp_path, text)
    env = _env(emulator, tmp_path)
    run = run_cli("check", str(source), "--no-lockfile", *FAST, "-f", "json", env=env)
    report = run.json()
    assert {"dead-link-stale", "deadurl-obsolete"} <= _rules(report, "a"), run.stdout
    assert "deadurl-obsolete" in _rules(report, "d") and "deadurl-obsolete" in _rules(report, "w")
    out = tmp_path / "fixed.wiki"
    same = run_cli("export", str(source), *FAST, "--no-fix", "archive", "-o", str(out), env=env)
    assert same.code == 0 and out.read_text(encoding="utf-8") == text, same.stderr
    fixed = run_cli("export", str(source), *FAST, "--fix", "archive", "-o", str(out), env=env)
    assert fixed.code == 0, fixed.stderr
    expected = (
        text.replace("2020 |deadurl=yes}}", "2020 |url-status=live}}")
        .replace("|deadurl=yes |website=JOP", "|url-status=dead |website=JOP")
        .replace("|url-status=live |dead-url=no}}", "|url-status=live}}")
        .replace("page |dead-url=yes}}", "page |url-status=live}}")  # it answers 200
    )
    assert out.read_text(encoding="utf-8") == expected, fixed.stderr
    assert "d: url-status: 'deadurl=yes' -> 'dead'" in fixed.stderr
    assert "a: url-status: 'deadurl=yes' -> 'live'" in fixed.stderr
    assert "w: dead-url: 'no' -> ''" in fixed.stderr
    assert "n: url-status: 'dead-url=yes' -> 'live'" in fixed.stderr
    bare = next(f for f in by_key(report)["n"]["findings"] if f["rule"] == "deadurl-obsolete")
    assert bare["expected"] == "url-status=live", bare  # what the check found, not "dead"
