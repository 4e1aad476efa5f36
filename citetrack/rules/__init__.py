"""The rules stage: compare each reference with the registries' records, find duplicates.

:func:`compare_reference` composes the families of rules (identifiers, metadata,
updates); :func:`find_duplicates` looks across references.  Pure: no I/O, no clock.
"""

from citetrack.rules.compare import compare_reference, find_duplicates

__all__ = ["compare_reference", "find_duplicates"]
