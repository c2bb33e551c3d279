"""The survey's codebook: which column holds each question and group, which answers count, and the study's texts."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from policygen.errors import Diagnostic, ProfileError
from policygen.inputs.profiles import located, validate_located
from policygen.inputs.schema import Date, Flag, Line, LocalizedText, Slug, StrictModel
from policygen.inputs.strict_yaml import format_key_path, load_yaml_mapping

MAX_QUESTIONS = 40
MAX_GROUPS = 10
MAX_GROUP_VALUES = 100


class Question(StrictModel):
    """A yes/no question of the questionnaire, as the export writes its answers."""

    id: Slug
    """Short id of the question, used in the tables and the chart."""
    column: Line
    """The column of the export that holds the answers (its header, exactly)."""
    label: LocalizedText
    """What a 'yes' means, as the note prints it, e.g. {ru: сообщили, что подвергались домогательствам}."""
    yes: list[Line] = Field(min_length=1, max_length=20)
    """The answers that count as yes, exactly as the export writes them, e.g. [Да, да, 1]."""
    no: list[Line] = Field(min_length=1, max_length=20)
    """The answers that count as no; any answer neither here, in `yes` nor in `no_answer` is an error."""
    no_answer: list[Line] = Field(default_factory=list, max_length=20)
    """Answers that mean no answer (e.g. Затрудняюсь ответить); a blank cell always does."""
    among: Slug | None = None
    """Asked only of those who answered yes to this earlier question (e.g. experienced): its denominator."""

    @model_validator(mode="after")
    def _disjoint(self) -> Question:
        seen: dict[str, str] = {}
        for kind in ("yes", "no", "no_answer"):
            for value in getattr(self, kind):
                if value in seen:
                    raise ValueError(f"answer {value!r} is listed under both {seen[value]} and {kind}")
                seen[value] = kind
        return self


class Group(StrictModel):
    """A characteristic respondents are grouped by (role, institution type, region)."""

    id: Slug
    """Short id of the group, e.g. role."""
    column: Line
    """The column of the export that holds it."""
    label: LocalizedText
    """The group's name, e.g. {ru: Должность}."""
    values: dict[Line, LocalizedText] = Field(min_length=1, max_length=MAX_GROUP_VALUES)
    """Each value as the export writes it, with its label per language; any other value is an error."""


class Codebook(StrictModel):
    """What the columns of a survey export mean, and the texts of the study."""

    synthetic: Flag = False
    """true when the data are synthetic (generated, not collected): every document built from them says so."""
    title: LocalizedText
    """Title of the study."""
    period_start: Date
    """First day of the fieldwork (YYYY-MM-DD)."""
    period_end: Date
    """Last day of the fieldwork (YYYY-MM-DD)."""
    method: LocalizedText
    """How the survey was run (anonymous questionnaire, sampling...)."""
    institution_column: Line
    """The column that holds each respondent's institution (a code): the note counts the institutions."""
    questions: list[Question] = Field(min_length=1, max_length=MAX_QUESTIONS)
    """The questions whose findings the note prints, in order."""
    groups: list[Group] = Field(default_factory=list, max_length=MAX_GROUPS)
    """The characteristics findings are broken down by."""

    @model_validator(mode="after")
    def _consistent(self) -> Codebook:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        problems = []
        ids: dict[str, str] = {}
        columns = {self.institution_column: "institution_column"}
        earlier: set[str] = set()
        entries: list[tuple[str, int, Question | Group]] = [
            *(("questions", index, question) for index, question in enumerate(self.questions)),
            *(("groups", index, group) for index, group in enumerate(self.groups)),
        ]
        for kind, index, item in entries:
            if item.id in ids:
                problems.append(_problem((kind, index, "id"), f"id {item.id!r} is used by {ids[item.id]} too"))
            ids.setdefault(item.id, f"{kind}[{index}]")
            if item.column in columns:
                message = f"column {item.column!r} is read by {columns[item.column]} too"
                problems.append(_problem((kind, index, "column"), message))
            columns.setdefault(item.column, f"{kind}[{index}]")
            if isinstance(item, Question):
                if item.among is not None and item.among not in earlier:
                    problems.append(
                        _problem((kind, index, "among"), f"among {item.among!r} is not an earlier question")
                    )
                earlier.add(item.id)
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self

    def columns(self) -> list[str]:
        """Every column the findings read; no other column of the export is kept."""
        items: list[Question | Group] = [*self.questions, *self.groups]
        return [self.institution_column, *(item.column for item in items)]


def _problem(loc: tuple[str | int, ...], message: str) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError("value_error", message), loc=loc, input="")


def load_codebook(path: Path, languages: list[str]) -> Codebook:
    """The validated codebook; raises ProfileError with every problem located in the file, including a text
    missing in one of the submission's `languages`."""
    loaded = load_yaml_mapping(path)
    locations = located(loaded)
    codebook = validate_located(Codebook, loaded.data, locations, path)
    missing = []
    for key_path, text in _texts(codebook):
        for lang in languages:
            if lang not in text:
                where = locations.get(key_path)
                missing.append(
                    Diagnostic(
                        str(path),
                        f"no {lang} text, but the submission is written in {lang}",
                        where.line if where else None,
                        where.column if where else None,
                        format_key_path(key_path),
                        f"add `{lang}: ...` here",
                    )
                )
    if missing:
        raise ProfileError(missing)
    return codebook


def _texts(codebook: Codebook):
    yield ("title",), codebook.title
    yield ("method",), codebook.method
    for index, question in enumerate(codebook.questions):
        yield ("questions", index, "label"), question.label
    for index, group in enumerate(codebook.groups):
        yield ("groups", index, "label"), group.label
        for value, label in group.values.items():
            yield ("groups", index, "values", value), label
