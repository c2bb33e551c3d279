"""A build killed at any moment, or one that cannot write, never leaves a half-written output folder.

A SIGKILL cannot be caught, so the killed process may leave a temporary file behind; what it must never leave is
a truncated document or manifest: every file under its own name is the complete old or the complete new one.
The next build then exits 0, removes the stale temporary files and records every file with its true SHA-256.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES, REPO, files_under, run_cli

from policygen import DOCUMENT_IDS

PROFILE = "ak-tilek-fmc"
TEMPORARY_PREFIX = ".policygen-"
LOCK_NAME = ".policygen.lock"  # a killed build leaves it unlocked; the next build takes it and removes it


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    institutions = tmp_path / "ws" / "institutions"
    institutions.mkdir(parents=True)
    for name in (f"{PROFILE}.yaml", "_national.yaml"):
        shutil.copyfile(EXAMPLES / name, institutions / name)
    return tmp_path / "ws"


def build(workspace: Path, out_dir: Path, *extra: str):
    return run_cli(
        "build",
        PROFILE,
        "--workspace",
        workspace,
        "--out",
        out_dir,
        "--format",
        "docx",
        "--jobs",
        "1",
        "--quiet",
        *extra,
    )


def temporaries(out_dir: Path) -> list[str]:
    return sorted(path.relative_to(out_dir).as_posix() for path in out_dir.rglob(f"{TEMPORARY_PREFIX}*"))


def completed_files(out_dir: Path) -> dict[str, bytes]:
    return {
        path: data
        for path, data in files_under(out_dir).items()
        if not Path(path).name.startswith(TEMPORARY_PREFIX) and path != LOCK_NAME
    }


def assert_manifest_matches_the_files(out_dir: Path) -> None:
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    recorded = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    on_disk = {
        path: hashlib.sha256(data).hexdigest()
        for path, data in completed_files(out_dir).items()
        if path != "manifest.json" and not path.startswith(".cache/")  # the kept document models are not outputs
    }
    assert recorded == on_disk


def start_forced_build(workspace: Path, out_dir: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "policygen",
        "build",
        PROFILE,
        "--workspace",
        str(workspace),
        "--out",
        str(out_dir),
        "--format",
        "docx",
        "--jobs",
        "1",
        "--force",
        "--quiet",
    ]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen(command, cwd=workspace, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_build_killed_at_random_points_leaves_complete_files_and_the_next_build_repairs(workspace: Path):
    out_dir = workspace / "output"
    started = time.monotonic()
    first = start_forced_build(workspace, out_dir)
    assert first.wait(timeout=120) == 0, first.stderr.read().decode()
    first.stderr.close()
    duration = time.monotonic() - started
    reference = completed_files(out_dir)
    assert len([path for path in reference if path.endswith(".docx")]) == 2 * len(DOCUMENT_IDS)  # ky and ru
    # early (starting up, rendering) and near the end, where the files and the manifest are being written
    delays = [0.3, 0.8, max(0.1, duration - 0.25), max(0.1, duration - 0.12)]

    for delay in delays:
        process = start_forced_build(workspace, out_dir)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        process.stderr.close()

        assert completed_files(out_dir) == reference, f"a file changed or was cut short when killed at {delay:.2f} s"

        result = build(workspace, out_dir)

        assert result.exit_code == 0, result.stderr
        assert temporaries(out_dir) == [], f"killed at {delay:.2f} s"
        assert not (out_dir / LOCK_NAME).exists()
        assert completed_files(out_dir) == reference
        assert_manifest_matches_the_files(out_dir)


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid`, read from /proc."""
    children = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            children.append(int(stat_file.parent.name))
    return children


def test_a_rendering_worker_outliving_a_killed_build_does_not_keep_the_output_folder_locked(workspace: Path):
    out_dir = workspace / "output"
    command = [
        sys.executable,
        "-m",
        "policygen",
        "build",
        PROFILE,
        "--workspace",
        str(workspace),
        "--out",
        str(out_dir),
        "--lang",
        "ru",
        "--format",
        "pdf",
        "--jobs",
        "1",
        "--quiet",
    ]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    first = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    while not workers and first.poll() is None:  # the worker is forked once the build has planned its unit
        workers = children_of(first.pid)
    first.kill()
    first.wait()
    try:
        assert workers, "the build ended before its worker could be seen"

        result = build(workspace, out_dir, "--lang", "ru", "--force")  # while the orphaned worker may still render

        assert result.exit_code == 0, result.stderr
        assert "being written by another policygen process" not in result.stderr
    finally:
        for worker in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker, signal.SIGKILL)


def test_next_build_removes_temporary_files_left_by_a_killed_build(workspace: Path):
    out_dir = workspace / "output"
    assert build(workspace, out_dir).exit_code == 0
    reference = completed_files(out_dir)
    stale = [
        out_dir / ".policygen-k1ll3d.tmp",
        out_dir / PROFILE / "ru" / ".policygen-abc123.tmp",
        out_dir / PROFILE / "ky" / ".policygen-x_y_z.tmp",
    ]
    for path in stale:
        path.write_bytes(b"PK\x03\x04 half a document")

    result = build(workspace, out_dir)  # everything is up to date: nothing to write, yet the litter goes

    assert result.exit_code == 0, result.stderr
    assert temporaries(out_dir) == []
    assert completed_files(out_dir) == reference
    assert_manifest_matches_the_files(out_dir)


def test_a_missing_or_damaged_file_is_rebuilt_by_the_next_build(workspace: Path):
    out_dir = workspace / "output"
    assert build(workspace, out_dir, "--lang", "ru").exit_code == 0
    reference = completed_files(out_dir)
    (out_dir / PROFILE / "ru" / "policy.docx").unlink()
    (out_dir / PROFILE / "ru" / "adoption-order.docx").write_bytes(b"PK\x03\x04 cut short")

    result = build(workspace, out_dir, "--lang", "ru")

    assert result.exit_code == 0, result.stderr
    assert completed_files(out_dir) == reference
    assert_manifest_matches_the_files(out_dir)


def _out_inside_a_file(workspace: Path) -> Path:
    blocker = workspace / "not-a-folder"
    blocker.write_text("a regular file")
    return blocker / "output"


def _out_is_a_file(workspace: Path) -> Path:
    blocker = workspace / "output-file"
    blocker.write_text("a regular file")
    return blocker


def _document_path_is_a_folder(workspace: Path) -> Path:
    out_dir = workspace / "output"
    (out_dir / PROFILE / "ru" / "policy.docx").mkdir(parents=True)
    return out_dir


@pytest.mark.parametrize(
    ("blocked", "exit_code"),
    [
        (_out_inside_a_file, 1),
        (_document_path_is_a_folder, 1),
        (_out_is_a_file, 2),
    ],  # a bad --out is a bad command line
    ids=["out-inside-a-file", "document-path-is-a-folder", "out-is-a-file"],
)
def test_output_that_cannot_be_written_fails_naming_the_path_without_traceback(
    workspace: Path, blocked, exit_code: int
):
    out_dir = blocked(workspace)
    before = files_under(workspace)

    result = build(workspace, out_dir, "--lang", "ru", "--doc", "policy")

    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output + result.stderr
    assert str(out_dir) in result.stderr, result.stderr
    if exit_code == 1:
        assert "cannot write" in result.stderr and "hint:" in result.stderr, result.stderr
    assert files_under(workspace) == before  # no temporary file, nothing else written anywhere
