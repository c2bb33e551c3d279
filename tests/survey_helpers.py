"""A workspace whose example submission reads a small survey export written by the test, and its tiny dataset."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import EXAMPLE_SUBMISSION, REPO, copy_workspace, edit

EXAMPLE_DATA = "    data: data/synthetic-survey-2026.csv\n"
EXAMPLE_CODEBOOK = "    codebook: data/synthetic-survey-2026.codebook.yaml\n"

SMALL_CODEBOOK = """\
title: {ky: Сынак, ru: Проверка, en: Test}
period_start: 2024-01-10
period_end: 2024-02-20
method: {ky: сурамжылоо, ru: анкетирование, en: questionnaire}
institution_column: inst
questions:
  - id: harassed
    column: q1
    label: {ky: дуушар болушкан, ru: подвергались, en: experienced it}
    yes: [Да]
    no: [Нет]
    no_answer: [Не знаю]
  - id: silent
    column: q2
    among: harassed
    label: {ky: кабарлашкан эмес, ru: не сообщили, en: did not report it}
    yes: [Да]
    no: [Нет]
groups:
  - id: role
    column: role
    label: {ky: Кызматы, ru: Должность, en: Role}
    values:
      A: {ky: А, ru: А, en: A}
      B: {ky: Б, ru: Б, en: B}
"""

FREE_TEXT_MARK = "FREE-TEXT-SECRET"


def small_rows() -> list[list[str]]:
    """The hand-counted dataset: header, then 11 respondents of role A and 9 of role B in three institutions.

    q1 (harassed): A 3 yes, 7 no, 1 blank; B 2 yes, 6 no, 1 'Не знаю' -> 5 of 18, two without an answer.
    q2 (silent), asked of the 5 who said yes: A yes, yes, no; B yes, blank -> 3 of 4, one without an answer."""
    header = ["inst", "role", "q1", "q2", "comment"]
    a = [["h1", "A", "Да", answer, ""] for answer in ("Да", "Да", "Нет")]
    a += [["h1" if i < 4 else "h2", "A", "Нет", "", ""] for i in range(7)]
    a += [["h2", "A", "", "", f"{FREE_TEXT_MARK} мой начальник, кабинет 12"]]
    b = [["h3", "B", "Да", answer, ""] for answer in ("Да", "")]
    b += [["h3", "B", "Нет", "", ""] for _ in range(6)]
    b += [["h2", "B", "Не знаю", "", f'{FREE_TEXT_MARK}; with a separator, and "quotes"']]
    return [header, *a, *b]


def csv_text(rows: list[list[str]], separator: str = ",") -> str:
    """The rows as CSV, each field quoted where it holds the separator, a quote or a line break."""
    lines = []
    for row in rows:
        cells = []
        for cell in row:
            if any(mark in cell for mark in (separator, '"', "\n")):
                cell = '"' + cell.replace('"', '""') + '"'
            cells.append(cell)
        lines.append(separator.join(cells))
    return "\r\n".join(lines) + "\r\n"


def survey_workspace(
    tmp_path: Path, data: bytes, suffix: str = ".csv", codebook: str = SMALL_CODEBOOK, suppress_below: int = 10
) -> Path:
    """A copy of the examples whose submission reads `data` (as submissions/data/survey<suffix>) and `codebook`,
    showing cells where at least `suppress_below` respondents gave each answer."""
    workspace = copy_workspace(tmp_path / "workspace")
    shutil.copytree(REPO / "submissions", workspace / "submissions")
    folder = workspace / "submissions" / "data"
    (folder / f"survey{suffix}").write_bytes(data)
    (folder / "survey.codebook.yaml").write_text(codebook, encoding="utf-8")
    edit(
        workspace / "submissions" / f"{EXAMPLE_SUBMISSION}.yaml",
        (EXAMPLE_DATA, f"    data: data/survey{suffix}\n"),
        (EXAMPLE_CODEBOOK, "    codebook: data/survey.codebook.yaml\n"),
        ("    suppress_below: 10\n", f"    suppress_below: {suppress_below}\n"),
    )
    return workspace
