"""The other commands: validate, schema, list, init, and policygen working from a wheel install."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, copy_workspace, run_cli

from policygen import __version__


def test_validate_reports_each_example_ok():
    result = run_cli("validate", "--workspace", REPO)
    assert result.exit_code == 0, result.stderr
    assert result.output.count("ok  ") == 3


def test_validate_never_imports_weasyprint():
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom policygen.cli.commands import main\n"
        f"result = CliRunner().invoke(main, ['validate', '--workspace', {str(REPO)!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "print('weasyprint' in sys.modules, 'docx' in sys.modules)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["False", "False"]


def test_schema_prints_the_json_schema_and_the_checked_in_copy_is_current():
    result = run_cli("schema")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["additionalProperties"] is False
    assert {"id", "type", "name", "languages"} <= set(schema["required"])
    assert schema["properties"]["staff_count"]["description"]
    checked_in = json.loads((REPO / "schema" / "profile.schema.json").read_text(encoding="utf-8"))
    assert checked_in == schema, "run `make schema` to refresh schema/profile.schema.json"


def test_submission_schema_is_printed_and_the_checked_in_copy_is_current():
    result = run_cli("schema", "--submission")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert {"sender", "addressee", "evidence", "annexes"} <= set(schema["required"])
    checked_in = json.loads((REPO / "schema" / "submission.schema.json").read_text(encoding="utf-8"))
    assert checked_in == schema, "run `make schema` to refresh schema/submission.schema.json"


def test_list_shows_institutions_with_type_and_languages():
    result = run_cli("list", "--workspace", REPO)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == ["ak-tilek-fmc", "bishkek-city-hospital", "osh-medical-university"]
    assert lines[2].split()[1:3] == ["university", "ky,ru,en"]


def test_init_makes_a_workspace_that_validates_and_refuses_to_overwrite(tmp_path):
    target = tmp_path / "new-workspace"
    result = run_cli("init", target)
    assert result.exit_code == 0, result.stderr
    assert (target / "schema" / "profile.schema.json").is_file()
    assert run_cli("validate", "--workspace", target).exit_code == 0
    again = run_cli("init", target)
    assert again.exit_code == 2
    assert "already exists" in again.stderr


def test_policygen_workspace_in_the_environment_is_the_default_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POLICYGEN_WORKSPACE", str(REPO))

    result = run_cli("list")

    assert result.exit_code == 0, result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines()] == [
        "ak-tilek-fmc",
        "bishkek-city-hospital",
        "osh-medical-university",
    ]


def test_workspace_option_wins_over_policygen_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("POLICYGEN_WORKSPACE", str(tmp_path / "elsewhere"))

    chosen = run_cli("list", "--workspace", REPO)
    from_environment = run_cli("list")

    assert chosen.exit_code == 0, chosen.stderr
    assert from_environment.exit_code == 2
    assert f"{tmp_path / 'elsewhere'} is not a policygen workspace" in from_environment.stderr


def test_the_version_is_defined_once_and_read_by_the_package_the_command_and_the_manifest(tmp_path: Path):
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    workspace = copy_workspace(tmp_path / "ws")

    built = run_cli("build", "ak-tilek-fmc", "--lang", "ru", "--format", "docx", "--doc", "policy", "-w", workspace)

    assert "version" in pyproject["project"]["dynamic"] and "version" not in pyproject["project"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "policygen/version.py"
    assert run_cli("--version").stdout == f"policygen, version {__version__}\n"
    assert built.exit_code == 0, built.stderr
    manifest = json.loads((workspace / "output" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["versions"]["policygen"] == __version__


def test_every_command_has_help():
    for command in ("validate", "build", "schema", "list", "init"):
        result = run_cli(command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_bad_option_value_exits_2():
    result = run_cli("build", "--format", "odt", "--workspace", REPO)
    assert result.exit_code == 2


@pytest.mark.slow
def test_wheel_install_initialises_and_builds_with_the_packaged_templates(tmp_path):
    wheel_dir = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(wheel_dir),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = wheel_dir.glob("policygen-*.whl")
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(installed)
    assert "policygen/templates/policy/ky.md.j2" in names
    assert "policygen/assets/fonts/LiberationSerif-Regular.ttf" in names
    assert "policygen/assets/fonts/LICENSE-LiberationFonts.txt" in names  # the fonts' own license goes with them
    dist_info = f"policygen-{__version__}.dist-info"
    assert f"{dist_info}/METADATA" in names
    assert [name for name in names if name.startswith(dist_info) and name.endswith("/LICENSE")]
    environment = {**os.environ, "PYTHONPATH": str(installed)}
    workspace = tmp_path / "ws"

    def policygen(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "policygen", *args], cwd=tmp_path, env=environment, capture_output=True, text=True
        )

    where = subprocess.run(
        [sys.executable, "-c", "import policygen; print(policygen.__file__)"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(installed))
    assert policygen("init", str(workspace)).returncode == 0
    built = policygen("build", "ak-tilek-fmc", "--lang", "ky", "--workspace", str(workspace))
    assert built.returncode == 0, built.stderr
    manifest = json.loads((workspace / "output" / "manifest.json").read_text(encoding="utf-8"))
    templates = {entry["document"]: entry["inputs"]["templates"][0]["path"] for entry in manifest["files"]}
    assert templates["policy"] == "<packaged>/policy/ky.md.j2"
