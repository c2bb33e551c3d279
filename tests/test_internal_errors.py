"""An exception nobody expected (a bug) prints one line naming it and the file holding its traceback, and exits 70;
--debug or POLICYGEN_DEBUG=1 prints the traceback instead."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from conftest import REPO, copy_workspace, run_cli, run_cli_with_sitecustomize

import policygen.builders.validate
from policygen import EXIT_INTERNAL, Workspace, __version__

PROFILE = "ak-tilek-fmc"
ONE_LINE = re.compile(r"internal error: RuntimeError: a simulated bug; the traceback is in (\S+); please report it\n")
# a bug in the library, planted before the command line starts
PLANTED_BUG = """
import policygen.inputs.workspace

def a_bug(*args, **kwargs):
    raise RuntimeError("a simulated bug")

policygen.inputs.workspace.Workspace.resolve_profiles = a_bug
"""


def a_bug(*args: object, **kwargs: object) -> None:
    raise RuntimeError("a simulated bug")


@pytest.fixture
def temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system's temporary folder, as the command sees it, made the test's own."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return copy_workspace(tmp_path / "ws")


def saved_traceback(stderr: str) -> str:
    match = ONE_LINE.fullmatch(stderr)
    assert match, stderr
    return Path(match[1]).read_text(encoding="utf-8")


def test_an_unexpected_exception_prints_one_line_naming_the_saved_traceback_and_exits_70(
    workspace: Path, temporary_folder: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(Workspace, "resolve_profiles", a_bug)

    result = run_cli("build", PROFILE, "-w", workspace)

    assert result.exit_code == EXIT_INTERNAL == 70
    assert result.stdout == ""
    report = saved_traceback(result.stderr)
    [saved] = temporary_folder.iterdir()
    assert saved.name.startswith("policygen-error-") and saved.suffix == ".txt"
    assert report.startswith(f"policygen {__version__}, Python ")
    assert "Traceback (most recent call last):" in report
    assert "in a_bug" in report
    assert report.rstrip().endswith("RuntimeError: a simulated bug")
    assert not (workspace / "output").exists()


def test_an_unexpected_exception_in_a_rendering_worker_is_reported_the_same_way(
    workspace: Path, temporary_folder: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(policygen.builders.validate, "build_documents", a_bug)  # forked workers inherit it

    result = run_cli("validate", PROFILE, "-w", workspace)

    assert result.exit_code == EXIT_INTERNAL
    report = saved_traceback(result.stderr)
    assert "in a_bug" in report  # the worker's own traceback, carried over to the main process


def test_debug_prints_the_traceback_instead_of_saving_it(
    workspace: Path, temporary_folder: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(Workspace, "resolve_profiles", a_bug)

    result = run_cli("--debug", "list", "-w", workspace)

    assert result.exit_code == EXIT_INTERNAL
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert result.stderr.endswith("RuntimeError: a simulated bug\n")
    assert "internal error:" not in result.stderr
    assert list(temporary_folder.iterdir()) == []


def test_policygen_debug_in_the_environment_prints_the_traceback(
    workspace: Path, temporary_folder: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(Workspace, "resolve_profiles", a_bug)
    monkeypatch.setenv("POLICYGEN_DEBUG", "1")

    result = run_cli("list", "-w", workspace)

    assert result.exit_code == EXIT_INTERNAL
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert list(temporary_folder.iterdir()) == []


def test_a_traceback_that_cannot_be_saved_is_still_one_line_pointing_at_debug(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(Workspace, "resolve_profiles", a_bug)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))

    result = run_cli("list", "-w", workspace)

    assert result.exit_code == EXIT_INTERNAL
    assert re.fullmatch(
        r"internal error: RuntimeError: a simulated bug; the traceback could not be saved \(.+\): run again with "
        r"--debug to see it; please report it\n",
        result.stderr,
    ), result.stderr


def test_a_user_error_is_still_a_located_message_with_its_own_exit_code(workspace: Path, temporary_folder: Path):
    result = run_cli("build", "no-such-institution", "-w", workspace)

    assert result.exit_code == 2
    assert "internal error" not in result.stderr
    assert list(temporary_folder.iterdir()) == []


def test_the_installed_command_exits_70_with_one_line_on_a_bug(tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()

    result = run_cli_with_sitecustomize(PLANTED_BUG, "validate", "-w", REPO, site=site)

    assert result.exit_code == EXIT_INTERNAL, result.stderr
    assert result.stdout == ""
    report = saved_traceback(result.stderr)
    assert "RuntimeError: a simulated bug" in report
    assert [path.name for path in site.iterdir() if path.name.startswith("policygen-error-")]  # in TMPDIR
