"""The export stage: a cleaned .bib made by minimal, shown edits of the original text.

Fixes come from two places: :func:`plan_local_fixes` (forms that need no registry) and
:func:`~citetrack.export.fixes.registry_fixes` (values a check's findings suggest).
:func:`export_bib` applies the safe ones and reports the refused ones; :func:`unified_diff`
shows what changed.
"""

from citetrack.export.bibtex import apply_fixes, export_bib
from citetrack.export.diff import unified_diff
from citetrack.export.local_fixes import format_fix, normalize_page_ranges, plan_local_fixes
from citetrack.export.model import (
    ADD_ID_FIELDS,
    DEFAULT_FIX_KINDS,
    FIX_KINDS,
    FORMAT_FIELD,
    LOCAL_SOURCE,
    METADATA_FIELDS,
    PROTECTED_FIELDS,
    Change,
    ExportResult,
    Fix,
    Skipped,
)

__all__ = [
    "ADD_ID_FIELDS",
    "DEFAULT_FIX_KINDS",
    "FIX_KINDS",
    "FORMAT_FIELD",
    "LOCAL_SOURCE",
    "METADATA_FIELDS",
    "PROTECTED_FIELDS",
    "Change",
    "ExportResult",
    "Fix",
    "Skipped",
    "apply_fixes",
    "export_bib",
    "format_fix",
    "normalize_page_ranges",
    "plan_local_fixes",
    "unified_diff",
]
