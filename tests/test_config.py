"""Settings layering: defaults ← config file ← environment ← flags, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from citetrack.config import ConfigError, Settings, find_config, load_settings
from citetrack.model import Severity


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_config(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    settings = load_settings(cwd=tmp_path, environ={})
    assert settings == Settings()
    assert settings.fail_on is Severity.BROKEN


def test_citetrack_toml_then_env_then_flags(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(
        tmp_path / "citetrack.toml",
        'mailto = "file@example.org"\nfail_on = "warning"\n'
        'timeout = 5\nlockfile = "data/citetrack.lock"\n',
    )
    settings = load_settings(cwd=tmp_path, environ={})
    assert settings.mailto == "file@example.org"
    assert settings.fail_on is Severity.WARNING
    assert settings.timeout == 5.0
    assert settings.lockfile == (tmp_path / "data" / "citetrack.lock").resolve()
    env = load_settings(
        cwd=tmp_path,
        environ={
            "CITETRACK_MAILTO": "env@example.org",
            "CITETRACK_CROSSREF_URL": "http://127.0.0.1:1/c",
        },
    )
    assert env.mailto == "env@example.org"
    assert env.crossref_url == "http://127.0.0.1:1/c"
    flags = load_settings(
        cwd=tmp_path,
        environ={"CITETRACK_MAILTO": "env@example.org"},
        overrides={"mailto": "flag@example.org", "timeout": None},
    )
    assert flags.mailto == "flag@example.org"
    assert flags.timeout == 5.0  # a flag not given leaves the file's value


def test_pyproject_tool_table_found_from_a_subdirectory(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.citetrack]\nprefer = "crossref"\n',
    )
    sub = tmp_path / "docs" / "refs"
    sub.mkdir(parents=True)
    assert find_config(sub) == tmp_path / "pyproject.toml"
    assert load_settings(cwd=sub, environ={}).prefer == "crossref"


def test_pyproject_without_the_table_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert find_config(tmp_path) is None


@pytest.mark.parametrize(
    ("text", "words", "line"),
    [
        ('mailto = "a@b.org"\nfial_on = "warning"\n', "unknown setting 'fial_on'", 2),
        ('timeout = "soon"\n', "wrong type", 1),
        ("check_links = 1\n", "wrong type", 1),
        ('fail_on = "sometimes"\n', "fail_on must be one of", None),
        ("mailto = [\n", "invalid TOML", 1),
        ('lockfile = "../../elsewhere/citetrack.lock"\n', "outside the project directory", None),
        ('cache_dir = "/tmp/x"\n', "outside the project directory", None),
    ],
)
def test_bad_config_is_a_clear_error_naming_file_and_line(
    tmp_path: Path, text: str, words: str, line: int | None
) -> None:
    (tmp_path / ".git").mkdir()
    path = write(tmp_path / "citetrack.toml", text)
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path, environ={})
    assert words in str(info.value)
    assert str(path) in str(info.value)
    if line is not None:
        assert info.value.line == line


def test_bad_mailto_is_rejected(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    with pytest.raises(ConfigError, match="not an e-mail address"):
        load_settings(cwd=tmp_path, environ={"CITETRACK_MAILTO": "me at example"})


def test_store_comes_only_from_the_environment_never_from_a_committed_config(
    tmp_path: Path,
) -> None:
    write(tmp_path / "citetrack.toml", 'store = "postgresql://ci@db.invalid/citetrack"\n')
    settings = load_settings(cwd=tmp_path, environ={})
    assert settings.store is None
    assert any("setting 'store' ignored" in n and "CITETRACK_STORE" in n for n in settings.notices)
    env = {"CITETRACK_STORE": "postgresql://other@db.invalid/x"}
    assert load_settings(cwd=tmp_path, environ=env).store == "postgresql://other@db.invalid/x"
