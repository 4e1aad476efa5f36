"""Lazy exports (:mod:`citetrack.lazy_exports`): a package's names stay importable from it
without importing all its modules, and each is the object of the module that holds it.

The packages keep their imports under ``TYPE_CHECKING`` and name each name's module once
more for :func:`~citetrack.lazy_exports.exports`: the two must say the same.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys

import pytest

#: The packages whose names are imported from their modules on first use.
LAZY_PACKAGES = (
    "citetrack.tracking.lockfile",
    "citetrack.rules",
    "citetrack.inputs.bib",
    "citetrack.links",
)


def _type_checking_imports(package: str) -> dict[str, str]:
    """Each name the package's ``if TYPE_CHECKING:`` block imports, and its module."""
    module = importlib.import_module(package)
    tree = ast.parse(inspect.getsource(module))
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.module
                for alias in statement.names:
                    names[alias.asname or alias.name] = statement.module
    return names


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_public_name_is_its_modules_object(package: str) -> None:
    module = importlib.import_module(package)
    declared = _type_checking_imports(package)
    assert sorted(declared) == sorted(module.__all__)
    where = module.__dict__["_lazy_where"]
    assert {name: f"{package}.{sub}" for name, sub in where.items()} == declared
    for name, holder in declared.items():
        assert getattr(module, name) is getattr(importlib.import_module(holder), name)
    with pytest.raises(AttributeError, match="no attribute 'nothing_of_the_kind'"):
        _ = module.nothing_of_the_kind


def test_a_name_shared_with_its_module_stays_the_function() -> None:
    """``track`` and ``diff`` are functions of modules of the same name: importing the
    module first must not make the package's name the module (as importing everything at
    once never did)."""
    code = (
        "import citetrack.tracking.lockfile.track, citetrack.tracking.lockfile.diff\n"
        "from citetrack.tracking.lockfile import diff, track\n"
        "import citetrack.tracking.lockfile as lock, sys\n"
        "t = sys.modules['citetrack.tracking.lockfile.track']\n"
        "d = sys.modules['citetrack.tracking.lockfile.diff']\n"
        "assert track is t.track and lock.track is t.track, track\n"
        "assert diff is d.diff and lock.diff is d.diff, diff\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout == "ok\n", done.stderr


def test_importing_one_module_of_a_package_does_not_import_the_others() -> None:
    code = (
        "import sys, citetrack.tracking.lockfile.state, citetrack.inputs.bib.loader\n"
        "import citetrack.links.targets\n"
        "print(sorted(m for m in sys.modules if m.startswith(('rapidfuzz', 'bibtexparser',"
        " 'stdnum', 'citetrack.rules', 'citetrack.links.wayback'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout == "[]\n", done.stderr
