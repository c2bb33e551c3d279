"""--quiet prints only errors, on every command that reports progress or a summary; --summary adds it back."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, copy_workspace, run_cli_confined, tree_state

PROFILE = "ak-tilek-fmc"
FAST = ("--lang", "ru", "--format", "docx", "--doc", "policy")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return copy_workspace(tmp_path / "ws")


def break_profile(workspace: Path) -> Path:
    profile = workspace / "institutions" / f"{PROFILE}.yaml"
    profile.write_text(profile.read_text(encoding="utf-8") + "staff_count: 15\n", encoding="utf-8")
    return profile


def test_quiet_build_prints_nothing_when_all_goes_well(workspace: Path):
    result = run_cli_confined("build", PROFILE, *FAST, "-w", workspace, "--quiet")

    assert result.exit_code == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    assert (workspace / "output" / PROFILE / "ru" / "policy.docx").is_file()


def test_quiet_build_prints_only_the_error_of_a_failed_institution(workspace: Path):
    profile = break_profile(workspace)
    before = tree_state(workspace)

    result = run_cli_confined("build", PROFILE, *FAST, "-w", workspace, "-q")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.fullmatch(
        rf"{re.escape(str(profile))}:\d+:\d+: staff_count: duplicate key 'staff_count'.*\n"
        r"    hint: .*\n",
        result.stderr,
    ), result.stderr
    assert tree_state(workspace) == before


def test_quiet_build_with_summary_prints_the_table_and_no_progress(workspace: Path):
    result = run_cli_confined("build", PROFILE, *FAST, "-w", workspace, "-q", "--summary")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines()[0].split() == ["institution", "built", "skipped", "result"]
    assert re.search(rf"^{PROFILE} +1 +0  ok$", result.stdout, re.MULTILINE), result.stdout
    assert not [line for line in result.stdout.splitlines() if line.startswith("[")]


def test_build_without_quiet_prints_progress_on_stderr_and_the_table_on_stdout(workspace: Path):
    result = run_cli_confined("build", PROFILE, *FAST, "-w", workspace)

    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [f"[1/1] {PROFILE} ru: 1 files"]
    assert not [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert re.search(rf"^{PROFILE} +1 +0  ok$", result.stdout, re.MULTILINE), result.stdout


def test_quiet_check_prints_only_problems_and_the_count_when_asked(workspace: Path):
    passed = run_cli_confined("check", PROFILE, "-w", workspace, "-q")
    profile = break_profile(workspace)
    failed = run_cli_confined("check", PROFILE, "-w", workspace, "--quiet", "--summary")

    assert passed.exit_code == 0, passed.stderr
    assert passed.stdout == ""
    warnings = passed.stderr.splitlines()[::2]  # each followed by its hint
    assert warnings and all(": warning: never checked against the official text" in line for line in warnings)
    assert failed.exit_code == 1
    assert failed.stdout == "0 institutions passed the check, 1 failed\n"
    assert re.fullmatch(
        rf"{re.escape(str(profile))}:\d+:\d+: staff_count: duplicate key .*\n    hint: .*\n", failed.stderr
    ), failed.stderr
    assert not (workspace / "output").exists()


def test_quiet_submission_build_prints_only_its_error(workspace: Path):
    shutil.copytree(REPO / "submissions", workspace / "submissions")
    submission = workspace / "submissions" / "union-2026.yaml"
    submission.write_text(
        submission.read_text(encoding="utf-8").replace("addressee:", "addressee_old:", 1), encoding="utf-8"
    )

    result = run_cli_confined("submission", "build", "union-2026", "-w", workspace, "-q")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.match(rf"{re.escape(str(submission))}:\d+:\d+: addressee", result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert not (workspace / "output").exists()
