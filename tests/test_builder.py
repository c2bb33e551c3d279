"""The one builder: keys over every input and library, deterministic zips, the incremental submission, and the
document models a build keeps for `check` and `submission build`."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE_SUBMISSION, REPO, copy_workspace, run_cli, tree_state

from policygen import DocxWriter, TemplateRenderer, build_documents, load_profile, open_workspace
from policygen.builders import keys
from policygen.errors import TemplateError
from policygen.output.archive import ZIP_EPOCH, deterministic_zip
from policygen.render.sandbox import TemplateRenderer as SandboxRenderer

PROFILE = "ak-tilek-fmc"
ONE_FILE = (PROFILE, "--lang", "ru", "--doc", "policy", "--format", "docx")
PACKAGE = f"output/submission/{EXAMPLE_SUBMISSION}"


def summary_counts(output: str) -> tuple[int, int]:
    """Files built and up to date, from the last line of the build's summary."""
    last = output.strip().splitlines()[-1]
    if last.startswith("nothing to do"):
        return 0, int(re.search(r"all (\d+) files", last).group(1))
    built, skipped = re.match(r"(\d+) files built, (\d+) up to date", last).groups()
    return int(built), int(skipped)


def manifest_of(out_dir: Path) -> dict:
    return json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return copy_workspace(tmp_path / "ws")


# --- The key of a unit -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("library", ["weasyprint", "pydyf", "python-docx", "fonttools", "pillow"])
def test_a_changed_library_version_rebuilds_what_it_made(workspace: Path, monkeypatch, library: str):
    assert run_cli("build", *ONE_FILE, "-w", workspace).exit_code == 0
    installed = importlib.metadata.version

    def upgraded(name: str) -> str:
        return "999.0" if name == library else installed(name)

    monkeypatch.setattr(importlib.metadata, "version", upgraded)
    rebuilt = run_cli("build", *ONE_FILE, "-w", workspace)
    again = run_cli("build", *ONE_FILE, "-w", workspace)

    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert summary_counts(rebuilt.output) == (1, 0)
    assert manifest_of(workspace / "output")["versions"][library] == "999.0"
    assert summary_counts(again.output) == (0, 1)


def test_a_template_replaced_by_one_of_the_same_size_and_date_rebuilds_in_the_same_process(workspace: Path):
    override = workspace / "templates" / "policy" / "ru.md.j2"
    override.parent.mkdir(parents=True)
    source = (REPO / "templates" / "policy" / "ru.md.j2").read_text(encoding="utf-8")
    override.write_text(source, encoding="utf-8")
    assert run_cli("build", *ONE_FILE, "-w", workspace).exit_code == 0
    before = override.stat()
    replacement = override.with_name("ru.md.j2.new")
    replacement.write_text(source.replace("пересматривается", "пересмотривается", 1), encoding="utf-8")
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(replacement, override)  # as an editor saves: a new file, here of the same size and date
    assert (override.stat().st_size, override.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)

    rebuilt = run_cli("build", *ONE_FILE, "-w", workspace)  # in this process, which read the first one

    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert summary_counts(rebuilt.output) == (1, 0)


def test_a_changed_packaged_font_rebuilds_what_it_made(workspace: Path, tmp_path: Path, monkeypatch):
    assert run_cli("build", *ONE_FILE, "-w", workspace).exit_code == 0
    assets = tmp_path / "assets"
    shutil.copytree(keys.PACKAGE / "assets", assets)
    font = assets / "fonts" / "LiberationSerif-Regular.ttf"
    font.write_bytes(font.read_bytes() + b"\0")
    monkeypatch.setattr(keys, "PACKAGED_FOLDERS", (assets, keys.PACKAGE / "data"))

    result = run_cli("build", *ONE_FILE, "-w", workspace)

    assert result.exit_code == 0, result.stderr
    assert summary_counts(result.output) == (1, 0)


# --- Deterministic zips ----------------------------------------------------------------------------------------


def assert_fixed_entries(archive: zipfile.ZipFile) -> None:
    for entry in archive.infolist():
        assert entry.date_time == ZIP_EPOCH, entry.filename
        assert entry.create_system == 3, entry.filename
        assert entry.external_attr == 0o644 << 16, entry.filename
        assert entry.compress_type == zipfile.ZIP_DEFLATED, entry.filename


def test_every_docx_entry_has_a_fixed_date_system_and_permissions_in_one_order(example_build: Path):
    orders = set()
    for path in sorted(example_build.rglob("*.docx")):
        with zipfile.ZipFile(path) as archive:
            assert_fixed_entries(archive)
            # a document with pictures (the poster's QR code) has its images besides the parts every one has
            orders.add(tuple(name for name in archive.namelist() if not name.startswith("word/media/")))
    assert len(orders) == 1, "every document's parts are stored in the same order"


def test_every_package_zip_entry_has_a_fixed_date_system_and_permissions_in_binding_order(submission_package: Path):
    listed = json.loads((submission_package / "manifest.json").read_text(encoding="utf-8"))["files"]
    with zipfile.ZipFile(submission_package / f"{EXAMPLE_SUBMISSION}.zip") as archive:
        assert_fixed_entries(archive)
        assert archive.namelist() == [file["path"] for file in listed] + ["manifest.json"]


def test_zips_are_the_same_bytes_when_made_on_windows(monkeypatch):
    workspace = open_workspace(REPO)
    loaded = load_profile(workspace.institutions_dir / f"{PROFILE}.yaml", workspace)
    policy = build_documents(TemplateRenderer(workspace.template_search_path()), loaded, "ru")["policy"]
    members = [("ru/02-policy.docx", b"document"), ("manifest.json", b"{}")]
    here = (DocxWriter().render(policy), deterministic_zip(members))

    monkeypatch.setattr(sys, "platform", "win32")  # zipfile would then record every member as made on MS-DOS

    assert (DocxWriter().render(policy), deterministic_zip(members)) == here


# --- The submission, incrementally -----------------------------------------------------------------------------


@pytest.fixture
def built_submission(submission_workspace: Path, tmp_path: Path) -> Path:
    """A copy of the session's workspace with its built package (a moved workspace keeps its keys)."""
    return Path(shutil.copytree(submission_workspace, tmp_path / "ws", symlinks=True))


def test_submission_build_with_nothing_changed_renders_and_writes_nothing(built_submission: Path):
    before = tree_state(built_submission / "output")
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom policygen.cli.commands import main\n"
        f"result = CliRunner().invoke(main, ['submission', 'build', {EXAMPLE_SUBMISSION!r}, "
        f"'-w', {str(built_submission)!r}])\n"
        "print(result.exit_code, 'weasyprint' in sys.modules, 'concurrent.futures.process' in sys.modules)\n"
        "print(result.output)"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    status, summary = completed.stdout.split("\n", 1)

    assert status.split() == ["0", "False", "False"]  # no PDF written, no rendering process started
    assert f"submission {EXAMPLE_SUBMISSION} is up to date: 57 files" in summary
    assert tree_state(built_submission / "output") == before  # not a file rewritten, nor its date touched


def test_changing_one_model_document_rebuilds_only_it_the_combined_pdf_manifest_and_zip(built_submission: Path):
    override = built_submission / "templates" / "policy" / "ru.md.j2"
    override.parent.mkdir(parents=True)
    source = (REPO / "templates" / "policy" / "ru.md.j2").read_text(encoding="utf-8")
    marker = "Положение пересматривается"
    assert marker in source
    override.write_text(source.replace(marker, "Настоящее положение пересматривается", 1), encoding="utf-8")
    before = manifest_of(built_submission / "output")
    before_state = tree_state(built_submission / "output")

    result = run_cli("submission", "build", EXAMPLE_SUBMISSION, "-w", built_submission)

    assert result.exit_code == 0, result.stderr
    after = manifest_of(built_submission / "output")
    digests = {entry["path"]: entry["sha256"] for entry in before["files"]}
    changed = sorted(entry["path"] for entry in after["files"] if digests.get(entry["path"]) != entry["sha256"])
    written = sorted(
        path for path, state in tree_state(built_submission / "output").items() if state != before_state.get(path)
    )
    package = f"submission/{EXAMPLE_SUBMISSION}"
    expected = [
        f"{package}/SHA256SUMS",
        f"{package}/manifest.json",
        f"{package}/ru/01-policy.docx",
        f"{package}/ru/01-policy.pdf",
        f"{package}/{EXAMPLE_SUBMISSION}-combined.pdf",
        f"{package}/{EXAMPLE_SUBMISSION}.zip",
    ]
    assert changed == sorted(expected)
    assert [path for path in written if path.endswith((".docx", ".pdf", ".zip", ".json", "SHA256SUMS"))] == sorted(
        ["manifest.json", *expected]
    )
    progress = sorted(line.split(" ", 2)[2] for line in result.stderr.splitlines() if line.startswith("["))
    assert progress == ["PDF/A-2b: 2 files", "document models: 27 made", "ru/01-policy: 1 files"]
    assert run_cli("submission", "verify", built_submission / PACKAGE).exit_code == 0


# --- Document models kept for later commands -------------------------------------------------------------------


def refuse_rendering(monkeypatch) -> None:
    """From now on any template rendered, in this process or the worker processes it starts, fails."""

    def rendering(self, name, lang, context):
        raise TemplateError(name, "rendered again", hint="the test allows no rendering")

    monkeypatch.setattr(SandboxRenderer, "render", rendering)


def test_check_after_build_renders_no_template_and_says_the_same(workspace: Path, tmp_path: Path, monkeypatch):
    assert run_cli("build", PROFILE, "--format", "docx", "-w", workspace).exit_code == 0
    rendered = run_cli("check", PROFILE, "-w", workspace, "--out", tmp_path / "empty")  # nothing kept there
    refuse_rendering(monkeypatch)

    kept = run_cli("check", PROFILE, "-w", workspace)
    shutil.rmtree(workspace / "output" / ".cache")
    without = run_cli("check", PROFILE, "-w", workspace)

    assert rendered.exit_code == 0, rendered.stderr
    assert (kept.exit_code, kept.stdout) == (0, rendered.stdout)  # the same result; only rendering shows progress
    assert without.exit_code == 1 and "rendered again" in without.stderr  # the control: rendering fails


def test_kept_models_follow_their_inputs(workspace: Path, monkeypatch):
    assert run_cli("build", PROFILE, "--format", "docx", "-w", workspace).exit_code == 0
    profile = workspace / "institutions" / f"{PROFILE}.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("staff_count: 14", "staff_count: 15"))
    refuse_rendering(monkeypatch)

    result = run_cli("check", PROFILE, "-w", workspace)

    assert result.exit_code == 1 and "rendered again" in result.stderr  # the profile changed: its models are stale


def test_build_in_another_format_takes_the_kept_models(workspace: Path, monkeypatch):
    assert run_cli("build", *ONE_FILE, "-w", workspace).exit_code == 0
    refuse_rendering(monkeypatch)

    result = run_cli("build", PROFILE, "--lang", "ru", "--doc", "policy", "--format", "pdf", "-w", workspace)

    assert result.exit_code == 0, result.stderr
    assert (workspace / "output" / PROFILE / "ru" / "policy.pdf").is_file()


FORGED_MODELS = {  # as JSON text
    "a node that is no model type": '{"node": "system", "fields": {"command": "touch pwned"}}',
    "a model type with a field it has not": '{"node": "Paragraph", "fields": {"inlines": [], "script": "x"}}',
    "nesting a hundred thousand deep": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("forgery", list(FORGED_MODELS.values()), ids=list(FORGED_MODELS))
def test_kept_models_are_not_in_the_manifest_and_forged_ones_are_made_again(workspace: Path, forgery: str):
    assert run_cli("build", *ONE_FILE, "-w", workspace).exit_code == 0
    kept = workspace / "output" / ".cache" / PROFILE / "ru.json"
    assert kept.is_file()
    assert not [entry for entry in manifest_of(workspace / "output")["files"] if ".cache" in entry["path"]]
    forged = json.loads(kept.read_text(encoding="utf-8"))  # with the key that still holds
    forged["documents"]["policy"] = "FORGED"
    kept.write_text(json.dumps(forged).replace('"FORGED"', forgery), encoding="utf-8")

    result = run_cli("check", PROFILE, "-w", workspace)

    assert result.exit_code == 0, result.stderr
    assert "1 institutions passed the check" in result.output
    assert not list(workspace.rglob("pwned"))


# --- Progress ---------------------------------------------------------------------------------------------------


def test_model_set_build_shows_progress_on_stderr_and_is_incremental(workspace: Path):
    first = run_cli("build", "--model", "--lang", "ru", "--format", "docx", "-w", workspace)
    second = run_cli("build", "--model", "--lang", "ru", "--format", "docx", "-w", workspace)
    quiet = run_cli("build", "--model", "--lang", "ru", "--format", "docx", "-w", workspace, "--force", "-q")

    assert first.exit_code == second.exit_code == quiet.exit_code == 0
    assert "[1/1] model ru: 7 files" in first.stderr.splitlines()
    assert "[1/1]" not in first.stdout
    assert summary_counts(first.stdout) == (7, 0)
    assert summary_counts(second.stdout) == (0, 7)
    assert (quiet.stdout, quiet.stderr) == ("", "")


def test_check_report_shows_progress_of_the_check_and_of_the_report(workspace: Path):
    result = run_cli("check", PROFILE, "--report", "-w", workspace)

    assert result.exit_code == 0, result.stderr
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert progress[0] == f"[1/1] {PROFILE} check: checked"
    assert sorted(line.split("] ", 1)[1] for line in progress[1:]) == [
        f"coverage {lang}: 2 files" for lang in ("en", "ky", "ru")
    ]
    digests = {entry["path"]: entry["sha256"] for entry in manifest_of(workspace / "output")["files"]}
    assert all(
        hashlib.sha256((workspace / "output" / path).read_bytes()).hexdigest() == digest
        for path, digest in digests.items()
    )


def test_check_of_many_profiles_shows_a_progress_line_per_profile_on_stderr_and_quiet_silences_it(workspace: Path):
    result = run_cli("check", "-w", workspace)
    quiet = run_cli("check", "-w", workspace, "-q")

    profiles = sorted(path.stem for path in (workspace / "institutions").glob("[!_]*.yaml"))
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert result.exit_code == quiet.exit_code == 0, result.stderr
    assert sorted(line.split("] ", 1)[0] for line in progress) == [f"[{n}/3" for n in (1, 2, 3)]
    assert sorted(line.split("] ", 1)[1] for line in progress) == [f"{name} check: checked" for name in profiles]
    assert not [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert "3 institutions passed the check, 0 failed" in result.stdout
    assert quiet.stdout == ""
    assert not [line for line in quiet.stderr.splitlines() if line.startswith("[")]
    assert quiet.stderr.count("warning:") == result.stderr.count("warning:")  # warnings are never silenced


def test_quiet_submission_build_shows_no_progress(built_submission: Path):
    source = REPO / "templates" / "submission" / "draft-order" / "ru.md.j2"
    override = built_submission / "templates" / "submission" / "draft-order" / "ru.md.j2"
    override.parent.mkdir(parents=True)
    override.write_text(source.read_text(encoding="utf-8") + "\nПриложение к проекту приказа.\n", encoding="utf-8")

    quiet = run_cli("submission", "build", EXAMPLE_SUBMISSION, "-w", built_submission, "-q")

    assert quiet.exit_code == 0, quiet.stderr
    assert (quiet.stdout, quiet.stderr) == ("", "")
    assert run_cli("submission", "verify", built_submission / PACKAGE, "-q").exit_code == 0
