"""-q and -v on every command, before its name or after it: quiet prints only errors and warnings, verbose adds each
file written and the time taken; progress and what -v adds go to stderr, results to stdout."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from conftest import REPO, copy_workspace, run_cli

from policygen.cli.commands import main

PROFILE = "ak-tilek-fmc"
FAST = ("--lang", "ru", "--format", "docx", "--doc", "policy", "--doc", "code-of-conduct")
TIME_TAKEN = re.compile(r"^time taken: \d+\.\d s$", re.MULTILINE)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return copy_workspace(tmp_path / "ws")


def command_paths(group: click.Group = main, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command and group of the command line, as the words that name it."""
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))


def test_every_command_takes_quiet_and_verbose():
    paths = list(command_paths())
    assert ("submission", "verify") in paths
    for path in [(), *paths]:
        result = run_cli(*path, "--help")
        assert result.exit_code == 0, path
        assert "-q, --quiet" in result.stdout and "-v, --verbose" in result.stdout, path


def test_quiet_and_verbose_together_are_refused_with_exit_2():
    result = run_cli("-q", "list", "-v", "-w", REPO)

    assert result.exit_code == 2
    assert "--quiet and --verbose exclude each other" in result.stderr


def test_verbose_build_names_each_file_written_or_up_to_date_and_the_time_on_stderr(workspace: Path):
    out = (workspace / "output").resolve()
    files = [out / PROFILE / "ru" / "policy.docx", out / PROFILE / "ru" / "code-of-conduct.docx"]

    first = run_cli("build", PROFILE, *FAST, "-w", workspace, "-v")
    second = run_cli("-v", "build", PROFILE, *FAST, "-w", workspace)

    assert first.exit_code == 0, first.stderr
    assert sorted(line for line in first.stderr.splitlines() if line.startswith("written")) == sorted(
        f"written     {path}" for path in files
    )
    assert TIME_TAKEN.search(first.stderr), first.stderr
    assert first.stdout.splitlines()[0].split() == ["institution", "built", "skipped", "result"]
    assert second.exit_code == 0, second.stderr
    assert sorted(line for line in second.stderr.splitlines() if line.startswith("up to date")) == sorted(
        f"up to date  {path}" for path in files
    )


def test_build_without_verbose_names_no_file_and_no_time(workspace: Path):
    result = run_cli("build", PROFILE, *FAST, "-w", workspace)

    assert result.exit_code == 0, result.stderr
    assert not [line for line in result.stderr.splitlines() if line.startswith(("written", "up to date"))]
    assert not TIME_TAKEN.search(result.stderr)


def test_quiet_before_the_command_name_is_quiet_as_after_it(workspace: Path):
    result = run_cli("-q", "build", PROFILE, *FAST, "-w", workspace)

    assert result.exit_code == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    assert (workspace / "output" / PROFILE / "ru" / "policy.docx").is_file()


def test_quiet_validate_prints_nothing_when_every_profile_passes():
    normal = run_cli("validate", "-w", REPO)
    quiet = run_cli("validate", "-q", "-w", REPO)

    assert normal.exit_code == quiet.exit_code == 0
    assert normal.stdout.count("ok  ") == 3
    assert (quiet.stdout, quiet.stderr) == ("", "")


def test_quiet_init_makes_the_workspace_and_prints_nothing(tmp_path: Path):
    result = run_cli("init", tmp_path / "new", "-q")

    assert result.exit_code == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    assert (tmp_path / "new" / "institutions" / f"{PROFILE}.yaml").is_file()


@pytest.mark.slow
def test_quiet_verify_prints_nothing_for_a_package_that_matches(submission_package: Path):
    normal = run_cli("submission", "verify", submission_package)
    quiet = run_cli("submission", "verify", submission_package, "-q")

    assert normal.exit_code == quiet.exit_code == 0
    assert normal.stdout == f"{submission_package}: every file matches its manifest\n"
    assert (quiet.stdout, quiet.stderr) == ("", "")


def test_quiet_list_and_schema_still_print_what_they_are_asked_for():
    assert run_cli("-q", "list", "-w", REPO).stdout == run_cli("list", "-w", REPO).stdout != ""
    assert run_cli("schema", "-q").stdout == run_cli("schema").stdout != ""
