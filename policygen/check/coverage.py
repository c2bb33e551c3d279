"""The completeness check: which policy elements an institution's documents cover, by which clause, honestly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from policygen.check.legal import limitation_problems, stale_reference_warnings
from policygen.check.notions import missing_notions
from policygen.check.readability import Readability, readability
from policygen.errors import Diagnostic, PolicygenError
from policygen.inputs.clock import build_day
from policygen.inputs.elements import PolicyElement, policy_elements, required_elements
from policygen.inputs.profiles import LoadedProfile
from policygen.model import Document, plain_text


@dataclass(frozen=True)
class ClausePlace:
    """Where an element is covered: a clause of a document, with its displayed number and title."""

    document: str
    document_title: str
    number: str
    title: str


@dataclass(frozen=True)
class ElementCoverage:
    """One element for one institution and language: required or not, and the clauses that cover it."""

    element: PolicyElement
    required: bool
    clauses: tuple[ClausePlace, ...]

    @property
    def covered(self) -> bool:
        return bool(self.clauses)


@dataclass(frozen=True)
class UnsupportedClaim:
    """A clause that claims an element its text does not express."""

    document: str
    clause: str
    element: str
    missing: tuple[str, ...]


@dataclass
class LanguageCheck:
    """The check of one institution's set in one language."""

    lang: str
    elements: list[ElementCoverage]
    unsupported: list[UnsupportedClaim] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)  # documents built from text not reviewed by a legal translator
    readability: list[Readability] = field(default_factory=list)  # per document, in the set's order
    pages: dict[str, int | None] = field(default_factory=dict)  # per document, from the built PDFs (None: not built)

    @property
    def missing_required(self) -> list[ElementCoverage]:
        return [coverage for coverage in self.elements if coverage.required and not coverage.covered]

    @property
    def too_long(self) -> list[Readability]:
        """Documents over their target of mean sentence length that must meet it (the leaflet, the poster)."""
        return [figures for figures in self.readability if figures.binding and not figures.meets_target]

    @property
    def passed(self) -> bool:
        return not self.missing_required and not self.unsupported and not self.too_long


def check_documents(documents: dict[str, Document], lang: str, is_education: bool) -> LanguageCheck:
    """Coverage of every element by the documents of a set (after customisation); only honest claims count."""
    places: dict[str, list[ClausePlace]] = {element.id: [] for element in policy_elements()}
    unsupported: list[UnsupportedClaim] = []
    for doc_id, document in documents.items():
        numbers = document.clause_numbers()
        for clause in document.clauses():
            for element in clause.covers:
                missing = missing_notions(clause, element, lang)
                if missing:
                    unsupported.append(
                        UnsupportedClaim(doc_id, clause.id, element, tuple(notion.describe() for notion in missing))
                    )
                    continue
                places[element].append(
                    ClausePlace(doc_id, document.meta.title, numbers[clause.id], plain_text(clause.title))
                )
    required = required_elements(is_education)
    elements = [
        ElementCoverage(element, element.id in required, tuple(places[element.id])) for element in policy_elements()
    ]
    drafts = [doc_id for doc_id, document in documents.items() if document.meta.draft_mark]
    figures = [readability(doc_id, document) for doc_id, document in documents.items()]
    return LanguageCheck(lang, elements, unsupported, drafts, figures)


@dataclass
class InstitutionCheck:
    """The check of one profile in each of its languages, or the problems that stopped loading it."""

    profile_path: Path
    institution_id: str | None = None
    institution_type: str | None = None
    names: dict[str, str] = field(default_factory=dict)  # the profile's name per language
    sources: tuple[Path, ...] = ()  # the profile files it was merged from
    approved_on: dt.date | None = None
    order_number: str | None = None
    example: bool = False  # a fictional example institution
    languages: list[LanguageCheck] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)  # the profile's data fails a legal check
    warnings: list[Diagnostic] = field(default_factory=list)  # legal references to check again

    @property
    def passed(self) -> bool:
        return not self.diagnostics and not self.problems and all(check.passed for check in self.languages)

    def in_language(self, lang: str) -> LanguageCheck:
        """The check in `lang`, or in the institution's first language when it is not written in `lang`."""
        return next((check for check in self.languages if check.lang == lang), self.languages[0])

    def name_in(self, lang: str) -> str:
        """The institution's name in `lang`, or in another of its languages when it has none in `lang`."""
        return self.names.get(lang) or next(iter(self.names.values()), self.institution_id or "")


def check_loaded(loaded: LoadedProfile, documents_in: Callable[[str], dict[str, Document]]) -> InstitutionCheck:
    """The check of a loaded profile's document set in each of its languages, as `documents_in(lang)` gives it."""
    profile = loaded.profile
    result = InstitutionCheck(
        loaded.path,
        institution_id=profile.id,
        institution_type=profile.type.value,
        names=dict((profile.short_name or profile.name).items()),
        sources=loaded.sources,
        approved_on=profile.approval.order_date,
        order_number=profile.approval.order_number,
        example=profile.example,
    )
    try:
        result.problems = limitation_problems(loaded)
        result.warnings = stale_reference_warnings(loaded, build_day())
        for lang in profile.languages:
            result.languages.append(check_documents(documents_in(lang), lang, profile.is_education))
    except PolicygenError as error:
        result.diagnostics = error.diagnostics()
    return result


def failure_diagnostics(result: InstitutionCheck) -> list[Diagnostic]:
    """Each failed requirement as a diagnostic naming the element, its references and the profile; then the
    profile's legal problems and warnings."""
    problems = list(result.problems)
    for check in result.languages:
        for coverage in check.missing_required:
            problems.append(
                Diagnostic(
                    str(result.profile_path),
                    f"{check.lang}: required element {coverage.element.id} is not covered "
                    f"({coverage.element.description}; references: {', '.join(coverage.element.refs)})",
                    hint="keep or restore the standard clause that covers it (see `clauses:` in the profile)",
                )
            )
        for figures in check.too_long:
            problems.append(
                Diagnostic(
                    str(result.profile_path),
                    f"{check.lang}: {figures.document}: sentences of {figures.mean_words:.1f} words on average, over "
                    f"its target of {figures.target}",
                    hint="shorten the sentences of its template, or the profile's texts it prints (channels, services)",
                )
            )
        for claim in check.unsupported:
            problems.append(
                Diagnostic(
                    str(result.profile_path),
                    f"{check.lang}: clause {claim.document}/{claim.clause} claims "
                    f"{claim.element}, but its text does not say it (missing: {'; '.join(claim.missing)})",
                    hint="make the clause's text express the element, or remove the claim from its template",
                )
            )
    return problems + result.warnings
