"""Reading real survey exports: UTF-8 (with or without BOM) and Windows-1251 CSV, comma, semicolon or tab, and XLSX,
give the same findings; a problem in the data is one error naming the file, row and column."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLE_SUBMISSION, edit, run_cli
from survey_helpers import csv_text, small_rows, survey_workspace

from policygen import EXIT_FAILED, open_workspace
from policygen.builders.submission import submission_inputs_key
from policygen.inputs import survey_data
from policygen.sets.submission import load_submission


def xlsx_bytes(rows: list[list[str]], sheet: str = "Ответы", before: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    first = workbook.active
    if before is not None:  # a sheet of notes before the answers
        first.title = before
        first.append(["Выгрузка формы опроса"])
        target = workbook.create_sheet(sheet)
    else:
        first.title = sheet
        target = first
    for row in rows:
        target.append([cell or None for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def evidence(workspace: Path) -> dict:
    result = run_cli("submission", "evidence", EXAMPLE_SUBMISSION, "-w", workspace, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


EXPORTS = {
    "utf-8 comma": (lambda rows: csv_text(rows).encode("utf-8"), ".csv", "CSV, UTF-8, comma-separated"),
    "utf-8 bom tab": (lambda rows: b"\xef\xbb\xbf" + csv_text(rows, "\t").encode(), ".tsv", "CSV, UTF-8, tab"),
    "cp1251 semicolon": (lambda rows: csv_text(rows, ";").encode("cp1251"), ".csv", "Windows-1251, semicolon"),
    "xlsx": (xlsx_bytes, ".xlsx", "Excel workbook, sheet 'Ответы'"),
}


def test_utf8_csv_windows_1251_semicolon_csv_and_xlsx_give_identical_findings(tmp_path):
    found = {}
    for name, (encode, suffix, read_as) in EXPORTS.items():
        workspace = survey_workspace(tmp_path / name.replace(" ", "-"), encode(small_rows()), suffix, suppress_below=1)
        found[name] = evidence(workspace)
        assert read_as in found[name].pop("read_as"), name
    first = found["utf-8 comma"]
    assert first["respondents"] == 20 and first["questions"][0]["count"] == 5
    for name, other in found.items():
        assert other == first, name


def test_a_named_sheet_is_read_instead_of_the_first(tmp_path):
    workspace = survey_workspace(tmp_path, xlsx_bytes(small_rows(), before="Notes"), ".xlsx")
    submission = workspace / "submissions" / f"{EXAMPLE_SUBMISSION}.yaml"
    first_sheet = run_cli("submission", "evidence", EXAMPLE_SUBMISSION, "-w", workspace)
    assert first_sheet.exit_code == EXIT_FAILED and "no column 'inst'" in first_sheet.stderr
    edit(submission, ("    data: data/survey.xlsx\n", "    data: data/survey.xlsx\n    sheet: Ответы\n"))
    assert evidence(workspace)["respondents"] == 20


def messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line and not line.startswith("    hint: ")]


def with_cell(rows: list[list[str]], row: int, column: int, value: str) -> list[list[str]]:
    changed = [list(cells) for cells in rows]
    changed[row][column] = value
    return changed


@pytest.mark.parametrize(
    "make, suffix, where, message",
    [
        # row 7 of the data is line 8 of the file (after the header); q1 is the third column
        (lambda: csv_text(with_cell(small_rows(), 7, 2, "Может быть")).encode(), ".csv", ":8:3: q1: ", "answer"),
        (lambda: csv_text(with_cell(small_rows(), 4, 1, "C")).encode(), ".csv", ":5:2: role: ", "value 'C' of group"),
        (lambda: xlsx_bytes(with_cell(small_rows(), 7, 2, "Может быть")), ".xlsx", ":8:3: q1: ", "answer"),
        (
            lambda: csv_text([["inst", "role", "q1", "comment"], ["h1", "A", "Да", ""]]).encode(),
            ".csv",
            ":1: q2: ",
            "no column 'q2', which the codebook names",
        ),
        (
            lambda: (csv_text(small_rows()[:5]) + "h1,A,Да,Да,,extra\r\n").encode(),
            ".csv",
            ":6:6: ",
            "malformed row: 6 fields where the header has 5",
        ),
        (
            lambda: (csv_text(small_rows()[:5]) + 'h1,A,"Да,Да,\r\n').encode(),
            ".csv",
            ":6: ",
            "malformed row",
        ),
    ],
    ids=[
        "unknown answer",
        "unknown group value",
        "unknown answer in xlsx",
        "missing column",
        "extra field",
        "broken quote",
    ],
)
def test_a_problem_in_the_data_is_one_error_naming_file_row_and_column(tmp_path, make, suffix, where, message):
    workspace = survey_workspace(tmp_path, make(), suffix)
    for command in (("submission", "evidence"), ("submission", "build")):
        result = run_cli(*command, EXAMPLE_SUBMISSION, "-w", workspace)
        assert result.exit_code == EXIT_FAILED, result.stderr
        [line] = messages(result.stderr)
        data_file = workspace / "submissions" / "data" / f"survey{suffix}"
        assert line.startswith(f"{data_file}{where}"), line
        assert message in line and "hint:" in result.stderr
    assert not (workspace / "output").exists()


def test_a_header_that_could_be_split_two_ways_is_an_error_not_a_guess(tmp_path):
    text = "inst;role,q1;q2,comment\r\nh1;A,Да;Да,\r\n"
    workspace = survey_workspace(tmp_path, text.encode(), ".csv")
    result = run_cli("submission", "evidence", EXAMPLE_SUBMISSION, "-w", workspace)
    assert result.exit_code == EXIT_FAILED
    assert re.search(r"survey\.csv:1: cannot tell which separator .* comma and semicolon", result.stderr)


def test_a_survey_file_that_is_not_there_is_named_at_its_line_in_the_submission(tmp_path):
    workspace = survey_workspace(tmp_path, csv_text(small_rows()).encode())
    submission = workspace / "submissions" / f"{EXAMPLE_SUBMISSION}.yaml"
    text = edit(submission, ("    codebook: data/survey.codebook.yaml\n", "    codebook: data/survey.codebok.yaml\n"))
    line = text.splitlines().index("    codebook: data/survey.codebok.yaml") + 1
    result = run_cli("submission", "build", EXAMPLE_SUBMISSION, "-w", workspace)
    assert result.exit_code == EXIT_FAILED
    [message] = messages(result.stderr)
    assert (
        message
        == f"{submission}:{line}:15: evidence.survey.codebook: no file 'data/survey.codebok.yaml' beside the submission"
    )


@pytest.mark.parametrize("outside", ["../../../outside.csv", "/etc/passwd", "link.csv"])
def test_a_survey_path_leading_outside_the_workspace_is_refused_at_its_line(tmp_path, outside):
    workspace = survey_workspace(tmp_path, csv_text(small_rows()).encode())
    (tmp_path / "outside.csv").write_text(csv_text(small_rows()), encoding="utf-8")
    (workspace / "submissions" / "link.csv").symlink_to(tmp_path / "outside.csv")
    submission = workspace / "submissions" / f"{EXAMPLE_SUBMISSION}.yaml"
    text = edit(submission, ("    data: data/survey.csv\n", f"    data: {outside}\n"))
    line = text.splitlines().index(f"    data: {outside}") + 1
    result = run_cli("submission", "evidence", EXAMPLE_SUBMISSION, "-w", workspace)
    assert result.exit_code == EXIT_FAILED
    assert f"{submission}:{line}:11: evidence.survey.data: {outside!r} leads outside the workspace" in result.stderr


def test_blank_answers_are_reported_and_left_out_of_the_denominator(tmp_path):
    workspace = survey_workspace(tmp_path, csv_text(small_rows()).encode(), suppress_below=1)
    result = run_cli("submission", "evidence", EXAMPLE_SUBMISSION, "-w", workspace)
    assert result.exit_code == 0, result.stderr
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[3:] if not line.startswith(" ")}
    # 20 respondents: one blank and one 'Не знаю' leave 18 who answered, 5 of them yes
    assert rows["harassed"] == ["5", "18", "27.8%", "12.5%-50.9%", "2"]
    assert rows["silent"] == ["3", "4", "75.0%", "30.1%-95.4%", "1"]


def test_an_export_with_more_rows_than_the_limit_is_refused_at_the_first_row_past_it(tmp_path, monkeypatch):
    monkeypatch.setattr(survey_data, "MAX_SURVEY_ROWS", 5)
    workspace = survey_workspace(tmp_path, csv_text(small_rows()).encode())
    result = run_cli("submission", "evidence", EXAMPLE_SUBMISSION, "-w", workspace)
    assert result.exit_code == EXIT_FAILED
    assert f"{workspace / 'submissions' / 'data' / 'survey.csv'}:7: more than 5 rows" in result.stderr


def test_an_export_larger_than_the_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(survey_data, "MAX_SURVEY_BYTES", 100)
    workspace = survey_workspace(tmp_path, csv_text(small_rows()).encode())
    result = run_cli("submission", "evidence", EXAMPLE_SUBMISSION, "-w", workspace)
    assert result.exit_code == EXIT_FAILED
    assert "survey.csv: the file is larger than" in result.stderr


def test_changing_the_export_or_the_codebook_makes_the_package_again(tmp_path):
    workspace = survey_workspace(tmp_path, csv_text(small_rows()).encode())
    path = workspace / "submissions" / f"{EXAMPLE_SUBMISSION}.yaml"
    opened = open_workspace(workspace)

    def key() -> str | None:
        return submission_inputs_key(opened, load_submission(path), path, "environment")

    before = key()
    (workspace / "submissions" / "data" / "survey.csv").write_text(csv_text(small_rows()[:-1]), encoding="utf-8")
    after_data = key()
    codebook = workspace / "submissions" / "data" / "survey.codebook.yaml"
    edit(codebook, ("en: Test}", "en: Test of the survey}"))
    assert len({before, after_data, key()}) == 3


@pytest.mark.parametrize(
    "data, suffix, message",
    [
        (
            b"\xef\xbb\xbfinst,role,q1,q2\r\nh1,A,\xc4\xe0,\r\n",
            ".csv",
            "survey.csv:2: the file is marked as UTF-8 but is not",
        ),
        (csv_text(small_rows()).encode("utf-16"), ".csv", "survey.csv: the file is UTF-16, UTF-32 or binary"),
        (b"PK\x03\x04 not really a workbook", ".xlsx", "survey.xlsx: is not a readable Excel workbook"),
        (b"\xd0\xcf\x11\xe0 an Excel 97 file", ".xls", "survey.xls: cannot read .xls files"),
    ],
    ids=["bom but cp1251", "utf-16", "broken xlsx", "old xls"],
)
def test_an_unreadable_export_is_one_error_with_a_hint(tmp_path, data, suffix, message):
    workspace = survey_workspace(tmp_path, data, suffix)
    result = run_cli("submission", "evidence", EXAMPLE_SUBMISSION, "-w", workspace)
    assert result.exit_code == EXIT_FAILED
    [line] = messages(result.stderr)
    assert message in line and "hint: " in result.stderr


def test_a_workbook_unpacking_beyond_the_bound_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(survey_data, "MAX_SURVEY_UNPACKED_BYTES", 1000)
    workspace = survey_workspace(tmp_path, xlsx_bytes(small_rows()), ".xlsx")
    result = run_cli("submission", "evidence", EXAMPLE_SUBMISSION, "-w", workspace)
    assert result.exit_code == EXIT_FAILED
    assert "survey.xlsx: the workbook unpacks to more than" in result.stderr


@pytest.mark.parametrize(
    "old, new, key, message",
    [
        ("    no_answer: [Не знаю]\n", "    no_anwser: [Не знаю]\n", "questions[0].no_anwser", "unknown key"),
        (
            "    yes: [Да]\n    no: [Нет]\n    no_answer",
            "    yes: [Да]\n    no: [Да]\n    no_answer",
            "questions[0]",
            "answer 'Да' is listed under both yes and no",
        ),
        (
            "label: {ky: Кызматы, ru: Должность, en: Role}",
            "label: {ky: Кызматы, en: Role}",
            "groups[0].label",
            "no ru text, but the submission is written in ru",
        ),
        (
            "    among: harassed\n",
            "    among: silent\n",
            "questions[1].among",
            "among 'silent' is not an earlier question",
        ),
        (
            "  - id: silent\n    column: q2\n",
            "  - id: silent\n    column: q1\n",
            "questions[1].column",
            "column 'q1' is read by questions[0] too",
        ),
    ],
)
def test_a_broken_codebook_is_an_error_at_its_line(tmp_path, old, new, key, message):
    workspace = survey_workspace(tmp_path, csv_text(small_rows()).encode())
    codebook = workspace / "submissions" / "data" / "survey.codebook.yaml"
    edit(codebook, (old, new))
    result = run_cli("submission", "evidence", EXAMPLE_SUBMISSION, "-w", workspace)
    assert result.exit_code == EXIT_FAILED
    assert re.search(rf"{re.escape(str(codebook))}:\d+:\d+: {re.escape(key)}: {re.escape(message)}", result.stderr), (
        result.stderr
    )
