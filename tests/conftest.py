"""Shared fixtures: the repository workspace, a build of every example, and readers of the files we produce."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policygen.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "institutions"


def run_cli(*args: str) -> Result:
    """Run the policygen command line in-process, as a user would type it."""
    return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)


def copy_workspace(target: Path) -> Path:
    """A fresh workspace in `target` with the example institutions (templates stay the packaged ones)."""
    shutil.copytree(EXAMPLES, target / "institutions")
    return target


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` (relative path -> bytes), to compare a folder before and after a run."""
    if not folder.exists():
        return {}
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()}


def pdf_text(path: Path, body_only: bool = False) -> str:
    """The text of a PDF as pdftotext extracts it; with body_only, the running header and footer cropped off."""
    command = ["pdftotext", "-enc", "UTF-8"]
    if body_only:
        # A4 at 72 dpi is 595 x 842 points; the header and footer live in the top and bottom 2 cm margins.
        command += ["-x", "0", "-y", "60", "-W", "595", "-H", "725"]
    output = subprocess.run([*command, str(path), "-"], check=True, capture_output=True, text=True)
    return output.stdout


def soffice_convert(paths: list[Path], target_format: str, out_dir: Path) -> list[Path]:
    """Convert files with LibreOffice headless in one call; fails (never skips) when LibreOffice is missing."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is required by these tests: run scripts/system-deps.sh --test"
    profile = out_dir / f"lo-profile-{uuid.uuid4().hex}"
    completed = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", target_format, "--outdir", str(out_dir), *map(str, paths)],
        capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    extension = target_format.split(":")[0]
    converted = [out_dir / f"{path.stem}.{extension}" for path in paths]
    missing = [str(path) for path in converted if not path.is_file()]
    assert not missing, f"LibreOffice did not convert: {missing}\n{completed.stdout}\n{completed.stderr}"
    return converted


def normalized_words(text: str) -> list[str]:
    """Words of a text with whitespace, soft hyphens and typographic spaces normalised."""
    text = text.replace("\u00ad", "").replace("\u202f", " ").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip().split(" ")


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of `policygen build` run on the repository's examples."""
    out_dir = tmp_path_factory.mktemp("example-build") / "output"
    result = run_cli("build", "--workspace", REPO, "--out", out_dir)
    assert result.exit_code == 0, result.stderr
    return out_dir
