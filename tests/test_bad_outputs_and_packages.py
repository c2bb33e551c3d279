"""Hostile output folders and submission packages (catalogue section D, continued) through the command line.

Every case runs policygen in its own process with bounded memory and processor time and an audit of the files it
touches: it must exit with the expected code, say what is wrong in one line per problem without a traceback, and
neither read nor write anything outside the workspace and the package it was given.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import stat
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import EXAMPLE_SUBMISSION, EXAMPLES, REPO, BoundedRun, files_under, run_bounded_cli, run_cli

PROFILE = "ak-tilek-fmc"
ZIP_NAME = f"{EXAMPLE_SUBMISSION}.zip"
FORGED_MEMBER = "ru/01-policy.docx"
LOCK_NAME = ".policygen.lock"
GIB = 1024 * 1024 * 1024


def assert_refused(run: BoundedRun, exit_code: int, expected: list[str]) -> None:
    """The run exited with `exit_code`, printed exactly the `expected` messages (each a line's beginning), no
    traceback, and touched nothing outside the folders it was allowed."""
    assert run.outside_access == [], run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    assert run.exit_code == exit_code, run.stderr
    assert len(run.messages) == len(expected), run.stderr
    for line, start in zip(run.messages, expected, strict=False):
        assert line.startswith(start), f"{line!r} does not start with {start!r}"


# --- Packages: `submission verify` --------------------------------------------------------------------------------


def member_data_offset(archive_path: Path, member: str) -> tuple[int, int]:
    """Where a member's compressed bytes start in the zip, and how many there are."""
    with zipfile.ZipFile(archive_path) as archive:
        info = archive.getinfo(member)
    with open(archive_path, "rb") as stream:
        stream.seek(info.header_offset + 26)
        name_length, extra_length = struct.unpack("<HH", stream.read(4))
    return info.header_offset + 30 + name_length + extra_length, info.compress_size


def damage_member(archive_path: Path, member: str = FORGED_MEMBER) -> None:
    start, length = member_data_offset(archive_path, member)
    data = bytearray(archive_path.read_bytes())
    data[start + length // 2] ^= 0xFF
    archive_path.write_bytes(bytes(data))


def zip_members(archive_path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(archive_path) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


def write_zip(archive_path: Path, members: list[tuple[str | zipfile.ZipInfo, bytes]]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a duplicate name is what the case is about
        with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                archive.writestr(name, data)


def with_manifest_listing(members: list[tuple[str, bytes]], extra: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The package's members with `extra` added, and its manifest listing them with their true SHA-256."""
    manifest = json.loads(dict(members)["manifest.json"])
    manifest["files"] += [
        {
            "path": name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "document": "extra",
            "language": "ru",
            "annex": None,
        }
        for name, data in extra
    ]
    return [(name, json.dumps(manifest).encode() if name == "manifest.json" else data) for name, data in members]


def forged(members: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The package with one document replaced and the zip's manifest changed to match: a consistent forgery."""
    fake = b"PK\x03\x04 a forged policy"
    replaced = [(name, fake if name == FORGED_MEMBER else data) for name, data in members]
    manifest = json.loads(dict(members)["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == FORGED_MEMBER:
            entry["sha256"], entry["size"] = hashlib.sha256(fake).hexdigest(), len(fake)
    return [(name, json.dumps(manifest).encode() if name == "manifest.json" else data) for name, data in replaced]


def link_entry(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def raw_zip(members: list[tuple[str, bytes, int, int]], declared_compressed: int | None = None) -> bytes:
    """A zip written by hand from already deflated members (name, deflated bytes, CRC-32, size); with
    `declared_compressed`, every member claims that many compressed bytes whatever it holds."""
    local, central = bytearray(), bytearray()
    for name, deflated, crc, size in members:
        encoded, offset = name.encode(), len(local)
        compressed = len(deflated) if declared_compressed is None else declared_compressed
        local += (
            struct.pack(
                "<4s5H3I2H", b"PK\x03\x04", 20, 0, zipfile.ZIP_DEFLATED, 0, 0x21, crc, compressed, size, len(encoded), 0
            )
            + encoded
            + deflated
        )
        central += (
            struct.pack(
                "<4s6H3I5H2I",
                b"PK\x01\x02",
                0x314,
                20,
                0,
                zipfile.ZIP_DEFLATED,
                0,
                0x21,
                crc,
                compressed,
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                (stat.S_IFREG | 0o644) << 16,
                offset,
            )
            + encoded
        )
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(local), 0)
    return bytes(local + central + end)


def zeros_deflated(size_mib: int) -> tuple[bytes, int, int]:
    """`size_mib` MiB of zero bytes, deflated (a few bytes per MiB, as in a zip bomb), with CRC-32 and size."""
    mib = bytes(1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)  # byte-aligned and self-contained
    crc = 0
    for _ in range(size_mib):
        crc = zlib.crc32(mib, crc)
    return block * size_mib + zlib.compressobj(9, zlib.DEFLATED, -15).flush(), crc, size_mib * len(mib)


def deflated(data: bytes) -> tuple[bytes, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


# Each case changes a copy of the package (the folder, with the outside folder beside it for links) and returns what
# to verify: the folder or its zip.
Corruption = Callable[[Path, Path], Path]


def corrupted_zip_member(folder: Path, outside: Path) -> Path:
    damage_member(folder / ZIP_NAME)
    return folder / ZIP_NAME


def corrupted_zip_beside_good_files(folder: Path, outside: Path) -> Path:
    damage_member(folder / ZIP_NAME)
    return folder


def edited_manifest(folder: Path, outside: Path) -> Path:
    manifest = folder / "manifest.json"
    text = manifest.read_text(encoding="utf-8")
    entry = next(entry for entry in json.loads(text)["files"] if entry["path"] == FORGED_MEMBER)
    manifest.write_text(text.replace(entry["sha256"], "0" * 64), encoding="utf-8")
    return folder


def forged_zip_beside_good_files(folder: Path, outside: Path) -> Path:
    write_zip(folder / ZIP_NAME, forged(zip_members(folder / ZIP_NAME)))
    return folder


def zip_missing_beside_good_files(folder: Path, outside: Path) -> Path:
    (folder / ZIP_NAME).unlink()
    return folder


def link_to_a_file_outside(folder: Path, outside: Path) -> Path:
    shutil.copyfile(folder / FORGED_MEMBER, outside / "genuine.docx")
    (folder / FORGED_MEMBER).unlink()
    (folder / FORGED_MEMBER).symlink_to(outside / "genuine.docx")
    return folder


def link_to_a_folder_outside(folder: Path, outside: Path) -> Path:
    shutil.move(folder / "ru", outside / "ru")
    (folder / "ru").symlink_to(outside / "ru", target_is_directory=True)
    return folder


def pipe_in_the_folder(folder: Path, outside: Path) -> Path:
    os.mkfifo(folder / "ru" / "notes.pdf")
    return folder


def duplicate_entry_forged_first(folder: Path, outside: Path) -> Path:
    members = zip_members(folder / ZIP_NAME)
    write_zip(folder / ZIP_NAME, [(FORGED_MEMBER, b"PK\x03\x04 a forged policy"), *members])
    return folder / ZIP_NAME


def entry_with(extra_name: str, data: bytes = b"listed in the manifest") -> Corruption:
    def corrupt(folder: Path, outside: Path) -> Path:
        members = zip_members(folder / ZIP_NAME)
        write_zip(folder / ZIP_NAME, [*with_manifest_listing(members, [(extra_name, data)]), (extra_name, data)])
        return folder / ZIP_NAME

    return corrupt


def symlink_entry(folder: Path, outside: Path) -> Path:
    members = zip_members(folder / ZIP_NAME)
    info, target = link_entry("ru/annex.pdf", "../../../outside/secret")
    write_zip(folder / ZIP_NAME, [*with_manifest_listing(members, [("ru/annex.pdf", target)]), (info, target)])
    return folder / ZIP_NAME


def manifest_in_folder(text: str) -> Corruption:
    def corrupt(folder: Path, outside: Path) -> Path:
        (folder / "manifest.json").write_text(text, encoding="utf-8")
        return folder

    return corrupt


def manifest_in_zip(text: str) -> Corruption:
    def corrupt(folder: Path, outside: Path) -> Path:
        members = zip_members(folder / ZIP_NAME)
        write_zip(
            folder / ZIP_NAME, [(name, text.encode() if name == "manifest.json" else data) for name, data in members]
        )
        return folder / ZIP_NAME

    return corrupt


def two_members_of_1_gib(folder: Path, outside: Path) -> Path:
    bomb = zeros_deflated(1024)
    manifest = json.dumps({"format": 1, "submission": EXAMPLE_SUBMISSION, "files": []}).encode()
    (folder / ZIP_NAME).write_bytes(
        raw_zip([("manifest.json", *deflated(manifest)), ("big-1.bin", *bomb), ("big-2.bin", *bomb)])
    )
    return folder / ZIP_NAME


def compression_bomb(folder: Path, outside: Path) -> Path:
    members = zip_members(folder / ZIP_NAME)
    (folder / ZIP_NAME).write_bytes(
        raw_zip([(name, *deflated(data)) for name, data in members] + [("zeros.bin", *zeros_deflated(8))])
    )
    return folder / ZIP_NAME


def members_declaring_more_than_a_package(folder: Path, outside: Path) -> Path:
    size = 250 * 1024 * 1024  # under the bound for one file, at a ratio of 1:1; five of them pass the total
    (folder / ZIP_NAME).write_bytes(
        raw_zip([(f"part-{number}.bin", b"", 0, size) for number in range(1, 6)], declared_compressed=size)
    )
    return folder / ZIP_NAME


def thousands_of_entries(folder: Path, outside: Path) -> Path:
    write_zip(folder / ZIP_NAME, [(f"ru/note-{number}.txt", b"") for number in range(2000)])
    return folder / ZIP_NAME


def zip_of_3_gib(folder: Path, outside: Path) -> Path:
    genuine = (folder / ZIP_NAME).read_bytes()
    with open(folder / ZIP_NAME, "wb") as stream:  # sparse: 3 GiB of nothing, then the genuine zip
        stream.seek(3 * GIB - len(genuine))
        stream.write(genuine)
    return folder / ZIP_NAME


def sparse_file(name: str, size: int) -> Callable[[Path, Path], None]:
    def add(folder: Path, outside: Path) -> None:
        with open(folder / name, "wb") as stream:
            stream.truncate(size)

    return add


def sparse_file_of_3_gib(folder: Path, outside: Path) -> Path:
    sparse_file("ru/big.pdf", 3 * GIB)(folder, outside)
    return folder


def files_passing_the_total_bound(folder: Path, outside: Path) -> Path:
    for number in range(1, 6):
        sparse_file(f"ru/big-{number}.pdf", 250 * 1024 * 1024)(folder, outside)
    return folder


@dataclass(frozen=True)
class BadPackage:
    name: str
    corrupt: Corruption
    expected: list[str]  # the beginning of each line printed after "<what was verified>: "


PACKAGE_CASES = [
    # issue 10: a damaged zip, alone or beside good files; an edited manifest
    BadPackage("corrupted-zip-member", corrupted_zip_member, [f"{FORGED_MEMBER}: damaged in the zip ("]),
    BadPackage(
        "corrupted-zip-beside-good-files",
        corrupted_zip_beside_good_files,
        [f"{ZIP_NAME}: {FORGED_MEMBER}: damaged in the zip ("],
    ),
    BadPackage("edited-manifest", edited_manifest, [f"manifest.json: does not match the manifest.json in {ZIP_NAME}"]),
    # issue 17, item 3: what verification trusted
    BadPackage(
        "forged-zip-beside-good-files",
        forged_zip_beside_good_files,
        [
            f"manifest.json: does not match the manifest.json in {ZIP_NAME}",
            f"{ZIP_NAME}: {FORGED_MEMBER}: differs from the folder's file",
        ],
    ),
    BadPackage("zip-missing-beside-good-files", zip_missing_beside_good_files, [f"{ZIP_NAME}: missing"]),
    BadPackage(
        "link-to-a-file-outside",
        link_to_a_file_outside,
        [f"{FORGED_MEMBER}: is a symbolic link; verification does not follow links"],
    ),
    BadPackage(
        "link-to-a-folder-outside",
        link_to_a_folder_outside,
        ["ru: is a symbolic link; verification does not follow links"],
    ),
    BadPackage("pipe-in-the-folder", pipe_in_the_folder, ["ru/notes.pdf: is not a regular file"]),
    BadPackage(
        "duplicate-entry-forged-first", duplicate_entry_forged_first, [f"{FORGED_MEMBER}: appears 2 times in the zip"]
    ),
    BadPackage("entry-climbing-out", entry_with("../escaped.txt"), ["../escaped.txt: climbs out of the package"]),
    BadPackage("entry-with-absolute-path", entry_with("/absolute.txt"), ["/absolute.txt: is an absolute path"]),
    BadPackage(
        "entry-with-backslashes",
        entry_with("ru\\..\\..\\escaped.txt"),
        ["ru\\..\\..\\escaped.txt: climbs out of the package"],
    ),
    BadPackage("symlink-entry", symlink_entry, ["ru/annex.pdf: is a symbolic link"]),
    # issue 17, item 4: crashes and memory
    BadPackage("manifest-not-json", manifest_in_folder("{not json"), ["manifest.json: is not JSON ("]),
    BadPackage("manifest-not-json-in-zip", manifest_in_zip("{not json"), ["manifest.json: is not JSON ("]),
    BadPackage("manifest-not-a-mapping", manifest_in_zip("[1, 2]"), ["manifest.json: is a JSON list, not a mapping"]),
    BadPackage(
        "manifest-nested-100000-deep",
        manifest_in_zip("[" * 100_000 + "]" * 100_000),
        ["manifest.json: nests deeper than 8 levels"],
    ),
    BadPackage(
        "manifest-with-repeated-key",
        manifest_in_zip('{"format": 1, "format": 1}'),
        ["manifest.json: repeats the key 'format'"],
    ),
    BadPackage(
        "two-members-of-1-gib",
        two_members_of_1_gib,
        [
            "big-1.bin: declares 1 GiB, over the 256 MiB bound for one file",
            "big-2.bin: declares 1 GiB, over the 256 MiB bound for one file",
        ],
    ),
    BadPackage("compression-bomb", compression_bomb, ["zeros.bin: compresses 1"]),  # 1000:1 or so
    BadPackage(
        "members-declaring-more-than-a-package",
        members_declaring_more_than_a_package,
        ["part-5.bin: the members pass the 1 GiB bound for a package here; not read"],
    ),
    BadPackage("thousands-of-entries", thousands_of_entries, ["has 2000 entries, far more than a package"]),
    BadPackage("zip-of-3-gib", zip_of_3_gib, ["is 3 GiB, over the 1 GiB bound for a package; not read"]),
    BadPackage(
        "sparse-file-of-3-gib",
        sparse_file_of_3_gib,
        ["ru/big.pdf: 3 GiB, over the 256 MiB bound for one file; not read"],
    ),
    BadPackage(
        "files-passing-the-total-bound",
        files_passing_the_total_bound,
        [
            "ru/big-5.pdf: the package's files pass the 1 GiB bound for a package here; not read",
            "ru/big-1.pdf: added",
            "ru/big-2.pdf: added",
            "ru/big-3.pdf: added",
            "ru/big-4.pdf: added",
        ],
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("case", PACKAGE_CASES, ids=lambda case: case.name)
def test_bad_package_is_refused_in_one_line_per_problem(submission_package: Path, tmp_path: Path, case: BadPackage):
    folder, outside = tmp_path / "package", tmp_path / "outside"
    shutil.copytree(submission_package, folder)
    outside.mkdir()
    target = case.corrupt(folder, outside)
    outside_before = files_under(outside)

    run = run_bounded_cli("submission", "verify", target, sandbox=tmp_path, allowed=[folder])

    assert_refused(run, 1, [f"{target}: {line}" for line in case.expected])
    assert files_under(outside) == outside_before


@pytest.mark.slow
def test_the_package_as_built_verifies_under_the_same_bounds(submission_package: Path, tmp_path: Path):
    folder = tmp_path / "package"
    shutil.copytree(submission_package, folder)
    for target in (folder, folder / ZIP_NAME):
        run = run_bounded_cli("submission", "verify", target, sandbox=tmp_path, allowed=[folder])
        assert run.exit_code == 0 and run.stderr == "", run.stderr
        assert run.stdout == f"{target}: every file matches its manifest\n"


# --- Output folders: every builder refuses to write through a link -------------------------------------------------


@dataclass(frozen=True)
class BadOutput:
    name: str
    link: str  # a path in the workspace, made a link to a folder (or, ending in a file name, a file) outside it
    command: tuple[str, ...]
    exit_code: int = 1

    @property
    def links_a_file(self) -> bool:
        return Path(self.link).suffix != ""


BUILD = ("build", PROFILE, "--format", "docx", "--lang", "ru", "--jobs", "1", "--quiet")
SUBMISSION_BUILD = ("submission", "build", EXAMPLE_SUBMISSION)
OUTPUT_CASES = [
    BadOutput("institution-folder", f"output/{PROFILE}", BUILD),
    BadOutput("language-folder", f"output/{PROFILE}/ru", BUILD),
    BadOutput("document-file", f"output/{PROFILE}/ru/policy.docx", BUILD),
    BadOutput("output-manifest", "output/manifest.json", BUILD),
    BadOutput("lock-file", f"output/{LOCK_NAME}", BUILD),
    BadOutput("model-set-folder", "output/model", ("build", "--model", "--format", "docx", "--lang", "ru", "-q")),
    BadOutput("coverage-report-folder", "output/coverage", ("check", PROFILE, "--report", "-q")),
    BadOutput("submission-package-folder", f"output/submission/{EXAMPLE_SUBMISSION}", SUBMISSION_BUILD),
    BadOutput("submission-folder", "output/submission", SUBMISSION_BUILD),
    BadOutput("default-output-folder", "output", BUILD, exit_code=2),
]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    institutions = tmp_path / "ws" / "institutions"
    institutions.mkdir(parents=True)
    for name in (f"{PROFILE}.yaml", "_national.yaml"):
        shutil.copyfile(EXAMPLES / name, institutions / name)
    shutil.copytree(REPO / "submissions", tmp_path / "ws" / "submissions")
    return tmp_path / "ws"


@pytest.mark.parametrize("case", OUTPUT_CASES, ids=lambda case: case.name)
def test_link_in_the_output_folder_is_refused_not_followed(workspace: Path, tmp_path: Path, case: BadOutput):
    victim = tmp_path / "outside" / "victim"
    victim.mkdir(parents=True)
    (victim / "manifest.json").write_text('{"the victim": "its own manifest"}\n')
    (victim / "policy.docx").write_bytes(b"the victim's own document")
    link = workspace / case.link
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(victim / Path(case.link).name if case.links_a_file else victim)
    outside_before = files_under(tmp_path / "outside")

    run = run_bounded_cli(*case.command, "--workspace", workspace, sandbox=tmp_path, allowed=[workspace])

    shown = link.parent.resolve() / link.name
    expected = (
        f"policygen: {shown} is a symbolic link; policygen does not write through links"
        if case.exit_code == 2
        else f"{shown}: is a symbolic link inside the output folder; policygen does not write through links"
    )
    assert_refused(run, case.exit_code, [expected])
    assert files_under(tmp_path / "outside") == outside_before


# --- The lock on the output folder ---------------------------------------------------------------------------------

LOCKING_COMMANDS = {
    "build": BUILD,
    "build-model": ("build", "--model", "--format", "docx", "--lang", "ru"),
    "check-report": ("check", PROFILE, "--report"),
    "submission-build": SUBMISSION_BUILD,
}


@pytest.mark.parametrize("command", LOCKING_COMMANDS.values(), ids=LOCKING_COMMANDS.keys())
def test_output_folder_held_by_another_process_is_refused_and_left_alone(
    workspace: Path, tmp_path: Path, command: tuple[str, ...]
):
    out_dir = workspace / "output"
    (out_dir / PROFILE / "ru").mkdir(parents=True)
    (out_dir / PROFILE / "ru" / ".policygen-writing.tmp").write_bytes(b"another process is writing this")
    (out_dir / ".policygen-manifest.tmp").write_bytes(b"and this")
    with open(out_dir / LOCK_NAME, "w") as lock:
        lock.write("4242\n")
        lock.flush()
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        before = files_under(out_dir)

        run = run_bounded_cli(*command, "--workspace", workspace, sandbox=tmp_path, allowed=[workspace])

        assert_refused(
            run, 2, [f"{out_dir.resolve()}: output folder is being written by another policygen process (pid 4242)"]
        )
        assert files_under(out_dir) == before  # its temporary files and its lock file are untouched


def test_lock_file_is_gone_after_the_command_and_never_recorded(workspace: Path, tmp_path: Path):
    out_dir = workspace / "output"
    out_dir.mkdir()
    (out_dir / LOCK_NAME).write_text("99999\n")  # left by a killed process: unlocked, so it does not block

    run = run_bounded_cli(*BUILD, "--workspace", workspace, sandbox=tmp_path, allowed=[workspace])

    assert run.exit_code == 0, run.stderr
    assert not (out_dir / LOCK_NAME).exists()
    recorded = [entry["path"] for entry in json.loads((out_dir / "manifest.json").read_text())["files"]]
    assert recorded and not any(LOCK_NAME in path for path in recorded)


def test_command_that_writes_nothing_leaves_no_output_folder(workspace: Path, tmp_path: Path):
    profile = workspace / "institutions" / f"{PROFILE}.yaml"
    profile.write_text(profile.read_text(encoding="utf-8") + "staff_count: 15\n", encoding="utf-8")

    run = run_bounded_cli(*BUILD, "--workspace", workspace, sandbox=tmp_path, allowed=[workspace])

    assert run.exit_code == 1 and "duplicate key" in run.stderr
    assert not (workspace / "output").exists()


def test_without_file_locking_the_build_goes_on_with_a_note_and_keeps_temporary_files(workspace: Path, monkeypatch):
    monkeypatch.setattr("policygen.output.lock.fcntl", None)  # as on a platform without fcntl
    out_dir = workspace / "output"
    out_dir.mkdir()
    (out_dir / ".policygen-other.tmp").write_bytes(b"perhaps another process is writing this")

    result = run_cli(*BUILD, "--workspace", workspace)

    assert result.exit_code == 0, result.stderr
    assert "note: this platform cannot lock files" in result.stderr
    assert (out_dir / ".policygen-other.tmp").exists() and not (out_dir / LOCK_NAME).exists()
    assert (out_dir / PROFILE / "ru" / "policy.docx").is_file()
