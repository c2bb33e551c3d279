"""SHA256SUMS: the checksum file that `sha256sum -c` reads and PowerShell's Get-FileHash can be compared with."""

from __future__ import annotations

from collections.abc import Iterable

CHECKSUMS_NAME = "SHA256SUMS"


def sha256sums(files: Iterable[tuple[str, str]]) -> bytes:
    """One line per (path, SHA-256) as GNU sha256sum writes it: the digest, two spaces, the path with slashes."""
    lines = []
    for path, digest in files:
        if any(character in path for character in "\\\n\r"):
            raise ValueError(f"{path!r}: a package path never holds a backslash or a line break")
        lines.append(f"{digest}  {path}\n")
    return "".join(lines).encode("utf-8")
