"""output/manifest.json: every generated file with its SHA-256, its inputs and the versions that made it."""

from __future__ import annotations

import json
import platform
import zlib
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from policygen.output.atomic import existing_output, write_atomically
from policygen.output.lock import output_lock
from policygen.version import __version__

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
VERSIONED = (
    "jinja2",
    "markdown-it-py",
    "mdit-py-plugins",
    "babel",
    "pydantic",
    "pyyaml",
    "python-docx",
    "weasyprint",
    "pydyf",
    "tinycss2",
    "cssselect2",
    "fonttools",
    "pillow",
)
"""The packages besides policygen whose version shapes what it writes: from the texts (templates, parsing,
formatting of numbers and dates) to the bytes (DOCX, PDF layout, fonts subset, pictures drawn)."""


@dataclass(frozen=True)
class ManifestEntry:
    """One generated file."""

    path: str  # relative to the output folder, with forward slashes
    sha256: str
    size: int
    institution: str  # the owner of the file's folder: an institution id, model, coverage or submission/<id>
    document: str
    language: str
    format: str
    inputs: dict[str, Any]
    unit_sha256: str = ""  # everything the file's unit was made from; equal on the next build: nothing to do
    document_sha256: str = ""  # its document model, format, versions and assets; equal: the file is unchanged
    edition: str = ""  # the edition it is (output/editions.py): its approving order's date and number, or build date


def entry_record(entry: ManifestEntry) -> dict[str, Any]:
    """An entry as the manifest holds it; `edition` only for a file that has one, so that the manifests of
    the outputs without editions (the coverage report, a submission package) keep their shape."""
    record = asdict(entry)
    if not entry.edition:
        del record["edition"]
    return record


def versions() -> dict[str, str]:
    """Versions of policygen, Python, zlib (it compresses every DOCX and zip) and the packages that shape the
    output. policygen's own is its code's, also in a checkout whose installed metadata is older."""
    found = {"policygen": __version__, "python": platform.python_version(), "zlib": zlib.ZLIB_RUNTIME_VERSION}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def previous_entries(out_dir: Path) -> dict[str, ManifestEntry]:
    """The entries of the output folder's manifest, by path (none when it has no readable manifest)."""
    manifest = read_manifest(out_dir) or {}
    entries = {}
    for entry in manifest.get("files", []):
        try:
            entries[entry["path"]] = ManifestEntry(**entry)
        except (TypeError, KeyError):
            continue  # an entry of another format is simply rebuilt
    return entries


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    """The manifest of an output folder, or None when there is none or it is unreadable."""
    path = existing_output(out_dir, MANIFEST_NAME)
    if path is None:
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        return None
    return manifest


def update_manifest(out_dir: Path, written: list[ManifestEntry]) -> None:
    """Record `written` in the manifest, keeping entries of other files that still exist in the output folder."""
    with output_lock(out_dir) as lock:
        previous = read_manifest(out_dir) or {}
        entries = {
            entry["path"]: entry
            for entry in previous.get("files", [])
            if isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and existing_output(out_dir, entry["path"]) is not None
        }
        entries.update({entry.path: entry_record(entry) for entry in written})
        header = {"generator": "policygen", "versions": versions()}
        lock.remove_stale_temporaries(".")
        write_atomically(out_dir, MANIFEST_NAME, manifest_bytes(header, [entries[path] for path in sorted(entries)]))


def manifest_bytes(header: dict[str, Any], files: list[dict[str, Any]]) -> bytes:
    """A manifest as policygen writes every one, the output folder's and a submission package's: a JSON object
    with the format, the header's keys in their order, then the files in the order given."""
    manifest = {"format": MANIFEST_FORMAT, **header, "files": files}
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
