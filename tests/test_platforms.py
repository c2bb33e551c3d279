"""policygen on a platform without `resource`, SIGALRM or `fcntl` (as on Windows): it imports, validates and builds,
and says once that each bound it cannot apply is off."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_workspace, run_cli_with_sitecustomize

from policygen import DOCUMENT_IDS

PROFILE = "ak-tilek-fmc"
# Runs before anything is imported: the modules and signal functions Windows lacks are taken away.
WITHOUT_POSIX_BOUNDS = """
import signal, sys
sys.modules["resource"] = None  # `import resource` now raises ImportError
sys.modules["fcntl"] = None
for name in ("SIGALRM", "setitimer", "getitimer", "ITIMER_REAL", "alarm"):
    delattr(signal, name)
"""
MEMORY_NOTE = "policygen: note: this platform cannot bound a process's memory: rendering runs without a memory bound"
TIME_NOTE = "policygen: note: this platform has no SIGALRM: templates and writers run without a time bound"
LOCK_NOTE = "note: this platform cannot lock files"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    return folder


def test_validate_runs_without_the_bounds_and_says_so_once(tmp_path: Path, site: Path):
    workspace = copy_workspace(tmp_path / "ws")

    result = run_cli_with_sitecustomize(WITHOUT_POSIX_BOUNDS, "validate", "-w", workspace, site=site)

    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("ok  ") == 3
    assert result.stderr.splitlines() == [MEMORY_NOTE, TIME_NOTE]


def test_build_runs_without_the_bounds_or_the_lock_and_says_so_once(tmp_path: Path, site: Path):
    workspace = copy_workspace(tmp_path / "ws")

    result = run_cli_with_sitecustomize(
        WITHOUT_POSIX_BOUNDS, "build", PROFILE, "--format", "docx", "--jobs", "2", "-w", workspace, site=site
    )

    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "note: " in line]
    assert len(notes) == 3, result.stderr
    assert notes[0].startswith(LOCK_NOTE)
    assert notes[1:] == [MEMORY_NOTE, TIME_NOTE]
    assert len(list((workspace / "output" / PROFILE).rglob("*.docx"))) == 2 * len(DOCUMENT_IDS)  # ky and ru
