"""Whether a qualified legal translator has reviewed each template's text, from translation-review.yaml files."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from policygen.errors import TemplateError

REVIEW_FILE = "translation-review.yaml"


@cache
def _reviewed_in(folder: Path) -> dict[str, bool]:
    path = folder / REVIEW_FILE
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise TemplateError(str(path), f"cannot read the review status: {error}") from None
    reviewed = data.get("reviewed") if isinstance(data, dict) else None
    if not isinstance(reviewed, dict) or not all(isinstance(value, bool) for value in reviewed.values()):
        raise TemplateError(str(path), "expected `reviewed:` mapping template paths to true or false")
    return reviewed


def unreviewed(templates: list[Path], search_path: list[Path]) -> list[Path]:
    """The templates whose text no legal translator has reviewed (a template missing from the file counts)."""
    found = []
    for template in templates:
        folder = next(folder for folder in search_path if template.resolve().is_relative_to(folder.resolve()))
        key = template.resolve().relative_to(folder.resolve()).as_posix()
        if not _reviewed_in(folder.resolve()).get(key, False):
            found.append(template)
    return found
