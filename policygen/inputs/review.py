"""Whether a qualified legal translator has reviewed each template's text, from translation-review.yaml files."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from policygen.errors import Diagnostic, ProfileError
from policygen.inputs.strict_yaml import format_key_path, load_yaml_mapping
from policygen.render.template_files import check_template_file

REVIEW_FILE = "translation-review.yaml"
_REVIEW_VALUES = {"true": True, "false": False}


@cache
def _reviewed_in(folder: Path) -> dict[str, bool]:
    path = folder / REVIEW_FILE
    if not os.path.lexists(path):
        return {}
    loaded = load_yaml_mapping(path)  # the strict loader: a pipe, a bomb or deep nesting is refused, located
    reviewed = loaded.data.get("reviewed")
    if set(loaded.data) != {"reviewed"} or not isinstance(reviewed, dict):
        location = loaded.locations[()]
        raise ProfileError(
            [
                Diagnostic(
                    str(path),
                    "expected one key, `reviewed:`, mapping template paths to true or false",
                    location.line,
                    location.column,
                    hint="write `reviewed:` and under it one `<template path>: true|false` per line",
                )
            ]
        )
    problems = []
    for key, value in reviewed.items():
        if not isinstance(value, str) or value not in _REVIEW_VALUES:
            location = loaded.locations[("reviewed", key)]
            problems.append(
                Diagnostic(
                    str(path),
                    f"expected true or false, got {value!r}",
                    location.line,
                    location.column,
                    format_key_path(("reviewed", key)),
                    hint="write true once a legal translator has reviewed the text, else false",
                )
            )
    if problems:
        raise ProfileError(problems)
    return {key: _REVIEW_VALUES[value] for key, value in reviewed.items()}


def review_files(search_path: list[Path]) -> list[Path]:
    """The review status files of the templates folders, each checked as a template file is."""
    found = []
    for folder in search_path:
        path = folder / REVIEW_FILE
        if os.path.lexists(path):
            check_template_file(path, folder)
            found.append(path)
    return found


def unreviewed(templates: list[Path], search_path: list[Path]) -> list[Path]:
    """The templates whose text no legal translator has reviewed (a template missing from the file counts)."""
    found = []
    for template in templates:
        folder = next(folder for folder in search_path if template.resolve().is_relative_to(folder.resolve()))
        key = template.resolve().relative_to(folder.resolve()).as_posix()
        if not _reviewed_in(folder.resolve()).get(key, False):
            found.append(template)
    return found
