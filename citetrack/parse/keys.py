"""Citation keys that people can read and type: ``thiers2009cutaneous``.

A key is the first author's family name, the year and the first significant word of the
title, ASCII-folded and lower-cased (``Åhrén`` → ``ahren``, ``el-Azhary`` →
``elazhary``).  Without an author the editor stands in, then the journal or website
(``ninds2016hydrocephalus``), then the publisher.  Stopwords of the common languages of
titles (*the*, *of*, *le*, *der*, *el*…) are skipped.  When two references would get the
same key, the second gets ``a`` appended, the third ``b``, and so on — the first keeps the
plain key, so adding a reference at the end never renames earlier ones.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping

from citetrack.identifiers import split_url

# Letters that do not decompose into ASCII + combining marks.
_TRANSLIT = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ı": "i",
    }
)
STOPWORDS = frozenset(
    """a an the of on in and or for to with at by from as is are was be into about over
    under between after before during without via its their his her our this that these
    those toward towards upon vs versus
    le la les l un une des du de d et en au aux
    el los las y e lo il gli i da di del della dei
    der die das den dem des ein eine einer und zur zum von vom im für
    het een van op""".split()  # noqa: SIM905
)
_WORD = re.compile(r"[a-z0-9]+")
_BRACES = re.compile(r"[{}]")


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters and digits only, diacritics removed (``Orúe`` → ``orue``)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    ascii_only = "".join(ch for ch in decomposed if ch in string.ascii_letters + string.digits)
    return ascii_only.lower()


def _words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    # Apostrophes join (Andrews' → andrews, O'Brien → obrien); other punctuation splits.
    return _WORD.findall(re.sub(r"['’]", "", plain))


def _first_name_part(value: str) -> str:
    """The family part of the first name of a BibTeX name list."""
    first = value.split(" and ", 1)[0].strip()
    if first.startswith("{"):  # an organisation: its first significant word ("A.D.A.M." → adam)
        return _significant_word(re.sub(r"(?<=\w)\.(?=\w)", "", _BRACES.sub("", first)))
    return ascii_fold(first.split(",")[0])


def _significant_word(text: str) -> str:
    """The first word that is not a stopword, a number, an initial or ``www``."""
    words = _words(text)
    for word in words:
        if word not in STOPWORDS and not word.isdigit() and len(word) > 1 and word != "www":
            return word
    return words[0] if words else ""


def _host_word(url: str) -> str:
    """``uh`` for ``http://www.uh.edu/…``: the first label of the host after ``www``."""
    parts = split_url(url)
    host = parts.netloc.lower().split("@")[-1].split(":")[0] if parts is not None else ""
    labels = [label for label in host.split(".") if label and label != "www"]
    return ascii_fold(labels[0]) if labels else ""


def base_key(fields: Mapping[str, str]) -> str:
    """The key before clash handling: name + year + title word (``ref`` if nothing is known).

    The name is the first author's family name, else the first editor's, else the first
    significant word of the journal / website / book / publisher, else of the URL's host;
    with none of these the title's first word leads (``interview2009``), and with no title
    either an identifier names it (``pmid19258446``).
    """
    name = ""
    if fields.get("author"):
        name = _first_name_part(fields["author"])
    elif fields.get("editor"):
        name = _first_name_part(fields["editor"])
    else:
        for f in ("journal", "organization", "booktitle", "howpublished", "publisher"):
            if fields.get(f):
                name = _significant_word(fields[f])
                break
        else:
            name = _host_word(fields.get("url", ""))
    year = fields.get("year", "")
    title = _significant_word(fields.get("title", "") or fields.get("note", ""))
    if not name and not title:  # cited by identifier only: {{cite pmid|…}}
        for identifier in ("pmid", "doi", "pmcid", "isbn"):
            if fields.get(identifier):
                return f"{identifier}{ascii_fold(fields[identifier])}"[:40]
    if not name:
        return f"{title}{year}" or "ref"
    return f"{name}{year}{title if title != name else ''}"


def _suffix(n: int) -> str:
    """``a`` … ``z``, then ``aa``, ``ab`` …"""
    letters = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = string.ascii_lowercase[rem] + letters
    return letters


def unique_key(base: str, used: set[str]) -> str:
    """``base``, or ``base`` + ``a``, ``b``… whichever is still free; records it in ``used``."""
    key = base
    n = 0
    while key in used:
        key = base + _suffix(n)
        n += 1
    used.add(key)
    return key
