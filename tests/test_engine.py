"""The batch engine: reproducible bytes, incremental rebuilds, parallel units, failures kept to one institution."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, copy_workspace, files_under, run_cli

from policygen import DOCUMENT_IDS, BuildRequest, build, open_workspace
from policygen.writers.docx import DocxWriter

FORMAT = ("--format", "docx")


def built_paths(result_output: str) -> dict[str, int]:
    """Files built per institution, read from the summary table."""
    rows = {}
    for line in result_output.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[-1] == "ok" and parts[1].isdigit():
            rows[parts[0]] = int(parts[1])
    return rows


def manifest_digests(out_dir: Path) -> dict[str, str]:
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    return {entry["path"]: entry["sha256"] for entry in manifest["files"]}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    workspace = copy_workspace(tmp_path / "ws")
    result = run_cli("build", "-w", workspace, "--jobs", "1", *FORMAT)
    assert result.exit_code == 0, result.stderr
    return workspace


def test_second_run_builds_nothing_and_says_so(workspace):
    result = run_cli("build", "-w", workspace, *FORMAT)
    assert result.exit_code == 0
    assert (
        f"nothing to do: all {8 * len(DOCUMENT_IDS)} files are up to date" in result.output
    )  # 8 languages of examples
    assert set(built_paths(result.output).values()) == {0}


def test_forced_rebuild_gives_identical_bytes_for_every_file(workspace):
    before = files_under(workspace / "output")
    result = run_cli("build", "-w", workspace, "--force", "--jobs", "2", *FORMAT)
    assert result.exit_code == 0, result.stderr
    documents = len(DOCUMENT_IDS)
    assert built_paths(result.output) == {
        "ak-tilek-fmc": 2 * documents,
        "bishkek-city-hospital": 3 * documents,
        "osh-medical-university": 3 * documents,
    }
    assert files_under(workspace / "output") == before


@pytest.mark.slow
def test_pdf_build_is_byte_identical_across_runs_and_job_counts(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    assert run_cli("build", "ak-tilek-fmc", "--lang", "ky", "-w", REPO, "--out", first, "--jobs", "1").exit_code == 0
    assert run_cli("build", "ak-tilek-fmc", "--lang", "ky", "-w", REPO, "--out", second, "--jobs", "2").exit_code == 0
    assert files_under(first) == files_under(second)


def test_changing_the_national_base_rebuilds_every_institution_that_extends_it(workspace):
    base = workspace / "institutions" / "_national.yaml"
    base.write_text(
        base.read_text(encoding="utf-8").replace("review_period_years: 3", "review_period_years: 2"), encoding="utf-8"
    )
    result = run_cli("build", "-w", workspace, *FORMAT)
    assert result.exit_code == 0, result.stderr
    built = built_paths(result.output)
    assert set(built) == {"ak-tilek-fmc", "bishkek-city-hospital", "osh-medical-university"}
    assert all(count > 0 for count in built.values())


def test_changing_one_institution_rebuilds_only_that_institution(workspace):
    profile = workspace / "institutions" / "ak-tilek-fmc.yaml"
    profile.write_text(
        profile.read_text(encoding="utf-8").replace("staff_count: 14", "staff_count: 15"), encoding="utf-8"
    )
    result = run_cli("build", "-w", workspace, *FORMAT)
    assert result.exit_code == 0, result.stderr
    built = built_paths(result.output)
    assert built["bishkek-city-hospital"] == 0 and built["osh-medical-university"] == 0
    assert built["ak-tilek-fmc"] > 0


def test_changing_one_template_rebuilds_only_the_documents_it_changes(workspace):
    templates = workspace / "templates" / "code-of-conduct"
    templates.mkdir(parents=True)
    source = (REPO / "templates" / "code-of-conduct" / "en.md.j2").read_text(encoding="utf-8")
    assert "::: clause purpose" in source
    (templates / "en.md.j2").write_text(source.replace("## Purpose", "## Purpose and status", 1), encoding="utf-8")
    before = manifest_digests(workspace / "output")
    result = run_cli("build", "-w", workspace, *FORMAT)
    assert result.exit_code == 0, result.stderr
    after = manifest_digests(workspace / "output")
    changed = sorted(path for path in after if after[path] != before.get(path))
    assert [path for path in changed if "/editions/" not in path] == [
        "bishkek-city-hospital/en/code-of-conduct.docx",
        "osh-medical-university/en/code-of-conduct.docx",
    ]
    assert [path for path in changed if "/editions/" in path] == [  # the files they replace, kept as editions
        "bishkek-city-hospital/en/editions/2025-09-15_187-п/code-of-conduct.docx",
        "osh-medical-university/en/editions/2025-08-29_412-1/code-of-conduct.docx",
    ]


class WriterCrash(BaseException):
    """Stands for the BaseException-derived errors weasyprint can raise."""


def test_unit_raising_a_base_exception_fails_its_institution_only(tmp_path, monkeypatch):
    workspace = open_workspace(copy_workspace(tmp_path))
    render = DocxWriter.render

    def crashing(self, document):
        if document.meta.institution == "ЦСМ с. Ак-Тилек":
            raise WriterCrash("fetch stopped")
        return render(self, document)

    monkeypatch.setattr(DocxWriter, "render", crashing)
    out_dir = workspace.root / "output"
    report = build(workspace, workspace.institution_files(), BuildRequest(out_dir=out_dir, formats=("docx",)))
    [failed] = report.failed
    assert failed.owner == "ak-tilek-fmc"
    assert "WriterCrash: fetch stopped" in failed.diagnostics[0].message
    assert not (out_dir / "ak-tilek-fmc").exists()
    assert len(list((out_dir / "bishkek-city-hospital").rglob("*.docx"))) == 3 * len(DOCUMENT_IDS)
    assert not list(out_dir.rglob(".policygen-*"))


def test_cli_summary_names_the_failed_institution_and_its_first_error(workspace):
    profile = workspace / "institutions" / "ak-tilek-fmc.yaml"
    profile.write_text(profile.read_text(encoding="utf-8") + "staff_count: 15\n", encoding="utf-8")
    result = run_cli("build", "-w", workspace, *FORMAT)
    assert result.exit_code == 1
    assert "ak-tilek-fmc" in result.output and "FAILED: duplicate key 'staff_count'" in result.output
    assert not list((workspace / "output").rglob(".policygen-*"))


def test_no_op_build_never_imports_weasyprint_nor_starts_a_process(workspace):
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom policygen.cli.commands import main\n"
        f"result = CliRunner().invoke(main, ['build', '--workspace', {str(workspace)!r}, '--format', 'docx'])\n"
        "assert result.exit_code == 0, result.output\nassert 'nothing to do' in result.output, result.output\n"
        "print('weasyprint' in sys.modules, 'concurrent.futures.process' in sys.modules)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["False", "False"]


def test_one_unit_with_one_job_renders_in_a_worker_process_not_in_the_main_one(workspace, monkeypatch):
    rendered_in = []
    render = DocxWriter.render

    def recording(self, document):
        rendered_in.append(os.getpid())
        return render(self, document)

    monkeypatch.setattr(DocxWriter, "render", recording)
    report = build(
        open_workspace(workspace),
        [workspace / "institutions" / "ak-tilek-fmc.yaml"],
        BuildRequest(out_dir=workspace / "fresh-output", languages=("ru",), formats=("docx",), jobs=1),
    )
    assert not report.failed
    assert rendered_in == []  # the main process rendered nothing; the worker's calls stay in the worker
    assert len(report.outcomes[0].files) == len(DOCUMENT_IDS)
