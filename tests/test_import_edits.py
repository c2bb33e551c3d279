"""`policygen import-edits FILE.docx --profile ID`: a lawyer's Word edits to clauses brought back into the profile."""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import docx
import pytest
from conftest import copy_workspace, files_under, pdf_text, run_cli
from test_redline import hostile_file

INSTITUTION = "bishkek-city-hospital"
REVIEW_SENTENCE = "Положение пересматривается не реже"  # starts the point of policy/review, an optional clause
NEW_SENTENCE = (  # the point as built, its profile value (every 3 years) untouched, with a third occasion for review
    "Положение пересматривается не реже одного раза в 3 года совместно с профсоюзной организацией, а также "
    "незамедлительно при изменении законодательства, после серьёзного инцидента или по письменному требованию "
    "профсоюзной организации."
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with the examples and the hospital's Russian policy built as DOCX and PDF."""
    workspace = copy_workspace(tmp_path_factory.mktemp("import") / "workspace")
    result = run_cli(
        "build", INSTITUTION, "-w", workspace, "--doc", "policy", "--doc", "complaint-procedure", "--lang", "ru", "-q"
    )
    assert result.exit_code == 0, result.stderr
    return workspace


@pytest.fixture
def workspace(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built workspace, for a test that changes its profile."""
    return Path(shutil.copytree(built, tmp_path / "workspace"))


def policy_docx(workspace: Path) -> Path:
    return workspace / "output" / INSTITUTION / "ru" / "policy.docx"


def profile(workspace: Path) -> Path:
    return workspace / "institutions" / f"{INSTITUTION}.yaml"


def edited(source: Path, target: Path, starts_with: str, new_text: str, underline: bool = False) -> Path:
    """The DOCX with the paragraph starting with `starts_with` rewritten, as a lawyer would in Word."""
    document = docx.Document(str(source))
    paragraph = next(p for p in document.paragraphs if p.text.startswith(starts_with))
    for run in paragraph.runs[1:]:
        run._r.getparent().remove(run._r)
    paragraph.runs[0].text = new_text
    paragraph.runs[0].underline = underline or None
    document.save(str(target))
    return target


def import_file(workspace: Path, path: Path, *options: str):
    return run_cli("import-edits", path, "--profile", INSTITUTION, "-w", workspace, *options)


def test_an_edited_optional_clause_is_imported_rebuilt_into_docx_and_pdf_and_a_second_import_changes_nothing(
    workspace, tmp_path
):
    original = profile(workspace).read_text(encoding="utf-8")
    lawyer = edited(policy_docx(workspace), tmp_path / "lawyer.docx", REVIEW_SENTENCE, NEW_SENTENCE)
    result = import_file(workspace, lawyer)
    assert result.exit_code == 0, result.stderr
    assert re.match(r"policy/review \(\d+\. Пересмотр Положения\): imported\n", result.stdout)
    changed = profile(workspace).read_text(encoding="utf-8")
    removed = [line for line in difflib.ndiff(original.splitlines(), changed.splitlines()) if line.startswith("- ")]
    assert removed == []  # every line of the profile, its comments among them, is still there as it was
    assert changed.startswith(original) and "clause: policy/review" in changed
    rebuild = run_cli("build", INSTITUTION, "-w", workspace, "--doc", "policy", "--lang", "ru", "-q")
    assert rebuild.exit_code == 0, rebuild.stderr
    assert NEW_SENTENCE in [p.text for p in docx.Document(str(policy_docx(workspace))).paragraphs]
    pdf = re.sub(r"\s+", " ", pdf_text(policy_docx(workspace).with_suffix(".pdf")))
    assert NEW_SENTENCE in pdf
    again = import_file(workspace, policy_docx(workspace))
    assert again.exit_code == 0 and "no clause changed; nothing to import" in again.stdout
    assert profile(workspace).read_text(encoding="utf-8") == changed


def test_dry_run_prints_what_would_change_and_writes_nothing(workspace, tmp_path):
    before = profile(workspace).read_bytes()
    lawyer = edited(policy_docx(workspace), tmp_path / "lawyer.docx", REVIEW_SENTENCE, NEW_SENTENCE)
    result = import_file(workspace, lawyer, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "would be imported" in result.stdout and "nothing written" in result.stdout
    assert profile(workspace).read_bytes() == before


def test_an_edit_to_a_deadline_is_refused_with_the_profile_key_to_change_instead(workspace, tmp_path):
    before = profile(workspace).read_bytes()
    procedure = policy_docx(workspace).with_name("complaint-procedure.docx")  # the procedure states the deadlines
    document = docx.Document(str(procedure))
    run = next(r for p in document.paragraphs for r in p.runs if re.search(r"\b4 календарных", r.text))
    run.text = re.sub(r"\b4 календарных", "6 календарных", run.text, count=1)
    document.save(str(tmp_path / "lawyer.docx"))
    result = import_file(workspace, tmp_path / "lawyer.docx")
    assert result.exit_code == 1
    assert "not imported: the edit changes what the profile's deadlines.decision_days ('4') prints" in result.stderr
    assert "hint: change deadlines.decision_days in the profile instead" in result.stderr
    assert profile(workspace).read_bytes() == before


def non_retaliation_points(workspace: Path) -> list[str]:
    document = docx.Document(str(policy_docx(workspace)))
    paragraphs = document.paragraphs
    start = next(
        i for i, p in enumerate(paragraphs) if p.style.style_id == "ClauseHeading" and "ответных мер" in p.text
    )
    points = []
    for paragraph in paragraphs[start + 1 :]:
        if paragraph.style.style_id == "ClauseHeading":
            break
        points.append(paragraph.text)
    return points


def test_an_edit_removing_what_a_required_element_needs_is_refused_naming_the_element(workspace, tmp_path):
    before = profile(workspace).read_bytes()
    prohibition = non_retaliation_points(workspace)[0]
    assert prohibition.startswith("Запрещается применять ответные меры")  # the clause's only prohibition
    lawyer = edited(policy_docx(workspace), tmp_path / "lawyer.docx", prohibition[:40], "Работники вежливы.")
    result = import_file(workspace, lawyer)
    assert result.exit_code == 1
    assert "no longer expresses the required element(s) non_retaliation" in result.stderr
    assert profile(workspace).read_bytes() == before


def test_an_edit_to_a_required_clause_that_keeps_its_notions_is_imported_and_still_passes_the_check(
    workspace, tmp_path
):
    points = non_retaliation_points(workspace)
    first = points[0]
    lawyer = edited(
        policy_docx(workspace), tmp_path / "lawyer.docx", first[:40], first + " Это правило действует бессрочно."
    )
    result = import_file(workspace, lawyer)
    assert result.exit_code == 0, result.stderr
    assert "imported" in result.stdout
    check = run_cli("check", INSTITUTION, "-w", workspace, "-q")
    assert check.exit_code == 0, check.stderr


def test_formatting_the_profile_cannot_keep_is_reported(workspace, tmp_path):
    lawyer = edited(policy_docx(workspace), tmp_path / "lawyer.docx", REVIEW_SENTENCE, NEW_SENTENCE, underline=True)
    result = import_file(workspace, lawyer)
    assert result.exit_code == 0, result.stderr
    assert re.search(r"policy/review .*warning: formatting not kept: underlining", result.stderr)


def test_pending_tracked_changes_are_taken_accepted_or_rejected(workspace, tmp_path):
    lawyer = edited(policy_docx(workspace), tmp_path / "lawyer.docx", REVIEW_SENTENCE, NEW_SENTENCE)
    tracked = tmp_path / "tracked.docx"
    assert run_cli("redline", policy_docx(workspace), lawyer, "-o", tracked).exit_code == 0
    before = profile(workspace).read_bytes()
    rejected = import_file(workspace, tracked, "--pending", "reject")
    assert rejected.exit_code == 0 and "no clause changed" in rejected.stdout
    assert profile(workspace).read_bytes() == before
    accepted = import_file(workspace, tracked)
    assert accepted.exit_code == 0 and "policy/review" in accepted.stdout
    assert NEW_SENTENCE in profile(workspace).read_text(encoding="utf-8")


def test_a_file_without_clause_bookmarks_is_refused_with_a_hint(workspace, tmp_path):
    document = docx.Document()
    document.add_paragraph("Положение пересматривается ежегодно.")
    document.save(str(tmp_path / "plain.docx"))
    before = profile(workspace).read_bytes()
    result = import_file(workspace, tmp_path / "plain.docx")
    assert result.exit_code == 2
    assert (
        "the file has no clause bookmarks" in result.stderr
        and "hint: import a DOCX that policygen built" in result.stderr
    )
    assert profile(workspace).read_bytes() == before


@pytest.mark.parametrize(
    "kind",
    ["entity-bomb", "external-entity", "external-relationship", "macro-enabled", "zip-bomb", "pdf-renamed"],
)
def test_a_hostile_file_is_refused_and_the_profile_is_untouched(workspace, tmp_path, kind):
    hostile = hostile_file(kind, policy_docx(workspace), tmp_path)
    before = files_under(workspace)
    result = import_file(workspace, hostile)
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 2
    assert result.stderr.startswith(f"{hostile}: ") and "\n    hint: " in result.stderr
    assert files_under(workspace) == before
