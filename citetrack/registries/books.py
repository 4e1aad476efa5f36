"""ISBN → book records: Open Library first, Google Books for what Open Library lacks.

Open Library answers many ISBNs in one request and asks for one request a second; Google
Books answers one ISBN a request under a small daily quota.  So every ISBN goes to Open
Library and only those it has no record of (or could not be asked about) go to Google
Books.  The evidence of both is kept: the rules need to know that *both* sources said "no
such ISBN" before warning, and which one could not be asked before saying "unverified".
"""

from __future__ import annotations

from collections.abc import Sequence

from citetrack.model import Evidence, Found
from citetrack.net import Http, Limiters, NetConfig
from citetrack.registries.googlebooks import GoogleBooksService
from citetrack.registries.openlibrary import OpenLibraryService
from citetrack.tracking.store import EvidenceStore


class BookLookup:
    """Both book registries behind one call; see :meth:`fetch`."""

    def __init__(self, openlibrary: OpenLibraryService, googlebooks: GoogleBooksService) -> None:
        self.openlibrary = openlibrary
        self.googlebooks = googlebooks

    @classmethod
    def from_config(
        cls, http: Http, config: NetConfig, limiters: Limiters, cache: EvidenceStore | None = None
    ) -> BookLookup:
        return cls(
            OpenLibraryService.from_config(http, config, limiters, cache),
            GoogleBooksService.from_config(http, config, limiters, cache),
        )

    async def fetch(self, isbns: Sequence[str]) -> dict[str, list[Evidence]]:
        """Evidence per ISBN as given: Open Library's answer, then Google Books' when Open
        Library did not find it."""
        first = await self.openlibrary.fetch(isbns)
        rest = [i for i in isbns if not isinstance(first.get(i), Found)]
        second = await self.googlebooks.fetch(rest) if rest else {}
        return {i: [e for e in (first.get(i), second.get(i)) if e is not None] for i in isbns}
