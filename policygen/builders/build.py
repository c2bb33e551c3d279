"""Plans the builds of institutions' documents, the model set and the coverage report for the one builder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from policygen.builders.builder import Builder, OwnerOutcome, Progress, Unit
from policygen.builders.jobs import coverage_report_job, institution_job, model_set_job, start_worker
from policygen.builders.keys import (
    digest,
    environment_key,
    input_record,
    institution_models_key,
    model_set_models_key,
    records_key,
)
from policygen.check.coverage import InstitutionCheck
from policygen.errors import PolicygenError, ProfileError
from policygen.inputs.clock import build_day
from policygen.inputs.profiles import LoadedProfile, load_profile
from policygen.inputs.review import review_files
from policygen.inputs.schema import Lang
from policygen.inputs.workspace import Workspace
from policygen.output.editions import edition_name
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.coverage_report import REPORT_ID, REPORT_OWNER
from policygen.sets.institution import DOCUMENT_IDS, template_name
from policygen.sets.model_set import MODEL_OWNER
from policygen.writers import FORMATS, get_writer_suffix


@dataclass(frozen=True)
class BuildRequest:
    """What to build: documents, languages (None: each institution's own) and formats, and where."""

    out_dir: Path
    doc_ids: tuple[str, ...] = DOCUMENT_IDS
    languages: tuple[Lang, ...] | None = None
    formats: tuple[str, ...] = FORMATS
    strict: bool = False  # refuse to write an institution's documents when they fail the completeness check
    jobs: int = 1  # processes that render in parallel
    force: bool = False  # rebuild files that are up to date


@dataclass
class BuildReport:
    """The outcome of every owner of a build: each profile's institution, or the model set, or the report."""

    outcomes: list[OwnerOutcome]

    @property
    def failed(self) -> list[OwnerOutcome]:
        return [outcome for outcome in self.outcomes if outcome.failed]


ProgressCallback = Callable[[Progress], None]


def build(
    workspace: Workspace,
    profile_paths: list[Path],
    request: BuildRequest,
    on_progress: ProgressCallback | None = None,
) -> BuildReport:
    """Build the requested documents of each profile, a unit per institution and language. Units whose inputs are
    unchanged are skipped; a failing institution leaves its outputs as they were; the others are written and
    recorded in the manifest. The output folder is locked throughout."""
    environment = environment_key()
    renderer = TemplateRenderer(workspace.template_search_path())
    planned: dict[Path, OwnerOutcome] = {}
    units: list[Unit] = []
    for path in profile_paths:
        outcome = planned[path] = OwnerOutcome(path)
        try:
            loaded = load_profile(path, workspace)
            outcome.owner = loaded.profile.id
            if request.strict and loaded.warnings:
                raise ProfileError([warning.as_error() for warning in loaded.warnings])
            outcome.warnings = list(loaded.warnings)
            for lang in _languages(loaded, request):
                models_key = institution_models_key(workspace, renderer, loaded, lang, environment)
                units.append(
                    Unit(
                        loaded.profile.id,
                        lang,
                        digest(models_key, *request.doc_ids, *request.formats, f"strict={request.strict}"),
                        _paths(loaded.profile.id, lang, request.doc_ids, request.formats),
                        path,
                        partial(institution_job, lang, models_key, request.doc_ids, request.strict),
                        edition_name(loaded.profile.approval.order_date, loaded.profile.approval.order_number),
                    )
                )
        except PolicygenError as error:
            outcome.diagnostics = error.diagnostics()
    built = _builder(request, on_progress).run(
        units, start_worker, (workspace.root, request.out_dir, environment, request.formats)
    )
    outcomes = []
    for outcome in planned.values():
        if outcome.owner in built and not outcome.failed:
            built[outcome.owner].warnings = outcome.warnings
            outcome = built[outcome.owner]
        outcomes.append(outcome)
    return BuildReport(outcomes)


def build_model(
    workspace: Workspace, request: BuildRequest, on_progress: ProgressCallback | None = None
) -> OwnerOutcome:
    """Build the model set for every health organisation into OUT/model/<lang>/, a unit per language."""
    environment = environment_key()
    renderer = TemplateRenderer(workspace.template_search_path())
    units = []
    try:
        for lang in request.languages or workspace.languages():
            models_key = model_set_models_key(workspace, renderer, lang, environment)
            units.append(
                Unit(
                    MODEL_OWNER,
                    lang,
                    digest(models_key, *request.doc_ids, *request.formats),
                    _paths(MODEL_OWNER, lang, request.doc_ids, request.formats),
                    workspace.institutions_dir,
                    partial(model_set_job, lang, models_key, request.doc_ids),
                    edition_name(build_day()),  # the model set has no approving order
                )
            )
    except PolicygenError as error:
        return OwnerOutcome(workspace.institutions_dir, MODEL_OWNER, diagnostics=error.diagnostics())
    built = _builder(request, on_progress).run(
        units, start_worker, (workspace.root, request.out_dir, environment, request.formats)
    )
    return built[MODEL_OWNER]


def build_coverage_reports(
    workspace: Workspace,
    results: list[InstitutionCheck],
    request: BuildRequest,
    on_progress: ProgressCallback | None = None,
) -> OwnerOutcome:
    """Write the coverage report of checked institutions into OUT/coverage/<lang>/ in every language, a unit per
    language, rebuilt when the results, the templates or the environment changed."""
    environment = environment_key()
    renderer = TemplateRenderer(workspace.template_search_path())
    profiles = sorted({source for result in results for source in result.sources})
    units = []
    try:
        results_key = digest(*(repr(result) for result in results))
        reviews = [input_record(workspace, path) for path in review_files(renderer.search_path)]
        for lang in request.languages or workspace.languages():
            templates = [
                input_record(workspace, path) for path in renderer.dependencies(template_name(REPORT_ID, lang))
            ]
            units.append(
                Unit(
                    REPORT_OWNER,
                    lang,
                    digest(environment, results_key, lang, records_key(templates + reviews), *request.formats),
                    _paths(REPORT_OWNER, lang, (REPORT_ID,), request.formats),
                    workspace.institutions_dir,
                    partial(coverage_report_job, results, lang, profiles),
                )
            )
    except PolicygenError as error:
        return OwnerOutcome(workspace.institutions_dir, REPORT_OWNER, diagnostics=error.diagnostics())
    built = _builder(request, on_progress).run(
        units, start_worker, (workspace.root, request.out_dir, environment, request.formats)
    )
    return built[REPORT_OWNER]


def _builder(request: BuildRequest, on_progress: ProgressCallback | None) -> Builder:
    return Builder(request.out_dir, request.jobs, request.force, on_progress)


def _paths(owner: str, lang: str, doc_ids: tuple[str, ...], formats: tuple[str, ...]) -> tuple[str, ...]:
    """Where a unit's files go: <owner>/<lang>/<doc-id><suffix> (the writer refuses a path that would leave the
    output folder)."""
    return tuple(f"{owner}/{lang}/{doc_id}{get_writer_suffix(name)}" for doc_id in doc_ids for name in formats)


def _languages(loaded: LoadedProfile, request: BuildRequest) -> tuple[Lang, ...]:
    own = tuple(loaded.profile.languages)
    if request.languages is None:
        return own
    missing = [lang for lang in request.languages if lang not in own]
    if missing:
        raise PolicygenError(
            f"{loaded.profile.id} is not written in {', '.join(missing)} (its languages: {', '.join(own)})",
            hint="add the language and its texts to the profile, or leave --lang out",
        )
    return tuple(lang for lang in request.languages if lang in own)
