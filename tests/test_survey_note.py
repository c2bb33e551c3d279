"""The justification note made from the survey data: its table, chart and text agree with `submission evidence
--json` in every language and format; the package holds neither the data nor a word of the free-text answers, and
says the example's data are synthetic; figures typed by hand are marked as such."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import EXAMPLE_SUBMISSION, REPO, copy_workspace, edit, pdf_text, run_cli

import policygen.sets.submission as submission_set
from policygen import TemplateRenderer, open_workspace
from policygen.figures.chart import Bar
from policygen.model import to_data
from policygen.sets.model_set import build_model_documents
from policygen.sets.submission import load_submission, submission_documents

LANGUAGES = ("ky", "ru", "en")
TABLE_HEADS = {"ky": "Көрсөткүч", "ru": "Показатель", "en": "Finding"}
SYNTHETIC = {"ky": "синтетикалык", "ru": "синтетические", "en": "are synthetic"}
DATA = REPO / "submissions" / "data" / "synthetic-survey-2026.csv"
FREE_TEXT = "FREE-TEXT-"


@pytest.fixture(scope="module")
def evidence(submission_workspace) -> dict:
    result = run_cli("submission", "evidence", EXAMPLE_SUBMISSION, "-w", submission_workspace, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def squeezed(text: str) -> str:
    """Text without any white space (pdftotext breaks a cell's text where the PDF wraps it)."""
    return re.sub(r"\s+", "", text.replace("\u00ad", ""))


def digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def numbers(text: str) -> list[float]:
    return [
        float(number.replace(",", "."))
        for number in re.findall(r"\d+(?:[.,]\d+)?", re.sub(r"(?<=\d)[\s\u00a0\u202f,](?=\d{3}\b)", "", text))
    ]


def findings_table(path: Path, lang: str) -> list[list[str]]:
    table = next(table for table in docx.Document(str(path)).tables if table.rows[0].cells[1].text == TABLE_HEADS[lang])
    return [[cell.text for cell in row.cells] for row in table.rows[1:]]


@pytest.mark.slow
def test_note_table_and_text_agree_with_the_evidence_json_in_docx_and_pdf(submission_package, evidence):
    questions = evidence["questions"]
    assert evidence["source"] == "data" and evidence["synthetic"] is True
    for lang in LANGUAGES:
        note = next((submission_package / lang).glob("*-justification-note.docx"))
        rows = findings_table(note, lang)
        pdf = squeezed(pdf_text(note.with_suffix(".pdf")))
        assert len(rows) == len(questions), lang
        for row, question in zip(rows, questions, strict=True):
            _, label, counts, percent, interval = row
            assert label == question["label"][lang], lang
            if question["suppressed"]:
                assert percent == interval == "—"
                continue
            # "n of N": both numbers, in the language's order (ky writes N first)
            expected = sorted([question["count"], question["denominator"]])
            assert (
                sorted(int(digits(part)) for part in re.split(r"[^\d\s\u00a0\u202f,]+", counts) if digits(part))
                == expected
            )
            assert numbers(percent) == [round(question["share"] * 100, 1)], (lang, percent)
            assert numbers(interval) == [round(bound * 100, 1) for bound in question["interval"]], (lang, interval)
            for cell in (counts, percent, interval):
                assert squeezed(cell) in pdf, (lang, cell)
        text = " ".join(paragraph.text for paragraph in docx.Document(str(note)).paragraphs)
        plain = re.sub(r"(?<=\d)[\s\u00a0\u202f,](?=\d{3}\b)", "", text)
        assert re.search(rf"\b{evidence['respondents']}\b", plain) and re.search(
            rf"\b{evidence['institutions']}\b", plain
        )
        assert SYNTHETIC[lang] in text, lang
        for question in questions:  # who answered: the no-answer count of each question
            assert f"{question['no_answer']}" in plain
    english = " ".join(
        p.text for p in docx.Document(str(next((submission_package / "en").glob("*-note.docx")))).paragraphs
    )
    assert "from 3 October 2022 to 31 March 2023" in english and evidence["period"]["start"] == "2022-10-03"
    assert "Wilson score interval" in english and f"fewer than {evidence['threshold']} gave either answer" in english


@pytest.mark.slow
def test_chart_bars_are_the_shown_findings_labelled_as_the_table(submission_workspace, evidence, monkeypatch):
    drawn: list[list[Bar]] = []
    draw = submission_set.draw_bar_chart
    monkeypatch.setattr(submission_set, "draw_bar_chart", lambda bars: drawn.append(bars) or draw(bars))
    workspace = open_workspace(submission_workspace)
    renderer = TemplateRenderer(workspace.template_search_path())
    submission = load_submission(submission_workspace / "submissions" / f"{EXAMPLE_SUBMISSION}.yaml")
    shown = [question for question in evidence["questions"] if not question["suppressed"]]
    for lang in LANGUAGES:
        note = submission_documents(
            renderer, workspace, submission, [], build_model_documents(renderer, workspace, lang), lang
        )["justification-note"]
        bars = drawn.pop()
        assert [bar.caption for bar in bars] == [question["label"][lang] for question in shown]
        assert [bar.share for bar in bars] == pytest.approx([question["share"] for question in shown], abs=1e-6)
        for bar, question in zip(bars, shown, strict=True):
            assert bar.interval == pytest.approx(question["interval"], abs=1e-6)
        cells = json.dumps(to_data(note), ensure_ascii=False)
        for bar, question in zip(bars, shown, strict=True):
            percent, counts = re.fullmatch(r"(.+) \((.+)\)", bar.label).groups()
            assert json.dumps(percent, ensure_ascii=False) in cells and json.dumps(counts, ensure_ascii=False) in cells
            assert sorted(
                int(digits(part)) for part in re.split(r"[^\d\s\u00a0\u202f,]+", counts) if digits(part)
            ) == sorted([question["count"], question["denominator"]])


def every_text(package: Path) -> dict[str, str]:
    """Each file of the package (and each member of its zip) with every text a reader or a program could get at."""
    texts = {}
    for path in sorted(package.rglob("*")):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        texts[str(path)] = raw.decode("utf-8", "replace")
        if path.suffix == ".pdf":
            texts[f"{path} (text)"] = pdf_text(path)
        if path.suffix in (".docx", ".zip"):
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    texts[f"{path}!{name}"] = archive.read(name).decode("utf-8", "replace")
    return texts


@pytest.mark.slow
def test_no_free_text_answer_and_not_the_data_file_reach_any_file_of_the_package(submission_package):
    free_texts = {row.split(",")[-1] for row in DATA.read_text(encoding="utf-8").splitlines() if FREE_TEXT in row}
    assert len(free_texts) > 20  # the synthetic export does hold free text
    texts = every_text(submission_package)
    assert len(texts) > 100
    for where, text in texts.items():
        assert FREE_TEXT not in text and "must never reach" not in text and "не должен попасть" not in text, where
    assert not [where for where, text in texts.items() if DATA.name in text]  # not even the export's name
    with zipfile.ZipFile(submission_package / f"{EXAMPLE_SUBMISSION}.zip") as archive:
        names = archive.namelist()
        assert not [name for name in names if name.endswith((".csv", ".xlsx", ".yaml"))]
        data = DATA.read_bytes()
        assert all(archive.read(name) != data for name in names)


@pytest.mark.slow
def test_every_submission_document_says_the_survey_figures_are_synthetic(submission_package):
    for lang in LANGUAGES:
        for document in ("cover-letter", "annex-register", "draft-order", "justification-note"):
            path = next((submission_package / lang).glob(f"*-{document}.docx"))
            text = " ".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)
            assert SYNTHETIC[lang] in text, (lang, document)


TYPED_SURVEY = """\
  survey:
    title: {ky: Сурамжылоо, ru: Опрос, en: The survey}
    period_start: 2022-10-03
    period_end: 2023-03-31
    respondents: 1150
    institutions: 38
    method: {ky: анкета, ru: анкетирование, en: questionnaire}
    findings:
      - id: experienced
        label: {ky: дуушар болушкан, ru: подвергались, en: experienced it}
        value: 115
        denominator: 1150
"""


def test_figures_typed_by_hand_are_marked_as_such_in_the_note(tmp_path):
    workspace = copy_workspace(tmp_path)
    shutil.copytree(REPO / "submissions", workspace / "submissions")
    path = workspace / "submissions" / f"{EXAMPLE_SUBMISSION}.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  survey:\n")
    path.write_text(text[:start] + TYPED_SURVEY + text[text.index("  # EXAMPLE training figures") :], encoding="utf-8")
    result = run_cli("submission", "evidence", EXAMPLE_SUBMISSION, "-w", workspace, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["source"] == "typed"
    opened = open_workspace(workspace)
    renderer = TemplateRenderer(opened.template_search_path())
    model = build_model_documents(renderer, opened, "en")
    note = submission_documents(renderer, opened, load_submission(path), [], model, "en")["justification-note"]
    words = json.dumps(to_data(note), ensure_ascii=False)
    assert "transcribed by hand from the results of the survey, not computed from the answers" in words
    assert "115 of 1,150" in words and "Wilson" not in words and "are synthetic" not in words


def test_typed_figures_and_a_data_file_together_are_refused(tmp_path):
    workspace = copy_workspace(tmp_path)
    shutil.copytree(REPO / "submissions", workspace / "submissions")
    path = workspace / "submissions" / f"{EXAMPLE_SUBMISSION}.yaml"
    edit(path, ("    suppress_below: 10\n", "    suppress_below: 10\n    respondents: 1150\n"))
    result = run_cli("submission", "build", EXAMPLE_SUBMISSION, "-w", workspace)
    assert result.exit_code == 1
    assert re.search(
        r"union-2026\.yaml:\d+:\d+: evidence\.survey\.respondents: is computed from the data", result.stderr
    )


@pytest.mark.slow
def test_the_output_manifest_records_the_export_and_codebook_the_figures_were_computed_from(submission_workspace):
    manifest = json.loads((submission_workspace / "output" / "manifest.json").read_text(encoding="utf-8"))
    note = next(entry for entry in manifest["files"] if entry["path"].endswith("en/05-justification-note.pdf"))
    codebook = DATA.with_name("synthetic-survey-2026.codebook.yaml")
    assert note["inputs"]["survey"] == [
        {"path": "submissions/data/" + path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        for path in (DATA, codebook)
    ]
