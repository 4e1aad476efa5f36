"""The installed version of a library, without importing it or ``importlib.metadata``.

The memos are stamped with the versions of the libraries whose behaviour they remember
(:func:`citetrack.tracking.memo.code_stamp`, :func:`citetrack.inputs.bib.memo.memo_version`),
so every run asks.  Importing the libraries for their ``__version__`` (bibtexparser with
pylatexenc, python-stdnum with pydoc) or ``importlib.metadata`` (the email parser, zipfile,
csv) cost a warm run more than anything it did with them (issue 16).  An installed
distribution has a ``<name>-<version>.dist-info`` folder on ``sys.path``; the first such
folder in ``sys.path`` order is the one ``importlib.metadata`` reads too.  Only when
there is none (another way of installing) is ``importlib.metadata`` asked.
"""

from __future__ import annotations

import functools
import os
import re
import sys


def _canonical(name: str) -> str:
    """A distribution name as PEP 503 compares them (``python_stdnum`` is ``python-stdnum``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def _listing(folder: str) -> tuple[str, ...]:
    """The names in one ``sys.path`` folder (none for a zip file or a missing folder)."""
    try:
        return tuple(os.listdir(folder))  # noqa: PTH208 - the names only, no Path each
    except OSError:
        return ()


@functools.cache
def library_version(distribution: str) -> str:
    """The version of the installed ``distribution``, ``"-"`` when it is not installed."""
    wanted = _canonical(distribution)
    for entry in sys.path:
        for name in _listing(entry or "."):
            stem, dot, suffix = name.rpartition(".")
            if dot and suffix in ("dist-info", "egg-info"):
                dist, dash, version = stem.partition("-")
                if dash and _canonical(dist) == wanted:
                    return version
    from importlib import metadata  # noqa: PLC0415 - installed some other way, or not at all

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "-"
