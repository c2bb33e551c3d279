"""Earlier editions of built documents, kept beside them when a build changes them: OUT/<id>/<lang>/editions/."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path, PurePosixPath

EDITIONS_FOLDER = "editions"
_NOT_IN_NAME = re.compile(r"[^\w-]+")


def edition_name(order_number: str | None, order_date: dt.date | None, built_on: dt.date) -> str:
    """The name of the edition a file will be once superseded: its approval order's date and number
    (`2025-09-15_187-п`), or the date it was built on when there is no order."""
    if order_date is None:
        return built_on.isoformat()
    number = _NOT_IN_NAME.sub("-", (order_number or "").strip()).strip("-_")
    return f"{order_date.isoformat()}_{number}" if number else order_date.isoformat()


def edition_path(current: str, edition: str) -> str:
    """Where the edition `edition` of the file at `current` (relative to the output folder) is kept:
    `<id>/<lang>/editions/<edition>/<file>`."""
    path = PurePosixPath(current)
    return str(path.parent / EDITIONS_FOLDER / edition / path.name)


def editions_of(out_dir: Path, current: str) -> list[str]:
    """The editions kept of the file at `current`, oldest first."""
    folder = out_dir / PurePosixPath(current).parent / EDITIONS_FOLDER
    name = PurePosixPath(current).name
    if not folder.is_dir():
        return []
    return sorted(entry.name for entry in folder.iterdir() if (entry / name).is_file())
