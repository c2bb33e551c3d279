"""`policygen check`: coverage of the policy elements, honest claims, the JSON shape, --strict and the report."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from conftest import REPO, copy_workspace, run_cli
from PIL import Image

from policygen import TemplateRenderer, open_workspace

LANGUAGES = {
    "ak-tilek-fmc": ["ky", "ru"],
    "bishkek-city-hospital": ["ky", "ru", "en"],
    "osh-medical-university": ["ky", "ru", "en"],
}


DRAFT_MARK_RU = TemplateRenderer(open_workspace(REPO).template_search_path()).strings("ru").text("draft_mark")


def override_policy_skeleton(workspace: Path, edit) -> None:
    """Copy the packaged policy skeleton, which declares the elements each clause covers in every language, into
    the workspace's templates/ and edit the copy."""
    target = workspace / "templates" / "policy" / "skeleton.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    source = (REPO / "templates" / "policy" / "skeleton.yaml").read_text(encoding="utf-8")
    target.write_text(edit(source), encoding="utf-8")


def remove_claim(element: str):
    """An edit of a skeleton that takes `element` out of every clause's list of covered elements."""

    def edit(text: str) -> str:
        lines = []
        for line in text.splitlines(keepends=True):
            if line.strip().startswith("covers: ["):
                claims = [claim for claim in line.split("[")[1].split("]")[0].split(", ") if claim != element]
                line = line.split("[")[0] + "[" + ", ".join(claims) + "]\n"
            lines.append(line)
        return "".join(lines)

    return edit


@pytest.fixture(scope="module")
def example_check_json():
    result = run_cli("check", "--json", "-w", REPO)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # progress goes to stderr


def test_examples_pass_in_every_language(example_check_json):
    assert example_check_json["passed"] is True
    assert {entry["id"]: sorted(entry["languages"]) for entry in example_check_json["institutions"]} == {
        institution: sorted(languages) for institution, languages in LANGUAGES.items()
    }


def test_json_has_its_documented_stable_shape(example_check_json):
    assert example_check_json["format"] == 1
    assert len(example_check_json["elements"]) == 36
    assert set(example_check_json["elements"][0]) == {"id", "level", "description", "refs"}
    institution = example_check_json["institutions"][0]
    assert set(institution) == {"id", "profile", "type", "passed", "example", "errors", "warnings", "languages"}
    language = institution["languages"]["ru"]
    assert set(language) == {
        "passed",
        "missing_required",
        "elements",
        "unsupported_claims",
        "draft_documents",
        "readability",
        "pages",
    }
    element = language["elements"][0]
    assert set(element) == {"id", "level", "required", "covered", "clauses"}
    assert set(element["clauses"][0]) == {"document", "document_title", "number", "title"}


def test_university_requires_the_teaching_relations_and_others_do_not(example_check_json):
    required = {
        entry["id"]: next(
            element["required"]
            for element in entry["languages"]["ru"]["elements"]
            if element["id"] == "education_power_relations"
        )
        for entry in example_check_json["institutions"]
    }
    assert required == {"ak-tilek-fmc": False, "bishkek-city-hospital": False, "osh-medical-university": True}


def test_table_names_each_element_with_the_clause_that_covers_it():
    result = run_cli("check", "ak-tilek-fmc", "-w", REPO)
    assert result.exit_code == 0, result.stderr
    assert re.search(r"non_retaliation\s+core\s+yes\s+yes\s+.*policy \d+", result.output)
    assert "1 institutions passed the check, 0 failed" in result.output


def test_removing_a_core_claim_fails_naming_the_element_in_every_language(tmp_path):
    workspace = copy_workspace(tmp_path)
    override_policy_skeleton(workspace, remove_claim("consultation_workers_union"))
    result = run_cli("check", "bishkek-city-hospital", "-w", workspace)
    assert result.exit_code == 1
    for lang in ("ky", "ru", "en"):
        assert f"{lang}: required element consultation_workers_union is not covered" in result.stderr
    assert "C190 Art.9(a)" in result.stderr and "bishkek-city-hospital.yaml" in result.stderr


def test_switching_off_optional_clauses_reports_the_recommended_element_without_failing(tmp_path):
    workspace = copy_workspace(tmp_path)
    profile = workspace / "institutions" / "ak-tilek-fmc.yaml"
    profile.write_text(
        profile.read_text(encoding="utf-8")
        + "\nclauses:\n  disable: [policy/informal-resolution, complaint-procedure/informal-route]\n",
        encoding="utf-8",
    )
    result = run_cli("check", "ak-tilek-fmc", "--json", "-w", workspace)
    assert result.exit_code == 0, result.stderr
    [institution] = json.loads(result.stdout)["institutions"]
    for lang in ("ky", "ru"):
        [element] = [e for e in institution["languages"][lang]["elements"] if e["id"] == "informal_resolution_option"]
        assert element["covered"] is False and element["required"] is False


def test_a_claim_the_text_does_not_support_fails_the_check(tmp_path):
    workspace = copy_workspace(tmp_path)
    override_policy_skeleton(
        workspace,
        lambda text: text.replace("covers: [policy_review_cycle]", "covers: [policy_review_cycle, non_retaliation]"),
    )
    result = run_cli("check", "ak-tilek-fmc", "-w", workspace)
    assert result.exit_code == 1
    assert "clause policy/review claims non_retaliation, but its text does not say it" in result.stderr


def test_strict_build_writes_nothing_for_an_institution_that_fails_the_check(tmp_path):
    workspace = copy_workspace(tmp_path)
    override_policy_skeleton(workspace, remove_claim("consultation_workers_union"))
    result = run_cli("build", "ak-tilek-fmc", "--strict", "--format", "docx", "-w", workspace)
    assert result.exit_code == 1
    assert "required element consultation_workers_union is not covered" in result.stderr
    assert not (workspace / "output").exists()
    assert run_cli("build", "ak-tilek-fmc", "--format", "docx", "-w", workspace).exit_code == 0


def test_documents_from_unreviewed_text_carry_the_draft_mark_and_check_lists_them(tmp_path):
    result = run_cli("build", "ak-tilek-fmc", "--lang", "ru", "--format", "docx", "-w", REPO, "--out", tmp_path)
    assert result.exit_code == 0, result.stderr
    header = docx.Document(str(tmp_path / "ak-tilek-fmc" / "ru" / "policy.docx")).sections[0].header
    assert DRAFT_MARK_RU in [paragraph.text for paragraph in header.paragraphs]
    listed = run_cli("check", "ak-tilek-fmc", "-w", REPO).output
    assert re.search(r"draft, text not reviewed by a legal translator: .*policy \(ky, ru\)", listed), listed


def test_reviewed_text_carries_no_draft_mark(tmp_path):
    workspace = copy_workspace(tmp_path)
    shutil.copytree(REPO / "templates", workspace / "templates")
    russian = [path for path in (workspace / "templates").rglob("*") if path.name in ("ru.md.j2", "ru.yaml")]
    signed = run_cli("review", "sign", *russian, "--by", "A. Translator", "-w", workspace)
    assert signed.exit_code == 0, signed.stderr
    assert run_cli("build", "ak-tilek-fmc", "--lang", "ru", "--format", "docx", "-w", workspace).exit_code == 0
    header = docx.Document(str(workspace / "output" / "ak-tilek-fmc" / "ru" / "policy.docx")).sections[0].header
    assert not [p.text for p in header.paragraphs if p.text == DRAFT_MARK_RU]


def test_the_shipped_review_record_holds_no_review():
    # policygen never marks a text reviewed by itself: until a translator signs, every document is a draft
    listed = (REPO / "templates" / "translation-review.yaml").read_text(encoding="utf-8")
    assert "\nreviewed: {}\n" in listed
    status = run_cli("review", "status", "-w", REPO)
    assert status.exit_code == 0
    assert re.search(r"^(\d+) files: 0 reviewed, 0 changed since their review, \1 never reviewed$", status.output, re.M)


@pytest.fixture(scope="module")
def coverage_report(tmp_path_factory) -> Path:
    out_dir = tmp_path_factory.mktemp("report")
    result = run_cli("check", "--report", "-w", REPO, "--out", out_dir)
    assert result.exit_code == 0, result.stderr
    return out_dir / "coverage"


def test_report_builds_in_both_formats_and_every_language(coverage_report):
    found = sorted(path.relative_to(coverage_report).as_posix() for path in coverage_report.rglob("*.*"))
    assert found == [f"{lang}/coverage-report.{suffix}" for lang in ("en", "ky", "ru") for suffix in ("docx", "pdf")]


def test_report_heat_map_is_the_same_picture_in_docx_and_pdf(coverage_report):
    for lang in ("ky", "ru", "en"):
        with zipfile.ZipFile(coverage_report / lang / "coverage-report.docx") as archive:
            [media] = [name for name in archive.namelist() if name.startswith("word/media/")]
            picture = Image.open(io.BytesIO(archive.read(media)))
        reader = pypdf.PdfReader(str(coverage_report / lang / "coverage-report.pdf"))
        images = {image.name: image for page in reader.pages for image in page.images}  # pages share resources
        assert len(images) == 1
        [image] = images.values()
        assert image.image.size == picture.size
        assert image.image.convert("RGB").tobytes() == picture.convert("RGB").tobytes()
        assert picture.size[0] > 1000 and picture.size[1] > 100
