"""A digest of a citation's text as the article writes it, for telling edits from upgrades.

The lockfile's fingerprint of an article's citation (:mod:`.revisions`) is taken over the
*parsed* fields, and citetrack's parser changes from one version to the next: after an
upgrade the same, untouched ``{{cite journal}}`` can parse otherwise and fingerprint
otherwise.  This digest is taken over the citation's own text instead
(:attr:`~citetrack.model.Location.source`: the template, the ``<ref>``'s body without
one, the rendered item), so it changes when an editor changes the text and not when
citetrack changes.  It is normalised only for what nobody means as an edit, and for what
bots change by the thousand:

* whitespace: runs of it are one space, none at either end, none around ``|`` and ``=``;
* HTML comments are left out (``<!-- Bot generated title -->``);
* in a template: its name's case and ``_`` (``Cite_Journal`` = ``cite journal``); the
  order of its parameters; their names' case, ``-`` and ``_`` (Monkbot's
  ``accessdate`` → ``access-date``); parameters left empty; and the parameters that say
  how the source was reached, not what it is: ``access-date``, ``archive-url``,
  ``archive-date``, ``url-status`` and its old ``dead-url``, ``df`` (InternetArchiveBot
  and the date-format scripts edit those).

The rest counts: a citation's text that differs after this is an edit (what the edit
did — a fact, or a dash re-typed — the parsed fingerprint then says).  The rules above
are citetrack's own too: change them, and :data:`TEXT_VERSION` must change with them, so
that a digest recorded under the old rules is not compared with one taken under the new
(it is taken as not recorded; see :func:`recorded_text`).  Pure.
"""

from __future__ import annotations

import hashlib
import re

from citetrack.model import Reference

#: The version of the rules above, written in each digest (``t1:…``).
TEXT_VERSION = 1
_PREFIX = f"t{TEXT_VERSION}:"
#: A digest as the lockfile holds it: a version and 12 hex digits.
TEXT_DIGEST = re.compile(r"t[1-9][0-9]*:[0-9a-f]{12}")

#: Template parameters (``-``, ``_`` and spaces left out) that say how the source was
#: reached, not what it is.
_REACHED = frozenset({"accessdate", "archiveurl", "archivedate", "urlstatus", "deadurl", "df"})
_SPACE = re.compile(r"\s+")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
#: Texts past this size are digested without the template reading (bounded work).
_MAX_READ = 20_000


def text_digest(ref: Reference) -> str | None:
    """The digest of ``ref``'s text (``t1:`` and 12 hex digits), or ``None`` when the
    article gave none (a reference not located in its article, or read from a report)."""
    source = ref.location.source if ref.location is not None else None
    if source is None:
        return None
    text = canonical(source)
    digest = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]
    return _PREFIX + digest


def recorded_text(value: str | None) -> str | None:
    """A recorded digest if taken under this version's rules, else ``None`` (unknown)."""
    return value if value is not None and value.startswith(_PREFIX) else None


def canonical(source: str) -> str:
    """``source`` as its digest sees it (see the module's rules)."""
    text = _COMMENT.sub("", source)
    if "{{" in text and len(text) <= _MAX_READ:
        text = _templates(text)
    return _SPACE.sub(" ", text).strip()


def _templates(text: str) -> str:
    """``text`` with each template written in one canonical form (nested ones too)."""
    import mwparserfromhell  # noqa: PLC0415  (only for articles' citations)
    from mwparserfromhell.nodes import Template  # noqa: PLC0415

    def write(code: object) -> str:
        out: list[str] = []
        for node in getattr(code, "nodes", ()):
            if isinstance(node, Template):
                out.append(template(node))
            else:
                out.append(str(node))
        return "".join(out)

    def template(node: Template) -> str:
        name = _SPACE.sub(" ", write(node.name).replace("_", " ")).strip().lower()
        params: list[tuple[str, str]] = []
        for param in node.params:
            key = re.sub(r"[\s_-]+", "", str(param.name)).lower()
            value = _SPACE.sub(" ", write(param.value)).strip()
            if value and key not in _REACHED:
                params.append((key, value))
        params.sort(key=lambda kv: kv[0])  # stable: a name given twice keeps its order
        return "{{" + "|".join([name, *(f"{k}={v}" for k, v in params)]) + "}}"

    try:
        return write(mwparserfromhell.parse(text))
    except Exception:  # a text the reader refuses is digested as written
        return text
