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
Hours = Annotated[int, Field(ge=1, le=40), BeforeValidator(_parse_count)]
Percent = Annotated[int, Field(ge=1, le=100), BeforeValidator(_parse_count)]
TRAINING_MODULES = 7  # the modules of templates/training-programme, in order
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


class ControlOfficer(Person):
    """Who the adoption order puts in charge of controlling its execution, when it is not the head."""

    named_in_order: LocalizedName
    """The position and short name as the order's last point writes them, in the form that point needs: ru in the
    accusative after «возложить на» (заместителя главного врача по медицинской части А. Б. Садыкову), ky in the
    dative (башкы врачтын медициналык иштер боюнча орун басары А. Б. Садыковага), en as in a sentence (the Deputy
    Director General for Medical Affairs, A. Sadykova)."""


class Approval(StrictModel):
    """The order of the head that approves the policy; printed in the approval stamp."""

    order_number: Identifier
    """Number of the approving order as written on it, e.g. 45-п."""
    order_date: Date
    """Date of the approving order (YYYY-MM-DD)."""
    approved_by: LocalizedText
    """Who issues the order, in the form that follows "approved by order of": ru «главного врача …», ky «… башкы врачынын»."""


class CommissionMember(Person):
    """A voting member of the commission."""

    external: Flag = False
    """true for a member from outside the institution (and outside the parent organisation when it sits there)."""


class CommissionSeat(str, Enum):
    institution = "institution"
    parent_organisation = "parent_organisation"


MIN_COMMISSION = 3
"""Fewest voting members a commission may sit with, also once an involved member has stepped aside."""


class Commission(StrictModel):
    """The commission that investigates formal complaints."""

    chair: Person
    """Chair of the commission."""
    deputy_chair: Person
    """Deputy chair, who chairs when the chair is absent or steps aside."""
    members: list[CommissionMember] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    """Other voting members (mark outside members `external: true`)."""
    union_member: Person
    """Member delegated by the trade union branch (or, without a union, by the workers' elected representative)."""
    union_member_deputy: Person | None = None
    """Who sits instead of the union member when that member is absent or steps aside."""
    substitutes: list[CommissionMember] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    """Named substitutes who replace a member who steps aside in a case (outside members marked `external: true`)."""
    secretary: Person | None = None
    """Secretary who registers complaints and keeps the records, if not a member (no vote)."""
    sits_at: CommissionSeat = CommissionSeat.institution
    """Where the commission sits: institution, or parent_organisation (only with `parent_organisation`)."""

    def voting(self) -> list[tuple[tuple[str | int, ...], Person]]:
        """(key path, person) of every voting member."""
        return [
            (("commission", "chair"), self.chair),
            (("commission", "deputy_chair"), self.deputy_chair),
            *((("commission", "members", index), member) for index, member in enumerate(self.members)),
            (("commission", "union_member"), self.union_member),
        ]

    @property
    def quorum(self) -> int:
        """A majority of the voting members."""
        return len(self.voting()) // 2 + 1


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
    """Time limits of the complaint procedure, in calendar days (in working days where the key says so)."""

    handover_working_days: Days
    """Working days within which a worker told of harassment passes the report on, with consent, to a focal point."""
    acknowledgement_days: Days
    """Days to register a complaint and confirm receipt in writing."""
    interim_measures_days: Days
    """Days to decide on protective measures once they are asked for."""
    investigation_order_working_days: Days
    """Working days after a formal complaint is registered within which the head orders the investigation."""
    investigation_days: Days
    """Days for the commission to finish its investigation."""
    extension_days: Days
    """Longest extension of the investigation, decided in writing with reasons."""
    decision_days: Days
    """Days for the head to decide after receiving the commission's report."""
    appeal_days: Days
    """Days within which a party may appeal the decision."""
    appeal_decision_days: Days
    """Days within which the appeal body answers both parties in writing."""

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
    complainants_representative: ContactPerson | None = None
    """Who represents complainants for the union; may not be a voting member of the commission."""


class WorkersRepresentative(ContactPerson):
    """The workers' elected representative, where the institution has no trade union branch."""

    elected_on: Date
    """Date of the workers' meeting that elected the representative (YYYY-MM-DD)."""
    record: Identifier
    """Reference of the record of that election, e.g. minutes of the general meeting No. 1."""
    consulted_on: Date
    """Date the draft policy was discussed with the representative (YYYY-MM-DD)."""
    consultation_record: Identifier
    """Reference of the record of that consultation."""


class OrganisationRole(str, Enum):
    employer = "employer"
    supervisor = "supervisor"


class ParentOrganisation(StrictModel):
    """The organisation the institution belongs to, e.g. the district centre of family medicine."""

    name: LocalizedName
    """Name of the parent organisation."""
    role: OrganisationRole
    """employer (it employs the staff and imposes discipline) or supervisor (it oversees the institution)."""
    phone: Phone | None = None
    """Phone number."""
    address: LocalizedText | None = None
    """Postal address."""


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


class CitedIn(str, Enum):
    """Where a legal reference may be cited."""

    institution = "institution"
    ministry = "ministry"
    appeal = "appeal"


class LegalReference(StrictModel):
    """A legal instrument in the register: its title per language, where and when a person last checked it."""

    title: LocalizedText
    """Name of the instrument with its date and number, e.g. {ru: Трудовой кодекс Кыргызской Республики от 23 января 2025 года № 23}."""
    source: LocalizedText | None = None
    """Where it was checked: the official database and the act's number there, e.g. {ru: cbd.minjust.gov.kg, акт 111570}."""
    checked_on: Date | None = None
    """The day a person last checked it against the official text (YYYY-MM-DD); absent: never checked."""
    verified: Annotated[dict[Lang, Flag], Field(min_length=1, json_schema_extra=_LANGUAGE_KEYS_ONLY)]
    """Per language: true once the title in that language was checked against the official text; false prints the
    review mark in documents of that language."""
    applies_to: list[CitedIn] = Field(min_length=1, max_length=len(CitedIn))
    """Where it may be cited: institution (an employer's local acts), ministry (the Ministry's order and its
    powers), appeal (the union's letter to a state body)."""

    @model_validator(mode="after")
    def _consistent(self) -> LegalReference:
        if len(set(self.applies_to)) != len(self.applies_to):
            raise ValueError("applies_to lists a place twice")
        if any(self.verified.values()) and (self.checked_on is None or self.source is None):
            raise ValueError("a title marked verified needs checked_on and source: when and where it was checked")
        return self


ReferenceId = Annotated[str, Field(pattern=SLUG_PATTERN)]
LegalReferences = Annotated[dict[ReferenceId, LegalReference], Field(min_length=1, max_length=MAX_LIST_ITEMS)]
"""The register of legal references by id; an institution's file adds its own entries (mappings merge)."""


class Discipline(StrictModel):
    """What the Labour Code allows the employer in discipline, each fact with whether it has been checked."""

    limitation_days: Days
    """Days after the offence is discovered within which a sanction may still be applied."""
    limitation_verified: Flag
    """true once a lawyer has checked limitation_days against the Labour Code in force."""
    sanctions: list[LocalizedName] = Field(min_length=1, max_length=MAX_LIST_ITEMS)
    """The types of disciplinary sanction, mildest first, e.g. {ky: эскертүү, ru: замечание, en: reprimand}."""
    sanctions_verified: Flag
    """true once a lawyer has checked the list of sanctions against the Labour Code in force."""


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
    module_hours: Annotated[list[Hours], Field(min_length=TRAINING_MODULES, max_length=TRAINING_MODULES)]
    """Length of each of the training programme's seven modules, in academic hours, in the programme's order."""
    refresher_hours: Hours
    """Shortest length of the refresher session, in academic hours."""
    max_group_size: Annotated[int, Field(ge=2, le=200), BeforeValidator(_parse_count)]
    """Most participants in one training group."""
    max_practical_group_size: Annotated[int, Field(ge=2, le=200), BeforeValidator(_parse_count)]
    """Most participants in one group of the practical modules (the managers' and the investigators')."""
    announce_days_before: Days
    """Days before a session at least by which it is announced."""
    familiarisation_within_days: Days
    """Days after the documents take effect within which every worker has read them and signed for it."""
    report_within_days: Days
    """Days after a training cycle ends within which the focal points report on it."""
    schedule_within_days: Days
    """Days after the adoption order within which the focal points propose the first training dates, when the
    profile schedules none."""
    knowledge_check_questions: Annotated[int, Field(ge=1, le=100), BeforeValidator(_parse_count)]
    """Questions of the knowledge check taken at the start and at the end of modules 1-5."""
    pass_mark: Annotated[int, Field(ge=1, le=100), BeforeValidator(_parse_count)]
    """Correct answers of the knowledge check needed to pass it."""
    target_pass_percent: Percent
    """Target of each cycle: the share of participants, in per cent, who pass the final knowledge check."""
    target_score_gain: Annotated[int, Field(ge=1, le=100), BeforeValidator(_parse_count)]
    """Target of each cycle: how many points the mean final score exceeds the mean initial score by."""
    target_useful_percent: Percent
    """Target of each cycle: the share of participants, in per cent, who rate the training useful."""
    sessions: list[TrainingSession] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    """Scheduled sessions for the training programme and the adoption order (none: dates left to the order)."""

    @model_validator(mode="after")
    def _within_the_check(self) -> Training:
        problems = [  # each at the key it concerns, so that it points at its line
            InitErrorDetails(
                type=PydanticCustomError(
                    "value_error", f"must not exceed knowledge_check_questions ({self.knowledge_check_questions})"
                ),
                loc=(key,),
                input=getattr(self, key),
            )
            for key in ("pass_mark", "target_score_gain")
            if getattr(self, key) > self.knowledge_check_questions
        ]
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self


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
    union: Union_ | None = None
    """The trade union branch; without one, give `workers_representative` instead (exactly one of the two)."""
    workers_representative: WorkersRepresentative | None = None
    """The workers' elected representative, where there is no trade union branch (exactly one of the two)."""
    parent_organisation: ParentOrganisation | None = None
    """The organisation the institution is a unit of, e.g. the district centre of family medicine."""
    escalation_body: ExternalBody | None = None
    """Where a case goes when the accused is the head (default: the parent organisation, else the health department)."""
    appeal_body: ExternalBody | None = None
    """Who hears appeals against a decision; never the body that decided (default: the parent organisation when
    the commission sits at the institution, else the health department)."""
    health_department: ExternalBody
    """The oblast (city) health department, the body of last resort for head-accused cases and appeals."""
    small_institution_staff: Annotated[int, Field(ge=1, le=100_000), BeforeValidator(_parse_count)] = 50
    """Staff count below which an institution is small: its texts name only the posts such a centre has."""
    serves_minors: Flag = False
    """true when the institution treats children or enrols students under 18: the policy adds a safeguarding clause."""
    support_services: list[SupportService] = Field(min_length=1, max_length=MAX_LIST_ITEMS)
    """Support available to people affected (usually national services from the base profile)."""
    labour_inspectorate: ExternalBody
    """The state labour inspection body."""
    ministry: ExternalBody
    """The Ministry of Health."""
    legal_references: LegalReferences
    """The register of legal references by id; documents cite those that apply to them."""
    recheck_months: Annotated[int, Field(ge=1, le=60), BeforeValidator(_parse_count)] = 12
    """Months after which a legal reference's check is stale: `check` warns and documents mark it for review."""
    discipline: Discipline
    """The disciplinary limitation period and the types of sanction of the Labour Code."""
    training: Training
    """Training obligations."""
    control_officer: ControlOfficer | None = None
    """Who the adoption order puts in charge of controlling its execution (often a deputy head); leave it out
    when the head keeps control, and the order says so."""
    clauses: ClauseCustomisation = Field(default_factory=ClauseCustomisation)
    """Optional changes to the standard clauses: switch off, add, replace."""
    poster: PosterOptions = Field(default_factory=PosterOptions)
    """Options of the poster for patients and visitors (paper size)."""
    review_period_years: Annotated[int, Field(ge=1, le=5), BeforeValidator(_parse_count)]
    """Years between scheduled reviews of the policy."""
    records_retention_years: Annotated[int, Field(ge=1, le=75), BeforeValidator(_parse_count)]
    """Years complaint files are kept."""
    contacts_update_working_days: Days
    """Working days within which the published contacts are updated when a focal point or a channel changes."""
    retaliation_watch_months: Annotated[int, Field(ge=1, le=60), BeforeValidator(_parse_count)]
    """Months after a complaint during which any decision adverse to the complainant or a witness is given in
    writing with reasons, so that it can be checked for retaliation."""
    example: Flag = False
    """true for a fictional example institution: the submission leaves it out unless asked to show examples, and
    then marks it, and `check` marks it."""

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
        problems += _role_problems(self)
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self

    @property
    def is_education(self) -> bool:
        return self.type.value in EDUCATION_TYPES

    @property
    def is_small(self) -> bool:
        """Below the national staff threshold: no guards, HR department or unit heads to name."""
        return self.staff_count < self.small_institution_staff

    @property
    def commission_at_parent(self) -> bool:
        return self.commission.sits_at is CommissionSeat.parent_organisation

    def head_case_body(self) -> ExternalBody | ParentOrganisation:
        """Where a case goes when the accused is the head."""
        return self.escalation_body or self.parent_organisation or self.health_department

    def appeal_route(self) -> ExternalBody | ParentOrganisation:
        """Who hears an appeal: the named appeal body, else a body above the one that decided."""
        if self.appeal_body is not None:
            return self.appeal_body
        if self.parent_organisation is not None and not self.commission_at_parent:
            return self.parent_organisation
        return self.health_department


def _problem(message: str, loc: tuple[str | int, ...], value: Any, hint: str) -> InitErrorDetails:
    error = PydanticCustomError("role_conflict", message, {"hint": hint})
    return InitErrorDetails(type=error, loc=loc, input=value if value is not None else "")  # None reads "empty"


def _key(loc: tuple[str | int, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")


def _names(name: str | dict[str, str]) -> set[str]:
    """A person's or body's name in every language it is given in, compared without case and spacing."""
    texts = name.values() if isinstance(name, dict) else [name]
    return {" ".join(text.split()).casefold() for text in texts}


def _role_problems(profile: Profile) -> list[InitErrorDetails]:
    """Set-ups that cannot work: who may not sit where, a commission too small to hear a case, an appeal to
    the body that decided. Each is reported at one key and names the other."""
    problems: list[InitErrorDetails] = []
    if (profile.union is None) == (profile.workers_representative is None):
        both = profile.union is not None
        problems.append(
            _problem(
                "give either union or workers_representative, not both"
                if both
                else "neither union nor workers_representative is given; exactly one of them is required",
                ("union",) if both else ("workers_representative",),
                None,
                "an institution with a trade union branch gives `union:`; one without gives "
                "`workers_representative:` (the person the workers elected, with elected_on and record)",
            )
        )
    voting = profile.commission.voting()
    if profile.union is not None and profile.union.complainants_representative is not None:
        representative = _names(profile.union.complainants_representative.name)
        for loc, member in voting:
            if representative & _names(member.name):
                problems.append(
                    _problem(
                        f"the person who represents complainants for the union is also {_key(loc)}, a voting "
                        "member of the commission that hears them",
                        ("union", "complainants_representative"),
                        None,
                        f"name another person in union.complainants_representative, or another member in {_key(loc)}",
                    )
                )
    substitutes = bool(profile.commission.substitutes)
    if len(voting) - 1 + substitutes < MIN_COMMISSION:
        keys = ", ".join(_key(loc) for loc, _ in voting)
        problems.append(
            _problem(
                f"has {len(voting)} voting members ({keys}); once one of them steps aside from a case it falls "
                f"below {MIN_COMMISSION}",
                ("commission",),
                None,
                f"add a voting member under commission.members, or list commission.substitutes to replace a member "
                f"who steps aside (at least {MIN_COMMISSION} must remain)",
            )
        )
    if profile.commission_at_parent and profile.parent_organisation is None:
        problems.append(
            _problem(
                "commission.sits_at is parent_organisation, but parent_organisation is not given",
                ("commission", "sits_at"),
                profile.commission.sits_at.value,
                "add `parent_organisation:` (name and role), or set `sits_at: institution`",
            )
        )
    if profile.commission_at_parent and profile.parent_organisation is not None:
        deciding, deciding_key = _names(profile.parent_organisation.name), "parent_organisation.name"
    else:
        deciding = _names(profile.name) | (_names(profile.short_name) if profile.short_name else set())
        deciding_key = "name"
    if profile.appeal_body is not None and _names(profile.appeal_body.name) & deciding:
        problems.append(
            _problem(
                f"appeal_body.name is {deciding_key}, the body that decides the case; an appeal must go to "
                "another body",
                ("appeal_body", "name"),
                None,
                "name a body above the one that decides, e.g. the oblast health department",
            )
        )
    if profile.escalation_body is not None and _names(profile.escalation_body.name) & (
        _names(profile.name) | (_names(profile.short_name) if profile.short_name else set())
    ):
        problems.append(
            _problem(
                "escalation_body.name is the institution's own name; a case against its head must go outside it",
                ("escalation_body", "name"),
                None,
                "name the parent organisation or the oblast (city) health department",
            )
        )
    return problems


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a profile, for editors and for `policygen schema`."""
    schema = Profile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
