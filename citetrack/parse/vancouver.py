"""Read a journal article printed in the NLM/Vancouver style, when its structure is certain.

The style medicine uses most has a rigid shape the trained labeller still misreads
(``Smith J. A title. J Things. 2000;1:1-2.`` read as one author)::

    [list number] Family IN, Family I[, et al / y col. / e col.]. Title. Journal Abbrev[.]
        Year[ Mon[ Day]];Vol(Issue):Pages. [doi: …] [PMID: …] [PMCID: …] [Epub …] [URL]

:func:`read` returns the labelled segments of such a reference (the labeller's labels,
so :func:`citetrack.parse.crf.normalise.to_citation` reads them like the labeller's), or
``None`` when any part does not fit — then the labeller reads it.  It is strict on
purpose: every author must be ``Family Initials`` (initials in capitals, no full stops),
the journal a short abbreviation (capitalised words, no sentence; a day a reference
manager printed before the year, ``Blood. January 27, 2011 2011;…``, is the date), and
after the numbers only identifiers and the publication notes NLM prints may follow.
"""

from __future__ import annotations

import re

from citetrack.parse.names import ET_AL_ELSEWHERE

Segments = list[tuple[str, str]]

_NUMBER = r"(?P<num>\[\d{1,4}\]|\(\d{1,4}\)|\d{1,4}[.)])\s+"
_PARTICLE = r"(?:(?:van|von|der|den|de|del|della|di|da|du|dos|das|le|la|ten|ter|St\.?)\s+)"
_WORD = r"[^\W\d_][\w'’]*(?:-[^\W\d_][\w'’]*)*"
_FAMILY = rf"{_PARTICLE}*(?:{_WORD})(?:\s+{_PARTICLE}*{_WORD}){{0,2}}"
_AUTHOR = rf"{_FAMILY}\s+[A-Z]{{1,4}}(?:\s+(?:Jr|Sr|II|III|IV|2nd|3rd))?"
_AUTHORS = re.compile(
    rf"^(?:{_NUMBER})?(?P<authors>{_AUTHOR}(?:,\s+{_AUTHOR})*"
    rf"(?:,?\s+(?:et\s+al|(?:{ET_AL_ELSEWHERE})(?<!\.)))?)\.\s+(?=\S)"
)
# "2011 Apr 5;253(4):651-7", "2016 Dec;12:e5", "1998;3:11-20", "2003 Spring;41(2 Pt 1):5-9",
# and the month first as some lists print it ("Dec 7 2006;355(23): 2408-17").
_MONTH = (
    r"(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]{0,6}\.?"
    r"|Spring|Summer|Fall|Autumn|Winter)"
)
_BLOCK = re.compile(
    rf"(?P<date>(?:{_MONTH}\s+(?:\d{{1,2}},?\s+)?)?(?:1[6-9]|20)\d\d"
    rf"(?:\s+{_MONTH}(?:[-–]{_MONTH})?(?:\s+\d{{1,2}})?)?)"
    r"\s*;\s*(?P<vol>\d[\w-]*)?\s*(?P<iss>\([^()]{1,20}\))?"
    r"(?:\s*:\s*(?:pp?\.\s*)?(?P<pages>[A-Za-z]{0,2}\d+[A-Za-z]?"
    r"(?:\s*[-–‑‐]\s*[A-Za-z]{0,2}\d+[A-Za-z]?)?"
    r"(?:,\s*[A-Za-z]?\d+(?:\s*[-–‑‐]\s*[A-Za-z]?\d+)?)*))?\.?"
)
#: A day printed before the block's year by reference managers' exports (``Blood.
#: January 27, 2011 2011;117(4):1-9.``, ``2010/06/01 2010;3(3)``, ``12/05 2013;30(4)``):
#: the date, never part of the journal's name.
_DATE_BEFORE = re.compile(
    rf"(?<=\.)\s+(?P<day>{_MONTH}\s+\d{{1,2}},?\s+(?:1[6-9]|20)\d\d"
    r"|(?:1[6-9]|20)\d\d/\d\d?/\d\d?|\d\d?/\d\d?(?:/(?:1[6-9]|20)\d\d)?)$"
)
_TAIL_PART = re.compile(
    r"\s*(?:"
    r"doi\s*:?\s*10\.\d{4,9}/\S+|https?://\S+|PMID\s*:?\s*\d+|PMCID\s*:?\s*PMC\d+|PMC\d+"
    r"|\[?Epub(?: ahead of print)?(?:\s+\d{4}(?:\s+[A-Z][a-z]{2,8})?(?:\s+\d{1,2})?)?\]?"
    r"|(?:Erratum|Comment) in\s*:[^.]*|Available (?:from|at)\s*:?\s*\S+"
    r"|\[(?:PubMed|PMC free article|Google Scholar|CrossRef|Medline|cited [^\]]{1,30})\]"
    r")[.;,]?",
    re.IGNORECASE,
)
#: The tail parts that say something of the publication (kept in ``note``), not an
#: identifier or a database's link label (read or dropped).
_NOTE_PART = re.compile(r"\[?(?:Epub|(?:Erratum|Comment) in)", re.IGNORECASE)
_JOURNAL_LOWER = frozenset({"of", "and", "the", "in", "for", "on", "de", "la", "und", "für", "&"})
_JOURNAL_LOWER_START = frozenset({"eLife", "mBio", "iScience", "npj", "mSystems", "mSphere"})
_BREAK = re.compile(r"[.?!]\]?\s+(?=[^\W\d_]|\[)")


def _journal_like(text: str) -> bool:
    """A short abbreviation in capitalised words (``Ann Surg``, ``Proc Natl Acad Sci U S A``)."""
    words = text.replace("[Internet]", "").split()
    if not 1 <= len(words) <= 12:
        return False
    if words[0] not in _JOURNAL_LOWER_START and not words[0][:1].isupper():
        return False
    return all(w[:1].isupper() or w[:1].isdigit() or w.lower() in _JOURNAL_LOWER for w in words)


def _abbreviation_piece(piece: str) -> bool:
    """Part of a journal abbreviation printed with full stops (``Methods Inf.``)."""
    words = piece.rstrip(".").split()
    return (
        1 <= len(words) <= 3
        and len(words[-1]) <= 10
        and all(w[:1].isupper() or w.lower() in _JOURNAL_LOWER for w in words)
    )


def _title_journal(before: str) -> tuple[str, str] | None:
    """The title and the journal of the text before the numbers.

    The journal is the last sentence, extended over the pieces of an abbreviation
    printed with full stops (``Methods Inf. Med.``, ``Int. J. Ment. Health Syst.``).
    """
    breaks = list(_BREAK.finditer(before + " "))
    if not breaks:
        return None
    k = len(breaks) - 1
    while k > 0 and _abbreviation_piece(before[breaks[k - 1].end() : breaks[k].start() + 1]):
        k -= 1
    cut = breaks[k]
    title, journal = before[: cut.start() + 1].strip(), before[cut.end() :].strip()
    if len(title.strip(" .?!")) < 3 or not _journal_like(journal.replace(".", " ")):
        return None
    return title, journal


def _tail_ok(tail: str) -> bool:
    """Only identifiers and NLM's publication notes after the numbers."""
    rest = tail
    while rest.strip():
        match = _TAIL_PART.match(rest)
        if not match or not match.group(0).strip():
            return False
        rest = rest[match.end() :]
    return True


def read(text: str) -> Segments | None:
    """The labelled segments of an NLM journal reference, or ``None`` if it is not one."""
    head = _AUTHORS.match(text)
    if not head:
        return None
    body = text[head.end() :]
    for block in _BLOCK.finditer(body):
        if not (block["vol"] or block["pages"]) or block.start() == 0:
            continue
        before = body[: block.start()].rstrip()
        if not _tail_ok(body[block.end() :]):
            continue
        day = _DATE_BEFORE.search(before)
        if day is not None:
            before = before[: day.start()]
        split = _title_journal(before)
        if split is None:
            continue
        title, journal = split
        segments: Segments = []
        if head["num"]:
            segments.append(("citation-number", head["num"]))
        segments += [("author", head["authors"] + "."), ("title", title), ("journal", journal)]
        if day is not None:  # (a year first, "2010/06/01", is ISO's order with slashes)
            iso = re.fullmatch(r"(\d{4})/(\d\d?)/(\d\d?)", day["day"])
            printed = "-".join(p.zfill(2) for p in iso.groups()) if iso else day["day"]
            segments.append(("date", f"{printed} {block['date']};"))
        else:
            segments.append(("date", block["date"] + ";"))
        if block["vol"] or block["iss"]:
            segments.append(("volume", f"{block['vol'] or ''}{block['iss'] or ''}"))
        if block["pages"]:
            segments.append(("pages", block["pages"]))
        tail = body[block.end() :].strip()
        if tail:  # identifiers, read from the whole string; NLM's notes kept as a note
            segments.append(("identifier", tail))
            notes = [
                part.group(0).strip().strip("[]").rstrip(".;,]")
                for part in _TAIL_PART.finditer(tail)
                if _NOTE_PART.match(part.group(0).strip())
            ]
            if notes:
                segments.append(("note", "; ".join(notes)))
        return segments
    return None
