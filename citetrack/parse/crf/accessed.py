"""The day a cited copy was read (its access date) and NLM's update and citation dates.

``Accessed: 1 May 2022``, ``(accessed May 1, 2022)``, ``[cited 2020 Jan 1]``, ``Retrieved
3 May 2020, from``: the day the cited copy was read is the link check's reference point
(its archived copy of that day), BibTeX's ``urldate``, never a publication date nor a
note.  The labeller labels it a note or a date, or leaves it inside a note with the site
(IEEE ``WHO. Accessed: Jan. 5, 2024.``); NLM brackets it after the year (``2018
[updated 2020 Jan 2; cited 2024 Mar 5]``).
"""

from __future__ import annotations

import re

from citetrack.parse import dates
from citetrack.parse.build import Citation

#: "Accessed: 1 May 2022", "(accessed May 1, 2022)", "[cited 2020 Jan 1]", "Retrieved
#: 3 May 2020", "consulté le 12 mai 2016", "abgerufen am 3. Mai 2020", "zuletzt geprüft am
#: 02.03.2024" (Citavi), "consultado el 5 de marzo de 2024", "Acesso em: 5 mar. 2024"
#: (ABNT), "geraadpleegd op 3 maart 2024": the day the cited copy was read, the link
#: check's reference point (its archived copy of that day); APA 6's "Retrieved May 3,
#: 2020, from" (Spanish APA's "Recuperado el …, de") leads in to the URL after it.
_CUE = (
    r"(?:accessed|retrieved|cited|viewed|visited|consulted|consulté|consultée|abgerufen|"
    r"zugegriffen|zugriff|geprüft|besucht|consultado|consultada|recuperado|accedido|"
    r"consultato|consultata|accesso|acesso|acessado|geraadpleegd|bezocht)"
)
_ACCESS = re.compile(
    r"^\W*(?:(?:last|letzter|zuletzt|ultimo|última|ultima|dernière)\s+)?"
    rf"{_CUE}"
    r"(?:\s+(?:on|le|am|el|il|em|en|op))?\s*:?\s*(?P<date>[^\[\]()]+?)"
    r"(?:\W+(?:from|de|sur|unter|da|van))?\W*$",
    re.IGNORECASE,
)


def access_date(c: Citation, text: str) -> bool:
    """Whether ``text`` is wholly an access date (then it is ``c``'s, unless it has one)."""
    match = _ACCESS.match(text.strip())
    if match is None:
        return False
    found = (
        dates.parse_date(match["date"])
        or dates.find_full_date(match["date"])
        or dates.find_cued_date(match["date"])
    )
    if found is None or found.day is None:
        return False
    c.access_date = c.access_date or found
    return True


#: An access date's cue inside a URL's segment, where the labeller leaves it when it does
#: not know the cue's language (``https://example.fr/x (consulté le 3 mars 2024).``).
_CUE_IN_TEXT = re.compile(rf"(?<!\w){_CUE}(?!\w)", re.IGNORECASE)


def access_after_url(c: Citation, text: str) -> None:
    """The access date printed after the URL inside a URL's segment, ``c``'s."""
    cues = list(_CUE_IN_TEXT.finditer(text))
    if cues:
        access_date(c, text[cues[-1].start() :])


#: Where an access date may start inside a note (``WHO. Accessed: Jan. 5, 2024.``).
_SENTENCE_START = re.compile(r"(?<=[.;,\]])\s+(?=[A-Za-zé])")


def access_in_note(c: Citation, text: str) -> str:
    """``text`` without an access date that ends or starts it (then ``c``'s access date):
    IEEE prints it after the site (``WHO. Accessed: Jan. 5, 2024.``), NLM before the URL's
    lead-in (``[cited 2016 Aug 31]. Available from:``); wholly an access date, nothing
    (APA 6's ``Retrieved May 3, 2020, from``: cut at its comma, it left ``from``)."""
    if access_date(c, text):
        return ""
    for cut in _SENTENCE_START.finditer(text):
        if access_date(c, text[cut.end() :]):
            return text[: cut.start()]
        if access_date(c, text[: cut.start()]):
            return text[cut.end() :]
    return text


#: NLM's dates after the year of a web page or an online book: ``2018 [updated 2020 Jan
#: 2; cited 2024 Mar 5]`` — the update is a note, the citation date the access date.
_NLM_DATE_NOTE = re.compile(r"\s*\[(?P<inside>(?:updated|revised|modified|cited)\b[^\[\]]*)\]")
_CITED = re.compile(r"^cited\s+(?P<date>.+)$", re.IGNORECASE)


def nlm_date_notes(c: Citation, text: str) -> str:
    """A date segment without NLM's bracketed update and citation dates: the citation
    date is ``c``'s access date, the update a note."""
    match = _NLM_DATE_NOTE.search(text)
    if match is None:
        return text
    for part in match["inside"].split(";"):
        cited = _CITED.match(part.strip())
        found = (
            (dates.parse_date(cited["date"]) or dates.find_full_date(cited["date"]))
            if cited
            else None
        )
        if found is not None:
            c.access_date = c.access_date or found
        elif part.strip():
            c.notes.append(part.strip())
    return text[: match.start()] + text[match.end() :]
