"""The Python API (``import citetrack``): what scripts and notebooks rely on.

Checks run against the local emulator (``emulator_env`` sets the ``CITETRACK_*_URL``
variables); the .bib texts here are synthetic, except the seed ``references.bib``.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
import weakref
from pathlib import Path
from typing import Any

import pytest

import citetrack
from citetrack.model import Severity
from citetrack.tracking import lockfile
from citetrack.tracking.lockfile import Lock
from citetrack_emulator import Emulator
from tests.e2e import REPO, SEED_BIB

README = REPO / "README.md"


@pytest.fixture
def workdir(emulator_env: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory of its own (no config file above it is found) with a private cache."""
    monkeypatch.setenv("CITETRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CITETRACK_MAILTO", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    (work / "citetrack.toml").write_text("")  # stops the search for a config here
    monkeypatch.chdir(work)
    return work


# ------------------------------------------------------------------- the package surface


def test_import_citetrack_is_lazy_and_every_public_name_resolves() -> None:
    code = (
        "import sys, citetrack\n"
        "heavy = [m for m in ('citetrack.api', 'httpx', 'bibtexparser', 'citetrack.pipeline')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert citetrack.check.__module__ == 'citetrack.api'\n"
        "assert 'httpx' not in sys.modules\n"  # the pipeline is imported on first check
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.stdout.strip() == "ok", proc.stderr
    for name in citetrack.__all__:
        assert getattr(citetrack, name) is not None
    assert set(citetrack.__all__) == {"__version__", *citetrack._EXPORTS}
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = citetrack.nope


def test_every_name_the_api_module_exports_can_be_imported() -> None:
    """``from citetrack.api import *`` imports every name of its ``__all__``:
    ``ArticleExport`` was imported only for the type checker, and the star import failed
    with an AttributeError."""
    code = "from citetrack.api import *\nfrom citetrack import *\nprint(ArticleExport.__name__)\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ArticleExport"
    import citetrack.api as api  # noqa: PLC0415

    for name in api.__all__:
        assert getattr(api, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = api.nope  # type: ignore[attr-defined]


def test_the_command_does_not_import_the_httpx_command_line_client() -> None:
    """As citetrack's own process, ``import httpx`` skips httpx's CLI (rich.syntax,
    pygments: 40 ms of every check; issue 16); ``httpx.main`` still runs the real one.  A
    program that imports citetrack as a library keeps httpx as it is."""
    probe = (
        "import sys\n"
        "import citetrack, httpx\n"
        "print('pygments' in sys.modules, 'rich.syntax' in sys.modules)\n"
        "try:\n"
        "    httpx.main(['--help'])\n"
        "except SystemExit as exc:\n"
        "    print('exit', exc.code)\n"
    )
    as_cli = "import sys; sys.argv = ['/usr/bin/citetrack']\n" + probe
    proc = subprocess.run(
        [sys.executable, "-c", as_cli], capture_output=True, text=True, check=False
    )
    lines = proc.stdout.splitlines()
    assert lines[0] == "False False", proc.stderr
    assert "Usage:" in proc.stdout and lines[-1] == "exit 0", proc.stderr  # the real CLI
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert proc.stdout.splitlines()[0] == "True True", proc.stderr


def test_the_package_is_marked_typed_and_ships_the_marker() -> None:
    assert (REPO / "citetrack" / "py.typed").is_file()
    assert 'citetrack = ["py.typed"]' in (REPO / "pyproject.toml").read_text()


# -------------------------------------------------------------------------- parse, load


def test_parse_references_gives_references_and_bibtex() -> None:
    parsed = citetrack.parse_references(
        "1. Thiers BH, Sahn RE, Callen JP. Cutaneous manifestations of internal malignancy. "
        "CA Cancer J Clin. 2009;59(2):73-98. doi:10.3322/caac.20005\n",
        fmt="text",
    )
    (ref,) = parsed.references
    assert ref.identifiers.doi == "10.3322/caac.20005"
    assert ref.fields["pages"] == "73--98"
    bibtex = citetrack.format_bibtex(parsed.references)
    assert bibtex.startswith("@article{thiers2009cutaneous,")


def test_load_bib_keeps_problems_and_raises_only_for_unreadable_files(tmp_path: Path) -> None:
    bib = tmp_path / "synthetic.bib"
    bib.write_text("@article{a, title={One}}\n@article{a, title={Two}}\n")
    loaded = citetrack.load_bib(bib)
    assert [r.key for r in loaded.references] == ["a"]
    assert any(p.line == 2 for p in loaded.problems)
    with pytest.raises(citetrack.BibError) as info:
        citetrack.load_bib(tmp_path / "missing.bib")
    assert isinstance(info.value, citetrack.InputError)
    assert "missing.bib" in str(info.value)


# ------------------------------------------------------------------------------- check


def test_check_a_path_finds_the_seed_clean(workdir: Path, emulator_env: Emulator) -> None:
    result = citetrack.check(str(SEED_BIB))
    # The two references without identifiers are found by search (issue 13): each lacks
    # the PMID PubMed gives it, a warning; the other eight are clean, none is unchecked.
    summary = result.summary()
    assert (summary["total"], summary["ok"], summary["warning"]) == (10, 8, 2)
    assert summary["unchecked"] == 0
    assert result.requests.get("crossref", 0) >= 1
    assert emulator_env.stats()["services"]["crossref"]["requests"] >= 1


def test_check_references_reports_an_unknown_doi_as_broken(workdir: Path) -> None:
    parsed = citetrack.parse_references(
        "1. Nobody A. A paper that does not exist. J Nothing. 2020;1:1-2. "
        "doi:10.9999/no-such-work\n"
    )
    result = citetrack.check(list(parsed.references), links=False)
    (rr,) = result.results
    assert rr.status == citetrack.Status.BROKEN
    assert any(f.severity is Severity.BROKEN and f.field == "doi" for f in rr.findings)


async def test_acheck_in_a_running_loop_gives_what_check_gives(workdir: Path) -> None:
    bib = citetrack.load_bib(SEED_BIB)
    result = await citetrack.acheck(bib, links=False)
    # As check: eight clean, the two found by search lack their PMID (issue 13).
    assert (result.summary()["ok"], result.summary()["warning"]) == (8, 2)


def test_check_never_says_broken_when_it_could_not_ask(workdir: Path) -> None:
    settings = citetrack.load_settings(overrides={"offline": True})  # an empty cache
    result = citetrack.check(str(SEED_BIB), settings=settings)
    statuses = {rr.status for rr in result.results}
    assert citetrack.Status.BROKEN not in statuses
    assert citetrack.Status.UNVERIFIED in statuses


def test_check_rejects_unusable_settings_and_sources(workdir: Path) -> None:
    bad = citetrack.Settings(crossref_url="ftp://example.invalid/")
    with pytest.raises(citetrack.SettingsError, match="http"):
        citetrack.check(str(SEED_BIB), settings=bad)
    with pytest.raises(TypeError, match="cannot check a int"):
        citetrack.check([42])  # type: ignore[list-item]


# ------------------------------------------------------------------------------- track


def test_track_writes_the_baseline_and_reads_it_back(workdir: Path) -> None:
    bib = workdir / "refs.bib"
    shutil.copy(SEED_BIB, bib)
    result = citetrack.check(str(bib), links=False)
    first = citetrack.track(result, update=True)
    assert first.written == (workdir / "citetrack.lock",)
    assert first.previous == (None,)
    lock = json.loads((workdir / "citetrack.lock").read_text())
    assert lock  # a real lockfile, read back below
    second = citetrack.track(result)
    assert second.written == ()
    assert second.previous[0] is not None
    assert second.result.summary() == result.summary()


def test_track_lets_go_of_the_lockfile_it_built_before_reading_it_back(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing the lockfile reads it back (to settle the comparisons of the check that
    follows); the lockfile built is no longer held by then: at 100,000 references each
    copy is some 400 MB, and `lock` peaked with both (issue 16)."""
    bib = workdir / "refs.bib"
    shutil.copy(SEED_BIB, bib)
    result = citetrack.check(str(bib), links=False)
    built: list[weakref.ref[Lock]] = []
    held_when_read: list[bool] = []
    write_lock, read_lock = lockfile.write_lock, lockfile.read_lock

    def write(path: Path, lock: Lock) -> None:
        built.append(weakref.ref(lock))
        write_lock(path, lock)

    def read(path: Path, **options: Any) -> Lock | None:
        if built:  # the read after the write
            held_when_read.append(built[-1]() is not None)
        return read_lock(path, **options)

    monkeypatch.setattr(lockfile, "write_lock", write)
    monkeypatch.setattr(lockfile, "read_lock", read)
    assert citetrack.track(result, update=True).written == (workdir / "citetrack.lock",)
    assert held_when_read == [False]


def test_track_checks_edited_lockfile_bytes_in_full(workdir: Path) -> None:
    # The lockfile's bytes read whole before skip the duplicate-key check on the next run
    # (issue 16); bytes edited since (here, a key given twice) are checked in full.
    bib = workdir / "refs.bib"
    shutil.copy(SEED_BIB, bib)
    result = citetrack.check(str(bib), links=False)
    citetrack.track(result, update=True)
    assert citetrack.track(result).previous[0] is not None
    path = workdir / "citetrack.lock"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{", '{"schema_version": 1, ', 1), encoding="utf-8")
    with pytest.raises(citetrack.LockError, match="duplicate key 'schema_version'"):
        citetrack.track(result)


def test_track_reports_a_corrupt_lockfile_as_lock_error(workdir: Path) -> None:
    result = citetrack.check(str(SEED_BIB), links=False)
    corrupt = workdir / "bad.lock"
    corrupt.write_text("{not json")
    with pytest.raises(citetrack.LockError, match=r"bad\.lock"):
        citetrack.track(result, lockfile=corrupt)


# ------------------------------------------------------------------------------ export


def test_fix_kinds_defaults_all_and_unknown_names() -> None:
    assert "format" not in citetrack.fix_kinds()
    assert citetrack.fix_kinds(["all"]) >= {"format", "pages", "identifiers"}
    assert citetrack.fix_kinds(["pages,identifiers"], ["pages"]) == {"identifiers"}
    assert citetrack.fix_kinds(None, ["all"]) == frozenset()
    with pytest.raises(citetrack.UnknownFixError) as info:
        citetrack.fix_kinds(None, ["colour"])
    assert info.value.option == "no_fix"
    assert "colour" in str(info.value)


def test_export_bib_applies_only_the_named_local_fixes(tmp_path: Path) -> None:
    bib = tmp_path / "synthetic.bib"
    text = "@article{a,\n  doi = {https://doi.org/10.1234/ABC},\n  pages = {1-9},\n}\n"
    bib.write_text(text)
    settings = citetrack.Settings(offline=True, use_cache=False)
    only_pages = citetrack.export_bib(bib, settings=settings, fixes={"pages"})
    assert [c.field for c in only_pages.result.changes] == ["pages"]
    assert "pages = {1--9}" in only_pages.text
    assert "https://doi.org/10.1234/ABC" in only_pages.text
    nothing = citetrack.export_bib(bib, settings=settings, fixes=set())
    assert nothing.text == text
    assert not nothing.changed
    assert bib.read_text() == text  # the API never writes the .bib


def test_load_article_and_export_article_edit_only_the_cite_template(tmp_path: Path) -> None:
    # SYNTHETIC article: one reference whose DOI is malformed (prefix, full stop); CRLF.
    page = tmp_path / "synthetic.wiki"
    text = (
        "Intro.<ref name=a>{{cite journal |title=T |journal=J |year=2001 "
        "|doi=doi:10.1234/ABC.}}</ref>\r\n==References==\r\n{{reflist}}\r\n"
    )
    page.write_bytes(text.encode("utf-8"))
    settings = citetrack.Settings(offline=True, use_cache=False)
    article = citetrack.load_article(str(page), settings=settings, exact=True)
    (ref,) = article.references
    assert ref.location is not None and ref.location.ref_name == "a"
    report = citetrack.export_article(article, settings=settings, fixes={"identifiers"})
    assert report.text == text.replace("doi:10.1234/ABC.", "10.1234/ABC")
    assert [(e.param, e.new) for e in report.result.edits] == [("doi", "10.1234/ABC")]
    assert page.read_bytes() == text.encode("utf-8")  # the API never writes the article


def test_export_article_refuses_rendered_text(tmp_path: Path) -> None:
    page = tmp_path / "synthetic.txt"
    page.write_text("References\n1. Smith J. A title. J Test. 2001;1:1-2. doi:10.1234/abc\n")
    settings = citetrack.Settings(offline=True, use_cache=False)
    article = citetrack.load_article(str(page), settings=settings)
    with pytest.raises(citetrack.InputError, match="rendered text"):
        citetrack.export_article(article, settings=settings, fixes={"identifiers"})


# ------------------------------------------------------------ the README's example runs


def readme_python_example() -> str:
    section = README.read_text().split("## Python API", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    return str(block)


def test_the_readme_python_example_runs_against_the_emulator(workdir: Path) -> None:
    shutil.copy(SEED_BIB, workdir / "references.bib")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(readme_python_example(), "README.md", "exec"), {})
    printed = out.getvalue()
    assert "@article{thiers2009cutaneous," in printed
    assert "doi     = {10.3322/caac.20005}" in printed
    # Eight clean; the two found by search lack their PMID (issue 13); none unchecked.
    assert "'ok': 8" in printed and "'total': 10" in printed and "'unchecked': 0" in printed
    assert "written: citetrack.lock" in printed
    assert (workdir / "citetrack.lock").is_file()
