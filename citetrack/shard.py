"""``--shard K/N``: a deterministic slice of a collection's distinct identifiers and URLs.

An identifier belongs to shard ``1 + sha256(kind:identifier) mod N``; a URL to the shard of
its host (``host:port``), so every request to one web host comes from one shard and each
shard's per-host politeness still holds.  The hash is stable across machines, Python
versions and runs (never Python's salted ``hash``), so N jobs of a CI matrix, each running
``--shard K/N`` on the same inputs, split the work without talking to one another.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from dataclasses import dataclass

_SHARD_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
MAX_SHARDS = 10_000


class ShardError(ValueError):
    """A ``K/N`` that is not one."""


def _bucket(text: str, count: int) -> int:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count


def url_host(url: str) -> str:
    """``host:port`` of ``url`` (lower case), or the URL itself if it has no host."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return url
    return f"{host}:{port}" if host else url


@dataclass(frozen=True)
class Shard:
    """The ``index``-th (1-based) of ``count`` slices."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = _SHARD_RE.match(text)
        if not match:
            raise ShardError(f"{text!r} is not K/N (e.g. 2/4)")
        index, count = int(match[1]), int(match[2])
        if not 1 <= count <= MAX_SHARDS:
            raise ShardError(f"N must be between 1 and {MAX_SHARDS}")
        if not 1 <= index <= count:
            raise ShardError(f"K must be between 1 and N ({count})")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def owns_identifier(self, kind: str, identifier: str) -> bool:
        """Does this shard ask about ``identifier`` (``kind``: doi, pmid, pmcid)?"""
        return _bucket(f"{kind}:{identifier}", self.count) == self.index - 1

    def owns_url(self, url: str) -> bool:
        """Does this shard fetch ``url`` (decided by its host)?"""
        return _bucket(f"host:{url_host(url)}", self.count) == self.index - 1
