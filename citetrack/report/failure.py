"""A check that could not finish (exit 2: an input, a lockfile or an option refused), as
each report format says it.

A CI job reads its annotations, its JSON and its step summary, not the job log's standard
error: a corrupt ``citetrack.lock`` in one folder of a documentation repository ended the
nightly job with exit 2 and a line on standard error, no annotation, no JSON and an empty
step summary.  So the error goes to the reports the run was asked for, too:

* ``github``: one ``::error`` annotation on the file at fault (the lockfile, the .bib);
* ``json``: ``{"schema_version": 1, "tool": {…}, "error": {"message", "path",
  "exit_code"}}`` — no ``summary`` and no ``references``, so that a script that reads
  ``summary.broken`` fails instead of reading 0 for a run that checked nothing;
* ``markdown`` (the step summary): a heading and the message; ``lines``: ``path: error:
  message``; ``text``: ``citetrack: error: message``; ``junit``: one test case in error.
* ``sarif``: none (:func:`format_failure` returns ``None``): an uploaded run without
  results would close every open code-scanning alert of the repository.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from citetrack import __version__
from citetrack.report._common import report_path
from citetrack.report._escape import sanitize
from citetrack.report.github import escape_data, escape_property
from citetrack.report.json_report import SCHEMA_VERSION
from citetrack.report.markdown import escape_markdown


def format_failure(fmt: str, message: str, *, path: str | None = None, code: int = 2) -> str | None:
    """The report in format ``fmt`` of a run that ended with ``message`` (exit ``code``);
    ``path``: the file at fault, if one is; ``None`` for a format that must not be
    written for such a run (SARIF)."""
    text = sanitize(message)
    where = report_path(path)
    if fmt == "github":
        props = [f"file={escape_property(sanitize(where))}"] if where else []
        props.append("title=citetrack could not run")
        return f"::error {','.join(props)}::{escape_data(text)}\n"
    if fmt == "json":
        doc = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "citetrack", "version": __version__},
            "error": {
                "message": text,
                "path": sanitize(where) if where else None,
                "exit_code": code,
            },
        }
        return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return f"## citetrack could not run (exit {code})\n\n{escape_markdown(text)}\n"
    if fmt == "lines":
        return f"{sanitize(where) if where else 'citetrack'}: error: {text}\n"
    if fmt == "junit":
        root = ET.Element("testsuites", name="citetrack", tests="1", failures="0", errors="1")
        suite = ET.SubElement(root, "testsuite", name="citetrack", tests="1", errors="1")
        suite.set("failures", "0")
        case = ET.SubElement(suite, "testcase", classname="citetrack", name="run")
        if where:
            case.set("file", sanitize(where))
        ET.SubElement(case, "error", message=text, type="citetrack-error").text = text
        ET.indent(root)
        body = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
    if fmt == "sarif":
        return None
    return f"citetrack: error: {text}\n"
