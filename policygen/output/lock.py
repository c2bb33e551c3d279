"""An advisory lock on an output folder, so that two policygen processes never write into it at once."""

from __future__ import annotations

import os
import stat
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import takewhile
from pathlib import Path
from typing import Iterator

from policygen.output.atomic import LINK_HINT, LINK_MESSAGE, stale_temporaries
from policygen.errors import OutputBusyError, OutputError

try:
    import fcntl
except ImportError:  # Windows: no flock; see OutputLock.exclusive
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".policygen.lock"
_ATTEMPTS = 5  # a lock file another process removes between our open and our lock is opened again
_held = threading.local()


@dataclass
class OutputLock:
    """The lock a process holds on one output folder for as long as it writes there."""

    root: Path
    exclusive: bool  # False where the platform has no flock: the folder is then not protected
    _descriptor: int | None = None
    _created: list[Path] = field(default_factory=list)  # folders made for the lock, removed again when empty
    _depth: int = 0

    def remove_stale_temporaries(self, relative_folder: str) -> None:
        """Delete the temporary files a killed run left in ROOT/relative_folder. Only a holder of the exclusive
        lock may: no other policygen process can be writing there, so every temporary file is a leftover."""
        if not self.exclusive:
            return
        for leftover in stale_temporaries(self.root, relative_folder):
            try:
                leftover.unlink(missing_ok=True)
            except OSError:
                pass  # a folder we cannot clean is one we cannot write either: writing will report it


@contextmanager
def output_lock(out_dir: Path) -> Iterator[OutputLock]:
    """Hold the lock on `out_dir` (made if missing) for the block; the same thread may enter it again.

    When another process holds it, raises OutputBusyError at once rather than waiting: a build takes minutes,
    and the user is better served by knowing now than by a command that seems to hang."""
    root = out_dir.resolve()
    held: dict[Path, OutputLock] = _held.__dict__.setdefault("locks", {})
    lock = held.get(root)
    if lock is None:
        lock = held[root] = _acquire(root)
    lock._depth += 1
    try:
        yield lock
    finally:
        lock._depth -= 1
        if lock._depth == 0:
            del held[root]
            _release(lock)


def forget_inherited_locks() -> None:
    """In a process forked while this one held locks (a rendering worker): close its copies of the lock files,
    so that a lock lasts only as long as the process that took it, even when a worker outlives a killed build."""
    for lock in _held.__dict__.pop("locks", {}).values():
        if lock._descriptor is not None:
            os.close(lock._descriptor)


def _acquire(root: Path) -> OutputLock:
    created = list(takewhile(lambda folder: not folder.exists(), (root, *root.parents)))
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(str(root), f"cannot write here: {error.strerror}",
                          hint="check that the output folder exists, is writable and has free space") from None
    if fcntl is None:
        return OutputLock(root, exclusive=False, _created=created)
    path = root / LOCK_NAME
    for _ in range(_ATTEMPTS):
        descriptor = _open_lock_file(path)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(descriptor)
            os.close(descriptor)
            raise OutputBusyError(str(root), f"output folder is being written by another policygen process "
                                             f"(pid {holder})",
                                  hint="wait until it has finished, or build into another folder with --out") from None
        if _same_file(descriptor, path):
            os.ftruncate(descriptor, 0)
            os.write(descriptor, f"{os.getpid()}\n".encode())
            return OutputLock(root, exclusive=True, _descriptor=descriptor, _created=created)
        os.close(descriptor)  # the holder removed the file as we opened it: lock the new one
    raise OutputBusyError(str(root), "output folder is being written by other policygen processes in turn",
                          hint="wait until they have finished, or build into another folder with --out")


def _open_lock_file(path: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    if os.path.islink(path):
        raise OutputError(str(path), LINK_MESSAGE, hint=LINK_HINT)
    try:
        descriptor = os.open(path, flags, 0o644)  # no-follow as well: a link made just now is refused too
    except OSError as error:
        raise OutputError(str(path), f"cannot write here: {error.strerror}",
                          hint="check that the output folder exists, is writable and has free space") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise OutputError(str(path), "is not a regular file; policygen keeps its lock file there",
                          hint=f"remove {path}")
    return descriptor


def _holder(descriptor: int) -> str:
    text = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
    return text if text.isdigit() else "unknown"


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    opened = os.fstat(descriptor)
    return (on_disk.st_dev, on_disk.st_ino) == (opened.st_dev, opened.st_ino)


def _release(lock: OutputLock) -> None:
    if lock._descriptor is not None:
        path = lock.root / LOCK_NAME
        if _same_file(lock._descriptor, path):
            path.unlink(missing_ok=True)  # removed while still locked, so that no one locks it after us
        os.close(lock._descriptor)
    for folder in lock._created:
        try:
            folder.rmdir()  # only when empty: the command wrote nothing there
        except OSError:
            break
