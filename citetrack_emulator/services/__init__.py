"""The emulated registries, one module each, mounted at ``/{name}`` on the emulator."""

from __future__ import annotations

from citetrack_emulator.core import Service
from citetrack_emulator.services.crossref import Crossref
from citetrack_emulator.services.doiorg import DoiOrg
from citetrack_emulator.services.eutils import EUtils
from citetrack_emulator.services.googlebooks import GoogleBooks
from citetrack_emulator.services.idconv import IdConv
from citetrack_emulator.services.mediawiki import MediaWiki
from citetrack_emulator.services.openlibrary import OpenLibrary
from citetrack_emulator.services.pages import Pages
from citetrack_emulator.services.wayback import Wayback


def all_services() -> dict[str, Service]:
    """Every service by its mount name."""
    services: list[Service] = [Crossref(), EUtils(), IdConv(), DoiOrg(), Wayback(), Pages()]
    services += [OpenLibrary(), GoogleBooks()]
    services += [MediaWiki()]
    return {s.name: s for s in services}
