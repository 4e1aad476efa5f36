"""End-to-end: ``citetrack export`` on the seed's references with planted errors (SYNTHETIC).

Export fixes exactly the planted fields, keeps every other byte, and a check of the
result is clean.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, by_key, run_cli

SEED = SEED_BIB.read_text(encoding="utf-8")
# (old, new) text replacements that plant one error each in references.bib.
PLANTS = [
    ("  pages   = {387--389},", "  pages   = {387-9},"),  # compton: abbreviated range
    ("  year    = {2008},", "  year    = {2007},"),  # mignogna: wrong year
    ("  volume  = {151},", "  volume  = {15},"),  # van Beek: wrong volume
    ("  pmid    = {14693015},\n", ""),  # pujol: PMID missing
    (
        "  doi     = {10.1016/j.amjmed.2013.01.012},",
        "  doi     = {doi:10.1016/j.amjmed.2013.01.012},",
    ),
]


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    text = SEED
    for old, new in PLANTS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def env(emulator: Emulator, tmp_path: Path) -> dict[str, str]:
    return {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}


def changed_lines(old: str, new: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_export_fixes_exactly_the_planted_fields(
    planted: Path, env: dict[str, str], tmp_path: Path
) -> None:
    before = planted.read_bytes()
    out = tmp_path / "clean.bib"
    run = run_cli("export", str(planted), "-o", str(out), env=env)
    assert run.code == 0, run.stderr
    assert planted.read_bytes() == before  # the input is never modified unless asked
    cleaned = out.read_text(encoding="utf-8")
    assert sorted(changed_lines(planted.read_text(encoding="utf-8"), cleaned)) == sorted(
        [
            "-  volume  = {15},",
            "-  year    = {2007},",
            "-  pages   = {387-9},",
            "-  doi     = {doi:10.1016/j.amjmed.2013.01.012},",
            "+  volume  = {151},",
            "+  year    = {2008},",
            "+  pages   = {387--389},",
            "+  doi     = {10.1016/j.amjmed.2013.01.012},",
            "+  pmid    = {14693015},",
            # The PMIDs the identifier search finds for the StatPearls chapter and the JOP
            # article (SYNTHETIC records), added by add-ids like any missing identifier.
            "+  pmid        = {99000101},",
            "+  pmid        = {99000102},",
        ]
    )
    # Every change is listed with its reason and source.
    assert "compton2013rare.pages" in run.stderr and "pubmed" in run.stderr.lower()
    # The cleaned file checks clean.
    check = run_cli("check", str(out), "--no-lockfile", "-f", "json", env=env)
    assert check.code == 0, check.stdout
    assert check.json()["summary"]["warning"] == 0


def test_export_diff_and_dry_run_write_nothing(planted: Path, env: dict[str, str]) -> None:
    before = planted.read_bytes()
    diff = run_cli("export", str(planted), "--diff", env=env)
    assert diff.code == 0
    assert "+  year    = {2008}," in diff.stdout and "-  year    = {2007}," in diff.stdout
    dry = run_cli("export", str(planted), "--dry-run", env=env)
    assert dry.code == 0 and "dry run" in dry.stderr
    assert planted.read_bytes() == before
    assert not list(planted.parent.glob("*.bak"))


def test_export_in_place_keeps_a_backup(planted: Path, env: dict[str, str]) -> None:
    before = planted.read_bytes()
    run = run_cli("export", str(planted), "--in-place", env=env)
    assert run.code == 0, run.stderr
    assert Path(f"{planted}.bak").read_bytes() == before
    assert "year    = {2008}" in planted.read_text(encoding="utf-8")


def test_output_to_the_input_itself_keeps_a_backup_as_in_place(
    planted: Path, env: dict[str, str]
) -> None:
    """`export refs.bib -o refs.bib` rewrote the input with no copy of it (--in-place keeps
    a .bak): now it is --in-place, whatever spelling names the file."""
    before = planted.read_bytes()
    other_spelling = planted.parent / "." / planted.name
    run = run_cli("export", str(planted), "-o", str(other_spelling), env=env)
    assert run.code == 0, run.stderr
    assert Path(f"{planted}.bak").read_bytes() == before
    assert "year    = {2008}" in planted.read_text(encoding="utf-8")


def test_no_fix_all_reproduces_the_input_byte_for_byte(
    planted: Path, env: dict[str, str], emulator: Emulator
) -> None:
    run = run_cli("export", str(planted), "--no-fix", "all", env=env)
    assert run.code == 0
    assert run.stdout.encode("utf-8") == planted.read_bytes()
    assert emulator.stats()["requests"] == 0  # nothing to fix from registries: no network


def test_local_fixes_need_no_network(
    planted: Path, env: dict[str, str], emulator: Emulator
) -> None:
    run = run_cli("export", str(planted), "--fix", "identifiers,pages", "--diff", env=env)
    assert run.code == 0
    assert "+  doi     = {10.1016/j.amjmed.2013.01.012}," in run.stdout
    assert "year" not in run.stdout  # metadata fixes were not asked for
    assert emulator.stats()["requests"] == 0


def test_prefer_crossref_changes_whose_value_is_written(planted: Path, env: dict[str, str]) -> None:
    run = run_cli("export", str(planted), "--prefer", "crossref", "--diff", env=env)
    assert run.code == 0
    assert "+  volume  = {151}," in run.stdout


def test_offline_export_after_a_check_uses_the_cache(
    planted: Path, env: dict[str, str], emulator: Emulator
) -> None:
    assert run_cli("check", str(planted), "--no-lockfile", env=env).code in (0, 1)
    before = emulator.stats()["requests"]
    run = run_cli("export", str(planted), "--offline", "--diff", env=env)
    assert run.code == 0
    assert "+  year    = {2008}," in run.stdout
    assert emulator.stats()["requests"] == before


def test_export_bad_options_and_input(planted: Path, env: dict[str, str], tmp_path: Path) -> None:
    assert run_cli("export", str(planted), "--fix", "everything", env=env).code == 2
    assert run_cli("export", str(planted), "--in-place", "-o", "x.bib", env=env).code == 2
    missing = run_cli("export", str(tmp_path / "none.bib"), env=env)
    assert missing.code == 2 and "no such file" in missing.stderr


def test_abbreviated_end_written_with_two_dashes_is_expanded(
    env: dict[str, str], tmp_path: Path
) -> None:
    """``pages = {2731--2}`` (a MEDLINE range given BibTeX's ``--``) prints "2731–2": the
    check accepts it as 2731-2732, so the metadata fix never touches it, and the pages fix
    used to expand only single-dash ranges.  SYNTHETIC edit of the seed."""
    bib = tmp_path / "refs.bib"
    bib.write_text(SEED.replace("{2731--2732}", "{2731--2}"), encoding="utf-8")
    check = run_cli("check", str(bib), "--no-lockfile", "-f", "json", env=env)
    assert check.code == 0, check.stdout
    run = run_cli("export", str(bib), "--diff", "--fix", "pages", env=env)
    assert run.code == 0, run.stderr
    diff = [line for line in run.stdout.splitlines() if line[:1] in "+-"]
    assert diff[2:] == ["-  pages   = {2731--2},", "+  pages   = {2731--2732},"], run.stdout
    assert "abbreviated end page written in full" in run.stderr


# SYNTHETIC: a seed work cited the biblatex way, its date's year wrong.
BIBLATEX_DATE = """@article{pujol2004,
  author       = {Pujol, R. M. and Wang, C. Y. and el-Azhary, R. A. and Su, W. P. and
                  Gibson, L. E. and Schroeter, A. L.},
  title        = {Necrolytic migratory erythema: clinicopathologic study of 13 cases},
  journaltitle = {International Journal of Dermatology},
  date         = {DATE},
  volume       = {43},
  number       = {1},
  pages        = {12--18},
  doi          = {10.1111/j.1365-4632.2004.01844.x},
  pmid         = {14693015},
}
"""


@pytest.mark.parametrize(
    ("cited", "fixed"),
    [
        ("2003-01-15", "2004-01-15"),  # the registry's month agrees: only the year changes
        ("2003-07", "2004-01"),  # the registry's month differs: its year and month
        ("2003", "2004"),
    ],
)
def test_biblatex_date_fix_keeps_its_precision(
    env: dict[str, str], tmp_path: Path, cited: str, fixed: str
) -> None:
    """A wrong year in ``date = {2003-01-15}`` was fixed to ``date = {2004}``: the month
    and day were silently dropped."""
    bib = tmp_path / "refs.bib"
    bib.write_text(BIBLATEX_DATE.replace("DATE", cited), encoding="utf-8")
    out = tmp_path / "clean.bib"
    run = run_cli("export", str(bib), "--fix", "metadata", "-o", str(out), env=env)
    assert run.code == 0, run.stderr
    assert out.read_text(encoding="utf-8") == BIBLATEX_DATE.replace("DATE", fixed)


# SYNTHETIC: seed works whose journal, year and volume come from a crossref / xdata parent.
INHERITING = """@string{ajm = "The American Journal of Medicine"}

@article{compton2013,
  author   = {Compton, Nicholas L. and Chien, Andy J.},
  title    = {A Rare but Revealing Sign: Necrolytic Migratory Erythema},
  pages    = {387--389},
  doi      = {10.1016/j.amjmed.2013.01.012},
  pmid     = {23477490},
  crossref = {ajm126},
}

@article{mignogna2008,
  author  = {Mignogna, M. D. and Fortuna, G. and Satriano, A. R.},
  title   = {Small-cell lung cancer and necrolytic migratory erythema},
  xdata   = {nejm359},
  number  = {25},
  pages   = {2731--2732},
  doi     = {10.1056/NEJMc0805992},
  pmid    = {19092164},
}

@periodical{ajm126,
  journal = ajm,
  year    = {YEAR},
  volume  = {126},
  number  = {5},
  doi     = {10.1016/j.amjmed.2013.01.012},
}

@xdata{nejm359,
  journaltitle = {The New England Journal of Medicine},
  year    = {2008},
  volume  = {VOLUME},
}
"""


def test_fields_from_a_crossref_or_xdata_parent_are_checked(
    env: dict[str, str], tmp_path: Path
) -> None:
    """A paper whose year or volume comes from its ``crossref`` / ``xdata`` parent was
    "ok" with neither compared.  They are compared now; export does not add the field to
    the child but says to fix the parent; a parent's identifier is never inherited."""
    bib = tmp_path / "refs.bib"
    bib.write_text(INHERITING.replace("YEAR", "2013").replace("VOLUME", "359"), "utf-8")
    run = run_cli("check", str(bib), "--no-lockfile", "-f", "json", env=env)
    assert run.code == 0, run.stdout + run.stderr
    refs = by_key(run.json())
    assert refs["compton2013"]["status"] == "ok", refs["compton2013"]["findings"]
    assert refs["mignogna2008"]["status"] == "ok", refs["mignogna2008"]["findings"]

    text = INHERITING.replace("YEAR", "2012").replace("VOLUME", "358")
    bib.write_text(text, "utf-8")
    run = run_cli("check", str(bib), "--no-lockfile", "-f", "json", env=env)
    refs = by_key(run.json())
    fields = {k: [f["field"] for f in refs[k]["findings"]] for k in ("compton2013", "mignogna2008")}
    assert fields == {"compton2013": ["year"], "mignogna2008": ["volume"]}, refs

    run = run_cli("export", str(bib), "--diff", "--fix", "metadata", env=env)
    assert run.code == 0, run.stderr
    assert run.stdout == ""  # nothing added to the children
    assert "compton2013.year: field year is not written in this entry" in run.stderr
