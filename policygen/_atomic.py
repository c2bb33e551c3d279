"""Writes files so that a reader sees the old file or the new one, never a half-written one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from policygen.errors import OutputError

TEMPORARY_PREFIX = ".policygen-"


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename it over `path`."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
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


def remove_stale_temporaries(folder: Path) -> None:
    """Delete the temporary files a killed run left in `folder`: a process killed while writing cannot."""
    for leftover in folder.glob(f"{TEMPORARY_PREFIX}*.tmp"):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass  # a folder we cannot clean is one we cannot write either: writing will report it


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
