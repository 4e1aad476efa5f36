"""Author and editor lists as the labeller cuts them out, in any citation style, as names.

:func:`citetrack.parse.names.parse_name_list` reads the lists of Wikipedia's styles
(``;`` between inverted names, Vancouver ``Family INITIALS``, natural order).  Other styles
add comma-separated *inverted* lists, where a comma also stands inside each name:

* APA / Harvard — ``Family, I., Family, I., & Family, I.``;
* Chicago / MLA — ``Family, Given, Given Family, and Given Family``;
* Vancouver — ``Family IN, Family I`` (the last author may have one initial);
* name-first — ``I. Family, I. Family and I. Family``;
* French and German lists with ``et`` / ``und`` and capitalised family names.

A part that is one word followed by a part made of initials or given names is paired
with it (``Romero`` + ``C.``); a part of several words is one name, read by
:func:`~citetrack.parse.names.parse_person`.  Role marks (``(Eds.)``, ``Hrsg.``,
``(dir.)``, ``In``) are removed; ``et al.`` becomes ``and others``.
"""

from __future__ import annotations

import re

from citetrack.parse.names import (
    ET_AL_ELSEWHERE,
    Name,
    NameList,
    format_given,
    is_initials,
    is_organisation,
    parse_name_list,
    parse_person,
    semicolons_for_slashes,
)

_ROLE = re.compile(
    r"\(?\b(?:eds?|editors?|(?:edited|translated)(?: and (?:edited|translated))? by|"
    r"ed\. by|hrsg|hg|hgg|dir|éds?|édit|edt|herausgeber(?:in|innen)?|coords?|comps?|"
    r"trans|translated by|trad|übers)\b\.?\)?(?:\s*by\b)?|\(\s*\)",
    re.IGNORECASE,
)
#: Role phrases in other languages before the names: German "Hrsg. von" / "hg. v.",
#: French "éd. par", Italian "a cura di", Spanish "editado por".
_ROLE_PHRASE = re.compile(
    r"\b(?:(?:hrsg|hg)\.?\s+v(?:on\b|\.)|herausgegeben\s+von\b|a\s+cura\s+di\b|"
    r"(?:éd\.|édité)\s+par\b|editado\s+por\b)",
    re.IGNORECASE,
)
#: APA's roles of a film's or a podcast's makers, in parentheses after each name
#: (``Yates, D. (Director)``): never part of the name ("Director" may be a family name
#: outside them).
_MEDIA_ROLE = re.compile(
    r"\((?:Executive\s+)?(?:Directors?|Producers?|Hosts?|Writers?|Composers?|Narrators?|"
    r"Performers?|Artists?|Illustrators?|Photographers?|Creators?)\)",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(r"^\s*(?:in|dans|en|im)\s*:?\s+(?=\S)", re.IGNORECASE)
_ET_AL = re.compile(rf"[,;]?\s*\b(?:(?i:et\.? al(?:ii|\.)?|and others)|{ET_AL_ELSEWHERE})\.?")
# "et", "y", "und", "u." in lower case only: "ET" and "Y" are Vancouver initials
# (``Marsh ET``, ``Li Y``).
_AND = re.compile(r"\s*(?:,\s*)?(?:\b[Aa][Nn][Dd]\b|&|\bund\b|\bet\b|\by\b|\bu\.)\s*")
_GIVEN_WORD = re.compile(r"^(?:[^\W\d_][\w'’-]*\.?|(?:[^\W\d_]\.-?)+)$")


def _given_like(part: str) -> bool:
    """Initials or at most three capitalised given names (``C.``, ``D.I.``, ``John Paul``)."""
    words = part.split()
    if not words or len(words) > 3:
        return False
    if all(is_initials(w.rstrip(".")) or is_initials(w) for w in words):
        return True
    return all(_GIVEN_WORD.match(w) and w[0].isupper() for w in words) and len(words) <= 2


def clean_list(text: str) -> tuple[str, bool]:
    """The list without role marks and lead-ins, and whether it ended in *et al.*"""
    value = _LEAD_IN.sub("", " ".join(text.split()))
    et_al = bool(_ET_AL.search(value))
    value = _ET_AL.sub("", value)
    value = _ROLE.sub("", _ROLE_PHRASE.sub("", _MEDIA_ROLE.sub("", value)))
    return value.strip(" ,;:.()[]"), et_al


_ET_AL_BEFORE_GROUP = re.compile(r",?\s*\bet\.?\s+al\b\.?\s*$")


def _group_after(text: str) -> tuple[str, bool, str] | None:
    """NLM / AMA: a group author after the people, set off by the one semicolon of the list
    ("Doe J, Roe K, et al; Study Group." or "Doe J, Roe K; Study Group."): (the people,
    whether *et al.* ended them, the group).  Split, not matched with one pattern: that
    pattern backtracked over every pair of commas of a list without a semicolon (a
    100,000-comma item took minutes; tests/test_hostile_bib.py)."""
    if text.count(";") != 1:
        return None
    people, _, group = text.partition(";")
    et_al = _ET_AL_BEFORE_GROUP.search(people)
    if et_al is not None:
        people = people[: et_al.start()]
    people = people.rstrip()
    group = group.strip().rstrip(". \t\n")
    if "," not in people[1:-1] or not group:
        return None
    return people, et_al is not None, group


def read_people(text: str) -> NameList:
    """The names of an author or editor segment, in any of the styles above."""
    grouped = _group_after(" ".join(text.split()))
    if grouped is not None and is_organisation(grouped[2]):
        people = read_people(grouped[0])
        return NameList(
            (*people.names, Name(literal=grouped[2])),
            grouped[1] or people.et_al,
        )
    value, et_al = clean_list(text)
    value = semicolons_for_slashes(value.strip(" ,;:"))
    if not value:
        return NameList(et_al=et_al)
    if ";" in value or "," not in value:
        result = parse_name_list(value)
        if not result.rejected:
            return NameList(result.names, et_al or result.et_al)
    parts = [p.strip(" .") if len(p.strip()) > 2 else p.strip() for p in _split(value)]
    parts = [p for p in parts if p]
    names: list[Name] = []
    vancouver = _vancouver(parts)  # once per list: per part it made long lists quadratic
    i = 0
    while i < len(parts):
        part = parts[i]
        words = part.split()
        nxt = parts[i + 1] if i + 1 < len(parts) else None
        single_family = len(words) == 1 or (
            len(words) > 1
            and not any(is_initials(w.rstrip(".")) for w in words[1:])
            and words[0].lower() in ("van", "von", "de", "del", "della", "di", "da", "le", "la")
        )
        if (
            single_family
            and nxt is not None
            and _given_like(nxt)
            and not is_initials(part.rstrip("."))
        ):
            names.append(Name(family=part, given=format_given(nxt)))
            i += 2
            continue
        if is_organisation(part):
            names.append(Name(literal=part))
        else:
            person = parse_person(part, vancouver=vancouver)
            names.append(person if person is not None else Name(literal=part))
        i += 1
    return NameList(tuple(names), et_al)


def _split(value: str) -> list[str]:
    """Parts between commas and conjunctions (``A, B., & C`` → ``A``, ``B.``, ``C``)."""
    # APA 6 prints "…" (or "...") before the last of many authors.
    value = re.sub(r"\s*(?:…|\.\.\.)\s*", ", ", value)
    return [p for p in re.split(r",", _AND.sub(", ", value)) if p.strip()]


def _vancouver(parts: list[str]) -> bool:
    return any(
        len(p.split()) >= 2 and is_initials(p.split()[-1]) and "." not in p.split()[-1]
        for p in parts
    )
