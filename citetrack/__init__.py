"""citetrack: keep bibliographies honest."""

__version__ = "0.1.0"
