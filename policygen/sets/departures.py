"""How an institution's documents depart from the model set beyond its own values: the clauses it customised."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from policygen.errors import Diagnostic, PolicygenError
from policygen.inputs.profiles import LoadedProfile, load_profile
from policygen.inputs.schema import Lang
from policygen.inputs.workspace import Workspace
from policygen.model import Clause, Document, plain_text, to_data
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.institution import finish_set, render_documents
from policygen.transforms.customise import customise


@dataclass(frozen=True)
class Departure:
    """A clause of an institution's document that the model's text with its values does not have as it is:
    added by the profile, switched off ("removed"), or with its text replaced ("changed")."""

    doc_id: str
    clause_id: str
    number: int  # in the institution's document; for a clause switched off, in the model's
    title: str
    kind: str  # "added", "removed" or "changed"


@dataclass(frozen=True)
class ModelComparison:
    """One language's documents as the model gives them with the institution's values, and as it customised them
    (both cross-referenced), with the clauses where the two differ."""

    model: dict[str, Document]
    institution: dict[str, Document]
    departures: tuple[Departure, ...]


def compare_with_model(renderer: TemplateRenderer, loaded: LoadedProfile, lang: Lang) -> ModelComparison:
    rendered = render_documents(renderer, loaded, lang)
    customised = customise(rendered, loaded, lang)
    departures = tuple(
        departure
        for doc_id in rendered
        for departure in _clause_departures(doc_id, rendered[doc_id], customised[doc_id])
    )
    return ModelComparison(finish_set(renderer, rendered, lang), finish_set(renderer, customised, lang), departures)


def _clause_departures(doc_id: str, model: Document, institution: Document) -> list[Departure]:
    """Compared before cross-references are resolved, so that a clause renumbered by another's removal, or a
    reference to it, is not a departure."""
    model_clauses = {clause.id: clause for clause in model.clauses()}
    own_clauses = {clause.id: clause for clause in institution.clauses()}
    numbers = {clause.id: index for index, clause in enumerate(institution.clauses(), start=1)}
    model_numbers = {clause.id: index for index, clause in enumerate(model.clauses(), start=1)}
    found = []
    for clause_id, clause in own_clauses.items():
        before = model_clauses.get(clause_id)
        if before is None:
            found.append(_departure(doc_id, clause, numbers[clause_id], "added"))
        elif to_data(before) != to_data(clause):
            found.append(_departure(doc_id, clause, numbers[clause_id], "changed"))
    for clause_id, clause in model_clauses.items():
        if clause_id not in own_clauses:
            found.append(_departure(doc_id, clause, model_numbers[clause_id], "removed"))
    order = {clause.id: index for index, clause in enumerate((*institution.clauses(), *model.clauses()))}
    return sorted(found, key=lambda departure: (departure.kind == "removed", order[departure.clause_id]))


def _departure(doc_id: str, clause: Clause, number: int, kind: str) -> Departure:
    return Departure(doc_id, clause.id, number, plain_text(clause.title), kind)


@dataclass(frozen=True)
class InstitutionDepartures:
    """Each clause where an institution's documents, in any of its languages, depart from the model; or the
    problems that kept them from being made."""

    profile_path: Path
    institution_id: str = ""
    departures: tuple[Departure, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()


def departures_from_model(workspace: Workspace, paths: list[Path]) -> list[InstitutionDepartures]:
    """The departures of each profile's documents from the model set, clause by clause (titles in the profile's
    first language)."""
    renderer = TemplateRenderer(workspace.template_search_path())
    results = []
    for path in paths:
        try:
            loaded = load_profile(path, workspace)
            found: dict[tuple[str, str, str], Departure] = {}
            for lang in loaded.profile.languages:
                for departure in compare_with_model(renderer, loaded, lang).departures:
                    found.setdefault((departure.doc_id, departure.clause_id, departure.kind), departure)
        except PolicygenError as error:
            results.append(InstitutionDepartures(path, diagnostics=tuple(error.diagnostics())))
            continue
        results.append(InstitutionDepartures(path, loaded.profile.id, tuple(found.values())))
    return results
