"""End-to-end: a pull request adds a reference while Crossref is down — the gate is
pending (exit 4), and the GitHub annotations must say so on the reference's own line, and
the JUnit report must count it as a failure (it was "passed": a CI test reporter showed
nothing failed in a failed job).

Before, the run's annotations were a notice naming the pending reference without a file
or line, and the outage's one notice per cause, which names only the first five references
it hit (the old ones, in file order): the job failed and the pull request's diff showed
nothing where the failing reference was added.  The records are SYNTHETIC.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from citetrack_emulator import Emulator
from tests.e2e import SEED_BIB, run_cli

FAST = ("--per-host-interval", "0", "--timeout", "2", "--allow-private-urls", "--no-links")
ADDED = (
    "\n@article{added2026,\n"
    "  author = {Nobody, A.},\n"
    "  title = {A study added by the pull request},\n"
    "  year = {2026},\n"
    "  doi = {10.5555/added.2026.0001},\n}\n"
)


def test_the_pending_reference_is_an_error_annotation_on_its_line(
    emulator: Emulator, tmp_path: Path
) -> None:
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    bib = tmp_path / "refs.bib"
    bib.write_text(SEED_BIB.read_text(encoding="utf-8"), encoding="utf-8")
    assert run_cli("lock", str(bib), *FAST, env=env, cwd=tmp_path).code == 0
    text = bib.read_text(encoding="utf-8") + ADDED
    bib.write_text(text, encoding="utf-8")
    line = text[: text.index("@article{added2026")].count("\n") + 1
    for service in ("crossref", "doi"):
        emulator.add_fault(service, "status", code=503)

    run = run_cli(
        "check", "refs.bib", "--new-only", "-f", "github", "--no-cache", *FAST,
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert run.code == 4, run.stdout + run.stderr
    errors = [x for x in run.stdout.splitlines() if x.startswith("::error ")]
    assert len(errors) == 1, run.stdout
    props, message = errors[0].removeprefix("::error ").split("::", 1)
    assert props == f"file=refs.bib,line={line},title=pending (added2026)"
    assert "10.5555/added.2026.0001" in message and "exit 4" in message
    # The old references, unverifiable tonight too, stay one notice for the outage.
    assert not any("thiers2009cutaneous" in x for x in errors)


def test_the_pending_reference_is_a_junit_failure(emulator: Emulator, tmp_path: Path) -> None:
    env = {**emulator.env(), "CITETRACK_CACHE_DIR": str(tmp_path / "cache")}
    bib = tmp_path / "refs.bib"
    bib.write_text(SEED_BIB.read_text(encoding="utf-8"), encoding="utf-8")
    assert run_cli("lock", str(bib), *FAST, env=env, cwd=tmp_path).code == 0
    bib.write_text(bib.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
    for service in ("crossref", "doi"):
        emulator.add_fault(service, "status", code=503)

    run = run_cli(
        "check", "refs.bib", "--new-only", "-f", "junit", "--no-cache", *FAST,
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert run.code == 4, run.stdout + run.stderr
    root = ET.fromstring(run.stdout)
    assert root.get("failures") == "1", run.stdout
    (case,) = [c for c in root.iter("testcase") if c.get("name") == "added2026"]
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "pending"
    assert "10.5555/added.2026.0001" in (failure.get("message") or "")
    # The old references, unverifiable tonight too, are skipped, not failed.
    (old,) = [c for c in root.iter("testcase") if c.get("name") == "thiers2009cutaneous"]
    assert old.find("failure") is None and old.find("skipped") is not None
