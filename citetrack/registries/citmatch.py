"""PubMed's batch citation matcher (E-utilities ECitMatch): citation strings → PMIDs.

``ecitmatch.cgi?db=pubmed&retmode=xml&bdata=…`` takes many citation strings
``journal|year|volume|first_page|author|key|`` separated by carriage returns and answers
plain text, one line per citation: the string followed by a PMID, ``NOT_FOUND`` or
``AMBIGUOUS <pmid>,<pmid>…`` (https://www.ncbi.nlm.nih.gov/books/NBK25499/#chapter4.ECitMatch;
the ``AMBIGUOUS`` form as pubmed-mcp-server v2.5.6 parses it).  Long batches are POSTed.
A PMID from here is only a candidate: ECitMatch weights journal, volume and page and can
name a work whose author or year disagree, so the rules verify it against the PMID's
summary.  Paced by the shared NCBI limiter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from citetrack.model import Source
from citetrack.net import Http, RateLimiter, ServiceUnavailable, join_url
from citetrack.registries.base import chunked, unexpected_status
from citetrack.registries.pubmed import TOOL

SERVICE = Source.PUBMED.value
#: Citation strings per request (~60 characters each, POSTed).
BATCH = 100

_NO_ANSWER = "PubMed ECitMatch gave no answer for this citation"

#: One citation's answer: PMIDs (one when matched, several when ambiguous, none when
#: not found).
Matches = tuple[str, ...]


def parse_ecitmatch(text: str, keys: Sequence[str]) -> dict[str, Matches]:
    """Answers keyed by the ``key`` field of each citation string.

    A line whose key is not asked is ignored.  Only ECitMatch's own ``NOT_FOUND`` answer is
    "no match" (an empty tuple); an asked key without a line, or with any other answer (an
    error message), stays absent: it could not be matched, which says nothing of the work.
    """
    wanted = set(keys)
    out: dict[str, Matches] = {}
    for line in text.splitlines():
        fields = line.split("|")
        if len(fields) < 7:
            continue
        key, answer = fields[5], fields[6].strip()
        if key not in wanted:
            continue
        if answer.isdigit():
            out[key] = (answer,)
        elif answer.upper().startswith("AMBIGUOUS"):
            out[key] = tuple(re.findall(r"\d+", answer))
        elif answer.upper().startswith("NOT_FOUND"):  # NOT_FOUND, NOT_FOUND;INVALID_JOURNAL…
            out[key] = ()
    return out


class CitationMatcher:
    """Batched ECitMatch requests; see :meth:`match`."""

    def __init__(
        self,
        http: Http,
        *,
        base_url: str,
        limiter: RateLimiter,
        email: str | None = None,
        api_key: str | None = None,
        batch_size: int = BATCH,
    ) -> None:
        self._http = http
        self._base = base_url
        self._limiter = limiter
        self._email = email
        self._api_key = api_key
        self._batch = max(1, batch_size)

    async def match(self, citations: Sequence[str]) -> dict[str, Matches | ServiceUnavailable]:
        """Answers per citation string (as given); a batch that could not be asked gives
        each of its strings the :class:`ServiceUnavailable` that stopped it."""
        out: dict[str, Matches | ServiceUnavailable] = {}
        for chunk in chunked(list(dict.fromkeys(citations)), self._batch):
            keys = [c.split("|")[5] for c in chunk]
            try:
                answers = await self._request(chunk, keys)
            except ServiceUnavailable as exc:
                out.update(dict.fromkeys(chunk, exc))
                continue
            for citation, key in zip(chunk, keys, strict=True):
                # issue 18: only ECitMatch's own NOT_FOUND is "no match"; a citation the
                # answer does not account for could not be checked.
                out[citation] = answers[key] if key in answers else ServiceUnavailable(_NO_ANSWER)
        return out

    async def _request(self, chunk: list[str], keys: list[str]) -> dict[str, Matches]:
        data = {"db": "pubmed", "retmode": "xml", "tool": TOOL, "bdata": "\r".join(chunk)}
        if self._email:
            data["email"] = self._email
        if self._api_key:
            data["api_key"] = self._api_key
        response = await self._http.request(
            SERVICE, self._limiter, "POST", join_url(self._base, "ecitmatch.cgi"), data=data
        )
        if response.status_code != 200:
            raise unexpected_status(response, "PubMed ECitMatch")
        text = response.text
        if text.lstrip().startswith(("<", "{")):
            raise ServiceUnavailable("PubMed ECitMatch answered with an error page")
        return parse_ecitmatch(text, keys)
