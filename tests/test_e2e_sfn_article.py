"""End to end: an article in the {{sfn}} style, as an editor's nightly job and gate see it.

SYNTHETIC article: footnotes by {{sfn}}, full citations in a Sources list (the seed's
Thiers 2009 and Pujol 2004, as the emulator serves them).  Each footnote used to be a
parse-doubtful warning, and footnotes were keyed by their order, so one added before the
others renumbered them all in the lockfile.
"""

from __future__ import annotations

from pathlib import Path

from citetrack_emulator import Emulator
from tests.e2e import run_cli

FAST = ("--per-host-interval", "0", "--timeout", "5", "--no-links")
SOURCES = """
==Sources==
* {{cite journal |last1=Thiers |first1=BH |last2=Sahn |first2=RE |last3=Callen |first3=JP
  |title=Cutaneous manifestations of internal malignancy |journal=CA Cancer J Clin
  |date=2009 |volume=59 |issue=2 |pages=73–98 |doi=10.3322/caac.20005 |pmid=19258446}}
* {{cite journal |last1=Pujol |first1=RM |last2=Wang |first2=CY |last3=el-Azhary |first3=RA
  |last4=Su |first4=WP |last5=Gibson |first5=LE |last6=Schroeter |first6=AL
  |title=Necrolytic migratory erythema: clinicopathologic study of 13 cases
  |journal=Int J Dermatol |date=2004 |volume=43 |issue=1 |pages=12–18
  |doi=10.1111/j.1365-4632.2004.01844.x |pmid=14693015}}
"""
TEXT = (
    "Necrolytic migratory erythema.{{sfn|Thiers|Sahn|Callen|2009|p=80}} It is rare."
    "{{sfn|Pujol|Wang|el-Azhary|Su|2004|p=12}} Biopsy helps.{{sfn|Thiers|Sahn|Callen|2009|p=85}}"
    "\n\n==References==\n{{reflist}}\n" + SOURCES
)


def test_an_sfn_article_passes_the_gate_and_keeps_its_footnotes_keys(
    emulator: Emulator, tmp_path: Path
) -> None:
    page = tmp_path / "article.wiki"
    page.write_text(TEXT, encoding="utf-8")
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    check = ("check", str(page), *FAST, "-f", "json")
    first = run_cli(*check, "--no-lockfile", "--fail-on", "warning", env=env)
    report = first.json()
    rules = {f["rule"] for r in report["references"] for f in r["findings"]}
    assert "parse-doubtful" not in rules, first.stdout
    assert first.code == 0, rules
    # The footnotes are not works: the two full citations are the references, each
    # checked; the footnotes are said in a note, not as three "unchecked" references.
    assert {r["status"] for r in report["references"]} == {"ok"}, report["references"]
    assert report["summary"]["total"] == 2 and report["summary"]["unchecked"] == 0
    assert any("3 short citations" in n for n in report["notes"]), report["notes"]
    assert run_cli("lock", str(page), *FAST, env=env).code == 0
    # An editor adds a footnote before the others, and one in an image's caption: no
    # reference is added or removed (the caption's footnote is read where it is).
    page.write_text(
        TEXT.replace(
            "erythema.{{sfn", "erythema.{{sfn|Pujol|Wang|el-Azhary|Su|2004|p=14}}{{sfn", 1
        ).replace(
            "It is rare.",
            "It is rare.[[File:Rash.jpg|thumb|A rash.{{sfn|Thiers|Sahn|Callen|2009|p=81}}]]",
        ),
        encoding="utf-8",
    )
    gate = run_cli(*check, "--new-only", "--fail-on", "warning", env=env)
    found = [(r["key"], f["rule"]) for r in gate.json()["references"] for f in r["findings"]]
    assert gate.code == 0, found
    assert not [rule for _, rule in found if rule.startswith("reference-")], found
    # A footnote pointing at no full citation is said, as CS1 says it, at its own place
    # (after a caption's footnote, which the parser and the locator both read).
    page.write_text(
        TEXT.replace("|2004|p=12}}", "|2005|p=12}}").replace(
            "It is rare.",
            "It is rare.[[File:Rash.jpg|thumb|A rash.{{sfn|Thiers|Sahn|Callen|2009|p=81}}]]",
        ),
        encoding="utf-8",
    )
    broken = run_cli(*check, "--no-lockfile", env=env)
    pointed = [
        (r["location"]["column"], f["message"])
        for r in broken.json()["references"]
        for f in r["findings"]
        if "points to no full citation" in f["message"]
    ]
    column = page.read_text(encoding="utf-8").index("{{sfn|Pujol") + 1
    assert [c for c, _ in pointed] == [column], pointed
    assert "Pujol, Wang, el-Azhary, Su, 2005" in pointed[0][1]


def test_parse_of_an_sfn_article_writes_the_works_not_the_footnotes(tmp_path: Path) -> None:
    page = tmp_path / "article.wiki"
    page.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "refs.bib"
    run = run_cli("parse", str(page), "-o", str(out))
    assert run.code == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    assert text.count("@article{") == 2 and text.count("@") == 2, text
    assert "3 short citations" in run.stderr and "wrote 2 references" in run.stderr
