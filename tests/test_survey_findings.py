"""Survey findings computed from the data: counts, denominators and Wilson intervals checked by hand, and small
cells suppressed with their complements, through `policygen submission evidence --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLE_SUBMISSION, run_cli
from survey_helpers import FREE_TEXT_MARK, SMALL_CODEBOOK, csv_text, small_rows, survey_workspace

# Wilson 95 % intervals worked out by hand from the quadratic (n + z²)p² - (2x + z²)p + x²/n = 0, z = 1.959964:
# 5 of 18, 3 of 10, 2 of 8 and 3 of 4 (the last three as printed in tables of the Wilson interval).
HAND_COUNTED = {
    "harassed": {"count": 5, "denominator": 18, "interval": (0.1250, 0.5087), "no_answer": 2, "not_asked": 0},
    "silent": {"count": 3, "denominator": 4, "interval": (0.3006, 0.9544), "no_answer": 1, "not_asked": 15},
}
HAND_COUNTED_ROLES = {"A": (3, 10, (0.1078, 0.6032)), "B": (2, 8, (0.0715, 0.5907))}


def evidence(workspace: Path) -> dict:
    result = run_cli("submission", "evidence", EXAMPLE_SUBMISSION, "-w", workspace, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_counts_denominators_and_wilson_intervals_match_the_hand_counted_dataset(tmp_path):
    workspace = survey_workspace(tmp_path, csv_text(small_rows()).encode("utf-8"), suppress_below=1)
    found = evidence(workspace)
    assert (found["source"], found["respondents"], found["institutions"]) == ("data", 20, 3)
    assert found["period"] == {"start": "2024-01-10", "end": "2024-02-20"}
    questions = {question["id"]: question for question in found["questions"]}
    for question_id, expected in HAND_COUNTED.items():
        question = questions[question_id]
        assert question["count"] == expected["count"] and question["denominator"] == expected["denominator"]
        assert question["share"] == pytest.approx(expected["count"] / expected["denominator"], abs=1e-6)
        assert question["interval"] == pytest.approx(expected["interval"], abs=1e-4)
        assert (question["no_answer"], question["not_asked"]) == (expected["no_answer"], expected["not_asked"])
    roles = {cell["value"]: cell for cell in questions["harassed"]["groups"][0]["cells"]}
    assert set(roles) == {"A", "B"}
    for value, (count, denominator, interval) in HAND_COUNTED_ROLES.items():
        assert (roles[value]["count"], roles[value]["denominator"]) == (count, denominator)
        assert roles[value]["interval"] == pytest.approx(interval, abs=1e-4)


def two_group_rows(counts: dict[str, tuple[int, int]]) -> list[list[str]]:
    """Rows with, per role, (yes, no) answers to q1 and nothing to q2."""
    rows = [["inst", "role", "q1", "q2", "comment"]]
    for role, (yes, no) in counts.items():
        rows += [["h1", role, "Да", "", ""]] * yes + [["h1", role, "Нет", "", ""]] * no
    return rows


def role_cells(workspace: Path) -> dict[str, dict]:
    question = evidence(workspace)["questions"][0]
    return {cell["value"]: cell for cell in question["groups"][0]["cells"]}


def test_a_cell_under_the_threshold_is_suppressed_and_so_is_its_complement_in_a_two_group_breakdown(tmp_path):
    workspace = survey_workspace(tmp_path, csv_text(two_group_rows({"A": (50, 60), "B": (5, 40)})).encode())
    found = evidence(workspace)
    assert found["threshold"] == 10
    overall = found["questions"][0]
    assert (overall["count"], overall["denominator"], overall["suppressed"]) == (55, 155, False)
    cells = role_cells(workspace)
    # B: 5 said yes, fewer than 10; A, though large, would give B away as 55 - 50 of 155 - 110
    for value in ("A", "B"):
        assert cells[value] == {**cells[value], "suppressed": True, "count": None, "denominator": None}
    table = run_cli("submission", "evidence", EXAMPLE_SUBMISSION, "-w", workspace)
    assert table.exit_code == 0, table.stderr
    assert [line.split()[-1] for line in table.stdout.splitlines() if line.startswith("  role: ")] == [
        "suppressed",
        "suppressed",
    ]


def test_the_complement_is_the_smallest_sibling_and_the_others_stay_shown(tmp_path):
    codebook_with_c = SMALL_CODEBOOK.replace(
        "      B: {ky: Б, ru: Б, en: B}\n", "      B: {ky: Б, ru: Б, en: B}\n      C: {ky: В, ru: В, en: C}\n"
    )
    rows = two_group_rows({"A": (50, 60), "B": (5, 40), "C": (20, 40)})
    workspace = survey_workspace(tmp_path, csv_text(rows).encode(), codebook=codebook_with_c)
    cells = role_cells(workspace)
    assert cells["B"]["suppressed"] and cells["C"]["suppressed"]  # C (60) is smaller than A (110)
    assert (cells["A"]["count"], cells["A"]["denominator"], cells["A"]["suppressed"]) == (50, 110, False)


def test_respondents_who_did_not_state_their_group_form_a_cell_that_is_protected_too(tmp_path):
    rows = two_group_rows({"A": (50, 60), "B": (30, 40)})
    rows += [["h1", "", "Да", "", ""]] * 3  # three who left their role blank
    workspace = survey_workspace(tmp_path, csv_text(rows).encode())
    cells = {cell["value"]: cell for cell in evidence(workspace)["questions"][0]["groups"][0]["cells"]}
    assert set(cells) == {"A", "B", None}
    assert cells[None]["suppressed"] and cells["B"]["suppressed"]  # else 83 - 50 - 30 would show the three
    assert not cells["A"]["suppressed"]


def test_free_text_never_reaches_the_table_or_the_json(tmp_path):
    workspace = survey_workspace(tmp_path, csv_text(small_rows()).encode("utf-8"))
    for extra in ((), ("--json",)):
        result = run_cli("submission", "evidence", EXAMPLE_SUBMISSION, "-w", workspace, *extra)
        assert result.exit_code == 0, result.stderr
        assert FREE_TEXT_MARK not in result.stdout and "начальник" not in result.stdout
