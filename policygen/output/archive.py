"""Deterministic zip archives: members in the order given, each with the same date, system and permissions."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
"""The date of every member: the earliest a zip can hold, so that no clock or time zone reaches the bytes."""
UNIX_SYSTEM = 3
"""The `create_system` of every member; zipfile would take the running system's (0 on Windows, 3 elsewhere)."""
FILE_MODE = 0o644
COMPRESS_LEVEL = 6


def deterministic_zip(members: Iterable[tuple[str, bytes]]) -> bytes:
    """A deflated zip of (name, bytes) members, in the order given: the same members give the same bytes on
    every platform."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = UNIX_SYSTEM
            info.external_attr = FILE_MODE << 16
            archive.writestr(info, data, compresslevel=COMPRESS_LEVEL)
    return output.getvalue()


def normalised_zip(data: bytes) -> bytes:
    """The members of a zip, in their order, as a deterministic zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return deterministic_zip((entry.filename, source.read(entry)) for entry in source.infolist())
