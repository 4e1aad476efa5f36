"""Indexes of the emulated book registries: records by ISBN (ISBN-10 and -13 alike).

World sections ``openlibrary`` (``{any key: jscmd=data edition record}``, ISBNs taken from
``identifiers.isbn_10`` / ``isbn_13`` and from the key when it is an ISBN) and
``googlebooks`` (``{volume id: volume}``, ISBNs from
``volumeInfo.industryIdentifiers``).  Pure functions; no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

JSONDict = dict[str, Any]


def isbn13(text: str) -> str | None:
    """``text`` as ISBN-13 digits when it is a well-formed ISBN-10 or -13, else ``None``."""
    digits = re.sub(r"[\s-]", "", text).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        core = "978" + digits[:9]
    elif re.fullmatch(r"97[89]\d{10}", digits):
        core = digits[:12]
    else:
        return None
    check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(core)) % 10) % 10
    return core + str(check)


def _public(record: Mapping[str, Any]) -> JSONDict:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def _openlibrary_isbns(key: str, record: Mapping[str, Any]) -> Iterable[str]:
    identifiers = record.get("identifiers") or {}
    yield key
    for name in ("isbn_10", "isbn_13"):
        yield from (str(x) for x in identifiers.get(name) or [])


def _googlebooks_isbns(key: str, record: Mapping[str, Any]) -> Iterable[str]:
    info = record.get("volumeInfo") or {}
    for entry in info.get("industryIdentifiers") or []:
        if str(entry.get("type", "")).startswith("ISBN"):
            yield str(entry.get("identifier", ""))


def book_index(section: str, data: Mapping[str, Any]) -> dict[str, JSONDict]:
    """``{isbn13: served record}`` for one book section."""
    isbns = _openlibrary_isbns if section == "openlibrary" else _googlebooks_isbns
    index: dict[str, JSONDict] = {}
    for key, record in data.items():
        if not isinstance(record, dict):
            raise ValueError(f"{section}[{key!r}] must be a JSON object")
        served = _public(record)
        if section == "googlebooks":
            served.setdefault("id", key)
        for value in isbns(key, record):
            normalised = isbn13(value)
            if normalised:
                index.setdefault(normalised, served)
    return index
