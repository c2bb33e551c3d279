"""Whether a qualified legal translator has reviewed each template's text, from translation-review.yaml files."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import yaml

from policygen._template_files import check_template_file, read_template_file
from policygen.errors import TemplateError, clipped

REVIEW_FILE = "translation-review.yaml"


@cache
def _reviewed_in(folder: Path) -> dict[str, bool]:
    path = folder / REVIEW_FILE
    if not os.path.lexists(path):
        return {}
    check_template_file(path, folder)
    try:
        data = yaml.safe_load(read_template_file(path))
    except yaml.YAMLError as error:
        raise TemplateError(str(path), f"cannot read the review status: {clipped(str(error))}") from None
    reviewed = data.get("reviewed") if isinstance(data, dict) else None
    if not isinstance(reviewed, dict) or not all(isinstance(value, bool) for value in reviewed.values()):
        raise TemplateError(str(path), "expected `reviewed:` mapping template paths to true or false")
    return reviewed


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
