"""`policygen review sheet`: a DOCX for a legal translator with one row per part of a document's skeleton."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
import yaml
from conftest import REPO, run_cli

from policygen import TemplateRenderer, open_workspace

TEMPLATES = REPO / "templates"
RENDERER = TemplateRenderer(open_workspace(REPO).template_search_path())


def skeleton_part_ids(doc_id: str) -> list[str]:
    """The parts a skeleton declares, in order, each shared clause replaced by the parts of its own skeleton."""
    ids = []
    for part in yaml.safe_load((TEMPLATES / doc_id / "skeleton.yaml").read_text(encoding="utf-8"))["parts"]:
        if "shared" in part:
            ids += skeleton_part_ids(f"clauses/{part['shared']}")
        else:
            ids.append(part.get("clause") or part["annex"])
    return ids


def sheet_rows(path: Path) -> list[list[str]]:
    [table] = docx.Document(str(path)).tables
    return [[cell.text for cell in row.cells] for row in table.rows]


@pytest.mark.parametrize("doc_id", ["policy", "complaint-procedure", "adoption-order"])
def test_review_sheet_rows_match_the_skeleton_parts_in_every_language(tmp_path, doc_id):
    target = tmp_path / "sheet.docx"

    result = run_cli("review", "sheet", doc_id, "-o", target, "-w", REPO)

    assert result.exit_code == 0, result.stderr
    header, *rows = sheet_rows(target)
    assert header == ["id", *(RENDERER.strings(lang).name for lang in ("ky", "ru", "en"))]
    part_rows = [row for row in rows if row[0] != "—"]
    assert [row[0] for row in part_rows] == skeleton_part_ids(doc_id)
    for row in part_rows:
        ky, ru, en = row[1:]
        assert ky and ru and en, row[0]
        assert len({ky, ru, en}) == 3, row[0]
    if not part_rows:  # a document without clauses (the order) is reviewed as one row
        [(_outside, *texts)] = rows
        assert all(texts)


def test_review_sheet_cells_hold_the_model_documents_clause_texts(tmp_path):
    model = tmp_path / "model"
    built = run_cli("build", "--model", "--doc", "policy", "--format", "docx", "-w", REPO, "--out", model)
    assert built.exit_code == 0, built.stderr
    target = tmp_path / "policy-sheet.docx"
    assert run_cli("review", "sheet", "policy", "-o", target, "-w", REPO).exit_code == 0

    rows = {row[0]: row[1:] for row in sheet_rows(target)[1:]}
    for column, lang in enumerate(("ky", "ru", "en")):
        paragraphs = [
            paragraph.text for paragraph in docx.Document(str(model / "model" / lang / "policy.docx")).paragraphs
        ]
        sanctions = rows["sanctions"][column].splitlines()
        start = paragraphs.index(sanctions[0])
        assert paragraphs[start : start + len(sanctions)] == sanctions, lang


def test_review_sheet_of_an_unknown_document_is_refused(tmp_path):
    result = run_cli("review", "sheet", "no-such-document", "-o", tmp_path / "x.docx", "-w", REPO)
    assert result.exit_code == 2
    assert "'no-such-document' is not one of" in result.stderr
    assert not (tmp_path / "x.docx").exists()
