"""The institution profile schema: declared once, it validates profiles and exports the JSON Schema."""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

LANGUAGES = ("ky", "ru", "en")
"""The packaged languages, in their order; a workspace adds others with templates/strings/<language>.yaml."""
LANGUAGE_ID_PATTERN = r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$"
LANGUAGE_ID = re.compile(LANGUAGE_ID_PATTERN)
MAX_LANGUAGES = 10
Lang = Annotated[
    str,
    Field(
        pattern=LANGUAGE_ID_PATTERN,
        description="A language id: ky, ru or en (packaged), or one a workspace adds with a strings file.",
        examples=list(LANGUAGES),
    ),
]
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
EDUCATION_TYPES = frozenset({"university", "college"})

MAX_NAME = 255
"""Longest name or title: Word's document properties, which carry the institution's name, hold 255 characters."""
MAX_LINE = 1000
"""Longest other single-line text (an address, how to use a channel, a legal title)."""
MAX_IDENTIFIER = 100
"""Longest number or reference as written on a document (an order number, a record of minutes)."""
MAX_CLAUSE_TEXT = 8000
"""Longest text of a clause a profile adds or replaces, per language (about two pages)."""
MAX_CLAUSE_CHANGES = 20
"""Most clauses a profile may add, and most it may replace."""
MAX_LIST_ITEMS = 30
"""Most entries of a list of people, channels, services, legal bases, training sessions or switched-off clauses."""
MAX_BASES = 8
"""Most base profiles a profile may extend, directly or through its bases."""

_COUNT = re.compile(r"^(0|[1-9][0-9]*)$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{1,24}[0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _parse_count(value: Any) -> Any:
    """Counts and day numbers: digits as written in YAML, no leading zero, no fraction, no sign."""
    if isinstance(value, bool):
        raise ValueError("expected a whole number, got true/false")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        if _COUNT.match(value):
            return int(value)
        if re.match(r"^0[0-9]+$", value):
            raise ValueError(f"{value!r} has a leading zero; write it as {int(value)}")
        raise ValueError(f"expected a whole number, got {value!r}")
    raise ValueError(f"expected a whole number, got {type(value).__name__}")


def _parse_bool(value: Any) -> Any:
    """Only true and false: yes/no/on/off (YAML 1.1 booleans) are refused, never guessed."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError(f"expected true or false, got {value!r}")


def _parse_date(value: Any) -> Any:
    """Dates as YYYY-MM-DD, checked for real: 2024-02-30 is refused."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as error:
            raise ValueError(f"{value!r} is not a calendar date ({error})") from None
    raise ValueError(f"expected a date written YYYY-MM-DD, got {value!r}")


def _text(value: Any) -> Any:
    """Text fields take strings only: a number or date written unquoted stays the text the user typed."""
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("must not be empty")
        if "\n" in value.strip() or "\r" in value:
            raise ValueError("must be a single line")
        return value.strip()
    raise ValueError(f"expected text, got {type(value).__name__}")


def _localized(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    raise ValueError("expected a mapping of languages to texts, e.g. {ky: ..., ru: ..., en: ...}")


def _pattern(regex: re.Pattern[str], what: str):
    def check(value: Any) -> Any:
        value = _text(value)
        if not regex.match(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return check


Count = Annotated[int, Field(ge=0, le=1_000_000), BeforeValidator(_parse_count)]
Days = Annotated[int, Field(ge=1, le=365), BeforeValidator(_parse_count)]
Flag = Annotated[bool, BeforeValidator(_parse_bool)]
Date = Annotated[dt.date, BeforeValidator(_parse_date), PlainSerializer(lambda d: d.isoformat(), return_type=str)]
Line = Annotated[str, Field(min_length=1, max_length=MAX_LINE), BeforeValidator(_text)]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME), BeforeValidator(_text)]


class IdentifierMark:
    """Marks a number or reference as written on a document: typographic quotes in it are warned about."""


Identifier = Annotated[str, Field(min_length=1, max_length=MAX_IDENTIFIER), BeforeValidator(_text), IdentifierMark()]
Phone = Annotated[str, BeforeValidator(_pattern(_PHONE, "a phone number (digits, spaces, +, -, brackets)"))]
Email = Annotated[str, BeforeValidator(_pattern(_EMAIL, "an e-mail address"))]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]

_RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
)


_OUTPUT_FOLDERS = frozenset({"model", "submission", "coverage"})  # output/<name>/ of sets that are no institution


def _not_reserved(value: str) -> str:
    if value in _RESERVED_NAMES:
        raise ValueError(f"{value!r} is a reserved device name on Windows and cannot name output folders")
    if value in _OUTPUT_FOLDERS:
        raise ValueError(f"{value!r} is reserved for output/{value}/; choose another id")
    return value


InstitutionId = Annotated[str, Field(pattern=SLUG_PATTERN), AfterValidator(_not_reserved)]

_LANGUAGE_KEYS_ONLY = {"additionalProperties": False}  # the JSON Schema's keys are language ids, as validation's

LocalizedText = Annotated[
    dict[Lang, Line], Field(min_length=1, json_schema_extra=_LANGUAGE_KEYS_ONLY), BeforeValidator(_localized)
]
"""A text in each language the documents are built in: {ky: ..., ru: ..., en: ...}."""

LocalizedName = Annotated[
    dict[Lang, Name], Field(min_length=1, json_schema_extra=_LANGUAGE_KEYS_ONLY), BeforeValidator(_localized)
]
"""A name or title in each language the documents are built in: {ky: ..., ru: ..., en: ...}."""

ProperName = Name | LocalizedName
"""A proper name: one string used as is in every language, or a mapping per language."""


class StrictModel(BaseModel):
    """A mapping with exactly the declared keys; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)


class InstitutionType(str, Enum):
    hospital = "hospital"
    polyclinic = "polyclinic"
    family_medicine_centre = "family_medicine_centre"
    university = "university"
    college = "college"
    research_institute = "research_institute"


class Person(StrictModel):
    """A named person with a position."""

    name: ProperName
    """Full name as it is printed (a string, or a mapping per language for transliterations)."""
    position: LocalizedName
    """Position in each language, e.g. {ru: Заместитель главного врача, ky: Башкы врачтын орун басары}."""


class ContactPerson(Person):
    """A person whom staff, students or patients can contact."""

    phone: Phone | None = None
    """Direct phone number."""
    email: Email | None = None
    """Direct e-mail address."""
    room: LocalizedText | None = None
    """Where to find the person, e.g. {ru: каб. 214, ky: 214-бөлмө, en: room 214}."""


class Contacts(StrictModel):
    """The institution's general contacts."""

    phone: Phone
    """Reception phone number."""
    email: Email
    """General e-mail address."""
    website: Line | None = None
    """Website address, if any (printed as text, never fetched)."""


class Head(Person):
    """The head of the institution, who signs the order adopting the documents."""


class Approval(StrictModel):
    """The order of the head that approves the policy; printed in the approval stamp."""

    order_number: Identifier
    """Number of the approving order as written on it, e.g. 45-п."""
    order_date: Date
    """Date of the approving order (YYYY-MM-DD)."""
    approved_by: LocalizedText
    """Who issues the order, in the form that follows "approved by order of": ru «главного врача …», ky «… башкы врачынын»."""


class Commission(StrictModel):
    """The commission that investigates formal complaints."""

    chair: Person
    """Chair of the commission."""
    members: list[Person] = Field(min_length=2, max_length=MAX_LIST_ITEMS)
    """Other members (at least two)."""
    union_representative: Person
    """Member delegated by the trade union branch."""
    secretary: Person | None = None
    """Secretary who registers complaints and keeps the records, if not a member."""
    external_member: Person | None = None
    """Member from outside the institution (recommended for independence)."""


class ChannelKind(str, Enum):
    focal_point = "focal_point"
    commission = "commission"
    union = "union"
    email = "email"
    phone = "phone"
    online_form = "online_form"
    drop_box = "drop_box"
    in_person = "in_person"
    hotline = "hotline"


class ReportingChannel(StrictModel):
    """A way to report sexual harassment or raise a concern."""

    kind: ChannelKind
    """What sort of channel this is."""
    details: LocalizedText
    """How to use it, e.g. {ru: «ящик у кабинета 105 (вскрывает только координатор)», ...}."""
    contact: Line | None = None
    """Address, number or link of the channel, printed as text."""
    anonymous: Flag
    """true when a report can be made without giving a name."""


class Deadlines(StrictModel):
    """Time limits of the complaint procedure, in calendar days."""

    acknowledgement_days: Days
    """Days to register a complaint and confirm receipt in writing."""
    interim_measures_days: Days
    """Days to decide on protective measures once they are asked for."""
    investigation_days: Days
    """Days for the commission to finish its investigation."""
    extension_days: Days
    """Longest extension of the investigation, decided in writing with reasons."""
    decision_days: Days
    """Days for the head to decide after receiving the commission's report."""
    appeal_days: Days
    """Days within which a party may appeal the decision."""

    @model_validator(mode="after")
    def _ordered(self) -> Deadlines:
        if self.acknowledgement_days > self.investigation_days:
            raise ValueError("acknowledgement_days must not exceed investigation_days")
        return self


class Union_(StrictModel):
    """The trade union branch (primary organisation) that represents staff."""

    name: LocalizedName
    """Name of the branch, e.g. {ru: Первичная профсоюзная организация …}."""
    chair: Person
    """Chair of the branch."""
    phone: Phone | None = None
    """Contact phone."""
    consulted_on: Date
    """Date the draft policy was discussed with the branch (YYYY-MM-DD)."""
    consultation_record: Identifier
    """Reference of the record of that consultation, e.g. minutes No. 3."""


class SupportKind(str, Enum):
    medical = "medical"
    psychological = "psychological"
    legal = "legal"
    social = "social"
    crisis = "crisis"


class SupportService(StrictModel):
    """A service that supports people affected by harassment or violence."""

    kind: SupportKind
    """What the service provides."""
    name: LocalizedName
    """Name of the service."""
    phone: Phone | None = None
    """Phone number."""
    phone_verified: Flag = False
    """true once someone has called the number and checked it; the leaflet and the poster print an unverified
    number with a mark asking for that check."""
    details: LocalizedText | None = None
    """Hours, address or how to reach it."""


class ExternalBody(StrictModel):
    """A public body outside the institution."""

    name: LocalizedName
    """Name of the body."""
    phone: Phone | None = None
    """Phone number."""


class LegalBasis(StrictModel):
    """A legal instrument the policy rests on."""

    title: LocalizedText
    """Name of the instrument with its date and number, e.g. {ru: Трудовой кодекс Кыргызской Республики от 23 января 2025 года № 23}."""
    verified: Flag
    """true once a lawyer has checked the reference against the official text; false prints a legal-review mark."""


class Audience(str, Enum):
    all_staff = "all_staff"
    managers = "managers"
    focal_points_commission = "focal_points_commission"
    students = "students"
    residents = "residents"


class TrainingSession(StrictModel):
    """A scheduled training session."""

    date: Date
    """Date of the session (YYYY-MM-DD)."""
    audience: Audience
    """Who attends: all_staff, managers, focal_points_commission, students or residents."""
    place: LocalizedName
    """Where it takes place, e.g. {ru: актовый зал, ky: жыйындар залы, en: assembly hall}."""


class Training(StrictModel):
    """Training obligations stated in the policy and the schedule of the training programme."""

    induction_within_days: Days
    """Days after starting work or studies within which the induction session takes place."""
    refresher_every_months: Annotated[int, Field(ge=1, le=60), BeforeValidator(_parse_count)]
    """Months between refresher sessions for everyone."""
    induction_hours: Annotated[int, Field(ge=1, le=40), BeforeValidator(_parse_count)]
    """Length of the induction session in academic hours."""
    sessions: list[TrainingSession] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    """Scheduled sessions for the training programme and the adoption order (none: dates left to the order)."""


ClauseText = Annotated[
    dict[Lang, Annotated[str, Field(min_length=1, max_length=MAX_CLAUSE_TEXT)]],
    Field(json_schema_extra=_LANGUAGE_KEYS_ONLY),
]
"""A clause's text in each language: plain text or simple Markdown (paragraphs, lists, **bold**), never a template."""
ClausePlace = Annotated[str, Field(pattern=r"^[a-z0-9-]+/[a-z0-9-]+$")]
"""A clause of the set named <document-id>/<clause-id>, e.g. policy/prevention."""


class AddedClause(StrictModel):
    """An institution's own clause, inserted after a clause of one of its documents."""

    id: Slug
    """Id of the new clause, unique in its document."""
    after: ClausePlace
    """Where it goes: <document-id>/<clause-id> of the clause it follows, e.g. policy/prevention."""
    title: LocalizedName
    """Title of the clause in each language."""
    text: ClauseText
    """Text in each language: plain text or simple Markdown (paragraphs, lists, **bold**), never a template."""


class ReplacedClause(StrictModel):
    """New text for a clause that covers no core element."""

    clause: ClausePlace
    """The clause to replace: <document-id>/<clause-id>."""
    text: ClauseText
    """New text in each language (the title stays): plain text or simple Markdown, never a template."""


class ClauseCustomisation(StrictModel):
    """Changes to the standard clauses, made in the profile rather than in templates."""

    disable: list[ClausePlace] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    """Optional clauses switched off, as <document-id>/<clause-id>; a clause covering a core element cannot be."""
    add: list[AddedClause] = Field(default_factory=list, max_length=MAX_CLAUSE_CHANGES)
    """The institution's own clauses."""
    replace: list[ReplacedClause] = Field(default_factory=list, max_length=MAX_CLAUSE_CHANGES)
    """Clauses whose text the institution replaces."""


class PaperSize(str, Enum):
    A4 = "A4"
    A3 = "A3"


class PosterOptions(StrictModel):
    """How the poster for patients and visitors is printed."""

    paper: PaperSize = PaperSize.A4
    """A4 (the default) or A3, for a larger poster in a waiting room; the type grows with the paper."""


class Profile(StrictModel):
    """An institution profile: everything its documents say about it."""

    model_config = ConfigDict(title="policygen institution profile")

    id: InstitutionId
    """Institution id: lowercase letters, digits and hyphens, equal to the file name without .yaml."""
    type: InstitutionType
    """Kind of institution; universities and colleges get the clauses on teaching and training relations."""
    extends: Slug | Annotated[list[Slug], Field(max_length=MAX_BASES)] | None = None
    """Base profile id(s) this file builds on (files institutions/_<id>.yaml)."""
    languages: list[Lang] = Field(min_length=1, max_length=MAX_LANGUAGES)
    """Languages the documents are built in: ky, ru, en, or a language the workspace adds (templates/strings/<id>.yaml)."""
    name: LocalizedName
    """Full official name in each language."""
    short_name: LocalizedName | None = None
    """Short name used in running headers, if the full name is long."""
    city: LocalizedName
    """City or village, e.g. {ru: г. Бишкек, ky: Бишкек шаары, en: Bishkek}."""
    address: LocalizedText
    """Postal address in each language."""
    contacts: Contacts
    """General phone and e-mail."""
    head: Head
    """Head of the institution."""
    approval: Approval
    """The order that approves the policy."""
    effective_date: Date
    """Date from which the policy applies (YYYY-MM-DD)."""
    staff_count: Count
    """Number of staff (all contracts)."""
    student_count: Count | None = None
    """Number of students (required for universities and colleges)."""
    resident_count: Count | None = None
    """Number of residents (clinical ordinators) and interns trained here."""
    focal_points: list[ContactPerson] = Field(min_length=1, max_length=MAX_LIST_ITEMS)
    """Persons designated to receive reports and advise, at least one."""
    commission: Commission
    """The complaints commission."""
    reporting_channels: list[ReportingChannel] = Field(min_length=2, max_length=MAX_LIST_ITEMS)
    """Ways to report, at least two, at least one of them not through a line manager."""
    deadlines: Deadlines
    """Time limits of the complaint procedure."""
    union: Union_
    """The trade union branch."""
    support_services: list[SupportService] = Field(min_length=1, max_length=MAX_LIST_ITEMS)
    """Support available to people affected (usually national services from the base profile)."""
    labour_inspectorate: ExternalBody
    """The state labour inspection body."""
    ministry: ExternalBody
    """The Ministry of Health."""
    legal_bases: list[LegalBasis] = Field(min_length=1, max_length=MAX_LIST_ITEMS)
    """Legal instruments the policy rests on."""
    training: Training
    """Training obligations."""
    control_officer: Person
    """Who the adoption order puts in charge of controlling its execution (often a deputy head)."""
    clauses: ClauseCustomisation = Field(default_factory=ClauseCustomisation)
    """Optional changes to the standard clauses: switch off, add, replace."""
    poster: PosterOptions = Field(default_factory=PosterOptions)
    """Options of the poster for patients and visitors (paper size)."""
    review_period_years: Annotated[int, Field(ge=1, le=5), BeforeValidator(_parse_count)]
    """Years between scheduled reviews of the policy."""
    records_retention_years: Annotated[int, Field(ge=1, le=75), BeforeValidator(_parse_count)]
    """Years complaint files are kept."""

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        problems: list[InitErrorDetails] = []  # each at the key it concerns, so that it points at its line
        if len(set(self.languages)) != len(self.languages):
            problems.append(
                InitErrorDetails(
                    type=PydanticCustomError("value_error", "lists a language twice"),
                    loc=("languages",),
                    input=self.languages,
                )
            )
        if self.type.value in EDUCATION_TYPES and self.student_count is None:
            required = PydanticCustomError(
                "required_for_type",
                "student_count is required for a {kind}",
                {"kind": self.type.value, "key": "student_count"},
            )
            problems.append(InitErrorDetails(type=required, loc=("type",), input=self.type.value))
        if all(channel.kind is ChannelKind.phone for channel in self.reporting_channels):
            problems.append(
                InitErrorDetails(
                    type=PydanticCustomError("value_error", "needs at least one channel other than a phone line"),
                    loc=("reporting_channels",),
                    input=[channel.kind.value for channel in self.reporting_channels],
                )
            )
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self

    @property
    def is_education(self) -> bool:
        return self.type.value in EDUCATION_TYPES


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a profile, for editors and for `policygen schema`."""
    schema = Profile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
