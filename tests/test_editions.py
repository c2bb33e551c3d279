"""`policygen redline PROFILE --doc DOC --lang LANG --from EDITION`: an edition kept in the output folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import copy_workspace, run_cli
from test_redline import resolved_texts

INSTITUTION = "bishkek-city-hospital"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workspace = copy_workspace(tmp_path_factory.mktemp("editions") / "workspace")
    result = run_cli("build", INSTITUTION, "-w", workspace, "--doc", "policy", "--lang", "ru", "--format", "docx")
    assert result.exit_code == 0, result.stderr
    return workspace


def redline_from(workspace: Path, edition: str, output: Path):
    arguments = ("--doc", "policy", "--lang", "ru", "--from", edition, "-o", output)
    return run_cli("redline", INSTITUTION, "-w", workspace, *arguments)


def test_an_edition_not_kept_is_refused_listing_the_editions(built, tmp_path):
    result = redline_from(built, "2025-09-15_187-п", tmp_path / "out.docx")
    assert result.exit_code == 2
    assert "has no edition '2025-09-15_187-п'" in result.stderr and "hint: its editions: none yet" in result.stderr
    assert not (tmp_path / "out.docx").exists()


def test_an_edition_kept_is_compared_with_the_current_file(built, tmp_path):
    workspace = Path(shutil.copytree(built, tmp_path / "workspace"))
    folder = workspace / "output" / INSTITUTION / "ru"
    kept = folder / "editions" / "2025-09-15_187-п"
    kept.mkdir(parents=True)
    shutil.copy(folder / "policy.docx", kept / "policy.docx")
    result = redline_from(workspace, "2025-09-15_187-п", tmp_path / "out.docx")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"wrote {tmp_path / 'out.docx'}: 0 clauses changed")
    assert resolved_texts(tmp_path / "out.docx", True) == resolved_texts(folder / "policy.docx", True)


def test_a_document_not_built_yet_is_refused_with_the_build_command(built, tmp_path):
    arguments = ("--doc", "code-of-conduct", "--lang", "ru", "--from", "x", "-o", tmp_path / "out.docx")
    result = run_cli("redline", INSTITUTION, "-w", built, *arguments)
    assert result.exit_code == 2
    assert f"hint: build it first: policygen build {INSTITUTION} --doc code-of-conduct --lang ru" in result.stderr
