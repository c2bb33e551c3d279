"""Computes the survey's findings from its rows: counts, denominators, shares with 95 % Wilson intervals, overall and
per group, with small cells suppressed so that no respondent's answer can be read or subtracted out."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass

from policygen.errors import ProfileError, quoted
from policygen.inputs.codebook import Codebook, Question
from policygen.inputs.survey_data import SurveyRow, SurveyTable

Z_95 = 1.959963984540054
"""The standard normal quantile of a two-sided 95 % interval."""
DEFAULT_THRESHOLD = 10
"""A cell is shown only when at least this many respondents gave each answer (yes and no)."""


def wilson_interval(count: int, denominator: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of the share count/denominator (Wilson 1927), which stays within 0-1 and behaves
    for small counts and shares near 0 or 1, unlike the normal approximation."""
    share = count / denominator
    z2 = z * z
    centre = (share + z2 / (2 * denominator)) / (1 + z2 / denominator)
    half = z / (1 + z2 / denominator) * math.sqrt(share * (1 - share) / denominator + z2 / (4 * denominator**2))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Figure:
    """A count out of those who answered; `suppressed` when it is not to be shown."""

    count: int
    denominator: int
    suppressed: bool = False

    @property
    def share(self) -> float:
        return self.count / self.denominator

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.count, self.denominator)


@dataclass(frozen=True)
class GroupCell:
    """One value of a group (None: the respondents who did not state it) and its figure."""

    value: str | None
    label: dict[str, str] | None
    figure: Figure


@dataclass(frozen=True)
class Breakdown:
    """A question's figures for each value of one group."""

    group: str
    label: dict[str, str]
    cells: tuple[GroupCell, ...]


@dataclass(frozen=True)
class QuestionFinding:
    """One question: its overall figure, who did not answer, and its breakdowns."""

    id: str
    label: dict[str, str]
    figure: Figure
    no_answer: int | None  # None for a figure typed by hand
    not_asked: int | None
    among: str | None
    breakdowns: tuple[Breakdown, ...] = ()


@dataclass(frozen=True)
class SurveyFindings:
    """Everything the note and `submission evidence` print about the survey, from one computation."""

    source: str  # "data": computed from the export; "typed": typed by hand in the submission
    synthetic: bool
    title: dict[str, str]
    method: dict[str, str]
    period_start: dt.date
    period_end: dt.date
    respondents: int
    institutions: int
    questions: tuple[QuestionFinding, ...]
    threshold: int | None = None
    read_as: str | None = None
    groups: tuple[tuple[str, dict[str, str]], ...] = ()


def compute_findings(codebook: Codebook, table: SurveyTable, threshold: int = DEFAULT_THRESHOLD) -> SurveyFindings:
    """The findings of every question of `codebook` from `table`; raises ProfileError at the first answer or group
    value the codebook does not know (file, row, column)."""
    answers = {question.id: [_answer(question, row, table) for row in table.rows] for question in codebook.questions}
    group_values = {group.id: [_group_value(group, row, table) for row in table.rows] for group in codebook.groups}
    institutions = {row.values[codebook.institution_column] for row in table.rows} - {""}
    questions = []
    suppressed_cells: dict[tuple[str, str], set[str | None]] = {}
    for question in codebook.questions:
        asked = [
            index
            for index in range(len(table.rows))
            if question.among is None or answers[question.among][index] == "yes"
        ]
        given = [index for index in asked if answers[question.id][index] in ("yes", "no")]
        figure = _figure(sum(answers[question.id][index] == "yes" for index in given), len(given), threshold)
        breakdowns = []
        for group in codebook.groups:
            tally: dict[str | None, Counter[str]] = {value: Counter() for value in group.values}
            for index in given:
                tally.setdefault(group_values[group.id][index], Counter())[answers[question.id][index]] += 1
            counts = {value: (tally[value]["yes"], sum(tally[value].values())) for value in tally if tally[value]}
            inherited = suppressed_cells.get((question.among, group.id), set()) if question.among else set()
            hidden = _suppressed(counts, threshold, inherited)
            suppressed_cells[(question.id, group.id)] = hidden
            cells = tuple(
                GroupCell(
                    value,
                    None if value is None else dict(group.values[value]),
                    Figure(count, denominator, value in hidden),
                )
                for value, (count, denominator) in counts.items()
            )
            breakdowns.append(Breakdown(group.id, dict(group.label), cells))
        questions.append(
            QuestionFinding(
                question.id,
                dict(question.label),
                figure,
                len(asked) - len(given),
                len(table.rows) - len(asked),
                question.among,
                tuple(breakdowns),
            )
        )
    return SurveyFindings(
        "data",
        codebook.synthetic,
        dict(codebook.title),
        dict(codebook.method),
        codebook.period_start,
        codebook.period_end,
        len(table.rows),
        len(institutions),
        tuple(questions),
        threshold,
        table.read_as,
        tuple((group.id, dict(group.label)) for group in codebook.groups),
    )


def _figure(count: int, denominator: int, threshold: int) -> Figure:
    if denominator == 0:
        return Figure(0, 0, True)
    return Figure(count, denominator, _too_few(count, denominator, threshold))


def _too_few(count: int, denominator: int, threshold: int) -> bool:
    """Fewer than `threshold` respondents gave one of the two answers: each of them could be singled out."""
    return count < threshold or denominator - count < threshold


def _suppressed(
    counts: dict[str | None, tuple[int, int]], threshold: int, inherited: set[str | None]
) -> set[str | None]:
    """The cells of one breakdown to hide: those with too few respondents (and those hidden in the question this
    one is asked among); then, while the hidden cells together could be recovered by subtracting the shown ones
    from the total and would show too few respondents, the smallest shown cell too."""
    hidden = {value for value, (count, total) in counts.items() if _too_few(count, total, threshold)}
    hidden |= inherited & set(counts)
    while hidden and len(hidden) < len(counts):
        count = sum(counts[value][0] for value in hidden)
        total = sum(counts[value][1] for value in hidden)
        if not _too_few(count, total, threshold):
            break
        shown = [value for value in counts if value not in hidden]
        hidden.add(min(shown, key=lambda value: counts[value][1]))
    return hidden


def _answer(question: Question, row: SurveyRow, table: SurveyTable) -> str:
    value = row.values[question.column]
    if value == "" or value in question.no_answer:
        return "none"
    if value in question.yes:
        return "yes"
    if value in question.no:
        return "no"
    known = ", ".join(repr(answer) for answer in (*question.yes, *question.no, *question.no_answer))
    raise ProfileError.single(
        table.file,
        f"answer {quoted(value)} to question {question.id} is not in the codebook",
        line=row.line,
        column=table.columns[question.column],
        key_path=question.column,
        hint=f"the codebook knows {known}; add the answer to yes, no or no_answer of question {question.id}",
    )


def _group_value(group, row: SurveyRow, table: SurveyTable) -> str | None:
    value = row.values[group.column]
    if value == "":
        return None
    if value in group.values:
        return value
    raise ProfileError.single(
        table.file,
        f"value {quoted(value)} of group {group.id} is not in the codebook",
        line=row.line,
        column=table.columns[group.column],
        key_path=group.column,
        hint=f"add it to the values of group {group.id} with its label in each language",
    )
