"""How the CLI writes a report to standard output (``citetrack/cli/output.py``)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from citetrack.cli.output import joined, render_pieces
from citetrack.report.json_report import format_json
from tests.test_report import sample


@given(st.lists(st.text(max_size=5)), st.integers(min_value=1, max_value=12))
def test_joined_pieces_are_the_same_text_in_fewer_pieces(pieces: list[str], size: int) -> None:
    out = list(joined(pieces, size))
    assert "".join(out) == "".join(pieces)
    assert all(out)  # never an empty write
    assert all(len(piece) >= size for piece in out[:-1])
    assert len(out) <= max(1, len([p for p in pieces if p]))


def test_the_json_pieces_written_are_the_report() -> None:
    # Written about a megabyte at a time (issue 16: click.echo flushes at every call),
    # the same text as the report rendered whole.
    result = sample()
    pieces = list(render_pieces("json", result, color=False, verbose=0, fail_on=None))
    assert "".join(pieces) == format_json(result)
    assert len(pieces) == 1  # a small report: one write
