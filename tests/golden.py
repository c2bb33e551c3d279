"""Golden files of document models: JSON text the suite compares what it builds with, and rewrites on request.

`make snapshots` (pytest's `--update-snapshots`) rewrites them; review their diff before committing it."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from policygen.model import INLINE_TYPES

REFRESH = "run `make snapshots` and review the diff of the golden files before committing it"
MAX_DIFF_LINES = 120
_INLINE_NAMES = frozenset(cls.__name__ for cls in INLINE_TYPES)


def snapshot_text(data: object) -> str:
    """Plain data (see policygen.model.to_data) as JSON for review: a node's "type" first and its fields in their
    order; a paragraph, a heading, a table row or a form field on one line, so that a changed text is a
    changed line; containers of several blocks one child per line."""
    return _dumps(data, 0) + "\n"


def _dumps(value: object, indent: int) -> str:
    if _one_line(value):
        return json.dumps(value, ensure_ascii=False)
    inner, outer = "  " * (indent + 1), "  " * indent
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(key)}: {_dumps(item, indent + 1)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{outer}}}"
    assert isinstance(value, list)
    items = [inner + _dumps(item, indent + 1) for item in value]
    return "[\n" + ",\n".join(items) + f"\n{outer}]"


def _one_line(value: object) -> bool:
    """Scalars, lists of scalars, runs of inline spans and rows of such runs, a single one-line node (a point or
    a list item of one paragraph), and nodes made only of those."""
    if isinstance(value, dict):
        return all(_one_line(item) for item in value.values())
    if isinstance(value, list):
        if len(value) == 1 and isinstance(value[0], dict):
            return _one_line(value[0])
        return all(not isinstance(item, (dict, list)) for item in value) or _is_run(value) or all(map(_is_run, value))
    return True


def _is_run(value: object) -> bool:
    """Whether a value is a run of inline spans: a list of nodes whose type is an inline's."""
    return isinstance(value, list) and all(
        isinstance(item, dict) and item.get("type") in _INLINE_NAMES for item in value
    )


def assert_golden(built: dict[Path, str], update: bool, folder: Path | None = None) -> None:
    """Compare each built text with its golden file (and, given `folder`, find golden files there that nothing
    built); with `update`, rewrite the files that differ and delete the stale ones instead."""
    stale = sorted(set(folder.rglob("*.json")) - set(built)) if folder is not None and folder.is_dir() else []
    if update:
        for path, text in built.items():
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        for path in stale:
            path.unlink()
        return
    problems = [f"{_name(path)}: golden file for nothing built any more" for path in stale]
    for path, text in sorted(built.items()):
        if not path.is_file():
            problems.append(f"{_name(path)}: no golden file")
            continue
        expected = path.read_text(encoding="utf-8")
        if expected != text:
            diff = list(
                difflib.unified_diff(
                    expected.splitlines(),
                    text.splitlines(),
                    f"{_name(path)} (golden)",
                    f"{_name(path)} (built)",
                    lineterm="",
                )
            )
            if len(diff) > MAX_DIFF_LINES:
                diff = [*diff[:MAX_DIFF_LINES], f"... {len(diff) - MAX_DIFF_LINES} more lines of diff"]
            problems.append("\n".join(diff))
    if problems:
        pytest.fail("\n\n".join(problems) + f"\n\nIf the change is intended, {REFRESH}.", pytrace=False)


def _name(path: Path) -> str:
    """The path relative to the tests folder, as a reviewer finds it."""
    return path.relative_to(Path(__file__).parent).as_posix()
