"""Reviews bound to the text: `policygen review sign` records who reviewed a file, when, and the SHA-256 of its
text; any later change of the text brings the DRAFT mark back, and `policygen review status` says so."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import docx
import pytest
from conftest import REPO, copy_workspace, run_cli

from policygen import TemplateRenderer, open_workspace

PROFILE = "ak-tilek-fmc"
REVIEWER = "Айгуль Асанова"
DRAFT_MARK_RU = TemplateRenderer(open_workspace(REPO).template_search_path()).strings("ru").text("draft_mark")
POLICY_RU_FILES = [
    "templates/policy/ru.md.j2",
    *(f"templates/clauses/{clause}/ru.md.j2" for clause in ("confidentiality", "definitions", "non-retaliation")),
    "templates/strings/ru.yaml",
]
"""What the Russian policy is made of: its text, the shared clauses it includes, and the Russian strings."""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    workspace = copy_workspace(tmp_path)
    shutil.copytree(REPO / "templates", workspace / "templates")
    return workspace


def draft_marked(workspace: Path, doc_id: str) -> bool:
    path = workspace / "output" / PROFILE / "ru" / f"{doc_id}.docx"
    return DRAFT_MARK_RU in [paragraph.text for paragraph in docx.Document(str(path)).sections[0].header.paragraphs]


def build_russian(workspace: Path) -> None:
    result = run_cli("build", PROFILE, "--lang", "ru", "--format", "docx", "-w", workspace)
    assert result.exit_code == 0, result.stderr


def status_lines(workspace: Path) -> dict[str, str]:
    result = run_cli("review", "status", "-w", workspace)
    assert result.exit_code == 0, result.stderr
    return dict(re.findall(r"^(\S+)\s+(.+)$", result.output, re.MULTILINE))


def test_editing_a_signed_template_brings_the_draft_mark_back_and_review_status_shows_it(workspace):
    build_russian(workspace)
    assert draft_marked(workspace, "policy")

    signed = run_cli("review", "sign", *POLICY_RU_FILES, "--by", REVIEWER, "--on", "2026-03-01", "-w", workspace)
    assert signed.exit_code == 0, signed.stderr
    build_russian(workspace)  # the same output folder: the signature changes the inputs, so the set is rebuilt
    assert not draft_marked(workspace, "policy")
    assert draft_marked(workspace, "code-of-conduct")  # made of files nobody has reviewed
    status = status_lines(workspace)
    assert status["templates/policy/ru.md.j2"] == f"reviewed by {REVIEWER} on 2026-03-01"
    assert status["templates/strings/ru.yaml"] == f"reviewed by {REVIEWER} on 2026-03-01"
    assert status["templates/code-of-conduct/ru.md.j2"] == "never reviewed"

    template = workspace / "templates" / "policy" / "ru.md.j2"
    template.write_text(template.read_text(encoding="utf-8").replace("## Общие положения", "## Общие нормы"), "utf-8")
    build_russian(workspace)
    assert draft_marked(workspace, "policy")
    status = status_lines(workspace)
    assert status["templates/policy/ru.md.j2"] == f"changed since its review by {REVIEWER} on 2026-03-01"
    assert status["templates/clauses/definitions/ru.md.j2"] == f"reviewed by {REVIEWER} on 2026-03-01"


def test_a_signature_records_name_date_and_the_sha256_of_the_text_as_it_is(workspace):
    result = run_cli("review", "sign", "policy/ru.md.j2", "--by", REVIEWER, "-w", workspace)
    assert result.exit_code == 0, result.stderr
    record = (workspace / "templates" / "translation-review.yaml").read_text(encoding="utf-8")
    digest = hashlib.sha256((workspace / "templates" / "policy" / "ru.md.j2").read_bytes()).hexdigest()
    assert re.search(
        rf'^reviewed:\n  "policy/ru.md.j2":\n    reviewed_by: "{REVIEWER}"\n    reviewed_on: \d{{4}}-\d\d-\d\d\n'
        rf"    sha256: {digest}\n\Z",
        record,
        re.MULTILINE,
    ), record
    assert not list((workspace / "templates").glob(".translation-review.yaml.*"))  # no temporary file left


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["templates/policy/skeleton.yaml", "--by", REVIEWER], "not a template or strings file"),
        (["institutions/ak-tilek-fmc.yaml", "--by", REVIEWER], "not a file of the workspace's templates"),
        (["templates/policy/xx.md.j2", "--by", REVIEWER], "templates/policy/xx.md.j2: no such file"),
        (["templates/policy/ru.md.j2", "--by", " "], "--by: expected the reviewer's name"),
        (["templates/policy/ru.md.j2", "--by", "A\u202eB"], "--by: the name holds U+202E"),
    ],
)
def test_review_sign_refuses_what_is_no_reviewable_text_and_records_nothing(workspace, arguments, message):
    record = workspace / "templates" / "translation-review.yaml"
    before = record.read_bytes()
    result = run_cli("review", "sign", *arguments, "-w", workspace)
    assert result.exit_code == 2
    assert message in result.stderr and "\n    hint: " in result.stderr
    assert record.read_bytes() == before


def test_a_packaged_template_is_not_signed_from_another_workspace(tmp_path):
    workspace = copy_workspace(tmp_path)
    packaged = REPO / "templates" / "translation-review.yaml"
    before = packaged.read_bytes()
    result = run_cli("review", "sign", "policy/ru.md.j2", "--by", REVIEWER, "-w", workspace)
    assert result.exit_code == 2
    assert "a packaged file of policygen" in result.stderr
    assert packaged.read_bytes() == before and not (workspace / "templates").exists()
    listed = status_lines(workspace)
    assert listed["<packaged>/policy/ru.md.j2"] == "never reviewed"


def test_a_bad_review_date_is_refused_by_the_command_line(workspace):
    result = run_cli("review", "sign", "policy/ru.md.j2", "--by", REVIEWER, "--on", "2026-02-30", "-w", workspace)
    assert result.exit_code == 2
    assert "2026-02-30" in result.output
