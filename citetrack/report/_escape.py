"""Make text that came from data (titles, messages, keys, URLs) inert before it is printed.

Everything a report shows may come from a hostile or broken source: a .bib file, a registry
record, a web server's redirect.  :func:`sanitize` is the one shared first step for every
format; each formatter then applies its own markup escaping (XML, Markdown, workflow
commands) on top.

What is made inert, and why:

* ANSI / VT escape sequences (CSI ``ESC [ … m``, OSC ``ESC ] … BEL``…) are removed: they
  would recolour, retitle or rewrite a terminal or a CI log.
* Line breaks (``\\r``, ``\\n``, NEL, U+2028, U+2029) become a space, or ``\\n`` where the
  caller keeps them: a forged line could start a new CI command or table row.
* Other control characters, bidirectional controls ("Trojan Source", CVE-2021-42574: the
  overrides and isolates, LRM/RLM and the Arabic letter mark U+061C) and code points XML
  1.0 cannot carry (lone surrogates, U+FFFE, U+FFFF) are shown as visible ``\\xNN`` /
  ``\\uNNNN`` text, so the reader sees that something odd was there.
* A value longer than :data:`MAX_SHOWN_CHARS` is cut there and says how much was left
  out: a 10 MB title from a registry must not print 200,000 lines.
"""

from __future__ import annotations

import re

# ECMA-48: CSI (ESC [ params intermediates final), OSC / DCS / SOS / PM / APC strings ended by
# BEL or ST, and two-character escapes (ESC + one byte in 0x40-0x5F / Fp / Fs).  The 8-bit
# CSI (U+009B) is covered too.
_ANSI = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]"
)
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_SHOWN_ESCAPED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff"
    "\ud800-\udfff]"
)
#: Characters of one value a report shows (titles, messages, URLs); the rest is counted.
MAX_SHOWN_CHARS = 2000


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def sanitize(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` as a string with terminal escapes removed and control characters made visible.

    Tabs become spaces.  Line breaks become spaces unless ``keep_newlines``, in which case
    every kind of line break becomes ``\\n``.  ``None`` becomes ``""``.  Past
    :data:`MAX_SHOWN_CHARS` the value is cut, with a note of how much more there was.
    """
    if text is None:
        return ""
    value = str(text)
    if value.isprintable() and len(value) <= MAX_SHOWN_CHARS:
        # Nothing to do: every character made inert below (escapes start with a control
        # character, line breaks and bidirectional controls are not printable) is absent.
        return value
    suffix = ""
    if len(value) > MAX_SHOWN_CHARS:
        suffix = f"… [{len(value) - MAX_SHOWN_CHARS:,} more characters not shown]"
        value = value[:MAX_SHOWN_CHARS]
    value = _ANSI.sub("", value)
    value = _LINE_BREAKS.sub("\n" if keep_newlines else " ", value)
    value = value.replace("\t", " ")
    return _SHOWN_ESCAPED.sub(_visible, value) + suffix
