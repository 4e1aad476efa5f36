"""The GitHub Action (``action.yml``) and the example workflow, as shipped (issue 12).

* Both are validated against their published JSON schemas: SchemaStore's
  ``github-action.json`` and ``github-workflow.json`` (https://www.schemastore.org, Apache
  2.0), in the copies vendored by the ``check-jsonschema`` package (``builtin_schemas/
  vendor/github-actions.json``, ``github-workflows.json``), so no network is needed.
* The action's shell steps run end to end, in order, against the local emulator, in a
  simulated ``GITHUB_*`` environment (``GITHUB_OUTPUT`` and ``GITHUB_STEP_SUMMARY`` files,
  ``RUNNER_TEMP``) with a stub ``gh`` on ``PATH`` that records its calls.  The step
  conditions (``if:``) and ``${{ … }}`` values are evaluated by a small evaluator below
  (``==``, ``!=``, ``&&``, ``||``, ``always()``, contexts).  Two steps are not run: the
  install step (the test runs in the venv where citetrack is installed, offline; its
  command is checked to install from ``github.action_path``) and the ``uses:`` SARIF
  upload (the report it uploads is checked instead).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import check_jsonschema
import jsonschema
import pytest
from ruamel.yaml import YAML

from citetrack_emulator import Emulator
from tests.e2e import REPO

ACTION = REPO / "action.yml"
WORKFLOW = REPO / "examples/github-actions/citetrack.yml"
VENDOR = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor"
PLANTED = REPO / "tests/data/planted.bib"


def _yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _validate(document: Any, schema_name: str) -> None:
    schema = json.loads((VENDOR / schema_name).read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_action_matches_the_published_action_schema() -> None:
    _validate(_yaml(ACTION), "github-actions.json")


def test_workflow_matches_the_published_workflow_schema() -> None:
    _validate(_yaml(WORKFLOW), "github-workflows.json")


def test_the_schema_check_catches_a_broken_action() -> None:
    action = _yaml(ACTION)
    del action["runs"]["steps"][0]["shell"]  # composite run steps need a shell
    with pytest.raises(AssertionError):
        _validate(action, "github-actions.json")


def _uses(workflow: Any) -> list[str]:
    return [s["uses"] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s]


def test_workflow_uses_the_action_current_majors_and_needed_permissions() -> None:
    workflow = _yaml(WORKFLOW)
    uses = _uses(workflow) + [s["uses"] for s in _yaml(ACTION)["runs"]["steps"] if "uses" in s]
    assert not any("pip install citetrack" in str(s) for s in workflow["jobs"].values())
    assert sum(u.startswith("citetrack/citetrack@") for u in uses) == 2
    majors = {u.split("@")[0]: u.split("@")[1] for u in uses if "citetrack/citetrack" not in u}
    assert majors == {
        "actions/checkout": "v4",
        "actions/setup-python": "v5",
        "actions/cache/restore": "v4",
        "actions/cache/save": "v4",
        "github/codeql-action/upload-sarif": "v3",
    }
    nightly, pr = workflow["jobs"]["nightly"], workflow["jobs"]["pull-request"]
    assert nightly["permissions"]["issues"] == "write"
    assert nightly["permissions"]["security-events"] == "write"
    assert "issues" not in pr["permissions"]
    pr_step = next(s for s in pr["steps"] if s.get("uses", "").startswith("citetrack/"))
    assert pr_step["with"]["new-only"] == "true"
    assert pr_step["with"]["tolerate-unverified"] == "true"  # an outage is exit 3
    install = _yaml(ACTION)["runs"]["steps"][0]
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert '"$ACTION_PATH"' in install["run"]


def test_the_nightly_state_is_kept_on_the_nights_the_job_fails() -> None:
    """``actions/cache`` saves only when the job succeeds (its ``post-if: success()``):
    while any reference was broken the nightly job failed every night, its state was
    never saved, and a dying URL stayed "failing 1 of 3" for ever.  The state is saved
    by ``actions/cache/save`` with ``if: always()``, after the check, under the key the
    restore step reads."""
    steps = _yaml(WORKFLOW)["jobs"]["nightly"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert not any(u.startswith("actions/cache@") for u in uses)
    restore = steps[uses.index("actions/cache/restore@v4")]
    save = steps[uses.index("actions/cache/save@v4")]
    check = next(i for i, u in enumerate(uses) if u.startswith("citetrack/citetrack@"))
    assert uses.index("actions/cache/restore@v4") < check < uses.index("actions/cache/save@v4")
    assert save["if"] == "always()"
    assert save["with"]["path"] == restore["with"]["path"] == ".citetrack-cache"
    assert save["with"]["key"] == restore["with"]["key"]
    assert restore["with"]["restore-keys"] == "citetrack-"


# ----------------------------------------------------------------- running the action

_CONTEXT = re.compile(r"\b(?:inputs|steps|github|runner|env)\.[A-Za-z0-9_.-]+")


def _lookup(name: str, ctx: dict[str, Any]) -> str:
    value: Any = ctx
    for part in name.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return str(value)


_TOKEN = re.compile(r"\s*(&&|\|\||==|!=|!|\(|\)|'[^']*'|always\(\)|[A-Za-z_][\w.-]*)")


def _evaluate(expression: str, ctx: dict[str, Any]) -> Any:
    """A GitHub expression (the subset the action uses: ``==``, ``!=``, ``!``, ``&&``,
    ``||``, parentheses, ``'…'`` strings, ``always()``, contexts), parsed and evaluated
    here (no ``eval``)."""
    tokens: list[str] = []
    at = 0
    while at < len(expression.rstrip()):
        match = _TOKEN.match(expression, at)
        assert match is not None, f"cannot read {expression[at:]!r}"
        tokens.append(match.group(1))
        at = match.end()
    value, rest = _or(tokens, ctx)
    assert not rest, f"left over: {rest}"
    return value


def _or(tokens: list[str], ctx: dict[str, Any]) -> tuple[Any, list[str]]:
    value, tokens = _and(tokens, ctx)
    while tokens[:1] == ["||"]:
        other, tokens = _and(tokens[1:], ctx)
        value = value or other
    return value, tokens


def _and(tokens: list[str], ctx: dict[str, Any]) -> tuple[Any, list[str]]:
    value, tokens = _compare(tokens, ctx)
    while tokens[:1] == ["&&"]:
        other, tokens = _compare(tokens[1:], ctx)
        value = value and other
    return value, tokens


def _compare(tokens: list[str], ctx: dict[str, Any]) -> tuple[Any, list[str]]:
    value, tokens = _unary(tokens, ctx)
    if tokens[:1] in (["=="], ["!="]):
        other, rest = _unary(tokens[1:], ctx)
        return (value == other) == (tokens[0] == "=="), rest
    return value, tokens


def _unary(tokens: list[str], ctx: dict[str, Any]) -> tuple[Any, list[str]]:
    head, rest = tokens[0], tokens[1:]
    if head == "!":
        value, rest = _unary(rest, ctx)
        return not value, rest
    if head == "(":
        value, rest = _or(rest, ctx)
        assert rest[:1] == [")"], rest
        return value, rest[1:]
    if head == "always()":
        return True, rest
    if head.startswith("'"):
        return head[1:-1], rest
    assert _CONTEXT.fullmatch(head), f"not a context: {head!r}"
    return _lookup(head, ctx), rest


def test_the_expression_evaluator_reads_the_actions_conditions() -> None:
    ctx = {"inputs": {"x": "true"}, "steps": {"a": {"outputs": {"b": "0", "c": "2"}}}}
    condition = (
        "always() && inputs.x == 'true' && (steps.a.outputs.b != '0' || steps.a.outputs.c != '0')"
    )
    assert _evaluate(condition, ctx) is True
    assert _evaluate("steps.a.outputs.b != '0' && !(inputs.x == 'false')", ctx) is False
    assert _evaluate("steps.a.outputs.c", ctx) == "2"
    assert _evaluate("steps.missing.outputs.b", ctx) == ""


def _interpolate(value: str, ctx: dict[str, Any]) -> str:
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(_evaluate(m.group(1), ctx)), str(value))


def run_action(
    tmp: Path, emulator: Emulator, inputs: dict[str, str], event: str = "schedule"
) -> tuple[list[int], dict[str, str], Path]:
    """Run the action's shell steps; returns their exit codes, the check step's outputs
    and the recorded ``gh`` calls file."""
    action = _yaml(ACTION)
    defaults = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    stub = tmp / "bin"
    stub.mkdir(exist_ok=True)
    calls = tmp / "gh-calls"
    issues = tmp / "gh-issues"
    (stub / "gh").write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{calls}"\n'
        f'if [ "$1 $2" = "issue list" ]; then cat "{issues}" 2>/dev/null; fi\n'
        f'if [ "$1 $2" = "issue create" ]; then echo 7 > "{issues}"; fi\n'
    )
    (stub / "gh").chmod(0o755)
    ctx: dict[str, Any] = {
        "inputs": {**defaults, **inputs, "token": "t0ken"},
        "github": {
            "action_path": str(REPO),
            "event_name": event,
            "repository": "o/r",
            "token": "t0ken",
        },
        "runner": {"temp": str(tmp / "runner")},
        "steps": {},
    }
    (tmp / "runner").mkdir(exist_ok=True)
    summary = tmp / "step-summary.md"
    summary.touch()
    codes = []
    for step in action["runs"]["steps"]:
        if "run" not in step or "ACTION_PATH" in step.get("env", {}):
            continue  # the SARIF upload (uses:) and the install step (see docstring)
        if "if" in step and not _evaluate(step["if"], ctx):
            codes.append(-1)
            continue
        output = tmp / f"output-{len(codes)}"
        output.touch()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CITETRACK_", "GITHUB_"))}
        env.update(emulator.env())
        env.update({k: _interpolate(v, ctx) for k, v in step.get("env", {}).items()})
        env.update(
            {
                "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(summary),
                "RUNNER_TEMP": str(tmp / "runner"),
                "CITETRACK_CACHE_DIR": str(tmp / "cache"),
                "PATH": f"{stub}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}"
                + env.get("PATH", ""),
            }
        )
        proc = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=tmp / "ws",
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        codes.append(proc.returncode)
        if "id" in step:
            values = dict(
                line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
            )
            ctx["steps"][step["id"]] = {"outputs": values}
    return codes, ctx["steps"].get("check", {}).get("outputs", {}), calls


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "references.bib").write_bytes(PLANTED.read_bytes())
    return tmp_path


def test_nightly_with_a_broken_reference_fails_writes_summary_sarif_and_one_issue(
    workspace: Path, emulator: Emulator
) -> None:
    inputs = {"open-issue": "true", "args": "--no-lockfile"}
    codes, outputs, calls = run_action(workspace, emulator, inputs)
    # check, summary, issue, final: the check step itself never fails (the last one does)
    assert codes == [0, 0, 0, 1], codes
    assert outputs["exit-code"] == "1"
    assert int(outputs["broken"]) >= 1
    sarif = json.loads(Path(outputs["sarif"]).read_text())
    assert sarif["version"] == "2.1.0"
    assert any(r["level"] == "error" for r in sarif["runs"][0]["results"])
    assert "broken" in (workspace / "step-summary.md").read_text()
    first = calls.read_text().splitlines()
    assert first[0].startswith("issue list")
    assert first[1].startswith("issue create --title citetrack: citations need attention")
    # The next night finds the open issue and updates it: still one issue.
    codes, _, calls = run_action(workspace, emulator, inputs)
    again = calls.read_text().splitlines()[len(first) :]
    assert again[0].startswith("issue list")
    assert again[1].startswith("issue edit 7 --body-file")
    assert not any(c.startswith("issue create") for c in again)


def test_pull_request_during_an_outage_passes_and_opens_no_issue(
    workspace: Path, emulator: Emulator
) -> None:
    """An outage on a pull request that adds nothing: the committed lockfile's references
    could not be verified (exit 3), which is no reason to fail it."""
    bib = workspace / "ws" / "references.bib"
    bib.write_text("@article{a, title = {A title}, doi = {10.3322/caac.20005}}\n")
    _lock(workspace, emulator)
    for service in ("crossref", "doi", "eutils", "idconv"):
        emulator.add_fault(service, "status", code=503)
    inputs = {"new-only": "true", "open-issue": "true", "args": "--no-links --no-cache"}
    codes, outputs, calls = run_action(workspace, emulator, inputs, event="pull_request")
    assert outputs["exit-code"] == "3"
    assert codes[-1] == 0  # exit 3 tolerated: an outage does not fail a PR
    assert not calls.exists()
    inputs["tolerate-unverified"] = "false"
    codes, _, _ = run_action(workspace, emulator, inputs, event="pull_request")
    assert codes[-1] == 3


def test_a_pull_request_adding_a_doi_during_an_outage_fails_as_pending(
    workspace: Path, emulator: Emulator
) -> None:
    """The same outage, but the pull request adds a reference (a fabricated DOI, say):
    it could not be verified, so the gate is pending, exit 4, which tolerate-unverified
    does not wave through.  It passed before (exit 3, tolerated)."""
    bib = workspace / "ws" / "references.bib"
    bib.write_text("@article{a, title = {A title}, doi = {10.3322/caac.20005}}\n")
    _lock(workspace, emulator)
    bib.write_text(
        bib.read_text() + "@article{b, title = {Invented}, doi = {10.5555/invented.0001}}\n"
    )
    for service in ("crossref", "doi", "eutils", "idconv"):
        emulator.add_fault(service, "status", code=503)
    inputs = {"new-only": "true", "args": "--no-links --no-cache"}
    codes, outputs, _ = run_action(workspace, emulator, inputs, event="pull_request")
    assert outputs["exit-code"] == "4"
    assert codes[-1] == 4
    summary = (workspace / "step-summary.md").read_text(encoding="utf-8")
    assert "could not be verified: b" in summary


def _lock(workspace: Path, emulator: Emulator) -> None:
    """``citetrack lock`` in the workspace, as committed before the pull request."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITETRACK_")}
    env.update({**emulator.env(), "CITETRACK_CACHE_DIR": str(workspace / "lock-cache")})
    env["PYTHONPATH"] = str(REPO)
    cli = [sys.executable, "-m", "citetrack", "lock", "--no-links"]
    done = subprocess.run(cli, cwd=workspace / "ws", env=env, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr


# ------------------------------------------- the README's recipe: one lockfile per folder


def _readme_recipe() -> list[dict[str, Any]]:
    """The steps of the README's YAML block for a repository with one committed
    ``citetrack.lock`` per folder."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.DOTALL)
    (block,) = [b for b in blocks if "Seed each folder's nightly state" in b]
    steps: list[dict[str, Any]] = YAML(typ="safe").load(block)
    return steps


def test_the_readme_recipe_keeps_each_folders_nightly_state_across_nights(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A documentation repository with docs/a and docs/b, each with its committed
    citetrack.lock: every night is a fresh checkout (the committed lockfiles) plus the
    restored cache folder.  Without the recipe's seeding each night started from the
    committed lockfiles, so a dead page was "failing 1 of 3" every night, never broken.
    The pages are SYNTHETIC."""
    steps = _readme_recipe()
    seed = next(s for s in steps if s.get("name", "").startswith("Seed each folder"))
    keep = next(s for s in steps if s.get("name", "").startswith("Keep each folder"))
    check = next(s for s in steps if s.get("uses", "").startswith("citetrack/citetrack@"))
    assert keep["if"] == "always()" and check["with"]["update-lock"] == "true"
    repo = tmp_path / "repo"
    for folder in ("a", "b"):
        path = f"/recipe/{folder}"
        emulator.patch_world({"pages": {path: {"title": f"Page {folder}"}}})
        bib = repo / "docs" / folder / "refs.bib"
        bib.parent.mkdir(parents=True)
        bib.write_text(
            f"@online{{page{folder},\n  title = {{Page {folder}}},\n"
            f"  url = {{{emulator.page_url(path)}}},\n}}\n",
            encoding="utf-8",
        )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CITETRACK_")},
        **emulator.env(),
        "CITETRACK_CACHE_DIR": str(tmp_path / "ws" / ".citetrack-cache"),
        "PYTHONPATH": str(REPO),
    }
    fast = ["--per-host-interval", "0", "--timeout", "2", "--allow-private-urls"]
    cli = [sys.executable, "-m", "citetrack"]
    locked = subprocess.run(
        [*cli, "lock", "docs", *fast], cwd=repo, env=env, capture_output=True, check=False
    )
    assert locked.returncode == 0, locked.stderr
    emulator.patch_world({"pages": {"/recipe/b": {"status": 404, "title": "Not found"}}})
    cache = tmp_path / "cache-between-nights"

    def night() -> str:
        """A fresh checkout, the cache folder restored, the recipe's steps, saved."""
        ws = tmp_path / "ws"
        if ws.exists():
            subprocess.run(["rm", "-rf", str(ws)], check=True)
        subprocess.run(["cp", "-rp", str(repo), str(ws)], check=True)
        if cache.exists():
            subprocess.run(["cp", "-rp", str(cache), str(ws / ".citetrack-cache")], check=True)
        bash = ["bash", "-e", "-c"]
        subprocess.run([*bash, seed["run"]], cwd=ws, env=env, check=True)
        run = subprocess.run(
            [*cli, "check", check["with"]["bib"], "--update-lock", "-f", "json", *fast],
            cwd=ws,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        subprocess.run([*bash, keep["run"]], cwd=ws, env=env, check=True)
        if cache.exists():
            subprocess.run(["rm", "-rf", str(cache)], check=True)
        subprocess.run(["cp", "-rp", str(ws / ".citetrack-cache"), str(cache)], check=True)
        (dead,) = [
            f["message"]
            for r in json.loads(run.stdout)["references"]
            for f in r["findings"]
            if f["rule"] == "url-dead"
        ]
        return str(dead)

    assert "failing 1 of 3 runs" in night()
    for state in cache.glob("state/**/citetrack.lock"):  # a day passes for the failures
        doc = json.loads(state.read_text(encoding="utf-8"))
        for entry in doc["references"].values():
            for failing in entry.get("failing", {}).values():
                failing["since"] = "2000-01-01"
        state.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert "failing 2 of 3 runs" in night()  # last night's state, not the committed one


def test_a_corrupt_lockfile_fails_the_job_with_its_reason_and_uploads_no_sarif(
    workspace: Path, emulator: Emulator
) -> None:
    """Exit 2 (a corrupt citetrack.lock): the step summary says why, and no SARIF path is
    given to the upload step, which would fail on a missing file (or, given an empty
    run, close the repository's open alerts)."""
    (workspace / "ws" / "citetrack.lock").write_text('{"broken', encoding="utf-8")
    codes, outputs, calls = run_action(workspace, emulator, {"open-issue": "true"})
    assert outputs["exit-code"] == "2"
    assert codes[-1] == 2
    assert outputs["sarif"] == ""
    summary = (workspace / "step-summary.md").read_text(encoding="utf-8")
    assert "citetrack.lock" in summary and "not valid JSON" in summary
    assert not calls.exists()  # no issue for a run that checked nothing
