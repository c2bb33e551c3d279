"""The submission profile schema: the union's submission of the model documents to the Ministry of Health."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from policygen.inputs.schema import (
    MAX_LANGUAGES,
    MAX_LINE,
    Count,
    Date,
    Days,
    Email,
    Flag,
    Lang,
    LegalReferences,
    Line,
    LocalizedName,
    LocalizedText,
    Person,
    Phone,
    ProperName,
    Slug,
    StrictModel,
    _parse_count,
    _text,
)


class Sender(StrictModel):
    """The organisation that sends the submission (the union), as its letterhead shows it."""

    name: LocalizedName
    """Full name of the organisation in each language (it is the author of every document of the package)."""
    address: LocalizedText
    """Postal address in each language."""
    phone: Phone
    """Phone number."""
    email: Email
    """E-mail address."""
    registration: Line | None = None
    """Registration details printed on the letterhead, e.g. the state registration number."""
    chair: Person
    """Who signs the letter (the chair)."""
    executor_name: ProperName
    """The executor (исполнитель / аткаруучу) who prepared the letter, printed at its foot."""
    executor_phone: Phone
    """The executor's phone number."""


class Addressee(StrictModel):
    """Who the letter is addressed to, in the forms the letter prints."""

    position: LocalizedText
    """Position in the form of the address block, e.g. {ru: Министру здравоохранения Кыргызской Республики}."""
    name: ProperName
    """Name in the form of the address block, e.g. {ru: А. А. Асанову}."""
    salutation: LocalizedText
    """The salutation line, e.g. {ru: Уважаемый Алмаз Асанович!}."""


class Outgoing(StrictModel):
    """The letter's registration on the sender's side."""

    number: Line
    """Outgoing number, e.g. 01-12/45."""
    date: Date
    """Date of the letter (YYYY-MM-DD)."""
    in_reply_to: Line | None = None
    """Number and date of the Ministry's letter this answers, if any."""


class Finding(StrictModel):
    """A key finding of the survey: a count out of the number of people asked."""

    id: Slug
    """Short id of the finding, used in charts and tables."""
    label: LocalizedText
    """What was counted, e.g. {ru: сообщили, что подвергались сексуальным домогательствам}."""
    value: Count
    """How many respondents."""
    denominator: Count
    """Out of how many respondents (who answered this question)."""

    @model_validator(mode="after")
    def _fraction(self) -> Finding:
        if self.denominator == 0:
            raise ValueError("denominator must be more than 0")
        if self.value > self.denominator:
            raise ValueError(f"value {self.value} is larger than its denominator {self.denominator}")
        return self


SurveyPath = Annotated[str, Field(min_length=1, max_length=MAX_LINE), BeforeValidator(_text)]
TYPED_SURVEY_KEYS = ("title", "period_start", "period_end", "respondents", "institutions", "method", "findings")


class Survey(StrictModel):
    """The union's survey of health workers and students: its export and codebook (`data`, `codebook`), from which
    every figure is computed, or the figures typed by hand (`title` ... `findings`), which the note marks as such."""

    data: SurveyPath | None = None
    """The survey's export, CSV (UTF-8 or Windows-1251; comma, semicolon or tab) or XLSX, relative to this file and
    inside the workspace; it never enters the package."""
    codebook: SurveyPath | None = None
    """The codebook (YAML) saying what the export's columns mean, relative to this file and inside the workspace."""
    sheet: Line | None = None
    """The sheet of an XLSX export to read; the first one when left out."""
    suppress_below: Annotated[int, Field(ge=1, le=1000), BeforeValidator(_parse_count)] = 10
    """A cell is shown only when at least this many respondents gave each answer (a sibling that would let a reader
    subtract their way to a hidden cell is hidden too)."""
    title: LocalizedText | None = None
    """Typed by hand: title of the study."""
    period_start: Date | None = None
    """Typed by hand: first day of the fieldwork (YYYY-MM-DD)."""
    period_end: Date | None = None
    """Typed by hand: last day of the fieldwork (YYYY-MM-DD)."""
    respondents: Count | None = None
    """Typed by hand: number of people who answered."""
    institutions: Count | None = None
    """Typed by hand: number of institutions where respondents work or study."""
    method: LocalizedText | None = None
    """Typed by hand: how the survey was run (anonymous questionnaire, sampling...)."""
    findings: list[Finding] | None = Field(default=None, min_length=1)
    """Typed by hand: key findings, each a number with its denominator."""

    @model_validator(mode="after")
    def _consistent(self) -> Survey:
        typed = [key for key in TYPED_SURVEY_KEYS if getattr(self, key) is not None]
        if self.data is not None or self.codebook is not None:
            errors = [_key_error(key, getattr(self, key), "is computed from the data: remove it") for key in typed]
            errors += [_missing(key) for key in ("data", "codebook") if getattr(self, key) is None]
            if errors:
                raise ValidationError.from_exception_data(type(self).__name__, errors)
            return self
        if self.sheet is not None:
            raise ValueError("sheet is given without data")
        missing = [_missing(key) for key in TYPED_SURVEY_KEYS if getattr(self, key) is None]
        if missing:
            raise ValidationError.from_exception_data(type(self).__name__, missing)
        assert self.period_start and self.period_end and self.findings and self.respondents is not None
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        larger = [finding.id for finding in self.findings if finding.denominator > self.respondents]
        if larger:
            raise ValueError(f"findings {', '.join(larger)} have a denominator larger than respondents")
        return self

    @property
    def from_data(self) -> bool:
        return self.data is not None


def _missing(key: str) -> InitErrorDetails:
    return InitErrorDetails(type="missing", loc=(key,), input={})


def _key_error(key: str, value: Any, message: str) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError("value_error", message), loc=(key,), input=value)


class TrainingEvidence(StrictModel):
    """The trainings the union ran."""

    people: Count
    """Number of people trained."""
    sessions: Count
    """Number of sessions held."""
    period: LocalizedText
    """When, e.g. {ru: март–сентябрь 2025 года}."""
    modules: list[LocalizedText] = Field(min_length=1)
    """Modules taught."""


class Evidence(StrictModel):
    """The evidence the justification note presents."""

    example_values: Flag
    """true while the figures are examples to be replaced by the real survey figures: every document then says so
    (synthetic survey data, whose codebook says `synthetic: true`, are named as such)."""
    survey: Survey
    """The survey."""
    trainings: TrainingEvidence
    """The trainings."""


class AnnexId(str, Enum):
    draft_order = "draft-order"
    policy = "policy"
    code_of_conduct = "code-of-conduct"
    complaint_procedure = "complaint-procedure"
    training_programme = "training-programme"
    justification_note = "justification-note"
    coverage_report = "coverage-report"


MODEL_DOCUMENTS = ("policy", "code-of-conduct", "complaint-procedure", "training-programme")
"""The model documents: the draft order's annexes, numbered first in the register."""


class MinistryOrder(StrictModel):
    """What the draft Ministry order asks of health organisations."""

    adopt_within_days: Days
    """Days for every health organisation to adopt its own documents on the model."""
    report_by: Date
    """Date by which organisations report to the Ministry on adoption (YYYY-MM-DD)."""
    responsible_unit: LocalizedText
    """Ministry unit that monitors implementation."""
    control_by: LocalizedText
    """Who controls execution, in the form after «возложить на:», e.g. {ru: заместителя министра ...}."""


class Cost(StrictModel):
    """What putting the model documents into practice costs: one item, with its amount or marked to be estimated."""

    purpose: LocalizedText
    """What the money is for, e.g. {ru: тревожные кнопки в кабинетах, где работают в одиночку ночью}."""
    amount_kgs: Count | None = None
    """The estimated amount in soms; leave it out only with `to_be_estimated: true`."""
    to_be_estimated: Flag = False
    """true while nobody has estimated the amount: the documents then say it is still to be estimated."""
    basis: LocalizedText | None = None
    """How the amount is counted or who bears it, e.g. {ru: на одну организацию, однократно}."""

    @model_validator(mode="after")
    def _amount_or_estimate(self) -> Cost:
        if (self.amount_kgs is None) != self.to_be_estimated:
            raise ValueError("give either amount_kgs or to_be_estimated: true, not both and not neither")
        return self


class ReplyPeriod(StrictModel):
    """The period within which the law on citizens' appeals obliges the Ministry to reply, as the letter asks it."""

    working_days: Days
    """Working days from registration, e.g. 14."""
    verified: Flag
    """true once a lawyer has checked the period against the law in force; false prints the legal-review mark."""


class Submission(StrictModel):
    """A submission profile: the letter, the evidence and the package sent to the Ministry of Health."""

    model_config = ConfigDict(title="policygen submission profile")

    id: Slug
    """Submission id: lowercase letters, digits and hyphens, equal to the file name without .yaml."""
    example: Flag = False
    """true for the shipped example: every document of its package then says it is an example to be replaced."""
    languages: list[Lang] = Field(min_length=2, max_length=MAX_LANGUAGES)
    """Languages of the package: ky and ru at least (en optional)."""
    original: Lang
    """Which language version is the original (the state language, ky, under the State Language Law)."""
    sender: Sender
    """The union."""
    addressee: Addressee
    """The Minister."""
    outgoing: Outgoing
    """Outgoing number and date of the letter."""
    subject: LocalizedText
    """Subject line of the letter, e.g. {ru: О направлении на утверждение проектов типовых документов ...}."""
    request: list[LocalizedText] = Field(min_length=1)
    """What the union asks the Ministry to do, one action per item."""
    evidence: Evidence
    """Survey and training figures."""
    legal_references: LegalReferences | None = None
    """Entries added to (or replacing, by id) the register of institutions/_national.yaml, which the letter, the
    note and the draft order cite from, each where its `applies_to` allows."""
    ministry_order: MinistryOrder
    """Content of the draft Ministry order."""
    costs: list[Cost] = Field(min_length=1)
    """What putting the model documents into practice costs, item by item (the justification note's financing)."""
    reply_period: ReplyPeriod
    """The period the letter asks the Ministry to reply within (the law on citizens' appeals)."""
    annexes: list[AnnexId] = Field(min_length=1)
    """Annexes in the order they are attached; the draft order's annexes are the model documents."""

    @model_validator(mode="after")
    def _consistent(self) -> Submission:
        missing = [lang for lang in ("ky", "ru") if lang not in self.languages]
        if missing:
            raise ValueError(f"languages must include ky and ru (missing: {', '.join(missing)})")
        if self.original not in self.languages:
            raise ValueError(f"original {self.original} is not among languages")
        if len(set(self.annexes)) != len(self.annexes):
            raise ValueError("annexes lists an annex twice")
        numbered = [annex.value in MODEL_DOCUMENTS for annex in self.annexes if annex is not AnnexId.draft_order]
        if numbered != sorted(numbered, reverse=True):
            order = PydanticCustomError(
                "value_error",
                "lists a model document after another annex: the model documents are the draft order's annexes "
                "and keep the same numbers 1, 2, ... in the register and in the order",
            )
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [InitErrorDetails(type=order, loc=("annexes",), input=[a.value for a in self.annexes])],
            )
        return self


def submission_json_schema() -> dict[str, Any]:
    """The JSON Schema of a submission profile."""
    schema = Submission.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
