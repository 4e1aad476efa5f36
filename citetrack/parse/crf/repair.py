"""Repairs of labelled segments the normaliser can see before it reads fields.

The labeller sometimes runs one segment on into the next; a few of those slips show in
the text itself and are undone here, on the segments (``[(label, text), …]``):

* **names in the title** — an author list cut short, its end read as the start of the
  title: ``F. Doe, M. | Roe and Poe, A study…`` (name-first list ending in a bare
  initial), ``Doe, J., | and K. Roe. A study…`` or ``| & van Roe, K. A study…`` (a list
  continued by ``and`` / ``&``).  The names go back to the authors: an author list is
  never the title;
* **a book inside the title** — ``A chapter. In Book of things, …`` (French ``In :
  Book``) or ``“A chapter,” in Book …`` read as one title: the part after the ``In`` is
  the container (the book or proceedings), when the reference has none;
* **a container after a quoted title** — ``“A chapter,” Book of things,`` read as one
  title: the quoted part is the title, what follows its closing quote the container;
* **a lead-in at the title's end** — ``« Chapter », in`` + the container: the ``in``
  belongs to the container, not the title;
* **a group author before an APA date** — ``Centers for Disease Control and Prevention.
  (2020, May 3). Title.`` read as a title, a date and a note: an organisation's name
  right before the parenthesised date is the author (APA puts a title there only when
  there is no author, and a title is no organisation's name), and the segment after the
  date is then the title;
* **a journal read as a second author list** — ``Doe K, Roe M. “Title.” | Br J Dermatol. |
  2020;182(3):601–9.``: the authors came before the title, so a segment labelled
  ``author`` after it, right before the date or the numbers, with no journal in the
  reference and nothing of a list of names (a comma, "and"), is the journal (joined to
  the authors, "Br J" became a given name);
* **a journal's first abbreviation at the title's end** — ``… A Cohort Study. Br. | J.
  Dermatol. 2020, …`` (ACS): a title ending in a sentence and one abbreviated word,
  before an abbreviated journal, gives the word back to the journal;
* **a chapter's book among its editors** — ``Doe, J. & Roe, K. in Book (eds Poe, A. &
  Loe, B.)`` (Nature: the chapter has no title) or ``in Book, A. Poe and B. Loe, Eds.``
  (IEEE) read as one editor list: the names before ``in`` are the authors, the book the
  container, the names in the brackets or before ``Eds.`` the editors; so in German
  (``In: Poe A, Loe B (Hrsg) Book. Publisher,``: the publisher after the book), after a
  role mark with its stop (``In: Poe A (ed.). Book.``, ``In: Poe A (Hgg.): Book.``) and in
  NLM's ``In: Poe A, Loe B, eds. Book.``, also when read as a note (what follows the
  book's first sentence then stays a note);
* **a chapter's editors before its book** — ``in: Lena Poe (Hg.), Book,`` read as one
  container, or ``Dans L. Poe (dir.),`` read as a note before the book: the editors;
* **an edition before the publisher** — ``2nd ed. Example Press,`` read as one
  publisher: the edition, then the publisher;
* **a series in brackets before its volume** — ``Title (Series,`` + ``vol. 12).``: the
  series (and ``Vol. 12 of Series``);
* **a series after a proceedings' name** — IEEE ``Proc. X, ser. ICI '19.``, Springer
  ``ICIS 2019. LNCS,`` before the volume: the series;
* **a web page's date and URL after its site** — MLA's ``"Title." Site, 2021,
  example.org/page.`` read as one container: the date and the URL;
* **editors at the end of a book's title** — ``Title. Hrsg. von Lena Poe.`` or ``Edited
  by …`` read as the title's last sentence: the editors (``Translated by …``: the
  translators);
* **a conference's days after its month** — NLM ``2019 Jun`` + ``3-5;`` read as a date
  and pages: one date;
* **a newspaper's day read as a volume** — Harvard ``12 June,`` read as volume ``12``
  and date ``June``: one date;
* **an ACS chapter's container** — ``In Book; Poe, L., Ed.; Series 1234; Publisher``
  read as one container: book, editors, series and number, publisher;
* **an organisation at the start of the title** — ``World Harbour Organization (2023)
  Tides.`` (Harvard), ``World Harbour Organization. "Tides."`` (MLA) or ``World Harbour
  Organization. Tides [Internet].`` (NLM) read as one title of a reference without
  authors: the organisation is the author (and the date its own).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from citetrack.parse import dates

Segments = list[tuple[str, str]]

_INITIAL = re.compile(r"^(?:[A-Z]\.\s?-?)+,?$")
_NAME_FIRST = re.compile(r"^(?:[A-Z]\.\s?-?)+\s*[A-Z]")
_ENDS_INITIAL = re.compile(r"(?:^|[\s,])(?:[A-Z]\.\s?-?)*[A-Z]\.$")
_AND = re.compile(r"^(?:&|and|und|et|y)$", re.IGNORECASE)
_PARTICLE = frozenset("van von der den de del della di da du le la dos das ten ter".split())  # noqa: SIM905
_NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’-]*[.,]?$|^(?:[A-Z]\.\s?-?)+,?$")
_IN_SPLIT = re.compile(r"(?<=[.,”’\"»?!])\s+(?:In|in|IN|Dans|dans|Im|im)\s?:?\s+(?=[\w“\"‘«„])")
_TRAILING_IN = re.compile(r"(?<=[.,”’\"»:?!–—-])\s*(?:in|In|IN|dans|Dans|im|Im):?\s*$")
_CONTAINERS = frozenset(("container-title", "journal"))
# "“Title,” Container," — the quoted title closes with its separator (inside or after
# the closing quote), then a capitalised container follows.
_QUOTED_THEN_MORE = re.compile(
    r"^(?P<title>\W{0,2}(?P<q>[“\"«„‘])[^“”\"«»„‘’]{3,}(?:[,.?!]\s*[”\"»’]|[”\"»’][,.]))"
    r"\s+(?P<rest>[A-ZÀ-Ý][^\s]*\s+\S.*)$"
)
_CLOSER = {"“": "”", '"': '"', "«": "»", "„": "“", "‘": "’"}


def _name_word(word: str) -> bool:
    return bool(_NAME_WORD.match(word)) or word in _PARTICLE or bool(_AND.match(word))


def _names_prefix(words: list[str], limit: int = 6) -> int:
    """How many leading words of a title are the rest of a name list (0: none).

    The prefix ends at a word ending in a comma or full stop (``Mast, C.``), is made of
    name words only, and is at most ``limit`` words long.
    """
    for i, word in enumerate(words[:limit]):
        if not _name_word(word):
            return 0
        if word[-1] in ",." and not (i + 1 < len(words) and _INITIAL.match(words[i + 1])):
            return i + 1
    return 0


def names_in_title(segments: Segments) -> Segments:
    """Move an author list's leaked end from the start of the title back to the authors."""
    out = list(segments)
    for i in range(1, len(out)):
        (before, names), (label, text) = out[i - 1], out[i]
        if before != "author" or label != "title":
            continue
        words = text.split()
        take = 0
        if words and _AND.match(words[0]):
            take = _names_prefix(words)
        elif _NAME_FIRST.match(names) and _ENDS_INITIAL.search(names) and words:
            # "F. Doe, M." + "Roe Title…": a name-first list ends with a family name.
            take = _names_prefix(words) or (1 if _NAME_WORD.match(words[0]) else 0)
            if take and len(words) > take and _AND.match(words[take - 1]):
                take = 0
        if take and take < len(words):
            out[i - 1] = ("author", f"{names} {' '.join(words[:take])}")
            out[i] = ("title", " ".join(words[take:]))
        break
    return out


def _split_first_title(
    segments: Segments, split: Callable[[str], tuple[str, str] | None]
) -> Segments:
    """The first title segment cut into title and container where ``split`` says, when
    no container was labelled; the segments unchanged otherwise."""
    if any(label in _CONTAINERS for label, _ in segments):
        return segments
    out: Segments = []
    done = False
    for label, text in segments:
        parts = split(text) if label == "title" and not done else None
        if parts is not None:
            out.append(("title", parts[0]))
            out.append(("container-title", parts[1]))
            done = True
            continue
        done = done or label == "title"
        out.append((label, text))
    return out


def _book_split(text: str) -> tuple[str, str] | None:
    match = _IN_SPLIT.search(text)
    if match and match.start() > 0 and len(text) - match.end() > 3:
        return text[: match.start()], text[match.start() :].strip()
    return None


def _quoted_split(text: str) -> tuple[str, str] | None:
    match = _QUOTED_THEN_MORE.match(text)
    if match and _CLOSER[match["q"]] in match["title"][-3:]:
        return match["title"], match["rest"]
    return None


def book_in_title(segments: Segments) -> Segments:
    """Split ``Chapter. In Book…`` read as one title into title and container."""
    return _split_first_title(segments, _book_split)


def container_after_quoted_title(segments: Segments) -> Segments:
    """Split ``“Title,” Container,`` read as one title into title and container."""
    return _split_first_title(segments, _quoted_split)


def title_lead_in(title: str) -> str:
    """A title without the ``in`` that leads in to the container printed after it."""
    return _TRAILING_IN.sub("", title)


_APA_DATE = re.compile(r"^\((?:\d{4}[a-z]?|n\.\s?d\.)(?:,\s*[^()]{1,25})?\)[.,]?$")
_ORGANISATION = re.compile(
    r"\b(?:Organi[sz]ation|Association|Institutes?|Cent(?:er|re)s?|Society|Agency|Department|"
    r"Ministry|Council|Foundation|Bureau|Commission|Office|Board|Academy|Committee|"
    r"Federation|Administration|Authority|Corporation|Agence|Institut|Ministère|Verband)\b"
)


def group_author(segments: Segments) -> Segments:
    """A title right before an APA date that names an organisation is its author."""
    start = 1 if segments and segments[0][0] == "citation-number" else 0
    if len(segments) < start + 3 or any(label in ("author", "editor") for label, _ in segments):
        return segments
    (first, name), (second, date) = segments[start], segments[start + 1]
    if first != "title" or second != "date" or not _APA_DATE.match(date.strip()):
        return segments
    if not _ORGANISATION.search(name) or ":" in name:
        return segments
    rest = segments[start + 2 :]
    if rest[0][0] in ("note", "container-title", "journal") and all(
        label != "title" for label, _ in rest
    ):
        rest = [("title", rest[0][1]), *rest[1:]]
    return [*segments[:start], ("author", name), (second, date), *rest]


_NUMBERS_NEXT = frozenset(("date", "volume", "pages"))
# What a journal's name never holds and a list of names does: a comma inside, "and", "&".
_LIST_OF_NAMES = re.compile(r",|\s(?:and|&|und|et|y)\s", re.IGNORECASE)
_ROLE_MARK = re.compile(r"\b(?:eds?|editors?|hrsg|hg|dir|trans|transl)\b\.?|\bby\b", re.I)


def journal_as_author(segments: Segments) -> Segments:
    """An ``author`` segment after the title (the authors before it), followed by the date
    or the numbers, in a reference without a journal or container: the journal."""
    if any(label in _CONTAINERS for label, _ in segments):
        return segments
    out = list(segments)
    seen_author = seen_title = False
    for i, (label, text) in enumerate(segments):
        nxt = segments[i + 1][0] if i + 1 < len(segments) else ""
        if (
            label == "author"
            and seen_author
            and seen_title
            and nxt in _NUMBERS_NEXT
            and not _ROLE_MARK.search(text)
            and not _LIST_OF_NAMES.search(text.strip(" ,.;:"))
        ):
            out[i] = ("journal", text)
            return out
        seen_author = seen_author or label == "author"
        seen_title = seen_title or (label == "title" and seen_author)
    return segments


_TITLE_THEN_ABBREVIATION = re.compile(r"^(?P<title>.*\S[.?!])\s+(?P<word>[A-Z][a-z]{0,4}\.)$")
_ABBREVIATED = re.compile(r"^[A-Z][a-z]{0,5}\.(?:\s|$)")


def abbreviation_after_title(segments: Segments) -> Segments:
    """Give a journal's first abbreviated word, read as the title's last, back to it."""
    out = list(segments)
    for i in range(len(segments) - 1):
        (label, text), (after, journal) = segments[i], segments[i + 1]
        if label != "title" or after != "journal" or not _ABBREVIATED.match(journal.strip()):
            continue
        match = _TITLE_THEN_ABBREVIATION.match(text.strip())
        if match is not None:
            out[i] = (label, match["title"])
            out[i + 1] = (after, f"{match['word']} {journal.strip()}")
        break
    return out


_NAME_FIRST_NAMES = r"(?:[A-Z]\.\s?-?)+\s*[A-Z][^,]*?"
# Nature: "Doe, J. & Roe, K. in Book (eds Poe, A. & Loe, B.)" (the authors may be apart).
_IN_BOOK_EDS = re.compile(
    r"^(?:(?P<authors>\S.*?)\s+)?in\s+(?P<book>[^()]+?)\s*"
    r"\(\s*(?:eds?|Hrsg|Hg)\.?\s+(?P<editors>[^()]+)\)[.,]?$"
)
# Springer's German style: "In: Poe A, Loe B (Hrsg) Book. Publisher, Place," — the book
# ends at its first full stop; what follows (the publisher) goes back to the segments.
# So after "(ed.)." and "(Hgg.):" (Harvard, German) and NLM's "In: Poe A, Loe B, eds. Book."
_IN_EDS_HRSG_BOOK = re.compile(
    r"^(?:In|in|Dans|dans)\s*:?\s+(?P<editors>[^()]+?)\s*"
    r"(?:\((?:Hrsg|Hgg?|eds?|Eds?|dir|coord)\.?\)[.,:]?|,\s*(?:eds?|editors?)\.)\s*"
    r"(?P<book>[^.]+?\S)(?:\.\s+(?P<rest>\S.*))?\.?$"
)
# IEEE: "in Book, A. Poe and B. Loe, Eds."
_IN_BOOK_COMMA_EDS = re.compile(
    rf"^in\s+(?P<book>.+?),\s+(?P<editors>{_NAME_FIRST_NAMES}"
    rf"(?:(?:,\s*|,?\s+and\s+){_NAME_FIRST_NAMES})*),?\s+Eds?\.?$"
)


def book_in_editors(segments: Segments) -> Segments:
    """Split an editor segment that holds the chapter's book (and its authors)."""
    if any(label in _CONTAINERS for label, _ in segments):
        return segments
    for i, (label, text) in enumerate(segments):
        if label not in ("editor", "note"):
            continue
        value = text.strip()
        match = (
            _IN_BOOK_EDS.match(value)
            or _IN_BOOK_COMMA_EDS.match(value)
            or _IN_EDS_HRSG_BOOK.match(value)
        )
        if label == "note" and not (match and match.re is _IN_EDS_HRSG_BOOK):
            continue  # a note is the chapter's editors and book only after "In: … (eds.)"
        if match is None:
            return segments
        parts: Segments = []
        groups = match.groupdict()
        authors = groups.get("authors")
        if authors:
            if any(lab == "author" for lab, _ in segments):
                return segments
            parts.append(("author", authors))
        # "in" kept: a container after no title is a book's own title without it.
        parts += [("container-title", f"in {match['book']}"), ("editor", match["editors"])]
        rest = groups.get("rest")
        if rest and label == "editor" and not any(lab == "publisher" for lab, _ in segments):
            parts.append(("publisher", rest))
        elif rest:
            parts.append(("note", rest))
        return [*segments[:i], *parts, *segments[i + 1 :]]
    return segments


# Harvard "Organisation (2023) Title." and MLA 'Organisation. "Title."' read as one title.
_ORG_DATE_TITLE = re.compile(
    r"^(?P<org>[^()\"“”]+?)\s+(?P<date>\((?:\d{4}[a-z]?|n\.\s?d\.)\))[.,]?\s+(?P<title>\S.*)$"
)
_ORG_QUOTED_TITLE = re.compile(r"^(?P<org>[^()\"“”.]+?)\.\s+(?P<title>[“\"].+)$")
_ORG_SENTENCE_TITLE = re.compile(r"^(?P<org>[^()\"“”.:]{3,80}?)\.\s+(?P<title>[A-ZÀ-Þ\d].+)$")
#: The small words inside an organisation's name in title case.
_NAME_FUNCTION_WORDS = frozenset(
    "of for and the on in de des du la le et für und der die das del y di e".split()  # noqa: SIM905
)


def _organisation_sentences(value: str) -> tuple[str | None, str | None]:
    """The organisation's name (its sentences, ``Department of X. Office of Y.``) that
    opens ``value`` and the title after it; ``(None, None)`` when no name opens it.

    Each sentence of the name is in title case and names an organisation (so a title's
    first sentence, ``Association between …``, is none)."""
    names: list[str] = []
    rest = value
    while True:
        sentence = _ORG_SENTENCE_TITLE.match(rest)
        if sentence is None or not _ORGANISATION.search(sentence["org"]):
            break
        if not all(w[:1].isupper() or w in _NAME_FUNCTION_WORDS for w in sentence["org"].split()):
            break
        names.append(sentence["org"])
        rest = sentence["title"]
    if not names:
        return None, None
    return ". ".join(names), rest


def organisation_in_title(segments: Segments) -> Segments:
    """An organisation's name (and an APA/Harvard date) at the start of the first title,
    in a reference without authors or editors, is its author (and its date)."""
    if any(label in ("author", "editor") for label, _ in segments):
        return segments
    for i, (label, text) in enumerate(segments):
        if label != "title":
            continue
        value = text.strip()
        dated = _ORG_DATE_TITLE.match(value)
        match = dated or _ORG_QUOTED_TITLE.match(value)
        if match is None:
            # NLM: "Example Harbour Authority. Tide tables [Internet]." — an organisation's
            # name in title case (not a title's first sentence: "Association between …").
            org, title = _organisation_sentences(value)
            if org is None or title is None:
                return segments
            return [*segments[:i], ("author", org), ("title", title), *segments[i + 1 :]]
        if not _ORGANISATION.search(match["org"]):
            return segments
        parts: Segments = [("author", match["org"])]
        if dated is not None:
            parts.append(("date", dated["date"]))
        return [*segments[:i], *parts, ("title", match["title"]), *segments[i + 1 :]]
    return segments


# "in: Lena Poe (Hg.), Book," / "Dans L. Poe (dir.)," — the editors and their role mark,
# then (maybe) the book.
_IN_EDITORS_ROLE = re.compile(
    r"^(?:(?:in|dans|im|en)\s*:?\s+)?(?P<editors>[A-ZÀ-Þ][^()]{0,80}?)\s*"
    r"\((?:Hrsg|Hg|eds?|dir|coord|comp|a cura di)\.?\)\s*[,:]?\s*(?P<book>\S.*)?$",
    re.IGNORECASE,
)
_IN = re.compile(r"^(?:in|dans|im|en)\b", re.IGNORECASE)


def editors_in_container(segments: Segments) -> Segments:
    """Editors printed before a chapter's book, read as part of the book's title or as a
    note, in a reference without editors: they are the editors.

    German ``in: Lena Poe (Hg.), Erfundene Wüsten,`` read as one container (the editors
    were part of the booktitle); French ``Dans L. Poe (dir.),`` read as a note before the
    book (the editors were a note).
    """
    if any(label == "editor" for label, _ in segments):
        return segments
    for i, (label, text) in enumerate(segments):
        if label not in ("container-title", "note"):
            continue
        match = _IN_EDITORS_ROLE.match(text.strip())
        if match is None:
            continue
        nxt = segments[i + 1][0] if i + 1 < len(segments) else ""
        book = match["book"]
        if label == "note" and (book or nxt != "container-title" or not _IN.match(text)):
            continue  # a note is the editors only when the book follows it
        if label == "container-title" and not book:
            continue
        role = text.strip()[: match.start("book")] if book else text
        parts: Segments = [("editor", role)]
        if book:
            parts.append(("container-title", f"in {book}"))
        return [*segments[:i], *parts, *segments[i + 1 :]]
    return segments


# "2nd ed.", "3rd edn", "2. Aufl.", "3e éd.", "Rev. ed." before a publisher's name.
_EDITION_THEN_NAME = re.compile(
    r"^(?P<edition>(?:\d+\s*(?:st|nd|rd|th|e|er|ème|\.ª|ª)?\.?|first|second|third|fourth|"
    r"fifth|revised|rev\.|expanded|updated|neue|überarb\.)\s*"
    r"(?:ed|edn|edition|éd|édition|Aufl|Auflage)\.?,?)\s+(?P<rest>[A-ZÀ-Þ]\S*.*)$",
    re.IGNORECASE,
)


def edition_before_publisher(segments: Segments) -> Segments:
    """An edition read as the start of the publisher's name (``2nd ed. Example Press,``),
    in a reference without an edition: the edition, then the publisher."""
    if any(label == "edition" for label, _ in segments):
        return segments
    for i, (label, text) in enumerate(segments):
        if label != "publisher":
            continue
        match = _EDITION_THEN_NAME.match(text.strip())
        if match is None:
            return segments
        parts = [("edition", match["edition"]), ("publisher", match["rest"])]
        return [*segments[:i], *parts, *segments[i + 1 :]]
    return segments


# "Title (Series Name," before "vol. 4521)." — a bracket the volume closes.
_OPEN_SERIES = re.compile(r"^(?P<main>.*?\S)?\s*\((?P<series>[^()]*[^\W\d_][^()]*?)[\s,;:]*$")
_CLOSING_VOLUME = re.compile(r"^[^()]*\)[\s.,;:]*$")


def series_before_volume(segments: Segments) -> Segments:
    """A series and its volume printed in brackets after a book's title (``Invented
    Deserts (Lecture Notes in Imaginary Science, vol. 4521).``; NLM's ``(Studies in X;
    vol 12).`` after the publisher), read as the title's or a note's end and a volume:
    the series (BibTeX's ``series``), the volume its number in the series.  Also the
    Chicago ``Vol. 12 of Series.`` read as a volume and a container ``of Series.``."""
    if any(label == "collection-title" for label, _ in segments):
        return segments
    for i in range(len(segments) - 1):
        (label, text), (after, volume) = segments[i], segments[i + 1]
        if label in ("title", "container-title", "note") and after == "volume":
            match = _OPEN_SERIES.match(text.strip())
            if match is None or not _CLOSING_VOLUME.match(volume.strip()):
                continue
            main = [(label, match["main"])] if match["main"] else []
            return [*segments[:i], *main, ("collection-title", match["series"]), *segments[i + 1 :]]
        if label == "volume" and after == "container-title" and volume.startswith("of "):
            return [*segments[: i + 1], ("collection-title", volume[3:]), *segments[i + 2 :]]
    return segments


# IEEE "Proceedings of X, ser. ICI '19." and Springer "ICIS 2019. LNCS," (+ "vol. 11234"):
# a series after the proceedings' name.
_SER_IN_CONTAINER = re.compile(r"^(?P<name>.*\S),\s+ser\.\s+(?P<series>\S.*?)[\s.,;]*$")
#: A name's last word that may be an abbreviation (``Proc``, ``Conf``, ``Symp``).
_SHORT_WORD = re.compile(r"(?:^|\s)[A-Z][a-z]{0,5}$")
_ACRONYM_SERIES = re.compile(r"^(?P<name>.*\S)\.\s+(?P<series>[A-Z]{2,6}(?:\s[A-Z]{2,6})?)[\s,;]*$")


def series_in_container(segments: Segments) -> Segments:
    """A series printed after a proceedings' name, read as part of it: IEEE's ``…, ser.
    ICI '19.``, Springer's ``ICIS 2019. LNCS,`` before the volume — the series."""
    if any(label == "collection-title" for label, _ in segments):
        return segments
    for i, (label, text) in enumerate(segments):
        if label != "container-title":
            continue
        nxt = segments[i + 1][0] if i + 1 < len(segments) else ""
        match = _SER_IN_CONTAINER.match(text.strip())
        if match is None and nxt == "volume":
            match = _ACRONYM_SERIES.match(text.strip())
            if match is not None and _SHORT_WORD.search(match["name"]):
                match = None  # "Proc. SPIE,": the stop ends an abbreviation, not a name
        if match is None:
            return segments
        parts = [(label, match["name"]), ("collection-title", match["series"])]
        return [*segments[:i], *parts, *segments[i + 1 :]]
    return segments


# MLA 9: "Website, 2021, example.org/tides." — a URL without its scheme.
_BARE_URL = re.compile(r"^(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}/\S*$")


def date_and_url_after_container(segments: Segments) -> Segments:
    """MLA's ``"Title." Website, 2021, example.org/tides.`` read as a title and one
    container: the date and the URL after the container's name are its date and URL
    (they were part of the name, the page's link unread)."""
    for i, (label, text) in enumerate(segments):
        if label not in _CONTAINERS:
            continue
        parts = [part.strip() for part in text.strip().rstrip(".").split(",")]
        found: Segments = []
        has_date = any(lab == "date" for lab, _ in segments)
        while len(parts) > 1:
            last = parts[-1]
            if _BARE_URL.match(last):
                found.insert(0, ("url", last))
            elif not has_date and dates.parse_date(last) is not None:
                found.insert(0, ("date", last))
                has_date = True
            else:
                break
            parts.pop()
        if not any(lab == "url" for lab, _ in found):
            return segments
        return [*segments[:i], (label, ", ".join(parts)), *found, *segments[i + 1 :]]
    return segments


# "Title. Hrsg. von Lena Poe." / "Title. Edited by Lena Poe." at a title's end.
_EDITED_BY_TAIL = re.compile(
    r"^(?P<title>.*\S[.?!])\s+(?P<editors>(?:Hrsg\.|Hg\.|Herausgegeben)\s+v(?:on|\.)\s+|"
    r"(?:Edited|Ed\.)\s+by\s+|[ÉE]d\.\s+par\s+|[ÉE]dité\s+par\s+|A\s+cura\s+di\s+|"
    r"Editado\s+por\s+)(?P<names>[A-ZÀ-Þ][^.]*(?:\.\s?[A-ZÀ-Þ][^.]*)*?)[.,;]?$"
)


_TRANSLATED_BY_TAIL = re.compile(
    r"^(?P<title>.*\S[.?!])\s+(?P<translators>(?:Translated|Trans\.|Übersetzt|Übers\.|"
    r"Traduit|Trad\.|Traducido|Tradotto)\s+(?:by|von|v\.|par|por|da)\s+[A-ZÀ-Þ][^.]*"
    r"(?:\.\s?[A-ZÀ-Þ][^.]*)*?)[.,;]?$"
)


def editors_after_title(segments: Segments) -> Segments:
    """``Title. Hrsg. von Lena Poe.`` / ``Title. Edited by Lena Poe.`` read as one title, in
    a reference without editors: the editors (they were part of the title); so
    ``Title. Translated by Lena Poe.``: the translators."""
    has_editor = any(label == "editor" for label, _ in segments)
    for i, (label, text) in enumerate(segments):
        if label != "title":
            continue
        translated = _TRANSLATED_BY_TAIL.match(text.strip())
        if translated is not None:
            parts = [(label, translated["title"]), ("translator", translated["translators"])]
            return [*segments[:i], *parts, *segments[i + 1 :]]
        match = None if has_editor else _EDITED_BY_TAIL.match(text.strip())
        if match is None:
            return segments
        editors = text.strip()[match.start("editors") :]
        return [*segments[:i], (label, match["title"]), ("editor", editors), *segments[i + 1 :]]
    return segments


# NLM conference dates: "2019 Jun" + "3-5;" — the days, read as pages.
_YEAR_MONTH = re.compile(r"^(?:1[5-9]|20)\d\d\s+[A-Z][a-z]{2}\.?$")
_DAYS = re.compile(r"^(?:[1-9]|[12]\d|3[01])(?:\s*[-–]\s*(?:[1-9]|[12]\d|3[01]))?\s*;?$")


_BARE_MONTH = re.compile(
    r"^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?[\s,;:.]*$"
)
_DAY = re.compile(r"^(?:[1-9]|[12]\d|3[01])$")


def day_before_month(segments: Segments) -> Segments:
    """Harvard's newspaper date ``12 June,`` read as a volume ``12`` and a date ``June``:
    one date (the day was the volume)."""
    for i in range(len(segments) - 1):
        (label, text), (after, month) = segments[i], segments[i + 1]
        if (
            label == "volume"
            and after == "date"
            and _DAY.match(text.strip(" ,"))
            and _BARE_MONTH.match(month.strip())
        ):
            merged = ("date", f"{text.strip()} {month.strip()}")
            return [*segments[:i], merged, *segments[i + 2 :]]
    return segments


def days_after_month(segments: Segments) -> Segments:
    """NLM's conference dates (``2019 Jun 3-5;``) cut after the month: the days are part of
    the date, not pages (the paper's pages read ``3--5``)."""
    for i in range(len(segments) - 1):
        (label, text), (after, days) = segments[i], segments[i + 1]
        if (
            label == "date"
            and after == "pages"
            and _YEAR_MONTH.match(text.strip())
            and _DAYS.match(days.strip())
        ):
            merged = ("date", f"{text.strip()} {days.strip()}")
            return [*segments[:i], merged, *segments[i + 2 :]]
    return segments


# ACS: "In Book; Poe, L., Ed.; ACS Symposium Series 1234; Publisher" read as one container.
_ACS_EDITORS = re.compile(r"^(?P<names>\S.*?),?\s+Eds?\.?$")
_ACS_SERIES = re.compile(r"^(?P<series>.*\bSeries)\s+(?P<number>\d+)$")


def acs_container(segments: Segments) -> Segments:
    """ACS's chapter ``In Book; Poe, L., Ed.; Series 1234; Publisher:`` read as one
    container: the book, its editors, the series and its number, the publisher (all were
    the booktitle)."""
    if any(label in ("editor", "collection-title") for label, _ in segments):
        return segments
    for i, (label, text) in enumerate(segments):
        if label != "container-title" or "; " not in text:
            continue
        book, *parts = [part.strip() for part in text.strip().rstrip(";:,.").split(";")]
        if not parts or not any(_ACS_EDITORS.match(part) for part in parts):
            return segments
        out: Segments = [(label, book)]
        has_publisher = any(lab == "publisher" for lab, _ in segments)
        for part in parts:
            series = _ACS_SERIES.match(part)
            if _ACS_EDITORS.match(part):
                out.append(("editor", part))
            elif series is not None:
                out += [("collection-title", series["series"]), ("volume", series["number"])]
            elif not has_publisher:
                out.append(("publisher", part))
                has_publisher = True
            else:
                out.append(("note", part))
        return [*segments[:i], *out, *segments[i + 1 :]]
    return segments


def repair(segments: Segments) -> Segments:
    """All the repairs above, in order."""
    segments = names_in_title(group_author(organisation_in_title(segments)))
    segments = container_after_quoted_title(book_in_title(segments))
    segments = book_in_editors(abbreviation_after_title(journal_as_author(segments)))
    segments = edition_before_publisher(editors_in_container(segments))
    segments = series_in_container(series_before_volume(segments))
    segments = editors_after_title(date_and_url_after_container(segments))
    return acs_container(day_before_month(days_after_month(segments)))
