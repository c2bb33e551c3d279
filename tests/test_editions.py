"""Editions: a build that changes a document keeps the previous file, listed in the manifest, and
`policygen redline PROFILE --doc DOC --lang LANG --from EDITION` compares it with the current file."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from conftest import copy_workspace, edit, files_under, run_cli
from test_redline import changed_words, resolved_texts

INSTITUTION = "bishkek-city-hospital"
EDITION = "2025-09-15_187-п"  # the hospital's approving order: its date and number
DOCS = ("policy", "complaint-procedure")


def build_ru(workspace: Path, *options: str):
    documents = [option for doc in DOCS for option in ("--doc", doc)]
    result = run_cli("build", INSTITUTION, "-w", workspace, "--lang", "ru", *documents, *options)
    assert result.exit_code == 0, result.stderr
    return result


def profile_of(workspace: Path) -> Path:
    return workspace / "institutions" / f"{INSTITUTION}.yaml"


def manifest_entries(workspace: Path) -> dict[str, dict]:
    manifest = json.loads((workspace / "output" / "manifest.json").read_text(encoding="utf-8"))
    return {entry["path"]: entry for entry in manifest["files"]}


def folder_of(workspace: Path) -> Path:
    return workspace / "output" / INSTITUTION / "ru"


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A workspace built (DOCX and PDF), its profile's decision deadline changed (4 -> 3 days), built again; with
    the files of the first build."""
    workspace = copy_workspace(tmp_path_factory.mktemp("two-builds") / "workspace")
    build_ru(workspace)
    first = files_under(folder_of(workspace))
    edit(profile_of(workspace), ("  decision_days: 4\n", "  decision_days: 3\n"))
    second = build_ru(workspace)
    assert f"edition kept {folder_of(workspace) / 'editions' / EDITION / 'complaint-procedure.docx'}" in second.stderr
    return workspace, first


def test_a_build_that_changes_a_document_keeps_the_previous_file_as_an_edition_in_the_manifest(two_builds):
    workspace, first = two_builds
    editions = folder_of(workspace) / "editions"
    kept = {path.relative_to(editions).as_posix() for path in editions.rglob("*") if path.is_file()}
    # the policy states no deadline: it did not change, and keeps no edition
    assert kept == {f"{EDITION}/complaint-procedure.docx", f"{EDITION}/complaint-procedure.pdf"}
    entries = manifest_entries(workspace)
    for suffix in (".docx", ".pdf"):
        data = (editions / EDITION / f"complaint-procedure{suffix}").read_bytes()
        assert data == first[f"complaint-procedure{suffix}"]
        entry = entries[f"{INSTITUTION}/ru/editions/{EDITION}/complaint-procedure{suffix}"]
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["size"] == len(data)
        assert entry["edition"] == EDITION and entry["document"] == "complaint-procedure"
        current = entries[f"{INSTITUTION}/ru/complaint-procedure{suffix}"]
        assert current["edition"] == EDITION and current["sha256"] != entry["sha256"]


def test_redline_from_the_edition_marks_the_changed_deadline_only(two_builds, tmp_path):
    workspace, _ = two_builds
    arguments = ("--doc", "complaint-procedure", "--lang", "ru", "--from", EDITION, "-o", tmp_path / "out.docx")
    result = run_cli("redline", INSTITUTION, "-w", workspace, *arguments)
    assert result.exit_code == 0, result.stderr
    assert set(changed_words(tmp_path / "out.docx", "ins")) == {"3"}
    assert set(changed_words(tmp_path / "out.docx", "del")) == {"4"}
    current = folder_of(workspace) / "complaint-procedure.docx"
    assert resolved_texts(tmp_path / "out.docx", True) == resolved_texts(current, True)
    edition = folder_of(workspace) / "editions" / EDITION / "complaint-procedure.docx"
    assert resolved_texts(tmp_path / "out.docx", False) == resolved_texts(edition, True)


def test_a_rebuild_that_changes_nothing_keeps_no_edition(two_builds, tmp_path):
    workspace = Path(shutil.copytree(two_builds[0], tmp_path / "workspace"))
    before = files_under(workspace / "output")
    for options in ((), ("--force",)):  # --force makes the files again: the same bytes, so no edition either
        result = build_ru(workspace, *options)
        assert "edition kept" not in result.stderr
    after = files_under(workspace / "output")
    assert {path for path in after if "/editions/" in path} == {path for path in before if "/editions/" in path}


def test_an_edition_of_the_same_name_is_never_overwritten_the_next_gets_a_suffix(two_builds, tmp_path):
    workspace = Path(shutil.copytree(two_builds[0], tmp_path / "workspace"))
    first_edition = (folder_of(workspace) / "editions" / EDITION / "complaint-procedure.docx").read_bytes()
    second = (folder_of(workspace) / "complaint-procedure.docx").read_bytes()
    edit(profile_of(workspace), ("  decision_days: 3\n", "  decision_days: 2\n"))
    build_ru(workspace, "--format", "docx")
    editions = folder_of(workspace) / "editions"
    assert (editions / EDITION / "complaint-procedure.docx").read_bytes() == first_edition
    assert (editions / f"{EDITION}-2" / "complaint-procedure.docx").read_bytes() == second
    assert (
        manifest_entries(workspace)[f"{INSTITUTION}/ru/editions/{EDITION}-2/complaint-procedure.docx"]["edition"]
        == f"{EDITION}-2"
    )


def test_an_edition_is_named_by_the_order_its_file_was_built_under(two_builds, tmp_path):
    workspace = Path(shutil.copytree(two_builds[0], tmp_path / "workspace"))
    edit(profile_of(workspace), ("  order_number: 187-п\n", "  order_number: 201/п\n"))
    edit(profile_of(workspace), ("  order_date: 2025-09-15\n", "  order_date: 2026-02-01\n"))
    build_ru(workspace, "--format", "docx")
    editions = folder_of(workspace) / "editions"
    # the files built under order 187-п are kept under its name (the procedure's next to its earlier edition)
    assert (editions / EDITION / "policy.docx").is_file()
    assert (editions / f"{EDITION}-2" / "complaint-procedure.docx").is_file()
    entries = manifest_entries(workspace)
    assert entries[f"{INSTITUTION}/ru/policy.docx"]["edition"] == "2026-02-01_201-п"  # a slash is no folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workspace = copy_workspace(tmp_path_factory.mktemp("editions") / "workspace")
    result = run_cli("build", INSTITUTION, "-w", workspace, "--doc", "policy", "--lang", "ru", "--format", "docx")
    assert result.exit_code == 0, result.stderr
    return workspace


def redline_from(workspace: Path, edition: str, output: Path):
    arguments = ("--doc", "policy", "--lang", "ru", "--from", edition, "-o", output)
    return run_cli("redline", INSTITUTION, "-w", workspace, *arguments)


def test_an_edition_not_kept_is_refused_listing_the_editions(built, tmp_path):
    result = redline_from(built, "2025-09-15_187-п", tmp_path / "out.docx")
    assert result.exit_code == 2
    assert "has no edition '2025-09-15_187-п'" in result.stderr and "hint: its editions: none yet" in result.stderr
    assert not (tmp_path / "out.docx").exists()


def test_an_edition_kept_is_compared_with_the_current_file(built, tmp_path):
    workspace = Path(shutil.copytree(built, tmp_path / "workspace"))
    folder = workspace / "output" / INSTITUTION / "ru"
    kept = folder / "editions" / "2025-09-15_187-п"
    kept.mkdir(parents=True)
    shutil.copy(folder / "policy.docx", kept / "policy.docx")
    result = redline_from(workspace, "2025-09-15_187-п", tmp_path / "out.docx")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"wrote {tmp_path / 'out.docx'}: 0 clauses changed")
    assert resolved_texts(tmp_path / "out.docx", True) == resolved_texts(folder / "policy.docx", True)


def test_a_document_not_built_yet_is_refused_with_the_build_command(built, tmp_path):
    arguments = ("--doc", "code-of-conduct", "--lang", "ru", "--from", "x", "-o", tmp_path / "out.docx")
    result = run_cli("redline", INSTITUTION, "-w", built, *arguments)
    assert result.exit_code == 2
    assert f"hint: build it first: policygen build {INSTITUTION} --doc code-of-conduct --lang ru" in result.stderr


def test_the_model_set_keeps_its_editions_under_the_build_date(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    workspace = copy_workspace(tmp_path / "workspace")
    arguments = (
        "build",
        "--model",
        "-w",
        workspace,
        "--lang",
        "ru",
        "--doc",
        "complaint-procedure",
        "--format",
        "docx",
    )
    assert run_cli(*arguments).exit_code == 0
    edit(workspace / "institutions" / "_national.yaml", ("  decision_days: 5 ", "  decision_days: 4 "))
    result = run_cli(*arguments)
    assert result.exit_code == 0, result.stderr
    kept = workspace / "output" / "model" / "ru" / "editions" / "2026-01-01" / "complaint-procedure.docx"
    assert kept.is_file() and f"edition kept {kept}" in result.stderr


def test_the_leaflet_and_the_poster_keep_editions_and_redline_from_them(tmp_path):
    workspace = copy_workspace(tmp_path / "workspace")
    arguments = ("build", INSTITUTION, "-w", workspace, "--lang", "ru", "--doc", "leaflet", "--doc", "poster")
    assert run_cli(*arguments, "--format", "docx").exit_code == 0
    edit(profile_of(workspace), ("  decision_days: 4\n", "  decision_days: 4\n  investigation_days: 14\n"))
    assert run_cli(*arguments, "--format", "docx").exit_code == 0
    for doc, clauses in (("leaflet", 1), ("poster", 0)):  # the poster has no clauses: compared as one stretch
        out = tmp_path / f"{doc}.docx"
        result = run_cli(
            "redline", INSTITUTION, "-w", workspace, "--doc", doc, "--lang", "ru", "--from", EDITION, "-o", out
        )
        assert result.exit_code == 0, result.stderr
        assert result.stdout.splitlines()[0] == f"wrote {out}: {clauses} clauses changed"
        assert set(changed_words(out, "ins")) == {"14"} and set(changed_words(out, "del")) == {"15"}
