"""End-to-end: edit after edit, a warm check reports exactly what a check from nothing does.

The editor's loop (issue 16): the real CLI against the emulator checks a SYNTHETIC .bib
(``bench/gen_bib.py``), then the file is edited step by step — a title changed, an entry
copied under a new key, one deleted, a ``@string`` added and used, two entries swapped,
a line inserted at the top — and checked again each time with the warm cache and memo
(entries loaded in chunks from the memo with their digests, findings and duplicates
remembered).  Each warm report must equal the report of a check with an empty cache and
memo, and the warm check must ask the registries nothing (so the equality is not that
of two fresh runs).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bench.gen_bib import make_bib, make_references, make_world
from citetrack_emulator import Emulator
from tests.e2e import run_cli

MAILTO = "tests@example.org"


def _entries(text: str) -> tuple[str, list[str]]:
    """The header and the entries of a generated .bib (each from its ``@`` to the next)."""
    starts = [m.start() for m in re.finditer(r"(?m)^@", text)]
    return text[: starts[0]], [
        text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)
    ]


def _edits(text: str) -> list[tuple[str, str]]:
    """Each step's name and the whole text after it (the steps accumulate)."""
    header, entries = _entries(text)
    steps: list[tuple[str, str]] = []

    def step(name: str) -> None:
        steps.append((name, header + "".join(entries)))

    entries[60] = re.sub(
        r"title\s*=\s*\{[^}]*\}", "title = {A title nobody published}", entries[60]
    )
    step("title changed")
    entries.append(re.sub(r"@article\{[^,]+,", "@article{copied2026,", entries[10], count=1))
    step("entry copied under a new key")
    del entries[30]
    step("entry deleted")
    header = "@string{jnl = {Journal of Synthetic Strings}}\n\n" + header
    entries[90] = re.sub(r"journal\s*=\s*\{[^}]*\}", "journal = jnl", entries[90])
    step("@string added and used")
    entries[5], entries[80] = entries[80], entries[5]
    step("two entries swapped")
    header = "% moved down a line\n" + header
    step("a line inserted at the top")
    return steps


def _check(bib: Path, text: str, cache: Path, env: dict[str, str]) -> dict[str, Any]:
    bib.write_text(text, encoding="utf-8")
    run = run_cli(
        "check", str(bib), "--mailto", MAILTO, "--no-links", "--no-lockfile",
        "--format", "json", "-q",
        env={**env, "CITETRACK_CACHE_DIR": str(cache)}, cwd=bib.parent,
    )  # fmt: skip
    assert run.code in (0, 1), run.stderr
    report: dict[str, Any] = run.json()
    return report


def test_warm_checks_of_an_edited_bib_equal_checks_from_nothing(tmp_path: Path) -> None:
    refs = make_references(120, seed=21, url_share=0.0, page_hosts=0)
    text = make_bib(refs, [])
    bib = tmp_path / "refs.bib"
    with Emulator(make_world(refs)) as emu:
        env = emu.env()
        first = _check(bib, text, tmp_path / "warm", env)
        assert first["summary"]["ok"] == 120 and first["requests"]
        for number, (name, edited) in enumerate(_edits(text)):
            warm = _check(bib, edited, tmp_path / "warm", env)
            fresh = _check(bib, edited, tmp_path / f"fresh{number}", env)
            assert warm["requests"] == {}, name  # all of it from the cache and the memo
            assert fresh["requests"], name
            assert warm["references"] == fresh["references"], name
            assert warm["summary"] == fresh["summary"], name
    rules = {f["rule"] for r in warm["references"] for f in r["findings"]}
    assert "duplicate-reference" in rules  # the copied entry
    keys = {r["key"]: r for r in warm["references"]}
    assert keys["copied2026"]["status"] == "warning"
    assert any(f["field"] == "title" for f in keys["synthetic00060"]["findings"])
