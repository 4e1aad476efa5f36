"""docs/architecture.md names every package and top-level module of citetrack, so that the
map a newcomer reads cannot silently fall behind the tree."""

from __future__ import annotations

import ast

from tests.e2e import REPO

PACKAGE = REPO / "citetrack"
DOC = REPO / "docs" / "architecture.md"


def test_the_map_names_every_package_and_top_level_module() -> None:
    text = DOC.read_text()
    packages = {p.name + "/" for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    modules = {p.name for p in PACKAGE.glob("*.py")} - {"__init__.py", "__main__.py"}
    missing = sorted(name for name in packages | modules if name not in text)
    assert not missing, f"add to docs/architecture.md's map: {missing}"
    assert "cli/" in packages and "api.py" in modules


def test_every_module_says_its_job_in_a_docstring() -> None:
    silent = [
        str(path.relative_to(REPO))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.stat().st_size and ast.get_docstring(ast.parse(path.read_text())) is None
    ]
    assert not silent, f"modules without a docstring saying their job: {silent}"
