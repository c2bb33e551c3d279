"""Bounds on one document (model size, pages, writing time) and on the memory of every process that renders.

Each test lowers one of policygen's bounds in a confined run of the command line (bounded in CPU time and
memory by the test itself) and checks that the bound stops the document with a located one-line message, and
that nothing was written.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, copy_workspace, run_cli, run_cli_confined, tree_state

from policygen import DOCUMENT_IDS
from policygen import limits as _limits
from policygen.builders import workers as _workers

PROFILE = "ak-tilek-fmc"
ALLOCATE_A_GIGABYTE = "\n{{ '{:>1000000000}'.format('') }}\n"
LOWERED_MEMORY = ("policygen.limits", "WORKER_MEMORY_BYTES", 512 * 1024**2)
ABOVE_LOWERED_MEMORY = 4 * 1024**3  # the test's own bound, high enough that only policygen's can stop the render


def table(rows: int) -> str:
    return "".join(f"          {line}\n" for line in ["| a | b |", "| - | - |", *["| 1 | 2 |"] * rows])


def add_clauses(workspace: Path, *rows: int) -> Path:
    """Add clauses of the institution's own to the profile, each a table of that many rows."""
    profile = workspace / "institutions" / f"{PROFILE}.yaml"
    clauses = "".join(
        f"    - id: table-{number}\n      after: policy/general-provisions\n"
        f"      title: {{ky: Таблица, ru: Таблица}}\n      text:\n"
        f"        ky: |\n{table(count)}        ru: |\n{table(count)}"
        for number, count in enumerate(rows)
    )
    profile.write_text(profile.read_text(encoding="utf-8") + "clauses:\n  add:\n" + clauses, encoding="utf-8")
    return profile


def test_document_made_too_large_by_profile_clauses_names_the_clause_that_adds_most(tmp_path: Path):
    workspace = copy_workspace(tmp_path / "ws")
    profile = add_clauses(workspace, 4, 60)
    before = tree_state(workspace)

    # each document's own tables hold at most about 120 cells; the two clauses add 10 and 122 to the policy
    result = run_cli_confined(
        "build",
        PROFILE,
        "--lang",
        "ru",
        "--format",
        "docx",
        "-w",
        workspace,
        patches=(("policygen.limits", "MAX_TABLE_CELLS", 150),),
    )

    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = profile.read_text(encoding="utf-8").splitlines()
    second_ru = [number for number, line in enumerate(lines, start=1) if line.strip() == "ru: |"][1]
    assert re.search(
        rf"^{re.escape(str(profile))}:{second_ru}:\d+: clauses\.add\[1\]\.text\.ru: document policy "
        r"\(ru\) would hold \d+ table cells, more than the 150 a document may hold; this clause adds "
        r"122 of them$",
        result.stderr,
        re.MULTILINE,
    ), result.stderr
    assert tree_state(workspace) == before


def test_pdf_with_more_pages_than_a_document_may_have_is_not_written(tmp_path: Path):
    workspace = copy_workspace(tmp_path / "ws")

    result = run_cli_confined(
        "build",
        PROFILE,
        "--lang",
        "ru",
        "--doc",
        "policy",
        "--format",
        "pdf",
        "-w",
        workspace,
        patches=(("policygen.limits", "MAX_PAGES", 5),),
    )

    assert result.exit_code == 1, result.stderr
    assert re.search(
        r"^ru/policy: the PDF would have \d\d pages, more than the 5 a document may have, and was not "
        r"written$",
        result.stderr,
        re.MULTILINE,
    ), result.stderr
    assert "Traceback" not in result.stderr
    assert not (workspace / "output").exists()


def test_writing_past_the_time_bound_is_stopped_naming_the_document(tmp_path: Path):
    workspace = copy_workspace(tmp_path / "ws")

    # laying out the 20-page policy takes about a second; a twentieth of one stops it
    result = run_cli_confined(
        "build",
        PROFILE,
        "--lang",
        "ru",
        "--doc",
        "policy",
        "--format",
        "pdf",
        "-w",
        workspace,
        patches=(("policygen.limits", "MAX_WRITE_SECONDS", 0.05),),
    )

    assert result.exit_code == 1, result.stderr
    assert re.search(
        rf"^{PROFILE}/ru/policy\.pdf: writing took longer than 0\.05 s and was stopped$", result.stderr, re.MULTILINE
    ), result.stderr
    assert "Traceback" not in result.stderr
    assert not (workspace / "output").exists()


def override(workspace: Path, template: str, extra: str) -> tuple[Path, int]:
    """The workspace's copy of a packaged template with `extra` at its end, and the line `extra` starts on."""
    target = workspace / "templates" / template
    target.parent.mkdir(parents=True, exist_ok=True)
    source = (REPO / "templates" / template).read_text(encoding="utf-8")
    target.write_text(source + extra, encoding="utf-8")
    return target, source.count("\n") + 2


@pytest.mark.parametrize(
    "command, template",
    [
        (("validate", PROFILE), "policy/ru.md.j2"),
        (("check", PROFILE), "policy/ru.md.j2"),
        (("check", PROFILE, "--report"), "coverage-report/ru.md.j2"),
        (("build", "--model", "--format", "docx"), "policy/ru.md.j2"),
        (("submission", "build", "union-2026"), "policy/ru.md.j2"),
    ],
    ids=["validate", "check", "check-report", "build-model", "submission-build"],
)
def test_every_command_that_renders_does_so_in_a_memory_bounded_process(tmp_path: Path, command, template):
    workspace = copy_workspace(tmp_path / "ws")
    shutil.copytree(REPO / "submissions", workspace / "submissions")
    path, line = override(workspace, template, ALLOCATE_A_GIGABYTE)

    result = run_cli_confined(*command, "-w", workspace, patches=(LOWERED_MEMORY,), data_bytes=ABOVE_LOWERED_MEMORY)

    assert result.exit_code == 1, result.stderr
    assert re.search(
        rf"^{re.escape(str(path))}:{line}: rendering needed more memory than a document may use",
        result.stderr,
        re.MULTILINE,
    ), result.stderr
    assert "Traceback" not in result.stderr
    assert not (workspace / "output").exists()


def test_a_platform_without_memory_or_time_bounds_says_so_once_and_still_builds(tmp_path: Path, monkeypatch):
    workspace = copy_workspace(tmp_path / "ws")
    monkeypatch.setattr(_limits, "resource", None)
    monkeypatch.setattr(_limits, "alarm_available", lambda: False)
    monkeypatch.setattr(_workers, "alarm_available", lambda: False)
    monkeypatch.setattr(_limits, "_said", set())

    result = run_cli("build", PROFILE, "--format", "docx", "-w", workspace, "--jobs", "2")

    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("policygen: note: ")]
    assert notes == [
        "policygen: note: this platform cannot bound a process's memory: rendering runs without a memory bound",
        "policygen: note: this platform has no SIGALRM: templates and writers run without a time bound",
    ]
    assert len(list((workspace / "output" / PROFILE).rglob("*.docx"))) == 2 * len(DOCUMENT_IDS)  # ky and ru
