"""A warm check imports only what it runs (issue 16: the warm path's start-up).

Every finding of a warm check is remembered, every entry of its .bib is stored already
read: it compares nothing, parses no BibTeX and validates no ISBN.  So it imports neither
the rules stage (nor rapidfuzz), bibtexparser (nor pylatexenc), python-stdnum, nor
``importlib.metadata`` for the libraries' versions, while a cold check of the same file
imports them and gives the same report.  End to end, the real CLI in a subprocess; the
modules a run imported are read from Python's ``-X importtime`` report
(``PYTHONPROFILEIMPORTTIME``), so the command line is exactly the user's.

Then :func:`citetrack.libversions.library_version`, which the memos' stamps read instead
of ``importlib.metadata``: the same version.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from citetrack.libversions import library_version
from tests.e2e import PROFILED_MAILTO as MAILTO
from tests.e2e import import_profiled, imported

#: What only a run that compares, parses or reads metadata needs.
COLD_ONLY = (
    "rapidfuzz",
    "stdnum",
    "bibtexparser",
    "pylatexenc",
    "importlib.metadata",
    "email",
    "citetrack.rules.compare",
    "citetrack.rules.matching",
)


def cold_only(names: set[str]) -> set[str]:
    return {n for n in names if any(n == m or n.startswith(m + ".") for m in COLD_ONLY)}


def test_a_warm_check_imports_no_rules_bibtex_parser_nor_metadata(tmp_path: Path) -> None:
    with import_profiled(tmp_path) as (bib, _, cli):
        common = ["--mailto", MAILTO, "--no-links", "--format", "json", "-q"]

        cold = cli("check", str(bib), *common, "--no-lockfile")
        assert cold.code == 0, cold.stderr[-2000:]
        # The cold run needs them all: the test sees them when they are imported.
        assert {"rapidfuzz", "bibtexparser", "citetrack.rules.compare"} <= imported(cold)

        warm = cli("check", str(bib), *common, "--no-lockfile")
        assert warm.code == 0, warm.stderr[-2000:]
        assert warm.json()["references"] == cold.json()["references"]
        assert cold_only(imported(warm)) == set()

        lock = cli("lock", str(bib), "--mailto", MAILTO, "--no-links", "-q")
        assert lock.code == 0, lock.stderr[-2000:]
        locked = cli("check", str(bib), *common, "--max-cache-age", "100000")
        assert locked.code == 0, locked.stderr[-2000:]
        assert locked.json()["references"] == cold.json()["references"]
        assert cold_only(imported(locked)) == set()


# ------------------------------------------------------------------- library versions


@pytest.mark.parametrize(
    "name", ["rapidfuzz", "python-stdnum", "python_stdnum", "bibtexparser", "mwparserfromhell"]
)
def test_a_library_version_is_what_its_metadata_says(name: str) -> None:
    assert library_version(name) == importlib.metadata.version(name)


def test_a_library_not_installed_has_no_version() -> None:
    assert library_version("no-such-distribution-here") == "-"
