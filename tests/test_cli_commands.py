"""The other commands: validate, schema, list, init, and policygen working from a wheel install."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

from conftest import REPO, run_cli


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


def test_every_command_has_help():
    for command in ("validate", "build", "schema", "list", "init"):
        result = run_cli(command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_bad_option_value_exits_2():
    result = run_cli("build", "--format", "odt", "--workspace", REPO)
    assert result.exit_code == 2


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
