"""Earlier editions of built documents, kept beside them when a build changes them: OUT/<id>/<lang>/editions/."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path, PurePosixPath

from policygen.output.atomic import existing_output

EDITIONS_FOLDER = "editions"
MAX_EDITION_NAME = 120
_NOT_IN_NAME = re.compile(r"[^\w.-]+")


def edition_name(day: dt.date, order_number: str = "") -> str:
    """An edition's name: the approving order's date and number (`2025-09-15_187-п`), or a build's date alone;
    a run of characters a folder's name should not hold (slashes, spaces, quotes) becomes one hyphen."""
    name = f"{day.isoformat()}_{order_number.strip()}" if order_number.strip() else day.isoformat()
    return _NOT_IN_NAME.sub("-", name).strip("-.")[:MAX_EDITION_NAME]


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


def edition_for(out_dir: Path, current: str, name: str, data: bytes) -> tuple[str, bool]:
    """The edition under which `data`, the bytes the file at `current` had, is kept, and whether it still has to
    be written. An edition is never overwritten: when `name` already holds other bytes, the next of `name-2`,
    `name-3`... that is free or holds these bytes is taken; an edition that holds them already is kept once."""
    digest = hashlib.sha256(data).hexdigest()
    candidate, suffix = name, 1
    while True:
        kept = existing_output(out_dir, edition_path(current, candidate))
        if kept is None:
            return candidate, True
        if hashlib.sha256(kept.read_bytes()).hexdigest() == digest:
            return candidate, False
        suffix += 1
        candidate = f"{name}-{suffix}"
