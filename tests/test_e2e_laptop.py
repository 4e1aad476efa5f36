"""citetrack as a user runs it on a laptop: the real CLI, the local emulator, a fresh cache.

Each test is a workflow a user reported wrong although every check in it was right alone.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from citetrack_emulator import Emulator
from tests.e2e import run_cli, served_wikitext

TITLE = "Necrolytic_migratory_erythema"

# SYNTHETIC: a DOI typed with spaces, and one written in a sentence.
SPACED_BIB = """@article{spaced, title = {A paper}, author = {Doe, J.}, year = {2020},
  doi = {10.1234/not a doi}}
@article{sentence, title = {B paper}, author = {Roe, K.}, year = {2019},
  doi = {see 10.1000/xyz123 online}}
"""


def _env(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}


def test_a_doi_cut_by_a_space_is_not_offered_shortened_as_its_fix(
    emulator: Emulator, tmp_path: Path
) -> None:
    """``10.1234/not a doi`` was offered the fix ``10.1234/not``: another DOI, not the one
    meant.  A DOI plainly set in a sentence keeps its suggestion."""
    bib = tmp_path / "refs.bib"
    bib.write_text(SPACED_BIB, encoding="utf-8")
    env = _env(emulator, tmp_path)
    run = run_cli("check", str(bib), "--no-lockfile", "-f", "json", env=env)
    found = {
        r["key"]: f["suggestion"]
        for r in run.json()["references"]
        for f in r["findings"]
        if f["rule"] == "identifier-malformed"
    }
    assert found == {"spaced": None, "sentence": "10.1000/xyz123"}, run.stdout
    text = run_cli("check", str(bib), "--no-lockfile", env=env)
    assert "10.1234/not\n" not in text.stdout and "suggestion: 10.1234/not" not in text.stdout
    export = run_cli("export", str(bib), "--diff", env=env)
    assert export.code == 0, export.stderr
    assert "'10.1234/not'" not in export.stderr, export.stderr
    assert "10.1234/not a doi" in bib.read_text(encoding="utf-8")  # the input untouched


def test_one_reference_is_counted_in_the_singular(emulator: Emulator, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(SPACED_BIB.split("@article{sentence", maxsplit=1)[0], encoding="utf-8")
    run = run_cli("check", str(bib), "--local", env=_env(emulator, tmp_path))
    assert run.code == 3, run.stderr  # the search was not run: not verified
    assert "1 reference: 1 warning" in run.stdout and "1 references" not in run.stdout


def test_parse_reads_a_wiki_page_url_as_check_does(emulator: Emulator, tmp_path: Path) -> None:
    """`citetrack check URL` read the page through the MediaWiki API, while `citetrack
    parse URL` said "no such file".  Parsing the page gives what parsing its wikitext
    saved to a file gives, and says which revision it read."""
    env = _env(emulator, tmp_path)
    url = f"{emulator.url}/wiki/{TITLE}"
    run = run_cli("parse", url, "-o", str(tmp_path / "page.bib"), env=env, cwd=tmp_path)
    assert run.code == 0, run.stderr
    (tmp_path / "page.wiki").write_text(served_wikitext(emulator, TITLE), encoding="utf-8")
    saved = run_cli("parse", "page.wiki", env=env, cwd=tmp_path)
    assert saved.code == 0, saved.stderr
    assert (tmp_path / "page.bib").read_text(encoding="utf-8") == saved.stdout
    assert saved.stdout.count("@") >= 10
    assert "revision 9000001" in run.stderr and "no such file" not in run.stderr
    missing = run_cli("parse", f"{emulator.url}/wiki/No_such_page", env=env, cwd=tmp_path)
    assert missing.code == 2 and "no such page" in missing.stderr, missing.stderr
    assert "Traceback" not in missing.stderr


def test_the_seed_articles_export_explains_each_edit_in_one_clean_clause(
    emulator: Emulator, tmp_path: Path
) -> None:
    """The editor's run on the seed page: every edit line says what changed and why, as
    ``(reason; source)``; a reason's own full stop made it read "… agree).; pubmed)"."""
    url = f"{emulator.url}/wiki/{TITLE}"
    out = tmp_path / "fixed.wiki"
    run = run_cli(
        "export", url, "--allow-private-urls", "-o", str(out), env=_env(emulator, tmp_path)
    )
    assert run.code == 0, run.stderr
    edits = [line for line in run.stderr.splitlines() if line.startswith(f"{TITLE}:")]
    assert len(edits) == 8, run.stderr
    assert all(re.search(r" -> '[^']*' \(.+; [a-z.]+\)$", line) for line in edits), edits
    assert not any(".;" in line for line in edits), edits
    assert "citetrack: 8 edits written to" in run.stderr


def _deep_folder(root: Path, depth: int = 40) -> None:
    """Folders nested deeper than a path may be long (4096 bytes), made one level at a
    time by descriptor; a .bib at the bottom."""
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d" * 200, dir_fd=fd)
            inner = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        made = os.open("x.bib", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(made, b"@article{x, title = {T}, year = {2020}}\n")
        os.close(made)
    finally:
        os.close(fd)


def test_a_folder_that_cannot_be_walked_is_an_error_naming_it_not_a_crash(
    emulator: Emulator, tmp_path: Path
) -> None:
    """`citetrack check DIR` over a tree it cannot list (here a path longer than the system
    allows; on a laptop also a folder deleted while walked) said "internal error: OSError"."""
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "a.bib").write_text(SPACED_BIB, encoding="utf-8")
    _deep_folder(tmp_path / "refs")
    run = run_cli("check", "refs", "--local", env=_env(emulator, tmp_path), cwd=tmp_path)
    assert run.code == 2, run.stderr
    assert run.stderr.startswith("citetrack: error: refs: a folder below it could not be listed")
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr) < 400  # the 8,000-character path is shortened


def test_a_broken_link_to_a_bib_in_a_checked_folder_is_named_not_skipped(
    emulator: Emulator, tmp_path: Path
) -> None:
    """`citetrack check docs` with docs/b.bib a symbolic link to nothing (a moved shared
    library) checked docs/a.bib alone and exited 3 as if b.bib did not exist."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.bib").write_text(SPACED_BIB, encoding="utf-8")
    (docs / "b.bib").symlink_to(tmp_path / "moved" / "b.bib")
    (docs / "old.bib").mkdir()  # a folder named like a bibliography is none
    for given in ("docs", "docs/*.bib"):
        run = run_cli("check", given, "--local", env=_env(emulator, tmp_path), cwd=tmp_path)
        assert run.code == 2, run.stderr
        assert "docs/b.bib: no such file" in run.stderr
        assert "old.bib" not in run.stderr
