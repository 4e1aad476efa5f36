"""The committed ``references.bib`` is exactly what ``citetrack parse`` makes of the seed."""

from __future__ import annotations

from pathlib import Path

from citetrack.inputs.bib import format_entries
from citetrack.parse import parse_text
from tests.e2e import REPO, SEED_BIB, run_cli

SEED_TEXT = Path(__file__).parent / "data" / "parse" / "necrolytic-migratory-erythema.txt"


def test_committed_references_bib_equals_a_fresh_parse() -> None:
    result = parse_text(SEED_TEXT.read_text(encoding="utf-8"))
    assert format_entries(result.references) == SEED_BIB.read_text(encoding="utf-8")


def test_cli_parse_writes_the_same_bytes(tmp_path: Path) -> None:
    out = tmp_path / "references.bib"
    run = run_cli("parse", str(SEED_TEXT), "-o", str(out), cwd=REPO)
    assert run.code == 0, run.stderr
    assert out.read_bytes() == SEED_BIB.read_bytes()
    # The one doubtful item of the seed is reported with its line, the rest still written.
    assert "necrolytic-migratory-erythema.txt:48: warning:" in run.stderr
    assert "Clinical diagnosis by laboratory methods" in run.stderr


def test_cli_parse_reads_stdin_and_rejects_unreadable_input(tmp_path: Path) -> None:
    run = run_cli("parse", "-", stdin=SEED_TEXT.read_text(encoding="utf-8"))
    assert run.code == 0
    assert run.stdout == SEED_BIB.read_text(encoding="utf-8")
    missing = run_cli("parse", str(tmp_path / "missing.txt"))
    assert missing.code == 2 and "no such file" in missing.stderr
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    run = run_cli("parse", str(binary))
    assert run.code == 2 and "binary" in run.stderr and "Traceback" not in run.stderr
