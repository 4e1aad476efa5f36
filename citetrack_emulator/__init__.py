"""A local emulator of the registries citetrack talks to — for tests and benchmarks.

One aiohttp server on 127.0.0.1 answers, in the shapes recorded in
``shared/fixtures/real/`` (see ``shared/api-notes.md``):

=================  ===============================================  ==========================
mount              emulates                                         citetrack variable
=================  ===============================================  ==========================
``/crossref``      https://api.crossref.org                         ``CITETRACK_CROSSREF_URL``
``/eutils``        https://eutils.ncbi.nlm.nih.gov/entrez/eutils    ``CITETRACK_EUTILS_URL``
``/idconv/``       https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/   ``CITETRACK_IDCONV_URL``
                   v1/articles/ (legacy v1.0 at ``/idconv/v1.0/``)
``/doi``           https://doi.org                                  ``CITETRACK_DOI_URL``
``/wayback``       https://web.archive.org (availability API at     ``CITETRACK_WAYBACK_URL``
                   ``/wayback/wayback/available``)
``/openlibrary``   https://openlibrary.org (Books API ``/api/books``) ``CITETRACK_OPENLIBRARY_URL``
``/googlebooks``   https://www.googleapis.com (``/books/v1/volumes``) ``CITETRACK_GOOGLEBOOKS_URL``
``/pages``         ordinary web pages for link checks              (URLs in the test data)
``/mediawiki``     a MediaWiki Action API at ``w/api.php``           ``CITETRACK_WIKI_API_URL``
                   with a synthetic wikitext seed article
``/_control``      control API (world, faults, limits, latency, stats, reset)
=================  ===============================================  ==========================

Starting it
-----------
By hand::

    python -m citetrack_emulator --port 8765                  # prints export lines
    python -m citetrack_emulator --limits published --latency-ms 100 --page-hosts 50

From Python (tests use the ``emulator`` fixture of ``tests/conftest.py``)::

    with Emulator(world=None, limits="published") as emu:     # None: the seed world
        emu.env()                    # {"CITETRACK_CROSSREF_URL": "http://127.0.0.1:P/crossref", …}
        emu.add_fault("crossref", "status", code=503, times=2)
        emu.patch_world({"crossref_works": {"10.3322/caac.20005": {"title": ["Changed"]}}})
        emu.stats()["services"]["crossref"]["requests"]

The world
---------
One JSON object; keys starting with ``_`` are notes and markers (never served).  Every
section is optional.

``crossref_works``  ``{doi: message}`` — the ``message`` object of ``GET /works/{doi}``,
                    exactly as Crossref writes it.  Keys are case-insensitive DOIs.
                    ``updated-by``/``update-to`` drive retractions and corrections.
``pubmed``          ``{pmid: docsum}`` — the per-uid object of esummary JSON (all scalars
                    strings).  Missing standard keys get the empty defaults of the recorded
                    response.  ``_efetch`` adds what efetch XML needs beyond a DocSum:
                    ``authors`` (``LastName``/``ForeName``/``Initials`` or
                    ``CollectiveName``), ``abstract``, ``comments_corrections``
                    (``[{"RefType": "RetractionIn", "RefSource": …, "PMID": …}]``), ``country``.
                    ``articleids`` with ``idtype: "doi"`` feed ``esearch term=<doi>[doi]``.
``idconv``          ``{pmcid: {"pmid", "doi", "mid"?, "versions"?}}`` — PMC id-converter
                    records; an id not found here gets "Identifier not found in PMC".
``handles``         ``{doi: {"agency": "DataCite"|"mEDRA"|…, "url": landing URL,
                    "csl": {CSL JSON}?, "timestamp"?}}`` — DOIs of other agencies (Crossref
                    404s them; doi.org, doiRA and ``/works/{doi}/agency`` know them).
                    Crossref works are known to doi.org automatically (URL from
                    ``resource.primary.URL``).
``wayback``         ``{url: [{"timestamp": 14 digits, "statuscode": "200", "mimetype",
                    "digest"?, "length"?, "original"?, "title"?, "body"?, "location"?,
                    "headers"? (replayed as x-archive-orig-*)}]}`` — captures.
``wayback_blocked`` ``[host or URL prefix]`` — sites excluded from the archive (403).
``openlibrary``     ``{isbn: edition record}`` — the ``jscmd=data`` record of one edition,
                    found by any ISBN-10/-13 in its ``identifiers`` (or its key).
``googlebooks``     ``{volume id: volume}`` — a Google Books ``books#volume``, found by the
                    ISBNs in ``volumeInfo.industryIdentifiers``.
``wiki``            ``{"lag", "retry_after", "pages": {title: page}}`` — wiki pages and their
                    revisions; see :mod:`citetrack_emulator.services.mediawiki`.
``pages``           ``{path: page}`` — served at ``/pages{path}``; see
                    :mod:`citetrack_emulator.services.pages` for the page keys (status,
                    location, title, body, size, drip, retry_after, bot_wall, head_status…).

The shipped seed world (``data/seed_world.json`` + ``data/real_records.json``) holds
synthetic records for the seed article's references, synthetic fault scenarios (retracted,
corrected, expression of concern, DataCite DOI, DOI/PMID conflict, page behaviours) and the
real records copied from the recorded fixtures (with their provenance).

Not from a recording
--------------------
Where no real response was recorded the emulator says so in the module that makes it up:
Crossref's 429 body (plain ``Too Many Requests``), the ``414 URI Too Long`` for a batch
over a configured size, esummary/idconv XML, esearch's ``errorlist``/``warninglist``, the
current idconv record shape (api-notes §2.5), the trimmed doi.org error pages, the
Open Library and Google Books answers and Google's quota errors (documented / reported
shapes), ECitMatch's text lines (documented shape; ``AMBIGUOUS`` as a client parses it),
and CDX resume keys (the recorded text convention, last timestamp digit + 1, is used for JSON too).

Faults, limits, latency
-----------------------
Faults: :mod:`citetrack_emulator.faults` (kinds ``status``, ``reset``, ``timeout``/``hang``,
``latency``, ``truncated``, ``invalid_json``, ``wrong_shape_json``, ``html_instead_of_json``,
``xml_bomb``, ``xxe``, ``huge_body``, ``slow_drip``, ``redirect_loop``; ``times``, ``after``,
``probability`` + ``seed``).  Limits: :mod:`citetrack_emulator.limits` (off by default —
headers still advertise the published values —, ``"published"``, or per-bucket settings;
a refusal is a 429 in the service's own style).  Statistics: :mod:`citetrack_emulator.stats`.
"""

from __future__ import annotations

from citetrack_emulator.server import ENV_PATHS, Emulator, env_for, serve
from citetrack_emulator.world import World, WorldError, load_world, seed_world

__all__ = [
    "ENV_PATHS",
    "Emulator",
    "World",
    "WorldError",
    "env_for",
    "load_world",
    "seed_world",
    "serve",
]
