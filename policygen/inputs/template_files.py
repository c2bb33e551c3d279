"""Reads the files of a templates folder: regular files that resolve inside it, within a size bound."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from policygen.errors import TemplateError

MAX_TEMPLATE_BYTES = 1024 * 1024
"""Size of one template file; the largest packaged one is about 85 KiB."""


def check_template_file(path: Path, folder: Path) -> None:
    """Refuse a file of templates folder `folder` that resolves outside it (through a symlink of the file or of a
    folder on its path), is not a regular file, or is too large to read."""
    if not path.resolve().is_relative_to(folder.resolve()):
        raise TemplateError(
            str(path),
            "the file resolves outside its templates folder (a symlink leads out of it) and was not read",
            hint="keep template files, and the folders on their path, inside the templates folder",
        )
    try:
        info = path.stat()
    except OSError as error:
        raise TemplateError(
            str(path), f"cannot read the file: {error.strerror}", hint="make the file readable, or remove it"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise TemplateError(
            str(path),
            "the file is not a regular file and was not read",
            hint="templates are plain text files; remove the pipe, device or folder of that name",
        )
    if info.st_size > MAX_TEMPLATE_BYTES:
        raise TemplateError(
            str(path),
            f"the file is {info.st_size:,} bytes, more than the {MAX_TEMPLATE_BYTES:,} a "
            "template file may be, and was not read",
            hint="a template holds one document's text; split or shorten it",
        )


def read_template_file(path: Path) -> str:
    """The text of a file that check_template_file let through, read within the size bound and without
    blocking (should it have been swapped for a pipe meanwhile)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise TemplateError(
            str(path), f"cannot read the file: {error.strerror}", hint="make the file readable, or remove it"
        ) from None
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise TemplateError(
                str(path), "the file is not a regular file and was not read", hint="templates are plain text files"
            )
        data = stream.read(MAX_TEMPLATE_BYTES + 1)
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateError(
            str(path),
            f"the file is more than the {MAX_TEMPLATE_BYTES:,} bytes a template file may be, and was not read",
            hint="a template holds one document's text",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TemplateError(
            str(path), f"the file is not UTF-8 text (byte {error.start})", hint="save the file as UTF-8"
        ) from None
