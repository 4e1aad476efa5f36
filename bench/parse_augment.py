"""Synthetic training strings: labelled references re-rendered in other citation styles.

Issue 15, item 3.  A training string of a simple shape — a journal article (author, date,
title, journal, volume, pages) or a book (author, date, title, place, publisher), with or
without a citation number — is printed again by one of five templates (APA, Vancouver,
IEEE, Chicago, Harvard), chosen by its position in the list (deterministic), with the
segments' own words and the template's punctuation and order.  The copies are labelled by
construction.  Only training time uses them: in cross-validation they are built from the
*training part of the fold*, never from the held-out strings, and the scores are taken on
the original held-out gold only.

Each copy comes with its source string: the learnt dictionaries
(:mod:`citetrack.parse.crf.lexicon`) are counted on the originals alone and the copy's
features take its source's words out of the counts, as the source's own features do.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Segments = list[tuple[str, str]]

_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)[a-z]?(?!\d)")
_NUMBER = re.compile(r"\d+")
_PAGES = re.compile(r"[A-Za-z]?\d+(?:\s*[-–—]+\s*[A-Za-z]?\d+)?")
_QUOTES = "\"“”«»„'‘’ "
_ARTICLE = frozenset(("citation-number", "author", "date", "title", "journal", "volume", "pages"))
_BOOK = frozenset(("citation-number", "author", "date", "title", "location", "publisher"))


def bare(text: str) -> str:
    """A segment's text without its surrounding punctuation (``(New York:`` → ``New York``)."""
    out = text.strip()
    for _ in range(3):
        out = out.rstrip(".,;: ")
        if out.startswith("(") and out.endswith(")") and out.count("(") == 1:
            out = out[1:-1]
        if out.startswith("(") and ")" not in out:
            out = out[1:]
        if out.endswith(")") and "(" not in out:
            out = out[:-1]
        out = out.strip()
    return out


def _end(text: str, mark: str) -> str:
    """``text`` followed by ``mark``, unless it already ends a sentence (``?``, ``!``)."""
    if mark.startswith(".") and text[-1:] in "?!":
        return text + mark[1:]
    return text + mark


def _initials_end(author: str) -> str:
    """An author list ends with a period when its last word is an initial or ``al``."""
    last = author.rsplit(maxsplit=1)[-1] if author.split() else ""
    return author + "." if len(last.rstrip(".")) <= 2 or last == "al" else author


def _parts(segments: Segments) -> dict[str, str] | None:
    parts: dict[str, str] = {}
    for label, text in segments:
        if label in parts:  # two segments of one kind: not a simple shape
            return None
        parts[label] = text
    date = _YEAR.search(parts.get("date", ""))
    if date is None:
        return None
    out = {label: bare(text) for label, text in parts.items()}
    if not all(out.values()):
        return None
    out["date"] = date.group(0)
    if "title" in out:
        out["title"] = out["title"].strip(_QUOTES).rstrip(".,;:") or out["title"]
    return out


def _volume(parts: dict[str, str]) -> tuple[str, str] | None:
    numbers = _NUMBER.findall(parts.get("volume", ""))
    if not numbers:
        return None
    return numbers[0], numbers[1] if len(numbers) > 1 else ""


def _article(parts: dict[str, str], style: str, number: str) -> Segments:
    a, y, t, j = parts["author"], parts["date"], parts["title"], parts["journal"]
    vol = _volume(parts)
    pages_match = _PAGES.search(parts.get("pages", ""))
    p = pages_match.group(0) if pages_match else ""
    out: Segments = []
    if style == "apa":
        out += [("author", _initials_end(a)), ("date", f"({y})."), ("title", _end(t, "."))]
        out.append(("journal", j + ("," if vol or p else ".")))
        if vol:
            out.append(("volume", f"{vol[0]}({vol[1]})," if vol[1] else f"{vol[0]},"))
        if p:
            out.append(("pages", f"{p}."))
    elif style == "vancouver":
        out += [("citation-number", f"{number}.")] if number else []
        out += [("author", _end(a, ".")), ("title", _end(t, ".")), ("journal", f"{j}.")]
        out.append(("date", f"{y};" if vol else f"{y}."))
        if vol:
            out.append(("volume", f"{vol[0]}({vol[1]}):" if vol[1] else f"{vol[0]}:"))
        if p:
            out.append(("pages", f"{p}."))
    elif style == "ieee":
        out += [("citation-number", f"[{number}]")] if number else []
        out += [("author", f"{_initials_end(a)},"), ("title", f"“{t},”"), ("journal", f"{j},")]
        if vol:
            out.append(("volume", f"vol. {vol[0]}, no. {vol[1]}," if vol[1] else f"vol. {vol[0]},"))
        if p:
            out.append(("pages", f"pp. {p},"))
        out.append(("date", f"{y}."))
    elif style == "chicago":
        out += [("author", _end(a, ".")), ("title", f"“{_end(t, '.')}”"), ("journal", j)]
        if vol:
            out.append(("volume", f"{vol[0]}, no. {vol[1]}" if vol[1] else vol[0]))
        out.append(("date", f"({y}):" if p else f"({y})."))
        if p:
            out.append(("pages", f"{p}."))
    else:  # harvard
        out += [("author", f"{_initials_end(a)},"), ("date", f"{y}."), ("title", _end(t, "."))]
        out.append(("journal", j + ("," if vol or p else ".")))
        if vol:
            out.append(("volume", f"{vol[0]}({vol[1]})," if vol[1] else f"{vol[0]},"))
        if p:
            out.append(("pages", f"pp. {p}."))
    return out


def _book(parts: dict[str, str], style: str, number: str) -> Segments:
    a, y, t, pub = parts["author"], parts["date"], parts["title"], parts["publisher"]
    place = parts.get("location")
    out: Segments = []
    if style == "apa":
        out += [("author", _initials_end(a)), ("date", f"({y})."), ("title", _end(t, "."))]
        out += [("location", f"{place}:")] if place else []
        out.append(("publisher", f"{pub}."))
    elif style in ("vancouver", "ieee", "chicago"):
        if number:
            out.append(("citation-number", f"{number}." if style == "vancouver" else f"[{number}]"))
        author = f"{_initials_end(a)}," if style == "ieee" else _end(a, ".")
        out += [("author", author), ("title", _end(t, "."))]
        out += [("location", f"{place}:")] if place else []
        out.append(("publisher", f"{pub};" if style == "vancouver" else f"{pub},"))
        out.append(("date", f"{y}."))
    else:  # harvard
        out += [("author", f"{_initials_end(a)},"), ("date", f"{y}."), ("title", _end(t, "."))]
        out += [("location", f"{place}:")] if place else []
        out.append(("publisher", f"{pub}."))
    return out


STYLES = ("apa", "vancouver", "ieee", "chicago", "harvard")


def restyle(segments: Segments, style: str, number: str = "") -> Segments | None:
    """``segments`` printed in ``style`` (:data:`STYLES`), or None when the string is not
    a simple article or book.  ``number``: a citation number to print (numbered styles)."""
    labels = {label for label, _ in segments}
    parts = _parts(segments)
    if parts is None or not {"author", "date", "title"} <= labels:
        return None
    if labels <= _ARTICLE and "journal" in labels:
        render: Callable[[dict[str, str], str, str], Segments] = _article
    elif labels <= _BOOK and "publisher" in labels:
        render = _book
    else:
        return None
    out = render(parts, style, number)
    if any(not text.strip() for _, text in out):
        return None
    return out


def augment(sequences: list[Segments]) -> list[tuple[Segments, Segments]]:
    """One re-rendered copy of every simple string of ``sequences``, with its source: the
    style cycles with the string's position, numbered styles print a number every other
    time."""
    out: list[tuple[Segments, Segments]] = []
    for n, segments in enumerate(sequences):
        style = STYLES[n % len(STYLES)]
        number = str(n % 97 + 1) if (n // len(STYLES)) % 2 else ""
        copy = restyle(segments, style, number)
        if copy is not None:
            out.append((copy, segments))
    return out
