"""Checks a submission package, folder or zip, against its manifest: streaming, bounded, refusing what is unsafe."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import struct
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable

from policygen.inputs.workspace import PROFILE_ID
from policygen.errors import WorkspaceError

MANIFEST_NAME = "manifest.json"
MIB = 1024 * 1024
# The bounds, each far above a real package (about 60 files, 10-60 MiB, the largest file a few MiB, a manifest of
# about 15 KiB nested 3 deep, members compressing at most 5:1) and far below what would exhaust a machine.
MAX_FILE_BYTES = 256 * MIB
MAX_TOTAL_BYTES = 1024 * MIB
MAX_FILES = 1000
MAX_FOLDER_DEPTH = 8
MAX_MANIFEST_BYTES = 4 * MIB
MAX_MANIFEST_NESTING = 8
MAX_COMPRESSION_RATIO = 100  # a zip bomb's members compress about 1000:1
RATIO_FROM_BYTES = MIB  # a smaller member cannot be a bomb, whatever its ratio
MAX_ZIP_DIRECTORY_BYTES = MIB  # read into memory by zipfile before any member can be looked at
CHUNK_BYTES = MIB  # files are hashed as a stream of chunks, so memory stays the same whatever their size

PLAIN_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")
SHA256 = re.compile(r"[0-9a-f]{64}")
# A JSON string (also one left open, which ends the scan: linear time whatever the text) or a bracket.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*+"?|[\[\]{}]', re.DOTALL)
_END_OF_ZIP, _ZIP64_LOCATOR = b"PK\x05\x06", b"PK\x06\x07"
_END_OF_ZIP_SIZE, _ZIP64_LOCATOR_SIZE, _MAX_ZIP_COMMENT = 22, 20, 0xFFFF


@dataclass
class VerifyReport:
    """What `verify` found: one line per problem, `<path>: <what>`; none when every file matches."""

    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Manifest:
    raw: bytes
    submission: str
    files: dict[str, str]  # path -> SHA-256


@dataclass
class _Contents:
    """What a folder or a zip holds, as far as it could be read."""

    digests: dict[str, str] = field(default_factory=dict)  # path -> SHA-256 of every file read
    unreadable: set[str] = field(default_factory=set)  # files found but not read: their problem is reported
    manifest: bytes | None = None
    problems: list[str] = field(default_factory=list)
    refused: bool = False  # nothing in it was read: its problems say why


def verify_package(target: Path) -> VerifyReport:
    """Recompute every file's SHA-256 against the manifest of a package folder or zip; in a folder, also check
    the package's own zip and that its manifest is the folder's."""
    if target.is_dir():
        return _verify_folder(target)
    if target.is_file() and (target.suffix.lower() == ".zip" or zipfile.is_zipfile(target)):
        return _verify_zip(target)
    raise WorkspaceError(f"{target} is neither a package folder nor a zip", hint="give output/submission/<id>")


def _verify_zip(path: Path) -> VerifyReport:
    with open(path, "rb") as stream:
        packed = _read_zip(stream)
    report = VerifyReport(list(packed.problems))
    if not packed.refused:
        manifest = _manifest_of(packed, report.problems)
        if manifest is not None:
            report.problems += _compare(manifest, packed)
    return report


def _verify_folder(folder: Path) -> VerifyReport:
    contents = _read_folder(folder)
    report = VerifyReport(list(contents.problems))
    if contents.refused:
        return report
    own = _manifest_of(contents, report.problems)
    zip_name = f"{own.submission}.zip" if own is not None else _only_zip(contents)
    packed, packed_manifest = _own_zip(folder, zip_name, contents, report.problems)
    reference = own or packed_manifest
    if reference is None:
        return report
    # The folder's manifest and the zip's are two copies of one record: where they differ, a file matching
    # either copy is not what changed; the manifest is, and it is reported once.
    other = None
    if own is not None and packed_manifest is not None and own.raw != packed_manifest.raw:
        other = packed_manifest
        report.problems.append(f"{MANIFEST_NAME}: does not match the {MANIFEST_NAME} in {zip_name}")
    report.problems += _compare(reference, contents, other, ignored={zip_name})
    if packed is not None and packed_manifest is not None:
        report.problems += [f"{zip_name}: {line}" for line in _compare(packed_manifest, packed)]
        if other is not None:
            report.problems += [f"{zip_name}: {_shown(path)}: differs from the folder's file"
                                for path in sorted(packed.digests.keys() & contents.digests.keys())
                                if packed.digests[path] != contents.digests[path]]
    return report


def _own_zip(folder: Path, zip_name: str | None, contents: _Contents,
             problems: list[str]) -> tuple[_Contents | None, _Manifest | None]:
    """The package's zip in its folder, read, with its manifest; their problems are added to `problems`."""
    if zip_name is None or zip_name in contents.unreadable:
        return None, None
    if zip_name not in contents.digests:
        problems.append(f"{zip_name}: missing")
        return None, None
    packed = _read_zip_file(folder / zip_name)
    zip_problems = list(packed.problems)
    packed_manifest = None if packed.refused else _manifest_of(packed, zip_problems)
    problems += [f"{zip_name}: {line}" for line in zip_problems]
    return packed, packed_manifest


def _compare(manifest: _Manifest, contents: _Contents, other: _Manifest | None = None,
             ignored: set[str | None] | None = None) -> list[str]:
    """Files changed, missing or added against `manifest`, leaving out a difference the `other` copy of the
    manifest agrees with (the manifest changed there, not the file)."""
    lines = []
    for path, digest in manifest.files.items():
        found = contents.digests.get(path)
        if _within(path, contents.unreadable):
            continue
        if found is None:
            if other is None or path in other.files:
                lines.append(f"{_shown(path)}: missing")
        elif found != digest and (other is None or other.files.get(path) != found):
            lines.append(f"{_shown(path)}: changed")
    for path in sorted(contents.digests.keys() - manifest.files.keys() - (ignored or set())):
        if other is None or other.files.get(path) != contents.digests[path]:
            lines.append(f"{_shown(path)}: added")
    return lines


def _within(path: str, unreadable: set[str]) -> bool:
    """Whether `path` is, or is inside, something not read (a link to a folder hides all it would hold)."""
    parts = path.split("/")
    return any("/".join(parts[:end]) in unreadable for end in range(1, len(parts) + 1))


def _only_zip(contents: _Contents) -> str | None:
    """The zip beside an unreadable manifest: the folder's only top-level .zip, if it has one."""
    zips = [path for path in (*contents.digests, *contents.unreadable) if "/" not in path and path.endswith(".zip")]
    return zips[0] if len(zips) == 1 else None


def _read_folder(folder: Path) -> _Contents:
    """Hash every regular file below `folder`, refusing links, special files and anything beyond the bounds."""
    contents = _Contents()
    found = _list_folder(folder, contents)
    total = 0
    for relative, path, size in sorted(found):
        limit = MAX_MANIFEST_BYTES if relative == MANIFEST_NAME else MAX_FILE_BYTES
        problem = _size_problem(size, limit, total)
        if problem is None:
            total += size
            problem = _read_file(path, limit, relative, contents)
        if problem is not None:
            contents.problems.append(f"{_shown(relative)}: {problem}")
            contents.unreadable.add(relative)
    return contents


def _list_folder(folder: Path, contents: _Contents) -> list[tuple[str, str, int]]:
    """Every regular file below `folder` (relative path, path, size), without following a link; what else is
    there is reported in `contents` (which is refused when the folder holds far more than a package)."""
    found: list[tuple[str, str, int]] = []
    pending: list[tuple[str, str, int]] = [(str(folder), "", 0)]
    seen = 0
    while pending:
        current, prefix, depth = pending.pop()
        entries = []
        try:
            with os.scandir(current) as listing:
                for entry in listing:
                    seen += 1
                    if seen > MAX_FILES:
                        contents.problems.append(f"holds more than {MAX_FILES} files and folders, far more than a "
                                                 f"package; not read")
                        contents.refused = True
                        return []
                    entries.append(entry)
        except OSError as error:
            contents.problems.append(f"{_shown(prefix or '.')}: cannot be read ({error.strerror})")
            continue
        for entry in sorted(entries, key=lambda entry: entry.name):
            relative = prefix + entry.name
            if entry.is_symlink():
                contents.problems.append(f"{_shown(relative)}: is a symbolic link; verification does not follow "
                                         f"links")
                contents.unreadable.add(relative)
            elif entry.is_dir(follow_symlinks=False) and depth + 1 < MAX_FOLDER_DEPTH:
                pending.append((entry.path, relative + "/", depth + 1))
            elif entry.is_dir(follow_symlinks=False):
                contents.problems.append(f"{_shown(relative)}: folders nested {MAX_FOLDER_DEPTH} deep, far deeper "
                                         f"than a package's; not read")
                contents.unreadable.add(relative)
            elif entry.is_file(follow_symlinks=False):
                found.append((relative, entry.path, entry.stat(follow_symlinks=False).st_size))
            else:
                contents.problems.append(f"{_shown(relative)}: is not a regular file (a device, pipe or socket); "
                                         f"not read")
                contents.unreadable.add(relative)
    return found


def _size_problem(size: int, limit: int, total: int) -> str | None:
    if size > limit:
        return f"{_size(size)}, over the {_size(limit)} bound for one file; not read"
    if total + size > MAX_TOTAL_BYTES:
        return f"the package's files pass the {_size(MAX_TOTAL_BYTES)} bound for a package here; not read"
    return None


def _read_file(path: str, limit: int, relative: str, contents: _Contents) -> str | None:
    """Hash one file into `contents` (keep the manifest's bytes) without following a link; the problem if it
    cannot be."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        with os.fdopen(os.open(path, flags), "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                return "is not a regular file; not read"
            if relative == MANIFEST_NAME:
                data = stream.read(limit + 1)
                if len(data) > limit:
                    raise _OverBound()
                contents.manifest = data
            else:
                contents.digests[relative] = _stream_digest(stream.read, limit)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    except _OverBound:
        return f"grew over the {_size(limit)} bound while being read"
    return None


class _OverBound(Exception):
    """A stream held more bytes than its bound."""


def _stream_digest(read: Callable[[int], bytes], limit: int) -> str:
    """SHA-256 of a stream read chunk by chunk; raises _OverBound past `limit` bytes."""
    digest, total = hashlib.sha256(), 0
    while chunk := read(CHUNK_BYTES):
        total += len(chunk)
        if total > limit:
            raise _OverBound(f"more than the {_size(limit)} expected")
        digest.update(chunk)
    return digest.hexdigest()


def _read_zip_file(path: Path) -> _Contents:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        stream = os.fdopen(os.open(path, flags), "rb")
    except OSError as error:
        return _Contents(problems=[f"cannot be read ({error.strerror})"], refused=True)
    with stream:
        return _read_zip(stream)


def _read_zip(stream: BinaryIO) -> _Contents:
    """Hash every member of a zip, after refusing a zip whose entries are unsafe, repeated or out of bounds."""
    refusal = _directory_refusal(stream)
    if refusal is not None:
        return _Contents(problems=[refusal], refused=True)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        return _Contents(problems=[f"is not a readable zip ({error})"], refused=True)
    contents = _Contents()
    with archive:
        infos = archive.infolist()
        refusals = _entry_refusals(infos)
        if refusals:
            return _Contents(problems=refusals, refused=True)
        for info in infos:
            if not info.is_dir():
                _read_member(archive, info, contents)
    return contents


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, contents: _Contents) -> None:
    """Hash one member into `contents` (keep the manifest's bytes); report it when it is damaged."""
    try:
        with archive.open(info) as member:  # reads no more than the declared size, then checks the CRC
            if info.filename == MANIFEST_NAME:
                contents.manifest = member.read(MAX_MANIFEST_BYTES + 1)
            else:
                contents.digests[info.filename] = _stream_digest(member.read, info.file_size)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError,
            _OverBound) as error:
        contents.problems.append(f"{_shown(info.filename)}: damaged in the zip ({error})")
        contents.unreadable.add(info.filename)


def _directory_refusal(stream: BinaryIO) -> str | None:
    """Why the zip's central directory is refused before zipfile reads all of it into memory, if it is."""
    size = stream.seek(0, os.SEEK_END)
    if size > MAX_TOTAL_BYTES:
        return f"is {_size(size)}, over the {_size(MAX_TOTAL_BYTES)} bound for a package; not read"
    start = max(0, size - _END_OF_ZIP_SIZE - _MAX_ZIP_COMMENT - _ZIP64_LOCATOR_SIZE)
    stream.seek(start)
    tail = stream.read()
    # where zipfile looks: the record at the very end, else the last one in the comment's reach
    end = len(tail) - _END_OF_ZIP_SIZE
    if end < 0 or tail[end:end + 4] != _END_OF_ZIP or tail[-2:] != b"\0\0":
        end = tail.rfind(_END_OF_ZIP)
    if end < 0 or len(tail) < end + _END_OF_ZIP_SIZE:
        return None  # no directory at all: zipfile says so
    if end >= _ZIP64_LOCATOR_SIZE and tail[end - _ZIP64_LOCATOR_SIZE:end - _ZIP64_LOCATOR_SIZE + 4] == _ZIP64_LOCATOR:
        return "uses ZIP64 records, which a package never needs; not read"
    entries, directory_size = struct.unpack("<HI", tail[end + 10:end + 16])
    if entries > MAX_FILES:
        return f"has {entries} entries, far more than a package (at most {MAX_FILES}); not read"
    if directory_size > MAX_ZIP_DIRECTORY_BYTES:
        return f"has a directory of {_size(directory_size)}, far more than a package's; not read"
    return None


def _entry_refusals(infos: list[zipfile.ZipInfo]) -> list[str]:
    """One line for each entry that makes the zip unsafe to trust: nothing of such a zip is read."""
    if len(infos) > MAX_FILES:
        return [f"has {len(infos)} entries, far more than a package (at most {MAX_FILES}); not read"]
    counts = Counter(info.orig_filename.rstrip("/").lower() for info in infos)
    refusals, reported, total = [], set(), 0
    for info in infos:
        name = info.orig_filename
        key = name.rstrip("/").lower()
        if counts[key] > 1:
            if key not in reported:
                reported.add(key)
                refusals.append(f"{_shown(name)}: appears {counts[key]} times in the zip, and extracting programs "
                                f"differ on which copy wins; not read")
            continue
        problem = _entry_problem(info)
        if problem is None and not info.is_dir():
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                problem = f"the members pass the {_size(MAX_TOTAL_BYTES)} bound for a package here; not read"
        if problem is not None:
            refusals.append(f"{_shown(name)}: {problem}")
    return refusals


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.orig_filename
    plain = name[:-1] if info.is_dir() else name
    kind = stat.S_IFMT(info.external_attr >> 16)
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        return "is an absolute path; not read"
    if ".." in re.split(r"[/\\]", name):
        return "climbs out of the package ('..'); not read"
    if not PLAIN_NAME.fullmatch(plain):
        return "is not a plain relative name (letters, digits, '.', '_', '-' and '/'); not read"
    if kind == stat.S_IFLNK:
        return "is a symbolic link; not read"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "is not a regular file (a device, pipe or socket); not read"
    if info.flag_bits & 0x1:
        return "is encrypted, which a package never is; not read"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return f"uses compression method {info.compress_type}; a package uses deflate or none; not read"
    if info.file_size > MAX_FILE_BYTES:
        return f"declares {_size(info.file_size)}, over the {_size(MAX_FILE_BYTES)} bound for one file; not read"
    if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        return (f"compresses {ratio}:1, over the {MAX_COMPRESSION_RATIO}:1 bound (a zip bomb expands like this); "
                f"not read")
    if name == MANIFEST_NAME and info.file_size > MAX_MANIFEST_BYTES:
        return f"declares {_size(info.file_size)}, over the {_size(MAX_MANIFEST_BYTES)} bound for a manifest; not read"
    return None


def _manifest_of(contents: _Contents, problems: list[str]) -> _Manifest | None:
    """The manifest a folder or zip holds, or None with the reason added to `problems`."""
    if MANIFEST_NAME in contents.unreadable:
        return None  # its problem is reported already
    if contents.manifest is None:
        problems.append(f"{MANIFEST_NAME}: missing")
        return None
    try:
        return _parse_manifest(contents.manifest)
    except _ManifestProblem as problem:
        problems.append(f"{MANIFEST_NAME}: {problem}")
        return None


class _ManifestProblem(Exception):
    """A manifest that is not one: the message says where and why."""


def _parse_manifest(raw: bytes) -> _Manifest:
    if len(raw) > MAX_MANIFEST_BYTES:
        raise _ManifestProblem(f"over the {_size(MAX_MANIFEST_BYTES)} bound for a manifest; not read")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _ManifestProblem(f"is not UTF-8 text (byte {error.start})") from None
    if _nesting(text) > MAX_MANIFEST_NESTING:
        raise _ManifestProblem(f"nests deeper than {MAX_MANIFEST_NESTING} levels, far deeper than a manifest; "
                               f"not read")
    try:
        data = json.loads(text, object_pairs_hook=_mapping_without_repeats)
    except ValueError as error:
        raise _ManifestProblem(f"is not JSON ({error})") from None
    if not isinstance(data, dict):
        raise _ManifestProblem(f"is a JSON {type(data).__name__}, not a mapping")
    if data.get("format") != 1:
        raise _ManifestProblem(f"format: {_shown(repr(data.get('format')))} is not a manifest format this "
                               f"policygen reads (1)")
    submission = data.get("submission")
    if not isinstance(submission, str) or not PROFILE_ID.match(submission):
        raise _ManifestProblem(f"submission: {_shown(repr(submission))} is not a submission id")
    if not isinstance(data.get("files"), list):
        raise _ManifestProblem("files: missing, or not a list")
    files: dict[str, str] = {}
    for index, entry in enumerate(data["files"]):
        path, digest = _file_entry(entry, f"files[{index}]", files)
        files[path] = digest
    return _Manifest(raw, submission, files)


def _file_entry(entry: Any, where: str, earlier: dict[str, str]) -> tuple[str, str]:
    if not isinstance(entry, dict):
        raise _ManifestProblem(f"{where}: not a mapping")
    path, digest = entry.get("path"), entry.get("sha256")
    if not isinstance(path, str) or not PLAIN_NAME.fullmatch(path) or path == MANIFEST_NAME:
        raise _ManifestProblem(f"{where}.path: {_shown(repr(path))} is not a plain relative path of a package file")
    if path in earlier:
        raise _ManifestProblem(f"{where}.path: {path} is listed twice")
    if not isinstance(digest, str) or not SHA256.fullmatch(digest):
        raise _ManifestProblem(f"{where}.sha256: {_shown(repr(digest))} is not a SHA-256 in hexadecimal")
    return path, digest


def _mapping_without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    counts = Counter(key for key, _ in pairs)
    repeated = [key for key, count in counts.items() if count > 1]
    if repeated:
        raise _ManifestProblem(f"repeats the key {_shown(repr(repeated[0]))} in one mapping")
    return dict(pairs)


def _nesting(text: str) -> int:
    """How deep the JSON text's brackets nest (counted before parsing: a parser recurses once per level)."""
    depth = deepest = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_MANIFEST_NESTING:
                break
        elif token in ("]", "}"):
            depth -= 1
    return deepest


def _shown(text: str) -> str:
    """A name as a message prints it: quoted with escapes when it holds a character that would break the line."""
    return text if text.isprintable() else ascii(text)


def _size(count: int) -> str:
    if count >= 1024 * MIB:
        return f"{count / (1024 * MIB):.1f}".removesuffix(".0") + " GiB"
    if count >= MIB:
        return f"{count / MIB:.0f} MiB"
    return f"{count} bytes"
