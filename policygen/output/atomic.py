"""Writes inside the output folder only, never through a link, so that a reader sees the old file or the new one."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path, PurePosixPath

from policygen.errors import OutputError

TEMPORARY_PREFIX = ".policygen-"
LINK_MESSAGE = "is a symbolic link inside the output folder; policygen does not write through links"
LINK_HINT = "remove the link (move what it points to out of the way first), or build into another folder with --out"


def write_atomically(root: Path, relative: str, data: bytes) -> None:
    """Write `data` to ROOT/relative: to a temporary file beside it, flushed to disk, then renamed over it.

    Refused when the path leaves the output folder or when the file, or any folder on its way from the output
    folder, is a symbolic link: every write of policygen goes through here."""
    path = checked_output_path(root, relative, create_folders=True)
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise OutputError(str(path), f"cannot write here: {error.strerror}",
                          hint="check that the output folder exists, is writable and has free space") from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(str(path), f"cannot write: {error.strerror}",
                              hint="check free space and permissions of the output folder") from None
        raise
    _sync_directory(path.parent)


def write_files(root: Path, files: list[tuple[str, bytes]]) -> None:
    """Write files of the output folder (paths relative to it), each atomically, after checking every path
    first, so that a link refused leaves none of them written."""
    for relative, _ in files:
        checked_output_path(root, relative)
    for relative, data in files:
        write_atomically(root, relative, data)


def checked_output_path(root: Path, relative: str, create_folders: bool = False) -> Path:
    """ROOT/relative, once it and every folder on the way from ROOT are known not to be links (missing folders
    are made with `create_folders`); raises OutputError for a link or a path that leaves ROOT."""
    base = root.resolve()
    parts = PurePosixPath(relative).parts
    if (not parts or PurePosixPath(relative).is_absolute() or "\\" in relative or "\0" in relative
            or ".." in parts):
        raise OutputError(str(base / relative), "output path leaves the output folder", hint="ids must be slugs")
    if create_folders:
        _make_folder(base, parents=True)
    current = base
    for index, part in enumerate(parts):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            if not create_folders or index == len(parts) - 1:
                return base.joinpath(*parts)  # nothing exists below: nothing there can be a link
            _make_folder(current, parents=False)
            continue
        except OSError as error:
            raise OutputError(str(current), f"cannot write here: {error.strerror}",
                              hint="check that the output folder exists and is writable") from None
        if stat.S_ISLNK(mode):
            raise OutputError(str(current), LINK_MESSAGE, hint=LINK_HINT)
    return current


def existing_output(root: Path, relative: str) -> Path | None:
    """ROOT/relative when it is a regular file reached without a link; None otherwise (missing, a link, a
    folder, or a path outside ROOT), so that nothing outside the output folder is ever read as its file."""
    try:
        path = checked_output_path(root, relative)
        return path if stat.S_ISREG(os.lstat(path).st_mode) else None
    except (OutputError, OSError):
        return None


def stale_temporaries(root: Path, relative_folder: str) -> list[Path]:
    """The temporary files a killed run left in ROOT/relative_folder ("." for ROOT itself), a folder reached
    without a link; none when it is not."""
    try:
        folder = root.resolve() if relative_folder == "." else checked_output_path(root, relative_folder)
    except OutputError:
        return []
    if not folder.is_dir() or folder.is_symlink():
        return []
    return [path for path in folder.glob(f"{TEMPORARY_PREFIX}*.tmp") if not path.is_symlink()]


def _make_folder(folder: Path, parents: bool) -> None:
    try:
        folder.mkdir(parents=parents, exist_ok=True)
    except OSError as error:
        raise OutputError(str(folder), f"cannot write here: {error.strerror}",
                          hint="check that the output folder exists, is writable and has free space") from None


def _sync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename itself is still atomic
    finally:
        os.close(descriptor)
