"""The stage packages depend inward: the model on nothing of ours, the inner stages on no outer one, and only the
public API and the command line on the builders."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import REPO

PACKAGE = REPO / "policygen"
INNER_STAGES = ("model", "inputs", "parse", "transforms", "check", "writers", "figures")
OUTER_STAGES = ("render", "sets", "builders", "cli")


def imported_stages(path: Path) -> set[str]:
    """The policygen packages a module imports, anywhere in it (also inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found |= {name.split(".")[1] for name in names if name.startswith("policygen.")}
    return found


def modules_of(stage: str) -> list[Path]:
    return sorted((PACKAGE / stage).rglob("*.py"))


def test_the_model_imports_nothing_of_ours_but_itself():
    assert {path.name: imported_stages(path) - {"model"} for path in modules_of("model")} == {
        path.name: set() for path in modules_of("model")
    }


@pytest.mark.parametrize("stage", INNER_STAGES)
def test_an_inner_stage_imports_no_outer_stage(stage: str):
    outward = {
        path.relative_to(PACKAGE).as_posix(): sorted(imported_stages(path) & set(OUTER_STAGES))
        for path in modules_of(stage)
    }

    assert {module: stages for module, stages in outward.items() if stages} == {}


def test_only_the_public_api_and_the_command_line_import_the_builders():
    importers = [
        path.relative_to(PACKAGE).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if "builders" in imported_stages(path) and path.relative_to(PACKAGE).parts[0] not in ("builders", "cli")
    ]

    assert importers == ["__init__.py"]


STAGES_BELOW = {
    "model": set(),
    "inputs": set(),
    "parse": {"model"},
    "figures": set(),
    "writers": {"model", "parse", "output"},
    "check": {"model", "inputs"},
    "transforms": {"model", "inputs", "parse", "check"},
    "render": {"model", "inputs", "parse"},
}
"""The stages each inner stage may import (besides itself and the shared errors, limits and version modules):
the document model, the inputs read, and nothing beside or above it."""


@pytest.mark.parametrize("stage", sorted(STAGES_BELOW))
def test_an_inner_stage_imports_only_the_stages_below_it(stage: str):
    shared = {stage, "errors", "limits", "version"}
    beside_or_above = {
        path.relative_to(PACKAGE).as_posix(): sorted(imported_stages(path) - shared - STAGES_BELOW[stage])
        for path in modules_of(stage)
    }

    assert {module: stages for module, stages in beside_or_above.items() if stages} == {}
