"""Byte-level serialisers in each registry's own dialect.

Clients parse what the registries really send, so the emulator reproduces the dialects
recorded in ``shared/fixtures/real/``:

* Crossref (Clojure/cheshire behind Jetty) writes compact JSON, escapes ``/`` as ``\\/``
  and non-ASCII as ``\\uXXXX``.
* NCBI E-utilities pretty-print JSON with four spaces, print an *empty* array as ``[``,
  newline, ``]``, keep non-ASCII characters raw (UTF-8) and end the body with a blank line.
* PubMed XML writes non-ASCII characters as hexadecimal character references (``&#xf3;``).
"""

from __future__ import annotations

import json
from typing import Any


def crossref_json(obj: Any) -> bytes:
    """Compact JSON as api.crossref.org writes it (``\\/`` and ``\\uXXXX`` escapes)."""
    # "/" occurs only inside JSON strings, so escaping it textually is safe.
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()


def compact_json(obj: Any) -> bytes:
    """Compact UTF-8 JSON (doi.org, NCBI one-line error bodies)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def ncbi_json(obj: Any) -> bytes:
    """JSON pretty-printed the way eutils.ncbi.nlm.nih.gov prints it."""
    return (_ncbi(obj, "") + "\n\n").encode()


def _ncbi(obj: Any, pad: str) -> str:
    inner = pad + "    "
    if isinstance(obj, dict):
        if not obj:
            return "{\n" + pad + "}"
        items = (
            f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_ncbi(v, inner)}"
            for k, v in obj.items()
        )
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list):
        if not obj:
            return "[\n" + pad + "]"
        return "[\n" + ",\n".join(inner + _ncbi(v, inner) for v in obj) + "\n" + pad + "]"
    return json.dumps(obj, ensure_ascii=False)


_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def xml_text(text: str) -> str:
    """Escape text for PubMed-style XML: markup characters, and non-ASCII as ``&#x…;``."""
    out: list[str] = []
    for ch in text:
        if ch in _XML_ESCAPES:
            out.append(_XML_ESCAPES[ch])
        elif ord(ch) > 0x7F:
            out.append(f"&#x{ord(ch):x};")
        else:
            out.append(ch)
    return "".join(out)
