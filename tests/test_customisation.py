"""Clause customisation in the profile: switch off, add, replace; core clauses and broken places refused."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from conftest import copy_workspace, line_of, normalized_words, pdf_text, run_cli

PROFILE = "ak-tilek-fmc"


def customised_workspace(tmp_path: Path, clauses_yaml: str) -> tuple[Path, Path, str]:
    workspace = copy_workspace(tmp_path)
    profile = workspace / "institutions" / f"{PROFILE}.yaml"
    text = profile.read_text(encoding="utf-8") + "\n" + clauses_yaml
    profile.write_text(text, encoding="utf-8")
    return workspace, profile, text


def build(workspace: Path, *options: str):
    return run_cli("build", PROFILE, "-w", workspace, *options)


def docx_paragraphs(path: Path) -> list[str]:
    return [paragraph.text for paragraph in docx.Document(str(path)).paragraphs]


def test_switched_off_optional_clause_disappears_from_every_language(tmp_path):
    workspace, _, _ = customised_workspace(tmp_path, "clauses:\n  disable: [policy/informal-resolution]\n")
    assert build(workspace, "--format", "docx").exit_code == 0
    for lang, title in (("ru", "Неформальное урегулирование"), ("ky", "Расмий эмес")):
        paragraphs = docx_paragraphs(workspace / "output" / PROFILE / lang / "policy.docx")
        assert not [text for text in paragraphs if text.startswith(title)], lang


ADDED = """clauses:
  add:
    - id: night-escort
      after: policy/prevention
      title:
        ky: Түнкү кезмектен кийин коштоп баруу
        ru: Сопровождение после ночных смен
      text:
        ky: |
          Түнкү кезмектен кийин кызматкерди **айылдын** борборуна чейин коштоп барышат.

          1. Кезмек бүткөндө коштоочу дайындалат.
          2. Коштоо акысыз.
        ru: |
          После ночной смены работника провожают до центра **села**. Текст {{ 7*7 }} не вычисляется.

          1. В конце смены назначается сопровождающий.
          2. Сопровождение бесплатно.
"""


def test_added_clause_appears_after_its_place_with_numbered_points_in_docx_and_pdf(tmp_path):
    workspace, _, _ = customised_workspace(tmp_path, ADDED)
    result = build(workspace, "--lang", "ru")
    assert result.exit_code == 0, result.stderr
    out = workspace / "output" / PROFILE / "ru"
    document = docx.Document(str(out / "policy.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name == "Clause Heading"]
    prevention = next(index for index, text in enumerate(headings) if text.startswith("Профилактика"))
    assert headings[prevention + 1] == "Сопровождение после ночных смен"
    points = [p for p in document.paragraphs if p.text == "В конце смены назначается сопровождающий."]
    assert points and points[0].style.name == "Clause Point"
    words = " ".join(normalized_words(pdf_text(out / "policy.pdf")))
    assert f"{prevention + 2}. Сопровождение после ночных смен" in words
    assert "Текст {{ 7*7 }} не вычисляется." in words


def test_replaced_clause_keeps_its_title_and_place_with_the_new_text(tmp_path):
    workspace, _, _ = customised_workspace(
        tmp_path,
        """clauses:
  replace:
    - clause: policy/review
      text:
        ky: Жобо жыл сайын кайра каралат.
        ru: Положение пересматривается ежегодно.
""",
    )
    assert build(workspace, "--format", "docx").exit_code == 0
    paragraphs = docx_paragraphs(workspace / "output" / PROFILE / "ru" / "policy.docx")
    assert "Положение пересматривается ежегодно." in paragraphs


@pytest.mark.parametrize(
    "clauses_yaml, marker, message",
    [
        (
            "clauses:\n  disable: [policy/non-retaliation]\n",
            "policy/non-retaliation",
            "cannot be switched off: it covers the required element(s) non_retaliation",
        ),
        (
            "clauses:\n  disable: [complaint-procedure/investigation]\n",
            "complaint-procedure/investigation",
            "required element(s) investigation_process",
        ),
        (
            "clauses:\n  replace:\n    - clause: policy/scope\n      text: {ky: x, ru: y}\n",
            "policy/scope",
            "cannot be replaced: it covers the required element(s) scope_persons",
        ),
        (
            "clauses:\n  disable: [policy/no-such-clause]\n",
            "no-such-clause",
            "document policy has no clause 'no-such-clause'",
        ),
        (
            "clauses:\n  add:\n    - id: x\n      after: policy/nowhere\n      title: {ky: X, ru: X}\n      text: {ky: x, ru: y}\n",
            "policy/nowhere",
            "document policy has no clause 'nowhere'",
        ),
        (
            "clauses:\n  add:\n    - id: x\n      after: manual/scope\n      title: {ky: X, ru: X}\n      text: {ky: x, ru: y}\n",
            "manual/scope",
            "no document 'manual' in the set",
        ),
        (
            "clauses:\n  add:\n    - id: x\n      after: policy/scope\n      title: {ky: X, ru: X}\n      text: {ky: '### H', ru: y}\n",
            "text: {ky:",
            "paragraphs, lists and tables only",
        ),
        (
            "clauses:\n  add:\n    - id: x\n      after: policy/scope\n      title: {ky: X, ru: X}\n"
            '      text: {ky: x, ru: "- a\\n\\n  ::: note\\n  b\\n  :::\\n"}\n',
            "text: {ky:",
            "paragraphs, lists and tables only",
        ),
        (
            "clauses:\n  add:\n    - id: x\n      after: policy/scope\n      title: {ky: X, ru: X}\n"
            '      text: {ky: x, ru: "- a\\n  - b\\n    - c\\n      - d\\n"}\n',
            "text: {ky:",
            "lists nest deeper than 3 levels",
        ),
        (
            "clauses:\n  add:\n    - id: complaint-form\n      after: complaint-procedure/purpose\n"
            "      title: {ky: X, ru: X}\n      text: {ky: x, ru: y}\n",
            "id: complaint-form",
            "document complaint-procedure already has a clause or an annex 'complaint-form'",
        ),
    ],
)
def test_invalid_customisation_fails_naming_the_profile_line(tmp_path, clauses_yaml, marker, message):
    workspace, profile, text = customised_workspace(tmp_path, clauses_yaml)
    result = build(workspace, "--format", "docx")
    assert result.exit_code == 1
    assert message in result.stderr
    assert re.search(rf"{re.escape(str(profile))}:{line_of(text, marker)}:\d+: clauses\.", result.stderr), result.stderr
    assert not (workspace / "output").exists()


def test_broken_cross_reference_in_a_profile_clause_fails_naming_the_profile_line(tmp_path):
    workspace, profile, text = customised_workspace(
        tmp_path,
        """clauses:
  add:
    - id: escort
      after: policy/prevention
      title: {ky: Коштоо, ru: Сопровождение}
      text:
        ky: Караңыз @ref(policy#prevention).
        ru: См. @ref(complaint-procedure#nowhere).
""",
    )
    result = build(workspace, "--format", "docx")
    assert result.exit_code == 1
    assert "complaint-procedure has no clause 'nowhere'" in result.stderr
    assert f"{profile}:{line_of(text, 'nowhere')}:" in result.stderr


def test_cross_reference_in_a_profile_clause_resolves_to_the_clause_number(tmp_path):
    workspace, _, _ = customised_workspace(
        tmp_path,
        """clauses:
  add:
    - id: escort
      after: policy/prevention
      title: {ky: Коштоо, ru: Сопровождение}
      text:
        ky: Караңыз @ref(policy#prevention).
        ru: См. @ref(policy#prevention).
""",
    )
    assert build(workspace, "--format", "docx", "--lang", "ru").exit_code == 0
    paragraphs = docx_paragraphs(workspace / "output" / PROFILE / "ru" / "policy.docx")
    assert any(re.fullmatch(r"См\. раздел \d+ «Профилактика[^»]*»\.", text) for text in paragraphs), paragraphs
