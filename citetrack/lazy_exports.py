"""A package's public names imported from their modules when first asked for (PEP 562).

A package ``__init__`` that imports every module it re-exports makes any import of one of
its modules import all of them: ``citetrack.tracking.lockfile.state`` alone brought in the
rules stage, rapidfuzz, python-stdnum, bibtexparser and pylatexenc, none of which a warm
check with an unchanged lockfile runs (issue 16).  With :func:`exports`, ``from
citetrack.tracking.lockfile import diff`` still works and gives the same object; only the
module that holds it is imported, the first time it is asked for.

The package keeps its ``from … import …`` lines under ``TYPE_CHECKING`` (what mypy and a
reader see) and names the module of each name once more for :func:`exports`; a test
(``tests/test_lazy_exports.py``) checks that the two say the same.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Mapping


class _LazyPackage(types.ModuleType):
    """A package whose public names are imported when first asked for."""

    _lazy_where: Mapping[str, str]

    def __getattr__(self, name: str) -> object:
        """Called only for a name the package does not hold yet."""
        module = self.__dict__.get("_lazy_where", {}).get(name)
        if module is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value: object = getattr(importlib.import_module(f"{self.__name__}.{module}"), name)
        setattr(self, name, value)
        return value

    def __setattr__(self, name: str, value: object) -> None:
        """The import system sets each submodule, once imported, as an attribute of its
        package.  Where a public name is also the name of the submodule that holds it
        (``track`` of ``citetrack.tracking.lockfile.track``), the package's attribute
        stays the public object, as when the package imported it at once."""
        where = self.__dict__.get("_lazy_where", {})
        if (
            isinstance(value, types.ModuleType)
            and where.get(name) == name
            and value.__name__ == f"{self.__name__}.{name}"
        ):
            value = getattr(value, name)
        super().__setattr__(name, value)


def exports(package: str, where: Mapping[str, str]) -> None:
    """Make name ``n`` of ``where`` the attribute ``n`` of the module
    ``<package>.<where[n]>``, imported when first asked for and then kept on the package;
    any other missing name is an ``AttributeError``, as before.  Called at the end of
    the package's ``__init__``."""
    module = sys.modules[package]
    module.__dict__["_lazy_where"] = dict(where)
    module.__class__ = _LazyPackage
