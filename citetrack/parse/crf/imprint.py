"""A book's imprint printed in one segment: ``Place: Publisher`` or ``Publisher: Place``.

The labeller sometimes labels the whole imprint as the publisher (``Washington, DC:
National Academy Press.``) or as the place (``New York, NY: Guilford.``); the colon
separates the two.  Which side is the place:

* the side that names a publisher (``Press``, ``Verlag``, ``Society``, ``University`` …)
  is the publisher, the other the place — so ACS's ``American Chemical Society:
  Washington, DC`` reads the other way round;
* else the side printed as a city and its state or country code (``Sugar Land, TX``) is
  the place;
* else the first: Chicago, APA and Harvard print ``Place: Publisher``.

A publisher's name followed by its place (``Example Press, Springfield, IL``, Harvard's
and IEEE's order) is split at the first comma after which no publisher's word follows
and only a place's capitalised words do: ``Example Publishers, Inc., Los Altos, CA``.

Never split: a side with digits (``Science 36: 12–15``), a URL, a lead-in in lower case
(``Prepared for: …``, ``Available at: …``), more than one colon, or publisher words on
both sides.  Pure.
"""

from __future__ import annotations

import re

#: Words of publishers' and institutions' names.
_PUBLISHER_WORDS = re.compile(
    r"\b(?:press|publish\w*|publications?|verlag\w*|books?|society|association|"
    r"universit\w*|univ|up|inc|ltd|llc|co|corp\w*|company|edition[s]?|éditions?|editorial|"
    r"editora|editrice|edizioni|ediciones|uitgeverij|institut\w*|cent(?:er|re)|office|"
    r"department|agency|command|service|group|foundation|library|academy|council|bureau|"
    r"ministry|commission|museum|trust|media|house|organi[sz]ation|laboratory|authority|"
    r"survey|administration|board|committee|college|school|division|branch|unit|section|"
    r"faculty|programm?e?|project|"
    r"wiley|springer|elsevier|routledge|macmillan|blackwell|sage|pearson|"
    r"mcgraw-hill|harper\w*|penguin|random|norton|seuil|gallimard|puf|hachette)\b",
    re.IGNORECASE,
)
#: A city and its state, province or country code: ``Sugar Land, TX``, ``Cambridge, MA``.
_CITY_CODE = re.compile(r"^[A-Z][\w.'’ -]{1,40},\s*[A-Z]{2,3}\.?$")
#: Small words a place's or publisher's name holds in lower case.
_SMALL = frozenset("of and the for on upon am an der de du la le et y en di del da".split())  # noqa: SIM905
_SIDE = re.compile(r"^[^\d:;@/|=]{2,80}$")


def _named(side: str) -> bool:
    """Every word capitalised but the small ones inside it: a name, not a lead-in
    (``Prepared for``)."""
    words = [w.strip("(),.&'’") for w in side.split()]
    words = [w for w in words if w]
    return (
        bool(words)
        and words[-1][0].isupper()
        and all(w[0].isupper() or w.lower() in _SMALL or not w[0].isalpha() for w in words)
    )


def split_imprint(text: str) -> tuple[str, str] | None:
    """``(place, publisher)`` of an imprint printed in one segment (without its
    separators), or ``None`` when it is not one."""
    if text.count(":") != 1 or "http" in text or "www." in text:
        return None
    first, _, second = text.partition(":")
    first, second = first.strip(" ,;"), second.strip(" ,;")
    if not (_SIDE.match(first) and _SIDE.match(second) and _named(first) and _named(second)):
        return None
    first_publisher = _PUBLISHER_WORDS.search(first) is not None
    second_publisher = _PUBLISHER_WORDS.search(second) is not None
    if first_publisher and second_publisher:
        return None
    if first_publisher:
        return second, first
    if second_publisher:
        return first, second
    if _CITY_CODE.match(second) and not _CITY_CODE.match(first):
        return second, first
    return first, second


#: An acronym, no place: ``MSH`` (``State``'s two-letter code comes after a city).
_ACRONYM = re.compile(r"^[A-Z]{2,}$")
#: A place's words after a publisher's name: a few capitalised words, commas between.
_PLACE = re.compile(r"^[A-ZÀ-Þ][^\d:;@/|=()]{1,60}$")


def publisher_then_place(text: str) -> tuple[str, str] | None:
    """``(place, publisher)`` of a publisher printed before its place in one segment
    (``Example Press, Springfield, IL``), or ``None``."""
    if "," not in text or ":" in text or "http" in text:
        return None
    at = text.find(",")
    while at >= 0:
        name, place = text[:at].strip(" ,"), text[at + 1 :].strip(" ,.")
        if (
            _PUBLISHER_WORDS.search(name)
            and not _PUBLISHER_WORDS.search(place)
            and _PLACE.match(place)
            and len(place.replace(",", " ").split()) <= 5
            and _named(place)
            and _named(name)
            and not _ACRONYM.match(place)
        ):
            return place, name
        at = text.find(",", at + 1)
    return None
