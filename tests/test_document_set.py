"""The institution's document set: same clauses in every language, consistent values, customisation, model set."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from conftest import REPO, copy_workspace, run_cli

from policygen import DOCUMENT_IDS, TemplateRenderer, build_documents, load_profile, open_workspace

PROFILE = "bishkek-city-hospital"


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def repository_sets():
    """Every example's document set in each of its languages, through the public API."""
    workspace = open_workspace(REPO)
    renderer = TemplateRenderer(workspace.template_search_path())
    sets = {}
    for path in workspace.institution_files():
        loaded = load_profile(path, workspace)
        for lang in loaded.profile.languages:
            sets[(loaded.profile.id, lang)] = build_documents(renderer, loaded, lang)
    return sets


def test_every_document_has_the_same_clause_ids_in_the_same_order_in_every_language(repository_sets):
    institutions = {institution for institution, _ in repository_sets}
    for institution in institutions:
        languages = [lang for owner, lang in repository_sets if owner == institution]
        for doc_id in DOCUMENT_IDS:
            outlines = {
                lang: [(clause.id, clause.covers) for clause in repository_sets[(institution, lang)][doc_id].clauses()]
                for lang in languages
            }
            first = outlines[languages[0]]
            assert all(outline == first for outline in outlines.values()), (institution, doc_id, outlines)


def test_definitions_confidentiality_and_non_retaliation_are_stated_in_the_policy_only(repository_sets):
    for documents in repository_sets.values():
        for clause_id in ("definitions", "confidentiality", "non-retaliation"):
            stated = [doc_id for doc_id, document in documents.items() if clause_id in document.clause_numbers()]
            assert stated == ["policy"], clause_id


def test_no_unresolved_reference_or_template_syntax_reaches_a_document(repository_sets):
    for (institution, lang), documents in repository_sets.items():
        for doc_id, document in documents.items():
            text = repr(document.blocks)
            assert "Ref(" not in text, (institution, lang, doc_id)
            for leftover in ("{{", "{%", "@ref", "Undefined", *(("None",) if lang != "en" else ())):
                assert leftover not in text, (institution, lang, doc_id, leftover)


def texts_before_and_after(tmp_path: Path, institution: str, lang: str, old: str, new: str) -> dict:
    """DOCX texts of an institution's set before and after one value of its profile changes."""
    workspace = copy_workspace(tmp_path)
    texts = {}
    for stage in ("before", "after"):
        if stage == "after":
            profile = workspace / "institutions" / f"{institution}.yaml"
            text = profile.read_text(encoding="utf-8")
            assert old in text
            profile.write_text(text.replace(old, new), encoding="utf-8")
        out_dir = workspace / stage
        result = run_cli("build", institution, "--lang", lang, "--format", "docx", "-w", workspace, "--out", out_dir)
        assert result.exit_code == 0, result.stderr
        texts[stage] = {doc_id: docx_text(out_dir / institution / lang / f"{doc_id}.docx") for doc_id in DOCUMENT_IDS}
    return texts


def test_changed_deadline_changes_every_document_that_mentions_it_and_only_those(tmp_path):
    texts = texts_before_and_after(tmp_path, PROFILE, "ru", "  decision_days: 4", "  decision_days: 9")
    changed = {doc_id for doc_id in DOCUMENT_IDS if texts["before"][doc_id] != texts["after"][doc_id]}
    stating_new_value = {
        doc_id
        for doc_id in DOCUMENT_IDS
        if re.search(r"\b9 (?:календарных )?дней", texts["after"][doc_id])
        and not re.search(r"\b9 (?:календарных )?дней", texts["before"][doc_id])
    }
    assert changed == stating_new_value
    assert "complaint-procedure" in changed
    assert "policy" not in changed  # the policy refers to the procedure's time limits, never repeats them


def test_knowledge_check_figures_come_from_the_profile_and_change_only_the_training_programme(tmp_path):
    figures = "training:\n  knowledge_check_questions: 12\n  pass_mark: 9\n  target_pass_percent: 75\n"
    texts = texts_before_and_after(tmp_path, "ak-tilek-fmc", "ru", "training:\n", figures)
    changed = {doc_id for doc_id in DOCUMENT_IDS if texts["before"][doc_id] != texts["after"][doc_id]}
    assert changed == {"training-programme"}
    programme = texts["after"]["training-programme"]
    assert "тест из 12 вопросов" in programme
    assert "Проходной балл — 9 правильных ответов." in programme
    assert "не менее 75 % участников" in programme


def test_changed_focal_point_changes_every_document_that_names_it_and_only_those(tmp_path):
    texts = texts_before_and_after(
        tmp_path, "ak-tilek-fmc", "ky", "Жапарова Айзада Эсенбековна", "Бейшеева Нургүл Маратовна"
    )
    changed = {doc_id for doc_id in DOCUMENT_IDS if texts["before"][doc_id] != texts["after"][doc_id]}
    naming = {doc_id for doc_id in DOCUMENT_IDS if "Бейшеева Нургүл Маратовна" in texts["after"][doc_id]}
    assert changed == naming
    assert {"policy", "complaint-procedure", "adoption-order"} <= naming
    assert not any("Жапарова" in text for text in texts["after"].values())


def test_model_documents_have_blanks_and_no_institutions_values(tmp_path):
    out_dir = tmp_path / "output"
    result = run_cli("build", "--model", "--format", "docx", "-w", REPO, "--out", out_dir)
    assert result.exit_code == 0, result.stderr
    workspace = open_workspace(REPO)
    specifics = set()
    for path in workspace.institution_files():
        profile = load_profile(path, workspace).profile
        specifics |= {
            *profile.name.values(),
            profile.contacts.phone,
            profile.contacts.email,
            *(
                person.name if isinstance(person.name, str) else next(iter(person.name.values()))
                for person in (profile.head, *profile.focal_points, profile.commission.chair)
            ),
        }
    built = sorted(out_dir.glob("model/*/*.docx"))
    assert len(built) == 3 * len(DOCUMENT_IDS)
    for path in built:
        text = docx_text(path)
        assert not [value for value in specifics if value in text], path
        assert text.count("_" * 24) >= 3, f"{path} has too few blanks for the institution's values"
        if "/en/" not in path.as_posix():
            assert "None" not in text
