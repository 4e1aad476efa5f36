"""The rules stage: compare each reference with the registries' records, find duplicates.

:func:`compare_reference` composes the families of rules (identifiers, metadata,
updates); :func:`find_duplicates` looks across references.  Pure: no I/O, no clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from citetrack.lazy_exports import exports

if TYPE_CHECKING:
    from citetrack.rules.compare import compare_reference, find_duplicates

__all__ = ["compare_reference", "find_duplicates"]

# Each public name's module, imported when the name is first asked for, so that importing
# one module of the package does not import them all (:mod:`citetrack.lazy_exports`).
exports(
    __name__,
    {
        "compare_reference": "compare",
        "find_duplicates": "compare",
    },
)
