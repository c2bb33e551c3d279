"""Builds institutions' documents: every file of an institution rendered in memory, then written atomically."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath

from policygen.builders.engine import (
    Unit,
    UnitOptions,
    UnitResult,
    file_digest,
    input_record,
    output_path,
    rendered_bytes,
    run_units,
    unit_key,
)
from policygen.builders.workers import run_bounded
from policygen.check.coverage import InstitutionCheck
from policygen.errors import Diagnostic, OutputError, PolicygenError, ProfileError
from policygen.inputs.profiles import LoadedProfile, load_profile
from policygen.inputs.schema import Lang
from policygen.inputs.workspace import Workspace
from policygen.model import Document
from policygen.output.atomic import existing_output, write_files
from policygen.output.lock import output_lock
from policygen.output.manifest import ManifestEntry, previous_entries, update_manifest, versions
from policygen.render.sandbox import TemplateRenderer
from policygen.sets.coverage_report import REPORT_OWNER, build_coverage_report
from policygen.sets.institution import DOCUMENT_IDS, document_templates
from policygen.sets.model_set import MODEL_OWNER, build_model_documents, model_base_file
from policygen.writers import FORMATS, Writer, get_writer, get_writer_suffix


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
class InstitutionOutcome:
    """What happened to one profile: the files written and those already up to date, or what stopped it."""

    profile_path: Path
    institution_id: str | None = None
    files: list[ManifestEntry] = field(default_factory=list)
    unchanged: list[ManifestEntry] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.diagnostics)


@dataclass
class BuildReport:
    """The outcome of every profile of a build."""

    outcomes: list[InstitutionOutcome]

    @property
    def failed(self) -> list[InstitutionOutcome]:
        return [outcome for outcome in self.outcomes if outcome.failed]


def build(
    workspace: Workspace,
    profile_paths: list[Path],
    request: BuildRequest,
    on_unit_done: Callable[[UnitResult, int, int], None] | None = None,
) -> BuildReport:
    """Build the requested documents of each profile. Units whose inputs are unchanged are skipped; a failing
    institution leaves its outputs as they were; the others are written and recorded in the manifest. The output
    folder is locked throughout."""
    with output_lock(request.out_dir) as lock:
        report = _build_locked(workspace, profile_paths, request, on_unit_done)
        for outcome in report.outcomes:
            if not outcome.failed:  # also when all was up to date: a killed build's leftovers go on the next run
                for folder in {
                    PurePosixPath(entry.path).parent.as_posix() for entry in (*outcome.files, *outcome.unchanged)
                }:
                    lock.remove_stale_temporaries(folder)
        recorded = [entry for outcome in report.outcomes for entry in (*outcome.files, *outcome.unchanged)]
        if recorded:
            update_manifest(request.out_dir, recorded)
    return report


def _build_locked(
    workspace: Workspace,
    profile_paths: list[Path],
    request: BuildRequest,
    on_unit_done: Callable[[UnitResult, int, int], None] | None,
) -> BuildReport:
    renderer = TemplateRenderer(workspace.template_search_path())
    options = UnitOptions(
        workspace.root, request.out_dir, request.doc_ids, request.formats, request.strict, versions()["policygen"]
    )
    previous = {} if request.force else previous_entries(request.out_dir)
    outcomes: dict[Path, InstitutionOutcome] = {}
    pending: list[Unit] = []
    for path in profile_paths:
        outcome = outcomes[path] = InstitutionOutcome(path)
        try:
            loaded = load_profile(path, workspace)
            outcome.institution_id = loaded.profile.id
            if request.strict and loaded.warnings:
                raise ProfileError([warning.as_error() for warning in loaded.warnings])
            outcome.warnings = list(loaded.warnings)
            for lang in _languages(loaded, request):
                unit = Unit(path, loaded.profile.id, lang, unit_key(loaded, lang, renderer, options))
                up_to_date = _up_to_date(unit, request, previous)
                if up_to_date is None:
                    pending.append(unit)
                else:
                    outcome.unchanged += up_to_date
        except PolicygenError as error:
            outcome.diagnostics = error.diagnostics()
    remaining = Counter(unit.profile_path for unit in pending)
    finished: dict[Path, list[UnitResult]] = {}
    done = 0

    def unit_done(result: UnitResult) -> None:
        # an institution's files are written as soon as its last unit is in, so no bytes pile up in memory
        nonlocal done
        done += 1
        path = result.unit.profile_path
        finished.setdefault(path, []).append(result)
        remaining[path] -= 1
        if remaining[path] == 0:
            _finish_institution(outcomes[path], finished.pop(path), request)
        if on_unit_done is not None:
            on_unit_done(result, done, len(pending))

    run_units(pending, options, previous, request.jobs, unit_done)
    return BuildReport(list(outcomes.values()))


def _finish_institution(outcome: InstitutionOutcome, results: list[UnitResult], request: BuildRequest) -> None:
    """Write an institution's new files if every unit of it succeeded; otherwise record why it failed."""
    failures = [diagnostic for result in results for diagnostic in result.diagnostics]
    if failures:
        outcome.diagnostics, outcome.unchanged = failures, []
        return
    changed = [(entry, data) for result in results for entry, data in result.files if data is not None]
    outcome.unchanged += [entry for result in results for entry, data in result.files if data is None]
    try:
        write_files(request.out_dir, [(entry.path, data) for entry, data in changed])
        outcome.files = [entry for entry, _ in changed]
    except OutputError as error:
        outcome.diagnostics = error.diagnostics()


def _up_to_date(unit: Unit, request: BuildRequest, previous: dict[str, ManifestEntry]) -> list[ManifestEntry] | None:
    """The unit's entries when every file it would write exists, unchanged, from the same inputs; else None."""
    if request.force:
        return None
    entries = []
    for doc_id in request.doc_ids:
        for format_name in request.formats:
            suffix = get_writer_suffix(format_name)
            entry = previous.get(f"{unit.institution}/{unit.lang}/{doc_id}{suffix}")
            existing = None if entry is None else existing_output(request.out_dir, entry.path)
            if entry is None or entry.unit_sha256 != unit.key or existing is None:
                return None
            if file_digest(existing) != entry.sha256:
                return None
            entries.append(entry)
    return entries


def build_model(workspace: Workspace, request: BuildRequest) -> InstitutionOutcome:
    """Build the model set for every health organisation into OUT/model/<lang>/."""
    base = model_base_file(workspace)
    return _build_owner(
        workspace,
        request,
        MODEL_OWNER,
        [base] if base is not None else [],
        partial(_model_documents, workspace, request.doc_ids),
    )


def build_coverage_reports(
    workspace: Workspace, results: list[InstitutionCheck], request: BuildRequest
) -> InstitutionOutcome:
    """Write the coverage report of checked institutions into OUT/coverage/<lang>/ in every language."""
    profiles = sorted({source for result in results for source in result.sources})
    return _build_owner(workspace, request, REPORT_OWNER, profiles, partial(_report_documents, results))


def _model_documents(
    workspace: Workspace, doc_ids: tuple[str, ...], renderer: TemplateRenderer, lang: str
) -> list[Document]:
    built = build_model_documents(renderer, workspace, lang)
    return [built[doc_id] for doc_id in doc_ids]


def _report_documents(results: list[InstitutionCheck], renderer: TemplateRenderer, lang: str) -> list[Document]:
    return [build_coverage_report(renderer, results, lang)]


def _build_owner(
    workspace: Workspace,
    request: BuildRequest,
    owner: str,
    profiles: list[Path],
    documents: Callable[[TemplateRenderer, str], list[Document]],
) -> InstitutionOutcome:
    """Write the documents of an output folder that is no institution (the model set, the report), in every
    requested language, all or nothing, and record them in the manifest. They are rendered in a memory-bounded
    worker process, so `documents` must be picklable: a module's function, or a partial of one."""
    outcome = InstitutionOutcome(workspace.institutions_dir, owner)
    with output_lock(request.out_dir):
        try:
            pending = run_bounded(_render_owner, workspace, request, owner, profiles, documents)
            write_files(request.out_dir, [(entry.path, data) for data, entry in pending])
            outcome.files = [entry for _, entry in pending]
        except PolicygenError as error:
            outcome.diagnostics = error.diagnostics()
        if outcome.files:
            update_manifest(request.out_dir, outcome.files)
    return outcome


def _render_owner(
    workspace: Workspace,
    request: BuildRequest,
    owner: str,
    profiles: list[Path],
    documents: Callable[[TemplateRenderer, str], list[Document]],
) -> list[tuple[bytes, ManifestEntry]]:
    renderer = TemplateRenderer(workspace.template_search_path())
    writers = {name: get_writer(name) for name in request.formats}
    profile_inputs = [input_record(workspace, path) for path in profiles]
    pending = []
    for lang in request.languages or workspace.languages():
        for document in documents(renderer, lang):
            templates = document_templates(document.meta.doc_id, lang, workspace.languages())
            sources = dict.fromkeys(path for template in templates for path in renderer.dependencies(template))
            inputs = {"profile": profile_inputs, "templates": [input_record(workspace, path) for path in sources]}
            pending += _rendered(document, writers, owner, inputs)
    return pending


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


def _rendered(
    document: Document, writers: dict[str, Writer], owner: str, inputs: dict
) -> list[tuple[bytes, ManifestEntry]]:
    """The bytes of `document` in every requested format, with the manifest entry of each file."""
    results = []
    for format_name, writer in writers.items():
        path = output_path(owner, document.meta.language, document.meta.doc_id, writer.suffix)
        data = rendered_bytes(writer, document, path)
        entry = ManifestEntry(
            path=path,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            institution=owner,
            document=document.meta.doc_id,
            language=document.meta.language,
            format=format_name,
            inputs=inputs,
        )
        results.append((data, entry))
    return results
