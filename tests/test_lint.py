"""The code is clean to the linters: `make lint` (ruff's checks and format, and mypy, as configured in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO


def test_make_lint_is_clean():
    tools = Path(sys.executable).parent  # the environment running the tests, which has the lint extra
    completed = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "lint", f"BIN={tools}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )  # -o: lint what is here, without reinstalling the environment first

    assert completed.returncode == 0, completed.stdout + completed.stderr
