"""``sanitize``: the shared first step that makes data inert in every report format."""

from __future__ import annotations

import pytest

from citetrack.model import CheckResult as _CR
from citetrack.model import Finding as _F
from citetrack.model import Reference as _R
from citetrack.model import ReferenceResult as _RR
from citetrack.model import Severity as _S
from citetrack.report._escape import sanitize
from citetrack.report.text import format_text as _format_text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain Ünïcode title — fine", "plain Ünïcode title — fine"),
        ("\x1b[31mred\x1b[0m text", "red text"),  # SGR colour
        ("\x1b[2J\x1b[Hcleared", "cleared"),  # clear screen, cursor home
        ("\x1b]0;new window title\x07after", "after"),  # OSC ended by BEL
        ("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 hyperlink
        ("\x9b31mred", "red"),  # 8-bit CSI
        ("a\x00b\x07c\x7fd", "a\\x00b\\x07c\\x7fd"),  # NUL, BEL, DEL made visible
        ("tab\there", "tab here"),
        ("evil\u202etxt.exe", "evil\\u202etxt.exe"),  # right-to-left override
        ("lone \ud800 surrogate", "lone \\ud800 surrogate"),  # not encodable, not XML
        ("\ufffe", "\\ufffe"),
    ],
)
def test_escapes_and_control_characters_are_made_inert(raw: str, shown: str) -> None:
    assert sanitize(raw) == shown


@pytest.mark.parametrize("brk", ["\n", "\r", "\r\n", "\x85", "\u2028", "\u2029"])
def test_every_line_break_is_one_space_or_one_newline(brk: str) -> None:
    assert sanitize(f"one{brk}::error::two") == "one ::error::two"
    assert sanitize(f"one{brk}two", keep_newlines=True) == "one\ntwo"


def test_none_and_non_strings() -> None:
    assert sanitize(None) == ""
    assert sanitize(404) == "404"


def test_text_report_shows_note_only_references_with_verbose() -> None:
    ref = _R("noted2020", "misc", {"title": "x"}, line=3)  # SYNTHETIC
    note = _F("noted2020", "no-identifier", _S.NOTE, "Nothing to check.")
    result = _CR((_RR(ref, (note,)),))
    assert "noted2020" not in _format_text(result)
    assert "-v shows them" in _format_text(result)
    shown = _format_text(result, verbose=True)
    assert "noted2020" in shown and "no-identifier" in shown
