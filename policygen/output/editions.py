"""Earlier editions of built documents, kept beside them when a build changes them: OUT/<id>/<lang>/editions/."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

EDITIONS_FOLDER = "editions"


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

