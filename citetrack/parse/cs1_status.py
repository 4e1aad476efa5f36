"""How a ``{{cite …}}`` template marks its URL dead or its DOI inactive, old spellings too.

Pure; reads mwparserfromhell templates.

* ``|url-status=`` (``dead`` / ``live`` / ``unfit`` / ``usurped``) replaced CS1's
  ``|deadurl=`` and ``|dead-url=`` (``yes`` / ``no``) in 2019; CS1 then stopped reading the
  old names, so a citation still written with them shows a CS1 error and its archived copy
  is not put first.  Editors and old bot edits left many: :func:`url_status` reads them as
  meant (``deadurl=yes`` is ``dead``), :func:`legacy_status` finds the parameter to rename
  and :func:`status_for_legacy` gives the ``url-status`` value it stands for.
* ``|doi-broken-date=`` (older: ``|doi-inactive-date=``, ``|doi_brokendate=``) says when
  the DOI was found not to resolve; CS1 lists the page under "DOI inactive" and a bot
  removes the date once the DOI resolves again (:func:`doi_broken`).
"""

from __future__ import annotations

import re

from mwparserfromhell.nodes import Template
from mwparserfromhell.nodes.extras import Parameter

#: The names of ``|url-status=`` before 2019, as :func:`param_key` writes them.
_LEGACY_STATUS = frozenset({"deadurl"})  # deadurl, dead-url, dead_url
#: The old values and the ``url-status`` each means.
_LEGACY_VALUES = {
    "yes": "dead",
    "y": "dead",
    "true": "dead",
    "no": "live",
    "n": "live",
    "false": "live",
    "unfit": "unfit",
    "usurped": "usurped",
}
_DOI_BROKEN = frozenset({"doibrokendate", "doiinactivedate"})


def param_key(name: object) -> str:
    """A parameter name as CS1 tells its spellings apart: ``dead-url``, ``dead_url`` and
    ``DeadURL`` are one name (``deadurl``)."""
    return re.sub(r"[-_\s]", "", str(name)).lower()


def _param(template: Template, names: frozenset[str]) -> Parameter | None:
    """The last named parameter of ``template`` whose name is one of ``names`` (the one
    the wiki reads when it is given twice)."""
    found = None
    for p in template.params:
        if p.showkey and param_key(p.name) in names:
            found = p
    return found


def param_value(p: Parameter | None) -> str:
    """A parameter's value, trimmed (``""`` for none)."""
    return str(p.value).strip() if p is not None else ""


def legacy_status(template: Template) -> Parameter | None:
    """The template's ``|deadurl=`` / ``|dead-url=`` parameter, if it has one."""
    return _param(template, _LEGACY_STATUS)


def status_for_legacy(raw: str) -> str | None:
    """The ``url-status`` an old ``deadurl`` value stands for (``None``: not one it had)."""
    return _LEGACY_VALUES.get(raw.strip().lower())


def url_status(template: Template) -> str:
    """The URL's status as the citation gives it, lower-cased: ``|url-status=``, else what
    an old ``|deadurl=`` meant (``yes`` → ``dead``), else ``""``."""
    status = param_value(_param(template, frozenset({"urlstatus"}))).lower()
    if status:
        return status
    legacy = param_value(legacy_status(template))
    return status_for_legacy(legacy) or "" if legacy else ""


def doi_broken(template: Template) -> Parameter | None:
    """The template's filled ``|doi-broken-date=`` (or older spelling), if any."""
    found = _param(template, _DOI_BROKEN)
    return found if param_value(found) else None
