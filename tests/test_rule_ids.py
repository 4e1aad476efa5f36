"""Every rule id the code can emit is in the catalogue and the README; an ignore naming
no rule says so (issue 12: an ignore that silently ignores nothing is a silent answer).

The catalogue (``citetrack.report.rules.RULE_IDS``) is what an ignore is checked against,
so a rule missing from it would make a correct ignore look misspelt: the scan below reads
every ``RULE_*`` constant, every ``rule="…"`` keyword and every rule-like first argument of
a finding helper in ``citetrack/``, plus the .bib problem ids.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from citetrack.inputs.bib.layout import PROBLEM_RULES
from citetrack.report.rules import RULE_IDS
from tests.e2e import run_cli

ROOT = Path(__file__).resolve().parents[1]
_ID = re.compile(r"^[a-z]+(?:-[a-z0-9]+)+$")
_HELPERS = {"Finding", "finding", "_finding"}


def _emitted_ids() -> dict[str, str]:
    ids: dict[str, str] = {}
    for path in sorted((ROOT / "citetrack").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            value: object = None
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id.startswith("RULE")
                and isinstance(node.value, ast.Constant)
            ):
                value = node.value.value
            elif isinstance(node, ast.keyword) and node.arg == "rule":
                value = node.value.value if isinstance(node.value, ast.Constant) else None
            elif isinstance(node, ast.Call) and node.args:
                fn = node.func
                name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
                first = node.args[1] if name == "Finding" and len(node.args) > 1 else node.args[0]
                if name in _HELPERS and isinstance(first, ast.Constant):
                    value = first.value
            if isinstance(value, str) and (_ID.match(value) or value in RULE_IDS):
                ids.setdefault(value, str(path.relative_to(ROOT)))
    return ids


#: The modules that make findings: every hyphenated string constant in them is a rule id,
#: except these: field and {{cite}} parameter names, an encoding.
_FINDING_MODULES = ("rules", "links/rules.py", "tracking/lockfile", "inputs/bib")
_NOT_RULES = {
    "citetrack-ignore",
    "archive-url",
    "archive-date",
    "access-date",
    "url-status",
    "utf-8",
    # The .bib chunk memo's format stamp (citetrack/inputs/bib/memo.py), not a rule.
    "citetrack-bib-chunk-3",
}


def _constants_of_finding_modules() -> dict[str, str]:
    ids: dict[str, str] = {}
    for place in _FINDING_MODULES:
        target = ROOT / "citetrack" / place
        for path in sorted(target.rglob("*.py") if target.is_dir() else [target]):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                value = node.value if isinstance(node, ast.Constant) else None
                if isinstance(value, str) and _ID.match(value) and value not in _NOT_RULES:
                    ids.setdefault(value, str(path.relative_to(ROOT)))
    return ids


def test_every_emitted_rule_id_is_in_the_catalogue() -> None:
    emitted = {**_constants_of_finding_modules(), **_emitted_ids()}
    # The scan must see the families it is meant to see, or it proves nothing.
    assert {"doi-not-found", "url-dead", "archive-missing", "isbn-not-found"} <= set(emitted)
    missing = {rule: where for rule, where in emitted.items() if rule not in RULE_IDS}
    assert not missing, f"rule ids emitted but not in citetrack/report/rules.py: {missing}"
    assert set(PROBLEM_RULES) <= RULE_IDS


def test_every_rule_id_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    undocumented = sorted(r for r in RULE_IDS if f"`{r}`" not in readme)
    assert not undocumented, f"rule ids missing from README.md: {undocumented}"


def test_an_ignore_naming_no_rule_is_a_warning_with_a_hint(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "% citetrack: ignore doi-malformed\n"
        "@article{a,\n  title = {A title},\n  doi = {not-a-doi},\n  year = {2001},\n}\n\n"
        "@article{b,\n  title = {B title},\n  pmid = {12ab},\n  year = {2002},\n"
        "  citetrack-ignore = {identifier-malformed},\n}\n",
        encoding="utf-8",
    )
    (tmp_path / "citetrack.toml").write_text('[[ignore]]\nrule = "url-ded"\n', encoding="utf-8")
    run = run_cli(
        "check", "--offline", "--no-lockfile", "--format", "lines", str(bib), cwd=tmp_path
    )
    assert run.code == 3, run.stderr  # warnings only; the search could not run offline
    lines = run.stdout.splitlines()
    # The misspelt name ignores nothing, and says so on its entry, with the closest id.
    assert any(
        "warning ignore-unknown-rule" in line
        and "'doi-malformed'" in line
        and "did you mean 'identifier-malformed'" in line
        and "refs.bib:2:" in line
        for line in lines
    ), run.stdout
    assert any("identifier-malformed [doi]" in line for line in lines), run.stdout
    # The right name works and is not flagged.
    assert not any("identifier-malformed [pmid]" in line for line in lines), run.stdout
    assert not any("ignore-unknown-rule" in line and "[b]" in line for line in lines)
    # The config's misspelt rule is a note naming the closest id.
    assert "config [[ignore]] rule 'url-ded' is no citetrack rule" in run.stdout + run.stderr
    assert "did you mean 'url-dead'" in run.stdout + run.stderr
