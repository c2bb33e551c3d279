"""The survey's codebook: which column holds each question and group, which answers count, and the study's texts."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

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
        items: list[Question | Group] = [*self.questions, *self.groups]
        ids = [item.id for item in items]
        repeated = sorted({item for item in ids if ids.count(item) > 1})
        if repeated:
            raise ValueError(f"ids used twice: {', '.join(repeated)}")
        columns = self.columns()
        repeated = sorted({column for column in columns if columns.count(column) > 1})
        if repeated:
            raise ValueError(f"columns used twice: {', '.join(repeated)}")
        earlier: set[str] = set()
        for question in self.questions:
            if question.among is not None and question.among not in earlier:
                raise ValueError(f"question {question.id}: among {question.among!r} is not an earlier question")
            earlier.add(question.id)
        return self

    def columns(self) -> list[str]:
        """Every column the findings read; no other column of the export is kept."""
        items: list[Question | Group] = [*self.questions, *self.groups]
        return [self.institution_column, *(item.column for item in items)]


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
