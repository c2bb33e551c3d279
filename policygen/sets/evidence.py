"""The submission's survey evidence: its findings computed from the export and codebook (or typed by hand), and
the forms the note, the chart and `submission evidence` print them in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.numbers import format_percent

from policygen.errors import ProfileError
from policygen.inputs.codebook import load_codebook
from policygen.inputs.profiles import located
from policygen.inputs.strict_yaml import load_yaml_mapping
from policygen.inputs.submission_schema import Submission, Survey
from policygen.inputs.survey_data import read_survey
from policygen.inputs.workspace import Workspace
from policygen.render.locale import format_number, format_share
from policygen.render.strings import LanguageStrings
from policygen.sets.findings import Figure, QuestionFinding, SurveyFindings, compute_findings

SHARE_FORMAT = "#,##0.0%"


def survey_sources(workspace: Workspace, submission: Submission, path: Path) -> tuple[Path, Path] | None:
    """The survey's export and codebook, resolved against the submission file's folder; None when the figures are
    typed by hand. A path that leads out of the workspace (by '..', an absolute path or a link) is refused."""
    survey = submission.evidence.survey
    if survey.data is None or survey.codebook is None:
        return None
    root = workspace.root.resolve()
    resolved: list[Path] = []
    for key in ("data", "codebook"):
        given = getattr(survey, key)
        named = path.parent / given
        if not named.resolve().is_relative_to(root):
            raise _at(
                path,
                ("evidence", "survey", key),
                f"{given!r} leads outside the workspace",
                "keep the survey's files inside the workspace, e.g. in submissions/data/, and name them relative "
                "to the submission file",
            )
        if not named.is_file():
            raise _at(
                path,
                ("evidence", "survey", key),
                f"no file {given!r} beside the submission",
                f"name the survey's {key} file by its path relative to {path.name}'s folder",
            )
        resolved.append(named)  # named as the submission names it: messages never show where a link points
    return resolved[0], resolved[1]


def survey_findings(workspace: Workspace, submission: Submission, path: Path) -> SurveyFindings:
    """The findings the note prints: computed from the export and codebook the submission names, or the figures
    typed in it. Raises ProfileError at the first problem, naming the file, row and column."""
    survey = submission.evidence.survey
    sources = survey_sources(workspace, submission, path)
    if sources is None:
        return typed_findings(survey)
    data, codebook_path = sources
    codebook = load_codebook(codebook_path, list(submission.languages))
    table = read_survey(data, codebook.columns(), survey.sheet)
    return compute_findings(codebook, table, survey.suppress_below)


def typed_findings(survey: Survey) -> SurveyFindings:
    """The figures typed by hand in the submission, in the form computed ones take (nothing suppressed)."""
    assert survey.findings is not None and survey.title is not None and survey.method is not None
    assert survey.period_start is not None and survey.period_end is not None
    assert survey.respondents is not None and survey.institutions is not None
    questions = tuple(
        QuestionFinding(finding.id, dict(finding.label), Figure(finding.value, finding.denominator), None, None, None)
        for finding in survey.findings
    )
    return SurveyFindings(
        "typed",
        False,
        dict(survey.title),
        dict(survey.method),
        survey.period_start,
        survey.period_end,
        survey.respondents,
        survey.institutions,
        questions,
    )


def _at(path: Path, key_path: tuple[str, ...], message: str, hint: str) -> ProfileError:
    location = located(load_yaml_mapping(path)).get(key_path)
    return ProfileError.single(
        location.file if location else path,
        message,
        line=location.line if location else None,
        column=location.column if location else None,
        key_path=".".join(key_path),
        hint=hint,
    )


def figure_texts(figure: Figure, strings: LanguageStrings, threshold: int | None) -> dict[str, str]:
    """A figure as the note prints it: 'n of N', the share and its 95 % interval, in the language's format."""
    locale = strings.babel_locale
    if figure.suppressed:
        hidden = strings.text("survey_figures", "suppressed").format(threshold=threshold)
        return {"counts": hidden, "percent": "—", "interval": "—", "chart_label": hidden}
    counts = strings.text("survey_figures", "count_of_total").format(
        count=format_number(figure.count, locale), total=format_number(figure.denominator, locale)
    )
    low, high = figure.interval
    interval = strings.text("survey_figures", "interval").format(
        low=format_share_of(low, locale), high=format_share_of(high, locale)
    )
    percent = format_share(figure.count, figure.denominator, locale)
    return {"counts": counts, "percent": percent, "interval": interval, "chart_label": f"{percent} ({counts})"}


def format_share_of(share: float, locale: str) -> str:
    return format_percent(share, SHARE_FORMAT, locale=locale)


def findings_rows(findings: SurveyFindings, lang: str, strings: LanguageStrings) -> list[dict[str, Any]]:
    """Each question's figure as the note's table, the chart and the letter print it, in `lang`."""
    labels = {question.id: question.label[lang] for question in findings.questions}
    return [
        {
            "id": question.id,
            "label": question.label[lang],
            "value": question.figure.count,
            "denominator": question.figure.denominator,
            "share": question.figure.share if question.figure.denominator else 0.0,
            "bounds": None if question.figure.suppressed else question.figure.interval,
            "suppressed": question.figure.suppressed,
            "no_answer": question.no_answer,
            "among": labels.get(question.among) if question.among else None,
            **figure_texts(question.figure, strings, findings.threshold),
        }
        for question in findings.questions
    ]


def survey_context(findings: SurveyFindings, lang: str, strings: LanguageStrings) -> dict[str, Any]:
    """What the letter and the note know of the survey, in `lang`: every figure from `findings`."""
    rows = findings_rows(findings, lang, strings)
    return {
        "title": findings.title[lang],
        "method": findings.method[lang],
        "period_start": findings.period_start,
        "period_end": findings.period_end,
        "respondents": findings.respondents,
        "institutions": findings.institutions,
        "from_data": findings.source == "data",
        "synthetic": findings.synthetic,
        "threshold": findings.threshold,
        "findings": rows,
        "shown": [row for row in rows if not row["suppressed"]],
    }


def evidence_as_json(submission: Submission, findings: SurveyFindings) -> dict[str, Any]:
    """The findings for machines: every count, denominator, share and interval, overall and per group (a hidden
    cell has no figures), the labels in each language; never a respondent's own words."""
    return {
        "submission": submission.id,
        "source": findings.source,
        "synthetic": findings.synthetic,
        "read_as": findings.read_as,
        "period": {"start": findings.period_start.isoformat(), "end": findings.period_end.isoformat()},
        "respondents": findings.respondents,
        "institutions": findings.institutions,
        "threshold": findings.threshold,
        "questions": [
            {
                "id": question.id,
                "label": question.label,
                "among": question.among,
                **_figure_json(question.figure),
                "no_answer": question.no_answer,
                "not_asked": question.not_asked,
                "groups": [
                    {
                        "id": breakdown.group,
                        "label": breakdown.label,
                        "cells": [
                            {"value": cell.value, "label": cell.label, **_figure_json(cell.figure)}
                            for cell in breakdown.cells
                        ],
                    }
                    for breakdown in question.breakdowns
                ],
            }
            for question in findings.questions
        ],
    }


def _figure_json(figure: Figure) -> dict[str, Any]:
    if figure.suppressed:
        return {"suppressed": True, "count": None, "denominator": None, "share": None, "interval": None}
    low, high = figure.interval
    return {
        "suppressed": False,
        "count": figure.count,
        "denominator": figure.denominator,
        "share": round(figure.share, 6),
        "interval": [round(low, 6), round(high, 6)],
    }


def evidence_as_table(submission: Submission, findings: SurveyFindings) -> str:
    """The findings as a plain-text table: a line per question, then a line per group value beneath it."""
    if findings.source == "data":
        origin = f"computed from the survey data ({findings.read_as})"
        if findings.synthetic:
            origin += "; the data are SYNTHETIC"
    else:
        origin = "typed by hand in the submission, not computed from data"
    lines = [
        f"submission {submission.id}: {findings.respondents:,} respondents from {findings.institutions:,} "
        f"institutions, {findings.period_start} to {findings.period_end}; figures {origin}",
    ]
    if findings.threshold is not None:
        lines.append(
            f"a cell is shown only when at least {findings.threshold} respondents gave each answer; "
            "'suppressed' marks the others and those they could be worked out from"
        )
    rows = [("question / group", "count", "of", "share", "95% interval", "no answer")]
    for question in findings.questions:
        no_answer = "" if question.no_answer is None else f"{question.no_answer:,}"
        rows.append((question.id, *_figure_cells(question.figure), no_answer))
        for breakdown in question.breakdowns:
            for cell in breakdown.cells:
                name = "(not stated)" if cell.value is None else cell.value
                rows.append((f"  {breakdown.group}: {name}", *_figure_cells(cell.figure), ""))
    widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]))]
    for row in rows:
        lines.append(
            "  ".join(
                cell.ljust(width) if index == 0 else cell.rjust(width)
                for index, (cell, width) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    return "\n".join(lines)


def _figure_cells(figure: Figure) -> tuple[str, str, str, str]:
    if figure.suppressed:
        return ("suppressed", "", "", "")
    low, high = figure.interval
    return (f"{figure.count:,}", f"{figure.denominator:,}", f"{figure.share:.1%}", f"{low:.1%}-{high:.1%}")
