"""HTML markup in a pasted reference list: the tags taken out, the list's items kept.

A list copied from a journal page's source, an HTML e-mail or a CMS editor comes with
its markup: ``<ol>`` / ``<li>`` around the items, ``<em>`` / ``<i>`` / ``<b>`` around
titles and journals, ``<a href="…">`` around DOIs.  Read as text, ``<ol>`` became an
entry, ``<li>Doe J`` an author and ``<em>J Foo</em>`` a journal.  Per line (so line
numbers stay the editor's): a line's list-item tag becomes a bullet (or nothing, when a
list number follows it), a link keeps its text and its target (once when the text is the
target), and the other tags of lists, paragraphs and inline formatting are removed.
Entities (``&ndash;``) are decoded later, with the rest of the text.  Text without such
tags is left as it is (``p<0.05`` is no tag).
"""

from __future__ import annotations

import re

_NAMES = r"(?:ol|ul|li|p|div|span|em|i|b|strong|cite|sup|sub|u|small|font|br|a|dl|dt|dd)"
_TAG = re.compile(rf"</?{_NAMES}\b[^<>]*>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*<li\b[^<>]*>\s*", re.IGNORECASE)
_NUMBER_AFTER = re.compile(r"\[\d{1,4}\]|\(\d{1,4}\)|\d{1,4}[.)]?\s")
_ANCHOR = re.compile(
    r"<a\b[^<>]*?\bhref\s*=\s*[\"']?(?P<url>[^\"'\s<>]+)[\"']?[^<>]*>(?P<text>.*?)</a\s*>",
    re.IGNORECASE,
)
# Tags that end a block: a blank stands for them, so the words either side stay apart.
_BLOCK = re.compile(r"</?(?:ol|ul|li|p|div|br|dl|dt|dd)\b", re.IGNORECASE)


def has_markup(text: str) -> bool:
    """Whether the text holds HTML tags of lists, paragraphs or inline formatting."""
    return "<" in text and _TAG.search(text) is not None


def without_markup(line: str) -> str:
    """One line without its tags (see the module's docstring)."""
    item = _LIST_ITEM.match(line)
    if item is not None:
        rest = line[item.end() :]
        line = ("" if _NUMBER_AFTER.match(rest) else "• ") + rest
    line = _ANCHOR.sub(_link, line)
    return _TAG.sub(lambda m: " " if _BLOCK.match(m.group(0)) else "", line).rstrip()


def _link(match: re.Match[str]) -> str:
    """A link's text, and its target when the text does not hold it."""
    text, url = match["text"], match["url"]
    if url in text or not url.lower().startswith(("http://", "https://")):
        return text
    return f"{text} {url}"
